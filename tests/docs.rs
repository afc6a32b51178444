//! The README's key table is generated from the default keymap; this test
//! fails when they drift. `UPDATE_README=1 cargo test --test docs` rewrites it.

#[test]
fn readme_key_table_matches_the_keymap() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (start, end) = ("<!-- keys:start -->\n", "<!-- keys:end -->");
    let a = readme.find(start).expect("README has a keys:start marker") + start.len();
    let b = readme.find(end).expect("README has a keys:end marker");
    let table = nhan_tui::ui::overlay::keys_markdown(&nhan_tui::app::keymap::Keymap::defaults());
    if readme[a..b] != table && std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(path, format!("{}{table}{}", &readme[..a], &readme[b..])).unwrap();
        return;
    }
    assert_eq!(
        readme[a..b],
        table,
        "README key table is stale: run UPDATE_README=1 cargo test --test docs"
    );
}
