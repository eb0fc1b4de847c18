//! Measures actor matching and relation extraction on the hand-labeled news stories in
//! `data/news/articles.jsonl` with the shipped model, beside a plain co-occurrence baseline.
//!
//! `cargo run --release --example relations_eval [model.bin] [articles.jsonl] [actors dir]`
//!
//! Prints pair precision/recall/F1, main-pair recall, stance accuracy on found pairs,
//! relation-free stories answered with none, the article stance (3-class macro-F1 and
//! cooperation-vs-tension macro-F1) of the model as it is and under the relation rules,
//! the grid of settings the defaults were chosen from, and a 2-fold held-out check of
//! that choice.

mod score;

use std::ops::Range;
use std::path::Path;

use accord::features::actors::{AmbiguousRule, ArticleActors, Field, Gazetteer, MatchSettings};
use accord::model::relations::{relations, MainBy, RelationSettings, SentenceInput, StanceLabels};
use accord::{Article, Model, Options};
use score::{stance_scores, Answer, Pair, PairScores, StanceRule};
use serde::Deserialize;

#[derive(Deserialize)]
struct Story {
    id: String,
    title: String,
    text: String,
    labels: StoryLabels,
    relations: Vec<GoldRelation>,
}

#[derive(Deserialize)]
struct StoryLabels {
    stance: String,
}

#[derive(Deserialize)]
struct GoldRelation {
    a: String,
    b: String,
    stance: String,
    main: bool,
}

/// A story with everything the relation settings do not change computed once.
struct Prepared {
    id: String,
    gold_stance: String,
    gold: Vec<Pair>,
    model_stance: String,
    model_binary: String,
    sentences: Vec<(Field, Range<usize>, Vec<f32>)>,
    /// The actors under each ambiguous rule, in [`AMBIGUOUS`] order.
    actors: Vec<ArticleActors>,
}

const AMBIGUOUS: [AmbiguousRule; 3] = [AmbiguousRule::Supported, AmbiguousRule::Always, AmbiguousRule::Never];

/// The stance head's probabilities for every sentence of the article, each scored as if it
/// were an article alone. The only place the harness reads per-sentence stance from the model.
fn sentence_stances(model: &Model, stance_head: usize, article: &Article) -> Vec<(Field, Range<usize>, Vec<f32>)> {
    let answer = model.classify(article, &Options { explain: 0, sentences: true, relations: false });
    answer
        .sentences
        .into_iter()
        .map(|sentence| {
            let text = &article.field(sentence.field)[sentence.range.clone()];
            let heads = model.predict_plain(&Article::text(text));
            (sentence.field, sentence.range, heads[stance_head].probabilities.clone())
        })
        .collect()
}

fn prepare(model: &Model, gazetteer: &Gazetteer, stance_head: usize, labels: StanceLabels, story: Story) -> Prepared {
    let article = Article { id: &story.id, title: &story.title, text: &story.text };
    let stance = &model.classify(&article, &Options::default()).heads[stance_head];
    let p = &stance.prediction.probabilities;
    let model_binary = if p[labels.tension] >= p[labels.cooperation] { "tension" } else { "cooperation" };
    let actors = AMBIGUOUS
        .iter()
        .map(|&ambiguous| {
            let settings = MatchSettings { ambiguous, ..MatchSettings::default() };
            gazetteer.matcher(settings).find(model.tokenizer(), &story.title, &story.text)
        })
        .collect();
    let gold = story
        .relations
        .iter()
        .map(|r| Pair { a: r.a.clone(), b: r.b.clone(), stance: r.stance.clone(), main: r.main })
        .collect();
    Prepared {
        gold_stance: story.labels.stance.clone(),
        gold,
        model_stance: stance.label().to_owned(),
        model_binary: model_binary.to_owned(),
        sentences: sentence_stances(model, stance_head, &article),
        actors,
        id: story.id,
    }
}

/// Every story's answer under `settings`, with the actors of ambiguous rule `rule`.
fn answer<'a>(
    gazetteer: &Gazetteer,
    labels: StanceLabels,
    settings: &RelationSettings,
    rule: usize,
    stories: &[&'a Prepared],
) -> Vec<Answer<'a>> {
    stories
        .iter()
        .map(|story| {
            let sentences: Vec<SentenceInput<'_>> = story
                .sentences
                .iter()
                .map(|(field, range, stance)| SentenceInput { field: *field, range: range.clone(), stance })
                .collect();
            let found = relations(gazetteer, settings, labels, &sentences, &story.actors[rule]);
            let predicted = found
                .pairs
                .iter()
                .map(|r| Pair {
                    a: gazetteer.code(r.a).to_owned(),
                    b: gazetteer.code(r.b).to_owned(),
                    stance: r.label.as_str().to_owned(),
                    main: r.main,
                })
                .collect();
            Answer {
                gold_stance: &story.gold_stance,
                gold: &story.gold,
                predicted,
                model_stance: &story.model_stance,
                model_binary: &story.model_binary,
            }
        })
        .collect()
}

fn pair_scores(answers: &[Answer<'_>]) -> PairScores {
    let mut scores = PairScores::default();
    answers.iter().for_each(|a| scores.add(a));
    scores
}

/// Every pair named in one sentence, stance from the sentence, main = most co-mentioned.
fn baseline() -> RelationSettings {
    RelationSettings {
        window: 0,
        title_weight: 1.0,
        lead_sentences: 0,
        lead_weight: 1.0,
        neutral_discount: false,
        min_score: f32::MIN_POSITIVE,
        tension_threshold: 0.5,
        main_by: MainBy::Score,
        main_ratio: 1.0,
        max_pairs: usize::MAX,
        ..RelationSettings::default()
    }
}

/// The settings the defaults are chosen from.
fn grid() -> Vec<RelationSettings> {
    let mut grid = Vec::new();
    for window in [0, 1] {
        for title_weight in [1.0, 2.0, 3.0] {
            for (lead_sentences, lead_weight) in [(0, 1.0), (2, 2.0), (3, 1.5)] {
                for neutral_discount in [false, true] {
                    for min_score in [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0] {
                        for tension_threshold in [0.4, 0.5, 0.6] {
                            for main_by in [MainBy::Score, MainBy::Prominence] {
                                grid.push(RelationSettings {
                                    window,
                                    title_weight,
                                    lead_sentences,
                                    lead_weight,
                                    neutral_discount,
                                    min_score,
                                    tension_threshold,
                                    main_by,
                                    ..RelationSettings::default()
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    grid
}

fn describe(s: &RelationSettings) -> String {
    format!(
        "window {} title ×{} lead {}×{} discount {} min {} tension ≥ {} main by {:?}",
        s.window,
        s.title_weight,
        s.lead_sentences,
        s.lead_weight,
        s.neutral_discount,
        s.min_score,
        s.tension_threshold,
        s.main_by
    )
}

/// The grid's best settings on `stories` by [`PairScores::objective`] (the first of equals).
fn choose(gazetteer: &Gazetteer, labels: StanceLabels, stories: &[&Prepared]) -> RelationSettings {
    let mut best = (f64::MIN, RelationSettings::default());
    for settings in grid() {
        let objective = pair_scores(&answer(gazetteer, labels, &settings, 0, stories)).objective();
        if objective > best.0 {
            best = (objective, settings);
        }
    }
    best.1
}

fn print_stance(name: &str, answers: &[Answer<'_>]) {
    for rule in StanceRule::ALL {
        let (three, binary) = stance_scores(answers, rule);
        println!("| {name} | {} | {three:.2} | {binary:.2} |", rule.name());
    }
}

/// Actor matching alone (tokenizing included) over every story's title and text, one core.
fn print_matching_speed(model: &Model, gazetteer: &Gazetteer, jsonl: &str) -> Result<(), Box<dyn std::error::Error>> {
    let stories: Vec<Story> = jsonl.lines().map(serde_json::from_str).collect::<Result<_, _>>()?;
    let bytes: usize = stories.iter().map(|s| s.title.len() + s.text.len()).sum();
    let mut matcher = gazetteer.matcher(MatchSettings::default());
    let rounds = 50;
    let started = std::time::Instant::now();
    let mut mentions = 0;
    for _ in 0..rounds {
        for story in &stories {
            mentions += std::hint::black_box(matcher.find(model.tokenizer(), &story.title, &story.text)).mentions.len();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let rate = (bytes * rounds) as f64 / seconds / (1024.0 * 1024.0);
    println!(
        "actor matching: {rate:.0} MiB/s ({} stories, {bytes} bytes, {rounds} rounds, {mentions} mentions)",
        stories.len()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_owned());
    let model = Model::load(Path::new(&arg(0, "models/default/model.bin")))?;
    let stories_path = arg(1, "data/news/articles.jsonl");
    let gazetteer = Gazetteer::load(Path::new(&arg(2, "data/actors")))?;
    let stance_head = model.heads().iter().position(|h| h.name == "stance").ok_or("the model has no stance head")?;
    let labels =
        StanceLabels::find(&model.heads()[stance_head].labels).ok_or("stance labels lack cooperation/tension")?;
    let mut prepared = Vec::new();
    for (number, line) in std::fs::read_to_string(&stories_path)?.lines().enumerate() {
        let story: Story = serde_json::from_str(line).map_err(|e| format!("{stories_path}:{}: {e}", number + 1))?;
        prepared.push(prepare(&model, &gazetteer, stance_head, labels, story));
    }
    let all: Vec<&Prepared> = prepared.iter().collect();
    print_matching_speed(&model, &gazetteer, &std::fs::read_to_string(&stories_path)?)?;
    println!("{} stories from {stories_path}, model {}", all.len(), model.version());

    let defaults = RelationSettings::default();
    let base = answer(&gazetteer, labels, &baseline(), 0, &all);
    let ours = answer(&gazetteer, labels, &defaults, 0, &all);
    println!("\n## Relations (all stories)\nbaseline (co-occurrence): {}", pair_scores(&base).line());
    println!("defaults ({}): {}", describe(&defaults), pair_scores(&ours).line());

    println!("\n## Article stance\n| relations | rule | 3-class macro-F1 | coop-vs-tension F1 |\n|---|---|---|---|");
    print_stance("baseline", &base);
    print_stance("defaults", &ours);

    println!("\n## Ambiguous names (defaults otherwise)");
    for (rule, name) in AMBIGUOUS.iter().enumerate() {
        println!("{name:?}: {}", pair_scores(&answer(&gazetteer, labels, &defaults, rule, &all)).line());
    }

    println!(
        "\n## Grid, best 12 by the mean of pair F1, main recall, stance accuracy and none share (of {})",
        grid().len()
    );
    let mut ranked: Vec<(PairScores, RelationSettings)> =
        grid().into_iter().map(|s| (pair_scores(&answer(&gazetteer, labels, &s, 0, &all)), s)).collect();
    ranked.sort_by(|x, y| y.0.objective().total_cmp(&x.0.objective()));
    for (scores, settings) in ranked.iter().take(12) {
        println!("{} → {:.3}: {}", describe(settings), scores.objective(), scores.line());
    }

    // Chosen on one half (by story position parity), measured on the other, both ways.
    let half = |parity: usize| -> Vec<&Prepared> {
        all.iter().enumerate().filter(|(i, _)| i % 2 == parity).map(|(_, s)| *s).collect()
    };
    let mut held_out = Vec::new();
    for parity in [0, 1] {
        let chosen = choose(&gazetteer, labels, &half(parity));
        println!("\nchosen on half {parity}: {}", describe(&chosen));
        held_out.extend(answer(&gazetteer, labels, &chosen, 0, &half(1 - parity)));
    }
    println!("2-fold held out: {}", pair_scores(&held_out).line());
    println!("| held out | | | |");
    print_stance("2-fold held out", &held_out);

    println!("\n## Stories where the defaults miss the main pair");
    for (story, a) in all.iter().zip(&ours) {
        let main = a.gold.iter().filter(|g| g.main).map(|g| format!("{}-{}", g.a, g.b)).collect::<Vec<_>>();
        let first = a.predicted.first().map(|p| format!("{}-{} {}", p.a, p.b, p.stance));
        if !main.is_empty() && !a.predicted.first().is_some_and(|p| main.contains(&format!("{}-{}", p.a, p.b))) {
            println!("{}: labeled {main:?}, first {first:?}", story.id);
        }
    }
    Ok(())
}
