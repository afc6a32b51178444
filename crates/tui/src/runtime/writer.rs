//! The writer thread: sidecars are written off the interface's thread, at
//! low priority, giving way to it while it handles a key.

use super::gate::{Gate, GivesWay};
use super::system::background_priority;
use super::watch::{self, Memory};
use crate::app::msg::{Msg, Written};
use crate::error::TuiError;
use nhan_store::disk::DiskStamp;

/// One sidecar to write.
pub struct Job {
    pub index: usize,
    pub revision: u64,
    pub path: std::path::PathBuf,
    pub snapshot: nhan_model::sidecar::Snapshot,
    /// Written only if the file is still as nhan last read or wrote it.
    pub expected: Option<DiskStamp>,
}

/// What the writer thread is handed: a save, or a look at whether a
/// sidecar changed on disk (here, so that it is never confused with a save
/// of ours still in flight).
pub enum Work {
    Save(Job),
    Watch {
        index: usize,
        path: std::path::PathBuf,
        expected: Option<DiskStamp>,
    },
}

/// How many saves are handed over and not yet written. The interface reads
/// the count on every frame without taking a lock (a lock held by the
/// low-priority writer could make it wait).
#[derive(Default)]
pub struct Pending {
    count: std::sync::atomic::AtomicIsize,
    lock: std::sync::Mutex<()>,
    idle: std::sync::Condvar,
}

impl Pending {
    /// `n` more (or, negative, fewer) writes pending.
    pub fn add(&self, n: isize) {
        use std::sync::atomic::Ordering::SeqCst;
        if self.count.fetch_add(n, SeqCst) + n <= 0 {
            let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
            self.idle.notify_all();
        }
    }

    pub fn is_idle(&self) -> bool {
        self.count.load(std::sync::atomic::Ordering::SeqCst) <= 0
    }

    /// Blocks until nothing is pending (or `limit` passes).
    pub fn wait_idle(&self, limit: std::time::Duration) {
        let held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let _ = self
            .idle
            .wait_timeout_while(held, limit, |_| !self.is_idle());
    }
}

/// Writes sidecars on its own thread, so a key never waits for a disk.
/// Saves of one article that pile up are coalesced: only the newest is
/// written, and the file always holds a state the user saw.
pub struct Writer {
    tx: std::sync::mpsc::Sender<Work>,
    pub rx: std::sync::mpsc::Receiver<Msg>,
    pub pending: std::sync::Arc<Pending>,
    /// Marked busy by the interface while it handles a key and draws; the
    /// writer waits meanwhile (see `gate`).
    pub gate: std::sync::Arc<Gate>,
}

impl Writer {
    pub fn spawn() -> Writer {
        let (tx, jobs) = std::sync::mpsc::channel::<Work>();
        let (done, rx) = std::sync::mpsc::channel();
        let pending = std::sync::Arc::new(Pending::default());
        let p = std::sync::Arc::clone(&pending);
        let gate = std::sync::Arc::new(Gate::default());
        let g = std::sync::Arc::clone(&gate);
        std::thread::spawn(move || {
            background_priority();
            let mut memory = Memory::default();
            while let Ok(first) = jobs.recv() {
                let mut batch = vec![first];
                batch.extend(jobs.try_iter());
                let n = batch.len() as isize;
                let mut newest: std::collections::BTreeMap<usize, Job> =
                    std::collections::BTreeMap::new();
                let mut watches = Vec::new();
                for w in batch {
                    match w {
                        Work::Save(j) => {
                            if newest.get(&j.index).is_none_or(|o| o.revision < j.revision) {
                                newest.insert(j.index, j);
                            }
                        }
                        Work::Watch {
                            index,
                            path,
                            expected,
                        } => watches.push((index, path, expected)),
                    }
                }
                for (_, j) in newest {
                    let _ = done.send(checked_save(j, &mut memory, &g));
                }
                for (index, path, expected) in watches {
                    if let Some(m) = watch::changed(index, &path, expected, &mut memory, false) {
                        let _ = done.send(m);
                    }
                }
                p.add(-n);
            }
        });
        Writer {
            tx,
            rx,
            pending,
            gate,
        }
    }

    pub fn send(&self, work: Work) {
        self.pending.add(1);
        if self.tx.send(work).is_err() {
            self.pending.add(-1);
        }
    }
}

/// Writes `job` unless its file changed on disk since nhan last read or
/// wrote it; then the change is reported instead and nothing is written.
pub fn checked_save(job: Job, memory: &mut Memory, gate: &Gate) -> Msg {
    if let Some(changed) = watch::changed(job.index, &job.path, job.expected, memory, true) {
        return changed;
    }
    let result = save(&job.path, &job.snapshot, gate).map(|()| {
        let on_disk = DiskStamp::of(&job.path).ok().flatten();
        memory.wrote(&job.path, on_disk);
        Written {
            on_disk,
            snapshot: job.snapshot,
        }
    });
    Msg::Saved {
        index: job.index,
        revision: job.revision,
        result,
    }
}

/// Serialises and writes one sidecar; the error names the file. Between
/// two pieces of it, waits while `gate` says the interface is busy with a
/// key (a fresh gate never is).
pub fn save(
    path: &std::path::Path,
    snapshot: &nhan_model::sidecar::Snapshot,
    gate: &Gate,
) -> Result<(), TuiError> {
    let failed = |e| TuiError::Save {
        path: path.to_path_buf(),
        error: std::sync::Arc::new(e),
    };
    let (root, rel) = nhan_store::root::sidecar_root(path).map_err(failed)?;
    root.write_atomic_with(rel, |inner| snapshot.write(&mut GivesWay { inner, gate }))
        .map_err(failed)
}
