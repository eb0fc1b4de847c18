//! The settings that govern a one-sentence text, one at a time on all sentences, then chosen
//! on one half of the documents and measured on the other, both ways, over several splits,
//! beside the defaults on the same documents, with a paired bootstrap over documents.

use std::collections::BTreeMap;

use accord::features::actors::Gazetteer;
use accord::model::relations::{RelationSettings, StanceLabels};

use crate::halves::halves;
use crate::{print_by_source, score, Counts, Item};

const SHARES: [f32; 12] = [0.0, 0.25, 0.33, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 1.0];
const UNCUED: [f32; 3] = [1.0, 0.75, 0.5];
/// Off (above 1), then lower and lower probabilities of neutral.
const GATES: [f32; 4] = [2.0, 0.7, 0.5, 0.3];
const TENSION: [f32; 7] = [0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6];

/// How many splits into halves of the documents.
const SPLITS: usize = 5;

/// How many bootstrap resamples of the documents.
const RESAMPLES: usize = 1000;

fn grid() -> Vec<RelationSettings> {
    let mut grid = Vec::new();
    for short_text_share in SHARES {
        for uncued_weight in UNCUED {
            for neutral_article_gate in GATES {
                for tension_threshold in TENSION {
                    grid.push(RelationSettings {
                        short_text_share,
                        uncued_weight,
                        neutral_article_gate,
                        tension_threshold,
                        ..RelationSettings::default()
                    });
                }
            }
        }
    }
    grid
}

fn describe(s: &RelationSettings) -> String {
    format!(
        "share {} uncued ×{} gate {} tension ≥ {}",
        s.short_text_share, s.uncued_weight, s.neutral_article_gate, s.tension_threshold
    )
}

/// A choice the held-out check may make: its name and the settings it may choose among.
type Ablation = (&'static str, fn(&RelationSettings) -> bool);

/// Whether `s` keeps the defaults of the settings other than those named.
fn others_default(s: &RelationSettings, share: bool, uncued: bool, gate: bool, tension: bool) -> bool {
    let d = RelationSettings::default();
    (share || s.short_text_share == d.short_text_share)
        && (uncued || s.uncued_weight == d.uncued_weight)
        && (gate || s.neutral_article_gate == d.neutral_article_gate)
        && (tension || s.tension_threshold == d.tension_threshold)
}

const ABLATIONS: [Ablation; 6] = [
    ("short_text_share alone", |s| others_default(s, true, false, false, false)),
    ("uncued_weight alone", |s| others_default(s, false, true, false, false)),
    ("neutral_article_gate alone", |s| others_default(s, false, false, true, false)),
    ("tension_threshold alone", |s| others_default(s, false, false, false, true)),
    ("share and uncued", |s| others_default(s, true, true, false, false)),
    ("whole grid", |_| true),
];

/// Prints the one-at-a-time table and the held-out check.
pub fn print(gazetteer: &Gazetteer, labels: StanceLabels, items: &[Item]) {
    let grid = grid();
    // Per setting, per document: the sum of its sentences' counts.
    let docs: Vec<&str> = {
        let mut docs: Vec<&str> = items.iter().map(|i| i.doc.as_str()).collect();
        docs.sort_unstable();
        docs.dedup();
        docs
    };
    let place: BTreeMap<&str, usize> = docs.iter().enumerate().map(|(i, &d)| (d, i)).collect();
    let by_doc: Vec<Vec<Counts>> = grid
        .iter()
        .map(|settings| {
            let mut each = vec![Counts::default(); docs.len()];
            for item in items {
                let c = score(gazetteer, labels, settings, item);
                each[place[item.doc.as_str()]] = Counts::sum([&each[place[item.doc.as_str()]], &c]);
            }
            each
        })
        .collect();
    let defaults = grid.iter().position(|s| *s == RelationSettings::default()).unwrap_or(0);

    println!("\n## One at a time on all sentences, the rest at the defaults");
    for (i, s) in grid.iter().enumerate() {
        let changed = [
            others_default(s, true, false, false, false),
            others_default(s, false, true, false, false),
            others_default(s, false, false, true, false),
            others_default(s, false, false, false, true),
        ];
        if changed.iter().any(|&c| c) {
            println!("{}: {}", describe(s), Counts::sum(&by_doc[i]).line());
        }
    }
    let d = RelationSettings::default();
    let by_source = [
        RelationSettings { short_text_share: 0.25, ..d },
        RelationSettings { short_text_share: 0.75, ..d },
        RelationSettings { tension_threshold: 0.3, ..d },
    ];
    for settings in by_source {
        let counts: Vec<Counts> = items.iter().map(|item| score(gazetteer, labels, &settings, item)).collect();
        println!("\n### {}, by source\n| source | figures |\n|---|---|", describe(&settings));
        print_by_source(items, &counts);
    }

    println!("\n## Held out: chosen on one half of the documents, measured on the other, both ways");
    let all_docs: Vec<usize> = (0..docs.len()).collect();
    for (name, tried) in ABLATIONS {
        let mut pooled = Counts::default();
        let mut diffs = Vec::new();
        let mut split0: Vec<(usize, usize)> = Vec::new();
        for split in 0..SPLITS {
            let halves = halves(&all_docs, split);
            let mut held = Counts::default();
            for h in 0..2 {
                let chosen = best(&grid, &by_doc, &halves[h], tried);
                println!("split {split}, {name}, chosen on half {h}: {}", describe(&grid[chosen]));
                held = Counts::sum([&held, &Counts::sum(halves[1 - h].iter().map(|&d| &by_doc[chosen][d]))]);
                if split == 0 {
                    split0.extend(halves[1 - h].iter().map(|&d| (d, chosen)));
                }
            }
            diffs.push(held.objective() - Counts::sum(&by_doc[defaults]).objective());
            pooled = Counts::sum([&pooled, &held]);
        }
        let (low, high) = bootstrap(&by_doc, &split0, defaults);
        println!(
            "{name}, {SPLITS} splits pooled: {}\n  held out − defaults, per split {diffs:+.4?}; split 0 bootstrap 95% [{low:+.4}, {high:+.4}]",
            pooled.line()
        );
    }
    println!("defaults on all sentences: {}", Counts::sum(&by_doc[defaults]).line());
}

/// The tried setting with the best objective on `docs` (the first of equals).
fn best(
    grid: &[RelationSettings],
    by_doc: &[Vec<Counts>],
    docs: &[usize],
    tried: fn(&RelationSettings) -> bool,
) -> usize {
    let mut best = (f64::MIN, 0);
    for (i, _) in grid.iter().enumerate().filter(|(_, s)| tried(s)) {
        let objective = Counts::sum(docs.iter().map(|&d| &by_doc[i][d])).objective();
        if objective > best.0 {
            best = (objective, i);
        }
    }
    best.1
}

/// The 2.5% and 97.5% points of the held-out objective minus the defaults' over documents
/// resampled with replacement; `held` gives each document's chosen setting.
fn bootstrap(by_doc: &[Vec<Counts>], held: &[(usize, usize)], defaults: usize) -> (f64, f64) {
    let mut state = 0x5eed_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut diffs: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let (mut chosen, mut base) = (Counts::default(), Counts::default());
            for _ in 0..held.len() {
                let (d, s) = held[(next() % held.len() as u64) as usize];
                chosen = Counts::sum([&chosen, &by_doc[s][d]]);
                base = Counts::sum([&base, &by_doc[defaults][d]]);
            }
            chosen.objective() - base.objective()
        })
        .collect();
    diffs.sort_by(f64::total_cmp);
    (diffs[RESAMPLES / 40], diffs[RESAMPLES - 1 - RESAMPLES / 40])
}
