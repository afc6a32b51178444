//! The layering docs/ARCHITECTURE.md draws. Between crates Cargo keeps the
//! dependencies one-way; these check what Cargo cannot: no module of the
//! app imports one that imports it back (directly or round a longer
//! circle), and the model knows nothing of the terminal or the disk.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn source(path: &Path) -> String {
    let s = std::fs::read_to_string(path).unwrap();
    // Unit tests may reach anywhere.
    match s.find("#[cfg(test)]") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Whether `src` names module `m` as a sibling (`super::m`, `crate::app::m`,
/// or inside a `use super::{…}` list).
fn mentions(src: &str, m: &str) -> bool {
    let word = |s: &str, at: usize| {
        !s[at + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    };
    for prefix in ["super::", "crate::app::"] {
        let pat = format!("{prefix}{m}");
        if src
            .match_indices(&pat)
            .any(|(i, _)| word(src, i + prefix.len()))
        {
            return true;
        }
        let list = format!("{prefix}{{");
        for (i, _) in src.match_indices(&list) {
            let rest = &src[i + list.len()..];
            let inner = &rest[..rest.find('}').unwrap_or(rest.len())];
            if inner
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == m)
            {
                return true;
            }
        }
    }
    false
}

#[test]
fn app_modules_import_each_other_one_way_only() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/tui/src/app");
    let mods: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let stem = p.file_stem()?.to_str()?.to_string();
            (p.extension()? == "rs" && stem != "mod").then_some(stem)
        })
        .collect();
    let deps: BTreeMap<&str, BTreeSet<&str>> = mods
        .iter()
        .map(|m| {
            let src = source(&dir.join(format!("{m}.rs")));
            let uses = mods
                .iter()
                .filter(|o| *o != m && mentions(&src, o))
                .map(String::as_str)
                .collect();
            (m.as_str(), uses)
        })
        .collect();
    // Depth-first search for a path back to where it started.
    fn back<'a>(
        deps: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        start: &'a str,
        path: &mut Vec<&'a str>,
    ) -> bool {
        let at = *path.last().unwrap();
        for &n in &deps[at] {
            if n == start {
                return true;
            }
            if !path.contains(&n) {
                path.push(n);
                if back(deps, start, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    for &m in deps.keys() {
        let mut path = vec![m];
        assert!(
            !back(&deps, m, &mut path),
            "src/app imports in a circle: {} → {m}",
            path.join(" → ")
        );
    }
    assert!(deps.len() > 10, "the modules were found: {deps:?}");
}

#[test]
fn the_model_knows_nothing_of_the_terminal_or_the_disk() {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/model");
    let manifest = std::fs::read_to_string(model.join("Cargo.toml")).unwrap();
    let deps = &manifest[manifest.find("[dependencies]").unwrap()..];
    let deps = &deps[..deps.find("[dev-dependencies]").unwrap_or(deps.len())];
    for crate_ in [
        "ratatui",
        "crossterm",
        "nhan-store",
        "tempfile",
        "directories",
        "libc",
    ] {
        assert!(
            !deps.lines().any(|l| l.starts_with(crate_)),
            "crates/model depends on {crate_}"
        );
    }
    let mut files = Vec::new();
    walk(&model.join("src"), &mut files);
    assert!(files.len() > 20);
    for f in files {
        // Unit tests may write fixtures.
        let src = source(&f);
        for io in [
            "std::fs",
            "fs::",
            "File::",
            "OpenOptions",
            "std::process",
            "std::net",
        ] {
            assert!(
                !src.lines()
                    .any(|l| !l.trim_start().starts_with("//") && l.contains(io)),
                "{} uses {io}: the model does no I/O (that is nhan-store's job)",
                f.display()
            );
        }
    }
}

#[test]
fn an_import_is_seen_in_every_spelling() {
    assert!(mentions("if super::noting::describe(b, a)", "noting"));
    assert!(mentions("use super::{editing, noting};", "noting"));
    assert!(mentions("use crate::app::state::State;", "state"));
    assert!(!mentions("super::noting_more::x", "noting"));
    assert!(!mentions("use super::{editing};", "noting"));
}
