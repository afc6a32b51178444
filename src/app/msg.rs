//! What flows into `update` (`Msg`: keys, mouse, results of I/O) and out of
//! it (`Effect`: I/O to run). Nothing here acts; it is the vocabulary
//! between the app and the runtime that runs its effects.

use super::action::Action;
use super::keys::Key;
use crate::core::project::Loaded;
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
    Action(Action),
    Mouse(Mouse),
    Resize(u16, u16),
    Loaded {
        index: usize,
        /// Show it (an `Enter`), rather than load it for review in the background.
        open: bool,
        result: Result<Box<Loaded>, String>,
    },
    Saved {
        index: usize,
        revision: u64,
        result: Result<(), String>,
    },
    /// The annotators' own spans on an article, for adjudication.
    AnnotatorsLoaded {
        index: usize,
        result: Result<Vec<(String, Vec<crate::core::span::Span>)>, String>,
    },
    /// The background scan read an article's title, status and counts.
    Scanned {
        index: usize,
        meta: Box<crate::core::project::ArticleMeta>,
    },
    /// About once a second: retries failed saves.
    Tick,
    /// Suggestions computed, rejections saved, ...
    Suggest(super::suggestions::SuggestMsg),
}

#[derive(Debug, Clone)]
pub enum Effect {
    Load {
        index: usize,
        file_name: String,
        open: bool,
    },
    Save {
        index: usize,
        revision: u64,
        path: PathBuf,
        snapshot: crate::core::sidecar::Snapshot,
    },
    LoadAnnotators {
        index: usize,
        stem: String,
    },
    /// Leave, once every save is written.
    Quit,
    /// Ctrl-Z: give the terminal back and stop until the shell continues us.
    Suspend,
    /// Suggestions to build, compute or save (off the UI thread).
    Suggest(super::suggestions::SuggestEffect),
}
