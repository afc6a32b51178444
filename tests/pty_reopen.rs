//! nhan reopens the article and cursor where the user quit, through the
//! real binary: the place is kept in the user's state, not the project.

mod pty_support;

use pty_support::*;

fn files(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = walk(dir);
    v.sort();
    v
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

#[test]
fn the_last_article_and_cursor_come_back_on_restart() {
    let project = tiny_project(
        &[
            ("a.txt", "Một bài đầu.\n"),
            ("b.txt", "Lan gặp Minh ở Hà Nội hôm nay.\n"),
        ],
        None,
    );
    let p = project.path();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    let before = files(p);

    let state = home.path().join("state.json");
    let env = [("NHAN_STATE", state.to_str().unwrap())];
    let mut nhan = Nhan::spawn_with(p, &config, 100, 30, &env);
    nhan.wait_row(-2, "LIST");
    nhan.send("j");
    nhan.send(ENTER);
    nhan.wait_row(-2, "TEXT");
    // To "Hà": the fifth token, at code point 15.
    nhan.send("l l l l");
    nhan.wait_row(-2, "@15");
    nhan.send("q");
    assert!(nhan.wait_exit().success());
    assert!(state.exists());
    // Nothing of the place in the project (the lock and the suggestion
    // cache are nhan's own, and there before this feature).
    let new: Vec<String> = files(p)
        .into_iter()
        .filter(|f| !before.contains(f))
        .filter(|f| !f.ends_with(".nhan.lock") && !f.contains("/.nhan/"))
        .collect();
    assert!(new.is_empty(), "written into the project: {new:?}");

    let mut nhan = Nhan::spawn_with(p, &config, 100, 30, &env);
    nhan.wait_row(-2, "@15");
    nhan.wait_row(-2, "b.txt");
    nhan.wait_text("reopened where you left off: b @15");
    // The cursor is really there: a digit tags "Hà".
    nhan.send("1");
    nhan.wait_text("PER");
    nhan.send("q");
    assert!(nhan.wait_exit().success());
    let sc = read_sidecar(p, "b");
    assert_eq!(spans(&sc)[0]["text"], "Hà");
}
