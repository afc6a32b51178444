//! The command line: `stats` figures against sidecars built here, and
//! `validate` naming file, line and problem.

mod support;

use serde_json::Value;
use std::process::Command;
use support::Harness;

fn nhan(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
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

#[test]
fn stats_json_counts_labels_statuses_annotators_and_review() {
    let mut h = Harness::new(&[
        ("a", "[Lan]{PER} ở [Hà Nội]{LOC} và [Huế]{LOC}"),
        ("b", "[Bộ Ngoại giao]{ORG} họp"),
        ("c", "chưa gắn nhãn"),
    ]);
    h.app.state.config = nhan::app::config::Config {
        annotator: Some("minh".into()),
        ..Default::default()
    };
    // Review article a: accept Lan, relabel Hà Nội (fixed), reject Huế.
    h.keys("enter r a 2 x");
    // Article b: mark done.
    h.keys("r tab j enter D");
    let (code, out, err) = nhan(h.dir.path(), &["stats", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["articles"], 3);
    assert_eq!(v["spans"], 3);
    assert_eq!(v["by_label"]["PER"], 1);
    assert_eq!(v["by_label"]["ORG"], 2);
    assert_eq!(v["by_label"].get("LOC"), None);
    assert_eq!(v["by_status"]["todo"], 1);
    assert_eq!(v["by_status"]["in_progress"], 1);
    assert_eq!(v["by_status"]["done"], 1);
    assert_eq!(v["by_annotator"]["test"], 3);
    assert_eq!(v["review"]["accepted"], 1);
    assert_eq!(v["review"]["fixed"], 1);
    assert_eq!(v["review"]["rejected"], 1);
    assert_eq!(v["review"]["unreviewed"], 1);
    let a = &v["per_article"][0];
    assert_eq!(
        (
            a["article"].as_str(),
            a["spans"].as_u64(),
            a["reviewed"].as_u64()
        ),
        (Some("a.txt"), Some(2), Some(2))
    );
    // The plain report says the same.
    let (_, text, _) = nhan(h.dir.path(), &["stats"]);
    assert!(
        text.contains("review: 1 accepted, 1 fixed, 1 rejected, 1 unreviewed"),
        "{text}"
    );
}

#[test]
fn validate_names_file_line_and_problem() {
    let h = Harness::new(&[("a", "[Hà Nội]{LOC} ok")]);
    assert_eq!(nhan(h.dir.path(), &["validate"]).0, 0);
    let p = h.sidecar_path("a");
    let id = h.on_disk("a").unwrap().spans[0].id;
    let s = std::fs::read_to_string(&p)
        .unwrap()
        .replace("\"text\": \"Hà Nội\"", "\"text\": \"Hà Nam\"");
    std::fs::write(&p, s).unwrap();
    let (code, out, _) = nhan(h.dir.path(), &["validate"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!(
            "a.json:7: span {id}: text \"Hà Nam\" does not match"
        )),
        "{out}"
    );
    std::fs::write(&p, "{\n  \"nhan\": 1,\n  oops\n}").unwrap();
    let (code, out, _) = nhan(h.dir.path(), &["validate"]);
    assert_eq!(code, 1);
    assert!(out.contains("a.json:3:"), "{out}");
}

#[test]
fn usage_errors_exit_2_and_help_works() {
    let d = tempfile::tempdir().unwrap();
    assert_eq!(nhan(d.path(), &["--bogus"]).0, 2);
    assert_eq!(nhan(d.path(), &["stats", "--help"]).0, 0);
    let (code, _, err) = nhan(d.path(), &["stats"]);
    assert_eq!(code, 1);
    assert!(err.contains("no articles/ folder"), "{err}");
}

#[test]
fn validate_checks_every_annotators_sidecars_too() {
    let h = Harness::new(&[("a", "[Hà Nội]{LOC} ok")]);
    let gold = std::fs::read_to_string(h.sidecar_path("a")).unwrap();
    let id = h.on_disk("a").unwrap().spans[0].id;
    let lan = h.dir.path().join("annotations/lan");
    std::fs::create_dir_all(&lan).unwrap();
    std::fs::write(lan.join("a.json"), &gold).unwrap();
    let (code, out, _) = nhan(h.dir.path(), &["validate"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 sidecars"), "{out}");
    // A wrong span in lan's work, and a sidecar for an article that is gone.
    std::fs::write(
        lan.join("a.json"),
        gold.replace("\"end\": 6", "\"end\": 99"),
    )
    .unwrap();
    std::fs::write(lan.join("gone.json"), &gold).unwrap();
    let (code, out, _) = nhan(h.dir.path(), &["validate"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!(
            "lan/a.json:7: span {id}: offsets [0, 99) are outside the text"
        )),
        "{out}"
    );
    assert!(
        out.contains("lan/gone.json: no article articles/gone.txt"),
        "{out}"
    );
}
