//! The article as a string of folded tokens, for whole-token matching that
//! ignores Unicode normalisation: each token in NFC, one separator byte
//! between tokens saying what lay between them in the text (nothing, spaces,
//! or a line break), so that "Ban Đối ngoại" never matches across a
//! paragraph break and "34-NQ/TW" never matches "34 - NQ / TW".

use nhan_model::text::Text;
use nhan_model::tokens::Tokens;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// Tokens in a piece of a long article (see `Folded::each_piece`).
const PIECE_MIN_TOKENS: usize = 50_000;

impl Folded {
    pub fn new(text: &Text, tokens: &Tokens) -> Folded {
        Folded::range(text, tokens, 0..tokens.len())
    }

    /// `work` over a long article folded a piece at a time, on up to
    /// `threads` threads, the results in article order. Pieces are about
    /// `PIECE_MIN_TOKENS` tokens, cut where a line starts: nothing that
    /// matches or is tagged crosses a line break (the tagger's sequences
    /// are lines; a surface with a line break in it is matched in one
    /// piece, see `Dictionary::suggest`). Only `threads` pieces are folded
    /// at once: the folded copy of a whole 10 MB article, its token offsets
    /// and matches cost several times the article.
    pub fn each_piece<T: Send>(
        text: &Text,
        tokens: &Tokens,
        threads: usize,
        work: impl Fn(&Folded) -> T + Sync,
    ) -> Vec<T> {
        let cuts = Folded::cuts(text, tokens);
        let n = cuts.len() - 1;
        let next = AtomicUsize::new(0);
        let worker = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return done;
                }
                done.push((i, work(&Folded::range(text, tokens, cuts[i]..cuts[i + 1]))));
            }
        };
        let mut out: Vec<(usize, T)> = if n == 1 || threads <= 1 {
            worker()
        } else {
            std::thread::scope(|sc| {
                let hs: Vec<_> = (0..threads.min(n)).map(|_| sc.spawn(worker)).collect();
                hs.into_iter()
                    .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            })
        };
        out.sort_unstable_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, v)| v).collect()
    }

    /// Where `each_piece` cuts: at the first line start after every
    /// `PIECE_MIN_TOKENS` tokens (none within that many more: no cut).
    fn cuts(text: &Text, tokens: &Tokens) -> Vec<usize> {
        let len = tokens.len();
        let mut cuts = vec![0];
        let mut i = PIECE_MIN_TOKENS;
        while i < len {
            let give_up = (i + PIECE_MIN_TOKENS).min(len);
            let at = (i..give_up).find(|&i| {
                text.slice(tokens.get(i - 1).end, tokens.get(i).start)
                    .contains('\n')
            });
            match at {
                Some(at) => {
                    cuts.push(at);
                    i = at + PIECE_MIN_TOKENS;
                }
                None => i = give_up,
            }
        }
        cuts.push(len);
        cuts
    }

    /// Tokens `range` of the article.
    pub fn range(text: &Text, tokens: &Tokens, range: std::ops::Range<usize>) -> Folded {
        let s = text.as_str();
        let n = range.len();
        // The piece's own bytes: folding keeps a token's bytes or shortens
        // them, and puts one byte between tokens, where the text has at
        // least one.
        let bytes_in = if range.is_empty() {
            0
        } else {
            let mut b = text.byte_cursor();
            let first = b.byte_of(tokens.get(range.start).start);
            b.byte_of(tokens.get(range.end - 1).end) - first
        };
        let mut out = Folded {
            first: range.start,
            s: String::with_capacity(bytes_in + 64),
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
    fn pieces_cut_at_line_starts_cover_every_token_and_come_back_in_order() {
        let line = "Ban Đối ngoại Trung ương họp ở Hà Nội.\n".repeat(40_000);
        let t = Text::new(line);
        let toks = Tokens::new(&t);
        let whole = Folded::new(&t, &toks);
        for threads in [1, 2, 3] {
            let pieces = Folded::each_piece(&t, &toks, threads, |p| (p.first, p.chars.clone()));
            assert!(pieces.len() >= 7, "{} tokens in pieces of 50k", toks.len());
            let mut chars = Vec::new();
            for (first, c) in pieces {
                assert_eq!(first, chars.len());
                assert_eq!(t.char_at(c[0].0 as usize), Some('B'), "a line start");
                chars.extend_from_slice(&c);
            }
            assert_eq!(chars, whole.chars);
        }
    }

    #[test]
    fn a_long_line_is_not_cut() {
        let t = Text::new("Hà Nội ".repeat(60_000));
        let toks = Tokens::new(&t);
        let pieces = Folded::each_piece(&t, &toks, 2, |p| p.s.clone());
        assert_eq!(pieces, vec![Folded::new(&t, &toks).s]);
    }

    #[test]
    fn separators_say_what_lay_between() {
        assert_eq!(Folded::key("34-NQ/TW").unwrap(), "34\x1d-\x1dNQ\x1d/\x1dTW");
        assert_eq!(Folded::key("Hà  Nội\nx").unwrap(), "Hà\x1fNội\x1ex");
        assert_eq!(Folded::key("  "), None);
    }
}
