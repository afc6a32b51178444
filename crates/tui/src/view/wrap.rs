//! The wrapped layout of an article at a given width: which characters and
//! span brackets go on which screen row, at which column.
//!
//! Only a compact row index is kept (where each row starts in the stream of
//! graphemes and brackets); the glyphs of a row are computed when asked for,
//! and the renderer asks only for the visible rows. An edit re-flows from
//! the row before the change until the row starts agree with the old layout
//! again (greedy wrapping re-synchronises), so its cost follows the size of
//! the change, not of the article. Opening an article or a resize wraps
//! only as far as the screen and the cursor; `update` wraps further when
//! the cursor or the scroll goes there (`G` wraps to the end once).

use nhan_model::document::Document;
use nhan_model::text::Text;
use std::borrow::Cow;
use std::ops::Range;
use unicode_segmentation::GraphemeCursor;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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
    /// What a bracket belongs to (`Mark::Text` for text).
    pub mark: Mark,
}

/// What a glyph belongs to: the text, a span (any `u64` id, as sidecars
/// and imports have them), or a suggestion (its extent, which stays true
/// while other suggestions come and go; an index would not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mark {
    Text,
    Span(nhan_model::ids::SpanId),
    Suggestion { start: u32, end: u32 },
}

impl Mark {
    /// The span's id, for a span's bracket.
    pub fn span_id(self) -> Option<nhan_model::ids::SpanId> {
        match self {
            Mark::Span(id) => Some(id),
            _ => None,
        }
    }
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

/// The label text drawn after a span: `]PER`, and `]PER†` when the span
/// has a note (a mark that needs no colour).
pub fn close_text(s: &nhan_model::span::Span) -> String {
    let mark = if nhan_model::attrs::note(s).is_some() {
        NOTE_MARK
    } else {
        ""
    };
    format!("]{}{mark}", s.label)
}

/// After the label of a span with a note.
pub const NOTE_MARK: &str = "†";

fn close_width(s: &nhan_model::span::Span) -> u16 {
    let mark = nhan_model::attrs::note(s).map_or(0, |_| NOTE_MARK.width());
    (1 + s.label.width() + mark) as u16
}

/// A bracket in the glyph stream: `[` at a span's start or `]LABEL` at its
/// end. Sorted by position, closes before opens, innermost close and
/// outermost open first, so nesting reads `[[x]LOC y]ORG`. Kept small
/// (12 bytes; 100k spans make 200k brackets): an edit moves the tail of
/// this list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Event {
    pos: u32,
    /// The span: its place in the layout's span table (`Layout::span_ids`),
    /// which keeps the event small whatever the ids are (imported sidecars
    /// have any u64 ids).
    id: u32,
    width: u16,
    open: bool,
}

/// A suggestion drawn in the text, apart from spans: `{` before it and
/// `}LABEL?` after it (see [`ghost_close_text`]), so that it reads as a
/// question even without colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ghost {
    pub start: usize,
    pub end: usize,
    pub label: nhan_model::interned::Sym,
}

/// The mark of a suggestion's brackets; `None` past 2³² chars (not drawn).
fn suggestion_mark(start: usize, end: usize) -> Option<Mark> {
    Some(Mark::Suggestion {
        start: start.try_into().ok()?,
        end: end.try_into().ok()?,
    })
}

/// The text drawn after a suggestion: `}LOC?`.
pub fn ghost_close_text(label: &str) -> String {
    format!("}}{label}?")
}

/// One bracketed extent for the wrapper: mark, start, end, width of the close.
type Edge = (Mark, usize, usize, u16);

fn span_edges<'a>(
    spans: impl Iterator<Item = &'a nhan_model::span::Span>,
) -> impl Iterator<Item = Edge> {
    spans.map(|s| (Mark::Span(s.id), s.start, s.end, close_width(s)))
}

fn ghost_edges(ghosts: &[Ghost], a: usize, b: usize) -> impl Iterator<Item = Edge> + '_ {
    ghosts
        .iter()
        .filter(move |g| g.start <= b && a <= g.end)
        .filter_map(|g| {
            Some((
                suggestion_mark(g.start, g.end)?,
                g.start,
                g.end,
                2 + g.label.width() as u16,
            ))
        })
}

/// The brackets of `edges` positioned in `at`, their ids entered in
/// `table`.
fn events_of(
    edges: impl Iterator<Item = Edge>,
    at: Range<usize>,
    table: &mut Vec<Mark>,
) -> Vec<Event> {
    let inside = |p: usize| at.start <= p && p <= at.end;
    // The events alone are sorted (12 bytes each), their order read from
    // the table and `extents` beside them: sorting (mark, extent, event)
    // tuples took 32 bytes a bracket, 8 MB more at the open of an article
    // with 100k spans.
    let base = table.len();
    let mut extents: Vec<(u32, u32)> = Vec::new();
    let mut v: Vec<Event> = Vec::new();
    for (sid, start, end, close) in edges {
        if !inside(start) && !inside(end) {
            continue;
        }
        let id = table.len() as u32;
        table.push(sid);
        extents.push((start as u32, end as u32));
        if inside(start) {
            v.push(Event {
                pos: start as u32,
                width: 1,
                open: true,
                id,
            });
        }
        if inside(end) {
            // `]` then the label, without building the string.
            v.push(Event {
                pos: end as u32,
                width: close,
                open: false,
                id,
            });
        }
    }
    v.sort_unstable_by_key(|e| {
        let mark = table[e.id as usize];
        let (start, end) = extents[e.id as usize - base];
        // The span's other end orders brackets sharing a position, then
        // its mark (spans before suggestions, then by id): opens in mark
        // order, closes in reverse, so that they nest.
        let (other, open, close) = if e.open {
            (end, Some(mark), None)
        } else {
            (start, None, Some(std::cmp::Reverse(mark)))
        };
        (e.pos, e.open, std::cmp::Reverse(other), open, close)
    });
    v
}

/// The brackets in order, with a gap where the last edit was: a tag key
/// inserts its two brackets there without moving the rest of the list, and
/// the next edit nearby (annotators tag forward through the text) moves
/// only what lies between the two.
#[derive(Debug, Clone, Default)]
struct Events {
    buf: Vec<Event>,
    gap: usize,
    gap_len: usize,
}

impl PartialEq for Events {
    fn eq(&self, o: &Events) -> bool {
        self.len() == o.len() && (0..self.len()).all(|k| self.get(k) == o.get(k))
    }
}

impl Events {
    fn new(v: Vec<Event>) -> Events {
        Events {
            buf: v,
            gap: 0,
            gap_len: 0,
        }
    }

    fn len(&self) -> usize {
        self.buf.len() - self.gap_len
    }

    fn get(&self, k: usize) -> Option<&Event> {
        if k < self.gap {
            self.buf.get(k)
        } else {
            self.buf.get(k + self.gap_len)
        }
    }

    /// Every event, the gap left out.
    fn live_mut(&mut self) -> impl Iterator<Item = &mut Event> {
        let (before, rest) = self.buf.split_at_mut(self.gap);
        before.iter_mut().chain(rest[self.gap_len..].iter_mut())
    }

    fn partition_point(&self, f: impl Fn(&Event) -> bool) -> usize {
        let (a, b) = (&self.buf[..self.gap], &self.buf[self.gap + self.gap_len..]);
        if a.last().is_none_or(&f) {
            a.len() + b.partition_point(f)
        } else {
            a.partition_point(f)
        }
    }

    /// Replaces the brackets `lo..hi` with `fresh`.
    fn splice(&mut self, lo: usize, hi: usize, fresh: Vec<Event>) {
        let g = self.gap_len;
        if lo < self.gap {
            self.buf.copy_within(lo..self.gap, lo + g);
        } else {
            self.buf.copy_within(self.gap + g..lo + g, self.gap);
        }
        self.gap = lo;
        self.gap_len += hi - lo;
        if fresh.len() > self.gap_len {
            // Room for many more edits here before the tail moves again.
            let more = fresh.len() - self.gap_len + 1024;
            let filler = Event {
                pos: 0,
                width: 0,
                open: false,
                id: 0,
            };
            self.buf
                .splice(self.gap..self.gap, std::iter::repeat_n(filler, more));
            self.gap_len += more;
        }
        self.buf[lo..lo + fresh.len()].copy_from_slice(&fresh);
        self.gap += fresh.len();
        self.gap_len -= fresh.len();
    }
}

/// Where a row starts in the glyph stream: the next grapheme is at char
/// `c`; the next bracket is `rel` after the first one positioned at or
/// after `c` (so that an edit elsewhere, which shifts bracket indices, does
/// not touch this row start); plus whether the wrapper was inside spaces
/// there (the only state a row start carries besides its position).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RowStart {
    c: u32,
    /// `rel + REL_BIAS` in the low 31 bits (`rel` is negative only when a
    /// span edge falls inside a grapheme), the "after a space" flag in the
    /// top bit.
    rel_ws: u32,
}

const WS_BIT: u32 = 1 << 31;
const REL_BIAS: i64 = 1 << 30;

impl RowStart {
    fn new(c: u32, rel: i64, ws: bool) -> Self {
        debug_assert!((-REL_BIAS..REL_BIAS).contains(&rel));
        RowStart {
            c,
            rel_ws: (rel + REL_BIAS) as u32 | if ws { WS_BIT } else { 0 },
        }
    }
    fn rel(self) -> i64 {
        (self.rel_ws & !WS_BIT) as i64 - REL_BIAS
    }
    fn ws(self) -> bool {
        self.rel_ws & WS_BIT != 0
    }
}

thread_local! {
    /// Wrap passes made on this thread: a fresh layout, or the rows an
    /// edit or a change of suggestions flows again (not the rows wrapped on
    /// as the view moves on). Tests read it to hold a key to one pass.
    static PASSES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Wrap passes made on this thread so far (see `PASSES`).
pub fn passes() -> u64 {
    PASSES.with(std::cell::Cell::get)
}

fn count_pass() {
    PASSES.with(|p| p.set(p.get() + 1));
}

/// The article is wrapped only as far as something asked for (the rows on
/// screen, the cursor's row): opening or resizing a long article costs a
/// screen, not the article. The queries that take `&mut self`
/// (`row_of_char`, `col_of_char`, `char_at`) wrap as far as they need;
/// rendering reads with `&self` only what is wrapped (`row`, `cell_of_char`).
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub width: u16,
    /// The article (shared, not copied) and its brackets, so that rows can
    /// be drawn on demand.
    text: Text,
    events: Events,
    /// What the brackets belong to, indexed by `Event::id`. An edit
    /// appends the spans it re-enters; a new layout starts afresh.
    span_ids: Vec<Mark>,
    /// Row starts wrapped so far. Unless `complete`, the last one is where
    /// wrapping resumes and its row's end is not known yet.
    starts: Vec<RowStart>,
    complete: bool,
    /// Suggestions drawn with their own brackets, sorted by extent.
    ghosts: std::sync::Arc<Vec<Ghost>>,
    /// Which version of the suggestion list `ghosts` are (see
    /// `ArticleSuggestions::version`; 0: none, or not known).
    pub ghosts_version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Newline,
    Space,
    Other,
}

/// Chars that form a grapheme of their own next to each other, with no
/// special width: printable ASCII, Latin-1 and Latin Extended A/B, and the
/// Vietnamese block (U+1E00–U+1EFF). Between two of them UAX #29 always
/// breaks, so the common case needs no segmentation state machine.
fn simple(ch: char) -> bool {
    matches!(ch, ' '..='~' | '\u{a0}'..='\u{24f}' | '\u{1e00}'..='\u{1eff}') && ch != '\u{ad}'
}

/// The grapheme starting at byte `b` of `s` (a grapheme boundary):
/// (bytes, chars, columns, class).
fn grapheme_at(s: &str, b: usize) -> (usize, u32, u16, Class) {
    let bytes = s.as_bytes();
    let x = bytes[b];
    let next_simple = |at: usize| {
        at >= bytes.len() || bytes[at] < 0x80 || s[at..].chars().next().is_some_and(simple)
    };
    if (b' '..=b'~').contains(&x) && next_simple(b + 1) {
        let class = if x == b' ' {
            Class::Space
        } else {
            Class::Other
        };
        return (1, 1, 1, class);
    }
    if x >= 0x80 {
        let ch = s[b..].chars().next().expect("a char boundary");
        let n = ch.len_utf8();
        if simple(ch) && next_simple(b + n) {
            return (n, 1, ch.width().unwrap_or(0) as u16, Class::Other);
        }
    }
    let end = GraphemeCursor::new(b, s.len(), true)
        .next_boundary(s, 0)
        .ok()
        .flatten()
        .unwrap_or(s.len());
    let g = &s[b..end];
    let chars = g.chars().count() as u32;
    if g == "\n" || g == "\r\n" || g == "\r" {
        (end - b, chars, 0, Class::Newline)
    } else if breakable_space(g) {
        (end - b, chars, display(g).1, Class::Space)
    } else {
        (end - b, chars, display(g).1, Class::Other)
    }
}

/// A place in the glyph stream while wrapping: char `c`, next bracket `k`,
/// and `lo`, the first bracket positioned at or after `c`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Pos {
    c: u32,
    k: usize,
    lo: usize,
}

/// The greedy wrapper, resumable at any row start. Words and the brackets
/// glued to them form units that move to the next row together; spaces
/// never wrap (they may hang past the edge, where they are clipped, so that
/// no row starts with the space that ended a word); a unit wider than the
/// pane is broken where it reaches the edge.
struct Flow<'a> {
    s: &'a str,
    events: &'a Events,
    width: u32,
    c: u32,
    b: usize,
    k: usize,
    lo: usize,
    col: u32,
    row_start: Pos,
    unit_start: Pos,
    unit_col: u32,
    last_ws: bool,
}

impl<'a> Flow<'a> {
    fn resume(layout: &'a Layout, at: RowStart) -> Self {
        let lo = layout.first_at(at.c);
        let k = (lo as i64 + at.rel()) as usize;
        let pos = Pos { c: at.c, k, lo };
        Flow {
            s: layout.text.as_str(),
            events: &layout.events,
            width: layout.width as u32,
            c: at.c,
            b: layout.text.byte_of(at.c as usize),
            k,
            lo,
            col: 0,
            row_start: pos,
            unit_start: pos,
            unit_col: 0,
            last_ws: at.ws(),
        }
    }

    fn pos(&self) -> Pos {
        Pos {
            c: self.c,
            k: self.k,
            lo: self.lo,
        }
    }

    fn start_at(p: Pos, ws: bool) -> RowStart {
        RowStart::new(p.c, p.k as i64 - p.lo as i64, ws)
    }

    /// Places one glyph; reports every row it starts to `row`, which says
    /// whether to go on.
    fn place(&mut self, w: u16, is_ws: bool, row: &mut impl FnMut(RowStart) -> bool) -> bool {
        let w = w as u32;
        let pos = self.pos();
        let mut go = true;
        if self.col + w > self.width && pos != self.row_start && !is_ws {
            if self.unit_start > self.row_start {
                // Move the whole unit to a fresh row.
                go &= row(Self::start_at(self.unit_start, self.last_ws));
                self.row_start = self.unit_start;
                self.col -= self.unit_col;
                self.unit_col = 0;
            }
            if self.col + w > self.width && pos != self.row_start {
                // A unit wider than the pane: break it here.
                go &= row(Self::start_at(pos, self.last_ws));
                self.row_start = pos;
                self.unit_start = pos;
                self.unit_col = 0;
                self.col = 0;
            }
        }
        self.col += w;
        go
    }

    /// Runs to the end of the text (returns true), or until `row` says stop
    /// (returns false).
    fn run(&mut self, mut row: impl FnMut(RowStart) -> bool) -> bool {
        let len = self.s.len();
        loop {
            if self.b >= len {
                while self.k < self.events.len() {
                    let w = self.events.get(self.k).map_or(0, |e| e.width);
                    if !self.place(w, false, &mut row) {
                        return false;
                    }
                    self.k += 1;
                }
                return true;
            }
            let (nb, nc, w, class) = grapheme_at(self.s, self.b);
            // A word's unit starts before its opening brackets...
            if class == Class::Other && self.last_ws {
                self.unit_start = self.pos();
                self.unit_col = self.col;
                self.last_ws = false;
            }
            while let Some(e) = self.events.get(self.k).filter(|e| e.pos <= self.c) {
                if !self.place(e.width, false, &mut row) {
                    return false;
                }
                self.k += 1;
            }
            // ...and a space's after the closing ones.
            if class == Class::Space && !self.last_ws {
                self.unit_start = self.pos();
                self.unit_col = self.col;
                self.last_ws = true;
            }
            let go = self.place(w, class != Class::Other, &mut row);
            self.c += nc;
            self.b += nb;
            while self.events.get(self.lo).is_some_and(|e| e.pos < self.c) {
                self.lo += 1;
            }
            if !go {
                return false;
            }
            if class == Class::Newline {
                let at = self.pos();
                self.row_start = at;
                self.unit_start = at;
                self.unit_col = 0;
                self.col = 0;
                self.last_ws = true;
                if !row(Self::start_at(at, true)) {
                    return false;
                }
            }
        }
    }
}

impl Layout {
    /// The whole article wrapped (what the benches and tests compare).
    pub fn new(doc: &Document, width: u16) -> Layout {
        Layout::up_to(doc, width, usize::MAX)
    }

    /// The article wrapped only as far as its first `rows` rows.
    pub fn up_to(doc: &Document, width: u16, rows: usize) -> Layout {
        Layout::up_to_with(doc, width, rows, Default::default())
    }

    /// `up_to` with suggestions drawn too.
    pub fn up_to_with(
        doc: &Document,
        width: u16,
        rows: usize,
        ghosts: std::sync::Arc<Vec<Ghost>>,
    ) -> Layout {
        count_pass();
        let width = width.max(1);
        let mut span_ids = Vec::with_capacity(doc.spans().len());
        let full = doc.text().as_str().len() / width as usize + 2;
        let edges = span_edges(doc.spans().iter()).chain(ghost_edges(&ghosts, 0, usize::MAX));
        let mut l = Layout {
            width,
            text: doc.text().clone(),
            events: Events::new(events_of(edges, 0..usize::MAX, &mut span_ids)),
            span_ids,
            starts: Vec::with_capacity(full.min(rows.saturating_add(2))),
            complete: false,
            ghosts,
            ghosts_version: 0,
        };
        l.starts.push(RowStart::new(0, 0, true));
        l.ensure_rows(rows);
        l
    }

    /// The first bracket positioned at or after char `c`.
    fn first_at(&self, c: u32) -> usize {
        self.events.partition_point(|e| e.pos < c)
    }

    /// The index of the next bracket at row start `r`.
    fn k_of(&self, r: RowStart) -> usize {
        (self.first_at(r.c) as i64 + r.rel()) as usize
    }

    /// Wraps on from the last known row start until `enough` says so (it
    /// sees each new row start) or the article ends.
    fn grow(&mut self, mut enough: impl FnMut(RowStart, usize) -> bool) {
        if self.complete {
            return;
        }
        let Some(&from) = self.starts.last() else {
            return;
        };
        let mut starts = std::mem::take(&mut self.starts);
        let ended = Flow::resume(self, from).run(|r| {
            starts.push(r);
            !enough(r, starts.len())
        });
        self.starts = starts;
        self.complete = ended;
    }

    /// Wraps at least the first `n` rows (all of them if there are fewer).
    pub fn ensure_rows(&mut self, n: usize) {
        // The last start's row is complete once the next one is known.
        if self.rows() < n {
            self.grow(|_, len| len > n);
        }
    }

    /// Wraps at least up to the row showing char `c`, so that
    /// `wrapped_row_of_char(c)` is exact.
    fn ensure_char(&mut self, c: usize) {
        if !self.complete && self.starts.last().is_some_and(|r| r.c as usize <= c) {
            self.grow(|r, _| r.c as usize > c);
        }
    }

    /// Wraps the whole article.
    pub fn ensure_all(&mut self) {
        self.grow(|_, _| false);
    }

    /// Renumbers the span table to the brackets still here. Each edit
    /// enters the spans and suggestions it re-positions anew and leaves
    /// the old entries behind: with suggestions re-listed after every key,
    /// a 1 MB article's table grew by 20 MB in 300 keys.
    fn compact_table(&mut self) {
        let mut renumbered = vec![u32::MAX; self.span_ids.len()];
        let mut table = Vec::with_capacity(self.events.len() / 2 + 1);
        for e in self.events.live_mut() {
            let old = e.id as usize;
            if renumbered[old] == u32::MAX {
                renumbered[old] = table.len() as u32;
                table.push(self.span_ids[old]);
            }
            e.id = renumbered[old];
        }
        self.span_ids = table;
    }

    /// Whether the whole article is wrapped (`rows()` is then its total).
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Same as `Layout::new(doc, width)` after the spans changed in
    /// `changed` (chars; every span added or removed has both ends in
    /// `start..=end`), wrapped as far as before or to row `keep`, whichever
    /// comes first. The text itself must not have changed.
    ///
    /// Rows after the change that the new brackets shift are wrapped again
    /// only up to row `keep` (what the screen shows): in a long paragraph
    /// the shift can run on for every row after it, and re-wrapping rows
    /// nobody looks at made a tag key cost what the whole text costs.
    /// Those rows are wrapped again when asked for, as on opening.
    pub fn edit(&mut self, doc: &Document, changed: Range<usize>, keep: usize) {
        self.edit_ranges(
            doc,
            &[(changed.start, changed.end.max(changed.start))],
            keep,
        );
    }

    /// `edit` for several changed ranges (ascending, apart): the brackets
    /// of each are positioned again, not those between them. A suggestion
    /// list that changed at the top and the bottom of a long article
    /// re-sorted every bracket in it, on the interface's thread.
    fn edit_ranges(&mut self, doc: &Document, ranges: &[(usize, usize)], keep: usize) {
        let (Some(&(a, _)), Some(&(_, b))) = (ranges.first(), ranges.last()) else {
            return;
        };
        if self.starts.is_empty() || !std::ptr::eq(self.text.as_str(), doc.text().as_str()) {
            let ghosts = std::sync::Arc::clone(&self.ghosts);
            *self = Layout::up_to_with(doc, self.width, self.rows().min(keep.max(1)), ghosts);
            return;
        }
        count_pass();
        let ghosts = std::sync::Arc::clone(&self.ghosts);
        let mut new_hi = 0;
        for &(a, b) in ranges {
            // Replace the brackets positioned in a..=b.
            let lo = self.first_at(a as u32);
            let hi = self.events.partition_point(|e| (e.pos as usize) <= b);
            let edges = span_edges(doc.spans().overlapping(a.saturating_sub(1), b + 1))
                .chain(ghost_edges(&ghosts, a, b));
            let fresh = events_of(edges, a..b, &mut self.span_ids);
            new_hi = lo + fresh.len();
            self.events.splice(lo, hi, fresh);
        }
        if self.span_ids.len() > 2 * self.events.len() + 4096 {
            self.compact_table();
        }
        // Row starts keep their bracket index relative to their own char,
        // so those before and after the change stay valid as they are.
        let last = *self.starts.last().expect("checked above");

        // The row holding the first changed glyph may have been started
        // because of it; the one before it was not. Start there.
        let first = self.starts.partition_point(|r| (r.c as usize) < a);
        let r0 = first.saturating_sub(2);
        // Even an edit past the last row wrapped can move where that row
        // ends (its last word may run on into the change): re-flow from
        // two rows before it all the same (a proptest found this).
        let from = self.starts[r0];
        let mut new_rows: Vec<RowStart> = Vec::new();
        let mut resync: Option<usize> = None;
        // Stopped before the old rows ran out: the rest is wrapped later.
        let mut cut = false;
        let ended = {
            let this = &*self;
            let starts = &self.starts;
            let complete = self.complete;
            let mut next_old = r0 + 1;
            Flow::resume(this, from).run(|r| {
                if resync.is_some() || cut {
                    return false;
                }
                if (r.c as usize) > b {
                    // Past the change: does an old row start here too, in
                    // the same state? (Greedy wrapping goes on as before.)
                    while next_old < starts.len() && starts[next_old].c < r.c {
                        next_old += 1;
                    }
                    let mut j = next_old;
                    while j < starts.len() && starts[j].c == r.c {
                        if starts[j] == r && this.k_of(r) >= new_hi {
                            resync = Some(j);
                            return false;
                        }
                        j += 1;
                    }
                }
                new_rows.push(r);
                // Beyond what was wrapped there is nothing to compare with;
                // beyond what is kept, nothing to wrap yet.
                let past_known = !complete && r.c > last.c;
                let kept = r0 + 1 + new_rows.len() > keep && (r.c as usize) > b;
                if past_known || kept {
                    cut = true;
                    return false;
                }
                true
            })
        };
        if cut {
            self.complete = false;
        } else if resync.is_none() && ended {
            self.complete = true;
        }
        let tail_from = resync.unwrap_or(self.starts.len());
        let before = self.rows();
        self.starts.splice(r0 + 1..tail_from, new_rows);
        // Shorter brackets can pull the rows wrapped so far up short of
        // where they reached.
        self.ensure_rows(before.min(keep));
    }

    /// The suggestions drawn.
    pub fn ghosts(&self) -> std::sync::Arc<Vec<Ghost>> {
        std::sync::Arc::clone(&self.ghosts)
    }

    /// Draws `ghosts` (sorted by extent) instead of the suggestions drawn
    /// now: only the rows between the first and last that changed are
    /// wrapped again (up to row `keep`, as `edit`).
    pub fn set_ghosts(&mut self, doc: &Document, ghosts: Vec<Ghost>, keep: usize) {
        self.refresh(doc, None, Some(ghosts), keep);
    }

    /// `edit` for the spans changed in `changed` and, if given, `ghosts`
    /// drawn instead of the suggestions drawn now, in one pass: a key that
    /// both edits and changes what is suggested flows its rows once.
    pub fn refresh(
        &mut self,
        doc: &Document,
        changed: Option<Range<usize>>,
        ghosts: Option<Vec<Ghost>>,
        keep: usize,
    ) {
        let mut ranges: Vec<(usize, usize)> = changed
            .map(|r| (r.start, r.end.max(r.start)))
            .into_iter()
            .collect();
        if let Some(ghosts) = ghosts {
            let old = std::mem::replace(&mut self.ghosts, std::sync::Arc::new(ghosts));
            let mut widen = |g: &Ghost| ranges.push((g.start, g.end));
            let (mut i, mut j) = (0, 0);
            let new = std::sync::Arc::clone(&self.ghosts);
            while i < old.len() || j < new.len() {
                match (old.get(i), new.get(j)) {
                    (Some(o), Some(n)) if o == n => {
                        i += 1;
                        j += 1;
                    }
                    (Some(o), Some(n)) if (o.start, o.end) < (n.start, n.end) => {
                        widen(o);
                        i += 1;
                    }
                    (Some(o), Some(n)) if (o.start, o.end) > (n.start, n.end) => {
                        widen(n);
                        j += 1;
                    }
                    (Some(o), Some(n)) => {
                        widen(o);
                        widen(n);
                        i += 1;
                        j += 1;
                    }
                    (Some(o), None) => {
                        widen(o);
                        i += 1;
                    }
                    (None, Some(n)) => {
                        widen(n);
                        j += 1;
                    }
                    (None, None) => break,
                }
            }
        }
        if ranges.is_empty() || self.starts.is_empty() {
            return;
        }
        // Ascending and apart: ranges that touch or nearly do are one.
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            match merged.last_mut() {
                Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.edit_ranges(doc, &merged, keep);
    }

    /// The label of the suggestion a bracket stands for.
    pub fn ghost_label(&self, mark: Mark) -> Option<&str> {
        let Mark::Suggestion { start, end } = mark else {
            return None;
        };
        let (s, e) = (start as usize, end as usize);
        let i = self
            .ghosts
            .binary_search_by(|g| (g.start, g.end).cmp(&(s, e)))
            .ok()?;
        Some(self.ghosts[i].label.as_str())
    }

    /// The suggestions drawn over chars `[lo, hi)`.
    pub fn ghosts_between(&self, lo: usize, hi: usize) -> &[Ghost] {
        // Sorted by start; a suggestion is a few words, so those that start
        // well before `lo` are skipped by a search and the rest filtered.
        let a = self.ghosts.partition_point(|g| g.start + 256 < lo);
        let b = self.ghosts.partition_point(|g| g.start < hi);
        &self.ghosts[a..b.max(a)]
    }

    /// Rows wrapped so far: all of them once `is_complete`.
    pub fn rows(&self) -> usize {
        if self.complete {
            self.starts.len()
        } else {
            self.starts.len().saturating_sub(1)
        }
    }

    /// The glyphs of row `r`, columns included (empty past the last row
    /// wrapped).
    pub fn row(&self, r: usize) -> Vec<Glyph> {
        if r >= self.rows() {
            return Vec::new();
        }
        let at = self.starts[r];
        let end = self
            .starts
            .get(r + 1)
            .map_or((u32::MAX, usize::MAX), |&n| (n.c, self.k_of(n)));
        let s = self.text.as_str();
        let (mut c, mut k) = (at.c, self.k_of(at));
        let mut b = self.text.byte_of(c as usize);
        let mut col = 0u32;
        let mut out = Vec::with_capacity(usize::from(self.width) + 8);
        while (c, k) < end {
            let glyph = match self.events.get(k) {
                Some(e) if e.pos <= c || b >= s.len() => {
                    k += 1;
                    Glyph {
                        start: e.pos,
                        end: e.pos,
                        col: 0,
                        width: e.width,
                        kind: if e.open {
                            GlyphKind::Open
                        } else {
                            GlyphKind::Close
                        },
                        mark: self.span_ids[e.id as usize],
                    }
                }
                _ if b >= s.len() => break,
                _ => {
                    let (nb, nc, w, class) = grapheme_at(s, b);
                    b += nb;
                    c += nc;
                    Glyph {
                        start: c - nc,
                        end: c,
                        col: 0,
                        width: w,
                        kind: if class == Class::Newline {
                            GlyphKind::Newline
                        } else {
                            GlyphKind::Grapheme
                        },
                        mark: Mark::Text,
                    }
                }
            };
            out.push(Glyph {
                col: col.min(u16::MAX as u32) as u16,
                ..glyph
            });
            col += glyph.width as u32;
        }
        out
    }

    /// The row showing char `c`, wrapping as far as that needs.
    pub fn row_of_char(&mut self, c: usize) -> usize {
        self.ensure_char(c);
        self.wrapped_row_of_char(c)
    }

    /// The row and column of char `c` if its row is wrapped already: what
    /// a renderer, which reads and never wraps, can know.
    pub fn cell_of_char(&self, c: usize) -> Option<(usize, u16)> {
        let row = self.wrapped_row_of_char(c);
        (row < self.rows()).then(|| (row, self.wrapped_col_of_char(c)))
    }

    /// The row showing char `c` among the rows wrapped so far (the last row
    /// starting at or before it).
    fn wrapped_row_of_char(&self, c: usize) -> usize {
        self.starts
            .partition_point(|s| s.c as usize <= c)
            .saturating_sub(1)
    }

    /// The column of the grapheme at char `c` (or the row's end), wrapping
    /// as far as that needs.
    pub fn col_of_char(&mut self, c: usize) -> u16 {
        self.ensure_char(c);
        self.wrapped_col_of_char(c)
    }

    fn wrapped_col_of_char(&self, c: usize) -> u16 {
        let row = self.row(self.wrapped_row_of_char(c));
        row.iter()
            .find(|g| {
                matches!(g.kind, GlyphKind::Grapheme | GlyphKind::Newline) && g.end as usize > c
            })
            .or_else(|| row.iter().rev().find(|g| g.kind == GlyphKind::Grapheme))
            .map_or(0, |g| g.col)
    }

    /// The char at screen position (`row`, `col`): the grapheme under it,
    /// or the nearest one to its left; the row's first char if none. Wraps
    /// as far as `row`.
    pub fn char_at(&mut self, row: usize, col: u16) -> usize {
        self.ensure_rows(row.saturating_add(1));
        if self.rows() == 0 {
            return self.starts.first().map_or(0, |r| r.c as usize);
        }
        let row = row.min(self.rows() - 1);
        let glyphs = self.row(row);
        glyphs
            .iter()
            .rev()
            .find(|g| g.kind == GlyphKind::Grapheme && g.col <= col)
            .or_else(|| glyphs.iter().find(|g| g.kind == GlyphKind::Grapheme))
            .map_or(self.starts[row].c as usize, |g| g.start as usize)
    }
}

/// The layout as it was first written (every glyph of the article kept),
/// as the reference the on-demand, incremental layout must agree with.
#[cfg(test)]
mod reference {
    use super::*;
    use unicode_segmentation::UnicodeSegmentation;

    #[derive(Default)]
    pub struct Reference {
        pub glyphs: Vec<Glyph>,
        pub row_glyph: Vec<u32>,
        pub row_char: Vec<u32>,
    }

    impl Reference {
        pub fn rows(&self) -> Vec<Vec<Glyph>> {
            (0..self.row_glyph.len())
                .map(|r| {
                    let a = self.row_glyph[r] as usize;
                    let z = self
                        .row_glyph
                        .get(r + 1)
                        .map_or(self.glyphs.len(), |&z| z as usize);
                    self.glyphs[a..z].to_vec()
                })
                .collect()
        }
    }

    impl Reference {
        pub fn build(doc: &Document, width: u16) -> Reference {
            let width = width.max(1);
            // Bracket events by position: closes (innermost first), then opens
            // (outermost first), so nesting reads `[[x]LOC y]ORG`.
            let mut events: Vec<(usize, u8, usize, Glyph)> =
                Vec::with_capacity(doc.spans().len() * 2);
            for s in doc.spans().iter() {
                let open = Glyph {
                    start: s.start as u32,
                    end: s.start as u32,
                    col: 0,
                    width: 1,
                    kind: GlyphKind::Open,
                    mark: Mark::Span(s.id),
                };
                let w = close_text(s).width() as u16;
                let close = Glyph {
                    start: s.end as u32,
                    end: s.end as u32,
                    col: 0,
                    width: w,
                    kind: GlyphKind::Close,
                    mark: Mark::Span(s.id),
                };
                events.push((s.start, 1, usize::MAX - s.end, open));
                events.push((s.end, 0, usize::MAX - s.start, close));
            }
            events.sort_by_key(|e| {
                (
                    e.0,
                    e.1,
                    e.2,
                    if e.1 == 1 {
                        Ok(e.3.mark)
                    } else {
                        Err(std::cmp::Reverse(e.3.mark))
                    },
                )
            });
            let mut ev = events.into_iter().peekable();

            let mut b = Builder {
                width,
                out: Reference::default(),
                col: 0,
                row_start: 0,
                unit_start: 0,
                last_ws: true,
            };
            b.out.row_glyph.push(0);
            b.out.row_char.push(0);
            let mut c = 0u32;
            for g in doc.text().as_str().graphemes(true) {
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
                            mark: Mark::Text,
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
                            mark: Mark::Text,
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
    }

    struct Builder {
        width: u16,
        out: Reference,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(markup: &str) -> Document {
        let m = nhan_model::markup::parse(markup).unwrap();
        let mut d = Document::new("t.txt", Text::new(m.text), "");
        for (s, e, l) in m.spans {
            let sp = d.make_span(s, e, &l, None);
            d.apply(&nhan_model::edit::Edit::Add(sp));
        }
        d
    }

    fn lines(d: &Document, w: u16) -> Vec<String> {
        let l = Layout::new(d, w);
        let text = d.text().as_str();
        (0..l.rows())
            .map(|r| {
                l.row(r)
                    .iter()
                    .map(|g| match g.kind {
                        GlyphKind::Grapheme => display(
                            &text[d.text().byte_of(g.start as usize)
                                ..d.text().byte_of(g.end as usize)],
                        )
                        .0
                        .into_owned(),
                        GlyphKind::Newline => String::new(),
                        GlyphKind::Open => "[".into(),
                        GlyphKind::Close => {
                            close_text(d.spans().get(g.mark.span_id().unwrap()).unwrap())
                        }
                    })
                    .collect::<String>()
            })
            .collect()
    }

    /// Rows as text, suggestions drawn as `{…}LABEL?`.
    fn ghost_lines(l: &Layout, d: &Document) -> Vec<String> {
        let text = d.text().as_str();
        (0..l.rows())
            .map(|r| {
                l.row(r)
                    .iter()
                    .map(|g| match g.kind {
                        GlyphKind::Grapheme => text
                            [d.text().byte_of(g.start as usize)..d.text().byte_of(g.end as usize)]
                            .to_string(),
                        GlyphKind::Newline => String::new(),
                        GlyphKind::Open if matches!(g.mark, Mark::Suggestion { .. }) => "{".into(),
                        GlyphKind::Close if matches!(g.mark, Mark::Suggestion { .. }) => {
                            ghost_close_text(l.ghost_label(g.mark).unwrap())
                        }
                        GlyphKind::Open => "[".into(),
                        GlyphKind::Close => {
                            close_text(d.spans().get(g.mark.span_id().unwrap()).unwrap())
                        }
                    })
                    .collect::<String>()
            })
            .collect()
    }

    fn ghost(d: &Document, needle: &str, label: &str) -> Ghost {
        let b = d.text().as_str().rfind(needle).unwrap();
        let start = d.text().as_str()[..b].chars().count();
        Ghost {
            start,
            end: start + needle.chars().count(),
            label: label.into(),
        }
    }

    #[test]
    fn suggestions_get_their_own_brackets_and_changing_them_rewraps_as_a_fresh_layout() {
        let d = doc("[Hà Nội]{LOC} và Hà Nội, Ban Đối ngoại Trung ương ở Hà Nội mới");
        let all = vec![
            ghost(&d, "Hà Nội,", "LOC"),
            ghost(&d, "Ban Đối ngoại Trung ương", "ORG"),
            ghost(&d, "Trung ương", "LOC"),
        ];
        let mut all = all;
        all[0].end -= 1;
        all.sort_by_key(|g| (g.start, g.end));
        let mut l = Layout::new(&d, 24);
        l.set_ghosts(&d, all.clone(), usize::MAX);
        let fresh = Layout::up_to_with(&d, 24, usize::MAX, std::sync::Arc::new(all.clone()));
        assert_eq!(ghost_lines(&l, &d), ghost_lines(&fresh, &d));
        assert_eq!(
            ghost_lines(&l, &d).concat(),
            "[Hà Nội]LOC và {Hà Nội}LOC?, {Ban Đối ngoại {Trung ương}LOC?}ORG? ở Hà Nội mới"
        );
        // One taken away (accepted or rejected), one relabelled.
        let mut fewer = all.clone();
        fewer.remove(1);
        fewer[0].label = "ORG".into();
        l.set_ghosts(&d, fewer.clone(), usize::MAX);
        let fresh = Layout::up_to_with(&d, 24, usize::MAX, std::sync::Arc::new(fewer));
        assert_eq!(ghost_lines(&l, &d), ghost_lines(&fresh, &d));
        assert!(ghost_lines(&l, &d).concat().contains("{Hà Nội}ORG?, Ban"));
        l.set_ghosts(&d, Vec::new(), usize::MAX);
        assert_eq!(ghost_lines(&l, &d), lines(&d, 24));
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
        let mut l = Layout::new(&d, 5);
        assert_eq!(lines(&d, 5), ["越南 ", "👍🏽 ok"]);
        assert_eq!(l.col_of_char(5), 2);
        assert_eq!(l.char_at(1, 1), 3);
    }

    #[test]
    fn newlines_and_nbsp() {
        let d = doc("a\r\n\nHà\u{a0}Nội xyz");
        assert_eq!(lines(&d, 6), ["a", "", "Hà\u{a0}Nội ", "xyz"]);
        let mut l = Layout::new(&d, 6);
        assert_eq!(l.row_of_char(0), 0);
        assert_eq!(l.row_of_char(3), 1);
        assert_eq!(l.row_of_char(4), 2);
    }

    /// Texts made of pieces that exercise every path: ASCII and Vietnamese
    /// words (fast path), NFD marks, wide chars and emoji, no-break spaces,
    /// tabs, control chars, CRLF and lone CR.
    fn text_strategy() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("a"),
            Just("Hà"),
            Just("Nội"),
            Just("Nguyễn"),
            Just("Nguye\u{302}\u{303}n"),
            Just("越南"),
            Just("👍🏽"),
            Just("\u{a0}"),
            Just(" "),
            Just("  "),
            Just("\t"),
            Just("\n"),
            Just("\r\n"),
            Just("\r"),
            Just("x\u{1}"),
            Just("abcdefghijk"),
            Just(","),
            Just("."),
            Just("🇻🇳"),
            Just("\u{ad}"),
            Just("ư"),
            Just("e\u{301}"),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    /// Grapheme boundaries of `t`, as char offsets (0 and the end included).
    fn boundaries(t: &Text) -> Vec<usize> {
        let mut v = vec![0];
        let mut c = 0;
        while c < t.len_chars() {
            c = t.next_grapheme(c);
            v.push(c);
        }
        v
    }

    /// The brackets in order, each with its span's id (table places differ
    /// between an edited layout and a fresh one).
    fn brackets(l: &Layout) -> Vec<(u32, Mark, u16, bool)> {
        (0..l.events.len())
            .filter_map(|k| l.events.get(k))
            .map(|e| (e.pos, l.span_ids[e.id as usize], e.width, e.open))
            .collect()
    }

    fn all_rows(l: &Layout) -> Vec<Vec<Glyph>> {
        (0..l.rows()).map(|r| l.row(r)).collect()
    }

    const LABELS: [&str; 4] = ["PER", "ORG", "LOC", "MISCELLANEOUS"];

    /// A document whose spans run between grapheme boundaries picked by
    /// index, as the proptests draw them (empty picks are skipped).
    fn with_spans(text: String, spans: &[(usize, usize, usize)]) -> Document {
        let mut d = Document::new("t.txt", Text::new(text), "");
        let b = boundaries(d.text());
        for &(x, y, l) in spans {
            let (s, e) = (b[x % b.len()], b[y % b.len()]);
            if s < e {
                let sp = d.make_span(s, e, LABELS[l], None);
                d.apply(&nhan_model::edit::Edit::Add(sp));
            }
        }
        d
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The on-demand rows are the rows of the original, glyph-per-
        /// grapheme layout, for any text, spans and width.
        #[test]
        fn rows_match_the_reference_layout(
            text in text_strategy(),
            width in 1u16..24,
            spans in proptest::collection::vec((0usize..64, 0usize..64, 0usize..4), 0..8),
        ) {
            let d = with_spans(text, &spans);
            let l = Layout::new(&d, width);
            prop_assert_eq!(all_rows(&l), reference::Reference::build(&d, width).rows());
        }

        /// Editing spans one at a time and updating the layout in place
        /// gives the same layout as building it again.
        #[test]
        fn incremental_edits_equal_a_rebuild(
            text in text_strategy(),
            width in 1u16..24,
            ops in proptest::collection::vec((0usize..64, 0usize..64, 0usize..4, any::<bool>()), 1..12),
        ) {
            let mut d = Document::new("t.txt", Text::new(text), "");
            let b = boundaries(d.text());
            let mut l = Layout::new(&d, width);
            for (x, y, lab, remove) in ops {
                let ids: Vec<nhan_model::ids::SpanId> = d.spans().iter().map(|s| s.id).collect();
                let edit = if remove && !ids.is_empty() {
                    let s = d.spans().get(ids[x % ids.len()]).unwrap().clone();
                    if y % 2 == 0 {
                        nhan_model::edit::Edit::Remove(s)
                    } else {
                        // A relabel: same extent, another label width.
                        let after = nhan_model::span::Span { label: LABELS[lab].into(), ..s.clone() };
                        nhan_model::edit::Edit::Replace { before: s, after }
                    }
                } else {
                    let (s, e) = (b[x % b.len()], b[y % b.len()]);
                    if s >= e {
                        continue;
                    }
                    nhan_model::edit::Edit::Add(d.make_span(s, e, LABELS[lab], None))
                };
                let range = match &edit {
                    nhan_model::edit::Edit::Add(s) | nhan_model::edit::Edit::Remove(s) => s.range(),
                    nhan_model::edit::Edit::Replace { before, after } => {
                        before.start.min(after.start)..before.end.max(after.end)
                    }
                    _ => unreachable!(),
                };
                d.apply(&edit);
                l.edit(&d, range, usize::MAX);
                let fresh = Layout::new(&d, width);
                prop_assert_eq!(&l.starts, &fresh.starts);
                prop_assert_eq!(brackets(&l), brackets(&fresh));
                prop_assert_eq!(all_rows(&l), all_rows(&fresh));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// A layout wrapped a few rows at a time, as the app wraps it when
        /// the cursor moves on, shows the same rows as the reference, and
        /// its row count is honest: never more than the rows wrapped.
        #[test]
        fn lazy_rows_match_the_reference_layout(
            text in text_strategy(),
            width in 1u16..24,
            spans in proptest::collection::vec((0usize..64, 0usize..64, 0usize..4), 0..8),
            first in 0usize..6,
            steps in proptest::collection::vec((0usize..4, 0usize..64), 0..8),
        ) {
            let d = with_spans(text, &spans);
            let b = boundaries(d.text());
            let want = reference::Reference::build(&d, width).rows();
            let mut l = Layout::up_to(&d, width, first);
            prop_assert!(l.rows() >= first.min(want.len()));
            for (how, n) in steps {
                match how {
                    0 => l.ensure_rows(n),
                    1 => {
                        let c = b[n % b.len()];
                        let r = l.row_of_char(c);
                        prop_assert!(r < l.rows());
                        prop_assert_eq!(r, Layout::new(&d, width).row_of_char(c));
                    }
                    _ => {}
                }
                prop_assert!(l.rows() <= want.len());
                prop_assert_eq!(&all_rows(&l)[..], &want[..l.rows()]);
            }
            l.ensure_all();
            prop_assert!(l.is_complete());
            prop_assert_eq!(all_rows(&l), want);
        }

        /// A suggestion list drawn instead of another, changed anywhere
        /// (several places at once), gives the layout a fresh one with the
        /// new list would have.
        #[test]
        fn any_new_suggestion_list_equals_a_fresh_layout(
            text in text_strategy(),
            width in 1u16..24,
            spans in proptest::collection::vec((0usize..64, 0usize..64, 0usize..4), 0..6),
            before in proptest::collection::vec((0usize..64, 0usize..64, 0usize..4), 0..8),
            after in proptest::collection::vec((0usize..64, 0usize..64, 0usize..4), 0..8),
            keep in prop_oneof![Just(usize::MAX), 1usize..12],
        ) {
            let d = with_spans(text, &spans);
            let b = boundaries(d.text());
            let list = |picks: &[(usize, usize, usize)]| {
                let mut v: Vec<Ghost> = picks
                    .iter()
                    .map(|&(x, y, l)| (b[x % b.len()], b[y % b.len()], l))
                    .filter(|(s, e, _)| s < e)
                    .map(|(start, end, l)| Ghost { start, end, label: LABELS[l].into() })
                    .collect();
                v.sort_by_key(|g| (g.start, g.end));
                v.dedup_by_key(|g| (g.start, g.end));
                v
            };
            let (old, new) = (list(&before), list(&after));
            let mut l = Layout::up_to_with(&d, width, usize::MAX, std::sync::Arc::new(old));
            l.set_ghosts(&d, new.clone(), keep);
            let fresh = Layout::up_to_with(&d, width, usize::MAX, std::sync::Arc::new(new));
            prop_assert_eq!(brackets(&l), brackets(&fresh));
            prop_assert_eq!(&all_rows(&l)[..], &all_rows(&fresh)[..l.rows()]);
            l.ensure_all();
            prop_assert_eq!(all_rows(&l), all_rows(&fresh));
        }

        /// Edits to a layout wrapped only partly (before, across and past
        /// what is wrapped) leave it a prefix of a fresh layout, and
        /// wrapping the rest gives the fresh layout.
        #[test]
        fn lazy_incremental_edits_equal_a_rebuild(
            text in text_strategy(),
            width in 1u16..24,
            first in 0usize..6,
            mid in any::<bool>(),
            ops in proptest::collection::vec((0usize..64, 0usize..64, 0usize..4, any::<bool>(), 0usize..3), 1..12),
            keep in prop_oneof![Just(usize::MAX), 1usize..12],
        ) {
            let mut d = Document::new("t.txt", Text::new(text), "");
            // Any char, not only grapheme boundaries: an imported span's
            // edge may fall inside a grapheme.
            let b: Vec<usize> = if mid { (0..=d.text().len_chars()).collect() } else { boundaries(d.text()) };
            let mut l = Layout::up_to(&d, width, first);
            for (x, y, lab, remove, grow) in ops {
                let ids: Vec<nhan_model::ids::SpanId> = d.spans().iter().map(|s| s.id).collect();
                let edit = if remove && !ids.is_empty() {
                    nhan_model::edit::Edit::Remove(d.spans().get(ids[x % ids.len()]).unwrap().clone())
                } else {
                    let (s, e) = (b[x % b.len()], b[y % b.len()]);
                    if s >= e {
                        continue;
                    }
                    nhan_model::edit::Edit::Add(d.make_span(s, e, LABELS[lab], None))
                };
                let before = l.rows();
                d.apply(&edit);
                l.edit(&d, edit.extent().unwrap(), keep);
                let fresh = Layout::new(&d, width);
                prop_assert!(l.rows() >= before.min(keep).min(fresh.rows()));
                prop_assert!(l.rows() <= fresh.rows());
                prop_assert_eq!(brackets(&l), brackets(&fresh));
                prop_assert_eq!(&l.starts[..], &fresh.starts[..l.starts.len()]);
                prop_assert_eq!(&all_rows(&l)[..], &all_rows(&fresh)[..l.rows()]);
                if grow == 0 {
                    l.ensure_rows(l.rows() + 2);
                }
            }
            l.ensure_all();
            let fresh = Layout::new(&d, width);
            prop_assert_eq!(&l.starts, &fresh.starts);
            prop_assert_eq!(all_rows(&l), all_rows(&fresh));
        }
    }

    #[test]
    fn suggestions_listed_again_and_again_do_not_grow_the_span_table() {
        // Every list after a key re-positions the suggestions it changed:
        // the table of marks kept each old entry, 20 MB in 300 keys.
        let d = doc("[Hà Nội]{LOC} và Hà Nội, Ban Đối ngoại Trung ương ở Hà Nội mới");
        let mut all = vec![
            ghost(&d, "và", "MISC"),
            ghost(&d, "Ban Đối ngoại Trung ương", "ORG"),
            ghost(&d, "mới", "MISC"),
        ];
        all.sort_by_key(|g| (g.start, g.end));
        let mut l = Layout::new(&d, 24);
        for i in 0..5000 {
            // The first and the last change: the rows between are redone.
            let shown = if i % 2 == 0 {
                all.clone()
            } else {
                all[1..2].to_vec()
            };
            l.set_ghosts(&d, shown, usize::MAX);
            assert!(
                l.span_ids.len() <= 2 * l.events.len() + 4096,
                "{}",
                l.span_ids.len()
            );
        }
        let fresh = Layout::up_to_with(&d, 24, usize::MAX, std::sync::Arc::new(all[1..2].to_vec()));
        assert_eq!(brackets(&l), brackets(&fresh));
        assert_eq!(ghost_lines(&l, &d), ghost_lines(&fresh, &d));
    }

    #[test]
    fn brackets_keep_span_ids_beyond_32_bits() {
        // Imported sidecars may number spans anyhow: ids equal in their low
        // 32 bits must still tell the spans apart on one row, and the top
        // bit marks nothing.
        let mut d = Document::new("t.txt", Text::new("ab cd ef".to_string()), "");
        for (id, (s, e)) in [
            (7, (0, 2)),
            ((1 << 32) + 7, (3, 5)),
            ((1 << 63) + 7, (6, 8)),
        ] {
            let mut sp = d.make_span(s, e, "PER", None);
            sp.id = nhan_model::ids::SpanId(id);
            d.apply(&nhan_model::edit::Edit::Add(sp));
        }
        let l = Layout::new(&d, 40);
        let ids: Vec<u64> = l
            .row(0)
            .iter()
            .filter(|g| g.kind == GlyphKind::Open)
            .filter_map(|g| g.mark.span_id())
            .map(|id| id.0)
            .collect();
        assert_eq!(ids, [7, (1 << 32) + 7, (1 << 63) + 7]);
    }

    #[test]
    fn opening_wraps_a_screen_and_moving_on_wraps_further() {
        let text = "Tổng Bí thư làm việc với Ban Đối ngoại. ".repeat(2000);
        let d = Document::new("t.txt", Text::new(text), "");
        let mut l = Layout::up_to(&d, 30, 10);
        let mut full = Layout::new(&d, 30);
        assert!(l.rows() >= 10 && l.rows() < 20, "{} rows", l.rows());
        assert!(!l.is_complete());
        assert_eq!(l.row_of_char(40_000), full.row_of_char(40_000));
        assert!(l.rows() < full.rows());
        l.ensure_all();
        assert_eq!(l.rows(), full.rows());
        assert_eq!(l.row(l.rows() - 1), full.row(full.rows() - 1));
    }

    #[test]
    fn fast_path_widths_agree_with_display() {
        for ch in (' '..='~')
            .chain('\u{a0}'..='\u{24f}')
            .chain('\u{1e00}'..='\u{1eff}')
        {
            if simple(ch) {
                let g = ch.to_string();
                let (_, w) = display(&g);
                let fast = grapheme_at(&(g.clone() + "a"), 0);
                assert_eq!((fast.0, fast.1, fast.2), (g.len(), 1, w), "{ch:?}");
            }
        }
    }

    #[test]
    fn an_edit_in_a_long_paragraph_rewraps_only_the_rows_kept() {
        // Every row is full, so brackets round the first word push a word
        // down every row after it: nothing resynchronises.
        let text = "ngoại ".repeat(20_000);
        let mut d = Document::new("t.txt", Text::new(text), "");
        let mut l = Layout::new(&d, 30);
        let sp = d.make_span(0, 5, "PER", None);
        d.apply(&nhan_model::edit::Edit::Add(sp.clone()));
        l.edit(&d, sp.range(), 40);
        let fresh = Layout::new(&d, 30);
        assert!(!l.is_complete());
        assert!((40..45).contains(&l.rows()), "{} rows", l.rows());
        assert_eq!(l.starts[..], fresh.starts[..l.starts.len()]);
        assert_eq!(l.row(39), fresh.row(39));
        l.ensure_all();
        assert_eq!(l.starts, fresh.starts);
    }

    #[test]
    fn edits_far_apart_touch_only_their_rows() {
        let text = "Tổng Bí thư làm việc với Ban Đối ngoại. ".repeat(2000);
        let mut d = Document::new("t.txt", Text::new(text), "");
        let mut l = Layout::new(&d, 30);
        let sp = d.make_span(40_000, 40_004, "PER", None);
        d.apply(&nhan_model::edit::Edit::Add(sp.clone()));
        l.edit(&d, sp.range(), usize::MAX);
        assert_eq!(l.starts, Layout::new(&d, 30).starts);
        d.apply(&nhan_model::edit::Edit::Remove(sp.clone()));
        l.edit(&d, sp.range(), usize::MAX);
        assert_eq!(l.starts, Layout::new(&d, 30).starts);
    }

    #[test]
    fn nested_brackets_read_inside_out() {
        let d = doc("[Ủy ban [Hà Nội]{LOC}]{ORG}");
        assert_eq!(lines(&d, 80), ["[Ủy ban [Hà Nội]LOC]ORG"]);
    }
}
