//! Indexes for joins: `count(d in devices: d.group_id == g.id)` or
//! `for g in groups, d in devices where d.group_id == g.id` would compare every pair of records.
//! The compiler turns the source of such an iteration into a [`CExpr::Lookup`]: the records of
//! the collection whose field equals the key. The evaluator builds a hash index of the
//! collection on that field the first time a policy needs it and reuses it for every key, so a
//! join costs one pass over each collection instead of one per pair.
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
fn independent(e: &CExpr, allowed: &dyn Fn(usize) -> bool, lets: bool) -> bool {
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
            let scalar = match r.field(field).map(|f| f.value()) {
                None | Some(ValueRef::Null) => Scalar::Null,
                Some(ValueRef::Bool(b)) => Scalar::Bool(b),
                Some(ValueRef::Int(n)) => Scalar::Int(n),
                Some(ValueRef::Date(d)) => Scalar::Date(d),
                Some(ValueRef::Str(s)) => {
                    strings.entry(s).or_default().push(i);
                    continue;
                }
                Some(ValueRef::List(_) | ValueRef::Records(_)) => continue,
                Some(ValueRef::Unknown) => {
                    unknown.push(i);
                    continue;
                }
            };
            scalars.entry(scalar).or_default().push(i);
        }
        Index {
            strings: strings.into_iter().map(|(k, v)| (k, Rc::new(v))).collect(),
            scalars: scalars.into_iter().map(|(k, v)| (k, Rc::new(v))).collect(),
            unknown,
        }
    }

    /// Positions of the records whose field equals `key` (none for a list or a record).
    pub fn get(&self, key: &Val<'_>) -> Rc<Vec<u32>> {
        let found = match key {
            Val::Str(s) => self.strings.get(s.as_ref()),
            Val::Null => self.scalars.get(&Scalar::Null),
            Val::Bool(b) => self.scalars.get(&Scalar::Bool(*b)),
            Val::Int(n) => self.scalars.get(&Scalar::Int(*n)),
            Val::Date(d) => self.scalars.get(&Scalar::Date(*d)),
            _ => None,
        };
        let found = found.cloned().unwrap_or_default();
        if self.unknown.is_empty() {
            return found;
        }
        let mut all: Vec<u32> = found.iter().chain(&self.unknown).copied().collect();
        all.sort_unstable();
        Rc::new(all)
    }
}
