//! The sidecar file: `annotations/<stem>.json`. Parsing reports file, line
//! and column; writing produces the contract's layout byte for byte (one span
//! per line, `", "` and `": "` separators, like Python's `json.dumps`).

use super::details::Field;
use super::json;
use super::review::Decision;
use super::span::Span;
use super::status::Status;
use serde::{Deserialize, Serialize};
use serde_json::ser::Formatter;
use serde_json::{Map, Value};
use std::io::{self, Write};

pub const FORMAT_VERSION: u64 = 1;

/// A sidecar file. Its spans are a list (`Sidecar`), or, when read for
/// editing, a span store (`Stored`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de> + Default"))]
pub struct Sidecar<S = Vec<Span>> {
    pub nhan: u64,
    pub article: String,
    pub text_sha256: String,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub spans: S,
    /// Top-level fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct SidecarError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl<S> Sidecar<S> {
    /// Everything but the spans, and the spans.
    pub fn into_parts(self) -> (Head, S) {
        let head = Head {
            nhan: self.nhan,
            article: self.article,
            text_sha256: self.text_sha256,
            status: self.status,
            extra: self.extra,
        };
        (head, self.spans)
    }
}

/// A sidecar read for editing: the spans go straight into a span store.
pub type Stored = Sidecar<crate::span::SpanStore>;

impl SidecarError {
    pub fn from_json(e: &serde_json::Error, path: &str) -> SidecarError {
        SidecarError {
            path: path.into(),
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_string(),
        }
    }
}

/// A file from a newer nhan is refused rather than half understood.
pub fn newer(nhan: u64, path: &str) -> Result<(), SidecarError> {
    if nhan > FORMAT_VERSION {
        return Err(SidecarError {
            path: path.into(),
            line: 1,
            column: 1,
            message: format!("written by a newer nhan (format {nhan}); upgrade nhan to edit it"),
        });
    }
    Ok(())
}

impl Sidecar<Vec<Span>> {
    pub fn parse(bytes: &[u8], path: &str) -> Result<Sidecar, SidecarError> {
        let sc: Sidecar = serde_json::from_slice(bytes).map_err(|e| {
            conflict_error(bytes, path).unwrap_or_else(|| SidecarError::from_json(&e, path))
        })?;
        newer(sc.nhan, path)?;
        Ok(sc)
    }

    /// The contract's layout: stable, diff-friendly, one span per line.
    pub fn to_json(&self) -> String {
        render(
            &Head {
                nhan: self.nhan,
                article: self.article.clone(),
                text_sha256: self.text_sha256.clone(),
                status: self.status,
                extra: self.extra.clone(),
            },
            self.spans.iter(),
            self.spans.len(),
        )
    }
}

/// Everything of a sidecar but its spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub nhan: u64,
    pub article: String,
    pub text_sha256: String,
    pub status: Status,
    pub extra: Map<String, Value>,
}

/// A sidecar to write, taken in O(1) from a document: the spans are shared,
/// so the writer thread can serialise them while editing goes on.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub head: Head,
    pub spans: crate::span::SharedSpans,
}

impl Snapshot {
    pub fn to_json(&self) -> String {
        render(&self.head, self.spans.iter(), self.spans.len())
    }

    /// Writes the sidecar's bytes to `w`, a piece at a time.
    pub fn write(&self, mut w: &mut dyn Write) -> io::Result<()> {
        write_to(&mut w, &self.head, self.spans.iter(), self.spans.len())
    }
}

/// The contract's layout: stable, diff-friendly, one span per line.
pub fn render<'a>(head: &Head, spans: impl Iterator<Item = &'a Span>, n: usize) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(128 + n * 128);
    write_to(&mut out, head, spans, n).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("spans and JSON values are UTF-8")
}

/// Writes the contract's layout to `w` as it goes (a 100k-span sidecar is
/// never held in memory whole). Spans are written by hand rather than
/// through serde: the same bytes, several times faster.
pub fn write_to<'a, W: Write>(
    w: &mut W,
    head: &Head,
    spans: impl Iterator<Item = &'a Span>,
    n: usize,
) -> io::Result<()> {
    let fields = [
        ("nhan", Value::from(head.nhan)),
        ("article", Value::from(head.article.as_str())),
        ("text_sha256", Value::from(head.text_sha256.as_str())),
        ("status", Value::from(head.status.as_str())),
    ];
    let mut s = String::from("{\n");
    for (k, v) in fields.iter() {
        push_member(&mut s, k, v);
    }
    for (k, v) in &head.extra {
        push_member(&mut s, k, v);
    }
    w.write_all(s.as_bytes())?;
    if n == 0 {
        return w.write_all(b"  \"spans\": []\n}\n");
    }
    w.write_all(b"  \"spans\": [\n")?;
    let mut line: Vec<u8> = Vec::with_capacity(256);
    for (i, sp) in spans.enumerate() {
        line.clear();
        line.extend_from_slice(b"    ");
        span_json(&mut line, sp);
        line.extend_from_slice(if i + 1 < n { b",\n" } else { b"\n" });
        w.write_all(&line)?;
    }
    w.write_all(b"  ]\n}\n")
}

/// One span as `json.dumps` spaces it: fields in the sidecar's order, the
/// optional ones only when set, unknown ones last as they came.
fn span_json(out: &mut Vec<u8>, s: &Span) {
    let mut num = itoa::Buffer::new();
    out.extend_from_slice(b"{\"id\": ");
    out.extend_from_slice(num.format(s.id.0).as_bytes());
    out.extend_from_slice(b", \"start\": ");
    out.extend_from_slice(num.format(s.start).as_bytes());
    out.extend_from_slice(b", \"end\": ");
    out.extend_from_slice(num.format(s.end).as_bytes());
    out.extend_from_slice(b", \"label\": ");
    json::push_str(out, &s.label);
    out.extend_from_slice(b", \"text\": ");
    json::push_str(out, &s.text);
    for (k, v) in [
        (&b", \"annotator\": "[..], s.annotator.map(|v| v.as_str())),
        (b", \"review\": ", s.review.map(Decision::as_str)),
        (b", \"reviewer\": ", s.reviewer.map(|v| v.as_str())),
    ] {
        if let Some(v) = v {
            out.extend_from_slice(k);
            json::push_str(out, v);
        }
    }
    for f in s.details.iter() {
        out.extend_from_slice(b", ");
        json::push_str(out, f.key());
        out.extend_from_slice(b": ");
        match f {
            Field::Note(n) => json::push_str(out, n),
            Field::Source(src) => json::push_str(out, src),
            f => out.extend_from_slice(spaced(f).as_bytes()),
        }
    }
    out.push(b'}');
}

/// A top-level member. A non-empty array of objects (such as review's
/// `rejected` list) gets one element per line, like `spans`, so that diffs
/// stay one line per record.
fn push_member(out: &mut String, k: &str, v: &Value) {
    out.push_str("  ");
    out.push_str(&spaced(&k));
    out.push_str(": ");
    match v.as_array() {
        Some(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str("    ");
                out.push_str(&spaced(item));
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str("  ]");
        }
        _ => out.push_str(&spaced(v)),
    }
    out.push_str(",\n");
}

/// Python `json.dumps(ensure_ascii=False)` spacing.
struct Spaced;

impl Formatter for Spaced {
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

fn spaced<T: Serialize + ?Sized>(v: &T) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, Spaced);
    v.serialize(&mut ser).expect("JSON values always serialise");
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

// Git's conflict markers: a plain line merge leaves them, and the sidecar
// then no longer parses; found, they turn the parse error into one that
// says what happened and what to run.

/// The first line of `bytes` that is one of git's conflict markers
/// (`<<<<<<<`, `=======`, `>>>>>>>`, `|||||||` at the start of a line),
/// 1-based.
pub fn conflict_marker_line(bytes: &[u8]) -> Option<usize> {
    const MARKERS: [&[u8]; 4] = [b"<<<<<<<", b"=======", b">>>>>>>", b"|||||||"];
    bytes
        .split(|&b| b == b'\n')
        .position(|line| {
            MARKERS.iter().any(|m| {
                line.starts_with(m)
                    && line
                        .get(m.len())
                        .is_none_or(|&c| c == b' ' || c == b'\r' || c == b'\t')
            })
        })
        .map(|i| i + 1)
}

/// The error for a sidecar that still holds git's conflict markers: where,
/// and what to run. `None` when `bytes` holds none.
pub fn conflict_error(bytes: &[u8], path: &str) -> Option<SidecarError> {
    let line = conflict_marker_line(bytes)?;
    Some(SidecarError {
        path: path.into(),
        line,
        column: 1,
        message: format!(
            "merge conflict in {path}, line {line} (git's conflict markers): run `nhan git-setup` once, then `git checkout -m {path}` to merge it span by span; or keep one side with `git checkout --ours -- {path}` (or `--theirs`); or remove the markers by hand; then `git add {path}`"
        ),
    })
}

/// What to tell about a sidecar git could not merge, as `file:line: what`.
pub fn conflict_line(bytes: &[u8], shown: &str) -> Option<String> {
    conflict_error(bytes, shown).map(|e| format!("{shown}:{}: {}", e.line, e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
  "nhan": 1,
  "article": "a.txt",
  "text_sha256": "00",
  "status": "in_progress",
  "project_note": {"x": [1, 2]},
  "tags": ["a", "b"],
  "rejected": [
    {"id": 3, "start": 0, "end": 1, "label": "LOC", "text": "N", "review": "rejected"},
    {"id": 4, "start": 1, "end": 2, "label": "LOC", "text": "g", "review": "rejected"}
  ],
  "spans": [
    {"id": 1, "start": 0, "end": 16, "label": "PER", "text": "Nguyễn Phú Trọng", "annotator": "lan", "confidence": 0.5},
    {"id": 2, "start": 20, "end": 24, "label": "ORG", "text": "Ban \"X\"", "review": "accepted", "reviewer": "minh"}
  ]
}
"#;

    #[test]
    fn round_trip_is_byte_identical_and_keeps_unknown_fields() {
        let sc = Sidecar::parse(SAMPLE.as_bytes(), "a.json").unwrap();
        assert_eq!(
            sc.spans[0].details.unknown("confidence"),
            Some(&Value::from(0.5))
        );
        assert_eq!(sc.to_json(), SAMPLE);
    }

    /// Notes, attributes and `source` are typed, yet every line is written
    /// back as it came: in either order nhan sets them, around unknown
    /// fields, and with values of the wrong type kept as they were.
    #[test]
    fn typed_details_round_trip_byte_for_byte() {
        let src = r#"{
  "nhan": 1,
  "article": "a.txt",
  "text_sha256": "00",
  "status": "in_progress",
  "spans": [
    {"id": 1, "start": 0, "end": 3, "label": "PER", "text": "Lan", "annotator": "lan", "note": "chắc \"là\" bà ấy?", "attrs": {"role": "official", "negated": true}, "source": "dictionary", "confidence": 0.5},
    {"id": 2, "start": 4, "end": 8, "label": "PER", "text": "Minh", "attrs": {"wikidata": "Q42"}, "note": "attrs first"},
    {"id": 3, "start": 9, "end": 12, "label": "LOC", "text": "Huế", "agreed_by": ["lan", "minh"], "source": "rules", "note": "after an unknown field"},
    {"id": 4, "start": 13, "end": 16, "label": "LOC", "text": "Vinh", "note": 5, "attrs": {"n": 3, "x": null}, "source": ["odd"]},
    {"id": 5, "start": 17, "end": 20, "label": "ORG", "text": "Bộ", "review": "accepted", "attrs": "not an object"}
  ]
}
"#;
        let sc = Sidecar::parse(src.as_bytes(), "a.json").unwrap();
        let d: Vec<&crate::details::Details> = sc.spans.iter().map(|s| &s.details).collect();
        assert_eq!(d[0].note(), Some("chắc \"là\" bà ấy?"));
        assert_eq!(
            crate::attrs::attrs_text(&sc.spans[0]),
            "role=official negated"
        );
        assert_eq!(d[0].source().map(|s| s.as_str()), Some("dictionary"));
        assert_eq!(d[0].unknown("confidence"), Some(&Value::from(0.5)));
        assert_eq!(
            (d[1].note(), d[2].note()),
            (Some("attrs first"), Some("after an unknown field"))
        );
        assert_eq!(d[2].source().map(|s| s.as_str()), Some("rules"));
        // The wrong types are kept under their names, not lost.
        assert_eq!((d[3].note(), d[3].source()), (None, None));
        assert_eq!(d[3].unknown("note"), Some(&Value::from(5)));
        assert_eq!(crate::attrs::attrs_text(&sc.spans[3]), "n=3 x=null");
        assert_eq!(d[4].attrs(), None);
        assert_eq!(sc.to_json(), src);
        // The writer the app saves through gives the same bytes.
        let store: Stored = serde_json::from_slice(src.as_bytes()).unwrap();
        let (head, spans) = store.into_parts();
        let snap = Snapshot {
            head,
            spans: spans.snapshot(),
        };
        assert_eq!(snap.to_json(), src);
    }

    #[test]
    fn parse_errors_have_line_and_column() {
        let e = Sidecar::parse(b"{\n  \"nhan\": 1,\n  \"article\": 5\n}", "x.json").unwrap_err();
        assert_eq!((e.line, e.path.as_str()), (3, "x.json"));
        assert!(e.message.contains("invalid type"), "{}", e.message);
    }

    #[test]
    fn newer_format_is_refused() {
        let e =
            Sidecar::parse(br#"{"nhan": 2, "article": "a", "text_sha256": ""}"#, "x").unwrap_err();
        assert!(e.message.contains("newer"));
    }

    /// A note, attribute object or `source` value, or one of the wrong
    /// type: text, a flag, a number, null, an object of those.
    fn detail_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            "[ a\"\\\\\n\u{1}ễ😀]{0,4}".prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
            (-5i64..5).prop_map(Value::from),
            Just(Value::Null),
        ];
        prop_oneof![
            leaf.clone(),
            proptest::collection::vec(("[a-z]{1,3}", leaf), 0..3)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    }

    proptest::proptest! {
        /// The hand-written span writer gives serde_json's bytes for any
        /// strings (quotes, backslashes, control characters, Vietnamese,
        /// emoji) and any notes, attributes, sources and unknown fields, in
        /// any order and of any type; and they read back as they were.
        #[test]
        fn hand_written_spans_equal_serde(
            id in 0u64..u64::MAX, start in 0usize..1 << 40, len in 0usize..1000,
            label in "\\PC{0,8}", text in "[\\x00-\\x7f\"\\\\ễ😀\u{2028}]{0,20}",
            annotator in proptest::option::of("[a-zà\"\\\\\\x01]{0,6}"),
            review in proptest::option::of("accepted|fixed"),
            reviewer in proptest::option::of(".{0,4}"),
            extra in proptest::collection::vec(("x[a-z\"]{0,3}|note|attrs|source", detail_value()), 0..5),
        ) {
            let sp = Span {
                id: crate::ids::SpanId(id), start, end: start + len,
                label: label.as_str().into(), text: text.as_str().into(),
                annotator: annotator.map(Into::into), review: review.as_deref().map(Decision::spelled),
                reviewer: reviewer.map(Into::into),
                details: extra.into_iter().collect(),
            };
            let mut mine = Vec::new();
            span_json(&mut mine, &sp);
            let line = String::from_utf8(mine).unwrap();
            proptest::prop_assert_eq!(&line, &spaced(&sp));
            // Read back: the same span (typed where it was), the same bytes.
            let back: Span = serde_json::from_str(&line).unwrap();
            proptest::prop_assert_eq!(&back, &sp);
            let mut again = Vec::new();
            span_json(&mut again, &back);
            proptest::prop_assert_eq!(String::from_utf8(again).unwrap(), line);
        }
    }
}
