//! Notes and attributes with the real binary in a pseudo-terminal: what
//! the user sees after `#` and `@`, and what ends up on disk.

mod pty_support;

use pty_support::*;
use unicode_normalization::UnicodeNormalization;

const SCHEMA: &str = r#"
[[labels]]
name = "PER"
[labels.attributes]
role = ["official", "other"]
wikidata = "^Q[0-9]+$"

[[labels]]
name = "LOC"
"#;

#[test]
fn a_note_and_attributes_typed_at_the_terminal_reach_the_sidecar() {
    let project = tiny_project(
        &[("a.txt", "Đồng chí Lê Hoài Trung đến Hà Nội.\n")],
        Some(SCHEMA),
    );
    let p = project.path();
    // Wide enough for the status bar to show the note and the save state.
    let mut nhan = Nhan::spawn_sized(p, &no_config(p), 160, 30);
    nhan.wait_row(-2, "LIST");
    nhan.send(ENTER);
    nhan.wait_for("the article to open", |s| status_bar(s).contains("TEXT"));
    nhan.send("llvLL1");
    nhan.wait_row(-1, "tagged PER");
    // The note, typed in NFD as some Vietnamese keyboards send it.
    nhan.send("#");
    nhan.wait_row(-2, "NOTE");
    let note: String = "chưa chắc: chức danh?".nfd().collect();
    nhan.send(&note);
    // A paste with a line break: text in the note, not Enter and a key.
    nhan.send("\x1b[200~ xem §4\nx\x1b[201~");
    nhan.wait_row(-1, "xem §4 x");
    nhan.send(ENTER);
    nhan.wait_row(-1, "note on PER");
    nhan.wait_text("Trung]PER†");
    let bar = nhan.wait_row(-2, "saved");
    let shown: String = bar.nfc().collect();
    assert!(
        shown.contains("✎ chưa chắc: chức danh?"),
        "status bar: {bar}"
    );
    // Attributes: a value from the list, then a free one refused and fixed.
    nhan.send("@");
    nhan.wait_row(-2, "ATTRS");
    nhan.send(ENTER);
    nhan.wait_text("role=official");
    nhan.send("j");
    nhan.send(ENTER);
    nhan.send("Q4x");
    nhan.send(ENTER);
    nhan.wait_row(-1, "not set: wikidata = \"Q4x\" is not allowed");
    nhan.send("\x7f");
    nhan.send(ENTER);
    nhan.wait_text("wikidata=Q4");
    nhan.send(ESC);
    // Esc alone, or the terminal reads Esc and the `q` after it as Alt-q.
    nhan.wait_for("the picker to close", |s| !status_bar(s).contains("ATTRS"));
    nhan.wait_row(-2, "saved");
    nhan.send("q");
    assert!(nhan.wait_exit().success());

    let sc = read_sidecar(p, "a");
    let s = &spans(&sc)[0];
    let want = format!("{note} xem §4 x");
    assert_eq!(s["note"], want.as_str(), "NFD kept as typed");
    assert_eq!(
        s["attrs"],
        serde_json::json!({"role": "official", "wikidata": "Q4"})
    );
}
