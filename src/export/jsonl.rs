//! doccano JSON lines: one article a line,
//! `{"id", "text", "label": [[start, end, "LABEL"], ...], "article", "status", "annotators"}`
//! with code-point offsets. `annotators[i]` is who made `label[i]` (or null).
//! Import also reads doccano's `entities` variant
//! (`[{"start_offset", "end_offset", "label"}]`).

use super::import::safe_file_name;
use super::{Dataset, Format, InSpan, Incoming, OutFile};
use crate::core::status::Status;
use serde_json::{Map, Value};
use std::path::Path;

pub struct Jsonl;

impl Format for Jsonl {
    fn name(&self) -> &'static str {
        "jsonl"
    }

    fn flat(&self) -> bool {
        false
    }

    fn export(&self, ds: &Dataset) -> Vec<OutFile> {
        ds.parts
            .iter()
            .map(|p| {
                let mut out = String::new();
                for d in &p.docs {
                    let mut m = Map::new();
                    m.insert("id".into(), d.stem().into());
                    m.insert("text".into(), d.doc.text.as_str().into());
                    let label: Vec<Value> = d
                        .spans
                        .iter()
                        .map(|s| {
                            Value::Array(vec![
                                s.start.into(),
                                s.end.into(),
                                s.label.as_str().into(),
                            ])
                        })
                        .collect();
                    m.insert("label".into(), label.into());
                    m.insert("article".into(), d.doc.file_name.as_str().into());
                    m.insert("status".into(), d.doc.status.as_str().into());
                    let who: Vec<Value> =
                        d.spans.iter().map(|s| s.annotator.clone().into()).collect();
                    m.insert("annotators".into(), who.into());
                    out.push_str(&Value::Object(m).to_string());
                    out.push('\n');
                }
                OutFile {
                    path: format!("{}.jsonl", p.name),
                    bytes: out.into_bytes(),
                }
            })
            .collect()
    }

    fn import(&self, path: &Path) -> Result<Vec<Incoming>, Vec<String>> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| vec![format!("{shown}: cannot read: {e}")])?;
        let src = std::str::from_utf8(&bytes).map_err(|e| {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            vec![format!(
                "{shown}:{line}: not UTF-8; convert the file to UTF-8"
            )]
        })?;
        let src = src.strip_prefix('\u{feff}').unwrap_or(src);
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for (i, line) in src.lines().enumerate() {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            match read_line(line, &shown, n, &stem) {
                Ok(inc) => out.push(inc),
                Err(e) => problems.push(format!("{shown}:{n}: {e}")),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

fn offset(v: &Value, what: &str) -> Result<usize, String> {
    v.as_u64()
        .map(|x| x as usize)
        .ok_or_else(|| format!("{what} is {v}, not a non-negative whole number"))
}

fn read_line(line: &str, shown: &str, n: usize, stem: &str) -> Result<Incoming, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let m = v.as_object().ok_or("not a JSON object")?;
    let text = m
        .get("text")
        .and_then(Value::as_str)
        .ok_or("no \"text\" string (doccano lines need one)")?;
    let at = format!("{shown}:{n}");
    let annotators: Vec<Option<String>> = m
        .get("annotators")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default();
    let mut spans = Vec::new();
    let label = m
        .get("label")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty());
    let entities = m
        .get("entities")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty());
    if label.is_some() && entities.is_some() {
        return Err("has both \"label\" and \"entities\"; give the spans once".into());
    }
    if let Some(a) = label {
        for (k, e) in a.iter().enumerate() {
            let t = e.as_array().filter(|t| t.len() == 3).ok_or_else(|| {
                format!("label[{k}] is {e}, not [start, end, \"LABEL\"] (a text-classification label cannot be imported as a span)")
            })?;
            let l = t[2]
                .as_str()
                .ok_or_else(|| format!("label[{k}]: the label {} is not a string", t[2]))?;
            spans.push(InSpan {
                start: offset(&t[0], &format!("label[{k}] start"))?,
                end: offset(&t[1], &format!("label[{k}] end"))?,
                label: l.into(),
                annotator: if annotators.len() == a.len() {
                    annotators[k].clone()
                } else {
                    None
                },
                text: None,
                at: at.clone(),
            });
        }
    }
    if let Some(a) = entities {
        for (k, e) in a.iter().enumerate() {
            let o = e
                .as_object()
                .ok_or_else(|| format!("entities[{k}] is {e}, not an object"))?;
            let get = |key: &str| {
                o.get(key)
                    .ok_or_else(|| format!("entities[{k}] has no \"{key}\""))
            };
            let l = get("label")?
                .as_str()
                .ok_or_else(|| format!("entities[{k}]: the label is not a string"))?;
            spans.push(InSpan {
                start: offset(get("start_offset")?, &format!("entities[{k}] start_offset"))?,
                end: offset(get("end_offset")?, &format!("entities[{k}] end_offset"))?,
                label: l.into(),
                annotator: if annotators.len() == a.len() {
                    annotators[k].clone()
                } else {
                    None
                },
                text: None,
                at: at.clone(),
            });
        }
    }
    let name = match (m.get("article"), m.get("id")) {
        (Some(Value::String(a)), _) => a.clone(),
        (_, Some(Value::String(id))) => id.clone(),
        (_, Some(Value::Number(id))) => format!("{stem}-{id}"),
        _ => format!("{stem}-{n}"),
    };
    let file_name = safe_file_name(&name).ok_or_else(|| {
        format!("{name:?} cannot be an article file name (one plain name, no folders)")
    })?;
    let status = m
        .get("status")
        .and_then(|s| serde_json::from_value::<Status>(s.clone()).ok());
    Ok(Incoming {
        at,
        file_name,
        text: text.into(),
        spans,
        status,
        notes: Vec::new(),
    })
}
