//! Keys per entity: the sample gold (`annotations/`, over `articles/`)
//! annotated again from scratch through the keys a user types, counting
//! the fewest keys that make each span. For every gold span in reading
//! order the cursor starts where the previous tag left it if that is on
//! the span's screen row (at 100 columns, before the span's end), else at
//! the row's first word (reaching a row is not counted: that is
//! scrolling, the same for any way of tagging). A
//! breadth-first search over real key presses (each step is `App::handle`
//! of one key) finds the shortest way to a selection of exactly the span,
//! then the digit of its label; the path is then typed for real and the
//! span must be in the sidecar. The search is a perfect user, so the
//! figure is a lower bound; docs/PERFORMANCE.md ("Keys per entity") has
//! it before and after `e`.
//!
//! `NHAN_KEYS_REPORT=1 cargo test --test keys_per_entity -- --nocapture`
//! prints the distribution.

use nhan::app::config::Config;
use nhan::app::keys::Key;
use nhan::app::msg::Msg;
use nhan::app::state::{Edge, Selection};
use nhan::core::project::Project;
use nhan::core::sidecar::Sidecar;
use nhan::runtime::App;
use std::collections::{HashMap, VecDeque};
use std::path::Path;

/// Keys a user moves and selects with inside a line.
const KEYS: &[&str] = &["l", "h", "v", "L", "H", "o", "e", "w", "$", "esc"];
/// Character steps, tried only when the keys above cannot reach a span
/// (an edge inside a token, as in "Trung ương_Ảnh").
const CHAR_KEYS: &[&str] = &[",", "."];
/// Longer paths are not looked for (a span that needs more counts as
/// this many and is reported).
const MAX_DEPTH: usize = 14;
/// How far past the span (in chars) a selection or the cursor may go
/// while searching: a shorter way never goes further.
const SLACK: usize = 30;

type StateKey = (usize, Option<(usize, usize, bool, Option<u64>)>);

fn state_key(app: &App) -> StateKey {
    let art = app.state.article().unwrap();
    (
        art.cursor,
        art.selection
            .map(|s| (s.start, s.end, s.active == Edge::Start, s.origin)),
    )
}

fn set_state(app: &mut App, k: StateKey) {
    let art = app.state.article_mut().unwrap();
    art.cursor = k.0;
    art.selection = k.1.map(|(start, end, st, origin)| Selection {
        start,
        end,
        active: if st { Edge::Start } else { Edge::End },
        origin,
    });
}

fn press(app: &mut App, name: &str) {
    app.handle(Msg::Key(Key::parse(name).unwrap()));
}

/// Whether a digit pressed in state `k` tags exactly `[s, e)` as a new span.
fn ready(app: &App, k: StateKey, s: usize, e: usize) -> bool {
    match k.1 {
        Some((a, b, _, None)) => (a, b) == (s, e),
        Some(_) => false,
        None => {
            let doc = &app.state.article().unwrap().doc;
            let t = doc.tokens();
            t.at_or_after(k.0)
                .map(|i| t.get(i))
                .is_some_and(|r| r.start.max(k.0) == s && r.end == e)
        }
    }
}

/// The shortest key path from the current state to one where the digit
/// tags `[s, e)`, within `[lo, hi)`.
fn shortest(app: &mut App, s: usize, e: usize, lo: usize) -> Option<Vec<&'static str>> {
    search(app, s, e, lo, KEYS).or_else(|| {
        let keys: Vec<&'static str> = KEYS.iter().chain(CHAR_KEYS).copied().collect();
        search(app, s, e, lo, &keys)
    })
}

fn search(
    app: &mut App,
    s: usize,
    e: usize,
    lo: usize,
    keys: &[&'static str],
) -> Option<Vec<&'static str>> {
    let hi = e + SLACK;
    let start = state_key(app);
    let mut prev: HashMap<StateKey, Option<(StateKey, &'static str)>> = HashMap::new();
    prev.insert(start, None);
    let mut queue = VecDeque::from([(start, 0usize)]);
    let mut found = None;
    while let Some((k, depth)) = queue.pop_front() {
        if ready(app, k, s, e) {
            found = Some(k);
            break;
        }
        if depth == MAX_DEPTH {
            continue;
        }
        for &key in keys {
            set_state(app, k);
            press(app, key);
            let next = state_key(app);
            let inside = next.0 >= lo
                && next.0 < hi
                && next
                    .1
                    .is_none_or(|(a, b, _, _)| a + SLACK >= s && a >= lo && b <= hi);
            if inside && !prev.contains_key(&next) {
                prev.insert(next, Some((k, key)));
                queue.push_back((next, depth + 1));
            }
        }
    }
    set_state(app, start);
    let mut path = Vec::new();
    let mut at = found?;
    while let Some(Some((from, key))) = prev.get(&at) {
        path.push(*key);
        at = *from;
    }
    path.reverse();
    Some(path)
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Keys for each gold span of one article (`None`: not found within
/// `MAX_DEPTH`).
fn replay(stem: &str) -> Vec<Option<usize>> {
    let gold = std::fs::read(repo().join("annotations").join(format!("{stem}.json"))).unwrap();
    let gold = Sidecar::parse(&gold, stem).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("nhan.toml"), dir.path().join("nhan.toml")).unwrap();
    std::fs::create_dir_all(dir.path().join("articles")).unwrap();
    let name = format!("{stem}.txt");
    std::fs::copy(
        repo().join("articles").join(&name),
        dir.path().join("articles").join(&name),
    )
    .unwrap();
    let project = Project::open(dir.path()).unwrap();
    let labels: Vec<String> = project
        .schema
        .labels
        .iter()
        .map(|l| l.name.clone())
        .collect();
    let mut app = App::new(project, Config::default(), (100, 30));
    press(&mut app, "enter");
    let mut spans: Vec<_> = gold.spans.iter().collect();
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out = Vec::new();
    for sp in spans {
        let (s, e) = (sp.start, sp.end);
        // The first char of the screen row the span starts on.
        let row_start = {
            let art = app.state.article_mut().unwrap();
            let row = art.layout.row_of_char(s);
            art.layout.char_at(row, 0)
        };
        let (cursor, _) = state_key(&app);
        if !(row_start..=e).contains(&cursor) {
            let doc = &app.state.article().unwrap().doc;
            let t = doc.tokens();
            let first = t
                .at_or_after(row_start)
                .map_or(row_start, |i| t.get(i).start);
            set_state(&mut app, (first, None));
        }
        let digit = labels.iter().position(|l| *l == *sp.label).unwrap() + 1;
        let Some(path) = shortest(&mut app, s, e, row_start) else {
            if std::env::var_os("NHAN_KEYS_REPORT").is_some() {
                println!(
                    "-- {} “{}” {s}–{e}: not reached from {:?}, row {row_start}",
                    sp.label,
                    sp.text,
                    state_key(&app)
                );
            }
            out.push(None);
            // Put it in by hand so that later spans see the same text.
            set_state(&mut app, (s, Some((s, e, false, None))));
            press(&mut app, &digit.to_string());
            continue;
        };
        for k in &path {
            press(&mut app, k);
        }
        press(&mut app, &digit.to_string());
        let art = app.state.article().unwrap();
        assert!(
            art.doc
                .spans()
                .iter()
                .any(|x| (x.start, x.end) == (s, e) && *x.label == *sp.label),
            "{stem}: typing {path:?} {digit} did not tag {} “{}”",
            sp.label,
            sp.text
        );
        if std::env::var_os("NHAN_KEYS_REPORT").is_some() && path.len() >= 5 {
            println!(
                "{:>2} {} “{}”: {}",
                path.len() + 1,
                sp.label,
                sp.text,
                path.join(" ")
            );
        }
        out.push(Some(path.len() + 1));
    }
    out
}

#[test]
fn the_sample_gold_takes_few_keys_per_entity() {
    let mut all = Vec::new();
    let mut stems: Vec<String> = std::fs::read_dir(repo().join("annotations"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "json").then(|| p.file_stem().unwrap().to_string_lossy().into())
        })
        .collect();
    stems.sort();
    for stem in &stems {
        all.extend(replay(stem));
    }
    let missed = all.iter().filter(|k| k.is_none()).count();
    let mut keys: Vec<usize> = all.iter().map(|k| k.unwrap_or(MAX_DEPTH + 1)).collect();
    keys.sort_unstable();
    let n = keys.len();
    let mean = keys.iter().sum::<usize>() as f64 / n as f64;
    let median = keys[n / 2];
    let within4 = keys.iter().filter(|&&k| k <= 4).count();
    let report = format!(
        "{n} spans: mean {mean:.2} keys, median {median}, {within4} ({:.0} %) in ≤ 4 keys, \
         {missed} not reached in {MAX_DEPTH}",
        100.0 * within4 as f64 / n as f64
    );
    if std::env::var_os("NHAN_KEYS_REPORT").is_some() {
        let mut hist = std::collections::BTreeMap::new();
        for k in &keys {
            *hist.entry(*k).or_insert(0) += 1;
        }
        println!("{report}\n{hist:?}");
    }
    assert_eq!(missed, 0, "{report}");
    assert!(mean <= 4.0, "{report}");
    assert!(within4 * 10 >= n * 7, "{report}");
}
