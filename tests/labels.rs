//! Schemas longer than nine labels: every label two keys away at most,
//! the keys shown in the help, the picker and the status bar.

mod support;

use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::app::msg::Msg;
use nhan_tui::runtime::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{Harness, project};

/// 30 labels, the way a biomedical schema looks; `extra` goes after them.
fn schema(extra: &str) -> String {
    let mut s = String::from("overlap = \"nested\"\n");
    for i in 0..30 {
        s += &format!(
            "[[labels]]\nname = \"L{i:02}_{}\"\n",
            ["GENE", "DRUG", "SYMPTOM"][i % 3]
        );
    }
    s + extra
}

fn harness(schema: &str, text: &str) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), schema);
    std::fs::create_dir_all(dir.path().join("articles")).unwrap();
    std::fs::write(dir.path().join("articles/a.txt"), text).unwrap();
    let app = App::new(
        Project::open(dir.path()).unwrap(),
        Config::default(),
        (100, 40),
    );
    let mut h = Harness { dir, app };
    h.keys("enter");
    h
}

fn screen(h: &mut Harness, w: u16, ht: u16) -> String {
    h.app.handle(Msg::Resize(w, ht));
    let mut t = Terminal::new(TestBackend::new(w, ht)).unwrap();
    t.draw(|f| nhan_tui::ui::draw(f, &h.app.state)).unwrap();
    let b = t.backend().buffer();
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn any_of_thirty_labels_is_two_keys_away_as_the_help_says() {
    let mut h = harness(&schema(""), "Hà Nội");
    let help: Vec<String> = nhan_tui::ui::overlay::help_lines(&h.app.state)
        .iter()
        .map(|l| l.to_string())
        .collect();
    let mut seen = std::collections::HashSet::new();
    for i in 0..30 {
        let name = &h.app.state.project.schema.labels[i].name.clone();
        // The keys as the help lists them: the digit, or `; k`.
        let keys = if i < 9 {
            (i + 1).to_string()
        } else {
            let line = help
                .iter()
                .find(|l| l.ends_with(&format!("tag with {name}")))
                .unwrap_or_else(|| panic!("the help lists {name}: {help:#?}"));
            line.trim_start()
                .split("  ")
                .next()
                .unwrap()
                .trim()
                .to_string()
        };
        assert!(keys.split_whitespace().count() <= 2, "{name}: {keys}");
        assert!(seen.insert(keys.clone()), "{keys} given twice");
        h.keys("g");
        h.keys(&keys);
        assert_eq!(h.markup(), format!("[Hà]{{{name}}} Nội"), "keys {keys}");
        h.keys("u");
    }
}

#[test]
fn a_declared_key_tags_and_shows_in_the_picker_and_the_status_bar() {
    let s = schema("[[labels]]\nname = \"SYMPTOM_AND_DISEASE\"\nkey = \"z\"\n");
    let mut h = harness(&s, "sốt cao");
    h.keys("; z");
    assert_eq!(h.markup(), "[sốt]{SYMPTOM_AND_DISEASE} cao");
    let scr = screen(&mut h, 120, 20);
    assert!(scr.contains("SYMPTOM_AND_DISEASE (; z) “sốt”"), "{scr}");
    h.keys("t");
    h.type_text("SYMPTOM_AND");
    let scr = screen(&mut h, 120, 20);
    assert!(scr.contains("; z SYMPTOM_AND_DISEASE"), "{scr}");
}

#[test]
fn a_key_no_label_has_is_refused_naming_the_keys_there_are() {
    let mut h = harness(&schema(""), "Hà Nội");
    h.keys("; ;");
    assert_eq!(h.markup(), "Hà Nội", "nothing tagged");
    let m = h.message();
    assert!(m.starts_with("no label has the key ;"), "{m}");
    assert!(m.contains("l L09_GENE"), "{m}");
    // With nine labels or fewer, `;` says what it is for.
    let mut h = Harness::open("Hà Nội");
    h.keys(";");
    assert!(
        h.message().contains("labels past the ninth"),
        "{}",
        h.message()
    );
}

#[test]
fn the_review_list_tags_with_a_label_key_too() {
    let mut h = harness(&schema(""), "Hà Nội");
    h.keys("1 r");
    assert_eq!(h.app.state.focus, nhan_tui::app::state::Focus::Spans);
    h.keys("; l");
    let art = h.app.state.article().unwrap();
    let sp = &art.doc.spans().iter().next().unwrap();
    assert_eq!(&*sp.label, "L09_GENE");
    assert_eq!(sp.review.map(|d| d.as_str()), Some("fixed"));
}

/// Where `needle` starts in `line`, in columns.
fn column(line: &str, needle: &str) -> usize {
    let i = line
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in {line:?}"));
    unicode_width::UnicodeWidthStr::width(&line[..i])
}

#[test]
fn a_long_label_keeps_the_columns_of_the_review_list_stats_and_eval() {
    let s = "[[labels]]\nname = \"PER\"\n[[labels]]\nname = \"SYMPTOM_AND_DISEASE\"\n";
    let mut h = harness(s, "Bệnh nhân sốt cao và ho, bác sĩ Lan khám.");
    h.keys("l l v L 2 l l l l l l 1 r");
    // At 60 columns: the span whole, the labels cut to fit, and the review
    // state in one column on every row.
    let scr = screen(&mut h, 60, 20);
    let rows: Vec<&str> = scr
        .lines()
        .filter(|l| l.starts_with('┃') && l.contains('['))
        .collect();
    assert_eq!(rows.len(), 2, "{scr}");
    assert!(scr.contains("[sốt cao]"), "{scr}");
    let states: Vec<usize> = rows.iter().map(|r| column(r, "·")).collect();
    assert_eq!(states[0], states[1], "{scr}");
    assert!(rows.iter().all(|r| r.ends_with('┃')), "{scr}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(h.dir.path())
        .arg("stats")
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    let by_label: Vec<&str> = out
        .lines()
        .skip_while(|l| *l != "by label")
        .skip(1)
        .take(2)
        .collect();
    assert_eq!(
        column(by_label[0], "1"),
        column(by_label[1], "1"),
        "counts in one column:\n{out}"
    );

    let mut row = nhan_suggest::eval::Row {
        name: "dictionary".into(),
        ..Default::default()
    };
    row.labels.insert("PER".into(), Default::default());
    row.labels
        .insert("SYMPTOM_AND_DISEASE".into(), Default::default());
    let table = nhan_suggest::eval::Report {
        rows: vec![row],
        ..Default::default()
    }
    .to_table();
    let lines: Vec<&str> = (table.lines())
        .filter(|l| l.contains("0.000") && !l.contains("calibration"))
        .collect();
    let at: Vec<usize> = lines.iter().map(|l| column(l, "0.000")).collect();
    assert!(at.windows(2).all(|w| w[0] == w[1]), "{table}");
}

#[test]
fn the_help_wraps_its_lines_on_a_narrow_terminal() {
    let mut h = harness(&schema(""), "Hà Nội");
    h.keys("?");
    let scr = screen(&mut h, 50, 300);
    // The last words of long lines are there, wrapped, not cut.
    assert!(scr.contains("shrink it by"), "{scr}");
    assert!(scr.contains("tag with L29_SYMPTOM"), "{scr}");
}
