//! The list of what re-anchoring moved, before `A` (see `app::moved`).

use crate::app::moved;
use crate::app::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub fn draw(f: &mut Frame, area: Rect, state: &State, scroll: u16) {
    let Some(art) = state.article() else {
        return;
    };
    let lines: Vec<Line> = moved::lines(art).into_iter().map(Line::raw).collect();
    let h = lines.len() as u16 + 4;
    let rect = super::overlay::centered(area, 90, h);
    super::overlay::text_popup(
        f,
        rect,
        " The article changed: what moved (A accepts, j/k scroll) ".into(),
        lines,
        scroll,
    );
}
