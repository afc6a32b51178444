//! Computing the agreement report from the loaded work, and showing it.
//! The JSON shape is a contract: see docs/AGREEMENT.md.

use super::data::{ASpan, Work};
use super::stats::{self, Confusion, Counts, Ent, Scheme};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::fmt::Write as _;
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

    fn to_json(&self, labels: &Labels) -> Value {
        let mut out = Map::new();
        for (k, sch) in Scheme::ALL.iter().enumerate() {
            let mut per = Map::new();
            for (l, c) in self.per_label.iter().enumerate() {
                if let Some(c) = c {
                    per.insert(labels.names[l].clone(), counts_json(&c[k], *sch));
                }
            }
            out.insert(
                sch.name().into(),
                json!({"overall": counts_json(&self.overall[k], *sch), "labels": per}),
            );
        }
        Value::Object(out)
    }
}

fn counts_json(c: &Counts, sch: Scheme) -> Value {
    let m = c.prf(sch);
    json!({
        "correct": c.correct, "incorrect": c.incorrect, "partial": c.partial,
        "missed": c.missed, "spurious": c.spurious,
        "possible": c.possible(), "actual": c.actual(),
        "precision": m.precision, "recall": m.recall, "f1": m.f1,
    })
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, Value::from)
}

fn confusion_json(c: &Confusion) -> Value {
    Value::from(
        c.rows()
            .map(|r| Value::from(r.to_vec()))
            .collect::<Vec<_>>(),
    )
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

struct ArticleRow {
    file_name: String,
    annotators: Vec<String>,
    tokens: usize,
    alpha: Option<f64>,
    kappa_mean: Option<f64>,
    strict_f1: f64,
    partial_f1: f64,
}

/// Everything `nhan agree` reports, as the documented JSON value.
pub fn compute(work: &Work) -> Value {
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
            pairs.push(json!({
                "reference": work.annotators[a],
                "other": work.annotators[b],
                "articles": n_articles,
                "tokens": conf.total(),
                "cohen_kappa": opt(kappa),
                "krippendorff_alpha": opt(alpha),
                "spans": spans.to_json(&labels),
                "confusion": confusion_json(&conf),
            }));
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
            skipped.push(json!({"article": art.file_name, "annotators": names}));
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
            file_name: art.file_name.clone(),
            annotators: names,
            tokens: art.tokens.len(),
            alpha,
            kappa_mean: mean(ks.into_iter()),
            strict_f1: spans.overall[0].prf(Scheme::Strict).f1,
            partial_f1: spans.overall[2].prf(Scheme::Partial).f1,
        });
    }
    rows.sort_by(|x, y| {
        let kx = x.alpha.unwrap_or(1.0);
        let ky = y.alpha.unwrap_or(1.0);
        kx.total_cmp(&ky)
            .then_with(|| x.file_name.cmp(&y.file_name))
    });
    let articles: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "article": r.file_name,
                "annotators": r.annotators,
                "tokens": r.tokens,
                "krippendorff_alpha": opt(r.alpha),
                "cohen_kappa_mean": opt(r.kappa_mean),
                "strict_f1": r.strict_f1,
                "partial_f1": r.partial_f1,
            })
        })
        .collect();

    let mut missing = Map::new();
    for (a, name) in work.annotators.iter().enumerate() {
        let m: Vec<&str> = work
            .articles
            .iter()
            .enumerate()
            .filter(|(i, _)| tags[*i][a].is_none())
            .map(|(_, art)| art.file_name.as_str())
            .collect();
        missing.insert(name.clone(), json!(m));
    }

    json!({
        "nhan_agree": FORMAT,
        "annotators": work.annotators,
        "tag_rule": "innermost",
        "labels": labels.names,
        "overall": {
            "articles": overall_articles,
            "tokens": overall_tokens,
            "krippendorff_alpha": opt(stats::krippendorff_alpha_nominal(alpha_units.chunks(nl))),
            "fleiss_kappa": opt(stats::fleiss_kappa(&fleiss_rows)),
            "fleiss_articles": fleiss_articles,
            "fleiss_tokens": fleiss_rows.len(),
            "cohen_kappa_mean": opt(mean(kappas.into_iter())),
            "spans": all_spans.to_json(&labels),
            "confusion": confusion_json(&all_conf),
        },
        "pairs": pairs,
        "articles": articles,
        "skipped": skipped,
        "missing": missing,
        "warnings": work.warnings,
    })
}

fn num(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "  –  ".to_string(), |x| format!("{x:>5.3}"))
}

/// The human-readable report.
pub fn render(r: &Value) -> String {
    let mut o = String::new();
    let names: Vec<&str> = r["annotators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let ov = &r["overall"];
    let _ = writeln!(
        o,
        "Agreement of {} annotators ({}) on {} articles, {} tokens",
        names.len(),
        names.join(", "),
        ov["articles"],
        ov["tokens"]
    );
    let _ = writeln!(
        o,
        "(token tags: the label of the innermost span touching the token, else O)\n"
    );
    let _ = writeln!(o, "Overall");
    let _ = writeln!(
        o,
        "  Krippendorff's alpha (nominal)   {}",
        num(&ov["krippendorff_alpha"])
    );
    let _ = writeln!(
        o,
        "  Fleiss' kappa                    {}   ({} articles all {} annotated)",
        num(&ov["fleiss_kappa"]),
        ov["fleiss_articles"],
        names.len()
    );
    let _ = writeln!(
        o,
        "  Cohen's kappa, mean of pairs     {}",
        num(&ov["cohen_kappa_mean"])
    );
    let _ = writeln!(
        o,
        "\nSpans, all pairs together          precision recall    F1"
    );
    let what = [
        ("strict", "same extent and label"),
        ("exact", "same extent, any label"),
        ("partial", "overlap, any label; half"),
        ("ent_type", "overlap, same label"),
    ];
    for (k, desc) in what {
        let c = &ov["spans"][k]["overall"];
        let _ = writeln!(
            o,
            "  {k:<9}{desc:<26}{:>8}{:>7}{:>7}",
            num(&c["precision"]),
            num(&c["recall"]),
            num(&c["f1"])
        );
    }
    let _ = writeln!(
        o,
        "\nPer label (strict / partial F1, all pairs)  reference spans  other spans"
    );
    if let Some(per) = ov["spans"]["strict"]["labels"].as_object() {
        for (l, c) in per {
            let p = &ov["spans"]["partial"]["labels"][l];
            let _ = writeln!(
                o,
                "  {l:<12}{:>8}{:>8}{:>16}{:>13}",
                num(&c["f1"]),
                num(&p["f1"]),
                c["possible"].to_string(),
                c["actual"].to_string()
            );
        }
    }
    let _ = writeln!(
        o,
        "\nPairs (reference → other)       articles  tokens  kappa  alpha  strict F1  partial F1"
    );
    for p in r["pairs"].as_array().into_iter().flatten() {
        let pair = format!(
            "{} → {}",
            p["reference"].as_str().unwrap_or(""),
            p["other"].as_str().unwrap_or("")
        );
        let _ = writeln!(
            o,
            "  {pair:<30}{:>8}{:>8}{:>7}{:>7}{:>11}{:>12}",
            p["articles"].to_string(),
            p["tokens"].to_string(),
            num(&p["cohen_kappa"]),
            num(&p["krippendorff_alpha"]),
            num(&p["spans"]["strict"]["overall"]["f1"]),
            num(&p["spans"]["partial"]["overall"]["f1"]),
        );
    }
    let labels: Vec<&str> = r["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let w = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1)
        .max(7)
        + 1;
    let _ = writeln!(
        o,
        "\nToken confusion, all pairs (rows: reference, columns: other)"
    );
    let _ = write!(o, "  {:<w$}", "");
    for l in &labels {
        let _ = write!(o, "{l:>w$}");
    }
    let _ = writeln!(o);
    for (l, row) in labels
        .iter()
        .zip(ov["confusion"].as_array().into_iter().flatten())
    {
        let _ = write!(o, "  {l:<w$}");
        for c in row.as_array().into_iter().flatten() {
            let _ = write!(o, "{:>w$}", c.to_string());
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(
        o,
        "\nArticles, lowest agreement first   alpha  kappa  strict F1  annotators"
    );
    for a in r["articles"].as_array().into_iter().flatten() {
        let ann: Vec<&str> = a["annotators"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let _ = writeln!(
            o,
            "  {:<32}{:>6}{:>7}{:>11}  {}",
            a["article"].as_str().unwrap_or(""),
            num(&a["krippendorff_alpha"]),
            num(&a["cohen_kappa_mean"]),
            num(&a["strict_f1"]),
            ann.join(", ")
        );
    }
    let missing: Vec<String> = r["missing"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let list: Vec<&str> = v.as_array()?.iter().filter_map(Value::as_str).collect();
            (!list.is_empty()).then(|| format!("  {k} has no sidecar for {}", list.join(", ")))
        })
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(
            o,
            "\nNot annotated (left out of the pairs with that annotator)"
        );
        for m in missing {
            let _ = writeln!(o, "{m}");
        }
    }
    let skipped: Vec<&str> = r["skipped"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["article"].as_str())
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(
            o,
            "\nFewer than two annotators, no agreement: {}",
            skipped.join(", ")
        );
    }
    for w in r["warnings"].as_array().into_iter().flatten() {
        let _ = writeln!(o, "warning: {}", w.as_str().unwrap_or(""));
    }
    o
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
