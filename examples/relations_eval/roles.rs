//! `--roles`: the mention-role weights (a state named as a place, a demonym describing a
//! person) and the share of the best pair a relation must reach, each measured on all
//! stories at the defaults and by the held-out protocol over a narrowed grid crossed with
//! them (chosen on one half by the objective, measured on the other, both ways, pooled
//! over the splits), beside the same narrowed grid without them.

use accord::model::relations::{MainBy, RelationSettings};
use accord::train::news;

use crate::{answer, describe, line3, narrow_grid, pair_scores, print_held_out, print_stance, Ablation, Prepared};
use accord::features::actors::Gazetteer;
use accord::model::relations::StanceLabels;

/// The values tried for each new setting.
const PLACE_WEIGHTS: [f32; 3] = [1.0, 0.5, 0.0];
const DESCRIPTOR_WEIGHTS: [f32; 2] = [1.0, 0.0];
const SHARES_OF_BEST: [f32; 3] = [0.0, 0.25, 0.4];
const PER_ACTOR: [f32; 4] = [0.0, 0.05, 0.1, 0.2];

/// The narrowed grid crossed with the new settings.
fn grid() -> Vec<RelationSettings> {
    let roles = |base: RelationSettings| {
        PLACE_WEIGHTS.into_iter().flat_map(move |place_weight| {
            DESCRIPTOR_WEIGHTS.into_iter().flat_map(move |descriptor_weight| {
                extras().map(move |(min_share_of_best, min_score_per_actor)| RelationSettings {
                    main_by: MainBy::Score,
                    place_weight,
                    descriptor_weight,
                    min_share_of_best,
                    min_score_per_actor,
                    ..base
                })
            })
        })
    };
    narrow_grid().into_iter().flat_map(roles).collect()
}

/// The pairs `changed` finds and `defaults` does not, and the other way, labeled or not.
fn print_changes(
    gazetteer: &Gazetteer,
    labels: StanceLabels,
    all: &[&Prepared<'_>],
    from: &RelationSettings,
    changed: &RelationSettings,
) {
    let (before, after) = (answer(gazetteer, labels, from, 0, all), answer(gazetteer, labels, changed, 0, all));
    for ((p, x), y) in all.iter().zip(&before).zip(&after) {
        let key = |q: &news::Pair| format!("{}-{}", q.a, q.b);
        let labeled = |k: &str| {
            if p.story.relations.iter().any(|g| format!("{}-{}", g.a, g.b) == k) {
                "labeled"
            } else {
                "not labeled"
            }
        };
        for (from, to, what) in [(x, y, "lost"), (y, x, "gained")] {
            for pair in from.predicted.iter().filter(|q| !to.predicted.iter().any(|r| key(r) == key(q))) {
                println!("{} {what}: {} ({})", p.story.id, key(pair), labeled(&key(pair)));
            }
        }
    }
}

/// The share of the best and the rise per actor tried: each alone.
fn extras() -> impl Iterator<Item = (f32, f32)> {
    SHARES_OF_BEST.into_iter().map(|s| (s, 0.0)).chain(PER_ACTOR.into_iter().skip(1).map(|p| (0.0, p)))
}

fn describe_roles(s: &RelationSettings) -> String {
    format!(
        "{} place ×{} descriptor ×{} share of best ≥ {} per actor +{}",
        describe(s),
        s.place_weight,
        s.descriptor_weight,
        s.min_share_of_best,
        s.min_score_per_actor
    )
}

/// Prints the in-sample and held-out figures.
pub fn print(gazetteer: &Gazetteer, labels: StanceLabels, all: &[&Prepared<'_>]) {
    println!("\n## Mention roles and share of the best pair, all stories, defaults otherwise");
    let defaults = RelationSettings::default();
    // The shipped settings before the mention roles and the thresholds below.
    let before = RelationSettings { place_weight: 1.0, descriptor_weight: 1.0, ..defaults };
    let variants: [(&str, RelationSettings); 11] = [
        ("without the new settings", before),
        ("place ×0.5", RelationSettings { place_weight: 0.5, ..before }),
        ("defaults", defaults),
        ("place ×0", RelationSettings { place_weight: 0.0, ..before }),
        ("descriptor ×0", RelationSettings { descriptor_weight: 0.0, ..before }),
        ("share of best ≥ 0.25", RelationSettings { min_share_of_best: 0.25, ..before }),
        ("share of best ≥ 0.4", RelationSettings { min_share_of_best: 0.4, ..before }),
        ("place ×0.5, descriptor ×0", RelationSettings { place_weight: 0.5, descriptor_weight: 0.0, ..before }),
        ("per actor +0.05", RelationSettings { min_score_per_actor: 0.05, ..before }),
        ("per actor +0.1", RelationSettings { min_score_per_actor: 0.1, ..before }),
        ("per actor +0.2", RelationSettings { min_score_per_actor: 0.2, ..before }),
    ];
    for (name, settings) in variants {
        let answers = answer(gazetteer, labels, &settings, 0, all);
        let counts = pair_scores(&answers);
        println!("{name}: {} → {:.3}", line3(&counts), news::objective(&counts));
        print_stance(name, &answers);
    }

    println!("\n## Pairs place ×0.5 changes (defaults otherwise)");
    print_changes(gazetteer, labels, all, &before, &RelationSettings { place_weight: 0.5, ..before });

    let plain = |s: &RelationSettings| {
        s.place_weight == 1.0
            && s.descriptor_weight == 1.0
            && s.min_share_of_best == 0.0
            && s.min_score_per_actor == 0.0
    };
    let ablations: [Ablation; 9] = [
        ("narrow grid alone", plain),
        ("with place weight", |s| {
            s.descriptor_weight == 1.0 && s.min_share_of_best == 0.0 && s.min_score_per_actor == 0.0
        }),
        ("with place weight 0.5 or 1", |s| {
            s.place_weight > 0.0
                && s.descriptor_weight == 1.0
                && s.min_share_of_best == 0.0
                && s.min_score_per_actor == 0.0
        }),
        ("place weight 0.5 only", |s| {
            s.place_weight == 0.5
                && s.descriptor_weight == 1.0
                && s.min_share_of_best == 0.0
                && s.min_score_per_actor == 0.0
        }),
        ("with descriptor weight", |s| {
            s.place_weight == 1.0 && s.min_share_of_best == 0.0 && s.min_score_per_actor == 0.0
        }),
        ("with share of best", |s| s.place_weight == 1.0 && s.descriptor_weight == 1.0 && s.min_score_per_actor == 0.0),
        ("with rise per actor", |s| s.place_weight == 1.0 && s.descriptor_weight == 1.0 && s.min_share_of_best == 0.0),
        ("place weight 0.5 and rise per actor", |s| {
            s.place_weight == 0.5 && s.descriptor_weight == 1.0 && s.min_share_of_best == 0.0
        }),
        ("all four", |_| true),
    ];
    print_held_out(gazetteer, labels, all, (&grid(), "and the new settings"), &ablations, &describe_roles);
}
