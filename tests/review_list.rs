//! The review list never misleads: after a decision it goes on to an
//! undecided row (wrapping), after a filter the text and the status bar
//! show the highlighted row, and edges can be fixed from the list.

mod support;

use nhan_tui::app::config::Config;
use nhan_tui::app::state::Focus;
use support::Harness;

fn review(articles: &[(&str, &str)]) -> Harness {
    let config = Config {
        annotator: Some("minh".into()),
        ..Config::default()
    };
    let mut h = Harness::with_config(articles, config, (100, 30));
    h.keys("enter r");
    assert_eq!(h.app.state.focus, Focus::Spans);
    h
}

/// The highlighted row's text.
fn row(h: &Harness) -> String {
    let r = &h.app.state.review.rows[h.app.state.review.selected];
    nhan_tui::app::reviewing::row_text(&h.app.state, r)
        .unwrap()
        .to_string()
}

/// What the status bar names: the text of the span selected in the text.
fn status_span(h: &mut Harness) -> String {
    h.app.handle(nhan_tui::app::msg::Msg::Resize(120, 30));
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
    t.draw(|f| nhan_tui::ui::draw(f, &h.app.state)).unwrap();
    let b = t.backend().buffer();
    let line: String = (0..120).map(|x| b[(x, 28)].symbol()).collect();
    line.split('“')
        .nth(1)
        .and_then(|s| s.split('”').next())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_wraps_back_to_undecided_rows_above() {
    let mut h = review(&[("a", "[Lan]{PER} và [Huệ]{PER} ở [Huế]{LOC}")]);
    // Go to the last row and accept it: the undecided rows are above.
    h.keys("j j");
    assert_eq!(row(&h), "Huế");
    h.keys("a");
    assert_eq!(row(&h), "Lan", "wrapped to the first undecided row");
    assert!(h.message().contains("wrapped"), "{}", h.message());
    h.keys("a a");
    let sc = h.on_disk("a").unwrap();
    assert!(
        sc.spans
            .iter()
            .all(|s| s.review.map(|d| d.as_str()) == Some("accepted")),
        "every span accepted, none twice: {:?}",
        sc.spans
    );
    assert!(!h.message().contains("already accepted"), "{}", h.message());
}

#[test]
fn after_a_filter_the_text_and_status_bar_show_the_highlighted_row() {
    let mut h = review(&[("a", "[Lan]{PER} và [Huệ]{PER} ở [Huế]{LOC}")]);
    h.keys("j");
    assert_eq!(status_span(&mut h), "Huệ");
    // Only LOC spans: the row, the text and the status bar agree.
    h.keys("f f f");
    assert_eq!(row(&h), "Huế");
    assert_eq!(status_span(&mut h), "Huế");
    assert_eq!(h.selected().as_deref(), Some("Huế"));
    // And `a` accepts what they all name.
    h.keys("a");
    let sc = h.on_disk("a").unwrap();
    let accepted: Vec<&str> = sc
        .spans
        .iter()
        .filter(|s| s.review.is_some())
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(accepted, ["Huế"]);
    // The text filter as it is typed, and Esc clearing it, follow too.
    h.keys("esc /");
    h.type_text("hue");
    h.keys("enter");
    assert_eq!(status_span(&mut h), row(&h));
    // A filter no row passes leaves nothing selected to act on.
    h.keys("/");
    h.type_text("zzz");
    assert_eq!(h.app.state.review.rows.len(), 0);
    assert_eq!(h.selected(), None);
}

#[test]
fn edges_are_fixed_from_the_list_with_h_l_and_a_digit() {
    let mut h = review(&[("a", "ông [Lê Hoài]{PER} Trung đến")]);
    h.keys("L");
    assert_eq!(h.selected().as_deref(), Some("Lê Hoài Trung"));
    assert!(
        h.message().starts_with("edges now “Lê Hoài Trung”"),
        "{}",
        h.message()
    );
    h.keys("1");
    let sc = h.on_disk("a").unwrap();
    assert_eq!(sc.spans.len(), 1);
    assert_eq!(sc.spans[0].text, "Lê Hoài Trung");
    assert_eq!(sc.spans[0].review.map(|d| d.as_str()), Some("fixed"));
    assert_eq!(sc.spans[0].reviewer.as_deref(), Some("minh"));
    // H moves the edge back, one token; , and . one character.
    h.keys("H");
    assert_eq!(h.selected().as_deref(), Some("Lê Hoài"));
    h.keys(",");
    assert_eq!(h.selected().as_deref(), Some("Lê Hoà"));
}

#[test]
fn nfc_and_nfd_spellings_of_a_surface_are_one_consistency_case() {
    use unicode_normalization::UnicodeNormalization;
    let nfd: String = "Hà Nội".nfd().collect();
    let b = format!("[{nfd}]{{ORG}} lớn");
    let mut h = review(&[("a", "[Hà Nội]{LOC} đẹp"), ("b", &b)]);
    h.keys("tab c");
    assert!(h.message().starts_with("case 1/1:"), "{}", h.message());
    h.keys("tab c");
    status_span(&mut h);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
    t.draw(|f| nhan_tui::ui::draw(f, &h.app.state)).unwrap();
    let b = t.backend().buffer();
    let screen: String = (0..30)
        .flat_map(|y| (0..120).map(move |x| (x, y)))
        .map(|p| b[p].symbol().to_string())
        .collect();
    assert!(
        screen.contains("1 consistency case") && !screen.contains("1 consistency cases"),
        "{screen}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(h.dir.path())
        .args(["stats", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["consistency"].as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn a_span_tagged_in_the_text_is_listed_at_once() {
    let mut h = review(&[("a", "[Lan]{PER} và Huệ ở [Huế]{LOC}")]);
    assert_eq!(h.app.state.review.rows.len(), 2);
    // To the text, onto "Huệ", tag it: the list is rebuilt from the
    // article's revision, with no flag set by the edit.
    h.keys("tab g l l 1");
    assert_eq!(h.markup(), "[Lan]{PER} và [Huệ]{PER} ở [Huế]{LOC}");
    let mut listed: Vec<String> = h
        .app
        .state
        .review
        .rows
        .iter()
        .map(|r| {
            nhan_tui::app::reviewing::row_text(&h.app.state, r)
                .unwrap()
                .to_string()
        })
        .collect();
    listed.sort();
    assert_eq!(listed, ["Huế", "Huệ", "Lan"]);
}
