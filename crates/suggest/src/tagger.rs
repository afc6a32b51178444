//! The tagger: names never seen before, proposed from what the project's
//! decided articles look like. A linear-chain CRF (see [`super::crf`],
//! L-BFGS with L2) over BIO tags, in two layers: one for the outermost
//! spans, one for the spans nested inside them (run on each outer span's
//! tokens, knowing its label). A span's raw score is its probability under
//! the model (forward-backward), which the calibration then checks.
//!
//! Written here rather than taken from a crate: `crfs` (the pure-Rust
//! CRFsuite port, the one CRF crate that trains) looks every feature up by
//! name as a `String`, returns no scores, and ties its model to a borrowed
//! buffer; tagging a 1 MB article that way costs millions of allocations.
//! Features here are 64-bit hashes into one weight row each.
//!
//! Features of a token: the token, its lower case and shape, capitalisation
//! of it and its neighbours, the tokens and lower cases two either side,
//! the bigrams with each neighbour, and dictionary membership (which label
//! the dictionary proposes over it, and whether it begins it). For
//! training, membership comes from dictionaries built without the
//! article's own fold (k-fold), or it would be a perfect, useless clue.
//! Because it reads the dictionary live, the tagger is run by the
//! [`Suggester`](super::Suggester) (which owns both) rather than as a
//! standalone [`Recommender`](super::Recommender).

use super::corpus::{Article, Corpus};
use super::crf::{C2, Crf, Scratch};
use super::dictionary::Dictionary;
use super::dictionary::threads;
use super::fold::{BROKEN, Folded};
use compact_str::CompactString;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Bumped whenever features or the file layout change: old caches are
/// then retrained.
pub const VERSION: u32 = 4;
/// Tagger suggestions scoring below this are not proposed.
pub const MIN_SCORE: f32 = 0.4;
const FOLDS: usize = 5;

/// A feature: its kind and value hashed together (values are strings or
/// tuples of them: no string is built per feature).
fn h<T: std::hash::Hash>(kind: u8, v: T) -> u64 {
    foldhash::fast::FixedState::with_seed(0x6e68616e).hash_one((kind, v))
}

/// Lower case without a heap allocation for the usual short word.
fn lower(w: &str) -> CompactString {
    let mut out = CompactString::default();
    for c in w.chars() {
        out.extend(c.to_lowercase());
    }
    out
}

/// The tokens of one article as the features see them.
struct View<'a> {
    words: Vec<&'a str>,
    lower: Vec<CompactString>,
    /// Token `i` starts a line (the tagger's sequences are lines).
    line_start: Vec<bool>,
    /// Per token the hashes of its parts, each computed once rather than
    /// for every feature that names it (a token is a neighbour of four).
    parts: Vec<Parts>,
}

/// What the features of a token and its neighbours are made of: the hashes
/// of its word, lower case, shape and dictionary membership, and its
/// capitalisation class.
#[derive(Clone, Copy)]
struct Parts {
    word: u64,
    lower: u64,
    shape: u64,
    cap: u8,
    dict: u64,
}

impl Parts {
    /// Past either end of the line.
    fn edge() -> Parts {
        let s = h(0xff, "<s>");
        Parts {
            word: s,
            lower: s,
            shape: s,
            cap: b'_',
            dict: h(0xfe, None::<(&str, bool)>),
        }
    }
}

/// The capitalisation class of a word: all capitals (`A`), a capital
/// first (`U`), lower case, digit or punctuation.
fn cap(w: &str) -> u8 {
    match w.chars().next() {
        Some(c) if c.is_uppercase() => {
            if w.chars().all(|c| !c.is_lowercase()) && w.chars().count() > 1 {
                b'A'
            } else {
                b'U'
            }
        }
        Some(c) if c.is_lowercase() => b'l',
        Some(c) if c.is_numeric() => b'd',
        _ => b'p',
    }
}

fn shape(w: &str) -> CompactString {
    let mut out = CompactString::default();
    for c in w.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else if unicode_normalization::char::is_combining_mark(c) {
            continue;
        } else {
            c
        };
        if !out.ends_with(k) {
            out.push(k);
        }
    }
    out
}

impl<'a> View<'a> {
    fn new(f: &'a Folded, dict: Option<&Dictionary>) -> View<'a> {
        let n = f.starts.len();
        let bytes = f.s.as_bytes();
        let mut words = Vec::with_capacity(n);
        let mut line_start = Vec::with_capacity(n);
        for i in 0..n {
            let a = f.starts[i] as usize;
            let b = f.starts.get(i + 1).map_or(f.s.len(), |&x| x as usize - 1);
            words.push(&f.s[a..b]);
            line_start.push(i == 0 || bytes[a - 1] == BROKEN);
        }
        let dict = match dict {
            Some(d) => d.membership(f),
            None => vec![None; n],
        };
        let lower: Vec<CompactString> = words.iter().map(|w| lower(w)).collect();
        let parts = (0..n)
            .map(|i| Parts {
                word: h(0xff, words[i]),
                lower: h(0xff, lower[i].as_str()),
                shape: h(0xff, shape(words[i]).as_str()),
                cap: cap(words[i]),
                dict: h(0xfe, dict[i]),
            })
            .collect();
        View {
            lower,
            words,
            line_start,
            parts,
        }
    }

    /// Token ranges of the lines.
    fn lines(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut from = 0;
        for i in 1..=self.words.len() {
            if i == self.words.len() || self.line_start[i] {
                out.push(from..i);
                from = i;
            }
        }
        out
    }

    /// Features of token `i` within `line`.
    fn features(&self, i: usize, line: &std::ops::Range<usize>) -> Vec<u64> {
        let mut f = Vec::with_capacity(24);
        self.features_into(i, line, &mut f);
        f
    }

    fn features_into(&self, i: usize, line: &std::ops::Range<usize>, f: &mut Vec<u64>) {
        let edge = Parts::edge();
        let p = |d: isize| {
            let j = i as isize + d;
            if j >= line.start as isize && j < line.end as isize {
                self.parts[j as usize]
            } else {
                edge
            }
        };
        let (m2, m1, p0, p1, p2) = (p(-2), p(-1), p(0), p(1), p(2));
        f.push(h(0, ""));
        f.push(h(1, p0.word));
        f.push(h(2, p0.lower));
        f.push(h(3, p0.shape));
        f.push(h(4, m1.word));
        f.push(h(5, p1.word));
        f.push(h(6, m1.lower));
        f.push(h(7, p1.lower));
        f.push(h(8, m2.lower));
        f.push(h(9, p2.lower));
        f.push(h(10, (m1.lower, p0.lower)));
        f.push(h(11, (p0.lower, p1.lower)));
        f.push(h(12, m1.shape));
        f.push(h(13, p1.shape));
        f.push(h(14, (m1.cap, p0.cap, p1.cap)));
        f.push(h(15, m2.cap));
        f.push(h(16, p2.cap));
        if i == line.start {
            f.push(h(17, ""));
        }
        f.push(h(18, p0.dict));
        f.push(h(19, (m1.dict, p0.dict)));
        f.push(h(20, (p0.dict, p1.dict)));
    }
}

/// BIO tags of the spans over `tokens` (a range of the view), spans given
/// as token ranges with a label index.
fn bio(n: usize, spans: &[(usize, usize, usize)]) -> Vec<usize> {
    let mut tags = vec![0; n];
    for &(a, b, l) in spans {
        for (t, tag) in tags.iter_mut().enumerate().take(b).skip(a) {
            *tag = if t == a { 2 * l + 1 } else { 2 * l + 2 };
        }
    }
    tags
}

#[derive(Debug, Clone)]
pub struct Tagger {
    labels: Vec<String>,
    outer: Crf,
    inner: Crf,
    /// Built with the dictionary feature: tag with a dictionary too.
    pub uses_dictionary: bool,
}

/// One article's spans as token ranges: outermost, and nested (inner
/// spans with the outer span they sit in).
type TokSpan = (usize, usize, usize);
type Layers = (Vec<TokSpan>, Vec<(TokSpan, Vec<TokSpan>)>);

fn layers(a: &Article, f: &Folded, labels: &[String]) -> Layers {
    // Token index of char offsets: spans not on token edges are left out.
    let starts: HashMap<u32, usize> = f.chars.iter().enumerate().map(|(i, c)| (c.0, i)).collect();
    let ends: HashMap<u32, usize> = f
        .chars
        .iter()
        .enumerate()
        .map(|(i, c)| (c.1, i + 1))
        .collect();
    let mut spans: Vec<(usize, usize, usize)> = a
        .spans
        .iter()
        .filter_map(|s| {
            let l = labels.iter().position(|x| *x == s.label)?;
            let a = *starts.get(&(s.start as u32))?;
            let b = *ends.get(&(s.end as u32))?;
            (a < b).then_some((a, b, l))
        })
        .collect();
    spans.sort_by_key(|&(a, b, _)| (a, std::cmp::Reverse(b)));
    spans.dedup_by_key(|s| (s.0, s.1));
    let mut outer: Vec<(TokSpan, Vec<TokSpan>)> = Vec::new();
    for s in spans {
        match outer.last_mut() {
            Some((o, inner)) if s.0 < o.1 => {
                // Inside the last outer span: keep the outermost of the inner.
                if s.1 <= o.1
                    && inner
                        .last()
                        .is_none_or(|i: &(usize, usize, usize)| s.0 >= i.1)
                {
                    inner.push(s);
                }
            }
            _ => outer.push((s, Vec::new())),
        }
    }
    (outer.iter().map(|(o, _)| *o).collect(), outer)
}

fn inner_features(
    v: &View,
    line: &std::ops::Range<usize>,
    o: (usize, usize, usize),
    labels: &[String],
) -> Vec<Vec<u64>> {
    (o.0..o.1)
        .map(|t| {
            let mut f = v.features(t, line);
            f.push(h(30, &labels[o.2]));
            let pos = if t == o.0 {
                "B"
            } else if t + 1 == o.1 {
                "E"
            } else {
                "M"
            };
            f.push(h(31, (&labels[o.2], pos)));
            f.push(h(32, (&labels[o.2], &v.lower[o.0])));
            f
        })
        .collect()
}

impl Tagger {
    /// Trains on the decided articles of `corpus`. `with_dictionary`: learn
    /// to use the dictionary feature (then tag with one).
    pub fn train(
        corpus: &Corpus,
        labels: &[String],
        gazetteer: &[(String, String)],
        with_dictionary: bool,
    ) -> Tagger {
        let decided: Vec<&Article> = corpus.articles.iter().filter(|a| a.decided()).collect();
        let n_tags = 2 * labels.len() + 1;
        // The dictionary each article's features see: one built without
        // the article's fold (and without undecided articles, whose spans
        // are partial).
        let folds = FOLDS.min(decided.len()).max(1);
        let dicts: Vec<Option<Dictionary>> = (0..folds)
            .map(|k| {
                with_dictionary.then(|| {
                    let c = Corpus {
                        articles: decided
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| i % folds != k)
                            .map(|(_, a)| (*a).clone())
                            .collect(),
                    };
                    Dictionary::build(&c, gazetteer)
                })
            })
            .collect();
        let mut outer_data = Vec::new();
        let mut inner_data = Vec::new();
        for (i, a) in decided.iter().enumerate() {
            let f = Folded::new(&a.text, &a.tokens);
            let v = View::new(&f, dicts[i % folds].as_ref());
            let (outer, nested) = layers(a, &f, labels);
            for line in v.lines() {
                let feats: Vec<Vec<u64>> = line.clone().map(|t| v.features(t, &line)).collect();
                let in_line: Vec<(usize, usize, usize)> = outer
                    .iter()
                    .filter(|o| o.0 >= line.start && o.1 <= line.end)
                    .map(|o| (o.0 - line.start, o.1 - line.start, o.2))
                    .collect();
                outer_data.push((feats, bio(line.len(), &in_line)));
                for (o, inner) in nested
                    .iter()
                    .filter(|(o, _)| o.0 >= line.start && o.1 <= line.end)
                {
                    if o.1 - o.0 < 2 {
                        continue;
                    }
                    let rel: Vec<(usize, usize, usize)> =
                        inner.iter().map(|s| (s.0 - o.0, s.1 - o.0, s.2)).collect();
                    inner_data.push((inner_features(&v, &line, *o, labels), bio(o.1 - o.0, &rel)));
                }
            }
        }
        Tagger {
            labels: labels.to_vec(),
            outer: Crf::train(n_tags, &outer_data, C2, threads()),
            inner: Crf::train(n_tags, &inner_data, C2, threads()),
            uses_dictionary: with_dictionary,
        }
    }

    /// Tags an article: `(start, end, label, score)` in chars.
    pub fn tag(&self, f: &Folded, dict: Option<&Dictionary>) -> Vec<(usize, usize, &str, f32)> {
        // Trained on nothing (no article done yet): all weights are zero and
        // Viterbi's ties would tag every token with the last label.
        if self.outer.is_blank() {
            return Vec::new();
        }
        let dict = if self.uses_dictionary { dict } else { None };
        let v = View::new(f, dict);
        let mut out = Vec::new();
        // Kept from line to line: a line allocates nothing but its spans.
        let (mut ids, mut offs, mut u, mut ui) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut s_outer, mut s_inner) = (Scratch::default(), Scratch::default());
        for line in v.lines() {
            ids.clear();
            offs.clear();
            offs.push(0);
            for t in line.clone() {
                v.features_into(t, &line, &mut ids);
                offs.push(ids.len());
            }
            self.outer.unary_into(
                offs.windows(2).map(|w| &ids[w[0]..w[1]]),
                line.len(),
                &mut u,
            );
            for (a, b, l, s) in self.outer.spans_in(&u, line.len(), &mut s_outer) {
                let o = (a + line.start, b + line.start, l);
                let (cs, ce) = f.char_range(o.0, o.1 - 1);
                out.push((cs, ce, self.labels[l].as_str(), s));
                if b - a < 2 {
                    continue;
                }
                let fi = inner_features(&v, &line, o, &self.labels);
                self.inner
                    .unary_into(fi.iter().map(Vec::as_slice), fi.len(), &mut ui);
                for (ia, ib, il, is) in self.inner.spans_in(&ui, fi.len(), &mut s_inner) {
                    if (ia, ib) == (0, b - a) {
                        continue;
                    }
                    let (cs, ce) = f.char_range(o.0 + ia, o.0 + ib - 1);
                    out.push((cs, ce, self.labels[il].as_str(), is));
                }
            }
        }
        out
    }

    /// `tag` over a whole article, a piece at a time on all cores when it
    /// is long.
    pub fn tag_article(
        &self,
        text: &nhan_model::text::Text,
        tokens: &nhan_model::tokens::Tokens,
        dict: Option<&Dictionary>,
    ) -> Vec<(usize, usize, &str, f32)> {
        Folded::each_piece(text, tokens, super::dictionary::threads(), |f| {
            self.tag(f, dict)
        })
        .into_iter()
        .flatten()
        .collect()
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The model as bytes, for the cache (little-endian; see `from_bytes`).
    pub fn to_bytes(&self, fingerprint: &str) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(b"NHANTAG\0");
        out.extend_from_slice(&VERSION.to_le_bytes());
        let put_str = |out: &mut Vec<u8>, s: &str| {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        };
        put_str(&mut out, fingerprint);
        out.push(u8::from(self.uses_dictionary));
        out.extend_from_slice(&(self.labels.len() as u32).to_le_bytes());
        for l in &self.labels {
            put_str(&mut out, l);
        }
        self.outer.write(&mut out);
        self.inner.write(&mut out);
        // A checksum of all the above: a damaged cache is rebuilt, not read.
        let sum = <sha2::Sha256 as sha2::Digest>::digest(&out);
        out.extend_from_slice(&sum);
        out
    }

    /// A model from `to_bytes`, if it is one of this version trained on
    /// data with `fingerprint`.
    /// The cache is input like any file of the project (a clone may carry
    /// one): it is read only if its checksum holds, and every count in it
    /// is checked against the bytes left before anything is allocated.
    pub fn from_bytes(b: &[u8], fingerprint: &str) -> Option<Tagger> {
        let (b, sum) = b.split_at_checked(b.len().checked_sub(32)?)?;
        if <sha2::Sha256 as sha2::Digest>::digest(b).as_slice() != sum {
            return None;
        }
        let mut at = 0usize;
        let mut take = |n: usize| {
            let s = b.get(at..at + n)?;
            at += n;
            Some(s)
        };
        if take(8)? != b"NHANTAG\0" {
            return None;
        }
        let u32_of = |s: &[u8]| u32::from_le_bytes(s.try_into().expect("4 bytes"));
        if u32_of(take(4)?) != VERSION {
            return None;
        }
        let n = u32_of(take(4)?) as usize;
        if take(n)? != fingerprint.as_bytes() {
            return None;
        }
        let uses_dictionary = take(1)?[0] == 1;
        let nl = u32_of(take(4)?) as usize;
        // Each label takes four bytes at least.
        if nl > b.len() / 4 {
            return None;
        }
        let mut labels = Vec::with_capacity(nl);
        for _ in 0..nl {
            let n = u32_of(take(4)?) as usize;
            labels.push(String::from_utf8(take(n)?.to_vec()).ok()?);
        }
        let n_tags = 2 * nl + 1;
        // Both transition tables are stored whole: they must fit the file.
        if n_tags.checked_mul(n_tags)?.checked_mul(8)? > b.len() {
            return None;
        }
        let outer = Crf::read(n_tags, b.len(), &mut take)?;
        let inner = Crf::read(n_tags, b.len(), &mut take)?;
        Some(Tagger {
            labels,
            outer,
            inner,
            uses_dictionary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Known;
    use nhan_model::status::Status;
    use nhan_model::text::Text;

    fn art(text: &str, spans: &[(&str, &str)]) -> Article {
        let known = spans
            .iter()
            .map(|(s, l)| {
                let b = text.find(s).unwrap();
                let start = text[..b].chars().count();
                Known {
                    start,
                    end: start + s.chars().count(),
                    label: (*l).into(),
                }
            })
            .collect();
        Article::new("a.txt", Text::new(text), known, Status::Reviewed)
    }

    #[test]
    fn learns_a_pattern_and_proposes_unseen_names_in_two_layers() {
        let mut arts = Vec::new();
        for (name, place) in [
            ("Lan", "Nha Trang"),
            ("Minh", "Hà Giang"),
            ("Hoa", "Hải Phòng"),
            ("Tâm", "Đà Lạt"),
        ] {
            let text = format!("Ông {name} đến Sở Y tế {place} hôm qua.\nTrời mưa.");
            let org = format!("Sở Y tế {place}");
            let a = art(
                &text,
                &[(name, "PER"), (org.as_str(), "ORG"), (place, "LOC")],
            );
            arts.push(a);
        }
        let labels: Vec<String> = ["PER", "ORG", "LOC"].map(String::from).to_vec();
        let t = Tagger::train(&Corpus { articles: arts }, &labels, &[], false);
        let text = Text::new("Ông Quang đến Sở Y tế Cần Thơ hôm qua.");
        let f = Folded::new(&text, &nhan_model::tokens::Tokens::new(&text));
        let got: Vec<(String, &str)> = t
            .tag(&f, None)
            .into_iter()
            .map(|(a, b, l, _)| (text.slice(a, b).to_string(), l))
            .collect();
        assert!(got.contains(&("Quang".into(), "PER")), "{got:?}");
        assert!(got.contains(&("Sở Y tế Cần Thơ".into(), "ORG")), "{got:?}");
        assert!(got.contains(&("Cần Thơ".into(), "LOC")), "{got:?}");
        let back = Tagger::from_bytes(&t.to_bytes("fp"), "fp").unwrap();
        assert_eq!(back.tag(&f, None), t.tag(&f, None));
        assert!(Tagger::from_bytes(&t.to_bytes("fp"), "other").is_none());
    }
}
