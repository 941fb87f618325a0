//! `dexlint lint`: compile the policies, load the exports, evaluate, and collect a [`LintReport`]
//! that every output format renders.

use crate::baseline::Baseline;
use crate::builtin;
use crate::config::Config;
use crate::export::{self, DiagLevel, LoadOptions};
use crate::model::Loc;
use crate::model::TenantModel;
use crate::outcome::RelatedLocation;
use crate::outcome::{
    joined_path, Diagnostic, IncompleteRun, LintReport, NotEvaluated, ProductState, TenantSummary,
    Violation,
};
use crate::policy::{self, Outcome, PolicyMeta, PolicySource};
use rayon::prelude::*;
use std::path::PathBuf;

/// What to lint and how.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// The export directories to lint, in the order given.
    pub roots: Vec<PathBuf>,
    /// How each root is reported (same order as `roots`; missing: the root's path as given).
    /// Roots from `dexlint.toml` are named relative to its directory.
    pub root_names: Vec<String>,
    /// Whether the built-in catalogue runs (besides `policy_dirs`).
    pub builtin: bool,
    /// Directories of extra `.policy` files (read at any depth, see [`policy_files`]) or policy
    /// files, added to the built-in catalogue.
    pub policy_dirs: Vec<PathBuf>,
    /// Which files of the roots are read (include/exclude globs, size and depth limits); its
    /// projection is replaced by the fields the selected policies read.
    pub load: LoadOptions,
    /// `dexlint.toml` settings: selection, severities, parameters, waivers.
    pub config: Config,
    /// The date waivers expire against.
    pub today: Option<time::Date>,
    /// Accepted violations: only new ones are reported.
    pub baseline: Option<Baseline>,
    /// Replace names and ids by hashes under this key in everything reported (see
    /// [`crate::redact`]).
    pub redact: Option<crate::redact::Key>,
    /// The catalogue edition chosen on the command line (before `edition` of the configuration
    /// and the default).
    pub edition: Option<String>,
    /// The roots are parts of one tenant, loaded into one model; otherwise each root is a
    /// tenant of its own, evaluated alone.
    pub one_tenant: bool,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            roots: Vec::new(),
            root_names: Vec::new(),
            builtin: true,
            policy_dirs: Vec::new(),
            load: LoadOptions::default(),
            config: Config::default(),
            today: None,
            baseline: None,
            redact: None,
            edition: None,
            one_tenant: false,
        }
    }
}

/// Errors that stop a run before any export is linted (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SetupError {
    /// A policy that does not parse or type-check.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Compile(#[from] policy::CompileErrors),
    /// An export root that is not a directory, or a bad include/exclude glob.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] export::LoadSetupError),
    /// Configuration that does not fit the compiled policies (unknown policies, parameters or
    /// tags, parameter values of the wrong type).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] crate::config::ConfigErrors),
    /// An edition, named on the command line or in the configuration, that does not exist.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Edition(#[from] crate::edition::UnknownEdition),
    /// The configuration and options leave no policy to run.
    #[error("no policy selected: {compiled} compiled, none of them runs")]
    #[diagnostic(
        code(dexlint::nothing_selected),
        help("a gate that runs no policy checks nothing: check `enable`/`disable` in dexlint.toml, `--no-builtin` and the `--policies` directories")
    )]
    NothingSelected {
        /// How many policies compiled.
        compiled: usize,
    },
    /// A policy file or directory (or a directory or `.policy` file below it) that cannot be
    /// read.
    #[error("cannot read policies at `{path}`: {source}")]
    #[diagnostic(code(dexlint::policy_dir))]
    PolicyDir {
        /// The file or directory that cannot be read, as given or found below what was given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The policy files named by `paths`, sorted by path: a file is taken as given; a directory
/// is read recursively for its `.policy` files. Symbolic links to files and directories are
/// followed (a link back to a directory above is not followed again); names starting with `.`
/// below a directory (`.git`) are skipped. A file reached twice (two spellings of one path, a
/// directory named with one of its subdirectories) is listed once.
///
/// # Errors
/// A path that does not exist, or a directory below it that cannot be read, named by its path.
pub fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, SetupError> {
    let mut found: Vec<PathBuf> = Vec::new();
    for root in paths {
        let walk = walkdir::WalkDir::new(root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                // A link to a directory above: its files are found once, through the directory.
                Err(e) if e.loop_ancestor().is_some() => continue,
                Err(e) => {
                    let path = e.path().unwrap_or(root).to_path_buf();
                    // A dangling link that is not named `.policy` is not a policy file.
                    let dangling = path != *root
                        && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink())
                        && path.extension().is_none_or(|x| x != "policy");
                    if dangling {
                        continue;
                    }
                    return Err(SetupError::PolicyDir {
                        path: path.display().to_string(),
                        source: e
                            .into_io_error()
                            .unwrap_or_else(|| std::io::Error::other("cannot be walked")),
                    });
                }
            };
            let is_policy = entry.depth() == 0 && !entry.file_type().is_dir()
                || entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|x| x == "policy");
            if is_policy {
                found.push(entry.into_path());
            }
        }
    }
    found.sort();
    let mut seen: Vec<PathBuf> = Vec::new();
    found.retain(|p| {
        let key = p.canonicalize().unwrap_or_else(|_| p.clone());
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    Ok(found)
}

/// The built-in policies (when `builtin`) plus every policy file of `paths` (see
/// [`policy_files`]: directories recursively, sorted by path).
///
/// A file whose text is that of a built-in policy (the `policies/` directory of dexlint's own
/// repository, or an unchanged copy of a built-in file) is that built-in policy: it is compiled
/// once, as the built-in. Any other file defining a built-in id is a duplicate definition
/// (`dexlint::duplicate_policy`); `--no-builtin` compiles such a catalogue alone.
///
/// # Errors
/// A path, or a directory or `.policy` file below it, that cannot be read.
pub fn policy_sources(builtin: bool, paths: &[PathBuf]) -> Result<Vec<PolicySource>, SetupError> {
    Ok(read_policy_files(builtin, paths)?.0)
}

/// [`policy_sources`], and for each file of `paths` the name of the source it is compiled as
/// (its path, or `builtin:FILE` when it is a built-in policy's text).
///
/// # Errors
/// As [`policy_sources`].
pub fn read_policy_files(
    builtin: bool,
    paths: &[PathBuf],
) -> Result<(Vec<PolicySource>, Vec<String>), SetupError> {
    let mut sources = if builtin {
        builtin::sources()
    } else {
        Vec::new()
    };
    let embedded = sources.len();
    let mut names = Vec::new();
    for path in policy_files(paths)? {
        let text = std::fs::read_to_string(&path).map_err(|source| SetupError::PolicyDir {
            path: path.display().to_string(),
            source,
        })?;
        let same = sources
            .iter()
            .take(embedded)
            .find(|s| s.text == text)
            .map(|s| s.name.clone());
        if let Some(name) = same {
            names.push(name);
            continue;
        }
        let name = path.display().to_string();
        names.push(name.clone());
        sources.push(PolicySource { name, text });
    }
    Ok((sources, names))
}

/// Reads and compiles the policies `options` name (the built-in catalogue unless disabled,
/// plus the policy directories of the configuration and of `options`), and checks the
/// configuration against them.
///
/// # Errors
/// A policy directory that cannot be read, a policy that does not compile, or configuration
/// that names unknown policies, parameters or tags.
pub fn compile(options: &LintOptions) -> Result<policy::PolicySet, SetupError> {
    let config = &options.config;
    let mut dirs = config.policy_dirs.clone();
    dirs.extend(options.policy_dirs.iter().cloned());
    let sources = policy_sources(options.builtin, &dirs)?;
    let nesting = config
        .max_policy_nesting
        .unwrap_or(policy::parse::MAX_NESTING);
    let policy_set = policy::compile_nested(&sources, &crate::policy_files::Disk, nesting)?;
    config.check_against(&policy_set.policies.iter().collect::<Vec<_>>())?;
    Ok(policy_set)
}

/// Runs the whole lint: [`compile`], then [`run_compiled`].
///
/// # Errors
/// As [`compile`] and [`run_compiled`].
pub fn run(options: &LintOptions) -> Result<LintReport, SetupError> {
    run_compiled(options, &compile(options)?)
}

/// Loads the export roots of `options` and evaluates the compiled policies the configuration
/// selects over them.
///
/// # Errors
/// An unknown edition, an export root that is not a directory, an invalid include/exclude
/// glob, or a configuration that selects no policy.
pub fn run_compiled(
    options: &LintOptions,
    policy_set: &policy::PolicySet,
) -> Result<LintReport, SetupError> {
    let config = &options.config;
    let edition =
        crate::edition::resolve(&[options.edition.as_deref(), config.edition.as_deref()])?;
    config.check_edition(
        &policy_set.policies.iter().collect::<Vec<_>>(),
        edition.name,
    )?;
    let selected: Vec<(PolicyMeta, &policy::CompiledPolicy)> = policy_set
        .policies
        .iter()
        .filter(|p| config.runs(p.meta()) && p.meta().in_edition(edition.name))
        .map(|p| {
            // As reported (SARIF rule help): with the parameter values the run uses.
            let configured = config.policies.get(&p.meta().id).map(|s| &s.params);
            let params = crate::edition::merged_params(edition.name, &p.meta().id, configured);
            let mut meta = p.meta_with_params(&params).in_edition_view(edition.name);
            if let Some(severity) = config.policies.get(&meta.id).and_then(|s| s.severity) {
                meta.severity = severity;
            }
            (meta, p)
        })
        .collect();
    if selected.is_empty() {
        return Err(SetupError::NothingSelected {
            compiled: policy_set.policies.len(),
        });
    }
    // Each export root is one tenant, loaded and evaluated alone, unless `one-tenant` makes the
    // roots parts of one.
    let tenants: Vec<Vec<usize>> = if options.one_tenant {
        vec![(0..options.roots.len()).collect()]
    } else {
        (0..options.roots.len()).map(|i| vec![i]).collect()
    };
    let mut report = LintReport {
        policies: selected.iter().map(|(meta, _)| meta.clone()).collect(),
        ..LintReport::default()
    };
    report.summary.edition = Some(edition.name.to_string());
    report.root_paths = (0..options.roots.len())
        .filter_map(|i| Some((root_name(options, i)?, options.roots.get(i)?.clone())))
        .collect();
    // The model keeps the fields dexlint reads and those the selected policies read.
    let reads: Vec<_> = selected.iter().flat_map(|(_, p)| p.reads()).collect();
    let load_options = export::LoadOptions {
        projection: Some(crate::model::Projection::new(&reads)),
        ..options.load.clone()
    };
    let mut loads = Vec::with_capacity(tenants.len());
    for group in &tenants {
        let roots: Vec<PathBuf> = group
            .iter()
            .filter_map(|&i| options.roots.get(i).cloned())
            .collect();
        let load = export::load(&roots, &load_options)?;
        let summary = evaluate_tenant(options, &selected, &load, group, &mut report);
        report.summary.tenants.push(summary);
        loads.push(load);
    }
    apply_waivers(
        &mut report,
        config,
        options
            .today
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().date()),
    );
    if let Some(baseline) = &options.baseline {
        let roots: Vec<String> = report
            .summary
            .tenants
            .iter()
            .flat_map(|t| t.roots.iter().cloned())
            .collect();
        let mut keys = root_keys(options);
        let (new, old, stale) =
            baseline.split_stale(std::mem::take(&mut report.violations), &roots, &mut keys);
        report.violations = new;
        report.summary.baselined = old.len();
        report.baselined = old;
        report.baseline_read = Some(baseline.path.clone().unwrap_or_default());
        let foreign = baseline.foreign_roots(&roots, &mut keys);
        if !foreign.is_empty() {
            let named: Vec<String> = foreign.iter().map(|r| format!("`{r}`")).collect();
            report.errors.push(Diagnostic {
                file: baseline.path.clone().unwrap_or_default(),
                root: None,
                line: None,
                column: None,
                message: format!(
                    "the baseline accepts violations of {} only, none of which this run lints: \
                     none of its entries applies; rewrite the baseline with `--write-baseline`",
                    named.join(", ")
                ),
                level: DiagLevel::Warning,
                snippet: None,
            });
        }
        let stale: Vec<_> = stale
            .into_iter()
            .filter(|e| judged(&report, e, &mut keys))
            .collect();
        for e in stale {
            report.errors.push(Diagnostic {
                file: baseline.path.clone().unwrap_or_default(),
                root: None,
                line: None,
                column: None,
                message: format!(
                    "stale baseline entry: {} ({} not found); rewrite the baseline with `--write-baseline`",
                    e.subject(options.roots.len() > 1),
                    e.count
                ),
                level: DiagLevel::Warning,
                snippet: None,
            });
        }
    }
    for v in &report.violations {
        *report.summary.violations.entry(v.severity).or_default() += 1;
        let tenant = tenant_index(&report.summary.tenants, v.root.as_deref());
        if let Some(t) = tenant.and_then(|t| report.summary.tenants.get_mut(t)) {
            *t.violations.entry(v.severity).or_default() += 1;
        }
    }
    report.summary.waived = report.waived.len();
    if let Some(key) = &options.redact {
        let models: Vec<&TenantModel> = loads.iter().map(|l| &l.model).collect();
        crate::redact::report(&models, &mut report, key);
    }
    let s = &mut report.summary;
    for t in &s.tenants {
        s.files_read += t.files_read;
        s.entities += t.entities;
        s.policies_run += t.policies_run;
        s.not_evaluated += t.not_evaluated;
        s.partially_evaluated += t.partially_evaluated;
        s.files_failed += t.files_failed;
        s.ran_on_incomplete_data
            .extend(t.ran_on_incomplete_data.iter().cloned());
    }
    s.errors = report
        .errors
        .iter()
        .filter(|e| e.level == DiagLevel::Error)
        .count();
    // Freeing a large model takes a while and nothing waits for it: it is done on another
    // thread while the report is written.
    crate::base::drop_elsewhere(loads);
    Ok(report)
}

/// Whether the run judged what a baseline entry accepts, so that its violations not found are
/// gone: its policy ran (not disabled, selected, of the edition) and was evaluated on the
/// entry's tenant: not "not evaluated" there as a whole, nor for the entry's entity (its data
/// absent, a deleted file for instance), nor for the rule of a tenant-wide entry.
fn judged(
    report: &LintReport,
    entry: &crate::baseline::Entry,
    keys: &mut crate::base::paths::RootKeys,
) -> bool {
    if !report.policies.iter().any(|p| p.id == entry.policy) {
        return false;
    }
    !report.not_evaluated.iter().any(|n| {
        n.policy == entry.policy
            && match &n.entity {
                None => n.rule.is_none() || entry.entity.is_none() && n.rule == entry.rule,
                Some(entity) => entry.entity.as_ref() == Some(entity),
            }
            && entry.root.as_ref().is_none_or(|root| {
                report
                    .summary
                    .tenants
                    .iter()
                    .filter(|t| n.root.as_deref() == Some(t.roots.join(", ").as_str()))
                    .flat_map(|t| &t.roots)
                    .any(|r| &keys.get(r) == root)
            })
    })
}

/// Evaluates the selected policies over one tenant's `load` (the export roots `group`, as
/// indexes of `options.roots`), appending its violations (located), not-evaluated entries and
/// diagnostics to `report`; returns the tenant's summary (violation counts are filled in once
/// waivers and the baseline are applied).
fn evaluate_tenant(
    options: &LintOptions,
    selected: &[(PolicyMeta, &policy::CompiledPolicy)],
    load: &export::Load,
    group: &[usize],
    report: &mut LintReport,
) -> TenantSummary {
    let config = &options.config;
    let model = &load.model;
    let global = |root: usize| group.get(root).copied().unwrap_or(root);
    let roots: Vec<String> = group
        .iter()
        .filter_map(|&i| root_name(options, i))
        .collect();
    let tenant_root = Some(roots.join(", "));
    let mut summary = TenantSummary {
        roots,
        files_read: load.files_read,
        entities: entity_count(model),
        ..TenantSummary::default()
    };
    for d in &load.diagnostics {
        report.errors.push(Diagnostic {
            file: d.file.clone(),
            root: root_name(options, global(d.root)),
            line: d.line,
            column: d.column,
            message: d.message.clone(),
            level: d.level,
            snippet: d.snippet.clone(),
        });
    }
    let mut failed: Vec<(usize, &str)> = load
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagLevel::Error && !d.file.is_empty())
        .map(|d| (d.root, d.file.as_str()))
        .collect();
    failed.sort_unstable();
    failed.dedup();
    summary.files_failed = failed.len();
    let edition = report
        .summary
        .edition
        .clone()
        .unwrap_or_else(|| crate::edition::DEFAULT.to_string());
    let budget = config.eval_budget.unwrap_or(policy::eval::DEFAULT_BUDGET);
    let today = options
        .today
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
    let first = report.violations.len();
    let mut locs: Vec<Option<Loc>> = Vec::new();
    // Related locations of violations: (index in `report.violations`, location).
    let mut related: Vec<(usize, Loc)> = Vec::new();
    let started = std::time::Instant::now();
    // Policies are evaluated in parallel and their results taken in catalogue order; the
    // coverage summary (every user and device assessed) is worked out beside them.
    let (outcomes, coverage): (Vec<_>, _) = rayon::join(
        || {
            selected
                .par_iter()
                .map(|(meta, p)| {
                    let configured = config.policies.get(&meta.id).map(|s| &s.params);
                    let params = crate::edition::merged_params(&edition, &meta.id, configured);
                    let started = std::time::Instant::now();
                    let outcome = p.evaluate_on(model, &params, budget, today);
                    export::timing(&format!("policy {}", meta.id), started);
                    outcome
                })
                .collect()
        },
        || {
            let started = std::time::Instant::now();
            let coverage = crate::coverage::summary(model);
            export::timing("coverage summary", started);
            coverage
        },
    );
    for ((meta, compiled), outcome) in selected.iter().zip(outcomes) {
        if matches!(outcome, Ok(Outcome::Findings(_) | Outcome::Partial(..))) {
            let mut run = IncompleteRun {
                policy: meta.id.clone(),
                ..IncompleteRun::default()
            };
            for (name, _) in compiled.requirements() {
                let Some(c) = model.collection(name).filter(|c| !c.lost.is_empty()) else {
                    continue;
                };
                if !run.collections.iter().any(|x| x == name) {
                    run.collections.push(name.to_string());
                }
                for f in &c.lost {
                    if !run.files.contains(f) {
                        run.files.push(f.clone());
                    }
                }
            }
            if !run.collections.is_empty() {
                summary.ran_on_incomplete_data.push(run);
            }
        }
        let findings = match outcome {
            Ok(Outcome::Findings(findings)) => findings,
            Ok(Outcome::Partial(findings, skipped)) => {
                summary.partially_evaluated += 1;
                // An entity that two rules of the policy cannot judge for one reason (DEX204's
                // rules over the devices, one of unknown antivirus mode) is listed once, under
                // the first.
                let mut listed = std::collections::HashSet::new();
                report.not_evaluated.extend(
                    skipped
                        .into_iter()
                        .filter(|s| {
                            s.entity.is_none()
                                || listed.insert((s.entity.clone(), s.reason.clone()))
                        })
                        .map(|s| NotEvaluated {
                            policy: meta.id.clone(),
                            reason: crate::base::visible::visible(s.reason),
                            root: tenant_root.clone(),
                            rule: Some(s.rule + 1),
                            label: Some(s.label),
                            entity: s.entity,
                        }),
                );
                findings
            }
            Ok(Outcome::NotEvaluated(reason)) => {
                summary.not_evaluated += 1;
                report.not_evaluated.push(NotEvaluated {
                    policy: meta.id.clone(),
                    reason: crate::base::visible::visible(reason),
                    root: tenant_root.clone(),
                    rule: None,
                    label: None,
                    entity: None,
                });
                continue;
            }
            Err(e) => {
                // What to do follows what went wrong, as for every other error (see
                // `report::collect_failure`).
                let help = miette::Diagnostic::help(&e).map_or(String::new(), |h| format!("; {h}"));
                report.errors.push(Diagnostic {
                    file: meta.source.clone(),
                    root: None,
                    line: None,
                    column: None,
                    message: format!("{}: {e}{help}", meta.id),
                    level: DiagLevel::Error,
                    snippet: None,
                });
                continue;
            }
        };
        summary.policies_run += 1;
        for finding in findings {
            let mut v = Violation {
                policy: meta.id.clone(),
                severity: meta.severity,
                message: finding.message,
                file: None,
                line: None,
                column: None,
                end_line: None,
                end_column: None,
                pointer: None,
                root: None,
                title: meta.title.clone(),
                label: meta.rules.get(finding.rule).and_then(|r| r.label.clone()),
                help: finding.help,
                docs: meta.docs.clone(),
                entity: finding.entity,
                waiver: None,
                related: Vec::new(),
                source: None,
                document: None,
                rule: finding.rule,
                message_values: finding.message_values,
                help_values: finding.help_values,
            };
            if let Some(loc) = &finding.loc {
                if let Some(file) = model.files.get(loc.file() as usize) {
                    v.file = Some(file.path.clone());
                    v.root = root_name(options, global(file.root));
                }
            } else {
                // No location of its own (an `assert` without a target): the tenant it is
                // about, and the document the rule read.
                let read = meta
                    .rules
                    .get(finding.rule)
                    .into_iter()
                    .flat_map(|r| &r.needs)
                    .find_map(|(c, _)| model.collection(c)?.origin)
                    .and_then(|l| model.files.get(l.file() as usize));
                v.document = read.map(|f| f.path.clone());
                let root = read.map_or(0, |f| f.root);
                v.root = root_name(options, global(root));
            }
            locs.push(finding.loc);
            let index = report.violations.len();
            related.extend(finding.related.into_iter().map(|l| (index, l)));
            report.violations.push(v);
        }
    }
    let started = export::timing("policies and coverage", started);
    let (products, product_locs) = product_states(model);
    summary.products = products;
    summary.coverage = coverage;
    // Positions, reading each file once for all the values pointed at in it.
    let wanted: Vec<(usize, &Loc)> = locs
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.as_ref().map(|l| (first + i, l)))
        .collect();
    let product_wanted: Vec<(usize, &Loc)> = product_locs
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.as_ref().map(|l| (i, l)))
        .collect();
    let related_wanted: Vec<(usize, &Loc)> = related.iter().map(|(i, l)| (*i, l)).collect();
    let all: Vec<&Loc> = wanted
        .iter()
        .chain(&product_wanted)
        .chain(&related_wanted)
        .map(|(_, l)| *l)
        .collect();
    let mut found = export::locate::locate_all(model, &all);
    export::timing("locate", started);
    let mut found_products = found.split_off(wanted.len().min(found.len()));
    let found_related = found_products.split_off(product_wanted.len().min(found_products.len()));
    for ((i, loc), at) in related_wanted.iter().zip(found_related) {
        let (Some(v), Some(at), Some(file)) = (
            report.violations.get_mut(*i),
            at,
            model.files.get(loc.file() as usize),
        ) else {
            continue;
        };
        v.related.push(RelatedLocation {
            file: file.path.clone(),
            root: root_name(options, group.get(file.root).copied().unwrap_or(file.root)),
            line: at.line,
            column: at.column,
            pointer: at.pointer,
        });
    }
    for ((i, _), at) in product_wanted.iter().zip(found_products) {
        let (Some(p), Some(at)) = (summary.products.get_mut(*i), at) else {
            continue;
        };
        p.line = Some(at.line);
        p.column = Some(at.column);
        p.pointer = Some(at.pointer);
    }
    for ((i, _), at) in wanted.iter().zip(found) {
        let (Some(v), Some(at)) = (report.violations.get_mut(*i), at) else {
            continue;
        };
        v.pointer = Some(at.pointer);
        v.line = Some(at.line);
        v.column = Some(at.column);
        v.end_line = Some(at.end_line);
        v.end_column = Some(at.end_column);
        let mut source = at.source;
        source.name = joined_path(v.root.as_deref(), v.file.as_deref().unwrap_or(""));
        v.source = Some(source);
    }
    summary
}

/// The `products` records as report entries (without positions), with the location each
/// mode rests on.
fn product_states(model: &TenantModel) -> (Vec<ProductState>, Vec<Option<Loc>>) {
    let Some(c) = model.collection("products") else {
        return (Vec::new(), Vec::new());
    };
    let text = |r: &crate::model::Record, f: &str| r.text(f).map(str::to_string);
    c.records
        .iter()
        .map(|r| {
            let mode = r.get("mode");
            let loc = mode.and_then(|f| f.loc());
            let state = ProductState {
                name: text(r, "name").unwrap_or_default(),
                title: text(r, "title").unwrap_or_default(),
                mode: text(r, "mode").unwrap_or_else(|| "unknown".into()),
                observed: text(r, "observed"),
                declared: text(r, "declared"),
                licensed: match r.get("licensed").map(|f| f.value()) {
                    Some(crate::model::ValueRef::Bool(b)) => Some(b),
                    _ => None,
                },
                evidence: text(r, "evidence").unwrap_or_default(),
                file: loc
                    .and_then(|l| model.files.get(l.file() as usize))
                    .map(|f| f.path.clone()),
                ..ProductState::default()
            };
            (state, loc)
        })
        .unzip()
}

/// The tenant whose roots include `root`.
fn tenant_index(tenants: &[TenantSummary], root: Option<&str>) -> Option<usize> {
    let root = root?;
    tenants
        .iter()
        .position(|t| t.roots.iter().any(|r| r == root))
}

/// Moves violations covered by a live waiver to `waived`; reports expired and unused waivers.
fn apply_waivers(report: &mut LintReport, config: &Config, today: time::Date) {
    let mut used = vec![false; config.waivers.len()];
    let (mut kept, mut waived) = (Vec::new(), Vec::new());
    for mut v in std::mem::take(&mut report.violations) {
        let hit = config.waivers.iter().enumerate().find(|(_, w)| {
            !w.expired(today)
                && w.covers(
                    &v.policy,
                    v.file.as_deref(),
                    v.pointer.as_deref(),
                    v.entity.as_deref(),
                )
        });
        match hit {
            Some((i, w)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                v.waiver = Some(w.reason.clone());
                waived.push(v);
            }
            None => kept.push(v),
        }
    }
    report.violations = kept;
    report.waived = waived;
    let file = config.shown_path();
    for (w, used) in config.waivers.iter().zip(used) {
        let message = match w.expires {
            Some(date) if w.expired(today) => format!(
                "waiver for `{}` expired on {date} and no longer applies",
                w.policy
            ),
            _ if !used => format!("waiver for `{}` matches no violation", w.policy),
            _ => continue,
        };
        let (line, column) = config.line_col(w.span.start);
        report.errors.push(Diagnostic {
            file: file.clone(),
            root: None,
            line: Some(line),
            column: Some(column),
            message,
            level: DiagLevel::Warning,
            snippet: None,
        });
    }
}

fn entity_count(model: &TenantModel) -> usize {
    model.collections.iter().map(|c| c.records.len()).sum()
}

/// How a baseline keys the export roots of `options`: by their paths, however they are named.
pub fn root_keys(options: &LintOptions) -> crate::base::paths::RootKeys {
    let names: Vec<String> = (0..options.roots.len())
        .filter_map(|i| root_name(options, i))
        .collect();
    crate::base::paths::RootKeys::named(&names, &options.roots)
}

fn root_name(options: &LintOptions, root: usize) -> Option<String> {
    options
        .root_names
        .get(root)
        .cloned()
        .or_else(|| options.roots.get(root).map(|r| r.display().to_string()))
}
