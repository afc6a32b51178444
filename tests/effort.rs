//! Effort: how many keys an annotator needs per gold span, with suggestions
//! and without. A scripted annotator replays an article's gold through the
//! real keymap and `update` (the inline executor, so suggestions are
//! computed before each key returns), counting every key; the article ends
//! with exactly its gold spans, or the replay fails.
//!
//! The annotator takes the gold spans in reading order (outer before
//! inner) and for each one:
//! - moves the cursor to its start by whichever is fewer keys: token steps
//!   (`l` / `h`, then `.` / `,` for a start inside a token), or, with
//!   suggestions, `)` / `(` onto a suggestion that starts there;
//! - on a suggestion of exactly its extent: `y` (same label) or the label's
//!   digit (another label);
//! - otherwise tags it by hand: `Esc` if a selection is left over, `L` to
//!   the span's last token (`L` alone selects two tokens; `v` selects one;
//!   `.` / `,` for an edge inside a token) and the digit (alone for a
//!   one-token span, unless a suggestion is under the cursor).
//!
//! Wrong suggestions are never decided (they cost nothing but the `)`
//! presses that pass over them). The planner is generic: it knows nothing
//! of where suggestions come from, only the keys.
//!
//! `cargo test --release --test effort -- --ignored --nocapture` prints the
//! sample corpus table (leave-one-article-out: the other four articles'
//! gold is the project's annotated data) that docs/PERFORMANCE.md quotes.

mod support;

use nhan_store::project::Project;
use nhan_tui::app::keys::Key;
use nhan_tui::app::msg::Msg;
use nhan_tui::runtime::App;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Gold {
    start: usize,
    end: usize,
    label: String,
}

struct Replay {
    app: App,
    keys: usize,
    /// Keys per kind, for the report.
    tally: std::collections::BTreeMap<&'static str, usize>,
}

impl Replay {
    fn press(&mut self, name: &'static str, kind: &'static str) {
        let k = Key::parse(name).unwrap_or_else(|e| panic!("{e}"));
        self.app.handle(Msg::Key(k));
        self.keys += 1;
        *self.tally.entry(kind).or_default() += 1;
    }

    fn cursor(&self) -> usize {
        self.app.state.article().unwrap().cursor
    }

    fn selection(&self) -> Option<(usize, usize)> {
        self.app
            .state
            .article()
            .unwrap()
            .selection
            .map(|s| s.range())
    }

    fn suggestions_on(&self) -> bool {
        self.app.state.suggest.enabled && !self.app.state.suggest.hidden
    }

    /// The distinct starts of suggestions strictly between the cursor and
    /// `target` (target included), if one starts at `target`.
    fn suggestion_steps(&self, target: usize) -> Option<(usize, bool)> {
        if !self.suggestions_on() {
            return None;
        }
        let art = self.app.state.article()?;
        let list = &self.app.state.suggest.articles.get(&art.index)?.list;
        if !list.iter().any(|s| s.start == target) {
            return None;
        }
        let cur = art.cursor;
        let mut starts: Vec<usize> = list.iter().map(|s| s.start).collect();
        starts.dedup();
        let n = if target > cur {
            starts.iter().filter(|&&s| cur < s && s <= target).count()
        } else {
            starts.iter().filter(|&&s| target <= s && s < cur).count()
        };
        Some((n, target > cur))
    }

    /// Line steps (`j` / `k`, which keep the column) to the row of
    /// `target`: how many, and the char they land on.
    fn line_steps(&self, target: usize) -> (usize, bool, usize) {
        let art = self.app.state.article().unwrap();
        let mut lay = art.layout.clone();
        let (mut c, mut n) = (art.cursor, 0);
        let to = lay.row_of_char(target);
        let mut r = lay.row_of_char(c);
        let down = to > r;
        while r != to {
            let col = lay.col_of_char(c);
            r = if down { r + 1 } else { r - 1 };
            c = lay.char_at(r, col);
            n += 1;
        }
        (n, down, c)
    }

    /// Token steps (and grapheme steps) from `cur` to `target`.
    fn token_steps(&self, cur: usize, target: usize) -> (usize, bool, usize) {
        let art = self.app.state.article().unwrap();
        let toks = art.doc.tokens();
        let starts: Vec<usize> = toks.iter().map(|t| t.start).collect();
        let text = art.doc.text();
        let graphemes = |a: usize, b: usize| {
            let mut n = 0;
            let mut c = a;
            while c < b {
                c = text.next_grapheme(c);
                n += 1;
            }
            n
        };
        if target >= cur {
            let hops: Vec<&usize> = starts.iter().filter(|&&s| cur < s && s <= target).collect();
            let at = hops.last().map_or(cur, |&&s| s);
            (hops.len(), true, graphemes(at, target))
        } else {
            let n = starts.iter().filter(|&&s| target <= s && s < cur).count();
            if starts.contains(&target) {
                (n, false, 0)
            } else {
                let before = starts
                    .iter()
                    .rev()
                    .find(|&&s| s < target)
                    .copied()
                    .unwrap_or(0);
                (n + 1, false, graphemes(before, target))
            }
        }
    }

    fn go_to(&mut self, target: usize) {
        if self.cursor() == target {
            return;
        }
        // A nested span inside the one just tagged (still selected, the
        // cursor past it): `h` ends the selection before its start, and
        // the way on is forward from there.
        if let Some((start, _)) = self.selection()
            && start <= target
            && target < self.cursor()
        {
            self.press("h", "move");
            if self.cursor() == target {
                return;
            }
        }
        // `h` with a selection (a tag leaves its span selected) goes on
        // from the selection's start.
        // `l` with a selection goes on from its last char.
        let from = match self.selection() {
            Some((start, _)) if target < self.cursor() => start.min(self.cursor()),
            Some((_, end)) => (end - 1).max(self.cursor()),
            _ => self.cursor(),
        };
        let (n, fwd, g) = self.token_steps(from, target);
        let (lines, down, landed) = self.line_steps(target);
        let (n2, fwd2, g2) = self.token_steps(landed, target);
        let by_tokens = n + g;
        let by_lines = lines + n2 + g2;
        let tokens = |r: &mut Replay, n: usize, fwd: bool, g: usize| {
            for _ in 0..n {
                r.press(if fwd { "l" } else { "h" }, "move");
            }
            for _ in 0..g {
                r.press(".", "move");
            }
        };
        match self.suggestion_steps(target) {
            Some((m, forward)) if m <= by_tokens.min(by_lines) => {
                for _ in 0..m {
                    self.press(if forward { ")" } else { "(" }, "move");
                }
            }
            _ if by_lines < by_tokens => {
                for _ in 0..lines {
                    self.press(if down { "j" } else { "k" }, "move");
                }
                assert_eq!(self.cursor(), landed, "cursor after line steps");
                tokens(self, n2, fwd2, g2);
            }
            _ => tokens(self, n, fwd, g),
        }
        assert_eq!(
            self.cursor(),
            target,
            "cursor after moving from {from} (selection {:?}; tokens {n} {fwd} {g}, lines {lines} {down} {landed} then {n2} {g2}, suggestions {:?})",
            self.selection(),
            self.suggestion_steps(target)
        );
    }

    fn digit(&mut self, label: &str) {
        let i = self
            .app
            .state
            .project
            .schema
            .index_of(label)
            .expect("a schema label");
        const DIGITS: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
        self.press(DIGITS[i], "label");
    }

    fn has(&self, g: &Gold) -> bool {
        let art = self.app.state.article().unwrap();
        art.doc
            .spans()
            .with_extent(g.start, g.end)
            .is_some_and(|s| s.label == g.label.as_str())
    }

    fn tag(&mut self, g: &Gold) {
        if self.has(g) {
            return;
        }
        self.go_to(g.start);
        let here = nhan_tui::app::suggesting::current(&self.app.state)
            .filter(|s| (s.start, s.end) == (g.start, g.end) && self.selection().is_none());
        if let Some(s) = here {
            if s.label == g.label {
                self.press("y", "accept");
            } else {
                self.digit(&g.label);
            }
            assert!(self.has(g), "accepted {g:?}");
            return;
        }
        if self.selection().is_some() {
            self.press("esc", "select");
        }
        let under = nhan_tui::app::suggesting::current(&self.app.state).is_some();
        let art = self.app.state.article().unwrap();
        let toks = art.doc.tokens();
        let first = toks.at_or_after(g.start).map(|i| toks.get(i));
        let whole = first.clone() == Some(g.start..g.end);
        // `L` alone selects the cursor's token and the next one.
        let two = first
            .and_then(|t| toks.at_or_after(t.end))
            .map(|i| toks.get(i).end);
        if whole && !under {
            self.digit(&g.label);
        } else {
            if two.is_some_and(|e| e <= g.end) {
                self.press("L", "select");
            } else {
                self.press("v", "select");
            }
            loop {
                let (_, e) = self.selection().expect("a selection");
                if e == g.end {
                    break;
                }
                let art = self.app.state.article().unwrap();
                let toks = art.doc.tokens();
                let next_end = toks.at_or_after(e).map(|i| toks.get(i).end);
                if e < g.end && next_end.is_some_and(|n| n <= g.end) {
                    self.press("L", "select");
                } else if e < g.end {
                    self.press(".", "select");
                } else {
                    self.press(",", "select");
                }
            }
            assert_eq!(self.selection(), Some((g.start, g.end)), "{g:?}");
            self.digit(&g.label);
        }
        assert!(
            self.has(g),
            "tagged {g:?}: {}",
            self.app
                .state
                .message
                .as_ref()
                .map_or("", |m| m.text.as_str())
        );
    }
}

/// The result of replaying one article.
#[derive(Debug)]
struct Run {
    spans: usize,
    keys: usize,
    tally: std::collections::BTreeMap<&'static str, usize>,
}

/// Replays `gold` on article `file_name` of the project at `root`.
fn replay(root: &Path, file_name: &str, gold: &[Gold], suggestions: bool) -> Run {
    // Each run starts from the article untagged, with nothing rejected.
    let stem = file_name.trim_end_matches(".txt");
    let _ = std::fs::remove_file(root.join("annotations").join(format!("{stem}.json")));
    let _ = std::fs::remove_dir_all(root.join(".nhan/rejected"));
    let project = Project::open(root).unwrap();
    let index = project
        .articles
        .iter()
        .position(|a| a.file_name == file_name)
        .unwrap();
    let mut app = App::new(project, Default::default(), (120, 40));
    if suggestions {
        app.enable_suggestions();
    }
    // Opening the article is not counted: both runs do it alike.
    for _ in 0..index {
        app.handle(Msg::Key(Key::parse("j").unwrap()));
    }
    app.handle(Msg::Key(Key::parse("enter").unwrap()));
    assert_eq!(app.state.article().unwrap().doc.file_name(), file_name);
    let mut r = Replay {
        app,
        keys: 0,
        tally: Default::default(),
    };
    let mut order = gold.to_vec();
    order.sort_by_key(|g| (g.start, std::cmp::Reverse(g.end)));
    for g in &order {
        r.tag(g);
    }
    let art = r.app.state.article().unwrap();
    let mut got: Vec<Gold> = art
        .doc
        .spans()
        .iter()
        .map(|s| Gold {
            start: s.start,
            end: s.end,
            label: s.label.to_string(),
        })
        .collect();
    got.sort_by_key(|g| (g.start, std::cmp::Reverse(g.end)));
    assert_eq!(got, order, "the article ends with exactly its gold");
    Run {
        spans: gold.len(),
        keys: r.keys,
        tally: r.tally,
    }
}

fn gold_of(sidecar: &Path) -> Vec<Gold> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(sidecar).unwrap()).unwrap();
    v["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Gold {
            start: s["start"].as_u64().unwrap() as usize,
            end: s["end"].as_u64().unwrap() as usize,
            label: s["label"].as_str().unwrap().to_string(),
        })
        .collect()
}

#[test]
fn the_replay_reproduces_the_gold_and_suggestions_save_keys() {
    // "Ban Đối ngoại Trung ương" and "Hà Nội" are gold in the other
    // article; here the dictionary proposes them.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nhan.toml"), support::SCHEMA).unwrap();
    support::write_article(
        dir.path(),
        "a",
        "[Ban Đối ngoại Trung ương]{ORG} họp tại [Hà Nội]{LOC}.",
    );
    let sc = dir.path().join("annotations/a.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&sc).unwrap()).unwrap();
    v["status"] = "reviewed".into();
    std::fs::write(&sc, v.to_string()).unwrap();
    let text = "Hôm nay Ban Đối ngoại Trung ương đến Hà Nội, gặp ông Lan.";
    std::fs::write(dir.path().join("articles/b.txt"), text).unwrap();
    let at = |s: &str| text[..text.find(s).unwrap()].chars().count();
    let g = |s: &str, l: &str| Gold {
        start: at(s),
        end: at(s) + s.chars().count(),
        label: l.into(),
    };
    let gold = [
        g("Ban Đối ngoại Trung ương", "ORG"),
        g("Hà Nội", "LOC"),
        g("Lan", "PER"),
    ];
    let without = replay(dir.path(), "b.txt", &gold, false);
    let with = replay(dir.path(), "b.txt", &gold, true);
    // By hand: l l L L L L 2, then l L 3 and l l l 1 (after a tag the
    // cursor waits past the span).
    assert_eq!(without.keys, 14, "{without:?}");
    // With: ) y, y (the cursor went on to Hà Nội), then Lan by hand.
    assert_eq!(with.tally.get("accept"), Some(&2), "{with:?}");
    assert!(with.keys <= 9, "{with:?}");
}

/// The sample corpus, leave-one-article-out. Slow in a debug build.
#[test]
#[ignore]
fn sample_corpus_keys_per_span() {
    let sample = support::sample::sample_copy();
    let repo = sample.path();
    let mut names: Vec<String> = std::fs::read_dir(repo.join("annotations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let (mut spans, mut k_without, mut k_with) = (0, 0, 0);
    let mut tally_with = std::collections::BTreeMap::new();
    let mut tally_without = std::collections::BTreeMap::new();
    println!(
        "| article | gold spans | keys without | keys with suggestions | per span without → with |"
    );
    println!("|---|---|---|---|---|");
    for held_out in &names {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("articles")).unwrap();
        std::fs::create_dir_all(p.join("annotations")).unwrap();
        std::fs::copy(repo.join("nhan.toml"), p.join("nhan.toml")).unwrap();
        for e in std::fs::read_dir(repo.join("articles")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), p.join("articles").join(e.file_name())).unwrap();
        }
        for n in &names {
            if n != held_out {
                std::fs::copy(
                    repo.join("annotations").join(n),
                    p.join("annotations").join(n),
                )
                .unwrap();
            }
        }
        let gold = gold_of(&repo.join("annotations").join(held_out));
        let file_name = held_out.replace(".json", ".txt");
        let without = replay(p, &file_name, &gold, false);
        let with = replay(p, &file_name, &gold, true);
        println!(
            "| {} | {} | {} | {} | {:.2} → {:.2} |",
            held_out.trim_end_matches(".json"),
            gold.len(),
            without.keys,
            with.keys,
            without.keys as f64 / gold.len() as f64,
            with.keys as f64 / gold.len() as f64
        );
        spans += gold.len();
        k_without += without.keys;
        k_with += with.keys;
        for (k, v) in with.tally {
            *tally_with.entry(k).or_insert(0) += v;
        }
        for (k, v) in without.tally {
            *tally_without.entry(k).or_insert(0) += v;
        }
        assert_eq!(with.spans, without.spans);
    }
    println!(
        "| all | {spans} | {k_without} | {k_with} | {:.2} → {:.2} |",
        k_without as f64 / spans as f64,
        k_with as f64 / spans as f64
    );
    println!("keys by kind without: {tally_without:?}");
    println!("keys by kind with:    {tally_with:?}");
    assert!(
        k_with * 2 <= k_without,
        "suggestions at least halve the keys"
    );
}
