//! `nhan suggest --eval`: each recommender, and all of them together,
//! measured by k-fold cross-validation on the reviewed articles: article
//! `i` (in name order) is in fold `i % k`; each fold is proposed for (with
//! no spans) by recommenders trained on the other folds, and scored against
//! its gold spans by exact extent and label. Counts are summed over the
//! folds before dividing (micro-averaging). With `k` at least the number of
//! articles this is leave-one-article-out.
//!
//! A row is what that set of recommenders gives on `nhan suggest --out -`
//! for a project whose only decided articles are the other folds: the same
//! [`Suggester`], the same selection.

use super::SuggestError;
use super::corpus::Corpus;
use super::suggester::{BuildOptions, CALIBRATION_FOLDS, InnerModels, Suggester, select};
use super::{ArticleInput, config};
use nhan_model::status::Status;
use nhan_store::project::Project;
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
    /// Every proposal's score and whether it was right: how far a score
    /// can be read as the chance of being right.
    pub scored: Vec<(f32, bool)>,
}

/// Proposals whose score fell in `[from, to)` (the last bin includes 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    pub from: f64,
    pub to: f64,
    pub proposed: usize,
    pub correct: usize,
    pub mean_score: f64,
}

/// Ten bins of width 0.1; empty ones left out.
pub fn reliability(scored: &[(f32, bool)]) -> Vec<Bin> {
    let mut bins: Vec<Bin> = (0..10)
        .map(|i| Bin {
            from: i as f64 / 10.0,
            to: (i + 1) as f64 / 10.0,
            proposed: 0,
            correct: 0,
            mean_score: 0.0,
        })
        .collect();
    for &(score, right) in scored {
        let b = &mut bins[((score as f64 * 10.0) as usize).min(9)];
        b.proposed += 1;
        b.correct += usize::from(right);
        b.mean_score += score as f64;
    }
    bins.retain(|b| b.proposed > 0);
    for b in &mut bins {
        b.mean_score /= b.proposed as f64;
    }
    bins
}

/// Expected calibration error: over the bins, weighted by their share of
/// the proposals, how far the mean score is from the share that was right.
pub fn calibration_error(scored: &[(f32, bool)]) -> f64 {
    let n = scored.len().max(1) as f64;
    reliability(scored)
        .iter()
        .map(|b| b.proposed as f64 / n * (ratio(b.correct, b.proposed) - b.mean_score).abs())
        .fold(0.0, |a, x| a + x)
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
    /// The number of folds used (at most the number of articles).
    pub folds: usize,
    /// Wall-clock time of the whole evaluation, training included.
    pub seconds: f64,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

/// Folds when `--folds` is not given: five trainings whatever the size of
/// the project (leave-one-out retrained once per article: 101 reviewed
/// articles took minutes).
pub const DEFAULT_FOLDS: usize = CALIBRATION_FOLDS + 1;

/// Every proposal made for a held-out article: (row name, article name,
/// suggestions). For tests that compare a row with `--out -`.
pub type Proposals = Vec<(String, String, Vec<super::Suggestion>)>;

pub fn evaluate(project: &Project, only: &[String], folds: usize) -> Result<Report, SuggestError> {
    evaluate_with(project, only, folds, None)
}

/// `evaluate`, also handing back every proposal when `keep` is given.
pub fn evaluate_with(
    project: &Project,
    only: &[String],
    folds: usize,
    mut keep: Option<&mut Proposals>,
) -> Result<Report, SuggestError> {
    let started = std::time::Instant::now();
    let configs = config::load(project)?;
    let names = select(configs.clone(), only)?
        .into_iter()
        .map(|c| c.name)
        .collect::<Vec<_>>();
    if folds < 2 {
        return Err(SuggestError::TooFewFolds(folds));
    }
    let (all, problems) = Corpus::load(project);
    let reviewed = Corpus {
        articles: all
            .articles
            .into_iter()
            .filter(|a| a.status == Status::Reviewed)
            .collect(),
    };
    if reviewed.articles.len() < 2 {
        return Err(SuggestError::TooFewReviewed {
            project: project.root.clone(),
            reviewed: reviewed.articles.len(),
        });
    }
    let k = folds.min(reviewed.articles.len());
    let mut report = Report {
        articles: reviewed.articles.iter().map(|a| a.name.clone()).collect(),
        folds: k,
        notes: problems,
        ..Report::default()
    };
    let opts = BuildOptions {
        no_cache: true,
        only: names,
        raw_scores: false,
    };
    // Shared inner models only where the folds line up (else each would
    // be kept and never used again).
    let inner_models = InnerModels::default();
    let shared = (k == CALIBRATION_FOLDS + 1).then_some(&inner_models);
    let mut sets: Vec<Vec<String>> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    for fold in 0..k {
        let in_fold = |i: usize| i % k == fold;
        let train = Corpus {
            articles: reviewed
                .articles
                .iter()
                .enumerate()
                .filter(|(i, _)| !in_fold(*i))
                .map(|(_, a)| a.clone())
                .collect(),
        };
        let s = Suggester::from_corpus_sharing(project, &train, &configs, &opts, shared)?;
        if sets.is_empty() {
            report.notes.extend(s.notes.iter().map(ToString::to_string));
            let names: Vec<String> = s.names().iter().map(|n| n.to_string()).collect();
            sets = names.iter().map(|n| vec![n.clone()]).collect();
            if names.len() > 1 {
                sets.push(names.clone());
            }
            rows = sets
                .iter()
                .map(|set| Row {
                    name: set.join("+"),
                    ..Row::default()
                })
                .collect();
        }
        for held in reviewed
            .articles
            .iter()
            .enumerate()
            .filter(|(i, _)| in_fold(*i))
            .map(|(_, a)| a)
        {
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
                    let c = row.labels.entry(g.label.to_string()).or_default();
                    c.proposed += 1;
                    let right = gold.contains(&(g.start, g.end, g.label.as_str()));
                    c.correct += usize::from(right);
                    row.scored.push((g.score, right));
                }
                if let Some(keep) = keep.as_deref_mut() {
                    keep.push((row.name.clone(), held.name.clone(), got));
                }
            }
        }
    }
    report.rows = rows;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

impl Report {
    pub fn to_json(&self) -> Value {
        json!({
            "folds": self.folds,
            "seconds": (self.seconds * 10.0).round() / 10.0,
            "articles": self.articles,
            "recommenders": self.rows.iter().map(|r| json!({
                "name": r.name,
                "overall": r.overall().to_json(),
                "labels": r.labels.iter().map(|(k, v)| (k.clone(), v.to_json())).collect::<serde_json::Map<_, _>>(),
                "calibration_error": (calibration_error(&r.scored) * 10000.0).round() / 10000.0,
                "reliability": reliability(&r.scored).iter().map(|b| json!({
                    "from": b.from, "to": b.to, "proposed": b.proposed, "correct": b.correct,
                    "mean_score": (b.mean_score * 10000.0).round() / 10000.0,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    /// The table for people (also pasted into the README).
    pub fn to_table(&self) -> String {
        let how = if self.folds == self.articles.len() {
            "leave-one-article-out".to_string()
        } else {
            format!("{}-fold", self.folds)
        };
        let mut out = format!(
            "{how} over {} reviewed articles in {:.1} s; exact extent and label, micro-averaged\n\n",
            self.articles.len(),
            self.seconds
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
        out.push_str("reliability: proposals by score, and how many of them were right\n\n");
        out.push_str(&format!(
            "{:<20} {:<8} {:>9} {:>10} {:>10}\n",
            "recommender", "score", "proposed", "precision", "mean score"
        ));
        for r in &self.rows {
            for b in reliability(&r.scored) {
                out.push_str(&format!(
                    "{:<20} {:<8} {:>9} {:>10.3} {:>10.3}\n",
                    r.name,
                    format!("{:.1}-{:.1}", b.from, b.to),
                    b.proposed,
                    ratio(b.correct, b.proposed),
                    b.mean_score
                ));
            }
            out.push_str(&format!(
                "{:<20} expected calibration error {:.3}\n\n",
                r.name,
                calibration_error(&r.scored)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reliability_bins_scores_and_weighs_the_calibration_error() {
        let mut scored = vec![(0.95f32, true); 9];
        scored.push((0.95, false));
        scored.extend([(0.55, true), (0.55, false), (1.0, true)]);
        let bins = reliability(&scored);
        assert_eq!(bins.len(), 2, "{bins:?}");
        assert_eq!(
            (bins[0].from, bins[0].proposed, bins[0].correct),
            (0.5, 2, 1)
        );
        // A score of 1 goes in the last bin.
        assert_eq!(
            (bins[1].from, bins[1].proposed, bins[1].correct),
            (0.9, 11, 10)
        );
        let mean_top = (10.0 * 0.95f32 as f64 + 1.0) / 11.0;
        assert!((bins[1].mean_score - mean_top).abs() < 1e-9);
        let want = 2.0 / 13.0 * (0.5 - 0.55f32 as f64).abs()
            + 11.0 / 13.0 * (10.0 / 11.0 - mean_top).abs();
        assert!((calibration_error(&scored) - want).abs() < 1e-9);
        assert_eq!(calibration_error(&[]), 0.0);
    }
}
