//! ARM deployment templates as planned configuration: hand-written ARM JSON, and what `bicep
//! build` / `az bicep build` compile Bicep to. A template is recognised by its `$schema`
//! (`https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#`,
//! `2018-05-01/subscriptionDeploymentTemplate.json#`,
//! `2019-08-01/managementGroupDeploymentTemplate.json#`,
//! `2019-08-01/tenantDeploymentTemplate.json#`); parameters files
//! (`.../deploymentParameters.json#`, also what `bicep build-params` writes) are recognised and
//! read with the template beside them.
//!
//! `resources` is the classic array or, with `languageVersion` 2.0 (current Bicep), an object
//! keyed by symbolic name. Child resources nested in a resource's `resources` get their parent's
//! type and name in front of theirs; a resource with `copy` is read once per iteration
//! (`copyIndex()`); one whose `condition` is false is not deployed (the subscription's Servers
//! pricing or `WDATP` setting so skipped leaves that field unknown with that reason, and a
//! template that deploys nothing dexlint reads names what its conditions skip), and
//! `existing` resources are references, not deployed. A pricing or setting whose `condition` is
//! unknown, or not a boolean, has every field it sets unknown; a group, connector or module
//! whose `condition` is unknown makes the collections it would add to incomplete. A Servers pricing whose `scope` cannot be told is
//! one `resource_pricings` entity with its tier unknown. A parameter takes its value from the
//! parameters passed (file or parent deployment), else its `defaultValue`, else null when it
//! is `nullable`, else it is unknown. Read:
//!
//! - `Microsoft.Security/pricings` `VirtualMachines` (Defender for Servers): without `scope`,
//!   a subscription template's pricing is the target subscription's plan (a cloud account, one
//!   per template) and a resource-group template's is the target group's (`resource_pricings`);
//!   with `scope` (a resource id, a `Namespace/type/name` path of the deployment's group, or a
//!   symbolic name) or the older `.../providers/pricings` child form, the resource's.
//! - `Microsoft.Security/settings` `WDATP` and `WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW`, and
//!   `Microsoft.Security/securityConnectors`, through the ARM REST loaders of [`super::arm`].
//! - The Microsoft Graph Bicep extension's `Microsoft.Graph/groups@v1.0` (and `@beta`), in
//!   both the `extensions`/`extension` and the older `imports`/`import` form: `displayName`,
//!   `uniqueName`, `securityEnabled`, `mailEnabled`, `groupTypes`, `membershipRule` under
//!   `properties` (as Bicep compiles them) or at the resource's top level, and `members` as
//!   `{"relationships": [...]}` or an array. A member that is another resource of the template
//!   (`[reference('sym').id]`, `[resourceId('Microsoft.Graph/groups', 'name')]`) has that
//!   resource's kind: a Graph group is a nested group.
//!
//! Values are template expressions evaluated by [`expr`] (its doc lists the functions):
//! parameters come from the parameters files beside the template (every parameters file of
//! its folder not named after another template: several are environments, and a parameter
//! they do not all set alike is unknown), else their `defaultValue`. A value dexlint
//! cannot evaluate is [`Value::Unknown`] with the reason (the expression), so the rules that
//! need it are not evaluated for that resource: never a pass, never a guess.
//!
//! Property and variable `copy` loops (`"copy": [{"name", "count", "input"}]`,
//! `copyIndex('name')`) are evaluated; one whose `count` cannot be is unknown, with the reason.
//!
//! Deployments (`Microsoft.Resources/deployments`: what `bicep build` makes of every module,
//! and hand-written nested and linked templates) are followed up to 16 deep, with their `copy`
//! and `condition`. A nested template (`properties.template`) is read where it is written; with
//! `expressionEvaluationOptions.scope` `inner` (what Bicep writes) its parameters are the
//! deployment's `properties.parameters` (`{"name": {"value": ...}}`, evaluated in the parent
//! template), else their defaults; without it (`outer`) its expressions use the parent's
//! parameters and variables. It deploys to the subscription and resource group the deployment
//! names (`subscriptionId`, `resourceGroup`), else the parent's, at the scope its `$schema`
//! says. A linked template (`properties.templateLink.relativePath`) is read from the file at
//! that path from the linking template's folder when the export has it (never from the
//! network), with its own scope; its values are located at the deployment's `templateLink`,
//! since the per-file reader has no position in another file. A template another template of
//! the export links is not also read as one of its own: its records are dropped (see
//! [`Builder::linked`]), its load problems kept. A link dexlint cannot follow (a `uri`, a template spec `id`, a
//! missing file) is a warning at it, and the cloud accounts and resource pricings are marked
//! incomplete, so the Defender for Cloud rules are not evaluated rather than passed.
//!
//! Records are named by symbolic name, else `type/name` (with `[i]` for a copy iteration),
//! after the path of the deployments they are nested in, each followed by `::`
//! (`scopedGroup::scopedUsers`, `platform::defender::serversPricing`), and located at the
//! template's property (`/resources/defender/properties/template/resources/serversPricing/properties/pricingTier`):
//! a value that comes from the parent of a nested template, or from a parameters file through
//! an expression, is located where the template uses it. A Defender for Servers pricing's tier
//! or sub-plan, or a setting's `enabled`, that a template writes as the parameter itself
//! (`[parameters('serversTier')]`, what Bicep compiles `pricingTier: serversTier` to) is
//! located where that parameter's value is written: a parameters file's value (see
//! [`Builder::beside`]), or the value a deployment passes its template, or where the parent's
//! parameter it passes on is (see [`Reader::passed_origins`]); one a linked template writes as
//! a literal, at that value in the linked file: a pull request that changes the deployment
//! changes that line. The
//! cloud account of a subscription template is named after its deployment
//! target, `target subscription of main.json` (the subscription id when a deployment or a
//! `scope` names one).

pub mod expr;

use super::arm::Scope;
use crate::export::json::{put, put_at, At, Conv, Strings};
use crate::export::tree::{self, Kind, Node};
use crate::export::Builder;
use crate::model::schema;
use crate::model::{Field, Loc, Record, Value};
use expr::{Context, Known, Val};
use std::borrow::Cow;
use std::collections::HashMap;

/// The `source` of the records this format writes.
const SOURCE: &str = "arm-template";

/// Largest parameters file read beside a template.
const MAX_PARAMETERS_BYTES: u64 = 16 << 20;

/// Most iterations of one `copy` loop (ARM's own limit is 800).
const MAX_COPY: i64 = 800;

/// Deepest nesting of child resources, and of nested or linked deployments, followed.
const MAX_NESTING: usize = 16;

/// Largest linked template read.
const MAX_TEMPLATE_BYTES: u64 = 16 << 20;

/// The type of nested and linked deployments (what `bicep build` makes of a module).
const DEPLOYMENTS: &str = "microsoft.resources/deployments";

/// The resource types this format reads (lowercase, without API version).
const READ_TYPES: &[&str] = &[
    "microsoft.security/pricings",
    "microsoft.security/settings",
    "microsoft.security/securityconnectors",
    "microsoft.graph/groups",
];

/// What a template deploys to, from its `$schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    ResourceGroup,
    Subscription,
    ManagementGroup,
    Tenant,
}

/// What an ARM `$schema` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Schema {
    Template(Target),
    Parameters,
}

/// The kind of document an ARM `$schema` URL names; None for any other `$schema`.
fn schema_of(doc: &At<'_>) -> Option<Schema> {
    let url = doc.get("$schema")?.as_str()?.to_ascii_lowercase();
    if !url.contains("schema.management.azure.com/schemas/") {
        return None;
    }
    let file = url.trim_end_matches('#').rsplit('/').next()?.to_string();
    Some(match file.as_str() {
        "deploymenttemplate.json" => Schema::Template(Target::ResourceGroup),
        "subscriptiondeploymenttemplate.json" => Schema::Template(Target::Subscription),
        "managementgroupdeploymenttemplate.json" => Schema::Template(Target::ManagementGroup),
        "tenantdeploymenttemplate.json" => Schema::Template(Target::Tenant),
        "deploymentparameters.json" | "subscriptiondeploymentparameters.json" => Schema::Parameters,
        _ => return None,
    })
}

/// Reads an ARM deployment template (or recognises a parameters file, read with its template);
/// false when the document is neither.
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    if !doc.is_object() {
        return false;
    }
    let target = match schema_of(doc) {
        None => return false,
        Some(Schema::Parameters) => {
            unmatched_parameters(b, doc, rel);
            return true;
        }
        Some(Schema::Template(t)) => t,
    };
    b.linkable();
    let (given, origins) = parameters_file(b, doc, rel);
    let mut reader = Reader {
        origins,
        linked: None,
        rel: rel.to_string(),
        top: rel.to_string(),
        dir: String::new(),
        seen: Vec::new(),
        read: 0,
        prefix: String::new(),
        keys: format!("{SOURCE}:{rel}"),
        account: Account {
            key: format!("{SOURCE}:{rel}"),
            id: format!("target subscription of {rel}"),
        },
        group: None,
        depth: 0,
        accounts: Vec::new(),
        not_deployed: Vec::new(),
    };
    let missing = format!("no parameters file beside `{rel}` sets it");
    reader.template(b, doc, target, &given, None, &missing);
    unset_fields(b, doc, rel, &reader.accounts, &reader.not_deployed);
    reader.nothing_read(b, doc, "this ARM template");
    true
}

/// What an ARM template embedded in a document of another format deploys to (see
/// [`embedded`]).
#[derive(Debug, Clone)]
pub enum DeployedTo {
    /// A subscription: the key and id of its cloud account record (see
    /// [`Builder::cloud_account`]).
    Subscription {
        /// The account's key.
        key: String,
        /// The subscription id, or what names the subscription when it is not known.
        id: String,
    },
    /// A resource group of a subscription (as [`DeployedTo::Subscription`]) and its name.
    ResourceGroup {
        /// The subscription's account key.
        key: String,
        /// The subscription id, or what names the subscription.
        id: String,
        /// The resource group's name.
        group: String,
    },
    /// A management group.
    ManagementGroup,
    /// The tenant.
    Tenant,
}

/// An ARM template that a document of another format deploys: a Terraform template deployment's
/// `template_content` (`azurerm_subscription_template_deployment` and its resource-group,
/// management-group and tenant forms) or an azapi `Microsoft.Resources/deployments`'
/// `body.properties.template`.
pub struct Embedded<'a> {
    /// The template, located in the document that holds it.
    pub template: At<'a>,
    /// The parameters the deployment passes (`{"name": {"value": ...}}`, or a parameters file
    /// whose `parameters` they are); None when it passes none. A parameter the deployment's
    /// `parameters` leaves out takes its default.
    pub parameters: Option<At<'a>>,
    /// Why the parameters the deployment passes are not known (its parameters known only after
    /// apply): every parameter of the template is then unknown, for this reason.
    pub parameters_unknown: Option<String>,
    /// The deploying resource as messages name it (a Terraform resource address): records are
    /// named after it, as after a deployment (`azurerm_subscription_template_deployment.d::VirtualMachines`).
    pub path: String,
    /// The document's path, relative to the export root.
    pub rel: String,
    /// What it deploys to.
    pub to: DeployedTo,
    /// What the keys of the cloud accounts of the subscriptions the template names by id start
    /// with, before `:<subscription id>` (`terraform`: the plan's own accounts).
    pub keys: String,
}

/// Reads an ARM template that another document deploys (see [`Embedded`]) as a nested
/// deployment is read: its resources deploy to `to`, with the parameters the deployment passes.
/// What it does not set of the subscription is left as it is: the document that deploys it
/// says what it sets of the rest.
pub fn embedded(b: &mut Builder, e: Embedded<'_>) {
    let shown = format!("the ARM template of `{}`", e.path);
    let parameters = e.parameters.map(|p| match schema_of(&p) {
        Some(Schema::Parameters) => p.get("parameters").unwrap_or(p),
        _ => p,
    });
    let mut given = passed(parameters, &format!("of `{}`", e.path), json_val);
    if let Some(why) = &e.parameters_unknown {
        for (name, _) in e
            .template
            .get("parameters")
            .map(|p| p.members())
            .unwrap_or_default()
        {
            given.insert(
                name.to_ascii_lowercase(),
                Val::Unknown(format!("parameter `{name}`: {why}")),
            );
        }
    }
    let (target, account, group) = match e.to {
        DeployedTo::Subscription { key, id } => (Target::Subscription, Account { key, id }, None),
        DeployedTo::ResourceGroup { key, id, group } => {
            (Target::ResourceGroup, Account { key, id }, Some(group))
        }
        DeployedTo::ManagementGroup | DeployedTo::Tenant => {
            let target = if matches!(e.to, DeployedTo::Tenant) {
                Target::Tenant
            } else {
                Target::ManagementGroup
            };
            let account = Account {
                key: format!("{}:{}", e.keys, e.path),
                id: format!("target subscription of {}", e.path),
            };
            (target, account, None)
        }
    };
    let mut reader = Reader {
        origins: Origins::new(),
        linked: None,
        rel: e.rel.clone(),
        top: e.rel.clone(),
        dir: String::new(),
        seen: Vec::new(),
        read: 0,
        prefix: format!("{}::", e.path),
        keys: e.keys,
        account,
        group,
        depth: 0,
        accounts: Vec::new(),
        not_deployed: Vec::new(),
    };
    reader.origins = reader.passed_origins(parameters);
    let missing = format!("`{}` does not pass it", e.path);
    reader.template(b, &e.template, target, &given, None, &missing);
    reader.nothing_read(b, &e.template, &shown);
}

impl Reader {
    /// A note at the template `doc` (`what`: how the note names it) when it deploys nothing
    /// dexlint reads: what it deploys, and what it does not deploy and why.
    fn nothing_read(&self, b: &mut Builder, doc: &At<'_>, what: &str) {
        if self.read != 0 {
            return;
        }
        let at = doc.get("resources").unwrap_or(*doc);
        let mut seen = Vec::new();
        if !self.seen.is_empty() {
            seen.push(format!("it deploys `{}`", self.seen.join("`, `")));
        }
        if !self.not_deployed.is_empty() {
            let skipped: Vec<String> = self
                .not_deployed
                .iter()
                .map(|n| format!("`{}` ({})", n.shown, n.why()))
                .collect();
            seen.push(format!("it does not deploy {}", skipped.join(", ")));
        }
        if seen.is_empty() {
            seen.push("it has no resources".to_string());
        }
        b.note(
            &at,
            &format!(
                "{what} deploys no resource dexlint reads ({}); dexlint reads \
                 `Microsoft.Security/pricings`, `Microsoft.Security/settings`, \
                 `Microsoft.Security/securityConnectors` and `Microsoft.Graph/groups`",
                seen.join("; ")
            ),
        );
    }
}

/// The fields of the subscriptions a template deploys to that it does not set (no
/// `VirtualMachines` pricing, no `WDATP` setting): unknown, with the reason. A template
/// manages what it sets, not the rest of the subscription: reading an unset field as absent
/// would judge a plan the template leaves as it is.
fn unset_fields(
    b: &mut Builder,
    doc: &At<'_>,
    rel: &str,
    accounts: &[String],
    not_deployed: &[NotDeployed],
) {
    let at = doc.get("resources").unwrap_or(*doc);
    let unset_pricing =
        format!("`{rel}` does not set the Defender for Servers pricing (`VirtualMachines`)");
    let unset_setting =
        format!("`{rel}` does not set the Defender for Endpoint integration (the `WDATP` setting)");
    for key in accounts {
        // A pricing or setting whose `condition` is false is why, rather than its absence.
        let skipped = |field: &str| {
            not_deployed
                .iter()
                .find(|n| {
                    n.account
                        .as_ref()
                        .is_some_and(|(k, f)| k.eq_ignore_ascii_case(key) && *f == field)
                })
                .map(NotDeployed::reason)
        };
        let pricing = skipped("servers_tier").unwrap_or_else(|| unset_pricing.clone());
        let setting = skipped("mde_integration").unwrap_or_else(|| unset_setting.clone());
        let Some(account) = b.cloud_account(key, "Azure", SOURCE, &at) else {
            continue;
        };
        let unset = |f: &str| account.get(f).is_none_or(|v| v.is_null());
        let mut fields: Vec<(&'static str, &String)> = Vec::new();
        if unset("servers_tier") {
            fields.push(("servers_tier", &pricing));
            if unset("servers_plan") {
                fields.push(("servers_plan", &pricing));
            }
        }
        if unset("mde_integration") {
            fields.push(("mde_integration", &setting));
        }
        for (f, _) in &fields {
            account.set(f, Value::Unknown, Some(at.loc()));
        }
        let id = account.identity().unwrap_or_default().to_string();
        for (f, why) in fields {
            b.unknown("cloud_accounts", f, &id, why.clone(), &at);
        }
    }
}

/// Parameter values given by a parameters file: by lowercase name, the value.
type Given = HashMap<String, Val>;

/// The ARM documents of the current document's folder, by file name: templates and
/// parameters files, recognised by their `$schema` whatever their name (`bicep build-params
/// dev.bicepparam` writes `dev.json`).
fn arm_files_beside(b: &Builder) -> Vec<(String, Schema)> {
    let mut out = Vec::new();
    for f in b.files_beside() {
        if !f.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        let Some(text) = b.read_beside(&f, MAX_PARAMETERS_BYTES) else {
            continue;
        };
        // Most JSON files of an export are no ARM document: not parsed.
        if !text
            .to_ascii_lowercase()
            .contains("schema.management.azure.com/schemas/")
        {
            continue;
        }
        let text = tree::arm_without_comments(&text).unwrap_or(text);
        let Ok(node) = tree::parse(&text, tree::MAX_DEPTH) else {
            continue;
        };
        let strings = Strings::default();
        if let Some(kind) = schema_of(&At::new(&node, 0, &strings)) {
            out.push((f, kind));
        }
    }
    out
}

/// The parameters files (of `arm`, the ARM documents of the folder) read with the template
/// `name`: every parameters file of the folder but those named after another template of it
/// (`<stem>.parameters.json`, `<stem>.params.json`). Several (`main.parameters.json` beside
/// `prod.json` from `bicep build-params`) are the environments it may be deployed with: a
/// parameter they do not all set alike is unknown.
fn parameters_files_of<'f>(arm: &'f [(String, Schema)], name: &str) -> Vec<&'f String> {
    let stem_of = |n: &str| {
        let l = n.to_ascii_lowercase();
        l.strip_suffix(".json").unwrap_or(&l).to_string()
    };
    let named_after = |p: &str, stem: &str| {
        let l = p.to_ascii_lowercase();
        l == format!("{stem}.parameters.json") || l == format!("{stem}.params.json")
    };
    let params = arm.iter().filter(|(_, k)| *k == Schema::Parameters);
    let others: Vec<String> = arm
        .iter()
        .filter(|(f, k)| matches!(k, Schema::Template(_)) && !f.eq_ignore_ascii_case(name))
        .map(|(f, _)| stem_of(f))
        .collect();
    params
        .filter(|(f, _)| !others.iter().any(|o| named_after(f, o)))
        .map(|(f, _)| f)
        .collect()
}

/// A parameters file that no template of its folder reads: a note at it.
fn unmatched_parameters(b: &mut Builder, doc: &At<'_>, rel: &str) {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_string();
    let arm = arm_files_beside(b);
    let used = arm
        .iter()
        .filter(|(_, k)| matches!(k, Schema::Template(_)))
        .any(|(t, _)| parameters_files_of(&arm, t).contains(&&name));
    if !used && !arm.is_empty() {
        b.note(
            doc,
            &format!(
                "parameters file `{name}` is read with no template: no deployment template of its \
                 folder uses it (dexlint reads `<template>.parameters.json`, else every \
                 parameters file of the template's folder); its values were not used"
            ),
        );
    }
}

/// Where a parameter's value is given, to change it.
#[derive(Debug, Clone)]
enum Origin {
    /// In a parameters file: the file's name (in the top template's folder) and the offset of
    /// the value in it.
    Beside(String, u32),
    /// At a value of the document being read: what a deployment passes its template.
    Here(Loc),
}

/// Where the parameters of the template being read are given ([`Origin`]), by lowercase name.
type Origins = HashMap<String, Origin>;

/// The parameter a template value names when it is the parameter itself
/// (`[parameters('serversTier')]`, what Bicep compiles a property or a module parameter set to
/// a parameter to).
fn parameter_named(value: &At<'_>) -> Option<String> {
    let inner = value.as_str()?.strip_prefix('[')?.strip_suffix(']')?;
    if inner.starts_with('[') {
        return None;
    }
    let expr::Expr::Call(function, args) = expr::parse(inner).ok()? else {
        return None;
    };
    let [expr::Expr::Str(name)] = args.as_slice() else {
        return None;
    };
    function
        .eq_ignore_ascii_case("parameters")
        .then(|| name.to_string())
}

/// Whether a template value is a literal, not an expression (a string that does not start
/// with `[`, or escapes it as `[[`).
fn literal(value: &At<'_>) -> bool {
    match value.as_str() {
        Some(text) => !text.starts_with('[') || text.starts_with("[["),
        None => !value.is_object() && !value.is_array(),
    }
}

/// The values of the parameters files read with the template (see [`parameters_files_of`]),
/// and where each known value is given ([`Origins`]; the first file's when several agree).
/// When several are, a parameter they set differently is unknown.
fn parameters_file(b: &mut Builder, doc: &At<'_>, rel: &str) -> (Given, Origins) {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_string();
    let arm = arm_files_beside(b);
    let candidates = parameters_files_of(&arm, &name);
    let mut sets: Vec<(String, Given)> = Vec::new();
    let mut written_names: HashMap<String, String> = HashMap::new();
    let mut origins = Origins::new();
    for f in candidates {
        let Some(text) = b.read_beside(f, MAX_PARAMETERS_BYTES) else {
            continue;
        };
        let text = tree::arm_without_comments(&text).unwrap_or(text);
        let Ok(node) = tree::parse(&text, tree::MAX_DEPTH) else {
            continue;
        };
        let strings = Strings::default();
        let at = At::new(&node, doc.file, &strings);
        if schema_of(&at) != Some(Schema::Parameters) {
            continue;
        }
        let parameters = at.get("parameters");
        for (k, p) in parameters.map(|p| p.members()).unwrap_or_default() {
            written_names.insert(k.to_ascii_lowercase(), k.to_string());
            if let Some(v) = p.get("value") {
                origins
                    .entry(k.to_ascii_lowercase())
                    .or_insert_with(|| Origin::Beside(f.clone(), v.v.start));
            }
        }
        let given = passed(parameters, &format!("in `{f}`"), json_val);
        sets.push((f.clone(), given));
    }
    // A parameter every file sets alike has that value; one they set differently, or that
    // some set and others leave to the template's default, depends on the file deployed.
    let mut merged = Given::new();
    for (_, given) in &sets {
        for k in given.keys() {
            if merged.contains_key(k) {
                continue;
            }
            let mut values = sets.iter().map(|(_, g)| g.get(k));
            let first = values.next().flatten();
            let v = match first {
                Some(v) if values.all(|o| o == Some(v)) => v.clone(),
                _ => {
                    let each: Vec<String> = sets
                        .iter()
                        .map(|(f, g)| match g.get(k) {
                            Some(v) => format!("`{f}` gives {}", shown_val(v)),
                            None => format!("`{f}` leaves it to the template's default"),
                        })
                        .collect();
                    Val::Unknown(format!(
                        "parameter `{}` depends on the parameters file deployed with the \
                         template: {} (each is a deployment of its own, which dexlint does not \
                         judge apart)",
                        written_names.get(k).unwrap_or(k),
                        each.join(", ")
                    ))
                }
            };
            merged.insert(k.clone(), v);
        }
    }
    origins.retain(|k, _| merged.get(k).is_some_and(|v| !matches!(v, Val::Unknown(_))));
    (merged, origins)
}

/// Field `field` of `r`, when it holds the value written at `written` (not one another resource
/// gave, nor unknown), located at `at` instead.
fn moved_to(r: &mut Record, field: &str, written: Loc, at: Loc) {
    let Some(f) = r
        .get(field)
        .filter(|f| f.loc() == Some(written) && !f.is_unknown())
    else {
        return;
    };
    let value = f.value().to_value();
    r.set(field, value, Some(at));
}

/// A parameters file's value as a reason shows it: `` `Free` ``, `` `true` ``, `an array`.
fn shown_val(v: &Val) -> String {
    match v {
        Val::Null => "`null`".to_string(),
        Val::Bool(b) => format!("`{b}`"),
        Val::Int(i) => format!("`{i}`"),
        Val::Str(s) => format!("`{s}`"),
        Val::Array(_) => "an array".to_string(),
        Val::Object(_) | Val::Resource(..) => "an object".to_string(),
        Val::Unknown(_) => "a Key Vault reference".to_string(),
    }
}

/// The values of a `parameters` object (`{"name": {"value": ...}}`, of a parameters file or
/// of a deployment), by lowercase name, each read by `value`; a Key Vault `reference` is
/// unknown (read at deployment), `whose` saying where it is (`in \`dev.json\``).
fn passed(parameters: Option<At<'_>>, whose: &str, value: impl Fn(&At<'_>) -> Val) -> Given {
    let mut given = Given::new();
    for (k, p) in parameters.map(|p| p.members()).unwrap_or_default() {
        let v = if p.get("reference").is_some() {
            Val::Unknown(format!(
                "parameter `{k}` {whose} is a Key Vault reference, read at deployment"
            ))
        } else if let Some(v) = p.get("value") {
            value(&v)
        } else {
            continue;
        };
        given.insert(k.to_ascii_lowercase(), v);
    }
    given
}

/// A JSON value as an expression value (strings as written: parameters file values are not
/// expressions).
fn json_val(at: &At<'_>) -> Val {
    match &at.v.kind {
        Kind::Null => Val::Null,
        Kind::Bool(b) => Val::Bool(*b),
        Kind::Number(n) => n
            .parse()
            .map(Val::Int)
            .unwrap_or_else(|_| Val::Str((*n).to_string())),
        Kind::String(s) => Val::Str(s.to_string()),
        Kind::Array(_) => Val::Array(at.items().iter().map(json_val).collect()),
        Kind::Object(_) => Val::Object(
            at.members()
                .into_iter()
                .map(|(k, v)| (k.to_string(), json_val(&v)))
                .collect(),
        ),
    }
}

/// A template value evaluated: strings as expressions, arrays and objects member by member.
fn eval_json(at: &At<'_>, ctx: &Context) -> Val {
    match &at.v.kind {
        Kind::String(s) => expr::eval_string(s, ctx),
        Kind::Array(_) => Val::Array(at.items().iter().map(|i| eval_json(i, ctx)).collect()),
        Kind::Object(_) => Val::Object(
            at.members()
                .into_iter()
                .map(|(k, v)| (k.to_string(), eval_json(&v, ctx)))
                .collect(),
        ),
        _ => json_val(at),
    }
}

/// A value that could not be evaluated, at a path of the resource (lowercase keys joined by
/// `.`), and where the template writes it.
struct Unknown<'a> {
    path: String,
    reason: String,
    at: At<'a>,
}

/// A template value evaluated into a tree the ARM REST loaders read: each value keeps the
/// offset of the template value it comes from; what cannot be evaluated is `null` there and
/// listed in `unknowns`.
fn eval_node<'a>(
    at: &At<'a>,
    ctx: &Context,
    path: &str,
    unknowns: &mut Vec<Unknown<'a>>,
) -> Node<'static> {
    let start = at.v.start;
    match &at.v.kind {
        Kind::String(s) => {
            let v = expr::eval_string(s, ctx);
            val_node(&v, start, path, at, unknowns)
        }
        Kind::Array(_) => Node {
            start,
            kind: Kind::Array(
                at.items()
                    .iter()
                    .enumerate()
                    .map(|(i, item)| eval_node(item, ctx, &format!("{path}.{i}"), unknowns))
                    .collect(),
            ),
        },
        Kind::Object(_) => {
            let mut members = Vec::new();
            for (k, v) in at.members() {
                let sub = join(path, k);
                // Property loops (`"copy": [{"name", "count", "input"}]`): the array `name`.
                if k.eq_ignore_ascii_case("copy") && v.is_array() && !path.is_empty() {
                    for item in v.items() {
                        let name = item.get("name").and_then(|n| n.text()).unwrap_or_default();
                        let sub = join(path, &name);
                        match copy_count(&item, ctx) {
                            Ok((n, input)) => {
                                let elements = (0..n)
                                    .map(|i| {
                                        let c = in_loop(ctx, &name, i);
                                        eval_node(&input, &c, &format!("{sub}.{i}"), unknowns)
                                    })
                                    .collect();
                                members.push((
                                    Cow::Owned(name.clone()),
                                    Node {
                                        start: item.v.start,
                                        kind: Kind::Array(elements),
                                    },
                                ));
                            }
                            Err(why) => unknowns.push(Unknown {
                                path: sub,
                                reason: format!(
                                    "`{name}` is built by a property `copy` loop dexlint cannot \
                                     evaluate: {why}"
                                ),
                                at: item,
                            }),
                        }
                    }
                    continue;
                }
                members.push((
                    Cow::Owned(k.to_string()),
                    eval_node(&v, ctx, &sub, unknowns),
                ));
            }
            Node {
                start,
                kind: Kind::Object(members.into_boxed_slice()),
            }
        }
        Kind::Null => Node {
            start,
            kind: Kind::Null,
        },
        Kind::Bool(b) => Node {
            start,
            kind: Kind::Bool(*b),
        },
        Kind::Number(n) => Node {
            start,
            kind: Kind::String(Cow::Owned((*n).to_string())),
        },
    }
}

/// The iteration count (at most [`MAX_COPY`]) and `input` of a property or variable `copy`
/// loop (`{"name", "count", "input"}`), or why they cannot be told.
fn copy_count<'a>(item: &At<'a>, ctx: &Context) -> Result<(i64, At<'a>), String> {
    let input = item
        .get("input")
        .ok_or_else(|| "the loop has no `input`".to_string())?;
    match item.get("count").map(|n| eval_json(&n, ctx)) {
        Some(Val::Int(n)) => Ok((n.clamp(0, MAX_COPY), input)),
        Some(Val::Unknown(why)) => Err(why),
        _ => Err("the loop has no integer `count`".to_string()),
    }
}

/// `ctx` inside iteration `i` of the property or variable loop `name` (`copyIndex('name')`).
fn in_loop(ctx: &Context, name: &str, i: i64) -> Context {
    Context {
        params: ctx.params.clone(),
        vars: ctx.vars.clone(),
        copy_index: ctx.copy_index,
        resources: ctx.resources.clone(),
        property_loop: Some((name.to_ascii_lowercase(), i)),
    }
}

/// The array a variable `copy` loop builds: its `input` evaluated in each iteration.
fn copy_loop(item: &At<'_>, ctx: &Context) -> Result<Val, String> {
    let name = item.get("name").and_then(|n| n.text()).unwrap_or_default();
    let (n, input) = copy_count(item, ctx)?;
    Ok(Val::Array(
        (0..n)
            .map(|i| eval_json(&input, &in_loop(ctx, &name, i)))
            .collect(),
    ))
}

fn join(path: &str, key: &str) -> String {
    let key = key.to_ascii_lowercase();
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// An evaluated value as a tree node at `start`.
fn val_node<'a>(
    v: &Val,
    start: u32,
    path: &str,
    at: &At<'a>,
    unknowns: &mut Vec<Unknown<'a>>,
) -> Node<'static> {
    let kind = match v {
        Val::Null => Kind::Null,
        Val::Bool(b) => Kind::Bool(*b),
        Val::Int(i) => Kind::String(Cow::Owned(i.to_string())),
        Val::Str(s) => Kind::String(Cow::Owned(s.clone())),
        Val::Array(items) => Kind::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| val_node(x, start, &format!("{path}.{i}"), at, unknowns))
                .collect(),
        ),
        Val::Object(members) => Kind::Object(
            members
                .iter()
                .map(|(k, x)| {
                    (
                        Cow::Owned(k.clone()),
                        val_node(x, start, &join(path, k), at, unknowns),
                    )
                })
                .collect(),
        ),
        Val::Resource(key, _) => {
            unknowns.push(Unknown {
                path: path.to_string(),
                reason: format!(
                    "`{}` is a deployment-time value of resource `{key}`",
                    at.as_str().unwrap_or_default()
                ),
                at: *at,
            });
            Kind::Null
        }
        Val::Unknown(why) => {
            unknowns.push(Unknown {
                path: path.to_string(),
                reason: why.clone(),
                at: *at,
            });
            Kind::Null
        }
    };
    Node { start, kind }
}

/// One resource (instance) of a template.
struct Resource<'a> {
    /// Symbolic name, else `type/name`; `[i]` for a copy iteration. Expressions of the
    /// template name the resource by it.
    label: String,
    /// `label` after the path of the deployments (modules) the template is nested in
    /// (`defender::serversPricing`): how records and messages name the resource.
    shown: String,
    /// Full type as written, without API version.
    kind: String,
    /// Full name, or why it is unknown.
    name: Result<String, String>,
    at: At<'a>,
    copy_index: Option<i64>,
    /// Whether it is a reference to an existing resource (`existing: true`).
    existing: bool,
}

impl Resource<'_> {
    fn lower_kind(&self) -> String {
        self.kind.to_ascii_lowercase()
    }
}

struct Reader {
    /// The template file being read, relative to the export root (a linked template's own
    /// path while it is read).
    rel: String,
    /// The file the reading started from.
    top: String,
    /// The folder of `rel` relative to the folder of `top` (`""`, or `linked/` for a linked
    /// template read from `linked/x.json`).
    dir: String,
    /// Resource types of the template that no reader takes.
    seen: Vec<String>,
    /// Resources read.
    read: usize,
    /// The path of the deployments the current template is nested in, each followed by
    /// `::` (empty at the top).
    prefix: String,
    /// What the keys of the cloud accounts of subscriptions named by id start with, before
    /// `:<id>` (`arm-template:main.json`; see [`Embedded::keys`]).
    keys: String,
    /// The subscription the current template deploys to.
    account: Account,
    /// The resource group the current template deploys to, when a deployment names it.
    group: Option<String>,
    /// How many deployments deep the current template is.
    depth: usize,
    /// The keys of the cloud accounts (subscriptions) the templates read set a field of.
    accounts: Vec<String>,
    /// The resources dexlint reads that are not deployed: their `condition` is false.
    not_deployed: Vec<NotDeployed>,
    /// Where the parameters of the template being read are given (the top template's by its
    /// parameters files).
    origins: Origins,
    /// While a linked template is read: its path (relative to the root) and, by the address
    /// of each of its values (located at the linking deployment's `templateLink`), the offset
    /// of that value in the linked file.
    linked: Option<(String, HashMap<usize, u32>)>,
}

/// A resource of a type dexlint reads whose `condition` is false.
struct NotDeployed {
    /// The resource as records and messages name it (`serversPricing`, `defender::wdatp`).
    shown: String,
    /// The template it is declared in, relative to the export root.
    rel: String,
    /// Its `condition` as written (`[parameters('enableServers')]`, `false`).
    condition: String,
    /// For the target subscription's Defender for Servers pricing or `WDATP` setting: the key
    /// of that subscription's cloud account and the field the resource would set
    /// (`servers_tier` or `mde_integration`).
    account: Option<(String, &'static str)>,
}

impl NotDeployed {
    /// `its `condition` is `false`` or `its `condition` `[expression]` is false`.
    fn why(&self) -> String {
        if self.condition == "false" {
            "its `condition` is `false`".to_string()
        } else {
            format!("its `condition` `{}` is false", self.condition)
        }
    }

    /// Why the field of the subscription it would set is as the subscription has it.
    fn reason(&self) -> String {
        let what = match self.account.as_ref().map(|(_, f)| *f) {
            Some("mde_integration") => "Defender for Endpoint integration (the `WDATP` setting)",
            _ => "Defender for Servers pricing (`VirtualMachines`)",
        };
        format!(
            "`{}` in `{}` is not deployed ({}): the template leaves the subscription's {what} \
             as it is",
            self.shown,
            self.rel,
            self.why()
        )
    }
}

/// Whether a resource or deployment is deployed, from its `condition`.
enum Deployed {
    /// No `condition`, or one that is true.
    Yes,
    /// A `condition` that is false, as written.
    No(String),
    /// A `condition` known only at deployment, or not a boolean: why.
    Unknown(String),
}

/// Whether the resource or deployment `at` is deployed: ARM skips it when its `condition` is
/// false (Microsoft Learn, "Conditional deployment in ARM templates").
fn deployed(at: &At<'_>, ctx: &Context) -> Deployed {
    let Some(c) = at.get("condition") else {
        return Deployed::Yes;
    };
    let written = match &c.v.kind {
        Kind::String(t) => t.to_string(),
        Kind::Bool(v) => v.to_string(),
        Kind::Number(n) => n.to_string(),
        Kind::Null => "null".to_string(),
        Kind::Array(_) => "an array".to_string(),
        Kind::Object(_) => "an object".to_string(),
    };
    match eval_json(&c, ctx) {
        Val::Bool(true) => Deployed::Yes,
        Val::Bool(false) => Deployed::No(written),
        Val::Unknown(why) => Deployed::Unknown(why),
        Val::Str(v) => Deployed::Unknown(format!("the string `{v}` is not a boolean")),
        _ => Deployed::Unknown(format!("`{written}` is not a boolean")),
    }
}

/// The subscription a template deploys to: the key of its cloud account record and its id
/// (the subscription id when the template names it, else `target subscription of main.json`).
#[derive(Debug, Clone)]
struct Account {
    key: String,
    id: String,
}

/// A resource declaration before its name is evaluated: its symbolic name, object, and the
/// type and name of its parents.
struct Declared<'a> {
    symbol: Option<String>,
    at: At<'a>,
    /// The full type of its parent, and the `name` values of its ancestors, outermost first.
    parent: Option<(String, Vec<At<'a>>)>,
}

impl Reader {
    /// Reads the template `t` deploying to `target`: its parameters from `given`, else their
    /// defaults (`missing` says where a value would have come from), or, for a nested template
    /// evaluated in its parent's scope (`outer`), the parent's parameters and variables.
    fn template(
        &mut self,
        b: &mut Builder,
        t: &At<'_>,
        target: Target,
        given: &Given,
        outer: Option<&Context>,
        missing: &str,
    ) {
        let mut ctx = Context::default();
        match outer {
            Some(o) => {
                ctx.params = o.params.clone();
                ctx.vars = o.vars.clone();
            }
            None => self.declarations(t, given, missing, &mut ctx),
        }
        // Every resource declaration, children after their parents.
        let mut declared = Vec::new();
        if let Some(resources) = t.get("resources") {
            collect(&resources, None, 0, &mut declared);
        }
        // Names first, for `reference` and `resourceId` to find the template's resources.
        let mut instances: Vec<Resource<'_>> = Vec::new();
        for d in &declared {
            self.instances(b, d, &mut ctx, &mut instances);
        }
        ctx.resources = instances
            .iter()
            .map(|r| Known {
                key: r.label.clone(),
                kind: r.lower_kind(),
                name: r.name.as_ref().ok().cloned(),
            })
            .collect();
        let mut groups: Vec<Record> = Vec::new();
        for r in &instances {
            ctx.copy_index = r.copy_index;
            let kind = r.lower_kind();
            if r.existing {
                continue;
            }
            if kind == DEPLOYMENTS {
                match deployed(&r.at, &ctx) {
                    Deployed::No(_) => {}
                    Deployed::Unknown(why) => {
                        for collection in collections_in(&r.at, 0) {
                            b.gap(
                                collection,
                                None,
                                None,
                                format!(
                                    "whether deployment `{}` in `{}` is deployed is known only at \
                                     deployment (its `condition`: {why})",
                                    self.module_path(r),
                                    self.rel
                                ),
                                &r.at,
                            );
                        }
                    }
                    _ => self.deployment(b, r, &ctx, target),
                }
                continue;
            }
            if !READ_TYPES.contains(&kind.as_str()) && !is_provider_pricing(&kind) {
                if !self.seen.contains(&r.kind) {
                    self.seen.push(r.kind.clone());
                }
                continue;
            }
            let condition = match deployed(&r.at, &ctx) {
                Deployed::No(written) => {
                    self.not_deployed(b, r, target, written);
                    continue;
                }
                Deployed::Unknown(why) => Some(why),
                Deployed::Yes => None,
            };
            let security = !matches!(
                kind.as_str(),
                "microsoft.graph/groups" | "microsoft.security/securityconnectors"
            );
            match condition {
                // A pricing or setting is read with every field it sets unknown; whether a
                // group or connector exists at all is not a field: its collection is
                // incomplete.
                Some(why) if !security => {
                    self.read += 1;
                    let collection = if kind == "microsoft.graph/groups" {
                        "groups"
                    } else {
                        "cloud_accounts"
                    };
                    b.gap(
                        collection,
                        None,
                        None,
                        format!(
                            "whether `{}` in `{}` is deployed is known only at deployment \
                             (its `condition`: {why})",
                            r.shown, self.rel
                        ),
                        &r.at,
                    );
                    continue;
                }
                _ => {}
            }
            self.read += 1;
            match kind.as_str() {
                "microsoft.graph/groups" => groups.push(self.group(b, r, &ctx, &instances)),
                "microsoft.security/securityconnectors" => self.connector(b, r, &ctx),
                _ => self.security(b, r, &ctx, target, condition.as_deref()),
            }
        }
        if !groups.is_empty() {
            b.touch("groups");
        }
        for g in groups {
            b.add_group(g);
        }
    }

    /// The parameters (from `given`, else their default) and variables of a template.
    fn declarations(&self, t: &At<'_>, given: &Given, missing: &str, ctx: &mut Context) {
        // Parameters in order: a default may use the parameters before it.
        for (name, decl) in t.get("parameters").map(|p| p.members()).unwrap_or_default() {
            let key = name.to_ascii_lowercase();
            let v = match given.get(&key) {
                Some(v) => v.clone(),
                None => match decl.get("defaultValue") {
                    Some(d) => eval_json(&d, ctx),
                    // A nullable parameter (`param x type?` in Bicep) left unset is null.
                    None if decl.get("nullable").and_then(|n| n.boolean()) == Some(true) => {
                        Val::Null
                    }
                    None => Val::Unknown(format!(
                        "parameter `{name}` has no value: {missing} and it has no `defaultValue`"
                    )),
                },
            };
            ctx.params.insert(key, v);
        }
        // Variables: passes until none changes, so one may use another declared after it; a
        // variable still unknown then is in a cycle.
        let vars = t.get("variables").map(|v| v.members()).unwrap_or_default();
        for (name, _) in &vars {
            ctx.vars.insert(
                name.to_ascii_lowercase(),
                Val::Unknown(format!(
                    "variable `{name}` is defined in a cycle of variables (it depends on itself)"
                )),
            );
        }
        for _ in 0..=vars.len().min(16) {
            let before = ctx.vars.clone();
            for (name, v) in &vars {
                if name.eq_ignore_ascii_case("copy") {
                    for item in v.items() {
                        let n = item.get("name").and_then(|n| n.text()).unwrap_or_default();
                        let value = copy_loop(&item, ctx).unwrap_or_else(|why| {
                            Val::Unknown(format!(
                                "variable `{n}` is built by a `copy` loop dexlint cannot \
                                     evaluate: {why}"
                            ))
                        });
                        ctx.vars.insert(n.to_ascii_lowercase(), value);
                    }
                    continue;
                }
                let value = eval_json(v, ctx);
                ctx.vars.insert(name.to_ascii_lowercase(), value);
            }
            if ctx.vars == before {
                break;
            }
        }
    }

    /// The instances of a declaration: one, or one per `copy` iteration.
    fn instances<'a>(
        &mut self,
        b: &mut Builder,
        d: &Declared<'a>,
        ctx: &mut Context,
        out: &mut Vec<Resource<'a>>,
    ) {
        let Some(kind_written) = d.at.get("type").and_then(|t| t.text()) else {
            b.warning(
                &d.at,
                "an ARM template resource without `type`; it was not read",
            );
            return;
        };
        let own_kind = kind_written
            .split('@')
            .next()
            .unwrap_or(&kind_written)
            .to_string();
        let kind = match &d.parent {
            Some((parent_kind, _)) if !own_kind.contains('.') => {
                format!("{parent_kind}/{own_kind}")
            }
            _ => own_kind,
        };
        let existing =
            d.at.get("existing")
                .and_then(|e| e.boolean())
                .unwrap_or(false);
        let copy = d.at.get("copy").filter(At::is_object);
        let count = match &copy {
            None => None,
            Some(c) => match c.get("count").map(|n| eval_json(&n, ctx)) {
                Some(Val::Int(n)) => Some(n.clamp(0, MAX_COPY)),
                other => {
                    let why = match other {
                        Some(Val::Unknown(why)) => why,
                        _ => "it has no integer `count`".to_string(),
                    };
                    b.warning(
                        c,
                        &format!(
                            "the `copy` loop of this `{kind}` resource cannot be evaluated \
                             ({why}); its resources were read as unknown"
                        ),
                    );
                    Some(-1)
                }
            },
        };
        let iterations: Vec<Option<i64>> = match count {
            None => vec![None],
            // Unknown count: one instance whose `copyIndex()` is unknown.
            Some(-1) => vec![None],
            Some(n) => (0..n).map(Some).collect(),
        };
        for i in iterations {
            ctx.copy_index = i;
            let name = match d.at.get("name").map(|n| eval_json(&n, ctx)) {
                Some(Val::Str(s)) => Ok(s),
                Some(Val::Int(n)) => Ok(n.to_string()),
                Some(Val::Unknown(why)) => Err(why),
                _ if kind.to_ascii_lowercase().starts_with("microsoft.graph/") => {
                    // Graph resources are named by their `uniqueName`.
                    let props = d.at.get("properties").unwrap_or(d.at);
                    match props.get("uniqueName").map(|n| eval_json(&n, ctx)) {
                        Some(Val::Str(s)) => Ok(s),
                        Some(Val::Unknown(why)) => Err(why),
                        _ => Err("the resource has no `name`".to_string()),
                    }
                }
                _ => Err("the resource has no `name`".to_string()),
            };
            let name = match (&d.parent, name) {
                (Some((_, parents)), Ok(n)) if !d_has_full_type(&d.at) => {
                    let mut full = Vec::new();
                    let mut why = None;
                    for p in parents {
                        match eval_json(p, ctx) {
                            Val::Str(s) => full.push(s),
                            Val::Unknown(w) => why = why.or(Some(w)),
                            _ => why = why.or(Some("a parent has no name".to_string())),
                        }
                    }
                    full.push(n);
                    match why {
                        Some(w) => Err(w),
                        None => Ok(full.join("/")),
                    }
                }
                (_, n) => n,
            };
            let mut label = match (&d.symbol, &name) {
                (Some(s), _) => s.clone(),
                (None, Ok(n)) => format!("{kind}/{n}"),
                (None, Err(_)) => format!(
                    "{kind}/{}",
                    d.at.get("name").and_then(|n| n.text()).unwrap_or_default()
                ),
            };
            if let (Some(i), true) = (i, d.symbol.is_some() || name.is_err()) {
                label.push_str(&format!("[{i}]"));
            }
            out.push(Resource {
                shown: format!("{}{label}", self.prefix),
                label,
                kind: kind.clone(),
                name,
                at: d.at,
                copy_index: i,
                existing,
            });
        }
        ctx.copy_index = None;
    }

    /// A resource dexlint reads whose `condition` is false (`written`): not deployed. When it
    /// is the target subscription's Defender for Servers pricing or `WDATP` setting (no
    /// `scope`, in a subscription template), the subscription's account is made, and the field
    /// the resource would set is unknown because it is not deployed (see [`unset_fields`]),
    /// not because the template lacks it.
    fn not_deployed(&mut self, b: &mut Builder, r: &Resource<'_>, target: Target, written: String) {
        let kind = r.lower_kind();
        let name = r.name.as_deref().unwrap_or_default();
        let field = match kind.as_str() {
            "microsoft.security/pricings" if name.eq_ignore_ascii_case("VirtualMachines") => {
                Some("servers_tier")
            }
            "microsoft.security/settings" if name.eq_ignore_ascii_case("WDATP") => {
                Some("mde_integration")
            }
            _ => None,
        };
        let account = match field {
            Some(f) if target == Target::Subscription && r.at.get("scope").is_none() => {
                let key = self.account.key.clone();
                if let Some(a) = b.cloud_account(&key, "Azure", SOURCE, &r.at) {
                    if a.get("id").and_then(Field::as_str) == Some(key.as_str()) {
                        a.set("id", Value::Str(self.account.id.as_str().into()), None);
                    }
                }
                if !self.accounts.contains(&key) {
                    self.accounts.push(key.clone());
                }
                self.read += 1;
                Some((key, f))
            }
            _ => None,
        };
        self.not_deployed.push(NotDeployed {
            shown: r.shown.clone(),
            rel: self.rel.clone(),
            condition: written,
            account,
        });
    }

    /// A `Microsoft.Security` pricing or setting: its scope, then the ARM REST loader.
    /// A `Microsoft.Security` pricing or setting. `condition`: why whether it is deployed is
    /// unknown (its `condition`), which makes every field it sets unknown.
    fn security(
        &mut self,
        b: &mut Builder,
        r: &Resource<'_>,
        ctx: &Context,
        target: Target,
        condition: Option<&str>,
    ) {
        let kind = r.lower_kind();
        let pricing = kind == "microsoft.security/pricings" || is_provider_pricing(&kind);
        // `WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW` is the setting's own name; any other (`WDATP`,
        // or a name not known before deployment, which may be `WDATP`) is read as `WDATP`.
        let linux = !pricing
            && r.name
                .as_deref()
                .is_ok_and(|n| n.eq_ignore_ascii_case("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"));
        let (plan, wanted, fields): (&str, &str, &[(&str, &'static str, &'static str)]) = if pricing
        {
            (
                "pricing",
                "VirtualMachines",
                &[
                    ("properties.pricingtier", "servers_tier", "tier"),
                    ("properties.subplan", "servers_plan", "sub_plan"),
                ],
            )
        } else if linux {
            (
                "setting",
                "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW",
                &[("properties.enabled", "mde_linux_excluded", "")],
            )
        } else {
            (
                "setting",
                "WDATP",
                &[("properties.enabled", "mde_integration", "")],
            )
        };
        // The old extension form names the scope in its type and name:
        // `Microsoft.Compute/virtualMachines/providers/pricings`, `vm-1/Microsoft.Security/VirtualMachines`.
        let (own_name, provider_scope) = match &r.name {
            Ok(n) if is_provider_pricing(&kind) => {
                let parts: Vec<&str> = n.split('/').collect();
                let parent_kind = r
                    .kind
                    .get(..r.kind.to_ascii_lowercase().find("/providers/").unwrap_or(0))
                    .unwrap_or("")
                    .to_string();
                let parent_names = parts.len().saturating_sub(2);
                let parent_name = parts
                    .get(..parent_names)
                    .map(|p| p.join("/"))
                    .unwrap_or_default();
                (
                    Ok(parts.last().map_or("", |s| s).to_string()),
                    Some(format!("{parent_kind}/{parent_name}")),
                )
            }
            Ok(n) => (Ok(n.clone()), None),
            Err(e) => (Err(e.clone()), None),
        };
        let name_unknown = match &own_name {
            Ok(n) if !n.eq_ignore_ascii_case(wanted) => return,
            Ok(_) => None,
            Err(why) => Some(why.clone()),
        };
        let scope_text = match provider_scope {
            Some(s) => Some(Val::Str(s)),
            None => r.at.get("scope").map(|s| eval_json(&s, ctx)),
        };
        let subscription = self.account.id.clone();
        let mut account_id = subscription.clone();
        let group = self
            .group
            .clone()
            .unwrap_or_else(|| format!("target resource group of {}", self.top));
        let group_base = format!("/subscriptions/{subscription}/resourceGroups/{group}");
        let scope = match scope_text {
            None => match target {
                Target::Subscription => Scope::Subscription(self.account.key.clone()),
                Target::ResourceGroup => Scope::Below {
                    id: group_base.clone(),
                    name: group.clone(),
                    subscription: subscription.clone(),
                    kind: "resource_group",
                },
                Target::ManagementGroup | Target::Tenant => {
                    b.warning(
                        &r.at,
                        &format!(
                            "`{}` is a {plan} in a management-group or tenant template, without \
                             a subscription scope; it was not read",
                            r.shown
                        ),
                    );
                    return;
                }
            },
            Some(Val::Str(s)) => {
                let known = ctx
                    .resources
                    .iter()
                    .find(|k| k.key.eq_ignore_ascii_case(&s));
                let path = match known {
                    Some(k) => format!("{}/{}", k.kind, k.name.clone().unwrap_or_default()),
                    None => s.clone(),
                };
                if path.starts_with('/') {
                    let id = format!(
                        "{}/providers/Microsoft.Security/x/y",
                        path.trim_end_matches('/')
                    );
                    match super::arm::scope_of(&id) {
                        Some(super::arm::Scope::Subscription(sub)) => {
                            account_id = sub.clone();
                            Scope::Subscription(format!(
                                "{}:{}",
                                self.keys,
                                sub.to_ascii_lowercase()
                            ))
                        }
                        Some(s) => s,
                        None => {
                            self.unread_scope(
                                b,
                                r,
                                &format!("its scope `{path}` names no subscription"),
                                pricing,
                            );
                            return;
                        }
                    }
                } else {
                    let name = path.rsplit('/').next().unwrap_or(&path).to_string();
                    Scope::Below {
                        id: format!("{group_base}/providers/{path}"),
                        name,
                        subscription: subscription.clone(),
                        kind: "resource",
                    }
                }
            }
            Some(Val::Resource(key, _)) => {
                let k = ctx.resources.iter().find(|k| k.key == key);
                let path = k
                    .map(|k| format!("{}/{}", k.kind, k.name.clone().unwrap_or_default()))
                    .unwrap_or(key.clone());
                Scope::Below {
                    id: format!("{group_base}/providers/{path}"),
                    name: path.rsplit('/').next().unwrap_or(&path).to_string(),
                    subscription: subscription.clone(),
                    kind: "resource",
                }
            }
            Some(Val::Unknown(why)) => {
                self.unread_scope(b, r, &why, pricing);
                return;
            }
            Some(_) => {
                self.unread_scope(b, r, "its `scope` is not a resource id", pricing);
                return;
            }
        };
        let mut unknowns = Vec::new();
        let node = self.resource_node(r, ctx, &mut unknowns);
        // A value of another JSON type than the string the API takes is no tier.
        for (path, key) in [
            ("properties.pricingtier", "pricingTier"),
            ("properties.subplan", "subPlan"),
        ] {
            let Some(v) = r.at.path(&["properties", key]) else {
                continue;
            };
            if v.as_str().is_some() || matches!(v.v.kind, Kind::Null) {
                continue;
            }
            b.warning(
                &v,
                &format!(
                    "`{key}` of `{}` is not a string; it was read as unknown",
                    r.shown
                ),
            );
            unknowns.push(Unknown {
                path: path.to_string(),
                reason: "it is not a string".to_string(),
                at: v,
            });
        }
        let strings = Strings::default();
        let at = At::new(&node, r.at.file, &strings);
        let empty = Node {
            start: r.at.v.start,
            kind: Kind::Object(Box::new([])),
        };
        let props = at
            .get("properties")
            .filter(At::is_object)
            .unwrap_or(At::new(&empty, r.at.file, &strings));
        // What is unknown: each field whose property is, or every field when the name or
        // whether it is deployed is.
        let all_unknown = match (&name_unknown, condition) {
            (Some(why), _) => Some(format!(
                "the name of {plan} `{}` in `{}` is unknown: {why}",
                r.shown, self.rel
            )),
            (None, Some(why)) => Some(format!(
                "whether `{}` in `{}` is deployed is known only at deployment (its `condition`: \
                 {why})",
                r.shown, self.rel
            )),
            (None, None) => None,
        };
        let unknown_fields: Vec<(&'static str, &'static str, String, At<'_>)> = fields
            .iter()
            .filter_map(|(path, account_field, record_field)| match &all_unknown {
                Some(why) => Some((*account_field, *record_field, why.clone(), r.at)),
                None => unknowns.iter().find(|u| u.path == *path).map(|u| {
                    (
                        *account_field,
                        *record_field,
                        format!(
                            "`{}` of `{}` in `{}`: {}",
                            written(path),
                            r.shown,
                            self.rel,
                            u.reason
                        ),
                        u.at,
                    )
                }),
            })
            .collect();
        // Values the parameters files give: located there.
        let given: Vec<(&'static str, &'static str, Loc, Loc)> = fields
            .iter()
            .filter_map(|(path, account_field, record_field)| {
                let key = path.strip_prefix("properties.")?;
                let (written, at) = self
                    .given_at(b, r, key)
                    .or_else(|| self.linked_at(b, r, key))?;
                Some((*account_field, *record_field, written, at))
            })
            .collect();
        let synthetic_scope = scope.clone();
        let record = if pricing {
            super::arm::pricing_in(b, &at, &props, scope, SOURCE)
        } else {
            let field = fields.first().map_or("mde_integration", |f| f.1);
            super::arm::setting_in(b, &at, &props, scope, SOURCE, field);
            None
        };
        match synthetic_scope {
            Scope::Subscription(key) => {
                if !self.accounts.contains(&key) {
                    self.accounts.push(key.clone());
                }
                let Some(account) = b.cloud_account(&key, "Azure", SOURCE, &r.at) else {
                    return;
                };
                if account.get("id").and_then(Field::as_str) == Some(key.as_str()) {
                    account.set("id", Value::Str(account_id.as_str().into()), None);
                }
                let id = account.identity().unwrap_or_default().to_string();
                for (field, _, written, at) in &given {
                    moved_to(account, field, *written, *at);
                }
                for (field, _, _, at) in &unknown_fields {
                    account.set(field, Value::Unknown, Some(at.loc()));
                }
                for (field, _, why, at) in unknown_fields {
                    b.unknown("cloud_accounts", field, &id, why, &at);
                }
            }
            Scope::Below { .. } => {
                if let Some(mut p) = record {
                    for (_, field, written, at) in &given {
                        moved_to(&mut p, field, *written, *at);
                    }
                    let id = p.identity().unwrap_or_default().to_string();
                    for (_, field, why, at) in unknown_fields {
                        if field.is_empty() {
                            continue;
                        }
                        p.set(field, Value::Unknown, Some(at.loc()));
                        b.unknown("resource_pricings", field, &id, why, &at);
                    }
                    b.push("resource_pricings", p);
                }
            }
        }
    }

    /// Where the value of `key` of the `properties` of `r` is written in the template, and
    /// where it is given, when the template writes the parameter itself
    /// (`[parameters('serversTier')]`: what Bicep compiles a property set to a parameter to)
    /// and a parameters file of the top template gives it, or a deployment passes it
    /// (through its parent's parameters: see [`Reader::passed_origins`]): a pull request
    /// changes the deployment at that value (see [`Builder::beside`]).
    fn given_at(&self, b: &mut Builder, r: &Resource<'_>, key: &str) -> Option<(Loc, Loc)> {
        let written = r.at.path(&["properties", key])?;
        let name = parameter_named(&written)?;
        let at = match self.origins.get(&name.to_ascii_lowercase())? {
            Origin::Beside(file, offset) => Loc::new(b.beside(file), *offset),
            Origin::Here(loc) => *loc,
        };
        Some((written.loc(), at))
    }

    /// Where the value of `key` of the `properties` of `r` is written in the template, and
    /// where it is in the linked template's own file, when the template being read is a linked
    /// one and writes it as a literal: its values are located at the deployment's
    /// `templateLink`, while a pull request changes that value in the linked file.
    fn linked_at(&self, b: &mut Builder, r: &Resource<'_>, key: &str) -> Option<(Loc, Loc)> {
        let (file, offsets) = self.linked.as_ref()?;
        let written = r.at.path(&["properties", key])?;
        if !literal(&written) {
            return None;
        }
        let offset = offsets.get(&std::ptr::from_ref(written.v).addr())?;
        Some((written.loc(), Loc::new(b.file_id(file.clone()), *offset)))
    }

    /// Where the parameters a deployment passes its template (`properties.parameters`) are
    /// given: a literal where the deployment writes it, a parameter of this template passed
    /// through (`{"value": "[parameters('serversTier')]"}`, what `bicep build` writes for a
    /// module parameter set to a parameter) where this template's is given.
    fn passed_origins(&self, parameters: Option<At<'_>>) -> Origins {
        let mut origins = Origins::new();
        for (k, p) in parameters.map(|p| p.members()).unwrap_or_default() {
            let Some(v) = p.get("value") else {
                continue;
            };
            let origin = match parameter_named(&v) {
                Some(name) => self.origins.get(&name.to_ascii_lowercase()).cloned(),
                None => literal(&v).then(|| Origin::Here(v.loc())),
            };
            if let Some(origin) = origin {
                origins.insert(k.to_ascii_lowercase(), origin);
            }
        }
        origins
    }

    /// A `Microsoft.Resources/deployments` resource (a Bicep module, a nested or a linked
    /// template): its template read with the parameters the deployment passes, evaluated
    /// here, deploying to the subscription and resource group the deployment names.
    fn deployment(&mut self, b: &mut Builder, r: &Resource<'_>, ctx: &Context, target: Target) {
        let path = self.module_path(r);
        if self.depth >= MAX_NESTING {
            b.warning(
                &r.at,
                &format!(
                    "deployment `{path}` is nested more than {MAX_NESTING} deep; its template \
                     was not read"
                ),
            );
            return;
        }
        let Some(props) = r.at.get("properties").filter(At::is_object) else {
            b.warning(
                &r.at,
                &format!("deployment `{path}` has no `properties`; its template was not read"),
            );
            return;
        };
        // A nested template is evaluated in this template's scope unless it asks for its own
        // (`inner`, as Bicep writes); a linked template always has its own.
        let inner = props.get("template").is_none()
            || props
                .path(&["expressionEvaluationOptions", "scope"])
                .and_then(|s| s.text())
                .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        // The parameters passed, evaluated here.
        let given = passed(
            props.get("parameters"),
            &format!("of deployment `{path}`"),
            |v| eval_json(v, ctx),
        );
        let missing = if props.get("parametersLink").is_some() {
            format!(
                "deployment `{path}` passes its parameters in a `parametersLink` file, which \
                 dexlint does not read"
            )
        } else {
            format!("deployment `{path}` does not pass it")
        };
        // Where it deploys: the subscription and resource group it names, else this template's.
        let account = match r.at.get("subscriptionId").map(|s| eval_json(&s, ctx)) {
            None => self.account.clone(),
            Some(Val::Str(id)) => Account {
                key: format!("{}:{}", self.keys, id.to_ascii_lowercase()),
                id,
            },
            Some(_) => Account {
                key: format!("{}:{path}", self.keys),
                id: format!("target subscription of {path} in {}", self.top),
            },
        };
        let names_group = r.at.get("resourceGroup");
        let group = match names_group.map(|g| eval_json(&g, ctx)) {
            Some(Val::Str(g)) => Some(g),
            Some(_) => None,
            None if r.at.get("subscriptionId").is_some() => None,
            None => self.group.clone(),
        };
        let target_of = |t: &At<'_>| match schema_of(t) {
            Some(Schema::Template(x)) => x,
            _ if names_group.is_some() => Target::ResourceGroup,
            _ => target,
        };
        let outer = (!inner).then_some(ctx);
        // A template evaluated in this one's scope uses its parameters.
        let origins = if inner {
            self.passed_origins(props.get("parameters"))
        } else {
            self.origins.clone()
        };
        let enter = Enter {
            path: &path,
            account,
            group,
            origins,
        };
        if let Some(t) = props.get("template").filter(At::is_object) {
            self.nested(b, &t, target_of(&t), &given, outer, &missing, enter, None);
            return;
        }
        let Some(link) = props.get("templateLink") else {
            b.warning(
                &r.at,
                &format!("deployment `{path}` has neither `template` nor `templateLink`; it was not read"),
            );
            return;
        };
        self.read += 1;
        let relative = match link.get("relativePath").map(|p| eval_json(&p, ctx)) {
            Some(Val::Str(p)) => p,
            Some(Val::Unknown(why)) => {
                return self.unread_link(b, &link, &path, &why);
            }
            Some(_) => {
                return self.unread_link(b, &link, &path, "its `relativePath` is not text");
            }
            None => {
                let why = match (link.get("uri"), link.get("id")) {
                    (Some(u), _) => format!(
                        "it links the template at `{}`, which dexlint does not download",
                        u.as_str().unwrap_or_default()
                    ),
                    (None, Some(id)) => format!(
                        "it deploys the template spec `{}`, which is not in the export",
                        id.as_str().unwrap_or_default()
                    ),
                    _ => "its `templateLink` has no `relativePath`, `uri` or `id`".to_string(),
                };
                return self.unread_link(b, &link, &path, &why);
            }
        };
        let top_dir = self.top.rsplit_once('/').map_or("", |(d, _)| d);
        let Some((file, local)) = linked_path(top_dir, &self.dir, &relative) else {
            return self.unread_link(
                b,
                &link,
                &path,
                &format!("its `relativePath` `{relative}` is absolute or leads out of the export"),
            );
        };
        let Some(text) = b.read_beside(&local, MAX_TEMPLATE_BYTES) else {
            return self.unread_link(
                b,
                &link,
                &path,
                &format!("its linked template `{file}` is not in the export"),
            );
        };
        let text = tree::arm_without_comments(&text).unwrap_or(text);
        let Ok(mut node) = tree::parse(&text, tree::MAX_DEPTH) else {
            return self.unread_link(
                b,
                &link,
                &path,
                &format!("its linked template `{file}` is not valid JSON"),
            );
        };
        // The linked file's values are shown at the deployment's `templateLink`: the file
        // being read is the one that links it. Where each is in the linked file is kept, for
        // the values a pull request changes there (see `linked_at`).
        let mut offsets = HashMap::new();
        let original = node.clone();
        tree::relocate(&mut node, link.v.start);
        offsets_of(&node, &original, &mut offsets);
        let strings = Strings::default();
        let t = At::new(&node, link.file, &strings);
        if !matches!(schema_of(&t), Some(Schema::Template(_))) {
            return self.unread_link(
                b,
                &link,
                &path,
                &format!("`{file}` is not an ARM template (no deployment template `$schema`)"),
            );
        }
        self.read -= 1;
        // Read here with what the deployment passes: not also as a template of its own.
        b.linked(&file);
        let dir = local
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| format!("{d}/"));
        let saved = self.linked.replace((file.clone(), offsets));
        self.nested(
            b,
            &t,
            target_of(&t),
            &given,
            outer,
            &missing,
            enter,
            Some((file, dir)),
        );
        self.linked = saved;
    }

    /// The path of a deployment: the deployments it is nested in and its symbolic name, else
    /// its name (`scopedGroup`, `pricing-0`, `platform::defender`).
    fn module_path(&self, r: &Resource<'_>) -> String {
        let segment = r
            .label
            .strip_prefix(&format!("{}/", r.kind))
            .unwrap_or(&r.label);
        format!("{}{segment}", self.prefix)
    }

    /// Reads a nested (or, with `linked` = its export path and folder, a linked) template
    /// of the deployment `enter.path`, then restores this template's state.
    #[allow(clippy::too_many_arguments)]
    fn nested(
        &mut self,
        b: &mut Builder,
        t: &At<'_>,
        target: Target,
        given: &Given,
        outer: Option<&Context>,
        missing: &str,
        enter: Enter<'_>,
        linked: Option<(String, String)>,
    ) {
        let saved = (
            std::mem::replace(&mut self.prefix, format!("{}::", enter.path)),
            std::mem::replace(&mut self.account, enter.account),
            std::mem::replace(&mut self.group, enter.group),
            self.rel.clone(),
            self.dir.clone(),
            std::mem::replace(&mut self.origins, enter.origins),
        );
        if let Some((file, dir)) = linked {
            self.rel = file;
            self.dir = dir;
        }
        self.depth += 1;
        self.template(b, t, target, given, outer, missing);
        self.depth -= 1;
        (
            self.prefix,
            self.account,
            self.group,
            self.rel,
            self.dir,
            self.origins,
        ) = saved;
    }

    /// A linked template that was not read: a warning at its `templateLink`, and the
    /// collections it may deploy to marked incomplete.
    fn unread_link(&mut self, b: &mut Builder, link: &At<'_>, path: &str, why: &str) {
        b.warning(
            link,
            &format!("the resources of deployment `{path}` were not read: {why}"),
        );
        for collection in ["cloud_accounts", "resource_pricings"] {
            b.gap(
                collection,
                None,
                None,
                format!(
                    "deployment `{path}` in `{}` deploys a linked template dexlint did not read \
                     ({why})",
                    self.rel
                ),
                link,
            );
        }
    }

    fn unread_scope(&mut self, b: &mut Builder, r: &Resource<'_>, why: &str, pricing: bool) {
        b.warning(
            &r.at,
            &format!(
                "the scope of `{}` cannot be told ({why}); it was not read",
                r.shown
            ),
        );
        let reason = format!(
            "the scope of `{}` in `{}` is known only at deployment",
            r.shown, self.rel
        );
        if !pricing {
            b.gap("resource_pricings", None, None, reason, &r.at);
            return;
        }
        // A Servers pricing on a resource that cannot be told: one entity whose tier is
        // unknown, so the pricings that can be told are still judged.
        let id = format!("{} in {}", r.shown, self.rel);
        let mut p = Record::new(&schema::RESOURCE_PRICING, Some(r.at.loc()));
        p.set("id", Value::Str(id.as_str().into()), Some(r.at.loc()));
        p.set(
            "name",
            Value::Str(r.shown.as_str().into()),
            Some(r.at.loc()),
        );
        p.set(
            "subscription",
            Value::Str(self.account.id.as_str().into()),
            None,
        );
        p.set("scope", Value::Unknown, Some(r.at.loc()));
        p.set(
            "plan",
            Value::Str("VirtualMachines".into()),
            Some(r.at.loc()),
        );
        p.set("tier", Value::Unknown, Some(r.at.loc()));
        p.set("source", Value::Str(SOURCE.into()), None);
        b.unknown("resource_pricings", "scope", &id, reason.clone(), &r.at);
        b.unknown("resource_pricings", "tier", &id, reason, &r.at);
        b.push("resource_pricings", p);
    }

    /// The resource as the ARM REST loaders read it: `id`, `type`, `name` and its evaluated
    /// `properties`, each at the template's value.
    fn resource_node<'a>(
        &self,
        r: &Resource<'a>,
        ctx: &Context,
        unknowns: &mut Vec<Unknown<'a>>,
    ) -> Node<'static> {
        let start = r.at.v.start;
        let text = |s: &str, start: u32| Node {
            start,
            kind: Kind::String(Cow::Owned(s.to_string())),
        };
        let name_start = r.at.get("name").map_or(start, |n| n.v.start);
        let mut members: Vec<(Cow<'static, str>, Node<'static>)> = vec![
            (Cow::Borrowed("type"), text(&r.kind, start)),
            (
                Cow::Borrowed("name"),
                text(r.name.as_deref().unwrap_or(""), name_start),
            ),
        ];
        if let Some(p) = r.at.get("properties") {
            let mut node = eval_node(&p, ctx, "properties", unknowns);
            canonical_case(&mut node);
            members.push((Cow::Borrowed("properties"), node));
        }
        Node {
            start,
            kind: Kind::Object(members.into_boxed_slice()),
        }
    }

    /// A `securityConnectors` resource through the ARM REST loader.
    fn connector(&mut self, b: &mut Builder, r: &Resource<'_>, ctx: &Context) {
        let mut unknowns = Vec::new();
        let node = self.resource_node(r, ctx, &mut unknowns);
        let strings = Strings::default();
        let at = At::new(&node, r.at.file, &strings);
        let Some(props) = at.get("properties").filter(At::is_object) else {
            b.warning(
                &r.at,
                &format!(
                    "security connector `{}` has no `properties`; it was not read",
                    r.shown
                ),
            );
            return;
        };
        let identity = unknowns.iter().find(|u| {
            u.path == "properties.environmentname" || u.path == "properties.hierarchyidentifier"
        });
        if let Some(u) = identity {
            b.warning(
                &u.at,
                &format!(
                    "the cloud account of security connector `{}` cannot be told ({}); it was not read",
                    r.shown, u.reason
                ),
            );
            b.gap(
                "cloud_accounts",
                None,
                None,
                format!("the cloud account of security connector `{}` in `{}` is known only at deployment: {}", r.shown, self.rel, u.reason),
                &u.at,
            );
            return;
        }
        super::arm::connector(b, &at, &props, SOURCE);
        let environment = match props
            .get("environmentName")
            .and_then(|e| e.text())
            .unwrap_or_default()
            .to_ascii_lowercase()
            .as_str()
        {
            "aws" => "AWS",
            "gcp" => "GCP",
            _ => return,
        };
        let id = props
            .get("hierarchyIdentifier")
            .and_then(|h| h.text())
            .filter(|h| !h.is_empty())
            .or_else(|| r.name.clone().ok())
            .unwrap_or_default();
        for u in unknowns
            .iter()
            .filter(|u| u.path.starts_with("properties.offerings"))
        {
            let fields: &[&'static str] = if u.path.contains("mdeautoprovisioning") {
                &["mde_integration"]
            } else if u.path.contains("subplan") {
                &["servers_plan"]
            } else {
                &["servers_plan", "mde_integration"]
            };
            for field in fields {
                if let Some(a) =
                    b.cloud_account(&format!("{environment}:{id}"), environment, SOURCE, &r.at)
                {
                    a.set(field, Value::Unknown, Some(u.at.loc()));
                }
                b.unknown(
                    "cloud_accounts",
                    field,
                    &id,
                    format!(
                        "an offering of security connector `{}` in `{}`: {}",
                        r.shown, self.rel, u.reason
                    ),
                    &u.at,
                );
            }
        }
    }

    /// A `Microsoft.Graph/groups` resource.
    fn group(
        &mut self,
        b: &mut Builder,
        r: &Resource<'_>,
        ctx: &Context,
        all: &[Resource<'_>],
    ) -> Record {
        let raw = r.at.get("properties").filter(At::is_object).unwrap_or(r.at);
        let mut unknowns = Vec::new();
        let node = eval_node(&raw, ctx, "", &mut unknowns);
        let strings = Strings::default();
        let props = At::new(&node, r.at.file, &strings);
        let mut g = Record::new(&schema::GROUP, Some(r.at.loc()));
        let id = r.shown.clone();
        g.set("id", Value::Str(id.as_str().into()), None);
        g.set("address", Value::Str(id.as_str().into()), None);
        g.set("source", Value::Str(SOURCE.into()), None);
        put(&mut g, "name", &props, "displayName", Conv::Text);
        if let Some(t) = props.get("groupTypes").filter(At::is_array) {
            put_at(&mut g, "types", &t, Conv::Strings);
        }
        put(
            &mut g,
            "security_enabled",
            &props,
            "securityEnabled",
            Conv::Bool,
        );
        put(&mut g, "mail_enabled", &props, "mailEnabled", Conv::Bool);
        put(
            &mut g,
            "membership_rule",
            &props,
            "membershipRule",
            Conv::Text,
        );
        let rule = props
            .get("membershipRule")
            .filter(|m| m.as_str().is_some_and(|s| !s.trim().is_empty()));
        let types = props.get("groupTypes").filter(At::is_array);
        let dynamic_type = types.is_some_and(|t| {
            t.strings().unwrap_or_default().iter().any(|x| {
                x.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case("DynamicMembership"))
            })
        });
        let dynamic_at = rule.or(types).unwrap_or(r.at);
        g.set(
            "dynamic",
            Value::Bool(rule.is_some() || dynamic_type),
            Some(dynamic_at.loc()),
        );
        for (path, field) in [
            ("displayname", "name"),
            ("securityenabled", "security_enabled"),
            ("mailenabled", "mail_enabled"),
            ("membershiprule", "dynamic"),
            ("grouptypes", "dynamic"),
        ] {
            if let Some(u) = unknowns
                .iter()
                .find(|u| u.path == path || u.path.starts_with(&format!("{path}.")))
            {
                g.set(field, Value::Unknown, Some(u.at.loc()));
                b.unknown(
                    "groups",
                    field,
                    &id,
                    format!(
                        "`{}` of group `{id}` in `{}`: {}",
                        written(path),
                        self.rel,
                        u.reason
                    ),
                    &u.at,
                );
            }
        }
        if let Some(members) = raw.get("members") {
            let list = self.members(b, &id, &members, ctx, all);
            g.set("members", Value::Records(list.into()), Some(members.loc()));
        }
        g
    }

    /// The members of a Graph group: `{"relationships": [...]}` (possibly built by a property
    /// `copy` loop) or an array.
    fn members(
        &mut self,
        b: &mut Builder,
        group: &str,
        members: &At<'_>,
        ctx: &Context,
        all: &[Resource<'_>],
    ) -> Vec<Record> {
        let mut out = Vec::new();
        let list = if members.is_object() {
            members.get("relationships")
        } else {
            Some(*members)
        };
        let mut elements: Vec<(Val, At<'_>)> = Vec::new();
        match list {
            Some(l) if l.is_array() => {
                for item in l.items() {
                    match eval_json(&item, ctx) {
                        Val::Array(vals) => elements.extend(vals.into_iter().map(|v| (v, item))),
                        v => elements.push((v, item)),
                    }
                }
            }
            Some(l) => match eval_json(&l, ctx) {
                Val::Array(vals) => elements.extend(vals.into_iter().map(|v| (v, l))),
                Val::Unknown(why) => self.members_unknown(b, group, &why, &l),
                _ => b.warning(
                    &l,
                    &format!("the members of group `{group}` are not a list; they were not read"),
                ),
            },
            None => {
                // `relationships` built by a property copy loop.
                let loops = members.get("copy").map(|c| c.items()).unwrap_or_default();
                if loops.is_empty() && members.is_object() {
                    return out;
                }
                for c in loops {
                    let name = c.get("name").and_then(|n| n.text()).unwrap_or_default();
                    if !name.eq_ignore_ascii_case("relationships") {
                        continue;
                    }
                    match c.get("count").map(|n| eval_json(&n, ctx)) {
                        Some(Val::Int(n)) => {
                            let Some(input) = c.get("input") else {
                                continue;
                            };
                            for i in 0..n.clamp(0, MAX_COPY) {
                                let ctx_i = in_loop(ctx, &name, i);
                                elements.push((eval_json(&input, &ctx_i), input));
                            }
                        }
                        Some(Val::Unknown(why)) => self.members_unknown(b, group, &why, &c),
                        _ => self.members_unknown(
                            b,
                            group,
                            "its `copy` loop has no integer `count`",
                            &c,
                        ),
                    }
                }
            }
        }
        for (v, at) in elements {
            let mut m = Record::new(&schema::MEMBER, Some(at.loc()));
            match v {
                Val::Resource(key, path) => {
                    let target = all.iter().find(|r| r.label == key);
                    let kind = target.map(|t| t.lower_kind()).unwrap_or_default();
                    let read = path
                        .last()
                        .map(|p| p.to_ascii_lowercase())
                        .unwrap_or_default();
                    let member_kind = match (kind.as_str(), read.as_str()) {
                        ("microsoft.graph/groups", "id" | "") => Some("group"),
                        ("microsoft.graph/users", "id" | "") => Some("user"),
                        ("microsoft.graph/serviceprincipals", "id" | "") => {
                            Some("servicePrincipal")
                        }
                        ("microsoft.graph/applications", "id" | "") => Some("application"),
                        ("microsoft.managedidentity/userassignedidentities", "principalid") => {
                            Some("servicePrincipal")
                        }
                        _ => None,
                    };
                    let shown = format!("{}{key}", self.prefix);
                    m.set("id", Value::Str(shown.as_str().into()), Some(at.loc()));
                    let name = target.and_then(|t| {
                        let raw = t.at.get("properties").filter(At::is_object).unwrap_or(t.at);
                        raw.get("displayName").map(|d| eval_json(&d, ctx))
                    });
                    let name = match name {
                        Some(Val::Str(s)) => s,
                        _ => shown.clone(),
                    };
                    m.set("name", Value::Str(name.into()), None);
                    match member_kind {
                        Some(k) => {
                            m.set("kind", Value::Str(k.into()), None);
                        }
                        None => {
                            m.set("kind", Value::Unknown, Some(at.loc()));
                            b.unknown(
                                "groups",
                                "kind",
                                &shown,
                                format!(
                                    "member `{}` in `{}` is a value of `{key}` whose kind of \
                                     directory object dexlint cannot tell",
                                    at.as_str().unwrap_or_default(),
                                    self.rel
                                ),
                                &at,
                            );
                        }
                    }
                }
                // The reasons below are those of the member (its id), whichever group lists it:
                // another group of the template may list it too.
                Val::Str(id) => {
                    // An object id: its kind is the directory's (resolved from Graph data of
                    // the export when it has the object, see `resolve_member_kinds`).
                    m.set("id", Value::Str(id.as_str().into()), Some(at.loc()));
                    m.set("kind", Value::Unknown, Some(at.loc()));
                    b.unknown(
                        "groups",
                        "kind",
                        &id,
                        format!(
                            "member `{id}` in `{}` is an object id, not a resource of the \
                             template, and the export has no Microsoft Graph object of that id: \
                             whether it is a user, group or device is known only in the \
                             directory",
                            self.rel
                        ),
                        &at,
                    );
                }
                Val::Unknown(why) => {
                    let id = at.as_str().unwrap_or_default().to_string();
                    m.set("id", Value::Str(id.as_str().into()), Some(at.loc()));
                    m.set("kind", Value::Unknown, Some(at.loc()));
                    b.unknown(
                        "groups",
                        "kind",
                        &id,
                        format!("member `{id}` in `{}`: {why}", self.rel),
                        &at,
                    );
                }
                _ => {
                    b.warning(
                        &at,
                        &format!("a member of group `{group}` that is not an id; it was not read"),
                    );
                    continue;
                }
            }
            out.push(m);
        }
        // `append` adds the members listed to those the group has: the others are unknown
        // (one member of unknown kind stands for them).
        let semantics = members
            .get("relationshipSemantics")
            .map(|s| eval_json(&s, ctx));
        if let Some(Val::Str(s)) = &semantics {
            if s.eq_ignore_ascii_case("append") {
                let id = format!("the existing members of group `{group}`");
                let at = members.get("relationshipSemantics").unwrap_or(*members);
                let mut m = Record::new(&schema::MEMBER, Some(at.loc()));
                m.set("id", Value::Str(id.as_str().into()), Some(at.loc()));
                m.set("kind", Value::Unknown, Some(at.loc()));
                b.unknown(
                    "groups",
                    "kind",
                    &id,
                    format!(
                        "group `{group}` in `{}` adds its members to those it has \
                         (`relationshipSemantics` `append`), which are not in the template",
                        self.rel
                    ),
                    &at,
                );
                out.push(m);
            }
        }
        out
    }

    fn members_unknown(&mut self, b: &mut Builder, group: &str, why: &str, at: &At<'_>) {
        b.gap(
            "groups",
            Some("members"),
            Some(group),
            format!(
                "the members of group `{group}` in `{}` are known only at deployment: {why}",
                self.rel
            ),
            at,
        );
    }
}

/// Where a nested template deploys: the deployment's path (module path), subscription and
/// resource group.
struct Enter<'p> {
    path: &'p str,
    account: Account,
    group: Option<String>,
    /// Where the parameters of the template entered are given.
    origins: Origins,
}

/// The offset in `original` of each value of `relocated` (the same tree, relocated), by the
/// value's address.
fn offsets_of(relocated: &Node<'_>, original: &Node<'_>, out: &mut HashMap<usize, u32>) {
    out.insert(std::ptr::from_ref(relocated).addr(), original.start);
    match (&relocated.kind, &original.kind) {
        (Kind::Array(r), Kind::Array(o)) => {
            for (r, o) in r.iter().zip(o.iter()) {
                offsets_of(r, o, out);
            }
        }
        (Kind::Object(r), Kind::Object(o)) => {
            for ((_, r), (_, o)) in r.iter().zip(o.iter()) {
                offsets_of(r, o, out);
            }
        }
        _ => {}
    }
}

/// A linked template's `relativePath`, `relative`, written in the template at `dir` (a folder
/// relative to `top_dir`, the export folder of the file reading started from): its path in the
/// export, and its path from `top_dir` (with `../` to reach a sibling folder). None when it is
/// absolute or leads out of the export.
fn linked_path(top_dir: &str, dir: &str, relative: &str) -> Option<(String, String)> {
    let relative = relative.replace('\\', "/");
    if relative.starts_with('/') || relative.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for p in top_dir
        .split('/')
        .chain(dir.split('/'))
        .chain(relative.split('/'))
    {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return None;
    }
    let file = parts.join("/");
    let depth = top_dir.split('/').filter(|p| !p.is_empty()).count();
    let local = match file.strip_prefix(&format!("{top_dir}/")) {
        Some(inside) if !top_dir.is_empty() => inside.to_string(),
        _ if top_dir.is_empty() => file.clone(),
        _ => format!("{}{file}", "../".repeat(depth)),
    };
    Some((file, local))
}

/// The values of the enumerations dexlint reads, as their schemas write them: ARM compares
/// them ignoring case, so a template may write `standard` or `p2`.
const CANONICAL: &[(&str, &[&str])] = &[
    ("pricingTier", &["Free", "Standard"]),
    ("subPlan", &["P1", "P2"]),
    ("type", &["P1", "P2"]),
];

/// `node` with every enumeration value of [`CANONICAL`] in its canonical case.
fn canonical_case(node: &mut Node<'_>) {
    match &mut node.kind {
        Kind::Array(items) => items.iter_mut().for_each(canonical_case),
        Kind::Object(members) => {
            for (k, v) in members.iter_mut() {
                let values = CANONICAL
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(k))
                    .map(|(_, values)| *values);
                match (&mut v.kind, values) {
                    (Kind::String(s), Some(values)) => {
                        if let Some(c) = values.iter().find(|c| c.eq_ignore_ascii_case(s)) {
                            *s = Cow::Borrowed(c);
                        }
                    }
                    _ => canonical_case(v),
                }
            }
        }
        _ => {}
    }
}

/// The collections a deployment resource may write to, from the resource types of its
/// nested template (a linked template may deploy anything Defender for Cloud reads).
fn collections_in(deployment: &At<'_>, depth: usize) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let mut add = |c: &'static str| {
        if !out.contains(&c) {
            out.push(c);
        }
    };
    let Some(props) = deployment.get("properties") else {
        return out;
    };
    let Some(template) = props.get("template") else {
        if props.get("templateLink").is_some() {
            add("cloud_accounts");
            add("resource_pricings");
        }
        return out;
    };
    let mut declared = Vec::new();
    if let Some(resources) = template.get("resources") {
        collect(&resources, None, 0, &mut declared);
    }
    for d in declared {
        let kind =
            d.at.get("type")
                .and_then(|t| t.text())
                .unwrap_or_default()
                .to_ascii_lowercase();
        let kind = kind.split('@').next().unwrap_or_default();
        if kind == DEPLOYMENTS && depth < MAX_NESTING {
            collections_in(&d.at, depth + 1)
                .into_iter()
                .for_each(&mut add);
        } else if kind == "microsoft.graph/groups" {
            add("groups");
        } else if kind.starts_with("microsoft.security/") || kind.ends_with("/providers/pricings") {
            add("cloud_accounts");
            add("resource_pricings");
        }
    }
    out
}

/// A property path of the lowercase paths above as the templates write it.
fn written(path: &str) -> &str {
    match path.trim_start_matches("properties.") {
        "pricingtier" => "pricingTier",
        "subplan" => "subPlan",
        "displayname" => "displayName",
        "securityenabled" => "securityEnabled",
        "mailenabled" => "mailEnabled",
        "membershiprule" => "membershipRule",
        "grouptypes" => "groupTypes",
        other => other,
    }
}

/// `Microsoft.Compute/virtualMachines/providers/pricings`: a pricing set on the resource of the
/// type before `/providers/` (the extension resource form before `scope`).
fn is_provider_pricing(kind: &str) -> bool {
    kind.ends_with("/providers/pricings") && kind.contains('/')
}

/// Whether a resource's `type` is a full one (`Namespace/type/child`), not relative to its
/// parent.
fn d_has_full_type(at: &At<'_>) -> bool {
    at.get("type")
        .and_then(|t| t.text())
        .is_some_and(|t| t.contains('.'))
}

/// Every resource declaration of `resources` (array or symbolic-name object), with its
/// children nested in `resources`.
fn collect<'a>(
    resources: &At<'a>,
    parent: Option<(String, Vec<At<'a>>)>,
    depth: usize,
    out: &mut Vec<Declared<'a>>,
) {
    if depth > MAX_NESTING {
        return;
    }
    let entries: Vec<(Option<String>, At<'a>)> = if resources.is_array() {
        resources.items().into_iter().map(|r| (None, r)).collect()
    } else {
        resources
            .members()
            .into_iter()
            .map(|(k, r)| (Some(k.to_string()), r))
            .collect()
    };
    for (symbol, at) in entries.into_iter().filter(|(_, r)| r.is_object()) {
        out.push(Declared {
            symbol,
            at,
            parent: parent.clone(),
        });
        if let Some(children) = at.get("resources") {
            let kind = at.get("type").and_then(|t| t.text()).unwrap_or_default();
            let kind = kind.split('@').next().unwrap_or("").to_string();
            let (kind, mut names) = match &parent {
                Some((pk, names)) if !kind.contains('.') => (format!("{pk}/{kind}"), names.clone()),
                _ => (kind, Vec::new()),
            };
            if let Some(n) = at.get("name") {
                names.push(n);
            }
            collect(&children, Some((kind, names)), depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::linked_path;

    #[test]
    fn linked_paths_stay_in_the_export() {
        let p = |top: &str, dir: &str, rel: &str| linked_path(top, dir, rel);
        assert_eq!(
            p("", "", "nested/x.json"),
            Some(("nested/x.json".into(), "nested/x.json".into()))
        );
        assert_eq!(
            p("infra/main", "", "../modules/x.json"),
            Some((
                "infra/modules/x.json".into(),
                "../../infra/modules/x.json".into()
            ))
        );
        assert_eq!(
            p("infra", "nested/", "x.json"),
            Some(("infra/nested/x.json".into(), "nested/x.json".into()))
        );
        assert_eq!(p("infra", "", "../../x.json"), None);
        assert_eq!(p("", "", "../x.json"), None);
        assert_eq!(p("", "", "/etc/x.json"), None);
        assert_eq!(p("", "", "C:/x.json"), None);
    }
}
