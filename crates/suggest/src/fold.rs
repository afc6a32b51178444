//! The article as a string of folded tokens, for whole-token matching that
//! ignores Unicode normalisation: each token in NFC, one separator byte
//! between tokens saying what lay between them in the text (nothing, spaces,
//! or a line break), so that "Ban Đối ngoại" never matches across a
//! paragraph break and "34-NQ/TW" never matches "34 - NQ / TW".

use nhan_model::text::Text;
use nhan_model::tokens::Tokens;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Between two tokens with nothing in between.
pub const JOINED: u8 = 0x1d;
/// Between two tokens with only spaces (or tabs, NBSP) in between.
pub const SPACED: u8 = 0x1f;
/// Between two tokens with a line break in between.
pub const BROKEN: u8 = 0x1e;

#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// The article's index of this piece's first token (0 for a whole
    /// article; see [`Folded::pieces`]).
    pub first: usize,
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

/// Below this many tokens an article is folded and matched in one piece.
const PIECE_MIN_TOKENS: usize = 50_000;

impl Folded {
    pub fn new(text: &Text, tokens: &Tokens) -> Folded {
        Folded::range(text, tokens, 0..tokens.len())
    }

    /// A long article in up to `n` pieces, cut where a line starts, folded
    /// on as many threads. Nothing that matches or is tagged crosses a line
    /// break (the tagger's sequences are lines; a surface with a line break
    /// in it is not matched across a cut, see `Dictionary::suggest`).
    pub fn pieces(text: &Text, tokens: &Tokens, n: usize) -> Vec<Folded> {
        let len = tokens.len();
        let n = n.clamp(1, (len / PIECE_MIN_TOKENS).max(1));
        let mut cuts = vec![0];
        for k in 1..n {
            let mut i = (len * k / n).max(cuts[cuts.len() - 1] + 1);
            let give_up = (i + PIECE_MIN_TOKENS).min(len);
            while i < give_up {
                let gap = text.slice(tokens.get(i - 1).end, tokens.get(i).start);
                if gap.contains('\n') {
                    cuts.push(i);
                    break;
                }
                i += 1;
            }
        }
        cuts.push(len);
        if cuts.len() == 2 {
            return vec![Folded::new(text, tokens)];
        }
        std::thread::scope(|sc| {
            let hs: Vec<_> = cuts
                .windows(2)
                .map(|w| {
                    let r = w[0]..w[1];
                    sc.spawn(move || Folded::range(text, tokens, r))
                })
                .collect();
            hs.into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    }

    /// Tokens `range` of the article.
    pub fn range(text: &Text, tokens: &Tokens, range: std::ops::Range<usize>) -> Folded {
        let s = text.as_str();
        let n = range.len();
        let mut out = Folded {
            first: range.start,
            s: String::with_capacity(s.len() * n / tokens.len().max(1) + 64),
            starts: Vec::with_capacity(n),
            chars: Vec::with_capacity(n),
        };
        let mut bytes = text.byte_cursor();
        let mut prev_end_b: Option<usize> = None;
        for r in tokens.iter().skip(range.start).take(n) {
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
    fn pieces_cut_at_line_starts_and_cover_every_token() {
        let line = "Ban Đối ngoại Trung ương họp ở Hà Nội.\n".repeat(40_000);
        let t = Text::new(line);
        let toks = Tokens::new(&t);
        let pieces = Folded::pieces(&t, &toks, 3);
        assert_eq!(pieces.len(), 3);
        let whole = Folded::new(&t, &toks);
        let mut chars = Vec::new();
        for p in &pieces {
            assert_eq!(p.first, chars.len());
            assert_eq!(t.char_at(p.chars[0].0 as usize), Some('B'), "a line start");
            chars.extend_from_slice(&p.chars);
        }
        assert_eq!(chars, whole.chars);
    }

    #[test]
    fn separators_say_what_lay_between() {
        assert_eq!(Folded::key("34-NQ/TW").unwrap(), "34\x1d-\x1dNQ\x1d/\x1dTW");
        assert_eq!(Folded::key("Hà  Nội\nx").unwrap(), "Hà\x1fNội\x1ex");
        assert_eq!(Folded::key("  "), None);
    }
}
