//! Flat, token-level views of a document for the token formats (conll, hf):
//! which spans a flat tag sequence can hold (and why the others cannot),
//! sentence splitting that never cuts a span, and tagging in IOB2, IOB1 and
//! BIOES.

use super::quote;
use crate::core::document::Document;
use crate::core::span::Span;
use std::fmt;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// How entity tags are written in the token formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scheme {
    /// `B-` on every entity's first token, `I-` inside (CoNLL-2003 as most tools read it).
    #[default]
    Iob2,
    /// `I-` everywhere, `B-` only on an entity that directly follows one of the same label.
    Iob1,
    /// `B-` begin, `I-` inside, `E-` end, `S-` single-token entity.
    Bioes,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Iob2 => "iob2",
            Scheme::Iob1 => "iob1",
            Scheme::Bioes => "bioes",
        }
    }

    /// The tag names in index order: `O`, then for each label its prefixes.
    pub fn tag_names(self, labels: &[String]) -> Vec<String> {
        let prefixes: &[&str] = match self {
            Scheme::Iob2 | Scheme::Iob1 => &["B", "I"],
            Scheme::Bioes => &["B", "I", "E", "S"],
        };
        let mut v = vec!["O".to_string()];
        for l in labels {
            v.extend(prefixes.iter().map(|p| format!("{p}-{l}")));
        }
        v
    }
}

/// A span a flat format keeps: whole tokens `tokens` of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatSpan {
    pub tokens: Range<usize>,
    pub label: String,
}

/// Why a flat format cannot hold a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LossReason {
    /// An edge falls inside this token (the format tags whole tokens).
    InsideToken { token: String },
    /// An edge falls in whitespace, or the span holds no token at all.
    OutsideTokens,
    /// The span overlaps one that is kept (`nested`: it lies inside it).
    Overlaps {
        nested: bool,
        start: usize,
        end: usize,
        label: String,
        text: String,
    },
}

/// A span that a flat format leaves out, with where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    pub article: String,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub text: String,
    pub reason: LossReason,
}

impl fmt::Display for LossReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LossReason::InsideToken { token } => {
                write!(
                    f,
                    "an edge falls inside the token {}; the format tags whole tokens",
                    quote(token)
                )
            }
            LossReason::OutsideTokens => {
                f.write_str("an edge falls in whitespace; the format tags whole tokens")
            }
            LossReason::Overlaps {
                nested,
                start,
                end,
                label,
                text,
            } => write!(
                f,
                "{} {label} [{start}, {end}) {}, which is kept; the format holds one tag per token",
                if *nested { "nested in" } else { "crosses" },
                quote(text)
            ),
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "articles/{} [{}, {}) {} {}: {}",
            self.article,
            self.start,
            self.end,
            self.label,
            quote(&self.text),
            self.reason
        )
    }
}

/// Splits `spans` (any order) into those a flat, whole-token format keeps
/// and those it loses. Edges are checked first, so a misaligned outer span
/// does not push out a well-formed inner one; among overlapping spans the
/// one starting first (the longer on a tie, i.e. the outer) is kept.
pub fn flatten(doc: &Document, spans: &[Span]) -> (Vec<FlatSpan>, Vec<Loss>) {
    let mut order: Vec<&Span> = spans.iter().collect();
    order.sort_by(|a, b| {
        (a.start, std::cmp::Reverse(a.end), &a.label).cmp(&(
            b.start,
            std::cmp::Reverse(b.end),
            &b.label,
        ))
    });
    let tokens = &doc.tokens;
    let mut kept: Vec<FlatSpan> = Vec::new();
    let mut kept_spans: Vec<&Span> = Vec::new();
    let mut lost = Vec::new();
    for s in order {
        let loss = |reason| Loss {
            article: doc.file_name.clone(),
            start: s.start,
            end: s.end,
            label: s.label.clone(),
            text: s.text.clone(),
            reason,
        };
        let first = tokens.containing(s.start);
        let last = s.end.checked_sub(1).and_then(|e| tokens.containing(e));
        let (first, last) = match (first, last) {
            (Some(a), Some(b)) if s.start < s.end => (a, b),
            _ => {
                lost.push(loss(LossReason::OutsideTokens));
                continue;
            }
        };
        let (ra, rb) = (tokens.get(first), tokens.get(last));
        if ra.start != s.start || rb.end != s.end {
            let r = if ra.start != s.start { ra } else { rb };
            lost.push(loss(LossReason::InsideToken {
                token: doc.text.slice(r.start, r.end).to_string(),
            }));
            continue;
        }
        if let Some(prev) = kept_spans.last()
            && s.start < prev.end
        {
            lost.push(loss(LossReason::Overlaps {
                nested: s.end <= prev.end,
                start: prev.start,
                end: prev.end,
                label: prev.label.clone(),
                text: prev.text.clone(),
            }));
            continue;
        }
        kept.push(FlatSpan {
            tokens: first..last + 1,
            label: s.label.clone(),
        });
        kept_spans.push(s);
    }
    lost.sort_by(|a, b| (a.start, a.end, &a.label).cmp(&(b.start, b.end, &b.label)));
    (kept, lost)
}

/// Sentences as token-index ranges: a new sentence starts where the text
/// has a line break or a UAX #29 sentence boundary between two tokens,
/// unless a kept span covers both tokens. Empty sentences are skipped.
pub fn sentences(doc: &Document, flat: &[FlatSpan]) -> Vec<Range<usize>> {
    let text = &doc.text;
    let tokens = &doc.tokens;
    let n = tokens.len();
    if n == 0 {
        return Vec::new();
    }
    let bounds: Vec<usize> = text
        .as_str()
        .split_sentence_bound_indices()
        .map(|(b, _)| text.char_of_byte(b))
        .collect();
    // no_break[i]: a kept span holds tokens i - 1 and i.
    let mut no_break = vec![false; n];
    for f in flat {
        for nb in &mut no_break[f.tokens.start + 1..f.tokens.end] {
            *nb = true;
        }
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut bi = 0;
    for (i, &held) in no_break.iter().enumerate().skip(1) {
        let (prev_end, cur_start) = (tokens.get(i - 1).end, tokens.get(i).start);
        while bi < bounds.len() && bounds[bi] < prev_end {
            bi += 1;
        }
        let boundary = bounds.get(bi).is_some_and(|&b| b <= cur_start)
            || text.slice(prev_end, cur_start).contains(['\n', '\r']);
        if boundary && !held {
            out.push(start..i);
            start = i;
        }
    }
    out.push(start..n);
    out
}

/// The tags of the tokens `sentence` (a range of token indices), given the
/// kept spans of the document (sorted, disjoint, never cut by a sentence).
pub fn tags(sentence: Range<usize>, flat: &[FlatSpan], scheme: Scheme) -> Vec<String> {
    let mut out = vec!["O".to_string(); sentence.len()];
    let lo = flat.partition_point(|f| f.tokens.end <= sentence.start);
    let mut prev: Option<&FlatSpan> = None;
    for f in flat[lo..]
        .iter()
        .take_while(|f| f.tokens.start < sentence.end)
    {
        let (a, b) = (
            f.tokens.start - sentence.start,
            f.tokens.end - sentence.start,
        );
        let l = &f.label;
        for (k, t) in out[a..b].iter_mut().enumerate() {
            let first = k == 0;
            let last = a + k + 1 == b;
            *t = match scheme {
                Scheme::Iob2 => format!("{}-{l}", if first { "B" } else { "I" }),
                Scheme::Iob1 => {
                    let follows_same =
                        prev.is_some_and(|p| p.tokens.end == f.tokens.start && p.label == *l);
                    format!("{}-{l}", if first && follows_same { "B" } else { "I" })
                }
                Scheme::Bioes => {
                    let p = match (first, last) {
                        (true, true) => "S",
                        (true, false) => "B",
                        (false, true) => "E",
                        (false, false) => "I",
                    };
                    format!("{p}-{l}")
                }
            };
        }
        prev = Some(f);
    }
    out
}

/// Entities read from tags: token ranges and labels.
pub type Entities = Vec<(Range<usize>, String)>;

/// Reads a tag sequence back into entities (token ranges and labels).
/// Without `E-`/`S-` tags the sequence is read as IOB the way conlleval does
/// (which covers IOB1 and IOB2); with them, as strict BIOES. An error gives
/// the index of the first bad tag and what is wrong with it.
pub fn decode(tags: &[&str]) -> Result<Entities, (usize, String)> {
    let parsed: Vec<(char, &str)> = tags
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if *t == "O" {
                return Ok(('O', ""));
            }
            match t.split_once('-') {
                Some((p, l)) if matches!(p, "B" | "I" | "E" | "S") && !l.is_empty() => {
                    Ok((p.chars().next().unwrap_or('O'), l))
                }
                _ => Err((
                    i,
                    format!("{} is not a tag (O, or B-/I-/E-/S- and a label)", quote(t)),
                )),
            }
        })
        .collect::<Result<_, _>>()?;
    let bioes = parsed.iter().any(|(p, _)| matches!(p, 'E' | 'S'));
    let mut out: Vec<(Range<usize>, String)> = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, &(p, l)) in parsed.iter().enumerate() {
        if bioes {
            match (p, open) {
                ('O', None) => {}
                ('S', None) => out.push((i..i + 1, l.into())),
                ('B', None) => open = Some((i, l)),
                ('I', Some((_, ol))) if ol == l => {}
                ('E', Some((s, ol))) if ol == l => {
                    out.push((s..i + 1, l.into()));
                    open = None;
                }
                (_, Some((_, ol))) => {
                    return Err((
                        i,
                        format!(
                            "{} after an unfinished {ol} entity (BIOES needs E-{ol})",
                            tags[i]
                        ),
                    ));
                }
                (_, None) => return Err((i, format!("{} does not follow B-{l} (BIOES)", tags[i]))),
            }
        } else {
            let continues = p == 'I' && open.is_some_and(|(_, ol)| ol == l);
            if !continues {
                if let Some((s, ol)) = open.take() {
                    out.push((s..i, ol.into()));
                }
                if p != 'O' {
                    open = Some((i, l));
                }
            }
        }
    }
    if let Some((s, l)) = open {
        if bioes {
            return Err((
                tags.len() - 1,
                format!("the {l} entity is not finished with E-{l} (BIOES)"),
            ));
        }
        out.push((s..tags.len(), l.into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::markup;
    use crate::core::text::Text;

    pub fn doc(src: &str) -> (Document, Vec<Span>) {
        let m = markup::parse(src).unwrap();
        let mut d = Document::new("t.txt", Text::new(m.text), "");
        let spans = m
            .spans
            .iter()
            .map(|(s, e, l)| d.make_span(*s, *e, l, None))
            .collect();
        (d, spans)
    }

    #[test]
    fn adjacent_same_label_spans_differ_between_iob1_and_iob2() {
        let src = "ở [Việt Nam]{LOC} [Lào]{LOC}";
        let (d, spans) = doc(src);
        let (flat, lost) = flatten(&d, &spans);
        assert!(lost.is_empty());
        let s = sentences(&d, &flat);
        assert_eq!((s.len(), s[0].clone()), (1, 0..4));
        assert_eq!(
            tags(0..4, &flat, Scheme::Iob2),
            ["O", "B-LOC", "I-LOC", "B-LOC"]
        );
        assert_eq!(
            tags(0..4, &flat, Scheme::Iob1),
            ["O", "I-LOC", "I-LOC", "B-LOC"]
        );
        assert_eq!(
            tags(0..4, &flat, Scheme::Bioes),
            ["O", "B-LOC", "E-LOC", "S-LOC"]
        );
    }

    #[test]
    fn nested_keeps_outer_and_misaligned_is_lost() {
        let (d, spans) = doc("[Ủy ban [Hà Nội]{LOC}]{ORG} và TP.[HCM]{LOC}");
        let (flat, lost) = flatten(&d, &spans);
        assert_eq!(flat.len(), 1);
        assert_eq!(flat[0].label, "ORG");
        assert_eq!(lost.len(), 2);
        assert!(matches!(
            lost[0].reason,
            LossReason::Overlaps { nested: true, .. }
        ));
        assert_eq!(
            lost[1].reason,
            LossReason::InsideToken {
                token: "TP.HCM".into()
            }
        );
    }

    #[test]
    fn sentences_break_at_ends_and_lines_but_never_inside_a_span() {
        let (d, spans) = doc("Đoàn đến [St. Petersburg]{LOC}. Hôm qua mưa.\nMai nắng");
        let (flat, _) = flatten(&d, &spans);
        let s = sentences(&d, &flat);
        // Đoàn đến St . Petersburg . | Hôm qua mưa . | Mai nắng
        assert_eq!(s, [0..6, 6..10, 10..12]);
        let (d, _) = doc("Đoàn đến St. Petersburg. Hôm qua");
        assert_eq!(sentences(&d, &[]), [0..4, 4..6, 6..8]);
    }

    #[test]
    fn decode_reads_every_scheme_back() {
        let e = |v: &[&str]| decode(v).unwrap();
        assert_eq!(
            e(&["I-LOC", "I-LOC", "B-LOC"]),
            [(0..2, "LOC".into()), (2..3, "LOC".into())]
        );
        assert_eq!(
            e(&["B-LOC", "I-LOC", "B-LOC"]),
            [(0..2, "LOC".into()), (2..3, "LOC".into())]
        );
        assert_eq!(
            e(&["B-LOC", "E-LOC", "S-LOC", "O"]),
            [(0..2, "LOC".into()), (2..3, "LOC".into())]
        );
        assert!(decode(&["B-LOC", "O", "E-LOC"]).is_err());
        assert_eq!(decode(&["X-LOC"]).unwrap_err().0, 0);
    }
}
