//! Suggestions: spans the program proposes and the annotator accepts or
//! rejects. A suggestion is never a span: it lives here and in
//! `.nhan/suggestions/`, never in a sidecar, an export or `nhan stats`,
//! until it is accepted (then it is an ordinary span whose `source` field
//! names the recommender).
//!
//! # The API for the TUI
//!
//! ```text
//! // off the UI thread (it reads every sidecar and may train the tagger;
//! // the tagger's model is cached in .nhan/cache/ so a reopen only loads it):
//! let s: Suggester = Suggester::build(&project, &BuildOptions::default())?;
//!   // or Suggester::build_in_background(project.clone(), opts) -> Receiver<Result<Suggester, String>>
//!
//! // when an article is opened, and after each edit (cheap: a dictionary
//! // scan and a tagger pass over the article, no training):
//! let mut rej = Rejections::load(&project, &stem);       // survives restarts
//! let list: Vec<Suggestion> = s.for_article(&article_input, &rej);
//!
//! // live learning, as the annotator tags or untags (cheap: no rebuild of
//! // the dictionary's automaton for known surfaces, a small one otherwise):
//! s.learn(surface, label);   s.unlearn(surface, label);
//!
//! // decisions (each saved at once by the caller; both are undoable: the
//! // inverse of `reject` is `rej.unreject(..)`, of `accept` deleting the span):
//! rej.reject(&suggestion, text); rej.save()?;
//! let span: Span = accept(&suggestion, text, id, annotator);   // carries `source`
//!
//! // retraining after edits (debounced by the caller): build again off the
//! // UI thread and swap the new Suggester in when it arrives.
//! ```
//!
//! The command recommender runs a program; `Suggester::build` leaves it
//! out unless the user approved it (see [`trust`]), and reports why.

pub mod command;
pub mod config;
pub mod corpus;
pub mod dictionary;
pub mod eval;
pub mod fold;
pub mod rules;
pub mod run;
pub mod store;
pub mod suggester;
pub mod tagger;
pub mod trust;

pub use store::Rejections;
pub use suggester::{BuildOptions, Suggester, accept};

use crate::core::text::Text;
use crate::core::tokens::Tokens;
use serde::{Deserialize, Serialize};

/// One proposed span: `[start, end)` in code points of the article, a label
/// of the schema, a score in `0..=1` (higher is surer; not a probability)
/// and the recommender it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub score: f32,
    pub source: String,
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
    pub label: String,
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
    fn suggest(&self, article: &ArticleInput) -> Result<Vec<Suggestion>, String>;
}
