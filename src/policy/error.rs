//! Compile errors: one concrete type per kind of mistake, each labelled on the exact span of
//! the policy file; messages are lowercase with user values in backticks, advice in `help`.

use super::ast::Span;
use crate::base::render::Source;
use miette::{Diagnostic, LabeledSpan, SourceCode};
use std::fmt;

/// A mistake in a policy file found while parsing or compiling it. Every variant's `span` is a
/// byte range into that file's text (end exclusive) that the diagnostic labels.
#[derive(Debug, Clone, thiserror::Error, Diagnostic, PartialEq)]
pub enum CompileError {
    /// The text does not match the grammar (`grammar/policy.pest`).
    #[error("syntax error: {message}")]
    #[diagnostic(code(dexlint::syntax))]
    Syntax {
        /// What the parser wanted, with readable token names: "expected a name or `(`", or
        /// "unexpected ...".
        message: String,
        /// The offending token: the word or the one character where parsing stopped.
        #[label("{found}")]
        span: Span,
        /// The label: "found" and the offending text in backticks, or "here" when that text is
        /// blank.
        found: String,
        /// A hint for a common slip at that position (`=` for `==`, `&&`, single quotes).
        #[help]
        help: Option<String>,
    },
    /// A bug in dexlint: the parse tree did not have the shape the grammar promises, or the compiler
    /// or formatter thread could not start.
    #[error("internal error: {message}")]
    #[diagnostic(
        code(dexlint::internal),
        help("this is a bug in dexlint; please report it with the policy file")
    )]
    Internal {
        /// What went wrong.
        message: String,
        /// The node being lowered when it went wrong; empty (0..0) when there is none.
        #[label("here")]
        span: Span,
    },
    /// A `\u{HEX}` escape in a string that is not a Unicode scalar value (a surrogate, or above
    /// `10FFFF`).
    #[error("invalid escape sequence")]
    #[diagnostic(
        code(dexlint::escape),
        help("escapes are \\\" \\\\ \\n \\t \\r \\{{ \\}} and \\u{{HEX}}")
    )]
    BadEscape {
        /// The escape, from its backslash to its closing `}`.
        #[label("this escape")]
        span: Span,
    },
    /// An integer literal that does not fit in an `i64`.
    #[error("integer literal is too large")]
    #[diagnostic(code(dexlint::integer))]
    IntegerTooLarge {
        /// The digits of the literal.
        #[label("does not fit in 64 bits")]
        span: Span,
    },
    /// A name that is not in scope: no binding, let, parameter, constant or collection has it (in
    /// `requires`, no collection; in a constant expression, no constant).
    #[error("unknown name `{name}`")]
    #[diagnostic(code(dexlint::unknown_name))]
    UnknownName {
        /// The name as written.
        name: String,
        /// The name where it is used.
        #[label("not a binding, parameter, constant or collection")]
        span: Span,
        /// A did-you-mean suggestion among the names in scope, if one is close.
        #[help]
        help: Option<String>,
    },
    /// A name in the policy's `help`, which is the help of every rule without its own, that
    /// some of those rules bind and another (`rule`) does not.
    #[error("`{name}` in the policy's `help` is not bound in rule {rule} (`{label}`)")]
    #[diagnostic(
        code(dexlint::unknown_name),
        help("the policy's `help` is the help of every rule without its own: use only parameters and constants in it, or give rule {rule} its own `help`")
    )]
    UnboundInHelp {
        /// The name as written.
        name: String,
        /// The rule that does not bind it, from 1.
        rule: usize,
        /// That rule's short label (`for g in groups`).
        label: String,
        /// The name in the interpolation.
        #[label("not bound in rule {rule}")]
        span: Span,
    },
    /// A field that the record type does not have: after a `.`, in `requires collection.field`, or a
    /// `cite` field other than `title`, `url`, `section`, `date` and `quote`.
    #[error("`{record}` has no field `{field}`")]
    #[diagnostic(code(dexlint::unknown_field))]
    UnknownField {
        /// The field name as written.
        field: String,
        /// The record type's name (`cite` for a citation field).
        record: String,
        /// The field name.
        #[label("unknown field")]
        span: Span,
        /// A did-you-mean suggestion among the record's fields, if one is close.
        #[help]
        help: Option<String>,
    },
    /// `expr.field` where the expression is not a record.
    #[error("cannot read field `{field}` of a value of type `{ty}`")]
    #[diagnostic(code(dexlint::not_a_record))]
    NotARecord {
        /// The field name after the `.`.
        field: String,
        /// The type of the expression before the `.`, as written in the language.
        ty: String,
        /// The expression before the `.`.
        #[label("this is a `{ty}`")]
        span: Span,
        /// For a list, advice to iterate it with a quantifier or `for`; None otherwise.
        #[help]
        help: Option<String>,
    },
    /// An expression whose type does not fit where it is used.
    #[error("{message}")]
    #[diagnostic(code(dexlint::type_mismatch))]
    TypeMismatch {
        /// The whole message, naming the place and the types ("a `where` filter must be `bool`,
        /// found `int`").
        message: String,
        /// The expression of the wrong type (for an operator, both operands; for `sum`/`all` without a
        /// body, the whole quantifier).
        #[label("{label}")]
        span: Span,
        /// The label on the span: usually "this is" and the expression's type in backticks.
        label: String,
    },
    /// A call of a name that is neither a built-in function nor a `def`.
    #[error("unknown function `{name}`")]
    #[diagnostic(code(dexlint::unknown_function))]
    UnknownFunction {
        /// The function name as written.
        name: String,
        /// The function name in the call.
        #[label("no such function")]
        span: Span,
        /// A did-you-mean suggestion among the built-in functions, if one is close.
        #[help]
        help: Option<String>,
    },
    /// A call of a built-in function or a `def` with the wrong number of arguments.
    #[error("`{name}` takes {expected} argument(s) but {found} were given")]
    #[diagnostic(code(dexlint::arity))]
    Arity {
        /// The function's name.
        name: String,
        /// How many arguments it takes, as a number in text.
        expected: String,
        /// How many the call gives.
        found: usize,
        /// The whole call, from the name to the closing `)`.
        #[label("wrong number of arguments")]
        span: Span,
    },
    /// Two policies, in one file or in two files compiled together, with the same id.
    #[error("policy id `{id}` is defined twice")]
    #[diagnostic(
        code(dexlint::duplicate_policy),
        help("the first definition is in `{first}`; policy ids must be unique")
    )]
    DuplicatePolicy {
        /// The id.
        id: String,
        /// The name of the policy file that defines it first.
        first: String,
        /// The id of the second definition.
        #[label("second definition")]
        span: Span,
    },
    /// A `for` binding, `let` or quantifier variable that nothing uses; names starting with `_` are
    /// exempt.
    #[error("`{name}` is bound but never used")]
    #[diagnostic(
        code(dexlint::unused_binding),
        help("use it, remove it, or name it `_{name}`")
    )]
    UnusedBinding {
        /// The unused name.
        name: String,
        /// The name where it is bound.
        #[label("unused")]
        span: Span,
    },
    /// A name defined twice in one scope: two constants or definitions, two parameters of a policy,
    /// or a binding, let or variable that shadows one in scope.
    #[error("`{name}` is already defined")]
    #[diagnostic(code(dexlint::duplicate_name), help("choose another name"))]
    DuplicateName {
        /// The name.
        name: String,
        /// The second definition's name.
        #[label("redefined here")]
        span: Span,
    },
    /// A parameter or constant named like a collection (`param users: list<string>`): it would
    /// hide the collection, and what reads the name would read it instead.
    #[error("{what} `{name}` has the name of a collection")]
    #[diagnostic(code(dexlint::shadows_collection))]
    ShadowsCollection {
        /// `parameter` or `constant`.
        what: String,
        /// The name, a collection's.
        name: String,
        /// The name where it is defined.
        #[label("hides the collection `{name}`")]
        span: Span,
        /// Which collection it hides, and to choose another name.
        #[help]
        help: String,
    },
    /// An attribute written twice in a policy, an edition listed twice in `editions` or cited twice,
    /// or a citation field given twice.
    #[error("`{name}` is given twice")]
    #[diagnostic(code(dexlint::duplicate_attribute))]
    DuplicateAttribute {
        /// What is repeated: the keyword (`severity`), `editions "NAME"`, `cite "NAME"` or the citation
        /// field.
        name: String,
        /// The second occurrence: the attribute keyword, the edition string or the field name.
        #[label("second `{name}`")]
        span: Span,
    },
    /// A policy without a `severity` attribute.
    #[error("policy `{id}` has no severity")]
    #[diagnostic(
        code(dexlint::missing_severity),
        help("add `severity error`, `severity warning` or `severity info`")
    )]
    MissingSeverity {
        /// The policy's id.
        id: String,
        /// The policy's id after `policy`.
        #[label("this policy")]
        span: Span,
    },
    /// A `severity` attribute whose value is not `error`, `warning` or `info`.
    #[error("unknown severity `{value}`")]
    #[diagnostic(code(dexlint::severity))]
    UnknownSeverity {
        /// The value as written.
        value: String,
        /// The value after `severity`.
        #[label("expected `error`, `warning` or `info`")]
        span: Span,
        /// A did-you-mean suggestion among the three severities, if one is close.
        #[help]
        help: Option<String>,
    },
    /// A glob argument of a built-in function that is not a valid glob.
    #[error("invalid glob `{glob}`: {reason}")]
    #[diagnostic(code(dexlint::glob))]
    BadGlob {
        /// The glob pattern.
        glob: String,
        /// Why the glob library rejects it.
        reason: String,
        /// The glob argument.
        #[label("this glob")]
        span: Span,
    },
    /// An expression that must be known at compile time but is not: a constant's value, a
    /// parameter's default or a glob argument (a string that interpolates is
    /// [`CompileError::Interpolated`]).
    #[error("{what} must be constant")]
    #[diagnostic(code(dexlint::not_constant), help("use literals and constants only"))]
    NotConstant {
        /// What must be constant, which starts the message: "a tag", "the value of constant `X`",
        /// "the default of `X`"...
        what: String,
        /// The expression or string that is not constant.
        #[label("not constant")]
        span: Span,
    },
    /// An interpolation `{expr}` in a string that must be constant: a title, tag, `docs`,
    /// `description`, `example`, edition, citation or `label`, a constant's value or a
    /// parameter's default.
    #[error("{what} cannot interpolate a value")]
    #[diagnostic(
        code(dexlint::not_constant),
        help("only a rule's message and `help` interpolate; write `{{{{` and `}}}}` for literal braces")
    )]
    Interpolated {
        /// What must be constant, which starts the message: "`description`", "a tag", "the
        /// default of `X`"...
        what: String,
        /// The expression between the braces of the first interpolation.
        #[label("interpolated here")]
        span: Span,
    },
    /// A `report` target that is not a field, a record-valued name or a collection.
    #[error("`report` must point at a field, a bound record or a collection")]
    #[diagnostic(
        code(dexlint::report_target),
        help("for example `report g.name \"...\"` or `report g \"...\"`")
    )]
    BadTarget {
        /// The target expression between `report` and the message.
        #[label("not a place in the export")]
        span: Span,
    },
    /// A call of a `def` defined later in its file, or of the definition being compiled.
    #[error("`{name}` cannot be used here: a definition may use only the definitions above it")]
    #[diagnostic(code(dexlint::recursive), help("definitions cannot call themselves or a later definition, so that every policy terminates"))]
    Recursive {
        /// The definition's name.
        name: String,
        /// The name in the call.
        #[label("defined below, or this definition itself")]
        span: Span,
    },
    /// An `import` of a file that cannot be read.
    #[error("cannot import `{path}`: {reason}")]
    #[diagnostic(code(dexlint::import))]
    Import {
        /// The path as written in the `import`.
        path: String,
        /// Why it cannot be read (`no such policy file`, an I/O error).
        reason: String,
        /// The `import` declaration, from `import` to the end of the path.
        #[label("this import")]
        span: Span,
    },
    /// Files that import each other, directly or through others.
    #[error("import cycle: {cycle}")]
    #[diagnostic(
        code(dexlint::import_cycle),
        help("move the shared definitions into a file that imports neither")
    )]
    ImportCycle {
        /// The file names around the cycle, joined by ` → `, the first repeated at the end.
        cycle: String,
        /// The `import` declaration that closes the cycle.
        #[label("closes the cycle")]
        span: Span,
    },
    /// Brackets, parentheses, braces and prefix operators nested deeper than the limit, found on the
    /// raw text before parsing.
    #[error("nesting deeper than {limit} level{}", if *limit == 1 { "" } else { "s" })]
    #[diagnostic(
        code(dexlint::too_deep),
        help("split the expression with `let` or `def`")
    )]
    TooDeep {
        /// The nesting limit in force (`max-policy-nesting`, by default [`MAX_NESTING`](super::parse::MAX_NESTING)).
        limit: usize,
        /// The character at which the nesting exceeds the limit.
        #[label("too deep")]
        span: Span,
    },
    /// An edition name that is not in the catalogue, or a `cite` of an edition outside the policy's
    /// `editions` when it lists some.
    #[error("unknown edition `{name}`")]
    #[diagnostic(code(dexlint::unknown_edition))]
    UnknownEdition {
        /// The edition name as written.
        name: String,
        /// The edition string.
        #[label("not an edition of the catalogue")]
        span: Span,
        /// The known editions, or the editions the policy belongs to.
        #[help]
        help: Option<String>,
    },
    /// A `cite` block without a required field (`title` or `url`).
    #[error("`cite` needs a `{field}`")]
    #[diagnostic(
        code(dexlint::cite),
        help("a citation gives the page's `title` and `url`, and where it can its `section`, `date` (ms.date) and `quote`")
    )]
    MissingCiteField {
        /// The missing field's name.
        field: String,
        /// The edition string after `cite`.
        #[label("this citation")]
        span: Span,
    },
    /// A string literal compared with an enumerated field (`m.kind == "User"`) that is none of
    /// the field's values: the comparison could never hold.
    #[error("`{value}` is not a value of `{field}`: the comparison can never hold")]
    #[diagnostic(code(dexlint::unknown_value))]
    UnknownValue {
        /// The literal's text.
        value: String,
        /// `record.field` (`member.kind`).
        field: String,
        /// The literal.
        #[label("not a value of `{field}`")]
        span: Span,
        /// A did-you-mean suggestion, and the field's values.
        #[help]
        help: String,
    },
    /// A parameter without a type whose default does not tell it: `[]` (a list of what?) or
    /// `null`, which no configured value could then match.
    #[error("parameter `{name}` needs a type: its default `{default}` does not tell it")]
    #[diagnostic(code(dexlint::param_type))]
    UntypedParam {
        /// The parameter's name.
        name: String,
        /// The default as written.
        default: String,
        /// The parameter's name after `param`.
        #[label("write its type after the name")]
        span: Span,
        /// The declaration with a type, and the types a parameter may have.
        #[help]
        help: String,
    },
    /// A type annotation that names no type: not `string`, `int`, `bool` or a record type, a `list`
    /// without its element type, or a record type given an argument.
    #[error("unknown type `{name}`")]
    #[diagnostic(code(dexlint::unknown_type))]
    UnknownType {
        /// The type's name as written (without its `<...>`).
        name: String,
        /// The whole type annotation.
        #[label("unknown type")]
        span: Span,
        /// A did-you-mean suggestion, and the types there are.
        #[help]
        help: String,
    },
}

impl CompileError {
    /// The span the error is labelled on.
    pub fn span(&self) -> Span {
        use CompileError::*;
        match self {
            Syntax { span, .. }
            | Internal { span, .. }
            | BadEscape { span }
            | IntegerTooLarge { span }
            | UnknownName { span, .. }
            | UnboundInHelp { span, .. }
            | UnknownEdition { span, .. }
            | MissingCiteField { span, .. }
            | UnknownField { span, .. }
            | UnknownValue { span, .. }
            | NotARecord { span, .. }
            | TypeMismatch { span, .. }
            | UnknownFunction { span, .. }
            | Arity { span, .. }
            | DuplicatePolicy { span, .. }
            | UnusedBinding { span, .. }
            | DuplicateName { span, .. }
            | ShadowsCollection { span, .. }
            | DuplicateAttribute { span, .. }
            | MissingSeverity { span, .. }
            | UnknownSeverity { span, .. }
            | BadGlob { span, .. }
            | NotConstant { span, .. }
            | Interpolated { span, .. }
            | BadTarget { span }
            | Recursive { span, .. }
            | TooDeep { span, .. }
            | Import { span, .. }
            | ImportCycle { span, .. }
            | UntypedParam { span, .. }
            | UnknownType { span, .. } => *span,
        }
    }
}

/// A compile error together with the policy file it is in.
#[derive(Debug, Clone)]
pub struct SourcedError {
    /// The error.
    pub error: CompileError,
    /// The name of the policy file, as its source was named (a path, or `builtin:NAME`).
    pub file: String,
    /// The file's name and text, which miette renders the labels against.
    pub src: Source,
}

impl SourcedError {
    /// 1-based line and column of the error's span.
    pub fn line_col(&self) -> (usize, usize) {
        crate::base::lines::position(self.src.text(), self.error.span().start)
    }
}

impl fmt::Display for SourcedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for SourcedError {}

impl Diagnostic for SourcedError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.error.labels()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }
}

/// Every compile error of every policy file compiled together.
///
/// The errors are grouped by file, in the order the files were compiled.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("{} error(s) in the policies", errors.len())]
#[diagnostic(code(dexlint::compile))]
pub struct CompileErrors {
    /// The errors, never empty.
    #[related]
    pub errors: Vec<SourcedError>,
}

impl CompileErrors {
    /// The errors, grouped by file.
    pub fn errors(&self) -> &[SourcedError] {
        &self.errors
    }
}
/// Every compile error in miette's graphical form, one header each, without the internal
/// error codes.
pub fn render_errors(errors: &CompileErrors, color: bool, width: usize) -> String {
    errors
        .errors()
        .iter()
        .map(|e| crate::base::render::setup_error(e, color, width))
        .collect::<Vec<_>>()
        .join("\n")
}
