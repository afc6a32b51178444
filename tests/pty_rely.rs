//! The real binary in a pseudo-terminal, against what other programs and
//! hostile input do while it runs: sidecars changed on disk, pastes, key
//! bursts (issue 14).

mod pty_support;

use pty_support::*;

const SCHEMA: &str = "[[labels]]\nname = \"PER\"\n[[labels]]\nname = \"LOC\"\n";

fn open_first(nhan: &mut Nhan, shows: &str) {
    nhan.wait_row(-2, "LIST");
    nhan.send(ENTER);
    nhan.wait_for("the article to open", |s| {
        let bar = status_bar(s);
        bar.contains("TEXT") && bar.contains('@')
    });
    nhan.wait_text(shows);
}

fn quit_ok(nhan: &mut Nhan) {
    nhan.send("q");
    let status = nhan.wait_exit();
    assert!(
        status.success(),
        "exit {status}; screen:\n{}",
        nhan.screen()
    );
}

#[test]
fn a_sidecar_changed_on_disk_is_merged_without_a_key_and_never_overwritten() {
    let text = "Lan gặp Minh ở Huế.\n";
    let project = tiny_project(&[("a.txt", text)], Some(SCHEMA));
    let p = project.path();
    let mut nhan = Nhan::spawn(p, &no_config(p));
    open_first(&mut nhan, "Minh");
    nhan.send("1");
    nhan.wait_row(-1, "tagged PER");
    nhan.wait_row(-2, "saved");

    // A teammate's tool adds LOC "Huế" to the sidecar while nhan runs.
    let path = sidecar_path(p, "a");
    let mut sc = read_sidecar(p, "a");
    let (start, end) = char_range(text, "Huế");
    sc["spans"].as_array_mut().unwrap().push(serde_json::json!({
        "id": 77, "start": start, "end": end, "label": "LOC", "text": "Huế"
    }));
    std::fs::write(&path, serde_json::to_string_pretty(&sc).unwrap()).unwrap();
    // No key pressed: the watch notices within a second or two.
    nhan.wait_text("changed on disk");

    // An edit here keeps both the teammate's span and ours (the cursor
    // waits past "Lan": one word on is "Minh").
    nhan.send("l");
    nhan.send("1");
    nhan.wait_row(-1, "tagged PER");
    nhan.wait_row(-2, "saved");
    quit_ok(&mut nhan);
    let labels: Vec<String> = spans(&read_sidecar(p, "a"))
        .iter()
        .map(|s| format!("{} {}", s["label"], s["text"]))
        .collect();
    assert_eq!(
        labels,
        ["\"PER\" \"Lan\"", "\"PER\" \"Minh\"", "\"LOC\" \"Huế\""],
        "{labels:?}"
    );
}

#[test]
fn a_second_nhan_says_read_only_once() {
    let project = tiny_project(&[("a.txt", "Lan gặp Minh.\n")], Some(SCHEMA));
    let p = project.path();
    let mut first = Nhan::spawn(p, &no_config(p));
    first.wait_row(-2, "LIST");
    let mut second = Nhan::spawn(p, &no_config(p));
    second.wait_text("holds");
    let screen = second.screen();
    assert!(!screen.contains("read-only: read-only"), "{screen}");
    open_first(&mut second, "Minh");
    second.wait_text("read-only: ");
    let screen = second.screen();
    assert!(!screen.contains("read-only: read-only"), "{screen}");
    quit_ok(&mut second);
    quit_ok(&mut first);
}

#[test]
fn a_burst_of_keys_longer_than_the_read_buffer_is_all_handled_at_once() {
    let text = "a ".repeat(2000);
    let project = tiny_project(&[("a.txt", &text)], Some(SCHEMA));
    let p = project.path();
    let mut nhan = Nhan::spawn(p, &no_config(p));
    open_first(&mut nhan, "a a a");
    nhan.wait_row(-2, "@0");
    // 1,500 keys in one write: more than crossterm reads at a time.
    nhan.send(&"l".repeat(1500));
    // No further key: every one of them is handled and drawn.
    nhan.wait_row(-2, "@3000");
    // And saved: tag at the end, then quit.
    nhan.send("1");
    nhan.wait_row(-1, "tagged PER");
    quit_ok(&mut nhan);
    let sc = read_sidecar(p, "a");
    assert_eq!(spans(&sc)[0]["start"], 3000);
}

/// What a terminal sends for a paste: wrapped in ESC [200~ … ESC [201~
/// once the program asked for bracketed paste, as raw keys before.
fn paste(nhan: &mut Nhan, text: &str) {
    let asked = String::from_utf8_lossy(&nhan.raw()).contains("\x1b[?2004h");
    if asked {
        nhan.send(&format!("\x1b[200~{text}\x1b[201~"));
    } else {
        nhan.send(text);
    }
}

#[test]
fn a_paste_goes_into_the_prompt_as_text_and_never_runs_as_keys() {
    let text = "Tổng Bí thư Nguyễn Phú Trọng làm việc.\n";
    let project = tiny_project(&[("a.txt", text)], Some(SCHEMA));
    let p = project.path();
    let mut nhan = Nhan::spawn(p, &no_config(p));
    open_first(&mut nhan, "Nguyễn");
    nhan.send("1");
    nhan.wait_row(-1, "tagged PER");
    nhan.wait_row(-2, "saved");
    nhan.send("/");
    nhan.wait_row(-2, "SEARCH");
    // A newline and an `x` in the clipboard: before, Enter searched and
    // `x` deleted the span.
    paste(&mut nhan, "Tổng Bí thư\rx");
    nhan.wait_row(-1, "/Tổng Bí thư x");
    nhan.wait_row(-2, "SEARCH");
    nhan.send(ESC);
    nhan.wait_for("the prompt to close", |s| !status_bar(s).contains("SEARCH"));
    // In the text pane a paste is never keys either.
    paste(&mut nhan, "x");
    nhan.wait_row(-1, "pasted text ignored");
    quit_ok(&mut nhan);
    assert_eq!(
        spans(&read_sidecar(p, "a")).len(),
        1,
        "the span is still there"
    );
}

#[test]
fn a_long_text_typed_into_the_span_filter_keeps_the_interface_responsive() {
    let text = "Lan gặp Minh ở Huế. Lan về Hà Nội.\n";
    let project = tiny_project(&[("a.txt", text)], Some(SCHEMA));
    let p = project.path();
    let mut nhan = Nhan::spawn(p, &no_config(p));
    open_first(&mut nhan, "Minh");
    nhan.send("1");
    nhan.wait_row(-1, "tagged PER");
    nhan.send("r");
    nhan.wait_row(-2, "REVIEW");
    nhan.send("/");
    nhan.wait_row(-2, "FILTER");
    // 100 KB arriving as keys (a terminal without bracketed paste): before,
    // each one refolded the whole filter, minutes in all, Esc unheard. Now
    // the Enter typed after them closes the prompt and keeps the filter,
    // which is the typed text ("Lan" matches "a", not "aa…"): the keys
    // were taken in, then the Enter. How fast is a benchmark's question.
    nhan.send(&"a".repeat(100_000));
    nhan.send(ENTER);
    nhan.wait_for("the filter prompt to close", |s| {
        !status_bar(s).contains("FILTER")
    });
    nhan.wait_text("Spans 0 · article · all · “aaaa");
    // Reopened with the 100 KB filter in it, Esc drops it.
    nhan.send("/");
    nhan.wait_row(-2, "FILTER");
    nhan.send(ESC);
    nhan.wait_text("Spans 1 · article · all ━");
    quit_ok(&mut nhan);
}

/// `n` articles of ten tagged names each, sidecars included.
fn many_articles(n: usize) -> tempfile::TempDir {
    let dir = tiny_project(&[], Some(SCHEMA));
    let p = dir.path();
    std::fs::create_dir_all(p.join("annotations")).unwrap();
    let sentence = "Ông Lan gặp bà Minh ở Huế. ";
    let text = sentence.repeat(10);
    let sha = nhan_model::sidecar::sha256_hex(text.as_bytes());
    let step = sentence.chars().count();
    for i in 0..n {
        std::fs::write(p.join("articles").join(format!("a{i:05}.txt")), &text).unwrap();
        let spans: Vec<serde_json::Value> = (0..10)
            .map(|k| {
                let start = k * step + 4;
                // One article tags one "Lan" LOC: a consistency case.
                let label = if i == 7 && k == 3 { "LOC" } else { "PER" };
                serde_json::json!({"id": k + 1, "start": start, "end": start + 3,
                                   "label": label, "text": "Lan"})
            })
            .collect();
        let sc = serde_json::json!({"nhan": 1, "article": format!("a{i:05}.txt"),
            "text_sha256": sha, "status": "in_progress", "spans": spans});
        std::fs::write(
            p.join("annotations").join(format!("a{i:05}.json")),
            sc.to_string(),
        )
        .unwrap();
    }
    dir
}

#[test]
fn the_project_wide_span_list_fills_in_the_background_and_keys_work_meanwhile() {
    let project = many_articles(3000);
    let p = project.path();
    let mut nhan = Nhan::spawn(p, &no_config(p));
    nhan.wait_row(-2, "LIST");
    // Review from the list: the whole project's spans.
    nhan.send("r");
    nhan.wait_row(-2, "REVIEW");
    // Keys while the articles are read: answered while the list still
    // says it is reading (not once it is done), until it holds every span.
    let screens = keys_until(&mut nhan, "Spans 30000 ");
    assert!(
        screens[0].contains("reading articles"),
        "the first key was answered while the articles were read, and the \
         list said how far it had got:\n{}",
        screens[0]
    );
    // The consistency cases (one surface, two labels): computed in the
    // background while keys work.
    if nhan.screen().contains("REVIEW TEXT") {
        nhan.send("\t");
        nhan.wait_for("the span list", |s| !status_bar(s).contains("REVIEW TEXT"));
    }
    let before = nhan.raw().len();
    nhan.send("c");
    keys_until(&mut nhan, "1 consistency case");
    // The `c` was answered before the cases were there (its frame said
    // they were being computed), and Tab kept working until they came.
    let after = String::from_utf8_lossy(&nhan.raw()[before..]).into_owned();
    assert!(
        after.contains("computing consistency cases"),
        "the key waited for the cases"
    );
    quit_ok(&mut nhan);
}

/// Tab, again and again, until the screen shows `until`: the screens that
/// answered each Tab (every one of them must, within the harness's wait).
fn keys_until(nhan: &mut Nhan, until: &str) -> Vec<String> {
    let mut screens = Vec::new();
    // Enough Tabs for any machine; a list that never fills is a failure.
    for _ in 0..20_000 {
        let text_focus = !nhan.screen().contains("REVIEW TEXT");
        nhan.send("\t");
        let screen = nhan.wait_for("the focus to move", |s| {
            status_bar(s).contains("REVIEW TEXT") == text_focus
        });
        let done = screen.contains(until);
        screens.push(screen);
        if done {
            return screens;
        }
    }
    panic!("never showed {until:?}");
}
