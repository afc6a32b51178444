//! Article text addressed by Unicode code point, with grapheme-cluster
//! boundaries. Byte offsets exist only inside this module and at I/O edges.

use unicode_segmentation::GraphemeCursor;

/// How many chars lie between two byte checkpoints. A lookup walks at most
/// this many chars, so char→byte stays O(1) without a 4-bytes-per-char table.
const STRIDE: usize = 64;

#[derive(Debug, Clone)]
pub struct Text {
    s: String,
    /// `checkpoints[i]` is the byte offset of char `i * STRIDE`.
    checkpoints: Vec<usize>,
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
        let mut checkpoints = Vec::with_capacity(s.len() / STRIDE + 1);
        let mut len_chars = 0;
        for (b, _) in s.char_indices() {
            if len_chars % STRIDE == 0 {
                checkpoints.push(b);
            }
            len_chars += 1;
        }
        Text {
            s,
            checkpoints,
            len_chars,
        }
    }

    /// Decodes a file as the contract says: UTF-8, a leading BOM dropped,
    /// nothing else changed (no normalisation, CRLF kept).
    pub fn from_file_bytes(bytes: &[u8]) -> Result<Self, NotUtf8> {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(body) {
            Ok(s) => Ok(Text::new(s)),
            Err(e) => {
                let at = e.valid_up_to();
                let line = 1 + body[..at].iter().filter(|&&b| b == b'\n').count();
                Err(NotUtf8 {
                    valid_up_to: at + (bytes.len() - body.len()),
                    line,
                })
            }
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
        let base = self.checkpoints[c / STRIDE];
        let rest = c % STRIDE;
        if rest == 0 {
            return base;
        }
        match self.s[base..].char_indices().nth(rest) {
            Some((b, _)) => base + b,
            None => self.s.len(),
        }
    }

    /// Char offset of byte `b`, which must lie on a char boundary.
    pub fn char_of_byte(&self, b: usize) -> usize {
        let i = self
            .checkpoints
            .partition_point(|&cb| cb <= b)
            .saturating_sub(1);
        let base = self.checkpoints.get(i).copied().unwrap_or(0);
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
        for (c, (b, _)) in s.char_indices().enumerate() {
            assert_eq!(t.byte_of(c), b);
            assert_eq!(t.char_of_byte(b), c);
        }
        assert_eq!(t.byte_of(t.len_chars()), s.len());
    }
}
