//! Everything a call can fail with, and the one place that turns it into a gRPC status.
//!
//! Handlers return `Result<_, ServiceError>` and end in `?`; no handler builds a
//! `tonic::Status` itself.

use tonic::{Code, Status};

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A request without its article; `field` is the path, e.g. `requests[3].article`.
    #[error("{field} is required")]
    MissingArticle { field: String },
    /// Text that is empty or only whitespace.
    #[error("{field} is empty")]
    EmptyText { field: String },
    /// A title or text over `--max-text-bytes`.
    #[error("{field} is {bytes} bytes, over the limit of {limit} bytes (--max-text-bytes)")]
    TextTooLong { field: String, bytes: usize, limit: usize },
    /// More evidence terms than a call may ask for.
    #[error("{field} is {requested}, over the maximum of {max}")]
    ExplainTooLarge { field: String, requested: u32, max: u32 },
    /// A batch over `--max-batch`.
    #[error("requests has {count} entries, over the limit of {limit} (--max-batch)")]
    BatchTooLarge { count: usize, limit: usize },
    /// A streamed message over `--max-message-bytes` (unary calls get this code from the
    /// transport layer, see `limits::oversize_as_resource_exhausted`).
    #[error("{0}")]
    MessageTooLarge(String),
    /// An answer over `--max-answer-bytes`.
    #[error("the answer is over the limit of {limit} bytes (--max-answer-bytes); ask for fewer articles, sentences or evidence terms in one call")]
    AnswerTooLarge { limit: usize },
    /// A call, ClassifyStream included, still running at its deadline.
    #[error("deadline exceeded: the call took longer than {set_by} ({limit:?})")]
    DeadlineExceeded { limit: std::time::Duration, set_by: &'static str },
    /// The client's request stream failed; its status is passed on as it came.
    #[error("{}", .0.message())]
    Inbound(Status),
    /// An Admin call without the right bearer token.
    #[error("missing or wrong admin token (send `authorization: Bearer <token>`)")]
    Unauthenticated,
    /// A model version name that could leave the models directory.
    #[error("{0}")]
    InvalidVersion(String),
    /// A model version that is not in the models directory.
    #[error("{0}")]
    UnknownVersion(String),
    /// A model that cannot be loaded (corrupt, truncated, incompatible); the old one serves on.
    #[error("{0}; the previous model keeps serving")]
    ModelRefused(String),
    /// Every worker is busy and the queue in front of them is full: the caller should back
    /// off and retry.
    #[error("the server is overloaded: {max_pending} jobs are already waiting for a worker (--max-pending); retry with backoff")]
    Overloaded { max_pending: usize },
    /// The server is stopping and takes no new work.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// A worker failed (a bug): the details are logged, not sent.
    #[error("internal error")]
    Internal { detail: String },
}

impl ServiceError {
    /// The gRPC code of each kind.
    pub fn code(&self) -> Code {
        match self {
            Self::MissingArticle { .. }
            | Self::EmptyText { .. }
            | Self::TextTooLong { .. }
            | Self::ExplainTooLarge { .. }
            | Self::BatchTooLarge { .. }
            | Self::InvalidVersion(_) => Code::InvalidArgument,
            Self::Unauthenticated => Code::Unauthenticated,
            Self::UnknownVersion(_) => Code::NotFound,
            Self::ModelRefused(_) => Code::FailedPrecondition,
            Self::MessageTooLarge(_) | Self::Overloaded { .. } | Self::AnswerTooLarge { .. } => Code::ResourceExhausted,
            Self::DeadlineExceeded { .. } => Code::DeadlineExceeded,
            Self::Inbound(status) => status.code(),
            Self::ShuttingDown => Code::Unavailable,
            Self::Internal { .. } => Code::Internal,
        }
    }

    /// A worker task that panicked or was cancelled.
    pub fn worker(error: tokio::task::JoinError) -> Self {
        Self::Internal { detail: format!("worker task failed: {error}") }
    }

    /// A job that panicked on the calling thread (see `CpuPool::run_sized`).
    pub fn panicked(payload: Box<dyn std::any::Any + Send>) -> Self {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Self::Internal { detail: format!("worker panicked: {message}") }
    }

    /// An error reading the client's request stream. Tonic reports a message over the
    /// decoding limit as OUT_OF_RANGE; gRPC's convention is RESOURCE_EXHAUSTED.
    pub fn inbound(status: Status) -> Self {
        if status.code() == Code::OutOfRange {
            Self::MessageTooLarge(status.message().to_owned())
        } else {
            Self::Inbound(status)
        }
    }
}

impl From<ServiceError> for Status {
    fn from(error: ServiceError) -> Self {
        if let ServiceError::Internal { detail } = &error {
            tracing::error!(%detail, "internal error");
        }
        Status::new(error.code(), error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_mistakes_are_invalid_argument_and_name_the_field() {
        let status = Status::from(ServiceError::EmptyText { field: "requests[3].article.text".into() });
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.message(), "requests[3].article.text is empty");
    }

    #[test]
    fn internal_details_stay_on_the_server() {
        let status = Status::from(ServiceError::Internal { detail: "secret path".into() });
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("secret"));
    }

    #[test]
    fn oversized_stream_messages_are_resource_exhausted() {
        let error = ServiceError::inbound(Status::out_of_range("too large"));
        assert_eq!(Status::from(error).code(), Code::ResourceExhausted);
    }
}
