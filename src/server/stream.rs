//! `ClassifyStream`: a long feed of articles, answered in order.
//!
//! Two tasks per call. The reader takes requests as they arrive, checks each and starts its
//! job on the CPU pool; the writer awaits the jobs in arrival order and sends the answers.
//! A bounded queue between them keeps a few jobs in flight (so a stream uses more than one
//! core when it can) without reading ahead of a slow client. The first bad request ends the
//! call with its error, after the answers to the requests before it.

use std::sync::Arc;

use accord::Model;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Status, Streaming};
use tracing::Instrument;

use super::error::ServiceError;
use super::logging::{CallLog, CallOrigin};
use super::metrics::Metrics;
use super::state::ServiceState;
use super::validate::{self, ValidClassify};
use accord::grpc::convert;
use accord::grpc::v1 as pb;

/// The responses of one stream call.
pub type ResponseStream = ReceiverStream<Result<pb::ClassifyResponse, Status>>;

/// Starts serving one stream call; the model is taken once, for the whole call.
pub fn classify_stream(
    state: Arc<ServiceState>,
    origin: &CallOrigin,
    inbound: Streaming<pb::ClassifyRequest>,
) -> ResponseStream {
    let model = state.model();
    let in_flight = state.pool.workers();
    let (jobs_tx, jobs_rx) = mpsc::channel(in_flight);
    let (responses_tx, responses_rx) = mpsc::channel(in_flight);
    let call = CallLog::start_streaming(&state.metrics, "ClassifyStream", origin);
    let span = call.span().clone();
    let metrics = Arc::clone(&state.metrics);
    tokio::spawn(read_requests(state, model, inbound, jobs_tx).instrument(span.clone()));
    tokio::spawn(write_responses(jobs_rx, responses_tx, call, metrics).instrument(span));
    ReceiverStream::new(responses_rx)
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
        let work = move || convert::classify(&model, &request.article.as_article(), request.explain, request.sentences);
        let job = tokio::spawn(async move { pool.run_sized(bytes, work).await }.in_current_span());
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
) {
    while let Some(pending) = jobs.recv().await {
        match pending.outcome().await {
            Ok((bytes, response)) => {
                call.add(bytes);
                metrics.classified(std::slice::from_ref(&response));
                if responses.send(Ok(response)).await.is_err() {
                    return; // The client is gone: the call log records CANCELLED.
                }
            }
            Err(error) => {
                call.finish(Some(&error));
                let _ = responses.send(Err(error.into())).await;
                return;
            }
        }
    }
    call.finish(None);
}
