//! `find_all` for many queries in one pass over the text (the consistency
//! check asks for every tagged surface in every article).

use super::{SearchIndex, fold};
use aho_corasick::{AhoCorasick, MatchKind};

/// Queries folded once, searched together.
pub struct QuerySet {
    ac: Option<AhoCorasick>,
    /// Per query, its distinct folded pattern (`None`: empty, never found).
    pattern_of: Vec<Option<usize>>,
    patterns: usize,
    case_insensitive: bool,
}

impl QuerySet {
    pub fn new<S: AsRef<str>>(queries: &[S], case_insensitive: bool) -> QuerySet {
        let mut patterns: Vec<String> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let pattern_of = queries
            .iter()
            .map(|q| {
                let f = fold(q.as_ref(), case_insensitive);
                if f.is_empty() {
                    return None;
                }
                Some(*index.entry(f.clone()).or_insert_with(|| {
                    patterns.push(f);
                    patterns.len() - 1
                }))
            })
            .collect();
        let ac = (!patterns.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&patterns)
                .expect("a set of strings always builds")
        });
        QuerySet {
            ac,
            pattern_of,
            patterns: patterns.len(),
            case_insensitive,
        }
    }

    pub fn len(&self) -> usize {
        self.pattern_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pattern_of.is_empty()
    }
}

impl SearchIndex {
    /// What `find_all` gives for each query of `set`, indexed like the
    /// queries, from one scan of the text. Skips queries that match nowhere
    /// cheaply: the result lists are empty.
    pub fn find_all_of(&self, set: &QuerySet) -> Vec<Vec<(usize, usize)>> {
        assert_eq!(
            set.case_insensitive, self.case_insensitive,
            "queries folded like the text"
        );
        set.find_in(&self.folded, |b| self.cluster_at(b))
    }
}

impl QuerySet {
    /// Every query's matches in `folded` (a text folded like the queries),
    /// as `find_all` walks them: it searches again from the end of a
    /// match, or one char on when a match is not on cluster edges;
    /// `cluster_at` gives the text's char offset at a folded byte where a
    /// cluster starts.
    pub fn find_in(
        &self,
        folded: &str,
        cluster_at: impl Fn(usize) -> Option<u32>,
    ) -> Vec<Vec<(usize, usize)>> {
        let mut per_pattern: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.patterns];
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(folded) {
                per_pattern[m.pattern().as_usize()].push((m.start(), m.end()));
            }
        }
        let found: Vec<Vec<(usize, usize)>> = per_pattern
            .into_iter()
            .map(|mut occ| {
                occ.sort_unstable();
                let mut out = Vec::new();
                let mut from = 0;
                for (at, end) in occ {
                    if at < from {
                        continue;
                    }
                    if let (Some(s), Some(e)) = (cluster_at(at), cluster_at(end)) {
                        out.push((s as usize, e as usize));
                        from = end;
                    } else {
                        from = at + folded[at..].chars().next().map_or(1, char::len_utf8);
                    }
                }
                out
            })
            .collect();
        self.pattern_of
            .iter()
            .map(|p| p.map_or_else(Vec::new, |p| found[p].clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Text;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn gives_what_find_all_gives_for_each_query() {
        let nfd: String = "Hà Nội, Hà Nội và ha noi; aaaa; Nguyễn".nfd().collect();
        let text = format!("{nfd} Hà Nội\u{a0}mới Nguye\u{302}\u{303}n Nguye");
        for ci in [false, true] {
            let idx = SearchIndex::new(&Text::new(text.clone()), ci);
            let queries = [
                "Hà Nội",
                "Hà Nội mới",
                "aa",
                "a",
                "",
                "Nguye",
                "HÀ NỘI",
                "Nguyễn",
                "không có",
            ];
            let many = idx.find_all_of(&QuerySet::new(&queries, ci));
            for (q, got) in queries.iter().zip(&many) {
                assert_eq!(got, &idx.find_all(q), "{q:?} case-insensitive {ci}");
            }
            assert!(!many[2].is_empty());
        }
    }
}
