//! An advisory lock against two nhan processes editing one project.
//!
//! The lock is the file `.nhan.lock` in the project root, created with
//! `create_new` (atomic: of two processes exactly one creates it) and
//! holding who took it: `{"pid", "user", "host", "started"}` (plus the
//! process start time on Linux, so a recycled pid is not mistaken for the
//! holder). The second process gets [`LockHeld`], which says who holds the
//! lock, and opens the project read-only.
//!
//! A lock whose process is gone (same host, and `/proc/<pid>` missing or
//! belonging to a younger process) is stale and taken over: it is renamed
//! aside (atomic, so of two processes taking over only one succeeds) and
//! checked to be the same lock that was judged stale before it is deleted.
//! Off Linux, and for a lock taken on another host, liveness cannot be
//! checked and the lock counts as held: the message says which file to
//! delete if that process is really gone.
//!
//! The guard deletes the file on drop, unless the file no longer holds its
//! own lock. A `kill -9` leaves the file behind; the next start takes it over.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const LOCK_FILE: &str = ".nhan.lock";

/// A lock file younger than this that cannot be parsed is probably being
/// written by a process that just created it: it counts as held.
const FRESH: Duration = Duration::from_secs(10);

/// Who holds (or held) a lock: the contents of `.nhan.lock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    pub pid: u32,
    pub user: String,
    pub host: String,
    /// When the lock was taken: UTC, RFC 3339.
    pub started: String,
    /// The process's start time (Linux `/proc/<pid>/stat` field 22, clock
    /// ticks since boot), to tell the holder from a later process that got
    /// the same pid.
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
    /// Another nhan that is (or may be) running holds it.
    Held { path: PathBuf, holder: LockInfo },
    /// A lock file exists but does not say who holds it (it is being
    /// written right now, or it is not a lock nhan wrote).
    Unreadable { path: PathBuf, why: String },
    /// The lock file could not be created or read: read-only folder,
    /// permission denied, missing folder.
    Io { path: PathBuf, error: String },
}

impl LockHeld {
    pub fn holder(&self) -> Option<&LockInfo> {
        match self {
            LockHeld::Held { holder, .. } => Some(holder),
            _ => None,
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            LockHeld::Held { path, .. }
            | LockHeld::Unreadable { path, .. }
            | LockHeld::Io { path, .. } => path,
        }
    }
}

impl fmt::Display for LockHeld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockHeld::Held { path, holder } => write!(
                f,
                "project open in another nhan: {}; read-only here (if that nhan is no longer running, delete {})",
                holder.describe(),
                path.display()
            ),
            LockHeld::Unreadable { path, why } => write!(
                f,
                "{}: {why}; read-only here (if no other nhan is running, delete that file)",
                path.display()
            ),
            LockHeld::Io { path, error } => write!(
                f,
                "{}: cannot take the project lock: {error}; read-only here",
                path.display()
            ),
        }
    }
}

impl std::error::Error for LockHeld {}

/// The lock, held until dropped.
#[derive(Debug)]
pub struct LockGuard {
    path: PathBuf,
    info: LockInfo,
    took_over: Option<LockInfo>,
}

impl LockGuard {
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stale lock this one replaced, if any (worth a status-bar note).
    pub fn took_over(&self) -> Option<&LockInfo> {
        self.took_over.as_ref()
    }

    /// Releases the lock now (the same as dropping the guard).
    pub fn release(self) {}
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Delete only our own lock: never one another process put there.
        let ours = fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice::<LockInfo>(&b).ok())
            .is_some_and(|i| i == self.info);
        if ours {
            let _ = fs::remove_file(&self.path);
        }
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
    let mut took_over = None;
    for _ in 0..8 {
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                let mut json = serde_json::to_string(&me).expect("LockInfo serialises");
                json.push('\n');
                if let Err(e) = f.write_all(json.as_bytes()).and_then(|_| f.sync_all()) {
                    drop(f);
                    let _ = fs::remove_file(&path);
                    return Err(io(e));
                }
                return Ok(LockGuard {
                    path,
                    info: me,
                    took_over,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(e)),
        }
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue, // just released
            Err(e) => return Err(io(e)),
        };
        match serde_json::from_slice::<LockInfo>(&bytes) {
            Ok(holder) => {
                if holder.host != me.host || pid_alive(holder.pid, holder.proc_start) {
                    return Err(LockHeld::Held { path, holder });
                }
                take_over(&path, &bytes).map_err(io)?;
                took_over = Some(holder);
            }
            Err(e) => {
                let age = fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .unwrap_or(Duration::ZERO);
                if age < FRESH {
                    return Err(LockHeld::Unreadable {
                        path,
                        why: format!("a lock file exists that does not say who holds it ({e})"),
                    });
                }
                take_over(&path, &bytes).map_err(io)?;
            }
        }
    }
    Err(LockHeld::Unreadable {
        path,
        why: "the lock kept changing: another nhan is starting at the same moment".into(),
    })
}

/// Removes the stale lock `judged` at `path`, unless another process
/// replaced it in the meantime (then that lock is put back).
fn take_over(path: &Path, judged: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let aside = path.with_file_name(format!(
        "{LOCK_FILE}.stale.{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    match fs::rename(path, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()), // someone else took over
        Err(e) => return Err(e),
    }
    let moved = fs::read(&aside).unwrap_or_default();
    if moved != judged {
        // A fresh lock, taken after ours was judged stale: put it back.
        // `hard_link` fails if a lock exists again, so nothing is clobbered.
        match fs::hard_link(&aside, path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(_) => {
                if !path.exists() {
                    let _ = fs::rename(&aside, path);
                }
            }
        }
    }
    let _ = fs::remove_file(&aside);
    Ok(())
}

#[cfg(target_os = "linux")]
fn pid_alive(pid: u32, started: Option<u64>) -> bool {
    if !Path::new("/proc/self").exists() {
        return true; // no procfs: cannot tell
    }
    match fs::metadata(format!("/proc/{pid}")) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(_) => true,
        Ok(_) => match (started, proc_start(pid)) {
            (Some(want), Some(now)) => want == now,
            _ => true,
        },
    }
}

#[cfg(not(target_os = "linux"))]
fn pid_alive(_pid: u32, _started: Option<u64>) -> bool {
    true // no std-only way to ask; the message says which file to delete
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

fn user_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into())
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

    fn dead(host: String) -> LockInfo {
        LockInfo {
            pid: 999_999_999,
            user: "minh".into(),
            host,
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
            msg.contains(LOCK_FILE) && msg.contains("read-only"),
            "{msg}"
        );
        // The file is JSON with the contract's fields.
        let v: serde_json::Value = serde_json::from_slice(&fs::read(g.path()).unwrap()).unwrap();
        for k in ["pid", "user", "host", "started"] {
            assert!(v.get(k).is_some(), "{k} in {v}");
        }
    }

    #[test]
    fn drop_removes_the_lock_and_frees_the_project() {
        let d = tempfile::tempdir().unwrap();
        let g = acquire(d.path()).unwrap();
        assert!(d.path().join(LOCK_FILE).exists());
        drop(g);
        assert!(!d.path().join(LOCK_FILE).exists());
        let g = acquire(d.path()).unwrap();
        g.release();
        assert!(!d.path().join(LOCK_FILE).exists());
    }

    #[test]
    fn stale_lock_of_a_dead_process_is_taken_over() {
        let d = tempfile::tempdir().unwrap();
        let me = LockInfo::current();
        write_lock(d.path(), &dead(me.host.clone()));
        let g = acquire(d.path()).unwrap();
        assert_eq!(g.took_over().unwrap().pid, 999_999_999);
        let now: LockInfo = serde_json::from_slice(&fs::read(g.path()).unwrap()).unwrap();
        assert_eq!(now.pid, std::process::id());
        // Nothing left aside.
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_recycled_pid_does_not_keep_a_lock_alive() {
        let d = tempfile::tempdir().unwrap();
        let mut other = LockInfo::current();
        other.proc_start = Some(1); // our pid, but a different process start
        write_lock(d.path(), &other);
        assert!(acquire(d.path()).unwrap().took_over().is_some());
    }

    #[test]
    fn a_lock_from_another_host_is_respected() {
        let d = tempfile::tempdir().unwrap();
        write_lock(d.path(), &dead("elsewhere.example".into()));
        let held = acquire(d.path()).unwrap_err();
        assert_eq!(held.holder().unwrap().host, "elsewhere.example");
    }

    #[test]
    fn unreadable_lock_is_held_while_fresh_and_taken_over_when_old() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(LOCK_FILE);
        fs::write(&p, b"").unwrap();
        assert!(matches!(
            acquire(d.path()),
            Err(LockHeld::Unreadable { .. })
        ));
        let old = SystemTime::now() - Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let g = acquire(d.path()).unwrap();
        assert_eq!(g.took_over(), None);
        assert!(serde_json::from_slice::<LockInfo>(&fs::read(&p).unwrap()).is_ok());
    }

    #[test]
    fn a_missing_folder_is_an_io_error() {
        let d = tempfile::tempdir().unwrap();
        let e = acquire(&d.path().join("nope")).unwrap_err();
        assert!(matches!(e, LockHeld::Io { .. }), "{e:?}");
        assert!(e.to_string().contains("cannot take the project lock"));
    }

    #[test]
    fn drop_leaves_a_lock_that_is_not_ours() {
        let d = tempfile::tempdir().unwrap();
        let g = acquire(d.path()).unwrap();
        let other = dead("elsewhere.example".into());
        write_lock(d.path(), &other);
        drop(g);
        assert!(d.path().join(LOCK_FILE).exists());
    }

    #[test]
    fn racing_takeovers_of_a_stale_lock_leave_one_holder() {
        for _ in 0..20 {
            let d = tempfile::tempdir().unwrap();
            let host = LockInfo::current().host;
            write_lock(d.path(), &dead(host));
            let barrier = std::sync::Barrier::new(6);
            let results: Vec<bool> = std::thread::scope(|s| {
                let hs: Vec<_> = (0..6)
                    .map(|i| {
                        let (root, barrier) = (d.path(), &barrier);
                        s.spawn(move || {
                            // Distinct pids in one process: pretend to be six
                            // processes that are all alive.
                            let mut me = LockInfo::current();
                            me.pid = std::process::id();
                            me.started = format!("thread {i}");
                            barrier.wait();
                            acquire_as(root, me).map(std::mem::forget).is_ok()
                        })
                    })
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert_eq!(results.iter().filter(|&&ok| ok).count(), 1, "{results:?}");
            let names: Vec<_> = fs::read_dir(d.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(names, vec![std::ffi::OsString::from(LOCK_FILE)]);
        }
    }

    #[test]
    fn dates_are_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // leap day 2024
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56Z");
    }
}
