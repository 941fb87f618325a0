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
    /// The span from byte offset `start` (inclusive) to `end` (exclusive).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        miette::SourceSpan::from(s.start..s.end)
    }
}

/// A name as written in the policy text: a policy id, a binding, a parameter, a constant, a
/// definition, a function, a field, a collection or a type (`ident` in the grammar).
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name exactly as written (letters, digits and `_`, not starting with a digit).
    pub name: String,
    /// The bytes of the name, and nothing around it.
    pub span: Span,
}

/// A parsed file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyFile {
    /// The `import` declarations, in file order.
    pub imports: Vec<Import>,
    /// The `const` declarations, in file order.
    pub consts: Vec<Const>,
    /// The `def` declarations, in file order.
    pub defs: Vec<Def>,
    /// The `policy` blocks, in file order.
    pub policies: Vec<Policy>,
}

/// `import "helpers.policy"`: the constants and definitions of another file.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The path as written, relative to the importing file; the compiler imports only a path
    /// without interpolation.
    pub path: Str,
    /// From `import` to the closing quote of the path: what an import error is labelled on.
    pub span: Span,
}

/// `def name(p: type, ...) = expr`: a named expression shared by policies.
#[derive(Debug, Clone, PartialEq)]
pub struct Def {
    /// The definition's name, which calls use.
    pub name: Ident,
    /// Each parameter's name and declared type (`p: type`), in order.
    pub params: Vec<(Ident, TypeExpr)>,
    /// The expression after `=`, evaluated with the arguments bound to the parameters.
    pub body: Expr,
    /// From `def` to the end of the body.
    pub span: Span,
}

/// `const name = expr`: a named value computed at compile time (`const_decl` in the grammar);
/// the expression may use only literals, lists, a leading `-` and other constants.
#[derive(Debug, Clone, PartialEq)]
pub struct Const {
    /// The constant's name.
    pub name: Ident,
    /// The expression after `=`.
    pub value: Expr,
    /// From `const` to the end of the value.
    pub span: Span,
}

/// `policy id "title" { attributes, params, rules }`: one check of the catalogue (`policy` in
/// the grammar).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The policy id, unique across all the policy files compiled together.
    pub id: Ident,
    /// The title string after the id; it must not interpolate.
    pub title: Str,
    /// The attributes (`severity`, `tags`, `cite`...), in the order written.
    pub attrs: Vec<Attr>,
    /// The `param` declarations, in the order written.
    pub params: Vec<Param>,
    /// The `for` and `assert` rules, in the order written (at least one).
    pub rules: Vec<RuleDef>,
    /// From `policy` to the closing `}`.
    pub span: Span,
}

/// One attribute of a policy, written before its rules: a keyword and its value (the
/// `attr_*` rules of the grammar).
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    /// Which attribute, with its value.
    pub kind: AttrKind,
    /// The attribute keyword (`severity`, `tags`, ...).
    pub keyword: Span,
    /// From the keyword to the end of the value (for `cite`, the closing `}`).
    pub span: Span,
}

/// The attributes a policy can have, each with the value written after its keyword.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrKind {
    /// `severity error`: the severity name (`error`, `warning` or `info`) as written.
    Severity(Ident),
    /// `tags "a", "b"`: the tag strings, in order.
    Tags(Vec<Str>),
    /// `docs "..."`: the URL of the page the policy follows.
    Docs(Str),
    /// `description "..."`: why the policy exists, in Markdown.
    Description(Str),
    /// `help "..."`: the default help text of the policy's rules (a rule's own `help` replaces it).
    Help(Str),
    /// `example "..."`: an example of a violation, for the policy's documentation.
    Example(Str),
    /// `collection` or `collection.field`.
    ///
    /// Each requirement is the collection and, after a `.`, the field: export data the policy
    /// reads, checked against the schema.
    Requires(Vec<(Ident, Option<Ident>)>),
    /// `editions "2025-08", "2026-07"`: the catalogue editions the policy belongs to.
    Editions(Vec<Str>),
    /// `cite "2026-07" { title "..." url "..." section "..." date "..." quote "..." }`: the
    /// page a policy rests on in one edition.
    Cite {
        /// The edition name, such as `"2026-07"`.
        edition: Str,
        /// Each field's name (`title`, `url`, `section`, `date` or `quote`) and its string, in the
        /// order written.
        fields: Vec<(Ident, Str)>,
    },
}

impl AttrKind {
    /// The keyword that introduces this attribute (`severity`, `tags`, ...).
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

/// `param name: type = default`: a value of the policy that `dexlint.toml` can override
/// (`param` in the grammar).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The parameter's name, which the policy's rules use.
    pub name: Ident,
    /// The type after `:`; None when not written (the type of the default is taken).
    pub ty: Option<TypeExpr>,
    /// The expression after `=`: the value when the configuration gives none; it must be
    /// constant.
    pub default: Expr,
    /// From `param` to the end of the default.
    pub span: Span,
}

/// `string`, `int`, `bool`, `list<string>`...
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    /// The type's name: `string`, `int`, `bool`, `list` or a record type such as `group`.
    pub name: Ident,
    /// The type between `<` and `>` (the element type of `list<T>`); None when there is none.
    pub arg: Option<Box<TypeExpr>>,
    /// From the name to the closing `>` if any.
    pub span: Span,
}

/// `let name = expr` in a rule (`let_clause` in the grammar): a named value the rest of the
/// rule can use.
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    /// The name the value is bound to.
    pub name: Ident,
    /// The expression after `=`.
    pub value: Expr,
}

/// `name in expr` after `for` (`binding` in the grammar): a variable that takes each element of
/// a list in turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The variable.
    pub name: Ident,
    /// The list the variable ranges over (a collection, a field of an earlier binding...).
    pub source: Expr,
}

/// What a rule checks: the part between its leading lets and `report`.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// `for x in LIST, y in LIST let ... where COND`: every combination of elements that satisfies
    /// the filter is a violation.
    For {
        /// The bindings after `for`, outermost first (at least one).
        bindings: Vec<Binding>,
        /// The lets after the bindings, computed for each combination.
        lets: Vec<Let>,
        /// The condition after `where`; None: every combination is a violation.
        filter: Option<Expr>,
    },
    /// `assert COND`: a violation when the condition is not true.
    Assert {
        /// The condition after `assert`.
        cond: Expr,
    },
}

/// One rule of a policy: `for_rule` or `assert_rule` in the grammar, with its `report` and
/// optional `help`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDef {
    /// Lets before `for`/`assert`: computed once.
    pub lets: Vec<Let>,
    /// The `for` or `assert` part.
    pub kind: RuleKind,
    /// The expression between `report` and the message (`report g.name "..."`): what violations
    /// point at, a field, a bound record or a collection; None when not written.
    pub target: Option<Expr>,
    /// The violation message after `report`; it may interpolate the rule's names.
    pub message: Str,
    /// The rule's `label` string, written after the message: the few words shown under the
    /// offending value; None: the message is shown there.
    pub label: Option<Str>,
    /// The rule's `help` string, written after the message; None: the policy's `help`, if any.
    pub help: Option<Str>,
    /// From the first `let` (or `for`/`assert`) to the end of the message or of the help string.
    pub span: Span,
}

/// A string literal, possibly with interpolations.
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    /// The text and `{expr}` interpolations in order, escapes decoded (`{{` and `}}` are braces)
    /// and adjacent text merged; a triple-quoted string's text is already dedented.
    pub parts: Vec<StrPart>,
    /// Written as `"""..."""`.
    pub triple: bool,
    /// From the opening quote to the closing quote, both included.
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

/// A piece of a string literal.
#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    /// Literal text, escapes decoded.
    Text(String),
    /// An interpolation `{expr}`: the expression between the braces.
    Expr(Expr),
}

/// A binary operator (the infix `op_*` tokens of the grammar), from loosest binding to
/// tightest: `or`; `and`; the comparisons and `in`/`not in`; `+` and `-`; `*`, `/` and `%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `in`: the left operand is an element of the right one.
    In,
    /// `not in`: the left operand is not an element of the right one.
    NotIn,
    /// `+`.
    Add,
    /// `-` between two operands (subtraction).
    Sub,
    /// `*`: integer multiplication.
    Mul,
    /// `/`: integer division, rounding towards zero.
    Div,
    /// `%`: the remainder of integer division (the sign of the dividend).
    Rem,
}

impl BinOp {
    /// The operator as written in a policy, for messages.
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
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }
}

/// A prefix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `not`: boolean negation; binds looser than comparisons (`not a == b` is `not (a == b)`).
    Not,
    /// `-` before an operand: integer negation; binds tighter than `+` and `-`.
    Neg,
}

/// Which quantifier a `quantifier` expression is (`quant_kind` in the grammar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantKind {
    /// `any(x in LIST where F: COND)`: whether some element passing the filter satisfies the
    /// condition (with no condition, whether there is such an element).
    Any,
    /// `all(x in LIST where F: COND)`: whether every element passing the filter satisfies the
    /// condition, which is required.
    All,
    /// `count(x in LIST where F: COND)`: how many elements pass the filter and the condition.
    Count,
    /// `sum(x in LIST where F: INT_EXPR)`: the sum of the body, which is required, over the
    /// elements passing the filter.
    Sum,
}

impl QuantKind {
    /// The quantifier's keyword, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            QuantKind::Any => "any",
            QuantKind::All => "all",
            QuantKind::Count => "count",
            QuantKind::Sum => "sum",
        }
    }
}

/// An expression (`expr` in the grammar, precedence applied).
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression, with its operands.
    pub kind: ExprKind,
    /// The whole expression: from its first token to its last; a parenthesized expression
    /// includes its parentheses, an operation spans both operands.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A string literal, possibly interpolated.
    Str(Str),
    /// An integer literal (decimal digits; a leading `-` is a [`UnOp::Neg`]).
    Int(i64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `[a, b, c]`: the elements in order (a trailing comma is allowed).
    List(Vec<Expr>),
    /// A name on its own: a binding, let, parameter, constant, definition parameter or collection.
    Name(Ident),
    /// `expr.field`: the record expression and the field name.
    Field(Box<Expr>, Ident),
    /// `name(args)`: a built-in function or a `def`, and its arguments in order.
    Call(Ident, Vec<Expr>),
    /// A quantifier: `kind(var in source where filter: body)`.
    Quant {
        /// `any`, `all`, `count` or `sum`.
        kind: QuantKind,
        /// The variable bound to each element in turn.
        var: Ident,
        /// The list after `in`.
        source: Box<Expr>,
        /// The condition after `where`, which selects the elements considered.
        filter: Option<Box<Expr>>,
        /// The expression after `:`: a condition, or for `sum` the integer to add up.
        body: Option<Box<Expr>>,
    },
    /// A prefix operator and its operand.
    Unary(UnOp, Box<Expr>),
    /// A binary operator and its left and right operands.
    Binary(BinOp, Box<Expr>, Box<Expr>),
}
