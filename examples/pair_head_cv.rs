//! Cross-validates the pair-in-sentence head on the labeled sentence pairs, by document,
//! over a few L2 penalties and feature cuts.
//!
//! `cargo run --release --example pair_head_cv [pairs.jsonl] [model.bin] [actors dir]`

use std::path::Path;

use accord::features::actors::Gazetteer;
use accord::train::pair_sentences::{self, PairFitSettings};
use accord::Model;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_owned());
    let rows = pair_sentences::load(Path::new(&arg(0, "data/relation-sentences/pairs.jsonl")))?;
    let model = Model::load(Path::new(&arg(1, "models/default/model.bin")))?;
    let gazetteer = Gazetteer::load(Path::new(&arg(2, "data/actors")))?;
    let stances: Vec<_> = rows.iter().map(|(pair, _)| pair_sentences::sentence_stance(&model, pair)).collect();
    let gold: Vec<usize> = rows.iter().map(|(_, label)| *label).collect();
    let by_stance: Vec<[f32; 3]> = stances.iter().map(|s| s.unwrap_or([1.0, 0.0, 0.0])).collect();
    let f = pair_sentences::figures(&gold, &by_stance);
    println!(
        "sentence stance alone: accuracy {:.3} macro-F1 {:.3} relation F1 {:.3} stance {:.3}",
        f.accuracy, f.macro_f1, f.relation_f1, f.stance_accuracy
    );
    let docs: Vec<&str> = rows.iter().map(|(pair, _)| pair.doc.as_str()).collect();
    println!("{} labeled pairs", rows.len());
    for with_stance in [false, true] {
        let featured: Vec<_> = rows
            .iter()
            .zip(&stances)
            .map(|((pair, label), stance)| {
                let stance = if with_stance { *stance } else { None };
                (pair_sentences::features(model.tokenizer(), &gazetteer, pair, stance), *label)
            })
            .collect();
        println!("with the sentence stance as features: {with_stance}");
        for l2 in [0.3, 1.0, 3.0] {
            for min_rows in [1, 2] {
                let settings = PairFitSettings { l2, min_rows, ..PairFitSettings::default() };
                let (f, _) = pair_sentences::cross_validate(&settings, &featured, &docs, 5)?;
                println!(
                    "l2 {l2} min_rows {min_rows}: accuracy {:.3} macro-F1 {:.3} relation F1 {:.3} stance {:.3}",
                    f.accuracy, f.macro_f1, f.relation_f1, f.stance_accuracy
                );
            }
        }
    }
    Ok(())
}
