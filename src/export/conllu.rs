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
    use std::io::Write;
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
        // Written straight into `out`: tokens are most of this format.
        for (n, i) in r.clone().enumerate() {
            let _ = write!(out, "{}\t{}\t_\t_\t_\t_\t_\t_\t_\t", n + 1, form(i));
            let t = &tags[n];
            let tagged = t != "O";
            if tagged {
                out.extend_from_slice(b"NE=");
                match t.split_once('-') {
                    Some(("E", l)) => {
                        out.extend_from_slice(b"L-");
                        out.extend_from_slice(l.as_bytes());
                    }
                    Some(("S", l)) => {
                        out.extend_from_slice(b"U-");
                        out.extend_from_slice(l.as_bytes());
                    }
                    _ => out.extend_from_slice(t.as_bytes()),
                }
            }
            match (tagged, joined(i)) {
                (true, true) => out.extend_from_slice(b"|SpaceAfter=No"),
                (false, true) => out.extend_from_slice(b"SpaceAfter=No"),
                (true, false) => {}
                (false, false) => out.push(b'_'),
            }
            out.push(b'\n');
        }
        out.push(b'\n');
    }
}
