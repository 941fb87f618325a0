//! Terraform plans (`terraform show -json`): the planned state (`change.after`) of
//! `azuread_group`, `azuread_group_member`, `azurerm_security_center_subscription_pricing` and
//! `azurerm_security_center_setting`. Values point into `change.after`; records are named by
//! resource address. Object ids are often unknown at plan time, so a member's kind is also
//! read from the configuration: a `member_object_id` that references `azuread_group.*` is a
//! group.

use crate::export::json::{put, At, Conv};
use crate::export::Builder;
use crate::model::schema;
use crate::model::{Loc, Record, ThinVec, Value};

/// The resources of the root module's configuration, by address, with the references of their
/// expressions (`{"members": ["azuread_group.nested.object_id", ...]}`).
fn references(doc: &At<'_>, address: &str, attribute: &str) -> Vec<String> {
    let Some(resources) = doc.path(&["configuration", "root_module", "resources"]) else {
        return Vec::new();
    };
    // Configuration addresses have no instance keys: `azuread_group.x`, not `azuread_group.x[0]`.
    let base = address.split('[').next().unwrap_or(address);
    resources
        .items()
        .iter()
        .find(|r| r.get("address").and_then(|a| a.text()).as_deref() == Some(base))
        .and_then(|r| r.path(&["expressions", attribute, "references"]))
        .and_then(|r| r.strings())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// The resource address a reference names (`azuread_group.nested.object_id` →
/// `azuread_group.nested`).
fn referenced_group(reference: &str) -> Option<String> {
    let mut parts = reference.split('.');
    match (parts.next(), parts.next()) {
        (Some("azuread_group"), Some(name)) => Some(format!("azuread_group.{name}")),
        _ => None,
    }
}

struct Change<'a> {
    kind: String,
    address: String,
    after: At<'a>,
}

fn changes<'a>(b: &mut Builder, doc: &At<'a>) -> Vec<Change<'a>> {
    let Some(list) = doc.get("resource_changes") else {
        return Vec::new();
    };
    if !list.v.is_array() {
        b.shape_error(&list, "expected `resource_changes` to be an array");
        return Vec::new();
    }
    let mut out = Vec::new();
    for rc in list.items() {
        let deleted = rc
            .path(&["change", "actions"])
            .and_then(|a| a.strings())
            .is_some_and(|a| a == [Value::Str("delete".into())]);
        let after = rc.path(&["change", "after"]).filter(|a| a.is_object());
        let (Some(kind), Some(address), Some(after), false) = (
            rc.get("type").and_then(|t| t.text()),
            rc.get("address").and_then(|a| a.text()),
            after,
            deleted,
        ) else {
            continue;
        };
        out.push(Change {
            kind,
            address,
            after,
        });
    }
    out
}

/// Reads a plan: an object with `format_version` and `resource_changes`.
pub fn read(b: &mut Builder, doc: &At<'_>, _rel: &str) -> bool {
    let plan = doc.is_object()
        && doc.get("format_version").is_some()
        && doc.get("resource_changes").is_some();
    if plan {
        load(b, doc);
    }
    plan
}

fn load(b: &mut Builder, doc: &At<'_>) {
    let changes = changes(b, doc);
    let mut groups: Vec<Record> = Vec::new();
    let mut account: Option<Record> = None;
    for c in &changes {
        match c.kind.as_str() {
            "azuread_group" => groups.push(group(doc, c)),
            "azurerm_security_center_subscription_pricing" => {
                let rt = c
                    .after
                    .get("resource_type")
                    .and_then(|t| t.text())
                    .unwrap_or_else(|| "VirtualMachines".into());
                if rt.eq_ignore_ascii_case("VirtualMachines") {
                    let a = account.get_or_insert_with(|| new_account(c));
                    put(a, "servers_tier", &c.after, "tier", Conv::Text);
                    put(a, "servers_plan", &c.after, "subplan", Conv::Text);
                }
            }
            "azurerm_security_center_setting" => {
                let name = c
                    .after
                    .get("setting_name")
                    .and_then(|t| t.text())
                    .unwrap_or_default();
                if name.eq_ignore_ascii_case("WDATP") {
                    let a = account.get_or_insert_with(|| new_account(c));
                    put(a, "mde_integration", &c.after, "enabled", Conv::Bool);
                }
            }
            _ => {}
        }
    }
    for c in changes.iter().filter(|c| c.kind == "azuread_group_member") {
        group_member(doc, c, &mut groups);
    }
    if !groups.is_empty() {
        b.touch("groups");
    }
    for g in groups {
        b.add_group(g);
    }
    if let Some(a) = account {
        b.touch("cloud_accounts");
        b.push("cloud_accounts", a);
    }
}

/// The subscription a plan's azurerm provider targets, as one account named after the first
/// resource that configures it.
fn new_account(c: &Change<'_>) -> Record {
    let mut a = Record::new(&schema::CLOUD_ACCOUNT, Some(c.after.loc()));
    a.set("id", Value::Str(c.address.as_str().into()), None);
    a.set("environment", Value::Str("Azure".into()), None);
    a.set("source", Value::Str("terraform".into()), None);
    a
}

fn group(doc: &At<'_>, c: &Change<'_>) -> Record {
    let mut r = Record::new(&schema::GROUP, Some(c.after.loc()));
    let object_id = c
        .after
        .get("object_id")
        .or_else(|| c.after.get("id"))
        .and_then(|i| i.text());
    r.set(
        "id",
        Value::Str(object_id.unwrap_or_else(|| c.address.clone()).into()),
        None,
    );
    r.set("address", Value::Str(c.address.as_str().into()), None);
    r.set("source", Value::Str("terraform".into()), None);
    put(&mut r, "name", &c.after, "display_name", Conv::Text);
    put(&mut r, "types", &c.after, "types", Conv::Strings);
    put(
        &mut r,
        "security_enabled",
        &c.after,
        "security_enabled",
        Conv::Bool,
    );
    put(&mut r, "mail_enabled", &c.after, "mail_enabled", Conv::Bool);
    let rule = c
        .after
        .get("dynamic_membership")
        .and_then(|d| d.items().into_iter().next())
        .and_then(|d| d.get("rule"));
    if let Some(rule) = &rule {
        if let Some(text) = rule.text() {
            r.set("membership_rule", Value::Str(text.into()), Some(rule.loc()));
        }
    }
    let dynamic_type = c
        .after
        .get("types")
        .and_then(|t| t.strings())
        .is_some_and(|t| t.iter().any(|x| x.as_str() == Some("DynamicMembership")));
    r.set("dynamic", Value::Bool(dynamic_type || rule.is_some()), None);
    if let Some(members) = c.after.get("members") {
        let mut list: Vec<Record> = members
            .items()
            .iter()
            .map(|m| {
                let mut rec = Record::new(&schema::MEMBER, Some(m.loc()));
                if let Some(id) = m.text() {
                    rec.set("id", Value::Str(id.into()), Some(m.loc()));
                }
                rec
            })
            .collect();
        // Members given by reference to a planned group are nested groups.
        for g in references(doc, &c.address, "members")
            .iter()
            .filter_map(|r| referenced_group(r))
        {
            list.push(nested(&g, members.loc()));
        }
        r.set("members", Value::Records(list.into()), Some(members.loc()));
    }
    r
}

fn nested(address: &str, loc: Loc) -> Record {
    let mut m = Record::new(&schema::MEMBER, Some(loc));
    m.set("id", Value::Str(address.into()), None);
    m.set("name", Value::Str(address.into()), None);
    m.set("kind", Value::Str("group".into()), None);
    m
}

/// `azuread_group_member`: adds the member to the group it targets (by planned object id, or
/// by reference in the configuration).
fn group_member(doc: &At<'_>, c: &Change<'_>, groups: &mut [Record]) {
    let group_refs = references(doc, &c.address, "group_object_id");
    let target_address = group_refs.iter().find_map(|r| referenced_group(r));
    let target_id = c.after.get("group_object_id").and_then(|g| g.text());
    let Some(group) = groups.iter_mut().find(|g| {
        let addr = g.get("address").and_then(|a| a.value.as_str());
        let id = g.get("id").and_then(|a| a.value.as_str());
        (target_address.is_some() && addr == target_address.as_deref())
            || (target_id.is_some() && id == target_id.as_deref())
    }) else {
        return;
    };
    let mut m = Record::new(&schema::MEMBER, Some(c.after.loc()));
    let member_ref = references(doc, &c.address, "member_object_id")
        .iter()
        .find_map(|r| referenced_group(r));
    match (c.after.get("member_object_id"), &member_ref) {
        (Some(id), _) if id.text().is_some() => {
            put(&mut m, "id", &c.after, "member_object_id", Conv::Text);
        }
        (_, Some(addr)) => {
            m.set("id", Value::Str(addr.as_str().into()), None);
        }
        _ => {
            m.set("id", Value::Str(c.address.as_str().into()), None);
        }
    }
    if let Some(addr) = member_ref {
        m.set("name", Value::Str(addr.into()), None);
        m.set("kind", Value::Str("group".into()), None);
    }
    let field = group.take("members");
    let loc = field.as_ref().and_then(|f| f.loc).or(group.loc);
    let mut list = match field.map(|f| f.value) {
        Some(Value::Records(l)) => l,
        _ => ThinVec::new(),
    };
    list.push(m);
    group.set("members", Value::Records(list), loc);
}
