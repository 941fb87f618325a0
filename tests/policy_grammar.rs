//! Grammar tests: every construct parses into the expected AST, and the tricky tokens
//! (escapes, comments, interpolation braces, triple quotes, keywords inside names) behave.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dexlint::policy::ast::*;
use dexlint::policy::parse::parse_file;

fn policy(src: &str) -> Policy {
    let mut f = parse_file(src).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(f.policies.len(), 1);
    f.policies.remove(0)
}

fn expr(src: &str) -> Expr {
    let p = policy(&format!(
        "policy T \"t\" {{\n severity error\n assert {src}\n report \"m\"\n}}"
    ));
    match p.rules.into_iter().next().unwrap().kind {
        RuleKind::Assert { cond } => cond,
        other => panic!("{other:?}"),
    }
}

/// A compact rendering of an expression's tree, for precedence tests.
fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Str(s) => format!("{:?}", s.literal().unwrap_or_else(|| "<interp>".into())),
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Null => "null".into(),
        ExprKind::List(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::Field(b, f) => format!("{}.{}", show(b), f.name),
        ExprKind::Call(n, args) => format!(
            "{}({})",
            n.name,
            args.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Quant {
            kind,
            var,
            source,
            filter,
            body,
        } => format!(
            "{}({} in {}{}{})",
            kind.name(),
            var.name,
            show(source),
            filter
                .as_ref()
                .map(|f| format!(" where {}", show(f)))
                .unwrap_or_default(),
            body.as_ref()
                .map(|b| format!(": {}", show(b)))
                .unwrap_or_default()
        ),
        ExprKind::Unary(UnOp::Not, x) => format!("(not {})", show(x)),
        ExprKind::Unary(UnOp::Neg, x) => format!("(-{})", show(x)),
        ExprKind::Binary(op, l, r) => format!("({} {} {})", show(l), op.symbol(), show(r)),
    }
}

#[test]
fn precedence() {
    assert_eq!(show(&expr("a or b and c")), "(a or (b and c))");
    assert_eq!(show(&expr("not a == b")), "(not (a == b))");
    assert_eq!(
        show(&expr("a + 1 > b - 2 and c")),
        "(((a + 1) > (b - 2)) and c)"
    );
    assert_eq!(show(&expr("-a.b + 1 == 0")), "(((-a.b) + 1) == 0)");
    assert_eq!(
        show(&expr("x in [1, 2] or y not in z")),
        "((x in [1, 2]) or (y not in z))"
    );
    assert_eq!(show(&expr("(a or b) and c")), "((a or b) and c)");
    assert_eq!(show(&expr("a.b.c == d")), "(a.b.c == d)");
}

#[test]
fn quantifiers_and_calls() {
    assert_eq!(
        show(&expr("any(m in g.members: m.kind == \"group\")")),
        "any(m in g.members: (m.kind == \"group\"))"
    );
    assert_eq!(show(&expr("count(m in ms) > 0")), "(count(m in ms) > 0)");
    assert_eq!(
        show(&expr("sum(s in skus where s.ok: s.n) >= 1")),
        "(sum(s in skus where s.ok: s.n) >= 1)"
    );
    assert_eq!(
        show(&expr("similar(lower(g.name), \"x\")")),
        "similar(lower(g.name), \"x\")"
    );
    // A call named like a quantifier without `in` is a plain call.
    assert_eq!(show(&expr("all(x)")), "all(x)");
}

#[test]
fn keywords_are_not_names_but_prefixes_are() {
    assert_eq!(
        show(&expr("format == index and notable or order")),
        "(((format == index) and notable) or order)"
    );
    assert!(parse_file("policy T \"t\" { severity error assert for report \"m\" }").is_err());
}

#[test]
fn literals() {
    assert_eq!(
        show(&expr("[true, false, null, 42, \"s\"]")),
        "[true, false, null, 42, \"s\"]"
    );
    assert_eq!(show(&expr("[1, 2,]")), "[1, 2]");
}

fn message(src: &str) -> Str {
    let p = policy(&format!(
        "policy T \"t\" {{\n severity error\n assert true\n report {src}\n}}"
    ));
    p.rules.into_iter().next().unwrap().message
}

#[test]
fn string_escapes() {
    let s = message(r#""a \"q\" \\ \n \t \u{1F600} \{x\}""#);
    assert_eq!(s.literal().unwrap(), "a \"q\" \\ \n \t \u{1F600} {x}");
}

#[test]
fn interpolation_and_literal_braces() {
    let s = message(r#""group `{g.name}` has {{braces}} and {count(m in g.members)} members""#);
    let kinds: Vec<String> = s
        .parts
        .iter()
        .map(|p| match p {
            StrPart::Text(t) => format!("text {t:?}"),
            StrPart::Expr(e) => format!("expr {}", show(e)),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "text \"group `\"",
            "expr g.name",
            "text \"` has {braces} and \"",
            "expr count(m in g.members)",
            "text \" members\""
        ]
    );
    assert!(parse_file("policy T \"t\" { severity error assert true report \"a } b\" }").is_err());
}

#[test]
fn triple_quoted_strings_are_dedented() {
    let p = policy(
        "policy T \"t\" {\n  severity error\n  description \"\"\"\n    First line with \"quotes\".\n      Indented.\n    Last.\n  \"\"\"\n  assert true\n  report \"m\"\n}",
    );
    let AttrKind::Description(d) = &p.attrs[1].kind else {
        panic!()
    };
    assert_eq!(
        d.literal().unwrap(),
        "First line with \"quotes\".\n  Indented.\nLast."
    );
}

#[test]
fn comments_anywhere() {
    let src = "# leading\nconst x = 1 # trailing\npolicy T \"t # not a comment\" { # open\n  severity error # sev\n  # between\n  assert x == 1 # cond\n  report \"m # kept\"\n}\n# end";
    let f = parse_file(src).unwrap();
    assert_eq!(f.consts.len(), 1);
    let p = &f.policies[0];
    assert_eq!(p.title.literal().unwrap(), "t # not a comment");
    assert_eq!(p.rules[0].message.literal().unwrap(), "m # kept");
}

#[test]
fn every_construct() {
    let src = r#"
const names = ["a", "b"]
policy ACME001 "All of it" {
  severity warning
  tags "one", "two"
  docs "https://example.org/x"
  description "d"
  help "h {limit}"
  example "e"
  requires groups, users.plans
  param limit: int = 3
  param kinds: list<string> = ["user"]
  param flag = true

  let outer = count(g in groups)
  for g in groups, m in g.members
  let k = m.kind
  where k in kinds and outer > limit and flag
  report m.id "member {m.id}"
  help "rule help"

  let n = 1
  assert n == 1
  report groups "global"
}
"#;
    let f = parse_file(src).unwrap();
    let p = &f.policies[0];
    assert_eq!(p.id.name, "ACME001");
    let kw: Vec<&str> = p.attrs.iter().map(|a| a.kind.keyword()).collect();
    assert_eq!(
        kw,
        [
            "severity",
            "tags",
            "docs",
            "description",
            "help",
            "example",
            "requires"
        ]
    );
    let AttrKind::Requires(r) = &p.attrs[6].kind else {
        panic!()
    };
    assert_eq!(r[1].1.as_ref().unwrap().name, "plans");
    assert_eq!(p.params.len(), 3);
    assert_eq!(
        p.params[1]
            .ty
            .as_ref()
            .unwrap()
            .arg
            .as_ref()
            .unwrap()
            .name
            .name,
        "string"
    );
    assert_eq!(p.rules.len(), 2);
    let RuleKind::For {
        bindings,
        lets,
        filter,
    } = &p.rules[0].kind
    else {
        panic!()
    };
    assert_eq!(bindings.len(), 2);
    assert_eq!(lets.len(), 1);
    assert!(filter.is_some());
    assert_eq!(p.rules[0].lets.len(), 1);
    assert_eq!(
        p.rules[0].help.as_ref().unwrap().literal().unwrap(),
        "rule help"
    );
    assert_eq!(show(p.rules[0].target.as_ref().unwrap()), "m.id");
    assert!(matches!(p.rules[1].kind, RuleKind::Assert { .. }));
    assert_eq!(show(p.rules[1].target.as_ref().unwrap()), "groups");
}

#[test]
fn spans_cover_their_text() {
    let src = "policy T \"t\" {\n  severity error\n  for g in groups\n  where g.nmae == \"x\"\n  report g \"m\"\n}";
    let p = policy(src);
    let RuleKind::For {
        filter: Some(f), ..
    } = &p.rules[0].kind
    else {
        panic!()
    };
    assert_eq!(&src[f.span.start..f.span.end], "g.nmae == \"x\"");
    let ExprKind::Binary(_, l, _) = &f.kind else {
        panic!()
    };
    let ExprKind::Field(_, name) = &l.kind else {
        panic!()
    };
    assert_eq!(&src[name.span.start..name.span.end], "nmae");
}
