//! Where suggestions live on disk, apart from the sidecars:
//!
//! ```text
//! .nhan/.gitignore                          written by nhan: ignores cache/ and suggestions/
//! .nhan/rejected/<stem>.json                rejected suggestions (blind: .nhan/rejected/<annotator>/<stem>.json)
//! .nhan/suggestions/<stem>.json             what `nhan suggest` computed for the TUI (blind: per annotator too)
//! .nhan/cache/tagger.bin                    the tagger's model, with the fingerprint of its training data
//! .nhan/cache/calibration.json              the scores' maps to chances, with the key of the gold they were fitted on
//! ```
//!
//! Rejections are decisions, so by default they go into git with the
//! project (a team shares them); put `.nhan/` in the project's `.gitignore`
//! to keep them private. Suggestions and the model are derived and never
//! committed.

use super::Suggestion;
use super::error::FileError;
use nhan_model::text::Text;
use nhan_store::atomic::write_in;
use nhan_store::project::Project;
use nhan_store::root::{Root, read_in};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

pub fn root(project: &Path) -> PathBuf {
    project.join(".nhan")
}

/// `.nhan/<kind>/` for this session: per annotator in a blind project.
fn dir(project: &Project, kind: &str) -> PathBuf {
    let d = root(&project.root).join(kind);
    match &project.annotator_dir {
        Some(name) => d.join(name),
        None => d,
    }
}

pub fn cache_dir(project: &Path) -> PathBuf {
    root(project).join("cache")
}

/// Creates `.nhan/` with its `.gitignore` (derived files stay out of git).
/// A `.nhan` that is a symlink (a clone may carry one) is refused: nothing
/// is written through it.
pub fn ensure_root(project: &Path) -> std::io::Result<()> {
    let root = Root::open(project)?;
    root.dir(Path::new(".nhan"), true)?;
    let gi = Path::new(".nhan/.gitignore");
    if root.kind(gi)?.is_none() {
        root.write_atomic(
            gi,
            b"# Written by nhan: derived files. Rejections (rejected/) are shared\n# decisions; ignore .nhan/ in the project's .gitignore to keep them private.\ncache/\nsuggestions/\n",
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    pub start: usize,
    pub end: usize,
    pub label: String,
    /// What lay there: if the article changes, a rejection whose text no
    /// longer matches is ignored rather than applied to other words.
    pub text: String,
    /// The recommender that proposed it (the dashboard counts rejections
    /// per recommender); files written before it was kept have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RejectedFile {
    article: String,
    rejected: Vec<Rejected>,
}

/// The rejected suggestions of one article, for this annotator.
#[derive(Debug, Clone)]
pub struct Rejections {
    path: PathBuf,
    project: PathBuf,
    article: String,
    items: Vec<Rejected>,
}

impl Rejections {
    /// A missing file is no rejections; one that cannot be read is an
    /// error (and is never overwritten).
    pub fn load(project: &Project, file_name: &str) -> Result<Rejections, FileError> {
        let stem = nhan_store::project::stem_of(file_name);
        let path = dir(project, "rejected").join(format!("{stem}.json"));
        let mut r = Rejections {
            path,
            project: project.root.clone(),
            article: file_name.to_string(),
            items: Vec::new(),
        };
        match read_in(&r.project, &r.path) {
            Ok(bytes) => {
                let f: RejectedFile =
                    serde_json::from_slice(&bytes).map_err(|e| FileError::Parse {
                        path: r.path.clone(),
                        error: Arc::new(e),
                        fix: "fix or move the file (nhan will not overwrite it)",
                    })?;
                r.items = f.rejected;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(FileError::Read {
                    path: r.path,
                    error: Arc::new(e),
                });
            }
        }
        Ok(r)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn contains(&self, s: &Suggestion, text: &Text) -> bool {
        self.items.iter().any(|r| {
            (r.start, r.end, r.label.as_str()) == s.key()
                && s.end <= text.len_chars()
                && same_text(&r.text, text.slice(s.start, s.end))
        })
    }

    /// Remembers `s` as rejected (save to keep it).
    pub fn reject(&mut self, s: &Suggestion, text: &Text) {
        if self.contains(s, text) {
            return;
        }
        self.items.push(Rejected {
            start: s.start,
            end: s.end,
            label: s.label.as_str().into(),
            text: text.slice(s.start, s.end).to_string(),
            source: Some(s.source.to_string()),
        });
        self.items
            .sort_by(|a, b| (a.start, a.end, &a.label).cmp(&(b.start, b.end, &b.label)));
    }

    /// Undoes `reject`.
    pub fn unreject(&mut self, s: &Suggestion) {
        self.items
            .retain(|r| (r.start, r.end, r.label.as_str()) != s.key());
    }

    /// Writes the file atomically, one rejection per line for readable diffs.
    pub fn save(&self) -> Result<(), FileError> {
        ensure_root(&self.project).map_err(|e| FileError::Folder {
            path: self.path.clone(),
            error: Arc::new(e),
        })?;
        let mut out = String::from("{\n  \"article\": ");
        out.push_str(&serde_json::to_string(&self.article).unwrap_or_default());
        out.push_str(",\n  \"rejected\": [");
        for (i, r) in self.items.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(&serde_json::to_string(r).unwrap_or_default());
        }
        out.push_str(if self.items.is_empty() {
            "]\n}\n"
        } else {
            "\n  ]\n}\n"
        });
        write_in(&self.project, &self.path, out.as_bytes()).map_err(|e| FileError::Write {
            path: self.path.clone(),
            error: Arc::new(e),
        })
    }

    /// `list` without what was rejected.
    pub fn filter(&self, list: Vec<Suggestion>, text: &Text) -> Vec<Suggestion> {
        if self.items.is_empty() {
            return list;
        }
        list.into_iter()
            .filter(|s| !self.contains(s, text))
            .collect()
    }
}

fn same_text(a: &str, b: &str) -> bool {
    a == b || a.nfc().eq(b.nfc())
}

/// Suggestions computed by `nhan suggest` for the TUI to show at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    pub article: String,
    /// The article these offsets belong to: stale ones are ignored.
    pub text_sha256: String,
    pub suggestions: Vec<Suggestion>,
}

pub fn stored_path(project: &Project, file_name: &str) -> PathBuf {
    let stem = nhan_store::project::stem_of(file_name);
    dir(project, "suggestions").join(format!("{stem}.json"))
}

pub fn save_stored(project: &Project, s: &Stored) -> Result<(), FileError> {
    let path = stored_path(project, &s.article);
    ensure_root(&project.root).map_err(|e| FileError::Folder {
        path: path.clone(),
        error: Arc::new(e),
    })?;
    let json = serde_json::to_string(s).map_err(|e| FileError::Encode(Arc::new(e)))?;
    write_in(&project.root, &path, json.as_bytes()).map_err(|e| FileError::Write {
        path,
        error: Arc::new(e),
    })
}

/// The stored suggestions of an article, fitted to its text, spans and
/// schema like computed ones (`rules::fit_all`): a stored file is input,
/// so a suggestion with spaces at its edges, past the text or of a label
/// the schema lacks is trimmed or dropped, never shown as it is.
pub fn load_stored_fitted(
    project: &Project,
    file_name: &str,
    text_sha256: &str,
) -> Vec<Suggestion> {
    let Some(stored) = load_stored(project, file_name, text_sha256) else {
        return Vec::new();
    };
    let Ok(loaded) = project.load(file_name) else {
        return Vec::new();
    };
    let doc = &loaded.doc;
    let known: Vec<super::Known> = doc
        .spans()
        .iter()
        .map(|s| super::Known {
            start: s.start,
            end: s.end,
            label: s.label,
        })
        .collect();
    let labels: Vec<String> = project
        .schema
        .labels
        .iter()
        .map(|l| l.name.clone())
        .collect();
    super::rules::fit_all(
        doc.text(),
        &known,
        project.schema.overlap,
        &labels,
        stored.suggestions,
    )
}

/// The stored suggestions of an article, if any and if still for its text.
pub fn load_stored(project: &Project, file_name: &str, text_sha256: &str) -> Option<Stored> {
    let bytes = read_in(&project.root, &stored_path(project, file_name)).ok()?;
    let s: Stored = serde_json::from_slice(&bytes).ok()?;
    (s.text_sha256 == text_sha256).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_survive_a_reload_and_ignore_changed_text() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("articles")).unwrap();
        std::fs::write(dir.path().join("articles/a.txt"), "Hà Nội").unwrap();
        let p = Project::open(dir.path()).unwrap();
        let t = Text::new("Hà Nội");
        let s = Suggestion {
            start: 0,
            end: 6,
            label: "LOC".into(),
            score: 0.9,
            source: "dictionary".into(),
        };
        let mut r = Rejections::load(&p, "a.txt").unwrap();
        r.reject(&s, &t);
        r.save().unwrap();
        let r = Rejections::load(&p, "a.txt").unwrap();
        assert!(r.contains(&s, &t));
        assert!(!r.contains(&s, &Text::new("Hà Tĩnh")), "other words");
        assert!(dir.path().join(".nhan/.gitignore").exists());
        std::fs::write(r.path(), "{oops").unwrap();
        let e = Rejections::load(&p, "a.txt").unwrap_err().to_string();
        assert!(e.contains("a.json:1:"), "{e}");
    }

    #[test]
    fn a_blind_annotator_has_their_own_rejections() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("articles")).unwrap();
        std::fs::write(dir.path().join("articles/a.txt"), "Hà Nội").unwrap();
        let mut p = Project::list(dir.path()).unwrap();
        p.annotator_dir = Some("lan".into());
        let t = Text::new("Hà Nội");
        let s = Suggestion {
            start: 0,
            end: 6,
            label: "LOC".into(),
            score: 0.9,
            source: "dictionary".into(),
        };
        let mut r = Rejections::load(&p, "a.txt").unwrap();
        r.reject(&s, &t);
        r.save().unwrap();
        assert!(dir.path().join(".nhan/rejected/lan/a.json").exists());
        p.annotator_dir = Some("minh".into());
        assert!(!Rejections::load(&p, "a.txt").unwrap().contains(&s, &t));
        p.annotator_dir = None;
        assert!(!Rejections::load(&p, "a.txt").unwrap().contains(&s, &t));
    }
}
