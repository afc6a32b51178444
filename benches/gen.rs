//! Input generator and in-process timer for `scripts/bench/run.sh` (not a
//! criterion bench): `cargo bench --bench gen -- DIR` writes every input
//! project under DIR (skipping those already there), then prints
//! `save_ms <median>`: serialising and atomically writing a sidecar of
//! 100k spans, the way the app's writer thread saves after an edit.

#[path = "common/mod.rs"]
mod common;

use std::path::Path;
use std::time::Instant;

const KB: usize = 1024;
const MB: usize = 1024 * 1024;

fn once(dir: &Path, name: &str, make: impl FnOnce(&Path)) {
    let root = dir.join(name);
    let done = root.join(".complete");
    if done.exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(&root);
    make(&root);
    std::fs::write(done, "").unwrap();
    eprintln!("generated {}", root.display());
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = Path::new(args.first().map_or("target/bench-data", String::as_str)).to_path_buf();
    std::fs::create_dir_all(&dir).unwrap();
    let articles: &[(&str, usize, bool)] = &[
        ("8KB", 8 * KB, false),
        ("1MB", MB, false),
        ("10MB", 10 * MB, false),
        ("1MB-line", MB, true),
    ];
    for &(name, bytes, one_line) in articles {
        for spans in [0usize, 10_000, 100_000] {
            if bytes < MB && spans > 0 {
                continue;
            }
            once(&dir, &format!("keys-{name}-{spans}"), |r| {
                common::one_article_project(r, bytes, one_line, spans)
            });
        }
    }
    once(&dir, "list-10k", |r| {
        common::many_articles_project(r, 10_000, 2 * KB, 0)
    });
    once(&dir, "export-100MB", |r| {
        common::many_articles_project(r, 200, 512 * KB, 4)
    });

    let (text, words) = common::article(10 * MB, false, 42);
    let doc = common::document("a.txt", &text, &words, 100_000);
    let tmp = dir.join("save-test");
    std::fs::create_dir_all(&tmp).unwrap();
    let path = tmp.join("a.json");
    let mut times: Vec<f64> = (0..11)
        .map(|_| {
            let t = Instant::now();
            nhan_store::sidecar_file::save(&doc.snapshot(), &path).unwrap();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!("save_ms {:.1}", times[times.len() / 2]);
}
