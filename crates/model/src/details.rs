//! A span's optional details: its note, its attribute values, the
//! recommender it was accepted from (`source`), and the fields this version
//! does not know.
//!
//! They are kept in the order the sidecar gave them (or the order they were
//! set in), because nhan itself writes both `"note", "attrs"` and
//! `"attrs", "note"` depending on which came first: a fixed order would
//! rewrite lines nobody changed. A known field whose value is not of its
//! type (`"note": 5`) is kept as it came, as an unknown field under its
//! name, so nothing read is lost and `nhan validate` can still name it.

use super::interned::Sym;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// The span field holding a note (also the sidecar's top-level one).
pub const NOTE: &str = "note";
/// The span field holding the attribute values.
pub const ATTRS: &str = "attrs";
/// The span field naming the recommender an accepted suggestion came from.
pub const SOURCE: &str = "source";

/// A span's details, in order; empty (a null pointer) for nearly every
/// span, so that a span stays small.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Details(
    #[expect(
        clippy::box_collection,
        reason = "a thin pointer keeps a span at 72 bytes; a Vec or a boxed slice is 16-24"
    )]
    Option<Box<Vec<Field>>>,
);

/// One detail of a span.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Note(String),
    Attrs(Attrs),
    Source(Sym),
    /// A field this version does not know, or a known one whose value is
    /// not of its type, as it came.
    Unknown(String, Value),
}

impl Field {
    /// The field's name in the sidecar.
    pub fn key(&self) -> &str {
        match self {
            Field::Note(_) => NOTE,
            Field::Attrs(_) => ATTRS,
            Field::Source(_) => SOURCE,
            Field::Unknown(k, _) => k,
        }
    }

    /// The field read from the sidecar: typed when the value has the
    /// field's type, kept as it came otherwise.
    pub fn new(key: String, v: Value) -> Field {
        match (key.as_str(), v) {
            (NOTE, Value::String(s)) => Field::Note(s),
            (ATTRS, Value::Object(m)) => Field::Attrs(Attrs::from(m)),
            (SOURCE, Value::String(s)) => Field::Source(Sym::from(s)),
            (_, v) => Field::Unknown(key, v),
        }
    }

    /// The value as JSON (exports, merge records).
    pub fn to_value(&self) -> Value {
        match self {
            Field::Note(n) => Value::from(n.as_str()),
            Field::Attrs(a) => a.to_value(),
            Field::Source(s) => Value::from(s.as_str()),
            Field::Unknown(_, v) => v.clone(),
        }
    }
}

impl Serialize for Field {
    /// The value only; the key is `Field::key`.
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Note(n) => ser.serialize_str(n),
            Field::Attrs(a) => a.serialize(ser),
            Field::Source(s) => ser.serialize_str(s.as_str()),
            Field::Unknown(_, v) => v.serialize(ser),
        }
    }
}

impl Details {
    pub fn iter(&self) -> std::slice::Iter<'_, Field> {
        self.0.as_deref().map_or(&[][..], Vec::as_slice).iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn len(&self) -> usize {
        self.0.as_deref().map_or(0, Vec::len)
    }

    pub fn note(&self) -> Option<&str> {
        self.iter().find_map(|f| match f {
            Field::Note(n) => Some(n.as_str()),
            _ => None,
        })
    }

    pub fn attrs(&self) -> Option<&Attrs> {
        self.iter().find_map(|f| match f {
            Field::Attrs(a) => Some(a),
            _ => None,
        })
    }

    pub fn source(&self) -> Option<Sym> {
        self.iter().find_map(|f| match f {
            Field::Source(s) => Some(*s),
            _ => None,
        })
    }

    /// The field named `key`, if it is kept as it came (unknown to this
    /// version, or of the wrong type).
    pub fn unknown(&self, key: &str) -> Option<&Value> {
        self.iter().find_map(|f| match f {
            Field::Unknown(k, v) if k == key => Some(v),
            _ => None,
        })
    }

    /// The field named `key`, known or not, as JSON.
    pub fn to_value(&self, key: &str) -> Option<Value> {
        self.iter().find(|f| f.key() == key).map(Field::to_value)
    }

    /// Every field as JSON, in order.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|f| (f.key().to_string(), f.to_value()))
            .collect()
    }

    /// Sets a field: one of the same name keeps its place in the line (as
    /// a JSON object's member does), a new one goes last.
    pub fn set(&mut self, f: Field) {
        let v = self.0.get_or_insert_with(Default::default);
        match v.iter_mut().find(|x| x.key() == f.key()) {
            Some(x) => *x = f,
            None => v.push(f),
        }
    }

    /// Sets the field `key` read as JSON (typed when it fits).
    pub fn insert(&mut self, key: String, v: Value) {
        self.set(Field::new(key, v));
    }

    /// Removes the field named `key`, keeping the others' order.
    pub fn remove(&mut self, key: &str) -> Option<Field> {
        let v = self.0.as_mut()?;
        let i = v.iter().position(|f| f.key() == key)?;
        let f = v.remove(i);
        if v.is_empty() {
            self.0 = None;
        }
        Some(f)
    }

    /// Sets the note, or removes it for `None`.
    pub fn set_note(&mut self, note: Option<&str>) {
        match note {
            Some(n) => self.set(Field::Note(n.to_string())),
            None => {
                self.remove(NOTE);
            }
        }
    }

    /// Sets the attribute values; empty ones remove the field.
    pub fn set_attrs(&mut self, attrs: Option<Attrs>) {
        match attrs.filter(|a| !a.is_empty()) {
            Some(a) => self.set(Field::Attrs(a)),
            None => {
                self.remove(ATTRS);
            }
        }
    }
}

impl FromIterator<(String, Value)> for Details {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(it: I) -> Details {
        let mut d = Details::default();
        for (k, v) in it {
            d.insert(k, v);
        }
        d
    }
}

impl From<Map<String, Value>> for Details {
    fn from(m: Map<String, Value>) -> Details {
        m.into_iter().collect()
    }
}

/// A span's attribute values, name → value, in their order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attrs(Vec<(String, AttrValue)>);

/// One attribute value: a flag's `true`, or text (one of the declared
/// values, or an identifier). Anything else a sidecar holds is kept as it
/// came, for `nhan validate` to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrValue {
    Bool(bool),
    Text(String),
    Other(Value),
}

impl AttrValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            AttrValue::Bool(b) => Value::Bool(*b),
            AttrValue::Text(s) => Value::from(s.as_str()),
            AttrValue::Other(v) => v.clone(),
        }
    }
}

impl From<Value> for AttrValue {
    fn from(v: Value) -> AttrValue {
        match v {
            Value::Bool(b) => AttrValue::Bool(b),
            Value::String(s) => AttrValue::Text(s),
            other => AttrValue::Other(other),
        }
    }
}

impl From<&str> for AttrValue {
    fn from(s: &str) -> AttrValue {
        AttrValue::Text(s.to_string())
    }
}

impl fmt::Display for AttrValue {
    /// As JSON: `true`, `"official"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrValue::Bool(b) => write!(f, "{b}"),
            AttrValue::Text(s) => f.write_str(&serde_json::to_string(s).map_err(|_| fmt::Error)?),
            AttrValue::Other(v) => write!(f, "{v}"),
        }
    }
}

impl Serialize for AttrValue {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self {
            AttrValue::Bool(b) => ser.serialize_bool(*b),
            AttrValue::Text(s) => ser.serialize_str(s),
            AttrValue::Other(v) => v.serialize(ser),
        }
    }
}

impl Attrs {
    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttrValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `name` (in its place, or last if new), or removes it for `None`.
    pub fn set(&mut self, name: &str, v: Option<AttrValue>) {
        let at = self.0.iter().position(|(k, _)| k == name);
        match (at, v) {
            (Some(i), Some(v)) => self.0[i].1 = v,
            (None, Some(v)) => self.0.push((name.to_string(), v)),
            (Some(i), None) => {
                self.0.remove(i);
            }
            (None, None) => {}
        }
    }

    pub fn to_value(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), v.to_value()))
                .collect(),
        )
    }
}

impl From<Map<String, Value>> for Attrs {
    fn from(m: Map<String, Value>) -> Attrs {
        Attrs(
            m.into_iter()
                .map(|(k, v)| (k, AttrValue::from(v)))
                .collect(),
        )
    }
}

impl Serialize for Attrs {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_typed_when_they_fit_and_kept_as_they_came_when_not() {
        let d: Details = [
            ("confidence".to_string(), json!(0.5)),
            ("note".into(), json!("unsure")),
            (
                "attrs".into(),
                json!({"role": "official", "negated": true, "n": 3}),
            ),
            ("source".into(), json!("dictionary")),
        ]
        .into_iter()
        .collect();
        assert_eq!(d.note(), Some("unsure"));
        assert_eq!(d.source().map(|s| s.as_str()), Some("dictionary"));
        let a = d.attrs().unwrap();
        assert_eq!(a.get("role"), Some(&AttrValue::Text("official".into())));
        assert_eq!(a.get("negated"), Some(&AttrValue::Bool(true)));
        assert_eq!(a.get("n"), Some(&AttrValue::Other(json!(3))));
        assert_eq!(d.unknown("confidence"), Some(&json!(0.5)));
        let keys: Vec<&str> = d.iter().map(Field::key).collect();
        assert_eq!(keys, ["confidence", "note", "attrs", "source"]);

        let odd: Details = [
            ("note".to_string(), json!(5)),
            ("attrs".into(), json!("x")),
            ("source".into(), json!(null)),
        ]
        .into_iter()
        .collect();
        assert_eq!((odd.note(), odd.attrs(), odd.source()), (None, None, None));
        assert_eq!(odd.unknown("note"), Some(&json!(5)));
        assert_eq!(odd.to_value("attrs"), Some(json!("x")));
    }

    #[test]
    fn setting_keeps_a_fields_place_and_removing_the_last_empties() {
        let mut d = Details::from(json!({"x": 1, "note": 5}).as_object().unwrap().clone());
        d.set_note(Some("ok"));
        assert_eq!(
            d.to_map(),
            *json!({"x": 1, "note": "ok"}).as_object().unwrap()
        );
        let keys: Vec<&str> = d.iter().map(Field::key).collect();
        assert_eq!(keys, ["x", "note"]);
        d.remove("x");
        d.set_note(None);
        assert_eq!(d, Details::default());
        assert!(d.is_empty());
    }

    #[test]
    fn attribute_values_show_as_json() {
        assert_eq!(AttrValue::from("boss").to_string(), "\"boss\"");
        assert_eq!(AttrValue::Bool(true).to_string(), "true");
        assert_eq!(AttrValue::from(json!(null)).to_string(), "null");
    }
}
