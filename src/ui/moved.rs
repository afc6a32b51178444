//! The list of what re-anchoring moved, before `A` (see `app::moved`).

use crate::app::moved;
use crate::app::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(f: &mut Frame, area: Rect, state: &State, scroll: u16) {
    let Some(art) = state.article() else {
        return;
    };
    let lines: Vec<Line> = moved::lines(art).into_iter().map(Line::raw).collect();
    let w = area.width.min(90);
    let h = (lines.len() as u16 + 4).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" The article changed: what moved (A accepts, j/k scroll) ");
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        rect,
    );
}
