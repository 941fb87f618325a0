//! The policy language: parse (pest) → spanned AST → compile (names, types, globs) → evaluate.
//! The reference is `docs/language.md`.
//!
//! Files: [`types`] (what a policy is and produces), [`imports`] (which files an import names;
//! reading them is the caller's, through [`PolicyFiles`]), [`driver`] (compiling a set of
//! files), [`run`] (running a compiled policy over a model); below them the parser, the
//! per-policy compiler and the evaluator.

pub mod ast;
pub mod builtins;
mod compile;
pub mod driver;
pub mod error;
pub mod eval;
pub mod format;
pub mod imports;
mod index;
pub mod ir;
pub mod parse;
pub mod run;
pub mod types;

pub use driver::{compile, compile_nested, CompiledPolicy, PolicySet};
pub use error::{render_errors, CompileError, CompileErrors, SourcedError};
pub use eval::EvalError;
pub use imports::{NoFiles, PolicyFiles};
pub use types::{
    Citation, Finding, Outcome, ParamInfo, PolicyMeta, PolicySource, RuleInfo, Severity, Skipped,
};
