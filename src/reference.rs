//! The tenant model as a reference for policy authors: `dexlint schema` (text or JSON) and
//! docs/model.md, generated from [`crate::model::schema`] and the source formats of
//! [`crate::export::formats::FORMATS`] so that they cannot drift from what the compiler checks.

use crate::export::formats::FORMATS;
use crate::model::schema::{self, FieldSchema, Type, COLLECTIONS};
use std::fmt::Write as _;

/// The collections `products` is derived from (`export::products`), besides the declaration.
const PRODUCTS_FROM: &[&str] = &[
    "skus",
    "users",
    "devices",
    "office_policies",
    "identity_sensors",
    "cloud_accounts",
];

/// The formats whose documents provide `collection` (for `products`, those of the collections
/// it is derived from too).
fn formats_of(collection: &str) -> Vec<&'static str> {
    FORMATS
        .iter()
        .filter(|f| {
            f.provides.contains(&collection)
                || (collection == "products"
                    && f.provides.iter().any(|c| PRODUCTS_FROM.contains(c)))
        })
        .map(|f| f.name)
        .collect()
}

fn values_text(f: &FieldSchema) -> String {
    f.values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The model as one JSON document: `{"collections": [{"name", "record", "doc", "provided_by",
/// "formats"}], "records": [{"name", "fields": [{"name", "type", "optional", "source",
/// "values"}]}], "formats": [{"name", "produced_by", "provides"}]}`.
pub fn json() -> serde_json::Value {
    let collections: Vec<_> = COLLECTIONS
        .iter()
        .map(|c| {
            serde_json::json!({
                "name": c.name,
                "record": c.record.name,
                "doc": c.doc,
                "provided_by": c.provided_by,
                "formats": formats_of(c.name),
            })
        })
        .collect();
    let records: Vec<_> = schema::records()
        .iter()
        .map(|r| {
            let fields: Vec<_> = r
                .fields
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "name": f.name,
                        "type": f.ty.name(),
                        "optional": f.optional,
                        "source": f.doc,
                        "values": f.values,
                    })
                })
                .collect();
            serde_json::json!({"name": r.name, "fields": fields})
        })
        .collect();
    let formats: Vec<_> = FORMATS
        .iter()
        .map(|f| serde_json::json!({"name": f.name, "produced_by": f.produced_by, "provides": f.provides}))
        .collect();
    serde_json::json!({"collections": collections, "records": records, "formats": formats})
}

/// The model as text for a terminal: the collections, then each record type's fields with
/// their types, values and source keys.
pub fn text() -> String {
    let mut out = String::from("collections (for x in COLLECTION):\n");
    let width = COLLECTIONS.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in COLLECTIONS {
        let _ = writeln!(
            out,
            "  {:width$}  of {}: {} (from {})",
            c.name, c.record.name, c.doc, c.provided_by
        );
        let formats = formats_of(c.name);
        if !formats.is_empty() {
            let _ = writeln!(out, "  {:width$}  formats: {}", "", formats.join(", "));
        }
    }
    for r in schema::records() {
        let _ = writeln!(out, "\nrecord {}:", r.name);
        let name_w = r.fields.iter().map(|f| f.name.len()).max().unwrap_or(0);
        let ty_w = r
            .fields
            .iter()
            .map(|f| f.ty.name().len())
            .max()
            .unwrap_or(0);
        for f in r.fields {
            let mut line = format!(
                "  {:name_w$}  {:ty_w$}  {}{}",
                f.name,
                f.ty.name(),
                match (f.optional, f.on_demand) {
                    (true, true) => "(optional, on demand) ",
                    (true, false) => "(optional) ",
                    (false, true) => "(on demand) ",
                    (false, false) => "",
                },
                f.doc
            );
            if !f.values.is_empty() {
                let _ = write!(line, "; one of {}", values_text(f));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// docs/model.md.
pub fn markdown() -> String {
    let mut out = String::from(
        "# The tenant model\n\n\
         Generated from the schema by `DEXLINT_BLESS=1 cargo test --test main reference`; \
         `dexlint schema` prints the same (`--format json` for tools). Policies iterate the \
         collections (`for g in groups`) and read the fields of their records (`g.name`); the \
         compiler checks every name and type against this schema, and a string compared with \
         a field that has a closed set of values must be one of them.\n\n\
         A field marked optional may be absent where it does not apply: a rule that reads it \
         is still evaluated when no record has it, unless its policy names it in `requires` \
         (`requires users.last_sign_in`). Any other field that no record of the export \
         carries makes the rules that read it \"not evaluated\".\n\n\
         A field marked on demand is kept in memory only when a policy of the run reads it \
         (dexlint itself never does): a lint whose policies do not read a user's licences or \
         a machine's risk score does not hold them.\n\n\
         ## Collections\n\n\
         | collection | record | what | read from | formats |\n|---|---|---|---|---|\n",
    );
    for c in COLLECTIONS {
        let formats: Vec<String> = formats_of(c.name)
            .iter()
            .map(|f| format!("`{f}`"))
            .collect();
        let _ = writeln!(
            out,
            "| `{}` | [`{}`](#{}) | {} | {} | {} |",
            c.name,
            c.record.name,
            c.record.name,
            c.doc,
            c.provided_by.replace('|', "\\|"),
            if c.name == "products" {
                format!(
                    "derived (see the README's \"Product deployment states\") from {}",
                    formats.join(", ")
                )
            } else {
                formats.join(", ")
            }
        );
    }
    for r in schema::records() {
        let _ = write!(
            out,
            "\n## {}\n\n| field | type | values | read from |\n|---|---|---|---|\n",
            r.name
        );
        for f in r.fields {
            let inner = match f.ty {
                Type::List(Type::Record(inner)) => Some(*inner),
                Type::Record(inner) => Some(inner),
                _ => None,
            };
            let ty = match inner {
                Some(inner) => format!("[`{}`](#{})", f.ty.name(), inner.name),
                None => format!("`{}`", f.ty.name()),
            };
            let _ = writeln!(
                out,
                "| `{}`{} | {ty} | {} | {} |",
                f.name,
                match (f.optional, f.on_demand) {
                    (true, true) => " (optional, on demand)",
                    (true, false) => " (optional)",
                    (false, true) => " (on demand)",
                    (false, false) => "",
                },
                values_text(f),
                f.doc.replace('|', "\\|")
            );
        }
    }
    let _ = write!(
        out,
        "\n## Source formats\n\n| format | produced by | collections |\n|---|---|---|\n"
    );
    for f in FORMATS {
        let provides: Vec<String> = f.provides.iter().map(|c| format!("`{c}`")).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            f.name,
            f.produced_by.replace('|', "\\|"),
            provides.join(", ")
        );
    }
    out
}
