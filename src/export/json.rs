//! A JSON value with its location, and case-insensitive key access (PowerShell writes
//! `DisplayName`, Graph `displayName`). Locations keep the key as spelled in the file.

use crate::model::{Loc, Record, Value};
use serde_json::Value as J;

/// A JSON value and its location (children's locations are built on demand).
#[derive(Debug, Clone)]
pub struct At<'a> {
    pub v: &'a J,
    pub loc: Loc,
}

impl<'a> At<'a> {
    pub fn new(v: &'a J, loc: Loc) -> Self {
        At { v, loc }
    }

    /// A member by name, ignoring ASCII case.
    pub fn get(&self, key: &str) -> Option<At<'a>> {
        let obj = self.v.as_object()?;
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(k, v)| At {
                v,
                loc: self.loc.child(k),
            })
    }

    /// A member by path of names (`["prepaidUnits", "enabled"]`).
    pub fn path(&self, keys: &[&str]) -> Option<At<'a>> {
        let mut cur = self.clone();
        for k in keys {
            cur = cur.get(k)?;
        }
        Some(cur)
    }

    /// The elements of an array (none for anything else).
    pub fn items(&self) -> Vec<At<'a>> {
        self.v
            .as_array()
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, v)| At {
                        v,
                        loc: self.loc.index(i),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn is_object(&self) -> bool {
        self.v.is_object()
    }

    /// A string, or a number written as text (ids such as `MachineGroupId: 140`).
    pub fn text(&self) -> Option<String> {
        match self.v {
            J::String(s) => Some(s.clone()),
            J::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A boolean, or the strings "True"/"False" in any case.
    pub fn boolean(&self) -> Option<bool> {
        match self.v {
            J::Bool(b) => Some(*b),
            J::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            J::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// An integer, or a string holding one.
    pub fn int(&self) -> Option<i64> {
        match self.v {
            J::Number(n) => n.as_i64(),
            J::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// ISO 8601 or `/Date(ms)/`, as milliseconds since the epoch.
    pub fn date(&self) -> Option<i64> {
        let s = self.v.as_str()?.trim();
        if let Some(inner) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
            // `/Date(1700000000000+0100)/`: the offset does not move the instant.
            let digits = inner.trim_start_matches('-');
            let end = digits.find(['+', '-']).unwrap_or(digits.len());
            let ms: i64 = digits.get(..end)?.parse().ok()?;
            return Some(if inner.starts_with('-') { -ms } else { ms });
        }
        let iso = time::format_description::well_known::Iso8601::DEFAULT;
        let t = time::OffsetDateTime::parse(s, &iso)
            .or_else(|_| time::PrimitiveDateTime::parse(s, &iso).map(|p| p.assume_utc()))
            .ok()?;
        i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
    }

    /// A list of strings (non-strings skipped).
    pub fn strings(&self) -> Option<Vec<Value>> {
        self.v.as_array().map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(|s| Value::Str(s.to_string())))
                .collect()
        })
    }
}

/// How a source value becomes a model value.
#[derive(Debug, Clone, Copy)]
pub enum Conv {
    Text,
    Bool,
    Int,
    Date,
    Strings,
}

/// Sets `field` of `record` from the member `key` of `node` (case-insensitive), keeping its
/// location; a member that is absent or of the wrong kind leaves the field absent.
pub fn put(record: &mut Record, field: &str, node: &At<'_>, key: &str, conv: Conv) {
    if let Some(at) = node.get(key) {
        put_at(record, field, &at, conv);
    }
}

/// Sets `field` of `record` from `at`.
pub fn put_at(record: &mut Record, field: &str, at: &At<'_>, conv: Conv) {
    let value = match conv {
        Conv::Text => at.text().map(Value::Str),
        Conv::Bool => at.boolean().map(Value::Bool),
        Conv::Int => at.int().map(Value::Int),
        Conv::Date => at.date().map(Value::Date),
        Conv::Strings => at.strings().map(Value::List),
    };
    if let Some(value) = value {
        record.set(field, value, Some(at.loc.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let j = serde_json::json!([
            "/Date(1700000000000)/",
            "2023-11-14T22:13:20Z",
            "2023-11-14T22:13:20.000+00:00",
            "2023-11-14T22:13:20"
        ]);
        let at = At::new(&j, Loc::new(0, ""));
        let got: Vec<Option<i64>> = at.items().iter().map(At::date).collect();
        assert_eq!(got, vec![Some(1_700_000_000_000); 4]);
    }

    #[test]
    fn case_insensitive_keys_keep_their_spelling() {
        let j = serde_json::json!({"DisplayName": "x", "a/b": {"c~d": true}});
        let at = At::new(&j, Loc::new(3, ""));
        assert_eq!(
            at.get("displayName").map(|n| n.loc.pointer),
            Some("/DisplayName".to_string())
        );
        assert_eq!(
            at.path(&["A/B", "C~D"]).map(|n| n.loc.pointer),
            Some("/a~1b/c~0d".to_string())
        );
        assert_eq!(
            at.path(&["a/b", "c~d"]).and_then(|n| n.boolean()),
            Some(true)
        );
    }
}
