//! CoNLL token-per-line: `token TAG`, a blank line after each sentence, and
//! `-DOCSTART- -X- O O` and a blank line before each document. Tokens are
//! the ones nhan shows (UAX #29 words and punctuation, never whitespace).
//! Import reads any file whose first column is the token and last the tag,
//! in IOB1, IOB2 or BIOES, and rebuilds each document's text by joining its
//! tokens with spaces and its sentences with line breaks.

use super::flat::{TagWalk, decode, push_token, token_bytes};
use super::import::safe_file_name;
use super::{Article, Context, Format, InSpan, Incoming, Place, Rendered};
use std::path::Path;

pub const DOCSTART: &str = "-DOCSTART- -X- O O";

pub struct Conll;

/// The CoNLL text of one document (without the `-DOCSTART-` header).
pub fn document(d: &super::ExportDoc, scheme: super::Scheme) -> String {
    let mut out = Vec::new();
    let spans: Vec<_> = d.spans.iter().collect();
    let tb = token_bytes(&d.doc);
    let a = Article {
        doc: &d.doc,
        spans: &spans,
        flat: &d.flat,
        sentences: &d.sentences,
        token_bytes: &tb,
        number: 1,
    };
    document_into(&a, scheme, &mut out);
    String::from_utf8(out).expect("tokens are slices of the text, tags are labels")
}

/// One document as the export file holds it: the `-DOCSTART-` header, then
/// [`document`].
fn render(a: &Article, scheme: super::Scheme, out: &mut Vec<u8>) {
    out.reserve(a.doc.text().as_str().len() * 3 / 2 + 64);
    out.extend_from_slice(DOCSTART.as_bytes());
    out.extend_from_slice(b"\n\n");
    document_into(a, scheme, out);
}

/// [`document`] appended to `out`: each token's bytes copied from the text
/// by its byte range and its tag written in place (what
/// [`tags`](super::flat::tags) gives, without a string per token).
fn document_into(d: &Article, scheme: super::Scheme, out: &mut Vec<u8>) {
    let tb = d.token_bytes;
    let text = d.doc.text().as_str().as_bytes();
    for r in d.sentences {
        let mut walk = TagWalk::new(r, d.flat, scheme);
        for i in r.clone() {
            push_token(out, text, tb[i]);
            match walk.at(i) {
                None => out.extend_from_slice(b" O\n"),
                Some(t) => {
                    out.extend_from_slice(&[b' ', t.prefix, b'-']);
                    out.extend_from_slice(t.label.as_bytes());
                    out.push(b'\n');
                }
            }
        }
        out.push(b'\n');
    }
}

impl Format for Conll {
    fn name(&self) -> &'static str {
        "conll"
    }

    fn flat(&self) -> bool {
        true
    }

    fn part_file(&self, place: &Place) -> Option<String> {
        Some(format!("{}.conll", place.name))
    }

    fn render(&self, a: &Article, cx: &Context, out: &mut Rendered) {
        render(a, cx.scheme, &mut out.part);
    }

    fn import(&self, path: &Path) -> Result<Vec<Incoming>, Vec<String>> {
        let shown = path.display().to_string();
        let (src, stem) = super::import::read_input(path)?;
        let src = src.as_str();

        // Documents of sentences of (line number, token, tag).
        type Sentence<'a> = Vec<(usize, &'a str, &'a str)>;
        let mut docs: Vec<(usize, Vec<Sentence>)> = vec![(1, vec![Vec::new()])];
        let mut problems = Vec::new();
        // Lines with columns between the token and the tag (part of speech, chunk).
        let mut middle = 0;
        for (i, line) in src.lines().enumerate() {
            let n = i + 1;
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.first() == Some(&"-DOCSTART-") {
                docs.push((n, vec![Vec::new()]));
                continue;
            }
            let sents = &mut docs.last_mut().expect("never empty").1;
            if cols.is_empty() {
                if sents.last().is_some_and(|s| !s.is_empty()) {
                    sents.push(Vec::new());
                }
                continue;
            }
            if cols.len() < 2 {
                problems.push(format!(
                    "{shown}:{n}: {} has no tag column; each line needs the token first and the tag last",
                    super::quote(line)
                ));
                continue;
            }
            middle += usize::from(cols.len() > 2);
            sents
                .last_mut()
                .expect("never empty")
                .push((n, cols[0], cols[cols.len() - 1]));
        }
        let docs: Vec<(usize, Vec<Sentence>)> = docs
            .into_iter()
            .map(|(n, s)| {
                (
                    n,
                    s.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>(),
                )
            })
            .filter(|(_, s)| !s.is_empty())
            .collect();
        let many = docs.len() > 1;
        let mut out = Vec::new();
        for (k, (first_line, sents)) in docs.iter().enumerate() {
            let name = if many {
                format!("{stem}-{:03}", k + 1)
            } else {
                stem.clone()
            };
            let Some(file_name) = safe_file_name(&name) else {
                problems.push(format!(
                    "{shown}: {name:?} cannot be an article file name; rename the input"
                ));
                continue;
            };
            let mut text = String::new();
            let mut chars = 0;
            let mut spans = Vec::new();
            for sent in sents {
                let mut starts = Vec::with_capacity(sent.len());
                for (j, (_, tok, _)) in sent.iter().enumerate() {
                    if j > 0 {
                        text.push(' ');
                        chars += 1;
                    }
                    starts.push(chars);
                    text.push_str(tok);
                    chars += tok.chars().count();
                }
                let tag_list: Vec<&str> = sent.iter().map(|t| t.2).collect();
                match decode(&tag_list) {
                    Ok(ents) => {
                        for (r, label) in ents {
                            let (line, last_tok, _) = sent[r.end - 1];
                            spans.push(InSpan {
                                id: None,
                                start: starts[r.start],
                                end: starts[r.end - 1] + last_tok.chars().count(),
                                label,
                                annotator: None,
                                text: None,
                                at: format!("{shown}:{}", sent[r.start].0.min(line)),
                                review: None,
                                reviewer: None,
                                fields: Default::default(),
                            });
                        }
                    }
                    Err((j, why)) => problems.push(format!("{shown}:{}: {why}", sent[j].0)),
                }
                text.push('\n');
                chars += 1;
            }
            out.push(Incoming {
                relations: Vec::new(),
                at: format!("{shown}:{first_line}"),
                file_name,
                text,
                spans,
                status: None,
                notes: Vec::new(),
                rejected: Vec::new(),
                note: None,
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if middle > 0
            && let Some(first) = out.first_mut()
        {
            first.notes.push(format!(
                "{shown}: the columns between the token and the tag (part of speech, chunk...) of {middle} line(s) were not imported; nhan keeps the token and the entity tag"
            ));
        }
        Ok(out)
    }
}
