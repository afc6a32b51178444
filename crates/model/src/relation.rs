//! Relations between two spans of one article (`PER has_title TITLE`):
//! the sidecar's top-level `relations` list, span ids as ends.
//!
//! A document keeps its relations sorted by `(from, to, label, id)`, the
//! order they are written in, so that a sidecar's diff shows one line per
//! relation added or removed.

pub use crate::ids::RelationId;
use crate::ids::SpanId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The sidecar key of the list.
pub const KEY: &str = "relations";

/// One relation. Serialised in the field order below; the optional fields
/// only when set, then fields this version does not know, as they came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    pub id: RelationId,
    /// The id of the span the relation starts from.
    pub from: SpanId,
    /// The id of the span it points to.
    pub to: SpanId,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::review::Decision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// Fields this version does not know (a `note`, another tool's score).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Relation {
    /// The document's order: by ends, then type, then id.
    pub fn sort_key(&self) -> (SpanId, SpanId, &str, RelationId) {
        (self.from, self.to, &self.label, self.id)
    }

    /// Whether span `id` is one of its ends.
    pub fn touches(&self, id: SpanId) -> bool {
        self.from == id || self.to == id
    }

    /// Moves ends on a span that got another id (`moved`: old id → new).
    pub fn remap_ends(&mut self, moved: &std::collections::HashMap<SpanId, SpanId>) {
        for end in [&mut self.from, &mut self.to] {
            if let Some(&new) = moved.get(end) {
                *end = new;
            }
        }
    }

    /// The end that is not `id` (the `to` end of a relation from a span to
    /// itself).
    pub fn other_end(&self, id: SpanId) -> SpanId {
        if self.from == id { self.to } else { self.from }
    }
}

/// How many of these relations no reviewer has decided: an article is
/// reviewed only when its relations are decided too.
pub fn undecided(v: &[Relation]) -> usize {
    v.iter().filter(|r| r.review.is_none()).count()
}

/// Sorts relations into the document's order (stable for equal keys, which
/// only duplicate relations have).
pub fn sort(v: &mut [Relation]) {
    v.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Reads the sidecar's `relations` value; the error is serde's, which
/// says what does not read (the caller names the file).
pub fn parse(v: &Value) -> Result<Vec<Relation>, serde_json::Error> {
    let mut v: Vec<Relation> = Vec::<Relation>::deserialize(v)?;
    sort(&mut v);
    Ok(v)
}

/// The relations as the sidecar's JSON value.
pub fn to_value(v: &[Relation]) -> Value {
    serde_json::to_value(v).expect("relations always serialise")
}

/// A fresh relation id: as for spans (`SpanStore::fresh_id`), a hash of
/// who made it, between which spans and with which type, so that two
/// branches making different relations rarely pick the same id and the
/// same relation made on both gets the same one. Never 0, never `taken`.
pub fn fresh_id(
    taken: &[Relation],
    annotator: Option<&str>,
    from: SpanId,
    to: SpanId,
    label: &str,
) -> RelationId {
    use sha2::{Digest, Sha256};
    for salt in 0u64.. {
        let mut h = Sha256::new();
        h.update(b"relation\0");
        h.update(annotator.unwrap_or("").as_bytes());
        h.update([0]);
        h.update(label.as_bytes());
        h.update([0]);
        h.update(from.0.to_le_bytes());
        h.update(to.0.to_le_bytes());
        h.update(salt.to_le_bytes());
        let d = h.finalize();
        let id = RelationId(u64::from(u32::from_le_bytes([d[0], d[1], d[2], d[3]])));
        if id.0 != 0 && !taken.iter().any(|r| r.id == id) {
            return id;
        }
    }
    unreachable!("2^64 salts cannot all clash")
}

/// After `SpanStore::renumber_duplicate_ids`: which span a relation end on
/// a shared id meant cannot be read from the ids, so an end moves to the
/// renumbered span when that span and the relation were made by one
/// annotator and the span that kept the id by another; otherwise it stays
/// on the span that kept the id. Either way the end is a span that exists.
/// Returns how many relations moved.
pub fn follow_renumbered(
    rels: &mut [Relation],
    renumbered: &[(SpanId, SpanId)],
    spans: &crate::span::SpanStore,
) -> usize {
    if renumbered.is_empty() || rels.is_empty() {
        return 0;
    }
    let who = |id: SpanId| spans.get(id).and_then(|s| s.annotator.as_deref());
    let mut moved = 0;
    for r in rels.iter_mut() {
        let mut changed = false;
        for end in [&mut r.from, &mut r.to] {
            let old = *end;
            let maker = r.annotator.as_deref();
            if maker.is_none() || who(old) == maker {
                continue;
            }
            if let Some(&(_, new)) = renumbered
                .iter()
                .find(|&&(o, n)| o == old && who(n) == maker)
            {
                *end = new;
                changed = true;
            }
        }
        moved += usize::from(changed);
    }
    if moved > 0 {
        sort(rels);
    }
    moved
}

/// `follow_renumbered` on a sidecar's top-level fields, where the
/// relations are still JSON. A list that does not read is left as it is
/// (opening the article says so).
pub fn follow_renumbered_in(
    extra: &mut Map<String, Value>,
    renumbered: &[(SpanId, SpanId)],
    spans: &crate::span::SpanStore,
) -> usize {
    let Some(Ok(mut rels)) = extra.get(KEY).map(parse) else {
        return 0;
    };
    let moved = follow_renumbered(&mut rels, renumbered, spans);
    if moved > 0 {
        extra.insert(KEY.into(), to_value(&rels));
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(id: u64, from: u64, to: u64, label: &str) -> Relation {
        Relation {
            id: RelationId(id),
            from: SpanId(from),
            to: SpanId(to),
            label: label.into(),
            annotator: None,
            review: None,
            reviewer: None,
            extra: Map::new(),
        }
    }

    #[test]
    fn fields_are_written_in_the_sidecar_order_and_unknown_ones_kept() {
        let src = r#"[{"id": 9, "from": 3, "to": 7, "label": "has_title", "annotator": "lan", "review": "accepted", "reviewer": "minh", "note": "x", "score": 0.5}]"#;
        let v: Value = serde_json::from_str(src).unwrap();
        let rs = parse(&v).unwrap();
        assert_eq!(rs[0].extra["note"], "x");
        assert_eq!(
            serde_json::to_string(&to_value(&rs))
                .unwrap()
                .replace(' ', ""),
            src.replace(' ', "")
        );
    }

    #[test]
    fn optional_fields_are_left_out_when_unset() {
        let s = serde_json::to_string(&rel(1, 2, 3, "of")).unwrap();
        assert_eq!(s, r#"{"id":1,"from":2,"to":3,"label":"of"}"#);
    }

    #[test]
    fn a_relation_without_an_end_does_not_parse_and_says_which_field() {
        let v: Value = serde_json::from_str(r#"[{"id": 1, "from": 2, "label": "of"}]"#).unwrap();
        let e = parse(&v).unwrap_err().to_string();
        assert!(e.contains("`to`"), "{e}");
    }

    #[test]
    fn fresh_ids_are_deterministic_and_avoid_taken_ones() {
        let (one, two) = (SpanId(1), SpanId(2));
        let a = fresh_id(&[], Some("lan"), one, two, "of");
        assert_eq!(a, fresh_id(&[], Some("lan"), one, two, "of"));
        let b = fresh_id(&[rel(a.0, 0, 0, "x")], Some("lan"), one, two, "of");
        assert_ne!(a, b);
        assert_ne!(b.0, 0);
    }

    #[test]
    fn relations_follow_a_renumbered_span_only_when_its_annotator_made_them() {
        use crate::span::{Span, SpanStore};
        let span = |id: u64, start: usize, who: &str| -> Span {
            serde_json::from_value(serde_json::json!({
                "id": id, "start": start, "end": start + 1, "label": "PER",
                "text": "x", "annotator": who
            }))
            .unwrap()
        };
        let mut spans = SpanStore::new(vec![
            span(4, 0, "lan"),
            span(4, 2, "minh"),
            span(6, 4, "minh"),
        ]);
        let renumbered = spans.renumber_duplicate_ids();
        let new = renumbered[0].1;
        let by = |id, from, who: Option<&str>| Relation {
            annotator: who.map(Into::into),
            ..rel(id, from, 6, "knows")
        };
        let mut rels = vec![
            by(1, 4, Some("minh")),
            by(2, 4, Some("lan")),
            by(3, 4, None),
        ];
        assert_eq!(follow_renumbered(&mut rels, &renumbered, &spans), 1);
        let from: Vec<(u64, u64)> = rels.iter().map(|r| (r.id.0, r.from.0)).collect();
        // minh's follows minh's span; lan's and the anonymous one stay.
        assert!(
            from.contains(&(1, new.0)) && from.contains(&(2, 4)) && from.contains(&(3, 4)),
            "{from:?}"
        );
    }

    use crate::document::Document;
    use crate::edit::Edit;
    use crate::sidecar::Sidecar;
    use crate::text::Text;

    const TEXT: &str = "Lê Hoài Trung, Trưởng Ban Đối ngoại Trung ương";

    /// A sidecar for `TEXT` with a PER (id 3) and a TITLE (id 7), and the
    /// given top-level members between the head and the spans.
    fn sidecar(members: &str) -> String {
        format!(
            "{{\n  \"nhan\": 1,\n  \"article\": \"a.txt\",\n  \"text_sha256\": \"\",\n  \"status\": \"in_progress\",\n{members}  \"spans\": [\n    \
             {{\"id\": 3, \"start\": 0, \"end\": 13, \"label\": \"PER\", \"text\": \"Lê Hoài Trung\"}},\n    \
             {{\"id\": 7, \"start\": 15, \"end\": 46, \"label\": \"TITLE\", \"text\": \"Trưởng Ban Đối ngoại Trung ương\"}}\n  ]\n}}\n"
        )
    }

    fn open(src: &str) -> (Document, Vec<crate::document::Problem>) {
        let sc = Sidecar::parse(src.as_bytes(), "a.json").unwrap();
        Document::new("a.txt", Text::new(TEXT), "").with_sidecar(sc)
    }

    const TWO: &str = "  \"tags\": [\"x\"],\n  \"relations\": [\n    \
        {\"id\": 5, \"from\": 3, \"to\": 7, \"label\": \"has_title\", \"annotator\": \"lan\", \"note\": \"x\"},\n    \
        {\"id\": 2, \"from\": 7, \"to\": 3, \"label\": \"held_by\"}\n  ],\n  \"rejected\": [],\n";

    #[test]
    fn a_sidecar_with_relations_is_written_back_byte_for_byte() {
        let src = sidecar(TWO);
        let (d, problems) = open(&src);
        assert_eq!(problems, vec![]);
        assert_eq!(d.relations().len(), 2);
        assert!(!d.extra().contains_key(KEY), "typed, not an unknown field");
        assert_eq!(d.snapshot().to_json(), src);
        assert_eq!(d.to_sidecar().to_json(), src);
    }

    #[test]
    fn a_sidecar_without_relations_gets_none_written() {
        let src = sidecar("");
        assert_eq!(open(&src).0.snapshot().to_json(), src);
        let src = sidecar("  \"relations\": [],\n");
        assert_eq!(
            open(&src).0.snapshot().to_json(),
            src,
            "an empty list stays"
        );
    }

    #[test]
    fn the_first_relation_is_written_one_per_line_before_the_spans() {
        let (mut d, _) = open(&sidecar(""));
        let r = d.make_relation(SpanId(3), SpanId(7), "has_title", Some("lan"));
        d.apply(&Edit::add_relation(r.clone()));
        let want = sidecar(&format!(
            "  \"relations\": [\n    {{\"id\": {}, \"from\": 3, \"to\": 7, \"label\": \"has_title\", \"annotator\": \"lan\"}}\n  ],\n",
            r.id
        ));
        assert_eq!(d.snapshot().to_json(), want);
        assert_eq!(open(&want).0.relations(), &[r]);
    }

    #[test]
    fn a_relation_whose_end_is_gone_is_a_problem_not_dropped() {
        let src = sidecar(&TWO.replace(
            "\"to\": 7, \"label\": \"has_title\"",
            "\"to\": 9, \"label\": \"has_title\"",
        ));
        let (d, problems) = open(&src);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].relation_id, Some(RelationId(5)));
        assert!(
            problems[0]
                .to_string()
                .starts_with("relation 5: its to end is span 9, which the article does not have"),
            "{}",
            problems[0]
        );
        assert_eq!(d.relations().len(), 2, "kept as read");
        assert_eq!(d.snapshot().to_json(), src);
    }

    #[test]
    fn a_relations_list_that_does_not_read_is_a_problem_and_kept_as_it_was() {
        let src = sidecar("  \"relations\": [\n    {\"id\": 1, \"from\": \"a\"}\n  ],\n");
        let (d, problems) = open(&src);
        assert!(
            problems[0].message.contains("relations list does not read"),
            "{problems:?}"
        );
        assert_eq!(d.snapshot().to_json(), src);
    }

    #[test]
    fn deleting_a_span_deletes_its_relations_in_one_edit_that_undo_restores() {
        let src = sidecar(TWO);
        let (mut d, _) = open(&src);
        let per = d.spans().get(SpanId(3)).unwrap().clone();
        let e = d.remove_span_edit(&per);
        d.apply(&e);
        assert!(d.spans().get(SpanId(3)).is_none());
        assert_eq!(d.relations(), &[], "both relations had the PER at an end");
        d.apply(&e.invert());
        assert_eq!(d.snapshot().to_json(), src);
        // A span without relations is removed as a plain edit.
        let (mut d, _) = open(&sidecar(""));
        assert!(matches!(d.remove_span_edit(&per), Edit::Remove(_)));
        d.apply(&Edit::Remove(per));
    }

    proptest::proptest! {
        /// Any sequence of relation edits, undone in reverse, gives back
        /// the document's relations and bytes exactly.
        #[test]
        fn relation_edits_then_their_inverses_are_the_identity(
            ops in proptest::collection::vec((0usize..4, 0usize..2, 0usize..2, 0usize..3), 1..12),
        ) {
            let (mut d, _) = open(&sidecar(TWO));
            let before = d.snapshot().to_json();
            let labels = ["has_title", "held_by", "of"];
            let ends = [SpanId(3), SpanId(7)];
            let mut done = Vec::new();
            for (op, f, t, l) in ops {
                let e = match (op, d.relations().first().cloned()) {
                    (0, Some(r)) => Edit::remove_relation(r),
                    (1, Some(r)) => {
                        let mut a = r.clone();
                        a.label = labels[l].into();
                        a.to = ends[t];
                        Edit::replace_relation(r, a)
                    }
                    _ => Edit::add_relation(d.make_relation(ends[f], ends[t], labels[l], None)),
                };
                d.apply(&e);
                proptest::prop_assert!(d.relations().windows(2).all(|w| w[0].sort_key() <= w[1].sort_key()));
                done.push(e);
            }
            for e in done.iter().rev() {
                d.apply(&e.invert());
            }
            proptest::prop_assert_eq!(d.snapshot().to_json(), before);
        }
    }

    proptest::proptest! {
        /// Sorting is by (from, to, label, id) and does not depend on the
        /// order the relations came in.
        #[test]
        fn sorting_is_by_ends_then_type_then_id_whatever_the_input_order(
            v in proptest::collection::vec((0u64..4, 0u64..4, 0u64..4, "[ab]"), 0..12),
            seed in 0usize..1000,
        ) {
            let mut a: Vec<Relation> = v.iter().map(|(i, f, t, l)| rel(*i, *f, *t, l)).collect();
            let mut b = a.clone();
            b.rotate_left(if a.is_empty() { 0 } else { seed % a.len() });
            sort(&mut a);
            sort(&mut b);
            proptest::prop_assert!(a.windows(2).all(|w| w[0].sort_key() <= w[1].sort_key()));
            let keys = |v: &[Relation]| v.iter().map(|r| (r.from, r.to, r.label.clone(), r.id)).collect::<Vec<_>>();
            proptest::prop_assert_eq!(keys(&a), keys(&b));
        }
    }
}
