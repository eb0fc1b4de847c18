use std::path::Path;
use std::sync::OnceLock;

use super::*;
use crate::features::actors::{ArticleActors, MatchSettings};
use crate::text::article::Article;
use crate::text::tokenizer::Tokenizer;
use crate::text::tokens::Tokens;

fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/actors");
        Gazetteer::load(&dir).unwrap_or_else(|e| panic!("the shipped gazetteer loads: {e}"))
    })
}

/// Labels in the order cooperation, neutral, tension.
const LABELS: StanceLabels = StanceLabels { cooperation: 0, tension: 2, neutral: Some(1) };
const TENSE: [f32; 3] = [0.1, 0.1, 0.8];
const FRIENDLY: [f32; 3] = [0.8, 0.1, 0.1];
const NEUTRAL: [f32; 3] = [0.0, 1.0, 0.0];

/// The relations of a text whose sentences have these stances (one per sentence, in order).
fn relations_of(settings: &RelationSettings, title: &str, text: &str, stances: &[[f32; 3]]) -> Relations {
    let (actors, sentences) = read(title, text, stances);
    super::relations(gazetteer(), settings, LABELS, &sentences, &actors)
}

/// The actors of a text, and its sentences with these stances (one per sentence, in order).
fn read<'a>(title: &str, text: &str, stances: &'a [[f32; 3]]) -> (ArticleActors, Vec<SentenceInput<'a>>) {
    let actors: ArticleActors = gazetteer().matcher(MatchSettings::default()).find(&Tokenizer::default(), title, text);
    let mut ranges: Vec<(Field, Range<usize>)> = Vec::new();
    crate::text::sentences::split_each(title, |r| ranges.push((Field::Title, r)));
    crate::text::sentences::split_each(text, |r| ranges.push((Field::Text, r)));
    assert_eq!(ranges.len(), stances.len(), "one stance per sentence");
    let sentences: Vec<SentenceInput<'_>> = ranges
        .into_iter()
        .zip(stances)
        .map(|((field, range), stance)| SentenceInput { field, range, stance })
        .collect();
    (actors, sentences)
}

fn pairs(relations: &Relations) -> Vec<(&str, &str, &str, bool)> {
    let g = gazetteer();
    relations.pairs.iter().map(|r| (g.code(r.a), g.code(r.b), r.label.as_str(), r.main)).collect()
}

fn plain() -> RelationSettings {
    RelationSettings {
        window: 0,
        title_weight: 1.0,
        lead_weight: 1.0,
        min_score: 0.5,
        first_min_score: f32::MAX,
        article_share: 0.0,
        ..RelationSettings::default()
    }
}

#[test]
fn one_actor_or_none_is_no_relation() {
    for text in ["Russia said it would act.", "It rained all day.", ""] {
        let stances = vec![TENSE; crate::text::sentences::split(text).len()];
        let found = relations_of(&plain(), "", text, &stances);
        assert!(found.pairs.is_empty(), "{text}");
        assert_eq!(found.summary, RelationSummary::NoRelation);
    }
}

#[test]
fn a_pair_in_one_sentence_is_a_relation_ordered_by_code() {
    let text = "The United States warned China.";
    let found = relations_of(&plain(), "", text, &[TENSE]);
    assert_eq!(pairs(&found), [("CHN", "USA", "tension", true)]);
    assert_eq!(found.pairs[0].evidence, [(Field::Text, 0, text.len())]);
    assert!(matches!(found.summary, RelationSummary::Main { label: RelationLabel::Tension, .. }));
    let found = relations_of(&plain(), "", "China and the United States signed a deal.", &[FRIENDLY]);
    assert_eq!(pairs(&found), [("CHN", "USA", "cooperation", true)]);
    let p = found.pairs[0].probability;
    assert!(p > 0.0 && p < 1.0, "{p}");
}

#[test]
fn neutral_sentences_weigh_less_with_the_discount() {
    let text = "France and Germany are in Europe.";
    assert!(relations_of(&plain(), "", text, &[NEUTRAL]).pairs.is_empty());
    let settings = RelationSettings { neutral_discount: false, ..plain() };
    assert_eq!(relations_of(&settings, "", text, &[NEUTRAL]).pairs.len(), 1);
}

#[test]
fn adjacent_sentences_count_only_with_a_window() {
    let text = "Iran fired missiles. Israel vowed to respond.";
    assert!(relations_of(&plain(), "", text, &[TENSE, TENSE]).pairs.is_empty());
    let settings = RelationSettings { window: 1, min_score: 0.3, ..plain() };
    let found = relations_of(&settings, "", text, &[TENSE, TENSE]);
    assert_eq!(pairs(&found), [("IRN", "ISR", "tension", true)]);
    assert_eq!(found.pairs[0].evidence.len(), 2);
    // Not across the title and the text.
    assert!(relations_of(&settings, "Iran fired missiles", "Israel vowed to respond.", &[TENSE, TENSE])
        .pairs
        .is_empty());
}

#[test]
fn sentences_two_apart_count_with_window_two_at_half_the_adjacent_weight() {
    let text = "Iran fired missiles. The sirens sounded. Israel vowed to respond.";
    let stances = [TENSE, NEUTRAL, TENSE];
    let adjacent = RelationSettings { window: 1, adjacent_weight: 0.5, min_score: 0.1, ..plain() };
    assert!(relations_of(&adjacent, "", text, &stances).pairs.is_empty());
    let two = RelationSettings { window: 2, ..adjacent };
    let found = relations_of(&two, "", text, &stances);
    assert_eq!(pairs(&found), [("IRN", "ISR", "tension", true)]);
    // Both sentences weigh 1 − P(neutral) = 0.9; two apart, the pair gets 0.5 / 2 of that.
    assert!((found.pairs[0].score - 0.25 * 0.9).abs() < 1e-5, "{}", found.pairs[0].score);
    let evidence: Vec<usize> = found.pairs[0].evidence.iter().map(|&(_, start, _)| start).collect();
    assert_eq!(evidence, [0, text.find("Israel").unwrap_or(usize::MAX)]);
}

#[test]
fn evidence_comes_in_the_order_the_tally_meets_it_each_sentence_once() {
    // Iran in the first two sentences, Israel in the third: the first meets the third two
    // apart, then the second meets it one apart; the sentence naming both comes last.
    let text = "Iran fired missiles. Iran said more. Israel vowed to respond. Iran and Israel traded fire.";
    let settings = RelationSettings { window: 2, min_score: 0.1, ..plain() };
    let found = relations_of(&settings, "", text, &[TENSE; 4]);
    assert_eq!(pairs(&found), [("IRN", "ISR", "tension", true)]);
    let evidence: Vec<usize> = found.pairs[0].evidence.iter().map(|&(_, start, _)| start).collect();
    let at = |sentence: &str| text.find(sentence).unwrap_or(usize::MAX);
    assert_eq!(evidence, [0, at("Israel vowed"), at("Iran said"), at("Iran and")]);
}

#[test]
fn the_title_weighs_more() {
    let settings = RelationSettings { min_score: 1.0, title_weight: 2.0, ..plain() };
    let found = relations_of(&settings, "Japan and India sign pact", "Nothing else.", &[FRIENDLY, NEUTRAL]);
    assert_eq!(pairs(&found), [("IND", "JPN", "cooperation", true)]);
    let settings = RelationSettings { title_weight: 1.0, ..settings };
    assert!(relations_of(&settings, "Japan and India sign pact", "Nothing else.", &[FRIENDLY, NEUTRAL])
        .pairs
        .is_empty());
}

#[test]
fn the_second_pair_is_main_only_near_the_first() {
    let text = "Russia attacked Ukraine. Russia shelled Ukraine. Poland and Ukraine met.";
    let found = relations_of(&plain(), "", text, &[TENSE, TENSE, FRIENDLY]);
    assert_eq!(pairs(&found), [("RUS", "UKR", "tension", true), ("POL", "UKR", "cooperation", false)]);
    let settings = RelationSettings { main_ratio: 0.4, ..plain() };
    let found = relations_of(&settings, "", text, &[TENSE, TENSE, FRIENDLY]);
    assert!(found.pairs[1].main);
}

#[test]
fn many_actors_in_one_sentence_give_a_capped_list() {
    let names: Vec<&str> = gazetteer().actors().iter().take(40).map(|a| a.name.as_str()).collect();
    let text = format!("{} met.", names.join(", "));
    let found = relations_of(&plain(), "", &text, &[FRIENDLY]);
    assert_eq!(found.pairs.len(), plain().max_pairs);
}

#[test]
fn the_best_pair_alone_may_pass_a_lower_threshold() {
    let text = "China warned the United States. France and Germany talked.";
    let stances = [TENSE, [0.3, 0.4, 0.3]];
    let strict = RelationSettings { min_score: 2.0, ..plain() };
    assert!(relations_of(&strict, "", text, &stances).pairs.is_empty());
    let settings = RelationSettings { first_min_score: 0.5, ..strict };
    assert_eq!(pairs(&relations_of(&settings, "", text, &stances)), [("CHN", "USA", "tension", true)]);
}

#[test]
fn the_article_share_pulls_a_pair_toward_the_article_stance() {
    let text = "China and the United States met. Fighting raged. Fighting raged.";
    let stances = [FRIENDLY, TENSE, TENSE];
    assert_eq!(pairs(&relations_of(&plain(), "", text, &stances)), [("CHN", "USA", "cooperation", true)]);
    let settings = RelationSettings { article_share: 0.75, ..plain() };
    assert_eq!(pairs(&relations_of(&settings, "", text, &stances)), [("CHN", "USA", "tension", true)]);
}

/// Every case above, under settings from strict to loose: [`has_relation`] answers exactly
/// whether [`relations`] finds a pair.
#[test]
fn has_relation_answers_whether_relations_finds_a_pair() {
    let cases: [(&str, &str, &[[f32; 3]]); 7] = [
        ("", "The United States warned China.", &[TENSE]),
        ("", "France and Germany are in Europe.", &[NEUTRAL]),
        ("", "Iran fired missiles. Israel vowed to respond.", &[TENSE, TENSE]),
        ("Japan and India sign pact", "Nothing else.", &[FRIENDLY, NEUTRAL]),
        ("", "Russia attacked Ukraine. Russia shelled Ukraine. Poland and Ukraine met.", &[TENSE, TENSE, FRIENDLY]),
        ("", "China warned the United States. France and Germany talked.", &[TENSE, [0.3, 0.4, 0.3]]),
        ("", "Russia said it would act.", &[TENSE]),
    ];
    let (mut found, mut not_found) = (0, 0);
    for min_score in [0.3, 0.5, 0.9, 1.0, 1.5, 2.0, 3.0] {
        for first_min_score in [0.5, f32::MAX] {
            let settings = RelationSettings { window: 1, min_score, first_min_score, ..plain() };
            for (title, text, stances) in cases {
                let (actors, sentences) = read(title, text, stances);
                let expected = !relations(gazetteer(), &settings, LABELS, &sentences, &actors).pairs.is_empty();
                assert_eq!(has_relation(&settings, LABELS, &sentences, &actors), expected, "{min_score} {text}");
                if expected {
                    found += 1;
                } else {
                    not_found += 1;
                }
            }
        }
    }
    assert!(found > 10 && not_found > 10, "{found} found, {not_found} not");
}

#[test]
fn evidence_is_capped_at_its_room_whatever_the_settings_ask() {
    let text = "China warned Japan. ".repeat(3 * MAX_EVIDENCE);
    let stances = vec![TENSE; crate::text::sentences::split(&text).len()];
    for (max_evidence, kept) in [(2, 2), (MAX_EVIDENCE, MAX_EVIDENCE), (10 * MAX_EVIDENCE, MAX_EVIDENCE)] {
        let settings = RelationSettings { max_evidence, ..plain() };
        let found = relations_of(&settings, "", &text, &stances);
        assert_eq!(found.pairs[0].evidence.len(), kept, "max_evidence {max_evidence}");
    }
}

#[test]
fn a_state_named_only_as_a_place_weighs_the_place_weight() {
    let text = "The United States and Japan held tense talks in Beijing.";
    let full = RelationSettings { place_weight: 1.0, ..plain() };
    let all = relations_of(&full, "", text, &[TENSE]);
    let mut found: Vec<_> = pairs(&all).iter().map(|p| (p.0, p.1)).collect();
    found.sort_unstable();
    assert_eq!(found, [("CHN", "JPN"), ("CHN", "USA"), ("JPN", "USA")]);
    // 0.9 × 0.5 is under `min_score` 0.5: only the pair of the two actors is left.
    let halved = RelationSettings { place_weight: 0.5, ..plain() };
    let found = relations_of(&halved, "", text, &[TENSE]);
    assert_eq!(pairs(&found), [("JPN", "USA", "tension", true)]);
    // Named as an actor in the same sentence too, the state counts in full.
    let text = "Beijing said talks with Japan in Beijing were tense.";
    assert_eq!(pairs(&relations_of(&halved, "", text, &[TENSE])), [("CHN", "JPN", "tension", true)]);
}

#[test]
fn a_pair_under_the_share_of_the_best_or_the_crowded_threshold_is_dropped() {
    let text = "Russia attacked Ukraine. Russia attacked Ukraine again. Russia warned France.";
    let stances = [TENSE, TENSE, TENSE];
    let found = relations_of(&plain(), "", text, &stances);
    assert_eq!(pairs(&found).len(), 2, "{:?}", pairs(&found));
    let shared = RelationSettings { min_share_of_best: 0.6, ..plain() };
    assert_eq!(pairs(&relations_of(&shared, "", text, &stances)), [("RUS", "UKR", "tension", true)]);
    // Three actors: the threshold rises by one step, 0.5 + 0.5 = 1.0, over the pair named once (0.9).
    let crowded = RelationSettings { min_score_per_actor: 0.5, ..plain() };
    assert_eq!(pairs(&relations_of(&crowded, "", text, &stances)), [("RUS", "UKR", "tension", true)]);
}

/// The tally's buffers are kept by the thread between articles: an article's relations
/// are the same after a larger article with other pairs and more evidence, and after a
/// tally stopped early, as on a thread that tallied nothing before.
#[test]
fn an_articles_relations_do_not_depend_on_the_articles_before_it() {
    let many = "Russia warned Ukraine. France and Germany met Italy and Spain. Russia and Ukraine \
                talked. Japan and China signed a deal with India. Ukraine and Russia met again.";
    let many_stances = vec![TENSE; crate::text::sentences::split(many).len()];
    let few = "Iran and Iraq met.";
    let fresh = std::thread::spawn(move || relations_of(&plain(), "", few, &[FRIENDLY]))
        .join()
        .expect("the fresh thread's tally");
    relations_of(&plain(), "", many, &many_stances);
    let (actors, sentences) = read("", many, &many_stances);
    assert!(has_relation(&plain(), LABELS, &sentences, &actors));
    let after = relations_of(&plain(), "", few, &[FRIENDLY]);
    assert_eq!(after, fresh);
    assert_eq!(pairs(&after), [("IRN", "IRQ", "cooperation", true)]);
}

/// The article gate reads the whole article's probability of neutral against the setting:
/// at or above it, no relation; below it, above 1, without a neutral label or with a
/// probability that is not a number, no gate.
#[test]
fn the_article_gate_reads_the_whole_articles_neutral_probability() {
    let at = |gate: f32| RelationSettings { neutral_article_gate: gate, ..RelationSettings::default() };
    assert!(article_reads_neutral(&at(0.5), LABELS, &[0.2, 0.5, 0.3]));
    assert!(!article_reads_neutral(&at(0.5), LABELS, &[0.3, 0.49, 0.21]));
    assert!(!article_reads_neutral(&at(2.0), LABELS, &NEUTRAL));
    assert!(!article_reads_neutral(&at(0.5), LABELS, &[0.2, f32::NAN, 0.3]));
    assert!(!article_reads_neutral(&at(0.5), LABELS, &[]));
    let without_neutral = StanceLabels { neutral: None, ..LABELS };
    assert!(!article_reads_neutral(&at(0.5), without_neutral, &NEUTRAL));
    assert_eq!(RelationSettings::default().neutral_article_gate, 0.5);
}

/// A sentence whose two actors have a cue word between them ("accused") counts in full; one
/// naming them side by side ("France and Russia") counts `uncued_weight`; without the cue
/// words given, both count in full. The quick answer of `has_relation_with_cues` agrees.
#[test]
fn a_pair_without_a_cue_word_between_its_names_weighs_the_uncued_weight() {
    let text = "France accused Russia of spying. France and Russia have large armies.";
    let (actors, sentences) = read("", text, &[TENSE, TENSE]);
    let mut tokens = Tokens::new();
    tokens.read(&Tokenizer::default(), &Article { id: "cues", title: "", text });
    let cues = CueWords::of(&tokens);
    let settings = RelationSettings { uncued_weight: 0.5, min_score: 1.5, short_text_share: 0.0, ..plain() };
    let score = |cues: Option<&CueWords<'_>>| {
        let found = relations_with_cues(gazetteer(), &settings, LABELS, &sentences, &actors, cues);
        let open = RelationSettings { min_score: 0.1, ..settings };
        let all = relations_with_cues(gazetteer(), &open, LABELS, &sentences, &actors, cues);
        (found.pairs.len(), all.pairs.first().map(|pair| pair.score))
    };
    let (found, cued) = score(Some(&cues));
    assert_eq!(found, 0);
    assert!(cued.is_some_and(|s| (s - (0.9 + 0.9 * 0.5)).abs() < 1e-4), "{cued:?}");
    let (found, uncued) = score(None);
    assert_eq!(found, 1);
    assert!(uncued.is_some_and(|s| (s - 1.8).abs() < 1e-4), "{uncued:?}");
    assert!(!has_relation_with_cues(&settings, LABELS, &sentences, &actors, Some(&cues)));
    assert!(has_relation_with_cues(&settings, LABELS, &sentences, &actors, None));
    assert!(cues.any_between(Field::Text, 0, "France accused".len()));
    assert!(!cues.any_between(Field::Text, "France accused Russia".len(), text.len()));
}

/// A text of one sentence can hold less evidence than a story's threshold: the thresholds
/// are capped at `short_text_share` of the text's capacity (its sentences' place weights),
/// so its one pair named once is found; a text of two lead sentences keeps them as set, and
/// so does a one-sentence text without the cap (share 0).
#[test]
fn a_one_sentence_texts_pair_is_found_under_a_storys_threshold() {
    let story = RelationSettings { lead_weight: 1.5, min_score: 1.5, first_min_score: 1.5, ..plain() };
    let text = "China and Russia signed a gas deal.";
    // The sentence's weight as a relation is 1 − P(neutral) = 0.9: 1.5 × 0.9 = 1.35 < 1.5.
    let found = relations_of(&story, "", text, &[FRIENDLY]);
    assert_eq!(pairs(&found), [("CHN", "RUS", "cooperation", true)]);
    let (actors, sentences) = read("", text, &[FRIENDLY]);
    assert!(has_relation(&story, LABELS, &sentences, &actors));
    let uncapped = RelationSettings { short_text_share: 0.0, ..story };
    assert!(pairs(&relations_of(&uncapped, "", text, &[FRIENDLY])).is_empty());
    assert!(!has_relation(&uncapped, LABELS, &sentences, &actors));
    let two = "China and Russia signed a gas deal. The deal runs for thirty years.";
    assert!(pairs(&relations_of(&story, "", two, &[FRIENDLY, NEUTRAL])).is_empty());
    assert_eq!(text_capacity(&story, &sentences, f32::INFINITY), 1.5);
}

/// An actor named twice in a sentence is named up to its last mention there: a cue word
/// between the other actor and that last mention counts.
#[test]
fn a_cue_word_before_an_actors_last_mention_in_the_sentence_counts() {
    let text = "Russia and France, said France, accused Russia.";
    let (actors, sentences) = read("", text, &[TENSE]);
    let mut tokens = Tokens::new();
    tokens.read(&Tokenizer::default(), &Article { id: "cues", title: "", text });
    let cues = CueWords::of(&tokens);
    let settings = RelationSettings { uncued_weight: 0.5, short_text_share: 0.0, ..plain() };
    let found = relations_with_cues(gazetteer(), &settings, LABELS, &sentences, &actors, Some(&cues));
    assert_eq!(pairs(&found), [("FRA", "RUS", "tension", true)]);
    // Cued: the sentence's whole weight, 0.9; uncued it would be 0.45.
    let score = found.pairs[0].score;
    assert!((score - 0.9).abs() < 1e-4, "{score}");
}
