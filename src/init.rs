//! `nhan init [DIR]`: starts a project of one's own (DESIGN.md § Command
//! line). It only ever adds: a file or folder that exists is kept as it is
//! and the report says so, so running it twice, or in a folder that already
//! holds texts, is safe.

use clap::{Args, ValueEnum};
use nhan_model::schema::Schema;
use nhan_store::atomic::write_atomic;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Label sets people start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// VLSP 2016/2018 Vietnamese NER (the built-in schema): PER, ORG, LOC, MISC.
    Vlsp,
    /// CoNLL-2003: PER, ORG, LOC, MISC.
    Conll,
    /// OntoNotes 5.0's 18 entity types.
    Ontonotes,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The project folder to start (created if missing; default: --project, i.e. `.`).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// The labels, in key order, e.g. PER,ORG,LOC (default: the preset's).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "LABEL,...",
        conflicts_with = "preset"
    )]
    pub labels: Vec<String>,

    /// A named label set instead of --labels.
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
}

const ONTONOTES: [(&str, &str); 18] = [
    ("PERSON", "People, including fictional"),
    ("NORP", "Nationalities or religious or political groups"),
    ("FAC", "Buildings, airports, highways, bridges"),
    ("ORG", "Companies, agencies, institutions"),
    ("GPE", "Countries, cities, states"),
    ("LOC", "Non-GPE locations, mountain ranges, bodies of water"),
    ("PRODUCT", "Objects, vehicles, foods (not services)"),
    ("EVENT", "Named hurricanes, battles, wars, sports events"),
    ("WORK_OF_ART", "Titles of books, songs"),
    ("LAW", "Named documents made into laws"),
    ("LANGUAGE", "Any named language"),
    ("DATE", "Absolute or relative dates or periods"),
    ("TIME", "Times smaller than a day"),
    ("PERCENT", "Percentage, including %"),
    ("MONEY", "Monetary values, including unit"),
    ("QUANTITY", "Measurements, as of weight or distance"),
    ("ORDINAL", "first, second"),
    ("CARDINAL", "Numerals that do not fall under another type"),
];

impl Preset {
    fn labels(self) -> Vec<(String, String)> {
        match self {
            Preset::Vlsp | Preset::Conll => Schema::default()
                .labels
                .into_iter()
                .map(|l| (l.name, l.description))
                .collect(),
            Preset::Ontonotes => ONTONOTES
                .iter()
                .map(|&(n, d)| (n.to_string(), d.to_string()))
                .collect(),
        }
    }
}

/// A `--labels` list that does not read (a usage error: exit status 2).
#[derive(Debug, thiserror::Error)]
enum LabelsError {
    #[error(
        "--labels: {0:?} is not a label name; give one word per label, e.g. --labels PER,ORG,LOC"
    )]
    NotAName(String),
    #[error("--labels: {0} is given twice")]
    Twice(String),
}

/// What the user asked for as (name, description) pairs; `None`: the default.
fn asked_labels(args: &InitArgs) -> Result<Option<Vec<(String, String)>>, LabelsError> {
    if let Some(p) = args.preset {
        return Ok(Some(p.labels()));
    }
    if args.labels.is_empty() {
        return Ok(None);
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for l in &args.labels {
        let l = l.trim();
        if l.is_empty() || l.chars().any(char::is_whitespace) {
            return Err(LabelsError::NotAName(l.to_string()));
        }
        if !seen.insert(l.to_string()) {
            return Err(LabelsError::Twice(l.to_string()));
        }
        out.push((l.to_string(), String::new()));
    }
    Ok(Some(out))
}

/// `nhan init`; `project` is `--project`, the folder when DIR is not given.
pub fn run(project: &Path, args: &InitArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let dir = args.dir.clone().unwrap_or_else(|| project.to_path_buf());
    let labels = match asked_labels(args) {
        Ok(l) => l,
        Err(e) => {
            writeln!(out, "nhan init: {e}")?;
            return Ok(ExitCode::from(2));
        }
    };
    let toml = dir.join("nhan.toml");
    if labels.is_some() && toml.symlink_metadata().is_ok() {
        anyhow::bail!(
            "{}: exists, so the labels asked for were not written (nothing was changed); \
             edit its [[labels]], or move it away and run nhan init again",
            toml.display()
        );
    }
    let labels = labels.unwrap_or_else(|| Preset::Vlsp.labels());
    let mut report = Vec::new();
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot create the folder: {e}", dir.display()))?;
    for sub in ["articles", "annotations"] {
        let p = dir.join(sub);
        if p.symlink_metadata().is_ok() {
            report.push(format!("kept    {}/ (exists)", p.display()));
            continue;
        }
        std::fs::create_dir(&p)
            .map_err(|e| anyhow::anyhow!("{}: cannot create: {e}", p.display()))?;
        report.push(format!("created {}/", p.display()));
    }
    let files = [
        ("nhan.toml", nhan_model::schema::schema_text(&labels)),
        (
            ".gitignore",
            format!(
                "# Held while nhan runs, so that two do not edit the same sidecars.\n{}\n",
                nhan_store::lock::LOCK_FILE
            ),
        ),
    ];
    for (name, text) in files {
        let p = dir.join(name);
        if p.symlink_metadata().is_ok() {
            report.push(format!("kept    {} (exists)", p.display()));
            continue;
        }
        write_atomic(&p, text.as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", p.display()))?;
        report.push(format!("created {}", p.display()));
    }
    if let Err(e) = nhan_store::project::load_schema(&dir) {
        report.push(format!("warning: {e}"));
    }
    for r in report {
        writeln!(out, "{r}")?;
    }
    let at = if dir == Path::new(".") {
        String::new()
    } else {
        format!(" --project {}", shell_word(&dir.display().to_string()))
    };
    writeln!(
        out,
        "\nnext:\n  nhan{at} import --format text FOLDER_OR_FILES   bring your texts in (.txt, JSON lines, CSV)\n  nhan{at}                                        annotate"
    )?;
    Ok(ExitCode::SUCCESS)
}

fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || "-_./+@%:,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
