//! The compiled form of a policy: names resolved to slots and field indices, types checked,
//! globs compiled. The evaluator walks it without any name lookup.

use super::ast::{BinOp, QuantKind, Span};
use super::builtins::Builtin;
use crate::model::schema::{RecordSchema, Type};
use crate::model::Value;
use globset::GlobSet;
use std::fmt;

/// A type of the policy language.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `bool`.
    Bool,
    /// `int` (64-bit signed).
    Int,
    /// `string`.
    Str,
    /// `date` (a point in time).
    Date,
    /// The type of `null` and of an empty list's elements: compatible with anything.
    Null,
    /// `list<T>`.
    List(Box<Ty>),
    /// A record of the model, by its schema.
    Record(&'static RecordSchema),
    /// The type of an expression that already failed to compile (no further errors).
    Error,
}

impl Ty {
    /// The language type of a model schema type.
    pub fn from_schema(t: &Type) -> Ty {
        match t {
            Type::Bool => Ty::Bool,
            Type::Int => Ty::Int,
            Type::Str => Ty::Str,
            Type::Date => Ty::Date,
            Type::List(inner) => Ty::List(Box::new(Ty::from_schema(inner))),
            Type::Record(r) => Ty::Record(r),
        }
    }

    /// Whether a value of one type may be compared with / stand for the other.
    pub fn compatible(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Error, _) | (_, Ty::Error) | (Ty::Null, _) | (_, Ty::Null) => true,
            (Ty::List(a), Ty::List(b)) => a.compatible(b),
            (Ty::Record(a), Ty::Record(b)) => std::ptr::eq(*a, *b),
            (a, b) => a == b,
        }
    }

    /// The more precise of two compatible types.
    pub fn unify(&self, other: &Ty) -> Ty {
        match (self, other) {
            (Ty::Null, t) | (t, Ty::Null) => t.clone(),
            (Ty::Error, _) | (_, Ty::Error) => Ty::Error,
            (Ty::List(a), Ty::List(b)) => Ty::List(Box::new(a.unify(b))),
            (a, _) => a.clone(),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Str => f.write_str("string"),
            Ty::Date => f.write_str("date"),
            Ty::Null => f.write_str("null"),
            Ty::List(t) => write!(f, "list<{t}>"),
            Ty::Record(r) => f.write_str(r.name),
            Ty::Error => f.write_str("?"),
        }
    }
}

/// A compiled `def`: its parameters occupy slots `0..params.len()` of its own frame.
#[derive(Debug)]
pub struct CDef {
    /// Its name.
    pub name: String,
    /// Its parameters' types, in order.
    pub params: Vec<Ty>,
    /// Its result type.
    pub ty: Ty,
    /// The size of its frame (parameters first).
    pub slots: usize,
    /// Its body.
    pub body: CExpr,
    /// (collection, field) pairs the body reads.
    pub requires: Vec<(&'static str, Option<&'static str>)>,
    /// Every field of a record the body reads: (record type, position in its schema).
    pub reads: Vec<(&'static crate::model::schema::RecordSchema, usize)>,
    /// Whether the body calls `today()`, itself or through another definition.
    pub today: bool,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub enum CExpr {
    /// A call of a `def`, evaluated in a frame of its own.
    CallDef(std::sync::Arc<CDef>, Vec<CExpr>),
    /// A constant value (literals, `const`s, folded expressions).
    Const(Value),
    /// A binding, quantifier variable or parameter.
    Slot(usize),
    /// A `let`, computed on first use in each iteration.
    Let(usize),
    /// A whole collection, by its index in `model::schema::COLLECTIONS`.
    Collection(usize),
    /// The records of a collection whose field equals `key`, found with an index
    /// (see `policy::index`).
    Lookup {
        /// The collection's index in `model::schema::COLLECTIONS`.
        collection: usize,
        /// The field's index in the collection's record schema.
        field: usize,
        /// The value looked up.
        key: Box<CExpr>,
    },
    /// A field (by its index in the record schema) of a record-valued expression.
    Field(Box<CExpr>, usize),
    /// A call of a built-in function.
    Call(&'static Builtin, Vec<CExpr>),
    /// A string matched against globs compiled at compile time (`matches` with a literal or
    /// a constant list).
    Matches(Box<CExpr>, Box<GlobSet>),
    /// A string matched against the globs of a parameter (a string or a list of strings),
    /// compiled once per run from the parameter's value: the subject and the parameter's slot.
    MatchesParam(Box<CExpr>, usize),
    /// A list of non-constant items (`[a, b]`).
    List(Vec<CExpr>),
    /// A quantifier over a list: `any`, `all`, `count` or `sum`.
    Quant {
        /// Which quantifier.
        kind: QuantKind,
        /// The slot of its variable.
        slot: usize,
        /// The list it ranges over.
        source: Box<CExpr>,
        /// Its `where` condition.
        filter: Option<Box<CExpr>>,
        /// Its condition (`any`, `all`, `count`) or summand (`sum`).
        body: Option<Box<CExpr>>,
        /// Whether its filter and body read nothing of the iteration around it (no slot but
        /// its own, its inner quantifiers' and the policy's parameters, and no `let`): its
        /// result then depends on its list alone, and the evaluator remembers it per list
        /// (users' assigned plans are a few lists that most users share).
        closed: bool,
    },
    /// `not x`.
    Not(Box<CExpr>),
    /// `-x`.
    Neg(Box<CExpr>),
    /// `a OP b`.
    Binary(BinOp, Box<CExpr>, Box<CExpr>),
    /// A string with interpolations (`"{g.name}"`).
    Interp(Vec<CPart>),
}

/// A part of an interpolated string.
#[derive(Debug, Clone)]
pub enum CPart {
    /// Literal text.
    Text(String),
    /// An interpolated value.
    Expr(CExpr),
}

/// What a violation points at.
#[derive(Debug, Clone)]
pub enum CTarget {
    /// Nothing in particular (the export as a whole).
    None,
    /// A record-valued expression (a binding): its record location.
    Record(CExpr),
    /// A field of a record-valued expression: the field location, else the record's.
    Field(CExpr, usize),
    /// A whole collection: the document that provided it.
    Collection(usize),
}

/// A `let`: the slot that caches its value and the expression that computes it.
#[derive(Debug, Clone)]
pub struct CLet {
    /// The slot caching its value in the current iteration.
    pub slot: usize,
    /// The expression computing it.
    pub value: CExpr,
}

/// What a rule checks.
#[derive(Debug, Clone)]
pub enum CRuleKind {
    /// `for x in LIST, y in LIST where COND`: every combination that satisfies the filter is a violation.
    For {
        /// Each binding's slot and list, outermost first.
        bindings: Vec<(usize, CExpr)>,
        /// The `where` condition (None: every combination).
        filter: Option<CExpr>,
        /// Leading conjuncts of the filter that read no binding after the one at the given
        /// position (outermost is 0; never the last binding) and no `let`: checked once for
        /// that binding's record, with its first whole combination, so that the combinations
        /// they rule out are not iterated (`for g in groups, m in g.members where g.name == X
        /// and ...` visits one member of each group not named X). The filter still checks
        /// them on every combination left: see `Evaluator::bind`.
        early: Vec<(usize, CExpr)>,
    },
    /// `assert COND`: a violation when COND is not true.
    Assert {
        /// The condition.
        cond: CExpr,
    },
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct CRule {
    /// Slots of the lets before `for`/`assert` (computed once per rule).
    pub outer_lets: Vec<usize>,
    /// Slots of the lets after the bindings (computed once per combination).
    pub inner_lets: Vec<usize>,
    /// What it checks.
    pub kind: CRuleKind,
    /// What its violations point at.
    pub target: CTarget,
    /// Related locations (`report [target, related...]`): where the evidence is.
    pub also: Vec<CTarget>,
    /// Its message.
    pub message: CExpr,
    /// Its help text, if any.
    pub help: Option<CExpr>,
    /// (collection, field) pairs the rule reads.
    pub requires: Vec<(&'static str, Option<&'static str>)>,
    /// Collections the rule reads only as the source of a quantifier (`any(g in groups: ...)`):
    /// when the export lacks one, the quantifier is unknown (three-valued logic) instead of the
    /// whole rule being not evaluated, so `x or any(...)` is still decided when `x` holds.
    pub optional: Vec<&'static str>,
    /// A short label from the rule's text (`for u in users`), for "not evaluated" reports.
    pub label: String,
    /// Where it is written in its policy file.
    pub span: Span,
}
