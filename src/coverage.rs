//! Who and what Defender Experts covers: each user and device of a tenant model under scoped
//! coverage, and the handling of an incident's assets.
//!
//! The rules are the scoped-coverage page's (Defender Experts for XDR, "Scoped coverage"): the
//! users of the Entra group `Defender_Experts_Scoped_Coverage_Users` and the devices of the
//! Defender for Endpoint device group `Defender_Experts_Scoped_Coverage_Devices` are in scope;
//! with neither group, the whole tenant is. Nested groups are not followed, renamed groups are
//! not recognised, and the device group must be the highest-ranked group for its devices; iOS
//! and Android devices are not covered at all (the Defender Experts MDR FAQ, DEX205). An
//! incident is in scope when it touches at least one in-scope asset; its out-of-scope assets
//! are reported on but get no response.

use crate::export::formats::mde;
use crate::model::{Loc, Record, TenantModel, Value, ValueRef};
use crate::policy::builtins::strings::renamed;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where an asset stands under Defender Experts scoped coverage (the scoped-coverage page:
/// users of `Defender_Experts_Scoped_Coverage_Users`, devices of
/// `Defender_Experts_Scoped_Coverage_Devices`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageState {
    /// Covered: a direct member of the scoped user group, a device in the scoped device group,
    /// or any asset when no scoped group exists.
    InScope,
    /// Meant to be covered but not: reached only through a nested group, a member of a group
    /// whose name is a near miss of the reserved one, a device the scoped group's rules match
    /// that a higher-ranked group captures.
    Lost,
    /// Not covered: outside the scoped groups, or an iOS or Android device.
    OutOfScope,
    /// The export does not tell (a members list known to be incomplete, the scoped group's or
    /// that of a group nested in it, a device without its group).
    Unknown,
    /// A device that would be covered (or lost, or unknown) but has sent no signal for more
    /// than seven days (`healthStatus` `Inactive`): the entity a reinstalled or renamed device
    /// leaves behind beside its new one, or an offboarded device. Counted apart, so that one
    /// device is not counted twice.
    Inactive,
}

impl CoverageState {
    /// Every state, in report order.
    pub const ALL: [CoverageState; 5] = [
        CoverageState::InScope,
        CoverageState::Lost,
        CoverageState::OutOfScope,
        CoverageState::Unknown,
        CoverageState::Inactive,
    ];

    /// `in_scope`, `lost`, `out_of_scope`, `unknown`, `inactive`.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageState::InScope => "in_scope",
            CoverageState::Lost => "lost",
            CoverageState::OutOfScope => "out_of_scope",
            CoverageState::Unknown => "unknown",
            CoverageState::Inactive => "inactive",
        }
    }
}

/// One user or device and its coverage state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Asset {
    /// `user` or `device`.
    pub kind: &'static str,
    /// The Entra object id of a user, the Defender for Endpoint machine id of a device.
    pub id: String,
    /// Display name (users) or DNS name (devices).
    pub name: String,
    /// User principal name (users only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// Its coverage state.
    pub state: CoverageState,
    /// Why, in words.
    pub reason: String,
    /// The file of the evidence, relative to its export root.
    pub file: Option<String>,
    /// Line of the evidence in `file` (1-based).
    pub line: Option<usize>,
    /// The export root, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
}

impl Asset {
    /// The evidence's file, under its root when `several` roots are reported (the file alone
    /// names no tenant then).
    pub fn shown_file(&self, several: bool) -> Option<String> {
        let file = self.file.as_deref()?;
        Some(match several {
            true => crate::base::joined_path(self.root.as_deref(), file),
            false => file.to_string(),
        })
    }
}

/// Whether `assets` come from several export roots.
pub fn several_roots(assets: &[Asset]) -> bool {
    assets
        .first()
        .is_some_and(|a| assets.iter().any(|b| b.root != a.root))
}

/// Counts and facts of a coverage report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CoverageSummary {
    /// Whether scoped coverage is in use (a group with a reserved name exists); when not, the
    /// whole tenant is covered. None (JSON `null`) when the export does not show it (the notes
    /// say what is missing, and every asset is `unknown`), or, of several exports, when they
    /// differ (a note gives each one's).
    pub scoped_coverage: Option<bool>,
    /// Users by state (`in_scope`, `lost`, `out_of_scope`, `unknown`).
    pub users: BTreeMap<&'static str, usize>,
    /// Devices by state.
    pub devices: BTreeMap<&'static str, usize>,
    /// What the reader should know: the scoped groups found (with file and line), near misses,
    /// data missing.
    pub notes: Vec<String>,
}

/// `dexlint scope`: every user and device with its coverage state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CoverageReport {
    /// The users, then the devices, in export order.
    pub assets: Vec<Asset>,
    /// Counts per state and notes.
    pub summary: CoverageSummary,
}

/// How an asset of an incident is handled under scoped coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    /// In scope, in an incident in scope: Defender Experts responds.
    Response,
    /// Out of scope in an incident in scope: reported on, no response or guidance.
    ReportedOnly,
    /// The incident is out of scope: nothing.
    NotCovered,
    /// The export does not tell (the asset is not in it, or its state is unknown).
    Unknown,
}

/// One asset named by an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentAsset {
    /// `user` or `device`.
    pub kind: &'static str,
    /// How the incident names it (UPN, DNS name or id).
    pub name: String,
    /// Its coverage state, when the export holds it.
    pub state: Option<CoverageState>,
    /// What Defender Experts does for it.
    pub handling: Handling,
    /// Why, in words.
    pub reason: String,
}

/// `dexlint scope --incident`: whether an incident is in scope and what happens to each asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentReport {
    /// The incident's id, when the file gives one.
    pub incident: Option<String>,
    /// In scope (true), out of scope (false), or unknown (None).
    pub in_scope: Option<bool>,
    /// Why, in words.
    pub reason: String,
    /// Each asset the incident names.
    pub assets: Vec<IncidentAsset>,
}

/// The Entra group whose direct members are the users in scope.
pub const USERS_GROUP: &str = "Defender_Experts_Scoped_Coverage_Users";
/// The device group whose devices are in scope.
pub const DEVICES_GROUP: &str = mde::SCOPED_DEVICE_GROUP;

fn list<'r>(r: &'r Record, field: &str) -> &'r [Record] {
    match r.get(field).map(|f| f.value()) {
        Some(ValueRef::Records(l)) => l.items(),
        _ => &[],
    }
}

fn file_of(model: &TenantModel, loc: Option<Loc>) -> String {
    loc.and_then(|l| model.files.get(l.file() as usize))
        .map_or_else(|| "?".to_string(), |f| f.path.clone())
}

/// An asset with the location of its evidence (lines are found later).
pub type Located = (Asset, Option<Loc>);

/// Why an asset has its state: the words are written only when the asset is listed (a count
/// of 300,000 assets builds no string).
#[derive(Debug, Clone, Copy)]
enum Why<'w> {
    UserNotScoped,
    DeviceNotScoped,
    DirectMember,
    /// The reason of the gap that leaves the scoped group's members incomplete.
    Gap(&'w str),
    /// The nested groups the user is reached through, outermost first.
    Nested(&'w [&'w str]),
    /// The nested groups (outermost first) to one whose members the export does not tell
    /// (wholly or in part), and why.
    NestedUntold(&'w [&'w str], &'w str),
    /// The near-miss group the user is a member of.
    NearUser(&'w str),
    OnlyDevices,
    NotMember,
    InScopedDeviceGroup,
    /// The near-miss device group the device is in.
    NearDevice(&'w str),
    NoDeviceGroup,
    /// The higher-ranked device group that captures the device.
    Captured(&'w str),
    /// The (other) device group the device is in.
    InDeviceGroup(&'w str),
    /// The (other) device group the device is in, the device groups not exported.
    InDeviceGroupUnranked(&'w str),
    OnlyUsers,
    /// Why the export does not show whether scoped coverage is in use.
    Undecided(&'w str),
    /// Why the export does not show that the scoped user group does not exist.
    UsersGroupUnshown(&'w str),
    /// A member of the scoped user group whose kind is not known.
    UnknownKind,
    /// The higher-ranked device group the device is in, the scoped group's rules not told of
    /// it (a property or operator dexlint cannot evaluate, or tags the export does not give).
    RulesUntold(&'w str),
    /// A device that would be covered (in the scoped device group: true; scoped coverage not in
    /// use: false) on a platform the service does not cover, its `osPlatform`.
    Platform(&'w str, bool),
    /// A device that has stopped reporting (`healthStatus` `Inactive`), and its device group.
    Inactive(Option<&'w str>),
}

impl Why<'_> {
    fn text(self) -> String {
        match self {
            Why::UserNotScoped => "scoped coverage is not in use: every user is covered".into(),
            Why::DeviceNotScoped => "scoped coverage is not in use: every device is covered".into(),
            Why::DirectMember => format!("direct member of `{USERS_GROUP}`"),
            Why::Gap(reason) => reason.to_string(),
            Why::Nested(via) => format!(
                "reached only through the nested group{} `{}` in `{USERS_GROUP}`: \
                 nested groups are not followed; add the user to the group directly",
                if via.len() > 1 { "s" } else { "" },
                via.join("` > `")
            ),
            Why::NestedUntold(via, why) => format!(
                "not a direct member of `{USERS_GROUP}`; whether it is reached through the \
                 nested group `{}` (nested groups are not followed: it would be lost) is \
                 unknown: {why}",
                via.join("` > `")
            ),
            Why::NearUser(name) => format!(
                "member of `{name}`, a near miss of `{USERS_GROUP}` that Defender \
                 Experts does not recognise"
            ),
            Why::OnlyDevices => format!("only devices are scoped (no `{USERS_GROUP}` group)"),
            Why::NotMember => format!("not a member of `{USERS_GROUP}`"),
            Why::InScopedDeviceGroup => format!("in the device group `{DEVICES_GROUP}`"),
            Why::NearDevice(name) => format!(
                "in `{name}`, a near miss of `{DEVICES_GROUP}` that Defender Experts does not \
                 recognise"
            ),
            Why::NoDeviceGroup => {
                "the export does not give the device's group (`rbacGroupName`)".to_string()
            }
            Why::RulesUntold(cur) => format!(
                "in the higher-ranked device group `{cur}`; whether the rules of \
                 `{DEVICES_GROUP}` match it (and `{cur}` captures it) is unknown: a rule's \
                 property or operator is not one dexlint evaluates, or the device's tags are not \
                 in the export"
            ),
            Why::Captured(cur) => format!(
                "the rules of `{DEVICES_GROUP}` match it, but the higher-ranked \
                 group `{cur}` captures it: move `{DEVICES_GROUP}` to rank 1"
            ),
            Why::InDeviceGroup(cur) => format!("in the device group `{cur}`"),
            Why::InDeviceGroupUnranked(cur) => format!(
                "in the device group `{cur}` (the device groups are not in the export: whether \
                 the rules of `{DEVICES_GROUP}` also match it, so that it is lost to a \
                 higher-ranked group, is not known)"
            ),
            Why::OnlyUsers => format!("only users are scoped (no `{DEVICES_GROUP}` device group)"),
            Why::Undecided(why) => format!("whether scoped coverage is in use is unknown: {why}"),
            Why::UsersGroupUnshown(why) => {
                format!("not a member of a scoped user group the export shows, but {why}")
            }
            Why::Platform(os, scoped) => format!(
                "{}, but runs `{os}`: incidents on iOS and Android devices are outside \
                 Defender Experts' scope (the Defender Experts MDR FAQ; DEX205)",
                match scoped {
                    true => format!("in the device group `{DEVICES_GROUP}`"),
                    false => "scoped coverage is not in use".to_string(),
                }
            ),
            Why::Inactive(group) => format!(
                "`healthStatus` `Inactive`{}: the machine has sent no signal for more than seven \
                 days (the entity a reinstalled or renamed device leaves behind, beside its new \
                 one, or an offboarded device; Microsoft Learn, \"Fix unhealthy sensors in \
                 Microsoft Defender for Endpoint\"), so it is counted apart from the devices in \
                 scope and DEX204 does not judge its antivirus",
                group.map_or(String::new(), |g| format!(" (in the device group `{g}`)"))
            ),
            Why::UnknownKind => format!(
                "a member of `{USERS_GROUP}` whose kind (user, group or device) the export does \
                 not give"
            ),
        }
    }
}

/// One judged asset: its record, its state, why, and the location of the evidence.
type Judged<'m, 'w> = (&'m Record, CoverageState, Why<'w>, Option<Loc>);

/// The asset of a user or device record (`id`, `name`, `upn`), as judged, with the export
/// root `root`.
fn located(
    model: &TenantModel,
    roots: &[String],
    kind: &'static str,
    (r, state, why, loc): Judged<'_, '_>,
) -> Located {
    // The root of the evidence's file (a tenant of several roots: `one-tenant`).
    let root = loc
        .and_then(|l| model.files.get(l.file() as usize))
        .and_then(|f| roots.get(f.root))
        .or(roots.first());
    let asset = Asset {
        kind,
        id: r.text("id").unwrap_or("").to_string(),
        name: r.text("name").unwrap_or("").to_string(),
        upn: r.text("upn").map(str::to_string),
        state,
        reason: crate::base::visible::visible(why.text()),
        file: loc.map(|l| file_of(model, Some(l))),
        line: None,
        root: root.cloned(),
    };
    (asset, loc)
}

/// The coverage of one tenant model.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Its users, then its devices, with their states and the evidence's location.
    pub assets: Vec<Located>,
    /// Whether scoped coverage is in use (a group with a reserved name exists); None when the
    /// export does not show it.
    pub scoped: Option<bool>,
    /// What the reader should know: the scoped groups found, near misses, data missing.
    pub notes: Vec<String>,
}

/// The coverage of one tenant model; `roots` names its export roots (by their index in the
/// model's files), for the assets.
pub fn assess(model: &TenantModel, roots: &[String]) -> Assessment {
    let mut assets = Vec::new();
    let (scoped, notes) = assess_each(model, &mut |kind, judged| {
        assets.push(located(model, roots, kind, judged));
    });
    Assessment {
        assets,
        scoped,
        notes,
    }
}

/// The coverage summary of one tenant model (what `lint` shows): the counts of
/// [`report`]`(`[`assess`]`)`, worked out without listing the assets (no per-asset string or
/// record is built).
pub fn summary(model: &TenantModel) -> CoverageSummary {
    let mut counts = [[0usize; CoverageState::ALL.len()]; 2];
    let (scoped, notes) = assess_each(model, &mut |kind, (_, state, _, _)| {
        let k = usize::from(kind != "user");
        let s = CoverageState::ALL
            .iter()
            .position(|x| *x == state)
            .unwrap_or(0);
        if let Some(c) = counts.get_mut(k).and_then(|c| c.get_mut(s)) {
            *c += 1;
        }
    });
    let by_state = |c: &[usize; CoverageState::ALL.len()]| -> BTreeMap<&'static str, usize> {
        CoverageState::ALL
            .iter()
            .zip(c)
            .map(|(s, n)| (s.as_str(), *n))
            .collect()
    };
    let [users, devices] = &counts;
    CoverageSummary {
        scoped_coverage: scoped,
        users: by_state(users),
        devices: by_state(devices),
        notes,
    }
}

/// Judges every user, then every device, of `model`, handing each to `each` with its kind;
/// returns whether scoped coverage is in use (None: the export does not show it) and the
/// notes.
fn assess_each(
    model: &TenantModel,
    each: &mut dyn FnMut(&'static str, Judged<'_, '_>),
) -> (Option<bool>, Vec<String>) {
    let mut notes = Vec::new();
    let groups: &[Record] = model.collection("groups").map_or(&[], |c| &c.records);
    let device_groups: &[Record] = model
        .collection("device_groups")
        .map_or(&[], |c| &c.records);
    // Display names are not unique: every group holding the reserved name scopes its members
    // (DEX008 reports the duplicate), as every device group holding it scopes its devices.
    let users_groups: Vec<&Record> = groups
        .iter()
        .filter(|g| g.text("name") == Some(USERS_GROUP))
        .collect();
    let devices_group = device_groups
        .iter()
        .find(|g| g.text("name") == Some(DEVICES_GROUP));
    let machines: &[Record] = model.collection("devices").map_or(&[], |c| &c.records);
    // Machines list their device group (`rbacGroupName`): one in the scoped group shows it
    // exists when the device group list is not exported.
    let scoped_machine = machines
        .iter()
        .find(|d| d.text("group") == Some(DEVICES_GROUP));
    let near = |name: Option<&str>, reserved: &str, held: bool| {
        name.is_some_and(|n| renamed(n, reserved, held))
    };
    let near_users: Vec<&Record> = groups
        .iter()
        .filter(|g| near(g.text("name"), USERS_GROUP, !users_groups.is_empty()))
        .collect();
    let devices_held = devices_group.is_some() || scoped_machine.is_some();
    let near_devices: Vec<&Record> = device_groups
        .iter()
        .filter(|g| near(g.text("name"), DEVICES_GROUP, devices_held))
        .collect();
    let found = !users_groups.is_empty() || devices_group.is_some() || scoped_machine.is_some();
    // Why the export does not show that a reserved group it lacks does not exist.
    let users_unshown = users_groups
        .is_empty()
        .then(|| users_group_unshown(model))
        .flatten();
    let devices_unshown = (devices_group.is_none() && scoped_machine.is_none())
        .then(|| devices_group_unshown(model))
        .flatten();
    let undecided = match (&users_unshown, &devices_unshown) {
        (Some(u), Some(d)) => Some(format!("{u}; {d}")),
        (Some(why), None) | (None, Some(why)) => Some(why.clone()),
        (None, None) => None,
    };
    let scoping = match (found, undecided.as_deref()) {
        (true, _) => Scoping::Known(true),
        (false, None) => Scoping::Known(false),
        (false, Some(why)) => Scoping::Undecided(why),
    };
    let several = users_groups.len() > 1;
    let scoped_groups = users_groups.iter().map(|g| (g, "user group", several));
    for (g, what, several) in
        scoped_groups.chain(devices_group.iter().map(|g| (g, "device group", false)))
    {
        notes.push(format!(
            "scoped {what} `{}`{} in `{}`",
            g.text("name").unwrap_or("?"),
            match (several, g.text("id")) {
                (true, Some(id)) => format!(" (`{id}`)"),
                _ => String::new(),
            },
            file_of(model, g.loc())
        ));
    }
    if let (None, Some(d)) = (devices_group, scoped_machine) {
        notes.push(format!(
            "scoped device group `{DEVICES_GROUP}`, the device group (`rbacGroupName`) of \
             machines in `{}`",
            file_of(model, d.get("group").and_then(|f| f.loc()).or(d.loc()))
        ));
    }
    // The scoped device group is a Defender for Endpoint device group: an Entra group holding
    // its name (a likely mistake) scopes nothing.
    for g in groups
        .iter()
        .filter(|g| g.text("name") == Some(DEVICES_GROUP))
    {
        notes.push(format!(
            "`{DEVICES_GROUP}` (`{}`) is an Entra ID group: Defender Experts scopes devices \
             through a Defender for Endpoint device group of that name, so this group scopes \
             nothing (create the device group in the Defender portal instead)",
            file_of(model, g.loc())
        ));
    }
    for g in near_users.iter().chain(&near_devices) {
        notes.push(format!(
            "`{}` (`{}`) is a near miss of a reserved name: Defender Experts does not recognise it{}",
            g.text("name").unwrap_or("?"),
            file_of(model, g.loc()),
            if found { "" } else { ", so it scopes nothing" }
        ));
    }
    match scoping {
        Scoping::Known(false) => notes.push(format!(
            "no `{USERS_GROUP}` or `{DEVICES_GROUP}` group: scoped coverage is not in use and \
             Defender Experts covers the whole tenant"
        )),
        Scoping::Undecided(why) => {
            notes.push(format!(
                "whether scoped coverage is in use is unknown: {why}"
            ));
        }
        Scoping::Known(true) => {}
    }
    if let (Scoping::Known(true), Some(why)) = (scoping, &users_unshown) {
        notes.push(format!(
            "{why}: users the export does not otherwise place are unknown"
        ));
    }
    // A users or machine list missing pages: the counts are of those listed.
    for (name, what) in [("users", "users"), ("devices", "devices")] {
        if let Some(why) = model.collection(name).and_then(|c| c.records_unlisted()) {
            notes.push(format!(
                "{why}: the {what} on them are not listed here, nor counted"
            ));
        }
    }
    users(
        model,
        (scoping, users_unshown.as_deref()),
        &users_groups,
        &near_users,
        &mut notes,
        &mut |j| each("user", j),
    );
    devices(model, scoping, devices_group, device_groups, &mut |j| {
        each("device", j)
    });
    // What the notes quote from the export (group names) shows every character.
    let notes = notes
        .into_iter()
        .map(crate::base::visible::visible)
        .collect();
    (scoping.known(), notes)
}

/// Whether scoped coverage is in use, as the judging of each asset sees it.
#[derive(Debug, Clone, Copy)]
enum Scoping<'w> {
    Known(bool),
    /// The export does not show it, for this reason.
    Undecided(&'w str),
}

impl Scoping<'_> {
    fn known(self) -> Option<bool> {
        match self {
            Scoping::Known(s) => Some(s),
            Scoping::Undecided(_) => None,
        }
    }
}

/// The reason of a gap that leaves collection `name` incomplete as a whole (records missing,
/// not one record's or field's data).
fn list_gap(model: &TenantModel, name: &str) -> Option<String> {
    model
        .collection(name)?
        .gaps
        .iter()
        .find(|g| g.entity.is_none() && g.field.is_none())
        .map(|g| g.reason.clone())
}

/// Why the export does not show that `Defender_Experts_Scoped_Coverage_Users` does not exist,
/// when it does not: it has no list of the tenant's groups (a Terraform plan or an ARM template
/// holds only the groups it manages), or an incomplete one (a page not exported).
fn users_group_unshown(model: &TenantModel) -> Option<String> {
    let groups = model.collection("groups").filter(|c| c.present);
    if let Some(why) = groups.and_then(|c| c.partial.as_deref()) {
        return Some(format!(
            "{why}, so it does not show whether `{USERS_GROUP}` exists"
        ));
    }
    if groups.is_none() {
        return Some(format!(
            "the export has no list of the tenant's Entra ID groups, so it does not show \
             whether `{USERS_GROUP}` exists"
        ));
    }
    list_gap(model, "groups").map(|r| {
        format!(
            "the groups list is incomplete, so it does not show whether `{USERS_GROUP}` exists \
             ({r})"
        )
    })
}

/// Why the export does not show that `Defender_Experts_Scoped_Coverage_Devices` does not exist,
/// when it does not: it has no whole device group list. (Machines name their own group only: an
/// empty scoped device group is in no machine's `rbacGroupName`.)
fn devices_group_unshown(model: &TenantModel) -> Option<String> {
    if !model.collection("device_groups").is_some_and(|c| c.present) {
        return Some(format!(
            "the export has no Defender for Endpoint device group list, so it does not show \
             whether `{DEVICES_GROUP}` exists"
        ));
    }
    list_gap(model, "device_groups").map(|r| {
        format!(
            "the device group list is incomplete, so it does not show whether \
             `{DEVICES_GROUP}` exists ({r})"
        )
    })
}

/// The user ids reachable from `group` through nested groups (not its direct members), each
/// with the names of the nested groups it is reached through, outermost first, and its member
/// record in the first of them that lists it.
type Nested<'m> = HashMap<&'m str, (Vec<&'m str>, &'m Record)>;

/// The first nested group reached from the scoped group whose members the export does not
/// tell, wholly or in part: the names of the nested groups to it (outermost first), and why.
type Untold<'m> = Option<(Vec<&'m str>, String)>;

/// The users reachable from `group` through nested groups ([`Nested`]), and the first nested
/// group on the way whose members are not known ([`Untold`]): one not in the export, or one
/// whose members a gap of `gaps` (by group id) names.
fn nested_members<'m>(
    group: &'m Record,
    groups: &'m [Record],
    gaps: &HashMap<&str, &str>,
) -> (Nested<'m>, Untold<'m>) {
    let by_id: HashMap<&str, &Record> = groups
        .iter()
        .filter_map(|g| Some((g.text("id")?, g)))
        .collect();
    let mut out = HashMap::new();
    let mut untold: Untold<'m> = None;
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack: Vec<(&str, Vec<&str>)> = list(group, "members")
        .iter()
        .filter(|m| m.text("kind") == Some("group"))
        .filter_map(|m| Some((m.text("id")?, vec![m.text("name").unwrap_or("?")])))
        .collect();
    while let Some((gid, mut via)) = stack.pop() {
        if !seen.insert(gid) {
            continue;
        }
        let Some(g) = by_id.get(gid) else {
            let name = via.last().copied().unwrap_or("?");
            let why = format!("the group `{name}` (`{gid}`) is not in the export");
            untold.get_or_insert((via, why));
            continue;
        };
        if let (Some(name), Some(last)) = (g.text("name"), via.last_mut()) {
            *last = name;
        }
        if let Some(why) = gaps.get(gid) {
            untold.get_or_insert_with(|| (via.clone(), why.to_string()));
        }
        for m in list(g, "members") {
            match (m.text("kind"), m.text("id")) {
                (Some("group"), Some(id)) => {
                    let mut path = via.clone();
                    path.push(m.text("name").unwrap_or("?"));
                    stack.push((id, path));
                }
                (Some("user"), Some(id)) => {
                    out.entry(id).or_insert_with(|| (via.clone(), m));
                }
                _ => {}
            }
        }
    }
    (out, untold)
}

/// Judges every user: `scoped` are the groups holding the reserved user group name (any of
/// them scopes its direct members).
fn users<'m>(
    model: &'m TenantModel,
    (scoping, group_unshown): (Scoping<'_>, Option<&str>),
    scoped: &[&'m Record],
    near: &[&'m Record],
    notes: &mut Vec<String>,
    each: &mut dyn FnMut(Judged<'m, '_>),
) {
    let groups: &[Record] = model.collection("groups").map_or(&[], |c| &c.records);
    let mut direct: HashMap<&str, &Record> = HashMap::new();
    for m in scoped.iter().flat_map(|g| list(g, "members")) {
        if let (Some("user"), Some(id)) = (m.text("kind"), m.text("id")) {
            direct.entry(id).or_insert(m);
        }
    }
    // Why the members of a group are not known (wholly or in part), by its id: its first gap.
    let mut member_gaps: HashMap<&str, &str> = HashMap::new();
    for gap in model.collection("groups").map_or(&[][..], |c| &c.gaps[..]) {
        if let (Some(id), true) = (gap.entity.as_deref(), gap.affects(Some("members"))) {
            member_gaps.entry(id).or_insert(gap.reason.as_str());
        }
    }
    let mut nested: Nested<'m> = HashMap::new();
    let mut untold: Untold<'m> = None;
    for g in scoped {
        let (inner, why) = nested_members(g, groups, &member_gaps);
        for (id, via) in inner {
            nested.entry(id).or_insert(via);
        }
        untold = untold.or(why);
    }
    let near_members: HashMap<&str, (&str, &Record)> = near
        .iter()
        .flat_map(|g| {
            list(g, "members")
                .iter()
                .filter(|m| m.text("kind") == Some("user"))
                .filter_map(move |m| Some((m.text("id")?, (g.text("name").unwrap_or("?"), m))))
        })
        .collect();
    // The first scoped group whose members are not known, wholly or in part.
    let incomplete = scoped.iter().find_map(|g| {
        let id = g.text("id")?;
        model
            .collection("groups")?
            .gaps
            .iter()
            .find(|gap| gap.entity.as_deref() == Some(id) && gap.affects(Some("members")))
            .map(|gap| gap.reason.clone())
    });
    let judge = |u: &'m Record, id: &str, member: Option<&&'m Record>| {
        if let Scoping::Undecided(why) = scoping {
            (u, CoverageState::Unknown, Why::Undecided(why), u.loc())
        } else if let Scoping::Known(false) = scoping {
            (u, CoverageState::InScope, Why::UserNotScoped, u.loc())
        } else if let Some(m) = member {
            (u, CoverageState::InScope, Why::DirectMember, m.loc())
        } else if let Some(why) = &incomplete {
            (u, CoverageState::Unknown, Why::Gap(why), u.loc())
        } else if let Some((via, _)) = nested.get(id) {
            (u, CoverageState::Lost, Why::Nested(via), u.loc())
        } else if let Some((name, m)) = near_members.get(id) {
            (u, CoverageState::Lost, Why::NearUser(name), m.loc())
        } else if let Some((via, why)) = &untold {
            (
                u,
                CoverageState::Unknown,
                Why::NestedUntold(via, why),
                u.loc(),
            )
        } else if let (true, Some(why)) = (scoped.is_empty(), group_unshown) {
            (
                u,
                CoverageState::Unknown,
                Why::UsersGroupUnshown(why),
                u.loc(),
            )
        } else if scoped.is_empty() {
            (u, CoverageState::OutOfScope, Why::OnlyDevices, u.loc())
        } else {
            (u, CoverageState::OutOfScope, Why::NotMember, u.loc())
        }
    };
    let users: &[Record] = model.collection("users").map_or(&[], |c| &c.records);
    // The direct members found in the user list (the others are listed after it).
    let mut listed: HashSet<&str> = HashSet::new();
    for u in users {
        let id = u.text("id");
        let member = direct.get(id.unwrap_or(""));
        if let (Some(id), Some(_)) = (id, member) {
            listed.insert(id);
        }
        each(judge(u, id.unwrap_or(""), member));
    }
    // Members of the scoped group whose kind is not known (an object id a plan or template
    // gives, which no data of the export names) may be users in scope.
    let mut unsure: Vec<&Record> = scoped
        .iter()
        .flat_map(|g| list(g, "members"))
        .filter(|m| m.get("kind").is_some_and(|k| k.is_unknown()))
        .collect();
    unsure.sort_by_key(|m| (m.loc(), m.text("id")));
    let mut seen: HashSet<&str> = HashSet::new();
    if !users.is_empty() {
        // Direct members missing from the user list are users too.
        let mut missing: Vec<&Record> = direct
            .iter()
            .filter(|(id, _)| !listed.contains(*id))
            .map(|(_, m)| *m)
            .collect();
        missing.sort_by_key(|m| m.loc());
        if !missing.is_empty() {
            notes.push(format!(
                "{} member{} of `{USERS_GROUP}` {} not in the user list",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                if missing.len() == 1 { "is" } else { "are" }
            ));
        }
        for m in missing {
            let id = m.text("id").unwrap_or("");
            each(judge(m, id, direct.get(id)));
        }
    } else {
        // Without a user list, the members of the groups that matter are the users known.
        if !direct.is_empty()
            || !near_members.is_empty()
            || !unsure.is_empty()
            || !nested.is_empty()
        {
            let lost = model.collection("users").map_or(&[][..], |c| &c.lost[..]);
            let why = match lost.first() {
                Some(file) => format!("the user list (`{file}`) failed to load"),
                None => "the export holds no user list".to_string(),
            };
            notes.push(format!(
                "{why}: only the members of the scoped group, of the groups nested in it and of \
                 near-miss groups are listed"
            ));
        }
        // In file order (the maps' order changes from run to run): the scoped group's
        // members, then the nested groups', then the near-miss groups'.
        let sorted = |mut l: Vec<&'m Record>| {
            l.sort_by_key(|m| (m.loc(), m.text("id")));
            l
        };
        let members = sorted(direct.values().copied().collect());
        let inner = sorted(nested.values().map(|(_, m)| *m).collect());
        let near = sorted(near_members.values().map(|(_, m)| *m).collect());
        for m in members.iter().chain(&inner).chain(&near).copied() {
            if let Some(id) = m.text("id").filter(|id| seen.insert(*id)) {
                each(judge(m, id, direct.get(id)));
            }
        }
    }
    for m in unsure {
        if m.text("id").is_some_and(|id| seen.insert(id)) {
            each((m, CoverageState::Unknown, Why::UnknownKind, m.loc()));
        }
    }
}

/// Whether a device group's rules (all of them in use) match a device; None when a rule's
/// property or operator is not one dexlint can evaluate ([`mde::EVALUATED_PROPERTIES`],
/// [`mde::RULE_OPERATORS`]). A rule without a value is a condition not in use (the portal gives
/// one rule per property); a group with none in use matches no device.
fn rules_match(group: &Record, device: &Record) -> Option<bool> {
    let rules: Vec<&Record> = list(group, "rules")
        .iter()
        .filter(|r| r.text("value").is_none_or(|v| !v.trim().is_empty()))
        .collect();
    if rules.is_empty() {
        return Some(false);
    }
    let name = device.text("name").unwrap_or("");
    let short = name.split('.').next().unwrap_or(name);
    let domain = name.split_once('.').map_or("", |(_, d)| d);
    let tags: Option<Vec<&str>> = match device.get("tags").map(|f| f.value()) {
        Some(ValueRef::List(l)) => Some(l.iter().filter_map(Value::as_str).collect()),
        Some(ValueRef::Unknown) => None,
        _ => Some(Vec::new()),
    };
    for rule in rules {
        let want = rule.text("value")?.to_lowercase();
        let operator = rule.text("operator")?;
        let operator = mde::RULE_OPERATORS
            .iter()
            .find(|o| o.eq_ignore_ascii_case(operator))?;
        let test = |v: &str| -> Option<bool> {
            let v = v.to_lowercase();
            Some(match *operator {
                "Equals" => v == want,
                "StartsWith" => v.starts_with(&want),
                "EndsWith" => v.ends_with(&want),
                "Contains" => v.contains(&want),
                _ => return None,
            })
        };
        let property = rule.text("property")?;
        let property = mde::EVALUATED_PROPERTIES
            .iter()
            .find(|p| p.eq_ignore_ascii_case(property))?;
        let hit = match *property {
            "MachineName" => test(name)? || test(short)?,
            "Domain" => test(domain)?,
            "OS" | "OsPlatform" => test(device.text("os").unwrap_or(""))?,
            "Tag" | "MachineTag" => {
                let mut any = false;
                for t in tags.as_deref()? {
                    any |= test(t)?;
                }
                any
            }
            _ => return None,
        };
        if !hit {
            return Some(false);
        }
    }
    Some(true)
}

fn devices<'m>(
    model: &'m TenantModel,
    scoping: Scoping<'_>,
    group: Option<&'m Record>,
    device_groups: &'m [Record],
    each: &mut dyn FnMut(Judged<'m, '_>),
) {
    let rank = |name: &str| {
        device_groups
            .iter()
            .find(|g| g.text("name") == Some(name))
            .and_then(|g| match g.get("rank").map(|f| f.value()) {
                Some(ValueRef::Int(r)) => Some(r),
                _ => None,
            })
    };
    let scoped_rank = group.and_then(|g| g.text("name")).and_then(rank);
    let groups_exported = model.collection("device_groups").is_some_and(|c| c.present);
    let records: &[Record] = model.collection("devices").map_or(&[], |c| &c.records);
    // Why a device's group is unknown, where the export says (two machine lists that give it
    // differently).
    let group_gap = |d: &Record| {
        let id = d.identity()?;
        model
            .collection("devices")?
            .gaps
            .iter()
            .find(|g| g.field == Some("group") && g.entity.as_deref() == Some(id))
            .map(|g| g.reason.as_str())
    };
    for d in records {
        let current = d.text("group");
        let group_loc = d.get("group").and_then(|f| f.loc()).or(d.loc());
        // A platform the service does not cover (DEX205), shown at the device's `osPlatform`.
        let os = d.text("os").filter(|os| mde::mobile(os));
        let os_loc = d.get("os").and_then(|f| f.loc()).or(d.loc());
        let (state, why, loc) = if let Scoping::Undecided(why) = scoping {
            (CoverageState::Unknown, Why::Undecided(why), d.loc())
        } else if let (Scoping::Known(false), Some(os)) = (scoping, os) {
            (CoverageState::OutOfScope, Why::Platform(os, false), os_loc)
        } else if let (true, Some(os)) = (current == Some(DEVICES_GROUP), os) {
            (CoverageState::OutOfScope, Why::Platform(os, true), os_loc)
        } else if let Scoping::Known(false) = scoping {
            (CoverageState::InScope, Why::DeviceNotScoped, d.loc())
        } else if current == Some(DEVICES_GROUP) {
            (CoverageState::InScope, Why::InScopedDeviceGroup, group_loc)
        } else if let Some(name) = current.filter(|c| renamed(c, DEVICES_GROUP, group.is_some())) {
            // A near miss, whether the device group list names it or only the machine does.
            (CoverageState::Lost, Why::NearDevice(name), group_loc)
        } else if current.is_none() {
            let why = group_gap(d).map_or(Why::NoDeviceGroup, Why::Gap);
            (CoverageState::Unknown, why, d.loc())
        } else if let (Some(g), Some(cur)) = (group, current) {
            let captured = match (rank(cur), scoped_rank) {
                (Some(c), Some(s)) => c < s,
                _ => false,
            };
            match rules_match(g, d) {
                Some(true) if captured => (CoverageState::Lost, Why::Captured(cur), group_loc),
                // Captured if the scoped group's rules match it, which is not known.
                None if captured => (CoverageState::Unknown, Why::RulesUntold(cur), group_loc),
                _ => (
                    CoverageState::OutOfScope,
                    Why::InDeviceGroup(cur),
                    group_loc,
                ),
            }
        } else if let (false, Some(cur)) = (groups_exported, current) {
            // A machine is in one device group: another than the scoped one is out of scope.
            (
                CoverageState::OutOfScope,
                Why::InDeviceGroupUnranked(cur),
                group_loc,
            )
        } else {
            (CoverageState::OutOfScope, Why::OnlyUsers, d.loc())
        };
        // A machine that stopped reporting, unless it is out of scope anyway.
        let stopped = d.get("health").filter(|h| h.as_str() == Some("Inactive"));
        let (state, why, loc) = match stopped {
            Some(h) if state != CoverageState::OutOfScope && !matches!(why, Why::Undecided(_)) => (
                CoverageState::Inactive,
                Why::Inactive(current),
                h.loc().or(d.loc()),
            ),
            _ => (state, why, loc),
        };
        each((d, state, why, loc));
    }
}

/// The report of assessed assets (lines already filled in): counts per kind and state.
pub fn report(assets: Vec<Asset>, scoping: Option<bool>, notes: Vec<String>) -> CoverageReport {
    let mut summary = CoverageSummary {
        scoped_coverage: scoping,
        notes,
        ..Default::default()
    };
    for kind in ["user", "device"] {
        let counts: BTreeMap<&'static str, usize> = CoverageState::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    assets
                        .iter()
                        .filter(|a| a.kind == kind && a.state == *s)
                        .count(),
                )
            })
            .collect();
        if kind == "user" {
            summary.users = counts;
        } else {
            summary.devices = counts;
        }
    }
    CoverageReport { assets, summary }
}

/// An asset an incident names: its kind, how it is named, and the ids that identify it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// `user` or `device`.
    pub kind: &'static str,
    /// UPN, DNS name, or id.
    pub name: String,
    /// Other identifiers (Entra object id, machine id, DNS name).
    pub ids: Vec<String>,
}

/// The assets of an incident file: a Microsoft Graph security incident with its alerts
/// (`GET /security/incidents/{id}?$expand=alerts`: `alerts[].evidence[]`, `deviceEvidence`
/// and `userEvidence`), a Microsoft 365 Defender incident (`GET /api/incidents/{id}`:
/// `alerts[].devices[]` and `alerts[].entities[]` of type `User`), or plain text with one
/// device name or user principal name per line. Returns the incident's id (if any) and the
/// assets, each once; Err with what is wrong when the file is none of these.
///
/// # Errors
/// JSON without alerts, or text without any name.
pub fn incident_assets(text: &str) -> Result<(Option<String>, Vec<Named>), String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut out: Vec<Named> = Vec::new();
    let mut push = |n: Named| {
        let key = n.name.to_lowercase();
        if !out
            .iter()
            .any(|o| o.kind == n.kind && o.name.to_lowercase() == key)
        {
            out.push(n);
        }
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let kind = if line.contains('@') { "user" } else { "device" };
            push(Named {
                kind,
                name: line.to_string(),
                ids: Vec::new(),
            });
        }
        if out.is_empty() {
            return Err("no device name or user principal name in the file".into());
        }
        return Ok((None, out));
    };
    let s = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let id = s(&json, "id").or_else(|| {
        json.get("incidentId")
            .map(|v| v.to_string().trim_matches('"').to_string())
    });
    let Some(alerts) = json.get("alerts").and_then(|a| a.as_array()) else {
        return Err(
            "expected an incident with its `alerts` (Graph `GET /security/incidents/{id}?$expand=alerts`, or Defender `GET /api/incidents/{id}`)"
                .into(),
        );
    };
    // One asset of an alert: named by the first of `names` it has, identified by `ids` too.
    let mut take = |kind: &'static str, v: &serde_json::Value, names: &[&str], ids: &[&str]| {
        if let Some(name) = names.iter().find_map(|k| s(v, k)) {
            let ids = ids.iter().filter_map(|k| s(v, k)).collect();
            push(Named { kind, name, ids });
        }
    };
    let array = |v: &serde_json::Value, key: &str| -> Vec<serde_json::Value> {
        v.get(key)
            .and_then(|x| x.as_array())
            .cloned()
            .unwrap_or_default()
    };
    for alert in alerts {
        for e in array(alert, "evidence") {
            let ty = s(&e, "@odata.type").unwrap_or_default();
            if ty.ends_with("deviceEvidence") {
                let ids = ["mdeDeviceId", "azureAdDeviceId"];
                take("device", &e, &["deviceDnsName", "mdeDeviceId"], &ids);
            } else if ty.ends_with("userEvidence") {
                let acct = e.get("userAccount").cloned().unwrap_or_default();
                let names = ["userPrincipalName", "azureAdUserId", "accountName"];
                take("user", &acct, &names, &["azureAdUserId"]);
            }
        }
        for d in array(alert, "devices") {
            let ids = ["mdatpDeviceId", "aadDeviceId"];
            take("device", &d, &["deviceDnsName", "mdatpDeviceId"], &ids);
        }
        for e in array(alert, "entities") {
            if s(&e, "entityType").is_some_and(|t| t.eq_ignore_ascii_case("User")) {
                let names = ["userPrincipalName", "aadUserId", "accountName"];
                take("user", &e, &names, &["aadUserId"]);
            }
        }
    }
    Ok((id, out))
}

/// Whether an incident naming `named` is in scope given the coverage `assets`, and how each of
/// its assets is handled.
pub fn incident(id: Option<String>, named: &[Named], assets: &[Asset]) -> IncidentReport {
    let find = |n: &Named| {
        let keys: Vec<String> = std::iter::once(&n.name)
            .chain(&n.ids)
            .map(|k| k.to_lowercase())
            .collect();
        assets.iter().find(|a| {
            a.kind == n.kind && {
                let short = a.name.split('.').next().unwrap_or("").to_lowercase();
                let mine = [
                    a.id.to_lowercase(),
                    a.name.to_lowercase(),
                    a.upn.as_deref().unwrap_or("").to_lowercase(),
                ];
                keys.iter().any(|k| {
                    !k.is_empty() && (mine.contains(k) || (n.kind == "device" && *k == short))
                })
            }
        })
    };
    let found: Vec<Option<&Asset>> = named.iter().map(find).collect();
    let states: Vec<Option<CoverageState>> = found.iter().map(|a| a.map(|a| a.state)).collect();
    let in_scope = if states.contains(&Some(CoverageState::InScope)) {
        Some(true)
    } else if states.iter().any(|s| {
        matches!(
            s,
            None | Some(CoverageState::Unknown | CoverageState::Inactive)
        )
    }) {
        None
    } else {
        Some(false)
    };
    let reason = match in_scope {
        Some(true) => "it touches at least one in-scope asset".to_string(),
        Some(false) => "it touches no in-scope asset".to_string(),
        None => "no asset it touches is known to be in scope, and some are not in the export \
                 or unknown"
            .to_string(),
    };
    let assets = named
        .iter()
        .zip(found)
        .map(|(n, a)| {
            let (handling, why) = match (a.map(|a| a.state), in_scope) {
                (None, _) => (Handling::Unknown, "not in the export".to_string()),
                (Some(CoverageState::Unknown | CoverageState::Inactive), _) | (Some(_), None) => (
                    Handling::Unknown,
                    a.map(|a| a.reason.clone()).unwrap_or_default(),
                ),
                (Some(CoverageState::InScope), Some(true)) => (
                    Handling::Response,
                    a.map(|a| a.reason.clone()).unwrap_or_default(),
                ),
                (Some(_), Some(true)) => (
                    Handling::ReportedOnly,
                    format!(
                        "out of scope ({}): reported on, no response",
                        a.map(|a| a.reason.as_str()).unwrap_or("")
                    ),
                ),
                (Some(_), Some(false)) => (
                    Handling::NotCovered,
                    a.map(|a| a.reason.clone()).unwrap_or_default(),
                ),
            };
            IncidentAsset {
                kind: n.kind,
                name: n.name.clone(),
                state: a.map(|a| a.state),
                handling,
                reason: why,
            }
        })
        .collect();
    IncidentReport {
        incident: id,
        in_scope,
        reason,
        assets,
    }
}
