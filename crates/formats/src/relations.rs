//! Relations as the formats that hold them (brat, doccano, Label Studio,
//! Prodigy) write them: only those whose two spans are exported, each end
//! as the span's place among the article's exported spans, in reading
//! order (by those places, then type), so that the same annotation gives
//! the same bytes however its ids came about. The others are counted in
//! the export's loss report ([`lost`]).

use super::{Article, Context};
use nhan_model::relation::Relation;
use nhan_model::review::Decision;
use std::collections::HashMap;

/// One relation to write: its ends' places in `Article::spans`.
pub struct Out<'a> {
    pub from: usize,
    pub to: usize,
    pub rel: &'a Relation,
}

/// The article's relations whose two spans are exported, in reading order.
pub fn exported<'a>(a: &Article<'a>) -> Vec<Out<'a>> {
    let doc: &'a nhan_model::document::Document = a.doc;
    if doc.relations().is_empty() {
        return Vec::new();
    }
    let place: HashMap<nhan_model::ids::SpanId, usize> =
        a.spans.iter().enumerate().map(|(k, s)| (s.id, k)).collect();
    let mut v: Vec<Out<'a>> = doc
        .relations()
        .iter()
        .filter_map(|r| {
            Some(Out {
                from: *place.get(&r.from)?,
                to: *place.get(&r.to)?,
                rel: r,
            })
        })
        .collect();
    v.sort_by(|a, b| (a.from, a.to, &a.rel.label).cmp(&(b.from, b.to, &b.rel.label)));
    v
}

/// How many of the article's relations an export in a format leaves out:
/// all of them in a format that holds none, else those with a span not
/// exported (`--labels`).
pub fn lost(a: &Article, format_holds_them: bool) -> usize {
    let all = a.doc.relations().len();
    if format_holds_them {
        all - exported(a).len()
    } else {
        all
    }
}

/// Whether an article's record carries relation fields (doccano's
/// `entities`/`relations`, Prodigy's `relations`): in a project that
/// declares relation types, or for an article that has relations, so that
/// exports of projects without relations stay as they were.
pub fn written(a: &Article, cx: &Context) -> bool {
    !cx.schema.relations.is_empty() || !a.doc.relations().is_empty()
}

/// Writes the relation's `"annotator"`, `"review"` and `"reviewer"` that
/// are set, as members of an object (a comma first unless `first`); true
/// when it wrote any.
pub fn push_fields(r: &Relation, out: &mut Vec<u8>, mut first: bool) -> bool {
    let before = out.len();
    for (key, v) in [
        ("annotator", r.annotator.as_deref()),
        ("review", r.review.map(Decision::as_str)),
        ("reviewer", r.reviewer.as_deref()),
    ] {
        if let Some(v) = v {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            nhan_model::json::push_str(out, key);
            out.push(b':');
            nhan_model::json::push_str(out, v);
        }
    }
    out.len() > before
}

/// Who made and who decided a relation, as [`push_fields`] wrote them
/// into `o`: `(annotator, review, reviewer)`.
pub fn read_fields(
    o: Option<&serde_json::Map<String, serde_json::Value>>,
) -> (Option<String>, Option<String>, Option<String>) {
    let get = |k: &str| {
        o.and_then(|o| o.get(k))
            .and_then(serde_json::Value::as_str)
            .map(String::from)
    };
    (get("annotator"), get("review"), get("reviewer"))
}
