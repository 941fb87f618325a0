//! dexlint: a policy-as-code linter for Microsoft Defender Experts coverage.
//!
//! Pipeline: policy files are parsed (`policy::parse`) into a spanned AST, compiled and
//! type-checked against the tenant model's schema (`policy::compile`), and evaluated
//! (`policy::eval`) over a [`model::TenantModel`] that [`export`] loads from an export
//! directory; [`lint`] ties them together into an [`outcome::LintReport`] and [`report`]
//! renders it.
//!
//! # Layers
//!
//! Each module imports only modules of the layers below it (`tests/layers.rs` checks it):
//!
//! | layer | modules | what |
//! |---|---|---|
//! | 0 | [`base`], `generate` | text positions, did-you-mean, the miette handler; the benchmark's export generator |
//! | 1 | [`model`], [`edition`] | the tenant model and its schema; the editions of Microsoft's requirements (names, dates, per-edition parameter values) |
//! | 2 | [`policy`], [`export`] | the language (parse, compile, evaluate) and the loaders of export formats: siblings that never import each other |
//! | 3 | [`config`], [`builtin`], [`policy_files`], [`coverage`] | `dexlint.toml`; the embedded catalogue; policy files on disk for the compiler's imports; who and what scoped coverage covers |
//! | 4 | [`outcome`] | what a run found: violations, not-evaluated rules, diagnostics, the summary |
//! | 5 | [`lint`], [`baseline`], [`redact`] | the pipeline and the steps applied to its outcome |
//! | 6 | [`report`] | output formats, one file each, reading only [`outcome`] (and [`base`], [`edition`]) |
//! | 7 | [`testing`], [`authoring`], [`catalogue`], [`reference`](mod@crate::reference) | policy tests, list/explain/init, the generated catalogue docs, the tenant model's reference |
//! | 8 | [`commands`], [`cli`] | one file per subcommand; the clap definitions |
//!
//! Adding a source format is one file in `export/formats/` and a line in
//! `export::formats::FORMATS`; an output format, one file in `report/` and a variant of
//! `report::Format`; a built-in policy, one `.policy` file in `policies/` (embedded by
//! [`builtin`]) with its test cases.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod authoring;
pub mod base;
pub mod baseline;
pub mod builtin;
pub mod catalogue;
pub mod cli;
pub mod commands;
pub mod config;
pub mod coverage;
pub mod edition;
pub mod export;
#[doc(hidden)]
pub mod generate;
pub mod lint;
pub mod model;
pub mod outcome;
pub mod policy;
pub mod policy_files;
pub mod redact;
pub mod reference;
pub mod report;
pub mod testing;
