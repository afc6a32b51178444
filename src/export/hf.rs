//! Hugging Face `datasets`: JSON lines, one sentence a line,
//! `{"id": "<stem>#<n>", "tokens": [...], "ner_tags": [...]}` with tag
//! indices into `labels.txt` (one tag name a line, index order), which
//! `datasets.ClassLabel(names_file="labels.txt")` reads as it is.

use super::flat::tags;
use super::{Dataset, Format, OutFile};
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

    fn export(&self, ds: &Dataset) -> Vec<OutFile> {
        let names = ds.scheme.tag_names(&ds.labels);
        let index = |t: &str| {
            names
                .iter()
                .position(|n| n == t)
                .expect("every tag is named")
        };
        let mut out: Vec<OutFile> = ds
            .parts
            .iter()
            .map(|p| {
                let mut s = String::new();
                for d in &p.docs {
                    for (k, r) in d.sentences.iter().enumerate() {
                        let tokens: Vec<Value> = r
                            .clone()
                            .map(|i| {
                                let t = d.doc.tokens().get(i);
                                Value::from(d.doc.text.slice(t.start, t.end))
                            })
                            .collect();
                        let ner: Vec<Value> = tags(r.clone(), &d.flat, ds.scheme)
                            .iter()
                            .map(|t| Value::from(index(t)))
                            .collect();
                        let mut m = Map::new();
                        m.insert("id".into(), format!("{}#{k}", d.stem()).into());
                        m.insert("tokens".into(), tokens.into());
                        m.insert("ner_tags".into(), ner.into());
                        s.push_str(&Value::Object(m).to_string());
                        s.push('\n');
                    }
                }
                OutFile {
                    path: format!("{}.jsonl", p.name),
                    bytes: s.into_bytes(),
                }
            })
            .collect();
        let mut labels = names.join("\n");
        labels.push('\n');
        out.push(OutFile {
            path: LABELS_FILE.into(),
            bytes: labels.into_bytes(),
        });
        out
    }
}
