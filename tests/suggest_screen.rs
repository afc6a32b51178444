//! Suggestions on screen: drawn apart from spans, with colour and without.

mod support;

use nhan::app::msg::Msg;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use support::Harness;

const A: &str = "Ngày 1, [Ban Đối ngoại Trung ương]{ORG} họp tại [Hà Nội]{LOC}. Sau đó Ban Đối ngoại Trung ương về Hà Nội.";

fn draw(h: &mut Harness, w: u16, ht: u16) -> Terminal<TestBackend> {
    h.app.handle(Msg::Resize(w, ht));
    let mut t = Terminal::new(TestBackend::new(w, ht)).unwrap();
    t.draw(|f| nhan::ui::draw(f, &h.app.state)).unwrap();
    t
}

fn rows(b: &Buffer) -> Vec<String> {
    (0..b.area.height)
        .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect())
        .collect()
}

/// The cell of the first char of `needle` on screen.
fn cell_of<'a>(buf: &'a Buffer, needle: &str) -> &'a ratatui::buffer::Cell {
    let r = rows(buf);
    let y = r.iter().position(|l| l.contains(needle)).expect(needle);
    let x = r[y][..r[y].find(needle).unwrap()].chars().count();
    &buf[(x as u16, y as u16)]
}

fn harness(no_color: bool) -> Harness {
    let mut h = Harness::new(&[("a", A)]);
    h.app.state.no_color = no_color;
    h.app.enable_suggestions();
    h.keys("enter )");
    h
}

#[test]
fn suggestions_are_dim_italic_in_their_label_colour_and_never_bold() {
    let mut h = harness(false);
    let t = draw(&mut h, 90, 12);
    let buf = t.backend().buffer();
    let text = rows(buf).join("\n");
    assert!(text.contains("{Ban Đối ngoại Trung ương}ORG?"), "{text}");
    assert!(text.contains("{Hà Nội}LOC?"), "{text}");
    let ghost = cell_of(buf, "Nội}LOC?");
    assert!(
        ghost.modifier.contains(Modifier::ITALIC | Modifier::DIM),
        "{ghost:?}"
    );
    assert!(!ghost.modifier.contains(Modifier::BOLD), "{ghost:?}");
    assert_eq!(ghost.fg, Color::Green);
    let span = cell_of(buf, "Nội]LOC");
    assert!(span.modifier.contains(Modifier::BOLD), "{span:?}");
    // The status bar names it, its source and score, and the count.
    let bar = &rows(buf)[10];
    assert!(
        bar.contains("ORG? “Ban Đối ngoại Trung ương” dictionary"),
        "{bar}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn without_colour_suggestions_read_as_questions_in_braces() {
    let mut h = harness(true);
    let t = draw(&mut h, 90, 12);
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            assert!(
                c.fg == Color::Reset && c.bg == Color::Reset,
                "colour at {x},{y}"
            );
        }
    }
    let text = rows(buf).join("\n");
    assert!(
        text.contains("[Hà Nội]LOC"),
        "spans keep their brackets: {text}"
    );
    assert!(text.contains("{Hà Nội}LOC?"), "{text}");
    insta::assert_snapshot!(t.backend());
    // Hidden: the brackets go and the text flows as without suggestions.
    h.keys("S");
    let t = draw(&mut h, 90, 12);
    let text = rows(t.backend().buffer()).join("\n");
    assert!(!text.contains('{'), "{text}");
    assert!(
        text.contains("Sau đó Ban Đối ngoại Trung ương về Hà Nội."),
        "{text}"
    );
}

#[test]
fn review_mode_lists_where_accepted_spans_came_from() {
    let mut h = harness(false);
    h.keys("y r");
    let t = draw(&mut h, 140, 16);
    let r = rows(t.backend().buffer());
    // The span list: one row per span, the span in brackets, then its
    // label, review state and source.
    let list: Vec<&String> = r
        .iter()
        .filter(|l| l.starts_with('┃') && (l.contains(" unreviewed ") || l.contains(" · ")))
        .collect();
    let with_source: Vec<&&String> = list.iter().filter(|l| l.contains("dictionary")).collect();
    assert_eq!(with_source.len(), 1, "{r:#?}");
    assert!(
        with_source[0].contains("[Ban Đối ngoại Trung ương]"),
        "{r:#?}"
    );
    assert!(
        list.len() >= 3,
        "the hand-made spans are listed too: {r:#?}"
    );
}

#[test]
fn a_rejection_is_saving_until_it_is_written_and_flushing_waits_for_it() {
    let mut h = harness(false);
    h.keys("y");
    // From here on the writes go to threads, as in the terminal.
    h.app.use_threads();
    h.app.flush_saves();
    let status = |h: &mut Harness| rows(draw(h, 120, 12).backend().buffer())[10].clone();
    assert!(status(&mut h).contains("saved ✓"), "{}", status(&mut h));
    h.keys("X");
    assert!(h.message().contains("rejected LOC"), "{}", h.message());
    // Handed to the suggestions' writer, not back yet: not "saved".
    let bar = status(&mut h);
    assert!(bar.contains("saving…") && !bar.contains("saved"), "{bar}");
    // What quitting does before it leaves.
    h.app.flush_saves();
    let file = h.dir.path().join(".nhan/rejected/a.json");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("Hà Nội"), "{saved}");
    assert!(status(&mut h).contains("saved ✓"), "{}", status(&mut h));
}
