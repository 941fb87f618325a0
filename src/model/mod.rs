//! The tenant model that policies query: typed records grouped in collections, each value
//! remembering where it came from (file + byte offset of the value in the file's text).
//!
//! A location is two integers: it costs nothing to keep one per field. The JSON pointer, line
//! and column a report shows are worked out from the offset only for the values a violation
//! points at (`export::locate`).

pub mod schema;

pub use arcstr::ArcStr;
use schema::{FieldSchema, RecordSchema, COLLECTIONS};
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
const _: () = assert!(std::mem::size_of::<Field>() == 16);
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
    /// A list of records: licenses, members...
    Records(ThinVec<Record>),
    /// A list of records whose locations are relative to the list's own (see
    /// [`Record::relative_to`]), so that records whose lists are equal, text layout included,
    /// hold one list: a user's assigned plans, which most users of a tenant share. Only a
    /// field's location gives its records theirs ([`Field::value`]); put into a field at
    /// another location, they would point elsewhere.
    Shared(SharedRecords),
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

    /// The value, borrowed.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Int(i) => ValueRef::Int(*i),
            Value::Str(s) => ValueRef::Str(s),
            Value::Date(d) => ValueRef::Date(*d),
            Value::List(l) => ValueRef::List(l),
            Value::Records(r) => ValueRef::Records(Records::new(r, None)),
            Value::Shared(r) => ValueRef::Records(Records::new(r, None)),
            Value::Unknown => ValueRef::Unknown,
        }
    }

    /// A [`Value::Shared`] list of `records` found at `base`: their locations made relative
    /// to it (see [`Record::relative_to`]). Without a location, the records keep none.
    pub fn shared(records: impl IntoIterator<Item = Record>, base: Option<Loc>) -> Value {
        Value::Shared(SharedRecords::new(
            records
                .into_iter()
                .map(|mut r| {
                    r.relative_to(base);
                    r
                })
                .collect(),
        ))
    }
}

/// The records of a [`Value::Shared`] list: one allocation however many fields hold it.
pub type SharedRecords = std::sync::Arc<ThinVec<Record>>;

/// A list of records, borrowed, with the location its records' relative locations count from
/// (see [`Record::relative_to`]): what [`Field::value`] gives for a list of records.
#[derive(Debug, Clone, Copy)]
pub struct Records<'a> {
    items: &'a [Record],
    base: Option<Loc>,
}

impl<'a> Records<'a> {
    /// `items`, whose relative locations count from `base` (absolute ones are kept as they
    /// are).
    pub fn new(items: &'a [Record], base: Option<Loc>) -> Self {
        Records { items, base }
    }

    /// The records.
    pub fn items(&self) -> &'a [Record] {
        self.items
    }

    /// Where the list is: what its records' relative locations count from.
    pub fn base(&self) -> Option<Loc> {
        self.base
    }

    /// The records, in order (for as long as the list is borrowed).
    pub fn iter(&self) -> std::slice::Iter<'a, Record> {
        self.items.iter()
    }
}

/// The records (whose locations [`Record::loc_in`] and [`Field::loc_in`] give, from
/// [`Records::base`]).
impl std::ops::Deref for Records<'_> {
    type Target = [Record];
    fn deref(&self) -> &[Record] {
        self.items
    }
}

impl<'a> IntoIterator for Records<'a> {
    type Item = &'a Record;
    type IntoIter = std::slice::Iter<'a, Record>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// Lists are equal when their records are, wherever they are.
impl PartialEq for Records<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

/// A field's location packed into 7 bytes, so that a [`Field`] is 16 bytes: the file's id plus
/// one in bytes 0..3 (little-endian; 0 stands for no location, 2²⁴ − 1 for a location
/// relative to the list the record is in) and the byte offset in bytes 3..7. A file id plus one
/// that does not fit under 2²⁴ − 1 (an export of more than 16,777,213 files) keeps no
/// location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct PackedLoc([u8; 7]);

impl PackedLoc {
    /// The file part of a location relative to a list's ([`Record::relative_to`]): no file's
    /// (file ids past 24 bits keep no location).
    const RELATIVE: u32 = (1 << 24) - 1;

    fn new(loc: Option<Loc>) -> Self {
        let Some(loc) = loc.filter(|l| l.file.get() < Self::RELATIVE) else {
            return PackedLoc::default();
        };
        let [f0, f1, f2, _] = loc.file.get().to_le_bytes();
        let [o0, o1, o2, o3] = loc.offset.to_le_bytes();
        PackedLoc([f0, f1, f2, o0, o1, o2, o3])
    }

    /// `offset` bytes after the location of the list the record is in.
    fn relative(offset: u32) -> Self {
        let [f0, f1, f2, _] = Self::RELATIVE.to_le_bytes();
        let [o0, o1, o2, o3] = offset.to_le_bytes();
        PackedLoc([f0, f1, f2, o0, o1, o2, o3])
    }

    /// The file id plus one (0: no location; [`PackedLoc::RELATIVE`]: relative) and offset.
    fn parts(self) -> (u32, u32) {
        let [f0, f1, f2, o0, o1, o2, o3] = self.0;
        (
            u32::from_le_bytes([f0, f1, f2, 0]),
            u32::from_le_bytes([o0, o1, o2, o3]),
        )
    }

    /// The location; None when there is none or it is relative.
    fn get(self) -> Option<Loc> {
        match self.parts() {
            (Self::RELATIVE, _) => None,
            (file, offset) => Some(Loc {
                file: std::num::NonZeroU32::new(file)?,
                offset,
            }),
        }
    }

    /// The location, a relative one counted from `base` (None without one).
    fn get_in(self, base: Option<Loc>) -> Option<Loc> {
        match self.parts() {
            (Self::RELATIVE, offset) => base.and_then(|b| {
                Some(Loc {
                    file: b.file,
                    offset: b.offset.checked_add(offset)?,
                })
            }),
            _ => self.get(),
        }
    }

    /// The location made relative to `base` when it is in the same file at or after it;
    /// else none (a relative one stays as it is).
    fn relative_to(self, base: Option<Loc>) -> Self {
        match (self.parts(), base) {
            ((Self::RELATIVE, _), _) => self,
            ((file, offset), Some(b)) if file == b.file.get() && offset >= b.offset => {
                PackedLoc::relative(offset - b.offset)
            }
            _ => PackedLoc::default(),
        }
    }
}

/// One field of a record: its value (see [`Value`]) and where it came from (None when absent
/// or derived). Sixteen bytes: the location is kept in the space a [`Value`] leaves beside its
/// tag, since a large tenant has millions of fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Field(Slot);

/// [`Value`]'s variants, each with the field's location.
#[derive(Debug, Clone, PartialEq)]
enum Slot {
    Null(PackedLoc),
    Bool(PackedLoc, bool),
    Int(PackedLoc, i64),
    Str(PackedLoc, ArcStr),
    Date(PackedLoc, i64),
    List(PackedLoc, ThinVec<Value>),
    Records(PackedLoc, ThinVec<Record>),
    Shared(PackedLoc, SharedRecords),
    Unknown(PackedLoc),
}

impl Default for Field {
    fn default() -> Self {
        Field(Slot::Null(PackedLoc::default()))
    }
}

/// A field's value, borrowed: [`Value`] without ownership, as [`Field::value`] gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// See [`Value::Null`].
    Null,
    /// See [`Value::Bool`].
    Bool(bool),
    /// See [`Value::Int`].
    Int(i64),
    /// See [`Value::Str`].
    Str(&'a ArcStr),
    /// See [`Value::Date`] (milliseconds since the Unix epoch).
    Date(i64),
    /// See [`Value::List`].
    List(&'a [Value]),
    /// See [`Value::Records`] and [`Value::Shared`].
    Records(Records<'a>),
    /// See [`Value::Unknown`].
    Unknown,
}

impl<'a> ValueRef<'a> {
    /// The string, if the value is a string.
    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            ValueRef::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the value is null (absent).
    pub fn is_null(&self) -> bool {
        matches!(self, ValueRef::Null)
    }

    /// An owned copy (lists are copied, strings shared).
    pub fn to_value(&self) -> Value {
        match *self {
            ValueRef::Null => Value::Null,
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Int(i) => Value::Int(i),
            ValueRef::Str(s) => Value::Str(s.clone()),
            ValueRef::Date(d) => Value::Date(d),
            ValueRef::List(l) => Value::List(l.iter().cloned().collect()),
            ValueRef::Records(l) => Value::Records(
                l.iter()
                    .map(|r| {
                        let mut r = r.clone();
                        r.absolute_in(l.base);
                        r
                    })
                    .collect(),
            ),
            ValueRef::Unknown => Value::Unknown,
        }
    }
}

impl PartialEq<Value> for ValueRef<'_> {
    fn eq(&self, other: &Value) -> bool {
        *self == other.as_ref()
    }
}

impl Field {
    /// A field holding `value`, found at `loc`.
    pub fn new(value: Value, loc: Option<Loc>) -> Self {
        Field::packed_with(value, PackedLoc::new(loc))
    }

    fn packed_with(value: Value, l: PackedLoc) -> Self {
        Field(match value {
            Value::Null => Slot::Null(l),
            Value::Bool(b) => Slot::Bool(l, b),
            Value::Int(i) => Slot::Int(l, i),
            Value::Str(s) => Slot::Str(l, s),
            Value::Date(d) => Slot::Date(l, d),
            Value::List(v) => Slot::List(l, v),
            Value::Records(r) => Slot::Records(l, r),
            Value::Shared(r) => Slot::Shared(l, r),
            Value::Unknown => Slot::Unknown(l),
        })
    }

    /// Where the value starts in its file; None when absent or derived, or when it is
    /// relative to a list's location (see [`Field::loc_in`]).
    pub fn loc(&self) -> Option<Loc> {
        self.packed().get()
    }

    /// Where the value starts in its file, for a field of a record of a list found at `base`
    /// ([`Records::base`]): its location when it has one of its own, else counted from `base`.
    pub fn loc_in(&self, base: Option<Loc>) -> Option<Loc> {
        self.packed().get_in(base)
    }

    fn packed(&self) -> PackedLoc {
        match &self.0 {
            Slot::Null(l)
            | Slot::Bool(l, _)
            | Slot::Int(l, _)
            | Slot::Str(l, _)
            | Slot::Date(l, _)
            | Slot::List(l, _)
            | Slot::Records(l, _)
            | Slot::Shared(l, _)
            | Slot::Unknown(l) => *l,
        }
    }

    /// The value, borrowed; [`ValueRef::Null`] when absent. The records of a list know where
    /// the list is ([`Records::base`]); those of a list in a field with a relative location
    /// only from [`Field::value_in`].
    pub fn value(&self) -> ValueRef<'_> {
        self.value_in(None)
    }

    /// [`Field::value`] for a field of a record of a list found at `base`.
    pub fn value_in(&self, base: Option<Loc>) -> ValueRef<'_> {
        match &self.0 {
            Slot::Null(_) => ValueRef::Null,
            Slot::Bool(_, b) => ValueRef::Bool(*b),
            Slot::Int(_, i) => ValueRef::Int(*i),
            Slot::Str(_, s) => ValueRef::Str(s),
            Slot::Date(_, d) => ValueRef::Date(*d),
            Slot::List(_, v) => ValueRef::List(v),
            Slot::Records(l, r) => ValueRef::Records(Records::new(r, l.get_in(base))),
            Slot::Shared(l, r) => ValueRef::Records(Records::new(r, l.get_in(base))),
            Slot::Unknown(_) => ValueRef::Unknown,
        }
    }

    /// The value and its location, taken apart.
    pub fn into_parts(self) -> (Value, Option<Loc>) {
        let loc = self.loc();
        let value = match self.0 {
            Slot::Null(_) => Value::Null,
            Slot::Bool(_, b) => Value::Bool(b),
            Slot::Int(_, i) => Value::Int(i),
            Slot::Str(_, s) => Value::Str(s),
            Slot::Date(_, d) => Value::Date(d),
            Slot::List(_, v) => Value::List(v),
            Slot::Records(_, r) => Value::Records(r),
            Slot::Shared(_, r) => Value::Shared(r),
            Slot::Unknown(_) => Value::Unknown,
        };
        (value, loc)
    }

    /// The value, owned (the location is dropped).
    pub fn into_value(self) -> Value {
        self.into_parts().0
    }

    /// The records of a list of records, to change; None for any other value (a
    /// [`Value::Shared`] list included: see [`Field::shared_mut`]).
    pub fn records_mut(&mut self) -> Option<&mut ThinVec<Record>> {
        match &mut self.0 {
            Slot::Records(_, r) => Some(r),
            _ => None,
        }
    }

    /// The records of a [`Value::Shared`] list, to replace or change (with
    /// [`std::sync::Arc::make_mut`], which copies a list other fields hold); None for any
    /// other value.
    pub fn shared_mut(&mut self) -> Option<&mut SharedRecords> {
        match &mut self.0 {
            Slot::Shared(_, r) => Some(r),
            _ => None,
        }
    }

    /// The field with its location made relative to `base` (see [`Record::relative_to`]).
    fn relative_to(&mut self, base: Option<Loc>) {
        let l = self.packed().relative_to(base);
        self.set_packed(l);
    }

    /// The field with a relative location counted from `base` (see [`Record::absolute_in`]);
    /// a list of records inside it likewise, from the list's location.
    fn absolute_in(&mut self, base: Option<Loc>) {
        let l = PackedLoc::new(self.packed().get_in(base));
        self.set_packed(l);
        let inner = self.loc();
        let records = match &mut self.0 {
            Slot::Shared(_, r) => Some(std::sync::Arc::make_mut(r)),
            Slot::Records(_, r) => Some(r),
            _ => None,
        };
        for r in records.into_iter().flatten() {
            r.absolute_in(inner);
        }
    }

    fn set_packed(&mut self, to: PackedLoc) {
        let value = std::mem::take(self).into_value();
        *self = Field::packed_with(value, to);
    }

    /// The string, if the value is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            Slot::Str(_, s) => Some(s),
            _ => None,
        }
    }

    /// Whether the value is null (absent, or JSON `null`).
    pub fn is_null(&self) -> bool {
        matches!(self.0, Slot::Null(_))
    }

    /// Whether the value is [`Value::Unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self.0, Slot::Unknown(_))
    }
}

/// A record: its fields in the order of its schema, or only those a [`Projection`] keeps.
///
/// Twenty-four bytes: the fields (one allocation of 16 bytes per field, without a header),
/// the location, and the number of the record's shape: its type and the fields it keeps.
#[derive(Clone, PartialEq)]
pub struct Record {
    /// One field per field of the schema, or per field its shape keeps, in order.
    fields: Box<[Field]>,
    /// The JSON object the record was read from.
    loc: PackedLoc,
    /// The shape's number in [`SHAPES`].
    shape: u8,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("schema", &self.schema().name)
            .field("loc", &self.loc())
            .field("fields", &self.fields)
            .finish()
    }
}

impl Record {
    /// An empty record (every field absent).
    pub fn new(schema: &'static RecordSchema, loc: Option<Loc>) -> Self {
        Record::projected(schema, loc, None)
    }

    /// An empty record with the fields `projection` keeps (None: every field).
    pub fn projected(
        schema: &'static RecordSchema,
        loc: Option<Loc>,
        projection: Option<&Projection>,
    ) -> Self {
        let (shape, count) = match projection.and_then(|p| p.shape(schema)) {
            Some((shape, mask)) => (shape, mask.count_ones() as usize),
            None => (whole(schema), schema.fields.len()),
        };
        Record {
            fields: (0..count).map(|_| Field::default()).collect(),
            loc: PackedLoc::new(loc),
            shape,
        }
    }

    /// The record's type.
    pub fn schema(&self) -> &'static RecordSchema {
        self.shape().map_or(&NO_SCHEMA, |s| s.schema)
    }

    fn shape(&self) -> Option<&'static Shape> {
        SHAPES.get(usize::from(self.shape))?.get()
    }

    /// The JSON object the record was read from; None for a derived record, or one whose
    /// location is relative to its list's (see [`Record::loc_in`]).
    pub fn loc(&self) -> Option<Loc> {
        self.loc.get()
    }

    /// The JSON object the record was read from, for a record of a list found at `base`
    /// ([`Records::base`]).
    pub fn loc_in(&self, base: Option<Loc>) -> Option<Loc> {
        self.loc.get_in(base)
    }

    /// The record with its location and those of its fields made relative to `base`, the
    /// location of the list that holds it: they then say where they are in any list whose
    /// text is laid out alike. A location in another file or before `base` is dropped; the
    /// records of a list in a field keep theirs (an absolute one stays absolute; a relative
    /// one counts from that field, itself now relative). Without `base`, every location is
    /// dropped.
    pub fn relative_to(&mut self, base: Option<Loc>) {
        self.loc = self.loc.relative_to(base);
        for f in self.fields.iter_mut() {
            f.relative_to(base);
        }
    }

    /// The reverse of [`Record::relative_to`]: every relative location, its lists' records'
    /// included, counted from `base` (without it, dropped).
    pub fn absolute_in(&mut self, base: Option<Loc>) {
        self.loc = PackedLoc::new(self.loc.get_in(base));
        for f in self.fields.iter_mut() {
            f.absolute_in(base);
        }
    }

    /// The record with its location and those of its fields that are in file `from` moved to
    /// file `to`, at the same offsets, or dropped without `to` (the records of a list in a
    /// field keep theirs): for a reader that located values in a file whose id it did not know
    /// yet.
    pub fn move_file(&mut self, from: FileId, to: Option<FileId>) {
        let moved = |l: Loc| PackedLoc::new(to.map(|to| Loc::new(to, l.offset())));
        if let Some(l) = self.loc().filter(|l| l.file() == from) {
            self.loc = moved(l);
        }
        for f in self.fields.iter_mut() {
            if let Some(l) = f.loc().filter(|l| l.file() == from) {
                f.set_packed(moved(l));
            }
        }
    }

    /// Where field `index` of the schema is in `fields`; None when this record's shape leaves
    /// it out.
    fn slot(&self, index: usize) -> Option<usize> {
        match &self.shape()?.slots {
            None => Some(index),
            Some(slots) => slots.get(index).copied().flatten().map(usize::from),
        }
    }

    /// Sets a field by name; returns false (and does nothing) when the schema has no such field
    /// or the record's shape leaves it out.
    pub fn set(&mut self, name: &str, value: Value, loc: Option<Loc>) -> bool {
        match self
            .schema()
            .field_index(name)
            .and_then(|i| self.field_mut(i))
        {
            Some(field) => {
                *field = Field::new(value, loc);
                true
            }
            None => false,
        }
    }

    /// Takes a field by name, leaving it absent.
    pub fn take(&mut self, name: &str) -> Option<Field> {
        let i = self.schema().field_index(name)?;
        self.field_mut(i).map(std::mem::take)
    }

    /// A field by its position in the schema ([`RecordSchema::field_index`]); None when the
    /// record's shape leaves it out.
    pub fn field(&self, index: usize) -> Option<&Field> {
        self.fields.get(self.slot(index)?)
    }

    /// A field by its position in the schema, to change.
    pub fn field_mut(&mut self, index: usize) -> Option<&mut Field> {
        let slot = self.slot(index)?;
        self.fields.get_mut(slot)
    }

    /// A field by name: how dexlint's own code reads a record (policies read by position).
    /// A field only policies read (`FieldSchema::on_demand`) is not one to read by name: a
    /// lint whose policies do not read it leaves it out, so debug builds check that it is not.
    pub fn get(&self, name: &str) -> Option<&Field> {
        let schema = self.schema();
        let i = schema.field_index(name)?;
        debug_assert!(
            schema.fields.get(i).is_none_or(|f| !f.on_demand),
            "`{}.{name}` is read by name but marked on_demand",
            schema.name
        );
        self.field(i)
    }

    /// The fields the record has, with their schema, in schema order.
    pub fn fields(&self) -> impl Iterator<Item = (&'static FieldSchema, &Field)> + '_ {
        self.schema()
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((f, self.field(i)?)))
    }

    /// A string field's text by name; None when absent or not a string.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Field::as_str)
    }

    /// A stable identity for baselines and messages: `id`, else `name`, else `upn`.
    pub fn identity(&self) -> Option<&str> {
        ["id", "name", "upn"]
            .iter()
            .find_map(|n| self.get(n).and_then(Field::as_str))
    }

    /// The record with only the fields `projection` keeps, its lists of records likewise.
    /// A record already projected, or whose fields are all kept, keeps its shape.
    pub fn project(&mut self, projection: &Projection) {
        for field in self.fields.iter_mut() {
            let records = match &mut field.0 {
                Slot::Records(_, r) => Some(&mut r[..]),
                // A list other records share is copied only when it changes.
                Slot::Shared(_, r) if r.iter().all(|r| r.unchanged_by(projection)) => None,
                Slot::Shared(_, r) => Some(&mut std::sync::Arc::make_mut(r)[..]),
                _ => None,
            };
            for r in records.into_iter().flatten() {
                r.project(projection);
            }
        }
        if self.shape().is_none_or(|s| s.slots.is_some()) {
            return;
        }
        let Some((shape, mask)) = projection.shape(self.schema()) else {
            return;
        };
        let fields = std::mem::take(&mut self.fields);
        self.fields = fields
            .into_vec()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| (mask >> i) & 1 == 1)
            .map(|(_, f)| f)
            .collect();
        self.shape = shape;
    }

    /// Whether [`Record::project`] leaves the record as it is: it and the records of its lists
    /// are projected already or keep every field.
    fn unchanged_by(&self, projection: &Projection) -> bool {
        let own = self.shape().is_none_or(|s| s.slots.is_some())
            || projection.shape(self.schema()).is_none();
        own && self.fields.iter().all(|f| match &f.0 {
            Slot::Records(_, r) => r.iter().all(|r| r.unchanged_by(projection)),
            Slot::Shared(_, r) => r.iter().all(|r| r.unchanged_by(projection)),
            _ => true,
        })
    }
}

/// A record type and the fields its records keep.
#[derive(Debug)]
struct Shape {
    schema: &'static RecordSchema,
    /// For each field of the schema, its position among the kept ones; None: every field is
    /// kept, in order.
    slots: Option<Vec<Option<u8>>>,
}

/// Every shape made in this process, numbered in the order they were first asked for: first
/// the whole shape of each record type of [`schema::records`] (see [`whole`]), then those of
/// projections. A record keeps its shape's number in a byte. Only fields marked
/// [`FieldSchema::on_demand`] are ever left out, and record types are only those of
/// [`schema`], so the shapes there can be are few (a test checks that they fit).
static SHAPES: [std::sync::OnceLock<Shape>; 256] = [const { std::sync::OnceLock::new() }; 256];

/// The (schema address, mask of the kept fields; None: every field) of each shape of
/// [`SHAPES`], in the same order.
static SHAPE_KEYS: std::sync::Mutex<Vec<(usize, Option<u64>)>> = std::sync::Mutex::new(Vec::new());

/// The number of the whole shape of each record type of [`schema::records`].
static WHOLE: std::sync::LazyLock<Vec<(&'static RecordSchema, u8)>> =
    std::sync::LazyLock::new(|| {
        schema::records()
            .into_iter()
            .filter_map(|s| Some((s, shape_of(s, None)?)))
            .collect()
    });

/// The schema of a record whose shape could not be made (never: see [`SHAPES`]).
static NO_SCHEMA: RecordSchema = RecordSchema {
    name: "record",
    fields: &[],
};

/// The number of the shape that keeps every field of `schema`.
fn whole(schema: &'static RecordSchema) -> u8 {
    WHOLE
        .iter()
        .find(|(s, _)| std::ptr::eq(*s, schema))
        .map(|&(_, shape)| shape)
        .or_else(|| shape_of(schema, None))
        .unwrap_or(u8::MAX)
}

/// The number of the shape of `schema` that keeps the fields `mask` keeps (None: every
/// field); None when no more shapes can be made.
fn shape_of(schema: &'static RecordSchema, mask: Option<u64>) -> Option<u8> {
    let key = (std::ptr::from_ref(schema) as usize, mask);
    let mut keys = SHAPE_KEYS.lock().ok()?;
    if let Some(i) = keys.iter().position(|k| *k == key) {
        return u8::try_from(i).ok();
    }
    let i = keys.len();
    let cell = SHAPES.get(i)?;
    let slots = mask.map(|mask| {
        let mut next = 0u8;
        (0..schema.fields.len())
            .map(|f| {
                ((mask >> f) & 1 == 1).then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    });
    cell.set(Shape { schema, slots }).ok()?;
    keys.push(key);
    u8::try_from(i).ok()
}

/// The fields of each record type a run keeps in its model: every field dexlint itself reads,
/// and of the others (`FieldSchema::on_demand`) those its policies read. A run of the built-in
/// policies leaves out a user's licences, a plan's service and assignment date, a machine's
/// risk score...: memory and time spent on nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    /// (record type, its shape's number, the kept fields' mask), for the record types
    /// that leave out a field.
    shapes: Vec<(&'static RecordSchema, u8, u64)>,
}

impl Projection {
    /// The projection that keeps the fields policies read: `reads` gives (record type, field
    /// position in its schema). A record type of more than 64 fields keeps them all.
    pub fn new(reads: &[(&'static RecordSchema, usize)]) -> Self {
        // The whole shapes are numbered first: there is always room for them.
        std::sync::LazyLock::force(&WHOLE);
        let mut shapes = Vec::new();
        for schema in schema::records() {
            if schema.fields.len() > 64 || !schema.fields.iter().any(|f| f.on_demand) {
                continue;
            }
            let mut mask = 0u64;
            for (i, f) in schema.fields.iter().enumerate() {
                let read = reads
                    .iter()
                    .any(|(r, at)| std::ptr::eq(*r, schema) && *at == i);
                if !f.on_demand || read {
                    mask |= 1 << i;
                }
            }
            if mask.count_ones() as usize == schema.fields.len() {
                continue;
            }
            if let Some(shape) = shape_of(schema, Some(mask)) {
                shapes.push((schema, shape, mask));
            }
        }
        Projection { shapes }
    }

    /// The shape number and kept fields' mask of `schema`; None when it keeps
    /// every field.
    fn shape(&self, schema: &'static RecordSchema) -> Option<(u8, u64)> {
        self.shapes
            .iter()
            .find(|(s, ..)| std::ptr::eq(*s, schema))
            .map(|&(_, shape, mask)| (shape, mask))
    }

    /// Whether records of `schema` keep field `index`.
    pub fn keeps(&self, schema: &'static RecordSchema, index: usize) -> bool {
        self.shape(schema)
            .is_none_or(|(_, mask)| index < 64 && (mask >> index) & 1 == 1)
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
    /// Set when the records are only those that infrastructure-as-code files declare (a
    /// Terraform plan's resources, an ARM template's), not a list of the tenant's: why
    /// (lowercase, no final period). Rules judge the records there are; a quantifier over the
    /// collection that no record decides (`any` finding none, `all` finding no exception,
    /// `count`, `sum`) is unknown for this reason: the tenant may hold more.
    pub partial: Option<String>,
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
    /// The entity's field holds [`Value::Unknown`], or a list of records of which it holds only
    /// some (a group's members cut off by Graph's `$expand`, or the first pages of a paged
    /// members list): evaluation decides whether a rule needs it (three-valued logic: what the
    /// list holds decides `any` when it finds an element, not its size nor `all`) instead of
    /// passing over the whole entity.
    pub in_value: bool,
    /// With no field and no entity: the records missing are those of a list's pages not
    /// exported, each of which would be a whole record (a user, a machine); the records there
    /// are are whole, and a rule over the collection judges them (see
    /// [`TenantModel::missing_but`]). False when what is missing may complete records there
    /// are (a page of a subscription's pricings) or is not known.
    pub unlisted: bool,
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
    /// Why some of the collection's records may be missing while those there are are whole,
    /// when that is so: they are only those infrastructure-as-code declares
    /// ([`Collection::partial`]), or a list's pages were not exported ([`Gap::unlisted`]).
    /// Rules over the collection judge the records there are; what no record decides is
    /// unknown for this reason.
    pub fn records_unlisted(&self) -> Option<&str> {
        self.partial.as_deref().or_else(|| {
            self.gaps
                .iter()
                .find(|g| g.unlisted && g.entity.is_none() && g.field.is_none())
                .map(|g| g.reason.as_str())
        })
    }

    /// Adds a record and notes which of its fields the source carried (a field counts as seen
    /// when it has a location or a non-null value).
    pub fn push(&mut self, record: Record) {
        self.present = true;
        note_seen(&mut self.fields_seen, &record);
        self.records.push(record);
    }

    /// Adds records, in order, as [`Collection::push`] adds each (which fields they carry is
    /// found in parallel): no records leave the collection as it was.
    pub fn extend(&mut self, records: Vec<Record>) {
        use rayon::prelude::*;
        if records.is_empty() {
            return;
        }
        self.present = true;
        let fields = self.fields_seen.len();
        let seen = records
            .par_iter()
            .fold(
                || vec![false; fields],
                |mut seen, record| {
                    note_seen(&mut seen, record);
                    seen
                },
            )
            .reduce(
                || vec![false; fields],
                |a, b| a.into_iter().zip(b).map(|(a, b)| a || b).collect(),
            );
        for (seen, now) in self.fields_seen.iter_mut().zip(seen) {
            *seen |= now;
        }
        self.records.extend(records);
    }
}

/// Notes in `seen` (one flag per field of the schema) which fields `record`'s source carried:
/// those with a location or a non-null value.
fn note_seen(seen: &mut [bool], record: &Record) {
    for (i, seen) in seen.iter_mut().enumerate() {
        if let Some(field) = record.field(i) {
            *seen |= field.loc().is_some() || !field.is_null();
        }
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
    /// Where the parts of the file's list start, when it was loaded in parts: what lets a
    /// large file be located in parallel.
    pub list: Option<Box<ListParts>>,
}

/// The list of a large document loaded in parts (a Graph or Defender for Endpoint list of one
/// file per collection), as checked while loading: each part starts with an element, and ends
/// where the next part starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParts {
    /// The list's JSON pointer (RFC 6901): `/value`, or "" for a top-level array.
    pub pointer: String,
    /// Each part's first element: its byte offset in the decoded text and its index in the
    /// list, in order. The last part ends with the list.
    pub starts: Vec<(usize, usize)>,
    /// The length of the decoded text (bytes) when it was loaded.
    pub len: usize,
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

/// How findings, not-evaluated entries, baselines and waivers name a record:
/// `collection/identity` (`groups/<id>`, `cloud_accounts/<subscription id>`). An identity that
/// is an ARM resource id begins with `/` (a resource pricing's scope,
/// `/subscriptions/<id>/resourceGroups/<rg>`): it is joined with one slash
/// (`resource_pricings/subscriptions/<id>/resourceGroups/<rg>`), not two.
pub fn entity_name(collection: &str, identity: &str) -> String {
    format!(
        "{collection}/{}",
        identity.strip_prefix('/').unwrap_or(identity)
    )
}

/// An entity as [`entity_name`] writes it, from one written before it joined an ARM resource
/// id with one slash (`resource_pricings//subscriptions/...` in a baseline or a waiver's
/// `entity` glob): `collection//rest` of a collection of the model becomes `collection/rest`;
/// anything else is returned as it is.
pub fn entity_name_compat(entity: &str) -> std::borrow::Cow<'_, str> {
    match entity.split_once("//") {
        Some((collection, rest)) if COLLECTIONS.iter().any(|c| c.name == collection) => {
            std::borrow::Cow::Owned(format!("{collection}/{rest}"))
        }
        _ => std::borrow::Cow::Borrowed(entity),
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
        self.missing_but(requirements, &[], false)
    }

    /// [`TenantModel::missing`], but records unlisted from the collections at the indexes
    /// `judged` (see [`Gap::unlisted`]) do not stop a rule that judges the records there are
    /// (one over the collection, or one reading it only in quantifiers, three-valued). With
    /// `explicit` (the policy's own `requires` list), an optional field counts too: no record
    /// carrying it makes the rule not evaluated, as for any other field.
    pub fn missing_but(
        &self,
        requirements: &[(&str, Option<&str>)],
        judged: &[usize],
        explicit: bool,
    ) -> Option<String> {
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
            if let Some(gap) = c.gaps.iter().find(|g| {
                g.entity.is_none() && g.affects(*field) && !(g.unlisted && judged.contains(&i))
            }) {
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
                if seen == Some(false) && (explicit || !optional) && !c.records.is_empty() {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn an_arm_id_entity_is_joined_with_one_slash() {
        let scope = "/subscriptions/s1/resourceGroups/rg";
        let entity = entity_name("resource_pricings", scope);
        assert_eq!(
            entity,
            "resource_pricings/subscriptions/s1/resourceGroups/rg"
        );
        assert_eq!(entity_name("groups", "g-1"), "groups/g-1");
        assert_eq!(
            entity_name_compat("resource_pricings//subscriptions/s1/resourceGroups/rg"),
            entity
        );
        assert_eq!(
            entity_name_compat("resource_pricings//subscriptions/*"),
            "resource_pricings/subscriptions/*"
        );
        // Not a collection, or one slash already: as it is.
        for kept in ["/value/0//x", "cloud_accounts/a//b", "users/u-1"] {
            assert_eq!(entity_name_compat(kept), kept);
        }
    }

    #[test]
    fn a_field_keeps_its_value_and_location() {
        let cases = [
            (Value::Null, None),
            (Value::Null, Some(Loc::new(0, 0))),
            (Value::Bool(true), Some(Loc::new(3, 17))),
            (Value::Int(i64::MIN), Some(Loc::new(0xFF_FFFD, u32::MAX))),
            (Value::Str("x".into()), Some(Loc::document(41))),
            (Value::Date(-1), Some(Loc::new(1 << 16, 1 << 24))),
            (
                Value::List(["a".into()].into_iter().map(Value::Str).collect()),
                None,
            ),
            (Value::Unknown, Some(Loc::new(7, 0x0102_0304))),
        ];
        for (value, loc) in cases {
            let field = Field::new(value.clone(), loc);
            assert_eq!(field.loc(), loc, "{value:?}");
            assert_eq!(field.value(), value);
            assert_eq!(field.is_null(), value.is_null());
            assert_eq!(field.as_str(), value.as_str());
            assert_eq!(field.into_parts(), (value, loc));
        }
    }

    /// A user with a department (on demand), a plan (its `service` on demand) and its id.
    fn user() -> Record {
        let mut plan = Record::new(&schema::ASSIGNED_PLAN, Some(Loc::new(1, 40)));
        plan.set("id", Value::Str("p1".into()), Some(Loc::new(1, 50)));
        plan.set(
            "service",
            Value::Str("exchange".into()),
            Some(Loc::new(1, 60)),
        );
        plan.set(
            "status",
            Value::Str("Enabled".into()),
            Some(Loc::new(1, 70)),
        );
        let mut u = Record::new(&schema::USER, Some(Loc::new(1, 2)));
        u.set("id", Value::Str("u1".into()), Some(Loc::new(1, 10)));
        u.set(
            "department",
            Value::Str("Sales".into()),
            Some(Loc::new(1, 20)),
        );
        u.set(
            "plans",
            Value::Records([plan].into_iter().collect()),
            Some(Loc::new(1, 30)),
        );
        u
    }

    #[test]
    fn extending_a_collection_is_pushing_each_record() {
        let mut bare = Record::new(&schema::USER, None);
        bare.set("upn", Value::Null, Some(Loc::new(2, 5)));
        let records = vec![user(), Record::new(&schema::USER, None), bare];
        let mut model = TenantModel::default();
        let pushed = model.collection_mut("users").unwrap();
        for r in records.clone() {
            pushed.push(r);
        }
        let pushed = pushed.clone();
        let extended = model.collection_mut("devices").unwrap();
        extended.extend(Vec::new());
        assert!(!extended.present);
        let mut extended = TenantModel::default().collection("users").unwrap().clone();
        extended.extend(records);
        assert_eq!(extended, pushed);
        assert_eq!(pushed.fields_seen.iter().filter(|s| **s).count(), 4);
    }

    #[test]
    fn a_projection_leaves_out_the_fields_only_unread_policies_would_read() {
        let department = schema::USER.field_index("department").unwrap();
        let service = schema::ASSIGNED_PLAN.field_index("service").unwrap();
        let full = user();
        let mut u = user();
        u.project(&Projection::new(&[]));
        assert_eq!(u.loc(), full.loc());
        assert_eq!(u.field(department), None);
        assert!(!u.set("department", Value::Str("x".into()), None));
        assert_eq!(u.take("department"), None);
        assert_eq!(u.text("id"), Some("u1"));
        assert_eq!(u.get("id").and_then(Field::loc), Some(Loc::new(1, 10)));
        let names: Vec<&str> = u.fields().map(|(f, _)| f.name).collect();
        assert!(
            !names.contains(&"department") && names.contains(&"id"),
            "{names:?}"
        );
        let Some(ValueRef::Records(plans)) = u.get("plans").map(Field::value) else {
            panic!("plans")
        };
        assert_eq!(
            plans[0].field(service),
            None,
            "nested records are projected"
        );
        assert_eq!(plans[0].text("status"), Some("Enabled"));
        // Projecting again changes nothing.
        let once = u.clone();
        u.project(&Projection::new(&[]));
        assert_eq!(u, once);

        // A field a policy reads is kept, with its value and location.
        let mut kept = user();
        let reads = [
            (&schema::USER, department),
            (&schema::ASSIGNED_PLAN, service),
        ];
        let projection = Projection::new(&reads);
        assert!(projection.keeps(&schema::USER, department));
        kept.project(&projection);
        assert_eq!(kept.field(department), full.field(department));
        assert_eq!(kept.fields().count(), full.fields().count() - 3);
        let Some(ValueRef::Records(plans)) = kept.get("plans").map(Field::value) else {
            panic!("plans")
        };
        assert_eq!(
            plans[0].field(service).and_then(Field::as_str),
            Some("exchange")
        );

        // A collection counts the fields seen by their place in the schema.
        let mut c = Collection {
            fields_seen: vec![false; schema::USER.fields.len()],
            ..Collection::default()
        };
        c.push(u);
        let seen = |name| c.fields_seen[schema::USER.field_index(name).unwrap()];
        assert!(seen("id") && seen("plans") && !seen("department") && !seen("upn"));
    }

    #[test]
    fn every_shape_there_can_be_has_a_number() {
        // The whole shape of each record type, and each set of its on-demand fields left out.
        let possible: usize = schema::records()
            .iter()
            .map(|s| 1 << s.fields.iter().filter(|f| f.on_demand).count())
            .sum();
        assert!(possible <= SHAPES.len(), "{possible} shapes");
        // A record keeps its type through its shape, projected or not.
        for s in schema::records() {
            assert!(std::ptr::eq(Record::new(s, None).schema(), s), "{}", s.name);
            let r = Record::projected(s, None, Some(&Projection::new(&[])));
            assert!(std::ptr::eq(r.schema(), s), "{}", s.name);
        }
    }

    #[test]
    fn a_shared_list_locates_its_records_from_the_field_that_holds_it() {
        let plan = || user().take("plans").unwrap().into_value();
        let Value::Records(plans) = plan() else {
            panic!("plans")
        };
        // The list at byte 30: its record at 40 and the record's id at 50.
        let list = Value::shared(plans, Some(Loc::new(1, 30)));
        let Value::Shared(shared) = &list else {
            panic!("shared")
        };
        let id = schema::ASSIGNED_PLAN.field_index("id").unwrap();
        let (record, field) = (&shared[0], shared[0].field(id).unwrap());
        // Alone, a relative location is none; from a list, it counts from the list's.
        assert_eq!((record.loc(), field.loc()), (None, None));
        assert_eq!(field.loc_in(Some(Loc::new(1, 30))), Some(Loc::new(1, 50)));
        assert_eq!(
            field.loc_in(Some(Loc::new(4, 1000))),
            Some(Loc::new(4, 1020))
        );
        assert_eq!(field.loc_in(None), None);
        // Two users whose lists are laid out alike hold one list, each locating it in itself.
        let mut a = Record::new(&schema::USER, Some(Loc::new(1, 2)));
        let mut b = Record::new(&schema::USER, Some(Loc::new(7, 502)));
        a.set("plans", list.clone(), Some(Loc::new(1, 30)));
        b.set("plans", list, Some(Loc::new(7, 530)));
        let located = |u: &Record| {
            let Some(ValueRef::Records(l)) = u.get("plans").map(Field::value) else {
                panic!("plans")
            };
            let r = &l[0];
            (
                l.as_ptr(),
                r.loc_in(l.base()),
                r.field(id).unwrap().loc_in(l.base()),
            )
        };
        let (pa, ra, ia) = located(&a);
        let (pb, rb, ib) = located(&b);
        assert_eq!(pa, pb);
        assert_eq!((ra, ia), (Some(Loc::new(1, 40)), Some(Loc::new(1, 50))));
        assert_eq!((rb, ib), (Some(Loc::new(7, 540)), Some(Loc::new(7, 550))));
        // An owned copy is located for good: at the first user's place, the plain list.
        let copy = |u: &Record| match u.get("plans").map(|f| f.value().to_value()) {
            Some(Value::Records(copy)) => copy,
            _ => panic!("records"),
        };
        assert_eq!(copy(&b)[0].loc(), Some(Loc::new(7, 540)));
        assert_eq!(copy(&b)[0].field(id).unwrap().loc(), Some(Loc::new(7, 550)));
        assert_eq!(Value::Records(copy(&a)), plan());
        // A location before the list or in another file is dropped, not misplaced.
        let mut r = Record::new(&schema::ASSIGNED_PLAN, Some(Loc::new(1, 20)));
        r.set("id", Value::Str("p".into()), Some(Loc::new(2, 50)));
        r.relative_to(Some(Loc::new(1, 30)));
        assert_eq!(r.loc_in(Some(Loc::new(1, 30))), None);
        assert_eq!(r.field(id).unwrap().loc_in(Some(Loc::new(1, 30))), None);
    }

    #[test]
    fn projecting_copies_a_shared_list_only_when_it_changes() {
        let service = schema::ASSIGNED_PLAN.field_index("service").unwrap();
        let Value::Records(plans) = user().take("plans").unwrap().into_value() else {
            panic!("plans")
        };
        let list = Value::shared(plans, Some(Loc::new(1, 30)));
        let mut a = user();
        a.set("plans", list.clone(), Some(Loc::new(1, 30)));
        let mut b = a.clone();
        let address = |u: &Record| match u.get("plans").map(Field::value) {
            Some(ValueRef::Records(l)) => l.as_ptr(),
            _ => panic!("plans"),
        };
        // Projected: each user's copy leaves out `service`, and is its own.
        let projection = Projection::new(&[]);
        a.project(&projection);
        assert_ne!(address(&a), address(&b));
        let Some(ValueRef::Records(l)) = a.get("plans").map(Field::value) else {
            panic!("plans")
        };
        assert_eq!(l[0].field(service), None);
        assert_eq!(
            l[0].get("id").unwrap().loc_in(l.base()),
            Some(Loc::new(1, 50))
        );
        // A list already projected is not copied: the users go on sharing it.
        b.project(&projection);
        let mut c = b.clone();
        c.project(&projection);
        assert_eq!(address(&b), address(&c));
    }

    #[test]
    fn a_file_id_past_24_bits_keeps_no_location() {
        // The last id is that of no file: it marks relative locations.
        for file in [0xFF_FFFE, 0xFF_FFFF] {
            let field = Field::new(Value::Bool(false), Some(Loc::new(file, 9)));
            assert_eq!(field.loc(), None);
            assert_eq!(field.loc_in(Some(Loc::new(3, 100))), None);
            assert_eq!(field.value(), Value::Bool(false));
        }
    }
}
