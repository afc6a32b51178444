//! `nhan validate` and `nhan stats`: read-only reports over a project.

use crate::core::project::Project;
use crate::core::review;
use crate::core::sidecar::Sidecar;
use crate::core::status::Status;
use serde_json::{Value, json};
use std::collections::BTreeMap;
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
fn orphan_sidecars(project: &Project, folder: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".json")?.to_string();
            (!project.articles.iter().any(|a| a.stem == stem)).then(|| {
                format!(
                    "{}: no article articles/{stem}.txt for this sidecar",
                    e.path().display()
                )
            })
        })
        .collect()
}

/// `nhan validate`: the gold sidecars and every annotator's own
/// (`annotations/<name>/`), against their articles and the schema.
pub fn validate(dir: &Path) -> anyhow::Result<ExitCode> {
    let project = Project::open(dir)?;
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
    let mut problems = Vec::new();
    let mut checked = 0;
    for a in &project.articles {
        let loaded = match project.load(&a.file_name) {
            Ok(l) => l,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let paths = std::iter::once(project.gold_path(&a.stem)).chain(
            annotators
                .iter()
                .map(|n| project.annotator_path(n, &a.stem)),
        );
        for path in paths {
            if let Some(ps) = check_sidecar(&project, &loaded.doc, &path) {
                checked += 1;
                problems.extend(ps);
            }
        }
    }
    problems.extend(orphan_sidecars(&project, &annotations));
    for n in &annotators {
        problems.extend(orphan_sidecars(&project, &annotations.join(n)));
    }
    for p in &problems {
        println!("{p}");
    }
    let n = project.articles.len();
    if problems.is_empty() {
        println!("ok: {n} articles, {checked} sidecars, no problems");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{} problems in {n} articles ({checked} sidecars); fix the files named above",
            problems.len()
        );
        Ok(ExitCode::from(1))
    }
}

/// Counts over the project, as the stable JSON that `stats --json` prints.
pub fn stats_json(project: &Project) -> Value {
    let mut by_label: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_annotator: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_status: BTreeMap<&str, u64> = [
        Status::Todo,
        Status::InProgress,
        Status::Done,
        Status::Reviewed,
    ]
    .into_iter()
    .map(|s| (s.as_str(), 0))
    .collect();
    let (mut accepted, mut fixed, mut rejected, mut unreviewed, mut total) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut per_article = Vec::new();
    let mut problems = Vec::new();
    let mut docs = Vec::new();
    for (index, a) in project.articles.iter().enumerate() {
        *by_status.entry(a.status.as_str()).or_default() += 1;
        let doc = match project.load(&a.file_name) {
            Ok(l) => {
                if let Some(p) = l.read_only {
                    problems.push(p);
                }
                l.doc
            }
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let mut labels: BTreeMap<String, u64> = BTreeMap::new();
        let mut reviewed = 0;
        for s in doc.spans.iter() {
            total += 1;
            *labels.entry(s.label.to_string()).or_default() += 1;
            *by_label.entry(s.label.to_string()).or_default() += 1;
            *by_annotator
                .entry(s.annotator.map_or_else(|| "(none)".into(), String::from))
                .or_default() += 1;
            match s.review.as_deref() {
                Some(review::ACCEPTED) => {
                    accepted += 1;
                    reviewed += 1;
                }
                Some(_) => {
                    fixed += 1;
                    reviewed += 1;
                }
                None => unreviewed += 1,
            }
        }
        let rejected_here = doc
            .extra
            .get(review::REJECTED_FIELD)
            .and_then(Value::as_array)
            .map_or(0, |v| v.len() as u64);
        rejected += rejected_here;
        docs.push((index, doc.clone()));
        per_article.push(json!({
            "article": a.file_name,
            "status": doc.status.as_str(),
            "spans": doc.spans.len(),
            "reviewed": reviewed,
            "rejected": rejected_here,
            "by_label": labels,
        }));
    }
    json!({
        "articles": project.articles.len(),
        "spans": total,
        "by_status": by_status,
        "by_label": by_label,
        "by_annotator": by_annotator,
        "review": {"accepted": accepted, "fixed": fixed, "rejected": rejected, "unreviewed": unreviewed},
        "per_article": per_article,
        "consistency": consistency_json(&docs),
        "problems": problems,
    })
}

/// Review mode's consistency cases, for scripts and for the plain report.
fn consistency_json(docs: &[(usize, crate::core::document::Document)]) -> Value {
    let refs: Vec<(usize, &crate::core::document::Document)> =
        docs.iter().map(|(i, d)| (*i, d)).collect();
    let cases = review::consistency(&refs);
    Value::Array(
        cases
            .iter()
            .map(|c| {
                let mut labels: Vec<&str> =
                    c.places.iter().filter_map(|p| p.label.as_deref()).collect();
                labels.sort_unstable();
                labels.dedup();
                json!({
                    "text": c.surface,
                    "labels": labels,
                    "untagged": c.places.iter().filter(|p| p.label.is_none()).count(),
                    "describe": c.describe(),
                })
            })
            .collect(),
    )
}

pub fn stats(dir: &Path, as_json: bool) -> anyhow::Result<ExitCode> {
    let project = Project::open(dir)?;
    let v = stats_json(&project);
    if as_json {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let n = |p: &str| v.pointer(p).and_then(Value::as_u64).unwrap_or(0);
    println!("{} articles, {} spans", n("/articles"), n("/spans"));
    println!("\nby status");
    for (k, c) in v["by_status"].as_object().into_iter().flatten() {
        println!("  {k:<12} {c:>6}");
    }
    println!("\nby label");
    for l in &project.schema.labels {
        println!(
            "  {:<12} {:>6}",
            l.name,
            v["by_label"]
                .get(&l.name)
                .and_then(Value::as_u64)
                .unwrap_or(0)
        );
    }
    for (k, c) in v["by_label"].as_object().into_iter().flatten() {
        if project.schema.index_of(k).is_none() {
            println!("  {k:<12} {c:>6}  (not in the schema)");
        }
    }
    println!("\nby annotator");
    for (k, c) in v["by_annotator"].as_object().into_iter().flatten() {
        println!("  {k:<12} {c:>6}");
    }
    println!(
        "\nreview: {} accepted, {} fixed, {} rejected, {} unreviewed",
        n("/review/accepted"),
        n("/review/fixed"),
        n("/review/rejected"),
        n("/review/unreviewed")
    );
    println!("\nby article");
    for a in v["per_article"].as_array().into_iter().flatten() {
        println!(
            "  {:<12} {:>5} spans {:>5} reviewed  {}",
            a["status"].as_str().unwrap_or(""),
            a["spans"],
            a["reviewed"],
            a["article"].as_str().unwrap_or("")
        );
    }
    let cases = v["consistency"].as_array().map_or(0, Vec::len);
    println!(
        "\nconsistency: {cases} case{}",
        if cases == 1 { "" } else { "s" }
    );
    for c in v["consistency"].as_array().into_iter().flatten() {
        println!("  {}", c["describe"].as_str().unwrap_or(""));
    }
    for p in v["problems"].as_array().into_iter().flatten() {
        eprintln!("problem: {}", p.as_str().unwrap_or(""));
    }
    Ok(ExitCode::SUCCESS)
}
