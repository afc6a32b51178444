//! Review: decisions on spans, and the consistency check across a project
//! (the same surface tagged with different labels, or tagged in one place
//! and left untagged in another).

use super::document::Document;
use super::edit::Edit;
use super::record::List;
use super::search::SearchIndex;
use super::span::{Span, Sym};
use std::collections::BTreeMap;

/// A reviewer's decision on a span or a relation: the sidecar's
/// `"review"`. Held as its interned spelling (4 bytes, like the names a
/// span carries), so that a decision a newer nhan wrote is kept as it came;
/// code asks [`Decision::kind`], never the spelling.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decision(Sym);

/// What a [`Decision`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Accepted,
    /// The reviewer changed the label, the type or the edges.
    Fixed,
    /// Left the list for the `rejected` record.
    Rejected,
    /// A decision this version does not know (kept, counted as decided).
    Unknown,
}

impl Decision {
    pub fn accepted() -> Decision {
        Decision(Sym::new("accepted"))
    }

    pub fn fixed() -> Decision {
        Decision(Sym::new("fixed"))
    }

    pub fn rejected() -> Decision {
        Decision(Sym::new("rejected"))
    }

    /// The decision as a file spells it (a sidecar, an imported task): a
    /// spelling this version does not know is kept, of kind `Unknown`.
    pub fn spelled(s: &str) -> Decision {
        Decision(Sym::new(s))
    }

    /// Accepted as it was, or fixed when the reviewer changed it.
    pub fn accepted_or_fixed(changed: bool) -> Decision {
        if changed {
            Decision::fixed()
        } else {
            Decision::accepted()
        }
    }

    pub fn kind(self) -> Kind {
        match self.0.as_str() {
            "accepted" => Kind::Accepted,
            "fixed" => Kind::Fixed,
            "rejected" => Kind::Rejected,
            _ => Kind::Unknown,
        }
    }

    /// The sidecar's spelling.
    pub fn as_str(self) -> &'static str {
        self.0.as_str()
    }
}

/// The spelling, for a column that shows decisions among other words.
impl From<Decision> for Sym {
    fn from(d: Decision) -> Sym {
        d.0
    }
}

impl std::fmt::Debug for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0.as_str())
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl serde::Serialize for Decision {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Decision {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Decision, D::Error> {
        Sym::deserialize(d).map(Decision)
    }
}

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
    let stamp = |mut s: Span, review: Decision| {
        s.review = Some(review);
        s.reviewer = reviewer.map(Into::into);
        s
    };
    match edit {
        Edit::Add(s) => Edit::Add(stamp(s, Decision::accepted())),
        Edit::Replace { before, after } => {
            let changed = before.label != after.label || before.range() != after.range();
            let review = Decision::accepted_or_fixed(changed);
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

    #[test]
    fn a_decision_is_read_by_kind_and_an_unknown_one_is_kept_as_written() {
        let line = r#"{"id": 1, "start": 0, "end": 3, "label": "PER", "text": "Lan", "review": "maybe", "reviewer": "minh"}"#;
        let s: Span = serde_json::from_str(line).unwrap();
        assert_eq!(s.review.map(Decision::kind), Some(Kind::Unknown));
        assert_eq!(
            serde_json::to_string(&s)
                .unwrap()
                .replace(',', ", ")
                .replace(":", ": "),
            line
        );
        let fixed: Span = serde_json::from_str(&line.replace("maybe", "fixed")).unwrap();
        assert_eq!(fixed.review, Some(Decision::fixed()));
        assert_eq!(Decision::accepted_or_fixed(false).kind(), Kind::Accepted);
        // As small as the names a span carries.
        assert_eq!(std::mem::size_of::<Option<Decision>>(), 4);
    }
}
