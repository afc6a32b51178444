//! Starting a project of one's own: `nhan init`, then
//! `nhan import --format text`, run as the real binary, and the result
//! opened and annotated as a user would.

mod support;

use nhan_model::schema::Schema;
use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::runtime::App;
use std::path::Path;
use std::process::Command;

/// Runs nhan in `cwd`: (exit code, stdout, stderr).
fn nhan(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    support::outcome(
        Command::new(env!("CARGO_BIN_EXE_nhan"))
            .current_dir(cwd)
            .env("NHAN_CONFIG", cwd.join("no-config.toml"))
            .args(args),
    )
}

fn articles(project: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(project.join("articles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_folder_of_texts_becomes_a_project_to_annotate_in_two_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let texts = tmp.path().join("texts");
    std::fs::create_dir(&texts).unwrap();
    std::fs::write(texts.join("tin 1.txt"), "Lê Hoài Trung đến Hà Nội.\n").unwrap();
    // "Việt Nam" in Windows-1258, as an old Windows editor saved it.
    std::fs::write(texts.join("cu.txt"), b"Vi\xea\xf2t Nam\n").unwrap();
    std::fs::write(texts.join("empty.txt"), "").unwrap();
    std::fs::write(texts.join("scan.pdf"), b"%PDF-1.4 binary").unwrap();

    let (code, out, err) = nhan(tmp.path(), &["init", "corpus", "--labels", "PER,ORG,LOC"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("nhan --project corpus import --format text"),
        "the next command is printed: {out}"
    );
    let (code, _, err) = nhan(
        tmp.path(),
        &["--project", "corpus", "import", "--format", "text", "texts"],
    );
    assert_eq!(code, 0, "{err}");
    let project = tmp.path().join("corpus");
    assert_eq!(articles(&project), ["cu.txt", "tin-1.txt"]);
    assert_eq!(
        std::fs::read_to_string(project.join("articles/cu.txt")).unwrap(),
        "Việt Nam\n",
        "converted to UTF-8"
    );
    assert!(err.contains("imported 2 texts"), "{err}");
    assert!(err.contains("cu.txt: read as Windows-1258"), "{err}");
    assert!(err.contains("skipped 2:"), "{err}");
    assert!(err.contains("empty.txt: empty file"), "{err}");
    assert!(err.contains("scan.pdf: not a text file"), "{err}");
    assert_eq!(nhan(&project, &["validate"]).0, 0);

    // Open it and tag a name: the schema is the one init wrote.
    let mut app = App::new(
        Project::open(&project).unwrap(),
        Config::default(),
        (100, 30),
    );
    for k in ["j", "enter", "e", "1"] {
        app.handle(nhan_tui::app::msg::Msg::Key(
            nhan_tui::app::keys::Key::parse(k).unwrap(),
        ));
    }
    drop(app);
    let side = std::fs::read_to_string(project.join("annotations/tin-1.json")).unwrap();
    assert!(
        side.contains("\"label\": \"PER\"") && side.contains("\"text\": \"Lê Hoài Trung\""),
        "{side}"
    );
}

#[test]
fn init_overwrites_nothing_and_says_what_it_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    std::fs::write(p.join("nhan.toml"), "[[labels]]\nname = \"MINE\"\n").unwrap();
    std::fs::write(p.join(".gitignore"), "target/\n").unwrap();
    let (code, out, _) = nhan(p, &["init"]);
    assert_eq!(code, 0);
    assert!(out.contains("kept    ./nhan.toml (exists)"), "{out}");
    assert!(out.contains("created ./articles/"), "{out}");
    assert_eq!(
        std::fs::read_to_string(p.join("nhan.toml")).unwrap(),
        "[[labels]]\nname = \"MINE\"\n"
    );
    assert_eq!(
        std::fs::read_to_string(p.join(".gitignore")).unwrap(),
        "target/\n"
    );
    // Labels asked for cannot be written: an error, and nothing changes.
    let (code, _, err) = nhan(p, &["init", "--labels", "PER"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nhan.toml: exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(p.join("nhan.toml")).unwrap(),
        "[[labels]]\nname = \"MINE\"\n"
    );
    assert_eq!(nhan(p, &["init", "--labels", "PER,,ORG"]).0, 2);
}

#[test]
fn init_writes_a_commented_schema_and_the_lock_in_gitignore() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = nhan(tmp.path(), &["init", "p", "--preset", "ontonotes"]);
    assert_eq!(code, 0, "{err}");
    let src = std::fs::read_to_string(tmp.path().join("p/nhan.toml")).unwrap();
    assert!(src.starts_with("# "), "commented: {src}");
    let schema = Schema::parse(&src, "nhan.toml").unwrap();
    assert_eq!(schema.labels.len(), 18);
    assert_eq!(schema.labels[9].name, "LAW");
    assert_eq!(schema.labels[9].key.as_deref(), Some("l"), "{src}");
    let gi = std::fs::read_to_string(tmp.path().join("p/.gitignore")).unwrap();
    assert!(gi.lines().any(|l| l == ".nhan.lock"), "{gi}");
}

#[test]
fn json_lines_and_csv_texts_get_safe_unique_names_and_are_not_added_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    assert_eq!(nhan(p, &["init"]).0, 0);
    std::fs::write(p.join("articles/data-1.txt"), "đã có\n").unwrap();
    std::fs::write(
        p.join("data.jsonl"),
        "{\"id\": 1, \"text\": \"Hà Nội\"}\n{\"data\": {\"text\": \"Huế\"}}\n{\"label\": []}\nnot json\n",
    )
    .unwrap();
    std::fs::write(
        p.join("rows.csv"),
        "id,text\n../x,\"Đà Nẵng, \"\"miền Trung\"\"\"\n,\n",
    )
    .unwrap();
    let (code, _, err) = nhan(p, &["import", "--format", "text", "data.jsonl", "rows.csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        articles(p),
        ["data-1-2.txt", "data-2.txt", "data-1.txt", "rows-x.txt"]
            .iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    assert_eq!(
        std::fs::read_to_string(p.join("articles/data-1.txt")).unwrap(),
        "đã có\n",
        "an existing article is never overwritten"
    );
    assert_eq!(
        std::fs::read_to_string(p.join("articles/rows-x.txt")).unwrap(),
        "Đà Nẵng, \"miền Trung\""
    );
    assert!(err.contains("data.jsonl:3: no \"text\" field"), "{err}");
    assert!(err.contains("data.jsonl:4: not JSON"), "{err}");
    assert!(err.contains("rows.csv:3: empty file"), "{err}");
    // Again: every text is in the project already.
    let (code, _, err) = nhan(p, &["import", "--format", "text", "data.jsonl"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("imported 0 texts"), "{err}");
    assert!(
        err.contains("data.jsonl:1: the same text as articles/data-1-2.txt"),
        "{err}"
    );
    assert_eq!(articles(p).len(), 4);
}
