//! Export and import through the library entry points, on the hand-made
//! project in tests/fixtures/export/project: NFD text, an emoji, a nested
//! span, two adjacent LOC spans (where IOB1 and IOB2 differ), a span that
//! ends the text, a span inside a token, CRLF line ends, and articles in
//! every status.
//!
//! Golden files are insta snapshots in tests/fixtures/export/golden/<case>/
//! (binary snapshots: byte for byte). After an intended change, review them
//! with `cargo insta review`, or accept them all with
//! `INSTA_UPDATE=always cargo test --test export_formats` and review the
//! diff like code.

use clap::Parser;
use nhan_formats::{ExportArgs, ImportArgs, export_with, import_with};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
struct ExportCli {
    #[command(flatten)]
    a: ExportArgs,
}

#[derive(Parser)]
struct ImportCli {
    #[command(flatten)]
    a: ImportArgs,
}

fn export_args(v: &[&str]) -> ExportArgs {
    ExportCli::try_parse_from(std::iter::once("nhan").chain(v.iter().copied()))
        .unwrap()
        .a
}

fn import_args(v: &[&str]) -> ImportArgs {
    ImportCli::try_parse_from(std::iter::once("nhan").chain(v.iter().copied()))
        .unwrap()
        .a
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export/project")
}

fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export/golden")
}

struct Run {
    code: ExitCode,
    stdout: Vec<u8>,
    stderr: String,
}

fn export(project: &Path, v: &[&str]) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = match export_with(project, &export_args(v), &mut out, &mut err) {
        Ok(c) => c,
        Err(e) => {
            err.extend_from_slice(format!("nhan export: {e}\n").as_bytes());
            ExitCode::from(1)
        }
    };
    Run {
        code,
        stdout: out,
        stderr: String::from_utf8(err).unwrap(),
    }
}

fn import(project: &Path, v: &[&str]) -> Run {
    let mut err = Vec::new();
    let code = match import_with(project, &import_args(v), &mut err) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            err.extend_from_slice(format!("nhan import: {e}\n").as_bytes());
            ExitCode::from(1)
        }
    };
    Run {
        code,
        stdout: Vec::new(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

/// Every file under `dir`, as (relative path, bytes), sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// Compares `actual` (a folder) and the report with the golden case: insta
/// snapshots in tests/fixtures/export/golden/<case>/, one a file, stored and
/// compared byte for byte (binary snapshots: CRLF and NFD stay as written),
/// and the list of files, so that a file gained or lost shows too.
fn check_golden(case: &str, actual: &Path, report: &str) {
    let report = report.replace(&actual.display().to_string(), "OUT");
    let files = tree(actual);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(golden_root().join(case));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        let list: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        insta::assert_snapshot!("files", list.join("\n"));
        insta::assert_binary_snapshot!("report.txt", report.into_bytes());
        for (rel, bytes) in files {
            // Parts' folders (`train/x.ann`) flattened into the name, which
            // keeps the extension in it too (`x.txt` and `x.ann` differ).
            let ext = rel.rsplit_once('.').map_or("bin", |(_, e)| e);
            let name = format!("{}.{ext}", rel.replace('/', "__").replace('.', "_"));
            insta::assert_binary_snapshot!(name.as_str(), bytes);
        }
    });
}

/// Exports the fixture with `opts`, checks the golden case, and returns
/// the files written (relative path, bytes).
fn golden_case(case: &str, opts: &[&str]) -> Vec<(String, Vec<u8>)> {
    golden_case_of(&fixture(), case, opts)
}

/// [`golden_case`] for another project than the export fixture.
fn golden_case_of(project: &Path, case: &str, opts: &[&str]) -> Vec<(String, Vec<u8>)> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut v = opts.to_vec();
    let o = out.display().to_string();
    v.extend(["--out", &o]);
    let r = export(project, &v);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    check_golden(case, &out, &r.stderr);
    tree(&out)
}

/// The text of the file `name` among `files`.
fn file_text(files: &[(String, Vec<u8>)], name: &str) -> String {
    let f = files
        .iter()
        .find(|f| f.0 == name)
        .unwrap_or_else(|| panic!("no {name}"));
    String::from_utf8(f.1.clone()).unwrap()
}

#[test]
fn golden_jsonl() {
    golden_case("jsonl", &["--format", "jsonl"]);
}

#[test]
fn golden_conll_iob2() {
    golden_case("conll-iob2", &["--format", "conll"]);
}

#[test]
fn golden_conll_iob1() {
    golden_case("conll-iob1", &["--format", "conll", "--scheme", "iob1"]);
}

#[test]
fn golden_conll_bioes() {
    golden_case("conll-bioes", &["--format", "conll", "--scheme", "bioes"]);
}

#[test]
fn golden_brat() {
    golden_case("brat", &["--format", "brat"]);
}

#[test]
fn golden_hf() {
    golden_case("hf", &["--format", "hf"]);
}

/// Every format over spans with a reviewer, a note with quotes and
/// attributes, and an article note: the JSON formats write these members by
/// hand, byte for byte as serde_json wrote them (the goldens were made by
/// the serde_json version).
#[test]
fn golden_notes_reviews_and_attributes_in_every_format() {
    let notes = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notes/project");
    for format in [
        "jsonl",
        "conll",
        "conllu",
        "brat",
        "hf",
        "label-studio",
        "prodigy",
    ] {
        golden_case_of(&notes, &format!("notes-{format}"), &["--format", format]);
    }
}

#[test]
fn golden_split_and_labels() {
    golden_case(
        "jsonl-split-any-loc",
        &[
            "--format",
            "jsonl",
            "--status",
            "any",
            "--split",
            "0.5,0.25,0.25",
            "--seed",
            "3",
            "--labels",
            "LOC",
        ],
    );
}

#[test]
fn golden_brat_split() {
    golden_case(
        "brat-split-done",
        &["--format", "brat", "--status", "done", "--split", "0.5,0.5"],
    );
}

#[test]
fn the_loss_report_names_every_span_a_flat_format_cannot_hold() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().join("o").display().to_string();
    let r = export(&fixture(), &["--format", "conll", "--out", &o]);
    assert_eq!(r.code, ExitCode::SUCCESS);
    // The nested LOC inside the ORG, and HCM inside the token TP.HCM.
    assert!(
        r.stderr.contains("conll cannot hold 2 of 9 spans"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("articles/a-nfd.txt [64, 91) LOC"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nested in ORG [45, 91)"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("[99, 102) LOC \"HCM\": an edge falls inside the token \"TP.HCM\""),
        "{}",
        r.stderr
    );
    // jsonl and brat hold everything.
    let r = export(&fixture(), &["--format", "brat", "--out", &format!("{o}2")]);
    assert!(!r.stderr.contains("loss report"), "{}", r.stderr);
}

#[test]
fn strict_turns_losses_into_exit_1_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = out.display().to_string();
    let r = export(&fixture(), &["--format", "hf", "--strict", "--out", &o]);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(r.stderr.contains("--strict: 2 span(s)"), "{}", r.stderr);
    assert!(!out.exists());
    // Without the spans that cannot be held, strict passes.
    let r = export(
        &fixture(),
        &[
            "--format", "hf", "--strict", "--labels", "PER,ORG", "--out", &o,
        ],
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
}

#[test]
fn status_filter_always_reports_what_it_left_out() {
    let run = |s: &str| {
        export(
            &fixture(),
            &["--format", "jsonl", "--status", s, "--out", "-"],
        )
    };
    let r = run("reviewed");
    assert!(
        r.stderr
            .contains("left out 2 articles by status: 1 todo, 1 done"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout.iter().filter(|&&b| b == b'\n').count(), 2);
    let r = run("done");
    assert!(
        r.stderr.contains("left out 1 articles by status: 1 todo"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout.iter().filter(|&&b| b == b'\n').count(), 3);
    let r = run("any");
    assert!(r.stderr.contains("left out 0 articles"), "{}", r.stderr);
    assert_eq!(r.stdout.iter().filter(|&&b| b == b'\n').count(), 4);
}

#[test]
fn stdout_gets_exactly_the_one_file_and_refuses_many() {
    let r = export(&fixture(), &["--format", "conll", "--out", "-"]);
    assert_eq!(r.code, ExitCode::SUCCESS);
    let golden = std::fs::read(golden_root().join("conll-iob2/data_conll.snap.conll")).unwrap();
    assert_eq!(r.stdout, golden);
    for f in ["hf", "brat"] {
        let r = export(&fixture(), &["--format", f, "--out", "-"]);
        assert_eq!(r.code, ExitCode::from(1), "{f}");
        assert!(r.stderr.contains("give a folder"), "{}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    let r = export(
        &fixture(),
        &["--format", "jsonl", "--split", "0.8,0.2", "--out", "-"],
    );
    assert_eq!(r.code, ExitCode::from(1));
}

#[test]
fn unknown_label_is_refused_and_a_foreign_folder_is_never_written_into() {
    let r = export(
        &fixture(),
        &["--format", "jsonl", "--labels", "PERSON", "--out", "-"],
    );
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.stderr.contains("PERSON is not a label of this project"),
        "{}",
        r.stderr
    );

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("thesis.tex"), "mine").unwrap();
    let o = tmp.path().display().to_string();
    let r = export(&fixture(), &["--format", "brat", "--out", &o]);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(r.stderr.contains("not empty"), "{}", r.stderr);
    assert_eq!(tree(tmp.path()).len(), 1);
}

#[test]
fn a_second_export_replaces_the_first_without_stale_files() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().join("o").display().to_string();
    let r = export(
        &fixture(),
        &["--format", "brat", "--status", "any", "--out", &o],
    );
    assert_eq!(r.code, ExitCode::SUCCESS);
    let r = export(&fixture(), &["--format", "brat", "--out", &o]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    let names: Vec<String> = tree(Path::new(&o)).into_iter().map(|x| x.0).collect();
    assert!(!names.iter().any(|n| n.starts_with("d-todo")), "{names:?}");
    assert!(names.iter().any(|n| n == "a-nfd.ann"), "{names:?}");
}

#[test]
fn split_is_deterministic_by_article() {
    let run = |seed: &str| {
        let r = export(
            &fixture(),
            &[
                "--format", "jsonl", "--status", "any", "--split", "0.5,0.5", "--seed", seed,
                "--out", "-",
            ],
        );
        r.stderr
    };
    // --out - refuses split output, and says only that (no "exported ..."
    // line before the error).
    let err = run("1");
    assert!(err.contains("nothing was exported"), "{err}");
    assert!(!err.contains("exported 4"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let r = export(
        &fixture(),
        &["--format", "brat", "--status", "any", "--out", "-"],
    );
    assert_ne!(r.code, ExitCode::SUCCESS);
    assert!(
        r.stderr.contains("--out -: brat writes") && !r.stderr.contains("articles with"),
        "{}",
        r.stderr
    );
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    for d in [&a, &b] {
        let o = d.display().to_string();
        export(
            &fixture(),
            &[
                "--format", "conll", "--status", "any", "--split", "0.5,0.5", "--seed", "9",
                "--out", &o,
            ],
        );
    }
    assert_eq!(tree(&a), tree(&b));
}

/// A project folder holding only the fixture's schema.
fn empty_project() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(fixture().join("nhan.toml"), d.path().join("nhan.toml")).unwrap();
    d
}

fn round_trip(format: &str, data_file: Option<&str>) {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    let second = tmp.path().join("second");
    let f1 = first.display().to_string();
    let r = export(
        &fixture(),
        &["--format", format, "--status", "any", "--out", &f1],
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);

    let p = empty_project();
    let input = match data_file {
        Some(f) => first.join(f).display().to_string(),
        None => f1.clone(),
    };
    // The decisions travel with the spans, except in doccano's format.
    let r = import(p.path(), &["--format", format, "--reviewer", "lan", &input]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);

    let r = export(
        p.path(),
        &[
            "--format",
            format,
            "--status",
            "any",
            "--out",
            &second.display().to_string(),
        ],
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    let (a, b) = (tree(&first), tree(&second));
    assert_eq!(a.len(), b.len());
    for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{format}: {na} changed in the round trip");
    }
    // The articles themselves came back byte for byte.
    for a in ["a-nfd.txt", "b-crlf.txt", "c-done.txt", "d-todo.txt"] {
        assert_eq!(
            std::fs::read(p.path().join("articles").join(a)).unwrap(),
            std::fs::read(fixture().join("articles").join(a)).unwrap(),
            "{a}"
        );
    }
}

#[test]
fn jsonl_round_trip_is_byte_identical() {
    round_trip("jsonl", Some("data.jsonl"));
}

#[test]
fn brat_round_trip_is_byte_identical() {
    round_trip("brat", None);
}

#[test]
fn jsonl_round_trip_keeps_status_and_annotators_in_the_sidecars() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().join("o");
    export(
        &fixture(),
        &[
            "--format",
            "jsonl",
            "--status",
            "any",
            "--out",
            &o.display().to_string(),
        ],
    );
    let p = empty_project();
    import(
        p.path(),
        &[
            "--format",
            "jsonl",
            "--reviewer",
            "lan",
            &o.join("data.jsonl").display().to_string(),
        ],
    );
    for stem in ["a-nfd", "b-crlf", "c-done"] {
        let mine =
            std::fs::read_to_string(p.path().join(format!("annotations/{stem}.json"))).unwrap();
        let orig =
            std::fs::read_to_string(fixture().join(format!("annotations/{stem}.json"))).unwrap();
        // Import gives spans fresh (merge-safe) ids: everything else is
        // byte for byte the same.
        assert_eq!(without_ids(&mine), without_ids(&orig), "{stem}");
    }
}

/// The sidecar with every span id blanked.
fn without_ids(sidecar: &str) -> String {
    sidecar
        .split("{\"id\": ")
        .enumerate()
        .map(|(i, piece)| {
            if i == 0 {
                piece.to_string()
            } else {
                format!(
                    "{{\"id\": _{}",
                    piece.trim_start_matches(|c: char| c.is_ascii_digit())
                )
            }
        })
        .collect()
}

#[test]
fn conll_import_reads_every_scheme_back_to_the_same_entities() {
    let want = [
        ("PER", "Nguyễn Phú Trọng"),
        ("ORG", "Ủy ban nhân dân Thành phố Hồ Chí Minh"),
        ("LOC", "Việt Nam"),
        ("LOC", "Lào"),
    ];
    for scheme in ["iob2", "iob1", "bioes"] {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("data.conll");
        let r = export(
            &fixture(),
            &["--format", "conll", "--scheme", scheme, "--out", "-"],
        );
        std::fs::write(&file, &r.stdout).unwrap();
        let p = empty_project();
        let r = import(
            p.path(),
            &["--format", "conll", &file.display().to_string()],
        );
        assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
        let sc = std::fs::read_to_string(p.path().join("annotations/data-001.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&sc).unwrap();
        let got: Vec<(String, String)> = v["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["label"].as_str().unwrap().into(),
                    s["text"].as_str().unwrap().into(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(l, t)| {
                (
                    l.to_string(),
                    unicode_normalization::UnicodeNormalization::nfd(*t).collect(),
                )
            })
            .collect();
        assert_eq!(got, want, "{scheme}");
        assert_eq!(v["status"], "done");
    }
}

#[test]
fn doccano_entities_variant_imports() {
    let p = empty_project();
    let f = p.path().join("in.jsonl");
    std::fs::write(
        &f,
        concat!(
            r#"{"id": 7, "text": "Bà Hằng ở Hà Nội 👍 nhé", "entities": [{"id": 1, "label": "PER", "start_offset": 3, "end_offset": 7}, {"id": 2, "label": "LOC", "start_offset": 10, "end_offset": 16}], "relations": []}"#,
            "\n"
        ),
    )
    .unwrap();
    let r = import(
        p.path(),
        &[
            "--format",
            "jsonl",
            "--status",
            "reviewed",
            "--reviewer",
            "lan",
            &f.display().to_string(),
        ],
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    let sc = std::fs::read_to_string(p.path().join("annotations/in-7.json")).unwrap();
    assert!(sc.contains(r#""status": "reviewed""#), "{sc}");
    assert!(sc.contains(r#""text": "Hà Nội""#), "{sc}");
}

#[test]
fn import_refuses_offsets_that_do_not_match_naming_file_and_line() {
    let p = empty_project();
    let f = p.path().join("bad.jsonl");
    std::fs::write(
        &f,
        "{\"text\": \"Hà Nội\", \"label\": [[0, 6, \"LOC\"]]}\n\n{\"text\": \"Hà Nội\", \"label\": [[0, 9, \"LOC\"]]}\n",
    )
    .unwrap();
    let r = import(p.path(), &["--format", "jsonl", &f.display().to_string()]);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.stderr
            .contains("bad.jsonl:3: LOC [0, 9): the offsets are outside the text"),
        "{}",
        r.stderr
    );
    assert!(
        !p.path().join("articles").exists(),
        "nothing may be written"
    );

    // An NFD letter split from its accent.
    std::fs::write(
        &f,
        "{\"text\": \"Ha\u{300} Nội\", \"label\": [[0, 2, \"LOC\"]]}\n",
    )
    .unwrap();
    let r = import(p.path(), &["--format", "jsonl", &f.display().to_string()]);
    assert!(
        r.stderr
            .contains("bad.jsonl:1: LOC [0, 2): an edge splits a character"),
        "{}",
        r.stderr
    );

    // brat whose text column disagrees with the offsets.
    let d = p.path().join("brat");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("x.txt"), "Bà Hằng ở Hà Nội").unwrap();
    std::fs::write(d.join("x.ann"), "T1\tPER 3 7\tHằng\nT2\tLOC 9 15\tHà Nội\n").unwrap();
    let r = import(p.path(), &["--format", "brat", &d.display().to_string()]);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(r.stderr.contains("x.ann:2: LOC [9, 15): the input says the span holds \"Hà Nội\" but the text has \" Hà Nộ\""), "{}", r.stderr);

    // conll with a broken BIOES sequence.
    let c = p.path().join("x.conll");
    std::fs::write(&c, "Hà B-LOC\nNội S-LOC\n").unwrap();
    let r = import(p.path(), &["--format", "conll", &c.display().to_string()]);
    assert!(r.stderr.contains("x.conll:2:"), "{}", r.stderr);
    std::fs::write(&c, "Hà B-LOC\nNội E-LOC\nxa\n").unwrap();
    let r = import(p.path(), &["--format", "conll", &c.display().to_string()]);
    assert!(
        r.stderr.contains("x.conll:3: \"xa\" has no tag column"),
        "{}",
        r.stderr
    );
    assert!(!p.path().join("annotations").exists());
}

#[test]
fn import_never_overwrites_without_force() {
    let p = empty_project();
    let f = p.path().join("in.jsonl");
    std::fs::write(
        &f,
        "{\"id\": \"x\", \"text\": \"Hà Nội\", \"label\": [[0, 6, \"LOC\"]]}\n",
    )
    .unwrap();
    let fs = f.display().to_string();
    assert_eq!(
        import(p.path(), &["--format", "jsonl", &fs]).code,
        ExitCode::SUCCESS
    );
    let before = std::fs::read(p.path().join("annotations/x.json")).unwrap();
    std::fs::write(
        &f,
        "{\"id\": \"x\", \"text\": \"Hà Nội\", \"label\": [[0, 2, \"PER\"]]}\n",
    )
    .unwrap();
    let r = import(p.path(), &["--format", "jsonl", &fs]);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(r.stderr.contains("x.json exists"), "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(
        std::fs::read(p.path().join("annotations/x.json")).unwrap(),
        before
    );
    let r = import(p.path(), &["--format", "jsonl", "--force", &fs]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    assert!(
        std::fs::read_to_string(p.path().join("annotations/x.json"))
            .unwrap()
            .contains("PER")
    );
}

#[test]
fn brat_spans_across_a_line_break_are_fragments_and_come_back_whole() {
    let p = empty_project();
    std::fs::create_dir_all(p.path().join("articles")).unwrap();
    std::fs::create_dir_all(p.path().join("annotations")).unwrap();
    let d = p.path().join("in");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("m.txt"), "Ban Đối ngoại\nTrung ương họp").unwrap();
    std::fs::write(
        d.join("m.ann"),
        // An event: a kind of line nhan does not import (it says so).
        "T1\tORG 0 13;14 24\tBan Đối ngoại Trung ương\nE1\tMeeting:T1\n",
    )
    .unwrap();
    let r = import(p.path(), &["--format", "brat", &d.display().to_string()]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 line(s) that are not entities"),
        "{}",
        r.stderr
    );
    let sc = std::fs::read_to_string(p.path().join("annotations/m.json")).unwrap();
    assert!(sc.contains(r#""start": 0, "end": 24"#), "{sc}");
    let r = export(
        p.path(),
        &[
            "--format",
            "brat",
            "--status",
            "any",
            "--out",
            &p.path().join("o").display().to_string(),
        ],
    );
    assert_eq!(r.code, ExitCode::SUCCESS);
    assert_eq!(
        std::fs::read_to_string(p.path().join("o/m.ann")).unwrap(),
        "T1\tORG 0 13;14 24\tBan Đối ngoại Trung ương\n"
    );
}

#[test]
fn hf_tags_of_added_labels_index_the_label_file_and_undeclared_ones_are_refused() {
    // Two labels added by the import, met in the opposite of their sorted
    // order.
    let p = empty_project();
    let input = p.path().join("in.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"id": "a", "text": "Lan gặp Zeta ở Huế", "label": [[0, 3, "PER"], [8, 12, "ZZZ"]]}"#,
            "\n",
            r#"{"id": "b", "text": "Alpha và Huế", "label": [[0, 5, "AAA"], [9, 12, "LOC"]]}"#,
            "\n"
        ),
    )
    .unwrap();
    let r = import(
        p.path(),
        &[
            "--format",
            "jsonl",
            "--status",
            "reviewed",
            "--reviewer",
            "lan",
            "--add-labels",
            &input.display().to_string(),
        ],
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let r = export(
        p.path(),
        &["--format", "hf", "--out", &out.display().to_string()],
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    let names: Vec<String> = std::fs::read_to_string(out.join("labels.txt"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        names[names.len() - 4..],
        ["B-AAA", "I-AAA", "B-ZZZ", "I-ZZZ"]
    );
    let data = std::fs::read_to_string(out.join("data.jsonl")).unwrap();
    let mut tagged: Vec<(String, String)> = Vec::new();
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for (t, n) in v["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .zip(v["ner_tags"].as_array().unwrap())
        {
            tagged.push((
                t.as_str().unwrap().into(),
                names[n.as_u64().unwrap() as usize].clone(),
            ));
        }
    }
    let want = [
        ("Lan", "B-PER"),
        ("gặp", "O"),
        ("Zeta", "B-ZZZ"),
        ("ở", "O"),
        ("Huế", "O"),
        ("Alpha", "B-AAA"),
        ("và", "O"),
        ("Huế", "B-LOC"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(tagged, want);
    // Nothing of the first pass is left in the folder.
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["README.md", "data.jsonl", "labels.txt", "nhan-export.json"]
    );
    // The schema as it was before the import: both labels are outside it,
    // which `validate` rejects, and so does the export, naming each article.
    std::fs::copy(fixture().join("nhan.toml"), p.path().join("nhan.toml")).unwrap();
    let again = tmp.path().join("again");
    let r = export(
        p.path(),
        &["--format", "hf", "--out", &again.display().to_string()],
    );
    assert_eq!(r.code, ExitCode::from(1), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("2 articles cannot be exported as they are")
            && r.stderr.contains("label ZZZ is not in nhan.toml")
            && r.stderr.contains("label AAA is not in nhan.toml"),
        "{}",
        r.stderr
    );
    assert!(!again.join("data.jsonl").exists());
}

#[test]
fn golden_conllu_iob2() {
    golden_case("conllu-iob2", &["--format", "conllu"]);
}

#[test]
fn golden_conllu_bioes_writes_spacy_l_and_u() {
    let files = golden_case("conllu-bioes", &["--format", "conllu", "--scheme", "bioes"]);
    let out = file_text(&files, "data.conllu");
    assert!(out.contains("NE=U-") && out.contains("NE=L-"), "{out}");
    assert!(!out.contains("NE=E-") && !out.contains("NE=S-"), "{out}");
}

#[test]
fn golden_label_studio() {
    golden_case("label-studio", &["--format", "label-studio"]);
}

#[test]
fn golden_prodigy() {
    golden_case("prodigy", &["--format", "prodigy"]);
}

#[test]
fn golden_hf_split_card_names_each_split() {
    let files = golden_case(
        "hf-split-any",
        &[
            "--format",
            "hf",
            "--status",
            "any",
            "--split",
            "0.5,0.25,0.25",
            "--seed",
            "3",
        ],
    );
    let card = file_text(&files, "README.md");
    assert!(
        card.contains("- split: train\n    path: 'train.jsonl'"),
        "{card}"
    );
    assert!(
        card.contains("- split: validation\n    path: 'dev.jsonl'"),
        "{card}"
    );
}

#[test]
fn label_studio_round_trip_is_byte_identical() {
    round_trip("label-studio", Some("data.json"));
}

#[test]
fn prodigy_round_trip_is_byte_identical() {
    round_trip("prodigy", Some("data.jsonl"));
}

/// Imports `content` written to a file named `name` into an empty project.
fn import_text(
    format: &str,
    name: &str,
    content: &str,
    extra: &[&str],
) -> (tempfile::TempDir, Run) {
    let p = empty_project();
    let input = p.path().join(name);
    std::fs::write(&input, content).unwrap();
    let path = input.display().to_string();
    let mut v = vec!["--format", format];
    v.extend(extra);
    v.push(&path);
    let r = import(p.path(), &v);
    (p, r)
}

#[test]
fn label_studio_predictions_wait_for_suggestions() {
    let task = r#"[{"id": 7, "data": {"text": "Lan ở Huế"}, "annotations": [],
        "predictions": [{"model_version": "v1", "score": 0.9, "result": [{"id": "a", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 3, "labels": ["PER"]}}]}]}]"#;
    let (p, r) = import_text("label-studio", "ls.json", task, &[]);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.stderr.contains("ls.json: task 1: holds predictions"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("suggestions"), "{}", r.stderr);
    assert!(!p.path().join("articles").exists());
}

#[test]
fn label_studio_import_reads_the_one_annotation_and_notes_what_it_skips() {
    let task = r#"[{"id": 7, "data": {"text": "Lan ở Huế"}, "annotations": [
        {"was_cancelled": true, "result": []},
        {"result": [
            {"id": "a", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 3, "text": "Lan", "labels": ["PER"]}},
            {"id": "b", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 6, "end": 9, "text": "Huế", "labels": ["LOC"]}},
            {"id": "c", "from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["politics"]}}
        ]}]}]"#;
    let (p, r) = import_text("label-studio", "ls.json", task, &[]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    assert!(r.stderr.contains("1 cancelled"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("1 result(s) that are not text labels or relations"),
        "{}",
        r.stderr
    );
    let sc = std::fs::read_to_string(p.path().join("annotations/ls-7.json")).unwrap();
    assert!(sc.contains(r#""label": "PER", "text": "Lan""#), "{sc}");
    assert!(sc.contains(r#""label": "LOC", "text": "Huế""#), "{sc}");

    let two = r#"[{"data": {"text": "Lan"}, "annotations": [{"result": []}, {"result": []}]}]"#;
    let (_p, r) = import_text("label-studio", "two.json", two, &[]);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.stderr.contains("two.json: task 1: has 2 annotations"),
        "{}",
        r.stderr
    );
}

#[test]
fn prodigy_rejects_become_rejections_and_ignores_are_counted() {
    let lines = concat!(
        r#"{"text": "Lan ở Huế", "spans": [{"start": 0, "end": 3, "label": "PER"}], "answer": "accept", "meta": {"article": "a"}}"#,
        "\n",
        r#"{"text": "Minh ở Vinh", "spans": [{"start": 0, "end": 4, "label": "LOC"}], "answer": "reject", "meta": {"article": "b"}}"#,
        "\n",
        r#"{"text": "Ai đó", "spans": [], "answer": "ignore"}"#,
        "\n",
    );
    let (p, r) = import_text("prodigy", "pd.jsonl", lines, &[]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("1 task(s) answered \"ignore\" were skipped"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("with 1 spans and 1 rejected spans"),
        "{}",
        r.stderr
    );
    let b = std::fs::read_to_string(p.path().join("annotations/b.json")).unwrap();
    assert!(b.contains("\"spans\": []"), "{b}");
    assert!(
        b.contains(r#""label": "LOC", "text": "Minh", "review": "rejected""#),
        "{b}"
    );
    assert!(!p.path().join("articles/pd-3.txt").exists());
}

#[test]
fn utf16_offsets_are_detected_and_converted_on_request() {
    // "😀 Lan": Lan is at code points 2..5, UTF-16 units 3..6.
    let line = r#"[{"data": {"text": "😀 Lan ở Huế", "article": "e"}, "annotations": [{"result": [{"id": "a", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 3, "end": 6, "text": "Lan", "labels": ["PER"]}}]}]}]"#;
    let (p, r) = import_text("label-studio", "u.json", line, &[]);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.stderr.contains("u.json: task 1 result \"a\": PER [3, 6)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--offsets utf16"), "{}", r.stderr);
    assert!(!p.path().join("annotations").exists());

    let (p, r) = import_text("label-studio", "u.json", line, &["--offsets", "utf16"]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    let sc = std::fs::read_to_string(p.path().join("annotations/e.json")).unwrap();
    assert!(
        sc.contains(r#""start": 2, "end": 5, "label": "PER", "text": "Lan""#),
        "{sc}"
    );

    // An offset inside the emoji's surrogate pair cannot be converted.
    let bad = line.replace(r#""start": 3"#, r#""start": 1"#);
    let (_p, r) = import_text("label-studio", "u.json", &bad, &["--offsets", "utf16"]);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.stderr.contains("falls inside a character"),
        "{}",
        r.stderr
    );
}

#[test]
fn exact_duplicate_spans_are_merged_with_a_note() {
    // doccano's own test file holds [[0, 1, "LOC"], [0, 1, "LOC"]].
    let line = r#"{"id": "d", "text": "Huế đẹp", "label": [[0, 3, "LOC"], [0, 3, "LOC"]]}"#;
    let (p, r) = import_text("jsonl", "dup.jsonl", line, &[]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("dup.jsonl:1: LOC [0, 3) is given again (first at"),
        "{}",
        r.stderr
    );
    let sc = std::fs::read_to_string(p.path().join("annotations/d.json")).unwrap();
    assert_eq!(sc.matches("\"label\": \"LOC\"").count(), 1, "{sc}");
}

#[test]
fn many_losses_are_counted_in_the_manifest_and_listed_in_their_own_file() {
    // 25 spans nested in one ORG: conll keeps the ORG and loses the rest.
    let words: Vec<String> = (0..25).map(|i| format!("Tỉnh{i}")).collect();
    let text = words.join(" ");
    let mut label = vec![format!("[0, {}, \"ORG\"]", text.chars().count())];
    let mut at = 0;
    for w in &words {
        let n = w.chars().count();
        label.push(format!("[{at}, {}, \"LOC\"]", at + n));
        at += n + 1;
    }
    let line = format!(
        r#"{{"id": "many", "text": "{text}", "label": [{}], "status": "reviewed"}}"#,
        label.join(", ")
    );
    let (p, r) = import_text("jsonl", "many.jsonl", &line, &["--reviewer", "lan"]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let r = export(
        p.path(),
        &["--format", "conll", "--out", &out.display().to_string()],
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot hold 25 of 26 spans"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("nested in ORG").count(),
        20,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "  ... and 5 more (every one is listed in {}/nhan-lost.jsonl)",
            out.display()
        )),
        "{}",
        r.stderr
    );
    let listed = std::fs::read_to_string(out.join("nhan-lost.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = listed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 25);
    assert!(
        lines
            .iter()
            .all(|l| l["kind"] == "nested" && l["label"] == "LOC")
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("nhan-export.json")).unwrap()).unwrap();
    assert_eq!(m["lost"]["spans"], 25);
    assert_eq!(m["lost"]["by_reason"]["nested"], 25);
    assert_eq!(m["lost"]["by_label"]["LOC"], 25);
    assert_eq!(m["lost"]["file"], "nhan-lost.jsonl");

    // A second export without losses leaves no stale list behind.
    let r = export(
        p.path(),
        &["--format", "jsonl", "--out", &out.display().to_string()],
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    assert!(!out.join("nhan-lost.jsonl").exists());
}

#[test]
fn split_ratios_must_be_positive_and_sum_to_one() {
    for bad in ["0.5,0.6", "0.9,0.9,0.9", "8,1,1", "0.9,0.1,0"] {
        let Err(e) =
            ExportCli::try_parse_from(["nhan", "--format", "jsonl", "--out", "o", "--split", bad])
        else {
            panic!("--split {bad} was accepted");
        };
        assert_eq!(e.exit_code(), 2, "{bad}: {e}");
        assert!(e.to_string().contains("--split"), "{bad}: {e}");
    }
}

#[test]
fn a_split_that_leaves_a_part_empty_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().join("o").display().to_string();
    let r = export(
        &fixture(),
        &[
            "--format",
            "jsonl",
            "--status",
            "any",
            "--split",
            "0.8,0.1,0.1",
            "--out",
            &o,
        ],
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "warning: --split 0.8,0.1,0.1 leaves the test part empty (4 articles to split)"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("leaves the dev part"), "{}", r.stderr);
}

#[test]
fn doccano_relations_are_read_and_unread_fields_are_named_on_import() {
    // doccano's relation-extraction export; `lives_in` is no relation type
    // of the project: refused by file, line and place in the list.
    let line = r#"{"id": 3, "text": "Lan ở Huế", "entities": [{"id": 1, "label": "PER", "start_offset": 0, "end_offset": 3}, {"id": 2, "label": "LOC", "start_offset": 6, "end_offset": 9}], "relations": [{"id": 0, "from_id": 1, "to_id": 2, "type": "lives_in"}], "Comments": []}"#;
    let (p, r) = import_text("jsonl", "rel.jsonl", line, &[]);
    assert_eq!(r.code, ExitCode::from(1), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("rel.jsonl:1 relations[0]: relation type lives_in is not in nhan.toml"),
        "{}",
        r.stderr
    );
    assert!(!p.path().join("annotations").exists());
    let line = line.replace(
        r#"[{"id": 0, "from_id": 1, "to_id": 2, "type": "lives_in"}]"#,
        "[]",
    );
    let (_p, r) = import_text("jsonl", "rel.jsonl", &line, &[]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("fields nhan does not read were not imported: Comments"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("with 2 spans"), "{}", r.stderr);
}

#[test]
fn conll_columns_between_token_and_tag_are_named_on_import() {
    let src = "Lan NNP B-NP B-PER\nở IN B-PP O\nHuế NNP B-NP B-LOC\n";
    let (p, r) = import_text("conll", "cols.conll", src, &[]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    assert!(
        r.stderr.contains("cols.conll: the columns between the token and the tag (part of speech, chunk...) of 3 line(s) were not imported"),
        "{}",
        r.stderr
    );
    let sc = std::fs::read_to_string(p.path().join("annotations/cols.json")).unwrap();
    assert!(sc.contains(r#""label": "LOC", "text": "Huế""#), "{sc}");
}

#[test]
fn export_names_what_it_refuses_and_points_to_validate() {
    let p = empty_project();
    let arts = p.path().join("articles");
    std::fs::create_dir_all(&arts).unwrap();
    std::fs::write(arts.join("empty.txt"), "").unwrap();
    std::fs::write(arts.join("nul.txt"), "abc\0def").unwrap();
    std::fs::write(arts.join("ok.txt"), "Hà Nội").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().join("o").display().to_string();
    let r = export(
        p.path(),
        &["--format", "jsonl", "--status", "any", "--out", &o],
    );
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.stderr.contains("2 articles cannot be exported"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("empty.txt: empty file"), "{}", r.stderr);
    assert!(r.stderr.contains("nul.txt: 1 NUL"), "{}", r.stderr);
    // `nhan validate` lists these too (tests/cli.rs): export sends the user
    // there for the whole list.
    assert!(r.stderr.contains("nhan validate"), "{}", r.stderr);

    // A sidecar that does not parse is validate's too.
    std::fs::remove_file(arts.join("empty.txt")).unwrap();
    std::fs::remove_file(arts.join("nul.txt")).unwrap();
    std::fs::create_dir_all(p.path().join("annotations")).unwrap();
    std::fs::write(p.path().join("annotations/ok.json"), "{\"nhan\": 1,").unwrap();
    let r = export(
        p.path(),
        &["--format", "jsonl", "--status", "any", "--out", &o],
    );
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.stderr.contains("1 article cannot be exported"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("`nhan validate` lists every problem"),
        "{}",
        r.stderr
    );
}

#[test]
fn label_studio_import_reads_old_completions_too() {
    // Label Studio before 1.0 called annotations "completions".
    let task = r#"{"id": 1, "data": {"text": "Lan ở Huế"}, "completions": [{"result": [
        {"id": "a", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 6, "end": 9, "text": "Huế", "labels": ["LOC"]}}]}]}"#;
    let (p, r) = import_text("label-studio", "old.json", task, &[]);
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.stderr);
    let sc = std::fs::read_to_string(p.path().join("annotations/old-1.json")).unwrap();
    assert!(sc.contains(r#""label": "LOC", "text": "Huế""#), "{sc}");
}

#[test]
fn prodigy_rejected_spans_must_fit_their_text_too() {
    let line =
        r#"{"text": "Lan", "spans": [{"start": 0, "end": 9, "label": "PER"}], "answer": "reject"}"#;
    let (p, r) = import_text("prodigy", "bad.jsonl", line, &[]);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.stderr
            .contains("bad.jsonl:1 spans[0]: PER [0, 9): the offsets are outside the text"),
        "{}",
        r.stderr
    );
    assert!(!p.path().join("articles").exists());
}

/// A copy of the fixture project to change.
fn fixture_copy() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for sub in ["articles", "annotations"] {
        std::fs::create_dir_all(d.path().join(sub)).unwrap();
        for e in std::fs::read_dir(fixture().join(sub)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), d.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    std::fs::copy(fixture().join("nhan.toml"), d.path().join("nhan.toml")).unwrap();
    d
}

#[test]
fn a_failed_split_export_leaves_no_part_folders_or_temp_files() {
    let p = fixture_copy();
    // Sorted last, so the other articles' files are written before it fails.
    std::fs::write(p.path().join("articles/zz-nul.txt"), "abc\0def").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = out.display().to_string();
    let args = [
        "--format", "brat", "--status", "any", "--split", "0.5,0.5", "--out", &o,
    ];
    let r = export(p.path(), &args);
    assert_eq!(r.code, ExitCode::from(1), "{}", r.stderr);
    assert!(r.stderr.contains("zz-nul.txt"), "{}", r.stderr);
    assert!(!out.exists(), "{:?}", tree(&out));

    // Over an earlier export, that export stays whole.
    std::fs::remove_file(p.path().join("articles/zz-nul.txt")).unwrap();
    assert_eq!(export(p.path(), &args).code, ExitCode::SUCCESS);
    let before = tree(&out);
    std::fs::write(p.path().join("articles/zz-nul.txt"), "abc\0def").unwrap();
    assert_eq!(export(p.path(), &args).code, ExitCode::from(1));
    assert_eq!(tree(&out), before);
    let hidden = hidden_names(&out);
    assert!(hidden.is_empty(), "temp files left: {hidden:?}");
}

/// Names starting with a dot anywhere under `dir`: temp files.
fn hidden_names(dir: &Path) -> Vec<String> {
    walk_names(dir)
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn walk_names(dir: &Path) -> Vec<String> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        v.push(e.file_name().to_string_lossy().into_owned());
        if e.path().is_dir() {
            v.extend(walk_names(&e.path()));
        }
    }
    v
}

#[test]
fn a_killed_exports_temp_files_in_part_folders_go_with_the_next_export() {
    let p = fixture_copy();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = out.display().to_string();
    let args = [
        "--format", "brat", "--status", "any", "--split", "0.5,0.5", "--out", &o,
    ];
    assert_eq!(export(p.path(), &args).code, ExitCode::SUCCESS);
    let before = tree(&out);
    // What an export killed before its commit leaves beside its files.
    for part in ["train", "dev"] {
        std::fs::write(out.join(part).join(".x.ann.999999.aB3dE5gH.tmp"), "T1").unwrap();
    }
    std::fs::write(out.join(".x.txt.999999.aB3dE5gH.tmp"), "x").unwrap();
    assert_eq!(export(p.path(), &args).code, ExitCode::SUCCESS);
    assert_eq!(tree(&out), before);
    let hidden = hidden_names(&out);
    assert!(hidden.is_empty(), "temp files left: {hidden:?}");
}
