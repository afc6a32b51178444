//! The worker that reads articles (opening one, or all of them for review)
//! off the interface's thread.

use super::io;
use crate::app::msg::{Effect, Msg};
use nhan_store::project::Project;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

/// Work waiting for the worker: what a key waits for (opening an article,
/// the text around review's rows) goes before the thousands of articles
/// review reads for its list.
#[derive(Default)]
struct Queue {
    urgent: VecDeque<Effect>,
    background: VecDeque<Effect>,
}

impl Queue {
    fn push(&mut self, effect: Effect) {
        match effect {
            e @ Effect::Load { open: false, .. } => self.background.push_back(e),
            e => self.urgent.push_back(e),
        }
    }

    fn next(&mut self) -> Option<Effect> {
        self.urgent
            .pop_front()
            .or_else(|| self.background.pop_front())
    }
}

pub struct Loader {
    queue: Arc<Mutex<Queue>>,
    /// One token per effect queued: wakes the worker.
    tx: Sender<()>,
    /// For work run on a thread of its own (`aside`).
    done: Sender<Msg>,
    project: Project,
    rx: Receiver<Msg>,
    /// Effects handed over whose result has not been taken in yet.
    outstanding: Arc<AtomicUsize>,
}

impl Loader {
    pub fn spawn(project: Project) -> Loader {
        let (tx, tokens) = channel::<()>();
        let (done, rx) = channel();
        let (aside_done, aside_project) = (done.clone(), project.clone());
        let queue = Arc::new(Mutex::new(Queue::default()));
        let jobs = queue.clone();
        std::thread::spawn(move || {
            // Saves and watches go to the writer; this memory stays empty.
            let mut memory = super::watch::Memory::default();
            for () in tokens {
                let Some(effect) = jobs.lock().unwrap_or_else(|e| e.into_inner()).next() else {
                    continue;
                };
                if let Some(msg) = io::run(&project, effect, &mut memory)
                    && done.send(msg).is_err()
                {
                    return;
                }
            }
        });
        Loader {
            queue,
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
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(effect);
        if self.tx.send(()).is_err() {
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

    /// The dashboard's figures on a thread of their own, at low priority:
    /// the pass so far about four times a second, then all of it.
    pub fn figures(&self) {
        let (done, project) = (self.done.clone(), self.project.clone());
        let outstanding = self.outstanding.clone();
        outstanding.fetch_add(1, Ordering::SeqCst);
        std::thread::spawn(move || {
            super::system::background_priority();
            let send = |figures: nhan_figures::counts::Stats, complete: bool| {
                let msg = crate::app::msg::Msg::Figures {
                    figures: Box::new(figures),
                    complete,
                };
                done.send(msg).is_ok()
            };
            let all = nhan_figures::counts::stream_stats(
                &project,
                nhan_figures::counts::Pass::View,
                |so_far| {
                    // Counted as the final one is: `results` counts each down.
                    outstanding.fetch_add(1, Ordering::SeqCst);
                    if !send(so_far, false) {
                        outstanding.fetch_sub(1, Ordering::SeqCst);
                    }
                },
            );
            if !send(all, true) {
                outstanding.fetch_sub(1, Ordering::SeqCst);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn load(index: usize, open: bool) -> Effect {
        Effect::Load {
            index,
            file_name: format!("a{index}.txt"),
            open,
        }
    }

    #[test]
    fn what_a_key_waits_for_goes_before_the_reads_for_the_list() {
        let mut q = Queue::default();
        q.push(load(0, false));
        q.push(load(1, false));
        q.push(Effect::LoadContext {
            index: 7,
            file_name: "a7.txt".into(),
        });
        q.push(load(2, false));
        q.push(load(8, true));
        let order: Vec<usize> = std::iter::from_fn(|| q.next())
            .map(|e| match e {
                Effect::Load { index, .. } | Effect::LoadContext { index, .. } => index,
                _ => usize::MAX,
            })
            .collect();
        assert_eq!(order, [7, 8, 0, 1, 2]);
    }
}
