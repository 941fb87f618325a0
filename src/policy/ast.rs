//! The spanned syntax tree of a policy file. Every node carries the byte range it was parsed
//! from; the file is known from the [`PolicyFile`] that holds it.

/// A byte range in a policy file: `start` inclusive, `end` exclusive, both byte offsets from
/// the start of the file.
///
/// Equality is real: two trees parsed from differently formatted text differ in their spans.
/// To compare what trees say regardless of where it was written, compare their [`shape`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset just past the last byte.
    pub end: usize,
}

/// The tree without its positions: its debug form with every [`Span`] written `Span`, so two
/// trees parsed from differently formatted text of the same meaning have the same shape.
pub fn shape(file: &PolicyFile) -> String {
    let text = format!("{file:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(rest.get(..i).unwrap_or_default());
        out.push_str("Span");
        let after = rest.get(i..).unwrap_or_default();
        match after.find(" }") {
            Some(j) => rest = after.get(j + 2..).unwrap_or_default(),
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        miette::SourceSpan::from(s.start..s.end)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A parsed file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyFile {
    pub imports: Vec<Import>,
    pub consts: Vec<Const>,
    pub defs: Vec<Def>,
    pub policies: Vec<Policy>,
}

/// `import "helpers.policy"`: the constants and definitions of another file.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub path: Str,
    pub span: Span,
}

/// `def name(p: type, ...) = expr`: a named expression shared by policies.
#[derive(Debug, Clone, PartialEq)]
pub struct Def {
    pub name: Ident,
    pub params: Vec<(Ident, TypeExpr)>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Const {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: Ident,
    pub title: Str,
    pub attrs: Vec<Attr>,
    pub params: Vec<Param>,
    pub rules: Vec<RuleDef>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub kind: AttrKind,
    /// The attribute keyword (`severity`, `tags`, ...).
    pub keyword: Span,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AttrKind {
    Severity(Ident),
    Tags(Vec<Str>),
    Docs(Str),
    Description(Str),
    Help(Str),
    Example(Str),
    /// `collection` or `collection.field`.
    Requires(Vec<(Ident, Option<Ident>)>),
    /// `editions "2025-08", "2026-07"`: the catalogue editions the policy belongs to.
    Editions(Vec<Str>),
    /// `cite "2026-07" { title "..." url "..." section "..." date "..." quote "..." }`: the
    /// page a policy rests on in one edition.
    Cite {
        edition: Str,
        fields: Vec<(Ident, Str)>,
    },
}

impl AttrKind {
    pub fn keyword(&self) -> &'static str {
        match self {
            AttrKind::Severity(_) => "severity",
            AttrKind::Tags(_) => "tags",
            AttrKind::Docs(_) => "docs",
            AttrKind::Description(_) => "description",
            AttrKind::Help(_) => "help",
            AttrKind::Example(_) => "example",
            AttrKind::Requires(_) => "requires",
            AttrKind::Editions(_) => "editions",
            AttrKind::Cite { .. } => "cite",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub default: Expr,
    pub span: Span,
}

/// `string`, `int`, `bool`, `list<string>`...
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    pub name: Ident,
    pub arg: Option<Box<TypeExpr>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    pub name: Ident,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub name: Ident,
    pub source: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    For {
        bindings: Vec<Binding>,
        lets: Vec<Let>,
        filter: Option<Expr>,
    },
    Assert {
        cond: Expr,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleDef {
    /// Lets before `for`/`assert`: computed once.
    pub lets: Vec<Let>,
    pub kind: RuleKind,
    pub target: Option<Expr>,
    pub message: Str,
    pub help: Option<Str>,
    pub span: Span,
}

/// A string literal, possibly with interpolations.
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    pub parts: Vec<StrPart>,
    /// Written as `"""..."""`.
    pub triple: bool,
    pub span: Span,
}

impl Str {
    /// The text when the string has no interpolation.
    pub fn literal(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                StrPart::Text(t) => s.push_str(t),
                StrPart::Expr(_) => return None,
            }
        }
        Some(s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    Text(String),
    Expr(Expr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
}

impl BinOp {
    pub fn symbol(&self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantKind {
    Any,
    All,
    Count,
    Sum,
}

impl QuantKind {
    pub fn name(&self) -> &'static str {
        match self {
            QuantKind::Any => "any",
            QuantKind::All => "all",
            QuantKind::Count => "count",
            QuantKind::Sum => "sum",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Str(Str),
    Int(i64),
    Bool(bool),
    Null,
    List(Vec<Expr>),
    Name(Ident),
    Field(Box<Expr>, Ident),
    Call(Ident, Vec<Expr>),
    Quant {
        kind: QuantKind,
        var: Ident,
        source: Box<Expr>,
        filter: Option<Box<Expr>>,
        body: Option<Box<Expr>>,
    },
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
}
