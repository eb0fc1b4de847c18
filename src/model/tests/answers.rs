//! The whole answer on the shipped model: the actors it finds, and heads that depend neither
//! on the articles before on the thread nor on the options asked for.

use super::*;

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
