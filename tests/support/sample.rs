//! The repository's own sample project (`articles/`, `annotations/`,
//! `nhan.toml`), copied to a temporary folder for a test. The README's
//! first command opens the sample and saves every edit at once (and leaves
//! `.nhan/` and a lock beside it), so no test reads or writes it in place.
//!
//! The copy is of the sample as committed (`git show HEAD:…`), so trying
//! the program on it does not change what the tests see. Outside a git
//! checkout, or with `NHAN_TEST_SAMPLE=worktree` (to test a change to the
//! sample before committing it), the working tree's files are copied.
//!
//! Standalone (std and tempfile only): both `support` and `pty_support`
//! include it.

#![allow(dead_code)] // each test binary uses a different part of the helpers

use std::path::PathBuf;
use std::process::Command;

/// The repository (the sample project's folder).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the whole sample: articles, their gold sidecars, `nhan.toml`.
pub fn sample_copy() -> tempfile::TempDir {
    copy(true)
}

/// A copy of the sample's articles and `nhan.toml`, without annotations.
pub fn sample_articles() -> tempfile::TempDir {
    copy(false)
}

fn copy(with_annotations: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut parts = vec!["articles", "nhan.toml"];
    if with_annotations {
        parts.push("annotations");
    }
    let worktree = std::env::var_os("NHAN_TEST_SAMPLE").is_some_and(|v| v == "worktree");
    let files = match committed(&parts) {
        Some(files) if !worktree => files,
        _ => in_worktree(&parts),
    };
    assert!(
        files.iter().any(|(p, _)| p.starts_with("articles/")),
        "no sample articles found in {}",
        repo().display()
    );
    for (rel, bytes) in files {
        let to = dir.path().join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(&to, bytes).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    }
    if with_annotations {
        std::fs::create_dir_all(dir.path().join("annotations")).unwrap();
    }
    dir
}

/// The sample's files as committed: `(path, bytes)`, or `None` when this is
/// not a git checkout (or git is missing).
fn committed(parts: &[&str]) -> Option<Vec<(String, Vec<u8>)>> {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(repo())
            .args(args)
            .output()
            .ok()?;
        out.status.success().then_some(out.stdout)
    };
    let mut args = vec!["ls-tree", "-r", "-z", "--name-only", "HEAD", "--"];
    args.extend(parts);
    let names = git(&args)?;
    let names: Vec<String> = names
        .split(|b| *b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    if names.is_empty() {
        return None;
    }
    names
        .into_iter()
        .map(|n| Some((n.clone(), git(&["cat-file", "blob", &format!("HEAD:{n}")])?)))
        .collect()
}

/// The same files from the working tree: `articles/*.txt`,
/// `annotations/*.json` (not the annotators' folders) and `nhan.toml`.
fn in_worktree(parts: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let read = |rel: &str| std::fs::read(repo().join(rel)).ok();
    for part in parts {
        let ext = match *part {
            "articles" => "txt",
            "annotations" => "json",
            file => {
                files.extend(read(file).map(|b| (file.to_string(), b)));
                continue;
            }
        };
        let Ok(entries) = std::fs::read_dir(repo().join(part)) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_file() && path.extension().is_some_and(|x| x == ext) {
                let rel = format!("{part}/{}", e.file_name().to_string_lossy());
                files.extend(read(&rel).map(|b| (rel, b)));
            }
        }
    }
    files.sort();
    files
}
