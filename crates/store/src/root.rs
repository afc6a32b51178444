//! The one door to a project's files (and to an export's `--out` folder):
//! a handle on the folder through which files are read, created, replaced
//! and removed by paths relative to it.
//!
//! A project folder is often someone else's (cloned through git), so its
//! symlinks are input, never trusted:
//!
//! - nothing nhan creates, replaces or removes is reached through a symlink
//!   at all: every folder on the way is opened with `O_NOFOLLOW`, one at a
//!   time from the root, and `..` or an absolute path is refused;
//! - a read may follow a symlink only while it stays inside the folder
//!   (Linux `openat2` with `RESOLVE_BENEATH`; where that call is missing,
//!   no symlink is followed at all), and only a regular file is read: a
//!   FIFO, a device or a socket is refused with its name.
//!
//! The folder itself is reached as the user named it: the rule is about
//! what the folder holds, not about where it lives.

/// What a name in a folder is, as [`Root::entries`] and [`Root::kind`] say.
pub use rustix::fs::FileType;
use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;
use std::ffi::OsStr;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

/// An open folder that relative paths are resolved beneath.
#[derive(Debug)]
pub struct Root {
    dir: OwnedFd,
    path: PathBuf,
}

/// What a refused path was, for a message that says what to do.
fn refused(shown: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}: {what}", shown.display()),
    )
}

fn symlink_refused(shown: &Path) -> io::Error {
    refused(
        shown,
        "is a symbolic link; nhan writes nothing through one (replace it with a real folder or file)",
    )
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

impl Root {
    /// Opens the folder `path` (which must exist).
    pub fn open(path: &Path) -> io::Result<Root> {
        let dir = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| {
            io::Error::new(
                io::Error::from(e).kind(),
                format!("{}: {}", path.display(), io::Error::from(e)),
            )
        })?;
        Ok(Root {
            dir,
            path: path.to_path_buf(),
        })
    }

    /// The folder as the user named it, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder's descriptor (to sync it, or the file system under it).
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.dir.as_fd()
    }

    /// `rel`'s components, refusing `..`, absolute paths and empty names.
    fn components<'a>(&self, rel: &'a Path) -> io::Result<Vec<&'a OsStr>> {
        let mut out = Vec::new();
        for c in rel.components() {
            match c {
                Component::Normal(n) => out.push(n),
                Component::CurDir => {}
                _ => {
                    return Err(refused(
                        &self.path.join(rel),
                        "leaves the folder (.. or an absolute path); nhan stays inside it",
                    ));
                }
            }
        }
        if out.is_empty() {
            return Err(refused(&self.path.join(rel), "names no file"));
        }
        Ok(out)
    }

    /// Opens the folders on the way to `rel`'s last component, never
    /// through a symlink, making the missing ones when `create`. Returns the
    /// last folder (`None`: this root) and the last name.
    fn parent<'a>(&self, rel: &'a Path, create: bool) -> io::Result<(Option<OwnedFd>, &'a OsStr)> {
        let parts = self.components(rel)?;
        let (last, dirs) = parts.split_last().expect("components are never empty");
        let mut cur: Option<OwnedFd> = None;
        let mut shown = self.path.clone();
        for d in dirs {
            shown.push(d);
            let at = cur.as_ref().map_or(self.dir.as_fd(), |f| f.as_fd());
            let opened = match rustix::fs::openat(at, *d, DIR_FLAGS, Mode::empty()) {
                Err(Errno::NOENT) if create => {
                    match rustix::fs::mkdirat(at, *d, Mode::from_raw_mode(0o777)) {
                        Ok(()) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(with_name(&shown, e)),
                    }
                    rustix::fs::openat(at, *d, DIR_FLAGS, Mode::empty())
                }
                r => r,
            };
            match opened {
                Ok(fd) => cur = Some(fd),
                Err(Errno::LOOP | Errno::NOTDIR) if is_symlink(at, d) => {
                    return Err(symlink_refused(&shown));
                }
                Err(e) => return Err(with_name(&shown, e)),
            }
        }
        Ok((cur, last))
    }

    /// The sub-folder `rel` as a root of its own (made if missing when
    /// `create`), reached through no symlink.
    pub fn dir(&self, rel: &Path, create: bool) -> io::Result<Root> {
        let (at, name) = self.parent(rel, create)?;
        let at = at.as_ref().map_or(self.dir.as_fd(), |f| f.as_fd());
        let shown = self.path.join(rel);
        let mut r = rustix::fs::openat(at, name, DIR_FLAGS, Mode::empty());
        if create && matches!(r, Err(Errno::NOENT)) {
            match rustix::fs::mkdirat(at, name, Mode::from_raw_mode(0o777)) {
                Ok(()) | Err(Errno::EXIST) => {}
                Err(e) => return Err(with_name(&shown, e)),
            }
            r = rustix::fs::openat(at, name, DIR_FLAGS, Mode::empty());
        }
        match r {
            Ok(dir) => Ok(Root { dir, path: shown }),
            Err(Errno::LOOP | Errno::NOTDIR) if is_symlink(at, name) => {
                Err(symlink_refused(&shown))
            }
            Err(e) => Err(with_name(&shown, e)),
        }
    }

    /// Opens the regular file `rel` for reading. A symlink is followed only
    /// while it stays inside the folder; anything but a regular file is
    /// refused, named.
    pub fn open_regular(&self, rel: &Path) -> io::Result<std::fs::File> {
        let shown = self.path.join(rel);
        self.components(rel)?;
        // Non-blocking, so that opening a FIFO does not wait for a writer;
        // no controlling terminal from a device.
        let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY;
        let fd = match open_beneath(self.dir.as_fd(), rel, flags) {
            Err(Errno::NOSYS) | Err(Errno::PERM) => {
                let (at, name) = self.parent(rel, false)?;
                let at = at.as_ref().map_or(self.dir.as_fd(), |f| f.as_fd());
                rustix::fs::openat(at, name, flags | OFlags::NOFOLLOW, Mode::empty()).map_err(
                    |e| {
                        if e == Errno::LOOP {
                            refused(&shown, "is a symbolic link; nhan reads none here")
                        } else {
                            with_name(&shown, e)
                        }
                    },
                )?
            }
            Err(Errno::XDEV) => {
                return Err(refused(
                    &shown,
                    "leads outside the folder (a symbolic link or ..); nhan reads only what is inside",
                ));
            }
            Err(e) => return Err(with_name(&shown, e)),
            Ok(fd) => fd,
        };
        let st = rustix::fs::fstat(&fd).map_err(|e| with_name(&shown, e))?;
        let kind = FileType::from_raw_mode(st.st_mode);
        if kind != FileType::RegularFile {
            return Err(refused(
                &shown,
                &format!(
                    "is {}, not a regular file; nhan reads only regular files (remove it or replace it with a text file)",
                    kind_name(kind)
                ),
            ));
        }
        let file = std::fs::File::from(fd);
        // Back to blocking reads for the regular file it is.
        let _ = rustix::fs::fcntl_setfl(&file, OFlags::empty());
        Ok(file)
    }

    /// The whole regular file `rel` (see [`Root::open_regular`]).
    pub fn read(&self, rel: &Path) -> io::Result<Vec<u8>> {
        let mut f = self.open_regular(rel)?;
        let mut v = Vec::new();
        f.read_to_end(&mut v)?;
        Ok(v)
    }

    /// The names in this folder with what each is (a symlink counts as a
    /// symlink, never as its target), sorted by name; `.` and `..` left
    /// out.
    pub fn entries(&self) -> io::Result<Vec<(String, FileType)>> {
        let mut dir =
            rustix::fs::Dir::read_from(&self.dir).map_err(|e| with_name(&self.path, e))?;
        let mut out = Vec::new();
        while let Some(e) = dir.read() {
            let e = e.map_err(|e| with_name(&self.path, e))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name == "." || name == ".." {
                continue;
            }
            let kind = match e.file_type() {
                // Some file systems do not say in the listing.
                FileType::Unknown => self.kind(Path::new(&name))?.unwrap_or(FileType::Unknown),
                k => k,
            };
            out.push((name, kind));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Whether `rel` exists as it is (a symlink counts as what it is, not
    /// as its target); `None` when it does not.
    pub fn kind(&self, rel: &Path) -> io::Result<Option<FileType>> {
        let (at, name) = match self.parent(rel, false) {
            Ok(p) => p,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let at = at.as_ref().map_or(self.dir.as_fd(), |f| f.as_fd());
        match rustix::fs::statat(at, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(FileType::from_raw_mode(st.st_mode))),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(with_name(&self.path.join(rel), e)),
        }
    }

    /// Creates `rel` new (`O_EXCL`: nothing at its name is followed or
    /// truncated), making missing folders on the way.
    pub fn create_new(&self, rel: &Path) -> io::Result<std::fs::File> {
        let (at, name) = self.parent(rel, true)?;
        let at = at.as_ref().map_or(self.dir.as_fd(), |f| f.as_fd());
        create_new_at(at, name).map_err(|e| with_name(&self.path.join(rel), e))
    }

    /// Renames `from` to `to`, both inside the folder. A symlink at `to` is
    /// replaced, never followed.
    pub fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let (fa, fname) = self.parent(from, false)?;
        let (ta, tname) = self.parent(to, true)?;
        let fa = fa.as_ref().map_or(self.dir.as_fd(), |f| f.as_fd());
        let ta = ta.as_ref().map_or(self.dir.as_fd(), |f| f.as_fd());
        rustix::fs::renameat(fa, fname, ta, tname).map_err(|e| with_name(&self.path.join(to), e))
    }

    /// Removes the file (or the symlink itself) at `rel`; a folder on the
    /// way that is a symlink is refused, so nothing outside goes.
    pub fn remove_file(&self, rel: &Path) -> io::Result<()> {
        let (at, name) = self.parent(rel, false)?;
        let at = at.as_ref().map_or(self.dir.as_fd(), |f| f.as_fd());
        rustix::fs::unlinkat(at, name, AtFlags::empty())
            .map_err(|e| with_name(&self.path.join(rel), e))
    }

    /// Removes the empty folder `rel` (never a symlink's target).
    pub fn remove_dir(&self, rel: &Path) -> io::Result<()> {
        let (at, name) = self.parent(rel, false)?;
        let at = at.as_ref().map_or(self.dir.as_fd(), |f| f.as_fd());
        rustix::fs::unlinkat(at, name, AtFlags::REMOVEDIR)
            .map_err(|e| with_name(&self.path.join(rel), e))
    }

    /// Makes renames in this folder durable (best effort).
    pub fn sync(&self) {
        let _ = rustix::fs::fsync(&self.dir);
    }

    /// The folder holding `rel`, opened through no symlink (made if
    /// missing), and `rel`'s last name: for `AtomicFile` (in `atomic`).
    pub(crate) fn parent_dir(
        &self,
        rel: &Path,
    ) -> io::Result<(OwnedFd, PathBuf, std::ffi::OsString)> {
        let (at, name) = self.parent(rel, true)?;
        let fd = match at {
            Some(fd) => fd,
            None => rustix::io::dup(&self.dir).map_err(io::Error::from)?,
        };
        let shown = self.path.join(rel);
        let dir_shown = shown
            .parent()
            .map_or_else(|| self.path.clone(), Path::to_path_buf);
        if let Ok(st) = rustix::fs::statat(&fd, name, AtFlags::SYMLINK_NOFOLLOW)
            && FileType::from_raw_mode(st.st_mode) == FileType::Directory
        {
            return Err(refused(
                &shown,
                "is a folder; nhan writes a file there only",
            ));
        }
        Ok((fd, dir_shown, name.to_os_string()))
    }
}

/// Opens `path` beneath `dir`: Linux 5.6's `openat2`, else `ENOSYS`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn open_beneath(dir: BorrowedFd<'_>, path: &Path, flags: OFlags) -> Result<OwnedFd, Errno> {
    use rustix::fs::ResolveFlags;
    rustix::fs::openat2(
        dir,
        path,
        flags,
        Mode::empty(),
        ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
    )
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn open_beneath(_dir: BorrowedFd<'_>, _path: &Path, _flags: OFlags) -> Result<OwnedFd, Errno> {
    Err(Errno::NOSYS)
}

/// Creates `name` in `dir` exclusively, mode 0666 less the umask (what
/// `File::create` gives, since the file becomes a sidecar or an export).
pub(crate) fn create_new_at(dir: BorrowedFd<'_>, name: &OsStr) -> Result<std::fs::File, Errno> {
    rustix::fs::openat(
        dir,
        name,
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o666),
    )
    .map(std::fs::File::from)
}

fn is_symlink(at: BorrowedFd<'_>, name: &OsStr) -> bool {
    rustix::fs::statat(at, name, AtFlags::SYMLINK_NOFOLLOW)
        .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
}

fn with_name(shown: &Path, e: Errno) -> io::Error {
    let e = io::Error::from(e);
    io::Error::new(e.kind(), format!("{}: {e}", shown.display()))
}

fn kind_name(k: FileType) -> &'static str {
    match k {
        FileType::Directory => "a folder",
        FileType::Fifo => "a FIFO (named pipe)",
        FileType::CharacterDevice => "a character device",
        FileType::BlockDevice => "a block device",
        FileType::Socket => "a socket",
        FileType::Symlink => "a symbolic link",
        _ => "not a plain file",
    }
}

/// Opens `root` and resolves `path` (inside it) relative to it: for code
/// that holds a path built from the project folder.
pub fn beneath<'a>(root: &Path, path: &'a Path) -> io::Result<(Root, &'a Path)> {
    let rel = path.strip_prefix(root).map_err(|_| {
        refused(
            path,
            "is not inside the project folder; nhan stays inside it",
        )
    })?;
    Ok((Root::open(root)?, rel))
}

/// Reads `path`, a regular file inside the project folder `project`,
/// through no symlink that leaves it.
pub fn read_in(project: &Path, path: &Path) -> io::Result<Vec<u8>> {
    let (root, rel) = beneath(project, path)?;
    root.read(rel)
}

/// The project folder of a sidecar path (`<project>/annotations/<stem>.json`
/// or `<project>/annotations/<annotator>/<stem>.json`, the layout's
/// contract) opened as a root, and the path inside it; a path of another
/// form is taken relative to its own folder.
pub fn sidecar_root(path: &Path) -> io::Result<(Root, &Path)> {
    let named = |p: Option<&Path>| p.and_then(Path::file_name) == Some(OsStr::new("annotations"));
    let parent = path.parent();
    let grand = parent.and_then(Path::parent);
    let top = if named(grand) {
        grand
    } else if named(parent) {
        parent
    } else {
        None
    };
    match top.and_then(Path::parent) {
        Some(project) => beneath(project, path),
        None => {
            let dir = parent
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            beneath(dir, path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn writes_never_pass_a_symlinked_folder_and_removals_never_leave() {
        let d = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("victim"), "keep").unwrap();
        symlink(outside.path(), d.path().join("link")).unwrap();
        let r = Root::open(d.path()).unwrap();
        let e = r.write_atomic(Path::new("link/new"), b"x").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(r.remove_file(Path::new("link/victim")).is_err());
        assert!(r.remove_file(Path::new("../victim")).is_err());
        assert!(r.create_new(Path::new("link/other")).is_err());
        assert_eq!(
            std::fs::read_to_string(outside.path().join("victim")).unwrap(),
            "keep"
        );
        assert!(!outside.path().join("new").exists() && !outside.path().join("other").exists());
        // The symlink itself is an entry of the folder: it may be removed.
        r.remove_file(Path::new("link")).unwrap();
        assert!(outside.path().join("victim").exists());
    }

    #[test]
    fn reads_follow_symlinks_only_inside_and_only_to_regular_files() {
        let d = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        std::fs::write(d.path().join("a"), "inside").unwrap();
        symlink(outside.path().join("secret"), d.path().join("out")).unwrap();
        symlink("/dev/zero", d.path().join("zero")).unwrap();
        symlink("a", d.path().join("alias")).unwrap();
        let r = Root::open(d.path()).unwrap();
        assert_eq!(r.read(Path::new("a")).unwrap(), b"inside");
        assert!(r.read(Path::new("out")).is_err());
        assert!(r.read(Path::new("zero")).is_err());
        let fifo = d.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = r.read(Path::new("fifo")).unwrap_err();
        assert!(
            e.to_string().contains("FIFO") && e.to_string().contains("fifo"),
            "{e}"
        );
        // openat2 follows a relative link inside; without it, none is.
        if let Ok(b) = r.read(Path::new("alias")) {
            assert_eq!(b, b"inside");
        }
    }
}
