//! Drawing. Everything here takes `&State` and changes nothing.

pub mod conflicts;
pub mod dashboard;
pub mod list;
pub mod moved;
pub mod note;
pub mod overlay;
pub mod relations;
pub mod review;
pub mod status;
pub mod suggestions;
pub mod text;
pub mod theme;

use crate::app::geometry;
use crate::app::state::{Overlay, State};
use ratatui::Frame;
use theme::Theme;

/// "1 span", "2 spans".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn draw(f: &mut Frame, state: &State) {
    let theme = Theme {
        color: !state.no_color,
    };
    let area = f.area();
    let size = (area.width, area.height);
    let p = geometry::panes(size, state.focus, state.mode);
    if let Some(r) = p.list {
        list::draw(f, r, state, theme);
    }
    if let Some(r) = p.spans {
        review::draw(f, r, state, theme);
    }
    if let Some(r) = p.text {
        text::draw(f, r, state, theme);
    }
    status::draw_status(f, p.status, state, theme);
    status::draw_prompt(f, p.prompt, state, theme);
    match &state.overlay {
        Overlay::Help { scroll } => overlay::draw_help(f, area, state, *scroll),
        Overlay::Messages { scroll } => overlay::draw_messages(f, area, state, theme, *scroll),
        Overlay::LabelPicker {
            filter,
            selected,
            relation: false,
        } => overlay::draw_picker(f, area, state, theme, filter, *selected),
        Overlay::LabelPicker {
            filter,
            selected,
            relation: true,
        } => overlay::draw_relation_picker(f, area, state, filter, *selected),
        Overlay::LabelKey => overlay::draw_label_keys(f, area, state, theme),
        Overlay::Attrs { .. } => note::draw_attrs(f, area, state, theme),
        Overlay::Conflicts { selected } => conflicts::draw(f, area, state, *selected),
        Overlay::Relations { selected } => relations::draw(f, area, state, *selected),
        Overlay::Moved { scroll } => moved::draw(f, area, state, *scroll),
        Overlay::Dashboard(v) => dashboard::draw(f, area, state, theme, *v),
        _ => {}
    }
}
