//! `nhan report --out FILE.html`: the dashboard's figures as one
//! self-contained HTML page (inline SVG and CSS; no script, nothing fetched)
//! for someone who does not use a terminal. The figures are `nhan stats`'
//! own (`commands::compute_stats`), so the page and `stats --json` agree.

use nhan_figures::counts::{Stats, compute_stats};
use nhan_store::project::Project;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Articles named per label in "articles without it": the page stays
/// small at 100,000 articles (`stats --json` has them all).
const NAMED: usize = 20;

/// Palette for labels whose colour is not a plain CSS colour name.
const PALETTE: [&str; 8] = [
    "#d62728", "#1f77b4", "#2ca02c", "#bcbd22", "#9467bd", "#17becf", "#ff7f0e", "#7f7f7f",
];

/// Statuses as the stacked bar shows them, with their colours.
const STATUSES: [(&str, &str, &str); 4] = [
    ("todo", "todo", "#bbbbbb"),
    ("in_progress", "in progress", "#e6b800"),
    ("done", "done", "#4a7bd0"),
    ("reviewed", "reviewed", "#2ca02c"),
];

pub fn run(dir: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    let project = Project::list(dir)?;
    let stats = compute_stats(&project);
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    let html = render(&project, &stats, &name, &today());
    nhan_store::atomic::write_atomic(out, html.as_bytes()).map_err(|e| {
        anyhow::anyhow!(
            "{}: cannot write the report: {e}; choose another --out",
            out.display()
        )
    })?;
    eprintln!("wrote {} ({} bytes)", out.display(), html.len());
    Ok(ExitCode::SUCCESS)
}

/// Today as YYYY-MM-DD (UTC), or `SOURCE_DATE_EPOCH`'s day, for a page
/// that is the same byte for byte when built again.
fn today() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    civil(secs.div_euclid(86_400))
}

/// Days since 1970-01-01 as a proleptic Gregorian date (H. Hinnant's
/// `civil_from_days`).
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A label's colour from nhan.toml if it is a plain CSS name or hex
/// colour (the file is input: nothing else reaches the page).
fn colour(declared: Option<&str>, index: usize) -> String {
    match declared {
        Some(c)
            if !c.is_empty()
                && c.len() <= 20
                && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '#') =>
        {
            c.to_ascii_lowercase()
        }
        _ => PALETTE[index % PALETTE.len()].to_string(),
    }
}

/// A red-to-green colour for an agreement figure.
fn heat(v: f64) -> &'static str {
    if v >= 0.8 {
        "#9bd89b"
    } else if v >= 0.6 {
        "#f2dc7a"
    } else {
        "#f0a0a0"
    }
}

/// Horizontal bars as an SVG: `(name, value, text, colour)` per row.
fn bars(o: &mut String, rows: &[(String, f64, String, String)], max: f64) {
    const ROW: usize = 22;
    const LABEL: usize = 110;
    const WIDTH: usize = 360;
    let h = rows.len() * ROW + 4;
    let _ = write!(
        o,
        r#"<svg class="chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">"#,
        w = LABEL + WIDTH + 150
    );
    for (i, (name, v, text, c)) in rows.iter().enumerate() {
        let y = i * ROW + 2;
        let len = if max > 0.0 {
            (v / max * WIDTH as f64)
                .round()
                .max(if *v > 0.0 { 1.0 } else { 0.0 })
        } else {
            0.0
        };
        let _ = write!(
            o,
            r#"<text x="0" y="{ty}">{n}</text><rect x="{LABEL}" y="{y}" width="{len}" height="16" fill="{c}"/><text x="{tx}" y="{ty}">{t}</text>"#,
            ty = y + 13,
            n = esc(name),
            c = esc(c),
            tx = LABEL as f64 + len + 6.0,
            t = esc(text),
        );
    }
    o.push_str("</svg>\n");
}

pub fn render(project: &Project, st: &Stats, name: &str, date: &str) -> String {
    let ov = &st.overview;
    let mut o = String::with_capacity(32 * 1024);
    let _ = write!(
        o,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{n}: annotation report</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:60em}}
h1{{margin-bottom:0}} .date{{color:#666;margin-top:.2em}}
section{{margin:1.5em 0}} h2{{font-size:1.1em;border-bottom:1px solid #ccc}}
table{{border-collapse:collapse}} td,th{{padding:.2em .6em;text-align:right}}
td:first-child,th:first-child{{text-align:left}}
.chart text{{font:12px system-ui,sans-serif;fill:#222}}
.legend span{{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:middle}}
</style></head><body>
<h1>{n}</h1><p class="date">Annotation report, {d}</p>
"#,
        n = esc(name),
        d = esc(date)
    );
    // Progress: articles by status, one stacked bar.
    let _ = writeln!(
        o,
        "<section id=\"progress\"><h2>Progress</h2><p>{} articles, {} spans.</p>",
        st.articles, st.spans
    );
    let total: u64 = STATUSES
        .iter()
        .map(|s| st.by_status.get(s.0).copied().unwrap_or(0))
        .sum();
    o.push_str(r#"<svg class="chart" width="600" height="24" viewBox="0 0 600 24" role="img">"#);
    let mut x = 0.0;
    for (k, label, c) in STATUSES {
        let n = st.by_status.get(k).copied().unwrap_or(0);
        if n == 0 || total == 0 {
            continue;
        }
        let w = n as f64 / total as f64 * 600.0;
        let _ = write!(
            o,
            r#"<rect x="{x:.1}" y="0" width="{w:.1}" height="24" fill="{c}"><title>{label}: {n}</title></rect>"#
        );
        x += w;
    }
    o.push_str("</svg>\n<p class=\"legend\">");
    for (k, label, c) in STATUSES {
        let n = st.by_status.get(k).copied().unwrap_or(0);
        let _ = write!(o, r#"<span style="background:{c}"></span>{label} {n}"#);
    }
    o.push_str("</p>\n");
    let spans = ov.decided + ov.undecided;
    bars(
        &mut o,
        &[
            (
                "decided".into(),
                ov.decided as f64,
                ov.decided.to_string(),
                "#2ca02c".into(),
            ),
            (
                "undecided".into(),
                ov.undecided as f64,
                ov.undecided.to_string(),
                "#bbbbbb".into(),
            ),
        ],
        spans as f64,
    );
    o.push_str("</section>\n");
    // Annotators, and agreement between them.
    o.push_str("<section id=\"annotators\"><h2>Annotators</h2>\n<table><tr><th>annotator</th><th>articles</th><th>spans</th></tr>\n");
    for a in &ov.annotators {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.annotator),
            a.articles,
            a.spans
        );
    }
    o.push_str("</table>\n");
    if let Some(ag) = &ov.agreement {
        if let Some(e) = &ag.error {
            let _ = writeln!(o, "<p>Agreement: {}</p>", esc(e));
        } else {
            o.push_str("<h3>Cohen's κ per pair</h3>\n<table class=\"heatmap\"><tr><th></th>");
            for a in &ag.annotators {
                let _ = write!(o, "<th>{}</th>", esc(a));
            }
            o.push_str("</tr>\n");
            for a in &ag.annotators {
                let _ = write!(o, "<tr><th>{}</th>", esc(a));
                for b in &ag.annotators {
                    let k = ag
                        .pairs
                        .iter()
                        .find(|p| {
                            (p.reference == *a && p.other == *b)
                                || (p.reference == *b && p.other == *a)
                        })
                        .and_then(|p| p.cohen_kappa);
                    match k {
                        Some(k) if a != b => {
                            let _ = write!(o, r#"<td style="background:{}">{k:.2}</td>"#, heat(k));
                        }
                        _ => o.push_str("<td></td>"),
                    }
                }
                o.push_str("</tr>\n");
            }
            o.push_str("</table>\n");
        }
    }
    o.push_str("</section>\n");
    // Labels: spans per label in the labels' colours; articles without each.
    o.push_str("<section id=\"labels\"><h2>Spans per label</h2>\n");
    let schema = &project.schema;
    let rows: Vec<_> = ov
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let place = schema.index_of(&l.label);
            let c = colour(
                place.and_then(|p| schema.labels[p].color.as_deref()),
                place.unwrap_or(i),
            );
            (
                l.label.clone(),
                l.spans as f64,
                format!("{} ({} articles without)", l.spans, l.articles_without),
                c,
            )
        })
        .collect();
    let max = ov.labels.iter().map(|l| l.spans).max().unwrap_or(0) as f64;
    bars(&mut o, &rows, max);
    for l in ov.labels.iter().filter(|l| l.articles_without > 0) {
        let names: Vec<&str> = st
            .per_article
            .iter()
            .filter(|a| !a.by_label.keys().any(|k| **k == *l.label))
            .map(|a| a.article.as_str())
            .take(NAMED)
            .collect();
        let more = (l.articles_without as usize).saturating_sub(names.len());
        let _ = write!(
            o,
            "<details><summary>{} articles without {}</summary><ul>",
            l.articles_without,
            esc(&l.label)
        );
        for n in names {
            let _ = write!(o, "<li>{}</li>", esc(n));
        }
        if more > 0 {
            let _ = write!(o, "<li>… and {more} more (nhan stats --json)</li>");
        }
        o.push_str("</ul></details>\n");
    }
    o.push_str("</section>\n");
    // Agreement per label, worst first.
    if let Some(ag) = ov.agreement.as_ref().filter(|a| a.error.is_none()) {
        o.push_str("<section id=\"agreement\"><h2>Agreement per label (strict span F1, worst first)</h2>\n");
        let rows: Vec<_> = ag
            .labels
            .iter()
            .map(|l| {
                (
                    l.label.clone(),
                    l.strict_f1,
                    format!("{:.2}", l.strict_f1),
                    heat(l.strict_f1).to_string(),
                )
            })
            .collect();
        bars(&mut o, &rows, 1.0);
        o.push_str("</section>\n");
    }
    // Suggestions: accepted vs rejected per recommender.
    o.push_str("<section id=\"suggestions\"><h2>Suggestions</h2>\n");
    if ov.suggestions.is_empty() {
        o.push_str("<p>None accepted or rejected yet.</p>\n");
    } else {
        let mut rows = Vec::new();
        for s in &ov.suggestions {
            rows.push((
                format!("{} ✓", s.recommender),
                s.accepted as f64,
                format!("{} accepted", s.accepted),
                "#2ca02c".to_string(),
            ));
            rows.push((
                format!("{} ✗", s.recommender),
                s.rejected as f64,
                format!("{} rejected", s.rejected),
                "#d62728".to_string(),
            ));
        }
        let max = rows.iter().map(|r| r.1).fold(0.0, f64::max);
        bars(&mut o, &rows, max);
    }
    o.push_str("</section>\n");
    // Relations per type, once nhan has relations.
    if !ov.relations.is_empty() {
        o.push_str("<section id=\"relations\"><h2>Relations</h2>\n");
        let rows: Vec<_> = ov
            .relations
            .iter()
            .map(|r| {
                (
                    r.relation.clone(),
                    r.count as f64,
                    r.count.to_string(),
                    "#7f7f7f".to_string(),
                )
            })
            .collect();
        let max = rows.iter().map(|r| r.1).fold(0.0, f64::max);
        bars(&mut o, &rows, max);
        o.push_str("</section>\n");
    }
    let _ = writeln!(
        o,
        "<section id=\"review\"><h2>Review</h2><p>{} accepted, {} fixed, {} rejected, {} unreviewed; {} consistency cases.</p></section>",
        st.review.accepted,
        st.review.fixed,
        st.review.rejected,
        st.review.unreviewed,
        st.consistency.len()
    );
    o.push_str("</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_gregorian() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(19_723), "2024-01-01");
        assert_eq!(civil(20_794), "2026-12-07");
    }

    #[test]
    fn a_hostile_colour_or_name_never_reaches_the_page_as_markup() {
        assert_eq!(colour(Some("red"), 0), "red");
        assert_eq!(colour(Some("red;}</style>"), 1), PALETTE[1]);
        assert_eq!(esc("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
    }
}
