//! Prodigy JSON lines: one task an article,
//! `{"text", "tokens": [{text, start, end, id, ws}], "spans": [{start, end,
//! label, token_start, token_end}], "answer": "accept", "_input_hash",
//! "_task_hash", "meta": {article, status}}` with code-point offsets and
//! inclusive token ends; a span's `note` and `attrs` are on it, the
//! article's note in `meta`. Every span is exported; the report names those
//! Prodigy's `ner` views cannot show (nested, crossing, or not on token
//! edges). Import reads `accept` answers as spans, `reject` answers as
//! rejections, and skips `ignore` answers with a count.

use super::import::{read_input, safe_file_name};
use super::{Article, Context, Format, InSpan, Incoming, Place, Rendered, split};
use crate::core::status::Status;
use serde_json::{Map, Value, json};
use std::path::Path;

pub struct Prodigy;

impl Format for Prodigy {
    fn name(&self) -> &'static str {
        "prodigy"
    }

    fn flat(&self) -> bool {
        false
    }

    fn shows_flat_only(&self) -> bool {
        true
    }

    fn part_file(&self, place: &Place) -> Option<String> {
        Some(format!("{}.jsonl", place.name))
    }

    fn render(&self, a: &Article, _cx: &Context, out: &mut Rendered) {
        let text = a.doc.text();
        let toks = a.doc.tokens();
        let n_chars = text.len_chars();
        // Typed rather than `json!` per token: a project's tokens are most
        // of what this format writes.
        let tokens: Vec<Token> = toks
            .iter()
            .enumerate()
            .map(|(i, t)| Token {
                text: text.slice(t.start, t.end),
                start: t.start,
                end: t.end,
                id: i,
                ws: t.end < n_chars
                    && text
                        .slice(t.end, t.end + 1)
                        .chars()
                        .all(char::is_whitespace),
            })
            .collect();
        // The first token for which `past` holds (tokens are in order).
        let first = |past: &dyn Fn(usize) -> bool| {
            let (mut lo, mut hi) = (0, toks.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if past(mid) { hi = mid } else { lo = mid + 1 }
            }
            lo
        };
        let last_token = toks.len().saturating_sub(1);
        let spans: Vec<Value> = a
            .spans
            .iter()
            .map(|s| {
                // The tokens a span touches: from the first ending after its
                // start to the last starting before its end.
                let ts = first(&|i| toks.get(i).end > s.start).min(last_token);
                let te = first(&|i| toks.get(i).start >= s.end)
                    .saturating_sub(1)
                    .max(ts);
                let mut m = Map::new();
                m.insert("start".into(), s.start.into());
                m.insert("end".into(), s.end.into());
                m.insert("label".into(), (&*s.label).into());
                m.insert("token_start".into(), ts.into());
                m.insert("token_end".into(), te.into());
                for (k, v) in [
                    ("annotator", &s.annotator),
                    ("review", &s.review),
                    ("reviewer", &s.reviewer),
                ] {
                    if let Some(v) = v {
                        m.insert(k.into(), Value::from(&**v));
                    }
                }
                m.extend(super::notes::json_fields(s).unwrap_or_default());
                Value::Object(m)
            })
            .collect();
        let input_hash = hash32(0, text.as_str());
        let task_hash = hash32(
            input_hash as u32 as u64,
            &serde_json::to_string(&spans).expect("JSON values serialise"),
        );
        let mut meta = json!({"article": a.doc.file_name(), "status": a.doc.status().as_str()});
        if let Some(n) = crate::core::attrs::article_note(a.doc.extra()) {
            meta["note"] = n.into();
        }
        let task = Task {
            text: text.as_str(),
            tokens,
            spans,
            answer: "accept",
            input_hash,
            task_hash,
            meta,
        };
        serde_json::to_writer(&mut out.part, &task).expect("writing to memory cannot fail");
        out.part.push(b'\n');
    }

    fn import(&self, path: &Path) -> Result<Vec<Incoming>, Vec<String>> {
        let shown = path.display().to_string();
        let (src, stem) = read_input(path)?;
        let mut out = Vec::new();
        let mut problems = Vec::new();
        let mut ignored = 0;
        for (i, line) in src.lines().enumerate() {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            match read_line(line, &format!("{shown}:{n}"), &stem, n) {
                Ok(Some(inc)) => out.push(inc),
                Ok(None) => ignored += 1,
                Err(e) => problems.push(format!("{shown}:{n}: {e}")),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if ignored > 0
            && let Some(first) = out.first_mut()
        {
            first.notes.push(format!(
                "{shown}: {ignored} task(s) answered \"ignore\" were skipped"
            ));
        }
        Ok(out)
    }
}

/// One task, its fields in the order Prodigy writes them.
#[derive(serde::Serialize)]
struct Task<'a> {
    text: &'a str,
    tokens: Vec<Token<'a>>,
    spans: Vec<Value>,
    answer: &'static str,
    #[serde(rename = "_input_hash")]
    input_hash: i32,
    #[serde(rename = "_task_hash")]
    task_hash: i32,
    meta: Value,
}

#[derive(serde::Serialize)]
struct Token<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    id: usize,
    ws: bool,
}

/// A stable 32-bit signed hash, as Prodigy's hashes are.
fn hash32(seed: u64, key: &str) -> i32 {
    split::seeded_hash(seed, key) as u32 as i32
}

fn read_line(line: &str, at: &str, stem: &str, n: usize) -> Result<Option<Incoming>, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let m = v.as_object().ok_or("not a JSON object (a Prodigy task)")?;
    let text = m
        .get("text")
        .and_then(Value::as_str)
        .ok_or("no \"text\" string (Prodigy ner tasks hold one)")?;
    let answer = m.get("answer").and_then(Value::as_str).unwrap_or("accept");
    let reject = match answer {
        "accept" => false,
        "reject" => true,
        "ignore" => return Ok(None),
        other => {
            return Err(format!("answer {other:?} is not accept, reject or ignore"));
        }
    };
    let mut spans = Vec::new();
    for (k, s) in m
        .get("spans")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let o = s
            .as_object()
            .ok_or_else(|| format!("spans[{k}] is not an object"))?;
        let num = |key: &str| {
            o.get(key)
                .and_then(Value::as_u64)
                .map(|x| x as usize)
                .ok_or_else(|| format!("spans[{k}].{key} is not a non-negative whole number"))
        };
        let label = o
            .get("label")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("spans[{k}] has no label string"))?;
        let get = |key: &str| o.get(key).and_then(Value::as_str).map(String::from);
        spans.push(InSpan {
            id: None,
            start: num("start")?,
            end: num("end")?,
            label: label.into(),
            annotator: get("annotator"),
            text: get("text"),
            at: format!("{at} spans[{k}]"),
            review: get("review"),
            reviewer: get("reviewer"),
            fields: super::notes::read_fields(Some(s)),
        });
    }
    let meta = m.get("meta").and_then(Value::as_object);
    let name = match meta.and_then(|x| x.get("article")) {
        Some(Value::String(a)) => a.clone(),
        _ => format!("{stem}-{n}"),
    };
    let file_name = safe_file_name(&name).ok_or_else(|| {
        format!("{name:?} cannot be an article file name (one plain name, no folders)")
    })?;
    let status = meta
        .and_then(|x| x.get("status"))
        .and_then(|s| serde_json::from_value::<Status>(s.clone()).ok());
    let (spans, rejected) = if reject {
        (Vec::new(), spans)
    } else {
        (spans, Vec::new())
    };
    Ok(Some(Incoming {
        at: at.to_string(),
        file_name,
        text: text.into(),
        spans,
        status,
        notes: Vec::new(),
        rejected,
        note: meta
            .and_then(|x| x.get("note"))
            .and_then(Value::as_str)
            .map(String::from),
    }))
}
