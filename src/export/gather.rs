//! Gathering an export: every article read once, on a few threads, checked,
//! filtered by status and label, rendered by its format, and handed to the
//! files in project order; what the report and manifest need is kept, the
//! article itself let go.

use super::report::{Built, DocSummary, Losses, PartSummary, loss_line};
use super::write::Files;
use super::{Article, Context, ExportArgs, Format, Loss, Place, Rendered, flat, split, user};
use crate::core::project::{ArticleMeta, Project};
use crate::core::span::Span;
use crate::core::status::Status;
use crate::pool::par_for_each_ordered;
use std::collections::BTreeMap;
use std::path::Path;

/// One article as read on a worker thread.
struct Read {
    /// Why it cannot be exported (what `Project::scan` calls its problem).
    problem: Option<String>,
    status: Status,
    /// The article, if its status admits it and it has no problem.
    doc: Option<(DocSummary, Rendered)>,
    label_filtered: usize,
    lost: Vec<Loss>,
    /// Spans exported that the tool's views cannot show.
    unshown: Vec<Loss>,
}

/// Output buffers handed back by the writer for the next articles: reusing
/// them spares a fresh, page-faulted allocation per article.
#[derive(Default)]
struct Buffers(std::sync::Mutex<Vec<Vec<u8>>>);

impl Buffers {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }

    fn give(&self, mut b: Vec<u8>) {
        b.clear();
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(b);
    }
}

/// Every span a flat format could not hold, a JSON line each.
pub const LOST_FILE: &str = "nhan-lost.jsonl";
/// Every span Prodigy's flat views cannot show, a JSON line each.
pub const NOT_SHOWN_FILE: &str = "nhan-not-shown.jsonl";

/// What one pass over the project gives.
pub(crate) struct Gathered {
    pub built: Built,
    /// The labels the articles were rendered with, when the format's output
    /// depends on every label and the data held others: render again.
    pub stale_labels: bool,
}

/// Reads every article and writes its output into `files` as soon as it
/// and every article before it are done (held until the end only with
/// `--split`, whose parts are known once every article is). `labels` are
/// the labels to render with when an earlier pass found them; otherwise
/// the schema's. With `list_losses`, the spans the format cannot hold are
/// listed in [`LOST_FILE`] (not for standard output).
pub(crate) fn gather(
    project_dir: &Path,
    args: &ExportArgs,
    fmt: &dyn Format,
    labels: Option<&[String]>,
    files: &mut dyn Files,
    list_losses: bool,
) -> anyhow::Result<Gathered> {
    let project = Project::list(project_dir).map_err(|e| user(e.to_string()))?;
    let flat_format = fmt.flat();
    let keep_label = |l: &str| args.labels.is_empty() || args.labels.iter().any(|k| k == l);
    let schema_labels: Vec<String> = project
        .schema
        .labels
        .iter()
        .map(|l| l.name.clone())
        .collect();
    let cx = Context::new(
        labels.map(<[String]>::to_vec).unwrap_or_else(|| {
            schema_labels
                .iter()
                .filter(|l| keep_label(l))
                .cloned()
                .collect()
        }),
        args.scheme,
        project.schema.overlap,
        args.split.is_some(),
    );
    let buffers = Buffers::default();

    let read_one = |&(number, a): &(usize, &ArticleMeta)| {
        let mut r = Read {
            problem: None,
            status: Status::Todo,
            doc: None,
            label_filtered: 0,
            lost: Vec::new(),
            unshown: Vec::new(),
        };
        let loaded = match project.load(&a.file_name) {
            Ok(l) => l,
            Err(e) => {
                r.problem = Some(e);
                return r;
            }
        };
        r.status = loaded.doc.status;
        r.problem = loaded.read_only.or(loaded.notice);
        if r.problem.is_some() || !args.status.admits(r.status) {
            return r;
        }
        let doc = loaded.doc;
        let mut spans: Vec<&Span> = Vec::new();
        for s in doc.spans.iter() {
            if keep_label(&s.label) {
                spans.push(s);
            } else {
                r.label_filtered += 1;
            }
        }
        if fmt.shows_flat_only() {
            r.unshown = flat::flatten(&doc, &spans).1;
        }
        // Token byte ranges are computed once, for sentences and the writer.
        let (flat, sentences, tb) = if flat_format {
            let tb = flat::token_bytes(&doc);
            let (kept, l) = flat::flatten(&doc, &spans);
            r.lost = l;
            let sents = flat::sentences_of(&doc, &kept, &tb);
            (kept, sents, tb)
        } else {
            (Vec::new(), Vec::new(), Vec::new())
        };
        let a = Article {
            doc: &doc,
            spans: &spans,
            flat: &flat,
            sentences: &sentences,
            token_bytes: &tb,
            number,
        };
        let mut summary = DocSummary::of(&a, flat_format);
        let mut out = Rendered {
            part: buffers.take(),
            ..Rendered::default()
        };
        fmt.render(&a, &cx, &mut out);
        summary.fields_lost = std::mem::take(&mut out.fields_lost);
        if flat_format {
            summary
                .fields_lost
                .extend(super::notes::flat_lost(&doc, &spans));
        }
        r.doc = Some((summary, out));
        r
    };

    let split = args.split.is_some();
    let names: &[&str] = match &args.split {
        None => &["data"],
        Some(r) => &split::PART_NAMES[..r.0.len()],
    };
    let place = |name| Place { name, split };
    let mut broken: Vec<String> = Vec::new();
    let mut left_out: BTreeMap<Status, Vec<String>> = BTreeMap::new();
    let mut docs: Vec<(DocSummary, Option<Rendered>)> = Vec::new();
    let mut label_filtered = 0;
    let mut lost = Losses::default();
    let mut unshown = Losses::default();
    let mut written = 0usize;
    let mut file_names = project.articles.iter().map(|a| &a.file_name);
    if !split {
        fmt.start_part(&place(names[0]), files);
    }
    let data_file = fmt.part_file(&place(names[0]));
    // A few articles per thread in flight: enough to keep every core busy
    // while the writer waits on the disk.
    let window = 8;
    let numbered: Vec<(usize, &ArticleMeta)> = project
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| (i + 1, a))
        .collect();
    par_for_each_ordered(&numbered, window, read_one, |r| {
        let file_name = file_names.next().expect("one result per article");
        if let Some(p) = r.problem {
            broken.push(format!("  {p}"));
            return;
        }
        if !args.status.admits(r.status) {
            left_out
                .entry(r.status)
                .or_default()
                .push(file_name.clone());
            return;
        }
        let (summary, out) = r
            .doc
            .expect("an admitted article without a problem is read");
        label_filtered += r.label_filtered;
        for (losses, found, file) in [
            (&mut lost, r.lost, LOST_FILE),
            (&mut unshown, r.unshown, NOT_SHOWN_FILE),
        ] {
            for l in found {
                if list_losses {
                    if losses.file.is_none() {
                        files.declare(file);
                        losses.file = Some(file.to_string());
                    }
                    files.write(file, &loss_line(&l));
                }
                losses.add(l);
            }
        }
        if split {
            docs.push((summary, Some(out)));
            return;
        }
        // Once an article is broken nothing will be kept: stop writing.
        if broken.is_empty() {
            let first = written == 0;
            emit(
                &place(names[0]),
                data_file.as_deref(),
                first,
                out,
                files,
                &buffers,
                fmt.frame().between,
            );
            written += 1;
        }
        docs.push((summary, None));
    });

    if !split {
        fmt.end_part(&place(names[0]), files);
    }
    if !broken.is_empty() {
        return Err(user(format!(
            "{} article(s) cannot be exported as they are; fix them (see `nhan validate`) or move them out of articles/:\n{}",
            broken.len(),
            broken.join("\n")
        )));
    }
    for l in &args.labels {
        if !schema_labels.contains(l) {
            return Err(user(format!(
                "--labels: {l} is not a label of this project (nhan.toml has {})",
                schema_labels.join(", ")
            )));
        }
    }

    let mut unknown: Vec<String> = Vec::new();
    for (d, _) in &docs {
        for l in &d.labels {
            if !schema_labels.contains(l) && !unknown.contains(l) {
                unknown.push(l.clone());
            }
        }
    }
    unknown.sort();
    let mut all_labels: Vec<String> = schema_labels
        .iter()
        .filter(|l| keep_label(l))
        .cloned()
        .collect();
    all_labels.extend(unknown.iter().cloned());
    let stale_labels = fmt.needs_every_label() && all_labels != cx.labels;

    let mut parts: Vec<PartSummary> = names
        .iter()
        .map(|n| PartSummary {
            name: n.to_string(),
            docs: Vec::new(),
        })
        .collect();
    let which = match &args.split {
        None => vec![0; docs.len()],
        Some(r) => {
            let keys: Vec<&str> = docs.iter().map(|(d, _)| d.file_name.as_str()).collect();
            split::assign(&keys, r, args.seed)
        }
    };
    let mut held: Vec<Vec<Rendered>> = names.iter().map(|_| Vec::new()).collect();
    for ((summary, out), p) in docs.into_iter().zip(which) {
        parts[p].docs.push(summary);
        held[p].extend(out);
    }
    if split && !stale_labels {
        for (name, outs) in names.iter().zip(held) {
            let pl = place(name);
            fmt.start_part(&pl, files);
            let file = fmt.part_file(&pl);
            for (k, out) in outs.into_iter().enumerate() {
                emit(
                    &pl,
                    file.as_deref(),
                    k == 0,
                    out,
                    files,
                    &buffers,
                    fmt.frame().between,
                );
            }
            fmt.end_part(&pl, files);
        }
    }
    let mut final_cx = Context::new(
        all_labels.clone(),
        args.scheme,
        project.schema.overlap,
        split,
    );
    final_cx.schema = project.schema.clone();
    if !stale_labels {
        fmt.finish(&final_cx, &parts, files);
    }
    let no_gold = project
        .articles
        .iter()
        .filter(|a| {
            !project.gold_path(&a.stem).exists() && !project.annotators_of(&a.stem).is_empty()
        })
        .map(|a| a.file_name.clone())
        .collect();
    let built = Built {
        labels: all_labels,
        split,
        parts,
        files: files.paths(),
        lost,
        unshown,
        left_out,
        label_filtered,
        unknown_labels: unknown,
        no_gold,
    };
    Ok(Gathered {
        built,
        stale_labels,
    })
}

/// Hands one article's output to the files of its part.
fn emit(
    place: &Place,
    part_file: Option<&str>,
    first: bool,
    out: Rendered,
    files: &mut dyn Files,
    buffers: &Buffers,
    between: &[u8],
) {
    if let Some(f) = part_file {
        if !first {
            files.write(f, between);
        }
        files.write(f, &out.part);
    }
    for (name, bytes) in &out.own {
        files.write(&place.path(name), bytes);
    }
    buffers.give(out.part);
}
