//! A lint keeps in its model only the fields dexlint reads and those its policies read
//! (`dexlint::model::Projection`). The built-in policies' reports must not depend on it: each
//! export is linted with the built-in policies alone, and with a policy added that reads every
//! field only policies read (so the model keeps every field); the reports must be the same,
//! less what the added policy contributes.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use crate::common;
use dexlint::generate::{generate_as, GenOptions, Layout};
use dexlint::model::schema;
use dexlint::policy::{self, PolicySource};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Reads every field of the schema marked `on_demand`, and never fires.
const READER: &str = r#"# Reads every field that only policies read; never fires.
policy ZZZ001 "Reads every field only policies read" {
  severity info
  for u in users
  where u.department == "never-a-department"
    and u.on_premises_sync
    and exists(u.last_sign_in)
    and any(l in u.licenses: l.sku_id == "never" and count(x in l.disabled_plans: x == "never") > 0)
    and any(p in u.plans: p.service == "never" and exists(p.assigned))
  report u.upn "never"

  for d in devices
  where d.name == "never-a-device"
    and d.risk_score == "High"
    and d.exposure_level == "High"
    and d.health == "Active"
    and exists(d.last_seen)
  report d.name "never"
}
"#;

#[test]
fn the_reader_policy_reads_every_field_only_policies_read() {
    let set = policy::compile(
        &[PolicySource {
            name: "reader.policy".into(),
            text: READER.into(),
        }],
        &policy::NoFiles,
    )
    .unwrap_or_else(|e| panic!("{}", policy::render_errors(&e, false, 100)));
    let reads = set.policies[0].reads();
    let mut on_demand = 0;
    for record in schema::records() {
        for (i, f) in record.fields.iter().enumerate() {
            if f.on_demand {
                on_demand += 1;
                assert!(
                    reads
                        .iter()
                        .any(|(r, at)| std::ptr::eq(*r, record) && *at == i),
                    "READER does not read `{}.{}`: add it",
                    record.name,
                    f.name
                );
            }
        }
    }
    assert!(on_demand >= 11, "{on_demand}");
}

/// `dexlint lint DIR ARGS --format json`, with READER's directory when given: exit code and
/// the report less what READER contributes (its violations and not-evaluated entries, and the
/// counts that include it).
fn report(dir: &Path, reader: Option<&Path>, args: &[&str]) -> (Option<i32>, Value) {
    let mut c = common::dexlint();
    c.arg("lint").arg(dir).args(["--format", "json"]).args(args);
    if let Some(r) = reader {
        c.arg("--policies").arg(r);
    }
    let out = c.output().unwrap();
    let mut v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    without_reader(&mut v);
    if reader.is_some() {
        // A date that cannot be read is reported where a policy reads it (the reader reads
        // every field): the reader's, as its findings are.
        if let Some(errors) = v["errors"].as_array_mut() {
            errors.retain(|e| {
                !e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("is not a date dexlint reads"))
            });
        }
    }
    (out.status.code(), v)
}

/// Removes, at any depth, the entries of READER's policy and the counts that include it
/// (counts are numbers or objects of numbers; the lists of the same names stay).
fn without_reader(v: &mut Value) {
    match v {
        Value::Array(items) => {
            items.retain(|x| x["policy"] != "ZZZ001");
            items.iter_mut().for_each(without_reader);
        }
        Value::Object(map) => {
            const COUNTS: [&str; 4] = [
                "policies_run",
                "not_evaluated",
                "partially_evaluated",
                "violations",
            ];
            map.retain(|k, x| x.is_array() || !COUNTS.contains(&k.as_str()));
            map.values_mut().for_each(without_reader);
        }
        _ => {}
    }
}

/// A Graph users list and a Defender for Endpoint machine list whose fields only policies read
/// come in awkward forms: a licence list cut off by `ConvertTo-Json` (a string), a licence that
/// is no object, a plan's service as a number and its date unreadable, undocumented and
/// differently cased machine enumerations, a number where a date belongs. A lint that leaves
/// these fields out must still see and report what is wrong with them.
fn awkward(dir: &Path) {
    std::fs::create_dir_all(dir.join("graph")).unwrap();
    std::fs::create_dir_all(dir.join("mde")).unwrap();
    let user = |id: &str, rest: &str| {
        format!(
            r#"{{"id": "{id}", "displayName": "User {id}", "userPrincipalName": "{id}@contoso.com",
              "accountEnabled": true, "userType": "Member", "department": "Sales", {rest}}}"#
        )
    };
    let plan = r#"{"assignedDateTime": "2026-03-02T09:14:00Z", "capabilityStatus": "Enabled",
                   "service": "AADPremiumService", "servicePlanId": "41781fb2-bc02-4b7c-bd55-b576c07bb09d"}"#;
    let users = [
        user(
            "u1",
            &format!(
                r#""assignedLicenses": [{{"skuId": "s1", "disabledPlans": []}}], "assignedPlans": [{plan}]"#
            ),
        ),
        user(
            "u2",
            &format!(
                r#""assignedLicenses": "System.Collections.Hashtable", "assignedPlans": [{plan}]"#
            ),
        ),
        user(
            "u3",
            &format!(r#""assignedLicenses": [1, "x"], "assignedPlans": [{plan}]"#),
        ),
        user(
            "u4",
            r#""assignedPlans": [{"service": 5, "assignedDateTime": "yesterday", "capabilityStatus": "Enabled", "servicePlanId": "41781fb2-bc02-4b7c-bd55-b576c07bb09d"}]"#,
        ),
        user(
            "u5",
            r#""signInActivity": "System.Collections.Hashtable", "onPremisesSyncEnabled": "True", "assignedPlans": null"#,
        ),
    ];
    std::fs::write(
        dir.join("graph/users.json"),
        format!(
            r#"{{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
                "value": [{}]}}"#,
            users.join(",\n")
        ),
    )
    .unwrap();
    let machine = |id: &str, rest: &str| {
        format!(
            r#"{{"id": "{id}", "computerDnsName": "{id}.contoso.com", "osPlatform": "Windows11",
              "onboardingStatus": "Onboarded", "rbacGroupName": "Servers", {rest}}}"#
        )
    };
    let machines = [
        machine(
            "m1",
            r#""healthStatus": "Active", "riskScore": "High", "exposureLevel": "Low", "lastSeen": "2026-03-02T09:14:00Z""#,
        ),
        machine("m2", r#""healthStatus": "Sleepy""#),
        machine("m3", r#""riskScore": 3, "exposureLevel": "high""#),
        machine("m4", r#""lastSeen": 12, "healthStatus": null"#),
    ];
    std::fs::write(
        dir.join("mde/machines.json"),
        format!(
            r#"{{"@odata.context": "https://api.securitycenter.microsoft.com/api/$metadata#Machines",
                "value": [{}]}}"#,
            machines.join(",\n")
        ),
    )
    .unwrap();
}

#[test]
fn built_in_reports_do_not_depend_on_the_fields_kept() {
    let reader = tempfile::tempdir().unwrap();
    std::fs::write(reader.path().join("reader.policy"), READER).unwrap();
    let generated = tempfile::tempdir().unwrap();
    let options = GenOptions {
        users: 1500,
        devices: 1000,
        groups: 20,
        violations: 0.05,
        page: 400,
    };
    let paged = generated.path().join("paged");
    let one = generated.path().join("one-file");
    generate_as(&paged, &options, Layout::Paged).unwrap();
    generate_as(&one, &options, Layout::OneFile).unwrap();
    let odd = generated.path().join("awkward");
    awkward(&odd);

    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(common::manifest().join("tests/fixtures/exports"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
    dirs.sort();
    dirs.extend([common::manifest().join("examples/contoso"), paged, one, odd]);
    for dir in &dirs {
        for args in [
            &["--edition", "2025-08"][..],
            &["--redact", "--redact-key", "k"],
        ] {
            let kept = report(dir, None, args);
            let all = report(dir, Some(reader.path()), args);
            assert_eq!(kept, all, "{} {args:?}", dir.display());
        }
    }
    assert!(dirs.len() > 50);
}

/// Records are projected as they are read, a split one-file list included: with a projection
/// that keeps no on-demand field, no user or plan holds one; without it, they are there.
#[test]
fn a_split_list_is_read_with_only_the_kept_fields() {
    use dexlint::export::{load, LoadOptions};
    use dexlint::model::{Projection, ValueRef};
    let dir = tempfile::tempdir().unwrap();
    let options = GenOptions {
        users: 4000,
        devices: 2000,
        groups: 10,
        violations: 0.05,
        page: 999,
    };
    generate_as(dir.path(), &options, Layout::OneFile).unwrap();
    let users_json = std::fs::metadata(dir.path().join("graph/users.json")).unwrap();
    assert!(users_json.len() > 2 << 20, "large enough to be split");
    let (u, p) = (&schema::USER, &schema::ASSIGNED_PLAN);
    let department = u.field_index("department").unwrap();
    let licenses = u.field_index("licenses").unwrap();
    let service = p.field_index("service").unwrap();
    let plans = u.field_index("plans").unwrap();
    // (users, users with licences, plans with a service).
    let count = |projection: Option<Projection>| {
        let loaded = load(
            &[dir.path().to_path_buf()],
            &LoadOptions {
                projection,
                ..LoadOptions::default()
            },
        )
        .unwrap();
        let users = &loaded.model.collection("users").unwrap().records;
        let with_licences = users
            .iter()
            .filter(|r| r.field(licenses).is_some() && r.field(department).is_some())
            .count();
        let services = users
            .iter()
            .filter_map(|r| match r.field(plans).map(|f| f.value()) {
                Some(ValueRef::Records(list)) => Some(list),
                _ => None,
            })
            .flatten()
            .filter(|plan| plan.field(service).is_some())
            .count();
        (users.len(), with_licences, services)
    };
    let (all, licensed, services) = count(None);
    assert_eq!(all, 4000);
    assert_eq!(licensed, 4000);
    assert!(services > 4000, "{services}");
    assert_eq!(count(Some(Projection::new(&[]))), (4000, 0, 0));
    let read = Projection::new(&[(u, department), (u, licenses), (p, service)]);
    assert_eq!(count(Some(read)), (all, licensed, services));
}
