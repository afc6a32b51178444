//! Where the user was: the article and cursor of each project, reopened
//! at the next start. Kept in the user's own state file (beside the
//! config, `state.json`), never in the project: a project folder is
//! shared, and one person's place is nobody else's.

use super::msg::Effect;
use super::state::State;
pub use nhan_store::session::{Place, load, path, save};

/// Where the user is now: the open article and its cursor.
pub fn current(state: &State) -> Option<Place> {
    let art = state.article()?;
    Some(Place {
        article: art.doc.file_name().to_string(),
        cursor: art.cursor,
    })
}

/// Opens `place`'s article (the list follows) and puts the cursor back
/// once it is read; an article that is gone is passed over in silence.
pub fn reopen(state: &mut State, place: Place) -> Vec<Effect> {
    let Some(index) = state
        .project
        .articles
        .iter()
        .position(|a| a.file_name.as_str() == place.article)
    else {
        return vec![];
    };
    let Some(row) = state.visible_articles().iter().position(|&i| i == index) else {
        return vec![];
    };
    state.list_selected = row;
    state.reopen = Some((index, place.cursor));
    let effects = super::general::open_selected(state);
    arrived(state, index);
    effects
}

/// An article was opened: if it is the one being reopened, the cursor
/// goes back where it was (on a character boundary of the text as it is now).
pub fn arrived(state: &mut State, index: usize) {
    let Some((i, cursor)) = state.reopen else {
        return;
    };
    if i != index {
        return;
    }
    let Some(art) = state.articles.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    state.reopen = None;
    let text = art.doc.text();
    let mut at = cursor.min(text.len_chars());
    while at > 0 && !text.is_grapheme_boundary(at) {
        at -= 1;
    }
    art.cursor = at;
    art.selection = None;
    // A notice about the article (read-only, conflicts) matters more.
    if state.message.is_none() {
        state.info(format!(
            "reopened where you left off: {} @{at}",
            state.project.articles[index].stem
        ));
    }
}
