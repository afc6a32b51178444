//! Computing the agreement report from the loaded work, and showing it.
//! The JSON shape is a contract: see docs/AGREEMENT.md.

use super::data::{ASpan, Work};
use super::shape::{
    ArticleRow, Ordered, Overall, Pair, Report, SchemeFigures, SchemeSpans, Skipped, SpanFigures,
};
use super::stats::{self, Confusion, Counts, Ent, Scheme};
use std::collections::BTreeSet;
use std::ops::Range;

/// The version of the `--json` shape.
pub const FORMAT: u64 = 1;

/// Tag index 0 is "O"; labels follow in schema order, then any other label
/// the annotators used, alphabetically.
pub struct Labels {
    pub names: Vec<String>,
}

impl Labels {
    fn build(work: &Work) -> Labels {
        let mut used = BTreeSet::new();
        for art in &work.articles {
            for s in art.spans.iter().flatten().flatten() {
                used.insert(s.label.clone());
            }
        }
        let mut names = vec!["O".to_string()];
        for l in &work.schema_labels {
            if used.remove(l) {
                names.push(l.clone());
            }
        }
        names.extend(used);
        Labels { names }
    }

    fn id(&self, name: &str) -> u32 {
        self.names
            .iter()
            .position(|n| n == name)
            .expect("every label was collected") as u32
    }
}

/// One tag per token: the label of the innermost span that shares at least
/// one char with the token (shortest; ties: earlier start, then label), or
/// "O" (0) when no span touches it.
pub fn token_tags(tokens: &[Range<usize>], spans: &[ASpan], labels: &Labels) -> Vec<u32> {
    tokens
        .iter()
        .map(|t| {
            spans
                .iter()
                .take_while(|s| s.start < t.end)
                .filter(|s| s.end > t.start)
                .min_by(|a, b| {
                    (a.end - a.start, a.start, &a.label).cmp(&(b.end - b.start, b.start, &b.label))
                })
                .map_or(0, |s| labels.id(&s.label))
        })
        .collect()
}

fn ents(spans: &[ASpan], labels: &Labels) -> Vec<Ent> {
    spans
        .iter()
        .map(|s| Ent::from_half_open(labels.id(&s.label), s.start, s.end))
        .collect()
}

/// Span counts for one comparison: per scheme, overall and per label.
#[derive(Clone)]
struct SpanCounts {
    overall: [Counts; 4],
    /// Indexed by tag id; `None` for labels neither side used.
    per_label: Vec<Option<[Counts; 4]>>,
}

impl SpanCounts {
    fn new(n_labels: usize) -> Self {
        SpanCounts {
            overall: [Counts::default(); 4],
            per_label: vec![None; n_labels],
        }
    }

    /// Adds one document, nervaluate style: `truth` is the reference side.
    fn add_doc(&mut self, truth: &[Ent], pred: &[Ent]) {
        for (k, sch) in Scheme::ALL.iter().enumerate() {
            self.overall[k].add(&stats::evaluate(*sch, truth, pred));
        }
        let used: BTreeSet<u32> = truth.iter().chain(pred).map(|e| e.label).collect();
        for l in used {
            let t: Vec<Ent> = truth.iter().copied().filter(|e| e.label == l).collect();
            let p: Vec<Ent> = pred.iter().copied().filter(|e| e.label == l).collect();
            let slot = self.per_label[l as usize].get_or_insert([Counts::default(); 4]);
            for (k, sch) in Scheme::ALL.iter().enumerate() {
                slot[k].add(&stats::evaluate(*sch, &t, &p));
            }
        }
    }

    fn add(&mut self, o: &SpanCounts) {
        for k in 0..4 {
            self.overall[k].add(&o.overall[k]);
        }
        for (a, b) in self.per_label.iter_mut().zip(&o.per_label) {
            if let Some(b) = b {
                let a = a.get_or_insert([Counts::default(); 4]);
                for k in 0..4 {
                    a[k].add(&b[k]);
                }
            }
        }
    }

    fn report(&self, labels: &Labels) -> SchemeSpans {
        SchemeSpans(
            Scheme::ALL
                .iter()
                .enumerate()
                .map(|(k, sch)| {
                    let labels = self
                        .per_label
                        .iter()
                        .enumerate()
                        .filter_map(|(l, c)| {
                            c.as_ref()
                                .map(|c| (labels.names[l].clone(), SpanFigures::of(&c[k], *sch)))
                        })
                        .collect();
                    (
                        sch.name(),
                        SchemeFigures {
                            overall: SpanFigures::of(&self.overall[k], *sch),
                            labels,
                        },
                    )
                })
                .collect(),
        )
    }
}

fn confusion_rows(c: &Confusion) -> Vec<Vec<u64>> {
    c.rows().map(<[u64]>::to_vec).collect()
}

/// Value counts per token for a set of raters (for alpha and Fleiss).
fn unit_counts(tags: &[&Vec<u32>], n_tokens: usize, n_labels: usize) -> Vec<u64> {
    let mut v = vec![0u64; n_tokens * n_labels];
    for t in tags {
        for (i, &tag) in t.iter().enumerate() {
            v[i * n_labels + tag as usize] += 1;
        }
    }
    v
}

fn mean(xs: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let defined: Vec<f64> = xs.flatten().collect();
    (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64)
}

/// Everything `nhan agree` reports.
pub fn compute(work: &Work) -> Report {
    let labels = Labels::build(work);
    let nl = labels.names.len();
    let na = work.annotators.len();
    // Tags and entities per article and annotator.
    let tags: Vec<Vec<Option<Vec<u32>>>> = work
        .articles
        .iter()
        .map(|art| {
            art.spans
                .iter()
                .map(|s| s.as_ref().map(|s| token_tags(&art.tokens, s, &labels)))
                .collect()
        })
        .collect();
    let entities: Vec<Vec<Option<Vec<Ent>>>> = work
        .articles
        .iter()
        .map(|art| {
            art.spans
                .iter()
                .map(|s| s.as_ref().map(|s| ents(s, &labels)))
                .collect()
        })
        .collect();

    // Pairs.
    let mut pairs = Vec::new();
    let mut all_spans = SpanCounts::new(nl);
    let mut all_conf = Confusion::new(nl);
    let mut kappas = Vec::new();
    for a in 0..na {
        for b in a + 1..na {
            let mut spans = SpanCounts::new(nl);
            let mut conf = Confusion::new(nl);
            let mut units = Vec::new();
            let mut n_articles = 0;
            for (i, _) in work.articles.iter().enumerate() {
                let (Some(ta), Some(tb)) = (&tags[i][a], &tags[i][b]) else {
                    continue;
                };
                n_articles += 1;
                conf.count(ta, tb);
                units.extend(unit_counts(&[ta, tb], ta.len(), nl));
                let (ea, eb) = (
                    entities[i][a].as_ref().expect("tagged"),
                    entities[i][b].as_ref().expect("tagged"),
                );
                spans.add_doc(ea, eb);
            }
            let kappa = conf.cohen_kappa();
            kappas.push(kappa);
            let alpha = stats::krippendorff_alpha_nominal(units.chunks(nl));
            all_spans.add(&spans);
            all_conf.add(&conf);
            pairs.push(Pair {
                reference: work.annotators[a].clone(),
                other: work.annotators[b].clone(),
                articles: n_articles,
                tokens: conf.total(),
                cohen_kappa: kappa,
                krippendorff_alpha: alpha,
                spans: spans.report(&labels),
                confusion: confusion_rows(&conf),
            });
        }
    }

    // Articles: per article over the annotators who did it; overall alpha
    // over every article two or more did; Fleiss over those all did.
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut alpha_units: Vec<u64> = Vec::new();
    let mut fleiss_rows: Vec<Vec<u64>> = Vec::new();
    let (mut fleiss_articles, mut overall_articles, mut overall_tokens) = (0usize, 0usize, 0usize);
    for (i, art) in work.articles.iter().enumerate() {
        let present: Vec<usize> = (0..na).filter(|&a| tags[i][a].is_some()).collect();
        let names: Vec<String> = present
            .iter()
            .map(|&a| work.annotators[a].clone())
            .collect();
        if present.len() < 2 {
            skipped.push(Skipped {
                article: art.file_name.clone(),
                annotators: names,
            });
            continue;
        }
        overall_articles += 1;
        overall_tokens += art.tokens.len();
        let t: Vec<&Vec<u32>> = present
            .iter()
            .map(|&a| tags[i][a].as_ref().expect("present"))
            .collect();
        let u = unit_counts(&t, art.tokens.len(), nl);
        let alpha = stats::krippendorff_alpha_nominal(u.chunks(nl));
        alpha_units.extend_from_slice(&u);
        if present.len() == na {
            fleiss_articles += 1;
            fleiss_rows.extend(u.chunks(nl).map(<[u64]>::to_vec));
        }
        let mut spans = SpanCounts::new(nl);
        let mut ks = Vec::new();
        for (x, &a) in present.iter().enumerate() {
            for &b in &present[x + 1..] {
                let mut c = Confusion::new(nl);
                c.count(t[x], tags[i][b].as_ref().expect("present"));
                ks.push(c.cohen_kappa());
                spans.add_doc(
                    entities[i][a].as_ref().expect("present"),
                    entities[i][b].as_ref().expect("present"),
                );
            }
        }
        rows.push(ArticleRow {
            article: art.file_name.clone(),
            annotators: names,
            tokens: art.tokens.len(),
            krippendorff_alpha: alpha,
            cohen_kappa_mean: mean(ks.into_iter()),
            strict_f1: spans.overall[0].prf(Scheme::Strict).f1,
            partial_f1: spans.overall[2].prf(Scheme::Partial).f1,
        });
    }
    rows.sort_by(|x, y| {
        let kx = x.krippendorff_alpha.unwrap_or(1.0);
        let ky = y.krippendorff_alpha.unwrap_or(1.0);
        kx.total_cmp(&ky).then_with(|| x.article.cmp(&y.article))
    });
    let missing = work
        .annotators
        .iter()
        .enumerate()
        .map(|(a, name)| {
            let m: Vec<String> = work
                .articles
                .iter()
                .enumerate()
                .filter(|(i, _)| tags[*i][a].is_none())
                .map(|(_, art)| art.file_name.clone())
                .collect();
            (name.clone(), m)
        })
        .collect();

    Report {
        nhan_agree: FORMAT,
        annotators: work.annotators.clone(),
        tag_rule: "innermost",
        labels: labels.names.clone(),
        overall: Overall {
            articles: overall_articles,
            tokens: overall_tokens,
            krippendorff_alpha: stats::krippendorff_alpha_nominal(alpha_units.chunks(nl)),
            fleiss_kappa: stats::fleiss_kappa(&fleiss_rows),
            fleiss_articles,
            fleiss_tokens: fleiss_rows.len(),
            cohen_kappa_mean: mean(kappas.into_iter()),
            spans: all_spans.report(&labels),
            confusion: confusion_rows(&all_conf),
        },
        pairs,
        articles: rows,
        skipped,
        missing: Ordered(missing),
        warnings: work.warnings.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: usize, end: usize, label: &str) -> ASpan {
        ASpan {
            start,
            end,
            label: label.into(),
        }
    }

    fn labels() -> Labels {
        Labels {
            names: ["O", "PER", "ORG", "LOC"].map(String::from).to_vec(),
        }
    }

    #[test]
    fn innermost_span_tags_each_token() {
        // "Ban Đối ngoại Trung ương ở Hà Nội"
        //  0   4   8      15    21  25 27 30
        let toks = [0..3, 4..7, 8..13, 14..19, 20..24, 25..26, 27..29, 30..33];
        let mut spans = vec![
            sp(0, 24, "ORG"),  // Ban Đối ngoại Trung ương
            sp(14, 24, "LOC"), // Trung ương, nested
            sp(27, 31, "LOC"), // "Hà N": ends inside the token "Nội"
        ];
        spans.sort();
        let t = token_tags(&toks, &spans, &labels());
        assert_eq!(t, [2, 2, 2, 3, 3, 0, 3, 3]);
    }

    #[test]
    fn same_length_tie_goes_to_the_earlier_span_then_label() {
        // Two 3-char spans both touch token 2..5.
        let toks = [2..5, 10..12];
        let mut spans = vec![sp(4, 7, "PER"), sp(0, 3, "LOC")];
        spans.sort();
        assert_eq!(token_tags(&toks, &spans, &labels()), [3, 0]);
        let mut spans = vec![sp(2, 5, "PER"), sp(2, 5, "LOC")];
        spans.sort();
        // Same extent: label order by name, "LOC" < "PER".
        assert_eq!(token_tags(&toks, &spans, &labels()), [3, 0]);
    }

    #[test]
    fn a_span_over_whitespace_only_tags_nothing() {
        let toks = [0..2, 5..7];
        let spans = vec![sp(2, 5, "PER")];
        assert_eq!(token_tags(&toks, &spans, &labels()), [0, 0]);
    }
}
