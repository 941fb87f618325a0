//! `dexlint scope`: which users and devices Defender Experts covers, and how an incident's
//! assets are handled.

use super::{fail, find_config, UsageError};
use crate::cli::{ScopeArgs, ScopeFormat};
use crate::coverage;
use crate::export::{self, LoadOptions};
use crate::outcome::Asset;
use crate::report::coverage as render;

/// Runs `dexlint scope`: 0 when the output was written, 2 on a usage, configuration or load
/// setup error.
pub fn run(args: &ScopeArgs) -> i32 {
    let config = match find_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let (roots, root_names) = super::roots_and_names(&args.roots, &config);
    if roots.is_empty() {
        return fail(UsageError {
            message: "no export directory given".into(),
            help: Some("pass EXPORT_DIR or set `exports` in dexlint.toml".into()),
        });
    }
    if let Some(e) = super::overlapping_root(&roots) {
        return fail(e);
    }
    let options = LoadOptions {
        include: config.include.clone(),
        exclude: config.exclude.clone(),
        max_file_bytes: config.max_file_bytes,
        max_json_depth: config.max_json_depth,
        projection: None,
    };
    // Each root is a tenant of its own, as `dexlint lint` reads them, unless `one-tenant` in
    // dexlint.toml makes them the parts of one.
    let tenants: Vec<(&[std::path::PathBuf], &[String])> = if config.one_tenant {
        vec![(&roots[..], &root_names[..])]
    } else {
        roots.chunks(1).zip(root_names.chunks(1)).collect()
    };
    let mut assets: Vec<Asset> = Vec::new();
    let mut notes = Vec::new();
    // Whether scoped coverage is in use in each tenant.
    let mut scopings: Vec<Option<bool>> = Vec::new();
    let mut models = Vec::new();
    // An export file failed to load: the report is written, and the exit code is 2, as lint's.
    let mut load_failed = false;
    for &(tenant, names) in &tenants {
        let load = match export::load(tenant, &options) {
            Ok(l) => l,
            Err(e) => return fail(e),
        };
        for d in load
            .diagnostics
            .iter()
            .filter(|d| d.level == export::DiagLevel::Error)
        {
            let root = names.get(d.root).map_or("", String::as_str);
            notes.push(format!("`{root}`: {d}"));
            load_failed = true;
        }
        let assessed = coverage::assess(&load.model, names);
        scopings.push(assessed.scoped);
        // With several tenants, each note says whose it is.
        if tenants.len() > 1 {
            let name = names.join("`, `");
            let state = crate::report::coverage::scoped_coverage_text(assessed.scoped);
            notes.push(format!("`{name}`: scoped coverage {state}"));
            notes.extend(assessed.notes.iter().map(|n| format!("`{name}`: {n}")));
        } else {
            notes.extend(assessed.notes);
        }
        let locs: Vec<_> = assessed
            .assets
            .iter()
            .filter_map(|(_, l)| l.as_ref())
            .collect();
        let mut lines = export::locate::locate_all(&load.model, &locs).into_iter();
        for (mut asset, loc) in assessed.assets {
            if loc.is_some() {
                asset.line = lines.next().flatten().map(|l| l.line);
            }
            assets.push(asset);
        }
        models.push(load.model);
    }
    // The same in every tenant, else unknown (the notes say each one's).
    let scoping = match scopings.split_first() {
        Some((first, rest)) if rest.iter().all(|s| s == first) => *first,
        _ => None,
    };
    let mut report = coverage::report(assets, scoping, notes);
    let key = match (args.redact, &args.redact_key) {
        (false, _) => None,
        (true, Some(k)) => Some(crate::redact::Key::from_secret(k)),
        (true, None) => match crate::redact::Key::random() {
            Ok(k) => Some(k),
            Err(e) => return fail(e),
        },
    };
    let refs: Vec<_> = models.iter().collect();
    let text = match &args.incident {
        Some(_) if tenants.len() > 1 => {
            return fail(UsageError {
                message: format!(
                    "`--incident` with {} tenants: an incident is one tenant's, and their answers \
                     may differ",
                    tenants.len()
                ),
                help: Some(
                    "give that tenant's export alone, or set `one-tenant = true` in dexlint.toml \
                     when the roots are parts of one tenant"
                        .into(),
                ),
            })
        }
        Some(path) => {
            if !matches!(args.format, ScopeFormat::Human | ScopeFormat::Json) {
                return fail(UsageError {
                    message: "an incident is written as `human` or `json` only".into(),
                    help: Some("drop `--format`, or use `--format json`".into()),
                });
            }
            // Read as export files are: UTF-8, or UTF-16 with its BOM (Windows PowerShell's
            // `Out-File`).
            let read = std::fs::read(path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| export::decode::decode_owned(bytes).map_err(|e| e.to_string()));
            let input = match read {
                Ok(t) => t,
                Err(e) => {
                    return fail(UsageError {
                        message: format!("cannot read incident `{}`: {e}", path.display()),
                        help: None,
                    })
                }
            };
            let (id, named) = match coverage::incident_assets(&input) {
                Ok(x) => x,
                Err(why) => {
                    return fail(UsageError {
                        message: format!("`{}` is not an incident: {why}", path.display()),
                        help: Some(
                            "give a Graph security incident with its alerts, a Defender \
                             `/api/incidents/{id}` response, or one device name or user \
                             principal name per line"
                                .into(),
                        ),
                    })
                }
            };
            // Matched on the real names, then redacted.
            let mut r = coverage::incident(id, &named, &report.assets);
            if let Some(key) = &key {
                crate::redact::incident(&refs, &mut r, key);
            }
            match args.format {
                ScopeFormat::Json => render::incident_json(&r),
                _ => render::incident_human(&r),
            }
        }
        None => {
            if let Some(key) = &key {
                crate::redact::coverage(&refs, &mut report, key);
            }
            match args.format {
                ScopeFormat::Human => render::human(&report),
                ScopeFormat::Json => render::json(&report),
                ScopeFormat::Csv => render::csv(&report),
                ScopeFormat::Html => crate::report::html::scope(&report),
            }
        }
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| (path.display().to_string(), e)),
        None => {
            print!("{text}");
            Ok(())
        }
    };
    match written {
        Ok(()) => i32::from(load_failed) * 2,
        Err((path, e)) => fail(UsageError {
            message: format!("cannot write `{path}`: {e}"),
            help: None,
        }),
    }
}
