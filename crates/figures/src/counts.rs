//! `nhan stats`: counts over a project (per label, per status, per
//! annotator, review decisions, consistency cases, and the overview the
//! dashboard and the report draw), gathered in one streaming pass: an
//! article and its sidecars at a time, on every core, so memory grows with
//! the labels and annotators, not the project.

use crate::overview;
use nhan_model::consistency::{Consistency, Counter, Look, Tally};
use nhan_model::document::Document;
use nhan_model::interned::Sym;
use nhan_model::record::List;
use nhan_model::review::{Decision, Kind};
use nhan_model::status::Status;
use nhan_model::text::Text;
use nhan_store::progress::Progress;
use nhan_store::project::{ArticleMeta, Project};
use nhan_store::stream::fold_ordered;
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts over the project: what `stats --json` prints (a stable shape,
/// documented in the README). Field order is the JSON's key order.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub articles: usize,
    pub spans: u64,
    pub by_status: BTreeMap<&'static str, u64>,
    pub by_label: BTreeMap<String, u64>,
    /// Relations per type (only when the project has any).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_relation: BTreeMap<String, u64>,
    pub by_annotator: BTreeMap<String, u64>,
    pub review: ReviewCounts,
    pub per_article: Vec<ArticleStats>,
    pub consistency: Vec<ConsistencyCase>,
    pub problems: Vec<String>,
    /// Spans with a note, article notes, spans per attribute value (only
    /// when a project has any).
    #[serde(skip_serializing_if = "nhan_model::attrs::Tally::is_empty")]
    pub notes: nhan_model::attrs::Tally,
    /// What the dashboard and `nhan report` draw.
    pub overview: overview::Overview,
}

pub use overview::ReviewCounts;

#[derive(Debug, Clone, Serialize)]
pub struct ArticleStats {
    pub article: String,
    pub status: &'static str,
    pub spans: usize,
    pub reviewed: u64,
    pub rejected: u64,
    /// Interned labels: a row per article is part of the answer, kept small.
    pub by_label: BTreeMap<Sym, u64>,
}

/// Review mode's consistency cases, for scripts and for the plain report.
#[derive(Debug, Clone, Serialize)]
pub struct ConsistencyCase {
    pub text: String,
    pub labels: Vec<String>,
    pub untagged: usize,
    pub describe: String,
}

/// One article as `stats` reads it, before it is added to the totals.
struct ArticleCount {
    status: Status,
    problem: Option<String>,
    /// `None` when the article itself cannot be read.
    row: Option<ArticleStats>,
    by_annotator: BTreeMap<String, u64>,
    by_relation: BTreeMap<String, u64>,
    review: ReviewCounts,
    /// Distinct span texts, for the consistency check.
    surfaces: Vec<String>,
    notes: nhan_model::attrs::Tally,
    /// Where the surfaces known when it was read stand in it.
    look: Option<Look>,
    overview: overview::Part,
}

fn count_article(
    project: &Project,
    consistency: Option<&Consistency>,
    setup: &overview::Setup,
    a: &ArticleMeta,
) -> ArticleCount {
    let mut c = count_gold(project, consistency, a);
    let doc = c.doc.take();
    let ArticleCount { overview, .. } = &mut c.count;
    *overview = overview::part(project, setup, a, doc.as_ref());
    c.count
}

/// An article's counts, and its document for the overview's share.
struct Counted {
    count: ArticleCount,
    doc: Option<Document>,
}

fn count_gold(project: &Project, consistency: Option<&Consistency>, a: &ArticleMeta) -> Counted {
    let mut c = ArticleCount {
        status: Status::Todo,
        problem: None,
        row: None,
        by_annotator: BTreeMap::new(),
        by_relation: BTreeMap::new(),
        review: ReviewCounts::default(),
        surfaces: Vec::new(),
        notes: Default::default(),
        look: None,
        overview: overview::Part::default(),
    };
    let l = match project.load(&a.file_name) {
        Ok(l) => l,
        Err(e) => {
            c.problem = Some(e.to_string());
            return Counted {
                count: c,
                doc: None,
            };
        }
    };
    c.problem = l.read_only;
    let doc = l.doc;
    c.status = doc.status();
    let mut labels: BTreeMap<Sym, u64> = BTreeMap::new();
    let mut reviewed = 0;
    let mut surfaces = std::collections::BTreeSet::new();
    c.notes.add_article(doc.extra());
    for s in doc.spans().iter() {
        c.notes.add_span(s);
        *labels.entry(s.label).or_default() += 1;
        *c.by_annotator
            .entry(s.annotator.map_or_else(|| "(none)".into(), String::from))
            .or_default() += 1;
        match s.review.map(Decision::kind) {
            Some(Kind::Accepted) => {
                c.review.accepted += 1;
                reviewed += 1;
            }
            Some(_) => {
                c.review.fixed += 1;
                reviewed += 1;
            }
            None => c.review.unreviewed += 1,
        }
        if !surfaces.contains(s.text.as_str()) {
            surfaces.insert(s.text.to_string());
        }
    }
    for r in doc.relations() {
        *c.by_relation.entry(r.label.clone()).or_default() += 1;
    }
    c.surfaces = surfaces.into_iter().collect();
    c.look = consistency.map(|k| k.look(&doc));
    let rejected = List::Rejected.len(doc.extra()) as u64;
    c.review.rejected = rejected;
    c.row = Some(ArticleStats {
        article: a.file_name.clone(),
        status: doc.status().as_str(),
        spans: doc.spans().len(),
        reviewed,
        rejected,
        by_label: labels,
    });
    Counted {
        count: c,
        doc: Some(doc),
    }
}

/// Counts over the project, read as a stream; the consistency check looks
/// at an article a second time only when a surface first tagged after it
/// was read occurs in its text.
pub fn compute_stats(project: &Project) -> Stats {
    stream_stats(project, Pass::Command, |_| {})
}

/// Who runs the pass: a command (progress bar on a terminal, consistency
/// cases) or a view (silent: the terminal is the view's; no cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Command,
    View,
}

/// How often a view is given the figures so far.
const PARTIAL_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// The counts of `compute_stats`, handing `partial` the figures so far
/// (without per-article rows or agreement) every quarter of a second.
pub fn stream_stats(project: &Project, pass: Pass, mut partial: impl FnMut(Stats) + Send) -> Stats {
    let mut st = Stats {
        articles: project.articles.len(),
        spans: 0,
        by_status: [
            Status::Todo,
            Status::InProgress,
            Status::Done,
            Status::Reviewed,
        ]
        .into_iter()
        .map(|s| (s.as_str(), 0))
        .collect(),
        by_label: BTreeMap::new(),
        by_annotator: BTreeMap::new(),
        by_relation: BTreeMap::new(),
        review: ReviewCounts::default(),
        per_article: Vec::new(),
        consistency: Vec::new(),
        problems: Vec::new(),
        notes: Default::default(),
        overview: Default::default(),
    };
    let consistency = Consistency::default();
    let cases = (pass == Pass::Command).then_some(&consistency);
    let mut counter = Counter::default();
    let mut progress = match pass {
        Pass::Command => Progress::new("counting", project.articles.len()),
        Pass::View => Progress::silent(),
    };
    let setup = overview::Setup::new(project);
    let mut overview = overview::Fold::new(&setup);
    let mut last = std::time::Instant::now();
    fold_ordered(
        &project.articles,
        |a| count_article(project, cases, &setup, a),
        |c| {
            progress.tick();
            if last.elapsed() >= PARTIAL_EVERY {
                last = std::time::Instant::now();
                partial(st.so_far(project, &setup, &overview));
            }
            overview.add(&setup, c.overview, c.row.is_some());
            *st.by_status.entry(c.status.as_str()).or_default() += 1;
            st.problems.extend(c.problem);
            counter.add(&consistency, &c.surfaces, c.look);
            let Some(row) = c.row else {
                return true;
            };
            st.spans += row.spans as u64;
            for (l, n) in &row.by_label {
                match st.by_label.get_mut(&**l) {
                    Some(c) => *c += n,
                    None => {
                        st.by_label.insert(l.to_string(), *n);
                    }
                }
            }
            for (t, n) in c.by_relation {
                *st.by_relation.entry(t).or_default() += n;
            }
            for (a, n) in c.by_annotator {
                *st.by_annotator.entry(a).or_default() += n;
            }
            st.review.accepted += c.review.accepted;
            st.review.fixed += c.review.fixed;
            st.review.rejected += c.review.rejected;
            st.review.unreviewed += c.review.unreviewed;
            st.notes.merge(&c.notes);
            st.per_article.push(row);
            true
        },
    );
    drop(progress);
    st.overview = overview.finish(setup, project, &st.review, &st.by_label);
    st.overview.relations = overview::relation_rows(project, &st.by_relation);
    if let Some(second) = counter.second_look().filter(|_| pass == Pass::Command) {
        let wanted: Vec<usize> = (0..project.articles.len())
            .filter(|&i| second.wanted(i))
            .collect();
        let mut progress = Progress::new("consistency", wanted.len());
        fold_ordered(
            &wanted,
            |&i| {
                let file_name = &project.articles[i].file_name;
                let bytes = project.read_article(file_name).ok()?;
                let text = Text::from_file_vec(bytes).ok()?;
                if !second.occurs(i, text.as_str()) {
                    return None;
                }
                let l = project.load(file_name).ok()?;
                Some(second.tally(i, &l.doc))
            },
            |t| {
                progress.tick();
                if let Some(t) = t {
                    counter.add_second(&t);
                }
                true
            },
        );
    }
    st.consistency = counter
        .cases()
        .into_iter()
        .map(|c| {
            let describe = c.describe();
            let Tally { labels, untagged } = c.tally;
            ConsistencyCase {
                text: c.surface,
                labels,
                untagged,
                describe,
            }
        })
        .collect();
    st
}

impl Stats {
    /// A copy for a view while the pass goes on: totals only.
    fn so_far(
        &self,
        project: &Project,
        setup: &overview::Setup,
        overview: &overview::Fold,
    ) -> Stats {
        Stats {
            articles: self.articles,
            spans: self.spans,
            by_status: self.by_status.clone(),
            by_label: self.by_label.clone(),
            by_relation: self.by_relation.clone(),
            by_annotator: self.by_annotator.clone(),
            review: self.review.clone(),
            per_article: Vec::new(),
            consistency: Vec::new(),
            problems: Vec::new(),
            notes: Default::default(),
            overview: overview::Overview {
                relations: overview::relation_rows(project, &self.by_relation),
                ..overview.snapshot(setup, project, &self.review, &self.by_label)
            },
        }
    }
}
