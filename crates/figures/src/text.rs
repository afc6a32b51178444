//! The human-readable agreement report, rendered from the report data.

use super::shape::Report;
use super::stats::Scheme;
use nhan_model::escape::{self, count};
use std::fmt::Write as _;

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "  –  ".to_string(), |x| format!("{x:>5.3}"))
}

/// User data (annotator names, labels, file names) as the terminal may
/// show it.
fn e(s: &str) -> String {
    escape::line(s).into_owned()
}

/// The human-readable report.
pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let names: Vec<String> = r.annotators.iter().map(|n| e(n)).collect();
    let ov = &r.overall;
    let _ = writeln!(
        o,
        "Agreement of {} annotators ({}) on {}, {}",
        names.len(),
        names.join(", "),
        count(ov.articles as u64, "article", "articles"),
        count(ov.tokens as u64, "token", "tokens")
    );
    let _ = writeln!(
        o,
        "(token tags: the label of the innermost span touching the token, else O)\n"
    );
    let _ = writeln!(o, "Overall");
    let _ = writeln!(
        o,
        "  Krippendorff's alpha (nominal)   {}",
        num(ov.krippendorff_alpha)
    );
    let _ = writeln!(
        o,
        "  Fleiss' kappa                    {}   ({} all {} annotated)",
        num(ov.fleiss_kappa),
        count(ov.fleiss_articles as u64, "article", "articles"),
        names.len()
    );
    let _ = writeln!(
        o,
        "  Cohen's kappa, mean of pairs     {}",
        num(ov.cohen_kappa_mean)
    );
    let _ = writeln!(
        o,
        "\nSpans, all pairs together          precision recall    F1"
    );
    let what = [
        (Scheme::Strict, "same extent and label"),
        (Scheme::Exact, "same extent, any label"),
        (Scheme::Partial, "overlap, any label; half"),
        (Scheme::EntType, "overlap, same label"),
    ];
    for (sch, desc) in what {
        let c = &ov.spans.scheme(sch).overall;
        let _ = writeln!(
            o,
            "  {:<9}{desc:<26}{:>8}{:>7}{:>7}",
            sch.name(),
            num(Some(c.precision)),
            num(Some(c.recall)),
            num(Some(c.f1))
        );
    }
    let _ = writeln!(
        o,
        "\nPer label (strict / partial F1, all pairs)  reference spans  other spans"
    );
    let partial = &ov.spans.scheme(Scheme::Partial).labels;
    for (l, c) in &ov.spans.scheme(Scheme::Strict).labels.0 {
        let p = partial.get(l).map(|p| p.f1);
        let _ = writeln!(
            o,
            "  {:<12}{:>8}{:>8}{:>16}{:>13}",
            e(l),
            num(Some(c.f1)),
            num(p),
            c.possible,
            c.actual
        );
    }
    let _ = writeln!(
        o,
        "\nPairs (reference → other)       articles  tokens  kappa  alpha  strict F1  partial F1"
    );
    for p in &r.pairs {
        let pair = format!("{} → {}", e(&p.reference), e(&p.other));
        let _ = writeln!(
            o,
            "  {pair:<30}{:>8}{:>8}{:>7}{:>7}{:>11}{:>12}",
            p.articles,
            p.tokens,
            num(p.cohen_kappa),
            num(p.krippendorff_alpha),
            num(Some(p.spans.scheme(Scheme::Strict).overall.f1)),
            num(Some(p.spans.scheme(Scheme::Partial).overall.f1)),
        );
    }
    let labels: Vec<String> = r.labels.iter().map(|l| e(l)).collect();
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
    for (l, row) in labels.iter().zip(&ov.confusion) {
        let _ = write!(o, "  {l:<w$}");
        for c in row {
            let _ = write!(o, "{c:>w$}");
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(
        o,
        "\nArticles, lowest agreement first   alpha  kappa  strict F1  annotators"
    );
    for a in &r.articles {
        let _ = writeln!(
            o,
            "  {:<32}{:>6}{:>7}{:>11}  {}",
            e(&a.article),
            num(a.krippendorff_alpha),
            num(a.cohen_kappa_mean),
            num(Some(a.strict_f1)),
            e(&a.annotators.join(", "))
        );
    }
    let missing: Vec<String> = r
        .missing
        .0
        .iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(k, list)| format!("  {} has no sidecar for {}", e(k), e(&list.join(", "))))
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
    if !r.skipped.is_empty() {
        let skipped: Vec<&str> = r.skipped.iter().map(|s| s.article.as_str()).collect();
        let _ = writeln!(
            o,
            "\nFewer than two annotators, no agreement: {}",
            e(&skipped.join(", "))
        );
    }
    super::attributes::render(&mut o, &r.attributes);
    super::relations::render(&mut o, &r.relations);
    for w in &r.warnings {
        let _ = writeln!(o, "warning: {}", e(w));
    }
    o
}
