//! The open article's layout (with its suggestions drawn, and where it is
//! scrolled) is brought up to date here, once, at the end of each `update`:
//! handlers change the document and say which extent they changed, and
//! never wrap the text themselves, so one key wraps it at most once however
//! many handlers it passes through.

use super::geometry;
use super::motion::follow;
use super::state::State;
use crate::view::drawn::Since;
use crate::view::wrap::{Ghost, Layout};

/// The current article's layout: wrapped afresh at a new width, else its
/// changed rows (edits since the revision it shows, suggestions that came
/// or went) flowed again in one pass; then scrolled so the cursor shows.
pub fn layout(state: &mut State) {
    let inner = geometry::text_inner(state.size, state.mode);
    let (w, h) = (inner.width.max(1), inner.height as usize);
    let Some(index) = state.current else {
        return;
    };
    let (list, version) = match state.suggest.articles.get(&index) {
        Some(e) if !state.suggest.hidden && !e.list.is_empty() => (&e.list[..], e.version),
        _ => (&[][..], 0),
    };
    let Some(art) = state.articles.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    let drawn = art.layout.ghosts();
    let same_ghosts = art.layout.ghosts_version == version;
    // Every change of a list changes its version: a check in the tests'
    // builds that none was missed.
    debug_assert!(
        !same_ghosts
            || drawn.len() == list.len()
                && drawn
                    .iter()
                    .zip(list)
                    .all(|(g, s)| (g.start, g.end, g.label) == (s.start, s.end, s.label)),
        "the suggestion list changed without a new version"
    );
    let ghosts = || {
        list.iter()
            .map(|s| Ghost {
                start: s.start,
                end: s.end,
                label: s.label,
            })
            .collect::<Vec<_>>()
    };
    let since = art.drawn.catch_up(art.revision);
    if art.layout.width != w || art.layout.rows() == 0 || since == Since::Unknown {
        // Only the first screen; `follow` wraps on to the cursor.
        let ghosts = if same_ghosts { drawn } else { ghosts().into() };
        art.layout = Layout::up_to_with(&art.doc, w, h, ghosts);
    } else {
        let keep = art.scroll + h + 1;
        let changed = match since {
            Since::Spans(r) => Some(r),
            _ => None,
        };
        art.layout
            .refresh(&art.doc, changed, (!same_ghosts).then(ghosts), keep);
    }
    art.layout.ghosts_version = version;
    follow(art, h);
}
