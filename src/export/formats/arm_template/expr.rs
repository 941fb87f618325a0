//! A small evaluator of ARM template expressions (Microsoft Learn, "Syntax and expressions in
//! ARM templates"): a JSON string that starts with `[` and ends with `]` is an expression; one
//! that starts with `[[` is the literal text without its first `[`.
//!
//! Grammar: function calls `name(arg, ...)`, string literals in single quotes (`''` is a quote),
//! integers, `true`/`false`/`null`, property access `.name` and index `[expr]` on any value.
//!
//! Supported functions: `parameters`, `variables`, `concat` (strings or arrays), `format`
//! (`{0}` placeholders without format specifiers), `toLower`, `toUpper`, `string`, `copyIndex`
//! (with an offset), `if`, `equals`, `not`, `and`, `or`, `empty`, `length`, `createArray`,
//! `true`, `false`, `null`, `bool`, `int`, `json`, `contains`, `coalesce` (Bicep's `??`),
//! `tryGet` (Bicep's `.?`), `union` (a shallow merge of objects, or arrays without
//! duplicates); `resourceId`, `subscriptionResourceId`, `extensionResourceId`
//! and `reference` resolve to a resource of the same template when they name one (see
//! [`Val::Resource`]), and the `resourceId`-like functions of literal arguments make the id ARM
//! makes (see `literal_resource_id`). `subscription()`, `resourceGroup()`, `tenant()`, `deployment()`,
//! `managementGroup()` and `environment()` are objects known only at deployment: any property
//! of them is unknown. Every other function, and anything applied to an unknown value, is
//! [`Val::Unknown`] with a reason that names the expression: never an error, never a guess.

use std::collections::HashMap;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A string literal (quotes removed, `''` unescaped).
    Str(String),
    /// An integer literal.
    Int(i64),
    /// A function call: its name as written and its arguments.
    Call(String, Vec<Expr>),
    /// A bare identifier (`true`, `false`, `null`).
    Ident(String),
    /// `base.name`.
    Prop(Box<Expr>, String),
    /// `base[index]`.
    Index(Box<Expr>, Box<Expr>),
}

/// A value of an evaluated expression (or of a parameter or variable).
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Val>),
    /// An object, members in order.
    Object(Vec<(String, Val)>),
    /// A resource of the template being read, by its key (symbolic name, or `type/name`),
    /// and the properties read from it (`reference('g').id` is `["id"]`).
    Resource(String, Vec<String>),
    /// A value known only at deployment time, and why (lowercase, names the expression).
    Unknown(String),
}

impl Val {
    /// The string, if the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A member of an object by name, ignoring ASCII case.
    pub fn member(&self, name: &str) -> Option<&Val> {
        match self {
            Val::Object(m) => m
                .iter()
                .rev()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A resource of the template that expressions may name.
#[derive(Debug, Clone)]
pub struct Known {
    /// Its key: symbolic name (`languageVersion` 2.0), else `type/name`.
    pub key: String,
    /// Its full type without API version, lowercase (`microsoft.graph/groups`).
    pub kind: String,
    /// Its full name, when known (`vm-1`, `server/db`).
    pub name: Option<String>,
}

/// What expressions are evaluated against.
#[derive(Debug, Default)]
pub struct Context {
    /// Parameter values by lowercase name.
    pub params: HashMap<String, Val>,
    /// Variable values by lowercase name.
    pub vars: HashMap<String, Val>,
    /// The index of the current `copy` loop iteration, if any.
    pub copy_index: Option<i64>,
    /// The template's resources.
    pub resources: Vec<Known>,
    /// The current property `copy` loop, if any: its lowercase name and iteration.
    pub property_loop: Option<(String, i64)>,
}

/// Parses the text between the brackets of an expression.
///
/// # Errors
/// A description of what is malformed.
pub fn parse(text: &str) -> Result<Expr, String> {
    let mut p = Parser {
        chars: text.chars().collect(),
        at: 0,
        depth: 0,
    };
    let e = p.expr()?;
    p.space();
    if p.at < p.chars.len() {
        return Err(format!("unexpected `{}`", p.rest()));
    }
    Ok(e)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
}

/// Deepest nesting of calls and accesses the parser follows.
const MAX_DEPTH: usize = 64;

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn rest(&self) -> String {
        self.chars.iter().skip(self.at).take(20).collect()
    }

    fn space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.space();
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        {
            s.push(c);
            self.at += 1;
        }
        s
    }

    fn expr(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("expression nested too deeply".into());
        }
        let mut e = self.primary()?;
        loop {
            if self.eat('.') {
                self.space();
                let name = self.ident();
                if name.is_empty() {
                    return Err(format!("expected a property name at `{}`", self.rest()));
                }
                e = Expr::Prop(Box::new(e), name);
            } else if self.eat('[') {
                let index = self.expr()?;
                if !self.eat(']') {
                    return Err(format!("expected `]` at `{}`", self.rest()));
                }
                e = Expr::Index(Box::new(e), Box::new(index));
            } else {
                break;
            }
        }
        self.depth -= 1;
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        self.space();
        match self.peek() {
            Some('\'') => {
                self.at += 1;
                let mut s = String::new();
                loop {
                    match self.peek() {
                        None => return Err("unterminated string".into()),
                        Some('\'') if self.chars.get(self.at + 1) == Some(&'\'') => {
                            s.push('\'');
                            self.at += 2;
                        }
                        Some('\'') => {
                            self.at += 1;
                            return Ok(Expr::Str(s));
                        }
                        Some(c) => {
                            s.push(c);
                            self.at += 1;
                        }
                    }
                }
            }
            Some(c) if c.is_ascii_digit() || c == '-' => {
                let mut s = String::from(c);
                self.at += 1;
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    s.push(d);
                    self.at += 1;
                }
                s.parse()
                    .map(Expr::Int)
                    .map_err(|_| format!("bad number `{s}`"))
            }
            Some(c) if c.is_alphabetic() || c == '_' => {
                let mut name = self.ident();
                // Namespaced functions (`az.resourceId`, `sys.concat`).
                while self.peek() == Some('.')
                    && self
                        .chars
                        .get(self.at + 1)
                        .is_some_and(|c| c.is_alphabetic())
                    && self.lookahead_call()
                {
                    self.at += 1;
                    name = self.ident();
                }
                if self.eat('(') {
                    let mut args = Vec::new();
                    if !self.eat(')') {
                        loop {
                            args.push(self.expr()?);
                            if self.eat(')') {
                                break;
                            }
                            if !self.eat(',') {
                                return Err(format!("expected `,` or `)` at `{}`", self.rest()));
                            }
                        }
                    }
                    Ok(Expr::Call(name, args))
                } else {
                    Ok(Expr::Ident(name))
                }
            }
            _ => Err(format!("unexpected `{}`", self.rest())),
        }
    }

    /// Whether `.name(` follows: a namespace prefix rather than a property access.
    fn lookahead_call(&self) -> bool {
        let mut i = self.at + 1;
        while self
            .chars
            .get(i)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        {
            i += 1;
        }
        self.chars.get(i) == Some(&'(')
    }
}

/// The value of a JSON string of a template: an expression's value, or the string itself
/// (`[[` escapes a leading `[`).
pub fn eval_string(s: &str, ctx: &Context) -> Val {
    let t = s.trim();
    if let Some(rest) = s.strip_prefix("[[") {
        return Val::Str(format!("[{rest}"));
    }
    match t.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        Some(inner) => match parse(inner) {
            Ok(e) => eval(&e, ctx, t),
            Err(why) => Val::Unknown(format!(
                "`{t}` is not an expression dexlint can read ({why})"
            )),
        },
        None => Val::Str(s.to_string()),
    }
}

/// Text of a value inside `concat`/`format`.
fn text(v: &Val) -> Option<String> {
    match v {
        Val::Str(s) => Some(s.clone()),
        Val::Int(i) => Some(i.to_string()),
        Val::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
        _ => None,
    }
}

/// The first unknown of `vals`, if any.
fn first_unknown(vals: &[Val]) -> Option<Val> {
    vals.iter().find(|v| matches!(v, Val::Unknown(_))).cloned()
}

/// Evaluates `e`; `whole` is the whole expression as written, for reasons.
pub fn eval(e: &Expr, ctx: &Context, whole: &str) -> Val {
    let unknown = |why: &str| Val::Unknown(format!("`{whole}` {why}"));
    match e {
        Expr::Str(s) => Val::Str(s.clone()),
        Expr::Int(i) => Val::Int(*i),
        Expr::Ident(name) => match name.to_ascii_lowercase().as_str() {
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            "null" => Val::Null,
            _ => unknown(&format!("uses `{name}`, which is no value dexlint knows")),
        },
        Expr::Prop(base, name) => match eval(base, ctx, whole) {
            Val::Resource(key, mut path) => {
                path.push(name.clone());
                Val::Resource(key, path)
            }
            Val::Unknown(why) => Val::Unknown(why),
            v => v
                .member(name)
                .cloned()
                .unwrap_or_else(|| unknown(&format!("reads `.{name}`, which the value has not"))),
        },
        Expr::Index(base, index) => {
            let (b, i) = (eval(base, ctx, whole), eval(index, ctx, whole));
            match (&b, &i) {
                (Val::Unknown(_), _) => b,
                (_, Val::Unknown(_)) => i,
                (Val::Array(items), Val::Int(n)) => usize::try_from(*n)
                    .ok()
                    .and_then(|n| items.get(n))
                    .cloned()
                    .unwrap_or_else(|| unknown("indexes past the end of an array")),
                (Val::Object(_), Val::Str(k)) => b.member(k).cloned().unwrap_or_else(|| {
                    unknown(&format!("reads `['{k}']`, which the value has not"))
                }),
                (Val::Resource(key, path), Val::Str(k)) => {
                    let mut path = path.clone();
                    path.push(k.clone());
                    Val::Resource(key.clone(), path)
                }
                _ => unknown("indexes a value dexlint cannot index"),
            }
        }
        Expr::Call(name, args) => call(name, args, ctx, whole),
    }
}

fn call(name: &str, args: &[Expr], ctx: &Context, whole: &str) -> Val {
    let unknown = |why: String| Val::Unknown(format!("`{whole}` {why}"));
    let lower = name.to_ascii_lowercase();
    // Functions of deployment-time state: objects whose every property is unknown.
    if matches!(
        lower.as_str(),
        "subscription"
            | "resourcegroup"
            | "tenant"
            | "deployment"
            | "managementgroup"
            | "environment"
            | "deployer"
    ) {
        return unknown(format!("depends on `{name}()`, known only at deployment"));
    }
    let vals: Vec<Val> = args.iter().map(|a| eval(a, ctx, whole)).collect();
    let lookup_key = |vals: &[Val]| {
        vals.first()
            .and_then(Val::as_str)
            .map(str::to_ascii_lowercase)
    };
    let written = vals.first().and_then(Val::as_str).unwrap_or_default();
    match lower.as_str() {
        "parameters" => match lookup_key(&vals) {
            Some(k) => ctx.params.get(&k).cloned().unwrap_or_else(|| {
                unknown(format!(
                    "names parameter `{written}`, which the template does not declare"
                ))
            }),
            None => first_unknown(&vals).unwrap_or_else(|| unknown("names no parameter".into())),
        },
        "variables" => match lookup_key(&vals) {
            Some(k) => ctx.vars.get(&k).cloned().unwrap_or_else(|| {
                unknown(format!(
                    "names variable `{written}`, which the template does not declare"
                ))
            }),
            None => first_unknown(&vals).unwrap_or_else(|| unknown("names no variable".into())),
        },
        "true" => Val::Bool(true),
        "false" => Val::Bool(false),
        "null" => Val::Null,
        "createarray" => first_unknown(&vals).unwrap_or(Val::Array(vals)),
        "concat" => {
            if let Some(u) = first_unknown(&vals) {
                return u;
            }
            if vals.iter().all(|v| matches!(v, Val::Array(_))) && !vals.is_empty() {
                return Val::Array(
                    vals.into_iter()
                        .flat_map(|v| match v {
                            Val::Array(items) => items,
                            _ => Vec::new(),
                        })
                        .collect(),
                );
            }
            let mut out = String::new();
            for v in &vals {
                match text(v) {
                    Some(t) => out.push_str(&t),
                    None => return unknown("concatenates a value that is not text".into()),
                }
            }
            Val::Str(out)
        }
        "format" => {
            if let Some(u) = first_unknown(&vals) {
                return u;
            }
            let Some((template, rest)) = vals.split_first() else {
                return unknown("has no format string".into());
            };
            let Some(template) = template.as_str() else {
                return unknown("has a format that is not text".into());
            };
            format(template, rest).unwrap_or_else(|| {
                unknown("uses a format dexlint does not read (only `{0}` placeholders)".into())
            })
        }
        "tolower" | "toupper" | "string" => match vals.as_slice() {
            [u @ Val::Unknown(_)] => u.clone(),
            [v] => match (text(v), lower.as_str()) {
                (Some(t), "tolower") => Val::Str(t.to_lowercase()),
                (Some(t), "toupper") => Val::Str(t.to_uppercase()),
                (Some(t), _) => Val::Str(t),
                (None, _) => unknown(format!("applies `{name}` to a value that is not text")),
            },
            _ => unknown(format!("calls `{name}` with {} arguments", vals.len())),
        },
        "copyindex" if matches!(vals.first(), Some(Val::Str(_))) => {
            let name = lookup_key(&vals).unwrap_or_default();
            match (&ctx.property_loop, vals.get(1)) {
                (Some((n, i)), None) if *n == name => Val::Int(*i),
                (Some((n, i)), Some(Val::Int(offset))) if *n == name => {
                    Val::Int(i.saturating_add(*offset))
                }
                _ => unknown(format!("uses `copyIndex('{name}')` outside that loop")),
            }
        }
        "copyindex" => {
            let Some(i) = ctx.copy_index else {
                return unknown("uses `copyIndex()` outside a resource `copy` loop".into());
            };
            match vals.as_slice() {
                [] => Val::Int(i),
                [Val::Int(offset)] => Val::Int(i.saturating_add(*offset)),
                [u @ Val::Unknown(_)] => u.clone(),
                _ => unknown("uses `copyIndex` with a loop name (a property or variable loop)".into()),
            }
        }
        "if" => match vals.as_slice() {
            [Val::Bool(c), a, b] => {
                if *c {
                    a.clone()
                } else {
                    b.clone()
                }
            }
            [u @ Val::Unknown(_), _, _] => u.clone(),
            _ => unknown("calls `if` with a condition that is not a boolean".into()),
        },
        "equals" => match vals.as_slice() {
            [a, b] => first_unknown(&vals).unwrap_or_else(|| match (a, b) {
                (Val::Resource(..), _) | (_, Val::Resource(..)) => {
                    unknown("compares a resource's deployment-time value".into())
                }
                _ => Val::Bool(a == b),
            }),
            _ => unknown("calls `equals` without two arguments".into()),
        },
        "not" => match vals.as_slice() {
            [Val::Bool(b)] => Val::Bool(!b),
            [u @ Val::Unknown(_)] => u.clone(),
            _ => unknown("calls `not` on a value that is not a boolean".into()),
        },
        "and" | "or" => {
            let want = lower == "or";
            let mut any_unknown = None;
            for v in &vals {
                match v {
                    Val::Bool(b) if *b == want => return Val::Bool(want),
                    Val::Bool(_) => {}
                    Val::Unknown(_) => any_unknown = any_unknown.or(Some(v.clone())),
                    _ => return unknown(format!("calls `{name}` on a value that is not a boolean")),
                }
            }
            any_unknown.unwrap_or(Val::Bool(!want))
        }
        "empty" | "length" => match vals.as_slice() {
            [u @ Val::Unknown(_)] => u.clone(),
            [v] => {
                let n = match v {
                    Val::Str(s) => s.chars().count(),
                    Val::Array(a) => a.len(),
                    Val::Object(o) => o.len(),
                    Val::Null => 0,
                    _ => return unknown(format!("calls `{name}` on a value without a length")),
                };
                if lower == "empty" {
                    Val::Bool(n == 0)
                } else {
                    Val::Int(i64::try_from(n).unwrap_or(i64::MAX))
                }
            }
            _ => unknown(format!("calls `{name}` with {} arguments", vals.len())),
        },
        "bool" => match vals.as_slice() {
            [u @ Val::Unknown(_)] => u.clone(),
            [Val::Bool(b)] => Val::Bool(*b),
            [Val::Int(i)] => Val::Bool(*i != 0),
            [Val::Str(s)] if s.eq_ignore_ascii_case("true") => Val::Bool(true),
            [Val::Str(s)] if s.eq_ignore_ascii_case("false") => Val::Bool(false),
            _ => unknown("converts a value that is no boolean with `bool`".into()),
        },
        "int" => match vals.as_slice() {
            [u @ Val::Unknown(_)] => u.clone(),
            [Val::Int(i)] => Val::Int(*i),
            [Val::Str(s)] => s
                .trim()
                .parse()
                .map(Val::Int)
                .unwrap_or_else(|_| unknown(format!("converts `{s}`, which is no integer, with `int`"))),
            _ => unknown("converts a value that is no integer with `int`".into()),
        },
        "json" => match vals.as_slice() {
            [u @ Val::Unknown(_)] => u.clone(),
            [Val::Str(s)] => serde_json::from_str::<serde_json::Value>(s)
                .map(|v| from_json(&v))
                .unwrap_or_else(|_| unknown("parses text that is not JSON with `json`".into())),
            _ => unknown("calls `json` on a value that is not text".into()),
        },
        "contains" => match vals.as_slice() {
            [Val::Unknown(_), _] | [_, Val::Unknown(_)] => {
                first_unknown(&vals).unwrap_or(Val::Null)
            }
            [Val::Str(s), Val::Str(x)] => Val::Bool(s.contains(x.as_str())),
            [Val::Array(items), x] => {
                if items.iter().any(|i| matches!(i, Val::Unknown(_) | Val::Resource(..))) {
                    return unknown("searches an array with a value known only at deployment".into());
                }
                Val::Bool(items.contains(x))
            }
            [o @ Val::Object(_), Val::Str(k)] => Val::Bool(o.member(k).is_some()),
            _ => unknown("calls `contains` on values it does not take".into()),
        },
        "tryget" => {
            let mut v = match vals.first() {
                Some(v) => v.clone(),
                None => return unknown("calls `tryGet` without arguments".into()),
            };
            for key in vals.iter().skip(1) {
                v = match (&v, key) {
                    (Val::Unknown(_), _) => return v,
                    (_, Val::Unknown(_)) => return key.clone(),
                    (Val::Object(_), Val::Str(k)) => v.member(k).cloned().unwrap_or(Val::Null),
                    (Val::Array(items), Val::Int(i)) => usize::try_from(*i)
                        .ok()
                        .and_then(|i| items.get(i))
                        .cloned()
                        .unwrap_or(Val::Null),
                    (Val::Resource(..), _) => {
                        return unknown("reads a resource's deployment-time value".into())
                    }
                    _ => Val::Null,
                };
            }
            v
        }
        "coalesce" => {
            for v in &vals {
                match v {
                    Val::Null => {}
                    // Unknown: it may be null, so the result may be any later value.
                    _ => return v.clone(),
                }
            }
            Val::Null
        }
        "union" => {
            if let Some(u) = first_unknown(&vals) {
                return u;
            }
            if vals.iter().all(|v| matches!(v, Val::Object(_))) {
                // Later objects win (a shallow merge; ARM merges nested objects too).
                let mut out: Vec<(String, Val)> = Vec::new();
                for v in vals {
                    if let Val::Object(members) = v {
                        for (k, x) in members {
                            out.retain(|(o, _)| !o.eq_ignore_ascii_case(&k));
                            out.push((k, x));
                        }
                    }
                }
                Val::Object(out)
            } else if vals.iter().all(|v| matches!(v, Val::Array(_))) {
                let mut out: Vec<Val> = Vec::new();
                for v in vals {
                    if let Val::Array(items) = v {
                        for x in items {
                            if !out.contains(&x) {
                                out.push(x);
                            }
                        }
                    }
                }
                Val::Array(out)
            } else {
                unknown("calls `union` on values that are not all objects or all arrays".into())
            }
        }
        "resourceid" | "subscriptionresourceid" | "tenantresourceid" | "extensionresourceid" => {
            resource_id(&lower, &vals, ctx)
                .or_else(|| literal_resource_id(&lower, &vals))
                .unwrap_or_else(|| {
                    first_unknown(&vals).unwrap_or_else(|| {
                        unknown("is a resource id known only at deployment (it names no resource of this template, and its subscription is the deployment's)".into())
                    })
                })
        }
        "reference" => {
            let found = match vals.first() {
                Some(Val::Resource(key, path)) if path.is_empty() => Some(key.clone()),
                Some(Val::Str(s)) => ctx
                    .resources
                    .iter()
                    .find(|r| r.key.eq_ignore_ascii_case(s))
                    .or_else(|| {
                        let mut named = ctx
                            .resources
                            .iter()
                            .filter(|r| r.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(s)));
                        let first = named.next();
                        first.filter(|_| named.next().is_none())
                    })
                    .map(|r| r.key.clone()),
                _ => None,
            };
            match found {
                Some(key) => Val::Resource(key, Vec::new()),
                None => first_unknown(&vals).unwrap_or_else(|| {
                    unknown("reads the runtime state of a resource that is not in this template".into())
                }),
            }
        }
        _ => unknown(format!("uses `{name}`, which dexlint does not evaluate")),
    }
}

/// A JSON value (of `json('...')`) as an expression value.
fn from_json(v: &serde_json::Value) -> Val {
    match v {
        serde_json::Value::Null => Val::Null,
        serde_json::Value::Bool(b) => Val::Bool(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Val::Int)
            .unwrap_or_else(|| Val::Str(n.to_string())),
        serde_json::Value::String(s) => Val::Str(s.clone()),
        serde_json::Value::Array(items) => Val::Array(items.iter().map(from_json).collect()),
        serde_json::Value::Object(members) => Val::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), from_json(v)))
                .collect(),
        ),
    }
}

/// `format('{0}-{1}', a, b)`; None for format specifiers or an unknown placeholder.
fn format(template: &str, args: &[Val]) -> Option<Val> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut digits = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    digits.push(d);
                }
                let i: usize = digits.trim().parse().ok()?;
                out.push_str(&text(args.get(i)?)?);
            }
            c => out.push(c),
        }
    }
    Some(Val::Str(out))
}

/// The template resource a `resourceId`-like call names: its type is the first argument with a
/// `/`, its name segments the arguments after it (earlier ones are subscription and group).
fn resource_id(function: &str, vals: &[Val], ctx: &Context) -> Option<Val> {
    let skip = usize::from(function == "extensionresourceid");
    let vals = vals.get(skip..)?;
    let at = vals
        .iter()
        .position(|v| v.as_str().is_some_and(|s| s.contains('/')))?;
    let kind = vals.get(at)?.as_str()?.to_ascii_lowercase();
    let names: Option<Vec<&str>> = vals.get(at + 1..)?.iter().map(Val::as_str).collect();
    let name = names?.join("/");
    ctx.resources
        .iter()
        .find(|r| {
            r.kind == kind
                && r.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
        })
        .map(|r| Val::Resource(r.key.clone(), Vec::new()))
}

/// The id a `resourceId`-like call of literal arguments makes, as ARM makes it (Microsoft
/// Learn, "Resource functions for ARM templates": `resourceId([subscriptionId],
/// [resourceGroupName], resourceType, resourceName1, [resourceName2], ...)`, the type's
/// segments after its namespace each followed by its name): with a subscription and a resource
/// group, `/subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}`;
/// without either, the deployment's resource group's resource, written relative to it
/// (`{namespace}/{type}/{name}`, as a `scope` relative to the deployment's group is written);
/// `subscriptionResourceId` with its subscription, `tenantResourceId` and `extensionResourceId`
/// of an absolute id likewise. None when an argument is not a string, the names do not match
/// the type's segments, or the id depends on the deployment's subscription alone (a resource
/// group without a subscription, `subscriptionResourceId` without one).
fn literal_resource_id(function: &str, vals: &[Val]) -> Option<Val> {
    let texts: Option<Vec<&str>> = vals.iter().map(Val::as_str).collect();
    let texts = texts?;
    let (base, rest) = match function {
        "extensionresourceid" => {
            let (base, rest) = texts.split_first()?;
            (Some(base.trim_end_matches('/').to_string()), rest)
        }
        _ => (None, &texts[..]),
    };
    let at = rest.iter().position(|s| s.contains('/'))?;
    let (scope, tail) = rest.split_at(at);
    let (kind, names) = tail.split_first()?;
    let mut segments = kind.split('/');
    let namespace = segments.next()?;
    let types: Vec<&str> = segments.collect();
    if types.is_empty() || types.len() != names.len() {
        return None;
    }
    let path: Vec<String> = types
        .iter()
        .zip(names)
        .map(|(t, n)| format!("{t}/{n}"))
        .collect();
    let resource = format!("{namespace}/{}", path.join("/"));
    let id = match (function, base, scope) {
        ("extensionresourceid", Some(base), []) if base.starts_with('/') => {
            format!("{base}/providers/{resource}")
        }
        ("resourceid", None, []) => resource,
        ("resourceid", None, [sub, group]) => {
            format!("/subscriptions/{sub}/resourceGroups/{group}/providers/{resource}")
        }
        ("subscriptionresourceid", None, [sub]) => {
            format!("/subscriptions/{sub}/providers/{resource}")
        }
        ("tenantresourceid", None, []) => format!("/providers/{resource}"),
        _ => return None,
    };
    Some(Val::Str(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        let mut c = Context::default();
        c.params.insert("tier".into(), Val::Str("Free".into()));
        c.vars.insert("prefix".into(), Val::Str("sg".into()));
        c.resources.push(Known {
            key: "team".into(),
            kind: "microsoft.graph/groups".into(),
            name: Some("team-uniq".into()),
        });
        c
    }

    #[test]
    fn literals_and_functions() {
        let c = ctx();
        assert_eq!(eval_string("Standard", &c), Val::Str("Standard".into()));
        assert_eq!(eval_string("[[not]", &c), Val::Str("[not]".into()));
        assert_eq!(
            eval_string("[parameters('TIER')]", &c),
            Val::Str("Free".into())
        );
        assert_eq!(
            eval_string("[concat(variables('prefix'), '-', 'it''s')]", &c),
            Val::Str("sg-it's".into())
        );
        assert_eq!(
            eval_string("[format('{0}-{1}', toUpper('a'), 2)]", &c),
            Val::Str("A-2".into())
        );
        assert_eq!(
            eval_string("[if(equals(parameters('tier'), 'Free'), 'x', 'y')]", &c),
            Val::Str("x".into())
        );
        assert_eq!(
            eval_string("[reference('team').id]", &c),
            Val::Resource("team".into(), vec!["id".into()])
        );
        assert_eq!(
            eval_string("[resourceId('Microsoft.Graph/groups', 'team-uniq')]", &c),
            Val::Resource("team".into(), Vec::new())
        );
    }

    #[test]
    fn resource_ids_of_literal_arguments_are_made_as_arm_makes_them() {
        let c = ctx();
        for (s, id) in [
            (
                "[resourceId('Microsoft.HybridCompute/machines', 'arc-web-02')]",
                "Microsoft.HybridCompute/machines/arc-web-02",
            ),
            (
                "[resourceId('s1', 'rg', 'Microsoft.Compute/virtualMachines/extensions', 'vm', 'mde')]",
                "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/extensions/mde",
            ),
            (
                "[subscriptionResourceId('s1', 'Microsoft.Security/pricings', 'VirtualMachines')]",
                "/subscriptions/s1/providers/Microsoft.Security/pricings/VirtualMachines",
            ),
            (
                "[extensionResourceId('/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm', 'Microsoft.Security/pricings', 'VirtualMachines')]",
                "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/providers/Microsoft.Security/pricings/VirtualMachines",
            ),
        ] {
            assert_eq!(eval_string(s, &c), Val::Str(id.into()), "{s}");
        }
        // The deployment's subscription with a group of its own; names that do not match the
        // type's segments.
        for s in [
            "[resourceId('rg', 'Microsoft.Compute/virtualMachines', 'vm')]",
            "[resourceId('Microsoft.Compute/virtualMachines', 'vm', 'extra')]",
            "[subscriptionResourceId('Microsoft.Security/pricings', 'VirtualMachines')]",
        ] {
            assert!(matches!(eval_string(s, &c), Val::Unknown(_)), "{s}");
        }
    }

    #[test]
    fn unknowns_name_the_expression() {
        let c = ctx();
        for s in [
            "[subscription().subscriptionId]",
            "[uniqueString(resourceGroup().id)]",
            "[parameters('nope')]",
            "[copyIndex()]",
            "[concat('a', subscription().id)]",
            "[reference('elsewhere').properties.x]",
            "[concat('a']",
        ] {
            match eval_string(s, &c) {
                Val::Unknown(why) => assert!(why.contains('`'), "{s}: {why}"),
                v => panic!("{s}: {v:?}"),
            }
        }
    }

    #[test]
    fn copy_index_with_offset() {
        let c = Context {
            copy_index: Some(2),
            ..Context::default()
        };
        assert_eq!(eval_string("[copyIndex(1)]", &c), Val::Int(3));
        assert_eq!(
            eval_string("[concat('g', string(copyIndex()))]", &c),
            Val::Str("g2".into())
        );
    }
}
