//! `stats`, `validate` and `agree` print exactly what they printed before
//! they streamed the project: the goldens in tests/fixtures/scale/golden
//! were captured from the loading versions on the sample project, the export
//! fixture, the agreement fixture and a project full of problems
//! (tests/fixtures/scale/messy). Any change to them must be intended.
//! The sample project is read from a copy (see `support::sample`): trying
//! the program on the repository's own sample does not change these.

mod support;

use std::path::Path;
use std::process::Command;

/// (golden name, project, arguments)
const CASES: &[(&str, &str, &[&str])] = &[
    ("sample-stats-json", ".", &["stats", "--json"]),
    ("sample-stats", ".", &["stats"]),
    ("sample-validate", ".", &["validate"]),
    ("sample-agree-json", ".", &["agree", "--json"]),
    ("sample-agree", ".", &["agree"]),
    (
        "export-stats-json",
        "tests/fixtures/export/project",
        &["stats", "--json"],
    ),
    ("export-stats", "tests/fixtures/export/project", &["stats"]),
    (
        "export-validate",
        "tests/fixtures/export/project",
        &["validate"],
    ),
    (
        "export-agree-json",
        "tests/fixtures/export/project",
        &["agree", "--json"],
    ),
    ("export-agree", "tests/fixtures/export/project", &["agree"]),
    (
        "messy-stats-json",
        "tests/fixtures/scale/messy",
        &["stats", "--json"],
    ),
    ("messy-stats", "tests/fixtures/scale/messy", &["stats"]),
    (
        "messy-validate",
        "tests/fixtures/scale/messy",
        &["validate"],
    ),
    (
        "messy-agree-json",
        "tests/fixtures/scale/messy",
        &["agree", "--json"],
    ),
    ("messy-agree", "tests/fixtures/scale/messy", &["agree"]),
    (
        "three-stats-json",
        "tests/fixtures/agree/three",
        &["stats", "--json"],
    ),
    ("three-stats", "tests/fixtures/agree/three", &["stats"]),
    (
        "three-validate",
        "tests/fixtures/agree/three",
        &["validate"],
    ),
    (
        "three-agree-json",
        "tests/fixtures/agree/three",
        &["agree", "--json"],
    ),
    ("three-agree", "tests/fixtures/agree/three", &["agree"]),
    (
        "three-agree-lan-thu",
        "tests/fixtures/agree/three",
        &["agree", "--annotators", "lan,thu"],
    ),
    (
        "three-agree-json-lan-minh",
        "tests/fixtures/agree/three",
        &["agree", "--json", "--annotators", "minh,lan"],
    ),
];

#[test]
fn reports_match_their_goldens_byte_for_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let golden = root.join("tests/fixtures/scale/golden");
    let sample = support::sample::sample_copy();
    let mut failed = Vec::new();
    for (name, project, args) in CASES {
        // Relative paths in the output stay as they were captured: `.` is
        // the sample, run from its copy; the fixtures from the repository.
        let (cwd, project) = match *project {
            "." => (sample.path(), "."),
            fixture => (root, fixture),
        };
        let out = Command::new(env!("CARGO_BIN_EXE_nhan"))
            .current_dir(cwd)
            .arg("--project")
            .arg(project)
            .args(*args)
            .env("NHAN_CONFIG", root.join("no-such-config"))
            .output()
            .unwrap();
        let read = |ext: &str| std::fs::read(golden.join(format!("{name}.{ext}"))).unwrap();
        let code = String::from_utf8(read("code")).unwrap();
        let want_code: i32 = code.trim().parse().unwrap();
        for (what, got, want) in [
            ("stdout", out.stdout.clone(), read("out")),
            ("stderr", out.stderr.clone(), read("err")),
        ] {
            if got != want {
                failed.push(format!(
                    "{name} {what}:\n--- want\n{}\n--- got\n{}",
                    String::from_utf8_lossy(&want),
                    String::from_utf8_lossy(&got)
                ));
            }
        }
        if out.status.code() != Some(want_code) {
            failed.push(format!(
                "{name}: exit {:?}, want {want_code}",
                out.status.code()
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
