//! The article as a string of folded tokens, for whole-token matching that
//! ignores Unicode normalisation: each token in NFC, one separator byte
//! between tokens saying what lay between them in the text (nothing, spaces,
//! or a line break), so that "Ban Đối ngoại" never matches across a
//! paragraph break and "34-NQ/TW" never matches "34 - NQ / TW".

use crate::core::text::Text;
use crate::core::tokens::Tokens;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Between two tokens with nothing in between.
pub const JOINED: u8 = 0x1d;
/// Between two tokens with only spaces (or tabs, NBSP) in between.
pub const SPACED: u8 = 0x1f;
/// Between two tokens with a line break in between.
pub const BROKEN: u8 = 0x1e;

#[derive(Debug, Clone, Default)]
pub struct Folded {
    pub s: String,
    /// Byte offset in `s` where token `i` starts (sorted).
    pub starts: Vec<u32>,
    /// Token `i`'s char range in the text.
    pub chars: Vec<(u32, u32)>,
}

fn push_token(out: &mut String, tok: &str) {
    let clean = |c: char| if c < ' ' { '\u{fffd}' } else { c };
    if matches!(is_nfc_quick(tok.chars()), IsNormalized::Yes) && !tok.bytes().any(|b| b < 0x20) {
        out.push_str(tok);
    } else {
        out.extend(tok.nfc().map(clean));
    }
}

impl Folded {
    pub fn new(text: &Text, tokens: &Tokens) -> Folded {
        let s = text.as_str();
        let mut out = Folded {
            s: String::with_capacity(s.len() + s.len() / 16),
            starts: Vec::with_capacity(tokens.len()),
            chars: Vec::with_capacity(tokens.len()),
        };
        let mut bytes = text.byte_cursor();
        let mut prev_end_b: Option<usize> = None;
        for r in tokens.iter() {
            let (b0, b1) = (bytes.byte_of(r.start), bytes.byte_of(r.end));
            if let Some(pe) = prev_end_b {
                let gap = &s[pe..b0];
                out.s.push(char::from(if gap.is_empty() {
                    JOINED
                } else if gap.contains(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}']) {
                    BROKEN
                } else {
                    SPACED
                }));
            }
            out.starts.push(out.s.len() as u32);
            out.chars.push((r.start as u32, r.end as u32));
            push_token(&mut out.s, &s[b0..b1]);
            prev_end_b = Some(b1);
        }
        out
    }

    /// The folded key of a surface (a span's text, a gazetteer entry):
    /// `None` for a surface with no token.
    pub fn key(surface: &str) -> Option<String> {
        let t = Text::new(surface);
        let toks = Tokens::new(&t);
        let f = Folded::new(&t, &toks);
        (!f.s.is_empty()).then_some(f.s)
    }

    /// The token starting at byte `b` of `s`, if one does.
    pub fn token_at(&self, b: usize) -> Option<usize> {
        self.starts.binary_search(&(b as u32)).ok()
    }

    /// The token ending at byte `b` (the next byte is a separator or the end).
    pub fn token_ending_at(&self, b: usize) -> Option<usize> {
        let bytes = self.s.as_bytes();
        if b != bytes.len() && !matches!(bytes.get(b), Some(&(JOINED | SPACED | BROKEN))) {
            return None;
        }
        // The last token starting before `b`.
        let i = self.starts.partition_point(|&x| (x as usize) < b);
        i.checked_sub(1)
    }

    /// Char range of tokens `first..=last`.
    pub fn char_range(&self, first: usize, last: usize) -> (usize, usize) {
        (self.chars[first].0 as usize, self.chars[last].1 as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_text_folds_like_nfc_and_keeps_char_offsets() {
        let nfc = "Ông Nguyễn Phú Trọng, Hà Nội";
        let nfd: String = nfc.nfd().collect();
        let f1 = Folded::new(&Text::new(nfc), &Tokens::new(&Text::new(nfc)));
        let t2 = Text::new(nfd.clone());
        let f2 = Folded::new(&t2, &Tokens::new(&t2));
        assert_eq!(f1.s, f2.s);
        let (a, b) = f2.char_range(1, 3);
        assert_eq!(t2.slice(a, b).nfc().collect::<String>(), "Nguyễn Phú Trọng");
    }

    #[test]
    fn separators_say_what_lay_between() {
        assert_eq!(Folded::key("34-NQ/TW").unwrap(), "34\x1d-\x1dNQ\x1d/\x1dTW");
        assert_eq!(Folded::key("Hà  Nội\nx").unwrap(), "Hà\x1fNội\x1ex");
        assert_eq!(Folded::key("  "), None);
    }
}
