//! What goes wrong reading what the user gives `export` and `import`, as
//! values. The messages name the file (or the option) and say what to write
//! instead.

use nhan_store::encoding::{Diagnosis, TextProblem};
use std::sync::Arc;

/// An error of this crate.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FormatsError {
    /// `--status` names no status.
    #[error("one of todo, in_progress, done, reviewed")]
    UnknownStatus,
    /// A text file to import is not UTF-8 (what it probably is, and the
    /// command that converts it).
    #[error("{}", diagnosis.message(at))]
    Encoding { at: String, diagnosis: Diagnosis },
    /// A UTF-8 text to import that is empty, blank or damaged.
    #[error("{at}: {problem}")]
    Text { at: String, problem: TextProblem },
    #[error("not JSON: {0}")]
    NotJson(Arc<serde_json::Error>),
}

/// A `--split` that does not read (a usage error: nothing is exported).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SplitError {
    #[error("{0:?} is not a number; write e.g. 0.8,0.1,0.1")]
    NotANumber(String),
    #[error("give two or three ratios: train,dev[,test], e.g. 0.8,0.1,0.1")]
    Count,
    #[error("every ratio must be above 0 (a part of 0 would be empty); e.g. 0.8,0.1,0.1")]
    NotAbove0,
    /// The sum, rounded to six places.
    #[error("the ratios add up to {0}, not 1; e.g. 0.8,0.1,0.1")]
    Sum(f64),
}

/// A brat attribute (`A`, `M`) or note (`#`) line that does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BratExtraError {
    #[error("an attribute line is ID<TAB>NAME TARGET [VALUE]")]
    AttrColumns,
    #[error("an attribute line names its target (NAME T1 [VALUE])")]
    AttrTarget,
    #[error("a note line is #ID<TAB>AnnotatorNotes TARGET<TAB>TEXT")]
    NoteColumns,
    #[error("a note line names its target (AnnotatorNotes T1)")]
    NoteTarget,
}
