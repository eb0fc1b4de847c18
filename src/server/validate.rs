//! Request checks, done before any work starts. A request that passes becomes an owned,
//! valid value; one that fails names the offending field (`requests[3].article.text`).

use accord::Article;

use super::config::Limits;
use super::error::ServiceError;
use accord::grpc::v1 as pb;

/// An article that passed the checks.
#[derive(Debug, Clone)]
pub struct ValidArticle {
    pub id: String,
    pub title: String,
    pub text: String,
}

impl ValidArticle {
    /// The article as the model reads it.
    pub fn as_article(&self) -> Article<'_> {
        Article { id: &self.id, title: &self.title, text: &self.text }
    }

    /// The bytes of text the model reads.
    pub fn bytes(&self) -> usize {
        self.title.len() + self.text.len()
    }
}

/// A classify request that passed the checks.
#[derive(Debug, Clone)]
pub struct ValidClassify {
    pub article: ValidArticle,
    /// Evidence terms per head.
    pub explain: usize,
    /// Whether to return each sentence's stance.
    pub sentences: bool,
    /// Whether to return the actors and their relations.
    pub relations: bool,
}

impl ValidClassify {
    /// What the model is asked to compute beyond the heads.
    pub fn options(&self) -> accord::Options {
        accord::Options { explain: self.explain, sentences: self.sentences, relations: self.relations }
    }
}

/// The path prefix of the `index`-th request of a batch or stream: `requests[3].`.
pub fn item_prefix(index: usize) -> String {
    format!("requests[{index}].")
}

/// Checks an article: present, text not blank, title and text within the size limit.
/// `prefix` is the path of the enclosing request (`""` for a single one).
pub fn article(article: Option<pb::Article>, prefix: &str, limits: &Limits) -> Result<ValidArticle, ServiceError> {
    let article = article.ok_or_else(|| ServiceError::MissingArticle { field: format!("{prefix}article") })?;
    check_length(&article.title, || format!("{prefix}article.title"), limits)?;
    check_length(&article.text, || format!("{prefix}article.text"), limits)?;
    if article.text.trim().is_empty() {
        return Err(ServiceError::EmptyText { field: format!("{prefix}article.text") });
    }
    Ok(ValidArticle { id: article.id, title: article.title, text: article.text })
}

/// Checks a classify request: its article, and `explain` within the maximum.
pub fn classify(request: pb::ClassifyRequest, prefix: &str, limits: &Limits) -> Result<ValidClassify, ServiceError> {
    if request.explain > limits.max_explain {
        return Err(ServiceError::ExplainTooLarge {
            field: format!("{prefix}explain"),
            requested: request.explain,
            max: limits.max_explain,
        });
    }
    let article = article(request.article, prefix, limits)?;
    let (explain, sentences, relations) = (request.explain as usize, request.sentences, request.relations);
    Ok(ValidClassify { article, explain, sentences, relations })
}

/// Checks a batch: its size, then every request, naming the first bad one by index.
pub fn batch(requests: Vec<pb::ClassifyRequest>, limits: &Limits) -> Result<Vec<ValidClassify>, ServiceError> {
    if requests.len() > limits.max_batch {
        return Err(ServiceError::BatchTooLarge { count: requests.len(), limit: limits.max_batch });
    }
    requests.into_iter().enumerate().map(|(index, request)| classify(request, &item_prefix(index), limits)).collect()
}

/// Bytes of title and text in an article, for logs (never the text itself).
pub fn article_bytes(article: Option<&pb::Article>) -> usize {
    article.map_or(0, |a| a.title.len() + a.text.len())
}

fn check_length(value: &str, field: impl FnOnce() -> String, limits: &Limits) -> Result<(), ServiceError> {
    if value.len() > limits.max_text_bytes {
        return Err(ServiceError::TextTooLong { field: field(), bytes: value.len(), limit: limits.max_text_bytes });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_text_bytes: 10,
        max_batch: 2,
        max_explain: 100,
        max_answer_bytes: 1 << 20,
        request_timeout: std::time::Duration::from_secs(60),
    };

    fn request(text: &str) -> pb::ClassifyRequest {
        pb::ClassifyRequest {
            article: Some(pb::Article { text: text.into(), ..Default::default() }),
            ..Default::default()
        }
    }

    fn message(result: Result<impl std::fmt::Debug, ServiceError>) -> String {
        result.expect_err("should fail").to_string()
    }

    #[test]
    fn blank_missing_and_long_articles_are_refused_by_name() {
        assert_eq!(message(article(None, "", &LIMITS)), "article is required");
        assert_eq!(message(classify(request(" \n\t"), "", &LIMITS)), "article.text is empty");
        let long = message(classify(request("01234567890"), "", &LIMITS));
        assert!(long.contains("article.text is 11 bytes") && long.contains("10 bytes"), "{long}");
        assert!(classify(request("fine"), "", &LIMITS).is_ok());
    }

    #[test]
    fn batch_errors_name_the_index() {
        assert_eq!(message(batch(vec![request("ok"), request("")], &LIMITS)), "requests[1].article.text is empty");
        let too_many = message(batch(vec![request("a"), request("b"), request("c")], &LIMITS));
        assert!(too_many.contains("3 entries") && too_many.contains("limit of 2"), "{too_many}");
    }

    #[test]
    fn explain_over_the_maximum_is_refused() {
        let mut big = request("text");
        big.explain = 101;
        assert_eq!(message(classify(big, "", &LIMITS)), "explain is 101, over the maximum of 100");
    }
}
