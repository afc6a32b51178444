//! Relations typed into the real binary in a pseudo-terminal: the keys a
//! relation takes once the cursor is on its first span, what the screen
//! says, and what reaches the sidecar.

mod pty_support;

use pty_support::*;

const SCHEMA: &str = r#"
[[labels]]
name = "PER"
[[labels]]
name = "LOC"

[[relations]]
name = "met"
from = ["PER"]
to = ["PER"]
symmetric = true
[[relations]]
name = "in"
from = ["PER"]
to = ["LOC"]
"#;

#[test]
fn a_relation_to_a_span_on_screen_takes_three_keys_at_the_terminal() {
    let project = tiny_project(&[("a.txt", "Lan gặp Minh ở Huế.\n")], Some(SCHEMA));
    let p = project.path();
    let mut nhan = Nhan::spawn_sized(p, &no_config(p), 160, 30);
    nhan.wait_row(-2, "LIST");
    nhan.send(ENTER);
    nhan.wait_for("the article to open", |s| status_bar(s).contains("TEXT"));
    // The spans: Lan and Minh PER, Huế LOC.
    nhan.send("e1");
    nhan.wait_row(-1, "tagged PER “Lan”");
    nhan.send("w1");
    nhan.wait_row(-1, "tagged PER “Minh”");
    nhan.send("w2");
    nhan.wait_row(-1, "tagged LOC “Huế”");
    // The cursor on the first span (`g`, not counted), then the relation.
    nhan.send("g");
    nhan.wait_for("the cursor at the start", |s| status_bar(s).contains("@0"));
    let keys = [">", "]", "1"];
    nhan.send(keys[0]);
    nhan.wait_row(-1, "relation from PER “Lan”: go to the other span");
    nhan.wait_row(-2, "RELATION");
    nhan.send(keys[1]);
    nhan.send(keys[2]);
    nhan.wait_row(-1, "related PER “Lan” met → PER “Minh”");
    assert!(keys.len() <= 4);
    // Enter when one type fits: Minh in Huế.
    nhan.send(">]");
    nhan.wait_row(-2, "RELATION");
    nhan.send(ENTER);
    nhan.wait_row(-1, "related PER “Minh” in → LOC “Huế”");
    // The mark in the text, and the status bar on Minh.
    nhan.wait_text("⟦Lan]PER gặp ⟦Minh]PER ở ⟦Huế]LOC");
    nhan.send("[");
    nhan.wait_row(-2, "← met Lan");
    nhan.wait_row(-2, "saved");
    nhan.send("q");
    assert!(nhan.wait_exit().success());

    let sc = read_sidecar(p, "a");
    let rels = sc["relations"].as_array().expect("a relations list");
    let labels: Vec<&str> = rels.iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels.len(), 2, "{sc}");
    assert!(labels.contains(&"met") && labels.contains(&"in"), "{sc}");
    let ids: Vec<u64> = spans(&sc)
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect();
    for r in rels {
        assert!(
            ids.contains(&r["from"].as_u64().unwrap()) && ids.contains(&r["to"].as_u64().unwrap())
        );
    }
}

/// A reviewer accepts one relation and fixes another's type in the real
/// program; both decisions reach the sidecar with the reviewer's name, and
/// `D` waits for the relations.
#[test]
fn a_reviewer_accepts_and_fixes_relations_at_the_terminal() {
    let project = tiny_project(&[("a.txt", "Lan gặp Minh ở Huế.\n")], Some(SCHEMA));
    let p = project.path();
    // The reviewer's name from the settings file, as a user sets it.
    let config = p.join("reviewer.toml");
    std::fs::write(&config, "annotator = \"minh\"\n").unwrap();
    let mut nhan = Nhan::spawn_sized(p, &config, 100, 30);
    nhan.wait_row(-2, "LIST");
    nhan.send(ENTER);
    nhan.wait_for("the article to open", |s| status_bar(s).contains("TEXT"));
    nhan.send("e1");
    nhan.wait_row(-1, "tagged PER “Lan”");
    nhan.send("w1");
    nhan.wait_row(-1, "tagged PER “Minh”");
    nhan.send("w2");
    nhan.wait_row(-1, "tagged LOC “Huế”");
    nhan.send("g>]1");
    nhan.wait_row(-1, "related PER “Lan” met → PER “Minh”");
    nhan.send(">]");
    nhan.wait_row(-2, "RELATION");
    nhan.send(ENTER);
    nhan.wait_row(-1, "related PER “Minh” in → LOC “Huế”");
    // Review: the spans accepted a label at a time (`f`), then the
    // relations alone (`f` past the two labels).
    nhan.send("r");
    nhan.wait_text("Spans 5");
    nhan.send("f");
    nhan.wait_text("Spans 2 · article · all · PER");
    nhan.send("aa");
    nhan.wait_row(-1, "accepted: PER “Minh”");
    nhan.send("f");
    nhan.wait_text("Spans 1 · article · all · LOC");
    nhan.send("a");
    nhan.wait_row(-1, "accepted: LOC “Huế”");
    nhan.send("D");
    nhan.wait_row(-1, "2 relations left to review");
    nhan.send("f");
    nhan.wait_text("Spans 2 · article · all · relations");
    nhan.wait_text("[Lan] → [Minh]");
    nhan.send("a");
    nhan.wait_row(-1, "accepted relation met “Lan” → “Minh”");
    // `in` is the only type from PER to LOC: 1 (met) is refused.
    nhan.send("1");
    nhan.wait_row(-1, "met does not go from PER to LOC");
    nhan.send("2");
    nhan.wait_row(-1, "accepted relation in “Minh” → “Huế”");
    nhan.send("D");
    nhan.wait_row(-1, "article marked reviewed");
    nhan.wait_row(-2, "saved");
    nhan.send("q");
    assert!(nhan.wait_exit().success());

    let sc = read_sidecar(p, "a");
    assert_eq!(sc["status"], "reviewed", "{sc}");
    let rels = sc["relations"].as_array().expect("a relations list");
    assert_eq!(rels.len(), 2, "{sc}");
    for r in rels {
        assert_eq!(r["review"], "accepted", "{sc}");
        assert_eq!(r["reviewer"], "minh", "{sc}");
    }
}
