//! Three annotators on one article: adjudication in the TUI, through keys,
//! into the gold sidecar with provenance; export reads the gold only.

mod support;

use nhan_model::document::Document;
use nhan_model::edit::Edit;
use nhan_model::markup;
use nhan_model::sidecar::sha256_hex;
use nhan_model::status::Status;
use nhan_model::text::Text;
use nhan_store::atomic::write_atomic;
use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::runtime::App;
use support::Harness;

const TEXT: &str = "Lan gặp Minh ở Bộ Ngoại giao tại Hà Nội.";

/// `annotations/<who>/a.json` from markup over TEXT.
fn annotator(root: &std::path::Path, who: &str, marked: &str) {
    let m = markup::parse(marked).unwrap();
    assert_eq!(m.text, TEXT);
    let mut doc = Document::new("a.txt", Text::new(TEXT), sha256_hex(TEXT.as_bytes()));
    for (s, e, l) in m.spans {
        let sp = doc.make_span(s, e, &l, Some(who));
        doc.apply(&Edit::Add(sp));
    }
    doc.apply(&Edit::SetStatus {
        before: doc.status(),
        after: Status::Done,
    });
    let path = root.join("annotations").join(who).join("a.json");
    write_atomic(&path, doc.to_sidecar().to_json().as_bytes()).unwrap();
}

fn three_annotators() -> Harness {
    let mut h = Harness::new(&[("a", TEXT)]);
    let root = h.dir.path().to_path_buf();
    annotator(
        &root,
        "lan",
        "[Lan]{PER} gặp [Minh]{PER} ở [Bộ Ngoại giao]{ORG} tại [Hà Nội]{LOC}.",
    );
    annotator(
        &root,
        "minh",
        "[Lan]{PER} gặp [Minh]{PER} ở [Bộ Ngoại giao]{ORG} tại [Hà Nội]{ORG}.",
    );
    annotator(
        &root,
        "hoa",
        "[Lan]{PER} gặp [Minh]{LOC} ở Bộ [Ngoại giao]{ORG} tại [Hà Nội]{LOC}.",
    );
    let project = Project::open(&root).unwrap();
    let config = Config {
        annotator: Some("chi".into()),
        ..Config::default()
    };
    h.app = App::new(project, config, (100, 30));
    h.keys("enter");
    h
}

/// The span list as `TEXT LABEL STATE BY` lines.
fn rows(h: &Harness) -> Vec<String> {
    let art = h.app.state.article().unwrap();
    h.app
        .state
        .review
        .rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {}",
                art.doc.text().slice(r.start, r.end),
                r.label.as_deref().unwrap_or("-"),
                r.review.map(|d| d.as_str()).unwrap_or("open"),
                r.by.as_deref().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn agreements_go_to_the_gold_at_once_and_disagreements_are_listed() {
    let mut h = three_annotators();
    assert!(!h.sidecar_path("a").exists());
    h.keys("m");
    assert!(
        h.message().contains("1 agreed spans added"),
        "{}",
        h.message()
    );
    assert_eq!(
        h.disk_markup("a"),
        "[Lan]{PER} gặp Minh ở Bộ Ngoại giao tại Hà Nội."
    );
    let gold = h.on_disk("a").unwrap();
    assert_eq!(
        gold.spans[0].details.unknown("agreed_by").unwrap(),
        &serde_json::json!(["hoa", "lan", "minh"])
    );
    assert_eq!(
        rows(&h),
        [
            "Minh LOC open ≠ hoa",
            "Minh PER open ≠ lan+minh",
            "Bộ Ngoại giao ORG open ≠ lan+minh",
            "Ngoại giao ORG open ≠ hoa",
            "Hà Nội LOC open ≠ hoa+lan",
            "Hà Nội ORG open ≠ minh",
            "Lan PER gold all",
        ]
    );
    // Undo takes the agreements out again.
    h.keys("u");
    assert_eq!(h.disk_markup("a"), TEXT);
}

#[test]
fn take_one_side_both_or_neither_with_provenance() {
    let mut h = three_annotators();
    h.keys("m");
    let find = |h: &Harness, s: &str| {
        h.app
            .state
            .review
            .rows
            .iter()
            .position(|r| {
                let art = h.app.state.article().unwrap();
                format!(
                    "{} {}",
                    art.doc.text().slice(r.start, r.end),
                    r.label.as_deref().unwrap_or("")
                ) == s
            })
            .unwrap()
    };
    // Minh: take PER (lan+minh), leave LOC (hoa): one side. After a
    // decision the list moves on by itself, so each row is chosen here.
    h.keys("j a");
    h.app.state.review.selected = find(&h, "Minh LOC");
    h.keys("x");
    // Bộ Ngoại giao / Ngoại giao: both (they nest).
    assert!(h.message().contains("2/6 decided"), "{}", h.message());
    for (row, key) in [
        ("Bộ Ngoại giao ORG", "a"),
        ("Ngoại giao ORG", "a"),
        ("Hà Nội LOC", "x"),
        ("Hà Nội ORG", "x"),
    ] {
        h.app.state.review.selected = find(&h, row);
        h.keys(key);
    }
    assert_eq!(
        h.disk_markup("a"),
        "[Lan]{PER} gặp [Minh]{PER} ở [Bộ [Ngoại giao]{ORG}]{ORG} tại Hà Nội."
    );
    let gold = h.on_disk("a").unwrap();
    let minh = gold.spans.iter().find(|s| s.text == "Minh").unwrap();
    assert_eq!(
        minh.details.unknown("agreed_by").unwrap(),
        &serde_json::json!(["lan", "minh"])
    );
    assert_eq!(minh.reviewer.as_deref(), Some("chi"));
    let left: Vec<&str> = gold.extra["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["Minh", "Hà Nội", "Hà Nội"]);
    assert!(
        nhan_tui::app::adjudicating::progress(
            &h.app.state,
            h.app.state.review.adjudication.as_ref().unwrap()
        )
        .contains("6/6 disagreements decided")
    );
    // All decided: the gold can be marked reviewed.
    h.keys("D");
    assert_eq!(h.on_disk("a").unwrap().status, Status::Reviewed);
}

#[test]
fn a_side_that_would_cross_is_refused_and_decisions_are_undoable() {
    let mut h = Harness::new(&[("a", TEXT)]);
    let root = h.dir.path().to_path_buf();
    annotator(
        &root,
        "lan",
        "Lan gặp [Minh ở Bộ]{ORG} Ngoại giao tại Hà Nội.",
    );
    annotator(
        &root,
        "minh",
        "Lan gặp Minh ở [Bộ Ngoại giao]{ORG} tại Hà Nội.",
    );
    h.app = App::new(Project::open(&root).unwrap(), Config::default(), (100, 30));
    h.keys("enter m a");
    assert!(
        h.disk_markup("a").contains("[Minh ở Bộ]{ORG}")
            || h.disk_markup("a").contains("[Bộ Ngoại giao]{ORG}")
    );
    h.keys("a");
    assert!(
        h.message().contains("not taken") && h.message().contains("cross"),
        "{}",
        h.message()
    );
    h.keys("u");
    assert_eq!(h.disk_markup("a"), TEXT);
}

#[test]
fn adjudication_needs_two_annotators() {
    let mut h = Harness::new(&[("a", TEXT)]);
    let root = h.dir.path().to_path_buf();
    annotator(
        &root,
        "lan",
        "[Lan]{PER} gặp Minh ở Bộ Ngoại giao tại Hà Nội.",
    );
    h.app = App::new(Project::open(&root).unwrap(), Config::default(), (100, 30));
    h.keys("enter m");
    assert!(
        h.message().contains("two or more annotators") && h.message().contains("lan"),
        "{}",
        h.message()
    );
    assert!(h.app.state.review.adjudication.is_none());
}

#[test]
fn export_reads_the_gold_and_says_which_articles_have_none() {
    let h = three_annotators();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhan"))
        .args([
            "--project",
            h.dir.path().to_str().unwrap(),
            "export",
            "--format",
            "jsonl",
            "--status",
            "any",
            "--out",
            "-",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("annotators' work but no gold yet") && err.contains("a.txt"),
        "{err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\"label\": []") || stdout.contains("\"label\":[]"),
        "the gold is empty: {stdout}"
    );
}
