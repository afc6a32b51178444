//! Dataset export and import (`nhan export`, `nhan import`).
//!
//! Every format is one module behind the [`Format`] trait, through which an
//! export streams article by article: [`gather`] reads each article once
//! (which articles, which spans, what a flat format cannot hold), the
//! format renders it, and [`write`] puts the bytes into temp files in the
//! `--out` folder, renamed into place once the whole export succeeded;
//! [`report`] prints what was done and writes the manifest. Import parses
//! input into [`Incoming`] articles, checks every offset against its text,
//! and only then writes `articles/` and `annotations/`.

mod args;
pub mod brat;
pub mod conll;
pub mod conllu;
pub mod error;
pub mod flat;
mod gather;
pub mod hf;
mod import;
pub mod jsonl;
pub mod label_studio;
pub mod notes;
pub mod prodigy;
mod relations;
mod report;
pub mod split;
mod text;
mod write;

pub use args::{ExportArgs, ExportFormat, ImportArgs, ImportFormat, Offsets, StatusFilter};
pub use flat::{FlatSpan, Loss, LossReason, Scheme};
pub use gather::{LOST_FILE, NOT_SHOWN_FILE};
pub use import::{InRelation, InSpan, Incoming};
pub use report::{Built, DocSummary, Losses, PartSummary};
pub use write::Files;

use nhan_model::document::Document;
use nhan_model::schema::Overlap;
use nhan_model::span::Span;
use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::process::ExitCode;

/// The name of the file that describes an export folder (what was exported,
/// counts per part and label, the loss report, the files written).
pub const MANIFEST: &str = "nhan-export.json";

/// One file of an export: a path relative to `--out`, and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// One exported article, owning its spans (tests build these by hand).
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
        nhan_store::project::stem_of(self.doc.file_name())
    }
}

/// An article as a format renders it: its spans stay in the document (no
/// copy of each span's strings per export).
pub struct Article<'a> {
    pub doc: &'a Document,
    /// The spans to export (after `--labels`), in sidecar order.
    pub spans: &'a [&'a Span],
    /// Flat formats: the spans kept, as token ranges, sorted and disjoint.
    pub flat: &'a [FlatSpan],
    /// Flat formats: the sentences, as token ranges.
    pub sentences: &'a [Range<usize>],
    /// Flat formats, and those that report what flat views cannot show:
    /// each token's byte range in the text.
    pub token_bytes: &'a [(u32, u32)],
    /// Its place in the project's article list, from 1 (a stable task id).
    pub number: usize,
}

impl Article<'_> {
    pub fn stem(&self) -> &str {
        nhan_store::project::stem_of(self.doc.file_name())
    }
}

/// A part of the export (`data` without `--split`, which Hugging Face
/// `datasets` does not reserve as it does `all`; else train, dev, test).
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub name: &'a str,
    /// Whether parts come from `--split`.
    pub split: bool,
}

impl Place<'_> {
    /// Where a file of the part's own goes: in a folder named after the
    /// part when the export is split.
    pub fn path(&self, file: &str) -> String {
        if self.split {
            format!("{}/{file}", self.name)
        } else {
            file.to_string()
        }
    }
}

/// What a format knows of the whole export while it renders an article.
#[derive(Debug, Clone)]
pub struct Context {
    /// Entity labels in order: the schema's (or `--labels`), then any others found.
    pub labels: Vec<String>,
    pub scheme: Scheme,
    pub overlap: Overlap,
    /// Whether parts come from `--split`.
    pub split: bool,
    /// Each label's place in `labels` (the last, should one repeat).
    label_index: HashMap<String, usize>,
    /// The labels' attribute declarations (brat's annotation.conf).
    pub schema: nhan_model::schema::Schema,
}

impl Context {
    pub fn new(labels: Vec<String>, scheme: Scheme, overlap: Overlap, split: bool) -> Self {
        let label_index = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), i))
            .collect();
        Context {
            labels,
            scheme,
            overlap,
            split,
            label_index,
            schema: Default::default(),
        }
    }

    /// The tag names in index order (see [`Scheme::tag_names`]).
    pub fn tag_names(&self) -> Vec<String> {
        self.scheme.tag_names(&self.labels)
    }

    /// The index of a tag among [`Context::tag_names`]; `None` for a label
    /// the context does not hold.
    pub fn index_of(&self, t: flat::Tag) -> Option<usize> {
        let label = *self.label_index.get(t.label)?;
        let prefixes: &[u8] = match self.scheme {
            Scheme::Iob2 | Scheme::Iob1 => b"BI",
            Scheme::Bioes => b"BIES",
        };
        let p = prefixes.iter().position(|&x| x == t.prefix)?;
        Some(1 + label * prefixes.len() + p)
    }
}

/// The bytes around and between the articles of a part's file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Frame {
    pub open: &'static [u8],
    pub between: &'static [u8],
    pub close: &'static [u8],
}

/// One article's output, rendered on a worker thread before its part is
/// known.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Bytes for the part's one file ([`Format::part_file`]).
    pub part: Vec<u8>,
    /// Files of the article's own: a name in the part's place, and bytes.
    pub own: Vec<(String, Vec<u8>)>,
    /// `own` files already written by the worker (see [`write::Stager`]).
    pub staged: Vec<(String, std::io::Result<write::Staged>)>,
    /// Notes and attributes the format has no place for, in words.
    pub fields_lost: Vec<String>,
}

/// A dataset format. Export streams through it article by article; import
/// (where the format has one) turns a path into articles to add.
pub trait Format: Sync {
    fn name(&self) -> &'static str;
    /// True when the format holds only flat spans of whole tokens, so that
    /// the loss report applies to it.
    fn flat(&self) -> bool;
    /// True when the format holds relations between spans; the loss
    /// report counts an article's relations as left out otherwise.
    fn holds_relations(&self) -> bool {
        false
    }
    /// The file that holds the part's articles one after the other, if the
    /// format has one (a path relative to `--out`).
    fn part_file(&self, _place: &Place) -> Option<String> {
        None
    }
    /// What the part's file holds before, between and after its articles
    /// (a JSON array's brackets and commas).
    fn frame(&self) -> Frame {
        Frame::default()
    }
    /// True when the format holds every span but the tool's views show
    /// only flat spans of whole tokens: the report says which it cannot show.
    fn shows_flat_only(&self) -> bool {
        false
    }
    /// Names the part's files before its first article, so that they exist
    /// (empty) for an empty part and come first in the manifest.
    fn start_part(&self, place: &Place, files: &mut dyn Files) {
        if let Some(f) = self.part_file(place) {
            files.declare(&f);
            files.write(&f, self.frame().open);
        }
    }
    /// Closes the part's file after its last article.
    fn end_part(&self, place: &Place, files: &mut dyn Files) {
        if let Some(f) = self.part_file(place) {
            files.write(&f, self.frame().close);
        }
    }
    /// Renders one article: bytes for the part's file, or files of its own.
    fn render(&self, a: &Article, cx: &Context, out: &mut Rendered);
    /// Writes what needs every article first (label lists, configurations).
    fn finish(&self, _cx: &Context, _parts: &[PartSummary], _files: &mut dyn Files) {}
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
        ExportFormat::Conllu => Box::new(conllu::Conllu),
        ExportFormat::LabelStudio => Box::new(label_studio::LabelStudio),
        ExportFormat::Prodigy => Box::new(prodigy::Prodigy),
    }
}

/// The format behind an import; `None` for plain texts, which are not
/// checked all or nothing (see `text`).
fn import_format_of(f: ImportFormat) -> Option<Box<dyn Format>> {
    Some(match f {
        ImportFormat::Jsonl => Box::new(jsonl::Jsonl),
        ImportFormat::Conll => Box::new(conll::Conll),
        ImportFormat::Brat => Box::new(brat::Brat),
        ImportFormat::LabelStudio => Box::new(label_studio::LabelStudio),
        ImportFormat::Prodigy => Box::new(prodigy::Prodigy),
        ImportFormat::Text => return None,
    })
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

/// Gathers the export and renders its files into memory, writing nothing.
pub fn build(project_dir: &Path, args: &ExportArgs) -> anyhow::Result<(Built, Vec<OutFile>)> {
    let fmt = format_of(args.format);
    let mut files = write::Memory::default();
    let built = gather::gather(
        project_dir,
        args,
        &*fmt,
        &mut files,
        gather::LossList::ReportOnly,
    )?;
    Ok((built, files.into_files()))
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
    let fmt = format_of(args.format);
    let to_stdout = args.out.as_os_str() == "-";
    // Into the folder as the articles are read, unless the output goes to
    // standard output or the folder will be refused (which is reported
    // after the articles' own problems).
    let (b, folder, files) = if to_stdout {
        let (b, files) = build(project_dir, args)?;
        (b, None, files)
    } else {
        match write::Folder::start(&args.out) {
            None => {
                let (b, files) = build(project_dir, args)?;
                (b, None, files)
            }
            Some(mut folder) => {
                let b = gather::gather(
                    project_dir,
                    args,
                    &*fmt,
                    &mut folder,
                    gather::LossList::File,
                )?;
                (b, Some(folder), Vec::new())
            }
        }
    };
    // Refused before the report: "exported 5 articles" then an error
    // would say two things.
    if to_stdout && files.len() != 1 {
        return Err(user(format!(
            "--out -: {} writes {} files here; nothing was exported: give a folder with --out DIR (standard output takes jsonl or conll without --split)",
            fmt.name(),
            files.len()
        )));
    }
    report::report(err, args, &b)?;
    if args.strict && !b.lost.is_empty() {
        return Err(user(format!(
            "--strict: {} span(s) cannot be held by {} (listed above); nothing was written. Fix them in the annotator, or drop --strict to export without them",
            b.lost.count,
            fmt.name()
        )));
    }
    if to_stdout {
        out.write_all(&files[0].bytes)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let manifest = report::manifest(args, &b, fmt.flat());
    let manifest = |w: &mut dyn Write| manifest.write(w);
    match folder {
        Some(mut folder) => {
            // Made durable before the old export goes, so a crash leaves
            // one whole export or the other under the final names.
            folder.finish()?;
            folder.commit(&manifest)?;
        }
        None => write::write_folder(&args.out, &files, &manifest)?,
    }
    writeln!(
        err,
        "wrote {} files to {}",
        b.files.len() + 1,
        args.out.display()
    )?;
    Ok(ExitCode::SUCCESS)
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
    let Some(fmt) = import_format_of(args.format) else {
        return text::import(project_dir, args, err);
    };
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
    use std::path::PathBuf;

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/export/project")
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
        assert_eq!(names(&out), ["data.conll", MANIFEST, LOST_FILE]);

        // Written again over itself: the same bytes, nothing left behind.
        assert_eq!(conll_to(&out, false).unwrap(), ExitCode::SUCCESS);
        assert_eq!(std::fs::read(out.join("data.conll")).unwrap(), before);
        assert_eq!(names(&out), ["data.conll", MANIFEST, LOST_FILE]);
    }

    #[test]
    fn what_a_killed_export_left_behind_does_not_block_the_next_one() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("o");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join(".data.conll.4000000000.tmp"), "half an export").unwrap();
        assert_eq!(conll_to(&out, false).unwrap(), ExitCode::SUCCESS);
        assert_eq!(names(&out), ["data.conll", MANIFEST, LOST_FILE]);
        // Any other file still makes a folder someone else's.
        let other = tmp.path().join("p");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join(".notes.tmp"), "mine").unwrap();
        assert!(conll_to(&other, false).is_err());
        assert_eq!(names(&other), [".notes.tmp"]);
    }
}
