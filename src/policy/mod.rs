//! The policy language: parse (pest) → spanned AST → compile (names, types, globs) → evaluate.
//! The reference is `docs/language.md`.

pub mod ast;
mod compile;
pub mod error;
pub mod eval;
pub mod format;
mod index;
pub mod ir;
pub mod parse;

pub use error::{CompileError, CompileErrors, SourcedError};
pub use eval::EvalError;

use crate::model::{Loc, TenantModel, Value};
use ir::{CExpr, CLet, CRule, Ty};
use miette::NamedSource;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A policy file's name (a path, or `builtin:FILE`) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    pub name: String,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

impl std::str::FromStr for Severity {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(()),
        }
    }
}

/// What a policy says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub tags: Vec<String>,
    pub docs: Option<String>,
    pub description: Option<String>,
    /// The policy-level help text as written (interpolations shown as `{…}`).
    pub help: Option<String>,
    pub example: Option<String>,
    /// The [`PolicySource::name`] it was compiled from.
    pub source: String,
    pub params: Vec<ParamInfo>,
    /// The catalogue editions it belongs to (`editions`); empty: every edition.
    pub editions: Vec<String>,
    /// The page it rests on in each edition (`cite`), in the order written.
    pub citations: Vec<Citation>,
}

/// A page of Microsoft's documentation that a policy rests on in one edition (`cite`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Citation {
    /// The edition name, such as `2026-07`.
    pub edition: String,
    /// The page title (its H1 or `title` front matter).
    pub title: String,
    pub url: String,
    /// The section heading the requirement is stated under.
    pub section: Option<String>,
    /// The page's `ms.date` as written there (MM/DD/YYYY).
    pub date: Option<String>,
    /// The sentence quoted from the page.
    pub quote: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParamInfo {
    pub name: String,
    pub ty: String,
    pub default: Value,
}

/// A violation found by a rule, before it is located in its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub message: String,
    pub help: Option<String>,
    pub loc: Option<Loc>,
    /// `collection/identity` of the first `for` binding's record.
    pub entity: Option<String>,
    /// Index of the rule in its policy.
    pub rule: usize,
    /// Byte ranges of `message` that are interpolated values (names, ids), not policy text.
    pub message_values: Vec<std::ops::Range<usize>>,
    /// Byte ranges of `help` that are interpolated values.
    pub help_values: Vec<std::ops::Range<usize>>,
}

/// A rule, or one entity of a rule, that could not be judged because its data is absent or
/// incomplete in the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Index of the rule in its policy (0-based).
    pub rule: usize,
    /// The rule's short label (`for u in users`).
    pub label: String,
    /// The record passed over (its identity), when only one entity's data is incomplete.
    pub entity: Option<String>,
    pub reason: String,
}

/// The result of running a policy on a model.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every rule ran on all its data.
    Findings(Vec<Finding>),
    /// Some rules ran; others, or some entities of a rule, were not judged.
    Partial(Vec<Finding>, Vec<Skipped>),
    /// No rule could run: the data it reads is absent from the export.
    NotEvaluated(String),
}

/// A compiled policy.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    meta: PolicyMeta,
    rules: Vec<CRule>,
    lets: Vec<CLet>,
    slots: usize,
    param_slots: Vec<usize>,
    param_types: Vec<Ty>,
    requires_override: Option<Vec<(&'static str, Option<&'static str>)>>,
}

/// Every policy of the sources, in order.
#[derive(Debug, Clone)]
pub struct Program {
    pub policies: Vec<CompiledPolicy>,
}

/// A file taking part in a compilation.
struct Unit {
    source: PolicySource,
    file: Option<ast::PolicyFile>,
    errors: Vec<CompileError>,
    /// Read only because another file imports it: its policies do not run.
    imported_only: bool,
    /// (unit index, span of the import) of each import.
    imports: Vec<(usize, ast::Span)>,
}

/// The name an import refers to, relative to the importing file.
fn import_name(importer: &str, path: &str) -> String {
    match importer.strip_prefix("builtin:") {
        Some(_) => format!("builtin:{path}"),
        None => {
            let base = std::path::Path::new(importer)
                .parent()
                .unwrap_or(std::path::Path::new(""));
            let joined = base.join(path);
            std::path::absolute(&joined)
                .unwrap_or(joined)
                .display()
                .to_string()
        }
    }
}

fn same_file(a: &str, b: &str) -> bool {
    a == b
        || (!a.starts_with("builtin:")
            && std::path::absolute(a).ok() == std::path::absolute(b).ok())
}

/// Parses the sources and every file they import (read from disk when not among them).
fn parse_units(sources: &[PolicySource], max_nesting: usize) -> Vec<Unit> {
    let mut units: Vec<Unit> = sources
        .iter()
        .map(|s| Unit {
            source: s.clone(),
            file: None,
            errors: Vec::new(),
            imported_only: false,
            imports: Vec::new(),
        })
        .collect();
    let mut i = 0;
    while let Some(unit) = units.get_mut(i) {
        match parse::parse_file_nested(&unit.source.text, max_nesting) {
            Err(e) => unit.errors.push(e),
            Ok(f) => unit.file = Some(f),
        }
        let importer = unit.source.name.clone();
        let wanted: Vec<(String, ast::Span, String)> = unit
            .file
            .iter()
            .flat_map(|f| &f.imports)
            .map(|imp| {
                (
                    imp.path.literal().unwrap_or_default(),
                    imp.span,
                    String::new(),
                )
            })
            .map(|(p, span, _)| (import_name(&importer, &p), span, p))
            .collect();
        for (name, span, written) in wanted {
            let found = units.iter().position(|u| same_file(&u.source.name, &name));
            let target = match found {
                Some(t) => t,
                None => match std::fs::read_to_string(&name) {
                    Ok(text) if !name.starts_with("builtin:") => {
                        units.push(Unit {
                            source: PolicySource {
                                name: name.clone(),
                                text,
                            },
                            file: None,
                            errors: Vec::new(),
                            imported_only: true,
                            imports: Vec::new(),
                        });
                        units.len() - 1
                    }
                    result => {
                        let reason = result
                            .err()
                            .map_or("no such policy file".to_string(), |e| e.to_string());
                        if let Some(u) = units.get_mut(i) {
                            u.errors.push(CompileError::Import {
                                path: written,
                                reason,
                                span,
                            });
                        }
                        continue;
                    }
                },
            };
            if let Some(u) = units.get_mut(i) {
                u.imports.push((target, span));
            }
        }
        i += 1;
    }
    units
}

/// The environments of every unit, in import order; an import that closes a cycle is an error
/// and contributes nothing.
fn unit_envs(units: &mut [Unit]) -> Vec<(compile::Env, compile::Env)> {
    fn visit(
        i: usize,
        units: &mut [Unit],
        state: &mut [u8],
        envs: &mut [Option<(compile::Env, compile::Env)>],
        path: &mut Vec<usize>,
    ) {
        if state.get(i) != Some(&0) {
            return;
        }
        if let Some(s) = state.get_mut(i) {
            *s = 1;
        }
        path.push(i);
        let imports = units.get(i).map(|u| u.imports.clone()).unwrap_or_default();
        let mut usable = Vec::new();
        for (j, span) in imports {
            if state.get(j) == Some(&1) {
                let start = path.iter().position(|&p| p == j).unwrap_or(0);
                let names: Vec<String> = path
                    .get(start..)
                    .unwrap_or(&[])
                    .iter()
                    .chain([&j])
                    .filter_map(|&k| units.get(k).map(|u| u.source.name.clone()))
                    .collect();
                if let Some(u) = units.get_mut(i) {
                    u.errors.push(CompileError::ImportCycle {
                        cycle: names.join(" → "),
                        span,
                    });
                }
                continue;
            }
            visit(j, units, state, envs, path);
            usable.push(j);
        }
        path.pop();
        let imported: Vec<compile::Env> = usable
            .iter()
            .filter_map(|&j| {
                envs.get(j)
                    .and_then(|e| e.as_ref())
                    .map(|(_, own)| own.clone())
            })
            .collect();
        let refs: Vec<&compile::Env> = imported.iter().collect();
        if let Some(u) = units.get_mut(i) {
            let env = match &u.file {
                Some(f) => compile::file_env(f, &refs, &mut u.errors),
                None => Default::default(),
            };
            if let Some(slot) = envs.get_mut(i) {
                *slot = Some(env);
            }
        }
        if let Some(s) = state.get_mut(i) {
            *s = 2;
        }
    }
    let n = units.len();
    let mut state = vec![0u8; n];
    let mut envs: Vec<Option<(compile::Env, compile::Env)>> = vec![None; n];
    for i in 0..n {
        visit(i, units, &mut state, &mut envs, &mut Vec::new());
    }
    envs.into_iter().map(Option::unwrap_or_default).collect()
}

/// Compiles policy sources together; collects every error of every file. Files they import
/// are read too (relative to the importing file).
pub fn compile(sources: &[PolicySource]) -> Result<Program, CompileErrors> {
    compile_nested(sources, parse::MAX_NESTING)
}

/// [`compile`] with another nesting limit (at most [`parse::MAX_NESTING_LIMIT`]).
pub fn compile_nested(
    sources: &[PolicySource],
    max_nesting: usize,
) -> Result<Program, CompileErrors> {
    let max_nesting = max_nesting.min(parse::MAX_NESTING_LIMIT);
    parse::with_stack(|| compile_here(sources, max_nesting)).unwrap_or_else(|e| {
        let error = CompileError::Internal {
            message: format!("cannot start the compiler thread: {e}"),
            span: ast::Span::default(),
        };
        let src = NamedSource::new("", Arc::<str>::from(""));
        Err(CompileErrors {
            errors: vec![SourcedError {
                error,
                file: String::new(),
                src,
            }],
        })
    })
}

fn compile_here(sources: &[PolicySource], max_nesting: usize) -> Result<Program, CompileErrors> {
    let mut units = parse_units(sources, max_nesting);
    let envs = unit_envs(&mut units);
    let mut policies: Vec<CompiledPolicy> = Vec::new();
    let mut first_seen: BTreeMap<String, String> = BTreeMap::new();
    for (unit, (env, _)) in units.iter_mut().zip(&envs) {
        let Some(file) = &unit.file else { continue };
        if unit.imported_only {
            continue;
        }
        for p in &file.policies {
            let duplicate = first_seen.get(&p.id.name).cloned();
            match &duplicate {
                Some(first) => unit.errors.push(CompileError::DuplicatePolicy {
                    id: p.id.name.clone(),
                    first: first.clone(),
                    span: p.id.span,
                }),
                None => {
                    first_seen.insert(p.id.name.clone(), unit.source.name.clone());
                }
            }
            // A duplicate is still compiled, for its own errors.
            let compiled = compile::compile_policy(
                p,
                &unit.source.name,
                &unit.source.text,
                env,
                &mut unit.errors,
            );
            if let (Some(c), None) = (compiled, duplicate) {
                policies.push(c);
            }
        }
    }
    let mut all = Vec::new();
    for unit in units {
        if unit.errors.is_empty() {
            continue;
        }
        let src = NamedSource::new(
            &unit.source.name,
            Arc::<str>::from(unit.source.text.as_str()),
        );
        all.extend(unit.errors.into_iter().map(|error| SourcedError {
            error,
            file: unit.source.name.clone(),
            src: src.clone(),
        }));
    }
    if all.is_empty() {
        Ok(Program { policies })
    } else {
        Err(CompileErrors { errors: all })
    }
}

fn json_to_value(v: &serde_json::Value, ty: &Ty) -> Option<Value> {
    Some(match (ty, v) {
        (Ty::Str, serde_json::Value::String(s)) => Value::Str(s.clone().into()),
        (Ty::Int, serde_json::Value::Number(n)) => Value::Int(n.as_i64()?),
        (Ty::Bool, serde_json::Value::Bool(b)) => Value::Bool(*b),
        (Ty::List(t), serde_json::Value::Array(items)) => Value::List(
            items
                .iter()
                .map(|i| json_to_value(i, t))
                .collect::<Option<Vec<_>>>()?
                .into(),
        ),
        (_, serde_json::Value::Null) => Value::Null,
        _ => return None,
    })
}

impl CompiledPolicy {
    pub fn meta(&self) -> &PolicyMeta {
        &self.meta
    }

    /// The (collection, field) pairs the policy reads, or its `requires` list.
    pub fn requirements(&self) -> Vec<(&'static str, Option<&'static str>)> {
        if let Some(r) = &self.requires_override {
            return r.clone();
        }
        let mut all: Vec<_> = self
            .rules
            .iter()
            .flat_map(|r| r.requires.iter().copied())
            .collect();
        compile::dedup_requires(&mut all);
        all
    }

    /// The parameter's type, when `value` (from a configuration) does not fit it; None when
    /// it fits or the policy has no such parameter.
    pub fn param_type_error(&self, name: &str, value: &serde_json::Value) -> Option<String> {
        let i = self.meta.params.iter().position(|p| p.name == name)?;
        let ty = self.param_types.get(i)?;
        match json_to_value(value, ty) {
            Some(_) => None,
            None => Some(ty.to_string()),
        }
    }

    /// The policy's metadata with `params` (from a configuration) as the parameters' values
    /// where they fit their types.
    pub fn meta_with_params(&self, params: &BTreeMap<String, serde_json::Value>) -> PolicyMeta {
        let mut meta = self.meta.clone();
        for (p, ty) in meta.params.iter_mut().zip(&self.param_types) {
            if let Some(v) = params.get(&p.name).and_then(|v| json_to_value(v, ty)) {
                p.default = v;
            }
        }
        meta
    }

    /// Runs every rule whose data the export has; `NotEvaluated` when none has.
    pub fn evaluate(
        &self,
        model: &TenantModel,
        params: &BTreeMap<String, serde_json::Value>,
    ) -> Result<Outcome, EvalError> {
        self.evaluate_with_budget(model, params, eval::DEFAULT_BUDGET)
    }

    pub fn evaluate_with_budget(
        &self,
        model: &TenantModel,
        params: &BTreeMap<String, serde_json::Value>,
        budget: u64,
    ) -> Result<Outcome, EvalError> {
        let mut values: Vec<Value> = self.meta.params.iter().map(|p| p.default.clone()).collect();
        for (name, v) in params {
            let Some(i) = self.meta.params.iter().position(|p| &p.name == name) else {
                return Err(EvalError::UnknownParam {
                    policy: self.meta.id.clone(),
                    param: name.clone(),
                });
            };
            let ty = self.param_types.get(i).unwrap_or(&Ty::Error);
            let value = json_to_value(v, ty).ok_or_else(|| EvalError::ParamType {
                policy: self.meta.id.clone(),
                param: name.clone(),
                ty: ty.to_string(),
                found: v.to_string(),
            })?;
            if let Some(slot) = values.get_mut(i) {
                *slot = value;
            }
        }
        let mut machine = eval::Machine {
            model,
            lets: &self.lets,
            frame: vec![None; self.slots],
            steps: 0,
            budget,
            policy: &self.meta.id,
            indexes: Default::default(),
            skip: Vec::new(),
        };
        for (slot, v) in self.param_slots.iter().zip(&values) {
            if let Some(s) = machine.frame.get_mut(*slot) {
                *s = Some(eval::Val::from_value(v));
            }
        }
        let mut findings = Vec::new();
        let mut skipped: Vec<Skipped> = Vec::new();
        let mut ran = false;
        for (i, rule) in self.rules.iter().enumerate() {
            let requires = self.requires_override.as_deref().unwrap_or(&rule.requires);
            let skip = |entity: Option<String>, reason: String| Skipped {
                rule: i,
                label: rule.label.clone(),
                entity,
                reason,
            };
            if let Some(why) = model.missing(requires) {
                skipped.push(skip(None, why));
                continue;
            }
            // Incomplete data of single entities: a rule over that collection passes over
            // them; any other rule cannot be judged.
            let gaps = model.entity_gaps(requires);
            let over = match &rule.kind {
                ir::CRuleKind::For { bindings, .. } => match bindings.first() {
                    Some((_, CExpr::Collection(c) | CExpr::Lookup { collection: c, .. })) => {
                        Some(*c)
                    }
                    _ => None,
                },
                ir::CRuleKind::Assert { .. } => None,
            };
            if let Some((_, gap)) = gaps.iter().find(|(c, _)| Some(*c) != over) {
                skipped.push(skip(gap.entity.clone(), gap.reason.clone()));
                continue;
            }
            machine.skip = gaps.iter().filter_map(|(_, g)| g.entity.clone()).collect();
            skipped.extend(
                gaps.iter()
                    .map(|(_, g)| skip(g.entity.clone(), g.reason.clone())),
            );
            ran = true;
            machine.rule(rule, i, &mut findings)?;
        }
        Ok(match (ran, skipped.is_empty()) {
            (_, true) => Outcome::Findings(findings),
            (true, false) => Outcome::Partial(findings, skipped),
            (false, false) => Outcome::NotEvaluated(
                skipped
                    .into_iter()
                    .next()
                    .map(|s| s.reason)
                    .unwrap_or_default(),
            ),
        })
    }
}

/// Every compile error in miette's graphical form.
pub fn render_errors(errors: &CompileErrors, color: bool, width: usize) -> String {
    let handler = crate::base::render::handler(color, width);
    let mut out = String::new();
    for e in errors.errors() {
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, e);
    }
    out
}
