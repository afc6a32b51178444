//! The help and the messages overlays' keys: `j`/`k` (or the arrows)
//! scroll them, any other key closes them (and is not acted on).

use super::keys::{Code, Key};

/// The overlay's scroll after `key`, or `None` when the key closes it.
pub fn key(key: Key, scroll: u16) -> Option<u16> {
    match key.code {
        Code::Down | Code::Char('j') => Some(scroll.saturating_add(1)),
        Code::Up | Code::Char('k') => Some(scroll.saturating_sub(1)),
        _ => None,
    }
}
