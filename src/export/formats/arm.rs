//! Defender for Cloud resources from ARM REST (`GET https://management.azure.com/...`):
//! `Microsoft.Security/pricings` (Defender for Servers tier and sub-plan), `Microsoft.Security/settings`
//! (`WDATP`: the Defender for Endpoint integration) and `Microsoft.Security/securityConnectors`
//! (AWS accounts and GCP projects). One document is a resource, a `{"value": [...]}` list or a
//! top-level array of resources, each with its values under `properties`.
//!
//! The loaders of one resource ([`pricing`], [`setting`], [`connector`]) take the object that holds
//! the resource's values, so the az CLI (values flattened beside `id`) and Az PowerShell (flat
//! PascalCase) reuse them. Keys are matched case-insensitively.
//!
//! Scopes follow the resource id: `/subscriptions/{id}/providers/Microsoft.Security/...` is the
//! subscription's; a pricing under `/subscriptions/{id}/resourceGroups/{rg}[/providers/.../{name}]`
//! belongs to that resource group or resource and becomes a `resource_pricings` record, never the
//! subscription's plan.

use crate::export::json::{put_at, At, Conv};
use crate::export::{paging, Builder};
use crate::model::schema;
use crate::model::{Record, Value};

/// The subscription id of an ARM resource id (`/subscriptions/<id>/providers/...`).
pub fn subscription_of(id: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("subscriptions") {
            return parts.next().filter(|s| !s.is_empty()).map(str::to_string);
        }
    }
    None
}

/// Where a `Microsoft.Security` resource sits, from its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `/subscriptions/{id}`.
    Subscription(String),
    /// A resource group or a single resource: its resource id, last name segment, subscription
    /// and kind (`resource_group` or `resource`).
    Below {
        /// The scope's resource id (the id before `/providers/Microsoft.Security/`).
        id: String,
        /// The last segment of `id`: the resource group's or the resource's name.
        name: String,
        /// The subscription id from `id`.
        subscription: String,
        /// `resource_group` for `/subscriptions/{id}/resourceGroups/{rg}`, else `resource`.
        kind: &'static str,
    },
}

/// Byte offset of `/providers/Microsoft.Security/` in an id (ASCII case-insensitive), the last one.
fn security_provider(id: &str) -> Option<usize> {
    let needle = "/providers/microsoft.security/";
    id.to_ascii_lowercase().rfind(needle)
}

/// Whether `id` names a `Microsoft.Security` resource.
pub fn is_security_id(id: &str) -> bool {
    security_provider(id).is_some()
}

/// The resource type of a `Microsoft.Security` id, lowercased (`microsoft.security/pricings`).
pub fn type_from_id(id: &str) -> Option<String> {
    let at = security_provider(id)?;
    let rest = id.get(at + "/providers/".len()..)?;
    let mut parts = rest.split('/');
    let (ns, ty) = (parts.next()?, parts.next()?);
    Some(format!("{ns}/{ty}").to_ascii_lowercase())
}

/// The scope of a `Microsoft.Security` resource id; None when the id has no subscription.
pub fn scope_of(id: &str) -> Option<Scope> {
    let at = security_provider(id)?;
    let scope = id.get(..at)?.trim_end_matches('/');
    let subscription = subscription_of(scope)?;
    let parts: Vec<&str> = scope
        .trim_start_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    match parts.len() {
        0..=2 => Some(Scope::Subscription(subscription)),
        n => Some(Scope::Below {
            id: scope.to_string(),
            name: parts.last().map_or("", |s| s).to_string(),
            subscription,
            kind: if n <= 4 { "resource_group" } else { "resource" },
        }),
    }
}

/// Text of a member.
fn text(at: &At<'_>, key: &str) -> Option<String> {
    at.get(key).and_then(|v| v.text())
}

/// Whether a value is an ARM resource of `Microsoft.Security` (by `type`, else by `id`).
pub fn is_security_resource(v: &At<'_>) -> bool {
    v.get("type")
        .and_then(|t| t.text())
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("microsoft.security/"))
        || text(v, "id").is_some_and(|id| is_security_id(&id))
}

/// The resources of a document: a `value` list, a top-level array or the document itself.
pub fn resources<'a>(doc: &At<'a>) -> Vec<At<'a>> {
    if doc.is_array() {
        doc.items()
    } else if let Some(v) = doc.get("value").filter(|v| v.is_array()) {
        v.items()
    } else {
        vec![*doc]
    }
}

/// Reads an ARM REST document of `Microsoft.Security` resources (values under `properties`),
/// or a list of subscriptions ([`ARM_SUBSCRIPTIONS`], [`ARM_MANAGEMENT_GROUP_SUBSCRIPTIONS`]);
/// false when the document is neither.
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    if subscription_list(b, doc, &ARM_SUBSCRIPTIONS)
        || subscription_list(b, doc, &ARM_MANAGEMENT_GROUP_SUBSCRIPTIONS)
        || resource_graph(b, doc)
    {
        return true;
    }
    let items = resources(doc);
    // An empty list where a Defender for Cloud list is saved: ARM's `{"value": []}` (a
    // subscription without connectors), `[]` (`ConvertTo-Json -InputObject @(...)` of no
    // object). It holds nothing, and was an export error.
    let listed = doc.is_array() || doc.get("value").is_some_and(|v| v.is_array());
    if items.is_empty() && listed && crate::export::azure_list(rel) {
        page(b, doc, &items);
        return true;
    }
    let rest = !items.is_empty()
        && items
            .iter()
            .all(|r| is_security_resource(r) && r.get("properties").is_some());
    if !rest {
        return false;
    }
    page(b, doc, &items);
    named_for_another(b, &items, "arm");
    for r in &items {
        let Some(props) = r.get("properties") else {
            continue;
        };
        load(b, r, &props, "arm");
    }
    true
}

/// Checks the `Microsoft.Security` resources `items` of a list saved at a path that names a
/// subscription (`azure/pricings-<id>.json`, `azure/<id>/settings.json`: the per-subscription
/// loop of docs/exporting.md, whose commands list the signed-in subscription's resources, so
/// that a failed `az account set` or `Set-AzContext` saves one subscription's lists under
/// another's name). Resources of another subscription are read as theirs, with a warning at
/// the first naming both; when the file holds none of the named subscription's, that
/// subscription is a cloud account (made by the reader `source`) whose lists the export lacks:
/// the rules that need them list it as not evaluated instead of passing over it.
pub fn named_for_another(b: &mut Builder, items: &[At<'_>], source: &str) {
    let Some(named) = crate::export::named_subscription(b.rel()) else {
        return;
    };
    let of = |r: &At<'_>| text(r, "id").and_then(|id| subscription_of(&id));
    let Some((other, at)) = items.iter().find_map(|r| {
        let sub = of(r).filter(|s| !s.eq_ignore_ascii_case(&named))?;
        Some((sub, r.get("id").unwrap_or(*r)))
    }) else {
        return;
    };
    let own = items
        .iter()
        .any(|r| of(r).is_some_and(|s| s.eq_ignore_ascii_case(&named)));
    let what = items
        .first()
        .and_then(|r| {
            text(r, "type")
                .map(|t| t.to_ascii_lowercase())
                .or_else(|| type_from_id(&text(r, "id")?))
        })
        .and_then(|t| t.rsplit('/').next().map(str::to_string))
        .unwrap_or_else(|| "resources".into());
    let rel = b.rel().to_string();
    let missing = match own {
        true => String::new(),
        false => format!(
            "; `{named}`'s {what} are not in the export, and the rules that need them list it \
             as not evaluated"
        ),
    };
    b.warning(
        &at,
        &format!(
            "`{rel}` is named for subscription `{named}` but holds the {what} of subscription \
             `{other}` (the per-subscription loop saves the signed-in subscription's lists: `az \
             account set` or `Set-AzContext` failed or was not run): they are read as \
             `{other}`'s{missing}; export `{named}`'s again"
        ),
    );
    if !own {
        let _ = b.cloud_account(&named, "Azure", source, &at);
    }
}

/// The rows of an Azure Resource Graph query's result, when `doc` is one: `az graph query -q
/// QUERY` (`{"count", "data": [...], "skip_token", "total_records"}`: the resource-graph
/// extension's output) or the REST API's `POST /providers/Microsoft.ResourceGraph/resources`
/// (`{"totalRecords", "count", "resultTruncated", "$skipToken", "data": [...]}`,
/// api-version 2021-03-01, whose default `resultFormat` is `objectArray`). `Search-AzGraph`'s
/// result is a list of its rows, which `ConvertTo-Json` writes as a bare array.
pub fn resource_graph_rows<'a>(doc: &At<'a>) -> Option<Vec<At<'a>>> {
    let data = doc.get("data").filter(At::is_array)?;
    let paged = [
        "count",
        "total_records",
        "totalRecords",
        "skip_token",
        "$skipToken",
    ]
    .iter()
    .any(|k| doc.get(k).is_some());
    paged.then(|| data.items())
}

/// An Azure Resource Graph query's result (see [`resource_graph_rows`]) whose rows are whole
/// `Microsoft.Security` resources with their `id` (`securityresources | where type ==
/// 'microsoft.security/pricings'`): read as an ARM list of them, of any subscription. The
/// result is paged: a page with a `skip_token` (`$skipToken`) has more, saved beside it as
/// ARM pages are (see [`page`]); pages that hold fewer rows than the result
/// (`total_records`), with no link to more, are partial (see `paging::Pages::short`). Each row is a whole pricing or setting: what a missing page holds cannot change the
/// values read, and a subscription whose pricing or setting it holds is not evaluated (see
/// `export::unexported_azure_settings`). False for anything else (a result of projected
/// columns is an export error naming Resource Graph: see `formats::unread_known_source`).
fn resource_graph(b: &mut Builder, doc: &At<'_>) -> bool {
    let Some(rows) = resource_graph_rows(doc) else {
        return false;
    };
    let whole = |r: &At<'_>| {
        is_security_resource(r)
            && r.get("properties").is_some_and(|p| p.is_object())
            && text(r, "id").is_some_and(|id| scope_of(&id).is_some())
    };
    if !rows.iter().all(whole) {
        return false;
    }
    let cli = doc.get("skip_token").is_some() || doc.get("total_records").is_some();
    let (source, link) = match cli {
        true => ("az-cli", "skip_token"),
        false => ("arm", "$skipToken"),
    };
    let kind = rows
        .first()
        .and_then(|r| text(r, "type"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let what = "the Resource Graph query's result";
    b.page_linked(
        link,
        format!("resource-graph:{kind}"),
        doc.get(link).as_ref(),
        (("cloud_accounts", None, None), true),
        what,
    );
    let names = match cli {
        true => ["total_records", "skip_token"],
        false => ["totalRecords", "$skipToken"],
    };
    if let Some(total) = doc.get(names[0]) {
        let names = paging::CountNames {
            count: names[0],
            link: names[1],
            items: "data",
        };
        b.page_count(&total, what, names, Some(rows.len()));
    }
    for r in &rows {
        if let Some(props) = r.get("properties") {
            load(b, r, &props, source);
        }
    }
    true
}

/// A page of an ARM list: ARM returns a list in pages linked by a top-level `nextLink`
/// (learn.microsoft.com/rest/api/azure/#async-operations-throttling-and-paging; `az rest`
/// prints one page as returned). Pages saved beside the first are read as one list; a list whose
/// last page is missing is a warning at its `nextLink` and a gap (see
/// [`crate::export::paging`]): on the cloud accounts, or, for the pricings of a machine or a
/// resource group, on that scope's resource-level pricings. A list is one scope's (the
/// subscription of a list of connectors, which sit in its resource groups): the lists of a
/// subscription's pricings and of one of its machines, saved in one folder, are two lists, and
/// the complete one did not complete the other.
pub fn page(b: &mut Builder, doc: &At<'_>, items: &[At<'_>]) {
    if !doc.is_object() || doc.get("value").is_none() {
        return;
    }
    let first = items.first();
    let kind = first
        .and_then(|r| {
            text(r, "type")
                .map(|t| t.to_ascii_lowercase())
                .or_else(|| type_from_id(&text(r, "id")?))
        })
        .unwrap_or_default();
    let id = first.and_then(|r| text(r, "id")).unwrap_or_default();
    let scope = match kind.as_str() {
        "microsoft.security/securityconnectors" => subscription_of(&id).map(Scope::Subscription),
        _ => scope_of(&id),
    };
    let (list, gap) = match &scope {
        Some(Scope::Below { id, .. }) => (
            format!("arm:{kind}:{}", id.to_ascii_lowercase()),
            ("resource_pricings", None, Some(id.as_str())),
        ),
        // A page of a subscription's connectors holds other accounts (AWS, GCP); one of its
        // pricings or settings, that subscription's account only.
        Some(Scope::Subscription(sub)) => (
            format!("arm:{kind}:/subscriptions/{}", sub.to_ascii_lowercase()),
            match kind.as_str() {
                "microsoft.security/securityconnectors" => ("cloud_accounts", None, None),
                _ => ("cloud_accounts", None, Some(sub.as_str())),
            },
        ),
        None => (format!("arm:{kind}"), ("cloud_accounts", None, None)),
    };
    let what = match &scope {
        Some(Scope::Below { id, .. }) => format!("the ARM list of `{kind}` resources of `{id}`"),
        _ => format!("the ARM list of `{kind}` resources"),
    };
    let next = doc.get("nextLink");
    let whole = kind == "microsoft.security/securityconnectors";
    b.page_linked("nextLink", list, next.as_ref(), (gap, whole), &what);
}

/// Loads one `Microsoft.Security` resource whose values are in `props`; `source` names the tool.
pub fn load(b: &mut Builder, r: &At<'_>, props: &At<'_>, source: &str) {
    let id = text(r, "id").unwrap_or_default();
    let kind = text(r, "type")
        .map(|t| t.to_ascii_lowercase())
        .or_else(|| type_from_id(&id))
        .unwrap_or_default();
    let name = text(r, "name").unwrap_or_default();
    if !props.is_object() {
        b.shape_error(props, "expected the resource's properties to be an object");
        return;
    }
    match kind.as_str() {
        "microsoft.security/pricings" => pricing(b, r, props, &id, &name, source),
        "microsoft.security/settings" => setting(b, r, props, &id, &name, source),
        "microsoft.security/securityconnectors" => connector(b, r, props, source),
        // Other Defender for Cloud resources (assessments, alerts...) are read by no policy.
        _ => {}
    }
}

/// A `pricings` resource: the subscription's Defender for Servers plan, or a resource-level one.
pub fn pricing(b: &mut Builder, r: &At<'_>, props: &At<'_>, id: &str, name: &str, source: &str) {
    if !name.eq_ignore_ascii_case("VirtualMachines") {
        exported(b, r, id, source);
        return;
    }
    let Some(scope) = scope_of(id) else {
        b.shape_error(
            r,
            "cannot tell the scope of this pricing (no `/subscriptions/<id>/...` in its `id`)",
        );
        return;
    };
    if let Some(p) = pricing_in(b, r, props, scope, source) {
        b.push("resource_pricings", p);
    }
}

/// The Defender for Servers (`VirtualMachines`) pricing `props` set on `scope`: on a
/// subscription, the cloud account keyed by its id gets the tier and sub-plan; below one, the
/// `resource_pricings` record is returned, for the caller to push (ARM templates first mark
/// what their expressions could not tell).
pub fn pricing_in(
    b: &mut Builder,
    r: &At<'_>,
    props: &At<'_>,
    scope: Scope,
    source: &str,
) -> Option<Record> {
    let tier = props.get("pricingTier");
    let sub_plan = sub_plan_of(props);
    // A template's values are read in their canonical case, and it marks what its expressions
    // could not tell itself (see `arm_template`).
    let template = source == "arm-template";
    match scope {
        Scope::Subscription(sub) => {
            let account = b.cloud_account(&sub, "Azure", source, r)?;
            let entity = account.identity().unwrap_or(&sub).to_string();
            let made = ("Azure", source, r);
            if let Some((p, v)) = sub_plan.and_then(|p| Some((p, enum_value(&p, PLANS)?))) {
                b.account_value(&sub, made, "servers_plan", v, &p);
            }
            let read = read_tier(tier.as_ref(), &format!("Azure subscription `{entity}`"));
            let known = match &read {
                Tier::Known(t) => Some(*t),
                Tier::Unread(_) => None,
            };
            match (read, tier) {
                (Tier::Known(t), Some(at)) => {
                    b.account_value(&sub, made, "servers_tier", Value::Str(t.into()), &at);
                }
                (Tier::Unread(_), Some(at)) if template => {
                    if let Some(t) = at.shared_text() {
                        b.account_value(&sub, made, "servers_tier", Value::Str(t), &at);
                    }
                }
                (Tier::Unread(problem), _) if !template => {
                    let at = tier.unwrap_or(*props);
                    b.account_value(&sub, made, "servers_tier", Value::Unknown, &at);
                    problem.report(b, "cloud_accounts", "servers_tier", &entity, &at);
                }
                _ => {}
            }
            coverage(b, props, (&sub, made), &entity, known);
            None
        }
        Scope::Below {
            id,
            name,
            subscription,
            kind,
        } => {
            // The subscription of a machine with a pricing of its own exists and has machines:
            // an account, whose own pricing the rules then find missing (not evaluated) rather
            // than the subscription going unseen. A template or plan manages only what it
            // sets.
            if !matches!(source, "arm-template" | "terraform") {
                let _ = b.cloud_account(&subscription, "Azure", source, r);
            }
            let mut p = Record::new(&schema::RESOURCE_PRICING, Some(r.loc()));
            p.set(
                "id",
                Value::Str(id.as_str().into()),
                r.get("id").map(|i| i.loc()),
            );
            p.set("name", Value::Str(name.into()), None);
            p.set("subscription", Value::Str(subscription.into()), None);
            p.set("scope", Value::Str(kind.into()), None);
            p.set("plan", Value::Str("VirtualMachines".into()), None);
            p.set("source", Value::Str(source.into()), None);
            let shown = kind.replace('_', " ");
            match read_tier(tier.as_ref(), &format!("{shown} `{id}`")) {
                Tier::Known(t) => {
                    p.set("tier", Value::Str(t.into()), tier.map(|t| t.loc()));
                }
                Tier::Unread(_) if template => {
                    if let Some(t) = tier {
                        put_at(&mut p, "tier", &t, Conv::Text);
                    }
                }
                Tier::Unread(problem) => {
                    let at = tier.unwrap_or(*props);
                    p.set("tier", Value::Unknown, Some(at.loc()));
                    problem.report(b, "resource_pricings", "tier", &id, &at);
                }
            }
            if let Some(s) = sub_plan {
                put_enum(&mut p, "sub_plan", &s, PLANS);
            }
            if let Some(i) = props.get("inherited") {
                put_at(&mut p, "inherited", &i, Conv::Bool);
            }
            Some(p)
        }
    }
}

/// The coverage states of a subscription's Defender for Servers plan
/// (`resourcesCoverageStatus`: "the coverage status of the resources under the subscription ...
/// since the plan status can also be defined at the resource level, there might be misalignment
/// between the subscription's plan status and the resource status"): `FullyCovered`, "all
/// resources associated with the subscription have the Defender plan enabled";
/// `PartiallyCovered`, "some resources under the subscription have the Defender plan enabled,
/// while others have it disabled"; `NotCovered`, "the Defender plan is disabled for all resources
/// under the subscription" (azure-rest-api-specs
/// `specification/security/resource-manager/Microsoft.Security/stable/2024-01-01/security.json`,
/// `Pricing`, and its `ListPricings_example.json`, whose `Free` plans are `NotCovered`).
const COVERAGE: &[&str] = &["FullyCovered", "PartiallyCovered", "NotCovered"];

/// Reads the coverage status of the Defender for Servers pricing `props` of the subscription
/// `account` (its key and how its account is made; `subscription` as messages name it), whose
/// tier is `tier` where it could be read, into the account's `servers_coverage`. A status that
/// says machines of the subscription have a pricing of their own that is not the plan is a
/// gap on `resource_pricings` for its machines, so that DEX304 does not pass an export without
/// them (the export's own resource-level pricings of the subscription may settle it: see
/// `export::coverage_explained`): `PartiallyCovered` on a subscription whose plan is on, or
/// `PartiallyCovered` and `NotCovered` on one whose tier is unknown. None is for a `Free`
/// subscription, whose machines' own pricings can only turn the plan on (Microsoft Learn,
/// "Protect your servers with Defender for Servers", "Enable the plan at the resource level"),
/// nor for `NotCovered` on a subscription whose plan is on: every machine of it turns the plan
/// off, which DEX304 reports at the status.
fn coverage(
    b: &mut Builder,
    props: &At<'_>,
    account: (&str, (&str, &str, &At<'_>)),
    subscription: &str,
    tier: Option<&str>,
) {
    let Some(at) = props.get("resourcesCoverageStatus") else {
        return;
    };
    let Some(status) = enum_value(&at, COVERAGE) else {
        return;
    };
    let (key, made) = account;
    b.account_value(key, made, "servers_coverage", status.clone(), &at);
    let status = match &status {
        Value::Str(s) => s.to_string(),
        _ => return,
    };
    let uncovered = match (status.as_str(), tier) {
        (_, Some("Free")) | ("NotCovered", Some("Standard")) => false,
        (s, _) => s == "PartiallyCovered" || s == "NotCovered",
    };
    if !uncovered {
        return;
    }
    b.gap(
        "resource_pricings",
        None,
        Some(&format!("/subscriptions/{subscription}")),
        format!(
            "the Defender for Servers pricing (`VirtualMachines`) of Azure subscription \
             `{subscription}` gives `resourcesCoverageStatus` `{status}`: machines of it have a \
             pricing of their own, and the export lists none that is not inherited (provide GET \
             <resource id>/providers/Microsoft.Security/pricings for each of its machines)"
        ),
        &at,
    );
}

/// The documented pricing tiers (ARM compares enumeration values ignoring case: `standard`
/// is `Standard`).
const TIERS: &[&str] = &["Free", "Standard"];

/// The documented Defender for Servers sub-plans.
const PLANS: &[&str] = &["P1", "P2"];

/// The value of `at` in an enumeration of `known` values: a documented value in any case
/// (spaces around it ignored) in its documented spelling, anything else as written; None for
/// what is not a string or a number.
fn enum_value(at: &At<'_>, known: &[&'static str]) -> Option<Value> {
    match at
        .as_str()
        .and_then(|s| known.iter().find(|k| k.eq_ignore_ascii_case(s.trim())))
    {
        Some(k) => Some(Value::Str((*k).into())),
        None => at.shared_text().map(Value::Str),
    }
}

/// Sets `field` from `at` (see [`enum_value`]).
fn put_enum(record: &mut Record, field: &str, at: &At<'_>, known: &[&'static str]) {
    if let Some(v) = enum_value(at, known) {
        record.set(field, v, Some(at.loc()));
    }
}

/// A pricing's `pricingTier`, as read.
enum Tier {
    /// A documented tier, in its documented spelling.
    Known(&'static str),
    /// A tier that cannot be read, and why.
    Unread(Unread),
}

/// Why a value could not be read: the diagnostic at it, if any, and the reason the rules that
/// need it are not evaluated.
struct Unread {
    diagnostic: Option<(crate::export::DiagLevel, String)>,
    reason: String,
}

impl Unread {
    /// Reports the diagnostic at `at`, and the field `field` of `entity` as unknown.
    fn report(
        self,
        b: &mut Builder,
        collection: &'static str,
        field: &'static str,
        entity: &str,
        at: &At<'_>,
    ) {
        match self.diagnostic {
            Some((crate::export::DiagLevel::Error, message)) => b.shape_error(at, &message),
            Some((_, message)) => b.warning(at, &message),
            None => {}
        }
        b.unknown(collection, field, entity, self.reason, at);
    }
}

/// Reads the `pricingTier` of the Defender for Servers pricing of `whose` (`Azure
/// subscription `<id>``): absent, null, a string that is no documented tier or not a string
/// leave the tier unknown, with the reason.
fn read_tier(tier: Option<&At<'_>>, whose: &str) -> Tier {
    let documented = TIERS.join(", ");
    let Some(at) = tier else {
        return Tier::Unread(Unread {
            diagnostic: None,
            reason: format!(
                "the Defender for Servers pricing (`VirtualMachines`) of {whose} has no \
                 `pricingTier`"
            ),
        });
    };
    if let Some(k) = at
        .as_str()
        .and_then(|s| TIERS.iter().find(|k| k.eq_ignore_ascii_case(s.trim())))
    {
        return Tier::Known(k);
    }
    let unknown = format!("the Defender for Servers tier of {whose} is unknown");
    Tier::Unread(match (&at.v.kind, at.as_str()) {
        (crate::export::tree::Kind::Null, _) => Unread {
            diagnostic: Some((
                crate::export::DiagLevel::Warning,
                format!("`pricingTier` is null; {unknown}"),
            )),
            reason: format!(
                "the `pricingTier` of the Defender for Servers pricing (`VirtualMachines`) of \
                 {whose} is null"
            ),
        },
        (_, Some(s)) => Unread {
            diagnostic: Some((
                crate::export::DiagLevel::Warning,
                format!(
                    "`pricingTier` `{s}` is undocumented (documented: {documented}); {unknown}"
                ),
            )),
            reason: format!(
                "the `pricingTier` of the Defender for Servers pricing (`VirtualMachines`) of \
                 {whose} is `{s}`, which is undocumented (documented: {documented})"
            ),
        },
        _ => Unread {
            diagnostic: Some((
                crate::export::DiagLevel::Error,
                format!("expected `pricingTier` to be a string ({documented}); {unknown}"),
            )),
            reason: format!(
                "the `pricingTier` of the Defender for Servers pricing (`VirtualMachines`) of \
                 {whose} could not be read (not a string)"
            ),
        },
    })
}

/// `subPlan` as a string, `{"type": "P1"}` (connector offerings) or Az PowerShell's `SubPlanType`;
/// null is absent.
fn sub_plan_of<'a>(at: &At<'a>) -> Option<At<'a>> {
    let p = at.get("subPlan").or_else(|| at.get("subPlanType"))?;
    let p = if p.is_object() { p.get("type")? } else { p };
    p.text().map(|_| p)
}

/// Another pricing or setting of a subscription (`KeyVaults`, `MCAS`...): no rule reads it, but
/// it shows that the subscription is in the export. Its account is made, so that what the
/// export lacks of it (a pricings list filtered without `VirtualMachines`, a settings list
/// without `WDATP`) is not evaluated rather than the subscription left out (see
/// `unexported_azure_settings`).
fn exported(b: &mut Builder, r: &At<'_>, id: &str, source: &str) {
    if let Some(Scope::Subscription(sub)) = scope_of(id) {
        b.cloud_account(&sub, "Azure", source, r);
    }
}

/// The `Microsoft.Security/settings` read, and the cloud account field each sets (`enabled`):
/// `WDATP` is the Defender for Endpoint integration of the subscription, and
/// `WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW`, when enabled, excludes its Linux machines from it (a
/// legacy subscription's opt-out; Microsoft Learn, "Enable Defender for Endpoint integration in
/// Microsoft Defender for Cloud", section "Legacy subscriptions (created before summer-2021):
/// Enable on Linux machines"; Azure/azure-rest-api-specs
/// `stable/2022-05-01/examples/Settings/GetSettings_example.json` lists it with `WDATP`).
pub const SETTINGS: &[(&str, &str)] = &[
    ("WDATP", "mde_integration"),
    ("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", "mde_linux_excluded"),
];

/// The cloud account field a setting of this name sets (see [`SETTINGS`]); None for the
/// settings no rule reads (`MCAS`, `Sentinel`, `WDATP_UNIFIED_SOLUTION`...).
pub fn setting_field(name: &str) -> Option<&'static str> {
    SETTINGS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, f)| *f)
}

/// A `settings` resource: `WDATP` and `WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW` (see [`SETTINGS`]).
pub fn setting(b: &mut Builder, r: &At<'_>, props: &At<'_>, id: &str, name: &str, source: &str) {
    let Some(field) = setting_field(name) else {
        exported(b, r, id, source);
        return;
    };
    match scope_of(id) {
        Some(scope) => setting_in(b, r, props, scope, source, field),
        None => b.shape_error(
            r,
            "cannot tell the subscription of this setting (no `/subscriptions/<id>` in its `id`)",
        ),
    }
}

/// A setting of [`SETTINGS`] (`props`) on `scope`, whose `enabled` sets the cloud account's
/// `field`: on a subscription, its cloud account's; below one, a warning (the settings exist
/// only on subscriptions).
pub fn setting_in(
    b: &mut Builder,
    r: &At<'_>,
    props: &At<'_>,
    scope: Scope,
    source: &str,
    field: &'static str,
) {
    match scope {
        Scope::Subscription(sub) => {
            if b.cloud_account(&sub, "Azure", source, r).is_none() {
                return;
            }
            if let Some((e, v)) = props.get("enabled").and_then(|e| Some((e, e.boolean()?))) {
                b.account_value(&sub, ("Azure", source, r), field, Value::Bool(v), &e);
            }
        }
        Scope::Below { id, .. } => {
            let name = text(r, "name").unwrap_or_else(|| "WDATP".to_string());
            b.warning(
                r,
                &format!(
                    "the `{name}` setting of `{id}` is not a subscription's setting; it was not \
                     read"
                ),
            );
        }
    }
}

/// A list of the tenant's Azure subscriptions, as one tool prints it: the keys that tell it
/// (all present, in this case) and those of the subscription's id and display name.
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionList {
    /// The `source` of the accounts made (`az-cli`, `az-powershell`, `arm`).
    pub source: &'static str,
    /// Keys every item has, in the tool's case.
    pub keys: &'static [&'static str],
    /// The key of the subscription id (a GUID).
    pub id: &'static str,
    /// The key of the subscription's display name.
    pub name: &'static str,
    /// The key of the object that holds the display name and `state` (ARM's `properties`);
    /// None when the item holds them itself.
    pub values: Option<&'static str>,
    /// The resource type every item gives (its key in the tool's case, and the type, compared
    /// ignoring case); None for a list whose items give none.
    pub kind: Option<(&'static str, &'static str)>,
    /// States written otherwise than [`SUBSCRIPTION_STATES`] by this list, and the state each
    /// is (see [`MANAGEMENT_GROUP_STATES`]).
    pub aliases: &'static [(&'static str, &'static str)],
    /// The keys of the subscription's tenant, the first given taken: its home tenant before
    /// the tenant it was signed in through (for a subscription delegated with Azure Lighthouse
    /// the two differ).
    pub tenant: &'static [&'static str],
}

/// `az account list` (and `az account show`, one object): the CLI's profile entries, camelCase
/// `id` (the subscription id), `name`, `state`, `tenantId`, `homeTenantId`, `isDefault`,
/// `cloudName`, `user`, `managedByTenants` (learn.microsoft.com/cli/azure/account#az-account-list;
/// Azure/azure-cli `src/azure-cli-core/azure/cli/core/_profile.py`).
pub const AZ_ACCOUNT_LIST: SubscriptionList = SubscriptionList {
    source: "az-cli",
    keys: &["id", "name", "state", "tenantId", "isDefault"],
    id: "id",
    name: "name",
    values: None,
    kind: None,
    aliases: &[],
    tenant: &["homeTenantId", "tenantId"],
};

/// `Get-AzSubscription | ConvertTo-Json`: `PSAzureSubscription` objects, PascalCase `Name`,
/// `Id` (the subscription id), `State`, `SubscriptionId`, `TenantId`, `HomeTenantId`, ...
/// (Azure/azure-powershell `src/Accounts/Accounts/Models/PSAzureSubscription.cs`); one
/// subscription alone is written without an array.
pub const GET_AZ_SUBSCRIPTION: SubscriptionList = SubscriptionList {
    source: "az-powershell",
    keys: &["Id", "Name", "State", "TenantId"],
    id: "Id",
    name: "Name",
    values: None,
    kind: None,
    aliases: &[],
    tenant: &["HomeTenantId", "TenantId"],
};

/// ARM REST `GET https://management.azure.com/subscriptions?api-version=2022-12-01`
/// ("Subscriptions - List": `{"value": [{"id": "/subscriptions/<id>", "subscriptionId",
/// "displayName", "state", "tenantId", "subscriptionPolicies", ...}], "nextLink"}`).
pub const ARM_SUBSCRIPTIONS: SubscriptionList = SubscriptionList {
    source: "arm",
    keys: &["subscriptionId", "displayName", "state"],
    id: "subscriptionId",
    name: "displayName",
    values: None,
    kind: None,
    aliases: &[],
    tenant: &["tenantId"],
};

/// The resource type of a subscription listed under a management group.
const MANAGEMENT_GROUP_SUBSCRIPTION: &str = "Microsoft.Management/managementGroups/subscriptions";

/// The state of a subscription under a management group as the Management Groups API writes
/// it: `Active` for an enabled subscription (`SubscriptionUnderManagementGroup`'s `state`,
/// Azure/azure-rest-api-specs `specification/managementgroups/resource-manager/
/// Microsoft.Management/stable/2021-04-01/examples/GetAllSubscriptionsFromManagementGroup.json`;
/// learn.microsoft.com/powershell/module/az.resources/get-azmanagementgroupsubscription), the
/// other states as Resource Manager writes them (`Disabled`, ...).
pub const MANAGEMENT_GROUP_STATES: &[(&str, &str)] = &[("Active", "Enabled")];

/// `Get-AzManagementGroupSubscription -GroupName <group> | ConvertTo-Json`:
/// `PSManagementGroupSubscription` objects, PascalCase `Name` (the subscription id), `Id` (the
/// management group's path to it, `/providers/Microsoft.Management/managementGroups/<group>/
/// subscriptions/<id>`), `Type`, `TenantId`, `DisplayName`, `ParentId`, `State`
/// (learn.microsoft.com/powershell/module/az.resources/get-azmanagementgroupsubscription); one
/// subscription alone is written without an array.
pub const GET_AZ_MANAGEMENT_GROUP_SUBSCRIPTION: SubscriptionList = SubscriptionList {
    source: "az-powershell",
    keys: &["Id", "Name", "Type", "DisplayName", "State"],
    id: "Name",
    name: "DisplayName",
    values: None,
    kind: Some(("Type", MANAGEMENT_GROUP_SUBSCRIPTION)),
    aliases: MANAGEMENT_GROUP_STATES,
    tenant: &["TenantId"],
};

/// `az account management-group subscription show-sub-under-mg --name <group>`: the SDK's
/// `SubscriptionUnderManagementGroup` with its `properties` flattened, camelCase `id` (the
/// management group's path), `name` (the subscription id), `type`, `displayName`, `state`,
/// `tenant`, `parent` {`id`} (learn.microsoft.com/cli/azure/account/management-group/subscription).
pub const AZ_MANAGEMENT_GROUP_SUBSCRIPTION: SubscriptionList = SubscriptionList {
    source: "az-cli",
    keys: &["id", "name", "type", "displayName", "state"],
    id: "name",
    name: "displayName",
    values: None,
    kind: Some(("type", MANAGEMENT_GROUP_SUBSCRIPTION)),
    aliases: MANAGEMENT_GROUP_STATES,
    tenant: &["tenant"],
};

/// ARM REST `GET https://management.azure.com/providers/Microsoft.Management/managementGroups/
/// <group>/subscriptions?api-version=2021-04-01` ("Management Group Subscriptions - Get
/// Subscriptions Under Management Group": `{"value": [{"id", "type", "name" (the subscription
/// id), "properties": {"displayName", "parent", "state", "tenant"}}], "nextLink"}`).
pub const ARM_MANAGEMENT_GROUP_SUBSCRIPTIONS: SubscriptionList = SubscriptionList {
    source: "arm",
    keys: &["id", "name", "type", "properties"],
    id: "name",
    name: "displayName",
    values: Some("properties"),
    kind: Some(("type", MANAGEMENT_GROUP_SUBSCRIPTION)),
    aliases: MANAGEMENT_GROUP_STATES,
    tenant: &["tenant"],
};

/// The documented subscription states (Resource Manager's `SubscriptionState`: Enabled,
/// Warned, PastDue, Disabled, Deleted; and Expired, which Microsoft Learn's "Azure subscription
/// states" lists too, and the Management Groups API writes).
pub const SUBSCRIPTION_STATES: &[&str] = &[
    "Enabled", "Warned", "PastDue", "Disabled", "Deleted", "Expired",
];

/// The states of a subscription that runs no machine: a disabled subscription's virtual
/// machines are deallocated and no resource can be created or updated in it; a deleted one's
/// resources are deleted with it; an expired one "is expired because it was canceled", with the
/// operations of a disabled one, and reactivated as one (Microsoft Learn, "Azure subscription
/// states"), and a canceled subscription's "services are disabled. That means your virtual
/// machines are de-allocated" ("Cancel your Azure subscription"). Such a subscription is no
/// cloud account to cover: the model leaves it out, whatever other files say of it (a warned or
/// past-due subscription still runs its machines, and is one).
pub const INACTIVE_SUBSCRIPTION_STATES: &[&str] = &["Disabled", "Deleted", "Expired"];

/// Reads a list of the tenant's subscriptions printed as `shape` says: each subscription
/// becomes an Azure cloud account keyed by its id, with its display name and `state`, so that
/// one whose Defender for Cloud pricings or settings the export lacks is listed as not
/// evaluated rather than unseen. A disabled, deleted or expired one is noted and left out of
/// the model (see [`INACTIVE_SUBSCRIPTION_STATES`]); an undocumented or missing `state` is a
/// warning, and the subscription is read as one that runs machines. Its tenant (`tenant_id`) is kept, for the
/// export's organization to tell other tenants' subscriptions from its own (see
/// `export::other_tenants`). False when `doc` is not such a list.
pub fn subscription_list(b: &mut Builder, doc: &At<'_>, shape: &SubscriptionList) -> bool {
    let items = resources(doc);
    let typed = |i: &At<'_>| {
        shape.kind.is_none_or(|(key, kind)| {
            i.get(key)
                .and_then(|t| t.text())
                .is_some_and(|t| t.eq_ignore_ascii_case(kind))
        })
    };
    let ours = !items.is_empty()
        && items.iter().all(|i| {
            i.is_object()
                && shape
                    .keys
                    .iter()
                    .all(|k| i.members().iter().any(|(key, _)| key == k))
                && typed(i)
        });
    if !ours {
        return false;
    }
    if doc.is_object() && doc.get("value").is_some() {
        let next = doc.get("nextLink");
        let (list, what) = match shape.kind {
            Some((_, kind)) => (
                kind.to_ascii_lowercase(),
                "the list of the subscriptions of a management group",
            ),
            None => (
                "microsoft.resources/subscriptions".to_string(),
                "the list of subscriptions",
            ),
        };
        b.page_linked(
            "nextLink",
            format!("arm:{list}"),
            next.as_ref(),
            (("cloud_accounts", None, None), false),
            what,
        );
    }
    for item in &items {
        let Some(id_at) = item.get(shape.id) else {
            continue;
        };
        // The display name and state, where the list writes them.
        let values = match shape.values {
            Some(key) => match item.get(key).filter(At::is_object) {
                Some(v) => v,
                None => {
                    b.shape_error(
                        item,
                        &format!("expected `{key}` to be an object of the subscription's values"),
                    );
                    continue;
                }
            },
            None => *item,
        };
        let Some(id) = id_at.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
            b.shape_error(
                &id_at,
                &format!("expected `{}` to be the subscription id", shape.id),
            );
            continue;
        };
        let id = id.to_string();
        let name = values.get(shape.name).filter(|n| n.as_str().is_some());
        let shown = crate::base::named(name.as_ref().and_then(|n| n.as_str()), &id);
        let state_at = values.get("state");
        let state = state_at.as_ref().and_then(|s| {
            let written = s.as_str()?.trim();
            let alias = shape
                .aliases
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(written))
                .map(|(_, k)| k);
            Some(
                alias
                    .or_else(|| {
                        SUBSCRIPTION_STATES
                            .iter()
                            .find(|k| k.eq_ignore_ascii_case(written))
                    })
                    .map_or_else(|| written.to_string(), |k| (*k).to_string()),
            )
        });
        let documented: Vec<&str> = shape
            .aliases
            .iter()
            .map(|(a, _)| *a)
            .chain(SUBSCRIPTION_STATES.iter().copied())
            .collect();
        let documented = documented.join(", ");
        match (&state, &state_at) {
            (Some(st), Some(at)) if INACTIVE_SUBSCRIPTION_STATES.contains(&st.as_str()) => {
                b.note(
                    at,
                    &format!(
                        "subscription {shown} is `{st}`: it runs no machines (a disabled or \
                         expired (canceled) subscription's virtual machines are deallocated, a \
                         deleted one's resources deleted), so it is not a cloud account to \
                         cover and no rule judges it"
                    ),
                );
            }
            (Some(st), Some(_)) if SUBSCRIPTION_STATES.contains(&st.as_str()) => {}
            (Some(st), Some(at)) => b.warning(
                at,
                &format!(
                    "undocumented subscription `state` `{st}` (documented: {documented}); \
                     subscription {shown} is read as one that runs machines"
                ),
            ),
            _ => b.warning(
                state_at.as_ref().unwrap_or(&values),
                &format!(
                    "expected `state` to be the subscription's state ({documented}); \
                     subscription {shown} is read as one that runs machines"
                ),
            ),
        }
        let Some(account) = b.cloud_account(&id, "Azure", shape.source, item) else {
            continue;
        };
        if let Some(n) = &name {
            put_at(account, "name", n, Conv::Text);
        }
        if let (Some(st), Some(at)) = (state, &state_at) {
            account.set("state", Value::Str(st.as_str().into()), Some(at.loc()));
        }
        let tenant = shape.tenant.iter().find_map(|k| {
            let at = values.get(k)?;
            let id = at.as_str()?.trim();
            (!id.is_empty()).then(|| (id.to_ascii_lowercase(), at))
        });
        if let Some((id, at)) = tenant {
            account.set("tenant_id", Value::Str(id.into()), Some(at.loc()));
        }
    }
    true
}

/// Environments of securityConnectors that are DevOps or registry scopes, not cloud accounts.
const NOT_CLOUD: &[&str] = &[
    "github",
    "azuredevops",
    "gitlab",
    "dockerhub",
    "jfrog",
    "azure",
];

/// The keys of the accounts an organization's connector excludes from its offerings, by
/// environment: `AwsOrganizationalDataMaster.excludedAccountIds` and
/// `GcpOrganizationalDataOrganization.excludedProjectNumbers` ("If the multi cloud account is of
/// membership type organization, list of accounts excluded from offering": azure-rest-api-specs
/// `specification/security/resource-manager/Microsoft.Security/preview/2023-10-01-preview/
/// securityConnectors.json`), which Az PowerShell writes `ExcludedAccountId` and
/// `ExcludedProjectNumber`.
const EXCLUDED: &[(&str, &[&str])] = &[
    ("AWS", &["excludedAccountIds", "ExcludedAccountId"]),
    ("GCP", &["excludedProjectNumbers", "ExcludedProjectNumber"]),
];

/// The AWS accounts or GCP projects that the organization's connector `props` (of account
/// `owner`) excludes from its offerings: each is an account of the organization without
/// Defender for Servers from this connector, so each becomes a cloud account without a plan,
/// located at its id, which DEX302 judges (another connector of the export that onboards it
/// gives it its plan). They went unseen, and a run passed.
fn excluded_accounts(
    b: &mut Builder,
    props: &At<'_>,
    environment: &str,
    owner: &str,
    source: &str,
) {
    let Some(org) = props.path(&["environmentData", "organizationalData"]) else {
        return;
    };
    let keys = EXCLUDED
        .iter()
        .find(|(e, _)| *e == environment)
        .map_or(&[][..], |(_, k)| *k);
    let Some(list) = keys.iter().find_map(|k| org.get(k)) else {
        return;
    };
    // One id alone is written without an array by `ConvertTo-Json`.
    let ids = if list.is_array() {
        list.items()
    } else {
        vec![list]
    };
    for at in ids {
        let Some(id) = at.text().map(|t| t.trim().to_string()) else {
            continue;
        };
        // An account id or project number has no space (a list PowerShell cut off at its
        // depth is its elements joined with spaces).
        if id.is_empty() || id == owner || id.contains(char::is_whitespace) {
            continue;
        }
        let key = format!("{environment}:{id}");
        if let Some(account) = b.cloud_account(&key, environment, source, &at) {
            account.set("id", Value::Str(id.as_str().into()), Some(at.loc()));
        }
    }
}

/// The fields of a connector's account that its offerings set.
const OFFERING_FIELDS: &[&str] = &["servers_plan", "mde_integration"];

/// An offering of a connector, or the list of them (`at`, where `expected` was), that
/// PowerShell's `ConvertTo-Json` cut off at its depth into a string: an error at it quoting its
/// start, and the plan and Defender for Endpoint provisioning of the connector's `account` (its
/// key and how it is made; `id` as reasons name it) unknown, each with the reason. They are
/// values the rules decide with, not the whole account: a rule whose outcome does not depend on
/// them (DEX303 where an edition judges Azure subscriptions only) is not left unevaluated for
/// the account; a field unknown already stays so, and is said once.
fn cut_offerings(
    b: &mut Builder,
    at: &At<'_>,
    expected: &str,
    account: (&str, (&str, &str, &At<'_>)),
    id: &str,
) {
    let text = at.as_str().unwrap_or_default();
    b.shape_error(
        at,
        &format!(
            "expected {expected}, found the string `{}`: the file was cut off by PowerShell's \
             `ConvertTo-Json`, which writes values deeper than its default depth of 2 as \
             strings; export it again with `ConvertTo-Json -Depth 10`",
            crate::export::json::excerpt(text)
        ),
    );
    let (key, made) = account;
    let environment = made.0;
    for field in OFFERING_FIELDS {
        let unknown_already = b
            .cloud_account(key, environment, made.1, made.2)
            .and_then(|a| a.get(field))
            .is_some_and(|f| matches!(f.value().to_value(), Value::Unknown));
        if unknown_already {
            continue;
        }
        b.account_value(key, made, field, Value::Unknown, at);
        let reason = format!(
            "the offerings of {environment} connector `{id}` in `{}` were cut off by \
             `ConvertTo-Json` without `-Depth`",
            b.rel()
        );
        b.unknown("cloud_accounts", field, id, reason, at);
    }
}

/// A `securityConnectors` resource: an AWS account or GCP project becomes a cloud account; DevOps
/// connectors (GitHub, Azure DevOps, GitLab) and registries are skipped. The accounts an
/// organization's connector excludes are cloud accounts too (see [`excluded_accounts`]).
pub fn connector(b: &mut Builder, r: &At<'_>, props: &At<'_>, source: &str) {
    let env_at = props.get("environmentName");
    let env = env_at.as_ref().and_then(At::text).unwrap_or_default();
    let env_type = props
        .path(&["environmentData", "environmentType"])
        .and_then(|t| t.text())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let hierarchy = text(props, "hierarchyIdentifier").unwrap_or_default();
    let devops = env_type.ends_with("scope")
        || hierarchy
            .to_ascii_lowercase()
            .contains("/providers/microsoft.securitydevops/");
    let cloud = match env.to_ascii_lowercase().as_str() {
        "aws" => Some("AWS"),
        "gcp" => Some("GCP"),
        _ => match env_type.as_str() {
            "awsaccount" => Some("AWS"),
            "gcpproject" => Some("GCP"),
            _ => None,
        },
    };
    let Some(environment) = cloud.filter(|_| !devops) else {
        if !devops && !NOT_CLOUD.iter().any(|n| env.eq_ignore_ascii_case(n)) {
            let at = env_at.unwrap_or(*r);
            b.warning(
                &at,
                &format!("unknown connector `environmentName` `{env}` (expected AWS, GCP, or a DevOps environment); the connector was not read as a cloud account"),
            );
        }
        return;
    };
    let id = if hierarchy.is_empty() {
        text(r, "name").unwrap_or_default()
    } else {
        hierarchy
    };
    let name = r.get("name");
    let key = format!("{environment}:{id}");
    let made = (environment, source, r);
    // The offerings decide the plan and the MDE provisioning: what cannot be read of them
    // leaves both unknown (DEX302, DEX303 and DEX306 not evaluated for the account).
    let judged: &[Option<&'static str>] = &[Some("servers_plan"), Some("mde_integration")];
    let what = format!("the offerings of {environment} connector `{id}`");
    let account = (key.as_str(), made);
    // The list itself may be a string: `ConvertTo-Json` cut it off at its depth, as
    // `@{offeringType=...} @{...}` (ARM's shape), its elements' type names joined with spaces
    // or `System.Object[]` (Az PowerShell's `Offering`).
    let offerings = match props.get("offerings").or_else(|| props.get("offering")) {
        Some(o) if o.as_str().is_some() => {
            cut_offerings(b, &o, &format!("an array of {what}"), account, &id);
            Vec::new()
        }
        Some(o) => b
            .nested_in(o, true, &what, ("cloud_accounts", judged, Some(&id)))
            .map(|o| o.items())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    // Or each offering: without `-Depth`, PowerShell writes each as its type name, or Az
    // PowerShell's offering object as its JSON text.
    let offerings: Vec<At<'_>> = offerings
        .into_iter()
        .filter(|o| {
            if o.as_str().is_none() {
                return true;
            }
            cut_offerings(b, o, "a connector offering object", account, &id);
            false
        })
        .collect();
    let Some(account) = b.cloud_account(&key, environment, source, r) else {
        return;
    };
    account.set(
        "id",
        Value::Str(id.as_str().into()),
        props.get("hierarchyIdentifier").map(|h| h.loc()),
    );
    if let Some(n) = &name {
        put_at(account, "name", n, Conv::Text);
    }
    excluded_accounts(b, props, environment, &id, source);
    for o in offerings {
        let kind = text(&o, "offeringType").unwrap_or_default();
        if !kind.to_ascii_lowercase().starts_with("defenderforservers") {
            continue;
        }
        match sub_plan_of(&o) {
            Some(p) => {
                if let Some(v) = enum_value(&p, PLANS) {
                    b.account_value(&key, made, "servers_plan", v, &p);
                }
            }
            // An offering without a sub-plan is Plan 2, the only plan connectors first offered.
            None => {
                let at = o.get("offeringType").unwrap_or(o);
                b.account_value(&key, made, "servers_plan", Value::Str("P2".into()), &at);
            }
        }
        let mde = o
            .path(&["mdeAutoProvisioning", "enabled"])
            .or_else(|| o.get("mdeAutoProvisioningEnabled"));
        match mde.as_ref().map(|e| (e, e.boolean())) {
            Some((e, Some(v))) => {
                b.account_value(&key, made, "mde_integration", Value::Bool(v), e);
            }
            // Without the setting (an offering written by an older API version, a trimmed
            // export), whether the offering provisions Defender for Endpoint is unknown: DEX303
            // and DEX306 neither fired nor said so.
            unread => {
                let at = mde.unwrap_or(o);
                let why = match unread {
                    Some((e, _)) if !matches!(e.v.kind, crate::export::tree::Kind::Null) => {
                        b.warning(
                            e,
                            "expected `mdeAutoProvisioning.enabled` to be `true` or `false`; the \
                             connector's Defender for Endpoint provisioning is unknown",
                        );
                        "an `mdeAutoProvisioning.enabled` that is not `true` or `false`"
                    }
                    _ => "no `mdeAutoProvisioning.enabled`",
                };
                let reason = format!(
                    "the Defender for Servers offering (`{kind}`) of {environment} connector \
                     `{id}` in `{}` has {why}: whether it provisions Defender for Endpoint is \
                     unknown (export the connector with api-version 2023-10-01-preview)",
                    b.rel()
                );
                b.account_value(&key, made, "mde_integration", Value::Unknown, &at);
                b.unknown("cloud_accounts", "mde_integration", &id, reason, &at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_follow_the_id() {
        assert_eq!(
            scope_of("/subscriptions/s1/providers/Microsoft.Security/pricings/VirtualMachines"),
            Some(Scope::Subscription("s1".into()))
        );
        assert_eq!(
            scope_of("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1/providers/Microsoft.Security/pricings/VirtualMachines"),
            Some(Scope::Below {
                id: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1".into(),
                name: "vm-1".into(),
                subscription: "s1".into(),
                kind: "resource",
            })
        );
        assert_eq!(
            scope_of("/subscriptions/s1/resourcegroups/rg/providers/microsoft.security/pricings/VirtualMachines"),
            Some(Scope::Below {
                id: "/subscriptions/s1/resourcegroups/rg".into(),
                name: "rg".into(),
                subscription: "s1".into(),
                kind: "resource_group",
            })
        );
        assert_eq!(scope_of("/providers/Microsoft.Security/pricings/x"), None);
        assert_eq!(
            type_from_id("/subscriptions/s1/providers/Microsoft.Security/settings/WDATP")
                .as_deref(),
            Some("microsoft.security/settings")
        );
    }
}
