//! Helpers every layer may use, depending on nothing of dexlint's own: positions in text
//! ([`lines`]) and "did you mean" suggestions ([`suggest`]).

pub mod lines;
pub mod suggest;
