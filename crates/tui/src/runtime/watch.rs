//! Noticing that a sidecar changed on disk behind nhan's back (`git pull`,
//! `nhan import --force`, a teammate's editor), before a save would write
//! over it and, once a second, while its article is open.
//!
//! Only the writer thread (or the inline executor) runs these checks: it
//! is the one place that knows what nhan itself last wrote to each file,
//! so a save still in flight is never mistaken for someone else's change.

use crate::app::msg::Msg;
use nhan_model::sidecar::Sidecar;
use nhan_store::disk::DiskStamp;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What this writer last left in each file, and the changes it has
/// already reported (a watch tells of one change once, not every second).
#[derive(Default)]
pub struct Memory {
    written: HashMap<PathBuf, Option<DiskStamp>>,
    reported: HashMap<PathBuf, Option<DiskStamp>>,
}

impl Memory {
    /// After a write: the file now holds what nhan wrote.
    pub fn wrote(&mut self, path: &Path, stamp: Option<DiskStamp>) {
        self.written.insert(path.to_path_buf(), stamp);
        self.reported.remove(path);
    }
}

/// Whether `path` changed since the app last read or wrote it
/// (`expected`); if so, what is there now, as the message that tells the
/// app. `before_save` reports a change even if it was reported already:
/// the save must not go ahead either way.
pub fn changed(
    index: usize,
    path: &Path,
    expected: Option<DiskStamp>,
    memory: &mut Memory,
    before_save: bool,
) -> Option<Msg> {
    // A file that cannot be looked at cannot be written either: the save
    // itself says why.
    let now = DiskStamp::of(path).ok()?;
    if now == expected || memory.written.get(path) == Some(&now) {
        return None;
    }
    // Deleted on disk: nothing of anyone's is lost by writing ours again.
    let stamp = now?;
    if !before_save && memory.reported.get(path) == Some(&now) {
        return None;
    }
    memory.reported.insert(path.to_path_buf(), now);
    let shown = path.display().to_string();
    let theirs = nhan_store::sidecar_file::read_bytes(path)
        .map_err(crate::error::TuiError::read)
        .and_then(|bytes| Ok(Sidecar::parse(&bytes, &shown)?))
        .map(Box::new);
    Some(Msg::ChangedOnDisk {
        index,
        on_disk: stamp,
        theirs,
    })
}
