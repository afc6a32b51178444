//! Attribute agreement: for each attribute, over the spans two annotators
//! made with the same extent and label, how often both gave it the same
//! value (exact match). A span neither annotator gave the attribute is not
//! counted for it; one gave it and the other did not is a disagreement.

use super::data::ASpan;
use nhan_model::attrs::{self, AttrAgreement};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Attribute name → spans compared and agreed.
pub type PerAttribute = BTreeMap<String, AttrAgreement>;

/// Adds one pair of annotators' spans on one article.
pub fn add_pair(acc: &mut PerAttribute, a: &[ASpan], b: &[ASpan]) {
    if a.iter().chain(b).all(|s| s.attrs.is_empty()) {
        return;
    }
    let keyed = |v: &[ASpan]| -> Vec<attrs::Keyed> {
        v.iter()
            .map(|s| (s.start, s.end, s.label.clone(), s.attrs.clone()))
            .collect()
    };
    let (ka, kb) = (keyed(a), keyed(b));
    let r = attrs::agreement(&ka, &kb, |_| Vec::new());
    merge(acc, &r);
}

pub fn merge(acc: &mut PerAttribute, o: &PerAttribute) {
    for (k, c) in o {
        acc.entry(k.clone()).or_default().add(c);
    }
}

/// One attribute in the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Figures {
    /// Spans compared (summed over the pairs of annotators).
    pub compared: u64,
    pub agreed: u64,
    /// `agreed / compared`.
    pub agreement: Option<f64>,
}

pub fn figures(acc: &PerAttribute) -> BTreeMap<String, Figures> {
    acc.iter()
        .map(|(k, c)| {
            (
                k.clone(),
                Figures {
                    compared: c.compared,
                    agreed: c.agreed,
                    agreement: c.rate(),
                },
            )
        })
        .collect()
}

/// The report's attribute section, if any attribute was compared.
pub fn render(o: &mut String, f: &BTreeMap<String, Figures>) {
    if f.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\nAttributes (spans with the same extent and label, every pair)\n  attribute       agreement  agreed/compared"
    );
    for (k, x) in f {
        let rate = x
            .agreement
            .map_or_else(|| "  –  ".to_string(), |r| format!("{r:>5.3}"));
        let _ = writeln!(o, "  {k:<16}{rate:>9}  {}/{}", x.agreed, x.compared);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: usize, label: &str, attrs: &[(&str, &str)]) -> ASpan {
        ASpan {
            start,
            end: start + 2,
            label: label.into(),
            attrs: attrs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    #[test]
    fn pairs_add_up_and_render() {
        let mut acc = PerAttribute::new();
        let lan = [sp(0, "PER", &[("role", "official")]), sp(5, "PER", &[])];
        let minh = [sp(0, "PER", &[("role", "other")]), sp(5, "PER", &[])];
        add_pair(&mut acc, &lan, &minh);
        add_pair(&mut acc, &lan, &lan);
        let f = figures(&acc);
        assert_eq!((f["role"].compared, f["role"].agreed), (2, 1));
        let mut o = String::new();
        render(&mut o, &f);
        assert!(o.contains("  role                0.500  1/2\n"), "{o}");
    }
}
