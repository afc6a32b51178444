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

/// What an export did, for the report and the manifest.
#[derive(Debug, Clone)]
pub struct Built {
    pub dataset: Dataset,
    pub files: Vec<OutFile>,
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
    pub fn entity_counts(&self, flat: bool) -> Vec<(String, BTreeMap<String, usize>)> {
        self.dataset
            .parts
            .iter()
            .map(|p| {
                let mut m: BTreeMap<String, usize> = BTreeMap::new();
                for d in &p.docs {
                    if flat {
                        d.flat
                            .iter()
                            .for_each(|f| *m.entry(f.label.clone()).or_default() += 1);
                    } else {
                        d.spans
                            .iter()
                            .for_each(|s| *m.entry(s.label.to_string()).or_default() += 1);
                    }
                }
                (p.name.clone(), m)
            })
            .collect()
    }
}

/// One article as read by [`build`] (on a worker thread).
struct Read {
    /// Why it cannot be exported (what `Project::scan` calls its problem).
    problem: Option<String>,
    status: Status,
    /// The article, if its status admits it and it has no problem.
    doc: Option<ExportDoc>,
    label_filtered: usize,
    lost: Vec<Loss>,
}

/// Maps `f` over `items` on a few threads (dynamic, one item at a time),
/// keeping the order of `items`. Exports are made of independent articles.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .min(8);
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let per_thread: Vec<Vec<(usize, R)>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                sc.spawn(|| {
                    let mut v = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= items.len() {
                            break v;
                        }
                        v.push((i, f(&items[i])));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in per_thread.into_iter().flatten() {
        slots[i] = Some(r);
    }
    slots
        .into_iter()
        .map(|r| r.expect("every item was mapped"))
        .collect()
}

/// Gathers the dataset and renders its files, writing nothing.
pub fn build(project_dir: &Path, args: &ExportArgs) -> anyhow::Result<Built> {
    // Each article is read once (what `Project::open` would read for its
    // status and problem is what the export needs), on a few threads.
    let project = Project::list(project_dir).map_err(|e| user(e.to_string()))?;
    let fmt = format_of(args.format);
    let flat_format = fmt.flat();
    let keep_label = |l: &str| args.labels.is_empty() || args.labels.iter().any(|k| k == l);

    let read: Vec<Read> = par_map(&project.articles, |a| {
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
        let mut spans = Vec::new();
        for s in doc.spans.iter() {
            if keep_label(&s.label) {
                spans.push(s.clone());
            } else {
                r.label_filtered += 1;
            }
        }
        let (flat, sentences) = if flat_format {
            let (kept, l) = flat::flatten(&doc, &spans);
            r.lost = l;
            let sents = flat::sentences(&doc, &kept);
            (kept, sents)
        } else {
            (Vec::new(), Vec::new())
        };
        r.doc = Some(ExportDoc {
            doc,
            spans,
            flat,
            sentences,
        });
        r
    });

    let broken: Vec<String> = read
        .iter()
        .filter_map(|r| r.problem.as_ref().map(|p| format!("  {p}")))
        .collect();
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

    let mut left_out: BTreeMap<Status, Vec<String>> = BTreeMap::new();
    let mut docs = Vec::new();
    let mut label_filtered = 0;
    let mut unknown: Vec<String> = Vec::new();
    let mut lost = Vec::new();
    for (a, r) in project.articles.iter().zip(read) {
        if !args.status.admits(r.status) {
            left_out
                .entry(r.status)
                .or_default()
                .push(a.file_name.clone());
            continue;
        }
        let d = r
            .doc
            .expect("an admitted article without a problem is read");
        label_filtered += r.label_filtered;
        for s in &d.spans {
            if !schema_labels.iter().any(|l| *l == s.label)
                && !unknown.iter().any(|l| *l == s.label)
            {
                unknown.push(s.label.to_string());
            }
        }
        lost.extend(r.lost);
        docs.push(d);
    }
    unknown.sort();
    let mut labels: Vec<String> = schema_labels
        .into_iter()
        .filter(|l| keep_label(l))
        .collect();
    labels.extend(unknown.iter().cloned());

    let parts = match &args.split {
        None => vec![Part {
            name: "data".into(),
            docs,
        }],
        Some(r) => {
            let keys: Vec<&str> = docs.iter().map(|d| d.doc.file_name.as_str()).collect();
            let which = split::assign(&keys, r, args.seed);
            let mut parts: Vec<Part> = split::PART_NAMES[..r.0.len()]
                .iter()
                .map(|n| Part {
                    name: n.to_string(),
                    docs: Vec::new(),
                })
                .collect();
            for (d, p) in docs.into_iter().zip(which) {
                parts[p].docs.push(d);
            }
            parts
        }
    };
    let dataset = Dataset {
        labels,
        overlap: project.schema.overlap,
        scheme: args.scheme,
        split: args.split.is_some(),
        parts,
    };
    let files = fmt.export(&dataset);
    let no_gold = project
        .articles
        .iter()
        .filter(|a| {
            !project.gold_path(&a.stem).exists() && !project.annotators_of(&a.stem).is_empty()
        })
        .map(|a| a.file_name.clone())
        .collect();
    Ok(Built {
        dataset,
        files,
        lost,
        left_out,
        label_filtered,
        unknown_labels: unknown,
        no_gold,
    })
}

fn manifest(args: &ExportArgs, b: &Built, flat: bool) -> String {
    let counts = b.entity_counts(flat);
    let parts: Vec<Value> = b
        .dataset
        .parts
        .iter()
        .zip(&counts)
        .map(|(p, (_, per_label))| {
            json!({
                "name": p.name,
                "articles": p.docs.iter().map(|d| d.doc.file_name.clone()).collect::<Vec<_>>(),
                "sentences": if flat { Value::from(p.docs.iter().map(|d| d.sentences.len()).sum::<usize>()) } else { Value::Null },
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
        "labels": b.dataset.labels,
        "parts": parts,
        "left_out": left_out,
        "left_out_by_labels": b.label_filtered,
        "lost": lost,
        "files": b.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&v).expect("JSON values always serialise");
    s.push('\n');
    s
}

fn report(err: &mut dyn Write, args: &ExportArgs, b: &Built, flat: bool) -> std::io::Result<()> {
    let name = format_of(args.format).name();
    if !b.lost.is_empty() {
        let total: usize = b
            .dataset
            .parts
            .iter()
            .flat_map(|p| &p.docs)
            .map(|d| d.spans.len())
            .sum();
        writeln!(
            err,
            "loss report: {name} cannot hold {} of {total} spans (each is left out, the others are exported unchanged):",
            b.lost.len()
        )?;
        for l in &b.lost {
            writeln!(err, "  {l}")?;
        }
    }
    let counts = b.entity_counts(flat);
    let arts: usize = b.dataset.parts.iter().map(|p| p.docs.len()).sum();
    let ents: usize = counts.iter().map(|(_, m)| m.values().sum::<usize>()).sum();
    let parts = if b.dataset.split {
        let v: Vec<String> = b
            .dataset
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
    let b = build(project_dir, args)?;
    let flat = format_of(args.format).flat();
    report(err, args, &b, flat)?;
    if args.strict && !b.lost.is_empty() {
        return Err(user(format!(
            "--strict: {} span(s) cannot be held by {} (listed above); nothing was written. Fix them in the annotator, or drop --strict to export without them",
            b.lost.len(),
            format_of(args.format).name()
        )));
    }
    if args.out.as_os_str() == "-" {
        if b.files.len() != 1 {
            return Err(user(format!(
                "--out -: {} writes {} files here; give a folder with --out DIR (standard output takes jsonl or conll without --split)",
                format_of(args.format).name(),
                b.files.len()
            )));
        }
        out.write_all(&b.files[0].bytes)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    write_folder(&args.out, &b.files, &manifest(args, &b, flat))?;
    writeln!(
        err,
        "wrote {} files to {}",
        b.files.len() + 1,
        args.out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the files into `dir`. A folder that is not empty must hold an
/// earlier nhan export (its manifest): the files that export listed are
/// removed first, so no stale article survives; anything else is refused.
fn write_folder(dir: &Path, files: &[OutFile], manifest: &str) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(user(format!(
            "--out {}: is a file; give a folder",
            dir.display()
        )));
    }
    if dir.is_dir() {
        let mpath = dir.join(MANIFEST);
        let non_empty = std::fs::read_dir(dir)?.next().is_some();
        if non_empty && !mpath.is_file() {
            return Err(user(format!(
                "--out {}: the folder is not empty and holds no earlier nhan export ({MANIFEST}); give a new or empty folder",
                dir.display()
            )));
        }
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
    }
    for f in files {
        write_atomic(&dir.join(&f.path), &f.bytes).map_err(|e| {
            user(format!(
                "{}: cannot write: {e}",
                dir.join(&f.path).display()
            ))
        })?;
    }
    write_atomic(&dir.join(MANIFEST), manifest.as_bytes()).map_err(|e| {
        user(format!(
            "{}: cannot write: {e}",
            dir.join(MANIFEST).display()
        ))
    })?;
    Ok(())
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
