//! One article with its spans: the unit that edits apply to and that is
//! saved as a sidecar.

use super::edit::Edit;
use super::ids::{RelationId, SpanId};
use super::relation::{self, Relation};
use super::schema::{Overlap, Schema};
use super::sidecar::{FORMAT_VERSION, Head, Sidecar, Snapshot};
use super::span::{Span, SpanStore, crosses, overlaps};
use super::status::Status;
use super::text::Text;
use super::tokens::Tokens;
use serde_json::Map;
use std::sync::{Arc, OnceLock};

#[derive(Debug, Clone)]
pub struct Document {
    /// The article's file name, e.g. `2022-08-08-tong-bi-thu.txt`.
    file_name: String,
    text: Text,
    /// Set once segmented: at once by `new`, or by a background thread
    /// (`segment_in_background`) so that opening a large article does not
    /// wait for it. Read it with `tokens()`.
    tokens: Arc<OnceLock<Tokens>>,
    /// A background thread fills `tokens` (wait for it rather than
    /// segment a second time).
    segmenting: bool,
    // Changed only through `apply` (so that every change after
    // construction is an edit that undo can take back).
    spans: SpanStore,
    status: Status,
    text_sha256: String,
    /// Top-level sidecar fields this version does not know.
    extra: Map<String, serde_json::Value>,
    /// Sorted by `Relation::sort_key`; changed only through `apply`.
    relations: Vec<Relation>,
    /// Where `relations` stood among the top-level fields of `extra` when
    /// read, so that a rewrite puts it back there (`None`: the sidecar had
    /// no list; one is written only once there are relations).
    relations_at: Option<usize>,
}

/// Why a sidecar does not fit its article.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub span_id: Option<SpanId>,
    /// The relation the problem is about, if any (then `span_id` is `None`).
    pub relation_id: Option<RelationId>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.span_id, self.relation_id) {
            (Some(id), _) => write!(f, "span {id}: {}", self.message),
            (None, Some(id)) => write!(f, "relation {id}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// Why a new span cannot be added.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpanRefused {
    #[error("empty selection")]
    Empty,
    #[error("the selection would cross {label} “{text}”; spans may nest but not cross")]
    Crosses { label: String, text: String },
    #[error("the selection overlaps {label} “{text}”; this project allows no overlap")]
    Overlaps { label: String, text: String },
    #[error("a span edge would split a character")]
    SplitsGrapheme,
    #[error("[{start}, {end}) lies past the end of the text ({len} characters)")]
    PastTheEnd {
        start: usize,
        end: usize,
        len: usize,
    },
}

impl Document {
    pub fn new(file_name: impl Into<String>, text: Text, text_sha256: impl Into<String>) -> Self {
        let doc = Self::segment_on_demand(file_name, text, text_sha256);
        doc.tokens();
        doc
    }

    /// A document segmented only if and when its tokens are asked for
    /// (an export to jsonl or `nhan stats` never needs them).
    pub fn segment_on_demand(
        file_name: impl Into<String>,
        text: Text,
        text_sha256: impl Into<String>,
    ) -> Self {
        Document {
            file_name: file_name.into(),
            text,
            tokens: Arc::new(OnceLock::new()),
            segmenting: false,
            spans: SpanStore::default(),
            status: Status::Todo,
            text_sha256: text_sha256.into(),
            extra: Map::new(),
            relations: Vec::new(),
            relations_at: None,
        }
    }

    /// A document whose tokens are computed on another thread: what needs
    /// them (`tokens()`) waits for them, the first screen does not.
    pub fn segment_in_background(
        file_name: impl Into<String>,
        text: Text,
        text_sha256: impl Into<String>,
    ) -> Self {
        let mut doc = Self::segment_on_demand(file_name, text, text_sha256);
        doc.segmenting = true;
        let cell = Arc::clone(&doc.tokens);
        let text = doc.text.clone();
        std::thread::spawn(move || {
            // A panic would leave every reader waiting: fall back to the
            // plain segmenter instead.
            let t = std::panic::catch_unwind(|| Tokens::new(&text))
                .unwrap_or_else(|_| Tokens::reference(&text));
            let _ = cell.set(t);
        });
        doc
    }

    /// The article's file name, e.g. `2022-08-08-tong-bi-thu.txt`.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    pub fn text(&self) -> &Text {
        &self.text
    }

    /// The SHA-256 of the article's bytes, as the sidecar records it.
    pub fn text_sha256(&self) -> &str {
        &self.text_sha256
    }

    /// The article's spans.
    pub fn spans(&self) -> &SpanStore {
        &self.spans
    }

    pub fn status(&self) -> Status {
        self.status
    }

    /// Top-level sidecar fields this version does not know (and records
    /// such as `rejected`, kept as the sidecar has them); not the
    /// relations, which are typed (`relations()`).
    pub fn extra(&self) -> &Map<String, serde_json::Value> {
        &self.extra
    }

    /// The article's tokens: waits for a background segmentation to end, or
    /// segments now if nobody has yet.
    pub fn tokens(&self) -> &Tokens {
        if self.segmenting {
            return self.tokens.wait();
        }
        self.tokens.get_or_init(|| Tokens::new(&self.text))
    }

    /// Hands over tokens segmented elsewhere (an export that needed their
    /// byte ranges too); false if the document already has its tokens.
    pub fn provide_tokens(&self, tokens: Tokens) -> bool {
        !self.segmenting && self.tokens.set(tokens).is_ok()
    }

    /// Whether chars `s..e` start and end on token edges. Without the
    /// article's tokens at hand (a command reading a whole project), only
    /// the words around `s..e` are segmented.
    pub fn whole_tokens(&self, s: usize, e: usize) -> bool {
        if let Some(t) = self.tokens_if_ready() {
            return t.are_whole(s, e);
        }
        Tokens::are_whole_near(&self.text, s, e).unwrap_or_else(|| self.tokens().are_whole(s, e))
    }

    /// The tokens if they are ready (for drawing, which must not wait).
    pub fn tokens_if_ready(&self) -> Option<&Tokens> {
        self.tokens.get()
    }

    /// Where the first token starts, without waiting for the whole
    /// article: tokens never cross a line feed (UAX #29 WB3a/b), so it is
    /// the first token of the first line that is not all whitespace.
    pub fn first_token_start(&self) -> usize {
        if let Some(t) = self.tokens_if_ready() {
            return t.iter().next().map_or(0, |r| r.start);
        }
        let mut chars = 0;
        for line in self.text.as_str().split_inclusive('\n') {
            if !line.trim().is_empty() {
                let first = Tokens::new(&Text::new(line)).iter().next();
                if let Some(r) = first {
                    return chars + r.start;
                }
            }
            chars += line.chars().count();
        }
        0
    }

    /// Builds the document from a parsed sidecar, checking every span
    /// against the text. Any problem means the sidecar must not be rewritten.
    pub fn with_sidecar(self, sc: Sidecar) -> (Self, Vec<Problem>) {
        let (head, spans) = sc.into_parts();
        self.with_store(head, SpanStore::new(spans))
    }

    /// `with_sidecar` for a sidecar read straight into a span store.
    pub fn with_store(mut self, head: Head, spans: SpanStore) -> (Self, Vec<Problem>) {
        let mut problems = Vec::new();
        if head.text_sha256 != self.text_sha256 {
            problems.push(Problem {
                span_id: None,
                relation_id: None,
                message: "the article changed since it was annotated (text_sha256 differs)".into(),
            });
        }
        let mut dup = spans.duplicate_ids();
        for s in spans.iter() {
            if dup.binary_search(&s.id).is_ok() {
                problems.push(Problem {
                    span_id: Some(s.id),
                    relation_id: None,
                    message: "duplicate id (as a plain git merge leaves it); opening the article in nhan gives the later span a new id, and `nhan git-setup` makes git merge sidecars span by span".into(),
                });
                dup.retain(|&d| d != s.id);
            }
            problems.extend(self.check_span(s).map(|m| Problem {
                span_id: Some(s.id),
                relation_id: None,
                message: m,
            }));
        }
        self.status = head.status;
        self.extra = head.extra;
        self.spans = spans;
        self.take_relations(&mut problems);
        (self, problems)
    }

    /// Moves the sidecar's `relations` out of `extra` into typed relations,
    /// checking that each has both ends. A list that does not read stays in
    /// `extra` as it was (and the problem makes the article read-only), so
    /// nothing is lost.
    fn take_relations(&mut self, problems: &mut Vec<Problem>) {
        let Some(at) = self.extra.keys().position(|k| k == relation::KEY) else {
            return;
        };
        let rels = match relation::parse(&self.extra[relation::KEY]) {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem {
                    span_id: None,
                    relation_id: None,
                    message: format!("the relations list does not read: {e}"),
                });
                return;
            }
        };
        self.extra.shift_remove(relation::KEY);
        self.relations_at = Some(at);
        problems.extend(self.relation_problems_in(&rels));
        self.relations = rels;
    }

    /// Relations that cannot stand: an end that is no span of the article
    /// (never dropped silently: the article opens read-only), a duplicate id.
    fn relation_problems_in(&self, rels: &[Relation]) -> Vec<Problem> {
        let mut v = Vec::new();
        if rels.is_empty() {
            return v;
        }
        // One pass over the spans, not one per relation end: an article
        // may hold 10,000 of each.
        let spans: std::collections::HashSet<SpanId> = self.spans.iter().map(|s| s.id).collect();
        let mut ids = std::collections::HashSet::new();
        for r in rels {
            let mut say = |message: String| {
                v.push(Problem {
                    span_id: None,
                    relation_id: Some(r.id),
                    message,
                })
            };
            if !ids.insert(r.id) {
                say("duplicate relation id; give one of them another id".into());
            }
            for (end, id) in [("from", r.from), ("to", r.to)] {
                if !spans.contains(&id) {
                    say(format!(
                        "its {end} end is span {id}, which the article does not have; \
                         remove the relation or restore the span"
                    ));
                }
            }
        }
        v
    }

    /// Relations the schema does not allow: a type it lacks, or ends whose
    /// labels the type does not take.
    fn relation_schema_problems(&self, schema: &Schema) -> Vec<Problem> {
        let mut v = Vec::new();
        if self.relations.is_empty() {
            return v;
        }
        let spans: std::collections::HashMap<SpanId, &crate::span::Span> =
            self.spans.iter().map(|s| (s.id, s)).collect();
        for r in &self.relations {
            let problem = |message: String| Problem {
                span_id: None,
                relation_id: Some(r.id),
                message,
            };
            let Some(t) = schema.relation(&r.label) else {
                v.push(problem(format!(
                    "type {} is not in the schema; declare it as [[relations]] in nhan.toml",
                    r.label
                )));
                continue;
            };
            let (Some(from), Some(to)) = (spans.get(&r.from), spans.get(&r.to)) else {
                continue; // a dangling end, reported when the sidecar was read
            };
            if !t.fits(&from.label, &to.label) {
                v.push(problem(format!(
                    "{} does not go from {} “{}” to {} “{}” (nhan.toml allows from {} to {})",
                    r.label,
                    from.label,
                    from.text,
                    to.label,
                    to.text,
                    t.from.as_ref().map_or("any label".into(), |l| l.join(", ")),
                    t.to.as_ref().map_or("any label".into(), |l| l.join(", ")),
                )));
            }
        }
        v
    }

    /// The article's relations, sorted by `(from, to, label, id)`.
    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// The relations with span `id` at either end.
    pub fn relations_of(&self, id: SpanId) -> impl Iterator<Item = &Relation> {
        self.relations.iter().filter(move |r| r.touches(id))
    }

    /// A relation between two spans with a fresh id; not yet added.
    pub fn make_relation(
        &self,
        from: SpanId,
        to: SpanId,
        label: &str,
        annotator: Option<&str>,
    ) -> Relation {
        Relation {
            id: relation::fresh_id(&self.relations, annotator, from, to, label),
            from,
            to,
            label: label.into(),
            annotator: annotator.map(Into::into),
            review: None,
            reviewer: None,
            extra: Map::new(),
        }
    }

    /// Removing span `s` as one edit: its relations go with it (a relation
    /// is never left with a dangling end), and undo brings both back.
    pub fn remove_span_edit(&self, s: &crate::span::Span) -> Edit {
        let mut v: Vec<Edit> = self
            .relations_of(s.id)
            .cloned()
            .map(Edit::remove_relation)
            .collect();
        if v.is_empty() {
            return Edit::Remove(s.clone());
        }
        v.push(Edit::Remove(s.clone()));
        Edit::Batch(v)
    }

    /// `extra` with the relations back in their place.
    fn extra_with_relations(&self) -> Map<String, serde_json::Value> {
        let mut extra = self.extra.clone();
        if self.relations_at.is_some() || !self.relations.is_empty() {
            let at = self.relations_at.unwrap_or(extra.len()).min(extra.len());
            extra.shift_insert(
                at,
                relation::KEY.into(),
                relation::to_value(&self.relations),
            );
        }
        extra
    }

    fn check_span(&self, s: &Span) -> Option<String> {
        let n = self.text.len_chars();
        if s.start >= s.end || s.end > n {
            return Some(format!(
                "offsets [{}, {}) are outside the text (0..{n})",
                s.start, s.end
            ));
        }
        if !self.text.is_grapheme_boundary(s.start) || !self.text.is_grapheme_boundary(s.end) {
            return Some(format!(
                "offsets [{}, {}) split a character",
                s.start, s.end
            ));
        }
        let actual = self.text.slice(s.start, s.end);
        if actual != s.text {
            return Some(format!(
                "text {:?} does not match the article, which has {:?} there",
                s.text, actual
            ));
        }
        None
    }

    /// Every problem a sidecar has against the schema (labels, overlap).
    pub fn schema_problems(&self, schema: &Schema) -> Vec<Problem> {
        let mut v = Vec::new();
        for s in self.spans.iter() {
            if schema.index_of(&s.label).is_none() {
                v.push(Problem {
                    span_id: Some(s.id),
                    relation_id: None,
                    message: format!("label {} is not in the schema", s.label),
                });
            }
            v.extend(
                super::attrs::problems(schema.attributes(&s.label), s)
                    .into_iter()
                    .map(|p| Problem {
                        span_id: Some(s.id),
                        relation_id: None,
                        message: p.0,
                    }),
            );
            for o in self.spans.overlapping(s.start, s.end) {
                if o.id <= s.id {
                    continue;
                }
                let bad = match schema.overlap {
                    Overlap::None => true,
                    Overlap::Nested => crosses(s.range(), o.range()),
                    Overlap::Any => false,
                } || (s.start, s.end) == (o.start, o.end);
                if bad {
                    v.push(Problem {
                        span_id: Some(s.id),
                        relation_id: None,
                        message: format!(
                            "overlaps span {} against overlap = {:?}",
                            o.id, schema.overlap
                        ),
                    });
                }
            }
        }
        v.extend(self.relation_schema_problems(schema));
        // "Reviewed" promises that a reviewer decided every span: the
        // default export ships the article on that promise.
        if self.status() == super::status::Status::Reviewed {
            let mut undecided = self.spans.iter().filter(|s| s.review.is_none());
            if let Some(first) = undecided.next() {
                v.push(Problem {
                    span_id: Some(first.id),
                    relation_id: None,
                    message: format!(
                        "the article is reviewed but {} span(s) have no review decision (this one first): \
                         review them (r in nhan), or set the status back to done",
                        1 + undecided.count()
                    ),
                });
            }
            // Its relations are part of the promise too.
            let mut undecided = self.relations.iter().filter(|r| r.review.is_none());
            if let Some(first) = undecided.next() {
                v.push(Problem {
                    span_id: None,
                    relation_id: Some(first.id),
                    message: format!(
                        "the article is reviewed but {} relation(s) have no review decision (this one first): \
                         review them (r in nhan, f to the relations), or set the status back to done",
                        1 + undecided.count()
                    ),
                });
            }
        }
        v
    }

    /// What a save writes, taken without copying the spans.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            head: Head {
                nhan: FORMAT_VERSION,
                article: self.file_name.clone(),
                text_sha256: self.text_sha256.clone(),
                status: self.status,
                extra: self.extra_with_relations(),
            },
            spans: self.spans.snapshot(),
        }
    }

    pub fn to_sidecar(&self) -> Sidecar {
        Sidecar {
            nhan: FORMAT_VERSION,
            article: self.file_name.clone(),
            text_sha256: self.text_sha256.clone(),
            status: self.status,
            spans: self.spans.iter().cloned().collect(),
            extra: self.extra_with_relations(),
        }
    }

    /// A span over `[start, end)` with a fresh id; not yet added.
    pub fn make_span(
        &mut self,
        start: usize,
        end: usize,
        label: &str,
        annotator: Option<&str>,
    ) -> Span {
        let id = self.spans.fresh_id(annotator, label, start, end);
        Span {
            id,
            start,
            end,
            label: label.into(),
            text: self.text.slice(start, end).into(),
            annotator: annotator.map(Into::into),
            review: None,
            reviewer: None,
            details: Default::default(),
        }
    }

    /// Whether a new span over `[start, end)` fits the overlap policy.
    /// (An identical extent is a relabel, which the caller handles.)
    /// `ignore` is a span being moved, which cannot conflict with itself.
    pub fn check_new_extent(
        &self,
        start: usize,
        end: usize,
        overlap: Overlap,
        ignore: Option<SpanId>,
    ) -> Result<(), SpanRefused> {
        if start >= end {
            return Err(SpanRefused::Empty);
        }
        if end > self.text.len_chars() {
            return Err(SpanRefused::PastTheEnd {
                start,
                end,
                len: self.text.len_chars(),
            });
        }
        if !self.text.is_grapheme_boundary(start) || !self.text.is_grapheme_boundary(end) {
            return Err(SpanRefused::SplitsGrapheme);
        }
        for o in self
            .spans
            .overlapping(start, end)
            .filter(|o| Some(o.id) != ignore)
        {
            let (label, text) = (o.label.to_string(), o.text.to_string());
            match overlap {
                Overlap::None if overlaps(o.range(), start..end) => {
                    return Err(SpanRefused::Overlaps { label, text });
                }
                Overlap::Nested if crosses(o.range(), start..end) => {
                    return Err(SpanRefused::Crosses { label, text });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Applies an edit built against this document. Edits come from the app
    /// (already checked) or from history (inverses of applied edits).
    pub fn apply(&mut self, e: &Edit) {
        match e {
            Edit::Add(s) => {
                self.spans.insert(s.clone());
            }
            Edit::Remove(s) => {
                self.spans.remove(s.id, s.start);
            }
            Edit::Replace { before, after } => {
                self.spans.remove(before.id, before.start);
                self.spans.insert(after.clone());
            }
            Edit::SetStatus { after, .. } => self.status = *after,
            Edit::SetField { field, after, .. } => match after {
                Some(v) => {
                    self.extra.insert(field.key().to_string(), v.clone());
                }
                None => {
                    self.extra.remove(field.key());
                }
            },
            Edit::Relation { before, after } => {
                if let Some(b) = before
                    && let Some(i) = self.relations.iter().position(|r| r == b)
                {
                    self.relations.remove(i);
                }
                if let Some(a) = after {
                    let i = self
                        .relations
                        .partition_point(|r| r.sort_key() <= a.sort_key());
                    self.relations.insert(i, a.clone());
                }
            }
            Edit::Batch(v) => v.iter().for_each(|e| self.apply(e)),
        }
    }
}
