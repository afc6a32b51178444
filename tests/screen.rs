//! Whole-screen tests: the UI drawn into ratatui's TestBackend, compared
//! with reviewed insta snapshots (tests/snapshots/).

mod support;

use nhan_tui::app::msg::Msg;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use support::Harness;
use unicode_normalization::UnicodeNormalization;

fn draw(h: &mut Harness, w: u16, ht: u16) -> Terminal<TestBackend> {
    h.app.handle(Msg::Resize(w, ht));
    let mut t = Terminal::new(TestBackend::new(w, ht)).unwrap();
    t.draw(|f| nhan_tui::ui::draw(f, &h.app.state)).unwrap();
    t
}

fn rows(b: &Buffer) -> Vec<String> {
    (0..b.area.height)
        .map(|y| {
            let mut s = String::new();
            for x in 0..b.area.width {
                s.push_str(b[(x, y)].symbol());
            }
            s
        })
        .collect()
}

const ARTICLE: &str = "Tổng Bí thư Nguyễn Phú Trọng làm việc với Ban Đối ngoại Trung ương\n\nNgày [23/12]{DATE}, [Tổng Bí thư]{ORG} [Nguyễn Phú Trọng]{PER} làm việc với [Ban Đối ngoại [Trung ương]{LOC}]{ORG} tại [Hà Nội]{LOC}.";

#[test]
fn two_panes_with_spans() {
    let mut h = Harness::new(&[("tbt", ARTICLE), ("khac", "Bài khác")]);
    h.keys("j enter ]");
    let t = draw(&mut h, 90, 14);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn nfd_article_is_shown_whole() {
    let nfd: String = ARTICLE.nfd().collect();
    let mut h = Harness::open(&nfd);
    let t = draw(&mut h, 90, 14);
    let nfc_rows: Vec<String> = rows(t.backend().buffer())
        .iter()
        .map(|r| r.nfc().collect())
        .collect();
    assert!(
        nfc_rows.iter().any(|r| r.contains("[Nguyễn Phú Trọng]PER")),
        "{nfc_rows:#?}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn wide_characters_take_two_cells_and_wrap() {
    let mut h = Harness::open("越南社会主义共和国 [胡志明市]{LOC} 👍🏽 ok 🇻🇳 xong");
    h.keys("l");
    let t = draw(&mut h, 22, 10);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn a_20_column_terminal_shows_one_pane() {
    let mut h = Harness::open(ARTICLE);
    let t = draw(&mut h, 20, 12);
    insta::assert_snapshot!(t.backend());
    h.keys("tab");
    let t = draw(&mut h, 20, 12);
    assert!(rows(t.backend().buffer())[0].contains("Articles"));
}

#[test]
fn no_color_uses_brackets_and_no_colours() {
    let mut h = Harness::open(ARTICLE);
    h.app.state.no_color = true;
    h.keys("]");
    let t = draw(&mut h, 90, 14);
    let buf = t.backend().buffer();
    // The selected span is in reverse video.
    let r = rows(buf);
    let y = r.iter().position(|l| l.contains("[23/12]")).unwrap();
    let x = r[y]
        .chars()
        .collect::<Vec<_>>()
        .windows(3)
        .position(|w| w == ['[', '2', '3'])
        .unwrap()
        + 1;
    let cell = &buf[(x as u16, y as u16)];
    assert!(
        cell.modifier.contains(ratatui::style::Modifier::REVERSED),
        "{cell:?}"
    );
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            assert!(
                c.fg == Color::Reset && c.bg == Color::Reset,
                "colour at {x},{y}: {c:?}"
            );
        }
    }
    let text = rows(buf).join("\n");
    assert!(
        text.contains("[Ban Đối ngoại [Trung ương]LOC]ORG"),
        "{text}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn colours_come_from_the_schema() {
    let mut h = Harness::open("[Hà Nội]{LOC}");
    let t = draw(&mut h, 70, 8);
    let buf = t.backend().buffer();
    let r = rows(buf);
    let y = r.iter().position(|l| l.contains("[Hà Nội]LOC")).unwrap() as u16;
    let x = r[y as usize]
        .find("[Hà")
        .map(|b| r[y as usize][..b].chars().count() + 1)
        .unwrap() as u16;
    assert_eq!(buf[(x, y)].fg, Color::Green);
}

#[test]
fn help_overlay_lists_the_keymap() {
    let mut h = Harness::open("x");
    h.keys("?");
    let t = draw(&mut h, 100, 40);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn label_picker_and_status_bar() {
    let mut h = Harness::open("ở Hà Nội");
    h.keys("l v L t");
    h.type_text("o");
    let t = draw(&mut h, 70, 12);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn tiny_and_empty_terminals_do_not_panic() {
    let mut h = Harness::open(ARTICLE);
    for (w, ht) in [(1, 1), (0, 0), (2, 1), (3, 3), (7, 2), (61, 3), (300, 100)] {
        h.keys("? esc");
        draw(&mut h, w, ht);
        h.keys("?");
        draw(&mut h, w, ht);
        h.keys("esc t");
        draw(&mut h, w, ht);
        h.keys("esc /");
        draw(&mut h, w, ht);
        h.keys("esc");
    }
}

#[test]
fn review_mode_shows_spans_in_context() {
    let mut h = Harness::new(&[("tbt", ARTICLE)]);
    h.keys("enter r a");
    let t = draw(&mut h, 90, 24);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn tagging_in_an_nfd_article_shows_the_brackets_at_once() {
    let nfd: String =
        "Tổng Bí thư Nguyễn Phú Trọng làm việc với Ban Đối ngoại Trung ương 越南 👍🏽.\n"
            .nfd()
            .collect();
    let mut h = Harness::open(&nfd);
    h.app.handle(Msg::Resize(30, 12));
    h.keys("/");
    h.type_text("Trọng");
    h.keys("enter 1");
    let t = draw(&mut h, 30, 12);
    let text: String = rows(t.backend().buffer()).join("\n").nfc().collect();
    assert!(text.contains("[Trọng]PER"), "{text}");
}

/// Regression: when the article's last (empty) row was on screen, the
/// visible spans were looked up over an empty range and no bracket showed.
#[test]
fn brackets_show_when_the_end_of_the_article_is_on_screen() {
    let nfd: String = "Tổng Bí thư Nguyễn Phú [Trọng]{PER} làm việc.\n"
        .nfd()
        .collect();
    let mut h = Harness::open(&nfd);
    let t = draw(&mut h, 30, 12);
    let text: String = rows(t.backend().buffer()).join("\n").nfc().collect();
    assert!(text.contains("[Trọng]PER"), "{text}");
}

/// The layout of a long article is wrapped only as far as needed; jumping
/// far (G, a search, pages) must still show the right text there.
#[test]
fn far_jumps_in_a_long_article_show_the_text_there() {
    let text: String = (1..=3000)
        .map(|i| format!("dòng {i:04}: Tổng Bí thư làm việc với Ban Đối ngoại.\n"))
        .collect();
    let mut h = Harness::open(&text);
    let shown = |t: &Terminal<TestBackend>| -> Vec<u32> {
        // Under the top border; the text pane is the rightmost "dòng".
        rows(t.backend().buffer())
            .iter()
            .skip(1)
            .filter_map(|r| {
                let at = r.rfind("dòng ")? + "dòng ".len();
                r[at..at + 4].parse().ok()
            })
            .collect()
    };
    let consecutive = |v: &[u32]| v.windows(2).all(|w| w[1] == w[0] + 1);

    let t = draw(&mut h, 90, 14);
    assert_eq!(shown(&t).first(), Some(&1));
    h.keys("G");
    let mut t = draw(&mut h, 90, 14);
    let v = shown(&t);
    assert_eq!(v.last(), Some(&3000), "{v:?}");
    assert!(consecutive(&v) && v.len() > 5, "{v:?}");
    let cursor = t.get_cursor_position().unwrap();
    assert!(rows(t.backend().buffer())[cursor.y as usize].contains("dòng 3000"));

    h.keys("g");
    h.keys(&["pagedown"; 20].join(" "));
    let t = draw(&mut h, 90, 14);
    let v = shown(&t);
    assert!(consecutive(&v) && v.len() > 5, "{v:?}");
    assert!(v[0] > 100 && v[0] < 3000, "{v:?}");

    h.keys("g /");
    h.type_text("dòng 2500");
    h.keys("enter 1");
    let t = draw(&mut h, 90, 14);
    assert!(
        rows(t.backend().buffer())
            .iter()
            .any(|r| r.contains("[dòng 2500]PER")),
        "{:#?}",
        rows(t.backend().buffer())
    );
    // A narrower terminal wraps again from the cursor's place.
    let t = draw(&mut h, 40, 14);
    assert!(
        rows(t.backend().buffer())
            .iter()
            .any(|r| r.contains("2500")),
        "{:#?}",
        rows(t.backend().buffer())
    );
}

/// The status line and the message line at 80 columns: a long span name
/// and a long message never push the mode or the save state off.
#[test]
fn status_and_message_lines_at_80_columns() {
    let long = "[Ban Chỉ đạo Trung ương về chính sách nhà ở và thị trường bất động sản]{ORG} họp.";
    let mut h = Harness::new(&[("bai-viet-co-ten-tep-rat-dai-ve-ban-chi-dao", long)]);
    h.keys("enter ] 1");
    let t = draw(&mut h, 80, 8);
    let r = rows(t.backend().buffer());
    let bar = &r[6];
    assert!(bar.starts_with(" SELECT "), "{bar}");
    assert!(bar.trim_end().ends_with("│ saved ✓"), "{bar}");
    assert!(bar.contains('…'), "{bar}");
    // The message "relabelled “…” ORG → PER" is too long: cut, with the key
    // that shows it whole.
    let msg = &r[7];
    assert!(msg.trim_end().ends_with("… M: all"), "{msg}");
    insta::assert_snapshot!(t.backend());
    // `M` shows it whole, wrapped.
    h.keys("M");
    let t = draw(&mut h, 80, 8);
    let all = rows(t.backend().buffer()).concat();
    assert!(all.contains("thị trường bất"), "{all}");
    insta::assert_snapshot!("message_log", t.backend());
}

#[test]
fn the_empty_project_hint_fits_at_every_width() {
    for w in [30u16, 80, 120] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("nhan.toml"), support::SCHEMA).unwrap();
        std::fs::create_dir(dir.path().join("articles")).unwrap();
        let project = nhan_store::project::Project::open(dir.path()).unwrap();
        let app = nhan_tui::runtime::App::new(project, Default::default(), (w, 10));
        let mut h = Harness { dir, app };
        let t = draw(&mut h, w, 10);
        let words: Vec<String> = rows(t.backend().buffer())
            .iter()
            .flat_map(|r| {
                r.split(|c: char| "│┃ ".contains(c))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        // Every word of the hint is on screen whole, in the list pane.
        for word in "No articles: put .txt files in articles/".split(' ') {
            assert!(
                words.iter().any(|w| w == word),
                "{w} columns: {word} in {words:?}"
            );
        }
    }
}

#[test]
fn the_review_list_shows_where_a_long_span_ends() {
    let long = "Họp [Ban Chỉ đạo Trung ương về chính sách nhà ở và thị trường bất động sản]{ORG} và [Huế]{LOC}.";
    let mut h = Harness::new(&[("a", long)]);
    h.keys("enter r");
    let t = draw(&mut h, 80, 20);
    let r = rows(t.backend().buffer());
    let row = r
        .iter()
        .find(|r| r.contains("[Ban Chỉ"))
        .expect("the long span is listed");
    // Cut in the middle: its start and its end both show.
    assert!(row.contains("…"), "{row}");
    assert!(row.contains("bất động sản]"), "{row}");
    assert!(r.iter().any(|r| r.contains("[Huế]")), "{r:#?}");
}

#[test]
fn after_o_the_status_line_says_the_start_moves() {
    let mut h = Harness::open("Tổng Bí thư Nguyễn Phú Trọng làm việc");
    h.keys("v L L o");
    let t = draw(&mut h, 80, 8);
    let bar = &rows(t.backend().buffer())[6];
    assert!(bar.contains("sel 0–11 (11), start moves"), "{bar}");
    assert!(bar.trim_end().ends_with("│ no edits yet"), "{bar}");
    // The terminal cursor is on the start, the edge that moves.
    let mut t = t;
    let pos = t.get_cursor_position().unwrap();
    h.keys("o");
    let t2 = draw(&mut h, 80, 8);
    let mut t2 = t2;
    assert!(pos.x < t2.get_cursor_position().unwrap().x);
}

/// Before the background scan has read an article, the list says "…"
/// rather than "todo · 0 spans"; an article whose sidecar cannot be read
/// says so; the file name comes first, then the first line.
#[test]
fn the_list_shows_what_it_knows_and_what_it_does_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nhan.toml"), support::SCHEMA).unwrap();
    support::write_article(dir.path(), "bai-mot", "• Click để copy\n[Huế]{LOC} đẹp.");
    support::write_article(dir.path(), "bai-hai", "Thứ hai\nHà Nội.");
    std::fs::create_dir_all(dir.path().join("annotations")).unwrap();
    std::fs::write(dir.path().join("annotations/bai-hai.json"), "{ not json").unwrap();
    let project = nhan_store::project::Project::list(dir.path()).unwrap();
    let scans: Vec<_> = (0..2).map(|i| project.scan(i)).collect();
    let config = nhan_tui::app::config::Config {
        annotator: Some("lan".into()),
        ..Default::default()
    };
    let app = nhan_tui::runtime::App::new(project, config, (80, 10));
    let mut h = Harness { dir, app };
    let t = draw(&mut h, 80, 10);
    let before = rows(t.backend().buffer());
    let all = before.join("\n");
    assert!(!all.contains("0 spans"), "{all}");
    assert!(all.contains("…/2 reviewed"), "{all}");
    assert!(before[1].contains("bai-hai"), "{all}");
    for (index, meta) in scans.into_iter().enumerate() {
        h.app.handle(Msg::Scanned {
            index,
            meta: Box::new(meta),
        });
    }
    let t = draw(&mut h, 80, 10);
    let after = rows(t.backend().buffer());
    let all = after.join("\n");
    assert!(all.contains("0/2 reviewed"), "{all}");
    assert!(after[2].contains("  unreadable"), "{all}");
    assert!(after[4].contains("todo · 1 span · • Cli"), "{all}");
    // Who is working shows outside review mode too.
    assert!(after[8].contains("│ lan "), "{}", after[8]);
}
