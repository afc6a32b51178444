//! Flat, token-level views of a document for the token formats (conll, hf):
//! which spans a flat tag sequence can hold (and why the others cannot),
//! sentence splitting that never cuts a span, and tagging in IOB2, IOB1 and
//! BIOES.

use super::quote;
use nhan_model::document::Document;
use nhan_model::span::{Span, Sym};
use nhan_model::utf8::{self, HIGH};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// How entity tags are written in the token formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scheme {
    /// `B-` on every entity's first token, `I-` inside (CoNLL-2003 as most tools read it).
    #[default]
    Iob2,
    /// `I-` everywhere, `B-` only on an entity that directly follows one of the same label.
    Iob1,
    /// `B-` begin, `I-` inside, `E-` end, `S-` single-token entity.
    Bioes,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Iob2 => "iob2",
            Scheme::Iob1 => "iob1",
            Scheme::Bioes => "bioes",
        }
    }

    /// The tag names in index order: `O`, then for each label its prefixes.
    pub fn tag_names(self, labels: &[String]) -> Vec<String> {
        let prefixes: &[&str] = match self {
            Scheme::Iob2 | Scheme::Iob1 => &["B", "I"],
            Scheme::Bioes => &["B", "I", "E", "S"],
        };
        let mut v = vec!["O".to_string()];
        for l in labels {
            v.extend(prefixes.iter().map(|p| format!("{p}-{l}")));
        }
        v
    }
}

/// A span a flat format keeps: whole tokens `tokens` of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatSpan {
    pub tokens: Range<usize>,
    pub label: Sym,
}

/// Why a flat format cannot hold a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LossReason {
    /// An edge falls inside this token (the format tags whole tokens).
    InsideToken { token: String },
    /// An edge falls in whitespace, or the span holds no token at all.
    OutsideTokens,
    /// The span overlaps one that is kept (`nested`: it lies inside it).
    Overlaps {
        nested: bool,
        start: usize,
        end: usize,
        label: String,
        text: String,
    },
}

/// A span that a flat format leaves out, with where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    pub article: String,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub text: String,
    pub reason: LossReason,
}

impl LossReason {
    /// A short name of the reason, for counts.
    pub fn kind(&self) -> &'static str {
        match self {
            LossReason::InsideToken { .. } => "edge_inside_token",
            LossReason::OutsideTokens => "edge_in_whitespace",
            LossReason::Overlaps { nested: true, .. } => "nested",
            LossReason::Overlaps { nested: false, .. } => "crossing",
        }
    }
}

impl fmt::Display for LossReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LossReason::InsideToken { token } => {
                write!(
                    f,
                    "an edge falls inside the token {}; the format tags whole tokens",
                    quote(token)
                )
            }
            LossReason::OutsideTokens => {
                f.write_str("an edge falls in whitespace; the format tags whole tokens")
            }
            LossReason::Overlaps {
                nested,
                start,
                end,
                label,
                text,
            } => write!(
                f,
                "{} {label} [{start}, {end}) {}, which is kept; the format holds one tag per token",
                if *nested { "nested in" } else { "crosses" },
                quote(text)
            ),
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "articles/{} [{}, {}) {} {}: {}",
            self.article,
            self.start,
            self.end,
            self.label,
            quote(&self.text),
            self.reason
        )
    }
}

/// Splits `spans` (any order) into those a flat, whole-token format keeps
/// and those it loses. Edges are checked first, so a misaligned outer span
/// does not push out a well-formed inner one; among overlapping spans the
/// one starting first (the longer on a tie, i.e. the outer) is kept.
pub fn flatten<S: Borrow<Span>>(doc: &Document, spans: &[S]) -> (Vec<FlatSpan>, Vec<Loss>) {
    let mut order: Vec<&Span> = spans.iter().map(Borrow::borrow).collect();
    order.sort_by(|a, b| {
        (a.start, std::cmp::Reverse(a.end), &a.label).cmp(&(
            b.start,
            std::cmp::Reverse(b.end),
            &b.label,
        ))
    });
    // Char ranges in a vector: the searches below look at tokens all over
    // the article, and one walk over the token bits is cheaper than a
    // rank query per probe.
    let tokens: Vec<(usize, usize)> = doc.tokens().iter().map(|t| (t.start, t.end)).collect();
    let tokens = &tokens[..];
    let mut kept: Vec<FlatSpan> = Vec::new();
    let mut kept_spans: Vec<&Span> = Vec::new();
    let mut lost = Vec::new();
    let mut from = 0;
    for s in order {
        let loss = |reason| Loss {
            article: doc.file_name().to_string(),
            start: s.start,
            end: s.end,
            label: s.label.to_string(),
            text: s.text.to_string(),
            reason,
        };
        if s.start >= s.end {
            lost.push(loss(LossReason::OutsideTokens));
            continue;
        }
        // Starts never decrease, so neither does the first token's index:
        // galloping from the last one touches a few nearby tokens, where a
        // binary search over the whole article missed the cache at each step.
        from = first_ending_after(tokens, from, s.start);
        let last = first_ending_after(tokens, from, s.end - 1);
        let holds = |i: usize, c: usize| i < tokens.len() && tokens[i].0 <= c;
        let (first, last) = if holds(from, s.start) && holds(last, s.end - 1) {
            (from, last)
        } else {
            lost.push(loss(LossReason::OutsideTokens));
            continue;
        };
        let (ra, rb) = (tokens[first], tokens[last]);
        if ra.0 != s.start || rb.1 != s.end {
            let r = if ra.0 != s.start { ra } else { rb };
            lost.push(loss(LossReason::InsideToken {
                token: doc.text().slice(r.0, r.1).to_string(),
            }));
            continue;
        }
        if let Some(prev) = kept_spans.last()
            && s.start < prev.end
        {
            lost.push(loss(LossReason::Overlaps {
                nested: s.end <= prev.end,
                start: prev.start,
                end: prev.end,
                label: prev.label.to_string(),
                text: prev.text.to_string(),
            }));
            continue;
        }
        kept.push(FlatSpan {
            tokens: first..last + 1,
            label: s.label,
        });
        kept_spans.push(s);
    }
    lost.sort_by(|a, b| (a.start, a.end, &a.label).cmp(&(b.start, b.end, &b.label)));
    (kept, lost)
}

/// The first token at or after `from` that ends after char `c` (the
/// token holding `c`, or the next one), or the number of tokens. Every
/// token before `from` must end at or before `c`.
fn first_ending_after(tokens: &[(usize, usize)], from: usize, c: usize) -> usize {
    let n = tokens.len();
    let (mut lo, mut hi) = (from, n);
    let (mut probe, mut step) = (from, 1);
    while probe < n {
        if tokens[probe].1 > c {
            hi = probe;
            break;
        }
        lo = probe + 1;
        probe += step;
        step *= 2;
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if tokens[mid].1 <= c {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Sentences as token-index ranges: a new sentence starts where the text
/// has a line break or a UAX #29 sentence boundary between two tokens,
/// unless a kept span covers both tokens. Empty sentences are skipped.
pub fn sentences(doc: &Document, flat: &[FlatSpan]) -> Vec<Range<usize>> {
    sentences_of(doc, flat, &token_bytes(doc))
}

/// The byte range of every token of `doc`, in token order. Sentence
/// splitting and the CoNLL writer both need them; computed once, they are
/// shared instead of walking the text twice.
pub(crate) fn token_bytes(doc: &Document) -> Vec<(u32, u32)> {
    // Not segmented yet: segment now, byte ranges on the same pass.
    if doc.tokens_if_ready().is_none() {
        let (tokens, bytes) = nhan_model::tokens::Tokens::new_with_bytes(doc.text());
        if doc.provide_tokens(tokens) {
            return bytes;
        }
    }
    let bytes = doc.text().as_str().as_bytes();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(doc.tokens().len());
    // Token edges (start, end, start, ...) never decrease: one walk over the
    // text, 8 bytes a step, counting char starts; each edge that falls in
    // the step is picked by table. Nothing waits on the previous edge's
    // answer, so the walk runs at the speed of sequential loads.
    let mut edges = doc.tokens().iter().flat_map(|t| [t.start, t.end]);
    let mut start: Option<u32> = None;
    // Texts are at most 4 GiB (`Text::new` asserts it).
    let mut emit = |b: usize| match start.take() {
        None => start = Some(b as u32),
        Some(s) => out.push((s, b as u32)),
    };
    let mut next = edges.next();
    // `c` chars start before byte `b`.
    let (mut c, mut b) = (0usize, 0usize);
    while let Some(mut e) = next
        && b + 8 <= bytes.len()
    {
        let w = u64::from_le_bytes(bytes[b..b + 8].try_into().expect("8 bytes"));
        let starts = utf8::char_starts(w);
        // Bit k of `m`: byte k starts a char (bit 8k + 7 gathered to bit 56 + k).
        let m = ((starts >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as usize;
        // One popcnt instruction (.cargo/config.toml builds for x86-64-v2).
        let k = m.count_ones() as usize;
        while e < c + k {
            emit(b + usize::from(NTH_BIT[m][e - c]));
            next = edges.next();
            match next {
                Some(x) => e = x,
                None => break,
            }
        }
        c += k;
        b += 8;
    }
    // The last few bytes, one at a time; edges at the very end get its length.
    while let Some(e) = next {
        while b < bytes.len() {
            if utf8::is_char_start(bytes[b]) {
                if c == e {
                    break;
                }
                c += 1;
            }
            b += 1;
        }
        emit(b);
        next = edges.next();
    }
    out
}

/// Appends the bytes `range` of `text` (a token's): most tokens are short,
/// and a fixed 16-byte copy, then the length cut back, beats a memcpy call
/// per token.
#[inline]
pub(crate) fn push_token(out: &mut Vec<u8>, text: &[u8], range: (u32, u32)) {
    let (a, b) = (range.0 as usize, range.1 as usize);
    if b - a <= 16 && a + 16 <= text.len() {
        let len = out.len();
        let chunk: &[u8; 16] = text[a..a + 16].try_into().expect("16 bytes");
        out.extend_from_slice(chunk);
        out.truncate(len + b - a);
    } else {
        out.extend_from_slice(&text[a..b]);
    }
}

/// `NTH_BIT[m][n]`: the position of the n-th set bit of the byte `m`.
const NTH_BIT: [[u8; 8]; 256] = {
    let mut t = [[0u8; 8]; 256];
    let mut m = 0;
    while m < 256 {
        let (mut bit, mut k) = (0, 0);
        while bit < 8 {
            if m >> bit & 1 == 1 {
                t[m][k] = bit as u8;
                k += 1;
            }
            bit += 1;
        }
        m += 1;
    }
    t
};

/// Bit 7 of each byte of `w` that equals `c` (exact: no carries between
/// bytes, so a match never marks its neighbour).
#[inline]
fn eq_mask(w: u64, c: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let v = w ^ (u64::from(c) * 0x0101_0101_0101_0101);
    !(((v & LOW7) + LOW7) | v) & HIGH
}

/// [`sentences`] with the tokens' byte ranges (from [`token_bytes`]) given.
pub(crate) fn sentences_of(
    doc: &Document,
    flat: &[FlatSpan],
    tb: &[(u32, u32)],
) -> Vec<Range<usize>> {
    let text = doc.text();
    let n = tb.len();
    if n == 0 {
        return Vec::new();
    }
    let bytes = text.as_str().as_bytes();
    // Byte offsets throughout: char and byte order agree, so comparing bytes
    // gives what comparing chars gives, without char↔byte look-ups.
    let bounds = sentence_starts(text.as_str());
    let mut out = Vec::new();
    let mut start = 0;
    let mut bi = 0;
    // Kept spans are sorted and disjoint: `fi` is the first one not ending
    // before token i, so "a kept span holds tokens i - 1 and i" is one check.
    let mut fi = 0;
    let mut prev_end = tb[0].1 as usize;
    for (i, &(s, e)) in tb.iter().enumerate().skip(1) {
        let cur_start = s as usize;
        while bi < bounds.len() && bounds[bi] < prev_end {
            bi += 1;
        }
        let boundary = bounds.get(bi).is_some_and(|&b| b <= cur_start)
            || bytes[prev_end..cur_start]
                .iter()
                .any(|&b| b == b'\n' || b == b'\r');
        if boundary {
            while fi < flat.len() && flat[fi].tokens.end <= i {
                fi += 1;
            }
            let held = flat
                .get(fi)
                .is_some_and(|f| f.tokens.start < i && i < f.tokens.end);
            if !held {
                out.push(start..i);
                start = i;
            }
        }
        prev_end = e as usize;
    }
    out.push(start..n);
    out
}

/// Sentence-break classes of the characters the fast splitter handles
/// (UAX #29 names); `Slow` is everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sb {
    Upper,
    Lower,
    Numeric,
    ATerm,
    STerm,
    Close,
    Sp,
    SContinue,
    Cr,
    Lf,
    Other,
    Slow,
}

const ASCII_SB: [Sb; 128] = {
    let mut t = [Sb::Other; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b'\t' | 0x0b | 0x0c | b' ' => Sb::Sp,
            b'\n' => Sb::Lf,
            b'\r' => Sb::Cr,
            b'!' | b'?' => Sb::STerm,
            b'.' => Sb::ATerm,
            b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Sb::Close,
            b',' | b'-' | b':' | b';' => Sb::SContinue,
            b'0'..=b'9' => Sb::Numeric,
            b'A'..=b'Z' => Sb::Upper,
            b'a'..=b'z' => Sb::Lower,
            _ => Sb::Other,
        };
        b += 1;
    }
    t
};

/// The class and byte length of the char at byte `i` of `s`.
#[inline]
fn sentence_class(s: &str, i: usize) -> (Sb, usize) {
    let bytes = s.as_bytes();
    let b = bytes[i];
    if b < 0x80 {
        return (ASCII_SB[b as usize], 1);
    }
    let ch = s[i..].chars().next().expect("a char starts here");
    let len = ch.len_utf8();
    let case = |ch: char| {
        if ch.is_uppercase() {
            Sb::Upper
        } else if ch.is_lowercase() {
            Sb::Lower
        } else {
            Sb::Slow
        }
    };
    let k = match ch {
        '\u{a0}' => Sb::Sp,
        '\u{d7}' | '\u{f7}' => Sb::Slow,
        // Latin-1 letters, Latin Extended-A, ơ ư, Latin Extended Additional
        // (Vietnamese): all cased.
        '\u{c0}'..='\u{17f}'
        | '\u{1a0}'
        | '\u{1a1}'
        | '\u{1af}'
        | '\u{1b0}'
        | '\u{1e00}'..='\u{1eff}' => case(ch),
        '\u{2013}' | '\u{2014}' => Sb::SContinue,
        '\u{2018}'..='\u{201f}' => Sb::Close,
        '\u{2026}' => Sb::Other,
        _ => Sb::Slow,
    };
    (k, len)
}

/// Byte offsets where UAX #29 sentences start: the same as
/// `s.split_sentence_bound_indices().map(|(b, _)| b)`. Lines are
/// independent (SB4 breaks after every line feed and no rule looks back
/// across one). A line of ASCII, Latin letters and common punctuation can
/// only break after `.`, `!`, `?` or a lone CR, so only those places are
/// looked at, by the rules such text can meet; any other line goes through
/// the reference.
pub fn sentence_starts(s: &str) -> Vec<usize> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut marks: Vec<usize> = Vec::new();
    let mut ls = 0;
    while ls < bytes.len() {
        marks.clear();
        // One pass to the end of the line: is every char one the fast path
        // knows, and where are the terminators and CRs?
        let mut slow = false;
        let mut le = bytes.len();
        // Where the scan stopped early: a line feed, or a char the fast path
        // does not know (then the line goes to the reference).
        let mut stop = |j: usize| match SB_BYTE[bytes[j] as usize] {
            SKIP => false,
            MARK => {
                marks.push(j);
                false
            }
            LF => {
                le = j + 1;
                true
            }
            lead => {
                let x = bytes[j];
                let ok = match lead {
                    CHECK => SB_NEED[x as usize] & SB_NEXT[bytes[j + 1] as usize] != 0,
                    E2 => {
                        bytes[j + 1] == 0x80
                            && matches!(bytes[j + 2], 0x93 | 0x94 | 0x98..=0x9f | 0xa6)
                    }
                    _ => false,
                };
                if !ok {
                    slow = true;
                    le = bytes[j..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(bytes.len(), |p| j + p + 1);
                }
                !ok
            }
        };
        // Eight bytes at a time, looking only at the bytes that can matter:
        // lead bytes of multi-byte chars, terminators, CRs and line feeds.
        // ASCII letters, spaces and continuation bytes need no look.
        let mut i = ls;
        let mut done = false;
        while !done && i + 8 <= bytes.len() {
            let w = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
            let mut m = (w & (w << 1) & HIGH)
                | eq_mask(w, b'.')
                | eq_mask(w, b'!')
                | eq_mask(w, b'?')
                | eq_mask(w, b'\r')
                | eq_mask(w, b'\n');
            while m != 0 {
                if stop(i + (m.trailing_zeros() / 8) as usize) {
                    done = true;
                    break;
                }
                m &= m - 1;
            }
            i += 8;
        }
        while !done && i < bytes.len() {
            done = stop(i);
            i += 1;
        }
        if slow {
            out.extend(
                s[ls..le]
                    .split_sentence_bound_indices()
                    .map(|(b, _)| ls + b),
            );
        } else {
            out.push(ls);
            for &m in &marks {
                if let Some(b) = break_after(s, ls, le, m) {
                    out.push(b);
                }
            }
        }
        ls = le;
    }
    out
}

// What the line scan of `sentence_starts` does at each byte.
const SKIP: u8 = 0;
const MARK: u8 = 1;
const LF: u8 = 2;
const CHECK: u8 = 3;
const E2: u8 = 4;
const SLOW: u8 = 5;

const SB_BYTE: [u8; 256] = {
    let mut t = [SKIP; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'.' | b'!' | b'?' | b'\r' => MARK,
            b'\n' => LF,
            // Continuation bytes; Latin Extended-A leads (all cased letters).
            0x00..=0xbf | 0xc4 | 0xc5 => SKIP,
            0xc2 | 0xc3 | 0xc6 | 0xe1 => CHECK,
            0xe2 => E2,
            _ => SLOW,
        };
        b += 1;
    }
    t
};

/// For a `CHECK` lead, the flag its second byte must have in [`SB_NEXT`]:
/// NBSP; Latin-1 letters (not × ÷); ơ Ơ ư Ư; Latin Extended Additional.
const SB_NEED: [u8; 256] = {
    let mut t = [0u8; 256];
    t[0xc2] = 1;
    t[0xc3] = 2;
    t[0xc6] = 4;
    t[0xe1] = 8;
    t
};

const SB_NEXT: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let mut f = 0;
        if b == 0xa0 {
            f |= 1;
        }
        if b >= 0x80 && b <= 0xbf && b != 0x97 && b != 0xb7 {
            f |= 2;
        }
        if b == 0xa0 || b == 0xa1 || b == 0xaf || b == 0xb0 {
            f |= 4;
        }
        if b >= 0xb8 && b <= 0xbb {
            f |= 8;
        }
        t[b] = f;
        b += 1;
    }
    t
};

/// The break a terminator or CR at byte `m` of the line `ls..le` makes, if
/// any (SB3–SB11; the line holds only chars with a fast class).
fn break_after(s: &str, ls: usize, le: usize, m: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    if bytes[m] == b'\r' {
        // SB3, SB4: CR LF stays whole; a lone CR ends a paragraph.
        return (m + 1 < le && bytes[m + 1] != b'\n').then_some(m + 1);
    }
    let aterm = bytes[m] == b'.';
    // SB9, SB10: no break inside SATerm Close* Sp*.
    let mut j = m + 1;
    let mut k = sentence_class(s, j.min(le - 1));
    while j < le && k.0 == Sb::Close {
        j += k.1;
        k = if j < le { sentence_class(s, j) } else { k };
    }
    while j < le && k.0 == Sb::Sp {
        j += k.1;
        k = if j < le { sentence_class(s, j) } else { k };
    }
    if j >= le || matches!(k.0, Sb::Cr | Sb::Lf) {
        return None;
    }
    let c = k.0;
    let next_to = j == m + 1;
    let prev = (m > ls).then(|| {
        let mut p = m - 1;
        while !utf8::is_char_start(bytes[p]) {
            p -= 1;
        }
        sentence_class(s, p).0
    });
    let no_break = matches!(c, Sb::SContinue | Sb::ATerm | Sb::STerm) // SB8a
        || (aterm && next_to && c == Sb::Numeric) // SB6
        || (aterm && next_to && c == Sb::Upper && matches!(prev, Some(Sb::Upper | Sb::Lower))) // SB7
        || (aterm && lower_follows(s, j, le)); // SB8
    (!no_break).then_some(j) // SB11
}

/// SB8: after an ATerm, whether a lowercase letter comes before any letter,
/// terminator or paragraph end (from byte `j` of the line ending at `le`).
fn lower_follows(s: &str, mut j: usize, le: usize) -> bool {
    while j < le {
        let (k, len) = sentence_class(s, j);
        match k {
            Sb::Lower => return true,
            Sb::Upper | Sb::ATerm | Sb::STerm | Sb::Cr | Sb::Lf | Sb::Slow => return false,
            _ => j += len,
        }
    }
    false
}

/// The tags of the tokens `sentence` (a range of token indices), given the
/// kept spans of the document (sorted, disjoint, never cut by a sentence).
pub fn tags(sentence: Range<usize>, flat: &[FlatSpan], scheme: Scheme) -> Vec<String> {
    let mut walk = TagWalk::new(&sentence, flat, scheme);
    sentence
        .map(|i| match walk.at(i) {
            None => "O".to_string(),
            Some(t) => format!("{}-{}", t.prefix as char, t.label),
        })
        .collect()
}

/// A token's tag other than `O`: the scheme's letter (`B`, `I`, `E`, `S`)
/// and the label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag<'a> {
    pub prefix: u8,
    pub label: &'a str,
}

/// The tags of a sentence's tokens one by one, as [`tags`] gives them but
/// without a string per token (the flat exports write tens of millions).
pub struct TagWalk<'a> {
    flat: &'a [FlatSpan],
    /// The first kept span that does not end before the sentence.
    lo: usize,
    /// The first kept span that does not end before the last token asked.
    fi: usize,
    end: usize,
    scheme: Scheme,
}

impl<'a> TagWalk<'a> {
    pub fn new(sentence: &Range<usize>, flat: &'a [FlatSpan], scheme: Scheme) -> Self {
        let lo = flat.partition_point(|f| f.tokens.end <= sentence.start);
        TagWalk {
            flat,
            lo,
            fi: lo,
            end: sentence.end,
            scheme,
        }
    }

    /// The tag of token `i` of the sentence; `None` for `O`. Tokens are
    /// asked for in order.
    pub fn at(&mut self, i: usize) -> Option<Tag<'a>> {
        let flat = self.flat;
        while self.fi < flat.len() && flat[self.fi].tokens.end <= i {
            self.fi += 1;
        }
        let f = flat
            .get(self.fi)
            .filter(|f| f.tokens.start <= i && f.tokens.start < self.end)?;
        let first = i == f.tokens.start;
        let prefix = match self.scheme {
            Scheme::Iob2 => {
                if first {
                    b'B'
                } else {
                    b'I'
                }
            }
            Scheme::Iob1 => {
                let prev = (self.fi > self.lo).then(|| &flat[self.fi - 1]);
                let follows_same =
                    prev.is_some_and(|p| p.tokens.end == f.tokens.start && p.label == f.label);
                if first && follows_same { b'B' } else { b'I' }
            }
            Scheme::Bioes => match (first, i + 1 == f.tokens.end) {
                (true, true) => b'S',
                (true, false) => b'B',
                (false, true) => b'E',
                (false, false) => b'I',
            },
        };
        Some(Tag {
            prefix,
            label: f.label.as_str(),
        })
    }
}

/// Entities read from tags: token ranges and labels.
pub type Entities = Vec<(Range<usize>, String)>;

/// Reads a tag sequence back into entities (token ranges and labels).
/// Without `E-`/`S-` tags the sequence is read as IOB the way conlleval does
/// (which covers IOB1 and IOB2); with them, as strict BIOES. An error gives
/// the index of the first bad tag and what is wrong with it.
pub fn decode(tags: &[&str]) -> Result<Entities, (usize, String)> {
    let parsed: Vec<(char, &str)> = tags
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if *t == "O" {
                return Ok(('O', ""));
            }
            match t.split_once('-') {
                Some((p, l)) if matches!(p, "B" | "I" | "E" | "S") && !l.is_empty() => {
                    Ok((p.chars().next().unwrap_or('O'), l))
                }
                _ => Err((
                    i,
                    format!("{} is not a tag (O, or B-/I-/E-/S- and a label)", quote(t)),
                )),
            }
        })
        .collect::<Result<_, _>>()?;
    let bioes = parsed.iter().any(|(p, _)| matches!(p, 'E' | 'S'));
    let mut out: Vec<(Range<usize>, String)> = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, &(p, l)) in parsed.iter().enumerate() {
        if bioes {
            match (p, open) {
                ('O', None) => {}
                ('S', None) => out.push((i..i + 1, l.into())),
                ('B', None) => open = Some((i, l)),
                ('I', Some((_, ol))) if ol == l => {}
                ('E', Some((s, ol))) if ol == l => {
                    out.push((s..i + 1, l.into()));
                    open = None;
                }
                (_, Some((_, ol))) => {
                    return Err((
                        i,
                        format!(
                            "{} after an unfinished {ol} entity (BIOES needs E-{ol})",
                            tags[i]
                        ),
                    ));
                }
                (_, None) => return Err((i, format!("{} does not follow B-{l} (BIOES)", tags[i]))),
            }
        } else {
            let continues = p == 'I' && open.is_some_and(|(_, ol)| ol == l);
            if !continues {
                if let Some((s, ol)) = open.take() {
                    out.push((s..i, ol.into()));
                }
                if p != 'O' {
                    open = Some((i, l));
                }
            }
        }
    }
    if let Some((s, l)) = open {
        if bioes {
            return Err((
                tags.len() - 1,
                format!("the {l} entity is not finished with E-{l} (BIOES)"),
            ));
        }
        out.push((s..tags.len(), l.into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nhan_model::markup;
    use nhan_model::text::Text;

    pub fn doc(src: &str) -> (Document, Vec<Span>) {
        let m = markup::parse(src).unwrap();
        let mut d = Document::new("t.txt", Text::new(m.text), "");
        let spans = m
            .spans
            .iter()
            .map(|(s, e, l)| d.make_span(*s, *e, l, None))
            .collect();
        (d, spans)
    }

    #[test]
    fn adjacent_same_label_spans_differ_between_iob1_and_iob2() {
        let src = "ở [Việt Nam]{LOC} [Lào]{LOC}";
        let (d, spans) = doc(src);
        let (flat, lost) = flatten(&d, &spans);
        assert!(lost.is_empty());
        let s = sentences(&d, &flat);
        assert_eq!((s.len(), s[0].clone()), (1, 0..4));
        assert_eq!(
            tags(0..4, &flat, Scheme::Iob2),
            ["O", "B-LOC", "I-LOC", "B-LOC"]
        );
        assert_eq!(
            tags(0..4, &flat, Scheme::Iob1),
            ["O", "I-LOC", "I-LOC", "B-LOC"]
        );
        assert_eq!(
            tags(0..4, &flat, Scheme::Bioes),
            ["O", "B-LOC", "E-LOC", "S-LOC"]
        );
    }

    #[test]
    fn nested_keeps_outer_and_misaligned_is_lost() {
        let (d, spans) = doc("[Ủy ban [Hà Nội]{LOC}]{ORG} và TP.[HCM]{LOC}");
        let (flat, lost) = flatten(&d, &spans);
        assert_eq!(flat.len(), 1);
        assert_eq!(flat[0].label, "ORG");
        assert_eq!(lost.len(), 2);
        assert!(matches!(
            lost[0].reason,
            LossReason::Overlaps { nested: true, .. }
        ));
        assert_eq!(
            lost[1].reason,
            LossReason::InsideToken {
                token: "TP.HCM".into()
            }
        );
    }

    #[test]
    fn sentences_break_at_ends_and_lines_but_never_inside_a_span() {
        let (d, spans) = doc("Đoàn đến [St. Petersburg]{LOC}. Hôm qua mưa.\nMai nắng");
        let (flat, _) = flatten(&d, &spans);
        let s = sentences(&d, &flat);
        // Đoàn đến St . Petersburg . | Hôm qua mưa . | Mai nắng
        assert_eq!(s, [0..6, 6..10, 10..12]);
        let (d, _) = doc("Đoàn đến St. Petersburg. Hôm qua");
        assert_eq!(sentences(&d, &[]), [0..4, 4..6, 6..8]);
    }

    #[test]
    fn decode_reads_every_scheme_back() {
        let e = |v: &[&str]| decode(v).unwrap();
        assert_eq!(
            e(&["I-LOC", "I-LOC", "B-LOC"]),
            [(0..2, "LOC".into()), (2..3, "LOC".into())]
        );
        assert_eq!(
            e(&["B-LOC", "I-LOC", "B-LOC"]),
            [(0..2, "LOC".into()), (2..3, "LOC".into())]
        );
        assert_eq!(
            e(&["B-LOC", "E-LOC", "S-LOC", "O"]),
            [(0..2, "LOC".into()), (2..3, "LOC".into())]
        );
        assert!(decode(&["B-LOC", "O", "E-LOC"]).is_err());
        assert_eq!(decode(&["X-LOC"]).unwrap_err().0, 0);
    }

    fn reference_starts(s: &str) -> Vec<usize> {
        s.split_sentence_bound_indices().map(|(b, _)| b).collect()
    }

    /// The implementation before the fast path, by char offsets.
    fn sentences_reference(doc: &Document, flat: &[FlatSpan]) -> Vec<Range<usize>> {
        let text = doc.text();
        let tokens = doc.tokens();
        let n = tokens.len();
        if n == 0 {
            return Vec::new();
        }
        let bounds: Vec<usize> = text
            .as_str()
            .split_sentence_bound_indices()
            .map(|(b, _)| text.char_of_byte(b))
            .collect();
        let mut no_break = vec![false; n];
        for f in flat {
            for nb in &mut no_break[f.tokens.start + 1..f.tokens.end] {
                *nb = true;
            }
        }
        let mut out = Vec::new();
        let mut start = 0;
        let mut bi = 0;
        for (i, &held) in no_break.iter().enumerate().skip(1) {
            let (prev_end, cur_start) = (tokens.get(i - 1).end, tokens.get(i).start);
            while bi < bounds.len() && bounds[bi] < prev_end {
                bi += 1;
            }
            let boundary = bounds.get(bi).is_some_and(|&b| b <= cur_start)
                || text.slice(prev_end, cur_start).contains(['\n', '\r']);
            if boundary && !held {
                out.push(start..i);
                start = i;
            }
        }
        out.push(start..n);
        out
    }

    /// Every character the fast splitter classifies, in contexts that show
    /// its class (SB6–SB8a), against the reference.
    #[test]
    fn fast_sentence_classes_agree_with_the_reference_for_every_char() {
        let mut checked = 0;
        for cp in 0u32..0x3000 {
            let Some(ch) = char::from_u32(cp) else {
                continue;
            };
            let enc = ch.to_string();
            if sentence_class(&enc, 0).0 == Sb::Slow {
                continue;
            }
            checked += 1;
            for ctx in [
                "a. {}",
                "a.{}",
                "A.{}",
                "a? {}",
                "a.) {}",
                "{}. b",
                "x {} y. Z",
                "a. {}b",
                "1.{}",
                "a.{}1",
                "Hi. {} there",
                "a. {}\u{301}",
                "{}\r\n. A",
                "{}{}. {}",
            ] {
                let src = ctx.replace("{}", &enc);
                assert_eq!(
                    sentence_starts(&src),
                    reference_starts(&src),
                    "U+{cp:04X} in {src:?}"
                );
            }
        }
        assert!(checked > 400, "{checked}");
        // Every char the line check lets through has a fast class.
        for cp in (0xc0..0x180)
            .chain([0x1a0, 0x1a1, 0x1af, 0x1b0])
            .chain(0x1e00..0x1f00)
        {
            let ch = char::from_u32(cp).unwrap();
            let k = sentence_class(&ch.to_string(), 0).0;
            assert!(k != Sb::Slow || matches!(cp, 0xd7 | 0xf7), "U+{cp:04X}");
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const PIECES: &[&str] = &[
            "a", "b", "Z", "Đ", "đ", "ơ", "Ư", "Nghị", "quyết", "Hà", "Nội", "TP", "St", "0", "34",
            ".", ".", "!", "?", "...", ",", ";", ":", "-", "'", "\"", "(", ")", "[", "]", "“", "”",
            "‘", "’", "–", "—", "…", "#", "/", " ", " ", " ", "  ", "\t", "\u{a0}", "\n", "\r\n",
            "\r", "\n\n", "e.g.", "3.5", "U.S.", "\u{301}", "\u{5d0}", "東京", "。", "😀",
            "\u{2028}", "\u{85}", "\u{ad}", "\u{2024}", "ǅ", "ƻ", "\u{ff0e}", "¿",
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            #[test]
            fn fast_sentence_starts_equal_uax29(
                v in proptest::collection::vec(proptest::sample::select(PIECES), 0..60)
            ) {
                let s = v.concat();
                prop_assert_eq!(sentence_starts(&s), reference_starts(&s));
            }

            #[test]
            fn sentences_equal_the_char_offset_implementation(
                v in proptest::collection::vec(proptest::sample::select(PIECES), 0..60),
                cuts in proptest::collection::vec(any::<u16>(), 0..6),
            ) {
                let s = v.concat();
                let d = Document::new("t.txt", Text::new(s), "");
                // Some kept spans: disjoint token ranges.
                let n = d.tokens().len();
                let mut pts: Vec<usize> = cuts.iter().map(|&c| c as usize % (n + 1)).collect();
                pts.sort();
                pts.dedup();
                let flat: Vec<FlatSpan> = pts
                    .chunks(2)
                    .filter(|p| p.len() == 2 && p[0] < p[1])
                    .map(|p| FlatSpan { tokens: p[0]..p[1], label: Sym::new("X") })
                    .collect();
                prop_assert_eq!(sentences(&d, &flat), sentences_reference(&d, &flat));
            }

            #[test]
            fn flatten_finds_the_tokens_a_binary_search_finds(
                v in proptest::collection::vec(proptest::sample::select(PIECES), 0..60),
                raw in proptest::collection::vec((any::<u16>(), 0usize..12, any::<bool>()), 0..12),
            ) {
                let mut d = Document::new("t.txt", Text::new(v.concat()), "");
                let n = d.text().len_chars() + 1;
                let spans: Vec<Span> = raw
                    .iter()
                    .map(|&(a, len, l)| {
                        let start = a as usize % n;
                        let end = (start + len).min(n - 1);
                        d.make_span(start, end, if l { "A" } else { "B" }, None)
                    })
                    .collect();
                let (kept, lost) = flatten(&d, &spans);
                // What a binary search per edge says: every kept span's
                // edges are token edges; every span lost for its edges has
                // an edge outside a token or inside one.
                for f in &kept {
                    let (a, b) = (d.tokens().get(f.tokens.start), d.tokens().get(f.tokens.end - 1));
                    prop_assert!(spans.iter().any(|s| s.start == a.start && s.end == b.end && *s.label == *f.label));
                }
                for l in &lost {
                    let first = d.tokens().containing(l.start);
                    let last = l.end.checked_sub(1).and_then(|e| d.tokens().containing(e));
                    match &l.reason {
                        LossReason::OutsideTokens => prop_assert!(first.is_none() || last.is_none() || l.start >= l.end),
                        LossReason::InsideToken { .. } => {
                            let (a, b) = (first.unwrap(), last.unwrap());
                            prop_assert!(d.tokens().get(a).start != l.start || d.tokens().get(b).end != l.end);
                        }
                        LossReason::Overlaps { .. } => prop_assert!(first.is_some() && last.is_some()),
                    }
                }
                prop_assert_eq!(kept.len() + lost.len(), spans.len());
            }

            #[test]
            fn token_byte_ranges_slice_what_the_char_offsets_name(
                v in proptest::collection::vec(proptest::sample::select(PIECES), 0..60)
            ) {
                let d = Document::new("t.txt", Text::new(v.concat()), "");
                let want: Vec<(u32, u32)> = d
                    .tokens()
                    .iter()
                    .map(|t| (d.text().byte_of(t.start) as u32, d.text().byte_of(t.end) as u32))
                    .collect();
                prop_assert_eq!(token_bytes(&d), want);
            }
        }
    }
}
