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
use crate::core::json;
use crate::core::status::Status;
use serde_json::{Value, json};
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
        // Each token's bytes: its text is a slice, and whether a space
        // follows is one byte (or char) after it, without counting chars.
        let bytes = super::flat::token_bytes(a.doc);
        // Char ranges once: every token is written, and each span looks
        // for its first and last by binary search.
        let ranges: Vec<(usize, usize)> = toks.iter().map(|t| (t.start, t.end)).collect();
        let last_token = ranges.len().saturating_sub(1);
        let mut num = itoa::Buffer::new();
        // The spans as serde_json writes `[{start, end, label, token_start,
        // token_end, annotator?, review?, reviewer?, note?, attrs?}]`: the
        // task hash is taken over these bytes.
        let mut spans: Vec<u8> = vec![b'['];
        for (k, s) in a.spans.iter().enumerate() {
            // The tokens a span touches: from the first ending after its
            // start to the last starting before its end.
            let ts = ranges.partition_point(|t| t.1 <= s.start).min(last_token);
            let te = ranges
                .partition_point(|t| t.0 < s.end)
                .saturating_sub(1)
                .max(ts);
            if k > 0 {
                spans.push(b',');
            }
            for (key, n) in [(&b"{\"start\":"[..], s.start), (b",\"end\":", s.end)] {
                spans.extend_from_slice(key);
                spans.extend_from_slice(num.format(n).as_bytes());
            }
            spans.extend_from_slice(b",\"label\":");
            json::push_str(&mut spans, &s.label);
            for (key, n) in [(&b",\"token_start\":"[..], ts), (b",\"token_end\":", te)] {
                spans.extend_from_slice(key);
                spans.extend_from_slice(num.format(n).as_bytes());
            }
            super::notes::push_span_fields(s, &mut spans, false);
            spans.push(b'}');
        }
        spans.push(b']');
        let spans = String::from_utf8(spans).expect("JSON written from strings is UTF-8");
        let input_hash = hash32(0, text.as_str());
        let task_hash = hash32(input_hash as u32 as u64, &spans);
        let mut meta = json!({"article": a.doc.file_name(), "status": a.doc.status().as_str()});
        if let Some(n) = crate::core::attrs::article_note(a.doc.extra()) {
            meta["note"] = n.into();
        }
        // Written by hand, field by field as serde_json would write the
        // task (tests compare both): a project's tokens are most of what
        // this format writes, 1.4 GB for 10,000 articles.
        let o = &mut out.part;
        o.extend_from_slice(b"{\"text\":");
        json::push_str(o, text.as_str());
        o.extend_from_slice(b",\"tokens\":[");
        let s = text.as_str();
        for (i, (t, &(b0, b1))) in ranges.iter().zip(&bytes).enumerate() {
            if i > 0 {
                o.push(b',');
            }
            o.extend_from_slice(b"{\"text\":");
            json::push_str(o, &s[b0 as usize..b1 as usize]);
            o.extend_from_slice(b",\"start\":");
            o.extend_from_slice(num.format(t.0).as_bytes());
            o.extend_from_slice(b",\"end\":");
            o.extend_from_slice(num.format(t.1).as_bytes());
            o.extend_from_slice(b",\"id\":");
            o.extend_from_slice(num.format(i).as_bytes());
            let ws = s[b1 as usize..]
                .chars()
                .next()
                .is_some_and(char::is_whitespace);
            o.extend_from_slice(if ws {
                b",\"ws\":true}"
            } else {
                b",\"ws\":false}"
            });
        }
        o.extend_from_slice(b"],\"spans\":");
        o.extend_from_slice(spans.as_bytes());
        o.extend_from_slice(b",\"answer\":\"accept\",\"_input_hash\":");
        o.extend_from_slice(num.format(input_hash).as_bytes());
        o.extend_from_slice(b",\"_task_hash\":");
        o.extend_from_slice(num.format(task_hash).as_bytes());
        o.extend_from_slice(b",\"meta\":");
        serde_json::to_writer(&mut *o, &meta).expect("writing to memory cannot fail");
        o.extend_from_slice(b"}\n");
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
