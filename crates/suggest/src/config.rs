//! `[[recommenders]]` in `nhan.toml`. With none, the dictionary and the
//! tagger are on; listing any replaces that default. Recommenders listed
//! first take precedence when two propose clashing spans, unless both have
//! calibrated scores (then the likelier one wins; see the suggester).
//!
//! ```toml
//! [[recommenders]]
//! name = "dictionary"          # unique; `--recommender NAME`, and the `source` of accepted spans
//! type = "dictionary"          # dictionary | tagger | command
//! gazetteers = ["gazetteers/places.tsv"]   # optional, inside the project
//! min_score = 0.5              # optional
//!
//! [[recommenders]]
//! name = "tagger"
//! type = "tagger"
//! dictionary = true            # optional: use the dictionary as a feature
//! min_score = 0.4              # optional
//!
//! [[recommenders]]
//! name = "underthesea"
//! type = "command"
//! command = ["python3", "scripts/recommenders/underthesea_ner.py"]
//! timeout = 120                # optional, seconds for each article
//! ```

use super::error::ConfigError;
use nhan_store::project::Project;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Dictionary {
        gazetteers: Vec<PathBuf>,
        min_score: f32,
    },
    Tagger {
        dictionary: bool,
        min_score: f32,
    },
    Command {
        command: Vec<String>,
        timeout: std::time::Duration,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecommenderConfig {
    pub name: String,
    pub kind: Kind,
}

pub fn defaults() -> Vec<RecommenderConfig> {
    vec![
        RecommenderConfig {
            name: "dictionary".into(),
            kind: Kind::Dictionary {
                gazetteers: Vec::new(),
                min_score: super::dictionary::MIN_SCORE,
            },
        },
        RecommenderConfig {
            name: "tagger".into(),
            kind: Kind::Tagger {
                dictionary: true,
                min_score: super::tagger::MIN_SCORE,
            },
        },
    ]
}

/// The project's recommenders; errors name `nhan.toml` and the table.
pub fn load(project: &Project) -> Result<Vec<RecommenderConfig>, ConfigError> {
    let tables = &project.schema.recommenders;
    if tables.is_empty() {
        return Ok(defaults());
    }
    let file = project.root.join("nhan.toml");
    let shown = file.display();
    let root = project.root.canonicalize().map_err(|e| ConfigError::Root {
        path: project.root.clone(),
        error: Arc::new(e),
    })?;
    let mut out: Vec<RecommenderConfig> = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let at = format!("{shown}: [[recommenders]] number {}", i + 1);
        let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let name = s("name").ok_or_else(|| ConfigError::NoName { at: at.clone() })?;
        if out.iter().any(|r| r.name == name) {
            return Err(ConfigError::NameTwice { at, name });
        }
        let ty = s("type").ok_or_else(|| ConfigError::NoType {
            at: at.clone(),
            name: name.clone(),
        })?;
        let allowed: &[&str] = match ty.as_str() {
            "dictionary" => &["name", "type", "gazetteers", "min_score"],
            "tagger" => &["name", "type", "dictionary", "min_score"],
            "command" => &["name", "type", "command", "timeout"],
            other => {
                let ty = other.to_string();
                return Err(ConfigError::UnknownType { at, name, ty });
            }
        };
        if let Some(k) = t.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(ConfigError::UnknownKey {
                at,
                name,
                key: k.clone(),
                ty,
                allowed,
            });
        }
        let kind = match ty.as_str() {
            "dictionary" => {
                let mut gazetteers = Vec::new();
                for g in t
                    .get("gazetteers")
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                {
                    let g = g.as_str().ok_or_else(|| ConfigError::GazetteerNotAPath {
                        at: at.clone(),
                        name: name.clone(),
                    })?;
                    let p = project.root.join(g);
                    let canon = p
                        .canonicalize()
                        .map_err(|e| ConfigError::GazetteerMissing {
                            at: at.clone(),
                            name: name.clone(),
                            path: p.clone(),
                            error: Arc::new(e),
                        })?;
                    if !canon.starts_with(&root) {
                        return Err(ConfigError::GazetteerOutside {
                            at,
                            name,
                            given: g.to_string(),
                        });
                    }
                    gazetteers.push(canon);
                }
                let min_score = match t.get("min_score") {
                    None => super::dictionary::MIN_SCORE,
                    Some(v) => v
                        .as_float()
                        .or_else(|| v.as_integer().map(|i| i as f64))
                        .filter(|x| (0.0..=1.0).contains(x))
                        .ok_or_else(|| ConfigError::MinScore {
                            at: at.clone(),
                            name: name.clone(),
                        })? as f32,
                };
                Kind::Dictionary {
                    gazetteers,
                    min_score,
                }
            }
            "tagger" => Kind::Tagger {
                min_score: min_score(t, super::tagger::MIN_SCORE, &at, &name)?,
                dictionary: match t.get("dictionary") {
                    None => true,
                    Some(v) => v.as_bool().ok_or_else(|| ConfigError::DictionaryFlag {
                        at: at.clone(),
                        name: name.clone(),
                    })?,
                },
            },
            _ => {
                let command: Vec<String> = t
                    .get("command")
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .filter(|c: &Vec<String>| !c.is_empty())
                    .ok_or_else(|| ConfigError::NoCommand {
                        at: at.clone(),
                        name: name.clone(),
                    })?;
                let secs = match t.get("timeout") {
                    None => 60.0,
                    Some(v) => v
                        .as_float()
                        .or_else(|| v.as_integer().map(|i| i as f64))
                        .filter(|x| *x > 0.0)
                        .ok_or_else(|| ConfigError::Timeout {
                            at: at.clone(),
                            name: name.clone(),
                        })?,
                };
                Kind::Command {
                    command,
                    timeout: std::time::Duration::from_secs_f64(secs),
                }
            }
        };
        out.push(RecommenderConfig { name, kind });
    }
    Ok(out)
}

fn min_score(t: &toml::Table, default: f32, at: &str, name: &str) -> Result<f32, ConfigError> {
    match t.get("min_score") {
        None => Ok(default),
        Some(v) => v
            .as_float()
            .or_else(|| v.as_integer().map(|i| i as f64))
            .filter(|x| (0.0..=1.0).contains(x))
            .map(|x| x as f32)
            .ok_or_else(|| ConfigError::MinScore {
                at: at.to_string(),
                name: name.to_string(),
            }),
    }
}
