//! How diagnostics are drawn: one miette graphical handler set-up for every output that shows
//! them (the terminal, `--format human`, policy compile errors).

/// A graphical miette handler: colours and links only when `color`, lines wrapped at `width`
/// characters.
pub fn handler(color: bool, width: usize) -> miette::GraphicalReportHandler {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(color)
}
