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
