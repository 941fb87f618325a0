//! `--format junit`: one test suite per policy; one test case per violation, one passing case for
//! a policy with none, one skipped case for a policy that was not evaluated. A violation's case
//! is named after its policy and entity (a tenant-wide one: its rule; with the export root when
//! the run linted several), never its line or column, so that CI systems that follow test cases
//! from run to run (GitLab, Jenkins) see a finding that moved as the same test; the location is
//! in the failure text, and the file in the case's `file` attribute, which GitLab reads. A violation at or above the fail level is a failure; one below
//! it passes with properties `severity` and `below-fail-level` and the message in `system-out`,
//! so the failure count is what fails the job. Errors (files that failed to load, configuration
//! and policy errors) are error cases of a suite `dexlint`. The report (`testsuites`) is named
//! `dexlint (edition NAME)` after the catalogue edition of the run.

use crate::outcome::DiagLevel;
use crate::outcome::Severity;
use crate::outcome::{joined_path, LintReport};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

pub fn render(report: &LintReport) -> String {
    let mut by_policy: BTreeMap<&str, Vec<&crate::outcome::Violation>> = BTreeMap::new();
    for v in report.violations.iter().chain(&report.waived) {
        by_policy.entry(v.policy.as_str()).or_default().push(v);
    }
    let not_evaluated: BTreeMap<&str, &str> = report
        .not_evaluated
        .iter()
        .filter(|n| n.rule.is_none())
        .map(|n| (n.policy.as_str(), n.reason.as_str()))
        .collect();
    let fail_level = report.fail_level.unwrap_or(Severity::Error);
    let mut junit = Report::new(match &report.summary.edition {
        Some(e) => format!("dexlint (edition {e})"),
        None => "dexlint".to_string(),
    });
    let errors: Vec<_> = report
        .errors
        .iter()
        .filter(|e| e.level == DiagLevel::Error)
        .collect();
    if !errors.is_empty() {
        let mut suite = TestSuite::new("dexlint");
        let mut names = Names::default();
        for e in errors {
            let file = joined_path(e.root.as_deref(), &e.file);
            let mut place = file.clone();
            if let (Some(l), Some(c)) = (e.line, e.column) {
                place = format!("{place}:{l}:{c}");
            }
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(e.message.clone());
            status.set_description(match place.is_empty() {
                true => e.message.clone(),
                false => format!("{place}: {}", e.message),
            });
            // Named by its file, or (an error of no file) by its message.
            let name = match file.is_empty() {
                true => e.message.clone(),
                false => file.clone(),
            };
            let mut c = case("dexlint", &names.unique(name), status);
            if !file.is_empty() {
                c.extra.insert("file".into(), file.into());
            }
            suite.add_test_case(c);
        }
        junit.add_test_suite(suite);
    }
    for p in &report.policies {
        let mut suite = TestSuite::new(format!("{} {}", p.id, p.title));
        // Under --fail-on-not-evaluated a policy that could not be judged fails the run.
        let ne_status = || {
            if report.fail_on_not_evaluated {
                TestCaseStatus::non_success(NonSuccessKind::Failure)
            } else {
                TestCaseStatus::skipped()
            }
        };
        if let Some(reason) = not_evaluated.get(p.id.as_str()) {
            let mut status = ne_status();
            status.set_message(format!("not evaluated: {reason}"));
            suite.add_test_case(case(&p.id, &p.id, status));
        } else if let Some(vs) = by_policy.get(p.id.as_str()) {
            let mut names = Names::default();
            for v in vs {
                let file = v.file.as_deref().map(|f| joined_path(v.root.as_deref(), f));
                let place = match (&file, v.line, v.column) {
                    (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
                    (Some(f), _, _) => f.clone(),
                    _ => "(no location)".to_string(),
                };
                let mut name = match &v.entity {
                    Some(e) => format!("{} {e}", p.id),
                    None if p.rules.len() > 1 => {
                        format!("{} tenant-wide rule {}", p.id, v.rule + 1)
                    }
                    None => format!("{} tenant-wide", p.id),
                };
                if let (true, Some(root)) = (report.several_tenants(), &v.root) {
                    name = format!("{name} in {root}");
                }
                let name = names.unique(name);
                let mut description = format!("{}\n{place}", v.message_with_evidence());
                if let Some(h) = &v.help {
                    description.push_str(&format!("\nhelp: {h}"));
                }
                if let Some(w) = &v.waiver {
                    description.push_str(&format!("\nwaived: {w}"));
                }
                let with_file = |mut c: TestCase| {
                    if let Some(f) = &file {
                        c.extra.insert("file".into(), f.as_str().into());
                    }
                    c
                };
                if v.severity < fail_level || v.waiver.is_some() {
                    let mut c = with_file(case(&p.id, &name, TestCaseStatus::success()));
                    c.add_property(("severity", v.severity.to_string().as_str()));
                    if v.waiver.is_some() {
                        c.add_property(("waived", "true"));
                    } else {
                        c.add_property(("below-fail-level", fail_level.to_string().as_str()));
                    }
                    c.set_system_out(description);
                    suite.add_test_case(c);
                    continue;
                }
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(v.message.clone())
                    .set_type(v.severity.to_string());
                status.set_description(description);
                suite.add_test_case(with_file(case(&p.id, &name, status)));
            }
        } else {
            suite.add_test_case(case(&p.id, &p.id, TestCaseStatus::success()));
        }
        // Rules (or entities) of an evaluated policy that could not be judged.
        for n in report
            .not_evaluated
            .iter()
            .filter(|n| n.policy == p.id && n.rule.is_some())
        {
            let mut status = ne_status();
            status.set_message(format!("not evaluated: {}", n.reason));
            suite.add_test_case(case(&p.id, &n.subject_in(report.several_tenants()), status));
        }
        junit.add_test_suite(suite);
    }
    let mut out = junit.to_string().unwrap_or_default();
    out.push('\n');
    out
}

/// The names of a suite's test cases so far: a name given again is told apart by its place
/// among those that share it (` #2`), in report order.
#[derive(Default)]
struct Names(BTreeMap<String, usize>);

impl Names {
    fn unique(&mut self, name: String) -> String {
        let n = self.0.entry(name.clone()).or_default();
        *n += 1;
        match *n {
            1 => name,
            n => format!("{name} #{n}"),
        }
    }
}

fn case(class: &str, name: &str, status: TestCaseStatus) -> TestCase {
    let mut case = TestCase::new(name.to_string(), status);
    case.set_classname(class.to_string());
    case
}
