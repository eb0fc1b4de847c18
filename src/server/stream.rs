//! `ClassifyStream`: a long feed of articles, answered in order.
//!
//! Two tasks per call. The reader takes requests as they arrive, checks each and starts its
//! job on the CPU pool; the writer awaits the jobs in arrival order and sends the answers.
//! A bounded queue between them keeps a few jobs in flight (so a stream uses more than one
//! core when it can) without reading ahead of a slow client. The first bad request ends the
//! call with its error, after the answers to the requests before it.
//!
//! The call's deadline ([`CallDeadline`]) ends both tasks, and the answer stream itself ends
//! with DEADLINE_EXCEEDED once it passes, whether the client is sending, idle, or not
//! reading: a stream never outlives its deadline with work or memory of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use accord::Model;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{timeout_at, Sleep};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::{Status, Streaming};
use tracing::Instrument;

use super::answer::AnswerBudget;
use super::deadline::CallDeadline;
use super::error::ServiceError;
use super::logging::{CallLog, CallOrigin};
use super::metrics::Metrics;
use super::state::ServiceState;
use super::validate::{self, ValidClassify};
use accord::grpc::v1 as pb;

/// The responses of one stream call, ended with DEADLINE_EXCEEDED at the call's deadline.
pub struct ResponseStream {
    answers: ReceiverStream<Result<pb::ClassifyResponse, Status>>,
    deadline: CallDeadline,
    timer: Pin<Box<Sleep>>,
    ended: bool,
}

impl Stream for ResponseStream {
    type Item = Result<pb::ClassifyResponse, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        if self.timer.as_mut().poll(cx).is_ready() {
            self.ended = true;
            return Poll::Ready(Some(Err(self.deadline.exceeded().into())));
        }
        Pin::new(&mut self.answers).poll_next(cx)
    }
}

/// Starts serving one stream call; the model is taken once, for the whole call.
pub fn classify_stream(
    state: Arc<ServiceState>,
    origin: &CallOrigin<'_>,
    deadline: CallDeadline,
    inbound: Streaming<pb::ClassifyRequest>,
) -> ResponseStream {
    let model = state.model();
    let in_flight = state.pool.workers();
    let (jobs_tx, jobs_rx) = mpsc::channel(in_flight);
    let (responses_tx, responses_rx) = mpsc::channel(in_flight);
    let call = CallLog::start_streaming(&state.metrics, "ClassifyStream", origin);
    let span = call.span().clone();
    let metrics = Arc::clone(&state.metrics);
    let reader = timeout_at(deadline.at, read_requests(state, model, inbound, jobs_tx));
    tokio::spawn(reader.instrument(span.clone()));
    tokio::spawn(write_responses(jobs_rx, responses_tx, call, metrics, deadline).instrument(span));
    let timer = Box::pin(tokio::time::sleep_until(deadline.at));
    ResponseStream { answers: ReceiverStream::new(responses_rx), deadline, timer, ended: false }
}

/// One request's answer to come: a running job, or the error that ends the call.
enum Pending {
    Running { bytes: usize, job: Job },
    Failed(ServiceError),
}

/// A classification job, aborted if the call ends before its answer is taken.
struct Job(JoinHandle<Result<pb::ClassifyResponse, ServiceError>>);

impl Drop for Job {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Pending {
    fn start(state: &ServiceState, model: &Arc<Model>, request: ValidClassify) -> Self {
        let bytes = request.article.bytes();
        let (pool, model) = (state.pool.clone(), Arc::clone(model));
        let answer = AnswerBudget::new(state.limits.max_answer_bytes);
        let work = move || answer.classify(&model, &request.article.as_article(), &request.options());
        let job = tokio::spawn(async move { pool.run_sized(bytes, work).await? }.in_current_span());
        Self::Running { bytes, job: Job(job) }
    }

    /// The answer, with the request's size in bytes.
    async fn outcome(self) -> Result<(usize, pb::ClassifyResponse), ServiceError> {
        match self {
            Self::Running { bytes, mut job } => {
                let response = (&mut job.0).await.map_err(ServiceError::worker)??;
                Ok((bytes, response))
            }
            Self::Failed(error) => Err(error),
        }
    }
}

/// Reads requests until the client closes its side, a request is bad, or the writer stops.
async fn read_requests(
    state: Arc<ServiceState>,
    model: Arc<Model>,
    mut inbound: Streaming<pb::ClassifyRequest>,
    jobs: mpsc::Sender<Pending>,
) {
    for index in 0.. {
        let pending = match inbound.message().await {
            Ok(None) => return,
            Ok(Some(request)) => match validate::classify(request, &validate::item_prefix(index), &state.limits) {
                Ok(valid) => Pending::start(&state, &model, valid),
                Err(error) => Pending::Failed(error),
            },
            Err(status) => Pending::Failed(ServiceError::inbound(status)),
        };
        let last = matches!(pending, Pending::Failed(_));
        if jobs.send(pending).await.is_err() || last {
            return;
        }
    }
}

/// Sends the answers in request order, then closes the call with OK or the first error.
async fn write_responses(
    mut jobs: mpsc::Receiver<Pending>,
    responses: mpsc::Sender<Result<pb::ClassifyResponse, Status>>,
    mut call: CallLog,
    metrics: Arc<Metrics>,
    deadline: CallDeadline,
) {
    let answered = timeout_at(deadline.at, answer_in_order(&mut jobs, &responses, &mut call, &metrics)).await;
    match answered {
        Ok(Answered::AllOk) => call.finish(None),
        Ok(Answered::Failed(error)) => {
            call.finish(Some(&error));
            let _ = responses.send(Err(error.into())).await;
        }
        Ok(Answered::ClientGone) => {} // The call log records CANCELLED.
        // The answer stream ends itself with the same status at the deadline.
        Err(_) => call.finish(Some(&deadline.exceeded())),
    }
}

/// How [`answer_in_order`] ended.
enum Answered {
    AllOk,
    Failed(ServiceError),
    ClientGone,
}

async fn answer_in_order(
    jobs: &mut mpsc::Receiver<Pending>,
    responses: &mpsc::Sender<Result<pb::ClassifyResponse, Status>>,
    call: &mut CallLog,
    metrics: &Metrics,
) -> Answered {
    while let Some(pending) = jobs.recv().await {
        match pending.outcome().await {
            Ok((bytes, response)) => {
                call.add(bytes);
                metrics.classified(std::slice::from_ref(&response));
                if responses.send(Ok(response)).await.is_err() {
                    return Answered::ClientGone;
                }
            }
            Err(error) => return Answered::Failed(error),
        }
    }
    Answered::AllOk
}
