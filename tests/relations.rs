//! Relations between spans: what `validate` and `stats` say of them, and
//! making them from the keyboard (key sequences → state and sidecar).

mod support;

use nhan_model::document::Document;
use nhan_model::edit::Edit;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::{Harness, project};

/// The test schema with three relation types.
fn schema() -> String {
    format!(
        "{}{}",
        support::SCHEMA,
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
symmetric = true
"#
    )
}

fn nhan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const TEXT: &str = "Lan làm ở Bộ Ngoại giao tại Hà Nội";

/// Article `a`: Lan (PER), Bộ Ngoại giao (ORG), Hà Nội (LOC), with the
/// relations `(from, to, type)` given by span index.
fn article(root: &Path, rels: &[(usize, usize, &str)]) -> Document {
    let mut doc = project::document(
        "a.txt",
        TEXT,
        [(0, 3, "PER"), (10, 23, "ORG"), (28, 34, "LOC")],
        "lan",
    );
    let ids: Vec<u64> = doc.spans().iter().map(|s| s.id).collect();
    for (f, t, l) in rels {
        let r = doc.make_relation(ids[*f], ids[*t], l, Some("lan"));
        doc.apply(&Edit::add_relation(r));
    }
    project::write(root, &doc);
    doc
}

#[test]
fn validate_names_the_line_of_each_relation_the_schema_does_not_allow() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    article(dir.path(), &[(0, 1, "works_for"), (1, 2, "located_in")]);
    let (code, out, err) = nhan(dir.path(), &["validate"]);
    assert_eq!(code, 0, "{out}{err}");

    // A type nhan.toml lacks, and ends the type does not take.
    let doc2 = article(
        dir.path(),
        &[(0, 1, "works_for"), (2, 0, "works_for"), (1, 2, "lives_in")],
    );
    let src = std::fs::read_to_string(dir.path().join("annotations/a.json")).unwrap();
    let line_of = |label: &str, from: u64| {
        1 + src
            .lines()
            .position(|l| l.contains(&format!("\"from\": {from}, ")) && l.contains(label))
            .unwrap()
    };
    let ids: Vec<u64> = doc2.spans().iter().map(|s| s.id).collect();
    let (code, out, _) = nhan(dir.path(), &["validate"]);
    assert_eq!(code, 1, "{out}");
    let wrong = doc2.relations().iter().find(|r| r.from == ids[2]).unwrap();
    assert!(
        out.contains(&format!(
            "a.json:{}: relation {}: works_for does not go from LOC “Hà Nội” to PER “Lan”",
            line_of("works_for", ids[2]),
            wrong.id
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "a.json:{}: relation ",
            line_of("lives_in", ids[1])
        )) && out.contains("type lives_in is not in the schema"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[test]
fn validate_reports_a_relation_whose_end_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    let doc = article(dir.path(), &[(0, 1, "works_for")]);
    let org = doc.spans().iter().nth(1).unwrap().id;
    let p = dir.path().join("annotations/a.json");
    // A span deleted by hand (or by another tool), its relation left.
    let src: String = std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"label\": \"ORG\""))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&p, &src).unwrap();
    let (code, out, _) = nhan(dir.path(), &["validate"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "its to end is span {org}, which the article does not have"
        )),
        "{out}"
    );
    let line = 1 + src.lines().position(|l| l.contains("\"from\": ")).unwrap();
    let id = doc.relations()[0].id;
    assert!(
        out.contains(&format!("a.json:{line}: relation {id}: its to end")),
        "{out}"
    );
}

#[test]
fn stats_count_relations_per_type_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    article(
        dir.path(),
        &[(0, 1, "works_for"), (1, 2, "located_in"), (0, 2, "near")],
    );
    let (code, out, err) = nhan(dir.path(), &["stats", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["by_relation"]["works_for"], 1);
    assert_eq!(v["by_relation"]["located_in"], 1);
    assert_eq!(v["by_relation"]["near"], 1);
    let (_, text, _) = nhan(dir.path(), &["stats"]);
    assert!(
        text.contains(
            "by relation\n  works_for         1\n  located_in        1\n  near              1\n"
        ),
        "{text}"
    );
}

#[test]
fn stats_of_a_project_without_relations_say_nothing_of_them() {
    let h = Harness::new(&[("a", "[Lan]{PER} ở [Hà Nội]{LOC}")]);
    let (_, out, _) = nhan(h.dir.path(), &["stats", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.get("by_relation"), None);
    let (_, text, _) = nhan(h.dir.path(), &["stats"]);
    assert!(!text.contains("relation"), "{text}");
}
