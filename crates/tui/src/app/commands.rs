//! The command table: for each action, where it applies and its handler,
//! made from the one list in `action`. `update` looks a command up here and
//! runs it; nothing else decides what an action does.

use super::action::{Action, with_commands};
use super::msg::Effect;
use super::state::{State, Step};
use super::{
    adjudicating, editing, general, glance, motion, noting, relating, reviewing, suggesting,
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
