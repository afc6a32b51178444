//! Where each pane goes for a terminal size. Shared by `update` (mouse
//! hits, page size, wrapping width) and the renderer, so they never disagree.

use super::state::Focus;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    pub list: Option<Rect>,
    pub text: Option<Rect>,
    /// The status line and the message/prompt line under it.
    pub status: Rect,
    pub prompt: Rect,
}

/// Below this width only the focused pane is shown.
pub const TWO_PANE_MIN_WIDTH: u16 = 60;

pub fn panes(size: (u16, u16), focus: Focus) -> Panes {
    let (w, h) = size;
    let body_h = h.saturating_sub(2);
    let status = Rect::new(0, body_h.min(h), w, u16::from(h > 0));
    let prompt = Rect::new(0, (body_h + 1).min(h), w, u16::from(h > 1));
    let body = Rect::new(0, 0, w, body_h);
    if w >= TWO_PANE_MIN_WIDTH {
        let lw = (w / 3).min(40);
        Panes {
            list: Some(Rect::new(0, 0, lw, body_h)),
            text: Some(Rect::new(lw, 0, w - lw, body_h)),
            status,
            prompt,
        }
    } else {
        let (list, text) = match focus {
            Focus::List => (Some(body), None),
            Focus::Text => (None, Some(body)),
        };
        Panes {
            list,
            text,
            status,
            prompt,
        }
    }
}

/// The text area inside the text pane's border.
/// The same in both layouts: in a narrow terminal the text pane, when
/// shown, takes the whole width anyway.
pub fn text_inner(size: (u16, u16)) -> Rect {
    let t = panes(size, Focus::Text).text.unwrap_or_default();
    Rect::new(
        t.x + 1,
        t.y + 1,
        t.width.saturating_sub(2),
        t.height.saturating_sub(2),
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
    p.list.map(|l| {
        Rect::new(
            l.x + 1,
            l.y + 1,
            l.width.saturating_sub(2),
            l.height.saturating_sub(2),
        )
    })
}
