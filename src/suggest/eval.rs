//! `nhan suggest --eval`: each recommender, and all of them together,
//! measured leave-one-article-out on the reviewed articles: trained on all
//! reviewed articles but one, asked about that one (with no spans), scored
//! against its gold spans by exact extent and label. Counts are summed over
//! the folds before dividing (micro-averaging).

use super::corpus::Corpus;
use super::suggester::{BuildOptions, Suggester, select};
use super::{ArticleInput, config};
use crate::core::project::Project;
use crate::core::status::Status;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub gold: usize,
    pub proposed: usize,
    pub correct: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.proposed)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, o: Counts) {
        self.gold += o.gold;
        self.proposed += o.proposed;
        self.correct += o.correct;
    }
    fn to_json(self) -> Value {
        let r = |x: f64| (x * 10000.0).round() / 10000.0;
        json!({
            "precision": r(self.precision()),
            "recall": r(self.recall()),
            "f1": r(self.f1()),
            "gold": self.gold,
            "proposed": self.proposed,
            "correct": self.correct,
        })
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub name: String,
    pub labels: BTreeMap<String, Counts>,
}

impl Row {
    pub fn overall(&self) -> Counts {
        let mut c = Counts::default();
        for v in self.labels.values() {
            c.add(*v);
        }
        c
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub articles: Vec<String>,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

pub fn evaluate(project: &Project, only: &[String]) -> Result<Report, String> {
    let configs = select(config::load(project)?, only)?;
    let (all, problems) = Corpus::load(project);
    let reviewed = Corpus {
        articles: all
            .articles
            .into_iter()
            .filter(|a| a.status == Status::Reviewed)
            .collect(),
    };
    if reviewed.articles.len() < 2 {
        return Err(format!(
            "{}: --eval needs at least two reviewed articles (it has {}); mark articles reviewed first",
            project.root.display(),
            reviewed.articles.len()
        ));
    }
    let mut report = Report {
        articles: reviewed.articles.iter().map(|a| a.name.clone()).collect(),
        notes: problems,
        ..Report::default()
    };
    let opts = BuildOptions {
        no_cache: true,
        ..BuildOptions::default()
    };
    let mut sets: Vec<Vec<String>> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    for held in &reviewed.articles {
        let train = reviewed.without(&held.name);
        let s = Suggester::from_corpus(project, &train, &configs, &opts)?;
        if sets.is_empty() {
            report.notes.extend(s.notes.iter().cloned());
            let names: Vec<String> = s.names().iter().map(|n| n.to_string()).collect();
            sets = names.iter().map(|n| vec![n.clone()]).collect();
            if names.len() > 1 {
                sets.push(names.clone());
            }
            rows = sets
                .iter()
                .map(|set| Row {
                    name: set.join("+"),
                    labels: BTreeMap::new(),
                })
                .collect();
        }
        let gold: HashSet<(usize, usize, &str)> = held
            .spans
            .iter()
            .map(|k| (k.start, k.end, k.label.as_str()))
            .collect();
        let input = ArticleInput {
            name: &held.name,
            text: &held.text,
            tokens: &held.tokens,
            spans: &[],
        };
        for (set, row) in sets.iter().zip(rows.iter_mut()) {
            let (got, errors) = s.for_article_with(&input, None, set);
            if let Some(e) = errors.first() {
                return Err(e.clone());
            }
            for (_, _, l) in &gold {
                row.labels.entry(l.to_string()).or_default().gold += 1;
            }
            for g in &got {
                let c = row.labels.entry(g.label.clone()).or_default();
                c.proposed += 1;
                if gold.contains(&(g.start, g.end, g.label.as_str())) {
                    c.correct += 1;
                }
            }
        }
    }
    report.rows = rows;
    Ok(report)
}

impl Report {
    pub fn to_json(&self) -> Value {
        json!({
            "folds": self.articles.len(),
            "articles": self.articles,
            "recommenders": self.rows.iter().map(|r| json!({
                "name": r.name,
                "overall": r.overall().to_json(),
                "labels": r.labels.iter().map(|(k, v)| (k.clone(), v.to_json())).collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>(),
        })
    }

    /// The table for people (also pasted into the README).
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "leave-one-article-out over {} reviewed articles; exact extent and label, micro-averaged\n\n",
            self.articles.len()
        );
        // As wide as the longest label (SYMPTOM_AND_DISEASE), at least 8.
        let lw = (self.rows.iter())
            .flat_map(|r| r.labels.keys())
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(8);
        out.push_str(&format!(
            "{:<20} {:<lw$} {:>9} {:>7} {:>7} {:>6} {:>9} {:>8}\n",
            "recommender", "label", "precision", "recall", "F1", "gold", "proposed", "correct"
        ));
        for r in &self.rows {
            let line = |label: &str, c: Counts| {
                format!(
                    "{:<20} {:<lw$} {:>9.3} {:>7.3} {:>7.3} {:>6} {:>9} {:>8}\n",
                    r.name,
                    label,
                    c.precision(),
                    c.recall(),
                    c.f1(),
                    c.gold,
                    c.proposed,
                    c.correct
                )
            };
            for (l, c) in &r.labels {
                out.push_str(&line(l, *c));
            }
            out.push_str(&line("all", r.overall()));
            out.push('\n');
        }
        out
    }
}
