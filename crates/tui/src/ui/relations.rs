//! The article's relations (`R`), one per line, the highlighted one taken
//! to either end, deleted or given another type (see `app::relating`).

use crate::app::relating;
use crate::app::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;

pub fn draw(f: &mut Frame, area: Rect, state: &State, selected: usize) {
    let Some(art) = state.article() else {
        return;
    };
    let all = art.doc.relations();
    let rect = super::overlay::centered(area, 100, all.len() as u16 + 2);
    // The highlighted line stays in the middle of a list taller than the box.
    let shown = rect.height.saturating_sub(2) as usize;
    let first = selected.saturating_sub(shown / 2);
    let lines: Vec<Line> = all
        .iter()
        .enumerate()
        .skip(first)
        .take(shown)
        .map(|(i, r)| {
            let style = if i == selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            Line::styled(relating::row(&art.doc, r), style)
        })
        .collect();
    let title = format!(
        " {}: Enter/t go to from/to, x deletes, 1-9 type, Esc ",
        nhan_model::escape::count(all.len() as u64, "relation", "relations")
    );
    super::overlay::text_popup(f, rect, title, lines, 0);
}
