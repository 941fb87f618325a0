//! Compile errors: one concrete type per kind of mistake, each labelled on the exact span of
//! the policy file; messages are lowercase with user values in backticks, advice in `help`.

use super::ast::Span;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use std::fmt;
use std::sync::Arc;

#[derive(Debug, Clone, thiserror::Error, Diagnostic, PartialEq)]
pub enum CompileError {
    #[error("syntax error: {message}")]
    #[diagnostic(code(dexlint::syntax))]
    Syntax {
        message: String,
        #[label("{found}")]
        span: Span,
        found: String,
    },
    #[error("internal error: {message}")]
    #[diagnostic(
        code(dexlint::internal),
        help("this is a bug in dexlint; please report it with the policy file")
    )]
    Internal {
        message: String,
        #[label("here")]
        span: Span,
    },
    #[error("invalid escape sequence")]
    #[diagnostic(
        code(dexlint::escape),
        help("escapes are \\\" \\\\ \\n \\t \\r \\{{ \\}} and \\u{{HEX}}")
    )]
    BadEscape {
        #[label("this escape")]
        span: Span,
    },
    #[error("integer literal is too large")]
    #[diagnostic(code(dexlint::integer))]
    IntegerTooLarge {
        #[label("does not fit in 64 bits")]
        span: Span,
    },
    #[error("unknown name `{name}`")]
    #[diagnostic(code(dexlint::unknown_name))]
    UnknownName {
        name: String,
        #[label("not a binding, parameter, constant or collection")]
        span: Span,
        #[help]
        help: Option<String>,
    },
    #[error("`{record}` has no field `{field}`")]
    #[diagnostic(code(dexlint::unknown_field))]
    UnknownField {
        field: String,
        record: String,
        #[label("unknown field")]
        span: Span,
        #[help]
        help: Option<String>,
    },
    #[error("cannot read field `{field}` of a value of type `{ty}`")]
    #[diagnostic(code(dexlint::not_a_record))]
    NotARecord {
        field: String,
        ty: String,
        #[label("this is a `{ty}`")]
        span: Span,
        #[help]
        help: Option<String>,
    },
    #[error("{message}")]
    #[diagnostic(code(dexlint::type_mismatch))]
    TypeMismatch {
        message: String,
        #[label("{label}")]
        span: Span,
        label: String,
    },
    #[error("unknown function `{name}`")]
    #[diagnostic(code(dexlint::unknown_function))]
    UnknownFunction {
        name: String,
        #[label("no such function")]
        span: Span,
        #[help]
        help: Option<String>,
    },
    #[error("`{name}` takes {expected} argument(s) but {found} were given")]
    #[diagnostic(code(dexlint::arity))]
    Arity {
        name: String,
        expected: String,
        found: usize,
        #[label("wrong number of arguments")]
        span: Span,
    },
    #[error("policy id `{id}` is defined twice")]
    #[diagnostic(
        code(dexlint::duplicate_policy),
        help("the first definition is in `{first}`; policy ids must be unique")
    )]
    DuplicatePolicy {
        id: String,
        first: String,
        #[label("second definition")]
        span: Span,
    },
    #[error("`{name}` is bound but never used")]
    #[diagnostic(
        code(dexlint::unused_binding),
        help("use it, remove it, or name it `_{name}`")
    )]
    UnusedBinding {
        name: String,
        #[label("unused")]
        span: Span,
    },
    #[error("`{name}` is already defined")]
    #[diagnostic(code(dexlint::duplicate_name), help("choose another name"))]
    DuplicateName {
        name: String,
        #[label("redefined here")]
        span: Span,
    },
    #[error("`{name}` is given twice")]
    #[diagnostic(code(dexlint::duplicate_attribute))]
    DuplicateAttribute {
        name: String,
        #[label("second `{name}`")]
        span: Span,
    },
    #[error("policy `{id}` has no severity")]
    #[diagnostic(
        code(dexlint::missing_severity),
        help("add `severity error`, `severity warning` or `severity info`")
    )]
    MissingSeverity {
        id: String,
        #[label("this policy")]
        span: Span,
    },
    #[error("unknown severity `{value}`")]
    #[diagnostic(code(dexlint::severity))]
    UnknownSeverity {
        value: String,
        #[label("expected `error`, `warning` or `info`")]
        span: Span,
        #[help]
        help: Option<String>,
    },
    #[error("invalid glob `{glob}`: {reason}")]
    #[diagnostic(code(dexlint::glob))]
    BadGlob {
        glob: String,
        reason: String,
        #[label("this glob")]
        span: Span,
    },
    #[error("{what} must be constant")]
    #[diagnostic(code(dexlint::not_constant), help("use literals and constants only"))]
    NotConstant {
        what: String,
        #[label("not constant")]
        span: Span,
    },
    #[error("`report` must point at a field, a bound record or a collection")]
    #[diagnostic(
        code(dexlint::report_target),
        help("for example `report g.name \"...\"` or `report g \"...\"`")
    )]
    BadTarget {
        #[label("not a place in the export")]
        span: Span,
    },
    #[error("`{name}` cannot be used here: a definition may use only the definitions above it")]
    #[diagnostic(code(dexlint::recursive), help("definitions cannot call themselves or a later definition, so that every policy terminates"))]
    Recursive {
        name: String,
        #[label("defined below, or this definition itself")]
        span: Span,
    },
    #[error("cannot import `{path}`: {reason}")]
    #[diagnostic(code(dexlint::import))]
    Import {
        path: String,
        reason: String,
        #[label("this import")]
        span: Span,
    },
    #[error("import cycle: {cycle}")]
    #[diagnostic(
        code(dexlint::import_cycle),
        help("move the shared definitions into a file that imports neither")
    )]
    ImportCycle {
        cycle: String,
        #[label("closes the cycle")]
        span: Span,
    },
    #[error("nesting deeper than {limit} levels")]
    #[diagnostic(
        code(dexlint::too_deep),
        help("split the expression with `let` or `def`")
    )]
    TooDeep {
        limit: usize,
        #[label("too deep")]
        span: Span,
    },
    #[error("unknown edition `{name}`")]
    #[diagnostic(code(dexlint::unknown_edition))]
    UnknownEdition {
        name: String,
        #[label("not an edition of the catalogue")]
        span: Span,
        #[help]
        help: Option<String>,
    },
    #[error("`cite` needs a `{field}`")]
    #[diagnostic(
        code(dexlint::cite),
        help("a citation gives the page's `title` and `url`, and where it can its `section`, `date` (ms.date) and `quote`")
    )]
    MissingCiteField {
        field: String,
        #[label("this citation")]
        span: Span,
    },
    #[error("unknown type `{name}`")]
    #[diagnostic(
        code(dexlint::unknown_type),
        help("types are `string`, `int`, `bool`, `list<T>` and record types such as `group` or `member`")
    )]
    UnknownType {
        name: String,
        #[label("unknown type")]
        span: Span,
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
            | UnknownEdition { span, .. }
            | MissingCiteField { span, .. }
            | UnknownField { span, .. }
            | NotARecord { span, .. }
            | TypeMismatch { span, .. }
            | UnknownFunction { span, .. }
            | Arity { span, .. }
            | DuplicatePolicy { span, .. }
            | UnusedBinding { span, .. }
            | DuplicateName { span, .. }
            | DuplicateAttribute { span, .. }
            | MissingSeverity { span, .. }
            | UnknownSeverity { span, .. }
            | BadGlob { span, .. }
            | NotConstant { span, .. }
            | BadTarget { span }
            | Recursive { span, .. }
            | TooDeep { span, .. }
            | Import { span, .. }
            | ImportCycle { span, .. }
            | UnknownType { span, .. } => *span,
        }
    }
}

/// A compile error together with the policy file it is in.
#[derive(Debug, Clone)]
pub struct SourcedError {
    pub error: CompileError,
    pub file: String,
    pub src: NamedSource<Arc<str>>,
}

impl SourcedError {
    /// 1-based line and column of the error's span.
    pub fn line_col(&self) -> (usize, usize) {
        crate::base::lines::position(self.src.inner(), self.error.span().start)
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
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("{} error(s) in the policies", errors.len())]
#[diagnostic(code(dexlint::compile))]
pub struct CompileErrors {
    #[related]
    pub errors: Vec<SourcedError>,
}

impl CompileErrors {
    pub fn errors(&self) -> &[SourcedError] {
        &self.errors
    }
}
/// Every compile error in miette's graphical form.
pub fn render_errors(errors: &CompileErrors, color: bool, width: usize) -> String {
    let handler = crate::base::render::handler(color, width);
    let mut out = String::new();
    for e in errors.errors() {
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, e);
    }
    out
}
