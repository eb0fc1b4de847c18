//! Work spread over the cores in fixed, ordered chunks: results come back in input order, so
//! that what training computes does not depend on the number of threads.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::Observer;

/// How many threads share a pass: one per core.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `work` on consecutive chunks of `items`, one chunk per core, on separate threads; the
/// chunks' results in chunk order.
pub(crate) fn per_chunk<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let size = items.len().div_ceil(threads()).max(1);
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = items.chunks(size).map(|chunk| scope.spawn(move || work(chunk))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// `map` of every item, computed on every core, in input order.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], map: impl Fn(&T) -> R + Sync) -> Vec<R> {
    per_chunk(items, |chunk| chunk.iter().map(&map).collect::<Vec<_>>()).into_iter().flatten().collect()
}

/// Counts items done across threads and tells the observer every [`Progress::EVERY`] items.
pub(crate) struct Progress<'o> {
    observer: &'o dyn Observer,
    phase: &'static str,
    total: usize,
    done: AtomicUsize,
}

impl<'o> Progress<'o> {
    /// How many items pass between two reports.
    const EVERY: usize = 1024;

    /// A phase of `total` items, reported as started.
    pub(crate) fn start(observer: &'o dyn Observer, phase: &'static str, total: usize) -> Self {
        observer.progress(phase, 0, total);
        Self { observer, phase, total, done: AtomicUsize::new(0) }
    }

    /// One more item done.
    pub(crate) fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if done.is_multiple_of(Self::EVERY) || done == self.total {
            self.observer.progress(self.phase, done, self.total);
        }
    }
}
