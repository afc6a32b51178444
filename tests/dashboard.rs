//! The dashboard (`%`): the key and `Esc` (app level), the figures it
//! shows against the project on disk, and its screen at 80×24 and 120×40,
//! in colour and with NO_COLOR (ratatui's TestBackend, insta snapshots).

mod support;

use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::app::msg::Msg;
use nhan_tui::app::state::Overlay;
use nhan_tui::runtime::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use serde_json::Value;
use std::path::Path;
use support::Harness;

fn draw(h: &mut Harness, w: u16, ht: u16) -> Terminal<TestBackend> {
    h.app.handle(Msg::Resize(w, ht));
    let mut t = Terminal::new(TestBackend::new(w, ht)).unwrap();
    t.draw(|f| nhan_tui::ui::draw(f, &h.app.state)).unwrap();
    t
}

fn text(b: &Buffer) -> String {
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The sample project (copied), made blind: `lan` has the gold spans,
/// `minh` the same without every fourth span and with every seventh
/// relabelled; a few spans came from the dictionary, and three suggestions
/// were rejected (one in a file from before rejections named their
/// recommender).
fn sample_team() -> Harness {
    let dir = support::project::copy_of(repo(), &["articles", "annotations", "nhan.toml"]);
    let root = dir.path();
    let gold = root.join("annotations");
    for who in ["lan", "minh"] {
        std::fs::create_dir_all(gold.join(who)).unwrap();
    }
    let mut stems = Vec::new();
    for e in std::fs::read_dir(&gold).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".json") {
            stems.push(stem.to_string());
        }
    }
    stems.sort();
    for (k, stem) in stems.iter().enumerate() {
        let path = gold.join(format!("{stem}.json"));
        let mut v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        std::fs::write(gold.join("lan").join(format!("{stem}.json")), v.to_string()).unwrap();
        let mut minh = v.clone();
        let spans = minh["spans"].as_array_mut().unwrap();
        let mut i = 0;
        spans.retain(|_| {
            i += 1;
            i % 4 != 0
        });
        for (j, s) in spans.iter_mut().enumerate() {
            if j % 7 == 3 {
                s["label"] = "MISC".into();
            }
        }
        // A relation whose end minh did not tag is not minh's either.
        let kept: Vec<Value> = spans.iter().map(|s| s["id"].clone()).collect();
        if let Some(rels) = minh.get_mut("relations").and_then(Value::as_array_mut) {
            rels.retain(|r| kept.contains(&r["from"]) && kept.contains(&r["to"]));
        }
        std::fs::write(
            gold.join("minh").join(format!("{stem}.json")),
            minh.to_string(),
        )
        .unwrap();
        if k == 0 {
            for s in v["spans"].as_array_mut().unwrap().iter_mut().take(3) {
                s["source"] = "dictionary".into();
            }
            std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
            let rejected = root.join(".nhan/rejected");
            std::fs::create_dir_all(&rejected).unwrap();
            std::fs::write(
                rejected.join(format!("{stem}.json")),
                format!(
                    r#"{{"article": "{stem}.txt", "rejected": [
{{"start": 0, "end": 2, "label": "PER", "text": "ab", "source": "dictionary"}},
{{"start": 3, "end": 5, "label": "ORG", "text": "cd", "source": "rules"}},
{{"start": 6, "end": 8, "label": "LOC", "text": "ef"}}]}}"#
                ),
            )
            .unwrap();
        }
    }
    let project = Project::open(root).unwrap();
    let app = App::new(project, Config::default(), (100, 30));
    Harness { dir, app }
}

fn view(h: &Harness) -> nhan_tui::app::dashboard::View {
    match h.app.state.overlay {
        Overlay::Dashboard(v) => v,
        ref o => panic!("the dashboard is not open: {o:?}"),
    }
}

#[test]
fn percent_opens_the_dashboard_anywhere_and_esc_goes_back() {
    let mut h = Harness::new(&[("a", "[Hà Nội]{LOC} và [Lan]{PER}"), ("b", "[Huế]{LOC}")]);
    h.keys("%");
    assert_eq!(view(&h).label, 0);
    h.keys("esc");
    assert_eq!(h.app.state.overlay, Overlay::None);
    // From the text of an open article too, and the key closes it again.
    h.keys("enter %");
    view(&h);
    h.keys("%");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert!(h.app.state.article().is_some(), "the article is still open");
}

#[test]
fn the_help_lists_the_dashboard_key() {
    let h = Harness::new(&[("a", "x")]);
    let help: String = nhan_tui::ui::overlay::help_lines(&h.app.state)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    let line = help
        .lines()
        .find(|l| l.contains("the project at a glance"))
        .unwrap_or_else(|| panic!("{help}"));
    assert!(line.contains('%'), "{line}");
}

#[test]
fn the_figures_are_the_projects_and_enter_lists_articles_without_a_label() {
    let mut h = Harness::new(&[
        ("a", "[Hà Nội]{LOC} và [Lan]{PER} và [Huế]{LOC}"),
        ("b", "[Huế]{LOC}"),
        ("c", "không có gì"),
    ]);
    h.keys("%");
    let d = &h.app.state.dashboard;
    assert!(d.complete);
    let o = &d.figures.as_ref().unwrap().overview;
    let per_label: Vec<(&str, u64, u64)> = o
        .labels
        .iter()
        .map(|l| (l.label.as_str(), l.spans, l.articles_without))
        .collect();
    assert_eq!(per_label, [("PER", 1, 2), ("ORG", 0, 3), ("LOC", 3, 1)]);
    assert_eq!((o.decided, o.undecided), (0, 4));
    // PER is first; Enter lists the articles without one.
    h.keys("enter");
    assert!(view(&h).lacking);
    let screen = text(draw(&mut h, 80, 24).backend().buffer());
    assert!(screen.contains("Articles without PER"), "{screen}");
    assert!(
        screen.contains("b.txt") && screen.contains("c.txt"),
        "{screen}"
    );
    assert!(!screen.contains("a.txt"), "{screen}");
    // Esc leaves the list first, then the dashboard; j chooses LOC.
    h.keys("esc j j enter");
    let screen = text(draw(&mut h, 80, 24).backend().buffer());
    assert!(screen.contains("Articles without LOC"), "{screen}");
    assert!(
        screen.contains("c.txt") && !screen.contains("b.txt"),
        "{screen}"
    );
    h.keys("esc esc");
    assert_eq!(h.app.state.overlay, Overlay::None);
}

#[test]
fn figures_come_from_the_background_while_keys_work() {
    let mut h = Harness::new(&[("a", "[Hà Nội]{LOC}"), ("b", "[Huế]{LOC}")]);
    h.app.use_threads();
    // Keys are handled at once, figures or not: Esc closes, % opens again
    // (without a second pass while the first runs).
    h.keys("% esc");
    assert_eq!(h.app.state.overlay, Overlay::None);
    h.keys("%");
    h.settle();
    let d = &h.app.state.dashboard;
    assert!(d.complete && !d.computing);
    let o = &d.figures.as_ref().unwrap().overview;
    assert_eq!(o.labels[2].spans, 2);
    h.keys("j");
    assert_eq!(view(&h).label, 1);
}

#[test]
fn a_blind_team_has_agreement_suggestions_and_annotators() {
    let mut h = sample_team();
    h.keys("%");
    let o = h
        .app
        .state
        .dashboard
        .figures
        .as_ref()
        .unwrap()
        .overview
        .clone();
    let who: Vec<&str> = o.annotators.iter().map(|a| a.annotator.as_str()).collect();
    assert_eq!(who, ["lan", "minh"]);
    assert!(o.annotators[0].spans > o.annotators[1].spans);
    let ag = o.agreement.expect("two annotators' work");
    assert_eq!(ag.pairs.len(), 1);
    let k = ag.pairs[0].cohen_kappa.unwrap();
    assert!(k > 0.0 && k < 1.0, "{k}");
    let f1: Vec<f64> = ag.labels.iter().map(|l| l.strict_f1).collect();
    assert!(f1.windows(2).all(|w| w[0] <= w[1]), "worst first: {f1:?}");
    let sugg: Vec<(&str, u64, u64)> = o
        .suggestions
        .iter()
        .map(|s| (s.recommender.as_str(), s.accepted, s.rejected))
        .collect();
    assert_eq!(
        sugg,
        [
            ("(not recorded)", 0, 1),
            ("dictionary", 3, 1),
            ("rules", 0, 1)
        ]
    );
    // The sample's gold relations, per type in the schema's order.
    let rel: Vec<(&str, u64)> = (o.relations.iter())
        .map(|r| (r.relation.as_str(), r.count))
        .collect();
    assert_eq!(
        rel,
        [
            ("has_title", 34),
            ("of", 35),
            ("part_of", 0),
            ("located_in", 0)
        ]
    );
}

/// Whether any cell has a colour of its own.
fn coloured_cells(b: &Buffer) -> usize {
    b.content
        .iter()
        .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
        .count()
}

#[test]
fn screen_at_80x24_and_120x40_in_colour_and_without() {
    let mut h = sample_team();
    h.keys("%");
    for (w, ht) in [(80, 24), (120, 40)] {
        h.app.state.no_color = false;
        let colour = draw(&mut h, w, ht);
        h.app.state.no_color = true;
        let plain = draw(&mut h, w, ht);
        let (c, p) = (colour.backend().buffer(), plain.backend().buffer());
        // The same words and bars either way: nothing is said by colour alone.
        assert_eq!(text(c), text(p));
        assert_eq!(coloured_cells(p), 0);
        // PER's bar in red (nhan.toml), the heatmap's cells on a colour.
        let row = (0..ht).find(|&y| text(c).lines().nth(y as usize).unwrap().contains("›PER"));
        let y = row.expect("PER's bar");
        assert!(
            (0..w).any(|x| c[(x, y)].fg == Color::Red),
            "PER's bar is red"
        );
        assert!(
            c.content
                .iter()
                .any(|x| x.bg == Color::Green || x.bg == Color::Yellow || x.bg == Color::Red)
        );
        insta::assert_snapshot!(format!("dashboard_{w}x{ht}"), text(p));
    }
}
