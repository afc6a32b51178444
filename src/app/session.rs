//! Where the user was: the article and cursor of each project, reopened
//! at the next start. Kept in the user's own state file (beside the
//! config, `state.json`), never in the project: a project folder is
//! shared, and one person's place is nobody else's.

use super::msg::Effect;
use super::state::State;
use crate::core::sidecar::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use super::msg::Place;

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
    Some(super::config::default_path()?.with_file_name("state.json"))
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

/// Where the user is now: the open article and its cursor.
pub fn current(state: &State) -> Option<Place> {
    let art = state.article()?;
    Some(Place {
        article: art.doc.file_name().to_string(),
        cursor: art.cursor,
    })
}

/// Opens `place`'s article (the list follows) and puts the cursor back
/// once it is read; an article that is gone is passed over in silence.
pub fn reopen(state: &mut State, place: Place) -> Vec<Effect> {
    let Some(index) = state
        .project
        .articles
        .iter()
        .position(|a| a.file_name.as_str() == place.article)
    else {
        return vec![];
    };
    let Some(row) = state.visible_articles().iter().position(|&i| i == index) else {
        return vec![];
    };
    state.list_selected = row;
    state.reopen = Some((index, place.cursor));
    let effects = super::general::open_selected(state);
    arrived(state, index);
    effects
}

/// An article was opened: if it is the one being reopened, the cursor
/// goes back where it was (on a character boundary of the text as it is now).
pub fn arrived(state: &mut State, index: usize) {
    let Some((i, cursor)) = state.reopen else {
        return;
    };
    if i != index {
        return;
    }
    let Some(art) = state.articles.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    state.reopen = None;
    let text = art.doc.text();
    let mut at = cursor.min(text.len_chars());
    while at > 0 && !text.is_grapheme_boundary(at) {
        at -= 1;
    }
    art.cursor = at;
    art.selection = None;
    super::motion::refresh_view(state);
    // A notice about the article (read-only, conflicts) matters more.
    if state.message.is_none() {
        state.info(format!(
            "reopened where you left off: {} @{at}",
            state.project.articles[index].stem
        ));
    }
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
