//! Progress of a long project-wide command: shown on stderr only when it is
//! a terminal, and only once the command has run for a second (a quick
//! command prints nothing extra; a pipe or a log never gets bars).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

const AFTER: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    /// Whether stderr is a terminal: the bar may be shown.
    may_show: bool,
    shown: bool,
}

impl Progress {
    /// A bar for `total` items, hidden until a second has passed.
    pub fn new(what: &str, total: usize) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        Progress {
            bar,
            started: Instant::now(),
            may_show: std::io::stderr().is_terminal(),
            shown: false,
        }
    }

    /// A bar never shown (the pass runs under the TUI, which owns the
    /// terminal).
    pub fn silent() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
            started: Instant::now(),
            may_show: false,
            shown: false,
        }
    }

    /// One more item done.
    pub fn tick(&mut self) {
        self.bar.inc(1);
        if !self.shown && self.may_show && self.started.elapsed() >= AFTER {
            self.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Drop for Progress {
    /// The bar goes away before the report is printed.
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
