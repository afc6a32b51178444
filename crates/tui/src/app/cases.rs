//! Review's consistency cases, asked of the runtime (computed on another
//! thread from the project on disk) rather than computed here: over
//! 10,000 articles that took seconds in which no key was handled.

use super::msg::Effect;
use super::state::State;
use nhan_model::review::Case;

/// A result computed for another count of edits is out of date.
fn fingerprint(state: &State) -> u64 {
    state.edit_count()
}

/// The cases if they are current; otherwise asks for them (see `asked`).
pub fn ensure(state: &mut State) {
    if state.review.cases.is_some() {
        return;
    }
    let fp = fingerprint(state);
    match &state.review.cases_done {
        Some((done, cases)) if *done == fp => state.review.cases = Some(cases.clone()),
        _ => state.review.cases_wanted = true,
    }
}

/// After a message: the computation to start, if the cases are wanted and
/// none is under way.
pub fn asked(state: &mut State) -> Vec<Effect> {
    let rv = &mut state.review;
    if !rv.cases_wanted || rv.cases_computing || rv.cases.is_some() {
        return vec![];
    }
    rv.cases_wanted = false;
    rv.cases_computing = true;
    vec![Effect::ComputeCases {
        fingerprint: fingerprint(state),
    }]
}

/// A computation came back: taken if no edit happened meanwhile, else
/// asked again when next wanted.
pub fn computed(state: &mut State, fp: u64, cases: Vec<Case>) -> bool {
    state.review.cases_computing = false;
    let current = fp == fingerprint(state);
    if current {
        state.review.cases = Some(cases.clone());
        state.review.dirty = true;
    }
    state.review.cases_done = Some((fp, cases));
    current
}
