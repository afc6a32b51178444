//! What a file on disk looked like when nhan last read or wrote it, so
//! that a change made by someone else (git, another tool, a teammate) is
//! noticed before nhan writes over it.

use std::path::Path;
use std::time::SystemTime;

/// Size, modification time and identity of a file. Any write by another
/// program changes at least one of them: an editor or `git checkout`
/// replaces the file (a new inode), an in-place write moves the mtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskStamp {
    pub len: u64,
    pub modified: Option<SystemTime>,
    pub inode: u64,
}

impl DiskStamp {
    /// The file's stamp now; `None` when there is no file.
    pub fn of(path: &Path) -> std::io::Result<Option<DiskStamp>> {
        match std::fs::metadata(path) {
            Ok(m) => Ok(Some(DiskStamp {
                len: m.len(),
                modified: m.modified().ok(),
                inode: inode(&m),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(unix)]
fn inode(m: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(m)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_file_has_another_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        assert_eq!(DiskStamp::of(&p).unwrap(), None);
        std::fs::write(&p, "one").unwrap();
        let first = DiskStamp::of(&p).unwrap();
        assert_eq!(first, DiskStamp::of(&p).unwrap());
        // Same size, written by another program through a rename.
        let tmp = dir.path().join("t");
        std::fs::write(&tmp, "two").unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        assert_ne!(first, DiskStamp::of(&p).unwrap());
    }
}
