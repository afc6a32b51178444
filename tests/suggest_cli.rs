//! `nhan suggest`: JSON lines in name order and span order, suggestions
//! never reaching sidecars, stored suggestions, rejections, `--eval`
//! figures recomputed here, and command recommenders (protocol, errors,
//! time-out, trust).

use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

struct Project {
    dir: tempfile::TempDir,
    config: PathBuf,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("articles")).unwrap();
        std::fs::create_dir_all(dir.path().join("annotations")).unwrap();
        let config = dir.path().join("user/config.toml");
        Project { dir, config }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// An article and its sidecar; spans given by surface (every
    /// occurrence of each surface is tagged).
    fn article(&self, stem: &str, text: &str, status: &str, tagged: &[(&str, &str)]) {
        std::fs::write(self.root().join(format!("articles/{stem}.txt")), text).unwrap();
        let mut spans = Vec::new();
        for (surface, label) in tagged {
            let mut from = 0;
            while let Some(b) = text[from..].find(surface) {
                let b = from + b;
                let start = chars(&text[..b]);
                spans.push((
                    start,
                    start + chars(surface),
                    label.to_string(),
                    surface.to_string(),
                ));
                from = b + surface.len();
            }
        }
        spans.sort();
        let spans: Vec<Value> = spans
            .iter()
            .enumerate()
            .map(|(i, (s, e, l, t))| json!({"id": i + 1, "start": s, "end": e, "label": l, "text": t}))
            .collect();
        let sc = json!({
            "nhan": 1,
            "article": format!("{stem}.txt"),
            "text_sha256": nhan_model::sidecar::sha256_hex(text.as_bytes()),
            "status": status,
            "spans": spans,
        });
        std::fs::write(
            self.root().join(format!("annotations/{stem}.json")),
            serde_json::to_string_pretty(&sc).unwrap(),
        )
        .unwrap();
    }

    fn toml(&self, extra: &str) {
        let s = format!(
            "overlap = \"nested\"\n[[labels]]\nname = \"PER\"\n[[labels]]\nname = \"ORG\"\n[[labels]]\nname = \"LOC\"\n{extra}"
        );
        std::fs::write(self.root().join("nhan.toml"), s).unwrap();
    }

    fn nhan(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_nhan"))
            .env("NHAN_CONFIG", &self.config)
            .arg("--project")
            .arg(self.root())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn lines(&self, args: &[&str]) -> Vec<Value> {
        let (code, out, err) = self.nhan(args);
        assert_eq!(code, 0, "{err}");
        out.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn sidecars(&self) -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(self.root().join("annotations"))
            .unwrap()
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    }
}

/// Three reviewed articles naming the same people and bodies, and one to do.
fn sample() -> Project {
    let p = Project::new();
    p.toml("");
    p.article(
        "b-first",
        "Ông Lan làm việc với Bộ Ngoại giao tại Hà Nội.",
        "reviewed",
        &[("Lan", "PER"), ("Bộ Ngoại giao", "ORG"), ("Hà Nội", "LOC")],
    );
    p.article(
        "c-second",
        "Bộ Ngoại giao đón ông Minh ở Hà Nội. Ông Lan phát biểu.",
        "reviewed",
        &[
            ("Bộ Ngoại giao", "ORG"),
            ("Minh", "PER"),
            ("Hà Nội", "LOC"),
            ("Lan", "PER"),
        ],
    );
    p.article(
        "d-third",
        "Minh và Lan gặp Bộ Ngoại giao.",
        "done",
        &[("Minh", "PER"), ("Lan", "PER"), ("Bộ Ngoại giao", "ORG")],
    );
    // NFD text: the NFC surfaces above must find it all the same.
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd(
        "Hà Nội mời Bộ Ngoại giao; Lan đến Hà Nội.",
    )
    .collect();
    p.article("a-todo", &nfd, "todo", &[]);
    p
}

#[test]
fn out_prints_articles_in_name_order_suggestions_sorted_and_leaves_sidecars_alone() {
    let p = sample();
    let before = p.sidecars();
    let (_, stats_before, _) = p.nhan(&["stats", "--json"]);
    let lines = p.lines(&["suggest", "--recommender", "dictionary", "--out", "-"]);
    let names: Vec<&str> = lines
        .iter()
        .map(|l| l["article"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["a-todo.txt", "b-first.txt", "c-second.txt", "d-third.txt"]
    );
    // The to-do article (NFD) gets every occurrence, with NFD offsets.
    let text = std::fs::read_to_string(p.root().join("articles/a-todo.txt")).unwrap();
    let got: Vec<(String, String, String)> = lines[0]["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (a, b) = (
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
            );
            let piece: String = text.chars().skip(a).take(b - a).collect();
            let nfc: String =
                unicode_normalization::UnicodeNormalization::nfc(piece.as_str()).collect();
            (
                nfc,
                s["label"].as_str().unwrap().to_string(),
                s["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("Hà Nội", "LOC"),
        ("Bộ Ngoại giao", "ORG"),
        ("Lan", "PER"),
        ("Hà Nội", "LOC"),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(
            (g.0.as_str(), g.1.as_str(), g.2.as_str()),
            (w.0, w.1, "dictionary")
        );
    }
    for l in &lines {
        let keys: Vec<(u64, u64, String)> = l["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["start"].as_u64().unwrap(),
                    s["end"].as_u64().unwrap(),
                    s["label"].as_str().unwrap().into(),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "sorted by (start, end, label)");
    }
    // Annotated articles get nothing that is already a span.
    assert!(
        lines[1]["suggestions"].as_array().unwrap().is_empty(),
        "{}",
        lines[1]
    );
    assert_eq!(p.sidecars(), before, "suggestions never reach a sidecar");
    assert_eq!(p.nhan(&["stats", "--json"]).1, stats_before);

    let only = p.lines(&[
        "suggest",
        "--article",
        "d-third",
        "--article",
        "a-todo.txt",
        "--out",
        "-",
    ]);
    let names: Vec<&str> = only
        .iter()
        .map(|l| l["article"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a-todo.txt", "d-third.txt"]);
    let (code, _, err) = p.nhan(&["suggest", "--article", "nope", "--out", "-"]);
    assert_eq!(code, 1);
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn stored_for_the_tui_and_rejections_stay_rejected() {
    let p = sample();
    let (code, out, err) = p.nhan(&["suggest"]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let stored: Value = serde_json::from_slice(
        &std::fs::read(p.root().join(".nhan/suggestions/a-todo.json")).unwrap(),
    )
    .unwrap();
    assert!(!stored["suggestions"].as_array().unwrap().is_empty());
    let gi = std::fs::read_to_string(p.root().join(".nhan/.gitignore")).unwrap();
    assert!(gi.contains("cache/") && gi.contains("suggestions/"));
    assert!(
        p.root().join(".nhan/cache/tagger.bin").exists(),
        "the model is cached"
    );

    // Reject the first suggestion of the to-do article, as the TUI would.
    let project = nhan_store::project::Project::open(p.root()).unwrap();
    let first: nhan_suggest::Suggestion =
        serde_json::from_value(stored["suggestions"][0].clone()).unwrap();
    let text = nhan_model::text::Text::new(
        std::fs::read_to_string(p.root().join("articles/a-todo.txt")).unwrap(),
    );
    let mut r = nhan_suggest::Rejections::load(&project, "a-todo.txt").unwrap();
    r.reject(&first, &text);
    r.save().unwrap();
    let lines = p.lines(&["suggest", "--article", "a-todo", "--out", "-"]);
    let keys: Vec<(u64, u64, &str)> = lines[0]["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap(),
                s["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(!keys.contains(&(first.start as u64, first.end as u64, first.label.as_str())));
    assert!(!keys.is_empty(), "only the rejected one is gone");
}

/// Issue 26: the calibration (recommenders retrained on inner folds) is
/// cached with the key of the gold it was fitted on: a second run reads it
/// instead of fitting again, and changed gold fits again.
#[test]
fn the_calibration_is_cached_until_the_gold_changes() {
    let p = sample();
    let (code, _, err) = p.nhan(&["suggest"]);
    assert_eq!(code, 0, "{err}");
    let path = p.root().join(".nhan/cache/calibration.json");
    let cached: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let key = cached["key"].as_str().unwrap().to_string();
    // A map no fitting gives: every dictionary score becomes 0.123.
    let planted = json!({"key": key, "maps": {"dictionary": [[0.0, 0.123]]}});
    std::fs::write(&path, planted.to_string()).unwrap();
    let scores = |p: &Project| -> Vec<f64> {
        p.lines(&["suggest", "--article", "a-todo", "--out", "-"])[0]["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["source"] == "dictionary")
            .map(|s| s["score"].as_f64().unwrap())
            .collect()
    };
    let got = scores(&p);
    assert!(!got.is_empty());
    assert!(
        got.iter().all(|s| (s - 0.123).abs() < 1e-6),
        "the cached map was not used: {got:?}"
    );
    // New gold: the planted map is for other data and is not read.
    p.article(
        "e-fourth",
        "Ông Minh đến Hà Nội.",
        "reviewed",
        &[("Minh", "PER"), ("Hà Nội", "LOC")],
    );
    let got = scores(&p);
    assert!(got.iter().all(|s| (s - 0.123).abs() > 1e-6), "{got:?}");
    let refitted: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_ne!(refitted["key"].as_str().unwrap(), key);
}

/// The dictionary's figures recomputed here: in this project every
/// occurrence of a tagged surface is tagged, so the dictionary proposes,
/// in the held-out article, each surface tagged in another reviewed one.
#[test]
fn eval_figures_match_a_recount() {
    let p = Project::new();
    p.toml("");
    let arts = [
        (
            "a",
            "Lan gặp Minh ở Huế.",
            vec![("Lan", "PER"), ("Minh", "PER"), ("Huế", "LOC")],
        ),
        (
            "b",
            "Minh đến Vinh, gặp Bộ Y tế.",
            vec![("Minh", "PER"), ("Vinh", "LOC"), ("Bộ Y tế", "ORG")],
        ),
        (
            "c",
            "Bộ Y tế và Lan ở Vinh; Tâm ở Huế.",
            vec![
                ("Bộ Y tế", "ORG"),
                ("Lan", "PER"),
                ("Vinh", "LOC"),
                ("Tâm", "PER"),
                ("Huế", "LOC"),
            ],
        ),
    ];
    for (stem, text, tagged) in &arts {
        p.article(stem, text, "reviewed", tagged);
    }
    let mut counts: BTreeMap<&str, [usize; 3]> = BTreeMap::new(); // gold, proposed, correct
    for (i, (_, text, gold)) in arts.iter().enumerate() {
        let known: HashSet<(&str, &str)> = arts
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .flat_map(|(_, a)| a.2.iter().copied())
            .collect();
        for (s, l) in gold {
            counts.entry(l).or_default()[0] += text.matches(s).count();
        }
        for (s, l) in &known {
            let n = text.matches(s).count();
            counts.entry(l).or_default()[1] += n;
            if gold.contains(&(*s, *l)) {
                counts.entry(l).or_default()[2] += n;
            }
        }
    }
    let (code, out, err) = p.nhan(&["suggest", "--eval", "--json", "--recommender", "dictionary"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["folds"], 3);
    let row = &v["recommenders"][0];
    assert_eq!(row["name"], "dictionary");
    let r4 = |x: f64| (x * 10000.0).round() / 10000.0;
    let (mut g, mut pr, mut c) = (0, 0, 0);
    for (label, [gold, proposed, correct]) in &counts {
        let got = &row["labels"][label];
        assert_eq!(
            (
                got["gold"].as_u64(),
                got["proposed"].as_u64(),
                got["correct"].as_u64()
            ),
            (
                Some(*gold as u64),
                Some(*proposed as u64),
                Some(*correct as u64)
            ),
            "{label}"
        );
        (g, pr, c) = (g + gold, pr + proposed, c + correct);
    }
    let (prec, rec) = (c as f64 / pr as f64, c as f64 / g as f64);
    assert_eq!(row["overall"]["precision"].as_f64().unwrap(), r4(prec));
    assert_eq!(row["overall"]["recall"].as_f64().unwrap(), r4(rec));
    assert_eq!(
        row["overall"]["f1"].as_f64().unwrap(),
        r4(2.0 * prec * rec / (prec + rec))
    );
    // The reliability bins split the same proposals by score.
    let bins = row["reliability"].as_array().unwrap();
    let sum = |k: &str| bins.iter().map(|b| b[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("proposed"), pr as u64);
    assert_eq!(sum("correct"), c as u64);
    assert!(row["calibration_error"].as_f64().is_some());
    // Without --json: a table with an overall line per recommender.
    let (code, table, _) = p.nhan(&["suggest", "--eval"]);
    assert_eq!(code, 0);
    assert!(table.contains("dictionary+tagger"), "{table}");
    assert!(
        table.contains("dictionary+tagger    expected calibration error"),
        "{table}"
    );
}

const FAKE: &str = r#"
import json, sys, pathlib
with open("ran.marker", "a") as f:
    f.write("ran\n")
for line in sys.stdin:
    req = json.loads(line)
    text = req["text"]
    out, at = [], text.find("Lan")
    while at >= 0:
        out.append({"start": at, "end": at + 3, "label": "PER", "score": 0.75})
        at = text.find("Lan", at + 1)
    print(json.dumps({"suggestions": out}), flush=True)
"#;

fn with_command(p: &Project, script: &str, extra_arg: &str, timeout: f64) {
    std::fs::write(p.root().join("fake.py"), script).unwrap();
    p.toml(&format!(
        "[[recommenders]]\nname = \"fake\"\ntype = \"command\"\ncommand = [\"python3\", \"fake.py\"{extra_arg}]\ntimeout = {timeout}\n"
    ));
}

#[test]
fn a_command_runs_only_once_approved_and_again_only_after_a_change() {
    let p = sample();
    with_command(&p, FAKE, "", 20.0);
    let (code, out, err) = p.nhan(&["suggest", "--out", "-"]);
    assert_eq!(code, 1, "refused without approval");
    assert!(
        err.contains("suggest --approve") && err.contains("python3 fake.py"),
        "{err}"
    );
    assert!(
        !p.root().join("ran.marker").exists(),
        "the command never ran"
    );
    assert_eq!(
        out.lines().count(),
        4,
        "the other articles still listed, empty"
    );

    let (code, out, err) = p.nhan(&["suggest", "--approve"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("python3 fake.py"), "{out}");
    assert!(p.config.with_file_name("approved-commands.json").exists());
    let lines = p.lines(&["suggest", "--out", "-"]);
    let runs = std::fs::read_to_string(p.root().join("ran.marker")).unwrap();
    assert_eq!(runs.lines().count(), 1, "one run for all four articles");
    let todo = &lines[0]["suggestions"];
    // "Lan" in the NFD article: offsets are Python's, code points.
    let text = std::fs::read_to_string(p.root().join("articles/a-todo.txt")).unwrap();
    let at = chars(&text[..text.find("Lan").unwrap()]) as u64;
    assert_eq!(
        todo,
        &json!([{"start": at, "end": at + 3, "label": "PER", "score": 0.75, "source": "fake"}])
    );

    // A changed script must be approved again.
    std::fs::remove_file(p.root().join("ran.marker")).unwrap();
    std::fs::write(
        p.root().join("fake.py"),
        format!("{FAKE}\n# changed by a pull\n"),
    )
    .unwrap();
    let (code, _, err) = p.nhan(&["suggest", "--out", "-"]);
    assert_eq!(code, 1);
    assert!(err.contains("--approve"), "{err}");
    assert!(!p.root().join("ran.marker").exists());

    // A changed command is a new command.
    with_command(&p, FAKE, ", \"--more\"", 20.0);
    let (code, _, err) = p.nhan(&["suggest", "--out", "-"]);
    assert_eq!(code, 1);
    assert!(err.contains("--approve"), "{err}");
    assert!(!p.root().join("ran.marker").exists());
}

#[test]
fn command_errors_and_time_outs_are_messages() {
    let p = sample();
    with_command(
        &p,
        "import sys\nfor l in sys.stdin:\n    print('not json', flush=True)\n",
        "",
        20.0,
    );
    p.nhan(&["suggest", "--approve"]);
    let (code, _, err) = p.nhan(&["suggest", "--article", "a-todo", "--out", "-"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("recommender fake") && err.contains("not json"),
        "{err}"
    );

    with_command(
        &p,
        "import sys\nsys.stderr.write('boom: no model\\n')\nsys.exit(3)\n",
        "",
        20.0,
    );
    p.nhan(&["suggest", "--approve"]);
    let (code, _, err) = p.nhan(&["suggest", "--article", "a-todo", "--out", "-"]);
    assert_eq!(code, 1);
    assert!(err.contains("boom: no model"), "{err}");

    with_command(
        &p,
        "import time, sys\nsys.stdin.readline()\ntime.sleep(30)\nopen('slow.done', 'w').write('done')\n",
        "",
        0.5,
    );
    p.nhan(&["suggest", "--approve"]);
    let (code, _, err) = p.nhan(&["suggest", "--article", "a-todo", "--out", "-"]);
    assert_eq!(code, 1);
    assert!(err.contains("no answer within 0.5 s"), "{err}");
    // Stopped, not waited for, nor left running: when nhan is done, the
    // command never got to its end, and soon no process works in the
    // project. (Soon: a shim such as pyenv's `python3` runs subshells that
    // end on their own once it is killed; the command would sleep 30 s.)
    assert!(
        !p.root().join("slow.done").exists(),
        "waited for the command"
    );
    let mut left = running_in(p.root());
    for _ in 0..1000 {
        if left.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        left = running_in(p.root());
    }
    assert!(left.is_empty(), "the command still runs: {left:?}");
}

/// The processes (`/proc/<pid>/stat`, zombies left out) whose working
/// folder is `dir`.
fn running_in(dir: &std::path::Path) -> Vec<String> {
    let dir = dir.canonicalize().unwrap();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read_link(e.path().join("cwd")).is_ok_and(|c| c == dir))
        .filter_map(|e| {
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let state = stat.rsplit(") ").next()?.chars().next()?;
            (!matches!(state, 'Z' | 'X')).then_some(stat)
        })
        .collect()
}

#[test]
fn gazetteers_outside_the_project_are_refused() {
    let p = sample();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "Huế\tLOC\n").unwrap();
    p.toml(&format!(
        "[[recommenders]]\nname = \"d\"\ntype = \"dictionary\"\ngazetteers = [{:?}]\n",
        outside.path().display().to_string()
    ));
    let (code, _, err) = p.nhan(&["suggest", "--out", "-"]);
    assert_eq!(code, 1);
    assert!(err.contains("outside the project"), "{err}");

    std::fs::write(p.root().join("places.tsv"), "# places\nHuế\tLOC\n").unwrap();
    p.toml(
        "[[recommenders]]\nname = \"d\"\ntype = \"dictionary\"\ngazetteers = [\"places.tsv\"]\n",
    );
    std::fs::write(p.root().join("articles/e.txt"), "Về Huế.").unwrap();
    let lines = p.lines(&["suggest", "--article", "e", "--out", "-"]);
    assert_eq!(lines[0]["suggestions"][0]["source"], "d");
    assert_eq!(lines[0]["suggestions"][0]["start"], 3);
}

#[test]
fn in_a_blind_project_suggestions_are_per_annotator() {
    let p = Project::new();
    std::fs::write(
        p.root().join("nhan.toml"),
        "blind = true\n[[labels]]\nname = \"PER\"\n",
    )
    .unwrap();
    std::fs::write(p.root().join("articles/a.txt"), "Lan gặp Lan.").unwrap();
    std::fs::create_dir_all(p.root().join("annotations/lan")).unwrap();
    let sc = json!({
        "nhan": 1, "article": "a.txt",
        "text_sha256": nhan_model::sidecar::sha256_hex("Lan gặp Lan.".as_bytes()),
        "status": "in_progress",
        "spans": [{"id": 1, "start": 0, "end": 3, "label": "PER", "text": "Lan"}],
    });
    std::fs::write(p.root().join("annotations/lan/a.json"), sc.to_string()).unwrap();
    let (code, _, err) = p.nhan(&["suggest", "--out", "-"]);
    assert_eq!(code, 1);
    assert!(err.contains("--annotator"), "{err}");
    // Lan's own span teaches the dictionary; Minh has none.
    let lan = p.lines(&[
        "--annotator",
        "lan",
        "suggest",
        "--recommender",
        "dictionary",
        "--out",
        "-",
    ]);
    assert_eq!(
        lan[0]["suggestions"],
        json!([{"start": 8, "end": 11, "label": "PER", "score": 1.0, "source": "dictionary"}])
    );
    let minh = p.lines(&[
        "--annotator",
        "minh",
        "suggest",
        "--recommender",
        "dictionary",
        "--out",
        "-",
    ]);
    assert_eq!(minh[0]["suggestions"], json!([]));
    let (code, _, err) = p.nhan(&["--annotator", "lan", "suggest"]);
    assert_eq!(code, 0, "{err}");
    assert!(p.root().join(".nhan/suggestions/lan/a.json").exists());
}

/// Six reviewed articles of one pattern: people, a department of health
/// named after a place (ORG), and the place inside it (LOC).
fn pattern_project(p: &Project, held: &[usize]) {
    p.toml("");
    let people = ["Lan", "Minh", "Hoa", "Tâm", "Quang", "Thảo"];
    let places = [
        "Nha Trang",
        "Hà Giang",
        "Hải Phòng",
        "Đà Lạt",
        "Cần Thơ",
        "Huế",
    ];
    for i in 0..6 {
        let (name, place) = (people[i], places[i]);
        let org = format!("Sở Y tế {place}");
        // Three rounds with other callers: enough held-out proposals for
        // the calibration to fit a map.
        let others: Vec<&str> = (1..4).map(|r| people[(i + r) % 6]).collect();
        let text: String = others
            .iter()
            .map(|other| {
                format!(
                    "Ông {name} đến {org} hôm qua.\nBà {other} ở {place} gọi {org}.\nTrời mưa.\n"
                )
            })
            .collect();
        let stem = format!("a{i}");
        if held.contains(&i) {
            // What `--out -` is asked about: the article, no spans, to do.
            std::fs::write(p.root().join(format!("articles/{stem}.txt")), &text).unwrap();
        } else {
            p.article(
                &stem,
                &text,
                "reviewed",
                &[
                    (name, "PER"),
                    (others[0], "PER"),
                    (others[1], "PER"),
                    (others[2], "PER"),
                    (org.as_str(), "ORG"),
                    (place, "LOC"),
                ],
            );
        }
    }
}

/// Issue 26, items 1 and 6: each `--eval` row is what that set of
/// recommenders prints on `--out -` when trained on the other folds; the
/// tagger alone tags with the dictionary it was trained with.
///
/// With the default five folds the calibration's inner models are shared
/// between folds (trained once for folds f and g together): the rows are
/// still what `--out -` gives.
#[test]
fn an_eval_row_is_what_out_gives_for_that_recommender_set() {
    // Fold 0 holds articles 0 and 3 of three folds, 0 and 5 of five (name
    // order, i % k).
    for (folds, held) in [(3, [0, 3]), (5, [0, 5])] {
        eval_row_is_what_out_gives(folds, &held);
    }
}

fn eval_row_is_what_out_gives(folds: usize, held: &[usize]) {
    let full = Project::new();
    pattern_project(&full, &[]);
    let mut kept = Vec::new();
    let project = nhan_store::project::Project::list(full.root()).unwrap();
    let report = nhan_suggest::eval::evaluate_with(&project, &[], folds, Some(&mut kept)).unwrap();
    assert_eq!(report.folds, folds);
    let part = Project::new();
    pattern_project(&part, held);
    let key = |s: &Value| {
        (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
            s["label"].as_str().unwrap().to_string(),
            s["source"].as_str().unwrap().to_string(),
            (s["score"].as_f64().unwrap() * 10000.0).round() as i64,
        )
    };
    let mut tagger_proposed = 0;
    for (row, only) in [
        ("dictionary", vec!["--recommender", "dictionary"]),
        ("tagger", vec!["--recommender", "tagger"]),
        ("dictionary+tagger", vec![]),
    ] {
        let names: Vec<String> = held.iter().map(|i| format!("a{i}")).collect();
        let mut args = vec!["suggest"];
        for n in &names {
            args.extend(["--article", n.as_str()]);
        }
        args.extend(only);
        args.extend(["--out", "-"]);
        let lines = part.lines(&args);
        assert_eq!(lines.len(), held.len(), "{row}");
        for line in &lines {
            let article = line["article"].as_str().unwrap();
            let printed: Vec<_> = line["suggestions"]
                .as_array()
                .unwrap()
                .iter()
                .map(key)
                .collect();
            let (_, _, evaluated) = kept
                .iter()
                .find(|(r, a, _)| r == row && a == article)
                .unwrap_or_else(|| panic!("no {row} proposals for {article}"));
            let evaluated: Vec<_> = evaluated
                .iter()
                .map(|s| {
                    key(&json!({"start": s.start, "end": s.end, "label": s.label,
                        "source": s.source, "score": s.score}))
                })
                .collect();
            assert_eq!(printed, evaluated, "{row} on {article}");
            if row == "tagger" {
                tagger_proposed += printed.len();
            }
        }
    }
    assert!(
        tagger_proposed > 0,
        "the tagger proposed something to compare"
    );
}
