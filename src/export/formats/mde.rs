//! Defender for Endpoint: `/api/machines`, `/api/deviceavinfo`, and the portal's device group
//! export `{"items": [{"MachineGroupId", "Name", "Priority", ...}]}`.

use crate::export::formats::document_context;
use crate::export::json::{put, At, Conv};
use crate::export::Builder;
use crate::model::schema;
use crate::model::{Record, Value};

/// Reads the machine list, the antivirus health list (by `@odata.context` or by shape) and the
/// device group export.
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    if !doc.is_object() {
        return false;
    }
    if let Some(items) = doc.get("items") {
        let groups = items
            .items()
            .first()
            .is_some_and(|i| i.get("MachineGroupId").is_some())
            || (items.v.as_array().is_some_and(<[_]>::is_empty) && by_name(rel, "group"));
        if groups {
            device_groups(b, doc);
            return true;
        }
    }
    match document_context(doc).map(|(_, f)| f).as_deref() {
        Some("machines") => machines(b, doc),
        Some("deviceavinfo") => av_info(b, doc),
        Some(_) => return false,
        None => {
            let first = doc.get("value").and_then(|v| v.items().first().copied());
            let Some(first) = first else {
                return false;
            };
            if first.get("avMode").is_some() {
                av_info(b, doc);
            } else if first.get("computerDnsName").is_some() && first.get("rbacGroupId").is_some() {
                machines(b, doc);
            } else {
                return false;
            }
        }
    }
    true
}

/// Whether the file name mentions `word` (for empty lists whose shape says nothing).
fn by_name(rel: &str, word: &str) -> bool {
    rel.rsplit('/')
        .next()
        .is_some_and(|f| f.to_ascii_lowercase().contains(word))
}

fn values<'a>(b: &mut Builder, doc: &At<'a>, key: &str) -> Option<At<'a>> {
    match doc.get(key) {
        Some(v) if v.v.is_array() => Some(v),
        Some(v) => {
            b.shape_error(&v, &format!("expected `{key}` to be an array"));
            None
        }
        None => {
            b.shape_error(doc, &format!("expected a `{key}` array"));
            None
        }
    }
}

fn machines(b: &mut Builder, doc: &At<'_>) {
    let Some(list) = values(b, doc, "value") else {
        return;
    };
    b.touch("devices");
    for m in list.items() {
        let mut r = Record::new(&schema::DEVICE, Some(m.loc()));
        put(&mut r, "id", &m, "id", Conv::Text);
        put(&mut r, "name", &m, "computerDnsName", Conv::Text);
        put(&mut r, "os", &m, "osPlatform", Conv::Text);
        put(&mut r, "onboarding", &m, "onboardingStatus", Conv::Text);
        put(&mut r, "group_id", &m, "rbacGroupId", Conv::Text);
        put(&mut r, "group", &m, "rbacGroupName", Conv::Text);
        put(&mut r, "tags", &m, "machineTags", Conv::Strings);
        b.add_device(r);
    }
}

/// `avMode` codes of `/api/deviceavinfo`.
pub fn av_mode(code: &str) -> Option<&'static str> {
    Some(match code.trim() {
        "0" => "active",
        "1" => "passive",
        "2" => "disabled",
        "4" => "edr_block",
        "5" => "passive_audit",
        _ => return None,
    })
}

fn av_info(b: &mut Builder, doc: &At<'_>) {
    let Some(list) = values(b, doc, "value") else {
        return;
    };
    b.touch("devices");
    for item in list.items() {
        let id = item
            .get("machineId")
            .or_else(|| item.get("id"))
            .and_then(|i| i.text());
        let (Some(id), Some(mode)) = (id, item.get("avMode")) else {
            continue;
        };
        let code = mode.text().unwrap_or_default();
        match av_mode(&code) {
            Some(m) => b.add_av_mode(&id, Value::Str(m.into()), mode.loc(), &item),
            None => b.shape_error(
                &mode,
                &format!("unknown `avMode` `{code}` (expected 0, 1, 2, 4 or 5)"),
            ),
        }
    }
}

fn device_groups(b: &mut Builder, doc: &At<'_>) {
    let Some(list) = values(b, doc, "items") else {
        return;
    };
    b.touch("device_groups");
    for g in list.items() {
        let mut r = Record::new(&schema::DEVICE_GROUP, Some(g.loc()));
        put(&mut r, "id", &g, "MachineGroupId", Conv::Text);
        put(&mut r, "name", &g, "Name", Conv::Text);
        put(&mut r, "rank", &g, "Priority", Conv::Int);
        put(
            &mut r,
            "unassigned",
            &g,
            "IsUnassignedMachineGroup",
            Conv::Bool,
        );
        put(
            &mut r,
            "remediation",
            &g,
            "AutoRemediationLevel",
            Conv::Text,
        );
        if let Some(rules) = g.get("GroupRules") {
            let items = rules.items().into_iter().map(|x| {
                let x = &x;
                let mut rule = Record::new(&schema::GROUP_RULE, Some(x.loc()));
                put(&mut rule, "property", x, "Property", Conv::Text);
                put(&mut rule, "operator", x, "OperatorType", Conv::Text);
                put(&mut rule, "value", x, "PropertyValue", Conv::Text);
                rule
            });
            r.set("rules", Value::Records(items.collect()), Some(rules.loc()));
        }
        b.push("device_groups", r);
    }
}
