//! `dexlint fmt`: one canonical layout for policy files. The text is parsed, printed from the
//! tree, and the comments are put back before the item, attribute, parameter or rule they
//! preceded (a comment at the end of a line stays at the end of that line, after the clause
//! that ended there). Strings keep escapes for what cannot be seen: control characters,
//! spaces other than ` ` and invisible format characters (`\u{200B}`). Formatting is
//! idempotent and never changes meaning: `parse(format(x)) == parse(x)`.

use super::ast::*;
use super::error::CompileError;
use super::parse::{comments, parse_file};
use std::fmt::Write as _;

/// Longest line before a `where`/`assert` condition or a `let` value is broken at its
/// `and`/`or`.
const WIDTH: usize = 100;

/// Formats a policy file. Its line endings stay what they are: a file whose first line ends in
/// CRLF (a Windows checkout, Git's `core.autocrlf`) is written with CRLF throughout.
pub fn format(source: &str) -> Result<String, CompileError> {
    let run = |text: &str| {
        super::parse::with_stack(|| format_here(text)).unwrap_or_else(|e| {
            Err(CompileError::Internal {
                message: format!("cannot start the formatter thread: {e}"),
                span: Span::default(),
            })
        })
    };
    let crlf = source
        .split_once('\n')
        .is_some_and(|(line, _)| line.ends_with('\r'));
    if !crlf {
        return run(source);
    }
    // Formatted with LF (a text block's lines hold no `\r`), then CRLF again; an error is
    // placed in the file as it is.
    match run(&source.replace("\r\n", "\n")) {
        Ok(formatted) => Ok(formatted.replace('\n', "\r\n")),
        Err(_) => run(source),
    }
}

fn format_here(source: &str) -> Result<String, CompileError> {
    let file = parse_file(source)?;
    let mut p = Printer {
        source,
        comments: comments(source),
        next: 0,
        // A byte-order mark that opens the file is kept: formatting changes no encoding.
        out: if source.starts_with('\u{FEFF}') {
            "\u{FEFF}".to_string()
        } else {
            String::new()
        },
    };
    #[derive(Clone, Copy)]
    enum Item<'a> {
        Import(&'a Import),
        Const(&'a Const),
        Def(&'a Def),
        Policy(&'a Policy),
    }
    let mut items: Vec<(usize, Item<'_>)> = Vec::new();
    items.extend(file.imports.iter().map(|i| (i.span.start, Item::Import(i))));
    items.extend(file.consts.iter().map(|c| (c.span.start, Item::Const(c))));
    items.extend(file.defs.iter().map(|d| (d.span.start, Item::Def(d))));
    items.extend(
        file.policies
            .iter()
            .map(|x| (x.span.start, Item::Policy(x))),
    );
    items.sort_by_key(|(start, _)| *start);
    let mut previous: Option<&'static str> = None;
    for (_, item) in items {
        let kind = match item {
            Item::Import(_) => "import",
            Item::Const(_) => "const",
            Item::Def(_) => "def",
            Item::Policy(_) => "policy",
        };
        // Items of one kind stay together; a blank line separates kinds and every policy.
        if previous.is_some() && (previous != Some(kind) || kind == "policy") {
            p.out.push('\n');
        }
        previous = Some(kind);
        match item {
            Item::Import(i) => {
                p.leading(i.span.start, "");
                let line = format!("import {}", p.string(&i.path, ""));
                p.line("", &line, i.span.end);
            }
            Item::Const(c) => {
                p.leading(c.span.start, "");
                let line = format!("const {} = {}", c.name.name, p.expr(&c.value));
                p.line("", &line, c.span.end);
            }
            Item::Def(d) => {
                p.leading(d.span.start, "");
                let params: Vec<String> = d
                    .params
                    .iter()
                    .map(|(n, t)| format!("{}: {}", n.name, ty(t)))
                    .collect();
                let line = format!(
                    "def {}({}) = {}",
                    d.name.name,
                    params.join(", "),
                    p.expr(&d.body)
                );
                p.line("", &line, d.span.end);
            }
            Item::Policy(x) => p.policy(x),
        }
    }
    p.rest("");
    Ok(p.out)
}

fn ty(t: &TypeExpr) -> String {
    match &t.arg {
        Some(a) => format!("{}<{}>", t.name.name, ty(a)),
        None => t.name.name.clone(),
    }
}

struct Printer<'s> {
    source: &'s str,
    comments: Vec<(usize, String)>,
    /// Index of the next comment not yet printed.
    next: usize,
    out: String,
}

impl Printer<'_> {
    /// Comments that start before `pos`, each on its own line.
    fn leading(&mut self, pos: usize, indent: &str) {
        while let Some((start, text)) = self.comments.get(self.next) {
            if *start >= pos {
                break;
            }
            let _ = writeln!(self.out, "{indent}{text}");
            self.next += 1;
        }
    }

    /// Every comment not printed yet.
    fn rest(&mut self, indent: &str) {
        self.leading(usize::MAX, indent);
    }

    /// Prints one line of output for a node ending at `end`, with the comment that followed
    /// it on the same line.
    fn line(&mut self, indent: &str, text: &str, end: usize) {
        let _ = write!(self.out, "{indent}{text}");
        // A comment on the line where the node ends stays at the end of that line.
        let line_end = self
            .source
            .get(end..)
            .and_then(|r| r.find('\n'))
            .map_or(self.source.len(), |i| end + i);
        if let Some((start, comment)) = self.comments.get(self.next) {
            if *start >= end && *start < line_end {
                let _ = write!(self.out, " {comment}");
                self.next += 1;
            }
        }
        self.out.push('\n');
    }

    fn policy(&mut self, x: &Policy) {
        self.leading(x.span.start, "");
        let header = format!("policy {} {} {{", x.id.name, self.string(&x.title, ""));
        self.line("", &header, x.title.span.end);
        // Attributes and parameters keep the order they were written in.
        let mut order: Vec<(usize, Result<&Attr, &Param>)> = Vec::new();
        order.extend(x.attrs.iter().map(|a| (a.span.start, Ok(a))));
        order.extend(x.params.iter().map(|p| (p.span.start, Err(p))));
        order.sort_by_key(|(start, _)| *start);
        for (_, entry) in order {
            match entry {
                Ok(a) => {
                    self.leading(a.span.start, "  ");
                    let text = self.attr(a);
                    self.line("  ", &text, a.span.end);
                }
                Err(p) => {
                    self.leading(p.span.start, "  ");
                    let t =
                        p.ty.as_ref()
                            .map(|t| format!(": {}", ty(t)))
                            .unwrap_or_default();
                    let text = format!("param {}{t} = {}", p.name.name, self.expr(&p.default));
                    self.line("  ", &text, p.span.end);
                }
            }
        }
        for r in &x.rules {
            self.out.push('\n');
            self.rule(r);
        }
        self.leading(x.span.end, "  ");
        self.out.push_str("}\n");
    }

    fn attr(&mut self, a: &Attr) -> String {
        match &a.kind {
            AttrKind::Severity(s) => format!("severity {}", s.name),
            AttrKind::Tags(t) => format!(
                "tags {}",
                t.iter()
                    .map(|s| self.string(s, "  "))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            AttrKind::Docs(s) => format!("docs {}", self.string(s, "  ")),
            AttrKind::Description(s) => format!("description {}", self.string(s, "  ")),
            AttrKind::Help(s) => format!("help {}", self.string(s, "  ")),
            AttrKind::Example(s) => format!("example {}", self.string(s, "  ")),
            AttrKind::Requires(r) => {
                let items: Vec<String> = r
                    .iter()
                    .map(|(c, f)| match f {
                        Some(f) => format!("{}.{}", c.name, f.name),
                        None => c.name.clone(),
                    })
                    .collect();
                format!("requires {}", items.join(", "))
            }
            AttrKind::Editions(e) => format!(
                "editions {}",
                e.iter()
                    .map(|s| self.string(s, "  "))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            AttrKind::Cite { edition, fields } => {
                let mut text = format!("cite {} {{", self.string(edition, "  "));
                for (name, value) in fields {
                    let value = self.string(value, "    ");
                    text.push_str(&format!("\n    {} {value}", name.name));
                }
                text.push_str("\n  }");
                text
            }
        }
    }

    fn rule(&mut self, r: &RuleDef) {
        // Each clause on its own line, with the source offset where it ends.
        let mut lines: Vec<(String, usize)> = r
            .lets
            .iter()
            .map(|l| {
                let keyword = format!("let {} =", l.name.name);
                (self.condition(&keyword, &l.value), l.value.span.end)
            })
            .collect();
        match &r.kind {
            RuleKind::For {
                bindings,
                lets,
                filter,
            } => {
                let b: Vec<String> = bindings
                    .iter()
                    .map(|b| format!("{} in {}", b.name.name, self.expr(&b.source)))
                    .collect();
                let end = bindings.last().map_or(r.span.start, |b| b.source.span.end);
                lines.push((format!("for {}", b.join(", ")), end));
                for l in lets {
                    let keyword = format!("let {} =", l.name.name);
                    lines.push((self.condition(&keyword, &l.value), l.value.span.end));
                }
                if let Some(f) = filter {
                    lines.push((self.condition("where", f), f.span.end));
                }
            }
            RuleKind::Assert { cond } => {
                lines.push((self.condition("assert", cond), cond.span.end));
            }
        }
        let target = r
            .target
            .as_ref()
            .map(|t| format!("{} ", self.expr(t)))
            .unwrap_or_default();
        let report = format!("report {target}{}", self.string(&r.message, "  "));
        lines.push((report, r.message.span.end));
        if let Some(l) = &r.label {
            lines.push((format!("label {}", self.string(l, "  ")), l.span.end));
        }
        if let Some(h) = &r.help {
            lines.push((format!("help {}", self.string(h, "  ")), h.span.end));
        }
        // A comment that follows a clause on the line where it ends (nothing but spaces and
        // closing parentheses between them) stays after that clause; any other comment inside
        // the rule goes before it (its clauses are laid out anew).
        let mut trailing: Vec<Option<String>> = vec![None; lines.len()];
        while let Some((start, text)) = self.comments.get(self.next) {
            if *start >= r.span.end {
                break;
            }
            let owner = lines
                .iter()
                .rposition(|(_, end)| end <= start)
                .filter(|&k| {
                    lines
                        .get(k)
                        .and_then(|(_, end)| self.source.get(*end..*start))
                        .is_some_and(|gap| gap.chars().all(|c| matches!(c, ' ' | '\t' | ')')))
                });
            match owner.and_then(|k| trailing.get_mut(k)) {
                Some(slot @ None) => *slot = Some(text.clone()),
                _ => {
                    let _ = writeln!(self.out, "  {text}");
                }
            }
            self.next += 1;
        }
        let last = lines.len().saturating_sub(1);
        for (i, ((l, _), comment)) in lines.iter().zip(&trailing).enumerate() {
            match comment {
                Some(c) => {
                    let _ = writeln!(self.out, "  {l} {c}");
                }
                None if i == last => self.line("  ", l, r.span.end),
                None => {
                    let _ = writeln!(self.out, "  {l}");
                }
            }
        }
    }

    /// `where COND` (or `assert COND`, `let NAME = VALUE`), broken before each top-level
    /// `and`/`or` when too long.
    fn condition(&mut self, keyword: &str, e: &Expr) -> String {
        let flat = format!("{keyword} {}", self.expr(e));
        if flat.len() + 2 <= WIDTH {
            return flat;
        }
        let ExprKind::Binary(op @ (BinOp::And | BinOp::Or), _, _) = &e.kind else {
            return flat;
        };
        let mut operands = Vec::new();
        flatten(e, *op, &mut operands);
        let parts: Vec<String> = operands
            .iter()
            .map(|x| self.operand(x, prec_binary(*op)))
            .collect();
        let mut out = format!("{keyword} {}", parts.first().cloned().unwrap_or_default());
        for part in parts.iter().skip(1) {
            let _ = write!(out, "\n    {} {part}", op.symbol());
        }
        out
    }

    fn string(&mut self, s: &Str, indent: &str) -> String {
        if s.triple {
            let text = parts_text(self, s, true);
            let mut out = String::from("\"\"\"\n");
            for line in text.split('\n') {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "{indent}  {line}");
                }
            }
            let _ = write!(out, "{indent}\"\"\"");
            return out;
        }
        format!("\"{}\"", parts_text(self, s, false))
    }

    fn expr(&mut self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Str(s) => self.string(s, ""),
            ExprKind::Int(i) => i.to_string(),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Null => "null".into(),
            ExprKind::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ExprKind::Name(n) => n.name.clone(),
            ExprKind::Field(base, f) => format!("{}.{}", self.operand(base, PREC_POSTFIX), f.name),
            ExprKind::Call(n, args) => format!(
                "{}({})",
                n.name,
                args.iter()
                    .map(|a| self.expr(a))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ExprKind::Quant {
                kind,
                var,
                source,
                filter,
                body,
            } => {
                let mut out = format!("{}({} in {}", kind.name(), var.name, self.expr(source));
                if let Some(f) = filter {
                    let _ = write!(out, " where {}", self.expr(f));
                }
                if let Some(b) = body {
                    let _ = write!(out, ": {}", self.expr(b));
                }
                out.push(')');
                out
            }
            ExprKind::Unary(UnOp::Not, x) => format!("not {}", self.operand(x, PREC_NOT)),
            ExprKind::Unary(UnOp::Neg, x) => format!("-{}", self.operand(x, PREC_NEG)),
            ExprKind::Binary(op, l, r) => {
                let p = prec_binary(*op);
                // Left-associative: the right operand needs parentheses at equal precedence.
                format!(
                    "{} {} {}",
                    self.operand(l, p),
                    op.symbol(),
                    self.operand(r, p + 1)
                )
            }
        }
    }

    /// An expression inside an operator of precedence `min`: parenthesised when it binds less.
    fn operand(&mut self, e: &Expr, min: u8) -> String {
        let text = self.expr(e);
        if prec(e) < min {
            format!("({text})")
        } else {
            text
        }
    }
}

const PREC_NOT: u8 = 3;
const PREC_NEG: u8 = 7;
const PREC_POSTFIX: u8 = 8;

fn prec_binary(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Mul | BinOp::Div | BinOp::Rem => 6,
        _ => 4,
    }
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, _, _) => prec_binary(*op),
        ExprKind::Unary(UnOp::Not, _) => PREC_NOT,
        ExprKind::Unary(UnOp::Neg, _) => PREC_NEG,
        _ => 8,
    }
}

fn flatten<'e>(e: &'e Expr, op: BinOp, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(o, l, r) if *o == op => {
            flatten(l, op, out);
            // Right-nested operands of the same operator were parenthesised in the source.
            out.push(r);
        }
        _ => out.push(e),
    }
}

/// The text of a string's parts, escaped; interpolations printed as `{expr}`.
fn parts_text(p: &mut Printer<'_>, s: &Str, triple: bool) -> String {
    let mut out = String::new();
    for part in &s.parts {
        match part {
            StrPart::Text(t) => {
                for c in t.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '"' if !triple => out.push_str("\\\""),
                        '{' => out.push_str("{{"),
                        '}' => out.push_str("}}"),
                        '\n' if !triple => out.push_str("\\n"),
                        '\n' => out.push('\n'),
                        '\t' => out.push_str("\\t"),
                        '\r' => out.push_str("\\r"),
                        c if c.is_control() || crate::base::visible::invisible(c) => {
                            let _ = write!(out, "\\u{{{:X}}}", c as u32);
                        }
                        c => out.push(c),
                    }
                }
            }
            StrPart::Expr(e) => {
                let _ = write!(out, "{{{}}}", p.expr(e));
            }
        }
    }
    out
}
