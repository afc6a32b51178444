//! Review's consistency check (see `review::consistency`) over a project
//! read as a stream, in memory that grows with the distinct tagged surfaces,
//! not with the articles: one pass collects the surfaces, a second counts,
//! article by article, the labels and untagged places of each.

use super::document::Document;
use super::search::{QuerySet, SearchIndex};
use std::collections::BTreeSet;

/// Every distinct tagged surface of the project, in order.
pub struct Surfaces {
    names: Vec<String>,
    queries: QuerySet,
}

/// Collects surfaces during the first pass.
#[derive(Default)]
pub struct SurfaceCollector(BTreeSet<String>);

impl SurfaceCollector {
    pub fn add(&mut self, doc: &Document) {
        for s in doc.spans.iter() {
            self.add_surface(&s.text);
        }
    }

    pub fn add_surface(&mut self, s: &str) {
        if !self.0.contains(s) {
            self.0.insert(s.to_string());
        }
    }

    pub fn finish(self) -> Surfaces {
        let names: Vec<String> = self.0.into_iter().collect();
        let queries = QuerySet::new(&names, false);
        Surfaces { names, queries }
    }
}

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

fn whole_tokens(doc: &Document, s: usize, e: usize) -> bool {
    let t = doc.tokens();
    t.containing(s).is_some_and(|i| t.get(i).start == s)
        && e > 0
        && t.containing(e - 1).is_some_and(|i| t.get(i).end == e)
}

impl Surfaces {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The places of every surface in one article (safe to call from many
    /// threads at once).
    pub fn tally(&self, doc: &Document) -> ArticleTally {
        if self.queries.is_empty() {
            return ArticleTally(Vec::new());
        }
        let idx = SearchIndex::new(&doc.text, false);
        let found = idx.find_all_of(&self.queries);
        let mut out = Vec::new();
        for (i, places) in found.into_iter().enumerate() {
            let mut t = Tally::default();
            let mut any = false;
            for (s, e) in places {
                match doc.spans.with_extent(s, e) {
                    Some(sp) => t.add_label(&sp.label),
                    None if !whole_tokens(doc, s, e)
                        || doc.spans.overlapping(s, e).next().is_some() =>
                    {
                        continue;
                    }
                    None => t.untagged += 1,
                }
                any = true;
            }
            if any {
                out.push((i, t));
            }
        }
        ArticleTally(out)
    }

    /// Where each surface stands in one article, tagged or untagged, as
    /// `tally` counts them: `(surface index, place)` in text order per
    /// surface. Run over the inconsistent surfaces only, it gives review's
    /// cases their places.
    pub fn places(&self, doc: &Document, article: usize) -> Vec<(usize, super::review::Place)> {
        if self.queries.is_empty() {
            return Vec::new();
        }
        let idx = SearchIndex::new(&doc.text, false);
        let mut out = Vec::new();
        for (i, places) in idx.find_all_of(&self.queries).into_iter().enumerate() {
            for (s, e) in places {
                let label = doc.spans.with_extent(s, e).map(|sp| sp.label.to_string());
                if label.is_none()
                    && (!whole_tokens(doc, s, e) || doc.spans.overlapping(s, e).next().is_some())
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

    /// The surfaces, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Starts the count over the project.
    pub fn counter(&self) -> Vec<Tally> {
        vec![Tally::default(); self.names.len()]
    }

    pub fn add(&self, counts: &mut [Tally], a: &ArticleTally) {
        for (i, t) in &a.0 {
            counts[*i].merge(t);
        }
    }

    /// The inconsistent surfaces, in surface order.
    pub fn cases(&self, counts: Vec<Tally>) -> Vec<Case> {
        self.names
            .iter()
            .zip(counts)
            .filter(|(_, t)| t.inconsistent())
            .map(|(s, t)| Case {
                surface: s.clone(),
                tally: t,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::edit::Edit;
    use crate::core::review;
    use crate::core::text::Text;

    fn doc(m: &str) -> Document {
        let m = crate::core::markup::parse(m).unwrap();
        let mut d = Document::new("a.txt", Text::new(m.text), "");
        for (s, e, l) in m.spans {
            let sp = d.make_span(s, e, &l, None);
            d.apply(&Edit::Add(sp));
        }
        d
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
        let refs: Vec<(usize, &Document)> = docs.iter().enumerate().collect();
        let want: Vec<(String, String)> = review::consistency(&refs)
            .iter()
            .map(|c| (c.surface.clone(), c.describe()))
            .collect();
        let mut c = SurfaceCollector::default();
        docs.iter().for_each(|d| c.add(d));
        let surfaces = c.finish();
        let mut counts = surfaces.counter();
        for d in &docs {
            surfaces.add(&mut counts, &surfaces.tally(d));
        }
        let got: Vec<(String, String)> = surfaces
            .cases(counts)
            .iter()
            .map(|c| (c.surface.clone(), c.describe()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(got.len(), 2, "{got:?}");
    }
}
