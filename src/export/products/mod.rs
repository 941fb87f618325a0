//! Each Defender product's deployment state, derived from what the export shows once every file
//! has been read: the `products` collection.
//!
//! For each product of [`PRODUCTS`] the model gets one record with its licence (from subscribed
//! SKUs and users' assigned plans), the mode the export's data shows (`observed`), the mode the
//! deployment declaration gives (`declared`), and the mode policies judge (`mode`: the
//! declaration where it says so, else the observed mode). A mode nothing decides is the
//! unknown value ([`crate::model::Value::Unknown`]) with a [`crate::model::Gap`] naming the
//! export that would show it: the rules that need it are not evaluated.

pub mod identity;
pub mod office;

use crate::model::Loc;

/// A product's deployment mode as a source shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Deployed, and acting on what it detects (blocking, remediating).
    Active,
    /// Deployed but only detecting or reporting (Defender Antivirus in passive mode, an
    /// evaluation that protects nothing).
    Passive,
    /// Not deployed, or not licensed.
    NotDeployed,
}

impl Mode {
    /// The value policies compare with: `active`, `passive`, `not_deployed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Active => "active",
            Mode::Passive => "passive",
            Mode::NotDeployed => "not_deployed",
        }
    }
}

/// What one source of the export says about a product's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The data shows the mode. `why` is a sentence for reports ("3 onboarded devices; none runs
    /// Defender Antivirus in active or EDR block mode"); `loc` is the value it rests on.
    Shown {
        /// The mode shown.
        mode: Mode,
        /// Why, in words (lowercase start, no final period).
        why: String,
        /// The value (or list) the mode rests on.
        loc: Option<Loc>,
    },
    /// The export holds the product's data but cannot decide (a list known to be incomplete,
    /// a field no record carries): why, in words naming what would decide it.
    Undecided {
        /// Why, in words (lowercase start, no final period).
        why: String,
        /// Where the export shows it.
        loc: Option<Loc>,
    },
}
