//! Tokens are UAX #29 word segments that are not whitespace: words and single
//! punctuation marks. They are what the cursor and selections step over.

use super::text::Text;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use unicode_segmentation::UnicodeSegmentation;

/// Tokens are sorted, disjoint and never empty, so two bits per char say
/// where they are: the i-th set bit of `starts` is token i's first char and
/// the i-th set bit of `lasts` its last char. With the indexes that is ~2.4
/// bits per char (a 10 MB article: ~2.4 MB) where char pairs took 8 bytes
/// per token (~16 MB, and twice that while the vector grew).
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    starts: Bits,
    lasts: Bits,
    /// The first char of every [`SAMPLE`]-th token, so that `get` looks at
    /// a word or two.
    samples: Vec<u32>,
    /// The token `get` returned last: exports call it for every token in
    /// turn, and the next token starts at the next set bit.
    last: Hint,
}

/// `(i + 1) << 32 | start` of a token, 0 for none. Only a shortcut: it
/// always holds a true pair, so no value changes an answer, and threads
/// sharing the tokens can at worst make each other miss it.
#[derive(Debug, Default)]
struct Hint(AtomicU64);

impl Clone for Hint {
    fn clone(&self) -> Self {
        Hint(AtomicU64::new(self.0.load(Relaxed)))
    }
}

const SAMPLE: usize = 32;

/// How many words `get` scans from a sample before it searches the rank
/// index instead (for very long tokens or much whitespace).
const NEAR: usize = 16;

impl Tokens {
    /// The UAX #29 word segments of `text` that are not all whitespace.
    /// Text made of ASCII, Latin letters (Vietnamese NFC included), NBSP,
    /// curly quotes, dashes and ellipses is segmented by a byte scanner that
    /// applies the few rules such text can meet; any other character sends
    /// its piece of text (bounded by spaces and line breaks, where UAX #29
    /// always breaks and forgets what came before) through
    /// `split_word_bounds`. Both give the same tokens (checked by proptests).
    pub fn new(text: &Text) -> Self {
        let mut out = Builder::new(text.len_chars());
        Self::scan(text, &mut out);
        out.finish()
    }

    /// `new`, and each token's byte range too, found on the same pass (an
    /// export needs both; computing byte offsets afterwards walks the text
    /// again).
    pub fn new_with_bytes(text: &Text) -> (Self, Vec<(u32, u32)>) {
        let mut out = WithBytes {
            tokens: Builder::new(text.len_chars()),
            bytes: Vec::with_capacity(text.as_str().len() / 5),
        };
        Self::scan(text, &mut out);
        (out.tokens.finish(), out.bytes)
    }

    fn scan(text: &Text, out: &mut impl Sink) {
        let s = text.as_str();
        let bytes = s.as_bytes();
        // The piece being scanned starts at byte `pb`, char `pc`; every
        // token pushed since starts at or after `pc`.
        let (mut pb, mut pc) = (0usize, 0u32);
        let mut i = 0usize;
        let mut c = 0u32;
        while i < bytes.len() {
            let (k, len) = word_class(bytes, i);
            let mut slow = false;
            match k {
                W::Letter | W::Digit | W::Under => {
                    // WB5, WB8–WB10, WB13a/b: these join whatever their order.
                    let (start, start_b) = (c, i);
                    'word: loop {
                        // Byte by byte over letters, digits and `_`, counting
                        // chars at their first byte.
                        while i < bytes.len() {
                            let x = bytes[i];
                            let y = bytes.get(i + 1).copied().unwrap_or(0);
                            if RUN[x as usize] & (1 | RUN_NEXT[y as usize]) == 0 {
                                break;
                            }
                            c += u32::from(super::utf8::is_char_start(x));
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
                        out.push(start, c, start_b, i);
                    }
                }
                W::MidLetter | W::MidNumLet | W::MidNum | W::Other => {
                    out.push(c, c + 1, i, i + len);
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
                            (pb, pc) = (i, c);
                        }
                    }
                }
                W::Lf => {
                    // WB3a: always a break after a line feed.
                    i += 1;
                    c += 1;
                    (pb, pc) = (i, c);
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
                out.clear(pc, c, pb);
                let (end_b, end_c) = piece_end(bytes, i, c);
                let (mut cc, mut bb) = (pc, pb);
                for seg in s[pb..end_b].split_word_bounds() {
                    let n = seg.chars().count() as u32;
                    if !seg.chars().all(char::is_whitespace) {
                        out.push(cc, cc + n, bb, bb + seg.len());
                    }
                    cc += n;
                    bb += seg.len();
                }
                debug_assert_eq!(cc, end_c);
                (i, c) = (end_b, end_c);
                (pb, pc) = (i, c);
            }
        }
    }

    /// Whether chars `s..e` start and end on token edges (`s` starts a
    /// token, `e` ends one): what these tokens say of them.
    pub fn are_whole(&self, s: usize, e: usize) -> bool {
        self.containing(s).is_some_and(|i| self.get(i).start == s)
            && e > 0
            && self.containing(e - 1).is_some_and(|i| self.get(i).end == e)
    }

    /// [`Tokens::are_whole`] of `Tokens::new(text)`, segmenting only the
    /// words around `s..e`: from the last place before `s` where
    /// segmentation starts afresh (after a line feed, or after a space
    /// before a char no rule joins to it) to the first space or line feed
    /// after `e`. The consistency check asks this of every untagged
    /// occurrence of a name in a project; segmenting each article whole
    /// for it was a tenth of `nhan stats`. `None` when no such place is
    /// near (a long text without spaces): segment the whole text then.
    pub fn are_whole_near(text: &Text, s: usize, e: usize) -> Option<bool> {
        /// How far to look for a fresh start, in bytes.
        const NEAR: usize = 1 << 12;
        if s >= e || e > text.len_chars() {
            return Some(false);
        }
        let str = text.as_str();
        let bytes = str.as_bytes();
        let (sb, eb) = (text.byte_of(s), text.byte_of(e));
        let fresh = |p: usize| {
            p == 0
                || bytes[p - 1] == b'\n'
                || (bytes[p - 1] == b' '
                    && p < bytes.len()
                    && !matches!(word_class(bytes, p).0, W::Slow | W::Space))
        };
        let mut p = sb;
        while !fresh(p) {
            if sb - p > NEAR {
                return None;
            }
            p -= 1;
        }
        let q = match bytes[eb..]
            .iter()
            .take(NEAR)
            .position(|&b| b == b' ' || b == b'\n')
        {
            Some(k) => eb + k + 1,
            None if bytes.len() - eb <= NEAR => bytes.len(),
            None => return None,
        };
        let before = text.char_of_byte(p);
        let local = Tokens::new(&Text::new(&str[p..q]));
        Some(local.are_whole(s - before, e - before))
    }

    /// The reference segmentation (`split_word_bounds`, whitespace dropped),
    /// which [`Tokens::new`] must equal.
    pub fn reference(text: &Text) -> Self {
        let mut out = Builder::new(text.len_chars());
        let mut c = 0u32;
        for seg in text.as_str().split_word_bounds() {
            let n = seg.chars().count() as u32;
            if !seg.chars().all(char::is_whitespace) {
                out.push(c, c + n);
            }
            c += n;
        }
        out.finish()
    }

    pub fn len(&self) -> usize {
        self.starts.count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Range<usize> {
        let len = self.len();
        assert!(i < len, "token index {i} out of range for {len} tokens");
        let hint = self.last.0.load(Relaxed);
        let (hint_i, hint_start) = ((hint >> 32) as usize, hint as u32 as usize);
        let start = if hint_i == i + 1 {
            Some(hint_start)
        } else if hint_i == i && i > 0 {
            self.starts.next_one(hint_start + 1)
        } else {
            None
        }
        .unwrap_or_else(|| {
            let j = i / SAMPLE;
            let from = self.samples[j] as usize;
            self.starts.near(from, i % SAMPLE).unwrap_or_else(|| {
                let to = self.samples.get(j + 1).map_or(usize::MAX, |&p| p as usize);
                self.starts.select(i, from..to)
            })
        });
        self.last
            .0
            .store((i as u64 + 1) << 32 | start as u64, Relaxed);
        // Token i's last char is the first one at or after its start.
        let last = self
            .lasts
            .next_one(start)
            .unwrap_or_else(|| self.lasts.select(i, start..usize::MAX));
        start..last + 1
    }

    pub fn iter(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.starts
            .ones()
            .zip(self.lasts.ones())
            .map(|(s, l)| s..l + 1)
    }

    /// Index of the first token whose end is after `c`: the token holding
    /// `c`, or the next one if `c` is in whitespace.
    pub fn at_or_after(&self, c: usize) -> Option<usize> {
        // Tokens ending at or before `c` are those whose last char is
        // before `c`.
        let i = self.lasts.rank(c);
        (i < self.len()).then_some(i)
    }

    /// Index of the token holding `c`, if `c` is inside one.
    pub fn containing(&self, c: usize) -> Option<usize> {
        self.at_or_after(c)
            .filter(|&i| self.starts.rank(c.saturating_add(1)) > i)
    }

    /// Index of the last token starting before `c`.
    pub fn before(&self, c: usize) -> Option<usize> {
        self.starts.rank(c).checked_sub(1)
    }

    /// Tokens overlapping `[start, end)`.
    pub fn overlapping(&self, start: usize, end: usize) -> Range<usize> {
        let lo = self.lasts.rank(start);
        let hi = self.starts.rank(end);
        lo..hi.max(lo)
    }
}

/// Where the scanner puts the tokens it finds.
trait Sink {
    /// The token of chars `start..end`, bytes `start_b..end_b` (not empty).
    fn push(&mut self, start: u32, end: u32, start_b: usize, end_b: usize);
    /// Forgets the tokens pushed from char `from` (byte `from_b`) on; none
    /// reaches `to`.
    fn clear(&mut self, from: u32, to: u32, from_b: usize);
}

impl Sink for Builder {
    #[inline(always)]
    fn push(&mut self, start: u32, end: u32, _: usize, _: usize) {
        Builder::push(self, start, end);
    }

    fn clear(&mut self, from: u32, to: u32, _: usize) {
        Builder::clear(self, from, to);
    }
}

/// Tokens and their byte ranges.
struct WithBytes {
    tokens: Builder,
    bytes: Vec<(u32, u32)>,
}

impl Sink for WithBytes {
    #[inline(always)]
    fn push(&mut self, start: u32, end: u32, start_b: usize, end_b: usize) {
        self.tokens.push(start, end);
        // Texts are at most 4 GiB (`Text::new` asserts it).
        self.bytes.push((start_b as u32, end_b as u32));
    }

    fn clear(&mut self, from: u32, to: u32, from_b: usize) {
        self.tokens.clear(from, to);
        while self
            .bytes
            .last()
            .is_some_and(|&(b, _)| b as usize >= from_b)
        {
            self.bytes.pop();
        }
    }
}

/// The two bit sets of [`Tokens`] while the scanner fills them.
struct Builder {
    starts: Vec<u64>,
    lasts: Vec<u64>,
}

impl Builder {
    fn new(chars: usize) -> Self {
        let words = chars.div_ceil(64);
        Builder {
            starts: vec![0; words],
            lasts: vec![0; words],
        }
    }

    /// The token of chars `start..end` (not empty).
    #[inline(always)]
    fn push(&mut self, start: u32, end: u32) {
        let (s, l) = (start as usize, end as usize - 1);
        self.starts[s / 64] |= 1 << (s % 64);
        self.lasts[l / 64] |= 1 << (l % 64);
    }

    /// Forgets the tokens pushed from char `from` on; none reaches `to`.
    fn clear(&mut self, from: u32, to: u32) {
        let (from, to) = (from as usize, to as usize);
        for bits in [&mut self.starts, &mut self.lasts] {
            let mut c = from;
            while c < to && c / 64 < bits.len() {
                bits[c / 64] &= !(u64::MAX << (c % 64));
                c = (c / 64 + 1) * 64;
            }
        }
    }

    fn finish(self) -> Tokens {
        let starts = Bits::new(self.starts);
        let lasts = Bits::new(self.lasts);
        debug_assert_eq!(starts.count(), lasts.count());
        let samples = starts.ones().step_by(SAMPLE).map(|p| p as u32).collect();
        Tokens {
            starts,
            lasts,
            samples,
            last: Hint::default(),
        }
    }
}

/// Words of a block, the unit of the rank index: 512 bits.
const BLOCK: usize = 8;

/// A bit set with rank and select in a few cache lines.
#[derive(Debug, Clone, Default)]
struct Bits {
    words: Vec<u64>,
    /// Set bits before each block, and in all (one more entry); empty when
    /// `words` is.
    ranks: Vec<u32>,
}

impl Bits {
    fn new(words: Vec<u64>) -> Self {
        if words.is_empty() {
            return Bits::default();
        }
        let mut ranks = Vec::with_capacity(words.len().div_ceil(BLOCK) + 1);
        let mut n = 0u32;
        for block in words.chunks(BLOCK) {
            ranks.push(n);
            n += block.iter().map(|w| w.count_ones()).sum::<u32>();
        }
        ranks.push(n);
        Bits { words, ranks }
    }

    fn count(&self) -> usize {
        self.ranks.last().map_or(0, |&n| n as usize)
    }

    /// Set bits before bit `i` (any `i`).
    #[inline]
    fn rank(&self, i: usize) -> usize {
        let w = i / 64;
        if w >= self.words.len() {
            return self.count();
        }
        let b = w / BLOCK;
        let before: u32 = self.words[b * BLOCK..w]
            .iter()
            .map(|x| x.count_ones())
            .sum();
        let here = (self.words[w] & !(u64::MAX << (i % 64))).count_ones();
        (self.ranks[b] + before + here) as usize
    }

    /// The position of the set bit with `k` set bits before it, which is
    /// known to lie in bits `within` (its end may be past the last bit).
    fn select(&self, k: usize, within: Range<usize>) -> usize {
        let lo = within.start / 64 / BLOCK;
        let hi = (within.end / 64 / BLOCK + 1).min(self.ranks.len() - 1);
        // The block holding it is the last one with at most `k` set bits
        // before it (empty blocks before it share its count; the count at
        // `hi` is above `k`).
        let b = lo + self.ranks[lo..=hi].partition_point(|&r| r as usize <= k) - 1;
        self.near(b * BLOCK * 64, k - self.ranks[b] as usize)
            .expect("the set bit is in its block")
    }

    /// The position of the set bit with `k` set bits between bit `from`
    /// and it, if it is within [`NEAR`] words (or a block) of `from`.
    #[inline]
    fn near(&self, from: usize, mut k: usize) -> Option<usize> {
        let mut w = from / 64;
        let stop = (w + NEAR.max(BLOCK)).min(self.words.len());
        let mut x = self.words[w] & (u64::MAX << (from % 64));
        loop {
            let n = x.count_ones() as usize;
            if k < n {
                return Some(w * 64 + select_in_word(x, k));
            }
            k -= n;
            w += 1;
            if w >= stop {
                return None;
            }
            x = self.words[w];
        }
    }

    /// The first set bit at or after bit `from`, if it is within [`NEAR`]
    /// words: [`Bits::near`] for `k` = 0, without its search in a word.
    #[inline]
    fn next_one(&self, from: usize) -> Option<usize> {
        let mut w = from / 64;
        let stop = (w + NEAR).min(self.words.len());
        let mut x = self.words[w] & (u64::MAX << (from % 64));
        while x == 0 {
            w += 1;
            if w >= stop {
                return None;
            }
            x = self.words[w];
        }
        Some(w * 64 + x.trailing_zeros() as usize)
    }

    /// The positions of the set bits, in order.
    fn ones(&self) -> Ones<'_> {
        Ones {
            words: &self.words,
            w: 0,
            x: self.words.first().copied().unwrap_or(0),
        }
    }
}

/// The position of the set bit of `x` with `k` set bits below it; `x` has
/// more than `k`. Finds its byte from the bytes' running counts, all eight
/// compared with `k` at once, then looks it up: no branch, no loop, as
/// `get` runs for every token of an export.
#[inline]
fn select_in_word(x: u64, k: usize) -> usize {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = 0x8080_8080_8080_8080;
    let mut s = x - ((x >> 1) & 0x5555_5555_5555_5555);
    s = (s & 0x3333_3333_3333_3333) + ((s >> 2) & 0x3333_3333_3333_3333);
    // Byte j: the set bits in bytes 0..=j (at most 64, so no carries).
    let s = ((s + (s >> 4)) & 0x0f0f_0f0f_0f0f_0f0f).wrapping_mul(L);
    // High bit of byte j set where that count is at most `k`: those
    // bytes come first, and the bit is in the byte after them.
    let byte = ((((k as u64 * L) | H) - s) & H).count_ones() as usize * 8;
    let below = ((s << 8) >> byte) as u8;
    let y = (x >> byte) as u8;
    byte + SELECT_IN_BYTE[y as usize][(k as u8 - below) as usize & 7] as usize
}

/// `SELECT_IN_BYTE[y][k]`: the position of the set bit of `y` with `k` set
/// bits below it.
const SELECT_IN_BYTE: [[u8; 8]; 256] = {
    let mut t = [[0u8; 8]; 256];
    let mut y = 0;
    while y < 256 {
        let (mut b, mut k) = (0, 0);
        while b < 8 {
            if y >> b & 1 == 1 {
                t[y][k] = b as u8;
                k += 1;
            }
            b += 1;
        }
        y += 1;
    }
    t
};

struct Ones<'a> {
    words: &'a [u64],
    w: usize,
    /// The bits of word `w` not yet returned.
    x: u64,
}

impl Iterator for Ones<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.x == 0 {
            self.w += 1;
            self.x = *self.words.get(self.w)?;
        }
        let i = self.x.trailing_zeros() as usize;
        self.x &= self.x - 1;
        Some(self.w * 64 + i)
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

    fn all(k: &Tokens) -> Vec<Range<usize>> {
        k.iter().collect()
    }

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

    /// The tokens as a sorted vector of char pairs, straight from
    /// `split_word_bounds`, and each query answered on it by binary search:
    /// what the bit sets must agree with.
    struct Model(Vec<(usize, usize)>);

    impl Model {
        fn new(s: &str) -> Self {
            let mut v = Vec::new();
            let mut c = 0;
            for seg in s.split_word_bounds() {
                let n = seg.chars().count();
                if !seg.chars().all(char::is_whitespace) {
                    v.push((c, c + n));
                }
                c += n;
            }
            Model(v)
        }

        fn at_or_after(&self, c: usize) -> Option<usize> {
            let i = self.0.partition_point(|&(_, e)| e <= c);
            (i < self.0.len()).then_some(i)
        }

        fn containing(&self, c: usize) -> Option<usize> {
            self.at_or_after(c).filter(|&i| self.0[i].0 <= c)
        }

        fn before(&self, c: usize) -> Option<usize> {
            self.0.partition_point(|&(s, _)| s < c).checked_sub(1)
        }

        fn overlapping(&self, start: usize, end: usize) -> Range<usize> {
            let lo = self.0.partition_point(|&(_, e)| e <= start);
            let hi = self.0.partition_point(|&(s, _)| s < end);
            lo..hi.max(lo)
        }
    }

    /// Every query of `Tokens::new` on `s` against [`Model`], at every
    /// offset from 0 to past the end and for the given ranges.
    fn agrees_with_model(s: &str, ranges: &[(usize, usize)]) -> Result<(), String> {
        let t = Text::new(s);
        let k = Tokens::new(&t);
        let m = Model::new(s);
        let n = t.len_chars();
        let check = |what: String, ok: bool| if ok { Ok(()) } else { Err(what) };
        check(
            format!("len {} vs {}", k.len(), m.0.len()),
            k.len() == m.0.len(),
        )?;
        check("is_empty".into(), k.is_empty() == m.0.is_empty())?;
        let pairs: Vec<_> = m.0.iter().map(|&(s, e)| s..e).collect();
        check("iter".into(), all(&k) == pairs)?;
        // In order, each twice, then backwards: what `get` remembers of
        // its last call must not change an answer.
        let order = (0..pairs.len())
            .flat_map(|i| [i, i])
            .chain((0..pairs.len()).rev());
        for i in order {
            let r = &pairs[i];
            check(
                format!("get({i}) = {:?}, not {r:?}", k.get(i)),
                k.get(i) == *r,
            )?;
        }
        for c in (0..=n + 2).chain([usize::MAX]) {
            let q = |name: &str, a: Option<usize>, b: Option<usize>| {
                check(format!("{name}({c}) = {a:?}, not {b:?}"), a == b)
            };
            q("at_or_after", k.at_or_after(c), m.at_or_after(c))?;
            q("containing", k.containing(c), m.containing(c))?;
            q("before", k.before(c), m.before(c))?;
        }
        for &(a, b) in ranges.iter().chain(&[(0, 0), (0, n), (n, n), (n, n + 1)]) {
            let (x, y) = (k.overlapping(a, b), m.overlapping(a, b));
            check(format!("overlapping({a}, {b}) = {x:?}, not {y:?}"), x == y)?;
        }
        Ok(())
    }

    #[test]
    fn select_in_word_finds_every_set_bit() {
        let words = [
            1,
            u64::MAX,
            1 << 63,
            0x8000_0001,
            0xdead_beef_f00d_cafe,
            0x00ff_0000_0000_ff00,
        ];
        for x in words {
            let want: Vec<usize> = (0..64).filter(|b| x >> b & 1 == 1).collect();
            let got: Vec<usize> = (0..want.len()).map(|k| select_in_word(x, k)).collect();
            assert_eq!(got, want, "{x:#x}");
        }
    }

    #[test]
    fn empty_text_and_default_have_no_tokens() {
        agrees_with_model("", &[(0, 5), (3, 1)]).unwrap();
        agrees_with_model(" \n\u{a0}\r\n", &[(0, 5), (3, 1)]).unwrap();
        let k = Tokens::default();
        assert_eq!((k.len(), k.iter().count()), (0, 0));
        assert_eq!(k.at_or_after(0), None);
        assert_eq!(k.containing(0), None);
        assert_eq!(k.before(7), None);
        assert_eq!(k.overlapping(0, 9), 0..0);
    }

    #[test]
    #[should_panic]
    fn get_past_the_last_token_panics() {
        Tokens::new(&Text::new("ab cd")).get(2);
    }

    /// Issue 6 allows a 10 MB article 3× its size in memory in all, so the
    /// token table must stay far below a byte per char.
    #[test]
    fn the_table_takes_under_three_bits_per_char() {
        let t = Text::new("Nghị quyết số 34-NQ/TW, “Đảng”. Hà Nội\n".repeat(5000));
        let k = Tokens::new(&t);
        assert_eq!(k.len(), 5000 * 15);
        let bytes: usize = [&k.starts, &k.lasts]
            .iter()
            .map(|b| b.words.capacity() * 8 + b.ranks.capacity() * 4)
            .sum::<usize>()
            + k.samples.capacity() * 4;
        assert!(
            bytes * 8 <= t.len_chars() * 3,
            "{bytes} B for {} chars",
            t.len_chars()
        );
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
                    all(&Tokens::new(&t)),
                    all(&Tokens::reference(&t)),
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

        /// Texts over several 512-char blocks of the index: words, runs of
        /// whitespace longer than a block (blocks with no token), long
        /// tokens and long runs of one-char tokens across block edges.
        fn long_text() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    3 => text(),
                    1 => (1usize..3000, proptest::sample::select(vec![" ", "\n", "\u{a0}"]))
                        .prop_map(|(n, w)| w.repeat(n)),
                    1 => (1usize..2000).prop_map(|n| "ả".repeat(n)),
                    1 => (1usize..700).prop_map(|n| "-".repeat(n)),
                ],
                0..8,
            )
            .prop_map(|v| v.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            #[test]
            fn fast_tokens_equal_uax29_word_bounds(s in text()) {
                let t = Text::new(s);
                prop_assert_eq!(all(&Tokens::new(&t)), all(&Tokens::reference(&t)));
                // The same tokens with their byte ranges, found on the same pass.
                let (tk, bytes) = Tokens::new_with_bytes(&t);
                prop_assert_eq!(all(&tk), all(&Tokens::reference(&t)));
                let want: Vec<(u32, u32)> = tk
                    .iter()
                    .map(|r| (t.byte_of(r.start) as u32, t.byte_of(r.end) as u32))
                    .collect();
                prop_assert_eq!(bytes, want);
            }

            #[test]
            fn whole_tokens_near_a_place_are_what_the_whole_text_says(
                s in text(),
                cuts in proptest::collection::vec((0usize..200, 1usize..12), 1..8),
            ) {
                let t = Text::new(s);
                let all = Tokens::new(&t);
                let n = t.len_chars();
                for (a, len) in cuts {
                    if a >= n {
                        continue;
                    }
                    let b = (a + len).min(n);
                    prop_assert_eq!(
                        Tokens::are_whole_near(&t, a, b),
                        Some(all.are_whole(a, b)),
                        "{:?} {}..{}", t.as_str(), a, b
                    );
                }
            }

            #[test]
            fn fast_tokens_equal_uax29_on_plain_vietnamese(
                v in proptest::collection::vec(
                    proptest::sample::select(vec!["Hà", "Nội", "ngày", "34", "5", " ", " ", " ", ".", ",", "\n", "“", "”", ":", ";", "'", "a", "Đ", "_", "\u{301}"]),
                    0..80,
                )
            ) {
                let t = Text::new(v.concat());
                prop_assert_eq!(all(&Tokens::new(&t)), all(&Tokens::reference(&t)));
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn every_query_equals_a_sorted_vector_of_pairs(
                s in long_text(),
                ranges in proptest::collection::vec((0usize..12000, 0usize..12000), 0..20),
            ) {
                agrees_with_model(&s, &ranges).map_err(TestCaseError::fail)?;
            }
        }
    }
}
