//! Adjudication data: two or more annotators' spans on one article, merged
//! into candidates, and whether the gold has taken or left out each one.

use super::document::Document;
use super::ids::{RelationId, SpanId};
use super::relation::Relation;
use super::review::is_rejected;
use super::span::Span;
use std::collections::BTreeMap;

/// Sidecar field on a gold span: the annotators who had exactly this span.
pub const AGREED_BY: &str = "agreed_by";

/// One distinct span among the annotators' work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub text: String,
    pub by: Vec<String>,
    /// The attribute values the annotators who had it gave it: one entry
    /// per distinct set (`None`: no attributes), first the one most gave.
    pub variants: Vec<Variant>,
}

/// One set of attribute values on a candidate, and who gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub attrs: Option<super::attrs::Attrs>,
    pub by: Vec<String>,
}

impl Candidate {
    /// Whether the annotators who had this span gave it different
    /// attribute values.
    pub fn attrs_differ(&self) -> bool {
        self.variants.len() > 1
    }

    /// The variants in words: `lan: role=official · minh: role=other`.
    pub fn describe_variants(&self) -> String {
        let shown: Vec<String> = self
            .variants
            .iter()
            .map(|v| format!("{}: {}", v.by.join("+"), v.attrs_text()))
            .collect();
        shown.join(" · ")
    }
}

impl Variant {
    /// `role=official negated`, or `no attributes`.
    pub fn attrs_text(&self) -> String {
        match &self.attrs {
            Some(m) if !m.is_empty() => m
                .iter()
                .map(|(k, x)| match x {
                    super::attrs::AttrValue::Bool(true) => k.to_string(),
                    x => format!("{k}={}", super::attrs::shown(x)),
                })
                .collect::<Vec<_>>()
                .join(" "),
            _ => "no attributes".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjudication {
    pub article: usize,
    pub annotators: Vec<String>,
    pub candidates: Vec<Candidate>,
    /// The annotators' relations (`relation_candidates`).
    pub relations: Vec<RelationCandidate>,
}

/// One annotator's work on an article: their name, spans and relations.
pub type Work = (String, Vec<Span>, Vec<Relation>);

/// One end of a relation among the annotators' work: a span by extent and
/// label, since each annotator's span ids are their own.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct End {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub text: String,
}

/// One distinct relation among the annotators' work, and who had it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationCandidate {
    pub from: End,
    pub to: End,
    pub label: String,
    pub by: Vec<String>,
    /// Of a symmetric type: `to → from` is the same relation.
    pub symmetric: bool,
}

/// The annotators' relations, one candidate per distinct (ends, type),
/// in reading order of their `from` end; the ends of a symmetric type
/// (`symmetric(type)`) in reading order, whichever way each annotator
/// made it. A relation whose end the annotator's own spans lack is not a
/// candidate (`validate` names it).
pub fn relation_candidates(
    work: &[Work],
    symmetric: impl Fn(&str) -> bool,
) -> Vec<RelationCandidate> {
    let mut by: BTreeMap<(End, End, String), Vec<String>> = BTreeMap::new();
    for (name, spans, rels) in work {
        let ends: BTreeMap<SpanId, End> = spans
            .iter()
            .map(|s| {
                let e = End {
                    start: s.start,
                    end: s.end,
                    label: s.label.to_string(),
                    text: s.text.to_string(),
                };
                (s.id, e)
            })
            .collect();
        for r in rels {
            let (Some(mut f), Some(mut t)) = (ends.get(&r.from), ends.get(&r.to)) else {
                continue;
            };
            if symmetric(&r.label) && t < f {
                std::mem::swap(&mut f, &mut t);
            }
            let who = by
                .entry((f.clone(), t.clone(), r.label.clone()))
                .or_default();
            if !who.contains(name) {
                who.push(name.clone());
            }
        }
    }
    by.into_iter()
        .map(|((from, to, label), mut by)| {
            by.sort();
            RelationCandidate {
                symmetric: symmetric(&label),
                from,
                to,
                label,
                by,
            }
        })
        .collect()
}

/// The gold's span at end `e` (same extent and label), if it has one.
pub fn gold_end<'a>(doc: &'a Document, e: &End) -> Option<&'a Span> {
    doc.spans()
        .overlapping(e.start, e.end)
        .find(|s| (s.start, s.end) == (e.start, e.end) && s.label == e.label)
}

/// The id of the gold's relation for candidate `c`, if it has it.
pub fn relation_decision(doc: &Document, c: &RelationCandidate) -> Option<RelationId> {
    let (from, to) = (gold_end(doc, &c.from)?.id, gold_end(doc, &c.to)?.id);
    let joins = |r: &Relation| {
        (r.from, r.to) == (from, to) || (c.symmetric && (r.from, r.to) == (to, from))
    };
    doc.relations()
        .iter()
        .find(|r| r.label == c.label && joins(r))
        .map(|r| r.id)
}

impl Adjudication {
    pub fn new(article: usize, work: &[(String, Vec<Span>)]) -> Adjudication {
        type Seen = (String, Vec<String>, Vec<Variant>);
        let mut by: BTreeMap<(usize, usize, String), Seen> = BTreeMap::new();
        for (name, spans) in work {
            for s in spans {
                let e = by
                    .entry((s.start, s.end, s.label.to_string()))
                    .or_insert_with(|| (s.text.to_string(), Vec::new(), Vec::new()));
                if !e.1.contains(name) {
                    e.1.push(name.clone());
                    let attrs = s.details.attrs().cloned();
                    match e.2.iter_mut().find(|v| v.attrs == attrs) {
                        Some(v) => v.by.push(name.clone()),
                        None => e.2.push(Variant {
                            attrs,
                            by: vec![name.clone()],
                        }),
                    }
                }
            }
        }
        let candidates = by
            .into_iter()
            .map(|((start, end, label), (text, mut by, mut variants))| {
                by.sort();
                for v in &mut variants {
                    v.by.sort();
                }
                variants.sort_by(|a, b| b.by.len().cmp(&a.by.len()).then(a.by.cmp(&b.by)));
                Candidate {
                    start,
                    end,
                    label,
                    text,
                    by,
                    variants,
                }
            })
            .collect();
        Adjudication {
            article,
            annotators: work.iter().map(|(n, _)| n.clone()).collect(),
            candidates,
            relations: Vec::new(),
        }
    }

    pub fn agreed(&self, c: &Candidate) -> bool {
        c.by.len() == self.annotators.len()
    }

    /// Whether every annotator made relation `c`.
    pub fn agreed_relation(&self, c: &RelationCandidate) -> bool {
        c.by.len() == self.annotators.len()
    }
}

/// Whether the gold has this candidate (`Some(id)`), left it out on
/// purpose (recorded under `rejected`), or not decided yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Taken(SpanId),
    Left,
    Open,
}

/// Whether the gold document `doc` has `c`.
pub fn decision(doc: &Document, c: &Candidate) -> Decision {
    if let Some(s) = doc
        .spans()
        .with_extent(c.start, c.end)
        .filter(|s| s.label == c.label)
    {
        return Decision::Taken(s.id);
    }
    if is_rejected(doc, c.start, c.end, &c.label) {
        Decision::Left
    } else {
        Decision::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(attrs: serde_json::Value) -> Span {
        let mut v =
            serde_json::json!({"id": 1, "start": 0, "end": 3, "label": "PER", "text": "Lan"});
        if !attrs.is_null() {
            v["attrs"] = attrs;
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn candidates_say_where_attribute_values_differ() {
        let a = serde_json::json!({"role": "official"});
        let work = vec![
            ("lan".to_string(), vec![span(a.clone())]),
            (
                "minh".to_string(),
                vec![span(serde_json::json!({"role": "other"}))],
            ),
            ("tuan".to_string(), vec![span(a.clone())]),
        ];
        let adj = Adjudication::new(0, &work);
        let c = &adj.candidates[0];
        assert!(adj.agreed(c) && c.attrs_differ());
        // The set most annotators gave comes first.
        assert_eq!(c.variants[0].by, ["lan", "tuan"]);
        assert_eq!(
            c.describe_variants(),
            "lan+tuan: role=official · minh: role=other"
        );
        let same = Adjudication::new(0, &work[..1]);
        assert!(!same.candidates[0].attrs_differ());
    }

    /// Two annotators' documents over one text, with a relation each.
    fn work_of(who: &str, label: &str, id_base: u64) -> Work {
        work_between(who, label, id_base, false)
    }

    /// As `work_of`, the relation from Huế to Lan when `backwards`.
    fn work_between(who: &str, label: &str, id_base: u64, backwards: bool) -> Work {
        let m = crate::markup::parse("[Lan]{PER} ở [Huế]{LOC}").unwrap();
        let mut d = Document::new("a.txt", crate::text::Text::new(m.text), "");
        for (s, e, l) in m.spans {
            let mut sp = d.make_span(s, e, &l, Some(who));
            sp.id.0 += id_base;
            d.apply(&crate::edit::Edit::Add(sp));
        }
        let ids: Vec<SpanId> = d.spans().iter().map(|s| s.id).collect();
        let (f, t) = if backwards {
            (ids[1], ids[0])
        } else {
            (ids[0], ids[1])
        };
        let r = d.make_relation(f, t, label, Some(who));
        d.apply(&crate::edit::Edit::add_relation(r));
        (
            who.to_string(),
            d.spans().iter().cloned().collect(),
            d.relations().to_vec(),
        )
    }

    #[test]
    fn relations_are_matched_by_their_ends_extents_not_span_ids() {
        let work = [
            work_of("lan", "in", 0),
            work_of("minh", "in", 1000),
            work_of("hoa", "from", 2000),
        ];
        let rc = relation_candidates(&work, |_| false);
        assert_eq!(rc.len(), 2, "{rc:#?}");
        assert_eq!(
            (rc[0].label.as_str(), &rc[0].by[..]),
            ("from", &["hoa".to_string()][..])
        );
        assert_eq!(rc[1].label, "in");
        assert_eq!(rc[1].by, ["lan", "minh"]);
        assert_eq!(
            (rc[1].from.text.as_str(), rc[1].to.text.as_str()),
            ("Lan", "Huế")
        );
    }

    #[test]
    fn a_symmetric_relation_made_either_way_is_one_candidate_and_either_way_in_the_gold() {
        let work = [
            work_between("lan", "near", 0, false),
            work_between("minh", "near", 1000, true),
        ];
        let rc = relation_candidates(&work, |t| t == "near");
        assert_eq!(rc.len(), 1, "{rc:#?}");
        assert_eq!(rc[0].by, ["lan", "minh"]);
        assert_eq!(rc[0].from.text, "Lan", "in reading order");
        // Not symmetric: two relations.
        assert_eq!(relation_candidates(&work, |_| false).len(), 2);
        // A gold with minh's direction has it.
        let (_, spans, rels) = &work[1];
        let mut gold = Document::new("a.txt", crate::text::Text::new("Lan ở Huế"), "");
        for s in spans {
            gold.apply(&crate::edit::Edit::Add(s.clone()));
        }
        gold.apply(&crate::edit::Edit::add_relation(rels[0].clone()));
        assert_eq!(relation_decision(&gold, &rc[0]), Some(rels[0].id));
    }
}
