//! One adapter per source format: each turns a recognised document into model records.

pub mod arm;
pub mod declaration;
pub mod graph;
pub mod mde;
pub mod terraform;
