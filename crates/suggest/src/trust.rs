//! Which command recommenders this user allowed to run. A project's
//! `nhan.toml` comes with `git clone`, so a command in it is someone else's
//! code: it runs only once the user approved that exact command for that
//! project folder. Approvals live in `approved-commands.json` next to the
//! user's config file (`$NHAN_CONFIG`'s folder, or the `directories`
//! config folder), never in the project.
//!
//! What an approval covers, in one sentence (the question says it too):
//! **the exact command, and the contents of every file under each folder of
//! the project it runs code from** — the folder of each file its words name
//! (Python puts a script's folder first on `sys.path`), each folder they
//! name, and the project folder itself when the command runs a module
//! (`-m`) — words inside a `sh -c` string included; `articles/`,
//! `annotations/`, `.nhan/` and `.git/` are data, not code, and are left
//! out. Any change there (a `git pull` adding `unicodedata.py` beside the
//! script) asks again, and the check runs before every run of the command.

use super::error::{FileError, SuggestError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Approval {
    project: PathBuf,
    command: Vec<String>,
    /// `(path, sha256)` of every file the approval covers.
    #[serde(default)]
    files: Vec<(String, String)>,
}

/// Folders under which nothing is code: left out of what an approval
/// covers.
const DATA: [&str; 4] = ["articles", "annotations", ".nhan", ".git"];

/// The folders inside `project` that `command` runs code from (see the
/// module's sentence), relative to it ("" for the project folder).
pub fn covered_folders(project: &Path, command: &[String]) -> Vec<PathBuf> {
    let root = canonical(project);
    let mut out = Vec::new();
    let mut add = |rel: PathBuf| {
        if !out.contains(&rel) {
            out.push(rel);
        }
    };
    // Words, and the words of a shell string (`sh -c "python3 x.py"`).
    let words = command
        .iter()
        .flat_map(|w| std::iter::once(w.as_str()).chain(w.split_whitespace()));
    for w in words {
        if w == "-m" {
            add(PathBuf::new());
            continue;
        }
        let w = w.trim_matches(|c| c == '\'' || c == '"' || c == ';');
        if w.is_empty() {
            continue;
        }
        let Ok(c) = project.join(w).canonicalize() else {
            continue;
        };
        let Ok(rel) = c.strip_prefix(&root) else {
            continue;
        };
        if c.is_dir() {
            add(rel.to_path_buf());
        } else if let Some(parent) = rel.parent() {
            add(parent.to_path_buf());
        }
    }
    out.sort();
    out
}

/// Every regular file under `folders` (no symlink followed, the data
/// folders left out), with its SHA-256, sorted.
fn covered_files(project: &Path, command: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = covered_folders(project, command);
    let mut seen = std::collections::BTreeSet::new();
    let own_file = path().and_then(|p| p.canonicalize().ok());
    while let Some(rel) = stack.pop() {
        if !seen.insert(rel.clone()) {
            continue;
        }
        let Ok(rd) = std::fs::read_dir(canonical(project).join(&rel)) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name();
            let r = rel.join(&name);
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                if !(rel.as_os_str().is_empty() && DATA.iter().any(|d| name == *d)) {
                    stack.push(r);
                }
            } else if t.is_file() {
                // Not code, and changed by nhan itself.
                let own = name == nhan_store::lock::LOCK_FILE
                    || own_file.as_deref() == Some(e.path().as_path());
                if own {
                    continue;
                }
                let sha = std::fs::read(e.path())
                    .map(|b| nhan_model::sidecar::sha256_hex(&b))
                    .unwrap_or_default();
                out.push((r.to_string_lossy().into_owned(), sha));
            }
        }
    }
    out.sort();
    out
}

/// What an approval of `command` covers, in words for the question.
pub fn covers(project: &Path, command: &[String]) -> String {
    let folders: Vec<String> = covered_folders(project, command)
        .iter()
        .map(|f| {
            if f.as_os_str().is_empty() {
                "the project folder".to_string()
            } else {
                format!("{}/", nhan_model::escape::line(&f.to_string_lossy()))
            }
        })
        .collect();
    if folders.is_empty() {
        "this exact command".into()
    } else {
        format!(
            "this exact command and every file under {} (but articles/, annotations/, .nhan/, .git/); any change there asks again",
            folders.join(", ")
        )
    }
}

fn approval(project: &Path, command: &[String]) -> Approval {
    Approval {
        project: canonical(project),
        command: command.to_vec(),
        files: covered_files(project, command),
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    approved: Vec<Approval>,
}

pub fn path() -> Option<PathBuf> {
    let cfg = nhan_store::config::default_path()?;
    Some(cfg.with_file_name("approved-commands.json"))
}

fn canonical(project: &Path) -> PathBuf {
    project
        .canonicalize()
        .unwrap_or_else(|_| project.to_path_buf())
}

fn read(path: &Path) -> Result<File, FileError> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| FileError::Parse {
            path: path.to_path_buf(),
            error: Arc::new(e),
            fix: "fix or delete the file (it lists approved recommender commands)",
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(File::default()),
        Err(e) => Err(FileError::Read {
            path: path.to_path_buf(),
            error: Arc::new(e),
        }),
    }
}

/// Whether this user approved exactly `command` for `project`.
pub fn is_approved(project: &Path, command: &[String]) -> bool {
    let Some(p) = path() else { return false };
    let want = approval(project, command);
    read(&p).is_ok_and(|f| f.approved.contains(&want))
}

/// Records the approval; returns the file it went to.
pub fn approve(project: &Path, command: &[String]) -> Result<PathBuf, SuggestError> {
    let p = path().ok_or(SuggestError::NoConfigFolder)?;
    let mut f = read(&p)?;
    let a = approval(project, command);
    // One approval per command and project: the newest files replace older ones.
    f.approved
        .retain(|x| !(x.project == a.project && x.command == a.command));
    f.approved.push(a);
    let json = serde_json::to_string_pretty(&f).map_err(|e| FileError::Encode(Arc::new(e)))?;
    nhan_store::atomic::write_atomic(&p, json.as_bytes()).map_err(|e| FileError::Write {
        path: p.clone(),
        error: Arc::new(e),
    })?;
    Ok(p)
}

/// Why a command recommender does not run: it is not approved, or what
/// its approval covers changed; what to read and run to allow it.
pub fn not_approved(name: &str, command: &[String], root: &std::path::Path) -> String {
    format!(
        "recommender {} runs `{}`, which you have not approved for {} (or it, or a file its approval covers, changed since; an approval covers {}); read nhan.toml and the scripts, then run `nhan --project {} suggest --approve` to allow it",
        nhan_model::escape::line(name),
        nhan_model::escape::command(command),
        root.display(),
        covers(root, command),
        root.display()
    )
}
