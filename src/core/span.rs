//! Spans and the per-article span store, kept sorted by `(start, end, label)`
//! (the sidecar order) with range lookups that do not scan the whole list.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::ops::Range;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub id: u64,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Span {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    pub fn contains(&self, c: usize) -> bool {
        self.start <= c && c < self.end
    }

    fn key(&self) -> (usize, usize, &str) {
        (self.start, self.end, &self.label)
    }
}

/// How `[a, b)` sits against `[c, d)`.
pub fn crosses(a: Range<usize>, b: Range<usize>) -> bool {
    let overlap = a.start < b.end && b.start < a.end;
    let nested = (a.start <= b.start && b.end <= a.end) || (b.start <= a.start && a.end <= b.end);
    overlap && !nested
}

pub fn overlaps(a: Range<usize>, b: Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

#[derive(Debug, Clone, Default)]
pub struct SpanStore {
    /// Shared with the sidecar writer: a save takes a snapshot in O(1), and
    /// an edit copies the list only if a save of the previous state is
    /// still being written (`Arc::make_mut`).
    spans: SharedSpans,
    /// How many spans carry a review decision (kept for the list's progress).
    reviewed: usize,
    /// `max_end[i]` = the largest end among `spans[..=i]`: lets a range query
    /// skip every span that ends before the range.
    max_end: Vec<usize>,
}

/// The shared list: each span is boxed in an `Arc`, so an insert moves
/// pointers rather than spans, and copying the list for a save in progress
/// copies pointers too.
pub type SharedSpans = Arc<Vec<Arc<Span>>>;

impl SpanStore {
    pub fn new(mut spans: Vec<Span>) -> Self {
        spans.sort_by(|a, b| a.key().cmp(&b.key()));
        let reviewed = spans.iter().filter(|s| s.review.is_some()).count();
        let mut s = SpanStore {
            spans: Arc::new(spans.into_iter().map(Arc::new).collect()),
            reviewed,
            max_end: Vec::new(),
        };
        s.reindex_from(0);
        s
    }

    /// The spans as they are now, for a save on another thread.
    pub fn snapshot(&self) -> SharedSpans {
        Arc::clone(&self.spans)
    }

    /// Spans with a review decision (`review` set).
    pub fn reviewed(&self) -> usize {
        self.reviewed
    }

    fn reindex_from(&mut self, i: usize) {
        self.max_end.truncate(i);
        let mut m = if i == 0 { 0 } else { self.max_end[i - 1] };
        for s in &self.spans[i..] {
            m = m.max(s.end);
            self.max_end.push(m);
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// In sidecar order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Span> + ExactSizeIterator + Clone {
        self.spans.iter().map(|s| &**s)
    }

    /// All spans in sidecar order (each shared; they deref to `Span`).
    pub fn as_slice(&self) -> &[Arc<Span>] {
        &self.spans
    }

    /// Span `i` in sidecar order.
    pub fn nth(&self, i: usize) -> Option<&Span> {
        self.spans.get(i).map(|s| &**s)
    }

    pub fn get(&self, id: u64) -> Option<&Span> {
        self.iter().find(|s| s.id == id)
    }

    pub fn insert(&mut self, span: Span) {
        let i = self.spans.partition_point(|s| s.key() < span.key());
        self.reviewed += usize::from(span.review.is_some());
        Arc::make_mut(&mut self.spans).insert(i, Arc::new(span));
        self.reindex_from(i);
    }

    pub fn remove(&mut self, id: u64) -> Option<Span> {
        let i = self.spans.iter().position(|s| s.id == id)?;
        let s = Arc::make_mut(&mut self.spans).remove(i);
        self.reviewed -= usize::from(s.review.is_some());
        self.reindex_from(i);
        Some(Arc::try_unwrap(s).unwrap_or_else(|shared| (*shared).clone()))
    }

    /// Index range (in sidecar order) of spans that may overlap `[a, b)`;
    /// callers filter with `overlaps`. Bounded by what is near the range.
    fn candidates(&self, a: usize, b: usize) -> Range<usize> {
        let lo = self.max_end.partition_point(|&m| m <= a);
        let hi = self.spans.partition_point(|s| s.start < b);
        lo..hi.max(lo)
    }

    /// Spans overlapping `[a, b)`, in sidecar order.
    pub fn overlapping(&self, a: usize, b: usize) -> impl Iterator<Item = &Span> {
        let r = self.candidates(a, b);
        self.spans[r]
            .iter()
            .map(|s| &**s)
            .filter(move |s| s.start < b && a < s.end)
    }

    /// Spans holding char `c`, outermost first.
    pub fn at(&self, c: usize) -> Vec<&Span> {
        let mut v: Vec<&Span> = self.overlapping(c, c + 1).collect();
        v.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        v
    }

    /// The innermost span holding `c`.
    pub fn innermost_at(&self, c: usize) -> Option<&Span> {
        self.at(c).pop()
    }

    pub fn with_extent(&self, start: usize, end: usize) -> Option<&Span> {
        let i = self
            .spans
            .partition_point(|s| (s.start, s.end) < (start, end));
        self.nth(i).filter(|s| s.start == start && s.end == end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn span(id: u64, start: usize, end: usize, label: &str) -> Span {
        Span {
            id,
            start,
            end,
            label: label.into(),
            text: String::new(),
            annotator: None,
            review: None,
            reviewer: None,
            extra: Map::new(),
        }
    }

    #[test]
    fn kept_in_sidecar_order() {
        let mut st = SpanStore::new(vec![span(1, 5, 9, "ORG"), span(2, 0, 3, "PER")]);
        st.insert(span(3, 5, 7, "LOC"));
        let order: Vec<u64> = st.iter().map(|s| s.id).collect();
        assert_eq!(order, [2, 3, 1]);
    }

    #[test]
    fn range_queries_see_long_outer_spans() {
        let st = SpanStore::new(vec![
            span(1, 0, 100, "ORG"),
            span(2, 10, 20, "LOC"),
            span(3, 30, 40, "PER"),
        ]);
        let ids: Vec<u64> = st.overlapping(35, 36).map(|s| s.id).collect();
        assert_eq!(ids, [1, 3]);
        assert_eq!(st.innermost_at(15).unwrap().id, 2);
        assert_eq!(st.at(50).len(), 1);
        assert!(st.overlapping(100, 200).next().is_none());
        assert_eq!(st.with_extent(10, 20).unwrap().id, 2);
    }

    #[test]
    fn crossing_is_not_nesting() {
        assert!(crosses(0..5, 3..8));
        assert!(!crosses(0..8, 3..5));
        assert!(!crosses(0..3, 3..5));
        assert!(!crosses(2..4, 2..4));
    }
}
