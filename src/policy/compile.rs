//! The compiler: resolves names (bindings, lets, parameters, constants, collections), checks
//! types against the model schema, compiles globs, and records what data each rule reads.
//! Every error of a file is collected; an expression that failed gets the type `Ty::Error` so
//! one mistake is reported once.

use super::ast::*;
use super::builtins::{self, Eval, Param, Returns};
use super::error::CompileError;
use super::index;
use super::ir::*;
use super::{Citation, CompiledPolicy, ParamInfo, PolicyMeta, RuleInfo, Severity};
use crate::base::suggest::did_you_mean;
use crate::model::schema::{FieldSchema, RecordSchema, Type, COLLECTIONS};
use crate::model::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a file sees besides its policies: constants and definitions (its own and those of the
/// files it imports).
#[derive(Debug, Clone, Default)]
pub(super) struct Env {
    pub consts: BTreeMap<String, ConstVal>,
    pub defs: BTreeMap<String, Arc<CDef>>,
    /// Definitions of the file not compiled yet: using one would be recursion.
    pub later: Vec<String>,
}

/// A constant of the file: its value and type.
#[derive(Debug, Clone)]
pub(super) struct ConstVal {
    pub value: Value,
    pub ty: Ty,
}

struct Local {
    name: String,
    span: Span,
    ty: Ty,
    kind: LocalKind,
    used: bool,
}

#[derive(Clone, Copy)]
enum LocalKind {
    Slot(usize),
    Let(usize),
}

/// Compiler state for one policy.
struct Ctx<'a> {
    env: &'a Env,
    params: Vec<(String, usize, Ty)>,
    scopes: Vec<Local>,
    slots: usize,
    lets: Vec<CLet>,
    errors: &'a mut Vec<CompileError>,
    /// (collection, field) pairs read by the rule being compiled.
    requires: Vec<(&'static str, Option<&'static str>)>,
    /// Every field of a record the policy reads (record type, position in its schema),
    /// whatever for; repeats included.
    reads: Vec<(&'static RecordSchema, usize)>,
    /// The enumerated field (record type, field) the last field access compiled read.
    last_enum: Option<(&'static RecordSchema, &'static FieldSchema)>,
    /// The parameters used as globs (`matches(x, param)`), by name.
    glob_params: Vec<String>,
    /// The parameters compared with enumerated fields: (parameter, record type, field).
    enum_params: Vec<(String, &'static str, &'static str)>,
    /// True while compiling the source of a quantifier (`g in groups` of `any(g in groups: ..)`).
    quant_source: bool,
    /// Collections referenced as a quantifier's source, and anywhere else, in the rule being
    /// compiled: those only in the first are [`CRule::optional`].
    quantified: Vec<&'static str>,
    referenced: Vec<&'static str>,
    /// False while compiling what may be absent without making the rule meaningless: messages,
    /// help, report targets, and the arguments of `exists` and `default`.
    needs: bool,
    /// The errors of the policy's `help` compiled for each rule that takes it (the rule's
    /// index): reported once each by [`policy_help_errors`], not once per rule.
    help_errors: Vec<(usize, Vec<CompileError>)>,
    /// Whether what was compiled calls `today()` (itself, or through a definition).
    today: bool,
}

fn collection_of(record: &'static RecordSchema) -> Option<&'static str> {
    COLLECTIONS
        .iter()
        .find(|c| std::ptr::eq(c.record, record))
        .map(|c| c.name)
}

/// The fields read, each once, in the order of their record type's address and position.
fn dedup_reads(
    mut reads: Vec<(&'static RecordSchema, usize)>,
) -> Vec<(&'static RecordSchema, usize)> {
    reads.sort_unstable_by_key(|(r, i)| (std::ptr::from_ref(*r) as usize, *i));
    reads.dedup_by(|a, b| std::ptr::eq(a.0, b.0) && a.1 == b.1);
    reads
}

/// Removes repeated (collection, field) pairs, keeping the first of each.
pub(super) fn dedup_requires(requires: &mut Vec<(&'static str, Option<&'static str>)>) {
    let mut seen = std::collections::BTreeSet::new();
    requires.retain(|r| seen.insert(*r));
}

impl<'a> Ctx<'a> {
    fn new(env: &'a Env, errors: &'a mut Vec<CompileError>) -> Self {
        Ctx {
            env,
            params: Vec::new(),
            scopes: Vec::new(),
            slots: 0,
            lets: Vec::new(),
            errors,
            requires: Vec::new(),
            reads: Vec::new(),
            quant_source: false,
            quantified: Vec::new(),
            referenced: Vec::new(),
            needs: true,
            last_enum: None,
            glob_params: Vec::new(),
            enum_params: Vec::new(),
            help_errors: Vec::new(),
            today: false,
        }
    }
}

impl Ctx<'_> {
    fn err(&mut self, e: CompileError) -> (CExpr, Ty) {
        self.errors.push(e);
        (CExpr::Const(Value::Null), Ty::Error)
    }

    fn new_slot(&mut self) -> usize {
        self.slots += 1;
        self.slots - 1
    }

    fn push_local(&mut self, name: &Ident, ty: Ty, kind: LocalKind) {
        if self.scopes.iter().any(|l| l.name == name.name)
            || self.params.iter().any(|p| p.0 == name.name)
        {
            self.errors.push(CompileError::DuplicateName {
                name: name.name.clone(),
                span: name.span,
            });
        }
        self.scopes.push(Local {
            name: name.name.clone(),
            span: name.span,
            ty,
            kind,
            used: false,
        });
    }

    /// Pops locals down to `len`, reporting the unused ones.
    fn pop_to(&mut self, len: usize) {
        while self.scopes.len() > len {
            if let Some(l) = self.scopes.pop() {
                if !l.used && !l.name.starts_with('_') {
                    self.errors.push(CompileError::UnusedBinding {
                        name: l.name,
                        span: l.span,
                    });
                }
            }
        }
    }

    fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.scopes.iter().map(|l| l.name.clone()).collect();
        names.extend(self.params.iter().map(|p| p.0.clone()));
        names.extend(self.env.consts.keys().cloned());
        names.extend(COLLECTIONS.iter().map(|c| c.name.to_string()));
        names
    }

    fn name(&mut self, id: &Ident) -> (CExpr, Ty) {
        if let Some(l) = self.scopes.iter_mut().rev().find(|l| l.name == id.name) {
            l.used = true;
            let e = match l.kind {
                LocalKind::Slot(s) => CExpr::Slot(s),
                LocalKind::Let(i) => CExpr::Let(i),
            };
            return (e, l.ty.clone());
        }
        if let Some((_, slot, ty)) = self.params.iter().find(|p| p.0 == id.name) {
            return (CExpr::Slot(*slot), ty.clone());
        }
        if let Some(c) = self.env.consts.get(&id.name) {
            return (CExpr::Const(c.value.clone()), c.ty.clone());
        }
        if let Some((i, c)) = COLLECTIONS
            .iter()
            .enumerate()
            .find(|(_, c)| c.name == id.name)
        {
            if self.needs {
                self.requires.push((c.name, None));
                if self.quant_source {
                    self.quantified.push(c.name);
                } else {
                    self.referenced.push(c.name);
                }
            }
            return (
                CExpr::Collection(i),
                Ty::List(Box::new(Ty::Record(c.record))),
            );
        }
        let names = self.visible_names();
        // A function named without its call (`today`): say how to call it.
        let call = builtins::find(&id.name).map(|f| {
            let args = vec!["…"; f.params.len()].join(", ");
            format!("`{}` is a function: call it, `{}({args})`", f.name, f.name)
        });
        let help = call.or_else(|| did_you_mean(&id.name, names.iter().map(String::as_str)));
        self.err(CompileError::UnknownName {
            name: id.name.clone(),
            span: id.span,
            help,
        })
    }

    /// Compiles with `needs` off: fields read here do not make the rule "not evaluated".
    fn optional<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let before = std::mem::replace(&mut self.needs, false);
        let out = f(self);
        self.needs = before;
        out
    }

    fn expect(&mut self, e: &Expr, want: &Ty, what: &str) -> CExpr {
        let (c, ty) = self.expr(e);
        if !ty.compatible(want) {
            self.errors.push(CompileError::TypeMismatch {
                message: format!("{what} must be `{want}`, found `{ty}`"),
                span: e.span,
                label: format!("this is `{ty}`"),
            });
        }
        c
    }

    fn expr(&mut self, e: &Expr) -> (CExpr, Ty) {
        match &e.kind {
            ExprKind::Int(i) => (CExpr::Const(Value::Int(*i)), Ty::Int),
            ExprKind::Bool(b) => (CExpr::Const(Value::Bool(*b)), Ty::Bool),
            ExprKind::Null => (CExpr::Const(Value::Null), Ty::Null),
            ExprKind::Str(s) => (self.string(s), Ty::Str),
            ExprKind::List(items) => {
                let mut ty = Ty::Null;
                let mut out = Vec::new();
                for item in items {
                    let (c, t) = self.expr(item);
                    if !t.compatible(&ty) {
                        self.errors.push(CompileError::TypeMismatch {
                            message: format!("list elements must have one type: `{ty}` and `{t}`"),
                            span: item.span,
                            label: format!("this is `{t}`"),
                        });
                    }
                    ty = ty.unify(&t);
                    out.push(c);
                }
                let all_const: Option<Vec<Value>> = out
                    .iter()
                    .map(|c| {
                        if let CExpr::Const(v) = c {
                            Some(v.clone())
                        } else {
                            None
                        }
                    })
                    .collect();
                let c = match all_const {
                    Some(values) => CExpr::Const(Value::List(values.into())),
                    None => CExpr::List(out),
                };
                (c, Ty::List(Box::new(ty)))
            }
            ExprKind::Name(id) => self.name(id),
            ExprKind::Field(base, field) => self.field(base, field),
            ExprKind::Call(name, args) => self.call(name, args, e.span),
            ExprKind::Quant {
                kind,
                var,
                source,
                filter,
                body,
            } => self.quantifier(
                *kind,
                var,
                source,
                filter.as_deref(),
                body.as_deref(),
                e.span,
            ),
            ExprKind::Unary(UnOp::Not, inner) => (
                CExpr::Not(Box::new(self.expect(
                    inner,
                    &Ty::Bool,
                    "the operand of `not`",
                ))),
                Ty::Bool,
            ),
            ExprKind::Unary(UnOp::Neg, inner) => (
                CExpr::Neg(Box::new(self.expect(inner, &Ty::Int, "the operand of `-`"))),
                Ty::Int,
            ),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r),
        }
    }

    fn field(&mut self, base: &Expr, field: &Ident) -> (CExpr, Ty) {
        let (b, ty) = self.expr(base);
        match ty {
            Ty::Error => (CExpr::Const(Value::Null), Ty::Error),
            Ty::Record(r) => match r.field_index(&field.name) {
                Some(i) => {
                    self.reads.push((r, i));
                    if let Some(coll) = collection_of(r).filter(|_| self.needs) {
                        let fname = r.fields.get(i).map(|f| f.name);
                        self.requires.push((coll, fname));
                    }
                    let schema = r.fields.get(i);
                    let fty = schema.map_or(Ty::Error, |f| Ty::from_schema(&f.ty));
                    self.last_enum = schema.filter(|f| !f.values.is_empty()).map(|f| (r, f));
                    (CExpr::Field(Box::new(b), i), fty)
                }
                None => {
                    let help =
                        did_you_mean(&field.name, r.fields.iter().map(|f| f.name)).or_else(|| {
                            Some(format!(
                                "`{}` has {}",
                                r.name,
                                r.fields
                                    .iter()
                                    .map(|f| format!("`{}`", f.name))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                        });
                    self.err(CompileError::UnknownField {
                        field: field.name.clone(),
                        record: r.name.to_string(),
                        span: field.span,
                        help,
                    })
                }
            },
            other => {
                let help = matches!(other, Ty::List(_)).then(|| {
                    "iterate the list with `any(x in LIST: ...)` or `for x in LIST`".to_string()
                });
                self.err(CompileError::NotARecord {
                    field: field.name.clone(),
                    ty: other.to_string(),
                    span: base.span,
                    help,
                })
            }
        }
    }

    fn call_def(&mut self, def: Arc<CDef>, name: &Ident, args: &[Expr], span: Span) -> (CExpr, Ty) {
        if args.len() != def.params.len() {
            for a in args {
                self.expr(a);
            }
            return self.err(CompileError::Arity {
                name: name.name.clone(),
                expected: def.params.len().to_string(),
                found: args.len(),
                span,
            });
        }
        let mut out = Vec::new();
        for (i, (a, ty)) in args.iter().zip(&def.params).enumerate() {
            out.push(self.expect(a, ty, &format!("argument {} of `{}`", i + 1, name.name)));
        }
        if self.needs {
            self.requires.extend(def.requires.iter().copied());
        }
        self.reads.extend(def.reads.iter().copied());
        self.today |= def.today;
        let ty = def.ty.clone();
        (CExpr::CallDef(def, out), ty)
    }

    fn call(&mut self, name: &Ident, args: &[Expr], span: Span) -> (CExpr, Ty) {
        if let Some(def) = self.env.defs.get(&name.name) {
            return self.call_def(def.clone(), name, args, span);
        }
        if self.env.later.contains(&name.name) {
            for a in args {
                self.expr(a);
            }
            return self.err(CompileError::Recursive {
                name: name.name.clone(),
                span: name.span,
            });
        }
        let Some(func) = builtins::find(&name.name) else {
            let mut candidates: Vec<&str> = builtins::all().map(|b| b.name).collect();
            candidates.extend(self.env.defs.keys().map(String::as_str));
            candidates.extend(["any", "all", "count", "sum"]);
            let help = did_you_mean(&name.name, candidates);
            for a in args {
                self.expr(a);
            }
            return self.err(CompileError::UnknownFunction {
                name: name.name.clone(),
                span: name.span,
                help,
            });
        };
        if args.len() != func.params.len() {
            for a in args {
                self.expr(a);
            }
            return self.err(CompileError::Arity {
                name: name.name.clone(),
                expected: func.params.len().to_string(),
                found: args.len(),
                span,
            });
        }
        self.today |= matches!(func.eval, Eval::Today);
        let what = |i: usize| format!("argument {} of `{}`", i + 1, name.name);
        let mut compiled = Vec::with_capacity(args.len());
        let mut types: Vec<(Ty, Span)> = Vec::with_capacity(args.len());
        let mut glob = None;
        let mut param_glob = None;
        for (i, (arg, param)) in args.iter().zip(func.params).enumerate() {
            let (c, t) = match param {
                Param::Str => {
                    let c = self.expect(arg, &Ty::Str, &what(i));
                    // `date("...")` with a literal that is no date could never be one.
                    if let (Eval::Values(_), "date", CExpr::Const(Value::Str(text))) =
                        (func.eval, func.name, &c)
                    {
                        if crate::base::dates::parse(text).is_none() {
                            self.errors.push(CompileError::TypeMismatch {
                                message: format!("`{text}` is not a date"),
                                span: arg.span,
                                label: "not an ISO 8601 date (`2026-01-01`)".into(),
                            });
                        }
                    }
                    (c, Ty::Str)
                }
                Param::Any => self.expr(arg),
                Param::Optional => self.optional(|c| c.expr(arg)),
                Param::StrOrList => {
                    let (c, t) = self.expr(arg);
                    if !matches!(t, Ty::Str | Ty::List(_) | Ty::Null | Ty::Error) {
                        self.errors.push(CompileError::TypeMismatch {
                            message: format!(
                                "`{}` takes a string or a list, found `{t}`",
                                func.name
                            ),
                            span: arg.span,
                            label: format!("this is `{t}`"),
                        });
                    }
                    (c, t)
                }
                Param::Date => (self.expect(arg, &Ty::Date, &what(i)), Ty::Date),
                Param::StrList => (
                    self.expect(arg, &Ty::List(Box::new(Ty::Str)), &what(i)),
                    Ty::List(Box::new(Ty::Str)),
                ),
                Param::Glob => {
                    let (pc, pty) = self.expr(arg);
                    let patterns: Vec<String> = match (&pc, &pty) {
                        (CExpr::Const(Value::Str(g)), _) => vec![g.to_string()],
                        (CExpr::Const(Value::List(items)), _) => items
                            .iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect(),
                        (_, Ty::Error) => return (CExpr::Const(Value::Null), Ty::Error),
                        (CExpr::Slot(slot), Ty::Str | Ty::List(_))
                            if self.params.iter().any(|(_, s, _)| s == slot) =>
                        {
                            if !pty.compatible(&Ty::Str)
                                && !pty.compatible(&Ty::List(Box::new(Ty::Str)))
                            {
                                return self.err(CompileError::TypeMismatch {
                                    message: format!(
                                        "the glob of `{}` must be a string or a list of strings",
                                        func.name
                                    ),
                                    span: arg.span,
                                    label: format!("this is `{pty}`"),
                                });
                            }
                            if let Some((name, ..)) = self.params.iter().find(|(_, s, _)| s == slot)
                            {
                                if !self.glob_params.contains(name) {
                                    self.glob_params.push(name.clone());
                                }
                            }
                            param_glob = Some(*slot);
                            Vec::new()
                        }
                        _ => {
                            return self.err(CompileError::NotConstant {
                                what: format!(
                                    "the glob of `{}` (a literal, a `const` or a parameter)",
                                    func.name
                                ),
                                span: arg.span,
                            })
                        }
                    };
                    if param_glob.is_none() {
                        match glob_set(&patterns) {
                            Ok(set) => glob = Some(set),
                            Err((pattern, reason)) => {
                                return self.err(CompileError::BadGlob {
                                    glob: pattern,
                                    reason,
                                    span: arg.span,
                                })
                            }
                        }
                    }
                    (pc, pty)
                }
            };
            compiled.push(c);
            types.push((t, arg.span));
        }
        let ty = match func.returns {
            Returns::Str => Ty::Str,
            Returns::Bool => Ty::Bool,
            Returns::Int => Ty::Int,
            Returns::Date => Ty::Date,
            Returns::Same => {
                let mut it = types.into_iter();
                let mut ty = it.next().map_or(Ty::Null, |(t, _)| t);
                for (t, span) in it {
                    if !ty.compatible(&t) {
                        self.errors.push(CompileError::TypeMismatch {
                            message: format!(
                                "`{}` needs two values of one type, found `{ty}` and `{t}`",
                                func.name
                            ),
                            span,
                            label: format!("this is `{t}`"),
                        });
                    }
                    ty = ty.unify(&t);
                }
                ty
            }
        };
        match (func.eval, glob, param_glob) {
            (Eval::Glob, Some(glob), _) => match compiled.into_iter().next() {
                Some(subject) => (CExpr::Matches(Box::new(subject), Box::new(glob)), ty),
                None => (CExpr::Const(Value::Null), Ty::Error),
            },
            (Eval::Glob, None, Some(slot)) => match compiled.into_iter().next() {
                Some(subject) => (CExpr::MatchesParam(Box::new(subject), slot), ty),
                None => (CExpr::Const(Value::Null), Ty::Error),
            },
            (Eval::Glob, ..) => (CExpr::Const(Value::Null), Ty::Error),
            _ => (CExpr::Call(func, compiled), ty),
        }
    }

    fn element_type(&mut self, source: &Expr, what: &str) -> (CExpr, Ty) {
        let (c, ty) = self.expr(source);
        match ty {
            Ty::List(t) => (c, *t),
            Ty::Error => (c, Ty::Error),
            Ty::Null => (c, Ty::Null),
            other => {
                self.errors.push(CompileError::TypeMismatch {
                    message: format!("{what} must be a list, found `{other}`"),
                    span: source.span,
                    label: format!("this is `{other}`"),
                });
                (c, Ty::Error)
            }
        }
    }

    fn quantifier(
        &mut self,
        kind: QuantKind,
        var: &Ident,
        source: &Expr,
        filter: Option<&Expr>,
        body: Option<&Expr>,
        span: Span,
    ) -> (CExpr, Ty) {
        let outer = std::mem::replace(&mut self.quant_source, true);
        let (src, elem) = self.element_type(source, &format!("the source of `{}`", kind.name()));
        self.quant_source = outer;
        let depth = self.scopes.len();
        let slot = self.new_slot();
        self.push_local(var, elem, LocalKind::Slot(slot));
        // `count(x in LIST)` needs the variable only to be well formed.
        if filter.is_none() && body.is_none() {
            if let Some(l) = self.scopes.last_mut() {
                l.used = true;
            }
        }
        let filter = filter.map(|f| Box::new(self.expect(f, &Ty::Bool, "a `where` filter")));
        let (body, ty) = match (kind, body) {
            (QuantKind::Sum, Some(b)) => (
                Some(Box::new(self.expect(b, &Ty::Int, "the body of `sum`"))),
                Ty::Int,
            ),
            (QuantKind::Sum, None) => {
                self.errors.push(CompileError::TypeMismatch {
                    message: "`sum` needs a body: `sum(x in LIST: INT_EXPR)`".into(),
                    span,
                    label: "no `: INT_EXPR`".into(),
                });
                (None, Ty::Int)
            }
            (QuantKind::Count, b) => (
                b.map(|b| Box::new(self.expect(b, &Ty::Bool, "the condition of `count`"))),
                Ty::Int,
            ),
            (_, b) => (
                b.map(|b| {
                    Box::new(self.expect(
                        b,
                        &Ty::Bool,
                        &format!("the condition of `{}`", kind.name()),
                    ))
                }),
                Ty::Bool,
            ),
        };
        if kind == QuantKind::All && body.is_none() {
            self.errors.push(CompileError::TypeMismatch {
                message: "`all` needs a condition: `all(x in LIST: COND)`".into(),
                span,
                label: "no `: COND`".into(),
            });
        }
        self.pop_to(depth);
        let conditions = index::quantifier_conditions(kind, filter.as_deref(), body.as_deref());
        let src = index::join(src, slot, &conditions, &|s| s != slot, true);
        // Slots from this one on are its variable's and its inner quantifiers'.
        let own = |s: usize| s >= slot || self.params.iter().any(|p| p.1 == s);
        let closed = [&filter, &body].into_iter().all(|e| {
            e.as_deref()
                .is_none_or(|e| index::independent(e, &own, false))
        });
        (
            CExpr::Quant {
                kind,
                slot,
                source: Box::new(src),
                filter,
                body,
                closed,
            },
            ty,
        )
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr) -> (CExpr, Ty) {
        let mismatch = |lt: &Ty, rt: &Ty| CompileError::TypeMismatch {
            message: format!("`{}` cannot combine `{lt}` and `{rt}`", op.symbol()),
            span: Span::new(l.span.start, r.span.end),
            label: format!("`{lt}` {} `{rt}`", op.symbol()),
        };
        let (lc, lt) = self.expr(l);
        let l_enum = self.enumerated(l);
        let (rc, rt) = self.expr(r);
        let r_enum = self.enumerated(r);
        match op {
            BinOp::Eq | BinOp::Ne => {
                if let Some(field) = l_enum {
                    self.check_values(field, r, &rc);
                }
                if let Some(field) = r_enum {
                    self.check_values(field, l, &lc);
                }
            }
            BinOp::In | BinOp::NotIn => {
                // `field in ["a", "b"]`, or `"a" in list_field`.
                if let Some(field) = l_enum {
                    self.check_values(field, r, &rc);
                }
                if let Some(field) = r_enum.filter(|(_, f)| matches!(f.ty, Type::List(_))) {
                    self.check_values(field, l, &lc);
                }
            }
            _ => {}
        }
        if matches!(op, BinOp::Div | BinOp::Rem) && matches!(rc, CExpr::Const(Value::Int(0))) {
            self.errors.push(CompileError::TypeMismatch {
                message: format!("`{}` by zero", op.symbol()),
                span: r.span,
                label: "this is 0".into(),
            });
        }
        let ok_ty = match op {
            BinOp::Or | BinOp::And => {
                if lt.compatible(&Ty::Bool) && rt.compatible(&Ty::Bool) {
                    Some(Ty::Bool)
                } else {
                    None
                }
            }
            BinOp::Eq | BinOp::Ne => (lt.compatible(&rt)
                && !matches!(lt, Ty::Record(_) | Ty::List(_)))
            .then_some(Ty::Bool),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => (lt.compatible(&rt)
                && matches!(
                    lt.unify(&rt),
                    Ty::Int | Ty::Str | Ty::Date | Ty::Null | Ty::Error
                ))
            .then_some(Ty::Bool),
            BinOp::In | BinOp::NotIn => match &rt {
                Ty::List(elem) => elem.compatible(&lt).then_some(Ty::Bool),
                Ty::Null | Ty::Error => Some(Ty::Bool),
                _ => None,
            },
            BinOp::Add => match lt.unify(&rt) {
                t @ (Ty::Int | Ty::Str) if lt.compatible(&rt) => Some(t),
                Ty::Error | Ty::Null => Some(Ty::Error),
                _ => None,
            },
            BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                (lt.compatible(&Ty::Int) && rt.compatible(&Ty::Int)).then_some(Ty::Int)
            }
        };
        match ok_ty {
            Some(ty) => (CExpr::Binary(op, Box::new(lc), Box::new(rc)), ty),
            None => self.err(mismatch(&lt, &rt)),
        }
    }

    /// The enumerated field `e` reads, when `e` is a field access (just compiled).
    fn enumerated(&mut self, e: &Expr) -> Option<(&'static RecordSchema, &'static FieldSchema)> {
        let last = self.last_enum.take();
        matches!(e.kind, ExprKind::Field(..))
            .then_some(last)
            .flatten()
    }

    /// Reports every string of `e` (a literal, a list of them, or a `const`, `let` or parameter
    /// holding them) that is not one of the enumerated field's values: it could never match.
    /// A parameter is noted, so that its default and configured values are checked too.
    fn check_values(
        &mut self,
        (record, field): (&'static RecordSchema, &'static FieldSchema),
        e: &Expr,
        c: &CExpr,
    ) {
        let mut strings: Vec<(String, Span)> = match &e.kind {
            ExprKind::Str(s) => s.literal().map(|t| (t, e.span)).into_iter().collect(),
            ExprKind::List(items) => items
                .iter()
                .filter_map(|i| match &i.kind {
                    ExprKind::Str(s) => Some((s.literal()?, i.span)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        if strings.is_empty() && !matches!(e.kind, ExprKind::Str(_) | ExprKind::List(_)) {
            let value = match c {
                CExpr::Const(v) => Some(v.clone()),
                CExpr::Let(i) => match self.lets.get(*i).map(|l| &l.value) {
                    Some(CExpr::Const(v)) => Some(v.clone()),
                    _ => None,
                },
                CExpr::Slot(slot) => {
                    if let Some((name, ..)) = self.params.iter().find(|(_, s, _)| s == slot) {
                        let noted = (name.clone(), record.name, field.name);
                        if !self.enum_params.contains(&noted) {
                            self.enum_params.push(noted);
                        }
                    }
                    None
                }
                _ => None,
            };
            strings = match value {
                Some(Value::Str(t)) => vec![(t.to_string(), e.span)],
                Some(Value::List(l)) => l
                    .iter()
                    .filter_map(|v| Some((v.as_str()?.to_string(), e.span)))
                    .collect(),
                _ => Vec::new(),
            };
        }
        for (text, span) in strings {
            if let Some(err) = unknown_value(record, field, &text, span) {
                self.errors.push(err);
            }
        }
    }

    fn string(&mut self, s: &Str) -> CExpr {
        if let Some(text) = s.literal() {
            return CExpr::Const(Value::Str(text.into()));
        }
        let parts = s
            .parts
            .iter()
            .map(|p| match p {
                StrPart::Text(t) => CPart::Text(t.clone()),
                StrPart::Expr(e) => CPart::Expr(self.expr(e).0),
            })
            .collect();
        CExpr::Interp(parts)
    }

    /// Compiles lets into the policy's let table; returns their slots.
    fn lets(&mut self, lets: &[Let]) -> Vec<usize> {
        let mut slots = Vec::new();
        for l in lets {
            let (value, ty) = self.expr(&l.value);
            let slot = self.new_slot();
            let index = self.lets.len();
            self.lets.push(CLet { slot, value });
            slots.push(slot);
            self.push_local(&l.name, ty, LocalKind::Let(index));
        }
        slots
    }

    fn target(&mut self, t: Option<&Expr>) -> CTarget {
        let Some(t) = t else { return CTarget::None };
        match &t.kind {
            ExprKind::Field(base, _) => {
                let (c, ty) = self.expr(t);
                match (c, ty) {
                    (CExpr::Field(b, i), _) => CTarget::Field(*b, i),
                    (_, Ty::Error) => CTarget::None,
                    _ => {
                        let _ = base;
                        self.errors.push(CompileError::BadTarget { span: t.span });
                        CTarget::None
                    }
                }
            }
            ExprKind::Name(_) => match self.expr(t) {
                (CExpr::Collection(i), _) => CTarget::Collection(i),
                (c, Ty::Record(_)) => CTarget::Record(c),
                (_, Ty::Error) => CTarget::None,
                _ => {
                    self.errors.push(CompileError::BadTarget { span: t.span });
                    CTarget::None
                }
            },
            _ => {
                self.expr(t);
                self.errors.push(CompileError::BadTarget { span: t.span });
                CTarget::None
            }
        }
    }

    /// Compiles rule number `index` (from 0) of a policy whose `help` is `policy_help`.
    fn rule(&mut self, r: &RuleDef, index: usize, policy_help: Option<&Str>) -> CRule {
        self.requires.clear();
        self.quantified.clear();
        self.referenced.clear();
        let depth = self.scopes.len();
        let outer_lets = self.lets(&r.lets);
        let mut inner_lets = Vec::new();
        // The slot of a `for` rule's first binding: what the rule points at without a target.
        let mut first_binding = None;
        let kind = match &r.kind {
            RuleKind::For {
                bindings,
                lets: inner,
                filter,
            } => {
                let mut bs = Vec::new();
                for b in bindings {
                    let (src, elem) =
                        self.element_type(&b.source, &format!("the source of `{}`", b.name.name));
                    let slot = self.new_slot();
                    self.push_local(&b.name, elem, LocalKind::Slot(slot));
                    bs.push((slot, src));
                }
                first_binding = bs.first().map(|(slot, _)| *slot);
                inner_lets = self.lets(inner);
                let filter = filter
                    .as_ref()
                    .map(|f| self.expect(f, &Ty::Bool, "a `where` filter"));
                // A binding whose source is a collection joined in the filter to earlier
                // bindings reads only the matching records.
                let earlier: Vec<usize> = bs.iter().map(|(slot, _)| *slot).collect();
                let bs = bs
                    .into_iter()
                    .enumerate()
                    .map(|(k, (slot, src))| {
                        let before = earlier.get(..k).unwrap_or(&[]);
                        let conditions: Vec<&CExpr> = filter.iter().collect();
                        let allowed = |s: usize| before.contains(&s) || !earlier.contains(&s);
                        (slot, index::join(src, slot, &conditions, &allowed, false))
                    })
                    .collect();
                let early = index::early(&earlier, filter.as_ref());
                CRuleKind::For {
                    bindings: bs,
                    filter,
                    early,
                }
            }
            RuleKind::Assert { cond } => CRuleKind::Assert {
                cond: self.expect(cond, &Ty::Bool, "an `assert` condition"),
            },
        };
        // `report [primary, related...]`: the first value is the violation's location, the
        // others are related locations (where the evidence against it is).
        let (target, also) = match r.target.as_ref().map(|t| (&t.kind, t)) {
            Some((ExprKind::List(items), _)) if !items.is_empty() => {
                let mut targets = items.iter().map(|i| self.optional(|c| c.target(Some(i))));
                let first = targets.next().unwrap_or(CTarget::None);
                (first, targets.collect())
            }
            // Without a target, a `for` rule points at the record of its first binding.
            None => (
                first_binding.map_or(CTarget::None, |slot| CTarget::Record(CExpr::Slot(slot))),
                Vec::new(),
            ),
            _ => (self.optional(|c| c.target(r.target.as_ref())), Vec::new()),
        };
        let message = self.optional(|c| c.string(&r.message));
        let before = self.errors.len();
        let help = self.optional(|c| r.help.as_ref().or(policy_help).map(|h| c.string(h)));
        if r.help.is_none() && policy_help.is_some() {
            let errors = self.errors.split_off(before);
            self.help_errors.push((index, errors));
        }
        self.pop_to(depth);
        let mut requires = std::mem::take(&mut self.requires);
        dedup_requires(&mut requires);
        let referenced = std::mem::take(&mut self.referenced);
        let mut optional = std::mem::take(&mut self.quantified);
        optional.retain(|c| !referenced.contains(c));
        optional.sort_unstable();
        optional.dedup();
        CRule {
            outer_lets,
            inner_lets,
            kind,
            target,
            also,
            message,
            help,
            requires,
            optional,
            label: String::new(),
            span: r.span,
        }
    }
}

/// Evaluates a constant expression (literals, lists, constants).
fn constant(
    e: &Expr,
    consts: &BTreeMap<String, ConstVal>,
    errors: &mut Vec<CompileError>,
    what: &str,
) -> Option<ConstVal> {
    let fail = |errors: &mut Vec<CompileError>| {
        errors.push(CompileError::NotConstant {
            what: what.to_string(),
            span: e.span,
        });
        None
    };
    match &e.kind {
        ExprKind::Int(i) => Some(ConstVal {
            value: Value::Int(*i),
            ty: Ty::Int,
        }),
        ExprKind::Bool(b) => Some(ConstVal {
            value: Value::Bool(*b),
            ty: Ty::Bool,
        }),
        ExprKind::Null => Some(ConstVal {
            value: Value::Null,
            ty: Ty::Null,
        }),
        ExprKind::Str(s) => match s.literal() {
            Some(t) => Some(ConstVal {
                value: Value::Str(t.into()),
                ty: Ty::Str,
            }),
            None => {
                errors.push(interpolated(s, what));
                None
            }
        },
        ExprKind::Unary(UnOp::Neg, inner) => match constant(inner, consts, errors, what)?.value {
            Value::Int(i) => Some(ConstVal {
                value: Value::Int(-i),
                ty: Ty::Int,
            }),
            _ => fail(errors),
        },
        ExprKind::Name(id) => match consts.get(&id.name) {
            Some(c) => Some(c.clone()),
            None => {
                let help = did_you_mean(&id.name, consts.keys().map(String::as_str));
                errors.push(CompileError::UnknownName {
                    name: id.name.clone(),
                    span: id.span,
                    help,
                });
                None
            }
        },
        ExprKind::List(items) => {
            let mut ty = Ty::Null;
            let mut values = Vec::new();
            for item in items {
                let c = constant(item, consts, errors, what)?;
                if !c.ty.compatible(&ty) {
                    errors.push(CompileError::TypeMismatch {
                        message: format!("list elements must have one type: `{ty}` and `{}`", c.ty),
                        span: item.span,
                        label: format!("this is `{}`", c.ty),
                    });
                    return None;
                }
                ty = ty.unify(&c.ty);
                values.push(c.value);
            }
            Some(ConstVal {
                value: Value::List(values.into()),
                ty: Ty::List(Box::new(ty)),
            })
        }
        _ => fail(errors),
    }
}

/// Reports the errors of the policy's `help`, compiled once for each rule that takes it
/// (`per_rule`: the rule's index and its errors), once each: a name some of those rules bind
/// and others do not is one error naming the first rule that does not; any other error (a name
/// no rule binds, a field typo) is reported as found, once.
fn policy_help_errors(
    per_rule: Vec<(usize, Vec<CompileError>)>,
    rules: &[CRule],
    errors: &mut Vec<CompileError>,
) {
    let unknown_in = |e: &[CompileError], at: Span| {
        e.iter()
            .any(|x| matches!(x, CompileError::UnknownName { span, .. } if *span == at))
    };
    let mut found: Vec<CompileError> = Vec::new();
    for (index, rule_errors) in &per_rule {
        for e in rule_errors {
            let e = match e {
                CompileError::UnknownName { name, span, .. }
                    if per_rule.iter().any(|(_, other)| !unknown_in(other, *span)) =>
                {
                    if found.iter().any(
                        |f| matches!(f, CompileError::UnboundInHelp { span: s, .. } if s == span),
                    ) {
                        continue;
                    }
                    CompileError::UnboundInHelp {
                        name: name.clone(),
                        rule: index + 1,
                        label: rules
                            .get(*index)
                            .map_or_else(String::new, |r| r.label.clone()),
                        span: *span,
                    }
                }
                e => e.clone(),
            };
            if !found.contains(&e) {
                found.push(e);
            }
        }
    }
    errors.extend(found);
}

/// Whether a type is or holds the type of `null` (`[]` is `list<null>`): a value whose type
/// is not known.
fn has_null(t: &Ty) -> bool {
    match t {
        Ty::Null => true,
        Ty::List(inner) => has_null(inner),
        _ => false,
    }
}

fn type_of(t: &TypeExpr, errors: &mut Vec<CompileError>) -> Option<Ty> {
    let simple = |ty| if t.arg.is_some() { None } else { Some(ty) };
    let ty = match t.name.name.as_str() {
        "string" => simple(Ty::Str),
        "int" => simple(Ty::Int),
        "bool" => simple(Ty::Bool),
        "date" => simple(Ty::Date),
        "list" => match &t.arg {
            Some(inner) => Some(Ty::List(Box::new(type_of(inner, errors)?))),
            None => None,
        },
        name => crate::model::schema::record_by_name(name)
            .filter(|_| t.arg.is_none())
            .map(Ty::Record),
    };
    if ty.is_none() {
        let records = crate::model::schema::record_names();
        let all = ["string", "int", "bool", "date", "list"]
            .into_iter()
            .chain(records.iter().copied());
        let list = "types are `string`, `int`, `bool`, `date`, `list<T>` and the record types \
                    `dexlint schema` lists";
        errors.push(CompileError::UnknownType {
            name: t.name.name.clone(),
            span: t.span,
            help: match did_you_mean(&t.name.name, all.clone()).or_else(|| {
                // An abbreviation (`grp`, `dev`): the shortest type it abbreviates.
                let lower = t.name.name.to_lowercase();
                all.filter(|c| lower.len() >= 2 && subsequence(&lower, c))
                    .min_by_key(|c| c.len())
                    .map(|c| format!("did you mean `{c}`?"))
            }) {
                Some(d) => format!("{d} ({list})"),
                None => list.to_string(),
            },
        });
    }
    ty
}

/// The error for `text` compared with an enumerated field when it is none of its values.
fn unknown_value(
    record: &RecordSchema,
    field: &FieldSchema,
    text: &str,
    span: Span,
) -> Option<CompileError> {
    if field.values.contains(&text) {
        return None;
    }
    let name = format!("{}.{}", record.name, field.name);
    Some(CompileError::UnknownValue {
        value: text.to_string(),
        help: enum_help(&name, field.values, text),
        field: name,
        span,
    })
}

/// "did you mean `user`? (`member.kind` is one of ...)".
pub(super) fn enum_help(field: &str, values: &[&str], text: &str) -> String {
    let list = values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match did_you_mean(text, values.iter().copied()) {
        Some(d) => format!("{d} (`{field}` is one of {list})"),
        None => format!("`{field}` is one of {list}"),
    }
}

/// The glob set of `patterns` (globset syntax, case-insensitive), or the first invalid pattern
/// and why. Globset ignores the case of ASCII letters only: the others are lowercased here,
/// and in the text matched ([`glob_text`]).
pub(super) fn glob_set(patterns: &[String]) -> Result<globset::GlobSet, (String, String)> {
    let mut set = globset::GlobSetBuilder::new();
    for p in patterns {
        let glob = globset::GlobBuilder::new(&glob_text(p))
            .case_insensitive(true)
            .build()
            .map_err(|e| (p.clone(), e.kind().to_string()))?;
        set.add(glob);
    }
    set.build()
        .map_err(|e| (patterns.join(", "), e.kind().to_string()))
}

/// `text` with its letters beyond ASCII lowercased (Unicode's lowercase mapping), as
/// [`glob_set`] compiles a pattern and `matches` matches a text: globset compares the case of
/// ASCII letters only (`Ü` is not `ü` to it).
pub(super) fn glob_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c.is_ascii() {
            true => out.push(c),
            false => out.extend(c.to_lowercase()),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether the letters of `short` appear in `long` in order, starting with its first one
/// (`grp` in `group`).
fn subsequence(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().next() == long.chars().next() && short.chars().all(|c| rest.any(|x| x == c))
}

/// The error of a parameter or constant (`what`) named `name` like a collection, which it
/// would hide.
fn shadows_collection(name: &Ident, what: &str) -> Option<CompileError> {
    let c = COLLECTIONS.iter().find(|c| c.name == name.name)?;
    Some(CompileError::ShadowsCollection {
        what: what.into(),
        name: name.name.clone(),
        span: name.span,
        help: format!(
            "choose another name: `{}` names the collection of {}, which a {what} of that name \
             would hide from every expression that reads it",
            c.name, c.doc
        ),
    })
}

/// The environment of a file: what its imports export, then its own constants and definitions
/// in order (each may use the earlier ones, never itself or a later one). Returns what the file
/// sees and what it exports (its own items).
pub(super) fn file_env(
    file: &PolicyFile,
    imported: &[&Env],
    errors: &mut Vec<CompileError>,
) -> (Env, Env) {
    let mut visible = Env::default();
    for e in imported {
        for (k, v) in &e.consts {
            visible.consts.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in &e.defs {
            visible.defs.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let mut own = Env::default();
    let taken = |name: &Ident, own: &Env, errors: &mut Vec<CompileError>| {
        let dup = own.consts.contains_key(&name.name) || own.defs.contains_key(&name.name);
        if dup {
            errors.push(CompileError::DuplicateName {
                name: name.name.clone(),
                span: name.span,
            });
        }
        dup
    };
    for c in &file.consts {
        if taken(&c.name, &own, errors) {
            continue;
        }
        if let Some(e) = shadows_collection(&c.name, "constant") {
            errors.push(e);
        }
        // A constant that failed still exists (as an error type): its uses raise nothing more.
        let what = format!("the value of constant `{}`", c.name.name);
        let v = constant(&c.value, &visible.consts, errors, &what).unwrap_or(ConstVal {
            value: Value::Null,
            ty: Ty::Error,
        });
        visible.consts.insert(c.name.name.clone(), v.clone());
        own.consts.insert(c.name.name.clone(), v);
    }
    visible.later = file.defs.iter().map(|d| d.name.name.clone()).collect();
    for d in &file.defs {
        if taken(&d.name, &own, errors) {
            continue;
        }
        let def = Arc::new(compile_def(d, &visible, errors));
        visible.later.retain(|n| *n != d.name.name);
        visible.defs.insert(d.name.name.clone(), def.clone());
        own.defs.insert(d.name.name.clone(), def);
    }
    (visible, own)
}

/// Compiles a `def` body with its parameters in slots `0..n`. A def that fails keeps its
/// declared parameters and an error type, so its uses raise nothing more.
fn compile_def(d: &Def, env: &Env, errors: &mut Vec<CompileError>) -> CDef {
    let mut ctx = Ctx::new(env, errors);
    let mut params = Vec::new();
    for (name, t) in &d.params {
        let ty = type_of(t, ctx.errors).unwrap_or(Ty::Error);
        let slot = ctx.new_slot();
        ctx.push_local(name, ty.clone(), LocalKind::Slot(slot));
        params.push(ty);
    }
    let before = ctx.errors.len();
    let (body, ty) = ctx.expr(&d.body);
    ctx.pop_to(0);
    let failed = ctx.errors.len() > before;
    let mut requires = std::mem::take(&mut ctx.requires);
    dedup_requires(&mut requires);
    CDef {
        name: d.name.name.clone(),
        params,
        ty: if failed { Ty::Error } else { ty },
        slots: ctx.slots,
        body,
        requires,
        reads: dedup_reads(std::mem::take(&mut ctx.reads)),
        today: ctx.today,
    }
}

fn literal_attr(s: &Str, what: &str, errors: &mut Vec<CompileError>) -> String {
    s.literal().unwrap_or_else(|| {
        errors.push(interpolated(s, what));
        String::new()
    })
}

/// The error for a string that must be constant (`what`) but interpolates: at its first
/// interpolation.
fn interpolated(s: &Str, what: &str) -> CompileError {
    let span = s
        .parts
        .iter()
        .find_map(|p| match p {
            StrPart::Expr(e) => Some(e.span),
            StrPart::Text(_) => None,
        })
        .unwrap_or(s.span);
    CompileError::Interpolated {
        what: what.into(),
        span,
    }
}

/// The fields of a `cite` block: `title` and `url` are required; `section`, `date` and `quote`
/// optional; each at most once.
fn citation(
    edition: &Str,
    fields: &[(Ident, Str)],
    earlier: &[Citation],
    errors: &mut Vec<CompileError>,
) -> Option<Citation> {
    const FIELDS: [&str; 5] = ["title", "url", "section", "date", "quote"];
    let name = literal_attr(edition, "an edition", errors);
    let before = errors.len();
    if crate::edition::find(&name).is_none() {
        errors.push(CompileError::UnknownEdition {
            help: Some(crate::edition::known_help()),
            name: name.clone(),
            span: edition.span,
        });
    } else if earlier.iter().any(|c| c.edition == name) {
        errors.push(CompileError::DuplicateAttribute {
            name: format!("cite \"{name}\""),
            span: edition.span,
        });
    }
    let mut c = Citation {
        edition: name,
        ..Citation::default()
    };
    let mut given: Vec<&str> = Vec::new();
    for (field, value) in fields {
        let Some(known) = FIELDS.iter().find(|f| **f == field.name) else {
            errors.push(CompileError::UnknownField {
                field: field.name.clone(),
                record: "cite".into(),
                span: field.span,
                help: did_you_mean(&field.name, FIELDS),
            });
            continue;
        };
        if given.contains(known) {
            errors.push(CompileError::DuplicateAttribute {
                name: (*known).into(),
                span: field.span,
            });
            continue;
        }
        given.push(known);
        let text = literal_attr(value, "a citation", errors);
        match *known {
            "title" => c.title = text,
            "url" => c.url = text,
            "section" => c.section = Some(text),
            "date" => c.date = Some(text),
            _ => c.quote = Some(text),
        }
    }
    for required in ["title", "url"] {
        if !given.contains(&required) {
            errors.push(CompileError::MissingCiteField {
                field: required.into(),
                span: edition.span,
            });
        }
    }
    (errors.len() == before).then_some(c)
}

/// Compiles one policy of a file.
pub(super) fn compile_policy(
    p: &Policy,
    source: &str,
    text: &str,
    env: &Env,
    errors: &mut Vec<CompileError>,
) -> Option<CompiledPolicy> {
    let before = errors.len();
    let consts = help_constants(p, env);
    let mut meta = PolicyMeta {
        id: p.id.name.clone(),
        title: literal_attr(&p.title, "a policy title", errors),
        severity: Severity::Error,
        tags: Vec::new(),
        docs: None,
        description: None,
        help: None,
        example: None,
        source: source.to_string(),
        params: Vec::new(),
        editions: Vec::new(),
        citations: Vec::new(),
        rules: Vec::new(),
    };
    let mut seen: Vec<&str> = Vec::new();
    let mut severity = None;
    let mut help = None;
    let mut requires_attr = None;
    for a in &p.attrs {
        let kw = a.kind.keyword();
        // `cite` is given once per edition.
        if seen.contains(&kw) && kw != "cite" {
            errors.push(CompileError::DuplicateAttribute {
                name: kw.into(),
                span: a.keyword,
            });
            continue;
        }
        seen.push(kw);
        match &a.kind {
            AttrKind::Severity(v) => match v.name.parse::<Severity>() {
                Ok(s) => severity = Some(s),
                Err(_) => errors.push(CompileError::UnknownSeverity {
                    value: v.name.clone(),
                    span: v.span,
                    help: did_you_mean(&v.name, Severity::NAMES),
                }),
            },
            AttrKind::Tags(tags) => {
                meta.tags = tags
                    .iter()
                    .map(|t| literal_attr(t, "a tag", errors))
                    .collect()
            }
            AttrKind::Docs(s) => meta.docs = Some(literal_attr(s, "`docs`", errors)),
            AttrKind::Description(s) => {
                meta.description = Some(literal_attr(s, "`description`", errors))
            }
            AttrKind::Example(s) => meta.example = Some(literal_attr(s, "`example`", errors)),
            AttrKind::Help(s) => {
                meta.help = Some(help_text(s, text, &consts));
                help = Some(s);
            }
            AttrKind::Requires(reqs) => {
                let mut out = Vec::new();
                for (coll, field) in reqs {
                    let Some(c) = COLLECTIONS.iter().find(|c| c.name == coll.name) else {
                        let help = did_you_mean(&coll.name, COLLECTIONS.iter().map(|c| c.name));
                        errors.push(CompileError::UnknownName {
                            name: coll.name.clone(),
                            span: coll.span,
                            help,
                        });
                        continue;
                    };
                    let f = match field {
                        Some(f) => match c.record.fields.iter().find(|x| x.name == f.name) {
                            Some(x) => Some(x.name),
                            None => {
                                let help =
                                    did_you_mean(&f.name, c.record.fields.iter().map(|x| x.name));
                                errors.push(CompileError::UnknownField {
                                    field: f.name.clone(),
                                    record: c.record.name.into(),
                                    span: f.span,
                                    help,
                                });
                                continue;
                            }
                        },
                        None => None,
                    };
                    out.push((c.name, f));
                }
                requires_attr = Some(out);
            }
            AttrKind::Editions(names) => {
                for n in names {
                    let name = literal_attr(n, "an edition", errors);
                    if crate::edition::find(&name).is_none() {
                        errors.push(CompileError::UnknownEdition {
                            help: Some(crate::edition::known_help()),
                            name,
                            span: n.span,
                        });
                    } else if meta.editions.contains(&name) {
                        errors.push(CompileError::DuplicateAttribute {
                            name: format!("editions \"{name}\""),
                            span: n.span,
                        });
                    } else {
                        meta.editions.push(name);
                    }
                }
            }
            AttrKind::Cite { edition, fields } => {
                if let Some(c) = citation(edition, fields, &meta.citations, errors) {
                    meta.citations.push(c);
                }
            }
        }
    }
    // A citation names an edition the policy belongs to.
    if !meta.editions.is_empty() {
        for a in &p.attrs {
            if let AttrKind::Cite { edition, .. } = &a.kind {
                let name = edition.literal().unwrap_or_default();
                if crate::edition::find(&name).is_some() && !meta.editions.contains(&name) {
                    errors.push(CompileError::UnknownEdition {
                        help: Some(format!(
                            "the policy belongs to {}: add `{name}` to `editions` or cite one of them",
                            meta.editions.join(", ")
                        )),
                        name,
                        span: edition.span,
                    });
                }
            }
        }
    }
    // Without a policy-level help, `explain` shows the first rule's.
    if meta.help.is_none() {
        meta.help = p
            .rules
            .iter()
            .find_map(|r| r.help.as_ref())
            .map(|h| help_text(h, text, &consts));
    }
    match severity {
        Some(s) => meta.severity = s,
        None if !seen.contains(&"severity") => errors.push(CompileError::MissingSeverity {
            id: meta.id.clone(),
            span: p.id.span,
        }),
        None => {}
    }
    let mut ctx = Ctx::new(env, errors);
    let mut param_slots = Vec::new();
    for param in &p.params {
        let value = constant(
            &param.default,
            &env.consts,
            ctx.errors,
            &format!("the default of `{}`", param.name.name),
        );
        let declared = param.ty.as_ref().map(|t| type_of(t, ctx.errors));
        let (value, ty) = match (value, declared) {
            // `[]` and `null` do not tell the type, and no configured value could match theirs.
            (Some(value), None) if has_null(&value.ty) => {
                let name = &param.name.name;
                let span = param.default.span;
                let default = text.get(span.start..span.end).unwrap_or("…").to_string();
                let ty = if value.ty == Ty::Null {
                    "string"
                } else {
                    "list<string>"
                };
                ctx.errors.push(CompileError::UntypedParam {
                    help: format!(
                        "write it: `param {name}: {ty} = {default}` (a parameter is `string`, \
                         `int`, `bool`, `date`, `list<string>` or `list<int>`)"
                    ),
                    name: name.clone(),
                    default,
                    span: param.name.span,
                });
                (
                    ConstVal {
                        value: Value::Null,
                        ty: Ty::Error,
                    },
                    Ty::Error,
                )
            }
            (Some(value), None) => {
                let ty = value.ty.clone();
                (value, ty)
            }
            // A date parameter's default is written as an ISO 8601 string.
            (Some(value), Some(Some(Ty::Date))) if value.ty == Ty::Str => {
                let date = value.value.as_str().and_then(crate::base::dates::parse);
                if date.is_none() {
                    ctx.errors.push(CompileError::TypeMismatch {
                        message: format!(
                            "parameter `{}` is a date but its default is not one",
                            param.name.name
                        ),
                        span: param.default.span,
                        label: "not an ISO 8601 date (`2026-01-01`)".into(),
                    });
                }
                (
                    ConstVal {
                        value: date.map_or(Value::Null, Value::Date),
                        ty: Ty::Date,
                    },
                    Ty::Date,
                )
            }
            (Some(value), Some(Some(ty))) => {
                if !ty.compatible(&value.ty) {
                    ctx.errors.push(CompileError::TypeMismatch {
                        message: format!(
                            "parameter `{}` is `{ty}` but its default is `{}`",
                            param.name.name, value.ty
                        ),
                        span: param.default.span,
                        label: format!("this is `{}`", value.ty),
                    });
                }
                (value, ty)
            }
            // Already reported: the parameter exists with an unknown type, so its uses raise
            // nothing more.
            _ => (
                ConstVal {
                    value: Value::Null,
                    ty: Ty::Error,
                },
                Ty::Error,
            ),
        };
        if ctx.params.iter().any(|(n, _, _)| *n == param.name.name) {
            ctx.errors.push(CompileError::DuplicateName {
                name: param.name.name.clone(),
                span: param.name.span,
            });
            continue;
        }
        if let Some(e) = shadows_collection(&param.name, "parameter") {
            ctx.errors.push(e);
        }
        let slot = ctx.new_slot();
        ctx.params.push((param.name.name.clone(), slot, ty.clone()));
        param_slots.push(slot);
        meta.params.push(ParamInfo {
            name: param.name.name.clone(),
            ty: ty.to_string(),
            default: value.value,
        });
    }
    let rules: Vec<CRule> = p
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| CRule {
            label: rule_label(r, text),
            ..ctx.rule(r, i, help)
        })
        .collect();
    let Ctx {
        slots,
        lets,
        params,
        glob_params,
        enum_params,
        reads,
        help_errors,
        today,
        ..
    } = ctx;
    policy_help_errors(help_errors, &rules, errors);
    // Defaults of parameters used as globs or compared with enumerated fields.
    for param in &p.params {
        let Some(info) = meta.params.iter().find(|i| i.name == param.name.name) else {
            continue;
        };
        let strings: Vec<String> = match &info.default {
            Value::Str(t) => vec![t.to_string()],
            Value::List(l) => l
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if glob_params.contains(&info.name) {
            if let Err((glob, reason)) = glob_set(&strings) {
                errors.push(CompileError::BadGlob {
                    glob,
                    reason,
                    span: param.default.span,
                });
            }
        }
        for (_, record, field) in enum_params.iter().filter(|(n, ..)| *n == info.name) {
            let schema = crate::model::schema::record_by_name(record)
                .and_then(|r| Some((r, r.fields.iter().find(|f| f.name == *field)?)));
            if let Some((r, f)) = schema {
                for t in &strings {
                    errors.extend(unknown_value(r, f, t, param.default.span));
                }
            }
        }
    }
    let policy_help = meta_help(p, text, &consts);
    meta.rules = p
        .rules
        .iter()
        .zip(&rules)
        .map(|(r, c)| RuleInfo {
            text: c.label.clone(),
            label: r
                .label
                .as_ref()
                .map(|l| literal_attr(l, "a rule's `label`", errors)),
            help: r
                .help
                .as_ref()
                .map(|h| help_text(h, text, &consts))
                .or_else(|| policy_help.clone()),
            needs: requires_attr.clone().unwrap_or_else(|| c.requires.clone()),
        })
        .collect();
    if errors.len() > before {
        return None;
    }
    let param_types = params.into_iter().map(|(_, _, t)| t).collect();
    Some(CompiledPolicy {
        meta,
        rules,
        lets,
        slots,
        param_slots,
        param_types,
        glob_params,
        enum_params: enum_params
            .into_iter()
            .filter_map(|(name, record, field)| {
                let r = crate::model::schema::record_by_name(record)?;
                let f = r.fields.iter().find(|f| f.name == field)?;
                Some((name, format!("{record}.{field}"), f.values))
            })
            .collect(),
        requires_override: requires_attr,
        reads: dedup_reads(reads),
        reads_today: today,
    })
}

/// A short label of a rule, from its text: `for u in users`, `assert units >= members`
/// (at most 60 characters, white space folded).
fn rule_label(r: &RuleDef, text: &str) -> String {
    let src = |e: &Expr| {
        text.get(e.span.start..e.span.end)
            .unwrap_or("…")
            .to_string()
    };
    let label = match &r.kind {
        RuleKind::For { bindings, .. } => {
            let names: Vec<String> = bindings
                .iter()
                .map(|b| format!("{} in {}", b.name.name, src(&b.source)))
                .collect();
            format!("for {}", names.join(", "))
        }
        RuleKind::Assert { cond } => format!("assert {}", src(cond)),
    };
    let folded = label.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() > 60 {
        format!("{}…", folded.chars().take(59).collect::<String>())
    } else {
        folded
    }
}

/// The policy-level `help` as written (constants filled in), if the policy has one.
fn meta_help(p: &Policy, text: &str, consts: &BTreeMap<&str, String>) -> Option<String> {
    p.attrs.iter().find_map(|a| match &a.kind {
        AttrKind::Help(s) => Some(help_text(s, text, consts)),
        _ => None,
    })
}

/// The constants a help of policy `p` names, each with its value as a violation's help writes
/// it: those that no parameter of the policy, nor a binding or `let` of one of its rules,
/// hides.
fn help_constants<'e>(p: &Policy, env: &'e Env) -> BTreeMap<&'e str, String> {
    let mut bound: Vec<&str> = p.params.iter().map(|x| x.name.name.as_str()).collect();
    for r in &p.rules {
        bound.extend(r.lets.iter().map(|l| l.name.name.as_str()));
        if let RuleKind::For { bindings, lets, .. } = &r.kind {
            bound.extend(bindings.iter().map(|b| b.name.name.as_str()));
            bound.extend(lets.iter().map(|l| l.name.name.as_str()));
        }
    }
    env.consts
        .iter()
        .filter(|(name, _)| !bound.contains(&name.as_str()))
        .map(|(name, c)| (name.as_str(), super::types::value_text(&c.value)))
        .collect()
}

/// The help text shown by `explain`: the constants of `consts` filled in (see
/// [`help_constants`]), other interpolations kept as written.
fn help_text(s: &Str, text: &str, consts: &BTreeMap<&str, String>) -> String {
    let braces = |t: &str| t.replace('{', "{{").replace('}', "}}");
    s.parts
        .iter()
        .map(|p| match p {
            StrPart::Text(t) => braces(t),
            StrPart::Expr(e) => match &e.kind {
                ExprKind::Name(id) => consts.get(id.name.as_str()).map(|v| braces(v)),
                _ => None,
            }
            .unwrap_or_else(|| {
                format!("{{{}}}", text.get(e.span.start..e.span.end).unwrap_or("…"))
            }),
        })
        .collect()
}
