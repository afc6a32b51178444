//! Project-wide work in bounded memory: items are read on every core a few
//! at a time and folded in their order, so that memory holds two small
//! batches whatever the size of the project, and the result does not
//! depend on which thread finished first.

use rayon::prelude::*;

/// Items read ahead per batch and per core: enough to keep each core busy
/// between two folds, few enough that a batch of articles stays small.
const PER_CORE: usize = 8;

/// Calls `read` on every item (in parallel, on rayon's pool) and `fold` on
/// each result in the items' order, on the calling thread: while one batch
/// is being folded the next is being read. `fold` returns `false` to stop
/// early (an error that ends the command). A panic in `read` reaches the
/// caller once the batch being read ends.
pub fn fold_ordered<T, R, F>(items: &[T], read: impl Fn(&T) -> R + Sync, mut fold: F)
where
    T: Sync,
    R: Send,
    F: FnMut(R) -> bool,
{
    let batch = (rayon::current_num_threads() * PER_CORE).max(1);
    let mut batches = items.chunks(batch);
    let Some(first) = batches.next() else {
        return;
    };
    let mut pending: Vec<R> = first.par_iter().map(&read).collect();
    for next in batches {
        let mut read_next = Vec::new();
        // In place: the fold stays on this thread (an export's writer is
        // not shared between threads), the reading goes to the pool.
        let go_on = rayon::in_place_scope(|s| {
            s.spawn(|_| read_next = next.par_iter().map(&read).collect());
            pending.drain(..).all(&mut fold)
        });
        if !go_on {
            return;
        }
        pending = read_next;
    }
    for r in pending {
        if !fold(r) {
            return;
        }
    }
}

/// [`fold_ordered`] for a fold that never stops early.
pub fn for_each_ordered<T, R>(items: &[T], read: impl Fn(&T) -> R + Sync, mut sink: impl FnMut(R))
where
    T: Sync,
    R: Send,
{
    fold_ordered(items, read, |r| {
        sink(r);
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_every_item_in_order_whatever_the_batch() {
        let items: Vec<u32> = (0..1000).collect();
        let mut seen = Vec::new();
        fold_ordered(
            &items,
            |x| x * 2,
            |y| {
                seen.push(y);
                true
            },
        );
        assert_eq!(seen, (0..1000).map(|x| x * 2).collect::<Vec<_>>());
    }

    #[test]
    fn stops_when_the_fold_says_so() {
        let items: Vec<u32> = (0..1000).collect();
        let mut seen = 0;
        fold_ordered(
            &items,
            |x| *x,
            |y| {
                seen += 1;
                y < 100
            },
        );
        assert_eq!(seen, 101);
        fold_ordered(&[] as &[u32], |x| *x, |_| panic!("nothing to fold"));
    }

    #[test]
    fn results_reach_the_fold_in_order_whichever_reader_finishes_first() {
        let items: Vec<u64> = (0..300).collect();
        let mut got = Vec::new();
        for_each_ordered(
            &items,
            |&i| {
                std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 200));
                i * 2
            },
            |r| got.push(r),
        );
        assert_eq!(got, items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_panicking_reader_panics_the_caller_instead_of_hanging() {
        let items: Vec<u32> = (0..100).collect();
        let r = std::panic::catch_unwind(|| {
            for_each_ordered(
                &items,
                |&i| {
                    assert!(i != 17, "boom");
                    i
                },
                |_| {},
            )
        });
        assert!(r.is_err());
    }

    #[test]
    fn the_fold_may_hold_what_cannot_cross_threads() {
        // An export's writer (a `&mut dyn Write`, an `Rc`) stays here.
        let here = std::rc::Rc::new(std::cell::Cell::new(0u32));
        let items: Vec<u32> = (0..100).collect();
        for_each_ordered(&items, |&i| i, |i| here.set(here.get() + i));
        assert_eq!(here.get(), 4950);
    }
}
