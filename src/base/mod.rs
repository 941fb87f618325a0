//! Helpers every layer may use, depending on nothing of dexlint's own: positions in text
//! ([`lines`]), "did you mean" suggestions ([`suggest`]) and the drawing of diagnostics
//! ([`render`]).

pub mod lines;
pub mod render;
pub mod suggest;
