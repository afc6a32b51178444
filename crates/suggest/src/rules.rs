//! The span rules, applied to suggestions: edges on grapheme boundaries,
//! no whitespace at either end, never the extent of an existing span, never
//! crossing one when spans may only nest (never overlapping one when they
//! may not overlap at all), a label the schema knows.

use super::{Known, Suggestion};
use nhan_model::schema::Overlap;
use nhan_model::text::Text;
use std::collections::BTreeSet;

/// Existing extents, sorted by start, with the running largest end so that
/// a look-up skips everything that ends before the range.
#[derive(Debug, Clone, Default)]
pub struct Occupied {
    spans: Vec<(usize, usize)>,
    max_end: Vec<usize>,
}

impl Occupied {
    pub fn new(spans: impl IntoIterator<Item = (usize, usize)>) -> Occupied {
        let mut spans: Vec<(usize, usize)> = spans.into_iter().collect();
        spans.sort_unstable();
        spans.dedup();
        let mut m = 0;
        let max_end = spans
            .iter()
            .map(|&(_, e)| {
                m = m.max(e);
                m
            })
            .collect();
        Occupied { spans, max_end }
    }

    pub fn from_known(known: &[Known]) -> Occupied {
        Occupied::new(known.iter().map(|k| (k.start, k.end)))
    }

    /// Extents overlapping `[a, b)`.
    pub fn overlapping(&self, a: usize, b: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let upto = self.spans.partition_point(|&(s, _)| s < b);
        (0..upto)
            .rev()
            .take_while(move |&i| self.max_end[i] > a)
            .map(|i| self.spans[i])
            .filter(move |&(s, e)| s < b && a < e)
    }

    /// Whether a new extent `[a, b)` is allowed next to these.
    pub fn allows(&self, a: usize, b: usize, overlap: Overlap) -> bool {
        self.overlapping(a, b).all(|(s, e)| {
            let same = s == a && e == b;
            let nested = (s <= a && b <= e) || (a <= s && e <= b);
            !same
                && match overlap {
                    Overlap::None => false,
                    Overlap::Nested => nested,
                    Overlap::Any => true,
                }
        })
    }
}

/// `s` moved onto grapheme boundaries (outwards) and trimmed of whitespace;
/// `None` if nothing is left or it breaks a rule.
pub fn fit(
    text: &Text,
    occupied: &Occupied,
    overlap: Overlap,
    labels: &[String],
    mut s: Suggestion,
) -> Option<Suggestion> {
    if !labels.iter().any(|l| s.label == *l) {
        return None;
    }
    let len = text.len_chars();
    s.end = s.end.min(len);
    if s.start >= s.end {
        return None;
    }
    if !text.is_grapheme_boundary(s.start) {
        s.start = text.floor_grapheme(s.start);
    }
    if !text.is_grapheme_boundary(s.end) {
        s.end = text.next_grapheme(text.floor_grapheme(s.end));
    }
    let piece = text.slice(s.start, s.end);
    let lead = piece.chars().take_while(|c| c.is_whitespace()).count();
    let trail = piece
        .chars()
        .rev()
        .take_while(|c| c.is_whitespace())
        .count();
    if lead + trail >= s.end - s.start {
        return None;
    }
    s.start += lead;
    s.end -= trail;
    if !s.score.is_finite() {
        return None;
    }
    s.score = s.score.clamp(0.0, 1.0);
    occupied.allows(s.start, s.end, overlap).then_some(s)
}

/// Every suggestion fitted, then one list in `(start, end, label)` order
/// with no two alike. Earlier suggestions win ties of extent: a later one
/// that has the extent of, or crosses (for `nested`) or overlaps (for
/// `none`), one already kept is dropped, so the caller's order settles
/// clashes (the suggester puts the likelier calibrated suggestions first,
/// then command recommenders as `nhan.toml` lists them).
pub fn fit_all(
    text: &Text,
    existing: &[Known],
    overlap: Overlap,
    labels: &[String],
    proposals: impl IntoIterator<Item = Suggestion>,
) -> Vec<Suggestion> {
    let occupied = Occupied::from_known(existing);
    let mut kept: Vec<Suggestion> = Vec::new();
    // Kept extents by start and by end: a clash is looked for among the
    // extents that start or end inside the new one, never a scan of all.
    let mut by_start: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut by_end: BTreeSet<(usize, usize)> = BTreeSet::new();
    for s in proposals {
        let Some(s) = fit(text, &occupied, overlap, labels, s) else {
            continue;
        };
        let (a, b) = (s.start, s.end);
        let clash = by_start.contains(&(a, b))
            || match overlap {
                // Kept extents are disjoint: only the last one starting
                // before `b` can reach into `[a, b)`.
                Overlap::None => by_start
                    .range(..(b, 0))
                    .next_back()
                    .is_some_and(|&(_, d)| d > a),
                // Kept extents never cross: one crossing `[a, b)` starts
                // inside it and ends after, or ends inside it and starts before.
                Overlap::Nested => {
                    by_start.range((a + 1, 0)..(b, 0)).any(|&(_, d)| d > b)
                        || by_end.range((a + 1, 0)..(b, 0)).any(|&(_, c)| c < a)
                }
                Overlap::Any => false,
            };
        if clash {
            continue;
        }
        by_start.insert((a, b));
        by_end.insert((b, a));
        kept.push(s);
    }
    kept.sort_by(|a, b| a.key().cmp(&b.key()));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    fn sug(start: usize, end: usize, label: &str) -> Suggestion {
        Suggestion {
            start,
            end,
            label: label.into(),
            score: 0.5,
            source: "test".into(),
        }
    }

    fn labels() -> Vec<String> {
        vec!["PER".into(), "ORG".into()]
    }

    #[test]
    fn trims_whitespace_and_widens_to_graphemes() {
        // "e" + circumflex + tilde is one grapheme: an edge inside it moves out.
        let t = Text::new(" Nguye\u{302}\u{303}n ");
        let s = fit(
            &t,
            &Occupied::default(),
            Overlap::Nested,
            &labels(),
            sug(0, 6, "PER"),
        );
        assert_eq!(s.map(|s| (s.start, s.end)), Some((1, 8)));
        assert!(
            fit(
                &t,
                &Occupied::default(),
                Overlap::Nested,
                &labels(),
                sug(0, 1, "PER")
            )
            .is_none()
        );
    }

    #[test]
    fn never_the_extent_of_a_span_never_crossing_one() {
        let t = Text::new("Ban Đối ngoại Trung ương");
        let occ = Occupied::new([(4, 13)]);
        let ok = |a, b, o| fit(&t, &occ, o, &labels(), sug(a, b, "ORG")).is_some();
        assert!(!ok(4, 13, Overlap::Any), "same extent");
        assert!(ok(0, 24, Overlap::Nested), "around it");
        assert!(ok(4, 7, Overlap::Nested), "inside it");
        assert!(!ok(8, 19, Overlap::Nested), "crossing");
        assert!(ok(8, 19, Overlap::Any));
        assert!(!ok(0, 24, Overlap::None));
        assert!(
            fit(&t, &occ, Overlap::Nested, &labels(), sug(0, 3, "LOC")).is_none(),
            "unknown label"
        );
    }

    #[test]
    fn fit_all_sorts_and_lets_the_first_of_two_clashing_win() {
        let t = Text::new("Ban Đối ngoại Trung ương");
        let out = fit_all(
            &t,
            &[],
            Overlap::Nested,
            &labels(),
            [
                sug(14, 24, "ORG"),
                sug(8, 19, "ORG"),
                sug(0, 3, "PER"),
                sug(14, 24, "PER"),
            ],
        );
        let got: Vec<_> = out
            .iter()
            .map(|s| (s.start, s.end, s.label.as_str()))
            .collect();
        assert_eq!(got, [(0, 3, "PER"), (14, 24, "ORG")]);
    }

    proptest! {
        /// Whatever the offsets, a fitted suggestion sits on grapheme
        /// boundaries, has no edge whitespace, and the same raw offsets give
        /// the same words in NFC and NFD text.
        #[test]
        fn fitted_suggestions_keep_the_rules(
            words in proptest::collection::vec("[A-Za-zễọờĐđ]{1,5}", 1..6),
            a in 0usize..40, len in 0usize..40,
            spans in proptest::collection::vec((0usize..40, 1usize..10), 0..4),
        ) {
            let nfc = words.join(" ");
            let nfd: String = nfc.nfd().collect();
            for s in [nfc.clone(), nfd] {
                let t = Text::new(s);
                let occ = Occupied::new(spans.iter().map(|&(x, l)| (x, x + l)));
                let Some(f) = fit(&t, &occ, Overlap::Nested, &labels(), sug(a, a + len, "PER")) else { continue };
                prop_assert!(f.start < f.end && f.end <= t.len_chars());
                prop_assert!(t.is_grapheme_boundary(f.start) && t.is_grapheme_boundary(f.end));
                let piece = t.slice(f.start, f.end);
                prop_assert!(!piece.starts_with(char::is_whitespace) && !piece.ends_with(char::is_whitespace));
                for &(x, l) in &spans {
                    let (c, d) = (x, x + l);
                    prop_assert!((c, d) != (f.start, f.end));
                    let overlap = f.start < d && c < f.end;
                    let nested = (c <= f.start && f.end <= d) || (f.start <= c && d <= f.end);
                    prop_assert!(!overlap || nested);
                }
            }
        }
    }

    proptest! {
        /// The indexed clash test keeps exactly what comparing each new
        /// suggestion with every kept one would.
        #[test]
        fn fit_all_equals_pairwise_checking(
            cands in proptest::collection::vec((0usize..30, 1usize..8), 0..40),
            overlap in proptest::sample::select(vec![Overlap::None, Overlap::Nested, Overlap::Any]),
        ) {
            let t = Text::new("x".repeat(40));
            let props: Vec<Suggestion> = cands.iter().map(|&(a, l)| sug(a, a + l, "PER")).collect();
            let got = fit_all(&t, &[], overlap, &labels(), props.clone());
            let mut want: Vec<Suggestion> = Vec::new();
            for s in props {
                let clash = want.iter().any(|k| {
                    let (a, b, c, d) = (s.start, s.end, k.start, k.end);
                    let over = a < d && c < b;
                    let nested = (c <= a && b <= d) || (a <= c && d <= b);
                    (a, b) == (c, d) || match overlap {
                        Overlap::None => over,
                        Overlap::Nested => over && !nested,
                        Overlap::Any => false,
                    }
                });
                if !clash {
                    want.push(s);
                }
            }
            want.sort_by(|a, b| a.key().cmp(&b.key()));
            prop_assert_eq!(got, want);
        }
    }
}
