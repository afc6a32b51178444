//! An ordered thread pool: work split by item over a few threads, results
//! handed on in the items' order, so that output stays deterministic while
//! both cores read and render.

use std::collections::BTreeMap;

/// Maps `f` over `items` on a few threads and hands each result to `sink`
/// (on the calling thread) in the order of `items`, as soon as it and every
/// one before it are done. Workers stay at most `window` items ahead of the
/// sink, so a streaming export holds a few articles, not the project.
pub fn par_for_each_ordered<T: Sync, R: Send>(
    items: &[T],
    window: usize,
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R),
) {
    use std::sync::{Condvar, Mutex, PoisonError};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .min(8);
    if threads <= 1 {
        items.iter().for_each(|x| sink(f(x)));
        return;
    }
    struct Gate {
        next: usize,
        emitted: usize,
        abort: bool,
    }
    let gate = Mutex::new(Gate {
        next: 0,
        emitted: 0,
        abort: false,
    });
    let turn = Condvar::new();
    let window = window.max(1);
    // Stops the workers if the sink panics, so the scope can end.
    struct Abort<'a>(&'a Mutex<Gate>, &'a Condvar);
    impl Drop for Abort<'_> {
        fn drop(&mut self) {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).abort = true;
            self.1.notify_all();
        }
    }
    let (tx, rx) = std::sync::mpsc::channel::<(usize, std::thread::Result<R>)>();
    let mut panicked = None;
    std::thread::scope(|sc| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (gate, turn, f) = (&gate, &turn, &f);
            sc.spawn(move || {
                loop {
                    let i = {
                        let mut g = gate.lock().unwrap_or_else(PoisonError::into_inner);
                        while !g.abort && g.next < items.len() && g.next - g.emitted >= window {
                            g = turn.wait(g).unwrap_or_else(PoisonError::into_inner);
                        }
                        if g.abort || g.next >= items.len() {
                            break;
                        }
                        g.next += 1;
                        g.next - 1
                    };
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&items[i])));
                    let failed = r.is_err();
                    if tx.send((i, r)).is_err() || failed {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let _abort = Abort(&gate, &turn);
        let mut waiting: BTreeMap<usize, R> = BTreeMap::new();
        let mut next = 0;
        for (i, r) in rx {
            match r {
                Ok(r) => {
                    waiting.insert(i, r);
                }
                Err(p) => {
                    panicked = Some(p);
                    gate.lock().unwrap_or_else(PoisonError::into_inner).abort = true;
                    turn.notify_all();
                }
            }
            if panicked.is_some() {
                continue;
            }
            let before = next;
            while let Some(r) = waiting.remove(&next) {
                sink(r);
                next += 1;
            }
            if next != before {
                gate.lock().unwrap_or_else(PoisonError::into_inner).emitted = next;
                turn.notify_all();
            }
        }
    });
    if let Some(p) = panicked {
        std::panic::resume_unwind(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_reach_the_sink_in_order_whichever_worker_finishes_first() {
        let items: Vec<u64> = (0..300).collect();
        for window in [1, 3, usize::MAX] {
            let mut got = Vec::new();
            par_for_each_ordered(
                &items,
                window,
                |&i| {
                    std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 200));
                    i * 2
                },
                |r| got.push(r),
            );
            let want: Vec<u64> = items.iter().map(|i| i * 2).collect();
            assert_eq!(got, want, "window {window}");
        }
    }

    #[test]
    fn a_panicking_worker_panics_the_caller_instead_of_hanging() {
        let items: Vec<u32> = (0..100).collect();
        let r = std::panic::catch_unwind(|| {
            par_for_each_ordered(
                &items,
                2,
                |&i| {
                    assert!(i != 17, "boom");
                    i
                },
                |_| {},
            )
        });
        assert!(r.is_err());
    }
}
