//! Review mode's span list: keyword in context, one span per line.

use super::theme::Theme;
use crate::app::geometry;
use crate::app::state::{Focus, ReviewFilter, ReviewRow, RowRelation, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthChar;

/// Fits `s` into `width` columns, keeping its end (`from_end`) or start.
fn fit(s: &str, width: usize, from_end: bool) -> String {
    let clean = |c: char| {
        if c.is_whitespace() || c.is_control() {
            ' '
        } else {
            c
        }
    };
    let mut out: Vec<char> = Vec::new();
    let mut w = 0;
    let chars: Box<dyn Iterator<Item = char>> = if from_end {
        Box::new(s.chars().rev())
    } else {
        Box::new(s.chars())
    };
    for c in chars.map(clean) {
        let cw = c.width().unwrap_or(0);
        if w + cw > width {
            break;
        }
        w += cw;
        out.push(c);
    }
    if from_end {
        out.reverse();
    }
    let body: String = out.into_iter().collect();
    let pad = " ".repeat(width.saturating_sub(w));
    if from_end { pad + &body } else { body + &pad }
}

/// Fits `s` into `width` columns keeping both ends: a span too long for
/// its column shows where it starts and where it ends, "…" in the middle.
fn fit_middle(s: &str, width: usize) -> String {
    let w: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if w <= width || width < 3 {
        return fit(s, width, false);
    }
    let keep = width - 1;
    // Each part is exactly its width (a wide char that does not fit
    // leaves a space), so the column stays aligned.
    format!(
        "{}…{}",
        fit(s, keep.div_ceil(2), false),
        fit(s, keep / 2, true)
    )
}

/// Project progress: reviewed spans and articles over the loaded articles,
/// in the longest wording that fits `width` columns (a narrow terminal cut
/// the long one at its start).
pub fn progress(state: &State, width: usize) -> String {
    let (mut spans, mut reviewed) = (0, 0);
    let (mut relations, mut decided) = (0, 0);
    for i in 0..state.project.articles.len() {
        if let Some(s) = state.review_spans(i) {
            spans += s.len();
            reviewed += s.reviewed();
        }
        if let Some(r) = state.review_relations(i) {
            relations += r.len();
            decided += r.len() - crate::app::relation_review::undecided(r);
        }
    }
    let done = state
        .slots()
        .filter(|a| a.status() == nhan_model::status::Status::Reviewed)
        .count();
    let articles = state.project.articles.len();
    // Relations only where there are some: a project without them reads
    // as before.
    let (long, short) = match relations {
        0 => (String::new(), String::new()),
        n => (
            format!(" and {decided}/{n} relations"),
            format!(", {decided}/{n} relations"),
        ),
    };
    [
        format!(" project: {reviewed}/{spans} spans{long} reviewed · {done}/{articles} articles reviewed "),
        format!(" reviewed: {reviewed}/{spans} spans{short}, {done}/{articles} articles "),
        format!(" {reviewed}/{spans} spans · {done}/{articles} articles "),
    ]
    .into_iter()
    .find(|w| unicode_width::UnicodeWidthStr::width(w.as_str()) <= width)
    .unwrap_or_default()
}

/// The words a row covers: from its article's text when it is here, else
/// its span's own copy.
fn covered<'a>(state: &'a State, r: &ReviewRow) -> Option<&'a str> {
    match state.context_doc(r.article) {
        Some(d) => Some(d.text().slice(r.start, r.end)),
        None => state.row_span(r).map(|s| s.text.as_str()),
    }
}

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let rv = &state.review;
    let focused = state.focus == Focus::Spans;
    let scope = if rv.whole_project {
        "project"
    } else {
        "article"
    };
    let filter = match rv.filter {
        ReviewFilter::All => "all",
        ReviewFilter::Unreviewed => "unreviewed",
        ReviewFilter::Reviewed => "reviewed",
    };
    let mut title = format!(" Spans {} · {scope} · {filter}", rv.rows.len());
    if let Some(l) = rv.label.and_then(|i| state.project.schema.labels.get(i)) {
        title += &format!(" · {}", l.name);
    }
    if rv.only_relations {
        title += " · relations";
    }
    if !rv.text.is_empty() {
        title += &format!(" · “{}”", rv.text);
    }
    if rv.only_cases {
        title += &match &rv.cases {
            Some(c) => format!(" · {}", super::plural(c.len(), "consistency case")),
            None => " · computing consistency cases…".to_string(),
        };
    }
    title += &super::note::filter_title(rv);
    if rv.adjudication.is_some() {
        title = format!(" Adjudication{}", title.trim_start_matches(" Spans"));
    }
    let (left, of) = rv.reading;
    if left > 0 {
        title += &format!(" · reading articles {}/{of}…", of.saturating_sub(left));
    }
    title += " ";
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(
            Line::from(match &rv.adjudication {
                Some(adj) => crate::app::adjudicating::progress(state, adj),
                // Two columns for the corners.
                None => progress(state, usize::from(area.width).saturating_sub(2)),
            })
            .right_aligned(),
        );
    // The note of the highlighted row's article.
    if let Some(note) = rv
        .rows
        .get(rv.selected)
        .and_then(|r| state.context_doc(r.article))
        .and_then(|d| super::note::article_mark(d, usize::from(area.width) / 2))
    {
        block = block.title_bottom(Line::from(format!(" {note} ")).left_aligned());
    }
    block = theme.pane(block, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if rv.rows.is_empty() {
        let hint = "No spans match: s, f, / and c change the filters, p the scope";
        f.render_widget(Paragraph::new(hint), inner);
        return;
    }
    let w = inner.width as usize;
    // In adjudication a column says who had each span.
    let by_w = if rv.adjudication.is_some() { 14 } else { 0 };
    // Where accepted suggestions came from: a column once any shows.
    let visible = inner.height as usize;
    let first = geometry::list_offset(rv.selected, visible);
    let sources: Vec<Option<String>> = (rv.rows.iter().skip(first).take(visible))
        .map(|row| super::suggestions::source_of(state, row))
        .collect();
    let text_w = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    // Each column earns its width: as wide as what it shows on screen.
    let src_w = match sources.iter().flatten().map(|s| text_w(s)).max() {
        Some(m) => (m + 1).clamp(2, 12),
        None => 0,
    };
    // Notes and attributes get a column when a row on screen has some.
    let extras: Vec<String> = (rv.rows.iter().skip(first).take(visible))
        .map(|r| super::note::row_extra(state, r))
        .collect();
    let extra_w = match extras.iter().map(|e| text_w(e)).max() {
        Some(m) if m > 0 => (m + 1).min(w / 4).min(32),
        _ => 0,
    };
    // Labels as long as SYMPTOM_AND_DISEASE are cut rather than push the
    // columns after them off the row.
    let label_cols = (rv.rows.iter().skip(first).take(visible))
        .map(|r| text_w(r.label.as_deref().unwrap_or("—")))
        .max()
        .unwrap_or(1)
        .clamp(5, (w / 5).max(6));
    let (label_w, state_w) = (label_cols + 1 + by_w + src_w, 9);
    let ctx_total = w.saturating_sub(label_w + state_w + 2 + extra_w);
    // The span column is as wide as the longest span on screen, leaving
    // some context on each side; longer spans are cut in the middle.
    let longest = rv
        .rows
        .iter()
        .skip(first)
        .take(visible)
        .filter_map(|r| {
            let t = covered(state, r)?;
            Some(t.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>() + 2)
        })
        .max()
        .unwrap_or(0);
    let min_ctx = (ctx_total / 6).min(12);
    let span_w = longest.min(ctx_total.saturating_sub(2 * min_ctx)).max(4);
    let left_w = (ctx_total.saturating_sub(span_w)) / 2;
    let right_w = ctx_total.saturating_sub(span_w + left_w);
    let schema = &state.project.schema;
    let mut lines = Vec::new();
    for (i, row) in rv.rows.iter().enumerate().skip(first).take(visible) {
        let relation = relation_end_texts(state, row);
        // Until its article's text is read (never on this thread), a row
        // shows its span alone.
        let (before, after) = match state.context_doc(row.article) {
            Some(d) => {
                let t = d.text();
                let lo = row.start.saturating_sub(80);
                let hi = (row.end + 80).min(t.len_chars());
                (t.slice(lo, row.start), t.slice(row.end, hi))
            }
            None => ("", ""),
        };
        let here = covered(state, row).unwrap_or("…");
        let label_style = row
            .label
            .as_deref()
            .and_then(|l| {
                schema
                    .index_of(l)
                    .map(|i| theme.label(schema.labels[i].color.as_deref(), i))
            })
            .unwrap_or_default();
        let mut line = match relation {
            // A relation: its two ends where a span's context would be.
            Some((from, to)) => relation_ends(&from, &to, ctx_total),
            None => vec![
                Span::styled(fit(before, left_w, true), theme.dim()),
                Span::styled(
                    // Brackets, as in the text pane: the span stands out
                    // without colour too.
                    fit_middle(&format!("[{here}]"), span_w),
                    label_style.add_modifier(Modifier::BOLD),
                ),
                Span::styled(fit(after, right_w, false), theme.dim()),
            ],
        };
        line.extend([
            Span::styled(
                format!(
                    " {}",
                    fit(row.label.as_deref().unwrap_or("—"), label_cols, false)
                ),
                label_style,
            ),
            Span::raw(format!(" {:<9}", row.review.as_deref().unwrap_or("·"))),
            Span::raw(match row.by {
                Some(by) => format!(" {}", fit(&by, by_w.saturating_sub(1), false)),
                None => String::new(),
            }),
            Span::styled(
                match &sources[i - first] {
                    Some(s) if src_w > 0 => format!(" {}", fit(s, src_w - 1, false)),
                    None if src_w > 0 => format!(" {}", fit("·", src_w - 1, false)),
                    _ => String::new(),
                },
                theme.dim(),
            ),
        ]);
        if extra_w > 0 {
            let extra = extras.get(i - first).map_or("", String::as_str);
            line.push(Span::raw(format!(" {}", fit(extra, extra_w - 1, false))));
        }
        if i == rv.selected {
            let hl = if focused {
                Modifier::REVERSED
            } else {
                Modifier::UNDERLINED
            };
            line = line
                .into_iter()
                .map(|s| s.patch_style(Style::default().add_modifier(hl)))
                .collect();
        }
        lines.push(Line::from(line));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// A relation row's ends, `[Lê Hoài Trung] → [Trưởng Ban …]`, in `width`
/// columns: each end cut in the middle to half of them when both do not
/// fit.
fn relation_ends(from: &str, to: &str, width: usize) -> Vec<Span<'static>> {
    let (from, to) = (format!("[{from}]"), format!("[{to}]"));
    let arrow = " → ";
    let cols = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    let room = width.saturating_sub(cols(arrow));
    let (fw, tw) = if cols(&from) + cols(&to) <= room {
        (cols(&from), room - cols(&from))
    } else {
        let half = room / 2;
        let fw = cols(&from).min(half);
        (fw, room - fw)
    };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    vec![
        Span::styled(fit_middle(&from, fw), bold),
        Span::raw(arrow),
        Span::styled(fit_middle(&to, tw), bold),
    ]
}

/// The texts of a relation row's ends: an article's relation, or in
/// adjudication an annotator's; `None` for a span row.
fn relation_end_texts(state: &State, row: &ReviewRow) -> Option<(String, String)> {
    match row.relation? {
        RowRelation::Id(_) => {
            let r = crate::app::relation_review::of_row(state, row)?;
            Some(crate::app::relation_review::ends(state, row.article, r))
        }
        RowRelation::Candidate(i) => {
            let c = state.review.adjudication.as_ref()?.relations.get(i)?;
            Some((c.from.text.clone(), c.to.text.clone()))
        }
    }
}
