//! Keys per entity: the sample gold (`annotations/`, over `articles/`)
//! annotated again from scratch through the keys a user types, counting
//! the fewest keys that make each span. For every gold span in reading
//! order the cursor starts where the previous tag left it; when that is
//! not on the span's screen row (at 100 columns) or is past its start,
//! `j`/`k` and `0` take it to the row's first word (reaching a row is not
//! counted: that is scrolling, the same for any way of tagging). A span
//! inside the one just tagged (an inner span, read after its outer one)
//! is typed from where that tag left the user, outer span selected and
//! cursor past it. A breadth-first search over real key presses (each
//! step is `App::handle` of one key) finds the shortest way to a
//! selection of exactly the span, then the digit of its label; the path
//! is then typed for real and the span must be in the sidecar. The search
//! is a perfect user, so the figure is a lower bound; docs/PERFORMANCE.md
//! ("Keys per entity") has it before and after `e`. The second test types
//! one article's whole key stream (row moves included) into the real
//! program in a pseudo-terminal and finds the gold in its sidecar.
//!
//! `NHAN_KEYS_REPORT=1 cargo test --test keys_per_entity -- --nocapture`
//! prints the distribution.

mod pty_support;

use nhan_model::sidecar::Sidecar;
use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::app::keys::Key;
use nhan_tui::app::msg::Msg;
use nhan_tui::app::state::{Edge, Selection};
use nhan_tui::runtime::App;
use std::collections::{HashMap, VecDeque};
use std::path::Path;

/// Keys a user moves and selects with inside a line.
const KEYS: &[&str] = &[
    "l", "h", "v", "L", "H", "o", "e", "w", "$", "esc", "i", "[", "]",
];
/// Character steps, tried only when the keys above cannot reach a span
/// (an edge inside a token, as in "Trung ương_Ảnh").
const CHAR_KEYS: &[&str] = &[",", "."];
/// Longer paths are not looked for (a span that needs more counts as
/// this many and is reported).
const MAX_DEPTH: usize = 14;
/// How far past the span (in chars) a selection or the cursor may go
/// while searching: a shorter way never goes further.
const SLACK: usize = 30;

type StateKey = (
    usize,
    Option<(usize, usize, bool, Option<nhan_model::ids::SpanId>)>,
);

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
    let start = state_key(app);
    // From a cursor past the span (an inner span after its outer one),
    // the way back must stay inside.
    let hi = (e + SLACK).max(start.0 + 1);
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

/// One gold span as typed: the keys that count (`None`: not found within
/// `MAX_DEPTH`), and every key pressed for it, row moves included.
struct Typed {
    keys: Option<usize>,
    /// Inside another gold span (typed after it).
    nested: bool,
    stream: Vec<&'static str>,
}

/// Each gold span of one article, typed from scratch in reading order.
fn replay(sample: &Path, stem: &str) -> Vec<Typed> {
    let gold = gold_spans(sample, stem);
    let dir = one_article_project(sample, stem);
    let project = Project::open(dir.path()).unwrap();
    let mut app = App::new(project, Config::default(), (100, 30));
    press(&mut app, "enter");
    let mut out = Vec::new();
    for (s, e, label, text) in gold.clone() {
        let nested = gold
            .iter()
            .any(|g| g.0 <= s && e <= g.1 && (g.0, g.1) != (s, e));
        let mut stream = Vec::new();
        // An inner span inside the span just tagged (still selected) is
        // typed from there: the user is where the outer one left them.
        let inside = state_key(&app)
            .1
            .filter(|&(a, b, _, _)| a <= s && e <= b)
            .map(|(a, _, _, _)| a);
        // Down (or up) to the span's screen row; `j`/`k` drop a selection.
        while inside.is_none() {
            let art = app.state.article_mut().unwrap();
            let want = art.layout.row_of_char(s);
            let row = art.layout.row_of_char(art.cursor);
            let key = match row.cmp(&want) {
                std::cmp::Ordering::Less => "j",
                std::cmp::Ordering::Greater => "k",
                std::cmp::Ordering::Equal => break,
            };
            press(&mut app, key);
            stream.push(key);
        }
        let row_start = {
            let art = app.state.article_mut().unwrap();
            let row = art.layout.row_of_char(s);
            art.layout.char_at(row, 0)
        };
        // Past the span's start on its row (or after `j` kept a column
        // past it): `0`, the row's first word.
        if inside.is_none() && !(row_start..=s).contains(&state_key(&app).0) {
            press(&mut app, "0");
            stream.push("0");
        }
        let i = app.state.project.schema.index_of(&label).unwrap();
        let digit: &'static str = ["1", "2", "3", "4", "5", "6", "7", "8", "9"][i];
        let lo = inside.map_or(row_start, |a| a.min(row_start));
        let Some(path) = shortest(&mut app, s, e, lo) else {
            if std::env::var_os("NHAN_KEYS_REPORT").is_some() {
                println!(
                    "-- {label} “{text}” {s}–{e}: not reached from {:?}, row {row_start}",
                    state_key(&app)
                );
            }
            out.push(Typed {
                keys: None,
                nested,
                stream: Vec::new(),
            });
            // Put it in by hand so that later spans see the same text.
            set_state(&mut app, (s, Some((s, e, false, None))));
            press(&mut app, digit);
            continue;
        };
        for k in &path {
            press(&mut app, k);
        }
        press(&mut app, digit);
        let art = app.state.article().unwrap();
        assert!(
            art.doc
                .spans()
                .iter()
                .any(|x| (x.start, x.end) == (s, e) && *x.label == *label),
            "{stem}: typing {path:?} {digit} did not tag {label} “{text}”"
        );
        if std::env::var_os("NHAN_KEYS_REPORT").is_some() && path.len() >= 5 {
            println!("{:>2} {label} “{text}”: {}", path.len() + 1, path.join(" "));
        }
        stream.extend(&path);
        stream.push(digit);
        out.push(Typed {
            keys: Some(path.len() + 1),
            nested,
            stream,
        });
    }
    out
}

/// The gold spans of a sample article in reading order (outer before
/// inner): start, end, label, text.
fn gold_spans(sample: &Path, stem: &str) -> Vec<(usize, usize, String, String)> {
    let gold = std::fs::read(sample.join("annotations").join(format!("{stem}.json"))).unwrap();
    let gold = Sidecar::parse(&gold, stem).unwrap();
    let mut spans: Vec<_> = gold
        .spans
        .iter()
        .map(|s| (s.start, s.end, s.label.to_string(), s.text.to_string()))
        .collect();
    spans.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
    spans
}

/// A project holding only the sample article `stem`, without its gold.
fn one_article_project(sample: &Path, stem: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(sample.join("nhan.toml"), dir.path().join("nhan.toml")).unwrap();
    std::fs::create_dir_all(dir.path().join("articles")).unwrap();
    let name = format!("{stem}.txt");
    std::fs::copy(
        sample.join("articles").join(&name),
        dir.path().join("articles").join(&name),
    )
    .unwrap();
    dir
}

fn sample_stems(sample: &Path) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(sample.join("annotations"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "json").then(|| p.file_stem().unwrap().to_string_lossy().into())
        })
        .collect();
    stems.sort();
    stems
}

/// Keys per span of some spans: the figures and a line saying them.
struct Figures {
    n: usize,
    mean: f64,
    within4: usize,
    missed: usize,
    report: String,
}

fn figures(what: &str, all: &[Option<usize>]) -> Figures {
    let missed = all.iter().filter(|k| k.is_none()).count();
    let mut keys: Vec<usize> = all.iter().map(|k| k.unwrap_or(MAX_DEPTH + 1)).collect();
    keys.sort_unstable();
    let n = keys.len();
    let mean = keys.iter().sum::<usize>() as f64 / n as f64;
    let median = keys[n / 2];
    let within4 = keys.iter().filter(|&&k| k <= 4).count();
    let mut hist = std::collections::BTreeMap::new();
    for k in &keys {
        *hist.entry(*k).or_insert(0) += 1;
    }
    let report = format!(
        "{what}: {n} spans, mean {mean:.2} keys, median {median}, {within4} ({:.0} %) in ≤ 4 keys, \
         {missed} not reached in {MAX_DEPTH}; {hist:?}",
        100.0 * within4 as f64 / n as f64
    );
    Figures {
        n,
        mean,
        within4,
        missed,
        report,
    }
}

#[test]
fn the_sample_gold_takes_few_keys_per_entity() {
    let mut typed = Vec::new();
    let sample = pty_support::sample_copy();
    for stem in &sample_stems(sample.path()) {
        typed.extend(replay(sample.path(), stem));
    }
    let keys = |nested: Option<bool>| -> Vec<Option<usize>> {
        typed
            .iter()
            .filter(|t| nested.is_none_or(|n| t.nested == n))
            .map(|t| t.keys)
            .collect()
    };
    let all = figures("all", &keys(None));
    let flat = figures("flat (in no other span)", &keys(Some(false)));
    let inner = figures("nested (inside another span)", &keys(Some(true)));
    let report = format!("{}\n{}\n{}", all.report, flat.report, inner.report);
    println!("{report}");
    assert_eq!(all.missed, 0, "{report}");
    // Inner spans (5.02 keys before `i`, from where the outer tag left
    // the user) within four; flat ones no worse than before (1603 keys
    // for 479 spans, 3.35).
    assert!(inner.mean <= 4.0, "{report}");
    assert!(flat.mean <= 3.35, "{report}");
    assert!(all.mean <= 4.0, "{report}");
    assert!(all.within4 * 10 >= all.n * 7, "{report}");
}

/// The shortest sample article's key stream, typed into the real program:
/// the keys counted above make the gold there too, not only in `App`.
#[test]
fn the_key_stream_makes_the_gold_in_the_real_program() {
    use pty_support::{ESC, Nhan};
    let sample = pty_support::sample_copy();
    let sample = sample.path();
    let stem = sample_stems(sample)
        .into_iter()
        .min_by_key(|s| {
            std::fs::metadata(sample.join("articles").join(format!("{s}.txt")))
                .unwrap()
                .len()
        })
        .unwrap();
    let typed = replay(sample, &stem);
    assert!(typed.iter().all(|t| t.keys.is_some()));
    let dir = one_article_project(sample, &stem);
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "suggestions = false\n").unwrap();
    let mut nhan = Nhan::spawn_sized(dir.path(), &config, 100, 30);
    nhan.wait_row(-2, "LIST");
    nhan.send("\r");
    nhan.wait_row(-2, "TEXT");
    for key in typed.iter().flat_map(|t| &t.stream) {
        match *key {
            // Alone, or the terminal reads Esc and the next key as Alt-key.
            "esc" => {
                std::thread::sleep(std::time::Duration::from_millis(80));
                nhan.send(ESC);
                std::thread::sleep(std::time::Duration::from_millis(80));
            }
            k => nhan.send(k),
        }
    }
    let want: Vec<_> = gold_spans(sample, &stem)
        .into_iter()
        .map(|(s, e, l, _)| (s, e, l))
        .collect();
    let sidecar = dir.path().join("annotations").join(format!("{stem}.json"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let got = loop {
        let got: Vec<(usize, usize, String)> = std::fs::read(&sidecar)
            .ok()
            .and_then(|b| Sidecar::parse(&b, &stem).ok())
            .map(|sc| {
                let mut v: Vec<_> = sc
                    .spans
                    .iter()
                    .map(|s| (s.start, s.end, s.label.to_string()))
                    .collect();
                v.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
                v
            })
            .unwrap_or_default();
        if got.len() >= want.len() || std::time::Instant::now() > deadline {
            break got;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(got, want, "screen:\n{}", nhan.screen());
    let keys: usize = typed.iter().filter_map(|t| t.keys).sum();
    if std::env::var_os("NHAN_KEYS_REPORT").is_some() {
        println!(
            "{stem}: {} spans typed in a pty with {keys} counted keys ({:.2} per span), {} keys in all",
            want.len(),
            keys as f64 / want.len() as f64,
            typed.iter().map(|t| t.stream.len()).sum::<usize>()
        );
    }
    nhan.send("q");
    assert!(nhan.wait_exit().success());
}
