//! `u` / `Ctrl-R`: the one place that decides which history a step applies
//! to. A rejected suggestion has its own (the rejections file), with a
//! marker in the document's history; everything else is the document's
//! edits, told as decisions while adjudicating.

use super::msg::Effect;
use super::state::{State, Step};

/// `in_list`: pressed in review's span list, whose rows are the document's
/// spans, so its steps are the document's edits.
pub fn undo_redo(state: &mut State, step: Step, in_list: bool) -> Vec<Effect> {
    if !in_list && super::suggesting::rejection_on_top(state, step) {
        return super::suggesting::step_rejection(state, step);
    }
    super::adjudicating::undo_redo(state, step)
}
