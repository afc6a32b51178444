//! The user's own settings as the app uses them: the settings file read by
//! the store (`nhan_store::config`), with its `[keys]` merged over the
//! default keymap.

use super::keymap::{KeyTables, Keymap};
use nhan_store::config::Settings;
pub use nhan_store::config::default_path;
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

impl Config {
    /// A missing file means defaults; a bad one means defaults plus warnings.
    pub fn load(path: Option<&Path>) -> Config {
        let s = Settings::load(path);
        let mut cfg = Config {
            annotator: s.annotator,
            keymap: Keymap::defaults(),
            path: s.path,
            warnings: s.warnings,
            suggestions: s.suggestions,
        };
        if let Some(k) = s.keys {
            // Read again from the text: key positions are named in messages.
            match toml::from_str::<KeysOnly>(&k.src) {
                Ok(KeysOnly { keys }) => {
                    let errs = cfg.keymap.merge(&keys, &k.src, &k.shown);
                    cfg.warnings.extend(
                        errs.into_iter()
                            .map(|e| format!("{e}; that key keeps its default")),
                    );
                }
                Err(e) => cfg.warnings.push(format!(
                    "{}:{}: [keys]: {}; the default keys are used",
                    k.shown,
                    k.line,
                    e.message()
                )),
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

    #[test]
    fn suggestions_can_be_turned_off_and_a_bad_value_is_named() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        assert!(Config::load(Some(&p)).suggestions);
        std::fs::write(&p, "suggestions = false\n").unwrap();
        let c = Config::load(Some(&p));
        assert!(!c.suggestions && c.warnings.is_empty(), "{:?}", c.warnings);
        std::fs::write(&p, "annotator = \"lan\"\nsuggestions = \"no\"\n").unwrap();
        let c = Config::load(Some(&p));
        assert!(c.suggestions);
        assert!(
            c.warnings[0].contains("c.toml:2: suggestions must be true or false"),
            "{:?}",
            c.warnings
        );
    }
}
