//! Computing the agreement report from the loaded work, and showing it.
//! The JSON shape is a contract: see docs/AGREEMENT.md.

use super::data::{ASpan, Article};
use super::shape::{
    ArticleRow, Overall, Pair, Report, SchemeFigures, SchemeSpans, Skipped, SpanFigures,
};
use super::stats::{self, Confusion, Counts, Ent, Scheme};
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

/// The version of the `--json` shape.
pub const FORMAT: u64 = 1;

/// Tag names by tag id; tag 0 is "O". In the report, labels follow in
/// schema order, then any other label the annotators used, alphabetically;
/// while the project is read, in the order they are met (see `Interner`).
pub struct Labels {
    pub names: Vec<String>,
}

impl Labels {
    fn id(&self, name: &str) -> u32 {
        self.names
            .iter()
            .position(|n| n == name)
            .expect("every label was collected") as u32
    }
}

/// Tag ids handed out as labels are met, on any thread. Every figure is
/// either independent of the numbering or renumbered at the end, so the
/// report does not depend on which article was read first.
#[derive(Default)]
struct Interner(Mutex<Vec<String>>);

impl Interner {
    /// The tags so far, after adding `spans`' labels: "O", then the labels
    /// met, in order.
    fn labels<'a>(&self, spans: impl Iterator<Item = &'a ASpan>) -> Labels {
        let mut met = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        for s in spans {
            if !met.contains(&s.label) {
                met.push(s.label.clone());
            }
        }
        let mut names = vec!["O".to_string()];
        names.extend(met.iter().cloned());
        Labels { names }
    }

    /// The report's tag names, and where each tag id goes among them.
    fn report_order(self, schema: &[String]) -> (Labels, Vec<usize>) {
        let met = self.0.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut used: BTreeSet<&String> = met.iter().collect();
        let mut names = vec!["O".to_string()];
        for l in schema {
            if used.remove(l) {
                names.push(l.clone());
            }
        }
        names.extend(used.into_iter().cloned());
        let mut place = vec![0];
        place.extend(met.iter().map(|l| {
            names
                .iter()
                .skip(1)
                .position(|n| n == l)
                .expect("every label met is named")
                + 1
        }));
        (Labels { names }, place)
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

    /// Adds counts over as many tags or fewer (tags met later have higher
    /// ids).
    fn add(&mut self, o: &SpanCounts) {
        for k in 0..4 {
            self.overall[k].add(&o.overall[k]);
        }
        if self.per_label.len() < o.per_label.len() {
            self.per_label.resize(o.per_label.len(), None);
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

    /// The counts with tag `t` renumbered `place[t]`, over `n` tags.
    fn renumbered(&self, n: usize, place: &[usize]) -> SpanCounts {
        let mut out = SpanCounts::new(n);
        out.overall = self.overall;
        for (t, c) in self.per_label.iter().enumerate() {
            out.per_label[place[t]] = *c;
        }
        out
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

/// What one article adds to the report: everything that needs its text and
/// spans, computed where it was read; only counts leave.
pub struct ArticlePart {
    file_name: String,
    /// Annotators with a sidecar for it.
    present: Vec<usize>,
    tokens: usize,
    /// Per pair of annotators that both did it (pair index, figures).
    pairs: Vec<(usize, PairPart)>,
    /// With two annotators or more: the row, and the value counts per token
    /// (`width` values each) over the annotators who did it.
    row: Option<ArticleRow>,
    units: Vec<u64>,
    width: usize,
    /// Attribute agreement over every pair that did it.
    attrs: super::attributes::PerAttribute,
    /// Relation counts per pair that did it (pair index, counts).
    relations: Vec<(usize, super::relations::PerType)>,
}

struct PairPart {
    conf: Confusion,
    spans: SpanCounts,
    /// Value counts per token for the two of them.
    units: Vec<u64>,
}

/// The pairs of annotators, in report order: (reference, other).
fn pairs_of(na: usize) -> Vec<(usize, usize)> {
    (0..na)
        .flat_map(|a| (a + 1..na).map(move |b| (a, b)))
        .collect()
}

struct PairAcc {
    articles: usize,
    conf: Confusion,
    spans: SpanCounts,
    alpha: stats::Alpha,
}

/// Computes each article's figures, on any thread.
pub struct Parts {
    annotators: Vec<String>,
    interner: Interner,
    pairs: Vec<(usize, usize)>,
    /// The schema's relation types, for the report's order.
    relation_types: Vec<String>,
}

/// The agreement report, folded article by article in project order.
pub struct Agreement {
    pair_acc: Vec<PairAcc>,
    rows: Vec<ArticleRow>,
    skipped: Vec<Skipped>,
    missing: Vec<Vec<String>>,
    alpha: stats::Alpha,
    fleiss: stats::Fleiss,
    fleiss_articles: usize,
    overall_articles: usize,
    overall_tokens: usize,
    attrs: super::attributes::PerAttribute,
    /// Relation counts per pair of annotators.
    relations: Vec<super::relations::PerType>,
}

impl Parts {
    pub fn new(annotators: &[String]) -> Parts {
        Parts {
            annotators: annotators.to_vec(),
            interner: Interner::default(),
            pairs: pairs_of(annotators.len()),
            relation_types: Vec::new(),
        }
    }

    /// The schema's relation types, in the order the report lists them.
    pub fn with_relation_types(mut self, names: Vec<String>) -> Parts {
        self.relation_types = names;
        self
    }

    /// One article's figures (any thread; the article is dropped after).
    pub fn part(&self, art: Article) -> ArticlePart {
        let na = self.annotators.len();
        let labels = self.interner.labels(art.spans.iter().flatten().flatten());
        let nl = labels.names.len();
        let tags: Vec<Option<Vec<u32>>> = art
            .spans
            .iter()
            .map(|s| s.as_ref().map(|s| token_tags(&art.tokens, s, &labels)))
            .collect();
        let entities: Vec<Option<Vec<Ent>>> = art
            .spans
            .iter()
            .map(|s| s.as_ref().map(|s| ents(s, &labels)))
            .collect();
        let present: Vec<usize> = (0..na).filter(|&a| tags[a].is_some()).collect();
        let mut part = ArticlePart {
            file_name: art.file_name,
            tokens: art.tokens.len(),
            pairs: Vec::new(),
            row: None,
            units: Vec::new(),
            width: nl,
            present: present.clone(),
            attrs: Default::default(),
            relations: Vec::new(),
        };
        for (p, &(a, b)) in self.pairs.iter().enumerate() {
            let (Some(ta), Some(tb)) = (&tags[a], &tags[b]) else {
                continue;
            };
            let mut conf = Confusion::new(nl);
            conf.count(ta, tb);
            let mut spans = SpanCounts::new(nl);
            spans.add_doc(
                entities[a].as_ref().expect("tagged"),
                entities[b].as_ref().expect("tagged"),
            );
            let units = unit_counts(&[ta, tb], ta.len(), nl);
            part.pairs.push((p, PairPart { conf, spans, units }));
            if let (Some(sa), Some(sb)) = (&art.spans[a], &art.spans[b]) {
                super::attributes::add_pair(&mut part.attrs, sa, sb);
            }
            if let (Some(ra), Some(rb)) = (&art.relations[a], &art.relations[b])
                && !(ra.is_empty() && rb.is_empty())
            {
                let mut counts = super::relations::PerType::new();
                super::relations::add_pair(&mut counts, ra, rb);
                part.relations.push((p, counts));
            }
        }
        if present.len() < 2 {
            return part;
        }
        let t: Vec<&Vec<u32>> = present
            .iter()
            .map(|&a| tags[a].as_ref().expect("present"))
            .collect();
        let u = unit_counts(&t, part.tokens, nl);
        let alpha = stats::krippendorff_alpha_nominal(u.chunks(nl));
        let mut spans = SpanCounts::new(nl);
        let mut ks = Vec::new();
        for (x, &a) in present.iter().enumerate() {
            for &b in &present[x + 1..] {
                let mut c = Confusion::new(nl);
                c.count(t[x], tags[b].as_ref().expect("present"));
                ks.push(c.cohen_kappa());
                spans.add_doc(
                    entities[a].as_ref().expect("present"),
                    entities[b].as_ref().expect("present"),
                );
            }
        }
        part.row = Some(ArticleRow {
            article: part.file_name.clone(),
            annotators: present
                .iter()
                .map(|&a| self.annotators[a].clone())
                .collect(),
            tokens: part.tokens,
            krippendorff_alpha: alpha,
            cohen_kappa_mean: mean(ks.into_iter()),
            strict_f1: spans.overall[0].prf(Scheme::Strict).f1,
            partial_f1: spans.overall[2].prf(Scheme::Partial).f1,
        });
        part.units = u;
        part
    }
}

impl Agreement {
    pub fn new(parts: &Parts) -> Agreement {
        Agreement {
            pair_acc: parts
                .pairs
                .iter()
                .map(|_| PairAcc {
                    articles: 0,
                    conf: Confusion::new(1),
                    spans: SpanCounts::new(1),
                    alpha: stats::Alpha::default(),
                })
                .collect(),
            rows: Vec::new(),
            skipped: Vec::new(),
            missing: vec![Vec::new(); parts.annotators.len()],
            alpha: stats::Alpha::default(),
            fleiss: stats::Fleiss::default(),
            fleiss_articles: 0,
            overall_articles: 0,
            overall_tokens: 0,
            attrs: Default::default(),
            relations: vec![Default::default(); parts.pairs.len()],
        }
    }

    /// Adds one article's figures; articles must come in project order (the
    /// sums of fractions are made in that order).
    pub fn add(&mut self, parts: &Parts, part: ArticlePart) {
        let w = part.width;
        super::attributes::merge(&mut self.attrs, &part.attrs);
        for (p, counts) in &part.relations {
            super::relations::merge(&mut self.relations[*p], counts);
        }
        for (p, pp) in part.pairs {
            let acc = &mut self.pair_acc[p];
            acc.articles += 1;
            acc.conf.add(&pp.conf);
            acc.spans.add(&pp.spans);
            pp.units.chunks(w).for_each(|u| acc.alpha.add_unit(u));
        }
        for (a, missing) in self.missing.iter_mut().enumerate() {
            if !part.present.contains(&a) {
                missing.push(part.file_name.clone());
            }
        }
        let Some(row) = part.row else {
            self.skipped.push(Skipped {
                article: part.file_name,
                annotators: part
                    .present
                    .iter()
                    .map(|&a| parts.annotators[a].clone())
                    .collect(),
            });
            return;
        };
        self.overall_articles += 1;
        self.overall_tokens += part.tokens;
        part.units.chunks(w).for_each(|u| self.alpha.add_unit(u));
        if part.present.len() == parts.annotators.len() {
            self.fleiss_articles += 1;
            part.units.chunks(w).for_each(|u| self.fleiss.add_row(u));
        }
        self.rows.push(row);
    }

    /// The report.
    pub fn finish(self, parts: Parts, schema_labels: &[String], warnings: Vec<String>) -> Report {
        let Parts {
            annotators,
            interner,
            pairs: pair_list,
            relation_types,
        } = parts;
        let relation_pairs: Vec<(String, String, &super::relations::PerType)> = pair_list
            .iter()
            .zip(&self.relations)
            .map(|(&(a, b), c)| (annotators[a].clone(), annotators[b].clone(), c))
            .collect();
        let relations = super::relations::report(&relation_pairs, &relation_types);
        let (labels, place) = interner.report_order(schema_labels);
        let nl = labels.names.len();
        let mut pairs = Vec::new();
        let mut all_spans = SpanCounts::new(nl);
        let mut all_conf = Confusion::new(nl);
        let mut kappas = Vec::new();
        for (&(a, b), acc) in pair_list.iter().zip(&self.pair_acc) {
            let conf = acc.conf.renumbered(nl, |t| place[t]);
            let spans = acc.spans.renumbered(nl, &place);
            let kappa = conf.cohen_kappa();
            kappas.push(kappa);
            all_spans.add(&spans);
            all_conf.add(&conf);
            pairs.push(Pair {
                reference: annotators[a].clone(),
                other: annotators[b].clone(),
                articles: acc.articles,
                tokens: conf.total(),
                cohen_kappa: kappa,
                krippendorff_alpha: acc.alpha.finish(),
                spans: spans.report(&labels),
                confusion: confusion_rows(&conf),
            });
        }
        let mut rows = self.rows;
        rows.sort_by(|x, y| {
            let kx = x.krippendorff_alpha.unwrap_or(1.0);
            let ky = y.krippendorff_alpha.unwrap_or(1.0);
            kx.total_cmp(&ky).then_with(|| x.article.cmp(&y.article))
        });
        Report {
            nhan_agree: FORMAT,
            tag_rule: "innermost",
            overall: Overall {
                articles: self.overall_articles,
                tokens: self.overall_tokens,
                krippendorff_alpha: self.alpha.finish(),
                fleiss_kappa: self.fleiss.finish(nl, |t| place[t]),
                fleiss_articles: self.fleiss_articles,
                fleiss_tokens: self.fleiss.subjects(),
                cohen_kappa_mean: mean(kappas.into_iter()),
                spans: all_spans.report(&labels),
                confusion: confusion_rows(&all_conf),
            },
            labels: labels.names,
            pairs,
            articles: rows,
            skipped: self.skipped,
            missing: annotators.iter().cloned().zip(self.missing).collect(),
            annotators,
            warnings,
            attributes: super::attributes::figures(&self.attrs),
            relations,
        }
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
            attrs: Vec::new(),
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
