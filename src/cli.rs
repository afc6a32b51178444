//! Command-line shape (DESIGN.md § Command line).

use clap::{Parser, Subcommand};
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
    #[arg(long, global = true, value_name = "NAME")]
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
    /// Export the project as a dataset (jsonl, conll, brat, hf).
    Export(crate::export::ExportArgs),
    /// Import annotated data (jsonl, conll, brat) into the project.
    Import(crate::export::ImportArgs),
    /// Counts per label, per article, per status and per annotator.
    Stats {
        /// Machine-readable output (documented in the README).
        #[arg(long)]
        json: bool,
    },
    /// Check every sidecar against its article and the schema.
    Validate,
    /// Agreement between annotators (per pair and overall).
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
    Suggest(crate::suggest::run::SuggestArgs),
}
