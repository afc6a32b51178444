//! Project-wide work in bounded memory: items are read on every core a few
//! at a time and folded in their order, so that memory holds two small
//! batches whatever the size of the project, and the result does not
//! depend on which thread finished first.

use rayon::prelude::*;

/// Items read ahead per batch and per core: enough to keep each core busy
/// between two folds, few enough that a batch of articles stays small.
const PER_CORE: usize = 8;

/// Calls `read` on every item (in parallel) and `fold` on each result in the
/// items' order. While one batch is being folded the next is being read.
/// `fold` returns `false` to stop early (an error that ends the command).
pub fn fold_ordered<T, R, F>(items: &[T], read: impl Fn(&T) -> R + Sync, mut fold: F)
where
    T: Sync,
    R: Send,
    F: FnMut(R) -> bool + Send,
{
    let batch = (rayon::current_num_threads() * PER_CORE).max(1);
    let mut batches = items.chunks(batch);
    let Some(first) = batches.next() else {
        return;
    };
    let mut pending: Vec<R> = first.par_iter().map(&read).collect();
    for next in batches {
        let (read_next, go_on) = rayon::join(
            || next.par_iter().map(&read).collect::<Vec<R>>(),
            || pending.drain(..).all(&mut fold),
        );
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
}
