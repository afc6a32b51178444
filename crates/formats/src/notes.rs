//! Notes and attributes in the exports: brat's `#` AnnotatorNotes and `A`
//! attribute lines and their `annotation.conf` declarations, and the
//! `note`/`attrs` fields the JSON formats carry.

use crate::error::BratExtraError;
use nhan_model::attrs::{self, AttrValue, Attrs, Kind};
use nhan_model::details::{Details, Field};
use nhan_model::review::Decision;
use nhan_model::schema::Schema;
use nhan_model::span::Span;
use serde_json::Value;

/// The brat lines of span `T{t}`: its attributes (`A1<TAB>role T3 official`,
/// a flag as `A2<TAB>negated T3`) then its note
/// (`#1<TAB>AnnotatorNotes T3<TAB>text`). What brat cannot hold (a value
/// with a blank in it, a note's line breaks) is said in `lost`.
pub fn brat_lines(
    s: &Span,
    t: usize,
    next_attr: &mut usize,
    next_note: &mut usize,
    out: &mut String,
    lost: &mut Vec<String>,
) {
    for (name, v) in attrs::attrs(s) {
        let value = match v {
            AttrValue::Bool(true) => None,
            AttrValue::Text(x) if !x.is_empty() && !x.contains(char::is_whitespace) => Some(x),
            other => {
                lost.push(format!(
                    "{} “{}”: attribute {name} = {other} (brat values are single words)",
                    s.label, s.text
                ));
                continue;
            }
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            lost.push(format!("{} “{}”: attribute {name:?}", s.label, s.text));
            continue;
        }
        *next_attr += 1;
        out.push_str(&format!("A{next_attr}\t{name} T{t}"));
        if let Some(x) = value {
            out.push(' ');
            out.push_str(x);
        }
        out.push('\n');
    }
    if let Some(n) = attrs::note(s) {
        let one_line: String = n
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if one_line != n {
            lost.push(format!(
                "{} “{}”: the note's line breaks (brat notes are one line)",
                s.label, s.text
            ));
        }
        *next_note += 1;
        out.push_str(&format!("#{next_note}\tAnnotatorNotes T{t}\t{one_line}\n"));
    }
}

/// The `[attributes]` of `annotation.conf`: each attribute once, with the
/// labels that declare it. A free identifier has no fixed list of values,
/// which brat wants: `seen` gives the values the export wrote for it.
pub fn brat_conf(schema: &Schema, seen: &dyn Fn(&str) -> Vec<String>) -> String {
    let mut names: Vec<&str> = Vec::new();
    for l in &schema.labels {
        for a in l.attributes.iter() {
            if !names.contains(&a.name.as_str()) {
                names.push(&a.name);
            }
        }
    }
    let mut out = String::new();
    for name in names {
        let mut labels = Vec::new();
        let mut values: Vec<String> = Vec::new();
        let mut flag = true;
        for l in &schema.labels {
            let Some(a) = l.attributes.get(name) else {
                continue;
            };
            labels.push(l.name.as_str());
            match &a.kind {
                Kind::Flag => {}
                Kind::Values(vs) => {
                    flag = false;
                    values.extend(vs.iter().cloned());
                }
                Kind::Pattern { source, .. } => {
                    flag = false;
                    out.push_str(&format!(
                        "# {name} on {}: free values matching {source}; declared: those this export holds\n",
                        l.name
                    ));
                    values.extend(seen(name));
                }
            }
        }
        let mut uniq = Vec::new();
        for v in values {
            if !uniq.contains(&v) {
                uniq.push(v);
            }
        }
        out.push_str(&format!("{name}\tArg:{}", labels.join("|")));
        if !flag {
            out.push_str(&format!(", Value:{}", uniq.join("|")));
        }
        out.push('\n');
    }
    out
}

/// A brat line that is not an entity but says something about one.
#[derive(Debug, Clone, PartialEq)]
pub enum BratExtra {
    /// `A1<TAB>role T3 official`; a flag (no value) is `true`.
    Attr {
        target: String,
        name: String,
        value: Value,
    },
    /// `#1<TAB>AnnotatorNotes T3<TAB>text`.
    Note { target: String, text: String },
}

/// Reads an `A`/`M` attribute or a `#` note line; `None` if the line is
/// neither, `Err` if it is one but malformed.
pub fn parse_brat(line: &str) -> Option<Result<BratExtra, BratExtraError>> {
    let first = line.chars().next()?;
    let mut cols = line.split('\t');
    let _id = cols.next();
    let mid = cols.next();
    match first {
        'A' | 'M' => Some((|| {
            let mid = mid.ok_or(BratExtraError::AttrColumns)?;
            let mut w = mid.split(' ');
            let (name, target) = (w.next().unwrap_or(""), w.next());
            let target = target.ok_or(BratExtraError::AttrTarget)?;
            let value = match w.next() {
                Some(v) => Value::from(v),
                None => Value::Bool(true),
            };
            Ok(BratExtra::Attr {
                target: target.into(),
                name: name.into(),
                value,
            })
        })()),
        '#' => Some((|| {
            let mid = mid.ok_or(BratExtraError::NoteColumns)?;
            let target = mid.split(' ').nth(1).ok_or(BratExtraError::NoteTarget)?;
            let text = cols.collect::<Vec<_>>().join("\t");
            Ok(BratExtra::Note {
                target: target.into(),
                text,
            })
        })()),
        _ => None,
    }
}

/// Puts a brat attribute or note on an imported span's fields.
pub fn put_brat(fields: &mut Details, x: BratExtra) {
    match x {
        BratExtra::Note { text, .. } => fields.set_note(Some(&text)),
        BratExtra::Attr { name, value, .. } => {
            let mut a = fields.attrs().cloned().unwrap_or_default();
            a.set(&name, Some(AttrValue::from(value)));
            fields.set_attrs(Some(a));
        }
    }
}

/// A span's note, then its attributes, as the sidecar holds them (a value
/// of the wrong type too: an export passes on what it was given).
fn note_and_attrs(s: &Span) -> impl Iterator<Item = &Field> {
    [attrs::NOTE, attrs::ATTRS]
        .into_iter()
        .filter_map(|key| s.details.iter().find(|f| f.key() == key))
}

/// A span's note and attributes as the JSON formats carry them:
/// `{"note": …, "attrs": {…}}`, only what is set.
pub struct JsonFields<'a>(Vec<&'a Field>);

impl serde::Serialize for JsonFields<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = ser.serialize_map(Some(self.0.len()))?;
        for f in &self.0 {
            m.serialize_entry(f.key(), f)?;
        }
        m.end()
    }
}

/// `None` when the span has neither a note nor attributes.
pub fn json_fields(s: &Span) -> Option<JsonFields<'_>> {
    let v: Vec<&Field> = note_and_attrs(s).collect();
    (!v.is_empty()).then_some(JsonFields(v))
}

/// Who made and reviewed a span, then its note and attributes, as JSON
/// object members (`"annotator":…,"review":…,"reviewer":…,"note":…,"attrs":…`,
/// only what is set) written as serde_json writes them, each after a comma
/// unless `first`; whether any was written.
pub fn push_span_fields(s: &Span, out: &mut Vec<u8>, mut first: bool) -> bool {
    let written = |first: &mut bool, out: &mut Vec<u8>, key: &str| {
        if !std::mem::take(first) {
            out.push(b',');
        }
        nhan_model::json::push_str(out, key);
        out.push(b':');
    };
    let before = out.len();
    for (key, v) in [
        ("annotator", s.annotator.map(|v| v.as_str())),
        ("review", s.review.map(Decision::as_str)),
        ("reviewer", s.reviewer.map(|v| v.as_str())),
    ] {
        if let Some(v) = v {
            written(&mut first, out, key);
            nhan_model::json::push_str(out, v);
        }
    }
    for f in note_and_attrs(s) {
        written(&mut first, out, f.key());
        serde_json::to_writer(&mut *out, f).expect("JSON values serialise");
    }
    out.len() > before
}

/// doccano JSONL's extra fields, only when the article has notes or
/// attributes: `,"span_meta":[…]` parallel to `label`, `,"note":…`.
pub fn jsonl_fields(d: &super::Article, out: &mut Vec<u8>) {
    let meta: Vec<Option<JsonFields>> = d.spans.iter().map(|s| json_fields(s)).collect();
    if meta.iter().any(Option::is_some) {
        out.extend_from_slice(b",\"span_meta\":");
        serde_json::to_writer(&mut *out, &meta).expect("JSON values serialise");
    }
    if let Some(n) = attrs::article_note(d.doc.extra()) {
        out.extend_from_slice(b",\"note\":");
        nhan_model::json::push_str(out, n);
    }
}

/// Puts imported note and attribute values on a span, in the sidecar's
/// order (note, then attrs), whatever order the input gave them in.
pub fn put_fields(s: &mut Span, fields: &Details) {
    s.details.set_note(fields.note());
    s.details.set_attrs(fields.attrs().cloned());
}

/// Reads `{"note": …, "attrs": {…}}` (a JSON format's span fields) into
/// what `put_fields` takes; other keys are not nhan's and are left.
pub fn read_fields(v: Option<&Value>) -> Details {
    let mut d = Details::default();
    if let Some(o) = v.and_then(Value::as_object) {
        d.set_note(o.get(attrs::NOTE).and_then(Value::as_str));
        if let Some(Value::Object(a)) = o.get(attrs::ATTRS) {
            d.set_attrs(Some(Attrs::from(a.clone())));
        }
    }
    d
}

/// The distinct `(attribute, value)` pairs of `spans`, sorted.
pub fn attr_values(spans: &[&Span]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = spans
        .iter()
        .flat_map(|s| attrs::attrs(s).map(|(k, x)| (k.to_string(), attrs::shown(x))))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// What a flat format (one label per token, no place for anything else)
/// loses of an article's notes and attributes, for the loss report: one
/// line per article that has any.
pub fn flat_lost(doc: &nhan_model::document::Document, spans: &[&Span]) -> Option<String> {
    let notes = spans.iter().filter(|s| attrs::note(s).is_some()).count();
    let with_attrs = spans
        .iter()
        .filter(|s| attrs::attrs(s).next().is_some())
        .count();
    let article = attrs::article_note(doc.extra()).is_some();
    if notes + with_attrs == 0 && !article {
        return None;
    }
    let mut what = Vec::new();
    if notes > 0 {
        what.push(format!(
            "{notes} span note{}",
            if notes == 1 { "" } else { "s" }
        ));
    }
    if with_attrs > 0 {
        let s = if with_attrs == 1 { "span" } else { "spans" };
        what.push(format!("the attributes of {with_attrs} {s}"));
    }
    if article {
        what.push("the article note".into());
    }
    Some(format!("{}: {}", doc.file_name(), what.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn span() -> Span {
        serde_json::from_value(
            json!({"id": 1, "start": 0, "end": 3, "label": "PER", "text": "Lan",
            "note": "hmm\tok", "attrs": {"role": "official", "negated": true, "odd": "a b"}}),
        )
        .unwrap()
    }

    #[test]
    fn brat_lines_write_attributes_then_the_note() {
        let (mut a, mut n, mut out, mut lost) = (0, 0, String::new(), Vec::new());
        brat_lines(&span(), 3, &mut a, &mut n, &mut out, &mut lost);
        assert_eq!(
            out,
            "A1\trole T3 official\nA2\tnegated T3\n#1\tAnnotatorNotes T3\thmm ok\n"
        );
        assert_eq!(lost.len(), 2, "{lost:?}");
        let back: Vec<BratExtra> = out
            .lines()
            .map(|l| parse_brat(l).unwrap().unwrap())
            .collect();
        assert_eq!(
            back[1],
            BratExtra::Attr {
                target: "T3".into(),
                name: "negated".into(),
                value: Value::Bool(true)
            }
        );
        assert_eq!(
            back[2],
            BratExtra::Note {
                target: "T3".into(),
                text: "hmm ok".into()
            }
        );
        assert_eq!(parse_brat("T1\tPER 0 3\tLan"), None);
        assert!(parse_brat("A1").unwrap().is_err());
    }

    #[test]
    fn conf_declares_each_attribute_once_with_its_labels() {
        let schema = Schema::parse(
            r#"
[[labels]]
name = "PER"
[labels.attributes]
role = ["official", "other"]
negated = true
wikidata = "^Q[0-9]+$"
[[labels]]
name = "ORG"
[labels.attributes]
negated = true
"#,
            "x",
        )
        .unwrap();
        let conf = brat_conf(&schema, &|_| vec!["Q1".into(), "Q42".into()]);
        assert_eq!(
            conf,
            "role\tArg:PER, Value:official|other\nnegated\tArg:PER|ORG\n\
             # wikidata on PER: free values matching ^Q[0-9]+$; declared: those this export holds\n\
             wikidata\tArg:PER, Value:Q1|Q42\n"
        );
    }
}
