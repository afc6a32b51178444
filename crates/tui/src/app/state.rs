//! Everything the screen shows, and nothing the terminal owns. `update` is
//! the only code that changes it; the UI only reads it.

use super::config::Config;
use super::msg::Effect;
use crate::view::wrap::Layout;
use nhan_model::document::Document;
use nhan_model::edit::History;
use nhan_model::interned::Sym;
use nhan_model::search::SearchIndex;
use nhan_model::status::Status;
use nhan_store::project::{ArticleMeta, Project};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Text,
    /// The span list of review mode.
    Spans,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Annotate,
    Review,
}

/// Which way a step goes: undo or redo, the next or the previous match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Forward,
    Back,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewFilter {
    All,
    Unreviewed,
    Reviewed,
}

/// One line of the review span list: a span, a relation (at its `from`
/// span's extent, `label` its type), or an untagged occurrence that the
/// consistency check points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    pub article: usize,
    pub start: usize,
    pub end: usize,
    pub span: Option<nhan_model::ids::SpanId>,
    pub relation: Option<RowRelation>,
    /// Interned, as in the span: a list of a million rows holds no string
    /// of its own.
    pub label: Option<Sym>,
    pub review: Option<Sym>,
    /// In adjudication: which annotators had it (`all`, or `≠ lan+minh`);
    /// interned too, the combinations being few.
    pub by: Option<Sym>,
}

/// The relation a review row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowRelation {
    /// One of the article's relations, by id.
    Id(nhan_model::ids::RelationId),
    /// In adjudication: the annotators' relation at this place in
    /// `Adjudication::relations`.
    Candidate(usize),
}

#[derive(Debug, Clone)]
pub struct ReviewView {
    pub whole_project: bool,
    pub filter: ReviewFilter,
    pub label: Option<usize>,
    pub text: String,
    pub only_cases: bool,
    pub rows: Vec<ReviewRow>,
    pub selected: usize,
    /// Consistency cases over the loaded articles; `None` when stale.
    pub cases: Option<Vec<nhan_model::review::Case>>,
    /// The rows need rebuilding for what no revision counts (a filter, a
    /// load, the cases coming in); see [`State::rows_stale`].
    pub dirty: bool,
    /// The open articles' edits the rows were built for
    /// (`State::edit_count`): an edit makes them stale.
    pub built_for: u64,
    /// Adjudicating the current article: the annotators' spans.
    pub adjudication: Option<nhan_model::adjudication::Adjudication>,
    /// Only spans with a note ("flagged for discussion").
    pub only_noted: bool,
    /// Only spans with this attribute value (name, value as shown).
    pub attr: Option<(String, String)>,
    /// Only relations (the label filter's step after the last label).
    pub only_relations: bool,
    /// The row to highlight once the rows are rebuilt (article, start,
    /// end, label): a step or a decision names a span, and the list must
    /// highlight that one, wherever re-sorting put it.
    pub follow: Option<(usize, usize, usize, Option<String>)>,
    /// Articles review asked for that have not come back yet, of how many:
    /// the list fills as they arrive and says how far it has got.
    pub reading: (usize, usize),
    /// Consistency cases are needed and not yet asked for.
    pub cases_wanted: bool,
    /// A computation of them is under way on another thread.
    pub cases_computing: bool,
    /// The last computed, with the edit count it was computed for.
    pub cases_done: Option<(u64, Vec<nhan_model::review::Case>)>,
    /// `c` was pressed while the cases were being computed: jump when they
    /// arrive, unless another key came first.
    pub next_case_pending: bool,
    /// The span `}` last landed on: `}` from any other unreviewed span
    /// under the cursor (reached by `a`, the list, `g`) stays on it first.
    pub stepped: Option<nhan_model::ids::SpanId>,
    /// The spans and relations of articles read for the list and not
    /// resident, by article (see `kept`): the rows point into them.
    pub kept: Vec<Option<Kept>>,
    /// Documents read for the text around the rows on screen.
    pub context: Context,
    /// A key on a row whose article is being read: done when it arrives,
    /// unless another key came first.
    pub pending: Option<(usize, Pending)>,
}

impl Default for ReviewView {
    fn default() -> Self {
        ReviewView {
            whole_project: false,
            filter: ReviewFilter::All,
            label: None,
            text: String::new(),
            only_cases: false,
            rows: Vec::new(),
            selected: 0,
            cases: None,
            dirty: true,
            built_for: 0,
            adjudication: None,
            only_noted: false,
            attr: None,
            only_relations: false,
            follow: None,
            reading: (0, 0),
            cases_wanted: false,
            cases_computing: false,
            cases_done: None,
            next_case_pending: false,
            stepped: None,
            kept: Vec::new(),
            context: Default::default(),
            pending: None,
        }
    }
}

/// What review keeps of an article read for its list (see `kept`).
#[derive(Debug, Clone)]
pub struct Kept {
    pub spans: nhan_model::span::SpanStore,
    pub relations: Vec<nhan_model::relation::Relation>,
}

/// At most one overlay or prompt is open; keys go to it first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help {
        scroll: u16,
    },
    /// The message log: the last messages, whole.
    Messages {
        scroll: u16,
    },
    /// `t`: a label by name, or, while a relation is being made, its type.
    LabelPicker {
        filter: String,
        selected: usize,
        relation: bool,
    },
    /// `;` was pressed: the next key names a label by its own key.
    LabelKey,
    Search {
        input: String,
        /// `Alt-c`: match case and accents whatever the query (else smart:
        /// `core::search::Fold::smart`).
        exact: bool,
    },
    /// Typing the span list's text filter.
    FilterText {
        input: String,
    },
    /// Writing the note of a span or of the article.
    Note {
        target: NoteTarget,
        input: super::line_edit::LineEdit,
    },
    /// Choosing the attribute values of a span (its label's attributes);
    /// `input` is open while a free value is typed.
    Attrs {
        id: nhan_model::ids::SpanId,
        start: usize,
        selected: usize,
        input: Option<super::line_edit::LineEdit>,
    },
    /// The merge conflicts recorded in the current article's sidecar, one
    /// highlighted to settle (`watching`).
    /// `R`: the article's relations (`app::relating`).
    Relations {
        selected: usize,
    },
    Conflicts {
        selected: usize,
    },
    /// What re-anchoring moved in the current article, before `A`.
    Moved {
        scroll: u16,
    },
    /// A question about suggestions (accept all, approve a command).
    Suggest(super::suggestions::Prompt),
    /// The project at a glance.
    Dashboard(super::dashboard::View),
}

/// How many messages `M` shows.
pub const MESSAGE_LOG_LEN: usize = 50;

/// What a note editor writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteTarget {
    Span {
        id: nhan_model::ids::SpanId,
        start: usize,
    },
    Article,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Error,
    /// The error that an edit is not on disk: a later successful save
    /// replaces it with news that the retry worked.
    NotSaved,
}

impl MessageKind {
    pub fn is_error(self) -> bool {
        matches!(self, MessageKind::Error | MessageKind::NotSaved)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
}

/// A selection `[start, end)` in chars. Keys move its `active` edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub start: usize,
    pub end: usize,
    pub active: Edge,
    /// The span this selection was taken from (`]`, `[`): tagging a changed
    /// extent then moves that span instead of adding one.
    pub origin: Option<nhan_model::ids::SpanId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Start,
    End,
}

impl Selection {
    pub fn of_range(
        start: usize,
        end: usize,
        origin: Option<nhan_model::ids::SpanId>,
    ) -> Selection {
        Selection {
            start,
            end,
            active: Edge::End,
            origin,
        }
    }

    pub fn range(&self) -> (usize, usize) {
        (self.start, self.end)
    }

    /// The position of the edge that moves.
    pub fn head(&self) -> usize {
        match self.active {
            Edge::Start => self.start,
            Edge::End => self.end,
        }
    }
}

/// Whether the article on screen is on disk as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    Saved,
    /// A write was asked for and has not come back yet.
    Pending,
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct LastSearch {
    pub query: String,
    pub exact: bool,
    pub fold: nhan_model::search::Fold,
    pub matches: Vec<(usize, usize)>,
}

/// Why an open article takes no edits. The loaded article says why in
/// words; the cause decides what gets it out (`A`, fixing the file,
/// quitting the other nhan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadOnly {
    /// The sidecar could not be read or does not fit its article or the
    /// schema: it is never overwritten; fixing the file gets out.
    Sidecar(String),
    /// The article changed since it was annotated: spans were placed again
    /// and `A` accepts them.
    ArticleChanged(String),
    /// Another nhan holds the project lock.
    Locked(String),
}

impl std::fmt::Display for ReadOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadOnly::Sidecar(why) | ReadOnly::ArticleChanged(why) | ReadOnly::Locked(why) => {
                f.write_str(why)
            }
        }
    }
}

impl ReadOnly {
    /// Why `loaded` is read-only, with `lock` the lock problem of this
    /// session, if any.
    pub fn of(loaded: &nhan_store::project::Loaded, lock: Option<&str>) -> Option<ReadOnly> {
        match (&loaded.read_only, &loaded.reanchored) {
            (Some(why), Some(_)) => Some(ReadOnly::ArticleChanged(why.clone())),
            (Some(why), None) => Some(ReadOnly::Sidecar(why.clone())),
            (None, _) => lock.map(|why| ReadOnly::Locked(why.to_string())),
        }
    }
}

/// An article opened in this session: kept while the program runs, so
/// switching articles keeps each one's cursor and undo history.
#[derive(Debug, Clone)]
pub struct OpenArticle {
    pub index: usize,
    pub doc: Document,
    pub read_only: Option<ReadOnly>,
    pub history: History,
    pub cursor: usize,
    pub selection: Option<Selection>,
    /// First screen row shown.
    pub scroll: usize,
    pub layout: Layout,
    /// What `layout` was last brought up to date with (`app::refresh`).
    pub drawn: crate::view::drawn::Drawn,
    pub search_index: Option<SearchIndex>,
    pub save: SaveState,
    /// Spans placed again after the article changed, waiting for `A`.
    pub reanchored: Option<nhan_store::project::Reanchor>,
    /// Bumped on every edit; a save result for an older one is stale.
    pub revision: u64,
    /// The sidecar file as nhan last read or wrote it (`None`: there was
    /// none); a save first checks that it is still so.
    pub on_disk: Option<nhan_store::disk::DiskStamp>,
    /// What that file held: the common ancestor when someone else changed
    /// the file and it is merged with the edits here.
    pub base: nhan_model::sidecar::Snapshot,
    /// `>` was pressed: a relation is being made (`app::relating`).
    pub relating: Option<Relating>,
}

/// A relation being made: the span it starts from (its id, and where it
/// starts, to find it quickly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relating {
    pub from: nhan_model::ids::SpanId,
    pub start: usize,
}

impl OpenArticle {
    pub fn new(
        index: usize,
        loaded: nhan_store::project::Loaded,
        read_only: Option<ReadOnly>,
    ) -> OpenArticle {
        let cursor = loaded.doc.first_token_start();
        let base = loaded.doc.snapshot();
        OpenArticle {
            on_disk: loaded.on_disk,
            base,
            index,
            cursor,
            doc: loaded.doc,
            read_only,
            history: History::default(),
            selection: None,
            scroll: 0,
            layout: Layout::default(),
            drawn: Default::default(),
            search_index: None,
            save: SaveState::Saved,
            reanchored: loaded.reanchored,
            revision: 0,
            relating: None,
        }
    }

    /// The save of this article's current revision to `path`.
    pub fn save_effect(&self, path: std::path::PathBuf) -> Effect {
        Effect::Save {
            index: self.index,
            revision: self.revision,
            path,
            snapshot: self.doc.snapshot(),
            expected: self.on_disk,
        }
    }
}

/// An article as the list knows it: what the scan read, or, once it is
/// open, its live document. Status and span count are read from here, never
/// copied from the document by hand.
#[derive(Debug, Clone, Copy)]
pub enum Slot<'a> {
    Listed(&'a ArticleMeta),
    Open(&'a ArticleMeta, &'a OpenArticle),
}

impl<'a> Slot<'a> {
    /// File name, title and the problem the scan found.
    pub fn meta(self) -> &'a ArticleMeta {
        match self {
            Slot::Listed(m) | Slot::Open(m, _) => m,
        }
    }

    pub fn status(self) -> Status {
        match self {
            Slot::Listed(m) => m.status,
            Slot::Open(_, a) => a.doc.status(),
        }
    }

    pub fn span_count(self) -> usize {
        match self {
            Slot::Listed(m) => m.span_count,
            Slot::Open(_, a) => a.doc.spans().len(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct State {
    pub project: Project,
    pub config: Config,
    pub no_color: bool,
    pub focus: Focus,
    pub mode: Mode,
    pub review: ReviewView,
    /// Show only articles of this status in the list.
    pub list_filter: Option<nhan_model::status::Status>,
    pub overlay: Overlay,
    /// Highlighted row of the article list.
    pub list_selected: usize,
    pub articles: Vec<Option<OpenArticle>>,
    pub current: Option<usize>,
    pub last_search: Option<LastSearch>,
    pub message: Option<Message>,
    /// The last messages, oldest first (`M` shows them whole).
    pub message_log: std::collections::VecDeque<Message>,
    /// The message was set while handling the current key: `info_after`
    /// adds to it then, and only then.
    pub message_fresh: bool,
    pub size: (u16, u16),
    /// A mouse drag in progress started at this char.
    pub drag_from: Option<usize>,
    /// Another nhan holds the project lock: every article opens read-only.
    pub lock_problem: Option<String>,
    /// `q` was pressed once while edits were unsaved: the next `q` quits.
    pub quit_armed: bool,
    pub suggest: super::suggestions::SuggestState,
    pub dashboard: super::dashboard::Dashboard,
    /// The article being reopened where the user left it, and the cursor
    /// to put back once it is read (`session`).
    pub reopen: Option<(usize, usize)>,
    /// Articles a read is out for, and whether to open each when it comes
    /// back (an Enter while it was being read): an article is never read
    /// twice at once, which for a 10 MB article held two copies.
    pub being_read: std::collections::HashMap<usize, bool>,
}

impl State {
    pub fn new(project: Project, config: Config, size: (u16, u16)) -> State {
        let n = project.articles.len();
        let message = config.warnings.first().map(|w| Message {
            kind: MessageKind::Error,
            text: w.clone(),
        });
        State {
            project,
            config,
            no_color: false,
            focus: Focus::List,
            mode: Mode::Annotate,
            review: ReviewView::default(),
            list_filter: None,
            overlay: Overlay::None,
            list_selected: 0,
            articles: vec![None; n],
            current: None,
            last_search: None,
            message_log: message.iter().cloned().collect(),
            message_fresh: false,
            message,
            size,
            drag_from: None,
            lock_problem: None,
            quit_armed: false,
            suggest: Default::default(),
            dashboard: Default::default(),
            reopen: None,
            being_read: std::collections::HashMap::new(),
        }
    }

    pub fn article(&self) -> Option<&OpenArticle> {
        self.current.and_then(|i| self.articles[i].as_ref())
    }

    pub fn article_mut(&mut self) -> Option<&mut OpenArticle> {
        self.current.and_then(|i| self.articles[i].as_mut())
    }

    /// Every edit of every open article, counted by their revisions: what
    /// the review list and the consistency cases were computed for.
    pub fn edit_count(&self) -> u64 {
        self.articles
            .iter()
            .flatten()
            .fold(0u64, |n, a| n.wrapping_add(a.revision))
    }

    /// Review's rows no longer show the articles and filters.
    pub fn rows_stale(&self) -> bool {
        self.review.dirty || self.review.built_for != self.edit_count()
    }

    /// The spans of article `i` as review sees them: the live document's
    /// if it is resident, else what the list kept of it.
    pub fn review_spans(&self, i: usize) -> Option<&nhan_model::span::SpanStore> {
        match self.articles.get(i).and_then(Option::as_ref) {
            Some(a) => Some(a.doc.spans()),
            None => self.review.kept.get(i)?.as_ref().map(|k| &k.spans),
        }
    }

    /// Article `i`'s relations for the review list, as `review_spans`.
    pub fn review_relations(&self, i: usize) -> Option<&[nhan_model::relation::Relation]> {
        match self.articles.get(i).and_then(Option::as_ref) {
            Some(a) => Some(a.doc.relations()),
            None => self.review.kept.get(i)?.as_ref().map(|k| &k.relations[..]),
        }
    }

    /// Article `i`'s document for the text around a row: resident, or
    /// read for the list's context (`None`: not here yet).
    pub fn context_doc(&self, i: usize) -> Option<&Document> {
        match self.articles.get(i).and_then(Option::as_ref) {
            Some(a) => Some(&a.doc),
            None => self.review.context.get(i).map(|a| &a.doc),
        }
    }

    /// The span a review row shows, if it is one.
    pub fn row_span(&self, r: &ReviewRow) -> Option<&nhan_model::span::Span> {
        self.review_spans(r.article)?.find(r.span?, r.start)
    }

    /// Article `i` as the list shows it.
    pub fn slot(&self, i: usize) -> Slot<'_> {
        let meta = &self.project.articles[i];
        match self.articles.get(i).and_then(Option::as_ref) {
            Some(open) => Slot::Open(meta, open),
            None => Slot::Listed(meta),
        }
    }

    /// Every article as the list shows it, in list order.
    pub fn slots(&self) -> impl Iterator<Item = Slot<'_>> {
        (0..self.project.articles.len()).map(|i| self.slot(i))
    }

    /// Indices of the articles the list shows (its status filter applied).
    pub fn visible_articles(&self) -> Vec<usize> {
        (0..self.project.articles.len())
            .filter(|&i| self.list_filter.is_none_or(|f| self.slot(i).status() == f))
            .collect()
    }

    /// The article under the list's highlight.
    pub fn highlighted(&self) -> Option<usize> {
        self.visible_articles().get(self.list_selected).copied()
    }

    pub fn annotator(&self) -> Option<String> {
        self.config.annotator.clone()
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.say(MessageKind::Info, text.into());
    }

    /// An info message after what the same key already said ("accepted …;
    /// next …"). A message from an earlier key is replaced: a message says
    /// one thing.
    pub fn info_after(&mut self, text: impl Into<String>) {
        let text = text.into();
        match self.message.as_ref().filter(|_| self.message_fresh) {
            Some(m) => {
                let text = format!("{}; {text}", m.text);
                self.message_log.pop_back();
                self.info(text);
            }
            None => self.info(text),
        }
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.say(MessageKind::Error, text.into());
    }

    /// The warning that an edit could not be saved.
    pub fn not_saved(&mut self, text: impl Into<String>) {
        self.say(MessageKind::NotSaved, text.into());
    }

    fn say(&mut self, kind: MessageKind, text: String) {
        let m = Message { kind, text };
        if self.message_log.len() == MESSAGE_LOG_LEN {
            self.message_log.pop_front();
        }
        self.message_log.push_back(m.clone());
        self.message = Some(m);
        self.message_fresh = true;
    }

    /// The save of article `index` as it is now, if it is open.
    pub fn save_effect(&self, index: usize) -> Option<Effect> {
        let art = self.articles.get(index)?.as_ref()?;
        Some(
            art.save_effect(
                self.project
                    .sidecar_path(&self.project.articles[index].stem),
            ),
        )
    }

    /// Indices of the labels whose name or description matches `filter`.
    pub fn label_matches(&self, filter: &str) -> Vec<usize> {
        let f = filter.to_lowercase();
        self.project
            .schema
            .labels
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                l.name.to_lowercase().contains(&f) || l.description.to_lowercase().contains(&f)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The relation types whose name or description holds `filter`, by
    /// their place in `nhan.toml`.
    pub fn relation_type_matches(&self, filter: &str) -> Vec<usize> {
        let f = filter.to_lowercase();
        self.project
            .schema
            .relations
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                t.name.to_lowercase().contains(&f) || t.description.to_lowercase().contains(&f)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// What the picker lists: labels, or relation types.
    pub fn picker_matches(&self, filter: &str, relation: bool) -> Vec<usize> {
        if relation {
            self.relation_type_matches(filter)
        } else {
            self.label_matches(filter)
        }
    }
}

// What review keeps of the articles it reads (see `kept`): data only,
// so that `state` imports no handler.

/// Documents kept for the text around the list's rows: more than a
/// screen's rows can name, so scrolling back and forth reads nothing twice.
pub const CONTEXT_DOCS: usize = 64;

/// Documents read for the list's context, least recently used first out.
#[derive(Debug, Clone)]
pub struct Context {
    pub(super) docs: lru::LruCache<usize, OpenArticle>,
    /// Asked for and not back yet.
    pub(super) asked: HashSet<usize>,
    /// Made resident by the list (not opened by the user): let go again
    /// when the list moves on, unless edited.
    pub(super) borrowed: HashSet<usize>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            // Bounded by `put`'s `cap`.
            docs: lru::LruCache::unbounded(),
            asked: HashSet::new(),
            borrowed: HashSet::new(),
        }
    }
}

impl Context {
    pub fn get(&self, index: usize) -> Option<&OpenArticle> {
        self.docs.peek(&index)
    }

    pub(super) fn take(&mut self, index: usize) -> Option<OpenArticle> {
        self.docs.pop(&index)
    }

    pub(super) fn put(&mut self, art: OpenArticle, cap: usize) {
        self.docs
            .resize(std::num::NonZeroUsize::new(cap).unwrap_or(std::num::NonZeroUsize::MIN));
        self.docs.put(art.index, art);
    }

    pub(super) fn touch(&mut self, index: usize) {
        self.docs.promote(&index);
    }
}

/// What to do with the selected row once its article is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// Show it in the text (`j`, `k`).
    Show,
    /// A key that acts on the row (`Enter`, `a`, `x`, a label digit …).
    Act(super::action::Action),
}
