//! Import resolution: which file each `import` names, reading the files that are not among
//! the sources through [`PolicyFiles`] (the caller's; this layer does no file I/O), and the
//! order in which files see each other's constants and definitions (an import that closes a
//! cycle is an error).

use super::compile;
use super::error::CompileError;
use super::{ast, parse, PolicySource};

/// A file taking part in a compilation.
pub(super) struct Unit {
    pub source: PolicySource,
    pub file: Option<ast::PolicyFile>,
    pub errors: Vec<CompileError>,
    /// Read only because another file imports it: its policies do not run.
    pub imported_only: bool,
    /// (unit index, span of the import) of each import.
    pub imports: Vec<(usize, ast::Span)>,
}

/// Where the compiler finds the files that policies import. Names starting with `builtin:`
/// (the embedded catalogue) never reach it: an import from a built-in file names another
/// built-in file, and only the given sources hold those.
pub trait PolicyFiles: Sync {
    /// The name of the file written `path` in an `import` of the file named `importer`
    /// (for files on disk: `path` relative to the importer's directory, made absolute).
    fn resolve(&self, importer: &str, path: &str) -> String;
    /// Whether two names denote the same file (for files on disk: equal absolute paths).
    fn same(&self, a: &str, b: &str) -> bool;
    /// The text of the file `name`.
    ///
    /// # Errors
    ///
    /// The reason it cannot be read (shown in the import error, e.g. the I/O error).
    fn read(&self, name: &str) -> Result<String, String>;
}

/// No files besides the sources: every import must name one of them.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFiles;

impl PolicyFiles for NoFiles {
    fn resolve(&self, _importer: &str, path: &str) -> String {
        path.to_string()
    }
    fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }
    fn read(&self, _name: &str) -> Result<String, String> {
        Err(NO_SUCH_FILE.to_string())
    }
}

/// The reason given for an import of a file that does not exist.
const NO_SUCH_FILE: &str = "no such policy file";

/// The name an import refers to, relative to the importing file.
fn import_name(files: &dyn PolicyFiles, importer: &str, path: &str) -> String {
    match importer.strip_prefix("builtin:") {
        Some(_) => format!("builtin:{path}"),
        None => files.resolve(importer, path),
    }
}

fn same_file(files: &dyn PolicyFiles, a: &str, b: &str) -> bool {
    a == b || (!a.starts_with("builtin:") && !b.starts_with("builtin:") && files.same(a, b))
}

/// Parses the sources and every file they import (read with `files` when not among them).
pub(super) fn parse_units(
    sources: &[PolicySource],
    files: &dyn PolicyFiles,
    max_nesting: usize,
) -> Vec<Unit> {
    let mut units: Vec<Unit> = sources
        .iter()
        .map(|s| Unit {
            source: s.clone(),
            file: None,
            errors: Vec::new(),
            imported_only: false,
            imports: Vec::new(),
        })
        .collect();
    let mut i = 0;
    while let Some(unit) = units.get_mut(i) {
        match parse::parse_file_nested(&unit.source.text, max_nesting) {
            Err(e) => unit.errors.push(e),
            Ok(f) => unit.file = Some(f),
        }
        let importer = unit.source.name.clone();
        let wanted: Vec<(String, ast::Span, String)> = unit
            .file
            .iter()
            .flat_map(|f| &f.imports)
            .map(|imp| {
                (
                    imp.path.literal().unwrap_or_default(),
                    imp.span,
                    String::new(),
                )
            })
            .map(|(p, span, _)| (import_name(files, &importer, &p), span, p))
            .collect();
        for (name, span, written) in wanted {
            let found = units
                .iter()
                .position(|u| same_file(files, &u.source.name, &name));
            let target = match found {
                Some(t) => t,
                None => match read(files, &name) {
                    Ok(text) => {
                        units.push(Unit {
                            source: PolicySource {
                                name: name.clone(),
                                text,
                            },
                            file: None,
                            errors: Vec::new(),
                            imported_only: true,
                            imports: Vec::new(),
                        });
                        units.len() - 1
                    }
                    Err(reason) => {
                        if let Some(u) = units.get_mut(i) {
                            u.errors.push(CompileError::Import {
                                path: written,
                                reason,
                                span,
                            });
                        }
                        continue;
                    }
                },
            };
            if let Some(u) = units.get_mut(i) {
                u.imports.push((target, span));
            }
        }
        i += 1;
    }
    units
}

/// The environments of every unit, in import order; an import that closes a cycle is an error
/// and contributes nothing.
pub(super) fn unit_envs(units: &mut [Unit]) -> Vec<(compile::Env, compile::Env)> {
    fn visit(
        i: usize,
        units: &mut [Unit],
        state: &mut [u8],
        envs: &mut [Option<(compile::Env, compile::Env)>],
        path: &mut Vec<usize>,
    ) {
        if state.get(i) != Some(&0) {
            return;
        }
        if let Some(s) = state.get_mut(i) {
            *s = 1;
        }
        path.push(i);
        let imports = units.get(i).map(|u| u.imports.clone()).unwrap_or_default();
        let mut usable = Vec::new();
        for (j, span) in imports {
            if state.get(j) == Some(&1) {
                let start = path.iter().position(|&p| p == j).unwrap_or(0);
                let names: Vec<String> = path
                    .get(start..)
                    .unwrap_or(&[])
                    .iter()
                    .chain([&j])
                    .filter_map(|&k| units.get(k).map(|u| u.source.name.clone()))
                    .collect();
                if let Some(u) = units.get_mut(i) {
                    u.errors.push(CompileError::ImportCycle {
                        cycle: names.join(" → "),
                        span,
                    });
                }
                continue;
            }
            visit(j, units, state, envs, path);
            usable.push(j);
        }
        path.pop();
        let imported: Vec<compile::Env> = usable
            .iter()
            .filter_map(|&j| {
                envs.get(j)
                    .and_then(|e| e.as_ref())
                    .map(|(_, own)| own.clone())
            })
            .collect();
        let refs: Vec<&compile::Env> = imported.iter().collect();
        if let Some(u) = units.get_mut(i) {
            let env = match &u.file {
                Some(f) => compile::file_env(f, &refs, &mut u.errors),
                None => Default::default(),
            };
            if let Some(slot) = envs.get_mut(i) {
                *slot = Some(env);
            }
        }
        if let Some(s) = state.get_mut(i) {
            *s = 2;
        }
    }
    let n = units.len();
    let mut state = vec![0u8; n];
    let mut envs: Vec<Option<(compile::Env, compile::Env)>> = vec![None; n];
    for i in 0..n {
        visit(i, units, &mut state, &mut envs, &mut Vec::new());
    }
    envs.into_iter().map(Option::unwrap_or_default).collect()
}

/// The text of an imported file that is not among the sources.
fn read(files: &dyn PolicyFiles, name: &str) -> Result<String, String> {
    if name.starts_with("builtin:") {
        return Err(NO_SUCH_FILE.to_string());
    }
    files.read(name)
}
