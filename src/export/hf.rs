//! Hugging Face `datasets`: JSON lines, one sentence a line,
//! `{"id": "<stem>#<n>", "tokens": [...], "ner_tags": [...]}` with tag
//! indices into `labels.txt` (one tag name a line, index order), which
//! `datasets.ClassLabel(names_file="labels.txt")` reads as it is.

use super::flat::tags;
use super::{Article, Context, Files, Format, PartSummary, Place, Rendered};
use serde_json::{Map, Value};

pub const LABELS_FILE: &str = "labels.txt";

pub struct Hf;

impl Format for Hf {
    fn name(&self) -> &'static str {
        "hf"
    }

    fn flat(&self) -> bool {
        true
    }

    fn needs_every_label(&self) -> bool {
        true
    }

    fn part_file(&self, place: &Place) -> Option<String> {
        Some(format!("{}.jsonl", place.name))
    }

    fn render(&self, d: &Article, cx: &Context, out: &mut Rendered) {
        for (k, r) in d.sentences.iter().enumerate() {
            let tokens: Vec<Value> = r
                .clone()
                .map(|i| {
                    let t = d.doc.tokens().get(i);
                    Value::from(d.doc.text.slice(t.start, t.end))
                })
                .collect();
            // A label outside the context is rendered again once every
            // label is known (`needs_every_label`): 0 holds its place.
            let ner: Vec<Value> = tags(r.clone(), d.flat, cx.scheme)
                .iter()
                .map(|t| Value::from(cx.tag_index(t).unwrap_or(0)))
                .collect();
            let mut m = Map::new();
            m.insert("id".into(), format!("{}#{k}", d.stem()).into());
            m.insert("tokens".into(), tokens.into());
            m.insert("ner_tags".into(), ner.into());
            out.part
                .extend_from_slice(Value::Object(m).to_string().as_bytes());
            out.part.push(b'\n');
        }
    }

    fn finish(&self, cx: &Context, _parts: &[PartSummary], files: &mut dyn Files) {
        let mut labels = cx.tag_names().join("\n");
        labels.push('\n');
        files.write(LABELS_FILE, labels.as_bytes());
    }
}
