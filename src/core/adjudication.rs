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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjudication {
    pub article: usize,
    pub annotators: Vec<String>,
    pub candidates: Vec<Candidate>,
}

impl Adjudication {
    pub fn new(article: usize, work: &[(String, Vec<Span>)]) -> Adjudication {
        let mut by: BTreeMap<(usize, usize, String), (String, Vec<String>)> = BTreeMap::new();
        for (name, spans) in work {
            for s in spans {
                let e = by
                    .entry((s.start, s.end, s.label.to_string()))
                    .or_insert_with(|| (s.text.to_string(), Vec::new()));
                if !e.1.contains(name) {
                    e.1.push(name.clone());
                }
            }
        }
        let candidates = by
            .into_iter()
            .map(|((start, end, label), (text, mut by))| {
                by.sort();
                Candidate {
                    start,
                    end,
                    label,
                    text,
                    by,
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
        .spans
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
