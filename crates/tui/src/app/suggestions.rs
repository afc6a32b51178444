//! What the TUI knows of suggestions: the engine (built off the UI thread),
//! each open article's list, and the messages and effects between `update`
//! and the runtime. Data only: the handlers are in `suggesting`.

use nhan_model::edit::Edit;
use nhan_suggest::SuggestError;
use nhan_suggest::error::FileError;
use nhan_suggest::{Rejections, Suggester, Suggestion};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The recommenders, shared with the thread that computes suggestions.
/// Live learning writes to it there, never on the UI thread.
#[derive(Clone)]
pub struct Engine(pub Arc<RwLock<Suggester>>);

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Engine")
    }
}

/// The annotator tagged (`true`) or untagged a surface with a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learn {
    pub surface: String,
    pub label: String,
    pub tagged: bool,
}

/// A version no list has had: unique across articles, so that a list
/// replaced by another for the same article never passes for it.
pub fn next_version() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// One article's suggestions, sorted by `(start, end, label)`.
#[derive(Debug, Clone, Default)]
pub struct ArticleSuggestions {
    pub list: Vec<Suggestion>,
    /// Changed with every change of `list` ([`next_version`]): the text
    /// pane redraws its suggestions when it differs from the one drawn,
    /// instead of comparing the two lists (100k suggestions, on every key).
    pub version: u64,
    /// The article revision and engine generation `list` was computed for.
    pub computed: Option<(u64, u64)>,
    /// Asked for and not back yet.
    pub asked: Option<(u64, u64)>,
    /// Loaded with the first list (the runtime reads the file).
    pub rejections: Option<Rejections>,
    /// Why the rejections file could not be read (it is never
    /// overwritten then).
    pub rejections_error: Option<String>,
    /// Rejections in undo order, and those undone (for redo): the
    /// history holds an empty edit in their place.
    pub rejected: Vec<Suggestion>,
    pub unrejected: Vec<Suggestion>,
    /// The article's revision and history depth when last looked at: what
    /// changed since is learnt from.
    pub seen: Option<(u64, (usize, usize))>,
    /// The suggestion `)`, `(` or a decision last went to, by key: while
    /// the cursor stays at its start it is the one the keys, the status
    /// bar and the message mean, even where others start at the same place.
    pub focus: Option<(usize, usize, String)>,
}

/// Reading order: by start, the outer (longer) before the inner, then by
/// label.
fn reading(start: usize, end: usize, label: &str) -> (usize, std::cmp::Reverse<usize>, &str) {
    (start, std::cmp::Reverse(end), label)
}

fn reading_of(s: &Suggestion) -> (usize, std::cmp::Reverse<usize>, &str) {
    reading(s.start, s.end, &s.label)
}

impl ArticleSuggestions {
    /// The innermost suggestion over char `c` (lists are short per screen;
    /// a binary search finds where to look).
    pub fn at(&self, c: usize) -> Option<&Suggestion> {
        let upto = self.list.partition_point(|s| s.start <= c);
        self.list[..upto]
            .iter()
            .rev()
            .take(64)
            .filter(|s| s.start <= c && c < s.end)
            .min_by_key(|s| (std::cmp::Reverse(s.start), s.end))
    }

    /// The suggestion the keys act on: the one whose extent is selected,
    /// else the focused one while the cursor is at its start, else the
    /// innermost one under the cursor.
    pub fn current(&self, cursor: usize, selected: Option<(usize, usize)>) -> Option<&Suggestion> {
        let focused = self.focused(cursor);
        if let Some((a, b)) = selected {
            return focused
                .filter(|s| (s.start, s.end) == (a, b))
                .or_else(|| self.list.iter().find(|s| (s.start, s.end) == (a, b)));
        }
        focused.or_else(|| self.at(cursor))
    }

    /// The focused suggestion, if it is still proposed and the cursor is
    /// still at its start.
    pub fn focused(&self, cursor: usize) -> Option<&Suggestion> {
        let (a, b, l) = self.focus.as_ref()?;
        if *a != cursor {
            return None;
        }
        self.index_of(*a, *b, l).map(|i| &self.list[i])
    }

    fn index_of(&self, start: usize, end: usize, label: &str) -> Option<usize> {
        self.list
            .binary_search_by(|s| s.key().cmp(&(start, end, label)))
            .ok()
    }

    /// Indices of the suggestions starting where `list[from]` does.
    fn group(&self, from: usize) -> std::ops::Range<usize> {
        let start = self.list[from].start;
        let lo = self.list.partition_point(|s| s.start < start);
        let hi = self.list.partition_point(|s| s.start <= start);
        lo..hi
    }

    fn first_of(&self, g: std::ops::Range<usize>) -> Option<usize> {
        g.min_by(|&i, &j| reading_of(&self.list[i]).cmp(&reading_of(&self.list[j])))
    }

    fn last_of(&self, g: std::ops::Range<usize>) -> Option<usize> {
        g.max_by(|&i, &j| reading_of(&self.list[i]).cmp(&reading_of(&self.list[j])))
    }

    /// The next suggestion in reading order after `(start, end, label)`
    /// (which need not be in the list any more): a nested one inside it
    /// comes next.
    pub fn after(&self, start: usize, end: usize, label: &str) -> Option<usize> {
        let me = reading(start, end, label);
        let lo = self.list.partition_point(|s| s.start < start);
        let hi = self.list.partition_point(|s| s.start <= start);
        (lo..hi)
            .filter(|&i| reading_of(&self.list[i]) > me)
            .min_by(|&i, &j| reading_of(&self.list[i]).cmp(&reading_of(&self.list[j])))
            .or_else(|| (hi < self.list.len()).then(|| self.first_of(self.group(hi)))?)
    }

    /// The previous suggestion in reading order before `(start, end, label)`.
    pub fn before(&self, start: usize, end: usize, label: &str) -> Option<usize> {
        let me = reading(start, end, label);
        let lo = self.list.partition_point(|s| s.start < start);
        let hi = self.list.partition_point(|s| s.start <= start);
        (lo..hi)
            .filter(|&i| reading_of(&self.list[i]) < me)
            .max_by(|&i, &j| reading_of(&self.list[i]).cmp(&reading_of(&self.list[j])))
            .or_else(|| (lo > 0).then(|| self.last_of(self.group(lo - 1)))?)
    }

    /// The first suggestion (outermost) starting after char `c`.
    pub fn after_char(&self, c: usize) -> Option<usize> {
        let hi = self.list.partition_point(|s| s.start <= c);
        (hi < self.list.len()).then(|| self.first_of(self.group(hi)))?
    }

    /// The last suggestion (innermost) starting before char `c`.
    pub fn before_char(&self, c: usize) -> Option<usize> {
        let lo = self.list.partition_point(|s| s.start < c);
        (lo > 0).then(|| self.last_of(self.group(lo - 1)))?
    }

    /// `list[i]`'s place in reading order, from 1 (for "suggestion 3/19").
    pub fn ordinal(&self, i: usize) -> usize {
        let g = self.group(i);
        let me = reading_of(&self.list[i]);
        g.start + g.filter(|&j| reading_of(&self.list[j]) < me).count() + 1
    }

    pub fn remove(&mut self, s: &Suggestion) {
        self.list.retain(|x| x.key() != s.key());
        self.version = next_version();
    }
}

/// A question on the message line about suggestions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// Accept every suggestion in the article; the input narrows it to a
    /// label (its number or name) and/or a minimum score (`.8`).
    AcceptAll { input: String },
    /// May this command recommender from nhan.toml run? Answered only by
    /// typing `approve` and Enter: no annotating key (`y` accepts a
    /// suggestion) can say yes by accident.
    Trust {
        name: String,
        command: Vec<String>,
        covers: String,
        input: String,
    },
}

#[derive(Debug, Clone, Default)]
pub struct SuggestState {
    /// Off unless the front end turns it on (the terminal does; app tests
    /// that are not about suggestions leave it off).
    pub enabled: bool,
    /// `S`: drawn or not (decisions still work on what is computed).
    pub hidden: bool,
    pub engine: Option<Engine>,
    /// Bumped when a new engine arrives: every list is then stale.
    pub generation: u64,
    pub building: bool,
    /// Why the engine could not be built (shown once; not retried until
    /// the next edit).
    pub failed: Option<SuggestError>,
    /// Ticks since the last edit while a retraining is due.
    pub quiet_ticks: Option<u32>,
    /// Learning not yet handed to the engine (goes with the next request).
    pub learn: Vec<Learn>,
    /// Learning since the running build started: replayed on its result.
    pub learned_since_build: Vec<Learn>,
    pub articles: HashMap<usize, ArticleSuggestions>,
    /// Commands already asked about this session.
    pub asked_trust: Vec<Vec<String>>,
    /// Command recommenders a build found unapproved and not asked about
    /// yet (name, command, what approving covers): asked only on the
    /// deliberate key, never under keys being typed.
    pub awaiting_trust: Vec<(String, Vec<String>, String)>,
    /// `E` made a selection of this suggestion: tagging it keeps the source.
    pub editing: Option<Suggestion>,
    /// Rejections and approvals handed over to be written and not reported
    /// written yet: until then the status bar says "saving…", not "saved".
    pub writing: usize,
}

/// Quiet ticks (about a second each) after an edit before the recommenders
/// are trained again.
pub const RETRAIN_AFTER_TICKS: u32 = 3;

impl SuggestState {
    /// A write handed over (`suggesting::write`) came back, written or
    /// not.
    pub fn written(&mut self) {
        self.writing = self.writing.saturating_sub(1);
    }

    /// What the annotator's edit teaches the dictionary.
    pub fn note_edit(&mut self, e: &Edit) {
        let mut add = |s: &nhan_model::span::Span, tagged: bool| {
            let l = Learn {
                surface: s.text.to_string(),
                label: s.label.to_string(),
                tagged,
            };
            self.learn.push(l.clone());
            if self.building {
                self.learned_since_build.push(l);
            }
            self.quiet_ticks = Some(0);
        };
        match e {
            Edit::Add(s) => add(s, true),
            Edit::Remove(s) => add(s, false),
            Edit::Replace { before, after } => {
                if before.range() != after.range() || before.label != after.label {
                    add(before, false);
                    add(after, true);
                }
            }
            Edit::Batch(v) => v.iter().for_each(|e| self.note_edit(e)),
            Edit::SetStatus { .. } | Edit::SetField { .. } | Edit::Relation { .. } => {}
        }
    }
}

/// What `update` asks the runtime to do for suggestions.
#[derive(Debug, Clone)]
pub enum SuggestEffect {
    /// Build (or rebuild) the recommenders from the project on disk.
    Build,
    /// Compute an article's suggestions, after handing `learn` to the engine.
    Compute {
        index: usize,
        revision: u64,
        generation: u64,
        engine: Engine,
        learn: Vec<Learn>,
        doc: Box<nhan_model::document::Document>,
        /// `None`: read them from disk (the first time).
        rejections: Option<Rejections>,
    },
    /// While the engine is being built: what `nhan suggest` stored for
    /// the article, if it is still for this text.
    LoadStored {
        index: usize,
        revision: u64,
        file_name: String,
        text_sha256: String,
    },
    SaveRejections(Box<Rejections>),
    Approve {
        name: String,
        command: Vec<String>,
    },
}

/// What comes back.
#[derive(Debug, Clone)]
pub enum SuggestMsg {
    Built {
        result: Result<Engine, SuggestError>,
        /// Why configured recommenders are not running.
        notes: Vec<SuggestError>,
        /// Command recommenders this user has not approved.
        /// Name, command, and what approving it covers, in words.
        unapproved: Vec<(String, Vec<String>, String)>,
    },
    Computed {
        index: usize,
        revision: u64,
        generation: u64,
        list: Vec<Suggestion>,
        errors: Vec<SuggestError>,
        rejections: Option<Result<Rejections, FileError>>,
    },
    RejectionsSaved(Result<(), FileError>),
    Approved(Result<String, SuggestError>),
}
