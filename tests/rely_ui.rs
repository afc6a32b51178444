//! What the interface promises when data could be silently changed
//! (issue 14): re-anchored spans shown before `A`, reviewed articles that
//! are edited, adjudication acting on the span shown, span edges.

mod support;

use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::app::msg::Msg;
use nhan_tui::app::state::Overlay;
use nhan_tui::runtime::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::Harness;

fn reopen(h: &mut Harness) {
    let project = Project::open(h.dir.path()).unwrap();
    h.app = App::new(project, Config::default(), (100, 30));
}

fn screen(h: &Harness) -> String {
    let (w, ht) = h.app.state.size;
    let mut t = Terminal::new(TestBackend::new(w, ht)).unwrap();
    t.draw(|f| nhan_tui::ui::draw(f, &h.app.state)).unwrap();
    let b = t.backend().buffer().clone();
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn what_re_anchoring_moved_is_shown_before_a() {
    let mut h = Harness::new(&[(
        "a",
        "Mở đầu. [Hà Nội]{PER} là một. Giữa đoạn văn dài. [Hà Nội]{ORG} là hai. Cuối đoạn. [Hà Nội]{LOC} là ba.",
    )]);
    // Opened once, so this machine remembers the text the spans were made on.
    h.keys("enter");
    let article = h.dir.path().join("articles/a.txt");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, text.replacen("Hà Nội", "Thủ đô", 1)).unwrap();
    reopen(&mut h);
    h.keys("enter");
    assert_eq!(h.app.state.overlay, Overlay::Moved { scroll: 0 });
    let s = screen(&h);
    assert!(s.contains("what moved"), "{s}");
    assert!(s.contains("Not placed (1)"), "{s}");
    assert!(s.contains("PER “Hà Nội”  was at 8"), "{s}");
    // A key looks at the article first; Tab, Enter shows the list again.
    h.keys("j esc");
    assert_eq!(h.app.state.overlay, Overlay::None);
    h.keys("tab enter");
    assert_eq!(h.app.state.overlay, Overlay::Moved { scroll: 0 });
    h.keys("A");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert_eq!(
        h.disk_markup("a"),
        "Mở đầu. Thủ đô là một. Giữa đoạn văn dài. [Hà Nội]{ORG} là hai. Cuối đoạn. [Hà Nội]{LOC} là ba."
    );
    h.app.handle(Msg::Tick);
    assert!(!screen(&h).contains("what moved"));
}

/// A reviewed article: every span accepted, status reviewed.
fn reviewed_article(marked: &str) -> Harness {
    let h = Harness::new(&[("a", marked)]);
    let path = h.sidecar_path("a");
    let mut sc = h.on_disk("a").unwrap();
    for s in &mut sc.spans {
        s.review = Some(nhan_model::review::Decision::accepted());
    }
    sc.status = nhan_model::status::Status::Reviewed;
    std::fs::write(&path, sc.to_json()).unwrap();
    let mut h = h;
    reopen(&mut h);
    h.keys("enter");
    h
}

#[test]
fn an_edit_in_annotate_mode_reopens_a_reviewed_article_visibly() {
    use nhan_model::status::Status;
    let mut h = reviewed_article("[Lan]{PER} gặp Minh ở Huế.");
    // A new span: before, the article stayed reviewed with it unreviewed.
    h.keys("l l 1");
    assert_eq!(h.on_disk("a").unwrap().status, Status::InProgress);
    assert!(
        h.message()
            .contains("was reviewed and is in progress again"),
        "{}",
        h.message()
    );
    h.keys("u");
    assert_eq!(h.on_disk("a").unwrap().status, Status::Reviewed);
    assert_eq!(h.markup(), "[Lan]{PER} gặp Minh ở Huế.");
    // Deleting an accepted span (no rejection recorded) reopens it too.
    h.keys("g x");
    assert_eq!(h.markup(), "Lan gặp Minh ở Huế.");
    assert_eq!(h.on_disk("a").unwrap().status, Status::InProgress);
    // Review mode's own decisions on it do not.
    let mut h = reviewed_article("[Lan]{PER} gặp [Minh]{PER} ở Huế.");
    h.keys("r");
    h.keys("tab");
    h.keys("x");
    assert!(h.message().starts_with("rejected"), "{}", h.message());
    assert_eq!(h.on_disk("a").unwrap().spans.len(), 1);
    assert_eq!(
        h.on_disk("a").unwrap().status,
        Status::Reviewed,
        "{}",
        h.message()
    );
}

const ADJ_TEXT: &str = "Lan gặp Minh ở Bộ Ngoại giao tại Hà Nội.";

/// Two annotators who differ on every span, twice on the same words.
fn two_annotators() -> Harness {
    use nhan_model::{document::Document, edit::Edit, markup, sidecar, text::Text};
    let mut h = Harness::new(&[("a", ADJ_TEXT)]);
    let root = h.dir.path().to_path_buf();
    for (who, marked) in [
        (
            "lan",
            "[Lan]{PER} gặp [Minh]{PER} ở [Bộ Ngoại giao]{ORG} tại [Hà Nội]{LOC}.",
        ),
        (
            "minh",
            "[Lan]{LOC} gặp [Minh]{LOC} ở Bộ [Ngoại giao]{ORG} tại [Hà Nội]{ORG}.",
        ),
    ] {
        let m = markup::parse(marked).unwrap();
        let mut doc = Document::new(
            "a.txt",
            Text::new(ADJ_TEXT),
            sidecar::sha256_hex(ADJ_TEXT.as_bytes()),
        );
        for (s, e, l) in m.spans {
            let sp = doc.make_span(s, e, &l, Some(who));
            doc.apply(&Edit::Add(sp));
        }
        let path = root.join("annotations").join(who).join("a.json");
        nhan_store::atomic::write_atomic(&path, doc.to_sidecar().to_json().as_bytes()).unwrap();
    }
    let project = Project::open(&root).unwrap();
    let config = Config {
        annotator: Some("chi".into()),
        ..Config::default()
    };
    h.app = App::new(project, config, (100, 30));
    h.keys("enter m");
    h
}

/// The highlighted row, the text selection and the span the message names
/// as next: all three must be one span. Returns it as `LABEL “TEXT”`.
fn one_span_everywhere(h: &Harness) -> String {
    let st = &h.app.state;
    let row = &st.review.rows[st.review.selected];
    let art = st.article().unwrap();
    let row_text = art.doc.text().slice(row.start, row.end).to_string();
    let shown = format!("{} “{}”", row.label.as_deref().unwrap(), row_text);
    let sel = art.selection.expect("a selection").range();
    assert_eq!(sel, (row.start, row.end), "selection vs row {shown}");
    let msg = h.message();
    if let Some(next) = msg.split("next: ").nth(1) {
        assert!(next.starts_with(&shown), "message {msg:?} vs row {shown}");
    }
    shown
}

#[test]
fn adjudication_acts_on_the_span_it_shows_and_steps_to_each_label() {
    let mut h = two_annotators();
    let gold = |h: &Harness| h.disk_markup("a");
    // In the list: take the first row; the next one is named, highlighted
    // and selected.
    h.keys("a");
    let next = one_span_everywhere(&h);
    assert!(h.message().contains("next: "), "{}", h.message());
    // The second label on the same words is the next step, not skipped.
    assert!(next.ends_with("“Lan”"), "{next} ({})", h.message());
    // `x` now leaves out exactly that one, and never the span taken before.
    let before = gold(&h);
    h.keys("x");
    assert_eq!(
        gold(&h),
        before,
        "leaving out the other label removes nothing"
    );
    let next = one_span_everywhere(&h);
    assert!(next.ends_with("“Minh”"), "{next}");
    // `a` takes what the message named.
    h.keys("a");
    assert!(
        gold(&h).contains(&format!("[Minh]{{{}}}", &next[..3])),
        "{}",
        gold(&h)
    );
    // In the text too: `}` goes to the other label on Minh.
    h.keys("tab");
    let on_text = one_span_everywhere(&h);
    assert!(on_text.ends_with("“Minh”"), "{on_text}");
    h.keys("x");
    one_span_everywhere(&h);
    // Undo says what came back, and selects it everywhere.
    h.keys("u");
    assert!(
        h.message().starts_with("undone: ")
            && h.message().contains("“Minh”")
            && h.message().contains("undecided again"),
        "{}",
        h.message()
    );
    assert!(one_span_everywhere(&h).ends_with("“Minh”"));
}

#[test]
fn a_drag_that_starts_on_a_space_tags_the_word_without_it() {
    use nhan_tui::app::msg::{Mouse, MouseKind};
    let mut h = Harness::open("Tổng Bí thư Nguyễn Phú Trọng làm việc.");
    let inner = nhan_tui::app::geometry::text_inner(h.app.state.size, h.app.state.mode);
    let at = |col: u16, kind| {
        Msg::Mouse(Mouse {
            kind,
            col: inner.x + col,
            row: inner.y,
        })
    };
    // Column 11 is the space before "Nguyễn".
    h.app.handle(at(11, MouseKind::Down));
    h.app.handle(at(17, MouseKind::Drag));
    h.app.handle(at(17, MouseKind::Up));
    h.keys("1");
    assert_eq!(
        h.disk_markup("a"),
        "Tổng Bí thư [Nguyễn]{PER} Phú Trọng làm việc."
    );
    // Character steps past the word's end leave the space out too.
    h.keys("esc g v . 2");
    assert_eq!(
        h.disk_markup("a"),
        "[Tổng]{ORG} Bí thư [Nguyễn]{PER} Phú Trọng làm việc."
    );
}

#[test]
fn a_span_never_crosses_a_blank_line_unless_the_schema_says_so() {
    let text = "Kết thúc câu.\n\nTheo QĐND hôm nay.";
    let mut h = Harness::open(text);
    // From "câu." over the blank line to "Theo".
    h.keys("l l v L L L 1");
    assert!(
        h.message().contains("crosses a blank line"),
        "{}",
        h.message()
    );
    assert!(h.message().contains("cross_paragraphs"), "{}", h.message());
    assert!(h.on_disk("a").is_none_or(|sc| sc.spans.is_empty()));
    // A schema that allows it.
    let toml = std::fs::read_to_string(h.dir.path().join("nhan.toml")).unwrap();
    std::fs::write(
        h.dir.path().join("nhan.toml"),
        format!("cross_paragraphs = true\n{toml}"),
    )
    .unwrap();
    reopen(&mut h);
    h.keys("enter l l v L L L 1");
    let sc = h.on_disk("a").unwrap();
    assert_eq!(sc.spans.len(), 1, "{}", h.message());
    assert!(sc.spans[0].text.contains("\n\n"));
}
