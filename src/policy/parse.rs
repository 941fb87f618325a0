//! Parsing: pest turns the text into a parse tree (grammar/policy.pest); one lowering function
//! per grammar rule turns that into the spanned AST. Lowering never unwraps: a parse tree that
//! does not have the shape the grammar promises becomes an internal error, not a panic.

use super::ast::*;
use super::error::CompileError;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use std::sync::LazyLock;

/// The pest parser of `grammar/policy.pest`; its `Rule`s are the grammar's rules (private: the
/// parse tree never leaves this file).
mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/policy.pest"]
    pub(super) struct PolicyParser;
}
use grammar::{PolicyParser, Rule};

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left)
            | Op::infix(Rule::op_div, Assoc::Left)
            | Op::infix(Rule::op_rem, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::postfix(Rule::field))
});

/// The name of a token as a person reads it in "expected ..." messages.
fn token_name(r: &Rule) -> String {
    let s = match r {
        Rule::EOI => "end of file",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::comma => "`,`",
        Rule::dot => "`.`",
        Rule::colon => "`:`",
        Rule::eq => "`=`",
        Rule::lt => "`<`",
        Rule::gt => "`>`",
        Rule::ident => "a name",
        Rule::string | Rule::simple_string | Rule::triple_string => "a string",
        Rule::integer => "an integer",
        Rule::expr | Rule::quantifier | Rule::call | Rule::list | Rule::paren => "an expression",
        Rule::kw_policy => "`policy`",
        Rule::kw_const => "`const`",
        Rule::kw_import => "`import`",
        Rule::kw_def => "`def`",
        Rule::kw_param => "`param`",
        Rule::kw_for => "`for`",
        Rule::kw_in => "`in`",
        Rule::kw_let => "`let`",
        Rule::kw_where => "`where`",
        Rule::kw_report => "`report`",
        Rule::kw_assert => "`assert`",
        Rule::kw_help => "`help`",
        Rule::kw_label => "`label`",
        Rule::kw_severity => "`severity`",
        Rule::kw_tags => "`tags`",
        Rule::kw_docs => "`docs`",
        Rule::kw_description => "`description`",
        Rule::kw_example => "`example`",
        Rule::kw_requires => "`requires`",
        Rule::kw_editions => "`editions`",
        Rule::kw_cite => "`cite`",
        Rule::cite_field => "a citation field (`title`, `url`, `section`, `date`, `quote`)",
        Rule::kw_true => "`true`",
        Rule::kw_false => "`false`",
        Rule::kw_null => "`null`",
        Rule::kw_not | Rule::op_not => "`not`",
        Rule::op_or => "`or`",
        Rule::op_and => "`and`",
        Rule::op_not_in => "`not in`",
        Rule::op_in => "`in`",
        Rule::op_eq => "`==`",
        Rule::op_ne => "`!=`",
        Rule::op_le => "`<=`",
        Rule::op_ge => "`>=`",
        Rule::op_lt => "`<`",
        Rule::op_gt => "`>`",
        Rule::op_add => "`+`",
        Rule::op_sub | Rule::op_neg => "`-`",
        Rule::op_mul => "`*`",
        Rule::op_div => "`/`",
        Rule::op_rem => "`%`",
        Rule::field => "`.`",
        Rule::for_rule | Rule::assert_rule => "a rule (`for` or `assert`)",
        Rule::param => "`param`",
        Rule::rule_label => "`label`",
        Rule::rule_help => "`help`",
        Rule::attr_severity
        | Rule::attr_tags
        | Rule::attr_docs
        | Rule::attr_description
        | Rule::attr_help
        | Rule::attr_example
        | Rule::attr_requires
        | Rule::attr_editions
        | Rule::attr_cite => "an attribute",
        Rule::quant_kind => "`any`, `all`, `count` or `sum`",
        Rule::brace_escape | Rule::escape | Rule::unicode_escape => "an escape",
        Rule::interpolation => "`{`",
        Rule::text | Rule::triple_text => "text",
        Rule::quote => "`\"`",
        Rule::triple_quote => "`\"\"\"`",
        other => return format!("`{other:?}`"),
    };
    s.to_string()
}

/// Turns a pest error into a spanned syntax error with readable token names.
fn syntax_error(e: pest::error::Error<Rule>, source: &str) -> CompileError {
    let (start, end) = match e.location {
        pest::error::InputLocation::Pos(p) => (p, p),
        pest::error::InputLocation::Span((a, b)) => (a, b),
    };
    let message = match &e.variant {
        pest::error::ErrorVariant::ParsingError {
            positives,
            negatives,
        } => {
            let mut names: Vec<String> = positives.iter().map(token_name).collect();
            names.sort();
            names.dedup();
            if names.is_empty() {
                let mut un: Vec<String> = negatives.iter().map(token_name).collect();
                un.sort();
                un.dedup();
                format!("unexpected {}", un.join(" or "))
            } else {
                format!("expected {}", join_or(&names))
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    // Label the offending token: a word, or one character.
    let end = if end > start {
        end
    } else {
        let rest = source.get(start..).unwrap_or("");
        let word = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let len = if word > 0 {
            word
        } else {
            rest.chars().next().map_or(0, char::len_utf8)
        };
        start + len
    };
    let found = source
        .get(start..end)
        .filter(|s| !s.trim().is_empty())
        .map(|s| format!("found `{s}`"));
    CompileError::Syntax {
        message,
        span: Span::new(start, end),
        found: found.unwrap_or_else(|| "here".into()),
        help: slip_hint(source.get(start..).unwrap_or("")).or_else(|| {
            in_string_braces(source, start).then(|| {
                "a `{` in a string starts an interpolation, `{expr}`: write `{{` and `}}` for \
                 literal braces (a glob's `{a,b}` is written `{{a,b}}`)"
                    .to_string()
            })
        }),
    }
}

/// Whether offset `pos` of `source` is inside an interpolation `{...}` of a string literal, or
/// at a lone `}` of one: where a brace meant literally (a glob's `{a,b}`) stops the parser.
fn in_string_braces(source: &str, pos: usize) -> bool {
    #[derive(PartialEq)]
    enum In {
        Code,
        Text { triple: bool },
        Interpolation,
    }
    let mut stack = vec![In::Code];
    let mut chars = source.char_indices().peekable();
    let ahead = |at: usize, s: &str| source.get(at..).is_some_and(|r| r.starts_with(s));
    while let Some((i, c)) = chars.next() {
        let top = stack.last().unwrap_or(&In::Code);
        if i >= pos {
            return *top == In::Interpolation || (matches!(top, In::Text { .. }) && c == '}');
        }
        let mut skip = 0;
        match (top, c) {
            (In::Code, '#') => while chars.next_if(|(_, c)| *c != '\n').is_some() {},
            (In::Code | In::Interpolation, '"') => {
                let triple = ahead(i, "\"\"\"");
                skip = if triple { 2 } else { 0 };
                stack.push(In::Text { triple });
            }
            (In::Interpolation, '}') => {
                stack.pop();
            }
            (In::Text { .. }, '\\') => skip = 1,
            (In::Text { .. }, '{' | '}') if ahead(i + 1, &c.to_string()) => skip = 1,
            (In::Text { .. }, '{') => stack.push(In::Interpolation),
            (In::Text { triple: true }, '"') if ahead(i, "\"\"\"") => {
                skip = 2;
                stack.pop();
            }
            (In::Text { triple: false }, '"') => {
                stack.pop();
            }
            _ => {}
        }
        for _ in 0..skip {
            chars.next();
        }
    }
    stack.last() == Some(&In::Interpolation)
}

/// A hint for what other languages write and this one does not, at the text where parsing
/// stopped.
fn slip_hint(rest: &str) -> Option<String> {
    let hint = if rest.starts_with("&&") {
        "write `and` for `&&`"
    } else if rest.starts_with("||") {
        "write `or` for `||`"
    } else if rest.starts_with('!') && !rest.starts_with("!=") {
        "write `not` for `!`"
    } else if rest.starts_with('=') && !rest.starts_with("==") {
        "compare with `==`: a single `=` only gives a `let`, `param` or `const` its value"
    } else if rest.starts_with('\'') {
        "strings are written in double quotes (`\"...\"`), not single quotes"
    } else {
        return None;
    };
    Some(hint.to_string())
}

fn join_or(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The span of a pair, ending at its last token: pest counts the whitespace and comments
/// skipped after a trailing repetition as part of the rule, which no label should cover.
fn span(pair: &Pair<'_, Rule>) -> Span {
    let start = pair.as_span().start();
    let mut last = pair.clone();
    while let Some(child) = last.clone().into_inner().last() {
        last = child;
    }
    Span::new(start, last.as_span().end().max(start))
}

type Res<T> = Result<T, CompileError>;

fn internal(pair: Option<&Pair<'_, Rule>>, what: &str) -> CompileError {
    CompileError::Internal {
        message: format!("unexpected parse tree: {what}"),
        span: pair.map(span).unwrap_or_default(),
    }
}

/// Iterates the children of a pair, asking for the next child of a given rule.
struct Children<'i> {
    inner: std::iter::Peekable<Pairs<'i, Rule>>,
    parent: Span,
}

impl<'i> Children<'i> {
    fn of(pair: Pair<'i, Rule>) -> Self {
        let parent = span(&pair);
        Children {
            inner: pair.into_inner().peekable(),
            parent,
        }
    }
    fn next(&mut self) -> Res<Pair<'i, Rule>> {
        self.inner.next().ok_or(CompileError::Internal {
            message: "unexpected parse tree: missing child".into(),
            span: self.parent,
        })
    }
    fn expect(&mut self, want: Rule) -> Res<Pair<'i, Rule>> {
        let p = self.next()?;
        if p.as_rule() == want {
            Ok(p)
        } else {
            Err(internal(
                Some(&p),
                &format!("{:?} instead of {want:?}", p.as_rule()),
            ))
        }
    }
    /// Takes the next child when it is of `rule`.
    fn take(&mut self, want: Rule) -> Option<Pair<'i, Rule>> {
        if self.inner.peek().map(|p| p.as_rule()) == Some(want) {
            self.inner.next()
        } else {
            None
        }
    }
    fn peek_rule(&mut self) -> Option<Rule> {
        self.inner.peek().map(|p| p.as_rule())
    }
}

/// Deepest nesting of brackets, parentheses, braces and prefix operators a policy may have by
/// default (`max-policy-nesting` in dexlint.toml): parsing, compiling and evaluating are
/// recursive, and this bound keeps them within the stack.
pub const MAX_NESTING: usize = 128;
/// Highest nesting limit that can be configured: what the compiler's 64 MB stack holds in a
/// debug build.
pub const MAX_NESTING_LIMIT: usize = 1000;

/// The first place where nesting exceeds `limit`, counted on the raw text before parsing.
/// Parsing, compiling and evaluating recurse once per level of the expression tree: a bracket,
/// parenthesis, brace or interpolation (`{expr}` in a string) opens a level, and so does each
/// operator of an expression (`a + b + c` is a tree two deep, `not not x` too; `x.a.b` two).
/// Operators are counted per expression: a comma or an operand that follows an operand (the
/// next clause: `... report x`) starts a new one. The text of strings and comments is not
/// counted (a `(` or `-` in a help text nests nothing).
fn too_deep(source: &str, limit: usize) -> Option<Span> {
    /// Where the scan is: in a string (triple-quoted or not), or in an interpolation opened at
    /// this depth.
    enum In {
        Str(bool),
        Interpolation(usize),
    }
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    // Open levels (each with the operators its expression had when it opened), their count
    // and those operators' sum, and the operators of the current expression.
    let mut levels: Vec<usize> = Vec::new();
    let (mut carried, mut ops) = (0usize, 0usize);
    // Whether the last token ended an operand, and whether the last character was an
    // operator's (`==` is one operator).
    let (mut operand, mut op_run) = (false, false);
    let mut stack: Vec<In> = Vec::new();
    let mut word = String::new();
    let mut i = 0;
    while let Some(&(offset, c)) = chars.get(i) {
        i += 1;
        let mut open = false;
        if let Some(In::Str(triple)) = stack.last() {
            let triple = *triple;
            match c {
                // `\u{41}` is one character, not an interpolation.
                '\\' if at(i) == Some('u') && at(i + 1) == Some('{') => {
                    while at(i).is_some_and(|c| c != '}' && c != '"') {
                        i += 1;
                    }
                    i += usize::from(at(i) == Some('}'));
                }
                '\\' => i += 1,
                '{' | '}' if at(i) == Some(c) => i += 1,
                '{' => {
                    open = true;
                    stack.push(In::Interpolation(levels.len() + 1));
                }
                // A simple string ends at its closing quote, or (unterminated: a syntax error)
                // at the line's end, after which code is counted again.
                '"' | '\n' if !triple => {
                    stack.pop();
                    operand = true;
                }
                '"' if at(i) == Some('"') && at(i + 1) == Some('"') => {
                    i += 2;
                    stack.pop();
                    operand = true;
                }
                _ => {}
            }
        } else if c.is_alphanumeric() || c == '_' {
            word.push(c);
            op_run = false;
            continue;
        } else {
            if !word.is_empty() {
                if matches!(word.as_str(), "and" | "or" | "not" | "in") {
                    ops += 1;
                    operand = false;
                } else {
                    if operand {
                        ops = 0;
                    }
                    operand = true;
                }
                word.clear();
            }
            let op_char = matches!(c, '+' | '-' | '*' | '/' | '%' | '=' | '!' | '<' | '>' | '.');
            match c {
                '#' => {
                    while at(i).is_some_and(|c| c != '\n') {
                        i += 1;
                    }
                }
                '"' => {
                    let triple = at(i) == Some('"') && at(i + 1) == Some('"');
                    if triple {
                        i += 2;
                    }
                    if operand {
                        ops = 0;
                    }
                    stack.push(In::Str(triple));
                }
                '(' | '[' | '{' => open = true,
                '}' if matches!(stack.last(), Some(In::Interpolation(d)) if *d == levels.len()) => {
                    stack.pop();
                    ops = levels.pop().unwrap_or(0);
                    carried = carried.saturating_sub(ops);
                    operand = false;
                }
                ')' | ']' | '}' => {
                    ops = levels.pop().unwrap_or(0);
                    carried = carried.saturating_sub(ops);
                    operand = true;
                }
                ',' => {
                    ops = 0;
                    operand = false;
                }
                _ if op_char => {
                    if !op_run {
                        ops += 1;
                    }
                    operand = false;
                }
                _ => {}
            }
            op_run = op_char;
        }
        if open {
            levels.push(ops);
            carried += ops;
            ops = 0;
            operand = false;
        }
        if levels.len() + carried + ops > limit {
            return Some(Span::new(offset, offset + c.len_utf8()));
        }
    }
    None
}

/// Runs `f` on a thread with a stack large enough for [`MAX_NESTING_LIMIT`] levels in any build
/// (test threads have 2 MB). Fails only when no thread can be started.
pub(crate) fn with_stack<T: Send>(f: impl FnOnce() -> T + Send) -> std::io::Result<T> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(scope, f)?;
        Ok(handle
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e)))
    })
}

/// Parses a whole policy file.
pub fn parse_file(source: &str) -> Res<PolicyFile> {
    parse_file_nested(source, MAX_NESTING)
}

/// Parses a whole policy file nested at most `limit` levels deep.
pub fn parse_file_nested(source: &str, limit: usize) -> Res<PolicyFile> {
    if let Some(span) = too_deep(source, limit) {
        return Err(CompileError::TooDeep { limit, span });
    }
    let mut pairs = PolicyParser::parse(Rule::file, source).map_err(|e| syntax_error(e, source))?;
    let file = pairs.next().ok_or(CompileError::Internal {
        message: "empty parse".into(),
        span: Span::default(),
    })?;
    lower_file(file)
}

fn lower_file(pair: Pair<'_, Rule>) -> Res<PolicyFile> {
    let mut file = PolicyFile::default();
    for item in pair.into_inner() {
        match item.as_rule() {
            Rule::import_decl => {
                let span = span(&item);
                let mut c = Children::of(item);
                c.expect(Rule::kw_import)?;
                file.imports.push(Import {
                    path: lower_string(c.expect(Rule::string)?)?,
                    span,
                });
            }
            Rule::const_decl => file.consts.push(lower_const(item)?),
            Rule::def_decl => file.defs.push(lower_def(item)?),
            Rule::policy => file.policies.push(lower_policy(item)?),
            Rule::EOI => {}
            _ => return Err(internal(Some(&item), "file item")),
        }
    }
    Ok(file)
}

fn lower_ident(pair: Pair<'_, Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: span(&pair),
    }
}

fn lower_const(pair: Pair<'_, Rule>) -> Res<Const> {
    let sp = span(&pair);
    let mut c = Children::of(pair);
    c.expect(Rule::kw_const)?;
    let name = lower_ident(c.expect(Rule::ident)?);
    c.expect(Rule::eq)?;
    let value = lower_expr(c.expect(Rule::expr)?)?;
    Ok(Const {
        name,
        value,
        span: sp,
    })
}

fn lower_def(pair: Pair<'_, Rule>) -> Res<Def> {
    let sp = span(&pair);
    let mut c = Children::of(pair);
    c.expect(Rule::kw_def)?;
    let name = lower_ident(c.expect(Rule::ident)?);
    c.expect(Rule::lparen)?;
    let mut params = Vec::new();
    while let Some(p) = c.take(Rule::def_param) {
        let mut pc = Children::of(p);
        let pname = lower_ident(pc.expect(Rule::ident)?);
        pc.expect(Rule::colon)?;
        params.push((pname, lower_type(pc.expect(Rule::type_expr)?)?));
        c.take(Rule::comma);
    }
    c.expect(Rule::rparen)?;
    c.expect(Rule::eq)?;
    let body = lower_expr(c.expect(Rule::expr)?)?;
    Ok(Def {
        name,
        params,
        body,
        span: sp,
    })
}

fn lower_policy(pair: Pair<'_, Rule>) -> Res<Policy> {
    let sp = span(&pair);
    let mut c = Children::of(pair);
    c.expect(Rule::kw_policy)?;
    let id = lower_ident(c.expect(Rule::ident)?);
    let title = lower_string(c.expect(Rule::string)?)?;
    c.expect(Rule::lbrace)?;
    let mut policy = Policy {
        id,
        title,
        attrs: Vec::new(),
        params: Vec::new(),
        rules: Vec::new(),
        span: sp,
    };
    loop {
        let p = c.next()?;
        match p.as_rule() {
            Rule::param => policy.params.push(lower_param(p)?),
            Rule::for_rule | Rule::assert_rule => policy.rules.push(lower_rule(p)?),
            Rule::rbrace => break,
            Rule::attr_severity
            | Rule::attr_tags
            | Rule::attr_docs
            | Rule::attr_description
            | Rule::attr_help
            | Rule::attr_example
            | Rule::attr_requires
            | Rule::attr_editions
            | Rule::attr_cite => policy.attrs.push(lower_attr(p)?),
            _ => return Err(internal(Some(&p), "policy body")),
        }
    }
    Ok(policy)
}

fn lower_attr(pair: Pair<'_, Rule>) -> Res<Attr> {
    let sp = span(&pair);
    let which = pair.as_rule();
    let mut c = Children::of(pair);
    let keyword = span(&c.next()?);
    let kind = match which {
        Rule::attr_severity => AttrKind::Severity(lower_ident(c.expect(Rule::ident)?)),
        Rule::attr_tags => {
            let mut tags = vec![lower_string(c.expect(Rule::string)?)?];
            while c.take(Rule::comma).is_some() {
                tags.push(lower_string(c.expect(Rule::string)?)?);
            }
            AttrKind::Tags(tags)
        }
        Rule::attr_docs => AttrKind::Docs(lower_string(c.expect(Rule::string)?)?),
        Rule::attr_description => AttrKind::Description(lower_string(c.expect(Rule::string)?)?),
        Rule::attr_help => AttrKind::Help(lower_string(c.expect(Rule::string)?)?),
        Rule::attr_example => AttrKind::Example(lower_string(c.expect(Rule::string)?)?),
        Rule::attr_requires => {
            let mut reqs = vec![lower_requirement(c.expect(Rule::requirement)?)?];
            while c.take(Rule::comma).is_some() {
                reqs.push(lower_requirement(c.expect(Rule::requirement)?)?);
            }
            AttrKind::Requires(reqs)
        }
        Rule::attr_editions => {
            let mut names = vec![lower_string(c.expect(Rule::string)?)?];
            while c.take(Rule::comma).is_some() {
                names.push(lower_string(c.expect(Rule::string)?)?);
            }
            AttrKind::Editions(names)
        }
        Rule::attr_cite => {
            let edition = lower_string(c.expect(Rule::string)?)?;
            c.expect(Rule::lbrace)?;
            let mut fields = Vec::new();
            while let Some(f) = c.take(Rule::cite_field) {
                let mut fc = Children::of(f);
                let name = lower_ident(fc.expect(Rule::ident)?);
                fields.push((name, lower_string(fc.expect(Rule::string)?)?));
            }
            c.expect(Rule::rbrace)?;
            AttrKind::Cite { edition, fields }
        }
        _ => {
            return Err(CompileError::Internal {
                message: "unexpected parse tree: attribute".into(),
                span: sp,
            })
        }
    };
    Ok(Attr {
        kind,
        keyword,
        span: sp,
    })
}

fn lower_requirement(pair: Pair<'_, Rule>) -> Res<(Ident, Option<Ident>)> {
    let mut c = Children::of(pair);
    let coll = lower_ident(c.expect(Rule::ident)?);
    let field = match c.take(Rule::dot) {
        Some(_) => Some(lower_ident(c.expect(Rule::ident)?)),
        None => None,
    };
    Ok((coll, field))
}

fn lower_param(pair: Pair<'_, Rule>) -> Res<Param> {
    let sp = span(&pair);
    let mut c = Children::of(pair);
    c.expect(Rule::kw_param)?;
    let name = lower_ident(c.expect(Rule::ident)?);
    let ty = match c.take(Rule::colon) {
        Some(_) => Some(lower_type(c.expect(Rule::type_expr)?)?),
        None => None,
    };
    c.expect(Rule::eq)?;
    let default = lower_expr(c.expect(Rule::expr)?)?;
    Ok(Param {
        name,
        ty,
        default,
        span: sp,
    })
}

fn lower_type(pair: Pair<'_, Rule>) -> Res<TypeExpr> {
    let sp = span(&pair);
    let mut c = Children::of(pair);
    let name = lower_ident(c.expect(Rule::ident)?);
    let arg = match c.take(Rule::lt) {
        Some(_) => {
            let t = lower_type(c.expect(Rule::type_expr)?)?;
            c.expect(Rule::gt)?;
            Some(Box::new(t))
        }
        None => None,
    };
    Ok(TypeExpr {
        name,
        arg,
        span: sp,
    })
}

fn lower_let(pair: Pair<'_, Rule>) -> Res<Let> {
    let mut c = Children::of(pair);
    c.expect(Rule::kw_let)?;
    let name = lower_ident(c.expect(Rule::ident)?);
    c.expect(Rule::eq)?;
    let value = lower_expr(c.expect(Rule::expr)?)?;
    Ok(Let { name, value })
}

fn lower_binding(pair: Pair<'_, Rule>) -> Res<Binding> {
    let mut c = Children::of(pair);
    let name = lower_ident(c.expect(Rule::ident)?);
    c.expect(Rule::kw_in)?;
    let source = lower_expr(c.expect(Rule::expr)?)?;
    Ok(Binding { name, source })
}

fn lower_rule(pair: Pair<'_, Rule>) -> Res<RuleDef> {
    let sp = span(&pair);
    let is_for = pair.as_rule() == Rule::for_rule;
    let mut c = Children::of(pair);
    let mut lets = Vec::new();
    while let Some(p) = c.take(Rule::let_clause) {
        lets.push(lower_let(p)?);
    }
    let kind = if is_for {
        c.expect(Rule::kw_for)?;
        let mut bindings = vec![lower_binding(c.expect(Rule::binding)?)?];
        while c.take(Rule::comma).is_some() {
            bindings.push(lower_binding(c.expect(Rule::binding)?)?);
        }
        let mut inner_lets = Vec::new();
        while let Some(p) = c.take(Rule::let_clause) {
            inner_lets.push(lower_let(p)?);
        }
        let filter = match c.take(Rule::where_clause) {
            Some(w) => {
                let mut wc = Children::of(w);
                wc.expect(Rule::kw_where)?;
                Some(lower_expr(wc.expect(Rule::expr)?)?)
            }
            None => None,
        };
        RuleKind::For {
            bindings,
            lets: inner_lets,
            filter,
        }
    } else {
        c.expect(Rule::kw_assert)?;
        RuleKind::Assert {
            cond: lower_expr(c.expect(Rule::expr)?)?,
        }
    };
    let mut report = Children::of(c.expect(Rule::report)?);
    report.expect(Rule::kw_report)?;
    let target = match report.take(Rule::expr) {
        Some(e) => Some(lower_expr(e)?),
        None => None,
    };
    let message = lower_string(report.expect(Rule::string)?)?;
    let label = match c.take(Rule::rule_label) {
        Some(l) => {
            let mut lc = Children::of(l);
            lc.expect(Rule::kw_label)?;
            Some(lower_string(lc.expect(Rule::string)?)?)
        }
        None => None,
    };
    let help = match c.take(Rule::rule_help) {
        Some(h) => {
            let mut hc = Children::of(h);
            hc.expect(Rule::kw_help)?;
            Some(lower_string(hc.expect(Rule::string)?)?)
        }
        None => None,
    };
    Ok(RuleDef {
        lets,
        kind,
        target,
        message,
        label,
        help,
        span: sp,
    })
}

/// A string literal: escapes decoded, interpolations parsed, triple-quoted text dedented.
fn lower_string(pair: Pair<'_, Rule>) -> Res<Str> {
    let sp = span(&pair);
    let inner = Children::of(pair).next()?;
    let triple = inner.as_rule() == Rule::triple_string;
    let mut parts: Vec<StrPart> = Vec::new();
    let push_text = |parts: &mut Vec<StrPart>, t: &str| match parts.last_mut() {
        Some(StrPart::Text(s)) => s.push_str(t),
        _ => parts.push(StrPart::Text(t.to_string())),
    };
    for p in inner.into_inner() {
        match p.as_rule() {
            Rule::text => push_text(&mut parts, p.as_str()),
            // A policy file saved with Windows line ends: its text's lines end in `\n` alone.
            Rule::triple_text => push_text(&mut parts, &p.as_str().replace("\r\n", "\n")),
            Rule::brace_escape => push_text(&mut parts, p.as_str().get(..1).unwrap_or("")),
            Rule::escape => {
                let decoded = decode_escape(p.as_str())
                    .ok_or_else(|| CompileError::BadEscape { span: span(&p) })?;
                push_text(&mut parts, decoded.encode_utf8(&mut [0; 4]));
            }
            Rule::quote | Rule::triple_quote => {}
            Rule::interpolation => {
                let mut ic = Children::of(p);
                parts.push(StrPart::Expr(lower_expr(ic.expect(Rule::expr)?)?));
            }
            _ => return Err(internal(Some(&p), "string part")),
        }
    }
    if triple {
        dedent(&mut parts);
    }
    Ok(Str {
        parts,
        triple,
        span: sp,
    })
}

fn decode_escape(s: &str) -> Option<char> {
    let body = s.strip_prefix('\\')?;
    Some(match body {
        "\"" => '"',
        "\\" => '\\',
        "n" => '\n',
        "t" => '\t',
        "r" => '\r',
        "{" => '{',
        "}" => '}',
        u => {
            char::from_u32(u32::from_str_radix(u.strip_prefix("u{")?.strip_suffix('}')?, 16).ok()?)?
        }
    })
}

/// Triple-quoted strings: drop the first line break, the common indentation of the text lines,
/// and trailing whitespace.
fn dedent(parts: &mut [StrPart]) {
    let texts: Vec<&str> = parts
        .iter()
        .filter_map(|p| {
            if let StrPart::Text(t) = p {
                Some(t.as_str())
            } else {
                None
            }
        })
        .collect();
    let joined = texts.join("");
    // Indentation is spaces and tabs only, here as where it is removed below: other whitespace
    // (a vertical tab, say) is text.
    let indent = joined
        .lines()
        .skip(1)
        .filter(|l| !l.trim_matches([' ', '\t']).is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter_mut().enumerate() {
        if let StrPart::Text(t) = part {
            let mut out = String::with_capacity(t.len());
            for (j, line) in t.split('\n').enumerate() {
                if j > 0 {
                    out.push('\n');
                    let ws = line.len() - line.trim_start_matches([' ', '\t']).len();
                    out.push_str(line.get(ws.min(indent)..).unwrap_or(""));
                } else {
                    out.push_str(line);
                }
            }
            if i == 0 {
                out = out
                    .trim_start_matches([' ', '\t'])
                    .trim_start_matches('\n')
                    .to_string();
            }
            if i == last {
                out = out.trim_end().to_string();
            }
            *t = out;
        }
    }
}

fn lower_expr(pair: Pair<'_, Rule>) -> Res<Expr> {
    PRATT
        .map_primary(lower_primary)
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            let s = Span::new(span(&op).start, rhs.span.end);
            let op = if op.as_rule() == Rule::op_not {
                UnOp::Not
            } else {
                UnOp::Neg
            };
            Ok(Expr {
                kind: ExprKind::Unary(op, Box::new(rhs)),
                span: s,
            })
        })
        .map_postfix(|lhs, op| {
            let lhs = lhs?;
            let s = Span::new(lhs.span.start, span(&op).end);
            let mut c = Children::of(op);
            c.expect(Rule::dot)?;
            let name = lower_ident(c.expect(Rule::ident)?);
            Ok(Expr {
                kind: ExprKind::Field(Box::new(lhs), name),
                span: s,
            })
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let s = Span::new(lhs.span.start, rhs.span.end);
            let op = match op.as_rule() {
                Rule::op_or => BinOp::Or,
                Rule::op_and => BinOp::And,
                Rule::op_eq => BinOp::Eq,
                Rule::op_ne => BinOp::Ne,
                Rule::op_lt => BinOp::Lt,
                Rule::op_le => BinOp::Le,
                Rule::op_gt => BinOp::Gt,
                Rule::op_ge => BinOp::Ge,
                Rule::op_in => BinOp::In,
                Rule::op_not_in => BinOp::NotIn,
                Rule::op_add => BinOp::Add,
                Rule::op_sub => BinOp::Sub,
                Rule::op_mul => BinOp::Mul,
                Rule::op_div => BinOp::Div,
                Rule::op_rem => BinOp::Rem,
                _ => return Err(internal(Some(&op), "operator")),
            };
            Ok(Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span: s,
            })
        })
        .parse(pair.into_inner())
}

fn lower_primary(pair: Pair<'_, Rule>) -> Res<Expr> {
    let sp = span(&pair);
    let kind = match pair.as_rule() {
        Rule::integer => ExprKind::Int(
            pair.as_str()
                .parse()
                .map_err(|_| CompileError::IntegerTooLarge { span: sp })?,
        ),
        Rule::kw_true => ExprKind::Bool(true),
        Rule::kw_false => ExprKind::Bool(false),
        Rule::kw_null => ExprKind::Null,
        Rule::ident => ExprKind::Name(lower_ident(pair)),
        Rule::string => ExprKind::Str(lower_string(pair)?),
        Rule::paren => {
            let mut c = Children::of(pair);
            c.expect(Rule::lparen)?;
            let mut e = lower_expr(c.expect(Rule::expr)?)?;
            e.span = sp;
            return Ok(e);
        }
        Rule::list => {
            let mut items = Vec::new();
            for p in pair.into_inner() {
                if p.as_rule() == Rule::expr {
                    items.push(lower_expr(p)?);
                }
            }
            ExprKind::List(items)
        }
        Rule::call => {
            let mut c = Children::of(pair);
            let name = lower_ident(c.expect(Rule::ident)?);
            c.expect(Rule::lparen)?;
            let mut args = Vec::new();
            while let Some(next) = c.peek_rule() {
                let p = c.next()?;
                if next == Rule::expr {
                    args.push(lower_expr(p)?);
                }
            }
            ExprKind::Call(name, args)
        }
        Rule::quantifier => {
            let mut c = Children::of(pair);
            let kind = match c.expect(Rule::quant_kind)?.as_str() {
                "any" => QuantKind::Any,
                "all" => QuantKind::All,
                "count" => QuantKind::Count,
                _ => QuantKind::Sum,
            };
            c.expect(Rule::lparen)?;
            let var = lower_ident(c.expect(Rule::ident)?);
            c.expect(Rule::kw_in)?;
            let source = Box::new(lower_expr(c.expect(Rule::expr)?)?);
            let filter = match c.take(Rule::quant_where) {
                Some(w) => {
                    let mut wc = Children::of(w);
                    wc.expect(Rule::kw_where)?;
                    Some(Box::new(lower_expr(wc.expect(Rule::expr)?)?))
                }
                None => None,
            };
            let body = match c.take(Rule::quant_body) {
                Some(b) => {
                    let mut bc = Children::of(b);
                    bc.expect(Rule::colon)?;
                    Some(Box::new(lower_expr(bc.expect(Rule::expr)?)?))
                }
                None => None,
            };
            ExprKind::Quant {
                kind,
                var,
                source,
                filter,
                body,
            }
        }
        _ => return Err(internal(Some(&pair), "primary expression")),
    };
    Ok(Expr { kind, span: sp })
}

/// Every `#` comment of a file (outside strings): start offset and text without the line end.
pub fn comments(source: &str) -> Vec<(usize, String)> {
    let Ok(mut pairs) = PolicyParser::parse(Rule::comment_scan, source) else {
        return Vec::new();
    };
    let Some(scan) = pairs.next() else {
        return Vec::new();
    };
    scan.into_inner()
        .filter(|p| p.as_rule() == Rule::line_comment)
        .map(|p| (p.as_span().start(), p.as_str().trim_end().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The depth `too_deep` counts for `source`: the least limit it passes.
    fn depth(source: &str) -> usize {
        (0..200)
            .find(|&l| too_deep(source, l).is_none())
            .unwrap_or(200)
    }

    #[test]
    fn nesting_is_counted_in_code_not_in_strings_or_comments() {
        assert_eq!(depth("f((x))"), 2);
        assert_eq!(depth("not not -x"), 3);
        // The text of strings and comments nests nothing.
        assert_eq!(depth(r#"help "see ((((( -- not""#), 0);
        assert_eq!(depth("\"\"\"a \"quoted\" ((( text\"\"\" x"), 0);
        assert_eq!(depth("# ((((( a comment\nx"), 0);
        assert_eq!(depth(r#"x "\" ((" y"#), 0);
        assert_eq!(depth(r#""{{ (( }}""#), 0);
        // An unterminated string ends with its line: what follows is counted.
        assert_eq!(depth("\"abc (\n((x))"), 2);
        // An interpolation is a level, and its expression nests as code, strings in it too.
        assert_eq!(depth(r#""a {f(x)} b""#), 2);
        assert_eq!(depth(r#""a {g("((", [y])} b""#), 3);
        assert_eq!(depth(r#"{ "{x}" } ("#), 2);
        // Each operator of an expression is a level of its tree; a comma or the next clause
        // starts another expression.
        assert_eq!(depth("x + x + x + x"), 3);
        assert_eq!(depth("x.a.a.a"), 3);
        assert_eq!(depth("a == b and c != d"), 3);
        assert_eq!(depth("f(a + b, c + d, e + f)"), 2);
        assert_eq!(depth("where a and b\n  report x + y"), 1);
        assert_eq!(depth("where a and b report \"{x}\""), 1);
        // Prefixes in calls add up with the levels they are in.
        assert_eq!(depth("not not f(not not f(x))"), 6);
        // `\u{41}` is a character, not an interpolation.
        assert_eq!(depth(r#"[ "\u{41}" ]"#), 1);
        // The place reported is where the limit is passed.
        let source = r#"help "((" f((x))"#;
        assert_eq!(too_deep(source, 1).map(|s| s.start), source.find("(x"));
    }
}
