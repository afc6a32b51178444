//! Sidecar files on disk: reading one for editing, writing one atomically.
//! The format itself (parsing, the contract's layout) is the model's
//! `sidecar` module; this is only the door to the file.

use crate::atomic::write_atomic_with;
use crate::root::sidecar_root;
use nhan_model::sidecar::{SidecarError, Snapshot, Stored, newer};
use std::io;
use std::path::Path;

/// Parses the sidecar: a small one from its bytes (twice as fast as from a
/// reader, which counts for commands that read a whole project), a large one
/// as it is read (a 100k-span file is never held in memory whole). `Err` is
/// the file's own error; `Ok(Err(..))` is what is wrong inside it, with line
/// and column.
pub fn read(path: &Path) -> io::Result<Result<Stored, SidecarError>> {
    /// Sidecars up to this size are read whole first.
    const SMALL: u64 = 1 << 20;
    let mut f = open(path)?;
    let len = f.metadata()?.len();
    let shown = path.display().to_string();
    let parsed = if len <= SMALL {
        let mut bytes = Vec::with_capacity(len as usize + 1);
        io::Read::read_to_end(&mut f, &mut bytes)?;
        serde_json::from_slice(&bytes)
    } else {
        serde_json::from_reader(io::BufReader::with_capacity(1 << 16, f))
    };
    let sc: Stored = match parsed {
        Ok(sc) => sc,
        Err(e) if e.is_io() => return Err(io::Error::other(e)),
        Err(e) => {
            // Only on the error path: say "merge conflict" rather than
            // "expected value" when git left its markers.
            let markers = read_bytes(path)
                .ok()
                .and_then(|b| nhan_model::sidecar::conflict_error(&b, &shown));
            return Ok(Err(
                markers.unwrap_or_else(|| SidecarError::from_json(&e, &shown))
            ));
        }
    };
    Ok(newer(sc.nhan, &shown).map(|()| sc))
}

/// Opens a sidecar beneath its project folder (see
/// [`crate::root::sidecar_root`]): a regular file only, through no symlink
/// that leaves the project, so a cloned `annotations/a.json -> /dev/zero`
/// or `-> ~/.ssh/id_rsa` is refused with the file named.
pub fn open(path: &Path) -> io::Result<std::fs::File> {
    let (root, rel) = sidecar_root(path)?;
    root.open_regular(rel)
}

/// A sidecar's bytes, read as [`open`] does.
pub fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    let (root, rel) = sidecar_root(path)?;
    root.read(rel)
}

/// Writes the sidecar to `path` atomically, streaming it.
pub fn save(snapshot: &Snapshot, path: &Path) -> io::Result<()> {
    write_atomic_with(path, |w| snapshot.write(w))
}
