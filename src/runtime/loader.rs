//! The worker that reads articles (opening one, or all of them for review)
//! off the interface's thread.

use super::io;
use crate::app::msg::{Effect, Msg};
use crate::core::project::Project;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

pub struct Loader {
    tx: Sender<Effect>,
    /// For work run on a thread of its own (`aside`).
    done: Sender<Msg>,
    project: Project,
    rx: Receiver<Msg>,
    /// Effects handed over whose result has not been taken in yet.
    outstanding: Arc<AtomicUsize>,
}

impl Loader {
    pub fn spawn(project: Project) -> Loader {
        let (tx, jobs) = channel::<Effect>();
        let (done, rx) = channel();
        let (aside_done, aside_project) = (done.clone(), project.clone());
        std::thread::spawn(move || {
            // Saves and watches go to the writer; this memory stays empty.
            let mut memory = super::watch::Memory::default();
            for effect in jobs {
                if let Some(msg) = io::run(&project, effect, &mut memory)
                    && done.send(msg).is_err()
                {
                    return;
                }
            }
        });
        Loader {
            tx,
            done: aside_done,
            project: aside_project,
            rx,
            outstanding: Arc::default(),
        }
    }

    pub fn send(&self, effect: Effect) {
        // Counted first: the result may be back before `send` returns.
        self.outstanding.fetch_add(1, Ordering::SeqCst);
        if self.tx.send(effect).is_err() {
            self.outstanding.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Runs `effect` on a thread of its own at low priority (a long
    /// computation that must not hold up opening an article); its result
    /// comes back with the others.
    pub fn aside(&self, effect: Effect) {
        self.outstanding.fetch_add(1, Ordering::SeqCst);
        let (done, project) = (self.done.clone(), self.project.clone());
        std::thread::spawn(move || {
            super::system::background_priority();
            let mut memory = super::watch::Memory::default();
            if let Some(msg) = io::run(&project, effect, &mut memory) {
                let _ = done.send(msg);
            }
        });
    }

    /// Up to `limit` of the results ready now.
    pub fn results(&self, limit: usize) -> Vec<Msg> {
        let got: Vec<Msg> = self.rx.try_iter().take(limit).collect();
        self.outstanding.fetch_sub(got.len(), Ordering::SeqCst);
        got
    }

    pub fn is_busy(&self) -> bool {
        self.outstanding.load(Ordering::SeqCst) > 0
    }
}
