//! The Azure CLI's JSON output (`-o json`, the default).
//!
//! - `az security pricing list` (`{"value": [...]}`), `az security pricing show`, `az security
//!   setting list` (a bare array) and `show`: the Python SDK's models, whose ARM `properties` are
//!   flattened beside `id`, `name` and `type` (`pricingTier`, `subPlan`, `enabled`, `kind`).
//!   Read by the ARM loaders of [`super::arm`].
//! - `az account list` (`az account show`): the subscriptions the signed-in identity sees, each
//!   an Azure cloud account (see [`arm::AZ_ACCOUNT_LIST`] and [`arm::subscription_list`]);
//!   `az account management-group subscription show-sub-under-mg --name <group>`: those of a
//!   management group (see [`arm::AZ_MANAGEMENT_GROUP_SUBSCRIPTION`]).
//! - `az ad group list`, `az ad user list`, `az ad group member list --group <gid>`: the `value`
//!   list of the Microsoft Graph response, printed as a bare array of Graph's own camelCase
//!   objects (group and user lists without `@odata.type`, members with it). Users carry Graph's
//!   default properties only (no `accountEnabled`, no licences). The member list does not name
//!   its group: it is read at `.../groups/<gid>/members.json` (the export recipe's path). Records
//!   are built by the Graph builders of [`super::graph`].

use super::arm;
use super::graph::{self, Entity};
use crate::export::json::At;
use crate::export::Builder;

/// Reads an az CLI output document; false when it is not one.
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    arm::subscription_list(b, doc, &arm::AZ_ACCOUNT_LIST)
        || arm::subscription_list(b, doc, &arm::AZ_MANAGEMENT_GROUP_SUBSCRIPTION)
        || security(b, doc)
        || directory(b, doc, rel)
}

/// `az security ...`: `Microsoft.Security` resources with `type` and without `properties`.
fn security(b: &mut Builder, doc: &At<'_>) -> bool {
    let items = arm::resources(doc);
    let ours = !items.is_empty()
        && items.iter().all(|r| {
            r.is_object()
                && r.get("properties").is_none()
                && r.members().iter().any(|(k, _)| *k == "type")
                && arm::is_security_resource(r)
        });
    if !ours {
        return false;
    }
    arm::page(b, doc, &items);
    arm::named_for_another(b, &items, "az-cli");
    for r in &items {
        arm::load(b, r, r, "az-cli");
    }
    true
}

/// The group id of a member list at `.../groups/<gid>/members.json`.
fn member_list_group(rel: &str) -> Option<String> {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        [.., groups, gid, file]
            if groups.eq_ignore_ascii_case("groups")
                && file.eq_ignore_ascii_case("members.json") =>
        {
            Some((*gid).to_string())
        }
        _ => None,
    }
}

/// Whether a bare-array item is a Graph directory object as the az CLI prints it: camelCase
/// (`id`, `displayName`), not PowerShell's PascalCase.
fn graph_item(v: &At<'_>) -> bool {
    v.is_object() && v.members().iter().any(|(k, _)| *k == "id")
}

/// `az ad ...`: bare arrays of Graph objects.
fn directory(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    if !doc.is_array() {
        return false;
    }
    let items = doc.items();
    if let Some(gid) = member_list_group(rel) {
        let members = items
            .iter()
            .all(|m| graph_item(m) && m.members().iter().any(|(k, _)| *k == "@odata.type"));
        if !members {
            return false;
        }
        b.members_list(&gid, doc, false);
        for m in &items {
            graph::object(b, &Entity::Member(gid.as_str().into(), None), m);
        }
        return true;
    }
    if items.is_empty() || !items.iter().all(graph_item) {
        return false;
    }
    let has = |k: &str| {
        items
            .iter()
            .all(|i| i.members().iter().any(|(key, _)| *key == k))
    };
    let entity = if has("groupTypes") && has("securityEnabled") {
        b.touch("groups");
        Entity::Group
    } else if has("userPrincipalName") && !has("@odata.type") {
        b.touch("users");
        Entity::User
    } else {
        return false;
    };
    for i in &items {
        graph::object(b, &entity, i);
    }
    true
}
