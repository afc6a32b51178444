//! The project at a glance: the figures the TUI's dashboard (`ui/dashboard`)
//! and the HTML report (`report`) draw, which `nhan stats --json` prints
//! under `overview`. They are gathered in `stats`' own streaming pass (one
//! article and its sidecars at a time), with `nhan agree`'s reading and
//! arithmetic for the agreement figures, so the three never disagree.

use crate::data;
use crate::report::{Agreement, ArticlePart, Parts};
use crate::stats::Scheme;
use nhan_model::document::Document;
use nhan_store::project::{ArticleMeta, Project};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Review decisions over the project's spans (`stats --json`'s `review`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReviewCounts {
    pub accepted: u64,
    pub fixed: u64,
    pub rejected: u64,
    pub unreviewed: u64,
}

/// What `stats --json` prints under `overview` (field order is key order).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Overview {
    /// Spans with a review decision (accepted or fixed) and without.
    pub decided: u64,
    pub undecided: u64,
    /// Schema labels in schema order, then other labels in use.
    pub labels: Vec<LabelRow>,
    /// In a blind project each annotator's own sidecars; otherwise the
    /// `annotator` of the gold spans.
    pub annotators: Vec<AnnotatorRow>,
    /// Present when two or more annotators have work (a blind project).
    pub agreement: Option<AgreementView>,
    /// Per recommender (`source` of accepted spans, and of rejections).
    pub suggestions: Vec<RecommenderRow>,
    /// Per relation type: the schema's types in its order (none made yet:
    /// 0), then types in use that it lacks. Empty without relations.
    pub relations: Vec<RelationRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelRow {
    pub label: String,
    pub spans: u64,
    /// Readable articles with no span of this label.
    pub articles_without: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotatorRow {
    pub annotator: String,
    pub articles: u64,
    pub spans: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementView {
    pub annotators: Vec<String>,
    /// Every pair as `nhan agree` reports it.
    pub pairs: Vec<PairRow>,
    /// Strict span F1 per label over every pair, lowest first.
    pub labels: Vec<LabelAgreement>,
    /// Why there are no figures (a sidecar `nhan agree` cannot read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairRow {
    pub reference: String,
    pub other: String,
    pub cohen_kappa: Option<f64>,
    pub strict_f1: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelAgreement {
    pub label: String,
    pub strict_f1: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecommenderRow {
    pub recommender: String,
    pub accepted: u64,
    pub rejected: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelationRow {
    pub relation: String,
    pub count: u64,
}

/// Relations per type as the overview lists them (see
/// [`Overview::relations`]).
pub fn relation_rows(project: &Project, by_type: &BTreeMap<String, u64>) -> Vec<RelationRow> {
    if by_type.is_empty() {
        return Vec::new();
    }
    let schema: Vec<&str> = project
        .schema
        .relations
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let known = schema.iter().map(|&name| RelationRow {
        relation: name.to_string(),
        count: by_type.get(name).copied().unwrap_or(0),
    });
    let others = (by_type.iter())
        .filter(|(name, _)| !schema.contains(&name.as_str()))
        .map(|(name, &count)| RelationRow {
            relation: name.clone(),
            count,
        });
    known.chain(others).collect()
}

/// A rejection file (`.nhan/rejected/…`) as far as the overview reads it:
/// older files name no recommender.
#[derive(Deserialize)]
struct RejectedFile {
    rejected: Vec<RejectedItem>,
}

#[derive(Deserialize)]
struct RejectedItem {
    #[serde(default)]
    source: Option<String>,
}

/// The name rejections recorded before they named their recommender go by.
pub const UNNAMED: &str = "(not recorded)";

/// What is fixed before the pass: who has work.
pub struct Setup {
    /// Annotators with a readable sidecar (`annotations/<name>/`).
    with_work: Vec<String>,
    parts: Parts,
}

impl Setup {
    pub fn new(project: &Project) -> Setup {
        let found = data::discover(&project.root).unwrap_or_default();
        let has = data::has_work(project, &found);
        let with_work: Vec<String> = found
            .into_iter()
            .zip(has)
            .filter_map(|(a, w)| w.then_some(a))
            .collect();
        let parts = Parts::new(&with_work);
        Setup { with_work, parts }
    }
}

/// One article's share, read on a worker.
pub struct Part {
    labels: BTreeSet<String>,
    gold_annotators: BTreeMap<String, u64>,
    /// Spans in each annotator's own sidecar (`None`: no sidecar).
    blind: Vec<Option<u64>>,
    accepted: BTreeMap<String, u64>,
    rejected: BTreeMap<String, u64>,
    agree: Result<Option<ArticlePart>, crate::error::FiguresError>,
}

impl Default for Part {
    fn default() -> Part {
        Part {
            labels: BTreeSet::new(),
            gold_annotators: BTreeMap::new(),
            blind: Vec::new(),
            accepted: BTreeMap::new(),
            rejected: BTreeMap::new(),
            agree: Ok(None),
        }
    }
}

/// Rejections of `stem` per recommender: the shared file and each
/// annotator's own. A file that cannot be read counts nothing here (the
/// TUI names it when the article is opened).
fn rejections(project: &Project, setup: &Setup, stem: &str, into: &mut BTreeMap<String, u64>) {
    let dir = nhan_suggest::store::root(&project.root).join("rejected");
    let file = format!("{stem}.json");
    let paths = std::iter::once(dir.join(&file))
        .chain(setup.with_work.iter().map(|a| dir.join(a).join(&file)));
    for p in paths {
        let Ok(bytes) = nhan_store::root::read_in(&project.root, &p) else {
            continue;
        };
        let Ok(f) = serde_json::from_slice::<RejectedFile>(&bytes) else {
            continue;
        };
        for r in f.rejected {
            *into
                .entry(r.source.unwrap_or_else(|| UNNAMED.into()))
                .or_default() += 1;
        }
    }
}

/// The overview's share of an article `stats` has read (`doc`: `None` when
/// it could not be).
pub fn part(project: &Project, setup: &Setup, meta: &ArticleMeta, doc: Option<&Document>) -> Part {
    let mut p = Part::default();
    if let Some(doc) = doc {
        for s in doc.spans().iter() {
            if !p.labels.contains(s.label.as_str()) {
                p.labels.insert(s.label.to_string());
            }
            if let Some(a) = s.annotator {
                *p.gold_annotators.entry(a.to_string()).or_default() += 1;
            }
            if let Some(src) = s.details.source() {
                *p.accepted.entry(src.to_string()).or_default() += 1;
            }
        }
    }
    rejections(project, setup, &meta.stem, &mut p.rejected);
    let any_work = setup
        .with_work
        .iter()
        .any(|a| project.annotator_path(a, &meta.stem).exists());
    if any_work {
        p.agree = data::read(project, meta, &setup.with_work).map(|(art, _)| {
            art.map(|a| {
                p.blind = a
                    .spans
                    .iter()
                    .map(|s| s.as_ref().map(|v| v.len() as u64))
                    .collect();
                setup.parts.part(a)
            })
        });
    }
    p
}

/// The overview so far, article after article in the project's order.
pub struct Fold {
    agreement: Agreement,
    agree_error: Option<String>,
    readable: u64,
    with_label: BTreeMap<String, u64>,
    gold_annotators: BTreeMap<String, (u64, u64)>,
    blind: Vec<(u64, u64)>,
    suggestions: BTreeMap<String, (u64, u64)>,
}

impl Fold {
    pub fn new(setup: &Setup) -> Fold {
        let agreement = Agreement::new(&setup.parts);
        let blind = vec![(0, 0); setup.with_work.len()];
        Fold {
            agreement,
            agree_error: None,
            readable: 0,
            with_label: BTreeMap::new(),
            gold_annotators: BTreeMap::new(),
            blind,
            suggestions: BTreeMap::new(),
        }
    }

    /// Adds an article; `readable`: its gold sidecar and text could be read.
    pub fn add(&mut self, setup: &Setup, p: Part, readable: bool) {
        self.readable += u64::from(readable);
        for l in p.labels {
            *self.with_label.entry(l).or_default() += 1;
        }
        for (a, n) in p.gold_annotators {
            let e = self.gold_annotators.entry(a).or_default();
            e.0 += 1;
            e.1 += n;
        }
        for (i, n) in p.blind.iter().enumerate() {
            if let (Some(n), Some(e)) = (n, self.blind.get_mut(i)) {
                e.0 += 1;
                e.1 += n;
            }
        }
        for (s, n) in p.accepted {
            self.suggestions.entry(s).or_default().0 += n;
        }
        for (s, n) in p.rejected {
            self.suggestions.entry(s).or_default().1 += n;
        }
        match p.agree {
            Ok(Some(part)) if self.agree_error.is_none() => self.agreement.add(&setup.parts, part),
            Ok(_) => {}
            Err(e) => {
                self.agree_error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }

    /// The figures so far, without agreement (computed once, at the end).
    pub fn snapshot(
        &self,
        setup: &Setup,
        project: &Project,
        review: &ReviewCounts,
        by_label: &BTreeMap<String, u64>,
    ) -> Overview {
        let mut names: Vec<String> = project
            .schema
            .labels
            .iter()
            .map(|l| l.name.clone())
            .collect();
        for l in by_label.keys().chain(self.with_label.keys()) {
            if !names.contains(l) {
                names.push(l.clone());
            }
        }
        let labels = names
            .into_iter()
            .map(|label| LabelRow {
                spans: by_label.get(&label).copied().unwrap_or(0),
                articles_without: self.readable
                    - self
                        .with_label
                        .get(&label)
                        .copied()
                        .unwrap_or(0)
                        .min(self.readable),
                label,
            })
            .collect();
        let annotators = if setup.with_work.is_empty() {
            self.gold_annotators
                .iter()
                .map(|(a, &(articles, spans))| AnnotatorRow {
                    annotator: a.clone(),
                    articles,
                    spans,
                })
                .collect()
        } else {
            setup
                .with_work
                .iter()
                .zip(&self.blind)
                .map(|(a, &(articles, spans))| AnnotatorRow {
                    annotator: a.clone(),
                    articles,
                    spans,
                })
                .collect()
        };
        Overview {
            decided: review.accepted + review.fixed,
            undecided: review.unreviewed,
            labels,
            annotators,
            agreement: None,
            suggestions: self
                .suggestions
                .iter()
                .map(|(r, &(accepted, rejected))| RecommenderRow {
                    recommender: r.clone(),
                    accepted,
                    rejected,
                })
                .collect(),
            relations: Vec::new(),
        }
    }

    /// The figures of the whole pass.
    pub fn finish(
        self,
        setup: Setup,
        project: &Project,
        review: &ReviewCounts,
        by_label: &BTreeMap<String, u64>,
    ) -> Overview {
        let mut o = self.snapshot(&setup, project, review, by_label);
        let annotators = setup.with_work.clone();
        if annotators.len() < 2 {
            return o;
        }
        if let Some(error) = self.agree_error {
            o.agreement = Some(AgreementView {
                annotators,
                pairs: Vec::new(),
                labels: Vec::new(),
                error: Some(format!(
                    "{error}; fix it, then `nhan agree` shows the figures"
                )),
            });
            return o;
        }
        let schema: Vec<String> = project
            .schema
            .labels
            .iter()
            .map(|l| l.name.clone())
            .collect();
        let r = self.agreement.finish(setup.parts, &schema, Vec::new());
        let pairs = r
            .pairs
            .iter()
            .map(|p| PairRow {
                reference: p.reference.clone(),
                other: p.other.clone(),
                cohen_kappa: p.cohen_kappa,
                strict_f1: p.spans.scheme(Scheme::Strict).overall.f1,
            })
            .collect();
        let mut labels: Vec<LabelAgreement> = r
            .overall
            .spans
            .scheme(Scheme::Strict)
            .labels
            .0
            .iter()
            .map(|(l, f)| LabelAgreement {
                label: l.clone(),
                strict_f1: f.f1,
            })
            .collect();
        labels.sort_by(|a, b| a.strict_f1.total_cmp(&b.strict_f1));
        o.agreement = Some(AgreementView {
            annotators,
            pairs,
            labels,
            error: None,
        });
        o
    }
}
