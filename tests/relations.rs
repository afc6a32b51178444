//! Relations between spans: what `validate` and `stats` say of them, and
//! making them from the keyboard (key sequences → state and sidecar).

mod support;

use nhan_model::document::Document;
use nhan_model::edit::Edit;
use nhan_model::relation::Relation;
use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::runtime::App;
use serde_json::Value;
use std::path::Path;
use support::{Harness, project};

/// The test schema with three relation types (`works_for`,
/// `located_in`, and the symmetric `near`).
fn schema() -> String {
    support::project::relation_schema()
}

fn nhan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    support::run_nhan(dir, args)
}

const TEXT: &str = "Lan làm ở Bộ Ngoại giao tại Hà Nội";

/// Article `a`: Lan (PER), Bộ Ngoại giao (ORG), Hà Nội (LOC), with the
/// relations `(from, to, type)` given by span index.
fn article(root: &Path, rels: &[(usize, usize, &str)]) -> Document {
    let mut doc = project::document(
        "a.txt",
        TEXT,
        [(0, 3, "PER"), (10, 23, "ORG"), (28, 34, "LOC")],
        "lan",
    );
    let ids: Vec<nhan_model::ids::SpanId> = doc.spans().iter().map(|s| s.id).collect();
    for (f, t, l) in rels {
        let r = doc.make_relation(ids[*f], ids[*t], l, Some("lan"));
        doc.apply(&Edit::add_relation(r));
    }
    project::write(root, &doc);
    doc
}

#[test]
fn validate_names_the_line_of_each_relation_the_schema_does_not_allow() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    article(dir.path(), &[(0, 1, "works_for"), (1, 2, "located_in")]);
    let (code, out, err) = nhan(dir.path(), &["validate"]);
    assert_eq!(code, 0, "{out}{err}");

    // A type nhan.toml lacks, and ends the type does not take.
    let doc2 = article(
        dir.path(),
        &[(0, 1, "works_for"), (2, 0, "works_for"), (1, 2, "lives_in")],
    );
    let src = std::fs::read_to_string(dir.path().join("annotations/a.json")).unwrap();
    let line_of = |label: &str, from: nhan_model::ids::SpanId| {
        1 + src
            .lines()
            .position(|l| l.contains(&format!("\"from\": {from}, ")) && l.contains(label))
            .unwrap()
    };
    let ids: Vec<nhan_model::ids::SpanId> = doc2.spans().iter().map(|s| s.id).collect();
    let (code, out, _) = nhan(dir.path(), &["validate"]);
    assert_eq!(code, 1, "{out}");
    let wrong = doc2.relations().iter().find(|r| r.from == ids[2]).unwrap();
    assert!(
        out.contains(&format!(
            "a.json:{}: relation {}: works_for does not go from LOC “Hà Nội” to PER “Lan”",
            line_of("works_for", ids[2]),
            wrong.id
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "a.json:{}: relation ",
            line_of("lives_in", ids[1])
        )) && out.contains("type lives_in is not in the schema"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[test]
fn validate_reports_a_relation_whose_end_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    let doc = article(dir.path(), &[(0, 1, "works_for")]);
    let org = doc.spans().iter().nth(1).unwrap().id;
    let p = dir.path().join("annotations/a.json");
    // A span deleted by hand (or by another tool), its relation left.
    let src: String = std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"label\": \"ORG\""))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&p, &src).unwrap();
    let (code, out, _) = nhan(dir.path(), &["validate"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "its to end is span {org}, which the article does not have"
        )),
        "{out}"
    );
    let line = 1 + src.lines().position(|l| l.contains("\"from\": ")).unwrap();
    let id = doc.relations()[0].id;
    assert!(
        out.contains(&format!("a.json:{line}: relation {id}: its to end")),
        "{out}"
    );
}

#[test]
fn stats_count_relations_per_type_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    article(
        dir.path(),
        &[(0, 1, "works_for"), (1, 2, "located_in"), (2, 2, "near")],
    );
    let (code, out, err) = nhan(dir.path(), &["stats", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["by_relation"]["works_for"], 1);
    assert_eq!(v["by_relation"]["located_in"], 1);
    assert_eq!(v["by_relation"]["near"], 1);
    let (_, text, _) = nhan(dir.path(), &["stats"]);
    assert!(
        text.contains(
            "by relation\n  works_for         1\n  located_in        1\n  near              1\n"
        ),
        "{text}"
    );
}

#[test]
fn stats_of_a_project_without_relations_say_nothing_of_them() {
    let h = Harness::new(&[("a", "[Lan]{PER} ở [Hà Nội]{LOC}")]);
    let (_, out, _) = nhan(h.dir.path(), &["stats", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.get("by_relation"), None);
    let (_, text, _) = nhan(h.dir.path(), &["stats"]);
    assert!(!text.contains("relation"), "{text}");
}

/// One article open in the app, with the relation schema.
fn open(marked: &str) -> Harness {
    let mut h = Harness::new(&[("a", marked)]);
    std::fs::write(h.dir.path().join("nhan.toml"), schema()).unwrap();
    let project = Project::open(h.dir.path()).unwrap();
    h.app = App::new(project, Config::default(), (100, 30));
    h.keys("enter");
    h
}

const MARKED: &str = "[Lan]{PER} làm ở [Bộ Ngoại giao]{ORG} tại [Hà Nội]{LOC} và [Huế]{LOC}";

/// The relations on disk, as `(from text, type, to text)`.
fn on_disk(h: &Harness) -> Vec<(String, String, String)> {
    let sc = h.on_disk("a").unwrap();
    let text = |id: nhan_model::ids::SpanId| {
        sc.spans
            .iter()
            .find(|s| s.id == id)
            .map_or("?".into(), |s| s.text.to_string())
    };
    let rels: Vec<Relation> = sc
        .extra
        .get("relations")
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .unwrap_or_default();
    let mut v: Vec<_> = rels
        .iter()
        .map(|r| (text(r.from), r.label.clone(), text(r.to)))
        .collect();
    // In the sidecar they are sorted by span id, which is a hash.
    v.sort();
    v
}

fn rel(from: &str, label: &str, to: &str) -> (String, String, String) {
    (from.into(), label.into(), to.into())
}

fn keys_counted(h: &mut Harness, keys: &str) -> usize {
    h.keys(keys);
    keys.split_whitespace().count()
}

#[test]
fn a_relation_to_a_span_on_screen_takes_at_most_four_keys() {
    let mut h = open(MARKED);
    assert_eq!(h.at_cursor(), "Lan", "the cursor starts on the first span");
    // `>`, the motion to the other span, its type's digit.
    let n = keys_counted(&mut h, "> ] 1");
    assert!(n <= 4, "{n} keys");
    assert_eq!(on_disk(&h), vec![rel("Lan", "works_for", "Bộ Ngoại giao")]);
    assert!(
        h.message()
            .contains("related PER “Lan” works_for → ORG “Bộ Ngoại giao”"),
        "{}",
        h.message()
    );
    // Enter when one type fits: from the ORG to a LOC, located_in.
    let n = keys_counted(&mut h, "> ] enter");
    assert!(n <= 4, "{n} keys");
    assert_eq!(
        on_disk(&h),
        vec![
            rel("Bộ Ngoại giao", "located_in", "Hà Nội"),
            rel("Lan", "works_for", "Bộ Ngoại giao"),
        ]
    );
}

#[test]
fn the_status_line_starts_the_relation_and_motions_still_move() {
    let mut h = open(MARKED);
    h.keys(">");
    assert_eq!(
        h.message(),
        "relation from PER “Lan”: go to the other span, then a digit or Enter (Esc cancels)"
    );
    // Word motions move while the relation waits; `e` selects a name.
    h.keys("l l l");
    assert_eq!(h.at_cursor(), "Bộ");
    h.keys("] ] 3");
    assert_eq!(on_disk(&h), vec![], "near does not go from PER to LOC");
    assert!(
        h.message().contains(
            "near does not go from PER to LOC: no relation type goes between these labels"
        ),
        "{}",
        h.message()
    );
    h.keys("[ 1");
    assert_eq!(on_disk(&h), vec![rel("Lan", "works_for", "Bộ Ngoại giao")]);
}

#[test]
fn types_that_do_not_fit_are_refused_and_enter_needs_exactly_one() {
    let mut h = open(MARKED);
    h.keys("> ] 2");
    assert!(
        h.message()
            .contains("located_in does not go from PER to ORG: only 1 works_for fits (or Enter)"),
        "{}",
        h.message()
    );
    h.keys("7");
    assert!(
        h.message()
            .contains("no relation type 7: 1 works_for · 2 located_in · 3 near"),
        "{}",
        h.message()
    );
    // Still waiting: the type that fits makes it.
    h.keys("enter");
    assert_eq!(on_disk(&h), vec![rel("Lan", "works_for", "Bộ Ngoại giao")]);
    // From a PER to itself: move first.
    h.keys("g > 1");
    assert!(
        h.message().starts_with("move onto the other span first"),
        "{}",
        h.message()
    );
    h.keys("esc");
    assert_eq!(h.message(), "no relation made");
    // After Esc a digit tags again, as it always does.
    h.keys("] ] 2");
    assert_eq!(
        h.markup(),
        "[Lan]{PER} làm ở [Bộ Ngoại giao]{ORG} tại [Hà Nội]{ORG} và [Huế]{LOC}"
    );
}

#[test]
fn undo_and_redo_take_a_relation_back_and_make_it_again() {
    let mut h = open(MARKED);
    h.keys("> ] 1");
    h.keys("u");
    assert_eq!(on_disk(&h), vec![]);
    h.keys("ctrl-r");
    assert_eq!(on_disk(&h), vec![rel("Lan", "works_for", "Bộ Ngoại giao")]);
}

#[test]
fn deleting_a_span_deletes_its_relations_says_how_many_and_undo_restores_them() {
    let mut h = open(MARKED);
    h.keys("> ] 1 > ] enter");
    assert_eq!(on_disk(&h).len(), 2);
    // The ORG at both: delete it.
    h.keys("[ x");
    assert_eq!(
        h.message(),
        "removed ORG “Bộ Ngoại giao” and its 2 relations"
    );
    assert_eq!(on_disk(&h), vec![]);
    assert!(!h.markup().contains("ORG"));
    h.keys("u");
    assert_eq!(on_disk(&h).len(), 2);
    assert!(h.markup().contains("[Bộ Ngoại giao]{ORG}"));
}

#[test]
fn the_status_bar_names_the_relations_of_the_span_under_the_cursor() {
    let mut h = open(MARKED);
    h.keys("> ] 1 > ] enter [");
    let (text, _) = h.drawn(160, 8);
    let bar = text.lines().nth(6).unwrap();
    assert!(bar.contains("ORG “Bộ Ngoại giao”"), "{bar}");
    assert!(bar.contains("← works_for Lan"), "{bar}");
    assert!(bar.contains("located_in → Hà Nội"), "{bar}");
}

/// The article with two relations, drawn at 80 columns without colour:
/// spans with a relation open with `⟦`, the others with `[`.
#[test]
fn spans_with_relations_carry_a_mark_in_the_text_also_without_colour() {
    let mut h = open(MARKED);
    h.app.state.no_color = true;
    h.keys("> ] 1 > ]");
    let (text, t) = h.drawn(80, 8);
    assert!(
        text.contains("⟦Lan]PER làm ở ⟦Bộ Ngoại giao]ORG tại [Hà Nội]LOC và")
            && text.contains("[Huế]LOC"),
        "{text}"
    );
    insta::assert_snapshot!(t.backend());
    // Undone, the marks go.
    h.keys("esc u");
    let (text, _) = h.drawn(80, 8);
    assert!(!text.contains('⟦'), "{text}");
}

/// A relation whose end is gone is never dropped by a save: the article
/// opens read-only and the file stays as it is.
#[test]
fn an_article_with_a_dangling_relation_opens_read_only_and_is_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    article(dir.path(), &[(0, 1, "works_for")]);
    let p = dir.path().join("annotations/a.json");
    let src: String = std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"label\": \"ORG\""))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&p, &src).unwrap();
    let project = Project::open(dir.path()).unwrap();
    let mut app = App::new(project, Config::default(), (100, 30));
    for k in ["enter", "x", ">", "]", "1"] {
        app.handle(nhan_tui::app::msg::Msg::Key(
            nhan_tui::app::keys::Key::parse(k).unwrap(),
        ));
    }
    let art = app.state.article().unwrap();
    let why = art.read_only.as_ref().expect("read-only").to_string();
    assert!(why.contains("which the article does not have"), "{why}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), src);
}

/// Every file under `dir` named `name`, read.
fn find(dir: &Path, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(find(&p, name));
        } else if p.file_name().is_some_and(|n| n == name) {
            out.push(std::fs::read_to_string(&p).unwrap());
        }
    }
    out
}

#[test]
fn brat_export_writes_r_lines_and_declares_the_relation_types() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    article(dir.path(), &[(0, 1, "works_for"), (1, 2, "located_in")]);
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("brat");
    let (code, _, err) = nhan(
        dir.path(),
        &[
            "export",
            "--format",
            "brat",
            "--status",
            "any",
            "--out",
            o.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let ann = find(&o, "a.ann").pop().expect("a.ann");
    // T1 Lan, T2 Bộ Ngoại giao, T3 Hà Nội (sidecar order).
    assert!(ann.contains("T1\tPER 0 3\tLan\n"), "{ann}");
    let r: Vec<&str> = ann.lines().filter(|l| l.starts_with('R')).collect();
    assert_eq!(r.len(), 2, "{ann}");
    assert!(
        r.contains(&"R1\tworks_for Arg1:T1 Arg2:T2\t")
            || r.contains(&"R2\tworks_for Arg1:T1 Arg2:T2\t"),
        "{ann}"
    );
    assert!(
        r.iter()
            .any(|l| l.ends_with("\tlocated_in Arg1:T2 Arg2:T3\t")),
        "{ann}"
    );
    let conf = find(&o, "annotation.conf").pop().expect("annotation.conf");
    assert!(
        conf.contains("[relations]\nworks_for\tArg1:PER, Arg2:ORG\nlocated_in\tArg1:ORG, Arg2:LOC\nnear\tArg1:LOC, Arg2:LOC, <REL-TYPE>:symmetric\n"),
        "{conf}"
    );
}

/// brat's `R` lines come back in an import, so a project exported to brat
/// and imported again exports the same files; a type nhan.toml lacks, or
/// an end that is no entity, is refused by file and line.
#[test]
fn brat_relations_round_trip_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    article(dir.path(), &[(0, 1, "works_for"), (1, 2, "located_in")]);
    let out = tempfile::tempdir().unwrap();
    let export = |project: &Path, to: &Path| {
        let (code, _, err) = nhan(
            project,
            &[
                "export",
                "--format",
                "brat",
                "--status",
                "any",
                "--out",
                to.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{err}");
        find(to, "a.ann").pop().expect("a.ann")
    };
    let first = export(dir.path(), &out.path().join("brat"));
    let back = tempfile::tempdir().unwrap();
    project::init(back.path(), &schema());
    let (code, _, err) = nhan(
        back.path(),
        &[
            "import",
            "--format",
            "brat",
            "--status",
            "done",
            out.path().join("brat").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let again = export(back.path(), &out.path().join("again"));
    assert_eq!(again, first, "brat does not round-trip");
    assert_eq!(again.lines().filter(|l| l.starts_with('R')).count(), 2);
    // An end that is no entity; then a type nhan.toml lacks.
    let bad = out.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("b.txt"), TEXT).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    project::init(fresh.path(), &schema());
    let entities = "T1\tPER 0 3\tLan\nT2\tORG 10 23\tBộ Ngoại giao\n";
    for (line, said) in [
        (
            "R1\tworks_for Arg1:T1 Arg2:T9\t\n",
            "b.ann:3: joins T1 and T9, which are not both entities",
        ),
        (
            "R1\tmarried_to Arg1:T1 Arg2:T2\t\n",
            "b.ann:3: relation type married_to is not in nhan.toml",
        ),
    ] {
        std::fs::write(bad.join("b.ann"), format!("{entities}{line}")).unwrap();
        let (code, _, err) = nhan(
            fresh.path(),
            &["import", "--format", "brat", bad.to_str().unwrap()],
        );
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(said), "{err}");
    }
    assert!(!fresh.path().join("annotations/b.json").exists());
}

#[test]
fn the_relation_list_steps_through_goes_to_either_end_retypes_and_deletes() {
    use nhan_tui::app::state::Overlay;
    let mut h = open(MARKED);
    h.keys("R");
    assert_eq!(
        h.message(),
        "no relations in this article: > on a span starts one"
    );
    h.keys("> ] 1 > ] enter R");
    assert!(matches!(
        h.app.state.overlay,
        Overlay::Relations { selected: 0 }
    ));
    // Sorted by their ends' ids (hashes): find where each one is.
    let rows: Vec<String> = {
        let doc = &h.app.state.article().unwrap().doc;
        doc.relations()
            .iter()
            .map(|r| nhan_tui::app::relating::row(doc, r))
            .collect()
    };
    let works = rows
        .iter()
        .position(|r| r == "PER “Lan” works_for → ORG “Bộ Ngoại giao”")
        .expect("a row per relation");
    assert!(rows.contains(&"ORG “Bộ Ngoại giao” located_in → LOC “Hà Nội”".to_string()));
    let down = if works == 1 { "j" } else { "k" };
    // t: to the ORG end of works_for.
    h.keys(&format!("{down} t"));
    assert_eq!(h.selected().as_deref(), Some("Bộ Ngoại giao"));
    assert!(matches!(h.app.state.overlay, Overlay::None));
    // Enter: to its PER end.
    h.keys(&format!("R {down} enter"));
    assert_eq!(h.selected().as_deref(), Some("Lan"));
    // A type that does not fit is refused; `x` deletes, `u` brings it back.
    h.keys(&format!("R {down} 2"));
    assert!(
        h.message()
            .starts_with("located_in does not go from PER to ORG"),
        "{}",
        h.message()
    );
    h.keys("x");
    assert_eq!(h.message(), "removed relation works_for");
    assert_eq!(
        on_disk(&h),
        vec![rel("Bộ Ngoại giao", "located_in", "Hà Nội")]
    );
    h.keys("esc u");
    assert_eq!(on_disk(&h).len(), 2);
}

#[test]
fn the_relation_list_is_readable_at_80_columns() {
    let mut h = open(MARKED);
    h.keys("> ] 1 > ] enter R");
    let (text, _) = h.drawn(80, 12);
    assert!(
        text.contains("2 relations: Enter/t go to from/to, x deletes, 1-9 type, Esc"),
        "{text}"
    );
    assert!(
        text.contains("PER “Lan” works_for → ORG “Bộ Ngoại giao”"),
        "{text}"
    );
    assert!(
        text.contains("ORG “Bộ Ngoại giao” located_in → LOC “Hà Nội”"),
        "{text}"
    );
    assert!(text.contains(" RELATIONS "), "{text}");
}

/// `t` while a relation is being made picks its type by name, from a list
/// of the relation types (not the labels) with their digits and ends; the
/// help lists the types the same way.
#[test]
fn t_while_relating_picks_the_type_by_name_and_the_help_lists_the_types() {
    let mut h = open(MARKED);
    h.keys("> ] t");
    let (screen, _) = h.drawn(100, 30);
    assert!(screen.contains("Relation type (Enter applies"), "{screen}");
    assert!(screen.contains("1 works_for   PER → ORG"), "{screen}");
    assert!(screen.contains("3 near        LOC ↔ LOC"), "{screen}");
    assert!(!screen.contains("Label (Enter"), "{screen}");
    // A type that does not fit the two labels is refused, as its digit is.
    h.keys("n e a r enter");
    assert_eq!(on_disk(&h), vec![]);
    assert!(
        h.message().contains("near does not go from PER to ORG"),
        "{}",
        h.message()
    );
    h.keys("t w o r k enter");
    assert_eq!(on_disk(&h), vec![rel("Lan", "works_for", "Bộ Ngoại giao")]);
    // Without a relation under way, `t` is the label picker still.
    h.keys("t");
    let (screen, _) = h.drawn(100, 30);
    assert!(screen.contains("Label (Enter applies"), "{screen}");

    let help: Vec<String> = nhan_tui::ui::overlay::help_lines(&h.app.state)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    let at = help
        .iter()
        .position(|l| l.starts_with("Relation types"))
        .expect("a section of relation types");
    assert_eq!(help[at + 1], "  1 works_for   PER → ORG");
    assert_eq!(help[at + 3], "  3 near        LOC ↔ LOC");
}
