//! The command line: `stats` figures against sidecars built here, and
//! `validate` naming file, line and problem.

mod support;

use serde_json::Value;
use std::process::Command;
use support::Harness;

fn nhan(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    support::run_nhan(dir, args)
}

#[test]
fn stats_json_counts_labels_statuses_annotators_and_review() {
    let mut h = Harness::new(&[
        ("a", "[Lan]{PER} ở [Hà Nội]{LOC} và [Huế]{LOC}"),
        ("b", "[Bộ Ngoại giao]{ORG} họp"),
        ("c", "chưa gắn nhãn"),
    ]);
    h.app.state.config = nhan_tui::app::config::Config {
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

/// Copies a fixture project into a temporary folder.
fn copy_project(from: &std::path::Path) -> tempfile::TempDir {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(e.file_name());
            if e.path().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).unwrap();
            }
        }
    }
    let d = tempfile::tempdir().unwrap();
    copy(from, d.path());
    d
}

fn fixture(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn validate_names_what_export_refuses_and_files_it_cannot_read() {
    let h = Harness::new(&[("a", "[Hà Nội]{LOC} ok"), ("b", "[Huế]{LOC} ok")]);
    let root = h.dir.path();
    std::fs::write(root.join("articles/empty.txt"), "").unwrap();
    std::fs::write(root.join("articles/nul.txt"), "Lan\0 ở Huế\n").unwrap();
    // export refuses both and sends the user to validate...
    let (code, _, err) = nhan(
        root,
        &[
            "export", "--format", "jsonl", "--status", "any", "--out", "-",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("nhan validate"), "{err}");
    // ...which names them.
    let (code, out, _) = nhan(root, &["validate"]);
    assert_eq!(code, 1);
    assert!(out.contains("empty.txt: empty file"), "{out}");
    assert!(out.contains("nul.txt: 1 NUL character"), "{out}");
    std::fs::remove_file(root.join("articles/empty.txt")).unwrap();
    std::fs::remove_file(root.join("articles/nul.txt")).unwrap();

    // A sidecar that is not UTF-8 is not "ok".
    let p = h.sidecar_path("a");
    let latin1: Vec<u8> = std::fs::read_to_string(&p)
        .unwrap()
        .replace("Hà Nội", "H\u{e0} N\u{f4}i")
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    std::fs::write(&p, latin1).unwrap();
    let (code, out, err) = nhan(root, &["validate"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("a.json: ") && out.contains("UTF-8"), "{out}");
    assert!(
        err.contains("1 problem in 2 articles (2 sidecars)"),
        "{err}"
    );

    // Merge-conflict markers are named as such, with what to do.
    let gold = std::fs::read_to_string(h.sidecar_path("b")).unwrap();
    let mut lines: Vec<&str> = gold.lines().collect();
    lines.insert(3, "<<<<<<< HEAD");
    lines.insert(5, "=======");
    lines.insert(6, ">>>>>>> lan");
    std::fs::write(h.sidecar_path("b"), lines.join("\n")).unwrap();
    let (_, out, _) = nhan(root, &["validate"]);
    assert!(
        out.contains("b.json:4: merge conflict in ")
            && out.contains("b.json, line 4")
            && out.contains("git checkout --ours"),
        "{out}"
    );
}

#[test]
fn counts_of_one_are_singular() {
    let h = Harness::new(&[("a", "[Hà Nội]{LOC} ok")]);
    let (code, out, _) = nhan(h.dir.path(), &["validate"]);
    assert_eq!(code, 0);
    assert_eq!(out, "ok: 1 article, 1 sidecar, no problems\n");
    let (_, out, _) = nhan(h.dir.path(), &["stats"]);
    assert!(out.starts_with("1 article, 1 span\n"), "{out}");
    assert!(out.contains(" 1 span 0 reviewed  a.txt"), "{out}");
}

#[test]
fn control_characters_from_user_data_are_shown_escaped() {
    let d = copy_project(&fixture("tests/fixtures/agree/three"));
    let root = d.path();
    // A label holding an ESC sequence, in gold and in lan's work.
    let lan = root.join("annotations/lan/a.json");
    let s = std::fs::read_to_string(&lan)
        .unwrap()
        .replace("\"PER\"", "\"\\u001b[31mPER\\u0007\"");
    std::fs::write(&lan, &s).unwrap();
    std::fs::write(root.join("annotations/a.json"), &s).unwrap();
    for args in [&["stats"][..], &["validate"], &["agree"]] {
        let (_, out, err) = nhan(root, args);
        let all = format!("{out}{err}");
        assert!(
            !all.contains('\x1b') && !all.contains('\x07'),
            "{args:?}: {all}"
        );
        assert!(all.contains("\\u{1b}[31mPER\\u{7}"), "{args:?}: {all}");
    }
    // JSON output escapes them the JSON way.
    let (_, out, _) = nhan(root, &["agree", "--json"]);
    assert!(
        !out.contains('\x1b') && out.contains("\\u001b[31mPER"),
        "{out}"
    );
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let three = fixture("tests/fixtures/agree/three");
    let sample = support::sample::sample_copy();
    let sample = sample.path().to_path_buf();
    let runs: [(&std::path::Path, &[&str]); 6] = [
        (&sample, &["stats"]),
        (&sample, &["stats", "--json"]),
        (&sample, &["validate"]),
        (&three, &["agree"]),
        (&three, &["agree", "--json"]),
        (
            &sample,
            &[
                "export", "--format", "jsonl", "--status", "any", "--out", "-",
            ],
        ),
    ];
    for (project, args) in runs {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_nhan"))
            .arg("--project")
            .arg(project)
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
        use std::os::unix::process::ExitStatusExt;
        assert!(
            out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
            "{args:?}: {:?}",
            out.status
        );
    }
}

/// Help names every export and import format there is (made from the
/// format enums, not written as prose), and an option shows only on the
/// commands it affects.
#[test]
fn help_names_every_format_and_only_the_options_that_apply() {
    let dir = tempfile::tempdir().unwrap();
    let export_formats = [
        "jsonl",
        "conll",
        "brat",
        "hf",
        "conllu",
        "label-studio",
        "prodigy",
    ];
    let import_formats = ["jsonl", "conll", "brat", "label-studio", "prodigy"];
    let (code, top, _) = nhan(dir.path(), &["--help"]);
    assert_eq!(code, 0);
    let line = |help: &str, cmd: &str| {
        help.lines()
            .find(|l| l.trim_start().starts_with(cmd))
            .unwrap_or_else(|| panic!("no {cmd} line in:\n{help}"))
            .to_string()
    };
    let export_line = line(&top, "export");
    for f in export_formats {
        assert!(export_line.contains(f), "{f} missing: {export_line}");
    }
    let import_line = line(&top, "import");
    for f in import_formats {
        assert!(import_line.contains(f), "{f} missing: {import_line}");
    }
    // `--annotator <NAME>`, not agree's `--annotators <ANNOTATORS>`.
    let offers_annotator = |help: &str| help.contains("--annotator <");
    assert!(offers_annotator(&top), "the TUI takes --annotator:\n{top}");
    for (cmd, formats) in [
        ("export", &export_formats[..]),
        ("import", &import_formats[..]),
    ] {
        let (code, help, _) = nhan(dir.path(), &[cmd, "--help"]);
        assert_eq!(code, 0);
        for f in formats {
            assert!(help.contains(f), "{cmd} --help lacks {f}:\n{help}");
        }
    }
    for cmd in [
        "stats",
        "validate",
        "export",
        "import",
        "agree",
        "git-setup",
    ] {
        let (_, help, _) = nhan(dir.path(), &[cmd, "--help"]);
        assert!(
            !offers_annotator(&help),
            "{cmd} makes no spans, yet its help offers --annotator:\n{help}"
        );
    }
    let (_, help, _) = nhan(dir.path(), &["suggest", "--help"]);
    assert!(offers_annotator(&help), "{help}");
}
