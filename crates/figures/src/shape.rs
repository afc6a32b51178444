//! The agreement report as data: what `nhan agree --json` prints (a
//! contract, see docs/AGREEMENT.md) and what the text view renders. Field
//! order is the JSON's key order.

use super::stats::{Counts, Scheme};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// A JSON object whose keys keep the order given (schema order of labels,
/// annotators as chosen), unlike a `BTreeMap`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ordered<K, V>(pub Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Ordered<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<K, V> FromIterator<(K, V)> for Ordered<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(it: I) -> Self {
        Ordered(it.into_iter().collect())
    }
}

impl<K: AsRef<str>, V> Ordered<K, V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0
            .iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v)
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    pub nhan_agree: u64,
    pub annotators: Vec<String>,
    pub tag_rule: &'static str,
    /// Tag names by tag id: "O", then the schema's labels in use, then other
    /// labels in use, alphabetically.
    pub labels: Vec<String>,
    pub overall: Overall,
    pub pairs: Vec<Pair>,
    /// Lowest agreement first.
    pub articles: Vec<ArticleRow>,
    pub skipped: Vec<Skipped>,
    /// Per annotator, the articles they have no sidecar for.
    pub missing: Ordered<String, Vec<String>>,
    pub warnings: Vec<String>,
    /// Per attribute, over the spans two annotators made with the same
    /// extent and label (every pair): present when any attribute is set.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, super::attributes::Figures>,
    /// Relation agreement (see `relations`): present when any annotator
    /// made a relation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relations: Option<super::relations::Report>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Overall {
    pub articles: usize,
    pub tokens: usize,
    pub krippendorff_alpha: Option<f64>,
    pub fleiss_kappa: Option<f64>,
    pub fleiss_articles: usize,
    pub fleiss_tokens: usize,
    pub cohen_kappa_mean: Option<f64>,
    pub spans: SchemeSpans,
    /// `confusion[reference tag][other tag]`, token counts.
    pub confusion: Vec<Vec<u64>>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Pair {
    pub reference: String,
    pub other: String,
    pub articles: usize,
    pub tokens: u64,
    pub cohen_kappa: Option<f64>,
    pub krippendorff_alpha: Option<f64>,
    pub spans: SchemeSpans,
    pub confusion: Vec<Vec<u64>>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArticleRow {
    pub article: String,
    pub annotators: Vec<String>,
    pub tokens: usize,
    pub krippendorff_alpha: Option<f64>,
    pub cohen_kappa_mean: Option<f64>,
    pub strict_f1: f64,
    pub partial_f1: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Skipped {
    pub article: String,
    pub annotators: Vec<String>,
}

/// Span figures per scheme (`strict`, `exact`, `partial`, `ent_type`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SchemeSpans(pub Ordered<&'static str, SchemeFigures>);

impl SchemeSpans {
    pub fn scheme(&self, s: Scheme) -> &SchemeFigures {
        self.0.get(s.name()).expect("every scheme is reported")
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SchemeFigures {
    pub overall: SpanFigures,
    /// Per label used by either side, in tag order.
    pub labels: Ordered<String, SpanFigures>,
}

/// nervaluate's counts and measures for one scheme.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SpanFigures {
    pub correct: u64,
    pub incorrect: u64,
    pub partial: u64,
    pub missed: u64,
    pub spurious: u64,
    pub possible: u64,
    pub actual: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl SpanFigures {
    pub fn of(c: &Counts, sch: Scheme) -> SpanFigures {
        let m = c.prf(sch);
        SpanFigures {
            correct: c.correct,
            incorrect: c.incorrect,
            partial: c.partial,
            missed: c.missed,
            spurious: c.spurious,
            possible: c.possible(),
            actual: c.actual(),
            precision: m.precision,
            recall: m.recall,
            f1: m.f1,
        }
    }
}
