//! The label schema from `nhan.toml`, or the built-in VLSP one.

use serde::Deserialize;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Overlap {
    /// No two spans may overlap.
    None,
    /// Spans may nest but never cross.
    #[default]
    Nested,
    /// Anything goes (identical extents are still one span).
    Any,
}

/// Unknown keys are refused: in TOML a project option written after a
/// `[[labels]]` table (`blind = true`) belongs to that label, and would
/// otherwise be dropped without a word.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub color: Option<String>,
    /// The key typed after the label prefix `;` to tag with this label
    /// (one character); labels past the ninth get one by default.
    #[serde(default)]
    pub key: Option<String>,
    /// `[labels.attributes]`: what a span of this label may carry besides
    /// its label (see `core::attrs`).
    #[serde(default)]
    pub attributes: super::attrs::Attributes,
}

/// A type of relation (`[[relations]]`): which labels may stand at each
/// end. Unknown keys are refused, as for labels.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationType {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The labels allowed at the `from` end; absent: any label.
    #[serde(default)]
    pub from: Option<Vec<String>>,
    /// The labels allowed at the `to` end; absent: any label.
    #[serde(default)]
    pub to: Option<Vec<String>>,
    /// The relation holds both ways (`ORG allied_with ORG`): its ends may
    /// be given in either order.
    #[serde(default)]
    pub symmetric: bool,
}

impl RelationType {
    /// Whether a relation of this type may go from a span labelled `from`
    /// to one labelled `to` (either way round, if symmetric).
    pub fn fits(&self, from: &str, to: &str) -> bool {
        let allows = |list: &Option<Vec<String>>, l: &str| {
            list.as_ref().is_none_or(|v| v.iter().any(|x| x == l))
        };
        let one_way = |a: &str, b: &str| allows(&self.from, a) && allows(&self.to, b);
        one_way(from, to) || (self.symmetric && one_way(to, from))
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    #[serde(default)]
    pub overlap: Overlap,
    /// Blind double annotation: each annotator works in
    /// `annotations/<annotator>/` and sees only their own spans; the gold
    /// `annotations/<stem>.json` is made by adjudication.
    #[serde(default)]
    pub blind: bool,
    /// Spans may hold a blank line (a paragraph break). Off by default: a
    /// span across paragraphs merges two sentences in a CoNLL export.
    #[serde(default)]
    pub cross_paragraphs: bool,
    pub labels: Vec<Label>,
    /// `[[relations]]`: the types of relation between two spans, in the
    /// order their digits pick them.
    #[serde(default)]
    pub relations: Vec<RelationType>,
    /// `[[recommenders]]` tables, read and checked by `nhan_suggest_NOT_ALLOWED::config`.
    #[serde(default)]
    pub recommenders: Vec<toml::Table>,
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}:{line}:{column}: {message} (fix nhan.toml, or remove it to use PER/ORG/LOC/MISC)"
    )]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Default for Schema {
    /// The VLSP NER labels.
    fn default() -> Self {
        let l = |name: &str, description: &str, color: &str| Label {
            name: name.into(),
            description: description.into(),
            color: Some(color.into()),
            key: None,
            attributes: Default::default(),
        };
        Schema {
            overlap: Overlap::Nested,
            blind: false,
            cross_paragraphs: false,
            labels: vec![
                l("PER", "Person", "red"),
                l("ORG", "Organisation", "blue"),
                l("LOC", "Location", "green"),
                l("MISC", "Other named entity", "magenta"),
            ],
            relations: Vec::new(),
            recommenders: Vec::new(),
        }
    }
}

/// The key typed before a label's own `key` (labels past the ninth).
pub const LABEL_PREFIX: char = ';';

/// Each label's key after [`LABEL_PREFIX`], given the keys `explicit`
/// declares: the first nine labels have their digit and need none unless
/// they declare one; a later label without one gets the first letter of
/// its name that no other label took, else the first free digit or letter,
/// so that any of 45 labels is two keys away.
pub fn assign_keys(names: &[&str], explicit: &[Option<char>]) -> Vec<Option<char>> {
    let mut taken: std::collections::HashSet<char> = explicit.iter().flatten().copied().collect();
    let mut out = explicit.to_vec();
    out.resize(names.len(), None);
    for (i, name) in names.iter().enumerate().skip(9) {
        if out[i].is_some() {
            continue;
        }
        let pick = name
            .chars()
            .flat_map(char::to_lowercase)
            .filter(|c| c.is_ascii_alphanumeric())
            .chain("0123456789abcdefghijklmnopqrstuvwxyz".chars())
            .find(|c| !taken.contains(c));
        if let Some(c) = pick {
            taken.insert(c);
        }
        out[i] = pick;
    }
    out
}

/// 1-based line and column of byte `at` in `s`.
pub fn line_col(s: &str, at: usize) -> (usize, usize) {
    let at = at.min(s.len());
    let before = &s[..s.floor_char_boundary(at)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// Whether the terminal can show colour `s`: the names, `#rrggbb` and
/// 0–255 the interface reads (ratatui's `Color::from_str`; a test in
/// `ui::theme` keeps the two the same).
pub fn is_color(s: &str) -> bool {
    let name = s
        .to_lowercase()
        .replace([' ', '-', '_'], "")
        .replace("bright", "light")
        .replace("grey", "gray")
        .replace("silver", "gray")
        .replace("lightblack", "darkgray")
        .replace("lightwhite", "white")
        .replace("lightgray", "white");
    const NAMES: [&str; 17] = [
        "reset",
        "black",
        "red",
        "green",
        "yellow",
        "blue",
        "magenta",
        "cyan",
        "gray",
        "darkgray",
        "lightred",
        "lightgreen",
        "lightyellow",
        "lightblue",
        "lightmagenta",
        "lightcyan",
        "white",
    ];
    let hex = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
    NAMES.contains(&name.as_str()) || s.parse::<u8>().is_ok() || hex
}

impl Schema {
    pub fn parse(src: &str, path: &str) -> Result<Schema, SchemaError> {
        let parse_err = |at: usize, message: String| {
            let (line, column) = line_col(src, at);
            SchemaError::Parse {
                path: path.into(),
                line,
                column,
                message,
            }
        };
        let schema: Schema = toml::from_str(src).map_err(|e| {
            let at = e.span().map(|r| r.start).unwrap_or(0);
            parse_err(at, e.message().to_string())
        })?;
        if schema.labels.is_empty() {
            return Err(parse_err(0, "no [[labels]] defined".into()));
        }
        let mut seen = std::collections::HashSet::new();
        let mut keys = std::collections::HashMap::new();
        for l in &schema.labels {
            if let Some(k) = &l.key
                && let Some(other) = keys.insert(k.clone(), &l.name)
            {
                return Err(parse_err(
                    src.find(&format!("key = \"{k}\"")).unwrap_or(0),
                    format!(
                        "labels {other} and {} both have key {k:?}; give each its own",
                        l.name
                    ),
                ));
            }
            if l.name.is_empty() || l.name.chars().any(char::is_whitespace) {
                return Err(parse_err(
                    0,
                    format!("label name {:?} must be one word", l.name),
                ));
            }
            if let Some(k) = &l.key
                && (k.chars().count() != 1 || k.chars().any(char::is_whitespace))
            {
                let at = src.find(&format!("key = \"{k}\"")).unwrap_or(0);
                return Err(parse_err(
                    at,
                    format!(
                        "label {}: key {k:?} must be one character (typed after `{LABEL_PREFIX}`)",
                        l.name
                    ),
                ));
            }
            if !seen.insert(&l.name) {
                return Err(parse_err(0, format!("label {} is defined twice", l.name)));
            }
            if let Some(c) = l.color.as_deref().filter(|c| !is_color(c)) {
                let at = [format!("\"{c}\""), format!("'{c}'")]
                    .iter()
                    .find_map(|q| src.find(q.as_str()))
                    .unwrap_or(0);
                return Err(parse_err(
                    at,
                    format!(
                        "label {}: there is no colour {c:?}; use a name (red, green, yellow, blue, magenta, cyan, gray, white, black, or light… / dark gray), #rrggbb, or a number 0-255",
                        l.name
                    ),
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for r in &schema.relations {
            let at = src.find(&format!("\"{}\"", r.name)).unwrap_or(0);
            if r.name.is_empty() || r.name.chars().any(char::is_whitespace) {
                return Err(parse_err(
                    at,
                    format!("relation name {:?} must be one word", r.name),
                ));
            }
            if !seen.insert(&r.name) || schema.index_of(&r.name).is_some() {
                return Err(parse_err(
                    at,
                    format!(
                        "relation {} is defined twice (or is also a label); give it another name",
                        r.name
                    ),
                ));
            }
            for l in r.from.iter().chain(&r.to).flatten() {
                if schema.index_of(l).is_none() {
                    return Err(parse_err(
                        src[at..].find(&format!("\"{l}\"")).map_or(at, |i| at + i),
                        format!(
                            "relation {}: there is no label {l}; name one of the [[labels]]",
                            r.name
                        ),
                    ));
                }
            }
        }
        Ok(schema)
    }

    /// Whether a relation of type `name` may go from a span labelled
    /// `from` to one labelled `to`; false for a type the schema lacks.
    pub fn fits(&self, name: &str, from: &str, to: &str) -> bool {
        self.relation(name).is_some_and(|t| t.fits(from, to))
    }

    /// The relation type called `name`.
    pub fn relation(&self, name: &str) -> Option<&RelationType> {
        self.relations.iter().find(|r| r.name == name)
    }

    /// Each label's keys as the help shows them: `3`, `; l`, `3 / ; p`.
    pub fn key_names(&self) -> Vec<String> {
        self.second_keys()
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let second = k.map(|c| format!("{LABEL_PREFIX} {c}"));
                match (i < 9, second) {
                    (true, Some(s)) => format!("{} / {s}", i + 1),
                    (true, None) => (i + 1).to_string(),
                    (false, Some(s)) => s,
                    (false, None) => String::new(),
                }
            })
            .collect()
    }

    /// Each label's key after [`LABEL_PREFIX`] (see [`assign_keys`]).
    pub fn second_keys(&self) -> Vec<Option<char>> {
        let names: Vec<&str> = self.labels.iter().map(|l| l.name.as_str()).collect();
        let explicit: Vec<Option<char>> = self
            .labels
            .iter()
            .map(|l| l.key.as_deref().and_then(|k| k.chars().next()))
            .collect();
        assign_keys(&names, &explicit)
    }

    /// The label tagged by `c` after [`LABEL_PREFIX`].
    pub fn index_of_key(&self, c: char) -> Option<usize> {
        self.second_keys().iter().position(|&k| k == Some(c))
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.labels.iter().position(|l| l.name == name)
    }

    /// The attributes label `name` declares (`None`: no such label).
    pub fn attributes(&self, name: &str) -> Option<&super::attrs::Attributes> {
        self.labels
            .iter()
            .find(|l| l.name == name)
            .map(|l| &l.attributes)
    }
}

/// Colours given in turn (all readable on dark and light terminals).
const COLORS: [&str; 12] = [
    "red",
    "blue",
    "green",
    "magenta",
    "yellow",
    "cyan",
    "lightred",
    "lightblue",
    "lightgreen",
    "lightmagenta",
    "lightyellow",
    "lightcyan",
];

/// Escapes `s` as a TOML basic string's contents.
fn toml_str(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The commented `nhan.toml` for these labels.
pub fn schema_text(labels: &[(String, String)]) -> String {
    let mut s = String::from(
        "# nhan's label schema for this project (see the README, \"Label schema\").\n\
         # The first nine labels are tagged with 1..9, in this order; a label's\n\
         # `key` is typed after `;` (`; l`), so any label is two keys away;\n\
         # `t` opens the picker.\n\
         # Add a label with another [[labels]] table; `color` takes a name\n\
         # (red, blue, lightgreen...), #rrggbb or 0-255.\n\
         \n\
         # Spans may nest (an ORG inside a TITLE) but never cross: \"nested\".\n\
         # \"none\": no two spans overlap; \"any\": anything goes.\n\
         overlap = \"nested\"\n\
         \n\
         # Blind double annotation: each annotator works in annotations/<name>/.\n\
         # blind = true\n",
    );
    let names: Vec<&str> = labels.iter().map(|(n, _)| n.as_str()).collect();
    let keys = assign_keys(&names, &[]);
    for (i, (name, description)) in labels.iter().enumerate() {
        let _ = write!(
            s,
            "\n[[labels]]\nname = \"{}\"\ndescription = \"{}\"\ncolor = \"{}\"\n",
            toml_str(name),
            toml_str(description),
            COLORS[i % COLORS.len()]
        );
        if let Some(k) = keys[i] {
            let _ = writeln!(s, "key = \"{k}\"");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_schema_parses() {
        let s = Schema::parse(include_str!("../../../nhan.toml"), "nhan.toml").unwrap();
        assert_eq!(s.overlap, Overlap::Nested);
        assert_eq!(s.labels[0].name, "PER");
        assert!(s.labels.len() <= 9);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = Schema::parse(
            "overlap = \"nested\"\n[[labels]]\nname = 3\n",
            "p/nhan.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("p/nhan.toml:3:"), "{e}");
    }

    #[test]
    fn a_project_option_under_a_label_is_refused_with_its_line() {
        let e = Schema::parse("[[labels]]\nname = \"PER\"\nblind = true\n", "p/nhan.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p/nhan.toml:3:"), "{e}");
        assert!(e.contains("blind"), "{e}");
    }

    #[test]
    fn a_colour_that_does_not_exist_is_refused_with_its_line() {
        for bad in ["ultraviolet", "#zzzzzz"] {
            let src = format!(
                "[[labels]]\nname = \"PER\"\ncolor = \"red\"\n[[labels]]\nname = \"LOC\"\ncolor = \"{bad}\"\n"
            );
            let e = Schema::parse(&src, "p/nhan.toml").unwrap_err().to_string();
            assert!(e.starts_with("p/nhan.toml:6:"), "{e}");
            assert!(e.contains(bad) && e.contains("LOC"), "{e}");
        }
        assert!(Schema::parse("[[labels]]\nname = \"A\"\ncolor = \"#00ff7f\"\n", "x").is_ok());
    }

    #[test]
    fn label_keys_are_one_character_and_never_shared() {
        let e = Schema::parse("[[labels]]\nname = \"A\"\nkey = \"ab\"\n", "p/nhan.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("p/nhan.toml:3:") && e.contains("one character"),
            "{e}"
        );
        let e = Schema::parse(
            "[[labels]]\nname = \"A\"\nkey = \"x\"\n[[labels]]\nname = \"B\"\nkey = \"x\"\n",
            "p/nhan.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("A and B both have key \"x\""), "{e}");
    }

    #[test]
    fn default_keys_take_the_first_free_letter_of_the_name() {
        let names = [
            "A", "B", "C", "D", "E", "F", "G", "H", "I", "LAW", "LANGUAGE", "LOC",
        ];
        let keys = assign_keys(&names, &[]);
        assert_eq!(&keys[..9], &[None; 9]);
        assert_eq!(&keys[9..], &[Some('l'), Some('a'), Some('o')]);
        // A declared key is never given to another label.
        let mut explicit = vec![None; 12];
        explicit[0] = Some('l');
        assert_eq!(assign_keys(&names, &explicit)[9], Some('a'));
    }

    const RELS: &str = "[[labels]]\nname = \"PER\"\n[[labels]]\nname = \"TITLE\"\n[[labels]]\nname = \"ORG\"\n\
        [[relations]]\nname = \"has_title\"\nfrom = [\"PER\"]\nto = [\"TITLE\"]\n\
        [[relations]]\nname = \"allied_with\"\nfrom = [\"ORG\"]\nto = [\"ORG\"]\nsymmetric = true\n\
        [[relations]]\nname = \"related\"\ndescription = \"anything\"\n";

    #[test]
    fn relation_types_check_the_labels_at_each_end() {
        let s = Schema::parse(RELS, "x").unwrap();
        assert_eq!(s.relations.len(), 3);
        assert!(s.fits("has_title", "PER", "TITLE"));
        assert!(!s.fits("has_title", "TITLE", "PER"), "not symmetric");
        assert!(!s.fits("has_title", "ORG", "TITLE"));
        assert!(s.fits("allied_with", "ORG", "ORG"));
        assert!(
            s.fits("related", "TITLE", "ORG"),
            "absent lists allow any label"
        );
        assert!(!s.fits("no_such_type", "PER", "PER"));
    }

    #[test]
    fn symmetric_types_fit_either_way_round() {
        let src = RELS.replace(
            "from = [\"ORG\"]\nto = [\"ORG\"]",
            "from = [\"ORG\"]\nto = [\"PER\"]",
        );
        let s = Schema::parse(&src, "x").unwrap();
        assert!(s.fits("allied_with", "ORG", "PER") && s.fits("allied_with", "PER", "ORG"));
    }

    #[test]
    fn relation_errors_name_the_file_and_line() {
        let bad = RELS.replace("to = [\"TITLE\"]", "to = [\"TITEL\"]");
        let e = Schema::parse(&bad, "p/nhan.toml").unwrap_err().to_string();
        assert!(
            e.starts_with("p/nhan.toml:10:") && e.contains("TITEL"),
            "{e}"
        );
        let twice = format!("{RELS}[[relations]]\nname = \"related\"\n");
        let e = Schema::parse(&twice, "p/nhan.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("related is defined twice"), "{e}");
        let unknown = RELS.replace("symmetric = true", "symetric = true");
        let e = Schema::parse(&unknown, "p/nhan.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("p/nhan.toml:15:") && e.contains("symetric"),
            "{e}"
        );
    }

    #[test]
    fn unknown_overlap_is_refused() {
        assert!(Schema::parse("overlap = \"sometimes\"\n[[labels]]\nname = \"A\"\n", "x").is_err());
    }
}
