//! The `accord.v1.Classifier` service: each method checks its request, runs the model on
//! the CPU pool, and converts the answer. No classification logic lives here.

use std::sync::Arc;

use accord::{Article, Model};
use tonic::{Request, Response, Status, Streaming};

use super::answer::AnswerBudget;
use super::deadline::CallDeadline;
use super::error::ServiceError;
use super::logging::{CallLog, CallOrigin, CallSize};
use super::state::ServiceState;
use super::stream::{self, ResponseStream};
use super::validate;
use accord::grpc::convert;
use accord::grpc::v1 as pb;

/// Articles per CPU job in a batch: small enough that a large batch interleaves with other
/// callers' work, large enough to keep the per-job overhead low.
const BATCH_CHUNK: usize = 16;

/// The Classifier service over the shared state.
#[derive(Debug, Clone)]
pub struct ClassifierService {
    state: Arc<ServiceState>,
}

impl ClassifierService {
    pub fn new(state: Arc<ServiceState>) -> Self {
        Self { state }
    }

    /// Serves a call about one article: checks it, then runs `work` on the pool.
    async fn one_article<T: Send + 'static>(
        &self,
        method: &'static str,
        origin: CallOrigin<'static>,
        article: Option<pb::Article>,
        work: impl FnOnce(&Model, &Article) -> T + Send + 'static,
    ) -> Result<Response<T>, Status> {
        let call = CallLog::start(&self.state.metrics, method, &origin, one_article_size(article.as_ref()));
        let state = Arc::clone(&self.state);
        let response = call
            .observe(async move {
                let article = validate::article(article, "", &state.limits)?;
                let model = state.model();
                state.pool.run_sized(article.bytes(), move || work(&model, &article.as_article())).await
            })
            .await?;
        Ok(Response::new(response))
    }
}

#[tonic::async_trait]
impl pb::classifier_server::Classifier for ClassifierService {
    async fn tokenize(&self, request: Request<pb::TokenizeRequest>) -> Result<Response<pb::TokenizeResponse>, Status> {
        let origin = CallOrigin::of(&request);
        self.one_article("Tokenize", origin, request.into_inner().article, convert::tokenize).await
    }

    async fn vectorize(
        &self,
        request: Request<pb::VectorizeRequest>,
    ) -> Result<Response<pb::VectorizeResponse>, Status> {
        let origin = CallOrigin::of(&request);
        self.one_article("Vectorize", origin, request.into_inner().article, convert::vectorize).await
    }

    async fn classify(&self, request: Request<pb::ClassifyRequest>) -> Result<Response<pb::ClassifyResponse>, Status> {
        let origin = CallOrigin::of(&request);
        let request = request.into_inner();
        let size = one_article_size(request.article.as_ref());
        let call = CallLog::start(&self.state.metrics, "Classify", &origin, size);
        let state = Arc::clone(&self.state);
        let response = call
            .observe(async move {
                let valid = validate::classify(request, "", &state.limits)?;
                let model = state.model();
                let bytes = valid.article.bytes();
                let answer = AnswerBudget::new(state.limits.max_answer_bytes);
                let work = move || answer.classify(&model, &valid.article.as_article(), &valid.options());
                state.pool.run_sized(bytes, work).await?
            })
            .await?;
        self.state.metrics.classified(std::slice::from_ref(&response));
        Ok(Response::new(response))
    }

    async fn classify_batch(
        &self,
        request: Request<pb::ClassifyBatchRequest>,
    ) -> Result<Response<pb::ClassifyBatchResponse>, Status> {
        let origin = CallOrigin::of(&request);
        let requests = request.into_inner().requests;
        let call = CallLog::start(&self.state.metrics, "ClassifyBatch", &origin, batch_size(&requests));
        let state = Arc::clone(&self.state);
        let responses = call
            .observe(async move {
                let valid = validate::batch(requests, &state.limits)?;
                let model = state.model();
                let answer = AnswerBudget::new(state.limits.max_answer_bytes);
                let classify_chunk = move |chunk: Vec<validate::ValidClassify>| classify_chunk(&model, &answer, &chunk);
                state
                    .pool
                    .map_chunks(valid, BATCH_CHUNK, classify_chunk)
                    .await?
                    .into_iter()
                    .collect::<Result<Vec<_>, _>>()
            })
            .await?;
        self.state.metrics.classified(&responses);
        Ok(Response::new(pb::ClassifyBatchResponse { responses }))
    }

    type ClassifyStreamStream = ResponseStream;

    async fn classify_stream(
        &self,
        request: Request<Streaming<pb::ClassifyRequest>>,
    ) -> Result<Response<Self::ClassifyStreamStream>, Status> {
        let origin = CallOrigin::of(&request);
        let deadline = CallDeadline::of(request.extensions().get(), request.extensions().get());
        let deadline = deadline.unwrap_or_else(|| CallDeadline::server_default(self.state.limits.request_timeout));
        Ok(Response::new(stream::classify_stream(Arc::clone(&self.state), &origin, deadline, request.into_inner())))
    }

    async fn get_model_info(
        &self,
        request: Request<pb::GetModelInfoRequest>,
    ) -> Result<Response<pb::ModelInfo>, Status> {
        let origin = CallOrigin::of(&request);
        let call = CallLog::start(&self.state.metrics, "GetModelInfo", &origin, CallSize::default());
        let model = self.state.model();
        let info = call.observe(async move { Ok::<_, ServiceError>(convert::model_info(&model)) }).await?;
        Ok(Response::new(info))
    }
}

/// A batch chunk's answers, in order; it stops at the first answer that takes the call's
/// answer over its limit, or at once if another chunk already did.
fn classify_chunk(
    model: &Model,
    answer: &AnswerBudget,
    chunk: &[validate::ValidClassify],
) -> Vec<Result<pb::ClassifyResponse, ServiceError>> {
    let mut responses = Vec::with_capacity(chunk.len());
    for request in chunk {
        let response = if answer.exhausted() {
            Err(ServiceError::AnswerTooLarge { limit: answer.limit() })
        } else {
            answer.classify(model, &request.article.as_article(), &request.options())
        };
        let failed = response.is_err();
        responses.push(response);
        if failed {
            break;
        }
    }
    responses
}

fn one_article_size(article: Option<&pb::Article>) -> CallSize {
    CallSize { articles: usize::from(article.is_some()), bytes: validate::article_bytes(article) }
}

fn batch_size(requests: &[pb::ClassifyRequest]) -> CallSize {
    let bytes = requests.iter().map(|r| validate::article_bytes(r.article.as_ref())).sum();
    CallSize { articles: requests.len(), bytes }
}
