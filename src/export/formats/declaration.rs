//! dexlint's deployment declaration (`schemas/deployment-v1.schema.json`): which Defender
//! Experts services are purchased and each Defender product's deployment mode, where no API
//! tells.

use crate::export::json::At;
use crate::export::Builder;
use crate::model::schema;
use crate::model::{Record, Value};

/// Keys of the declaration's `products` object: Defender for Endpoint, for Office 365, for
/// Identity, for Cloud Apps, for IoT, and Entra ID P2. Each becomes a `products` record named
/// by its key.
pub const PRODUCTS: &[&str] = &["mde", "mdo", "mdi", "mdca", "mdiot", "entra_p2"];
/// Accepted values of a product's deployment mode (`products.<key>`, matched in any case and
/// stored lowercased as the record's `mode`).
pub const MODES: &[&str] = &["active", "passive", "not_deployed"];
/// Keys of the declaration's `services` object (Defender Experts for XDR, for Servers), each
/// true or false: a `services` record with `purchased`.
pub const SERVICES: &[&str] = &["xdr", "servers"];

/// Reads a deployment declaration: an object whose `kind` starts with `dexlint.deployment/`.
pub fn read(b: &mut Builder, doc: &At<'_>, _rel: &str) -> bool {
    let declared = doc
        .get("kind")
        .and_then(|k| k.text())
        .is_some_and(|k| k.starts_with("dexlint.deployment/"));
    if declared {
        load(b, doc);
    }
    declared
}

fn load(b: &mut Builder, doc: &At<'_>) {
    if let Some(services) = doc.get("services") {
        b.touch("services");
        for name in SERVICES {
            let Some(v) = services.get(name) else {
                continue;
            };
            let mut r = Record::new(&schema::SERVICE, Some(v.loc()));
            r.set("name", Value::Str((*name).into()), None);
            match v.boolean() {
                Some(p) => {
                    r.set("purchased", Value::Bool(p), Some(v.loc()));
                }
                None => b.shape_error(&v, &format!("`services.{name}` must be true or false")),
            }
            b.push("services", r);
        }
        unknown_keys(b, &services, SERVICES, "service");
    }
    if let Some(products) = doc.get("products") {
        b.touch("products");
        for name in PRODUCTS {
            let Some(v) = products.get(name) else {
                continue;
            };
            let mut r = Record::new(&schema::PRODUCT, Some(v.loc()));
            r.set("name", Value::Str((*name).into()), None);
            match v.text().map(|m| m.to_ascii_lowercase()) {
                Some(m) if MODES.contains(&m.as_str()) => {
                    r.set("mode", Value::Str(m.into()), Some(v.loc()));
                }
                _ => b.shape_error(
                    &v,
                    &format!(
                        "`products.{name}` must be one of `active`, `passive`, `not_deployed`"
                    ),
                ),
            }
            b.push("products", r);
        }
        unknown_keys(b, &products, PRODUCTS, "product");
    }
}

fn unknown_keys(b: &mut Builder, obj: &At<'_>, known: &[&str], what: &str) {
    if !obj.is_object() {
        b.shape_error(obj, "expected an object");
        return;
    }
    for (key, at) in obj.members() {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            b.shape_error(
                &at,
                &format!(
                    "unknown {what} `{key}` (expected one of {})",
                    known.join(", ")
                ),
            );
        }
    }
}
