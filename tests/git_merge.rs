//! Two annotators, two branches, one gold sidecar, a real `git merge`.

use nhan_model::document::Document;
use nhan_model::edit::Edit;
use nhan_model::sidecar::{Sidecar, sha256_hex};
use nhan_model::text::Text;
use nhan_store::atomic::write_atomic;
use nhan_store::project::Project;
use std::path::Path;
use std::process::{Command, Output};

const TEXT: &str = "Mở đầu. Lan gặp Minh ở Huế. Cuối đoạn.";

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        // Hermetic: nothing of the machine's git config.
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) {
    let o = git(dir, args);
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn nhan(dir: &Path, args: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.code().unwrap_or(-1), text)
}

fn sidecar(dir: &Path) -> std::path::PathBuf {
    dir.join("annotations/a.json")
}

/// Opens the gold sidecar as nhan would, lets `edit` change it, saves it.
fn edit(dir: &Path, edit: impl FnOnce(&mut Document)) {
    let sc = Sidecar::parse(&std::fs::read(sidecar(dir)).unwrap(), "a.json").unwrap();
    let doc = Document::new("a.txt", Text::new(TEXT), sha256_hex(TEXT.as_bytes()));
    let (mut doc, problems) = doc.with_sidecar(sc);
    assert!(problems.is_empty(), "{problems:?}");
    edit(&mut doc);
    write_atomic(&sidecar(dir), doc.to_sidecar().to_json().as_bytes()).unwrap();
}

fn add(doc: &mut Document, word: &str, label: &str, who: &str) {
    let b = TEXT.find(word).unwrap();
    let start = TEXT[..b].chars().count();
    let end = start + word.chars().count();
    let s = doc.make_span(start, end, label, Some(who));
    doc.apply(&Edit::Add(s));
}

/// A repository with one article and a gold sidecar holding one span, on
/// `main`; with nhan's merge driver when `driver`.
fn repo(driver: bool) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    std::fs::create_dir_all(dir.join("articles")).unwrap();
    std::fs::write(dir.join("articles/a.txt"), TEXT).unwrap();
    let mut doc = Document::new("a.txt", Text::new(TEXT), sha256_hex(TEXT.as_bytes()));
    add(&mut doc, "Mở đầu", "MISC", "lead");
    write_atomic(&sidecar(dir), doc.to_sidecar().to_json().as_bytes()).unwrap();
    ok(dir, &["init", "-q", "-b", "main"]);
    if driver {
        let (code, out) = nhan(dir, &["git-setup"]);
        assert_eq!(code, 0, "{out}");
        // The clone's own attributes: nothing to commit.
        let info = dir.join(".git/info/attributes");
        assert!(
            std::fs::read_to_string(&info)
                .unwrap()
                .contains("annotations/**/*.json merge=nhan")
        );
        assert!(!dir.join(".gitattributes").exists());
        // Twice is the same as once.
        assert_eq!(nhan(dir, &["git-setup"]).0, 0);
        let attrs = std::fs::read_to_string(&info).unwrap();
        assert_eq!(attrs.matches("merge=nhan").count(), 1, "{attrs}");
    }
    ok(dir, &["add", "-A"]);
    ok(dir, &["commit", "-q", "-m", "start"]);
    d
}

fn branches(dir: &Path, ours: impl FnOnce(&mut Document), theirs: impl FnOnce(&mut Document)) {
    ok(dir, &["checkout", "-q", "-b", "lan"]);
    edit(dir, ours);
    ok(dir, &["commit", "-q", "-am", "lan"]);
    ok(dir, &["checkout", "-q", "-b", "minh", "main"]);
    edit(dir, theirs);
    ok(dir, &["commit", "-q", "-am", "minh"]);
    ok(dir, &["checkout", "-q", "lan"]);
}

#[test]
fn two_annotators_adding_spans_merge_into_a_valid_sidecar_with_both() {
    let d = repo(true);
    let dir = d.path();
    branches(
        dir,
        |doc| add(doc, "Lan", "PER", "lan"),
        |doc| add(doc, "Huế", "LOC", "minh"),
    );
    let m = git(dir, &["merge", "-q", "--no-edit", "minh"]);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    let sc = Sidecar::parse(&std::fs::read(sidecar(dir)).unwrap(), "a.json").unwrap();
    let got: Vec<(&str, &str)> = sc.spans.iter().map(|s| (&*s.text, &*s.label)).collect();
    assert_eq!(got, [("Mở đầu", "MISC"), ("Lan", "PER"), ("Huế", "LOC")]);
    let mut ids: Vec<nhan_model::ids::SpanId> = sc.spans.iter().map(|s| s.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "distinct ids");
    assert!(!sc.extra.contains_key("conflicts"));
    // nhan opens it for editing, and validate is happy.
    let p = Project::open(dir).unwrap();
    let l = p.load("a.txt").unwrap();
    assert_eq!(l.read_only, None);
    let (code, out) = nhan(dir, &["validate"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn the_same_span_changed_two_ways_is_a_conflict_recorded_in_a_valid_sidecar() {
    let d = repo(true);
    let dir = d.path();
    let relabel = |to: &'static str| {
        move |doc: &mut Document| {
            let before = doc.spans().iter().next().unwrap().clone();
            let mut after = before.clone();
            after.label = to.into();
            doc.apply(&Edit::Replace { before, after });
            add(doc, if to == "ORG" { "Minh" } else { "Huế" }, "PER", "x");
        }
    };
    branches(dir, relabel("ORG"), relabel("LOC"));
    let m = git(dir, &["merge", "-q", "--no-edit", "minh"]);
    assert!(!m.status.success(), "git reports the conflict");
    let err = String::from_utf8_lossy(&m.stderr).into_owned() + &String::from_utf8_lossy(&m.stdout);
    assert!(err.contains("conflicts"), "{err}");
    let bytes = std::fs::read(sidecar(dir)).unwrap();
    let sc = Sidecar::parse(&bytes, "a.json").expect("a valid sidecar, no markers");
    // Ours kept, the spans nobody disputes both in, theirs recorded.
    let got: Vec<(&str, &str)> = sc.spans.iter().map(|s| (&*s.text, &*s.label)).collect();
    assert_eq!(got, [("Mở đầu", "ORG"), ("Minh", "PER"), ("Huế", "PER")]);
    let c = &sc.extra["conflicts"][0];
    assert_eq!(
        (
            &c["base"]["label"],
            &c["ours"]["label"],
            &c["theirs"]["label"]
        ),
        (
            &serde_json::json!("MISC"),
            &serde_json::json!("ORG"),
            &serde_json::json!("LOC")
        )
    );
    let status = String::from_utf8_lossy(&git(dir, &["status", "--porcelain"]).stdout).into_owned();
    assert!(status.contains("UU annotations/a.json"), "{status}");
    // nhan opens it (the conflict list is kept on rewrite) and says what
    // is left to settle.
    let l = Project::open(dir).unwrap().load("a.txt").unwrap();
    assert_eq!(l.read_only, None);
    let notice = l.notice.expect("a notice");
    assert!(
        notice.contains("1 merge conflict recorded under \"conflicts\""),
        "{notice}"
    );
}

#[test]
fn conflict_markers_are_named_by_validate_and_the_tui_with_what_to_run() {
    let d = repo(false);
    let dir = d.path();
    branches(
        dir,
        |doc| add(doc, "Lan", "PER", "lan"),
        |doc| add(doc, "Huế", "LOC", "minh"),
    );
    let m = git(dir, &["merge", "-q", "--no-edit", "minh"]);
    assert!(!m.status.success(), "git's line merge conflicts");
    let text = std::fs::read_to_string(sidecar(dir)).unwrap();
    let line = text.lines().position(|l| l.starts_with("<<<<<<<")).unwrap() + 1;
    let (code, out) = nhan(dir, &["validate"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!(
            "merge conflict in {}, line {line}",
            sidecar(dir).display()
        )),
        "{out}"
    );
    assert!(
        out.contains("nhan git-setup") && out.contains("git checkout -m"),
        "{out}"
    );
    let l = Project::open(dir).unwrap().load("a.txt").unwrap();
    let why = l.read_only.expect("read-only");
    assert!(why.contains("merge conflict in"), "{why}");
    // What the message says to run settles it span by span.
    assert_eq!(nhan(dir, &["git-setup"]).0, 0);
    ok(dir, &["checkout", "-m", "annotations/a.json"]);
    let sc = Sidecar::parse(&std::fs::read(sidecar(dir)).unwrap(), "a.json").unwrap();
    assert_eq!(sc.spans.len(), 3);
}

#[test]
fn a_sidecar_with_a_duplicate_id_opens_for_editing_with_a_notice() {
    let d = repo(false);
    let dir = d.path();
    // What a plain git merge of an older nhan's sequential ids gave.
    let sc = std::fs::read_to_string(sidecar(dir)).unwrap();
    let id = Sidecar::parse(sc.as_bytes(), "a").unwrap().spans[0].id;
    let sc = sc.replace(
        "\"annotator\": \"lead\"}",
        &format!(
            "\"annotator\": \"lead\"}},\n    {{\"id\": {id}, \"start\": 8, \"end\": 11, \"label\": \"PER\", \"text\": \"Lan\"}}"
        ),
    );
    std::fs::write(sidecar(dir), &sc).unwrap();
    let l = Project::open(dir).unwrap().load("a.txt").unwrap();
    assert_eq!(l.read_only, None, "editable");
    let notice = l.notice.expect("a notice");
    assert!(
        notice.contains("new id") && notice.contains("a.json"),
        "{notice}"
    );
    let ids: Vec<nhan_model::ids::SpanId> = l.doc.spans().iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    // validate names it and says the way out.
    let (code, out) = nhan(dir, &["validate"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("duplicate id") && out.contains("opening the article"),
        "{out}"
    );
}

#[test]
fn relations_follow_a_span_renumbered_for_a_duplicate_id_when_one_annotator_made_both() {
    let d = repo(false);
    let dir = d.path();
    // A plain git merge left lead's “Mở đầu” and minh's “Lan” under one id,
    // each with a relation from it to minh's “Huế”.
    let sc = std::fs::read_to_string(sidecar(dir)).unwrap();
    let id = Sidecar::parse(sc.as_bytes(), "a").unwrap().spans[0].id;
    let sc = sc
        .replace(
            "\"annotator\": \"lead\"}",
            &format!(
                "\"annotator\": \"lead\"}},\n    {{\"id\": {id}, \"start\": 8, \"end\": 11, \"label\": \"PER\", \"text\": \"Lan\", \"annotator\": \"minh\"}},\n    \
                 {{\"id\": 5, \"start\": 23, \"end\": 26, \"label\": \"LOC\", \"text\": \"Huế\", \"annotator\": \"minh\"}}"
            ),
        )
        .replace(
            "  \"spans\": [",
            &format!(
                "  \"relations\": [\n    {{\"id\": 8, \"from\": {id}, \"to\": 5, \"label\": \"near\", \"annotator\": \"lead\"}},\n    \
                 {{\"id\": 9, \"from\": {id}, \"to\": 5, \"label\": \"lives_in\", \"annotator\": \"minh\"}}\n  ],\n  \"spans\": ["
            ),
        );
    std::fs::write(sidecar(dir), &sc).unwrap();
    let l = Project::open(dir).unwrap().load("a.txt").unwrap();
    assert_eq!(l.read_only, None, "editable");
    let from = |rel: u64| {
        let r = l.doc.relations().iter().find(|r| r.id.0 == rel).unwrap();
        l.doc.spans().get(r.from).unwrap().text.to_string()
    };
    // Before, both stayed on the id “Mở đầu” kept: minh's relation went
    // from lead's span.
    assert_eq!(from(9), "Lan");
    assert_eq!(from(8), "Mở đầu");
    let notice = l.notice.expect("a notice");
    assert!(
        notice.contains("and 1 relation by the same annotator followed"),
        "{notice}"
    );
}

/// The driver called on a side that is not a sidecar (hand-broken JSON):
/// git's own line merge, markers and all, so nothing of either side is
/// lost; exit 1.
#[test]
fn merge_file_falls_back_to_a_line_merge_when_a_side_is_not_a_sidecar() {
    let d = repo(false);
    let dir = d.path();
    let good = std::fs::read_to_string(sidecar(dir)).unwrap();
    let base = dir.join("base.json");
    let ours = dir.join("ours.json");
    let theirs = dir.join("theirs.json");
    std::fs::write(&base, &good).unwrap();
    std::fs::write(
        &ours,
        good.replace("\"status\": \"todo\"", "\"status\": \"done\""),
    )
    .unwrap();
    std::fs::write(
        &theirs,
        good.replace("\"status\": \"todo\"", "\"status\": oops"),
    )
    .unwrap();
    let (code, out) = nhan(
        dir,
        &[
            "merge-file",
            &base.display().to_string(),
            &ours.display().to_string(),
            &theirs.display().to_string(),
            "--path",
            "annotations/a.json",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("annotations/a.json (theirs)") && out.contains("line by line"),
        "{out}"
    );
    let merged = std::fs::read_to_string(&ours).unwrap();
    assert!(
        merged.contains("\"status\": \"done\"") && merged.contains("\"status\": oops"),
        "both sides kept: {merged}"
    );
}

/// Without the driver: two spans added far apart in the same sidecar, and
/// git's own line merge is clean. The spans' ids differ, so the article
/// opens for editing (with sequential ids both were `max + 1`, and the
/// article opened read-only with no way out).
#[test]
fn a_plain_git_merge_of_spans_added_apart_gives_distinct_ids() {
    let d = repo(false);
    let dir = d.path();
    // More spans in the base, so that the two additions are lines apart.
    edit(dir, |doc| {
        add(doc, "gặp", "MISC", "lead");
        add(doc, "Minh", "PER", "lead");
        add(doc, "Cuối", "MISC", "lead");
    });
    ok(dir, &["commit", "-q", "-am", "more"]);
    branches(
        dir,
        |doc| add(doc, "Lan", "PER", "lan"),
        |doc| add(doc, "Huế", "LOC", "minh"),
    );
    let m = git(dir, &["merge", "-q", "--no-edit", "minh"]);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    let l = Project::open(dir).unwrap().load("a.txt").unwrap();
    assert_eq!(l.read_only, None);
    assert_eq!(l.notice, None, "nothing to renumber");
    assert_eq!(l.doc.spans().len(), 6);
    assert_eq!(nhan(dir, &["validate"]).0, 0);
}

/// One branch changed the article (a sentence added at the start, spans
/// re-anchored, one more span), the other added a span on the old text.
/// The driver finds both texts in git and carries the old side's spans
/// onto the new text before merging: every span on its own words.
#[test]
fn a_branch_that_changed_the_article_merges_with_spans_made_on_the_old_text() {
    let d = repo(true);
    let dir = d.path();
    let new_text = format!("Tin mới. {TEXT}");
    let shift = "Tin mới. ".chars().count();
    ok(dir, &["checkout", "-q", "-b", "lan"]);
    std::fs::write(dir.join("articles/a.txt"), &new_text).unwrap();
    let mut sc = Sidecar::parse(&std::fs::read(sidecar(dir)).unwrap(), "a").unwrap();
    for s in &mut sc.spans {
        s.start += shift;
        s.end += shift;
    }
    sc.text_sha256 = sha256_hex(new_text.as_bytes());
    let doc = Document::new("a.txt", Text::new(new_text.clone()), sc.text_sha256.clone());
    let (mut doc, problems) = doc.with_sidecar(sc);
    assert!(problems.is_empty(), "{problems:?}");
    let b = new_text.find("Lan").unwrap();
    let start = new_text[..b].chars().count();
    let s = doc.make_span(start, start + 3, "PER", Some("lan"));
    doc.apply(&Edit::Add(s));
    write_atomic(&sidecar(dir), doc.to_sidecar().to_json().as_bytes()).unwrap();
    ok(dir, &["commit", "-q", "-am", "lan: article edited"]);
    ok(dir, &["checkout", "-q", "-b", "minh", "main"]);
    edit(dir, |doc| add(doc, "Huế", "LOC", "minh"));
    ok(dir, &["commit", "-q", "-am", "minh"]);
    ok(dir, &["checkout", "-q", "lan"]);
    let m = git(dir, &["merge", "-q", "--no-edit", "minh"]);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    let l = Project::open(dir).unwrap().load("a.txt").unwrap();
    assert_eq!(l.read_only, None);
    let got: Vec<(String, String)> = l
        .doc
        .spans()
        .iter()
        .map(|s| {
            (
                l.doc.text().slice(s.start, s.end).to_string(),
                s.label.to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Mở đầu".to_string(), "MISC".to_string()),
            ("Lan".into(), "PER".into()),
            ("Huế".into(), "LOC".into())
        ]
    );
    assert_eq!(nhan(dir, &["validate"]).0, 0);
}

/// The README's flow, in the order people do it: A starts the project and
/// pushes; B clones; both run `nhan git-setup` (before or after pulling);
/// each annotates and commits; B pulls A's work. The pull succeeds, the
/// driver merges span by span, and nothing is left uncommitted by setup.
#[test]
fn the_readme_git_flow_with_two_clones_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let origin = tmp.path().join("origin.git");
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    ok(
        tmp.path(),
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            origin.to_str().unwrap(),
        ],
    );
    // A: a project of one article with a gold sidecar, set up, pushed.
    let start = repo(false);
    ok(
        start.path(),
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    ok(start.path(), &["push", "-q", "origin", "main"]);
    ok(
        tmp.path(),
        &["clone", "-q", origin.to_str().unwrap(), a.to_str().unwrap()],
    );
    ok(
        tmp.path(),
        &["clone", "-q", origin.to_str().unwrap(), b.to_str().unwrap()],
    );
    for clone in [&a, &b] {
        let (code, out) = nhan(clone, &["git-setup"]);
        assert_eq!(code, 0, "{out}");
        // Setup leaves the working tree clean: nothing for a pull to trip on.
        let st = git(clone, &["status", "--porcelain"]);
        assert_eq!(
            String::from_utf8_lossy(&st.stdout),
            "",
            "git status after setup"
        );
    }
    edit(&a, |d| add(d, "Lan", "PER", "lan"));
    ok(&a, &["commit", "-q", "-am", "lan: Lan"]);
    ok(&a, &["push", "-q", "origin", "main"]);
    edit(&b, |d| add(d, "Huế", "LOC", "minh"));
    ok(&b, &["commit", "-q", "-am", "minh: Huế"]);
    let pull = git(&b, &["pull", "-q", "--no-rebase", "origin", "main"]);
    assert!(
        pull.status.success(),
        "git pull: {}{}",
        String::from_utf8_lossy(&pull.stdout),
        String::from_utf8_lossy(&pull.stderr)
    );
    let merged = std::fs::read_to_string(sidecar(&b)).unwrap();
    assert!(!merged.contains("<<<<<<<"), "{merged}");
    let sc = Sidecar::parse(merged.as_bytes(), "a.json").unwrap();
    let labels: Vec<&str> = sc.spans.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["MISC", "PER", "LOC"], "{merged}");
    assert_eq!(nhan(&b, &["validate"]).0, 0);
}

const RELATION_SCHEMA: &str = r#"[[labels]]
name = "MISC"
[[labels]]
name = "PER"
[[labels]]
name = "LOC"
[[relations]]
name = "knows"
from = ["PER"]
to = ["PER"]
[[relations]]
name = "lives_in"
from = ["PER"]
to = ["LOC"]
"#;

/// The README's flow for relations: a project whose gold sidecar holds
/// Lan, Minh and Huế, pushed to `origin`, cloned twice, and the driver set
/// up in both clones.
fn relation_clones() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let origin = tmp.path().join("origin.git");
    let origin_s = origin.to_str().unwrap();
    ok(
        tmp.path(),
        &["init", "-q", "--bare", "-b", "main", origin_s],
    );
    let start = repo(false);
    std::fs::write(start.path().join("nhan.toml"), RELATION_SCHEMA).unwrap();
    edit(start.path(), |d| {
        add(d, "Lan", "PER", "lead");
        add(d, "Minh", "PER", "lead");
        add(d, "Huế", "LOC", "lead");
    });
    ok(start.path(), &["add", "-A"]);
    ok(start.path(), &["commit", "-q", "-m", "three spans"]);
    ok(start.path(), &["remote", "add", "origin", origin_s]);
    ok(start.path(), &["push", "-q", "origin", "main"]);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for clone in [&a, &b] {
        ok(
            tmp.path(),
            &["clone", "-q", origin_s, clone.to_str().unwrap()],
        );
        let (code, out) = nhan(clone, &["git-setup"]);
        assert_eq!(code, 0, "{out}");
    }
    (tmp, a, b)
}

fn span_id(doc: &Document, text: &str) -> nhan_model::ids::SpanId {
    doc.spans().iter().find(|s| s.text == text).unwrap().id
}

fn relate(doc: &mut Document, from: &str, to: &str, label: &str, who: &str) {
    let r = doc.make_relation(span_id(doc, from), span_id(doc, to), label, Some(who));
    doc.apply(&Edit::add_relation(r));
}

/// The merged gold sidecar's relations as `(from text, type, to text)`.
fn relations_by_text(sc: &Sidecar) -> Vec<(String, String, String)> {
    let text = |id: nhan_model::ids::SpanId| {
        sc.spans
            .iter()
            .find(|s| s.id == id)
            .map_or(format!("dangling {id}"), |s| s.text.to_string())
    };
    let rels = nhan_model::relation::parse(&sc.extra["relations"]).unwrap();
    rels.iter()
        .map(|r| (text(r.from), r.label.clone(), text(r.to)))
        .collect()
}

#[test]
fn relations_added_in_two_clones_are_both_kept_by_a_pull() {
    let (_tmp, a, b) = relation_clones();
    edit(&a, |d| relate(d, "Lan", "Minh", "knows", "lan"));
    ok(&a, &["commit", "-q", "-am", "lan: Lan knows Minh"]);
    ok(&a, &["push", "-q", "origin", "main"]);
    edit(&b, |d| relate(d, "Minh", "Huế", "lives_in", "minh"));
    ok(&b, &["commit", "-q", "-am", "minh: Minh lives in Huế"]);
    let pull = git(&b, &["pull", "-q", "--no-rebase", "origin", "main"]);
    assert!(
        pull.status.success(),
        "git pull: {}",
        String::from_utf8_lossy(&pull.stderr)
    );
    let merged = std::fs::read_to_string(sidecar(&b)).unwrap();
    let sc = Sidecar::parse(merged.as_bytes(), "a.json").unwrap();
    let mut got = relations_by_text(&sc);
    got.sort();
    let want = [
        ("Lan".to_string(), "knows".to_string(), "Minh".to_string()),
        ("Minh".into(), "lives_in".into(), "Huế".into()),
    ];
    assert_eq!(got, want, "{merged}");
    assert!(!sc.extra.contains_key("conflicts"), "{merged}");
    // One relation per line, as nhan writes it.
    assert_eq!(merged.matches("{\"id\": ").count(), 4 + 2, "{merged}");
    let l = Project::open(&b).unwrap().load("a.txt").unwrap();
    assert_eq!(l.read_only, None);
    assert_eq!(l.doc.relations().len(), 2);
    let (code, out) = nhan(&b, &["validate"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_relation_to_a_span_deleted_in_the_other_clone_is_a_recorded_conflict() {
    let (_tmp, a, b) = relation_clones();
    edit(&a, |d| {
        let minh = d.spans().get(span_id(d, "Minh")).unwrap().clone();
        let e = d.remove_span_edit(&minh);
        d.apply(&e);
    });
    ok(&a, &["commit", "-q", "-am", "lan: Minh is no entity"]);
    ok(&a, &["push", "-q", "origin", "main"]);
    edit(&b, |d| {
        relate(d, "Minh", "Huế", "lives_in", "minh");
        relate(d, "Lan", "Huế", "lives_in", "minh");
    });
    ok(&b, &["commit", "-q", "-am", "minh: two relations"]);
    let pull = git(&b, &["pull", "-q", "--no-rebase", "origin", "main"]);
    assert!(!pull.status.success(), "git reports the conflict");
    let said =
        String::from_utf8_lossy(&pull.stderr).into_owned() + &String::from_utf8_lossy(&pull.stdout);
    assert!(
        said.contains("ends on PER “Minh”") && said.contains("which the other side deleted"),
        "{said}"
    );
    let merged = std::fs::read_to_string(sidecar(&b)).unwrap();
    let sc = Sidecar::parse(merged.as_bytes(), "a.json").expect("a valid sidecar");
    // The relation that still has both ends is in; none dangles.
    assert_eq!(
        relations_by_text(&sc),
        [("Lan".to_string(), "lives_in".to_string(), "Huế".to_string())],
        "{merged}"
    );
    assert!(!sc.spans.iter().any(|s| s.text == "Minh"), "{merged}");
    let c = &sc.extra["conflicts"][0];
    assert_eq!(c["theirs"], serde_json::Value::Null, "{merged}");
    assert_eq!(c["ours"]["label"], "lives_in", "{merged}");
    assert_eq!(c["lost_end"]["text"], "Minh", "{merged}");
    // nhan opens it for editing and says what is left.
    let l = Project::open(&b).unwrap().load("a.txt").unwrap();
    assert_eq!(l.read_only, None);
    let notice = l.notice.expect("a notice");
    assert!(notice.contains("1 relation lost an end span"), "{notice}");
    // validate names the file and line, and what to do.
    let (code, out) = nhan(&b, &["validate"]);
    assert_eq!(code, 1, "{out}");
    let line = merged
        .lines()
        .position(|l| l.starts_with("  \"conflicts\":"))
        .unwrap()
        + 1;
    assert!(
        out.contains(&format!(
            "annotations/a.json:{line}: 1 merge conflict recorded"
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "put the span back in \"spans\" and the relation in \"relations\", or leave both out"
        ),
        "{out}"
    );
}
