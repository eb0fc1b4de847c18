//! `--max-answer-bytes`: an answer is counted as it is computed, and a call whose answer
//! would pass the limit ends with RESOURCE_EXHAUSTED instead of being computed to its end.
//! Answers can be far larger than their requests (each sentence of an article is an entry
//! with `sentences` set), so the request limits alone do not bound them.

use std::sync::atomic::{AtomicUsize, Ordering};

use accord::grpc::convert;
use accord::grpc::v1 as pb;
use accord::{Article, Model, Options};
use prost::Message;

use super::error::ServiceError;

/// The encoded bytes of one call's answer so far, against the limit. Shared by the jobs
/// of a batch, which may run at once.
#[derive(Debug)]
pub struct AnswerBudget {
    limit: usize,
    used: AtomicUsize,
}

impl AnswerBudget {
    pub fn new(limit: usize) -> Self {
        Self { limit, used: AtomicUsize::new(0) }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Whether an earlier part of the answer already passed the limit: the rest need not
    /// be computed.
    pub fn exhausted(&self) -> bool {
        self.used.load(Ordering::Acquire) > self.limit
    }

    /// The model's answer to one article as one entry of the answer. An article whose
    /// sentences, asked for, could not fit in what is left of the limit is refused before
    /// they are scored: its answer is never built.
    pub fn classify(
        &self,
        model: &Model,
        article: &Article,
        options: &Options,
    ) -> Result<pb::ClassifyResponse, ServiceError> {
        let room = self.limit.saturating_sub(self.used.load(Ordering::Acquire));
        let response = convert::classify_within(model, article, options, room)
            .map_err(|_| ServiceError::AnswerTooLarge { limit: self.limit })?;
        self.admit(response)
    }

    /// `part` of the answer (one entry of a repeated field), or the error if the answer
    /// with it is over the limit.
    pub fn admit<M: Message>(&self, part: M) -> Result<M, ServiceError> {
        let bytes = part.encoded_len();
        let entry = 1 + prost::length_delimiter_len(bytes) + bytes;
        let total = self.used.fetch_add(entry, Ordering::AcqRel).saturating_add(entry);
        if total > self.limit {
            return Err(ServiceError::AnswerTooLarge { limit: self.limit });
        }
        Ok(part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord::grpc::v1 as pb;

    fn response(id_bytes: usize) -> pb::ClassifyResponse {
        pb::ClassifyResponse { id: "x".repeat(id_bytes), ..Default::default() }
    }

    #[test]
    fn parts_are_admitted_until_their_sum_passes_the_limit() {
        // Each part: the id field (1 + 1 + 100 bytes) inside an entry (1 + 1 + 102 bytes).
        let budget = AnswerBudget::new(250);
        assert!(budget.admit(response(100)).is_ok());
        assert!(budget.admit(response(100)).is_ok());
        assert!(!budget.exhausted());
        let refused = budget.admit(response(100)).expect_err("over the limit");
        assert!(matches!(refused, ServiceError::AnswerTooLarge { limit: 250 }), "{refused:?}");
        assert!(budget.exhausted());
    }
}
