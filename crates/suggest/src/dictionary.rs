//! The dictionary recommender: surfaces the project has tagged (and
//! gazetteer entries) proposed wherever they occur again, as whole tokens,
//! whatever the Unicode normalisation, longest match first.
//!
//! A surface is proposed only if the project usually tags it, and usually
//! with one label: its score is `tagged / occurrences × top label / tagged`,
//! where occurrences are counted in *decided* (done or reviewed) articles
//! only, so a name tagged once in the article being annotated is proposed at
//! once everywhere else.
//!
//! All surfaces are matched in one pass of an Aho–Corasick automaton. Live
//! learning does not rebuild it: a known surface only has its counts
//! changed; a new one goes into a small second automaton (rebuilt from the
//! new surfaces alone) until the next full build.

use super::corpus::Corpus;
use super::error::GazetteerError;
use super::fold::{BROKEN, Folded, JOINED, SPACED};
use super::{ArticleInput, Recommender, Suggestion};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;

/// The score below which a surface is not proposed.
pub const MIN_SCORE: f32 = 0.5;
/// The score of a gazetteer entry the project has never tagged nor seen.
pub const GAZETTEER_SCORE: f32 = 0.7;

#[derive(Debug, Clone, Default)]
struct Entry {
    /// Tagged in decided articles.
    tagged: u32,
    /// Tagged in undecided articles or learnt live.
    open: u32,
    /// Whole-token occurrences in decided articles, tagged or not.
    occurrences: u32,
    labels: Vec<(String, u32)>,
    gazetteer: Option<String>,
}

impl Entry {
    fn count(&mut self, label: &str, by: i64) {
        match self.labels.iter_mut().find(|(l, _)| l == label) {
            Some((_, n)) => *n = (i64::from(*n) + by).max(0) as u32,
            None if by > 0 => self.labels.push((label.to_string(), by as u32)),
            None => {}
        }
    }

    /// The label to propose and its score, if the surface should be.
    fn best(&self, min_score: f32) -> Option<(&str, f32)> {
        let tagged = self.tagged + self.open;
        if tagged == 0 {
            let g = self.gazetteer.as_deref()?;
            let score = GAZETTEER_SCORE / (1.0 + self.occurrences as f32);
            return (score >= min_score).then_some((g, score));
        }
        let (label, top) = self
            .labels
            .iter()
            .filter(|(_, n)| *n > 0)
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))?;
        let seen = self.occurrences.max(self.tagged) + self.open;
        let score = (tagged as f32 / seen as f32) * (*top as f32 / tagged as f32);
        (score >= min_score).then_some((label.as_str(), score))
    }
}

/// One whole-token match: tokens `first..=last` of the article, chars
/// `start..end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub first: usize,
    pub last: usize,
    pub start: usize,
    pub end: usize,
    entry: u32,
}

#[derive(Debug, Clone)]
pub struct Dictionary {
    entries: Vec<Entry>,
    keys: Vec<String>,
    index: HashMap<String, u32, foldhash::fast::RandomState>,
    base: Option<AhoCorasick>,
    base_len: usize,
    overlay: Option<AhoCorasick>,
    /// Some surface has a line break in it: match articles in one piece.
    multiline: bool,
    pub min_score: f32,
}

impl Default for Dictionary {
    fn default() -> Self {
        Dictionary {
            entries: Vec::new(),
            keys: Vec::new(),
            index: HashMap::default(),
            base: None,
            base_len: 0,
            overlay: None,
            multiline: false,
            min_score: MIN_SCORE,
        }
    }
}

fn automaton(keys: &[String]) -> Option<AhoCorasick> {
    if keys.is_empty() {
        return None;
    }
    Some(
        AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(keys)
            .expect("surfaces are short; the automaton always fits"),
    )
}

impl Dictionary {
    /// Learns from every span of `corpus`, adds the gazetteer entries
    /// (`(surface, label)`), and counts occurrences in the decided articles.
    pub fn build(corpus: &Corpus, gazetteer: &[(String, String)]) -> Dictionary {
        let mut d = Dictionary::default();
        for a in &corpus.articles {
            for (i, s) in a.spans.iter().enumerate() {
                let Some(id) = d.entry_for(a.surface(i)) else {
                    continue;
                };
                let e = &mut d.entries[id as usize];
                if a.decided() {
                    e.tagged += 1;
                } else {
                    e.open += 1;
                }
                e.count(&s.label, 1);
            }
        }
        for (surface, label) in gazetteer {
            if let Some(id) = d.entry_for(surface) {
                d.entries[id as usize]
                    .gazetteer
                    .get_or_insert_with(|| label.clone());
            }
        }
        d.base = automaton(&d.keys);
        d.base_len = d.keys.len();
        for a in corpus.articles.iter().filter(|a| a.decided()) {
            let f = Folded::new(&a.text, &a.tokens);
            for h in d.hits(&f) {
                d.entries[h.entry as usize].occurrences += 1;
            }
        }
        d
    }

    fn entry_for(&mut self, surface: &str) -> Option<u32> {
        let key = Folded::key(surface)?;
        if let Some(&id) = self.index.get(&key) {
            return Some(id);
        }
        let id = self.entries.len() as u32;
        self.multiline |= key.as_bytes().contains(&BROKEN);
        self.entries.push(Entry::default());
        self.keys.push(key.clone());
        self.index.insert(key, id);
        Some(id)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The annotator tagged `surface` with `label`: it is proposed at once.
    pub fn learn(&mut self, surface: &str, label: &str) {
        let before = self.entries.len();
        let Some(id) = self.entry_for(surface) else {
            return;
        };
        let e = &mut self.entries[id as usize];
        e.open += 1;
        e.count(label, 1);
        if self.entries.len() > before {
            self.overlay = automaton(&self.keys[self.base_len..]);
        }
    }

    /// The annotator removed a span `surface` labelled `label`.
    pub fn unlearn(&mut self, surface: &str, label: &str) {
        let Some(key) = Folded::key(surface) else {
            return;
        };
        let Some(&id) = self.index.get(&key) else {
            return;
        };
        let e = &mut self.entries[id as usize];
        if e.open > 0 {
            e.open -= 1;
        } else {
            e.tagged = e.tagged.saturating_sub(1);
        }
        e.count(label, -1);
    }

    /// The label and score `surface` would be proposed with.
    pub fn lookup(&self, surface: &str) -> Option<(&str, f32)> {
        let id = *self.index.get(&Folded::key(surface)?)?;
        self.entries[id as usize].best(self.min_score)
    }

    /// Every whole-token match of every surface, overlapping ones included.
    pub fn hits(&self, f: &Folded) -> Vec<Hit> {
        self.hits_where(f, |_| true)
    }

    /// The whole-token matches of surfaces that would be proposed. In a
    /// long article most matches are of surfaces that never score (seen
    /// untagged as often as tagged); collecting those too cost eight times
    /// a 10 MB article's size, only to be dropped by `select_hits`.
    fn proposing_hits(&self, f: &Folded) -> Vec<Hit> {
        let proposes: Vec<bool> = self
            .entries
            .iter()
            .map(|e| e.best(self.min_score).is_some())
            .collect();
        self.hits_where(f, |entry| proposes[entry as usize])
    }

    fn hits_where(&self, f: &Folded, keep: impl Fn(u32) -> bool) -> Vec<Hit> {
        let mut out = Vec::new();
        let bytes = f.s.as_bytes();
        let is_sep = |b: u8| matches!(b, JOINED | SPACED | BROKEN);
        for (ac, offset) in [(&self.base, 0), (&self.overlay, self.base_len)] {
            let Some(ac) = ac else { continue };
            for m in ac.find_overlapping_iter(&f.s) {
                let (s, e) = (m.start(), m.end());
                if s > 0 && !is_sep(bytes[s - 1]) {
                    continue;
                }
                if e < bytes.len() && !is_sep(bytes[e]) {
                    continue;
                }
                let entry = (m.pattern().as_usize() + offset) as u32;
                if !keep(entry) {
                    continue;
                }
                let (Some(first), Some(last)) = (f.token_at(s), f.token_ending_at(e)) else {
                    continue;
                };
                out.push(Hit {
                    first: first + f.first,
                    last: last + f.first,
                    start: f.chars[first].0 as usize,
                    end: f.chars[last].1 as usize,
                    entry,
                });
            }
        }
        out
    }

    /// The matches to propose: those that score, longest first, a shorter
    /// one kept only inside (never across) a longer one. Returned with
    /// their label and score, and their depth (0 for outermost).
    pub fn select(&self, f: &Folded) -> Vec<(Hit, &str, f32, u32)> {
        self.select_hits(self.proposing_hits(f), f.first + f.starts.len())
    }

    /// `select` over hits already found (in pieces, see `suggest`), in an
    /// article of `n_tokens` tokens.
    pub fn select_hits(&self, hits: Vec<Hit>, n_tokens: usize) -> Vec<(Hit, &str, f32, u32)> {
        let mut cands: Vec<(Hit, &str, f32)> = hits
            .into_iter()
            .filter_map(|h| {
                let (l, s) = self.entries[h.entry as usize].best(self.min_score)?;
                Some((h, l, s))
            })
            .collect();
        cands.sort_by(|a, b| {
            (b.0.last - b.0.first)
                .cmp(&(a.0.last - a.0.first))
                .then(a.0.first.cmp(&b.0.first))
        });
        // cover[t]: 1 + index in `kept` of the innermost kept match over
        // token t, 0 for none. Kept matches are never shorter than a later
        // candidate, so a candidate fits iff all its tokens share one cover
        // (it lies inside that match, or outside all).
        let mut cover: Vec<u32> = if cands.is_empty() {
            Vec::new()
        } else {
            vec![0; n_tokens]
        };
        let mut kept: Vec<(Hit, &str, f32, u32)> = Vec::new();
        for (h, l, s) in cands {
            let c0 = cover[h.first];
            if cover[h.first..=h.last].iter().any(|&c| c != c0) {
                continue;
            }
            let depth = if c0 == 0 {
                0
            } else {
                let outer = &kept[c0 as usize - 1];
                if (outer.0.first, outer.0.last) == (h.first, h.last) {
                    continue;
                }
                outer.3 + 1
            };
            kept.push((h, l, s, depth));
            let id = kept.len() as u32;
            cover[h.first..=h.last].fill(id);
        }
        kept
    }

    /// Per token, the label of the outermost selected match over it and
    /// whether the token begins it: the tagger's dictionary feature.
    pub fn membership<'a>(&'a self, f: &Folded) -> Vec<Option<(&'a str, bool)>> {
        let mut out = vec![None; f.starts.len()];
        for (h, l, _, depth) in self.select(f) {
            if depth == 0 {
                let (a, b) = (h.first - f.first, h.last - f.first);
                for (t, slot) in out.iter_mut().enumerate().take(b + 1).skip(a) {
                    *slot = Some((l, t == a));
                }
            }
        }
        out
    }
}

impl Recommender for Dictionary {
    fn name(&self) -> &str {
        "dictionary"
    }

    /// A long article is folded and matched a piece at a time on all cores
    /// (cut at line starts, unless some surface itself spans a line break).
    fn suggest(&self, a: &ArticleInput) -> Result<Vec<Suggestion>, super::SuggestError> {
        let hits: Vec<Hit> = if self.multiline {
            self.proposing_hits(&Folded::new(a.text, a.tokens))
        } else {
            Folded::each_piece(a.text, a.tokens, threads(), |f| self.proposing_hits(f))
                .into_iter()
                .flatten()
                .collect()
        };
        let mut out: Vec<Suggestion> = self
            .select_hits(hits, a.tokens.len())
            .into_iter()
            .map(|(h, l, score, _)| {
                let (start, end) = (h.start, h.end);
                Suggestion {
                    start,
                    end,
                    label: l.into(),
                    score,
                    source: "dictionary".into(),
                }
            })
            .collect();
        // Surer first: when the rules drop one of two clashing suggestions,
        // the surer stays.
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(out)
    }
}

/// How many threads a long article is worked on with.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Reads a gazetteer: `text<TAB>label` per line, `#` comments, blank lines.
/// Labels the schema does not know are errors naming file and line.
pub fn read_gazetteer(
    path: &std::path::Path,
    labels: &[String],
) -> Result<Vec<(String, String)>, GazetteerError> {
    let src = std::fs::read_to_string(path).map_err(|e| GazetteerError::Read {
        path: path.to_path_buf(),
        error: std::sync::Arc::new(e),
    })?;
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((text, label)) = line.rsplit_once('\t') else {
            return Err(GazetteerError::NoTab {
                path: path.to_path_buf(),
                line: i + 1,
            });
        };
        let label = label.trim();
        if !labels.iter().any(|l| l == label) {
            return Err(GazetteerError::UnknownLabel {
                path: path.to_path_buf(),
                line: i + 1,
                label: label.into(),
                labels: labels.to_vec(),
            });
        }
        out.push((text.trim().to_string(), label.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Known;
    use crate::corpus::Article;
    use nhan_model::status::Status;
    use nhan_model::text::Text;
    use nhan_model::tokens::Tokens;
    use unicode_normalization::UnicodeNormalization;

    fn article(text: &str, spans: &[(&str, &str)], status: Status) -> Article {
        let mut known = Vec::new();
        for (surface, label) in spans {
            let b = text.find(surface).expect("surface in text");
            let start = text[..b].chars().count();
            known.push(Known {
                start,
                end: start + surface.chars().count(),
                label: label.to_string().into(),
            });
        }
        Article::new("a.txt", Text::new(text), known, status)
    }

    fn suggest(d: &Dictionary, text: &str) -> Vec<(String, String)> {
        let t = Text::new(text);
        let toks = Tokens::new(&t);
        let a = ArticleInput {
            name: "x",
            text: &t,
            tokens: &toks,
            spans: &[],
        };
        let mut v = d.suggest(&a).unwrap();
        v.sort_by_key(|s| s.start);
        v.iter()
            .map(|s| (t.slice(s.start, s.end).to_string(), s.label.to_string()))
            .collect()
    }

    #[test]
    fn whole_tokens_longest_first_nested_inside() {
        let c = Corpus {
            articles: vec![article(
                "Ban Đối ngoại Trung ương họp ở Hà Nội.",
                &[
                    ("Ban Đối ngoại Trung ương", "ORG"),
                    ("Hà Nội", "LOC"),
                    ("Trung ương", "ORG"),
                ],
                Status::InProgress,
            )],
        };
        let d = Dictionary::build(&c, &[]);
        let got = suggest(&d, "Gặp Ban Đối ngoại Trung ương, Hà Nộii và Hà Nội");
        assert_eq!(
            got,
            [
                ("Ban Đối ngoại Trung ương".to_string(), "ORG".to_string()),
                ("Trung ương".into(), "ORG".into()),
                ("Hà Nội".into(), "LOC".into()),
            ]
        );
    }

    #[test]
    fn nfc_surface_finds_nfd_text() {
        let c = Corpus {
            articles: vec![article("Hà Nội", &[("Hà Nội", "LOC")], Status::Done)],
        };
        let d = Dictionary::build(&c, &[]);
        let nfd: String = "ở Hà Nội".nfd().collect();
        assert_eq!(suggest(&d, &nfd).len(), 1);
    }

    #[test]
    fn mostly_untagged_surfaces_are_not_proposed() {
        // "Đảng" tagged once out of three occurrences in a decided article.
        let c = Corpus {
            articles: vec![article(
                "Đảng và Đảng, Đảng.",
                &[("Đảng", "ORG")],
                Status::Reviewed,
            )],
        };
        let d = Dictionary::build(&c, &[]);
        assert!(d.lookup("Đảng").is_none());
        assert!(suggest(&d, "Đảng").is_empty());
    }

    #[test]
    fn a_long_article_matched_a_piece_at_a_time_gets_every_suggestion_and_no_other() {
        // "Đảng" was tagged once in three: never proposed, though it is on
        // every line; "Hà Nội" is. 60k lines make several pieces.
        let c = Corpus {
            articles: vec![article(
                "Đảng và Đảng, Đảng ở Hà Nội.",
                &[("Đảng", "ORG"), ("Hà Nội", "LOC")],
                Status::Reviewed,
            )],
        };
        let d = Dictionary::build(&c, &[]);
        let got = suggest(&d, &"Đảng họp ở Hà Nội.\n".repeat(60_000));
        assert_eq!(got.len(), 60_000);
        assert!(
            got.iter()
                .all(|(text, label)| (text.as_str(), label.as_str()) == ("Hà Nội", "LOC"))
        );
    }

    #[test]
    fn live_learning_proposes_at_once_and_unlearning_stops() {
        let mut d = Dictionary::build(&Corpus::default(), &[]);
        d.learn("Bộ Ngoại giao", "ORG");
        assert_eq!(suggest(&d, "Bộ Ngoại giao và Bộ Ngoại giao").len(), 2);
        d.unlearn("Bộ Ngoại giao", "ORG");
        assert!(suggest(&d, "Bộ Ngoại giao").is_empty());
        d.learn("Bộ Ngoại giao", "ORG");
        assert_eq!(d.lookup("Bộ Ngoại giao").map(|x| x.0), Some("ORG"));
    }

    #[test]
    fn gazetteer_lines_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.tsv");
        std::fs::write(&p, "# places\nHà Nội\tLOC\n\nViệt Nam\tLOC\n").unwrap();
        let labels = vec!["LOC".to_string()];
        let g = read_gazetteer(&p, &labels).unwrap();
        assert_eq!(g.len(), 2);
        let d = Dictionary::build(&Corpus::default(), &g);
        assert_eq!(suggest(&d, "Việt Nam").len(), 1);
        std::fs::write(&p, "Hà Nội LOC\n").unwrap();
        let e = read_gazetteer(&p, &labels).unwrap_err().to_string();
        assert!(e.contains("g.tsv:1:"), "{e}");
    }

    proptest::proptest! {
        /// Learnt from NFC surfaces, the dictionary finds the same words,
        /// with the same labels, in the NFC and the NFD form of a text; the
        /// offsets are each text's own, on token edges.
        #[test]
        fn nfc_and_nfd_texts_get_the_same_suggestions(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "Hà", "Nội", "Huế", "Bộ", "Ngoại", "giao", "ở", "và", "Lan", ",", "Đảng",
            ]), 0..30),
            learnt in proptest::collection::vec((0usize..28, 1usize..4, 0usize..3), 0..6),
        ) {
            let nfc = words.join(" ");
            let nfd: String = nfc.nfd().collect();
            let mut d = Dictionary::build(&Corpus::default(), &[]);
            for &(at, len, l) in &learnt {
                if at + len <= words.len() {
                    d.learn(&words[at..at + len].join(" "), ["PER", "ORG", "LOC"][l]);
                }
            }
            let a = suggest(&d, &nfc);
            let b: Vec<(String, String)> = suggest(&d, &nfd)
                .into_iter()
                .map(|(s, l)| (s.nfc().collect(), l))
                .collect();
            proptest::prop_assert_eq!(&a, &b);
            let t = Text::new(nfd.clone());
            let toks = Tokens::new(&t);
            let input = ArticleInput { name: "x", text: &t, tokens: &toks, spans: &[] };
            for s in d.suggest(&input).unwrap() {
                proptest::prop_assert!(toks.iter().any(|r| r.start == s.start));
                proptest::prop_assert!(toks.iter().any(|r| r.end == s.end));
            }
        }
    }
}
