//! The article pane. Draws only the visible rows of the cached layout and
//! only the spans that overlap them, so a frame costs what is on screen.

use super::theme::Theme;
use crate::app::geometry;
use crate::app::state::{Focus, OpenArticle, Overlay, State};
use crate::view::wrap::{Ghost, Glyph, GlyphKind, Mark, close_text, display, ghost_close_text};
use nhan_model::span::Span as Entity;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let focused = state.focus == Focus::Text;
    let mut block = Block::default().borders(Borders::ALL);
    block = theme.pane(block, focused);
    let Some(art) = state.article() else {
        let inner = block.inner(area);
        f.render_widget(block.title(" Text "), area);
        let hint = Paragraph::new("Choose an article in the list and press Enter (? for help)")
            .alignment(Alignment::Center)
            .wrap(ratatui::widgets::Wrap { trim: true });
        f.render_widget(hint, inner);
        return;
    };
    let meta = &state.project.articles[art.index];
    let ro = if art.read_only.is_some() {
        " [read-only]"
    } else {
        ""
    };
    block = block.title(format!(" {}{ro} ", meta.title)).title_bottom(
        Line::from(format!(
            " {} · {} ",
            art.doc.status(),
            super::plural(art.doc.spans().len(), "span")
        ))
        .right_aligned(),
    );
    // The article's note, where the eye goes when the article opens.
    let room = usize::from(area.width).saturating_sub(40);
    if let Some(note) = super::note::article_mark(&art.doc, room.max(8)) {
        block = block.title_bottom(Line::from(format!(" {note} ")).left_aligned());
    }
    let inner = geometry::text_inner(state.size, state.mode);
    let inner = inner.intersection(area);
    f.render_widget(block, area);
    draw_rows(f.buffer_mut(), inner, art, state, theme);
    // The terminal cursor sits on the selection edge that moves (`o`
    // switches it), unless a tag left the cursor past the span.
    let at = match art.selection {
        Some(s) if (s.start..=s.end).contains(&art.cursor) => match s.active {
            crate::app::state::Edge::Start => s.start,
            crate::app::state::Edge::End => art.doc.text().prev_grapheme(s.end).max(s.start),
        },
        _ => art.cursor,
    };
    if focused
        && state.overlay == Overlay::None
        && let Some((row, col)) = art.layout.cell_of_char(at)
        && row >= art.scroll
        && row < art.scroll + inner.height as usize
    {
        let pos = Position::new(
            inner.x + col.min(inner.width.saturating_sub(1)),
            inner.y + (row - art.scroll) as u16,
        );
        f.set_cursor_position(pos);
    }
}

/// Writes the visible rows straight into the frame's cells: the layout
/// already knows each grapheme's column and width, so nothing is segmented
/// or measured a second time (as a `Paragraph` of styled runs would).
fn draw_rows(buf: &mut Buffer, inner: Rect, art: &OpenArticle, state: &State, theme: Theme) {
    let height = inner.height as usize;
    let layout = &art.layout;
    let doc = &art.doc;
    let first = art.scroll.min(layout.rows());
    let last = (first + height).min(layout.rows());
    if first >= last {
        return;
    }
    // Char range on screen, and the spans and matches that touch it.
    // (The last rows may be empty: the end of a text ending in a newline.)
    let rows: Vec<Vec<Glyph>> = (first..last).map(|r| layout.row(r)).collect();
    let lo = rows
        .iter()
        .find_map(|g| g.first())
        .map_or(0, |g| g.start as usize);
    let hi = rows
        .iter()
        .rev()
        .find_map(|g| g.last())
        .map_or(lo, |g| g.end as usize);
    let spans: Vec<&Entity> = doc.spans().overlapping(lo, hi + 1).collect();
    let hits: &[(usize, usize)] = state.last_search.as_ref().map_or(&[], |s| &s.matches);
    let h0 = hits.partition_point(|&(_, e)| e <= lo);
    let hits = &hits[h0..hits.partition_point(|&(s, _)| s <= hi)];
    let sel = art.selection.map(|s| s.range());
    // While a large article is still being segmented, the cursor shows
    // its grapheme rather than wait.
    let cursor_tok = doc
        .tokens_if_ready()
        .and_then(|t| t.containing(art.cursor).map(|i| t.get(i)))
        .unwrap_or(art.cursor..doc.text().next_grapheme(art.cursor));
    let schema = &state.project.schema;
    // Parsed once per frame, not per character (a colour name is parsed
    // from its string).
    let styles: Vec<Style> = (schema.labels.iter().enumerate())
        .map(|(i, l)| theme.label(l.color.as_deref(), i))
        .collect();
    // Spans with a relation open with `⟦` rather than `[`: a mark that
    // needs no colour and no column of its own.
    let related: std::collections::HashSet<nhan_model::ids::SpanId> = doc
        .relations()
        .iter()
        .flat_map(|r| [r.from, r.to])
        .collect();
    let unknown = theme.label(None, usize::MAX / 2);
    let label_style = |label: &str| {
        schema
            .index_of(label)
            .and_then(|i| styles.get(i).copied())
            .unwrap_or(unknown)
    };

    let mut bytes = doc.text().byte_cursor();
    for (y, glyphs) in (inner.y..).zip(rows) {
        // Only what touches this row is looked at per character.
        let (r_lo, r_hi) = (
            glyphs.first().map_or(0, |g| g.start as usize),
            glyphs.last().map_or(0, |g| g.end as usize),
        );
        let row_spans: Vec<&&Entity> = spans
            .iter()
            .filter(|s| s.start <= r_hi && r_lo <= s.end)
            .collect();
        // Suggestions: looked up by range in the layout, as spans are.
        let row_ghosts: Vec<&Ghost> = layout
            .ghosts_between(r_lo, r_hi + 1)
            .iter()
            .filter(|g| g.start <= r_hi && r_lo < g.end)
            .collect();
        let row_hits: Vec<&(usize, usize)> = hits
            .iter()
            .filter(|&&(s, e)| s <= r_hi && r_lo < e)
            .collect();
        // A glyph that would not fit is left out, as a paragraph would.
        let mut put = |col: u16, text: &str, width: u16, style: Style| {
            if width == 0 || col + width > inner.width {
                return;
            }
            buf[(inner.x + col, y)].set_symbol(text).set_style(style);
        };
        for g in glyphs {
            let c = g.start as usize;
            match g.kind {
                GlyphKind::Newline => {}
                GlyphKind::Open | GlyphKind::Close if matches!(g.mark, Mark::Suggestion { .. }) => {
                    let Some(label) = layout.ghost_label(g.mark) else {
                        continue;
                    };
                    let style = theme.suggestion(label_style(label));
                    let text = if g.kind == GlyphKind::Open {
                        "{".to_string()
                    } else {
                        ghost_close_text(label)
                    };
                    let mut col = g.col;
                    for ch in text.graphemes(true) {
                        let w = ch.width() as u16;
                        put(col, ch, w, style);
                        col += w;
                    }
                }
                GlyphKind::Open | GlyphKind::Close => {
                    let Some(s) = row_spans.iter().find(|s| Some(s.id) == g.mark.span_id()) else {
                        continue;
                    };
                    let style = label_style(&s.label);
                    if g.kind == GlyphKind::Open {
                        let open = if related.contains(&s.id) { "⟦" } else { "[" };
                        put(g.col, open, 1, style);
                    } else {
                        let style = style.add_modifier(Modifier::BOLD);
                        let close = close_text(s);
                        let mut col = g.col;
                        for ch in close.graphemes(true) {
                            let w = ch.width() as u16;
                            put(col, ch, w, style);
                            col += w;
                        }
                    }
                }
                GlyphKind::Grapheme => {
                    let (b0, b1) = (bytes.byte_of(c), bytes.byte_of(g.end as usize));
                    let (shown, width) = display(&doc.text().as_str()[b0..b1]);
                    let mut style = Style::default();
                    let mut depth = 0;
                    let mut inner: Option<&Entity> = None;
                    for s in row_spans.iter().filter(|s| s.contains(c)) {
                        depth += 1;
                        if inner.is_none_or(|i| {
                            (s.start, std::cmp::Reverse(s.end))
                                > (i.start, std::cmp::Reverse(i.end))
                        }) {
                            inner = Some(s);
                        }
                    }
                    if let Some(inner) = inner {
                        style = theme.span_text(label_style(&inner.label), depth);
                    } else if let Some(gh) = row_ghosts
                        .iter()
                        .filter(|gh| gh.start <= c && c < gh.end)
                        .max_by_key(|gh| gh.start)
                    {
                        style = theme.suggestion(label_style(&gh.label));
                    }
                    if row_hits.iter().any(|&&(s, e)| s <= c && c < e) {
                        style = style.patch(theme.search_hit());
                    }
                    if cursor_tok.contains(&c) {
                        style = style.patch(theme.cursor());
                    }
                    if sel.is_some_and(|(s, e)| s <= c && c < e) {
                        style = style.patch(theme.selection());
                    }
                    if shown == "    " {
                        // A tab: four cells.
                        for k in 0..4 {
                            put(g.col + k, " ", 1, style);
                        }
                    } else {
                        put(g.col, &shown, width, style);
                    }
                }
            }
        }
    }
}
