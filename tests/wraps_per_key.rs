//! One key wraps the text at most once: the derived views (the layout with
//! its suggestions, the review list) are brought up to date once, after
//! the key, not by every handler it passes through.

mod support;

use nhan_tui::app::config::Config;
use nhan_tui::app::state::Focus;
use nhan_tui::view::wrap::passes;
use support::Harness;

/// Wrap passes that pressing `keys` costs (with what it asks for: the
/// save, the suggestions computed again).
fn wraps(h: &mut Harness, keys: &str) -> u64 {
    let before = passes();
    h.keys(keys);
    passes() - before
}

const TEXT: &str = "Ngày 1, [Ban Đối ngoại Trung ương]{ORG} họp tại [Hà Nội]{LOC}. Sau đó Ban Đối ngoại Trung ương về Hà Nội.";

#[test]
fn a_tag_key_wraps_once() {
    let mut h = Harness::open(TEXT);
    h.keys("l");
    let n = wraps(&mut h, "1");
    assert!(h.markup().contains("[1]{PER}"), "{}", h.markup());
    assert_eq!(n, 1, "wraps");
}

#[test]
fn an_undo_wraps_once() {
    let mut h = Harness::open(TEXT);
    h.keys("l 1");
    let n = wraps(&mut h, "u");
    assert!(!h.markup().contains("[1]{PER}"), "{}", h.markup());
    assert_eq!(n, 1, "wraps");
}

#[test]
fn y_on_a_suggestion_wraps_once() {
    let mut h = Harness::new(&[("a", TEXT)]);
    h.app.enable_suggestions();
    h.keys("enter )");
    assert_eq!(h.app.state.article().unwrap().layout.ghosts().len(), 2);
    let n = wraps(&mut h, "y");
    assert!(h.message().contains("accepted ORG"), "{}", h.message());
    let art = h.app.state.article().unwrap();
    assert_eq!(art.doc.spans().len(), 3, "the suggestion is a span");
    assert_eq!(art.layout.ghosts().len(), 1, "and no longer drawn as one");
    assert_eq!(n, 1, "wraps");
}

#[test]
fn an_accept_in_the_review_list_wraps_at_most_once() {
    let config = Config {
        annotator: Some("minh".into()),
        ..Config::default()
    };
    let mut h = Harness::with_config(&[("a", TEXT)], config, (100, 30));
    h.keys("enter r");
    assert_eq!(h.app.state.focus, Focus::Spans);
    let n = wraps(&mut h, "a");
    let art = h.app.state.article().unwrap();
    assert!(
        art.doc.spans().iter().any(|s| s.review.is_some()),
        "accepted"
    );
    assert!(n <= 1, "{n} wraps");
}

#[test]
fn moving_wraps_nothing_and_a_resize_wraps_once() {
    let mut h = Harness::open(TEXT);
    assert_eq!(wraps(&mut h, "l l j k G g"), 0, "motions read the layout");
    let (width, before) = (h.app.state.article().unwrap().layout.width, passes());
    h.app.handle(nhan_tui::app::msg::Msg::Resize(60, 20));
    assert_eq!(passes() - before, 1, "a new width is wrapped afresh, once");
    let now = h.app.state.article().unwrap().layout.width;
    assert!(now < width, "wrapped at the new width: {now} after {width}");
}

#[test]
fn rejecting_or_hiding_suggestions_wraps_once() {
    let mut h = Harness::new(&[("a", TEXT)]);
    h.app.enable_suggestions();
    h.keys("enter )");
    assert_eq!(wraps(&mut h, "X"), 1, "a rejection takes its brackets away");
    assert_eq!(h.app.state.article().unwrap().layout.ghosts().len(), 1);
    assert_eq!(wraps(&mut h, "S"), 1, "hiding takes the rest away");
    assert!(h.app.state.article().unwrap().layout.ghosts().is_empty());
}
