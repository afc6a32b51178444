//! Adjudication data: two or more annotators' spans on one article, merged
//! into candidates, and whether the gold has taken or left out each one.

use super::document::Document;
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
    pub attrs: Option<serde_json::Value>,
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
            Some(serde_json::Value::Object(m)) if !m.is_empty() => m
                .iter()
                .map(|(k, x)| match x {
                    serde_json::Value::Bool(true) => k.clone(),
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
                    let attrs = s.extra.get(super::attrs::ATTRS).cloned();
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
        }
    }

    pub fn agreed(&self, c: &Candidate) -> bool {
        c.by.len() == self.annotators.len()
    }
}

/// Whether the gold has this candidate (`Some(id)`), left it out on
/// purpose (recorded under `rejected`), or not decided yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Taken(u64),
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
}
