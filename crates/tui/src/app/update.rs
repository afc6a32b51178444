//! `update(&mut State, Msg) -> Vec<Effect>`: the only code that changes the
//! state. It never touches the disk or the terminal: what must be read or
//! written is returned as an `Effect` and its result comes back as a `Msg`.

use super::action::Action;
use super::commands::{self, Scope};
use super::general;
use super::geometry::{self, LIST_ITEM_HEIGHT};
use super::keymap::Context;
use super::keys::Key;
use super::motion;
use super::msg::Written;
use super::msg::{Effect, Mouse, MouseKind, Msg};
use super::picking;
use super::reviewing;
use super::scrolling;
use super::state::{
    Focus, MessageKind, Mode, OpenArticle, Overlay, Pending, ReadOnly, SaveState, State,
};
use super::suggesting;
use super::watching;
use nhan_store::project::Loaded;

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    // An article read for review's list: the list is rebuilt when the last
    // one is in, or with the next key or tick, never once per article
    // (10,000 rebuilds of a growing list blocked every key).
    let background = matches!(msg, Msg::Loaded { open: false, .. });
    if background {
        state.review.reading.0 = state.review.reading.0.saturating_sub(1);
    }
    if matches!(msg, Msg::Key(_) | Msg::Action(_) | Msg::Mouse(_)) {
        state.review.next_case_pending = false;
        state.review.pending = None;
    }
    let mut effects = dispatch(state, msg);
    let settled = !background || state.review.reading.0 == 0;
    if state.mode == Mode::Review && settled && state.rows_stale() {
        reviewing::rebuild_rows(state);
        super::adjudicating::follow_row(state);
    }
    effects.extend(super::cases::asked(state));
    effects.extend(super::kept::wanted(state));
    effects.extend(suggesting::sync(state));
    // The text's layout, once, after everything above changed what it
    // changes (the list may have moved the cursor, `sync` the suggestions).
    super::refresh::layout(state);
    effects
}

fn dispatch(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            state.message_fresh = false;
            on_key(state, key)
        }
        Msg::Paste(text) => super::paste::paste(state, &text),
        Msg::Reopen(place) => super::session::reopen(state, place),
        Msg::Action(a) => on_action(state, a),
        Msg::Mouse(m) => on_mouse(state, m),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            if let Overlay::Help { scroll } | Overlay::Messages { scroll } = &mut state.overlay {
                *scroll = 0;
            }
            vec![]
        }
        Msg::Loaded {
            index,
            open,
            result,
        } => on_loaded(state, index, open, result),
        Msg::ContextLoaded { index, result } => match super::kept::arrived(state, index, result) {
            Some(then) => resume(state, then),
            None => vec![],
        },
        Msg::Saved {
            index,
            revision,
            result,
        } => {
            on_saved(state, index, revision, result);
            vec![]
        }
        Msg::ChangedOnDisk {
            index,
            on_disk,
            theirs,
        } => watching::changed_on_disk(state, index, on_disk, theirs),
        Msg::AnnotatorsLoaded { index, result } => {
            super::adjudicating::loaded(state, index, result)
        }
        Msg::Scanned { index, meta } => {
            // An open article's status and count come from its live
            // document (`State::slot`), whatever the scan read.
            if let Some(slot) = std::sync::Arc::make_mut(&mut state.project.articles).get_mut(index)
            {
                *slot = *meta;
                slot.scanned = true;
            }
            vec![]
        }
        Msg::Tick => {
            let mut effects = watching::tick(state);
            effects.extend(suggesting::tick(state));
            effects
        }
        Msg::CasesComputed { fingerprint, cases } => {
            let current = super::cases::computed(state, fingerprint, cases);
            if current && std::mem::take(&mut state.review.next_case_pending) {
                return reviewing::text_action(state, super::action::Action::NextCase);
            }
            vec![]
        }
        Msg::Suggest(m) => suggesting::on_msg(state, m),
        Msg::Figures { figures, complete } => {
            super::glance::arrived(state, figures, complete);
            vec![]
        }
    }
}

fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    // Taken out while its keys are handled; put back unless a key closed it.
    match std::mem::replace(&mut state.overlay, Overlay::None) {
        Overlay::None => {}
        Overlay::Help { scroll } => {
            state.overlay = scrolling::key(key, scroll)
                .map_or(Overlay::None, |scroll| Overlay::Help { scroll });
            return vec![];
        }
        Overlay::Messages { scroll } => {
            state.overlay = scrolling::key(key, scroll)
                .map_or(Overlay::None, |scroll| Overlay::Messages { scroll });
            return vec![];
        }
        Overlay::LabelKey => {
            return match picking::label_key(state, key) {
                Some(a) => on_action(state, a),
                None => vec![],
            };
        }
        Overlay::LabelPicker {
            filter,
            selected,
            relation,
        } => return picking::picker_key(state, key, filter, selected, relation),
        Overlay::Search { input, exact } => return motion::search_key(state, key, input, exact),
        Overlay::Note { target, input } => {
            return super::noting::note_key(state, key, target, input);
        }
        Overlay::Attrs {
            id,
            start,
            selected,
            input,
        } => return super::noting::attrs_key(state, key, id, start, selected, input),
        Overlay::Conflicts { selected } => return watching::key(state, key, selected),
        Overlay::Relations { selected } => {
            return super::relating::list_key(state, key, selected);
        }
        Overlay::Moved { scroll } => return super::moved::key(state, key, scroll),
        Overlay::Suggest(p) => return suggesting::prompt_key(state, p, key),
        Overlay::Dashboard(v) => return super::glance::key(state, v, key),
        Overlay::FilterText { input } => return reviewing::filter_text_key(state, key, input),
    }
    // While a relation is being made its keys come first; motions go on.
    if let Some(effects) = super::relating::key(state, key) {
        return effects;
    }
    let ctxs: &[Context] = match (state.focus, state.mode) {
        (Focus::List, _) => &[Context::List],
        (Focus::Text, Mode::Review) => &[Context::Review, Context::Text],
        (Focus::Text, Mode::Annotate) => &[Context::Text],
        (Focus::Spans, _) => &[Context::Spans],
    };
    match state.config.keymap.lookup_in(ctxs, key) {
        Some(a) => on_action(state, a),
        None => vec![],
    }
}

fn on_action(state: &mut State, a: Action) -> Vec<Effect> {
    if a != Action::Quit {
        state.quit_armed = false;
    }
    let command = commands::command(a);
    match command.scope {
        Scope::Anywhere => (command.run)(state, a),
        Scope::Article if state.focus == Focus::Spans => commands::in_list(a)(state, a),
        Scope::Article if state.article().is_none() => {
            state.error("no article open: choose one in the list and press Enter");
            vec![]
        }
        Scope::Article => (command.run)(state, a),
    }
}

/// A key that waited for its article (review's list reads articles off
/// this thread): the article is in, the key goes on.
fn resume(state: &mut State, then: Pending) -> Vec<Effect> {
    match then {
        Pending::Show => reviewing::show_again(state),
        Pending::Act(Action::NextCase) => reviewing::text_action(state, Action::NextCase),
        Pending::Act(a) => commands::in_list(a)(state, a),
    }
}

fn on_loaded(
    state: &mut State,
    index: usize,
    open: bool,
    result: Result<Box<Loaded>, nhan_store::project::LoadError>,
) -> Vec<Effect> {
    // An Enter while a read was out asked for it to open.
    let open = state.being_read.remove(&index).unwrap_or(false) || open;
    // Loads run off this thread: one asked for twice (review's loads and an
    // Enter) may come back after the article was opened and edited. The
    // article in memory is the newer one.
    if state.articles.get(index).is_some_and(Option::is_some) {
        if open {
            state.current = Some(index);
            state.focus = Focus::Text;
            super::moved::show(state);
        }
        return vec![];
    }
    let loaded = match result {
        Ok(l) => *l,
        Err(e) => {
            std::sync::Arc::make_mut(&mut state.project.articles)[index].problem =
                Some(e.to_string());
            if open {
                state.error(e.to_string());
            }
            return vec![];
        }
    };
    let read_only = ReadOnly::of(&loaded, state.lock_problem.as_deref());
    state.review.dirty = true;
    state.review.cases = None;
    if !open {
        super::kept::read_for_list(state, index, loaded);
        return vec![];
    }
    super::kept::opened(state, index);
    match (&read_only, &loaded.notice) {
        (Some(reason), _) => state.error(format!("read-only: {reason}")),
        (None, Some(notice)) => state.error(notice.clone()),
        (None, None) => state.message = None,
    }
    // Left by `nhan merge-file` (a git merge) or an earlier merge here.
    let recorded = nhan_model::merge::recorded_count(loaded.doc.extra());
    if recorded > 0 && read_only.is_none() {
        state.error(format!(
            "{} recorded in this article's sidecar: C shows them, o keeps yours, t takes theirs",
            nhan_model::escape::count(recorded as u64, "merge conflict", "merge conflicts")
        ));
    }
    state.articles[index] = Some(OpenArticle::new(index, loaded, read_only));
    state.current = Some(index);
    state.focus = Focus::Text;
    super::moved::show(state);
    super::session::arrived(state, index);
    vec![]
}

fn on_saved(
    state: &mut State,
    index: usize,
    revision: u64,
    result: Result<Written, crate::error::TuiError>,
) {
    let Some(art) = state.articles.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    match result {
        Ok(w) => {
            watching::written(art, w.on_disk, w.snapshot);
            let was_failing = matches!(art.save, SaveState::Failed(_));
            if revision == art.revision {
                art.save = SaveState::Saved;
            }
            // The retry worked: the NOT SAVED warning is no longer true.
            let warned = state
                .message
                .as_ref()
                .is_some_and(|m| m.kind == MessageKind::NotSaved);
            if was_failing && warned {
                let file = art.doc.file_name().to_string();
                state.info(format!(
                    "saved ✓ {file}: the retry worked, every edit is on disk"
                ));
            }
        }
        Err(e) => {
            art.save = SaveState::Failed(e.to_string());
            state.not_saved(format!(
                "NOT SAVED: {e}; the edit is kept in memory and saving is retried every second"
            ));
        }
    }
}

fn on_mouse(state: &mut State, m: Mouse) -> Vec<Effect> {
    let panes = geometry::panes(state.size, state.focus, state.mode);
    let hit =
        |r: Option<ratatui::layout::Rect>| r.is_some_and(|r| r.contains((m.col, m.row).into()));
    if hit(geometry::list_inner(&panes)) && m.kind == MouseKind::Down {
        let inner = geometry::list_inner(&panes).unwrap_or_default();
        let visible = (inner.height / LIST_ITEM_HEIGHT) as usize;
        let first = geometry::list_offset(state.list_selected, visible);
        let i = first + ((m.row - inner.y) / LIST_ITEM_HEIGHT) as usize;
        if i < state.visible_articles().len() {
            state.list_selected = i;
            state.focus = Focus::List;
            return general::open_selected(state);
        }
        return vec![];
    }
    let inner = geometry::text_inner(state.size, state.mode);
    let in_text = panes.text.is_some() && inner.contains((m.col, m.row).into());
    match m.kind {
        MouseKind::ScrollDown | MouseKind::ScrollUp if in_text => {
            let a = if m.kind == MouseKind::ScrollDown {
                Action::LineDown
            } else {
                Action::LineUp
            };
            for _ in 0..3 {
                motion::motion_action(state, a);
            }
        }
        _ if state.article().is_none() => {}
        MouseKind::Down if in_text => {
            state.focus = Focus::Text;
            let Some(art) = state.article_mut() else {
                return vec![];
            };
            let c = art
                .layout
                .char_at(art.scroll + (m.row - inner.y) as usize, m.col - inner.x);
            art.cursor = c;
            art.selection = None;
            state.drag_from = Some(c);
        }
        MouseKind::Drag => {
            if let Some(from) = state.drag_from {
                let row = m
                    .row
                    .clamp(inner.y, (inner.y + inner.height).saturating_sub(1));
                let col = m.col.saturating_sub(inner.x);
                let Some(art) = state.article_mut() else {
                    return vec![];
                };
                let c = art
                    .layout
                    .char_at(art.scroll + (row - inner.y) as usize, col);
                motion::select_between(art, from, c);
            }
        }
        MouseKind::Up => state.drag_from = None,
        _ => {}
    }
    vec![]
}
