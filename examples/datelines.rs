//! How often news datelines ("BRUSSELS (Reuters) - ") open the repository's texts, how many
//! of them name an actor, and what the labelers of `data/relation-sentences` said of the
//! pairs a dateline's names made.
//!
//! `cargo run --release --example datelines [--list] [data dir]`
//!
//! With `--list`, prints every text's id and its dateline, if it has one, and nothing else.
//! Otherwise prints, per source, the texts that open with a dateline and those whose dateline names an
//! actor (with a sample), then the labeled pairs whose sentence opens its document's text
//! with a dateline naming one of the pair: those the dateline alone made (the actor is not
//! named again in the sentence) and those that stay, each with their labels.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

use accord::features::actors::{ArticleActors, Gazetteer, MatchSettings};
use accord::text::dateline::{self, Dateline};
use accord::Tokenizer;
use serde::Deserialize;

/// One labeled pair of `data/relation-sentences/pairs.jsonl`, the fields read here.
#[derive(Deserialize)]
struct Pair {
    id: String,
    doc: String,
    field: String,
    sentence: String,
    a: PairActor,
    b: PairActor,
    label: String,
    passes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct PairActor {
    code: String,
}

/// The texts of a source, by the document number `pairs.jsonl` gives them.
type Texts = BTreeMap<String, String>;

fn dateline_of(tokenizer: &Tokenizer, text: &str) -> Option<Dateline> {
    let spans: Vec<(usize, usize)> = tokenizer.tokenize(text).iter().map(|t| (t.start, t.end)).collect();
    dateline::find(text, &spans)
}

fn actors(gazetteer: &Gazetteer, tokenizer: &Tokenizer, text: &str, skip_dateline: bool) -> ArticleActors {
    let settings = MatchSettings { skip_dateline, ..MatchSettings::default() };
    gazetteer.matcher(settings).find(tokenizer, "", text)
}

/// The codes named inside the dateline of `text` (none without one).
fn dateline_codes(gazetteer: &Gazetteer, tokenizer: &Tokenizer, text: &str) -> Vec<String> {
    let Some(found) = dateline_of(tokenizer, text) else { return Vec::new() };
    let all = actors(gazetteer, tokenizer, text, false);
    let mut codes: Vec<String> =
        all.mentions.iter().filter(|m| m.start < found.end).map(|m| gazetteer.code(m.actor).to_owned()).collect();
    codes.dedup();
    codes
}

fn survey(name: &str, texts: &Texts, gazetteer: &Gazetteer, tokenizer: &Tokenizer) {
    let (mut with, mut naming, mut sample) = (0, 0, Vec::new());
    for text in texts.values() {
        let Some(found) = dateline_of(tokenizer, text) else { continue };
        with += 1;
        let codes = dateline_codes(gazetteer, tokenizer, text);
        if !codes.is_empty() {
            naming += 1;
            if sample.len() < 8 {
                sample.push(format!("{:?} → {}", text[..found.end].trim(), codes.join(", ")));
            }
        }
    }
    println!("{name}: {with} of {} texts open with a dateline; {naming} of those name an actor in it", texts.len());
    for line in sample {
        println!("  {line}");
    }
}

fn ag_news(dir: &Path) -> Result<Texts, Box<dyn Error>> {
    let mut reader = csv::Reader::from_path(dir.join("ag-news/train.csv"))?;
    let mut texts = Texts::new();
    for (i, row) in reader.records().enumerate() {
        let row = row?;
        texts.insert(format!("ag-{:04}", i + 1), row.get(2).unwrap_or_default().to_owned());
    }
    Ok(texts)
}

fn jsonl_texts(path: &Path, prefix: &str, width: usize) -> Result<Texts, Box<dyn Error>> {
    #[derive(Deserialize)]
    struct Story {
        text: String,
    }
    let mut texts = Texts::new();
    for (i, line) in std::fs::read_to_string(path)?.lines().enumerate() {
        let story: Story = serde_json::from_str(line)?;
        texts.insert(format!("{prefix}-{i:0width$}"), story.text);
    }
    Ok(texts)
}

/// Lines of a tab-separated file, the last column left off, from line `first` on.
fn tsv_texts(path: &Path, prefix: &str, first: usize) -> Result<Texts, Box<dyn Error>> {
    let mut texts = Texts::new();
    for (i, line) in std::fs::read_to_string(path)?.lines().enumerate().skip(first) {
        let text = line.rsplit_once('\t').map_or(line, |(text, _)| text);
        texts.insert(format!("{prefix}-{i:04}"), text.to_owned());
    }
    Ok(texts)
}

/// The pairs whose sentence opens its document's text with a dateline naming `a` or `b`.
fn pairs(dir: &Path, sources: &[Texts], gazetteer: &Gazetteer, tokenizer: &Tokenizer) -> Result<(), Box<dyn Error>> {
    let path = dir.join("relation-sentences/pairs.jsonl");
    let (mut gone, mut kept) = (Vec::new(), Vec::new());
    let mut total = 0;
    for line in std::fs::read_to_string(&path)?.lines() {
        let pair: Pair = serde_json::from_str(line)?;
        total += 1;
        let text = sources.iter().find_map(|texts| texts.get(&pair.doc));
        let opens = text.is_some_and(|text| text.trim_start().starts_with(pair.sentence.trim_start()));
        if pair.field != "text" || !opens {
            continue;
        }
        let named = dateline_codes(gazetteer, tokenizer, &pair.sentence);
        if !named.contains(&pair.a.code) && !named.contains(&pair.b.code) {
            continue;
        }
        let after = actors(gazetteer, tokenizer, &pair.sentence, true);
        let codes: Vec<&str> = after.actors.iter().map(|a| gazetteer.code(a.actor)).collect();
        let stays = codes.contains(&pair.a.code.as_str()) && codes.contains(&pair.b.code.as_str());
        if stays {
            kept.push(pair);
        } else {
            gone.push(pair);
        }
    }
    println!("\n{total} labeled pairs in {}", path.display());
    for (what, pairs) in
        [("made by the dateline alone (gone now)", &gone), ("named past the dateline too (kept)", &kept)]
    {
        let mut labels: BTreeMap<&str, usize> = BTreeMap::new();
        let mut bad_match = 0;
        for pair in pairs.iter() {
            *labels.entry(pair.label.as_str()).or_default() += 1;
            bad_match += usize::from(pair.passes.values().any(|label| label.ends_with('!')));
        }
        println!("{} pairs {what}: labels {labels:?}; {bad_match} with a bad-match mark", pairs.len());
        for pair in pairs.iter() {
            let passes: Vec<&str> = pair.passes.values().map(String::as_str).collect();
            let opening: String = pair.sentence.chars().take(70).collect();
            println!(
                "  {} {} {}–{} {} {:?}: {opening}",
                pair.id, pair.doc, pair.a.code, pair.b.code, pair.label, passes
            );
        }
    }
    Ok(())
}

/// Every text's id and dateline (empty without one), a line each.
fn list(texts: &Texts, tokenizer: &Tokenizer) {
    for (id, text) in texts {
        let found = dateline_of(tokenizer, text).map_or("", |found| text[..found.end].trim());
        println!("{id}\t{found}");
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let listing = args.first().is_some_and(|arg| arg == "--list");
    if listing {
        args.remove(0);
    }
    let dir = args.first().cloned().unwrap_or_else(|| "data".to_owned());
    let dir = Path::new(&dir);
    let gazetteer = Gazetteer::load(&dir.join("actors"))?;
    let tokenizer = Tokenizer::default();
    let ag = ag_news(dir)?;
    let articles = jsonl_texts(&dir.join("articles/articles.jsonl"), "ar", 3)?;
    let news = jsonl_texts(&dir.join("news/articles.jsonl"), "news", 3)?;
    let coped = tsv_texts(&dir.join("multi-coped/train.tsv"), "mc", 0)?;
    let un = tsv_texts(&dir.join("un-quadclass/en_annotations_quad_multiclass.tsv"), "un", 1)?;
    if listing {
        [&ag, &news, &articles, &coped, &un].into_iter().for_each(|texts| list(texts, &tokenizer));
        return Ok(());
    }
    survey("data/ag-news (descriptions)", &ag, &gazetteer, &tokenizer);
    survey("data/news", &news, &gazetteer, &tokenizer);
    survey("data/articles", &articles, &gazetteer, &tokenizer);
    survey("data/multi-coped", &coped, &gazetteer, &tokenizer);
    survey("data/un-quadclass", &un, &gazetteer, &tokenizer);
    pairs(dir, &[ag, articles, coped, un], &gazetteer, &tokenizer)
}
