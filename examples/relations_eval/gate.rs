//! `--gate`: article-level evidence of whether a story reports any relation, one row per
//! story into `target/relation_gate.tsv`, for a study of a gate that answers none; then the
//! gate on the whole-article stance's P(neutral), on all stories and held out.

use accord::features::actors::{ArticleActors, Field, Gazetteer, MentionRole};
use accord::model::relations::{relations, RelationSettings, SentenceInput, StanceLabels};

use accord::train::news;
use accord::Model;

use crate::{
    answer, describe, line3, narrow_grid, pair_scores, print_held_out, print_stance, sentence_inputs, Ablation,
    Prepared,
};

/// One row of article-level features for `p`.
fn row(gazetteer: &Gazetteer, labels: StanceLabels, p: &Prepared<'_>) -> String {
    let actors: &ArticleActors = &p.actors[0];
    let inputs = sentence_inputs(p);
    let found = relations(gazetteer, &RelationSettings::default(), labels, &inputs, actors).pairs;
    let neutral = |s: &SentenceInput<'_>| labels.neutral.and_then(|n| s.stance.get(n)).copied().unwrap_or(0.0);
    let n = inputs.len().max(1) as f32;
    let mean_neutral = inputs.iter().map(neutral).sum::<f32>() / n;
    let relational = inputs.iter().filter(|s| neutral(s) < 0.5).count();
    let (mut two, mut two_actor, mut two_relational) = (0, 0, 0.0f32);
    for s in &inputs {
        let inside = |m: &&accord::features::actors::Mention| {
            m.field == s.field && m.start >= s.range.start && m.end <= s.range.end
        };
        let mut named: Vec<_> = actors.mentions.iter().filter(inside).map(|m| m.actor).collect();
        named.sort();
        named.dedup();
        let mut as_actor: Vec<_> =
            actors.mentions.iter().filter(inside).filter(|m| m.role == MentionRole::Actor).map(|m| m.actor).collect();
        as_actor.sort();
        as_actor.dedup();
        if named.len() >= 2 {
            two += 1;
            two_relational += 1.0 - neutral(s);
        }
        if as_actor.len() >= 2 {
            two_actor += 1;
        }
    }
    let title_actors = actors
        .mentions
        .iter()
        .filter(|m| m.field == Field::Title)
        .map(|m| m.actor)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let best = found.first().map_or(0.0, |r| r.score);
    let second = found.get(1).map_or(0.0, |r| r.score);
    let article_neutral = labels.neutral.and_then(|n| p.reading.model_probabilities.get(n)).copied().unwrap_or(0.0);
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{:.4}\t{}\t{}\t{}\t{:.4}\t{}\t{}\t{:.4}\t{:.4}\t{}\t{:.4}\n",
        p.story.id,
        u8::from(p.story.relations.is_empty()),
        p.story.labels.stance,
        p.reading.model_stance,
        inputs.len(),
        actors.actors.len(),
        mean_neutral,
        relational,
        two,
        two_actor,
        two_relational,
        title_actors,
        found.len(),
        best,
        second,
        p.story.relations.len(),
        article_neutral,
    )
}

/// Writes the rows.
pub fn print(gazetteer: &Gazetteer, labels: StanceLabels, all: &[&Prepared<'_>]) {
    let mut table = String::from(
        "story\tfree\tgold\tmodel\tsentences\tactors\tmean_neutral\trelational\ttwo\ttwo_actor\ttwo_relational\ttitle_actors\tfound\tbest\tsecond\tlabeled\tarticle_neutral\n",
    );
    for p in all {
        table.push_str(&row(gazetteer, labels, p));
    }
    if let Err(e) = std::fs::write("target/relation_gate.tsv", table) {
        eprintln!("cannot write target/relation_gate.tsv: {e}");
    }
}

/// The gate values tried: off, then lower and lower probabilities of neutral.
const GATES: [f32; 5] = [2.0, 0.9, 0.7, 0.5, 0.3];

/// The weights tried for a sentence whose pair has no cue word between its names.
const UNCUED: [f32; 4] = [1.0, 0.75, 0.5, 0.25];

/// Each gate value with the cue rule off, and the gate off or at 0.5 with each cue weight.
fn extras() -> Vec<(f32, f32)> {
    let gates = GATES.into_iter().map(|gate| (gate, 1.0));
    let cued = [2.0, 0.5].into_iter().flat_map(|gate| UNCUED.into_iter().skip(1).map(move |weight| (gate, weight)));
    gates.chain(cued).collect()
}

/// The narrowed grid crossed with the gate values.
fn grid() -> Vec<RelationSettings> {
    let crossed = |base: RelationSettings| {
        extras().into_iter().map(move |(neutral_article_gate, uncued_weight)| RelationSettings {
            neutral_article_gate,
            uncued_weight,
            ..base
        })
    };
    narrow_grid().into_iter().flat_map(crossed).collect()
}

/// How many stories the served model answers with other pairs than the harness finds at
/// the defaults (0: the served path applies the gate as the harness does).
fn served_differs(model: &Model, gazetteer: &Gazetteer, labels: StanceLabels, all: &[&Prepared<'_>]) -> usize {
    let found = answer(gazetteer, labels, &RelationSettings::default(), 0, all);
    let key = |pairs: &[news::Pair]| {
        pairs.iter().map(|p| format!("{}-{} {} {}", p.a, p.b, p.stance, p.main)).collect::<Vec<_>>()
    };
    all.iter().zip(&found).filter(|(p, a)| key(&news::served_pairs(model, p.story)) != key(&a.predicted)).count()
}

/// Prints the gate's figures on all stories (defaults otherwise) and held out.
pub fn print_figures(model: &Model, gazetteer: &Gazetteer, labels: StanceLabels, all: &[&Prepared<'_>]) {
    println!(
        "stories the served model answers otherwise than the harness: {}",
        served_differs(model, gazetteer, labels, all)
    );
    println!("\n## Article gate, all stories, defaults otherwise");
    for (gate, uncued) in extras() {
        let settings =
            RelationSettings { neutral_article_gate: gate, uncued_weight: uncued, ..RelationSettings::default() };
        let answers = answer(gazetteer, labels, &settings, 0, all);
        let counts = pair_scores(&answers);
        println!("gate {gate} uncued ×{uncued}: {} → {:.3}", line3(&counts), news::objective(&counts));
        print_stance(&format!("gate {gate} uncued ×{uncued}"), &answers);
    }
    let ablations: [Ablation; 6] = [
        ("narrow grid, no gate", |s| s.neutral_article_gate > 1.0 && s.uncued_weight == 1.0),
        ("narrow grid with the gate", |s| s.uncued_weight == 1.0),
        ("gate 0.5 only", |s| s.neutral_article_gate == 0.5 && s.uncued_weight == 1.0),
        ("cue weight, no gate", |s| s.neutral_article_gate > 1.0),
        ("gate 0.5 and cue weight", |s| s.neutral_article_gate == 0.5),
        ("gate 0.5 and cue weight below 1", |s| s.neutral_article_gate == 0.5 && s.uncued_weight < 1.0),
    ];
    let describe_gate =
        |s: &RelationSettings| format!("{} gate {} uncued ×{}", describe(s), s.neutral_article_gate, s.uncued_weight);
    print_held_out(gazetteer, labels, all, (&grid(), "with the gate"), &ablations, &describe_gate);
}
