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
    Builtin {
        name: "named",
        params: &[Param::Optional, Param::Str],
        returns: Returns::Str,
        eval: Eval::Values(named),
        usage: "named(name, id)",
        doc: "string, string → string: a record as messages name it, `` `name` (`id`) ``, or `` `id` `` when the name is null or is the id (for messages)",
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

/// `named(name, id)`: see [`crate::base::named`]; null unless `id` is a string.
fn named(args: Vec<Val<'_>>) -> Val<'_> {
    let name = match args.first() {
        Some(Val::Str(n)) => Some(n.as_ref()),
        _ => None,
    };
    match args.get(1) {
        Some(Val::Str(id)) => Val::Str(std::borrow::Cow::Owned(crate::base::named(name, id))),
        _ => Val::Null,
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
