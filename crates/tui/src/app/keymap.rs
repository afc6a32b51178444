//! Key → action, as data: the defaults ship in `default_keys.toml`, the
//! user's file is merged over them, and help is built by reverse lookup.

use super::action::Action;
use super::keys::Key;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    List,
    Text,
    /// The text pane in review mode: checked before `Text`.
    Review,
    /// The span list of review mode.
    Spans,
}

impl Context {
    pub const ALL: [Context; 5] = [
        Context::Global,
        Context::List,
        Context::Text,
        Context::Review,
        Context::Spans,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Text => "text",
            Context::Review => "review",
            Context::Spans => "spans",
        }
    }

    fn from_name(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == s)
    }
}

pub const DEFAULT_KEYS: &str = include_str!("default_keys.toml");

/// `[context] key = "action"` tables, values with their place in the file.
pub type KeyTables = BTreeMap<String, BTreeMap<String, toml::Spanned<String>>>;

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    map: BTreeMap<(Context, Key), Action>,
}

impl Keymap {
    pub fn defaults() -> Keymap {
        let tables: KeyTables = toml::from_str(DEFAULT_KEYS).expect("default_keys.toml parses");
        let mut km = Keymap::default();
        let errors = km.merge(&tables, DEFAULT_KEYS, "default_keys.toml");
        assert!(errors.is_empty(), "default keymap: {errors:?}");
        km
    }

    /// Merges `tables` over this map. `"none"` unbinds a key. Returns one
    /// message per entry that could not be used (`file:line:col: what`).
    pub fn merge(&mut self, tables: &KeyTables, src: &str, file: &str) -> Vec<String> {
        let mut errors = Vec::new();
        for (ctx_name, entries) in tables {
            let Some(ctx) = Context::from_name(ctx_name) else {
                errors.push(format!(
                    "{file}: unknown key context [{ctx_name}] (use global, list, text, review or spans)"
                ));
                continue;
            };
            for (key_name, action) in entries {
                let (line, col) = nhan_model::schema::line_col(src, action.span().start);
                let at = format!("{file}:{line}:{col}");
                let key = match Key::parse(key_name) {
                    Ok(k) => k,
                    Err(e) => {
                        errors.push(format!("{at}: {e}"));
                        continue;
                    }
                };
                let name = action.get_ref();
                if name == "none" {
                    self.map.remove(&(ctx, key));
                    continue;
                }
                match Action::from_name(name) {
                    Some(a) => {
                        self.map.insert((ctx, key), a);
                    }
                    None => errors.push(format!(
                        "{at}: unknown action {name:?} (see the help overlay, ?, for the names)"
                    )),
                }
            }
        }
        errors
    }

    /// The action for `key` in `ctx`, falling back to global bindings.
    pub fn lookup(&self, ctx: Context, key: Key) -> Option<Action> {
        self.lookup_in(&[ctx], key)
    }

    /// The action for `key` in the first of `ctxs` that binds it, then global.
    pub fn lookup_in(&self, ctxs: &[Context], key: Key) -> Option<Action> {
        ctxs.iter()
            .chain(&[Context::Global])
            .find_map(|&c| self.map.get(&(c, key)))
            .copied()
    }

    /// Keys bound to `action` in `ctx`, in a stable order.
    pub fn keys_for(&self, ctx: Context, action: Action) -> Vec<Key> {
        self.map
            .iter()
            .filter(|((c, _), a)| *c == ctx && **a == action)
            .map(|((_, k), _)| *k)
            .collect()
    }

    /// `(context, keys, action)` for every bound action, in action order:
    /// what the help overlay shows.
    pub fn bindings(&self) -> Vec<(Context, Vec<Key>, Action)> {
        let mut out = Vec::new();
        for ctx in Context::ALL {
            for &a in Action::all() {
                let keys = self.keys_for(ctx, a);
                if !keys.is_empty() {
                    out.push((ctx, keys, a));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keys::Code;

    #[test]
    fn defaults_follow_the_design() {
        let km = Keymap::defaults();
        assert_eq!(
            km.lookup(Context::Text, Key::char('j')),
            Some(Action::LineDown)
        );
        assert_eq!(
            km.lookup(Context::List, Key::char('j')),
            Some(Action::ListNext)
        );
        assert_eq!(km.lookup(Context::Text, Key::char('q')), Some(Action::Quit));
        assert_eq!(km.lookup(Context::Text, Key::ctrl('r')), Some(Action::Redo));
        assert_eq!(
            km.lookup(Context::Text, Key::char('G')),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.lookup(Context::Text, Key::plain(Code::Tab)),
            Some(Action::ToggleFocus)
        );
        assert_eq!(km.lookup(Context::List, Key::char('1')), None);
    }

    #[test]
    fn user_tables_override_and_report_bad_lines() {
        let src = "[text]\nctrl-s = \"search\"\nj = \"none\"\nz = \"fly\"\n";
        let tables: KeyTables = toml::from_str(src).unwrap();
        let mut km = Keymap::defaults();
        let errs = km.merge(&tables, src, "cfg.toml");
        assert_eq!(
            km.lookup(Context::Text, Key::ctrl('s')),
            Some(Action::Search)
        );
        assert_eq!(km.lookup(Context::Text, Key::char('j')), None);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].starts_with("cfg.toml:4:5: unknown action \"fly\""),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn user_tables_name_tags_either_way() {
        let src = "[text]\nz = \"tag 4\"\nw = \"tag_5\"\n";
        let tables: KeyTables = toml::from_str(src).unwrap();
        let mut km = Keymap::defaults();
        assert!(km.merge(&tables, src, "cfg.toml").is_empty());
        assert_eq!(
            km.lookup(Context::Text, Key::char('z')),
            Some(Action::Tag(4))
        );
        assert_eq!(
            km.lookup(Context::Text, Key::char('w')),
            Some(Action::Tag(5))
        );
        assert_eq!(
            km.lookup(Context::Text, Key::char('3')),
            Some(Action::Tag(3))
        );
    }
}
