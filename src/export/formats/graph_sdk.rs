//! Microsoft Graph PowerShell SDK output piped to `ConvertTo-Json`: `Get-MgUser`,
//! `Get-MgGroup`, `Get-MgGroupMember`, `Get-MgSubscribedSku`, `Get-MgAuditLogDirectoryAudit`
//! (<https://learn.microsoft.com/powershell/microsoftgraph/>), and Defender for Identity's
//! sensors, `Get-MgBetaSecurityIdentitySensor` (module Microsoft.Graph.Beta.Security, the beta
//! `GET /security/identities/sensors`: read as that list is, see [`graph::sensor`]). The v1.0
//! cmdlet, `Get-MgSecurityIdentitySensor`, writes sensors without `ServiceStatus` (the v1.0
//! sensor has none: `New-MgSecurityIdentitySensor` takes no such parameter): read, with a gap
//! that names the beta cmdlet.
//!
//! The cmdlets return SDK model objects; `ConvertTo-Json` writes them as a top-level array of
//! objects with PascalCase property names (`UserPrincipalName`, `ServicePlans`) and, on every
//! object, an `AdditionalProperties` dictionary holding what the model does not map. A
//! `Get-MgGroupMember` member is a `directoryObject`: only `DeletedDateTime` and `Id` are
//! properties; its kind (`@odata.type`) and names are inside `AdditionalProperties`
//! (microsoftgraph/msgraph-sdk-powershell issues #525, #1213). Members are at
//! `groups/<gid>/members.json` (any file name in the group's folder), as the README documents;
//! there, users or groups are `Get-MgGroupMemberAsUser` or `Get-MgGroupMemberAsGroup` output, the
//! group's members of that kind only.
//! `Get-MgUserLicenseDetail` and `Get-MgDirectorySubscription` output names SKUs and plans but
//! is not the subscribed SKUs: recognised, noted and not read ([`NotSkus`]).
//!
//! Without `-Depth`, `ConvertTo-Json` stops at depth 2 and writes deeper objects as the SDK
//! type's name (`Microsoft.Graph.PowerShell.Models.MicrosoftGraphServicePlanInfo`): those values
//! are load errors and gaps (see [`Builder::nested`]).

use super::graph::{self, NotSkus};
use crate::export::json::At;
use crate::export::Builder;

/// How many objects the SDK's list cmdlets return without `-All`: Microsoft Graph's default
/// page size for users, groups and members (the `Get-MgUser` reference: "-All: List all
/// pages"; "-Top: Show only the first n items", the first page otherwise).
const FIRST_PAGE: usize = 100;

/// What the objects of an SDK array are.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    User,
    Group,
    Sku,
    Audit,
    /// Defender for Identity sensors (`Get-MgBetaSecurityIdentitySensor`).
    Sensor,
    /// Members of the group with this id.
    Member(crate::model::ArcStr),
    /// Members of the group with this id of one kind only, which they do not say:
    /// `Get-MgGroupMemberAsUser` (`user`) or `Get-MgGroupMemberAsGroup` (`group`), the cmdlets
    /// of the casts `GET /groups/{id}/members/microsoft.graph.user` and `.group`, whose objects
    /// are users or groups with no `@odata.type`. Read as the users or groups list, they were
    /// those of the tenant.
    CastMember(crate::model::ArcStr, &'static str),
    /// `Get-MgOrganization`: the tenant, which dexlint reads from its SKUs instead (as the
    /// Graph `/organization` list).
    Organization,
    /// `Get-MgUserLicenseDetail` or `Get-MgDirectorySubscription`: not the subscribed SKUs,
    /// not read (see [`NotSkus`]).
    NotSkus(NotSkus),
}

/// Reads a top-level array of Graph PowerShell SDK objects (each with `AdditionalProperties`,
/// or trimmed by `Select-Object`), a single such object (what `ConvertTo-Json` writes for a
/// cmdlet that returned one), or an empty array at a group's members path.
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    // `ConvertTo-Json` of a single object writes the object, not a one-element array (one
    // trimmed by `Select-Object` too: PowerShell's PascalCase `Id`, and what only a Graph
    // resource is, see [`bare_kind`]; a Graph object saved alone, as EntraExporter writes each,
    // is camelCase).
    let pascal_id = || doc.members().iter().any(|(k, _)| *k == "Id");
    let items = if doc.is_array() {
        doc.items()
    } else if doc.is_object()
        && doc.get("@odata.context").is_none()
        && (doc.get("AdditionalProperties").is_some()
            || members_folder(rel).is_none() && pascal_id() && bare_kind(doc).is_some())
    {
        vec![*doc]
    } else {
        return false;
    };
    let gid = members_folder(rel);
    if gid.is_some() && graph::transitive_members(doc, rel) {
        // `Get-MgGroupTransitiveMember`, saved in the group's folder.
        graph::skip_transitive_members(b, doc, rel);
        return true;
    }
    if let Some(relationship) = gid
        .as_ref()
        .and_then(|_| graph::other_relationship(doc, rel))
    {
        // `Get-MgGroupOwner`, `Get-MgGroupMemberOf`, saved in the group's folder.
        graph::skip_other_relationship(b, doc, rel, relationship);
        return true;
    }
    let kind = match items.first() {
        None => match gid {
            // `Get-MgGroupMember` of a group without members writes nothing or `[]`.
            Some(g) => Kind::Member(g.into()),
            None => return false,
        },
        // Objects trimmed by `Select-Object`, or a Graph list's `value` saved alone (`az rest
        // ... --query value`, `(Invoke-MgGraphRequest ...).value`): no `AdditionalProperties`,
        // PascalCase or camelCase. Outside a group's folder, an array of users, groups, SKUs or
        // audit records is read as the SDK's.
        Some(first) if first.get("AdditionalProperties").is_none() => match &gid {
            Some(g) if members_file(rel) => return bare_members(b, doc, g),
            Some(_) => return false,
            None => match bare_kind(first) {
                Some(k) => k,
                None => return false,
            },
        },
        Some(first) => match kind_of(first, gid) {
            Some(k) => k,
            None => {
                b.shape_error(
                    first,
                    "a Microsoft Graph PowerShell SDK object (it has `AdditionalProperties`) of \
                     a kind dexlint does not read; dexlint reads Get-MgUser, Get-MgGroup, \
                     Get-MgGroupMember (at groups/<group id>/members.json), Get-MgSubscribedSku, \
                     Get-MgAuditLogDirectoryAudit and Get-MgBetaSecurityIdentitySensor output",
                );
                return true;
            }
        },
    };
    // Without `-All` the list cmdlets return their first page, 100 objects, and nothing in
    // their output says more were left (no `@odata.nextLink` survives `ConvertTo-Json`).
    let listed = matches!(
        kind,
        Kind::User | Kind::Group | Kind::Member(_) | Kind::CastMember(..)
    );
    if listed && doc.is_array() && items.len() == FIRST_PAGE {
        b.warning(
            doc,
            &format!(
                "exactly {FIRST_PAGE} objects, the first page that `Get-MgUser`, `Get-MgGroup` \
                 and `Get-MgGroupMember` return without `-All`: if the list has more, export it \
                 again with `-All`"
            ),
        );
    }
    match &kind {
        Kind::Organization => return true,
        Kind::NotSkus(resource) => {
            resource.skip(b, doc);
            return true;
        }
        Kind::User => b.touch("users"),
        // One object: `Get-MgGroup -GroupId`, or a filter that matched one.
        Kind::Group if !doc.is_array() => b.single("groups"),
        Kind::Group => b.touch("groups"),
        Kind::Sku => b.touch("skus"),
        Kind::Audit => b.touch("audit_events"),
        Kind::Sensor => {
            b.touch("identity_sensors");
            v1_sensors(b, &items);
        }
        Kind::Member(g) => b.members_list(g, doc, false),
        Kind::CastMember(g, kind) => {
            b.members_list(g, doc, true);
            let cmdlet = if *kind == "user" { "User" } else { "Group" };
            let how = format!(
                "`Get-MgGroupMemberAs{cmdlet}`, the cast `GET \
                 /groups/{g}/members/microsoft.graph.{kind}`"
            );
            graph::cast_gap(b, g, kind, &how, doc);
        }
    }
    for item in &items {
        if !item.is_object() {
            b.shape_error(
                item,
                "expected an object, as the other elements of this array",
            );
            continue;
        }
        match &kind {
            Kind::User => graph::user(b, item),
            Kind::Group => graph::group(b, item),
            Kind::Sku => graph::sku(b, item),
            Kind::Audit => graph::audit(b, item),
            Kind::Sensor => graph::sensor(b, item),
            Kind::Member(g) => graph::member(b, g, None, item),
            Kind::CastMember(g, kind) => graph::member(b, g, Some(kind), item),
            Kind::Organization | Kind::NotSkus(_) => {}
        }
    }
    true
}

/// The sensors of `Get-MgSecurityIdentitySensor` (v1.0), whose model has no `ServiceStatus`
/// (a beta sensor object always has the property, null or not): a gap on the sensors' service
/// status that names the beta cmdlet, as a v1.0 REST list's.
fn v1_sensors(b: &mut Builder, items: &[At<'_>]) {
    let Some(sensor) = items
        .iter()
        .find(|s| s.is_object() && s.get("ServiceStatus").is_none())
    else {
        return;
    };
    b.gap(
        "identity_sensors",
        Some("service"),
        None,
        format!(
            "`{}` is `Get-MgSecurityIdentitySensor` output (Microsoft Graph v1.0), whose sensors \
             have no `ServiceStatus` (only beta's have it): export \
             `Get-MgBetaSecurityIdentitySensor -All | ConvertTo-Json -Depth 10`",
            b.rel()
        ),
        sensor,
    );
}

/// Whether the file is at the documented members path, `groups/<gid>/members.json`.
fn members_file(rel: &str) -> bool {
    rel.rsplit('/')
        .next()
        .is_some_and(|f| f.eq_ignore_ascii_case("members.json"))
}

/// An array at the documented members path whose elements are not SDK objects: Graph
/// `directoryObject`s written as a bare array (the `value` of a members response, as
/// `(Invoke-MgGraphRequest ...).value | ConvertTo-Json` or `az ad group member list` write it)
/// are read as members; anything else is an error, and the group's members a gap.
fn bare_members(b: &mut Builder, doc: &At<'_>, gid: &str) -> bool {
    let items = doc.items();
    // The cast `GET /groups/{id}/members/microsoft.graph.user` (or `.group`) lists users (or
    // groups) without `@odata.type`: its `value` saved alone is an array of them.
    let kinds: Vec<Option<&'static str>> = items
        .iter()
        .map(|i| match bare_kind(i) {
            Some(Kind::User) => Some("user"),
            Some(Kind::Group) => Some("group"),
            _ => None,
        })
        .collect();
    let cast = kinds
        .first()
        .copied()
        .flatten()
        .filter(|k| kinds.iter().all(|x| *x == Some(*k)));
    if items
        .iter()
        .all(|i| i.is_object() && i.get("@odata.type").is_some() && i.get("id").is_some())
    {
        b.members_list(gid, doc, false);
        let gid = crate::model::ArcStr::from(gid);
        for item in &items {
            graph::member(b, &gid, None, item);
        }
    } else if let Some(kind) = cast {
        b.members_list(gid, doc, true);
        let how = format!(
            "objects of kind `{kind}` without `@odata.type`: the `value` of the cast `GET \
             /groups/{gid}/members/microsoft.graph.{kind}` saved alone"
        );
        graph::cast_gap(b, gid, kind, &how, doc);
        let gid = crate::model::ArcStr::from(gid);
        for item in &items {
            graph::member(b, &gid, Some(kind), item);
        }
    } else {
        b.shape_error(
            doc,
            "expected the members of the group as a Graph list response (`value`), a JSON array \
             of directory objects with `@odata.type`, or `Get-MgGroupMember | ConvertTo-Json \
             -Depth 10` output; this array is none of them",
        );
        b.gap(
            "groups",
            Some("members"),
            Some(gid),
            format!("the members list of group `{gid}` could not be read"),
            doc,
        );
    }
    true
}

/// The group id of a file in a group's folder (`groups/<gid>/members.json`, or any name
/// beside it).
fn members_folder(rel: &str) -> Option<String> {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        [.., groups, gid, _] if groups.eq_ignore_ascii_case("groups") => Some(gid.to_string()),
        _ => None,
    }
}

/// The kind of a Graph object in an array without `AdditionalProperties`, from properties
/// that only that Graph resource has together: a `subscribedSku` (`skuPartNumber` with
/// `capabilityStatus` or `prepaidUnits`; a user's `licenseDetails` has neither), a
/// `directoryAudit`, a `user` or a `group` whose `id` is a directory object id (a GUID; an
/// Exchange Online `Get-User` object has `UserPrincipalName` too, but its `Id` is a name).
fn bare_kind(item: &At<'_>) -> Option<Kind> {
    let has = |k: &str| item.get(k).is_some();
    let directory_object = item
        .get("id")
        .and_then(|i| i.text())
        .is_some_and(|id| super::entra_exporter::guid_like(&id));
    if let Some(resource) = NotSkus::of_object(item) {
        Some(Kind::NotSkus(resource))
    } else if has("SkuPartNumber") && (has("CapabilityStatus") || has("PrepaidUnits")) {
        Some(Kind::Sku)
    } else if has("ActivityDisplayName") && has("TargetResources") {
        Some(Kind::Audit)
    } else if !directory_object || has("RecipientTypeDetails") {
        None
    } else if has("UserPrincipalName") {
        Some(Kind::User)
    } else if has("GroupTypes") || has("SecurityEnabled") || has("MembershipRule") {
        Some(Kind::Group)
    } else {
        None
    }
}

/// The kind of an SDK object, from its properties.
fn kind_of(item: &At<'_>, gid: Option<String>) -> Option<Kind> {
    let has = |k: &str| item.get(k).is_some();
    let typed = item
        .path(&["AdditionalProperties", "@odata.type"])
        .and_then(|t| t.text());
    if has("VerifiedDomains") || has("TenantType") {
        // An organization has `AssignedPlans` too: it is not a user.
        Some(Kind::Organization)
    } else if let Some(resource) = NotSkus::of_object(item) {
        Some(Kind::NotSkus(resource))
    } else if has("SkuPartNumber") || has("ServicePlans") {
        Some(Kind::Sku)
    } else if has("ActivityDisplayName") || has("TargetResources") {
        Some(Kind::Audit)
    } else if has("SensorType") && (has("DeploymentStatus") || has("ServiceStatus")) {
        Some(Kind::Sensor)
    } else if let Some(g) = gid
        .as_deref()
        .filter(|_| typed.is_some() || !has("DisplayName"))
    {
        // `Get-MgGroupMember`: `Id` and `DeletedDateTime`, the rest in AdditionalProperties.
        Some(Kind::Member(g.into()))
    } else if has("UserPrincipalName")
        || has("AccountEnabled") && has("UserType")
        || has("AssignedPlans")
    {
        // In a group's folder: `Get-MgGroupMemberAsUser`.
        Some(gid.map_or(Kind::User, |g| Kind::CastMember(g.into(), "user")))
    } else if has("GroupTypes") || has("SecurityEnabled") || has("MembershipRule") {
        // In a group's folder, `Get-MgGroupMemberAsGroup`; the group itself (`Get-MgGroup
        // -GroupId` saved there) is no member of its own.
        let id = item.get("Id").and_then(|i| i.text());
        Some(match gid {
            Some(g) if id.is_none_or(|id| !id.eq_ignore_ascii_case(&g)) => {
                Kind::CastMember(g.into(), "group")
            }
            _ => Kind::Group,
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_folders() {
        assert_eq!(
            members_folder("graph/groups/g1/members.json").as_deref(),
            Some("g1")
        );
        assert_eq!(
            members_folder("Groups/g1/members-2.json").as_deref(),
            Some("g1")
        );
        assert_eq!(members_folder("graph/users.json"), None);
    }
}
