//! Microsoft Graph objects, from list responses (`{"@odata.context": ..., "value": [...]}`) or
//! one per file (EntraExporter): users, groups, group members, subscribedSkus, directoryAudits.

use crate::export::formats::document_context;
use crate::export::json::{put, put_at, At, Conv};
use crate::export::Builder;
use crate::model::schema;
use crate::model::{Record, Value};

/// Graph entity kinds dexlint reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entity {
    Group,
    User,
    Sku,
    Audit,
    /// A member of the group with this id.
    Member(String),
    /// Understood but not used by any policy (organisation, devices, applications...).
    Ignored,
}

/// Reads a Graph list response or object: recognised by `@odata.context`, by EntraExporter's
/// or the raw Graph export's path, or by `@odata.type`.
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    let Some((is_list, entity)) = recognise(doc, rel) else {
        return false;
    };
    b.set_entra_exporter(!is_list && doc.get("@odata.context").is_none());
    if is_list {
        list(b, &entity, doc);
    } else {
        object(b, &entity, doc);
    }
    true
}

/// Whether the document is a list (true) or one object, and of which entity.
fn recognise(doc: &At<'_>, rel: &str) -> Option<(bool, Entity)> {
    if !doc.is_object() {
        return None;
    }
    if let Some((context, fragment)) = document_context(doc) {
        let single = fragment.strip_suffix("/$entity");
        if let Some(e) = list_entity(single.unwrap_or(&fragment), &context, rel) {
            return Some((single.is_none(), e));
        }
    }
    if let Some(found) = by_path(rel) {
        return Some(found);
    }
    let t = doc.get("@odata.type")?.text()?;
    let entity = match graph_type(&t)? {
        "group" => Entity::Group,
        "user" => Entity::User,
        "subscribedSku" => Entity::Sku,
        "directoryAudit" => Entity::Audit,
        _ => Entity::Ignored,
    };
    Some((false, entity))
}

/// The group id inside `groups('<gid>')/members` or `groups/<gid>/members`.
fn context_group_id(context: &str) -> Option<String> {
    let frag = context.rsplit_once('#')?.1;
    let start = frag.find("('")? + 2;
    let end = start + frag.get(start..)?.find('\'')?;
    frag.get(start..end).map(str::to_string)
}

/// Entity kind of a Graph `@odata.type` (`#microsoft.graph.group`), or None when unknown.
pub fn graph_type(t: &str) -> Option<&'static str> {
    let name = t.trim_start_matches('#').strip_prefix("microsoft.graph.")?;
    [
        "user",
        "group",
        "device",
        "servicePrincipal",
        "orgContact",
        "application",
        "subscribedSku",
        "directoryAudit",
        "organization",
    ]
    .into_iter()
    .find(|k| k.eq_ignore_ascii_case(name))
}

/// Path patterns of EntraExporter and raw Graph exports, matched case-insensitively on the
/// path components (anywhere under the root).
fn by_path(rel: &str) -> Option<(bool, Entity)> {
    let parts: Vec<&str> = rel.split('/').collect();
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let stem = |f: &str| f.rsplit_once('.').map_or(f, |(s, _)| s).to_string();
    for (i, part) in parts.iter().enumerate() {
        let rest = parts.get(i + 1..).unwrap_or(&[]);
        match rest {
            [gid, file] if eq(part, "groups") && eq(file, "members.json") => {
                return Some((true, Entity::Member(gid.to_string())));
            }
            [gid, m, mid, file]
                if eq(part, "groups") && eq(m, "members") && eq(&stem(file), mid) =>
            {
                return Some((false, Entity::Member(gid.to_string())));
            }
            [id, file] if eq(&stem(file), id) => {
                let entity = if eq(part, "groups") {
                    Entity::Group
                } else if eq(part, "users") {
                    Entity::User
                } else if eq(part, "subscribedskus") {
                    Entity::Sku
                } else if [
                    "devices",
                    "organization",
                    "serviceprincipals",
                    "applications",
                ]
                .iter()
                .any(|k| eq(part, k))
                {
                    Entity::Ignored
                } else {
                    continue;
                };
                return Some((false, entity));
            }
            [file] if eq(part, "organization") && eq(file, "organization.json") => {
                return Some((false, Entity::Ignored));
            }
            _ => {}
        }
    }
    None
}

/// The entity of a list whose `@odata.context` fragment is `fragment`.
fn list_entity(fragment: &str, context: &str, rel: &str) -> Option<Entity> {
    let entity = match fragment {
        "groups" => Entity::Group,
        "users" => Entity::User,
        "subscribedskus" => Entity::Sku,
        "auditlogs/directoryaudits" => Entity::Audit,
        "directoryobjects" | "groups/members" => {
            let gid = context_group_id(context).or_else(|| match by_path(rel) {
                Some((_, Entity::Member(g))) => Some(g),
                _ => None,
            })?;
            Entity::Member(gid)
        }
        "devices" | "organization" | "serviceprincipals" | "applications" => Entity::Ignored,
        _ => return None,
    };
    Some(entity)
}

/// Loads one Graph object of a known entity kind.
pub fn object(b: &mut Builder, entity: &Entity, at: &At<'_>) {
    if !at.is_object() {
        b.shape_error(at, "expected a JSON object");
        return;
    }
    match entity {
        Entity::User => user(b, at),
        Entity::Group => group(b, at),
        Entity::Sku => sku(b, at),
        Entity::Audit => audit(b, at),
        Entity::Member(gid) => member(b, gid, at),
        Entity::Ignored => {}
    }
}

/// Loads a list response: every element of `value`.
pub fn list(b: &mut Builder, entity: &Entity, doc: &At<'_>) {
    let Some(values) = doc.get("value") else {
        b.shape_error(doc, "expected a `value` array in a Graph list response");
        return;
    };
    if !values.v.is_array() {
        b.shape_error(&values, "expected `value` to be an array");
        return;
    }
    match entity {
        Entity::User => b.touch("users"),
        Entity::Group => b.touch("groups"),
        Entity::Sku => b.touch("skus"),
        Entity::Audit => b.touch("audit_events"),
        Entity::Member(gid) => b.members_list(gid, &values),
        Entity::Ignored => {}
    }
    for item in values.items() {
        object(b, entity, &item);
    }
}

fn user(b: &mut Builder, at: &At<'_>) {
    let mut r = Record::new(&schema::USER, Some(at.loc()));
    put(&mut r, "id", at, "id", Conv::Text);
    put(&mut r, "upn", at, "userPrincipalName", Conv::Text);
    put(&mut r, "name", at, "displayName", Conv::Text);
    put(&mut r, "enabled", at, "accountEnabled", Conv::Bool);
    put(&mut r, "user_type", at, "userType", Conv::Text);
    if let Some(list) = at.get("assignedLicenses") {
        let items = list.items().into_iter().map(|l| {
            let l = &l;
            let mut lic = Record::new(&schema::LICENSE, Some(l.loc()));
            put(&mut lic, "sku_id", l, "skuId", Conv::Text);
            put(
                &mut lic,
                "disabled_plans",
                l,
                "disabledPlans",
                Conv::Strings,
            );
            lic
        });
        r.set(
            "licenses",
            Value::Records(items.collect()),
            Some(list.loc()),
        );
    }
    if let Some(list) = at.get("assignedPlans") {
        let items = list.items().into_iter().map(|p| {
            let p = &p;
            let mut plan = Record::new(&schema::ASSIGNED_PLAN, Some(p.loc()));
            put(&mut plan, "id", p, "servicePlanId", Conv::Text);
            put(&mut plan, "service", p, "service", Conv::Text);
            put(&mut plan, "status", p, "capabilityStatus", Conv::Text);
            plan
        });
        r.set("plans", Value::Records(items.collect()), Some(list.loc()));
    }
    b.push("users", r);
}

fn group(b: &mut Builder, at: &At<'_>) {
    let mut r = Record::new(&schema::GROUP, Some(at.loc()));
    put(&mut r, "id", at, "id", Conv::Text);
    put(&mut r, "name", at, "displayName", Conv::Text);
    put(&mut r, "types", at, "groupTypes", Conv::Strings);
    put(
        &mut r,
        "security_enabled",
        at,
        "securityEnabled",
        Conv::Bool,
    );
    put(&mut r, "mail_enabled", at, "mailEnabled", Conv::Bool);
    put(&mut r, "membership_rule", at, "membershipRule", Conv::Text);
    let dynamic = at
        .get("groupTypes")
        .and_then(|t| t.strings())
        .is_some_and(|t| {
            t.iter().any(|x| {
                x.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case("DynamicMembership"))
            })
        });
    r.set("dynamic", Value::Bool(dynamic), None);
    r.set(
        "source",
        Value::Str(
            if b.entra_exporter() {
                "entra-exporter"
            } else {
                "graph"
            }
            .into(),
        ),
        None,
    );
    b.add_group(r);
}

/// The kind of a directory object from its `@odata.type`; None (and an error) when unknown.
fn member_kind(b: &mut Builder, at: &At<'_>) -> Option<&'static str> {
    let t = at.get("@odata.type")?;
    let text = t.text().unwrap_or_default();
    match graph_type(&text) {
        Some(
            k @ ("user" | "group" | "device" | "servicePrincipal" | "orgContact" | "application"),
        ) => Some(k),
        _ => {
            b.shape_error(
                &t,
                &format!("unknown `@odata.type` `{text}` for a group member"),
            );
            None
        }
    }
}

fn member(b: &mut Builder, gid: &str, at: &At<'_>) {
    let mut r = Record::new(&schema::MEMBER, Some(at.loc()));
    put(&mut r, "id", at, "id", Conv::Text);
    put(&mut r, "name", at, "displayName", Conv::Text);
    put(&mut r, "upn", at, "userPrincipalName", Conv::Text);
    if let Some(kind) = member_kind(b, at) {
        let loc = at.get("@odata.type").map(|t| t.loc());
        r.set("kind", Value::Str(at.shared(kind)), loc);
    }
    b.add_member(gid, r, at);
}

fn sku(b: &mut Builder, at: &At<'_>) {
    let mut r = Record::new(&schema::SKU, Some(at.loc()));
    put(&mut r, "id", at, "skuId", Conv::Text);
    put(&mut r, "part_number", at, "skuPartNumber", Conv::Text);
    put(&mut r, "status", at, "capabilityStatus", Conv::Text);
    if let Some(u) = at.path(&["prepaidUnits", "enabled"]) {
        put_at(&mut r, "enabled_units", &u, Conv::Int);
    }
    put(&mut r, "consumed_units", at, "consumedUnits", Conv::Int);
    if let Some(list) = at.get("servicePlans") {
        let items = list.items().into_iter().map(|p| {
            let p = &p;
            let mut plan = Record::new(&schema::SKU_PLAN, Some(p.loc()));
            put(&mut plan, "id", p, "servicePlanId", Conv::Text);
            put(&mut plan, "name", p, "servicePlanName", Conv::Text);
            put(&mut plan, "status", p, "provisioningStatus", Conv::Text);
            put(&mut plan, "applies_to", p, "appliesTo", Conv::Text);
            plan
        });
        r.set("plans", Value::Records(items.collect()), Some(list.loc()));
    }
    b.push("skus", r);
}

/// `oldValue`/`newValue` are JSON-encoded (`"\"Old name\""`): decode a string, keep the raw
/// text otherwise.
fn decoded(at: &At<'_>) -> Option<String> {
    let raw = at.text()?;
    Some(match serde_json::from_str::<serde_json::Value>(&raw) {
        Ok(serde_json::Value::String(s)) => s,
        _ => raw,
    })
}

fn audit(b: &mut Builder, at: &At<'_>) {
    let mut r = Record::new(&schema::AUDIT_EVENT, Some(at.loc()));
    put(&mut r, "id", at, "id", Conv::Text);
    put(&mut r, "activity", at, "activityDisplayName", Conv::Text);
    put(&mut r, "time", at, "activityDateTime", Conv::Date);
    if let Some(list) = at.get("targetResources") {
        let targets = list.items().into_iter().map(|t| {
            let t = &t;
            let mut target = Record::new(&schema::TARGET, Some(t.loc()));
            put(&mut target, "id", t, "id", Conv::Text);
            put(&mut target, "name", t, "displayName", Conv::Text);
            put(&mut target, "type", t, "type", Conv::Text);
            if let Some(mods) = t.get("modifiedProperties") {
                let changes = mods.items().into_iter().map(|m| {
                    let m = &m;
                    let mut c = Record::new(&schema::CHANGE, Some(m.loc()));
                    put(&mut c, "name", m, "displayName", Conv::Text);
                    for (field, key) in [("old", "oldValue"), ("new", "newValue")] {
                        if let Some(v) = m.get(key) {
                            if let Some(text) = decoded(&v) {
                                c.set(field, Value::Str(text.into()), Some(v.loc()));
                            }
                        }
                    }
                    c
                });
                target.set(
                    "changes",
                    Value::Records(changes.collect()),
                    Some(mods.loc()),
                );
            }
            target
        });
        r.set(
            "targets",
            Value::Records(targets.collect()),
            Some(list.loc()),
        );
    }
    b.push("audit_events", r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_of_member_contexts() {
        assert_eq!(
            context_group_id("https://graph.microsoft.com/v1.0/$metadata#groups('abc')/members")
                .as_deref(),
            Some("abc")
        );
    }

    #[test]
    fn paths() {
        assert_eq!(by_path("Groups/g1/g1.json"), Some((false, Entity::Group)));
        assert_eq!(
            by_path("x/Groups/g1/Members/m1/m1.json"),
            Some((false, Entity::Member("g1".into())))
        );
        assert_eq!(
            by_path("graph/groups/g1/members.json"),
            Some((true, Entity::Member("g1".into())))
        );
        assert_eq!(by_path("Users/u1/u1.json"), Some((false, Entity::User)));
        assert_eq!(by_path("misc/notes.json"), None);
    }
}
