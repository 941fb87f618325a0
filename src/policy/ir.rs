//! The compiled form of a policy: names resolved to slots and field indices, types checked,
//! globs compiled. The evaluator walks it without any name lookup.

use super::ast::{BinOp, QuantKind, Span};
use super::builtins::Builtin;
use crate::model::schema::{RecordSchema, Type};
use crate::model::Value;
use globset::GlobMatcher;
use std::fmt;

/// A type of the policy language.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Bool,
    Int,
    Str,
    Date,
    /// The type of `null` and of an empty list's elements: compatible with anything.
    Null,
    List(Box<Ty>),
    Record(&'static RecordSchema),
    /// The type of an expression that already failed to compile (no further errors).
    Error,
}

impl Ty {
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
    pub name: String,
    pub params: Vec<Ty>,
    pub ty: Ty,
    pub slots: usize,
    pub body: CExpr,
    /// (collection, field) pairs the body reads.
    pub requires: Vec<(&'static str, Option<&'static str>)>,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub enum CExpr {
    /// A call of a `def`, evaluated in a frame of its own.
    CallDef(std::sync::Arc<CDef>, Vec<CExpr>),
    Const(Value),
    /// A binding, quantifier variable or parameter.
    Slot(usize),
    /// A `let`, computed on first use in each iteration.
    Let(usize),
    Collection(usize),
    /// The records of a collection whose field equals `key`, found with an index
    /// (see `policy::index`).
    Lookup {
        collection: usize,
        field: usize,
        key: Box<CExpr>,
    },
    Field(Box<CExpr>, usize),
    /// A call of a built-in function.
    Call(&'static Builtin, Vec<CExpr>),
    Matches(Box<CExpr>, Box<GlobMatcher>),
    List(Vec<CExpr>),
    Quant {
        kind: QuantKind,
        slot: usize,
        source: Box<CExpr>,
        filter: Option<Box<CExpr>>,
        body: Option<Box<CExpr>>,
    },
    Not(Box<CExpr>),
    Neg(Box<CExpr>),
    Binary(BinOp, Box<CExpr>, Box<CExpr>),
    Interp(Vec<CPart>),
}

#[derive(Debug, Clone)]
pub enum CPart {
    Text(String),
    Expr(CExpr),
}

/// What a violation points at.
#[derive(Debug, Clone)]
pub enum CTarget {
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
    pub slot: usize,
    pub value: CExpr,
}

#[derive(Debug, Clone)]
pub enum CRuleKind {
    For {
        bindings: Vec<(usize, CExpr)>,
        filter: Option<CExpr>,
    },
    Assert {
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
    pub kind: CRuleKind,
    pub target: CTarget,
    pub message: CExpr,
    pub help: Option<CExpr>,
    /// (collection, field) pairs the rule reads.
    pub requires: Vec<(&'static str, Option<&'static str>)>,
    /// A short label from the rule's text (`for u in users`), for "not evaluated" reports.
    pub label: String,
    pub span: Span,
}
