//! `Get-MpComputerStatus | ConvertTo-Json` (module Defender, the `MSFT_MpComputerStatus` WMI
//! class), one file per device or an array of objects (as `Invoke-Command -ComputerName PC1,PC2
//! { Get-MpComputerStatus } | ConvertTo-Json` writes it, each object with the `PSComputerName`
//! that `Invoke-Command` adds).
//!
//! `AMRunningMode` gives Microsoft Defender Antivirus's mode. Documented values
//! (learn.microsoft.com/defender-endpoint/microsoft-defender-antivirus-compatibility, "How do I
//! confirm Microsoft Defender Antivirus is in active or passive mode?";
//! learn.microsoft.com/defender-endpoint/edr-in-block-mode, FAQ): `Normal` (active), `Passive
//! Mode`, `SxS Passive Mode` ("similar to passive mode, but with the option to turn on limited
//! periodic scanning": read as passive, since Defender Antivirus does not remediate in it),
//! `EDR Block Mode` (passive antivirus with EDR in block mode), and `Not running` (the service
//! stopped, as real outputs show when another antivirus replaced it): read as `disabled`. Any
//! other value is a warning at the value; the device is kept with its mode unknown.
//!
//! The device is joined to the Defender for Endpoint machine of the same name once every file is
//! read (see [`Builder::add_av_mode_by_name`]): `PSComputerName`, else, for a file holding one
//! object, the file's name without its extension (`mpstatus/PC-0042.json`). A status without
//! either is an error saying how to export it.
//!
//! Recognised by `AMRunningMode` with one of `AMServiceEnabled`, `AntivirusEnabled`,
//! `RealTimeProtectionEnabled`, `AMProductVersion`: an object of this class that lacks
//! `AMRunningMode` (a Defender platform older than 4.18.2001, which added it) is an error.

use crate::export::json::At;
use crate::export::tree::Kind;
use crate::export::Builder;
use crate::model::Value;

/// Properties only `MSFT_MpComputerStatus` has together.
const CLASS_KEYS: &[&str] = &[
    "AMServiceEnabled",
    "AntivirusEnabled",
    "RealTimeProtectionEnabled",
    "AMProductVersion",
];

/// `AMRunningMode` values and the `av_mode` each means.
const MODES: &[(&str, &str)] = &[
    ("Normal", "active"),
    ("Passive Mode", "passive"),
    // What Microsoft's compatibility page says to expect ("Normal, Passive, or EDR Block
    // Mode": MicrosoftDocs/defender-docs `microsoft-defender-antivirus-compatibility.md`).
    ("Passive", "passive"),
    ("SxS Passive Mode", "passive"),
    ("EDR Block Mode", "edr_block"),
    ("Not running", "disabled"),
];

/// Words of a file name that say what the file holds rather than which computer it is about.
const GENERIC: &[&str] = &[
    "status",
    "mpcomputer",
    "defender",
    "export",
    "output",
    "result",
    "devices",
    "computers",
];

/// Whether an object is a `Get-MpComputerStatus` result.
fn is_status(item: &At<'_>) -> bool {
    item.is_object() && CLASS_KEYS.iter().filter(|k| item.get(k).is_some()).count() >= 2
}

/// Reads `Get-MpComputerStatus` output; false when the document is not one.
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    let items = if doc.is_array() {
        doc.items()
    } else {
        vec![*doc]
    };
    let Some(first) = items.first() else {
        return false;
    };
    if !is_status(first) || first.get("@odata.context").is_some() {
        return false;
    }
    b.touch("devices");
    let single = items.len() == 1;
    for item in &items {
        if !is_status(item) {
            b.shape_error(
                item,
                "expected a `Get-MpComputerStatus` object, as the other elements of this array",
            );
            continue;
        }
        let name = item
            .get("PSComputerName")
            .and_then(|n| n.text())
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .or_else(|| if single { file_computer(rel) } else { None });
        let Some(name) = name else {
            b.shape_error(
                item,
                &format!(
                    "`Get-MpComputerStatus` output without `PSComputerName`{}: dexlint cannot \
                     tell which device it is about; name each file after its computer \
                     (`PC-0042.json`), or export through `Invoke-Command -ComputerName ...`, \
                     which adds `PSComputerName` (docs/exporting.md, \"Get-MpComputerStatus\")",
                    if single {
                        ", in a file whose name is not a computer name"
                    } else {
                        " in an array of several devices"
                    }
                ),
            );
            continue;
        };
        let Some(mode) = item.get("AMRunningMode") else {
            b.shape_error(
                item,
                &format!(
                    "`Get-MpComputerStatus` output of `{name}` without `AMRunningMode`: the \
                     Defender platform is older than 4.18.2001; update it, or read the mode \
                     from Defender for Endpoint's /api/deviceavinfo"
                ),
            );
            continue;
        };
        let written = mode.as_str().map(str::trim).unwrap_or_default();
        let known = MODES
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(written))
            .map(|(_, v)| *v);
        let value = match known {
            Some(v) => Value::Str(v.into()),
            None => {
                let shown = mode.text().unwrap_or_else(|| match mode.v.kind {
                    Kind::Null => "null".into(),
                    _ => "a non-string value".into(),
                });
                b.warning(
                    &mode,
                    &format!(
                        "undocumented `AMRunningMode` `{shown}` (documented: {}); the device \
                         `{name}` is kept, its antivirus mode unknown",
                        MODES.iter().map(|(m, _)| *m).collect::<Vec<_>>().join(", ")
                    ),
                );
                Value::Null
            }
        };
        b.add_av_mode_by_name(&name, value, mode.loc(), item);
    }
    true
}

/// The computer a file is named after (`PC-0042.json` → `PC-0042`), unless its name says what
/// the file holds (`mpcomputerstatus.json`, `defender-status.json`) or is not a host name.
fn file_computer(rel: &str) -> Option<String> {
    let file = rel.rsplit('/').next()?;
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let lower = stem.to_ascii_lowercase();
    let host = !stem.is_empty()
        && stem.len() <= 253
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    (host && !GENERIC.iter().any(|g| lower.contains(g))).then(|| stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computer_names_from_files() {
        assert_eq!(file_computer("mp/PC-0042.json").as_deref(), Some("PC-0042"));
        assert_eq!(
            file_computer("mp/srv-01.contoso.com.json").as_deref(),
            Some("srv-01.contoso.com")
        );
        assert_eq!(file_computer("mp/MpComputerStatus.json"), None);
        assert_eq!(file_computer("mp/defender-status.json"), None);
        assert_eq!(file_computer("mp/my pc.json"), None);
    }
}
