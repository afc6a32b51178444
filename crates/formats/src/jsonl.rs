//! doccano JSON lines: one article a line,
//! `{"id", "text", "label": [[start, end, "LABEL"], ...], "article", "status", "annotators"}`
//! with code-point offsets. `annotators[i]` is who made `label[i]` (or null).
//! When the article has notes or attributes, `span_meta[i]` holds
//! `label[i]`'s (`{"note", "attrs"}`, or null) and `note` the article's.
//! In a project with relations, each line holds `entities` instead of
//! `label`, as doccano's relation projects write them:
//! `"entities": [{"id", "label", "start_offset", "end_offset"}]` (the span
//! ids) and `"relations": [{"id", "from_id", "to_id", "type"}]`. Import
//! reads either.

use super::import::safe_file_name;
use super::{Article, Context, Format, InRelation, InSpan, Incoming, Place, Rendered};
use crate::error::RecordError;
use nhan_model::ids::{RelationId, SpanId};
use nhan_model::json::push_str as json_str;
use nhan_model::status::Status;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

pub struct Jsonl;

impl Format for Jsonl {
    fn name(&self) -> &'static str {
        "jsonl"
    }

    fn flat(&self) -> bool {
        false
    }

    fn holds_relations(&self) -> bool {
        true
    }

    fn part_file(&self, place: &Place) -> Option<String> {
        Some(format!("{}.jsonl", place.name))
    }

    fn render(&self, a: &Article, cx: &Context, out: &mut Rendered) {
        render(a, super::relations::written(a, cx), &mut out.part);
    }

    fn import(&self, path: &Path) -> Result<Vec<Incoming>, Vec<String>> {
        let shown = path.display().to_string();
        let (src, stem) = super::import::read_input(path)?;
        let src = src.as_str();
        let mut out = Vec::new();
        let mut problems = Vec::new();
        let mut skipped = Skipped::default();
        for (i, line) in src.lines().enumerate() {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            match read_line(line, &shown, n, &stem, &mut skipped) {
                Ok(inc) => out.push(inc),
                Err(e) => problems.push(format!("{shown}:{n}: {e}")),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if let Some(first) = out.first_mut()
            && !skipped.fields.is_empty()
        {
            let f: Vec<&str> = skipped.fields.iter().map(String::as_str).collect();
            first.notes.push(format!(
                "{shown}: fields nhan does not read were not imported: {}",
                f.join(", ")
            ));
        }
        Ok(out)
    }
}

/// One article's line, byte for byte what serde_json writes for
/// `{"id", "text", "label", "article", "status", "annotators"}` (keys in
/// that order, compact; `entities` and `relations` instead of `label`
/// when `with_relations`), and a line feed, appended to `out`.
pub(crate) fn render(d: &Article, with_relations: bool, out: &mut Vec<u8>) {
    let text = d.doc.text().as_str();
    out.reserve(text.len() + text.len() / 16 + d.spans.len() * 32 + 128);
    out.extend_from_slice(b"{\"id\":");
    json_str(out, nhan_store::project::stem_of(d.doc.file_name()));
    out.extend_from_slice(b",\"text\":");
    json_str(out, text);
    if with_relations {
        entities_and_relations(d, out);
    } else {
        out.extend_from_slice(b",\"label\":[");
        for (k, s) in d.spans.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            let _ = write!(out, "[{},{},", s.start, s.end);
            json_str(out, &s.label);
            out.push(b']');
        }
        out.push(b']');
    }
    out.extend_from_slice(b",\"article\":");
    json_str(out, d.doc.file_name());
    out.extend_from_slice(b",\"status\":");
    json_str(out, d.doc.status().as_str());
    out.extend_from_slice(b",\"annotators\":[");
    for (k, s) in d.spans.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        match s.annotator.as_deref() {
            Some(a) => json_str(out, a),
            None => out.extend_from_slice(b"null"),
        }
    }
    out.push(b']');
    super::notes::jsonl_fields(d, out);
    out.extend_from_slice(b"}\n");
}

/// `,"entities":[...],"relations":[...]` as doccano's relation projects
/// export them, the span and relation ids as ids.
fn entities_and_relations(d: &Article, out: &mut Vec<u8>) {
    out.extend_from_slice(b",\"entities\":[");
    for (k, s) in d.spans.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        let _ = write!(out, "{{\"id\":{},\"label\":", s.id);
        json_str(out, &s.label);
        let _ = write!(
            out,
            ",\"start_offset\":{},\"end_offset\":{}}}",
            s.start, s.end
        );
    }
    out.extend_from_slice(b"],\"relations\":[");
    for (k, r) in super::relations::exported(d).iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        let _ = write!(
            out,
            "{{\"id\":{},\"from_id\":{},\"to_id\":{},\"type\":",
            r.rel.id, d.spans[r.from].id, d.spans[r.to].id
        );
        json_str(out, &r.rel.label);
        out.push(b'}');
    }
    out.push(b']');
}

/// doccano's `relations`, their ends given by the ids of the line's
/// `entities` (`ids[k]` is span k's).
fn read_relations(
    list: &[Value],
    ids: &[Option<&Value>],
    at: &str,
) -> Result<Vec<InRelation>, RecordError> {
    let mut out = Vec::new();
    for (k, r) in list.iter().enumerate() {
        let what = || format!("relations[{k}]");
        let o = r.as_object().ok_or_else(|| RecordError::ValueNotAnObject {
            what: what(),
            value: r.clone(),
        })?;
        let end = |key: &str| -> Result<usize, RecordError> {
            let v = o.get(key).ok_or_else(|| RecordError::Lacks {
                what: what(),
                field: format!("\"{key}\""),
            })?;
            ids.iter()
                .position(|id| *id == Some(v))
                .ok_or_else(|| RecordError::NoSuchEntity {
                    what: what(),
                    key: key.to_string(),
                    id: v.clone(),
                })
        };
        let label = o
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| RecordError::Lacks {
                what: what(),
                field: "\"type\" string".into(),
            })?;
        out.push(InRelation {
            id: o.get("id").and_then(Value::as_u64).map(RelationId),
            from: end("from_id")?,
            to: end("to_id")?,
            label: label.into(),
            annotator: None,
            review: None,
            reviewer: None,
            at: format!("{at} relations[{k}]"),
        });
    }
    Ok(out)
}

fn offset(v: &Value, what: &str) -> Result<usize, RecordError> {
    v.as_u64()
        .map(|x| x as usize)
        .ok_or_else(|| RecordError::ValueNotAnOffset {
            what: what.to_string(),
            value: v.clone(),
        })
}

/// What a doccano file holds that nhan does not import.
#[derive(Default)]
struct Skipped {
    fields: std::collections::BTreeSet<String>,
}

/// The fields of a line that import reads.
const READ: [&str; 10] = [
    "id",
    "text",
    "label",
    "entities",
    "relations",
    "article",
    "status",
    "annotators",
    "span_meta",
    "note",
];

fn read_line(
    line: &str,
    shown: &str,
    n: usize,
    stem: &str,
    skipped: &mut Skipped,
) -> Result<Incoming, RecordError> {
    let v: Value = serde_json::from_str(line).map_err(|e| RecordError::NotJson(Arc::new(e)))?;
    let m = v.as_object().ok_or(RecordError::NotAnObject { hint: "" })?;
    for k in m.keys() {
        if !READ.contains(&k.as_str()) {
            skipped.fields.insert(k.clone());
        }
    }
    let text = m
        .get("text")
        .and_then(Value::as_str)
        .ok_or(RecordError::NoText {
            hint: "doccano lines need one",
        })?;
    let at = format!("{shown}:{n}");
    let annotators: Vec<Option<String>> = m
        .get("annotators")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default();
    // `annotators[k]` belongs to span k only when the lists line up.
    let annotator_of = |k: usize, n: usize| {
        if annotators.len() == n {
            annotators[k].clone()
        } else {
            None
        }
    };
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
        return Err(RecordError::LabelAndEntities);
    }
    if let Some(a) = label {
        for (k, e) in a.iter().enumerate() {
            let t = e.as_array().filter(|t| t.len() == 3).ok_or_else(|| {
                RecordError::NotASpanLabel {
                    what: format!("label[{k}]"),
                    value: e.clone(),
                }
            })?;
            let l = t[2].as_str().ok_or_else(|| RecordError::LabelNotAString {
                what: format!("label[{k}]"),
                label: t[2].clone(),
            })?;
            spans.push(InSpan {
                id: None,
                start: offset(&t[0], &format!("label[{k}] start"))?,
                end: offset(&t[1], &format!("label[{k}] end"))?,
                label: l.into(),
                annotator: annotator_of(k, a.len()),
                text: None,
                at: at.clone(),
                review: None,
                reviewer: None,
                fields: Default::default(),
            });
        }
    }
    // Each entity's id, which relations name their ends by.
    let mut ids: Vec<Option<&Value>> = Vec::new();
    if let Some(a) = entities {
        for (k, e) in a.iter().enumerate() {
            let what = || format!("entities[{k}]");
            let o = e.as_object().ok_or_else(|| RecordError::ValueNotAnObject {
                what: what(),
                value: e.clone(),
            })?;
            let get = |key: &str| {
                o.get(key).ok_or_else(|| RecordError::Lacks {
                    what: what(),
                    field: format!("\"{key}\""),
                })
            };
            let l = get("label")?
                .as_str()
                .ok_or_else(|| RecordError::NoLabelString { what: what() })?;
            ids.push(o.get("id"));
            spans.push(InSpan {
                // nhan's own exports carry the span id: kept, so that a
                // round trip gives the same ids.
                id: o.get("id").and_then(Value::as_u64).map(SpanId),
                start: offset(get("start_offset")?, &format!("entities[{k}] start_offset"))?,
                end: offset(get("end_offset")?, &format!("entities[{k}] end_offset"))?,
                label: l.into(),
                annotator: annotator_of(k, a.len()),
                text: None,
                at: at.clone(),
                review: None,
                reviewer: None,
                fields: Default::default(),
            });
        }
    }
    let name = match (m.get("article"), m.get("id")) {
        (Some(Value::String(a)), _) => a.clone(),
        (_, Some(Value::String(id))) => id.clone(),
        (_, Some(Value::Number(id))) => format!("{stem}-{id}"),
        _ => format!("{stem}-{n}"),
    };
    let file_name =
        safe_file_name(&name).ok_or_else(|| RecordError::BadFileName { name: name.clone() })?;
    let status = m
        .get("status")
        .and_then(|s| serde_json::from_value::<Status>(s.clone()).ok());
    // `span_meta[k]` belongs to span k only when the lists line up.
    if let Some(meta) = m.get("span_meta").and_then(Value::as_array)
        && meta.len() == spans.len()
    {
        for (s, v) in spans.iter_mut().zip(meta) {
            s.fields = super::notes::read_fields(Some(v));
        }
    }
    let relations = match m.get("relations") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => read_relations(list, &ids, &at)?,
        Some(v) => return Err(RecordError::RelationsNotAList(v.clone())),
    };
    Ok(Incoming {
        relations,
        at,
        file_name,
        text: text.into(),
        spans,
        status,
        notes: Vec::new(),
        rejected: Vec::new(),
        note: m.get("note").and_then(Value::as_str).map(String::from),
    })
}
