//! What flows into `update` (`Msg`: keys, mouse, results of I/O) and out of
//! it (`Effect`: I/O to run). Nothing here acts; it is the vocabulary
//! between the app and the runtime that runs its effects.

use super::action::Action;
use super::keys::Key;
use crate::error::TuiError;
use nhan_store::project::Loaded;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    Down,
    Drag,
    Up,
    ScrollUp,
    ScrollDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mouse {
    pub kind: MouseKind,
    pub col: u16,
    pub row: u16,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    /// At start: open the article where the user left off.
    Reopen(Place),
    /// Text pasted (bracketed paste), or characters typed into a prompt in
    /// one burst: text for the open prompt, never keys.
    Paste(String),
    Action(Action),
    Mouse(Mouse),
    Resize(u16, u16),
    Loaded {
        index: usize,
        /// Show it (an `Enter`), rather than load it for review in the background.
        open: bool,
        result: Result<Box<Loaded>, nhan_store::project::LoadError>,
    },
    /// An article read for the text around review's rows.
    ContextLoaded {
        index: usize,
        result: Result<Box<Loaded>, nhan_store::project::LoadError>,
    },
    Saved {
        index: usize,
        revision: u64,
        result: Result<Written, TuiError>,
    },
    /// The sidecar of an open article is not what nhan last read or wrote
    /// (found before a save, which did not happen, or by the watch): what
    /// it holds now, or why it cannot be read.
    ChangedOnDisk {
        index: usize,
        on_disk: nhan_store::disk::DiskStamp,
        theirs: Result<Box<nhan_model::sidecar::Sidecar>, TuiError>,
    },
    /// The annotators' own spans and relations on an article, for
    /// adjudication.
    AnnotatorsLoaded {
        index: usize,
        result: Result<Vec<nhan_model::adjudication::Work>, TuiError>,
    },
    /// The background scan read an article's title, status and counts.
    Scanned {
        index: usize,
        meta: Box<nhan_store::project::ArticleMeta>,
    },
    /// About once a second: retries failed saves, looks for changes on disk.
    Tick,
    /// Review's consistency cases, computed in the background for the
    /// edits counted by `fingerprint`.
    CasesComputed {
        fingerprint: u64,
        cases: Vec<nhan_model::review::Case>,
    },
    /// Suggestions computed, rejections saved, ...
    Suggest(super::suggestions::SuggestMsg),
    /// The dashboard's figures: the pass so far, or all of it (`complete`).
    Figures {
        figures: Box<nhan_figures::counts::Stats>,
        complete: bool,
    },
}

/// What a save left on disk: the base of the next merge with a change
/// made there by someone else.
#[derive(Debug, Clone)]
pub struct Written {
    pub on_disk: Option<nhan_store::disk::DiskStamp>,
    pub snapshot: nhan_model::sidecar::Snapshot,
}

#[derive(Debug, Clone)]
pub enum Effect {
    Load {
        index: usize,
        file_name: String,
        open: bool,
    },
    /// Read an article for the text around review's rows (not opened).
    LoadContext {
        index: usize,
        file_name: String,
    },
    Save {
        index: usize,
        revision: u64,
        path: PathBuf,
        snapshot: nhan_model::sidecar::Snapshot,
        /// The file as nhan last read or wrote it: written only if it is
        /// still so.
        expected: Option<nhan_store::disk::DiskStamp>,
    },
    /// Has this sidecar changed on disk since nhan last read or wrote it?
    Watch {
        index: usize,
        path: PathBuf,
        expected: Option<nhan_store::disk::DiskStamp>,
    },
    LoadAnnotators {
        index: usize,
        stem: String,
    },
    /// Compute review's consistency cases off the interface's thread.
    ComputeCases {
        fingerprint: u64,
    },
    /// The dashboard's figures, computed off the interface's thread.
    ComputeFigures,
    /// Leave, once every save is written.
    Quit,
    /// Ctrl-Z: give the terminal back and stop until the shell continues us.
    Suspend,
    /// Suggestions to build, compute or save (off the UI thread).
    Suggest(super::suggestions::SuggestEffect),
}

pub use nhan_store::session::Place;
