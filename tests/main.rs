//! The integration tests, as one test binary (one link instead of one per file): each module
//! is a file of this folder; `common` holds their shared helpers.

mod common;

mod authoring;
mod cli;
mod editions;
mod export_azure;
mod export_graph;
mod export_load;
mod gate;
mod gate_selection;
mod hostile;
mod never_silent;
mod policy_cases;
mod policy_errors;
mod policy_eval;
mod policy_fmt;
mod policy_grammar;
mod policy_imports;
mod pre_commit;
mod readme;
mod redact;
mod sandbox;
mod scale;
mod tenants;
