//! The export's own tenant: the id of its organization, which tells the tenant's Azure
//! subscriptions from those of other tenants in a list of subscriptions (`az account list`,
//! `Get-AzSubscription` list every subscription the signed-in identity sees, of every tenant it
//! signed in to).
//!
//! An organization is Microsoft Graph's `organization` resource, whose `id` is "the tenant ID,
//! a unique identifier representing the organization (or tenant)" (learn.microsoft.com/graph/api/
//! resources/organization): `GET /organization` (`@odata.context` `...$metadata#organization`),
//! `Get-MgOrganization | ConvertTo-Json` (PascalCase `Id`, `VerifiedDomains`, `TenantType`) and
//! EntraExporter's `Organization/Organization.json`. The formats read these documents as
//! understood and unused; this module takes the tenant id from whichever read them.

use super::formats::context_fragment;
use super::json::At;

/// Keys only an organization has among the Graph objects dexlint reads.
const ORGANIZATION_KEYS: &[&str] = &["verifiedDomains", "tenantType"];

/// Whether `v` is an organization object: `@odata.type` `#microsoft.graph.organization`, or
/// one of [`ORGANIZATION_KEYS`] beside its `id`.
fn organization(v: &At<'_>) -> bool {
    let typed = v
        .get("@odata.type")
        .and_then(|t| t.text())
        .is_some_and(|t| t.eq_ignore_ascii_case("#microsoft.graph.organization"));
    v.is_object() && (typed || ORGANIZATION_KEYS.iter().any(|k| v.get(k).is_some()))
}

/// The tenant ids (each organization's `id`) that `doc` gives, where they are: none for a
/// document that is no organization or list of them.
pub fn organization_ids<'a>(doc: &At<'a>) -> Vec<(String, At<'a>)> {
    let listed = doc
        .get("@odata.context")
        .and_then(|c| c.text())
        .and_then(|c| context_fragment(&c))
        .is_some_and(|f| f == "organization" || f == "organization/$entity");
    let items = if doc.is_array() {
        doc.items()
    } else if let Some(v) = doc.get("value").filter(At::is_array) {
        v.items()
    } else {
        vec![*doc]
    };
    items
        .into_iter()
        .filter(|i| i.is_object() && (listed || organization(i)))
        .filter_map(|i| {
            let id = i.get("id")?;
            let text = id.as_str()?.trim();
            (!text.is_empty()).then(|| (text.to_ascii_lowercase(), id))
        })
        .collect()
}
