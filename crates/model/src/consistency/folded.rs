//! The consistency check's text search, without segmenting the whole text
//! into grapheme clusters: `SearchIndex` folds cluster by cluster (NFD,
//! whitespace as a space) and allows matches on cluster edges. Folding the
//! whole text at once gives the same string, because canonical reordering
//! never crosses a cluster edge (every non-starter extends its cluster);
//! so the text is folded char by char here, the places where a cluster may
//! start are noted, and only the edges of actual matches are checked with
//! the grapheme rules. Same results as `SearchIndex::find_all_of`, checked by
//! the property test below.

use crate::search::QuerySet;
use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
use unicode_segmentation::GraphemeCursor;

pub struct Folded<'t> {
    text: &'t str,
    folded: String,
    /// Where a cluster may start: at every starter and at the first of
    /// every run of non-starters, then at the end. A run of ASCII text is
    /// one mark (each of its chars a starter that folds to one byte), so
    /// that most of a Vietnamese text costs no mark per char.
    marks: Vec<Mark>,
}

/// Where a cluster may start, or `ascii` of them in a row.
#[derive(Debug, Clone, Copy)]
struct Mark {
    /// Byte in `folded`.
    folded: u32,
    /// Char in the text.
    char: u32,
    /// Byte in the text.
    byte: u32,
    /// 0 for one place; else the length of an ASCII run starting here.
    ascii: u32,
}

/// ASCII as it folds: whitespace (what `char::is_whitespace` says of
/// ASCII: tab to carriage return, and space) becomes a space.
fn fold_ascii(b: u8) -> u8 {
    if matches!(b, b'\t'..=b'\r' | b' ') {
        b' '
    } else {
        b
    }
}

/// Chars below this have their decomposition in a table: Latin letters
/// with accents (Vietnamese's among them, U+1EA0–U+1EF9), Greek, Cyrillic,
/// general punctuation.
const TABLED: u32 = 0x2000;

/// The canonical decomposition of `c`, each part with its combining class,
/// from a table built once (three lookups per Vietnamese letter otherwise);
/// `None` above the table.
fn decomposition(c: char) -> Option<&'static [(char, u8)]> {
    /// Up to four parts (every char below `TABLED` has at most four) and
    /// how many.
    type Entry = ([(char, u8); 4], u8);
    static TABLE: std::sync::OnceLock<Vec<Entry>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0..TABLED)
            .map(|u| {
                let mut e: Entry = ([('\0', 0); 4], 0);
                if let Some(c) = char::from_u32(u) {
                    decompose_canonical(c, |d| {
                        let n = usize::from(e.1);
                        assert!(n < 4, "U+{u:04X} decomposes into more than 4 chars");
                        e.0[n] = (d, canonical_combining_class(d));
                        e.1 += 1;
                    });
                }
                e
            })
            .collect()
    });
    let e = table.get(c as usize)?;
    Some(&e.0[..usize::from(e.1)])
}

impl<'t> Folded<'t> {
    pub fn new(text: &'t str) -> Folded<'t> {
        let mut folded: Vec<u8> = Vec::with_capacity(text.len() + text.len() / 4);
        let mut marks = Vec::new();
        // Non-starters waiting for canonical order: (class, char).
        let mut run: Vec<(u8, char)> = Vec::new();
        let flush = |run: &mut Vec<(u8, char)>, folded: &mut Vec<u8>| {
            run.sort_by_key(|&(cc, _)| cc); // stable: equal classes keep order
            for (_, c) in run.drain(..) {
                folded.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
        };
        let push = |folded: &mut Vec<u8>, c: char| {
            let c = if c.is_whitespace() { ' ' } else { c };
            folded.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        };
        let mut parts: Vec<(char, u8)> = Vec::with_capacity(4);
        let bytes = text.as_bytes();
        let (mut i, mut chars) = (0usize, 0u32);
        while i < bytes.len() {
            if bytes[i].is_ascii() {
                // Most of a Vietnamese text is ASCII, which decomposes to
                // itself with combining class 0: copied as it is, one mark.
                flush(&mut run, &mut folded);
                let from = i;
                while i < bytes.len() && bytes[i].is_ascii() {
                    i += 1;
                }
                marks.push(Mark {
                    folded: folded.len() as u32,
                    char: chars,
                    byte: from as u32,
                    ascii: (i - from) as u32,
                });
                folded.extend(bytes[from..i].iter().map(|&b| fold_ascii(b)));
                chars += (i - from) as u32;
                continue;
            }
            let c = text[i..].chars().next().expect("a char starts here");
            let mark = Mark {
                folded: 0,
                char: chars,
                byte: i as u32,
                ascii: 0,
            };
            parts.clear();
            match decomposition(c) {
                Some(d) => parts.extend_from_slice(d),
                None => decompose_canonical(c, |d| parts.push((d, canonical_combining_class(d)))),
            }
            for (k, &(d, cc)) in parts.iter().enumerate() {
                if cc == 0 {
                    flush(&mut run, &mut folded);
                    if k == 0 {
                        marks.push(Mark {
                            folded: folded.len() as u32,
                            ..mark
                        });
                    }
                    push(&mut folded, d);
                } else {
                    if k == 0 && run.is_empty() {
                        marks.push(Mark {
                            folded: folded.len() as u32,
                            ..mark
                        });
                    }
                    run.push((cc, d));
                }
            }
            i += c.len_utf8();
            chars += 1;
        }
        flush(&mut run, &mut folded);
        marks.push(Mark {
            folded: folded.len() as u32,
            char: chars,
            byte: text.len() as u32,
            ascii: 0,
        });
        Folded {
            text,
            // SAFETY: `folded` holds ASCII bytes and whole chars' UTF-8
            // encodings, nothing else.
            folded: unsafe { String::from_utf8_unchecked(folded) },
            marks,
        }
    }

    /// The text's char offset at folded byte `b`, when a cluster starts
    /// there (or the text ends there).
    fn cluster_at(&self, b: usize) -> Option<u32> {
        let b = b as u32;
        let i = self
            .marks
            .partition_point(|m| m.folded <= b)
            .checked_sub(1)?;
        let m = self.marks[i];
        let d = b - m.folded;
        if d > 0 && d >= m.ascii {
            return None;
        }
        let mut cur = GraphemeCursor::new((m.byte + d) as usize, self.text.len(), true);
        cur.is_boundary(self.text, 0)
            .unwrap_or(false)
            .then_some(m.char + d)
    }

    /// What `SearchIndex::find_all_of` gives (case-sensitive).
    pub fn find_all_of(&self, set: &QuerySet) -> Vec<Vec<(usize, usize)>> {
        set.find_in(&self.folded, |b| self.cluster_at(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchIndex;
    use crate::text::Text;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "a", "e", "ê", "ệ", "ễ", "Đ", "H", "à", "N", "ộ", "i", " ", "\u{a0}", "\n", "\r\n", "\t",
        "\u{301}", "\u{302}", "\u{323}", "\u{300}", "\u{303}", "😀", "🇻", "🇳", "\u{200d}", "x",
        "\u{2000}", "Å", "\u{212b}", "가", "\u{1100}", "\u{1161}", "\u{0}",
    ];

    fn piece() -> impl Strategy<Value = String> {
        prop::sample::select(PIECES).prop_map(String::from)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn finds_what_the_search_index_finds(
            text in prop::collection::vec(piece(), 0..40),
            queries in prop::collection::vec(prop::collection::vec(piece(), 1..5), 1..6),
            cuts in prop::collection::vec((0usize..40, 1usize..6), 0..4),
        ) {
            let text: String = text.concat();
            let mut qs: Vec<String> = queries.iter().map(|q| q.concat()).collect();
            // Pieces of the text itself, so that most queries are found.
            let chars: Vec<char> = text.chars().collect();
            for (s, n) in cuts {
                if s < chars.len() {
                    qs.push(chars[s..(s + n).min(chars.len())].iter().collect());
                }
            }
            let set = QuerySet::new(&qs, false);
            let want = SearchIndex::new(&Text::new(text.clone()), false).find_all_of(&set);
            let got = Folded::new(&text).find_all_of(&set);
            prop_assert_eq!(got, want, "text {:?} queries {:?}", text, qs);
        }
    }
}
