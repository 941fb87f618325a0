//! Terraform JSON (`terraform show -json`, Terraform's "JSON Output Format"): a plan's
//! `resource_changes` (each instance's planned `change.after`; of a deleted instance, only what
//! its deletion sets, and of a deleted `azuread_group` the group it was, in `deleted_groups`),
//! else its `planned_values` (of a refresh-only plan, which has neither, the refreshed
//! `prior_state`), else a state's `values`, through every child module. Read: `azuread_group`, `azuread_group_member`,
//! `azurerm_security_center_subscription_pricing` and `azurerm_security_center_setting`, and
//! the `Microsoft.Security` connectors, pricings and settings of `azapi_resource` and
//! `azapi_update_resource` (see `azapi`), and the ARM templates the plan deploys (the azurerm
//! `*_template_deployment` resources, azapi `Microsoft.Resources/deployments`: see
//! `template_deployment`, `azapi_deployment`).
//!
//! Records are named by absolute resource address (`module.identity.azuread_group.team["soc"]`,
//! with the instance key of `count`/`for_each`). Object ids are often unknown at plan time, so
//! memberships are also read from the configuration (`configuration.root_module`, recursively
//! through `module_calls.<name>.module`): there, addresses and expression `references` are
//! relative to their module (`azuread_group.analysts.object_id` inside `module.identity` is
//! `module.identity.azuread_group.analysts`), and a member that references an `azuread_group` is
//! a nested group (an `azuread_group_member` that references only an `azuread_user` or
//! `azuread_service_principal` is one of those: `member_target`). A member given as an object id
//! takes its kind from the plan's directory objects (`directory_objects`), else it is unknown.
//!
//! A plan that is `errored` or not `complete` is read with a warning, and a gap on what it may
//! lack (see `incomplete`).

use super::arm_template::{self, DeployedTo, Embedded};
use crate::export::json::{put, put_at, At, Conv, Strings};
use crate::export::tree::{self, Node};
use crate::export::Builder;
use crate::model::schema;
use crate::model::{Field, Loc, Record, ThinVec, Value};
use std::borrow::Cow;

/// One resource instance of the plan or state.
struct Instance<'a> {
    kind: String,
    /// Absolute address, with its instance key (`module.m[0].azuread_group.g["k"]`).
    address: String,
    /// The module part of the address (`module.m[0]`), empty in the root module.
    module: String,
    name: String,
    /// The planned (or current) attribute values.
    after: At<'a>,
    /// The plan's `change.after_unknown`: attributes known only after apply (`true`).
    unknown: Option<At<'a>>,
    /// The name the instance has before the plan updates it to another
    /// (`change.before.display_name`, of `actions` `["update"]`).
    renamed_from: Option<At<'a>>,
    /// For an instance the plan deletes (`actions` `["delete"]`, or the prior object of a
    /// replacement), read only where deletion itself sets a value: the `actions`. `after` is
    /// then the values before (`change.before`).
    deleted: Option<At<'a>>,
    /// For the new object of a replacement (`actions` `["delete", "create"]` or
    /// `["create", "delete"]`): the `actions`.
    replaces: Option<At<'a>>,
    /// The deletion of a create-before-destroy replacement (`actions` `["create", "delete"]`)
    /// of a resource that manages the same setting before and after: Terraform deletes the
    /// prior object after creating the new one, so the deletion undoes the creation.
    undoes_create: bool,
}

/// What deleting a resource of one type sets that dexlint reads: the resource manages one
/// setting of its subscription, named by its `selector` attribute, and its deletion puts that
/// setting back instead of removing anything.
struct Reset {
    /// The resource type.
    kind: &'static str,
    /// The attribute that names the setting the resource manages.
    selector: &'static str,
    /// The selector's value when the configuration leaves it out (the provider's default).
    default: Option<&'static str>,
    /// The selector's value of the setting dexlint reads.
    reads: &'static str,
    /// The cloud account's field the setting is.
    field: &'static str,
    /// The value deletion gives the field.
    value: fn() -> Value,
    /// What deletion does, after "which" (lowercase).
    effect: &'static str,
    /// What the field is, after "sets" (lowercase).
    what: &'static str,
}

/// Resource types whose deletion sets what dexlint reads (the azurerm provider's documentation
/// of each resource): "Deletion of this resource will reset the pricing tier to `Free`"
/// (`azurerm_security_center_subscription_pricing`), "Deletion of this resource disables the
/// setting" (`azurerm_security_center_setting`).
const RESETS: &[Reset] = &[
    Reset {
        kind: "azurerm_security_center_subscription_pricing",
        selector: "resource_type",
        default: Some("VirtualMachines"),
        reads: "VirtualMachines",
        field: "servers_tier",
        value: || Value::Str("Free".into()),
        effect: "resets the Defender for Servers tier to `Free`",
        what: "the tier",
    },
    Reset {
        kind: "azurerm_security_center_setting",
        selector: "setting_name",
        default: None,
        reads: "WDATP",
        field: "mde_integration",
        value: || Value::Bool(false),
        effect: "turns endpoint protection (`WDATP`) off",
        what: "endpoint protection",
    },
];

/// The [`Reset`] of a resource type, if its deletion sets what dexlint reads.
fn reset_of(kind: &str) -> Option<&'static Reset> {
    RESETS.iter().find(|r| r.kind == kind)
}

/// Reads a Terraform JSON document; false when it is not one (no `format_version`).
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    if !doc.is_object() || doc.get("format_version").is_none() {
        return false;
    }
    let Some(instances) = instances(b, doc) else {
        b.shape_error(
            doc,
            "a Terraform JSON document (`format_version`) without `resource_changes`, `planned_values` or `values`: expected the output of `terraform show -json <plan file>` (or of a state)",
        );
        return true;
    };
    load(b, doc, &instances, rel);
    incomplete(b, doc, rel);
    true
}

/// The collection a resource type of the plan gives records to, and what of it: groups and
/// their members, or the Defender for Cloud settings of cloud accounts.
fn collection_of(kind: &str) -> Option<(&'static str, &'static str)> {
    match kind {
        "azuread_group" | "azuread_group_member" => Some(("groups", "Entra ID groups and members")),
        "azurerm_security_center_subscription_pricing"
        | "azurerm_security_center_setting"
        | "azapi_resource"
        | "azapi_update_resource"
        | "azurerm_subscription_template_deployment"
        | "azurerm_resource_group_template_deployment"
        | "azurerm_management_group_template_deployment"
        | "azurerm_tenant_template_deployment" => Some((
            "cloud_accounts",
            "Defender for Cloud pricings and settings of its subscriptions",
        )),
        _ => None,
    }
}

/// The resource types the configuration declares, in the root module and every module it calls
/// (`module_calls.<name>.module`); None when the document has no `configuration`.
fn configured_types(doc: &At<'_>) -> Option<Vec<String>> {
    fn walk(m: &At<'_>, depth: usize, out: &mut Vec<String>) {
        for r in m.get("resources").map(|r| r.items()).unwrap_or_default() {
            if let Some(kind) = r.get("type").and_then(|t| t.text()) {
                out.push(kind);
            }
        }
        // Modules nest as deep as the configuration does; a bound keeps a crafted document
        // from recursing without end.
        if depth >= 64 {
            return;
        }
        for (_, call) in m
            .get("module_calls")
            .map(|c| c.members())
            .unwrap_or_default()
        {
            if let Some(module) = call.get("module") {
                walk(&module, depth + 1, out);
            }
        }
    }
    let root = doc.path(&["configuration", "root_module"])?;
    let mut out = Vec::new();
    walk(&root, 0, &mut out);
    Some(out)
}

/// A plan that does not hold every change Terraform would make. `errored: true`: planning
/// failed, so its changes are incomplete and it cannot be applied; `complete: false`: changes
/// are deferred to a later plan and apply, listed in `deferred_changes` (Terraform's JSON
/// output format; `plans.Plan.Complete` and `Errored` in Terraform's source). A warning at the
/// flag, and a gap on each collection that what is missing would give records to (the deferred
/// changes' resource types; for an errored plan, or an incomplete one that lists no deferred
/// change, the resource types its configuration declares), so the rules that read it are not
/// evaluated instead of judging the part of the plan that is there.
fn incomplete(b: &mut Builder, doc: &At<'_>, rel: &str) {
    let errored = doc.get("errored").filter(|e| e.boolean() == Some(true));
    let partial = doc.get("complete").filter(|c| c.boolean() == Some(false));
    let (at, why, advice, kinds) = match (errored, partial) {
        (Some(at), _) => (
            at,
            format!(
                "`{rel}` is an errored Terraform plan (`errored: true`): planning failed and its \
                 changes are incomplete"
            ),
            "fix the errors `terraform plan` reports and export the plan again",
            None,
        ),
        (None, Some(at)) => {
            let deferred: Vec<(String, String)> = doc
                .get("deferred_changes")
                .map(|d| d.items())
                .unwrap_or_default()
                .iter()
                .filter_map(|d| {
                    let rc = d.get("resource_change")?;
                    Some((
                        rc.get("address").and_then(|a| a.text()).unwrap_or_default(),
                        rc.get("type").and_then(|t| t.text())?,
                    ))
                })
                .collect();
            let why = match deferred.as_slice() {
                [] => format!(
                    "`{rel}` is an incomplete Terraform plan (`complete: false`): some changes \
                     are left to a later plan and apply"
                ),
                [(address, _)] => format!(
                    "`{rel}` is an incomplete Terraform plan (`complete: false`): the change of \
                     `{address}` is deferred to a later plan and apply (`deferred_changes`)"
                ),
                [(address, _), more @ ..] => format!(
                    "`{rel}` is an incomplete Terraform plan (`complete: false`): the changes \
                     of `{address}` and {} other resource instance{} are deferred to a later \
                     plan and apply (`deferred_changes`)",
                    more.len(),
                    if more.len() == 1 { "" } else { "s" }
                ),
            };
            let kinds = (!deferred.is_empty()).then(|| deferred.into_iter().map(|d| d.1).collect());
            (
                at,
                why,
                "lint the plan Terraform makes once this one is applied, which holds them",
                kinds,
            )
        }
        (None, None) => return,
    };
    b.warning(
        &at,
        &format!("{why}; the rules that read what it lacks are not evaluated: {advice}"),
    );
    let kinds: Option<Vec<String>> = kinds.or_else(|| configured_types(doc));
    let mut collections: Vec<(&'static str, &'static str)> = match kinds {
        Some(kinds) => kinds.iter().filter_map(|k| collection_of(k)).collect(),
        None => ["azuread_group", "azurerm_security_center_setting"]
            .iter()
            .filter_map(|k| collection_of(k))
            .collect(),
    };
    // What a plan may lack of its groups, it may lack of the groups it deletes.
    if collections.iter().any(|(c, _)| *c == "groups") {
        collections.push(("deleted_groups", "the Entra ID groups it deletes"));
    }
    collections.sort();
    collections.dedup();
    for (collection, what) in collections {
        b.touch(collection);
        b.gap(
            collection,
            None,
            None,
            format!("{why}, so it may lack {what}"),
            &at,
        );
    }
}

/// The resource instances: from `resource_changes` when the plan has them, else from the values
/// representation (`planned_values`, or a state's `values`). None when there is neither.
fn instances<'a>(b: &mut Builder, doc: &At<'a>) -> Option<Vec<Instance<'a>>> {
    if let Some(list) = doc.get("resource_changes") {
        if !list.is_array() {
            b.shape_error(&list, "expected `resource_changes` to be an array");
            return Some(Vec::new());
        }
        return Some(list.items().iter().flat_map(change).collect());
    }
    // A refresh-only plan (`terraform plan -refresh-only`) changes no resource: no
    // `resource_changes`, an empty `planned_values.root_module`, and the refreshed state in
    // `prior_state`, which is what its apply writes.
    let planned = doc.path(&["planned_values", "root_module"]);
    let refreshed = doc.path(&["prior_state", "values", "root_module"]);
    if let (Some(planned), Some(refreshed)) = (planned, refreshed) {
        if planned.get("resources").is_none() && planned.get("child_modules").is_none() {
            b.note(
                &planned,
                "a refresh-only Terraform plan (`terraform plan -refresh-only`: no \
                 `resource_changes`, an empty `planned_values`): read as the state its apply \
                 writes (`prior_state`, refreshed)",
            );
            let mut out = Vec::new();
            module_values(&refreshed, "", &mut out);
            return Some(out);
        }
    }
    let values = planned.or_else(|| doc.path(&["values", "root_module"]))?;
    let mut out = Vec::new();
    module_values(&values, "", &mut out);
    Some(out)
}

/// The instances one entry of `resource_changes` gives: none for a data source, or for a
/// deletion of a type whose deletion sets nothing dexlint reads ([`RESETS`]) and that is no
/// `azuread_group` or `azuread_group_member`; else the instance as planned (`change.after`), or
/// as deleted (`change.before`, with `deleted`). A replaced `azuread_group` gives both: the
/// prior group, deleted, and the new one (another object, with only the members its
/// configuration gives it); so does a replaced `azuread_group_member` (the prior membership is
/// removed, the new one added).
///
/// A replacement (`actions` `["delete", "create"]`, or `["create", "delete"]` under
/// `create_before_destroy`: Terraform's JSON output format gives the order of the two) of a
/// type in [`RESETS`] deletes its prior object too, and that deletion resets the setting the
/// prior object managed. When the new object manages the same setting (the same `resource_type`
/// or `setting_name`: one pricing or setting per subscription), the one applied last decides:
/// the creation after a deletion (the planned values), the deletion after a creation (the reset
/// value; `lifecycle` `create_before_destroy`: "the new replacement object is created first, and
/// the prior object is destroyed after the replacement is created"). When it manages another,
/// both apply.
fn change<'a>(rc: &At<'a>) -> Vec<Instance<'a>> {
    let mut out = Vec::new();
    if rc.get("mode").and_then(|m| m.text()).as_deref() == Some("data") {
        return out;
    }
    let (Some(kind), Some(address)) = (
        rc.get("type").and_then(|t| t.text()),
        rc.get("address").and_then(|a| a.text()),
    ) else {
        return out;
    };
    let actions = rc.path(&["change", "actions"]);
    let names: Vec<String> = actions
        .and_then(|a| a.strings())
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let module = rc
        .get("module_address")
        .and_then(|m| m.text())
        .unwrap_or_default();
    let before = rc.path(&["change", "before"]).filter(At::is_object);
    let after = rc.path(&["change", "after"]).filter(At::is_object);
    let unknown = rc.path(&["change", "after_unknown"]);
    let instance = |values: At<'a>, deleted: Option<At<'a>>| Instance {
        renamed_from: None,
        deleted,
        replaces: None,
        undoes_create: false,
        kind: kind.clone(),
        name: rc.get("name").and_then(|t| t.text()).unwrap_or_default(),
        address: address.clone(),
        module: module.clone(),
        after: values,
        unknown: unknown.filter(|_| deleted.is_none()),
    };
    let reset = reset_of(&kind);
    let group = kind == "azuread_group";
    // A deleted membership removes its member from the group.
    let both = group || kind == "azuread_group_member";
    match (names.as_slice(), reset) {
        (["delete"], None) if !both => {}
        (["delete"], _) => out.extend(before.map(|v| instance(v, actions))),
        // A replaced group is two: the prior one, deleted, and a new one (a new object id)
        // with the planned values; so is a replaced membership.
        (["delete", "create"] | ["create", "delete"], None) if both => {
            out.extend(before.map(|v| instance(v, actions)));
            out.extend(after.map(|v| Instance {
                replaces: actions,
                ..instance(v, None)
            }));
        }
        (["delete", "create"] | ["create", "delete"], Some(reset)) => {
            let create_first = names.first() == Some(&"create");
            let selector = |values: Option<At<'_>>| {
                values
                    .and_then(|v| v.get(reset.selector))
                    .and_then(|t| t.text())
                    .or_else(|| reset.default.map(str::to_string))
            };
            let selector_unknown = unknown
                .and_then(|u| u.get(reset.selector))
                .is_some_and(|u| u.boolean() == Some(true));
            let same = !selector_unknown
                && selector(before)
                    .zip(selector(after))
                    .is_some_and(|(b, a)| b.eq_ignore_ascii_case(&a));
            let deletion = before.map(|v| Instance {
                undoes_create: same && create_first,
                ..instance(v, actions)
            });
            let creation = after.map(|v| instance(v, None));
            match (same, create_first) {
                (true, false) => out.extend(creation),
                (true, true) => out.extend(deletion),
                (false, _) => out.extend(deletion.into_iter().chain(creation)),
            }
        }
        _ => {
            let Some(after) = after else {
                return out;
            };
            // An update that changes the name (or makes it known only after apply) is a rename
            // of the existing object; a replacement creates another one.
            let renamed_from = before
                .and_then(|b| b.get("display_name"))
                .filter(|b| b.as_str().is_some() && names == ["update"])
                .filter(|b| after.get("display_name").and_then(|a| a.as_str()) != b.as_str());
            out.push(Instance {
                renamed_from,
                ..instance(after, None)
            });
        }
    }
    out
}

/// The resources of a values-representation module and of its `child_modules`: the managed
/// ones, or (`data`) the data sources.
fn module_values<'a>(m: &At<'a>, module: &str, out: &mut Vec<Instance<'a>>) {
    resources_of(m, module, false, out);
}

/// The managed resources (`data` false) or the data sources of a values-representation module
/// and of its `child_modules`.
fn resources_of<'a>(m: &At<'a>, module: &str, data: bool, out: &mut Vec<Instance<'a>>) {
    for r in m.get("resources").map(|r| r.items()).unwrap_or_default() {
        if (r.get("mode").and_then(|m| m.text()).as_deref() == Some("data")) != data {
            continue;
        }
        let (Some(kind), Some(address), Some(after)) = (
            r.get("type").and_then(|t| t.text()),
            r.get("address").and_then(|a| a.text()),
            r.get("values").filter(At::is_object),
        ) else {
            continue;
        };
        out.push(Instance {
            kind,
            name: r.get("name").and_then(|t| t.text()).unwrap_or_default(),
            address,
            module: module.to_string(),
            after,
            unknown: None,
            renamed_from: None,
            deleted: None,
            replaces: None,
            undoes_create: false,
        });
    }
    for child in m
        .get("child_modules")
        .map(|c| c.items())
        .unwrap_or_default()
    {
        let address = child
            .get("address")
            .and_then(|a| a.text())
            .unwrap_or_default();
        resources_of(&child, &address, data, out);
    }
}

/// The `azuread_group` data sources as the plan read them: `prior_state` holds the values of
/// the data sources read while planning (Terraform's JSON output format, "Plan
/// Representation": `prior_state` is a state representation, data sources included).
fn data_groups<'a>(doc: &At<'a>) -> Vec<Instance<'a>> {
    let mut out = Vec::new();
    if let Some(root) = doc.path(&["prior_state", "values", "root_module"]) {
        resources_of(&root, "", true, &mut out);
    }
    out.retain(|i| i.kind == "azuread_group");
    out
}

/// The directory objects the plan describes, by lowercase object id: their kind (as a member's
/// `kind`: Graph's type name) and display name. Read from the resources and data sources of
/// `prior_state` (the state the plan starts from, with the data sources read while planning)
/// and from `planned_values` (resources whose object id is known at plan time):
/// `azuread_group`, `azuread_user` and `azuread_service_principal`, whose `object_id` is the
/// directory object's id (azuread provider documentation).
type Objects = std::collections::HashMap<String, (&'static str, Option<String>)>;

fn directory_objects(doc: &At<'_>) -> Objects {
    let mut found = Vec::new();
    let paths: [&[&str]; 2] = [
        &["prior_state", "values", "root_module"],
        &["planned_values", "root_module"],
    ];
    for path in paths {
        if let Some(root) = doc.path(path) {
            resources_of(&root, "", true, &mut found);
            resources_of(&root, "", false, &mut found);
        }
    }
    let mut objects = Objects::new();
    for i in &found {
        let kind = match i.kind.as_str() {
            "azuread_group" => "group",
            "azuread_user" => "user",
            "azuread_service_principal" => "servicePrincipal",
            _ => continue,
        };
        if let Some(id) = i.after.get("object_id").and_then(|o| o.text()) {
            let name = i.after.get("display_name").and_then(|n| n.text());
            objects
                .entry(id.to_ascii_lowercase())
                .or_insert((kind, name));
        }
    }
    objects
}

/// Sets the kind (and the display name) of member `m`, the object id `id` read at `at`, from
/// the directory objects the plan describes. An id the plan does not describe has an unknown
/// kind, with a gap that says why (resolved later from the export's Graph data when it has the
/// object, as `resolve_member_kinds` does for ARM templates): a member that is not known to be
/// a group is not known not to be one. The gap is the member's (its id), whichever group lists
/// it: its reason names no group, since another group may list the same member.
fn member_kind(
    b: &mut Builder,
    m: &mut Record,
    (id, at): (&str, At<'_>),
    (objects, rel): (&Objects, &str),
) {
    if let Some((kind, name)) = objects.get(&id.to_ascii_lowercase()) {
        m.set("kind", Value::Str((*kind).into()), None);
        if let Some(name) = name {
            m.set("name", Value::Str(name.as_str().into()), None);
        }
        return;
    }
    m.set("kind", Value::Unknown, Some(at.loc()));
    b.unknown(
        "groups",
        "kind",
        id,
        format!(
            "member `{id}` in `{rel}` is an object id that no resource or data source of the \
             plan describes, and the export has no Microsoft Graph object of that id: whether it \
             is a user, group or device is known only in the directory"
        ),
        &at,
    );
}

/// The module call names of a module address: `module.a[0].module.b["k"]` → `[a, b]`.
fn module_path(address: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        names.push(after.get(..end).unwrap_or("").to_string());
        rest = after.get(end..).unwrap_or("");
        if rest.starts_with('[') {
            rest = rest.get(key_end(rest)..).unwrap_or("");
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    names
}

/// Length of a leading `[...]` instance key (quoted keys may hold `]` and `.`).
fn key_end(s: &str) -> usize {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// The configuration block of an instance: in the module its address names, the resource of
/// that type and name.
fn config<'a>(doc: &At<'a>, i: &Instance<'_>) -> Option<At<'a>> {
    let mut m = doc.path(&["configuration", "root_module"])?;
    for name in module_path(&i.module) {
        m = m.get("module_calls")?.get(&name)?.get("module")?;
    }
    let local = i
        .address
        .strip_prefix(i.module.as_str())
        .unwrap_or(&i.address)
        .trim_start_matches('.');
    let mode = if local.starts_with("data.") {
        "data"
    } else {
        "managed"
    };
    m.get("resources")?.items().into_iter().find(|r| {
        r.get("mode")
            .and_then(|t| t.text())
            .as_deref()
            .unwrap_or("managed")
            == mode
            && r.get("type").and_then(|t| t.text()).as_deref() == Some(i.kind.as_str())
            && r.get("name").and_then(|t| t.text()).as_deref() == Some(i.name.as_str())
    })
}

/// The references of an attribute's expression in the configuration.
fn references(doc: &At<'_>, i: &Instance<'_>, attribute: &str) -> Vec<String> {
    config(doc, i)
        .and_then(|r| r.path(&["expressions", attribute, "references"]))
        .and_then(|r| r.strings())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// The absolute address of the `azuread_group` a module-relative reference names
/// (`azuread_group.g["k"].object_id` in `module.m` → `module.m.azuread_group.g["k"]`).
fn referenced_group(i: &Instance<'_>, reference: &str) -> Option<String> {
    referenced(i, reference, "azuread_group")
}

/// The absolute address of the resource of type `kind` a module-relative reference names.
fn referenced(i: &Instance<'_>, reference: &str, kind: &str) -> Option<String> {
    let rest = reference.strip_prefix(kind)?.strip_prefix('.')?;
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    let name = rest.get(..end).filter(|n| !n.is_empty())?;
    let tail = rest.get(end..).unwrap_or("");
    let key = if tail.starts_with('[') {
        tail.get(..key_end(tail)).unwrap_or("")
    } else {
        ""
    };
    let local = format!("{kind}.{name}{key}");
    Some(if i.module.is_empty() {
        local
    } else {
        format!("{}.{local}", i.module)
    })
}

/// The absolute address of the data source of type `kind` a module-relative reference names
/// (`data.azuread_group.g.object_id` in `module.m` → `module.m.data.azuread_group.g`).
fn referenced_data(i: &Instance<'_>, reference: &str, kind: &str) -> Option<String> {
    let local = referenced(i, reference.strip_prefix("data.")?, kind)?;
    let tail = local.strip_prefix(i.module.as_str()).unwrap_or(&local);
    let tail = tail.trim_start_matches('.');
    Some(if i.module.is_empty() {
        format!("data.{tail}")
    } else {
        format!("{}.data.{tail}", i.module)
    })
}

/// The absolute address of the `azuread_group` data source a module-relative reference names.
fn referenced_data_group(i: &Instance<'_>, reference: &str) -> Option<String> {
    referenced_data(i, reference, "azuread_group")
}

/// The first group a list of references names.
fn first_group(i: &Instance<'_>, refs: &[String]) -> Option<String> {
    refs.iter().find_map(|r| referenced_group(i, r))
}

/// The directory object a member's `member_object_id` references, with its kind (as a member's
/// `kind`): a planned `azuread_group`, `azuread_user` or `azuread_service_principal`, or a data
/// source of those types. None unless every reference names that one resource (or is the
/// instance's own `each.key`, `each.value` or `count.index`): an expression that also reads
/// anything else (`var.use_group ? azuread_group.g.object_id : var.id`) may give another object.
/// A reference without an instance key, from an instance whose expression uses `each.key` or
/// `count.index` (`azuread_group.teams[each.key].object_id`, whose references are
/// `azuread_group.teams` and `each.key`), names the instance of the same key when the plan has
/// one (`addresses`).
fn member_target(
    i: &Instance<'_>,
    refs: &[String],
    addresses: &[&str],
) -> Option<(String, &'static str)> {
    const KINDS: [(&str, &str); 3] = [
        ("azuread_group", "group"),
        ("azuread_user", "user"),
        ("azuread_service_principal", "servicePrincipal"),
    ];
    const OWN: [&str; 3] = ["each.key", "each.value", "count.index"];
    let mut found: Option<(String, &'static str)> = None;
    for r in refs.iter().filter(|r| !OWN.contains(&r.as_str())) {
        let (address, kind) = KINDS.iter().find_map(|(resource, kind)| {
            referenced(i, r, resource)
                .or_else(|| referenced_data(i, r, resource))
                .map(|a| (a, *kind))
        })?;
        let base = |a: &str| a.split('[').next().unwrap_or(a).to_string();
        match &found {
            // `azuread_group.g["k"].object_id` also references `azuread_group.g`: the same
            // resource, the address with its key kept.
            Some((seen, _)) if base(seen) == base(&address) => {
                if address.len() > seen.len() {
                    found = Some((address, kind));
                }
            }
            Some(_) => return None,
            None => found = Some((address, kind)),
        }
    }
    let (address, kind) = found?;
    let keyed = refs.iter().any(|r| r == "each.key" || r == "count.index");
    let local = i
        .address
        .strip_prefix(i.module.as_str())
        .unwrap_or(&i.address);
    let own_key = local.find('[').and_then(|k| local.get(k..));
    if let (true, false, Some(key)) = (keyed, address.ends_with(']'), own_key) {
        let candidate = format!("{address}{key}");
        if addresses.contains(&candidate.as_str()) {
            return Some((candidate, kind));
        }
    }
    Some((address, kind))
}

fn load(b: &mut Builder, doc: &At<'_>, instances: &[Instance<'_>], rel: &str) {
    let objects = directory_objects(doc);
    let removed = removed_members(instances);
    let mut groups: Vec<Record> = Vec::new();
    let mut setters = Setters::new();
    for i in instances {
        match i.kind.as_str() {
            "azuread_group" if i.deleted.is_some() => {
                // Read once every group the plan keeps or creates is.
            }
            "azuread_group" => {
                let g = group(b, doc, i, (&objects, &removed, rel));
                groups.push(g);
            }
            "azurerm_security_center_subscription_pricing" | "azurerm_security_center_setting"
                if i.deleted.is_some() =>
            {
                // Read once every pricing and setting the plan sets is.
            }
            "azurerm_security_center_subscription_pricing" => {
                let fields = [("servers_tier", "tier"), ("servers_plan", "subplan")];
                if let Some(why) = unknown_selector(i, "resource_type", rel) {
                    // Whether it is the Defender for Servers pricing is known only after apply.
                    unknown_account_fields(b, doc, i, rel, &fields, why);
                    continue;
                }
                let rt = i
                    .after
                    .get("resource_type")
                    .and_then(|t| t.text())
                    .unwrap_or_else(|| "VirtualMachines".into());
                if rt.eq_ignore_ascii_case("VirtualMachines") {
                    if let Some(a) = account(b, doc, i, rel) {
                        let earlier = held(a, &fields);
                        put(a, "servers_tier", &i.after, "tier", Conv::Text);
                        put(a, "servers_plan", &i.after, "subplan", Conv::Text);
                        // In its documented case, as ARM's values are read (`standard`).
                        for (field, known) in [
                            ("servers_tier", &["Free", "Standard"][..]),
                            ("servers_plan", &["P1", "P2"][..]),
                        ] {
                            let canonical = a.text(field).and_then(|t| {
                                known.iter().find(|k| k.eq_ignore_ascii_case(t) && **k != t)
                            });
                            if let Some(k) = canonical {
                                let loc = a.get(field).and_then(Field::loc);
                                a.set(field, Value::Str((*k).into()), loc);
                            }
                        }
                        let unknown = known_after_apply(a, i, &fields, rel);
                        let id = a.identity().unwrap_or_default().to_string();
                        for (field, why, at) in unknown {
                            b.unknown("cloud_accounts", field, &id, why, &at);
                        }
                        settle(b, doc, i, rel, (&fields, earlier), &mut setters);
                    }
                }
            }
            "azurerm_security_center_setting" => {
                let fields = [("mde_integration", "enabled")];
                if let Some(why) = unknown_selector(i, "setting_name", rel) {
                    unknown_account_fields(b, doc, i, rel, &fields, why);
                    continue;
                }
                let name = i
                    .after
                    .get("setting_name")
                    .and_then(|t| t.text())
                    .unwrap_or_default();
                // `WDATP`, and `WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW` (see `arm::SETTINGS`).
                if let Some(field) = super::arm::setting_field(&name) {
                    let fields = [(field, "enabled")];
                    if let Some(a) = account(b, doc, i, rel) {
                        let earlier = held(a, &fields);
                        put(a, field, &i.after, "enabled", Conv::Bool);
                        let unknown = known_after_apply(a, i, &fields, rel);
                        let id = a.identity().unwrap_or_default().to_string();
                        for (field, why, at) in unknown {
                            b.unknown("cloud_accounts", field, &id, why, &at);
                        }
                        settle(b, doc, i, rel, (&fields, earlier), &mut setters);
                    }
                }
            }
            "azapi_resource" | "azapi_update_resource" if i.deleted.is_none() => {
                azapi(b, i, rel);
            }
            kind if i.deleted.is_none() && deployed_to(kind).is_some() => {
                template_deployment(b, doc, i, rel, &mut setters);
            }
            _ => {}
        }
    }
    for i in instances.iter().filter(|i| i.deleted.is_some()) {
        deleted_setting(b, doc, i, rel, &setters);
    }
    let data = data_groups(doc);
    let addresses: Vec<&str> = instances
        .iter()
        .chain(&data)
        .map(|i| i.address.as_str())
        .collect();
    for i in instances
        .iter()
        .filter(|i| i.kind == "azuread_group_member" && i.deleted.is_none())
    {
        let known = (&data[..], &objects, &removed[..], &addresses[..], rel);
        group_member(b, doc, i, known, &mut groups);
    }
    if !groups.is_empty() {
        b.touch("groups");
    }
    for g in groups {
        // A group named only by object id has no address (see `group_by_id`).
        match g.get("address").and_then(Field::as_str) {
            Some(_) => b.add_group(g),
            None => b.add_group_by_id(g),
        }
    }
    for i in instances
        .iter()
        .filter(|i| i.kind == "azuread_group" && i.deleted.is_some())
    {
        if let Some(r) = deleted_group(i, instances) {
            b.push("deleted_groups", r);
        }
    }
}

/// Whether a plan's `after_unknown` value marks anything known only after apply: `true`, or an
/// object or array that holds `true` (the unknown parts of a `body`).
fn any_unknown(flag: &At<'_>) -> bool {
    flag.boolean() == Some(true)
        || flag.members().iter().any(|(_, v)| any_unknown(v))
        || flag.items().iter().any(any_unknown)
}

/// An `azapi_resource` (or `azapi_update_resource`) of a `Microsoft.Security` type the ARM
/// readers read: the Defender for Cloud resources the azurerm provider has no resource for (a
/// security connector; Microsoft's Defender for Cloud Terraform samples use azapi), or sets
/// through ARM as a template does. `type` is `<resource type>@<api-version>`, and `body` the
/// ARM resource's values (`properties`): an object from azapi 2.x on ("The body field now only
/// accepts an HCL object", Azure/terraform-provider-azapi v2.0.0 release notes), a JSON string
/// (`jsonencode(...)`) before. The resource's ARM id is its `resource_id`, else `parent_id`
/// and `name`. A `body`, `name`, `parent_id` or `resource_id` known only after apply leaves
/// what the resource sets unknown: a gap on the cloud accounts, naming it.
fn azapi(b: &mut Builder, i: &Instance<'_>, rel: &str) {
    let Some(written) = i.after.get("type").and_then(|t| t.text()) else {
        return;
    };
    let kind = written
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if kind == "microsoft.resources/deployments" && i.kind == "azapi_resource" {
        return azapi_deployment(b, i, rel, &written);
    }
    let Some(list) = kind.strip_prefix("microsoft.security/") else {
        return;
    };
    if !matches!(list, "pricings" | "settings" | "securityconnectors") {
        return;
    }
    // The plan sets Defender for Cloud resources: what it cannot tell of them is a gap of
    // its cloud accounts, not an export without any.
    b.touch("cloud_accounts");
    let connector = list == "securityconnectors";
    let flag = |attribute: &str| i.unknown.and_then(|u| u.get(attribute)).filter(any_unknown);
    let resource_id = i.after.get("resource_id").and_then(|r| r.text());
    // What the plan must know to tell what the resource sets: a connector names its cloud
    // account in its `body`; a pricing or setting is its subscription's by its id.
    let needed: &[&str] = match (connector, &resource_id) {
        (true, _) => &["body"],
        (false, Some(_)) => &["body", "resource_id"],
        (false, None) => &["body", "name", "parent_id"],
    };
    if let Some((attribute, at)) = needed.iter().find_map(|a| Some((*a, flag(a)?))) {
        b.gap(
            "cloud_accounts",
            None,
            None,
            format!(
                "`{attribute}` of `{}` (`{written}`) in `{rel}` is known only after apply \
                 (`after_unknown.{attribute}`): what it sets is not known",
                i.address
            ),
            &at,
        );
        return;
    }
    let Some(body) = i.after.get("body") else {
        return;
    };
    // azapi 1.x: the body as a JSON string, read as the object it encodes, shown at the string.
    let encoded = body.as_str().map(str::to_string);
    let mut parsed = encoded
        .as_deref()
        .map(|text| tree::parse(text, tree::MAX_DEPTH));
    if let Some(Ok(node)) = parsed.as_mut() {
        tree::relocate(node, body.v.start);
    }
    let strings = Strings::default();
    let body = match &parsed {
        Some(Ok(node)) => At::new(node, body.file, &strings),
        Some(Err(_)) => {
            b.shape_error(
                &body,
                &format!(
                    "expected the `body` of `{}` to be an object or its JSON encoding",
                    i.address
                ),
            );
            b.gap(
                "cloud_accounts",
                None,
                None,
                format!("the `body` of `{}` in `{rel}` could not be read", i.address),
                &body,
            );
            return;
        }
        None => body,
    };
    let Some(props) = body.get("properties").filter(At::is_object) else {
        b.warning(
            &body,
            &format!(
                "the `body` of `{}` (`{written}`) has no `properties` object; it was not read",
                i.address
            ),
        );
        b.gap(
            "cloud_accounts",
            None,
            None,
            format!(
                "the `body` of `{}` in `{rel}` has no `properties`: what it sets is not known",
                i.address
            ),
            &body,
        );
        return;
    };
    if connector {
        super::arm::connector(b, &i.after, &props, "terraform");
        return;
    }
    let name = i
        .after
        .get("name")
        .and_then(|n| n.text())
        .unwrap_or_default();
    let id = resource_id.unwrap_or_else(|| {
        let parent = i
            .after
            .get("parent_id")
            .and_then(|p| p.text())
            .unwrap_or_default();
        format!(
            "{}/providers/Microsoft.Security/{list}/{name}",
            parent.trim_end_matches('/')
        )
    });
    let name = id.rsplit('/').next().unwrap_or_default().to_string();
    let Some(scope) = super::arm::scope_of(&id) else {
        return;
    };
    // A subscription's own pricing or setting: the plan's account of that subscription, as
    // the azurerm resources' (see `account`).
    let scope = match scope {
        super::arm::Scope::Subscription(sub) => {
            let key = format!("terraform:{}", sub.to_ascii_lowercase());
            let Some(a) = b.cloud_account(&key, "Azure", "terraform", &i.after) else {
                return;
            };
            if a.get("id").and_then(Field::as_str) == Some(key.as_str()) {
                a.set("id", Value::Str(sub.as_str().into()), None);
            }
            super::arm::Scope::Subscription(key)
        }
        below => below,
    };
    if list == "settings" {
        if let Some(field) = super::arm::setting_field(&name) {
            super::arm::setting_in(b, &i.after, &props, scope, "terraform", field);
        }
    } else if name.eq_ignore_ascii_case("VirtualMachines") {
        if let Some(p) = super::arm::pricing_in(b, &i.after, &props, scope, "terraform") {
            b.push("resource_pricings", p);
        }
    }
}

/// The Terraform resource types that deploy an ARM template (`template_content`), and what
/// each deploys to (the azurerm provider's `*_template_deployment` resources).
const TEMPLATE_DEPLOYMENTS: &[(&str, Target)] = &[
    (
        "azurerm_subscription_template_deployment",
        Target::Subscription,
    ),
    (
        "azurerm_resource_group_template_deployment",
        Target::ResourceGroup,
    ),
    (
        "azurerm_management_group_template_deployment",
        Target::ManagementGroup,
    ),
    ("azurerm_tenant_template_deployment", Target::Tenant),
];

/// What a template deployment deploys to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Subscription,
    ResourceGroup,
    ManagementGroup,
    Tenant,
}

/// What a resource type that deploys an ARM template deploys to; None for another type.
fn deployed_to(kind: &str) -> Option<Target> {
    TEMPLATE_DEPLOYMENTS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, t)| *t)
}

/// An azurerm template deployment (`azurerm_subscription_template_deployment`, and its
/// resource-group, management-group and tenant forms): its `template_content`, a JSON string,
/// is read as an ARM template (see [`arm_template::embedded`]) with the parameters of its
/// `parameters_content`, deploying to the provider's subscription (and `resource_group_name`),
/// or to the management group or tenant. A template that cannot be read (known only after
/// apply, deployed from a template spec, not JSON) leaves what it may set unknown, naming the
/// resource: the subscription's pricing and setting, and the resource pricings.
fn template_deployment(
    b: &mut Builder,
    doc: &At<'_>,
    i: &Instance<'_>,
    rel: &str,
    setters: &mut Setters,
) {
    let Some(target) = deployed_to(&i.kind) else {
        return;
    };
    b.touch("cloud_accounts");
    let to = match target {
        Target::Subscription | Target::ResourceGroup => {
            let Some(a) = account(b, doc, i, rel) else {
                return;
            };
            let id = a.identity().unwrap_or_default().to_string();
            let key = account_key(doc, i, rel).0;
            match i.after.get("resource_group_name").and_then(|g| g.text()) {
                Some(group) if target == Target::ResourceGroup => {
                    DeployedTo::ResourceGroup { key, id, group }
                }
                _ => DeployedTo::Subscription { key, id },
            }
        }
        Target::ManagementGroup => DeployedTo::ManagementGroup,
        Target::Tenant => DeployedTo::Tenant,
    };
    let flagged = |attribute: &str| {
        i.unknown
            .and_then(|u| u.get(attribute))
            .filter(|u| u.boolean() == Some(true))
    };
    let spec = i
        .after
        .get("template_spec_version_id")
        .filter(|s| s.as_str().is_some());
    let content = i
        .after
        .get("template_content")
        .filter(|c| c.as_str().is_some());
    let unread = match (spec, flagged("template_content"), content) {
        (Some(id), _, _) => Some((
            format!(
                "`{}` in `{rel}` deploys the template spec `{}`, which is not in the plan",
                i.address,
                id.as_str().unwrap_or_default()
            ),
            id,
        )),
        (None, Some(flag), _) => Some((
            format!(
                "`template_content` of `{}` in `{rel}` is known only after apply \
                 (`after_unknown.template_content`)",
                i.address
            ),
            flag,
        )),
        (None, None, None) => Some((
            format!("`{}` in `{rel}` has no `template_content`", i.address),
            i.after,
        )),
        (None, None, Some(_)) => None,
    };
    if let Some(unread) = unread {
        return unread_template(b, i, &to, unread);
    }
    let Some(content) = content else {
        return;
    };
    let text = content.as_str().unwrap_or_default();
    let text = tree::arm_without_comments(text).map_or(Cow::Borrowed(text), Cow::Owned);
    let Some(template) = decoded(&text, &content).filter(|t| t.as_object().is_some()) else {
        b.shape_error(
            &content,
            &format!(
                "expected the `template_content` of `{}` to be a JSON object (an ARM template)",
                i.address
            ),
        );
        let why = format!(
            "the `template_content` of `{}` in `{rel}` could not be read",
            i.address
        );
        return unread_template(b, i, &to, (why, content));
    };
    let parameters = i
        .after
        .get("parameters_content")
        .filter(|p| p.as_str().is_some());
    let parameters_node = parameters
        .and_then(|p| Some((p, decoded(p.as_str()?, &p)?)))
        .filter(|(_, n)| n.as_object().is_some());
    // Set in the configuration and known only after apply, what it passes is not known; left
    // out of it (the provider computes it), the template's defaults apply.
    let parameters_unknown = match (parameters, &parameters_node) {
        (Some(p), None) => {
            b.shape_error(
                &p,
                &format!(
                    "expected the `parameters_content` of `{}` to be a JSON object",
                    i.address
                ),
            );
            Some(format!(
                "the `parameters_content` of `{}` in `{rel}` could not be read",
                i.address
            ))
        }
        (None, _)
            if flagged("parameters_content").is_some()
                && config(doc, i)
                    .is_none_or(|c| c.path(&["expressions", "parameters_content"]).is_some()) =>
        {
            Some(format!(
                "`parameters_content` of `{}` in `{rel}` is known only after apply \
                 (`after_unknown.parameters_content`)",
                i.address
            ))
        }
        _ => None,
    };
    // What other resources of the plan set of the subscription is settled with what the
    // template sets as between two resources (see `settle`).
    let fields = [
        ("servers_tier", "template_content"),
        ("servers_plan", "template_content"),
        ("mde_integration", "template_content"),
        ("mde_linux_excluded", "template_content"),
    ];
    let earlier = match &to {
        DeployedTo::Subscription { key, .. } | DeployedTo::ResourceGroup { key, .. } => b
            .cloud_account(key, "Azure", "terraform", &i.after)
            .map(|a| {
                let earlier = held(a, &fields);
                for (field, _) in fields {
                    a.set(field, Value::Null, None);
                }
                earlier
            }),
        DeployedTo::ManagementGroup | DeployedTo::Tenant => None,
    };
    let strings = Strings::default();
    arm_template::embedded(
        b,
        Embedded {
            template: At::new(&template, content.file, &strings),
            parameters: parameters_node
                .as_ref()
                .map(|(p, n)| At::new(n, p.file, &strings)),
            parameters_unknown,
            path: i.address.clone(),
            rel: rel.to_string(),
            to,
            keys: "terraform".to_string(),
        },
    );
    if let Some(earlier) = earlier {
        settle(b, doc, i, rel, (&fields, earlier), setters);
    }
}

/// An `azapi_resource` of type `Microsoft.Resources/deployments` (`written`): the template of
/// its `body.properties.template` read as an ARM template (see [`arm_template::embedded`]), with
/// the `body.properties.parameters` it passes, deploying to its `parent_id` (a subscription, a
/// resource group, a management group, or `/`, the tenant). A `body` or `parent_id` known only
/// after apply, or a template it links (`templateLink`) leave what it may set unknown, naming
/// the resource.
fn azapi_deployment(b: &mut Builder, i: &Instance<'_>, rel: &str, written: &str) {
    b.touch("cloud_accounts");
    let parent_id = i.after.get("parent_id").and_then(|p| p.text());
    let parts: Vec<&str> = parent_id
        .as_deref()
        .unwrap_or_default()
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    let lower: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let mut subscription = |sub: &str| {
        let key = format!("terraform:{}", sub.to_ascii_lowercase());
        if let Some(a) = b.cloud_account(&key, "Azure", "terraform", &i.after) {
            if a.get("id").and_then(Field::as_str) == Some(key.as_str()) {
                a.set("id", Value::Str(sub.into()), None);
            }
        }
        (key, sub.to_string())
    };
    let to = match (lower.as_slice(), parts.as_slice()) {
        (["subscriptions", _], [_, sub]) => {
            let (key, id) = subscription(sub);
            Some(DeployedTo::Subscription { key, id })
        }
        (["subscriptions", _, "resourcegroups", _], [_, sub, _, group]) => {
            let (key, id) = subscription(sub);
            Some(DeployedTo::ResourceGroup {
                key,
                id,
                group: (*group).to_string(),
            })
        }
        (["providers", "microsoft.management", "managementgroups", _], _) => {
            Some(DeployedTo::ManagementGroup)
        }
        ([], _) if parent_id.is_some() => Some(DeployedTo::Tenant),
        _ => None,
    };
    let flag = |attribute: &str| i.unknown.and_then(|u| u.get(attribute)).filter(any_unknown);
    let Some(to) = to else {
        let (why, at) = match flag("parent_id") {
            Some(at) => (
                format!(
                    "`parent_id` of `{}` (`{written}`) in `{rel}` is known only after apply \
                     (`after_unknown.parent_id`): where it deploys is not known",
                    i.address
                ),
                at,
            ),
            None => (
                format!(
                    "the `parent_id` of `{}` (`{written}`) in `{rel}` is no subscription, \
                     resource group, management group or tenant",
                    i.address
                ),
                i.after.get("parent_id").unwrap_or(i.after),
            ),
        };
        return unread_template(b, i, &DeployedTo::ManagementGroup, (why, at));
    };
    if let Some(at) = flag("body") {
        let why = format!(
            "`body` of `{}` (`{written}`) in `{rel}` is known only after apply \
             (`after_unknown.body`): the template it deploys is not known",
            i.address
        );
        return unread_template(b, i, &to, (why, at));
    }
    let Some(body) = i.after.get("body") else {
        let why = format!("`{}` (`{written}`) in `{rel}` has no `body`", i.address);
        return unread_template(b, i, &to, (why, i.after));
    };
    // azapi 1.x: the body as a JSON string (see `azapi`).
    let encoded = body.as_str().and_then(|text| decoded(text, &body));
    let strings = Strings::default();
    let body = match (&encoded, body.as_str()) {
        (Some(node), _) => At::new(node, body.file, &strings),
        (None, Some(_)) => {
            b.shape_error(
                &body,
                &format!(
                    "expected the `body` of `{}` to be an object or its JSON encoding",
                    i.address
                ),
            );
            let why = format!("the `body` of `{}` in `{rel}` could not be read", i.address);
            return unread_template(b, i, &to, (why, body));
        }
        (None, None) => body,
    };
    let props = body.get("properties").filter(At::is_object);
    let Some(template) = props.and_then(|p| p.get("template")).filter(At::is_object) else {
        let why = match props.and_then(|p| p.get("templateLink")) {
            Some(_) => format!(
                "`{}` (`{written}`) in `{rel}` deploys a linked template (`templateLink`), \
                 which is not in the plan",
                i.address
            ),
            None => format!(
                "the `body` of `{}` (`{written}`) in `{rel}` has no `properties.template`",
                i.address
            ),
        };
        let at = props.and_then(|p| p.get("templateLink")).unwrap_or(body);
        return unread_template(b, i, &to, (why, at));
    };
    let parameters_unknown = props.and_then(|p| p.get("parametersLink")).map(|_| {
        format!(
            "`{}` in `{rel}` passes its parameters in a `parametersLink` file, which is not in \
             the plan",
            i.address
        )
    });
    arm_template::embedded(
        b,
        Embedded {
            template,
            parameters: props.and_then(|p| p.get("parameters")),
            parameters_unknown,
            path: i.address.clone(),
            rel: rel.to_string(),
            to,
            keys: "terraform".to_string(),
        },
    );
}

/// The JSON value a string of the plan encodes (`jsonencode(...)`, `file("template.json")`),
/// `text` (the string, or its text without comments), located at the string `at`; None when
/// it is not JSON.
fn decoded<'t>(text: &'t str, at: &At<'_>) -> Option<Node<'t>> {
    let mut node = tree::parse(text, tree::MAX_DEPTH).ok()?;
    tree::relocate(&mut node, at.v.start);
    Some(node)
}

/// A template deployment whose template is not read (`why`, shown at `at`): what it may set
/// is unknown. The pricing and setting of the subscription it deploys to (`to`), and the
/// resource pricings; of a management-group or tenant deployment, which may deploy to any
/// subscription, every cloud account.
fn unread_template(
    b: &mut Builder,
    i: &Instance<'_>,
    to: &DeployedTo,
    (why, at): (String, At<'_>),
) {
    b.warning(
        &at,
        &format!(
            "the ARM template `{}` deploys was not read: {why}",
            i.address
        ),
    );
    match to {
        DeployedTo::Subscription { key, .. } | DeployedTo::ResourceGroup { key, .. } => {
            let Some(a) = b.cloud_account(key, "Azure", "terraform", &i.after) else {
                return;
            };
            let fields = [
                "servers_tier",
                "servers_plan",
                "mde_integration",
                "mde_linux_excluded",
            ];
            for field in fields {
                a.set(field, Value::Unknown, Some(at.loc()));
            }
            let id = a.identity().unwrap_or_default().to_string();
            for field in fields {
                b.unknown("cloud_accounts", field, &id, why.clone(), &at);
            }
        }
        DeployedTo::ManagementGroup | DeployedTo::Tenant => {
            b.gap("cloud_accounts", None, None, why.clone(), &at);
        }
    }
    b.gap("resource_pricings", None, None, why, &at);
}

/// The record of `deleted_groups` for a group the plan deletes (destroys, or replaces), from
/// its values before the plan (`change.before`), shown at the deletion (`actions`): unless a group
/// of the plan holds its name after apply (the new object of a replacement that keeps the name,
/// another resource of the same name), or may (the new object's name is known only after
/// apply). That group is judged on its planned values; the name is then not lost.
fn deleted_group(i: &Instance<'_>, instances: &[Instance<'_>]) -> Option<Record> {
    let actions = i.deleted?;
    let name = i.after.get("display_name").and_then(|n| n.text());
    let planned = |g: &&Instance<'_>| g.kind == "azuread_group" && g.deleted.is_none();
    for g in instances.iter().filter(planned) {
        let unknown = g
            .unknown
            .and_then(|u| u.get("display_name"))
            .is_some_and(|u| u.boolean() == Some(true));
        let planned_name = g.after.get("display_name").and_then(|n| n.text());
        if (g.address == i.address && unknown) || (name.is_some() && planned_name == name) {
            return None;
        }
    }
    let mut r = Record::new(&schema::DELETED_GROUP, Some(actions.loc()));
    r.set("id", group_id(i), None);
    put(&mut r, "name", &i.after, "display_name", Conv::Text);
    r.set("address", Value::Str(i.address.as_str().into()), None);
    let replaced = actions.items().len() > 1;
    let action = if replaced { "replace" } else { "delete" };
    r.set("action", Value::Str(action.into()), Some(actions.loc()));
    Some(r)
}

/// A pricing or setting the plan deletes whose deletion sets what dexlint reads ([`RESETS`]):
/// the azurerm provider resets a Defender for Servers pricing (`resource_type`
/// `VirtualMachines`) to the `Free` tier, and turns a `WDATP` setting off, when it deletes the
/// resource. The account's field takes that value, shown at the deletion (`actions`). When
/// another resource of the plan sets the field too, which of the two is applied last is not
/// known: the field is unknown. A deletion that undoes its own replacement's creation
/// (`create_before_destroy`) is also a warning that says so.
fn deleted_setting(b: &mut Builder, doc: &At<'_>, i: &Instance<'_>, rel: &str, setters: &Setters) {
    let (Some(actions), Some(reset)) = (i.deleted, reset_of(&i.kind)) else {
        return;
    };
    let selected = i
        .after
        .get(reset.selector)
        .and_then(|t| t.text())
        .or_else(|| reset.default.map(str::to_string));
    if !selected.is_some_and(|s| s.eq_ignore_ascii_case(reset.reads)) {
        return;
    }
    if i.undoes_create {
        b.warning(
            &actions,
            &format!(
                "`{}` is replaced under `create_before_destroy` (`actions` `[\"create\", \
                 \"delete\"]`): Terraform destroys the prior object after creating the new one, \
                 and destroying it {} on the same subscription, so the planned values do not \
                 apply; drop `create_before_destroy` from the resource so that the prior object \
                 is destroyed first",
                i.address, reset.effect
            ),
        );
    }
    let Some(a) = account(b, doc, i, rel) else {
        return;
    };
    if a.get(reset.field).is_none_or(Field::is_null) {
        a.set(reset.field, (reset.value)(), Some(actions.loc()));
        return;
    }
    a.set(reset.field, Value::Unknown, Some(actions.loc()));
    let id = a.identity().unwrap_or_default().to_string();
    let other = setters
        .get(&(id.to_ascii_lowercase(), reset.field))
        .map_or_else(|| "another resource".to_string(), |o| format!("`{o}`"));
    b.unknown(
        "cloud_accounts",
        reset.field,
        &id,
        format!(
            "`{rel}` deletes `{}`, which {}, and sets {} with {other}: which of the two is \
             applied last is not known",
            i.address, reset.effect, reset.what
        ),
        &actions,
    );
}

/// The resource of the plan that set each judged field of a cloud account: (the account's id
/// in lowercase, field) → the resource's address.
type Setters = std::collections::HashMap<(String, &'static str), String>;

/// What each field of an account held before a resource set it, and where (None: nothing).
type Held = Vec<Option<(Value, Option<Loc>)>>;

/// What the fields `fields` (model field, attribute) of account `a` hold before a resource
/// sets them.
fn held(a: &Record, fields: &[(&'static str, &str)]) -> Held {
    fields
        .iter()
        .map(|(field, _)| a.get(field).map(|f| (f.value().to_value(), f.loc())))
        .collect()
}

/// After `i` has set the `fields` of its account, which held `earlier` ([`held`]): a field
/// another resource of the plan set to another value is unknown, with a warning at `i`'s value
/// and a reason that name both resources. Terraform's `resource_changes` are in no set order
/// ("undefined" in Terraform's JSON plan output) and resources that do not depend on each other
/// are applied in no set order either, so which of the two is applied last is not known. A field
/// unknown already stays unknown, and one `i` leaves out (`null`) keeps its earlier value.
fn settle(
    b: &mut Builder,
    doc: &At<'_>,
    i: &Instance<'_>,
    rel: &str,
    (fields, earlier): (&[(&'static str, &str)], Held),
    setters: &mut Setters,
) {
    let Some(a) = account(b, doc, i, rel) else {
        return;
    };
    let id = a.identity().unwrap_or_default().to_string();
    let mut conflicts = Vec::new();
    for (&(field, attribute), before) in fields.iter().zip(earlier) {
        let now = a.get(field).map(|f| f.value().to_value());
        let key = (id.to_ascii_lowercase(), field);
        match (before, now) {
            (None | Some((Value::Null, _)), Some(now)) if !now.is_null() => {
                setters.insert(key, i.address.clone());
            }
            (Some((Value::Unknown, loc)), _) => {
                a.set(field, Value::Unknown, loc);
            }
            (Some(_), Some(Value::Unknown)) | (None, _) => {}
            (Some((first, loc)), now) => match now.filter(|n| !n.is_null()) {
                Some(second) if second != first => {
                    let at = i.after.get(attribute).unwrap_or(i.after);
                    a.set(field, Value::Unknown, Some(at.loc()));
                    let other = setters.get(&key).cloned();
                    conflicts.push((field, first, second, other, at));
                }
                _ => {
                    a.set(field, first, loc);
                }
            },
        }
    }
    for (field, first, second, other, at) in conflicts {
        let what = crate::export::account_words(field).unwrap_or(field);
        let (first, second) = (crate::export::shown(&first), crate::export::shown(&second));
        let other = other.map_or_else(|| "another resource".to_string(), |o| format!("`{o}`"));
        b.warning(
            &at,
            &format!(
                "`{}` sets the {what} of Azure account `{id}` to {second}, and {other} sets it \
                 to {first}: Terraform applies resources that do not depend on each other in no \
                 set order, so which is applied last is not known and the {what} is unknown; \
                 manage it with one resource",
                i.address
            ),
        );
        b.unknown(
            "cloud_accounts",
            field,
            &id,
            format!(
                "`{rel}` sets the {what} of Azure account `{id}` with two resources, {other} \
                 ({first}) and `{}` ({second}): which is applied last is not known",
                i.address
            ),
            &at,
        );
    }
}

/// The attributes of `i` among `fields` (model field, attribute) that the plan knows only after
/// apply (`after_unknown.<attribute>` true; Terraform leaves them out of `after`): each is set to
/// [`Value::Unknown`] in `r`, at the flag, and returned with the reason and the flag, for
/// [`Builder::unknown`].
fn known_after_apply<'a>(
    r: &mut Record,
    i: &Instance<'a>,
    fields: &[(&'static str, &str)],
    rel: &str,
) -> Vec<(&'static str, String, At<'a>)> {
    let mut out = Vec::new();
    for &(field, attribute) in fields {
        let Some(flag) = i
            .unknown
            .and_then(|u| u.get(attribute))
            .filter(|f| f.boolean() == Some(true))
        else {
            continue;
        };
        r.set(field, Value::Unknown, Some(flag.loc()));
        let why = format!(
            "`{attribute}` of `{}` in `{rel}` is known only after apply (`after_unknown.{attribute}`)",
            i.address
        );
        out.push((field, why, flag));
    }
    out
}

/// Why what `i` is cannot be told at plan time: its `attribute` (`resource_type`,
/// `setting_name`), which says which pricing or setting it is, is known only after apply.
/// The flag in `after_unknown` is returned with the reason.
fn unknown_selector<'a>(i: &Instance<'a>, attribute: &str, rel: &str) -> Option<(String, At<'a>)> {
    let flag = i.unknown.and_then(|u| u.get(attribute))?;
    (flag.boolean() == Some(true)).then(|| {
        let why = format!(
            "`{attribute}` of `{}` in `{rel}` is known only after apply \
             (`after_unknown.{attribute}`): whether it sets this value is not known",
            i.address
        );
        (why, flag)
    })
}

/// Makes unknown, for the reason `why` shown at `at`, the `fields` of the account `i`
/// configures, unless they are unknown already: whatever value another resource of the plan
/// gives them, `i` may set them too, and which is applied last is not known (see [`settle`]).
fn unknown_account_fields(
    b: &mut Builder,
    doc: &At<'_>,
    i: &Instance<'_>,
    rel: &str,
    fields: &[(&'static str, &str)],
    (why, at): (String, At<'_>),
) {
    let Some(a) = account(b, doc, i, rel) else {
        return;
    };
    let mut unset = Vec::new();
    for &(field, _) in fields {
        if !a.get(field).is_some_and(Field::is_unknown) {
            a.set(field, Value::Unknown, Some(at.loc()));
            unset.push(field);
        }
    }
    let id = a.identity().unwrap_or_default().to_string();
    for field in unset {
        b.unknown("cloud_accounts", field, &id, why.clone(), &at);
    }
}

/// The Azure subscription the plan's azurerm provider targets: the provider configuration's
/// `subscription_id`, a constant, or a variable whose value is a subscription id (see
/// [`expression_value`]: a root-module variable's value, a child module's from its module
/// call); else the subscription the ARM ids of the existing pricings and
/// settings of that provider configuration name; else one account per provider configuration
/// (`azurerm.dev` and `azurerm.prod`, `module.spoke:azurerm` are subscriptions of their own),
/// named after the plan file (see [`unnamed_account`]).
fn account<'b>(
    b: &'b mut Builder,
    doc: &At<'_>,
    i: &Instance<'_>,
    rel: &str,
) -> Option<&'b mut Record> {
    let (key, subscription) = account_key(doc, i, rel);
    let a = b.cloud_account(&key, "Azure", "terraform", &i.after)?;
    // A fresh account is named by its key.
    if a.get("id").and_then(Field::as_str) == Some(key.as_str()) {
        let id = subscription.unwrap_or_else(|| unnamed_account(doc, i, rel));
        a.set("id", Value::Str(id.into()), None);
    }
    Some(a)
}

/// The name of an account whose subscription the plan does not tell, after the plan file (as
/// an ARM template's `target subscription of main.json`): one plan per environment, each with
/// the subscription from the environment (`ARM_SUBSCRIPTION_ID`), are accounts of their own.
/// `target subscription of plans/prod.json` for the default provider configuration, `target
/// subscription of azurerm.dev in plans/prod.json` for another (an alias, a module's own).
fn unnamed_account(doc: &At<'_>, i: &Instance<'_>, rel: &str) -> String {
    let provider = config(doc, i).and_then(|r| r.get("provider_config_key").and_then(|k| k.text()));
    match provider.as_deref() {
        Some("azurerm") | None => format!("target subscription of {rel}"),
        Some(p) => format!("target subscription of {p} in {rel}"),
    }
}

/// The key of the cloud account [`account`] gives `i`, and the subscription id when the plan
/// tells it.
fn account_key(doc: &At<'_>, i: &Instance<'_>, rel: &str) -> (String, Option<String>) {
    let provider = config(doc, i).and_then(|r| r.get("provider_config_key").and_then(|k| k.text()));
    let subscription = provider.as_ref().and_then(|key| {
        let expression = doc
            .path(&["configuration", "provider_config"])?
            .get(key)?
            .path(&["expressions", "subscription_id"])?;
        // A provider configuration of a child module (`module.a.module.b:azurerm`) is
        // evaluated in that module.
        let module = key
            .split_once(':')
            .map_or_else(Vec::new, |(m, _)| module_path(m));
        expression_value(doc, &module, &expression, 0)
            .filter(|v| super::entra_exporter::guid_like(v))
    });
    // A resource the configuration no longer declares (the plan deletes it) has no provider
    // configuration: its ARM id names its subscription.
    let subscription = subscription.or_else(|| {
        config(doc, i).is_none().then_some(())?;
        subscription_of(&i.after)
    });
    // A provider configuration that does not give the subscription (`ARM_SUBSCRIPTION_ID` from
    // the environment, as CI sets it): the ARM ids of the pricings and settings it manages name
    // it, those of the plan's existing resources (one the plan creates has none yet).
    let subscription = subscription.or_else(|| {
        let key = provider.as_deref()?;
        let managed = |o: &Instance<'_>| {
            reset_of(&o.kind).is_some()
                && config(doc, o)
                    .and_then(|r| r.get("provider_config_key"))
                    .and_then(|k| k.text())
                    .as_deref()
                    == Some(key)
        };
        let changes = doc
            .get("resource_changes")
            .map(|l| l.items())
            .unwrap_or_default();
        let mut prior = Vec::new();
        if let Some(root) = doc.path(&["prior_state", "values", "root_module"]) {
            module_values(&root, "", &mut prior);
        }
        changes
            .iter()
            .filter(|rc| {
                rc.get("type")
                    .and_then(|t| t.text())
                    .is_some_and(|t| reset_of(&t).is_some())
            })
            .flat_map(change)
            .chain(prior)
            .filter(managed)
            .find_map(|o| subscription_of(&o.after))
    });
    let key = match (&subscription, &provider) {
        (Some(s), _) => format!("terraform:{}", s.to_ascii_lowercase()),
        (None, Some(p)) => format!("terraform:{rel}:{p}"),
        (None, None) => format!("terraform:{rel}"),
    };
    (key, subscription)
}

/// The text a configuration expression of the module at `module` (its module call names from
/// the root) has: its `constant_value`, or the value of the one variable it references
/// (`var.subscription_id`; `var.env == "prod" ? "A" : "B"` references `var.env` only, and is no
/// value of it). A root-module variable's value is the plan's (`variables.<name>.value`); a
/// child module's is what the module call passes (`module_calls.<name>.expressions.<variable>`,
/// evaluated in the calling module), else the variable's `default`. None when it cannot be
/// told (a local value, a resource attribute, a `for_each` module's `each.value`).
fn expression_value(
    doc: &At<'_>,
    module: &[String],
    expression: &At<'_>,
    depth: usize,
) -> Option<String> {
    if let Some(constant) = expression.get("constant_value") {
        return constant.text();
    }
    let references = expression.get("references")?.strings()?;
    let [reference] = references.as_slice() else {
        return None;
    };
    let variable = reference.as_str()?.strip_prefix("var.")?;
    let Some((_, parent)) = module.split_last() else {
        return doc.path(&["variables", variable, "value"])?.text();
    };
    // Modules nest as deep as the configuration does; a bound keeps a crafted document from
    // recursing without end.
    if depth >= 64 {
        return None;
    }
    let mut call = doc.path(&["configuration", "root_module"])?;
    for (i, name) in module.iter().enumerate() {
        call = call.get("module_calls")?.get(name)?;
        if i + 1 < module.len() {
            call = call.get("module")?;
        }
    }
    match call.path(&["expressions", variable]) {
        Some(passed) => expression_value(doc, parent, &passed, depth + 1),
        None => call
            .path(&["module", "variables", variable, "default"])
            .and_then(|d| d.text()),
    }
}

/// The subscription an azurerm resource's ARM id (`id`: `/subscriptions/<id>/providers/...`)
/// names.
fn subscription_of(values: &At<'_>) -> Option<String> {
    let id = values.get("id").and_then(|t| t.text())?;
    let rest = id.strip_prefix('/').unwrap_or(&id);
    let (head, rest) = rest.split_once('/')?;
    let sub = rest.split('/').next()?;
    (head.eq_ignore_ascii_case("subscriptions") && super::entra_exporter::guid_like(sub))
        .then(|| sub.to_string())
}

/// A membership the plan deletes (`azuread_group_member` of `actions` `["delete"]`, or the prior
/// object of a replacement): the object ids of its group and member, from `change.before`.
struct Removed {
    group: String,
    member: String,
}

/// The memberships the plan deletes. A group's `members` is Optional and Computed in the
/// azuread provider (`group_resource.go`): a configuration that leaves it out, and manages
/// members with `azuread_group_member` instead, plans the group's refreshed members, among them
/// those whose `azuread_group_member` the plan deletes; they are no members after apply.
fn removed_members(instances: &[Instance<'_>]) -> Vec<Removed> {
    instances
        .iter()
        .filter(|i| i.kind == "azuread_group_member" && i.deleted.is_some())
        .filter_map(|i| {
            Some(Removed {
                group: i.after.get("group_object_id")?.text()?,
                member: i.after.get("member_object_id")?.text()?,
            })
        })
        .collect()
}

fn group(
    b: &mut Builder,
    doc: &At<'_>,
    i: &Instance<'_>,
    (objects, removed, rel): (&Objects, &[Removed], &str),
) -> Record {
    let mut r = Record::new(&schema::GROUP, Some(i.after.loc()));
    let gid = group_id(i);
    // The memberships the plan deletes from this group (by its object id).
    let gone: Vec<&str> = removed
        .iter()
        .filter(|m| {
            gid.as_str()
                .is_some_and(|g| g.eq_ignore_ascii_case(&m.group))
        })
        .map(|m| m.member.as_str())
        .collect();
    r.set("id", gid, None);
    r.set("address", Value::Str(i.address.as_str().into()), None);
    r.set("source", Value::Str("terraform".into()), None);
    put(&mut r, "name", &i.after, "display_name", Conv::Text);
    if let Some(before) = &i.renamed_from {
        put_at(&mut r, "renamed_from", before, Conv::Text);
    }
    put(&mut r, "types", &i.after, "types", Conv::Strings);
    put(
        &mut r,
        "security_enabled",
        &i.after,
        "security_enabled",
        Conv::Bool,
    );
    put(&mut r, "mail_enabled", &i.after, "mail_enabled", Conv::Bool);
    // Values known only after apply (a name from another resource's attribute) are unknown,
    // not absent.
    let unknown = known_after_apply(
        &mut r,
        i,
        &[
            ("name", "display_name"),
            ("types", "types"),
            ("security_enabled", "security_enabled"),
            ("mail_enabled", "mail_enabled"),
        ],
        rel,
    );
    let rule = i
        .after
        .get("dynamic_membership")
        .and_then(|d| d.items().into_iter().next())
        .and_then(|d| d.get("rule"));
    if let Some(rule) = &rule {
        if let Some(text) = rule.text() {
            r.set("membership_rule", Value::Str(text.into()), Some(rule.loc()));
        }
    }
    let dynamic_type = i
        .after
        .get("types")
        .and_then(|t| t.strings())
        .is_some_and(|t| t.iter().any(|x| x.as_str() == Some("DynamicMembership")));
    r.set("dynamic", Value::Bool(dynamic_type || rule.is_some()), None);
    let id = r.identity().unwrap_or_default().to_string();
    let dynamic_unknown = unknown
        .iter()
        .find(|(field, ..)| *field == "types")
        .map(|(_, why, at)| (why.clone(), *at))
        .or_else(|| {
            i.unknown
                .and_then(|u| u.get("dynamic_membership"))
                .filter(|f| f.boolean() == Some(true))
                .map(|at| {
                    let why = format!(
                        "`dynamic_membership` of `{}` in `{rel}` is known only after apply \
                         (`after_unknown.dynamic_membership`)",
                        i.address
                    );
                    (why, at)
                })
        });
    if let Some((why, at)) = dynamic_unknown.filter(|_| !dynamic_type && rule.is_none()) {
        r.set("dynamic", Value::Unknown, Some(at.loc()));
        b.unknown("groups", "dynamic", &id, why, &at);
    }
    for (field, why, at) in unknown {
        b.unknown("groups", field, &id, why, &at);
    }
    // Members known only after apply are unknown, not none: a rule that needs them lists the
    // group as not evaluated, with every other value of it that it needs and the plan does not
    // know, while a rule that the group's known values rule out (a name that is not the
    // reserved one) judges it.
    let members_unknown = i
        .unknown
        .and_then(|u| u.get("members"))
        .filter(|u| u.boolean() == Some(true));
    if let Some(flag) = members_unknown {
        r.set("members", Value::Unknown, Some(flag.loc()));
        let mut why = format!(
            "the members of `{}` in `{rel}` are known only after apply (`after_unknown.members`)",
            i.address
        );
        if i.replaces.is_some() {
            why.push_str(
                ": the plan replaces the group, and the new group (another object id) has only \
                 the members the configuration adds to it, not those of the group it replaces",
            );
        }
        b.unknown("groups", "members", &id, why, &flag);
    } else if let Some(members) = i.after.get("members") {
        // Terraform writes an element known only after apply as null in `after` and true at
        // its index in `after_unknown` (`omitUnknowns` and `unknownAsBool` in
        // internal/command/jsonplan/plan.go).
        let unknown: Vec<bool> = i
            .unknown
            .and_then(|u| u.get("members"))
            .map(|u| {
                u.items()
                    .iter()
                    .map(|x| x.boolean() == Some(true))
                    .collect()
            })
            .unwrap_or_default();
        let mut list: Vec<Record> = members
            .items()
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                !m.text()
                    .is_some_and(|id| gone.iter().any(|g| g.eq_ignore_ascii_case(&id)))
            })
            .map(|(n, m)| {
                let mut rec = Record::new(&schema::MEMBER, Some(m.loc()));
                if let Some(id) = m.text() {
                    rec.set("id", Value::Str(id.as_str().into()), Some(m.loc()));
                    member_kind(b, &mut rec, (&id, *m), (objects, rel));
                } else if unknown.get(n) == Some(&true) {
                    let id = format!("{}.members[{n}]", i.address);
                    let why = format!(
                        "member {} of `{}` in `{rel}` is known only after apply \
                         (`after_unknown.members[{n}]`): whether it is a user, group or device \
                         is not known",
                        n + 1,
                        i.address
                    );
                    unknown_member(b, &mut rec, &id, why, m);
                }
                rec
            })
            .collect();
        // Members given by reference to a planned group are nested groups (their ids are
        // unknown until apply, so `after.members` is null or lacks them).
        let refs = references(doc, i, "members");
        let mut seen: Vec<String> = Vec::new();
        for g in refs.iter().filter_map(|r| referenced_group(i, r)) {
            // `azuread_group.x` is implied by `azuread_group.x["k"]`: keep the first of each.
            let base = g.split('[').next().unwrap_or(&g).to_string();
            if seen
                .iter()
                .any(|s| s.split('[').next() == Some(base.as_str()))
            {
                continue;
            }
            seen.push(g.clone());
            list.push(nested(&g, members.loc()));
        }
        r.set("members", Value::Records(list.into()), Some(members.loc()));
    }
    r
}

/// Member `m`, whose object id the plan does not know, named `id`: its kind is unknown, for the
/// reason `why`, so the rules on nested groups and member kinds list it as not evaluated.
fn unknown_member(b: &mut Builder, m: &mut Record, id: &str, why: String, at: &At<'_>) {
    m.set("id", Value::Str(id.into()), Some(at.loc()));
    m.set("kind", Value::Unknown, Some(at.loc()));
    b.unknown("groups", "kind", id, why, at);
}

fn nested(address: &str, loc: Loc) -> Record {
    let mut m = Record::new(&schema::MEMBER, Some(loc));
    m.set("id", Value::Str(address.into()), None);
    m.set("name", Value::Str(address.into()), None);
    m.set("kind", Value::Str("group".into()), None);
    m
}

/// `azuread_group_member`: adds the member to the group it targets (by planned object id, or
/// by reference in its module's configuration). A group read by a data source
/// (`data.azuread_group.x`) is the existing group as `prior_state` holds it: it joins the
/// groups with the members it has and the planned one. A group named only by a literal object
/// id is a group whose name only the directory knows (see `group_by_id`). A member whose group
/// cannot be found otherwise is a warning at it.
fn group_member(
    b: &mut Builder,
    doc: &At<'_>,
    i: &Instance<'_>,
    (data, objects, removed, addresses, rel): (
        &[Instance<'_>],
        &Objects,
        &[Removed],
        &[&str],
        &str,
    ),
    groups: &mut Vec<Record>,
) {
    let refs = references(doc, i, "group_object_id");
    let target_data = refs.iter().find_map(|r| referenced_data_group(i, r));
    let target_address = first_group(i, &refs).filter(|_| target_data.is_none());
    let target_id = i.after.get("group_object_id").and_then(|g| g.text());
    let matches = |g: &Record| {
        let addr = g.get("address").and_then(|a| a.as_str());
        let id = g.get("id").and_then(|a| a.as_str());
        (target_address.is_some() && addr == target_address.as_deref())
            || (target_data.is_some() && addr == target_data.as_deref())
            || (target_id.is_some()
                && id
                    .zip(target_id.as_deref())
                    .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b)))
    };
    if !groups.iter().any(&matches) {
        let source = data.iter().find(|d| {
            Some(d.address.as_str()) == target_data.as_deref()
                || (target_id.is_some()
                    && d.after.get("object_id").and_then(|o| o.text()) == target_id)
        });
        match source {
            Some(d) => {
                let g = group(b, doc, d, (objects, removed, rel));
                groups.push(g);
            }
            None if target_data.is_none() && target_address.is_none() => {
                let Some(at) = i
                    .after
                    .get("group_object_id")
                    .filter(|g| g.text().is_some())
                else {
                    b.warning(
                        &i.after,
                        &format!(
                            "`{}` gives no `group_object_id`: the member it adds could not be \
                             attached to a group",
                            i.address
                        ),
                    );
                    return;
                };
                groups.push(group_by_id(b, i, &at, rel));
            }
            None => {
                let target = target_data
                    .clone()
                    .or_else(|| target_address.clone())
                    .or_else(|| target_id.clone())
                    .unwrap_or_else(|| "(unknown)".into());
                b.warning(
                    &i.after,
                    &format!(
                        "`{}` adds a member to `{target}`, which is not among the plan's groups \
                         (nor, for a data source, in its `prior_state`): the member could not be \
                         attached to its group",
                        i.address
                    ),
                );
                return;
            }
        }
    }
    let Some(group) = groups.iter_mut().find(|g| matches(g)) else {
        return;
    };
    let mut m = Record::new(&schema::MEMBER, Some(i.after.loc()));
    let target = member_target(i, &references(doc, i, "member_object_id"), addresses);
    let address = group
        .get("address")
        .and_then(Field::as_str)
        .unwrap_or_default()
        .to_string();
    let id_at = i
        .after
        .get("member_object_id")
        .filter(|a| a.text().is_some());
    match (id_at, target) {
        (Some(at), target) => {
            let id = at.text().unwrap_or_default();
            m.set("id", Value::Str(id.as_str().into()), Some(at.loc()));
            match target {
                // A referenced group is a nested group, named by its address.
                Some((addr, kind))
                    if kind == "group" || !objects.contains_key(&id.to_ascii_lowercase()) =>
                {
                    m.set("name", Value::Str(addr.into()), None);
                    m.set("kind", Value::Str(kind.into()), None);
                }
                _ => member_kind(b, &mut m, (&id, at), (objects, rel)),
            }
        }
        (None, Some((addr, kind))) => {
            m.set("id", Value::Str(addr.as_str().into()), None);
            m.set("name", Value::Str(addr.into()), None);
            m.set("kind", Value::Str(kind.into()), None);
        }
        (None, None) => {
            // An object id known only after apply (another module's output, a resource that is
            // no group, user or service principal): the member's kind is not known.
            let flagged = i
                .unknown
                .and_then(|u| u.get("member_object_id"))
                .and_then(|u| u.boolean())
                == Some(true);
            let why = if flagged {
                format!(
                    "the member `{}` adds to `{address}` in `{rel}` is known only after apply \
                     (`after_unknown.member_object_id`): whether it is a user, group or device \
                     is not known",
                    i.address
                )
            } else {
                format!(
                    "`{}` in `{rel}` gives no `member_object_id`: whether the member it adds to \
                     `{address}` is a user, group or device is not known",
                    i.address
                )
            };
            let at = i.after.get("member_object_id").unwrap_or(i.after);
            unknown_member(b, &mut m, &i.address, why, &at);
        }
    }
    // Members known only after apply stay unknown: the group has this one and others the plan
    // does not tell.
    if group.get("members").is_some_and(Field::is_unknown) {
        return;
    }
    let field = group.take("members");
    let loc = field.as_ref().and_then(|f| f.loc()).or(group.loc());
    let mut list = match field.map(Field::into_value) {
        Some(Value::Records(l)) => l,
        _ => ThinVec::new(),
    };
    list.push(m);
    group.set("members", Value::Records(list), loc);
}

/// The group an `azuread_group_member` names only by a literal object id (`at`, its
/// `group_object_id`), which no resource or data source of the plan describes: a group of the
/// directory whose name only the directory knows. Its name is unknown, so a member the plan
/// adds to it (a nested group added to the scoped group, say) leaves the rules on the scoped
/// groups not evaluated rather than passed. Its members are those the plan adds: the gate
/// judges what the plan changes, as for the groups the plan reads by data source.
fn group_by_id(b: &mut Builder, i: &Instance<'_>, at: &At<'_>, rel: &str) -> Record {
    let id = at.text().unwrap_or_default();
    let mut r = Record::new(&schema::GROUP, Some(at.loc()));
    r.set("id", Value::Str(id.as_str().into()), Some(at.loc()));
    r.set("source", Value::Str("terraform".into()), None);
    r.set("name", Value::Unknown, Some(at.loc()));
    b.unknown(
        "groups",
        "name",
        &id,
        format!(
            "`{}` in `{rel}` adds a member to the group of object id `{id}`, which the plan \
             does not describe (no `azuread_group` resource or data source): its name is \
             known only in the directory",
            i.address
        ),
        at,
    );
    r.set("members", Value::Records(ThinVec::new()), Some(at.loc()));
    r
}

/// A group's id: its Entra object id (`object_id`, or `id` as the azuread provider gives it),
/// else its Terraform address.
fn group_id(i: &Instance<'_>) -> Value {
    let object_id = i
        .after
        .get("object_id")
        .or_else(|| i.after.get("id"))
        .and_then(|i| i.text());
    Value::Str(object_id.unwrap_or_else(|| i.address.clone()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_drop_instance_keys() {
        assert_eq!(module_path(""), Vec::<String>::new());
        assert_eq!(module_path("module.identity"), ["identity"]);
        assert_eq!(
            module_path("module.a[0].module.b[\"x.y]\"]"),
            ["a".to_string(), "b".to_string()]
        );
    }
}
