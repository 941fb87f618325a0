//! The compile driver: parses the sources and the files they import, orders them by import,
//! compiles every policy, and gathers every error of every file.

use super::compile as policy_compiler;
use super::error::{CompileError, CompileErrors, SourcedError};
use super::imports::{parse_units, unit_envs, PolicyFiles};
use super::ir::{CLet, CRule, Ty};
use super::{ast, parse, PolicyMeta, PolicySource};
use crate::base::render::Source;
use std::collections::BTreeMap;

/// A compiled policy.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub(super) meta: PolicyMeta,
    pub(super) rules: Vec<CRule>,
    pub(super) lets: Vec<CLet>,
    pub(super) slots: usize,
    pub(super) param_slots: Vec<usize>,
    pub(super) param_types: Vec<Ty>,
    /// The parameters used as globs, by name: their configured values must be valid globs.
    pub(super) glob_params: Vec<String>,
    /// The parameters compared with enumerated fields: (parameter, `record.field`, its values).
    pub(super) enum_params: Vec<(String, String, &'static [&'static str])>,
    pub(super) requires_override: Option<Vec<(&'static str, Option<&'static str>)>>,
    /// Every field of a record the policy reads: (record type, position in its schema).
    pub(super) reads: Vec<(&'static crate::model::schema::RecordSchema, usize)>,
    /// Whether the policy calls `today()` (itself, or through a definition).
    pub(super) reads_today: bool,
}

/// Every policy of the sources, in order.
#[derive(Debug, Clone)]
pub struct PolicySet {
    /// The compiled policies, in the order of the sources and of the policies in each file.
    pub policies: Vec<CompiledPolicy>,
}

/// Compiles policy sources together; collects every error of every file. Files they import
/// that are not among them are read with `files` (relative to the importing file).
///
/// # Errors
///
/// Every error of every file (syntax, names, types, imports, duplicate ids), each with its
/// file and source text.
pub fn compile(
    sources: &[PolicySource],
    files: &dyn PolicyFiles,
) -> Result<PolicySet, CompileErrors> {
    compile_nested(sources, files, parse::MAX_NESTING)
}

/// [`compile`] with another nesting limit (at most [`parse::MAX_NESTING_LIMIT`]).
///
/// # Errors
///
/// As [`compile`]; also an internal error when the compiler's thread cannot start.
pub fn compile_nested(
    sources: &[PolicySource],
    files: &dyn PolicyFiles,
    max_nesting: usize,
) -> Result<PolicySet, CompileErrors> {
    let max_nesting = max_nesting.min(parse::MAX_NESTING_LIMIT);
    parse::with_stack(|| compile_here(sources, files, max_nesting)).unwrap_or_else(|e| {
        let error = CompileError::Internal {
            message: format!("cannot start the compiler thread: {e}"),
            span: ast::Span::default(),
        };
        let src = Source::new("", "");
        Err(CompileErrors {
            errors: vec![SourcedError {
                error,
                file: String::new(),
                src,
            }],
        })
    })
}

fn compile_here(
    sources: &[PolicySource],
    files: &dyn PolicyFiles,
    max_nesting: usize,
) -> Result<PolicySet, CompileErrors> {
    let mut units = parse_units(sources, files, max_nesting);
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
            let compiled = policy_compiler::compile_policy(
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
        let src = Source::new(unit.source.name.as_str(), unit.source.text.as_str());
        all.extend(unit.errors.into_iter().map(|error| SourcedError {
            error,
            file: unit.source.name.clone(),
            src: src.clone(),
        }));
    }
    if all.is_empty() {
        Ok(PolicySet { policies })
    } else {
        Err(CompileErrors { errors: all })
    }
}
