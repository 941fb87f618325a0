//! String functions.

use super::{map_str, test_strs, Builtin, Eval, Param, Returns};

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
        doc: "string, string → bool (globset glob, case-insensitive; glob must be a literal or const, checked at compile time)",
    },
    Builtin {
        name: "similar",
        params: &[Param::Str, Param::Str],
        returns: Returns::Bool,
        eval: Eval::Values(|a| test_strs(&a, similar)),
        usage: "similar(a, b)",
        doc: "string, string → bool: a near miss of b (same letters ignoring case, separators `_ - . ` and spaces; b with a prefix/suffix added; Levenshtein distance ≤ 3 after normalising) but not equal to b",
    },
];

/// `similar(a, b)`: `a` is a near miss of `b`: equal ignoring case, separators and spaces;
/// `b` with something added around it; or within edit distance 3 once normalised.
pub fn similar(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '_' | '-' | '.') && !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (na, nb) = (norm(a), norm(b));
    if nb.is_empty() {
        return false;
    }
    na == nb || na.contains(&nb) || strsim::levenshtein(&na, &nb) <= 3
}
