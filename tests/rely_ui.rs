//! What the interface promises when data could be silently changed
//! (issue 14): re-anchored spans shown before `A`, reviewed articles that
//! are edited, adjudication acting on the span shown, span edges.

mod support;

use nhan::app::config::Config;
use nhan::app::msg::Msg;
use nhan::app::state::Overlay;
use nhan::core::project::Project;
use nhan::runtime::App;
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
    t.draw(|f| nhan::ui::draw(f, &h.app.state)).unwrap();
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
        s.review = Some("accepted".into());
    }
    sc.status = nhan::core::status::Status::Reviewed;
    std::fs::write(&path, sc.to_json()).unwrap();
    let mut h = h;
    reopen(&mut h);
    h.keys("enter");
    h
}

#[test]
fn an_edit_in_annotate_mode_reopens_a_reviewed_article_visibly() {
    use nhan::core::status::Status;
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
