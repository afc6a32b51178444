//! Fuzzing the importers: damaged exports never panic nhan, and whatever
//! an import accepts is a project that validates.

mod support;

use clap::Parser;
use nhan::cli::{Cli, Command};
use nhan_store::project::Project;
use proptest::prelude::*;
use std::path::Path;
use support::Harness;

/// A small exported project, once per format.
fn exported(format: &str) -> (tempfile::TempDir, Vec<(String, Vec<u8>)>) {
    let h = Harness::new(&[
        (
            "a",
            "[Lan]{PER} gặp [Minh]{PER} ở [Hà Nội]{LOC}.\nHọ bàn về [Bộ [Ngoại giao]{ORG}]{ORG}.",
        ),
        ("b", "[Huế]{LOC} 👍🏽 và [越南]{LOC}"),
    ]);
    let out = h.dir.path().join("out");
    let cli = Cli::parse_from([
        "nhan",
        "export",
        "--format",
        format,
        "--status",
        "any",
        "--out",
        out.to_str().unwrap(),
    ]);
    let Some(Command::Export(args)) = cli.command else {
        unreachable!()
    };
    nhan_formats::export_with(
        h.dir.path(),
        &args,
        &mut std::io::sink(),
        &mut std::io::sink(),
    )
    .unwrap();
    let mut files = Vec::new();
    for e in walk(&out) {
        let rel = e.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
        files.push((rel, std::fs::read(&e).unwrap()));
    }
    (h.dir, files)
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            v.extend(walk(&e.path()));
        } else {
            v.push(e.path());
        }
    }
    v.sort();
    v
}

/// Writes `files` as import input and imports them into an empty project.
/// Returns the folder (keep it alive), the project path and the result.
fn import_files(
    format: &str,
    files: &[(String, Vec<u8>)],
) -> (tempfile::TempDir, std::path::PathBuf, Result<(), String>) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let project = dir.path().join("p");
    std::fs::create_dir_all(project.join("articles")).unwrap();
    for (rel, bytes) in files {
        let p = input.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let paths: Vec<String> = match format {
        "brat" => vec![input.to_string_lossy().into_owned()],
        _ => walk(&input)
            .into_iter()
            .filter(|p| {
                let data = p.file_name().is_some_and(|n| {
                    use nhan_formats::{LOST_FILE, MANIFEST, NOT_SHOWN_FILE};
                    ![MANIFEST, LOST_FILE, NOT_SHOWN_FILE]
                        .iter()
                        .any(|m| n == *m)
                });
                data && p
                    .extension()
                    .is_some_and(|e| e == "jsonl" || e == "conll" || e == "json")
            })
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
    };
    let mut argv = vec![
        "nhan".to_string(),
        "import".into(),
        "--format".into(),
        format.into(),
    ];
    argv.extend(paths);
    let Some(Command::Import(args)) = Cli::parse_from(argv).command else {
        unreachable!()
    };
    let mut err = Vec::new();
    let result = nhan_formats::import_with(&project, &args, &mut err)
        .map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&err)));
    (dir, project, result)
}

fn import_mutated(
    format: &str,
    files: &[(String, Vec<u8>)],
    pick: usize,
    at: usize,
    byte: u8,
    cut: usize,
) {
    let mut files = files.to_vec();
    let target = pick % files.len();
    let b = &mut files[target].1;
    if !b.is_empty() {
        let n = b.len();
        b[at % n] = byte;
        b.truncate(cut % (n + 1));
    }
    let (_keep, project, result) = import_files(format, &files);
    if result.is_ok() {
        // What was accepted must be a consistent project.
        let p = Project::open(&project).unwrap();
        for a in p.articles.iter() {
            let l = p.load(&a.file_name).unwrap();
            assert!(
                l.read_only.is_none(),
                "import wrote a sidecar nhan cannot use: {:?}",
                l.read_only
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn jsonl_import_survives_damage(pick in 0usize..8, at in 0usize..4096, byte in any::<u8>(), cut in 0usize..4096) {
        let (_keep, files) = exported("jsonl");
        import_mutated("jsonl", &files, pick, at, byte, cut);
    }

    #[test]
    fn conll_import_survives_damage(pick in 0usize..8, at in 0usize..4096, byte in any::<u8>(), cut in 0usize..4096) {
        let (_keep, files) = exported("conll");
        import_mutated("conll", &files, pick, at, byte, cut);
    }

    #[test]
    fn label_studio_import_survives_damage(pick in 0usize..8, at in 0usize..4096, byte in any::<u8>(), cut in 0usize..4096) {
        let (_keep, files) = exported("label-studio");
        import_mutated("label-studio", &files, pick, at, byte, cut);
    }

    #[test]
    fn prodigy_import_survives_damage(pick in 0usize..8, at in 0usize..4096, byte in any::<u8>(), cut in 0usize..4096) {
        let (_keep, files) = exported("prodigy");
        import_mutated("prodigy", &files, pick, at, byte, cut);
    }

    #[test]
    fn brat_import_survives_damage(pick in 0usize..8, at in 0usize..4096, byte in any::<u8>(), cut in 0usize..4096) {
        let (_keep, files) = exported("brat");
        import_mutated("brat", &files, pick, at, byte, cut);
    }
}

/// The fuzz harness itself imports undamaged input (so the properties above
/// are not vacuous).
#[test]
fn undamaged_exports_import_cleanly() {
    for format in ["jsonl", "conll", "brat", "label-studio", "prodigy"] {
        let (_keep, files) = exported(format);
        let (_dir, project, result) = import_files(format, &files);
        result.unwrap_or_else(|e| panic!("{format}: {e}"));
        let p = Project::open(&project).unwrap();
        assert_eq!(p.articles.len(), 2, "{format}");
        assert!(
            p.articles.iter().map(|a| a.span_count).sum::<usize>() >= 5,
            "{format}: {:?}",
            p.articles
        );
    }
}
