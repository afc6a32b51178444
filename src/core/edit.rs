//! Edits are data: each has an exact inverse, so undo is applying `invert()`.

use super::span::Span;
use super::status::Status;

// Edits are made one per key press and kept for undo; boxing the spans
// would buy nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    Add(Span),
    Remove(Span),
    Replace {
        before: Span,
        after: Span,
    },
    SetStatus {
        before: Status,
        after: Status,
    },
    /// A top-level sidecar field (e.g. the `rejected` record of review).
    SetExtra {
        key: String,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    },
    /// Several edits undone as one (e.g. `*` tagging every occurrence).
    Batch(Vec<Edit>),
}

impl Edit {
    pub fn invert(&self) -> Edit {
        match self {
            Edit::Add(s) => Edit::Remove(s.clone()),
            Edit::Remove(s) => Edit::Add(s.clone()),
            Edit::Replace { before, after } => Edit::Replace {
                before: after.clone(),
                after: before.clone(),
            },
            Edit::SetStatus { before, after } => Edit::SetStatus {
                before: *after,
                after: *before,
            },
            Edit::SetExtra { key, before, after } => Edit::SetExtra {
                key: key.clone(),
                before: after.clone(),
                after: before.clone(),
            },
            Edit::Batch(v) => Edit::Batch(v.iter().rev().map(Edit::invert).collect()),
        }
    }
}

/// Unlimited undo/redo for one article within a session.
#[derive(Debug, Clone, Default)]
pub struct History {
    undo: Vec<Edit>,
    redo: Vec<Edit>,
}

impl History {
    pub fn record(&mut self, e: Edit) {
        self.undo.push(e);
        self.redo.clear();
    }

    /// The edit to apply to undo the last one.
    pub fn undo(&mut self) -> Option<Edit> {
        let e = self.undo.pop()?;
        let inv = e.invert();
        self.redo.push(e);
        Some(inv)
    }

    pub fn redo(&mut self) -> Option<Edit> {
        let e = self.redo.pop()?;
        self.undo.push(e.clone());
        Some(e)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }
}
