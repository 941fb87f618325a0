//! Functions of any value: size, presence, fallback.

use super::{Builtin, Eval, Param, Returns};
use crate::policy::eval::Val;

/// The functions of any value.
pub const FUNCTIONS: &[Builtin] = &[
    Builtin {
        name: "len",
        params: &[Param::StrOrList],
        returns: Returns::Int,
        eval: Eval::Values(len),
        usage: "len(x)",
        doc: "string or list → int",
    },
    Builtin {
        name: "exists",
        params: &[Param::Optional],
        returns: Returns::Bool,
        eval: Eval::Values(|a| Val::Bool(!matches!(a.first(), None | Some(Val::Null)))),
        usage: "exists(x)",
        doc: "any → bool: the value is present (not null)",
    },
    Builtin {
        name: "default",
        params: &[Param::Optional, Param::Any],
        returns: Returns::Same,
        eval: Eval::Values(default),
        usage: "default(x, y)",
        doc: "T, T → T: x unless null",
    },
];

/// `len(x)`: characters of a string, elements of a list; null otherwise.
fn len(args: Vec<Val<'_>>) -> Val<'_> {
    match args.first() {
        Some(Val::Str(x)) => Val::Int(x.chars().count() as i64),
        Some(v) => v.count().map_or(Val::Null, |n| Val::Int(n as i64)),
        None => Val::Null,
    }
}

/// `default(x, y)`: `x` unless it is null.
fn default(args: Vec<Val<'_>>) -> Val<'_> {
    let mut it = args.into_iter();
    match (it.next(), it.next()) {
        (Some(Val::Null) | None, Some(b)) => b,
        (Some(a), _) => a,
        (None, None) => Val::Null,
    }
}
