//! A cloned project can't hurt you: each test plants what a hostile clone
//! could carry (symlinks, devices, crafted `.nhan/` files, odd names) and
//! checks that nhan writes, removes and reads nothing it should not, and
//! says what it refused.

mod support;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use support::{project, write_article};

/// Runs the real binary on `dir` with a cache folder of its own; returns
/// the exit code, stdout and stderr.
fn nhan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(dir)
        .args(args)
        .env("NHAN_CACHE", cache.path())
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A project with two tagged, done articles.
fn clone() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    project::init(d.path(), support::SCHEMA);
    write_article(d.path(), "a", "[Lan]{PER} ở [Hà Nội]{LOC}.");
    write_article(d.path(), "b", "[Minh]{PER} về [Huế]{LOC}.");
    d
}

// 1. An export removes and writes only what it created, never through a
// symlink.

#[test]
fn an_export_deletes_nothing_through_symlinks_planted_in_out() {
    let d = clone();
    let p = d.path();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let out = p.join("out");
    std::fs::create_dir(&out).unwrap();
    symlink("..", out.join("up")).unwrap();
    symlink(outside.path(), out.join("outside")).unwrap();
    std::fs::write(
        out.join("nhan-export.json"),
        r#"{"files": ["up/annotations/a.json", "up/nhan.toml", "outside/victim.txt"]}"#,
    )
    .unwrap();
    let gold = std::fs::read(p.join("annotations/a.json")).unwrap();
    let (_code, _, err) = nhan(p, &["export", "--format", "conll", "--out", "out/"]);
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "precious",
        "{err}"
    );
    assert_eq!(std::fs::read(p.join("annotations/a.json")).unwrap(), gold);
    assert!(p.join("nhan.toml").exists(), "nhan.toml was deleted: {err}");
}

#[test]
fn a_symlinked_part_folder_receives_no_split_output() {
    let d = clone();
    let p = d.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = p.join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("nhan-export.json"), r#"{"files": []}"#).unwrap();
    symlink(elsewhere.path(), out.join("train")).unwrap();
    let (code, _, err) = nhan(
        p,
        &[
            "export",
            "--format",
            "brat",
            "--status",
            "any",
            "--out",
            "out/",
            "--split",
            "0.5,0.25,0.25",
        ],
    );
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "the export wrote through out/train: {err}"
    );
    assert_ne!(code, 0, "a refused part folder is an error");
    assert!(
        err.contains("train") && err.contains("symbolic link"),
        "{err}"
    );
}

// 6. A `.nhan` or `annotations/` symlink makes nhan write nothing outside.

#[test]
fn a_symlinked_dot_nhan_receives_no_cache_nor_suggestions() {
    let d = clone();
    let p = d.path();
    let elsewhere = tempfile::tempdir().unwrap();
    symlink(elsewhere.path(), p.join(".nhan")).unwrap();
    let (_code, _out, err) = nhan(p, &["suggest"]);
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "nhan wrote through the .nhan symlink: {err}"
    );
    assert!(
        err.contains(".nhan") && err.contains("symbolic link"),
        "{err}"
    );
}

#[test]
fn a_symlinked_annotations_folder_receives_no_sidecar() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    project::init(p, support::SCHEMA);
    std::fs::create_dir(p.join("articles")).unwrap();
    std::fs::write(p.join("articles/a.txt"), "Lan ở Hà Nội.").unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    symlink(elsewhere.path(), p.join("annotations")).unwrap();
    let project = nhan_store::project::Project::open(p).unwrap();
    let mut h = support::Harness {
        app: nhan_tui::runtime::App::new(project, Default::default(), (100, 30)),
        dir: d,
    };
    h.keys("enter /");
    h.type_text("Lan");
    h.keys("enter 1");
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "a sidecar went through the annotations symlink"
    );
    assert!(h.message().contains("symbolic link"), "{}", h.message());
}

// 12. git-setup writes no file through a symlink, and nothing into the
// project's own files (it configures the clone: .git/info and git config).

#[test]
fn git_setup_writes_through_no_symlink_and_copies_nothing_in() {
    let d = clone();
    let p = d.path();
    assert!(
        Command::new("git")
            .arg("init")
            .arg("-q")
            .arg(p)
            .status()
            .unwrap()
            .success()
    );
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret");
    std::fs::write(&secret, "ssh key\n").unwrap();
    let is_link = |path: &Path| {
        std::fs::symlink_metadata(path)
            .unwrap()
            .file_type()
            .is_symlink()
    };
    // A symlinked .gitignore in the project is not written at all.
    symlink(&secret, p.join(".gitignore")).unwrap();
    let (code, _, err) = nhan(p, &["git-setup"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "ssh key\n");
    assert!(is_link(&p.join(".gitignore")), "the link was replaced");
    // A symlink where git-setup writes is refused, named, and untouched.
    let exclude = p.join(".git/info/exclude");
    std::fs::remove_file(&exclude).unwrap();
    symlink(&secret, &exclude).unwrap();
    let (code, _, err) = nhan(p, &["git-setup"]);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains("info/exclude") && err.contains("symbolic link"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "ssh key\n");
    assert!(
        is_link(&exclude),
        "the link was replaced by a copy of its target"
    );
}

// 18. Only regular files are read as articles.

/// [`nhan`] for a run that may hang on the old code: killed after a minute
/// (a guard against a hang, not a measure of speed); `None` then.
fn nhan_or_hang(dir: &Path, args: &[&str]) -> Option<(i32, String, String)> {
    let cache = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(dir)
        .args(args)
        .env("NHAN_CACHE", cache.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn device_and_fifo_articles_are_refused_by_name_and_the_rest_is_counted() {
    let d = clone();
    let p = d.path();
    symlink("/dev/zero", p.join("articles/zero.txt")).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        p.join("articles/pipe.txt"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    let (_code, out, err) = nhan_or_hang(p, &["stats"]).expect("nhan stats hung");
    let all = format!("{out}{err}");
    assert!(all.contains("zero.txt: leads outside the folder"), "{all}");
    assert!(all.contains("pipe.txt: is a FIFO"), "{all}");
    assert!(out.contains("4 articles"), "{out}");
    let (code, out, err) = nhan_or_hang(p, &["validate"]).expect("nhan validate hung");
    let all = format!("{out}{err}");
    assert_eq!(code, 1, "{all}");
    assert!(
        all.contains("pipe.txt: is a FIFO (named pipe), not a regular file"),
        "{all}"
    );
}

/// A cloned sidecar may be a symlink to a file outside the project, or to
/// a device: no command reads through it (the outside file's spans are
/// never counted, exported or shown), each names the file, and none hangs.
#[test]
fn sidecars_symlinked_outside_or_to_a_device_are_refused_by_every_command() {
    let d = clone();
    let p = d.path();
    // A valid sidecar outside, with a label the project would count.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("secret.json");
    std::fs::copy(p.join("annotations/a.json"), &victim).unwrap();
    std::fs::remove_file(p.join("annotations/a.json")).unwrap();
    symlink(&victim, p.join("annotations/a.json")).unwrap();
    std::fs::remove_file(p.join("annotations/b.json")).unwrap();
    symlink("/dev/zero", p.join("annotations/b.json")).unwrap();

    let (_code, out, err) = nhan_or_hang(p, &["stats"]).expect("nhan stats hung");
    let all = format!("{out}{err}");
    assert!(all.contains("a.json: leads outside the folder"), "{all}");
    assert!(all.contains("b.json: leads outside the folder"), "{all}");
    assert!(
        out.contains("2 articles, 0 spans"),
        "an outside sidecar was counted: {all}"
    );

    let (code, out, err) = nhan_or_hang(p, &["validate"]).expect("nhan validate hung");
    let all = format!("{out}{err}");
    assert_eq!(code, 1, "{all}");
    assert!(all.contains("a.json: leads outside the folder"), "{all}");

    let out_dir = tempfile::tempdir().unwrap();
    let out_arg = out_dir.path().join("x");
    let (_code, _out, err) = nhan_or_hang(
        p,
        &[
            "export",
            "--format",
            "conll",
            "--status",
            "all",
            "--out",
            out_arg.to_str().unwrap(),
        ],
    )
    .expect("nhan export hung");
    let written = std::fs::read_to_string(out_arg.join("data.conll")).unwrap_or_default();
    assert!(
        !written.contains("B-PER"),
        "exported through the link: {written}\n{err}"
    );
}

// 7. One stem rule everywhere: `a.txt` and `a.txt.txt` keep their own
// sidecars.

fn import_jsonl(p: &Path, lines: &[serde_json::Value]) -> (i32, String, String) {
    let input = p.join("in.jsonl");
    let body: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&input, body.join("\n") + "\n").unwrap();
    nhan(p, &["import", "--format", "jsonl", input.to_str().unwrap()])
}

#[test]
fn articles_whose_names_differ_by_a_txt_keep_their_own_spans() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    project::init(p, support::SCHEMA);
    std::fs::create_dir(p.join("articles")).unwrap();
    let (code, _, err) = import_jsonl(
        p,
        &[
            serde_json::json!({"article": "a.txt", "text": "Lan ở Huế.", "label": [[0, 3, "PER"]]}),
            serde_json::json!({"article": "a.txt.txt", "text": "Minh về Huế.", "label": [[8, 11, "LOC"]]}),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, err) = nhan(p, &["stats", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect(&err);
    assert_eq!(v["spans"], 2, "{out}");
    assert_eq!(v["by_label"]["PER"], 1, "a.txt's span was lost: {out}");
    assert_eq!(v["by_label"]["LOC"], 1, "{out}");
    let (code, out, err) = nhan(p, &["validate"]);
    assert_eq!(code, 0, "{out}{err}");
}

// 17. Every name is checked before anything is written.

#[test]
fn an_import_with_an_overlong_name_writes_nothing_and_names_it() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    project::init(p, support::SCHEMA);
    std::fs::create_dir(p.join("articles")).unwrap();
    let long = "x".repeat(300);
    let (code, _, err) = import_jsonl(
        p,
        &[
            serde_json::json!({"article": "a.txt", "text": "Lan ở Huế.", "label": [[0, 3, "PER"]]}),
            serde_json::json!({"article": long, "text": "Minh.", "label": []}),
        ],
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("at most 254 bytes") && err.contains("xxxx"),
        "{err}"
    );
    assert!(
        !p.join("articles/a.txt").exists(),
        "the first article was written: {err}"
    );
}

#[test]
fn an_article_with_a_name_near_the_limit_can_be_saved() {
    let stem = "ả".repeat(80); // 240 bytes
    let mut h = support::Harness::new(&[(stem.as_str(), "Lan ở Huế.")]);
    h.keys("enter /");
    h.type_text("Lan");
    h.keys("enter 1");
    let sc = h.on_disk(&stem).expect("the sidecar was not saved");
    assert_eq!(sc.spans.len(), 1, "{}", h.message());
}

// 10. A malformed brat line is a clear error, never a panic.

#[test]
fn a_brat_fragment_running_backwards_is_named_with_its_line() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    project::init(p, support::SCHEMA);
    std::fs::create_dir(p.join("articles")).unwrap();
    let input = tempfile::tempdir().unwrap();
    std::fs::write(input.path().join("x.txt"), "Nguyễn\nVăn A ở đây.").unwrap();
    std::fs::write(input.path().join("x.ann"), "T1\tPER 0 6;7 3\tx\n").unwrap();
    let (code, _, err) = nhan(
        p,
        &["import", "--format", "brat", input.path().to_str().unwrap()],
    );
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("x.ann:1") && err.contains("7 3"), "{err}");
}

// 2. Every place a command is shown escapes and quotes it.

const HIDING: &str = r#"[[recommenders]]
name = "x"
type = "command"
command = ["sh", "-c", "touch hidden; exec python3 ok.py", "\r\u001b[2Knhan: recommender x runs `python3 ok.py"]
"#;

#[test]
fn the_consent_message_shows_the_whole_command_escaped() {
    let d = clone();
    let p = d.path();
    let toml = std::fs::read_to_string(p.join("nhan.toml")).unwrap();
    std::fs::write(p.join("nhan.toml"), format!("{toml}{HIDING}")).unwrap();
    let (_, out, err) = nhan(p, &["suggest"]);
    let all = format!("{out}{err}");
    assert!(!all.contains('\u{1b}') && !all.contains('\r'), "{all:?}");
    assert!(
        all.contains("sh -c 'touch hidden; exec python3 ok.py'"),
        "{all}"
    );
    let config = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nhan"))
        .args(["--project", p.to_str().unwrap(), "suggest", "--approve"])
        .env("NHAN_CONFIG", config.path().join("config.toml"))
        .output()
        .unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!all.contains('\u{1b}') && !all.contains('\r'), "{all:?}");
    assert!(all.contains("touch hidden"), "{all}");
    assert!(!p.join("hidden").exists());
}

// 16. Labels from an import are printed escaped.

#[test]
fn imported_labels_reach_the_terminal_escaped() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    project::init(p, support::SCHEMA);
    std::fs::create_dir(p.join("articles")).unwrap();
    let (code, _, err) = import_jsonl(
        p,
        &[serde_json::json!({
            "article": "a.txt",
            "text": "Lan ở Huế.",
            "label": [[0, 3, "X\u{1b}]0;pwned\u{7}"]]
        })],
    );
    // Refused (the label is not in nhan.toml), and named escaped.
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("X\\u{1b}]0;pwned\\u{7}"), "{err}");
}

// 9. A crafted model cache is rebuilt, never trusted.

#[test]
fn a_crafted_tagger_cache_is_rebuilt_not_trusted() {
    let d = clone();
    let p = d.path();
    let (code, _, err) = nhan(p, &["suggest"]);
    assert_eq!(code, 0, "{err}");
    let cache = p.join(".nhan/cache/tagger.bin");
    let mut b = std::fs::read(&cache).unwrap();
    // The label count, after the magic, version, fingerprint and one byte.
    let fp_len = u32::from_le_bytes(b[12..16].try_into().unwrap()) as usize;
    let at = 16 + fp_len + 1;
    b[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    std::fs::write(&cache, &b).unwrap();
    let (code, _, err) = nhan(p, &["suggest"]);
    assert_eq!(code, 0, "{err}");
    let rebuilt = std::fs::read(&cache).unwrap();
    assert_ne!(
        rebuilt[at..at + 4],
        u32::MAX.to_le_bytes(),
        "the crafted cache was kept"
    );
}

// 13. A recommender that misbehaves is named; nhan does not die with it.

/// A project whose only recommender is `command` (approved), with one long
/// article.
fn with_recommender(command: &str, timeout: f64) -> (tempfile::TempDir, tempfile::TempDir) {
    with_recommender_files(command, timeout, &[])
}

/// [`with_recommender`] with `(path, contents)` files written before the
/// approval.
fn with_recommender_files(
    command: &str,
    timeout: f64,
    files: &[(&str, &str)],
) -> (tempfile::TempDir, tempfile::TempDir) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    for (f, body) in files {
        let f = p.join(f);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, body).unwrap();
    }
    project::init(
        p,
        &format!(
            "{}[[recommenders]]\nname = \"r\"\ntype = \"command\"\ncommand = {command}\ntimeout = {timeout}\n",
            support::SCHEMA
        ),
    );
    std::fs::create_dir(p.join("articles")).unwrap();
    // More than a pipe holds (64 KB), so that writing it blocks or fails.
    std::fs::write(p.join("articles/a.txt"), "Lan ở Huế. ".repeat(20_000)).unwrap();
    let config = tempfile::tempdir().unwrap();
    let out = suggest_as(p, config.path(), &["--approve"]);
    assert!(out.status.success(), "{out:?}");
    (d, config)
}

fn suggest_as(p: &Path, config: &Path, more: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nhan"))
        .args(["--project", p.to_str().unwrap(), "suggest"])
        .args(more)
        .env("NHAN_CONFIG", config.join("config.toml"))
        .env("NHAN_CACHE", config.join("cache"))
        .output()
        .unwrap()
}

#[test]
fn a_recommender_that_quits_early_is_named_and_nhan_lives() {
    let (d, config) = with_recommender(r#"["sh", "-c", "exit 3"]"#, 5.0);
    let out = suggest_as(d.path(), config.path(), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(
        out.status.code(),
        None,
        "nhan was killed by a signal: {:?}",
        out.status
    );
    assert!(err.contains("recommender r"), "{err}");
}

#[test]
fn a_timed_out_recommender_is_stopped_with_its_children() {
    let pid_file = tempfile::NamedTempFile::new().unwrap();
    let cmd = format!(
        r#"["sh", "-c", "sleep 300 & echo $! > {}; sleep 300"]"#,
        pid_file.path().display()
    );
    let (d, config) = with_recommender(&cmd, 1.0);
    let out = suggest_as(d.path(), config.path(), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("recommender r") && err.contains("no answer"),
        "{err}"
    );
    let pid = std::fs::read_to_string(pid_file.path()).unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()));
    // Gone, or a zombie waiting to be reaped: not running.
    let alive = stat.is_ok_and(|s| s.split(' ').nth(2).is_none_or(|st| st != "Z"));
    assert!(!alive, "the recommender's child outlived it");
}

// 3, 4. An approval covers the command and every file under the folders it
// runs code from, and is checked before every run.

const ANSWER: &str = "while read l; do echo '{\"suggestions\": []}'; done\n";

#[test]
fn a_new_file_beside_an_approved_script_asks_again() {
    let (d, config) = with_recommender_files(
        r#"["python3", "scripts/recommenders/r.py"]"#,
        5.0,
        &[("scripts/recommenders/r.py", "import sys\n")],
    );
    let p = d.path();
    // Python puts the script's folder first on sys.path: this shadows the
    // standard module.
    std::fs::write(
        p.join("scripts/recommenders/unicodedata.py"),
        "open('pwned', 'w')\n",
    )
    .unwrap();
    let out = suggest_as(p, config.path(), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not approved"), "{err}");
    assert!(
        err.contains("scripts/recommenders/"),
        "the message says what approval covers: {err}"
    );
    assert!(!p.join("pwned").exists());
}

#[test]
fn an_approval_is_checked_before_every_run_not_once_per_engine() {
    let (d, config) = with_recommender_files(r#"["sh", "rec/r.sh"]"#, 5.0, &[("rec/r.sh", ANSWER)]);
    let p = d.path();
    // SAFETY: no other test of this file reads NHAN_CONFIG in-process; the
    // programs they start are given their own.
    unsafe { std::env::set_var("NHAN_CONFIG", config.path().join("config.toml")) };
    let r = nhan_suggest::command::CommandRecommender {
        name: "r".into(),
        command: vec!["sh".into(), "rec/r.sh".into()],
        dir: p.to_path_buf(),
        timeout: std::time::Duration::from_secs(5),
    };
    let first = r.run_batch(&[("a.txt", "Lan")]);
    assert!(first[0].is_ok(), "{first:?}");
    std::fs::write(p.join("rec/r.sh"), format!("touch changed.ran\n{ANSWER}")).unwrap();
    let second = r.run_batch(&[("b.txt", "Minh")]);
    let e = second[0].as_ref().unwrap_err();
    assert!(e.is_not_approved(), "{e:?}");
    let e = e.to_string();
    assert!(e.contains("not approved"), "{e}");
    assert!(!p.join("changed.ran").exists(), "the changed script ran");
}

// 19. Messages say what really happened.

#[test]
fn a_corrupt_rejections_file_is_named_not_still_being_read() {
    let mut h = support::Harness::new(&[("a", "Ngày 1, [Hà Nội]{LOC} họp. Sau đó về Hà Nội.")]);
    let rej = h.dir.path().join(".nhan/rejected");
    std::fs::create_dir_all(&rej).unwrap();
    std::fs::write(rej.join("a.json"), "{oops").unwrap();
    h.app.enable_suggestions();
    h.keys("enter ) X");
    let m = h.message();
    assert!(!m.contains("still being read"), "{m}");
    assert!(m.contains("a.json"), "{m}");
    assert_eq!(
        std::fs::read_to_string(rej.join("a.json")).unwrap(),
        "{oops"
    );
}

#[test]
fn a_span_past_the_end_of_the_text_is_called_that() {
    use nhan_model::document::{Document, SpanRefused};
    let d = Document::new("t.txt", nhan_model::text::Text::new("Huế"), "");
    let e = d
        .check_new_extent(1, 40, nhan_model::schema::Overlap::Nested, None)
        .unwrap_err();
    assert!(matches!(e, SpanRefused::PastTheEnd { .. }), "{e}");
    assert!(e.to_string().contains("past the end"), "{e}");
}

// 14. Stored suggestions are fitted like computed ones.

#[test]
fn stored_suggestions_are_fitted_to_the_span_rules() {
    use nhan_tui::app::msg::Msg;
    use nhan_tui::app::suggestions::{SuggestEffect, SuggestMsg};
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    project::init(p, support::SCHEMA);
    std::fs::create_dir(p.join("articles")).unwrap();
    let text = "Chị Lan đi chợ.";
    std::fs::write(p.join("articles/a.txt"), text).unwrap();
    let sha = nhan_model::sidecar::sha256_hex(text.as_bytes());
    std::fs::create_dir_all(p.join(".nhan/suggestions")).unwrap();
    let s = |start: usize, end: usize, label: &str| serde_json::json!({"start": start, "end": end, "label": label, "score": 0.9, "source": "x"});
    std::fs::write(
        p.join(".nhan/suggestions/a.json"),
        serde_json::json!({
            "article": "a.txt",
            "text_sha256": sha,
            // " Lan " with its spaces, one past the text, one of no label.
            "suggestions": [s(3, 8, "PER"), s(10, 400, "LOC"), s(0, 3, "NOPE")]
        })
        .to_string(),
    )
    .unwrap();
    let project = nhan_store::project::Project::open(p).unwrap();
    let msg = nhan_tui::runtime::suggest::run(
        &project,
        SuggestEffect::LoadStored {
            index: 0,
            revision: 0,
            file_name: "a.txt".into(),
            text_sha256: sha,
        },
    );
    let Msg::Suggest(SuggestMsg::Computed { list, .. }) = msg else {
        panic!("{msg:?}")
    };
    let got: Vec<(usize, usize, &str)> = list
        .iter()
        .map(|s| (s.start, s.end, s.label.as_str()))
        .collect();
    assert_eq!(got, [(4, 7, "PER"), (11, 15, "LOC")]);
}

// 20. Import and validate agree.

#[test]
fn import_refuses_one_extent_with_two_labels_as_validate_does() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    project::init(p, support::SCHEMA);
    std::fs::create_dir(p.join("articles")).unwrap();
    let (code, _, err) = import_jsonl(
        p,
        &[serde_json::json!({
            "article": "a.txt",
            "text": "Lan ở Huế.",
            "label": [[0, 3, "PER"], [0, 3, "LOC"]]
        })],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("one extent holds one label"), "{err}");
    assert!(!p.join("annotations/a.json").exists());
}

// 5. The approval question appears only on a deliberate key.

/// A project whose `nhan.toml` names a command recommender nobody
/// approved (the approval list is per project folder, and this one is
/// new), with one article: the suggestions engine is built by the first
/// key, as a background build would end while keys are being typed.
fn with_unapproved_recommender(marked: &str) -> support::Harness {
    let dir = tempfile::tempdir().unwrap();
    project::init(
        dir.path(),
        &format!(
            "{}\n[[recommenders]]\nname = \"fake\"\ntype = \"command\"\ncommand = [\"python3\", \"fake.py\"]\n",
            support::SCHEMA
        ),
    );
    write_article(dir.path(), "a", marked);
    let project = nhan_store::project::Project::open(dir.path()).unwrap();
    let mut app =
        nhan_tui::runtime::App::new(project, nhan_tui::app::config::Config::default(), (100, 30));
    app.enable_suggestions();
    support::Harness { dir, app }
}

#[test]
fn keys_typed_when_a_build_finds_an_unapproved_command_go_to_the_text() {
    use nhan_tui::app::state::Overlay;
    let mut h = with_unapproved_recommender("Chị Lan đi chợ.");
    // The build ends after `enter`; the keys after it are the annotator's.
    h.keys("enter l v 1");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert_eq!(h.markup(), "Chị [Lan]{PER} đi chợ.");
    let said: Vec<&str> = h
        .app
        .state
        .message_log
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert!(
        said.contains(&"recommender fake is not approved: press P to review it"),
        "{said:?}"
    );
    // Still said after the message line moved on.
    let bar = |h: &support::Harness| {
        nhan_tui::ui::suggestions::status(&h.app.state, h.app.state.article().unwrap()).unwrap()
    };
    assert!(bar(&h).contains("fake not approved (P)"), "{}", bar(&h));
    // The deliberate key asks; typing into it is no answer but `approve`.
    h.keys("P");
    assert!(!bar(&h).contains("not approved"), "{}", bar(&h));
    assert!(
        matches!(h.app.state.overlay, Overlay::Suggest(_)),
        "{:?}",
        h.app.state.overlay
    );
    h.keys("y esc");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert!(h.message().contains("stays off"), "{}", h.message());
    // Asked once: the key has nothing more to ask.
    h.keys("P");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert!(
        h.message().contains("no recommender is waiting"),
        "{}",
        h.message()
    );
}

// 19. A failed engine build is called that, not "still being computed".

#[test]
fn keys_wanting_suggestions_after_a_failed_build_say_why_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    project::init(
        p,
        &format!(
            "{}\n[[recommenders]]\nname = \"places\"\ntype = \"dictionary\"\ngazetteers = [\"g.tsv\"]\n",
            support::SCHEMA
        ),
    );
    std::fs::write(p.join("g.tsv"), "Hà Nội LOC\n").unwrap();
    write_article(p, "a", "[Hà Nội]{LOC} họp. Sau đó về Hà Nội.");
    let project = nhan_store::project::Project::open(p).unwrap();
    let app =
        nhan_tui::runtime::App::new(project, nhan_tui::app::config::Config::default(), (100, 30));
    let mut h = support::Harness { dir, app };
    h.app.enable_suggestions();
    h.keys("enter");
    for key in [")", "(", "y", "X", "E"] {
        h.keys(key);
        let m = h.message();
        assert!(!m.contains("still being computed"), "{key}: {m}");
        assert!(m.contains("could not be built"), "{key}: {m}");
        assert!(m.contains("g.tsv:1"), "{key}: {m}");
        assert!(m.contains("start nhan again"), "{key}: {m}");
    }
}

// 15. Any span id is drawn: no flag is smuggled into ids.

#[test]
fn a_span_id_with_bit_63_set_is_imported_and_drawn_in_the_text() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    project::init(p, support::SCHEMA);
    // nhan's own Label Studio export carries the span id; 2⁶³ + 5 is a
    // u64 as good as any (the sidecar's ids are u64).
    let task = r#"[{"id": 7, "data": {"text": "Lan ở Huế", "article": "a.txt"}, "annotations": [{"result": [
        {"id": "9223372036854775813", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 3, "text": "Lan", "labels": ["PER"]}},
        {"id": "3", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 6, "end": 9, "text": "Huế", "labels": ["LOC"]}}
    ]}]}]"#;
    std::fs::write(p.join("ls.json"), task).unwrap();
    let (code, _, err) = nhan(p, &["import", "--format", "label-studio", "ls.json"]);
    assert_eq!(code, 0, "{err}");
    let sc = std::fs::read_to_string(p.join("annotations/a.json")).unwrap();
    assert!(sc.contains(r#""id": 9223372036854775813"#), "{sc}");

    let project = nhan_store::project::Project::open(p).unwrap();
    let app =
        nhan_tui::runtime::App::new(project, nhan_tui::app::config::Config::default(), (60, 10));
    let mut h = support::Harness {
        dir: tempfile::tempdir().unwrap(),
        app,
    };
    h.keys("enter");
    let mut t = Terminal::new(TestBackend::new(60, 10)).unwrap();
    t.draw(|f| nhan_tui::ui::draw(f, &h.app.state)).unwrap();
    let b = t.backend().buffer();
    let screen: String = (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect();
    assert!(screen.contains("[Lan]PER ở [Huế]LOC"), "{screen}");
}

// 8. Re-anchoring without the old text keeps spans still at their words.

#[test]
fn without_the_old_text_spans_still_at_their_words_keep_them_and_the_overlay_says_so() {
    // Outside git and never opened on this machine: no old text to diff.
    let mut h = support::Harness::new(&[(
        "a",
        "Mở đầu. [Hà Nội]{PER} là một. Giữa đoạn văn dài. [Hà Nội]{ORG} là hai. Cuối đoạn. [Hà Nội]{LOC} là ba (ngoài git).",
    )]);
    std::fs::write(
        h.dir.path().join("articles/a.txt"),
        "Mở đầu. Thủ đô là một. Giữa đoạn văn dài. Hà Nội là hai. Cuối đoạn. Hà Nội là ba (ngoài git).",
    )
    .unwrap();
    h.keys("enter");
    let said = nhan_tui::app::moved::lines(h.app.state.article().unwrap()).join("\n");
    assert!(said.contains("Not placed (1)"), "{said}");
    assert!(said.contains("PER “Hà Nội”  was at 8"), "{said}");
    assert!(!said.contains("were edited"), "{said}");
    assert!(!said.contains("ORG"), "{said}");
    assert!(
        said.contains("2 span(s) kept their words and their place."),
        "{said}"
    );
    assert!(said.contains("not at hand"), "{said}");
    h.keys("A");
    assert_eq!(
        h.disk_markup("a"),
        "Mở đầu. Thủ đô là một. Giữa đoạn văn dài. [Hà Nội]{ORG} là hai. Cuối đoạn. [Hà Nội]{LOC} là ba (ngoài git)."
    );
}

// 20. Export and validate agree on attribute values.

#[test]
fn export_refuses_attribute_values_the_schema_forbids_as_validate_does() {
    use nhan_model::edit::Edit;
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    project::init(
        p,
        &support::SCHEMA.replace(
            "color = \"red\"\n",
            "color = \"red\"\n[labels.attributes]\nrole = [\"official\", \"other\"]\n",
        ),
    );
    let mut doc = project::document("a.txt", "Lan ở Huế.", [(6, 9, "LOC")], "lan");
    let lan = doc.make_span(0, 3, "PER", Some("lan"));
    let lan = nhan_model::attrs::with_attr(&lan, "role", Some("boss".into()));
    let id = lan.id;
    doc.apply(&Edit::Add(lan));
    project::write(p, &doc);
    write_article(p, "b", "[Minh]{PER} về [Vinh]{LOC}.");

    let (code, out, err) = nhan(p, &["validate"]);
    assert_eq!(code, 1, "validate: {out}{err}");
    for format in ["jsonl", "conll", "brat"] {
        let (code, _, err) = nhan(
            p,
            &[
                "export", "--format", format, "--status", "any", "--out", format,
            ],
        );
        assert_eq!(code, 1, "{format}: {err}");
        assert!(err.contains("annotations/a.json"), "{format}: {err}");
        assert!(
            err.contains(&format!("span {id} (PER “Lan”)")),
            "{format}: {err}"
        );
        assert!(
            err.contains("role") && err.contains("boss"),
            "{format}: {err}"
        );
        assert!(err.contains("nhan validate"), "{format}: {err}");
        let written: Vec<_> = std::fs::read_dir(p.join(format))
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(written.is_empty(), "{format}: wrote {written:?}");
    }
}

/// A label nhan.toml does not declare is what `validate` rejects too: the
/// export stops, naming the sidecar, the span and what to do (it was
/// exported with a warning), and says "1 article … it is".
#[test]
fn export_refuses_labels_the_schema_lacks_as_validate_does() {
    let d = clone();
    let p = d.path();
    let doc = project::document("c.txt", "Lan ở Huế.", [(0, 3, "HERO")], "lan");
    project::write(p, &doc);

    let (code, out, err) = nhan(p, &["validate"]);
    assert_eq!(code, 1, "validate: {out}{err}");
    assert!(format!("{out}{err}").contains("HERO"), "{out}{err}");
    let (code, _, err) = nhan(
        p,
        &[
            "export", "--format", "jsonl", "--status", "any", "--out", "x",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("1 article cannot be exported as it is; fix it or move it out"),
        "{err}"
    );
    assert!(
        err.contains("annotations/c.json: span") && err.contains("label HERO is not in nhan.toml"),
        "{err}"
    );
    assert!(!p.join("x/data.jsonl").exists(), "{err}");
}

/// An annotator's folder may be a symlink out of the clone: no command
/// lists or reads the sidecars behind it, and `validate` names it.
#[test]
fn a_symlinked_annotator_folder_is_named_and_nothing_behind_it_is_read() {
    let d = clone();
    let p = d.path();
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(p.join("annotations/a.json"), outside.path().join("a.json")).unwrap();
    symlink(outside.path(), p.join("annotations/lan")).unwrap();

    let (code, out, err) = nhan(p, &["validate"]);
    let all = format!("{out}{err}");
    assert_eq!(code, 1, "{all}");
    assert!(
        all.contains("annotations/lan: is a symbolic link; nhan reads no sidecar through one"),
        "{all}"
    );
    let (_code, out, err) = nhan(p, &["agree"]);
    let all = format!("{out}{err}");
    assert!(
        !all.contains("lan"),
        "the linked folder's work was read: {all}"
    );
}
