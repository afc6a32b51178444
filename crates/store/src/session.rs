//! Where the user was: the article and cursor of each project, kept in
//! the user's own state file (beside the config, `state.json`), never in
//! the project: a project folder is shared, and one person's place is
//! nobody else's. The app reopens it (`app/session.rs`).

use crate::atomic::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the user was in a project: an article and the cursor in it (in
/// code points), kept in the user's state between runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub article: String,
    pub cursor: usize,
}

/// The state file: one place per project, keyed by its absolute path.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Places {
    #[serde(default)]
    projects: BTreeMap<String, Place>,
}

/// `$NHAN_STATE`, else `state.json` beside the config file
/// (`$NHAN_CONFIG` or the config folder).
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NHAN_STATE") {
        return Some(PathBuf::from(p));
    }
    Some(crate::config::default_path()?.with_file_name("state.json"))
}

fn key(project: &Path) -> String {
    std::fs::canonicalize(project)
        .unwrap_or_else(|_| project.to_path_buf())
        .display()
        .to_string()
}

fn read(file: &Path) -> Places {
    std::fs::read(file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Where the user was in `project`, if the state file says.
pub fn load(file: &Path, project: &Path) -> Option<Place> {
    read(file).projects.remove(&key(project))
}

/// Records `place` for `project`, keeping every other project's. A file
/// there that is not a state file nhan reads is left as it is.
pub fn save(file: &Path, project: &Path, place: Place) -> std::io::Result<()> {
    let mut all = match std::fs::read(file) {
        Ok(b) => serde_json::from_slice::<Places>(&b).map_err(|e| {
            std::io::Error::other(format!(
                "{}: not nhan's state ({e}); left as it is",
                file.display()
            ))
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Places::default(),
        Err(e) => return Err(e),
    };
    all.projects.insert(key(project), place);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::to_string_pretty(&all).map_err(std::io::Error::other)?;
    write_atomic(file, json.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_kept_per_project_and_a_foreign_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state.json");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let at = |article: &str, cursor| Place {
            article: article.into(),
            cursor,
        };
        save(&file, &a, at("x.txt", 3)).unwrap();
        save(&file, &b, at("y.txt", 7)).unwrap();
        assert_eq!(load(&file, &a), Some(at("x.txt", 3)));
        assert_eq!(load(&file, &b), Some(at("y.txt", 7)));
        std::fs::write(&file, "not json").unwrap();
        assert!(save(&file, &a, at("x.txt", 1)).is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "not json");
        assert_eq!(load(&file, &a), None);
    }
}
