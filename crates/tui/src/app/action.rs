//! Every named thing a user can ask for, in one list: its name in the
//! keymap file, its help text, where it applies and the handler that does
//! it. `Action` (the data the keymap holds) is made from the list here;
//! `commands` makes the handler table from the same list, so a command and
//! its handler can never drift apart.
//!
//! Each entry: `Variant => "name", "help", Scope, handler;` where the
//! handler is an expression of type `fn(&mut State, Action) -> Vec<Effect>`
//! read in `commands`' scope. `Article` commands need an open article and
//! in review mode's span list run what `commands::in_list` gives for them
//! (on the selected row); `span_list_only` ones do nothing elsewhere. `Tag(n)` carries its label number as data and
//! is named `"tag N"` in the keymap file.

/// Calls `$m!` with the list of commands.
macro_rules! with_commands {
    ($m:ident) => {
        $m! {
            ToggleFocus => "toggle_focus", "switch focus: article list / text", Anywhere, |s, _| general::toggle_focus(s);
            Quit => "quit", "quit (every edit is already saved)", Anywhere, |s, _| general::quit(s);
            Suspend => "suspend", "suspend to the shell (fg comes back)", Anywhere, |s, _| general::suspend(s);
            Help => "help", "this help", Anywhere, |s, _| general::help(s);
            Dashboard => "dashboard", "the project at a glance: progress, annotators, labels, agreement, suggestions", Anywhere, |s, _| glance::open(s);
            Messages => "messages", "the last messages, whole", Anywhere, |s, _| general::messages(s);
            Cancel => "cancel", "clear the selection, close a prompt or overlay", Anywhere, |s, _| general::cancel(s);
            ListNext => "list_next", "next article", Anywhere, |s, _| general::list_next(s);
            ListPrev => "list_prev", "previous article", Anywhere, |s, _| general::list_prev(s);
            Open => "open", "open the article, focus the text", Anywhere, |s, _| general::open(s);
            TokenLeft => "token_left", "cursor to previous token (ends a selection)", Article, motion::run;
            TokenRight => "token_right", "cursor to next token (ends a selection)", Article, motion::run;
            LineDown => "line_down", "cursor down one screen line", Article, motion::run;
            LineUp => "line_up", "cursor up one screen line", Article, motion::run;
            LineStart => "line_start", "cursor to the first word of the screen line", Article, motion::run;
            PageDown => "page_down", "page down", Article, motion::run;
            PageUp => "page_up", "page up", Article, motion::run;
            Top => "top", "start of the article", Article, motion::run;
            Bottom => "bottom", "end of the article", Article, motion::run;
            Select => "select", "start (or drop) a selection at the cursor", Article, motion::run;
            ExtendLeft => "extend_left", "move the selection edge one token left (or start one)", Article, motion::run;
            ExtendRight => "extend_right", "move the selection edge one token right (or start one)", Article, motion::run;
            GraphemeLeft => "grapheme_left", "move the cursor / selection edge one character left", Article, motion::run;
            GraphemeRight => "grapheme_right", "move the cursor / selection edge one character right", Article, motion::run;
            SwapEdge => "swap_edge", "switch which selection edge moves", Article, motion::run;
            SelectName => "select_name", "select a name (capitalised words); again: grow to the next (on a span: inside it)", Article, motion::run;
            SelectInside => "select_inside", "select inside the selected span, from its next capitalised word; again: further in", Article, motion::run;
            NextName => "next_name", "select the next name (capitalised words)", Article, motion::run;
            ExtendToPhraseEnd => "extend_to_phrase_end", "move the selection end to the end of the phrase", Article, motion::run;
            Tag(u8) => "tag", "tag with label N (relabel a span of the same extent; on a suggestion: accept it as N)", Article, suggesting::tag_action;
            LabelKey => "label_key", "tag with the label whose own key comes next (labels past the ninth)", Anywhere, |s, _| editing::label_key(s);
            LabelPicker => "label_picker", "label picker (type to filter, Enter to apply); while making a relation, its type", Article, |s, _| editing::label_picker(s);
            Relate => "relate", "start a relation from the span at the cursor: go to the other span, then a type's digit or Enter", Article, |s, _| relating::start(s);
            Relations => "relations", "the article's relations: Enter / t go to either end, x deletes, a digit retypes", Article, |s, _| relating::open_list(s);
            DeleteSpan => "delete_span", "delete the span at the cursor", Article, |s, _| editing::delete(s);
            Undo => "undo", "undo", Article, |s, _| undo::undo_redo(s, Step::Back, false);
            Redo => "redo", "redo", Article, |s, _| undo::undo_redo(s, Step::Forward, false);
            NextSpan => "next_span", "next span (moves the cursor onto it and selects it)", Article, motion::run;
            PrevSpan => "prev_span", "previous span (the one before the cursor: after a tag, the span just tagged)", Article, motion::run;
            Search => "search", "search, ignoring case and accents the query leaves out", Article, |s, _| motion::open_search(s);
            SearchNext => "search_next", "next match of the last search", Article, motion::run;
            SearchPrev => "search_prev", "previous match of the last search", Article, motion::run;
            TagAll => "tag_all", "tag every other occurrence of the selected span's text", Article, |s, _| editing::tag_all(s);
            ToggleDone => "toggle_done", "mark the article done (again: back to in progress)", Article, |s, _| editing::toggle_done(s);
            AcceptChanges => "accept_changes", "accept re-anchored spans after the article changed", Article, |s, _| editing::accept_changes(s);
            SettleConflicts => "settle_conflicts", "merge conflicts of this article (o keeps yours, t takes theirs)", Article, |s, _| watching::open(s);
            NextSuggestion => "next_suggestion", "cursor to the next suggestion", Article, |s, _| suggesting::step(s, Step::Forward);
            PrevSuggestion => "prev_suggestion", "cursor to the previous suggestion", Article, |s, _| suggesting::step(s, Step::Back);
            AcceptSuggestion => "accept_suggestion", "accept the suggestion at the cursor, go to the next", Article, |s, _| suggesting::accept(s);
            RejectSuggestion => "reject_suggestion", "reject the suggestion at the cursor (not proposed again), go to the next", Article, |s, _| suggesting::reject(s);
            EditSuggestion => "edit_suggestion", "select the suggestion to move its edges; a digit then tags it", Article, |s, _| suggesting::edit(s);
            AcceptAllSuggestions => "accept_all_suggestions", "accept every suggestion in the article (asks: all, a label, a minimum score)", Article, |s, _| suggesting::accept_all_prompt(s);
            ToggleSuggestions => "toggle_suggestions", "hide / show suggestions", Anywhere, |s, _| suggesting::toggle(s);
            ReviewRecommender => "review_recommender", "ask about a recommender from nhan.toml waiting for approval (only typing approve allows it)", Anywhere, |s, _| suggesting::review_trust(s);
            ReviewMode => "review_mode", "switch between annotating and reviewing", Anywhere, |s, _| reviewing::toggle_mode(s);
            Adjudicate => "adjudicate", "adjudicate this article: the annotators' spans side by side", Anywhere, |s, _| adjudicating::start(s);
            FilterStatus => "filter_status", "show only articles of the next status", Anywhere, |s, _| general::filter_status(s);
            Accept => "accept", "accept the span (your name goes on it), go to the next unreviewed", Article, reviewing::text_action;
            Reject => "reject", "reject the span: remove it and record the rejection", Article, reviewing::text_action;
            NextUnreviewed => "next_unreviewed", "next unreviewed span", Article, reviewing::text_action;
            PrevUnreviewed => "prev_unreviewed", "previous unreviewed span", Article, reviewing::text_action;
            MarkReviewed => "mark_reviewed", "mark the article reviewed (every span must be reviewed)", Article, reviewing::text_action;
            NextCase => "next_inconsistency", "next consistency case in the project", Article, reviewing::text_action;
            RowNext => "row_next", "next span in the list", Article, span_list_only;
            RowPrev => "row_prev", "previous span in the list", Article, span_list_only;
            Jump => "jump", "show the span in the text pane", Article, span_list_only;
            ToggleScope => "toggle_scope", "list spans of this article / the whole project", Article, span_list_only;
            FilterReview => "filter_review_state", "show all / unreviewed / reviewed spans", Article, span_list_only;
            FilterLabel => "filter_label", "show only the next label, then only relations", Article, span_list_only;
            FilterText => "filter_text", "filter spans by their text", Article, span_list_only;
            FilterCases => "filter_inconsistent", "show only consistency cases", Article, span_list_only;
            EditNote => "edit_note", "write the note of the span at the cursor (empty removes it)", Article, |s, _| noting::edit_note(s);
            ArticleNote => "article_note", "write the note of the whole article", Article, |s, _| noting::article_note(s);
            Attributes => "attributes", "set the attributes of the span at the cursor (its label's, from nhan.toml)", Article, |s, _| noting::attr_picker(s);
            FilterNoted => "filter_noted", "show only spans with a note (flagged for discussion)", Article, span_list_only;
            FilterAttr => "filter_attribute", "show only spans with the next attribute value", Article, span_list_only;
        }
    };
}
pub(crate) use with_commands;

/// The label numbers `Tag` takes: labels are bound to 1…9 in schema order.
pub const TAGS: std::ops::RangeInclusive<u8> = 1..=9;

macro_rules! define_action {
    ($($variant:ident $(($param:ty))? => $name:literal, $help:literal, $scope:ident, $handler:expr;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant $(($param))?),* }

        impl Action {
            /// Every action in the order of the list (what the help shows);
            /// a parameterised one once per value (`Tag(1)` … `Tag(9)`).
            pub fn all() -> &'static [Action] {
                static ALL: std::sync::LazyLock<Vec<Action>> = std::sync::LazyLock::new(|| {
                    let mut all: Vec<Action> = Vec::with_capacity(64);
                    $(define_action!(@push all $variant $(($param))?);)*
                    all
                });
                &ALL
            }

            /// The name in the keymap file, without a parameter.
            fn base_name(self) -> &'static str {
                match self { $(Action::$variant { .. } => $name),* }
            }

            pub fn describe(self) -> &'static str {
                match self { $(Action::$variant { .. } => $help),* }
            }

            fn from_base_name(s: &str) -> Option<Action> {
                match s { $($name => define_action!(@unit $variant $(($param))?),)* _ => None }
            }
        }
    };
    (@push $all:ident $variant:ident) => { $all.push(Action::$variant) };
    // The one parameterised action is `Tag`, over the label numbers.
    (@push $all:ident $variant:ident ($param:ty)) => { $all.extend(TAGS.map(Action::$variant)) };
    (@unit $variant:ident) => { Some(Action::$variant) };
    (@unit $variant:ident ($param:ty)) => { None };
}

with_commands!(define_action);

impl Action {
    /// The name in the keymap file: `"undo"`, `"tag 3"`.
    pub fn name(self) -> String {
        match self {
            Action::Tag(n) => format!("tag {n}"),
            other => other.base_name().to_string(),
        }
    }

    /// The action a keymap file names. `tag_3`, the spelling of earlier
    /// versions, still means `tag 3`, so existing user keymaps keep working.
    pub fn from_name(s: &str) -> Option<Action> {
        let tag = s
            .strip_prefix("tag ")
            .or_else(|| s.strip_prefix("tag_"))
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| TAGS.contains(n));
        match tag {
            Some(n) => Some(Action::Tag(n)),
            None => Action::from_base_name(s),
        }
    }

    /// The label index (0-based) a `Tag` action applies.
    pub fn tag_index(self) -> Option<usize> {
        match self {
            Action::Tag(n) => Some(usize::from(n) - 1),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &a in Action::all() {
            assert_eq!(Action::from_name(&a.name()), Some(a));
            assert!(seen.insert(a.name()));
        }
        assert_eq!(Action::all().len(), 84);
        assert_eq!(Action::Tag(3).tag_index(), Some(2));
        assert_eq!(Action::TagAll.tag_index(), None);
    }

    #[test]
    fn tags_are_named_with_their_number_and_the_old_spelling_still_works() {
        assert_eq!(Action::Tag(3).name(), "tag 3");
        assert_eq!(Action::from_name("tag 3"), Some(Action::Tag(3)));
        assert_eq!(Action::from_name("tag_3"), Some(Action::Tag(3)));
        assert_eq!(Action::from_name("tag 0"), None);
        assert_eq!(Action::from_name("tag 10"), None);
        assert_eq!(Action::from_name("tag"), None);
    }
}
