//! Deterministic inputs for the benchmarks and `scripts/bench/run.sh`:
//! Vietnamese-like news text of a given size and sidecars with a given
//! number of spans. The same arguments always give the same bytes.
#![allow(dead_code)]

#[path = "../../tests/support/project.rs"]
mod project;

use nhan_model::document::Document;
use nhan_model::status::Status;
use std::path::Path;

const WORDS: &[&str] = &[
    "Tổng",
    "Bí",
    "thư",
    "Nguyễn",
    "Phú",
    "Trọng",
    "làm",
    "việc",
    "với",
    "Ban",
    "Đối",
    "ngoại",
    "Trung",
    "ương",
    "Hà",
    "Nội",
    "ngày",
    "hội",
    "nghị",
    "Đảng",
    "nhân",
    "dân",
    "công",
    "tác",
    "đồng",
    "chí",
    "Việt",
    "Nam",
    "quan",
    "hệ",
    "quốc",
    "tế",
    "phát",
    "triển",
    "kinh",
    "tế",
    "xã",
    "hội",
    "của",
    "và",
    "các",
    "những",
    "trong",
    "đã",
    "được",
    "cho",
    "là",
    "một",
    "có",
    "không",
    "Lương",
    "Cường",
    "Bộ",
    "Ngoại",
    "giao",
    "34-NQ/TW,",
    "2024.",
    "(TTXVN)",
    "“đổi",
    "mới”",
    "năm",
    "tháng",
    "Chính",
    "phủ",
];

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// An article of about `bytes` bytes: a title line, then paragraphs of
/// 40–120 words (or one single line if `one_line`). Returns the text and
/// the char range of every word.
pub fn article(bytes: usize, one_line: bool, seed: u64) -> (String, Vec<(usize, usize)>) {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(bytes + 64);
    let mut words = Vec::new();
    let mut chars = 0usize;
    let push = |s: &mut String, w: &str, chars: &mut usize| {
        s.push_str(w);
        *chars += w.chars().count();
    };
    if !one_line {
        push(&mut s, "Hội nghị Ban Đối ngoại Trung ương\n\n", &mut chars);
    }
    let mut in_par = 0;
    let mut par_len = 40 + rng.below(80);
    while s.len() < bytes {
        let w = WORDS[rng.below(WORDS.len())];
        words.push((chars, chars + w.chars().count()));
        push(&mut s, w, &mut chars);
        in_par += 1;
        if !one_line && in_par >= par_len {
            push(&mut s, "\n\n", &mut chars);
            in_par = 0;
            par_len = 40 + rng.below(80);
        } else {
            push(&mut s, " ", &mut chars);
        }
    }
    (s, words)
}

/// A document over `text` with `n` spans on distinct words spread evenly
/// (never the first word, so the cursor starts on an untagged token).
pub fn document(name: &str, text: &str, words: &[(usize, usize)], n: usize) -> Document {
    let n = n.min(words.len().saturating_sub(1));
    let labels = ["PER", "ORG", "LOC", "MISC"];
    let spans = (0..n).map(|i| {
        let (s, e) = words[1 + i * (words.len() - 1) / n.max(1)];
        (s, e, labels[i % 4])
    });
    project::document(name, text, spans, "bench")
}

/// The tests' schema and MISC, which the spans above use too.
fn init(root: &Path) {
    project::init(root, &format!("{}{}", project::SCHEMA, project::MISC));
}

/// A project with one article of `bytes` bytes and `spans` spans.
pub fn one_article_project(root: &Path, bytes: usize, one_line: bool, spans: usize) {
    init(root);
    let (text, words) = article(bytes, one_line, 42);
    project::write(root, &document("article.txt", &text, &words, spans));
}

/// A project of `count` articles of `bytes` bytes each, `spans_per_kb`
/// spans per KB, marked reviewed (so that exports take them).
pub fn many_articles_project(root: &Path, count: usize, bytes: usize, spans_per_kb: usize) {
    init(root);
    for i in 0..count {
        let (text, words) = article(bytes, false, i as u64);
        let name = format!("a{i:05}.txt");
        let mut doc = document(&name, &text, &words, bytes / 1024 * spans_per_kb);
        project::set_status(&mut doc, Status::Reviewed);
        project::write(root, &doc);
    }
}
