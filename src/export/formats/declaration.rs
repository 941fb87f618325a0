//! dexlint's deployment declaration (`schemas/deployment-v1.schema.json`): which Defender
//! Experts services are purchased and each Defender product's deployment mode, where no API
//! tells.

use crate::export::json::At;
use crate::export::Builder;
use crate::model::schema;
use crate::model::{Loc, Record, TenantModel, Value};

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

/// The name of the Defender Experts service a key of [`SERVICES`] stands for, in messages.
pub fn service_title(key: &str) -> &'static str {
    match key {
        "xdr" => "Defender Experts for XDR",
        _ => "Defender Experts for Servers",
    }
}

/// The `kind` of a declaration this version of dexlint reads.
pub const KIND: &str = "dexlint.deployment/v1";
/// The keys of a declaration's top-level object.
const TOP: &[&str] = &["$schema", "kind", "services", "products"];

/// Reads a deployment declaration: an object whose `kind` is [`KIND`], or that is meant as one
/// and gets it wrong: its `$schema` is the declaration's schema, its `kind` names another
/// version or is a near miss of [`KIND`], or it has no `kind` and only the declaration's keys,
/// `services` naming a service or `products` a product. A misspelt or missing `kind` is an error at it and
/// the document is read as version 1 (what its other keys say); an unknown version is an error
/// and the document is not read. An unknown top-level key is an error at it.
pub fn read(b: &mut Builder, doc: &At<'_>, _rel: &str) -> bool {
    if !doc.is_object() {
        return false;
    }
    let kind_at = doc.get("kind");
    let kind = kind_at.and_then(|k| k.text());
    let lower = kind.as_deref().map(str::to_ascii_lowercase);
    let by_schema = doc
        .get("$schema")
        .and_then(|s| s.text())
        .map(|s| s.to_ascii_lowercase())
        .is_some_and(|s| s.contains("dexlint") && s.contains("deployment"));
    let near = lower
        .as_deref()
        .is_some_and(|k| k.starts_with("dexlint") || strsim::damerau_levenshtein(k, KIND) <= 3);
    // Without `kind` or `$schema`: the declaration's own keys and nothing else (`services`
    // naming a service, or `products` a product).
    let names = |key: &str, known: &[&str]| {
        doc.get(key).is_some_and(|o| {
            o.entries()
                .iter()
                .any(|(k, _)| known.iter().any(|n| n.eq_ignore_ascii_case(k)))
        })
    };
    let by_keys = kind_at.is_none()
        && doc
            .entries()
            .iter()
            .all(|(k, _)| TOP.iter().any(|t| t.eq_ignore_ascii_case(k)))
        && (names("services", SERVICES) || names("products", PRODUCTS));
    if !by_schema && !near && !by_keys {
        return false;
    }
    match (kind_at, lower.as_deref()) {
        (_, Some(k)) if k == KIND => {}
        (Some(at), Some(k)) if k.starts_with("dexlint.deployment/") => {
            b.shape_error(
                &at,
                &format!(
                    "unknown version `{}` of the deployment declaration: this dexlint reads \
                     `{KIND}`; the declaration was not read",
                    kind.unwrap_or_default()
                ),
            );
            return true;
        }
        (Some(at), _) => b.shape_error(
            &at,
            &format!(
                "`kind` `{}` is not a kind dexlint reads: did you mean `{KIND}`? The document \
                 is read as a deployment declaration",
                kind.unwrap_or_default()
            ),
        ),
        (None, _) => b.shape_error(
            doc,
            &format!(
                "a deployment declaration (by its {}) without `\"kind\": \"{KIND}\"`, which \
                 the schema requires; it is read as one",
                if by_schema { "`$schema`" } else { "keys" }
            ),
        ),
    }
    unknown_keys(b, doc, TOP, "key");
    load(b, doc);
    true
}

fn load(b: &mut Builder, doc: &At<'_>) {
    repeated_keys(b, doc, "");
    if let Some(services) = doc.get("services") {
        b.touch("services");
        repeated_keys(b, &services, "services.");
        for (key, v) in services.entries() {
            let Some(name) = SERVICES.iter().find(|k| k.eq_ignore_ascii_case(key)) else {
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
        repeated_keys(b, &products, "products.");
        for (key, v) in products.entries() {
            let Some(name) = PRODUCTS.iter().find(|k| k.eq_ignore_ascii_case(key)) else {
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

/// A warning at each key an object gives again (in any case): JSON parsers keep one of the
/// values, not all the same one. Each is read as a declaration of its own (see [`merge`]).
fn repeated_keys(b: &mut Builder, obj: &At<'_>, path: &str) {
    let entries = obj.entries();
    for (i, (key, at)) in entries.iter().enumerate() {
        let earlier = entries
            .iter()
            .take(i)
            .any(|(k, _)| k.eq_ignore_ascii_case(key));
        if earlier {
            b.warning(
                at,
                &format!(
                    "`{path}{key}` is given more than once in this object: JSON readers keep \
                     one of its values, not all the same one; give it once (dexlint reads each, \
                     and values that differ leave it unknown)"
                ),
            );
        }
    }
}

fn unknown_keys(b: &mut Builder, obj: &At<'_>, known: &[&str], what: &str) {
    if !obj.is_object() {
        b.shape_error(obj, "expected an object");
        return;
    }
    for (key, at) in obj.members() {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            let hint = crate::base::suggest::did_you_mean(key, known.iter().copied())
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            b.shape_error(
                &at,
                &format!(
                    "unknown {what} `{key}` (expected one of {}){hint}",
                    known.join(", ")
                ),
            );
        }
    }
}

/// A service or product that two declarations (or one object that repeats its key) give
/// different values.
#[derive(Debug)]
pub struct Conflict {
    /// `services` or `products`.
    pub collection: &'static str,
    /// The key (`xdr`, `mdo`).
    pub name: String,
    /// The field left unknown (`purchased`, `mode`).
    pub field: &'static str,
    /// The earlier value and where it is.
    pub first: (Value, Option<Loc>),
    /// The later value and where it is.
    pub second: (Value, Option<Loc>),
}

/// Adds a `services` record, its `purchased` unknown, for each service of [`SERVICES`] that the
/// declarations' `services` objects leave out (`{"servers": true}` says nothing of XDR: DEX301
/// read it as not purchased), when the export has a declaration's `services`; returns their
/// names. (After [`merge`].)
pub fn omitted_services(model: &mut TenantModel) -> Vec<&'static str> {
    let Some(c) = model.collection_mut("services").filter(|c| c.present) else {
        return Vec::new();
    };
    let omitted: Vec<&'static str> = SERVICES
        .iter()
        .copied()
        .filter(|name| !c.records.iter().any(|r| r.text("name") == Some(name)))
        .collect();
    for name in &omitted {
        let mut r = Record::new(&schema::SERVICE, c.origin);
        r.set("name", Value::Str((*name).into()), None);
        r.set("purchased", Value::Unknown, c.origin);
        c.push(r);
    }
    omitted
}

/// Keeps one record of each service and product that declarations give (in walk order, the
/// first's place): a value they give alike is kept, one only some of them give validly is
/// taken, and one they give differently is [`Value::Unknown`] at the second (which is meant
/// now, the export does not tell). Returns those conflicts, the first of each key only.
pub fn merge(model: &mut TenantModel) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for (collection, field) in [("services", "purchased"), ("products", "mode")] {
        let Some(c) = model.collection_mut(collection) else {
            continue;
        };
        let mut kept: Vec<Record> = Vec::new();
        for r in std::mem::take(&mut c.records) {
            let name = r.text("name").unwrap_or_default().to_string();
            let Some(k) = kept
                .iter_mut()
                .find(|k| k.text("name") == Some(name.as_str()))
            else {
                kept.push(r);
                continue;
            };
            // A value the reader rejected is absent: it declares nothing.
            let given = |r: &Record| {
                r.get(field)
                    .filter(|f| !f.is_null())
                    .map(|f| (f.value().to_value(), f.loc()))
            };
            let Some((value, loc)) = given(&r) else {
                continue;
            };
            match given(k) {
                None => {
                    k.set(field, value, loc);
                }
                Some((Value::Unknown, _)) => {}
                Some(old) if old.0 == value => {}
                Some(first) => {
                    k.set(field, Value::Unknown, loc);
                    conflicts.push(Conflict {
                        collection,
                        name,
                        field,
                        first,
                        second: (value, loc),
                    });
                }
            }
        }
        c.records = kept;
    }
    conflicts
}
