//! Property: any valid project (text with NFD letters, emoji, CRLF, odd
//! spacing; spans on grapheme boundaries that nest but never cross, aligned
//! to tokens or not) exports to CoNLL whose lines are `token TAG`, whose
//! tokens are nhan's tokens in order, whose tags are well-formed for the
//! scheme in every sentence, and whose entities are exactly the spans the
//! flat format keeps, while every other span is in the loss report.

use nhan_formats::flat::{flatten, sentences};
use nhan_formats::{ExportDoc, Scheme, conll};
use nhan_model::document::Document;
use nhan_model::edit::Edit;
use nhan_model::schema::Overlap;
use nhan_model::text::Text;
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "Hà",
    "Nội",
    "Nguye\u{302}\u{303}n",
    "Phu\u{301}",
    "TP.HCM",
    "34-NQ/TW",
    "👍",
    "👨\u{200d}👩\u{200d}👧",
    "St.",
    "Ông",
    "a",
    "(",
    ")",
    "“Đảng”",
    "2024",
];
const SEPS: &[&str] = &[
    " ", " ", " ", "\n", "\r\n", ". ", ", ", "\u{a0}", "  ", "! ", "\n\n", "",
];
const LABELS: &[&str] = &["PER", "ORG", "LOC"];

fn project() -> impl Strategy<Value = (String, Vec<(usize, usize, bool, usize)>)> {
    let text = prop::collection::vec((0..PIECES.len(), 0..SEPS.len()), 0..40).prop_map(|v| {
        v.into_iter()
            .map(|(p, s)| format!("{}{}", PIECES[p], SEPS[s]))
            .collect::<String>()
    });
    let spans = prop::collection::vec(
        (0usize..400, 0usize..400, any::<bool>(), 0..LABELS.len()),
        0..25,
    );
    (text, spans)
}

fn build(
    text: &str,
    raw: &[(usize, usize, bool, usize)],
) -> (Document, Vec<nhan_model::span::Span>) {
    let mut doc = Document::new("p.txt", Text::new(text), "");
    let n = doc.text().len_chars();
    let k = doc.tokens().len();
    for &(a, b, aligned, l) in raw {
        let (s, e) = if aligned && k > 0 {
            let (i, j) = ((a % k).min(b % k), (a % k).max(b % k));
            (doc.tokens().get(i).start, doc.tokens().get(j).end)
        } else if n > 0 {
            let (x, y) = (
                (a % (n + 1)).min(b % (n + 1)),
                (a % (n + 1)).max(b % (n + 1)),
            );
            (doc.text().floor_grapheme(x), doc.text().floor_grapheme(y))
        } else {
            continue;
        };
        if doc.check_new_extent(s, e, Overlap::Nested, None).is_err()
            || doc.spans().with_extent(s, e).is_some()
        {
            continue;
        }
        let span = doc.make_span(s, e, LABELS[l], None);
        doc.apply(&Edit::Add(span));
    }
    let spans = doc.spans().iter().cloned().collect();
    (doc, spans)
}

fn split(tag: &str) -> (char, &str) {
    if tag == "O" {
        return ('O', "");
    }
    let (p, l) = tag.split_once('-').expect("prefix-label");
    assert!(!l.is_empty(), "{tag}");
    (p.chars().next().unwrap(), l)
}

/// Checks one sentence's tags and returns its entities (token offsets
/// within the sentence, label).
fn read_sentence(tags: &[&str], scheme: Scheme) -> Result<Vec<(usize, usize, String)>, String> {
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    let mut open: Option<(usize, String)> = None;
    let mut prev: (char, &str) = ('O', "");
    for (i, t) in tags.iter().enumerate() {
        let (p, l) = split(t);
        let close = |open: &mut Option<(usize, String)>, out: &mut Vec<(usize, usize, String)>| {
            if let Some((s, l)) = open.take() {
                out.push((s, i, l));
            }
        };
        match scheme {
            Scheme::Iob2 => match p {
                'O' => close(&mut open, &mut out),
                'B' => {
                    close(&mut open, &mut out);
                    open = Some((i, l.into()));
                }
                'I' if prev.0 != 'O' && prev.1 == l => {}
                _ => return Err(format!("iob2: {t} at {i} after {prev:?}")),
            },
            Scheme::Iob1 => match p {
                'O' => close(&mut open, &mut out),
                'I' if prev.0 != 'O' && prev.1 == l => {}
                'I' => {
                    close(&mut open, &mut out);
                    open = Some((i, l.into()));
                }
                'B' if prev.0 != 'O' && prev.1 == l => {
                    close(&mut open, &mut out);
                    open = Some((i, l.into()));
                }
                _ => return Err(format!("iob1: {t} at {i} after {prev:?}")),
            },
            Scheme::Bioes => match (p, prev.0) {
                ('O' | 'B' | 'S', 'O' | 'E' | 'S') => {
                    if p == 'B' {
                        open = Some((i, l.into()));
                    }
                    if p == 'S' {
                        out.push((i, i + 1, l.into()));
                    }
                }
                ('I' | 'E', 'B' | 'I') if prev.1 == l => {
                    if p == 'E' {
                        close(&mut open, &mut out);
                        out.last_mut().unwrap().1 = i + 1;
                    }
                }
                _ => return Err(format!("bioes: {t} at {i} after {prev:?}")),
            },
        }
        prev = (p, l);
    }
    if scheme == Scheme::Bioes && matches!(prev.0, 'B' | 'I') {
        return Err("bioes: unfinished entity at the end of the sentence".into());
    }
    if let Some((s, l)) = open {
        out.push((s, tags.len(), l));
    }
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn conll_tags_are_well_formed_for_every_scheme((text, raw) in project()) {
        let (doc, spans) = build(&text, &raw);
        let (flat, lost) = flatten(&doc, &spans);
        prop_assert_eq!(flat.len() + lost.len(), spans.len(), "no span is dropped silently");
        let sents = sentences(&doc, &flat);
        let want: Vec<(usize, usize, String)> =
            flat.iter().map(|f| (f.tokens.start, f.tokens.end, f.label.to_string())).collect();
        let ed = ExportDoc { doc: doc.clone(), spans, flat, sentences: sents };
        for scheme in [Scheme::Iob2, Scheme::Iob1, Scheme::Bioes] {
            let out = conll::document(&ed, scheme);
            let mut words = Vec::new();
            let mut got = Vec::new();
            let mut base = 0;
            prop_assert!(out.is_empty() || out.ends_with("\n\n"));
            for block in out.split_terminator("\n\n") {
                prop_assert!(!block.is_empty(), "no empty sentence");
                let mut tags = Vec::new();
                for line in block.split('\n') {
                    let cols: Vec<&str> = line.split_whitespace().collect();
                    prop_assert_eq!(cols.len(), 2, "line {:?}", line);
                    prop_assert_eq!(format!("{} {}", cols[0], cols[1]), line);
                    words.push(cols[0].to_string());
                    tags.push(cols[1]);
                }
                let ents = read_sentence(&tags, scheme);
                prop_assert!(ents.is_ok(), "{:?}: {:?}", ents, tags);
                got.extend(ents.unwrap().into_iter().map(|(s, e, l)| (s + base, e + base, l)));
                base += tags.len();
            }
            let toks: Vec<String> = doc.tokens().iter().map(|r| doc.text().slice(r.start, r.end).to_string()).collect();
            prop_assert_eq!(&words, &toks);
            prop_assert_eq!(&got, &want, "{:?}", scheme);
        }
    }
}
