//! Prodigy JSON lines: one task an article,
//! `{"text", "tokens": [{text, start, end, id, ws}], "spans": [{start, end,
//! label, token_start, token_end}], "answer": "accept", "_input_hash",
//! "_task_hash", "meta": {article, status}}` with code-point offsets and
//! inclusive token ends; a span's `note` and `attrs` are on it, the
//! article's note in `meta`. In a project with relations, `relations`
//! holds them as `rel.manual` writes them: `{head, child, head_span,
//! child_span, label}`, `head` and `child` the last token of each span and
//! `head_span`/`child_span` the spans `{start, end, token_start, token_end,
//! label}`. Every span is exported; the report names those
//! Prodigy's `ner` views cannot show (nested, crossing, or not on token
//! edges). Import reads `accept` answers as spans and relations, `reject`
//! answers as rejections, and skips `ignore` answers with a count.

use super::import::{read_input, safe_file_name};
use super::{Article, Context, Format, InRelation, InSpan, Incoming, Place, Rendered, split};
use crate::error::RecordError;
use nhan_model::json;
use nhan_model::status::Status;
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

    fn holds_relations(&self) -> bool {
        true
    }

    fn part_file(&self, place: &Place) -> Option<String> {
        Some(format!("{}.jsonl", place.name))
    }

    fn render(&self, a: &Article, cx: &Context, out: &mut Rendered) {
        let text = a.doc.text();
        let toks = a.doc.tokens();
        // Each token's bytes: its text is a slice, and whether a space
        // follows is one byte (or char) after it, without counting chars.
        let bytes = a.token_bytes;
        // Char ranges once: every token is written, and each span looks
        // for its first and last by binary search.
        let ranges: Vec<(usize, usize)> = toks.iter().map(|t| (t.start, t.end)).collect();
        let last_token = ranges.len().saturating_sub(1);
        let mut num = itoa::Buffer::new();
        // The spans as serde_json writes `[{start, end, label, token_start,
        // token_end, annotator?, review?, reviewer?, note?, attrs?}]`: the
        // task hash is taken over these bytes.
        let mut spans: Vec<u8> = vec![b'['];
        // Each span's first and last token, for its relations.
        let mut token_range = Vec::with_capacity(a.spans.len());
        for (k, s) in a.spans.iter().enumerate() {
            // The tokens a span touches: from the first ending after its
            // start to the last starting before its end.
            let ts = ranges.partition_point(|t| t.1 <= s.start).min(last_token);
            let te = ranges
                .partition_point(|t| t.0 < s.end)
                .saturating_sub(1)
                .max(ts);
            token_range.push((ts, te));
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
        if let Some(n) = nhan_model::attrs::article_note(a.doc.extra()) {
            meta["note"] = n.into();
        }
        // Written by hand, field by field as serde_json would write the
        // task (tests compare both): a project's tokens are most of what
        // this format writes, 1.4 GB for 10,000 articles.
        let o = &mut out.part;
        o.extend_from_slice(b"{\"text\":");
        json::push_str(o, text.as_str());
        o.extend_from_slice(b",\"tokens\":[");
        push_tokens(o, text.as_str(), &ranges, bytes);
        o.extend_from_slice(b"],\"spans\":");
        o.extend_from_slice(spans.as_bytes());
        if super::relations::written(a, cx) {
            push_relations(o, a, &token_range);
        }
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

/// `,"relations":[...]` as `rel.manual` writes them (see the module's
/// comment), given each span's first and last token.
fn push_relations(o: &mut Vec<u8>, a: &Article, token_range: &[(usize, usize)]) {
    let mut num = itoa::Buffer::new();
    let span = |o: &mut Vec<u8>, k: usize, num: &mut itoa::Buffer| {
        let s = a.spans[k];
        let (ts, te) = token_range[k];
        o.extend_from_slice(b"{\"start\":");
        o.extend_from_slice(num.format(s.start).as_bytes());
        o.extend_from_slice(b",\"end\":");
        o.extend_from_slice(num.format(s.end).as_bytes());
        o.extend_from_slice(b",\"token_start\":");
        o.extend_from_slice(num.format(ts).as_bytes());
        o.extend_from_slice(b",\"token_end\":");
        o.extend_from_slice(num.format(te).as_bytes());
        o.extend_from_slice(b",\"label\":");
        json::push_str(o, &s.label);
        o.push(b'}');
    };
    o.extend_from_slice(b",\"relations\":[");
    for (k, r) in super::relations::exported(a).iter().enumerate() {
        if k > 0 {
            o.push(b',');
        }
        o.extend_from_slice(b"{\"head\":");
        o.extend_from_slice(num.format(token_range[r.from].1).as_bytes());
        o.extend_from_slice(b",\"child\":");
        o.extend_from_slice(num.format(token_range[r.to].1).as_bytes());
        o.extend_from_slice(b",\"head_span\":");
        span(o, r.from, &mut num);
        o.extend_from_slice(b",\"child_span\":");
        span(o, r.to, &mut num);
        o.extend_from_slice(b",\"label\":");
        json::push_str(o, &r.rel.label);
        super::relations::push_fields(r.rel, o, false);
        o.push(b'}');
    }
    o.push(b']');
}

/// `rel.manual`'s `relations`, each end found among the task's spans by
/// its `head_span` or `child_span` (start, end and label).
fn read_relations(
    list: &[Value],
    spans: &[InSpan],
    at: &str,
) -> Result<Vec<InRelation>, RecordError> {
    let mut out = Vec::new();
    for (k, r) in list.iter().enumerate() {
        let what = || format!("relations[{k}]");
        let o = r
            .as_object()
            .ok_or_else(|| RecordError::ItemNotAnObject { what: what() })?;
        let end = |key: &str| -> Result<usize, RecordError> {
            let e = o
                .get(key)
                .and_then(Value::as_object)
                .ok_or_else(|| RecordError::NoEnd {
                    what: what(),
                    key: key.to_string(),
                })?;
            let num = |f: &str| e.get(f).and_then(Value::as_u64).map(|x| x as usize);
            let label = e.get("label").and_then(Value::as_str);
            let (start, end) = (num("start"), num("end"));
            spans
                .iter()
                .position(|s| {
                    Some(s.start) == start && Some(s.end) == end && Some(s.label.as_str()) == label
                })
                .ok_or_else(|| RecordError::NoSuchSpan {
                    what: what(),
                    key: key.to_string(),
                    label: label.unwrap_or("no label").to_string(),
                    start: start.map_or("?".into(), |x| x.to_string()),
                    end: end.map_or("?".into(), |x| x.to_string()),
                })
        };
        let label = o
            .get("label")
            .and_then(Value::as_str)
            .ok_or_else(|| RecordError::Lacks {
                what: what(),
                field: "label string".into(),
            })?;
        let who = super::relations::read_fields(Some(o));
        out.push(InRelation {
            id: None,
            from: end("head_span")?,
            to: end("child_span")?,
            label: label.into(),
            annotator: who.0,
            review: who.1,
            reviewer: who.2,
            at: format!("{at} relations[{k}]"),
        });
    }
    Ok(out)
}

/// Writes `{"text", "start", "end", "id", "ws"}` for every token, comma
/// separated, as serde_json would. This is most of what a Prodigy export
/// writes (25 million tokens, 1.4 GB, for 10,000 articles), so it is
/// written byte by byte into room made for a batch of tokens at a time: a
/// call to copy each short piece cost more than the piece.
fn push_tokens(o: &mut Vec<u8>, s: &str, ranges: &[(usize, usize)], bytes: &[(u32, u32)]) {
    const BATCH: usize = 4096;
    let text = s.as_bytes();
    // Offsets and ids are at most the text's char count or the token count.
    let digits = decimal_len(text.len().max(ranges.len()));
    let mut id = 0;
    let mut num = itoa::Buffer::new();
    for (ranges, bytes) in ranges.chunks(BATCH).zip(bytes.chunks(BATCH)) {
        // The most this batch can take: each byte escaped as `\u00XX`,
        // and every token's keys, quotes and numbers at their longest.
        let text_bytes = bytes.last().map_or(0, |l| l.1) - bytes.first().map_or(0, |f| f.0);
        let room = 6 * text_bytes as usize + ranges.len() * (48 + 3 * digits);
        let at = o.len();
        o.resize(at + room, 0);
        let mut w = Cursor {
            buf: &mut o[..],
            n: at,
        };
        for (&(c0, c1), &(b0, b1)) in ranges.iter().zip(bytes) {
            if id > 0 {
                w.put(b",");
            }
            w.put(b"{\"text\":\"");
            for &b in &text[b0 as usize..b1 as usize] {
                if json::needs_escape(b) {
                    w.put_short(json::escape(b).as_slice());
                } else {
                    w.put(&[b]);
                }
            }
            w.put(b"\",\"start\":");
            w.put_decimal(&mut num, c0);
            w.put(b",\"end\":");
            w.put_decimal(&mut num, c1);
            w.put(b",\"id\":");
            w.put_decimal(&mut num, id);
            let ws = match text.get(b1 as usize) {
                None => false,
                Some(&b) if b < 0x80 => (b as char).is_whitespace(),
                Some(_) => s[b1 as usize..]
                    .chars()
                    .next()
                    .is_some_and(char::is_whitespace),
            };
            if ws {
                w.put(b",\"ws\":true}");
            } else {
                w.put(b",\"ws\":false}");
            }
            id += 1;
        }
        let n = w.n;
        o.truncate(n);
    }
}

fn decimal_len(v: usize) -> usize {
    v.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Writes into room already made, one byte at a time.
struct Cursor<'a> {
    buf: &'a mut [u8],
    n: usize,
}

impl Cursor<'_> {
    /// Copies a piece known when compiling in one block of moves.
    fn put<const N: usize>(&mut self, piece: &[u8; N]) {
        self.buf[self.n..][..N].copy_from_slice(piece);
        self.n += N;
    }

    /// Copies a short piece byte by byte: cheaper than a call to copy it.
    fn put_short(&mut self, piece: &[u8]) {
        for &b in piece {
            self.buf[self.n] = b;
            self.n += 1;
        }
    }

    /// Writes `v` in decimal (`itoa`, two digits a step).
    fn put_decimal(&mut self, num: &mut itoa::Buffer, v: usize) {
        self.put_short(num.format(v).as_bytes());
    }
}

/// A stable 32-bit signed hash, as Prodigy's hashes are.
fn hash32(seed: u64, key: &str) -> i32 {
    split::seeded_hash(seed, key) as u32 as i32
}

fn read_line(line: &str, at: &str, stem: &str, n: usize) -> Result<Option<Incoming>, RecordError> {
    let v: Value =
        serde_json::from_str(line).map_err(|e| RecordError::NotJson(std::sync::Arc::new(e)))?;
    let m = v.as_object().ok_or(RecordError::NotAnObject {
        hint: " (a Prodigy task)",
    })?;
    let text = m
        .get("text")
        .and_then(Value::as_str)
        .ok_or(RecordError::NoText {
            hint: "Prodigy ner tasks hold one",
        })?;
    let answer = m.get("answer").and_then(Value::as_str).unwrap_or("accept");
    let reject = match answer {
        "accept" => false,
        "reject" => true,
        "ignore" => return Ok(None),
        other => {
            return Err(RecordError::Answer(other.to_string()));
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
        let o = s.as_object().ok_or_else(|| RecordError::ItemNotAnObject {
            what: format!("spans[{k}]"),
        })?;
        let num = |key: &str| {
            o.get(key)
                .and_then(Value::as_u64)
                .map(|x| x as usize)
                .ok_or_else(|| RecordError::NotAnOffset {
                    what: format!("spans[{k}].{key}"),
                })
        };
        let label = o
            .get("label")
            .and_then(Value::as_str)
            .ok_or_else(|| RecordError::Lacks {
                what: format!("spans[{k}]"),
                field: "label string".into(),
            })?;
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
    let file_name =
        safe_file_name(&name).ok_or_else(|| RecordError::BadFileName { name: name.clone() })?;
    let status = meta
        .and_then(|x| x.get("status"))
        .and_then(|s| serde_json::from_value::<Status>(s.clone()).ok());
    let listed = m
        .get("relations")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut notes = Vec::new();
    let (spans, rejected, relations) = if reject {
        if !listed.is_empty() {
            notes.push(format!(
                "{at}: the {} relation(s) of a rejected task were not imported (its spans are kept as rejected)",
                listed.len()
            ));
        }
        (Vec::new(), spans, Vec::new())
    } else {
        let relations = read_relations(listed, &spans, at)?;
        (spans, Vec::new(), relations)
    };
    Ok(Some(Incoming {
        relations,
        at: at.to_string(),
        file_name,
        text: text.into(),
        spans,
        status,
        notes,
        rejected,
        note: meta
            .and_then(|x| x.get("note"))
            .and_then(Value::as_str)
            .map(String::from),
    }))
}

#[cfg(test)]
mod tests {
    use nhan_model::text::Text;
    use nhan_model::tokens::Tokens;

    /// The tokens as serde_json writes them, which the hand-written writer
    /// must match byte for byte.
    fn by_serde(s: &str, ranges: &[(usize, usize)], bytes: &[(u32, u32)]) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Token<'a> {
            text: &'a str,
            start: usize,
            end: usize,
            id: usize,
            ws: bool,
        }
        let tokens: Vec<Token> = ranges
            .iter()
            .zip(bytes)
            .enumerate()
            .map(|(id, (&(start, end), &(b0, b1)))| Token {
                text: &s[b0 as usize..b1 as usize],
                start,
                end,
                id,
                ws: s[b1 as usize..]
                    .chars()
                    .next()
                    .is_some_and(char::is_whitespace),
            })
            .collect();
        let mut v = serde_json::to_vec(&tokens).unwrap();
        // Without the brackets, as `push_tokens` writes them.
        v.pop();
        v.remove(0);
        v
    }

    fn check(s: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        let text = Text::new(s);
        let (tokens, bytes) = Tokens::new_with_bytes(&text);
        let ranges: Vec<(usize, usize)> = tokens.iter().map(|t| (t.start, t.end)).collect();
        let mut mine = b"[".to_vec();
        super::push_tokens(&mut mine, s, &ranges, &bytes);
        let theirs = by_serde(s, &ranges, &bytes);
        proptest::prop_assert_eq!(
            String::from_utf8_lossy(&mine[1..]),
            String::from_utf8_lossy(&theirs)
        );
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn tokens_are_written_as_serde_json_writes_them(
            s in "[a-z \"\\\\\t\n\u{1}\u{1f}\u{a0}\u{2028}ễe\u{301}😀中.,]{0,200}"
        ) {
            check(&s)?;
        }
    }

    #[test]
    fn more_tokens_than_one_batch_and_a_very_long_token() {
        let mut s = "Nguyễn \"Phú\" Trọng\\ à\u{3000}中文 ".repeat(2000);
        s.push_str(&"x\"".repeat(50_000));
        s.push_str(" end");
        check(&s).unwrap();
    }
}
