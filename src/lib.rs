//! dexlint: a policy-as-code linter for Microsoft Defender Experts for XDR coverage.
//!
//! Pipeline: policy files are parsed (`policy::parse`) into a spanned AST, compiled and
//! type-checked against the tenant model's schema (`policy::compile`), and evaluated
//! (`policy::eval`) over a [`model::TenantModel`] that [`export`] loads from an export
//! directory; [`lint`] ties them together and [`report`] renders the result.
#![forbid(unsafe_code)]

pub mod authoring;
pub mod base;
pub mod baseline;
pub mod builtin;
pub mod catalogue;
pub mod cli;
pub mod commands;
pub mod config;
pub mod export;
#[doc(hidden)]
pub mod generate;
pub mod lint;
pub mod model;
pub mod outcome;
pub mod policy;
pub mod redact;
pub mod report;
pub mod testing;
