//! Helpers every layer may use, depending on nothing of dexlint's own: dates ([`dates`]), positions in text
//! ([`lines`]), "did you mean" suggestions ([`suggest`]) and the drawing of diagnostics
//! ([`render`]).

pub mod dates;
pub mod lines;
pub mod render;
pub mod suggest;
