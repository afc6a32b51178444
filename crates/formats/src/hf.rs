//! Hugging Face `datasets`: a folder that `load_dataset(folder)` reads as
//! it is. JSON lines, one sentence a line,
//! `{"id": "<stem>#<n>", "tokens": [...], "ner_tags": [...]}` with tag
//! indices; a dataset card (`README.md`) whose YAML names each split's file
//! (so nhan's manifest is never read as data) and declares `ner_tags` as
//! class labels; and `labels.txt` (one tag name a line, index order) for
//! `datasets.ClassLabel(names_file=...)`.

use super::flat::TagWalk;
use super::{Article, Context, Files, Format, PartSummary, Place, Rendered};
use nhan_model::json;

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

    fn part_file(&self, place: &Place) -> Option<String> {
        Some(format!("{}.jsonl", place.name))
    }

    fn render(&self, d: &Article, cx: &Context, out: &mut Rendered) {
        // Written by hand as serde_json writes `{"id", "tokens", "ner_tags"}`
        // (goldens compare): one row a sentence, tens of millions of tokens
        // in a large project.
        let text = d.doc.text().as_str();
        let tb = d.token_bytes;
        let stem = d.stem();
        let o = &mut out.part;
        let mut num = itoa::Buffer::new();
        let mut id = String::new();
        for (k, r) in d.sentences.iter().enumerate() {
            id.clear();
            id.push_str(stem);
            id.push('#');
            id.push_str(num.format(k));
            o.extend_from_slice(b"{\"id\":");
            json::push_str(o, &id);
            o.extend_from_slice(b",\"tokens\":[");
            for i in r.clone() {
                if i > r.start {
                    o.push(b',');
                }
                json::push_str(o, &text[tb[i].0 as usize..tb[i].1 as usize]);
            }
            o.extend_from_slice(b"],\"ner_tags\":[");
            let mut walk = TagWalk::new(r, d.flat, cx.scheme);
            for i in r.clone() {
                if i > r.start {
                    o.push(b',');
                }
                // Every label is the schema's (export refuses others).
                let tag = walk.at(i).map_or(0, |t| cx.index_of(t).unwrap_or(0));
                o.extend_from_slice(num.format(tag).as_bytes());
            }
            o.extend_from_slice(b"]}\n");
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
