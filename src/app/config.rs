//! The user's own settings: annotator name and key overrides, from
//! `config.toml` in the `directories` config folder, or `$NHAN_CONFIG`.

use super::keymap::{KeyTables, Keymap};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Config {
    pub annotator: Option<String>,
    pub keymap: Keymap,
    /// Where the settings came from (shown in help), if a file was read.
    pub path: Option<PathBuf>,
    /// Problems with the file: each names file and line; defaults were used.
    pub warnings: Vec<String>,
    /// Show the recommenders' suggestions in the TUI (`suggestions =
    /// false` annotates without them, e.g. for an agreement study).
    pub suggestions: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            annotator: None,
            keymap: Keymap::defaults(),
            path: None,
            warnings: Vec::new(),
            suggestions: true,
        }
    }
}

/// The `[keys]` tables, the rest of the file ignored.
#[derive(serde::Deserialize)]
struct KeysOnly {
    #[serde(default)]
    keys: KeyTables,
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

impl Config {
    /// A missing file means defaults; a bad one means defaults plus warnings.
    pub fn load(path: Option<&Path>) -> Config {
        let mut cfg = Config::default();
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
                        // Read again from the text: key positions are
                        // named in messages.
                        ("keys", _) => match toml::from_str::<KeysOnly>(&src) {
                            Ok(KeysOnly { keys }) => {
                                let errs = cfg.keymap.merge(&keys, &src, &shown);
                                cfg.warnings.extend(
                                    errs.into_iter()
                                        .map(|e| format!("{e}; that key keeps its default")),
                                );
                            }
                            Err(e) => cfg.warnings.push(format!(
                                "{shown}:{line}: [keys]: {}; the default keys are used",
                                e.message()
                            )),
                        },
                        (other, _) => cfg.warnings.push(format!(
                            "{shown}:{line}: unknown setting `{other}` (nhan knows {KNOWN}); ignored, the other settings apply"
                        )),
                    }
                }
            }
            Err(e) => {
                let (line, col) =
                    crate::core::schema::line_col(&src, e.span().map_or(0, |s| s.start));
                cfg.warnings.push(format!(
                    "{shown}:{line}:{col}: {}; using default settings",
                    e.message()
                ));
            }
        }
        cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::action::Action;
    use crate::app::keymap::Context;
    use crate::app::keys::Key;

    #[test]
    fn missing_file_means_defaults() {
        let c = Config::load(Some(Path::new("/nonexistent/nhan/config.toml")));
        assert!(c.warnings.is_empty() && c.annotator.is_none());
    }

    #[test]
    fn annotator_and_overrides() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        std::fs::write(
            &p,
            "annotator = \"lan\"\n[keys.text]\nw = \"token_right\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&p));
        assert_eq!(c.annotator.as_deref(), Some("lan"));
        assert_eq!(
            c.keymap.lookup(Context::Text, Key::char('w')),
            Some(Action::TokenRight)
        );
    }

    #[test]
    fn an_unknown_setting_is_named_and_the_rest_still_applies() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        std::fs::write(
            &p,
            "annotator = \"lan\"\ntheme = \"dark\"\n[keys.text]\nw = \"token_right\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&p));
        assert_eq!(c.annotator.as_deref(), Some("lan"));
        assert_eq!(
            c.keymap.lookup(Context::Text, Key::char('w')),
            Some(Action::TokenRight)
        );
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(
            c.warnings[0].contains("c.toml:2:")
                && c.warnings[0].contains("unknown setting `theme`"),
            "{}",
            c.warnings[0]
        );
        // A wrong type for one setting leaves the others too.
        std::fs::write(&p, "annotator = 3\n[keys.text]\nw = \"token_right\"\n").unwrap();
        let c = Config::load(Some(&p));
        assert!(c.warnings[0].contains("c.toml:1:"), "{:?}", c.warnings);
        assert_eq!(
            c.keymap.lookup(Context::Text, Key::char('w')),
            Some(Action::TokenRight)
        );
    }

    #[test]
    fn broken_file_names_line_and_keeps_defaults() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        std::fs::write(&p, "annotator = \"lan\"\nkeys = [\n").unwrap();
        let c = Config::load(Some(&p));
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].contains("c.toml:"), "{}", c.warnings[0]);
        assert_eq!(
            c.keymap.lookup(Context::Text, Key::char('j')),
            Some(Action::LineDown)
        );
    }
}
