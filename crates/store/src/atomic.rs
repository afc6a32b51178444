//! Replacing a file so that a crash at any moment leaves either the old file
//! or the new one, for sidecars, articles and exports alike.
//!
//! Temp files are created exclusively (`O_EXCL`), so a planted symlink or
//! file at their name is never followed nor truncated, and their names hold
//! a random part no other user can predict. They still carry the writer's
//! pid, so that [`remove_stale_temps`] tells a dead process's leftovers from
//! a live one's.

use super::root::Root;
use std::ffi::OsString;
use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

/// Random characters in a temp file's name (62⁸ names per folder and pid).
const RANDOM_CHARS: usize = 8;

/// A random part for temp names, for a writer that names many files from
/// one (each then created exclusively, as [`temp_in`] does).
pub fn random_part() -> String {
    use std::hash::{BuildHasher, Hasher};
    const ALNUM: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    // Keyed from the operating system's randomness once per thread.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let mut x = h.finish();
    (0..RANDOM_CHARS)
        .map(|_| {
            let c = ALNUM[(x % 62) as usize] as char;
            x /= 62;
            c
        })
        .collect()
}

/// The temp name `.<name>.<pid>.<random>.tmp` with a given random part
/// (from [`random_part`]). A long name is shortened (its start and a hash
/// of the whole), so that a file whose own name fits always has a temp
/// name that fits too.
pub fn temp_name(name: &str, random: &str) -> String {
    format!(".{}.{}.{random}.tmp", short_name(name), std::process::id())
}

/// Longest name part of a temp name, in bytes: with the pid, the random
/// part and the dots, a temp name stays far below the 255 bytes a file
/// system allows.
const SHORT_NAME: usize = 64;

fn short_name(name: &str) -> std::borrow::Cow<'_, str> {
    if name.len() <= SHORT_NAME {
        return name.into();
    }
    // FNV-1a: stable across runs, so a name's temp name can be recomputed.
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut cut = SHORT_NAME - 17;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}~{h:016x}", &name[..cut]).into()
}

/// A new, empty temp file in `dir` named `.<name>.<pid>.<random>.tmp`,
/// removed again when dropped unless persisted.
pub fn temp_in(dir: &Path, name: &str) -> io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{}.{}.", short_name(name), std::process::id());
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(".tmp").rand_bytes(RANDOM_CHARS);
    // The file becomes a sidecar or an export, not a private temp file: the
    // mode `File::create` gives (0666 less the umask), not tempfile's 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// The pid written in a temp file name that [`temp_in`] makes, or that
/// nhan before it made (`.<name>.<pid>.tmp`); `None` for any other name.
pub fn temp_pid(file_name: &str) -> Option<u64> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (head, last) = rest.rsplit_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((name, pid)) = head.rsplit_once('.')
        && !name.is_empty()
        && digits(pid)
        && last.len() == RANDOM_CHARS
        && last.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return pid.parse().ok();
    }
    // The older, predictable form.
    (!head.is_empty() && digits(last))
        .then(|| last.parse().ok())
        .flatten()
}

/// Removes temporary sidecar files (`.<stem>.json.<pid>…tmp`) that a
/// process left in `dir` when it died between creating and renaming them.
/// Call it only while holding the project lock, so no other nhan is writing
/// there. Returns what it removed.
pub fn remove_stale_temps(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.contains(".json.")
                && temp_pid(name).is_some_and(|pid| pid != u64::from(std::process::id()))
        })
        .filter(|p| std::fs::remove_file(p).is_ok())
        .collect()
}

/// Replaces `path` with `contents` atomically: temp file in the same folder,
/// fsync, rename, fsync the folder. `path`'s folder is taken as the user
/// named it; code writing inside a project goes through
/// [`Root`](super::root::Root) instead, which follows no symlink.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(contents))
}

/// [`write_atomic`] for contents produced as they are written (through a
/// buffer), so that a large file is never held in memory whole.
pub fn write_atomic_with(
    path: &Path,
    contents: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    write_through(AtomicFile::create(path)?, contents)
}

/// [`write_atomic_with`] for `rel` inside `root`, through no symlink.
pub fn write_atomic_in(
    root: &Root,
    rel: &Path,
    contents: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    write_through(AtomicFile::create_in(root, rel)?, contents)
}

fn write_through(
    mut f: AtomicFile,
    contents: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    {
        // 128 KB: an 11 MB sidecar in ~85 write calls rather than ~170.
        let mut w = io::BufWriter::with_capacity(1 << 17, &mut f);
        contents(&mut w)?;
        w.flush()?;
    }
    f.commit()
}

/// A file being written in place of `path`: a temp file beside it until
/// [`AtomicFile::commit`] makes it durable and renames it over `path`.
/// Dropped uncommitted, the temp file goes and `path` is untouched. The
/// folder is held open, so the rename lands where the temp file is even
/// if a symlink is planted on the way meanwhile.
pub struct AtomicFile {
    dir: OwnedFd,
    path: PathBuf,
    name: OsString,
    tmp: OsString,
    file: std::fs::File,
    done: bool,
    written: u64,
    started: u64,
}

impl AtomicFile {
    /// Has the disk start on what is written every `EVERY` bytes, so that
    /// the closing fsync waits for the last piece rather than all of it.
    const EVERY: u64 = 1 << 20;

    /// Creates the temp file (and `path`'s folder if needed).
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let dir = parent_of(path);
        std::fs::create_dir_all(dir)?;
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: names no file", path.display()),
            )
        })?;
        AtomicFile::create_in(&Root::open(dir)?, Path::new(name))
    }

    /// Creates the temp file for `rel` inside `root` (making its folders),
    /// reached through no symlink.
    pub fn create_in(root: &Root, rel: &Path) -> io::Result<AtomicFile> {
        let (dir, _, name) = root.parent_dir(rel)?;
        let shown = root.path().join(rel);
        let base = name.to_string_lossy().into_owned();
        let mut tries = 0;
        let (tmp, file) = loop {
            let tmp = OsString::from(temp_name(&base, &random_part()));
            match super::root::create_new_at(dir.as_fd(), &tmp) {
                Ok(f) => break (tmp, f),
                Err(rustix::io::Errno::EXIST) if tries < 8 => tries += 1,
                Err(e) => {
                    let e = io::Error::from(e);
                    return Err(io::Error::new(
                        e.kind(),
                        format!("{}: {e}", shown.display()),
                    ));
                }
            }
        };
        Ok(AtomicFile {
            dir,
            path: shown,
            name,
            tmp,
            file,
            done: false,
            written: 0,
            started: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes everything written durable, without renaming yet: a caller
    /// that replaces several files syncs them all before the first rename.
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.sync_all()
    }

    /// Syncs, renames over `path`, then syncs the folder.
    pub fn commit(mut self) -> io::Result<()> {
        self.sync()?;
        rustix::fs::renameat(&self.dir, &self.tmp, &self.dir, &self.name)?;
        self.done = true;
        let _ = rustix::fs::fsync(&self.dir);
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = rustix::fs::unlinkat(&self.dir, &self.tmp, rustix::fs::AtFlags::empty());
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.written - self.started >= Self::EVERY {
            start_writeback(&self.file, self.started, self.written - self.started);
            self.started = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Makes a rename in `dir` durable (best effort: some file systems refuse).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Whether [`sync_file_system`] makes every file written in a folder durable
/// at once, so that many small files need not be synced one by one (a brat
/// export writes two per article: 20,000 fsyncs took 5 s of a 10,000-article
/// export).
pub const SYNCS_FILE_SYSTEM: bool = cfg!(target_os = "linux");

/// Flushes everything written to the file system holding the folder `d`
/// (Linux `syncfs`). It reports a write-back that failed since `d` was
/// opened (Linux 5.8 and later), so open it before writing. Call only when
/// [`SYNCS_FILE_SYSTEM`].
#[cfg(target_os = "linux")]
pub fn sync_file_system(d: impl AsFd) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain syscall on an open descriptor; it reads no memory of ours.
    if unsafe { libc::syncfs(d.as_fd().as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
pub fn sync_file_system(_d: impl AsFd) -> io::Result<()> {
    Ok(())
}

/// Asks the kernel to start writing `len` bytes at `offset` to the disk now,
/// without waiting.
#[cfg(target_os = "linux")]
pub fn start_writeback(file: &std::fs::File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain syscall on an open descriptor; it reads no memory of ours.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            offset as libc::off64_t,
            len as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

#[cfg(not(target_os = "linux"))]
pub fn start_writeback(_file: &std::fs::File, _offset: u64, _len: u64) {}

// Atomic replacement through a project's root handle: the root opens
// folders without following links; this module makes the replacement.
impl Root {
    /// Replaces `rel` with `contents` atomically, through no symlink.
    pub fn write_atomic(&self, rel: &Path, contents: &[u8]) -> io::Result<()> {
        self.write_atomic_with(rel, |w| w.write_all(contents))
    }

    /// [`Root::write_atomic`] for contents produced as they are written.
    pub fn write_atomic_with(
        &self,
        rel: &Path,
        contents: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
    ) -> io::Result<()> {
        write_atomic_in(self, rel, contents)
    }
}

/// Replaces `path`, a file inside the project folder `project`, through no
/// symlink.
pub fn write_in(project: &Path, path: &Path, contents: &[u8]) -> io::Result<()> {
    let (root, rel) = super::root::beneath(project, path)?;
    root.write_atomic(rel, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_hold_the_pid_and_an_unpredictable_part() {
        let d = tempfile::tempdir().unwrap();
        let a = temp_in(d.path(), "a.json").unwrap();
        let b = temp_in(d.path(), "a.json").unwrap();
        let name = |t: &tempfile::NamedTempFile| {
            t.path().file_name().unwrap().to_string_lossy().into_owned()
        };
        assert_ne!(name(&a), name(&b));
        let prefix = format!(".a.json.{}.", std::process::id());
        assert!(name(&a).starts_with(&prefix), "{}", name(&a));
        assert_eq!(temp_pid(&name(&a)), Some(u64::from(std::process::id())));
        assert_eq!(temp_pid(".a.json.999999.tmp"), Some(999_999));
        assert_eq!(temp_pid(".notes.tmp"), None);
        assert_eq!(temp_pid("a.json.12.tmp"), None);
    }

    #[test]
    fn stale_temp_files_are_removed_and_sidecars_kept() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.json"), "{}").unwrap();
        std::fs::write(d.path().join(".a.json.999999.tmp"), "{\"nh").unwrap();
        std::fs::write(d.path().join(".b.json.999998.Ab3dE9xZ.tmp"), "{\"nh").unwrap();
        std::fs::write(d.path().join("notes.tmp"), "mine").unwrap();
        let live = temp_in(d.path(), "c.json").unwrap();
        let mut removed = remove_stale_temps(d.path());
        removed.sort();
        assert_eq!(
            removed,
            [
                d.path().join(".a.json.999999.tmp"),
                d.path().join(".b.json.999998.Ab3dE9xZ.tmp")
            ]
        );
        assert!(d.path().join("a.json").exists() && d.path().join("notes.tmp").exists());
        assert!(
            live.path().exists(),
            "this process's own temp file was removed"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_old_predictable_temp_name_is_neither_followed_nor_truncated() {
        let d = tempfile::tempdir().unwrap();
        let ann = d.path().join("annotations");
        std::fs::create_dir(&ann).unwrap();
        let victim = d.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let planted = ann.join(format!(".a.json.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        write_atomic(&ann.join("a.json"), b"{\"nhan\": 1}").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read(ann.join("a.json")).unwrap(), b"{\"nhan\": 1}");
        assert!(planted.symlink_metadata().unwrap().file_type().is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_gets_the_mode_a_created_one_gets() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let plain = d.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let p = d.path().join("a.json");
        write_atomic(&p, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&p), mode(&plain));
    }

    #[test]
    fn atomic_write_leaves_no_temp_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("annotations/a.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temp_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.json");
        write_atomic(&p, b"old").unwrap();
        let r = write_atomic_with(&p, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_large_write_written_out_early_in_pieces_arrives_whole() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.json");
        // Several megabytes, so the early write-back runs more than once,
        // in pieces that straddle its boundaries.
        let line = "    {\"id\": 1, \"label\": \"ORG\", \"text\": \"Ủy ban nhân dân\"},\n";
        let whole = line.repeat(3 * (1 << 20) / line.len() + 7);
        write_atomic_with(&p, |w| {
            for piece in whole.as_bytes().chunks(70_001) {
                w.write_all(piece)?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), whole);
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
