//! Indexes for joins: `count(d in devices: d.group_id == g.id)` or
//! `for g in groups, d in devices where d.group_id == g.id` would compare every pair of records.
//! The compiler turns the source of such an iteration into a [`CExpr::Lookup`]: the records of
//! the collection whose field equals the key. The first lookup of a policy on a collection's
//! field reads the collection once (a lookup of one key, the common case, needs no more); the
//! second builds a hash index of the collection on that field and the policy reuses it for
//! every key, so a join costs one pass over each collection instead of one per pair.
//!
//! The condition that made the lookup possible stays in place and is still checked on every
//! record the lookup yields: the lookup only skips records for which it is false, and keeps the
//! others in collection order, so results are the same as without the index.

use super::ast::{BinOp, QuantKind};
use super::eval::Val;
use super::ir::CExpr;
use crate::model::schema::{Type, COLLECTIONS};
use crate::model::{Record, ValueRef};
use std::rc::Rc;

/// The conjuncts of a condition (`a and b and c`).
fn conjuncts<'c>(e: &'c CExpr, out: &mut Vec<&'c CExpr>) {
    match e {
        CExpr::Binary(BinOp::And, l, r) => {
            conjuncts(l, out);
            conjuncts(r, out);
        }
        e => out.push(e),
    }
}

/// Whether `e` can be evaluated before the iteration starts: it reads no slot that `allowed`
/// refuses, and no `let` unless `lets` is true.
pub(super) fn independent(e: &CExpr, allowed: &dyn Fn(usize) -> bool, lets: bool) -> bool {
    let ok = |e: &CExpr| independent(e, allowed, lets);
    match e {
        CExpr::Const(_) | CExpr::Collection(_) => true,
        CExpr::Slot(s) => allowed(*s),
        CExpr::Let(_) => lets,
        // The body of a def runs in a frame of its own: only its arguments read this one.
        CExpr::CallDef(_, args) | CExpr::Call(_, args) | CExpr::List(args) => args.iter().all(ok),
        CExpr::Field(b, _)
        | CExpr::Matches(b, _)
        | CExpr::MatchesParam(b, _)
        | CExpr::Not(b)
        | CExpr::Neg(b) => ok(b),
        CExpr::Binary(_, l, r) => ok(l) && ok(r),
        CExpr::Lookup { key, .. } => ok(key),
        CExpr::Quant {
            source,
            filter,
            body,
            ..
        } => ok(source) && filter.as_deref().is_none_or(ok) && body.as_deref().is_none_or(ok),
        CExpr::Interp(parts) => parts.iter().all(|p| match p {
            super::ir::CPart::Text(_) => true,
            super::ir::CPart::Expr(e) => ok(e),
        }),
    }
}

/// The index of the scalar field `slot.FIELD` of a record of `collection`, if `e` is one.
fn indexable_field(e: &CExpr, slot: usize, collection: usize) -> Option<usize> {
    let CExpr::Field(base, field) = e else {
        return None;
    };
    let CExpr::Slot(s) = **base else {
        return None;
    };
    let ty = &COLLECTIONS.get(collection)?.record.fields.get(*field)?.ty;
    (s == slot && matches!(ty, Type::Str | Type::Int | Type::Bool | Type::Date)).then_some(*field)
}

/// `source` as a lookup when it is a collection and one of `conditions` (each a conjunction
/// that every kept element satisfies) equates a field of the element in `slot` with a key that
/// `independent` accepts; otherwise `source` unchanged.
pub fn join(
    source: CExpr,
    slot: usize,
    conditions: &[&CExpr],
    allowed: &dyn Fn(usize) -> bool,
    lets: bool,
) -> CExpr {
    let CExpr::Collection(collection) = source else {
        return source;
    };
    let mut terms = Vec::new();
    for c in conditions {
        conjuncts(c, &mut terms);
    }
    for t in terms {
        let CExpr::Binary(BinOp::Eq, l, r) = t else {
            continue;
        };
        for (field, key) in [(&**l, &**r), (&**r, &**l)] {
            if let Some(field) = indexable_field(field, slot, collection) {
                if independent(key, allowed, lets) {
                    return CExpr::Lookup {
                        collection,
                        field,
                        key: Box::new(key.clone()),
                    };
                }
            }
        }
    }
    source
}

/// The conditions of a `for` rule that can be checked before its last binding is iterated:
/// the longest run of leading conjuncts of `filter` each of which reads no `let` and no
/// binding after some binding before the last (`bindings`: their slots, outermost first),
/// with the position of that binding, in order of position. A conjunct that needs the last
/// binding, or one that would be checked before a conjunct written ahead of it, ends the run:
/// the filter's own order is kept (what it reads first is read first).
pub fn early(bindings: &[usize], filter: Option<&CExpr>) -> Vec<(usize, CExpr)> {
    let mut terms = Vec::new();
    if let Some(f) = filter {
        conjuncts(f, &mut terms);
    }
    let mut out: Vec<(usize, CExpr)> = Vec::new();
    for t in terms {
        let at = (0..bindings.len().saturating_sub(1)).find(|&k| {
            let later = bindings.get(k + 1..).unwrap_or(&[]);
            independent(t, &|s| !later.contains(&s), false)
        });
        match at {
            Some(at) if out.last().is_none_or(|(before, _)| *before <= at) => {
                out.push((at, t.clone()));
            }
            _ => break,
        }
    }
    out
}

/// The conditions of a quantifier that every counted element satisfies: its `where` filter,
/// and its condition for `any` and `count` (not for `all`, which must see every element, nor
/// `sum`, whose body is a number).
pub fn quantifier_conditions<'c>(
    kind: QuantKind,
    filter: Option<&'c CExpr>,
    body: Option<&'c CExpr>,
) -> Vec<&'c CExpr> {
    let mut out: Vec<&CExpr> = filter.into_iter().collect();
    if matches!(kind, QuantKind::Any | QuantKind::Count) {
        out.extend(body);
    }
    out
}

/// A non-string key of an index, as the evaluator compares values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Date(i64),
}

/// What a record's field is to a lookup: the key it is found under, unknown (found under any
/// key), or nothing (a list or a record: found under none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry<'e> {
    Str(&'e str),
    Scalar(Scalar),
    Unknown,
    Nothing,
}

impl<'e> Entry<'e> {
    fn of(record: &'e Record, field: usize) -> Self {
        match record.field(field).map(|f| f.value()) {
            None | Some(ValueRef::Null) => Entry::Scalar(Scalar::Null),
            Some(ValueRef::Bool(b)) => Entry::Scalar(Scalar::Bool(b)),
            Some(ValueRef::Int(n)) => Entry::Scalar(Scalar::Int(n)),
            Some(ValueRef::Date(d)) => Entry::Scalar(Scalar::Date(d)),
            Some(ValueRef::Str(s)) => Entry::Str(s),
            Some(ValueRef::List(_) | ValueRef::Records(_)) => Entry::Nothing,
            Some(ValueRef::Unknown) => Entry::Unknown,
        }
    }

    /// The key a looked-up value is (a list or a record: none, it finds nothing).
    fn key<'k>(key: &'k Val<'_>) -> Entry<'k> {
        match key {
            Val::Str(s) => Entry::Str(s.as_ref()),
            Val::Null => Entry::Scalar(Scalar::Null),
            Val::Bool(b) => Entry::Scalar(Scalar::Bool(*b)),
            Val::Int(n) => Entry::Scalar(Scalar::Int(*n)),
            Val::Date(d) => Entry::Scalar(Scalar::Date(*d)),
            _ => Entry::Nothing,
        }
    }
}

/// Positions of the records of one collection by the value of one field, in collection order.
#[derive(Debug, Default)]
pub struct Index<'e> {
    strings: foldhash::HashMap<&'e str, Rc<Vec<u32>>>,
    scalars: foldhash::HashMap<Scalar, Rc<Vec<u32>>>,
    /// Records whose field is unknown ([`Value::Unknown`]): any key may match them, so every
    /// lookup yields them too (the condition, still checked, is then unknown).
    unknown: Vec<u32>,
}

impl<'e> Index<'e> {
    pub fn build(records: &'e [Record], field: usize) -> Self {
        let mut strings: foldhash::HashMap<&'e str, Vec<u32>> = Default::default();
        let mut scalars: foldhash::HashMap<Scalar, Vec<u32>> = Default::default();
        let mut unknown = Vec::new();
        for (i, r) in records.iter().enumerate() {
            // A collection holds far fewer than 2³² records.
            let i = i as u32;
            match Entry::of(r, field) {
                Entry::Str(s) => strings.entry(s).or_default().push(i),
                Entry::Scalar(k) => scalars.entry(k).or_default().push(i),
                Entry::Unknown => unknown.push(i),
                Entry::Nothing => {}
            }
        }
        Index {
            strings: strings.into_iter().map(|(k, v)| (k, Rc::new(v))).collect(),
            scalars: scalars.into_iter().map(|(k, v)| (k, Rc::new(v))).collect(),
            unknown,
        }
    }

    /// Positions of the records whose field equals `key` (none for a list or a record).
    pub fn get(&self, key: &Val<'_>) -> Rc<Vec<u32>> {
        let found = match Entry::key(key) {
            Entry::Str(s) => self.strings.get(s),
            Entry::Scalar(k) => self.scalars.get(&k),
            Entry::Unknown | Entry::Nothing => None,
        };
        let found = found.cloned().unwrap_or_default();
        if self.unknown.is_empty() {
            return found;
        }
        let mut all: Vec<u32> = found.iter().chain(&self.unknown).copied().collect();
        all.sort_unstable();
        Rc::new(all)
    }

    /// What [`Index::get`] on the index of `records` on `field` gives, found by reading every
    /// record once instead: cheaper than building the index when one key is looked up (a
    /// policy that looks up a second key builds it).
    pub fn scan(records: &[Record], field: usize, key: &Val<'_>) -> Rc<Vec<u32>> {
        let key = Entry::key(key);
        let found = records.iter().enumerate().filter(|(_, r)| {
            let entry = Entry::of(r, field);
            entry == Entry::Unknown || (entry == key && key != Entry::Nothing)
        });
        Rc::new(found.map(|(i, _)| i as u32).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::DEVICE_GROUP;
    use crate::model::Value;
    use std::borrow::Cow;

    /// One lookup reads the collection; the index finds the same records for any key: equal
    /// strings (case counts), null for an absent field, every record whose field is unknown,
    /// nothing for a list.
    #[test]
    fn a_scan_finds_what_the_index_finds() {
        let values = [
            Some(Value::Str("a".into())),
            None,
            Some(Value::Unknown),
            Some(Value::Str("A".into())),
            Some(Value::Str("a".into())),
            Some(Value::Int(1)),
            Some(Value::Null),
        ];
        let records: Vec<Record> = values
            .iter()
            .map(|v| {
                let mut r = Record::new(&DEVICE_GROUP, None);
                if let Some(v) = v {
                    r.set("name", v.clone(), None);
                }
                r
            })
            .collect();
        let field = DEVICE_GROUP.field_index("name").unwrap();
        let index = Index::build(&records, field);
        let keys = [
            (Val::Str(Cow::Borrowed("a")), vec![0, 2, 4]),
            (Val::Str(Cow::Borrowed("A")), vec![2, 3]),
            (Val::Str(Cow::Borrowed("b")), vec![2]),
            (Val::Null, vec![1, 2, 6]),
            (Val::Int(1), vec![2, 5]),
            (Val::Owned(Rc::new(Vec::new())), vec![2]),
        ];
        for (key, want) in keys {
            assert_eq!(*index.get(&key), want, "{key:?}");
            assert_eq!(*Index::scan(&records, field, &key), want, "{key:?}");
        }
    }
}
