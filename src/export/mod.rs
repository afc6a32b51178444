//! Dataset export and import (`nhan export`, `nhan import`).
//!
//! Every format is one module behind the [`Format`] trait. Export first
//! gathers a [`Dataset`] (which articles, which spans, which part of a
//! split), then, for flat token formats, works out what the format cannot
//! hold (the loss report) before anything is written. Import parses input
//! into [`Incoming`] articles, checks every offset against its text, and
//! only then writes `articles/` and `annotations/` through the core sidecar
//! writer.

pub mod brat;
pub mod conll;
pub mod flat;
pub mod hf;
mod import;
pub mod jsonl;
pub mod split;

use crate::core::document::Document;
use crate::core::project::Project;
use crate::core::schema::Overlap;
use crate::core::sidecar::write_atomic;
use crate::core::span::Span;
use crate::core::status::Status;
use clap::{Args, ValueEnum};
pub use flat::{FlatSpan, Loss, LossReason, Scheme};
pub use import::{InSpan, Incoming};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The name of the file that describes an export folder (what was exported,
/// counts per part and label, the loss report, the files written).
pub const MANIFEST: &str = "nhan-export.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// doccano JSON lines: one article a line, character offsets.
    Jsonl,
    /// CoNLL: one token a line with its tag, blank line between sentences.
    Conll,
    /// brat standoff: <stem>.txt, <stem>.ann and annotation.conf.
    Brat,
    /// Hugging Face datasets: JSON lines of tokens and ner_tags, plus labels.txt.
    Hf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// doccano JSON lines ("label": [[start, end, "LABEL"]] or "entities").
    Jsonl,
    /// CoNLL token-per-line files in IOB1, IOB2 or BIOES (detected).
    Conll,
    /// brat standoff folders or .ann files (the .txt beside each).
    Brat,
}

/// Which articles count as gold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum StatusFilter {
    /// Only articles marked reviewed (the default).
    #[default]
    Reviewed,
    /// Articles marked done or reviewed.
    Done,
    /// Every article, whatever its status (unannotated ones export with no spans).
    Any,
}

impl StatusFilter {
    pub fn admits(self, s: Status) -> bool {
        match self {
            StatusFilter::Reviewed => s == Status::Reviewed,
            StatusFilter::Done => matches!(s, Status::Done | Status::Reviewed),
            StatusFilter::Any => true,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Reviewed => "reviewed",
            StatusFilter::Done => "done",
            StatusFilter::Any => "any",
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,

    /// Where to write: a folder (created if needed; an earlier nhan export
    /// there is replaced), or `-` for standard output when the export is a
    /// single file (jsonl or conll without --split).
    #[arg(long, value_name = "DIR|-")]
    pub out: PathBuf,

    /// Which articles count as gold: reviewed, done (done or reviewed) or any.
    #[arg(long, value_enum, default_value_t = StatusFilter::Reviewed)]
    pub status: StatusFilter,

    /// Split by article into train,dev[,test] with these ratios, e.g. 0.8,0.1,0.1.
    #[arg(long, value_name = "TRAIN,DEV[,TEST]", value_parser = split::parse_ratios)]
    pub split: Option<split::Ratios>,

    /// Seed of the split: the same articles, ratios and seed give the same split.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Keep only these labels (comma-separated), e.g. PER,ORG.
    #[arg(long, value_delimiter = ',', value_name = "LABEL,...")]
    pub labels: Vec<String>,

    /// Tag scheme of the token formats (conll, hf).
    #[arg(long, value_enum, default_value_t = Scheme::Iob2)]
    pub scheme: Scheme,

    /// Fail (exit status 1, nothing written) if the format cannot hold every span.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Input format.
    #[arg(long, value_enum)]
    pub format: ImportFormat,

    /// Files to import (for brat: .ann files or folders holding them).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Overwrite articles and annotations that already exist.
    #[arg(long)]
    pub force: bool,

    /// Status given to imported articles whose input does not say.
    #[arg(long, value_parser = parse_status, default_value = "done")]
    pub status: Status,
}

fn parse_status(s: &str) -> Result<Status, String> {
    serde_json::from_value(Value::from(s))
        .map_err(|_| "one of todo, in_progress, done, reviewed".to_string())
}

/// One file of an export: a path relative to `--out`, and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// One file per part, `<part>.<ext>`, its articles rendered in order (the
/// layout of conll and jsonl).
fn file_per_part(ds: &Dataset, ext: &str, render: impl Fn(&Article, &mut Vec<u8>)) -> Vec<OutFile> {
    ds.parts
        .iter()
        .map(|p| {
            let mut bytes = Vec::new();
            for d in &p.docs {
                let spans: Vec<_> = d.spans.iter().collect();
                render(&Article::of(d, &spans), &mut bytes);
            }
            OutFile {
                path: format!("{}.{ext}", p.name),
                bytes,
            }
        })
        .collect()
}

/// One exported article.
#[derive(Debug, Clone)]
pub struct ExportDoc {
    pub doc: Document,
    /// The spans to export (after `--labels`), in sidecar order.
    pub spans: Vec<Span>,
    /// Flat formats: the spans kept, as token ranges, sorted and disjoint.
    pub flat: Vec<FlatSpan>,
    /// Flat formats: the sentences, as token ranges.
    pub sentences: Vec<Range<usize>>,
}

impl ExportDoc {
    pub fn stem(&self) -> &str {
        self.doc.file_name.trim_end_matches(".txt")
    }
}

/// An article as the renderers read it: an [`ExportDoc`] whose spans stay
/// in the document (no copy of each span's strings per export).
pub(crate) struct Article<'a> {
    pub doc: &'a Document,
    pub spans: &'a [&'a Span],
    pub flat: &'a [FlatSpan],
    pub sentences: &'a [Range<usize>],
}

impl<'a> Article<'a> {
    /// `spans` is `d.spans` by reference.
    pub fn of(d: &'a ExportDoc, spans: &'a [&'a Span]) -> Self {
        Article {
            doc: &d.doc,
            spans,
            flat: &d.flat,
            sentences: &d.sentences,
        }
    }
}

/// One part of the export: `data` without `--split` (not `all`, which Hugging Face
/// `datasets` reserves), else train, dev, test.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub docs: Vec<ExportDoc>,
}

#[derive(Debug, Clone)]
pub struct Dataset {
    /// Entity labels in order: the schema's (or `--labels`), then any others found.
    pub labels: Vec<String>,
    pub overlap: Overlap,
    pub scheme: Scheme,
    /// Whether parts come from `--split` (and get their own folder or file).
    pub split: bool,
    pub parts: Vec<Part>,
}

/// A dataset format. Export turns a [`Dataset`] into files; import (where
/// the format has one) turns a path into articles to add.
pub trait Format {
    fn name(&self) -> &'static str;
    /// True when the format holds only flat spans of whole tokens, so that
    /// the loss report applies to it.
    fn flat(&self) -> bool;
    /// The files of the export, with paths relative to `--out`.
    fn export(&self, ds: &Dataset) -> Vec<OutFile>;
    /// Reads one input path. Errors name the file and line.
    fn import(&self, path: &Path) -> Result<Vec<Incoming>, Vec<String>> {
        Err(vec![format!(
            "{}: nhan cannot import {} files",
            path.display(),
            self.name()
        )])
    }
}

pub fn format_of(f: ExportFormat) -> Box<dyn Format> {
    match f {
        ExportFormat::Jsonl => Box::new(jsonl::Jsonl),
        ExportFormat::Conll => Box::new(conll::Conll),
        ExportFormat::Brat => Box::new(brat::Brat),
        ExportFormat::Hf => Box::new(hf::Hf),
    }
}

fn import_format_of(f: ImportFormat) -> Box<dyn Format> {
    match f {
        ImportFormat::Jsonl => Box::new(jsonl::Jsonl),
        ImportFormat::Conll => Box::new(conll::Conll),
        ImportFormat::Brat => Box::new(brat::Brat),
    }
}

/// A problem the user must fix: printed, then exit status 1.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

fn user(msg: impl Into<String>) -> anyhow::Error {
    UserError(msg.into()).into()
}

/// What an export keeps of one exported article once its output is
/// rendered: the article itself is dropped then.
#[derive(Debug, Clone)]
pub struct DocSummary {
    pub file_name: String,
    /// Spans to export (after `--labels`).
    pub spans: usize,
    /// Flat formats: how many sentences the output holds.
    pub sentences: usize,
    /// Entities the output holds, per label (flat formats: the kept spans).
    pub entities: BTreeMap<String, usize>,
    /// The distinct labels of the spans to export.
    pub labels: Vec<String>,
}

impl DocSummary {
    fn of(d: &Article, flat: bool) -> DocSummary {
        let mut entities: BTreeMap<String, usize> = BTreeMap::new();
        let mut labels: Vec<String> = Vec::new();
        for s in d.spans {
            if !labels.iter().any(|l| *l == *s.label) {
                labels.push(s.label.to_string());
            }
            if !flat {
                *entities.entry(s.label.to_string()).or_default() += 1;
            }
        }
        if flat {
            for f in d.flat {
                *entities.entry(f.label.clone()).or_default() += 1;
            }
        }
        DocSummary {
            file_name: d.doc.file_name.clone(),
            spans: d.spans.len(),
            sentences: d.sentences.len(),
            entities,
            labels,
        }
    }
}

/// One part of the export as the report and the manifest see it.
#[derive(Debug, Clone)]
pub struct PartSummary {
    pub name: String,
    pub docs: Vec<DocSummary>,
}

/// What an export did, for the report and the manifest.
#[derive(Debug, Clone)]
pub struct Built {
    /// Entity labels in order: the schema's (or `--labels`), then any others found.
    pub labels: Vec<String>,
    /// Whether parts come from `--split`.
    pub split: bool,
    pub parts: Vec<PartSummary>,
    /// The files of the export (the manifest aside), relative to `--out`.
    pub files: Vec<String>,
    pub lost: Vec<Loss>,
    /// Articles the status filter left out, by status.
    pub left_out: BTreeMap<Status, Vec<String>>,
    /// Spans left out because their label is not in `--labels`.
    pub label_filtered: usize,
    /// Labels found in the data but not in the schema.
    pub unknown_labels: Vec<String>,
    /// Articles with annotators' own work (`annotations/<name>/`) but no
    /// gold sidecar yet: export reads the gold only.
    pub no_gold: Vec<String>,
}

impl Built {
    /// Entities the output holds, per part and label.
    pub fn entity_counts(&self) -> Vec<(String, BTreeMap<String, usize>)> {
        self.parts
            .iter()
            .map(|p| {
                let mut m: BTreeMap<String, usize> = BTreeMap::new();
                for d in &p.docs {
                    for (l, n) in &d.entities {
                        *m.entry(l.clone()).or_default() += n;
                    }
                }
                (p.name.clone(), m)
            })
            .collect()
    }
}

/// An admitted article as a worker hands it over.
enum Body {
    /// Its bytes in the part's file, for formats whose file is its articles'
    /// bytes one after the other (see [`streamed_ext`]).
    Bytes(Vec<u8>),
    /// The article itself, for formats that render the whole dataset at once.
    Doc(Box<ExportDoc>),
}

/// The extension of the one file per part of formats whose file is each
/// article's bytes in order, independent of the other articles (jsonl,
/// conll): export renders those articles on the reading threads and can
/// write each as soon as it is ready. hf needs every label first, brat
/// writes a file per article.
fn streamed_ext(f: ExportFormat) -> Option<&'static str> {
    match f {
        ExportFormat::Jsonl => Some("jsonl"),
        ExportFormat::Conll => Some("conll"),
        ExportFormat::Brat | ExportFormat::Hf => None,
    }
}

/// One article as read by [`build`] (on a worker thread).
struct Read {
    /// Why it cannot be exported (what `Project::scan` calls its problem).
    problem: Option<String>,
    status: Status,
    /// The article, if its status admits it and it has no problem.
    doc: Option<(DocSummary, Body)>,
    label_filtered: usize,
    lost: Vec<Loss>,
}

/// Maps `f` over `items` on a few threads and hands each result to `sink`
/// (on the calling thread) in the order of `items`, as soon as it and every
/// one before it are done. Workers stay at most `window` items ahead of the
/// sink, so a streaming export holds a few articles, not the project.
pub(crate) fn par_for_each_ordered<T: Sync, R: Send>(
    items: &[T],
    window: usize,
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R),
) {
    use std::sync::{Condvar, Mutex, PoisonError};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .min(8);
    if threads <= 1 {
        items.iter().for_each(|x| sink(f(x)));
        return;
    }
    struct Gate {
        next: usize,
        emitted: usize,
        abort: bool,
    }
    let gate = Mutex::new(Gate {
        next: 0,
        emitted: 0,
        abort: false,
    });
    let turn = Condvar::new();
    let window = window.max(1);
    // Stops the workers if the sink panics, so the scope can end.
    struct Abort<'a>(&'a Mutex<Gate>, &'a Condvar);
    impl Drop for Abort<'_> {
        fn drop(&mut self) {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).abort = true;
            self.1.notify_all();
        }
    }
    let (tx, rx) = std::sync::mpsc::channel::<(usize, std::thread::Result<R>)>();
    let mut panicked = None;
    std::thread::scope(|sc| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (gate, turn, f) = (&gate, &turn, &f);
            sc.spawn(move || {
                loop {
                    let i = {
                        let mut g = gate.lock().unwrap_or_else(PoisonError::into_inner);
                        while !g.abort && g.next < items.len() && g.next - g.emitted >= window {
                            g = turn.wait(g).unwrap_or_else(PoisonError::into_inner);
                        }
                        if g.abort || g.next >= items.len() {
                            break;
                        }
                        g.next += 1;
                        g.next - 1
                    };
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&items[i])));
                    let failed = r.is_err();
                    if tx.send((i, r)).is_err() || failed {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let _abort = Abort(&gate, &turn);
        let mut waiting: BTreeMap<usize, R> = BTreeMap::new();
        let mut next = 0;
        for (i, r) in rx {
            match r {
                Ok(r) => {
                    waiting.insert(i, r);
                }
                Err(p) => {
                    panicked = Some(p);
                    gate.lock().unwrap_or_else(PoisonError::into_inner).abort = true;
                    turn.notify_all();
                }
            }
            if panicked.is_some() {
                continue;
            }
            let before = next;
            while let Some(r) = waiting.remove(&next) {
                sink(r);
                next += 1;
            }
            if next != before {
                gate.lock().unwrap_or_else(PoisonError::into_inner).emitted = next;
                turn.notify_all();
            }
        }
    });
    if let Some(p) = panicked {
        std::panic::resume_unwind(p);
    }
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

/// Gathers the dataset and renders its files, writing nothing.
pub fn build(project_dir: &Path, args: &ExportArgs) -> anyhow::Result<(Built, Vec<OutFile>)> {
    build_to(project_dir, args, None)
}

/// [`build`]; with `stream` (only for a [`streamed_ext`] format without
/// `--split`), each article's bytes go to its temp file as soon as they are
/// ready and are not kept, and no file is returned.
fn build_to(
    project_dir: &Path,
    args: &ExportArgs,
    mut stream: Option<&mut PartFile>,
) -> anyhow::Result<(Built, Vec<OutFile>)> {
    // Each article is read once (what `Project::open` would read for its
    // status and problem is what the export needs), on a few threads.
    let project = Project::list(project_dir).map_err(|e| user(e.to_string()))?;
    let fmt = format_of(args.format);
    let flat_format = fmt.flat();
    let keep_label = |l: &str| args.labels.is_empty() || args.labels.iter().any(|k| k == l);
    let buffers = Buffers::default();

    let read_one = |a: &crate::core::project::ArticleMeta| {
        let mut r = Read {
            problem: None,
            status: Status::Todo,
            doc: None,
            label_filtered: 0,
            lost: Vec::new(),
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
        };
        let summary = DocSummary::of(&a, flat_format);
        let body = match args.format {
            ExportFormat::Conll => {
                let mut b = buffers.take();
                conll::render(&a, args.scheme, &tb, &mut b);
                Body::Bytes(b)
            }
            ExportFormat::Jsonl => {
                let mut b = buffers.take();
                jsonl::render(&a, &mut b);
                Body::Bytes(b)
            }
            ExportFormat::Brat | ExportFormat::Hf => {
                let spans = spans.iter().map(|s| (*s).clone()).collect();
                Body::Doc(Box::new(ExportDoc {
                    doc,
                    spans,
                    flat,
                    sentences,
                }))
            }
        };
        r.doc = Some((summary, body));
        r
    };

    let mut broken: Vec<String> = Vec::new();
    let mut left_out: BTreeMap<Status, Vec<String>> = BTreeMap::new();
    let mut docs: Vec<(DocSummary, Option<Body>)> = Vec::new();
    let mut label_filtered = 0;
    let mut lost = Vec::new();
    let mut file_names = project.articles.iter().map(|a| &a.file_name);
    // A few articles per thread in flight: enough to keep every core busy
    // while the writer waits on the disk.
    let window = 8;
    par_for_each_ordered(&project.articles, window, read_one, |r| {
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
        let (summary, body) = r
            .doc
            .expect("an admitted article without a problem is read");
        label_filtered += r.label_filtered;
        lost.extend(r.lost);
        let body = match (&mut stream, body) {
            (Some(file), Body::Bytes(b)) => {
                // Once an article is broken nothing will be kept: stop writing.
                if broken.is_empty() {
                    file.write(&b);
                }
                buffers.give(b);
                None
            }
            (_, body) => Some(body),
        };
        docs.push((summary, body));
    });

    if !broken.is_empty() {
        return Err(user(format!(
            "{} article(s) cannot be exported as they are; fix them (see `nhan validate`) or move them out of articles/:\n{}",
            broken.len(),
            broken.join("\n")
        )));
    }

    let schema_labels: Vec<String> = project
        .schema
        .labels
        .iter()
        .map(|l| l.name.clone())
        .collect();
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
    let mut labels: Vec<String> = schema_labels
        .into_iter()
        .filter(|l| keep_label(l))
        .collect();
    labels.extend(unknown.iter().cloned());

    let names: &[&str] = match &args.split {
        None => &["data"],
        Some(r) => &split::PART_NAMES[..r.0.len()],
    };
    let mut parts: Vec<(PartSummary, Vec<Body>)> = names
        .iter()
        .map(|n| {
            let p = PartSummary {
                name: n.to_string(),
                docs: Vec::new(),
            };
            (p, Vec::new())
        })
        .collect();
    let which = match &args.split {
        None => vec![0; docs.len()],
        Some(r) => {
            let keys: Vec<&str> = docs.iter().map(|(d, _)| d.file_name.as_str()).collect();
            split::assign(&keys, r, args.seed)
        }
    };
    for ((summary, body), p) in docs.into_iter().zip(which) {
        parts[p].0.docs.push(summary);
        parts[p].1.extend(body);
    }

    let files: Vec<OutFile> = match (streamed_ext(args.format), &stream) {
        (Some(_), Some(_)) => Vec::new(),
        (Some(ext), None) => parts
            .iter_mut()
            .map(|(p, bodies)| {
                let mut bytes = Vec::new();
                for b in bodies.drain(..) {
                    if let Body::Bytes(b) = b {
                        bytes.extend_from_slice(&b);
                    }
                }
                OutFile {
                    path: format!("{}.{ext}", p.name),
                    bytes,
                }
            })
            .collect(),
        (None, _) => {
            let dataset = Dataset {
                labels: labels.clone(),
                overlap: project.schema.overlap,
                scheme: args.scheme,
                split: args.split.is_some(),
                parts: parts
                    .iter_mut()
                    .map(|(p, bodies)| Part {
                        name: p.name.clone(),
                        docs: bodies
                            .drain(..)
                            .filter_map(|b| match b {
                                Body::Doc(d) => Some(*d),
                                Body::Bytes(_) => None,
                            })
                            .collect(),
                    })
                    .collect(),
            };
            fmt.export(&dataset)
        }
    };
    let paths = match (streamed_ext(args.format), &stream) {
        (Some(ext), Some(_)) => vec![format!("data.{ext}")],
        _ => files.iter().map(|f| f.path.clone()).collect(),
    };
    let no_gold = project
        .articles
        .iter()
        .filter(|a| {
            !project.gold_path(&a.stem).exists() && !project.annotators_of(&a.stem).is_empty()
        })
        .map(|a| a.file_name.clone())
        .collect();
    let built = Built {
        labels,
        split: args.split.is_some(),
        parts: parts.into_iter().map(|(p, _)| p).collect(),
        files: paths,
        lost,
        left_out,
        label_filtered,
        unknown_labels: unknown,
        no_gold,
    };
    Ok((built, files))
}

fn manifest(args: &ExportArgs, b: &Built, flat: bool) -> String {
    let counts = b.entity_counts();
    let parts: Vec<Value> = b
        .parts
        .iter()
        .zip(&counts)
        .map(|(p, (_, per_label))| {
            json!({
                "name": p.name,
                "articles": p.docs.iter().map(|d| d.file_name.clone()).collect::<Vec<_>>(),
                "sentences": if flat { Value::from(p.docs.iter().map(|d| d.sentences).sum::<usize>()) } else { Value::Null },
                "entities": per_label.values().sum::<usize>(),
                "per_label": per_label,
            })
        })
        .collect();
    let lost: Vec<Value> = b
        .lost
        .iter()
        .map(|l| {
            json!({"article": l.article, "start": l.start, "end": l.end, "label": l.label, "text": l.text, "reason": l.reason.to_string()})
        })
        .collect();
    let left_out: BTreeMap<&str, &Vec<String>> =
        b.left_out.iter().map(|(s, v)| (s.as_str(), v)).collect();
    let v = json!({
        "nhan_export": 1,
        "format": format_of(args.format).name(),
        "scheme": if flat { Value::from(args.scheme.as_str()) } else { Value::Null },
        "status": args.status.as_str(),
        "split": args.split.as_ref().map(|r| json!({"ratios": r.0, "seed": args.seed})),
        "labels": b.labels,
        "parts": parts,
        "left_out": left_out,
        "left_out_by_labels": b.label_filtered,
        "lost": lost,
        "files": b.files,
    });
    let mut s = serde_json::to_string_pretty(&v).expect("JSON values always serialise");
    s.push('\n');
    s
}

fn report(err: &mut dyn Write, args: &ExportArgs, b: &Built) -> std::io::Result<()> {
    let name = format_of(args.format).name();
    if !b.lost.is_empty() {
        let total: usize = b.parts.iter().flat_map(|p| &p.docs).map(|d| d.spans).sum();
        writeln!(
            err,
            "loss report: {name} cannot hold {} of {total} spans (each is left out, the others are exported unchanged):",
            b.lost.len()
        )?;
        for l in &b.lost {
            writeln!(err, "  {l}")?;
        }
    }
    let counts = b.entity_counts();
    let arts: usize = b.parts.iter().map(|p| p.docs.len()).sum();
    let ents: usize = counts.iter().map(|(_, m)| m.values().sum::<usize>()).sum();
    let parts = if b.split {
        let v: Vec<String> = b
            .parts
            .iter()
            .zip(&counts)
            .map(|(p, (_, m))| {
                format!(
                    "{} {} articles/{} entities",
                    p.name,
                    p.docs.len(),
                    m.values().sum::<usize>()
                )
            })
            .collect();
        format!(" ({})", v.join(", "))
    } else {
        String::new()
    };
    writeln!(
        err,
        "exported {arts} articles with {ents} entities as {name}{parts} (--status {})",
        args.status.as_str()
    )?;
    let n_left: usize = b.left_out.values().map(Vec::len).sum();
    if n_left == 0 {
        writeln!(err, "left out 0 articles")?;
    } else {
        let by: Vec<String> = b
            .left_out
            .iter()
            .map(|(s, v)| format!("{} {s}", v.len()))
            .collect();
        let hint = match args.status {
            StatusFilter::Reviewed => "; --status done or --status any includes more",
            StatusFilter::Done => "; --status any includes them",
            StatusFilter::Any => "",
        };
        writeln!(
            err,
            "left out {n_left} articles by status: {}{hint}",
            by.join(", ")
        )?;
    }
    if b.label_filtered > 0 {
        writeln!(
            err,
            "left out {} spans whose label is not in --labels",
            b.label_filtered
        )?;
    }
    if !b.unknown_labels.is_empty() {
        writeln!(
            err,
            "warning: labels not in nhan.toml, exported after the schema's: {}",
            b.unknown_labels.join(", ")
        )?;
    }
    if !b.no_gold.is_empty() {
        writeln!(
            err,
            "note: {} articles have annotators' work but no gold yet (export reads the gold only; adjudicate them with `nhan --adjudicate`, then m): {}",
            b.no_gold.len(),
            b.no_gold.join(", ")
        )?;
    }
    Ok(())
}

/// `nhan export`: exit 0 when written, 1 on a problem the user must fix.
pub fn run_export(project_dir: &Path, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let mut err = std::io::stderr().lock();
    match export_with(project_dir, args, &mut std::io::stdout().lock(), &mut err) {
        Ok(code) => Ok(code),
        Err(e) => match e.downcast::<UserError>() {
            Ok(u) => {
                writeln!(err, "nhan export: {u}")?;
                Ok(ExitCode::from(1))
            }
            Err(e) => Err(e),
        },
    }
}

/// [`run_export`] with the output streams given (tests use it).
pub fn export_with(
    project_dir: &Path,
    args: &ExportArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    // A single file into a folder is written while the articles are read
    // (a temp file, renamed once all is well); anything else, or a folder
    // that will be refused, takes the path that holds the files until the end.
    let mut stream = match streamed_ext(args.format) {
        Some(ext) if args.split.is_none() && args.out.as_os_str() != "-" => {
            PartFile::start(&args.out, &format!("data.{ext}"))
        }
        _ => None,
    };
    let r = export_to(project_dir, args, out, err, stream.as_mut());
    if let Some(s) = stream
        && r.is_err()
    {
        s.discard();
    }
    r
}

fn export_to(
    project_dir: &Path,
    args: &ExportArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    mut stream: Option<&mut PartFile>,
) -> anyhow::Result<ExitCode> {
    let (b, files) = build_to(project_dir, args, stream.as_deref_mut())?;
    let flat = format_of(args.format).flat();
    report(err, args, &b)?;
    if args.strict && !b.lost.is_empty() {
        return Err(user(format!(
            "--strict: {} span(s) cannot be held by {} (listed above); nothing was written. Fix them in the annotator, or drop --strict to export without them",
            b.lost.len(),
            format_of(args.format).name()
        )));
    }
    if args.out.as_os_str() == "-" {
        if files.len() != 1 {
            return Err(user(format!(
                "--out -: {} writes {} files here; give a folder with --out DIR (standard output takes jsonl or conll without --split)",
                format_of(args.format).name(),
                files.len()
            )));
        }
        out.write_all(&files[0].bytes)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let manifest = manifest(args, &b, flat);
    match stream {
        Some(file) => {
            let dir = &args.out;
            // Made durable before the old export goes, so a crash leaves
            // one whole export or the other under the final names.
            file.finish()
                .map_err(|e| user(format!("{}: cannot write: {e}", file.path.display())))?;
            clear_old_export(dir)?;
            file.commit()
                .map_err(|e| user(format!("{}: cannot write: {e}", file.path.display())))?;
            write_manifest(dir, &manifest)?;
        }
        None => write_folder(&args.out, &files, &manifest)?,
    }
    writeln!(
        err,
        "wrote {} files to {}",
        b.files.len() + 1,
        args.out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// A part's file written while the export runs: a temp file beside its
/// final name, renamed over it once the whole export succeeded (as
/// `write_atomic` does, with the writing spread over the export).
struct PartFile {
    path: PathBuf,
    tmp: PathBuf,
    file: std::fs::File,
    written: u64,
    error: Option<std::io::Error>,
    /// The folder did not exist: it goes again if the export fails.
    made_dir: bool,
    committed: bool,
}

impl PartFile {
    /// `None` when `dir` will be refused or cannot be written: the export
    /// then reports that after the articles' own problems, as it always did.
    fn start(dir: &Path, name: &str) -> Option<PartFile> {
        check_folder(dir).ok()?;
        let made_dir = !dir.exists();
        std::fs::create_dir_all(dir).ok()?;
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        match std::fs::File::create(&tmp) {
            Ok(file) => Some(PartFile {
                path: dir.join(name),
                tmp,
                file,
                written: 0,
                error: None,
                made_dir,
                committed: false,
            }),
            Err(_) => {
                if made_dir {
                    let _ = std::fs::remove_dir(dir);
                }
                None
            }
        }
    }

    /// Appends `bytes`; the first error is kept for [`PartFile::finish`].
    fn write(&mut self, bytes: &[u8]) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.file.write_all(bytes) {
            self.error = Some(e);
            return;
        }
        start_writeback(&self.file, self.written, bytes.len() as u64);
        self.written += bytes.len() as u64;
    }

    /// Everything written reaches the disk (the fsync is mostly done by then:
    /// writeback started as each article was written).
    fn finish(&mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.file.sync_all()
    }

    fn commit(&mut self) -> std::io::Result<()> {
        std::fs::rename(&self.tmp, &self.path)?;
        self.committed = true;
        if let Some(dir) = self.path.parent()
            && let Ok(d) = std::fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn discard(self) {
        if self.committed {
            return;
        }
        let _ = std::fs::remove_file(&self.tmp);
        if self.made_dir
            && let Some(dir) = self.path.parent()
        {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Asks the kernel to start writing `len` bytes at `offset` to the disk now,
/// without waiting: the final fsync then finds little left to do, instead
/// of the whole file after the last article.
#[cfg(target_os = "linux")]
fn start_writeback(file: &std::fs::File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain syscall on an open descriptor; it reads no memory of ours.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            offset as libc::off64_t,
            len as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &std::fs::File, _offset: u64, _len: u64) {}

/// A folder export may write to: new, empty, or holding an earlier export.
fn check_folder(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(user(format!(
            "--out {}: is a file; give a folder",
            dir.display()
        )));
    }
    if dir.is_dir() {
        let non_empty = std::fs::read_dir(dir)?
            .flatten()
            .any(|e| !is_stale_part(&e.file_name().to_string_lossy()));
        if non_empty && !dir.join(MANIFEST).is_file() {
            return Err(user(format!(
                "--out {}: the folder is not empty and holds no earlier nhan export ({MANIFEST}); give a new or empty folder",
                dir.display()
            )));
        }
    }
    Ok(())
}

/// A temp file [`PartFile`] names (`.data.conll.<pid>.tmp`) left by an
/// export that was killed; not one of this process's.
fn is_stale_part(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    let Some((file, pid)) = rest.rsplit_once('.') else {
        return false;
    };
    let ours = ["data", "train", "dev", "test"]
        .iter()
        .any(|p| file == format!("{p}.conll") || file == format!("{p}.jsonl"));
    ours && pid.bytes().all(|b| b.is_ascii_digit()) && pid != std::process::id().to_string()
}

/// Removes the files an earlier export in `dir` listed, so no stale article
/// survives, and what a killed export left behind.
fn clear_old_export(dir: &Path) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for e in std::fs::read_dir(dir)?.flatten() {
        if is_stale_part(&e.file_name().to_string_lossy()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let mpath = dir.join(MANIFEST);
    if mpath.is_file() {
        let old: Value = serde_json::from_slice(&std::fs::read(&mpath)?).unwrap_or(Value::Null);
        let listed = old["files"].as_array().cloned().unwrap_or_default();
        for f in listed.iter().filter_map(Value::as_str) {
            if safe_relative(f) {
                let _ = std::fs::remove_file(dir.join(f));
            }
        }
        for sub in split::PART_NAMES {
            let _ = std::fs::remove_dir(dir.join(sub));
        }
    }
    Ok(())
}

fn write_manifest(dir: &Path, manifest: &str) -> anyhow::Result<()> {
    write_atomic(&dir.join(MANIFEST), manifest.as_bytes()).map_err(|e| {
        user(format!(
            "{}: cannot write: {e}",
            dir.join(MANIFEST).display()
        ))
    })
}

/// Writes the files into `dir`. A folder that is not empty must hold an
/// earlier nhan export (its manifest): the files that export listed are
/// removed first, so no stale article survives; anything else is refused.
fn write_folder(dir: &Path, files: &[OutFile], manifest: &str) -> anyhow::Result<()> {
    check_folder(dir)?;
    clear_old_export(dir)?;
    for f in files {
        write_atomic(&dir.join(&f.path), &f.bytes).map_err(|e| {
            user(format!(
                "{}: cannot write: {e}",
                dir.join(&f.path).display()
            ))
        })?;
    }
    write_manifest(dir, manifest)
}

fn safe_relative(p: &str) -> bool {
    let p = Path::new(p);
    p.is_relative()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// `nhan import`: exit 0 when imported, 1 on a problem the user must fix
/// (nothing is written then).
pub fn run_import(project_dir: &Path, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let mut err = std::io::stderr().lock();
    match import_with(project_dir, args, &mut err) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => match e.downcast::<UserError>() {
            Ok(u) => {
                writeln!(err, "nhan import: {u}")?;
                Ok(ExitCode::from(1))
            }
            Err(e) => Err(e),
        },
    }
}

/// [`run_import`] with the report stream given (tests use it).
pub fn import_with(
    project_dir: &Path,
    args: &ImportArgs,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let fmt = import_format_of(args.format);
    let mut incoming = Vec::new();
    let mut problems = Vec::new();
    for p in &args.paths {
        match fmt.import(p) {
            Ok(v) => incoming.extend(v),
            Err(e) => problems.extend(e),
        }
    }
    import::write(project_dir, incoming, problems, args, err)
}

/// `s` in double quotes for a message: control characters, quotes and
/// backslashes escaped, everything else (accents, combining marks, emoji)
/// as it is, so that NFD text reads as text.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export/project")
    }

    fn conll_to(out: &Path, strict: bool) -> anyhow::Result<ExitCode> {
        let args = ExportArgs {
            format: ExportFormat::Conll,
            out: out.to_path_buf(),
            status: StatusFilter::Any,
            split: None,
            seed: 0,
            labels: Vec::new(),
            scheme: Scheme::Iob2,
            strict,
        };
        export_with(
            &fixture(),
            &args,
            &mut std::io::sink(),
            &mut std::io::sink(),
        )
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_failed_export_leaves_no_folder_no_temp_file_and_the_earlier_export_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("o");
        // The fixture has spans conll cannot hold: --strict refuses.
        assert!(conll_to(&out, true).is_err());
        assert!(!out.exists(), "a refused export made {}", out.display());

        assert_eq!(conll_to(&out, false).unwrap(), ExitCode::SUCCESS);
        let before = std::fs::read(out.join("data.conll")).unwrap();
        assert!(before.starts_with(conll::DOCSTART.as_bytes()));
        assert!(conll_to(&out, true).is_err());
        assert_eq!(std::fs::read(out.join("data.conll")).unwrap(), before);
        assert_eq!(names(&out), ["data.conll", MANIFEST]);

        // Written again over itself: the same bytes, nothing left behind.
        assert_eq!(conll_to(&out, false).unwrap(), ExitCode::SUCCESS);
        assert_eq!(std::fs::read(out.join("data.conll")).unwrap(), before);
        assert_eq!(names(&out), ["data.conll", MANIFEST]);
    }

    #[test]
    fn what_a_killed_export_left_behind_does_not_block_the_next_one() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("o");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join(".data.conll.4000000000.tmp"), "half an export").unwrap();
        assert_eq!(conll_to(&out, false).unwrap(), ExitCode::SUCCESS);
        assert_eq!(names(&out), ["data.conll", MANIFEST]);
        // Any other file still makes a folder someone else's.
        let other = tmp.path().join("p");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join(".notes.tmp"), "mine").unwrap();
        assert!(conll_to(&other, false).is_err());
        assert_eq!(names(&other), [".notes.tmp"]);
    }

    #[test]
    fn results_reach_the_sink_in_order_whichever_worker_finishes_first() {
        let items: Vec<u64> = (0..300).collect();
        for window in [1, 3, usize::MAX] {
            let mut got = Vec::new();
            par_for_each_ordered(
                &items,
                window,
                |&i| {
                    std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 200));
                    i * 2
                },
                |r| got.push(r),
            );
            let want: Vec<u64> = items.iter().map(|i| i * 2).collect();
            assert_eq!(got, want, "window {window}");
        }
    }

    #[test]
    fn a_panicking_worker_panics_the_caller_instead_of_hanging() {
        let items: Vec<u32> = (0..100).collect();
        let r = std::panic::catch_unwind(|| {
            par_for_each_ordered(
                &items,
                2,
                |&i| {
                    assert!(i != 17, "boom");
                    i
                },
                |_| {},
            )
        });
        assert!(r.is_err());
    }
}
