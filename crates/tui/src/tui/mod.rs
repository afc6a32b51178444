//! The terminal edge: set-up and restore (also on panic), the event loop,
//! and translation of crossterm events into app messages.

mod backend;

use crate::app::config::{self, Config};
use crate::app::keys::{Code, Key, Mods};
use crate::app::msg::{Mouse, MouseKind, Msg};
use crate::runtime::App;
use anyhow::Context as _;
use backend::FrameBackend;
use nhan_store::project::Project;
use ratatui::crossterm::event::{
    self, Event, KeyCode, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use ratatui::crossterm::{execute, terminal};
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// "Is anything ready now?" for `event::poll`. The input is read with
/// poll(2), level-triggered (crossterm's `use-dev-tty`): its default epoll
/// reader, edge-triggered, read 1,024 bytes of a burst and left the rest
/// until another key arrived.
const READY_NOW: Duration = Duration::from_micros(1);

pub fn key_from_crossterm(k: event::KeyEvent) -> Option<Key> {
    let code = match k.code {
        KeyCode::Char(c) => Code::Char(c),
        KeyCode::Enter => Code::Enter,
        KeyCode::Esc => Code::Esc,
        KeyCode::Tab => Code::Tab,
        KeyCode::BackTab => Code::BackTab,
        KeyCode::Backspace => Code::Backspace,
        KeyCode::Delete => Code::Delete,
        KeyCode::Left => Code::Left,
        KeyCode::Right => Code::Right,
        KeyCode::Up => Code::Up,
        KeyCode::Down => Code::Down,
        KeyCode::Home => Code::Home,
        KeyCode::End => Code::End,
        KeyCode::PageUp => Code::PageUp,
        KeyCode::PageDown => Code::PageDown,
        KeyCode::F(n) => Code::F(n),
        _ => return None,
    };
    let m = k.modifiers;
    let mods = Mods {
        ctrl: m.contains(KeyModifiers::CONTROL),
        alt: m.contains(KeyModifiers::ALT),
        shift: m.contains(KeyModifiers::SHIFT),
    };
    Some(Key::new(code, mods))
}

fn mouse_from_crossterm(m: event::MouseEvent) -> Option<Mouse> {
    let kind = match m.kind {
        MouseEventKind::Down(MouseButton::Left) => MouseKind::Down,
        MouseEventKind::Drag(MouseButton::Left) => MouseKind::Drag,
        MouseEventKind::Up(MouseButton::Left) => MouseKind::Up,
        MouseEventKind::ScrollDown => MouseKind::ScrollDown,
        MouseEventKind::ScrollUp => MouseKind::ScrollUp,
        _ => return None,
    };
    Some(Mouse {
        kind,
        col: m.column,
        row: m.row,
    })
}

/// The writes not done yet (sidecars, rejections), for the panic hook to
/// wait on.
static PENDING: std::sync::OnceLock<Vec<std::sync::Arc<crate::runtime::writer::Pending>>> =
    std::sync::OnceLock::new();

/// On a panic: let the writers finish what they were handed (they run on
/// threads of their own, untouched by the panic), give the terminal back,
/// then say what happened and where the full report is.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        for p in PENDING.get().into_iter().flatten() {
            p.wait_idle(Duration::from_secs(5));
        }
        restore();
        let report = std::env::temp_dir().join(format!("nhan-crash-{}.txt", std::process::id()));
        let body = format!(
            "nhan {} crashed\n\n{info}\n\nbacktrace:\n{}\n",
            env!("CARGO_PKG_VERSION"),
            std::backtrace::Backtrace::force_capture()
        );
        let written = std::fs::write(&report, body).is_ok();
        eprintln!("nhan crashed: {info}");
        eprintln!("Every edit made before the crash was already saved to its sidecar.");
        if written {
            eprintln!(
                "A report was written to {}; please attach it to a bug report.",
                report.display()
            );
        }
    }));
}

type Term = ratatui::Terminal<FrameBackend<Out>>;

/// The terminal's output, buffered for a whole frame: stdout alone is
/// line-buffered in 1 KB pieces, so a frame that changes the whole screen
/// (brackets shifting a long line) cost a dozen write calls instead of one.
/// Ratatui flushes it at the end of every frame.
type Out = std::io::BufWriter<std::io::Stdout>;

fn frame_output() -> Out {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout())
}

/// A terminal at the size the kernel reports now; resize events keep it
/// current from then on (see `FrameBackend`).
fn new_terminal() -> anyhow::Result<Term> {
    let (w, h) = terminal::size()?;
    let backend = FrameBackend::new(frame_output(), ratatui::layout::Size::new(w, h));
    Ok(ratatui::Terminal::new(backend)?)
}

/// Ctrl-Z: give the terminal back, stop like any shell job, and take the
/// terminal again when the shell continues us (`fg`).
fn suspend(term: &mut Term) -> anyhow::Result<()> {
    restore();
    // SAFETY: raise() with a valid signal number has no memory-safety preconditions.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    terminal::enable_raw_mode()?;
    execute!(
        std::io::stdout(),
        terminal::EnterAlternateScreen,
        terminal::Clear(terminal::ClearType::All),
        event::EnableMouseCapture,
        event::EnableBracketedPaste
    )?;
    // A fresh terminal has empty buffers, so the next frame is drawn whole
    // (Terminal::clear would ask the terminal for the cursor position,
    // which not every terminal answers).
    *term = new_terminal()?;
    Ok(())
}

fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        event::DisableMouseCapture,
        event::DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
}

pub fn run(project_dir: &Path, annotator: Option<String>, adjudicate: bool) -> anyhow::Result<()> {
    // The list comes up at once; titles and counts are read in the
    // background (see `event_loop`), so a huge project opens as fast as a
    // small one.
    let mut project = Project::list(project_dir)?;
    let mut config = Config::load(config::default_path().as_deref());
    if annotator.is_some() {
        config.annotator = annotator;
    }
    if project.schema.blind && !adjudicate {
        let name = nhan_store::config::blind_annotator(project_dir, config.annotator.as_deref())?;
        project.work_as(&name);
    }
    // Like git, fall back to the login name so every span has an author.
    if config.annotator.is_none() {
        config.annotator = std::env::var("USER").ok().filter(|u| !u.is_empty());
    }
    // One writer per project: a second nhan opens everything read-only.
    let lock = nhan_store::lock::acquire(project_dir);
    let lock_problem = match &lock {
        Ok(_) => {
            // Off the way to the first frame: listing the folder of a
            // 100,000-article project takes a tenth of a second. Only other
            // processes' temp files go, and the lock keeps those away.
            let annotations = project_dir.join("annotations");
            std::thread::spawn(move || {
                nhan_store::atomic::remove_stale_temps(&annotations);
            });
            None
        }
        Err(held) => Some(format!("{held}; quit the other nhan, then reopen")),
    };

    terminal::enable_raw_mode()
        .context("cannot switch the terminal to raw mode (is this a terminal?)")?;
    execute!(
        std::io::stdout(),
        terminal::EnterAlternateScreen,
        event::EnableMouseCapture,
        event::EnableBracketedPaste
    )?;
    install_panic_hook();
    catch_termination();
    let place =
        crate::app::session::path().and_then(|f| crate::app::session::load(&f, project_dir));
    let result = event_loop(project, config, lock_problem, place);
    restore();
    drop(lock);
    result
}

/// Set by SIGTERM or SIGHUP: the loop then quits as on `q` (every pending
/// write finished, the terminal restored) instead of dying mid-save with
/// the terminal left in the alternate screen.
static TERMINATED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_terminate(_: libc::c_int) {
    // Only an atomic store: all a signal handler may safely do here.
    TERMINATED.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Routes SIGTERM and SIGHUP to [`TERMINATED`]. Without SA_RESTART, so a
/// blocking poll returns at once and the loop sees the flag.
fn catch_termination() {
    for sig in [libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction is valid; the handler only stores to
        // an atomic, which is async-signal-safe.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_terminate as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

fn terminated() -> bool {
    TERMINATED.load(std::sync::atomic::Ordering::SeqCst)
}

fn event_loop(
    project: Project,
    config: Config,
    lock_problem: Option<String>,
    place: Option<crate::app::session::Place>,
) -> anyhow::Result<()> {
    let mut term = new_terminal()?;
    let size = term.size()?;
    let scans = crate::runtime::scan_in_background(project.clone());
    let mut app = App::new(project, config, (size.width, size.height));
    app.use_threads();
    if app.state.config.suggestions {
        app.enable_suggestions();
    }
    let _ = PENDING.set(app.pending_saves());
    let gate = app.gate().context("the threaded runtime has a gate")?;
    if let Some(why) = lock_problem {
        app.state.error(format!("read-only: {why}"));
        app.state.lock_problem = Some(why);
    }
    app.state.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if let Some(p) = place {
        app.handle(Msg::Reopen(p));
    }
    // A test of the crash path: this key panics.
    let panic_key = std::env::var("NHAN_TEST_PANIC_KEY")
        .ok()
        .and_then(|p| Key::parse(&p).ok());
    let mut last_tick = Instant::now();
    // NHAN_TRACE=path: one line per key, "key<TAB>µs from read to frame flushed".
    let mut trace = std::env::var_os("NHAN_TRACE").and_then(|p| {
        std::fs::File::options()
            .create(true)
            .append(true)
            .open(p)
            .ok()
    });
    let mut traced: Vec<(Key, Instant)> = Vec::new();
    // From reading a key to its frame being flushed, saves wait.
    let mut busy: Option<crate::runtime::gate::Busy> = None;
    loop {
        // A key's frame goes out first: what arrived from the background
        // meanwhile (a suggestion list re-wrapping a long article, a save)
        // is taken in right after, in a frame of its own.
        let keyed = busy.is_some();
        if keyed {
            term.draw(|f| crate::ui::draw(f, &app.state))?;
            drop(busy.take());
            if let Some(f) = trace.as_mut() {
                for (k, t) in traced.drain(..) {
                    let _ = writeln!(f, "{k:?}\t{}", t.elapsed().as_micros());
                }
            }
        }
        // Saves the writer finished since the last frame ("saved ✓"), and
        // articles the worker read.
        if app.poll() || !keyed {
            term.draw(|f| crate::ui::draw(f, &app.state))?;
        }
        if terminated() {
            // Told to end (SIGTERM, or the terminal hung up): what was
            // handed over is written, then the terminal restored.
            app.flush_saves();
            return Ok(());
        }
        if app.wants_quit() {
            // Every save handed over is written before we go; one that
            // failed keeps nhan open, saying why (q again quits anyway).
            app.flush_saves();
            let failed = app
                .state
                .articles
                .iter()
                .flatten()
                .any(|a| matches!(a.save, crate::app::state::SaveState::Failed(_)));
            if !failed || app.state.quit_armed {
                // Where the user was, for the next start (a failure to
                // record it is not worth keeping anyone from quitting).
                if let (Some(f), Some(p)) = (
                    crate::app::session::path(),
                    crate::app::session::current(&app.state),
                ) {
                    let _ = crate::app::session::save(&f, &app.state.project.root, p);
                }
                return Ok(());
            }
            app.quit_refused();
            app.handle(Msg::Action(crate::app::action::Action::Quit));
            continue;
        }
        // Titles and counts read so far by the background scan.
        let mut scanning = false;
        let mut scanned = false;
        for _ in 0..512 {
            match scans.try_recv() {
                Ok((index, meta)) => {
                    scanned = true;
                    app.handle(Msg::Scanned {
                        index,
                        meta: Box::new(meta),
                    })
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    scanning = true;
                    break;
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => break,
            }
        }
        let to_tick = Duration::from_secs(1).saturating_sub(last_tick.elapsed());
        let timeout = if scanned {
            // What just came in is drawn at once, not at the next tick
            // (the last scan result closes the channel: nothing else would
            // wake the loop).
            Duration::ZERO
        } else if app.loading() || scanning {
            // An article being read, or the list's first counts, shown as
            // soon as they are there (the wait cannot be woken by them: at
            // 30 ms the list came a frame late at every other start).
            to_tick.min(Duration::from_millis(5))
        } else if app.saving() {
            to_tick.min(Duration::from_millis(30))
        } else {
            to_tick
        };
        // A signal interrupts the wait: no event, and the loop looks at
        // why at its top.
        let ready = match event::poll(timeout) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => false,
            Err(e) => return Err(e.into()),
        };
        if ready {
            busy = Some(gate.busy());
            // Characters typed into a prompt in this burst, handed over as
            // one text: a 100 KB paste without bracketed paste filters the
            // span list once, not once per character.
            let mut typed = String::new();
            // Handle everything already queued before drawing again.
            loop {
                let event = event::read()?;
                let read_at = Instant::now();
                let msg = match event {
                    Event::Key(k) if k.kind != KeyEventKind::Release => {
                        key_from_crossterm(k).map(Msg::Key)
                    }
                    Event::Mouse(m) => mouse_from_crossterm(m).map(Msg::Mouse),
                    Event::Paste(text) => Some(Msg::Paste(text)),
                    Event::Resize(w, h) => {
                        term.backend_mut().resized(w, h);
                        Some(Msg::Resize(w, h))
                    }
                    _ => None,
                };
                if let Some(Msg::Key(k)) = &msg
                    && panic_key == Some(*k)
                {
                    panic!("panic requested by NHAN_TEST_PANIC_KEY (a test of the crash path)");
                }
                if let (Some(Msg::Key(k)), true) = (&msg, trace.is_some()) {
                    traced.push((*k, read_at));
                }
                match msg {
                    Some(Msg::Key(k))
                        if k.typed().is_some() && crate::app::paste::prompt_open(&app.state) =>
                    {
                        typed.extend(k.typed());
                    }
                    Some(msg) => {
                        if !typed.is_empty() {
                            app.handle(Msg::Paste(std::mem::take(&mut typed)));
                        }
                        app.handle(msg);
                    }
                    None => {}
                }
                if app.take_suspend() {
                    // Waiting for the writer: it need not wait for us.
                    drop(busy.take());
                    app.flush_saves();
                    suspend(&mut term)?;
                    let size = term.size()?;
                    app.handle(Msg::Resize(size.width, size.height));
                }
                // Not ZERO: crossterm's /dev/tty reader looks at neither its
                // buffer nor the terminal with a zero timeout.
                if app.wants_quit() || !event::poll(READY_NOW)? {
                    break;
                }
            }
            if !typed.is_empty() {
                app.handle(Msg::Paste(typed));
            }
        }
        if last_tick.elapsed() >= Duration::from_secs(1) {
            last_tick = Instant::now();
            app.handle(Msg::Tick);
        }
    }
}
