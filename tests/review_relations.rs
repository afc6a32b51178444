//! Relations in review mode, driven by the keys a reviewer types: their
//! rows in the list, accept / fix / reject, undo, the relation filter, and
//! "reviewed" waiting for them; `validate` and `import` keeping the same
//! rule.

mod support;

use nhan_model::relation::Relation;
use nhan_model::sidecar::Sidecar;
use nhan_model::status::Status;
use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::app::relation_review;
use nhan_tui::app::state::{Focus, Mode, RowRelation};
use nhan_tui::runtime::App;
use std::path::Path;
use support::Harness;

/// The test schema with two types from PER to ORG and one from ORG to LOC.
fn schema() -> String {
    format!(
        "{}{}",
        support::SCHEMA,
        r#"[[relations]]
name = "works_for"
from = ["PER"]
to = ["ORG"]
[[relations]]
name = "leads"
from = ["PER"]
to = ["ORG"]
[[relations]]
name = "located_in"
from = ["ORG"]
to = ["LOC"]
"#
    )
}

const MARKED: &str = "[Lê Hoài Trung]{PER} làm ở [Bộ Ngoại giao]{ORG} tại [Hà Nội]{LOC}";

fn as_user(name: &str) -> Config {
    Config {
        annotator: Some(name.into()),
        ..Config::default()
    }
}

/// Article `a` open with two relations made from the keyboard by `lan`
/// (works_for, located_in), then the app restarted as reviewer `minh` in
/// review mode.
fn review() -> Harness {
    let mut h = Harness::with_config(&[("a", MARKED)], as_user("lan"), (100, 30));
    std::fs::write(h.dir.path().join("nhan.toml"), schema()).unwrap();
    let project = Project::open(h.dir.path()).unwrap();
    h.app = App::new(project, as_user("lan"), (100, 30));
    h.keys("enter > ] 1 > ] enter");
    assert_eq!(relations(&h).len(), 2, "{}", h.message());
    let project = Project::open(h.dir.path()).unwrap();
    h.app = App::new(project, as_user("minh"), (100, 30));
    h.keys("enter r");
    assert_eq!(h.app.state.mode, Mode::Review);
    assert_eq!(h.app.state.focus, Focus::Spans);
    h
}

/// The relations on disk.
fn relations(h: &Harness) -> Vec<Relation> {
    h.on_disk("a")
        .unwrap()
        .extra
        .get("relations")
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .unwrap_or_default()
}

/// The list as `TEXT LABEL REVIEW` lines, a relation's text its ends.
fn rows(h: &Harness) -> Vec<String> {
    let st = &h.app.state;
    st.review
        .rows
        .iter()
        .map(|r| {
            let what = match relation_review::of_row(st, r) {
                Some(rel) => {
                    let (f, t) = relation_review::ends(st, r.article, rel);
                    format!("{f} → {t}")
                }
                None => nhan_tui::app::reviewing::row_text(st, r)
                    .unwrap()
                    .to_string(),
            };
            format!(
                "{what} {} {}",
                r.label.as_deref().unwrap_or("-"),
                r.review.map(|d| d.as_str()).unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn the_list_shows_each_relation_after_its_from_span_and_f_filters_to_them() {
    let mut h = review();
    assert_eq!(
        rows(&h),
        [
            "Lê Hoài Trung PER -",
            "Lê Hoài Trung → Bộ Ngoại giao works_for -",
            "Bộ Ngoại giao ORG -",
            "Bộ Ngoại giao → Hà Nội located_in -",
            "Hà Nội LOC -",
        ]
    );
    // `f` goes through the labels (PER, ORG, LOC), then relations only.
    h.keys("f");
    assert_eq!(rows(&h), ["Lê Hoài Trung PER -"], "a label: its spans");
    h.keys("f f f");
    assert_eq!(
        rows(&h),
        [
            "Lê Hoài Trung → Bộ Ngoại giao works_for -",
            "Bộ Ngoại giao → Hà Nội located_in -",
        ]
    );
    // The text shows the selected relation's from span.
    assert_eq!(h.selected().as_deref(), Some("Lê Hoài Trung"));
    h.keys("f");
    assert_eq!(rows(&h).len(), 5, "then everything again");
}

#[test]
fn accept_records_the_reviewer_on_the_relation_and_undo_redo_take_it_back() {
    let mut h = review();
    h.keys("f f f f a");
    let rs = relations(&h);
    let wf = rs.iter().find(|r| r.label == "works_for").unwrap();
    assert_eq!(wf.review.map(|d| d.as_str()), Some("accepted"));
    assert_eq!(wf.reviewer.as_deref(), Some("minh"));
    assert_eq!(wf.annotator.as_deref(), Some("lan"), "the author stays");
    assert_eq!(
        h.message(),
        "accepted relation works_for “Lê Hoài Trung” → “Bộ Ngoại giao” (u undoes)"
    );
    // Decided rows go down; the next undecided one is selected.
    assert_eq!(
        rows(&h),
        [
            "Bộ Ngoại giao → Hà Nội located_in -",
            "Lê Hoài Trung → Bộ Ngoại giao works_for accepted",
        ]
    );
    assert_eq!(h.app.state.review.selected, 0);
    h.keys("u");
    assert!(relations(&h).iter().all(|r| r.review.is_none()));
    h.keys("ctrl-r");
    assert_eq!(
        relations(&h)
            .iter()
            .filter(|r| r.review.map(|d| d.as_str()) == Some("accepted"))
            .count(),
        1
    );
}

#[test]
fn a_digit_fixes_the_type_if_it_fits_the_ends_and_says_why_not() {
    let mut h = review();
    h.keys("f f f f");
    // located_in goes from ORG to LOC, not from PER to ORG.
    h.keys("3");
    assert!(
        h.message()
            .starts_with("located_in does not go from PER to ORG: 2 types fit"),
        "{}",
        h.message()
    );
    assert!(relations(&h).iter().all(|r| r.review.is_none()));
    h.keys("2");
    let rs = relations(&h);
    assert!(rs.iter().all(|r| r.label != "works_for"), "{rs:?}");
    let leads = rs.iter().find(|r| r.label == "leads").unwrap();
    assert_eq!(leads.review.map(|d| d.as_str()), Some("fixed"));
    assert_eq!(leads.reviewer.as_deref(), Some("minh"));
    assert_eq!(
        h.message(),
        "fixed relation leads “Lê Hoài Trung” → “Bộ Ngoại giao” (u undoes)"
    );
    h.keys("u");
    let rs = relations(&h);
    assert!(
        rs.iter()
            .any(|r| r.label == "works_for" && r.review.is_none())
    );
}

#[test]
fn reject_removes_the_relation_and_undo_brings_it_back() {
    let mut h = review();
    h.keys("f f f f j");
    assert_eq!(
        h.message(),
        "relation located_in “Bộ Ngoại giao” → “Hà Nội”: a accepts, a digit gives another type, x rejects"
    );
    h.keys("x");
    let rs = relations(&h);
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].label, "works_for");
    assert_eq!(
        h.message(),
        "rejected relation located_in “Bộ Ngoại giao” → “Hà Nội” (u undoes)"
    );
    assert_eq!(h.on_disk("a").unwrap().spans.len(), 3, "its ends stay");
    h.keys("u");
    assert_eq!(relations(&h).len(), 2);
}

#[test]
fn an_article_is_reviewed_only_when_its_relations_are_decided_too() {
    let mut h = review();
    // Every span accepted, a label at a time; the relations are left.
    h.keys("f a f a f a f");
    h.keys("D");
    assert_eq!(
        h.message(),
        "2 relations left to review (f in the list shows only relations); not marked reviewed"
    );
    assert_ne!(h.on_disk("a").unwrap().status, Status::Reviewed);
    // `}` in the text says so too.
    h.keys("tab }");
    assert!(
        h.message()
            .contains("every span here is reviewed, 2 relations not yet"),
        "{}",
        h.message()
    );
    h.keys("tab a D");
    assert_eq!(
        h.message(),
        "1 relation left to review (f in the list shows only relations); not marked reviewed"
    );
    h.keys("a D");
    assert_eq!(h.on_disk("a").unwrap().status, Status::Reviewed);
}

#[test]
fn spans_and_relations_left_are_named_together() {
    let mut h = review();
    h.keys("D");
    assert_eq!(
        h.message(),
        "3 spans and 2 relations left to review (} jumps to the next); not marked reviewed"
    );
}

#[test]
fn a_relation_made_in_a_reviewed_article_opens_it_again() {
    let mut h = review();
    h.keys("a a a a a D");
    assert_eq!(h.on_disk("a").unwrap().status, Status::Reviewed);
    // In review, from the text: a new relation, undecided.
    h.keys("tab g > ] 2");
    assert_eq!(relations(&h).len(), 3, "{}", h.message());
    assert_eq!(h.on_disk("a").unwrap().status, Status::InProgress);
    h.keys("u");
    assert_eq!(h.on_disk("a").unwrap().status, Status::Reviewed);
}

fn nhan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    support::run_nhan(dir, args)
}

#[test]
fn validate_names_the_line_of_an_undecided_relation_in_a_reviewed_article() {
    let h = review();
    let p = h.sidecar_path("a");
    let src = std::fs::read_to_string(&p).unwrap();
    // Every span decided, the article reviewed, the relations not.
    let edited: String = src
        .replace("\"status\": \"in_progress\"", "\"status\": \"reviewed\"")
        .lines()
        .map(|l| {
            if l.contains("\"label\": \"PER\"")
                || l.contains("\"label\": \"ORG\"")
                || l.contains("\"label\": \"LOC\"")
            {
                l.replacen("}", ", \"review\": \"accepted\"}", 1)
            } else {
                l.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect();
    std::fs::write(&p, &edited).unwrap();
    assert_eq!(
        Sidecar::parse(edited.as_bytes(), "a").unwrap().spans.len(),
        3
    );
    let (code, out, err) = nhan(h.dir.path(), &["validate"]);
    assert_eq!(code, 1, "{out}{err}");
    let first = edited
        .lines()
        .position(|l| l.contains("\"from\": "))
        .unwrap();
    let id = relations(&h)[0].id;
    assert!(
        out.contains(&format!(
            "a.json:{}: relation {id}: the article is reviewed but 2 relation(s) have no review decision",
            first + 1
        )),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn relation_rows_are_readable_at_80_columns() {
    let mut h = review();
    h.app.state.no_color = true;
    h.keys("j a");
    let (text, t) = h.drawn(80, 20);
    let row = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle}:\n{text}"))
            .to_string()
    };
    let wf = row("[Lê Hoài Trung] → [Bộ Ngoại giao]");
    assert!(wf.contains("works_for") && wf.contains("accepted"), "{wf}");
    let li = row("[Bộ Ngoại giao] → [Hà Nội]");
    assert!(li.contains("located_in") && li.contains(" · "), "{li}");
    assert!(
        text.contains("project: 0/3 spans and 1/2 relations reviewed"),
        "{text}"
    );
    insta::assert_snapshot!(t.backend());
    // Narrower, the progress takes a shorter wording, whole (the long one
    // was cut at its start).
    let (narrow, _) = h.drawn(60, 20);
    assert!(
        narrow.contains(" reviewed: 0/3 spans, 1/2 relations, 0/1 articles "),
        "{narrow}"
    );
    let (narrower, _) = h.drawn(36, 20);
    assert!(
        narrower.contains(" 0/3 spans · 0/1 articles "),
        "{narrower}"
    );
    h.drawn(80, 20);
    // Relations only: the title says so.
    h.keys("f f f f");
    let (text, _) = h.drawn(80, 20);
    assert!(
        text.contains(" Spans 2 · article · all · relations "),
        "{text}"
    );
}

/// Opens a blind project as `who` (what `nhan --annotator who` does) and
/// types `keys`; the app as it is after them.
fn blind_session(root: &Path, who: &str, keys: &str) -> App {
    let mut project = Project::open(root).unwrap();
    project.work_as(who);
    let mut app = App::new(project, as_user(who), (100, 30));
    for k in format!("enter {keys}").split_whitespace() {
        app.handle(nhan_tui::app::msg::Msg::Key(
            nhan_tui::app::keys::Key::parse(k).unwrap(),
        ));
    }
    app
}

fn relations_in(path: &Path) -> Vec<Relation> {
    let sc = Sidecar::parse(&std::fs::read(path).unwrap(), "a").unwrap();
    sc.extra
        .get("relations")
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .unwrap_or_default()
}

#[test]
fn blind_annotators_keep_their_relations_apart() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("articles")).unwrap();
    std::fs::write(root.join("articles/a.txt"), "Lan làm ở Bộ Ngoại giao.\n").unwrap();
    std::fs::write(
        root.join("nhan.toml"),
        format!("blind = true\n{}", schema()),
    )
    .unwrap();
    // Each tags Lan (PER) and Bộ Ngoại giao (ORG) and relates them.
    let tag = "1 l l v L L 2 g";
    blind_session(root, "lan", &format!("{tag} > ] 1"));
    let lan = relations_in(&root.join("annotations/lan/a.json"));
    assert_eq!(lan.len(), 1);
    assert_eq!(
        (lan[0].label.as_str(), lan[0].annotator.as_deref()),
        ("works_for", Some("lan"))
    );
    // minh sees none of lan's relations, and makes their own.
    let mut app = blind_session(root, "minh", tag);
    let art = app.state.article().unwrap();
    assert_eq!(art.doc.spans().len(), 2);
    assert_eq!(art.doc.relations(), &[], "lan's relation is not minh's");
    for k in ["R", ">", "]", "2"] {
        app.handle(nhan_tui::app::msg::Msg::Key(
            nhan_tui::app::keys::Key::parse(k).unwrap(),
        ));
    }
    let minh = relations_in(&root.join("annotations/minh/a.json"));
    assert_eq!(minh.len(), 1);
    assert_eq!(
        (minh[0].label.as_str(), minh[0].annotator.as_deref()),
        ("leads", Some("minh"))
    );
    assert_eq!(
        relations_in(&root.join("annotations/lan/a.json")),
        lan,
        "lan's file is as lan left it"
    );
    assert!(
        !root.join("annotations/a.json").exists(),
        "nothing in the gold"
    );
}

#[test]
fn import_as_reviewed_records_the_reviewer_on_relations_too_or_refuses() {
    let input = tempfile::tempdir().unwrap();
    let text = "Lan làm ở Bộ Ngoại giao";
    std::fs::write(input.path().join("b.txt"), text).unwrap();
    std::fs::write(
        input.path().join("b.ann"),
        "T1\tPER 0 3\tLan\nT2\tORG 10 23\tBộ Ngoại giao\nR1\tworks_for Arg1:T1 Arg2:T2\t\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    support::project::init(dir.path(), &schema());
    let args = ["import", "--format", "brat", "--status", "reviewed"];
    let from = input.path().to_str().unwrap();
    let (code, _, err) = nhan(dir.path(), &[&args[..], &[from]].concat());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("(2 of 2 spans, 1 relation)"), "{err}");
    assert!(!dir.path().join("annotations/b.json").exists());

    let (code, _, err) = nhan(
        dir.path(),
        &[&args[..], &["--reviewer", "minh", from]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    let sc = Sidecar::parse(
        &std::fs::read(dir.path().join("annotations/b.json")).unwrap(),
        "b",
    )
    .unwrap();
    let rels: Vec<Relation> = serde_json::from_value(sc.extra["relations"].clone()).unwrap();
    assert_eq!(rels.len(), 1);
    assert_eq!(
        (
            rels[0].review.map(|d| d.as_str()),
            rels[0].reviewer.as_deref()
        ),
        (Some("accepted"), Some("minh"))
    );
    // What was imported as reviewed is valid as reviewed.
    let (code, out, _) = nhan(dir.path(), &["validate"]);
    assert_eq!(code, 0, "{out}");
}

/// `annotations/<who>/a.json` over `TEXT2`: spans by (start, end, label),
/// relations by span index.
fn annotator_work(
    root: &Path,
    who: &str,
    spans: &[(usize, usize, &str)],
    rels: &[(usize, usize, &str)],
) {
    let mut doc = support::project::document("a.txt", TEXT2, spans.iter().copied(), who);
    let ids: Vec<nhan_model::ids::SpanId> = spans
        .iter()
        .map(|&(s, e, l)| {
            doc.spans()
                .iter()
                .find(|x| (x.start, x.end, x.label.as_str()) == (s, e, l))
                .unwrap()
                .id
        })
        .collect();
    for &(f, t, l) in rels {
        let r = doc.make_relation(ids[f], ids[t], l, Some(who));
        doc.apply(&nhan_model::edit::Edit::add_relation(r));
    }
    let path = root.join("annotations").join(who).join("a.json");
    nhan_store::atomic::write_atomic(&path, doc.to_sidecar().to_json().as_bytes()).unwrap();
}

const TEXT2: &str = "Lan làm ở Bộ Ngoại giao tại Hà Nội";

#[test]
fn adjudication_lists_both_sides_relations_and_takes_one_whose_ends_are_gold() {
    let mut h = Harness::with_config(&[("a", TEXT2)], as_user("chi"), (100, 30));
    let root = h.dir.path().to_path_buf();
    std::fs::write(root.join("nhan.toml"), schema()).unwrap();
    // Both tag Lan and the ministry; Hà Nội is a LOC to lan, an ORG to minh.
    annotator_work(
        &root,
        "lan",
        &[(0, 3, "PER"), (10, 23, "ORG"), (28, 34, "LOC")],
        &[(0, 1, "works_for"), (1, 2, "located_in")],
    );
    annotator_work(
        &root,
        "minh",
        &[(0, 3, "PER"), (10, 23, "ORG"), (28, 34, "ORG")],
        &[(0, 1, "leads")],
    );
    let project = Project::open(&root).unwrap();
    h.app = App::new(project, as_user("chi"), (100, 30));
    h.keys("enter m");
    let listed = |h: &Harness| -> Vec<String> {
        let adj = h.app.state.review.adjudication.as_ref().unwrap();
        h.app
            .state
            .review
            .rows
            .iter()
            .filter_map(|r| match r.relation? {
                RowRelation::Candidate(i) => {
                    let c = &adj.relations[i];
                    Some(format!(
                        "{} → {} {} {} {}",
                        c.from.text,
                        c.to.text,
                        c.label,
                        r.review.map(|d| d.as_str()).unwrap_or("open"),
                        r.by.as_deref().unwrap_or("")
                    ))
                }
                RowRelation::Id(_) => None,
            })
            .collect()
    };
    assert_eq!(
        listed(&h),
        [
            "Lan → Bộ Ngoại giao leads open ≠ minh",
            "Lan → Bộ Ngoại giao works_for open ≠ lan",
            "Bộ Ngoại giao → Hà Nội located_in open ≠ lan",
        ]
    );
    let row = |h: &Harness, label: &str| {
        h.app
            .state
            .review
            .rows
            .iter()
            .position(|r| r.relation.is_some() && r.label.as_deref() == Some(label))
            .unwrap()
    };
    // Its end Hà Nội (LOC) is not in the gold: refused, nothing written.
    h.app.state.review.selected = row(&h, "located_in");
    h.keys("a");
    assert_eq!(
        h.message(),
        "not taken: the gold lacks its end LOC “Hà Nội”; take that span (a on its row) first"
    );
    assert_eq!(relations(&h), []);
    // lan's works_for: into the gold, between the gold's spans.
    h.app.state.review.selected = row(&h, "works_for");
    h.keys("a");
    assert_eq!(
        h.message(),
        "gold takes relation works_for “Lan” → “Bộ Ngoại giao” (from lan)"
    );
    let gold = relations(&h);
    assert_eq!(gold.len(), 1);
    assert_eq!(gold[0].label, "works_for");
    assert_eq!(
        (
            gold[0].review.map(|d| d.as_str()),
            gold[0].reviewer.as_deref()
        ),
        (Some("accepted"), Some("chi"))
    );
    assert_eq!(gold[0].extra["agreed_by"], serde_json::json!(["lan"]));
    let sc = h.on_disk("a").unwrap();
    let ends: Vec<nhan_model::ids::SpanId> = sc.spans.iter().map(|s| s.id).collect();
    assert!(ends.contains(&gold[0].from) && ends.contains(&gold[0].to));
    assert!(listed(&h).contains(&"Lan → Bộ Ngoại giao works_for gold ≠ lan".to_string()));
    // Once its end is taken, the other side's relation can be too.
    let loc = h
        .app
        .state
        .review
        .rows
        .iter()
        .position(|r| r.relation.is_none() && r.label.as_deref() == Some("LOC"))
        .unwrap();
    h.app.state.review.selected = loc;
    h.keys("a");
    h.app.state.review.selected = row(&h, "located_in");
    h.keys("a");
    assert_eq!(relations(&h).len(), 2, "{}", h.message());
    // x leaves it out again; u brings it back.
    h.app.state.review.selected = row(&h, "located_in");
    h.keys("x");
    assert_eq!(
        h.message(),
        "gold leaves out relation located_in “Bộ Ngoại giao” → “Hà Nội” (from lan)"
    );
    assert_eq!(relations(&h).len(), 1);
    h.keys("u");
    assert_eq!(relations(&h).len(), 2);
    // Side by side on the screen: each side's relation, who had it.
    let (text, _) = h.drawn(80, 20);
    let line = |needle: &str, label: &str| {
        text.lines()
            .find(|l| l.contains(needle) && l.contains(label))
            .unwrap_or_else(|| panic!("no {needle} {label} row:\n{text}"))
            .to_string()
    };
    assert!(
        line("[Lan] → [Bộ Ngoại giao]", "leads").contains("≠ minh"),
        "{text}"
    );
    assert!(
        line("[Lan] → [Bộ Ngoại giao]", "works_for").contains("gold"),
        "{text}"
    );
}

#[test]
fn a_relation_every_annotator_made_goes_to_the_gold_with_the_agreed_spans() {
    let mut h = Harness::with_config(&[("a", TEXT2)], as_user("chi"), (100, 30));
    let root = h.dir.path().to_path_buf();
    std::fs::write(root.join("nhan.toml"), schema()).unwrap();
    let spans = [(0, 3, "PER"), (10, 23, "ORG")];
    annotator_work(&root, "lan", &spans, &[(0, 1, "works_for")]);
    annotator_work(
        &root,
        "minh",
        &spans,
        &[(0, 1, "works_for"), (0, 1, "leads")],
    );
    let project = Project::open(&root).unwrap();
    h.app = App::new(project, as_user("chi"), (100, 30));
    h.keys("enter m");
    assert!(
        h.message()
            .contains("2 agreed spans and 1 agreed relation added to the gold"),
        "{}",
        h.message()
    );
    let gold = relations(&h);
    assert_eq!(gold.len(), 1);
    assert_eq!(gold[0].label, "works_for");
    assert_eq!(gold[0].reviewer.as_deref(), Some("chi"));
    assert_eq!(
        gold[0].extra["agreed_by"],
        serde_json::json!(["lan", "minh"])
    );
    // One step: u takes the spans and the relation out together.
    h.keys("u");
    assert_eq!(relations(&h), []);
    assert_eq!(h.on_disk("a").unwrap().spans.len(), 0);
}

#[test]
fn the_project_wide_list_shows_relations_of_articles_nobody_opened_and_decides_them() {
    let mut h = Harness::with_config(&[("a", "Lan ở Huế")], as_user("minh"), (100, 30));
    let root = h.dir.path().to_path_buf();
    std::fs::write(root.join("nhan.toml"), schema()).unwrap();
    // Article b, read by the list only: Lê Hoài Trung works_for the ministry.
    let mut b = support::project::document("b.txt", TEXT2, [(0, 3, "PER"), (10, 23, "ORG")], "lan");
    let ids: Vec<nhan_model::ids::SpanId> = b.spans().iter().map(|s| s.id).collect();
    let r = b.make_relation(ids[0], ids[1], "works_for", Some("lan"));
    b.apply(&nhan_model::edit::Edit::add_relation(r));
    support::project::write(&root, &b);
    let project = Project::open(&root).unwrap();
    h.app = App::new(project, as_user("minh"), (100, 30));
    h.keys("enter r");
    // Read for the list, b keeps its relations beside its spans.
    let kept = h.app.state.review.kept.get(1).and_then(Option::as_ref);
    assert_eq!(kept.map(|k| k.relations.len()), Some(1));
    assert!(h.app.state.articles[1].is_none(), "b is not resident");
    h.keys("p f f f f");
    assert_eq!(rows(&h), ["Lan → Bộ Ngoại giao works_for -"]);
    h.keys("a");
    let sc = h.on_disk("b").unwrap();
    let rels: Vec<Relation> = serde_json::from_value(sc.extra["relations"].clone()).unwrap();
    assert_eq!(rels[0].review.map(|d| d.as_str()), Some("accepted"));
    assert_eq!(rels[0].reviewer.as_deref(), Some("minh"));
}
