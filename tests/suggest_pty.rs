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

/// `X` and the quit key in one burst: the rejection is written (by the
/// suggestions' writer, not the sidecar's) before nhan exits.
#[test]
fn a_rejection_made_just_before_quitting_is_on_disk_after_exit() {
    for quit in ["q", CTRL_C] {
        let dir = project();
        let p = dir.path();
        let mut nhan = Nhan::spawn_sized(p, &no_config(p), 170, 20);
        open(&mut nhan);
        nhan.wait_row(-2, "2 suggested");
        nhan.send(")");
        nhan.wait_row(-1, "suggestion 1/2: ORG");
        nhan.send(&format!("X{quit}"));
        let status = nhan.wait_exit();
        assert!(status.success(), "{quit:?}: exit {status}");
        let file = p.join(".nhan/rejected/a.json");
        let rejected = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{quit:?}: {}: {e}", file.display()));
        assert!(rejected.contains("Ban Đối ngoại Trung ương"), "{rejected}");
    }
}

const FAKE: &str = r#"
import json, sys, pathlib
pathlib.Path("ran.marker").write_text("ran")
for line in sys.stdin:
    text = json.loads(line)["text"]
    out, at = [], text.find("Lan")
    while at >= 0:
        out.append({"start": at, "end": at + 3, "label": "PER", "score": 0.75})
        at = text.find("Lan", at + 1)
    print(json.dumps({"suggestions": out}), flush=True)
"#;

#[test]
fn a_command_from_nhan_toml_runs_only_after_approve_typed_at_p_and_is_asked_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("nhan.toml"),
        format!(
            "{}\n[[recommenders]]\nname = \"fake\"\ntype = \"command\"\ncommand = [\"python3\", \"fake.py\"]\n",
            support::SCHEMA
        ),
    )
    .unwrap();
    std::fs::write(p.join("fake.py"), FAKE).unwrap();
    support::write_article(p, "a", "Chị Lan đi chợ.");
    let config = no_config(p);

    let mut nhan = Nhan::spawn_sized(p, &config, 170, 20);
    // Said, not asked: the question opens only on its key.
    nhan.wait_row(-1, "recommender fake is not approved: press P to review it");
    assert!(!nhan.screen().contains("type approve"));
    nhan.send("P");
    nhan.wait_row(-1, "it runs `python3 fake.py`; approving covers");
    assert!(!p.join("ran.marker").exists(), "not run before the answer");
    // `y` (accept a suggestion) is no answer: the word is.
    nhan.send("y");
    nhan.wait_row(-1, "(Esc: no) › y ");
    assert!(!p.join("approved-commands.json").exists());
    nhan.send("\x7fapprove\r");
    nhan.wait_row(-1, "approved; recorded in");
    open(&mut nhan);
    nhan.wait_text("{Lan}PER?");
    nhan.wait_row(-2, "1 suggested");
    nhan.send("q");
    assert!(nhan.wait_exit().success());
    let approved = std::fs::read_to_string(p.join("approved-commands.json")).unwrap();
    assert!(approved.contains("fake.py"), "{approved}");

    // Remembered: not asked again, it just runs.
    std::fs::remove_file(p.join("ran.marker")).unwrap();
    let mut nhan = Nhan::spawn_sized(p, &config, 170, 20);
    open(&mut nhan);
    nhan.wait_text("{Lan}PER?");
    assert!(!nhan.screen().contains("type approve"));
    nhan.send("q");
    assert!(nhan.wait_exit().success());

    // A changed command is asked about again; "n" leaves it off.
    let toml = std::fs::read_to_string(p.join("nhan.toml")).unwrap();
    std::fs::write(
        p.join("nhan.toml"),
        toml.replace("\"fake.py\"]", "\"fake.py\", \"-v\"]"),
    )
    .unwrap();
    std::fs::remove_file(p.join("ran.marker")).unwrap();
    let mut nhan = Nhan::spawn_sized(p, &config, 170, 20);
    nhan.wait_row(-1, "recommender fake is not approved");
    nhan.send("P");
    nhan.wait_row(-1, "runs `python3 fake.py -v`");
    nhan.send("\x1b");
    nhan.wait_row(-1, "recommender fake stays off");
    open(&mut nhan);
    nhan.wait_row(-2, "0 suggested");
    assert!(!p.join("ran.marker").exists(), "never ran");
    nhan.send("q");
    assert!(nhan.wait_exit().success());
}

#[test]
fn suggestions_false_in_the_user_config_annotates_without_them() {
    let dir = project();
    let p = dir.path();
    let config = p.join("user-config.toml");
    std::fs::write(&config, "suggestions = false\n").unwrap();
    let mut nhan = Nhan::spawn_sized(p, &config, 170, 20);
    open(&mut nhan);
    nhan.wait_text("Sau đó Ban Đối ngoại Trung ương về Hà Nội.");
    // Time for suggestions to have come, had they been on.
    std::thread::sleep(std::time::Duration::from_millis(500));
    nhan.send(")");
    nhan.wait_row(-1, "suggestions are off in this session");
    let screen = nhan.screen();
    assert!(
        !screen.contains("}ORG?") && !screen.contains("suggested"),
        "{screen}"
    );
    nhan.send("q");
    assert!(nhan.wait_exit().success());
    assert!(!p.join(".nhan").exists(), "nothing computed or stored");
}
