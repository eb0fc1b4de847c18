//! Each sentence scored from the article's one analysis against the sentence scored alone,
//! on the corpus and on generated text.

use super::*;

/// Each sentence's counts from the article's one analysis give every head the prediction
/// the sentence gets when it is an article by itself, to the bit; and the sentence stances
/// and mean [`Model::classify`] and [`Model::sentence_mean`] give are those predictions'.
fn check_sentences(model: &Model, article: &Article) -> Result<(), String> {
    let sentences = sentences_of(article);
    let mut analysis = model.vectorizer.analyse(&model.tokenizer, article, true);
    let found: Vec<(Field, std::ops::Range<usize>)> =
        analysis.tokens().sentences().iter().map(|s| (s.field(), s.bytes())).collect();
    if found != sentences {
        return Err(format!("sentences {found:?} != {sentences:?}"));
    }
    let alone: Vec<Vec<HeadPrediction>> = sentences
        .iter()
        .map(|(field, range)| model.predict_plain(&Article::text(&article.field(*field)[range.clone()])))
        .collect();
    let mut each = Vec::new();
    analysis.each_sentence_counts(|_, counts| each.push(model.predict_counts(&counts)));
    if each.len() != sentences.len() {
        return Err(format!("{} sentences' counts for {} sentences", each.len(), sentences.len()));
    }
    for (((field, range), alone), fast) in sentences.iter().zip(&alone).zip(each) {
        if fast != *alone {
            let text = &article.field(*field)[range.clone()];
            return Err(format!("sentence {field:?} {text:?}: {fast:?} != {alone:?}"));
        }
    }
    drop(analysis);
    check_sentence_answers(model, article, &alone)
}

/// The sentence stances and mean the model gives, against each sentence's own predictions
/// (`alone`): to the bit for an article of two or more sentences; a single sentence gets the
/// article's stance.
fn check_sentence_answers(model: &Model, article: &Article, alone: &[Vec<HeadPrediction>]) -> Result<(), String> {
    let bound = model.stance_rule.as_ref().ok_or("the shipped model has a stance rule")?;
    let labels = &model.heads[bound.stance].labels;
    let answer = model.classify(article, &Options { explain: 0, sentences: true, relations: false });
    let expected: Vec<(&str, f32)> = match alone {
        [_] => vec![(answer.heads[bound.stance].label(), answer.heads[bound.stance].probability())],
        _ => alone
            .iter()
            .map(|heads| &heads[bound.stance])
            .map(|p| (labels[p.best].as_str(), p.probabilities[p.best]))
            .collect(),
    };
    let got: Vec<(&str, f32)> = answer.sentences.iter().map(|s| (s.label, s.probability)).collect();
    if got != expected {
        return Err(format!("sentence stances {got:?} != {expected:?}"));
    }
    let mut mean = vec![0.0f32; labels.len()];
    for heads in alone {
        mean.iter_mut().zip(&heads[bound.stance].probabilities).for_each(|(m, p)| *m += p);
    }
    mean.iter_mut().for_each(|m| *m /= alone.len().max(1) as f32);
    let expected = SentenceMean { mean, sentences: alone.len() };
    match model.sentence_mean(article) {
        Some(fast) if fast == expected => Ok(()),
        fast => Err(format!("sentence mean {fast:?} != {expected:?}")),
    }
}

/// An answer asking for more sentences than the caller can take is refused, naming both
/// counts; at the limit, or without sentences asked for, the article gets the answer
/// [`Model::classify`] gives.
#[test]
fn classify_within_refuses_more_sentences_than_the_limit_and_answers_at_it() {
    let model = shipped();
    let text = "Talks resumed. Troops withdrew. Leaders met.";
    let article = Article::text(text);
    let asked = Options { sentences: true, ..Options::default() };
    let whole = model.classify(&article, &asked);
    assert_eq!(whole.sentences.len(), 3);
    let refused = model.classify_within(&article, &asked, 2).expect_err("3 sentences over a limit of 2");
    assert_eq!(refused, TooManySentences { sentences: 3, limit: 2 });
    assert_eq!(model.classify_within(&article, &asked, 3), Ok(whole));
    let plain = Options::default();
    assert_eq!(model.classify_within(&article, &plain, 0), Ok(model.classify(&article, &plain)));
}

#[test]
fn sentences_counted_in_one_pass_equal_sentences_alone() {
    let model = shipped();
    let documents = corpus().documents;
    for document in &documents {
        let article = Article { id: &document.id, title: &document.title, text: &document.text };
        check_sentences(&model, &article).unwrap_or_else(|e| panic!("{}: {e}", document.id));
    }
    for chunk in documents.chunks(50).step_by(10) {
        let text: String = chunk.iter().map(|d| format!("{}\n{}. ", d.title, d.text)).collect();
        check_sentences(&model, &Article { id: "", title: "A title. Two sentences!", text: &text }).unwrap();
    }
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    /// Sentence ends, abbreviations, joiners and entity debris next to each other.
    const PIECES: &[&str] = &[
        "China",
        "signed",
        "a",
        "trade",
        "deal",
        "with",
        "Israel",
        "the",
        "U.S.",
        "Mr.",
        "Gen.",
        "J.",
        "e.g.",
        "3.5",
        "1,000",
        "long-term",
        "&amp;",
        "#39;",
        "quot;",
        "café",
        "中国",
        "。",
        "！",
        " ",
        "  ",
        ". ",
        "! ",
        "? ",
        ".\n",
        "\n",
        "\r\n",
        "\"",
        "”",
        "’",
        ")",
        "(",
        "-",
        ".",
        ",",
        "?",
        "!",
        "\u{a0}",
        "\t",
        "Talks",
        "5",
        "x",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn sentences_counted_in_one_pass_equal_sentences_alone(
            text in proptest::collection::vec(proptest::sample::select(PIECES), 0..80),
            title in proptest::collection::vec(proptest::sample::select(PIECES), 0..12),
            noise in "\\PC{0,30}",
        ) {
            let model = shipped_shared();
            let text = format!("{}{noise}", text.concat());
            let title = title.concat();
            let result = check_sentences(model, &Article { id: "", title: &title, text: &text });
            prop_assert!(result.is_ok(), "{}", result.unwrap_err());
        }
    }

    fn shipped_shared() -> &'static Model {
        static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
        MODEL.get_or_init(shipped)
    }
}
