//! The user's own settings file: `config.toml` in the `directories` config
//! folder, or `$NHAN_CONFIG`. Read here; its `[keys]` tables are the app's
//! to understand (they name the app's actions), so they are handed on as
//! the file's text.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub annotator: Option<String>,
    /// The file's `[keys]` tables, if it has any, for the app's keymap.
    pub keys: Option<KeysSource>,
    /// Where the settings came from (shown in help), if a file was read.
    pub path: Option<PathBuf>,
    /// Problems with the file: each names file and line; defaults were used.
    pub warnings: Vec<String>,
    /// Show the recommenders' suggestions in the TUI (`suggestions =
    /// false` annotates without them, e.g. for an agreement study).
    pub suggestions: bool,
}

/// Where the `[keys]` tables are: the whole file's text (key positions are
/// named in messages), its name as shown, and the line of `[keys]`.
#[derive(Debug, Clone)]
pub struct KeysSource {
    pub src: String,
    pub shown: String,
    pub line: usize,
}

/// The settings nhan knows, each read on its own: one that is wrong or
/// unknown is named and skipped, the others still apply.
const KNOWN: &str = "annotator, suggestions, [keys]";

/// The line where top-level setting `key` is written (`key = …`, `[key]`,
/// `[key.…]`), for messages; 1 if not found.
fn line_of(src: &str, key: &str) -> usize {
    src.lines()
        .position(|l| {
            let l = l.trim_start();
            let rest = l
                .strip_prefix('[')
                .unwrap_or(l)
                .trim_start_matches(['"', '\''])
                .strip_prefix(key);
            rest.is_some_and(|r| {
                let r = r.trim_start_matches(['"', '\'']).trim_start();
                r.starts_with('=') || r.starts_with(']') || r.starts_with('.')
            })
        })
        .map_or(1, |i| i + 1)
}

/// `$NHAN_CONFIG`, else `<config dir>/nhan/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NHAN_CONFIG") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "nhan").map(|d| d.config_dir().join("config.toml"))
}

impl Settings {
    /// A missing file means defaults; a bad one means defaults plus warnings.
    pub fn load(path: Option<&Path>) -> Settings {
        let mut cfg = Settings {
            suggestions: true,
            ..Settings::default()
        };
        let Some(path) = path else { return cfg };
        let shown = path.display().to_string();
        let src = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return cfg,
            Err(e) => {
                cfg.warnings.push(format!(
                    "{shown}: cannot read ({e}); using default settings"
                ));
                return cfg;
            }
        };
        cfg.path = Some(path.to_path_buf());
        match toml::from_str::<toml::Table>(&src) {
            Ok(table) => {
                for (key, value) in table {
                    let line = line_of(&src, &key);
                    match (key.as_str(), value) {
                        ("annotator", toml::Value::String(a)) => {
                            cfg.annotator = Some(a).filter(|a| !a.trim().is_empty());
                        }
                        ("annotator", _) => cfg.warnings.push(format!(
                            "{shown}:{line}: annotator must be a name in quotes (annotator = \"lan\"); ignored"
                        )),
                        ("suggestions", toml::Value::Boolean(b)) => cfg.suggestions = b,
                        ("suggestions", _) => cfg.warnings.push(format!(
                            "{shown}:{line}: suggestions must be true or false (suggestions = false); suggestions stay on"
                        )),
                        ("keys", _) => {
                            cfg.keys = Some(KeysSource {
                                src: src.clone(),
                                shown: shown.clone(),
                                line,
                            })
                        }
                        (other, _) => cfg.warnings.push(format!(
                            "{shown}:{line}: unknown setting `{other}` (nhan knows {KNOWN}); ignored, the other settings apply"
                        )),
                    }
                }
            }
            Err(e) => {
                let (line, col) =
                    nhan_model::schema::line_col(&src, e.span().map_or(0, |s| s.start));
                cfg.warnings.push(format!(
                    "{shown}:{line}:{col}: {}; using default settings",
                    e.message()
                ));
            }
        }
        cfg
    }
}

/// The annotator whose folder (`annotations/<name>/`) a blind project is
/// edited in: `name` is the one given on the command line, else the
/// settings file's. It must be given, and usable as a folder name.
pub fn blind_annotator(project_dir: &Path, name: Option<&str>) -> anyhow::Result<String> {
    let Some(name) = name else {
        anyhow::bail!(
            "{}: this project is annotated blind (blind = true in nhan.toml): pass --annotator NAME or set annotator in {}",
            project_dir.display(),
            default_path().map_or("the config file".into(), |p| p.display().to_string())
        );
    };
    let safe = !name.starts_with('.')
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.".contains(c));
    if !safe {
        anyhow::bail!(
            "annotator name {name:?} cannot be a folder name under annotations/: use letters, digits, - _ ."
        );
    }
    Ok(name.to_string())
}
