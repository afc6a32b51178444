//! The runtime: runs what `update` asks for. Threads, the file system and
//! the operating system live here, not in `app`.
//!
//! An `App` is the state and an executor. The inline executor runs every
//! effect before `handle` returns (tests, scripts: every edit is on disk, or
//! its failure shown, when a key returns). The threaded one (the terminal)
//! hands saves to the writer thread and loads to a worker, and their
//! results come back through `poll`.

pub mod cases;
pub mod gate;
pub mod io;
mod loader;
pub mod suggest;
pub mod system;
pub mod watch;
pub mod writer;

use crate::app::config::Config;
use crate::app::msg::{Effect, Msg};
use crate::app::state::State;
use crate::app::update::update;
use crate::core::project::Project;
use gate::Gate;
use loader::Loader;
use std::collections::VecDeque;
use std::sync::Arc;
use writer::{Job, Pending, Work, Writer};

// One per app, never moved around: boxing the threads' handles buys nothing.
#[allow(clippy::large_enum_variant)]
enum Executor {
    Inline(watch::Memory),
    Threaded {
        writer: Writer,
        loader: Loader,
        suggest: suggest::Worker,
    },
}

pub struct App {
    pub state: State,
    executor: Executor,
    /// `Effect::Quit` was asked for: the terminal loop quits once every
    /// save is written.
    quit: bool,
    /// `Effect::Suspend` was asked for and the loop has not done it yet.
    suspend: bool,
}

impl App {
    /// An app whose effects run inline.
    pub fn new(project: Project, config: Config, size: (u16, u16)) -> App {
        App {
            state: State::new(project, config, size),
            executor: Executor::Inline(watch::Memory::default()),
            quit: false,
            suspend: false,
        }
    }

    /// From now on saves go to a writer thread and loads to a worker, as in
    /// the terminal: a key never waits for a disk.
    pub fn use_threads(&mut self) {
        self.executor = Executor::Threaded {
            writer: Writer::spawn(),
            loader: Loader::spawn(self.state.project.clone()),
            suggest: suggest::Worker::spawn(self.state.project.clone()),
        };
    }

    /// Handles one message and everything it causes. Inline, every effect
    /// has run (and its result been handled) when this returns; threaded,
    /// each is handed over at once.
    pub fn handle(&mut self, msg: Msg) {
        let mut queue = VecDeque::from([msg]);
        while let Some(m) = queue.pop_front() {
            for effect in update(&mut self.state, m) {
                match (&mut self.executor, effect) {
                    (_, Effect::Quit) => self.quit = true,
                    (_, Effect::Suspend) => self.suspend = true,
                    (
                        Executor::Threaded { writer, .. },
                        Effect::Save {
                            index,
                            revision,
                            path,
                            snapshot,
                            expected,
                        },
                    ) => writer.send(Work::Save(Job {
                        index,
                        revision,
                        path,
                        snapshot,
                        expected,
                    })),
                    (
                        Executor::Threaded { writer, .. },
                        Effect::Watch {
                            index,
                            path,
                            expected,
                        },
                    ) => writer.send(Work::Watch {
                        index,
                        path,
                        expected,
                    }),
                    (Executor::Threaded { loader, .. }, e @ Effect::ComputeCases { .. }) => {
                        loader.aside(e)
                    }
                    (Executor::Threaded { suggest, .. }, Effect::Suggest(e)) => suggest.send(e),
                    (Executor::Threaded { loader, .. }, e) => loader.send(e),
                    (Executor::Inline(memory), e) => {
                        queue.extend(io::run(&self.state.project, e, memory))
                    }
                }
            }
        }
    }

    /// Takes in what the threads have finished: saves written (or failed
    /// and why), articles read.
    /// Articles read for review come back by the thousand: at most a few
    /// milliseconds of them per call, so that a key waits for none of
    /// them (the loop calls again at once while loading).
    /// Whether anything came in.
    pub fn poll(&mut self) -> bool {
        let started = std::time::Instant::now();
        let mut any = false;
        loop {
            let done: Vec<Msg> = match &self.executor {
                Executor::Inline(_) => Vec::new(),
                Executor::Threaded {
                    writer,
                    loader,
                    suggest,
                } => writer
                    .rx
                    .try_iter()
                    .chain(loader.results(32))
                    .chain(suggest.results())
                    .collect(),
            };
            if done.is_empty() {
                return any;
            }
            any = true;
            for m in done {
                self.handle(m);
            }
            if started.elapsed() > std::time::Duration::from_millis(8) {
                return any;
            }
        }
    }

    /// Waits until every write handed over is done (sidecars, rejections,
    /// approvals), then takes in the results. Called before quitting and
    /// suspending.
    pub fn flush_saves(&mut self) {
        for p in self.pending_saves() {
            p.wait_idle(std::time::Duration::from_secs(30));
        }
        self.poll();
    }

    /// Whether saves or loads are under way on another thread.
    pub fn working(&self) -> bool {
        self.saving() || self.loading()
    }

    /// Whether writes handed over are not done yet.
    pub fn saving(&self) -> bool {
        self.pending_saves().iter().any(|p| !p.is_idle())
    }

    /// Whether articles asked for are still being read, or suggestions
    /// computed (they are shown as soon as they are there).
    pub fn loading(&self) -> bool {
        match &self.executor {
            Executor::Inline(_) => false,
            Executor::Threaded {
                loader, suggest, ..
            } => loader.is_busy() || suggest.is_busy(),
        }
    }

    /// Shows suggestions (the terminal does; app tests that are not about
    /// suggestions leave them off).
    pub fn enable_suggestions(&mut self) {
        self.state.suggest.enabled = true;
    }

    /// The writer's right-of-way gate (threaded only).
    pub fn gate(&self) -> Option<Arc<Gate>> {
        match &self.executor {
            Executor::Inline(_) => None,
            Executor::Threaded { writer, .. } => Some(Arc::clone(&writer.gate)),
        }
    }

    /// The counts of writes not done yet, one per thread that writes
    /// (threaded only; inline, every write is done when `handle` returns).
    pub fn pending_saves(&self) -> Vec<Arc<Pending>> {
        match &self.executor {
            Executor::Inline(_) => Vec::new(),
            Executor::Threaded {
                writer, suggest, ..
            } => vec![
                Arc::clone(&writer.pending),
                Arc::clone(&suggest.pending_writes),
            ],
        }
    }

    /// Whether a quit was asked for.
    pub fn wants_quit(&self) -> bool {
        self.quit
    }

    /// The quit could not happen (a save failed): go on.
    pub fn quit_refused(&mut self) {
        self.quit = false;
    }

    /// Whether a suspend was asked for; asking clears it.
    pub fn take_suspend(&mut self) -> bool {
        std::mem::take(&mut self.suspend)
    }
}

/// Reads every article's title, status and counts on another thread, at
/// low priority, and sends them as they come, so the first frame never
/// waits for them.
pub fn scan_in_background(
    project: Project,
) -> std::sync::mpsc::Receiver<(usize, crate::core::project::ArticleMeta)> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        system::background_priority();
        for i in 0..project.articles.len() {
            if tx.send((i, project.scan_for_list(i))).is_err() {
                return;
            }
        }
    });
    rx
}
