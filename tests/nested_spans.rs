//! Nested spans through the keys (issue 28, item 12): `i` and `e` select
//! inside the selected span, `[`/`]` step from where the cursor is (past a
//! span just tagged), and moving a selected span changes only that span.

mod support;

use support::Harness;

const CITY: &str = "[Lan]{PER} họp ở Ủy ban nhân dân Thành phố Hồ Chí Minh hôm nay";

#[test]
fn after_a_tag_left_bracket_selects_the_span_just_tagged_as_from_the_cursor() {
    let mut h = Harness::open(CITY);
    h.keys("l l l e e e 2");
    assert_eq!(
        h.markup(),
        "[Lan]{PER} họp ở [Ủy ban nhân dân Thành phố Hồ Chí Minh]{ORG} hôm nay"
    );
    h.keys("[");
    assert_eq!(
        h.selected().as_deref(),
        Some("Ủy ban nhân dân Thành phố Hồ Chí Minh")
    );
    assert_eq!(h.at_cursor(), "Ủy");
    // The same as from a bare cursor where the tag left it.
    let mut bare =
        Harness::open("[Lan]{PER} họp ở [Ủy ban nhân dân Thành phố Hồ Chí Minh]{ORG} hôm nay");
    bare.keys("G h [");
    assert_eq!(bare.selected(), h.selected());
    // From a span the cursor is on, `[` and `]` step through reading order.
    h.keys("[");
    assert_eq!(h.selected().as_deref(), Some("Lan"));
    h.keys("]");
    assert_eq!(
        h.selected().as_deref(),
        Some("Ủy ban nhân dân Thành phố Hồ Chí Minh")
    );
}

#[test]
fn e_on_a_span_stepped_to_selects_inside_it() {
    let mut h =
        Harness::open("[Ủy ban nhân dân Thành phố Hồ Chí Minh]{ORG} họp với [Lan]{PER} ở Huế");
    h.keys("] e");
    assert_eq!(h.selected().as_deref(), Some("Thành phố Hồ Chí Minh"));
    h.keys("3");
    assert_eq!(
        h.markup(),
        "[Ủy ban nhân dân [Thành phố Hồ Chí Minh]{LOC}]{ORG} họp với [Lan]{PER} ở Huế"
    );
    // A one-word span has nothing inside: `e` goes on to the next name.
    h.keys("] ] e");
    assert_eq!(h.selected().as_deref(), Some("Huế"));
    // After a tag the cursor waits past the span: `e` looks on from there.
    h.keys("3 g ] e 2");
    assert_eq!(h.selected().as_deref(), Some("Thành phố Hồ Chí Minh"));
    h.keys("esc g v 1 e");
    assert_eq!(h.selected().as_deref(), Some("Thành"));
}

#[test]
fn i_selects_inside_the_span_just_tagged_and_again_further_in() {
    let mut h = Harness::open("Lan là Ủy viên Ban Chấp hành Đảng bộ Bộ Ngoại giao.");
    h.keys("l l e e e $ 1 i");
    assert_eq!(
        h.selected().as_deref(),
        Some("Ban Chấp hành Đảng bộ Bộ Ngoại giao")
    );
    h.keys("2 i i 2 i 2");
    assert_eq!(
        h.markup(),
        "Lan là [Ủy viên [Ban Chấp hành [Đảng bộ [Bộ Ngoại giao]{ORG}]{ORG}]{ORG}]{PER}."
    );
    // Without a selection, inside the innermost span at the cursor.
    h.keys("esc g l l l l i");
    assert_eq!(
        h.selected().as_deref(),
        Some("Chấp hành Đảng bộ Bộ Ngoại giao")
    );
    h.keys("esc g i");
    assert!(
        h.message().contains("select a span first"),
        "{}",
        h.message()
    );
    h.keys("esc ] ] ] ] i");
    assert_eq!(h.selected().as_deref(), Some("Ngoại giao"));
    // No capitalised word further in: the next word.
    h.keys("i");
    assert_eq!(h.selected().as_deref(), Some("giao"));
    h.keys("i");
    assert_eq!(h.selected().as_deref(), Some("giao"));
    assert!(
        h.message().contains("nothing inside “giao”"),
        "{}",
        h.message()
    );
}

#[test]
fn moving_the_span_just_tagged_changes_it_alone_and_undo_names_its_label() {
    let mut h = Harness::open(CITY);
    h.keys("l l l e e e 2 [ o L L L L 3");
    assert_eq!(
        h.markup(),
        "[Lan]{PER} họp ở Ủy ban nhân dân [Thành phố Hồ Chí Minh]{LOC} hôm nay"
    );
    h.keys("u");
    assert_eq!(
        h.message(),
        "undone: LOC “Thành phố Hồ Chí Minh” → ORG “Ủy ban nhân dân Thành phố Hồ Chí Minh”"
    );
    assert_eq!(
        h.markup(),
        "[Lan]{PER} họp ở [Ủy ban nhân dân Thành phố Hồ Chí Minh]{ORG} hôm nay"
    );
}

#[test]
fn a_span_moved_onto_another_spans_extent_leaves_both_alone() {
    let nested = "[Ủy ban nhân dân [Thành phố Hồ Chí Minh]{LOC}]{ORG} họp";
    let mut h = Harness::open(nested);
    h.keys("] o L L L L 1");
    assert_eq!(h.markup(), nested);
    assert_eq!(
        h.message(),
        "not moved: LOC “Thành phố Hồ Chí Minh” already has this extent; \
         ORG “Ủy ban nhân dân Thành phố Hồ Chí Minh” stays as it was"
    );
    assert_eq!(h.disk_markup("a"), nested);
}
