//! The command table: for each action, where it applies and its handler,
//! made from the one list in `action`, and what it does instead in review's
//! span list (`in_list`). `update` looks a command up here and runs it;
//! nothing else decides what an action does.

use super::action::{Action, with_commands};
use super::msg::Effect;
use super::state::{State, Step};
use super::{
    adjudicating, editing, general, glance, motion, noting, relating, reviewing, suggesting, undo,
    watching,
};

/// What a command does to the state, and the I/O it asks for.
pub type Handler = fn(&mut State, Action) -> Vec<Effect>;

/// Where a command applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Whatever has the focus.
    Anywhere,
    /// The open article (in the span list: the selected row's article).
    Article,
}

#[derive(Clone, Copy)]
pub struct Command {
    pub scope: Scope,
    pub run: Handler,
}

/// Commands of review mode's span list (moving in it, its filters): the
/// list handles them; with the text focused they do nothing.
fn span_list_only(_: &mut State, _: Action) -> Vec<Effect> {
    Vec::new()
}

/// What an action of the open article (`Scope::Article`) does in review's
/// span list, where it acts on the selected row rather than at the cursor.
pub fn in_list(a: Action) -> Handler {
    use Action::*;
    match a {
        ExtendLeft | ExtendRight | GraphemeLeft | GraphemeRight | SwapEdge => reviewing::fix_edge,
        RowNext | RowPrev => reviewing::step_row,
        Jump => reviewing::jump,
        ToggleScope | FilterReview | FilterLabel | FilterText | FilterNoted | FilterAttr
        | FilterCases => reviewing::filter,
        Accept => |s, a| reviewing::on_row(s, a, reviewing::accept_row),
        Reject => |s, a| reviewing::on_row(s, a, reviewing::reject_row),
        Tag(_) => |s, a| reviewing::on_row(s, a, reviewing::tag_row),
        MarkReviewed => |s, a| reviewing::on_row(s, a, reviewing::text_action),
        Undo => |s, a| reviewing::on_row(s, a, |s, _| undo::undo_redo(s, Step::Back, true)),
        Redo => |s, a| reviewing::on_row(s, a, |s, _| undo::undo_redo(s, Step::Forward, true)),
        EditNote => |s, a| reviewing::on_row(s, a, |s, _| noting::edit_note(s)),
        ArticleNote => |s, a| reviewing::on_row(s, a, |s, _| noting::article_note(s)),
        Attributes => |s, a| reviewing::on_row(s, a, |s, _| noting::attr_picker(s)),
        _ => |s, a| reviewing::on_row(s, a, |_, _| Vec::new()),
    }
}

macro_rules! define_table {
    ($($variant:ident $(($param:ty))? => $name:literal, $help:literal, $scope:ident, $handler:expr;)*) => {
        /// The command `a` names.
        pub fn command(a: Action) -> Command {
            match a {
                $(Action::$variant { .. } => Command { scope: Scope::$scope, run: $handler }),*
            }
        }
    };
}

with_commands!(define_table);
