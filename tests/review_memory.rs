//! Review's project-wide list keeps the spans of the articles it reads,
//! not the articles: what the user sees and can do is the same as if every
//! article were open.

mod support;

use nhan_tui::app::config::Config;
use nhan_tui::app::msg::Msg;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::Harness;

fn reviewer_config() -> Config {
    Config {
        annotator: Some("minh".into()),
        ..Config::default()
    }
}

/// `n` articles `a00`, `a01` …, each with one person tagged.
fn project(n: usize) -> Harness {
    let arts: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("a{i:02}"),
                format!("Ông [Người {i}]{{PER}} đến Huế"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = arts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    Harness::with_config(&refs, reviewer_config(), (100, 30))
}

fn screen(h: &mut Harness) -> String {
    h.app.handle(Msg::Resize(100, 30));
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| nhan_tui::ui::draw(f, &h.app.state)).unwrap();
    let b = t.backend().buffer();
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

fn resident(h: &Harness, i: usize) -> bool {
    h.app.state.articles[i].is_some()
}

fn accepted_on_disk(h: &Harness, stem: &str) -> bool {
    h.on_disk(stem).is_some_and(|s| {
        s.spans
            .iter()
            .all(|s| s.review.map(|d| d.as_str()) == Some("accepted"))
    })
}

#[test]
fn the_list_shows_every_article_in_context_while_only_their_spans_stay() {
    let mut h = project(3);
    h.keys("enter r p");
    assert_eq!(h.app.state.review.rows.len(), 3);
    // Read for the list, not opened: their spans are kept, their text not.
    assert!(!resident(&h, 1) && !resident(&h, 2));
    assert!(h.app.state.review_spans(2).is_some());
    let s = screen(&mut h);
    for i in 0..3 {
        assert!(
            s.contains(&format!("Ông [Người {i}] đến Huế")),
            "row {i} in context:\n{s}"
        );
    }
    assert!(s.contains("0/3 spans reviewed"), "{s}");
}

#[test]
fn a_row_opens_its_article_and_the_list_lets_it_go_again_unless_edited() {
    let mut h = project(3);
    h.keys("enter r p j enter");
    assert_eq!(h.app.state.current, Some(1));
    assert_eq!(h.selected().as_deref(), Some("Người 1"));
    // Back in the list, on to the next article: nothing changed in a01,
    // so it is a list entry again.
    h.keys("tab j");
    assert_eq!(h.app.state.current, Some(2));
    assert!(!resident(&h, 1));
    // Accepting there edits a02: it stays open when the list moves on.
    h.keys("a");
    assert!(accepted_on_disk(&h, "a02"), "{}", h.message());
    h.keys("k");
    assert!(resident(&h, 2));
    assert_eq!(h.app.state.review.rows.len(), 3);
    let s = screen(&mut h);
    assert!(s.contains("1/3 spans reviewed"), "{s}");
}

#[test]
fn a_key_on_a_row_whose_article_is_being_read_is_done_when_it_arrives() {
    let mut h = project(30);
    h.keys("enter");
    h.app.use_threads();
    h.keys("r p");
    h.settle();
    assert_eq!(h.app.state.review.rows.len(), 30);
    // Far down the list: the rows there were never on screen, so their
    // articles' text is not here; nothing is read while the keys come.
    h.keys(&["j"; 25].join(" "));
    assert_ne!(h.app.state.current, Some(25));
    assert!(h.message().contains("reading a25"), "{}", h.message());
    h.keys("a");
    assert!(!accepted_on_disk(&h, "a25"));
    h.settle();
    assert!(accepted_on_disk(&h, "a25"), "{}", h.message());
    // As after any decision in the list, it moved on to the next row.
    assert_eq!(h.app.state.current, Some(26));
    // Open: the edited article and the one on screen, no other.
    let open: Vec<usize> = (0..30).filter(|&i| resident(&h, i)).collect();
    assert_eq!(open, [0, 25, 26]);
}

#[test]
fn another_key_cancels_what_waited_for_an_article() {
    let mut h = project(30);
    h.keys("enter");
    h.app.use_threads();
    h.keys("r p");
    h.settle();
    h.keys(&["j"; 25].join(" "));
    h.keys("a k");
    h.settle();
    assert!(!accepted_on_disk(&h, "a25"));
    assert_ne!(h.app.state.current, Some(25));
}
