//! Tokens are UAX #29 word segments that are not whitespace: words and single
//! punctuation marks. They are what the cursor and selections step over.

use super::text::Text;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, Default)]
pub struct Tokens {
    /// Char ranges, sorted and disjoint.
    ranges: Vec<(u32, u32)>,
}

impl Tokens {
    /// The UAX #29 word segments of `text` that are not all whitespace.
    /// Text made of ASCII, Latin letters (Vietnamese NFC included), NBSP,
    /// curly quotes, dashes and ellipses is segmented by a byte scanner that
    /// applies the few rules such text can meet; any other character sends
    /// its piece of text (bounded by spaces and line breaks, where UAX #29
    /// always breaks and forgets what came before) through
    /// `split_word_bounds`. Both give the same tokens (checked by proptests).
    pub fn new(text: &Text) -> Self {
        let s = text.as_str();
        let bytes = s.as_bytes();
        let mut ranges: Vec<(u32, u32)> = Vec::with_capacity(bytes.len() / 6 + 1);
        // The piece being scanned starts at byte `pb`, char `pc`, with
        // `pn` tokens pushed before it.
        let (mut pb, mut pc, mut pn) = (0usize, 0u32, 0usize);
        let mut i = 0usize;
        let mut c = 0u32;
        while i < bytes.len() {
            let (k, len) = word_class(bytes, i);
            let mut slow = false;
            match k {
                W::Letter | W::Digit | W::Under => {
                    // WB5, WB8–WB10, WB13a/b: these join whatever their order.
                    let start = c;
                    'word: loop {
                        // Byte by byte over letters, digits and `_`, counting
                        // chars at their first byte.
                        while i < bytes.len() {
                            let x = bytes[i];
                            let y = bytes.get(i + 1).copied().unwrap_or(0);
                            if RUN[x as usize] & (1 | RUN_NEXT[y as usize]) == 0 {
                                break;
                            }
                            c += u32::from((x as i8) >= -64);
                            i += 1;
                        }
                        if i >= bytes.len() {
                            break;
                        }
                        let (k2, len2) = word_class(bytes, i);
                        match k2 {
                            W::MidLetter | W::MidNumLet | W::MidNum if i + len2 < bytes.len() => {
                                // WB6/WB7 (letter : . ' letter) and WB11/WB12
                                // (digit , ; . ' digit).
                                let last = match bytes[i - 1] {
                                    b'0'..=b'9' => W::Digit,
                                    b'_' => W::Under,
                                    _ => W::Letter,
                                };
                                let (k3, _) = word_class(bytes, i + len2);
                                if k3 == W::Slow {
                                    // e.g. a combining mark after the dot,
                                    // which UAX #29 would skip.
                                    slow = true;
                                    break 'word;
                                }
                                let joins = (last == W::Letter
                                    && k3 == W::Letter
                                    && k2 != W::MidNum)
                                    || (last == W::Digit && k3 == W::Digit && k2 != W::MidLetter);
                                if !joins {
                                    break;
                                }
                                i += len2;
                                c += 1;
                            }
                            W::Slow => {
                                slow = true;
                                break;
                            }
                            _ => break,
                        }
                    }
                    if !slow {
                        ranges.push((start, c));
                    }
                }
                W::MidLetter | W::MidNumLet | W::MidNum | W::Other => {
                    ranges.push((c, c + 1));
                    i += len;
                    c += 1;
                }
                W::Space => {
                    // WB3d: a run of spaces is one segment.
                    while i < bytes.len() && bytes[i] == b' ' {
                        i += 1;
                        c += 1;
                    }
                    if i < bytes.len() {
                        if word_class(bytes, i).0 == W::Slow {
                            slow = true;
                        } else {
                            // A break that no rule looks back across.
                            (pb, pc, pn) = (i, c, ranges.len());
                        }
                    }
                }
                W::Lf => {
                    // WB3a: always a break after a line feed.
                    i += 1;
                    c += 1;
                    (pb, pc, pn) = (i, c, ranges.len());
                }
                W::Cr | W::WhiteOther => {
                    i += len;
                    c += 1;
                }
                W::Slow => slow = true,
            }
            if slow {
                // Segment the piece with the reference implementation, up to
                // the next place where the fast scanner may resume.
                ranges.truncate(pn);
                let (end_b, end_c) = piece_end(bytes, i, c);
                let mut cc = pc;
                for seg in s[pb..end_b].split_word_bounds() {
                    let n = seg.chars().count() as u32;
                    if !seg.chars().all(char::is_whitespace) {
                        ranges.push((cc, cc + n));
                    }
                    cc += n;
                }
                debug_assert_eq!(cc, end_c);
                (i, c) = (end_b, end_c);
                (pb, pc, pn) = (i, c, ranges.len());
            }
        }
        Tokens { ranges }
    }

    /// The reference segmentation (`split_word_bounds`, whitespace dropped),
    /// which [`Tokens::new`] must equal.
    pub fn reference(text: &Text) -> Self {
        let mut ranges = Vec::new();
        let mut c = 0u32;
        for seg in text.as_str().split_word_bounds() {
            let n = seg.chars().count() as u32;
            if !seg.chars().all(char::is_whitespace) {
                ranges.push((c, c + n));
            }
            c += n;
        }
        Tokens { ranges }
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn get(&self, i: usize) -> Range<usize> {
        let (s, e) = self.ranges[i];
        s as usize..e as usize
    }

    pub fn iter(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.ranges.iter().map(|&(s, e)| s as usize..e as usize)
    }

    /// Index of the first token whose end is after `c`: the token holding
    /// `c`, or the next one if `c` is in whitespace.
    pub fn at_or_after(&self, c: usize) -> Option<usize> {
        let i = self.ranges.partition_point(|&(_, e)| e as usize <= c);
        (i < self.ranges.len()).then_some(i)
    }

    /// Index of the token holding `c`, if `c` is inside one.
    pub fn containing(&self, c: usize) -> Option<usize> {
        self.at_or_after(c)
            .filter(|&i| self.ranges[i].0 as usize <= c)
    }

    /// Index of the last token starting before `c`.
    pub fn before(&self, c: usize) -> Option<usize> {
        self.ranges
            .partition_point(|&(s, _)| (s as usize) < c)
            .checked_sub(1)
    }

    /// Tokens overlapping `[start, end)`.
    pub fn overlapping(&self, start: usize, end: usize) -> Range<usize> {
        let lo = self.ranges.partition_point(|&(_, e)| e as usize <= start);
        let hi = self.ranges.partition_point(|&(s, _)| (s as usize) < end);
        lo..hi.max(lo)
    }
}

/// Word-break classes of the characters the fast scanner handles; `Slow` is
/// everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum W {
    /// ALetter: ASCII and Latin letters.
    Letter,
    /// Numeric: ASCII digits.
    Digit,
    /// ExtendNumLet: `_`.
    Under,
    /// `:`
    MidLetter,
    /// `.` and `'` (MidNumLet, Single_Quote).
    MidNumLet,
    /// `,` and `;`
    MidNum,
    /// WSegSpace: U+0020 only.
    Space,
    Lf,
    Cr,
    /// Whitespace that is its own segment: tab, VT, FF, NBSP.
    WhiteOther,
    /// A segment of its own that is a token: other ASCII punctuation and
    /// controls, curly double quotes, en and em dashes, the ellipsis.
    Other,
    Slow,
}

const ASCII_W: [W; 128] = {
    let mut t = [W::Other; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b'A'..=b'Z' | b'a'..=b'z' => W::Letter,
            b'0'..=b'9' => W::Digit,
            b'_' => W::Under,
            b':' => W::MidLetter,
            b'.' | b'\'' => W::MidNumLet,
            b',' | b';' => W::MidNum,
            b' ' => W::Space,
            b'\n' => W::Lf,
            b'\r' => W::Cr,
            b'\t' | 0x0b | 0x0c => W::WhiteOther,
            _ => W::Other,
        };
        b += 1;
    }
    t
};

/// Bytes a run of letters, digits and `_` may hold, as flags: 1 always
/// (ASCII word chars, continuation bytes after an accepted lead, the leads
/// of U+0100..U+027F); 2 if the next byte has flag 2 in [`RUN_NEXT`]
/// (U+00C0..U+00FF but × ÷); 4 if it has flag 4 (U+1E00..U+1EFF).
const RUN: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' => 1,
            0x80..=0xbf | 0xc4..=0xc9 => 1,
            0xc3 => 2,
            0xe1 => 4,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// See [`RUN`]: which second bytes complete an accepted letter.
const RUN_NEXT: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let mut f = 0;
        if b >= 0x80 && b <= 0xbf && b != 0x97 && b != 0xb7 {
            f |= 2;
        }
        if b >= 0xb8 && b <= 0xbb {
            f |= 4;
        }
        t[b] = f;
        b += 1;
    }
    t
};

#[inline(always)]
fn utf8_len(lead: u8) -> usize {
    match lead {
        0..0x80 => 1,
        0x80..0xe0 => 2,
        0xe0..0xf0 => 3,
        _ => 4,
    }
}

/// The class and byte length of the char starting at byte `i`.
#[inline(always)]
fn word_class(bytes: &[u8], i: usize) -> (W, usize) {
    let b = bytes[i];
    if b < 0x80 {
        return (ASCII_W[b as usize], 1);
    }
    // `bytes` is valid UTF-8, so a lead byte has its continuation bytes.
    match b {
        // U+00A0 NO-BREAK SPACE; the rest of U+0080..U+00BF is left to the
        // reference (ª, µ, º are letters, · is MidLetter, SHY is Format).
        0xc2 => (
            if bytes[i + 1] == 0xa0 {
                W::WhiteOther
            } else {
                W::Slow
            },
            2,
        ),
        // U+00C0..U+00FF: letters but × and ÷.
        0xc3 => (
            if matches!(bytes[i + 1], 0x97 | 0xb7) {
                W::Slow
            } else {
                W::Letter
            },
            2,
        ),
        // U+0100..U+027F: Latin Extended-A and -B, IPA (all ALetter).
        0xc4..=0xc9 => (W::Letter, 2),
        // U+1E00..U+1EFF: Latin Extended Additional (Vietnamese tones).
        0xe1 => (
            if matches!(bytes[i + 1], 0xb8..=0xbb) {
                W::Letter
            } else {
                W::Slow
            },
            3,
        ),
        // U+2013, U+2014 dashes, U+201C, U+201D quotes, U+2026 ellipsis.
        0xe2 => (
            if bytes[i + 1] == 0x80 && matches!(bytes[i + 2], 0x93 | 0x94 | 0x9c | 0x9d | 0xa6) {
                W::Other
            } else {
                W::Slow
            },
            3,
        ),
        _ => (W::Slow, utf8_len(b)),
    }
}

/// The first place after the char at byte `i` (char `c`) where the fast
/// scanner may resume: after a line feed (WB3a), or after a space before a
/// char the scanner handles that is not a space (a break, and no rule looks
/// back across a space). Returns its byte and char offsets.
fn piece_end(bytes: &[u8], mut i: usize, mut c: u32) -> (usize, u32) {
    i += utf8_len(bytes[i]);
    c += 1;
    while i < bytes.len() {
        let prev = bytes[i - 1];
        if prev == b'\n' || (prev == b' ' && bytes[i] != b' ' && word_class(bytes, i).0 != W::Slow)
        {
            break;
        }
        i += utf8_len(bytes[i]);
        c += 1;
    }
    (i, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        let t = Text::new(s);
        Tokens::new(&t)
            .iter()
            .map(|r| t.slice(r.start, r.end).to_string())
            .collect()
    }

    #[test]
    fn vietnamese_words_and_punctuation() {
        assert_eq!(
            words("Nghị quyết số 34-NQ/TW, “Đảng”."),
            [
                "Nghị", "quyết", "số", "34", "-", "NQ", "/", "TW", ",", "“", "Đảng", "”", "."
            ]
        );
    }

    #[test]
    fn nbsp_and_newlines_are_never_tokens() {
        assert_eq!(words("Hà\u{a0}Nội\r\n\nx"), ["Hà", "Nội", "x"]);
    }

    #[test]
    fn nfd_word_is_one_token() {
        let s = "Nguye\u{302}\u{303}n Phu\u{301}";
        assert_eq!(words(s), ["Nguye\u{302}\u{303}n", "Phu\u{301}"]);
    }

    #[test]
    fn lookups() {
        let t = Text::new("ab  cd e");
        let k = Tokens::new(&t);
        assert_eq!(k.at_or_after(2), Some(1));
        assert_eq!(k.containing(2), None);
        assert_eq!(k.containing(5), Some(1));
        assert_eq!(k.before(4), Some(0));
        assert_eq!(k.before(0), None);
        assert_eq!(k.overlapping(1, 5), 0..2);
    }

    /// Every character the fast scanner classifies, in contexts that would
    /// show a wrong class (joins with letters, digits, mid punctuation,
    /// spaces and a following combining mark), against the reference.
    #[test]
    fn fast_classes_agree_with_the_reference_for_every_char() {
        let mut checked = 0;
        for cp in 0u32..0x3000 {
            let Some(ch) = char::from_u32(cp) else {
                continue;
            };
            let mut buf = [0u8; 4];
            let enc = ch.encode_utf8(&mut buf);
            if word_class(enc.as_bytes(), 0).0 == W::Slow {
                continue;
            }
            checked += 1;
            for ctx in [
                "a{}b",
                "1{}2",
                "{}{}",
                " {} ",
                "a{}",
                "{}a",
                "a.{}",
                "1,{}",
                "{}.a",
                "{}:b",
                "_{}_",
                "{}\u{301}",
                " {}\u{301}",
                "\u{5d0}{}",
                "{}'",
                "x {} y",
                "\r{}\n",
            ] {
                let src = ctx.replace("{}", enc);
                let t = Text::new(src.clone());
                assert_eq!(
                    Tokens::new(&t).ranges,
                    Tokens::reference(&t).ranges,
                    "U+{cp:04X} in {src:?}"
                );
            }
        }
        assert!(checked > 800, "{checked}");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// Characters and words the fast scanner handles.
        const FAST: &[&str] = &[
            "a",
            "Z",
            "0",
            "9",
            "_",
            ".",
            ",",
            ";",
            ":",
            "'",
            "\"",
            "-",
            "/",
            "(",
            ")",
            "!",
            "?",
            "#",
            "\t",
            "\u{b}",
            "\u{c}",
            "\u{0}",
            "\u{7f}",
            "\u{a0}",
            "Nghị",
            "quyết",
            "Đảng",
            "Nguyễn",
            "ơ",
            "Ư",
            "đ",
            "“",
            "”",
            "–",
            "—",
            "…",
            "34-NQ/TW,",
            "2024.",
            "3,5",
            "1.000",
            "a.b",
            "can't",
            "TP.HCM",
            "e.g.",
            "x_y",
            "\u{e9}",
            "\u{1e00}",
            "\u{1ef9}",
            "\u{27f}",
        ];

        /// Pieces the fast scanner leaves to the reference: Vietnamese NFD,
        /// CJK and kana, emoji with ZWJ, skin tones and flags, Hebrew with
        /// quotes, other spaces and line breaks, format characters.
        const SLOW: &[&str] = &[
            "\u{202f}",
            "\u{3000}",
            "\u{2003}",
            "\u{85}",
            "\u{2028}",
            "×",
            "÷",
            "ª",
            "µ",
            "·",
            "\u{ad}",
            "Nguye\u{302}\u{303}n",
            "Phu\u{301}",
            "\u{301}",
            "\u{323}",
            "\u{200d}",
            "\u{200b}",
            "\u{2060}",
            "‘",
            "’",
            "\u{2024}",
            "東京",
            "日本語",
            "カタカナ",
            "ー",
            "ひらがな",
            "한국어",
            "😀",
            "👍🏽",
            "👨\u{200d}👩\u{200d}👧",
            "🇻🇳",
            "🇻",
            "🇳",
            "\u{5d0}",
            "\u{5d1}\"\u{5d2}",
            "\u{5d3}'",
            "٣",
            "١٢",
            "e\u{301}",
            "\u{280}",
        ];

        const SEPARATORS: &[&str] = &[" ", " ", " ", "  ", "\n", "\r\n", "\r", "", "\n\n"];

        fn piece() -> impl Strategy<Value = String> {
            prop_oneof![
                20 => proptest::sample::select(FAST).prop_map(String::from),
                2 => proptest::sample::select(SLOW).prop_map(String::from),
                1 => any::<char>().prop_map(String::from),
                1 => (0x20u32..0x3000).prop_filter_map("not a char", |c| char::from_u32(c).map(String::from)),
            ]
        }

        /// Words of one to four pieces between separators.
        fn text() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                (
                    proptest::collection::vec(piece(), 1..4),
                    proptest::sample::select(SEPARATORS),
                ),
                0..30,
            )
            .prop_map(|v| v.into_iter().map(|(w, sep)| w.concat() + sep).collect())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            #[test]
            fn fast_tokens_equal_uax29_word_bounds(s in text()) {
                let t = Text::new(s);
                prop_assert_eq!(Tokens::new(&t).ranges, Tokens::reference(&t).ranges);
            }

            #[test]
            fn fast_tokens_equal_uax29_on_plain_vietnamese(
                v in proptest::collection::vec(
                    proptest::sample::select(vec!["Hà", "Nội", "ngày", "34", "5", " ", " ", " ", ".", ",", "\n", "“", "”", ":", ";", "'", "a", "Đ", "_", "\u{301}"]),
                    0..80,
                )
            ) {
                let t = Text::new(v.concat());
                prop_assert_eq!(Tokens::new(&t).ranges, Tokens::reference(&t).ranges);
            }
        }
    }
}
