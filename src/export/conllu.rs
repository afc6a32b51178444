//! CoNLL-U: a `# newdoc id =` comment before each article, then per
//! sentence `# sent_id =` and `# text =`, one token a line in the ten
//! CoNLL-U columns (only ID and FORM known; the others `_`), and a blank
//! line. The entity tag goes in MISC as `NE=B-PER`, the form spaCy's
//! `spacy convert --converter conllu` reads (B/I, and L/U where BIOES has
//! E/S), with `SpaceAfter=No` where the text has no space after the token.

use super::flat::tags;
use super::{Article, Context, Format, Place, Rendered, Scheme};

pub struct Conllu;

impl Format for Conllu {
    fn name(&self) -> &'static str {
        "conllu"
    }

    fn flat(&self) -> bool {
        true
    }

    fn part_file(&self, place: &Place) -> Option<String> {
        Some(format!("{}.conllu", place.name))
    }

    fn render(&self, a: &Article, cx: &Context, out: &mut Rendered) {
        render(a, cx.scheme, &mut out.part);
    }
}

/// A comment's value on one line: CoNLL-U comments end at the line end.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn render(a: &Article, scheme: Scheme, out: &mut Vec<u8>) {
    if a.sentences.is_empty() {
        // A document comment needs a sentence to belong to.
        return;
    }
    let text = a.doc.text().as_str();
    let tb = a.token_bytes;
    let form = |i: usize| &text[tb[i].0 as usize..tb[i].1 as usize];
    // No space after token i: the next token starts where it ends.
    let joined = |i: usize| i + 1 < tb.len() && tb[i].1 == tb[i + 1].0;
    let stem = one_line(a.stem());
    out.extend_from_slice(format!("# newdoc id = {stem}\n").as_bytes());
    for (k, r) in a.sentences.iter().enumerate() {
        let mut line = String::new();
        for i in r.clone() {
            line.push_str(form(i));
            if i + 1 < r.end && !joined(i) {
                line.push(' ');
            }
        }
        out.extend_from_slice(
            format!("# sent_id = {stem}-{}\n# text = {line}\n", k + 1).as_bytes(),
        );
        let tags = tags(r.clone(), a.flat, scheme);
        for (n, i) in r.clone().enumerate() {
            let mut misc: Vec<String> = Vec::new();
            let t = &tags[n];
            if t != "O" {
                let spacy = match t.split_once('-') {
                    Some(("E", l)) => format!("L-{l}"),
                    Some(("S", l)) => format!("U-{l}"),
                    _ => t.clone(),
                };
                misc.push(format!("NE={spacy}"));
            }
            if joined(i) {
                misc.push("SpaceAfter=No".into());
            }
            let misc = if misc.is_empty() {
                "_".to_string()
            } else {
                misc.join("|")
            };
            out.extend_from_slice(
                format!("{}\t{}\t_\t_\t_\t_\t_\t_\t_\t{misc}\n", n + 1, form(i)).as_bytes(),
            );
        }
        out.push(b'\n');
    }
}
