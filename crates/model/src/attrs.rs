//! Notes and attributes: a free-text `note` on a span or on the article, and
//! the `attrs` a label declares in `nhan.toml` (a fixed set of values, a
//! flag, or an identifier checked by a pattern).
//!
//! A span's note and values are typed fields of its `Details` (a sidecar
//! without them is written exactly as before, a value of the wrong type is
//! kept as it came); the article's note is the sidecar's top-level `note`.

pub use super::details::{ATTRS, AttrValue, Attrs, NOTE};
use super::edit::Edit;
use super::span::Span;
use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::{Map, Value};
use std::fmt;

/// What values one attribute takes.
#[derive(Debug, Clone)]
pub enum Kind {
    /// One of these values (`role = ["official", "other"]`).
    Values(Vec<String>),
    /// Set (`true`) or absent (`negated = true` in the schema).
    Flag,
    /// A free identifier the whole of which matches the pattern
    /// (`wikidata = "^Q[0-9]+$"`).
    Pattern { source: String, re: regex::Regex },
}

impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        match (self, other) {
            (Kind::Values(a), Kind::Values(b)) => a == b,
            (Kind::Flag, Kind::Flag) => true,
            (Kind::Pattern { source: a, .. }, Kind::Pattern { source: b, .. }) => a == b,
            _ => false,
        }
    }
}

/// Why an attribute declaration or value is refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AttrError {
    #[error("{name} = {value} is not allowed: {expects}")]
    NotAllowed {
        name: String,
        value: AttrValue,
        expects: String,
    },
    #[error("label {label} has no attribute {name} in nhan.toml")]
    Undeclared { label: String, name: String },
    #[error("attribute {name}: {value} is not a value (write distinct, non-empty strings)")]
    NotAValue { name: String, value: Value },
    #[error("attribute {name}: the list of values is empty")]
    NoValues { name: String },
    #[error("attribute {name}: the pattern {pattern:?} is invalid: {error}")]
    BadPattern {
        name: String,
        pattern: String,
        error: regex::Error,
    },
    #[error(
        "attribute {name} = {value}: write a list of values ([\"a\", \"b\"]), true for a flag, or a pattern (\"^Q[0-9]+$\")"
    )]
    BadKind { name: String, value: Value },
}

/// One attribute a label declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub name: String,
    pub kind: Kind,
}

impl Attr {
    /// Whether `v` is a value this attribute takes; the error says which
    /// values it does.
    pub fn check(&self, v: &AttrValue) -> Result<(), AttrError> {
        let ok = match (&self.kind, v) {
            (Kind::Values(vs), AttrValue::Text(s)) => vs.iter().any(|x| x == s),
            (Kind::Flag, AttrValue::Bool(true)) => true,
            (Kind::Pattern { re, .. }, AttrValue::Text(s)) => re.is_match(s),
            _ => false,
        };
        if ok {
            return Ok(());
        }
        Err(AttrError::NotAllowed {
            name: self.name.clone(),
            value: v.clone(),
            expects: self.expects(),
        })
    }

    /// What the attribute takes, in words.
    pub fn expects(&self) -> String {
        match &self.kind {
            Kind::Values(vs) => format!("one of {}", vs.join(", ")),
            Kind::Flag => "a flag: true, or absent".into(),
            Kind::Pattern { source, .. } => format!("text matching {source}"),
        }
    }
}

/// The attributes of one label, in the order `nhan.toml` declares them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attributes(pub Vec<Attr>);

impl Attributes {
    pub fn get(&self, name: &str) -> Option<&Attr> {
        self.0.iter().find(|a| a.name == name)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Attr> {
        self.0.iter()
    }
}

impl<'de> Deserialize<'de> for Attributes {
    /// `[labels.attributes]`: a table whose order is kept (it is the
    /// picker's order); each value a list of strings, `true` or a pattern.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Attributes, D::Error> {
        let table = Map::<String, Value>::deserialize(d)?;
        let mut out = Vec::with_capacity(table.len());
        for (name, v) in table {
            if name.is_empty() || name.chars().any(char::is_whitespace) {
                return Err(de::Error::custom(format!(
                    "attribute name {name:?} must be one word"
                )));
            }
            out.push(Attr {
                kind: kind_of(&name, v).map_err(de::Error::custom)?,
                name,
            });
        }
        Ok(Attributes(out))
    }
}

fn kind_of(name: &str, v: Value) -> Result<Kind, AttrError> {
    let name = name.to_string();
    match v {
        Value::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) if !s.is_empty() && !values.contains(&s) => values.push(s),
                    value => return Err(AttrError::NotAValue { name, value }),
                }
            }
            if values.is_empty() {
                return Err(AttrError::NoValues { name });
            }
            Ok(Kind::Values(values))
        }
        Value::Bool(true) => Ok(Kind::Flag),
        Value::String(source) => {
            // The whole value must match, whether or not the pattern is
            // anchored: `Q1x` is no Wikidata id.
            let re = regex::Regex::new(&format!("^(?:{source})$")).map_err(|error| {
                AttrError::BadPattern {
                    name,
                    pattern: source.clone(),
                    error,
                }
            })?;
            Ok(Kind::Pattern { source, re })
        }
        value => Err(AttrError::BadKind { name, value }),
    }
}

/// The span's note, if it has one.
pub fn note(s: &Span) -> Option<&str> {
    s.details.note()
}

/// The span's attribute values (empty if it has none).
pub fn attrs(s: &Span) -> impl Iterator<Item = (&str, &AttrValue)> {
    s.details.attrs().into_iter().flat_map(Attrs::iter)
}

/// The value of attribute `name` on the span.
pub fn attr<'a>(s: &'a Span, name: &str) -> Option<&'a AttrValue> {
    s.details.attrs()?.get(name)
}

/// Attribute values as the screen shows them: `role=official negated`.
pub fn attrs_text(s: &Span) -> String {
    attrs(s)
        .map(|(k, v)| match v {
            AttrValue::Bool(true) => k.to_string(),
            other => format!("{k}={}", shown(other)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A note as it is kept: surrounding blanks trimmed, line breaks (from a
/// paste) as spaces, so that the sidecar keeps one span per line when read
/// by eye too; empty means no note.
pub fn clean_note(s: &str) -> Option<String> {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let t = one_line.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The span with its note set (or removed, for `None`). A field keeps its
/// place in the line when it changes.
pub fn with_note(s: &Span, note: Option<&str>) -> Span {
    let mut out = s.clone();
    out.details.set_note(note);
    out
}

/// The span with attribute `name` set to `v` (or removed, for `None`);
/// the `attrs` field goes when it is left empty.
pub fn with_attr(s: &Span, name: &str, v: Option<AttrValue>) -> Span {
    let mut out = s.clone();
    let mut a = out.details.attrs().cloned().unwrap_or_default();
    a.set(name, v);
    out.details.set_attrs(Some(a));
    out
}

/// The edit that sets the span's note; `None` if it would change nothing.
pub fn set_note(s: &Span, note: Option<&str>) -> Option<Edit> {
    let after = with_note(s, note);
    (after != *s).then(|| Edit::Replace {
        before: s.clone(),
        after,
    })
}

/// The edit that sets attribute `name`, after checking the value against
/// the label's declaration (`declared`: the attributes the schema gives the
/// span's label). `Ok(None)`: nothing would change.
pub fn set_attr(
    declared: Option<&Attributes>,
    s: &Span,
    name: &str,
    v: Option<AttrValue>,
) -> Result<Option<Edit>, AttrError> {
    let decl = declared
        .and_then(|a| a.get(name))
        .ok_or_else(|| AttrError::Undeclared {
            label: s.label.to_string(),
            name: name.to_string(),
        })?;
    if let Some(v) = &v {
        decl.check(v)?;
    }
    let after = with_attr(s, name, v);
    Ok((after != *s).then(|| Edit::Replace {
        before: s.clone(),
        after,
    }))
}

/// The article's note (the sidecar's top-level `note`).
pub fn article_note(extra: &Map<String, Value>) -> Option<&str> {
    extra.get(NOTE).and_then(Value::as_str)
}

/// The edit that sets the article's note; `None` if it changes nothing.
pub fn set_article_note(extra: &Map<String, Value>, note: Option<&str>) -> Option<Edit> {
    let before = extra.get(NOTE).cloned();
    let after = note.map(Value::from);
    (before != after).then(|| Edit::SetField {
        field: crate::edit::Field::Note,
        before,
        after,
    })
}

/// A note or attribute that does not fit the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem(pub String);

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What is wrong with the span's note and attributes against the schema:
/// a note that is not text, an attribute its label does not declare, a
/// value the declaration does not allow. `declared`: the attributes the
/// schema gives the span's label.
pub fn problems(declared: Option<&Attributes>, s: &Span) -> Vec<Problem> {
    let mut v = Vec::new();
    // A note or attrs of the wrong type is kept as it came, by name.
    if let Some(n) = s.details.unknown(NOTE) {
        v.push(Problem(format!("note must be text, not {n}")));
    }
    if let Some(a) = s.details.unknown(ATTRS) {
        v.push(Problem(format!(
            "attrs must be an object of attribute values, not {a}"
        )));
        return v;
    }
    for (name, value) in attrs(s) {
        match declared.and_then(|d| d.get(name)) {
            None => v.push(Problem(format!(
                "attribute {name} is not declared for label {} in nhan.toml",
                s.label
            ))),
            Some(decl) => {
                if let Err(e) = decl.check(value) {
                    v.push(Problem(e.to_string()));
                }
            }
        }
    }
    v
}

/// Counts of notes and attribute values over spans (`nhan stats`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Tally {
    /// Spans with a note.
    pub with_note: u64,
    /// Articles with a note of their own.
    pub article_notes: u64,
    /// Attribute → value (as shown: `official`, `true`, `Q42`) → spans.
    pub by_attribute: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
}

impl Tally {
    pub fn add_span(&mut self, s: &Span) {
        self.with_note += u64::from(note(s).is_some());
        for (k, v) in attrs(s) {
            *self
                .by_attribute
                .entry(k.to_string())
                .or_default()
                .entry(shown(v))
                .or_default() += 1;
        }
    }

    pub fn add_article(&mut self, extra: &Map<String, Value>) {
        self.article_notes += u64::from(article_note(extra).is_some());
    }

    pub fn is_empty(&self) -> bool {
        self.with_note == 0 && self.article_notes == 0 && self.by_attribute.is_empty()
    }

    /// The plain report's lines (`nhan stats`): nothing when there is
    /// nothing to count.
    pub fn lines(&self) -> Vec<String> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut v = vec![
            String::new(),
            format!(
                "notes: {} span{} with a note, {} article note{}",
                self.with_note,
                if self.with_note == 1 { "" } else { "s" },
                self.article_notes,
                if self.article_notes == 1 { "" } else { "s" }
            ),
        ];
        if !self.by_attribute.is_empty() {
            v.push(String::new());
            v.push("by attribute value".into());
            for (k, vs) in &self.by_attribute {
                for (x, n) in vs {
                    v.push(format!("  {:<24} {n:>6}", format!("{k}={x}")));
                }
            }
        }
        v
    }

    pub fn merge(&mut self, o: &Tally) {
        self.with_note += o.with_note;
        self.article_notes += o.article_notes;
        for (k, vs) in &o.by_attribute {
            let mine = self.by_attribute.entry(k.clone()).or_default();
            for (v, n) in vs {
                *mine.entry(v.clone()).or_default() += n;
            }
        }
    }
}

/// An attribute value as text: a string as it is, anything else as JSON
/// (`true` for a flag).
pub fn shown(v: &AttrValue) -> String {
    match v {
        AttrValue::Text(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Attribute agreement between two annotators, per attribute: over the
/// spans both made with the same extent and label, how often they gave the
/// attribute the same value (both leaving it unset agrees too). Each span
/// is `(start, end, label, attrs as (name, shown value) sorted by name)`,
/// `declared` gives a label's attribute names: those are compared on every
/// matched span, any other attribute where either annotator set it.
pub fn agreement<'a>(
    a: &'a [Keyed],
    b: &'a [Keyed],
    declared: impl Fn(&str) -> Vec<String>,
) -> std::collections::BTreeMap<String, AttrAgreement> {
    let mut out: std::collections::BTreeMap<String, AttrAgreement> = Default::default();
    let index: std::collections::HashMap<_, _> = b
        .iter()
        .map(|(s, e, l, at)| ((*s, *e, l.as_str()), at))
        .collect();
    for (s, e, l, at) in a {
        let Some(bt) = index.get(&(*s, *e, l.as_str())) else {
            continue;
        };
        let mut names = declared(l);
        names.extend(at.iter().chain(bt.iter()).map(|(k, _)| k.clone()));
        names.sort();
        names.dedup();
        let get = |v: &[(String, String)], k: &str| {
            v.iter().find(|(n, _)| n == k).map(|(_, x)| x.clone())
        };
        for k in names {
            let c = out.entry(k.clone()).or_default();
            c.compared += 1;
            c.agreed += u64::from(get(at, &k) == get(bt, &k));
        }
    }
    out
}

/// A span for attribute agreement: start, end, label, and its attribute
/// values as `(name, shown value)` pairs.
pub type Keyed = (usize, usize, String, Vec<(String, String)>);

/// One attribute's agreement: spans compared, and how many agreed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct AttrAgreement {
    pub compared: u64,
    pub agreed: u64,
}

impl AttrAgreement {
    /// The share of compared spans that agree, if any were compared.
    pub fn rate(&self) -> Option<f64> {
        (self.compared > 0).then(|| self.agreed as f64 / self.compared as f64)
    }

    pub fn add(&mut self, o: &AttrAgreement) {
        self.compared += o.compared;
        self.agreed += o.agreed;
    }
}

/// What a note or attribute change did, in words (the status bar, undo);
/// `None` when the edit changed more than notes and attributes.
pub fn describe_change(before: &Span, after: &Span) -> Option<String> {
    if (before.range(), &before.label) != (after.range(), &after.label) {
        return None;
    }
    let what = format!("{} “{}”", after.label, after.text);
    if note(before) != note(after) {
        return Some(match note(after) {
            Some(n) => format!("note on {what}: {n}"),
            None => format!("note removed from {what}"),
        });
    }
    let (b, a) = (attrs_text(before), attrs_text(after));
    (b != a).then(|| {
        if a.is_empty() {
            format!("attributes removed from {what}")
        } else {
            format!("{what}: {a}")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;
    use serde_json::json;

    const SCHEMA: &str = r#"
[[labels]]
name = "PER"
[labels.attributes]
role = ["official", "other"]
negated = true
wikidata = "^Q[0-9]+$"

[[labels]]
name = "LOC"
"#;

    fn span() -> Span {
        crate::sidecar::Sidecar::parse(
            br#"{"nhan": 1, "article": "a", "text_sha256": "", "spans": [
            {"id": 1, "start": 0, "end": 3, "label": "PER", "text": "Lan"}]}"#,
            "a.json",
        )
        .unwrap()
        .spans
        .remove(0)
    }

    #[test]
    fn schema_declares_attributes_in_order() {
        let s = Schema::parse(SCHEMA, "nhan.toml").unwrap();
        let names: Vec<&str> = s.labels[0]
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(names, ["role", "negated", "wikidata"]);
        assert!(s.labels[1].attributes.is_empty());
    }

    #[test]
    fn bad_declarations_name_the_line() {
        let e = Schema::parse(
            "[[labels]]\nname = \"PER\"\n[labels.attributes]\nwikidata = \"Q[0-9\"\n",
            "p/nhan.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("p/nhan.toml:"), "{e}");
        assert!(e.contains("wikidata") && e.contains("invalid"), "{e}");
        let e = Schema::parse(
            "[[labels]]\nname = \"PER\"\n[labels.attributes]\nn = 3\n",
            "x",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("attribute n = 3"), "{e}");
    }

    #[test]
    fn values_are_checked_against_the_declaration() {
        let schema = Schema::parse(SCHEMA, "nhan.toml").unwrap();
        let sp = span();
        let ok = |n: &str, v: Value| set_attr(schema.attributes(&sp.label), &sp, n, Some(v.into()));
        assert!(ok("role", json!("official")).unwrap().is_some());
        let e = ok("role", json!("boss")).unwrap_err().to_string();
        assert_eq!(e, "role = \"boss\" is not allowed: one of official, other");
        assert!(ok("wikidata", json!("Q42")).is_ok());
        // The whole value must match, anchored or not.
        assert!(ok("wikidata", json!("Q42x")).is_err());
        assert!(ok("negated", json!(true)).is_ok());
        assert!(ok("negated", json!("yes")).is_err());
        let e = ok("colour", json!("red")).unwrap_err().to_string();
        assert!(e.contains("no attribute colour"), "{e}");
    }

    #[test]
    fn setting_and_removing_keeps_the_line_tidy() {
        let sp = span();
        let a = with_attr(
            &with_note(&sp, Some("unsure: title?")),
            "role",
            Some("other".into()),
        );
        assert_eq!(note(&a), Some("unsure: title?"));
        assert_eq!(attrs_text(&a), "role=other");
        // Changing the note keeps its place before attrs.
        let b = with_note(&a, Some("ok"));
        let keys: Vec<&str> = b.details.iter().map(|f| f.key()).collect();
        assert_eq!(keys, ["note", "attrs"]);
        // Removing both leaves the span as it was, byte for byte.
        let c = with_attr(&with_note(&b, None), "role", None);
        assert_eq!(c, sp);
        assert_eq!(set_note(&sp, None), None);
    }

    #[test]
    fn problems_name_what_is_wrong() {
        let schema = Schema::parse(SCHEMA, "nhan.toml").unwrap();
        let mut sp = span();
        sp.details.insert(
            ATTRS.into(),
            json!({"role": "boss", "wikidata": "Q7", "mood": "x"}),
        );
        let p: Vec<String> = problems(schema.attributes(&sp.label), &sp)
            .iter()
            .map(|p| p.0.clone())
            .collect();
        assert_eq!(
            p,
            [
                "role = \"boss\" is not allowed: one of official, other",
                "attribute mood is not declared for label PER in nhan.toml"
            ]
        );
        sp.details.insert(NOTE.into(), json!(5));
        assert!(
            problems(schema.attributes(&sp.label), &sp)[0]
                .0
                .contains("note must be text")
        );
    }

    #[test]
    fn tally_counts_notes_and_values() {
        let sp = span();
        let a = with_attr(&with_note(&sp, Some("?")), "role", Some("official".into()));
        let b = with_attr(
            &with_attr(&sp, "role", Some("official".into())),
            "negated",
            Some(AttrValue::Bool(true)),
        );
        let mut t = Tally::default();
        for s in [&a, &b, &sp] {
            t.add_span(s);
        }
        assert_eq!(t.with_note, 1);
        assert_eq!(t.by_attribute["role"]["official"], 2);
        assert_eq!(t.by_attribute["negated"]["true"], 1);
        assert_eq!(
            t.lines(),
            [
                "",
                "notes: 1 span with a note, 0 article notes",
                "",
                "by attribute value",
                "  negated=true                  1",
                "  role=official                 2"
            ]
        );
        assert!(Tally::default().lines().is_empty());
    }

    #[test]
    fn agreement_compares_attributes_of_matching_spans_only() {
        let v = |x: &[(&str, &str)]| {
            x.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let lan = vec![
            (0, 3, "PER".to_string(), v(&[("role", "official")])),
            (
                5,
                8,
                "PER".to_string(),
                v(&[("role", "other"), ("negated", "true")]),
            ),
            (10, 12, "PER".to_string(), v(&[("role", "official")])),
        ];
        let minh = vec![
            (0, 3, "PER".to_string(), v(&[("role", "official")])),
            (5, 8, "PER".to_string(), v(&[("role", "official")])),
            // Another label: not compared.
            (10, 12, "LOC".to_string(), v(&[])),
        ];
        let declared = |l: &str| {
            if l == "PER" {
                vec!["role".into(), "negated".into()]
            } else {
                vec![]
            }
        };
        let r = agreement(&lan, &minh, declared);
        assert_eq!(
            r["role"],
            AttrAgreement {
                compared: 2,
                agreed: 1
            }
        );
        // Unset on both sides agrees; set on one side only does not.
        assert_eq!(
            r["negated"],
            AttrAgreement {
                compared: 2,
                agreed: 1
            }
        );
        assert_eq!(r["role"].rate(), Some(0.5));
    }

    #[test]
    fn notes_are_one_line_and_empty_means_none() {
        assert_eq!(clean_note("  a\nb\r\n "), Some("a b".into()));
        assert_eq!(clean_note(" \t\n"), None);
        // NFD stays NFD: nothing is normalised.
        let nfd = "Nguye\u{302}\u{303}n";
        assert_eq!(clean_note(nfd).as_deref(), Some(nfd));
    }

    proptest::proptest! {
        /// A sidecar with notes and attributes (quotes, backslashes, line
        /// breaks, NFD Vietnamese, emoji) reads back as it was written and
        /// is written again byte for byte, still one span per line.
        #[test]
        fn sidecar_with_notes_round_trips(
            notes in proptest::collection::vec(
                proptest::option::of("[a-z \"\\\\\n\r\t\u{1}e\u{302}\u{303}ễ😀\u{2028}]{0,12}"), 1..6),
            roles in proptest::collection::vec(proptest::option::of("official|other|[\"\\\\\n]{1,3}"), 1..6),
            article_note in proptest::option::of("[a-zờ\n\"]{0,8}"),
        ) {
            let mut sc = crate::sidecar::Sidecar::parse(
                br#"{"nhan": 1, "article": "a.txt", "text_sha256": "00", "spans": []}"#, "a.json",
            ).unwrap();
            for (i, n) in notes.iter().enumerate() {
                let mut sp = span();
                sp.id = crate::ids::SpanId(i as u64 + 1);
                sp = with_note(&sp, n.as_deref());
                if let Some(r) = roles.get(i).cloned().flatten() {
                    sp = with_attr(&sp, "role", Some(AttrValue::Text(r)));
                }
                sc.spans.push(sp);
            }
            if let Some(n) = &article_note {
                sc.extra.insert(NOTE.into(), Value::from(n.as_str()));
            }
            let json = sc.to_json();
            let back = crate::sidecar::Sidecar::parse(json.as_bytes(), "a.json").unwrap();
            proptest::prop_assert_eq!(&back, &sc);
            proptest::prop_assert_eq!(back.to_json(), json.clone());
            // `{`, head fields (4 + the note), `"spans": [`, the spans, `]`, `}`.
            let head = 4 + usize::from(article_note.is_some());
            proptest::prop_assert_eq!(json.lines().count(), 1 + head + 1 + sc.spans.len() + 2);
            for (line, sp) in json.lines().skip(head + 2).zip(&sc.spans) {
                let read: Span = serde_json::from_str(line.trim_end_matches(',')).unwrap();
                proptest::prop_assert_eq!(note(&read), note(sp));
            }
        }
    }
}
