//! Review's consistency check (see `review::consistency`) over a project
//! read as a stream, in memory that grows with the distinct tagged surfaces,
//! not with the articles: one pass collects the surfaces, a second counts,
//! article by article, the labels and untagged places of each.

mod folded;

use super::document::Document;
use super::search::QuerySet;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

/// What one surface looks like across the articles counted so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Labels at its tagged places, sorted, once each.
    pub labels: Vec<String>,
    /// Places where it stands untagged (whole tokens, inside no span).
    pub untagged: usize,
}

impl Tally {
    fn add_label(&mut self, l: &str) {
        if let Err(i) = self.labels.binary_search_by(|x| x.as_str().cmp(l)) {
            self.labels.insert(i, l.to_string());
        }
    }

    fn merge(&mut self, o: &Tally) {
        for l in &o.labels {
            self.add_label(l);
        }
        self.untagged += o.untagged;
    }

    /// Tagged with more than one label, or tagged and untagged.
    pub fn inconsistent(&self) -> bool {
        self.labels.len() + usize::from(self.untagged > 0) > 1
    }
}

/// One article's places, by surface index (only surfaces found there).
pub struct ArticleTally(Vec<(usize, Tally)>);

/// One inconsistent surface: what `stats` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub surface: String,
    pub tally: Tally,
}

impl Case {
    /// As `review::Case::describe` says it.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "“{}”: tagged {}",
            self.surface,
            self.tally.labels.join(" and ")
        );
        let untagged = self.tally.untagged;
        if untagged > 0 {
            s += &format!(
                ", untagged in {untagged} place{}",
                if untagged == 1 { "" } else { "s" }
            );
        }
        s
    }
}

/// The consistency check over a project read once: each article is
/// searched, where it is read, for the surfaces known at that moment; only
/// an article read before some surface was first met is looked at again,
/// and only if that surface occurs in its text. In a project where the
/// names recur, the second look reads a handful of articles.
pub struct Consistency {
    known: RwLock<Arc<Known>>,
}

/// The surfaces met so far (`names[..upto]` in the order they were met).
struct Known {
    upto: usize,
    queries: QuerySet,
}

/// What one article showed of the surfaces known when it was read.
pub struct Look {
    upto: usize,
    tally: ArticleTally,
}

impl Default for Consistency {
    fn default() -> Self {
        Consistency {
            known: RwLock::new(Arc::new(Known {
                upto: 0,
                queries: QuerySet::new::<&str>(&[], false),
            })),
        }
    }
}

impl Consistency {
    /// Searches one article for every surface known now (any thread).
    pub fn look(&self, doc: &Document) -> Look {
        let known = Arc::clone(&self.known.read().unwrap_or_else(PoisonError::into_inner));
        Look {
            upto: known.upto,
            tally: tally_with(doc, &known.queries, 0),
        }
    }

    fn publish(&self, names: &[String]) {
        let k = Known {
            upto: names.len(),
            queries: QuerySet::new(names, false),
        };
        *self.known.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(k);
    }
}

/// The counts, folded in article order.
#[derive(Default)]
pub struct Counter {
    /// Surfaces in the order they were met, and where each is.
    names: Vec<String>,
    index: HashMap<String, usize>,
    tallies: Vec<Tally>,
    /// Per article, how many surfaces it was searched for.
    searched: Vec<u32>,
    published: usize,
}

impl Counter {
    /// Adds one article: its tagged surfaces and what it showed.
    pub fn add(&mut self, c: &Consistency, surfaces: &[String], look: Option<Look>) {
        for s in surfaces {
            // The search ignores normalisation: an NFC and an NFD spelling
            // are one surface, found at the same places, so one case.
            let s = super::review::nfc(s);
            if !self.index.contains_key(s.as_ref()) {
                self.index.insert(s.to_string(), self.names.len());
                self.names.push(s.into_owned());
                self.tallies.push(Tally::default());
            }
        }
        match look {
            Some(l) => {
                self.merge(&l.tally);
                self.searched.push(l.upto as u32);
            }
            // Unreadable: nothing to search, now or later.
            None => self.searched.push(u32::MAX),
        }
        // Rebuilt when a quarter more surfaces are known: a few times in
        // all, however many surfaces there are.
        if self.names.len() >= self.published + self.published / 4 + 8 {
            self.published = self.names.len();
            c.publish(&self.names);
        }
    }

    fn merge(&mut self, a: &ArticleTally) {
        for (i, t) in &a.0 {
            self.tallies[*i].merge(t);
        }
    }

    /// What the second look needs, `None` when no article needs one.
    pub fn second_look(&self) -> Option<SecondLook> {
        let n = self.names.len();
        let mut sets: Vec<(usize, QuerySet)> = Vec::new();
        for &g in &self.searched {
            let g = g as usize;
            if g < n && !sets.iter().any(|(from, _)| *from == g) {
                sets.push((g, QuerySet::new(&self.names[g..], false)));
            }
        }
        (!sets.is_empty()).then(|| SecondLook {
            sets,
            searched: self.searched.clone(),
            n,
        })
    }

    pub fn add_second(&mut self, a: &ArticleTally) {
        self.merge(a);
    }

    /// The inconsistent surfaces, in surface order.
    pub fn cases(self) -> Vec<Case> {
        let mut all: Vec<(String, Tally)> = self.names.into_iter().zip(self.tallies).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        all.into_iter()
            .filter(|(_, t)| t.inconsistent())
            .map(|(surface, tally)| Case { surface, tally })
            .collect()
    }
}

/// The surfaces each article was not searched for, searched together.
pub struct SecondLook {
    sets: Vec<(usize, QuerySet)>,
    searched: Vec<u32>,
    n: usize,
}

impl SecondLook {
    fn set(&self, article: usize) -> Option<&(usize, QuerySet)> {
        let g = *self.searched.get(article)? as usize;
        if g >= self.n {
            return None;
        }
        self.sets.iter().find(|(from, _)| *from == g)
    }

    /// Whether article `article` (by its position) needs a second look.
    pub fn wanted(&self, article: usize) -> bool {
        self.set(article).is_some()
    }

    /// Whether any surface it was not searched for occurs in `text` at all
    /// (cheap: no spans, no tokens needed).
    pub fn occurs(&self, article: usize, text: &str) -> bool {
        self.set(article).is_some_and(|(_, q)| {
            folded::Folded::new(text)
                .find_all_of(q)
                .iter()
                .any(|v| !v.is_empty())
        })
    }

    /// The places of those surfaces in the article.
    pub fn tally(&self, article: usize, doc: &Document) -> ArticleTally {
        match self.set(article) {
            Some((from, q)) => tally_with(doc, q, *from),
            None => ArticleTally(Vec::new()),
        }
    }
}

/// The places in `doc` of each query of `queries`, as surface `offset + i`.
fn tally_with(doc: &Document, queries: &QuerySet, offset: usize) -> ArticleTally {
    if queries.is_empty() {
        return ArticleTally(Vec::new());
    }
    let found = folded::Folded::new(doc.text().as_str()).find_all_of(queries);
    let mut out = Vec::new();
    for (i, places) in found.into_iter().enumerate() {
        let mut t = Tally::default();
        let mut any = false;
        for (s, e) in places {
            match doc.spans().with_extent(s, e) {
                Some(sp) => t.add_label(&sp.label),
                // The cheap question first: most untagged occurrences of a
                // name lie inside a longer span.
                None if doc.spans().overlapping(s, e).next().is_some()
                    || !doc.whole_tokens(s, e) =>
                {
                    continue;
                }
                None => t.untagged += 1,
            }
            any = true;
        }
        if any {
            out.push((offset + i, t));
        }
    }
    ArticleTally(out)
}

/// Where each of `queries` stands in one article, tagged or untagged, as
/// the tally counts them: `(query index, place)` in text order per query.
/// Run over the inconsistent surfaces only, it gives review's cases their
/// places.
pub fn places(
    doc: &Document,
    article: usize,
    queries: &QuerySet,
) -> Vec<(usize, super::review::Place)> {
    if queries.is_empty() {
        return Vec::new();
    }
    let found = folded::Folded::new(doc.text().as_str()).find_all_of(queries);
    let mut out = Vec::new();
    for (i, found) in found.into_iter().enumerate() {
        for (s, e) in found {
            let label = doc.spans().with_extent(s, e).map(|sp| sp.label.to_string());
            if label.is_none()
                && (doc.spans().overlapping(s, e).next().is_some() || !doc.whole_tokens(s, e))
            {
                continue;
            }
            out.push((
                i,
                super::review::Place {
                    article,
                    start: s,
                    end: e,
                    label,
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Edit;
    use crate::review;
    use crate::text::Text;

    fn doc(m: &str) -> Document {
        let m = crate::markup::parse(m).unwrap();
        let mut d = Document::new("a.txt", Text::new(m.text), "");
        for (s, e, l) in m.spans {
            let sp = d.make_span(s, e, &l, None);
            d.apply(&Edit::Add(sp));
        }
        d
    }

    /// The cases through one look per article and the second look.
    fn streamed(docs: &[Document]) -> Vec<(String, String)> {
        let c = Consistency::default();
        let mut counter = Counter::default();
        for d in docs {
            let mut own: Vec<String> = d.spans().iter().map(|s| s.text.to_string()).collect();
            own.sort();
            own.dedup();
            counter.add(&c, &own, Some(c.look(d)));
        }
        if let Some(second) = counter.second_look() {
            for (i, d) in docs.iter().enumerate() {
                if second.wanted(i) && second.occurs(i, d.text().as_str()) {
                    counter.add_second(&second.tally(i, d));
                }
            }
        }
        counter
            .cases()
            .iter()
            .map(|c| (c.surface.clone(), c.describe()))
            .collect()
    }

    fn batch(docs: &[Document]) -> Vec<(String, String)> {
        let refs: Vec<(usize, &Document)> = docs.iter().enumerate().collect();
        review::consistency(&refs)
            .iter()
            .map(|c| (c.surface.clone(), c.describe()))
            .collect()
    }

    /// The streamed cases are review's, described the same.
    #[test]
    fn same_cases_as_the_review_check() {
        let docs = [
            doc("[Hà Nội]{LOC} và [Bộ Ngoại giao]{ORG}, [Huế]{LOC}"),
            doc("[Hà Nội]{ORG} rồi Hà Nội, [Ban cán sự đảng Bộ Ngoại giao]{ORG} ở Huế"),
            doc("Hà Nội, Hà Nộix, [Lan]{PER} và [Lan]{PER}, [Huế]{LOC} [Huế]{MISC}"),
            doc("không có gì"),
        ];
        let got = streamed(&docs);
        assert_eq!(got, batch(&docs));
        assert_eq!(got.len(), 2, "{got:?}");
    }

    /// Enough surfaces that later articles are searched where they are read
    /// and earlier ones are looked at again for names met after them.
    #[test]
    fn same_cases_when_surfaces_are_met_along_the_way() {
        let names: Vec<String> = (0..40).map(|i| format!("Tên{i}x")).collect();
        let docs: Vec<Document> = (0..40)
            .map(|i| {
                let mut m = format!("[{}]{{PER}} và [{}]{{ORG}}", names[i], names[(i * 7) % 40]);
                // Untagged mentions of names tagged later and earlier.
                m += &format!(" rồi {} và {}.", names[(i + 13) % 40], names[(i + 29) % 40]);
                if i % 5 == 0 {
                    m += &format!(" [{}]{{LOC}}", names[(i + 1) % 40]);
                }
                doc(&m)
            })
            .collect();
        let want = batch(&docs);
        assert!(want.len() > 10, "{want:?}");
        assert_eq!(streamed(&docs), want);
    }
}
