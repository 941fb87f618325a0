//! Commands for policy authors: `list`, `explain`, `init`.

use crate::config::Config;
use crate::lint::{self, SetupError};
use crate::policy::{self, PolicyMeta};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The metadata of every policy (built-in plus `dirs`), in compile order.
///
/// # Errors
/// A policy directory that cannot be read, or a policy that does not compile.
pub fn catalogue(dirs: &[PathBuf]) -> Result<Vec<PolicyMeta>, SetupError> {
    let policy_set = policy::compile(
        &lint::policy_sources(true, dirs)?,
        &crate::policy_files::Disk,
    )?;
    Ok(policy_set
        .policies
        .iter()
        .map(|p| p.meta().clone())
        .collect())
}

/// A policy as a configuration makes it run.
#[derive(Debug, Clone)]
pub struct Configured {
    /// The metadata with the configured severity and parameter values.
    pub meta: PolicyMeta,
    /// False when `enable`/`disable` leave it out.
    pub enabled: bool,
    /// Names of the parameters whose value the configuration sets.
    pub configured_params: Vec<String>,
    /// The edition it was configured for.
    pub edition: String,
    /// Whether the policy belongs to that edition.
    pub in_edition: bool,
}

/// Every policy (built-in, the configuration's `policies` directories and `dirs`) as `config`
/// and the edition set it: severities, parameter values, and whether it runs.
///
/// # Errors
/// A policy directory that cannot be read, a policy that does not compile, or configuration
/// that names unknown policies, parameters or tags.
pub fn configured_catalogue(
    config: &Config,
    dirs: &[PathBuf],
    edition: &str,
) -> Result<Vec<Configured>, SetupError> {
    let mut all = config.policy_dirs.clone();
    all.extend(dirs.iter().cloned());
    let nesting = config
        .max_policy_nesting
        .unwrap_or(policy::parse::MAX_NESTING);
    let policy_set = policy::compile_nested(
        &lint::policy_sources(true, &all)?,
        &crate::policy_files::Disk,
        nesting,
    )?;
    config.check_against(&policy_set.policies.iter().collect::<Vec<_>>())?;
    Ok(policy_set
        .policies
        .iter()
        .map(|p| {
            let settings = config.policies.get(&p.meta().id);
            let own = settings.map(|s| &s.params);
            let params = crate::edition::merged_params(edition, &p.meta().id, own);
            let mut meta = p.meta_with_params(&params).in_edition_view(edition);
            if let Some(severity) = settings.and_then(|s| s.severity) {
                meta.severity = severity;
            }
            Configured {
                enabled: config.runs(p.meta()),
                configured_params: own.map(|o| o.keys().cloned().collect()).unwrap_or_default(),
                in_edition: meta.in_edition(edition),
                edition: edition.to_string(),
                meta,
            }
        })
        .collect())
}

#[derive(Serialize)]
struct ListEntry<'a> {
    id: &'a str,
    title: &'a str,
    severity: String,
    tags: &'a [String],
    source: &'a str,
    docs: Option<&'a str>,
    /// False when the configuration's `enable`/`disable` leave the policy out.
    enabled: bool,
    /// The catalogue editions the policy belongs to.
    editions: Vec<&'a str>,
}

/// `dexlint list`: one line per policy of the edition, or a JSON array (severities as
/// configured; a policy the configuration leaves out is marked `(disabled)` /
/// `"enabled": false`).
pub fn list(policies: &[Configured], json: bool) -> String {
    let policies: Vec<&Configured> = policies.iter().filter(|c| c.in_edition).collect();
    if json {
        let entries: Vec<ListEntry<'_>> = policies
            .iter()
            .map(|c| ListEntry {
                editions: c.meta.membership(),
                id: &c.meta.id,
                title: &c.meta.title,
                severity: c.meta.severity.to_string(),
                tags: &c.meta.tags,
                source: source_kind(&c.meta.source),
                docs: c
                    .meta
                    .citation(&c.edition)
                    .map(|x| x.url.as_str())
                    .or(c.meta.docs.as_deref()),
                enabled: c.enabled,
            })
            .collect();
        let mut out = serde_json::to_string_pretty(&entries).unwrap_or_default();
        out.push('\n');
        return out;
    }
    let mut out = String::new();
    for c in policies {
        let p = &c.meta;
        let _ = writeln!(
            out,
            "{:<8} {:<8} {:<60} [{}] {}{}",
            p.id,
            p.severity.to_string(),
            p.title,
            p.tags.join(", "),
            source_kind(&p.source),
            if c.enabled { "" } else { " (disabled)" }
        );
    }
    out
}

/// `built-in` for embedded policies, else the file path.
fn source_kind(source: &str) -> &str {
    if source.starts_with("builtin:") {
        "built-in"
    } else {
        source
    }
}

/// `dexlint explain ID`: everything the policy file says about the rule, with the severity and
/// parameter values the configuration (and edition) sets: the pages it cites, its rules with
/// their fixes rendered with those values, and the exports each rule needs.
pub fn explain(c: &Configured) -> String {
    let meta = &c.meta;
    let mut out = String::new();
    let _ = writeln!(out, "{} {} ({})\n", meta.id, meta.title, meta.severity);
    if !c.enabled {
        let _ = writeln!(out, "disabled by the configuration (`enable`/`disable`)");
    }
    if !meta.tags.is_empty() {
        let _ = writeln!(out, "tags: {}", meta.tags.join(", "));
    }
    let _ = writeln!(out, "source: {}", source_kind(&meta.source));
    if let Some(docs) = &meta.docs {
        let _ = writeln!(out, "docs: {docs}");
    }
    out.push_str(&editions_text(c));
    if let Some(d) = &meta.description {
        let _ = writeln!(out, "\n{}", d.trim());
    }
    if let Some(e) = &meta.example {
        let _ = write!(out, "\nexample violation:\n{}", indent(e.trim()));
    }
    let helps: Vec<Option<String>> = meta
        .rules
        .iter()
        .map(|r| r.help.as_deref().map(|h| meta.render(h.trim())))
        .collect();
    // One fix for the whole policy when every rule has the same.
    let shared = helps
        .first()
        .filter(|h| helps.iter().all(|x| x == *h))
        .cloned()
        .flatten();
    if let Some(h) = &shared {
        let _ = writeln!(out, "\nfix: {h}");
    }
    if !meta.rules.is_empty() {
        let _ = writeln!(out, "\nrules:");
    }
    for (i, (r, help)) in meta.rules.iter().zip(&helps).enumerate() {
        let _ = write!(out, "  {}. `{}`", i + 1, r.text);
        if let Some(l) = &r.label {
            let _ = write!(out, ": {l}");
        }
        out.push('\n');
        let collections = needed_collections(&r.needs);
        if !collections.is_empty() {
            let _ = writeln!(out, "     reads: {}", collections.join(", "));
        }
        if let (Some(h), None) = (help, &shared) {
            let _ = writeln!(out, "     fix: {h}");
        }
    }
    let all: Vec<(&'static str, Option<&'static str>)> = meta
        .rules
        .iter()
        .flat_map(|r| r.needs.iter().copied())
        .collect();
    let collections = needed_collections(&all);
    if !collections.is_empty() {
        let _ = writeln!(out, "\nexport sources (what to export for these rules):");
        for name in collections {
            let what = crate::model::schema::COLLECTIONS
                .iter()
                .find(|c| c.name == name)
                .map_or("", |c| c.doc);
            let _ = writeln!(out, "  {name} ({what}):");
            for line in export_recipe(name, &all) {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    if !meta.params.is_empty() {
        let _ = writeln!(
            out,
            "\nparameters (set in dexlint.toml under [policy.{}] params):",
            meta.id
        );
        for p in &meta.params {
            let set = if c.configured_params.contains(&p.name) {
                " (set in dexlint.toml)".to_string()
            } else if crate::edition::params(&c.edition, &meta.id).contains_key(&p.name) {
                format!(" (edition {})", c.edition)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {}: {} = {}{set}",
                p.name,
                p.ty,
                value_text(&p.default)
            );
        }
    }
    out
}

/// The collections of (collection, field) pairs, in the model's order, each once.
fn needed_collections(needs: &[(&'static str, Option<&'static str>)]) -> Vec<&'static str> {
    crate::model::schema::COLLECTIONS
        .iter()
        .map(|c| c.name)
        .filter(|name| needs.iter().any(|(n, _)| n == name))
        .collect()
}

/// The properties of a Graph user that dexlint's own rules read: the `$select` of
/// docs/exporting.md.
const USER_SELECT: &[&str] = &[
    "id",
    "userPrincipalName",
    "displayName",
    "accountEnabled",
    "userType",
    "assignedLicenses",
    "assignedPlans",
];

/// The optional user fields that Graph returns only when `$select`ed, with their property.
const USER_SELECT_OPTIONAL: &[(&str, &str)] = &[
    ("department", "department"),
    ("on_premises_sync", "onPremisesSyncEnabled"),
    ("last_sign_in", "signInActivity"),
];

/// How to export a collection for rules that read the (collection, field) pairs `needs`: the
/// requests (and permission) of docs/exporting.md, a user list `$select`ing the optional
/// properties the rules read.
pub fn export_recipe(
    collection: &str,
    needs: &[(&'static str, Option<&'static str>)],
) -> Vec<String> {
    if collection == "users" {
        let extra: Vec<&str> = USER_SELECT_OPTIONAL
            .iter()
            .filter(|(field, _)| needs.contains(&("users", Some(field))))
            .map(|(_, key)| *key)
            .collect();
        let select = [USER_SELECT, &extra].concat().join(",");
        let permission = match extra.contains(&"signInActivity") {
            true => "User.Read.All, and AuditLog.Read.All for signInActivity",
            false => "User.Read.All",
        };
        return vec![
            format!(
                "Graph ({permission}): GET https://graph.microsoft.com/v1.0/users?$select={select}"
            ),
            format!("or Get-MgUser -All -Property {select} | ConvertTo-Json -Depth 10"),
            "or EntraExporter: Export-Entra -Path ./entra -All".to_string(),
        ];
    }
    static_recipe(collection)
        .iter()
        .map(|l| (*l).to_string())
        .collect()
}

/// [`export_recipe`] of the collections whose requests do not depend on the fields read.
fn static_recipe(collection: &str) -> &'static [&'static str] {
    match collection {
        "groups" => &[
            "Graph (GroupMember.Read.All): GET https://graph.microsoft.com/v1.0/groups?$select=id,displayName,groupTypes,securityEnabled,mailEnabled,membershipRule",
            "and each scoped group's members: GET https://graph.microsoft.com/v1.0/groups/<group id>/members, saved as groups/<group id>/members.json",
            "or EntraExporter: Export-Entra -Path ./entra -All; or a Terraform plan: terraform show -json plan.out",
            "or a template with Microsoft Graph Bicep groups: bicep build main.bicep (the compiled main.json, with its parameters file)",
        ],
        "device_groups" => &[
            "Defender portal (no public API): Settings > Endpoints > Device groups, saved as mde/devicegroups.json",
        ],
        "devices" => &[
            "Defender for Endpoint API (Machine.Read.All): GET https://api.securitycenter.microsoft.com/api/machines",
            "and antivirus health: GET https://api.security.microsoft.com/api/deviceavinfo",
        ],
        "skus" => &[
            "Graph (Organization.Read.All): GET https://graph.microsoft.com/v1.0/subscribedSkus",
            "or Get-MgSubscribedSku -All | ConvertTo-Json -Depth 10",
        ],
        "products" => &[
            "derived from the other exports: subscribed SKUs and users' plans (licences), Defender for Endpoint machines with deviceavinfo (mde),",
            "Exchange Online Safe Links / Safe Attachments policies (mdo), Graph (SecurityIdentitiesSensors.Read.All): GET https://graph.microsoft.com/beta/security/identities/sensors (mdi; v1.0 has no serviceStatus)",
            "and a deployment declaration of your own (deployment.json, `\"kind\": \"dexlint.deployment/v1\"`) for what no export shows",
        ],
        "services" => &[
            "a deployment declaration of your own (deployment.json, `\"kind\": \"dexlint.deployment/v1\"`): the services purchased",
        ],
        "cloud_accounts" => &[
            "the tenant's subscriptions: az account list -o json (or GET https://management.azure.com/subscriptions?api-version=2022-12-01, Get-AzSubscription)",
            "ARM (Security Reader): GET https://management.azure.com/subscriptions/<id>/providers/Microsoft.Security/pricings?api-version=2024-01-01",
            "and .../Microsoft.Security/settings?api-version=2022-05-01, .../Microsoft.Security/securityConnectors?api-version=2023-10-01-preview",
            "or az security pricing list -o json; or a Terraform plan: terraform show -json plan.out",
            "or an ARM template or compiled Bicep (bicep build main.bicep) setting Microsoft.Security pricings, settings or connectors, with its parameters file",
        ],
        "audit_events" => &[
            "Graph (AuditLog.Read.All): GET https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Update group'",
        ],
        "resource_pricings" => &[
            "ARM (Security Reader), for each machine: GET https://management.azure.com/<resource id>/providers/Microsoft.Security/pricings?api-version=2024-01-01",
        ],
        "deleted_groups" => &[
            "a Terraform plan: terraform show -json plan.out (the groups it destroys, or replaces under another name)",
            "any export of the tenant's groups provides it too, empty: it deletes none",
        ],
        _ => &[],
    }
}

/// The editions a policy belongs to and the page it cites in each, for `explain`.
fn editions_text(c: &Configured) -> String {
    let meta = &c.meta;
    let mut out = String::new();
    let _ = writeln!(out, "editions: {}", meta.membership().join(", "));
    if !c.in_edition {
        let _ = writeln!(
            out,
            "not in edition {} (the one selected): `dexlint lint` does not run it there",
            c.edition
        );
    }
    for cite in &meta.citations {
        let mut head = format!("{}: \"{}\"", cite.edition, cite.title);
        if let Some(section) = &cite.section {
            let _ = write!(head, ", section \"{section}\"");
        }
        if let Some(date) = &cite.date {
            let _ = write!(head, ", ms.date {date}");
        }
        let _ = writeln!(out, "cites {head}\n    {}", cite.url);
        if let Some(q) = &cite.quote {
            let _ = writeln!(out, "    \"{}\"", q.trim());
        }
    }
    out
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}

/// A model value as `explain` and the catalogue docs show a parameter's default: strings
/// quoted, dates as quoted ISO 8601 instants in UTC, lists in brackets, records counted.
pub fn value_text(v: &crate::model::Value) -> String {
    use crate::model::Value;
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        // As a policy writes a date parameter's default: an ISO 8601 string.
        Value::Date(ms) => format!("{:?}", crate::policy::types::date_text(*ms)),
        Value::Str(s) => format!("{s:?}"),
        Value::List(l) => format!(
            "[{}]",
            l.iter().map(value_text).collect::<Vec<_>>().join(", ")
        ),
        Value::Records(l) => format!("[{} records]", l.len()),
        Value::Shared(l) => format!("[{} records]", l.len()),
        Value::Unknown => "unknown".into(),
    }
}

const STARTER_CONFIG: &str = r#"# dexlint configuration. Every key is optional; paths are relative to this file.
# `dexlint lint --help` explains the summary and exit codes; `dexlint list` shows the policies.

# Export directories linted when `dexlint lint` is run without arguments, and by the pre-commit
# hook, which lints only these. Each is one tenant (see `one-tenant`). Put your exports there,
# for instance:
# exports = ["exports/contoso"]

# Directories of extra `.policy` files, added to the built-in catalogue.
policies = ["policies"]

# Catalogue edition: "2026-07" (Defender Experts MDR, the default) or "2025-08" (Defender
# Experts for XDR).
# edition = "2026-07"

# Lowest severity that makes `dexlint lint` exit 1: "error", "warning" or "info".
fail-level = "error"

# Exit 1 when a policy could not be evaluated because the export lacks its data.
# fail-on-not-evaluated = false

# The export directories are parts of one tenant (Graph in one, Azure in another).
# one-tenant = false

# Only read files whose path (relative to the export root) matches; skip those that match.
# include = ["graph/**", "mde/**"]
# exclude = ["**/archive/**"]

# Accepted violations: only new ones are reported (write it with `--write-baseline`).
# baseline = "dexlint-baseline.json"

# Which policies run, by id or "tag:NAME" (default: all of the edition).
# enable = ["tag:licensing"]
# disable = ["DEX106"]

# Limits: largest file read (bytes), deepest JSON nesting, evaluation steps per policy,
# deepest nesting of a policy's expressions.
# max-file-bytes = 1073741824
# max-json-depth = 128
# eval-budget = 2000000000
# max-policy-nesting = 128

# Per policy: its severity and parameter values (`dexlint explain ID` lists them).
# [policy.DEX105]
# severity = "error"
# [policy.DEX001.params]
# reserved = "Defender_Experts_Scoped_Coverage_Devices"

# A violation accepted on purpose: the policy, what it is about (`entity` as in --format json,
# or `file` and `pointer`), the reason and an optional expiry date.
# [[waiver]]
# policy = "DEX302"
# entity = "cloud_accounts/00000000-0000-0000-0000-000000000000"
# reason = "sandbox subscription without servers"
# expires = 2027-01-31
"#;

const STARTER_POLICY: &str = r#"# An organisation policy: break-glass accounts must stay out of the scoped user group.
policy ORG001 "Break-glass accounts stay out of scoped coverage" {
  severity warning
  tags "scoped-coverage", "organisation"
  description """
    Emergency access accounts are monitored by our own SOC; keep them out of the Defender
    Experts scoped user group.
  """
  help "remove `{m.upn}` from the scoped user group"
  param prefix: string = "breakglass"

  for g in groups, m in g.members
  where g.name == "Defender_Experts_Scoped_Coverage_Users" and starts_with(lower(m.upn), prefix)
  report m "break-glass account `{m.upn}` is in the scoped user group"
}
"#;

const STARTER_CASE: &str = r#"policies = ["ORG001"]

[[violation]]
policy = "ORG001"
file = "groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members.json"
pointer = "/value/1"
"#;

const STARTER_MEMBERS: &str = r##"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
  "value": [
    {
      "@odata.type": "#microsoft.graph.user",
      "id": "6e7b768e-07e2-4810-8459-485f84f8f204",
      "displayName": "Adele Vance",
      "userPrincipalName": "adele.vance@contoso.com"
    },
    {
      "@odata.type": "#microsoft.graph.user",
      "id": "2b0c6e4d-8f1a-4c3b-9d7e-5a6f7b8c9d0e",
      "displayName": "Break Glass 1",
      "userPrincipalName": "breakglass1@contoso.onmicrosoft.com"
    }
  ]
}
"##;

const STARTER_GROUPS: &str = r##"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
  "value": [
    {
      "id": "b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21",
      "displayName": "Defender_Experts_Scoped_Coverage_Users",
      "groupTypes": [],
      "securityEnabled": true,
      "mailEnabled": false
    }
  ]
}
"##;

/// `dexlint init DIR`: a starter configuration, a custom policy and its test case. Existing
/// files are never overwritten. Returns the files written.
///
/// # Errors
/// Any error creating a directory or writing a file (the files written before it stay).
pub fn init(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let case = dir.join("policies/tests/org001-breakglass");
    let gid = "b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21";
    let files: [(PathBuf, &str); 5] = [
        (dir.join("dexlint.toml"), STARTER_CONFIG),
        (dir.join("policies/ORG001.policy"), STARTER_POLICY),
        (case.join("case.toml"), STARTER_CASE),
        (case.join("export/groups.json"), STARTER_GROUPS),
        (
            case.join(format!("export/groups/{gid}/members.json")),
            STARTER_MEMBERS,
        ),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        if path.exists() {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}
