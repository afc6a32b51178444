//! Hugging Face `datasets`: a folder that `load_dataset(folder)` reads as
//! it is. JSON lines, one sentence a line,
//! `{"id": "<stem>#<n>", "tokens": [...], "ner_tags": [...]}` with tag
//! indices; a dataset card (`README.md`) whose YAML names each split's file
//! (so nhan's manifest is never read as data) and declares `ner_tags` as
//! class labels; and `labels.txt` (one tag name a line, index order) for
//! `datasets.ClassLabel(names_file=...)`.

use super::flat::tags;
use super::{Article, Context, Files, Format, PartSummary, Place, Rendered};

pub const LABELS_FILE: &str = "labels.txt";
pub const CARD_FILE: &str = "README.md";

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
            let tokens: Vec<&str> = r
                .clone()
                .map(|i| {
                    let t = d.doc.tokens().get(i);
                    d.doc.text().slice(t.start, t.end)
                })
                .collect();
            // A label outside the context is rendered again once every
            // label is known (`needs_every_label`): 0 holds its place.
            let ner_tags: Vec<usize> = tags(r.clone(), d.flat, cx.scheme)
                .iter()
                .map(|t| cx.tag_index(t).unwrap_or(0))
                .collect();
            let row = Row {
                id: format!("{}#{k}", d.stem()),
                tokens,
                ner_tags,
            };
            serde_json::to_writer(&mut out.part, &row).expect("writing to memory cannot fail");
            out.part.push(b'\n');
        }
    }

    fn finish(&self, cx: &Context, parts: &[PartSummary], files: &mut dyn Files) {
        let names = cx.tag_names();
        let mut labels = names.join("\n");
        labels.push('\n');
        files.write(LABELS_FILE, labels.as_bytes());
        let splits: Vec<(&str, String)> = parts
            .iter()
            // `datasets` cannot read an empty file as a split: an empty
            // part stays out of the card (the report says it is empty).
            .filter(|p| p.docs.iter().any(|d| d.sentences > 0))
            .map(|p| {
                let place = Place {
                    name: &p.name,
                    split: cx.split,
                };
                let file = self.part_file(&place).expect("hf has a file per part");
                (split_name(&p.name), file)
            })
            .collect();
        files.write(CARD_FILE, card(&splits, &names).as_bytes());
    }
}

/// The `datasets` split a part is: its conventional names (`validation`,
/// not `dev`); an export without `--split` is one `train` split.
fn split_name(part: &str) -> &str {
    match part {
        "dev" => "validation",
        "data" => "train",
        other => other,
    }
}

/// A YAML string that reads back as `s` whatever it holds.
fn yaml_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The dataset card: YAML metadata that `load_dataset(folder)` reads (the
/// splits' files, the features with `ner_tags` as class labels), then a
/// short description.
pub fn card(splits: &[(&str, String)], tag_names: &[String]) -> String {
    let mut s = String::from("---\nconfigs:\n- config_name: default\n  data_files:\n");
    for (split, file) in splits {
        s.push_str(&format!(
            "  - split: {split}\n    path: {}\n",
            yaml_str(file)
        ));
    }
    s.push_str("dataset_info:\n  features:\n  - name: id\n    dtype: string\n  - name: tokens\n    sequence: string\n  - name: ner_tags\n    sequence:\n      class_label:\n        names:\n");
    for (i, t) in tag_names.iter().enumerate() {
        s.push_str(&format!("          '{i}': {}\n", yaml_str(t)));
    }
    s.push_str("---\n\n# Named entities exported by nhan\n\n");
    s.push_str("One sentence a line: `tokens` and their `ner_tags`, indices into the tag names above (also in `labels.txt`). Load it with:\n\n```python\nfrom datasets import load_dataset\nds = load_dataset(\"path/to/this/folder\")\nnames = ds[\"train\"].features[\"ner_tags\"].feature.names\n```\n\n`nhan-export.json` describes the export (articles per split, entities per label, what the format could not hold); it is not data.\n");
    s
}

/// One sentence, typed: the rows are most of what this format writes.
#[derive(serde::Serialize)]
struct Row<'a> {
    id: String,
    tokens: Vec<&'a str>,
    ner_tags: Vec<usize>,
}
