//! App-level tests: key sequences as a user types them → state and disk.

mod support;

use nhan_model::status::Status;
use nhan_tui::app::config::Config;
use nhan_tui::app::msg::{Mouse, MouseKind, Msg};
use nhan_tui::app::state::{Focus, Overlay, SaveState};
use support::Harness;
use unicode_normalization::UnicodeNormalization;

const TBT: &str = "Tổng Bí thư Nguyễn Phú Trọng làm việc với Ban Đối ngoại Trung ương.";

#[test]
fn enter_opens_the_article_and_focuses_the_text() {
    let mut h = Harness::new(&[("a", "Một"), ("b", "Hai")]);
    assert_eq!(h.app.state.focus, Focus::List);
    h.keys("j enter");
    assert_eq!(h.app.state.focus, Focus::Text);
    assert_eq!(h.markup(), "Hai");
    h.keys("tab");
    assert_eq!(h.app.state.focus, Focus::List);
}

#[test]
fn the_readme_flow_search_tag_and_save() {
    let mut h = Harness::open(TBT);
    h.keys("/");
    h.type_text("Nguyễn Phú Trọng");
    h.keys("enter");
    assert_eq!(h.selected().as_deref(), Some("Nguyễn Phú Trọng"));
    h.keys("1");
    assert_eq!(
        h.markup(),
        "Tổng Bí thư [Nguyễn Phú Trọng]{PER} làm việc với Ban Đối ngoại Trung ương."
    );
    // On disk at once, at code-point offsets.
    let sc = h.on_disk("a").unwrap();
    assert_eq!((sc.spans[0].start, sc.spans[0].end), (12, 28));
    assert_eq!(sc.status, Status::InProgress);
    assert_eq!(h.app.state.article().unwrap().save, SaveState::Saved);
}

#[test]
fn token_motion_steps_over_words_and_punctuation() {
    let mut h = Harness::open("Nghị quyết số 34-NQ/TW, năm");
    let mut seen = vec![h.at_cursor()];
    for _ in 0..9 {
        h.keys("l");
        let art = h.app.state.article().unwrap();
        let t = art.doc.text();
        seen.push(t.slice(art.cursor, t.next_grapheme(art.cursor)).to_string());
    }
    assert_eq!(seen.concat(), "Nghịqs3-N/T,n");
    h.keys("h h");
    assert_eq!(h.at_cursor(), "TW,");
    h.keys("G");
    assert_eq!(h.at_cursor(), "năm");
    h.keys("g");
    assert_eq!(h.at_cursor(), "Nghị");
}

#[test]
fn select_by_tokens_and_tag() {
    let mut h = Harness::open(TBT);
    h.keys("l l l v L L");
    assert_eq!(h.selected().as_deref(), Some("Nguyễn Phú Trọng"));
    h.keys("H");
    assert_eq!(h.selected().as_deref(), Some("Nguyễn Phú"));
    h.keys("L 1");
    assert!(h.markup().contains("[Nguyễn Phú Trọng]{PER}"));
    // The new span stays selected, so a digit relabels it.
    assert_eq!(h.selected().as_deref(), Some("Nguyễn Phú Trọng"));
    h.keys("2");
    assert!(h.markup().contains("[Nguyễn Phú Trọng]{ORG}"));
}

#[test]
fn shift_arrows_extend_left_from_the_cursor() {
    let mut h = Harness::open(TBT);
    h.keys("l l l l l shift-left shift-left");
    assert_eq!(h.selected().as_deref(), Some("Nguyễn Phú Trọng"));
}

#[test]
fn digit_without_selection_tags_the_token_at_the_cursor() {
    let mut h = Harness::open("ở Hà Nội hôm nay");
    h.keys("l 3");
    assert_eq!(h.markup(), "ở [Hà]{LOC} Nội hôm nay");
}

#[test]
fn relabel_keeps_the_id() {
    let mut h = Harness::open("[Ban Đối ngoại]{PER} họp");
    let id = h.on_disk("a").unwrap().spans[0].id;
    h.keys("] 2");
    assert_eq!(h.markup(), "[Ban Đối ngoại]{ORG} họp");
    let sc = h.on_disk("a").unwrap();
    assert_eq!((sc.spans.len(), sc.spans[0].id), (1, id));
    h.keys("] 2");
    assert!(h.message().contains("already ORG"), "{}", h.message());
}

#[test]
fn nesting_is_allowed_crossing_is_refused() {
    let mut h = Harness::open("[Ủy ban nhân dân Thành phố Hồ Chí Minh]{ORG} họp");
    h.keys("l l l l v L L L L 3");
    assert_eq!(
        h.markup(),
        "[Ủy ban nhân dân [Thành phố Hồ Chí Minh]{LOC}]{ORG} họp"
    );
    let before = std::fs::read(h.sidecar_path("a")).unwrap();
    h.keys("G v H H 1");
    assert!(h.message().contains("cross"), "{}", h.message());
    assert_eq!(
        h.markup(),
        "[Ủy ban nhân dân [Thành phố Hồ Chí Minh]{LOC}]{ORG} họp"
    );
    assert_eq!(std::fs::read(h.sidecar_path("a")).unwrap(), before);
}

#[test]
fn delete_undo_redo() {
    let mut h = Harness::open("[Lê Hoài Trung]{PER} và [Hà Nội]{LOC}");
    h.keys("G x");
    assert_eq!(h.markup(), "[Lê Hoài Trung]{PER} và Hà Nội");
    h.keys("u");
    assert_eq!(h.markup(), "[Lê Hoài Trung]{PER} và [Hà Nội]{LOC}");
    assert_eq!(h.disk_markup("a"), "[Lê Hoài Trung]{PER} và [Hà Nội]{LOC}");
    h.keys("ctrl-r");
    assert_eq!(h.disk_markup("a"), "[Lê Hoài Trung]{PER} và Hà Nội");
    h.keys("u u");
    assert!(h.message().contains("nothing to undo"), "{}", h.message());
}

#[test]
fn undoing_everything_restores_the_start() {
    let mut h = Harness::open("[A]{PER} b c d e f");
    let start = h.markup();
    h.keys("l 2 l 3 ] 3 l v L 1 D g x");
    assert_ne!(h.markup(), start);
    for _ in 0..20 {
        h.keys("u");
    }
    assert_eq!(h.markup(), start);
    assert_eq!(h.disk_markup("a"), start);
}

#[test]
fn first_edit_starts_progress_and_d_toggles_done() {
    let mut h = Harness::open("Hà Nội");
    assert_eq!(h.app.state.article().unwrap().doc.status(), Status::Todo);
    h.keys("3");
    assert_eq!(h.on_disk("a").unwrap().status, Status::InProgress);
    h.keys("D");
    assert_eq!(h.on_disk("a").unwrap().status, Status::Done);
    assert_eq!(h.app.state.slot(0).status(), Status::Done);
    h.keys("D");
    assert_eq!(h.on_disk("a").unwrap().status, Status::InProgress);
}

#[test]
fn next_and_previous_span_select_in_order() {
    let mut h = Harness::open("[A]{PER} x [[B]{LOC} c]{ORG} y [D]{PER}");
    h.keys("]");
    assert_eq!(h.selected().as_deref(), Some("A"));
    h.keys("]");
    assert_eq!(h.selected().as_deref(), Some("B c"));
    h.keys("]");
    assert_eq!(h.selected().as_deref(), Some("B"));
    h.keys("] ]");
    assert_eq!(h.selected().as_deref(), Some("D"));
    assert!(h.message().contains("no more spans"));
    h.keys("[");
    assert_eq!(h.selected().as_deref(), Some("B"));
}

#[test]
fn search_ignores_normalisation_both_ways() {
    let nfd: String = TBT.nfd().collect();
    let mut h = Harness::open(&nfd);
    h.keys("/");
    h.type_text("Trọng");
    h.keys("enter");
    let sel = h.selected().unwrap();
    assert_eq!(sel.nfc().collect::<String>(), "Trọng");
    assert_eq!(sel, "Trọng".nfd().collect::<String>());

    let mut h = Harness::open(TBT);
    h.keys("/");
    h.type_text(&"Trọng".nfd().collect::<String>());
    h.keys("enter");
    assert_eq!(h.selected().as_deref(), Some("Trọng"));
}

#[test]
fn search_case_option_and_next_previous_with_wrap() {
    let mut h = Harness::open("Ban một, ban hai, BAN ba");
    // Alt-c: exact, so "ban" is only the lower-case one.
    h.keys("/");
    h.type_text("ban");
    h.keys("alt-c");
    assert!(matches!(
        h.app.state.overlay,
        Overlay::Search { exact: true, .. }
    ));
    h.keys("enter");
    assert!(h.message().contains("1/1"), "{}", h.message());
    // Back to smart (the default): a lower-case query ignores case.
    h.keys("/");
    h.type_text("ban");
    h.keys("alt-c");
    assert!(matches!(
        h.app.state.overlay,
        Overlay::Search { exact: false, .. }
    ));
    h.keys("enter");
    // Searching starts at the cursor, which is on the second "ban" now.
    assert!(h.message().contains("match 2/3"), "{}", h.message());
    h.keys("n");
    assert_eq!(h.selected().as_deref(), Some("BAN"));
    h.keys("n");
    assert!(h.message().contains("(wrapped)"));
    assert_eq!(h.selected().as_deref(), Some("Ban"));
    h.keys("N");
    assert_eq!(h.selected().as_deref(), Some("BAN"));
    h.keys("/");
    h.type_text("không có");
    h.keys("enter");
    assert!(h.message().contains("no match"), "{}", h.message());
}

#[test]
fn star_tags_the_other_occurrences() {
    let mut h = Harness::open("[Hà Nội]{LOC} và Hà Nội, còn Hà Nộii và [Hà [Nội]{PER}]{ORG}");
    h.keys("] *");
    // The whole-token occurrence is tagged; "Hà Nộii" is not whole tokens.
    assert_eq!(
        h.markup(),
        "[Hà Nội]{LOC} và [Hà Nội]{LOC}, còn Hà Nộii và [Hà [Nội]{PER}]{ORG}"
    );
    assert_eq!(
        h.message(),
        "tagged 1 more occurrence of “Hà Nội” as LOC, 1 already tagged"
    );
    h.keys("u");
    assert_eq!(
        h.markup(),
        "[Hà Nội]{LOC} và Hà Nội, còn Hà Nộii và [Hà [Nội]{PER}]{ORG}"
    );
}

#[test]
fn grapheme_refinement_never_splits_an_nfd_letter() {
    let nfd: String = "Nguyễn Phú".nfd().collect();
    let mut h = Harness::open(&nfd);
    h.keys("v");
    let (_, e0) = h.app.state.article().unwrap().selection.unwrap().range();
    h.keys(",");
    let (_, e1) = h.app.state.article().unwrap().selection.unwrap().range();
    assert_eq!(e0 - e1, 1, "n is one char");
    h.keys(",");
    let (_, e2) = h.app.state.article().unwrap().selection.unwrap().range();
    assert_eq!(e1 - e2, 3, "ễ in NFD is three chars, one grapheme");
    h.keys("1");
    let sc = h.on_disk("a").unwrap();
    assert_eq!(sc.spans[0].text, "Nguy");
    // o switches edges: the start moves now.
    h.keys("esc v o .");
    assert_eq!(h.selected().unwrap().nfc().collect::<String>(), "guyễn");
}

#[test]
fn label_picker_filters_and_applies() {
    let mut h = Harness::open("ở Hà Nội");
    h.keys("l v L t");
    h.type_text("pla");
    h.keys("enter");
    assert_eq!(h.markup(), "ở [Hà Nội]{LOC}");
    h.keys("] t");
    h.type_text("zzz");
    h.keys("enter");
    assert!(h.message().contains("no label matches"));
    h.keys("t esc");
    assert_eq!(h.app.state.overlay, Overlay::None);
}

#[test]
fn a_missing_label_number_says_which_exist() {
    let mut h = Harness::open("x");
    h.keys("9");
    assert!(
        h.message().contains("1 PER, 2 ORG, 3 LOC"),
        "{}",
        h.message()
    );
}

#[test]
fn corrupt_sidecar_opens_read_only_and_is_never_written() {
    let mut h = Harness::new(&[("a", "Hà Nội")]);
    let path = h.sidecar_path("a");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "{\"nhan\": 1, \"spans\": [").unwrap();
    let project = nhan_store::project::Project::open(h.dir.path()).unwrap();
    h.app = nhan_tui::runtime::App::new(project, Config::default(), (100, 30));
    h.keys("enter");
    assert!(
        h.message().contains("read-only") && h.message().contains("a.json:1:"),
        "{}",
        h.message()
    );
    h.keys("1 D x");
    assert!(h.message().contains("read-only"), "{}", h.message());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"nhan\": 1, \"spans\": ["
    );
}

#[test]
fn a_failed_save_is_shown_kept_in_memory_and_retried() {
    let mut h = Harness::open("Hà Nội");
    let ann = h.dir.path().join("annotations");
    std::fs::write(&ann, "not a folder").unwrap();
    h.keys("3");
    assert_eq!(h.markup(), "[Hà]{LOC} Nội");
    assert!(matches!(
        h.app.state.article().unwrap().save,
        SaveState::Failed(_)
    ));
    assert!(h.message().starts_with("NOT SAVED"), "{}", h.message());
    // Quitting warns first.
    h.keys("q");
    assert!(!h.app.wants_quit());
    std::fs::remove_file(&ann).unwrap();
    h.app.handle(Msg::Tick);
    assert_eq!(h.app.state.article().unwrap().save, SaveState::Saved);
    assert_eq!(h.disk_markup("a"), "[Hà]{LOC} Nội");
    h.keys("q");
    assert!(h.app.wants_quit());
}

#[test]
fn mouse_click_places_the_cursor_and_drag_selects() {
    let mut h = Harness::open(TBT);
    let inner = nhan_tui::app::geometry::text_inner(h.app.state.size, h.app.state.mode);
    // "Nguyễn" starts at column 12 of the first row.
    let at = |col: u16, kind| {
        Msg::Mouse(Mouse {
            kind,
            col: inner.x + col,
            row: inner.y,
        })
    };
    h.app.handle(at(13, MouseKind::Down));
    assert_eq!(h.app.state.article().unwrap().cursor, 13);
    h.app.handle(at(13, MouseKind::Down));
    h.app.handle(at(24, MouseKind::Drag));
    h.app.handle(at(24, MouseKind::Up));
    assert_eq!(h.selected().as_deref(), Some("Nguyễn Phú Trọng"));
}

#[test]
fn switching_articles_keeps_each_ones_undo_history() {
    let mut h = Harness::new(&[("a", "Hà Nội"), ("b", "Huế")]);
    h.keys("enter 3 tab j enter 3 tab k enter u");
    assert_eq!(h.markup(), "Hà Nội");
    assert_eq!(h.disk_markup("b"), "[Huế]{LOC}");
    assert_eq!(h.app.state.slot(1).span_count(), 1);
}

#[test]
fn resize_rewraps_and_keeps_the_cursor_visible() {
    let mut h = Harness::open(&"từ ".repeat(400));
    h.keys("G");
    let art = h.app.state.article().unwrap();
    let (row, _) = art
        .layout
        .cell_of_char(art.cursor)
        .expect("the cursor row is wrapped");
    assert!(row >= art.scroll);
    for (w, hgt) in [(1, 1), (5, 3), (20, 10), (0, 0), (200, 60)] {
        h.app.handle(Msg::Resize(w, hgt));
        h.keys("k l");
    }
    let art = h.app.state.article().unwrap();
    let inner = nhan_tui::app::geometry::text_inner(h.app.state.size, h.app.state.mode);
    let (row, _) = art
        .layout
        .cell_of_char(art.cursor)
        .expect("the cursor row is wrapped");
    assert!(row >= art.scroll && row < art.scroll + inner.height as usize);
}

#[test]
fn user_key_overrides_apply_and_show_in_help() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("config.toml");
    std::fs::write(
        &p,
        "annotator = \"lan\"\n[keys.text]\nw = \"token_right\"\n",
    )
    .unwrap();
    let cfg = Config::load(Some(&p));
    let mut h = Harness::with_config(&[("a", "Hà Nội")], cfg, (100, 30));
    h.keys("enter w 3");
    assert_eq!(h.markup(), "Hà [Nội]{LOC}");
    assert_eq!(
        h.on_disk("a").unwrap().spans[0].annotator.as_deref(),
        Some("lan")
    );
    let help: Vec<String> = nhan_tui::ui::overlay::help_lines(&h.app.state)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert!(
        help.iter()
            .any(|l| l.contains(" w ") && l.contains("next token")),
        "{help:#?}"
    );
}

#[test]
fn text_keys_without_an_article_explain_what_to_do() {
    let mut h = Harness::new(&[("a", "x")]);
    h.app.state.focus = Focus::Text;
    h.keys("1");
    assert!(h.message().contains("no article open"), "{}", h.message());
}

#[test]
fn background_scan_results_fill_the_list_but_never_override_an_open_article() {
    use nhan_store::project::ArticleMeta;
    let mut h = Harness::new(&[("a", "Hà Nội"), ("b", "Huế")]);
    h.keys("enter 3");
    let scanned = |name: &str, title: &str| {
        let mut m = ArticleMeta::listed(format!("{name}.txt"));
        m.title = title.into();
        Box::new(m)
    };
    // A scan of b (not open) replaces its entry; a stale scan of a (open,
    // edited) keeps the live status and count.
    h.app.handle(Msg::Scanned {
        index: 1,
        meta: scanned("b", "Tin Huế"),
    });
    h.app.handle(Msg::Scanned {
        index: 0,
        meta: scanned("a", "Tin Hà Nội"),
    });
    let (a, b) = (h.app.state.slot(0), h.app.state.slot(1));
    assert_eq!(b.meta().title, "Tin Huế");
    assert_eq!(
        (a.meta().title.as_str(), a.span_count(), a.status()),
        ("Tin Hà Nội", 1, Status::InProgress)
    );
}

#[test]
fn with_a_background_writer_edits_reach_the_disk_and_are_shown_saved_only_then() {
    let mut h = Harness::open("Lan gặp Minh ở Hà Nội hôm nay");
    h.app.use_threads();
    // A tag leaves the span selected and the cursor on the next token;
    // Esc drops the selection, so the next digit tags that token.
    for _ in 0..6 {
        h.keys("1 esc");
    }
    // Until the writer reports back, nothing is shown as saved.
    assert_ne!(h.app.state.article().unwrap().save, SaveState::Saved);
    h.app.flush_saves();
    assert_eq!(h.app.state.article().unwrap().save, SaveState::Saved);
    assert_eq!(h.disk_markup("a"), h.markup());
    assert_eq!(h.on_disk("a").unwrap().spans.len(), 6);
}

#[test]
fn a_large_sidecar_saved_while_edits_pile_up_still_ends_with_every_edit() {
    // Thousands of spans: a save takes long enough for the next edits to
    // pile up, and the writer writes them as one save.
    let words: Vec<String> = (0..3_000).map(|i| format!("[Lan{i}]{{PER}}")).collect();
    let mut h = Harness::open(&(words.join(" ") + " Hà Nội"));
    h.app.use_threads();
    h.keys("G");
    for _ in 0..5 {
        h.keys("3 x 3");
    }
    h.app.flush_saves();
    assert_eq!(h.app.state.article().unwrap().save, SaveState::Saved);
    let disk = h.on_disk("a").unwrap();
    assert_eq!(disk.spans.len(), 3_001);
    assert_eq!(disk.spans.last().unwrap().text, "Nội");
    assert_eq!(h.disk_markup("a"), h.markup());
}

#[test]
fn accepting_a_changed_article_is_undone_like_any_edit() {
    let mut h = Harness::new(&[("a", "[Lan]{PER} gặp [Minh]{PER} ở [Hà Nội]{LOC}.")]);
    std::fs::write(
        h.dir.path().join("articles/a.txt"),
        "Hôm qua, Lan gặp Minh ở Hà Nam.",
    )
    .unwrap();
    let project = nhan_store::project::Project::open(h.dir.path()).unwrap();
    h.app = nhan_tui::runtime::App::new(project, Config::default(), (100, 30));
    h.keys("enter A");
    assert_eq!(
        h.on_disk("a").unwrap().extra["orphans"][0]["text"],
        "Hà Nội"
    );
    h.keys("u");
    assert!(h.message().contains("undone"), "{}", h.message());
    assert!(!h.on_disk("a").unwrap().extra.contains_key("orphans"));
    h.keys("ctrl-r");
    assert_eq!(
        h.on_disk("a").unwrap().extra["orphans"][0]["text"],
        "Hà Nội"
    );
}

#[test]
fn a_name_and_an_organisation_take_a_few_keys_each() {
    let mut h = Harness::open(TBT);
    // `e` selects the capitalised run from the cursor's word on.
    h.keys("l l l e");
    assert_eq!(h.selected().as_deref(), Some("Nguyễn Phú Trọng"));
    h.keys("1");
    // The span stays selected (a digit relabels it) and the cursor waits
    // past it, where the next entity is looked for.
    assert_eq!(h.selected().as_deref(), Some("Nguyễn Phú Trọng"));
    assert_eq!(h.at_cursor(), "làm");
    // Four keys: the next name, grown over "ngoại" to "Trung", one more word.
    h.keys("e");
    assert_eq!(h.selected().as_deref(), Some("Ban Đối"));
    h.keys("e");
    assert_eq!(h.selected().as_deref(), Some("Ban Đối ngoại Trung"));
    h.keys("L 2");
    assert_eq!(
        h.markup(),
        "Tổng Bí thư [Nguyễn Phú Trọng]{PER} làm việc với [Ban Đối ngoại Trung ương]{ORG}."
    );
}

#[test]
fn w_skips_from_name_to_name_and_dollar_reaches_the_phrase_end() {
    let mut h = Harness::open(TBT);
    h.keys("w");
    assert_eq!(h.selected().as_deref(), Some("Tổng Bí"));
    h.keys("w");
    assert_eq!(h.selected().as_deref(), Some("Nguyễn Phú Trọng"));
    h.keys("w $");
    assert_eq!(h.selected().as_deref(), Some("Ban Đối ngoại Trung ương"));
    // `e` at the end of a phrase goes on to the next name too.
    let mut h = Harness::open("Nghị quyết số 34-NQ/TW, năm 2024 của Bộ Chính trị");
    h.keys("e $");
    assert_eq!(h.selected().as_deref(), Some("Nghị quyết số 34-NQ/TW"));
    h.keys("e");
    assert_eq!(h.selected().as_deref(), Some("Bộ Chính"));
}

#[test]
fn h_and_l_end_a_selection_at_its_edges_and_v_after_a_tag_starts_anew() {
    let mut h = Harness::open(TBT);
    h.keys("v L L");
    assert_eq!(h.selected().as_deref(), Some("Tổng Bí thư"));
    h.keys("l");
    assert_eq!(h.selected(), None);
    assert_eq!(h.at_cursor(), "Nguyễn");
    h.keys("v L h");
    assert_eq!((h.selected(), h.at_cursor()), (None, "thư".to_string()));
    // After a tag `v` selects the word past the span rather than dropping it.
    h.keys("l e 1 v");
    assert_eq!(h.selected().as_deref(), Some("làm"));
}

#[test]
fn search_as_people_type_ignores_case_and_accents_unless_the_query_has_them() {
    let text = "Ông Lê Hoài Trung gặp ông Le Van. Lê Hoài Trung nói.";
    let nfd: String = text.nfd().collect();
    for t in [text.to_string(), nfd] {
        let mut h = Harness::open(&t);
        h.keys("/");
        h.type_text("le hoai trung");
        h.keys("enter");
        assert_eq!(
            h.selected().map(|s| s.nfc().collect::<String>()).as_deref(),
            Some("Lê Hoài Trung")
        );
        assert!(h.message().contains("match 1/2"), "{}", h.message());
        h.keys("1");
        assert!(
            h.markup()
                .nfc()
                .collect::<String>()
                .contains("[Lê Hoài Trung]{PER}")
        );
        // An accent in the query makes accents count: "Le Van" is not "Lê".
        h.keys("/");
        h.type_text("lê");
        h.keys("enter");
        assert!(h.message().contains("/2 for “lê”"), "{}", h.message());
        // A capital makes case count.
        h.keys("/");
        h.type_text("LE");
        h.keys("enter");
        assert_eq!(
            h.message(),
            "no match for “LE” (ignoring accents; Alt-c in the prompt toggles exact)"
        );
    }
}

#[test]
fn after_o_the_selection_keys_move_the_start_and_the_status_says_so() {
    let mut h = Harness::open(TBT);
    h.keys("v L L");
    assert_eq!(h.selected().as_deref(), Some("Tổng Bí thư"));
    h.keys("o L");
    assert_eq!(h.selected().as_deref(), Some("Bí thư"));
    let art = h.app.state.article().unwrap();
    assert_eq!(
        art.selection.unwrap().active,
        nhan_tui::app::state::Edge::Start
    );
    h.keys("H H");
    assert_eq!(h.selected().as_deref(), Some("Tổng Bí thư"));
    h.keys("o L");
    assert_eq!(h.selected().as_deref(), Some("Tổng Bí thư Nguyễn"));
    // `L` alone starts a selection at the cursor.
    let mut h = Harness::open(TBT);
    h.keys("L");
    assert_eq!(h.selected().as_deref(), Some("Tổng Bí"));
}

#[test]
fn star_leaves_occurrences_inside_other_spans_and_undo_says_how_many() {
    let mut h = Harness::open(
        "[Trung ương]{ORG} họp. Trung ương và [Ban Đối ngoại Trung ương]{ORG}, Trung ương.",
    );
    h.keys("] *");
    assert_eq!(
        h.markup(),
        "[Trung ương]{ORG} họp. [Trung ương]{ORG} và [Ban Đối ngoại Trung ương]{ORG}, [Trung ương]{ORG}."
    );
    assert_eq!(
        h.message(),
        "tagged 2 more occurrences of “Trung ương” as ORG, 1 inside other spans skipped"
    );
    h.keys("u");
    assert_eq!(h.message(), "undone: removed 2 spans: ORG “Trung ương”");
}

#[test]
fn the_status_line_says_who_is_working_and_how() {
    let config = Config {
        annotator: Some("lan".into()),
        ..Config::default()
    };
    let mut h = Harness::with_config(&[("a", "Hà Nội")], config, (100, 30));
    h.keys("enter");
    assert_eq!(nhan_tui::ui::status::who(&h.app.state), "lan");
    h.keys("r");
    assert_eq!(nhan_tui::ui::status::who(&h.app.state), "lan · reviewing");
    h.app.state.project.schema.blind = true;
    h.app.state.project.annotator_dir = Some("lan".into());
    h.keys("r");
    assert_eq!(nhan_tui::ui::status::who(&h.app.state), "lan · blind");
    h.app.state.project.annotator_dir = None;
    assert_eq!(
        nhan_tui::ui::status::who(&h.app.state),
        "lan · adjudicating"
    );
}

#[test]
fn zero_goes_to_the_first_word_of_the_screen_line() {
    // 30 columns: the text wraps, and `0` stays on the cursor's row.
    let mut h = Harness::with_config(&[("a", TBT)], Config::default(), (30, 12));
    h.keys("enter l l l 0");
    assert_eq!(h.at_cursor(), "Tổng");
    h.keys("v L L");
    h.keys("j");
    let row2 = h.at_cursor();
    assert_ne!(row2, "Tổng");
    h.keys("l 0");
    assert_eq!(
        h.at_cursor(),
        row2,
        "the second row's first word, not the text's"
    );
    assert!(h.selected().is_none(), "a move drops the selection");
}

#[test]
fn d_stroke_is_typed_as_a_letter_and_the_tones_are_left_out() {
    let mut h = Harness::open("Ban đối ngoại Đảng và đang dở");
    h.keys("/");
    h.type_text("đoi ngoai dang");
    h.keys("enter");
    assert_eq!(h.selected().as_deref(), Some("đối ngoại Đảng"));
    // `đ` finds only `đ`; `d` finds both.
    h.keys("g /");
    h.type_text("đang");
    h.keys("enter n");
    assert_eq!(h.selected().as_deref(), Some("đang"));
    assert!(h.message().contains("2/2"), "{}", h.message());
}

#[test]
fn an_earlier_message_goes_while_the_next_selection_is_built() {
    let mut h = Harness::open("[Hà Nội]{LOC} và Hà Nội ở đây");
    h.keys("] *");
    assert!(h.message().contains("tagged"), "{}", h.message());
    h.keys("l v");
    assert_eq!(h.message(), "", "no word about the tags made before");
    // A message the key itself gives stays.
    h.keys("esc G e");
    assert!(
        h.message().contains("no capitalised word"),
        "{}",
        h.message()
    );
}

#[test]
fn moving_and_relabelling_a_span_names_both_labels_and_undo_names_the_old_one() {
    let mut h = Harness::open("[Trưởng Ban]{PER} họp");
    h.keys("] o L 2");
    assert_eq!(h.markup(), "Trưởng [Ban]{ORG} họp");
    assert_eq!(h.message(), "PER “Trưởng Ban” → ORG “Ban”");
    h.keys("u");
    assert_eq!(h.markup(), "[Trưởng Ban]{PER} họp");
    assert_eq!(h.message(), "undone: ORG “Ban” → PER “Trưởng Ban”");
}

#[test]
fn an_article_being_read_is_read_once_however_often_it_is_opened() {
    // nhan reopens the last article at start; an Enter before it arrived
    // read it a second time, and a 10 MB article was held twice.
    use nhan_tui::app::msg::Effect;
    use nhan_tui::app::session::Place;
    use nhan_tui::app::update::update;
    let mut h = Harness::new(&[("a", "Một"), ("b", "Ở [Hà Nội]{LOC} hôm nay")]);
    let reads = |e: &[Effect]| {
        e.iter()
            .filter(|e| matches!(e, Effect::Load { .. }))
            .count()
    };
    let place = Place {
        article: "b.txt".into(),
        cursor: 3,
    };
    let first = update(&mut h.app.state, Msg::Reopen(place));
    assert_eq!(reads(&first), 1);
    let enter = nhan_tui::app::keys::Key::parse("enter").unwrap();
    let again = update(&mut h.app.state, Msg::Key(enter));
    assert_eq!(reads(&again), 0, "Enter read the article a second time");
    // The one read comes back: the article is open, the cursor where it was.
    let project = h.app.state.project.clone();
    let mut memory = nhan_tui::runtime::watch::Memory::default();
    for e in first {
        if let Some(m) = nhan_tui::runtime::io::run(&project, e, &mut memory) {
            h.app.handle(m);
        }
    }
    assert_eq!(h.app.state.focus, Focus::Text);
    assert_eq!(h.markup(), "Ở [Hà Nội]{LOC} hôm nay");
    assert_eq!(h.app.state.article().unwrap().cursor, 3);
    // Read and open, Enter opens it without reading.
    h.keys("tab enter");
    assert_eq!(h.app.state.focus, Focus::Text);
}
