//! What goes wrong in the terminal app, as values: reading and writing the
//! files an open article depends on, and the requests the user makes that
//! cannot be done (each says what to do instead). Every message names the
//! file or the thing refused.

use std::path::PathBuf;
use std::sync::Arc;

/// A file behind an open article that cannot be read or written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TuiError {
    /// A sidecar could not be written: the edit stays in memory.
    #[error("{}: {error}", path.display())]
    Save {
        path: PathBuf,
        error: Arc<std::io::Error>,
    },
    /// A sidecar nhan did not write (changed on disk, an annotator's)
    /// cannot be read.
    #[error(transparent)]
    Read(Arc<std::io::Error>),
    #[error(transparent)]
    Sidecar(#[from] nhan_model::sidecar::SidecarError),
    #[error("{path}: the relations list does not read: {error}")]
    Relations {
        path: String,
        error: Arc<serde_json::Error>,
    },
    /// An annotator's work cannot be read, so adjudication cannot start.
    #[error("{0}; fix it to adjudicate")]
    Adjudication(Box<TuiError>),
}

impl TuiError {
    pub fn read(e: std::io::Error) -> TuiError {
        TuiError::Read(Arc::new(e))
    }
}

/// Why a conflict cannot be settled by taking theirs (`t`); each says
/// what `o` does instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TakeError {
    #[error("{field} cannot be taken from theirs here: o keeps yours")]
    Field { field: String },
    #[error("{what}: nothing to take; o removes it")]
    Unreadable { what: String },
    #[error("their span {id} does not fit the article's text: o keeps yours")]
    SpanDoesNotFit { id: nhan_model::ids::SpanId },
    #[error("span {id} “{text}” no longer fits the article's text: o leaves the relation out")]
    EndDoesNotFit {
        id: nhan_model::ids::SpanId,
        text: String,
    },
    #[error(
        "their relation {relation} ends on span {span}, which the article does not have: o keeps yours"
    )]
    EndMissing {
        relation: nhan_model::ids::RelationId,
        span: nhan_model::ids::SpanId,
    },
}

/// A key name in a keymap file that names no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown key {0:?} (examples: j, G, ctrl-d, shift-left, pagedown, f1)")]
pub struct UnknownKey(pub String);

/// Why a suggestion cannot become a span.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AcceptError {
    #[error("no article open")]
    NoArticle,
    #[error("“{0}” is tagged already")]
    Tagged(String),
    #[error(transparent)]
    Refused(#[from] nhan_model::document::SpanRefused),
}

/// An accept-all filter (label numbers or names, a score like `.8`) that
/// does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("“{0}” is not a score (write .8 for 0.8 and up)")]
    NotAScore(String),
    #[error("no label “{0}”: type a label number or name, and/or a score like .8")]
    NoLabel(String),
}
