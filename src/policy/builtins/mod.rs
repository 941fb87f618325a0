//! Built-in functions, declared once: each family's file holds a table of [`Builtin`]s
//! (name, signature, evaluation, docs) that the compiler type-checks calls against, the
//! evaluator runs, and `docs/language.md` lists ([`markdown_table`]). A new function is one
//! entry in one family's table.

pub mod dates;
pub mod strings;
pub mod values;

use super::eval::Val;
use std::borrow::Cow;
use std::fmt;

/// What a parameter of a built-in function accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// A string.
    Str,
    /// A string or a list.
    StrOrList,
    /// Any value; its absence from the export does not make the rule unjudgeable (`exists`,
    /// `default`'s first argument).
    Optional,
    /// Any value.
    Any,
    /// A glob pattern, or a list of them: a literal or `const` (compiled by the compiler), or
    /// a parameter (compiled once per run from its configured value).
    Glob,
    /// A date.
    Date,
    /// A list of strings.
    StrList,
}

/// The type of a built-in function's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// A string.
    Str,
    /// A boolean.
    Bool,
    /// An integer.
    Int,
    /// A date.
    Date,
    /// The type of the arguments, which must all be of one type.
    Same,
}

/// How a call is evaluated.
#[derive(Clone, Copy)]
pub enum Eval {
    /// A function of the evaluated arguments (as many as [`Builtin::params`]).
    Values(for<'e> fn(Vec<Val<'e>>) -> Val<'e>),
    /// Matching the first argument against the compiled glob of the second
    /// (`ir::CExpr::Matches`).
    Glob,
    /// The run's date (`today()`).
    Today,
}

impl fmt::Debug for Eval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Eval::Values(_) => "Values",
            Eval::Glob => "Glob",
            Eval::Today => "Today",
        })
    }
}

/// A built-in function.
#[derive(Debug)]
pub struct Builtin {
    /// The name it is called by.
    pub name: &'static str,
    /// Its parameters, in order (their count is its arity).
    pub params: &'static [Param],
    /// Its result type.
    pub returns: Returns,
    /// How a call is evaluated.
    pub eval: Eval,
    /// How a call is written in the docs (`lower(s)`).
    pub usage: &'static str,
    /// Its type and meaning, one Markdown table cell (`string → string`).
    pub doc: &'static str,
}

/// Every family's table, in the order the docs list them.
pub const FAMILIES: &[&[Builtin]] = &[strings::FUNCTIONS, values::FUNCTIONS, dates::FUNCTIONS];

/// Every built-in function.
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    FAMILIES.iter().flat_map(|f| f.iter())
}

/// The built-in function called `name`.
pub fn find(name: &str) -> Option<&'static Builtin> {
    all().find(|b| b.name == name)
}

/// The function table of `docs/language.md`: one row per function, `| usage | doc |`.
pub fn markdown_table() -> String {
    let mut out = String::from("| function | type |\n|---|---|\n");
    for b in all() {
        out.push_str(&format!("| `{}` | {} |\n", b.usage, b.doc));
    }
    out
}

/// The `i`th argument when it is a string.
fn text<'a, 'e>(args: &'a [Val<'e>], i: usize) -> Option<&'a Cow<'e, str>> {
    match args.get(i) {
        Some(Val::Str(s)) => Some(s),
        _ => None,
    }
}

/// A string → string function: null unless the argument is a string.
fn map_str<'e>(args: &[Val<'e>], f: impl FnOnce(&str) -> String) -> Val<'e> {
    text(args, 0).map_or(Val::Null, |s| Val::Str(Cow::Owned(f(s))))
}

/// A string, string → bool function: false unless both arguments are strings.
fn test_strs(args: &[Val<'_>], f: impl FnOnce(&str, &str) -> bool) -> Val<'static> {
    match (text(args, 0), text(args, 1)) {
        (Some(a), Some(b)) => Val::Bool(f(a, b)),
        _ => Val::Bool(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = all().map(|b| b.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn the_language_reference_lists_every_function() {
        let doc = include_str!("../../../docs/language.md");
        let start = "<!-- functions:start -->\n";
        let a = doc.find(start).map(|a| a + start.len());
        let b = doc.find("<!-- functions:end -->");
        let (Some(a), Some(b)) = (a, b) else {
            panic!("docs/language.md lacks the functions markers");
        };
        assert_eq!(
            doc.get(a..b),
            Some(markdown_table().as_str()),
            "update docs/language.md's function table from policy/builtins"
        );
    }
}
