//! A nested span typed at the terminal (issue 28, item 12): the outer
//! organisation with `e e e 2`, then the place inside it with `i 3`.

mod pty_support;

use pty_support::*;

const SCHEMA: &str = r#"overlap = "nested"
[[labels]]
name = "PER"
[[labels]]
name = "ORG"
[[labels]]
name = "LOC"
"#;

#[test]
fn i_and_a_digit_after_a_tag_make_the_inner_span_in_the_real_program() {
    let text = "Ủy ban nhân dân Thành phố Hồ Chí Minh họp.\n";
    let project = tiny_project(&[("a.txt", text)], Some(SCHEMA));
    let p = project.path();
    let mut nhan = Nhan::spawn_sized(p, &no_config(p), 100, 24);
    nhan.wait_row(-2, "LIST");
    nhan.send(ENTER);
    nhan.wait_for("the article to open", |s| status_bar(s).contains("TEXT"));
    nhan.send("eee2");
    nhan.wait_row(-1, "tagged ORG “Ủy ban nhân dân Thành phố Hồ Chí Minh”");
    nhan.send("i3");
    nhan.wait_row(-1, "tagged LOC “Thành phố Hồ Chí Minh”");
    nhan.wait_row(-2, "saved");
    nhan.send("q");
    assert!(nhan.wait_exit().success());

    let mut got: Vec<(u64, u64, String)> = spans(&read_sidecar(p, "a"))
        .iter()
        .map(|s| {
            (
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap(),
                s["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let (os, oe) = char_range(text, "Ủy ban nhân dân Thành phố Hồ Chí Minh");
    let (is, ie) = char_range(text, "Thành phố Hồ Chí Minh");
    assert_eq!(
        got,
        vec![
            (os as u64, oe as u64, "ORG".to_string()),
            (is as u64, ie as u64, "LOC".to_string()),
        ]
    );
}
