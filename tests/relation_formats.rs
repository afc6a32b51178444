//! Relations in the formats that hold them (doccano JSONL, Label Studio,
//! Prodigy; brat is in tests/relations.rs): what the export writes, that
//! export, import, export gives the same bytes and the same relations, and
//! that bad ones are refused by file and place. The formats that hold none
//! count them in the loss report.

mod support;

use nhan_model::edit::Edit;
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::project;

/// The test schema with three relation types (`works_for`,
/// `located_in`, and the symmetric `near`).
fn schema() -> String {
    support::project::relation_schema()
}

const TEXT: &str = "Lan làm ở Bộ Ngoại giao tại Hà Nội và Huế";

/// A project with one article: Lan (PER), Bộ Ngoại giao (ORG), Hà Nội and
/// Huế (LOC); Lan works_for the ministry, which is located_in Hà Nội, near
/// Huế. The relations carry who made and who decided them.
fn sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    let mut doc = project::document(
        "a.txt",
        TEXT,
        [
            (0, 3, "PER"),
            (10, 23, "ORG"),
            (28, 34, "LOC"),
            (38, 41, "LOC"),
        ],
        "lan",
    );
    let ids: Vec<nhan_model::ids::SpanId> = doc.spans().iter().map(|s| s.id).collect();
    for (f, t, l) in [(0, 1, "works_for"), (1, 2, "located_in"), (2, 3, "near")] {
        let mut r = doc.make_relation(ids[f], ids[t], l, Some("lan"));
        r.review = Some(nhan_model::review::Decision::accepted());
        r.reviewer = Some("minh".into());
        doc.apply(&Edit::add_relation(r));
    }
    project::write(dir.path(), &doc);
    dir
}

fn nhan(dir: &Path, args: &[&str]) -> (i32, String) {
    let (code, _, err) = support::run_nhan(dir, args);
    (code, err)
}

fn export(project: &Path, format: &str, out: &Path, more: &[&str]) -> String {
    let mut args = vec![
        "export",
        "--format",
        format,
        "--status",
        "any",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(more);
    let (code, err) = nhan(project, &args);
    assert_eq!(code, 0, "{err}");
    err
}

/// The one file of an export that holds the data.
fn data_file(format: &str, out: &Path) -> PathBuf {
    out.join(match format {
        "label-studio" => "data.json",
        _ => "data.jsonl",
    })
}

/// The relations of article `a` in a project's sidecar, as `(from text,
/// type, to text, annotator, review, reviewer)`, sorted.
fn relations_on_disk(project: &Path) -> Vec<[String; 6]> {
    let sc: Value =
        serde_json::from_str(&std::fs::read_to_string(project.join("annotations/a.json")).unwrap())
            .unwrap();
    let text = |id: &Value| {
        let s = sc["spans"].as_array().unwrap();
        let s = s.iter().find(|s| &s["id"] == id).expect("an end is a span");
        s["text"].as_str().unwrap().to_string()
    };
    let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
    let mut v: Vec<[String; 6]> = sc["relations"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            [
                text(&r["from"]),
                s(&r["label"]),
                text(&r["to"]),
                s(&r["annotator"]),
                s(&r["review"]),
                s(&r["reviewer"]),
            ]
        })
        .collect();
    v.sort();
    v
}

/// Export, import into a fresh project (as reviewed, by `interop` where
/// the format records no decision), export again.
/// The first export's data file, the relations imported back (as
/// [`relations_on_disk`] prints them), the first export's folder, and the
/// temporary folder that holds it.
fn round_trip(format: &str) -> (String, String, PathBuf, tempfile::TempDir) {
    let p = sample();
    let out = tempfile::tempdir().unwrap();
    let first = out.path().join("first");
    let report = export(p.path(), format, &first, &[]);
    let bytes = std::fs::read_to_string(data_file(format, &first)).unwrap();
    let back = tempfile::tempdir().unwrap();
    project::init(back.path(), &schema());
    let (code, err) = nhan(
        back.path(),
        &[
            "import",
            "--format",
            format,
            "--status",
            "reviewed",
            "--reviewer",
            "interop",
            data_file(format, &first).to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("(and 3 relations between them)"), "{err}");
    let again = out.path().join("again");
    export(back.path(), format, &again, &[]);
    let again = std::fs::read_to_string(data_file(format, &again)).unwrap();
    assert_eq!(again, bytes, "{format} does not round-trip");
    assert!(
        report.contains("with 4 entities and 3 relations as"),
        "{report}"
    );
    let orig = relations_on_disk(p.path());
    let got = relations_on_disk(back.path());
    // The ends and types come back in every format.
    let ends = |v: &[[String; 6]]| -> Vec<[String; 3]> {
        v.iter()
            .map(|r| [r[0].clone(), r[1].clone(), r[2].clone()])
            .collect()
    };
    assert_eq!(ends(&got), ends(&orig), "{format}");
    assert_eq!(ends(&got).len(), 3);
    (bytes, format!("{got:?}"), first, out)
}

#[test]
fn doccano_writes_entities_with_ids_and_relations_and_reads_them_back() {
    let (bytes, got, _, _back) = round_trip("jsonl");
    let v: Value = serde_json::from_str(bytes.lines().next().unwrap()).unwrap();
    assert!(v.get("label").is_none(), "{v}");
    let ents = v["entities"].as_array().unwrap();
    assert_eq!(ents.len(), 4);
    let e = &ents[0];
    assert_eq!(
        e.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "label", "start_offset", "end_offset"]
    );
    assert_eq!(
        (e["label"].as_str(), e["start_offset"].as_u64()),
        (Some("PER"), Some(0))
    );
    let id_of = |k: usize| ents[k]["id"].clone();
    let rels = v["relations"].as_array().unwrap();
    let r = rels
        .iter()
        .find(|r| r["type"] == "works_for")
        .expect("works_for");
    assert_eq!(
        r.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "from_id", "to_id", "type"]
    );
    assert_eq!((&r["from_id"], &r["to_id"]), (&id_of(0), &id_of(1)));
    // doccano has no place for who made or decided a relation.
    assert!(!got.contains("lan") && !got.contains("minh"), "{got}");
}

#[test]
fn doccano_without_relation_types_keeps_its_label_lists() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), support::SCHEMA);
    let doc = project::document("a.txt", TEXT, [(0, 3, "PER")], "lan");
    project::write(dir.path(), &doc);
    let out = tempfile::tempdir().unwrap();
    let err = export(dir.path(), "jsonl", out.path(), &[]);
    let line = std::fs::read_to_string(out.path().join("data.jsonl")).unwrap();
    assert!(line.contains(r#""label":[[0,3,"PER"]]"#), "{line}");
    assert!(
        !line.contains("entities") && !line.contains("relations"),
        "{line}"
    );
    assert!(!err.contains("relation"), "{err}");
}

#[test]
fn label_studio_writes_relation_results_and_relations_in_the_config() {
    let (bytes, got, first, _back) = round_trip("label-studio");
    let v: Value = serde_json::from_str(&bytes).unwrap();
    let results = v[0]["annotations"][0]["result"].as_array().unwrap();
    let region = |text: &str| {
        results
            .iter()
            .find(|r| r["value"]["text"] == text)
            .map(|r| r["id"].clone())
            .unwrap()
    };
    let rel = |t: &str| {
        results
            .iter()
            .find(|r| r["type"] == "relation" && r["labels"][0] == t)
            .unwrap_or_else(|| panic!("no {t} result"))
    };
    let w = rel("works_for");
    assert_eq!(
        (&w["from_id"], &w["to_id"]),
        (&region("Lan"), &region("Bộ Ngoại giao"))
    );
    assert_eq!(w["direction"], "right");
    // A symmetric type is drawn both ways.
    assert_eq!(rel("near")["direction"], "bi");
    let config = std::fs::read_to_string(first.join("labeling-config.xml")).unwrap();
    assert!(
        config.contains(
            "  <Relations>\n    <Relation value=\"works_for\"/>\n    <Relation value=\"located_in\"/>\n    <Relation value=\"near\"/>\n  </Relations>\n"
        ),
        "{config}"
    );
    // Who made and decided each relation comes back too.
    assert!(got.contains(r#""lan", "accepted", "minh""#), "{got}");
    assert!(!got.contains("interop"), "{got}");
}

#[test]
fn label_studio_reads_left_pointing_relations_the_other_way() {
    let task = r#"[{"data": {"text": "Lan làm ở Bộ Ngoại giao", "article": "a.txt"}, "annotations": [{"result": [
        {"id": "x", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 3, "labels": ["PER"]}},
        {"id": "y", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 10, "end": 23, "labels": ["ORG"]}},
        {"from_id": "y", "to_id": "x", "type": "relation", "direction": "left", "labels": ["works_for"]}
    ]}]}]"#;
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    let path = dir.path().join("ls.json");
    std::fs::write(&path, task).unwrap();
    let (code, err) = nhan(
        dir.path(),
        &["import", "--format", "label-studio", path.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let got = relations_on_disk(dir.path());
    assert_eq!(got.len(), 1);
    assert_eq!(got[0][..3], ["Lan", "works_for", "Bộ Ngoại giao"]);
}

#[test]
fn prodigy_writes_rel_manual_relations_and_reads_them_back() {
    let (bytes, got, _, _back) = round_trip("prodigy");
    let v: Value = serde_json::from_str(bytes.lines().next().unwrap()).unwrap();
    let r = v["relations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "works_for")
        .unwrap();
    let tokens = v["tokens"].as_array().unwrap();
    // "Bộ Ngoại giao" is tokens 3 to 5; `child` is its last token.
    assert_eq!(r["child"], 5);
    assert_eq!(r["head"], 0);
    let c = &r["child_span"];
    assert_eq!(
        (
            &c["start"],
            &c["end"],
            &c["token_start"],
            &c["token_end"],
            &c["label"]
        ),
        (&10.into(), &23.into(), &3.into(), &5.into(), &"ORG".into())
    );
    assert_eq!(tokens[5]["text"], "giao");
    assert!(got.contains(r#""lan", "accepted", "minh""#), "{got}");
}

#[test]
fn formats_without_relations_count_them_in_the_loss_report() {
    let p = sample();
    for format in ["conll", "conllu", "hf"] {
        let out = tempfile::tempdir().unwrap();
        let err = export(p.path(), format, &out.path().join("o"), &[]);
        assert!(
            err.contains(&format!(
                "loss report: {format} cannot hold relations: 3 relations are left out"
            )),
            "{err}"
        );
        let m: Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join("o/nhan-export.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            m["relations"],
            serde_json::json!({"exported": 0, "lost": 3}),
            "{format}"
        );
    }
    // A format that holds them loses those whose span is not exported.
    for format in ["brat", "jsonl", "label-studio", "prodigy"] {
        let out = tempfile::tempdir().unwrap();
        let err = export(
            p.path(),
            format,
            &out.path().join("o"),
            &["--labels", "ORG,LOC"],
        );
        assert!(
            err.contains(
                "loss report: 1 of 3 relations are left out: one of their spans is not exported"
            ),
            "{format}: {err}"
        );
        let m: Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join("o/nhan-export.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            m["relations"],
            serde_json::json!({"exported": 2, "lost": 1}),
            "{format}"
        );
    }
}

/// Imports `content` as `file` in `format` into a fresh project; the exit
/// code and the report.
fn import_bad(format: &str, file: &str, content: &str) -> (i32, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    let path = dir.path().join(file);
    std::fs::write(&path, content).unwrap();
    let (code, err) = nhan(
        dir.path(),
        &["import", "--format", format, path.to_str().unwrap()],
    );
    (code, err, dir)
}

#[test]
fn bad_relations_are_refused_naming_file_and_place() {
    let ents = r#""entities": [{"id": 1, "label": "PER", "start_offset": 0, "end_offset": 3}, {"id": 2, "label": "ORG", "start_offset": 10, "end_offset": 23}]"#;
    let lsr = r#"{"id": "x", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 3, "labels": ["PER"]}},
        {"id": "y", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 10, "end": 23, "labels": ["ORG"]}}"#;
    let spans = r#""spans": [{"start": 0, "end": 3, "label": "PER"}, {"start": 10, "end": 23, "label": "ORG"}]"#;
    let per = r#"{"start": 0, "end": 3, "label": "PER"}"#;
    let org = r#"{"start": 10, "end": 23, "label": "ORG"}"#;
    let cases = [
        (
            "jsonl",
            "d.jsonl",
            format!(
                r#"{{"text": "{TEXT}", {ents}, "relations": [{{"id": 5, "from_id": 1, "to_id": 9, "type": "works_for"}}]}}"#
            ),
            "d.jsonl:1: relations[0]: to_id 9 is the id of no entity of this line",
        ),
        (
            "jsonl",
            "d.jsonl",
            format!(
                r#"{{"text": "{TEXT}", {ents}, "relations": [{{"id": 5, "from_id": 2, "to_id": 1, "type": "works_for"}}]}}"#
            ),
            "d.jsonl:1 relations[0]: a works_for relation may not join ORG to PER",
        ),
        (
            "label-studio",
            "l.json",
            format!(
                r#"[{{"data": {{"text": "{TEXT}"}}, "annotations": [{{"result": [{lsr}, {{"from_id": "x", "to_id": "z", "type": "relation", "direction": "right", "labels": ["works_for"]}}]}}]}}]"#
            ),
            "l.json: task 1: result 3 (a relation): to_id \"z\" is the id of no text label result",
        ),
        (
            "label-studio",
            "l.json",
            format!(
                r#"[{{"data": {{"text": "{TEXT}"}}, "annotations": [{{"result": [{lsr}, {{"from_id": "x", "to_id": "y", "type": "relation", "direction": "right", "labels": ["employs"]}}]}}]}}]"#
            ),
            "l.json: task 1 result 3 (a relation): relation type employs is not in nhan.toml",
        ),
        (
            "label-studio",
            "l.json",
            format!(
                r#"[{{"data": {{"text": "{TEXT}"}}, "annotations": [{{"result": [{lsr}, {{"from_id": "x", "to_id": "y", "type": "relation", "direction": "right"}}]}}]}}]"#
            ),
            "l.json: task 1: result 3 (a relation) has no labels",
        ),
        (
            "prodigy",
            "p.jsonl",
            format!(
                r#"{{"text": "{TEXT}", {spans}, "relations": [{{"head": 0, "child": 9, "head_span": {per}, "child_span": {{"start": 28, "end": 34, "label": "LOC"}}, "label": "works_for"}}]}}"#
            ),
            "p.jsonl:1: relations[0]: its child_span (LOC [28, 34)) is no span of this task",
        ),
        (
            "prodigy",
            "p.jsonl",
            format!(
                r#"{{"text": "{TEXT}", {spans}, "relations": [{{"head": 5, "child": 0, "head_span": {org}, "child_span": {per}, "label": "works_for"}}]}}"#
            ),
            "p.jsonl:1 relations[0]: a works_for relation may not join ORG to PER",
        ),
    ];
    for (format, file, content, said) in cases {
        let (code, err, dir) = import_bad(format, file, &content);
        assert_eq!(code, 1, "{format}: {err}");
        assert!(err.contains(said), "{format}: wanted {said:?} in\n{err}");
        assert!(!dir.path().join("annotations").exists(), "{format}: wrote");
    }
}

/// A span given twice is imported once; a relation to the second copy is
/// a relation to the span kept (it pointed at the wrong span, or past the
/// end, before).
#[test]
fn a_relation_to_a_span_given_twice_joins_the_span_kept() {
    let dir = tempfile::tempdir().unwrap();
    project::init(dir.path(), &schema());
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("a.txt"), TEXT).unwrap();
    std::fs::write(
        input.join("a.ann"),
        "T1\tPER 0 3\tLan\nT2\tPER 0 3\tLan\nT3\tORG 10 23\tBộ Ngoại giao\nR1\tworks_for Arg1:T2 Arg2:T3\t\n",
    )
    .unwrap();
    let (code, err) = nhan(
        dir.path(),
        &["import", "--format", "brat", input.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("is given again"), "{err}");
    let got = relations_on_disk(dir.path());
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0][..3], ["Lan", "works_for", "Bộ Ngoại giao"]);
}
