//! Runs what `update` asks for: reads articles, writes sidecars. Used by the
//! terminal loop and by tests alike, so tests exercise the real I/O path.

use super::config::Config;
use super::gate::{Gate, GivesWay};
use super::msg::{Effect, Msg};
use super::state::State;
use super::update::update;
use crate::core::project::Project;
use crate::core::sidecar::Sidecar;
use std::collections::VecDeque;

pub struct App {
    pub state: State,
    /// Where saves go: `None` writes them before `handle` returns (tests,
    /// scripts); the terminal loop sets a background writer.
    pub writer: Option<Writer>,
}

impl App {
    pub fn new(project: Project, config: Config, size: (u16, u16)) -> App {
        App {
            state: State::new(project, config, size),
            writer: None,
        }
    }

    /// Handles one message and everything it causes. Without a writer,
    /// every edit is on disk (or its failure shown) when this returns; with
    /// one, it is handed to the writer thread at once.
    pub fn handle(&mut self, msg: Msg) {
        let mut queue = VecDeque::from([msg]);
        while let Some(m) = queue.pop_front() {
            for effect in update(&mut self.state, m) {
                let effect = match (&self.writer, effect) {
                    (
                        Some(w),
                        Effect::Save {
                            index,
                            revision,
                            path,
                            snapshot,
                        },
                    ) => {
                        w.send(Job {
                            index,
                            revision,
                            path,
                            snapshot,
                        });
                        continue;
                    }
                    (_, e) => e,
                };
                if let Some(reply) = run(&self.state.project, effect) {
                    queue.push_back(reply);
                }
            }
        }
    }

    /// Takes in what the writer has finished (saved, or failed and why).
    pub fn poll_saves(&mut self) {
        let done: Vec<Msg> = self
            .writer
            .as_ref()
            .map(|w| w.rx.try_iter().collect())
            .unwrap_or_default();
        for m in done {
            self.handle(m);
        }
    }

    /// Waits until every save handed to the writer is written, then takes
    /// in the results. Called before quitting and suspending.
    pub fn flush_saves(&mut self) {
        if let Some(w) = &self.writer {
            // Waiting for the writer: it need not wait for us.
            w.gate.idle();
            w.pending.wait_idle(std::time::Duration::from_secs(30));
        }
        self.poll_saves();
    }
}

/// One sidecar to write.
pub struct Job {
    index: usize,
    revision: u64,
    path: std::path::PathBuf,
    snapshot: crate::core::sidecar::Snapshot,
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
    fn add(&self, n: isize) {
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
    tx: std::sync::mpsc::Sender<Job>,
    rx: std::sync::mpsc::Receiver<Msg>,
    pub pending: std::sync::Arc<Pending>,
    /// Marked busy by the interface while it handles a key and draws; the
    /// writer waits meanwhile (see `gate`).
    pub gate: std::sync::Arc<Gate>,
}

impl Writer {
    pub fn spawn() -> Writer {
        let (tx, jobs) = std::sync::mpsc::channel::<Job>();
        let (done, rx) = std::sync::mpsc::channel();
        let pending = std::sync::Arc::new(Pending::default());
        let p = std::sync::Arc::clone(&pending);
        let gate = std::sync::Arc::new(Gate::default());
        let g = std::sync::Arc::clone(&gate);
        std::thread::spawn(move || {
            background_priority();
            while let Ok(first) = jobs.recv() {
                let mut batch = vec![first];
                batch.extend(jobs.try_iter());
                let n = batch.len() as isize;
                let mut newest: std::collections::BTreeMap<usize, Job> =
                    std::collections::BTreeMap::new();
                for j in batch {
                    if newest.get(&j.index).is_none_or(|o| o.revision < j.revision) {
                        newest.insert(j.index, j);
                    }
                }
                for (_, j) in newest {
                    let result = save(&j.path, &j.snapshot, &g);
                    let _ = done.send(Msg::Saved {
                        index: j.index,
                        revision: j.revision,
                        result,
                    });
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

    fn send(&self, job: Job) {
        self.pending.add(1);
        if self.tx.send(job).is_err() {
            self.pending.add(-1);
        }
    }
}

fn run(project: &Project, effect: Effect) -> Option<Msg> {
    match effect {
        Effect::Load {
            index,
            file_name,
            open,
        } => {
            let result = project.load_for_editing(&file_name).map(Box::new);
            release_free_memory();
            Some(Msg::Loaded {
                index,
                open,
                result,
            })
        }
        Effect::Save {
            index,
            revision,
            path,
            snapshot,
        } => Some(Msg::Saved {
            index,
            revision,
            result: save(&path, &snapshot, &Gate::default()),
        }),
        Effect::LoadAnnotators { index, stem } => {
            let mut work = Vec::new();
            for name in project.annotators_of(&stem) {
                let path = project.annotator_path(&name, &stem);
                let parsed = std::fs::read(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))
                    .and_then(|b| {
                        Sidecar::parse(&b, &path.display().to_string()).map_err(|e| e.to_string())
                    });
                match parsed {
                    Ok(sc) => work.push((name, sc.spans)),
                    Err(e) => {
                        return Some(Msg::AnnotatorsLoaded {
                            index,
                            result: Err(format!("{e}; fix it to adjudicate")),
                        });
                    }
                }
            }
            Some(Msg::AnnotatorsLoaded {
                index,
                result: Ok(work),
            })
        }
        Effect::Quit => None,
    }
}

/// Lowers the calling thread's CPU priority: on a two-core machine a
/// 100k-span save or a background scan must not delay the key being drawn.
/// Linux's SCHED_IDLE runs the thread only on a core nothing else wants
/// (the interface waits for keys nearly all the time, so saves still go
/// out at once); where it is refused, a nice value of 10 (per thread on
/// Linux) instead.
pub fn background_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain syscalls on the calling thread's own id.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::pid_t;
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(tid, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
        }
    }
}

/// Hands memory freed while reading an article (parser buffers, the
/// previous article) back to the system: glibc keeps it otherwise, and the
/// process would stay as large as its largest moment.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages; no pointer is touched.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Serialises and writes one sidecar; the error names the file. Between
/// two pieces of it, waits while `gate` says the interface is busy with a
/// key (a fresh gate never is).
pub fn save(
    path: &std::path::Path,
    snapshot: &crate::core::sidecar::Snapshot,
    gate: &Gate,
) -> Result<(), String> {
    crate::core::sidecar::write_atomic_with(path, |inner| {
        snapshot.write(&mut GivesWay { inner, gate })
    })
    .map_err(|e| format!("{}: {e}", path.display()))
}
