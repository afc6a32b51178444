//! Commands that apply whatever has the focus: quitting, help, the focus
//! itself, and the article list.

use super::msg::Effect;
use super::state::{Focus, Mode, Overlay, SaveState, State};
use nhan_model::status::Status;

pub fn quit(state: &mut State) -> Vec<Effect> {
    let unsaved: Vec<String> = state
        .articles
        .iter()
        .flatten()
        .filter(|a| matches!(a.save, SaveState::Failed(_)))
        .map(|a| a.doc.file_name().to_string())
        .collect();
    if !unsaved.is_empty() && !state.quit_armed {
        state.quit_armed = true;
        state.error(format!(
            "NOT SAVED: {}; saving is retried every second. Press q again to quit and lose these edits",
            unsaved.join(", ")
        ));
        return vec![];
    }
    vec![Effect::Quit]
}

pub fn suspend(_: &mut State) -> Vec<Effect> {
    vec![Effect::Suspend]
}

pub fn help(state: &mut State) -> Vec<Effect> {
    state.overlay = Overlay::Help { scroll: 0 };
    vec![]
}

/// `Esc`: closes what is open, or drops the selection; the message goes
/// too (`M` still has it).
pub fn cancel(state: &mut State) -> Vec<Effect> {
    state.message = None;
    let rv = &mut state.review;
    if state.overlay != Overlay::None {
        state.overlay = Overlay::None;
    } else if state.focus == Focus::Spans && (rv.label.is_some() || !rv.text.is_empty()) {
        // In the span list: back to every label and text at once.
        rv.label = None;
        rv.text.clear();
        state.info("label and text filters cleared");
        return super::reviewing::follow_filter(state);
    } else if let Some(art) = state.article_mut().filter(|a| a.selection.is_some()) {
        art.selection = None;
    }
    vec![]
}

/// `M`: the last messages, whole.
pub fn messages(state: &mut State) -> Vec<Effect> {
    state.overlay = Overlay::Messages { scroll: 0 };
    vec![]
}

pub fn toggle_focus(state: &mut State) -> Vec<Effect> {
    match state.focus {
        Focus::Text if state.mode == Mode::Review => state.focus = Focus::Spans,
        Focus::Text => state.focus = Focus::List,
        Focus::Spans => {
            state.focus = Focus::Text;
        }
        Focus::List if state.current.is_some() => {
            state.focus = Focus::Text;
        }
        Focus::List => return open_selected(state),
    }
    vec![]
}

pub fn list_next(state: &mut State) -> Vec<Effect> {
    state.list_selected =
        (state.list_selected + 1).min(state.visible_articles().len().saturating_sub(1));
    vec![]
}

pub fn list_prev(state: &mut State) -> Vec<Effect> {
    state.list_selected = state.list_selected.saturating_sub(1);
    vec![]
}

pub fn open(state: &mut State) -> Vec<Effect> {
    open_selected(state)
}

pub fn filter_status(state: &mut State) -> Vec<Effect> {
    use Status::*;
    state.list_filter = match state.list_filter {
        None => Some(Todo),
        Some(Todo) => Some(InProgress),
        Some(InProgress) => Some(Done),
        Some(Done) => Some(Reviewed),
        Some(Reviewed) => None,
    };
    state.list_selected = 0;
    let shown = state
        .list_filter
        .map_or("all".to_string(), |s| s.to_string());
    state.info(format!("showing {shown} articles (s: next status)"));
    vec![]
}

/// Opens the article under the list's highlight (loading it first if it
/// is not open yet).
pub fn open_selected(state: &mut State) -> Vec<Effect> {
    let Some(index) = state.highlighted() else {
        state.error("no article here: s changes the status filter; .txt files go in articles/");
        return vec![];
    };
    let Some(meta) = state.project.articles.get(index) else {
        state.error("this project has no articles: put UTF-8 .txt files in articles/");
        return vec![];
    };
    if state.articles[index].is_some() {
        state.current = Some(index);
        state.focus = Focus::Text;
        super::moved::show(state);
        return vec![];
    }
    if let Some(open) = state.being_read.get_mut(&index) {
        // Already on its way (a reopen at start, review's list): it opens
        // when it arrives.
        *open = true;
        return vec![];
    }
    let file_name = meta.file_name.clone();
    state.being_read.insert(index, true);
    vec![Effect::Load {
        index,
        file_name,
        open: true,
    }]
}
