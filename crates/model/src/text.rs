//! Article text addressed by Unicode code point, with grapheme-cluster
//! boundaries. Byte offsets exist only inside this module and at I/O edges.

use super::utf8::skip_chars;
use std::sync::Arc;
use unicode_segmentation::GraphemeCursor;

/// How many chars lie between two byte checkpoints. A lookup walks at most
/// this many chars, so char→byte stays O(1) without a 4-bytes-per-char table.
const STRIDE: usize = 128;

/// The text never changes once loaded, so it is shared: cloning a `Text`
/// (the layout keeps one to draw rows on demand) costs two reference counts.
#[derive(Debug, Clone, Default)]
pub struct Text {
    s: Arc<String>,
    /// `checkpoints[i]` is the byte offset of char `i * STRIDE`.
    checkpoints: Arc<Vec<u32>>,
    len_chars: usize,
}

/// The file's bytes were not UTF-8; `valid_up_to` is the first bad byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUtf8 {
    pub valid_up_to: usize,
    pub line: usize,
}

impl Text {
    pub fn new(s: impl Into<String>) -> Self {
        let s = s.into();
        assert!(
            s.len() <= u32::MAX as usize,
            "texts over 4 GiB are not supported"
        );
        // A char starts at every byte that is not a UTF-8 continuation byte
        // (0b10xx_xxxx): one pass over the bytes, eight at a time, no decoding.
        let bytes = s.as_bytes();
        let mut checkpoints = Vec::with_capacity(bytes.len() / STRIDE + 1);
        let mut len_chars = 0usize;
        let mut b = 0;
        while b < bytes.len() {
            checkpoints.push(b as u32);
            let next = skip_chars(bytes, b, STRIDE);
            if next >= bytes.len() {
                len_chars += super::utf8::count_chars(&bytes[b..]);
                break;
            }
            len_chars += STRIDE;
            b = next;
        }
        Text {
            s: Arc::new(s),
            checkpoints: Arc::new(checkpoints),
            len_chars,
        }
    }

    /// Like `from_file_bytes`, but takes the buffer and reuses it: no copy of
    /// a large article (peak memory stays one article, not two).
    /// On error the buffer is handed back (for a diagnosis).
    pub fn from_file_vec(mut bytes: Vec<u8>) -> Result<Self, (NotUtf8, Vec<u8>)> {
        let bom = bytes.starts_with(b"\xEF\xBB\xBF");
        if bom {
            bytes.drain(..3);
        }
        // SIMD validation: std's validator runs at ~450 MB/s on Vietnamese
        // (multi-byte chars defeat its ASCII fast path), this at several GB/s.
        if simdutf8::basic::from_utf8(&bytes).is_ok() {
            // SAFETY: `bytes` was just validated as UTF-8.
            return Ok(Text::new(unsafe { String::from_utf8_unchecked(bytes) }));
        }
        // Invalid: std's validator says where.
        match String::from_utf8(bytes) {
            Ok(s) => Ok(Text::new(s)),
            Err(e) => {
                let utf8 = e.utf8_error();
                let mut bytes = e.into_bytes();
                if bom {
                    bytes.splice(0..0, *b"\xEF\xBB\xBF");
                }
                Err((Self::not_utf8(&bytes, bom, utf8), bytes))
            }
        }
    }

    fn not_utf8(bytes: &[u8], bom: bool, e: std::str::Utf8Error) -> NotUtf8 {
        let skip = if bom { 3 } else { 0 };
        let at = e.valid_up_to();
        let line = 1 + bytes[skip..skip + at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        NotUtf8 {
            valid_up_to: at + skip,
            line,
        }
    }

    /// Decodes a file as the contract says: UTF-8, a leading BOM dropped,
    /// nothing else changed (no normalisation, CRLF kept).
    pub fn from_file_bytes(bytes: &[u8]) -> Result<Self, NotUtf8> {
        let bom = bytes.starts_with(b"\xEF\xBB\xBF");
        match std::str::from_utf8(&bytes[if bom { 3 } else { 0 }..]) {
            Ok(s) => Ok(Text::new(s)),
            Err(e) => Err(Self::not_utf8(bytes, bom, e)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.s
    }

    pub fn len_chars(&self) -> usize {
        self.len_chars
    }

    pub fn is_empty(&self) -> bool {
        self.len_chars == 0
    }

    /// Byte offset of char `c` (`c == len_chars` gives the byte length).
    pub fn byte_of(&self, c: usize) -> usize {
        if c >= self.len_chars {
            return self.s.len();
        }
        let base = self.checkpoints[c / STRIDE] as usize;
        let rest = c % STRIDE;
        if rest == 0 {
            return base;
        }
        skip_chars(self.s.as_bytes(), base, rest)
    }

    /// A cursor answering `byte_of` for non-decreasing char offsets in
    /// amortised O(1): it walks forward from the last answer instead of from
    /// a checkpoint (exports and sentence splitting ask in text order).
    pub fn byte_cursor(&self) -> ByteCursor<'_> {
        ByteCursor {
            text: self,
            c: 0,
            b: 0,
        }
    }

    /// Char offset of byte `b`, which must lie on a char boundary.
    pub fn char_of_byte(&self, b: usize) -> usize {
        let i = self
            .checkpoints
            .partition_point(|&cb| cb as usize <= b)
            .saturating_sub(1);
        let base = self.checkpoints.get(i).map_or(0, |&x| x as usize);
        i * STRIDE + self.s[base..b.min(self.s.len())].chars().count()
    }

    pub fn slice(&self, start: usize, end: usize) -> &str {
        &self.s[self.byte_of(start)..self.byte_of(end)]
    }

    pub fn char_at(&self, c: usize) -> Option<char> {
        self.s[self.byte_of(c)..].chars().next()
    }

    pub fn is_grapheme_boundary(&self, c: usize) -> bool {
        if c > self.len_chars {
            return false;
        }
        let b = self.byte_of(c);
        GraphemeCursor::new(b, self.s.len(), true)
            .is_boundary(&self.s, 0)
            .unwrap_or(true)
    }

    /// Start of the grapheme after the one at `c` (clamped to the end).
    pub fn next_grapheme(&self, c: usize) -> usize {
        if c >= self.len_chars {
            return self.len_chars;
        }
        let b = self.byte_of(c);
        let mut cur = GraphemeCursor::new(b, self.s.len(), true);
        match cur.next_boundary(&self.s, 0) {
            Ok(Some(nb)) => c + self.s[b..nb].chars().count(),
            _ => self.len_chars,
        }
    }

    /// Start of the grapheme before `c` (clamped to 0).
    pub fn prev_grapheme(&self, c: usize) -> usize {
        if c == 0 {
            return 0;
        }
        let c = c.min(self.len_chars);
        let b = self.byte_of(c);
        let mut cur = GraphemeCursor::new(b, self.s.len(), true);
        match cur.prev_boundary(&self.s, 0) {
            Ok(Some(pb)) => c - self.s[pb..b].chars().count(),
            _ => 0,
        }
    }

    /// The grapheme boundary at or before `c`.
    pub fn floor_grapheme(&self, c: usize) -> usize {
        let c = c.min(self.len_chars);
        if self.is_grapheme_boundary(c) {
            c
        } else {
            self.prev_grapheme(c)
        }
    }
}

/// See [`Text::byte_cursor`].
#[derive(Debug, Clone)]
pub struct ByteCursor<'a> {
    text: &'a Text,
    /// The last answer: char `c` starts at byte `b`.
    c: usize,
    b: usize,
}

impl ByteCursor<'_> {
    /// The same as [`Text::byte_of`]; fastest when `c` never decreases.
    #[inline]
    pub fn byte_of(&mut self, c: usize) -> usize {
        let t = self.text;
        if c >= t.len_chars {
            return t.s.len();
        }
        if c < self.c || c - self.c > STRIDE {
            let k = c / STRIDE;
            self.c = k * STRIDE;
            self.b = t.checkpoints[k] as usize;
        }
        self.b = skip_chars(t.s.as_bytes(), self.b, c - self.c);
        self.c = c;
        self.b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_dropped_and_nothing_else_changes() {
        let t = Text::from_file_bytes("\u{feff}a\r\nb".as_bytes()).unwrap();
        assert_eq!(t.as_str(), "a\r\nb");
        assert_eq!(t.len_chars(), 4);
    }

    #[test]
    fn not_utf8_reports_the_line() {
        let e = Text::from_file_bytes(b"ok\nbad \xff here").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.valid_up_to, 7);
        let (e, back) = Text::from_file_vec(b"\xEF\xBB\xBFok\nbad \xff here".to_vec()).unwrap_err();
        assert_eq!(back.len(), 16);
        assert_eq!((e.line, e.valid_up_to), (2, 10));
        let t = Text::from_file_vec("\u{feff}a\r\nb".as_bytes().to_vec()).unwrap();
        assert_eq!(t.as_str(), "a\r\nb");
    }

    #[test]
    fn nfd_marks_belong_to_their_base() {
        // "Nguyễn" with ễ as e + circumflex + tilde: 8 chars, 6 graphemes.
        let t = Text::new("Nguye\u{302}\u{303}n");
        assert_eq!(t.len_chars(), 8);
        assert!(t.is_grapheme_boundary(4));
        assert!(!t.is_grapheme_boundary(5));
        assert!(!t.is_grapheme_boundary(6));
        assert_eq!(t.next_grapheme(4), 7);
        assert_eq!(t.prev_grapheme(7), 4);
        assert_eq!(t.floor_grapheme(6), 4);
    }

    #[test]
    fn byte_and_char_offsets_agree_past_many_checkpoints() {
        let s: String = "Hà Nội 👍 ".repeat(50);
        let t = Text::new(s.clone());
        assert_eq!(t.len_chars(), s.chars().count());
        for (c, (b, _)) in s.char_indices().enumerate() {
            assert_eq!(t.byte_of(c), b);
            assert_eq!(t.char_of_byte(b), c);
        }
        assert_eq!(t.byte_of(t.len_chars()), s.len());
        // Long ASCII runs take the 8-bytes-at-a-time path.
        let s = format!("{}é{}", "a".repeat(200), "b".repeat(77));
        let t = Text::new(s.clone());
        assert_eq!(t.len_chars(), 278);
        for (c, (b, _)) in s.char_indices().enumerate() {
            assert_eq!(t.byte_of(c), b);
        }
    }

    #[test]
    fn byte_cursor_agrees_with_byte_of_in_any_order() {
        let s: String = "ab Hà Nội 👍 x\u{301}yz ".repeat(40);
        let t = Text::new(s);
        let n = t.len_chars();
        let mut cur = t.byte_cursor();
        for c in (0..=n + 2)
            .chain((0..n).step_by(7))
            .chain((0..n).rev().step_by(150))
        {
            assert_eq!(cur.byte_of(c), t.byte_of(c), "char {c}");
        }
        // Slow reference: the n-th char_indices.
        for c in 0..n {
            let want = t.as_str().char_indices().nth(c).unwrap().0;
            assert_eq!(t.byte_of(c), want);
        }
    }
}
