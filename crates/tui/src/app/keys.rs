//! Keys as the app sees them: independent of the terminal library, so the
//! keymap, the config file and the tests all speak the same names
//! (`ctrl-c`, `shift-left`, `pagedown`, `G`, `?`).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Mods {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: Code,
    pub mods: Mods,
}

impl Key {
    /// A key as a terminal reports it. Shift on a character is folded into
    /// the character (`G`, `?`), so `shift-g` and `G` are the same key.
    pub fn new(code: Code, mut mods: Mods) -> Key {
        let code = match code {
            Code::Char(c) if mods.shift && c.is_ascii_lowercase() && !mods.ctrl && !mods.alt => {
                Code::Char(c.to_ascii_uppercase())
            }
            other => other,
        };
        if matches!(code, Code::Char(_) | Code::BackTab) {
            mods.shift = false;
        }
        Key { code, mods }
    }

    pub fn plain(code: Code) -> Key {
        Key::new(code, Mods::default())
    }

    pub fn char(c: char) -> Key {
        Key::plain(Code::Char(c))
    }

    pub fn ctrl(c: char) -> Key {
        Key::new(
            Code::Char(c),
            Mods {
                ctrl: true,
                ..Mods::default()
            },
        )
    }

    /// The typed character, if this key types one into a prompt.
    pub fn typed(&self) -> Option<char> {
        match self.code {
            Code::Char(c) if !self.mods.ctrl && !self.mods.alt => Some(c),
            _ => None,
        }
    }

    pub fn parse(s: &str) -> Result<Key, crate::error::UnknownKey> {
        let mut mods = Mods::default();
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 {
                if let Some(r) = lower.strip_prefix("ctrl-") {
                    mods.ctrl = true;
                    rest = &rest[rest.len() - r.len()..];
                    continue;
                }
                if let Some(r) = lower.strip_prefix("alt-") {
                    mods.alt = true;
                    rest = &rest[rest.len() - r.len()..];
                    continue;
                }
                if let Some(r) = lower.strip_prefix("shift-") {
                    mods.shift = true;
                    rest = &rest[rest.len() - r.len()..];
                    continue;
                }
            }
            break;
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => Code::Enter,
            "esc" | "escape" => Code::Esc,
            "tab" => Code::Tab,
            "backtab" => Code::BackTab,
            "backspace" => Code::Backspace,
            "delete" | "del" => Code::Delete,
            "left" => Code::Left,
            "right" => Code::Right,
            "up" => Code::Up,
            "down" => Code::Down,
            "home" => Code::Home,
            "end" => Code::End,
            "pageup" => Code::PageUp,
            "pagedown" => Code::PageDown,
            "space" => Code::Char(' '),
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                Code::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut cs = rest.chars();
                match (cs.next(), cs.next()) {
                    (Some(c), None) => {
                        Code::Char(if mods.ctrl { c.to_ascii_lowercase() } else { c })
                    }
                    _ => {
                        return Err(crate::error::UnknownKey(s.to_string()));
                    }
                }
            }
        };
        Ok(Key::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.mods.alt {
            f.write_str("Alt-")?;
        }
        if self.mods.shift {
            f.write_str("Shift-")?;
        }
        match self.code {
            Code::Char(' ') => f.write_str("Space"),
            Code::Char(c) => write!(f, "{c}"),
            Code::Enter => f.write_str("Enter"),
            Code::Esc => f.write_str("Esc"),
            Code::Tab => f.write_str("Tab"),
            Code::BackTab => f.write_str("Shift-Tab"),
            Code::Backspace => f.write_str("Backspace"),
            Code::Delete => f.write_str("Delete"),
            Code::Left => f.write_str("←"),
            Code::Right => f.write_str("→"),
            Code::Up => f.write_str("↑"),
            Code::Down => f.write_str("↓"),
            Code::Home => f.write_str("Home"),
            Code::End => f.write_str("End"),
            Code::PageUp => f.write_str("PageUp"),
            Code::PageDown => f.write_str("PageDown"),
            Code::F(n) => write!(f, "F{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_to_what_terminals_send() {
        assert_eq!(
            Key::parse("G").unwrap(),
            Key::new(
                Code::Char('g'),
                Mods {
                    shift: true,
                    ..Mods::default()
                }
            )
        );
        assert_eq!(Key::parse("ctrl-c").unwrap(), Key::ctrl('c'));
        assert_eq!(Key::parse("Ctrl-D").unwrap(), Key::ctrl('d'));
        assert_eq!(Key::parse("-").unwrap(), Key::char('-'));
        assert_eq!(Key::parse("shift-left").unwrap().to_string(), "Shift-←");
        assert_eq!(Key::parse("pagedown").unwrap(), Key::plain(Code::PageDown));
        assert!(Key::parse("nonsense").is_err());
    }
}
