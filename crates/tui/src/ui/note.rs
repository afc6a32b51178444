//! Notes and attributes on screen: the note prompt, the attribute picker,
//! the note on the status bar and the span list's note column.

use super::theme::Theme;
use crate::app::noting;
use crate::app::state::{NoteTarget, Overlay, ReviewRow, ReviewView, State};
use nhan_model::attrs::{self, Kind};
use nhan_model::span::Span as Entity;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The status bar's mode while a prompt of this module is open.
pub fn mode(overlay: &Overlay) -> Option<&'static str> {
    match overlay {
        Overlay::Note { .. } => Some("NOTE"),
        Overlay::Attrs { .. } => Some("ATTRS"),
        _ => None,
    }
}

/// The prompt line while a note (or a free attribute value) is typed.
pub fn prompt(state: &State, theme: Theme) -> Option<Line<'static>> {
    let (what, input, hint) = match &state.overlay {
        Overlay::Note { target, input } => {
            let what = match target {
                NoteTarget::Article => "article note".to_string(),
                NoteTarget::Span { id, start } => {
                    match state
                        .article()
                        .and_then(|a| a.doc.spans().find(*id, *start))
                    {
                        Some(s) => format!("note on {} “{}”", s.label, s.text),
                        None => "note".into(),
                    }
                }
            };
            (what, input, "Enter saves, empty removes, Esc cancels")
        }
        Overlay::Attrs {
            id,
            start,
            selected,
            input: Some(input),
        } => {
            let (_, decl) = noting::picked(state, *id, *start)?;
            let a = decl.0.get(*selected)?;
            (
                format!("{} ({})", a.name, a.expects()),
                input,
                "Enter sets, empty clears, Esc back",
            )
        }
        _ => return None,
    };
    let (before, after) = input.split();
    // A refused value is said on this line, the prompt staying open.
    let hint = match &state.message {
        Some(m) if m.kind.is_error() => Span::styled(format!("   {}", m.text), theme.error()),
        _ => Span::styled(format!("   ({hint})"), theme.dim()),
    };
    Some(Line::from(vec![
        Span::raw(format!("{what}: {before}")),
        Span::styled("▏", theme.dim()),
        Span::raw(after.to_string()),
        hint,
    ]))
}

/// The span's note and attributes for the status bar: ` │ ✎ unsure │ role=official`.
pub fn status(sp: &Entity) -> String {
    let mut s = String::new();
    let a = attrs::attrs_text(sp);
    if !a.is_empty() {
        s += &format!(" │ {a}");
    }
    if let Some(n) = attrs::note(sp) {
        s += &format!(" │ ✎ {n}");
    }
    s
}

/// The attribute picker: the label's attributes, each with its value.
pub fn draw_attrs(f: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let Overlay::Attrs {
        id,
        start,
        selected,
        ..
    } = &state.overlay
    else {
        return;
    };
    let Some((sp, decl)) = noting::picked(state, *id, *start) else {
        return;
    };
    let mut lines = Vec::new();
    for (i, a) in decl.iter().enumerate() {
        let value = match attrs::attr(&sp, &a.name) {
            Some(v) => {
                let bad = a.check(v).is_err();
                format!(
                    "{}{}",
                    noting::shown(v),
                    if bad { "  (not allowed!)" } else { "" }
                )
            }
            None if matches!(a.kind, Kind::Flag) => "no".into(),
            None => "—".into(),
        };
        let mut style = ratatui::style::Style::default();
        if i == *selected {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{:<12} {:<16}", a.name, value), style),
            Span::styled(format!(" {}", a.expects()), theme.dim()),
        ]));
    }
    let w = 72.min(area.width);
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
    let title = format!(
        " {} “{}”: ↑↓ choose, Enter/→ next value, Backspace clears, Esc closes ",
        sp.label, sp.text
    );
    let block = Block::default().borders(Borders::ALL).title(title);
    f.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The span list's title for the note and attribute filters.
pub fn filter_title(rv: &ReviewView) -> String {
    let mut s = String::new();
    if rv.only_noted {
        s += " · with a note";
    }
    if let Some((k, v)) = &rv.attr {
        s += &format!(" · {k}={v}");
    }
    s
}

/// What the span list shows after a row: its attributes and note.
pub fn row_extra(state: &State, r: &ReviewRow) -> String {
    let Some(sp) = state.row_span(r) else {
        return String::new();
    };
    let mut s = attrs::attrs_text(sp);
    if let Some(n) = attrs::note(sp) {
        if !s.is_empty() {
            s.push(' ');
        }
        s += &format!("✎ {n}");
    }
    s
}

/// The help overlay's lines for the note prompt and the attribute picker.
pub fn help_lines() -> Vec<Line<'static>> {
    let bold = ratatui::style::Style::default().add_modifier(Modifier::BOLD);
    vec![
        Line::styled("In the note prompt", bold),
        Line::raw("  Enter / Esc        save (an empty note removes it) / cancel"),
        Line::raw("  ← → Home End       move by character; Backspace Delete Ctrl-u delete"),
        Line::styled("In the attribute picker", bold),
        Line::raw("  ↑ ↓                choose the attribute"),
        Line::raw("  Enter → / ← / 1…9  next / previous / Nth value (a flag toggles)"),
        Line::raw("  Backspace / Esc    clear the value / close"),
    ]
}

/// An article's note as one line for a title or a list line: `✎ text`,
/// cut to `max` characters with "…".
pub fn article_mark(doc: &nhan_model::document::Document, max: usize) -> Option<String> {
    let note = attrs::article_note(doc.extra())?;
    let one_line = note.split_whitespace().collect::<Vec<_>>().join(" ");
    let shown: String = if one_line.chars().count() > max {
        let mut s: String = one_line.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    } else {
        one_line
    };
    Some(format!("✎ {shown}"))
}
