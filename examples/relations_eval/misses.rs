//! Why each labeled pair the defaults miss is missed: an actor the gazetteer lacks or the
//! article's names do not match, a pair never named in one sentence or two adjacent ones, a
//! pair scored under the threshold, or (for a main pair) a pair found but not first.

use std::collections::BTreeMap;

use accord::features::actors::{ArticleActors, Gazetteer};
use accord::model::relations::{relations, Relation, RelationSettings, SentenceInput, StanceLabels};
use accord::train::news::{NewsStory, Pair, Reading};

/// Why a labeled pair is not among the answer's pairs, or not its first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// A code the gazetteer has no actor for.
    NotInGazetteer,
    /// An actor the gazetteer has but the article's words did not match.
    NotMatched,
    /// Both matched, never in one sentence nor in two adjacent sentences.
    NeverTogether,
    /// Only across adjacent sentences, under the threshold.
    AdjacentOnly,
    /// In one sentence at least, under the threshold.
    UnderThreshold,
    /// Found, but a main pair and not the first.
    NotFirst,
}

/// A missed labeled pair: its codes (and "(main)"), why, and a detail.
pub type Miss = (String, Cause, String);

/// Every pair the article's sentences support at all, with its score.
fn all_pairs(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    labels: StanceLabels,
    reading: &Reading,
    actors: &ArticleActors,
) -> Vec<Relation> {
    let inputs: Vec<SentenceInput<'_>> = reading
        .sentences
        .iter()
        .map(|(field, range, stance)| SentenceInput { field: *field, range: range.clone(), stance })
        .collect();
    let open = RelationSettings {
        min_score: f32::MIN_POSITIVE,
        first_min_score: f32::MIN_POSITIVE,
        max_pairs: usize::MAX,
        ..*settings
    };
    relations(gazetteer, &open, labels, &inputs, actors).pairs
}

/// One story's missed pairs with their causes.
pub fn causes(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    labels: StanceLabels,
    story: &NewsStory,
    reading: &Reading,
    actors: &ArticleActors,
    predicted: &[Pair],
) -> Vec<Miss> {
    let key = |a: &str, b: &str| format!("{a}-{b}");
    let scored = all_pairs(gazetteer, settings, labels, reading, actors);
    let together = all_pairs(gazetteer, &RelationSettings { window: 0, ..*settings }, labels, reading, actors);
    let score_of = |pairs: &[Relation], a: &str, b: &str| {
        pairs.iter().find(|p| gazetteer.code(p.a) == a && gazetteer.code(p.b) == b).map(|p| p.score)
    };
    let matched = |code: &str| gazetteer.id(code).is_some_and(|id| actors.actors.iter().any(|c| c.actor == id));
    let mut out = Vec::new();
    let first_is_main =
        predicted.first().is_some_and(|p| story.relations.iter().any(|g| g.main && g.a == p.a && g.b == p.b));
    for gold in &story.relations {
        let found = predicted.iter().position(|p| p.a == gold.a && p.b == gold.b);
        let cause = match found {
            Some(0) => continue,
            Some(_) if gold.main && !first_is_main => {
                (Cause::NotFirst, format!("first {:?}", predicted.first().map(|p| key(&p.a, &p.b))))
            }
            Some(_) => continue,
            None => {
                let missing: Vec<&str> = [&gold.a, &gold.b].into_iter().map(String::as_str).collect();
                if let Some(code) = missing.iter().find(|c| gazetteer.id(c).is_none()) {
                    (Cause::NotInGazetteer, (*code).to_owned())
                } else if let Some(code) = missing.iter().find(|c| !matched(c)) {
                    (Cause::NotMatched, (*code).to_owned())
                } else {
                    match (score_of(&together, &gold.a, &gold.b), score_of(&scored, &gold.a, &gold.b)) {
                        (Some(one), all) => {
                            (Cause::UnderThreshold, format!("{one:.2} in one sentence, {all:?} in all"))
                        }
                        (None, Some(all)) => (Cause::AdjacentOnly, format!("{all:.2}")),
                        (None, None) => (Cause::NeverTogether, String::new()),
                    }
                }
            }
        };
        let main = if gold.main { " (main)" } else { "" };
        out.push((format!("{}{main}", key(&gold.a, &gold.b)), cause.0, cause.1));
    }
    out
}

/// Prints every story's missed pairs and a count per cause (stories and pairs).
pub fn print(rows: &[(String, Vec<Miss>)], predicted_none: &[String]) {
    println!("\n## Why labeled pairs are missed (defaults)");
    let mut pairs: BTreeMap<Cause, (usize, usize, Vec<&str>)> = BTreeMap::new();
    for (story, misses) in rows {
        for (pair, cause, detail) in misses {
            println!("{story}: {pair} — {cause:?} {detail}");
        }
        let mut seen = Vec::new();
        for (pair, cause, _) in misses {
            let entry = pairs.entry(*cause).or_default();
            entry.0 += 1;
            if pair.ends_with("(main)") {
                entry.1 += 1;
            }
            if !seen.contains(cause) {
                seen.push(*cause);
                entry.2.push(story);
            }
        }
    }
    println!("| cause | pairs | main pairs | stories |\n|---|---|---|---|");
    for (cause, (count, main, stories)) in &pairs {
        println!("| {cause:?} | {count} | {main} | {} |", stories.len());
    }
    println!("stories with a labeled relation and no pair answered: {}: {predicted_none:?}", predicted_none.len());
}

/// One line per candidate pair (named in one sentence or two within two sentences) of
/// every story, with features and whether it is labeled, tab-separated, for a study of what
/// tells a relation from a co-mention.
pub fn pair_rows(
    gazetteer: &Gazetteer,
    labels: StanceLabels,
    story: &NewsStory,
    reading: &Reading,
    actors: &ArticleActors,
    out: &mut String,
) {
    use accord::features::actors::Field;
    let base = RelationSettings { lead_sentences: 0, title_weight: 1.0, ..RelationSettings::default() };
    let one = all_pairs(gazetteer, &RelationSettings { window: 0, ..base }, labels, reading, actors);
    let raw =
        all_pairs(gazetteer, &RelationSettings { window: 0, neutral_discount: false, ..base }, labels, reading, actors);
    let two = all_pairs(gazetteer, &RelationSettings { window: 2, ..base }, labels, reading, actors);
    let find =
        |pairs: &[Relation], p: &Relation| pairs.iter().find(|q| q.a == p.a && q.b == p.b).map_or(0.0, |q| q.score);
    let count = |id| actors.actors.iter().find(|c| c.actor == id).map_or(0, |c| c.mentions);
    let top = actors.actors.iter().map(|c| c.mentions).max().unwrap_or(0);
    let rank = |id| actors.actors.iter().position(|c| c.actor == id).unwrap_or(99);
    let lead_end = reading.sentences.iter().find(|(f, _, _)| *f == Field::Text).map_or(0, |(_, r, _)| r.end);
    let in_title = |id| actors.mentions.iter().any(|m| m.actor == id && m.field == Field::Title);
    let in_lead = |id| actors.mentions.iter().any(|m| m.actor == id && m.field == Field::Text && m.end <= lead_end);
    let neutral = labels.neutral.unwrap_or(0);
    let article_neutral =
        reading.sentences.iter().map(|(_, _, p)| p[neutral]).sum::<f32>() / reading.sentences.len().max(1) as f32;
    for p in &two {
        let (a, b) = (gazetteer.code(p.a), gazetteer.code(p.b));
        let gold = story.relations.iter().find(|g| g.a == a && g.b == b);
        out.push_str(&format!(
            "{}\t{a}\t{b}\t{}\t{}\t{:.3}\t{:.3}\t{:.3}\t{}\t{}\t{top}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.3}\t{}\n",
            story.id,
            u8::from(gold.is_some()),
            u8::from(gold.is_some_and(|g| g.main)),
            find(&one, p),
            find(&raw, p),
            p.score,
            count(p.a),
            count(p.b),
            rank(p.a),
            rank(p.b),
            u8::from(in_title(p.a)),
            u8::from(in_title(p.b)),
            u8::from(in_lead(p.a)),
            u8::from(in_lead(p.b)),
            actors.actors.len(),
            reading.sentences.len(),
            article_neutral,
            u8::from(story.relations.iter().any(|g| g.main)),
        ));
    }
}
