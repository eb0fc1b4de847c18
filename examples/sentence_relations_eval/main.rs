//! Measures the relations of one-sentence texts on the labeled actor pairs of
//! `data/relation-sentences/pairs.jsonl`, with the shipped model: each distinct sentence is
//! classified alone, as the text of an article with no title (a title row too: for one
//! sentence the place weight scales the evidence and the short-text threshold alike), and
//! each labeled pair is scored against the pairs listed for it.
//!
//! `cargo run --release --example sentence_relations_eval [model.bin] [pairs.jsonl]`
//!
//! Prints, at the defaults, pair precision/recall/F1 (relation vs none) and stance accuracy
//! on found pairs by source (`ag-`, `mc-`, `un-`, `ar-`) and overall; then the settings that
//! govern a one-sentence text (`short_text_share`, `uncued_weight`, `neutral_article_gate`,
//! `tension_threshold`) on all sentences, and chosen on one half of the documents and
//! measured on the other, both ways (`grid.rs`). With `--title`, title rows are read as a
//! title alone instead.

mod grid;
#[path = "../common/halves.rs"]
mod halves;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use accord::features::actors::{ArticleActors, Gazetteer, MatchSettings};
use accord::model::relations::{CueWords, RelationSettings, StanceLabels};
use accord::text::tokens::Tokens;
use accord::train::news::{self, NewsStory, Pair, Reading, StoryLabels};
use accord::{Article, Model};

/// One labeled row of `pairs.jsonl` (the fields read here).
#[derive(Deserialize)]
struct Row {
    doc: String,
    field: String,
    sentence: String,
    a: Named,
    b: Named,
    label: String,
}

#[derive(Deserialize)]
struct Named {
    code: String,
}

/// A labeled pair: codes in order and `none`, `cooperation` or `tension`.
struct Labeled {
    a: String,
    b: String,
    label: String,
}

/// One distinct sentence of a document, read once: everything the settings do not change.
pub struct Item {
    /// The document (`ag-1864`): its prefix is the source.
    pub doc: String,
    story: NewsStory,
    reading: Reading,
    actors: ArticleActors,
    tokens: Tokens,
    labeled: Vec<Labeled>,
    /// How many sentences the model's splitter makes of it.
    sentences: usize,
}

/// What one setting's answer for one item counts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Labeled cooperation/tension pairs.
    pub relations: u32,
    /// Labeled `none` pairs.
    pub nones: u32,
    /// Labeled relations listed with the labeled stance.
    pub right: u32,
    /// Labeled relations listed with the other stance.
    pub wrong: u32,
    /// Labeled `none` pairs listed (false positives).
    pub listed_nones: u32,
    /// Labeled pairs (any label) whose two actors the gazetteer did not both find.
    pub unmatched: u32,
    /// Labeled relations among them.
    pub unmatched_relations: u32,
    /// Listed pairs no row labels (not scored).
    pub unlabeled: u32,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.relations += o.relations;
        self.nones += o.nones;
        self.right += o.right;
        self.wrong += o.wrong;
        self.listed_nones += o.listed_nones;
        self.unmatched += o.unmatched;
        self.unmatched_relations += o.unmatched_relations;
        self.unlabeled += o.unlabeled;
    }

    /// The sum of `each`.
    pub fn sum<'c>(each: impl IntoIterator<Item = &'c Counts>) -> Counts {
        let mut total = Counts::default();
        each.into_iter().for_each(|c| total.add(c));
        total
    }

    fn found(&self) -> u32 {
        self.right + self.wrong
    }

    /// Found labeled relations over all listed labeled pairs.
    pub fn precision(&self) -> f64 {
        ratio(self.found(), self.found() + self.listed_nones)
    }

    /// Found labeled relations over all labeled relations (the unmatched ones included).
    pub fn recall(&self) -> f64 {
        ratio(self.found(), self.relations)
    }

    /// Pair F1, relation vs none.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Right stance among found labeled relations.
    pub fn stance(&self) -> f64 {
        ratio(self.right, self.found())
    }

    /// What the settings are chosen by: the mean of pair F1 and stance accuracy.
    pub fn objective(&self) -> f64 {
        (self.f1() + self.stance()) / 2.0
    }

    /// One line of figures.
    pub fn line(&self) -> String {
        format!(
            "P {:.3} R {:.3} F1 {:.3} stance {:.3} ({}/{}) → {:.3} | {} relations, {} none; listed: {} right, {} wrong stance, {} none; {} unmatched ({} relations); {} unlabeled listed",
            self.precision(),
            self.recall(),
            self.f1(),
            self.stance(),
            self.right,
            self.found(),
            self.objective(),
            self.relations,
            self.nones,
            self.right,
            self.wrong,
            self.listed_nones,
            self.unmatched,
            self.unmatched_relations,
            self.unlabeled,
        )
    }
}

fn ratio(n: u32, d: u32) -> f64 {
    if d == 0 {
        0.0
    } else {
        f64::from(n) / f64::from(d)
    }
}

/// The distinct sentences of `rows`, in order of first appearance, each with its pairs.
fn group(rows: Vec<Row>) -> Vec<(String, String, String, Vec<Labeled>)> {
    let mut order: Vec<(String, String, String, Vec<Labeled>)> = Vec::new();
    let mut at: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for row in rows {
        let key = (row.doc.clone(), row.field.clone(), row.sentence.clone());
        let i = *at.entry(key).or_insert_with(|| {
            order.push((row.doc, row.field, row.sentence, Vec::new()));
            order.len() - 1
        });
        let (a, b) = if row.a.code <= row.b.code { (row.a.code, row.b.code) } else { (row.b.code, row.a.code) };
        order[i].3.push(Labeled { a, b, label: row.label });
    }
    order
}

fn prepare(
    model: &Model,
    without_actors: &Model,
    gazetteer: &Gazetteer,
    (doc, field, sentence, labeled): (String, String, String, Vec<Labeled>),
    title_alone: bool,
) -> Result<Item, news::NewsError> {
    let (title, text) =
        if title_alone && field == "title" { (sentence, String::new()) } else { (String::new(), sentence) };
    let story = NewsStory {
        id: doc.clone(),
        title,
        text,
        labels: StoryLabels { stance: "neutral".to_owned() },
        relations: Vec::new(),
    };
    let actors = gazetteer.matcher(MatchSettings::default()).find(model.tokenizer(), &story.title, &story.text);
    let mut tokens = Tokens::new();
    tokens.read(model.tokenizer(), &Article { id: &story.id, title: &story.title, text: &story.text });
    let reading = news::read(model, without_actors, &story)?;
    let sentences = reading.sentences.len();
    Ok(Item { doc, story, reading, actors, tokens, labeled, sentences })
}

/// The pairs `settings` list for `item`, as the served path finds them.
fn listed(gazetteer: &Gazetteer, labels: StanceLabels, settings: &RelationSettings, item: &Item) -> Vec<Pair> {
    news::found_pairs(
        gazetteer,
        settings,
        labels,
        (&item.reading.model_probabilities, &item.reading.sentences),
        (&item.actors, Some(&CueWords::of(&item.tokens))),
    )
}

/// `item`'s counts under `settings`.
pub fn score(gazetteer: &Gazetteer, labels: StanceLabels, settings: &RelationSettings, item: &Item) -> Counts {
    let pairs = listed(gazetteer, labels, settings, item);
    let named: Vec<&str> = item.actors.actors.iter().map(|count| gazetteer.code(count.actor)).collect();
    let mut c = Counts::default();
    for l in &item.labeled {
        let relation = l.label != "none";
        if relation {
            c.relations += 1;
        } else {
            c.nones += 1;
        }
        if !(named.contains(&l.a.as_str()) && named.contains(&l.b.as_str())) {
            c.unmatched += 1;
            c.unmatched_relations += u32::from(relation);
        }
        match pairs.iter().find(|p| p.a == l.a && p.b == l.b) {
            Some(p) if relation && p.stance == l.label => c.right += 1,
            Some(_) if relation => c.wrong += 1,
            Some(_) => c.listed_nones += 1,
            None => {}
        }
    }
    let is_labeled = |p: &&Pair| item.labeled.iter().any(|l| l.a == p.a && l.b == p.b);
    c.unlabeled = pairs.iter().filter(|p| !is_labeled(p)).count() as u32;
    c
}

/// The sources by prefix, then all.
pub const SOURCES: [&str; 5] = ["ag-", "mc-", "un-", "ar-", ""];

/// One line per source of `counts` (one per item of `items`).
pub fn print_by_source(items: &[Item], counts: &[Counts]) {
    for source in SOURCES {
        let total = Counts::sum(items.iter().zip(counts).filter(|(i, _)| i.doc.starts_with(source)).map(|(_, c)| c));
        let name = if source.is_empty() { "all" } else { source };
        println!("| {name} | {} |", total.line());
    }
}

/// How many items the served model answers otherwise than the harness at the defaults.
fn served_differs(model: &Model, gazetteer: &Gazetteer, labels: StanceLabels, items: &[Item]) -> usize {
    let defaults = RelationSettings::default();
    let differs = |item: &&Item| news::served_pairs(model, &item.story) != listed(gazetteer, labels, &defaults, item);
    items.iter().filter(differs).count()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let title_alone = args.first().is_some_and(|a| a == "--title");
    if title_alone {
        args.remove(0);
    }
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_owned());
    let model = Model::load(Path::new(&arg(0, "models/default/model.bin")))?;
    let pairs_path = arg(1, "data/relation-sentences/pairs.jsonl");
    let gazetteer = model.actors().ok_or("the model has no gazetteer")?;
    let (_, labels) = news::stance_labels(&model)?;
    let without_actors = model.clone().with_actors(None);
    let rows: Vec<Row> = std::fs::read_to_string(&pairs_path)?
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let row_count = rows.len();
    let items: Vec<Item> = group(rows)
        .into_iter()
        .map(|sentence| prepare(&model, &without_actors, gazetteer, sentence, title_alone))
        .collect::<Result<_, _>>()?;
    let split = items.iter().filter(|i| i.sentences != 1).count();
    println!(
        "{row_count} labeled pairs in {} distinct sentences from {pairs_path}, model {}; title rows read as {}; {split} read as other than one sentence by the splitter",
        items.len(),
        model.version(),
        if title_alone { "a title alone" } else { "the text" },
    );
    println!(
        "items the served model answers otherwise than the harness at the defaults: {}",
        served_differs(&model, gazetteer, labels, &items)
    );
    let defaults = RelationSettings::default();
    let counts: Vec<Counts> = items.iter().map(|item| score(gazetteer, labels, &defaults, item)).collect();
    println!("\n## Defaults, by source\n| source | figures |\n|---|---|");
    print_by_source(&items, &counts);
    grid::print(gazetteer, labels, &items);
    Ok(())
}
