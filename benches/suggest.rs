//! Timings of the suggestion engine against the targets (not a
//! criterion bench; no assertions): `cargo bench --bench suggest` prints
//! the median of a few runs of
//! - the dictionary's suggestions for a 10 MB article with a 100,000-entry
//!   dictionary (target ≤ 200 ms),
//! - training the tagger on the sample corpus (target ≤ 2 s), and on
//!   350,000 tokens of it repeated (target ≤ 20 s),
//! - tagging a 1 MB article (target ≤ 200 ms),
//! - live learning of one new surface.

use nhan_model::text::Text;
use nhan_model::tokens::Tokens;
use nhan_store::project::Project;
use nhan_suggest::corpus::Corpus;
use nhan_suggest::dictionary::Dictionary;
use nhan_suggest::tagger::Tagger;
use nhan_suggest::{ArticleInput, Recommender};
use std::time::{Duration, Instant};

/// CPU time this process has used so far (all threads): on a shared,
/// busy machine wall time says more about the neighbours than about us.
fn cpu() -> Duration {
    // SAFETY: rusage is plain integers, for which all zeroes is valid.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes the struct it is given.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// The median wall time of `runs` runs, printed with the CPU time they took.
fn median(mut f: impl FnMut() -> Duration, runs: usize) -> Duration {
    let c0 = cpu();
    let mut v: Vec<Duration> = (0..runs).map(|_| f()).collect();
    let c = (cpu() - c0) / runs as u32;
    v.sort();
    eprint!("[cpu {c:?} per run] ");
    v[runs / 2]
}

fn sample_text(corpus: &Corpus, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 20_000);
    while s.len() < bytes {
        for a in &corpus.articles {
            s.push_str(a.text.as_str());
            s.push('\n');
        }
    }
    s
}

fn main() {
    // `cargo bench --bench suggest -- tag`: only the tagger (for profiling).
    let only_tag = std::env::args().any(|a| a == "tag");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = Project::open(root).expect("the repository is a project");
    let labels: Vec<String> = project
        .schema
        .labels
        .iter()
        .map(|l| l.name.clone())
        .collect();
    let (corpus, _) = Corpus::load(&project);

    // 100,000 gazetteer entries of two to four syllables, plus the sample's own.
    let syll = [
        "Ban", "Bộ", "Sở", "Hội", "Đảng", "Trung", "ương", "Hà", "Nội", "Việt", "Nam", "Lào",
        "Phú", "Thọ", "Quảng", "Ninh", "Bình", "Định", "Nguyễn", "Trần", "Lê", "Phạm", "Văn",
        "Thị", "Minh", "Hùng", "Lan", "Tâm", "Hải", "Phòng", "Đà", "Lạt", "Cần", "Thơ", "Tây",
        "Bắc", "Kỳ", "Sơn", "Hòa", "An",
    ];
    let mut seed = 7u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as usize
    };
    let mut gaz = Vec::with_capacity(100_000);
    let mut seen = std::collections::HashSet::new();
    while gaz.len() < 100_000 {
        let n = 2 + next() % 3;
        let s: Vec<&str> = (0..n).map(|_| syll[next() % syll.len()]).collect();
        let s = s.join(" ");
        if seen.insert(s.clone()) {
            gaz.push((s, labels[next() % labels.len()].clone()));
        }
    }
    if only_tag {
        gaz.clear();
    }
    let t = Instant::now();
    let dict = Dictionary::build(&corpus, &gaz);
    println!(
        "dictionary build ({} entries, counting in the sample): {:?}",
        dict.len(),
        t.elapsed()
    );

    let big = Text::new(sample_text(&corpus, if only_tag { 1 } else { 10 << 20 }));
    let tokens = Tokens::new(&big);
    let input = ArticleInput {
        name: "big.txt",
        text: &big,
        tokens: &tokens,
        spans: &[],
    };
    let mut n = 0;
    let d = median(
        || {
            let t = Instant::now();
            n = dict.suggest(&input).unwrap().len();
            t.elapsed()
        },
        3,
    );
    println!(
        "dictionary suggestions, {} MB article, 100k entries: {d:?} ({n} suggestions; target 200 ms)",
        big.as_str().len() >> 20
    );

    let raw = dict.suggest(&input).unwrap();
    let d = median(
        || {
            let t = Instant::now();
            n = nhan_suggest::rules::fit_all(
                &big,
                &[],
                project.schema.overlap,
                &labels,
                raw.iter().cloned(),
            )
            .len();
            t.elapsed()
        },
        3,
    );
    println!("  then fitting them to the span rules: {d:?} ({n} kept)");

    let d = median(
        || {
            let t = Instant::now();
            let _ = Tagger::train(&corpus, &labels, &[], true);
            t.elapsed()
        },
        3,
    );
    println!("tagger training on the sample (two layers, dictionary feature): {d:?} (target 2 s)");

    // The target: 350,000 tokens. The sample's decided articles
    // again and again (renamed) until there are that many: the same
    // features, so as many L-BFGS iterations as on the sample, each on
    // 350,000 tokens.
    let decided: Vec<_> = corpus.articles.iter().filter(|a| a.decided()).collect();
    let mut big_corpus = Corpus::default();
    let mut tokens_in = 0;
    while tokens_in < 350_000 && !decided.is_empty() {
        for a in &decided {
            let mut a = (*a).clone();
            a.name = format!("{}-{}", big_corpus.articles.len(), a.name);
            tokens_in += a.tokens.len();
            big_corpus.articles.push(a);
        }
    }
    if !only_tag {
        let d = median(
            || {
                let t = Instant::now();
                let _ = Tagger::train(&big_corpus, &labels, &[], true);
                t.elapsed()
            },
            1,
        );
        println!(
            "tagger training on {tokens_in} tokens ({} articles; two layers, dictionary feature): {d:?} (target 20 s)",
            big_corpus.articles.len()
        );
    }

    let tagger = Tagger::train(&corpus, &labels, &[], true);
    let sample_dict = Dictionary::build(&corpus, &[]);
    let one = Text::new(sample_text(&corpus, 1 << 20));
    let one_tokens = Tokens::new(&one);
    let d = median(
        || {
            let t = Instant::now();
            n = tagger
                .tag_article(&one, &one_tokens, Some(&sample_dict))
                .len();
            t.elapsed()
        },
        3,
    );
    println!("tagging a 1 MB article: {d:?} ({n} spans; target 200 ms)");

    let mut live = dict.clone();
    let d = median(
        || {
            let t = Instant::now();
            live.learn("Ủy ban Kiểm tra Trung ương Mới", "ORG");
            t.elapsed()
        },
        3,
    );
    println!("learning one new surface live (100k-entry dictionary): {d:?}");
}
