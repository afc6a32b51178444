//! Review mode, driven by the keys a reviewer types.

mod support;

use nhan_model::status::Status;
use nhan_tui::app::config::Config;
use nhan_tui::app::reviewing;
use nhan_tui::app::state::{Focus, Mode};
use support::Harness;

fn reviewer_config() -> Config {
    Config {
        annotator: Some("minh".into()),
        ..Config::default()
    }
}

fn review(articles: &[(&str, &str)]) -> Harness {
    let mut h = Harness::with_config(articles, reviewer_config(), (100, 30));
    h.keys("enter r");
    assert_eq!(h.app.state.mode, Mode::Review);
    assert_eq!(h.app.state.focus, Focus::Spans);
    h
}

/// The span list as `TEXT LABEL REVIEW` lines.
fn rows(h: &Harness) -> Vec<String> {
    h.app
        .state
        .review
        .rows
        .iter()
        .map(|r| {
            // An article review only read is not resident: its spans are.
            format!(
                "{} {} {}",
                reviewing::row_text(&h.app.state, r).unwrap(),
                r.label.as_deref().unwrap_or("-"),
                r.review.map(|d| d.as_str()).unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn accept_puts_the_reviewer_on_the_span_and_saves() {
    let mut h = review(&[("a", "[Lê Hoài Trung]{PER} ở [Hà Nội]{LOC}")]);
    assert_eq!(rows(&h), ["Lê Hoài Trung PER -", "Hà Nội LOC -"]);
    h.keys("a");
    let sc = h.on_disk("a").unwrap();
    assert_eq!(sc.spans[0].review.map(|d| d.as_str()), Some("accepted"));
    assert_eq!(sc.spans[0].reviewer.as_deref(), Some("minh"));
    assert_eq!(sc.spans[0].annotator.as_deref(), Some("test"));
    // Unreviewed first: the accepted span moves down the list.
    assert_eq!(rows(&h), ["Hà Nội LOC -", "Lê Hoài Trung PER accepted"]);
    h.keys("u");
    assert_eq!(h.on_disk("a").unwrap().spans[0].review, None);
}

#[test]
fn reject_removes_the_span_and_records_it_undoably() {
    let mut h = review(&[("a", "[Lê Hoài Trung]{PER} ở [Hà Nội]{ORG}")]);
    h.keys("j x");
    let sc = h.on_disk("a").unwrap();
    assert_eq!(sc.spans.len(), 1);
    let rejected = sc.extra["rejected"].as_array().unwrap();
    assert_eq!(rejected[0]["text"], "Hà Nội");
    assert_eq!(rejected[0]["reviewer"], "minh");
    assert!(
        h.message().starts_with("rejected ORG “Hà Nội”"),
        "{}",
        h.message()
    );
    h.keys("u");
    let sc = h.on_disk("a").unwrap();
    assert_eq!(sc.spans.len(), 2);
    assert!(!sc.extra.contains_key("rejected"));
}

#[test]
fn relabel_and_edge_fixes_are_marked_fixed() {
    let mut h = review(&[("a", "[Ban Đối ngoại]{PER} Trung ương họp")]);
    h.keys("2");
    let s = &h.on_disk("a").unwrap().spans[0];
    assert_eq!(
        (s.label.as_str(), s.review.map(|d| d.as_str())),
        ("ORG", Some("fixed"))
    );
    // Widen the span by two tokens in the text pane, then apply the label.
    h.keys("tab ] L L 2");
    let s = &h.on_disk("a").unwrap().spans[0];
    assert_eq!(s.text, "Ban Đối ngoại Trung ương");
    assert_eq!(s.review.map(|d| d.as_str()), Some("fixed"));
}

#[test]
fn stepping_through_unreviewed_spans_in_the_text() {
    let mut h = review(&[("a", "[A]{PER} b [C]{LOC} d [E]{ORG}")]);
    h.keys("a tab");
    h.keys("}");
    assert_eq!(h.selected().as_deref(), Some("C"));
    h.keys("}");
    assert_eq!(h.selected().as_deref(), Some("E"));
    h.keys("{");
    assert_eq!(h.selected().as_deref(), Some("C"));
    // Accepting in the text goes on to the next unreviewed span.
    h.keys("a");
    assert_eq!(h.selected().as_deref(), Some("E"));
    assert!(h.message().contains("1 unreviewed"), "{}", h.message());
}

#[test]
fn an_article_is_reviewed_only_when_every_span_is() {
    let mut h = review(&[("a", "[A]{PER} b [C]{LOC}")]);
    h.keys("D");
    assert!(
        h.message().contains("2 spans left to review"),
        "{}",
        h.message()
    );
    assert_ne!(
        h.app.state.article().unwrap().doc.status(),
        Status::Reviewed
    );
    h.keys("a a D");
    assert_eq!(h.on_disk("a").unwrap().status, Status::Reviewed);
    assert_eq!(h.app.state.slot(0).status(), Status::Reviewed);
    h.keys("D");
    assert_eq!(h.on_disk("a").unwrap().status, Status::Done);
}

#[test]
fn filters_by_state_label_text_and_scope() {
    let mut h = review(&[
        ("a", "[Hà Nội]{LOC} và [Lan]{PER}"),
        ("b", "[Huế]{LOC} và [Hà Nội]{LOC}"),
    ]);
    assert_eq!(rows(&h).len(), 2, "this article only");
    h.keys("p");
    assert_eq!(rows(&h).len(), 4, "the whole project");
    h.keys("a s");
    assert_eq!(rows(&h).len(), 3, "unreviewed");
    h.keys("s");
    assert_eq!(rows(&h), ["Hà Nội LOC accepted"]);
    h.keys("s f f f");
    assert_eq!(rows(&h).len(), 3, "LOC only");
    h.keys("/");
    h.type_text("ha noi");
    h.keys("enter");
    assert_eq!(rows(&h), ["Hà Nội LOC -", "Hà Nội LOC accepted"]);
    h.keys("enter");
    assert_eq!(h.app.state.focus, Focus::Text);
    assert_eq!(h.selected().as_deref(), Some("Hà Nội"));
}

#[test]
fn consistency_cases_across_the_project() {
    let mut h = review(&[
        ("a", "[Hà Nội]{LOC} và [Lan]{PER}"),
        ("b", "[Hà Nội]{ORG} rồi Hà Nội và [Lan]{PER}"),
    ]);
    h.keys("c");
    assert_eq!(rows(&h), ["Hà Nội LOC -", "Hà Nội ORG -", "Hà Nội - -"]);
    // Jump to the untagged one and tag it.
    h.keys("j j enter 3");
    assert_eq!(
        h.disk_markup("b"),
        "[Hà Nội]{ORG} rồi [Hà Nội]{LOC} và [Lan]{PER}"
    );
    // In the text, c steps through the cases.
    h.keys("c");
    assert!(
        h.message().contains("“Hà Nội”: tagged LOC and ORG"),
        "{}",
        h.message()
    );
    h.keys("tab c");
    assert!(!h.app.state.review.only_cases);
}

#[test]
fn leaving_review_mode_returns_to_annotating() {
    let mut h = review(&[("a", "[A]{PER}")]);
    h.keys("r");
    assert_eq!(h.app.state.mode, Mode::Annotate);
    assert_eq!(h.app.state.focus, Focus::Text);
    h.keys("tab");
    assert_eq!(h.app.state.focus, Focus::List);
}

#[test]
fn the_article_list_filters_by_status() {
    let mut h = Harness::new(&[("a", "x"), ("b", "y")]);
    h.keys("j enter D tab s");
    assert_eq!(h.app.state.visible_articles(), [0], "todo");
    h.keys("s");
    assert!(h.app.state.visible_articles().is_empty(), "in progress");
    h.keys("s");
    assert_eq!(h.app.state.visible_articles(), [1], "done");
    h.keys("enter");
    assert_eq!(h.markup(), "y");
}

#[test]
fn with_threads_review_reads_the_other_articles_off_the_interface_thread() {
    let mut h = Harness::with_config(
        &[
            ("a", "[Hà Nội]{LOC} đẹp"),
            ("b", "[Lê Hoài Trung]{PER} đến"),
        ],
        reviewer_config(),
        (100, 30),
    );
    h.keys("enter");
    h.app.use_threads();
    h.keys("r p");
    // The worker reads `b`; its spans reach the list through `poll`.
    h.settle();
    assert_eq!(rows(&h), ["Hà Nội LOC -", "Lê Hoài Trung PER -"]);
}

#[test]
fn a_load_that_comes_back_late_never_replaces_the_article_being_edited() {
    let mut h = review(&[("a", "[Hà Nội]{LOC} đẹp")]);
    // The same article read again (review's loads and an Enter both asked
    // for it) before the edit, arriving after it.
    let stale = h.app.state.project.load_for_editing("a.txt").map(Box::new);
    h.keys("a");
    let edited = h.markup();
    h.app.handle(nhan_tui::app::msg::Msg::Loaded {
        index: 0,
        open: true,
        result: stale,
    });
    assert_eq!(h.markup(), edited);
    assert_eq!(
        h.app
            .state
            .article()
            .unwrap()
            .doc
            .spans()
            .iter()
            .next()
            .unwrap()
            .review
            .map(|d| d.as_str()),
        Some("accepted")
    );
}

#[test]
fn a_message_says_one_thing_esc_clears_it_and_m_keeps_the_last_ones() {
    let mut h = review(&[(
        "a",
        "[Lan]{PER} gặp [Minh]{PER} ở [Huế]{LOC} và [Vinh]{LOC}",
    )]);
    h.keys("tab }");
    let first = h.message();
    assert!(first.starts_with("4 unreviewed: "), "{first}");
    h.keys("}");
    let second = h.message();
    // Not "…; 4 unreviewed: …; 4 unreviewed: …".
    assert_eq!(second.matches("unreviewed").count(), 1, "{second}");
    assert_ne!(first, second);
    // Accepting says what it did and where it went, in one message.
    h.keys("a");
    let accepted = h.message();
    assert!(accepted.starts_with("accepted: "), "{accepted}");
    assert_eq!(
        accepted.matches("; 3 unreviewed: ").count(),
        1,
        "{accepted}"
    );
    h.keys("esc");
    assert_eq!(h.message(), "");
    h.keys("M");
    let log: Vec<String> = h
        .app
        .state
        .message_log
        .iter()
        .map(|m| m.text.clone())
        .collect();
    assert!(log.len() >= 3, "{log:?}");
    assert_eq!(log[log.len() - 3..], [first, second, accepted]);
    h.keys("esc");
    assert!(matches!(
        h.app.state.overlay,
        nhan_tui::app::state::Overlay::None
    ));
}

const THREE: &str = "[Lan]{PER} gặp [Minh]{PER} ở [Huế]{LOC} hôm qua.";

/// The selected span's text in the text pane.
fn selected(h: &Harness) -> String {
    h.selected().unwrap_or_default()
}

#[test]
fn unreviewed_steps_never_skip_or_mislead() {
    let mut h = review(&[("a", THREE)]);
    h.keys("tab g }");
    // From a bare cursor the span at the cursor is the next one.
    assert_eq!(selected(&h), "Lan");
    h.keys("a");
    assert_eq!(selected(&h), "Minh");
    // Nothing unreviewed before "Minh": `{` wraps to the last one rather
    // than saying every span is reviewed.
    h.keys("{");
    assert_eq!(selected(&h), "Huế");
    assert_eq!(h.message(), "2 unreviewed: LOC “Huế” (wrapped)");
    h.keys("a a");
    assert_eq!(
        h.message(),
        "accepted: PER “Minh”; every span here is reviewed: D marks the article reviewed"
    );
}

#[test]
fn after_a_decision_in_the_list_the_text_follows_the_list() {
    let mut h = review(&[("a", THREE)]);
    h.keys("a");
    let row = &h.app.state.review.rows[h.app.state.review.selected];
    let art = h.app.state.article().unwrap();
    assert_eq!(art.doc.text().slice(row.start, row.end), "Minh");
    assert_eq!(selected(&h), "Minh");
}

#[test]
fn esc_clears_the_list_filters_and_span_steps_say_their_number() {
    let mut h = review(&[("a", THREE)]);
    h.keys("/");
    h.type_text("hue");
    assert_eq!(rows(&h), ["Huế LOC -"]);
    // Esc in the prompt drops the filter.
    h.keys("esc");
    assert_eq!(rows(&h).len(), 3);
    h.keys("f f f");
    assert_eq!(rows(&h), ["Huế LOC -"]);
    h.keys("/");
    h.type_text("hu");
    h.keys("enter");
    assert_eq!(rows(&h), ["Huế LOC -"]);
    // Esc in the list: every label and text again, in one key.
    h.keys("esc");
    assert_eq!(rows(&h).len(), 3);
    assert_eq!(h.app.state.review.label, None);
    h.keys("tab g ]");
    assert_eq!(h.message(), "span 1 of 3: PER “Lan”");
    h.keys("] ]");
    assert_eq!(h.message(), "span 3 of 3: LOC “Huế”");
}

#[test]
fn a_consistency_jump_to_another_article_says_so_and_the_list_follows() {
    let mut h = Harness::with_config(
        &[("a", "[Huế]{LOC} đẹp."), ("b", "Về Huế hôm qua.")],
        reviewer_config(),
        (100, 30),
    );
    h.keys("enter r tab c");
    // The untagged "Huế" in b may come first or second: step until b.
    if h.app.state.current != Some(1) {
        h.keys("c");
    }
    assert_eq!(h.app.state.current, Some(1));
    assert!(h.message().contains("now in b"), "{}", h.message());
    assert_eq!(h.app.state.list_selected, 1);
    h.keys("u");
    assert_eq!(
        h.message(),
        "nothing to undo in this article (undo is per article)"
    );
}
