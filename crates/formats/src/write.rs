//! Where an export's bytes go: into memory (standard output, or a folder
//! that will be refused once the articles' own problems are reported), or
//! into temp files in the `--out` folder, written as the articles are read
//! and renamed into place only once the whole export succeeded.

use super::{MANIFEST, OutFile, split, user};
use nhan_store::atomic::{self, AtomicFile, sync_dir};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files of an export as it is written, by path relative to `--out`.
/// The order in which paths first appear is the manifest's.
pub trait Files {
    /// Names a file, creating it empty if nothing is written to it.
    fn declare(&mut self, path: &str);
    /// Appends `bytes` to the file.
    fn write(&mut self, path: &str, bytes: &[u8]);
    /// Every path, in order.
    fn paths(&self) -> Vec<String>;
    /// What lets a worker thread write an article's own file before its
    /// turn comes ([`Files::adopt`] then takes it), if these files can.
    fn stager(&self) -> Option<Stager> {
        None
    }
    /// Takes a file a [`Stager`] wrote as `path`'s whole contents.
    fn adopt(&mut self, path: &str, staged: std::io::Result<tempfile::TempPath>);
}

/// Writes whole files into temp files of an export folder on any thread:
/// creating 20,000 files (a brat export of 10,000 articles) is much of the
/// file system's work, and it splits over the cores with the rendering.
#[derive(Debug, Clone)]
pub struct Stager {
    /// The export folder, absolute (a guard per file would otherwise ask
    /// for the working folder).
    dir: PathBuf,
    /// The random part of every temp name of this export: a file's temp
    /// name follows from its path, so the folder keeps no name per file (a
    /// brat export of 100,000 articles stages 200,000).
    random: std::sync::Arc<str>,
}

impl Stager {
    fn new(dir: &Path) -> Stager {
        Stager {
            dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
            random: atomic::random_part().into(),
        }
    }

    /// Where `path` (relative to the export folder) waits until commit:
    /// beside it, under a temp name a later export recognises and removes
    /// should this one be killed.
    fn temp_of(&self, path: &str) -> PathBuf {
        let p = self.dir.join(path);
        let base = p.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        p.with_file_name(atomic::temp_name(base, &self.random))
    }

    /// A temp file holding `bytes`, for the export's file `path`, removed
    /// when dropped unless the folder adopts it.
    pub fn stage(&self, path: &str, bytes: &[u8]) -> std::io::Result<tempfile::TempPath> {
        let t = self.temp_of(path);
        // Created exclusively: a file or symlink planted at the name is
        // neither followed nor truncated.
        let create = || {
            std::fs::File::options()
                .write(true)
                .create_new(true)
                .open(&t)
        };
        let mut f = match create() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(t.parent().unwrap_or(&self.dir))?;
                create()?
            }
            r => r?,
        };
        let guard = tempfile::TempPath::try_from_path(&t)?;
        f.write_all(bytes)?;
        if !atomic::SYNCS_FILE_SYSTEM {
            f.sync_all()?;
        }
        Ok(guard)
    }
}

/// Files held in memory.
#[derive(Default)]
pub struct Memory {
    files: Vec<OutFile>,
    index: HashMap<String, usize>,
}

impl Memory {
    pub fn into_files(self) -> Vec<OutFile> {
        self.files
    }

    fn slot(&mut self, path: &str) -> &mut OutFile {
        let i = match self.index.get(path) {
            Some(&i) => i,
            None => {
                self.files.push(OutFile {
                    path: path.to_string(),
                    bytes: Vec::new(),
                });
                self.index.insert(path.to_string(), self.files.len() - 1);
                self.files.len() - 1
            }
        };
        &mut self.files[i]
    }
}

impl Files for Memory {
    fn declare(&mut self, path: &str) {
        self.slot(path);
    }

    fn adopt(&mut self, path: &str, staged: std::io::Result<tempfile::TempPath>) {
        // Nothing stages for memory; should it, the bytes are read back.
        let bytes = staged.and_then(|t| std::fs::read(&t)).unwrap_or_default();
        self.write(path, &bytes);
    }

    fn write(&mut self, path: &str, bytes: &[u8]) {
        self.slot(path).bytes.extend_from_slice(bytes);
    }

    fn paths(&self) -> Vec<String> {
        self.files.iter().map(|f| f.path.clone()).collect()
    }
}

/// An export written into the `--out` folder as it goes: each file a temp
/// file beside its final name, renamed into place by [`Folder::commit`]
/// (after the earlier export there is cleared), or removed by
/// [`Folder::discard`], which leaves the folder as it was.
pub struct Folder {
    dir: PathBuf,
    /// Every file, in the manifest's order. Those not `open` were written
    /// whole (an article's own files) and closed, made durable by `finish`
    /// with the others; each waits at its [`Stager::temp_of`] name.
    order: Vec<String>,
    /// Declared files (a part's file), open for the articles still to come.
    open: HashMap<String, AtomicFile>,
    stager: Stager,
    error: Option<(PathBuf, std::io::Error)>,
    /// Folders this export made: they go again if it fails.
    made_dirs: Vec<PathBuf>,
    /// The folder, opened when the export starts: flushing the file system
    /// through it reports any write that failed since then.
    handle: Option<std::fs::File>,
}

impl Folder {
    /// `None` when `dir` will be refused or cannot be written: the export
    /// then reports that after the articles' own problems.
    pub fn start(dir: &Path) -> Option<Folder> {
        Folder::open(dir).ok()
    }

    /// A folder export into `dir`, which must pass [`check_folder`].
    pub fn open(dir: &Path) -> anyhow::Result<Folder> {
        check_folder(dir)?;
        let mut f = Folder {
            dir: dir.to_path_buf(),
            order: Vec::new(),
            open: HashMap::new(),
            stager: Stager::new(dir),
            error: None,
            made_dirs: Vec::new(),
            handle: None,
        };
        if let Err(e) = f.make_dirs(dir) {
            f.discard();
            return Err(user(format!("{}: cannot write: {e}", dir.display())));
        }
        f.handle = std::fs::File::open(dir).ok();
        Ok(f)
    }

    fn make_dirs(&mut self, dir: &Path) -> std::io::Result<()> {
        let mut missing = Vec::new();
        let mut d = Some(dir);
        while let Some(x) = d
            && !x.as_os_str().is_empty()
            && !x.exists()
        {
            missing.push(x.to_path_buf());
            d = x.parent();
        }
        std::fs::create_dir_all(dir)?;
        missing.reverse();
        self.made_dirs.extend(missing);
        Ok(())
    }

    fn fail(&mut self, path: PathBuf, e: std::io::Error) {
        if self.error.is_none() {
            self.error = Some((path, e));
        }
    }

    fn place(&mut self, path: &str) -> Option<PathBuf> {
        if self.error.is_some() {
            return None;
        }
        let p = self.dir.join(path);
        if let Some(parent) = p.parent()
            && let Err(e) = self.make_dirs(parent)
        {
            self.fail(p, e);
            return None;
        }
        Some(p)
    }

    /// Every byte written reaches the disk; the first error is the answer.
    pub fn finish(&mut self) -> anyhow::Result<()> {
        let closed = self.order.len() > self.open.len();
        if closed
            && self.error.is_none()
            && atomic::SYNCS_FILE_SYSTEM
            && let Err(e) = match &self.handle {
                Some(d) => atomic::sync_file_system(d),
                None => std::fs::File::open(&self.dir).and_then(|d| atomic::sync_file_system(&d)),
            }
        {
            self.error = Some((self.dir.clone(), e));
        }
        for path in &self.order {
            if let Some(f) = self.open.get_mut(path)
                && let Err(e) = f.sync()
            {
                let p = f.path().to_path_buf();
                self.error.get_or_insert((p, e));
                break;
            }
        }
        match &self.error {
            Some((p, e)) => Err(user(format!("{}: cannot write: {e}", p.display()))),
            None => Ok(()),
        }
    }

    /// Clears the earlier export in the folder and renames every file into
    /// place, then writes the manifest. Call [`Folder::finish`] first.
    pub fn commit(mut self, manifest: Manifest) -> anyhow::Result<()> {
        clear_old_export(&self.dir)?;
        let mut dirs = BTreeSet::new();
        for (done, path) in self.order.iter().enumerate() {
            let target = self.dir.join(path);
            let r = match self.open.remove(path) {
                Some(f) => f.commit(),
                None => std::fs::rename(self.stager.temp_of(path), &target),
            };
            if let Err(e) = r {
                // What was renamed stays; the temp files left go with `self`.
                self.order.drain(..done);
                return Err(user(format!("{}: cannot write: {e}", target.display())));
            }
            if let Some(d) = target.parent() {
                dirs.insert(d.to_path_buf());
            }
        }
        self.order.clear();
        for d in dirs {
            sync_dir(&d);
        }
        self.made_dirs.clear();
        write_manifest(&self.dir, manifest)
    }

    /// Removes what this export wrote; an earlier export stays whole.
    pub fn discard(mut self) {
        self.remove_staged();
        for d in self.made_dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        self.made_dirs.clear();
    }
}

impl Folder {
    /// Takes a staged file for `path` (placed at `p`): from now on the
    /// folder removes it, found by its path, if the export does not commit.
    fn keep(&mut self, path: &str, p: PathBuf, staged: std::io::Result<tempfile::TempPath>) {
        match staged {
            Ok(t) => {
                let _ = t.keep();
                self.order.push(path.to_string());
            }
            Err(e) => self.fail(p, e),
        }
    }

    /// Removes every temp file not renamed into place yet.
    fn remove_staged(&mut self) {
        for path in std::mem::take(&mut self.order) {
            if self.open.remove(&path).is_none() {
                let _ = std::fs::remove_file(self.stager.temp_of(&path));
            }
        }
        self.open.clear();
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        self.remove_staged();
        for d in self.made_dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
}

impl Files for Folder {
    fn declare(&mut self, path: &str) {
        if self.open.contains_key(path) {
            return;
        }
        let Some(p) = self.place(path) else { return };
        match AtomicFile::create(&p) {
            Ok(f) => {
                self.open.insert(path.to_string(), f);
                self.order.push(path.to_string());
            }
            Err(e) => self.fail(p, e),
        }
    }

    fn write(&mut self, path: &str, bytes: &[u8]) {
        if let Some(f) = self.open.get_mut(path) {
            if let Err(e) = f.write_all(bytes) {
                let p = f.path().to_path_buf();
                self.fail(p, e);
            }
            return;
        }
        let Some(p) = self.place(path) else { return };
        let staged = self.stager.stage(path, bytes);
        self.keep(path, p, staged);
    }

    fn stager(&self) -> Option<Stager> {
        Some(self.stager.clone())
    }

    fn adopt(&mut self, path: &str, staged: std::io::Result<tempfile::TempPath>) {
        let Some(p) = self.place(path) else { return };
        self.keep(path, p, staged);
    }

    fn paths(&self) -> Vec<String> {
        self.order.clone()
    }
}

/// A folder export may write to: new, empty, or holding an earlier export.
pub fn check_folder(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(user(format!(
            "--out {}: is a file; give a folder",
            dir.display()
        )));
    }
    if dir.is_dir() {
        let non_empty = std::fs::read_dir(dir)?
            .flatten()
            .any(|e| !is_stale_temp(&e.file_name().to_string_lossy()));
        if non_empty && !dir.join(MANIFEST).is_file() {
            return Err(user(format!(
                "--out {}: the folder is not empty and holds no earlier nhan export ({MANIFEST}); give a new or empty folder",
                dir.display()
            )));
        }
    }
    Ok(())
}

/// A temp file an export killed before it finished left behind (not one
/// of this process's).
fn is_stale_temp(name: &str) -> bool {
    atomic::temp_pid(name).is_some_and(|pid| pid != u64::from(std::process::id()))
}

/// Removes the files an earlier export in `dir` listed, so no stale article
/// survives, and what a killed export left behind.
fn clear_old_export(dir: &Path) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    // A killed export's temp files wait beside their final names: here and
    // in the parts' folders.
    let parts = split::PART_NAMES.iter().map(|p| dir.join(p));
    for d in std::iter::once(dir.to_path_buf()).chain(parts) {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if is_stale_temp(&e.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let mpath = dir.join(MANIFEST);
    if mpath.is_file() {
        let old: Value = serde_json::from_slice(&std::fs::read(&mpath)?).unwrap_or(Value::Null);
        let listed = old["files"].as_array().cloned().unwrap_or_default();
        for f in listed.iter().filter_map(Value::as_str) {
            if safe_relative(f) {
                let _ = std::fs::remove_file(dir.join(f));
            }
        }
        for sub in split::PART_NAMES {
            let _ = std::fs::remove_dir(dir.join(sub));
        }
    }
    Ok(())
}

/// Writes the manifest into what it is given (a large one is never held
/// whole).
pub type Manifest<'a> = &'a dyn Fn(&mut dyn Write) -> std::io::Result<()>;

fn write_manifest(dir: &Path, manifest: Manifest) -> anyhow::Result<()> {
    atomic::write_atomic_with(&dir.join(MANIFEST), manifest).map_err(|e| {
        user(format!(
            "{}: cannot write: {e}",
            dir.join(MANIFEST).display()
        ))
    })
}

/// Writes files held in memory into `dir`, under the same rules as a
/// [`Folder`] export.
pub fn write_folder(dir: &Path, files: &[OutFile], manifest: Manifest) -> anyhow::Result<()> {
    let mut f = Folder::open(dir)?;
    for file in files {
        f.declare(&file.path);
        f.write(&file.path, &file.bytes);
    }
    f.finish()?;
    f.commit(manifest)
}

fn safe_relative(p: &str) -> bool {
    let p = Path::new(p);
    p.is_relative()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}
