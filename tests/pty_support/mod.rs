//! A small harness that runs the real `nhan` binary in a pseudo-terminal:
//! a reader thread feeds everything the program writes into a `vt100`
//! parser (and keeps the raw bytes), tests send keys and wait for the parsed
//! screen to show something. Nothing here sleeps and then asserts: every
//! wait is for a condition, with a generous timeout, so a slow machine makes
//! tests slower, never red.

#![allow(dead_code)] // each test binary uses a different part of the helpers

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(10);

pub const ENTER: &str = "\r";
pub const ESC: &str = "\x1b";
pub const CTRL_C: &str = "\x03";
pub const CTRL_R: &str = "\x12";

struct Output {
    parser: vt100::Parser,
    raw: Vec<u8>,
    /// The reader saw end of file (every slave end is closed).
    eof: bool,
    /// `vt100` panicked on some output (the screen size then and the
    /// bytes): the parsed screen is unreliable from then on.
    parser_panicked: Option<String>,
}

/// One `nhan` process in a pseudo-terminal.
pub struct Nhan {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    out: Arc<Mutex<Output>>,
    reader: Option<JoinHandle<()>>,
    exit: Option<ExitStatus>,
    /// Where this run keeps the user's state (NHAN_STATE).
    _state: tempfile::TempDir,
}

impl Nhan {
    /// `nhan --project <project>` in a 100x30 terminal, settings from `config`.
    pub fn spawn(project: &Path, config: &Path) -> Nhan {
        Nhan::spawn_sized(project, config, 100, 30)
    }

    pub fn spawn_sized(project: &Path, config: &Path, cols: u16, rows: u16) -> Nhan {
        Nhan::spawn_with(project, config, cols, rows, &[])
    }

    /// Like `spawn_sized`, with extra environment variables.
    pub fn spawn_with(
        project: &Path,
        config: &Path,
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Nhan {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_nhan"));
        cmd.arg("--project");
        cmd.arg(project);
        cmd.cwd(project);
        cmd.env("NHAN_CONFIG", config);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        // Each run starts afresh (the list, no article reopened) unless a
        // test keeps the user's state across runs by passing NHAN_STATE.
        let state = tempfile::tempdir().expect("temp dir");
        cmd.env("NHAN_STATE", state.path().join("state.json"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair
            .slave
            .spawn_command(cmd)
            .expect("spawn nhan in the pty");
        // Only the child may hold the slave end: then the reader sees EOF
        // when the child is gone.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let out = Arc::new(Mutex::new(Output {
            parser: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
            raw: Vec::new(),
            eof: false,
            parser_panicked: None,
        }));
        let shared = Arc::clone(&out);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut o = shared.lock().unwrap();
                        o.raw.extend_from_slice(&buf[..n]);
                        // A panic in the terminal emulator is a harness
                        // problem: report it as such, do not poison the lock.
                        let parser = &mut o.parser;
                        let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            parser.process(&buf[..n])
                        }));
                        if parsed.is_err() && o.parser_panicked.is_none() {
                            let (rows, cols) = o.parser.screen().size();
                            o.parser_panicked = Some(format!(
                                "at {cols}x{rows}, on {:?}",
                                String::from_utf8_lossy(&buf[..n])
                            ));
                        }
                    }
                }
            }
            shared.lock().unwrap().eof = true;
        });
        Nhan {
            child,
            master: pair.master,
            writer,
            out,
            reader: Some(reader),
            exit: None,
            _state: state,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the child has a pid")
    }

    /// Types `keys` (raw bytes: text, `ENTER`, `ESC`, control characters).
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("write to the pty");
        self.writer.flush().expect("flush the pty");
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        self.out.lock().unwrap().parser.screen().contents()
    }

    /// Everything the program wrote so far, escape sequences included.
    pub fn raw(&self) -> Vec<u8> {
        self.out.lock().unwrap().raw.clone()
    }

    /// Waits until `pred` holds for the parsed screen; panics with the
    /// screen after `TIMEOUT`. Returns the screen text that satisfied it.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            {
                let o = self.out.lock().unwrap();
                if let Some(how) = &o.parser_panicked {
                    panic!(
                        "the terminal emulator of the test harness (vt100) panicked, {how}: \
                         a harness problem unless the bytes are wrong for a terminal of that size"
                    );
                }
                if pred(o.parser.screen()) {
                    return o.parser.screen().contents();
                }
            }
            if Instant::now() > deadline {
                let status = self.child.try_wait().ok().flatten();
                panic!(
                    "timed out after {TIMEOUT:?} waiting for: {what}\nprocess: {}\nscreen:\n{}",
                    status.map_or("running".to_string(), |s| format!("exited ({s})")),
                    self.screen()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits until the screen shows `needle` somewhere.
    pub fn wait_text(&mut self, needle: &str) -> String {
        self.wait_for(&format!("the screen to show {needle:?}"), |s| {
            s.contents().contains(needle)
        })
    }

    /// Waits until row `row` (0-based; negative counts from the bottom)
    /// contains `needle`.
    pub fn wait_row(&mut self, row: i32, needle: &str) -> String {
        let what = format!("row {row} to show {needle:?}");
        self.wait_for(&what, |s| row_text(s, row).contains(needle));
        let o = self.out.lock().unwrap();
        row_text(o.parser.screen(), row)
    }

    /// Resizes the terminal (the kernel sends SIGWINCH to the program) and
    /// the parsed screen with it.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        // Under the lock, so that everything the program writes after it
        // learns the new size is parsed at the new size. Older output still
        // in flight (a frame for the old size) is parsed at the new size
        // too, as a real terminal would: text wraps, even on a one-row
        // screen (vt100 0.16 panicked there), and the redraw that answers
        // the resize replaces it all.
        let mut o = self.out.lock().unwrap();
        o.parser.set_size(nonzero(rows), nonzero(cols));
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        self.master.resize(size).expect("resize the pty");
    }

    /// Resizes, then waits for the program to answer with output (a resize
    /// redraws the whole screen) and checks that it is still running.
    pub fn resize_and_wait_redraw(&mut self, cols: u16, rows: u16) {
        let before = self.out.lock().unwrap().raw.len();
        self.resize(cols, rows);
        let deadline = Instant::now() + TIMEOUT;
        while self.out.lock().unwrap().raw.len() == before {
            assert!(
                self.running(),
                "nhan died after a resize to {cols}x{rows}:\n{}",
                self.screen()
            );
            assert!(
                Instant::now() < deadline,
                "no redraw within {TIMEOUT:?} after a resize to {cols}x{rows}"
            );
            std::thread::sleep(POLL);
        }
        assert!(
            self.running(),
            "nhan died after a resize to {cols}x{rows}:\n{}",
            self.screen()
        );
    }

    /// The terminal's local mode flags as text (e.g. `ICANON | ECHO`), to
    /// tell raw mode from the usual line mode.
    pub fn local_flags(&self) -> String {
        let t = self.master.get_termios().expect("read the pty's termios");
        format!("{:?}", t.local_flags)
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        if self.exit.is_some() {
            return false;
        }
        match self.child.try_wait().expect("try_wait") {
            Some(s) => {
                self.exit = Some(s);
                false
            }
            None => true,
        }
    }

    /// Waits for the process to exit, then for the reader to drain the
    /// output; panics with the screen after `TIMEOUT`.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        while self.running() {
            if Instant::now() > deadline {
                panic!(
                    "nhan did not exit within {TIMEOUT:?}; screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(POLL);
        }
        // The output after exit is wanted too (the terminal restore).
        let deadline = Instant::now() + TIMEOUT;
        while !self.out.lock().unwrap().eof && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        // Read the flag first: joining while holding the lock would deadlock.
        let eof = self.out.lock().unwrap().eof;
        if eof && let Some(h) = self.reader.take() {
            let _ = h.join();
        }
        self.exit.clone().expect("exited")
    }

    /// SIGKILL, as a crash or `kill -9` would: no destructor, no restore.
    pub fn kill9(&mut self) {
        let pid = self.pid().to_string();
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .is_ok_and(|s| s.success());
        if !killed {
            // portable-pty sends SIGHUP, then SIGKILL if needed.
            let _ = self.child.kill();
        }
        let deadline = Instant::now() + TIMEOUT;
        while self.running() {
            assert!(Instant::now() < deadline, "nhan survived SIGKILL");
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Nhan {
    fn drop(&mut self) {
        // A failed test must not leave a process behind.
        if self.running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A terminal dimension: a pseudo-terminal has at least one row and column.
fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("a terminal is at least 1x1")
}

/// Row `row` of the screen (negative: from the bottom), as text.
pub fn row_text(s: &vt100::Screen, row: i32) -> String {
    let (rows, cols) = s.size();
    let (rows, cols) = (rows.get(), cols.get());
    let r = if row < 0 { rows as i32 + row } else { row };
    if r < 0 || r >= rows as i32 {
        return String::new();
    }
    s.contents_between(r as u16, 0, r as u16, cols)
}

/// The status bar: the second-to-last row.
pub fn status_bar(s: &vt100::Screen) -> String {
    row_text(s, -2)
}

// ---------------------------------------------------------------------------
// Projects on disk

// The same file as `support::sample`: a test binary that uses both
// harnesses compiles it twice, as two private modules, which is harmless.
#[allow(clippy::duplicate_mod)]
#[path = "../support/sample.rs"]
mod sample;

/// A fresh copy of the whole sample project, annotations included.
pub fn sample_copy() -> tempfile::TempDir {
    sample::sample_copy()
}

/// A fresh copy of the repository's sample project: `articles/` and
/// `nhan.toml`, without `annotations/`.
pub fn sample_project() -> tempfile::TempDir {
    sample::sample_articles()
}

/// A project with the given articles (`name.txt`, contents) and, if given,
/// a `nhan.toml`.
pub fn tiny_project(articles: &[(&str, &str)], schema: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("articles")).unwrap();
    for (name, text) in articles {
        std::fs::write(dir.path().join("articles").join(name), text).unwrap();
    }
    if let Some(s) = schema {
        std::fs::write(dir.path().join("nhan.toml"), s).unwrap();
    }
    dir
}

/// A path for `NHAN_CONFIG` that does not exist: default settings.
pub fn no_config(dir: &Path) -> PathBuf {
    dir.join("no-such-config.toml")
}

/// The article text as the contract defines it: UTF-8, BOM stripped.
pub fn article_text(project: &Path, file_name: &str) -> String {
    let bytes = std::fs::read(project.join("articles").join(file_name)).unwrap();
    let s = String::from_utf8(bytes).expect("article is UTF-8");
    s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s)
}

/// `[start, end)` in code points of the first occurrence of `needle`.
pub fn char_range(text: &str, needle: &str) -> (usize, usize) {
    let byte = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the text"));
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

/// `text[start:end]` in code points, as Python slices.
pub fn char_slice(text: &str, start: usize, end: usize) -> String {
    text.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

pub fn sidecar_path(project: &Path, stem: &str) -> PathBuf {
    project.join("annotations").join(format!("{stem}.json"))
}

/// The sidecar parsed as JSON (panics with the file if it does not parse).
pub fn read_sidecar(project: &Path, stem: &str) -> serde_json::Value {
    let p = sidecar_path(project, stem);
    let src = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&src).unwrap_or_else(|e| panic!("{}: not JSON ({e}):\n{src}", p.display()))
}

/// The sidecar's spans.
pub fn spans(sidecar: &serde_json::Value) -> Vec<serde_json::Value> {
    sidecar["spans"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no spans array in {sidecar}"))
}

/// Names of leftover temporary files (`.*.tmp`) in `annotations/`.
pub fn temp_files(project: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(project.join("annotations")) else {
        return Vec::new();
    };
    rd.flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
        .collect()
}

/// A small deterministic generator (xorshift64*), so a failing crash test
/// can be replayed from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}
