//! One project, three annotators, the whole path: blind annotation through
//! the keys → `nhan agree` → adjudication through the keys → `nhan export`.

mod support;

use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::runtime::App;
use serde_json::Value;
use std::path::Path;

const TEXT: &str = "Lan gặp Minh ở Bộ Ngoại giao tại Hà Nội.\n";
const SCHEMA: &str = "blind = true\n[[labels]]\nname = \"PER\"\n[[labels]]\nname = \"ORG\"\n[[labels]]\nname = \"LOC\"\n";

/// Opens the project as `who` (what `nhan --annotator who` does) and types.
fn annotate(root: &Path, who: &str, keys: &str) {
    let mut project = Project::open(root).unwrap();
    project.work_as(who);
    let config = Config {
        annotator: Some(who.into()),
        ..Config::default()
    };
    let mut app = App::new(project, config, (100, 30));
    for k in format!("enter {keys} D").split_whitespace() {
        app.handle(nhan_tui::app::msg::Msg::Key(
            nhan_tui::app::keys::Key::parse(k).unwrap(),
        ));
    }
}

fn nhan(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        s(&out.stdout),
        s(&out.stderr),
    )
}

#[test]
fn annotate_agree_adjudicate_export() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("articles")).unwrap();
    std::fs::write(root.join("articles/a.txt"), TEXT).unwrap();
    std::fs::write(root.join("nhan.toml"), SCHEMA).unwrap();

    // 1. Blind annotation: each in their own folder, nothing in the gold.
    // (A tag leaves the cursor on the token after the span.)
    annotate(root, "lan", "1 l 1 l v L L 2 G h h v L 3");
    annotate(root, "minh", "1 l 1 l v L L 2 G h h v L 2");
    annotate(root, "hoa", "1 l 3 l l 2 G h h v L 3");
    for who in ["lan", "minh", "hoa"] {
        assert!(
            root.join(format!("annotations/{who}/a.json")).exists(),
            "{who}"
        );
    }
    assert!(!root.join("annotations/a.json").exists());

    // 2. Agreement: lan and minh agree on 3 of 4 spans exactly.
    let (code, out, err) = nhan(root, &["agree", "--json", "--annotators", "lan,minh,hoa"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let pair = v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["reference"] == "lan" && p["other"] == "minh")
        .unwrap();
    let strict = &pair["spans"]["strict"]["overall"];
    assert_eq!(
        (strict["correct"].as_u64(), strict["incorrect"].as_u64()),
        (Some(3), Some(1)),
        "{pair}"
    );
    assert!(v["overall"]["krippendorff_alpha"].as_f64().unwrap() < 1.0);

    // Export before adjudication: no gold yet, and it says so.
    let (_, _, err) = nhan(
        root,
        &[
            "export", "--format", "jsonl", "--status", "any", "--out", "-",
        ],
    );
    assert!(err.contains("no gold yet"), "{err}");

    // 3. Adjudication (`nhan --adjudicate`): agreements in at once, then
    //    take or leave each disagreement from the span list.
    let project = Project::open(root).unwrap();
    let config = Config {
        annotator: Some("chi".into()),
        ..Config::default()
    };
    let mut app = App::new(project, config, (100, 30));
    let press = |app: &mut App, keys: &str| {
        for k in keys.split_whitespace() {
            app.handle(nhan_tui::app::msg::Msg::Key(
                nhan_tui::app::keys::Key::parse(k).unwrap(),
            ));
        }
    };
    press(&mut app, "enter m");
    assert!(app.state.review.adjudication.is_some());
    // Decide every disagreement: take what two or more annotators had.
    loop {
        let adj = app.state.review.adjudication.clone().unwrap();
        let open: Vec<_> = adj
            .candidates
            .iter()
            .filter(|c| {
                nhan_tui::app::adjudicating::decision(&app.state, c)
                    == nhan_model::adjudication::Decision::Open
            })
            .cloned()
            .collect();
        let Some(c) = open.first() else { break };
        let row = app
            .state
            .review
            .rows
            .iter()
            .position(|r| {
                r.start == c.start && r.end == c.end && r.label.as_deref() == Some(&c.label)
            })
            .unwrap();
        app.state.review.selected = row;
        press(&mut app, if c.by.len() >= 2 { "a" } else { "x" });
    }
    press(&mut app, "D");
    let gold: Value =
        serde_json::from_slice(&std::fs::read(root.join("annotations/a.json")).unwrap()).unwrap();
    assert_eq!(gold["status"], "reviewed");
    let spans: Vec<(String, String)> = gold["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["text"].as_str().unwrap().to_string(),
                s["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("Lan".into(), "PER".into()),
            ("Minh".into(), "PER".into()),
            ("Bộ Ngoại giao".into(), "ORG".into()),
            ("Hà Nội".into(), "LOC".into())
        ]
    );

    // 4. Export reads the gold.
    let (code, out, err) = nhan(root, &["export", "--format", "jsonl", "--out", "-"]);
    assert_eq!(code, 0, "{err}");
    let line: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(line["label"].as_array().unwrap().len(), 4, "{line}");
    assert!(!err.contains("no gold yet"), "{err}");
}
