//! Suggestions: spans the program proposes and the annotator accepts or
//! rejects. A suggestion is never a span: it lives here and in
//! `.nhan/suggestions/`, never in a sidecar, an export or `nhan stats`,
//! until it is accepted (then it is an ordinary span whose `source` field
//! names the recommender).
//!
//! # The API for the TUI
//!
//! ```text
//! // Off the UI thread (it reads every sidecar and may train the tagger;
//! // the model is cached in .nhan/cache/, so a reopen only loads it):
//! let rx = Suggester::build_in_background(project.clone(), BuildOptions::default());
//! //   -> Receiver<Result<Suggester, SuggestError>>; `s.notes` says what is not
//! //      running and why (an unapproved command: show it on the message line).
//! // What `nhan suggest` stored can be shown before that arrives:
//! store::load_stored(&project, file_name, &doc.text_sha256) -> Option<Stored>
//!
//! // When an article is opened, and after each edit (a dictionary scan and
//! // a tagger pass, no training; on all cores for a long article, so run
//! // it off the UI thread for large ones):
//! let rej = Rejections::load(&project, file_name)?;      // survives restarts
//! let input = ArticleInput { name, text: &doc.text, tokens: doc.tokens(), spans: &known };
//! let (list, errors): (Vec<Suggestion>, Vec<SuggestError>) = s.for_article(&input, Some(&rej));
//! //   sorted by (start, end, label), fitted to the span rules, rejected ones gone.
//!
//! // Live learning as the annotator tags or untags (microseconds: counts
//! // change; a new surface goes into a small second automaton):
//! s.learn(surface, label);   s.unlearn(surface, label);
//!
//! // Decisions, each saved at once by the caller and undoable:
//! rej.reject(&sug, &doc.text); rej.save()?;      // undo: rej.unreject(&sug); rej.save()
//! let span: Span = accept(&sug, &doc.text, id, annotator);   // carries `source`
//! //   undo: delete the span. Accepting also `learn`s its surface.
//!
//! // Retraining after edits (debounced by the caller): build again off the
//! // UI thread and swap the new Suggester in when it arrives.
//! ```
//!
//! For many articles at once, `s.run_commands(&[(name, text), ..])` runs
//! each command recommender once, and `s.for_article_given(..)` uses its
//! answers. A command recommender runs a program; `Suggester::build` leaves it out
//! unless the user approved it (see [`trust`]), and says so in `notes`.

pub mod calibrate;
pub mod command;
pub mod config;
pub mod corpus;
pub mod crf;
pub mod dictionary;
pub mod error;
pub mod eval;
pub mod fold;
pub mod lbfgs;
pub mod rules;
pub mod run;
pub mod store;
pub mod suggester;
pub mod tagger;
pub mod trust;

pub use error::SuggestError;
pub use store::Rejections;
pub use suggester::{BuildOptions, Suggester, accept};

use nhan_model::text::Text;
use nhan_model::tokens::Tokens;
use serde::{Deserialize, Serialize};

/// One proposed span: `[start, end)` in code points of the article, a label
/// of the schema, a score in `0..=1` (once the project has enough decided
/// articles, the chance that it is right, fitted on held-out folds: see
/// [`calibrate`]; higher is surer in any case) and the recommender it came
/// from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub start: usize,
    pub end: usize,
    /// Interned, as a span's: a 10 MB article's list is 100k suggestions,
    /// and two strings each were 13 MB of it.
    pub label: nhan_model::interned::Sym,
    pub score: f32,
    pub source: nhan_model::interned::Sym,
}

impl Suggestion {
    /// The order of `nhan suggest --out`: by start, end, label.
    pub fn key(&self) -> (usize, usize, &str) {
        (self.start, self.end, &self.label)
    }
}

/// An existing span as the recommenders see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub start: usize,
    pub end: usize,
    /// Interned: the worker lists an article's spans for every list it
    /// computes, 100k of them in a large article.
    pub label: nhan_model::interned::Sym,
}

/// What a recommender is given: one article and the spans it already has.
pub struct ArticleInput<'a> {
    pub name: &'a str,
    pub text: &'a Text,
    pub tokens: &'a Tokens,
    pub spans: &'a [Known],
}

/// Something that proposes spans for an article. Implementations are
/// read-only while they suggest (`&self`), so one can be shared with a
/// background thread; learning goes through their own `&mut` methods.
pub trait Recommender: Send + Sync {
    /// The `source` written on accepted spans, e.g. `dictionary`.
    fn name(&self) -> &str;
    /// Raw proposals; the caller fits them to the span rules
    /// ([`rules::fit_all`]) and drops rejected ones.
    fn suggest(&self, article: &ArticleInput) -> Result<Vec<Suggestion>, SuggestError>;
}
