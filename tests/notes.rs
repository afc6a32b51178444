//! Notes and attributes, driven by the keys a user types: `#` writes a
//! span's note, `"` the article's, `@` opens the attribute picker; in review
//! mode `!` and `=` filter the span list.

mod support;

use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::app::keys::Key;
use nhan_tui::app::msg::Msg;
use nhan_tui::app::state::{Mode, Overlay};
use nhan_tui::runtime::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use support::{Harness, write_article};
use unicode_normalization::UnicodeNormalization;

const SCHEMA: &str = r#"
[[labels]]
name = "PER"
[labels.attributes]
role = ["official", "other"]
negated = true
wikidata = "^Q[0-9]+$"

[[labels]]
name = "LOC"
"#;

const ARTICLE: &str = "Đồng chí [Lê Hoài Trung]{PER} đến [Hà Nội]{LOC} hôm nay.";

fn harness(annotator: Option<&str>, articles: &[(&str, &str)]) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nhan.toml"), SCHEMA).unwrap();
    for (name, m) in articles {
        write_article(dir.path(), name, m);
    }
    let project = Project::open(dir.path()).unwrap();
    let config = Config {
        annotator: annotator.map(Into::into),
        ..Config::default()
    };
    let app = App::new(project, config, (100, 30));
    let mut h = Harness { dir, app };
    h.keys("enter");
    h
}

fn open() -> Harness {
    harness(Some("lan"), &[("a", ARTICLE)])
}

/// The span `i` of the sidecar on disk, as JSON.
fn disk_span(h: &Harness, i: usize) -> serde_json::Value {
    let sc = h.on_disk("a").unwrap();
    serde_json::to_value(&sc.spans[i]).unwrap()
}

fn screen(h: &mut Harness) -> Vec<String> {
    h.app.handle(Msg::Resize(100, 12));
    let mut t = Terminal::new(TestBackend::new(100, 12)).unwrap();
    t.draw(|f| nhan_tui::ui::draw(f, &h.app.state)).unwrap();
    let b = t.backend().buffer().clone();
    (0..b.area.height)
        .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect())
        .collect()
}

#[test]
fn a_note_on_a_span_is_saved_shown_and_undone() {
    let mut h = open();
    h.keys("]");
    h.keys("#");
    assert!(matches!(h.app.state.overlay, Overlay::Note { .. }));
    h.type_text("chưa chắc: chức danh? \"xem §4\"");
    h.keys("enter");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert_eq!(disk_span(&h, 0)["note"], "chưa chắc: chức danh? \"xem §4\"");
    // One span per line still, the note at its end.
    let raw = std::fs::read_to_string(h.sidecar_path("a")).unwrap();
    assert!(raw.contains(
        r#""text": "Lê Hoài Trung", "annotator": "test", "note": "chưa chắc: chức danh? \"xem §4\""}"#
    ), "{raw}");
    // Marked in the text (no colour needed) and on the status bar.
    let rows = screen(&mut h);
    assert!(
        rows.iter().any(|r| r.contains("[Lê Hoài Trung]PER†")),
        "{rows:#?}"
    );
    assert!(rows.iter().any(|r| r.contains("✎ chưa chắc")), "{rows:#?}");
    assert!(rows.iter().any(|r| r.contains("[Hà Nội]LOC ")), "{rows:#?}");
    h.app.state.no_color = true;
    let rows = screen(&mut h);
    assert!(
        rows.iter().any(|r| r.contains("[Lê Hoài Trung]PER†")),
        "NO_COLOR: {rows:#?}"
    );
    h.app.state.no_color = false;
    // Undo takes it out, redo puts it back.
    h.keys("u");
    assert_eq!(disk_span(&h, 0).get("note"), None);
    h.keys("ctrl-r");
    assert!(disk_span(&h, 0)["note"].is_string());
    // Emptied, the note goes, and the line is as it was.
    h.keys("# ctrl-u enter");
    assert_eq!(disk_span(&h, 0).get("note"), None);
    assert!(h.message().contains("note removed"), "{}", h.message());
}

#[test]
fn escape_leaves_the_note_unchanged_and_no_span_is_an_error() {
    let mut h = open();
    h.keys("] #");
    h.type_text("x");
    h.keys("esc");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert_eq!(disk_span(&h, 0).get("note"), None);
    // The cursor on "hôm": no span there.
    h.keys("G #");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert!(
        h.message().contains("no span at the cursor"),
        "{}",
        h.message()
    );
}

#[test]
fn nfd_notes_stay_nfd_and_edit_by_character() {
    let mut h = open();
    h.keys("] #");
    let nfd: String = "Nguyễn".nfd().collect();
    h.type_text(&nfd);
    // Backspace takes the whole "n", then the whole "ễ" (three code points).
    h.keys("backspace backspace");
    h.keys("enter");
    let want: String = "Nguy".nfd().collect();
    assert_eq!(disk_span(&h, 0)["note"], want.as_str());
    h.keys("# left backspace");
    h.type_text(&"ệ".nfd().collect::<String>());
    h.keys("enter");
    let want: String = "Ngệy".nfd().collect();
    assert_eq!(disk_span(&h, 0)["note"], want.as_str());
}

#[test]
fn pasted_text_goes_into_the_note_as_text() {
    let mut h = open();
    h.keys("] #");
    // A paste with a line break and a command key in it: neither submits
    // nor runs anything.
    h.app.handle(Msg::Paste("dòng một\nx dòng hai".into()));
    h.keys("enter");
    assert_eq!(disk_span(&h, 0)["note"], "dòng một x dòng hai");
    assert_eq!(h.on_disk("a").unwrap().spans.len(), 2);
}

#[test]
fn the_article_note_is_a_top_level_field() {
    let mut h = open();
    h.keys("\"");
    h.type_text("cần thảo luận");
    h.keys("enter");
    let sc = h.on_disk("a").unwrap();
    assert_eq!(sc.extra["note"], "cần thảo luận");
    h.keys("u");
    assert_eq!(h.on_disk("a").unwrap().extra.get("note"), None);
}

#[test]
fn the_attribute_picker_sets_checked_values() {
    let mut h = open();
    h.keys("] @");
    assert!(matches!(h.app.state.overlay, Overlay::Attrs { .. }));
    // role: cycles official → other.
    h.keys("enter enter");
    assert_eq!(disk_span(&h, 0)["attrs"], json!({"role": "other"}));
    h.keys("1");
    assert_eq!(disk_span(&h, 0)["attrs"], json!({"role": "official"}));
    // negated: a flag.
    h.keys("down space");
    assert_eq!(disk_span(&h, 0)["attrs"]["negated"], true);
    // wikidata: typed, checked against its pattern.
    h.keys("down enter");
    h.type_text("Q4x");
    h.keys("enter");
    assert!(
        h.message()
            .contains("not set: wikidata = \"Q4x\" is not allowed"),
        "{}",
        h.message()
    );
    assert_eq!(disk_span(&h, 0)["attrs"].get("wikidata"), None);
    h.keys("backspace enter");
    assert_eq!(
        disk_span(&h, 0)["attrs"],
        json!({"role": "official", "negated": true, "wikidata": "Q4"})
    );
    // The picker shows the values; Backspace clears one.
    let rows = screen(&mut h);
    assert!(
        rows.iter().any(|r| r.contains("wikidata     Q4")),
        "{rows:#?}"
    );
    h.keys("up backspace esc");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert_eq!(
        disk_span(&h, 0)["attrs"],
        json!({"role": "official", "wikidata": "Q4"})
    );
    // Each change is one undo.
    h.keys("u");
    assert_eq!(disk_span(&h, 0)["attrs"]["negated"], true);
    // The status bar shows them.
    let rows = screen(&mut h);
    assert!(
        rows.iter()
            .any(|r| r.contains("role=official negated wikidata=Q4")),
        "{rows:#?}"
    );
}

#[test]
fn a_label_without_attributes_says_so() {
    let mut h = open();
    h.keys("] ] @");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert!(
        h.message().contains("label LOC has no attributes"),
        "{}",
        h.message()
    );
}

#[test]
fn in_review_a_note_is_a_fixed_decision_and_the_list_filters_on_notes_and_values() {
    let mut h = harness(
        Some("minh"),
        &[
            ("a", ARTICLE),
            ("b", "Ông [Nguyễn Văn An]{PER} và [Trần Bình]{PER}."),
        ],
    );
    // Annotate first: a note on Hà Nội, a role on Lê Hoài Trung.
    h.keys("] @ enter esc ] #");
    h.type_text("vùng hay thành phố?");
    h.keys("enter r");
    assert_eq!(h.app.state.mode, Mode::Review);
    h.keys("p");
    let n = h.app.state.review.rows.len();
    assert_eq!(n, 4);
    h.keys("!");
    let texts = |h: &Harness| -> Vec<String> {
        let st = &h.app.state;
        st.review
            .rows
            .iter()
            .map(|r| {
                let a = st.articles[r.article].as_ref().unwrap();
                a.doc.text().slice(r.start, r.end).to_string()
            })
            .collect()
    };
    assert_eq!(texts(&h), ["Hà Nội"]);
    let rows = screen(&mut h);
    assert!(rows.iter().any(|r| r.contains("with a note")), "{rows:#?}");
    assert!(rows.iter().any(|r| r.contains("✎ vùng hay")), "{rows:#?}");
    h.keys("! =");
    assert_eq!(texts(&h), ["Lê Hoài Trung"]);
    h.keys("=");
    assert_eq!(h.app.state.review.rows.len(), 4);
    // A note written in review is a fixed decision by the reviewer.
    h.keys("p");
    h.app.handle(Msg::Key(Key::char('#')));
    h.type_text("ok");
    h.keys("enter");
    let sc = h.on_disk("a").unwrap();
    let s = sc.spans.iter().find(|s| s.details.note() == Some("ok"));
    let s = s.expect("the note is on disk");
    assert_eq!(
        (s.review.map(|d| d.kind()), s.reviewer.as_deref()),
        (Some(nhan_model::review::Kind::Fixed), Some("minh"))
    );
}

#[test]
fn validate_names_values_the_schema_does_not_allow() {
    let h = open();
    let path = h.sidecar_path("a");
    let raw = std::fs::read_to_string(&path).unwrap();
    let raw = raw.replacen(
        "\"annotator\": \"test\"}",
        "\"annotator\": \"test\", \"note\": \"ok\", \"attrs\": {\"role\": \"boss\", \"wikidata\": \"Q1\", \"mood\": 1}}",
        1,
    );
    std::fs::write(&path, raw).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhan"))
        .args(["validate", "--project"])
        .arg(h.dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    // File, line and span, then what is wrong.
    assert!(lines[0].contains("a.json:"), "{stdout}");
    assert!(
        lines[0].ends_with(": role = \"boss\" is not allowed: one of official, other"),
        "{stdout}"
    );
    assert!(
        lines[1].contains("attribute mood is not declared for label PER in nhan.toml"),
        "{stdout}"
    );
}

#[test]
fn the_interop_fixture_is_what_nhan_writes() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/notes/project");
    for stem in ["a", "b"] {
        let path = format!("{root}/annotations/{stem}.json");
        let raw = std::fs::read_to_string(&path).unwrap();
        let sc = nhan_model::sidecar::Sidecar::parse(raw.as_bytes(), &path).unwrap();
        assert_eq!(sc.to_json(), raw, "{path}");
    }
}

fn nhan(args: &[&str], project: &std::path::Path) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(project)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "nhan {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The fixture's notes and attributes: `(text, note, attrs)` per span, and
/// the article note, per article.
fn notes_of(project: &std::path::Path) -> Vec<(Option<String>, Vec<String>)> {
    ["a", "b"]
        .iter()
        .map(|stem| {
            let p = project.join("annotations").join(format!("{stem}.json"));
            let sc = nhan_model::sidecar::Sidecar::parse(&std::fs::read(&p).unwrap(), "x").unwrap();
            let spans = sc
                .spans
                .iter()
                .map(|s| {
                    format!(
                        "{} {:?} {}",
                        s.text,
                        s.details.to_value("note"),
                        s.details
                            .to_value("attrs")
                            .map_or(String::new(), |a| a.to_string())
                    )
                })
                .collect();
            (sc.extra.get("note").map(|n| n.to_string()), spans)
        })
        .collect()
}

#[test]
fn notes_and_attributes_survive_every_format_that_has_a_place_for_them() {
    let fixture = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/notes/project"
    ));
    let want = notes_of(fixture);
    assert!(want[0].1[0].contains("chức danh"), "{want:?}");
    for (format, file, article_note) in [
        ("jsonl", "data.jsonl", true),
        ("brat", "", false),
        ("label-studio", "data.json", true),
        ("prodigy", "data.jsonl", true),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let o = nhan(
            &["export", "--format", format, "--out", out.to_str().unwrap()],
            fixture,
        );
        let report = String::from_utf8_lossy(&o.stderr);
        // brat has no article note; it says so.
        assert_eq!(
            report.contains("a.txt: the article note"),
            !article_note,
            "{format}: {report}"
        );
        let back = tmp.path().join("back");
        std::fs::create_dir_all(&back).unwrap();
        std::fs::copy(fixture.join("nhan.toml"), back.join("nhan.toml")).unwrap();
        let input = out.join(file);
        nhan(
            // doccano's format carries no review decisions: name the reviewer.
            &[
                "import",
                "--format",
                format,
                "--reviewer",
                "lan",
                input.to_str().unwrap(),
            ],
            &back,
        );
        let got = notes_of(&back);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.1, w.1, "{format}");
            let note = if article_note { w.0.clone() } else { None };
            assert_eq!(g.0, note, "{format}");
        }
    }
}

#[test]
fn flat_formats_say_what_notes_and_attributes_they_drop() {
    let fixture = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/notes/project"
    ));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("conll");
    let o = nhan(
        &[
            "export",
            "--format",
            "conll",
            "--out",
            out.to_str().unwrap(),
        ],
        fixture,
    );
    let report = String::from_utf8_lossy(&o.stderr);
    assert!(
        report.contains("conll has no place for these notes and attributes")
            && report.contains("a.txt: 2 span notes, the attributes of 1 span, the article note")
            && report.contains("b.txt: 1 span note, the attributes of 1 span"),
        "{report}"
    );
    let manifest = std::fs::read_to_string(out.join("nhan-export.json")).unwrap();
    assert!(manifest.contains("notes_and_attributes_lost"), "{manifest}");
}

#[test]
fn brat_writes_attribute_and_note_lines_and_declares_the_attributes() {
    let fixture = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/notes/project"
    ));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("brat");
    nhan(
        &["export", "--format", "brat", "--out", out.to_str().unwrap()],
        fixture,
    );
    let ann = std::fs::read_to_string(out.join("a.ann")).unwrap();
    assert!(
        ann.contains("A1\trole T1 official\nA2\twikidata T1 Q7171\n"),
        "{ann}"
    );
    assert!(ann.contains("#2\tAnnotatorNotes T3\tthủ đô\n"), "{ann}");
    let conf = std::fs::read_to_string(out.join("annotation.conf")).unwrap();
    assert!(
        conf.ends_with(
            "[attributes]\nrole\tArg:PER, Value:official|other\nnegated\tArg:PER|ORG\n\
             # wikidata on PER: free values matching ^Q[0-9]+$; declared: those this export holds\n\
             wikidata\tArg:PER, Value:Q7171\n"
        ),
        "{conf}"
    );
}

/// A project where lan and minh annotated one article, with attributes.
fn two_annotators() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("nhan.toml"), SCHEMA).unwrap();
    let text = "Ông Lê Hoài Trung và ông Trần Bình ở Huế.";
    std::fs::create_dir_all(root.join("articles")).unwrap();
    std::fs::write(root.join("articles/a.txt"), text).unwrap();
    let sha = nhan_model::sidecar::sha256_hex(text.as_bytes());
    let span = |id: u64, s: &str, attrs: &str| {
        let start = text[..text.find(s).unwrap()].chars().count();
        let end = start + s.chars().count();
        format!(
            r#"{{"id": {id}, "start": {start}, "end": {end}, "label": "PER", "text": "{s}"{attrs}}}"#
        )
    };
    for (who, a, b) in [
        (
            "lan",
            r#", "attrs": {"role": "official", "negated": true}"#,
            r#", "attrs": {"role": "other"}"#,
        ),
        (
            "minh",
            r#", "attrs": {"role": "official"}"#,
            r#", "attrs": {"role": "other"}"#,
        ),
    ] {
        let sc = format!(
            "{{\"nhan\": 1, \"article\": \"a.txt\", \"text_sha256\": \"{sha}\", \"status\": \"done\", \"spans\": [\n{},\n{}\n]}}\n",
            span(1, "Lê Hoài Trung", a),
            span(2, "Trần Bình", b)
        );
        std::fs::create_dir_all(root.join("annotations").join(who)).unwrap();
        std::fs::write(root.join("annotations").join(who).join("a.json"), sc).unwrap();
    }
    dir
}

#[test]
fn agree_reports_attribute_agreement_per_attribute() {
    let p = two_annotators();
    let out = nhan(&["agree"], p.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  role                1.000  2/2\n"),
        "{text}"
    );
    assert!(
        text.contains("  negated             0.000  0/1\n"),
        "{text}"
    );
    let out = nhan(&["agree", "--json"], p.path());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["attributes"]["negated"],
        json!({"compared": 1, "agreed": 0, "agreement": 0.0})
    );
}

#[test]
fn stats_count_notes_and_attribute_values() {
    let fixture = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/notes/project"
    ));
    let out = nhan(&["stats"], fixture);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\nnotes: 3 spans with a note, 1 article note\n"),
        "{text}"
    );
    for line in [
        "  role=official                 1",
        "  role=other                    1",
        "  negated=true                  1",
        "  wikidata=Q7171                1",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    let out = nhan(&["stats", "--json"], fixture);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["notes"],
        json!({"with_note": 3, "article_notes": 1, "by_attribute": {
            "negated": {"true": 1}, "role": {"official": 1, "other": 1}, "wikidata": {"Q7171": 1}}})
    );
}

#[test]
fn adjudication_shows_where_attributes_differ_and_a_picks_the_next_values() {
    let dir = two_annotators();
    let project = Project::open(dir.path()).unwrap();
    let config = Config {
        annotator: Some("chi".into()),
        ..Config::default()
    };
    let app = App::new(project, config, (100, 30));
    let mut h = Harness { dir, app };
    h.keys("enter m");
    let by: Vec<Option<String>> = h
        .app
        .state
        .review
        .rows
        .iter()
        .map(|r| r.by.map(String::from))
        .collect();
    assert_eq!(
        by,
        [Some("all · attrs≠".to_string()), Some("all".to_string())],
        "the span whose attributes differ comes first"
    );
    let gold = |h: &Harness| {
        let sc = h.on_disk("a").unwrap();
        serde_json::to_value(&sc.spans[0]).unwrap()["attrs"].clone()
    };
    // Both had the span: it is in the gold, with the first annotator's values.
    assert_eq!(gold(&h), json!({"role": "official", "negated": true}));
    h.keys("a");
    assert_eq!(gold(&h), json!({"role": "official"}));
    assert!(
        h.message()
            .contains("gold takes minh's attributes for PER “Lê Hoài Trung”: role=official"),
        "{}",
        h.message()
    );
    assert!(
        h.message()
            .contains("lan: role=official negated · minh: role=official"),
        "{}",
        h.message()
    );
    h.keys("a");
    assert_eq!(gold(&h), json!({"role": "official", "negated": true}));
    h.keys("u");
    assert_eq!(gold(&h), json!({"role": "official"}));
}

#[test]
fn an_article_note_shows_in_the_list_the_text_pane_and_review() {
    let mut h = Harness::open("[Hà Nội]{LOC} hôm nay");
    h.keys("\"");
    h.type_text("hỏi lại nguồn");
    h.keys("enter");
    let screen = |h: &mut Harness| {
        h.app.handle(nhan_tui::app::msg::Msg::Resize(120, 30));
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
        t.draw(|f| nhan_tui::ui::draw(f, &h.app.state)).unwrap();
        let b = t.backend().buffer().clone();
        (0..30)
            .map(|y| (0..120).map(|x| b[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
    };
    let rows = screen(&mut h);
    // The list's line for the article, and the text pane's border.
    assert!(
        rows.iter()
            .any(|r| r.contains("in_progress · 1 span · ✎ hỏi")),
        "{rows:#?}"
    );
    assert!(
        rows.iter().any(|r| r.contains("┗ ✎ hỏi lại nguồn ━")),
        "{rows:#?}"
    );
    h.keys("r");
    let rows = screen(&mut h);
    let review_border = rows
        .iter()
        .find(|r| r.contains("✎ hỏi lại nguồn") && !r.contains("in_progress"));
    assert!(review_border.is_some(), "{rows:#?}");
}

/// A note of the wrong type is kept as it came (and `validate` still names
/// it), and a span's typed details and unknown fields keep their order and
/// bytes when another span's note is saved.
#[test]
fn details_nhan_does_not_understand_survive_a_save() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nhan.toml"), SCHEMA).unwrap();
    write_article(dir.path(), "a", ARTICLE);
    let path = dir.path().join("annotations").join("a.json");
    let raw = std::fs::read_to_string(&path).unwrap().replacen(
        "\"annotator\": \"test\"}",
        "\"annotator\": \"test\", \"x_score\": 0.5, \"note\": 5, \"attrs\": {\"negated\": true, \"role\": \"official\"}, \"source\": \"dictionary\"}",
        1,
    );
    std::fs::write(&path, &raw).unwrap();
    let line_of = |text: &str, file: &str| {
        file.lines()
            .find(|l| l.contains(text))
            .map(|l| l.trim_end_matches(',').to_string())
            .unwrap()
    };
    let odd = line_of("Lê Hoài Trung", &raw);
    assert!(odd.contains("\"note\": 5"), "{odd}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhan"))
        .args(["validate", "--project"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("note must be text, not 5"), "{stdout}");

    let project = Project::open(dir.path()).unwrap();
    let config = Config {
        annotator: Some("lan".into()),
        ..Config::default()
    };
    let app = App::new(project, config, (100, 30));
    let mut h = Harness { dir, app };
    h.keys("enter");
    h.keys("] ]");
    h.keys("#");
    h.type_text("thủ đô");
    h.keys("enter");
    let saved = std::fs::read_to_string(h.sidecar_path("a")).unwrap();
    assert!(
        line_of("Hà Nội", &saved).ends_with("\"note\": \"thủ đô\"}"),
        "{saved}"
    );
    assert_eq!(line_of("Lê Hoài Trung", &saved), odd);
}
