//! `--clause`: every pair of distinct actors named in one sentence, one row per sentence and
//! pair into `target/relation_clauses.tsv` (story, pair, labeled or not, the pair's score at
//! the defaults, the words between the two nearest mentions, the words before the first and
//! after the second), for a study of who-does-what-to-whom cues against the co-mentions
//! the labels do not count.

use accord::features::actors::{Field, Gazetteer, Mention};
use accord::model::relations::{relations, RelationSettings, StanceLabels};

use crate::{sentence_inputs, Prepared};

fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('\t', " ")
}

/// The rows of one story.
fn rows(gazetteer: &Gazetteer, labels: StanceLabels, p: &Prepared<'_>, out: &mut String) {
    let actors = &p.actors[0];
    let inputs = sentence_inputs(p);
    let all = RelationSettings {
        min_score: 1e-6,
        first_min_score: 1e-6,
        max_pairs: usize::MAX,
        ..RelationSettings::default()
    };
    let scored = relations(gazetteer, &all, labels, &inputs, actors).pairs;
    let defaults = relations(gazetteer, &RelationSettings::default(), labels, &inputs, actors).pairs;
    let titles = inputs.iter().filter(|s| s.field == Field::Title).count();
    for (k, s) in inputs.iter().enumerate() {
        let place = if s.field == Field::Title {
            1.0
        } else if k - titles < 3 {
            1.5
        } else {
            1.0
        };
        let neutral = labels.neutral.and_then(|n| s.stance.get(n)).copied().unwrap_or(0.0);
        let text = if s.field == Field::Title { p.story.title.as_str() } else { p.story.text.as_str() };
        let here: Vec<&Mention> = actors
            .mentions
            .iter()
            .filter(|m| m.field == s.field && m.start >= s.range.start && m.end <= s.range.end)
            .collect();
        let distinct = {
            let mut d: Vec<_> = here.iter().map(|m| m.actor).collect();
            d.sort();
            d.dedup();
            d.len()
        };
        for (i, x) in here.iter().enumerate() {
            for y in &here[i + 1..] {
                if x.actor == y.actor {
                    continue;
                }
                let (ca, cb) = (gazetteer.code(x.actor), gazetteer.code(y.actor));
                let (a, b) = if ca <= cb { (ca, cb) } else { (cb, ca) };
                let labeled = p.story.relations.iter().find(|g| g.a == a && g.b == b);
                let score = scored
                    .iter()
                    .find(|r| gazetteer.code(r.a) == a && gazetteer.code(r.b) == b)
                    .map_or(0.0, |r| r.score);
                let found = defaults.iter().any(|r| gazetteer.code(r.a) == a && gazetteer.code(r.b) == b);
                out.push_str(&format!(
                    "{}\t{a}\t{b}\t{}\t{}\t{}\t{score:.3}\t{}\t{k}\t{distinct}\t{:?}\t{:?}\t{}\t{}\t{}\t{}\t{}\t{place}\t{neutral:.4}\n",
                    p.story.id,
                    u8::from(labeled.is_some()),
                    labeled.map_or("-", |g| g.stance.as_str()),
                    u8::from(labeled.is_some_and(|g| g.main)),
                    u8::from(found),
                    x.role,
                    y.role,
                    clean(text.get(s.range.start..x.start).unwrap_or("")),
                    clean(text.get(x.start..x.end).unwrap_or("")),
                    clean(text.get(x.end..y.start).unwrap_or("")),
                    clean(text.get(y.start..y.end).unwrap_or("")),
                    clean(text.get(y.end..s.range.end).unwrap_or("")),
                ));
            }
        }
    }
}

/// Writes the rows.
pub fn print(gazetteer: &Gazetteer, labels: StanceLabels, all: &[&Prepared<'_>]) {
    let mut table =
        String::from("story\ta\tb\tlabeled\tstance\tmain\tscore\tfound\tsentence\tactors\trole_x\trole_y\tbefore\tx\tbetween\ty\tafter\tplace\tneutral\n");
    for p in all {
        rows(gazetteer, labels, p, &mut table);
    }
    if let Err(e) = std::fs::write("target/relation_clauses.tsv", table) {
        eprintln!("cannot write target/relation_clauses.tsv: {e}");
    }
}
