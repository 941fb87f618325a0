//! The tenant model that policies query: typed records grouped in collections, each value
//! remembering where it came from (file + byte offset of the value in the file's text).
//!
//! A location is two integers: it costs nothing to keep one per field. The JSON pointer, line
//! and column a report shows are worked out from the offset only for the values a violation
//! points at (`export::locate`).

pub mod schema;

pub use arcstr::ArcStr;
use schema::{RecordSchema, COLLECTIONS};
use std::path::PathBuf;
pub use thin_vec::ThinVec;

/// Index of a file in [`TenantModel::files`].
pub type FileId = u32;

/// Where a value came from: a file of the export and the byte offset where the value starts
/// in its decoded text. Offset 0 stands for the whole document. Eight bytes, and so is an
/// `Option<Loc>`: the model keeps one per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// The file's id plus one (zero is the niche `Option<Loc>` uses).
    file: std::num::NonZeroU32,
    offset: u32,
}

impl Loc {
    /// The value that starts at byte `offset` of `file`'s decoded text.
    pub fn new(file: FileId, offset: u32) -> Self {
        Loc {
            file: std::num::NonZeroU32::MIN.saturating_add(file),
            offset,
        }
    }

    /// The whole document of `file`.
    pub fn document(file: FileId) -> Self {
        Loc::new(file, 0)
    }

    /// The file the value is in.
    pub fn file(&self) -> FileId {
        self.file.get() - 1
    }

    /// Byte offset of the value's start in the file's decoded text (0: the whole document).
    pub fn offset(&self) -> u32 {
        self.offset
    }
}

// Sizes the model's memory depends on (a large tenant has millions of fields).
const _: () = assert!(std::mem::size_of::<Value>() == 16);
const _: () = assert!(std::mem::size_of::<Field>() == 24);
const _: () = assert!(std::mem::size_of::<Record>() == 24);

/// A value of the model. Absent fields are `Null`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// Absent (or JSON `null`).
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// Strings are shared: equal strings of one file are one allocation.
    Str(ArcStr),
    /// Milliseconds since the Unix epoch.
    Date(i64),
    /// A list of strings (a list of records is [`Value::Records`]).
    List(ThinVec<Value>),
    /// A list of records: licenses, plans, members...
    Records(ThinVec<Record>),
    /// A value the export shows to exist but cannot tell (a product licensed but its
    /// deployment mode shown by no file). A [`Gap`] with the record's identity and the field
    /// says why. Policies evaluate it with three-valued logic: a rule whose outcome depends on
    /// it is not evaluated; one that holds whatever it is (another product is active) is.
    Unknown,
}

impl Value {
    /// The string, if the value is a [`Value::Str`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// Whether the value is [`Value::Null`] (absent).
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// One field of a record: its value and where it came from (None when absent or derived).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Field {
    /// The value; [`Value::Null`] when absent.
    pub value: Value,
    /// Where the value starts in its file; None when absent or derived.
    pub loc: Option<Loc>,
}

/// A record: fields in the order of its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The record's type.
    pub schema: &'static RecordSchema,
    /// One field per field of `schema`, in the same order.
    pub fields: ThinVec<Field>,
    /// The JSON object the record was read from.
    pub loc: Option<Loc>,
}

impl Record {
    /// An empty record (every field absent).
    pub fn new(schema: &'static RecordSchema, loc: Option<Loc>) -> Self {
        Record {
            schema,
            fields: schema.fields.iter().map(|_| Field::default()).collect(),
            loc,
        }
    }

    /// Sets a field by name; returns false (and does nothing) when the schema has no such field.
    pub fn set(&mut self, name: &str, value: Value, loc: Option<Loc>) -> bool {
        match self
            .schema
            .field_index(name)
            .and_then(|i| self.fields.get_mut(i))
        {
            Some(field) => {
                *field = Field { value, loc };
                true
            }
            None => false,
        }
    }

    /// Takes a field by name, leaving it absent.
    pub fn take(&mut self, name: &str) -> Option<Field> {
        let i = self.schema.field_index(name)?;
        self.fields.get_mut(i).map(std::mem::take)
    }

    /// A field by its position in the schema ([`RecordSchema::field_index`]).
    pub fn field(&self, index: usize) -> Option<&Field> {
        self.fields.get(index)
    }

    /// A field by name.
    pub fn get(&self, name: &str) -> Option<&Field> {
        self.schema
            .field_index(name)
            .and_then(|i| self.fields.get(i))
    }

    /// A string field's text by name; None when absent or not a string.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|f| f.value.as_str())
    }

    /// A stable identity for baselines and messages: `id`, else `name`, else `upn`.
    pub fn identity(&self) -> Option<&str> {
        ["id", "name", "upn"]
            .iter()
            .find_map(|n| self.get(n).and_then(|f| f.value.as_str()))
    }
}

/// One top-level collection of the model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Collection {
    /// True when at least one document of the export provided this collection (even empty).
    pub present: bool,
    /// The records read from every document that provided the collection.
    pub records: Vec<Record>,
    /// For each field of the schema: true when at least one record had it in its source.
    pub fields_seen: Vec<bool>,
    /// The first document that provided the collection (pointer "" or the list's pointer).
    pub origin: Option<Loc>,
    /// Data of this collection that the export shows to be incomplete or unreadable.
    pub gaps: Vec<Gap>,
    /// Files that held (or, by their path, probably held) records of this collection and
    /// failed to load, relative to their root: policies that read it ran on incomplete data.
    pub lost: Vec<String>,
}

/// Data of a collection that the export shows to be incomplete or unreadable: a list whose
/// further pages were not exported (`@odata.nextLink`), a value truncated by PowerShell's
/// `ConvertTo-Json`. Rules that read it are not evaluated (for that entity, where the gap is
/// one entity's) instead of being judged on what is left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The field of the collection's records that is incomplete; None: records are missing.
    pub field: Option<&'static str>,
    /// The identity (see [`Record::identity`]) of the one record whose data is incomplete;
    /// None: the collection as a whole.
    pub entity: Option<String>,
    /// Why, for a "not evaluated" reason (lowercase, no final period).
    pub reason: String,
    /// Where the export shows it.
    pub loc: Option<Loc>,
    /// The entity's field holds [`Value::Unknown`]: evaluation decides whether a rule needs it
    /// (three-valued logic) instead of passing over the whole entity.
    pub in_value: bool,
}

impl Gap {
    /// Whether a rule reading `field` of the collection (None: the records themselves) is
    /// affected.
    pub fn affects(&self, field: Option<&str>) -> bool {
        match (self.field, field) {
            (None, _) => true,
            (Some(g), Some(f)) => g == f,
            (Some(_), None) => false,
        }
    }
}

impl Collection {
    /// Adds a record and notes which of its fields the source carried (a field counts as seen
    /// when it has a location or a non-null value).
    pub fn push(&mut self, record: Record) {
        self.present = true;
        for (seen, field) in self.fields_seen.iter_mut().zip(&record.fields) {
            *seen |= field.loc.is_some() || !field.value.is_null();
        }
        self.records.push(record);
    }
}

/// A file read from the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to its export root, with `/` separators (what reports show).
    pub path: String,
    /// Path as opened on disk.
    pub disk_path: PathBuf,
    /// Index of the export root (as given on the command line) it was found under.
    pub root: usize,
}

/// The whole model: one [`Collection`] per entry of [`schema::COLLECTIONS`], in that order.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantModel {
    /// Every JSON file found, in walk order (failed ones included); a [`FileId`] is an index
    /// into it.
    pub files: Vec<SourceFile>,
    /// One collection per entry of [`schema::COLLECTIONS`], same index.
    pub collections: Vec<Collection>,
}

impl Default for TenantModel {
    fn default() -> Self {
        TenantModel {
            files: Vec::new(),
            collections: COLLECTIONS
                .iter()
                .map(|c| Collection {
                    fields_seen: vec![false; c.record.fields.len()],
                    ..Collection::default()
                })
                .collect(),
        }
    }
}

impl TenantModel {
    /// A collection by its name (`users`); None for a name that is not one.
    pub fn collection(&self, name: &str) -> Option<&Collection> {
        schema::collection_index(name).and_then(|i| self.collections.get(i))
    }

    /// A collection by its name, to change.
    pub fn collection_mut(&mut self, name: &str) -> Option<&mut Collection> {
        schema::collection_index(name).and_then(|i| self.collections.get_mut(i))
    }

    /// Why a policy that reads these collection fields cannot be judged on this export, if it
    /// cannot: a collection that no document provided, or a field no record of it carried.
    /// `field` None means the collection itself.
    pub fn missing(&self, requirements: &[(&str, Option<&str>)]) -> Option<String> {
        for (coll, field) in requirements {
            let Some(i) = schema::collection_index(coll) else {
                continue;
            };
            let (Some(c), Some(s)) = (self.collections.get(i), COLLECTIONS.get(i)) else {
                continue;
            };
            if !c.present && !c.lost.is_empty() {
                return Some(format!(
                    "no {} could be read: `{}` failed to load",
                    s.doc,
                    c.lost.join("`, `")
                ));
            }
            if !c.present {
                return Some(format!(
                    "no {} in the export (provide {})",
                    s.doc, s.provided_by
                ));
            }
            if let Some(gap) = c
                .gaps
                .iter()
                .find(|g| g.entity.is_none() && g.affects(*field))
            {
                return Some(gap.reason.clone());
            }
            if let Some(field) = field {
                let optional = s
                    .record
                    .fields
                    .iter()
                    .any(|f| f.name == *field && f.optional);
                let seen = s
                    .record
                    .field_index(field)
                    .and_then(|fi| c.fields_seen.get(fi))
                    .copied();
                if seen == Some(false) && !optional && !c.records.is_empty() {
                    let src = s.record.get_doc(field);
                    return Some(format!(
                        "no {} record in the export has `{}` ({})",
                        s.name, field, src
                    ));
                }
            }
        }
        None
    }
}

impl TenantModel {
    /// The one-entity gaps that affect a rule reading these collection fields, with the index
    /// of their collection.
    pub fn entity_gaps(&self, requirements: &[(&str, Option<&str>)]) -> Vec<(usize, &Gap)> {
        let mut out: Vec<(usize, &Gap)> = Vec::new();
        for (coll, field) in requirements {
            let Some(i) = schema::collection_index(coll) else {
                continue;
            };
            let Some(c) = self.collections.get(i) else {
                continue;
            };
            for g in c
                .gaps
                .iter()
                .filter(|g| g.entity.is_some() && !g.in_value && g.affects(*field))
            {
                if !out.iter().any(|(_, seen)| std::ptr::eq(*seen, g)) {
                    out.push((i, g));
                }
            }
        }
        out
    }
}

impl RecordSchema {
    fn get_doc(&self, field: &str) -> &'static str {
        self.fields
            .iter()
            .find(|f| f.name == field)
            .map(|f| f.doc)
            .unwrap_or("")
    }
}
