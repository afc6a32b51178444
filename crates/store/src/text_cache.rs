//! The article texts this machine's nhan has opened, by SHA-256, so that a
//! changed article can be re-anchored through a diff with the text its
//! spans were made on (`reanchor::reanchor_by_diff`).
//!
//! A sidecar holds only the hash of its text. Keeping a copy of the text in
//! the project would double every article in git, so the copy lives in the
//! user's cache folder (`<cache dir>/nhan/texts/<sha256>`, or
//! `$NHAN_CACHE/texts`), never in the project. Every sidecar nhan writes
//! refers to a text it opened, so on the machine where the spans were made
//! the old text is there; elsewhere git history is asked
//! (`git::old_article_text`). A copy is checked against its hash when read:
//! a damaged one is ignored, never used.

use nhan_model::sidecar::sha256_hex;
use std::path::PathBuf;

/// `$NHAN_CACHE/texts`, else `<cache dir>/nhan/texts`.
fn dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NHAN_CACHE") {
        return Some(PathBuf::from(p).join("texts"));
    }
    directories::ProjectDirs::from("", "", "nhan").map(|d| d.cache_dir().join("texts"))
}

/// Keeps `text` (hashing to `sha256`) unless it is kept already: one
/// `stat` when it is. A cache: not synced to disk, and failures ignored.
pub fn remember(sha256: &str, text: &[u8]) {
    if !is_hash(sha256) {
        return;
    }
    let Some(dir) = dir() else { return };
    let path = dir.join(sha256);
    if path.exists() {
        return;
    }
    let _ = std::fs::create_dir_all(&dir);
    // Unpredictable, exclusive and never through a link: another user may
    // share the cache folder's parent.
    let Ok(mut tmp) = tempfile::NamedTempFile::new_in(&dir) else {
        return;
    };
    if std::io::Write::write_all(&mut tmp, text).is_ok() {
        let _ = tmp.persist(&path);
    }
}

/// The text whose SHA-256 is `sha256`, if this machine kept it.
pub fn recall(sha256: &str) -> Option<Vec<u8>> {
    if !is_hash(sha256) {
        return None;
    }
    let bytes = std::fs::read(dir()?.join(sha256)).ok()?;
    (sha256_hex(&bytes) == sha256).then_some(bytes)
}

/// 64 lowercase hex digits: nothing else becomes a file name.
fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_text_comes_back_and_a_bad_key_or_copy_does_not() {
        let text = "Mở đầu. Hà Nội là một. (text_cache test)".as_bytes();
        let sha = sha256_hex(text);
        remember(&sha, text);
        assert_eq!(recall(&sha).as_deref(), Some(text));
        assert_eq!(recall("../../etc/passwd"), None);
        remember("../x", text);
        let other = sha256_hex(b"never kept (text_cache test)");
        assert_eq!(recall(&other), None);
    }
}
