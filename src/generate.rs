//! A generator of large, realistic exports for benchmarks and scale tests: Graph users with
//! assigned plans (paged list responses), groups with member files, subscribedSkus, Defender
//! for Endpoint machines, deviceavinfo and device groups, ARM pricings and a deployment
//! declaration, with a controllable share of rule violations. Deterministic: the same options
//! write the same bytes.
//!
//! Two shapes ([`Layout`]): Graph and Defender for Endpoint lists written as pages of
//! [`GenOptions::page`] items (what `GET /users` returns page by page: 999 items at most with
//! `$top=999`), or one file per collection (`users.json` holding every user in one
//! `{"@odata.context": ..., "value": [...]}` list, as `Get-MgUser -All | ConvertTo-Json` or a
//! merged list gives). Large lists are written element by element, never held whole.

use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub users: usize,
    pub devices: usize,
    pub groups: usize,
    /// Share (0.0–1.0) of users, devices and groups that break a rule.
    pub violations: f64,
    /// Users or machines per list-response file (pages of [`Layout::Paged`]).
    pub page: usize,
}

/// How the lists of users, machines and antivirus rows are split into files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// Pages of [`GenOptions::page`] items: `graph/users/users-00000.json`, ...
    #[default]
    Paged,
    /// One file per collection: `graph/users.json`, `mde/machines.json`,
    /// `mde/deviceavinfo.json`.
    OneFile,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            users: 1000,
            devices: 500,
            groups: 50,
            violations: 0.05,
            page: 999,
        }
    }
}

const P1: &str = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";
const WDATP: &str = "871d91ec-ec1a-452b-a83f-bd76c7d770ef";
const MDO: &str = "8e0c0a52-6a6c-4d40-8370-dd62790dcd70";
const EXO: &str = "efb87545-963c-4e0d-99df-69c6916d9eb0";
const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const GRAPH: &str = "https://graph.microsoft.com/v1.0/$metadata#";
const MDE: &str = "https://api.securitycenter.microsoft.com/api/$metadata#";

/// A deterministic id that looks like a GUID.
fn guid(kind: u32, n: usize) -> String {
    let x = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ u64::from(kind).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (x >> 32) as u32,
        (x >> 16) as u16,
        x as u16 & 0xfff,
        kind & 0xfff,
        n
    )
}

fn machine_id(n: usize) -> String {
    format!(
        "{:040x}",
        (n as u128 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
    )
}

/// Whether item `n` is one of the `share` that break a rule (spread evenly).
fn breaks(n: usize, share: f64) -> bool {
    share > 0.0 && ((n as f64 + 1.0) * share).floor() > (n as f64 * share).floor()
}

fn write(dir: &Path, rel: &str, value: &Value) -> std::io::Result<u64> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
    serde_json::to_writer_pretty(&mut f, value).map_err(std::io::Error::other)?;
    f.write_all(b"\n")?;
    f.flush()?;
    Ok(std::fs::metadata(&path)?.len())
}

/// Writes a list response `{"@odata.context": context, "value": [...]}` element by element,
/// formatted as `serde_json::to_writer_pretty` formats the whole document.
fn write_list(
    dir: &Path,
    rel: &str,
    context: &str,
    items: impl Iterator<Item = Value>,
) -> std::io::Result<u64> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let context = serde_json::to_string(context).map_err(std::io::Error::other)?;
    write!(f, "{{\n  \"@odata.context\": {context},\n  \"value\": [")?;
    let mut buf = Vec::new();
    let mut first = true;
    for item in items {
        buf.clear();
        serde_json::to_writer_pretty(&mut buf, &item).map_err(std::io::Error::other)?;
        f.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        // Strings are written with their newlines escaped: every newline is between lines.
        for (i, line) in buf.split(|&c| c == b'\n').enumerate() {
            if i > 0 {
                f.write_all(b"\n")?;
            }
            f.write_all(b"    ")?;
            f.write_all(line)?;
        }
    }
    f.write_all(if first { b"]\n}\n" } else { b"\n  ]\n}\n" })?;
    f.flush()?;
    Ok(std::fs::metadata(&path)?.len())
}

fn user(n: usize, share: f64) -> Value {
    let plans: Vec<Value> = [(P1, "AADPremiumService"), (WDATP, "WindowsDefenderATP"), (MDO, "exchange"), (EXO, "exchange")]
        .iter()
        .filter(|(id, _)| !(breaks(n, share) && *id == P1))
        .map(|(id, service)| {
            json!({"assignedDateTime": "2026-02-11T10:02:31Z", "capabilityStatus": "Enabled", "service": service, "servicePlanId": id})
        })
        .collect();
    json!({
        "id": guid(1, n),
        "displayName": format!("User {n}"),
        "givenName": "User",
        "surname": n.to_string(),
        "userPrincipalName": format!("user{n}@contoso.com"),
        "mail": format!("user{n}@contoso.com"),
        "jobTitle": "Analyst",
        "officeLocation": "Building 7",
        "accountEnabled": true,
        "userType": if n % 50 == 49 { "Guest" } else { "Member" },
        "assignedLicenses": [{"skuId": E5, "disabledPlans": []}],
        "assignedPlans": plans,
    })
}

fn machine(n: usize) -> Value {
    let (gid, gname, prefix) = if n % 4 == 3 {
        (140, "Defender_Experts_Scoped_Coverage_Devices", "scoped")
    } else {
        (141, "Workstations", "ws")
    };
    json!({"id": machine_id(n), "computerDnsName": format!("{prefix}-{n:06}.contoso.com"), "firstSeen": "2026-01-12T10:31:12Z", "lastSeen": "2026-11-20T08:02:11Z",
           "osPlatform": "Windows11", "version": "23H2", "healthStatus": "Active", "onboardingStatus": "Onboarded", "rbacGroupId": gid, "rbacGroupName": gname,
           "riskScore": "Low", "exposureLevel": "Medium", "machineTags": ["managed"], "lastIpAddress": "10.0.0.1", "lastExternalIpAddress": "203.0.113.7"})
}

fn av_row(n: usize, share: f64) -> Value {
    let mode = if breaks(n, share) { "1" } else { "0" };
    json!({"id": machine_id(n), "machineId": machine_id(n), "computerDnsName": format!("m{n}"), "osKind": "windows", "avMode": mode,
           "avSignatureVersion": "1.421.512.0", "avEngineVersion": "1.1.24090.11", "avPlatformVersion": "4.18.24090.11", "quickScanResult": "Completed"})
}

/// Writes an export into `dir` (which must not exist or be empty) as Graph pages of
/// [`GenOptions::page`] items. Returns (files, bytes).
pub fn generate(dir: &Path, o: &GenOptions) -> std::io::Result<(usize, u64)> {
    generate_as(dir, o, Layout::Paged)
}

/// [`generate`] in the given shape. Returns (files, bytes).
pub fn generate_as(dir: &Path, o: &GenOptions, layout: Layout) -> std::io::Result<(usize, u64)> {
    let (mut files, mut bytes) = (0usize, 0u64);
    let put = |rel: &str, v: &Value, total: (&mut usize, &mut u64)| -> std::io::Result<()> {
        *total.1 += write(dir, rel, v)?;
        *total.0 += 1;
        Ok(())
    };
    let page = o.page.max(1);
    // The files of one list: (name, range of items) for each.
    let files_of = |n: usize, folder: &str, name: &str| -> Vec<(String, std::ops::Range<usize>)> {
        match layout {
            Layout::OneFile => vec![(format!("{folder}/{name}.json"), 0..n)],
            Layout::Paged => (0..n)
                .step_by(page)
                .enumerate()
                .map(|(p, start)| {
                    (
                        format!("{folder}/{name}/{name}-{p:05}.json"),
                        start..(start + page).min(n),
                    )
                })
                .collect(),
        }
    };
    for (rel, range) in files_of(o.users, "graph", "users") {
        let items = range.map(|n| user(n, o.violations));
        bytes += write_list(dir, &rel, &format!("{GRAPH}users"), items)?;
        files += 1;
    }
    let units = o.users + o.users / 10;
    put(
        "graph/subscribedSkus.json",
        &json!({"@odata.context": format!("{GRAPH}subscribedSkus"), "value": [{
            "accountName": "contoso", "appliesTo": "User", "capabilityStatus": "Enabled", "consumedUnits": o.users,
            "id": format!("c7df2760-2c81-4ef7-b578-5b5392b571df_{E5}"), "skuId": E5, "skuPartNumber": "SPE_E5",
            "prepaidUnits": {"enabled": units, "suspended": 0, "warning": 0, "lockedOut": 0},
            "servicePlans": [
                {"servicePlanId": P1, "servicePlanName": "AAD_PREMIUM", "provisioningStatus": "Success", "appliesTo": "User"},
                {"servicePlanId": WDATP, "servicePlanName": "WINDEFATP", "provisioningStatus": "Success", "appliesTo": "User"},
                {"servicePlanId": MDO, "servicePlanName": "THREAT_INTELLIGENCE", "provisioningStatus": "Success", "appliesTo": "User"},
                {"servicePlanId": EXO, "servicePlanName": "EXCHANGE_S_ENTERPRISE", "provisioningStatus": "Success", "appliesTo": "User"}]}]}),
        (&mut files, &mut bytes),
    )?;
    // Groups: the first is the scoped user group; a share of the others hold a nested group.
    let groups: Vec<Value> = (0..o.groups)
        .map(|g| {
            let name = if g == 0 { "Defender_Experts_Scoped_Coverage_Users".to_string() } else { format!("Team {g}") };
            json!({"id": guid(2, g), "displayName": name, "groupTypes": [], "securityEnabled": true, "mailEnabled": false, "membershipRule": null})
        })
        .collect();
    put(
        "graph/groups.json",
        &json!({"@odata.context": format!("{GRAPH}groups"), "value": groups}),
        (&mut files, &mut bytes),
    )?;
    let per_group = (o.users / o.groups.max(1)).clamp(1, 500);
    for g in 0..o.groups {
        let mut members: Vec<Value> = (0..per_group)
            .map(|k| (g * per_group + k) % o.users.max(1))
            .map(|n| json!({"@odata.type": "#microsoft.graph.user", "id": guid(1, n), "displayName": format!("User {n}"), "userPrincipalName": format!("user{n}@contoso.com")}))
            .collect();
        // The scoped group is among the broken ones, so DEX003 has something to find.
        let broken = breaks(g, o.violations) || (g == 0 && o.violations > 0.0);
        if broken && o.groups > 1 {
            let other = (g + 1) % o.groups;
            members.push(json!({"@odata.type": "#microsoft.graph.group", "id": guid(2, other), "displayName": format!("Team {other}")}));
        }
        put(
            &format!("graph/groups/{}/members.json", guid(2, g)),
            &json!({"@odata.context": format!("{GRAPH}directoryObjects"), "value": members}),
            (&mut files, &mut bytes),
        )?;
    }
    // Devices: a quarter in the scoped device group (rank 1), among them every passive one.
    put(
        "mde/devicegroups.json",
        &json!({"items": [
            {"MachineGroupId": 140, "Name": "Defender_Experts_Scoped_Coverage_Devices", "Description": "", "Priority": 1, "IsUnassignedMachineGroup": false, "AutoRemediationLevel": "FullRemediation", "GroupRules": [{"Property": "MachineName", "OperatorType": "StartsWith", "PropertyValue": "scoped-"}]},
            {"MachineGroupId": 141, "Name": "Workstations", "Description": "", "Priority": 2, "IsUnassignedMachineGroup": false, "AutoRemediationLevel": "FullRemediation", "GroupRules": [{"Property": "MachineName", "OperatorType": "StartsWith", "PropertyValue": "ws-"}]},
            {"MachineGroupId": 1, "Name": "Ungrouped devices (default)", "Description": "", "Priority": 3, "IsUnassignedMachineGroup": true, "AutoRemediationLevel": "SemiRequireApprovalForAll", "GroupRules": []}]}),
        (&mut files, &mut bytes),
    )?;
    for (rel, range) in files_of(o.devices, "mde", "machines") {
        bytes += write_list(dir, &rel, &format!("{MDE}Machines"), range.map(machine))?;
        files += 1;
    }
    for (rel, range) in files_of(o.devices, "mde", "deviceavinfo") {
        let items = range.map(|n| av_row(n, o.violations));
        bytes += write_list(dir, &rel, &format!("{MDE}DeviceAvInfo"), items)?;
        files += 1;
    }
    let pricings: Vec<Value> = (0..20)
        .map(|s| {
            let tier = if breaks(s, o.violations) { "Free" } else { "Standard" };
            json!({"id": format!("/subscriptions/{}/providers/Microsoft.Security/pricings/VirtualMachines", guid(3, s)), "name": "VirtualMachines", "type": "Microsoft.Security/pricings", "properties": {"pricingTier": tier, "subPlan": "P2"}})
        })
        .collect();
    put(
        "azure/pricings.json",
        &json!({"value": pricings}),
        (&mut files, &mut bytes),
    )?;
    put(
        "deployment.json",
        &json!({"kind": "dexlint.deployment/v1", "services": {"xdr": true, "servers": true}, "products": {"mde": "active", "mdo": "active", "mdi": "passive", "mdca": "not_deployed", "mdiot": "not_deployed"}}),
        (&mut files, &mut bytes),
    )?;
    Ok((files, bytes))
}
