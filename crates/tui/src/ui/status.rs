//! The status line (mode, position, selection, span, saved?) and the line
//! under it (a prompt, or the last message).

use super::theme::Theme;
use crate::app::state::{Focus, MessageKind, Mode, Overlay, SaveState, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

pub fn mode(state: &State) -> &'static str {
    match &state.overlay {
        Overlay::Help { .. } => "HELP",
        Overlay::Messages { .. } => "MESSAGES",
        Overlay::LabelPicker { relation: true, .. } => "TYPE",
        Overlay::LabelPicker { .. } => "LABEL",
        Overlay::LabelKey => "LABEL KEY",
        Overlay::Search { .. } => "SEARCH",
        Overlay::FilterText { .. } => "FILTER",
        o @ (Overlay::Note { .. } | Overlay::Attrs { .. }) => super::note::mode(o).unwrap_or(""),
        Overlay::Conflicts { .. } => "CONFLICTS",
        Overlay::Relations { .. } => "RELATIONS",
        Overlay::Moved { .. } => "CHANGED",
        Overlay::Suggest(_) => "SUGGEST",
        Overlay::Dashboard(_) => "DASHBOARD",
        Overlay::None => match (state.mode, state.focus) {
            (_, Focus::List) => "LIST",
            (_, Focus::Spans) => "REVIEW",
            (Mode::Review, Focus::Text) => "REVIEW TEXT",
            // `>` was pressed: motions move, a digit or Enter makes it.
            (_, Focus::Text) if state.article().is_some_and(|a| a.relating.is_some()) => "RELATION",
            (_, Focus::Text) if state.article().is_some_and(|a| a.selection.is_some()) => "SELECT",
            (_, Focus::Text) => "TEXT",
        },
    }
}

/// Who is working and how: "lan · blind", "minh · reviewing",
/// "hoa · adjudicating", "no name".
pub fn who(state: &State) -> String {
    let name = state.annotator().unwrap_or_else(|| "no name".into());
    let blind = state.project.schema.blind;
    let role = if state.review.adjudication.is_some()
        || (blind && state.project.annotator_dir.is_none())
    {
        Some("adjudicating")
    } else if state.mode == Mode::Review {
        Some("reviewing")
    } else if blind {
        Some("blind")
    } else {
        None
    };
    match role {
        Some(r) => format!("{name} · {r}"),
        None => name,
    }
}

/// `s` cut to `width` columns, ending in "…" when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for g in s.graphemes(true) {
        let gw = g.width();
        if w + gw + 1 > width {
            break;
        }
        out.push_str(g);
        w += gw;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// The status line: the mode on the left and the save state on the right
/// always show; what is between (position, selection, span, file name)
/// is shortened with "…" to fit.
pub fn draw_status(f: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let bar = theme.status_bar();
    let width = area.width as usize;
    let mode = format!(" {} ", mode(state));
    let mut parts: Vec<Span> = Vec::new();
    let (middle, right) = if let Some(art) = state.article() {
        let mut s = format!(" @{}", art.cursor);
        if let Some(sel) = art.selection {
            let (a, b) = sel.range();
            // The end moves unless `o` switched: say so then (the
            // terminal cursor sits on the moving edge too).
            let edge = match sel.active {
                crate::app::state::Edge::Start => ", start moves",
                crate::app::state::Edge::End => "",
            };
            s += &format!(" │ sel {a}–{b} ({}){edge}", b - a);
        }
        // The selected span (a tag leaves it selected with the cursor past
        // it), else the one under the cursor.
        let selected = art
            .selection
            .and_then(|s| art.doc.spans().find(s.origin?, s.start));
        if let Some(sp) = selected.or_else(|| art.doc.spans().innermost_at(art.cursor)) {
            // A label past the ninth has no digit: its key is worth the room.
            let schema = &state.project.schema;
            let key = schema
                .index_of(&sp.label)
                .filter(|&i| i >= 9)
                .and_then(|i| schema.second_keys()[i])
                .map(|k| format!(" (; {k})"))
                .unwrap_or_default();
            s += &format!(" │ {}{key} “{}” #{}", sp.label, sp.text, sp.id);
            s += &super::note::status(sp);
            let rels = crate::app::relating::describe_of(&art.doc, sp);
            if !rels.is_empty() {
                s += &format!(" │ {}", rels.join(" · "));
            }
        }
        // The suggestion under the cursor says more than the file name, which
        // a narrow bar cuts first.
        if let Some(sg) = super::suggestions::status(state, art) {
            s += &sg;
        }
        s += &format!(" │ {}", art.doc.file_name());
        // "saved" means every write: a rejection still on its way to
        // .nhan/rejected/ is "saving…" too.
        let (saved, style) = match (&art.read_only, &art.save) {
            (Some(_), _) => ("read-only", theme.error()),
            (None, SaveState::Failed(_)) => ("NOT SAVED", theme.error()),
            (None, _) if state.suggest.writing > 0 => ("saving…", bar),
            (None, SaveState::Saved) if art.revision == 0 => ("no edits yet", bar),
            (None, SaveState::Saved) => ("saved ✓", theme.ok()),
            (None, SaveState::Pending) => ("saving…", bar),
        };
        (s, Some((format!(" {saved} "), style)))
    } else {
        (format!(" {}", state.project.root.display()), None)
    };
    // Who you are, before the save state; dropped only when even the mode
    // and the save state barely fit.
    let who = format!(" {} ", who(state));
    let right_w = right.as_ref().map_or(0, |(r, _)| r.width() + 1);
    let who = if width >= mode.width() + right_w + who.width() + 10 {
        Some(who)
    } else {
        None
    };
    let right_w = right_w + who.as_ref().map_or(0, |w| w.width() + 1);
    let room = width.saturating_sub(mode.width() + right_w);
    let middle = fit(&middle, room);
    let pad = room.saturating_sub(middle.width());
    parts.push(Span::styled(
        fit(&mode, width),
        bar.add_modifier(ratatui::style::Modifier::BOLD),
    ));
    parts.push(Span::styled(format!("{middle}{}", " ".repeat(pad)), bar));
    if let Some(w) = who {
        parts.push(Span::styled("│", bar));
        parts.push(Span::styled(w, bar));
    }
    if let Some((r, style)) = right {
        parts.push(Span::styled("│", bar));
        parts.push(Span::styled(r, bar.patch(style)));
    }
    f.render_widget(Paragraph::new(Line::from(parts)).style(bar), area);
}

pub fn draw_prompt(f: &mut Frame, area: Rect, state: &State, theme: Theme) {
    if let Some(line) = super::note::prompt(state, theme) {
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let line = match &state.overlay {
        Overlay::Search { input, exact } => {
            let fold = crate::app::motion::search_fold(input, *exact);
            let toggle = if *exact { "smart" } else { "exact" };
            Line::from(vec![
                Span::raw(format!("/{input}")),
                Span::styled(
                    format!(
                        "   ({}; Alt-c {toggle}, Enter finds, Esc cancels)",
                        fold.describe()
                    ),
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
            Some(m) => {
                let prefix = if theme.color || m.kind == MessageKind::Info {
                    ""
                } else {
                    "! "
                };
                let text = format!("{prefix}{}", m.text);
                let width = area.width as usize;
                // Too long for the line: its start, and the key that shows
                // it whole.
                let text = if text.width() > width && width >= 30 {
                    format!("{} M: all", fit(&text, width - " M: all".len()))
                } else {
                    fit(&text, width)
                };
                match m.kind {
                    MessageKind::Error | MessageKind::NotSaved => Line::styled(text, theme.error()),
                    MessageKind::Info => Line::raw(text),
                }
            }
            None => Line::styled("? help · Tab switch pane · q quit", theme.dim()),
        },
    };
    f.render_widget(Paragraph::new(line), area);
}
