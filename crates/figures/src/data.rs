//! Reading the annotators' work: `annotations/<annotator>/<stem>.json`.

use super::relations::ARelation;
use crate::error::FiguresError;
use nhan_model::document::Document;
use nhan_model::escape::count;
use nhan_model::reanchor;
use nhan_model::relation;
use nhan_model::schema::Overlap;
use nhan_model::sidecar::Sidecar;
use nhan_store::project::{ArticleMeta, Project};
use std::ops::Range;
use std::path::Path;

/// One annotator's span, reduced to what agreement needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ASpan {
    pub start: usize,
    pub end: usize,
    pub label: String,
    /// Its attribute values, `(name, value as text)`.
    pub attrs: Vec<(String, String)>,
}

/// One article and what each annotator made of it.
#[derive(Debug, Clone)]
pub struct Article {
    pub file_name: String,
    pub tokens: Vec<Range<usize>>,
    /// Indexed like `Work::annotators`; `None`: that annotator has no sidecar
    /// for this article. Spans are sorted by `(start, end, label)`.
    pub spans: Vec<Option<Vec<ASpan>>>,
    /// Each annotator's relations, indexed like `spans`.
    pub relations: Vec<Option<Vec<ARelation>>>,
}

/// Subfolders of `annotations/` that hold at least one `.json` file
/// (through the store's root handle: a symlinked folder is no annotator's).
pub fn discover(root: &Path) -> Result<Vec<String>, FiguresError> {
    // The error names the folder.
    Ok(nhan_store::project::annotator_folders(root)?)
}

/// Whether each annotator has a sidecar for at least one article that can
/// be read (only those take part). Stops at the first such article.
pub fn has_work(project: &Project, annotators: &[String]) -> Vec<bool> {
    annotators
        .iter()
        .map(|a| {
            project.articles.iter().any(|meta| {
                project.annotator_path(a, &meta.stem).exists()
                    && nhan_store::project::read_article(project, &meta.file_name).is_ok()
            })
        })
        .collect()
}

/// One article and each annotator's sidecar for it, with what the user
/// should know about them. `None`: the article cannot be read (a warning
/// says so). A sidecar that cannot be parsed, or whose spans do not fit the
/// article, is an error naming the file: figures computed without it would
/// mislead.
pub fn read(
    project: &Project,
    meta: &ArticleMeta,
    annotators: &[String],
) -> Result<(Option<Article>, Vec<String>), FiguresError> {
    let mut warnings = Vec::new();
    // The article alone (its gold sidecar plays no part here), read as
    // `Project::load` reads it, with the same messages.
    let doc = match nhan_store::project::read_article(project, &meta.file_name) {
        Ok((doc, _)) => doc,
        Err(e) => {
            warnings.push(format!("{e}; article left out"));
            return Ok((None, warnings));
        }
    };
    let ann_dir = project.root.join("annotations");
    let mut spans = Vec::with_capacity(annotators.len());
    let mut relations = Vec::with_capacity(annotators.len());
    for a in annotators {
        let path = ann_dir.join(a).join(format!("{}.json", meta.stem));
        let bytes = match nhan_store::sidecar_file::read_bytes(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                spans.push(None);
                relations.push(None);
                continue;
            }
            // The error names the file already.
            Err(e) => return Err(e.into()),
        };
        let shown = path.display().to_string();
        if let Some(m) = nhan_model::sidecar::conflict_line(&bytes, &shown) {
            return Err(FiguresError::MergeConflict(m));
        }
        let sc = Sidecar::parse(&bytes, &shown)?;
        let (s, r) = check(project, &doc, sc, &shown, &mut warnings)?;
        spans.push(Some(s));
        relations.push(Some(r));
    }
    let article = Article {
        file_name: meta.file_name.clone(),
        tokens: if spans.iter().any(Option::is_some) {
            doc.tokens().iter().collect()
        } else {
            Vec::new()
        },
        spans,
        relations,
    };
    Ok((Some(article), warnings))
}

/// Sidecars in annotator folders that match no article.
pub fn stray(project: &Project, annotators: &[String]) -> Vec<String> {
    let stems: std::collections::HashSet<&str> =
        project.articles.iter().map(|a| a.stem.as_str()).collect();
    let mut warnings = Vec::new();
    for a in annotators {
        let stray: Vec<String> = nhan_store::project::sidecar_names(&project.root, Some(a))
            .unwrap_or_default()
            .into_iter()
            .filter(|n| !stems.contains(n.trim_end_matches(".json")))
            .collect();
        for n in stray {
            warnings.push(format!(
                "annotations/{a}/{n}: no article articles/{}.txt; ignored",
                n.trim_end_matches(".json")
            ));
        }
    }
    warnings
}

/// Checks an annotator's sidecar against the article; re-anchors in memory
/// when the article changed since (as opening it in nhan would). Returns
/// its spans and its relations.
fn check(
    project: &Project,
    doc: &Document,
    mut sc: Sidecar,
    shown: &str,
    warnings: &mut Vec<String>,
) -> Result<(Vec<ASpan>, Vec<ARelation>), FiguresError> {
    if sc.text_sha256 != doc.text_sha256() {
        let opts = reanchor::Options {
            allow_crossing: project.schema.overlap == Overlap::Any,
        };
        let r = reanchor::reanchor_with(&sc.spans, doc.text(), opts);
        let mut w = format!(
            "{shown}: the article changed since it was annotated; {} placed again in memory",
            count(r.moved as u64, "span", "spans")
        );
        match r.orphans.len() {
            0 => {}
            1 => w.push_str(", 1 could not be placed and is left out"),
            n => w.push_str(&format!(", {n} could not be placed and are left out")),
        }
        let lost = left_out_relations(&mut sc.extra, &r.placed);
        if lost > 0 {
            w.push_str(&format!(
                ", with {} to them",
                count(lost as u64, "relation", "relations")
            ));
        }
        warnings.push(w);
        sc.spans = r.placed;
        sc.text_sha256 = doc.text_sha256().to_string();
    }
    let probe = Document::new(
        doc.file_name().to_string(),
        doc.text().clone(),
        doc.text_sha256(),
    );
    let (probe, problems) = probe.with_sidecar(sc.clone());
    if let Some(p) = problems.first() {
        return Err(FiguresError::DoesNotFit {
            path: shown.to_string(),
            problem: p.clone(),
        });
    }
    let extent: std::collections::HashMap<nhan_model::ids::SpanId, (usize, usize)> =
        sc.spans.iter().map(|s| (s.id, (s.start, s.end))).collect();
    let mut rels: Vec<ARelation> = probe
        .relations()
        .iter()
        .map(|r| {
            let symmetric = project
                .schema
                .relation(&r.label)
                .is_some_and(|t| t.symmetric);
            ARelation::new(extent[&r.from], extent[&r.to], &r.label, symmetric)
        })
        .collect();
    rels.sort();
    let mut out: Vec<ASpan> = sc
        .spans
        .into_iter()
        .map(|s| ASpan {
            start: s.start,
            end: s.end,
            label: s.label.to_string(),
            attrs: nhan_model::attrs::attrs(&s)
                .map(|(k, v)| (k.to_string(), nhan_model::attrs::shown(v)))
                .collect(),
        })
        .collect();
    out.sort();
    Ok((out, rels))
}

/// Drops the relations with an end among the spans re-anchoring could not
/// place (they are left out with them); returns how many.
fn left_out_relations(
    extra: &mut serde_json::Map<String, serde_json::Value>,
    placed: &[nhan_model::span::Span],
) -> usize {
    let Some(Ok(mut rels)) = extra.get(relation::KEY).map(relation::parse) else {
        return 0;
    };
    let ids: std::collections::HashSet<nhan_model::ids::SpanId> =
        placed.iter().map(|s| s.id).collect();
    let before = rels.len();
    rels.retain(|r| ids.contains(&r.from) && ids.contains(&r.to));
    extra.insert(relation::KEY.into(), relation::to_value(&rels));
    before - rels.len()
}
