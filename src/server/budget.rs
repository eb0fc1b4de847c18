//! The bytes-in-flight budget (`--max-bytes-in-flight`): a count of bytes held against a
//! limit, taken without waiting or refused at once.
//!
//! Nothing ever waits for bytes to come back (a request or an answer the budget cannot hold
//! is refused there and then), so the budget is one atomic count rather than a semaphore:
//! taking bytes is a compare-and-swap, giving them back a subtraction, where a semaphore's
//! release also locks its queue of waiters.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Bytes held out of `limit`; shared by every call of the server.
#[derive(Debug)]
pub struct ByteBudget {
    limit: usize,
    held: AtomicUsize,
}

impl ByteBudget {
    /// A budget of `limit` bytes, none held.
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self { limit, held: AtomicUsize::new(0) })
    }

    /// The most bytes the budget holds at once.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes held now.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// `bytes` more, held until the returned charge is dropped; `None` when they would take
    /// the budget past its limit.
    pub fn try_take(self: &Arc<Self>, bytes: usize) -> Option<Charge> {
        let fits = |held: usize| held.checked_add(bytes).filter(|&total| total <= self.limit);
        self.held.fetch_update(Ordering::AcqRel, Ordering::Acquire, fits).ok()?;
        Some(Charge { budget: Arc::clone(self), bytes })
    }
}

/// Bytes held from a [`ByteBudget`], given back when dropped.
#[derive(Debug)]
pub struct Charge {
    budget: Arc<ByteBudget>,
    bytes: usize,
}

impl Charge {
    /// Adds `other`'s bytes to this charge (both from the same budget).
    pub fn merge(&mut self, mut other: Charge) {
        debug_assert!(Arc::ptr_eq(&self.budget, &other.budget), "charges of two budgets merged");
        self.bytes += std::mem::take(&mut other.bytes);
    }

    /// Moves `bytes` of this charge into a charge of their own; `None` if it holds fewer.
    pub fn split(&mut self, bytes: usize) -> Option<Charge> {
        self.bytes = self.bytes.checked_sub(bytes)?;
        Some(Charge { budget: Arc::clone(&self.budget), bytes })
    }

    /// The bytes this charge holds.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        if self.bytes > 0 {
            self.budget.held.fetch_sub(self.bytes, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_taken_up_to_the_limit_and_given_back_when_their_charge_goes() {
        let budget = ByteBudget::new(100);
        let mut first = budget.try_take(60).expect("fits");
        assert!(budget.try_take(41).is_none(), "past the limit");
        let second = budget.try_take(40).expect("fits exactly");
        assert_eq!(budget.held(), 100);
        assert!(budget.try_take(usize::MAX).is_none());
        first.merge(second);
        assert_eq!((first.bytes(), budget.held()), (100, 100));
        let part = first.split(30).expect("holds 100");
        assert!(first.split(71).is_none(), "holds 70");
        drop(first);
        assert_eq!(budget.held(), 30);
        drop(part);
        assert_eq!(budget.held(), 0);
    }

    #[test]
    fn charges_taken_and_dropped_on_many_threads_balance() {
        let budget = ByteBudget::new(1000);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let budget = Arc::clone(&budget);
                std::thread::spawn(move || {
                    let mut taken = 0;
                    for _ in 0..10_000 {
                        if let Some(charge) = budget.try_take(300) {
                            assert!(budget.held() <= 1000);
                            taken += 1;
                            drop(charge);
                        }
                    }
                    taken
                })
            })
            .collect();
        let taken: usize = threads.into_iter().map(|t| t.join().expect("no panic")).sum();
        assert!(taken > 0);
        assert_eq!(budget.held(), 0);
    }
}
