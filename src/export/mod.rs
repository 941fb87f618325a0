//! Loading export directories into the [`TenantModel`].
//!
//! Files are found by [`walk`]; each is then read, decoded, parsed into a [`tree`] that borrows
//! its strings, recognised and turned into records by the first source format of
//! [`formats::FORMATS`] that reads it, all in parallel (rayon). List responses whose elements
//! load on their own (Graph and Defender for Endpoint lists) are read element by element
//! ([`split`]): the largest kinds straight from the parser's events
//! (`formats::streamed`), large lists a range of elements at a time on several threads. What each file contributes
//! is added to the model in walk order, so the model is the same whatever the thread count.
//! Joins across files (members of groups, antivirus modes of machines, pricings and settings of
//! one subscription, plan names from the SKU catalogue) are made when every file has been read. A bad file never stops the load: it becomes a [`LoadDiagnostic`].

pub mod decode;
pub mod formats;
pub mod json;
pub mod locate;
pub mod paging;
pub mod products;
pub mod relisted;
pub mod split;
pub mod tenant;
pub mod tree;
pub mod walk;

pub use locate::Located;

use crate::base::named;
use crate::model::schema;
use crate::model::{ArcStr, SharedRecords, ThinVec};
use crate::model::{
    Field, FileId, Gap, ListParts, Loc, Projection, Record, SourceFile, TenantModel, Value,
    ValueRef,
};
use json::At;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// Which files of the export roots to read.
#[derive(Debug, Default, Clone)]
pub struct LoadOptions {
    /// Globs on the path relative to the root: only matching files are read.
    pub include: Vec<String>,
    /// Globs on the path relative to the root: matching files are skipped.
    pub exclude: Vec<String>,
    /// Larger files are reported, not read (None: [`MAX_FILE_BYTES`]).
    pub max_file_bytes: Option<u64>,
    /// Deeper nesting of arrays and objects is an error (None: [`tree::MAX_DEPTH`]).
    pub max_json_depth: Option<usize>,
    /// The fields to keep of the records read (None: every field), see [`Projection`].
    pub projection: Option<Projection>,
}

/// Errors that stop loading before any file is read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadSetupError {
    /// An export root that does not exist or is not a directory (the path as given).
    #[error("export directory `{0}` does not exist or is not a directory")]
    #[diagnostic(code(dexlint::export_root))]
    NotADirectory(String),
    #[error("invalid glob `{glob}`: {reason}")]
    /// An include or exclude pattern that is not a valid glob.
    #[diagnostic(code(dexlint::glob))]
    BadGlob {
        /// The pattern (or, when the set fails to build, every pattern, comma-separated).
        glob: String,
        /// What globset found wrong with it.
        reason: String,
    },
}

/// How bad a problem is (written `"note"`, `"warning"`, `"error"` in reports).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagLevel {
    /// Information that needs no action.
    Note,
    /// Something to check; the run still exits 0 or 1.
    Warning,
    /// A file that did not load, a policy that failed, bad configuration: the run exits 2.
    Error,
}

/// A problem with one file of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadDiagnostic {
    /// How bad it is: an error means the file's data (or the root's) was not loaded, whole or
    /// in part.
    pub level: DiagLevel,
    /// Relative to its root, `/`-separated; empty for a problem with the whole root (no tenant
    /// data in it).
    pub file: String,
    /// Index of the export root in the roots given to [`load`].
    pub root: usize,
    /// Line of the problem (1-based); None when it is about the whole file.
    pub line: Option<usize>,
    /// Column of the problem (1-based, counting characters).
    pub column: Option<usize>,
    /// What is wrong, and often how to fix it.
    pub message: String,
    /// The offending line of the file.
    pub snippet: Option<String>,
}

impl std::fmt::Display for LoadDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The result of loading.
#[derive(Debug, Clone)]
pub struct Load {
    /// Every record of the files that loaded, and the files themselves.
    pub model: TenantModel,
    /// Problems with the roots' files and directories, in walk order.
    pub diagnostics: Vec<LoadDiagnostic>,
    /// JSON files found (after include/exclude), whether they loaded or not.
    pub files_read: usize,
    /// Files that a source format recognised.
    pub files_recognised: usize,
    /// What only the assembly of the model needed, freed with it.
    _leftovers: Leftovers,
}

/// What only the assembly of a model needed (indexes of hundreds of thousands of ids, the
/// files found), kept to be freed with the model: freeing it at once, while the policies run,
/// would take a core from them.
#[derive(Clone, Default)]
struct Leftovers {
    _held: Option<std::sync::Arc<dyn std::any::Any + Send + Sync>>,
}

impl std::fmt::Debug for Leftovers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Leftovers")
    }
}

/// The collection a file probably held, from the words of its path (for files that failed to
/// load before any of their records were read: see `Collection::lost`): `users.json` → users, `Groups/<id>/Members/...` → groups, `deviceavinfo.json`
/// → devices, `pricings.json` → cloud_accounts.
pub fn collection_by_path(rel: &str) -> Option<&'static str> {
    let lower = rel.to_ascii_lowercase();
    const WORDS: &[(&str, &str)] = &[
        ("mpcomputerstatus", "devices"),
        ("safelinks", "office_policies"),
        ("safeattachment", "office_policies"),
        ("atpprotection", "office_policies"),
        ("atpbuiltin", "office_policies"),
        ("atpevaluation", "office_policies"),
        ("atppolicy", "office_policies"),
        ("sensor", "identity_sensors"),
        ("devicegroup", "device_groups"),
        ("machinegroup", "device_groups"),
        ("deviceavinfo", "devices"),
        ("machine", "devices"),
        ("device", "devices"),
        ("subscribedsku", "skus"),
        ("sku", "skus"),
        ("audit", "audit_events"),
        ("member", "groups"),
        ("group", "groups"),
        ("user", "users"),
        ("pricing", "cloud_accounts"),
        ("setting", "cloud_accounts"),
        ("connector", "cloud_accounts"),
        ("subscription", "cloud_accounts"),
        ("plan", "cloud_accounts"),
        ("deployment", "products"),
    ];
    WORDS
        .iter()
        .find(|(w, _)| lower.contains(w))
        .map(|(_, c)| *c)
}

/// With the environment variable `DEXLINT_TIMINGS` set, writes `dexlint timing: PHASE MS` (wall
/// milliseconds since `since`) to stderr: how `bench/` finds where a run's time goes. Returns
/// the time now, the start of the next phase.
pub fn timing(phase: &str, since: std::time::Instant) -> std::time::Instant {
    let now = std::time::Instant::now();
    if std::env::var_os("DEXLINT_TIMINGS").is_some() {
        eprintln!(
            "dexlint timing: {phase} {:.1}{}",
            (now - since).as_secs_f64() * 1000.0,
            memory()
        );
    }
    now
}

/// The process's resident memory now and at its peak so far, from `/proc/self/status`
/// (`VmRSS`, `VmHWM`), as ` (resident N MB, peak N MB)`; empty where there is no such file.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    match (kb("VmRSS:"), kb("VmHWM:")) {
        (Some(now), Some(peak)) => {
            format!(" (resident {} MB, peak {} MB)", now / 1000, peak / 1000)
        }
        _ => String::new(),
    }
}

/// Largest file dexlint reads by default (`max-file-bytes` in dexlint.toml changes it).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

fn diag(found: &walk::Found, level: DiagLevel, message: String) -> LoadDiagnostic {
    LoadDiagnostic {
        level,
        file: found.rel.clone(),
        root: found.root,
        line: None,
        column: None,
        message,
        snippet: None,
    }
}

/// Reads, parses and loads one file into what it contributes to the model, with the fields
/// `options.projection` keeps.
fn load_file(file: FileId, found: &walk::Found, options: &LoadOptions) -> FileLoad {
    use std::io::Read;
    let limit = options.max_file_bytes.unwrap_or(MAX_FILE_BYTES);
    let cannot = |e: std::io::Error| {
        FileLoad::failed(diag(found, DiagLevel::Error, format!("cannot read: {e}")))
    };
    // The size the walk found, else the file's: a file over the limit is never opened.
    let len = match found
        .len
        .map_or_else(|| Ok(std::fs::metadata(&found.path)?.len()), Ok)
    {
        Ok(len) => len,
        Err(e) => return cannot(e),
    };
    if len > limit {
        let message =
            format!("file of {len} bytes is larger than the {limit}-byte limit; it was not read");
        return FileLoad::failed(diag(found, DiagLevel::Error, message));
    }
    // A large UTF-8 list is loaded without holding its whole text when it can be.
    let large = len >= split::MIN_SPLIT_BYTES as u64;
    if large {
        if let Some(load) = large_list(file, found, options) {
            return load;
        }
    }
    let mut f = match std::fs::File::open(&found.path) {
        Ok(f) => f,
        Err(e) => return cannot(e),
    };
    if large {
        let mut bytes = Vec::new();
        return match f.read_to_end(&mut bytes) {
            Ok(_) => {
                let disk = disk(found, &bytes);
                load_text(
                    file,
                    found,
                    decode::decode_owned(bytes).map(Cow::Owned),
                    options,
                    Some(disk),
                )
            }
            Err(e) => cannot(e),
        };
    }
    // A smaller file is read into this thread's buffer, kept from one file to the next: no
    // memory is allocated (and first touched) for each file's text. A file loaded while
    // another is (rayon runs other work while this thread waits) gets a buffer of its own.
    let mut buffer = READ_BUFFER.take();
    let load = match read_into(&mut f, &mut buffer, len) {
        Ok(filled) => {
            let bytes = buffer.get(..filled).unwrap_or_default();
            load_text(
                file,
                found,
                decode::decode(bytes),
                options,
                Some(disk(found, bytes)),
            )
        }
        Err(e) => cannot(e),
    };
    READ_BUFFER.set(buffer);
    load
}

/// Reads `f` to its end into the start of `buffer`, expecting `len` bytes; returns how many
/// it read. One read for the file as the walk found it, one that finds its end: a file that
/// grew is read whole, one that shrank is what it holds. (`File::read_to_end` would ask for
/// the size again, and its adaptive reads start at 8 KiB when not told it.) The buffer only
/// grows, so that its memory is zeroed once, not for each file; past the bytes read it holds
/// what earlier files left.
fn read_into(f: &mut std::fs::File, buffer: &mut Vec<u8>, len: u64) -> std::io::Result<usize> {
    use std::io::Read;
    let room = usize::try_from(len).unwrap_or(0).saturating_add(1);
    if buffer.len() < room {
        buffer.resize(room, 0);
    }
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            buffer.resize(filled.saturating_mul(2).max(8192), 0);
        }
        match f.read(buffer.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

thread_local! {
    /// The buffer [`load_file`] reads files smaller than [`split::MIN_SPLIT_BYTES`] into.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Where a file's UTF-8 text can be read again (see [`split`]): the file after any BOM; none
/// for UTF-16, whose text is not the file's bytes.
fn disk<'f>(found: &'f walk::Found, bytes: &[u8]) -> Option<split::Disk<'f>> {
    if decode::without_bom(bytes).is_some() {
        return None;
    }
    let bom = match bytes {
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => return None,
        [0xEF, 0xBB, 0xBF, ..] => 3,
        _ => 0,
    };
    Some(split::Disk {
        path: &found.path,
        bom,
    })
}

/// [`split::load_from_disk`] of a file that starts as UTF-8 text (with or without a BOM).
fn large_list(file: FileId, found: &walk::Found, options: &LoadOptions) -> Option<FileLoad> {
    use std::io::Read;
    let mut head = [0u8; 4];
    let n = std::fs::File::open(&found.path)
        .ok()?
        .read(&mut head)
        .ok()?;
    let disk = disk(found, head.get(..n)?)?;
    let depth = options.max_json_depth.unwrap_or(tree::MAX_DEPTH);
    split::load_from_disk((file, found, options.projection.as_ref()), disk, depth)
}

/// Decodes, parses and loads one document.
fn load_bytes(
    file: FileId,
    found: &walk::Found,
    bytes: &[u8],
    options: &LoadOptions,
    split: bool,
) -> FileLoad {
    load_text(
        file,
        found,
        decode::decode(bytes),
        options,
        split.then_some(None),
    )
}

/// Parses and loads one decoded document (a large list a range of elements at a time, when
/// `split` is given: see [`split`], and its ranges read again from `split`'s file if any).
fn load_text(
    file: FileId,
    found: &walk::Found,
    text: Result<Cow<'_, str>, decode::DecodeError>,
    options: &LoadOptions,
    split: Option<Option<split::Disk<'_>>>,
) -> FileLoad {
    let text = match text {
        Ok(text) => text,
        Err(e) => {
            let mut d = diag(found, DiagLevel::Error, e.to_string());
            let (line, column) = e.position();
            (d.line, d.column) = (Some(line), Some(column));
            return FileLoad::failed(d);
        }
    };
    let depth = options.max_json_depth.unwrap_or(tree::MAX_DEPTH);
    let text = match split {
        Some(disk) => match split::load(
            (file, found, options.projection.as_ref()),
            text,
            disk,
            depth,
        ) {
            Ok(load) => return load,
            Err(text) => text,
        },
        None => text,
    };
    let loaded = |doc: tree::Node<'_>, text: &str| {
        let mut b = Builder::new((file, found, options.projection.as_ref()));
        let recognised = b.document(&doc);
        drop(doc);
        FileLoad::positioned(recognised, b.problems, b.ops.into(), text)
    };
    // `Get-MgGroupMember ... | ConvertTo-Json | Out-File` of a group without members: an empty
    // pipeline gives `ConvertTo-Json` nothing to write, and `Out-File` an empty file (or only
    // its byte order mark and a line break). At a group's members path, or at the output path
    // of an Exchange Online cmdlet (`Get-SafeLinksRule` of a tenant without rules), that is
    // the empty list the command returned, and said. Elsewhere it is an error that says so.
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        let cmdlet = formats::exchange_online::cmdlet_of_file(&found.rel);
        let what = if formats::graph::members_path(&found.rel).is_some() {
            "at a group's members path: read as a group without members (what \
             `Get-MgGroupMember | ConvertTo-Json | Out-File` writes for one)"
                .to_string()
        } else if let Some(cmdlet) = cmdlet {
            format!(
                "at the output path of `{cmdlet}`: read as an empty list, what the cmdlet \
                 returned (`{cmdlet} | ConvertTo-Json | Out-File` writes nothing for no result)"
            )
        } else {
            return FileLoad::failed(diag(
                found,
                DiagLevel::Error,
                "the file is empty (or holds only a byte order mark and white space): the \
                 command that wrote it returned nothing, and nothing was read; export it \
                 again, or remove it"
                    .to_string(),
            ));
        };
        if let Ok(doc) = tree::parse("[]", depth) {
            let mut load = loaded(doc, "");
            load.diagnostics
                .push(diag(found, DiagLevel::Note, format!("empty file {what}")));
            return load;
        }
    }
    match tree::parse(&text, depth) {
        Ok(doc) => loaded(doc, &text),
        Err(e) => {
            // An ARM template with comments, as Azure CLI and PowerShell deploy it.
            if let Some(clean) = tree::arm_without_comments(&text) {
                if let Ok(doc) = tree::parse(&clean, depth) {
                    return loaded(doc, &clean);
                }
            }
            let lines = locate::Lines::new(&text);
            // Not JSON but JSON lines: a file of the antivirus health export via files.
            if let Some(message) = formats::mde::via_files_lines(&text) {
                let d = diag(found, DiagLevel::Error, message);
                return FileLoad::failed(place(&lines, d, 0));
            }
            // At the end of the text, point at its last character (as serde_json does).
            let offset = match text.char_indices().last() {
                Some((last, _)) if e.offset >= text.len() => last,
                _ => e.offset,
            };
            let d = place(&lines, diag(found, DiagLevel::Error, String::new()), offset);
            let (line, column) = (d.line.unwrap_or(1), d.column.unwrap_or(1));
            let mut message = format!("invalid JSON: {} at line {line} column {column}", e.message);
            // PowerShell's `Export-Clixml` (`<Objs Version="1.1.0.1" xmlns=...>`) saved under
            // a `.json` name.
            let start = text.trim_start();
            if start.starts_with("<Objs") || start.starts_with("<?xml") && start.contains("<Objs") {
                message.push_str(
                    ": this is PowerShell CLIXML (`Export-Clixml`), not JSON; export the list \
                     with `ConvertTo-Json -Depth 10` instead (docs/exporting.md)",
                );
            }
            if azure_list(&found.rel) {
                message.push_str(AZ_OUTPUT_JSON);
            }
            // A second document after the first: outputs appended to one file.
            let rest = text.get(e.offset..).unwrap_or("").trim_start();
            if e.message.contains("trailing") && (rest.starts_with('{') || rest.starts_with('[')) {
                message.push_str(
                    ": a second JSON document starts here, so the file holds two (the output of \
                     two commands appended with `>>` or `Out-File -Append`); save each export \
                     to its own file (`>` or `Out-File` without `-Append`), or keep the last one",
                );
            }
            FileLoad::failed(LoadDiagnostic { message, ..d })
        }
    }
}

/// `d` with the line, column and line text of `offset`.
fn place(lines: &locate::Lines<'_>, d: LoadDiagnostic, offset: usize) -> LoadDiagnostic {
    let (line, column) = lines.position(offset);
    placed(d, (line, column, lines.line_text(line)))
}

/// How a message that names the files of `locs` names `file`: by its path in its export root,
/// or, when another of them has that path in another root (two roots linted as one tenant),
/// by its path on disk, which tells them apart.
fn file_among(model: &TenantModel, locs: &[Loc], file: &crate::model::SourceFile) -> String {
    let twin = locs.iter().any(|l| {
        model
            .files
            .get(l.file() as usize)
            .is_some_and(|o| o.path == file.path && o.root != file.root)
    });
    match twin {
        true => file.disk_path.display().to_string(),
        false => file.path.clone(),
    }
}

/// Values of the model located in their files at once (see [`locate::locate_all`]), for the
/// messages that name where each is.
struct Places<'m> {
    model: &'m TenantModel,
    locs: Vec<Loc>,
    located: Vec<Option<locate::Located>>,
}

impl<'m> Places<'m> {
    fn new(model: &'m TenantModel, locs: Vec<Loc>) -> Self {
        let refs: Vec<&Loc> = locs.iter().collect();
        let located = locate::locate_all(model, &refs);
        Places {
            model,
            locs,
            located,
        }
    }

    /// The file of `loc` (one of those given) and where in it the value is.
    fn at(&self, loc: Option<Loc>) -> Option<(&'m SourceFile, Option<locate::Located>)> {
        let i = self.locs.iter().position(|l| Some(*l) == loc)?;
        let file = self.model.files.get(loc?.file() as usize)?;
        Some((file, self.located.get(i)?.clone()))
    }

    /// "`graph/users.json` line 12" (see [`file_among`]).
    fn place(&self, loc: Option<Loc>) -> String {
        match self.at(loc) {
            Some((f, Some(l))) => {
                format!(
                    "`{}` line {}",
                    file_among(self.model, &self.locs, f),
                    l.line
                )
            }
            Some((f, None)) => format!("`{}`", file_among(self.model, &self.locs, f)),
            None => "?".to_string(),
        }
    }

    /// A warning at the value of `loc`.
    fn warning(&self, loc: Option<Loc>, message: String) -> Option<LoadDiagnostic> {
        self.diagnostic(DiagLevel::Warning, loc, message)
    }

    /// A diagnostic of `level` at the value of `loc`.
    fn diagnostic(
        &self,
        level: DiagLevel,
        loc: Option<Loc>,
        message: String,
    ) -> Option<LoadDiagnostic> {
        let (file, l) = self.at(loc)?;
        Some(LoadDiagnostic {
            level,
            file: file.path.clone(),
            root: file.root,
            line: l.as_ref().map(|a| a.line),
            column: l.as_ref().map(|a| a.column),
            message,
            snippet: l.map(|a| a.source.line(a.line).to_string()),
        })
    }
}

/// `d` at a 1-based line and column (in characters), with the line's text.
fn placed(
    d: LoadDiagnostic,
    (line, column, snippet): (usize, usize, Option<String>),
) -> LoadDiagnostic {
    LoadDiagnostic {
        line: Some(line),
        column: Some(column),
        snippet,
        ..d
    }
}

/// Loads one in-memory document as if it were the file `rel` of an export (for fuzzing and
/// tests). Its diagnostics are positioned; `locate::locate_all` cannot find its values later:
/// there is no file to read again.
pub fn load_document(rel: &str, bytes: &[u8]) -> Load {
    load_documents(&[(rel, bytes)], true)
}

/// [`load_document`] without splitting a large list into ranges (see [`split`]) or reading
/// list elements apart: the whole document parsed into a tree at once, for tests that compare
/// the two.
pub fn load_document_whole(rel: &str, bytes: &[u8]) -> Load {
    load_documents(&[(rel, bytes)], false)
}

/// Loads in-memory documents (`rel`, bytes) as the files of one export, in that order (for
/// tests): with `split`, as files are loaded (see [`split`]); without, each parsed whole.
pub fn load_documents(docs: &[(&str, &[u8])], split: bool) -> Load {
    let mut a = Assembler::default();
    let mut recognised = 0;
    for (file, (rel, bytes)) in docs.iter().enumerate() {
        let found = walk::Found {
            root: 0,
            rel: rel.to_string(),
            path: PathBuf::from(rel),
            len: None,
        };
        let options = LoadOptions::default();
        let load = load_bytes(file as FileId, &found, bytes, &options, split);
        recognised += usize::from(a.apply(&found, load));
    }
    let model = a.finish();
    Load {
        model,
        diagnostics: a.diagnostics,
        files_read: docs.len(),
        files_recognised: recognised,
        _leftovers: Leftovers::default(),
    }
}

/// Loads every JSON file under `roots`. A file that fails to load is a diagnostic of the
/// [`Load`], not an error.
///
/// # Errors
/// A root that is not a directory, or an include or exclude pattern that is not a valid glob.
pub fn load(roots: &[PathBuf], options: &LoadOptions) -> Result<Load, LoadSetupError> {
    for root in roots {
        if !root.is_dir() {
            return Err(LoadSetupError::NotADirectory(root.display().to_string()));
        }
    }
    let bad = |(glob, reason)| LoadSetupError::BadGlob { glob, reason };
    let include = walk::glob_set(&options.include).map_err(bad)?;
    let exclude = walk::glob_set(&options.exclude).map_err(bad)?;
    let started = std::time::Instant::now();
    let mut a = Assembler::default();
    // The walk goes on in its own thread while the files it found are loaded: files are read,
    // parsed and turned into records in parallel, a batch at a time; what each contributes is
    // added to the model in walk order (so the model is the same whatever the thread count)
    // while the next batch is loaded.
    let batch = rayon::current_num_threads().max(1) * 16;
    let mut recognised = 0;
    let (send, walked) = std::sync::mpsc::channel();
    let (found, walk_errors) = std::thread::scope(|scope| {
        let (include, exclude) = (include.as_ref(), exclude.as_ref());
        let walker = scope.spawn(move || {
            let errors = walk::walk(roots, include, exclude, |f| {
                // The receiver lives as long as the walk: nothing is lost.
                let _ = send.send(f);
            });
            timing("walk", started);
            errors
        });
        let mut found: Vec<walk::Found> = Vec::new();
        let mut current: (std::ops::Range<usize>, Vec<FileLoad>) = (0..0, Vec::new());
        let mut first = 0;
        loop {
            while found.len() < first + batch {
                match walked.recv() {
                    Ok(f) => found.push(f),
                    Err(_) => break,
                }
            }
            let chunk = found
                .get(first..(first + batch).min(found.len()))
                .unwrap_or(&[]);
            // A batch ends after a file large enough to be split (a whole collection, mostly):
            // its operations are applied while the files after it load, not held with theirs.
            let large = chunk
                .iter()
                .position(|f| f.len.is_some_and(|l| l >= split::MIN_SPLIT_BYTES as u64));
            let chunk = chunk
                .get(..large.map_or(chunk.len(), |p| p + 1))
                .unwrap_or(chunk);
            if chunk.is_empty() && current.0.is_empty() {
                break;
            }
            let (done_range, done) = std::mem::take(&mut current);
            let done_found = found.get(done_range).unwrap_or(&[]);
            let (next, ()) = rayon::join(
                || {
                    chunk
                        .par_iter()
                        .enumerate()
                        .map(|(i, f)| load_file((first + i) as FileId, f, options))
                        .collect::<Vec<FileLoad>>()
                },
                || {
                    for (f, l) in done_found.iter().zip(done) {
                        recognised += usize::from(a.apply(f, l));
                    }
                },
            );
            current = (first..first + chunk.len(), next);
            first += chunk.len();
        }
        let walk_errors = match walker.join() {
            Ok(errors) => errors,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        (found, walk_errors)
    });
    // The Bicep sources of each root (the walk notes them): a root of only those says so.
    let bicep: Vec<(usize, String)> = walk_errors
        .iter()
        .filter_map(|e| Some((e.root, walk::bicep_command(&e.rel)?)))
        .collect();
    // The walk's errors come first, as the walk found them before any file was read.
    let walk_errors = walk_errors.into_iter().map(|e| LoadDiagnostic {
        level: e.level,
        file: e.rel,
        root: e.root,
        line: None,
        column: None,
        message: e.message,
        snippet: None,
    });
    a.diagnostics.splice(0..0, walk_errors);
    let started = timing("read, parse and load files", started);
    for root in 0..roots.len() {
        let read = found.iter().filter(|f| f.root == root).count();
        // Files that all failed to load have their errors: the root's data is not missing.
        if !a.roots_with_data.contains(&root) && (read == 0 || a.roots_read.contains(&root)) {
            let files = format!("{read} JSON file{} read", if read == 1 { "" } else { "s" });
            let what = if a.roots_recognised.contains(&root) {
                "the export documents among them hold nothing dexlint checks (no users, \
                 groups, device groups, machines, SKUs, products, cloud accounts or audit \
                 records; group members without the group list that holds their groups)"
            } else {
                "none of them an export dexlint reads (Microsoft Graph, EntraExporter, the \
                 Graph PowerShell SDK, Defender for Endpoint, Get-MpComputerStatus, Exchange \
                 Online PowerShell, ARM, Az PowerShell, the az CLI, a Terraform plan, an ARM \
                 template or compiled Bicep)"
            };
            // A root of only Bicep source: the commands that compile it.
            let commands: Vec<&str> = bicep
                .iter()
                .filter(|(r, _)| *r == root)
                .map(|(_, c)| c.as_str())
                .collect();
            let what = match (read, commands.as_slice()) {
                (0, [first, more @ ..]) => format!(
                    "only Bicep source, which dexlint reads once compiled to JSON (`{first}`{}: \
                     see the notes)",
                    match more.len() {
                        0 => String::new(),
                        1 => " and 1 other Bicep file".to_string(),
                        n => format!(" and {n} other Bicep files"),
                    }
                ),
                _ => what.to_string(),
            };
            a.diagnostics.push(LoadDiagnostic {
                level: DiagLevel::Error,
                file: String::new(),
                root,
                line: None,
                column: None,
                message: format!(
                    "no tenant data: {files}, {what}; docs/exporting.md gives the commands \
                     that produce them"
                ),
                snippet: None,
            });
        }
    }
    let model = a.finish();
    let diagnostics = std::mem::take(&mut a.diagnostics);
    let files_read = found.len();
    timing("joins and products", started);
    Ok(Load {
        model,
        diagnostics,
        files_read,
        files_recognised: recognised,
        _leftovers: Leftovers {
            _held: Some(std::sync::Arc::new((a, found))),
        },
    })
}

/// Whether `rel` (`/`-separated) is a path docs/exporting.md writes an export document to: a
/// group's members (`groups/<group id>/members.json`), an Exchange Online cmdlet's output
/// (`exo/Get-SafeLinksPolicy.json`), or a list in `graph/`, `mde/` or `azure/` named as the
/// documented commands name it (`graph/users.json`, `users-2.json`, `graph/sensors.json`,
/// `azure/pricings-<subscription>.json`, `azure/<subscription>/pricings.json`). A file there that
/// no format recognises is an error, not a note: the data it was meant to give is missing.
pub(crate) fn documented_path(rel: &str) -> bool {
    let exo = rel.rsplit_once('/').is_some_and(|(dir, name)| {
        dir.rsplit('/')
            .next()
            .is_some_and(|d| d.eq_ignore_ascii_case("exo"))
            && formats::exchange_online::documented_file(&name.to_ascii_lowercase())
    });
    members_path(rel) || exo || documented_list(rel).is_some()
}

/// Whether `rel` is a group's members list (`groups/<group id>/members.json`).
fn members_path(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    matches!(parts.as_slice(), [.., "groups", _, "members.json"])
}

/// What an error at a path docs/exporting.md writes an az CLI list to (`azure/...`) adds when
/// the file is not a JSON document: the output of `-o table` or `-o tsv` saved there (a table,
/// or a bare value that parses as a number) was an "invalid JSON" error alone.
const AZ_OUTPUT_JSON: &str = ": the az CLI writes JSON only with `-o json` (`--output json`, its \
     default unless `az config set core.output=...` chose another); the output of `-o table`, \
     `-o tsv` or `-o yaml` is not read: export it again with `-o json` \
     (docs/exporting.md)";

/// Whether `rel` is the path docs/exporting.md writes a Defender for Cloud list to
/// (`azure/securityConnectors-<subscription>.json`, `azure/<subscription>/pricings.json`): an
/// empty list there (ARM's `{"value": []}` for a subscription without connectors) is a list,
/// not an unrecognised document.
pub(crate) fn azure_list(rel: &str) -> bool {
    documented_list(rel) == Some("azure")
}

/// The subscription whose Defender for Cloud list docs/exporting.md saves at `rel`, named by
/// its path (`azure/pricings-<id>.json`, `azure/<id>/settings.json`), if `rel` is one.
pub(crate) fn named_subscription(rel: &str) -> Option<String> {
    if !azure_list(rel) {
        return None;
    }
    let parts: Vec<&str> = rel.split('/').collect();
    let (folder, name) = match parts.as_slice() {
        [.., folder, name] => (*folder, *name),
        _ => return None,
    };
    if formats::entra_exporter::guid_like(folder) {
        return Some(folder.to_string());
    }
    let stem = name.get(..name.len().saturating_sub(".json".len()))?;
    ["pricings-", "settings-", "securityconnectors-"]
        .iter()
        .find_map(|list| {
            let head = stem.get(..list.len())?;
            let id = stem.get(list.len()..)?;
            (head.eq_ignore_ascii_case(list) && formats::entra_exporter::guid_like(id))
                .then(|| id.to_string())
        })
}

/// The folder (`graph`, `mde`, `azure`) of the documented list `rel` is (see
/// [`documented_path`]), if it is one.
fn documented_list(rel: &str) -> Option<&'static str> {
    const LISTS: &[(&str, &[&str])] = &[
        (
            "graph",
            &[
                "users",
                "groups",
                "subscribedskus",
                "directoryaudits",
                "sensors",
            ],
        ),
        ("mde", &["machines", "deviceavinfo", "devicegroups"]),
        (
            "azure",
            &[
                "pricings",
                "settings",
                "securityconnectors",
                "subscriptions",
            ],
        ),
    ];
    let lower = rel.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    // A subscription's folder in `azure/` (`azure/<subscription id>/pricings.json`, the Az
    // PowerShell loop's) is `azure/` with the id in the path rather than in the name.
    let (folder, name, by_folder) = match parts.as_slice() {
        [.., "azure", id, name] if formats::entra_exporter::guid_like(id) => ("azure", *name, true),
        [.., folder, name] => (*folder, *name, false),
        _ => return None,
    };
    let stem = name.strip_suffix(".json").unwrap_or(name);
    // After the list's name: nothing, a page number (`users-2`), or in `azure/` the
    // subscription id the documented loop names its files by (`pricings-<id>`).
    let suffix_ok = |rest: &str| {
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        rest.bytes().all(|b| b.is_ascii_digit())
            || (folder == "azure" && !by_folder && formats::entra_exporter::guid_like(rest))
    };
    LISTS
        .iter()
        .find(|(f, names)| {
            *f == folder
                && names
                    .iter()
                    .any(|n| stem.strip_prefix(n).is_some_and(suffix_ok))
        })
        .map(|(f, _)| *f)
}

/// The array inside Windows PowerShell 5.1's `{"value": [...], "Count": N}`: how its
/// `ConvertTo-Json` writes an array that carries the extended type data `System.Array` gets
/// from `Update-TypeData` (an array read back with `ConvertFrom-Json` and written again, as a
/// script that edits or merges an export does: PowerShell/PowerShell issues #3153 and #5579).
/// Exactly those two members, `value` an array and `Count` a whole number; a Graph list response
/// has no `Count` (its count is `@odata.count`).
fn powershell_array<'a>(doc: &At<'a>) -> Option<At<'a>> {
    let members = doc.members();
    let [(_, _), (_, _)] = members.as_slice() else {
        return None;
    };
    let value = members.iter().find(|(k, _)| *k == "value")?.1;
    let count = members.iter().find(|(k, _)| *k == "Count")?.1;
    (value.is_array() && count.int().is_some()).then_some(value)
}

/// What one file adds to the model, in the order its adapter produced it.
#[derive(Debug)]
enum Op {
    /// The document provides this collection (even when empty).
    Touch(&'static str),
    Push(&'static str, Record),
    /// A group; true for a group a Terraform plan names only by object id (see
    /// [`Assembler::stand_ins`]).
    Group(Record, bool),
    /// A members list of a group was exported (even an empty one), here; true when it is cast
    /// to one kind of member (see [`Builder::members_list`]).
    MembersList(String, Loc, bool),
    Member(ArcStr, Record, Loc),
    /// A machine, with its key in [`Assembler::device_index`].
    Device(ArcStr, Record),
    /// The antivirus mode of a machine: the device to create when there is none yet (its `id`
    /// the machine's, its `av_mode` the mode, located where the row gives it), and the row's
    /// times.
    AvMode(Record, RowTime),
    /// The antivirus mode of the device named by the first (a computer name, short or fully
    /// qualified), where it was read, and the device to create: joined to the machine of that
    /// name when every file is read.
    AvModeByName(Box<(String, Value, Loc, Record)>),
    /// Data of a collection known to be incomplete (boxed, as `Page`: an operation per
    /// element is the common case, and is as large as the largest variant).
    Gap(&'static str, Box<Gap>),
    /// A page of a Graph list, and the offset of its `@odata.nextLink` (see [`paging`]).
    Page(Box<paging::Page>, u32),
    /// The document is one object of this collection (Graph `GET /groups/{id}`, one
    /// `Get-MgGroup` object), not a list of the tenant's: see [`Assembler::single_groups`].
    Single(&'static str),
    /// The file is an ARM template: its records are added only if no other template of the
    /// export links it (then they are read as part of the linking one; see [`Builder::linked`]).
    Linkable,
    /// This file linked the template at this path (relative to the root).
    Linked(String),
    /// Values of this file's records located in the file at this path (relative to the root)
    /// carry this stand-in file id (see [`Builder::beside`]).
    Beside(FileId, String),
    /// A cloud account touched by this file: the fields the file set on the account as created
    /// by `fresh`.
    Account(Box<Account>),
    /// An object of this collection that the directory deleted, not read (see
    /// [`Builder::deleted`]).
    Deleted(&'static str),
    /// The export's tenant (an organization's id, in lower case), and where it is given (see
    /// [`tenant`]).
    Organization(Box<(String, Loc)>),
}

/// A cloud account touched by a file (see [`Op::Account`]).
#[derive(Debug)]
struct Account {
    key: String,
    /// The account as the file created it.
    fresh: Record,
    /// The account with the fields the file set.
    record: Record,
}

// A large list holds an operation per element until it is applied.
const _: () = assert!(std::mem::size_of::<Op>() <= 48);

impl Op {
    /// Adds a machine, by its key in [`Assembler::device_index`] (worked out where the machine
    /// is read, in parallel).
    pub(crate) fn device(record: Record) -> Self {
        Op::Device(device_key(&record), record)
    }

    /// The collection the operation adds to.
    fn collection(&self) -> Option<&'static str> {
        Some(match self {
            Op::Touch(c) | Op::Push(c, _) | Op::Gap(c, _) | Op::Deleted(c) => c,
            Op::Group(..) | Op::MembersList(..) | Op::Member(..) => "groups",
            Op::Device(..) | Op::AvMode(..) | Op::AvModeByName(_) => "devices",
            Op::Account(_) => "cloud_accounts",
            Op::Page(page, _) => page.gap.0,
            Op::Linkable | Op::Linked(_) | Op::Beside(..) | Op::Single(_) | Op::Organization(_) => {
                return None
            }
        })
    }

    /// Whether the operation provides a collection: a list (even empty), a record, a gap. A
    /// group's members alone do not (they belong to a group some list must give), nor does a
    /// recognised document that holds nothing dexlint reads (a Terraform plan of other
    /// resources).
    fn is_tenant_data(&self) -> bool {
        !matches!(
            self,
            Op::MembersList(..)
                | Op::Member(..)
                | Op::Page(..)
                | Op::Deleted(_)
                | Op::Linkable
                | Op::Linked(_)
                | Op::Beside(..)
                | Op::Single(_)
                | Op::Organization(_)
        )
    }

    /// Leaves out of the operation's records the fields `projection` does not keep. A cloud
    /// account is kept whole: its fields are compared with those of the account as created.
    fn project(&mut self, projection: &Projection) {
        match self {
            Op::Push(_, r) | Op::Group(r, _) | Op::Member(_, r, _) | Op::Device(_, r) => {
                r.project(projection);
            }
            Op::AvMode(stub, _) => stub.project(projection),
            Op::AvModeByName(by_name) => by_name.3.project(projection),
            _ => {}
        }
    }
}

/// The operations of a file in order, in the pieces they were made in: a split list's ranges
/// each give one, and they are applied one after the other, never copied into one vector (a
/// large list would be held twice).
#[derive(Debug, Default)]
struct Ops(Vec<Vec<Op>>);

impl From<Vec<Op>> for Ops {
    fn from(ops: Vec<Op>) -> Self {
        Ops(vec![ops])
    }
}

impl Ops {
    /// Adds the operations of the next piece.
    fn extend(&mut self, ops: Vec<Op>) {
        if !ops.is_empty() {
            self.0.push(ops);
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Op> {
        self.0.iter().flatten()
    }
}

impl IntoIterator for Ops {
    type Item = Op;
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<Op>>>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().flatten()
    }
}

/// The result of loading one file.
struct FileLoad {
    recognised: bool,
    /// Why the file could not be read or parsed, or what is wrong in it.
    diagnostics: Vec<LoadDiagnostic>,
    ops: Ops,
    /// The parts of its list, when it was loaded in parts.
    list: Option<Box<ListParts>>,
}

impl FileLoad {
    /// What a format wrote for the document `text`, its problems positioned (the line index
    /// is built only when there is something to position).
    fn positioned(
        recognised: bool,
        problems: Vec<(LoadDiagnostic, u32)>,
        ops: Ops,
        text: &str,
    ) -> Self {
        let linked = ops
            .iter()
            .any(|op| matches!(op, Op::Page(page, _) if page.to_place()));
        if !linked && problems.is_empty() {
            return FileLoad {
                recognised,
                diagnostics: Vec::new(),
                ops,
                list: None,
            };
        }
        // A page's next link alone is placed without indexing the page's every line.
        let lines = (!problems.is_empty()).then(|| locate::Lines::new(text));
        let place = |d, offset: u32| match &lines {
            Some(lines) => place(lines, d, offset as usize),
            None => placed(d, crate::base::lines::place_one(text, offset as usize)),
        };
        FileLoad {
            recognised,
            diagnostics: problems
                .into_iter()
                .map(|(d, offset)| place(d, offset))
                .collect(),
            ops: Ops(ops
                .0
                .into_iter()
                .map(|piece| {
                    piece
                        .into_iter()
                        .map(|op| match op {
                            Op::Page(mut page, offset) => {
                                page.next_link = page.next_link.map(|d| place(d, offset));
                                page.count = page.count.map(|mut count| {
                                    count.at = place(count.at, count.loc.offset());
                                    count
                                });
                                Op::Page(page, offset)
                            }
                            op => op,
                        })
                        .collect()
                })
                .collect()),
            list: None,
        }
    }

    fn failed(d: LoadDiagnostic) -> Self {
        FileLoad {
            recognised: false,
            diagnostics: vec![d],
            ops: Ops::default(),
            list: None,
        }
    }
}

/// The highest stand-in file id of [`Builder::beside`] (a location keeps ids below 2²⁴ − 2).
const BESIDE: FileId = (1 << 24) - 3;

/// What the adapters of one file write to: records and joins for the model, and diagnostics.
pub struct Builder {
    file: FileId,
    root: usize,
    rel: String,
    by_path: bool,
    /// Problems found, with the offset of the value they are about.
    problems: Vec<(LoadDiagnostic, u32)>,
    ops: Vec<Op>,
    /// Cloud accounts of this file by key: index in `ops`.
    accounts: HashMap<String, usize>,
    /// The source format that read the document (index in [`formats::FORMATS`]).
    format: Option<usize>,
    /// The document's path on disk (for the files beside it).
    path: PathBuf,
    /// What the elements of the document's list are, when each loads on its own.
    elements: Option<formats::Elements>,
    /// The fields the records keep (None: every field).
    projection: Option<Projection>,
}

impl Builder {
    fn new((file, found, projection): split::Source<'_>) -> Self {
        Builder {
            projection: projection.cloned(),
            file,
            root: found.root,
            rel: found.rel.clone(),
            by_path: false,
            problems: Vec::new(),
            ops: Vec::new(),
            accounts: HashMap::new(),
            format: None,
            path: found.path.clone(),
            elements: None,
        }
    }

    /// Loads the parsed document with the first format that reads it; false when none does.
    fn document(&mut self, doc: &tree::Node<'_>) -> bool {
        let strings = json::Strings::default();
        let at = At::new(doc, self.file, &strings);
        let at = powershell_array(&at).unwrap_or(at);
        let rel = self.rel.clone();
        if let Some(i) = formats::FORMATS
            .iter()
            .position(|f| (f.read)(self, &at, &rel))
        {
            self.format = Some(i);
            for (id, at) in tenant::organization_ids(&at) {
                self.ops.push(Op::Organization(Box::new((id, at.loc()))));
            }
            return true;
        }
        if let Some((message, error)) = formats::error_response(&at, &rel) {
            self.report(DiagLevel::Error, &error, message);
            return false;
        }
        let (level, message) = if !at.is_object() && !at.is_array() {
            let hint = if azure_list(&rel) { AZ_OUTPUT_JSON } else { "" };
            (
                DiagLevel::Error,
                format!("expected a JSON object or array at the top level{hint}"),
            )
        } else if let Some(t) = at
            .get("@odata.type")
            .and_then(|t| t.text())
            .filter(|t| formats::graph::graph_type(t).is_none())
        {
            (DiagLevel::Error, format!("unknown `@odata.type` `{t}`"))
        } else if let Some(message) = formats::unread_known_source(&at) {
            (DiagLevel::Error, message)
        } else if documented_path(&rel) {
            (
                DiagLevel::Error,
                "not a recognised export document, at a path docs/exporting.md gives for one: \
                 it was not read (export it with a command docs/exporting.md gives)"
                    .to_string(),
            )
        } else {
            (
                DiagLevel::Note,
                "not a recognised export document; it was not read".to_string(),
            )
        };
        self.report(level, &at, message);
        false
    }

    /// Whether the current document is an EntraExporter file (recognised by its path).
    pub fn entra_exporter(&self) -> bool {
        self.by_path
    }

    /// Marks the current document as an EntraExporter file (or not).
    pub fn set_entra_exporter(&mut self, by_path: bool) {
        self.by_path = by_path;
    }

    /// The path of the current document, relative to its root (`/`-separated).
    pub fn rel(&self) -> &str {
        &self.rel
    }

    /// A problem with the value at `at` (positioned once the adapter is done).
    fn report(&mut self, level: DiagLevel, at: &At<'_>, message: String) {
        let diagnostic = LoadDiagnostic {
            level,
            file: self.rel.clone(),
            root: self.root,
            line: None,
            column: None,
            message,
            snippet: None,
        };
        self.problems.push((diagnostic, at.v.start));
    }

    /// A value of the wrong shape: an error at its position.
    pub fn shape_error(&mut self, at: &At<'_>, message: &str) {
        self.report(DiagLevel::Error, at, message.to_string());
    }

    /// A value that is read but doubtful (an undocumented enum value): a warning at it.
    pub fn warning(&mut self, at: &At<'_>, message: &str) {
        self.report(DiagLevel::Warning, at, message.to_string());
    }

    /// Information about the value at `at` that needs no action (a document read that holds
    /// nothing dexlint reads): a note at it.
    pub fn note(&mut self, at: &At<'_>, message: &str) {
        self.report(DiagLevel::Note, at, message.to_string());
    }

    /// Records that the field `field` of the record `entity` of `collection` holds
    /// [`Value::Unknown`] (set by the caller), or a list of records of which it holds only
    /// some, and why (lowercase, no final period): rules whose outcome depends on it are not
    /// evaluated (see [`Gap::in_value`]).
    pub fn unknown(
        &mut self,
        collection: &'static str,
        field: &'static str,
        entity: &str,
        reason: String,
        at: &At<'_>,
    ) {
        self.ops.push(Op::Gap(
            collection,
            Box::new(Gap {
                field: Some(field),
                entity: Some(entity.to_string()),
                reason,
                loc: Some(at.loc()),
                in_value: true,
                unlisted: false,
            }),
        ));
    }

    /// The names of the files in the current document's folder on disk, sorted (none for a
    /// document that was not read from disk).
    pub fn files_beside(&self) -> Vec<String> {
        let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) else {
            return Vec::new();
        };
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        names.sort();
        names
    }

    /// The decoded text of the file `name` beside the current document, when it is at most
    /// `limit` bytes and can be read.
    pub fn read_beside(&self, name: &str, limit: u64) -> Option<String> {
        let path = self.path.parent()?.join(name);
        if std::fs::metadata(&path).ok()?.len() > limit {
            return None;
        }
        decode::decode_owned(std::fs::read(&path).ok()?).ok()
    }

    /// Sets the date `field` of `record` from the member `key` of `node`, as [`json::put`]
    /// with [`json::Conv::Date`] does. A string that is no date dexlint reads (a date as a
    /// culture writes it, `8/4/2026 11:30:00 PM`) is not taken for an absent date: the field is
    /// unknown, with a warning at the value, and a gap of `collection` (the collection of the
    /// record, or of the record holding it) on the record says why, naming it as `who` gives
    /// for the record (called only then: most dates are read), so the
    /// rules that need the date list that record as not evaluated (as a boolean that is none,
    /// see [`unknown_where`]).
    pub fn put_date(
        &mut self,
        record: &mut Record,
        (field, node, key): (&'static str, &At<'_>, &str),
        (collection, who): (&'static str, &dyn Fn(&Record) -> String),
    ) {
        let Some(at) = node.get(key) else {
            return;
        };
        let text = match at.as_str() {
            Some(t) if !t.trim().is_empty() && at.date().is_none() => t,
            _ => return json::put_at(record, field, &at, json::Conv::Date),
        };
        let kept = record.schema().field_index(field).is_some_and(|i| {
            self.projection
                .as_ref()
                .is_none_or(|p| p.keeps(record.schema(), i))
        });
        if !kept {
            return;
        }
        record.set(field, Value::Unknown, Some(at.loc()));
        let who = who(record);
        let forms = "ISO 8601, such as `2026-08-04T23:30:00Z`, or `/Date(ms)/`";
        self.warning(
            &at,
            &format!(
                "`{text}` is not a date dexlint reads ({forms}): the `{key}` of {who} is unknown"
            ),
        );
        let entity = record.identity().unwrap_or("?").to_string();
        let reason = format!(
            "the export gives `{key}` of {who} as `{text}`, which is not a date dexlint reads \
             ({forms}): the date is unknown"
        );
        self.unknown(collection, field, &entity, reason, &at);
    }

    /// Records that data of `collection` is incomplete or unreadable (see [`Gap`]): `field`
    /// None for whole records, `entity` None for the collection as a whole. `reason` is
    /// lowercase, without a final period; `at` is where the export shows it.
    pub fn gap(
        &mut self,
        collection: &'static str,
        field: Option<&'static str>,
        entity: Option<&str>,
        reason: String,
        at: &At<'_>,
    ) {
        self.ops.push(Op::Gap(
            collection,
            Box::new(Gap {
                field,
                entity: entity.map(str::to_string),
                reason,
                loc: Some(at.loc()),
                in_value: false,
                unlisted: false,
            }),
        ));
    }

    /// `at`, when it is the list or object that was expected there. A string in its place is
    /// a value PowerShell's `ConvertTo-Json` cut off at its default depth (2): an error at it
    /// naming the cause and the fix, and a gap on `collection`'s `field` (of `entity`) so the
    /// rules that read it are not evaluated. Any other kind of value is a shape error. None
    /// unless `at` is an array (`want_array`) or an object.
    pub fn nested<'a>(
        &mut self,
        at: At<'a>,
        want_array: bool,
        what: &str,
        gap: (&'static str, Option<&'static str>, Option<&str>),
    ) -> Option<At<'a>> {
        let (collection, field, entity) = gap;
        self.nested_in(at, want_array, what, (collection, &[field], entity))
    }

    /// [`Builder::nested`] whose value holds several fields of the record: a gap on each of
    /// `fields`.
    pub fn nested_in<'a>(
        &mut self,
        at: At<'a>,
        want_array: bool,
        what: &str,
        gap: (&'static str, &[Option<&'static str>], Option<&str>),
    ) -> Option<At<'a>> {
        if (want_array && at.is_array()) || (!want_array && at.is_object()) {
            return Some(at);
        }
        let expected = if want_array { "an array" } else { "an object" };
        let (collection, fields, entity) = gap;
        match at.as_str() {
            // A list beyond the depth is written as its elements' text joined with spaces
            // (PowerShell's conversion of an array to a string): an empty one as "".
            Some(text) if json::powershell_truncated(text) || want_array => {
                let shown = json::excerpt(text);
                self.shape_error(
                    &at,
                    &format!(
                        "expected {expected} of {what}, found the string `{shown}`: the \
                         file was cut off by PowerShell's `ConvertTo-Json`, which writes values \
                         deeper than its default depth of 2 as strings; export it again with \
                         `ConvertTo-Json -Depth 10`"
                    ),
                );
                for field in fields {
                    self.gap(
                        collection,
                        *field,
                        entity,
                        format!(
                            "{what} in `{}` were cut off by `ConvertTo-Json` without `-Depth`",
                            self.rel
                        ),
                        &at,
                    );
                }
            }
            _ if matches!(at.v.kind, tree::Kind::Null) => {}
            _ => {
                self.shape_error(&at, &format!("expected {expected} of {what}"));
                for field in fields {
                    self.gap(
                        collection,
                        *field,
                        entity,
                        format!("{what} in `{}` could not be read", self.rel),
                        &at,
                    );
                }
            }
        }
        None
    }

    /// The current document is one page of the Graph list `list` (see [`paging`]); `next` is
    /// its `@odata.nextLink`, if any. When the list's last page is not in the export, a warning
    /// at `next` and a gap on `collection`'s `field` (of `entity`) are recorded. Each element
    /// of a list of the whole collection (no field, no entity) is one whole record, so the
    /// gap is of records unlisted ([`Gap::unlisted`]).
    pub fn page(
        &mut self,
        list: String,
        next: Option<&At<'_>>,
        gap: (&'static str, Option<&'static str>, Option<&str>),
        what: &str,
    ) {
        let whole = gap.1.is_none() && gap.2.is_none();
        self.page_linked("@odata.nextLink", list, next, (gap, whole), what);
    }

    /// [`Builder::page`] for a list whose link to its next page is the key `link` (ARM lists
    /// write `nextLink`, OData services `@odata.nextLink`); `whole` when each of its elements
    /// is one whole record of the collection (a connector is a cloud account, a pricing only
    /// part of one).
    pub fn page_linked(
        &mut self,
        link: &str,
        list: String,
        next: Option<&At<'_>>,
        (gap, whole): ((&'static str, Option<&'static str>, Option<&str>), bool),
        what: &str,
    ) {
        let (collection, field, entity) = gap;
        // The last page may write its link as `null` or "": ARM's list responses do
        // (`"nextLink": null`, Microsoft Learn's REST samples), and so may OData services.
        // Only a link to follow says that more pages exist.
        let next = next.filter(|at| {
            !matches!(at.v.kind, tree::Kind::Null)
                && at.as_str().is_none_or(|s| !s.trim().is_empty())
        });
        let next_link = next.map(|_| LoadDiagnostic {
            level: DiagLevel::Warning,
            file: self.rel.clone(),
            root: self.root,
            line: None,
            column: None,
            message: format!(
                "`{link}` present: {what} has more pages, and no page of it without \
                 `{link}` (its last) is in this folder; follow the link until no \
                 `{link}` is returned and save every page beside this one \
                 (docs/exporting.md)"
            ),
            snippet: None,
        });
        let offset = next.map_or(0, |at| at.v.start);
        let page = paging::Page {
            root: self.root,
            folder: paging::folder(&self.rel).to_string(),
            list,
            next_link,
            gap: (
                collection,
                Gap {
                    field,
                    entity: entity.map(str::to_string),
                    reason: format!(
                        "{what} in `{}` has further pages (`{link}`) that are not in the export",
                        self.rel
                    ),
                    loc: next.map(At::loc),
                    // A list that is one record's field (a group's members) holds the elements of
                    // the pages read: what they show is judged. Records of one entity missing (a
                    // machine's pricings) leave that entity not evaluated.
                    in_value: entity.is_some() && field.is_some(),
                    unlisted: whole,
                },
            ),
            count: None,
            rows: None,
            held: 0,
        };
        self.ops.push(Op::Page(Box::new(page), offset));
    }

    /// The page just recorded ([`Builder::page`]) gives `count`, its `@odata.count` (or what
    /// `names` calls it): the number of items of its whole list, `what`. `rows` is how many the
    /// page holds when its format counts them (otherwise its records and members are counted).
    /// A list whose pages are all in the export and hold fewer is reported when every file is
    /// read (see [`paging::Pages::short`]).
    pub fn page_count(
        &mut self,
        count: &At<'_>,
        what: &str,
        names: paging::CountNames,
        rows: Option<usize>,
    ) {
        let Some(expected) = count.int().and_then(|n| u64::try_from(n).ok()) else {
            return;
        };
        let at = LoadDiagnostic {
            level: DiagLevel::Warning,
            file: self.rel.clone(),
            root: self.root,
            line: None,
            column: None,
            message: String::new(),
            snippet: None,
        };
        if let Some(Op::Page(page, _)) = self.ops.last_mut() {
            page.rows = rows;
            page.count = Some(paging::Count {
                expected,
                names,
                what: what.to_string(),
                at,
                loc: count.loc(),
            });
        }
    }

    /// Marks a collection as provided by this document.
    pub fn touch(&mut self, collection: &'static str) {
        self.ops.push(Op::Touch(collection));
    }

    /// The document is one object of `collection`, not a list (see [`Op::Single`]).
    pub fn single(&mut self, collection: &'static str) {
        self.ops.push(Op::Single(collection));
    }

    /// The document is a list whose elements are `elements`, each loaded on its own by
    /// [`formats::element`] (see [`split`]).
    pub fn list_elements(&mut self, elements: formats::Elements) {
        self.elements = Some(elements);
    }

    /// The fields the records keep (None: every field).
    fn projection(&self) -> Option<&Projection> {
        self.projection.as_ref()
    }

    /// Adds the operation if any (see [`Builder::add`]).
    fn extend(&mut self, op: Option<Op>) {
        if let Some(op) = op {
            self.add(op);
        }
    }

    /// Adds an operation, its records with the fields the projection keeps.
    fn add(&mut self, mut op: Op) {
        if let Some(p) = &self.projection {
            op.project(p);
        }
        self.ops.push(op);
    }

    /// Adds a record to a collection.
    pub fn push(&mut self, collection: &'static str, record: Record) {
        self.add(Op::Push(collection, record));
    }

    /// An object of `collection` that the directory deleted was not read: a list of such
    /// objects only (the directory's deleted items) is not the tenant's list of them, and does
    /// not provide the collection (see [`without_deleted_lists`]).
    pub fn deleted(&mut self, collection: &'static str) {
        self.ops.push(Op::Deleted(collection));
    }

    /// Adds a group (its members are attached when loading ends).
    pub fn add_group(&mut self, record: Record) {
        self.add(Op::Group(record, false));
    }

    /// Adds a group a Terraform plan names only by object id, whose name is unknown: the
    /// group of that id another source gives, if any, is this one (see
    /// [`Assembler::stand_ins`]).
    pub fn add_group_by_id(&mut self, record: Record) {
        self.add(Op::Group(record, true));
    }

    /// A members list of group `gid` was exported (even an empty one); `cast` when it lists
    /// only members of one kind (`GET /groups/{id}/members/microsoft.graph.user`), whose gap a
    /// members list of every kind of the group, from another file, settles.
    pub fn members_list(&mut self, gid: &str, at: &At<'_>, cast: bool) {
        self.ops
            .push(Op::MembersList(gid.to_string(), at.loc(), cast));
    }

    /// Adds a member of group `gid`.
    pub fn add_member(&mut self, gid: &ArcStr, record: Record, at: &At<'_>) {
        self.add(Op::Member(gid.clone(), record, at.loc()));
    }

    /// [`Builder::gap`] of a list that holds only some of its values: rules judge what it holds
    /// (a quantifier that finds what it looks for is decided), and the rest is unknown.
    pub fn partial_gap(
        &mut self,
        collection: &'static str,
        field: Option<&'static str>,
        entity: Option<&str>,
        reason: String,
        at: &At<'_>,
    ) {
        self.gap(collection, field, entity, reason, at);
        if let Some(Op::Gap(_, gap)) = self.ops.last_mut() {
            gap.in_value = true;
        }
    }

    /// [`Builder::gap`] of a list of `collection` that may lack some of its records, each of
    /// which would be whole (see [`Gap::unlisted`]): rules over the collection judge the records
    /// listed, and a rule about the whole list is not evaluated unless they decide it.
    pub fn unlisted_gap(&mut self, collection: &'static str, reason: String, at: &At<'_>) {
        self.gap(collection, None, None, reason, at);
        if let Some(Op::Gap(_, gap)) = self.ops.last_mut() {
            gap.unlisted = true;
        }
    }

    /// Adds a machine.
    pub fn add_device(&mut self, record: Record) {
        self.add(Op::device(record));
    }

    /// Sets the antivirus mode of machine `id` (creating the device when the machine list
    /// lacks it).
    pub fn add_av_mode(&mut self, id: &str, mode: Value, loc: Loc, item: &At<'_>) {
        let mut stub = Record::new(&schema::DEVICE, Some(item.loc()));
        stub.set("id", Value::Str(id.into()), None);
        stub.set("av_mode", mode, Some(loc));
        json::put(&mut stub, "name", item, "computerDnsName", json::Conv::Text);
        json::put(&mut stub, "os", item, "osPlatform", json::Conv::Text);
        json::put(&mut stub, "group_id", item, "rbacGroupId", json::Conv::Text);
        json::put(&mut stub, "group", item, "rbacGroupName", json::Conv::Text);
        // When a machine has several rows, the most recent one is its state.
        let time = |key| item.get(key).and_then(|t| t.date());
        let times = RowTime::new(time("dataRefreshTimestamp"), time("lastSeenTime"));
        self.add(Op::AvMode(stub, times));
    }

    /// Sets the antivirus mode of the device named `name` (`Get-MpComputerStatus`, which knows
    /// no machine id). When every file is read it is joined to the Defender for Endpoint
    /// machine whose `computerDnsName` matches, ignoring case: the whole name when `name` is
    /// fully qualified, else the first label (`PC-0042` matches `pc-0042.contoso.com`). A
    /// machine that already has a mode from `/api/deviceavinfo` keeps it. No machine: when a
    /// machine list was read whole the computer is not an onboarded device (a note, nothing
    /// added), else the device is added with its name and mode; several: the one of them that still reports
    /// when only one does (the others `Inactive`: the entities a reinstalled or renamed device
    /// leaves behind), else a warning, nothing joined.
    pub fn add_av_mode_by_name(&mut self, name: &str, mode: Value, loc: Loc, item: &At<'_>) {
        let mut stub = Record::new(&schema::DEVICE, Some(item.loc()));
        stub.set("name", Value::Str(name.into()), None);
        self.add(Op::AvModeByName(Box::new((
            name.to_string(),
            mode,
            loc,
            stub,
        ))));
    }

    /// Marks the current document as an ARM template that another template may link: its
    /// records are dropped when one does (they are read with the linking template).
    pub fn linkable(&mut self) {
        self.ops.push(Op::Linkable);
    }

    /// The file id that stands, in the locations of this document's records, for the file
    /// `name` of its folder (a parameters file beside an ARM template): its own id is known
    /// only once every file is read. Only for a [`Builder::linkable`] document, whose records
    /// wait for every file; stand-in ids are the highest a location keeps, which no export has
    /// that many files to reach.
    pub fn beside(&mut self, name: &str) -> FileId {
        let rel = match self.rel.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{name}"),
            None => name.to_string(),
        };
        self.file_id(rel)
    }

    /// [`Builder::beside`] for the file at `rel`, a path relative to the root like
    /// [`Builder::rel`] (a linked template in another folder).
    pub fn file_id(&mut self, rel: String) -> FileId {
        let mut taken = 0;
        for op in &self.ops {
            match op {
                Op::Beside(id, r) if *r == rel => return *id,
                Op::Beside(..) => taken += 1,
                _ => {}
            }
        }
        let id = BESIDE - taken;
        self.ops.push(Op::Beside(id, rel));
        id
    }

    /// Records that the current document linked (and read) the template at `rel`, a path
    /// relative to the root like [`Builder::rel`]: that file's own records are dropped.
    pub fn linked(&mut self, rel: &str) {
        self.ops.push(Op::Linked(rel.to_string()));
    }

    /// The cloud account `key` (compared ignoring ASCII case), created on first use in this file.
    pub fn cloud_account(
        &mut self,
        key: &str,
        environment: &str,
        source: &str,
        at: &At<'_>,
    ) -> Option<&mut Record> {
        // ARM resource ids, subscription ids among them, compare ignoring case.
        let folded = key.to_ascii_lowercase();
        let i = match self.accounts.get(&folded) {
            Some(&i) => i,
            None => {
                let mut fresh = Record::new(&schema::CLOUD_ACCOUNT, Some(at.loc()));
                fresh.set("id", Value::Str(key.into()), None);
                fresh.set("environment", Value::Str(environment.into()), None);
                fresh.set("source", Value::Str(source.into()), None);
                self.accounts.insert(folded.clone(), self.ops.len());
                self.ops.push(Op::Account(Box::new(Account {
                    key: folded,
                    record: fresh.clone(),
                    fresh,
                })));
                self.ops.len() - 1
            }
        };
        match self.ops.get_mut(i) {
            Some(Op::Account(account)) => Some(&mut account.record),
            _ => None,
        }
    }

    /// Sets the judged field `field` (see [`ACCOUNT_FIELDS`]) of the cloud account `key`,
    /// made as [`Builder::cloud_account`] makes it (`made`: environment, source, where), to
    /// `value`, read at `at`. When an earlier resource of this file gave the account another
    /// value (a list that names one subscription twice, its id in two cases), neither is
    /// taken: a warning at `at` names the first, and the field is unknown, with the reason.
    /// A field unknown already stays so.
    pub fn account_value(
        &mut self,
        key: &str,
        made: (&str, &str, &At<'_>),
        field: &'static str,
        value: Value,
        at: &At<'_>,
    ) {
        let (environment, source, r) = made;
        let Some(account) = self.cloud_account(key, environment, source, r) else {
            return;
        };
        let before = account
            .get(field)
            .map(|f| f.value().to_value())
            .unwrap_or_default();
        let first = match (&before, &value) {
            (Value::Null, _) | (_, Value::Unknown) => None,
            (Value::Unknown, _) => return,
            (b, v) if b == v => return,
            (b, _) => Some(b.clone()),
        };
        let Some(first) = first else {
            account.set(field, value, Some(at.loc()));
            return;
        };
        account.set(field, Value::Unknown, Some(at.loc()));
        let id = account.identity().unwrap_or(key).to_string();
        let env = account
            .get("environment")
            .and_then(Field::as_str)
            .unwrap_or(environment)
            .to_string();
        let what = account_words(field).unwrap_or(field);
        let (first, second) = (shown(&first), shown(&value));
        self.warning(
            at,
            &format!(
                "{what} {second} of {env} account `{id}` differs from {first} given earlier in \
                 this file: its {what} is unknown; export each account once"
            ),
        );
        let reason = format!(
            "`{}` gives {env} account `{id}` two values of its {what}: {first} and {second}",
            self.rel
        );
        self.unknown("cloud_accounts", field, &id, reason, at);
    }
}

/// The fields of a cloud account that rules judge, in words: two exports that give one
/// account different values of one of them leave it unknown (see [`Builder::account_value`]
/// and [`Assembler::add_account`]).
const ACCOUNT_FIELDS: &[(&str, &str)] = &[
    ("servers_tier", "Defender for Servers tier"),
    ("servers_plan", "Defender for Servers plan"),
    (
        "mde_integration",
        "endpoint protection (Defender for Endpoint integration)",
    ),
    (
        "mde_linux_excluded",
        "exclusion of Linux machines from endpoint protection (`WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW`)",
    ),
    (
        "servers_coverage",
        "Defender for Servers coverage of its machines (`resourcesCoverageStatus`)",
    ),
];

/// The words for a judged field of a cloud account (see [`ACCOUNT_FIELDS`]).
pub(crate) fn account_words(field: &str) -> Option<&'static str> {
    ACCOUNT_FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, w)| *w)
}

/// A value of a cloud account as messages show it: `Free`, `true`.
pub(crate) fn shown(value: &Value) -> String {
    match value {
        Value::Str(s) => format!("`{s}`"),
        Value::Bool(b) => format!("`{b}`"),
        Value::Int(i) => format!("`{i}`"),
        Value::Date(ms) => format!("`{}`", crate::base::dates::iso(*ms)),
        Value::Null => "none".to_string(),
        _ => "a value dexlint cannot tell".to_string(),
    }
}

/// Entities by lowercase id (hundreds of thousands of users, machines, members).
type Index<T> = HashMap<String, T, foldhash::fast::RandomState>;

/// `text` in ASCII lowercase: the same string when it is already.
fn lowercase(text: &ArcStr) -> ArcStr {
    match text.bytes().any(|b| b.is_ascii_uppercase()) {
        true => ArcStr::from(text.to_ascii_lowercase()),
        false => text.clone(),
    }
}

/// How many machines read in a row [`Assembler::add_devices`] merges in parallel (fewer, a
/// page of a list, are merged one after the other).
const PARALLEL_MERGES: usize = 4096;

/// Replaces the device `existing` by a machine of the machine list, which came after the
/// antivirus list or after an earlier listing of the machine: the device keeps its `av_mode`,
/// what the machine does not give of [`ROW_FIELDS`] (a list `$select`ed without them), and
/// what only an earlier listing gives. A value that an earlier listing from another machine
/// list gives differently (two exports of `/api/machines`) is unknown: the conflicts are
/// returned (see [`relisted`]).
fn merge_machine(
    existing: &mut Record,
    mut machine: Record,
    lists: &MachineLists<'_>,
) -> Vec<relisted::Conflict> {
    let mut conflicts = Vec::new();
    relisted::disagreements(
        &mut machine,
        existing,
        &|f: &Field| lists.other(f.loc()),
        &mut conflicts,
    );
    let mut earlier = std::mem::replace(existing, machine);
    if let Some((value, loc)) = earlier.take("av_mode").map(Field::into_parts) {
        existing.set("av_mode", value, loc);
    }
    fill_absent(existing, &mut earlier);
    let given = |f: &Field| f.loc().is_some() || !f.is_null();
    for i in 0..existing.schema().fields.len() {
        let Some(old) = earlier
            .field(i)
            .filter(|f| given(f) && lists.listed(f.loc()))
        else {
            continue;
        };
        if let Some(new) = existing.field_mut(i).filter(|f| !given(f)) {
            *new = old.clone();
        }
    }
    conflicts
}

/// The files that listed machines, and which of them are pages of one list: how a machine
/// listed again is merged (see [`merge_machine`]).
struct MachineLists<'a> {
    /// The files that listed machines.
    files: &'a HashSet<FileId>,
    /// The list each page of a list is a page of (see [`Assembler::page_lists`]).
    pages: &'a HashMap<FileId, (usize, String, String)>,
    /// The pages without a next page (`@odata.nextLink`): a list's last.
    last_pages: &'a HashSet<FileId>,
    /// The file whose machines are being added.
    file: FileId,
}

impl MachineLists<'_> {
    /// Whether `loc` is in a file that listed machines.
    fn listed(&self, loc: Option<Loc>) -> bool {
        loc.is_some_and(|l| self.files.contains(&l.file()))
    }

    /// Whether `loc` is in a machine list other than the file's: a file that is not a page of
    /// the file's list. Two pages of one list (folder and `@odata.context`) that both lack
    /// `@odata.nextLink` are two lists, each whole (two exports saved side by side,
    /// `machines-2025-10-01.json` and `machines-2025-11-21.json`).
    fn other(&self, loc: Option<Loc>) -> bool {
        let Some(at) = loc.map(|l| l.file()).filter(|_| self.listed(loc)) else {
            return false;
        };
        !one_list(self.pages, self.last_pages, at, self.file)
    }
}

/// Whether files `a` and `b` are pages of one list: one file, or pages of one list (folder and
/// `@odata.context`, see [`Assembler::page_lists`]) not both without `@odata.nextLink`. Two
/// pages of one list that both lack `@odata.nextLink` are two lists, each whole (two exports
/// saved side by side, `users-2025-10-01.json` and `users-2025-11-21.json`): which gives the
/// tenant's values now, the export does not tell (see [`relisted`]).
fn one_list(
    pages: &HashMap<FileId, (usize, String, String)>,
    last_pages: &HashSet<FileId>,
    a: FileId,
    b: FileId,
) -> bool {
    let last = |f| last_pages.contains(&f);
    a == b
        || matches!(
            (pages.get(&a), pages.get(&b)),
            (Some(x), Some(y)) if x == y && !(last(a) && last(b))
        )
}

/// A machine listed again: its id and where the earlier listing gives it, where the later one
/// does, and the values two lists give differently.
type Relisting = ((String, Option<Loc>), Option<Loc>, Vec<relisted::Conflict>);

/// The id of `device`, and where it is, when `device` holds a listing of a machine (not only
/// its antivirus row): a machine merged into it is listed again.
fn relisting(device: &Record, lists: &MachineLists<'_>) -> Option<(String, Option<Loc>)> {
    lists.listed(device.loc()).then(|| {
        (
            device.identity().unwrap_or_default().to_string(),
            device.get("id").and_then(Field::loc),
        )
    })
}

/// When an antivirus health row's data was refreshed (`dataRefreshTimestamp`) and its machine
/// last seen (`lastSeenTime`), in ms since the epoch, [`RowTime::NOT_GIVEN`] when the row does
/// not say: one machine can have several rows (the JSON response has an entry per unique
/// combination of device, name, mode, up-to-date status and scan results), and the most recent
/// is its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowTime {
    refreshed: i64,
    seen: i64,
}

impl RowTime {
    /// A time the row does not give (two words instead of two options keep [`Op`] small).
    const NOT_GIVEN: i64 = i64::MIN;

    /// A row's times, as it gives them.
    pub(crate) fn new(refreshed: Option<i64>, seen: Option<i64>) -> RowTime {
        RowTime {
            refreshed: refreshed.unwrap_or(Self::NOT_GIVEN),
            seen: seen.unwrap_or(Self::NOT_GIVEN),
        }
    }

    /// Whether this row is more recent than `other` (`Greater`), less (`Less`), or neither can
    /// tell (`Equal`): by `dataRefreshTimestamp` when both give different ones (the report's
    /// refresh, often the same on every row), else by `lastSeenTime`.
    fn order(self, other: RowTime) -> std::cmp::Ordering {
        [(self.refreshed, other.refreshed), (self.seen, other.seen)]
            .into_iter()
            .find(|&(a, b)| a != b && a != Self::NOT_GIVEN && b != Self::NOT_GIVEN)
            .map_or(std::cmp::Ordering::Equal, |(a, b)| a.cmp(&b))
    }
}

/// The fields of a device that both the machine list and an antivirus health row give: its
/// name, platform and device group.
const ROW_FIELDS: [&str; 4] = ["name", "os", "group_id", "group"];

/// Sets the [`ROW_FIELDS`] that `device` does not give (absent or null) from `other`, where it
/// gives them: a machine of a list `$select`ed without its group takes it from its antivirus
/// row (`rbacGroupName`, `rbacGroupId`), as a machine known only from that row does.
fn fill_absent(device: &mut Record, other: &mut Record) {
    for name in ROW_FIELDS {
        if device.get(name).is_none_or(Field::is_null)
            && other.get(name).is_some_and(|f| !f.is_null())
        {
            if let Some((value, loc)) = other.take(name).map(Field::into_parts) {
                device.set(name, value, loc);
            }
        }
    }
}

/// A device's key in [`Assembler::device_index`]: its identity (see [`Record::identity`]) in
/// lowercase.
fn device_key(record: &Record) -> ArcStr {
    ["id", "name", "upn"]
        .iter()
        .find_map(|n| match record.get(n).map(Field::value) {
            Some(ValueRef::Str(s)) => Some(lowercase(s)),
            _ => None,
        })
        .unwrap_or_default()
}

/// The file that gave a cloud account's field its value, and the page of a list it is, if any.
#[derive(Debug, Clone)]
struct Origin {
    /// Where the value is.
    loc: Option<Loc>,
    /// The list the file is a page of (root, folder, list: see [`paging::Page`]), and whether
    /// it links a next page.
    page: Option<((usize, String, String), bool)>,
}

/// Two files that give a cloud account different values of one judged field.
#[derive(Debug)]
struct Conflict {
    account: usize,
    field: &'static str,
    first: (Value, Option<Loc>),
    second: (Value, Option<Loc>),
}

/// The model under construction, with what must wait until every file is read.
#[derive(Default)]
struct Assembler {
    model: TenantModel,
    diagnostics: Vec<LoadDiagnostic>,
    /// Pages of Graph lists, checked for missing pages at the end.
    pages: paging::Pages,
    groups: Vec<Record>,
    /// Groups a Terraform plan names only by object id (an `azuread_group_member` of a group
    /// the plan does not describe), their names unknown: a group of the same id that another
    /// source gives is the same group, which the plan's members join (see [`join_stand_in`]);
    /// the others are groups of the export.
    stand_ins: Vec<Record>,
    group_index: Index<usize>,
    /// Members by group id: where the list came from, and the members.
    members: Vec<(String, Option<Loc>, ThinVec<Record>)>,
    member_index: Index<usize>,
    /// Whether a member without a kind was added (see [`resolve_member_kinds`]): noted as
    /// members are added, while they are fresh in memory, so that an export without one is
    /// not read through again at the end (200,000 members' fields, a cache miss each).
    kindless_members: bool,
    /// The groups (ids in lower case) with a members list of every kind of member, and the
    /// files of lists cast to one kind (see [`Builder::members_list`]).
    whole_member_lists: HashSet<String>,
    cast_member_files: HashSet<FileId>,
    devices: Vec<Record>,
    /// Each device by its lowercase identity: its place in `devices`, and the times of the
    /// antivirus row that set its mode (None: no row did). A key is the record's own string
    /// when it is lowercase already (as Defender for Endpoint writes machine ids).
    device_index: HashMap<ArcStr, (usize, Option<RowTime>), foldhash::fast::RandomState>,
    /// The devices (by place in `devices`) whose antivirus rows give different modes, none more
    /// recent than the other: the mode and location of the first row and of the second.
    av_conflicts: std::collections::BTreeMap<usize, [(Value, Option<Loc>); 2]>,
    /// Antivirus modes known by device name, in walk order: joined in `finish`.
    av_by_name: Vec<(String, Value, Loc, Record)>,
    accounts: Vec<Record>,
    account_index: HashMap<String, usize>,
    /// Where the value of each judged field of an account came from (by account and field
    /// index): see [`Assembler::add_account`].
    account_origins: HashMap<(usize, usize), Origin>,
    /// Judged fields of accounts that two files gave different values, in the order found.
    account_conflicts: Vec<Conflict>,
    /// Whether groups came only from documents of one group each ([`Op::Single`]), and a
    /// document of groups that is a list (None: no group yet). One group is not the tenant's
    /// list: the groups it lacks may exist.
    single_groups: Option<bool>,
    /// Roots with at least one recognised document.
    roots_recognised: HashSet<usize>,
    /// Roots with at least one document that provides a collection (see
    /// [`Op::is_tenant_data`]).
    roots_with_data: HashSet<usize>,
    /// Roots with at least one file read without an error (recognised or not).
    roots_read: HashSet<usize>,
    /// The operations of linkable ARM templates (root, path, file), held until every file is
    /// read: those another template linked are dropped.
    held: Vec<(usize, String, FileId, Ops)>,
    /// The templates linked by others: (root, path).
    linked: HashSet<(usize, String)>,
    /// The list each file that is a page of a list belongs to: (root, folder, list), as
    /// [`paging`] keys it.
    page_lists: HashMap<FileId, (usize, String, String)>,
    /// The export's tenant ids (lower case), from its organizations, and where each is given.
    organizations: Vec<(String, Loc)>,
    /// The pages of lists that link no next page.
    last_pages: HashSet<FileId>,
    /// The files that listed machines.
    machine_files: HashSet<FileId>,
    /// Machines listed more than once (see [`Assembler::relisted_machine`]).
    machines_relisted: Option<relisted::Relisted>,
}

impl Assembler {
    /// Adds what a file contributes; true when it was recognised.
    fn apply(&mut self, found: &walk::Found, mut load: FileLoad) -> bool {
        without_deleted_lists(&mut load.ops);
        let file = self.model.files.len() as FileId;
        self.model.files.push(SourceFile {
            path: found.rel.clone(),
            disk_path: found.path.clone(),
            root: found.root,
            list: load.list,
        });
        if load.recognised {
            self.roots_recognised.insert(found.root);
        }
        if load.ops.iter().any(Op::is_tenant_data) {
            self.roots_with_data.insert(found.root);
        }
        if load.ops.iter().any(|op| matches!(op, Op::Group(..))) {
            let single = load.ops.iter().any(|op| matches!(op, Op::Single("groups")));
            self.single_groups = Some(self.single_groups.unwrap_or(true) && single);
        }
        if !load.diagnostics.iter().any(|d| d.level == DiagLevel::Error) {
            self.roots_read.insert(found.root);
        }
        if load.diagnostics.iter().any(|d| d.level == DiagLevel::Error) {
            let mut lost: Vec<&'static str> = load.ops.iter().filter_map(Op::collection).collect();
            if lost.is_empty() {
                lost.extend(collection_by_path(&found.rel));
            }
            for c in lost {
                if let Some(c) = self.model.collection_mut(c) {
                    if !c.lost.contains(&found.rel) {
                        c.lost.push(found.rel.clone());
                    }
                }
            }
        }
        self.diagnostics.extend(fold_repeats(load.diagnostics));
        if load.ops.iter().any(|op| matches!(op, Op::Linkable)) {
            for op in load.ops.iter() {
                if let Op::Linked(rel) = op {
                    self.linked.insert((found.root, rel.clone()));
                }
            }
            self.held
                .push((found.root, found.rel.clone(), file, load.ops));
            return load.recognised;
        }
        self.apply_ops(file, load.ops);
        load.recognised
    }

    /// Moves the locations of held operations `ops` (of a file of root `root`) from the
    /// stand-in ids of [`Builder::beside`] to the ids of the files they stand for; drops them
    /// when that file was not read (left out by `--exclude`).
    fn beside(&self, root: usize, ops: &mut Ops) {
        let moves: Vec<(FileId, Option<FileId>)> = ops
            .iter()
            .filter_map(|op| match op {
                Op::Beside(id, rel) => Some((*id, rel)),
                _ => None,
            })
            .map(|(id, rel)| {
                let file = self
                    .model
                    .files
                    .iter()
                    .position(|f| f.root == root && f.path == *rel);
                (id, file.and_then(|f| FileId::try_from(f).ok()))
            })
            .collect();
        for (from, to) in moves {
            for op in ops.0.iter_mut().flatten() {
                let records: Vec<&mut Record> = match op {
                    Op::Account(a) => vec![&mut a.record, &mut a.fresh],
                    Op::Push(_, r) | Op::Group(r, _) => vec![r],
                    _ => Vec::new(),
                };
                for r in records {
                    r.move_file(from, to);
                }
            }
        }
    }

    /// Adds the operations of the file `file`.
    fn apply_ops(&mut self, file: FileId, ops: Ops) {
        // The list this file is a page of, if any (see `Assembler::add_account`).
        let page = ops.iter().find_map(|op| match op {
            Op::Page(p, _) => Some((
                (p.root, p.folder.clone(), p.list.clone()),
                p.next_link.is_some(),
            )),
            _ => None,
        });
        if let Some((list, next)) = &page {
            self.page_lists.insert(file, list.clone());
            if !next {
                self.last_pages.insert(file);
            }
        }
        // The elements a page lists (each a record, a member, or one that was deleted), for its
        // `@odata.count` (see `paging::Pages::short`).
        let held = match page.is_some() {
            true => ops
                .iter()
                .filter(|op| {
                    matches!(
                        op,
                        Op::Push(..) | Op::Group(..) | Op::Member(..) | Op::Deleted(_)
                    )
                })
                .count(),
            false => 0,
        };
        // The member lists this file added to: no room is kept in them past what they hold
        // (thousands of groups of tens of members each).
        let mut grown: Vec<(ArcStr, usize)> = Vec::new();
        // Records pushed in a row onto one collection are added together (see
        // `Collection::extend`).
        let mut pushed: (&'static str, Vec<Record>) = ("", Vec::new());
        // Machines read in a row are added together (see `Assembler::add_devices`).
        let mut machines: Vec<(ArcStr, Record)> = Vec::new();
        for op in ops {
            if !matches!(&op, Op::Push(c, _) if *c == pushed.0) {
                self.extend(std::mem::take(&mut pushed));
            }
            if !matches!(&op, Op::Device(..)) && !machines.is_empty() {
                self.add_devices(std::mem::take(&mut machines), file);
            }
            match op {
                Op::Touch(c) => self.touch(c, file),
                Op::Push(c, r) => {
                    self.touch(c, file);
                    pushed.0 = c;
                    pushed.1.push(r);
                }
                Op::Group(r, true) => {
                    self.touch("groups", file);
                    self.stand_ins.push(r);
                }
                Op::Group(r, false) => {
                    self.touch("groups", file);
                    let id = r.identity().unwrap_or("").to_string();
                    self.kindless_members |= members_of(&r).iter().any(kindless);
                    self.group_index.entry(id).or_insert(self.groups.len());
                    self.groups.push(r);
                }
                Op::MembersList(gid, loc, cast) => {
                    match cast {
                        true => self.cast_member_files.insert(loc.file()),
                        false => self.whole_member_lists.insert(gid.to_ascii_lowercase()),
                    };
                    let i = self.member_slot(&gid);
                    if let Some(slot) = self.members.get_mut(i) {
                        slot.1.get_or_insert(loc);
                    }
                }
                Op::Member(gid, r, loc) => {
                    // The members of a file are mostly of one group: found once.
                    let i = match grown.last() {
                        Some(&(ref g, i)) if ArcStr::ptr_eq(g, &gid) => i,
                        _ => {
                            let i = self.member_slot(&gid);
                            grown.push((gid, i));
                            i
                        }
                    };
                    // A member file of EntraExporter: the list is the folder, located at the
                    // member.
                    if let Some(slot) = self.members.get_mut(i) {
                        self.kindless_members |= kindless(&r);
                        slot.1.get_or_insert(loc);
                        slot.2.push(r);
                    }
                }
                Op::Device(id, r) => machines.push((id, r)),
                Op::AvMode(stub, times) => self.add_av_mode(stub, times),
                Op::AvModeByName(by_name) => {
                    self.touch("devices", file);
                    self.av_by_name.push(*by_name);
                }
                Op::Account(account) => {
                    let Account { key, fresh, record } = *account;
                    self.add_account(key, &fresh, record, &page);
                }
                Op::Gap(c, gap) => {
                    if let Some(c) = self.model.collection_mut(c) {
                        c.gaps.push(*gap);
                    }
                }
                Op::Page(mut page, _) => {
                    page.held = page.rows.unwrap_or(held);
                    self.pages.add(*page);
                }
                Op::Organization(tenant) => self.organizations.push(*tenant),
                Op::Linkable | Op::Linked(_) | Op::Beside(..) | Op::Single(_) | Op::Deleted(_) => {}
            }
        }
        self.extend(pushed);
        self.add_devices(machines, file);
        for (_, i) in grown {
            if let Some((_, _, members)) = self.members.get_mut(i) {
                members.shrink_to_fit();
            }
        }
    }

    /// Adds records to a collection, in order.
    fn extend(&mut self, (collection, records): (&str, Vec<Record>)) {
        if let Some(c) = self.model.collection_mut(collection) {
            c.extend(records);
        }
    }

    fn touch(&mut self, collection: &str, file: FileId) {
        if let Some(c) = self.model.collection_mut(collection) {
            c.present = true;
            c.origin.get_or_insert(Loc::document(file));
        }
    }

    /// Where the members gathered for group `gid` are in `members`, made when there are none
    /// yet (group ids are matched ignoring ASCII case: Graph ids are GUIDs, written in either
    /// case).
    fn member_slot(&mut self, gid: &str) -> usize {
        let next = self.members.len();
        let i = *self
            .member_index
            .entry(gid.to_ascii_lowercase())
            .or_insert(next);
        if i == next {
            self.members.push((gid.to_string(), None, ThinVec::new()));
        }
        i
    }

    /// Adds machines, in order, as [`Assembler::add_device`] adds each. Of a long run (a
    /// machine list of one file), those that replace a device already there (the antivirus
    /// list's) are found and merged in parallel: no two merge into one device at once, and
    /// each device is merged with its machines in their order.
    fn add_devices(&mut self, machines: Vec<(ArcStr, Record)>, file: FileId) {
        if !machines.is_empty() {
            self.machine_files.insert(file);
        }
        if machines.len() < PARALLEL_MERGES {
            for (id, record) in machines {
                self.add_device(id, record, file);
            }
            return;
        }
        // Devices already there never move: where each machine's is can be found beforehand.
        let index = &self.device_index;
        let found: Vec<Option<usize>> = machines
            .par_iter()
            .map(|(id, _)| index.get(id).map(|&(i, _)| i))
            .collect();
        let mut merges: Vec<Option<Record>> = Vec::new();
        merges.resize_with(self.devices.len(), || None);
        for ((id, record), at) in machines.into_iter().zip(found) {
            match at.and_then(|i| Some((i, merges.get_mut(i)?))) {
                // A second machine for one device: the first is merged now.
                Some((i, Some(slot))) => {
                    let first = std::mem::replace(slot, record);
                    self.merge_device(i, first, file);
                }
                Some((_, slot)) => *slot = Some(record),
                None => self.add_device(id, record, file),
            }
        }
        let lists = MachineLists {
            files: &self.machine_files,
            pages: &self.page_lists,
            last_pages: &self.last_pages,
            file,
        };
        let merged: Vec<Option<Relisting>> = self
            .devices
            .par_iter_mut()
            .zip(merges.into_par_iter())
            .map(|(existing, machine)| {
                let record = machine?;
                let before = relisting(existing, &lists);
                let conflicts = merge_machine(existing, record, &lists);
                Some((before?, existing.get("id").and_then(Field::loc), conflicts))
            })
            .collect();
        for relisted in merged.into_iter().flatten() {
            self.relisted_machine(relisted);
        }
        if let Some(c) = self.model.collection_mut("devices") {
            c.origin.get_or_insert(Loc::document(file));
        }
    }

    fn add_device(&mut self, id: ArcStr, record: Record, file: FileId) {
        match self.device_index.get(&id) {
            Some(&(i, _)) => self.merge_device(i, record, file),
            None => {
                self.device_index.insert(id, (self.devices.len(), None));
                self.devices.push(record);
            }
        }
        if let Some(c) = self.model.collection_mut("devices") {
            c.origin.get_or_insert(Loc::document(file));
        }
    }

    /// Merges a machine of file `file` into the device at `i` in `devices` (see
    /// [`merge_machine`]), noting a machine listed again.
    fn merge_device(&mut self, i: usize, record: Record, file: FileId) {
        let lists = MachineLists {
            files: &self.machine_files,
            pages: &self.page_lists,
            last_pages: &self.last_pages,
            file,
        };
        let Some(existing) = self.devices.get_mut(i) else {
            return;
        };
        let before = relisting(existing, &lists);
        let conflicts = merge_machine(existing, record, &lists);
        let now = existing.get("id").and_then(Field::loc);
        if let Some(before) = before {
            self.relisted_machine((before, now, conflicts));
        }
    }

    /// Notes a machine listed again: the first one's id and places, the listings left out,
    /// and the values two machine lists give differently (reported by
    /// [`Assembler::relisted_report`] once every file is read).
    fn relisted_machine(&mut self, (before, now, conflicts): Relisting) {
        let (id, first) = before;
        let r = self
            .machines_relisted
            .get_or_insert_with(|| relisted::Relisted {
                conflicts: Vec::new(),
                dropped: 0,
                id,
                first,
                last: now,
            });
        r.dropped += 1;
        r.conflicts.extend(conflicts);
    }

    /// Sets the antivirus mode of a machine, unless a more recent row already set it (see
    /// [`RowTime::order`]). A row that is neither more nor less recent than the one that set it
    /// and gives another mode makes the mode unknown (see [`Assembler::av_conflict_gaps`]).
    fn add_av_mode(&mut self, mut stub: Record, times: RowTime) {
        let Some(ValueRef::Str(id)) = stub.get("id").map(Field::value) else {
            return;
        };
        let key = lowercase(id);
        let next = self.devices.len();
        let &mut (i, before) = self.device_index.entry(key.clone()).or_insert((next, None));
        if let Some(before) = before {
            match times.order(before) {
                std::cmp::Ordering::Less => return,
                std::cmp::Ordering::Greater => {
                    self.av_conflicts.remove(&i);
                }
                std::cmp::Ordering::Equal => {
                    let (Some(d), Some(now)) = (self.devices.get(i), stub.get("av_mode")) else {
                        return;
                    };
                    let earlier = d.get("av_mode");
                    if earlier.is_some_and(|e| e.value() != now.value()) {
                        let first = earlier
                            .map_or((Value::Null, None), |e| (e.value().to_value(), e.loc()));
                        let second = (now.value().to_value(), now.loc());
                        self.av_conflicts.entry(i).or_insert([first, second]);
                    }
                    return;
                }
            }
        }
        if let Some(entry) = self.device_index.get_mut(&key) {
            entry.1 = Some(times);
        }
        if i == next {
            self.devices.push(stub);
        } else if let Some(d) = self.devices.get_mut(i) {
            if let Some((mode, loc)) = stub.take("av_mode").map(Field::into_parts) {
                d.set("av_mode", mode, loc);
            }
            fill_absent(d, &mut stub);
        }
    }

    /// The first file to touch an account creates it; later files set the fields they set.
    /// A judged field (see [`ACCOUNT_FIELDS`]) that a later file gives another value is in
    /// conflict, and unknown (two exports of one subscription that disagree: which is the
    /// account's now, the export does not tell), unless the later file is the next page of
    /// the earlier one's list: a record listed again on a later page is read as that page has
    /// it (docs/exporting.md). A page is the next one's predecessor when it links a next page
    /// and both are pages of one list (`page`: see [`paging`]); files are applied in walk
    /// order, pages of a list in their order. An unknown value replaces a known one, and a
    /// known one an unknown one, as before.
    fn add_account(
        &mut self,
        key: String,
        fresh: &Record,
        mut record: Record,
        page: &Option<((usize, String, String), bool)>,
    ) {
        if let Some(c) = self.model.collection_mut("cloud_accounts") {
            c.present = true;
        }
        let fields = fresh.schema().fields;
        let judged = |i: usize| {
            fields
                .get(i)
                .is_some_and(|f| account_words(f.name).is_some())
        };
        let origin = |field: &Field| Origin {
            loc: field.loc(),
            page: page.clone(),
        };
        let Some(&a) = self.account_index.get(&key) else {
            let a = self.accounts.len();
            for i in (0..fields.len()).filter(|&i| judged(i)) {
                if let Some(field) = record.field(i).filter(|f| !f.is_null()) {
                    self.account_origins.insert((a, i), origin(field));
                }
            }
            self.account_index.insert(key, a);
            self.accounts.push(record);
            return;
        };
        let Some(existing) = self.accounts.get_mut(a) else {
            return;
        };
        for i in 0..fields.len() {
            let (Some(field), Some(before)) = (record.field_mut(i), fresh.field(i)) else {
                continue;
            };
            if field == before {
                continue;
            }
            let Some(slot) = existing.field_mut(i) else {
                continue;
            };
            if !judged(i) {
                *slot = std::mem::take(field);
                continue;
            }
            let new = field.value().to_value();
            let old = slot.value().to_value();
            let prior = self.account_origins.get(&(a, i));
            let conflicted = self
                .account_conflicts
                .iter()
                .any(|c| c.account == a && fields.get(i).is_some_and(|f| f.name == c.field));
            let next_page = match (prior.and_then(|o| o.page.as_ref()), page) {
                (Some((list, linked)), Some((this, _))) => *linked && list == this,
                _ => false,
            };
            let differ = !matches!(old, Value::Null | Value::Unknown)
                && !matches!(new, Value::Unknown)
                && new != old;
            if conflicted {
                // Unknown already, and why is said once.
                continue;
            }
            if differ && !next_page {
                let name = fields.get(i).map_or("", |f| f.name);
                self.account_conflicts.push(Conflict {
                    account: a,
                    field: name,
                    first: (old, prior.and_then(|o| o.loc).or(slot.loc())),
                    second: (new, field.loc()),
                });
                *slot = Field::new(Value::Unknown, field.loc());
                continue;
            }
            self.account_origins.insert((a, i), origin(field));
            *slot = std::mem::take(field);
        }
    }

    /// The conflicts of [`Assembler::add_account`]: for each, a warning at the second value
    /// naming the first, and the gap that says why the field is unknown.
    fn conflict_gaps(&mut self, model: &TenantModel) -> Vec<Gap> {
        let conflicts = std::mem::take(&mut self.account_conflicts);
        let locs: Vec<Loc> = conflicts
            .iter()
            .flat_map(|c| [c.first.1, c.second.1])
            .flatten()
            .collect();
        let refs: Vec<&Loc> = locs.iter().collect();
        let located: Vec<(Loc, Option<locate::Located>)> = locs
            .iter()
            .copied()
            .zip(locate::locate_all(model, &refs))
            .collect();
        let position = |loc: Option<Loc>| {
            let loc = loc?;
            located
                .iter()
                .find(|(l, _)| *l == loc)
                .and_then(|(_, at)| at.clone())
        };
        let file_of = |loc: Option<Loc>| loc.and_then(|l| model.files.get(l.file() as usize));
        let mut gaps = Vec::new();
        for c in conflicts {
            let Some(account) = self.accounts.get(c.account) else {
                continue;
            };
            let id = account.identity().unwrap_or_default().to_string();
            let env = account
                .get("environment")
                .and_then(Field::as_str)
                .unwrap_or_default()
                .to_string();
            let what = account_words(c.field).unwrap_or(c.field);
            let (first, second) = (shown(&c.first.0), shown(&c.second.0));
            let place = |loc: Option<Loc>| {
                let path = file_of(loc).map_or("?".into(), |f| file_among(model, &locs, f));
                match position(loc) {
                    Some(at) => format!("`{path}` line {}", at.line),
                    None => format!("`{path}`"),
                }
            };
            let (was, now) = (place(c.first.1), place(c.second.1));
            if let Some(file) = file_of(c.second.1) {
                let at = position(c.second.1);
                self.diagnostics.push(LoadDiagnostic {
                    level: DiagLevel::Warning,
                    file: file.path.clone(),
                    root: file.root,
                    line: at.as_ref().map(|a| a.line),
                    column: at.as_ref().map(|a| a.column),
                    message: format!(
                        "{what} {second} of {env} account `{id}` differs from {first} in {was}: \
                         two exports of the account disagree, and its {what} is unknown; keep \
                         one export of each account (the latest)"
                    ),
                    snippet: at.map(|a| a.source.line(a.line).to_string()),
                });
            }
            gaps.push(Gap {
                field: Some(c.field),
                entity: Some(id.clone()),
                reason: format!(
                    "two exports give {env} account `{id}` different values of its {what}: \
                     {first} in {was} and {second} in {now}"
                ),
                loc: c.second.1,
                in_value: true,
                unlisted: false,
            });
        }
        gaps
    }

    /// The machines whose antivirus rows give different modes, neither more recent than the
    /// other (the same `dataRefreshTimestamp` and `lastSeenTime`, or not given): each one's mode
    /// is unknown, with a warning at the second row's mode naming the first, and the gap.
    fn av_conflict_gaps(&mut self, model: &TenantModel) -> Vec<Gap> {
        let conflicts = std::mem::take(&mut self.av_conflicts);
        let locs: Vec<Loc> = conflicts
            .values()
            .flat_map(|[a, b]| [a.1, b.1])
            .flatten()
            .collect();
        let refs: Vec<&Loc> = locs.iter().collect();
        let located = locate::locate_all(model, &refs);
        let at = |loc: Option<Loc>| {
            let loc = loc?;
            let file = model.files.get(loc.file() as usize)?;
            let i = locs.iter().position(|l| *l == loc)?;
            Some((file, located.get(i).cloned().flatten()))
        };
        let place = |loc: Option<Loc>| match at(loc) {
            Some((f, Some(l))) => format!("`{}` line {}", f.path, l.line),
            Some((f, None)) => format!("`{}`", f.path),
            None => "?".to_string(),
        };
        let mut gaps = Vec::new();
        for (i, [first, second]) in conflicts {
            let Some(d) = self.devices.get_mut(i) else {
                continue;
            };
            let id = d.identity().unwrap_or("?").to_string();
            let name = named(d.text("name"), &id);
            let (was, now) = (place(first.1), place(second.1));
            let (a, b) = (shown(&first.0), shown(&second.0));
            d.set("av_mode", Value::Unknown, second.1);
            if let Some((file, l)) = at(second.1) {
                self.diagnostics.push(LoadDiagnostic {
                    level: DiagLevel::Warning,
                    file: file.path.clone(),
                    root: file.root,
                    line: l.as_ref().map(|a| a.line),
                    column: l.as_ref().map(|a| a.column),
                    message: format!(
                        "antivirus mode {b} of machine {name} differs from {a} in {was}, and \
                         neither row is more recent (`dataRefreshTimestamp`, `lastSeenTime`): \
                         its antivirus mode is unknown"
                    ),
                    snippet: l.map(|a| a.source.line(a.line).to_string()),
                });
            }
            gaps.push(Gap {
                field: Some("av_mode"),
                entity: Some(id),
                reason: format!(
                    "the antivirus rows of machine {name} give different modes, {a} in {was} \
                     and {b} in {now}, and neither is more recent: its antivirus mode is unknown"
                ),
                loc: second.1,
                in_value: true,
                unlisted: false,
            });
        }
        gaps
    }

    /// What [`relisted::dedupe`] found, said: a warning at the last listing of the first
    /// record listed more than once, one at the first conflicting value (counting the others),
    /// and the gap of each field two lists disagree on (see [`relisted`]).
    fn relisted_report(
        model: &TenantModel,
        what: &str,
        r: relisted::Relisted,
    ) -> (Vec<LoadDiagnostic>, Vec<Gap>) {
        let first_conflict = r.conflicts.first();
        let places = Places::new(
            model,
            [r.first, r.last]
                .into_iter()
                .chain(first_conflict.map_or([None, None], |c| [c.first.1, c.second.1]))
                .flatten()
                .collect(),
        );
        let place = |loc| places.place(loc);
        let warning = |loc, message| places.warning(loc, message);
        let dropped = match r.dropped {
            1 => "the earlier listing is".to_string(),
            n => format!("{n} earlier listings of this and other records are"),
        };
        let mut warnings: Vec<LoadDiagnostic> = warning(
            r.last,
            format!(
                "`{}` is listed more than once among the {what}: in {}, and in {}. Each record \
                 is read once, its listings merged (a list that changed while it was paged, or \
                 two exports of one list); {dropped} left out",
                r.id,
                place(r.first),
                place(r.last),
            ),
        )
        .into_iter()
        .collect();
        if let Some(c) = first_conflict {
            let others = match r.conflicts.len() - 1 {
                0 => String::new(),
                1 => " (and 1 more value like it)".to_string(),
                n => format!(" (and {n} more values like it)"),
            };
            warnings.extend(warning(
                c.second.1,
                format!(
                    "{} among the {what} is {} in {} and {} here: two exports of the list \
                     disagree, and its `{}` is unknown{others}; keep one export of each list \
                     (the latest)",
                    c.what(),
                    shown(&c.first.0),
                    place(c.first.1),
                    shown(&c.second.0),
                    c.element.as_ref().map_or(c.field, |e| e.2),
                ),
            ));
        }
        let gaps = r
            .conflicts
            .iter()
            .map(|c| Gap {
                // A field of an element is read as the element's (see `Record::identity`).
                field: Some(c.element.as_ref().map_or(c.field, |e| e.2)),
                entity: Some(c.element.as_ref().map_or(&c.id, |e| &e.1).clone()),
                reason: format!(
                    "two exports give {} different values ({} and {}): which is the tenant's \
                     now is unknown",
                    c.what(),
                    shown(&c.first.0),
                    shown(&c.second.0)
                ),
                loc: c.second.1,
                in_value: true,
                unlisted: false,
            })
            .collect();
        (warnings, gaps)
    }

    /// Merges the services and products of the deployment declarations (see
    /// [`formats::declaration::merge`]): for a value two of them give differently, a warning
    /// at the second naming the first, and the gap that says why it is unknown.
    fn declaration_conflicts(&mut self, model: &mut TenantModel) {
        let conflicts = formats::declaration::merge(model);
        let places = Places::new(
            model,
            conflicts
                .iter()
                .flat_map(|c| [c.first.1, c.second.1])
                .flatten()
                .collect(),
        );
        let mut gaps = Vec::new();
        for c in &conflicts {
            let key = format!("{}.{}", c.collection, c.name);
            let (first, second) = (shown(&c.first.0), shown(&c.second.0));
            let (was, now) = (places.place(c.first.1), places.place(c.second.1));
            self.diagnostics.extend(places.warning(
                c.second.1,
                format!(
                    "`{key}` is {second} here and {first} in {was}: two deployment \
                     declarations disagree (or one object gives the key twice), and `{key}` is \
                     unknown; keep one declaration"
                ),
            ));
            gaps.push((
                c.collection,
                Gap {
                    field: Some(c.field),
                    entity: Some(c.name.clone()),
                    reason: format!(
                        "the deployment declarations give `{key}` different values: {first} in \
                         {was} and {second} in {now}"
                    ),
                    loc: c.second.1,
                    in_value: true,
                    unlisted: false,
                },
            ));
        }
        let origin = model.collection("services").and_then(|c| c.origin);
        for name in formats::declaration::omitted_services(model) {
            gaps.push((
                "services",
                Gap {
                    field: Some("purchased"),
                    entity: Some(name.to_string()),
                    reason: format!(
                        "the deployment declaration's `services` does not give `{name}`: whether \
                         {} is purchased, the export does not tell",
                        formats::declaration::service_title(name)
                    ),
                    loc: origin,
                    in_value: true,
                    unlisted: false,
                },
            ));
        }
        for (collection, gap) in gaps {
            if let Some(c) = model.collection_mut(collection) {
                c.gaps.push(gap);
            }
        }
    }

    /// Joins what waited for every file, and returns the model.
    fn finish(&mut self) -> TenantModel {
        for (root, rel, file, mut ops) in std::mem::take(&mut self.held) {
            if !self.linked.contains(&(root, rel)) {
                self.beside(root, &mut ops);
                self.apply_ops(file, ops);
            }
        }
        let mut model = std::mem::take(&mut self.model);
        let conflicts = self.conflict_gaps(&model);
        let mut cut = self.pages.short();
        cut.extend(self.pages.incomplete());
        for (warning, collection, gap) in cut {
            self.diagnostics.push(warning);
            if let Some(c) = model.collection_mut(collection) {
                c.gaps.push(gap);
            }
        }
        let page_lists = std::mem::take(&mut self.page_lists);
        let last_pages = std::mem::take(&mut self.last_pages);
        let same_list = |a: FileId, b: FileId| one_list(&page_lists, &last_pages, a, b);
        let stand_ins = match model.collection_mut("groups") {
            Some(c) => take_stand_ins(&mut self.groups, &mut self.stand_ins, &mut c.gaps),
            None => Vec::new(),
        };
        if let Some(r) = relisted::dedupe(&mut self.groups, &same_list) {
            let (warnings, gaps) = Self::relisted_report(&model, "Entra ID groups", r);
            self.diagnostics.extend(warnings);
            if let Some(c) = model.collection_mut("groups") {
                c.gaps.extend(gaps);
            }
        }
        // Members onto their groups.
        let mut members = std::mem::take(&mut self.members);
        let mut attached = vec![false; members.len()];
        // Where the inline members lists that a members file replaced were.
        let mut replaced: HashSet<Loc> = HashSet::new();
        let mut relisted_members = Vec::new();
        for g in &mut self.groups {
            let id = g
                .get("id")
                .and_then(Field::as_str)
                .unwrap_or("")
                .to_string();
            let found = self.member_index.get(&id.to_ascii_lowercase()).copied();
            if let Some((i, entry)) = found.and_then(|i| Some((i, members.get_mut(i)?))) {
                if let Some(a) = attached.get_mut(i) {
                    *a = true;
                }
                // Gaps on this group's members name it as the group record does.
                if entry.0 != id {
                    if let Some(c) = model.collection_mut("groups") {
                        for gap in &mut c.gaps {
                            if gap.entity.as_deref() == Some(entry.0.as_str()) {
                                gap.entity = Some(id.clone());
                            }
                        }
                    }
                }
                let mut list = std::mem::take(&mut entry.2);
                // A member listed on two pages of the list (it changed while it was paged), or
                // in two exports of it, is one member.
                let file = |m: &Record| m.loc().map(|l| l.file());
                if list.iter().any(|m| file(m) != list.first().and_then(file)) {
                    let mut v: Vec<Record> = list.into_iter().collect();
                    if let Some(r) = relisted::dedupe(&mut v, &same_list) {
                        let what = format!("members of group `{id}`");
                        let (warnings, _) = Self::relisted_report(&model, &what, r);
                        relisted_members.extend(warnings);
                    }
                    list = v.into_iter().collect();
                }
                // The members a group was read with: those a Terraform plan or an ARM template
                // declares, which the plan's member resources add to, or those Graph listed
                // inline (`$expand=members`, at most 20 of them), which a members list of the
                // group exported on its own replaces: that list is the whole of them.
                let declared = declared(g);
                let own = g.take("members");
                let at = own.as_ref().and_then(Field::loc);
                let all = match own.map(Field::into_value) {
                    Some(Value::Records(mut l)) if !l.is_empty() && declared => {
                        l.extend(list);
                        l
                    }
                    _ => {
                        replaced.extend(at);
                        list
                    }
                };
                g.set("members", Value::Records(all), entry.1);
            }
        }
        self.diagnostics.extend(relisted_members);
        for g in stand_ins {
            join_stand_in(&mut self.groups, g);
        }
        // The gap of an inline list that may be cut (20 members) goes with the list, and that
        // of a list cast to one kind with a list of every kind of the group's members.
        if let Some(c) = model.collection_mut("groups") {
            c.gaps.retain(|gap| {
                let settled = |l: &Loc| {
                    replaced.contains(l)
                        || (self.cast_member_files.contains(&l.file())
                            && gap.entity.as_ref().is_some_and(|g| {
                                self.whole_member_lists.contains(&g.to_ascii_lowercase())
                            }))
                };
                gap.field != Some("members") || !gap.loc.as_ref().is_some_and(settled)
            });
            unknown_when_empty(&mut self.groups, &c.gaps);
        }
        // Only an export that has groups can say that a list matches none of them (without
        // groups, every rule over groups is not evaluated anyway).
        if model.collection("groups").is_some_and(|c| c.present) {
            for (entry, _) in members.iter().zip(&attached).filter(|(_, a)| !**a) {
                self.unattached_members(&model, entry);
            }
        }
        // Members without a kind (Terraform object ids) get one when the id is a known group or
        // user.
        if self.kindless_members {
            let group_ids = ids(&self.groups);
            let user_ids = model
                .collection("users")
                .map(|c| ids(&c.records))
                .unwrap_or_default();
            for g in &mut self.groups {
                resolve_member_kinds(g, &group_ids, &user_ids);
            }
        }
        let config_only = entra_exporter_config_only(&self.groups, &model.files);
        let unexported = if config_only.is_none() {
            let lost = model.collection("groups").map_or(&[][..], |c| &c.lost[..]);
            unexported_members(&mut self.groups, lost)
        } else {
            Vec::new()
        };
        if let Some(c) = model.collection_mut("groups") {
            c.gaps.extend(config_only);
            c.gaps.extend(unexported);
            c.extend(std::mem::take(&mut self.groups));
        }
        let av_conflicts = self.av_conflict_gaps(&model);
        let relisted_machines = self.machines_relisted.take().map(|r| {
            let (warnings, gaps) =
                Self::relisted_report(&model, "Defender for Endpoint machines", r);
            self.diagnostics.extend(warnings);
            gaps
        });
        self.join_av_by_name(&model);
        if let Some(c) = model.collection_mut("devices") {
            c.gaps.extend(av_conflicts);
            c.gaps.extend(relisted_machines.into_iter().flatten());
            c.extend(std::mem::take(&mut self.devices));
        }
        let mut gone = inactive_subscriptions(&mut self.accounts);
        let (others, notes) = other_tenants(&model, &mut self.accounts, &self.organizations);
        gone.extend(others);
        self.diagnostics.extend(notes);
        if let Some(c) = model.collection_mut("cloud_accounts") {
            c.gaps.extend(conflicts);
            c.gaps.retain(|g| {
                g.entity
                    .as_deref()
                    .is_none_or(|e| !gone.iter().any(|x| x.eq_ignore_ascii_case(e)))
            });
            for a in &mut self.accounts {
                c.gaps.extend(unexported_azure_settings(a));
            }
            c.extend(std::mem::take(&mut self.accounts));
        }
        // Subscriptions whose Defender for Servers plan is on: what explains their machines'
        // coverage status (see `coverage_explained`).
        let standard: Vec<String> = model
            .collection("cloud_accounts")
            .map(|c| {
                c.records
                    .iter()
                    .filter(|a| a.get("servers_tier").and_then(Field::as_str) == Some("Standard"))
                    .filter_map(|a| a.identity().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(c) = model.collection_mut("resource_pricings") {
            machines_of_inactive_subscriptions(c, &gone);
            listed_on_a_read_page(c);
            coverage_explained(c, &standard);
        }
        for name in [
            "users",
            "skus",
            "device_groups",
            "audit_events",
            "identity_sensors",
            "resource_pricings",
        ] {
            let Some(c) = model.collection_mut(name) else {
                continue;
            };
            let Some(r) = relisted::dedupe(&mut c.records, &same_list) else {
                continue;
            };
            let what = schema::collection_index(name)
                .and_then(|i| schema::COLLECTIONS.get(i))
                .map_or(name, |s| s.doc);
            let (warnings, gaps) = Self::relisted_report(&model, what, r);
            self.diagnostics.extend(warnings);
            if let Some(c) = model.collection_mut(name) {
                c.gaps.extend(gaps);
            }
        }
        if let Some(c) = model.collection_mut("users") {
            null_account_enabled(c);
        }
        provide_deleted_groups(&mut model);
        resolve_plan_names(&mut model);
        for (name, what) in [
            ("groups", "Entra ID groups"),
            ("cloud_accounts", "cloud accounts"),
            ("resource_pricings", "resource pricings"),
        ] {
            if let Some(c) = model.collection_mut(name) {
                c.partial = declared_only(&c.records, what);
            }
        }
        if let (Some(true), Some(c)) = (self.single_groups, model.collection_mut("groups")) {
            if c.partial.is_none() {
                c.partial = Some(
                    "the export has no list of the tenant's Entra ID groups, only groups \
                     exported one by one (`GET /groups/{id}`, a single `Get-MgGroup` object)"
                        .into(),
                );
            }
        }
        self.declaration_conflicts(&mut model);
        let started = std::time::Instant::now();
        products::derive(&mut model);
        timing("products::derive", started);
        if let Some(c) = model.collection_mut("devices") {
            unknown_av_modes(c);
        }
        machine_groups(&mut model);
        // What the messages quote from the export (names, an API's error text) shows every
        // character it holds.
        for d in &mut self.diagnostics {
            crate::base::visible::escape_invisible(&mut d.message, 0);
        }
        model
    }
}

/// Takes out of a file's operations the list it is of a collection (its `Touch`, its page)
/// when every object of that collection it holds was deleted ([`Op::Deleted`]): the
/// directory's deleted items (`GET /directory/deletedItems/microsoft.graph.group`, whose
/// `@odata.context` is the live list's, `#groups`) are not the tenant's list of groups, and
/// must neither stand for it (an export with no other would show no group) nor be a page of it
/// (a last page that completes a list whose pages are missing).
fn without_deleted_lists(ops: &mut Ops) {
    let deleted: Vec<&'static str> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Deleted(c) => Some(*c),
            _ => None,
        })
        .collect();
    if deleted.is_empty() {
        return;
    }
    let read = |c: &str| {
        ops.iter().any(|op| match op {
            Op::Push(p, _) => *p == c,
            Op::Group(..) => c == "groups",
            _ => false,
        })
    };
    let withdrawn: Vec<&'static str> = deleted.into_iter().filter(|c| !read(c)).collect();
    for piece in &mut ops.0 {
        piece.retain(|op| match op {
            Op::Touch(c) | Op::Single(c) => !withdrawn.contains(c),
            Op::Page(page, _) => !withdrawn.contains(&page.gap.0),
            _ => true,
        });
    }
}

/// An export that provides groups provides `deleted_groups` too: a Terraform plan gives it the
/// groups it deletes, and any other export of groups (Graph, EntraExporter, an ARM template)
/// plans no deletion, so it shows none. Without groups, only a plan that deletes some provides
/// it.
fn provide_deleted_groups(model: &mut TenantModel) {
    let Some((true, origin)) = model.collection("groups").map(|c| (c.present, c.origin)) else {
        return;
    };
    if let Some(deleted) = model.collection_mut("deleted_groups") {
        if !deleted.present {
            deleted.present = true;
            deleted.origin = origin;
        }
    }
}

/// How many times one message is reported for one file (see [`fold_repeats`]).
const REPEATS: usize = 5;

/// A file's diagnostics with each message (same level and text) reported at most [`REPEATS`]
/// times: the last of those counts the others ("... (and 1,795 more times in this file)").
/// A users list exported without `-Depth` has every user's plans cut off the same way: one
/// error each made thousands of errors for one file.
fn fold_repeats(diagnostics: Vec<LoadDiagnostic>) -> Vec<LoadDiagnostic> {
    if diagnostics.len() <= REPEATS {
        return diagnostics;
    }
    // By message: how many are reported, and the last one reported (its place in `out`).
    let mut seen: HashMap<(DiagLevel, String), (usize, usize)> = HashMap::new();
    let mut out: Vec<(LoadDiagnostic, usize)> = Vec::new();
    for d in diagnostics {
        let (count, last) = seen
            .entry((d.level, d.message.clone()))
            .or_insert((0, usize::MAX));
        if *count < REPEATS {
            *count += 1;
            *last = out.len();
            out.push((d, 0));
        } else if let Some((_, more)) = out.get_mut(*last) {
            *more += 1;
        }
    }
    out.into_iter()
        .map(|(mut d, more)| {
            if more > 0 {
                let times = if more == 1 { "time" } else { "times" };
                d.message = format!("{} (and {more} more {times} in this file)", d.message);
            }
            d
        })
        .collect()
}

/// Why `records` are not a list of the tenant's `what`, when every one of them comes from a
/// Terraform plan or an ARM template (its `source`): those hold the resources they manage, and
/// the tenant may have others. None when any record comes from a list of the tenant's (Graph,
/// EntraExporter, ARM, the az CLI), or there are none.
fn declared_only(records: &[Record], what: &str) -> Option<String> {
    (!records.is_empty() && records.iter().all(declared)).then(|| {
        format!(
            "the export has no list of the tenant's {what} (a Terraform plan or an ARM template \
             holds only the ones it manages)"
        )
    })
}

/// Makes unknown the `enabled` of each user whose `accountEnabled` the export gives as `null`
/// (or does not give, or not as a boolean, where it gives it for other users):
/// Microsoft Graph returns it so for some accounts (microsoftgraph/microsoft-graph-docs-contrib
/// issue 2410), and whether the account is enabled is then not in the export. Read as absent,
/// the user was passed over by DEX102 with nothing said. Rules that need it list the user as
/// not evaluated.
fn null_account_enabled(users: &mut crate::model::Collection) {
    // Whether the list gives `accountEnabled` at all: without it (`$select` left it out), the
    // rules that need it are not evaluated for the whole list.
    let listed = schema::USER
        .field_index("enabled")
        .and_then(|i| users.fields_seen.get(i))
        .is_some_and(|seen| *seen);
    if !listed {
        return;
    }
    unknown_where(users, "enabled", |u, enabled, id| {
        let who = named(u.text("upn"), id);
        // Given as null, or not given (missing from this user, or not a boolean) where the
        // list gives it for others.
        let how = match enabled.loc() {
            Some(_) => format!("gives `accountEnabled` of user {who} as null"),
            None => format!("does not give a boolean `accountEnabled` of user {who}"),
        };
        Some(format!(
            "the export {how}: whether the account is enabled is unknown"
        ))
    });
}

/// Makes `field` unknown in each record of `c` where it is null and `why` (given the record,
/// the field and the record's identity) gives a reason: a gap naming the record, at the field
/// (else the record), says why. The records are judged in parallel (hundreds of thousands of
/// users or machines).
fn unknown_where(
    c: &mut crate::model::Collection,
    field: &'static str,
    why: impl Fn(&Record, &Field, &str) -> Option<String> + Sync,
) {
    unknown_if(c, field, Field::is_null, why);
}

/// [`unknown_where`] for the values `which` picks (a value that tells nothing, as well as
/// null).
fn unknown_if(
    c: &mut crate::model::Collection,
    field: &'static str,
    which: impl Fn(&Field) -> bool + Sync,
    why: impl Fn(&Record, &Field, &str) -> Option<String> + Sync,
) {
    let unknown: Vec<(usize, Gap)> = c
        .records
        .par_iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let value = r.get(field).filter(|f| which(f))?;
            let id = r.identity().unwrap_or("?");
            let reason = why(r, value, id)?;
            let gap = Gap {
                field: Some(field),
                entity: Some(id.to_string()),
                reason,
                loc: value.loc().or(r.loc()),
                in_value: true,
                unlisted: false,
            };
            Some((i, gap))
        })
        .collect();
    for (i, gap) in unknown {
        if let Some(r) = c.records.get_mut(i) {
            let loc = r.get(field).and_then(Field::loc);
            r.set(field, Value::Unknown, loc);
        }
        c.gaps.push(gap);
    }
}

/// Whether a record comes from a Terraform plan or an ARM template (its `source`): the
/// resources they manage, not a list of the tenant's.
/// Of the groups a Terraform plan names only by object id (`stand_ins`), those whose id a group
/// of `groups` has (another source gives it), with the gaps on their names: the plan's members
/// join that group (see [`join_stand_in`]). The others are added to `groups`.
fn take_stand_ins(
    groups: &mut Vec<Record>,
    stand_ins: &mut Vec<Record>,
    gaps: &mut Vec<Gap>,
) -> Vec<Record> {
    let id = |g: &Record| g.identity().unwrap_or_default().to_ascii_lowercase();
    let given: HashSet<String> = groups.iter().map(id).collect();
    let (taken, kept): (Vec<Record>, Vec<Record>) = std::mem::take(stand_ins)
        .into_iter()
        .partition(|g| given.contains(&id(g)));
    groups.extend(kept);
    for g in &taken {
        let loc = g.get("name").and_then(Field::loc);
        let key = id(g);
        gaps.retain(|gap| {
            gap.field != Some("name")
                || gap.loc != loc
                || !gap
                    .entity
                    .as_ref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(&key))
        });
    }
    taken
}

/// Adds the members of `g`, a group a Terraform plan names only by object id (those the plan
/// adds), to the group of its id, when the export lists that group's members: members the
/// export does not list stay so.
fn join_stand_in(groups: &mut [Record], mut g: Record) {
    let key = g.identity().unwrap_or_default().to_string();
    let Some(Value::Records(added)) = g.take("members").map(Field::into_value) else {
        return;
    };
    let target = groups
        .iter_mut()
        .find(|o| o.identity().is_some_and(|i| i.eq_ignore_ascii_case(&key)));
    let Some(target) = target else {
        return;
    };
    if let Some(f) = target.take("members") {
        let loc = f.loc();
        let value = match f.into_value() {
            Value::Records(mut l) => {
                l.extend(added);
                Value::Records(l)
            }
            v => v,
        };
        target.set("members", value, loc);
    }
}

fn declared(r: &Record) -> bool {
    matches!(
        r.get("source").and_then(Field::as_str),
        Some("terraform" | "arm-template")
    )
}

/// Makes unknown the antivirus mode of each machine, onboarded or of an onboarding status the
/// export does not give, that the export's antivirus data
/// (`deviceavinfo` rows, `Get-MpComputerStatus`) does not give, when it has any: a machine
/// missing from a whole antivirus health report (Windows Server 2012 R2 and 2016 are in it only
/// when onboarded with the modern unified solution, Defender for Endpoint's device health API
/// page), or whose row gives no mode. A rule on the mode then lists the machine as not
/// evaluated instead of passing it. Without any antivirus data the mode is absent from the
/// whole collection, and rules on it are not evaluated at all. An iOS or Android machine
/// ([`formats::mde::mobile`]) has no antivirus mode: its mode stays absent. The mode `other`
/// (`avMode` `"3"` or `""`, the report's Other) tells neither active nor passive: it is unknown
/// too, whether the machine is onboarded or known from its row alone.
fn unknown_av_modes(devices: &mut crate::model::Collection) {
    use rayon::prelude::*;
    let told = |d: &Record| {
        d.get("av_mode")
            .is_some_and(|f| f.loc().is_some() || !f.is_null())
    };
    if !devices.records.par_iter().any(told) {
        return;
    }
    let other = |f: &Field| f.as_str() == Some("other");
    unknown_if(
        devices,
        "av_mode",
        |f| f.is_null() || other(f),
        |d, mode, id| {
            let name = named(d.text("name"), id);
            if other(mode) {
                return Some(format!(
                    "the antivirus health report gives machine {name} the mode Other (`avMode` \
                 `3` or empty), which is neither active nor passive: its antivirus mode is \
                 unknown"
                ));
            }
            // Onboarded, or of an onboarding status the export does not give (absent, or
            // null): a machine known not to be onboarded runs no antivirus the service sees.
            if d.get("onboarding")
                .and_then(Field::as_str)
                .is_some_and(|o| o != "Onboarded")
                || d.text("os").is_some_and(formats::mde::mobile)
            {
                return None;
            }
            Some(match mode.loc() {
                Some(_) => format!(
                    "the antivirus data of machine {name} (`deviceavinfo` or \
                 `Get-MpComputerStatus`) gives no mode dexlint reads"
                ),
                None => format!(
                    "machine {name} is not in the export's antivirus data (`deviceavinfo`, \
                 `Get-MpComputerStatus`): its antivirus mode is not known"
                ),
            })
        },
    );
}

/// Completes each device's device group from the device group list: a machine that gives
/// only its group's id (`rbacGroupId`) or only its name (`rbacGroupName`) takes the other from
/// the group of the list that has it. A device that gives neither, from the machine list or its
/// antivirus row (a machine list `$select`ed without them, a `Get-MpComputerStatus` that
/// matches no machine), has both unknown while it may be in the scoped device group (the
/// device group list has it, or is not exported whole): a rule on its group lists it as not
/// evaluated instead of judging it outside every group (DEX204 passed it, DEX007 found the
/// scoped group empty). A machine outside every device group gives `rbacGroupId` `0` and
/// `rbacGroupName` null (the machine resource's example): its group is known to be none.
fn machine_groups(model: &mut TenantModel) {
    let list = model.collection("device_groups").filter(|c| c.present);
    let may_be_scoped = list.is_none_or(|c| {
        c.partial.is_some()
            || !c.lost.is_empty()
            || c.gaps.iter().any(|g| g.entity.is_none())
            || c.records
                .iter()
                .any(|g| g.text("name") == Some(formats::mde::SCOPED_DEVICE_GROUP))
    });
    let groups: Vec<(ArcStr, ArcStr, Option<Loc>)> = list
        .map_or(&[][..], |c| &c.records[..])
        .iter()
        .filter_map(|g| match (g.get("id")?.value(), g.get("name")?.value()) {
            (ValueRef::Str(id), ValueRef::Str(name)) => Some((id.clone(), name.clone(), g.loc())),
            _ => None,
        })
        .collect();
    let Some(devices) = model.collection_mut("devices").filter(|c| c.present) else {
        return;
    };
    // The one group of the list with `value` as its id (`by_id`) or name.
    let one = |value: &str, by_id: bool| {
        let mut found = groups.iter().filter(|(id, name, _)| {
            let key = if by_id { id } else { name };
            key.as_str() == value
        });
        match (found.next(), found.next()) {
            (Some(g), None) => Some(g.clone()),
            _ => None,
        }
    };
    for d in &mut devices.records {
        let given = |name| d.get(name).and_then(|f| Some((f.as_str()?, f.loc())));
        // The field to set, from the group of the list the other one names, located there.
        let found = match (given("group_id"), given("group")) {
            (Some((id, loc)), None) => one(id, true).map(|(_, name, _)| ("group", name, loc)),
            (None, Some((name, loc))) => one(name, false).map(|(id, _, _)| ("group_id", id, loc)),
            _ => None,
        };
        if let Some((field, value, loc)) = found {
            d.set(field, Value::Str(value), loc);
        }
    }
    if !may_be_scoped {
        return;
    }
    let no_group = |d: &Record| {
        ["group", "group_id"]
            .iter()
            .all(|f| d.get(f).is_none_or(|v| v.is_null() || v.is_unknown()))
    };
    let why = |d: &Record, id: &str| {
        let name = named(d.text("name"), id);
        Some(match d.text("id") {
            Some(_) => format!(
                "the export does not give the device group of machine {name} \
                 (`rbacGroupName`, `rbacGroupId`; a machine list `$select`ed without them, and \
                 no antivirus row that gives them): export `/api/machines` with them"
            ),
            None => format!(
                "computer {name} (`Get-MpComputerStatus`) matches no Defender for Endpoint \
                 machine of the export, so its device group is not known: export \
                 `/api/machines` with it, or its antivirus health (`/api/deviceavinfo`)"
            ),
        })
    };
    unknown_where(devices, "group", |d, _, id| {
        no_group(d).then(|| why(d, id))?
    });
    unknown_where(devices, "group_id", |d, _, id| {
        no_group(d).then(|| why(d, id))?
    });
}

impl Assembler {
    /// Joins the antivirus modes known by device name to the machines (see
    /// [`Builder::add_av_mode_by_name`]), in walk order.
    fn join_av_by_name(&mut self, model: &TenantModel) {
        // A machine list read whole (no page missing, no file of it lost) lists every device
        // the tenant has onboarded: a computer it lacks is not one (see
        // [`Assembler::unlisted_statuses`]).
        let whole_list = self.whole_machine_list(model);
        let mut unlisted: Vec<(String, Loc)> = Vec::new();
        for (name, mode, loc, stub) in std::mem::take(&mut self.av_by_name) {
            let wanted = name.to_ascii_lowercase();
            let qualified = wanted.contains('.');
            let short = |n: &str| n.split('.').next().unwrap_or("").to_string();
            let matches: Vec<usize> = self
                .devices
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    let Some(n) = d.get("name").and_then(Field::as_str) else {
                        return false;
                    };
                    let n = n.to_ascii_lowercase();
                    if qualified {
                        n == wanted || (!n.contains('.') && n == short(&wanted))
                    } else {
                        short(&n) == wanted
                    }
                })
                .map(|(i, _)| i)
                .collect();
            // Of the entities of one reinstalled or renamed device (the old one stays,
            // `Inactive`), the one that still reports.
            let reporting: Vec<usize> = matches
                .iter()
                .copied()
                .filter(|i| {
                    self.devices
                        .get(*i)
                        .is_some_and(|d| d.text("health") != Some("Inactive"))
                })
                .collect();
            let matches = match reporting.as_slice() {
                [one] if matches.len() > 1 => vec![*one],
                _ => matches,
            };
            match matches.as_slice() {
                [] => match (&whole_list, stub.loc()) {
                    (Some(_), Some(at)) => unlisted.push((name, at)),
                    _ => {
                        let mut stub = stub;
                        stub.set("av_mode", mode, Some(loc));
                        self.devices.push(stub);
                    }
                },
                [i] => {
                    if let Some(d) = self.devices.get_mut(*i) {
                        if d.get("av_mode").is_some_and(Field::is_null) {
                            d.set("av_mode", mode, Some(loc));
                        }
                    }
                }
                several => {
                    let Some(file) = model.files.get(loc.file() as usize) else {
                        continue;
                    };
                    let of: Vec<&Record> = several
                        .iter()
                        .filter_map(|i| self.devices.get(*i))
                        .collect();
                    let names: Vec<&str> = of
                        .iter()
                        .filter_map(|d| d.get("name").and_then(Field::as_str))
                        .collect();
                    let one_name = names
                        .first()
                        .filter(|n| names.iter().all(|m| m.eq_ignore_ascii_case(n)));
                    let message = match one_name {
                        // Entities of one device: a fully qualified name matches them all too.
                        Some(one) => {
                            let ids: Vec<&str> = of.iter().filter_map(|d| d.identity()).collect();
                            format!(
                                "computer `{name}` matches {} machines that are entities of one \
                                 device, `{one}` (`{}`: a reinstalled or renamed device gets a \
                                 new entity and the old one stays, `healthStatus` `Inactive`), \
                                 and {} of them still reports: its antivirus mode was joined to \
                                 none",
                                several.len(),
                                ids.join("`, `"),
                                if reporting.is_empty() {
                                    "none"
                                } else {
                                    "more than one"
                                }
                            )
                        }
                        None => format!(
                            "computer `{name}` matches {} machines (`{}`): its antivirus mode \
                             was joined to none; export it with its fully qualified name \
                             (`Invoke-Command -ComputerName <FQDN>`)",
                            several.len(),
                            names.join("`, `")
                        ),
                    };
                    self.diagnostics.push(LoadDiagnostic {
                        level: DiagLevel::Warning,
                        file: file.path.clone(),
                        root: file.root,
                        line: None,
                        column: None,
                        message,
                        snippet: None,
                    });
                }
            }
        }
        if let Some(list) = whole_list {
            self.unlisted_statuses(model, &list, &unlisted);
        }
    }

    /// The file of the Defender for Endpoint machine list when the export has one read whole:
    /// machines were listed, no page of the list is missing or cut short (a gap on the devices
    /// as a whole) and no file of the devices failed to load. None otherwise.
    fn whole_machine_list(&self, model: &TenantModel) -> Option<String> {
        let devices = model.collection("devices")?;
        let cut = devices
            .gaps
            .iter()
            .any(|g| g.entity.is_none() && g.field.is_none());
        if cut || !devices.lost.is_empty() {
            return None;
        }
        let first = self.machine_files.iter().min()?;
        Some(model.files.get(*first as usize)?.path.clone())
    }

    /// Notes at each `Get-MpComputerStatus` result whose computer matches no machine of the
    /// whole machine list `list`: it is not a device onboarded to Defender for Endpoint, so it
    /// is left out of the devices (neither Defender for Endpoint's deployment mode nor a rule
    /// on devices judges it).
    fn unlisted_statuses(&mut self, model: &TenantModel, list: &str, unlisted: &[(String, Loc)]) {
        let places = Places::new(model, unlisted.iter().map(|(_, at)| *at).collect());
        for (name, at) in unlisted {
            let note = places.diagnostic(
                DiagLevel::Note,
                Some(*at),
                format!(
                    "computer `{name}` matches no machine of the Defender for Endpoint machine \
                     list (`{list}`, read whole): it is not an onboarded device, so its \
                     antivirus mode is left out of Defender for Endpoint's deployment mode and \
                     of the devices rules judge; if it is a machine of the list under another \
                     name (an IP address, an alias), export it by its `computerDnsName` \
                     (`Invoke-Command -ComputerName <computerDnsName>`)"
                ),
            );
            self.diagnostics.extend(note);
        }
    }

    /// A members list whose group is not in the export: a warning at its file, naming the id
    /// (and the group whose name it is, when the folder was named after the group's name).
    fn unattached_members(
        &mut self,
        model: &TenantModel,
        entry: &(String, Option<Loc>, ThinVec<Record>),
    ) {
        let (gid, loc, _) = entry;
        let Some(file) = loc.and_then(|l| model.files.get(l.file() as usize)) else {
            return;
        };
        let named = self.groups.iter().find(|g| {
            g.get("name")
                .and_then(Field::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(gid))
        });
        let hint = match named.and_then(|g| g.get("id")).and_then(Field::as_str) {
            Some(id) => format!(
                "; a group is named `{gid}`: members are filed by the group's id, so save them \
                 under its id `{id}` (groups/{id}/members.json)"
            ),
            None => "; export the group itself (its list or its object) with its members, or \
                     file the members under the id of an exported group"
                .to_string(),
        };
        self.diagnostics.push(LoadDiagnostic {
            level: DiagLevel::Warning,
            file: file.path.clone(),
            root: file.root,
            line: None,
            column: None,
            message: format!(
                "no group with id `{gid}` in the export: the members in this file were not \
                 attached to any group{hint}"
            ),
            snippet: None,
        });
    }
}

/// The gap of an EntraExporter export whose groups are all dynamic: `Export-Entra` without
/// `-All` or `-Type Groups` exports its default `Config` type, whose groups are the dynamic
/// ones only (microsoft/EntraExporter `src/Get-EEDefaultSchema.ps1`: the `Config` tag is on the
/// `groupTypes/any(c:c eq 'DynamicMembership')` list; assigned groups and their members are
/// tagged `All` and `Groups`). The assigned groups, the scoped user group among them, may then
/// be missing: the groups list is incomplete, not a list without them. An export with users or
/// group members (`files`) was made with more than `Config`: its dynamic groups are all it has.
fn entra_exporter_config_only(groups: &[Record], files: &[SourceFile]) -> Option<Gap> {
    let mut exported = groups
        .iter()
        .filter(|g| g.get("source").and_then(Field::as_str) == Some("entra-exporter"))
        .peekable();
    let first = exported.peek().map(|g| g.loc())?;
    let all_dynamic = exported.all(|g| {
        matches!(
            g.get("dynamic").map(|f| f.value()),
            Some(ValueRef::Bool(true))
        )
    });
    // Users or group members were exported: the types that hold assigned groups too.
    let fuller = || {
        files
            .iter()
            .any(|f| formats::entra_exporter::user_or_member_path(&f.path))
    };
    (all_dynamic && !fuller()).then(|| Gap {
        field: None,
        entity: None,
        reason: "every group of the EntraExporter export is dynamic, as `Export-Entra` without \
                 `-All` or `-Type Groups` exports them: assigned groups (the scoped user group \
                 among them) and their members are not in it (export with `-All`)"
            .into(),
        loc: first,
        in_value: false,
        unlisted: false,
    })
}

/// Gives each group of a list export that no members list was found for its members, once
/// every file is read: an EntraExporter group none (Export-Entra writes a group's members under
/// its `Members/` folder, one file each: a group without that folder has none), but a dynamic
/// one unknown members, with a gap (microsoft/EntraExporter `src/Get-EEDefaultSchema.ps1`: the
/// groups filtered on `DynamicMembership` have an `Owners` child only, the others `Owners` and
/// `Members`), the group of
/// any other list (Graph, the Graph PowerShell SDK, the az CLI) unknown members, with the gaps
/// this returns: its members are exported with one command per group
/// (`groups/<group id>/members.json`), and a group the export has no such file for is not shown
/// to have none. A rule that reads them lists that group as not evaluated instead of judging an
/// empty list (DEX007 passed a scoped group whose members file was missing). `lost` are the
/// files of groups that failed to load: a group's own says why. Groups a Terraform plan or an
/// ARM template declares say what they say of their members.
fn unexported_members(groups: &mut [Record], lost: &[String]) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let absent = |g: &Record| {
        g.get("members")
            .is_none_or(|f| f.is_null() && f.loc().is_none())
    };
    for g in groups.iter_mut().filter(|g| absent(g)) {
        let dynamic = matches!(
            g.get("dynamic").map(|f| f.value()),
            Some(ValueRef::Bool(true))
        );
        match g.get("source").and_then(Field::as_str) {
            Some("entra-exporter") if !dynamic => {
                g.set("members", Value::Records(Default::default()), g.loc());
            }
            Some("entra-exporter") => {
                let id = g.identity().unwrap_or_default().to_string();
                gaps.push(Gap {
                    field: Some("members"),
                    entity: Some(id.clone()),
                    reason: format!(
                        "group {} has dynamic membership, and EntraExporter exports the members \
                         of assigned groups only (its schema gives dynamic groups no `Members`): \
                         its members are not in the export (export them with `GET \
                         /groups/{id}/members` to `groups/{id}/members.json`)",
                        named(g.text("name"), &id)
                    ),
                    loc: g.loc(),
                    in_value: true,
                    unlisted: false,
                });
                g.set("members", Value::Unknown, g.loc());
            }
            Some("terraform" | "arm-template") => {}
            _ => {
                let id = g.identity().unwrap_or_default().to_string();
                let name = named(g.text("name"), &id);
                // A members file of the group that failed to load (its folder is the id).
                let folder = format!("/{}/", id.to_ascii_lowercase());
                let failed = lost
                    .iter()
                    .find(|f| format!("/{}", f.to_ascii_lowercase()).contains(&folder));
                let reason = match failed {
                    Some(f) => format!("the members file of group {name}, `{f}`, failed to load"),
                    None => format!(
                        "the members of group {name} are not in the export (export them to \
                         `groups/{id}/members.json`)"
                    ),
                };
                gaps.push(Gap {
                    field: Some("members"),
                    entity: Some(id.clone()),
                    reason,
                    loc: g.loc(),
                    in_value: true,
                    unlisted: false,
                });
                g.set("members", Value::Unknown, g.loc());
            }
        }
    }
    gaps
}

/// Makes unknown the members of each group whose members list holds only some of them (see
/// [`Gap::in_value`]) and none: such a list shows nothing of them.
fn unknown_when_empty(groups: &mut [Record], gaps: &[Gap]) {
    let partial: HashSet<&str> = gaps
        .iter()
        .filter(|g| g.in_value && g.field == Some("members"))
        .filter_map(|g| g.entity.as_deref())
        .collect();
    if partial.is_empty() {
        return;
    }
    for g in groups.iter_mut() {
        let empty = matches!(
            g.get("members").map(|f| f.value()),
            Some(ValueRef::Records(l)) if l.items().is_empty()
        );
        if empty && g.identity().is_some_and(|id| partial.contains(id)) {
            let loc = g.get("members").and_then(Field::loc);
            g.set("members", Value::Unknown, loc);
        }
    }
}

/// Removes the Azure subscriptions that a subscription list says are disabled, deleted or
/// expired (`state`, see [`formats::arm::INACTIVE_SUBSCRIPTION_STATES`]): they run no machines,
/// so they are no cloud accounts to cover, whatever other files (their pricings) say of them.
/// The list noted each where it gives its state. Returns their identities, whose gaps go with them.
fn inactive_subscriptions(accounts: &mut Vec<Record>) -> Vec<String> {
    let mut gone = Vec::new();
    accounts.retain(|a| {
        let inactive = a.get("environment").and_then(Field::as_str) == Some("Azure")
            && a.get("state")
                .and_then(Field::as_str)
                .is_some_and(|s| formats::arm::INACTIVE_SUBSCRIPTION_STATES.contains(&s));
        if inactive {
            gone.push(a.identity().unwrap_or_default().to_string());
        }
        !inactive
    });
    gone
}

/// Removes the Azure subscriptions of other tenants than the export's: a list of subscriptions
/// (`az account list`, `Get-AzSubscription`) holds every subscription the signed-in identity
/// sees, of every tenant it signed in to (a service provider's customers, a guest's other
/// directories), and gives each its tenant (`tenant_id`). When the export's organization tells
/// its tenant, each subscription of another tenant is noted, naming it, and left out with
/// whatever other files say of it; returns their identities, whose gaps and resource-level
/// pricings go with them. Without an organization, subscriptions of several tenants are a
/// warning: which is the export's, nothing tells, and every one is judged.
fn other_tenants(
    model: &TenantModel,
    accounts: &mut Vec<Record>,
    organizations: &[(String, Loc)],
) -> (Vec<String>, Vec<LoadDiagnostic>) {
    let tenant_of = |a: &Record| {
        a.get("tenant_id")
            .filter(|_| a.get("environment").and_then(Field::as_str) == Some("Azure"))
            .and_then(|t| Some((t.as_str()?.to_string(), t.loc())))
    };
    let mut known: Vec<&str> = organizations.iter().map(|(t, _)| t.as_str()).collect();
    known.sort_unstable();
    known.dedup();
    let Some((_, first_org)) = organizations.first() else {
        // Each tenant the lists give, with its subscriptions' count, in order of appearance.
        let mut tenants: Vec<(String, usize, Option<Loc>)> = Vec::new();
        for (t, loc) in accounts.iter().filter_map(tenant_of) {
            match tenants.iter_mut().find(|(seen, ..)| *seen == t) {
                Some(entry) => entry.1 += 1,
                None => tenants.push((t, 1, loc)),
            }
        }
        let Some((_, _, at)) = tenants.get(1) else {
            return (Vec::new(), Vec::new());
        };
        let listed: Vec<String> = tenants
            .iter()
            .map(|(t, n, _)| match n {
                1 => format!("`{t}` (1 subscription)"),
                n => format!("`{t}` ({n} subscriptions)"),
            })
            .collect();
        let warning = Places::new(model, at.iter().copied().collect()).warning(
            *at,
            format!(
                "the lists of subscriptions hold subscriptions of {} tenants ({}), and the \
                 export has no organization to tell its own (`GET /organization`, saved as \
                 `graph/organization.json`): every one is judged as this tenant's; export the \
                 tenant's own (`az account list --query \"[?tenantId=='<tenant id>']\"`, \
                 `Get-AzSubscription -TenantId <tenant id>`), or its organization",
                tenants.len(),
                listed.join(", ")
            ),
        );
        return (Vec::new(), warning.into_iter().collect());
    };
    let mut gone: Vec<(String, String, Option<Loc>)> = Vec::new();
    accounts.retain(|a| {
        let Some((t, loc)) = tenant_of(a).filter(|(t, _)| !known.contains(&t.as_str())) else {
            return true;
        };
        let id = a.identity().unwrap_or_default().to_string();
        let shown = named(a.get("name").and_then(Field::as_str), &id);
        gone.push((id, format!("subscription {shown} is of tenant `{t}`"), loc));
        false
    });
    if gone.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let places = Places::new(
        model,
        gone.iter()
            .filter_map(|g| g.2)
            .chain([*first_org])
            .collect(),
    );
    let ours = known
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let org = places.place(Some(*first_org));
    let notes = gone
        .iter()
        .filter_map(|(_, whose, loc)| {
            places.diagnostic(
                DiagLevel::Note,
                *loc,
                format!(
                    "{whose}, not of the export's tenant ({ours}, the organization in {org}): \
                     a list of subscriptions holds every subscription the signed-in identity \
                     sees, of every tenant it signed in to, so it is left out, and no rule \
                     judges it or its machines"
                ),
            )
        })
        .collect();
    (gone.into_iter().map(|g| g.0).collect(), notes)
}

/// Removes the resource-level pricings (of machines, of resource groups) of the subscriptions
/// [`inactive_subscriptions`] and [`other_tenants`] left out, and their gaps: a disabled
/// subscription's machines are deallocated, a deleted one's deleted, another tenant's are not
/// the export's, so no rule judges them either (DEX304 reported a machine of a disabled
/// subscription while a note said no rule judges it).
fn machines_of_inactive_subscriptions(c: &mut crate::model::Collection, gone: &[String]) {
    if gone.is_empty() {
        return;
    }
    let inactive = |sub: &str| gone.iter().any(|g| g.eq_ignore_ascii_case(sub));
    c.records.retain(|p| {
        !p.get("subscription")
            .and_then(Field::as_str)
            .is_some_and(inactive)
    });
    c.gaps.retain(|g| {
        !g.entity
            .as_deref()
            .and_then(formats::arm::subscription_of)
            .is_some_and(|s| inactive(&s))
    });
}

/// Drops the gap of a machine's (or resource group's) pricings list whose further pages are
/// missing when its Defender for Servers pricing is on a page that was read: the list holds one
/// pricing per plan, so the missing pages hold other plans', which no rule reads. Without it,
/// what the missing pages hold may be that pricing: the scope is not evaluated (the warning at
/// the list's `nextLink` stays either way).
fn listed_on_a_read_page(c: &mut crate::model::Collection) {
    let records = &c.records;
    c.gaps.retain(|g| {
        let Some(scope) = g.entity.as_deref().filter(|_| g.field.is_none()) else {
            return true;
        };
        !records.iter().any(|p| {
            p.identity()
                .is_some_and(|id| id.eq_ignore_ascii_case(scope))
        })
    });
}

/// Settles the gaps of [`formats::arm`]'s `coverage` (a subscription whose Defender
/// for Servers pricing says some of its machines have a pricing of their own): a resource-level
/// pricing of that subscription in the export that is not inherited is such a pricing, and
/// DEX304 judges it; of a subscription whose plan is on (`standard`: their ids), only one that
/// turns the plan off is (a machine with `Standard` of its own is covered: the status says
/// another is not). Without one, the subscription's machines are not evaluated, the reason
/// naming the status; without any resource-level pricing in the export, the rules that read them
/// are not evaluated for that reason (the first such subscription's) rather than for "no
/// pricings in the export".
fn coverage_explained(c: &mut crate::model::Collection, standard: &[String]) {
    let records = &c.records;
    let explained = |sub: &str| {
        let on = standard.iter().any(|s| s.eq_ignore_ascii_case(sub));
        records.iter().any(|p| {
            p.get("subscription")
                .and_then(Field::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(sub))
                && !matches!(
                    p.get("inherited").map(Field::value),
                    Some(ValueRef::Bool(true))
                )
                && !(on && p.get("tier").and_then(Field::as_str) == Some("Standard"))
        })
    };
    // The gaps `coverage` made: of a subscription (`/subscriptions/<id>`), no field.
    let subscription_of = |g: &Gap| {
        g.entity
            .as_deref()
            .filter(|_| g.field.is_none())
            .and_then(|e| e.strip_prefix("/subscriptions/"))
            .filter(|s| !s.contains('/'))
            .map(str::to_string)
    };
    c.gaps
        .retain(|g| subscription_of(g).is_none_or(|sub| !explained(&sub)));
    if !c.present {
        if let Some(gap) = c.gaps.iter_mut().find(|g| subscription_of(g).is_some()) {
            gap.entity = None;
            c.present = true;
        }
    }
}

/// Makes unknown what no file of the export told of an Azure subscription: its Defender for
/// Servers pricing (`servers_tier`) and its endpoint protection setting (`mde_integration`).
/// An export of a subscription's pricings without its settings (or the reverse), or a template
/// or plan that deploys only one of them, does not show the other to be off: rules that need
/// it list the subscription as not evaluated, with the gaps this returns, instead of judging
/// an absent value (DEX302 reported "tier `none`", DEX303 passed). Fields a run does not read
/// are left as they are.
fn unexported_azure_settings(account: &mut Record) -> Vec<Gap> {
    if account.get("environment").and_then(Field::as_str) != Some("Azure") {
        return Vec::new();
    }
    let id = account.identity().unwrap_or_default().to_string();
    // The subscription as reasons name it: its display name too, when the export gives it.
    let who = named(account.get("name").and_then(Field::as_str), &id);
    let source = account
        .get("source")
        .and_then(Field::as_str)
        .unwrap_or_default()
        .to_string();
    let mut gaps = Vec::new();
    for (field, what, list, resource) in [
        (
            "servers_tier",
            "Defender for Servers pricing (`VirtualMachines`)",
            "pricings",
            "azurerm_security_center_subscription_pricing",
        ),
        (
            "mde_integration",
            "endpoint protection setting (`WDATP`)",
            "settings",
            "azurerm_security_center_setting",
        ),
    ] {
        if !account.get(field).is_some_and(Field::is_null) {
            continue;
        }
        let reason = match source.as_str() {
            "terraform" => format!(
                "the plan has no {what} of Azure account {who} (no `{resource}` resource, nor \
                 an azapi `Microsoft.Security/{list}` one): it is as the subscription has it"
            ),
            "arm-template" => format!(
                "the template deploys no {what} of Azure subscription {who} (no \
                 `Microsoft.Security/{list}` resource): it is as the subscription has it"
            ),
            _ => format!(
                "the export has no {what} of Azure subscription {who} (provide GET \
                 /subscriptions/{id}/providers/Microsoft.Security/{list})"
            ),
        };
        account.set(field, Value::Unknown, None);
        gaps.push(Gap {
            field: Some(field),
            entity: Some(id.clone()),
            reason,
            loc: account.loc(),
            in_value: true,
            unlisted: false,
        });
    }
    gaps
}

/// The members of a group record.
fn members_of(g: &Record) -> &[Record] {
    match g.get("members").map(|f| f.value()) {
        Some(ValueRef::Records(l)) => l.items(),
        _ => &[],
    }
}

/// A member whose kind is not known (a Terraform object id, an object id in an ARM template).
fn kindless(m: &Record) -> bool {
    m.get("kind").is_some_and(|k| k.is_null() || k.is_unknown())
}

/// The records by lowercase id (object ids are GUIDs, written in either case), with their
/// display names.
fn ids(records: &[Record]) -> foldhash::HashMap<String, Option<ArcStr>> {
    records
        .iter()
        .filter_map(|r| match r.get("id").map(|f| f.value()) {
            Some(ValueRef::Str(s)) => Some((
                s.to_ascii_lowercase(),
                match r.get("name").map(|f| f.value()) {
                    Some(ValueRef::Str(n)) => Some(n.clone()),
                    _ => None,
                },
            )),
            _ => None,
        })
        .collect()
}

/// Gives members without a kind the kind `group` or `user` when their id is one, and its
/// display name when they have none.
fn resolve_member_kinds(
    g: &mut Record,
    groups: &foldhash::HashMap<String, Option<ArcStr>>,
    users: &foldhash::HashMap<String, Option<ArcStr>>,
) {
    let Some(i) = g.schema().field_index("members") else {
        return;
    };
    let Some(list) = g.field_mut(i).and_then(Field::records_mut) else {
        return;
    };
    for m in list.iter_mut().filter(|m| kindless(m)) {
        let id = m
            .get("id")
            .and_then(Field::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let (kind, name) = if let Some(n) = groups.get(&id) {
            ("group", n)
        } else if let Some(n) = users.get(&id) {
            ("user", n)
        } else {
            continue;
        };
        m.set("kind", Value::Str(kind.into()), None);
        if let (Some(n), true) = (name, m.get("name").is_none_or(Field::is_null)) {
            m.set("name", Value::Str(n.clone()), None);
        }
    }
}

/// Service plan ids of Microsoft's licensing reference that policies name, for exports that
/// carry user plans but no SKU catalogue.
const WELL_KNOWN_PLANS: &[(&str, &str)] = &[
    ("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"),
    ("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2"),
    ("871d91ec-ec1a-452b-a83f-bd76c7d770ef", "WINDEFATP"),
    (
        "8e0c0a52-6a6c-4d40-8370-dd62790dcd70",
        "THREAT_INTELLIGENCE",
    ),
    ("14ab5db5-e6c4-4b20-b4bc-13e36fd2227f", "ATA"),
    (
        "2e2ddb96-6af9-4b1d-a3f0-d6ecfd22edb2",
        "ADALLOM_S_STANDALONE",
    ),
];

/// Names each user's assigned plan from the SKUs' service plans (or the well-known ids).
fn resolve_plan_names(model: &mut TenantModel) {
    let mut names: foldhash::HashMap<String, ArcStr> = WELL_KNOWN_PLANS
        .iter()
        .map(|(id, n)| (id.to_string(), ArcStr::from(*n)))
        .collect();
    if let Some(skus) = model.collection("skus") {
        for s in &skus.records {
            if let Some(ValueRef::Records(plans)) = s.get("plans").map(|f| f.value()) {
                for p in plans.iter() {
                    if let (Some(id), Some(name)) = (
                        p.get("id").and_then(Field::as_str),
                        p.get("name").and_then(Field::as_str),
                    ) {
                        names.insert(id.to_ascii_lowercase(), ArcStr::from(name));
                    }
                }
            }
        }
    }
    let Some(users) = model.collection_mut("users") else {
        return;
    };
    // Field positions looked up once; the name found for each plan id string, by the string's
    // address (a file's equal strings are one allocation, so a tenant has few).
    let plan = &schema::ASSIGNED_PLAN;
    let (Some(plans_at), Some(id_at), Some(name_at)) = (
        schema::USER.field_index("plans"),
        plan.field_index("id"),
        plan.field_index("name"),
    ) else {
        return;
    };
    // Users in parallel, by chunks: each plan's name depends on its own id only. Each chunk
    // gets its own copy of a name, so that the threads do not count references to one string
    // (the count's cache line would go back and forth between cores).
    users.records.par_chunks_mut(1 << 12).for_each(|chunk| {
        let mut found: foldhash::HashMap<*const u8, Option<ArcStr>> = Default::default();
        let mut resolve = |plans: &mut [Record]| {
            for p in plans.iter_mut().filter(|p| std::ptr::eq(p.schema(), plan)) {
                let Some(ValueRef::Str(id)) = p.field(id_at).map(|f| f.value()) else {
                    continue;
                };
                let name = found
                    .entry(id.as_ptr())
                    .or_insert_with(|| {
                        names
                            .get(id.as_str())
                            .or_else(|| names.get(&id.to_ascii_lowercase()))
                            .map(|n| ArcStr::from(n.as_str()))
                    })
                    .clone();
                if let (Some(name), Some(slot)) = (name, p.field_mut(name_at)) {
                    *slot = Field::new(Value::Str(name), None);
                }
            }
        };
        // A list users share is resolved once: (the list, the list with names) by the
        // list's address (the list is kept, so that no other takes its address).
        let mut shared: foldhash::HashMap<usize, (SharedRecords, SharedRecords)> =
            Default::default();
        for u in chunk.iter_mut() {
            if !std::ptr::eq(u.schema(), &schema::USER) {
                continue;
            }
            let Some(field) = u.field_mut(plans_at) else {
                continue;
            };
            if let Some(plans) = field.records_mut() {
                resolve(plans);
            } else if let Some(own) = field.shared_mut().and_then(std::sync::Arc::get_mut) {
                // A list no other user holds (its plans were assigned on other dates, and a
                // policy reads the dates) is named where it is.
                resolve(own);
            } else if let Some(list) = field.shared_mut() {
                let (_, named) = shared
                    .entry(std::sync::Arc::as_ptr(list) as usize)
                    .or_insert_with(|| {
                        let mut named = ThinVec::clone(list);
                        resolve(&mut named);
                        (list.clone(), SharedRecords::new(named))
                    });
                *list = named.clone();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn documented_paths() {
        for rel in [
            "graph/users.json",
            "graph/users-2.json",
            "exports/contoso/graph/users-00001.json",
            "Graph/subscribedSkus.json",
            "graph/groups/8f7e6d5c-4b3a-4291-8e7f-6a5b4c3d2e1f/members.json",
            "mde/machines.json",
            "mde/devicegroups.json",
            "azure/pricings-6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f.json",
            "azure/securityConnectors.json",
            "azure/subscriptions.json",
            "azure/6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f/pricings.json",
            "graph/sensors.json",
            "exo/Get-SafeAttachmentPolicy.json",
            "exports/contoso/exo/get-atppolicyforo365.json",
        ] {
            assert!(super::documented_path(rel), "{rel}");
        }
        for rel in [
            ".vscode/settings.json",
            "graph/usersettings.json",
            "graph/notes.json",
            "mde/users.json",
            "users.json",
            "terraform/plan.json",
            "graph/groups/members.json",
            "graph/users-schema.json",
            "azure/pricings-notes.json",
            "azure/notes/pricings.json",
            "exo/notes.json",
            "exo/Get-Mailbox.json",
        ] {
            assert!(!super::documented_path(rel), "{rel}");
        }
    }

    #[test]
    fn powershell_5_wraps_an_array_in_value_and_count() {
        let read = |text: &str| {
            let doc = super::tree::parse(text, super::tree::MAX_DEPTH).unwrap();
            let strings = super::json::Strings::default();
            let at = super::At::new(&doc, 0, &strings);
            super::powershell_array(&at).map(|a| a.items().len())
        };
        assert_eq!(read(r#"{"value": [{}, {}], "Count": 2}"#), Some(2));
        assert_eq!(read(r#"{"value": [], "Count": 0}"#), Some(0));
        // A Graph list, a third member, a value that is not an array: not the wrapper.
        assert_eq!(read(r#"{"@odata.context": "x", "value": []}"#), None);
        assert_eq!(read(r#"{"value": [], "Count": 0, "x": 1}"#), None);
        assert_eq!(read(r#"{"value": {}, "Count": 0}"#), None);
    }

    #[test]
    fn a_file_over_the_limit_is_never_opened() {
        // No such file: opening it would be the error.
        let found = super::walk::Found {
            root: 0,
            rel: "graph/users.json".into(),
            path: std::path::PathBuf::from("/nonexistent/dexlint/graph/users.json"),
            len: Some(3482),
        };
        let options = super::LoadOptions {
            max_file_bytes: Some(3000),
            ..super::LoadOptions::default()
        };
        let load = super::load_file(0, &found, &options);
        let messages: Vec<&str> = load
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            messages,
            ["file of 3482 bytes is larger than the 3000-byte limit; it was not read"]
        );
    }

    #[test]
    fn a_file_is_read_whole_whatever_size_it_was_found_at() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("users.json");
        let text: Vec<u8> = (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&path, &text).expect("written");
        // Found smaller (it grew), exact, larger (it shrank), empty; a buffer that held more.
        for len in [0, 3, 8191, 8192, 20_000, 20_001, 1 << 20] {
            let mut buffer = vec![b'x'; 50_000];
            let mut f = std::fs::File::open(&path).expect("opened");
            let n = super::read_into(&mut f, &mut buffer, len).expect("read");
            assert!(
                buffer.get(..n) == Some(&text[..]),
                "found at {len} bytes: read {n}"
            );
        }
    }
}
