//! CoNLL-U: a `# newdoc id =` comment before each article, then per
//! sentence `# sent_id =` and `# text =`, one token a line in the ten
//! CoNLL-U columns (only ID and FORM known; the others `_`), and a blank
//! line. The entity tag goes in MISC as `NE=B-PER`, the form spaCy's
//! `spacy convert --converter conllu` reads (B/I, and L/U where BIOES has
//! E/S), with `SpaceAfter=No` where the text has no space after the token.

use super::flat::{TagWalk, push_token};
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
    let text = a.doc.text().as_str().as_bytes();
    let tb = a.token_bytes;
    // No space after token i: the next token starts where it ends.
    let joined = |i: usize| i + 1 < tb.len() && tb[i].1 == tb[i + 1].0;
    let stem = one_line(a.stem());
    let mut num = itoa::Buffer::new();
    out.extend_from_slice(b"# newdoc id = ");
    out.extend_from_slice(stem.as_bytes());
    out.push(b'\n');
    // Written straight into `out`, without a string per token or tag:
    // tokens are most of this format.
    for (k, r) in a.sentences.iter().enumerate() {
        out.extend_from_slice(b"# sent_id = ");
        out.extend_from_slice(stem.as_bytes());
        out.push(b'-');
        out.extend_from_slice(num.format(k + 1).as_bytes());
        out.extend_from_slice(b"\n# text = ");
        for i in r.clone() {
            push_token(out, text, tb[i]);
            if i + 1 < r.end && !joined(i) {
                out.push(b' ');
            }
        }
        out.push(b'\n');
        let mut walk = TagWalk::new(r, a.flat, scheme);
        for (n, i) in r.clone().enumerate() {
            out.extend_from_slice(num.format(n + 1).as_bytes());
            out.push(b'\t');
            push_token(out, text, tb[i]);
            out.extend_from_slice(b"\t_\t_\t_\t_\t_\t_\t_\t");
            let tag = walk.at(i);
            if let Some(t) = tag {
                // spaCy's letters: L for BIOES's E, U for its S.
                let letter = match t.prefix {
                    b'E' => b'L',
                    b'S' => b'U',
                    p => p,
                };
                out.extend_from_slice(&[b'N', b'E', b'=', letter, b'-']);
                out.extend_from_slice(t.label.as_bytes());
            }
            match (tag.is_some(), joined(i)) {
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
