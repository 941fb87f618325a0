//! Defender for Endpoint: `GET /api/machines` (the "Machine resource type"), `GET
//! /api/deviceavinfo` (the device health "Export device antivirus health details" API, JSON
//! response) and the portal's device group export `{"items": [{"MachineGroupId", "Name",
//! "Priority", ...}]}` (no public API), or the bare array of its items; the numbers the portal
//! gives a rule's property are read as [`RULE_PROPERTIES`] names them.
//!
//! Every documented value of an enumeration is read: `onboardingStatus` (`Onboarded`,
//! `CanBeOnboarded`, `Unsupported`, `InsufficientInfo`), `healthStatus` (`Active`, `Inactive`,
//! `ImpairedCommunication`, `NoSensorData`, `NoSensorDataImpairedCommunication`, `Unknown`) and
//! `avMode` (`"0"`..`"5"`, where `"3"` and `""` both mean Other). An undocumented value is a
//! warning at that value; the record is kept. An `avMode` written as a number (`1`) is read as
//! the code it writes, as every text value written as a number is (`rbacGroupId`, a String of
//! the machine resource, is a number in its example); `null` gives no mode, and the evidence
//! says the row gives none. A machine with several antivirus rows takes the
//! most recent, whatever their order: by `dataRefreshTimestamp` where the rows give different
//! ones, else by `lastSeenTime`; rows neither more recent than the other that give different
//! modes leave the mode unknown, with a warning. A machine
//! known only from deviceavinfo, or listed without them (`$select`), takes its device group from
//! the row's `rbacGroupName` and `rbacGroupId`. `osPlatform` is free text (`Windows11`,
//! `WindowsServer2022`, `macOS`, `Linux`; `Windows 11` in deviceavinfo) and is read as written.

use crate::export::formats::document_context;
use crate::export::json::{put, At, Conv};
use crate::export::Builder;
use crate::model::schema;
use crate::model::{Record, Value};

/// Whether the file name mentions `word` (for empty lists whose shape says nothing).
fn by_name(rel: &str, word: &str) -> bool {
    rel.rsplit('/')
        .next()
        .is_some_and(|f| f.to_ascii_lowercase().contains(word))
}

/// Whether `rel` (`/`-separated) is where docs/exporting.md saves the machine list
/// (`GET /api/machines`): a file named `machines.json`, or a further page of it
/// (`machines-2.json`), in any folder.
pub fn machine_list_path(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.strip_suffix(".json")
        .and_then(|stem| stem.strip_prefix("machines"))
        .is_some_and(|rest| {
            rest.strip_prefix('-')
                .unwrap_or(rest)
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
}

/// The antivirus health export via files (`GET /api/machines/InfoGatheringExport`, the device
/// health API's "Export health reporting (via files)"), in messages.
const VIA_FILES: &str = "the antivirus health export via files (`GET \
    /api/machines/InfoGatheringExport`)";

/// Why dexlint does not read [`VIA_FILES`], and what to export instead.
const VIA_FILES_UNREAD: &str = ": its records do not have the JSON response's fields \
    (Microsoft documents only their `DeviceGatheredInfo`, which holds the antivirus data), so it \
    was not read; export the antivirus health as the JSON response instead (`GET \
    /api/deviceavinfo`, every `@odata.nextLink` page saved beside the first; docs/exporting.md)";

/// Why a document of the antivirus health export via files is not read: the response that
/// lists its download URLs (`exportFiles`), or one record of a downloaded file (an object
/// with `DeviceGatheredInfo`, a file of one line). None for any other document.
pub fn via_files(doc: &At<'_>) -> Option<String> {
    if doc.get("DeviceGatheredInfo").is_some() {
        return Some(format!(
            "this is a record of a downloaded file of {VIA_FILES}{VIA_FILES_UNREAD}"
        ));
    }
    let urls = doc.get("exportFiles").is_some_and(|f| f.is_array());
    let context = document_context(doc).is_some_and(|(c, _)| c.contains("ExportFilesResponse"));
    (urls && context).then(|| {
        format!(
            "this is the list of download URLs (`exportFiles`) of {VIA_FILES}{VIA_FILES_UNREAD}"
        )
    })
}

/// Why a file that is not one JSON document is not read, when it is a downloaded file of the
/// antivirus health export via files, decompressed: "in multiline `.json` format" (the device
/// health API's properties page), one JSON object per line, the first with
/// `DeviceGatheredInfo` (not two appended documents).
pub fn via_files_lines(text: &str) -> Option<String> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let record = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(first).ok()?;
    record
        .keys()
        .any(|k| k.eq_ignore_ascii_case("DeviceGatheredInfo"))
        .then(|| {
            format!(
                "this is a downloaded file of {VIA_FILES}, decompressed (one JSON object per \
                 line){VIA_FILES_UNREAD}"
            )
        })
}

/// Reads a Defender for Endpoint document; false when it is not one.
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    // The list saved without its envelope (`(Invoke-RestMethod ...).value | ConvertTo-Json`):
    // recognised by its items' documented keys.
    if doc.is_array() {
        let items = doc.items();
        let Some(first) = items.first() else {
            return false;
        };
        if first.get("avMode").is_some() && first.get("machineId").is_some() {
            av_info(b, doc);
        } else if first.get("MachineGroupId").is_some() {
            device_groups(b, doc);
        } else if first.get("computerDnsName").is_some()
            && (first.get("onboardingStatus").is_some() || first.get("rbacGroupId").is_some())
        {
            machines(b, doc);
        } else {
            return false;
        }
        return true;
    }
    if !doc.is_object() {
        return false;
    }
    if let Some(items) = doc.get("items") {
        if items
            .items()
            .first()
            .is_some_and(|i| i.get("MachineGroupId").is_some())
            || (items.v.as_array().is_some_and(<[_]>::is_empty) && by_name(rel, "group"))
        {
            device_groups(b, doc);
            return true;
        }
    }
    let first = doc.get("value").and_then(|v| v.items().into_iter().next());
    match document_context(doc).map(|(_, f)| f).as_deref() {
        Some("machines") => machines(b, doc),
        Some("deviceavinfo") => av_info(b, doc),
        Some(_) => return false,
        None => match first {
            Some(i) if i.get("avMode").is_some() => av_info(b, doc),
            Some(i) if i.get("computerDnsName").is_some() && i.get("rbacGroupId").is_some() => {
                machines(b, doc)
            }
            // `{"value": []}` where the machine list is saved: what a tenant without recent
            // machines has (its `GET /api/machines` answers 404).
            None if doc
                .get("value")
                .is_some_and(|v| v.v.as_array().is_some_and(<[_]>::is_empty))
                && machine_list_path(rel) =>
            {
                machines(b, doc)
            }
            _ => return false,
        },
    }
    true
}

fn values<'a>(b: &mut Builder, doc: &At<'a>, key: &str) -> Option<At<'a>> {
    match doc.get(key) {
        Some(v) if v.v.is_array() => Some(v),
        Some(v) => {
            b.shape_error(&v, &format!("expected `{key}` to be an array"));
            None
        }
        None => {
            b.shape_error(doc, &format!("expected a `{key}` array"));
            None
        }
    }
}

/// Sets `field` from the enumeration `key` of `item`: a documented value (any case; the
/// schema's values of `field`) in its documented spelling, an undocumented one as written with
/// a warning.
fn enumeration(b: &mut Builder, r: &mut Record, field: &str, item: &At<'_>, key: &str) {
    enumeration_of(b, r, field, item, key, "machine");
}

/// [`enumeration`] for a record of another kind (`what`: `sensor`), named in the warning.
pub(crate) fn enumeration_of(
    b: &mut Builder,
    r: &mut Record,
    field: &str,
    item: &At<'_>,
    key: &str,
    what: &str,
) {
    let known = r.schema().values(field);
    let Some(at) = item.get(key) else {
        return;
    };
    let Some(text) = at.text() else {
        return;
    };
    match known.iter().find(|k| k.eq_ignore_ascii_case(text.trim())) {
        Some(k) => {
            r.set(field, Value::Str(at.shared(k)), Some(at.loc()));
        }
        None => {
            b.warning(
                &at,
                &format!(
                    "undocumented `{key}` `{text}` (documented: {}); the {what} is kept",
                    known.join(", ")
                ),
            );
            r.set(field, Value::Str(at.shared(&text)), Some(at.loc()));
        }
    }
}

/// A page of a Defender for Endpoint list: the API returns at most 10,000 machines (or the
/// `$top` asked for) per response and links the next with `@odata.nextLink`
/// (learn.microsoft.com/defender-endpoint/api/get-machines, "Limitations"). Pages saved beside
/// the first are read as one list; a list whose last page is missing is a warning at its link
/// and a gap on `field` of the devices (see [`crate::export::paging`]).
fn page(b: &mut Builder, doc: &At<'_>, list: &str, field: Option<&'static str>, what: &str) {
    let next = doc.get("@odata.nextLink");
    b.page(
        format!("mde:{list}"),
        next.as_ref(),
        ("devices", field, None),
        what,
    );
}

/// `/api/machines`.
pub fn machines(b: &mut Builder, doc: &At<'_>) {
    let list = if doc.is_array() {
        *doc
    } else {
        let Some(list) = values(b, doc, "value") else {
            return;
        };
        page(
            b,
            doc,
            "machines",
            None,
            "the Defender for Endpoint machines list",
        );
        list
    };
    b.touch("devices");
    b.list_elements(super::Elements::Machines);
    for m in list.items() {
        machine(b, &m);
    }
}

/// One machine of `/api/machines`.
pub fn machine(b: &mut Builder, m: &At<'_>) {
    if !m.is_object() {
        b.shape_error(m, "expected a machine object");
        return;
    }
    let mut r = Record::new(&schema::DEVICE, Some(m.loc()));
    put(&mut r, "id", m, "id", Conv::Text);
    put(&mut r, "name", m, "computerDnsName", Conv::Text);
    put(&mut r, "os", m, "osPlatform", Conv::Text);
    enumeration(b, &mut r, "onboarding", m, "onboardingStatus");
    enumeration(b, &mut r, "health", m, "healthStatus");
    let who = |m: &Record| {
        let id = m.identity().unwrap_or("?");
        format!("machine {}", crate::base::named(m.text("name"), id))
    };
    b.put_date(&mut r, ("last_seen", m, "lastSeen"), ("devices", &who));
    enumeration(b, &mut r, "risk_score", m, "riskScore");
    enumeration(b, &mut r, "exposure_level", m, "exposureLevel");
    put(&mut r, "group_id", m, "rbacGroupId", Conv::Text);
    put(&mut r, "group", m, "rbacGroupName", Conv::Text);
    put(
        &mut r,
        "merged_into_id",
        m,
        "mergedIntoMachineId",
        Conv::Text,
    );
    match m.get("machineTags").filter(|t| t.as_str().is_some()) {
        // The tags written by `ConvertTo-Json` without `-Depth` (see [`Builder::nested`]): an
        // error there, and the machine's tags unknown.
        Some(tags) => {
            let id = r.identity().map(str::to_string);
            b.nested(
                tags,
                true,
                "machine tags",
                ("devices", Some("tags"), id.as_deref()),
            );
            r.set("tags", Value::Unknown, Some(tags.loc()));
        }
        None => put(&mut r, "tags", m, "machineTags", Conv::Strings),
    }
    b.add_device(r);
}

/// The reserved name of the device group whose devices Defender Experts covers under scoped
/// coverage (the scoped coverage page).
pub const SCOPED_DEVICE_GROUP: &str = "Defender_Experts_Scoped_Coverage_Devices";

/// The `osPlatform`s (compared ignoring case) on which Defender for Endpoint runs no Microsoft
/// Defender Antivirus: iOS and Android. The antivirus health report knows the `osKind`s
/// `windows`, `mac` and `linux` only (the device health API's properties), and passive mode and
/// EDR in block mode are features of Windows, macOS and Linux (Defender for Endpoint's
/// "supported capabilities by platform"): such a device has no antivirus mode to judge. They are
/// the platforms Defender Experts MDR does not cover (DEX205's `platforms`).
pub const MOBILE_PLATFORMS: [&str; 2] = ["ios", "android"];

/// Whether `os` (a machine's `osPlatform`) is one of [`MOBILE_PLATFORMS`].
pub fn mobile(os: &str) -> bool {
    MOBILE_PLATFORMS
        .iter()
        .any(|p| p.eq_ignore_ascii_case(os.trim()))
}

/// `avMode` codes of `/api/deviceavinfo`: `""` and `"3"` both mean Other (`other`, which tells
/// neither active nor passive: made unknown once every file is read).
pub fn av_mode(code: &str) -> Option<&'static str> {
    Some(match code.trim() {
        "0" => "active",
        "1" => "passive",
        "2" => "disabled",
        "" | "3" => "other",
        "4" => "edr_block",
        "5" => "passive_audit",
        _ => return None,
    })
}

/// `/api/deviceavinfo`.
pub fn av_info(b: &mut Builder, doc: &At<'_>) {
    let list = if doc.is_array() {
        *doc
    } else {
        let Some(list) = values(b, doc, "value") else {
            return;
        };
        page(
            b,
            doc,
            "deviceavinfo",
            Some("av_mode"),
            "the Defender for Endpoint antivirus health list",
        );
        list
    };
    b.touch("devices");
    b.list_elements(super::Elements::AvInfo);
    for item in list.items() {
        av_row(b, &item);
    }
}

/// One row of `/api/deviceavinfo`.
pub fn av_row(b: &mut Builder, item: &At<'_>) {
    let id = item
        .get("machineId")
        .or_else(|| item.get("id"))
        .and_then(|i| i.text());
    let Some(id) = id else {
        b.shape_error(item, "expected a `machineId` in an antivirus health record");
        return;
    };
    let Some(mode) = item.get("avMode") else {
        return;
    };
    if matches!(mode.v.kind, crate::export::tree::Kind::Null) {
        b.add_av_mode(&id, Value::Null, mode.loc(), item);
        return;
    }
    let code = mode.text().unwrap_or_default();
    match av_mode(&code) {
        Some(m) => b.add_av_mode(&id, Value::Str(m.into()), mode.loc(), item),
        None => {
            b.warning(
                &mode,
                &format!("undocumented `avMode` `{code}` (documented: \"\", 0 to 5); the device is kept, its antivirus mode unknown"),
            );
            b.add_av_mode(&id, Value::Null, mode.loc(), item);
        }
    }
}

/// The properties of a device group's rule (`GroupRules[].Property`) by the numbers the portal's
/// data gives them (`GET /apiproxy/mtp/rbacManagementApi/rbac/machine_groups`; microsoft/Migrate2GSA,
/// `Export-MDEWebFilteringConfig`, which resolves them: 0 `MachineName`, 1 `Domain`, 2 `Tag`, 3
/// `OS`, 4 `Other`).
pub const RULE_PROPERTIES: [&str; 5] = ["MachineName", "Domain", "Tag", "OS", "Other"];

/// The rule properties dexlint evaluates, by name: [`RULE_PROPERTIES`] but `Other` (what it
/// matches is not documented), and the names `MachineTag` and `OsPlatform` as well.
pub const EVALUATED_PROPERTIES: [&str; 6] = [
    "MachineName",
    "Domain",
    "Tag",
    "MachineTag",
    "OS",
    "OsPlatform",
];

/// The rule operators (`GroupRules[].OperatorType`) dexlint evaluates, by name. The portal's
/// data gives them as numbers, which no public source resolves: a rule with one is not
/// evaluated (a warning says so).
pub const RULE_OPERATORS: [&str; 4] = ["Equals", "StartsWith", "EndsWith", "Contains"];

/// The portal's device group export: `{"items": [...]}` as the portal's data answers, or the
/// bare array of its `items` (XDRInternals' `Get-XdrEndpointDeviceRbacGroup | ConvertTo-Json`,
/// which returns `.items`).
pub fn device_groups(b: &mut Builder, doc: &At<'_>) {
    let list = if doc.is_array() {
        *doc
    } else {
        let Some(list) = values(b, doc, "items") else {
            return;
        };
        list
    };
    b.touch("device_groups");
    for g in list.items() {
        let mut r = Record::new(&schema::DEVICE_GROUP, Some(g.loc()));
        put(&mut r, "id", &g, "MachineGroupId", Conv::Text);
        put(&mut r, "name", &g, "Name", Conv::Text);
        put(&mut r, "rank", &g, "Priority", Conv::Int);
        put(
            &mut r,
            "unassigned",
            &g,
            "IsUnassignedMachineGroup",
            Conv::Bool,
        );
        put(
            &mut r,
            "remediation",
            &g,
            "AutoRemediationLevel",
            Conv::Text,
        );
        if let Some(rules) = g.get("GroupRules") {
            let group = r.text("name").unwrap_or("?").to_string();
            let items: Vec<Record> = rules
                .items()
                .iter()
                .map(|x| group_rule(b, x, &group))
                .collect();
            r.set("rules", Value::Records(items.into()), Some(rules.loc()));
        }
        b.push("device_groups", r);
    }
}

/// One rule of a device group: its property by name (a number the portal gives resolved by
/// [`RULE_PROPERTIES`]), its operator and its value. A rule without a value is a condition not
/// in use (the portal gives one rule per property, those not in use with an empty value). A
/// rule in use whose property or operator dexlint does not evaluate is a warning that says
/// which it reads: the devices whose scope the rule decides are unknown (`dexlint scope`).
fn group_rule(b: &mut Builder, x: &At<'_>, group: &str) -> Record {
    let is_number = |a: &At<'_>| matches!(a.v.kind, crate::export::tree::Kind::Number(_));
    let mut rule = Record::new(&schema::GROUP_RULE, Some(x.loc()));
    let property = x.get("Property");
    let number = property.as_ref().filter(|p| is_number(p)).and_then(At::int);
    match number.and_then(|n| RULE_PROPERTIES.get(usize::try_from(n).ok()?)) {
        Some(name) => {
            if let Some(p) = &property {
                rule.set("property", Value::Str((*name).into()), Some(p.loc()));
            }
        }
        None => put(&mut rule, "property", x, "Property", Conv::Text),
    }
    put(&mut rule, "operator", x, "OperatorType", Conv::Text);
    put(&mut rule, "value", x, "PropertyValue", Conv::Text);
    if rule.text("value").is_some_and(|v| v.trim().is_empty()) {
        return rule;
    }
    if let (Some(p), Some(name)) = (&property, rule.text("property")) {
        if !EVALUATED_PROPERTIES
            .iter()
            .any(|e| e.eq_ignore_ascii_case(name))
        {
            b.warning(
                p,
                &format!(
                    "a rule of device group `{group}` on property `{name}`, which dexlint does \
                     not evaluate (it reads `{}`, and the portal's numbers 0 to 3 for them): the \
                     devices the rule decides are of unknown scope",
                    EVALUATED_PROPERTIES.join("`, `")
                ),
            );
        }
    }
    if let (Some(o), Some(op)) = (x.get("OperatorType"), rule.text("operator")) {
        if !RULE_OPERATORS.iter().any(|e| e.eq_ignore_ascii_case(op)) {
            let number = if is_number(&o) {
                "the portal's numbers for operators are documented nowhere public, so \
                 dexlint does not read them; "
            } else {
                ""
            };
            b.warning(
                &o,
                &format!(
                    "a rule of device group `{group}` with operator `{op}`: {number}dexlint \
                     evaluates the operators `{}` (docs/exporting.md), so the devices the rule \
                     decides are of unknown scope",
                    RULE_OPERATORS.join("`, `")
                ),
            );
        }
    }
    rule
}
