//! Measures actor matching and relation extraction on the hand-labeled news stories in
//! `data/news/articles.jsonl` with the shipped model, beside a plain co-occurrence baseline.
//!
//! `cargo run --release --example relations_eval [model.bin] [articles.jsonl] [actors dir]`
//!
//! Prints pair precision/recall/F1, main-pair recall, stance accuracy on found pairs,
//! relation-free stories answered with none, the article stance (3-class macro-F1 and
//! cooperation-vs-tension macro-F1) of the model as it is and under the relation rules,
//! the grid of settings the defaults were chosen from, and a 2-fold held-out check of
//! that choice. With `--misses` first, it prints only the defaults' figures and why each
//! labeled pair they miss is missed; with `--listing`, every pair the defaults find, tagged
//! `FALSE` (not labeled), `STANCE` (labeled with the other stance), `NOTMAIN` (first, not a
//! main pair) or `TRUE`, with its evidence sentences and mentions marked; with `--roles`, the mention-role weights and the thresholds
//! relative to the best pair or to the number of actors, in sample and held out.

mod clause;
mod gate;
#[path = "../common/halves.rs"]
mod halves;
mod listing;
mod misses;
mod roles;

use std::path::Path;

use halves::halves;

use accord::features::actors::{AmbiguousRule, ArticleActors, Gazetteer, MatchSettings};
use accord::model::meta::PairCounts;
use accord::model::relations::{CueWords, MainBy, RelationSettings, SentenceInput, StanceLabels};
use accord::text::tokens::Tokens;
use accord::train::news::{self, Answer, NewsStories, NewsStory, Reading, StanceRule};
use accord::Article;
use accord::Model;

/// A story with everything the relation settings do not change computed once.
struct Prepared<'s> {
    story: &'s NewsStory,
    reading: Reading,
    /// The actors under each ambiguous rule, in [`AMBIGUOUS`] order, then under the first
    /// rule with the dateline's names counted ([`DATELINE_COUNTED`]).
    actors: Vec<ArticleActors>,
    /// The story read once by the model's tokenizer, for the cue words.
    tokens: Tokens,
}

const AMBIGUOUS: [AmbiguousRule; 3] = [AmbiguousRule::Supported, AmbiguousRule::Always, AmbiguousRule::Never];

/// Where [`Prepared::actors`] holds the actors found with the dateline's names counted.
const DATELINE_COUNTED: usize = AMBIGUOUS.len();

fn prepare<'s>(
    model: &Model,
    without_actors: &Model,
    gazetteer: &Gazetteer,
    story: &'s NewsStory,
) -> Result<Prepared<'s>, news::NewsError> {
    let dateline_counted = MatchSettings { skip_dateline: false, ..MatchSettings::default() };
    let actors = AMBIGUOUS
        .iter()
        .map(|&ambiguous| MatchSettings { ambiguous, ..MatchSettings::default() })
        .chain([dateline_counted])
        .map(|settings| gazetteer.matcher(settings).find(model.tokenizer(), &story.title, &story.text))
        .collect();
    let mut tokens = Tokens::new();
    tokens.read(model.tokenizer(), &Article { id: &story.id, title: &story.title, text: &story.text });
    Ok(Prepared { story, reading: news::read(model, without_actors, story)?, actors, tokens })
}

/// Every story's answer under `settings`, with the actors of ambiguous rule `rule`.
fn answer<'a>(
    gazetteer: &Gazetteer,
    labels: StanceLabels,
    settings: &RelationSettings,
    rule: usize,
    stories: &[&'a Prepared<'a>],
) -> Vec<Answer<'a>> {
    stories
        .iter()
        .map(|p| {
            let predicted = news::found_pairs(
                gazetteer,
                settings,
                labels,
                (&p.reading.model_probabilities, &p.reading.sentences),
                (&p.actors[rule], Some(&CueWords::of(&p.tokens))),
            );
            news::answer(p.story, &p.reading, predicted)
        })
        .collect()
}

/// The narrowed grid of 64 settings around the defaults, which decided their neighbourhood
/// (window 1 or 2, title ×1 or ×2, lead none or 3 × 1.5, `min_score` 1 to 3, tension ≥ 0.4 or
/// 0.5), the rest at the defaults: `--roles` and `--gate` cross it with their own settings.
fn narrow_grid() -> Vec<RelationSettings> {
    let mut grid = Vec::new();
    for window in [1, 2] {
        for title_weight in [1.0, 2.0] {
            for (lead_sentences, lead_weight) in [(0, 1.0), (3, 1.5)] {
                for min_score in [1.0, 1.5, 2.0, 3.0] {
                    for tension_threshold in [0.4, 0.5] {
                        grid.push(RelationSettings {
                            window,
                            title_weight,
                            lead_sentences,
                            lead_weight,
                            min_score,
                            first_min_score: min_score,
                            tension_threshold,
                            ..RelationSettings::default()
                        });
                    }
                }
            }
        }
    }
    grid
}

/// A choice a held-out ablation may make: its name, and which of the grid's settings it may
/// choose among.
type Ablation = (&'static str, fn(&RelationSettings) -> bool);

/// For each ablation, the settings of `grid` it allows chosen on one half of each split by
/// the objective and measured on the other, both ways, over [`SPLITS`] splits: each choice
/// printed with `describe`, then each ablation's figures pooled over the splits.
fn print_held_out(
    gazetteer: &Gazetteer,
    labels: StanceLabels,
    all: &[&Prepared<'_>],
    (grid, title): (&[RelationSettings], &str),
    ablations: &[Ablation],
    describe: &dyn Fn(&RelationSettings) -> String,
) {
    println!("\n## Held out, narrowed grid ({} settings) {title}", grid.len());
    let mut held_out: Vec<Vec<Vec<Answer<'_>>>> = ablations.iter().map(|_| Vec::new()).collect();
    for split in 0..SPLITS {
        let halves = halves(all, split);
        let objectives: Vec<Vec<f64>> = halves
            .iter()
            .map(|half| {
                grid.iter().map(|s| news::objective(&pair_scores(&answer(gazetteer, labels, s, 0, half)))).collect()
            })
            .collect();
        for (a, (name, tried)) in ablations.iter().enumerate() {
            let mut answers = Vec::new();
            for (h, objective) in objectives.iter().enumerate() {
                let chosen = best(grid, objective, *tried);
                println!("split {split}, {name}, chosen on half {h}: {}", describe(&chosen));
                answers.extend(answer(gazetteer, labels, &chosen, 0, &halves[1 - h]));
            }
            held_out[a].push(answers);
        }
    }
    for ((name, _), splits) in ablations.iter().zip(&held_out) {
        let each: Vec<f64> = splits.iter().map(|answers| news::objective(&pair_scores(answers))).collect();
        let pooled: Vec<Answer<'_>> = splits.iter().flatten().map(Answer::clone).collect();
        let counts = pair_scores(&pooled);
        println!(
            "\n{name}, {SPLITS} splits pooled: {} → {:.3}; per split {each:.3?}",
            line3(&counts),
            news::objective(&counts)
        );
        print_stance(&format!("{name}, held out"), &pooled);
    }
}

/// Pair precision, recall and F1 to three places, then the rest as [`news::line`] has it.
fn line3(c: &PairCounts) -> String {
    format!("P {:.3} R {:.3} F1 {:.3} | {}", c.precision(), c.recall(), c.f1(), news::line(c))
}

/// A prepared story's sentences as the relations read them.
fn sentence_inputs<'p>(p: &'p Prepared<'_>) -> Vec<SentenceInput<'p>> {
    p.reading
        .sentences
        .iter()
        .map(|(field, range, stance)| SentenceInput { field: *field, range: range.clone(), stance })
        .collect()
}

fn pair_scores(answers: &[Answer<'_>]) -> PairCounts {
    news::count(answers)
}

/// The first pair's threshold (the same as the others', or lower) and the article's share
/// of a pair's stance tried with each `min_score`.
fn extras(min_score: f32) -> Vec<(f32, f32)> {
    let firsts = [min_score, 1.0, 0.5].into_iter().filter(|&f| f <= min_score);
    let mut firsts: Vec<f32> = firsts.collect();
    firsts.dedup();
    firsts.into_iter().flat_map(|f| [0.0, 0.25, 0.5].map(|a| (f, a))).collect()
}

/// The window and the weight of a pair named across sentences (an adjacent weight of 1 was
/// tried too and lost on the held-out check: docs/decisions.md).
const WINDOWS: [(usize, f32); 3] = [(0, 0.5), (1, 0.5), (2, 0.5)];

/// The settings the defaults are chosen from.
fn grid() -> Vec<RelationSettings> {
    let mut grid = Vec::new();
    for (window, adjacent_weight) in WINDOWS {
        for title_weight in [1.0, 2.0, 3.0] {
            for (lead_sentences, lead_weight) in [(0, 1.0), (2, 2.0), (3, 1.5)] {
                for neutral_discount in [false, true] {
                    for min_score in [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0] {
                        for tension_threshold in [0.4, 0.5, 0.6] {
                            for main_by in [MainBy::Score, MainBy::Prominence] {
                                for (first_min_score, article_share) in extras(min_score) {
                                    grid.push(RelationSettings {
                                        window,
                                        adjacent_weight,
                                        title_weight,
                                        lead_sentences,
                                        lead_weight,
                                        neutral_discount,
                                        min_score,
                                        tension_threshold,
                                        main_by,
                                        first_min_score,
                                        article_share,
                                        ..RelationSettings::default()
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    grid
}

/// How many splits into halves the held-out check repeats.
const SPLITS: usize = 5;

/// The best of the `tried` settings by their objective (the first of equals).
fn best(grid: &[RelationSettings], objectives: &[f64], tried: fn(&RelationSettings) -> bool) -> RelationSettings {
    let mut best = (f64::MIN, RelationSettings::default());
    for (settings, &objective) in grid.iter().zip(objectives).filter(|(s, _)| tried(s)) {
        if objective > best.0 {
            best = (objective, *settings);
        }
    }
    best.1
}

fn describe(s: &RelationSettings) -> String {
    format!(
        "window {} ×{} title ×{} lead {}×{} discount {} min {} first {} article {} tension ≥ {} main by {:?}",
        s.window,
        s.adjacent_weight,
        s.title_weight,
        s.lead_sentences,
        s.lead_weight,
        s.neutral_discount,
        s.min_score,
        s.first_min_score,
        s.article_share,
        s.tension_threshold,
        s.main_by
    )
}

fn print_stance(name: &str, answers: &[Answer<'_>]) {
    for rule in StanceRule::ALL {
        let (three, binary) = news::stance_scores(answers, rule);
        println!("| {name} | {} | {three:.3} | {binary:.3} |", rule.name());
    }
}

/// Actor matching alone (tokenizing included) over every story's title and text, one core.
fn print_matching_speed(model: &Model, gazetteer: &Gazetteer, stories: &[NewsStory]) {
    let bytes: usize = stories.iter().map(|s| s.title.len() + s.text.len()).sum();
    let mut matcher = gazetteer.matcher(MatchSettings::default());
    let rounds = 50;
    let started = std::time::Instant::now();
    let mut mentions = 0;
    for _ in 0..rounds {
        for story in stories {
            mentions += std::hint::black_box(matcher.find(model.tokenizer(), &story.title, &story.text)).mentions.len();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let rate = (bytes * rounds) as f64 / seconds / (1024.0 * 1024.0);
    println!(
        "actor matching: {rate:.0} MiB/s ({} stories, {bytes} bytes, {rounds} rounds, {mentions} mentions)",
        stories.len()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let only_misses = args.first().is_some_and(|a| a == "--misses");
    let only_listing = args.first().is_some_and(|a| a == "--listing");
    let only_roles = args.first().is_some_and(|a| a == "--roles");
    let only_gate = args.first().is_some_and(|a| a == "--gate");
    let only_clause = args.first().is_some_and(|a| a == "--clause");
    if only_misses || only_listing || only_roles || only_gate || only_clause {
        args.remove(0);
    }
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_owned());
    let model = Model::load(Path::new(&arg(0, "models/default/model.bin")))?;
    let stories_path = arg(1, "data/news/articles.jsonl");
    let gazetteer = Gazetteer::load(Path::new(&arg(2, "data/actors")))?;
    let (_, labels) = news::stance_labels(&model)?;
    let stories = NewsStories::load(Path::new(&stories_path))?;
    let without_actors = model.clone().with_actors(None);
    let prepared: Vec<Prepared<'_>> = stories
        .stories
        .iter()
        .map(|story| prepare(&model, &without_actors, &gazetteer, story))
        .collect::<Result<_, _>>()?;
    let all: Vec<&Prepared> = prepared.iter().collect();
    print_matching_speed(&model, &gazetteer, &stories.stories);
    println!("{} stories from {stories_path}, model {}", all.len(), model.version());

    let defaults = RelationSettings::default();
    let base = answer(&gazetteer, labels, &news::baseline_settings(), 0, &all);
    let ours = answer(&gazetteer, labels, &defaults, 0, &all);
    println!("\n## Relations (all stories)\nbaseline (co-occurrence): {}", news::line(&pair_scores(&base)));
    println!("defaults ({}): {}", describe(&defaults), news::line(&pair_scores(&ours)));

    if only_roles {
        roles::print(&gazetteer, labels, &all);
        return Ok(());
    }
    if only_clause {
        clause::print(&gazetteer, labels, &all);
        return Ok(());
    }
    if only_gate {
        gate::print(&gazetteer, labels, &all);
        gate::print_figures(&model, &gazetteer, labels, &all);
        return Ok(());
    }
    if only_listing {
        for p in &all {
            listing::print(
                &gazetteer,
                &defaults,
                labels,
                p.story,
                &p.reading,
                (&p.actors[0], &CueWords::of(&p.tokens)),
            );
        }
        return Ok(());
    }
    if only_misses {
        print_misses(&gazetteer, labels, &defaults, &all, &ours);
        return Ok(());
    }

    println!("\n## Article stance\n| relations | rule | 3-class macro-F1 | coop-vs-tension F1 |\n|---|---|---|---|");
    print_stance("baseline", &base);
    print_stance("defaults", &ours);

    println!("\n## Ambiguous names (defaults otherwise)");
    for (rule, name) in AMBIGUOUS.iter().enumerate() {
        println!("{name:?}: {}", news::line(&pair_scores(&answer(&gazetteer, labels, &defaults, rule, &all))));
    }

    println!("\n## Datelines (defaults otherwise)");
    for (rule, name) in [(0, "names in the dateline skipped"), (DATELINE_COUNTED, "names in the dateline counted")] {
        println!("{name}: {}", news::line(&pair_scores(&answer(&gazetteer, labels, &defaults, rule, &all))));
    }

    println!(
        "\n## Grid, best 12 by the mean of pair F1, main recall, stance accuracy and none share (of {})",
        grid().len()
    );
    let mut ranked: Vec<(PairCounts, RelationSettings)> =
        grid().into_iter().map(|s| (pair_scores(&answer(&gazetteer, labels, &s, 0, &all)), s)).collect();
    ranked.sort_by(|x, y| news::objective(&y.0).total_cmp(&news::objective(&x.0)));
    for (scores, settings) in ranked.iter().take(12) {
        println!("{} → {:.3}: {}", describe(settings), news::objective(scores), news::line(scores));
    }

    // Chosen on one half, measured on the other, both ways, over several splits into halves
    // (the first by story position parity); for the whole grid, and for the grid without
    // each of the later settings (ablations).
    type Kept = fn(&RelationSettings) -> bool;
    let ablations: [(&str, Kept); 4] = [
        ("whole grid", |_| true),
        ("without window 2", |s| s.window < 2),
        ("without first_min_score", |s| s.first_min_score >= s.min_score),
        ("without article_share", |s| s.article_share == 0.0),
    ];
    let grid = grid();
    let mut held_out: Vec<Vec<Vec<Answer<'_>>>> = ablations.iter().map(|_| Vec::new()).collect();
    for split in 0..SPLITS {
        let halves = halves(&all, split);
        let objectives: Vec<Vec<f64>> = halves
            .iter()
            .map(|half| {
                grid.iter().map(|s| news::objective(&pair_scores(&answer(&gazetteer, labels, s, 0, half)))).collect()
            })
            .collect();
        for (a, (name, tried)) in ablations.iter().enumerate() {
            let mut answers = Vec::new();
            for (h, objective) in objectives.iter().enumerate() {
                let chosen = best(&grid, objective, *tried);
                if split == 0 {
                    println!("split 0, {name}, chosen on half {h}: {}", describe(&chosen));
                }
                answers.extend(answer(&gazetteer, labels, &chosen, 0, &halves[1 - h]));
            }
            held_out[a].push(answers);
        }
    }
    for ((name, _), splits) in ablations.iter().zip(&held_out) {
        println!("\n## 2-fold held out, {name}");
        let counts = pair_scores(&splits[0]);
        println!("split 0 (parity): {} → {:.3}", news::line(&counts), news::objective(&counts));
        print_stance("split 0 held out", &splits[0]);
        let each: Vec<f64> = splits.iter().map(|answers| news::objective(&pair_scores(answers))).collect();
        let pooled: Vec<Answer<'_>> = splits.iter().flatten().map(Answer::clone).collect();
        let counts = pair_scores(&pooled);
        let mean = each.iter().sum::<f64>() / each.len() as f64;
        println!(
            "{SPLITS} splits pooled: {} → {:.3}; per split {each:.3?}, mean {mean:.3}",
            news::line(&counts),
            news::objective(&counts)
        );
        print_stance(&format!("{SPLITS} splits held out"), &pooled);
    }

    println!("\n## Stories where the defaults miss the main pair");
    for (p, a) in all.iter().zip(&ours) {
        let main = a.gold.iter().filter(|g| g.main).map(|g| format!("{}-{}", g.a, g.b)).collect::<Vec<_>>();
        let first = a.predicted.first().map(|p| format!("{}-{} {}", p.a, p.b, p.stance));
        if !main.is_empty() && !a.predicted.first().is_some_and(|p| main.contains(&format!("{}-{}", p.a, p.b))) {
            println!("{}: labeled {main:?}, first {first:?}", p.story.id);
        }
    }
    Ok(())
}

/// Why the defaults miss each labeled pair they miss.
fn print_misses(
    gazetteer: &Gazetteer,
    labels: StanceLabels,
    settings: &RelationSettings,
    all: &[&Prepared<'_>],
    answers: &[Answer<'_>],
) {
    let mut table = String::from(
        "story\ta\tb\tgold\tmain\tone\traw\ttwo\tma\tmb\ttop\tra\trb\tta\ttb\tla\tlb\tactors\tsentences\tneutral\tstory_main\n",
    );
    for p in all {
        misses::pair_rows(gazetteer, labels, p.story, &p.reading, &p.actors[0], &mut table);
    }
    if let Err(e) = std::fs::write("target/relation_pairs.tsv", table) {
        eprintln!("cannot write target/relation_pairs.tsv: {e}");
    }
    let mut rows = Vec::new();
    let mut none = Vec::new();
    for (p, a) in all.iter().zip(answers) {
        if !a.gold.is_empty() && a.predicted.is_empty() {
            none.push(p.story.id.clone());
        }
        let causes = misses::causes(gazetteer, settings, labels, p.story, &p.reading, &p.actors[0], &a.predicted);
        rows.push((p.story.id.clone(), causes));
    }
    misses::print(&rows, &none);
}
