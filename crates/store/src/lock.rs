//! An advisory lock against two nhan processes editing one project.
//!
//! The lock is an exclusive `flock` on the file `.nhan.lock` in the project
//! root, which also says who holds it: `{"pid", "user", "host", "started"}`.
//! The kernel releases a `flock` when its process ends, however it ends, so
//! a lock can never go stale: a `kill -9` frees the project at once, and of
//! two processes starting together exactly one gets it. The second gets
//! [`LockHeld`], which says who holds the lock, and opens the project
//! read-only. The file itself stays (emptied on release): deleting it would
//! let a process still waiting on the old file think it holds a lock.
//!
//! The file is opened without following a symbolic link and without
//! truncating: a `.nhan.lock` that arrived as a link (by `git clone`, or
//! planted) is refused before a byte is written anywhere.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub const LOCK_FILE: &str = ".nhan.lock";

/// Who holds (or held) a lock: the contents of `.nhan.lock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    pub pid: u32,
    pub user: String,
    pub host: String,
    /// When the lock was taken: UTC, RFC 3339.
    pub started: String,
    /// The process's start time (Linux `/proc/<pid>/stat` field 22, clock
    /// ticks since boot): with the pid, it names the holder process exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proc_start: Option<u64>,
}

impl LockInfo {
    /// This process.
    pub fn current() -> LockInfo {
        let pid = std::process::id();
        LockInfo {
            pid,
            user: user_name(),
            host: host_name(),
            started: rfc3339(SystemTime::now()),
            proc_start: proc_start(pid),
        }
    }

    /// `lan@may-1 (pid 4242, since 2024-05-01T08:30:00Z)`
    pub fn describe(&self) -> String {
        format!(
            "{}@{} (pid {}, since {})",
            self.user, self.host, self.pid, self.started
        )
    }
}

/// Why the lock was not taken. The caller opens the project read-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockHeld {
    /// Another running nhan holds it.
    Held { path: PathBuf, holder: LockInfo },
    /// Another process holds it but the file does not (yet) say who: it is
    /// starting at this moment.
    Unreadable { path: PathBuf, why: String },
    /// The lock file could not be created or read: read-only folder,
    /// permission denied, missing folder.
    Io { path: PathBuf, error: String },
    /// `.nhan.lock` is not a plain file of its own (a symbolic link, a hard
    /// link to another file, a folder, a pipe): writing the lock there would
    /// write somewhere else, so it is refused untouched.
    NotPlain { path: PathBuf, what: &'static str },
}

impl LockHeld {
    pub fn holder(&self) -> Option<&LockInfo> {
        match self {
            LockHeld::Held { holder, .. } => Some(holder),
            _ => None,
        }
    }

    /// What the user should do, for the end of the message (the message
    /// itself already says it for a lock file that is not a plain file).
    pub fn advice(&self) -> Option<&'static str> {
        match self {
            LockHeld::Held { .. } => Some("quit the other nhan, then reopen"),
            LockHeld::Unreadable { .. } => Some("wait a moment, then reopen"),
            LockHeld::Io { .. } => Some("check that the project folder exists and is writable"),
            LockHeld::NotPlain { .. } => None,
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            LockHeld::Held { path, .. }
            | LockHeld::Unreadable { path, .. }
            | LockHeld::Io { path, .. }
            | LockHeld::NotPlain { path, .. } => path,
        }
    }
}

impl fmt::Display for LockHeld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockHeld::Held { path, holder } => write!(
                f,
                "{} holds {} (the project is open in another nhan)",
                holder.describe(),
                path.display()
            ),
            LockHeld::Unreadable { path, why } => {
                write!(f, "{}: {why}", path.display())
            }
            LockHeld::Io { path, error } => write!(
                f,
                "{}: cannot take the project lock: {error}",
                path.display()
            ),
            LockHeld::NotPlain { path, what } => write!(
                f,
                "{} is {what}, not the lock file nhan writes; nothing was written through it: \
                 delete it (rm {}) and reopen",
                path.display(),
                shell_quote(path)
            ),
        }
    }
}

/// The path as one shell word, for a command the user can paste.
fn shell_quote(path: &Path) -> String {
    let s = path.display().to_string();
    if s.chars()
        .all(|c| c.is_alphanumeric() || "/._-+,:@".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

impl std::error::Error for LockHeld {}

/// The lock, held until dropped (or until the process ends).
#[derive(Debug)]
pub struct LockGuard {
    path: PathBuf,
    info: LockInfo,
    took_over: Option<LockInfo>,
    /// The open file the `flock` is on: closing it releases the lock.
    file: fs::File,
}

impl LockGuard {
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who held the lock last, if it was not released cleanly (a crash or a
    /// `kill -9`): worth a status-bar note.
    pub fn took_over(&self) -> Option<&LockInfo> {
        self.took_over.as_ref()
    }

    /// Releases the lock now (the same as dropping the guard).
    pub fn release(self) {}
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Say nobody holds it; the kernel drops the flock with the file.
        let _ = self.file.set_len(0);
    }
}

/// Takes the project lock, or says who holds it.
pub fn acquire(project_root: &Path) -> Result<LockGuard, LockHeld> {
    acquire_as(project_root, LockInfo::current())
}

fn acquire_as(project_root: &Path, me: LockInfo) -> Result<LockGuard, LockHeld> {
    let path = project_root.join(LOCK_FILE);
    let io = |e: io::Error| LockHeld::Io {
        path: path.clone(),
        error: e.to_string(),
    };
    // O_NOFOLLOW: a symbolic link fails to open (ELOOP) instead of being
    // followed; no O_TRUNC: nothing is emptied before we know it is ours.
    let opened = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&path);
    let mut file = match opened {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(LockHeld::NotPlain {
                path,
                what: "a symbolic link",
            });
        }
        Err(e) => {
            return Err(match fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => LockHeld::NotPlain {
                    path,
                    what: "a folder",
                },
                _ => io(e),
            });
        }
    };
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(LockHeld::NotPlain {
            path,
            what: "not a regular file (a pipe or a device)",
        });
    }
    if meta.nlink() > 1 {
        return Err(LockHeld::NotPlain {
            path,
            what: "a hard link shared with another file",
        });
    }
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::Error(e)) => return Err(io(e)),
        Err(fs::TryLockError::WouldBlock) => {
            let mut bytes = Vec::new();
            let _ = file.read_to_end(&mut bytes);
            return Err(match serde_json::from_slice::<LockInfo>(&bytes) {
                Ok(holder) => LockHeld::Held { path, holder },
                Err(_) => LockHeld::Unreadable {
                    path,
                    why: "another nhan is opening this project right now".into(),
                },
            });
        }
    }
    // Ours. Whatever the file still says is a holder that did not release.
    let mut before = Vec::new();
    let _ = file.read_to_end(&mut before);
    let took_over = serde_json::from_slice::<LockInfo>(&before).ok();
    let mut json = serde_json::to_string(&me).expect("LockInfo serialises");
    json.push('\n');
    file.set_len(0)
        .and_then(|_| file.rewind())
        .and_then(|_| file.write_all(json.as_bytes()))
        .and_then(|_| file.sync_all())
        .map_err(io)?;
    Ok(LockGuard {
        path,
        info: me,
        took_over,
        file,
    })
}

/// Field 22 of `/proc/<pid>/stat` (after the parenthesised command name,
/// which may hold spaces).
fn proc_start(pid: u32) -> Option<u64> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// The login name: from the environment like most tools, else the name the
/// system gives this process's user id (cron jobs, containers and `env -i`
/// have no `$USER`), else the id itself. Never a made-up "unknown": the lock
/// message should let whoever reads it find the holder.
pub fn user_name() -> String {
    user_name_from(|k| std::env::var(k).ok())
}

fn user_name_from(env: impl Fn(&str) -> Option<String>) -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| env(k).filter(|v| !v.trim().is_empty()))
        .or_else(uid_name)
        .unwrap_or_else(|| {
            // SAFETY: getuid cannot fail and touches no memory of ours.
            format!("uid {}", unsafe { libc::getuid() })
        })
}

/// The passwd entry's name for this process's user id.
fn uid_name() -> Option<String> {
    // SAFETY: getpwuid_r writes only into `pw` and `buf`, whose sizes we
    // pass; `result` is either null or points at `pw`, whose `pw_name`
    // points into `buf`, both alive while we read them.
    unsafe {
        let uid = libc::getuid();
        let mut pw: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut result);
        if rc != 0 || result.is_null() || pw.pw_name.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(pw.pw_name)
            .to_string_lossy()
            .into_owned();
        (!name.is_empty()).then_some(name)
    }
}

fn host_name() -> String {
    let from_file = |p: &str| {
        fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    from_file("/proc/sys/kernel/hostname")
        .or_else(|| from_file("/etc/hostname"))
        .or_else(|| {
            ["HOSTNAME", "COMPUTERNAME"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        })
        .unwrap_or_else(|| "unknown".into())
}

/// `2024-05-01T08:30:00Z`.
fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_lock(root: &Path, info: &LockInfo) {
        fs::write(root.join(LOCK_FILE), serde_json::to_vec(info).unwrap()).unwrap();
    }

    fn dead() -> LockInfo {
        LockInfo {
            pid: 999_999_999,
            user: "minh".into(),
            host: "may-2".into(),
            started: "2020-01-01T00:00:00Z".into(),
            proc_start: None,
        }
    }

    #[test]
    fn second_acquire_fails_and_names_the_holder() {
        let d = tempfile::tempdir().unwrap();
        let g = acquire(d.path()).unwrap();
        let held = acquire(d.path()).unwrap_err();
        let holder = held.holder().expect("a holder");
        assert_eq!(holder.pid, std::process::id());
        assert_eq!(holder, g.info());
        let msg = held.to_string();
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        assert!(
            msg.contains(LOCK_FILE) && msg.contains("another nhan"),
            "{msg}"
        );
        // The file is JSON with the contract's fields.
        let v: serde_json::Value = serde_json::from_slice(&fs::read(g.path()).unwrap()).unwrap();
        for k in ["pid", "user", "host", "started"] {
            assert!(v.get(k).is_some(), "{k} in {v}");
        }
    }

    #[test]
    fn dropping_frees_the_project() {
        let d = tempfile::tempdir().unwrap();
        let g = acquire(d.path()).unwrap();
        drop(g);
        let g = acquire(d.path()).unwrap();
        assert_eq!(
            g.took_over(),
            None,
            "a clean release leaves nothing to take over"
        );
        g.release();
        assert!(acquire(d.path()).is_ok());
    }

    #[test]
    fn a_lock_left_by_a_dead_process_is_free_and_reported() {
        let d = tempfile::tempdir().unwrap();
        write_lock(d.path(), &dead());
        let g = acquire(d.path()).unwrap();
        assert_eq!(g.took_over().unwrap().pid, 999_999_999);
        let now: LockInfo = serde_json::from_slice(&fs::read(g.path()).unwrap()).unwrap();
        assert_eq!(now.pid, std::process::id());
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_holder_that_has_not_written_yet_is_still_a_holder() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(LOCK_FILE);
        let f = fs::File::create(&p).unwrap();
        f.lock().unwrap();
        assert!(matches!(
            acquire(d.path()),
            Err(LockHeld::Unreadable { .. })
        ));
        drop(f);
        assert!(acquire(d.path()).is_ok());
    }

    #[test]
    fn a_missing_folder_is_an_io_error() {
        let d = tempfile::tempdir().unwrap();
        let e = acquire(&d.path().join("nope")).unwrap_err();
        assert!(matches!(e, LockHeld::Io { .. }), "{e:?}");
        assert!(e.to_string().contains("cannot take the project lock"));
    }

    #[test]
    fn racing_processes_leave_exactly_one_holder() {
        for _ in 0..20 {
            let d = tempfile::tempdir().unwrap();
            write_lock(d.path(), &dead());
            let barrier = std::sync::Barrier::new(6);
            let results: Vec<bool> = std::thread::scope(|s| {
                let hs: Vec<_> = (0..6)
                    .map(|_| {
                        let (root, barrier) = (d.path(), &barrier);
                        // Each thread opens the file itself, as a process
                        // would: flocks on separate opens exclude each other.
                        s.spawn(move || {
                            barrier.wait();
                            acquire(root).map(std::mem::forget).is_ok()
                        })
                    })
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert_eq!(results.iter().filter(|&&ok| ok).count(), 1, "{results:?}");
        }
    }

    #[test]
    fn a_symlinked_lock_is_refused_and_its_target_untouched() {
        let d = tempfile::tempdir().unwrap();
        let precious = d.path().join("gold.json");
        fs::write(&precious, "precious gold data\n").unwrap();
        std::os::unix::fs::symlink(&precious, d.path().join(LOCK_FILE)).unwrap();
        let e = acquire(d.path()).unwrap_err();
        assert!(matches!(e, LockHeld::NotPlain { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains(LOCK_FILE) && msg.contains("symbolic link") && msg.contains("rm "),
            "names the file, what it is and what to do: {msg}"
        );
        assert_eq!(
            e.advice(),
            None,
            "no \"quit the other nhan\": there is none"
        );
        assert_eq!(
            fs::read_to_string(&precious).unwrap(),
            "precious gold data\n"
        );
        // A dangling link is not created through either.
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("planted");
        std::os::unix::fs::symlink(&target, d.path().join(LOCK_FILE)).unwrap();
        assert!(acquire(d.path()).is_err());
        assert!(!target.exists());
    }

    #[test]
    fn a_hard_linked_lock_is_refused_and_its_other_name_untouched() {
        let d = tempfile::tempdir().unwrap();
        let other = d.path().join("other.json");
        fs::write(&other, "other file\n").unwrap();
        fs::hard_link(&other, d.path().join(LOCK_FILE)).unwrap();
        let e = acquire(d.path()).unwrap_err();
        assert!(e.to_string().contains("hard link"), "{e}");
        assert_eq!(fs::read_to_string(&other).unwrap(), "other file\n");
    }

    #[test]
    fn a_folder_named_like_the_lock_is_named_as_such() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join(LOCK_FILE)).unwrap();
        let e = acquire(d.path()).unwrap_err();
        assert!(e.to_string().contains("a folder"), "{e}");
    }

    #[test]
    fn without_user_variables_the_user_is_the_uid_name_not_unknown() {
        let name = user_name_from(|_| None);
        assert_ne!(name, "unknown");
        assert!(!name.is_empty());
        // SAFETY: getuid cannot fail.
        let uid = unsafe { libc::getuid() };
        let expected = std::process::Command::new("id")
            .arg("-un")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|| format!("uid {uid}"));
        assert_eq!(name, expected);
        assert_eq!(user_name_from(|_| Some("lan".into())), "lan");
    }

    #[test]
    fn dates_are_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_709_210_096); // leap day 2024
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56Z");
    }
}
