//! Every named thing a user can ask for. The keymap file names these in
//! snake_case; the help overlay describes them with `describe`.

macro_rules! actions {
    ($($variant:ident => $name:literal, $help:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }

            pub fn describe(self) -> &'static str {
                match self { $(Action::$variant => $help),* }
            }

            pub fn from_name(s: &str) -> Option<Action> {
                match s { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    ToggleFocus => "toggle_focus", "switch focus: article list / text";
    Quit => "quit", "quit (every edit is already saved)";
    Suspend => "suspend", "suspend to the shell (fg comes back)";
    Help => "help", "this help";
    Cancel => "cancel", "clear the selection, close a prompt or overlay";
    ListNext => "list_next", "next article";
    ListPrev => "list_prev", "previous article";
    Open => "open", "open the article, focus the text";
    TokenLeft => "token_left", "cursor to previous token";
    TokenRight => "token_right", "cursor to next token";
    LineDown => "line_down", "cursor down one screen line";
    LineUp => "line_up", "cursor up one screen line";
    PageDown => "page_down", "page down";
    PageUp => "page_up", "page up";
    Top => "top", "start of the article";
    Bottom => "bottom", "end of the article";
    Select => "select", "start (or drop) a selection at the cursor";
    ExtendLeft => "extend_left", "move the selection edge one token left";
    ExtendRight => "extend_right", "move the selection edge one token right";
    GraphemeLeft => "grapheme_left", "move the cursor / selection edge one character left";
    GraphemeRight => "grapheme_right", "move the cursor / selection edge one character right";
    SwapEdge => "swap_edge", "switch which selection edge moves";
    Tag1 => "tag_1", "tag with label 1 (relabel a span of the same extent)";
    Tag2 => "tag_2", "tag with label 2";
    Tag3 => "tag_3", "tag with label 3";
    Tag4 => "tag_4", "tag with label 4";
    Tag5 => "tag_5", "tag with label 5";
    Tag6 => "tag_6", "tag with label 6";
    Tag7 => "tag_7", "tag with label 7";
    Tag8 => "tag_8", "tag with label 8";
    Tag9 => "tag_9", "tag with label 9";
    LabelPicker => "label_picker", "label picker (type to filter, Enter to apply)";
    DeleteSpan => "delete_span", "delete the span at the cursor";
    Undo => "undo", "undo";
    Redo => "redo", "redo";
    NextSpan => "next_span", "next span (moves the cursor onto it and selects it)";
    PrevSpan => "prev_span", "previous span";
    Search => "search", "search (Enter selects the next match; Alt-c toggles case)";
    SearchNext => "search_next", "next match of the last search";
    SearchPrev => "search_prev", "previous match of the last search";
    TagAll => "tag_all", "tag every other occurrence of the selected span's text";
    ToggleDone => "toggle_done", "mark the article done (again: back to in progress)";
    AcceptChanges => "accept_changes", "accept re-anchored spans after the article changed";
    ReviewMode => "review_mode", "switch between annotating and reviewing";
    Adjudicate => "adjudicate", "adjudicate this article: the annotators' spans side by side";
    FilterStatus => "filter_status", "show only articles of the next status";
    Accept => "accept", "accept the span (your name goes on it), go to the next unreviewed";
    Reject => "reject", "reject the span: remove it and record the rejection";
    NextUnreviewed => "next_unreviewed", "next unreviewed span";
    PrevUnreviewed => "prev_unreviewed", "previous unreviewed span";
    MarkReviewed => "mark_reviewed", "mark the article reviewed (every span must be reviewed)";
    NextCase => "next_inconsistency", "next consistency case in the project";
    RowNext => "row_next", "next span in the list";
    RowPrev => "row_prev", "previous span in the list";
    Jump => "jump", "show the span in the text pane";
    ToggleScope => "toggle_scope", "list spans of this article / the whole project";
    FilterReview => "filter_review_state", "show all / unreviewed / reviewed spans";
    FilterLabel => "filter_label", "show only the next label";
    FilterText => "filter_text", "filter spans by their text";
    FilterCases => "filter_inconsistent", "show only consistency cases";
}

impl Action {
    /// The label index (0-based) a `tag_N` action applies.
    pub fn tag_index(self) -> Option<usize> {
        let n = self.name().strip_prefix("tag_")?.parse::<usize>().ok()?;
        Some(n - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(a));
            assert!(seen.insert(a.name()));
        }
        assert_eq!(Action::Tag3.tag_index(), Some(2));
        assert_eq!(Action::TagAll.tag_index(), None);
    }
}
