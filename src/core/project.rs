//! A project folder: `articles/*.txt`, `annotations/<stem>.json`, `nhan.toml`.

use super::document::Document;
use super::schema::{Schema, SchemaError};
use super::sidecar::{Sidecar, sha256_hex};
use super::status::Status;
use super::text::Text;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct ArticleMeta {
    pub file_name: String,
    pub stem: String,
    /// The first non-empty line, trimmed.
    pub title: String,
    pub status: Status,
    pub span_count: usize,
    /// Why the article or its sidecar cannot be used as it is.
    pub problem: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub schema: Schema,
    pub articles: Vec<ArticleMeta>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{0}: no articles/ folder here; run nhan in a project folder or pass --project DIR")]
    NoArticles(String),
    #[error("{path}: cannot read the folder: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

/// An opened article: the document, and why it is read-only if it is.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub doc: Document,
    pub read_only: Option<String>,
}

impl Project {
    pub fn open(root: &Path) -> Result<Project, ProjectError> {
        let schema = Schema::load(root)?;
        let dir = root.join("articles");
        if !dir.is_dir() {
            return Err(ProjectError::NoArticles(root.display().to_string()));
        }
        let io = |source| ProjectError::Io {
            path: dir.display().to_string(),
            source,
        };
        let mut names: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".txt") && !name.starts_with('.') {
                names.push(name);
            }
        }
        names.sort();
        let mut p = Project {
            root: root.to_path_buf(),
            schema,
            articles: Vec::new(),
        };
        p.articles = names.into_iter().map(|n| p.scan(&n)).collect();
        Ok(p)
    }

    pub fn article_path(&self, file_name: &str) -> PathBuf {
        self.root.join("articles").join(file_name)
    }

    pub fn sidecar_path(&self, stem: &str) -> PathBuf {
        self.root.join("annotations").join(format!("{stem}.json"))
    }

    fn scan(&self, file_name: &str) -> ArticleMeta {
        let stem = file_name.trim_end_matches(".txt").to_string();
        let mut meta = ArticleMeta {
            file_name: file_name.into(),
            stem: stem.clone(),
            title: stem.clone(),
            status: Status::Todo,
            span_count: 0,
            problem: None,
        };
        match self.load(file_name) {
            Ok(l) => {
                meta.title = title_of(l.doc.text.as_str()).unwrap_or(stem);
                meta.status = l.doc.status;
                meta.span_count = l.doc.spans.len();
                meta.problem = l.read_only;
            }
            Err(e) => meta.problem = Some(e),
        }
        meta
    }

    /// Reads an article and its sidecar. `Err` means the article itself
    /// cannot be shown; a bad sidecar gives a read-only document instead.
    pub fn load(&self, file_name: &str) -> Result<Loaded, String> {
        let path = self.article_path(file_name);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = Text::from_file_bytes(&bytes).map_err(|e| {
            format!(
                "{}: not UTF-8 (first bad byte at offset {}, line {}); convert it, e.g. `iconv -f WINDOWS-1258 -t UTF-8`",
                path.display(),
                e.valid_up_to,
                e.line
            )
        })?;
        let doc = Document::new(file_name, text, sha256_hex(&bytes));
        let stem = file_name.trim_end_matches(".txt");
        let sc_path = self.sidecar_path(stem);
        let sc_bytes = match std::fs::read(&sc_path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Loaded {
                    doc,
                    read_only: None,
                });
            }
            Err(e) => {
                return Ok(Loaded {
                    doc,
                    read_only: Some(format!("{}: cannot read: {e}", sc_path.display())),
                });
            }
        };
        let shown = sc_path.display().to_string();
        match Sidecar::parse(&sc_bytes, &shown) {
            Err(e) => Ok(Loaded {
                doc,
                read_only: Some(format!(
                    "{e}; fix or move the file, nhan will not overwrite it"
                )),
            }),
            Ok(sc) => match doc.with_sidecar(sc) {
                (doc, problems) if problems.is_empty() => Ok(Loaded {
                    doc,
                    read_only: None,
                }),
                (doc, problems) => {
                    let first = &problems[0];
                    let more = if problems.len() > 1 {
                        format!(
                            " (and {} more problems; see `nhan validate`)",
                            problems.len() - 1
                        )
                    } else {
                        String::new()
                    };
                    Ok(Loaded {
                        doc,
                        read_only: Some(format!("{shown}: {first}{more}; read-only until fixed")),
                    })
                }
            },
        }
    }
}

fn title_of(text: &str) -> Option<String> {
    text.lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
        .find(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect())
}
