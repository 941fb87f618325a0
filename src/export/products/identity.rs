//! Defender for Identity's deployment state from the Graph sensors list (the
//! `identity_sensors` collection: beta `GET /security/identities/sensors`, read by
//! [`crate::export::formats::graph`]).
//!
//! The statuses are those of the sensor resource type (Microsoft Graph beta, "sensor resource
//! type", api-reference/beta/resources/security-sensor.md): `serviceStatus` (`stopped`,
//! `starting`, `running`, `disabled`, `onboarding`, `unknown`, and Graph's sentinel of an
//! evolvable enumeration, `unknownFutureValue`, in each) and `deploymentStatus`
//! (`upToDate`, `outdated`, `updating`, `updateFailed`, `syncing`; and `notConfigured`:
//! "requires more configuration before it's fully operational", `unreachable`: the domain
//! controller was deleted, `disconnected`: no communication for 10 minutes, `startFailure`:
//! no configuration pulled for more than 30 minutes).
//!
//! The logic, first match wins. Defender for Identity has no passive mode: a running sensor
//! detects and feeds response actions.
//!
//! 1. **Active** when a sensor runs: `serviceStatus` `running` and a `deploymentStatus` other
//!    than `notConfigured`, `unreachable`, `disconnected` and `startFailure`.
//! 2. **Undecided** when no running sensor is seen but one might run: the list has gaps
//!    (further pages not exported, a page that could not be read) or files that failed to load,
//!    or a sensor's `serviceStatus` is absent (the v1.0 list, which has none, or `$select`
//!    without it), `unknown`, `unknownFutureValue` or undocumented.
//! 3. **NotDeployed** when the list is empty or no sensor runs.

use super::{Evidence, Mode};
use crate::model::{Loc, TenantModel};

/// `deploymentStatus` values under which a running service does not protect.
const NOT_OPERATIONAL: &[&str] = &[
    "notConfigured",
    "unreachable",
    "disconnected",
    "startFailure",
];

/// `serviceStatus` values that say the sensor does not run.
const NOT_RUNNING: &[&str] = &["stopped", "starting", "disabled", "onboarding"];

/// What the export shows of Defender for Identity; None when it holds no sensor data.
pub fn evidence(model: &TenantModel) -> Option<Evidence> {
    let c = model.collection("identity_sensors")?;
    if !c.present && c.lost.is_empty() {
        return None;
    }
    let text =
        |r: &crate::model::Record, f: &str| r.get(f).and_then(|x| x.as_str()).map(str::to_string);
    let loc = |r: &crate::model::Record, f: &str| r.get(f).and_then(|x| x.loc()).or(r.loc());
    let name = |r: &crate::model::Record| {
        text(r, "name")
            .or_else(|| text(r, "id"))
            .unwrap_or_else(|| "?".into())
    };
    let running = c.records.iter().find(|r| {
        text(r, "service").as_deref() == Some("running")
            && !text(r, "deployment").is_some_and(|d| NOT_OPERATIONAL.contains(&d.as_str()))
    });
    if let Some(r) = running {
        let deployment = text(r, "deployment")
            .map(|d| format!(", deployment `{d}`"))
            .unwrap_or_default();
        return Some(Evidence::Shown {
            mode: Mode::Active,
            why: format!(
                "the Defender for Identity sensor `{}` is running{deployment}",
                name(r)
            ),
            loc: loc(r, "service"),
        });
    }
    if let Some(gap) = c
        .gaps
        .iter()
        .find(|g| g.entity.is_none() && g.field.is_none())
    {
        return Some(Evidence::Undecided {
            why: format!("no running sensor is listed, and {}", gap.reason),
            loc: gap.loc,
        });
    }
    if !c.lost.is_empty() {
        return Some(Evidence::Undecided {
            why: format!(
                "no running sensor is listed, and the sensors export `{}` failed to load",
                c.lost.join("`, `")
            ),
            loc: None,
        });
    }
    // Every sensor left is not running, unless its status does not say.
    let unknown = c
        .records
        .iter()
        .find(|r| match text(r, "service").as_deref() {
            None => true,
            Some("running") => false,
            Some(s) => !NOT_RUNNING.contains(&s),
        });
    if let Some(r) = unknown {
        // A v1.0 list has none (its gap says so), a beta one listed with `$select` may not.
        let v1 = c.gaps.iter().find(|g| g.field == Some("service"));
        let why = match (text(r, "service"), v1) {
            (None, Some(gap)) => format!(
                "the sensor `{}` has no `serviceStatus`: {}",
                name(r),
                gap.reason
            ),
            (None, None) => format!(
                "the sensor `{}` has no `serviceStatus` in the export: list the sensors \
                 without `$select`, or with `serviceStatus` in it",
                name(r)
            ),
            (Some(s), _) => format!(
                "the service status of the sensor `{}` is `{s}`, so whether it runs is unknown",
                name(r)
            ),
        };
        return Some(Evidence::Undecided {
            why,
            loc: loc(r, "service"),
        });
    }
    let why = match c.records.len() {
        0 => "the Defender for Identity sensors list is empty".to_string(),
        n => format!(
            "none of the {n} Defender for Identity sensor{} runs",
            if n == 1 { "" } else { "s" }
        ),
    };
    let at: Option<Loc> = c
        .records
        .first()
        .and_then(|r| loc(r, "service"))
        .or(c.origin);
    Some(Evidence::Shown {
        mode: Mode::NotDeployed,
        why,
        loc: at,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::model::schema::IDENTITY_SENSOR;
    use crate::model::{Gap, Record, Value};

    fn sensor(name: &str, service: Option<&str>, deployment: &str) -> Record {
        let mut r = Record::new(&IDENTITY_SENSOR, Some(Loc::new(0, 1)));
        r.set("name", Value::Str(name.into()), Some(Loc::new(0, 2)));
        if let Some(s) = service {
            r.set("service", Value::Str(s.into()), Some(Loc::new(0, 3)));
        }
        r.set(
            "deployment",
            Value::Str(deployment.into()),
            Some(Loc::new(0, 4)),
        );
        r
    }
    fn model(records: Vec<Record>, gap: bool) -> TenantModel {
        let mut m = TenantModel::default();
        let c = m.collection_mut("identity_sensors").unwrap();
        c.present = true;
        for r in records {
            c.push(r);
        }
        if gap {
            c.gaps.push(Gap {
                field: None,
                entity: None,
                reason: "the sensors list has further pages".into(),
                loc: None,
                in_value: false,
                unlisted: false,
            });
        }
        m
    }
    fn mode(e: Option<Evidence>) -> Option<Mode> {
        match e {
            Some(Evidence::Shown { mode, .. }) => Some(mode),
            _ => None,
        }
    }

    #[test]
    fn no_sensor_data_is_none() {
        assert_eq!(evidence(&TenantModel::default()), None);
    }

    #[test]
    fn a_running_sensor_is_active_even_with_gaps() {
        let m = model(
            vec![
                sensor("DC1", Some("stopped"), "upToDate"),
                sensor("DC2", Some("running"), "outdated"),
            ],
            true,
        );
        assert_eq!(mode(evidence(&m)), Some(Mode::Active));
    }

    #[test]
    fn running_but_disconnected_does_not_count() {
        let m = model(vec![sensor("DC1", Some("running"), "disconnected")], false);
        assert_eq!(mode(evidence(&m)), Some(Mode::NotDeployed));
    }

    #[test]
    fn empty_or_stopped_is_not_deployed() {
        assert_eq!(
            mode(evidence(&model(vec![], false))),
            Some(Mode::NotDeployed)
        );
        let m = model(vec![sensor("DC1", Some("stopped"), "upToDate")], false);
        assert_eq!(mode(evidence(&m)), Some(Mode::NotDeployed));
    }

    #[test]
    fn incomplete_or_unknown_is_undecided() {
        let m = model(vec![sensor("DC1", Some("stopped"), "upToDate")], true);
        assert!(matches!(evidence(&m), Some(Evidence::Undecided { .. })));
        let m = model(vec![sensor("DC1", None, "upToDate")], false);
        match evidence(&m) {
            Some(Evidence::Undecided { why, .. }) => {
                assert!(why.contains("serviceStatus"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        let m = model(vec![sensor("DC1", Some("unknown"), "upToDate")], false);
        assert!(matches!(evidence(&m), Some(Evidence::Undecided { .. })));
    }
}
