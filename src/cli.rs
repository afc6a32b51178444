//! Command-line shape (DESIGN.md § Command line).

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use nhan_formats::{ExportFormat, ImportFormat};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "nhan",
    version,
    about = "A keyboard-first terminal annotator for named entities"
)]
pub struct Cli {
    /// The project folder (holding articles/, annotations/, nhan.toml).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub project: PathBuf,

    /// Your name on the spans you make (overrides `annotator` in the
    /// config); in a blind project, whose sidecars you edit.
    #[arg(long, value_name = "NAME")]
    pub annotator: Option<String>,

    /// Edit the gold sidecars to adjudicate (in a blind project, where
    /// each annotator otherwise edits their own).
    #[arg(long)]
    pub adjudicate: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a project: a commented nhan.toml, articles/, annotations/ and
    /// a .gitignore for the lock (overwrites nothing).
    Init(crate::init::InitArgs),
    /// Export the project as a dataset (the formats are listed from
    /// `ExportFormat`, see `Cli::command_with_formats`).
    Export(nhan_formats::ExportArgs),
    /// Import annotated data into the project (formats from `ImportFormat`).
    Import(nhan_formats::ImportArgs),
    /// Counts per label, per article, per status and per annotator.
    Stats {
        /// Machine-readable output (documented in the README).
        #[arg(long)]
        json: bool,
    },
    /// Check every sidecar against its article and the schema.
    Validate,
    /// The project at a glance as one self-contained HTML page (charts,
    /// no scripts, nothing fetched): progress, annotators, labels,
    /// agreement, suggestions.
    Report {
        /// The page to write (replaced atomically).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Agreement between annotators (per pair and overall).
    ///
    /// Spans: Cohen's and Fleiss' kappa and Krippendorff's alpha on token
    /// tags, precision, recall and F1 per label (see docs/AGREEMENT.md).
    /// Relations (when any annotator made one): a relation of one annotator
    /// matches one of the other when both ends cover the same characters
    /// and the type is the same, a symmetric type in either direction
    /// (span ids and the ends' labels play no part); precision (matched /
    /// the other's), recall (matched / the reference's) and F1 per type and
    /// overall, all pairs summed, and per pair.
    Agree(crate::agree::AgreeArgs),
    /// Git's merge driver for sidecars: merges THEIRS into OURS span by
    /// span (exit 0: clean; 1: conflicts, recorded under "conflicts").
    /// Installed by `nhan git-setup`.
    MergeFile {
        /// The common ancestor (git's %O).
        base: PathBuf,
        /// This branch's version, replaced by the result (git's %A).
        ours: PathBuf,
        /// The other branch's version (git's %B).
        theirs: PathBuf,
        /// The path being merged, for messages (git's %P).
        #[arg(long, value_name = "PATH")]
        path: Option<String>,
    },
    /// Makes git merge sidecars span by span, in this clone only: the
    /// attribute in .git/info/attributes, the merge driver's git config,
    /// .nhan.lock in .git/info/exclude (nothing to commit).
    GitSetup,
    /// Proposed spans: print them, store them for the TUI, or measure them.
    Suggest(nhan_suggest::run::SuggestArgs),
}

/// The names users type for a format enum's values, in declaration order.
fn format_names<T: ValueEnum>() -> String {
    T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|p| p.get_name().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Cli {
    /// The command line, with the format lists of `export` and `import`
    /// made from the format enums, so that help names every format there
    /// is and no other.
    pub fn command_with_formats() -> clap::Command {
        Cli::command()
            .mut_subcommand("export", |c| {
                c.about(format!(
                    "Export the project as a dataset: {}",
                    format_names::<ExportFormat>()
                ))
            })
            .mut_subcommand("import", |c| {
                c.about(format!(
                    "Import annotated data into the project: {}",
                    format_names::<ImportFormat>()
                ))
            })
    }

    /// Parses the process's arguments (exits with clap's message and
    /// status 2 on a usage error, as `Parser::parse` does).
    pub fn parse_args() -> Cli {
        let matches = Cli::command_with_formats().get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}
