//! The wrapped layout of an article at a given width: which characters and
//! span brackets go on which screen row, at which column. Built once per
//! (width, edit) and then read by the cursor logic and the renderer.

use crate::core::document::Document;
use std::borrow::Cow;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlyphKind {
    /// A grapheme cluster of the text, `[start, end)` in chars.
    Grapheme,
    /// A line break of the text (`\n`, `\r\n`): occupies no cell.
    Newline,
    /// `[` before a span (span id in `span`).
    Open,
    /// `]LABEL` after a span.
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyph {
    pub start: u32,
    pub end: u32,
    pub col: u16,
    pub width: u16,
    pub kind: GlyphKind,
    pub span: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub width: u16,
    glyphs: Vec<Glyph>,
    /// Index into `glyphs` where each row starts.
    row_glyph: Vec<u32>,
    /// First char offset of each row (non-decreasing).
    row_char: Vec<u32>,
}

/// What a grapheme looks like on screen and how wide it is. Control
/// characters get visible stand-ins so that columns stay true.
pub fn display(g: &str) -> (Cow<'_, str>, u16) {
    match g {
        "\t" => (Cow::Borrowed("    "), 4),
        _ => {
            let c = g.chars().next().unwrap_or(' ');
            if g.chars().count() == 1 && (c < ' ' || c == '\u{7f}') {
                let pic = if c == '\u{7f}' {
                    '\u{2421}'
                } else {
                    char::from_u32(0x2400 + c as u32).unwrap_or('?')
                };
                return (Cow::Owned(pic.to_string()), 1);
            }
            (Cow::Borrowed(g), g.width() as u16)
        }
    }
}

/// Spaces a line may break at. No-break spaces keep "Hà Nội" together.
fn breakable_space(g: &str) -> bool {
    g.chars()
        .all(|c| c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}'))
}

/// The label text drawn after a span: `]PER`.
pub fn close_text(label: &str) -> String {
    format!("]{label}")
}

impl Layout {
    pub fn new(doc: &Document, width: u16) -> Layout {
        let width = width.max(1);
        // Bracket events by position: closes (innermost first), then opens
        // (outermost first), so nesting reads `[[x]LOC y]ORG`.
        let mut events: Vec<(usize, u8, usize, Glyph)> = Vec::with_capacity(doc.spans.len() * 2);
        for s in doc.spans.iter() {
            let open = Glyph {
                start: s.start as u32,
                end: s.start as u32,
                col: 0,
                width: 1,
                kind: GlyphKind::Open,
                span: s.id,
            };
            let w = close_text(&s.label).width() as u16;
            let close = Glyph {
                start: s.end as u32,
                end: s.end as u32,
                col: 0,
                width: w,
                kind: GlyphKind::Close,
                span: s.id,
            };
            events.push((s.start, 1, usize::MAX - s.end, open));
            events.push((s.end, 0, usize::MAX - s.start, close));
        }
        events.sort_by_key(|e| (e.0, e.1, e.2));
        let mut ev = events.into_iter().peekable();

        let mut b = Builder {
            width,
            out: Layout {
                width,
                ..Layout::default()
            },
            col: 0,
            row_start: 0,
            unit_start: 0,
            last_ws: true,
        };
        b.out.row_glyph.push(0);
        b.out.row_char.push(0);
        let mut c = 0u32;
        for g in doc.text.as_str().graphemes(true) {
            let newline = g == "\n" || g == "\r\n" || g == "\r";
            let ws = !newline && breakable_space(g);
            // A word's unit starts before its opening brackets...
            if !newline && !ws && b.last_ws {
                b.unit_start = b.out.glyphs.len();
                b.last_ws = false;
            }
            while let Some(e) = ev.next_if(|e| e.0 as u32 <= c) {
                b.place(e.3, false);
            }
            // ...and a space's after the closing ones.
            if ws && !b.last_ws {
                b.unit_start = b.out.glyphs.len();
                b.last_ws = true;
            }
            let n = g.chars().count() as u32;
            if newline {
                b.place(
                    Glyph {
                        start: c,
                        end: c + n,
                        col: 0,
                        width: 0,
                        kind: GlyphKind::Newline,
                        span: 0,
                    },
                    true,
                );
                b.new_row(c + n);
            } else {
                let (_, w) = display(g);
                b.place(
                    Glyph {
                        start: c,
                        end: c + n,
                        col: 0,
                        width: w,
                        kind: GlyphKind::Grapheme,
                        span: 0,
                    },
                    ws,
                );
            }
            c += n;
        }
        for e in ev {
            b.place(e.3, false);
        }
        b.out
    }

    pub fn rows(&self) -> usize {
        self.row_glyph.len()
    }

    pub fn row(&self, r: usize) -> &[Glyph] {
        let a = self.row_glyph[r] as usize;
        let z = self
            .row_glyph
            .get(r + 1)
            .map_or(self.glyphs.len(), |&z| z as usize);
        &self.glyphs[a..z]
    }

    /// The row showing char `c` (the last row starting at or before it).
    pub fn row_of_char(&self, c: usize) -> usize {
        self.row_char
            .partition_point(|&s| s as usize <= c)
            .saturating_sub(1)
    }

    /// The column of the grapheme at char `c` (or the row's end).
    pub fn col_of_char(&self, c: usize) -> u16 {
        let row = self.row(self.row_of_char(c));
        row.iter()
            .find(|g| {
                matches!(g.kind, GlyphKind::Grapheme | GlyphKind::Newline) && g.end as usize > c
            })
            .or_else(|| row.iter().rev().find(|g| g.kind == GlyphKind::Grapheme))
            .map_or(0, |g| g.col)
    }

    /// The char at screen position (`row`, `col`): the grapheme under it,
    /// or the nearest one to its left; the row's first char if none.
    pub fn char_at(&self, row: usize, col: u16) -> usize {
        let row = row.min(self.rows() - 1);
        let glyphs = self.row(row);
        glyphs
            .iter()
            .rev()
            .find(|g| g.kind == GlyphKind::Grapheme && g.col <= col)
            .or_else(|| glyphs.iter().find(|g| g.kind == GlyphKind::Grapheme))
            .map_or(self.row_char[row] as usize, |g| g.start as usize)
    }
}

struct Builder {
    width: u16,
    out: Layout,
    col: u16,
    /// Glyph index where the current row starts.
    row_start: usize,
    /// Glyph index where the current unbreakable unit (word + brackets) starts.
    unit_start: usize,
    /// Whether the last grapheme was a breakable space.
    last_ws: bool,
}

impl Builder {
    fn new_row(&mut self, char_start: u32) {
        let idx = self.out.glyphs.len();
        self.out.row_glyph.push(idx as u32);
        self.out.row_char.push(char_start);
        self.row_start = idx;
        self.unit_start = idx;
        self.col = 0;
        self.last_ws = true;
    }

    /// Spaces never wrap: they may hang past the edge, where they are
    /// clipped, so that no row starts with the space that ended a word.
    fn place(&mut self, mut g: Glyph, is_ws: bool) {
        if self.col + g.width > self.width && self.out.glyphs.len() > self.row_start && !is_ws {
            if self.unit_start > self.row_start {
                // Move the whole unit to a fresh row.
                let at = self.unit_start;
                let first_char = self.out.glyphs.get(at).map_or(g.start, |x| x.start);
                self.out.row_glyph.push(at as u32);
                self.out.row_char.push(first_char);
                self.row_start = at;
                self.col = 0;
                for x in &mut self.out.glyphs[at..] {
                    x.col = self.col;
                    self.col += x.width;
                }
            }
            if self.col + g.width > self.width && self.out.glyphs.len() > self.row_start {
                // A unit wider than the pane: break it here.
                let at = self.out.glyphs.len();
                self.out.row_glyph.push(at as u32);
                self.out.row_char.push(g.start);
                self.row_start = at;
                self.unit_start = at;
                self.col = 0;
            }
        }
        g.col = self.col;
        self.col = self.col.saturating_add(g.width);
        self.out.glyphs.push(g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::text::Text;

    fn doc(markup: &str) -> Document {
        let m = crate::core::markup::parse(markup).unwrap();
        let mut d = Document::new("t.txt", Text::new(m.text), "");
        for (s, e, l) in m.spans {
            let sp = d.make_span(s, e, &l, None);
            d.apply(&crate::core::edit::Edit::Add(sp));
        }
        d
    }

    fn lines(d: &Document, w: u16) -> Vec<String> {
        let l = Layout::new(d, w);
        let text = d.text.as_str();
        (0..l.rows())
            .map(|r| {
                l.row(r)
                    .iter()
                    .map(|g| match g.kind {
                        GlyphKind::Grapheme => display(
                            &text[d.text.byte_of(g.start as usize)..d.text.byte_of(g.end as usize)],
                        )
                        .0
                        .into_owned(),
                        GlyphKind::Newline => String::new(),
                        GlyphKind::Open => "[".into(),
                        GlyphKind::Close => close_text(&d.spans.get(g.span).unwrap().label),
                    })
                    .collect::<String>()
            })
            .collect()
    }

    #[test]
    fn wraps_on_word_boundaries_keeping_brackets_with_words() {
        let d = doc("Tổng Bí thư [Nguyễn Phú Trọng]{PER} làm việc");
        assert_eq!(
            lines(&d, 16),
            ["Tổng Bí thư ", "[Nguyễn Phú ", "Trọng]PER làm ", "việc"]
        );
    }

    #[test]
    fn long_words_break_and_nothing_is_cut_off() {
        let d = doc("abcdefghij");
        assert_eq!(lines(&d, 4), ["abcd", "efgh", "ij"]);
        let d = doc("x");
        assert_eq!(lines(&d, 1), ["x"]);
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let d = doc("越南 👍🏽 ok");
        let l = Layout::new(&d, 5);
        assert_eq!(lines(&d, 5), ["越南 ", "👍🏽 ok"]);
        assert_eq!(l.col_of_char(5), 2);
        assert_eq!(l.char_at(1, 1), 3);
    }

    #[test]
    fn newlines_and_nbsp() {
        let d = doc("a\r\n\nHà\u{a0}Nội xyz");
        assert_eq!(lines(&d, 6), ["a", "", "Hà\u{a0}Nội ", "xyz"]);
        let l = Layout::new(&d, 6);
        assert_eq!(l.row_of_char(0), 0);
        assert_eq!(l.row_of_char(3), 1);
        assert_eq!(l.row_of_char(4), 2);
    }

    #[test]
    fn nested_brackets_read_inside_out() {
        let d = doc("[Ủy ban [Hà Nội]{LOC}]{ORG}");
        assert_eq!(lines(&d, 80), ["[Ủy ban [Hà Nội]LOC]ORG"]);
    }
}
