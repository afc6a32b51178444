//! Gathering an export: every article read once, on a few threads, checked,
//! filtered by status and label, rendered by its format, and handed to the
//! files in project order; what the report and manifest need is kept, the
//! article itself let go.

use super::report::{Built, DocSummary, Losses, PartSummary, loss_line};
use super::write::{Files, Stager};
use super::{Article, Context, ExportArgs, Format, Loss, Place, Rendered, flat, split, user};
use nhan_model::span::Span;
use nhan_model::status::Status;
use nhan_store::project::{ArticleMeta, Project};
use nhan_store::stream::for_each_ordered;
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
    /// `lost` and `unshown` as the JSON lines of their files, rendered on
    /// the worker and written at once (a write call per span was 270,000
    /// calls for a 10,000-article CoNLL export).
    lines: [Vec<u8>; 2],
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

/// Where the spans a format cannot hold are listed, one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LossList {
    /// In [`LOST_FILE`] beside the data.
    File,
    /// Nowhere but the report (standard output gets the data alone).
    ReportOnly,
}

/// Reads every article and writes its output into `files` as soon as it
/// and every article before it are done (with `--split`, into its part,
/// planned from the sidecars' status before the first is read). One pass:
/// a label nhan.toml lacks stops its article, so every label is known
/// before the first is written.
pub(crate) fn gather(
    project_dir: &Path,
    args: &ExportArgs,
    fmt: &dyn Format,
    files: &mut dyn Files,
    losses_to: LossList,
) -> anyhow::Result<Built> {
    let project = Project::list(project_dir).map_err(|e| user(e.to_string()))?;
    let schema_labels: Vec<String> = project
        .schema
        .labels
        .iter()
        .map(|l| l.name.clone())
        .collect();
    let all_labels: Vec<String> = schema_labels
        .iter()
        .filter(|l| keep_label(args, l))
        .cloned()
        .collect();
    let mut cx = Context::new(
        all_labels.clone(),
        args.scheme,
        project.schema.overlap,
        args.split.is_some(),
    );
    // Formats write relation fields in a project that declares relation types.
    cx.schema = project.schema.clone();
    let buffers = Buffers::default();

    let split = args.split.is_some();
    let names: &[&str] = match &args.split {
        None => &["data"],
        Some(r) => &split::PART_NAMES[..r.0.len()],
    };
    let places: Vec<Place> = names.iter().map(|&name| Place { name, split }).collect();
    // The part of each article (by its number), known before any is
    // written, so that every part streams to its own files.
    let part_of: Vec<Option<usize>> = match &args.split {
        None => vec![Some(0); project.articles.len()],
        Some(r) => planned_split(&project, args, r),
    };
    let reader = Reader {
        project: &project,
        args,
        fmt,
        cx: &cx,
        buffers: &buffers,
        losses_to,
        stager: files.stager(),
        places: &places,
        part_of: &part_of,
    };
    let read_one = |&(number, a): &(usize, &ArticleMeta)| reader.read(number, a);

    let mut broken: Vec<String> = Vec::new();
    let mut left_out: BTreeMap<Status, Vec<String>> = BTreeMap::new();
    let mut parts: Vec<PartSummary> = names
        .iter()
        .map(|n| PartSummary {
            name: n.to_string(),
            docs: Vec::new(),
        })
        .collect();
    let mut label_filtered = 0;
    let mut lost = Losses::default();
    let mut unshown = Losses::default();
    let mut written = vec![0usize; names.len()];
    for place in &places {
        fmt.start_part(place, files);
    }
    let part_files: Vec<Option<String>> = places.iter().map(|p| fmt.part_file(p)).collect();
    let numbered: Vec<(usize, &ArticleMeta)> = project
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| (i + 1, a))
        .collect();
    let mut next = numbered.iter();
    for_each_ordered(&numbered, read_one, |r| {
        let &(number, meta) = next.next().expect("one result per article");
        let file_name = &meta.file_name;
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
        let Some(part) = part_of[number - 1] else {
            // Its status changed between the split's plan and now.
            broken.push(format!(
                "  {}: its sidecar changed while the export ran; export again",
                project.article_path(file_name).display()
            ));
            return;
        };
        label_filtered += r.label_filtered;
        let [lost_lines, unshown_lines] = r.lines;
        for (losses, found, lines, file) in [
            (&mut lost, r.lost, lost_lines, LOST_FILE),
            (&mut unshown, r.unshown, unshown_lines, NOT_SHOWN_FILE),
        ] {
            if !lines.is_empty() {
                if losses.file.is_none() {
                    files.declare(file);
                    losses.file = Some(file.to_string());
                }
                files.write(file, &lines);
            }
            for l in found {
                losses.add(l);
            }
        }
        // Once an article is broken nothing will be kept: stop writing.
        if broken.is_empty() {
            emit(
                &places[part],
                part_files[part].as_deref(),
                written[part] == 0,
                out,
                files,
                &buffers,
                fmt.frame().between,
            );
            written[part] += 1;
        }
        parts[part].docs.push(summary);
    });
    for place in &places {
        fmt.end_part(place, files);
    }

    if !broken.is_empty() {
        return Err(user(format!(
            "{} cannot be exported as {}; fix {} or move {} out of articles/ (`nhan validate` lists every problem):\n{}",
            nhan_model::escape::count(broken.len() as u64, "article", "articles"),
            if broken.len() == 1 {
                "it is"
            } else {
                "they are"
            },
            if broken.len() == 1 { "it" } else { "them" },
            if broken.len() == 1 { "it" } else { "them" },
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

    let mut final_cx = Context::new(
        all_labels.clone(),
        args.scheme,
        project.schema.overlap,
        split,
    );
    final_cx.schema = project.schema.clone();
    fmt.finish(&final_cx, &parts, files);
    let no_gold = project
        .articles
        .iter()
        .filter(|a| {
            !project.gold_path(&a.stem).exists() && !project.annotators_of(&a.stem).is_empty()
        })
        .map(|a| a.file_name.clone())
        .collect();
    Ok(Built {
        labels: all_labels,
        split,
        parts,
        files: by_part(files.paths(), names),
        lost,
        unshown,
        left_out,
        label_filtered,
        no_gold,
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
    for (name, staged) in out.staged {
        files.adopt(&place.path(&name), staged);
    }
    buffers.give(out.part);
}

/// The part of each article, by its place in the project's list: the
/// admitted articles (by the status their sidecar records) split as
/// [`split::assign`] does. `None` for an article left out. Reads only the
/// sidecars' status, on a few threads.
fn planned_split(
    project: &Project,
    args: &ExportArgs,
    ratios: &split::Ratios,
) -> Vec<Option<usize>> {
    #[derive(serde::Deserialize)]
    struct StatusOnly {
        #[serde(default)]
        status: Status,
    }
    let status = |a: &ArticleMeta| -> Option<Status> {
        match nhan_store::sidecar_file::open(&project.sidecar_path(&a.stem)) {
            Ok(f) => serde_json::from_reader::<_, StatusOnly>(std::io::BufReader::new(f))
                .ok()
                .map(|s| s.status),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(Status::Todo),
            // Unreadable: the article's own read reports it.
            Err(_) => None,
        }
    };
    let mut admitted = Vec::with_capacity(project.articles.len());
    for_each_ordered(&project.articles, status, |s| {
        admitted.push(s.is_some_and(|s| args.status.admits(s)));
    });
    let keys: Vec<&str> = project
        .articles
        .iter()
        .zip(&admitted)
        .filter(|(_, ok)| **ok)
        .map(|(a, _)| a.file_name.as_str())
        .collect();
    let mut parts = split::assign(&keys, ratios, args.seed).into_iter();
    admitted
        .iter()
        .map(|&ok| if ok { parts.next() } else { None })
        .collect()
}

/// The files in the manifest's order: each part's folder together, in the
/// parts' order, then the files at the top (each group in the order written).
fn by_part(mut paths: Vec<String>, names: &[&str]) -> Vec<String> {
    paths.sort_by_key(|p| {
        p.split_once('/')
            .and_then(|(dir, _)| names.iter().position(|n| *n == dir))
            .unwrap_or(names.len())
    });
    paths
}

/// What a pass needs to read and render one article (on a worker thread).
struct Reader<'a> {
    project: &'a Project,
    args: &'a ExportArgs,
    fmt: &'a dyn Format,
    cx: &'a Context,
    buffers: &'a Buffers,
    losses_to: LossList,
    /// Writes an article's own files on its worker, if the export can.
    stager: Option<Stager>,
    /// Each part's place, and the part of each article by its number.
    places: &'a [Place<'a>],
    part_of: &'a [Option<usize>],
}

impl Reader<'_> {
    /// Reads article `number` (from 1) and, if it is admitted and sound,
    /// renders it.
    fn read(&self, number: usize, a: &ArticleMeta) -> Read {
        let Reader {
            project,
            args,
            fmt,
            cx,
            buffers,
            losses_to,
            ref stager,
            places,
            part_of,
        } = *self;
        let mut r = Read {
            problem: None,
            status: Status::Todo,
            doc: None,
            label_filtered: 0,
            lost: Vec::new(),
            unshown: Vec::new(),
            lines: Default::default(),
        };
        let loaded = match project.load(&a.file_name) {
            Ok(l) => l,
            Err(e) => {
                r.problem = Some(e.to_string());
                return r;
            }
        };
        r.status = loaded.doc.status();
        r.problem = loaded.read_only.or(loaded.notice);
        if r.problem.is_some() || !args.status.admits(r.status) {
            return r;
        }
        let doc = loaded.doc;
        let mut spans: Vec<&Span> = Vec::new();
        for s in doc.spans().iter() {
            if keep_label(args, &s.label) {
                spans.push(s);
            } else {
                r.label_filtered += 1;
            }
        }
        // What `validate` rejects is not written either.
        if let Some(p) = schema_problem(project, &a.stem, &spans) {
            r.problem = Some(p);
            return r;
        }
        // Token byte ranges are computed once, segmenting the text on the
        // same pass, for sentences and the writer.
        let tb = if fmt.flat() || fmt.shows_flat_only() {
            flat::token_bytes(&doc)
        } else {
            Vec::new()
        };
        if fmt.shows_flat_only() {
            r.unshown = flat::flatten(&doc, &spans).1;
        }
        let (flat, sentences) = if fmt.flat() {
            let (kept, l) = flat::flatten(&doc, &spans);
            r.lost = l;
            let sents = flat::sentences_of(&doc, &kept, &tb);
            (kept, sents)
        } else {
            (Vec::new(), Vec::new())
        };
        let a = Article {
            doc: &doc,
            spans: &spans,
            flat: &flat,
            sentences: &sentences,
            token_bytes: &tb,
            number,
        };
        let mut summary = DocSummary::of(&a, fmt.flat(), fmt.holds_relations());
        let mut out = Rendered {
            part: buffers.take(),
            ..Rendered::default()
        };
        fmt.render(&a, cx, &mut out);
        if let Some(st) = stager
            && let Some(part) = part_of[number - 1]
        {
            let place = &places[part];
            out.staged = out
                .own
                .drain(..)
                .map(|(name, bytes)| {
                    let staged = st.stage(&place.path(&name), &bytes);
                    (name, staged)
                })
                .collect();
        }
        summary.fields_lost = std::mem::take(&mut out.fields_lost);
        if fmt.flat() {
            summary
                .fields_lost
                .extend(super::notes::flat_lost(&doc, &spans));
        }
        r.doc = Some((summary, out));
        if losses_to == LossList::File {
            for (lines, found) in r.lines.iter_mut().zip([&r.lost, &r.unshown]) {
                for l in found {
                    loss_line(l, lines);
                }
            }
        }
        r
    }
}

/// The first span of `spans` that the schema does not allow, as `nhan
/// validate` reports it (a label nhan.toml does not declare, a note or an
/// attribute it does not take), naming the sidecar, the span and what to do.
fn schema_problem(project: &Project, stem: &str, spans: &[&Span]) -> Option<String> {
    spans.iter().find_map(|s| {
        let (p, fix) = if project.schema.index_of(&s.label).is_none() {
            (
                format!("label {} is not in nhan.toml", s.label),
                "declare it there as a [[labels]] table, or give the span a label of the project in nhan",
            )
        } else {
            let p = nhan_model::attrs::problems(project.schema.attributes(&s.label), s)
                .into_iter()
                .next()?;
            (
                p.to_string(),
                "set an allowed value with @ in nhan, or declare it in nhan.toml",
            )
        };
        let said = format!(
            "{}: span {} ({} “{}”): {p}; {fix}",
            project.sidecar_path(stem).display(),
            s.id,
            s.label,
            s.text,
        );
        // Values come from the sidecar: nothing in them reaches the
        // terminal as a control sequence.
        Some(nhan_model::escape::line(&said).into_owned())
    })
}

fn keep_label(args: &ExportArgs, l: &str) -> bool {
    args.labels.is_empty() || args.labels.iter().any(|k| k == l)
}
