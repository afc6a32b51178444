//! Search that ignores Unicode normalisation (and, optionally, case and
//! accents). Text and query are both folded per grapheme cluster to NFD; a
//! match must start and end on cluster boundaries, so "e" never matches
//! inside "ễ" unless accents are ignored.

use super::text::Text;

mod many;
pub use many::QuerySet;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone)]
pub struct SearchIndex {
    folded: String,
    /// With accents folded: where `folded` has a `d` that was `đ`, so
    /// that a query's `đ` matches only `đ`.
    strokes: Vec<u32>,
    /// Per grapheme: (byte offset in `folded`, char offset in the text),
    /// plus a sentinel for the end.
    clusters: Vec<(u32, u32)>,
    pub case_insensitive: bool,
    pub ignore_accents: bool,
}

/// What a search ignores besides normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    pub case: bool,
    pub accents: bool,
}

impl Fold {
    pub const EXACT: Fold = Fold {
        case: false,
        accents: false,
    };

    /// Smart folding, as people type: case is ignored unless the query has
    /// an upper-case letter, accents unless it has one, so "le hoai trung"
    /// finds "Lê Hoài Trung" and "Lê" finds only "Lê". `đ` is a letter of
    /// its own, not an accent: it leaves the tones folded, and finds only
    /// `đ` (a `d` finds both), so "đoi ngoai dang" finds "đối ngoại Đảng".
    pub fn smart(query: &str) -> Fold {
        let accented = query
            .nfd()
            .any(unicode_normalization::char::is_combining_mark);
        Fold {
            case: !query.chars().any(char::is_uppercase),
            accents: !accented,
        }
    }

    /// In words, for the prompt and messages: "ignoring case and accents".
    pub fn describe(self) -> &'static str {
        match (self.case, self.accents) {
            (true, true) => "ignoring case and accents",
            (true, false) => "ignoring case",
            (false, true) => "ignoring accents",
            (false, false) => "exact",
        }
    }
}

/// `s` folded as `f` says, pushed onto `out`; with accents folded, the
/// byte offsets in `out` of each `đ` made `d` go to `strokes`.
fn fold_into(s: &str, f: Fold, out: &mut String, strokes: &mut Vec<u32>) {
    let folded = fold(s, f.case);
    if !f.accents {
        out.push_str(&folded);
        return;
    }
    for c in folded
        .chars()
        .filter(|&c| !unicode_normalization::char::is_combining_mark(c))
    {
        match c {
            'đ' | 'Đ' => {
                strokes.push(out.len() as u32);
                out.push(if c == 'đ' { 'd' } else { 'D' });
            }
            c => out.push(c),
        }
    }
}

/// NFD, whitespace made a plain space, optionally lower-cased.
pub fn fold(s: &str, case_insensitive: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if c.is_whitespace() {
            out.push(' ');
        } else if case_insensitive {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A loose key for filtering as you type: no accents, no case, `đ` as `d`
/// ("ha noi" finds "Hà Nội" on a keyboard without Vietnamese input).
pub fn fold_loose(s: &str) -> String {
    fold(s, true)
        .chars()
        .filter(|&c| !unicode_normalization::char::is_combining_mark(c))
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

impl SearchIndex {
    pub fn new(text: &Text, case_insensitive: bool) -> Self {
        Self::with_fold(
            text,
            Fold {
                case: case_insensitive,
                accents: false,
            },
        )
    }

    pub fn with_fold(text: &Text, fold: Fold) -> Self {
        let s = text.as_str();
        let mut folded = String::with_capacity(s.len() + s.len() / 8);
        let mut clusters = Vec::with_capacity(s.len() / 2);
        let mut c = 0u32;
        let mut strokes = Vec::new();
        for g in s.graphemes(true) {
            clusters.push((folded.len() as u32, c));
            fold_into(g, fold, &mut folded, &mut strokes);
            c += g.chars().count() as u32;
        }
        clusters.push((folded.len() as u32, c));
        SearchIndex {
            folded,
            strokes,
            clusters,
            case_insensitive: fold.case,
            ignore_accents: fold.accents,
        }
    }

    pub fn fold(&self) -> Fold {
        Fold {
            case: self.case_insensitive,
            accents: self.ignore_accents,
        }
    }

    fn cluster_at(&self, folded_byte: usize) -> Option<u32> {
        self.clusters
            .binary_search_by_key(&(folded_byte as u32), |&(b, _)| b)
            .ok()
            .map(|i| self.clusters[i].1)
    }

    /// Every match of `query`, as char ranges of the text, in order.
    pub fn find_all(&self, query: &str) -> Vec<(usize, usize)> {
        let mut q = String::new();
        let mut q_strokes = Vec::new();
        fold_into(query, self.fold(), &mut q, &mut q_strokes);
        if q.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(p) = self.folded[from..].find(&q) {
            let at = from + p;
            let end = at + q.len();
            let strokes_match = q_strokes
                .iter()
                .all(|&k| self.strokes.binary_search(&(at as u32 + k)).is_ok());
            if let (true, Some(s), Some(e)) =
                (strokes_match, self.cluster_at(at), self.cluster_at(end))
            {
                out.push((s as usize, e as usize));
                from = end;
            } else {
                from = at + self.folded[at..].chars().next().map_or(1, char::len_utf8);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NFC: &str = "Tổng Bí thư Nguyễn Phú Trọng";

    #[test]
    fn nfc_query_finds_nfd_text_and_back() {
        let nfd: String = NFC.nfd().collect();
        let idx = SearchIndex::new(&Text::new(nfd.clone()), false);
        let hits = idx.find_all("Nguyễn Phú Trọng");
        assert_eq!(hits.len(), 1);
        let t = Text::new(nfd);
        assert_eq!(
            t.slice(hits[0].0, hits[0].1).nfc().collect::<String>(),
            "Nguyễn Phú Trọng"
        );

        let idx = SearchIndex::new(&Text::new(NFC), false);
        let q: String = "Trọng".nfd().collect();
        assert_eq!(idx.find_all(&q), [(23, 28)]);
    }

    #[test]
    fn a_base_letter_does_not_match_inside_an_accented_one() {
        let idx = SearchIndex::new(&Text::new("Nguye\u{302}\u{303}n"), false);
        assert!(idx.find_all("Nguye").is_empty());
    }

    #[test]
    fn loose_folding_for_filters() {
        assert_eq!(fold_loose("Ủy ban Đối ngoại"), "uy ban doi ngoai");
        assert_eq!(fold_loose(&"Hà Nội".nfd().collect::<String>()), "ha noi");
    }

    #[test]
    fn smart_folding_ignores_what_the_query_leaves_out() {
        let nfd: String = "Ông Lê Hoài Trung, lê, Đà".nfd().collect();
        for text in [Text::new(nfd.nfc().collect::<String>()), Text::new(nfd)] {
            // The matches, in NFC, whatever form the text is in.
            let find = |q: &str| -> Vec<String> {
                let idx = SearchIndex::with_fold(&text, Fold::smart(q));
                idx.find_all(q)
                    .into_iter()
                    .map(|(s, e)| text.slice(s, e).nfc().collect())
                    .collect()
            };
            assert_eq!(find("le hoai trung"), ["Lê Hoài Trung"]);
            assert_eq!(find("le"), ["Lê", "lê"]);
            // An accent or a capital in the query is matched exactly.
            assert_eq!(find("Lê"), ["Lê"]);
            assert_eq!(find("lê"), ["Lê", "lê"]);
            assert_eq!(find("Le"), ["Lê"]);
            assert!(find("LE").is_empty());
            assert_eq!(find("da"), ["Đà"]);
            // `đ` is a letter: tones still folded, and only `đ` matches it.
            assert_eq!(find("đa"), ["Đà"]);
            assert_eq!(find("đà"), ["Đà"]);
            // A base letter never matches half of a cluster.
            assert_eq!(find("l"), ["L", "l"]);
        }
        assert_eq!(
            Fold::smart("le hoai").describe(),
            "ignoring case and accents"
        );
        assert_eq!(Fold::smart("Lê").describe(), "exact");
    }

    #[test]
    fn d_stroke_is_a_letter_and_the_tones_are_folded() {
        let t = Text::new("đối ngoại Đảng, dang dở, đang");
        let find = |q: &str| {
            SearchIndex::with_fold(&t, Fold::smart(q))
                .find_all(q)
                .into_iter()
                .map(|(s, e)| t.slice(s, e).to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(find("đoi ngoai dang"), ["đối ngoại Đảng"]);
        assert_eq!(find("đang"), ["Đảng", "đang"]);
        assert_eq!(find("dang"), ["Đảng", "dang", "đang"]);
        assert_eq!(Fold::smart("đoi").describe(), "ignoring case and accents");
    }

    #[test]
    fn case_and_nbsp() {
        let t = Text::new("ỦY BAN\u{a0}nhân dân");
        assert!(SearchIndex::new(&t, false).find_all("ủy ban").is_empty());
        assert_eq!(
            SearchIndex::new(&t, true).find_all("ủy ban nhân"),
            [(0, 11)]
        );
    }
}
