//! Nothing lost: changed articles, bad files, and fuzzed inputs.

mod support;

use nhan_model::sidecar::Sidecar;
use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::runtime::App;
use proptest::prelude::*;
use support::Harness;

fn reopen(h: &mut Harness) {
    let project = Project::open(h.dir.path()).unwrap();
    h.app = App::new(project, Config::default(), (100, 30));
}

#[test]
fn a_changed_article_is_reanchored_only_after_the_user_accepts() {
    let mut h = Harness::new(&[(
        "a",
        "[Lan]{PER} gặp [Minh]{PER} ở [Hà Nội]{LOC}. [Lan]{PER} về.",
    )]);
    let before = std::fs::read(h.sidecar_path("a")).unwrap();
    // The article is edited outside nhan: a sentence before, a word changed.
    let article = h.dir.path().join("articles/a.txt");
    std::fs::write(&article, "Hôm qua, Lan gặp Minh ở Hà Nam. Lan về.").unwrap();
    reopen(&mut h);
    h.keys("enter");
    assert!(
        h.message().contains("article changed") && h.message().contains("1 could not be placed"),
        "{}",
        h.message()
    );
    assert!(
        h.message().contains("LOC “Hà Nội”"),
        "the orphan is listed: {}",
        h.message()
    );
    assert_eq!(
        h.markup(),
        "Hôm qua, [Lan]{PER} gặp [Minh]{PER} ở Hà Nam. [Lan]{PER} về."
    );
    // Read-only until accepted: nothing is written.
    h.keys("l 3");
    assert!(h.message().contains("read-only"), "{}", h.message());
    assert_eq!(std::fs::read(h.sidecar_path("a")).unwrap(), before);
    h.keys("A");
    let sc = h.on_disk("a").unwrap();
    assert_eq!(
        sc.text_sha256,
        nhan_model::sidecar::sha256_hex(&std::fs::read(&article).unwrap())
    );
    assert_eq!(
        h.disk_markup("a"),
        "Hôm qua, [Lan]{PER} gặp [Minh]{PER} ở Hà Nam. [Lan]{PER} về."
    );
    assert_eq!(sc.extra["orphans"][0]["text"], "Hà Nội");
    // Now it is writable, and nhan validate is happy.
    h.keys("G h 3");
    assert!(
        h.disk_markup("a").ends_with("[về]{LOC}."),
        "{}",
        h.disk_markup("a")
    );
}

#[test]
fn a_legacy_encoding_is_named_and_the_rest_of_the_project_works() {
    let mut h = Harness::new(&[("b", "Hà Nội")]);
    // "Việt Nam" in Windows-1258: V i e U+0323 (0xF2) ^ ... written by hand.
    let cp1258: &[u8] =
        b"Vi\xeat Nam va\xf2 Ha\xcc N\xf4\xf2i, ng\xe0y 2-9 t\xe2\xec Ha\xcc N\xf4\xf2i";
    std::fs::write(h.dir.path().join("articles/a.txt"), cp1258).unwrap();
    reopen(&mut h);
    let meta = &h.app.state.project.articles[0];
    let problem = meta.problem.clone().unwrap_or_default();
    assert!(
        problem.contains("a.txt") && problem.contains("iconv"),
        "{problem}"
    );
    h.keys("enter");
    assert!(h.app.state.article().is_none());
    assert!(h.message().contains("a.txt"), "{}", h.message());
    h.keys("j enter 3");
    assert_eq!(h.disk_markup("b"), "[Hà]{LOC} Nội");
}

#[test]
fn empty_and_nul_articles_are_listed_with_a_reason_and_still_open() {
    let mut h = Harness::new(&[("b", "x")]);
    std::fs::write(h.dir.path().join("articles/a.txt"), "").unwrap();
    std::fs::write(h.dir.path().join("articles/c.txt"), "Hà\0Nội").unwrap();
    reopen(&mut h);
    let arts = &h.app.state.project.articles;
    assert!(
        arts[0].problem.as_deref().unwrap_or("").contains("empty"),
        "{:?}",
        arts[0].problem
    );
    assert!(
        arts[2].problem.as_deref().unwrap_or("").contains("NUL"),
        "{:?}",
        arts[2].problem
    );
    h.keys("j j enter 3");
    assert_eq!(h.disk_markup("c"), "[Hà]{LOC}\0Nội");
}

#[test]
fn bom_and_crlf_keep_their_offsets() {
    let mut h = Harness::new(&[("a", "x")]);
    std::fs::write(
        h.dir.path().join("articles/a.txt"),
        "\u{feff}Lan\r\ngặp Minh",
    )
    .unwrap();
    reopen(&mut h);
    h.keys("enter");
    h.keys("/");
    h.type_text("Minh");
    h.keys("enter 1");
    let s = &h.on_disk("a").unwrap().spans[0];
    // BOM excluded, CRLF kept: "Lan\r\ngặp " is 9 chars.
    assert_eq!((s.start, s.end), (9, 13));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random bytes never panic the sidecar reader.
    #[test]
    fn sidecar_reader_survives_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Sidecar::parse(&bytes, "x.json");
    }

    /// A damaged sidecar (truncated, or with a byte changed) never panics
    /// the loader, and is never overwritten: either it still means the same
    /// thing, or the article opens read-only.
    #[test]
    fn damaged_sidecars_are_never_overwritten(cut in 0usize..600, flip in 0usize..600, byte in any::<u8>()) {
        let mut h = Harness::new(&[("a", "[Lan]{PER} gặp [Minh]{PER} ở [Hà Nội]{LOC}.")]);
        let path = h.sidecar_path("a");
        let mut bytes = std::fs::read(&path).unwrap();
        if flip < bytes.len() { bytes[flip] = byte; }
        bytes.truncate(cut.max(1));
        std::fs::write(&path, &bytes).unwrap();
        reopen(&mut h);
        h.keys("enter 1 x D u");
        let art = h.app.state.article().unwrap();
        if art.read_only.is_some() {
            prop_assert_eq!(std::fs::read(&path).unwrap(), bytes);
        }
    }
}

#[test]
fn a_five_megabyte_single_line_article_opens_and_edits() {
    let mut h = Harness::new(&[("b", "x")]);
    let word = "Nguyễn Phú Trọng làm việc với Ban Đối ngoại Trung ương, ";
    let line: String = word.repeat(5 * 1024 * 1024 / word.len() + 1);
    assert!(line.len() >= 5 * 1024 * 1024 && !line.contains('\n'));
    std::fs::write(h.dir.path().join("articles/a.txt"), &line).unwrap();
    reopen(&mut h);
    h.keys("enter G h 2 g v L L 1");
    let sc = h.on_disk("a").unwrap();
    assert_eq!(sc.spans.len(), 2);
    assert_eq!(sc.spans[0].text, "Nguyễn Phú Trọng");
    assert_eq!(sc.spans[1].text, "ương");
}

#[test]
fn the_list_glances_at_a_large_article_and_agrees_with_a_full_read() {
    let mut h = Harness::new(&[("b", "x")]);
    let para = "Ủy ban nhân dân Thành phố Hồ Chí Minh họp với Nguyễn Văn An.\n";
    let text = format!(
        "\n  Tiêu đề dài\n{}",
        para.repeat(2 * 1024 * 1024 / para.len())
    );
    std::fs::write(h.dir.path().join("articles/a.txt"), &text).unwrap();
    reopen(&mut h);
    h.keys("enter v L 1 j v 3");
    h.app.flush_saves();
    let p = Project::list(h.dir.path()).unwrap();
    let quick = p.scan_for_list(0);
    assert_eq!(quick, p.scan(0));
    assert_eq!((quick.title.as_str(), quick.span_count), ("Tiêu đề dài", 2));
    // A damaged sidecar is named with its line and column, and not read further.
    let sc = h.dir.path().join("annotations/a.json");
    let src = std::fs::read_to_string(&sc).unwrap();
    std::fs::write(&sc, src.replacen("\"spans\": [", "\"spans\": [}", 1)).unwrap();
    let problem = p.scan_for_list(0).problem.expect("a problem is shown");
    assert!(
        problem.contains("a.json:") && problem.contains("will not overwrite"),
        "{problem}"
    );
}

/// The real binary, started without a terminal (so start-up fails after
/// the lock is tried): a `.nhan.lock` that links to gold data must leave
/// that data byte-identical.
#[test]
fn a_symlinked_lock_never_truncates_its_target_even_when_start_up_fails() {
    let h = Harness::new(&[("a", "[Lan]{PER} gặp Minh.")]);
    let gold = h.sidecar_path("a");
    let before = std::fs::read(&gold).unwrap();
    std::os::unix::fs::symlink(&gold, h.dir.path().join(".nhan.lock")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(h.dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read(&gold).unwrap(),
        before,
        "the gold sidecar is untouched"
    );
    assert!(
        std::fs::symlink_metadata(h.dir.path().join(".nhan.lock"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// The example, in a project under git: the first of three
/// `Hà Nội` becomes `Thủ đô` (same length). Re-anchoring goes through a diff
/// with the committed text, so the other two keep their own labels.
#[test]
fn a_replaced_occurrence_leaves_the_others_their_labels_after_accept() {
    let mut h = Harness::new(&[(
        "a",
        "Mở đầu. [Hà Nội]{PER} là một. Giữa đoạn văn dài. [Hà Nội]{ORG} là hai. Cuối đoạn. [Hà Nội]{LOC} là ba.",
    )]);
    let dir = h.dir.path().to_path_buf();
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "annotated"]);
    // Edited outside nhan, not committed.
    std::fs::write(
        dir.join("articles/a.txt"),
        "Mở đầu. Thủ đô là một. Giữa đoạn văn dài. Hà Nội là hai. Cuối đoạn. Hà Nội là ba.",
    )
    .unwrap();
    reopen(&mut h);
    h.keys("enter");
    assert!(
        h.message().contains("1 could not be placed") && h.message().contains("PER “Hà Nội”"),
        "the edited span is the one listed: {}",
        h.message()
    );
    h.keys("A");
    assert_eq!(
        h.disk_markup("a"),
        "Mở đầu. Thủ đô là một. Giữa đoạn văn dài. [Hà Nội]{ORG} là hai. Cuối đoạn. [Hà Nội]{LOC} là ba."
    );
    let sc = h.on_disk("a").unwrap();
    assert_eq!(sc.extra["orphans"][0]["label"], "PER");
}

/// A PDF saved as `.txt`: the list and the open attempt name the file, and
/// the legacy-encoding fix is a command that replaces the original.
#[test]
fn a_binary_article_is_named_in_the_list_and_when_opened() {
    let mut h = Harness::new(&[("b", "Hà Nội")]);
    std::fs::write(
        h.dir.path().join("articles/a.txt"),
        b"%PDF-1.7\n\xe2\xe3\xcf\xd3\x00\x01",
    )
    .unwrap();
    reopen(&mut h);
    let problem = h.app.state.project.articles[0]
        .problem
        .clone()
        .unwrap_or_default();
    assert!(
        problem.contains("articles/a.txt") && problem.contains("PDF"),
        "{problem}"
    );
    h.keys("enter");
    assert!(
        h.message().contains("articles/a.txt") && h.message().contains("PDF"),
        "{}",
        h.message()
    );
}

/// The same without git: the text was opened in nhan before it was edited,
/// so this machine kept it, and the re-anchoring is by a diff too. The
/// sample corpus case: the first `Hồ Chí Minh` removed, the accepted span
/// on the second stays there and nothing lands on another span's place.
#[test]
fn without_git_the_text_opened_before_is_diffed_with_the_edited_one() {
    let mut h = Harness::new(&[(
        "a",
        "Chủ tịch [Hồ Chí Minh]{PER} đọc Tuyên ngôn. Năm sau, [Hồ Chí Minh]{LOC} là tên [thành phố]{ORG} (bản không git).",
    )]);
    let mut sc = h.on_disk("a").unwrap();
    sc.spans[1].review = Some(nhan_model::review::Decision::accepted());
    std::fs::write(h.sidecar_path("a"), sc.to_json()).unwrap();
    h.keys("enter");
    assert!(h.app.state.article().is_some());
    std::fs::write(
        h.dir.path().join("articles/a.txt"),
        "Chủ tịch đọc Tuyên ngôn. Năm sau, Hồ Chí Minh là tên thành phố (bản không git).",
    )
    .unwrap();
    reopen(&mut h);
    h.keys("enter");
    assert!(
        h.message().contains("1 could not be placed") && h.message().contains("PER “Hồ Chí Minh”"),
        "{}",
        h.message()
    );
    h.keys("A");
    assert_eq!(
        h.disk_markup("a"),
        "Chủ tịch đọc Tuyên ngôn. Năm sau, [Hồ Chí Minh]{LOC} là tên [thành phố]{ORG} (bản không git)."
    );
    let sc = h.on_disk("a").unwrap();
    assert_eq!(sc.spans[0].review.map(|d| d.as_str()), Some("accepted"));
}

/// Two names swapped: spans whose own characters the diff saw as edited
/// are found again in the edited line. The message says which and where
/// from, before `A`.
#[test]
fn a_span_found_again_after_an_edit_is_shown_before_accept() {
    let mut h = Harness::new(&[(
        "a",
        "Đi từ [Hà Nội]{LOC} đến [Đà Nẵng]{ORG} (tìm lại).\nCuối.",
    )]);
    h.keys("enter");
    std::fs::write(
        h.dir.path().join("articles/a.txt"),
        "Đi từ Đà Nẵng đến Hà Nội (tìm lại).\nCuối.",
    )
    .unwrap();
    reopen(&mut h);
    h.keys("enter");
    assert!(
        h.message().contains("0 could not be placed")
            && h.message()
                .contains("2 found again elsewhere (LOC “Hà Nội” 6 → 18, ORG “Đà Nẵng” 17 → 6)"),
        "{}",
        h.message()
    );
    h.keys("A");
    assert_eq!(
        h.disk_markup("a"),
        "Đi từ [Đà Nẵng]{ORG} đến [Hà Nội]{LOC} (tìm lại).\nCuối."
    );
}
