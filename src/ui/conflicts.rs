//! The merge conflicts of the open article, one per line, the highlighted
//! one settled by `o` (keep yours) or `t` (take theirs).

use crate::app::state::State;
use crate::app::watching;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(f: &mut Frame, area: Rect, state: &State, selected: usize) {
    let Some(art) = state.article() else {
        return;
    };
    let all = watching::conflicts(art.doc.extra());
    let w = area.width.min(100);
    let h = (all.len() as u16 * 2 + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
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
    let block = Block::default().borders(Borders::ALL).title(format!(
        " {} merge conflict{}: o keeps yours, t takes theirs, j/k, Esc closes ",
        all.len(),
        if all.len() == 1 { "" } else { "s" }
    ));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}
