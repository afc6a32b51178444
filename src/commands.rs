//! `nhan validate` and `nhan stats` (its figures: `nhan_figures::counts`):
//! read-only reports over a project, read as a stream (an article and its
//! sidecars at a time, on every core) so that memory grows with the report,
//! not with the project.

use nhan_model::document::Document;
use nhan_model::escape;
use nhan_model::sidecar::Sidecar;
use nhan_store::encoding;
use nhan_store::progress::Progress;
use nhan_store::project::{ArticleMeta, Project};
use nhan_store::stream::fold_ordered;
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;

/// The 1-based line of span `id` in a sidecar written one span per line.
fn span_line(src: &str, id: nhan_model::ids::SpanId) -> Option<usize> {
    let needle = format!("{{\"id\": {id},");
    src.lines()
        .position(|l| l.trim_start().starts_with(&needle))
        .map(|i| i + 1)
}

/// The 1-based line of relation `id`: relations are written one per line
/// too, and their `from` after the id tells them from spans.
fn relation_line(src: &str, id: nhan_model::ids::RelationId) -> Option<usize> {
    let needle = format!("{{\"id\": {id}, \"from\":");
    src.lines()
        .position(|l| l.trim_start().starts_with(&needle))
        .map(|i| i + 1)
}

/// Problems of one sidecar against its article and the schema, each as
/// `file:line: what`; `None` when the file does not exist.
fn check_sidecar(project: &Project, doc: &Document, path: &Path) -> Option<Vec<String>> {
    let shown = path.display().to_string();
    let bytes = match nhan_store::sidecar_file::read_bytes(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        // The error names the file.
        Err(e) => return Some(vec![e.to_string()]),
    };
    if let Some(m) = nhan_model::sidecar::conflict_line(&bytes, &shown) {
        return Some(vec![m]);
    }
    let Ok(src) = std::str::from_utf8(&bytes) else {
        return Some(vec![encoding::diagnose(&bytes).message(&shown)]);
    };
    let sidecar = match Sidecar::parse(src.as_bytes(), &shown) {
        Ok(s) => s,
        Err(e) => return Some(vec![e.to_string()]),
    };
    // What a merge left to settle: the file reads, but is not done.
    let unsettled = nhan_model::merge::unsettled(&sidecar.extra).map(|u| {
        let needle = format!("\"{}\":", nhan_model::merge::CONFLICTS);
        let line = src
            .lines()
            .position(|l| l.trim_start().starts_with(&needle));
        format!("{shown}:{}: {u}", line.map_or(1, |i| i + 1))
    });
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
    out.extend(unsettled);
    Some(out)
}

/// Symlinks among the annotators' folders: nhan reads no sidecar through
/// one (a clone's `annotations/lan -> /elsewhere`), so their work counts
/// nowhere until they are real folders.
fn linked_folders(dir: &Path) -> Vec<String> {
    let entries = nhan_store::root::Root::open(dir)
        .and_then(|r| r.dir(Path::new("annotations"), false))
        .and_then(|a| a.entries())
        .unwrap_or_default();
    entries
        .into_iter()
        .filter(|(_, kind)| *kind == nhan_store::root::FileType::Symlink)
        .map(|(name, _)| {
            format!(
                "{}: is a symbolic link; nhan reads no sidecar through one (replace it with a real folder)",
                dir.join("annotations").join(name).display()
            )
        })
        .collect()
}

/// Sidecars in `annotations/` (or an annotator's folder in it) whose
/// article is gone.
fn orphan_sidecars(
    project: &Project,
    stems: &HashSet<&str>,
    annotator: Option<&str>,
) -> Vec<String> {
    let folder = match annotator {
        Some(a) => project.root.join("annotations").join(a),
        None => project.root.join("annotations"),
    };
    nhan_store::project::sidecar_names(&project.root, annotator)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|name| {
            let stem = name.strip_suffix(".json")?;
            (!stems.contains(stem)).then(|| {
                format!(
                    "{}: no article articles/{stem}.txt for this sidecar",
                    folder.join(&name).display()
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
            c.problems.push(e.to_string());
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
    let annotators = nhan_store::project::annotator_folders(dir).unwrap_or_default();
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
    report(linked_folders(dir));
    report(orphan_sidecars(&project, &stems, None));
    for n in &annotators {
        report(orphan_sidecars(&project, &stems, Some(n)));
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
    let v = nhan_figures::counts::compute_stats(&project);
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
    // As wide as the longest label (SYMPTOM_AND_DISEASE), at least 12.
    let lw = (project.schema.labels.iter().map(|l| &l.name))
        .chain(v.by_label.keys())
        .map(|l| e(l).chars().count() + 1)
        .max()
        .unwrap_or(0)
        .max(12);
    for l in &project.schema.labels {
        println!(
            "  {:<lw$} {:>6}",
            e(&l.name),
            v.by_label.get(&l.name).copied().unwrap_or(0)
        );
    }
    for (k, c) in &v.by_label {
        if project.schema.index_of(k).is_none() {
            println!("  {:<lw$} {c}  (not in the schema)", e(k));
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
