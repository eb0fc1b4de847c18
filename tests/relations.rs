//! Who with whom on bad and awkward input (issue 28 §6), through the shipped model: an
//! article naming every country many times, names at the edges of the text, across a line
//! break, in the title only, in their Unicode forms, articles with one actor or none, and a
//! story whose whole-article stance reads as neutral.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use accord::model::relations::{relations_with_cues, CueWords, RelationSettings, SentenceInput};
use accord::model::who::match_settings;
use accord::text::tokens::Tokens;
use accord::train::news;
use accord::{Article, Classification, Model, Options};

fn model() -> Model {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default/model.bin");
    Model::load(&path).expect("the shipped model loads")
}

fn with_relations<'m>(model: &'m Model, article: &Article) -> Classification<'m> {
    model.classify(article, &Options { relations: true, ..Options::default() })
}

fn codes<'a>(answer: &'a Classification<'_>) -> Vec<&'a str> {
    answer.actors.iter().map(|a| a.actor.code.as_str()).collect()
}

/// 10,000 country names (every actor of the gazetteer in turn, the first ones more often),
/// in sentences of four: the answer is capped (docs/guarantees.md), most-mentioned first,
/// and comes in bounded time.
#[test]
fn an_article_naming_ten_thousand_countries_gets_a_bounded_answer_most_mentioned_first() {
    let model = model();
    let gazetteer = model.actors().expect("the shipped model has actors");
    let names: Vec<&str> = gazetteer.actors().iter().map(|a| a.name.as_str()).collect();
    let mut named = Vec::new();
    for round in 0..10_000 {
        // Every third name is the first actor: it is the most mentioned.
        named.push(if round % 3 == 0 { names[0] } else { names[round % names.len()] });
    }
    let text: String =
        named.chunks(4).map(|four| format!("{} met {}, {} and {}. ", four[0], four[1], four[2], four[3])).collect();
    let started = Instant::now();
    let answer = with_relations(&model, &Article::text(&text));
    let elapsed = started.elapsed();
    let caps = match_settings();
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?} for {} bytes", text.len());
    assert_eq!(answer.actors.len(), caps.max_actors, "capped at {}", caps.max_actors);
    assert_eq!(answer.actors[0].actor.name, names[0], "the most mentioned comes first");
    assert!(answer.actors.windows(2).all(|w| w[0].count >= w[1].count), "most mentioned first");
    assert!(answer.actors.iter().all(|a| a.mentions.len() <= caps.max_mentions));
    assert!(answer.actors[0].count as usize > caps.max_mentions, "all mentions are counted past the kept ones");
    assert!(answer.relations.len() <= 16, "{} relations", answer.relations.len());
    assert!(answer.relations.iter().all(|r| r.evidence.len() <= 8));
    assert!(answer.relations.iter().all(|r| r.a.code < r.b.code), "a before b");
}

/// Names at the very start and the very end of the text, with nothing around them.
#[test]
fn names_at_the_edges_of_the_text_are_found_with_their_bytes() {
    let model = model();
    let text = "Pakistan signed a pipeline agreement with China";
    let answer = with_relations(&model, &Article::text(text));
    assert_eq!(codes(&answer), ["PAK", "CHN"], "both, in the order they are named");
    let spans: Vec<(usize, usize)> = answer.actors.iter().map(|a| (a.mentions[0].1, a.mentions[0].2)).collect();
    assert_eq!(spans, [(0, 8), (text.len() - 5, text.len())]);
}

/// A multi-word name broken over a line is one name; the title alone can name the actors.
#[test]
fn a_name_across_a_line_break_and_names_in_the_title_only_are_found() {
    let model = model();
    let answer = with_relations(&model, &Article::text("Talks with the United\nStates resumed in Geneva on Monday."));
    assert_eq!(codes(&answer), ["USA"]);
    let article =
        Article { id: "t", title: "Egypt and Sudan agree on Nile dam talks", text: "Talks resume next week." };
    let answer = with_relations(&model, &article);
    assert_eq!(codes(&answer), ["EGY", "SDN"], "South Sudan is not named; both are in the title");
    assert!(answer.actors.iter().all(|a| a.mentions.iter().all(|m| m.0 == accord::Field::Title)));
}

/// Accented names and their unaccented spellings name the same states.
#[test]
fn unicode_names_are_found_with_and_without_accents() {
    let model = model();
    for (text, code) in [
        ("Türkiye hosted the summit on Monday.", "TUR"),
        ("Côte d'Ivoire hosted the summit on Monday.", "CIV"),
        ("Cote d'Ivoire hosted the summit on Monday.", "CIV"),
        ("São Tomé and Príncipe hosted the summit on Monday.", "STP"),
        ("Sao Tome and Principe hosted the summit on Monday.", "STP"),
    ] {
        let answer = with_relations(&model, &Article::text(text));
        assert_eq!(codes(&answer), [code], "{text}");
        let (_, start, end) = answer.actors[0].mentions[0];
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end) && start == 0, "{text}: {start}..{end}");
    }
}

/// One actor, or none, is no relation and no error, whatever the sentences say.
#[test]
fn one_actor_or_none_is_no_relation() {
    let model = model();
    for text in [
        "France condemned the attack. France warned of sanctions. France recalled its ambassador.",
        "The storm flooded the valley. Rescuers searched for survivors through the night.",
        "",
    ] {
        let answer = with_relations(&model, &Article { id: "x", title: "", text });
        assert!(answer.relations.is_empty(), "{text}");
        assert!(answer.actors.len() <= 1, "{text}");
    }
}

/// A news dateline says where the story was filed: its place names no actor and makes no
/// pair, in the text; the same words later in the story still do.
#[test]
fn a_dateline_names_no_actor_and_makes_no_relation() {
    let model = model();
    let text = "BRUSSELS (Reuters) - Belgium and France signed a defence pact on Monday. \
                Belgium praised France for the deal.";
    let answer = with_relations(&model, &Article::text(text));
    assert_eq!(codes(&answer), ["BEL", "FRA"]);
    assert!(answer.relations.iter().all(|r| r.a.code != "EU" && r.b.code != "EU"));
    let text = "Canadian Press - CANBERRA, Australia (AP) - Diplomats investigated a report that an oil \
                engineer had been abducted in Yemen. Canberra asked Yemen for help.";
    let answer = with_relations(&model, &Article::text(text));
    let dateline_end = "Canadian Press - CANBERRA, Australia (AP) - ".len();
    let first_mention = answer.actors.iter().flat_map(|a| &a.mentions).map(|m| m.1).min();
    assert!(first_mention.is_some_and(|start| start >= dateline_end), "{:?}", answer.actors);
    let counts: Vec<(&str, u32)> = answer.actors.iter().map(|a| (a.actor.code.as_str(), a.count)).collect();
    assert_eq!(counts, [("YEM", 2), ("AUS", 1)], "Canberra and Yemen each named once past the dateline");
}

/// A match report names two national teams together sentence after sentence, but its whole
/// article stance reads as neutral: it reports no relation (the article gate,
/// `RelationSettings::neutral_article_gate`), where the co-mentions alone would make one.
#[test]
fn a_story_whose_whole_article_stance_reads_neutral_reports_no_relation() {
    let model = model();
    let title = "World Cup: Sweden beat South Korea, Belgium beat Panama";
    let text = "Sweden beat South Korea 1 – 0 in the football World Cup on Monday. \
                Sweden had more of the ball, and South Korea's goalkeeper saved two shots from Sweden's forwards. \
                Sweden scored from a penalty in the second half after South Korea's defender fouled a Swedish striker. \
                Later in the day Belgium beat Panama 3 – 0, and England beat Tunisia 2 – 1 with a late goal.";
    let article = Article { id: "match", title, text };
    let answer = with_relations(&model, &article);
    let stance = answer.heads.iter().find(|h| h.head == "stance").expect("a stance head");
    assert_eq!(stance.label(), "neutral");
    assert!(answer.relations.is_empty(), "{:?}", answer.relations);

    // The same co-mentions without the gate make a pair: the gate, not the scores, leaves it out.
    let gazetteer = model.actors().expect("the shipped model has actors");
    let (_, labels) = news::stance_labels(&model).expect("the stance rule");
    let without_actors = model.clone().with_actors(None);
    let whole = without_actors.classify(&article, &Options::default());
    let article_stance =
        &whole.heads.iter().find(|h| h.head == "stance").expect("a stance head").prediction.probabilities;
    let neutral = labels.neutral.map(|n| article_stance[n]);
    assert!(neutral.is_some_and(|p| p >= RelationSettings::default().neutral_article_gate), "{article_stance:?}");
    let sentences = model.sentence_probabilities(&article).expect("the stance rule");
    let actors = gazetteer.matcher(match_settings()).find(model.tokenizer(), title, text);
    let ungated = RelationSettings { neutral_article_gate: f32::INFINITY, ..RelationSettings::default() };
    let pairs = news::found_pairs(gazetteer, &ungated, labels, (article_stance, &sentences), (&actors, None));
    assert!(pairs.iter().any(|p| (p.a.as_str(), p.b.as_str()) == ("KOR", "SWE")), "{pairs:?}");
}

/// The served answer weighs a sentence naming two actors with no interaction word between
/// them by `RelationSettings::uncued_weight`, reading the cue words off the article's own
/// tokens: the served pair has the score, and so the probability, the relations find with
/// the cue words, not the one they find without.
#[test]
fn the_served_relations_weigh_pairs_named_without_a_cue_word_between_them() {
    let model = model();
    let title = "Iran and Iraq hold elections";
    let text = "Iran and Iraq both held elections on Sunday. \
                Voters in Iran and Iraq waited for hours. \
                The Iraqi and Iranian electoral commissions counted ballots overnight.";
    let article = Article { id: "cues", title, text };
    let gazetteer = model.actors().expect("the shipped model has actors");
    let (_, labels) = news::stance_labels(&model).expect("the stance rule");
    let sentences = model.sentence_probabilities(&article).expect("the stance rule");
    let actors = gazetteer.matcher(match_settings()).find(model.tokenizer(), title, text);
    let mut tokens = Tokens::new();
    tokens.read(model.tokenizer(), &article);
    let cues = CueWords::of(&tokens);
    let inputs: Vec<SentenceInput<'_>> = sentences
        .iter()
        .map(|(field, range, stance)| SentenceInput { field: *field, range: range.clone(), stance })
        .collect();
    let settings = RelationSettings::default();
    let probability = |cues: Option<&CueWords<'_>>| {
        relations_with_cues(gazetteer, &settings, labels, &inputs, &actors, cues).pairs.first().map(|r| r.probability)
    };
    let (with_cues, without) = (probability(Some(&cues)), probability(None));
    let served = with_relations(&model, &article).relations.first().map(|r| r.probability);
    assert!(served.zip(with_cues).is_some_and(|(s, c)| (s - c).abs() < 1e-6), "{served:?} {with_cues:?}");
    assert!(served.zip(without).is_some_and(|(s, w)| (s - w).abs() > 1e-3), "{served:?} {without:?}");
}

/// A text of one sentence gets its stance from the single-sentence head, and the served
/// relations read that answer as the sentence's stance: `news::read` hands the measuring
/// harnesses the same, so that what they score is what a caller gets.
#[test]
fn a_one_sentence_texts_reading_gives_the_served_relations() {
    let model = model();
    let gazetteer = model.actors().expect("the shipped model has actors");
    let (_, labels) = news::stance_labels(&model).expect("the stance rule");
    let without_actors = model.clone().with_actors(None);
    for text in [
        "Insurgents and American forces clashed briefly Thursday near the Iraqi city.",
        "Japan Won't Have U.S. Beef Anytime Soon (Reuters)",
    ] {
        let story = news::NewsStory {
            id: "one".to_owned(),
            title: String::new(),
            text: text.to_owned(),
            labels: news::StoryLabels { stance: "neutral".to_owned() },
            relations: Vec::new(),
        };
        let reading = news::read(&model, &without_actors, &story).expect("a reading");
        assert_eq!(reading.sentences.len(), 1, "{text}");
        let actors = gazetteer.matcher(match_settings()).find(model.tokenizer(), "", text);
        let mut tokens = Tokens::new();
        tokens.read(model.tokenizer(), &Article::text(text));
        let found = news::found_pairs(
            gazetteer,
            &RelationSettings::default(),
            labels,
            (&reading.model_probabilities, &reading.sentences),
            (&actors, Some(&CueWords::of(&tokens))),
        );
        let served = news::served_pairs(&model, &story);
        assert!(!served.is_empty(), "{text}");
        assert_eq!(found, served, "{text}");
    }
}
