//! The consistency check's text search, without segmenting the whole text
//! into grapheme clusters: `SearchIndex` folds cluster by cluster (NFD,
//! whitespace as a space) and allows matches on cluster edges. Folding the
//! whole text at once gives the same string, because canonical reordering
//! never crosses a cluster edge (every non-starter extends its cluster);
//! so the text is folded char by char here, the places where a cluster may
//! start are noted, and only the edges of actual matches are checked with
//! the grapheme rules. Same results as `SearchIndex::find_all_of`, checked by
//! the property test below.

use crate::core::search::QuerySet;
use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
use unicode_segmentation::GraphemeCursor;

pub struct Folded<'t> {
    text: &'t str,
    folded: String,
    /// (byte in `folded`, char in the text, byte in the text) of every
    /// starter and of the first of every run of non-starters (where a
    /// cluster may start), then of the end.
    marks: Vec<(u32, u32, u32)>,
}

impl<'t> Folded<'t> {
    pub fn new(text: &'t str) -> Folded<'t> {
        let mut folded = String::with_capacity(text.len() + text.len() / 4);
        let mut marks = Vec::with_capacity(text.len());
        // Non-starters waiting for canonical order: (class, char).
        let mut run: Vec<(u8, char)> = Vec::new();
        let flush = |run: &mut Vec<(u8, char)>, folded: &mut String| {
            run.sort_by_key(|&(cc, _)| cc); // stable: equal classes keep order
            folded.extend(run.drain(..).map(|(_, c)| c));
        };
        let mut parts: Vec<char> = Vec::with_capacity(4);
        let mut chars = 0u32;
        for (byte, c) in text.char_indices() {
            // Most of a Vietnamese text is ASCII, which decomposes to
            // itself with combining class 0: no table lookups.
            if c.is_ascii() {
                if !run.is_empty() {
                    flush(&mut run, &mut folded);
                }
                marks.push((folded.len() as u32, chars, byte as u32));
                folded.push(if c.is_whitespace() { ' ' } else { c });
                chars += 1;
                continue;
            }
            parts.clear();
            decompose_canonical(c, |d| parts.push(d));
            for (k, &d) in parts.iter().enumerate() {
                let cc = canonical_combining_class(d);
                if cc == 0 {
                    flush(&mut run, &mut folded);
                    if k == 0 {
                        marks.push((folded.len() as u32, chars, byte as u32));
                    }
                    folded.push(if d.is_whitespace() { ' ' } else { d });
                } else {
                    if k == 0 && run.is_empty() {
                        marks.push((folded.len() as u32, chars, byte as u32));
                    }
                    run.push((cc, d));
                }
            }
            chars += 1;
        }
        flush(&mut run, &mut folded);
        marks.push((folded.len() as u32, chars, text.len() as u32));
        Folded {
            text,
            folded,
            marks,
        }
    }

    /// The text's char offset at folded byte `b`, when a cluster starts
    /// there (or the text ends there).
    fn cluster_at(&self, b: usize) -> Option<u32> {
        let i = self
            .marks
            .binary_search_by_key(&(b as u32), |&(f, _, _)| f)
            .ok()?;
        let (_, ch, byte) = self.marks[i];
        let mut cur = GraphemeCursor::new(byte as usize, self.text.len(), true);
        cur.is_boundary(self.text, 0).unwrap_or(false).then_some(ch)
    }

    /// What `SearchIndex::find_all_of` gives (case-sensitive).
    pub fn find_all_of(&self, set: &QuerySet) -> Vec<Vec<(usize, usize)>> {
        set.find_in(&self.folded, |b| self.cluster_at(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::SearchIndex;
    use crate::core::text::Text;
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
