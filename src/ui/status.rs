//! The status line (mode, position, selection, span, saved?) and the line
//! under it (a prompt, or the last message).

use super::theme::Theme;
use crate::app::state::{Focus, MessageKind, Mode, Overlay, SaveState, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn mode(state: &State) -> &'static str {
    match &state.overlay {
        Overlay::Help { .. } => "HELP",
        Overlay::LabelPicker { .. } => "LABEL",
        Overlay::Search { .. } => "SEARCH",
        Overlay::FilterText { .. } => "FILTER",
        o @ (Overlay::Note { .. } | Overlay::Attrs { .. }) => super::note::mode(o).unwrap_or(""),
        Overlay::Conflicts { .. } => "CONFLICTS",
        Overlay::Moved { .. } => "CHANGED",
        Overlay::Suggest(_) => "SUGGEST",
        Overlay::None => match (state.mode, state.focus) {
            (_, Focus::List) => "LIST",
            (_, Focus::Spans) => "REVIEW",
            (Mode::Review, Focus::Text) => "REVIEW TEXT",
            (_, Focus::Text) if state.article().is_some_and(|a| a.selection.is_some()) => "SELECT",
            (_, Focus::Text) => "TEXT",
        },
    }
}

pub fn draw_status(f: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let bar = theme.status_bar();
    let mut parts: Vec<Span> = vec![Span::styled(
        format!(" {} ", mode(state)),
        bar.add_modifier(ratatui::style::Modifier::BOLD),
    )];
    if let Some(art) = state.article() {
        let mut s = format!(" @{}", art.cursor);
        if let Some(sel) = art.selection {
            let (a, b) = sel.range();
            s += &format!(" │ sel {a}–{b} ({})", b - a);
        }
        if let Some(sp) = art.doc.spans.innermost_at(art.cursor) {
            s += &format!(" │ {} “{}” #{}", sp.label, sp.text, sp.id);
            s += &super::note::status(sp);
        }
        parts.push(Span::styled(s, bar));
        let (saved, style) = match (&art.read_only, &art.save) {
            (Some(_), _) => (" │ read-only ".to_string(), theme.error()),
            (None, SaveState::Saved) if art.revision == 0 => (" │ no edits yet ".to_string(), bar),
            (None, SaveState::Saved) => (" │ saved ✓ ".to_string(), theme.ok()),
            (None, SaveState::Pending) => (" │ saving… ".to_string(), bar),
            (None, SaveState::Failed(_)) => (" │ NOT SAVED ".to_string(), theme.error()),
        };
        parts.push(Span::styled(saved, bar.patch(style)));
        parts.push(Span::styled(format!("│ {}", art.doc.file_name), bar));
        // Last, so that a narrow bar cuts it before the save state.
        if let Some(s) = super::suggestions::status(state, art) {
            parts.push(Span::styled(s, bar));
        }
    } else {
        parts.push(Span::styled(
            format!(" {} ", state.project.root.display()),
            bar,
        ));
    }
    f.render_widget(Paragraph::new(Line::from(parts)).style(bar), area);
}

pub fn draw_prompt(f: &mut Frame, area: Rect, state: &State, theme: Theme) {
    if let Some(line) = super::note::prompt(state, theme) {
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let line = match &state.overlay {
        Overlay::Search {
            input,
            case_insensitive,
        } => {
            let case = if *case_insensitive {
                "ignoring case"
            } else {
                "matching case"
            };
            Line::from(vec![
                Span::raw(format!("/{input}")),
                Span::styled(
                    format!("   ({case}; Alt-c toggles, Enter finds, Esc cancels)"),
                    theme.dim(),
                ),
            ])
        }
        Overlay::Suggest(p) => super::suggestions::prompt_line(p, theme),
        Overlay::FilterText { input } => Line::from(vec![
            Span::raw(format!("filter spans: {input}")),
            Span::styled(
                "   (the list follows as you type; Enter or Esc closes)",
                theme.dim(),
            ),
        ]),
        _ => match &state.message {
            Some(m) if m.kind == MessageKind::Error => {
                let prefix = if theme.color { "" } else { "! " };
                Line::styled(format!("{prefix}{}", m.text), theme.error())
            }
            Some(m) => Line::raw(m.text.clone()),
            None => Line::styled("? help · Tab switch pane · q quit", theme.dim()),
        },
    };
    f.render_widget(Paragraph::new(line), area);
}
