//! Date functions. A date is milliseconds since 1970-01-01T00:00:00Z (see
//! [`crate::base::dates`]); `today()` is the run's date (`--today`, else the current UTC date),
//! the same date waivers expire against.

use super::{Builtin, Eval, Param, Returns};
use crate::base::dates;
use crate::policy::eval::Val;

/// The date functions.
pub const FUNCTIONS: &[Builtin] = &[
    Builtin {
        name: "date",
        params: &[Param::Str],
        returns: Returns::Date,
        eval: Eval::Values(date),
        usage: "date(s)",
        doc: "string → date: ISO 8601 (`2026-01-01`, `2026-01-01T08:00:00Z`); a literal that is not a date is a compile error, any other null",
    },
    Builtin {
        name: "today",
        params: &[],
        returns: Returns::Date,
        eval: Eval::Today,
        usage: "today()",
        doc: "→ date: midnight UTC of the run's date (`--today DATE`, else the current date), the date waivers expire against",
    },
    Builtin {
        name: "days_between",
        params: &[Param::Date, Param::Date],
        returns: Returns::Int,
        eval: Eval::Values(days_between),
        usage: "days_between(a, b)",
        doc: "date, date → int: whole days from a to b (negative when b is earlier), by UTC calendar date",
    },
];

fn date(args: Vec<Val<'_>>) -> Val<'_> {
    match args.first() {
        Some(Val::Str(s)) => dates::parse(s).map_or(Val::Null, Val::Date),
        _ => Val::Null,
    }
}

fn days_between(args: Vec<Val<'_>>) -> Val<'_> {
    match (args.first(), args.get(1)) {
        (Some(Val::Date(a)), Some(Val::Date(b))) => Val::Int(dates::days_between(*a, *b)),
        _ => Val::Null,
    }
}
