//! The project lock, through the real binary in a pseudo-terminal.

mod pty_support;

use pty_support::*;

/// A `.nhan.lock` planted as a symbolic link to the gold sidecar: the TUI
/// starts read-only, says which file and what to do, refuses edits, and
/// the gold sidecar is byte-identical after quitting.
#[test]
fn a_symlinked_lock_opens_read_only_names_the_file_and_writes_nothing() {
    let text = "Lan gặp Minh ở Hà Nội.\n";
    let project = tiny_project(&[("a.txt", text)], None);
    let p = project.path();
    let gold = sidecar_path(p, "a");
    std::fs::create_dir_all(gold.parent().unwrap()).unwrap();
    let sc = format!(
        "{{\n  \"nhan\": 1,\n  \"article\": \"a.txt\",\n  \"text_sha256\": \"{}\",\n  \"status\": \"in_progress\",\n  \"spans\": []\n}}\n",
        nhan_model::sidecar::sha256_hex(text.as_bytes())
    );
    std::fs::write(&gold, &sc).unwrap();
    std::os::unix::fs::symlink(&gold, p.join(".nhan.lock")).unwrap();
    let mut nhan = Nhan::spawn_sized(p, &no_config(p), 240, 30);
    nhan.wait_row(-2, "LIST");
    nhan.send(ENTER);
    nhan.wait_row(-2, "TEXT");
    let screen = nhan.wait_text("symbolic link");
    assert!(
        screen.contains(".nhan.lock") && screen.contains("rm "),
        "names the file and what to do:\n{screen}"
    );
    nhan.send("l 1");
    nhan.send("1");
    nhan.wait_text("read-only");
    nhan.send("q");
    let status = nhan.wait_exit();
    assert!(status.success(), "{status}");
    assert_eq!(
        std::fs::read_to_string(&gold).unwrap(),
        sc,
        "nothing written"
    );
    assert!(
        std::fs::symlink_metadata(p.join(".nhan.lock"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
