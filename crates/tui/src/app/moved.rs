//! What re-anchoring did to an article that changed since it was
//! annotated, shown before `A` accepts it: the spans found again at
//! another place (their own words were edited, or, without the old text,
//! found by their words alone) and the ones not placed. Spans whose words
//! were untouched kept their place or shifted with the edit and are only
//! counted.

use super::action::Action;
use super::editing;
use super::keymap::Context;
use super::keys::{Code, Key};
use super::msg::Effect;
use super::state::{OpenArticle, Overlay, State};

/// The overlay's lines for `art`, empty when nothing waits for `A`.
pub fn lines(art: &OpenArticle) -> Vec<String> {
    let Some(r) = &art.reanchored else {
        return Vec::new();
    };
    let shifted = r.moved.saturating_sub(r.searched.len());
    let moved = if shifted > 0 {
        format!(", {shifted} kept their words and moved with the edit")
    } else {
        String::new()
    };
    let mut v = vec![format!(
        "{} changed since it was annotated. {} span(s) kept their words and their place{moved}.",
        art.doc.file_name(),
        r.kept
    )];
    if !r.by_diff {
        v.push(
            "The text it was annotated on is not at hand (not in git, not opened here before): the others were looked for by their words."
                .into(),
        );
    }
    if !r.searched.is_empty() {
        v.push(String::new());
        v.push(if r.by_diff {
            format!(
                "Found again elsewhere ({}), their words were edited:",
                r.searched.len()
            )
        } else {
            format!(
                "Found again elsewhere ({}), by their words alone: check them.",
                r.searched.len()
            )
        });
        v.extend(
            r.searched
                .iter()
                .map(|(from, s)| format!("  {} “{}”  {from} → {}", s.label, s.text, s.start)),
        );
    }
    if !r.orphans.is_empty() {
        v.push(String::new());
        v.push(format!(
            "Not placed ({}), kept under \"orphans\" when you accept:",
            r.orphans.len()
        ));
        v.extend(
            r.orphans
                .iter()
                .map(|s| format!("  {} “{}”  was at {}", s.label, s.text, s.start)),
        );
    }
    v.push(String::new());
    v.push("A accepts; any other key looks at the article first (read-only until A).".into());
    v
}

/// Opens the overlay if the current article waits for `A`.
pub fn show(state: &mut State) {
    if state.article().is_some_and(|a| a.reanchored.is_some()) {
        state.overlay = Overlay::Moved { scroll: 0 };
    }
}

/// A key while the overlay is open: j/k scroll, the accept key accepts,
/// anything else closes it.
pub fn key(state: &mut State, key: Key, scroll: u16) -> Vec<Effect> {
    let accept =
        state.config.keymap.lookup_in(&[Context::Text], key) == Some(Action::AcceptChanges);
    match key.code {
        _ if accept => return editing::accept_changes(state),
        Code::Char('j') | Code::Down => {
            state.overlay = Overlay::Moved {
                scroll: scroll.saturating_add(1),
            }
        }
        Code::Char('k') | Code::Up => {
            state.overlay = Overlay::Moved {
                scroll: scroll.saturating_sub(1),
            }
        }
        _ => {}
    }
    vec![]
}
