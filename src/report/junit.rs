//! `--format junit`: one test suite per policy; one failing test case per violation (named after
//! the entity and location), one passing case for a policy with none, one skipped case for a
//! policy that was not evaluated. The failure count equals the number of violations.

use crate::lint::{joined_path, LintReport};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

pub fn render(report: &LintReport) -> String {
    let mut by_policy: BTreeMap<&str, Vec<&crate::lint::Violation>> = BTreeMap::new();
    for v in report.violations.iter().chain(&report.waived) {
        by_policy.entry(v.policy.as_str()).or_default().push(v);
    }
    let not_evaluated: BTreeMap<&str, &str> = report
        .not_evaluated
        .iter()
        .filter(|n| n.rule.is_none())
        .map(|n| (n.policy.as_str(), n.reason.as_str()))
        .collect();
    let mut junit = Report::new("dexlint");
    for p in &report.policies {
        let mut suite = TestSuite::new(format!("{} {}", p.id, p.title));
        if let Some(reason) = not_evaluated.get(p.id.as_str()) {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("not evaluated: {reason}"));
            suite.add_test_case(case(&p.id, &p.id, status));
        } else if let Some(vs) = by_policy.get(p.id.as_str()) {
            for v in vs {
                let place = match (&v.file, v.line, v.column) {
                    (Some(f), Some(l), Some(c)) => {
                        format!("{}:{l}:{c}", joined_path(v.root.as_deref(), f))
                    }
                    (Some(f), _, _) => joined_path(v.root.as_deref(), f),
                    _ => "(no location)".to_string(),
                };
                let name = match &v.entity {
                    Some(e) => format!("{e} at {place}"),
                    None => place.clone(),
                };
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(v.message.clone())
                    .set_type(v.severity.to_string());
                let mut description = format!("{}\n{place}", v.message);
                if let Some(h) = &v.help {
                    description.push_str(&format!("\nhelp: {h}"));
                }
                status.set_description(description);
                suite.add_test_case(case(&p.id, &name, status));
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
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("not evaluated: {}", n.reason));
            suite.add_test_case(case(&p.id, &n.subject(), status));
        }
        junit.add_test_suite(suite);
    }
    let mut out = junit.to_string().unwrap_or_default();
    out.push('\n');
    out
}

fn case(class: &str, name: &str, status: TestCaseStatus) -> TestCase {
    let mut case = TestCase::new(name.to_string(), status);
    case.set_classname(class.to_string());
    case
}
