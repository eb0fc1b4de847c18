//! Per-sentence stance and the whole-article stance rule, on the shipped model over gRPC.

mod common;

use common::pb::{self, Field};
use common::{article, repo_root, seed_text, Server};

const MIXED: &str = "Germany and France signed a defence cooperation agreement on Monday. \
    Russia condemned the deal and threatened sanctions. \
    Berlin and Paris praised the partnership and pledged closer cooperation.";

#[tokio::test]
async fn sentences_come_back_with_offsets_and_stances() {
    let server = Server::start_with(&repo_root().join("models"), &[], &[]);
    let mut client = server.client().await;
    let request = pb::ClassifyRequest {
        // The pair is named in the title and in two sentences of the text: a pair named in
        // one sentence alone can score under the relation threshold, and an article without
        // a relation is neutral.
        article: article("m", "Germany and France sign defence pact", MIXED),
        explain: 0,
        sentences: true,
        relations: false,
    };
    let response = client.classify(request).await.expect("classify").into_inner();
    let fields: Vec<i32> = response.sentences.iter().map(|s| s.field).collect();
    assert_eq!(fields, [Field::Title as i32, Field::Text as i32, Field::Text as i32, Field::Text as i32]);
    let texts: Vec<&str> = response.sentences[1..].iter().map(|s| &MIXED[s.start as usize..s.end as usize]).collect();
    assert_eq!(texts[1], "Russia condemned the deal and threatened sanctions.");
    assert_eq!(response.sentences[1].label, "cooperation", "the agreement sentence");
    assert_eq!(response.sentences[2].label, "tension", "the threat sentence");
    assert_eq!(response.predictions["stance"].label, "cooperation", "the article leans cooperative");

    let plain =
        pb::ClassifyRequest { article: article("m", "", MIXED), explain: 0, sentences: false, relations: false };
    assert!(client.classify(plain).await.expect("classify").into_inner().sentences.is_empty());
}

#[tokio::test]
async fn articles_off_world_affairs_are_neutral_and_seeds_keep_their_stance() {
    let server = Server::start_with(&repo_root().join("models"), &[], &[]);
    let mut client = server.client().await;
    let sports = "The home side won the cup final 3-1 on Sunday. The striker scored twice in the second half. \
        The coach said the team had trained hard all season.";
    let request = pb::ClassifyRequest { article: article("s", "", sports), ..Default::default() };
    let response = client.classify(request).await.expect("classify").into_inner();
    assert_eq!(response.predictions["topic"].label, "sports");
    assert_eq!(response.predictions["stance"].label, "neutral");
    let seed = seed_text("004_aefd203c532625bc.txt");
    let request = pb::ClassifyRequest { article: article("004", "", &seed), ..Default::default() };
    let response = client.classify(request).await.expect("classify").into_inner();
    assert_eq!(response.predictions["stance"].label, "tension");
}

#[tokio::test]
async fn a_single_sentence_names_the_word_prefixes_behind_its_stance() {
    let server = Server::start_with(&repo_root().join("models"), &[], &[]);
    let mut client = server.client().await;
    let info = client.get_model_info(pb::GetModelInfoRequest {}).await.expect("info").into_inner();
    let text = "Insurgents attacked government positions and threatened further retaliation.";
    let request =
        pb::ClassifyRequest { article: article("one", "", text), explain: 100, sentences: false, relations: false };
    let response = client.classify(request).await.expect("classify").into_inner();
    let stance = &response.predictions["stance"];
    assert_eq!(stance.label, "tension");
    let prefixes: Vec<&pb::Feature> = stance.evidence.iter().filter(|f| f.term.ends_with('…')).collect();
    assert!(!prefixes.is_empty(), "no word prefix among {:?}", stance.evidence);
    assert!(prefixes.iter().all(|f| f.index >= info.dimensions), "prefixes are numbered after the vocabulary");
    let topic = &response.predictions["topic"];
    assert!(topic.evidence.iter().all(|f| f.index < info.dimensions && !f.term.ends_with('…')));
}

#[tokio::test]
async fn a_single_sentence_names_the_word_vectors_behind_its_stance() {
    let server = Server::start_with(&repo_root().join("models"), &[], &[]);
    let mut client = server.client().await;
    let info = client.get_model_info(pb::GetModelInfoRequest {}).await.expect("info").into_inner();
    // Words of older wire copy that the news sentences the head learned from hardly use.
    let text = "Artillery bombarded the besieged garrison, and the envoys were expelled.";
    let request =
        pb::ClassifyRequest { article: article("one", "", text), explain: 100, sentences: false, relations: false };
    let response = client.classify(request).await.expect("classify").into_inner();
    let stance = &response.predictions["stance"];
    assert_eq!(stance.label, "tension");
    let words: Vec<&str> = stance.evidence.iter().filter_map(|f| f.term.strip_suffix('≈')).collect();
    assert!(words.contains(&"bombarded"), "no word vector among {:?}", stance.evidence);
    let vectors: Vec<u32> = stance.evidence.iter().filter(|f| f.term.ends_with('≈')).map(|f| f.index).collect();
    assert!(vectors.iter().all(|&i| i >= info.dimensions), "word vectors are numbered after the vocabulary");
    let prefixes = stance.evidence.iter().filter(|f| f.term.ends_with('…')).map(|f| f.index).max();
    assert!(vectors.iter().all(|&i| Some(i) > prefixes), "and after the word prefixes");
}
