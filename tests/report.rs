//! `nhan report --out FILE.html`: one page that needs nothing else, with
//! the figures `stats --json` prints (the browser check is
//! scripts/report/check.sh).

mod support;

use std::path::Path;
use std::process::Command;

#[test]
fn the_sample_report_is_one_small_page_with_the_stats_figures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = support::project::copy_of(root, &["articles", "annotations", "nhan.toml"]);
    let out = dir.path().join("report.html");
    let run = Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(dir.path())
        .args(["report", "--out"])
        .arg(&out)
        .env("NHAN_CONFIG", dir.path().join("no-config"))
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.len() < 200 * 1024, "{} bytes", html.len());
    // Nothing runs, nothing is fetched.
    for bad in ["<script", "http://", "https://", "src=", "@import", "url("] {
        assert!(!html.contains(bad), "{bad} in the page");
    }
    let name = dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(html.contains(&format!("<h1>{name}</h1>")));
    assert!(html.contains("2026-05-28"), "the date of SOURCE_DATE_EPOCH");
    // The figures of `stats --json`: ORG's 275 spans, 5 reviewed articles.
    assert!(html.contains(">275 (0 articles without)<"), "ORG's bar");
    assert!(html.contains("reviewed 5"));
    assert!(html.matches("<svg").count() >= 3);
}

#[test]
fn an_unwritable_report_names_the_file_and_what_to_do() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = support::project::copy_of(root, &["articles", "nhan.toml"]);
    // A folder is where the page should go: it cannot be replaced.
    let out = dir.path().join("articles");
    let run = Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(dir.path())
        .args(["report", "--out"])
        .arg(&out)
        .env("NHAN_CONFIG", dir.path().join("no-config"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("articles") && err.contains("--out"), "{err}");
}
