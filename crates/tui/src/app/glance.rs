//! The dashboard's handlers: opening it (the figures are asked again each
//! time), its keys, the figures arriving.

use super::action::Action;
use super::dashboard::View;
use super::general;
use super::keys::{Code, Key};
use super::msg::Effect;
use super::state::{Overlay, State};
use nhan_figures::counts::Stats;
use std::sync::Arc;

pub fn open(state: &mut State) -> Vec<Effect> {
    if matches!(state.overlay, Overlay::Dashboard(_)) {
        state.overlay = Overlay::None;
        return vec![];
    }
    state.overlay = Overlay::Dashboard(View::default());
    if state.dashboard.computing {
        return vec![];
    }
    state.dashboard.computing = true;
    state.dashboard.complete = false;
    vec![Effect::ComputeFigures]
}

/// Figures from the runtime: the pass so far, or (`complete`) all of it.
pub fn arrived(state: &mut State, figures: Box<Stats>, complete: bool) {
    state.dashboard.figures = Some(Arc::new(*figures));
    state.dashboard.complete = complete;
    if complete {
        state.dashboard.computing = false;
    }
}

/// Labels as the labels panel lists them.
pub fn label_count(state: &State) -> usize {
    state
        .dashboard
        .figures
        .as_ref()
        .map_or(0, |f| f.overview.labels.len())
}

/// A key while the dashboard is open: `j`/`k` choose a label, `Enter`
/// lists the articles without it (again: hides them), `Esc` goes back.
/// The dashboard's own key, and quitting, work as everywhere.
pub fn key(state: &mut State, view: View, key: Key) -> Vec<Effect> {
    let mut v = view;
    let last = label_count(state).saturating_sub(1);
    match key.code {
        Code::Esc if v.lacking => v.lacking = false,
        Code::Esc => return vec![],
        Code::Down | Code::Char('j') if v.lacking => v.scroll = v.scroll.saturating_add(1),
        Code::Up | Code::Char('k') if v.lacking => v.scroll = v.scroll.saturating_sub(1),
        Code::Down | Code::Char('j') => v.label = (v.label + 1).min(last),
        Code::Up | Code::Char('k') => v.label = v.label.saturating_sub(1),
        Code::Enter => {
            v.lacking = !v.lacking;
            v.scroll = 0;
        }
        _ => match state.config.keymap.lookup_in(&[], key) {
            Some(Action::Dashboard | Action::Cancel) => return vec![],
            Some(Action::Quit) => {
                state.overlay = Overlay::Dashboard(v);
                return general::quit(state);
            }
            _ => {}
        },
    }
    state.overlay = Overlay::Dashboard(v);
    vec![]
}
