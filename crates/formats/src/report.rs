//! What an export did: the summary kept of each article once its output is
//! written, the report printed on standard error, and the manifest
//! (`nhan-export.json`) written beside the data.

use super::{Article, ExportArgs, Loss, StatusFilter, format_of};
use nhan_model::interned::Sym;
use nhan_model::status::Status;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

/// What an export keeps of one exported article once its output is
/// rendered: the article itself is dropped then. Labels are interned, so
/// that what is kept per article stays a few dozen bytes.
#[derive(Debug, Clone)]
pub struct DocSummary {
    pub file_name: String,
    /// Spans to export (after `--labels`).
    pub spans: usize,
    /// Flat formats: how many sentences the output holds.
    pub sentences: usize,
    /// Entities the output holds, per label (flat formats: the kept spans).
    pub entities: Vec<(Sym, usize)>,
    /// The distinct labels of the spans to export.
    pub labels: Vec<Sym>,
    /// Notes and attributes the format has no place for, in words.
    pub fields_lost: Vec<String>,
    /// Relations exported, and those left out (all of them in a format
    /// without relations; else those with a span not exported).
    pub relations: usize,
    pub relations_lost: usize,
    /// The distinct attribute values of the spans, `(name, value)`: brat's
    /// annotation.conf lists the free ones.
    pub attr_values: Vec<(String, String)>,
}

impl DocSummary {
    pub(crate) fn of(d: &Article, flat: bool, holds_relations: bool) -> DocSummary {
        fn count(v: &mut Vec<(Sym, usize)>, l: Sym) {
            match v.iter_mut().find(|(k, _)| *k == l) {
                Some((_, n)) => *n += 1,
                None => v.push((l, 1)),
            }
        }
        let mut entities = Vec::new();
        let mut labels: Vec<Sym> = Vec::new();
        for s in d.spans {
            if !labels.contains(&s.label) {
                labels.push(s.label);
            }
            if !flat {
                count(&mut entities, s.label);
            }
        }
        if flat {
            for f in d.flat {
                count(&mut entities, Sym::from(f.label.as_str()));
            }
        }
        entities.shrink_to_fit();
        labels.shrink_to_fit();
        let relations_lost = super::relations::lost(d, holds_relations);
        DocSummary {
            relations: d.doc.relations().len() - relations_lost,
            relations_lost,
            file_name: d.doc.file_name().to_string(),
            spans: d.spans.len(),
            sentences: d.sentences.len(),
            entities,
            labels,
            fields_lost: Vec::new(),
            attr_values: super::notes::attr_values(d.spans),
        }
    }
}

/// Spans an export cannot hold (or a tool cannot show): counted by reason
/// and label, the first few kept for the report, and every one written as
/// a JSON line to a file of its own beside the manifest, so that neither
/// memory nor the manifest grows with them.
#[derive(Debug, Clone, Default)]
pub struct Losses {
    pub count: usize,
    pub by_reason: BTreeMap<&'static str, usize>,
    pub by_label: BTreeMap<String, usize>,
    /// The first [`Losses::SHOWN`], in order.
    pub first: Vec<Loss>,
    /// The file that lists every one, if written (relative to `--out`).
    pub file: Option<String>,
}

impl Losses {
    /// How many the report prints.
    pub const SHOWN: usize = 20;

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub(crate) fn add(&mut self, l: Loss) {
        self.count += 1;
        *self.by_reason.entry(l.reason.kind()).or_default() += 1;
        *self.by_label.entry(l.label.clone()).or_default() += 1;
        if self.first.len() < Self::SHOWN {
            self.first.push(l);
        }
    }

    fn summary(&self) -> Value {
        json!({
            "spans": self.count,
            "by_reason": self.by_reason,
            "by_label": self.by_label,
            "file": self.file,
        })
    }

    /// The report's lines after its heading: the first few, then where the rest are.
    fn print(&self, err: &mut dyn Write, out: &str) -> std::io::Result<()> {
        for l in &self.first {
            writeln!(err, "  {l}")?;
        }
        if self.count > self.first.len() {
            let whole = match &self.file {
                Some(f) => format!(" (every one is listed in {out}/{f})"),
                None => String::new(),
            };
            writeln!(
                err,
                "  ... and {} more{whole}",
                self.count - self.first.len()
            )?;
        }
        Ok(())
    }
}

/// One lost span as a line of the lost-spans file.
pub(crate) fn loss_line(l: &Loss, out: &mut Vec<u8>) {
    // `loss_json` written by hand, member by member as serde_json writes it
    // (goldens compare): a CoNLL export of 10,000 articles loses 270,000.
    use nhan_model::json::push_str;
    let mut num = itoa::Buffer::new();
    out.extend_from_slice(b"{\"article\":");
    push_str(out, &l.article);
    out.extend_from_slice(b",\"start\":");
    out.extend_from_slice(num.format(l.start).as_bytes());
    out.extend_from_slice(b",\"end\":");
    out.extend_from_slice(num.format(l.end).as_bytes());
    out.extend_from_slice(b",\"label\":");
    push_str(out, &l.label);
    out.extend_from_slice(b",\"text\":");
    push_str(out, &l.text);
    out.extend_from_slice(b",\"kind\":");
    push_str(out, l.reason.kind());
    out.extend_from_slice(b",\"reason\":");
    push_str(out, &l.reason.to_string());
    out.extend_from_slice(b"}\n");
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
    pub lost: Losses,
    /// Spans exported that the tool's views cannot show (Prodigy's ner views).
    pub unshown: Losses,
    /// Articles the status filter left out, by status.
    pub left_out: BTreeMap<Status, Vec<String>>,
    /// Spans left out because their label is not in `--labels`.
    pub label_filtered: usize,
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
                        *m.entry(l.as_str().to_string()).or_default() += n;
                    }
                }
                (p.name.clone(), m)
            })
            .collect()
    }

    /// Relations exported and relations left out, over every part.
    pub fn relation_counts(&self) -> (usize, usize) {
        (self.parts.iter().flat_map(|p| &p.docs))
            .fold((0, 0), |(n, l), d| (n + d.relations, l + d.relations_lost))
    }
}

/// The manifest, `nhan-export.json`, borrowing what the export built: a
/// brat export of 100,000 articles lists 200,000 files and 100,000
/// articles, which copied into a `serde_json::Value` and a string took more
/// memory than the export itself. Fields are written in this order.
#[derive(serde::Serialize)]
pub(crate) struct Manifest<'a> {
    nhan_export: u32,
    format: &'static str,
    scheme: Option<&'static str>,
    status: &'static str,
    split: Option<Value>,
    labels: &'a [String],
    parts: Vec<ManifestPart<'a>>,
    left_out: BTreeMap<&'static str, &'a Vec<String>>,
    left_out_by_labels: usize,
    lost: Value,
    files: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    not_shown_by_flat_views: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes_and_attributes_lost: Vec<&'a String>,
    /// `{"exported", "lost"}`, for an export with relations to write.
    #[serde(skip_serializing_if = "Option::is_none")]
    relations: Option<Value>,
}

#[derive(serde::Serialize)]
struct ManifestPart<'a> {
    name: &'a str,
    articles: Vec<&'a str>,
    sentences: Option<usize>,
    entities: usize,
    per_label: BTreeMap<String, usize>,
}

impl Manifest<'_> {
    /// Writes it as `serde_json::to_string_pretty` would, and a newline.
    pub(crate) fn write(&self, w: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, self)?;
        w.write_all(b"\n")
    }
}

pub(crate) fn manifest<'a>(args: &ExportArgs, b: &'a Built, flat: bool) -> Manifest<'a> {
    let parts = b
        .parts
        .iter()
        .zip(b.entity_counts())
        .map(|(p, (_, per_label))| ManifestPart {
            name: &p.name,
            articles: p.docs.iter().map(|d| d.file_name.as_str()).collect(),
            sentences: flat.then(|| p.docs.iter().map(|d| d.sentences).sum()),
            entities: per_label.values().sum(),
            per_label,
        })
        .collect();
    let fmt = format_of(args.format);
    Manifest {
        nhan_export: 2,
        format: fmt.name(),
        scheme: flat.then(|| args.scheme.as_str()),
        status: args.status.as_str(),
        split: args
            .split
            .as_ref()
            .map(|r| json!({"ratios": r.0, "seed": args.seed})),
        labels: &b.labels,
        parts,
        left_out: b.left_out.iter().map(|(s, v)| (s.as_str(), v)).collect(),
        left_out_by_labels: b.label_filtered,
        lost: b.lost.summary(),
        files: &b.files,
        not_shown_by_flat_views: fmt.shows_flat_only().then(|| b.unshown.summary()),
        notes_and_attributes_lost: (b.parts.iter().flat_map(|p| &p.docs))
            .flat_map(|d| &d.fields_lost)
            .collect(),
        relations: match b.relation_counts() {
            (0, 0) => None,
            (n, l) => Some(json!({"exported": n, "lost": l})),
        },
    }
}

pub(crate) fn report(err: &mut dyn Write, args: &ExportArgs, b: &Built) -> std::io::Result<()> {
    let name = format_of(args.format).name();
    let out = args.out.display().to_string();
    if !b.lost.is_empty() {
        let total: usize = b.parts.iter().flat_map(|p| &p.docs).map(|d| d.spans).sum();
        writeln!(
            err,
            "loss report: {name} cannot hold {} of {total} spans (each is left out, the others are exported unchanged):",
            b.lost.count
        )?;
        b.lost.print(err, &out)?;
    }
    if !b.unshown.is_empty() {
        let total: usize = b.parts.iter().flat_map(|p| &p.docs).map(|d| d.spans).sum();
        writeln!(
            err,
            "note: {name} holds every span, but its ner views show one label per whole token and cannot show {} of {total} (the others are shown as they are):",
            b.unshown.count
        )?;
        b.unshown.print(err, &out)?;
    }
    let fields_lost: Vec<&String> = (b.parts.iter().flat_map(|p| &p.docs))
        .flat_map(|d| &d.fields_lost)
        .collect();
    if !fields_lost.is_empty() {
        writeln!(
            err,
            "loss report: {name} has no place for these notes and attributes (the spans themselves are exported):"
        )?;
        for l in fields_lost.iter().take(Losses::SHOWN) {
            writeln!(err, "  {l}")?;
        }
        if fields_lost.len() > Losses::SHOWN {
            writeln!(err, "  ... and {} more", fields_lost.len() - Losses::SHOWN)?;
        }
    }
    match b.relation_counts() {
        (_, 0) => {}
        (n, lost) if format_of(args.format).holds_relations() => writeln!(
            err,
            "loss report: {lost} of {} relations are left out: one of their spans is not exported (--labels)",
            n + lost
        )?,
        (_, lost) => writeln!(
            err,
            "loss report: {name} cannot hold relations: {lost} relations are left out (brat, jsonl, label-studio and prodigy hold them)"
        )?,
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
    let n_left: usize = b.left_out.values().map(Vec::len).sum();
    let rels = match b.relation_counts().0 {
        0 => String::new(),
        n => format!(" and {n} relations"),
    };
    if arts > 0 || n_left == 0 {
        writeln!(
            err,
            "exported {arts} articles with {ents} entities{rels} as {name}{parts} (--status {})",
            args.status.as_str()
        )?;
    }
    if let Some(r) = &args.split {
        let ratios: Vec<String> =
            r.0.iter()
                .map(|x| format!("{}", (x * 1e6).round() / 1e6))
                .collect();
        for p in b.parts.iter().filter(|p| p.docs.is_empty()) {
            writeln!(
                err,
                "warning: --split {} leaves the {} part empty ({arts} articles to split); more articles or other ratios fill it",
                ratios.join(","),
                p.name
            )?;
        }
    }
    if arts == 0 && n_left > 0 {
        // The one line a user who just imported (as done) needs.
        let by: Vec<String> = b
            .left_out
            .iter()
            .map(|(s, v)| format!("{} {s}", v.len()))
            .collect();
        let wider = match args.status {
            StatusFilter::Reviewed if b.left_out.contains_key(&Status::Done) => {
                "; export them with --status done, or review them first (r in nhan, then D)"
            }
            StatusFilter::Reviewed | StatusFilter::Done => {
                "; --status any exports them as they are"
            }
            StatusFilter::Any => "",
        };
        writeln!(
            err,
            "nothing exported: none of the {n_left} articles is {} ({}){wider}",
            args.status.as_str(),
            by.join(", ")
        )?;
    } else if n_left == 0 {
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
