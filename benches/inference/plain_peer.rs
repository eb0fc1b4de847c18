//! The peer the fast path is read against: the same path written plainly, as a user of the
//! library would write it without measuring. The plain tokenizer (one byte at a time), every
//! unigram and bigram built as a string and looked up in a `HashMap`
//! ([`accord::features::vectorizer::reference::Reference`]), the sorted sparse vector, and each head's
//! plain sparse dot product and softmax ([`LinearHead::predict`]); for the article-stance
//! rule, each sentence vectorized the same way by itself; a single sentence's blocks (word
//! prefixes, word vectors) as the model makes them, by string lookups. Not the actors: it is
//! read against a model without its gazetteer (`Model::with_actors(None)`), whose answers it gives
//! (checked before anything is timed), so the ratio of the two paths in one run says what
//! the fast path buys, and drifts less with the host's speed than either figure.

use accord::features::vectorizer::reference::Reference;
use accord::model::head::HeadPrediction;
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
        let Some(rule) = self.model.article_stance() else { return predictions };
        let (Some(stance), Some(topic)) = (self.head_index(&rule.stance_head), self.head_index(&rule.topic_head))
        else {
            return predictions;
        };
        let sentences = accord::text::sentences::split(text);
        if sentences.len() < 2 {
            if let Some(head) = self.model.sentence_head() {
                let article = Article::text(text);
                predictions[stance] = head.predict(&self.model.sentence_vector(&article, &self.vectorize(text)));
            }
            return predictions;
        }
        let stance_head = &self.model.heads()[stance];
        let mut mean = vec![0.0f32; stance_head.labels.len()];
        for range in &sentences {
            let sentence = stance_head.predict(&self.vectorize(&text[range.clone()]));
            mean.iter_mut().zip(&sentence.probabilities).for_each(|(m, p)| *m += p);
        }
        mean.iter_mut().for_each(|m| *m /= sentences.len() as f32);
        let topic_labels = &self.model.heads()[topic].labels;
        let relation = topic_labels
            .iter()
            .position(|label| *label == rule.relation_label)
            .map_or(0.0, |label| predictions[topic].probabilities[label]);
        let probabilities = rule.combine(&stance_head.labels, &mean, relation);
        predictions[stance] = HeadPrediction { best: accord::model::head::argmax(&probabilities), probabilities };
        predictions
    }

    fn head_index(&self, name: &str) -> Option<usize> {
        self.model.heads().iter().position(|head| head.name == name)
    }
}

/// Panics unless the peer gives the model's answers on every text: every head's
/// probabilities within 1e-4 of the model's (the fast path sums in another order).
pub fn check_same_answers(model: &Model, peer: &PlainPeer<'_>, texts: &[String]) {
    for text in texts {
        let fast = model
            .classify(&Article::text(text), &accord::Options { explain: 0, sentences: false, relations: false })
            .heads;
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
