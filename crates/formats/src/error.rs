//! What goes wrong reading what the user gives `export` and `import`, as
//! values. The messages name the file (or the option) and say what to write
//! instead.

use nhan_store::encoding::{Diagnosis, TextProblem};
use serde_json::Value;
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

/// Why one record of an import file (a line, a task) does not read. The
/// caller puts the file and the line or task before it; `what` is the
/// place inside the record (`entities[2]`, `result 4 (a relation)`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum RecordError {
    #[error("not JSON: {0}")]
    NotJson(Arc<serde_json::Error>),
    /// `hint`: what the record is in its format, e.g. " (a Prodigy task)".
    #[error("not a JSON object{hint}")]
    NotAnObject { hint: &'static str },
    /// `hint`: who holds the text, e.g. "doccano lines need one".
    #[error("no \"text\" string ({hint})")]
    NoText { hint: &'static str },
    #[error("{what} is {value}, not an object")]
    ValueNotAnObject { what: String, value: Value },
    #[error("{what} is not an object")]
    ItemNotAnObject { what: String },
    /// `field`: what is missing, as the message names it (`"from_id"`,
    /// `label string`, `value.labels list`).
    #[error("{what} has no {field}")]
    Lacks { what: String, field: String },
    #[error("{what} is {value}, not a non-negative whole number")]
    ValueNotAnOffset { what: String, value: Value },
    #[error("{what} is not a non-negative whole number")]
    NotAnOffset { what: String },
    #[error("{what}: the label {label} is not a string")]
    LabelNotAString { what: String, label: Value },
    #[error("{what}: the label is not a string")]
    NoLabelString { what: String },
    #[error(
        "{name:?} cannot be an article file name (one plain name, no folders, at most 254 bytes)"
    )]
    BadFileName { name: String },
    #[error("relations is {0}, not a list")]
    RelationsNotAList(Value),
    // doccano
    #[error("has both \"label\" and \"entities\"; give the spans once")]
    LabelAndEntities,
    #[error(
        "{what} is {value}, not [start, end, \"LABEL\"] (a text-classification label cannot be imported as a span)"
    )]
    NotASpanLabel { what: String, value: Value },
    #[error(
        "{what}: {key} {id} is the id of no entity of this line; a relation joins two of the line's entities"
    )]
    NoSuchEntity {
        what: String,
        key: String,
        id: Value,
    },
    // Prodigy
    #[error("answer {0:?} is not accept, reject or ignore")]
    Answer(String),
    #[error("{what} has no {key} object (rel.manual writes {{start, end, label}} for each end)")]
    NoEnd { what: String, key: String },
    /// `label`, `start`, `end` as the task gives them ("no label", "?").
    #[error(
        "{what}: its {key} ({label} [{start}, {end})) is no span of this task; a relation joins two of the task's spans"
    )]
    NoSuchSpan {
        what: String,
        key: String,
        label: String,
        start: String,
        end: String,
    },
    // Label Studio
    #[error("no \"data\" object (Label Studio tasks hold their text in data.text)")]
    NoData,
    #[error("no data.text string; nhan reads the text from data.text")]
    NoDataText,
    #[error(
        "holds predictions (model suggestions with scores); nhan will import them as suggestions once it has them; until then, export from Label Studio without predictions or remove the \"predictions\" lists"
    )]
    Predictions,
    #[error(
        "has {0} annotations; nhan imports one gold annotation per article: mark one as ground truth in Label Studio, or keep one"
    )]
    Annotations(usize),
    #[error("a result is not a JSON object")]
    ResultNotAnObject,
    #[error(
        "{what}: {key} {id:?} is the id of no text label result of this annotation; a relation joins two labelled spans"
    )]
    NoSuchRegion {
        what: String,
        key: String,
        id: String,
    },
    #[error("{what} has no labels; nhan's relations have a type: label it in Label Studio")]
    NoRelationLabels { what: String },
}
