//! Why the figures cannot be computed: an annotator's sidecar nhan cannot
//! read, or one that does not fit its article (figures computed without
//! it would mislead). Each names the file and what to do.

/// An error of this crate.
#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    /// `annotations/` or a sidecar in it cannot be read (the error names it).
    #[error(transparent)]
    Read(#[from] std::io::Error),
    /// The sidecar holds git's conflict markers: the model's message says
    /// where and how to settle them.
    #[error("{0}")]
    MergeConflict(String),
    #[error(transparent)]
    Sidecar(#[from] nhan_model::sidecar::SidecarError),
    #[error("{path}: {problem}; fix the file (or move it away) and run nhan agree again")]
    DoesNotFit {
        path: String,
        problem: nhan_model::document::Problem,
    },
}
