//! `--listing`: every predicted pair the labels do not have, every labeled pair found with
//! the other stance, and every story whose first pair is not a main pair, each with its
//! evidence sentences and the actor mentions in them marked `[words→CODE]`, for a study of
//! the kinds of mistake one by one; the pairs found right follow as `TRUE`, to compare. With
//! the article gate and the cue words, as the served path finds them.

use accord::features::actors::{ArticleActors, Field, Gazetteer};
use accord::model::relations::{
    article_reads_neutral, relations_with_cues, CueWords, RelationSettings, SentenceInput, StanceLabels,
};
use accord::train::news::{NewsStory, Reading};

/// The sentence's text with every mention in it marked.
fn marked(
    gazetteer: &Gazetteer,
    story: &NewsStory,
    actors: &ArticleActors,
    (field, start, end): (Field, usize, usize),
) -> String {
    let text = if field == Field::Title { &story.title } else { &story.text };
    let mut out = String::new();
    let mut at = start;
    for m in actors.mentions.iter().filter(|m| m.field == field && m.start >= start && m.end <= end) {
        out.push_str(text.get(at..m.start).unwrap_or(""));
        out.push_str(&format!("[{}→{}]", text.get(m.start..m.end).unwrap_or(""), gazetteer.code(m.actor)));
        at = m.end;
    }
    out.push_str(text.get(at..end).unwrap_or(""));
    let tag = if field == Field::Title { "T" } else { "S" };
    format!("{tag}: {}", out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Prints the listing for one story.
pub fn print(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    labels: StanceLabels,
    story: &NewsStory,
    reading: &Reading,
    (actors, cues): (&ArticleActors, &CueWords<'_>),
) {
    if article_reads_neutral(settings, labels, &reading.model_probabilities) {
        return;
    }
    let inputs: Vec<SentenceInput<'_>> = reading
        .sentences
        .iter()
        .map(|(field, range, stance)| SentenceInput { field: *field, range: range.clone(), stance })
        .collect();
    let found = relations_with_cues(gazetteer, settings, labels, &inputs, actors, Some(cues)).pairs;
    let first_is_main = found.first().is_some_and(|p| {
        story.relations.iter().any(|g| g.main && g.a == gazetteer.code(p.a) && g.b == gazetteer.code(p.b))
    });
    let has_main = story.relations.iter().any(|g| g.main);
    for (k, pair) in found.iter().enumerate() {
        let (a, b) = (gazetteer.code(pair.a), gazetteer.code(pair.b));
        let gold = story.relations.iter().find(|g| g.a == a && g.b == b);
        let kind = match gold {
            None => "FALSE",
            Some(g) if g.stance != pair.label.as_str() => "STANCE",
            Some(_) if k == 0 && has_main && !first_is_main => "NOTMAIN",
            Some(_) => "TRUE",
        };
        let main_note = if k == 0 && has_main && !first_is_main {
            let mains: Vec<String> =
                story.relations.iter().filter(|g| g.main).map(|g| format!("{}-{}", g.a, g.b)).collect();
            format!(" FIRST-NOT-MAIN (labeled main {})", mains.join(" "))
        } else {
            String::new()
        };
        println!(
            "\n{kind} {} {a}-{b} {} score {:.2} rank {k}{main_note} (labeled {} | story {})",
            story.id,
            pair.label.as_str(),
            pair.score,
            gold.map_or("-", |g| g.stance.as_str()),
            story.labels.stance,
        );
        for &sentence in &pair.evidence {
            println!("  {}", marked(gazetteer, story, actors, sentence));
        }
    }
}
