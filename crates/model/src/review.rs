//! Review: decisions on spans, and the consistency check across a project
//! (the same surface tagged with different labels, or tagged in one place
//! and left untagged in another).

use super::document::Document;
use super::edit::Edit;
use super::record::List;
use super::search::SearchIndex;
use super::span::Span;
use std::collections::BTreeMap;

/// `review` values a reviewer leaves on a span.
pub const ACCEPTED: &str = "accepted";
/// The reviewer changed the label or the edges.
pub const FIXED: &str = "fixed";

/// One place a consistency case points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub article: usize,
    pub start: usize,
    pub end: usize,
    /// The label there, or `None` for an untagged occurrence.
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub surface: String,
    /// Every place the surface occurs (tagged and untagged), in order.
    pub places: Vec<Place>,
}

impl Case {
    pub fn describe(&self) -> String {
        let mut labels: Vec<&str> = self
            .places
            .iter()
            .filter_map(|p| p.label.as_deref())
            .collect();
        labels.sort_unstable();
        labels.dedup();
        let untagged = self.places.iter().filter(|p| p.label.is_none()).count();
        let mut s = format!("“{}”: tagged {}", self.surface, labels.join(" and "));
        if untagged > 0 {
            s += &format!(
                ", untagged in {untagged} place{}",
                if untagged == 1 { "" } else { "s" }
            );
        }
        s
    }
}

/// Surfaces tagged with more than one label, or tagged somewhere and left
/// untagged elsewhere. An occurrence inside another span is not counted as
/// untagged: nesting only complete names of other entities is a guideline
/// call, not an inconsistency.
/// `s` in NFC, borrowed when it is already (almost always).
pub fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    if unicode_normalization::is_nfc(s) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfc().collect())
    }
}

pub fn consistency(docs: &[(usize, &Document)]) -> Vec<Case> {
    let mut surfaces: BTreeMap<String, ()> = BTreeMap::new();
    for (_, d) in docs {
        for s in d.spans().iter() {
            // NFC and NFD spellings are one surface (the search ignores
            // normalisation, so both would list the same places).
            surfaces.insert(nfc(&s.text).into_owned(), ());
        }
    }
    let indexes: Vec<SearchIndex> = docs
        .iter()
        .map(|(_, d)| SearchIndex::new(d.text(), false))
        .collect();
    let mut cases = Vec::new();
    for surface in surfaces.keys() {
        let mut places = Vec::new();
        for ((article, doc), idx) in docs.iter().zip(&indexes) {
            for (s, e) in idx.find_all(surface) {
                let label = doc.spans().with_extent(s, e).map(|sp| sp.label.to_string());
                if label.is_none()
                    && (doc.spans().overlapping(s, e).next().is_some() || !doc.whole_tokens(s, e))
                {
                    continue;
                }
                places.push(Place {
                    article: *article,
                    start: s,
                    end: e,
                    label,
                });
            }
        }
        let mut labels: Vec<&Option<String>> = places.iter().map(|p| &p.label).collect();
        labels.sort();
        labels.dedup();
        if labels.len() > 1 {
            cases.push(Case {
                surface: surface.clone(),
                places,
            });
        }
    }
    cases
}

/// Whether a rejection of `label` on `[start, end)` is recorded.
pub fn is_rejected(doc: &Document, start: usize, end: usize, label: &str) -> bool {
    List::Rejected
        .read(doc.extra())
        .any(|r| r.is(start, end, label))
}

/// The edit that takes the rejection of `label` on `[start, end)` out of
/// the record (it is being taken after all); `None` if none is recorded.
pub fn unrecord_rejection(doc: &Document, start: usize, end: usize, label: &str) -> Option<Edit> {
    List::Rejected.remove(doc, |r| r.is(start, end, label))
}

/// Puts the reviewer's decision on a span an edit creates or changes.
pub fn mark_reviewed_by(edit: Edit, reviewer: Option<&str>) -> Edit {
    let stamp = |mut s: Span, review: &str| {
        s.review = Some(review.into());
        s.reviewer = reviewer.map(Into::into);
        s
    };
    match edit {
        Edit::Add(s) => Edit::Add(stamp(s, ACCEPTED)),
        Edit::Replace { before, after } => {
            let changed = before.label != after.label || before.range() != after.range();
            let review = if changed { FIXED } else { ACCEPTED };
            Edit::Replace {
                after: stamp(after, review),
                before,
            }
        }
        Edit::Batch(v) => Edit::Batch(
            v.into_iter()
                .map(|e| mark_reviewed_by(e, reviewer))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Edit;
    use crate::text::Text;

    fn doc(m: &str) -> Document {
        let m = crate::markup::parse(m).unwrap();
        let mut d = Document::new("a.txt", Text::new(m.text), "");
        for (s, e, l) in m.spans {
            let sp = d.make_span(s, e, &l, None);
            d.apply(&Edit::Add(sp));
        }
        d
    }

    #[test]
    fn finds_label_conflicts_and_untagged_occurrences_across_articles() {
        let a = doc("[Hà Nội]{LOC} và [Bộ Ngoại giao]{ORG}");
        let b = doc("[Hà Nội]{ORG} rồi Hà Nội, [Ban cán sự đảng Bộ Ngoại giao]{ORG}");
        let cases = consistency(&[(0, &a), (1, &b)]);
        assert_eq!(cases.len(), 1, "{cases:#?}");
        assert_eq!(cases[0].surface, "Hà Nội");
        assert_eq!(cases[0].places.len(), 3);
        assert_eq!(
            cases[0].describe(),
            "“Hà Nội”: tagged LOC and ORG, untagged in 1 place"
        );
    }

    #[test]
    fn consistent_projects_have_no_cases() {
        let a = doc("[Hà Nội]{LOC} và [Hà Nội]{LOC}");
        assert!(consistency(&[(0, &a)]).is_empty());
    }
}
