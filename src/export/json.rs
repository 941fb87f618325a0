//! A JSON value with its location, and case-insensitive key access (PowerShell writes
//! `DisplayName`, Graph `displayName`).

use super::tree::{Kind, Node};
use crate::model::ArcStr;
use crate::model::{FileId, Loc, Record, Value};
use std::cell::RefCell;
use std::collections::HashSet;

/// The strings of one file as model strings: equal strings are one allocation. A tenant
/// repeats most of its strings (plan ids and names, services, statuses, operating systems).
/// Hashed with foldhash (std's SipHash cost a few percent of a large load), seeded per
/// process, so that colliding strings cannot be written in advance.
#[derive(Debug, Default)]
pub struct Strings(RefCell<HashSet<ArcStr, foldhash::fast::RandomState>>);

impl Strings {
    /// `s` as a model string: the copy already made for an equal string, if any.
    pub fn get(&self, s: &str) -> ArcStr {
        let mut pool = self.0.borrow_mut();
        if let Some(existing) = pool.get(s) {
            return existing.clone();
        }
        let new = ArcStr::from(s);
        pool.insert(new.clone());
        new
    }
}

/// A JSON value of a file, and the file's shared strings.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    /// The value, with the byte offset where it starts.
    pub v: &'a Node<'a>,
    /// The file it was read from (its index in the model's files).
    pub file: FileId,
    strings: &'a Strings,
}

impl<'a> At<'a> {
    /// The value `v` of `file`, sharing its strings through `strings`.
    pub fn new(v: &'a Node<'a>, file: FileId, strings: &'a Strings) -> Self {
        At { v, file, strings }
    }

    /// `s` as a model string shared with equal strings of the file.
    pub fn shared(&self, s: &str) -> ArcStr {
        self.strings.get(s)
    }

    /// Where the value is.
    pub fn loc(&self) -> Loc {
        Loc::new(self.file, self.v.start)
    }

    fn at(&self, v: &'a Node<'a>) -> At<'a> {
        At { v, ..*self }
    }

    /// A member by name, ignoring ASCII case (the last one when a key is repeated).
    pub fn get(&self, key: &str) -> Option<At<'a>> {
        self.v
            .as_object()?
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| self.at(v))
    }

    /// The members of an object, each key once (the last value when a key is repeated).
    pub fn members(&self) -> Vec<(&'a str, At<'a>)> {
        let Some(members) = self.v.as_object() else {
            return Vec::new();
        };
        members
            .iter()
            .enumerate()
            .filter(|(i, (k, _))| !members.iter().skip(i + 1).any(|(later, _)| later == k))
            .map(|(_, (k, v))| (k.as_ref(), self.at(v)))
            .collect()
    }

    /// The members of an object in file order, a repeated key each time it is given.
    pub fn entries(&self) -> Vec<(&'a str, At<'a>)> {
        self.v
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.as_ref(), self.at(v))).collect())
            .unwrap_or_default()
    }

    /// A member by path of names (`["prepaidUnits", "enabled"]`).
    pub fn path(&self, keys: &[&str]) -> Option<At<'a>> {
        let mut cur = *self;
        for k in keys {
            cur = cur.get(k)?;
        }
        Some(cur)
    }

    /// The elements of an array (none for anything else).
    pub fn items(&self) -> Vec<At<'a>> {
        self.v
            .as_array()
            .unwrap_or_default()
            .iter()
            .map(|v| self.at(v))
            .collect()
    }

    /// Whether the value is an object.
    pub fn is_object(&self) -> bool {
        self.v.is_object()
    }

    /// Whether the value is an array.
    pub fn is_array(&self) -> bool {
        self.v.is_array()
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.v.kind, Kind::Null)
    }

    /// The value if it is a string (unescaped); None for a number or anything else.
    pub fn as_str(&self) -> Option<&'a str> {
        self.v.as_str()
    }

    /// A string, or a number as written (ids such as `MachineGroupId: 140`).
    fn written(&self) -> Option<&str> {
        match &self.v.kind {
            Kind::String(s) => Some(s),
            Kind::Number(n) => Some(n),
            _ => None,
        }
    }

    /// A string, or a number written as text.
    pub fn text(&self) -> Option<String> {
        self.written().map(str::to_string)
    }

    /// [`At::text`] as a model string, shared with equal strings of the same file.
    pub fn shared_text(&self) -> Option<ArcStr> {
        self.written().map(|s| self.shared(s))
    }

    /// A boolean, or the strings "True"/"False" in any case.
    pub fn boolean(&self) -> Option<bool> {
        match &self.v.kind {
            Kind::Bool(b) => Some(*b),
            Kind::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Kind::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// An integer, or a string holding one.
    pub fn int(&self) -> Option<i64> {
        match &self.v.kind {
            Kind::Number(n) => n.parse().ok(),
            Kind::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A string in ISO 8601 (UTC when it has no offset) or `/Date(ms)/`, as milliseconds since
    /// the Unix epoch; None for a number or a string that is neither.
    pub fn date(&self) -> Option<i64> {
        crate::base::dates::parse(self.as_str()?)
    }

    /// A list of strings (non-strings skipped).
    pub fn strings(&self) -> Option<Vec<Value>> {
        self.v.as_array().map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(|s| Value::Str(self.shared(s))))
                .collect()
        })
    }
}

/// Longest excerpt of a value quoted in a diagnostic, in characters.
const EXCERPT: usize = 40;

/// The start of `text` as a diagnostic quotes it: its runs of white space (line ends of a JSON
/// text written into a string) one space each, cut after [`EXCERPT`] characters with `…`.
pub fn excerpt(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(EXCERPT) {
        Some((cut, _)) => format!("{}…", joined.get(..cut).unwrap_or(&joined)),
        None => joined,
    }
}

/// Whether a string is what PowerShell's `ConvertTo-Json` writes for an object or list
/// deeper than its `-Depth` (default 2): `@{key=value; ...}` for an object,
/// `System.Collections.Hashtable`, `System.Object[]` and other .NET type names.
pub fn powershell_truncated(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("@{") && t.contains('=') && t.ends_with('}'))
        || t.starts_with("System.Collections.")
        || t == "System.Object[]"
        || t.starts_with("System.Object[")
        || dotnet_type_name(t)
}

/// Whether `t` is the full name of a .NET type of Microsoft's PowerShell modules, as
/// `ConvertTo-Json` writes an object beyond its depth (`Microsoft.Graph.Beta.PowerShell.Models.
/// MicrosoftGraphServicePlanInfo`, `Microsoft.Azure.PowerShell.Cmdlets.Security.Models....`,
/// `System.Management.Automation.PSCustomObject`): dotted identifiers, no spaces.
fn dotnet_type_name(t: &str) -> bool {
    let rooted = ["Microsoft.", "System."].iter().any(|p| t.starts_with(p));
    let parts: Vec<&str> = t.split('.').collect();
    rooted
        && parts.len() >= 3
        && parts.iter().all(|p| {
            p.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '`' | '[' | ']' | '+'))
        })
}

/// How a source value becomes a model value.
#[derive(Debug, Clone, Copy)]
pub enum Conv {
    /// A string, or a number as written: [`At::text`].
    Text,
    /// A boolean, or `"true"`/`"false"` in any case: [`At::boolean`].
    Bool,
    /// An integer, or a string holding one: [`At::int`].
    Int,
    /// An ISO 8601 or `/Date(ms)/` string, to milliseconds since the Unix epoch: [`At::date`].
    Date,
    /// An array, keeping its string elements: [`At::strings`].
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
        Conv::Text => at.shared_text().map(Value::Str),
        // A boolean given as null (Graph's `accountEnabled` of some accounts) is kept as a null
        // with its location: the export gives it, and does not say which it is.
        Conv::Bool if at.is_null() => Some(Value::Null),
        Conv::Bool => at.boolean().map(Value::Bool),
        Conv::Int => at.int().map(Value::Int),
        Conv::Date => at.date().map(Value::Date),
        Conv::Strings => at.strings().map(|l| Value::List(l.into())),
    };
    if let Some(value) = value {
        record.set(field, value, Some(at.loc()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tree::parse;

    #[test]
    fn equal_strings_share_one_allocation() {
        let strings = Strings::default();
        // Lengths around the hasher's 8-byte words, and strings that differ only in their tail.
        let texts: Vec<String> = (0..40)
            .flat_map(|n| {
                [
                    "a".repeat(n),
                    format!("{}b", "a".repeat(n)),
                    format!("é{n}"),
                ]
            })
            .collect();
        let first: Vec<ArcStr> = texts.iter().map(|t| strings.get(t)).collect();
        for (t, f) in texts.iter().zip(&first) {
            let again = strings.get(&t.clone());
            assert_eq!(again.as_str(), t.as_str());
            assert!(ArcStr::ptr_eq(&again, f), "{t}");
        }
        assert_eq!(strings.0.borrow().len(), texts.len());
    }

    #[test]
    fn dates() {
        let doc = parse(
            r#"["/Date(1700000000000)/", "2023-11-14T22:13:20Z",
                "2023-11-14T22:13:20.000+00:00", "2023-11-14T22:13:20"]"#,
            8,
        )
        .unwrap();
        let got: Vec<Option<i64>> = At::new(&doc, 0, &Strings::default())
            .items()
            .iter()
            .map(At::date)
            .collect();
        assert_eq!(got, vec![Some(1_700_000_000_000); 4]);
    }

    #[test]
    fn case_insensitive_keys_and_the_last_of_repeated_keys() {
        let text = r#"{"DisplayName": "x", "a/b": {"c~d": true}, "n": 140, "n": "141"}"#;
        let doc = parse(text, 8).unwrap();
        let strings = Strings::default();
        let at = At::new(&doc, 3, &strings);
        let name = at.get("displayName").unwrap();
        assert_eq!((name.as_str(), name.loc()), (Some("x"), Loc::new(3, 16)));
        assert_eq!(
            at.path(&["A/B", "C~D"]).and_then(|n| n.boolean()),
            Some(true)
        );
        assert_eq!(at.get("n").and_then(|n| n.int()), Some(141));
        let keys: Vec<&str> = at.members().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["DisplayName", "a/b", "n"]);
    }
}
