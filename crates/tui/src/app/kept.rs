//! What review holds of the articles it reads but nobody edits. The
//! project-wide list needs every article's spans, not every article: an
//! article read for the list gives its spans (`ReviewView::kept`, shared
//! with the document, not copied) and its text goes. The text around the
//! rows on screen comes from a few dozen documents read again on demand
//! (`Context`); acting on a row makes its article resident
//! (`State::articles`) as opening it does, and an article the list made
//! resident goes back once the list has moved on, if it was not edited.

use super::geometry;
use super::msg::Effect;
use super::state::{CONTEXT_DOCS, Kept, OpenArticle, Pending, ReadOnly, SaveState, State};
use nhan_store::project::Loaded;

/// What the list keeps of a document: its spans (shared, not copied) and
/// its relations.
fn kept_of(doc: &nhan_model::document::Document) -> Kept {
    Kept {
        spans: doc.spans().clone(),
        relations: doc.relations().to_vec(),
    }
}

/// An article read for the list came back: its spans and relations stay,
/// the rest goes.
pub fn read_for_list(state: &mut State, index: usize, loaded: Loaded) {
    let kept = &mut state.review.kept;
    if kept.len() <= index {
        kept.resize(state.project.articles.len().max(index + 1), None);
    }
    kept[index] = Some(kept_of(&loaded.doc));
}

/// The articles of the rows on screen whose text is not here yet: read
/// them (never on this thread), and keep the ones here from going first.
pub fn wanted(state: &mut State) -> Vec<Effect> {
    if state.mode != super::state::Mode::Review || state.rows_stale() {
        return vec![];
    }
    let panes = geometry::panes(state.size, state.focus, state.mode);
    let Some(area) = panes.spans else {
        return vec![];
    };
    let visible = geometry::inner(area).height as usize;
    let first = geometry::list_offset(state.review.selected, visible);
    let mut on_screen: Vec<usize> = state
        .review
        .rows
        .iter()
        .skip(first)
        .take(visible)
        .map(|r| r.article)
        .collect();
    on_screen.dedup();
    let mut effects = Vec::new();
    for i in on_screen {
        // An article that could not be read is not asked for again and
        // again: its row shows its span.
        let unreadable = state.project.articles[i].problem.is_some();
        if unreadable || state.articles.get(i).is_some_and(Option::is_some) {
            continue;
        }
        let ctx = &mut state.review.context;
        if ctx.get(i).is_some() {
            ctx.touch(i);
        } else if ctx.asked.insert(i) {
            effects.push(Effect::LoadContext {
                index: i,
                file_name: state.project.articles[i].file_name.clone(),
            });
        }
    }
    effects
}

/// How many documents the context keeps: every row on screen can name a
/// different article.
fn cap(state: &State) -> usize {
    CONTEXT_DOCS.max(2 * state.size.1 as usize)
}

/// An article read for the context came back. If a key was waiting for
/// it, the key is done now.
/// The key that was waiting for this article, if any, comes back for
/// `update` to run (`reviewing::resume`): this module stays below
/// `reviewing`, which calls it.
pub fn arrived(
    state: &mut State,
    index: usize,
    result: Result<Box<Loaded>, nhan_store::project::LoadError>,
) -> Option<Pending> {
    state.review.context.asked.remove(&index);
    if state.articles.get(index).is_some_and(Option::is_some) {
        return None;
    }
    let loaded = match result {
        Ok(l) => *l,
        Err(e) => {
            std::sync::Arc::make_mut(&mut state.project.articles)[index].problem =
                Some(e.to_string());
            if state.review.pending.is_some_and(|(a, _)| a == index) {
                state.review.pending = None;
                state.error(e.to_string());
            }
            return None;
        }
    };
    let read_only = ReadOnly::of(&loaded, state.lock_problem.as_deref());
    let cap = cap(state);
    state
        .review
        .context
        .put(OpenArticle::new(index, loaded, read_only), cap);
    match state.review.pending {
        Some((a, then)) if a == index => {
            state.review.pending = None;
            // "reading …" is over; what the key does says the rest.
            state.message = None;
            Some(then)
        }
        _ => None,
    }
}

/// Makes article `index` resident for a row of the list: from the
/// context, without reading. `Err`: it is being read, with the read to
/// start if `wanted` has not asked for it yet; the caller says what waits.
pub fn make_resident(state: &mut State, index: usize) -> Result<(), Vec<Effect>> {
    if state.articles.get(index).is_some_and(Option::is_some) {
        return Ok(());
    }
    if let Some(art) = state.review.context.take(index) {
        state.articles[index] = Some(art);
        state.review.context.borrowed.insert(index);
        if let Some(k) = state.review.kept.get_mut(index) {
            *k = None;
        }
        return Ok(());
    }
    let mut read = Vec::new();
    if state.review.context.asked.insert(index) {
        read.push(Effect::LoadContext {
            index,
            file_name: state.project.articles[index].file_name.clone(),
        });
    }
    Err(read)
}

/// The list has moved on from article `index`: if it only made it
/// resident and nothing was changed there, it goes back to being a list
/// entry (its spans) and a context document.
pub fn let_go(state: &mut State, index: usize) {
    if state.current == Some(index) || !state.review.context.borrowed.contains(&index) {
        return;
    }
    let untouched = state
        .articles
        .get(index)
        .and_then(Option::as_ref)
        .is_some_and(|a| a.revision == 0 && a.save == SaveState::Saved && a.reanchored.is_none());
    if !untouched {
        return;
    }
    let Some(mut art) = state.articles[index].take() else {
        return;
    };
    state.review.context.borrowed.remove(&index);
    art.layout = Default::default();
    art.search_index = None;
    let kept = &mut state.review.kept;
    if kept.len() <= index {
        kept.resize(state.project.articles.len().max(index + 1), None);
    }
    kept[index] = Some(kept_of(&art.doc));
    let cap = cap(state);
    state.review.context.put(art, cap);
}

/// The user opened article `index` (Enter, a load for editing): it is
/// theirs now, not the list's.
pub fn opened(state: &mut State, index: usize) {
    state.review.context.borrowed.remove(&index);
    state.review.context.take(index);
    if let Some(k) = state.review.kept.get_mut(index) {
        *k = None;
    }
}
