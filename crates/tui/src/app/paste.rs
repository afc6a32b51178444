//! Pasted text (bracketed paste) and runs of typed characters into a
//! prompt: text for the prompt, never keys. A paste with a newline must
//! not submit a search and then run the rest as commands.

use super::msg::Effect;
use super::state::{Overlay, State};

/// What of `text` a one-line prompt takes: line breaks and tabs become
/// spaces, other control characters (an ESC sequence in the clipboard)
/// are dropped.
fn one_line(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Whether the overlay open now takes typed text.
pub fn prompt_open(state: &State) -> bool {
    matches!(
        state.overlay,
        Overlay::Search { .. }
            | Overlay::FilterText { .. }
            | Overlay::LabelPicker { .. }
            | Overlay::Note { .. }
            | Overlay::Attrs { input: Some(_), .. }
    )
}

pub fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    let add = one_line(text);
    if super::noting::paste(state, &add) {
        return vec![];
    }
    match &mut state.overlay {
        Overlay::Search { input, .. } => input.push_str(&add),
        Overlay::LabelPicker {
            filter, selected, ..
        } => {
            filter.push_str(&add);
            *selected = 0;
        }
        Overlay::FilterText { input } => {
            input.push_str(&add);
            // The list filters as you type: once for the whole paste.
            state.review.text = input.clone();
            state.review.selected = 0;
            return super::reviewing::follow_filter(state);
        }
        _ => state.error(
            "pasted text ignored: a paste is never read as keys; paste into a prompt (/ to search, t for labels)",
        ),
    }
    vec![]
}
