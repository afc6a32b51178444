//! `nhan validate` and `nhan stats`: read-only reports over a project, read
//! as a stream (an article and its sidecars at a time, on every core) so
//! that memory grows with the report, not with the project.

use nhan_model::consistency::{Consistency, Counter, Look, Tally};
use nhan_model::document::Document;
use nhan_model::escape;
use nhan_model::interned::Sym;
use nhan_model::record::List;
use nhan_model::review;
use nhan_model::sidecar::Sidecar;
use nhan_model::status::Status;
use nhan_model::text::Text;
use nhan_store::encoding;
use nhan_store::progress::Progress;
use nhan_store::project::{ArticleMeta, Project};
use nhan_store::stream::fold_ordered;
use serde::Serialize;
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

/// The 1-based line of relation `id`: relations are written one per line
/// too, and their `from` after the id tells them from spans.
fn relation_line(src: &str, id: u64) -> Option<usize> {
    let needle = format!("{{\"id\": {id}, \"from\":");
    src.lines()
        .position(|l| l.trim_start().starts_with(&needle))
        .map(|i| i + 1)
}

/// Problems of one sidecar against its article and the schema, each as
/// `file:line: what`; `None` when the file does not exist.
fn check_sidecar(project: &Project, doc: &Document, path: &Path) -> Option<Vec<String>> {
    let shown = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(vec![format!("{shown}: cannot read: {e}")]),
    };
    if let Some(m) = nhan_model::merge::conflict_line(&bytes, &shown) {
        return Some(vec![m]);
    }
    let Ok(src) = std::str::from_utf8(&bytes) else {
        return Some(vec![encoding::diagnose(&bytes).message(&shown)]);
    };
    let sidecar = match Sidecar::parse(src.as_bytes(), &shown) {
        Ok(s) => s,
        Err(e) => return Some(vec![e.to_string()]),
    };
    let (doc, ps) = doc.clone().with_sidecar(sidecar);
    let at = |p: &nhan_model::document::Problem| {
        let line = p
            .span_id
            .and_then(|id| span_line(src, id))
            .or_else(|| p.relation_id.and_then(|id| relation_line(src, id)))
            .unwrap_or(1);
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
    let (doc, notice) = match nhan_store::project::read_article(project, &a.file_name) {
        Ok(l) => l,
        Err(e) => {
            c.problems.push(e);
            return c;
        }
    };
    // What keeps the article out of an export (empty, NUL characters, …):
    // export sends the user here.
    c.problems.extend(notice);
    let paths = std::iter::once(project.gold_path(&a.stem)).chain(
        annotators
            .iter()
            .map(|n| project.annotator_path(n, &a.stem)),
    );
    for path in paths {
        if let Some(ps) = check_sidecar(project, &doc, &path) {
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
            println!("{}", escape::line(&p));
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
    let articles = escape::count(project.articles.len() as u64, "article", "articles");
    let sidecars = escape::count(checked as u64, "sidecar", "sidecars");
    if problems == 0 {
        println!("ok: {articles}, {sidecars}, no problems");
        Ok(ExitCode::SUCCESS)
    } else {
        let problems = escape::count(problems as u64, "problem", "problems");
        eprintln!("{problems} in {articles} ({sidecars}); fix the files named above");
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
    /// Interned labels: a row per article is part of the answer, kept small.
    pub by_label: BTreeMap<Sym, u64>,
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
    by_relation: BTreeMap<String, u64>,
    review: ReviewCounts,
    /// Distinct span texts, for the consistency check.
    surfaces: Vec<String>,
    notes: nhan_model::attrs::Tally,
    /// Where the surfaces known when it was read stand in it.
    look: Option<Look>,
}

fn count_article(project: &Project, consistency: &Consistency, a: &ArticleMeta) -> ArticleCount {
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
    for r in doc.relations() {
        *c.by_relation.entry(r.label.clone()).or_default() += 1;
    }
    c.surfaces = surfaces.into_iter().collect();
    c.look = Some(consistency.look(&doc));
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
    c
}

/// Counts over the project, read as a stream; the consistency check looks
/// at an article a second time only when a surface first tagged after it
/// was read occurs in its text.
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
        by_relation: BTreeMap::new(),
        by_annotator: BTreeMap::new(),
        review: ReviewCounts::default(),
        per_article: Vec::new(),
        consistency: Vec::new(),
        problems: Vec::new(),
        notes: Default::default(),
    };
    let consistency = Consistency::default();
    let mut counter = Counter::default();
    let mut progress = Progress::new("counting", project.articles.len());
    fold_ordered(
        &project.articles,
        |a| count_article(project, &consistency, a),
        |c| {
            progress.tick();
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
    if let Some(second) = counter.second_look() {
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

/// Pretty JSON and a newline on stdout, written as it is serialised (the
/// report of a large project is tens of megabytes: no copy of it in memory).
pub(crate) fn print_json(v: &impl Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, v)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

pub fn stats(dir: &Path, as_json: bool) -> anyhow::Result<ExitCode> {
    let project = Project::list(dir)?;
    let v = compute_stats(&project);
    if as_json {
        print_json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    let e = |s: &str| escape::line(s).into_owned();
    println!(
        "{}, {}",
        escape::count(v.articles as u64, "article", "articles"),
        escape::count(v.spans, "span", "spans")
    );
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
            e(&l.name),
            v.by_label.get(&l.name).copied().unwrap_or(0)
        );
    }
    for (k, c) in &v.by_label {
        if project.schema.index_of(k).is_none() {
            println!("  {:<12} {c}  (not in the schema)", e(k));
        }
    }
    if !project.schema.relations.is_empty() || !v.by_relation.is_empty() {
        println!("\nby relation");
        for t in &project.schema.relations {
            let n = v.by_relation.get(&t.name).copied().unwrap_or(0);
            println!("  {:<12} {n:>6}", e(&t.name));
        }
        for (k, c) in &v.by_relation {
            if project.schema.relation(k).is_none() {
                println!("  {:<12} {c}  (not in the schema)", e(k));
            }
        }
    }
    println!("\nby annotator");
    for (k, c) in &v.by_annotator {
        println!("  {:<12} {c}", e(k));
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
            "  {:<12} {} {} reviewed  {}",
            a.status,
            escape::count(a.spans as u64, "span", "spans"),
            a.reviewed,
            e(&a.article)
        );
    }
    let cases = v.consistency.len();
    println!(
        "\nconsistency: {cases} case{}",
        if cases == 1 { "" } else { "s" }
    );
    for c in &v.consistency {
        println!("  {}", e(&c.describe));
    }
    for p in &v.problems {
        eprintln!("problem: {}", e(p));
    }
    Ok(ExitCode::SUCCESS)
}
