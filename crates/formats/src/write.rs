//! Where an export's bytes go: into memory (standard output, or a folder
//! that will be refused once the articles' own problems are reported), or
//! into temp files in the `--out` folder, written as the articles are read
//! and renamed into place only once the whole export succeeded.

use super::{MANIFEST, OutFile, split, user};
use nhan_store::atomic::{self, AtomicFile};
use nhan_store::root::Root;
use rustix::fs::FileType;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    fn adopt(&mut self, path: &str, staged: std::io::Result<Staged>);
}

/// Writes whole files into temp files of an export folder on any thread:
/// creating 20,000 files (a brat export of 10,000 articles) is much of the
/// file system's work, and it splits over the cores with the rendering.
#[derive(Debug, Clone)]
pub struct Stager {
    /// The export folder, opened once: every file in it is reached through
    /// this handle, through no symlink.
    root: Arc<Root>,
    /// The random part of every temp name of this export: a file's temp
    /// name follows from its path, so the folder keeps no name per file (a
    /// brat export of 100,000 articles stages 200,000).
    random: Arc<str>,
}

/// A staged file (see [`Stager::stage`]), removed when dropped unless kept.
#[derive(Debug)]
pub struct Staged {
    root: Arc<Root>,
    rel: PathBuf,
    kept: bool,
}

impl Staged {
    /// Leaves the file for its folder to rename or remove.
    fn keep(mut self) {
        self.kept = true;
    }

    fn read(&self) -> std::io::Result<Vec<u8>> {
        self.root.read(&self.rel)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.kept {
            let _ = self.root.remove_file(&self.rel);
        }
    }
}

impl Stager {
    fn new(root: Arc<Root>) -> Stager {
        Stager {
            root,
            random: atomic::random_part().into(),
        }
    }

    /// Where `path` (relative to the export folder) waits until commit:
    /// beside it, under a temp name a later export recognises and removes
    /// should this one be killed.
    fn temp_of(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        let base = p.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        p.with_file_name(atomic::temp_name(base, &self.random))
    }

    /// A temp file holding `bytes`, for the export's file `path`, removed
    /// when dropped unless the folder adopts it.
    pub fn stage(&self, path: &str, bytes: &[u8]) -> std::io::Result<Staged> {
        let rel = self.temp_of(path);
        // Created exclusively, through no symlink: a file or symlink
        // planted at the name or on the way is neither followed nor
        // truncated.
        let mut f = self.root.create_new(&rel)?;
        let guard = Staged {
            root: Arc::clone(&self.root),
            rel,
            kept: false,
        };
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

    fn adopt(&mut self, path: &str, staged: std::io::Result<Staged>) {
        // Nothing stages for memory; should it, the bytes are read back.
        let bytes = staged.and_then(|t| t.read()).unwrap_or_default();
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
/// [`Folder::discard`], which leaves the folder as it was. Inside the
/// folder everything is reached through its [`Root`]: a symlink planted
/// there (`out/train -> elsewhere`, `out/up -> ..`) is refused, never
/// followed.
pub struct Folder {
    dir: PathBuf,
    root: Arc<Root>,
    /// Every file, in the manifest's order. Those not `open` were written
    /// whole (an article's own files) and closed, made durable by `finish`
    /// with the others; each waits at its [`Stager::temp_of`] name.
    order: Vec<String>,
    /// Declared files (a part's file), open for the articles still to come.
    open: HashMap<String, AtomicFile>,
    stager: Stager,
    error: Option<(PathBuf, std::io::Error)>,
    /// Folders this export made to hold `--out`: they go again if it fails.
    made_dirs: Vec<PathBuf>,
    /// Folders inside `--out` this export made (a part's), likewise.
    made_inside: Vec<PathBuf>,
    /// Folders inside `--out` already checked to be real folders.
    checked: BTreeSet<PathBuf>,
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
        let mut made_dirs = Vec::new();
        let opened = make_dirs(dir, &mut made_dirs).and_then(|()| Root::open(dir));
        let root = match opened {
            Ok(r) => Arc::new(r),
            Err(e) => {
                for d in made_dirs.iter().rev() {
                    let _ = std::fs::remove_dir(d);
                }
                return Err(user(format!("{}: cannot write: {e}", dir.display())));
            }
        };
        Ok(Folder {
            dir: dir.to_path_buf(),
            stager: Stager::new(Arc::clone(&root)),
            root,
            order: Vec::new(),
            open: HashMap::new(),
            error: None,
            made_dirs,
            made_inside: Vec::new(),
            checked: BTreeSet::new(),
        })
    }

    fn fail(&mut self, path: PathBuf, e: std::io::Error) {
        if self.error.is_none() {
            self.error = Some((path, e));
        }
    }

    /// Makes sure `path`'s folder inside `--out` is a real folder (made if
    /// missing); `None` after the first error.
    fn place(&mut self, path: &str) -> Option<PathBuf> {
        if self.error.is_some() {
            return None;
        }
        let p = self.dir.join(path);
        if let Some(parent) = Path::new(path).parent()
            && !parent.as_os_str().is_empty()
            && !self.checked.contains(parent)
        {
            let missing = matches!(self.root.kind(parent), Ok(None));
            match self.root.dir(parent, true) {
                Ok(_) => {
                    if missing {
                        self.made_inside.push(parent.to_path_buf());
                    }
                    self.checked.insert(parent.to_path_buf());
                }
                Err(e) => {
                    self.fail(p, e);
                    return None;
                }
            }
        }
        Some(p)
    }

    /// Every byte written reaches the disk; the first error is the answer.
    pub fn finish(&mut self) -> anyhow::Result<()> {
        let closed = self.order.len() > self.open.len();
        if closed
            && self.error.is_none()
            && atomic::SYNCS_FILE_SYSTEM
            && let Err(e) = atomic::sync_file_system(self.root.fd())
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
        clear_old_export(&self.root)?;
        let mut dirs = BTreeSet::new();
        for (done, path) in self.order.iter().enumerate() {
            let target = Path::new(path);
            let r = match self.open.remove(path) {
                Some(f) => f.commit(),
                None => self.root.rename(&self.stager.temp_of(path), target),
            };
            if let Err(e) = r {
                let msg = format!("{}: cannot write: {e}", self.dir.join(path).display());
                // What was renamed stays; the temp files left go with `self`.
                self.order.drain(..done);
                return Err(user(msg));
            }
            if let Some(d) = target.parent() {
                dirs.insert(d.to_path_buf());
            }
        }
        self.order.clear();
        for d in dirs {
            if d.as_os_str().is_empty() {
                self.root.sync();
            } else if let Ok(sub) = self.root.dir(&d, false) {
                sub.sync();
            }
        }
        self.made_dirs.clear();
        self.made_inside.clear();
        write_manifest(&self.root, manifest)
    }

    fn remove_made(&mut self) {
        self.remove_staged();
        for d in self.made_inside.drain(..).rev() {
            let _ = self.root.remove_dir(&d);
        }
        for d in self.made_dirs.drain(..).rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// Makes `dir` and the folders above it that are missing, noting which.
fn make_dirs(dir: &Path, made: &mut Vec<PathBuf>) -> std::io::Result<()> {
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
    made.extend(missing);
    Ok(())
}

impl Folder {
    /// Takes a staged file for `path` (placed at `p`): from now on the
    /// folder removes it, found by its path, if the export does not commit.
    fn keep(&mut self, path: &str, p: PathBuf, staged: std::io::Result<Staged>) {
        match staged {
            Ok(t) => {
                t.keep();
                self.order.push(path.to_string());
            }
            Err(e) => self.fail(p, e),
        }
    }

    /// Removes every temp file not renamed into place yet.
    fn remove_staged(&mut self) {
        for path in std::mem::take(&mut self.order) {
            if self.open.remove(&path).is_none() {
                let _ = self.root.remove_file(&self.stager.temp_of(&path));
            }
        }
        self.open.clear();
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        self.remove_made();
    }
}

impl Files for Folder {
    fn declare(&mut self, path: &str) {
        if self.open.contains_key(path) {
            return;
        }
        let Some(p) = self.place(path) else { return };
        match AtomicFile::create_in(&self.root, Path::new(path)) {
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

    fn adopt(&mut self, path: &str, staged: std::io::Result<Staged>) {
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

/// Removes the files an earlier export in the folder listed, so no stale
/// article survives, and what a killed export left behind. Only what lies
/// inside the folder goes: a listed path through a symlink (`up/…` with
/// `up -> ..`) or out of it (`../…`) is refused by the folder's [`Root`].
fn clear_old_export(root: &Root) -> anyhow::Result<()> {
    let dir = root.path();
    // A killed export's temp files wait beside their final names: here and
    // in the parts' folders (real folders only).
    let parts = split::PART_NAMES
        .iter()
        .filter(|p| matches!(root.kind(Path::new(p)), Ok(Some(FileType::Directory))))
        .map(PathBuf::from);
    for d in std::iter::once(PathBuf::new()).chain(parts) {
        for e in std::fs::read_dir(dir.join(&d))
            .into_iter()
            .flatten()
            .flatten()
        {
            if is_stale_temp(&e.file_name().to_string_lossy()) {
                let _ = root.remove_file(&d.join(e.file_name()));
            }
        }
    }
    let mpath = Path::new(MANIFEST);
    if let Ok(Some(FileType::RegularFile)) = root.kind(mpath) {
        let old: Value = serde_json::from_slice(&root.read(mpath)?).unwrap_or(Value::Null);
        let listed = old["files"].as_array().cloned().unwrap_or_default();
        for f in listed.iter().filter_map(Value::as_str) {
            if safe_relative(f) {
                let _ = root.remove_file(Path::new(f));
            }
        }
        for sub in split::PART_NAMES {
            let _ = root.remove_dir(Path::new(sub));
        }
    }
    Ok(())
}

/// Writes the manifest into what it is given (a large one is never held
/// whole).
pub type Manifest<'a> = &'a dyn Fn(&mut dyn Write) -> std::io::Result<()>;

fn write_manifest(root: &Root, manifest: Manifest) -> anyhow::Result<()> {
    root.write_atomic_with(Path::new(MANIFEST), manifest)
        .map_err(|e| {
            user(format!(
                "{}: cannot write: {e}",
                root.path().join(MANIFEST).display()
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
