//! Suggestions in the TUI, driven by the keys a user types (the inline
//! executor computes them before each key returns).

mod support;

use nhan_tui::app::msg::Msg;
use nhan_tui::app::suggestions::SuggestState;
use support::Harness;

/// Article `a` has "Ban Đối ngoại Trung ương" and "Hà Nội" tagged once and
/// each once more untagged; `b` mentions both, untagged.
const A: &str = "Ngày 1, [Ban Đối ngoại Trung ương]{ORG} họp tại [Hà Nội]{LOC}. Sau đó Ban Đối ngoại Trung ương về Hà Nội.";
const B: &str = "Hà Nội đón Ban Đối ngoại Trung ương.";

fn harness() -> Harness {
    let mut h = Harness::new(&[("a", A), ("b", B)]);
    h.app.enable_suggestions();
    h.keys("enter");
    h
}

fn sg(h: &Harness) -> &SuggestState {
    &h.app.state.suggest
}

/// The open article's suggestions as `label “text”`.
fn pending(h: &Harness) -> Vec<String> {
    let art = h.app.state.article().unwrap();
    sg(h)
        .articles
        .get(&art.index)
        .map(|e| {
            e.list
                .iter()
                .map(|s| format!("{} “{}”", s.label, art.doc.text().slice(s.start, s.end)))
                .collect()
        })
        .unwrap_or_default()
}

fn sidecar_json(h: &Harness, stem: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(h.sidecar_path(stem)).unwrap()).unwrap()
}

/// Spans on disk with their source: `ORG “…” dictionary`.
fn sources_on_disk(h: &Harness, stem: &str) -> Vec<String> {
    sidecar_json(h, stem)["spans"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| {
            Some(format!(
                "{} “{}” {}",
                s["label"].as_str()?,
                s["text"].as_str()?,
                s["source"].as_str()?
            ))
        })
        .collect()
}

#[test]
fn the_other_occurrences_are_suggested_and_drawn_apart_from_spans() {
    let h = harness();
    assert_eq!(
        pending(&h),
        ["ORG “Ban Đối ngoại Trung ương”", "LOC “Hà Nội”"]
    );
    let art = h.app.state.article().unwrap();
    assert_eq!(art.layout.ghosts().len(), 2, "drawn");
    // Not spans: the sidecar is untouched.
    assert_eq!(
        h.disk_markup("a"),
        nhan_model::markup::parse(A)
            .map(|m| { nhan_model::markup::render(&m.text, &m.spans) })
            .unwrap()
    );
}

#[test]
fn next_and_previous_move_the_cursor_onto_suggestions() {
    let mut h = harness();
    h.keys(")");
    assert_eq!(h.at_cursor(), "Ban");
    assert!(
        h.message().contains("suggestion 1/2: ORG"),
        "{}",
        h.message()
    );
    h.keys(")");
    assert_eq!(h.at_cursor(), "Hà");
    h.keys(")");
    assert!(
        h.message().contains("no suggestion after"),
        "{}",
        h.message()
    );
    h.keys("(");
    assert_eq!(h.at_cursor(), "Ban");
    assert!(h.message().contains("1/2"));
}

#[test]
fn y_accepts_with_source_saved_at_once_and_u_takes_it_back() {
    let mut h = harness();
    h.keys(") y");
    assert!(
        h.message()
            .contains("accepted ORG “Ban Đối ngoại Trung ương” from dictionary"),
        "{}",
        h.message()
    );
    assert_eq!(
        sources_on_disk(&h, "a"),
        ["ORG “Ban Đối ngoại Trung ương” dictionary"]
    );
    assert_eq!(pending(&h), ["LOC “Hà Nội”"]);
    // On to the next one.
    assert_eq!(h.at_cursor(), "Hà");
    h.keys("u");
    assert!(sources_on_disk(&h, "a").is_empty());
    assert_eq!(pending(&h).len(), 2, "proposed again after the undo");
}

#[test]
fn a_digit_on_a_suggestion_accepts_it_with_that_label() {
    let mut h = harness();
    h.keys(") 3");
    assert_eq!(
        sources_on_disk(&h, "a"),
        ["LOC “Ban Đối ngoại Trung ương” dictionary"]
    );
    assert!(h.message().contains("(suggested ORG)"), "{}", h.message());
    // Off a suggestion a digit tags the token, as always (no source).
    h.keys("g 1");
    assert!(h.markup().starts_with("[Ngày]{PER}"), "{}", h.markup());
}

#[test]
fn x_rejects_it_stays_rejected_after_a_restart_and_u_unrejects() {
    let mut h = harness();
    h.keys(") X");
    assert!(h.message().contains("rejected ORG"), "{}", h.message());
    assert_eq!(pending(&h), ["LOC “Hà Nội”"]);
    let file = h.dir.path().join(".nhan/rejected/a.json");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("Ban Đối ngoại Trung ương"), "{saved}");
    // Nothing went into the sidecar.
    assert!(sources_on_disk(&h, "a").is_empty());

    // A new session: still rejected.
    let project = nhan_store::project::Project::open(h.dir.path()).unwrap();
    let mut again = nhan_tui::runtime::App::new(project, Default::default(), (100, 30));
    again.enable_suggestions();
    again.handle(Msg::Key(nhan_tui::app::keys::Key::parse("enter").unwrap()));
    let art = again.state.article().unwrap();
    let list = &again.state.suggest.articles[&art.index].list;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].label, "LOC");

    h.keys("u");
    assert!(
        h.message().contains("undone: rejection of ORG"),
        "{}",
        h.message()
    );
    assert_eq!(pending(&h).len(), 2);
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(!saved.contains("Ban Đối"), "{saved}");
    h.keys("ctrl-r");
    assert_eq!(pending(&h), ["LOC “Hà Nội”"]);
    assert!(std::fs::read_to_string(&file).unwrap().contains("Ban Đối"));
}

#[test]
fn accept_all_is_one_step_with_a_count_and_can_be_narrowed() {
    let mut h = harness();
    h.keys("Y");
    h.type_text("loc");
    h.keys("enter");
    assert!(
        h.message().contains("accepted 1 LOC suggestion"),
        "{}",
        h.message()
    );
    assert_eq!(pending(&h), ["ORG “Ban Đối ngoại Trung ương”"]);
    h.keys("u");
    assert_eq!(pending(&h).len(), 2);

    h.keys("Y enter");
    assert!(
        h.message().contains("accepted 2 suggestions as one step"),
        "{}",
        h.message()
    );
    assert_eq!(sources_on_disk(&h, "a").len(), 2);
    assert!(pending(&h).is_empty());
    h.keys("u");
    assert!(
        sources_on_disk(&h, "a").is_empty(),
        "one undo takes back both"
    );
    assert_eq!(pending(&h).len(), 2);

    h.keys("Y");
    h.type_text("1.5");
    h.keys("enter");
    assert!(
        h.message()
            .starts_with("no suggestions scored 1.50 or more"),
        "{}",
        h.message()
    );
    h.keys("Y");
    h.type_text("2 .5");
    h.keys("enter");
    assert!(
        h.message()
            .starts_with("accepted 1 ORG suggestion scored 0.50 or more"),
        "{}",
        h.message()
    );
}

#[test]
fn s_hides_and_shows_them() {
    let mut h = harness();
    h.keys("S");
    assert!(h.app.state.article().unwrap().layout.ghosts().is_empty());
    h.keys(")");
    assert!(h.message().contains("hidden"), "{}", h.message());
    // Hidden, a digit tags the token at the cursor as always.
    h.keys("S )");
    assert_eq!(h.app.state.article().unwrap().layout.ghosts().len(), 2);
    assert_eq!(h.at_cursor(), "Ban");
}

#[test]
fn e_selects_the_suggestion_to_fix_its_edges_then_a_digit_tags_it() {
    let mut h = harness();
    // "Ban Đối ngoại Trung ương" → "Ban Đối ngoại" (two tokens off the end).
    h.keys(") E H H 2");
    assert_eq!(sources_on_disk(&h, "a"), ["ORG “Ban Đối ngoại” dictionary"]);
    assert!(h.message().contains("edges changed"), "{}", h.message());
}

#[test]
fn tagging_one_occurrence_proposes_the_others_here_and_in_other_articles() {
    let mut h = Harness::new(&[
        ("a", "Bộ Ngoại giao họp. Sau đó Bộ Ngoại giao nói."),
        ("b", "Bộ Ngoại giao đáp."),
    ]);
    h.app.enable_suggestions();
    h.keys("enter");
    let bo = |h: &Harness| {
        pending(h)
            .into_iter()
            .filter(|s| s.contains("Bộ Ngoại giao"))
            .collect::<Vec<_>>()
    };
    assert!(bo(&h).is_empty(), "{:?}", pending(&h));
    h.keys("/");
    h.type_text("Bộ Ngoại giao");
    h.keys("enter 2");
    assert_eq!(bo(&h), ["ORG “Bộ Ngoại giao”"], "at once, in this article");
    h.keys("tab j enter");
    assert_eq!(h.app.state.article().unwrap().doc.file_name(), "b.txt");
    assert_eq!(
        bo(&h),
        ["ORG “Bộ Ngoại giao”"],
        "and in the next one opened"
    );
    // Untagging unlearns.
    h.keys("tab k enter u");
    assert!(bo(&h).is_empty(), "{:?}", pending(&h));
}

#[test]
fn retraining_waits_for_a_pause_and_keeps_the_suggestions() {
    let mut h = harness();
    h.keys(") y");
    let before = sg(&h).generation;
    h.app.handle(Msg::Tick);
    assert_eq!(sg(&h).generation, before, "not while typing");
    for _ in 0..3 {
        h.app.handle(Msg::Tick);
    }
    assert_eq!(sg(&h).generation, before + 1, "retrained after a pause");
    assert_eq!(pending(&h), ["LOC “Hà Nội”"]);
}

#[test]
fn the_status_bar_shows_the_suggestion_under_the_cursor_and_the_count() {
    let mut h = harness();
    h.keys(")");
    let art = h.app.state.article().unwrap();
    let s = nhan_tui::ui::suggestions::status(&h.app.state, art).unwrap();
    assert!(
        s.contains("ORG? “Ban Đối ngoại Trung ương” dictionary"),
        "{s}"
    );
    assert!(s.contains("2 suggested"), "{s}");
}

#[test]
fn a_project_with_nothing_tagged_yet_is_offered_nothing() {
    // The tagger has nothing to learn from: it must not guess.
    let mut h = Harness::new(&[("a", "Bộ Ngoại giao họp ở Hà Nội. Sau đó họ về nhà.")]);
    h.app.enable_suggestions();
    h.keys("enter");
    assert!(pending(&h).is_empty(), "{:?}", pending(&h));
    h.keys(")");
    assert!(
        h.message().contains("no suggestion after"),
        "{}",
        h.message()
    );
}

#[test]
fn a_selection_after_e_was_dropped_is_tagged_by_hand_without_source() {
    let mut h = harness();
    h.keys(") E esc v 1");
    let sc = sidecar_json(&h, "a");
    let new: Vec<&serde_json::Value> = sc["spans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["label"] == "PER")
        .collect();
    assert_eq!(new.len(), 1, "{sc}");
    assert!(new[0].get("source").is_none(), "{sc}");
}

#[test]
fn in_review_mode_an_accepted_suggestion_is_reviewed_by_the_reviewer() {
    let config = nhan_tui::app::config::Config {
        annotator: Some("lan".into()),
        ..Default::default()
    };
    let mut h = Harness::with_config(&[("a", A)], config, (100, 30));
    h.app.enable_suggestions();
    // Review mode starts in its span list; Tab goes to the text.
    h.keys("enter r tab");
    assert_eq!(
        h.app.state.focus,
        nhan_tui::app::state::Focus::Text,
        "the text pane"
    );
    h.keys(") y");
    let sc = sidecar_json(&h, "a");
    let accepted: Vec<&serde_json::Value> = sc["spans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] == "dictionary")
        .collect();
    assert_eq!(accepted.len(), 1, "{sc}");
    assert_eq!(accepted[0]["reviewer"], "lan", "{sc}");
}

#[test]
fn what_nhan_suggest_stored_is_shown_until_the_recommenders_are_ready() {
    // A gazetteer that is missing: the recommenders cannot be built, so
    // only what `nhan suggest` stored earlier is there to show.
    let mut h = Harness::new(&[("a", A)]);
    let toml = format!(
        "{}\n[[recommenders]]\nname = \"dictionary\"\ntype = \"dictionary\"\ngazetteers = [\"missing.tsv\"]\n",
        support::SCHEMA
    );
    std::fs::write(h.dir.path().join("nhan.toml"), toml).unwrap();
    let project = nhan_store::project::Project::open(h.dir.path()).unwrap();
    let text = std::fs::read_to_string(h.dir.path().join("articles/a.txt")).unwrap();
    let at = text[..text.rfind("Hà Nội").unwrap()].chars().count();
    nhan_suggest::store::save_stored(
        &project,
        &nhan_suggest::store::Stored {
            article: "a.txt".into(),
            text_sha256: nhan_model::sidecar::sha256_hex(text.as_bytes()),
            suggestions: vec![nhan_suggest::Suggestion {
                start: at,
                end: at + 6,
                label: "LOC".into(),
                score: 0.9,
                source: "dictionary".into(),
            }],
        },
    )
    .unwrap();
    h.app = nhan_tui::runtime::App::new(project, Default::default(), (100, 30));
    h.app.enable_suggestions();
    h.keys("enter");
    assert!(
        h.message().contains("suggestions are off"),
        "{}",
        h.message()
    );
    assert!(h.message().contains("missing.tsv"), "{}", h.message());
    assert_eq!(pending(&h), ["LOC “Hà Nội”"]);
    h.keys(") y");
    assert_eq!(sources_on_disk(&h, "a"), ["LOC “Hà Nội” dictionary"]);
}

/// "Hà Nội Daily" (ORG) with "Hà Nội" (LOC) nested at its start, tagged
/// once; the second occurrence is proposed as both, starting at one place.
const NESTED: &str = "[[Hà Nội]{LOC} Daily]{ORG} viết. Sau đó Hà Nội Daily đưa tin.";

fn nested() -> Harness {
    let mut h = Harness::new(&[("a", NESTED)]);
    h.app.enable_suggestions();
    h.keys("enter");
    assert_eq!(pending(&h), ["LOC “Hà Nội”", "ORG “Hà Nội Daily”"]);
    h
}

fn status_bar(h: &Harness) -> String {
    let art = h.app.state.article().unwrap();
    nhan_tui::ui::suggestions::status(&h.app.state, art).unwrap()
}

/// Issue 26, item 5: two suggestions starting at one place are both
/// visited, outer first, and the message, the status bar and `y` mean the
/// same one.
/// How the message names the focused suggestion.
enum Said<'a> {
    Starts(&'a str),
    Has(&'a str),
}

/// The message and the status bar name the same suggestion (the one the
/// keys act on).
fn focused(h: &Harness, said: Said, bar: &str) {
    let m = h.message();
    let ok = match said {
        Said::Starts(x) => m.starts_with(x),
        Said::Has(x) => m.contains(x),
    };
    assert!(ok, "{m}");
    assert!(status_bar(h).contains(bar), "{}", status_bar(h));
}

#[test]
fn next_visits_suggestions_starting_together_outer_first() {
    let mut h = nested();
    h.keys(")");
    focused(
        &h,
        Said::Starts("suggestion 1/2: ORG “Hà Nội Daily”"),
        "ORG? “Hà Nội Daily”",
    );
    h.keys(")");
    focused(
        &h,
        Said::Starts("suggestion 2/2: LOC “Hà Nội”"),
        "LOC? “Hà Nội”",
    );
    h.keys("(");
    assert!(
        h.message().starts_with("suggestion 1/2: ORG"),
        "{}",
        h.message()
    );
    // `y` takes the one both of them name.
    h.keys("y");
    assert_eq!(sources_on_disk(&h, "a"), ["ORG “Hà Nội Daily” dictionary"]);
}

/// Issue 26, item 5: `y` on an outer suggestion goes on to the one nested
/// inside it, and the status bar names it though the cursor is now on a
/// span.
#[test]
fn y_goes_on_to_the_suggestion_nested_in_what_it_accepted() {
    let mut h = nested();
    h.keys(") y");
    focused(&h, Said::Has("next 1/1: LOC “Hà Nội”"), "LOC? “Hà Nội”");
    h.keys("y");
    let mut on_disk = sources_on_disk(&h, "a");
    on_disk.sort();
    assert_eq!(
        on_disk,
        ["LOC “Hà Nội” dictionary", "ORG “Hà Nội Daily” dictionary"]
    );
}

/// Issue 26, item 5: rejecting the outer one goes on to the inner one, and
/// undoing the rejection, under the accept that followed it, says so.
#[test]
fn undoing_a_rejection_after_an_accept_says_it_was_a_rejection() {
    let mut h = nested();
    h.keys(") X");
    assert!(h.message().contains("next 1/1: LOC"), "{}", h.message());
    h.keys("y");
    h.keys("u");
    assert!(
        h.message().starts_with("undone: removed LOC “Hà Nội”"),
        "{}",
        h.message()
    );
    h.keys("u");
    focused(
        &h,
        Said::Starts("undone: rejection of ORG “Hà Nội Daily”"),
        "ORG? “Hà Nội Daily”",
    );
    h.keys("y");
    assert_eq!(sources_on_disk(&h, "a"), ["ORG “Hà Nội Daily” dictionary"]);
}
