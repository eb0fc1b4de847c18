//! `--own`: a pair's stance from its own clause (`clause_share`, `clause_margin`: the stance
//! head's reading of the words between the two names, mixed with the sentence's), and cue
//! words before the first name or after the second (`cue_reach`), each measured on all
//! stories at the defaults and by the held-out protocol over the narrowed grid crossed with
//! them (chosen on one half by the objective, measured on the other, both ways, pooled over
//! the splits).

use accord::features::actors::Gazetteer;
use accord::model::relations::{RelationSettings, StanceLabels};
use accord::train::news;

use crate::{answer, describe, line3, narrow_grid, pair_scores, print_held_out, print_stance, Ablation, Prepared};

/// The clause's share of a pair's stance and the tokens either side it takes in (the first:
/// off).
const CLAUSES: [(f32, usize); 10] =
    [(0.0, 2), (0.25, 0), (0.5, 0), (0.75, 0), (0.25, 2), (0.5, 2), (0.75, 2), (1.0, 2), (0.5, 4), (0.75, 4)];

/// How many tokens before the first name or after the second a cue word counts (0: only
/// between).
const REACHES: [usize; 4] = [0, 2, 3, 4];

/// The settings `base` crossed with the clause settings and the reaches.
fn crossed(base: RelationSettings) -> impl Iterator<Item = RelationSettings> {
    CLAUSES.into_iter().flat_map(move |(clause_share, clause_margin)| {
        REACHES.into_iter().map(move |cue_reach| RelationSettings { clause_share, clause_margin, cue_reach, ..base })
    })
}

fn describe_own(s: &RelationSettings) -> String {
    format!("{} clause ×{} ±{} reach {}", describe(s), s.clause_share, s.clause_margin, s.cue_reach)
}

/// Prints the figures on all stories at the defaults otherwise, then held out.
pub fn print(gazetteer: &Gazetteer, labels: StanceLabels, all: &[&Prepared<'_>]) {
    println!("\n## Clause stance and cue reach, all stories, defaults otherwise");
    for settings in crossed(RelationSettings::default()) {
        let answers = answer(gazetteer, labels, &settings, 0, all);
        let counts = pair_scores(&answers);
        let name =
            format!("clause ×{} ±{} reach {}", settings.clause_share, settings.clause_margin, settings.cue_reach);
        println!("{name}: {} → {:.3}", line3(&counts), news::objective(&counts));
        print_stance(&name, &answers);
    }
    let grid: Vec<RelationSettings> = narrow_grid().into_iter().flat_map(crossed).collect();
    let ablations: [Ablation; 5] = [
        ("narrow grid alone", |s| s.clause_share == 0.0 && s.cue_reach == 0),
        ("with the clause stance", |s| s.cue_reach == 0),
        ("with the clause stance, share 0.5 or more", |s| s.cue_reach == 0 && s.clause_share >= 0.5),
        ("with the cue reach", |s| s.clause_share == 0.0),
        ("with both", |_| true),
    ];
    print_held_out(gazetteer, labels, all, (&grid, "with clause stance and cue reach"), &ablations, &describe_own);
}

/// A found pair's tension share, read back from its label and probability.
fn tension_share(relation: &accord::model::relations::Relation) -> f32 {
    let share = relation.probability / (1.0 - (-relation.score).exp());
    match relation.label {
        accord::model::relations::RelationLabel::Tension => share,
        accord::model::relations::RelationLabel::Cooperation => 1.0 - share,
    }
}

/// For each labeled pair the defaults find, its tension share from the sentences alone and
/// from the clauses alone (margins 0, 2, 4), into `target/relation_shares.tsv`, with the
/// ROC AUC of each for the labeled tension.
pub fn print_shares(gazetteer: &Gazetteer, labels: StanceLabels, all: &[&Prepared<'_>]) {
    use accord::model::relations::relations_in_context;
    let variants: [(f32, usize); 4] = [(0.0, 2), (1.0, 0), (1.0, 2), (1.0, 4)];
    let mut rows: Vec<(bool, [f32; 4])> = Vec::new();
    let mut table = String::from("story\ta\tb\tgold\tsentence\tclause0\tclause2\tclause4\n");
    for p in all {
        let inputs = crate::sentence_inputs(p);
        let found: Vec<Vec<(String, String, f32)>> = variants
            .iter()
            .map(|&(clause_share, clause_margin)| {
                let settings = RelationSettings { clause_share, clause_margin, ..RelationSettings::default() };
                p.with_context(|context| {
                    relations_in_context(gazetteer, &settings, labels, &inputs, &p.actors[0], context)
                        .pairs
                        .iter()
                        .map(|r| (gazetteer.code(r.a).to_owned(), gazetteer.code(r.b).to_owned(), tension_share(r)))
                        .collect()
                })
            })
            .collect();
        for (a, b, _) in &found[0] {
            let Some(gold) = p.story.relations.iter().find(|g| &g.a == a && &g.b == b) else { continue };
            let shares: Vec<f32> = found
                .iter()
                .map(|f| f.iter().find(|(x, y, _)| x == a && y == b).map_or(f32::NAN, |(_, _, s)| *s))
                .collect();
            let shares = [shares[0], shares[1], shares[2], shares[3]];
            table.push_str(&format!(
                "{}\t{a}\t{b}\t{}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\n",
                p.story.id, gold.stance, shares[0], shares[1], shares[2], shares[3]
            ));
            rows.push((gold.stance == "tension", shares));
        }
    }
    if let Err(e) = std::fs::write("target/relation_shares.tsv", table) {
        eprintln!("cannot write target/relation_shares.tsv: {e}");
    }
    for (k, (share, margin)) in variants.iter().enumerate() {
        let (pos, neg): (Vec<(bool, [f32; 4])>, Vec<_>) = rows.iter().copied().partition(|(t, _)| *t);
        let mut wins = 0.0;
        for (_, x) in &pos {
            for (_, y) in &neg {
                wins += if x[k] > y[k] {
                    1.0
                } else if x[k] == y[k] {
                    0.5
                } else {
                    0.0
                };
            }
        }
        let auc = wins / (pos.len() * neg.len()).max(1) as f64;
        let mean = |v: &[(bool, [f32; 4])]| v.iter().map(|(_, s)| s[k] as f64).sum::<f64>() / v.len().max(1) as f64;
        println!(
            "tension share, clause ×{share} ±{margin}: ROC AUC {auc:.3} over {} tension and {} cooperation pairs; mean {:.3} / {:.3}",
            pos.len(),
            neg.len(),
            mean(&pos),
            mean(&neg)
        );
    }
}
