//! Which command recommenders this user allowed to run. A project's
//! `nhan.toml` comes with `git clone`, so a command in it is someone else's
//! code: it runs only once the user approved that exact command for that
//! project folder. Approvals live in `approved-commands.json` next to the
//! user's config file (`$NHAN_CONFIG`'s folder, or the `directories`
//! config folder), never in the project.
//!
//! A command such as `python3 scripts/x.py` is only as trustworthy as the
//! script, which a `git pull` can change: an approval also records the
//! SHA-256 of every file inside the project that the command names, and a
//! changed file must be approved again.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Approval {
    project: PathBuf,
    command: Vec<String>,
    /// `(path, sha256)` of the project's files the command names.
    #[serde(default)]
    files: Vec<(String, String)>,
}

/// The files inside `project` that `command`'s words name, with digests.
fn named_files(project: &Path, command: &[String]) -> Vec<(String, String)> {
    let root = canonical(project);
    let mut out = Vec::new();
    for w in command {
        let p = project.join(w);
        let Ok(c) = p.canonicalize() else { continue };
        if c.starts_with(&root) && c.is_file() {
            let sha = std::fs::read(&c)
                .map(|b| nhan_model::sidecar::sha256_hex(&b))
                .unwrap_or_default();
            out.push((w.clone(), sha));
        }
    }
    out
}

fn approval(project: &Path, command: &[String]) -> Approval {
    Approval {
        project: canonical(project),
        command: command.to_vec(),
        files: named_files(project, command),
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

fn read(path: &Path) -> Result<File, String> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| {
            format!(
                "{}:{}:{}: {e}; fix or delete the file (it lists approved recommender commands)",
                path.display(),
                e.line(),
                e.column()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(File::default()),
        Err(e) => Err(format!("{}: cannot read: {e}", path.display())),
    }
}

/// Whether this user approved exactly `command` for `project`.
pub fn is_approved(project: &Path, command: &[String]) -> bool {
    let Some(p) = path() else { return false };
    let want = approval(project, command);
    read(&p).is_ok_and(|f| f.approved.contains(&want))
}

/// Records the approval; returns the file it went to.
pub fn approve(project: &Path, command: &[String]) -> Result<PathBuf, String> {
    let p = path().ok_or("no config folder for this user: set NHAN_CONFIG to a file path")?;
    let mut f = read(&p)?;
    let a = approval(project, command);
    // One approval per command and project: the newest files replace older ones.
    f.approved
        .retain(|x| !(x.project == a.project && x.command == a.command));
    f.approved.push(a);
    let json = serde_json::to_string_pretty(&f).map_err(|e| e.to_string())?;
    nhan_store::atomic::write_atomic(&p, json.as_bytes())
        .map_err(|e| format!("{}: cannot write: {e}", p.display()))?;
    Ok(p)
}
