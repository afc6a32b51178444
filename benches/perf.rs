//! In-process figures for issue 6 (`cargo bench --bench perf`; filter with
//! e.g. `cargo bench --bench perf -- keys/`). Inputs are generated
//! deterministically in temp folders; see `benches/common`.
//!
//! - `keys/*`: one key through `App::handle` plus drawing the frame into a
//!   `TestBackend`, for a cursor move (`l`/`h`) and a tag (`1`, undone
//!   untimed after each sample), per article size and span count. Saves
//!   go to the writer thread, as in the terminal.
//! - `layout/*`: wrapping a whole article, or its first screen (what
//!   opening and a resize cost), and one tag's re-flow.
//! - `open/*`: reading an article and its sidecar (`Project::load`).
//! - `tokens/*`: segmenting a 10 MB article, and one token lookup of the
//!   kind every cursor key makes, at pseudo-random offsets.
//! - `render/*`: one frame of the open article.
//! - `sidecar/*`: serialising and atomically writing 100k spans.
//! - `export/*`: conll and jsonl of a 10 MB project, in bytes of articles.
//! - `intern/*`: the labels and names of 100k spans interned as a sidecar
//!   read does, on one thread and on two at once (the interface and the
//!   writer), and read back: `nhan_model::interned::Sym` beside the `ustr`
//!   and `lasso` crates.

#[path = "common/mod.rs"]
mod common;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nhan_model::edit::Edit;
use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::app::keys::Key;
use nhan_tui::app::msg::Msg;
use nhan_tui::runtime::App;
use nhan_tui::view::wrap::Layout;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const KB: usize = 1024;
const MB: usize = 1024 * 1024;

/// (name, bytes, one line)
const ARTICLES: &[(&str, usize, bool)] = &[
    ("8KB", 8 * KB, false),
    ("1MB", MB, false),
    ("10MB", 10 * MB, false),
    ("1MB-line", MB, true),
];

const SIZE: (u16, u16) = (120, 40);

fn open_app(root: &Path) -> App {
    let project = Project::open(root).unwrap();
    let mut app = App::new(project, Config::default(), SIZE);
    app.handle(Msg::Key(Key::parse("enter").unwrap()));
    assert!(app.state.article().is_some(), "article opened");
    // Saves go to a writer thread, as in the terminal: a key's figure is
    // the key, not a synchronous save.
    app.use_threads();
    app
}

fn draw(term: &mut Terminal<TestBackend>, app: &App) {
    term.draw(|f| nhan_tui::ui::draw(f, &app.state)).unwrap();
}

/// One key as the event loop handles it: saves wait until it is drawn.
fn key(app: &mut App, term: &mut Terminal<TestBackend>, k: Key) {
    let gate = app.gate().expect("a writer");
    let _busy = gate.busy();
    app.handle(Msg::Key(k));
    draw(term, app);
}

fn keys(c: &mut Criterion) {
    let mut g = c.benchmark_group("keys");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let (l, h, tag, undo) = (
        Key::parse("l").unwrap(),
        Key::parse("h").unwrap(),
        Key::parse("1").unwrap(),
        Key::parse("u").unwrap(),
    );
    for &(name, bytes, one_line) in ARTICLES {
        for spans in [0usize, 10_000, 100_000] {
            if bytes < MB && spans > 0 {
                continue; // 8 KB holds ~1.4k words: no room for 10k spans
            }
            let dir = tempfile::tempdir().unwrap();
            common::one_article_project(dir.path(), bytes, one_line, spans);
            let mut app = open_app(dir.path());
            let mut term = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap();
            draw(&mut term, &app);
            let id = format!("{name}/{spans}spans");
            g.bench_function(BenchmarkId::new("move", &id), |b| {
                let mut n = 0u64;
                b.iter_custom(|iters| {
                    let t = Instant::now();
                    for _ in 0..iters {
                        // 200 tokens right, 200 back, and again.
                        let k = if (n / 200).is_multiple_of(2) { l } else { h };
                        n += 1;
                        key(&mut app, &mut term, k);
                    }
                    t.elapsed()
                })
            });
            g.bench_function(BenchmarkId::new("tag", &id), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let t = Instant::now();
                        key(&mut app, &mut term, tag);
                        total += t.elapsed();
                        app.handle(Msg::Key(undo));
                    }
                    total
                })
            });
        }
    }
    g.finish();
}

fn layout(c: &mut Criterion) {
    let mut g = c.benchmark_group("layout");
    g.sample_size(10).warm_up_time(Duration::from_millis(300));
    for &(name, bytes, one_line) in ARTICLES {
        let (text, words) = common::article(bytes, one_line, 42);
        let doc = common::document("a.txt", &text, &words, 0);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(BenchmarkId::new("build", name), |b| {
            b.iter(|| black_box(Layout::new(&doc, 118)))
        });
    }
    let (text, words) = common::article(10 * MB, false, 42);
    let doc = common::document("a.txt", &text, &words, 100_000);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function(BenchmarkId::new("build", "10MB-100kspans"), |b| {
        b.iter(|| black_box(Layout::new(&doc, 118)))
    });
    g.bench_function(BenchmarkId::new("first-screen", "10MB-100kspans"), |b| {
        b.iter(|| black_box(Layout::up_to(&doc, 118, 38)))
    });
    g.throughput(Throughput::Elements(1));
    // One tag key's re-flow with 100k spans, on the whole article wrapped
    // (after `G`): at the first word (every bracket after it) and at a free
    // word in the middle.
    for &(name, bytes, one_line) in &ARTICLES[2..] {
        let (text, words) = common::article(bytes, one_line, 42);
        let mut doc = common::document("a.txt", &text, &words, 100_000);
        let mut layout = Layout::new(&doc, 118);
        let mid = (words.len() / 2..words.len())
            .find(|&i| {
                doc.spans()
                    .overlapping(words[i].0, words[i].1)
                    .next()
                    .is_none()
            })
            .unwrap();
        for (at, w) in [("start", 0), ("middle", mid)] {
            let (s, e) = words[w];
            let id = format!("{name}-100kspans-{at}");
            g.bench_function(BenchmarkId::new("edit", id), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let sp = doc.make_span(s, e, "PER", None);
                        doc.apply(&Edit::Add(sp.clone()));
                        let t = Instant::now();
                        layout.edit(&doc, s..e, usize::MAX);
                        total += t.elapsed();
                        doc.apply(&Edit::Remove(sp));
                        layout.edit(&doc, s..e, usize::MAX);
                    }
                    total
                })
            });
        }
    }
    g.finish();
}

fn open(c: &mut Criterion) {
    let mut g = c.benchmark_group("open");
    g.sample_size(10).warm_up_time(Duration::from_millis(300));
    for spans in [0usize, 100_000] {
        let dir = tempfile::tempdir().unwrap();
        common::one_article_project(dir.path(), 10 * MB, false, spans);
        let p = Project::open(dir.path()).unwrap();
        g.bench_function(
            BenchmarkId::new("load", format!("10MB/{spans}spans")),
            |b| b.iter(|| black_box(p.load("article.txt").unwrap())),
        );
    }
    g.finish();
}

fn tokens(c: &mut Criterion) {
    use nhan_model::text::Text;
    use nhan_model::tokens::Tokens;
    let mut g = c.benchmark_group("tokens");
    g.sample_size(10).warm_up_time(Duration::from_millis(300));
    let (text, _) = common::article(10 * MB, false, 42);
    let text = Text::new(text);
    g.throughput(Throughput::Bytes(text.as_str().len() as u64));
    g.bench_function("new/10MB", |b| b.iter(|| black_box(Tokens::new(&text))));
    // What `Tokens::new` would cost with only the unicode-segmentation
    // crate: its word bounds, whitespace left out, counted and nothing
    // stored. `Tokens::new`'s byte scanner is kept because it is faster
    // than this on the text it handles (see docs/PERFORMANCE.md, Tokens);
    // a proptest pins it to the crate
    // (`fast_tokens_equal_uax29_on_plain_vietnamese`).
    g.bench_function("uax29-crate/10MB", |b| {
        use unicode_segmentation::UnicodeSegmentation;
        b.iter(|| {
            black_box(
                text.as_str()
                    .split_word_bound_indices()
                    .filter(|(_, w)| !w.chars().all(char::is_whitespace))
                    .count(),
            )
        })
    });
    g.throughput(Throughput::Elements(1));
    let toks = Tokens::new(&text);
    // Spread over the whole article so the lookups miss the cache as a
    // jump or a search hit far away would.
    let mut rng = common::Rng::new(7);
    let offsets: Vec<usize> = (0..4096).map(|_| rng.below(text.len_chars() + 1)).collect();
    let indices: Vec<usize> = (0..4096).map(|_| rng.below(toks.len())).collect();
    let mut n = 0usize;
    let mut next = |v: &[usize]| {
        n = (n + 1) % v.len();
        v[n]
    };
    g.bench_function("at_or_after/10MB", |b| {
        b.iter(|| black_box(toks.at_or_after(black_box(next(&offsets)))))
    });
    g.bench_function("before/10MB", |b| {
        b.iter(|| black_box(toks.before(black_box(next(&offsets)))))
    });
    g.bench_function("containing/10MB", |b| {
        b.iter(|| black_box(toks.containing(black_box(next(&offsets)))))
    });
    g.bench_function("get/10MB", |b| {
        b.iter(|| black_box(toks.get(black_box(next(&indices)))))
    });
    // Exports ask for every token in turn.
    let mut i = 0;
    g.bench_function("get-next/10MB", |b| {
        b.iter(|| {
            i = (i + 1) % toks.len();
            black_box(toks.get(black_box(i)))
        })
    });
    g.throughput(Throughput::Elements(toks.len() as u64));
    g.bench_function("iter/10MB", |b| {
        b.iter(|| black_box(toks.iter().map(|r| r.end).fold(0, usize::wrapping_add)))
    });
    g.finish();
}

fn render(c: &mut Criterion) {
    let mut g = c.benchmark_group("render");
    g.sample_size(20);
    let dir = tempfile::tempdir().unwrap();
    common::one_article_project(dir.path(), 10 * MB, false, 100_000);
    let app = open_app(dir.path());
    let mut term = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap();
    g.bench_function("frame/10MB-100kspans", |b| b.iter(|| draw(&mut term, &app)));
    g.finish();
}

fn sidecar(c: &mut Criterion) {
    let mut g = c.benchmark_group("sidecar");
    g.sample_size(10).warm_up_time(Duration::from_millis(300));
    let (text, words) = common::article(10 * MB, false, 42);
    let doc = common::document("a.txt", &text, &words, 100_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.json");
    g.bench_function("serialise/100kspans", |b| {
        b.iter(|| black_box(doc.snapshot().to_json()))
    });
    g.bench_function("save/100kspans", |b| {
        // What the writer thread does after an edit.
        b.iter(|| nhan_store::sidecar_file::save(&doc.snapshot(), &path).unwrap())
    });
    g.finish();
}

fn export(c: &mut Criterion) {
    use nhan_formats::{ExportArgs, ExportFormat, Scheme, StatusFilter, export_with};
    let mut g = c.benchmark_group("export");
    g.sample_size(10).warm_up_time(Duration::from_millis(300));
    let dir = tempfile::tempdir().unwrap();
    // 20 articles of 512 KB: 10 MB, 4 spans per KB.
    common::many_articles_project(dir.path(), 20, 512 * KB, 4);
    g.throughput(Throughput::Bytes(20 * 512 * KB as u64));
    for (name, format) in [
        ("conll", ExportFormat::Conll),
        ("jsonl", ExportFormat::Jsonl),
    ] {
        let args = ExportArgs {
            format,
            out: "-".into(),
            status: StatusFilter::Any,
            split: None,
            seed: 0,
            labels: vec![],
            scheme: Scheme::Iob2,
            strict: false,
        };
        g.bench_function(BenchmarkId::new(name, "10MB"), |b| {
            b.iter(|| {
                export_with(
                    dir.path(),
                    &args,
                    &mut std::io::sink(),
                    &mut std::io::sink(),
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

fn intern(c: &mut Criterion) {
    use nhan_model::interned::Sym;
    let mut g = c.benchmark_group("intern");
    g.sample_size(20).warm_up_time(Duration::from_millis(300));
    // What 100k spans of a sidecar hold: a label, an annotator and a
    // reviewer each, from a few distinct values.
    const LABELS: [&str; 10] = [
        "PER", "ORG", "LOC", "DATE", "MISC", "TITLE", "DOC", "EVENT", "NUM", "PRODUCT",
    ];
    const NAMES: [&str; 4] = ["lan", "minh", "an", "reviewer-hoa"];
    let mut rng = common::Rng::new(11);
    let words: Vec<String> = (0..300_000)
        .map(|i| match i % 3 {
            0 => LABELS[rng.below(LABELS.len())].to_string(),
            _ => NAMES[rng.below(NAMES.len())].to_string(),
        })
        .collect();
    g.throughput(Throughput::Elements(words.len() as u64));
    fn on_two_threads<T: Send>(words: &[String], f: impl Fn(&str) -> T + Sync) {
        std::thread::scope(|s| {
            let (a, b) = words.split_at(words.len() / 2);
            let f = &f;
            s.spawn(move || {
                a.iter().for_each(|w| {
                    black_box(f(w));
                })
            });
            s.spawn(move || {
                b.iter().for_each(|w| {
                    black_box(f(w));
                })
            });
        });
    }
    g.bench_function("sym/new", |b| {
        b.iter(|| {
            words.iter().for_each(|w| {
                black_box(Sym::new(w));
            })
        })
    });
    g.bench_function("ustr-crate/new", |b| {
        b.iter(|| {
            words.iter().for_each(|w| {
                black_box(ustr::ustr(w));
            })
        })
    });
    let rodeo = lasso::ThreadedRodeo::default();
    g.bench_function("lasso-crate/new", |b| {
        b.iter(|| {
            words.iter().for_each(|w| {
                black_box(rodeo.get_or_intern(w));
            })
        })
    });
    g.bench_function("sym/new-2-threads", |b| {
        b.iter(|| on_two_threads(&words, Sym::new))
    });
    g.bench_function("ustr-crate/new-2-threads", |b| {
        b.iter(|| on_two_threads(&words, ustr::ustr))
    });
    g.bench_function("lasso-crate/new-2-threads", |b| {
        b.iter(|| on_two_threads(&words, |w| rodeo.get_or_intern(w)))
    });
    // Sorting, comparing and drawing labels read them back.
    let syms: Vec<Sym> = words.iter().map(|w| Sym::new(w)).collect();
    let ustrs: Vec<ustr::Ustr> = words.iter().map(|w| ustr::ustr(w)).collect();
    let keys: Vec<lasso::Spur> = words.iter().map(|w| rodeo.get_or_intern(w)).collect();
    g.bench_function("sym/as_str", |b| {
        b.iter(|| {
            syms.iter()
                .map(|s| black_box(s.as_str()).len())
                .sum::<usize>()
        })
    });
    g.bench_function("ustr-crate/as_str", |b| {
        b.iter(|| {
            ustrs
                .iter()
                .map(|s| black_box(s.as_str()).len())
                .sum::<usize>()
        })
    });
    g.bench_function("lasso-crate/as_str", |b| {
        b.iter(|| {
            keys.iter()
                .map(|k| black_box(rodeo.resolve(k)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(
    benches, keys, layout, open, tokens, render, sidecar, export, intern
);
criterion_main!(benches);
