//! Popups drawn over the panes: the help (generated from the keymap in
//! force) and the label picker.

use super::theme::Theme;
use crate::app::keymap::Context;
use crate::app::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The help text: one line per action, with the keys bound to it now.
pub fn help_lines(state: &State) -> Vec<Line<'static>> {
    let km = &state.config.keymap;
    let mut lines = Vec::new();
    let mut last = None;
    for (ctx, keys, action) in km.bindings() {
        if last != Some(ctx) {
            if last.is_some() {
                lines.push(Line::raw(""));
            }
            let title = match ctx {
                Context::Global => "Anywhere",
                Context::List => "Article list",
                Context::Text => "Text",
                Context::Review => "Review mode, text (before the Text keys)",
                Context::Spans => "Review mode, span list",
            };
            lines.push(Line::styled(
                title,
                Style::default().add_modifier(Modifier::BOLD),
            ));
            last = Some(ctx);
        }
        let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
        let mut desc = action.describe().to_string();
        if let Some(i) = action.tag_index() {
            desc = match state.project.schema.labels.get(i) {
                Some(l) => format!("tag with {} (relabel a span of the same extent)", l.name),
                None => continue,
            };
        }
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<18}", keys.join(" ")),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(desc),
        ]));
    }
    let keys = state.project.schema.key_names();
    let own: Vec<(&String, &str)> = keys
        .iter()
        .zip(&state.project.schema.labels)
        .filter(|(k, _)| k.contains(';'))
        .map(|(k, l)| (k, l.name.as_str()))
        .collect();
    if !own.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Labels by their own key (text and span list)",
            Style::default().add_modifier(Modifier::BOLD),
        ));
        for (k, name) in own {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<18}", k),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!("tag with {name}")),
            ]));
        }
    }
    let types = &state.project.schema.relations;
    if !types.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Relation types (> on a span, go to the other, then the digit; t picks by name)",
            Style::default().add_modifier(Modifier::BOLD),
        ));
        let all: Vec<usize> = (0..types.len()).collect();
        lines.extend(relation_type_lines(state, &all, None));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "In the search prompt",
        Style::default().add_modifier(Modifier::BOLD),
    ));
    lines.push(Line::raw(
        "  Enter / Esc        find the next match / cancel",
    ));
    lines.push(Line::raw(
        "  Alt-c              exact search (case and accents) / smart",
    ));
    lines.push(Line::styled(
        "In the label picker",
        Style::default().add_modifier(Modifier::BOLD),
    ));
    lines.push(Line::raw("  type / ↑ ↓ / Enter filter / choose / apply"));
    lines.extend(super::note::help_lines());
    lines.push(Line::raw(""));
    lines.push(Line::raw(
        "Selections: v starts one on the cursor token, H/L grow or shrink it by",
    ));
    lines.push(Line::raw(
        "a token, , and . move its edge by one character, o switches edges;",
    ));
    lines.push(Line::raw(
        "e selects a name (again: grows it), w the next name, $ to the phrase end.",
    ));
    let cfg = match &state.config.path {
        Some(p) => format!("Settings: {}", p.display()),
        None => "Settings: defaults (no config file; see README § Configuration)".into(),
    };
    lines.push(Line::raw(cfg));
    lines
}

/// Width of the key column of the help's key lines (`"  {:<18}"`).
const KEY_COLUMN: usize = 20;

/// A key line too wide for `width`, its description wrapped under itself
/// (hanging below the key column, where the eye looks for it).
fn hang(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let fits = line.width() <= width || width <= KEY_COLUMN + 8;
    let is_key_line = line.spans.len() == 2 && line.spans[0].width() == KEY_COLUMN;
    if fits || !is_key_line {
        return vec![line];
    }
    let room = width - KEY_COLUMN;
    let (key, desc) = (line.spans[0].clone(), line.spans[1].clone());
    let mut rows: Vec<String> = vec![String::new()];
    for word in desc.content.split(' ') {
        let last = rows.last_mut().expect("one row at least");
        let w = unicode_width::UnicodeWidthStr::width(last.as_str());
        if w > 0 && w + 1 + unicode_width::UnicodeWidthStr::width(word) > room {
            rows.push(word.to_string());
        } else {
            if w > 0 {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, text)| {
            let lead = if i == 0 {
                key.clone()
            } else {
                Span::raw(" ".repeat(KEY_COLUMN))
            };
            Line::from(vec![lead, Span::styled(text, desc.style)])
        })
        .collect()
}

pub fn draw_help(f: &mut Frame, area: Rect, state: &State, scroll: u16) {
    // A narrow terminal wraps the lines rather than cutting them: the rows
    // they take, for the height and how far the help scrolls.
    let inner_w = usize::from(area.width.min(84).saturating_sub(2)).max(1);
    let lines: Vec<Line> = (help_lines(state).into_iter())
        .flat_map(|l| hang(l, inner_w))
        .collect();
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    let rows = u16::try_from(rows).unwrap_or(u16::MAX);
    let h = rows.saturating_add(2).min(area.height);
    let rect = centered(area, 84, h);
    let max_scroll = rows.saturating_sub(rect.height.saturating_sub(2));
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Keys (Esc closes, j/k scroll) ");
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max_scroll), 0)),
        rect,
    );
}

/// `M`: the last messages, newest first, wrapped to be read whole.
pub fn draw_messages(f: &mut Frame, area: Rect, state: &State, theme: Theme, scroll: u16) {
    use crate::app::state::MessageKind;
    let rect = centered(area, 84, area.height);
    let mut lines: Vec<Line> = Vec::new();
    for m in state.message_log.iter().rev() {
        let (style, prefix) = match m.kind {
            k if k.is_error() && !theme.color => (theme.error(), "! "),
            MessageKind::Error | MessageKind::NotSaved => (theme.error(), "• "),
            MessageKind::Info => (Style::default(), "• "),
        };
        lines.push(Line::styled(format!("{prefix}{}", m.text), style));
    }
    if lines.is_empty() {
        lines.push(Line::styled("no messages yet", theme.dim()));
    }
    text_popup(
        f,
        rect,
        " Messages, newest first (Esc closes, j/k scroll) ".into(),
        lines,
        scroll,
    );
}

/// A bordered popup over `rect` of wrapped lines, scrolled down `scroll`
/// rows (the message log, what re-anchoring moved, merge conflicts).
pub(super) fn text_popup(f: &mut Frame, rect: Rect, title: String, lines: Vec<Line>, scroll: u16) {
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::default().borders(Borders::ALL).title(title))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        rect,
    );
}

/// `;`: the labels that have a key of their own, and that key.
pub fn draw_label_keys(f: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let schema = &state.project.schema;
    let mut lines = Vec::new();
    for (i, (k, l)) in schema.second_keys().iter().zip(&schema.labels).enumerate() {
        let Some(k) = k else { continue };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{k} "),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::styled(l.name.clone(), theme.label(l.color.as_deref(), i)),
            Span::raw(format!(" {}", l.description)),
        ]));
    }
    let rect = centered(area, 60, lines.len() as u16 + 2);
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" ; then the label's key (Esc cancels) ");
    f.render_widget(Paragraph::new(lines).block(block), rect);
}

pub fn draw_picker(
    f: &mut Frame,
    area: Rect,
    state: &State,
    theme: Theme,
    filter: &str,
    selected: usize,
) {
    let labels = &state.project.schema.labels;
    let keys = state.project.schema.key_names();
    let kw = keys.iter().map(|k| k.chars().count()).max().unwrap_or(1);
    let matches = state.label_matches(filter);
    let rect = centered(area, 60, matches.len() as u16 + 3);
    f.render_widget(Clear, rect);
    let mut lines = vec![Line::raw(format!("filter: {filter}▏"))];
    if matches.is_empty() {
        lines.push(Line::styled("no label matches", theme.error()));
    }
    for (row, &i) in matches.iter().enumerate() {
        let l = &labels[i];
        let mut style = theme.label(l.color.as_deref(), i);
        if row == selected {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{:<kw$} {:<6}", keys[i], l.name), style),
            Span::raw(format!(" {}", l.description)),
        ]));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Label (Enter applies, Esc cancels) ");
    f.render_widget(Paragraph::new(lines).block(block), rect);
}

/// "PER → TITLE", "ORG ↔ ORG", "any → LOC": the labels a relation type
/// takes at its ends.
fn ends(t: &nhan_model::schema::RelationType) -> String {
    let side = |l: &Option<Vec<String>>| l.as_ref().map_or("any".to_string(), |v| v.join("/"));
    let arrow = if t.symmetric { "↔" } else { "→" };
    format!("{} {arrow} {}", side(&t.from), side(&t.to))
}

/// The relation types, each on a line: its digit, name, ends and
/// description.
fn relation_type_lines(
    state: &State,
    only: &[usize],
    selected: Option<usize>,
) -> Vec<Line<'static>> {
    let types = &state.project.schema.relations;
    let nw = types
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0);
    only.iter()
        .enumerate()
        .map(|(row, &i)| {
            let t = &types[i];
            let digit = if i < 9 {
                format!("{}", i + 1)
            } else {
                " ".into()
            };
            let mut style = Style::default().add_modifier(Modifier::BOLD);
            if selected == Some(row) {
                style = style.add_modifier(Modifier::REVERSED);
            }
            Line::from(vec![
                Span::styled(format!("  {digit:<2}{:<nw$}", t.name), style),
                Span::raw(if t.description.is_empty() {
                    format!("  {}", ends(t))
                } else {
                    format!("  {}  {}", ends(t), t.description)
                }),
            ])
        })
        .collect()
}

/// `t` while a relation is being made: its type by name.
pub fn draw_relation_picker(
    f: &mut Frame,
    area: Rect,
    state: &State,
    filter: &str,
    selected: usize,
) {
    let matches = state.relation_type_matches(filter);
    let rect = centered(area, 70, matches.len() as u16 + 3);
    f.render_widget(Clear, rect);
    let mut lines = vec![Line::raw(format!("filter: {filter}▏"))];
    if matches.is_empty() {
        lines.push(Line::raw("no relation type matches"));
    }
    lines.extend(relation_type_lines(state, &matches, Some(selected)));
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Relation type (Enter applies, Esc cancels) ");
    f.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The default keys as a Markdown table, for the README (a test keeps the
/// README's copy equal to this, so the docs never drift from the keymap).
pub fn keys_markdown(km: &crate::app::keymap::Keymap) -> String {
    let mut out = String::from("| keys | where | action |\n|---|---|---|\n");
    for (ctx, keys, action) in km.bindings() {
        let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
        let desc = match action.tag_index() {
            Some(i) => format!(
                "tag with label {} (relabel a span of the same extent)",
                i + 1
            ),
            None => action.describe().to_string(),
        };
        let r#where = match ctx {
            Context::Global => "anywhere",
            Context::List => "list",
            Context::Text => "text",
            Context::Review => "review text",
            Context::Spans => "review list",
        };
        out += &format!(
            "| {} | {where} | {desc} |\n",
            keys.join(" ").replace('|', "\\|")
        );
    }
    out
}
