//! What `nhan export` and `nhan import` take on the command line.

use super::Scheme;
use super::split;
use clap::{Args, ValueEnum};
use nhan_model::status::Status;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// doccano JSON lines: one article a line, character offsets.
    Jsonl,
    /// CoNLL: one token a line with its tag, blank line between sentences.
    Conll,
    /// brat standoff: <stem>.txt, <stem>.ann and annotation.conf.
    Brat,
    /// Hugging Face datasets folder: JSON lines of tokens and ner_tags, a
    /// dataset card (README.md) declaring the splits and the tag names, and labels.txt.
    Hf,
    /// CoNLL-U: one token a line, entity tags in MISC as NE=B-PER (spaCy's conllu reader).
    Conllu,
    /// Label Studio JSON tasks, plus the labelling config (labeling-config.xml).
    LabelStudio,
    /// Prodigy JSON lines: text, tokens, spans, answer.
    Prodigy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// doccano JSON lines ("label": [[start, end, "LABEL"]] or "entities").
    Jsonl,
    /// CoNLL token-per-line files in IOB1, IOB2 or BIOES (detected).
    Conll,
    /// brat standoff folders or .ann files (the .txt beside each).
    Brat,
    /// Label Studio JSON export (a list of tasks; annotations become spans).
    LabelStudio,
    /// Prodigy JSON lines (accepted answers become spans, rejected ones rejections).
    Prodigy,
    /// Unannotated texts: .txt files or folders of them, JSON lines with a
    /// "text" field (doccano, Label Studio), a CSV with a text column.
    Text,
}

/// What the offsets of an import count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Offsets {
    /// Unicode code points (nhan, brat, doccano in grapheme mode, Label Studio, Prodigy).
    #[default]
    CodePoints,
    /// UTF-16 code units (doccano without grapheme mode, INCEpTION, other JavaScript and Java tools).
    Utf16,
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

    /// Tag scheme of the token formats (conll, hf, conllu; conllu writes E-/S- as spaCy's L-/U-).
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

    /// The reviewer to record on spans of articles imported as reviewed
    /// whose input gives no review decision (each becomes accepted by NAME);
    /// without it, such articles are refused.
    #[arg(long, value_name = "NAME")]
    pub reviewer: Option<String>,

    /// Add the labels the input uses and nhan.toml lacks to nhan.toml
    /// (without it, such an input is refused, naming them).
    #[arg(long)]
    pub add_labels: bool,

    /// What the input's offsets count: code points, or UTF-16 code units.
    #[arg(long, value_enum, default_value_t = Offsets::CodePoints)]
    pub offsets: Offsets,
}

fn parse_status(s: &str) -> Result<Status, crate::error::FormatsError> {
    serde_json::from_value(Value::from(s)).map_err(|_| crate::error::FormatsError::UnknownStatus)
}
