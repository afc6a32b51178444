//! Where each pane goes for a terminal size. Shared by `update` (mouse
//! hits, page size, wrapping width) and the renderer, so they never disagree.

use super::state::{Focus, Mode};
use ratatui::layout::Rect;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Panes {
    pub list: Option<Rect>,
    pub text: Option<Rect>,
    /// Review mode's span list.
    pub spans: Option<Rect>,
    /// The status line and the message/prompt line under it.
    pub status: Rect,
    pub prompt: Rect,
}

/// Below this width only the focused pane is shown.
pub const TWO_PANE_MIN_WIDTH: u16 = 60;
/// Below this height review mode shows only the focused pane.
pub const REVIEW_SPLIT_MIN_HEIGHT: u16 = 16;

pub fn panes(size: (u16, u16), focus: Focus, mode: Mode) -> Panes {
    let (w, h) = size;
    let body_h = h.saturating_sub(2);
    let status = Rect::new(0, body_h.min(h), w, u16::from(h > 0));
    let prompt = Rect::new(0, (body_h + 1).min(h), w, u16::from(h > 1));
    let body = Rect::new(0, 0, w, body_h);
    let mut p = Panes {
        status,
        prompt,
        ..Panes::default()
    };
    match mode {
        Mode::Review if h >= REVIEW_SPLIT_MIN_HEIGHT => {
            let sh = body_h * 2 / 5;
            p.spans = Some(Rect::new(0, 0, w, sh));
            p.text = Some(Rect::new(0, sh, w, body_h - sh));
        }
        Mode::Review if focus == Focus::Spans => p.spans = Some(body),
        Mode::Review => p.text = Some(body),
        Mode::Annotate if w >= TWO_PANE_MIN_WIDTH => {
            let lw = (w / 3).min(40);
            p.list = Some(Rect::new(0, 0, lw, body_h));
            p.text = Some(Rect::new(lw, 0, w - lw, body_h));
        }
        Mode::Annotate if focus == Focus::List => p.list = Some(body),
        Mode::Annotate => p.text = Some(body),
    }
    p
}

/// The text area inside the text pane's border, as if the text pane has
/// the focus: in a narrow terminal it then takes the whole body, which is
/// where it is whenever it is shown.
pub fn text_inner(size: (u16, u16), mode: Mode) -> Rect {
    inner(panes(size, Focus::Text, mode).text.unwrap_or_default())
}

pub fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x + 1,
        r.y + 1,
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}

/// Rows per article in the list (title, then status and span count).
pub const LIST_ITEM_HEIGHT: u16 = 2;

/// First article shown in a list of `visible` items so that `selected` is
/// on screen; a pure function so clicks and drawing agree.
pub fn list_offset(selected: usize, visible: usize) -> usize {
    selected.saturating_sub(visible.max(1) - 1)
}

/// The list's inner area (inside its border).
pub fn list_inner(p: &Panes) -> Option<Rect> {
    p.list.map(inner)
}
