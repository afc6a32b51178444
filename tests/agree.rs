//! `nhan agree` on tests/fixtures/agree/three: three annotators (lan, minh,
//! thu) over four articles; thu skipped c.txt, only lan did d.txt. The
//! fixture is written by `scripts/agree/check.py --write-fixture`; the
//! expected values are computed by hand (noted) or by the reference
//! implementations through scripts/agree/check.py.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agree/three")
}

fn nhan(project: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nhan"))
        .arg("--project")
        .arg(project)
        .arg("agree")
        .args(args)
        .env("NHAN_CONFIG", project.join("no-such-config"))
        .output()
        .expect("runs nhan")
}

fn agree_json(project: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = nhan(project, &all);
    assert!(
        out.status.success(),
        "nhan agree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - want).abs() < 1e-12, "{got} != {want}");
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

#[test]
fn three_annotators_overall_and_pairs() {
    let r = agree_json(&fixture(), &[]);
    assert_eq!(r["nhan_agree"], 1);
    assert_eq!(strs(&r["annotators"]), ["lan", "minh", "thu"]);
    assert_eq!(r["tag_rule"], "innermost");
    // O, schema labels in schema order, then labels outside the schema.
    assert_eq!(
        strs(&r["labels"]),
        ["O", "PER", "ORG", "LOC", "MISC", "EVENT"]
    );

    // Reference values (krippendorff, statsmodels, scikit-learn).
    let o = &r["overall"];
    assert_eq!(o["articles"], 3);
    assert_eq!(o["tokens"], 54);
    close(&o["krippendorff_alpha"], 0.628067154541541);
    close(&o["fleiss_kappa"], 0.6670832291927018);
    assert_eq!(o["fleiss_articles"], 2);
    assert_eq!(o["fleiss_tokens"], 37);
    close(&o["cohen_kappa_mean"], 0.6394793217868184);

    let pairs = r["pairs"].as_array().unwrap();
    let names: Vec<(&str, &str)> = pairs
        .iter()
        .map(|p| {
            (
                p["reference"].as_str().unwrap(),
                p["other"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("lan", "minh"), ("lan", "thu"), ("minh", "thu")]);
    let want = [
        (3, 54, 0.6934984520123839, 0.6947614107883817, 0.65),
        (
            2,
            37,
            0.6977829638273045,
            0.6967359050445103,
            0.8333333333333334,
        ),
        (
            2,
            37,
            0.5271565495207668,
            0.5239130434782608,
            0.6666666666666666,
        ),
    ];
    for (p, (arts, toks, kappa, alpha, partial_f1)) in pairs.iter().zip(want) {
        assert_eq!(p["articles"], arts);
        assert_eq!(p["tokens"], toks);
        close(&p["cohen_kappa"], kappa);
        close(&p["krippendorff_alpha"], alpha);
        close(&p["spans"]["partial"]["overall"]["f1"], partial_f1);
        // The confusion table counts every token of the pair once.
        let total: u64 = p["confusion"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|row| row.as_array().unwrap())
            .map(|c| c.as_u64().unwrap())
            .sum();
        assert_eq!(total, toks);
    }

    // By hand, lan → thu, strict: a.txt has PER and LOC exact, ORG "Ban Đối
    // ngoại Trung ương" tagged LOC by thu (incorrect), lan's nested ORG
    // "Trung ương" missed; b.txt has PER and LOC exact and thu's EVENT
    // "hội nghị" spurious.
    let s = &pairs[1]["spans"]["strict"]["overall"];
    assert_eq!(
        [
            &s["correct"],
            &s["incorrect"],
            &s["partial"],
            &s["missed"],
            &s["spurious"]
        ],
        [4, 1, 0, 1, 1]
    );
    close(&s["precision"], 4.0 / 6.0);
    close(&s["f1"], 4.0 / 6.0);
    // Per label: thu's EVENT is spurious under its own label.
    let ev = &pairs[1]["spans"]["strict"]["labels"]["EVENT"];
    assert_eq!(
        (&ev["spurious"], &ev["possible"]),
        (&Value::from(1), &Value::from(0))
    );
    assert_eq!(ev["f1"], 0.0);
}

#[test]
fn articles_lowest_first_and_missing_work() {
    let r = agree_json(&fixture(), &[]);
    let arts = r["articles"].as_array().unwrap();
    let order: Vec<&str> = arts
        .iter()
        .map(|a| a["article"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["c.txt", "a.txt", "b.txt"]);
    close(&arts[0]["krippendorff_alpha"], 0.43909348441926344);
    close(&arts[0]["cohen_kappa_mean"], 0.423728813559322);
    close(&arts[0]["strict_f1"], 0.25);
    assert_eq!(strs(&arts[0]["annotators"]), ["lan", "minh"]);
    close(&arts[2]["krippendorff_alpha"], 0.7333333333333334);
    // d.txt: only lan; reported, not compared.
    assert_eq!(r["skipped"][0]["article"], "d.txt");
    assert_eq!(strs(&r["skipped"][0]["annotators"]), ["lan"]);
    assert_eq!(strs(&r["missing"]["lan"]), Vec::<&str>::new());
    assert_eq!(strs(&r["missing"]["minh"]), ["d.txt"]);
    assert_eq!(strs(&r["missing"]["thu"]), ["c.txt", "d.txt"]);
}

#[test]
fn two_annotators_by_hand() {
    // b.txt, lan vs thu, 19 tokens: lan has PER×3 (Lê Hoài Trung), LOC×2
    // (Đà Nẵng), O×14; thu the same plus EVENT×2 (hội nghị). Agreement on
    // 17 tokens.
    // Cohen: po = 17/19, pe = (14·12 + 3·3 + 2·2)/19² = 181/361,
    //   kappa = (323 − 181)/(361 − 181) = 142/180.
    // Krippendorff: n_O = 26, n_PER = 6, n_LOC = 4, n_EVENT = 2, n = 38;
    //   D_o ∝ 2·2 = 4, D_e ∝ (38² − 26² − 6² − 4² − 2²)/37 = 712/37,
    //   alpha = 1 − 4·37/712.
    let r = agree_json(&fixture(), &["--annotators", "lan,thu"]);
    assert_eq!(strs(&r["annotators"]), ["lan", "thu"]);
    let b = r["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["article"] == "b.txt")
        .unwrap();
    assert_eq!(b["tokens"], 19);
    close(&b["cohen_kappa_mean"], 142.0 / 180.0);
    close(&b["krippendorff_alpha"], 1.0 - 4.0 * 37.0 / 712.0);
    // Two annotators: Fleiss' kappa is still given (it is Scott's pi then).
    assert!(r["overall"]["fleiss_kappa"].is_f64());
    assert_eq!(r["pairs"].as_array().unwrap().len(), 1);
    // c.txt and d.txt lack thu: skipped, not compared.
    let skipped: Vec<&str> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["article"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["c.txt", "d.txt"]);
}

#[test]
fn human_report_names_the_figures() {
    let out = nhan(&fixture(), &[]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Agreement of 3 annotators (lan, minh, thu) on 3 articles, 54 tokens",
        "Krippendorff's alpha (nominal)   0.628",
        "Fleiss' kappa                    0.667",
        "lan → thu",
        "Articles, lowest agreement first",
        "thu has no sidecar for c.txt, d.txt",
        "Fewer than two annotators, no agreement: d.txt",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

#[test]
fn fewer_than_two_annotators_is_an_error() {
    let out = nhan(&fixture(), &["--annotators", "lan"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at least two annotators"), "{err}");
    assert!(err.contains("only lan has"), "{err}");

    let out = nhan(&fixture(), &["--annotators", "lan,nobody"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"nobody\""), "{err}");
    assert!(err.contains("lan, minh, thu"), "{err}");

    // No annotator folders at all.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture().join("articles"), &dir.path().join("articles"));
    let out = nhan(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("none has"));
}

#[test]
fn broken_annotator_sidecar_is_named() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    let bad = dir.path().join("annotations/minh/b.json");
    std::fs::write(&bad, "{\"nhan\": 1,\n  \"spans\": [").unwrap();
    let out = nhan(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("annotations/minh/b.json:2:"), "{err}");

    // A span whose text does not match the article.
    let good = std::fs::read_to_string(fixture().join("annotations/minh/b.json")).unwrap();
    std::fs::write(&bad, good.replace("\"Lê Hoài Trung\"", "\"Lê Hoài Tùng\"")).unwrap();
    let out = nhan(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("annotations/minh/b.json") && err.contains("span 1"),
        "{err}"
    );
}

#[test]
fn changed_article_is_reanchored_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    let a = dir.path().join("articles/b.txt");
    let text = std::fs::read_to_string(&a).unwrap();
    std::fs::write(&a, format!("Tin mới .\n{text}")).unwrap();
    let r = agree_json(dir.path(), &[]);
    let warnings = strs(&r["warnings"]);
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings.iter().all(|w| w.contains("the article changed")));
    // Every span moved by the same amount: agreement on b.txt is unchanged
    // (the three new tokens are O for everyone and change alpha, so compare
    // span figures only).
    let b = r["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["article"] == "b.txt")
        .unwrap();
    close(&b["strict_f1"], 0.5);
    assert_eq!(b["tokens"], 22);
}

#[test]
fn a_conflicted_sidecar_is_named_and_counts_of_one_are_singular() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    // thu's b.json keeps one span; b.txt changes: "1 span placed again".
    let thu = dir.path().join("annotations/thu/b.json");
    let mut sc: Value = serde_json::from_str(&std::fs::read_to_string(&thu).unwrap()).unwrap();
    sc["spans"].as_array_mut().unwrap().truncate(1);
    std::fs::write(&thu, serde_json::to_string_pretty(&sc).unwrap()).unwrap();
    let a = dir.path().join("articles/b.txt");
    let text = std::fs::read_to_string(&a).unwrap();
    std::fs::write(&a, format!("Tin mới .\n{text}")).unwrap();
    let out = nhan(dir.path(), &[]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("annotations/thu/b.json: the article changed since it was annotated; 1 span placed again"),
        "{report}"
    );

    // Merge-conflict markers: named as such, with what to do.
    let minh = dir.path().join("annotations/minh/c.json");
    let s = std::fs::read_to_string(&minh).unwrap();
    std::fs::write(&minh, format!("<<<<<<< HEAD\n{s}=======\n{s}>>>>>>> lan\n")).unwrap();
    let out = nhan(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("merge conflict in ") && err.contains("minh/c.json, line 1"),
        "{err}"
    );
}

mod support;

/// Relations `(from, to, type)` by span index into `SPANS`.
type Rels<'a> = &'a [(usize, usize, &'a str)];

/// Annotators' sidecars over one article, with the same spans and their
/// own relations.
fn relation_project(work: &[(&str, Rels)]) -> tempfile::TempDir {
    use nhan_model::edit::Edit;
    const TEXT: &str = "Lan làm Trưởng ban ở Bộ Ngoại giao cùng Ban Dân vận";
    const SPANS: [(usize, usize, &str); 4] = [
        (0, 3, "PER"),
        (8, 18, "TITLE"),
        (21, 34, "ORG"),
        (40, 51, "ORG"),
    ];
    let d = tempfile::tempdir().unwrap();
    let schema = format!(
        "{}[[labels]]\nname = \"TITLE\"\n{}",
        support::SCHEMA,
        "[[relations]]\nname = \"has_title\"\nfrom = [\"PER\"]\nto = [\"TITLE\"]\n\
         [[relations]]\nname = \"of\"\nfrom = [\"TITLE\"]\nto = [\"ORG\"]\n\
         [[relations]]\nname = \"allied_with\"\nfrom = [\"ORG\"]\nto = [\"ORG\"]\nsymmetric = true\n"
    );
    support::project::init(d.path(), &schema);
    for (who, rels) in work {
        // Each annotator's own span ids (a hash of who made them).
        let mut doc = support::project::document("a.txt", TEXT, SPANS, who);
        let ids: Vec<nhan_model::ids::SpanId> = SPANS
            .iter()
            .map(|(s, e, _)| doc.spans().with_extent(*s, *e).unwrap().id)
            .collect();
        for (f, t, l) in *rels {
            let r = doc.make_relation(ids[*f], ids[*t], l, Some(who));
            doc.apply(&Edit::add_relation(r));
        }
        support::project::write(d.path(), &doc);
        let own = d.path().join("annotations").join(who);
        std::fs::create_dir_all(&own).unwrap();
        std::fs::write(own.join("a.json"), doc.to_sidecar().to_json()).unwrap();
    }
    d
}

#[test]
fn relation_agreement_matches_both_ends_extents_and_the_type_per_type_and_overall() {
    let d = relation_project(&[
        (
            "lan",
            &[(0, 1, "has_title"), (1, 2, "of"), (2, 3, "allied_with")],
        ),
        // The same has_title; the symmetric allied_with the other way
        // round (a match); `of` to the other ORG (no match).
        (
            "minh",
            &[(0, 1, "has_title"), (1, 3, "of"), (3, 2, "allied_with")],
        ),
    ]);
    let r = agree_json(d.path(), &[]);
    let rel = &r["relations"];
    assert_eq!(
        rel["matching"],
        "both ends' extents and the type; a symmetric type in either direction"
    );
    // Schema order, only the types used.
    let types: Vec<&String> = rel["types"].as_object().unwrap().keys().collect();
    assert_eq!(types, ["has_title", "of", "allied_with"]);
    for (t, matched, f1) in [
        ("has_title", 1, 1.0),
        ("of", 0, 0.0),
        ("allied_with", 1, 1.0),
    ] {
        let f = &rel["types"][t];
        assert_eq!(
            (
                f["matched"].as_u64(),
                f["reference"].as_u64(),
                f["other"].as_u64()
            ),
            (Some(matched), Some(1), Some(1)),
            "{t}"
        );
        close(&f["f1"], f1);
    }
    // 2 matched of 3 and 3.
    let o = &rel["overall"];
    close(&o["precision"], 2.0 / 3.0);
    close(&o["recall"], 2.0 / 3.0);
    close(&o["f1"], 2.0 / 3.0);
    assert_eq!(rel["pairs"][0]["reference"], "lan");
    assert_eq!(rel["pairs"][0]["other"], "minh");
    close(&rel["pairs"][0]["overall"]["f1"], 2.0 / 3.0);

    let out = nhan(d.path(), &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "Relations, all pairs together\n  (a match: both ends' extents and the type; a symmetric type in either direction)"
        ),
        "{text}"
    );
    let line = |name: &str| {
        // The last such line: the relations section ends the report.
        text.lines()
            .rfind(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} line: {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("of "), "of 0.000 0.000 0.000 1 1");
    assert_eq!(line("all types"), "all types 0.667 0.667 0.667 3 3");
    assert_eq!(line("lan → minh"), "lan → minh 0.667 0.667 0.667 3 3");
}

#[test]
fn without_relations_the_report_has_no_relations_section() {
    let d = relation_project(&[("lan", &[]), ("minh", &[])]);
    let r = agree_json(d.path(), &[]);
    assert_eq!(r.get("relations"), None);
    let text = String::from_utf8_lossy(&nhan(d.path(), &[]).stdout).into_owned();
    assert!(!text.contains("Relations"), "{text}");
    // One side's relations alone are reported: all missed by the other.
    let d = relation_project(&[("lan", &[(0, 1, "has_title")]), ("minh", &[])]);
    let r = agree_json(d.path(), &[]);
    let o = &r["relations"]["overall"];
    assert_eq!(
        (o["reference"].as_u64(), o["other"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(o["precision"], Value::Null);
    close(&o["recall"], 0.0);
    close(&o["f1"], 0.0);
}

#[test]
fn relations_to_a_span_the_changed_article_lost_are_left_out_with_a_warning() {
    let d = relation_project(&[
        ("lan", &[(0, 1, "has_title"), (2, 3, "allied_with")]),
        ("minh", &[(0, 1, "has_title")]),
    ]);
    // “Ban Dân vận” is gone from the article: lan's allied_with has lost
    // an end. Before, agree stopped on lan's sidecar.
    let a = d.path().join("articles/a.txt");
    std::fs::write(&a, "Lan làm Trưởng ban ở Bộ Ngoại giao cùng ông Hải").unwrap();
    let r = agree_json(d.path(), &[]);
    let warnings = strs(&r["warnings"]);
    assert!(
        warnings.iter().any(|w| w.starts_with(&format!(
            "{}: the article changed",
            d.path().join("annotations/lan/a.json").display()
        )) && w
            .ends_with("1 could not be placed and is left out, with 1 relation to them")),
        "{warnings:?}"
    );
    let o = &r["relations"]["overall"];
    assert_eq!(
        (
            o["matched"].as_u64(),
            o["reference"].as_u64(),
            o["other"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
}
