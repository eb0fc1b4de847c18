//! The shipped model through the fast path against the plain path it replaced: reference
//! tokenizer, string-keyed vocabulary, [`LinearHead::predict`] on the sparse vector.

use std::path::Path;

use super::*;
use crate::features::vectorizer::reference::Reference;
use crate::text::article::Field;
use crate::text::tokenizer::{passes, reference};

fn shipped() -> Model {
    Model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default/model.bin")).expect("shipped model loads")
}

fn corpus() -> crate::Corpus {
    crate::Corpus::load(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("data")]).expect("data/ loads")
}

/// Every head's own prediction (before the article-stance rule) and the evidence terms, the
/// fast path against the plain one.
fn check_article(model: &Model, reference: &Reference<'_>, article: &Article, tolerance: f32) {
    let vector = reference.transform(model.tokenizer(), article);
    assert_eq!(model.vectorize(article), vector, "{}", article.id);
    let expected = model.classify_vector(&vector, 0);
    for (got, expected) in model.predict_plain(article).iter().zip(&expected) {
        for (p, q) in got.probabilities.iter().zip(&expected.prediction.probabilities) {
            assert!((p - q).abs() < tolerance, "{}: {p} != {q}", article.id);
        }
        assert_eq!(got.best, expected.prediction.best, "{}", article.id);
    }
    let one_sentence = sentences_of(article).len() < 2;
    let options = Options { explain: 5, ..Options::default() };
    for (head, result) in model.heads().iter().zip(model.classify(article, &options).heads) {
        let (head, vector) = match model.sentence_head().filter(|h| one_sentence && h.name == head.name) {
            Some(sentence_head) => (sentence_head, reference_sentence_vector(model, article, &vector)),
            None => (head, vector.clone()),
        };
        let evidence: Vec<(u32, f32)> = result.evidence.iter().map(|e| (e.index, e.weight)).collect();
        assert_eq!(evidence, head.evidence(&vector, result.prediction.best, 5), "{}", article.id);
        assert!(result.evidence.iter().all(|e| feature_index(model, e.term) == Some(e.index)), "{}", article.id);
    }
}

/// The single-sentence head's input from the plain tokenizer's tokens.
fn reference_sentence_vector(model: &Model, article: &Article, vector: &SparseVector) -> SparseVector {
    let mut tokens = Vec::new();
    for (_, field) in article.fields() {
        model.tokenizer().for_each_plain(field, |_, _, token| tokens.push(token.to_owned()));
    }
    let tokens = || tokens.iter().map(String::as_str);
    let mut joined = vector.clone();
    let mut offset = model.vectorizer().dimensions();
    if let Some(prefixes) = model.sentence_prefixes() {
        joined.push_block(offset, &prefixes.vector_of_tokens(tokens()));
        offset += prefixes.dimensions();
    }
    if let Some(words) = model.sentence_word_vectors() {
        joined.push_block(offset, &words.vector_of_tokens(tokens()));
    }
    joined
}

/// The feature index of a vocabulary term, a word-prefix term or a word-vector term.
fn feature_index(model: &Model, term: &str) -> Option<u32> {
    let dimensions = model.vectorizer().dimensions();
    let prefixes = model.sentence_prefixes();
    if term.ends_with(crate::features::word_vectors::MARK) {
        let words = model.sentence_word_vectors()?;
        let index = words.terms().iter().position(|t| t == term)?;
        return u32::try_from(dimensions + prefixes.map_or(0, |p| p.dimensions()) + index).ok();
    }
    match prefixes {
        Some(prefixes) if term.ends_with(crate::features::word_prefixes::MARK) => {
            Some(dimensions as u32 + prefixes.index_of(term)?)
        }
        _ => model.vectorizer().index_of(term),
    }
}

#[test]
fn shipped_model_classifies_as_the_plain_path_does() {
    let model = shipped();
    let reference = Reference::new(model.vectorizer());
    for document in corpus().documents.iter() {
        let article = Article { id: &document.id, title: &document.title, text: &document.text };
        check_article(&model, &reference, &article, 1e-6);
    }
}

/// Articles of about 100 KB (some 9,000 features): the plain path sums the squares for the
/// norm in f32, which alone moves its probabilities by up to ~1e-6 from the exact values; the
/// fast path sums in f64. So the two agree to a few 1e-6 here, and to 1e-6 on news-sized
/// articles (above).
#[test]
fn long_articles_classify_as_the_plain_path_does() {
    let model = shipped();
    let reference = Reference::new(model.vectorizer());
    let documents = corpus().documents;
    for chunk in documents.chunks(400).step_by(4) {
        let text: String = chunk.iter().map(|d| format!("{}\n{}\n", d.title, d.text)).collect();
        check_article(&model, &reference, &Article::text(&text), 4e-6);
    }
}

#[test]
fn an_article_without_known_terms_gets_the_bias_alone() {
    let model = shipped();
    for article in [Article::text(""), Article::text("zzqx qqzx"), Article { id: "", title: "", text: "  ;;; " }] {
        let expected = model.classify_vector(&SparseVector::default(), 2);
        for (got, expected) in model.predict_plain(&article).iter().zip(&expected) {
            assert_eq!(got.best, expected.prediction.best);
            for (p, q) in got.probabilities.iter().zip(&expected.prediction.probabilities) {
                assert!((p - q).abs() < 1e-7, "{p} != {q}");
            }
        }
        let options = Options { explain: 2, sentences: true, relations: false };
        assert!(model.classify(&article, &options).heads.iter().all(|result| result.evidence.is_empty()));
    }
}

/// The whole answer (every head with evidence, each sentence's stance, the single-sentence
/// head's blocks) comes from one reading of each field: the tokenizer passes over a text
/// are counted on this thread.
#[test]
fn classify_reads_each_field_of_an_article_once() {
    let model = shipped();
    let several = "China and Israel signed a trade deal. Talks resume in Geneva on Monday.\nThe ministers left.";
    let articles = [
        Article { id: "several", title: "Trade talks resume", text: several },
        Article::text("Militants attacked a border post, killing four soldiers."),
    ];
    for (article, sentences) in articles.iter().zip([4, 1]) {
        let before = passes::so_far();
        let answer = model.classify(article, &Options { explain: 3, sentences: true, relations: true });
        assert_eq!(passes::so_far() - before, 2, "{}: one pass over the title, one over the text", article.id);
        assert_eq!(answer.sentences.len(), sentences, "{}", article.id);
        let codes: Vec<&str> = answer.actors.iter().map(|a| a.actor.code.as_str()).collect();
        assert_eq!(codes, if sentences == 4 { vec!["CHN", "ISR"] } else { vec![] }, "{}", article.id);
        assert!(answer.heads.iter().all(|head| !head.evidence.is_empty()), "{}", article.id);
    }
}

#[test]
fn tokenize_gives_the_reference_tokens() {
    let model = shipped();
    for document in corpus().documents.iter().step_by(7) {
        let mut expected = Vec::new();
        reference::for_each(model.tokenizer().settings(), &document.text, |start, end, text| {
            expected.push(Token { text: text.to_owned(), start, end })
        });
        assert_eq!(model.tokenize(&document.text), expected);
    }
}

#[test]
fn a_vocabulary_whose_keys_collide_is_refused() {
    let model = shipped();
    let terms = vec!["alpha".to_owned(), "beta".to_owned()];
    let vectorizer = TfIdf::from_parts_keyed(VectorizerSettings::default(), terms, vec![1.0, 1.0], |_| 42);
    let heads = vec![LinearHead {
        name: "h".into(),
        labels: vec!["a".into(), "b".into()],
        weights: vec![0.0; 4],
        bias: vec![0.0; 2],
    }];
    let error = Model::from_parts(model.meta().clone(), TokenizerSettings::default(), vectorizer, heads, None)
        .expect_err("colliding keys are refused");
    let message = error.to_string();
    assert!(message.contains("`alpha` and `beta` have the same 64-bit key"), "{message}");
}

#[test]
fn a_single_sentence_head_unlike_its_stance_head_is_refused() {
    let model = shipped();
    let mut sentence_head = model.sentence_head().expect("the shipped model has a single-sentence head").clone();
    sentence_head.labels.swap(0, 1);
    let error = Model::from_parts(
        model.meta().clone(),
        TokenizerSettings::default(),
        model.vectorizer().clone(),
        model.heads().to_vec(),
        Some(SentenceHead {
            head: sentence_head,
            prefixes: model.sentence_prefixes().cloned(),
            word_vectors: model.sentence_word_vectors().cloned(),
        }),
    )
    .expect_err("other labels are refused");
    assert!(error.to_string().contains("single-sentence head: it must be head `stance`"), "{error}");
}

/// The sentences of title and text, as the sentence splitter gives them, title first.
fn sentences_of(article: &Article) -> Vec<(Field, std::ops::Range<usize>)> {
    let split = |(field, text)| crate::text::sentences::split(text).into_iter().map(move |range| (field, range));
    article.fields().into_iter().flat_map(split).collect()
}

/// Each sentence's counts from the article's one analysis give every head the prediction
/// the sentence gets when it is an article by itself, to the bit; and the sentence stances
/// and mean [`Model::classify`] and [`Model::sentence_mean`] give are those predictions'.
fn check_sentences(model: &Model, article: &Article) -> Result<(), String> {
    let sentences = sentences_of(article);
    let mut analysis = model.vectorizer.analyse(&model.tokenizer, article, true);
    let found: Vec<(Field, std::ops::Range<usize>)> =
        analysis.tokens().sentences().iter().map(|s| (s.field, s.bytes.clone())).collect();
    if found != sentences {
        return Err(format!("sentences {found:?} != {sentences:?}"));
    }
    let alone: Vec<Vec<HeadPrediction>> = sentences
        .iter()
        .map(|(field, range)| model.predict_plain(&Article::text(&article.field(*field)[range.clone()])))
        .collect();
    for (index, ((field, range), alone)) in sentences.iter().zip(&alone).enumerate() {
        let fast = model.predict_counts(&analysis.sentence_counts(index));
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

mod sentences {
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

/// The shipped model's file with its stored gazetteer rows changed by `edit`.
fn with_gazetteer_edit(edit: impl FnOnce(&mut crate::features::actors::GazetteerData)) -> Vec<u8> {
    let bytes = shipped().to_bytes().expect("encodes");
    let mut parts = file::decode(&bytes).expect("decodes");
    edit(parts.actors.as_mut().expect("the shipped model stores its actors"));
    file::encode_parts(&parts).expect("encodes")
}

#[test]
fn a_model_file_keeps_its_actor_gazetteer() {
    let model = shipped();
    let gazetteer = model.actors().expect("the shipped model has actors");
    let expected = crate::features::actors::Gazetteer::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/actors"))
        .expect("data/actors loads");
    assert_eq!(gazetteer, &expected, "the model stores data/actors as it is");
    let reloaded = Model::from_bytes(&model.to_bytes().expect("encodes")).expect("loads");
    assert_eq!(reloaded.actors(), Some(gazetteer));
    assert_eq!(Model::from_bytes(&with_gazetteer_edit(|_| ())).expect("unchanged rows load").actors(), Some(gazetteer));
}

#[test]
fn a_model_file_with_a_bad_gazetteer_is_refused_with_its_reason() {
    let unknown = with_gazetteer_edit(|data| data.names[0].code = "NOWHERE".into());
    let error = Model::from_bytes(&unknown).expect_err("a name of an unknown actor");
    assert!(matches!(error, ModelError::Actors(_)), "{error:?}");
    assert!(error.to_string().contains("NOWHERE"), "{error}");
    let twice = with_gazetteer_edit(|data| {
        let first = data.actors[0].clone();
        data.actors.push(first);
    });
    assert!(matches!(Model::from_bytes(&twice), Err(ModelError::Actors(_))), "a code listed twice");
    let long = with_gazetteer_edit(|data| data.names[0].pattern = ["word"; 17].join(" "));
    assert!(matches!(Model::from_bytes(&long), Err(ModelError::Actors(_))), "a pattern of 17 tokens");
    let many = with_gazetteer_edit(|data| data.stopnames = vec!["Nowhere".into(); file::MAX_ACTOR_NAMES + 1]);
    let error = Model::from_bytes(&many).expect_err("too many patterns");
    assert!(error.to_string().contains("name patterns"), "{error}");
}

/// The actors [`Model::classify`] finds from its own token stream are those the matcher
/// finds tokenizing the article itself.
#[test]
fn classify_finds_the_actors_the_matcher_finds() {
    let model = shipped();
    let gazetteer = model.actors().expect("actors");
    let options = Options { relations: true, ..Options::default() };
    for document in corpus().documents.iter().step_by(97).chain(news_stories().iter()) {
        let article = Article { id: &document.id, title: &document.title, text: &document.text };
        let expected = gazetteer.matcher(crate::model::who::match_settings()).find(
            model.tokenizer(),
            &document.title,
            &document.text,
        );
        let answer = model.classify(&article, &options);
        let codes: Vec<&str> = answer.actors.iter().map(|a| a.actor.code.as_str()).collect();
        let expected_codes: Vec<&str> = expected.actors.iter().map(|a| gazetteer.code(a.actor)).collect();
        assert_eq!(codes, expected_codes, "{}", document.id);
        let mentions: usize = answer.actors.iter().map(|a| a.mentions.len()).sum();
        assert_eq!(mentions, expected.mentions.len(), "{}", document.id);
        // Each actor's own mentions, in the article's order.
        for (named, count) in answer.actors.iter().zip(&expected.actors) {
            let own: Vec<(Field, usize, usize)> = expected
                .mentions
                .iter()
                .filter(|m| m.actor == count.actor)
                .map(|m| (m.field, m.start, m.end))
                .collect();
            assert_eq!(named.mentions, own, "{} {}", document.id, named.actor.code);
        }
    }
}

fn news_stories() -> Vec<crate::Document> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/news/articles.jsonl");
    let text = std::fs::read_to_string(path).expect("data/news");
    text.lines().map(|line| serde_json::from_str(line).expect("a story")).collect()
}

/// The buffers a thread keeps between articles (the matcher's, the tally's, the sentences'
/// stance probabilities) leave nothing behind: each story's answer, relations and their
/// probabilities included, is the one a thread that classified nothing before gives.
#[test]
fn an_answer_does_not_depend_on_the_articles_before_it_on_the_thread() {
    let model = std::sync::Arc::new(shipped());
    let stories = news_stories();
    fn answer(model: &Model, story: &crate::Document) -> (String, Vec<String>) {
        let article = Article { id: &story.id, title: &story.title, text: &story.text };
        let found = model.classify(&article, &Options { explain: 0, sentences: false, relations: true });
        let relations: Vec<String> = found
            .relations
            .iter()
            .map(|r| format!("{} {} {:?} {} {:?}", r.a.code, r.b.code, r.label, r.probability, r.evidence))
            .collect();
        (format!("{:?}", found.heads), relations)
    }
    let chosen: Vec<crate::Document> = stories.into_iter().step_by(7).take(12).collect();
    let mut related = 0;
    for story in &chosen {
        let (shared, alone) = (model.clone(), story.clone());
        let fresh = std::thread::spawn(move || answer(&shared, &alone)).join().expect("a fresh thread");
        related += usize::from(!fresh.1.is_empty());
        assert_eq!(answer(&model, story), fresh, "{}", story.id);
    }
    assert!(related >= 3, "only {related} stories with relations");
}

/// One answer per article: the heads do not depend on what else the caller asks for.
#[test]
fn the_heads_do_not_depend_on_the_options() {
    let model = shipped();
    for story in news_stories().iter().step_by(5) {
        let article = Article { id: &story.id, title: &story.title, text: &story.text };
        let plain = model.classify(&article, &Options::default()).heads;
        for (sentences, relations) in [(true, false), (false, true), (true, true)] {
            let options = Options { explain: 0, sentences, relations };
            assert_eq!(model.classify(&article, &options).heads, plain, "{} {options:?}", story.id);
        }
    }
}

/// An article of several sentences in which no two actors relate is neutral; the same
/// article with a relation added is not forced to be.
#[test]
fn an_article_without_a_relation_leans_neutral() {
    let model = shipped();
    let stance = |article: &Article| {
        let answer = model.classify(article, &Options { relations: true, ..Options::default() });
        let head = answer.heads.iter().find(|h| h.head == "stance").expect("a stance head").clone();
        (head.label().to_owned(), head.probability(), answer.relations.len())
    };
    let domestic = "Police clashed with protesters in the capital on Sunday. Dozens were arrested and tear gas was fired. The opposition condemned the violent crackdown and vowed more protests.";
    let (label, probability, relations) = stance(&Article::text(domestic));
    assert_eq!((label.as_str(), relations), ("neutral", 0), "{probability}");
    assert!(probability >= crate::model::stance_rule::NO_RELATION_NEUTRAL);
    let between = "China condemned the United States over new sanctions and threatened retaliation. Beijing said Washington's tariffs violate trade rules and warned the United States of countermeasures. China and the United States traded accusations at the talks.";
    let (label, _, relations) = stance(&Article::text(between));
    assert!(relations >= 1, "China and the United States relate");
    assert_eq!(label, "tension");
}
