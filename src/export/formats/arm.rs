//! Defender for Cloud resources from ARM: `Microsoft.Security/pricings` (Defender for Servers
//! tier and sub-plan), `Microsoft.Security/settings` (`WDATP`: the Defender for Endpoint
//! integration), and `securityConnectors` (AWS accounts and GCP projects). One document may be
//! a resource, a `{"value": [...]}` list or a top-level array (`az` output).

use crate::export::json::{put_at, At, Conv};
use crate::export::Builder;
use crate::model::Value;

/// The subscription id of an ARM resource id (`/subscriptions/<id>/providers/...`).
pub fn subscription_of(id: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("subscriptions") {
            return parts.next().filter(|s| !s.is_empty()).map(str::to_string);
        }
    }
    None
}

fn is_arm_resource(v: &At<'_>) -> bool {
    v.get("type")
        .and_then(|t| t.text())
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("microsoft.security/"))
}

/// Reads `Microsoft.Security` resources: one resource, a `{"value": [...]}` list or a top-level
/// array whose every element is one.
pub fn read(b: &mut Builder, doc: &At<'_>, _rel: &str) -> bool {
    let all = |items: Vec<At<'_>>| !items.is_empty() && items.iter().all(is_arm_resource);
    let arm = if doc.is_array() {
        all(doc.items())
    } else {
        doc.is_object()
            && (is_arm_resource(doc)
                || (doc.get("@odata.context").is_none()
                    && doc.get("value").is_some_and(|v| all(v.items()))))
    };
    if arm {
        load(b, doc);
    }
    arm
}

fn load(b: &mut Builder, doc: &At<'_>) {
    let resources = if doc.v.is_array() {
        doc.items()
    } else if let Some(v) = doc.get("value").filter(|v| v.v.is_array()) {
        v.items()
    } else {
        vec![*doc]
    };
    b.touch("cloud_accounts");
    for r in resources {
        resource(b, &r);
    }
}

fn text(at: &At<'_>, key: &str) -> Option<String> {
    at.get(key).and_then(|v| v.text())
}

fn resource(b: &mut Builder, r: &At<'_>) {
    let kind = text(r, "type").unwrap_or_default().to_ascii_lowercase();
    let name = text(r, "name").unwrap_or_default();
    let Some(props) = r.get("properties") else {
        b.shape_error(r, "expected `properties` in an ARM resource");
        return;
    };
    match kind.as_str() {
        "microsoft.security/pricings" if name.eq_ignore_ascii_case("VirtualMachines") => {
            let Some(sub) = text(r, "id").as_deref().and_then(subscription_of) else {
                b.shape_error(r, "cannot tell the subscription of this pricing (no `/subscriptions/<id>` in `id`)");
                return;
            };
            let Some(account) = b.cloud_account(&sub, "Azure", "arm", r) else {
                return;
            };
            if let Some(t) = props.get("pricingTier") {
                put_at(account, "servers_tier", &t, Conv::Text);
            }
            if let Some(p) = props.get("subPlan") {
                put_at(account, "servers_plan", &p, Conv::Text);
            }
        }
        "microsoft.security/settings" if name.eq_ignore_ascii_case("WDATP") => {
            let Some(sub) = text(r, "id").as_deref().and_then(subscription_of) else {
                b.shape_error(r, "cannot tell the subscription of this setting (no `/subscriptions/<id>` in `id`)");
                return;
            };
            let Some(account) = b.cloud_account(&sub, "Azure", "arm", r) else {
                return;
            };
            if let Some(e) = props.get("enabled") {
                put_at(account, "mde_integration", &e, Conv::Bool);
            }
        }
        "microsoft.security/securityconnectors" => connector(b, r, &props),
        _ => {}
    }
}

/// `subPlan` as `"P1"` or `{"type": "P1"}`.
fn sub_plan<'a>(offering: &At<'a>) -> Option<At<'a>> {
    let p = offering.get("subPlan")?;
    if p.is_object() {
        p.get("type")
    } else {
        Some(p)
    }
}

fn connector(b: &mut Builder, r: &At<'_>, props: &At<'_>) {
    let env = text(props, "environmentName").unwrap_or_default();
    let id = text(props, "hierarchyIdentifier")
        .or_else(|| text(r, "name"))
        .unwrap_or_default();
    let name = text(r, "name");
    let offerings = props
        .get("offerings")
        .map(|o| o.items())
        .unwrap_or_default();
    let Some(account) = b.cloud_account(&format!("{env}:{id}"), &env, "connector", r) else {
        return;
    };
    account.set(
        "id",
        Value::Str(id.into()),
        props.get("hierarchyIdentifier").map(|h| h.loc()),
    );
    if let Some(n) = name {
        account.set("name", Value::Str(n.into()), r.get("name").map(|h| h.loc()));
    }
    for o in offerings {
        let kind = text(&o, "offeringType").unwrap_or_default();
        if !kind.to_ascii_lowercase().starts_with("defenderforservers") {
            continue;
        }
        match sub_plan(&o) {
            Some(p) => put_at(account, "servers_plan", &p, Conv::Text),
            // An offering without a sub-plan is Plan 2, the only plan connectors first offered.
            None => {
                account.set(
                    "servers_plan",
                    Value::Str("P2".into()),
                    o.get("offeringType").map(|t| t.loc()),
                );
            }
        }
        if let Some(e) = o.path(&["mdeAutoProvisioning", "enabled"]) {
            put_at(account, "mde_integration", &e, Conv::Bool);
        }
    }
}
