//! The peer the fast path is read against: the same path written plainly, as a user of the
//! library would write it without measuring. The plain tokenizer (one byte at a time), every
//! unigram and bigram built as a string and looked up in a `HashMap`
//! ([`accord::vectorizer::reference::Reference`]), the sorted sparse vector, and each head's
//! plain sparse dot product and softmax ([`LinearHead::predict`]); for the article-stance
//! rule, each sentence vectorized the same way by itself. It gives the model's own answers
//! (checked before anything is timed), so the ratio of the two paths in one run says what
//! the fast path buys, whatever the host's speed that hour.

use accord::head::{HeadPrediction, LinearHead};
use accord::vectorizer::reference::Reference;
use accord::{Article, Model, SparseVector};

pub struct PlainPeer<'m> {
    model: &'m Model,
    vectorizer: Reference<'m>,
}

impl<'m> PlainPeer<'m> {
    pub fn new(model: &'m Model) -> Self {
        Self { model, vectorizer: Reference::new(model.vectorizer()) }
    }

    fn vectorize(&self, text: &str) -> SparseVector {
        self.vectorizer.transform(self.model.tokenizer(), &Article::text(text))
    }

    /// Every head's own prediction: what `Model::predict_plain` gives.
    pub fn predict_plain(&self, text: &str) -> Vec<HeadPrediction> {
        let vector = self.vectorize(text);
        self.model.heads().iter().map(|head| head.predict(&vector)).collect()
    }

    /// Every head's prediction with the article-stance rule: what `Model::classify` gives.
    pub fn classify(&self, text: &str) -> Vec<HeadPrediction> {
        let mut predictions = self.predict_plain(text);
        let (Some(rule), Some(stance)) = (self.model.article_stance(), self.head(|rule| &rule.stance_head)) else {
            return predictions;
        };
        let sentences = Model::sentences(&Article::text(text));
        if sentences.len() < 2 {
            if let Some(head) = self.model.sentence_head() {
                predictions[stance] = head.predict(&self.vectorize(text));
            }
            return predictions;
        }
        let labels = &self.model.heads()[stance].labels;
        let mut mean = vec![0.0f32; labels.len()];
        for (_, range) in &sentences {
            let sentence = self.model.heads()[stance].predict(&self.vectorize(&text[range.clone()]));
            mean.iter_mut().zip(&sentence.probabilities).for_each(|(m, p)| *m += p);
        }
        mean.iter_mut().for_each(|m| *m /= sentences.len() as f32);
        let relation = self.head(|rule| &rule.topic_head).map_or(0.0, |topic| {
            let head: &LinearHead = &self.model.heads()[topic];
            let label = head.labels.iter().position(|l| *l == rule.relation_label);
            label.map_or(0.0, |label| predictions[topic].probabilities[label])
        });
        let probabilities = rule.combine(labels, &mean, relation);
        let best = accord::head::argmax(&probabilities);
        predictions[stance] = HeadPrediction { probabilities, best };
        predictions
    }

    fn head(&self, name: impl Fn(&accord::article_stance::ArticleStance) -> &String) -> Option<usize> {
        let rule = self.model.article_stance()?;
        self.model.heads().iter().position(|head| head.name == *name(rule))
    }
}

/// Panics unless the peer gives the model's answers on every text: the same best label from
/// every head and probabilities within float rounding (the fast path sums in another order).
pub fn check_same_answers(model: &Model, peer: &PlainPeer<'_>, texts: &[String]) {
    for text in texts {
        let fast = model.classify(&Article::text(text), 0);
        let plain = peer.classify(text);
        for (fast, plain) in fast.iter().zip(&plain) {
            let close =
                fast.prediction.probabilities.iter().zip(&plain.probabilities).all(|(a, b)| (a - b).abs() < 1e-4);
            assert!(close, "the plain peer's {} differs: {:?} against {:?}", fast.head, plain, fast.prediction);
        }
        let fast_plain = model.predict_plain(&Article::text(text));
        for (fast, plain) in fast_plain.iter().zip(peer.predict_plain(text)) {
            assert!(fast.probabilities.iter().zip(&plain.probabilities).all(|(a, b)| (a - b).abs() < 1e-4));
        }
    }
}
