//! How diagnostics are drawn: one miette graphical handler set-up for every output that shows
//! them (the terminal, `--format human`, policy compile errors).

/// A graphical miette handler: colours and links only when `color`, lines wrapped at `width`
/// characters. Lines are broken at spaces only: an identifier, path or URL (a GUID, a file
/// name with hyphens) is never split across lines, a line holding a longer one runs past
/// `width` instead.
pub fn handler(color: bool, width: usize) -> miette::GraphicalReportHandler {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(color)
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// A named text that diagnostics are drawn against (a policy file, `dexlint.toml`): as
/// [`miette::NamedSource`], but the header's column (`file:4:29`) counts characters, as
/// every position dexlint reports does; miette's counts bytes.
#[derive(Debug, Clone)]
pub struct Source {
    name: String,
    text: std::sync::Arc<str>,
}

impl Source {
    /// The text `text`, shown as `name`.
    pub fn new(name: impl Into<String>, text: impl Into<std::sync::Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The name it is shown as.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl miette::SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.as_ref().read_span(span, before, after)?;
        // Without lines before, miette's column is the span's, counted in bytes.
        let column = match before {
            0 => crate::base::lines::position(&self.text, span.offset())
                .1
                .saturating_sub(1),
            _ => inner.column(),
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// Wraps `text` at `width` columns the way [`handler`] does: at spaces only, never inside a
/// word; continuation lines start with `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let options = textwrap::Options::new(width.max(20))
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .subsequent_indent(indent);
    textwrap::fill(text, options)
}

/// A diagnostic as shown to people: without its internal code (`dexlint::config`), its related
/// diagnostics (each is shown on its own) and its cause chain (the messages already say it).
struct Plain<'a>(&'a dyn miette::Diagnostic);

impl std::fmt::Display for Plain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.0, f)
    }
}
impl std::fmt::Debug for Plain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.0, f)
    }
}
impl std::error::Error for Plain<'_> {}
impl miette::Diagnostic for Plain<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
}

/// A setup error (configuration, policies, usage) for people: one header per error. A
/// diagnostic that only gathers others (`dexlint.toml` has 2 errors) is shown as those
/// others, one after the other; internal codes and repeated causes are left out.
pub fn setup_error(e: &dyn miette::Diagnostic, color: bool, width: usize) -> String {
    let handler = handler(color, width);
    let mut out = String::new();
    let mut any = false;
    if let Some(related) = e.related() {
        for r in related {
            // One blank line between two errors.
            if any {
                out.push('\n');
            }
            any = true;
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut out, &Plain(r));
        }
    }
    if !any {
        let _ = handler.render_report(&mut out, &Plain(e));
    }
    out
}
