//! Edits are data: each has an exact inverse, so undo is applying `invert()`.

use super::relation::Relation;
use super::span::Span;
use super::status::Status;
use std::ops::Range;

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
    /// Adds (`before` None), removes (`after` None) or replaces a relation.
    Relation {
        before: Option<Relation>,
        after: Option<Relation>,
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
            Edit::Relation { before, after } => Edit::Relation {
                before: after.clone(),
                after: before.clone(),
            },
            Edit::Batch(v) => Edit::Batch(v.iter().rev().map(Edit::invert).collect()),
        }
    }

    pub fn add_relation(r: Relation) -> Edit {
        Edit::Relation {
            before: None,
            after: Some(r),
        }
    }

    pub fn remove_relation(r: Relation) -> Edit {
        Edit::Relation {
            before: Some(r),
            after: None,
        }
    }

    pub fn replace_relation(before: Relation, after: Relation) -> Edit {
        Edit::Relation {
            before: Some(before),
            after: Some(after),
        }
    }

    /// The chars whose span edges this edit changes (both ends of every
    /// span it adds, removes or replaces); `None` if it changes no span (a
    /// status change).
    pub fn extent(&self) -> Option<Range<usize>> {
        let join = |a: Option<Range<usize>>, b: Option<Range<usize>>| match (a, b) {
            (Some(a), Some(b)) => Some(a.start.min(b.start)..a.end.max(b.end)),
            (a, b) => a.or(b),
        };
        match self {
            Edit::Add(s) | Edit::Remove(s) => Some(s.range()),
            Edit::Replace { before, after } => join(Some(before.range()), Some(after.range())),
            Edit::Batch(v) => v.iter().map(Edit::extent).fold(None, join),
            // Status and other article-level fields: no span moves.
            _ => None,
        }
    }

    /// The span this edit made or changed (the first one, in a batch): where
    /// the cursor goes after it.
    pub fn touched(&self) -> Option<&Span> {
        match self {
            Edit::Add(s) | Edit::Remove(s) => Some(s),
            Edit::Replace { after, .. } => Some(after),
            Edit::SetStatus { .. } | Edit::SetExtra { .. } | Edit::Relation { .. } => None,
            Edit::Batch(v) => v.iter().find_map(Edit::touched),
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

    /// The edit `undo` would take back, as recorded.
    pub fn peek_undo(&self) -> Option<&Edit> {
        self.undo.last()
    }

    /// The edit `redo` would apply again.
    pub fn peek_redo(&self) -> Option<&Edit> {
        self.redo.last()
    }

    /// How many edits can be undone and redone.
    pub fn depth(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }
}
