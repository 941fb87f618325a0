//! `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, Azure DevOps), built with the
//! `serde-sarif` model.
//!
//! Every policy of the run is a rule (with help and docs URI); every violation is a result with
//! a physical location relative to the repository root (`%SRCROOT%`: the work tree holding the
//! working directory, else the working directory; a `file://` URI outside it), a region that
//! always has `startLine` ≥ 1, and `partialFingerprints` built from the policy, root (its path
//! in the repository, however it is written), file and entity identity (not line numbers),
//! given as `dexlint/v1` and as `primaryLocationLineHash` (the one key code scanning reads), so
//! code scanning tracks a result across reformatting. A violation without a location is placed
//! at the start of the document its rule read, else at its export root (code scanning rejects
//! a result without a location). Load errors and policies not evaluated are tool
//! notifications. A run holds at most [`MAX_RESULTS`] results, GitHub's limit: the most severe.
//! Violations a waiver or the baseline accepts are results too, with a suppression (and, with a
//! baseline, `baselineState` `unchanged`, the others `new`), so that adopting a baseline does not
//! make code scanning take its alerts for fixed.

use crate::base::paths::{absolute, below, repository_root};
use crate::outcome::DiagLevel;
use crate::outcome::Severity;
use crate::outcome::{joined_path, LintReport, Violation};
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Suppression, Tool,
    ToolComponent,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_json(s: Severity) -> serde_json::Value {
    serde_json::to_value(level(s)).unwrap_or(serde_json::Value::Null)
}

/// A short stable hash (FNV-1a, 64 bits) for fingerprints.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The bytes of a path written as themselves in a URI reference: every other is
/// percent-encoded (a space, `#`, `%`, `?`, non-ASCII...). RFC 3986 unreserved characters,
/// sub-delimiters, `:`, `@` and the `/` between segments.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@')
    .remove(b'/');

/// Where the run's files are, for their URIs.
struct Sources<'r> {
    /// `%SRCROOT%`, absolute: the work tree of the git repository holding the working
    /// directory (what code scanning resolves URIs against: the checkout), else the working
    /// directory.
    root: PathBuf,
    /// The path of each export root, by the name the report gives it.
    paths: &'r BTreeMap<String, PathBuf>,
}

impl<'r> Sources<'r> {
    fn of(report: &'r LintReport) -> Sources<'r> {
        let cwd = absolute(Path::new("."));
        Sources {
            root: repository_root(&cwd).unwrap_or(cwd),
            paths: &report.root_paths,
        }
    }

    /// The absolute path of the export root named `root` (joined with `file`).
    fn path(&self, root: Option<&str>, file: &str) -> PathBuf {
        let root = root.map_or_else(PathBuf::new, |r| {
            self.paths
                .get(r)
                .cloned()
                .unwrap_or_else(|| PathBuf::from(r))
        });
        absolute(&root.join(file))
    }

    /// The export root named `root` as fingerprints key it: its path below `%SRCROOT%` (the
    /// same from any working directory of the repository, however it is written), else its
    /// absolute path.
    fn key(&self, root: &str) -> String {
        let path = self.path(Some(root), "");
        below(&path, &self.root).unwrap_or_else(|| path.to_string_lossy().into_owned())
    }

    /// The artifact location of `file` under `root` (SARIF 2.1.0 §3.4, §3.10): a valid URI
    /// reference, percent-encoded; its path below `%SRCROOT%` with that `uriBaseId`, else
    /// (outside it) a `file://` URI.
    fn artifact(&self, root: Option<&str>, file: &str) -> ArtifactLocation {
        let path = self.path(root, file);
        match below(&path, &self.root) {
            Some(relative) => ArtifactLocation::builder()
                .uri(encoded(&relative))
                .uri_base_id("%SRCROOT%")
                .build(),
            None => ArtifactLocation::builder().uri(file_uri(&path)).build(),
        }
    }

    /// `originalUriBaseIds`: the absolute URI of `%SRCROOT%`, ending in `/` (SARIF 2.1.0
    /// §3.14.14).
    fn base_ids(&self) -> BTreeMap<String, ArtifactLocation> {
        let mut uri = file_uri(&self.root);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        BTreeMap::from([(
            "%SRCROOT%".to_string(),
            ArtifactLocation::builder().uri(uri).build(),
        )])
    }
}

/// `path`, `/`-separated, percent-encoded for a URI.
fn encoded(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, PATH).to_string()
}

/// The `file://` URI of the absolute `path`.
fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    match text.starts_with('/') {
        true => format!("file://{}", encoded(&text)),
        false => format!("file:///{}", encoded(&text)),
    }
}

/// Where `v` is: its value, or (a violation without a location: code scanning rejects a
/// result without one) the start of the document its rule read, else its export root.
fn location(v: &Violation, sources: &Sources) -> Location {
    let Some(file) = v.file.as_deref() else {
        let physical = match &v.document {
            Some(document) => PhysicalLocation::builder()
                .artifact_location(sources.artifact(v.root.as_deref(), document))
                .region(Region::builder().start_line(1).start_column(1).build())
                .build(),
            None => PhysicalLocation::builder()
                .artifact_location(sources.artifact(v.root.as_deref(), ""))
                .build(),
        };
        return Location::builder().physical_location(physical).build();
    };
    let mut region = Region::builder()
        .start_line(v.line.unwrap_or(1) as i64)
        .start_column(v.column.unwrap_or(1) as i64)
        .end_line(v.end_line.or(v.line).unwrap_or(1) as i64)
        .end_column(v.end_column.or(v.column).unwrap_or(1) as i64)
        .build();
    if let Some(src) = v.source.as_ref().filter(|s| s.whole) {
        if let Some(text) = src.text.get(src.start..src.end) {
            region.snippet = Some(ArtifactContent::builder().text(text.to_string()).build());
        }
    }
    let physical = PhysicalLocation::builder()
        .artifact_location(sources.artifact(v.root.as_deref(), file))
        .region(region)
        .build();
    let mut loc = Location::builder().physical_location(physical).build();
    if let Some(pointer) = &v.pointer {
        loc.properties = Some(property_bag([("jsonPointer", serde_json::json!(pointer))]));
    }
    loc
}

/// A related location (where the evidence against the value is): the start of its value.
fn related_location(rel: &crate::outcome::RelatedLocation, sources: &Sources) -> Location {
    let region = Region::builder()
        .start_line(rel.line as i64)
        .start_column(rel.column as i64)
        .build();
    let physical = PhysicalLocation::builder()
        .artifact_location(sources.artifact(rel.root.as_deref(), &rel.file))
        .region(region)
        .build();
    let mut loc = Location::builder().physical_location(physical).build();
    loc.properties = Some(property_bag([(
        "jsonPointer",
        serde_json::json!(rel.pointer),
    )]));
    loc
}

fn property_bag<'a>(
    entries: impl IntoIterator<Item = (&'a str, serde_json::Value)>,
) -> PropertyBag {
    let map: BTreeMap<String, serde_json::Value> = entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    PropertyBag::builder().additional_properties(map).build()
}

fn notification(text: String, level_name: &str) -> Notification {
    let mut n = Notification::builder()
        .message(Message::from(text.as_str()))
        .build();
    n.level = serde_json::from_value(serde_json::json!(level_name)).ok();
    n
}

/// The most characters of a rule's `fullDescription.text` GitHub code scanning accepts ("SARIF
/// support for code scanning", `reportingDescriptor`).
const MAX_DESCRIPTION: usize = 1024;

/// `text` in at most `max` characters: whole when it fits, else up to the end of its last
/// sentence that fits, else up to its last word that fits, followed by `…`.
fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    // Room for `…` after a word.
    let end = text
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    let head = text.get(..end).unwrap_or(text);
    let sentence = head
        .match_indices(". ")
        .chain(head.match_indices(".\n"))
        .map(|(i, _)| i + 1)
        .max();
    if let Some(cut) = sentence {
        return head.get(..cut).unwrap_or(head).to_string();
    }
    let word = head.rfind(char::is_whitespace).unwrap_or(head.len());
    format!("{}…", head.get(..word).unwrap_or(head).trim_end())
}

/// A rule's help: its full description (which `fullDescription` may give only in part), then
/// how to fix what it finds; as text and as Markdown (which GitHub shows).
fn help(p: &crate::outcome::PolicyMeta) -> MultiformatMessageString {
    let fixes = p.rendered_fixes();
    let (text, markdown) = match (&p.description, &fixes) {
        (Some(d), Some(f)) => (
            format!("{d}\n\nHow to fix:\n{f}"),
            format!(
                "{}\n\n**How to fix**\n\n{}",
                super::markdown::text(d),
                f.lines()
                    .map(|l| format!("- {}", super::markdown::text(l)))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        ),
        _ => {
            let only = fixes
                .or_else(|| p.description.clone())
                .unwrap_or_else(|| p.title.clone());
            (only.clone(), super::markdown::text(&only))
        }
    };
    MultiformatMessageString::builder()
        .text(text)
        .markdown(markdown)
        .build()
}

/// The most results a run holds: GitHub code scanning rejects a SARIF run with more ("Results
/// per run: 25,000", in "SARIF results exceed one or more limits").
pub const MAX_RESULTS: usize = 25_000;

/// Whether a result is accepted, and by what.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Accepted<'r> {
    /// A new result.
    No,
    /// Accepted by a waiver, with its reason.
    Waiver(&'r str),
    /// Accepted by the baseline.
    Baseline,
}

/// Which of `results` a run keeps when there are more than `max`: the `max` most severe, those
/// neither a waiver nor the baseline accepts before the others, the earlier first among equals.
fn most_severe(results: &[(&Violation, Accepted)], max: usize) -> Vec<bool> {
    if results.len() <= max {
        return vec![true; results.len()];
    }
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by_key(|&i| {
        results
            .get(i)
            .map(|(v, a)| (*a != Accepted::No, std::cmp::Reverse(v.severity)))
    });
    let mut keep = vec![false; results.len()];
    for &i in order.iter().take(max) {
        if let Some(k) = keep.get_mut(i) {
            *k = true;
        }
    }
    keep
}

/// The SARIF log of `report`, pretty-printed: one run, its rules the run's policies, its
/// results the violations (those a waiver or the baseline accepts included, with a suppression
/// saying why; with a baseline, each result's `baselineState` is `new` or `unchanged`), at
/// most [`MAX_RESULTS`] of them (a notification says how many more there are).
pub fn render(report: &LintReport) -> String {
    let rule_index: BTreeMap<&str, usize> = report
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let rules: Vec<ReportingDescriptor> = report
        .policies
        .iter()
        .map(|p| {
            let mut rule = ReportingDescriptor::builder()
                .id(p.id.clone())
                .name(p.title.clone())
                .short_description(MultiformatMessageString::from(&p.title))
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(level_json(p.severity))
                        .build(),
                )
                .properties(property_bag([
                    ("tags", serde_json::json!(p.tags)),
                    ("source", serde_json::json!(p.source)),
                ]))
                .build();
            if let Some(d) = &p.description {
                rule.full_description = Some(MultiformatMessageString::from(&shortened(
                    d,
                    MAX_DESCRIPTION,
                )));
            }
            rule.help = Some(help(p));
            rule.help_uri = p.docs.clone();
            rule
        })
        .collect();
    // How many results of each fingerprint's parts came before: the second of two results
    // with the same parts is told apart by its place among them, not by its JSON pointer (an
    // array's order is not the entity's identity: Graph lists members in any order).
    let mut seen: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let sources = Sources::of(report);
    // The root however it was typed (`contoso`, `./contoso`, its absolute path) and wherever
    // in the repository the run was: the same key.
    let mut roots: BTreeMap<&str, String> = BTreeMap::new();
    let all: Vec<(&Violation, Accepted)> = report
        .violations
        .iter()
        .map(|v| (v, Accepted::No))
        .chain(
            report
                .waived
                .iter()
                .map(|v| (v, Accepted::Waiver(v.waiver.as_deref().unwrap_or_default()))),
        )
        .chain(report.baselined.iter().map(|v| (v, Accepted::Baseline)))
        .collect();
    let keep = most_severe(&all, MAX_RESULTS);
    let left_out = keep.iter().filter(|k| !**k).count();
    let results: Vec<SarifResult> = all
        .iter()
        .map(|&(v, accepted)| {
            let text = match &v.help {
                Some(h) => format!("{}\nhelp: {h}", v.message),
                None => v.message.clone(),
            };
            let parts = vec![
                v.policy.clone(),
                v.root
                    .as_deref()
                    .map(|r| roots.entry(r).or_insert_with(|| sources.key(r)).clone())
                    .unwrap_or_default(),
                v.file.clone().unwrap_or_default(),
                v.entity
                    .clone()
                    .or_else(|| v.pointer.clone())
                    .unwrap_or_default(),
                v.label.clone().unwrap_or_default(),
            ];
            let nth = seen.entry(parts.clone()).or_default();
            let mut parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            let occurrence = nth.to_string();
            if *nth > 0 {
                parts.push(&occurrence);
            }
            *nth += 1;
            let fp = fingerprint(&parts);
            // Code scanning reads only `primaryLocationLineHash` (and computes one from the
            // text of the line when it is missing): it gets the same stable key.
            let mut r = SarifResult::builder()
                .rule_id(v.policy.clone())
                .level(level(v.severity))
                .message(Message::from(text.as_str()))
                .partial_fingerprints(BTreeMap::from([
                    ("dexlint/v1".to_string(), fp.clone()),
                    ("primaryLocationLineHash".to_string(), fp),
                ]))
                .build();
            r.rule_index = rule_index.get(v.policy.as_str()).map(|&i| i as i64);
            r.locations = Some(vec![location(v, &sources)]);
            if !v.related.is_empty() {
                r.related_locations = Some(
                    v.related
                        .iter()
                        .map(|rel| related_location(rel, &sources))
                        .collect(),
                );
            }
            let justification = match accepted {
                Accepted::No => None,
                Accepted::Waiver(reason) => Some(reason.to_string()),
                Accepted::Baseline => match report.baseline_read.as_deref() {
                    Some(file) if !file.is_empty() => {
                        Some(format!("accepted by the baseline `{file}`"))
                    }
                    _ => Some("accepted by the baseline".to_string()),
                },
            };
            r.suppressions = justification.map(|j| {
                vec![Suppression::builder()
                    .kind(serde_json::json!("external"))
                    .status(serde_json::json!("accepted"))
                    .justification(j)
                    .build()]
            });
            if report.baseline_read.is_some() {
                r.baseline_state = Some(serde_json::json!(match accepted {
                    Accepted::Baseline => "unchanged",
                    _ => "new",
                }));
            }
            r
        })
        // After every fingerprint is worked out: those kept are those of a run without a cap.
        .zip(&keep)
        .filter_map(|(r, keep)| keep.then_some(r))
        .collect();
    let mut notifications: Vec<Notification> = report
        .errors
        .iter()
        .map(|e| {
            let path = joined_path(e.root.as_deref(), &e.file);
            // An error of no file (an export directory that does not exist): its message alone.
            let text = match (path.is_empty(), e.line, e.column) {
                (true, _, _) => e.message.clone(),
                (false, Some(l), Some(c)) => format!("{path}:{l}:{c}: {}", e.message),
                (false, _, _) => format!("{path}: {}", e.message),
            };
            notification(
                text,
                match e.level {
                    DiagLevel::Error => "error",
                    DiagLevel::Warning => "warning",
                    DiagLevel::Note => "note",
                },
            )
        })
        .collect();
    let ne_level = if report.fail_on_not_evaluated {
        "error"
    } else {
        "note"
    };
    notifications.extend(report.not_evaluated.iter().map(|n| {
        notification(
            format!(
                "{} not evaluated: {}",
                n.subject_in(report.several_tenants()),
                n.reason
            ),
            ne_level,
        )
    }));
    if left_out > 0 {
        notifications.push(notification(
            format!(
                "{left_out} of {} results left out: GitHub code scanning rejects a run of more \
                 than {MAX_RESULTS} results, so the most severe are kept; `dexlint lint --format \
                 json` lists every violation",
                all.len()
            ),
            "warning",
        ));
    }
    notifications.extend(
        report
            .summary
            .ran_on_incomplete_data
            .iter()
            .map(|r| notification(r.text(), "warning")),
    );
    let mut invocation = Invocation::builder()
        .execution_successful(report.summary.errors == 0)
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let driver = ToolComponent::builder()
        .name("dexlint")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/dexlint/dexlint")
        .rules(rules)
        .build();
    let mut run = Run::builder()
        .tool(Tool::from(driver))
        .results(results)
        .invocations(vec![invocation])
        .build();
    run.column_kind = serde_json::from_value(serde_json::json!("unicodeCodePoints")).ok();
    run.original_uri_base_ids = Some(sources.base_ids());
    // Each export root is a tenant of its own: its counts are in the run's properties, beside
    // the catalogue edition of the run.
    let mut properties = vec![(
        "tenants",
        serde_json::to_value(&report.summary.tenants).unwrap_or_default(),
    )];
    if let Some(edition) = &report.summary.edition {
        properties.push(("edition", serde_json::json!(edition)));
    }
    run.properties = Some(property_bag(properties));
    let sarif = Sarif::builder()
        .version(serde_json::json!("2.1.0"))
        .schema(SCHEMA)
        .runs(vec![run])
        .build();
    let mut out = serde_json::to_string_pretty(&sarif).unwrap_or_else(|_| "{}".to_string());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::shortened;

    #[test]
    fn a_long_text_is_cut_after_a_sentence_else_a_word() {
        let text = "One two. Three four five.";
        assert_eq!(shortened(text, 100), text);
        assert_eq!(shortened(text, 20), "One two.");
        assert_eq!(shortened("One two three four five", 12), "One two…");
        // Characters, not bytes.
        assert_eq!(shortened("Ééé ééé ééé", 8), "Ééé…");
    }
}
