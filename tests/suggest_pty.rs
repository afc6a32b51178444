//! Suggestions in the real binary, in a pseudo-terminal: accept one,
//! reject one, quit, start again; the rejected one stays gone and the
//! accepted span carries its `source` in the sidecar.

mod pty_support;
mod support;

use pty_support::*;

const A: &str = "Ngày 1, [Ban Đối ngoại Trung ương]{ORG} họp tại [Hà Nội]{LOC}. Sau đó Ban Đối ngoại Trung ương về Hà Nội.";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nhan.toml"), support::SCHEMA).unwrap();
    support::write_article(dir.path(), "a", A);
    dir
}

fn open(nhan: &mut Nhan) {
    nhan.wait_row(-2, "LIST");
    nhan.send(ENTER);
    nhan.wait_for("the article to open", |s| {
        let bar = status_bar(s);
        bar.contains("TEXT") && bar.contains('@')
    });
}

#[test]
fn accept_and_reject_survive_a_restart() {
    let dir = project();
    let p = dir.path();
    let mut nhan = Nhan::spawn_sized(p, &no_config(p), 170, 20);
    open(&mut nhan);
    // Built and computed off the UI thread, then shown.
    nhan.wait_text("{Ban Đối ngoại Trung ương}ORG?");
    nhan.wait_text("{Hà Nội}LOC?");
    nhan.wait_row(-2, "2 suggested");
    nhan.send(")");
    nhan.wait_row(-1, "suggestion 1/2: ORG");
    nhan.send("y");
    nhan.wait_row(
        -1,
        "accepted ORG “Ban Đối ngoại Trung ương” from dictionary",
    );
    // The cursor went on to the next one: reject it.
    nhan.wait_row(-2, "LOC? “Hà Nội”");
    nhan.send("X");
    nhan.wait_row(-1, "rejected LOC “Hà Nội”");
    nhan.wait_row(-2, "0 suggested");
    nhan.wait_row(-2, "saved");
    let screen = nhan.screen();
    assert!(!screen.contains("{Hà Nội}"), "{screen}");
    nhan.send("q");
    assert!(nhan.wait_exit().success());

    let sc = read_sidecar(p, "a");
    let accepted: Vec<_> = spans(&sc)
        .into_iter()
        .filter(|s| s["source"] == "dictionary")
        .collect();
    assert_eq!(accepted.len(), 1, "{sc}");
    assert_eq!(accepted[0]["label"], "ORG");
    assert_eq!(accepted[0]["text"], "Ban Đối ngoại Trung ương");
    let rejected = std::fs::read_to_string(p.join(".nhan/rejected/a.json")).unwrap();
    assert!(rejected.contains("\"Hà Nội\""), "{rejected}");
    assert!(!rejected.contains("Ban Đối"), "{rejected}");

    let mut nhan = Nhan::spawn_sized(p, &no_config(p), 170, 20);
    open(&mut nhan);
    nhan.wait_row(-2, "0 suggested");
    let screen = nhan.screen();
    assert!(
        !screen.contains("{Hà Nội}LOC?"),
        "rejected stays gone:\n{screen}"
    );
    assert!(
        screen.contains("[Ban Đối ngoại Trung ương]ORG về"),
        "{screen}"
    );
    nhan.send("q");
    assert!(nhan.wait_exit().success());
}
