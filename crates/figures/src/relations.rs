//! Relation agreement between two annotators: a relation of one matches a
//! relation of the other when both ends cover the same characters and the
//! type is the same (for a symmetric type, in either direction); span ids
//! and the ends' labels play no part. Per type and overall: precision
//! (matched / the other's), recall (matched / the reference's) and F1
//! (2 × matched / both), the pairs of annotators summed.

use super::shape::Ordered;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How a match is decided, as the report says it.
pub const MATCHING: &str = "both ends' extents and the type; a symmetric type in either direction";

/// One annotator's relation, reduced to what matching needs: the ends'
/// extents (a symmetric type's in ascending order) and the type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ARelation {
    pub from: (usize, usize),
    pub to: (usize, usize),
    pub label: String,
}

impl ARelation {
    /// `symmetric`: the type holds both ways, so the ends are put in one
    /// order and a relation given the other way round still matches.
    pub fn new(from: (usize, usize), to: (usize, usize), label: &str, symmetric: bool) -> Self {
        let (from, to) = if symmetric && to < from {
            (to, from)
        } else {
            (from, to)
        };
        ARelation {
            from,
            to,
            label: label.to_string(),
        }
    }
}

/// Relations matched, and made by each side.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub matched: u64,
    pub reference: u64,
    pub other: u64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.matched += o.matched;
        self.reference += o.reference;
        self.other += o.other;
    }
}

/// Type → counts.
pub type PerType = BTreeMap<String, Counts>;

/// Adds one pair of annotators' relations on one article: `a` is the
/// reference. Each relation matches at most one of the other side's.
pub fn add_pair(acc: &mut PerType, a: &[ARelation], b: &[ARelation]) {
    let mut left: Vec<&ARelation> = b.iter().collect();
    for r in a {
        let c = acc.entry(r.label.clone()).or_default();
        c.reference += 1;
        if let Some(i) = left.iter().position(|x| *x == r) {
            left.swap_remove(i);
            c.matched += 1;
        }
    }
    for r in b {
        acc.entry(r.label.clone()).or_default().other += 1;
    }
}

pub fn merge(acc: &mut PerType, o: &PerType) {
    for (k, c) in o {
        acc.entry(k.clone()).or_default().add(c);
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Figures {
    pub matched: u64,
    pub reference: u64,
    pub other: u64,
    /// `matched / other`; `null` when the other side made none.
    pub precision: Option<f64>,
    /// `matched / reference`; `null` when the reference made none.
    pub recall: Option<f64>,
    /// `2 × matched / (reference + other)`; `null` when neither made any.
    pub f1: Option<f64>,
}

impl Figures {
    pub fn of(c: &Counts) -> Figures {
        let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        Figures {
            matched: c.matched,
            reference: c.reference,
            other: c.other,
            precision: ratio(c.matched, c.other),
            recall: ratio(c.matched, c.reference),
            f1: ratio(2 * c.matched, c.reference + c.other),
        }
    }
}

/// One pair of annotators' relation figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PairFigures {
    pub reference: String,
    pub other: String,
    pub overall: Figures,
}

/// The report's `relations` section.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    pub matching: &'static str,
    /// All pairs together.
    pub overall: Figures,
    /// Per type either side used: the schema's in order, then others.
    pub types: Ordered<String, Figures>,
    pub pairs: Vec<PairFigures>,
}

/// The section, from each pair's counts (`(reference, other, counts)`);
/// `None` when no annotator made a relation.
pub fn report(pairs: &[(String, String, &PerType)], schema_types: &[String]) -> Option<Report> {
    let mut all = PerType::new();
    for (_, _, c) in pairs {
        merge(&mut all, c);
    }
    if all.is_empty() {
        return None;
    }
    let total = |c: &PerType| {
        let mut t = Counts::default();
        c.values().for_each(|x| t.add(x));
        t
    };
    let mut names: Vec<&String> = schema_types
        .iter()
        .filter(|t| all.contains_key(*t))
        .collect();
    names.extend(all.keys().filter(|k| !schema_types.contains(k)));
    Some(Report {
        matching: MATCHING,
        overall: Figures::of(&total(&all)),
        types: names
            .into_iter()
            .map(|n| (n.clone(), Figures::of(&all[n])))
            .collect(),
        pairs: pairs
            .iter()
            .map(|(a, b, c)| PairFigures {
                reference: a.clone(),
                other: b.clone(),
                overall: Figures::of(&total(c)),
            })
            .collect(),
    })
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "  –  ".to_string(), |x| format!("{x:>5.3}"))
}

/// The text report's relations section, if any relation was made.
pub fn render(o: &mut String, r: &Option<Report>) {
    let Some(r) = r else {
        return;
    };
    let e = |s: &str| nhan_model::escape::line(s).into_owned();
    let _ = writeln!(
        o,
        "\nRelations, all pairs together\n  (a match: {})",
        r.matching
    );
    let _ = writeln!(
        o,
        "  {:<26}{:>9}{:>7}{:>7}{:>10}{:>7}",
        "type", "precision", "recall", "F1", "reference", "other"
    );
    let mut line = |name: &str, f: &Figures| {
        let _ = writeln!(
            o,
            "  {:<26}{:>9}{:>7}{:>7}{:>10}{:>7}",
            e(name),
            num(f.precision),
            num(f.recall),
            num(f.f1),
            f.reference,
            f.other
        );
    };
    for (name, f) in &r.types.0 {
        line(name, f);
    }
    line("all types", &r.overall);
    for p in &r.pairs {
        line(&format!("{} → {}", p.reference, p.other), &p.overall);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(from: (usize, usize), to: (usize, usize), label: &str, sym: bool) -> ARelation {
        ARelation::new(from, to, label, sym)
    }

    #[test]
    fn a_match_needs_both_extents_and_the_type_and_symmetric_types_match_either_way() {
        let a = [
            r((0, 3), (10, 20), "has_title", false),
            r((30, 40), (50, 60), "allied_with", true),
            r((0, 3), (70, 80), "has_title", false),
        ];
        let b = [
            // Same: matches.
            r((0, 3), (10, 20), "has_title", false),
            // The symmetric one given the other way round: matches.
            r((50, 60), (30, 40), "allied_with", true),
            // One end one character off: no match.
            r((0, 3), (70, 79), "has_title", false),
            // A directed type the other way round: no match.
            r((10, 20), (0, 3), "has_title", false),
        ];
        let mut acc = PerType::new();
        add_pair(&mut acc, &a, &b);
        let t = &acc["has_title"];
        assert_eq!((t.matched, t.reference, t.other), (1, 2, 3));
        let s = &acc["allied_with"];
        assert_eq!((s.matched, s.reference, s.other), (1, 1, 1));
        let rep = report(
            &[("lan".into(), "minh".into(), &acc)],
            &["has_title".into(), "allied_with".into()],
        )
        .unwrap();
        let names: Vec<&str> = rep.types.0.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["has_title", "allied_with"], "schema order");
        let f = &rep.types.get("has_title").unwrap();
        assert_eq!((f.precision, f.recall), (Some(1.0 / 3.0), Some(0.5)));
        assert_eq!(f.f1, Some(2.0 / 5.0));
        // Overall: 2 matched of 3 and 4.
        assert_eq!(rep.overall.f1, Some(4.0 / 7.0));
    }

    #[test]
    fn one_relation_matches_at_most_one_of_the_other_side() {
        let x = r((0, 1), (2, 3), "of", false);
        let mut acc = PerType::new();
        add_pair(&mut acc, &[x.clone(), x.clone()], std::slice::from_ref(&x));
        assert_eq!(acc["of"].matched, 1);
    }

    #[test]
    fn no_relations_no_section() {
        assert_eq!(
            report(&[("a".into(), "b".into(), &PerType::new())], &[]),
            None
        );
    }
}
