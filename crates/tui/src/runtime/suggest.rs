//! Suggestions off the UI thread: building the recommenders (a thread of
//! its own, it may train the tagger), computing an article's suggestions
//! (one worker), and writing rejections and approvals (a thread of their
//! own, in order, counted so that quitting waits for them: a list being
//! computed must not hold up a rejection nor a quit).

use super::writer::Pending;
use crate::app::msg::Msg;
use crate::app::suggestions::{Engine, SuggestEffect, SuggestMsg};
use nhan_store::project::Project;
use nhan_suggest::config::{self, Kind};
use nhan_suggest::{ArticleInput, BuildOptions, Rejections, Suggester, suggester, trust};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, RwLock};

/// Runs one effect to its result (blocking).
pub fn run(project: &Project, effect: SuggestEffect) -> Msg {
    Msg::Suggest(match effect {
        SuggestEffect::Build => build(project),
        SuggestEffect::Compute {
            index,
            revision,
            generation,
            engine,
            learn,
            doc,
            rejections,
        } => {
            apply_learning(&engine, &learn);
            let loaded = match rejections {
                Some(_) => None,
                None => Some(Rejections::load(project, doc.file_name())),
            };
            let rej = rejections
                .as_ref()
                .or_else(|| loaded.as_ref().and_then(|r| r.as_ref().ok()));
            let spans = suggester::known(doc.spans().iter().map(|s| (s.start, s.end, s.label)));
            let input = ArticleInput {
                name: doc.file_name(),
                text: doc.text(),
                tokens: doc.tokens(),
                spans: &spans,
            };
            let (list, errors) = match engine.0.read() {
                Ok(s) => s.for_article(&input, rej),
                Err(_) => (Vec::new(), vec![nhan_suggest::SuggestError::Lost]),
            };
            SuggestMsg::Computed {
                index,
                revision,
                generation,
                list,
                errors,
                rejections: loaded,
            }
        }
        SuggestEffect::LoadStored {
            index,
            revision,
            file_name,
            text_sha256,
        } => SuggestMsg::Computed {
            index,
            revision,
            generation: 0,
            list: nhan_suggest::store::load_stored_fitted(project, &file_name, &text_sha256),
            errors: Vec::new(),
            rejections: Some(Rejections::load(project, &file_name)),
        },
        SuggestEffect::SaveRejections(r) => SuggestMsg::RejectionsSaved(r.save()),
        SuggestEffect::Approve { command, .. } => SuggestMsg::Approved(
            trust::approve(&project.root, &command).map(|p| p.display().to_string()),
        ),
    })
}

/// Live learning, before the engine is next read.
fn apply_learning(engine: &Engine, learn: &[crate::app::suggestions::Learn]) {
    if learn.is_empty() {
        return;
    }
    if let Ok(mut s) = engine.0.write() {
        for l in learn {
            if l.tagged {
                s.learn(&l.surface, &l.label);
            } else {
                s.unlearn(&l.surface, &l.label);
            }
        }
    }
}

fn build(project: &Project) -> SuggestMsg {
    // The list as on disk now (a command may have been approved since).
    let unapproved = config::load(project)
        .map(|cs| {
            cs.into_iter()
                .filter_map(|c| match c.kind {
                    Kind::Command { command, .. }
                        if !trust::is_approved(&project.root, &command) =>
                    {
                        let covers = trust::covers(&project.root, &command);
                        Some((c.name, command, covers))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    match Suggester::build(project, &BuildOptions::default()) {
        Ok(s) => SuggestMsg::Built {
            notes: s.notes.clone(),
            result: Ok(Engine(Arc::new(RwLock::new(s)))),
            unapproved,
        },
        Err(e) => SuggestMsg::Built {
            result: Err(e),
            notes: Vec::new(),
            unapproved,
        },
    }
}

/// An article this large has its list computed once keys pause.
const LARGE: usize = 200_000;
/// A pause: no new list asked for in this long.
const QUIET: std::time::Duration = std::time::Duration::from_millis(120);
/// Keys that never pause still get a list this often.
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

fn is_large(e: &SuggestEffect) -> bool {
    matches!(e, SuggestEffect::Compute { doc, .. } if doc.text().len_chars() >= LARGE)
}

/// A large article's list takes the other core for a while (a 10 MB
/// one, a tenth of a second): while keys still come, each asking for a new
/// list, the lists asked for are gathered until they stop (`QUIET`, at most
/// `MAX_WAIT`), so that a burst of keys costs one list, computed after it,
/// instead of one per key competing with the keys' frames. `next(wait)`:
/// the next job within `wait`, if any; `elapsed`: the time since the first.
fn until_keys_pause<T>(
    batch: &mut Vec<T>,
    large: impl Fn(&T) -> bool,
    mut next: impl FnMut(std::time::Duration) -> Option<T>,
    mut add: impl FnMut(&mut Vec<T>, T),
    elapsed: impl Fn() -> std::time::Duration,
) {
    while batch.iter().any(&large) && elapsed() < MAX_WAIT {
        match next(QUIET) {
            Some(more) => add(batch, more),
            None => return,
        }
    }
}

/// Adds `more` to the batch; a list asked for an article already in it
/// takes the older request's place and learning (older first). Each
/// request holds a copy of the document: kept through a pause, a burst of
/// keys on an article of 100k spans held a dozen of them.
fn absorb(batch: &mut Vec<SuggestEffect>, mut more: SuggestEffect) {
    if let SuggestEffect::Compute {
        index,
        ref mut learn,
        ..
    } = more
        && let Some(at) = batch
            .iter()
            .position(|e| matches!(e, SuggestEffect::Compute { index: i, .. } if *i == index))
        && let SuggestEffect::Compute {
            learn: mut older, ..
        } = batch.remove(at)
    {
        older.append(learn);
        *learn = older;
    }
    batch.push(more);
}

/// The threaded executor's part for suggestions.
pub struct Worker {
    tx: Sender<SuggestEffect>,
    writes: Sender<SuggestEffect>,
    /// Rejections and approvals handed over and not written yet.
    pub pending_writes: Arc<Pending>,
    done: Sender<Msg>,
    rx: Receiver<Msg>,
    outstanding: Arc<AtomicUsize>,
    project: Project,
}

impl Worker {
    pub fn spawn(project: Project) -> Worker {
        let (tx, jobs) = channel::<SuggestEffect>();
        let (done, rx) = channel();
        let (p, d) = (project.clone(), done.clone());
        let outstanding: Arc<AtomicUsize> = Arc::default();
        let count = Arc::clone(&outstanding);
        std::thread::spawn(move || {
            // Computing a 10 MB article's list takes both cores for a
            // moment: the key being drawn comes first.
            super::system::nice_priority();
            while let Ok(first) = jobs.recv() {
                // Keys come faster than a large article's list: of the
                // lists asked for meanwhile, only the newest per article is
                // computed (the older ones' learning is kept).
                let mut batch: Vec<SuggestEffect> =
                    std::iter::once(first).chain(jobs.try_iter()).collect();
                let started = std::time::Instant::now();
                until_keys_pause(
                    &mut batch,
                    is_large,
                    |wait| jobs.recv_timeout(wait).ok(),
                    absorb,
                    || started.elapsed(),
                );
                let newest = |i: usize, b: &[SuggestEffect]| {
                    b[i + 1..].iter().any(|later| matches!((later, &b[i]),
                        (SuggestEffect::Compute { index: a, .. }, SuggestEffect::Compute { index: b, .. }) if a == b))
                };
                let superseded: Vec<bool> = (0..batch.len()).map(|i| newest(i, &batch)).collect();
                for (effect, skip) in batch.drain(..).zip(superseded) {
                    if skip {
                        if let SuggestEffect::Compute { engine, learn, .. } = effect {
                            apply_learning(&engine, &learn);
                        }
                        count.fetch_sub(1, Ordering::SeqCst);
                        continue;
                    }
                    if d.send(run(&p, effect)).is_err() {
                        return;
                    }
                }
            }
        });
        let (writes, to_write) = channel::<SuggestEffect>();
        let pending_writes = Arc::new(Pending::default());
        let (p, d, w) = (project.clone(), done.clone(), Arc::clone(&pending_writes));
        std::thread::spawn(move || {
            while let Ok(effect) = to_write.recv() {
                let sent = d.send(run(&p, effect));
                // After the result is sent: whoever waits for the count to
                // fall finds the result there to take in.
                w.add(-1);
                if sent.is_err() {
                    return;
                }
            }
        });
        Worker {
            tx,
            writes,
            pending_writes,
            done,
            rx,
            outstanding,
            project,
        }
    }

    pub fn send(&self, effect: SuggestEffect) {
        self.outstanding.fetch_add(1, Ordering::SeqCst);
        if let SuggestEffect::Build = effect {
            // Training takes a while: it must not hold up an article's list.
            let (p, d) = (self.project.clone(), self.done.clone());
            // Nice rather than idle priority: on a busy machine an
            // idle-priority build might never finish.
            std::thread::spawn(move || {
                super::system::nice_priority();
                let _ = d.send(Msg::Suggest(build(&p)));
            });
            return;
        }
        let sent = if let SuggestEffect::SaveRejections(_) | SuggestEffect::Approve { .. } = effect
        {
            self.pending_writes.add(1);
            let sent = self.writes.send(effect).is_ok();
            if !sent {
                self.pending_writes.add(-1);
            }
            sent
        } else {
            self.tx.send(effect).is_ok()
        };
        if !sent {
            self.outstanding.fetch_sub(1, Ordering::SeqCst);
        }
    }

    pub fn results(&self) -> Vec<Msg> {
        let got: Vec<Msg> = self.rx.try_iter().collect();
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
    use std::time::Duration;

    /// Jobs stand for the size of their article in chars.
    fn large(chars: &usize) -> bool {
        *chars >= LARGE
    }

    #[test]
    fn a_large_articles_lists_wait_for_the_keys_to_pause() {
        // Three more keys come, then a pause: one batch of four.
        let mut batch = vec![LARGE];
        let mut coming = 3;
        let next = |_| {
            (coming > 0).then(|| {
                coming -= 1;
                LARGE
            })
        };
        until_keys_pause(&mut batch, large, next, Vec::push, || Duration::ZERO);
        assert_eq!(batch.len(), 4);
        // Keys that never pause get a list after MAX_WAIT all the same.
        let mut batch = vec![LARGE];
        let waited = std::cell::Cell::new(Duration::ZERO);
        let next = |wait: Duration| {
            waited.set(waited.get() + wait / 4);
            Some(LARGE)
        };
        until_keys_pause(&mut batch, large, next, Vec::push, || waited.get());
        let most = (MAX_WAIT.as_millis() / (QUIET / 4).as_millis()) as usize + 1;
        assert!(batch.len() <= most + 1, "{}", batch.len());
        assert!(waited.get() >= MAX_WAIT);
    }

    #[test]
    fn a_newer_request_for_an_article_takes_the_older_ones_place_and_learning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("articles")).unwrap();
        std::fs::write(dir.path().join("nhan.toml"), "[[labels]]\nname = \"LOC\"\n").unwrap();
        let project = Project::open(dir.path()).unwrap();
        let s = Suggester::from_corpus(
            &project,
            &nhan_suggest::corpus::Corpus::default(),
            &[],
            &BuildOptions::default(),
        )
        .unwrap();
        let engine = Engine(Arc::new(RwLock::new(s)));
        let compute = |index, surfaces: &[&str]| SuggestEffect::Compute {
            index,
            revision: 0,
            generation: 0,
            engine: engine.clone(),
            learn: surfaces
                .iter()
                .map(|s| crate::app::suggestions::Learn {
                    surface: s.to_string(),
                    label: "LOC".into(),
                    tagged: true,
                })
                .collect(),
            doc: Box::new(nhan_model::document::Document::new(
                "a.txt",
                nhan_model::text::Text::new("Hà Nội".to_string()),
                "",
            )),
            rejections: None,
        };
        let mut batch = vec![compute(0, &["Hà Nội"]), compute(1, &["Huế"])];
        absorb(&mut batch, compute(0, &["Đà Nẵng"]));
        let got: Vec<(usize, Vec<String>)> = batch
            .iter()
            .map(|e| match e {
                SuggestEffect::Compute { index, learn, .. } => {
                    (*index, learn.iter().map(|l| l.surface.clone()).collect())
                }
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, vec!["Huế".to_string()]),
                (0, vec!["Hà Nội".to_string(), "Đà Nẵng".to_string()]),
            ]
        );
    }

    #[test]
    fn a_small_articles_list_is_computed_at_once() {
        let mut batch = vec![LARGE - 1];
        let next = |_| -> Option<usize> { panic!("waited for keys on a small article") };
        until_keys_pause(&mut batch, large, next, Vec::push, || Duration::ZERO);
        assert_eq!(batch, [LARGE - 1]);
    }
}
