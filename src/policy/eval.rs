//! The evaluator: walks compiled rules over a [`TenantModel`]. Values borrow from the model
//! (no copies of strings or lists); every loop is over a finite list and every step is counted
//! against a budget, so evaluation always terminates.

use super::ast::{BinOp, QuantKind};
use super::builtins::{Builtin, Eval, Param};
use super::compile::glob_text;
use super::index::Index;
use super::ir::*;
use super::Finding;
use crate::model::schema::{Type, COLLECTIONS};
use crate::model::{Field, Loc, Record, TenantModel, Value, ValueRef};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;

/// What an unknown value read from no record stands for: a division by zero.
pub const DIVISION_BY_ZERO: &str = "a division by zero";

/// What an unknown value read from a collection the export lacks stands for (the read's entity
/// is the collection's name). Only a rule's [`super::ir::CRule::optional`] collections are ever
/// read absent: the run skips a rule that needs any other absent collection.
pub const MISSING_COLLECTION: &str = "a collection the export lacks";

/// What an unknown value of a quantifier over a collection that holds only some of the
/// tenant's records ([`crate::model::Collection::partial`]) stands for, when no record decided
/// it (the read's entity is the collection's name).
pub const PARTIAL_COLLECTION: &str = "a collection that holds only some of the tenant's records";

/// Steps one policy may take before it is cut off.
pub const DEFAULT_BUDGET: u64 = 2_000_000_000;

/// Why a policy run stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
pub enum EvalError {
    #[error("evaluation of `{policy}` exceeded its budget of {budget} step{}", if *budget == 1 { "" } else { "s" })]
    #[diagnostic(
        code(dexlint::budget),
        help("the policy does too much work for this export: narrow its `where` filters (conditions on outer bindings first), avoid nested iteration over large collections, or raise `eval-budget` in dexlint.toml")
    )]
    /// The policy (`policy`: its id) took more than `budget` evaluation steps.
    Budget {
        /// The policy's id.
        policy: String,
        /// The budget, in steps.
        budget: u64,
    },
    #[error("parameter `{param}` of `{policy}` must be `{ty}`, found `{found}`")]
    #[diagnostic(code(dexlint::param))]
    /// A configured parameter value (`found`, as JSON) does not have the parameter's type `ty`.
    ParamType {
        /// The policy's id.
        policy: String,
        /// The parameter's name.
        param: String,
        /// The parameter's type, as written in the language.
        ty: String,
        /// The configured value, as JSON.
        found: String,
    },
    #[error("`{policy}`: invalid glob `{glob}` in a parameter: {reason}")]
    #[diagnostic(code(dexlint::glob))]
    /// A parameter used as a glob (`matches(x, param)`) whose value is not a valid glob.
    BadGlob {
        /// The policy's id.
        policy: String,
        /// The pattern.
        glob: String,
        /// What globset found wrong with it.
        reason: String,
    },
    #[error("`{policy}` has no parameter `{param}`")]
    #[diagnostic(code(dexlint::param))]
    /// The configuration names a parameter `param` that the policy `policy` does not declare.
    UnknownParam {
        /// The policy's id.
        policy: String,
        /// The configured parameter's name.
        param: String,
    },
}

/// A runtime value, borrowing from the model and the compiled policy.
#[derive(Debug, Clone)]
pub enum Val<'e> {
    /// Absent data, or `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string, borrowed when it comes from the model or the policy.
    Str(Cow<'e, str>),
    /// A date and time: milliseconds since 1970-01-01T00:00:00Z.
    Date(i64),
    /// A list of model or constant values.
    Values(&'e [Value]),
    /// A collection, or a list of records (with the location its records' relative locations
    /// count from: [`crate::model::Records::base`]).
    Records(&'e [Record], Option<Loc>),
    /// Some records of a collection, by position (the result of an index lookup).
    Picked(&'e [Record], Rc<Vec<u32>>),
    /// A list built by the policy (`[a, b]` with non-constant items).
    Owned(Rc<Vec<Val<'e>>>),
    /// One record of a collection or of a list (with the list's location, as for
    /// [`Val::Records`]).
    Record(&'e Record, Option<Loc>),
    /// A value the export cannot tell ([`Value::Unknown`]), and whatever depends on it:
    /// `unknown == "active"` is unknown, `false and unknown` is false, `any` is true when one
    /// element is true whatever the unknown ones are (three-valued, Kleene logic).
    Unknown,
    /// A `count` that unknown elements leave unknown but bounded: at least the elements known
    /// to count, at most those plus the unknown ones (None: no upper bound, the list holds
    /// only some of its elements). A comparison with an integer that every count in the range
    /// decides alike is decided (`at least 3 > 2`); anything else reads it as
    /// [`Val::Unknown`] (see [`Evaluator::eval`]); a message writes the range.
    Between(i64, Option<i64>),
}

impl<'e> Val<'e> {
    /// The runtime form of a model or constant value (no copy).
    pub fn from_value(v: &'e Value) -> Val<'e> {
        Val::from_ref(v.as_ref())
    }

    /// The runtime form of a field of a record of a list found at `base` (no copy).
    pub fn from_field(f: &'e Field, base: Option<Loc>) -> Val<'e> {
        Val::from_ref(f.value_in(base))
    }

    fn from_ref(v: ValueRef<'e>) -> Val<'e> {
        match v {
            ValueRef::Null => Val::Null,
            ValueRef::Bool(b) => Val::Bool(b),
            ValueRef::Int(i) => Val::Int(i),
            ValueRef::Str(s) => Val::Str(Cow::Borrowed(s)),
            ValueRef::Date(d) => Val::Date(d),
            ValueRef::List(l) => Val::Values(l),
            ValueRef::Records(l) => Val::Records(l.items(), l.base()),
            ValueRef::Unknown => Val::Unknown,
        }
    }

    fn truthy(&self) -> bool {
        matches!(self, Val::Bool(true))
    }

    /// The condition's truth: None when it is unknown.
    fn truth(&self) -> Option<bool> {
        match self {
            Val::Unknown | Val::Between(..) => None,
            v => Some(v.truthy()),
        }
    }

    fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown | Val::Between(..))
    }

    /// The number of elements of a list; None for any other value.
    pub fn count(&self) -> Option<usize> {
        match self {
            Val::Values(l) => Some(l.len()),
            Val::Records(l, _) => Some(l.len()),
            Val::Picked(_, p) => Some(p.len()),
            Val::Owned(l) => Some(l.len()),
            _ => None,
        }
    }

    /// The `i`th element of a list (null past its end or for any other value).
    pub fn get(&self, i: usize) -> Val<'e> {
        match self {
            Val::Values(l) => l.get(i).map_or(Val::Null, Val::from_value),
            Val::Records(l, base) => l.get(i).map_or(Val::Null, |r| Val::Record(r, *base)),
            Val::Picked(l, p) => p
                .get(i)
                .and_then(|&j| l.get(j as usize))
                .map_or(Val::Null, |r| Val::Record(r, None)),
            Val::Owned(l) => l.get(i).cloned().unwrap_or(Val::Null),
            _ => Val::Null,
        }
    }

    fn equals(&self, other: &Val<'_>) -> bool {
        match (self, other) {
            (Val::Null, Val::Null) => true,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Int(a), Val::Int(b)) | (Val::Date(a), Val::Date(b)) => a == b,
            (Val::Str(a), Val::Str(b)) => a == b,
            // One record: lists that several records share are one list in each.
            (Val::Record(a, at), Val::Record(b, bt)) => std::ptr::eq(*a, *b) && at == bt,
            _ => false,
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Val::Null => out.push_str("null"),
            Val::Unknown => out.push_str("unknown"),
            Val::Between(lo, None) => {
                let _ = write!(out, "at least {lo}");
            }
            Val::Between(lo, Some(hi)) => {
                let _ = write!(out, "{lo} to {hi}");
            }
            Val::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Val::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Val::Str(s) => out.push_str(s),
            Val::Date(ms) => out.push_str(&crate::base::dates::iso(*ms)),
            Val::Record(r, _) => out.push_str(r.identity().unwrap_or(r.schema().name)),
            list => {
                out.push('[');
                for i in 0..list.count().unwrap_or(0) {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    list.get(i).write(out);
                }
                out.push(']');
            }
        }
    }
}

/// Evaluation state of one policy run.
pub(super) struct Evaluator<'e> {
    pub model: &'e TenantModel,
    pub lets: &'e [CLet],
    pub frame: Vec<Option<Val<'e>>>,
    pub steps: u64,
    pub budget: u64,
    pub policy: &'e str,
    /// Lookups made so far, by collection and field: the index once built (None: one key was
    /// looked up, by reading the collection; the next lookup builds the index).
    pub indexes: HashMap<(usize, usize), Option<Rc<Index<'e>>>>,
    /// Identities of the first binding's records that the current rule passes over (their
    /// data is incomplete: see `model::Gap`).
    pub skip: Vec<String>,
    /// The unknown values read by the current rule: the identity of the record and the field.
    pub unknowns: Vec<(Option<String>, &'static str)>,
    /// The unknown values each `let` (by its index in `lets`) read when it was last computed:
    /// read again with its cached value.
    pub let_reads: Vec<Vec<(Option<String>, &'static str)>>,
    /// What the current rule could not decide: the whole rule (entity None) or one record of
    /// its first binding (`collection/identity`), with the unknown values it read.
    pub undecided: Vec<Undecided>,
    /// The run's date (`today()`): midnight UTC, in milliseconds since the Unix epoch.
    pub today: i64,
    /// The globs of parameters used by `matches`, by slot, compiled on first use.
    pub param_globs: HashMap<usize, Rc<globset::GlobSet>>,
    /// A collection the export lacks reads as empty (the policy states its `requires`), not
    /// as unknown.
    pub absent_empty: bool,
    /// The lists of records the export holds only some elements of (see
    /// [`crate::model::Gap::in_value`]: a group's members cut off by `$expand`, or without
    /// their last pages), by the address of their first element: the unknown value each
    /// stands for, read when the list decides nothing. Made on first use.
    pub partial_lists: Option<PartialLists>,
    /// The results of closed quantifiers (see [`CExpr::Quant`]'s `closed`) by the quantifier's
    /// address and its list of records' (address and length): the model does not change
    /// while a policy runs, so one list gives one result.
    pub quantified: foldhash::HashMap<(usize, usize, usize), Val<'e>>,
}

/// See [`Evaluator::partial_lists`].
pub(super) type PartialLists = HashMap<usize, (Option<String>, &'static str)>;

/// The lists of records of `model` that hold only some of their elements: the fields of lists
/// of records that a gap in the value names (see [`crate::model::Gap::in_value`]) and that
/// hold records (an empty one is [`Value::Unknown`]).
fn partial_lists(model: &TenantModel) -> PartialLists {
    let mut out = PartialLists::new();
    for (c, schema) in model.collections.iter().zip(COLLECTIONS) {
        let mut named: HashMap<&str, Vec<usize>> = HashMap::new();
        for gap in c.gaps.iter().filter(|g| g.in_value) {
            let (Some(entity), Some(i)) = (
                gap.entity.as_deref(),
                gap.field.and_then(|f| schema.record.field_index(f)),
            ) else {
                continue;
            };
            let list = schema.record.fields.get(i).map(|f| f.ty);
            if matches!(list, Some(Type::List(Type::Record(_)))) {
                named.entry(entity).or_default().push(i);
            }
        }
        if named.is_empty() {
            continue;
        }
        for r in &c.records {
            let Some((id, fields)) = r.identity().and_then(|id| Some((id, named.get(id)?))) else {
                continue;
            };
            for &i in fields {
                let Some(ValueRef::Records(l)) = r.field(i).map(|f| f.value()) else {
                    continue;
                };
                let name = schema.record.fields.get(i).map_or("", |f| f.name);
                if let Some(first) = l.items().first() {
                    out.insert(
                        std::ptr::from_ref(first) as usize,
                        (Some(id.to_string()), name),
                    );
                }
            }
        }
    }
    out
}

/// What the early conditions of a `for` binding (see [`CRuleKind::For`]) said of its record.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Early {
    /// Not checked yet.
    Unchecked,
    /// All held.
    Held,
    /// One could not be told (unknown): no further check on this path, the filter decides.
    Untold,
}

/// A rule, or one record of a rule's iteration, whose outcome depends on unknown values.
#[derive(Debug, Clone, PartialEq)]
pub struct Undecided {
    /// `collection/identity` of the first binding's record; None: the whole rule.
    pub entity: Option<String>,
    /// The unknown values it read: the identity of their record and the field.
    pub read: Vec<(Option<String>, &'static str)>,
}

type R<T> = Result<T, EvalError>;

impl<'e> Evaluator<'e> {
    fn tick(&mut self, n: u64) -> R<()> {
        self.steps += n;
        if self.steps > self.budget {
            return Err(EvalError::Budget {
                policy: self.policy.to_string(),
                budget: self.budget,
            });
        }
        Ok(())
    }

    /// The glob set of the parameter in `slot` (a string or a list of strings).
    fn param_glob(&mut self, slot: usize) -> R<Rc<globset::GlobSet>> {
        if let Some(g) = self.param_globs.get(&slot) {
            return Ok(g.clone());
        }
        let value = self.frame.get(slot).cloned().flatten().unwrap_or(Val::Null);
        let patterns: Vec<String> = match &value {
            Val::Str(s) => vec![s.to_string()],
            list => (0..list.count().unwrap_or(0))
                .filter_map(|i| match list.get(i) {
                    Val::Str(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect(),
        };
        let set =
            super::compile::glob_set(&patterns).map_err(|(glob, reason)| EvalError::BadGlob {
                policy: self.policy.to_string(),
                glob,
                reason,
            })?;
        let set = Rc::new(set);
        self.param_globs.insert(slot, set.clone());
        Ok(set)
    }

    fn set(&mut self, slot: usize, v: Option<Val<'e>>) {
        if let Some(s) = self.frame.get_mut(slot) {
            *s = v;
        }
    }

    /// The value of `e`; a bounded count ([`Val::Between`]) reads as [`Val::Unknown`].
    pub fn eval(&mut self, e: &'e CExpr) -> R<Val<'e>> {
        Ok(match self.eval_bounded(e)? {
            Val::Between(..) => Val::Unknown,
            v => v,
        })
    }

    /// The value of `e`, a bounded count kept as such: for comparisons, `let`s and messages.
    fn eval_bounded(&mut self, e: &'e CExpr) -> R<Val<'e>> {
        self.tick(1)?;
        Ok(match e {
            CExpr::Const(v) => Val::from_value(v),
            CExpr::Slot(s) => self.frame.get(*s).cloned().flatten().unwrap_or(Val::Null),
            CExpr::Let(i) => {
                let Some(l) = self.lets.get(*i) else {
                    return Ok(Val::Null);
                };
                if let Some(Some(v)) = self.frame.get(l.slot) {
                    // Read again: so are the unknown values it read.
                    let v = v.clone();
                    if let Some(read) = self.let_reads.get(*i) {
                        self.unknowns.extend_from_slice(read);
                    }
                    return Ok(v);
                }
                let before = self.unknowns.len();
                let v = self.eval_bounded(&l.value)?;
                let read = self.unknowns.get(before..).unwrap_or_default().to_vec();
                if let Some(slot) = self.let_reads.get_mut(*i) {
                    *slot = read;
                }
                self.set(l.slot, Some(v.clone()));
                v
            }
            CExpr::CallDef(def, args) => {
                let mut frame = vec![None; def.slots];
                for (slot, a) in frame.iter_mut().zip(args) {
                    *slot = Some(self.eval(a)?);
                }
                let saved = std::mem::replace(&mut self.frame, frame);
                let result = self.eval(&def.body);
                self.frame = saved;
                result?
            }
            CExpr::Collection(i) => match self.model.collections.get(*i) {
                Some(c) if !c.present && !self.absent_empty => self.missing(*i),
                Some(c) => Val::Records(&c.records, None),
                None => Val::Null,
            },
            CExpr::Lookup {
                collection,
                field,
                key,
            } => {
                let key = self.eval(key)?;
                let Some(c) = self.model.collections.get(*collection) else {
                    return Ok(Val::Null);
                };
                if !c.present && !self.absent_empty {
                    return Ok(self.missing(*collection));
                }
                let records = &c.records;
                let picked = match self.indexes.get(&(*collection, *field)) {
                    Some(Some(index)) => index.get(&key),
                    Some(None) => {
                        self.tick(records.len() as u64)?;
                        let index = Rc::new(Index::build(records, *field));
                        self.indexes
                            .insert((*collection, *field), Some(index.clone()));
                        index.get(&key)
                    }
                    None => {
                        self.tick(records.len() as u64)?;
                        self.indexes.insert((*collection, *field), None);
                        Index::scan(records, *field, &key)
                    }
                };
                Val::Picked(records, picked)
            }
            CExpr::Field(base, i) => match self.eval(base)? {
                Val::Record(r, base) => match r.field(*i) {
                    Some(f) if f.is_unknown() => {
                        let name = r.schema().fields.get(*i).map_or("", |f| f.name);
                        self.unknowns.push((r.identity().map(str::to_string), name));
                        Val::Unknown
                    }
                    f => f.map_or(Val::Null, |f| Val::from_field(f, base)),
                },
                Val::Unknown => Val::Unknown,
                _ => Val::Null,
            },
            CExpr::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval(item)?);
                }
                Val::Owned(Rc::new(out))
            }
            CExpr::MatchesParam(subject, slot) => {
                let glob = self.param_glob(*slot)?;
                match self.eval(subject)? {
                    Val::Str(s) => Val::Bool(glob.is_match(glob_text(s.as_ref()).as_ref())),
                    Val::Unknown => Val::Unknown,
                    _ => Val::Bool(false),
                }
            }
            CExpr::Matches(subject, glob) => match self.eval(subject)? {
                Val::Str(s) => Val::Bool(glob.is_match(glob_text(s.as_ref()).as_ref())),
                Val::Unknown => Val::Unknown,
                _ => Val::Bool(false),
            },
            CExpr::Call(f, args) => self.call(f, args)?,
            CExpr::Quant {
                kind,
                slot,
                source,
                filter,
                body,
                closed,
            } => {
                let memo = closed.then_some(e as *const CExpr as usize);
                self.quantifier(
                    (*kind, *slot, memo),
                    source,
                    filter.as_deref(),
                    body.as_deref(),
                )?
            }
            CExpr::Not(inner) => match self.eval(inner)?.truth() {
                Some(t) => Val::Bool(!t),
                None => Val::Unknown,
            },
            CExpr::Neg(inner) => match self.eval(inner)? {
                Val::Int(i) => Val::Int(i.wrapping_neg()),
                Val::Unknown => Val::Unknown,
                _ => Val::Null,
            },
            CExpr::Binary(op, l, r) => self.binary(*op, l, r)?,
            CExpr::Interp(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        CPart::Text(t) => out.push_str(t),
                        CPart::Expr(e) => self.eval(e)?.write(&mut out),
                    }
                }
                Val::Str(Cow::Owned(out))
            }
        })
    }

    fn call(&mut self, f: &'static Builtin, args: &'e [CExpr]) -> R<Val<'e>> {
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a)?);
        }
        if vals.iter().any(Val::is_unknown) {
            return Ok(Val::Unknown);
        }
        // The size of a list that holds only some of its elements is unknown.
        for (p, v) in f.params.iter().zip(&vals) {
            if matches!(p, Param::StrOrList) {
                if let Some(read) = self.partial_list(v) {
                    self.unknowns.push(read);
                    return Ok(Val::Unknown);
                }
            }
        }
        Ok(match f.eval {
            Eval::Values(run) => run(vals),
            Eval::Today => Val::Date(self.today),
            // Compiled to `CExpr::Matches`: never called with values.
            Eval::Glob => Val::Null,
        })
    }

    /// The unknown value a list of records stands for when it holds only some of its
    /// elements (see [`Evaluator::partial_lists`]): the identity of its record and the field.
    /// Why the elements of a quantifier's list may not be all there are, as an unknown value
    /// read: a collection over some of the tenant's records only (the others might decide
    /// what those there do not), or a list that holds only some of its elements.
    fn partial_read(
        &mut self,
        source: &CExpr,
        list: &Val<'e>,
    ) -> Option<(Option<String>, &'static str)> {
        if let CExpr::Collection(c) | CExpr::Lookup { collection: c, .. } = source {
            if self
                .model
                .collections
                .get(*c)
                .is_some_and(|c| c.records_unlisted().is_some())
            {
                let name = COLLECTIONS.get(*c).map_or("?", |c| c.name);
                return Some((Some(name.to_string()), PARTIAL_COLLECTION));
            }
        }
        self.partial_list(list)
    }

    fn partial_list(&mut self, list: &Val<'e>) -> Option<(Option<String>, &'static str)> {
        let Val::Records(items, _) = list else {
            return None;
        };
        let first = items.first()?;
        let model = self.model;
        let lists = self
            .partial_lists
            .get_or_insert_with(|| partial_lists(model));
        if lists.is_empty() {
            return None;
        }
        lists.get(&(std::ptr::from_ref(first) as usize)).cloned()
    }

    /// The unknown value of a collection the export lacks, its read recorded.
    fn missing(&mut self, collection: usize) -> Val<'e> {
        let name = COLLECTIONS.get(collection).map_or("?", |c| c.name);
        self.unknowns
            .push((Some(name.to_string()), MISSING_COLLECTION));
        Val::Unknown
    }

    /// A quantifier: `memo` is the address of a [`CExpr::Quant`] that is `closed`, whose
    /// result over a list of records is remembered in [`Evaluator::quantified`] when it read no
    /// unknown value (a hit then reads none either: the same bytes out).
    fn quantifier(
        &mut self,
        (kind, slot, memo): (QuantKind, usize, Option<usize>),
        source: &'e CExpr,
        filter: Option<&'e CExpr>,
        body: Option<&'e CExpr>,
    ) -> R<Val<'e>> {
        let list = self.eval(source)?;
        let key = match (memo, &list) {
            (Some(q), Val::Records(r, _)) if !r.is_empty() => {
                Some((q, r.as_ptr() as usize, r.len()))
            }
            _ => None,
        };
        let Some(key) = key else {
            return self.quantify(kind, slot, source, filter, body, list);
        };
        if let Some(v) = self.quantified.get(&key) {
            return Ok(v.clone());
        }
        let before = self.unknowns.len();
        let v = self.quantify(kind, slot, source, filter, body, list)?;
        if self.unknowns.len() == before && matches!(v, Val::Bool(_) | Val::Int(_)) {
            self.quantified.insert(key, v.clone());
        }
        Ok(v)
    }

    fn quantify(
        &mut self,
        kind: QuantKind,
        slot: usize,
        source: &'e CExpr,
        filter: Option<&'e CExpr>,
        body: Option<&'e CExpr>,
        list: Val<'e>,
    ) -> R<Val<'e>> {
        if list.is_unknown() {
            return Ok(Val::Unknown);
        }
        let n = list.count().unwrap_or(0);
        let (mut count, mut sum) = (0i64, 0i64);
        // Elements whose filter or condition is unknown: `any` and `all` may still be
        // decided by another element; otherwise the result is unknown (a count, bounded).
        let mut undecided = 0i64;
        for i in 0..n {
            self.tick(1)?;
            self.set(slot, Some(list.get(i)));
            if let Some(f) = filter {
                match self.eval(f)?.truth() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => {
                        undecided += 1;
                        continue;
                    }
                }
            }
            match kind {
                QuantKind::Sum => {
                    if let Some(b) = body {
                        match self.eval(b)? {
                            Val::Int(x) => sum = sum.saturating_add(x),
                            Val::Unknown => undecided += 1,
                            _ => {}
                        }
                    }
                }
                _ => {
                    let hit = match body {
                        Some(b) => self.eval(b)?.truth(),
                        None => Some(true),
                    };
                    match (kind, hit) {
                        (QuantKind::Any, Some(true)) => return Ok(Val::Bool(true)),
                        (QuantKind::All, Some(false)) => return Ok(Val::Bool(false)),
                        (QuantKind::Count, Some(true)) => count += 1,
                        (_, None) => undecided += 1,
                        _ => {}
                    }
                }
            }
        }
        let count_only = kind == QuantKind::Count;
        if undecided > 0 {
            // A count is at least what the known elements give, and at most that plus the
            // unknown ones, if the list holds all its elements.
            if !count_only {
                return Ok(Val::Unknown);
            }
            let whole = self.partial_read(source, &list).is_none();
            return Ok(Val::Between(
                count,
                whole.then_some(count.saturating_add(undecided)),
            ));
        }
        if let Some(read) = self.partial_read(source, &list) {
            self.unknowns.push(read);
            return Ok(if count_only {
                Val::Between(count, None)
            } else {
                Val::Unknown
            });
        }
        Ok(match kind {
            QuantKind::Any => Val::Bool(false),
            QuantKind::All => Val::Bool(true),
            QuantKind::Count => Val::Int(count),
            QuantKind::Sum => Val::Int(sum),
        })
    }

    fn binary(&mut self, op: BinOp, l: &'e CExpr, r: &'e CExpr) -> R<Val<'e>> {
        match op {
            BinOp::And | BinOp::Or => {
                // The value that decides the result alone: false for `and`, true for `or`.
                let decisive = op == BinOp::Or;
                let a = self.eval(l)?.truth();
                if a == Some(decisive) {
                    return Ok(Val::Bool(decisive));
                }
                let b = self.eval(r)?.truth();
                return Ok(match (a, b) {
                    (_, Some(x)) if x == decisive => Val::Bool(decisive),
                    (Some(_), Some(_)) => Val::Bool(!decisive),
                    _ => Val::Unknown,
                });
            }
            _ => {}
        }
        let comparison = matches!(
            op,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        );
        let (a, b) = if comparison {
            (self.eval_bounded(l)?, self.eval_bounded(r)?)
        } else {
            (self.eval(l)?, self.eval(r)?)
        };
        if let Some(decided) = bounded_comparison(op, &a, &b) {
            return Ok(decided);
        }
        if a.is_unknown() || b.is_unknown() {
            return Ok(Val::Unknown);
        }
        Ok(match op {
            BinOp::Eq => Val::Bool(a.equals(&b)),
            BinOp::Ne => Val::Bool(!a.equals(&b)),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ord = match (&a, &b) {
                    (Val::Int(x), Val::Int(y)) | (Val::Date(x), Val::Date(y)) => Some(x.cmp(y)),
                    (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
                    _ => None,
                };
                Val::Bool(ord.is_some_and(|o| match op {
                    BinOp::Lt => o.is_lt(),
                    BinOp::Le => o.is_le(),
                    BinOp::Gt => o.is_gt(),
                    _ => o.is_ge(),
                }))
            }
            BinOp::In | BinOp::NotIn => {
                let n = b.count().unwrap_or(0);
                let found = !matches!(a, Val::Null) && (0..n).any(|i| b.get(i).equals(&a));
                self.tick(n as u64)?;
                if !found && (0..n).any(|i| b.get(i).is_unknown()) {
                    return Ok(Val::Unknown);
                }
                Val::Bool(found == (op == BinOp::In))
            }
            BinOp::Add => match (a, b) {
                (Val::Int(x), Val::Int(y)) => Val::Int(x.saturating_add(y)),
                (Val::Str(x), Val::Str(y)) => Val::Str(Cow::Owned(format!("{x}{y}"))),
                _ => Val::Null,
            },
            BinOp::Sub => match (a, b) {
                (Val::Int(x), Val::Int(y)) => Val::Int(x.saturating_sub(y)),
                _ => Val::Null,
            },
            BinOp::Mul => match (a, b) {
                (Val::Int(x), Val::Int(y)) => Val::Int(x.saturating_mul(y)),
                _ => Val::Null,
            },
            BinOp::Div | BinOp::Rem => match (a, b) {
                // Division by zero decides nothing: the rule (or entity) is not evaluated.
                (Val::Int(_), Val::Int(0)) => {
                    self.unknowns.push((None, DIVISION_BY_ZERO));
                    Val::Unknown
                }
                (Val::Int(x), Val::Int(y)) if op == BinOp::Div => {
                    x.checked_div(y).map_or(Val::Null, Val::Int)
                }
                (Val::Int(x), Val::Int(y)) => x.checked_rem(y).map_or(Val::Null, Val::Int),
                _ => Val::Null,
            },
            BinOp::And | BinOp::Or => Val::Null,
        })
    }

    fn target(&mut self, t: &'e CTarget) -> R<Option<Loc>> {
        Ok(match t {
            CTarget::None => None,
            CTarget::Record(e) => match self.eval(e)? {
                Val::Record(r, base) => r.loc_in(base),
                _ => None,
            },
            CTarget::Field(e, i) => match self.eval(e)? {
                Val::Record(r, base) => r.field(*i).and_then(|f| f.loc_in(base)).or(r.loc_in(base)),
                _ => None,
            },
            CTarget::Collection(i) => self.model.collections.get(*i).and_then(|c| c.origin),
        })
    }

    fn finding(&mut self, rule: &'e CRule, index: usize, entity: Option<String>) -> R<Finding> {
        let mut message = String::new();
        let mut message_values = Vec::new();
        self.interpolate(&rule.message, &mut message, &mut message_values)?;
        let (mut help, mut help_values) = (None, Vec::new());
        if let Some(h) = &rule.help {
            let mut text = String::new();
            self.interpolate(h, &mut text, &mut help_values)?;
            help = Some(text);
        }
        let mut related = Vec::new();
        for t in &rule.also {
            related.extend(self.target(t)?);
        }
        Ok(Finding {
            message,
            help,
            loc: self.target(&rule.target)?,
            related,
            entity,
            rule: index,
            message_values,
            help_values,
        })
    }

    /// Writes a message, noting the byte range of each value interpolated into it (the
    /// policy's own words are not values).
    fn interpolate(
        &mut self,
        e: &'e CExpr,
        out: &mut String,
        values: &mut Vec<std::ops::Range<usize>>,
    ) -> R<()> {
        match e {
            CExpr::Interp(parts) => {
                for p in parts {
                    match p {
                        CPart::Text(t) => out.push_str(t),
                        CPart::Expr(e) => {
                            let start = out.len();
                            self.eval_bounded(e)?.write(out);
                            crate::base::visible::escape_invisible(out, start);
                            values.push(start..out.len());
                        }
                    }
                }
            }
            CExpr::Const(_) => self.eval(e)?.write(out),
            e => {
                let start = out.len();
                self.eval_bounded(e)?.write(out);
                crate::base::visible::escape_invisible(out, start);
                values.push(start..out.len());
            }
        }
        Ok(())
    }

    /// Runs one rule, appending its findings.
    pub fn rule(&mut self, rule: &'e CRule, index: usize, out: &mut Vec<Finding>) -> R<()> {
        for s in rule.outer_lets.iter().chain(&rule.inner_lets) {
            self.set(*s, None);
        }
        self.unknowns.clear();
        match &rule.kind {
            CRuleKind::Assert { cond } => match self.eval(cond)?.truth() {
                Some(true) => {}
                Some(false) => out.push(self.finding(rule, index, None)?),
                None => self.undecided(None, (0, 0)),
            },
            CRuleKind::For {
                bindings,
                filter,
                early,
            } => self.bind(rule, index, bindings, (filter.as_ref(), early), out)?,
        }
        Ok(())
    }

    /// Iterates the bindings (an explicit stack of list positions: no recursion), passing over
    /// the combinations that the `early` conditions rule out (see [`CRuleKind::For`]).
    ///
    /// The early conditions of a binding are checked when the first whole combination with
    /// its record is reached, before the filter: a record with no combination costs no check,
    /// and one with some costs one more evaluation of them than the filter makes anyway.
    fn bind(
        &mut self,
        rule: &'e CRule,
        index: usize,
        bindings: &'e [(usize, CExpr)],
        (filter, early): (Option<&'e CExpr>, &'e [(usize, CExpr)]),
        out: &mut Vec<Finding>,
    ) -> R<()> {
        let mut lists: Vec<Val<'e>> = Vec::with_capacity(bindings.len());
        let mut pos: Vec<usize> = Vec::with_capacity(bindings.len());
        // For each list, when it holds only some of its elements (see
        // [`Evaluator::partial_lists`]): the findings made before it, and the unknown value it
        // stands for.
        type Partial = Option<(usize, (Option<String>, &'static str))>;
        let mut partial: Vec<Partial> = Vec::with_capacity(bindings.len());
        // For each binding before the last, what its early conditions said of its record.
        let mut held: Vec<Early> = vec![Early::Unchecked; bindings.len().saturating_sub(1)];
        // Unknown values read since the first binding's record was set: what its reason
        // lists when the combination that left it undecided read none itself.
        let mut entity_reads = 0;
        let Some((_, first)) = bindings.first() else {
            return Ok(());
        };
        lists.push(self.eval(first)?);
        pos.push(0);
        partial.push(None);
        'combinations: while let (Some(list), Some(&p)) = (lists.last(), pos.last()) {
            let depth = lists.len() - 1;
            if p >= list.count().unwrap_or(0) {
                lists.pop();
                pos.pop();
                // A list that holds only some of its elements and gave no finding: the records
                // it was read for are undecided (its other elements might), unless an early
                // condition rules them out.
                if let (Some(Some((before, read))), Some(outer)) =
                    (partial.pop(), depth.checked_sub(1))
                {
                    if out.len() == before && !self.ruled_out(early, outer)? {
                        self.unknowns.push(read);
                        let since = self.unknowns.len() - 1;
                        self.undecided(self.first_identity(bindings), (since, entity_reads));
                    }
                }
                if let Some(last) = pos.last_mut() {
                    *last += 1;
                }
                continue;
            }
            self.tick(1)?;
            let item = list.get(p);
            let read_before = self.unknowns.len();
            if depth == 0 {
                entity_reads = read_before;
                if !self.skip.is_empty() {
                    if let Val::Record(r, _) = &item {
                        if r.identity()
                            .is_some_and(|id| self.skip.iter().any(|s| s.eq_ignore_ascii_case(id)))
                        {
                            if let Some(last) = pos.last_mut() {
                                *last += 1;
                            }
                            continue;
                        }
                    }
                }
            }
            let Some((slot, _)) = bindings.get(depth) else {
                break;
            };
            self.set(*slot, Some(item));
            if let Some(h) = held.get_mut(depth..) {
                h.fill(Early::Unchecked);
            }
            if let Some((_, next)) = bindings.get(depth + 1) {
                let l = self.eval(next)?;
                // An unknown list leaves the record undecided, unless an early condition of
                // this binding or an outer one rules the record out (a group whose members
                // are unknown, not one of those the rule is about).
                if l.is_unknown() && !self.ruled_out(early, depth)? {
                    // What the early conditions could not tell is needed too (a group whose
                    // name and members are both unknown): no filter reads it again.
                    self.read_early(early, depth)?;
                    self.undecided(self.first_identity(bindings), (read_before, entity_reads));
                }
                partial.push(self.partial_list(&l).map(|read| (out.len(), read)));
                lists.push(l);
                pos.push(0);
                continue;
            }
            // The early conditions not checked yet on this path, outermost first.
            for k in (0..held.len()).filter(|_| !early.is_empty()) {
                match held.get(k) {
                    Some(Early::Held) => continue,
                    Some(Early::Untold) | None => break,
                    Some(Early::Unchecked) => {}
                }
                let said = match self.early(early, k)? {
                    Some(false) => {
                        // Ruled out: every combination with this record fails the filter.
                        lists.truncate(k + 1);
                        pos.truncate(k + 1);
                        partial.truncate(k + 1);
                        if let Some(last) = pos.last_mut() {
                            *last += 1;
                        }
                        continue 'combinations;
                    }
                    Some(true) => Early::Held,
                    None => Early::Untold,
                };
                if let Some(h) = held.get_mut(k) {
                    *h = said;
                }
                if said == Early::Untold {
                    break;
                }
            }
            for s in &rule.inner_lets {
                self.set(*s, None);
            }
            let keep = match filter {
                Some(f) => self.eval(f)?.truth(),
                None => Some(true),
            };
            match keep {
                Some(true) => {
                    let entity = self.entity(bindings);
                    out.push(self.finding(rule, index, entity)?);
                }
                Some(false) => {}
                None => self.undecided(self.first_identity(bindings), (read_before, entity_reads)),
            }
            if let Some(last) = pos.last_mut() {
                *last += 1;
            }
        }
        Ok(())
    }

    /// Checks the early conditions of the binding at `depth` (see [`CRuleKind::For`]), in
    /// order: Some(false) when one is false, Some(true) when all hold, None when one is unknown
    /// or reads an unknown value (the filter decides then, as if nothing had been checked).
    /// A check leaves no unknown value read behind: the filter reads them again.
    fn early(&mut self, early: &'e [(usize, CExpr)], depth: usize) -> R<Option<bool>> {
        for (_, c) in early.iter().filter(|(at, _)| *at == depth) {
            let before = self.unknowns.len();
            let truth = self.eval(c)?.truth();
            let read_unknown = self.unknowns.len() > before;
            self.unknowns.truncate(before);
            match (truth, read_unknown) {
                (Some(false), false) => return Ok(Some(false)),
                (Some(true), false) => {}
                _ => return Ok(None),
            }
        }
        Ok(Some(true))
    }

    /// Whether an early condition of the bindings up to `depth` is false on their records (see
    /// [`Evaluator::early`]).
    fn ruled_out(&mut self, early: &'e [(usize, CExpr)], depth: usize) -> R<bool> {
        for k in 0..=depth {
            if self.early(early, k)? == Some(false) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Evaluates the early conditions of the bindings up to `depth` for the unknown values they
    /// read, which stay recorded (unlike [`Evaluator::early`]): what a record left undecided
    /// before its filter ran needs as well.
    fn read_early(&mut self, early: &'e [(usize, CExpr)], depth: usize) -> R<()> {
        for (_, c) in early.iter().filter(|(at, _)| *at <= depth) {
            self.eval(c)?;
        }
        Ok(())
    }

    /// Notes that the rule (entity None) or one record could not be decided, with the unknown
    /// values read since `since`: the combination's, else (when it read none itself: an
    /// unknown element of a list read for an outer binding) those read since the record's
    /// iteration began, never another record's.
    fn undecided(&mut self, entity: Option<String>, (since, entity_since): (usize, usize)) {
        let read = [since, entity_since]
            .iter()
            .filter_map(|&s| self.unknowns.get(s..))
            .find(|r| !r.is_empty())
            .unwrap_or_default()
            .to_vec();
        if !self.undecided.iter().any(|u| u.entity == entity) {
            self.undecided.push(Undecided { entity, read });
        }
    }

    /// The first binding's record and what it is iterated from: its collection's name, else
    /// its record type's.
    fn first_record(&self, bindings: &[(usize, CExpr)]) -> Option<(&'static str, &'e Record)> {
        let (slot, source) = bindings.first()?;
        let Some(Some(Val::Record(r, _))) = self.frame.get(*slot) else {
            return None;
        };
        let kind = match source {
            CExpr::Collection(i) | CExpr::Lookup { collection: i, .. } => {
                COLLECTIONS.get(*i).map_or(r.schema().name, |c| c.name)
            }
            _ => r.schema().name,
        };
        Some((kind, r))
    }

    /// `collection/identity` of the first binding's record (as a finding's entity begins);
    /// None when it has no identity.
    fn first_identity(&self, bindings: &[(usize, CExpr)]) -> Option<String> {
        let (kind, r) = self.first_record(bindings)?;
        Some(crate::model::entity_name(kind, r.identity()?))
    }

    /// `collection/identity` of the first binding's record, followed by `/field/identity` for
    /// each further binding over a field of a record bound before it (a group's member:
    /// `groups/<gid>/members/<mid>`), so that findings about two members differ.
    fn entity(&self, bindings: &[(usize, CExpr)]) -> Option<String> {
        let (kind, r) = self.first_record(bindings)?;
        let mut entity = crate::model::entity_name(kind, r.identity().unwrap_or("?"));
        for (slot, source) in bindings.iter().skip(1) {
            let (Some(Some(Val::Record(inner, _))), CExpr::Field(parent, field)) =
                (self.frame.get(*slot), source)
            else {
                continue;
            };
            let CExpr::Slot(parent) = parent.as_ref() else {
                continue;
            };
            let Some(Some(Val::Record(outer, _))) = self.frame.get(*parent) else {
                continue;
            };
            let Some(name) = outer.schema().fields.get(*field).map(|f| f.name) else {
                continue;
            };
            let Some(id) = inner.identity() else {
                continue;
            };
            let _ = write!(entity, "/{name}/{id}");
        }
        Some(entity)
    }
}

/// A comparison of a bounded count ([`Val::Between`]) with an integer (or another bounded
/// count) that every value in the ranges decides alike: `Some` of the result, unknown when the
/// ranges leave it open; None when neither side is a bounded count.
fn bounded_comparison(op: BinOp, a: &Val<'_>, b: &Val<'_>) -> Option<Val<'static>> {
    if !matches!(a, Val::Between(..)) && !matches!(b, Val::Between(..)) {
        return None;
    }
    let range = |v: &Val<'_>| match v {
        Val::Int(i) => Some((*i, Some(*i))),
        Val::Between(lo, hi) => Some((*lo, *hi)),
        _ => None,
    };
    let ((a_lo, a_hi), (b_lo, b_hi)) = (range(a)?, range(b)?);
    // Every value of `a` below every value of `b`, or at most; and the reverse.
    let below = a_hi.is_some_and(|h| h < b_lo);
    let at_most = a_hi.is_some_and(|h| h <= b_lo);
    let above = b_hi.is_some_and(|h| a_lo > h);
    let at_least = b_hi.is_some_and(|h| a_lo >= h);
    let decided = match op {
        BinOp::Lt => (below || at_least).then_some(below),
        BinOp::Le => (at_most || above).then_some(at_most),
        BinOp::Gt => (above || at_most).then_some(above),
        BinOp::Ge => (at_least || below).then_some(at_least),
        BinOp::Eq => (below || above).then_some(false),
        BinOp::Ne => (below || above).then_some(true),
        _ => None,
    };
    Some(decided.map_or(Val::Unknown, Val::Bool))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(ms: i64) -> String {
        let mut out = String::new();
        Val::Date(ms).write(&mut out);
        out
    }

    #[test]
    fn dates_are_written_in_utc() {
        assert_eq!(written(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            written(11_016 * 86_400_000 + 3_723_000),
            "2000-02-29T01:02:03Z"
        );
        assert_eq!(written(20_414 * 86_400_000), "2025-11-22T00:00:00Z");
        assert_eq!(written(-1000), "1969-12-31T23:59:59Z");
        assert_eq!(written(i64::MAX), i64::MAX.to_string());
    }
}
