//! Project folders for the tests and the benchmarks (`benches/common`
//! includes this file): `nhan.toml`, articles, and sidecars written by the
//! core's own writer, so that they are what nhan itself would write.
#![allow(dead_code)]

use nhan_model::document::Document;
use nhan_model::edit::Edit;
use nhan_model::sidecar::sha256_hex;
use nhan_model::status::Status;
use nhan_model::text::Text;
use nhan_store::atomic::write_atomic;
use std::path::Path;

/// PER, ORG and LOC: the schema the tests' screens show.
pub const SCHEMA: &str = r#"overlap = "nested"
[[labels]]
name = "PER"
description = "Person"
color = "red"
[[labels]]
name = "ORG"
description = "Organisation"
color = "blue"
[[labels]]
name = "LOC"
description = "Place"
color = "green"
"#;

/// A fourth label, after `SCHEMA`, for projects whose spans use it.
pub const MISC: &str = r#"[[labels]]
name = "MISC"
description = "Other"
color = "yellow"
"#;

/// Makes `root` (created if need be) a project with this `nhan.toml`.
pub fn init(root: &Path, schema: &str) {
    std::fs::create_dir_all(root).unwrap();
    std::fs::write(root.join("nhan.toml"), schema).unwrap();
}

/// The document of article `file_name` over `text` with `spans` (start,
/// end, label) made by `annotator`, each added as the app adds one.
pub fn document<'a>(
    file_name: &str,
    text: &str,
    spans: impl IntoIterator<Item = (usize, usize, &'a str)>,
    annotator: &str,
) -> Document {
    let mut doc = Document::new(
        file_name,
        Text::new(text.to_string()),
        sha256_hex(text.as_bytes()),
    );
    for (s, e, l) in spans {
        let sp = doc.make_span(s, e, l, Some(annotator));
        doc.apply(&Edit::Add(sp));
    }
    doc
}

/// Writes the document's article and, if it has spans or a status, its
/// sidecar.
pub fn write(root: &Path, doc: &Document) {
    let articles = root.join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    std::fs::write(articles.join(doc.file_name()), doc.text().as_str()).unwrap();
    if !doc.spans().is_empty() || doc.status() != Status::Todo {
        let stem = doc.file_name().trim_end_matches(".txt");
        let path = root.join("annotations").join(format!("{stem}.json"));
        write_atomic(&path, doc.to_sidecar().to_json().as_bytes()).unwrap();
    }
}

/// Sets the document's status, as `d` or review would.
pub fn set_status(doc: &mut Document, status: Status) {
    doc.apply(&Edit::SetStatus {
        before: doc.status(),
        after: status,
    });
}

/// A temporary copy of these entries (files or folders) of `from`: tests
/// never touch the repository's own sample project in place.
pub fn copy_of(from: &Path, entries: &[&str]) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        if from.is_dir() {
            std::fs::create_dir_all(to).unwrap();
            for e in std::fs::read_dir(from).unwrap().flatten() {
                copy(&e.path(), &to.join(e.file_name()));
            }
        } else {
            std::fs::copy(from, to).unwrap();
        }
    }
    let d = tempfile::tempdir().unwrap();
    for e in entries {
        copy(&from.join(e), &d.path().join(e));
    }
    d
}

/// [`SCHEMA`] with three relation types: `works_for` (PER → ORG),
/// `located_in` (ORG → LOC) and the symmetric `near` (LOC ↔ LOC).
pub fn relation_schema() -> String {
    format!(
        "{SCHEMA}{}",
        r#"[[relations]]
name = "works_for"
from = ["PER"]
to = ["ORG"]
[[relations]]
name = "located_in"
from = ["ORG"]
to = ["LOC"]
[[relations]]
name = "near"
from = ["LOC"]
to = ["LOC"]
symmetric = true
"#
    )
}
