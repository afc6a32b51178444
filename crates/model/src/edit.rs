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
    SetField {
        field: Field,
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
            Edit::SetField {
                field,
                before,
                after,
            } => Edit::SetField {
                field: field.clone(),
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
            Edit::SetStatus { .. } | Edit::SetField { .. } | Edit::Relation { .. } => None,
            Edit::Batch(v) => v.iter().find_map(Edit::touched),
        }
    }
}

/// A top-level sidecar field an edit sets: one nhan keeps there, or one
/// this version does not know (taken whole from theirs when a merge
/// conflict over it is settled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// The article's note (`attrs::NOTE`).
    Note,
    /// Spans a reviewer rejected.
    Rejected,
    /// Spans re-anchoring could not place.
    Orphans,
    /// Merge conflicts recorded for the user to settle (`merge::CONFLICTS`).
    Conflicts,
    Other(String),
}

impl Field {
    /// The sidecar's key.
    pub fn key(&self) -> &str {
        match self {
            Field::Note => "note",
            Field::Rejected => "rejected",
            Field::Orphans => "orphans",
            Field::Conflicts => "conflicts",
            Field::Other(k) => k,
        }
    }

    /// The field a sidecar's key names.
    pub fn of_key(key: &str) -> Field {
        [
            Field::Note,
            Field::Rejected,
            Field::Orphans,
            Field::Conflicts,
        ]
        .into_iter()
        .find(|f| f.key() == key)
        .unwrap_or_else(|| Field::Other(key.to_string()))
    }
}

/// One step of an article's undo history.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// An edit of the document: undone by its inverse.
    Edit(Box<Edit>),
    /// A suggestion rejected: the document did not change; what undoes it
    /// is the suggestions' own record of rejections.
    Rejection,
}

impl Entry {
    /// The document edit of this step, if it is one.
    pub fn edit(&self) -> Option<&Edit> {
        match self {
            Entry::Edit(e) => Some(e),
            Entry::Rejection => None,
        }
    }
}

/// Unlimited undo/redo for one article within a session.
#[derive(Debug, Clone, Default)]
pub struct History {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
}

impl History {
    pub fn record(&mut self, e: Edit) {
        self.push(Entry::Edit(Box::new(e)));
    }

    /// A rejected suggestion takes its place in the history, so that `u`
    /// takes back the last thing done, whatever it was.
    pub fn record_rejection(&mut self) {
        self.push(Entry::Rejection);
    }

    fn push(&mut self, e: Entry) {
        self.undo.push(e);
        self.redo.clear();
    }

    /// What undoes the last step: the inverse of an edit.
    pub fn undo(&mut self) -> Option<Entry> {
        let e = self.undo.pop()?;
        let inv = match &e {
            Entry::Edit(edit) => Entry::Edit(Box::new(edit.invert())),
            Entry::Rejection => Entry::Rejection,
        };
        self.redo.push(e);
        Some(inv)
    }

    pub fn redo(&mut self) -> Option<Entry> {
        let e = self.redo.pop()?;
        self.undo.push(e.clone());
        Some(e)
    }

    /// The step `undo` would take back, as recorded.
    pub fn peek_undo(&self) -> Option<&Entry> {
        self.undo.last()
    }

    /// The step `redo` would do again.
    pub fn peek_redo(&self) -> Option<&Entry> {
        self.redo.last()
    }

    /// How many steps can be undone and redone.
    pub fn depth(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(id: u64) -> Edit {
        let after = if id == 1 {
            Status::Done
        } else {
            Status::Reviewed
        };
        Edit::SetStatus {
            before: Status::InProgress,
            after,
        }
    }

    #[test]
    fn a_rejection_is_a_step_of_its_own_between_edits() {
        let mut h = History::default();
        h.record(add(1));
        h.record_rejection();
        h.record(add(2));
        assert_eq!(h.undo(), Some(Entry::Edit(Box::new(add(2).invert()))));
        assert_eq!(h.undo(), Some(Entry::Rejection));
        assert_eq!(h.peek_undo(), Some(&Entry::Edit(Box::new(add(1)))));
        assert_eq!(h.redo(), Some(Entry::Rejection));
        assert_eq!(h.depth(), (2, 1));
        // A new step clears what could be redone.
        h.record_rejection();
        assert_eq!(h.depth(), (3, 0));
    }

    #[test]
    fn fields_are_spelled_as_the_sidecar_and_unknown_keys_kept() {
        assert_eq!(Field::Note.key(), crate::attrs::NOTE);
        assert_eq!(Field::Conflicts.key(), crate::merge::CONFLICTS);
        assert_eq!(Field::of_key("rejected"), Field::Rejected);
        assert_eq!(Field::of_key("score"), Field::Other("score".into()));
        assert_eq!(Field::of_key("score").key(), "score");
    }
}
