//! The elements of the largest lists (Graph users and group members, Defender for Endpoint
//! machines and `deviceavinfo` rows) read straight from the parser's events into records,
//! without building their tree first.
//!
//! A reader makes the same `jiter` calls, in the same order, as [`tree::parse_range`] would on
//! the element (so it fails exactly where the whole parse fails, nesting limit included), keeps
//! the members its format reads and only checks the others. It gives up (None) on anything
//! but the plain shape: a value of an unexpected kind (a list `ConvertTo-Json` cut off, a
//! non-object element), an undocumented enumeration value, a parse error. The element is then
//! read through its tree by the format's own code, which reports what is wrong; so the model
//! is the same either way, which `tests/perf_shapes.rs` checks against the whole parse.
//!
//! Repeated keys (in any case) keep the last value, as [`At::get`](crate::export::json::At::get)
//! does: each occurrence sets the field again, or clears it when its value does not convert.

use super::graph::{member_kind_of, Entity};
use super::mde::av_mode;
use super::Elements;
use crate::export::json::Strings;
use crate::export::tree;
use crate::export::{Op, RowTime};
use crate::model::schema::{self, RecordSchema};
use crate::model::{ArcStr, Field, FileId, Loc, Projection, Record, SharedRecords, Value};
use jiter::{Jiter, Peek};
use std::sync::LazyLock;

/// What a reader keeps from one element to the next: the file's shared strings, room for the
/// records of a list and the lists shared, and the fields records keep (None: every field).
pub(in crate::export) type Pool<'p> = (&'p Strings, &'p mut Scratch, Option<&'p Projection>);

/// What a reader keeps from one element to the next of a list.
#[derive(Debug, Default)]
pub(in crate::export) struct Scratch {
    /// Room for the records of a list being read.
    records: Vec<Record>,
    /// The lists of records elements may share ([`Value::Shared`]), the one read last at the
    /// end: a user's assigned plans are those of one of the few licences of a tenant.
    shared: Vec<SharedRecords>,
}

/// How many of the lists read last a new one is compared with before it is kept on its own.
const SHARED_KEPT: usize = 8;

/// What one element of a list gives: the operation to add, or none (a `deviceavinfo` row
/// without `avMode`).
pub(in crate::export) type Element = Option<Op>;

/// Reads the element `piece[range]` of a list of `elements` (offsets in the whole document:
/// `piece` is its text from byte `shift` on); `depth` is the nesting limit left for the
/// element. `strings` shares the file's strings; `scratch` is room the reader keeps from one
/// element to the next. None: read the element through its tree instead.
pub(in crate::export) fn element(
    elements: &Elements,
    piece: &str,
    shift: usize,
    range: std::ops::Range<usize>,
    depth: usize,
    file: FileId,
    pool: Pool<'_>,
) -> Option<Element> {
    let bytes = piece.as_bytes().get(range.clone())?;
    let (op, mut j) = read(
        elements,
        (piece, shift),
        bytes,
        range.start,
        depth,
        file,
        pool,
    )?;
    j.finish().ok()?;
    Some(op)
}

/// Reads the element of a list of `elements` that starts at offset `start` of the document,
/// in `piece` (the document's text from byte `shift` on), as [`element`] does; with the
/// offset just after it (the list goes on there).
pub(in crate::export) fn element_at(
    elements: &Elements,
    (piece, shift): (&str, usize),
    start: usize,
    depth: usize,
    file: FileId,
    pool: Pool<'_>,
) -> Option<(Element, usize)> {
    let local = start.checked_sub(shift)?;
    let bytes = piece.as_bytes().get(local..)?;
    let (op, j) = read(elements, (piece, shift), bytes, local, depth, file, pool)?;
    Some((op, start + j.current_index()))
}

/// Reads one element from the start of `bytes` (`piece[base..]`), leaving the parser just
/// after it.
fn read<'a>(
    elements: &Elements,
    (piece, shift): (&'a str, usize),
    bytes: &'a [u8],
    base: usize,
    depth: usize,
    file: FileId,
    (strings, scratch, projection): (&'a Strings, &mut Scratch, Option<&'a Projection>),
) -> Option<(Element, Jiter<'a>)> {
    let mut r = Reader {
        j: Jiter::new(bytes),
        piece,
        base,
        shift,
        open: 0,
        depth,
        file,
        strings,
        scratch: std::mem::take(scratch),
        projection,
    };
    let peek = r.j.peek().ok()?;
    let op = match elements {
        Elements::Graph(Entity::User) => Some(Op::Push("users", r.user(peek)?)),
        Elements::Graph(Entity::Member(gid, cast)) => {
            let (mut record, loc) = r.member(peek)?;
            if let Some(kind) = cast.filter(|_| record.get("kind").is_none_or(Field::is_null)) {
                record.set("kind", Value::Str(strings.get(kind)), None);
            }
            Some(Op::Member(gid.clone(), record, loc))
        }
        Elements::Machines => Some(Op::device(r.machine(peek)?)),
        Elements::AvInfo => r.av_row(peek)?,
        Elements::Graph(_) => return None,
    };
    *scratch = r.scratch;
    Some((op, r.j))
}

/// Whether the elements of `elements` have a reader here (others are read through their
/// tree).
pub(crate) fn supports(elements: &Elements) -> bool {
    matches!(
        elements,
        Elements::Graph(Entity::User | Entity::Member(..)) | Elements::Machines | Elements::AvInfo
    )
}

/// The members of an object a reader keeps: the key (any case), and what is done with it.
type Keys<'k, T> = &'k [(&'static str, T)];

/// A parser over one element, and what its values become.
struct Reader<'a> {
    j: Jiter<'a>,
    piece: &'a str,
    /// Where the element starts in `piece`.
    base: usize,
    /// Where `piece` starts in the document.
    shift: usize,
    /// Arrays and objects open around the value being read.
    open: usize,
    /// The nesting limit of the element.
    depth: usize,
    file: FileId,
    strings: &'a Strings,
    /// What is kept from one element to the next.
    scratch: Scratch,
    /// The fields records keep (None: every field); the others are only checked.
    projection: Option<&'a Projection>,
}

impl Reader<'_> {
    /// The offset, in the document, of the value the parser is at.
    fn offset(&self) -> u32 {
        (self.shift + self.base + self.j.current_index()) as u32
    }

    fn loc(&self) -> Loc {
        Loc::new(self.file, self.offset())
    }

    /// Whether records of `schema` keep field `index`.
    fn keeps(&self, schema: &'static RecordSchema, index: usize) -> bool {
        self.projection.is_none_or(|p| p.keeps(schema, index))
    }

    /// An empty record of `schema` that starts here, with the fields kept.
    fn record(&self, schema: &'static RecordSchema) -> Record {
        Record::projected(schema, Some(self.loc()), self.projection)
    }

    /// Checks a value of an enumerated field that is not kept as [`Reader::machine`] reads a
    /// kept one: an undocumented value gives up.
    fn documented(&mut self, peek: Peek, known: &'static [&'static str]) -> Option<()> {
        match peek {
            Peek::String => spelling(known, self.j.known_str().ok()?).map(drop),
            Peek::Null | Peek::True | Peek::False | Peek::Array | Peek::Object => self.skip(peek),
            _ => spelling(known, self.number(peek)?).map(drop),
        }
    }

    /// Checks a list of records that is not kept as [`Reader::records`] reads a kept one: null,
    /// or an array of objects (anything else gives up).
    fn check_records(&mut self, peek: Peek) -> Option<()> {
        match peek {
            Peek::Null | Peek::Array => {}
            _ => return None,
        }
        if peek == Peek::Array {
            self.enter()?;
            let mut next = self.j.known_array().ok()?;
            while let Some(peek) = next {
                if peek != Peek::Object {
                    return None;
                }
                self.skip(peek)?;
                next = self.j.array_step().ok()?;
            }
            self.open -= 1;
            return Some(());
        }
        self.skip(peek)
    }

    /// Enters an array or object, as the tree does: an error beyond the nesting limit.
    fn enter(&mut self) -> Option<()> {
        if self.open >= self.depth {
            return None;
        }
        self.open += 1;
        Some(())
    }

    /// Reads (and checks) a value nothing keeps.
    fn skip(&mut self, peek: Peek) -> Option<()> {
        match peek {
            Peek::Null => self.j.known_null().ok(),
            Peek::True | Peek::False => self.j.known_bool(peek).ok().map(drop),
            Peek::String => self.j.known_str().ok().map(drop),
            Peek::Array => {
                self.enter()?;
                let mut next = self.j.known_array().ok()?;
                while let Some(peek) = next {
                    self.skip(peek)?;
                    next = self.j.array_step().ok()?;
                }
                self.open -= 1;
                Some(())
            }
            Peek::Object => self.object(&[] as Keys<'_, ()>, |_, _, _| Some(())),
            _ => self.number(peek).map(drop),
        }
    }

    /// A number as written; out of a 64-bit float's range is an error, as in the tree.
    fn number(&mut self, peek: Peek) -> Option<&str> {
        let start = self.base + self.j.current_index();
        let piece = self.piece;
        tree::number(piece, &mut self.j, peek, start, self.base).ok()
    }

    /// Reads an object, handing each member whose key is one of `keys` (ASCII case ignored) to
    /// `member` with its kind and what the key stands for; other members are skipped.
    fn object<T: Copy>(
        &mut self,
        keys: Keys<'_, T>,
        mut member: impl FnMut(&mut Self, Peek, T) -> Option<()>,
    ) -> Option<()> {
        self.enter()?;
        let mut key = self
            .j
            .known_object()
            .ok()?
            .map(|k| keys.iter().find(|(n, _)| same_key(n, k)));
        while let Some(found) = key {
            let peek = self.j.peek().ok()?;
            match found {
                Some((_, what)) => member(self, peek, *what)?,
                None => self.skip(peek)?,
            }
            key = self
                .j
                .next_key()
                .ok()?
                .map(|k| keys.iter().find(|(n, _)| same_key(n, k)));
        }
        self.open -= 1;
        Some(())
    }

    /// [`At::text`](crate::export::json::At::text): a string or a number as written, shared;
    /// None (read and checked) for anything else.
    fn text(&mut self, peek: Peek) -> Option<Option<ArcStr>> {
        self.text_as(peek, true)
    }

    /// [`Reader::text`], shared with the file's equal strings when `pooled`, else its own copy
    /// (an id or a name is seldom written twice in one file: looking it up costs more than it
    /// saves).
    fn text_as(&mut self, peek: Peek, pooled: bool) -> Option<Option<ArcStr>> {
        let strings = self.strings;
        let make = |s: &str| match pooled {
            true => strings.get(s),
            false => ArcStr::from(s),
        };
        Some(match peek {
            Peek::String => Some(make(self.j.known_str().ok()?)),
            Peek::Null | Peek::True | Peek::False | Peek::Array | Peek::Object => {
                self.skip(peek)?;
                None
            }
            _ => Some(make(self.number(peek)?)),
        })
    }

    /// [`At::boolean`](crate::export::json::At::boolean): a boolean, or "true"/"false" in any
    /// case.
    fn boolean(&mut self, peek: Peek) -> Option<Option<bool>> {
        Some(match peek {
            Peek::True | Peek::False => Some(self.j.known_bool(peek).ok()?),
            Peek::String => {
                let s = self.j.known_str().ok()?;
                match s {
                    _ if s.eq_ignore_ascii_case("true") => Some(true),
                    _ if s.eq_ignore_ascii_case("false") => Some(false),
                    _ => None,
                }
            }
            _ => {
                self.skip(peek)?;
                None
            }
        })
    }

    /// [`At::date`](crate::export::json::At::date): a date string, in ms since the epoch. A
    /// string that is no date (nor blank) gives up: the tree path reports it (see
    /// `Builder::put_date`).
    fn date(&mut self, peek: Peek) -> Option<Option<i64>> {
        Some(match peek {
            Peek::String => {
                let text = self.j.known_str().ok()?;
                match crate::base::dates::parse(text) {
                    None if !text.trim().is_empty() => return None,
                    ms => ms,
                }
            }
            _ => {
                self.skip(peek)?;
                None
            }
        })
    }

    /// [`At::strings`](crate::export::json::At::strings): the strings of an array.
    fn strings(&mut self, peek: Peek) -> Option<Option<Value>> {
        match peek {
            Peek::Array => {}
            // A list `ConvertTo-Json` cut off (its elements joined with spaces): the format's
            // own code reports it.
            Peek::String => return None,
            _ => {
                self.skip(peek)?;
                return Some(None);
            }
        }
        self.enter()?;
        let mut out = Vec::new();
        let mut next = self.j.known_array().ok()?;
        while let Some(peek) = next {
            match peek {
                Peek::String => out.push(Value::Str(self.strings.get(self.j.known_str().ok()?))),
                _ => self.skip(peek)?,
            }
            next = self.j.array_step().ok()?;
        }
        self.open -= 1;
        Some(Some(Value::List(out.into())))
    }

    /// A value converted as `conv` says, into `field` of `record` (cleared when it does not
    /// convert: a later key replaces an earlier one whatever it holds).
    fn put(&mut self, record: &mut Record, field: usize, peek: Peek, conv: Conv) -> Option<()> {
        let loc = self.loc();
        let value = match conv {
            Conv::Text => self.text(peek)?.map(Value::Str),
            Conv::Own => self.text_as(peek, false)?.map(Value::Str),
            // A null stays in the record, located: the export gives the value, as unknown
            // (see `json::put_at`).
            Conv::Bool => match (self.boolean(peek)?, peek) {
                (None, Peek::Null) => Some(Value::Null),
                (b, _) => b.map(Value::Bool),
            },
            Conv::Date => self.date(peek)?.map(Value::Date),
            Conv::Strings => self.strings(peek)?,
        };
        set(record, field, value, loc);
        Some(())
    }

    /// A record of `schema` from an object whose keys map to fields as `keys` says.
    fn flat(
        &mut self,
        schema: &'static RecordSchema,
        keys: Keys<'_, (usize, Conv)>,
    ) -> Option<Record> {
        let mut record = self.record(schema);
        self.object(keys, |r, peek, (field, conv)| {
            match r.keeps(schema, field) {
                true => r.put(&mut record, field, peek, conv),
                false => r.skip(peek),
            }
        })?;
        Some(record)
    }

    /// A list of objects (or null: no list) into `field`, each object a record of `schema`;
    /// anything else gives up (the tree path reports it and records the gap). With `shared`,
    /// a [`Value::Shared`] list, the same as one read before when it is equal to it.
    fn records(
        &mut self,
        record: &mut Record,
        (field, shared): (usize, bool),
        peek: Peek,
        schema: &'static RecordSchema,
        keys: Keys<'_, (usize, Conv)>,
    ) -> Option<()> {
        match peek {
            Peek::Null => {
                self.j.known_null().ok()?;
                set(record, field, None, self.loc());
                Some(())
            }
            Peek::Array => {
                let loc = self.loc();
                self.enter()?;
                // Gathered first, so the list is allocated once at its size.
                let mut items = std::mem::take(&mut self.scratch.records);
                let mut next = self.j.known_array().ok()?;
                while let Some(peek) = next {
                    if peek != Peek::Object {
                        return None;
                    }
                    items.push(self.flat(schema, keys)?);
                    next = self.j.array_step().ok()?;
                }
                self.open -= 1;
                let list = match shared {
                    true => Value::Shared(self.share(&mut items, loc)),
                    false => Value::Records(items.drain(..).collect()),
                };
                self.scratch.records = items;
                set(record, field, Some(list), loc);
                Some(())
            }
            _ => None,
        }
    }

    /// The records `items`, found in a list at `base`, as a shared list: one of those read
    /// last when equal to it, locations relative to the list included (`items` is left empty).
    fn share(&mut self, items: &mut Vec<Record>, base: Loc) -> SharedRecords {
        for r in items.iter_mut() {
            r.relative_to(Some(base));
        }
        let kept = &mut self.scratch.shared;
        let list = match kept.iter().rposition(|l| l[..] == items[..]) {
            Some(i) => {
                items.clear();
                kept.remove(i)
            }
            None => SharedRecords::new(items.drain(..).collect()),
        };
        if kept.len() >= SHARED_KEPT {
            kept.remove(0);
        }
        kept.push(list.clone());
        list
    }

    /// A Graph `user` (see `graph::user`).
    fn user(&mut self, peek: Peek) -> Option<Record> {
        if peek != Peek::Object {
            return None;
        }
        let t = USER_KEYS.as_ref()?;
        let u = &schema::USER;
        let mut record = self.record(u);
        self.object(&t.user, |r, peek, what| match what {
            // A deleted user (its `deletedDateTime` set) or a delta query's removal (`@removed`)
            // is left to the tree, which notes it.
            User::Deleted if peek == Peek::Null => r.skip(peek),
            User::Deleted => None,
            User::Field(field, _) | User::SignIn(field) if !r.keeps(u, field) => r.skip(peek),
            User::Licenses(field) | User::Plans(field) if !r.keeps(u, field) => {
                r.check_records(peek)
            }
            User::Field(field, conv) => r.put(&mut record, field, peek, conv),
            User::SignIn(field) => {
                set(&mut record, field, None, r.loc());
                if peek != Peek::Object {
                    return r.skip(peek);
                }
                let keys = [("lastSignInDateTime", (field, Conv::Date))];
                r.object(&keys, |r, peek, (field, conv)| {
                    r.put(&mut record, field, peek, conv)
                })
            }
            User::Licenses(field) => r.records(
                &mut record,
                (field, false),
                peek,
                &schema::LICENSE,
                &t.license,
            ),
            User::Plans(field) => r.records(
                &mut record,
                (field, true),
                peek,
                &schema::ASSIGNED_PLAN,
                &t.plan,
            ),
        })?;
        Some(record)
    }

    /// A Graph group member (see `graph::member`): its record and where it starts. The
    /// PowerShell SDK's `AdditionalProperties` form is left to the tree.
    fn member(&mut self, peek: Peek) -> Option<(Record, Loc)> {
        if peek != Peek::Object {
            return None;
        }
        let t = MEMBER_KEYS.as_ref()?;
        let loc = self.loc();
        let mut record = Record::projected(&schema::MEMBER, Some(loc), self.projection);
        self.object(&t.keys, |r, peek, what| match what {
            Member::Field(field, conv) => r.put(&mut record, field, peek, conv),
            // `@odata.type`: a known kind of group member, else the tree warns.
            Member::Kind(field) if peek == Peek::String => {
                let loc = r.loc();
                let kind = member_kind_of(r.j.known_str().ok()?)?;
                set(
                    &mut record,
                    field,
                    Some(Value::Str(r.strings.get(kind))),
                    loc,
                );
                Some(())
            }
            Member::Kind(_) | Member::Tree => None,
        })?;
        Some((record, loc))
    }

    /// A Defender for Endpoint machine (see `mde::machines`).
    fn machine(&mut self, peek: Peek) -> Option<Record> {
        if peek != Peek::Object {
            return None;
        }
        let t = MACHINE_KEYS.as_ref()?;
        let d = &schema::DEVICE;
        let mut record = self.record(d);
        self.object(&t.keys, |r, peek, what| match what {
            Machine::Field(field, _) if !r.keeps(d, field) => r.skip(peek),
            Machine::Enum(field) if !r.keeps(d, field) => {
                r.documented(peek, d.fields.get(field)?.values)
            }
            Machine::Field(field, conv) => r.put(&mut record, field, peek, conv),
            Machine::Enum(field) => {
                // A documented value in its documented spelling; an undocumented one is
                // warned about by the tree path.
                let loc = r.loc();
                let value = match r.text(peek)? {
                    Some(text) => {
                        let known = schema::DEVICE.fields.get(field)?.values;
                        Some(Value::Str(r.strings.get(spelling(known, &text)?)))
                    }
                    None => None,
                };
                set(&mut record, field, value, loc);
                Some(())
            }
        })?;
        Some(record)
    }

    /// A `deviceavinfo` row (see `mde::av_info` and `Builder::add_av_mode`).
    fn av_row(&mut self, peek: Peek) -> Option<Element> {
        if peek != Peek::Object {
            return None;
        }
        let t = AV_KEYS.as_ref()?;
        let item = self.loc();
        let mut stub = Record::projected(&schema::DEVICE, Some(item), self.projection);
        let mut row = AvRow::default();
        self.object(&t.keys, |r, peek, what| {
            match what {
                // Ids and names: one row each, not looked up in the pool (see `Conv::Own`).
                Av::MachineId => row.machine_id = Some(r.text_as(peek, false)?),
                Av::Id => row.id = r.text_as(peek, false)?,
                Av::Mode => {
                    let loc = r.loc();
                    row.mode = Some((
                        match peek {
                            Peek::Null => {
                                r.j.known_null().ok()?;
                                None
                            }
                            _ => Some(r.text(peek)?.unwrap_or_default()),
                        },
                        loc,
                    ));
                }
                Av::Stub(field, conv) => r.put(&mut stub, field, peek, conv)?,
                Av::Refreshed(i) => *row.refreshed.get_mut(i)? = r.date(peek)?,
            }
            Some(())
        })?;
        // `machineId` when the row has one (even when it is not text), else `id`.
        let id = match row.machine_id {
            Some(id) => id,
            None => row.id,
        }?;
        let Some((code, loc)) = row.mode else {
            return Some(None);
        };
        let mode = match code {
            None => Value::Null,
            Some(code) => Value::Str(av_mode(&code)?.into()),
        };
        if let Some(slot) = stub.field_mut(t.id) {
            *slot = Field::new(Value::Str(id), slot.loc());
        }
        stub.set("av_mode", mode, Some(loc));
        let [refreshed, last_seen] = row.refreshed;
        Some(Some(Op::AvMode(stub, RowTime::new(refreshed, last_seen))))
    }
}

/// How a member's value becomes a field's (see [`crate::export::json::Conv`]).
#[derive(Debug, Clone, Copy)]
enum Conv {
    Text,
    /// Text of which a file seldom has two equal (ids, names): not looked up in the pool.
    Own,
    Bool,
    Date,
    Strings,
}

/// The members of a Graph user that are read.
#[derive(Debug, Clone, Copy)]
enum User {
    Field(usize, Conv),
    SignIn(usize),
    Licenses(usize),
    Plans(usize),
    /// `deletedDateTime`: null on a live user; `@removed`: absent (or null) on a live user.
    Deleted,
}

/// The members of a Graph group member that are read.
#[derive(Debug, Clone, Copy)]
enum Member {
    Field(usize, Conv),
    /// `@odata.type`, into this field.
    Kind(usize),
    /// A member only the tree reads (`AdditionalProperties`).
    Tree,
}

/// The members of a machine that are read.
#[derive(Debug, Clone, Copy)]
enum Machine {
    Field(usize, Conv),
    /// An enumeration: documented values only.
    Enum(usize),
}

/// The members of a `deviceavinfo` row that are read.
#[derive(Debug, Clone, Copy)]
enum Av {
    MachineId,
    Id,
    Mode,
    /// A field of the device, converted so.
    Stub(usize, Conv),
    /// `dataRefreshTimestamp` (0) or `lastSeenTime` (1).
    Refreshed(usize),
}

/// What a `deviceavinfo` row said: its ids, its `avMode` (None: null) and where, and its
/// dates.
#[derive(Debug, Default)]
struct AvRow {
    machine_id: Option<Option<ArcStr>>,
    id: Option<ArcStr>,
    mode: Option<(Option<ArcStr>, Loc)>,
    refreshed: [Option<i64>; 2],
}

/// The keys of a Graph user, and of its licences and plans.
struct UserKeys {
    user: [(&'static str, User); 12],
    license: [(&'static str, (usize, Conv)); 2],
    plan: [(&'static str, (usize, Conv)); 4],
}

static USER_KEYS: LazyLock<Option<UserKeys>> = LazyLock::new(|| {
    let (u, l, p) = (&schema::USER, &schema::LICENSE, &schema::ASSIGNED_PLAN);
    let field = |name, conv| Some(User::Field(index(u, name)?, conv));
    Some(UserKeys {
        user: [
            ("id", field("id", Conv::Own)?),
            ("userPrincipalName", field("upn", Conv::Own)?),
            ("displayName", field("name", Conv::Own)?),
            ("accountEnabled", field("enabled", Conv::Bool)?),
            ("userType", field("user_type", Conv::Text)?),
            ("department", field("department", Conv::Text)?),
            (
                "onPremisesSyncEnabled",
                field("on_premises_sync", Conv::Bool)?,
            ),
            ("signInActivity", User::SignIn(index(u, "last_sign_in")?)),
            ("assignedLicenses", User::Licenses(index(u, "licenses")?)),
            ("assignedPlans", User::Plans(index(u, "plans")?)),
            ("deletedDateTime", User::Deleted),
            ("@removed", User::Deleted),
        ],
        license: [
            ("skuId", (index(l, "sku_id")?, Conv::Text)),
            (
                "disabledPlans",
                (index(l, "disabled_plans")?, Conv::Strings),
            ),
        ],
        plan: [
            ("servicePlanId", (index(p, "id")?, Conv::Text)),
            ("service", (index(p, "service")?, Conv::Text)),
            ("capabilityStatus", (index(p, "status")?, Conv::Text)),
            ("assignedDateTime", (index(p, "assigned")?, Conv::Date)),
        ],
    })
});

/// The keys of a Graph group member.
struct MemberKeys {
    keys: [(&'static str, Member); 5],
}

static MEMBER_KEYS: LazyLock<Option<MemberKeys>> = LazyLock::new(|| {
    let m = &schema::MEMBER;
    Some(MemberKeys {
        keys: [
            ("id", Member::Field(index(m, "id")?, Conv::Own)),
            ("displayName", Member::Field(index(m, "name")?, Conv::Own)),
            (
                "userPrincipalName",
                Member::Field(index(m, "upn")?, Conv::Own),
            ),
            ("@odata.type", Member::Kind(index(m, "kind")?)),
            ("AdditionalProperties", Member::Tree),
        ],
    })
});

/// The keys of a Defender for Endpoint machine.
struct MachineKeys {
    keys: [(&'static str, Machine); 12],
}

static MACHINE_KEYS: LazyLock<Option<MachineKeys>> = LazyLock::new(|| {
    let d = &schema::DEVICE;
    let plain = |field, conv| Some(Machine::Field(index(d, field)?, conv));
    let choice = |field| Some(Machine::Enum(index(d, field)?));
    Some(MachineKeys {
        keys: [
            ("id", plain("id", Conv::Own)?),
            ("computerDnsName", plain("name", Conv::Own)?),
            ("osPlatform", plain("os", Conv::Text)?),
            ("onboardingStatus", choice("onboarding")?),
            ("healthStatus", choice("health")?),
            ("lastSeen", plain("last_seen", Conv::Date)?),
            ("riskScore", choice("risk_score")?),
            ("exposureLevel", choice("exposure_level")?),
            ("rbacGroupId", plain("group_id", Conv::Text)?),
            ("rbacGroupName", plain("group", Conv::Text)?),
            ("machineTags", plain("tags", Conv::Strings)?),
            ("mergedIntoMachineId", plain("merged_into_id", Conv::Text)?),
        ],
    })
});

/// The keys of a `deviceavinfo` row, and the device's `id` field.
struct AvKeys {
    keys: [(&'static str, Av); 9],
    id: usize,
}

static AV_KEYS: LazyLock<Option<AvKeys>> = LazyLock::new(|| {
    let d = &schema::DEVICE;
    Some(AvKeys {
        keys: [
            ("machineId", Av::MachineId),
            ("id", Av::Id),
            ("avMode", Av::Mode),
            ("computerDnsName", Av::Stub(index(d, "name")?, Conv::Own)),
            ("osPlatform", Av::Stub(index(d, "os")?, Conv::Text)),
            ("rbacGroupId", Av::Stub(index(d, "group_id")?, Conv::Text)),
            ("rbacGroupName", Av::Stub(index(d, "group")?, Conv::Text)),
            ("dataRefreshTimestamp", Av::Refreshed(0)),
            ("lastSeenTime", Av::Refreshed(1)),
        ],
        id: index(d, "id")?,
    })
});

/// The documented spelling of an enumerated value written as `text` (ASCII case and the
/// spaces around it ignored); None for an undocumented value.
fn spelling(known: &'static [&'static str], text: &str) -> Option<&'static str> {
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(text.trim()))
        .copied()
}

/// Whether `key` is `name` in any ASCII case: as written (the common case) first, and only
/// compared in full when the lengths and the first letters (either case) agree.
fn same_key(name: &str, key: &str) -> bool {
    let first = |s: &str| s.as_bytes().first().map(|b| b | 0x20);
    name.len() == key.len()
        && first(name) == first(key)
        && (name == key || name.eq_ignore_ascii_case(key))
}

/// The position of `field` in `schema`.
fn index(schema: &RecordSchema, field: &str) -> Option<usize> {
    schema.field_index(field)
}

/// Sets (or clears, for None) field `i` of `record`.
fn set(record: &mut Record, i: usize, value: Option<Value>, loc: Loc) {
    if let Some(slot) = record.field_mut(i) {
        *slot = match value {
            Some(value) => Field::new(value, Some(loc)),
            None => Field::default(),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::same_key;

    #[test]
    fn a_key_is_its_name_in_any_ascii_case_and_nothing_else() {
        for key in [
            "servicePlanId",
            "SERVICEPLANID",
            "ServicePlanID",
            "serviceplanid",
        ] {
            assert!(same_key("servicePlanId", key), "{key}");
        }
        assert!(same_key("@odata.type", "@OData.Type"));
        // Same length, first letters alike in either case, or not; one letter apart; a
        // non-letter whose code differs from a letter's by the case bit.
        for key in [
            "servicePlanIx",
            "capabilityStatus",
            "servicePlan",
            "`odata.type",
            "",
        ] {
            assert!(!same_key("servicePlanId", key), "{key}");
        }
        assert!(!same_key("@odata.type", "`odata.type"));
        assert!(same_key("", ""));
    }
}
