//! String functions.

use super::{map_str, test_strs, Builtin, Eval, Param, Returns};
use crate::policy::eval::Val;

/// The string functions.
pub const FUNCTIONS: &[Builtin] = &[
    Builtin {
        name: "lower",
        params: &[Param::Str],
        returns: Returns::Str,
        eval: Eval::Values(|a| map_str(&a, str::to_lowercase)),
        usage: "lower(s)",
        doc: "string → string",
    },
    Builtin {
        name: "upper",
        params: &[Param::Str],
        returns: Returns::Str,
        eval: Eval::Values(|a| map_str(&a, str::to_uppercase)),
        usage: "upper(s)",
        doc: "string → string",
    },
    Builtin {
        name: "trim",
        params: &[Param::Str],
        returns: Returns::Str,
        eval: Eval::Values(|a| map_str(&a, |s| s.trim().to_string())),
        usage: "trim(s)",
        doc: "string → string",
    },
    Builtin {
        name: "starts_with",
        params: &[Param::Str, Param::Str],
        returns: Returns::Bool,
        eval: Eval::Values(|a| test_strs(&a, |s, p| s.starts_with(p))),
        usage: "starts_with(s, p)",
        doc: "string, string → bool",
    },
    Builtin {
        name: "ends_with",
        params: &[Param::Str, Param::Str],
        returns: Returns::Bool,
        eval: Eval::Values(|a| test_strs(&a, |s, p| s.ends_with(p))),
        usage: "ends_with(s, p)",
        doc: "string, string → bool",
    },
    Builtin {
        name: "contains",
        params: &[Param::Str, Param::Str],
        returns: Returns::Bool,
        eval: Eval::Values(|a| test_strs(&a, |s, p| s.contains(p))),
        usage: "contains(s, p)",
        doc: "string, string → bool",
    },
    Builtin {
        name: "matches",
        params: &[Param::Str, Param::Glob],
        returns: Returns::Bool,
        eval: Eval::Glob,
        usage: "matches(s, glob)",
        doc: "string, string or list<string> → bool: s matches the glob (or one of the globs); globset syntax, case-insensitive (for letters beyond ASCII too); `?` and `[...]` match one byte, not one character (see \"Globs\"); a literal or const is checked at compile time, a parameter when the configuration is read",
    },
    Builtin {
        name: "join",
        params: &[Param::StrList, Param::Str],
        returns: Returns::Str,
        eval: Eval::Values(join),
        usage: "join(list, sep)",
        doc: "list<string>, string → string: the strings of the list separated by sep (for messages)",
    },
    Builtin {
        name: "similar",
        params: &[Param::Str, Param::Str],
        returns: Returns::Bool,
        eval: Eval::Values(|a| test_strs(&a, similar)),
        usage: "similar(a, b)",
        doc: "string, string → bool: a near miss of b (same letters ignoring case, separators `_ - . ` and spaces; b with a prefix/suffix added; Levenshtein distance ≤ 3 after normalising; fullwidth forms such as `＿` read as their ASCII characters) but not equal to b",
    },
];

/// `join(list, sep)`: the list's strings separated by `sep`; null unless both are there.
fn join(args: Vec<Val<'_>>) -> Val<'_> {
    let (Some(list), Some(Val::Str(sep))) = (args.first(), args.get(1)) else {
        return Val::Null;
    };
    let Some(n) = list.count() else {
        return Val::Null;
    };
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push_str(sep);
        }
        if let Val::Str(s) = list.get(i) {
            out.push_str(&s);
        }
    }
    Val::Str(std::borrow::Cow::Owned(out))
}

/// Whether a group named `name` stands for a renamed group of the reserved name `reserved`
/// (DEX001, DEX002, `dexlint scope`): a near miss ([`similar`]), unless the name adds to
/// `reserved` (holds it, ignoring case, and is more than it with case and surrounding spaces
/// ignored) while a group holds `reserved` itself (`held`): then it is another group, such as
/// `Defender_Experts_Scoped_Coverage_Devices_Excluded`. A twin that differs only in case or
/// surrounding spaces (`defender_experts_scoped_coverage_users`, a trailing space) adds
/// nothing: it is a near miss beside the exact group too.
pub fn renamed(name: &str, reserved: &str, held: bool) -> bool {
    let (lower, reserved_lower) = (name.to_lowercase(), reserved.to_lowercase());
    let adds = lower.contains(&reserved_lower) && lower.trim() != reserved_lower;
    similar(name, reserved) && !(held && adds)
}

/// `similar(a, b)`: `a` is a near miss of `b`: equal ignoring case, separators and spaces;
/// `b` with something added around it; or within edit distance 3 once normalised. Fullwidth
/// forms (U+FF01 to U+FF5E: `＿`, `－`, `Ｄ`) are read as the ASCII characters they stand for,
/// as Unicode's compatibility decomposition (NFKC) reads them.
pub fn similar(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let norm = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => u32::from(c)
                    .checked_sub(0xFEE0)
                    .and_then(char::from_u32)
                    .unwrap_or(c),
                _ => c,
            })
            .filter(|c| !matches!(c, '_' | '-' | '.') && !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (na, nb) = (norm(a), norm(b));
    if nb.is_empty() {
        return false;
    }
    // The distance is at least the difference in length: most names are told apart by it,
    // without the distance's quadratic work.
    let near_length = na.chars().count().abs_diff(nb.chars().count()) <= 3;
    na == nb || na.contains(&nb) || (near_length && strsim::levenshtein(&na, &nb) <= 3)
}
