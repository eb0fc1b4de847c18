//! CPU work off the async reactor: each job runs on one of `--workers` threads of the
//! pool's own, and a fair (first come, first served) semaphore caps how many run at once, so
//! that a large batch or a busy stream queues behind other callers instead of starving them.
//!
//! The threads are fixed, not tokio's blocking threads (which come and go, up to 512 of
//! them), because the model keeps per-thread working space between articles, as large as
//! the longest article a thread has read: on a fixed set of threads that space is bounded by
//! their number.
//!
//! The queue in front of the workers is bounded too (`--max-pending`): under more load than
//! the workers can serve, a job that finds the queue full is refused at once with
//! RESOURCE_EXHAUSTED instead of waiting without bound, and the queue drains back to normal
//! as soon as the load drops. A queued job whose caller gives up (deadline, cancelled call,
//! client gone) leaves the queue and never runs.
//!
//! A short job that finds a slot free runs at once on the calling runtime thread instead
//! (see [`CpuPool::run_sized`]): it still holds a slot, so the cap and the shedding count it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};
use tracing::{Instrument, Span};

use super::error::ServiceError;

/// Jobs on at most this much text run on the calling runtime thread when a slot is free.
/// Handing a job to a blocking thread costs two thread wake-ups, about 40 µs of CPU on the
/// 2-core development machine, more than classifying 4 KB (about 25 µs); and a job this
/// short (about 100 µs) does not hold up the other calls on that thread for long.
pub const INLINE_MAX_BYTES: usize = 16 * 1024;

/// A cap on concurrent CPU jobs, and on jobs waiting for one of them.
#[derive(Debug, Clone)]
pub struct CpuPool {
    threads: Arc<rayon::ThreadPool>,
    permits: Arc<Semaphore>,
    workers: usize,
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
}

/// Whether a job may be refused when the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Admission {
    /// A new call's job: refused when the queue is full.
    New,
    /// A later job of a call already admitted (a batch's next chunk): always queued.
    Admitted,
}

/// A job's place in the queue; leaving the queue (started, or its caller gone) frees it.
struct QueuePlace(Arc<AtomicUsize>);

impl Drop for QueuePlace {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl CpuPool {
    /// A pool of `workers` threads running at most that many jobs at once, with at most
    /// `max_waiting` more queued; the error if the threads cannot be started.
    pub fn new(workers: usize, max_waiting: usize) -> Result<Self, rayon::ThreadPoolBuildError> {
        let workers = workers.max(1);
        let threads = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|index| format!("accord-worker-{index}"))
            .build()?;
        let waiting = Arc::new(AtomicUsize::new(0));
        let permits = Arc::new(Semaphore::new(workers));
        Ok(Self { threads: Arc::new(threads), permits, workers, waiting, max_waiting })
    }

    /// Jobs waiting for a worker now (read by the queue-depth metric at each scrape).
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    /// A worker slot: at once if one is free, else after the jobs queued before this one;
    /// refused if the queue is full.
    /// `admission` says whether a full queue refuses this job.
    async fn slot(&self, admission: Admission) -> Result<OwnedSemaphorePermit, ServiceError> {
        match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => return Ok(permit),
            Err(TryAcquireError::Closed) => return Err(ServiceError::ShuttingDown),
            Err(TryAcquireError::NoPermits) => {}
        }
        let _place = self.enqueue(admission)?;
        Arc::clone(&self.permits).acquire_owned().await.map_err(|_| ServiceError::ShuttingDown)
    }

    fn enqueue(&self, admission: Admission) -> Result<QueuePlace, ServiceError> {
        let max = self.max_waiting;
        let has_room = |waiting: usize| (waiting < max || admission == Admission::Admitted).then_some(waiting + 1);
        self.waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, has_room)
            .map_err(|_| ServiceError::Overloaded { max_pending: max })?;
        Ok(QueuePlace(Arc::clone(&self.waiting)))
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Runs `job` on one of the pool's threads once a slot is free, inside the caller's span.
    ///
    /// The slot is held by the job itself: if the caller gives up (deadline, cancelled
    /// call), a job already running keeps its slot until it ends, so the cap stays true; a
    /// job still queued is dropped with the caller's future and never runs.
    pub async fn run<T, F>(&self, job: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.run_as(Admission::New, job).await
    }

    /// Runs `job`, which reads `bytes` bytes of text: at once on this thread if it is short
    /// (at most [`INLINE_MAX_BYTES`]) and a slot is free, else as [`CpuPool::run`] does. A
    /// panic in the job becomes an internal error, as it does on a blocking thread.
    pub async fn run_sized<T, F>(&self, bytes: usize, job: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        if bytes <= INLINE_MAX_BYTES {
            if let Ok(_permit) = Arc::clone(&self.permits).try_acquire_owned() {
                return catch_unwind(AssertUnwindSafe(job)).map_err(ServiceError::panicked);
            }
        }
        self.run(job).await
    }

    async fn run_as<T, F>(&self, admission: Admission, job: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = self.slot(admission).await?;
        let span = Span::current();
        let (done, outcome) = tokio::sync::oneshot::channel();
        // A slot is held, so one of the pool's threads is free or about to be.
        self.threads.spawn(move || {
            let output = catch_unwind(AssertUnwindSafe(|| span.in_scope(job)));
            drop(permit);
            let _ = done.send(output);
        });
        match outcome.await {
            Ok(output) => output.map_err(ServiceError::panicked),
            Err(_) => Err(ServiceError::Internal { detail: "a worker thread ended without an answer".into() }),
        }
    }

    /// Runs `job` on each chunk of `items` (at most `chunk_size` items each) as separate
    /// jobs and returns the outputs in input order. At most one chunk per worker is queued
    /// or running at a time, so a large batch can use every core when the server is idle
    /// but another caller waits behind a few chunks, never behind the whole batch. Dropping
    /// the returned future cancels the chunks not started yet. Only the first chunk can be
    /// shed: a batch admitted is finished, its later chunks queued even when the queue is full
    /// (at most one per worker at a time, so the queue still stays bounded).
    pub async fn map_chunks<I, O, F>(&self, items: Vec<I>, chunk_size: usize, job: F) -> Result<Vec<O>, ServiceError>
    where
        I: Send + 'static,
        O: Send + 'static,
        F: Fn(Vec<I>) -> Vec<O> + Send + Sync + 'static,
    {
        let job = Arc::new(job);
        let chunks = into_chunks(items, chunk_size.max(1));
        let mut outputs: Vec<Option<Vec<O>>> = std::iter::repeat_with(|| None).take(chunks.len()).collect();
        let mut tasks = tokio::task::JoinSet::new();
        for (position, chunk) in chunks.into_iter().enumerate() {
            if tasks.len() >= self.workers {
                collect_one(&mut tasks, &mut outputs).await?;
            }
            let (pool, job) = (self.clone(), Arc::clone(&job));
            let admission = if position == 0 { Admission::New } else { Admission::Admitted };
            let chunk_job = async move { (position, pool.run_as(admission, move || job(chunk)).await) };
            tasks.spawn(chunk_job.instrument(Span::current()));
        }
        while !tasks.is_empty() {
            collect_one(&mut tasks, &mut outputs).await?;
        }
        Ok(outputs.into_iter().flatten().flatten().collect())
    }
}

/// A chunk's place in the batch and its outputs.
type ChunkOutcome<O> = (usize, Result<Vec<O>, ServiceError>);

/// Waits for the next chunk to finish and puts its outputs in place.
async fn collect_one<O: 'static>(
    tasks: &mut tokio::task::JoinSet<ChunkOutcome<O>>,
    outputs: &mut [Option<Vec<O>>],
) -> Result<(), ServiceError> {
    if let Some(joined) = tasks.join_next().await {
        let (position, output) = joined.map_err(ServiceError::worker)?;
        outputs[position] = Some(output?);
    }
    Ok(())
}

/// Splits `items` into consecutive chunks of at most `size` items, keeping their order.
fn into_chunks<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut chunks = Vec::with_capacity(items.len().div_ceil(size));
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        chunks.push(items.by_ref().take(size).collect());
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_order_and_size() {
        assert_eq!(into_chunks((0..7).collect(), 3), vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
        assert!(into_chunks(Vec::<u8>::new(), 3).is_empty());
    }

    #[tokio::test]
    async fn map_chunks_returns_outputs_in_input_order() {
        let pool = CpuPool::new(2, 8).expect("pool");
        let doubled = pool
            .map_chunks((0..100u32).collect(), 7, |chunk| chunk.into_iter().map(|n| n * 2).collect())
            .await
            .expect("map");
        assert_eq!(doubled, (0..100u32).map(|n| n * 2).collect::<Vec<_>>());
    }

    /// Jobs run on the pool's own threads, never more of them than its workers however many
    /// callers take turns: the model's per-thread working space lives on those threads only.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_run_on_the_pools_own_threads_and_no_more_of_them_than_its_workers() {
        let pool = CpuPool::new(2, 256).expect("pool");
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..200 {
            let pool = pool.clone();
            calls.spawn(async move { pool.run(|| std::thread::current().name().map(str::to_owned)).await });
        }
        let mut threads = std::collections::HashSet::new();
        while let Some(joined) = calls.join_next().await {
            threads.insert(joined.expect("join").expect("the job runs"));
        }
        assert!(threads.len() <= 2, "{threads:?}");
        let named = |name: &Option<String>| name.as_deref().is_some_and(|name| name.starts_with("accord-worker-"));
        assert!(threads.iter().all(named), "{threads:?}");
    }

    /// Holds the pool's only worker until the returned sender is dropped or sent to.
    async fn occupy(pool: &CpuPool) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let pool = pool.clone();
        let busy = tokio::spawn(async move {
            let job = move || {
                let _ = started_tx.send(());
                let _ = released.recv();
            };
            pool.run(job).await.expect("the blocking job runs");
        });
        started.await.expect("the blocking job starts");
        (release, busy)
    }

    #[tokio::test]
    async fn a_short_job_with_a_free_slot_runs_on_the_calling_thread_and_a_long_one_does_not() {
        let pool = CpuPool::new(1, 4).expect("pool");
        let caller = std::thread::current().id();
        let short = pool.run_sized(INLINE_MAX_BYTES, || std::thread::current().id()).await.expect("short job");
        assert_eq!(short, caller, "a short job was handed to another thread");
        let long = pool.run_sized(INLINE_MAX_BYTES + 1, || std::thread::current().id()).await.expect("long job");
        assert_ne!(long, caller, "a long job ran on the runtime thread");
    }

    #[tokio::test]
    async fn a_short_job_waits_its_turn_when_every_slot_is_taken() {
        let pool = CpuPool::new(1, 1).expect("pool");
        let (release, busy) = occupy(&pool).await;
        let caller = std::thread::current().id();
        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run_sized(10, || std::thread::current().id()).await }
        });
        while pool.waiting() < 1 {
            tokio::task::yield_now().await;
        }
        let refused = pool.run_sized(10, || ()).await.expect_err("the queue is full");
        assert!(matches!(refused, ServiceError::Overloaded { max_pending: 1 }), "{refused:?}");
        drop(release);
        busy.await.expect("join");
        let ran_on = queued.await.expect("join").expect("the queued short job runs");
        assert_ne!(ran_on, caller, "a queued job runs on a worker");
    }

    #[tokio::test]
    async fn a_short_job_that_panics_is_an_internal_error_and_frees_its_slot() {
        let pool = CpuPool::new(1, 1).expect("pool");
        let failed = pool.run_sized(10, || -> u8 { panic!("boom") }).await.expect_err("the job panicked");
        assert!(matches!(&failed, ServiceError::Internal { detail } if detail.contains("boom")), "{failed:?}");
        assert_eq!(pool.run_sized(10, || 7).await.expect("the slot is free again"), 7);
    }

    #[tokio::test]
    async fn a_full_queue_refuses_new_jobs_until_it_drains() {
        let pool = CpuPool::new(1, 1).expect("pool");
        let (release, busy) = occupy(&pool).await;
        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(|| 1).await }
        });
        while pool.waiting() < 1 {
            tokio::task::yield_now().await;
        }
        let refused = pool.run(|| 2).await.expect_err("the queue is full");
        assert!(matches!(refused, ServiceError::Overloaded { max_pending: 1 }), "{refused:?}");
        drop(release);
        busy.await.expect("join");
        assert_eq!(queued.await.expect("join").expect("the queued job runs"), 1);
        assert_eq!(pool.run(|| 3).await.expect("accepted again"), 3);
        assert_eq!(pool.waiting(), 0);
    }

    #[tokio::test]
    async fn a_queued_job_whose_caller_gave_up_never_runs() {
        let pool = CpuPool::new(1, 4).expect("pool");
        let ran = Arc::new(AtomicUsize::new(0));
        let (release, busy) = occupy(&pool).await;
        let abandoned = tokio::spawn({
            let (pool, ran) = (pool.clone(), Arc::clone(&ran));
            async move { pool.run(move || ran.fetch_add(1, Ordering::SeqCst)).await }
        });
        while pool.waiting() < 1 {
            tokio::task::yield_now().await;
        }
        abandoned.abort(); // as when a deadline passes or the client goes away
        assert!(abandoned.await.expect_err("aborted").is_cancelled());
        assert_eq!(pool.waiting(), 0, "the abandoned job left the queue");
        drop(release);
        busy.await.expect("join");
        pool.run(|| ()).await.expect("the worker is free again");
        assert_eq!(ran.load(Ordering::SeqCst), 0, "the abandoned job ran");
    }
}
