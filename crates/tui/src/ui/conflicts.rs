//! The merge conflicts of the open article, one per line, the highlighted
//! one settled by `o` (keep yours) or `t` (take theirs).

use crate::app::state::State;
use crate::app::watching;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;

pub fn draw(f: &mut Frame, area: Rect, state: &State, selected: usize) {
    let Some(art) = state.article() else {
        return;
    };
    let all = watching::conflicts(art.doc.extra());
    let h = all.len() as u16 * 2 + 2;
    let rect = super::overlay::centered(area, 100, h);
    let h = rect.height;
    let first = selected.saturating_sub((h.saturating_sub(2) / 2).saturating_sub(1) as usize);
    let lines: Vec<Line> = all
        .iter()
        .enumerate()
        .skip(first)
        .map(|(i, c)| {
            let style = if i == selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            Line::styled(watching::describe(c), style)
        })
        .collect();
    let title = format!(
        " {}: o keeps yours, t takes theirs, j/k, Esc closes ",
        nhan_model::escape::count(all.len() as u64, "merge conflict", "merge conflicts")
    );
    super::overlay::text_popup(f, rect, title, lines, 0);
}
