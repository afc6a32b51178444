//! The article list: title, status and span count of each article.

use super::theme::Theme;
use crate::app::geometry::{self, LIST_ITEM_HEIGHT};
use crate::app::state::{Focus, State};
use nhan_model::status::Status;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn status_mark(s: Status) -> &'static str {
    match s {
        Status::Todo => "○",
        Status::InProgress => "◐",
        Status::Done => "●",
        Status::Reviewed => "✔",
    }
}

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let focused = state.focus == Focus::List;
    let n = state.project.articles.len();
    let shown = state.visible_articles();
    let reviewed = state
        .slots()
        .filter(|a| a.status() == Status::Reviewed)
        .count();
    // Until every article has been read the count is not known.
    let all_read = state
        .slots()
        .all(|a| a.meta().scanned || matches!(a, crate::app::state::Slot::Open(..)));
    let reviewed = if all_read {
        reviewed.to_string()
    } else {
        "…".into()
    };
    let title = match state.list_filter {
        None => format!(" Articles ({n}) "),
        Some(f) => format!(" Articles: {} of {n} {f} (s: next) ", shown.len()),
    };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(Line::from(format!(" {reviewed}/{n} reviewed ")).right_aligned());
    block = theme.pane(block, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if n == 0 {
        f.render_widget(
            // Wrapped: the list pane is narrow at every width.
            Paragraph::new("No articles: put .txt files in articles/")
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }
    let visible = (inner.height / LIST_ITEM_HEIGHT) as usize;
    let first = geometry::list_offset(state.list_selected, visible);
    let mut lines = Vec::new();
    for (row, &i) in shown.iter().enumerate().skip(first).take(visible.max(1)) {
        let slot = state.slot(i);
        let a = slot.meta();
        let current = state.current == Some(i);
        let mut title_style = Style::default();
        if current {
            title_style = title_style.add_modifier(Modifier::BOLD);
        }
        if row == state.list_selected {
            title_style = title_style.add_modifier(if focused {
                Modifier::REVERSED
            } else {
                Modifier::UNDERLINED
            });
        }
        let open = state.articles[i].is_some();
        let known = open || a.scanned;
        let unreadable = !open && a.unreadable;
        let warn = if a.problem.is_some() { "⚠ " } else { "" };
        let mark = if !known || unreadable {
            "…"
        } else {
            status_mark(slot.status())
        };
        // The file name identifies an article; the first line of the text
        // (often a date or a caption) follows it once read.
        lines.push(Line::from(vec![
            Span::raw(format!("{mark} ")),
            Span::styled(format!("{warn}{}", a.stem), title_style),
        ]));
        let second = if unreadable {
            "  unreadable: Enter says why".to_string()
        } else if !known {
            "  …".to_string()
        } else {
            let mut spans = super::plural(slot.span_count(), "span");
            // Review progress is known once the article has been read.
            if let Some(s) = state.review_spans(i) {
                let r = s.reviewed();
                if r > 0 || state.mode == crate::app::state::Mode::Review {
                    spans += &format!(" · {r} reviewed");
                }
            }
            // The article's note, once read, says more than its first line.
            let note = state
                .context_doc(i)
                .and_then(|d| super::note::article_mark(d, 60));
            let title = match note {
                Some(n) => format!(" · {n}"),
                None if a.title != a.stem => format!(" · {}", a.title),
                None => String::new(),
            };
            format!("  {} · {spans}{title}", slot.status())
        };
        lines.push(Line::styled(second, theme.dim()));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
