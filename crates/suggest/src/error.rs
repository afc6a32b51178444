//! What goes wrong in suggestions, as values a caller can tell apart: a
//! command recommender that is not approved is not one that crashed. Each
//! message names the file or the recommender and says what to do.

use std::path::PathBuf;
use std::sync::Arc;

/// An error of this crate.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SuggestError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Gazetteer(#[from] GazetteerError),
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error(transparent)]
    File(#[from] FileError),
    /// `--recommender NAME` names none of the project's.
    #[error("no recommender named {name:?}; this project has {}", known.join(", "))]
    UnknownRecommender { name: String, known: Vec<String> },
    /// A recommender panicked while the engine was locked.
    #[error("the recommenders failed; restart nhan")]
    Lost,
    /// Approving needs somewhere to record it.
    #[error("no config folder for this user: set NHAN_CONFIG to a file path")]
    NoConfigFolder,
    #[error("--folds {0}: k-fold evaluation needs at least 2 folds; give --folds 2 or more")]
    TooFewFolds(usize),
    #[error(
        "{}: --eval needs at least two reviewed articles (it has {reviewed}); mark articles reviewed first",
        project.display()
    )]
    TooFewReviewed { project: PathBuf, reviewed: usize },
}

impl SuggestError {
    /// A command recommender this user has not approved (or whose
    /// approval no longer covers what it runs): `suggest --approve` fixes
    /// it, so the caller asks or points there rather than reporting a fault.
    pub fn is_not_approved(&self) -> bool {
        matches!(
            self,
            SuggestError::Command(CommandError::NotApproved { .. })
        )
    }
}

/// A `[[recommenders]]` table of nhan.toml that does not read. `at` names
/// the file and the table (`nhan.toml: [[recommenders]] number 2`), `name`
/// the recommender.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: {error}", path.display())]
    Root {
        path: PathBuf,
        error: Arc<std::io::Error>,
    },
    #[error("{at}: needs name = \"...\"")]
    NoName { at: String },
    #[error("{at}: the name {name:?} is used twice")]
    NameTwice { at: String, name: String },
    #[error("{at} ({name}): needs type = \"dictionary\", \"tagger\" or \"command\"")]
    NoType { at: String, name: String },
    #[error("{at} ({name}): unknown type {ty:?}; use dictionary, tagger or command")]
    UnknownType {
        at: String,
        name: String,
        ty: String,
    },
    #[error("{at} ({name}): unknown key {key:?}; a {ty} recommender takes {}", allowed.join(", "))]
    UnknownKey {
        at: String,
        name: String,
        key: String,
        ty: String,
        allowed: &'static [&'static str],
    },
    #[error("{at} ({name}): gazetteers are paths (strings)")]
    GazetteerNotAPath { at: String, name: String },
    #[error("{at} ({name}): gazetteer {}: {error}", path.display())]
    GazetteerMissing {
        at: String,
        name: String,
        path: PathBuf,
        error: Arc<std::io::Error>,
    },
    #[error(
        "{at} ({name}): gazetteer {given:?} is outside the project; copy it into the project folder"
    )]
    GazetteerOutside {
        at: String,
        name: String,
        given: String,
    },
    #[error("{at} ({name}): min_score is a number from 0 to 1")]
    MinScore { at: String, name: String },
    #[error("{at} ({name}): dictionary is true or false")]
    DictionaryFlag { at: String, name: String },
    #[error("{at} ({name}): needs command = [\"program\", \"arg\", ...]")]
    NoCommand { at: String, name: String },
    #[error("{at} ({name}): timeout is a number of seconds")]
    Timeout { at: String, name: String },
}

/// A gazetteer (`text<TAB>label` per line) that does not read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GazetteerError {
    #[error("{}: cannot read the gazetteer ({error}); fix the path in nhan.toml", path.display())]
    Read {
        path: PathBuf,
        error: Arc<std::io::Error>,
    },
    #[error("{}:{line}: expected `text<TAB>label`; separate the label with a tab", path.display())]
    NoTab { path: PathBuf, line: usize },
    #[error(
        "{}:{line}: label {label:?} is not in the schema ({}); fix the line or nhan.toml",
        path.display(),
        labels.join(", ")
    )]
    UnknownLabel {
        path: PathBuf,
        line: usize,
        label: String,
        labels: Vec<String>,
    },
}

/// The recommender a command error is about: `recommender NAME (COMMAND)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub name: String,
    pub command: Vec<String>,
}

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "recommender {} ({})",
            nhan_model::escape::line(&self.name),
            nhan_model::escape::command(&self.command)
        )
    }
}

/// Why a command recommender proposed nothing for an article.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CommandError {
    /// Not approved, or what its approval covers changed since.
    #[error("{}", super::trust::not_approved(name, command, root))]
    NotApproved {
        name: String,
        command: Vec<String>,
        root: PathBuf,
    },
    #[error("{who}: cannot start: {error}; check the command in nhan.toml")]
    CannotStart {
        who: Who,
        error: Arc<std::io::Error>,
    },
    #[error("{who}: article {article}: reading its answer: {error}")]
    Unreadable {
        who: Who,
        article: String,
        error: Arc<std::io::Error>,
    },
    #[error(
        "{who}: article {article}: no answer within {seconds} s; it was stopped (raise timeout in nhan.toml)"
    )]
    NoAnswerInTime {
        who: Who,
        article: String,
        seconds: f64,
    },
    /// `said`: the last lines of its stderr, `: a / b` or empty.
    #[error("{who}: article {article}: the program ended ({status}) without answering{said}")]
    Ended {
        who: Who,
        article: String,
        status: String,
        said: String,
    },
    #[error("{who}: article {article}: expected {{\"suggestions\": [...]}}, got {got:?} ({error})")]
    BadAnswer {
        who: Who,
        article: String,
        got: String,
        error: Arc<serde_json::Error>,
    },
}

/// A file of `.nhan/` or the user's approvals that cannot be read or
/// written. A file that does not read is never overwritten.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FileError {
    #[error("{}: cannot read: {error}", path.display())]
    Read {
        path: PathBuf,
        error: Arc<std::io::Error>,
    },
    /// `fix`: what to do, e.g. "fix or move the file (nhan will not overwrite it)".
    #[error("{}:{}:{}: {error}; {fix}", path.display(), error.line(), error.column())]
    Parse {
        path: PathBuf,
        error: Arc<serde_json::Error>,
        fix: &'static str,
    },
    /// The folder it goes in (`.nhan/`) cannot be made.
    #[error("{}: {error}", path.display())]
    Folder {
        path: PathBuf,
        error: Arc<std::io::Error>,
    },
    #[error("{}: cannot write: {error}", path.display())]
    Write {
        path: PathBuf,
        error: Arc<std::io::Error>,
    },
    #[error("{0}")]
    Encode(Arc<serde_json::Error>),
}
