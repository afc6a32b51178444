//! A sidecar changed on disk while its article is open (git pull, `nhan
//! import --force`, a teammate's tool): never written over, merged span by
//! span with the edits made here, conflicts shown and settled, a file that
//! no longer reads left alone.

mod support;

use nhan_model::sidecar::Sidecar;
use nhan_model::span::Span;
use nhan_tui::app::msg::Msg;
use nhan_tui::app::state::{Overlay, SaveState};
use support::Harness;

const TEXT: &str = "[Lan]{PER} gặp Minh ở Huế.";

fn span(id: u64, start: usize, end: usize, label: &str, text: &str) -> Span {
    serde_json::from_value(serde_json::json!({
        "id": id, "start": start, "end": end, "label": label, "text": text,
        "annotator": "teammate"
    }))
    .unwrap()
}

/// Someone else rewrites the sidecar: `change` edits what is on disk now.
fn edit_on_disk(h: &Harness, change: impl FnOnce(&mut Sidecar)) {
    let mut sc = h.on_disk("a").unwrap();
    change(&mut sc);
    std::fs::write(h.sidecar_path("a"), sc.to_json()).unwrap();
}

#[test]
fn a_span_added_on_disk_comes_in_and_the_edit_here_stays() {
    let mut h = Harness::open(TEXT);
    edit_on_disk(&h, |sc| sc.spans.push(span(900, 15, 18, "LOC", "Huế")));
    // Tag "Minh" here: before, this save wrote over the teammate's span.
    h.keys("l l 1");
    assert_eq!(h.markup(), "[Lan]{PER} gặp [Minh]{PER} ở [Huế]{LOC}.");
    assert_eq!(
        h.disk_markup("a"),
        "[Lan]{PER} gặp [Minh]{PER} ở [Huế]{LOC}."
    );
    assert!(
        h.message().contains("changed on disk: merged"),
        "{}",
        h.message()
    );
    assert_eq!(h.app.state.article().unwrap().save, SaveState::Saved);
    // The next edit is written as usual (the merge became the new base).
    h.keys("G 2");
    assert!(
        h.disk_markup("a").contains("[.]{ORG}"),
        "{}",
        h.disk_markup("a")
    );
}

#[test]
fn a_change_on_disk_shows_up_without_a_key() {
    let mut h = Harness::open(TEXT);
    edit_on_disk(&h, |sc| {
        sc.spans.retain(|s| &*s.label != "PER");
        sc.spans.push(span(901, 8, 12, "PER", "Minh"));
    });
    h.app.handle(Msg::Tick);
    assert_eq!(h.markup(), "Lan gặp [Minh]{PER} ở Huế.");
    // Nothing needed writing: the file is as the teammate left it.
    assert_eq!(h.disk_markup("a"), "Lan gặp [Minh]{PER} ở Huế.");
}

#[test]
fn one_span_changed_on_both_sides_is_a_conflict_settled_by_the_user() {
    let mut h = Harness::open(TEXT);
    edit_on_disk(&h, |sc| sc.spans[0].label = "LOC".into());
    // Relabel Lan ORG here, while the teammate made it LOC.
    h.keys("2");
    assert_eq!(h.markup(), "[Lan]{ORG} gặp Minh ở Huế.");
    // What to do comes first: a narrow message line cuts the end.
    assert!(
        h.message()
            .starts_with("1 conflict where both changed the same span: C shows them"),
        "{}",
        h.message()
    );
    let disk = std::fs::read_to_string(h.sidecar_path("a")).unwrap();
    assert!(disk.contains("\"conflicts\""), "{disk}");
    assert!(
        disk.contains("\"LOC\""),
        "theirs kept in the record: {disk}"
    );
    h.keys("C");
    assert_eq!(h.app.state.overlay, Overlay::Conflicts { selected: 0 });
    h.keys("t");
    assert_eq!(h.markup(), "[Lan]{LOC} gặp Minh ở Huế.");
    assert_eq!(h.app.state.overlay, Overlay::None);
    assert!(h.message().contains("settled"), "{}", h.message());
    let disk = h.on_disk("a").unwrap();
    assert!(!disk.extra.contains_key("conflicts"));
    assert_eq!(&*disk.spans[0].label, "LOC");
    // The settling is one undoable step: the conflict comes back with it.
    h.keys("u");
    assert_eq!(h.markup(), "[Lan]{ORG} gặp Minh ở Huế.");
    assert!(h.on_disk("a").unwrap().extra.contains_key("conflicts"));
    h.keys("C o");
    assert_eq!(h.markup(), "[Lan]{ORG} gặp Minh ở Huế.");
    assert!(!h.on_disk("a").unwrap().extra.contains_key("conflicts"));
}

#[test]
fn a_sidecar_with_conflict_markers_makes_the_article_read_only_and_is_kept() {
    let mut h = Harness::open(TEXT);
    let path = h.sidecar_path("a");
    let good = std::fs::read_to_string(&path).unwrap();
    let broken = format!("<<<<<<< HEAD\n{good}=======\n{good}>>>>>>> theirs\n");
    std::fs::write(&path, &broken).unwrap();
    h.keys("l l 1");
    assert!(
        h.message().contains("read-only") && h.message().contains("merge conflict in"),
        "{}",
        h.message()
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    h.keys("l 2");
    assert!(h.message().contains("read-only"), "{}", h.message());
    h.app.handle(Msg::Tick);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    // Fixed on disk: read again, and the edit made before is merged in.
    std::fs::write(&path, &good).unwrap();
    h.app.handle(Msg::Tick);
    assert!(h.app.state.article().unwrap().read_only.is_none());
    assert_eq!(h.disk_markup("a"), "[Lan]{PER} gặp [Minh]{PER} ở Huế.");
}

#[test]
fn a_successful_retry_clears_not_saved() {
    let mut h = Harness::open("Hà Nội");
    let ann = h.dir.path().join("annotations");
    std::fs::write(&ann, "not a folder").unwrap();
    h.keys("3");
    assert!(h.message().starts_with("NOT SAVED"), "{}", h.message());
    std::fs::remove_file(&ann).unwrap();
    h.app.handle(Msg::Tick);
    assert_eq!(h.app.state.article().unwrap().save, SaveState::Saved);
    assert!(!h.message().contains("NOT SAVED"), "{}", h.message());
    assert!(h.message().contains("saved"), "{}", h.message());
}

#[test]
fn import_refuses_while_nhan_holds_the_project_and_names_the_holder() {
    let h = Harness::open(TEXT);
    let before = std::fs::read(h.sidecar_path("a")).unwrap();
    let input = h.dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"a\", \"text\": \"Lan gặp Minh ở Huế.\", \"label\": [[8, 12, \"PER\"]]}\n",
    )
    .unwrap();
    let import = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_nhan"))
            .arg("--project")
            .arg(h.dir.path())
            .args(["import", "--format", "jsonl", "--force"])
            .arg(&input)
            .output()
            .unwrap()
    };
    // The lock as a running nhan holds it.
    let lock = nhan_store::lock::acquire(h.dir.path()).unwrap();
    let out = import();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("nothing was imported") && err.contains("holds"),
        "{err}"
    );
    assert_eq!(std::fs::read(h.sidecar_path("a")).unwrap(), before);
    drop(lock);
    let out = import();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(std::fs::read(h.sidecar_path("a")).unwrap(), before);
}

/// One article open in the app, with two relation types in nhan.toml.
fn open_with_relations(marked: &str) -> Harness {
    let mut h = Harness::new(&[("a", marked)]);
    let schema = format!(
        "{}{}",
        support::SCHEMA,
        "[[relations]]\nname = \"works_for\"\nfrom = [\"PER\"]\nto = [\"ORG\"]\n\
         [[relations]]\nname = \"located_in\"\nfrom = [\"ORG\"]\nto = [\"LOC\"]\n"
    );
    std::fs::write(h.dir.path().join("nhan.toml"), schema).unwrap();
    let project = nhan_store::project::Project::open(h.dir.path()).unwrap();
    h.app = nhan_tui::runtime::App::new(project, Default::default(), (100, 30));
    h.keys("enter");
    h
}

const LINKED: &str = "[Lan]{PER} làm ở [Bộ Ngoại giao]{ORG} tại [Hà Nội]{LOC}";

/// Relations as `(from text, type, to text)`, sorted.
fn by_text(spans: &[Span], rels: &[nhan_model::relation::Relation]) -> Vec<String> {
    let text = |id: nhan_model::ids::SpanId| {
        spans
            .iter()
            .find(|s| s.id == id)
            .map_or(format!("dangling {id}"), |s| s.text.to_string())
    };
    let mut v: Vec<String> = rels
        .iter()
        .map(|r| format!("{} {} {}", text(r.from), r.label, text(r.to)))
        .collect();
    v.sort();
    v
}

fn relations_on_disk(h: &Harness) -> Vec<String> {
    let sc = h.on_disk("a").unwrap();
    let rels = sc
        .extra
        .get("relations")
        .map(|v| nhan_model::relation::parse(v).unwrap())
        .unwrap_or_default();
    by_text(&sc.spans, &rels)
}

fn relations_here(h: &Harness) -> Vec<String> {
    let doc = &h.app.state.article().unwrap().doc;
    let spans: Vec<Span> = doc.spans().iter().cloned().collect();
    by_text(&spans, doc.relations())
}

#[test]
fn a_relation_made_on_disk_comes_in_beside_the_one_made_here() {
    let mut h = open_with_relations(LINKED);
    edit_on_disk(&h, |sc| {
        let id = |l: &str| sc.spans.iter().find(|s| &*s.label == l).unwrap().id;
        let (org, loc) = (id("ORG"), id("LOC"));
        sc.extra.insert(
            "relations".into(),
            serde_json::json!([{"id": 77, "from": org, "to": loc, "label": "located_in", "annotator": "teammate"}]),
        );
    });
    h.keys("> ] 1");
    let both = [
        "Bộ Ngoại giao located_in Hà Nội",
        "Lan works_for Bộ Ngoại giao",
    ];
    assert_eq!(relations_here(&h), both, "{}", h.message());
    assert_eq!(relations_on_disk(&h), both);
    assert!(
        h.message().contains("changed on disk: merged"),
        "{}",
        h.message()
    );
    assert!(h.app.state.article().unwrap().read_only.is_none());
}

#[test]
fn a_relation_made_here_to_a_span_deleted_on_disk_is_a_conflict_never_a_dangling_end() {
    let mut h = open_with_relations(LINKED);
    // The teammate deletes the ORG while the relation to it is made here.
    edit_on_disk(&h, |sc| sc.spans.retain(|s| &*s.label != "ORG"));
    h.keys("> ] 1");
    // Before, the relation was kept with its end gone: the article turned
    // read-only ("does not fit this article").
    assert!(
        h.app.state.article().unwrap().read_only.is_none(),
        "{}",
        h.message()
    );
    assert!(
        h.message()
            .starts_with("1 conflict where both changed the same span or relation: C shows them"),
        "{}",
        h.message()
    );
    assert_eq!(
        h.markup(),
        "[Lan]{PER} làm ở Bộ Ngoại giao tại [Hà Nội]{LOC}"
    );
    assert_eq!(relations_here(&h), Vec::<String>::new());
    assert_eq!(relations_on_disk(&h), Vec::<String>::new());
    let disk = h.on_disk("a").unwrap();
    assert_eq!(
        disk.extra["conflicts"][0]["lost_end"]["text"],
        "Bộ Ngoại giao"
    );
    // t puts back the span and the relation, in one undoable step.
    h.keys("C t");
    assert_eq!(h.markup(), LINKED);
    assert_eq!(relations_on_disk(&h), ["Lan works_for Bộ Ngoại giao"]);
    assert!(!h.on_disk("a").unwrap().extra.contains_key("conflicts"));
    h.keys("u");
    assert_eq!(relations_on_disk(&h), Vec::<String>::new());
    assert!(h.on_disk("a").unwrap().extra.contains_key("conflicts"));
    // o leaves both out.
    h.keys("C o");
    assert_eq!(
        h.markup(),
        "[Lan]{PER} làm ở Bộ Ngoại giao tại [Hà Nội]{LOC}"
    );
    assert_eq!(relations_on_disk(&h), Vec::<String>::new());
    assert!(!h.on_disk("a").unwrap().extra.contains_key("conflicts"));
}
