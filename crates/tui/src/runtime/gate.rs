//! The interface's right of way over background work.
//!
//! On two cores, a sidecar being serialised on one core slows the frame
//! being drawn on the other (shared caches and memory bandwidth: the writer
//! at idle priority only gives up the CPU, not those; the figures are in
//! docs/PERFORMANCE.md, "Second round"). The interface marks the time from reading a key to flushing
//! its frame as busy; the writer waits while it is, between two pieces of
//! a sidecar (a piece is one span's line, microseconds of work).
//!
//! Busy is a deadline, not a flag: if the interface stops without saying
//! it is done (a panic, a frame that takes long), the writer goes on by
//! itself soon after, so a save can be delayed but never stopped.

use std::io::{self, Write};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long one busy mark holds the writer at most.
const HOLD: Duration = Duration::from_millis(5);
/// How often a waiting writer looks again.
const POLL: Duration = Duration::from_micros(100);

static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

fn now_nanos() -> u64 {
    EPOCH.elapsed().as_nanos() as u64
}

#[derive(Default, Debug)]
pub struct Gate {
    /// Nanoseconds since `EPOCH` until which background work waits; 0 when
    /// the interface is idle.
    busy_until: AtomicU64,
}

impl Gate {
    /// A key was read: background work waits until the guard is dropped
    /// (the frame is on the terminal), or `HOLD` passes.
    #[must_use = "the interface is busy only while the guard lives"]
    pub fn busy(&self) -> Busy<'_> {
        self.busy_for(HOLD);
        Busy { gate: self }
    }

    fn busy_for(&self, hold: Duration) {
        let until = now_nanos() + hold.as_nanos() as u64;
        self.busy_until.store(until.max(1), Ordering::Relaxed);
    }

    /// The frame is on the terminal: background work goes on.
    fn idle(&self) {
        self.busy_until.store(0, Ordering::Relaxed);
    }

    /// Waits while the interface is busy (at most until its deadline).
    pub fn give_way(&self) {
        loop {
            let until = self.busy_until.load(Ordering::Relaxed);
            if until == 0 {
                return;
            }
            let now = now_nanos();
            if now >= until {
                return;
            }
            std::thread::sleep(POLL.min(Duration::from_nanos(until - now)));
        }
    }
}

/// The interface is busy while this lives (also when a panic unwinds
/// through it: the writer is never held up by a frame that did not come).
pub struct Busy<'a> {
    gate: &'a Gate,
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.gate.idle();
    }
}

/// A writer that gives way to the interface before each piece it writes.
pub struct GivesWay<'a, W: Write + ?Sized> {
    pub inner: &'a mut W,
    pub gate: &'a Gate,
}

impl<W: Write + ?Sized> Write for GivesWay<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.gate.give_way();
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn background_writes_wait_while_the_interface_is_busy() {
        let gate = Arc::new(Gate::default());
        let wrote = Arc::new(AtomicBool::new(false));
        gate.busy_for(Duration::from_secs(60));
        let writer = {
            let (gate, wrote) = (Arc::clone(&gate), Arc::clone(&wrote));
            std::thread::spawn(move || {
                let mut out = Vec::new();
                GivesWay {
                    inner: &mut out,
                    gate: &gate,
                }
                .write_all(b"{\"label\": \"PER\"}")
                .unwrap();
                wrote.store(true, Ordering::SeqCst);
                out
            })
        };
        std::thread::sleep(Duration::from_millis(30));
        assert!(
            !wrote.load(Ordering::SeqCst),
            "wrote while the interface was busy"
        );
        gate.idle();
        assert_eq!(writer.join().unwrap(), b"{\"label\": \"PER\"}");
    }

    #[test]
    fn an_interface_that_never_says_idle_delays_the_writer_only_briefly() {
        let gate = Gate::default();
        // As if the guard were never dropped.
        std::mem::forget(gate.busy());
        let mut out = Vec::new();
        GivesWay {
            inner: &mut out,
            gate: &gate,
        }
        .write_all(b"x")
        .unwrap();
        assert_eq!(out, b"x");
    }
}
