//! Spans and the per-article span store, kept sorted by `(start, end, label)`
//! (the sidecar order) with range lookups that do not scan the whole list.

pub use super::details::Details;
pub use super::ids::SpanId;
pub use super::interned::Sym;
use super::review::Decision;
use compact_str::CompactString;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::ops::Range;
use std::sync::Arc;

/// One entity mention. Kept small (72 bytes, no heap for short texts and
/// the usual labels and names) because an article may hold 100k of them:
/// repeated values are interned, the text is stored inline up to 24 bytes,
/// and the note, attributes and unknown fields cost a pointer when absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub id: SpanId,
    pub start: usize,
    pub end: usize,
    pub label: Sym,
    pub text: CompactString,
    pub annotator: Option<Sym>,
    pub review: Option<Decision>,
    pub reviewer: Option<Sym>,
    /// The note, attribute values, `source`, and the fields this version
    /// does not know, in their order.
    pub details: Details,
}

impl Serialize for Span {
    /// The sidecar's field order: id, start, end, label, text, the optional
    /// fields when set, then unknown fields as they came.
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("start", &self.start)?;
        m.serialize_entry("end", &self.end)?;
        m.serialize_entry("label", self.label.as_str())?;
        m.serialize_entry("text", self.text.as_str())?;
        for (k, v) in [
            ("annotator", self.annotator.map(|s| s.as_str())),
            ("review", self.review.map(Decision::as_str)),
            ("reviewer", self.reviewer.map(|s| s.as_str())),
        ] {
            if let Some(v) = v {
                m.serialize_entry(k, v)?;
            }
        }
        for f in self.details.iter() {
            m.serialize_entry(f.key(), f)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Span {
    /// Field by field, without buffering the span first (as a flattened
    /// derive would): parsing 100k spans is on the way to the first screen.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Span;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a span object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Span, A::Error> {
                let (mut id, mut start, mut end) = (None, None, None);
                let (mut label, mut text) = (None, None);
                let (mut annotator, mut review, mut reviewer) = (None, None, None);
                let mut details = Details::default();
                fn once<T, E: de::Error>(
                    slot: &mut Option<T>,
                    v: T,
                    k: &'static str,
                ) -> Result<(), E> {
                    if slot.replace(v).is_some() {
                        return Err(E::duplicate_field(k));
                    }
                    Ok(())
                }
                while let Some(k) = a.next_key::<std::borrow::Cow<'de, str>>()? {
                    match &*k {
                        "id" => once(&mut id, a.next_value::<SpanId>()?, "id")?,
                        "start" => once(&mut start, a.next_value::<usize>()?, "start")?,
                        "end" => once(&mut end, a.next_value::<usize>()?, "end")?,
                        "label" => once(&mut label, a.next_value::<Sym>()?, "label")?,
                        "text" => once(&mut text, a.next_value::<CompactString>()?, "text")?,
                        "annotator" => {
                            once(&mut annotator, a.next_value::<Option<Sym>>()?, "annotator")?
                        }
                        "review" => {
                            once(&mut review, a.next_value::<Option<Decision>>()?, "review")?
                        }
                        "reviewer" => {
                            once(&mut reviewer, a.next_value::<Option<Sym>>()?, "reviewer")?
                        }
                        _ => {
                            details.insert(k.into_owned(), a.next_value::<Value>()?);
                        }
                    }
                }
                Ok(Span {
                    id: id.ok_or_else(|| de::Error::missing_field("id"))?,
                    start: start.ok_or_else(|| de::Error::missing_field("start"))?,
                    end: end.ok_or_else(|| de::Error::missing_field("end"))?,
                    label: label.ok_or_else(|| de::Error::missing_field("label"))?,
                    text: text.ok_or_else(|| de::Error::missing_field("text"))?,
                    annotator: annotator.flatten(),
                    review: review.flatten(),
                    reviewer: reviewer.flatten(),
                    details,
                })
            }
        }
        d.deserialize_map(V)
    }
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

/// How many spans a chunk holds before it is split in two. Small enough
/// that copying one chunk (an edit while a save still reads the old state)
/// or scanning one is a few microseconds; large enough that the per-chunk
/// indexes stay a few hundred entries for 100k spans.
const CHUNK: usize = 256;

/// A run of spans in sidecar order, shared between the store and the saves
/// that still read it.
#[derive(Debug, Clone, Default)]
struct Chunk {
    spans: Vec<Span>,
    /// The largest end among `spans`.
    max_end: usize,
}

impl Chunk {
    fn new(spans: Vec<Span>) -> Arc<Chunk> {
        let max_end = spans.iter().map(|s| s.end).max().unwrap_or(0);
        Arc::new(Chunk { spans, max_end })
    }
}

/// The spans as they were when a save was asked for: O(1) to take, and
/// unaffected by later edits (they copy only the chunk they change).
#[derive(Debug, Clone, Default)]
pub struct SharedSpans(Arc<Vec<Arc<Chunk>>>);

impl SharedSpans {
    pub fn iter(&self) -> impl Iterator<Item = &Span> + Clone {
        self.0.iter().flat_map(|c| c.spans.iter())
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|c| c.spans.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|c| c.spans.is_empty())
    }
}

#[derive(Debug, Clone, Default)]
pub struct SpanStore {
    chunks: SharedSpans,
    /// `before[i]` = how many spans the chunks before chunk `i` hold.
    before: Vec<usize>,
    /// `max_end[i]` = the largest end among chunks `..=i`: a range query
    /// skips every chunk whose spans all end before the range.
    max_end: Vec<usize>,
    len: usize,
    /// How many spans carry a review decision (kept for the list's progress).
    reviewed: usize,
    /// The low 32 bits of the ids in use, built the first time a fresh id
    /// is asked for (a store only read, for an export or the list, never
    /// pays for it) and grown by `insert` from then on. Fresh ids are below
    /// 2^32, so a fresh id whose bits are here may be taken and is skipped
    /// (half the memory of whole ids; 100k spans cost about 0.6 MB). A
    /// removed span's id stays: it is not given out again in this session
    /// (an undo brings the span back).
    ids: Option<Arc<std::collections::HashSet<u32>>>,
}

/// The part of an id `SpanStore::ids` keeps.
fn low(id: SpanId) -> u32 {
    id.0 as u32
}

impl SpanStore {
    pub fn new(mut spans: Vec<Span>) -> Self {
        spans.sort_by(|a, b| a.key().cmp(&b.key()));
        let reviewed = spans.iter().filter(|s| s.review.is_some()).count();
        let len = spans.len();
        let mut chunks = Vec::with_capacity(len / CHUNK + 1);
        let mut it = spans.into_iter().peekable();
        while it.peek().is_some() {
            chunks.push(Chunk::new(it.by_ref().take(CHUNK).collect()));
        }
        let mut s = SpanStore {
            chunks: SharedSpans(Arc::new(chunks)),
            len,
            reviewed,
            ..SpanStore::default()
        };
        s.reindex();
        s
    }

    /// A store filled in sidecar order as spans are parsed, without ever
    /// holding them in one large list (which, grown by doubling, would
    /// briefly need twice its size).
    pub fn builder() -> SpanStoreBuilder {
        SpanStoreBuilder::default()
    }

    /// The spans as they are now, for a save on another thread.
    pub fn snapshot(&self) -> SharedSpans {
        self.chunks.clone()
    }

    /// Spans with a review decision (`review` set).
    pub fn reviewed(&self) -> usize {
        self.reviewed
    }

    /// Rebuilds the per-chunk indexes: O(chunks), a few hundred entries.
    fn reindex(&mut self) {
        let chunks = &self.chunks.0;
        self.before.clear();
        self.max_end.clear();
        let (mut n, mut m) = (0, 0);
        for c in chunks.iter() {
            self.before.push(n);
            n += c.spans.len();
            m = m.max(c.max_end);
            self.max_end.push(m);
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// In sidecar order.
    pub fn iter(&self) -> impl Iterator<Item = &Span> + Clone {
        self.chunks.iter()
    }

    /// Span `i` in sidecar order.
    pub fn nth(&self, i: usize) -> Option<&Span> {
        let c = self.before.partition_point(|&b| b <= i).checked_sub(1)?;
        self.chunks.0[c].spans.get(i - self.before[c])
    }

    /// The index (in sidecar order) of the first span for which `pred` is
    /// false, `pred` being true for a prefix of the spans.
    pub fn partition_point(&self, pred: impl Fn(&Span) -> bool) -> usize {
        let chunks = &self.chunks.0;
        // The first chunk whose last span fails `pred` holds the point.
        let c = chunks.partition_point(|c| c.spans.last().is_some_and(&pred));
        match chunks.get(c) {
            Some(ch) => self.before[c] + ch.spans.partition_point(&pred),
            None => self.len,
        }
    }

    /// The span with this id: a scan of every span. On a key's path use
    /// `find`, which looks where the span is expected first.
    pub fn get(&self, id: SpanId) -> Option<&Span> {
        self.iter().find(|s| s.id == id)
    }

    /// The span with this id, looked for first among the spans starting at
    /// `near` (where a selection says it is), then everywhere. No id index
    /// is kept: for 100k spans it would cost more memory than it saves time.
    pub fn find(&self, id: SpanId, near: usize) -> Option<&Span> {
        self.index_near(id, near)
            .and_then(|i| self.nth(i))
            .or_else(|| self.get(id))
    }

    fn index_near(&self, id: SpanId, near: usize) -> Option<usize> {
        let from = self.partition_point(|s| s.start < near);
        (from..self.len)
            .take_while(|&j| self.nth(j).is_some_and(|s| s.start == near))
            .find(|&j| self.nth(j).is_some_and(|s| s.id == id))
    }

    pub fn insert(&mut self, span: Span) {
        if let Some(ids) = &mut self.ids {
            Arc::make_mut(ids).insert(low(span.id));
        }
        self.reviewed += usize::from(span.review.is_some());
        self.len += 1;
        let chunks = Arc::make_mut(&mut self.chunks.0);
        // The last chunk whose first span sorts before the new one, or with
        // it: a span equal in (start, end, label) goes after those already
        // here, so the order is the order they came in, load after load.
        let c = chunks
            .partition_point(|c| c.spans.first().is_some_and(|s| s.key() <= span.key()))
            .saturating_sub(1);
        if chunks.is_empty() {
            chunks.push(Arc::default());
        }
        let chunk = Arc::make_mut(&mut chunks[c]);
        let i = chunk.spans.partition_point(|s| s.key() <= span.key());
        chunk.max_end = chunk.max_end.max(span.end);
        chunk.spans.insert(i, span);
        if chunk.spans.len() > 2 * CHUNK {
            let tail = chunk.spans.split_off(CHUNK);
            chunk.max_end = chunk.spans.iter().map(|s| s.end).max().unwrap_or(0);
            chunks.insert(c + 1, Chunk::new(tail));
        }
        self.reindex();
    }

    /// Removes the span with this id, which starts at `start`.
    pub fn remove(&mut self, id: SpanId, start: usize) -> Option<Span> {
        let i = self
            .index_near(id, start)
            .or_else(|| self.iter().position(|s| s.id == id))?;
        let c = self.before.partition_point(|&b| b <= i) - 1;
        let chunks = Arc::make_mut(&mut self.chunks.0);
        let chunk = Arc::make_mut(&mut chunks[c]);
        let s = chunk.spans.remove(i - self.before[c]);
        if s.end == chunk.max_end {
            chunk.max_end = chunk.spans.iter().map(|s| s.end).max().unwrap_or(0);
        }
        if chunk.spans.is_empty() {
            chunks.remove(c);
        }
        self.len -= 1;
        self.reviewed -= usize::from(s.review.is_some());
        self.reindex();
        Some(s)
    }

    /// Spans overlapping `[a, b)`, in sidecar order. Skips the chunks that
    /// end before `a` and stops at the first span starting at or after `b`.
    pub fn overlapping(&self, a: usize, b: usize) -> impl Iterator<Item = &Span> {
        let c = self.max_end.partition_point(|&m| m <= a);
        self.chunks.0[c.min(self.chunks.0.len())..]
            .iter()
            .flat_map(|c| c.spans.iter())
            .take_while(move |s| s.start < b)
            .filter(move |s| a < s.end)
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

    /// Ids that more than one span carries, ascending, each once.
    pub fn duplicate_ids(&self) -> Vec<SpanId> {
        let mut ids: Vec<SpanId> = self.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        let mut dup: Vec<SpanId> = ids
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        dup.dedup();
        dup
    }

    /// An id for a new span that no span here carries, and that a span made
    /// on another branch of a git repository almost surely does not carry
    /// either: a hash of who made it, where and with which label, in
    /// `1..2^32`. Sequential ids made two annotators' first spans both
    /// `max + 1`, so a clean git merge gave a sidecar with a duplicate id.
    /// The same span made twice (by the same person, on two branches) gets
    /// the same id, so git sees the same line and merges it once. The hash
    /// is deterministic, so tests and screens are reproducible; a clash
    /// (2^-32 per pair of spans, or a span that moved from this extent) is
    /// resolved by hashing again.
    pub fn fresh_id(
        &mut self,
        annotator: Option<&str>,
        label: &str,
        start: usize,
        end: usize,
    ) -> SpanId {
        use sha2::{Digest, Sha256};
        let ids = match &mut self.ids {
            Some(ids) => ids,
            None => self
                .ids
                .insert(Arc::new(self.chunks.iter().map(|s| low(s.id)).collect())),
        };
        for salt in 0u64.. {
            let mut h = Sha256::new();
            h.update(annotator.unwrap_or("").as_bytes());
            h.update([0]);
            h.update(label.as_bytes());
            h.update([0]);
            h.update((start as u64).to_le_bytes());
            h.update((end as u64).to_le_bytes());
            h.update(salt.to_le_bytes());
            let d = h.finalize();
            let id = SpanId(u64::from(u32::from_le_bytes([d[0], d[1], d[2], d[3]])));
            if id.0 != 0 && !ids.contains(&low(id)) {
                return id;
            }
        }
        unreachable!("2^64 salts cannot all clash")
    }

    /// Gives every span whose id an earlier span (in sidecar order) already
    /// carries a fresh id, as a plain `git merge` of two branches that made
    /// spans with sequential ids leaves them. Returns `(old id, new id)` for
    /// each renumbered span; the caller says so to the user.
    pub fn renumber_duplicate_ids(&mut self) -> Vec<(SpanId, SpanId)> {
        if self.duplicate_ids().is_empty() {
            return Vec::new();
        }
        let mut seen = std::collections::HashSet::new();
        let mut all: Vec<Span> = self.iter().cloned().collect();
        let dup: Vec<usize> = (0..all.len())
            .filter(|&i| !seen.insert(all[i].id))
            .collect();
        let mut fresh = SpanStore {
            ids: Some(Arc::new(seen.iter().map(|&id| low(id)).collect())),
            ..SpanStore::default()
        };
        let mut changed = Vec::new();
        for i in dup {
            let s = &all[i];
            let id = fresh.fresh_id(s.annotator.as_deref(), &s.label, s.start, s.end);
            Arc::make_mut(fresh.ids.as_mut().expect("set above")).insert(low(id));
            changed.push((s.id, id));
            all[i].id = id;
        }
        *self = SpanStore::new(all);
        changed
    }

    pub fn with_extent(&self, start: usize, end: usize) -> Option<&Span> {
        let i = self.partition_point(|s| (s.start, s.end) < (start, end));
        self.nth(i).filter(|s| s.start == start && s.end == end)
    }
}

/// See `SpanStore::builder`.
#[derive(Default)]
pub struct SpanStoreBuilder {
    chunks: Vec<Arc<Chunk>>,
    cur: Vec<Span>,
    /// Whether every span so far came in sidecar order.
    sorted: bool,
    any: bool,
}

impl SpanStoreBuilder {
    pub fn push(&mut self, s: Span) {
        if let Some(last) = self.cur.last().or_else(|| self.chunks.last()?.spans.last()) {
            self.sorted &= last.key() <= s.key();
        } else if !self.any {
            self.sorted = true;
        }
        self.any = true;
        self.cur.push(s);
        if self.cur.len() == CHUNK {
            let full = std::mem::replace(&mut self.cur, Vec::with_capacity(CHUNK));
            self.chunks.push(Chunk::new(full));
        }
    }

    pub fn finish(mut self) -> SpanStore {
        if !self.cur.is_empty() {
            self.chunks.push(Chunk::new(self.cur));
        }
        if !self.sorted && self.any {
            // Hand-edited out of order: sort once, the slow way.
            let all: Vec<Span> = self
                .chunks
                .into_iter()
                .flat_map(|c| Arc::try_unwrap(c).map_or_else(|c| c.spans.clone(), |c| c.spans))
                .collect();
            return SpanStore::new(all);
        }
        let mut st = SpanStore {
            chunks: SharedSpans(Arc::new(self.chunks)),
            ..SpanStore::default()
        };
        st.len = st.chunks.iter().count();
        st.reviewed = st.chunks.iter().filter(|s| s.review.is_some()).count();
        st.reindex();
        st
    }
}

impl<'de> Deserialize<'de> for SpanStore {
    /// A JSON array of spans, straight into chunks.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SpanStore, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SpanStore;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of spans")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<SpanStore, A::Error> {
                let mut b = SpanStore::builder();
                while let Some(s) = a.next_element::<Span>()? {
                    b.push(s);
                }
                Ok(b.finish())
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_at(id: u64, start: usize, end: usize, label: &str) -> Span {
        Span {
            id: crate::ids::SpanId(id),
            start,
            end,
            label: label.into(),
            text: "x".into(),
            annotator: None,
            review: None,
            reviewer: None,
            details: Default::default(),
        }
    }

    #[test]
    fn fresh_ids_are_deterministic_distinct_and_avoid_taken_ones() {
        let mut a = SpanStore::default();
        let mut b = SpanStore::default();
        // Two annotators' first spans on two branches: different ids; the
        // same span made twice: the same id.
        let lan = a.fresh_id(Some("lan"), "PER", 0, 3);
        let minh = b.fresh_id(Some("minh"), "LOC", 10, 13);
        assert_ne!(lan, minh);
        assert_eq!(b.fresh_id(Some("lan"), "PER", 0, 3), lan);
        assert!(lan.0 > 0 && lan.0 < 1 << 32);
        // Taken (also by a legacy id that only shares the low bits): skipped.
        let mut c = SpanStore::new(vec![
            span_at(lan.0, 5, 8, "ORG"),
            span_at(minh.0 | 1 << 40, 9, 12, "ORG"),
        ]);
        let again = c.fresh_id(Some("lan"), "PER", 0, 3);
        assert_ne!(again, lan);
        assert_ne!(c.fresh_id(Some("minh"), "LOC", 10, 13), minh);
        c.insert(span_at(again.0, 0, 3, "PER"));
        assert_ne!(c.fresh_id(Some("lan"), "PER", 0, 3), again);
    }

    #[test]
    fn duplicate_ids_are_renumbered_keeping_the_first() {
        let mut st = SpanStore::new(vec![
            span_at(2, 0, 3, "PER"),
            span_at(2, 5, 8, "LOC"),
            span_at(7, 9, 12, "ORG"),
        ]);
        let changed = st.renumber_duplicate_ids();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].0, SpanId(2));
        let ids: Vec<u64> = st.iter().map(|s| s.id.0).collect();
        assert_eq!((ids[0], ids[2]), (2, 7));
        assert!(ids[1] != 2 && ids[1] != 7);
        assert!(st.renumber_duplicate_ids().is_empty());
    }

    pub fn span(id: u64, start: usize, end: usize, label: &str) -> Span {
        Span {
            id: crate::ids::SpanId(id),
            start,
            end,
            label: label.into(),
            text: Default::default(),
            annotator: None,
            review: None,
            reviewer: None,
            details: Default::default(),
        }
    }

    #[test]
    fn kept_in_sidecar_order() {
        let mut st = SpanStore::new(vec![span(1, 5, 9, "ORG"), span(2, 0, 3, "PER")]);
        st.insert(span(3, 5, 7, "LOC"));
        let order: Vec<u64> = st.iter().map(|s| s.id.0).collect();
        assert_eq!(order, [2, 3, 1]);
    }

    #[test]
    fn range_queries_see_long_outer_spans() {
        let st = SpanStore::new(vec![
            span(1, 0, 100, "ORG"),
            span(2, 10, 20, "LOC"),
            span(3, 30, 40, "PER"),
        ]);
        let ids: Vec<u64> = st.overlapping(35, 36).map(|s| s.id.0).collect();
        assert_eq!(ids, [1, 3]);
        assert_eq!(st.innermost_at(15).unwrap().id, SpanId(2));
        assert_eq!(st.at(50).len(), 1);
        assert!(st.overlapping(100, 200).next().is_none());
        assert_eq!(st.with_extent(10, 20).unwrap().id, SpanId(2));
    }

    #[test]
    fn a_span_is_small_and_round_trips_unknown_fields() {
        // 100k spans must fit beside a 10 MB article in 3x its size.
        assert!(std::mem::size_of::<Span>() <= 72);
        let src = r#"{"id": 7, "start": 0, "end": 4, "label": "PER", "text": "Lan", "review": null, "note": {"a": [1]}, "confidence": 0.5}"#;
        let s: Span = serde_json::from_str(src).unwrap();
        assert_eq!((s.review, s.details.len()), (None, 2));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"id":7,"start":0,"end":4,"label":"PER","text":"Lan","note":{"a":[1]},"confidence":0.5}"#
        );
        let missing =
            serde_json::from_str::<Span>(r#"{"id": 7, "start": 0, "end": 4, "text": "Lan"}"#);
        assert!(
            missing
                .unwrap_err()
                .to_string()
                .contains("missing field `label`")
        );
        let twice = serde_json::from_str::<Span>(
            r#"{"id": 7, "id": 8, "start": 0, "end": 4, "label": "PER", "text": "Lan"}"#,
        );
        assert!(
            twice
                .unwrap_err()
                .to_string()
                .contains("duplicate field `id`")
        );
    }

    #[test]
    fn crossing_is_not_nesting() {
        assert!(crosses(0..5, 3..8));
        assert!(!crosses(0..8, 3..5));
        assert!(!crosses(0..3, 3..5));
        assert!(!crosses(2..4, 2..4));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// The chunked store answers like a plain sorted list, across chunk
        /// splits and emptied chunks.
        #[test]
        fn chunked_store_equals_a_sorted_list(
            ops in proptest::collection::vec((0usize..2000, 1usize..40, 0u8..4, proptest::bool::ANY), 1..1500),
            probes in proptest::collection::vec((0usize..2100, 1usize..60), 1..20),
        ) {
            let mut st = SpanStore::new(Vec::new());
            let mut model: Vec<Span> = Vec::new();
            let mut next = 1u64;
            for (start, len, lab, add) in ops {
                if add || model.is_empty() {
                    let mut sp = span(next, start, start + len, ["PER", "ORG", "LOC", "MISC"][lab as usize]);
                    if lab == 0 { sp.review = Some(Decision::accepted()); }
                    next += 1;
                    model.push(sp.clone());
                    st.insert(sp);
                } else {
                    let victim = model.remove(start % model.len());
                    proptest::prop_assert_eq!(st.remove(victim.id, victim.start), Some(victim));
                }
            }
            model.sort_by(|a, b| a.key().cmp(&b.key()));
            let got: Vec<&Span> = st.iter().collect();
            let want: Vec<&Span> = model.iter().collect();
            proptest::prop_assert_eq!(got.len(), st.len());
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert_eq!(st.reviewed(), model.iter().filter(|s| s.review.is_some()).count());
            proptest::prop_assert_eq!(st.snapshot().len(), model.len());
            for (i, m) in model.iter().enumerate() {
                proptest::prop_assert_eq!(st.nth(i), Some(m));
                proptest::prop_assert_eq!(st.get(m.id), Some(m));
                proptest::prop_assert_eq!(st.find(m.id, m.start), Some(m));
                proptest::prop_assert_eq!(st.find(m.id, m.start + 1), Some(m));
            }
            proptest::prop_assert_eq!(st.nth(model.len()), None);
            for (a, len) in probes {
                let b = a + len;
                let got: Vec<u64> = st.overlapping(a, b).map(|s| s.id.0).collect();
                let want: Vec<u64> = model.iter().filter(|s| s.start < b && a < s.end).map(|s| s.id.0).collect();
                proptest::prop_assert_eq!(got, want);
                proptest::prop_assert_eq!(
                    st.partition_point(|s| s.start < a),
                    model.partition_point(|s| s.start < a)
                );
                let ext = model.iter().find(|s| (s.start, s.end) >= (a, b));
                proptest::prop_assert_eq!(
                    st.with_extent(a, b).map(|s| s.id),
                    ext.filter(|s| (s.start, s.end) == (a, b)).map(|s| s.id)
                );
            }
        }
    }
}
