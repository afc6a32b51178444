//! Label Studio JSON: a list of tasks, one per article,
//! `{"id", "data": {"text", "article", "status"}, "annotations": [{"result": [...]}]}`
//! (the id is the article's place in the project's list)
//! where each span is a result `{id, from_name: "label", to_name: "text",
//! type: "labels", value: {start, end, text, labels: [LABEL]}}` with
//! code-point offsets, and who made or reviewed it in the result's `meta`
//! (with its `note` and `attrs`; the article's note is `data.note`).
//! A relation is a result `{from_id, to_id, type: "relation", direction:
//! "right" ("bi" for a symmetric type), labels: [TYPE]}` naming its spans'
//! result ids. Export also writes `labeling-config.xml`, the labelling
//! interface that matches the labels and relation types (`<Relations>`).
//! Import reads the one annotation of each task;
//! `predictions` are model suggestions, which nhan cannot hold yet.

use super::import::{read_input, safe_file_name};
use super::{
    Article, Context, Files, Format, Frame, InRelation, InSpan, Incoming, PartSummary, Place,
    Rendered,
};
use crate::error::RecordError;
use nhan_model::ids::{RelationId, SpanId};
use nhan_model::json;
use nhan_model::schema::RelationType;
use nhan_model::status::Status;
use serde_json::{Map, Value};
use std::path::Path;

pub struct LabelStudio;

/// The labelling config file written beside the tasks.
pub const CONFIG_FILE: &str = "labeling-config.xml";
/// The names the config gives the labels control and the text.
const FROM_NAME: &str = "label";
const TO_NAME: &str = "text";

impl Format for LabelStudio {
    fn name(&self) -> &'static str {
        "label-studio"
    }

    fn flat(&self) -> bool {
        false
    }

    fn holds_relations(&self) -> bool {
        true
    }

    fn part_file(&self, place: &Place) -> Option<String> {
        Some(format!("{}.json", place.name))
    }

    fn frame(&self) -> Frame {
        Frame {
            open: b"[\n",
            between: b",\n",
            close: b"\n]\n",
        }
    }

    fn render(&self, a: &Article, cx: &Context, out: &mut Rendered) {
        // Written by hand, member by member as serde_json writes the task
        // `{id, data: {text, article, status, note?}, annotations: [{result,
        // was_cancelled, ground_truth}], predictions}` (goldens compare):
        // a map per result cost most of the export's time.
        let o = &mut out.part;
        let mut num = itoa::Buffer::new();
        o.extend_from_slice(b"{\"id\":");
        o.extend_from_slice(num.format(a.number).as_bytes());
        o.extend_from_slice(b",\"data\":{\"text\":");
        json::push_str(o, a.doc.text().as_str());
        o.extend_from_slice(b",\"article\":");
        json::push_str(o, a.doc.file_name());
        o.extend_from_slice(b",\"status\":");
        json::push_str(o, a.doc.status().as_str());
        if let Some(n) = nhan_model::attrs::article_note(a.doc.extra()) {
            o.extend_from_slice(b",\"note\":");
            json::push_str(o, n);
        }
        o.extend_from_slice(b"},\"annotations\":[{\"result\":[");
        for (k, s) in a.spans.iter().enumerate() {
            if k > 0 {
                o.push(b',');
            }
            o.extend_from_slice(b"{\"id\":\"");
            o.extend_from_slice(num.format(s.id.0).as_bytes());
            o.extend_from_slice(b"\",\"from_name\":");
            json::push_str(o, FROM_NAME);
            o.extend_from_slice(b",\"to_name\":");
            json::push_str(o, TO_NAME);
            o.extend_from_slice(b",\"type\":\"labels\",\"value\":{\"start\":");
            o.extend_from_slice(num.format(s.start).as_bytes());
            o.extend_from_slice(b",\"end\":");
            o.extend_from_slice(num.format(s.end).as_bytes());
            o.extend_from_slice(b",\"text\":");
            json::push_str(o, s.text.as_str());
            o.extend_from_slice(b",\"labels\":[");
            json::push_str(o, &s.label);
            o.extend_from_slice(b"]}");
            let before = o.len();
            o.extend_from_slice(b",\"meta\":{");
            if super::notes::push_span_fields(s, o, true) {
                o.push(b'}');
            } else {
                o.truncate(before);
            }
            o.push(b'}');
        }
        for r in super::relations::exported(a) {
            let symmetric = cx
                .schema
                .relation(&r.rel.label)
                .is_some_and(|t| t.symmetric);
            o.extend_from_slice(b",{\"from_id\":\"");
            o.extend_from_slice(num.format(a.spans[r.from].id.0).as_bytes());
            o.extend_from_slice(b"\",\"to_id\":\"");
            o.extend_from_slice(num.format(a.spans[r.to].id.0).as_bytes());
            o.extend_from_slice(b"\",\"type\":\"relation\",\"direction\":");
            json::push_str(o, if symmetric { "bi" } else { "right" });
            o.extend_from_slice(b",\"labels\":[");
            json::push_str(o, &r.rel.label);
            // Its id and who made and decided it, as spans have theirs.
            o.extend_from_slice(b"],\"meta\":{\"id\":");
            o.extend_from_slice(num.format(r.rel.id.0).as_bytes());
            super::relations::push_fields(r.rel, o, false);
            o.extend_from_slice(b"}}");
        }
        o.extend_from_slice(
            b"],\"was_cancelled\":false,\"ground_truth\":false}],\"predictions\":[]}",
        );
    }

    fn finish(&self, cx: &Context, _parts: &[PartSummary], files: &mut dyn Files) {
        files.write(
            CONFIG_FILE,
            config(&cx.labels, &cx.schema.relations).as_bytes(),
        );
    }

    fn import(&self, path: &Path) -> Result<Vec<Incoming>, Vec<String>> {
        let shown = path.display().to_string();
        let (src, stem) = read_input(path)?;
        let v: Value = serde_json::from_str(&src).map_err(|e| {
            vec![format!(
                "{shown}:{}:{}: not JSON ({e}); give Label Studio's JSON export (a list of tasks)",
                e.line(),
                e.column()
            )]
        })?;
        let tasks = match v {
            Value::Array(a) => a,
            o @ Value::Object(_) => vec![o],
            _ => {
                return Err(vec![format!(
                    "{shown}: not a list of tasks; give Label Studio's JSON export"
                )]);
            }
        };
        let mut out = Vec::new();
        let mut problems = Vec::new();
        let (mut cancelled, mut other_results) = (0, 0);
        for (k, t) in tasks.iter().enumerate() {
            let at = format!("{shown}: task {}", k + 1);
            match read_task(t, &at, &stem, k + 1, &mut cancelled, &mut other_results) {
                Ok(inc) => out.push(inc),
                Err(e) => problems.push(format!("{at}: {e}")),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if let Some(first) = out.first_mut() {
            if cancelled > 0 {
                first.notes.push(format!(
                    "{shown}: {cancelled} cancelled (skipped) annotation(s) were not imported"
                ));
            }
            if other_results > 0 {
                first.notes.push(format!(
                    "{shown}: {other_results} result(s) that are not text labels or relations (choices, text areas) were not imported; nhan holds spans and relations"
                ));
            }
        }
        Ok(out)
    }
}

/// The labelling interface for `labels` and the relation types, as Label
/// Studio's project settings take it.
pub fn config(labels: &[String], relations: &[RelationType]) -> String {
    let mut s = String::from("<View>\n");
    if !relations.is_empty() {
        s.push_str("  <Relations>\n");
        for t in relations {
            s.push_str(&format!(
                "    <Relation value=\"{}\"/>\n",
                xml_attr(&t.name)
            ));
        }
        s.push_str("  </Relations>\n");
    }
    s.push_str(&format!(
        "  <Labels name=\"{FROM_NAME}\" toName=\"{TO_NAME}\">\n"
    ));
    for l in labels {
        s.push_str(&format!("    <Label value=\"{}\"/>\n", xml_attr(l)));
    }
    s.push_str(&format!(
        "  </Labels>\n  <Text name=\"{TO_NAME}\" value=\"${TO_NAME}\"/>\n</View>\n"
    ));
    s
}

fn xml_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A result id as a string (Label Studio writes strings; a number is
/// taken as its digits).
fn region_id(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// The relation results (`(place in the result list, result)`), their ends
/// found among the spans by result id (`region_of[k]` is span k's); one
/// relation per label, pointing as `direction` says ("left": from `to_id`
/// to `from_id`).
fn read_relations(
    links: &[(usize, &Map<String, Value>)],
    region_of: &[String],
    at: &str,
) -> Result<Vec<InRelation>, RecordError> {
    let mut out = Vec::new();
    for &(k, r) in links {
        let what = format!("result {} (a relation)", k + 1);
        let end = |key: &str| -> Result<usize, RecordError> {
            let id = r
                .get(key)
                .map(region_id)
                .ok_or_else(|| RecordError::Lacks {
                    what: what.clone(),
                    field: key.to_string(),
                })?;
            region_of
                .iter()
                .position(|x| *x == id)
                .ok_or_else(|| RecordError::NoSuchRegion {
                    what: what.clone(),
                    key: key.to_string(),
                    id,
                })
        };
        let (a, b) = (end("from_id")?, end("to_id")?);
        let (from, to) = match r.get("direction").and_then(Value::as_str) {
            Some("left") => (b, a),
            _ => (a, b),
        };
        let labels = r
            .get("labels")
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| RecordError::NoRelationLabels { what: what.clone() })?;
        let meta = r.get("meta").and_then(Value::as_object);
        for l in labels {
            let label = l.as_str().ok_or_else(|| RecordError::LabelNotAString {
                what: what.clone(),
                label: l.clone(),
            })?;
            let who = super::relations::read_fields(meta);
            out.push(InRelation {
                id: meta
                    .and_then(|m| m.get("id"))
                    .and_then(Value::as_u64)
                    .map(RelationId),
                from,
                to,
                label: label.into(),
                annotator: who.0,
                review: who.1,
                reviewer: who.2,
                at: format!("{at} {what}"),
            });
        }
    }
    Ok(out)
}

fn offset(v: Option<&Value>, what: &str) -> Result<usize, RecordError> {
    v.and_then(Value::as_u64)
        .map(|x| x as usize)
        .ok_or_else(|| RecordError::NotAnOffset {
            what: what.to_string(),
        })
}

fn read_task(
    t: &Value,
    at: &str,
    stem: &str,
    n: usize,
    cancelled: &mut usize,
    other_results: &mut usize,
) -> Result<Incoming, RecordError> {
    let t = t
        .as_object()
        .ok_or(RecordError::NotAnObject { hint: " (a task)" })?;
    let data = t
        .get("data")
        .and_then(Value::as_object)
        .ok_or(RecordError::NoData)?;
    let text = match data.get("text") {
        Some(Value::String(s)) => s.as_str(),
        _ => {
            let mut strings = data.values().filter_map(Value::as_str);
            match (strings.next(), strings.next()) {
                (Some(one), None) => one,
                _ => return Err(RecordError::NoDataText),
            }
        }
    };
    if t.get("predictions")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty())
    {
        return Err(RecordError::Predictions);
    }
    // `completions`: what Label Studio before 1.0 called annotations.
    let annotations: Vec<&Map<String, Value>> = t
        .get("annotations")
        .or_else(|| t.get("completions"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let live: Vec<&&Map<String, Value>> = annotations
        .iter()
        .filter(|a| {
            let c = a.get("was_cancelled").and_then(Value::as_bool) == Some(true);
            *cancelled += usize::from(c);
            !c
        })
        .collect();
    let chosen = match live.as_slice() {
        [] => None,
        [one] => Some(*one),
        many => {
            let gt: Vec<_> = many
                .iter()
                .filter(|a| a.get("ground_truth").and_then(Value::as_bool) == Some(true))
                .collect();
            match gt.as_slice() {
                [one] => Some(**one),
                _ => {
                    return Err(RecordError::Annotations(many.len()));
                }
            }
        }
    };
    let mut spans = Vec::new();
    // Each span's result id, and the relation results, tied to their spans
    // once every result is read.
    let mut region_of: Vec<String> = Vec::new();
    let mut links: Vec<(usize, &Map<String, Value>)> = Vec::new();
    for (k, r) in chosen
        .and_then(|a| a.get("result"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let r = r.as_object().ok_or(RecordError::ResultNotAnObject)?;
        if r.get("type").and_then(Value::as_str) == Some("relation") {
            links.push((k, r));
            continue;
        }
        if r.get("type").and_then(Value::as_str) != Some("labels") {
            *other_results += 1;
            continue;
        }
        let id = r.get("id").map(|v| v.to_string()).unwrap_or_default();
        let what = format!("result {id}");
        let v = r
            .get("value")
            .and_then(Value::as_object)
            .ok_or_else(|| RecordError::Lacks {
                what: what.clone(),
                field: "value object".into(),
            })?;
        let start = offset(v.get("start"), &format!("{what}: value.start"))?;
        let end = offset(v.get("end"), &format!("{what}: value.end"))?;
        let labels =
            v.get("labels")
                .and_then(Value::as_array)
                .ok_or_else(|| RecordError::Lacks {
                    what: what.clone(),
                    field: "value.labels list".into(),
                })?;
        let meta = r.get("meta").and_then(Value::as_object);
        let meta_str = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .map(String::from)
        };
        for l in labels {
            let label = l.as_str().ok_or_else(|| RecordError::LabelNotAString {
                what: what.clone(),
                label: l.clone(),
            })?;
            region_of.push(r.get("id").map(region_id).unwrap_or_default());
            spans.push(InSpan {
                // nhan's own exports carry the span id: keep it, so a round
                // trip gives the same sidecar.
                id: r
                    .get("id")
                    .and_then(|v| v.as_str().and_then(|s| s.parse().ok()).or(v.as_u64()))
                    .map(SpanId),
                start,
                end,
                label: label.into(),
                annotator: meta_str("annotator"),
                text: v.get("text").and_then(Value::as_str).map(String::from),
                at: format!("{at} {what}"),
                review: meta_str("review"),
                reviewer: meta_str("reviewer"),
                fields: super::notes::read_fields(r.get("meta")),
            });
        }
    }
    let relations = read_relations(&links, &region_of, at)?;
    let name = match (data.get("article"), t.get("id")) {
        (Some(Value::String(a)), _) => a.clone(),
        (_, Some(Value::Number(id))) => format!("{stem}-{id}"),
        _ => format!("{stem}-{n}"),
    };
    let file_name =
        safe_file_name(&name).ok_or_else(|| RecordError::BadFileName { name: name.clone() })?;
    let status = data
        .get("status")
        .and_then(|s| serde_json::from_value::<Status>(s.clone()).ok());
    Ok(Incoming {
        relations,
        at: at.to_string(),
        file_name,
        text: text.into(),
        spans,
        status,
        notes: Vec::new(),
        rejected: Vec::new(),
        note: data.get("note").and_then(Value::as_str).map(String::from),
    })
}
