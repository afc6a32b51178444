//! Spans kept beside an article's spans: the sidecar's `rejected` and
//! `orphans` lists.
//!
//! A reviewer's or adjudicator's rejections are kept so that stats can
//! count them and adjudication knows what was left out; spans that found no
//! place after the article changed are kept rather than dropped.
//!
//! Both are top-level lists of the sidecar. The records already in a list
//! stay as the file has them, byte for byte (they may come from another
//! version or tool); only new ones are written from a typed `Record`.

use super::document::Document;
use super::edit::{Edit, Field};
use super::span::Span;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Which list a record is kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Rejected,
    Orphans,
}

impl List {
    /// The sidecar's top-level field.
    pub fn field(self) -> Field {
        match self {
            List::Rejected => Field::Rejected,
            List::Orphans => Field::Orphans,
        }
    }

    /// The sidecar's key.
    pub fn key(self) -> &'static str {
        match self {
            List::Rejected => "rejected",
            List::Orphans => "orphans",
        }
    }

    /// The list as the sidecar has it (any JSON; an absent list is empty).
    fn raw(self, fields: &Map<String, Value>) -> &[Value] {
        fields
            .get(self.key())
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// How many records the list holds (counted as they are, read or not).
    pub fn len(self, fields: &Map<String, Value>) -> usize {
        self.raw(fields).len()
    }

    /// The records in a sidecar's top-level `fields`, read typed; one
    /// without an extent and a label (not written by nhan) is passed over.
    pub fn read(self, fields: &Map<String, Value>) -> impl Iterator<Item = Record> + '_ {
        self.raw(fields).iter().filter_map(Record::of)
    }

    /// The edit that appends `new` to the document's list.
    pub fn append(self, doc: &Document, new: impl IntoIterator<Item = Record>) -> Edit {
        let mut list = self.raw(doc.extra()).to_vec();
        list.extend(new.into_iter().map(Record::into_value));
        self.set(doc, list)
    }

    /// Appends `new` to the list in a sidecar's own fields (a merge writes
    /// a new sidecar rather than editing a document).
    pub fn append_to(self, fields: &mut Map<String, Value>, new: impl IntoIterator<Item = Record>) {
        let list = fields
            .entry(self.key())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = list {
            items.extend(new.into_iter().map(Record::into_value));
        }
    }

    /// The edit that takes the records `gone` says out of the document's
    /// list (the list itself goes when it empties); `None` if none match.
    pub fn remove(self, doc: &Document, gone: impl Fn(&Record) -> bool) -> Option<Edit> {
        let list = self.raw(doc.extra());
        let kept: Vec<Value> = list
            .iter()
            .filter(|v| !Record::of(v).is_some_and(|r| gone(&r)))
            .cloned()
            .collect();
        (kept.len() != list.len()).then(|| self.set(doc, kept))
    }

    fn set(self, doc: &Document, list: Vec<Value>) -> Edit {
        Edit::SetField {
            field: self.field(),
            before: doc.extra().get(self.key()).cloned(),
            after: (!list.is_empty()).then_some(Value::Array(list)),
        }
    }
}

/// One kept span. Written in the sidecar's span order (id, start, end,
/// label, text, the optional fields when set, then the others as they came).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The span's id; a decision on a candidate that was never a span of
    /// this sidecar (adjudication) has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<crate::ids::SpanId>,
    pub start: usize,
    pub end: usize,
    pub label: String,
    #[serde(default)]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// Fields not named above (a note, attributes, `agreed_by`), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `review` on a rejected record.
pub const REJECTED: &str = "rejected";

impl Record {
    /// A span as a record, with everything it carries.
    pub fn of_span(s: &Span) -> Record {
        Record {
            id: Some(s.id),
            start: s.start,
            end: s.end,
            label: s.label.to_string(),
            text: s.text.to_string(),
            annotator: s.annotator.map(|a| a.to_string()),
            review: s.review.map(|r| r.to_string()),
            reviewer: s.reviewer.map(|r| r.to_string()),
            extra: s.details.to_map(),
        }
    }

    /// A span rejected by `reviewer` (who, if unknown, leaves any earlier
    /// reviewer's name as it was).
    pub fn rejection(s: &Span, reviewer: Option<&str>) -> Record {
        let mut r = Record::of_span(s);
        r.review = Some(REJECTED.into());
        if let Some(who) = reviewer {
            r.reviewer = Some(who.into());
        }
        r
    }

    /// A record as the sidecar has it; `None` for one without an extent
    /// and a label.
    pub fn of(v: &Value) -> Option<Record> {
        Record::deserialize(v).ok()
    }

    pub fn is(&self, start: usize, end: usize, label: &str) -> bool {
        (self.start, self.end, self.label.as_str()) == (start, end, label)
    }

    fn into_value(self) -> Value {
        serde_json::to_value(self).expect("records serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Text;
    use serde_json::json;

    fn doc_with(fields: Value) -> Document {
        let mut d = Document::new("a.txt", Text::new("Lan gặp Minh"), "");
        for (k, v) in fields.as_object().unwrap() {
            d.apply(&Edit::SetField {
                field: Field::of_key(k),
                before: None,
                after: Some(v.clone()),
            });
        }
        d
    }

    #[test]
    fn records_read_typed_and_keep_what_they_do_not_name() {
        let d = doc_with(json!({"rejected": [
            {"start": 8, "end": 12, "label": "LOC", "text": "Minh", "review": "rejected",
             "reviewer": null, "agreed_by": ["lan"], "x": 0.5},
            {"label": "PER"},
        ]}));
        let r: Vec<Record> = List::Rejected.read(d.extra()).collect();
        assert_eq!(r.len(), 1, "the record without an extent is passed over");
        assert!(r[0].is(8, 12, "LOC"));
        assert_eq!((r[0].id, r[0].reviewer.as_deref()), (None, None));
        assert_eq!(
            r[0].extra,
            *json!({"agreed_by": ["lan"], "x": 0.5}).as_object().unwrap()
        );
        assert_eq!(List::Rejected.len(d.extra()), 2, "counted as they are");
        assert_eq!(List::Orphans.len(d.extra()), 0);
    }

    #[test]
    fn appending_keeps_the_records_there_as_they_are() {
        // Another tool's key order and spacing of numbers: kept as read.
        let old = json!({"label": "PER", "text": "Lan", "end": 3, "start": 0, "weight": 1.0});
        let mut d = doc_with(json!({"rejected": [old.clone()]}));
        let mut s = d.make_span(8, 12, "LOC", Some("lan"));
        s.details.insert("note".into(), json!("?"));
        let e = List::Rejected.append(&d, [Record::rejection(&s, Some("minh"))]);
        d.apply(&e);
        let list = d.extra()["rejected"].as_array().unwrap();
        assert_eq!(list[0], old);
        assert_eq!(
            serde_json::to_string(&list[0]).unwrap(),
            serde_json::to_string(&old).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&list[1]).unwrap(),
            format!(
                r#"{{"id":{},"start":8,"end":12,"label":"LOC","text":"Minh","annotator":"lan","review":"rejected","reviewer":"minh","note":"?"}}"#,
                s.id
            )
        );
        // Taken back out: the list goes once it is empty.
        let gone = List::Rejected.remove(&d, |r| r.is(8, 12, "LOC")).unwrap();
        d.apply(&gone);
        assert_eq!(d.extra()["rejected"].as_array().unwrap(), &vec![old]);
        let gone = List::Rejected.remove(&d, |r| r.is(0, 3, "PER")).unwrap();
        d.apply(&gone);
        assert!(!d.extra().contains_key("rejected"));
        assert_eq!(List::Rejected.remove(&d, |_| true), None);
    }

    #[test]
    fn a_span_record_is_the_span_as_the_sidecar_writes_it() {
        let mut d = Document::new("a.txt", Text::new("Lan gặp Minh"), "");
        let mut s = d.make_span(0, 3, "PER", Some("lan"));
        s.review = Some(crate::review::Decision::accepted());
        s.details.insert("attrs".into(), json!({"role": "x"}));
        assert_eq!(
            Record::of_span(&s).into_value(),
            serde_json::to_value(&s).unwrap()
        );
    }
}
