//! One self-contained HTML page: no script, no external style, font or image, nothing fetched;
//! it works opened from disk and prints readably. It carries the facts of the JSON report
//! (the lint's summary, the coverage counts per tenant drawn as bars, every violation with its
//! source excerpt and help, the rules not evaluated with their reasons, waivers, errors, the
//! products' states) or of `dexlint scope`'s coverage report. Markup is built with `maud`,
//! which escapes every value.

use crate::outcome::{
    CoverageReport, CoverageState, CoverageSummary, LintReport, TenantSummary, Violation,
};
use maud::{html, Markup, PreEscaped, DOCTYPE};

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1f24}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
.verdict{font-weight:600;padding:.5rem .75rem;border-radius:6px;display:inline-block}
.fail{background:#ffebe9}.pass{background:#dafbe1}
.v{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem;margin:.75rem 0;break-inside:avoid}
.sev-error{border-left:6px solid #cf222e}.sev-warning{border-left:6px solid #bf8700}.sev-info{border-left:6px solid #0969da}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
mark{background:#fff8c5;outline:1px solid #d4a72c}
.bar{display:inline-block;height:1rem;vertical-align:middle}
.in_scope{background:#2da44e}.lost{background:#cf222e}.out_of_scope{background:#8c959f}.unknown{background:#bf8700}.inactive{background:#d0d7de}
.muted{color:#57606a}
@media print{body{margin:0;max-width:none}a{color:inherit}.v{page-break-inside:avoid}}
";

fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
    .into_string()
}

/// Coverage counts of users and devices as horizontal bars (one per state, proportional).
fn coverage_chart(c: &CoverageSummary) -> Markup {
    let row = |kind: &str, counts: &std::collections::BTreeMap<&'static str, usize>| {
        let total: usize = counts.values().sum();
        html! {
            tr {
                th { (kind) }
                td {
                    @for s in CoverageState::ALL {
                        @let n = counts.get(s.as_str()).copied().unwrap_or(0);
                        @if n > 0 {
                            span class={"bar " (s.as_str())}
                                style={"width:" (n * 400 / total.max(1)) "px"}
                                title={(s.as_str()) ": " (n)} {}
                        }
                    }
                }
                td {
                    @for (i, s) in CoverageState::ALL.iter().enumerate() {
                        @if i > 0 { ", " }
                        (counts.get(s.as_str()).copied().unwrap_or(0)) " " (s.as_str())
                    }
                }
            }
        }
    };
    html! {
        p { "Scoped coverage: " (super::coverage::scoped_coverage_text(c.scoped_coverage)) }
        table {
            (row("users", &c.users))
            (row("devices", &c.devices))
        }
        @if !c.notes.is_empty() {
            ul { @for n in &c.notes { li { (n) } } }
        }
    }
}

fn excerpt(v: &Violation) -> Markup {
    let Some(src) = &v.source else {
        return html! {};
    };
    let (before, value, after) = (
        src.text.get(..src.start).unwrap_or(""),
        src.text.get(src.start..src.end).unwrap_or(""),
        src.text.get(src.end..).unwrap_or(""),
    );
    html! {
        pre { (before) mark { (value) } (after) }
    }
}

fn location(v: &Violation) -> String {
    let file = crate::outcome::joined_path(v.root.as_deref(), v.file.as_deref().unwrap_or(""));
    match (v.line, v.column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        _ => file,
    }
}

fn violation(v: &Violation) -> Markup {
    html! {
        div class={"v sev-" (v.severity)} {
            strong { (v.policy) " " (v.severity) } ": " (v.message)
            @if v.file.is_some() {
                div class="muted" { (location(v)) @if let Some(p) = &v.pointer { " (" code { (p) } ")" } }
            }
            (excerpt(v))
            @if let Some(h) = &v.help { div { "Fix: " (h) } }
            @for r in &v.related {
                div class="muted" {
                    "Evidence at " (crate::outcome::joined_path(r.root.as_deref(), &r.file)) ":" (r.line) ":" (r.column)
                    " (" code { (r.pointer) } ")"
                }
            }
            div class="muted" {
                (v.title)
                @if let Some(d) = &v.docs { " · " a href=(d) { (d) } }
                @if let Some(w) = &v.waiver { " · waived: " (w) }
            }
        }
    }
}

fn tenant(t: &TenantSummary) -> Markup {
    html! {
        h3 { (t.roots.join(", ")) }
        p class="muted" {
            (t.files_read) " files read, " (t.entities) " entities, " (t.policies_run) " policies run, "
            (t.not_evaluated) " not evaluated, " (t.partially_evaluated) " partially evaluated, "
            (t.files_failed) " files failed to load"
        }
        (coverage_chart(&t.coverage))
        @if !t.products.is_empty() {
            table {
                tr { th { "product" } th { "mode" } th { "observed" } th { "declared" } th { "licensed" } th { "evidence" } }
                @for p in &t.products {
                    tr {
                        td { (p.title) " (" code { (p.name) } ")" }
                        td { (p.mode) }
                        td { (p.observed.as_deref().unwrap_or("")) }
                        td { (p.declared.as_deref().unwrap_or("")) }
                        td { (p.licensed.map_or(String::new(), |l| l.to_string())) }
                        td {
                            (p.evidence)
                            @if let (Some(f), Some(l)) = (&p.file, p.line) { span class="muted" { " (" (f) ":" (l) ")" } }
                        }
                    }
                }
            }
        }
    }
}

/// The lint report as one HTML page.
pub fn lint(r: &LintReport) -> String {
    let s = &r.summary;
    let fail_level = r.fail_level.unwrap_or(crate::outcome::Severity::Error);
    // The same verdict as the human report's closing line.
    let verdict = super::human::verdict(r);
    let failed = verdict.starts_with("not ");
    let count = |sev: crate::outcome::Severity| s.violations.get(&sev).copied().unwrap_or(0);
    let body = html! {
        h1 { "dexlint report" }
        p class="muted" {
            "dexlint " (env!("CARGO_PKG_VERSION"))
            @if let Some(e) = &s.edition { " · edition " (e) }
            " · fail level " (fail_level)
        }
        p class={"verdict " (if failed { "fail" } else { "pass" })} { (verdict) }
        h2 { "Summary" }
        table {
            tr { th { "errors" } th { "warnings" } th { "info" } th { "waived" } th { "baselined" } th { "not evaluated" } th { "partially evaluated" } th { "files read" } th { "files failed" } }
            tr {
                td { (count(crate::outcome::Severity::Error)) } td { (count(crate::outcome::Severity::Warning)) } td { (count(crate::outcome::Severity::Info)) }
                td { (s.waived) } td { (s.baselined) } td { (s.not_evaluated) } td { (s.partially_evaluated) }
                td { (s.files_read) } td { (s.files_failed) }
            }
        }
        h2 { "Tenants" }
        @for t in &s.tenants { (tenant(t)) }
        h2 { "Violations (" (r.violations.len()) ")" }
        @for v in &r.violations { (violation(v)) }
        @if !r.not_evaluated.is_empty() {
            h2 { "Not evaluated (" (r.not_evaluated.len()) ")" }
            table {
                tr { th { "policy" } th { "rule" } th { "entity" } th { "reason" } }
                @for n in &r.not_evaluated {
                    tr {
                        td {
                            (n.policy)
                            @if let (true, Some(root)) = (r.several_tenants(), &n.root) {
                                " in " code { (root) }
                            }
                        }
                        td { (n.label.as_deref().unwrap_or("")) }
                        td { (n.entity.as_deref().unwrap_or("")) }
                        td { (n.reason) }
                    }
                }
            }
        }
        @if !r.waived.is_empty() {
            h2 { "Waived (" (r.waived.len()) ")" }
            @for v in &r.waived { (violation(v)) }
        }
        @if !r.errors.is_empty() {
            h2 { "Errors (" (r.errors.len()) ")" }
            ul {
                @for e in &r.errors {
                    li {
                        (format!("{:?}", e.level).to_lowercase()) ": " code { (crate::outcome::joined_path(e.root.as_deref(), &e.file)) }
                        @if let (Some(l), Some(c)) = (e.line, e.column) { ":" (l) ":" (c) }
                        " " (e.message)
                    }
                }
            }
        }
    };
    page("dexlint report", body)
}

/// `dexlint scope`'s coverage report as one HTML page.
pub fn scope(r: &CoverageReport) -> String {
    let body = html! {
        h1 { "dexlint scope" }
        p class="muted" { "dexlint " (env!("CARGO_PKG_VERSION")) }
        (coverage_chart(&r.summary))
        h2 { "Assets (" (r.assets.len()) ")" }
        table {
            tr { th { "kind" } th { "name" } th { "id" } th { "state" } th { "reason" } th { "evidence" } }
            @let several = crate::outcome::several_roots(&r.assets);
            @for a in &r.assets {
                @let file = a.shown_file(several);
                tr {
                    td { (a.kind) }
                    td { (crate::base::visible::visible(a.upn.clone().unwrap_or_else(|| a.name.clone()))) }
                    td { code { (a.id) } }
                    td { (a.state.as_str()) }
                    td { (a.reason) }
                    td {
                        @if let Some(f) = &file { (f) @if let Some(l) = a.line { ":" (l) } }
                    }
                }
            }
        }
    };
    page("dexlint scope", body)
}
