//! CPU work off the async reactor: each job runs on tokio's blocking threads, and a fair
//! (first come, first served) semaphore caps how many run at once, so that a large batch or
//! a busy stream queues behind other callers instead of starving them.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tracing::{Instrument, Span};

use super::error::ServiceError;

/// A cap on concurrent CPU jobs.
#[derive(Debug, Clone)]
pub struct CpuPool {
    permits: Arc<Semaphore>,
    workers: usize,
}

impl CpuPool {
    /// A pool running at most `workers` jobs at once.
    pub fn new(workers: usize) -> Self {
        let workers = workers.max(1);
        Self { permits: Arc::new(Semaphore::new(workers)), workers }
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Runs `job` on a blocking thread once a slot is free, inside the caller's span.
    ///
    /// The slot is held by the job itself: if the caller gives up (deadline, cancelled
    /// call), a job already running keeps its slot until it ends, so the cap stays true.
    pub async fn run<T, F>(&self, job: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = Arc::clone(&self.permits).acquire_owned().await.map_err(|_| ServiceError::ShuttingDown)?;
        let span = Span::current();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            span.in_scope(job)
        })
        .await
        .map_err(ServiceError::worker)
    }

    /// Runs `job` on each chunk of `items` (at most `chunk_size` items each) as separate
    /// jobs and returns the outputs in input order. At most one chunk per worker is queued
    /// or running at a time, so a large batch can use every core when the server is idle
    /// but another caller waits behind a few chunks, never behind the whole batch. Dropping
    /// the returned future cancels the chunks not started yet.
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
            let chunk_job = async move { (position, pool.run(move || job(chunk)).await) };
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
        let pool = CpuPool::new(2);
        let doubled = pool
            .map_chunks((0..100u32).collect(), 7, |chunk| chunk.into_iter().map(|n| n * 2).collect())
            .await
            .expect("map");
        assert_eq!(doubled, (0..100u32).map(|n| n * 2).collect::<Vec<_>>());
    }
}
