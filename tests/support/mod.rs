//! Test harness shared by the app and screen tests: a project in a temp
//! folder, built from markup, driven by key names as a user types them.
#![allow(dead_code)]

use nhan_model::markup;
use nhan_model::sidecar::Sidecar;
use nhan_store::project::Project;
use nhan_tui::app::config::Config;
use nhan_tui::app::keys::Key;
use nhan_tui::app::msg::Msg;
use nhan_tui::runtime::App;
use std::path::{Path, PathBuf};

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub app: App,
}

pub mod project;
pub mod sample;

/// The real `nhan` binary on the project at `dir`: its exit code, standard
/// output and standard error.
pub fn run_nhan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(
        std::process::Command::new(env!("CARGO_BIN_EXE_nhan"))
            .arg("--project")
            .arg(dir)
            .args(args),
    )
}

/// Runs `cmd` to its end: its exit code, standard output and standard
/// error.
pub fn outcome(cmd: &mut std::process::Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
pub use project::SCHEMA;

/// Writes `articles/<name>.txt` (and a sidecar when the markup has spans).
pub fn write_article(root: &Path, name: &str, marked: &str) {
    let m = markup::parse(marked).unwrap();
    let spans = m.spans.iter().map(|(s, e, l)| (*s, *e, l.as_str()));
    project::write(
        root,
        &project::document(&format!("{name}.txt"), &m.text, spans, "test"),
    );
}

impl Harness {
    /// A project of `(name, markup)` articles, with the test schema.
    pub fn new(articles: &[(&str, &str)]) -> Harness {
        Harness::with_config(articles, Config::default(), (100, 30))
    }

    pub fn with_config(articles: &[(&str, &str)], config: Config, size: (u16, u16)) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        project::init(dir.path(), SCHEMA);
        for (name, m) in articles {
            write_article(dir.path(), name, m);
        }
        let project = Project::open(dir.path()).unwrap();
        let app = App::new(project, config, size);
        Harness { dir, app }
    }

    /// One article, already opened.
    pub fn open(marked: &str) -> Harness {
        let mut h = Harness::new(&[("a", marked)]);
        h.keys("enter");
        h
    }

    /// With threads (`use_threads`): polls the workers until every load
    /// and save is in.
    pub fn settle(&mut self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.app.working() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
            self.app.poll();
        }
        self.app.poll();
        assert!(!self.app.working(), "the loads never came back");
    }

    /// Presses keys given by name, space-separated: `"v L L 1"`, `"ctrl-r"`.
    pub fn keys(&mut self, names: &str) {
        for n in names.split_whitespace() {
            let k = Key::parse(n).unwrap_or_else(|e| panic!("{e}"));
            self.app.handle(Msg::Key(k));
        }
    }

    /// Types text into a prompt, one key per character.
    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.app.handle(Msg::Key(Key::char(c)));
        }
    }

    /// The open article with its spans, in test markup.
    pub fn markup(&self) -> String {
        let art = self.app.state.article().expect("an article is open");
        let spans: Vec<(usize, usize, String)> = art
            .doc
            .spans()
            .iter()
            .map(|s| (s.start, s.end, s.label.to_string()))
            .collect();
        markup::render(art.doc.text().as_str(), &spans)
    }

    /// The selected text, if any.
    pub fn selected(&self) -> Option<String> {
        let art = self.app.state.article()?;
        let (s, e) = art.selection?.range();
        Some(art.doc.text().slice(s, e).to_string())
    }

    /// The token (or text) starting at the cursor, up to the next space.
    pub fn at_cursor(&self) -> String {
        let art = self.app.state.article().expect("open");
        let t = art.doc.text();
        t.slice(art.cursor, t.len_chars())
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    }

    pub fn message(&self) -> String {
        self.app
            .state
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }

    /// The screen at `w`×`rows`, a line of text per row, and the terminal
    /// (for a snapshot).
    pub fn drawn(
        &mut self,
        w: u16,
        rows: u16,
    ) -> (String, ratatui::Terminal<ratatui::backend::TestBackend>) {
        use ratatui::{Terminal, backend::TestBackend};
        self.app.handle(Msg::Resize(w, rows));
        let mut t = Terminal::new(TestBackend::new(w, rows)).unwrap();
        t.draw(|f| nhan_tui::ui::draw(f, &self.app.state)).unwrap();
        let b = t.backend().buffer();
        let text = (0..b.area.height)
            .map(|y| {
                (0..b.area.width)
                    .map(|x| b[(x, y)].symbol())
                    .collect::<String>()
                    + "\n"
            })
            .collect();
        (text, t)
    }

    pub fn sidecar_path(&self, stem: &str) -> PathBuf {
        self.dir
            .path()
            .join("annotations")
            .join(format!("{stem}.json"))
    }

    /// The sidecar as it is on disk now.
    pub fn on_disk(&self, stem: &str) -> Option<Sidecar> {
        let b = std::fs::read(self.sidecar_path(stem)).ok()?;
        Some(Sidecar::parse(&b, stem).unwrap())
    }

    /// Spans on disk as markup over the article text.
    pub fn disk_markup(&self, stem: &str) -> String {
        let text =
            std::fs::read_to_string(self.dir.path().join("articles").join(format!("{stem}.txt")))
                .unwrap();
        let spans: Vec<(usize, usize, String)> = self
            .on_disk(stem)
            .map(|s| {
                s.spans
                    .iter()
                    .map(|s| (s.start, s.end, s.label.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        markup::render(&text, &spans)
    }
}
