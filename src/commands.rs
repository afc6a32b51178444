//! `nhan validate` and `nhan stats`: read-only reports over a project, read
//! as a stream (an article and its sidecars at a time, on every core) so
//! that memory grows with the report, not with the project.

use crate::core::consistency::{SurfaceCollector, Tally};
use crate::core::project::{ArticleMeta, Project};
use crate::core::review;
use crate::core::sidecar::Sidecar;
use crate::core::status::Status;
use crate::core::stream::fold_ordered;
use crate::progress::Progress;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::ExitCode;

/// The 1-based line of span `id` in a sidecar written one span per line.
fn span_line(src: &str, id: u64) -> Option<usize> {
    let needle = format!("{{\"id\": {id},");
    src.lines()
        .position(|l| l.trim_start().starts_with(&needle))
        .map(|i| i + 1)
}

/// Problems of one sidecar against its article and the schema, each as
/// `file:line: what`; `None` when the file does not exist.
fn check_sidecar(
    project: &Project,
    doc: &crate::core::document::Document,
    path: &Path,
) -> Option<Vec<String>> {
    let src = std::fs::read_to_string(path).ok()?;
    let shown = path.display().to_string();
    let sidecar = match Sidecar::parse(src.as_bytes(), &shown) {
        Ok(s) => s,
        Err(e) => return Some(vec![e.to_string()]),
    };
    let (doc, ps) = doc.clone().with_sidecar(sidecar);
    let at = |p: &crate::core::document::Problem| {
        let line = p.span_id.and_then(|id| span_line(&src, id)).unwrap_or(1);
        format!("{shown}:{line}: {p}")
    };
    let mut out: Vec<String> = ps.iter().map(at).collect();
    out.extend(doc.schema_problems(&project.schema).iter().map(at));
    Some(out)
}

/// Sidecars in `folder` whose article is gone.
fn orphan_sidecars(stems: &HashSet<&str>, folder: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".json")?.to_string();
            (!stems.contains(stem.as_str())).then(|| {
                format!(
                    "{}: no article articles/{stem}.txt for this sidecar",
                    e.path().display()
                )
            })
        })
        .collect()
}

/// One article checked by `validate`.
struct Checked {
    problems: Vec<String>,
    sidecars: usize,
}

fn check_article(project: &Project, annotators: &[String], a: &ArticleMeta) -> Checked {
    let mut c = Checked {
        problems: Vec::new(),
        sidecars: 0,
    };
    let loaded = match project.load(&a.file_name) {
        Ok(l) => l,
        Err(e) => {
            c.problems.push(e);
            return c;
        }
    };
    let paths = std::iter::once(project.gold_path(&a.stem)).chain(
        annotators
            .iter()
            .map(|n| project.annotator_path(n, &a.stem)),
    );
    for path in paths {
        if let Some(ps) = check_sidecar(project, &loaded.doc, &path) {
            c.sidecars += 1;
            c.problems.extend(ps);
        }
    }
    c
}

/// `nhan validate`: the gold sidecars and every annotator's own
/// (`annotations/<name>/`), against their articles and the schema.
pub fn validate(dir: &Path) -> anyhow::Result<ExitCode> {
    let project = Project::list(dir)?;
    let annotations = dir.join("annotations");
    let annotators: Vec<String> = std::fs::read_dir(&annotations)
        .map(|rd| {
            let mut v: Vec<String> = rd
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    let mut problems = 0usize;
    let mut checked = 0;
    let mut progress = Progress::new("validating", project.articles.len());
    let mut report = |ps: Vec<String>| {
        for p in ps {
            println!("{p}");
            problems += 1;
        }
    };
    fold_ordered(
        &project.articles,
        |a| check_article(&project, &annotators, a),
        |c| {
            checked += c.sidecars;
            report(c.problems);
            progress.tick();
            true
        },
    );
    drop(progress);
    let stems: HashSet<&str> = project.articles.iter().map(|a| a.stem.as_str()).collect();
    report(orphan_sidecars(&stems, &annotations));
    for n in &annotators {
        report(orphan_sidecars(&stems, &annotations.join(n)));
    }
    let n = project.articles.len();
    if problems == 0 {
        println!("ok: {n} articles, {checked} sidecars, no problems");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{problems} problems in {n} articles ({checked} sidecars); fix the files named above"
        );
        Ok(ExitCode::from(1))
    }
}

/// Counts over the project: what `stats --json` prints (a stable shape,
/// documented in the README). Field order is the JSON's key order.
#[derive(Debug, Serialize)]
pub struct Stats {
    pub articles: usize,
    pub spans: u64,
    pub by_status: BTreeMap<&'static str, u64>,
    pub by_label: BTreeMap<String, u64>,
    pub by_annotator: BTreeMap<String, u64>,
    pub review: ReviewCounts,
    pub per_article: Vec<ArticleStats>,
    pub consistency: Vec<ConsistencyCase>,
    pub problems: Vec<String>,
    /// Spans with a note, article notes, spans per attribute value (only
    /// when a project has any).
    #[serde(skip_serializing_if = "crate::core::attrs::Tally::is_empty")]
    pub notes: crate::core::attrs::Tally,
}

#[derive(Debug, Default, Serialize)]
pub struct ReviewCounts {
    pub accepted: u64,
    pub fixed: u64,
    pub rejected: u64,
    pub unreviewed: u64,
}

#[derive(Debug, Serialize)]
pub struct ArticleStats {
    pub article: String,
    pub status: &'static str,
    pub spans: usize,
    pub reviewed: u64,
    pub rejected: u64,
    pub by_label: BTreeMap<String, u64>,
}

/// Review mode's consistency cases, for scripts and for the plain report.
#[derive(Debug, Serialize)]
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
    review: ReviewCounts,
    /// Distinct span texts, for the consistency check.
    surfaces: Vec<String>,
    notes: crate::core::attrs::Tally,
}

fn count_article(project: &Project, a: &ArticleMeta) -> ArticleCount {
    let mut c = ArticleCount {
        status: Status::Todo,
        problem: None,
        row: None,
        by_annotator: BTreeMap::new(),
        review: ReviewCounts::default(),
        surfaces: Vec::new(),
        notes: Default::default(),
    };
    let l = match project.load(&a.file_name) {
        Ok(l) => l,
        Err(e) => {
            c.problem = Some(e);
            return c;
        }
    };
    c.problem = l.read_only;
    let doc = l.doc;
    c.status = doc.status;
    let mut labels: BTreeMap<String, u64> = BTreeMap::new();
    let mut reviewed = 0;
    let mut surfaces = std::collections::BTreeSet::new();
    c.notes.add_article(&doc.extra);
    for s in doc.spans.iter() {
        c.notes.add_span(s);
        *labels.entry(s.label.to_string()).or_default() += 1;
        *c.by_annotator
            .entry(s.annotator.map_or_else(|| "(none)".into(), String::from))
            .or_default() += 1;
        match s.review.as_deref() {
            Some(review::ACCEPTED) => {
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
    c.surfaces = surfaces.into_iter().collect();
    let rejected = doc
        .extra
        .get(review::REJECTED_FIELD)
        .and_then(Value::as_array)
        .map_or(0, |v| v.len() as u64);
    c.review.rejected = rejected;
    c.row = Some(ArticleStats {
        article: a.file_name.clone(),
        status: doc.status.as_str(),
        spans: doc.spans.len(),
        reviewed,
        rejected,
        by_label: labels,
    });
    c
}

/// Counts over the project, reading it twice as a stream: once for the
/// counts and the tagged surfaces, once for where those surfaces stand.
pub fn compute_stats(project: &Project) -> Stats {
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
        review: ReviewCounts::default(),
        per_article: Vec::new(),
        consistency: Vec::new(),
        problems: Vec::new(),
        notes: Default::default(),
    };
    let mut surfaces = SurfaceCollector::default();
    let mut progress = Progress::new("counting", project.articles.len());
    fold_ordered(
        &project.articles,
        |a| count_article(project, a),
        |c| {
            progress.tick();
            *st.by_status.entry(c.status.as_str()).or_default() += 1;
            st.problems.extend(c.problem);
            let Some(row) = c.row else {
                return true;
            };
            st.spans += row.spans as u64;
            for (l, n) in &row.by_label {
                *st.by_label.entry(l.clone()).or_default() += n;
            }
            for (a, n) in c.by_annotator {
                *st.by_annotator.entry(a).or_default() += n;
            }
            st.review.accepted += c.review.accepted;
            st.review.fixed += c.review.fixed;
            st.review.rejected += c.review.rejected;
            st.review.unreviewed += c.review.unreviewed;
            st.notes.merge(&c.notes);
            for s in &c.surfaces {
                surfaces.add_surface(s);
            }
            st.per_article.push(row);
            true
        },
    );
    drop(progress);
    let surfaces = surfaces.finish();
    if surfaces.is_empty() {
        return st;
    }
    let mut counts = surfaces.counter();
    let mut progress = Progress::new("consistency", project.articles.len());
    fold_ordered(
        &project.articles,
        |a| {
            project
                .load(&a.file_name)
                .ok()
                .map(|l| surfaces.tally(&l.doc))
        },
        |t| {
            progress.tick();
            if let Some(t) = t {
                surfaces.add(&mut counts, &t);
            }
            true
        },
    );
    st.consistency = surfaces
        .cases(counts)
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

pub fn stats(dir: &Path, as_json: bool) -> anyhow::Result<ExitCode> {
    let project = Project::list(dir)?;
    let v = compute_stats(&project);
    if as_json {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} articles, {} spans", v.articles, v.spans);
    println!("\nby status");
    // The counts were printed from JSON values, which ignore a width: the
    // columns are kept as they were (the goldens hold them).
    for (k, c) in &v.by_status {
        println!("  {k:<12} {c}");
    }
    println!("\nby label");
    for l in &project.schema.labels {
        println!(
            "  {:<12} {:>6}",
            l.name,
            v.by_label.get(&l.name).copied().unwrap_or(0)
        );
    }
    for (k, c) in &v.by_label {
        if project.schema.index_of(k).is_none() {
            println!("  {k:<12} {c}  (not in the schema)");
        }
    }
    println!("\nby annotator");
    for (k, c) in &v.by_annotator {
        println!("  {k:<12} {c}");
    }
    let r = &v.review;
    println!(
        "\nreview: {} accepted, {} fixed, {} rejected, {} unreviewed",
        r.accepted, r.fixed, r.rejected, r.unreviewed
    );
    for l in v.notes.lines() {
        println!("{l}");
    }
    println!("\nby article");
    for a in &v.per_article {
        println!(
            "  {:<12} {} spans {} reviewed  {}",
            a.status, a.spans, a.reviewed, a.article
        );
    }
    let cases = v.consistency.len();
    println!(
        "\nconsistency: {cases} case{}",
        if cases == 1 { "" } else { "s" }
    );
    for c in &v.consistency {
        println!("  {}", c.describe);
    }
    for p in &v.problems {
        eprintln!("problem: {p}");
    }
    Ok(ExitCode::SUCCESS)
}
