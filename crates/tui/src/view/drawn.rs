//! What an article's layout was last brought up to date with, so that it
//! is wrapped again from the document's revision, once, not by every edit.

use std::ops::Range;

#[derive(Debug, Clone, Default)]
pub struct Drawn {
    /// The article's revision the layout shows.
    revision: u64,
    /// The extent of the span edits made since (every span added or
    /// removed has both ends in it).
    changed: Option<Range<usize>>,
    /// The edits noted since: a revision bumped by anything else (the
    /// sidecar merged from disk) is wrapped afresh.
    noted: u64,
}

/// What changed since the layout was brought up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    Nothing,
    /// The spans in this extent.
    Spans(Range<usize>),
    /// Something no edit said (the layout is wrapped afresh).
    Unknown,
}

impl Drawn {
    /// An edit changed the spans in `extent` (the article's revision is
    /// bumped with it).
    pub fn note(&mut self, extent: Option<Range<usize>>) {
        self.noted += 1;
        self.changed = match (self.changed.take(), extent) {
            (Some(a), Some(b)) => Some(a.start.min(b.start)..a.end.max(b.end)),
            (a, b) => a.or(b),
        };
    }

    /// What changed up to `revision`, which the layout is now brought to.
    pub fn catch_up(&mut self, revision: u64) -> Since {
        let changed = self.changed.take();
        let noted = std::mem::take(&mut self.noted);
        if self.revision == revision {
            return Since::Nothing;
        }
        let known = self.revision + noted == revision;
        self.revision = revision;
        match changed {
            _ if !known => Since::Unknown,
            Some(r) => Since::Spans(r),
            None => Since::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_in_one_update_are_caught_up_with_as_one_extent() {
        let mut d = Drawn::default();
        assert_eq!(d.catch_up(0), Since::Nothing);
        d.note(Some(10..12));
        d.note(Some(3..5));
        assert_eq!(d.catch_up(2), Since::Spans(3..12));
        assert_eq!(d.catch_up(2), Since::Nothing, "caught up");
        d.note(None);
        assert_eq!(d.catch_up(3), Since::Nothing, "no span changed");
    }

    #[test]
    fn a_revision_no_edit_noted_is_wrapped_afresh() {
        let mut d = Drawn::default();
        d.note(Some(1..2));
        assert_eq!(d.catch_up(2), Since::Unknown, "one bump was not an edit");
        assert_eq!(d.catch_up(3), Since::Unknown);
    }
}
