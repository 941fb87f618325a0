//! Microsoft Graph objects, from list responses (`{"@odata.context": ..., "value": [...]}`) or
//! one per file (EntraExporter): users, groups, group members, subscribedSkus, directoryAudits.

use crate::export::json::{put, put_at, At, Conv};
use crate::export::recognise::{graph_type, Entity};
use crate::export::Builder;
use crate::model::schema;
use crate::model::{Record, Value};

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
