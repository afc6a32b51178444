//! What `nhan import` lets into a project: labels the schema knows,
//! "reviewed" only with every span decided, and an export right after an
//! import that says what to do. Run as the real binary.

mod support;

use std::path::Path;
use std::process::Command;

fn nhan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    // Run inside the project, as a user does: input paths are relative.
    support::outcome(
        Command::new(env!("CARGO_BIN_EXE_nhan"))
            .current_dir(dir)
            .arg("--project")
            .arg(dir)
            .args(args),
    )
}

/// A project with the tests' schema (PER, ORG, LOC) and a doccano file.
fn project(lines: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::project::init(dir.path(), support::SCHEMA);
    std::fs::write(dir.path().join("in.jsonl"), lines.join("\n") + "\n").unwrap();
    dir
}

const TWO: &[&str] = &[
    r#"{"article": "a", "text": "Lan ở Huế", "label": [[0, 3, "PER"], [6, 9, "CITY"]]}"#,
    r#"{"article": "b", "text": "Bộ Y tế họp", "label": [[0, 7, "MINISTRY"], [0, 2, "CITY"]]}"#,
];

#[test]
fn labels_not_in_the_schema_are_refused_by_name_unless_added() {
    let dir = project(TWO);
    let p = dir.path();
    let (code, _, err) = nhan(p, &["import", "--format", "jsonl", "in.jsonl"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nothing was imported: labels not in"), "{err}");
    assert!(err.contains("CITY (2 spans), MINISTRY (1 spans)"), "{err}");
    assert!(err.contains("--add-labels"), "{err}");
    assert!(!p.join("articles/a.txt").exists());

    let (code, _, err) = nhan(
        p,
        &["import", "--format", "jsonl", "--add-labels", "in.jsonl"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("nhan.toml: CITY, MINISTRY"), "{err}");
    let schema = nhan_store::project::load_schema(p).unwrap();
    let names: Vec<&str> = schema.labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["PER", "ORG", "LOC", "CITY", "MINISTRY"]);
    let (code, out, err) = nhan(p, &["validate"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn reviewed_needs_a_decision_on_every_span_or_a_named_reviewer() {
    let one = [r#"{"article": "a", "text": "Lan ở Huế", "label": [[0, 3, "PER"], [6, 9, "LOC"]]}"#];
    let dir = project(&one);
    let p = dir.path();
    let args = [
        "import", "--format", "jsonl", "--status", "reviewed", "in.jsonl",
    ];
    let (code, _, err) = nhan(p, &args);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("would be reviewed with spans or relations no reviewer decided"),
        "{err}"
    );
    assert!(err.contains("(2 of 2 spans)"), "{err}");
    assert!(!p.join("annotations/a.json").exists());

    let (code, _, err) = nhan(
        p,
        &[&args[..5], &["--reviewer", "minh", "in.jsonl"]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    let side = std::fs::read_to_string(p.join("annotations/a.json")).unwrap();
    assert!(side.contains("\"status\": \"reviewed\""), "{side}");
    assert_eq!(
        side.matches("\"review\": \"accepted\", \"reviewer\": \"minh\"")
            .count(),
        2,
        "{side}"
    );
    assert_eq!(nhan(p, &["validate"]).0, 0);
    // The default export ships it.
    let (code, out, _) = nhan(p, &["export", "--format", "jsonl", "--out", "-"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn validate_reports_a_reviewed_article_with_undecided_spans() {
    let one = [r#"{"article": "a", "text": "Lan ở Huế", "label": [[0, 3, "PER"]]}"#];
    let dir = project(&one);
    let p = dir.path();
    assert_eq!(nhan(p, &["import", "--format", "jsonl", "in.jsonl"]).0, 0);
    // Someone edits the status by hand.
    let side = p.join("annotations/a.json");
    let s = std::fs::read_to_string(&side)
        .unwrap()
        .replace("\"status\": \"done\"", "\"status\": \"reviewed\"");
    std::fs::write(&side, s).unwrap();
    let (code, out, err) = nhan(p, &["validate"]);
    assert_eq!(code, 1, "{out}{err}");
    let all = out + &err;
    assert!(all.contains("a.json:"), "{all}");
    assert!(
        all.contains("reviewed but 1 span(s) have no review decision"),
        "{all}"
    );
}

#[test]
fn an_export_right_after_a_plain_import_says_the_one_thing_to_do() {
    let one = [r#"{"article": "a", "text": "Lan ở Huế", "label": [[0, 3, "PER"]]}"#];
    let dir = project(&one);
    let p = dir.path();
    let (code, _, err) = nhan(p, &["import", "--format", "jsonl", "in.jsonl"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 articles are done, not reviewed"), "{err}");
    let (_, _, err) = nhan(p, &["export", "--format", "jsonl", "--out", "-"]);
    assert!(
        err.contains("nothing exported: none of the 1 articles is reviewed (1 done); export them with --status done"),
        "{err}"
    );
    assert!(!err.contains("exported 0 articles"), "{err}");
    let (code, out, _) = nhan(
        p,
        &[
            "export", "--format", "jsonl", "--status", "done", "--out", "-",
        ],
    );
    assert_eq!(code, 0);
    assert!(out.contains("Lan ở Huế"), "{out}");
}
