//! Compares ways to split an article's stance between cooperation and tension, the neutral
//! gate left as the served model has it (topic `P(world) ^ exponent`, no relation →
//! neutral), on the hand-labeled news stories of `data/news` and the hand-labeled articles
//! of `data/articles`.
//!
//! `cargo run --release --example article_stance_eval [model.bin] [news.jsonl] [articles.jsonl]`
//!
//! For each variant (see `variants.rs`): cooperation-vs-tension macro-F1 on the articles
//! labeled with either, how many of them it answers otherwise than the served mean, and the
//! 3-class macro-F1 with the served neutral gate. Then the held-out check on the news
//! stories: each family's weight (and the choice among all variants) is chosen on one half of
//! the cooperation/tension stories and measured on the other, both ways, over several seeded
//! splits into halves; and on the articles with the weight chosen on all news stories.

#[path = "../common/halves.rs"]
mod halves;
mod variants;

use std::collections::BTreeMap;
use std::path::Path;

use halves::halves;

use accord::model::relations::StanceLabels;
use accord::train::news::{self, macro_f1, NewsStories};
use accord::{Article, Model, Options};
use serde::Deserialize;
use variants::{Read, Variant};

/// One labeled article as the variants see it.
#[derive(Clone)]
struct Scored {
    id: String,
    gold: String,
    read: Read,
    /// The topic head's `P(relation label)`.
    relation: f32,
    /// Whether the served model finds a relation between actors.
    related: bool,
    /// The served model's stance.
    served: String,
}

/// A line of `data/articles/articles.jsonl`.
#[derive(Deserialize)]
struct Labeled {
    id: String,
    #[serde(default)]
    title: String,
    text: String,
    labels: BTreeMap<String, String>,
}

fn score(model: &Model, id: &str, title: &str, text: &str, gold: &str) -> Option<Scored> {
    let article = Article { id, title, text };
    let rule = model.article_stance()?;
    let head = |name: &str| model.heads().iter().position(|h| h.name == name);
    let (stance, topic) = (head(&rule.stance_head)?, head(&rule.topic_head)?);
    let plain = model.predict_plain(&article);
    let world = model.heads()[topic].labels.iter().position(|l| *l == rule.relation_label)?;
    let answer = model.classify(&article, &Options { relations: true, ..Options::default() });
    let sentences = model.sentence_probabilities(&article)?;
    let evidence = sentences
        .iter()
        .map(|(field, range, _)| {
            answer.relations.iter().flat_map(|r| &r.evidence).any(|e| e.0 == *field && e.1 == range.start)
        })
        .collect();
    Some(Scored {
        id: id.to_owned(),
        gold: gold.to_owned(),
        read: Read {
            sentences: sentences.into_iter().map(|(_, _, p)| p).collect(),
            evidence,
            whole: plain[stance].probabilities.clone(),
        },
        relation: plain[topic].probabilities[world],
        related: !answer.relations.is_empty(),
        served: answer.heads[stance].label().to_owned(),
    })
}

/// The 3-class answer under `variant`, with the served neutral gate; `None` for an article
/// of one sentence (the single-sentence head answers it, whatever the variant).
fn three_class(variant: Variant, labels: StanceLabels, exponent: f32, s: &Scored) -> Option<&'static str> {
    if s.read.sentences.len() < 2 {
        return None;
    }
    if !s.related {
        return Some("neutral");
    }
    let related = s.relation.clamp(0.0, 1.0).powf(exponent);
    let (share, _) = variant.share(labels, &s.read);
    let label = variant.binary(labels, &s.read);
    let leaning = related * if label == "tension" { share } else { 1.0 - share };
    Some(if 1.0 - related > leaning { "neutral" } else { label })
}

/// Cooperation-vs-tension macro-F1 of `variant` on `stories` (all labeled with either).
fn binary_f1(variant: Variant, labels: StanceLabels, stories: &[&Scored]) -> f64 {
    let pairs: Vec<(&str, &str)> = stories.iter().map(|s| (s.gold.as_str(), variant.binary(labels, &s.read))).collect();
    macro_f1(&pairs, &["cooperation", "tension"])
}

fn three_f1(variant: Variant, labels: StanceLabels, exponent: f32, all: &[Scored]) -> f64 {
    let pairs: Vec<(&str, &str)> = all
        .iter()
        .map(|s| (s.gold.as_str(), three_class(variant, labels, exponent, s).unwrap_or(s.served.as_str())))
        .collect();
    macro_f1(&pairs, &["cooperation", "neutral", "tension"])
}

/// The stories labeled cooperation or tension.
fn leaning(all: &[Scored]) -> Vec<&Scored> {
    all.iter().filter(|s| s.gold != "neutral").collect()
}

/// How many of `stories` `variant` answers otherwise than the served mean, and of those how
/// many it gets right.
fn flips(variant: Variant, labels: StanceLabels, stories: &[&Scored]) -> (usize, usize) {
    let differ: Vec<&&Scored> =
        stories.iter().filter(|s| variant.binary(labels, &s.read) != Variant::Mean.binary(labels, &s.read)).collect();
    let right = differ.iter().filter(|s| variant.binary(labels, &s.read) == s.gold).count();
    (differ.len(), right)
}

/// Two-sided exact sign test: the chance of a split of `n` discordant answers at least as
/// uneven as `k` right against `n − k` wrong if either way were as likely (McNemar's exact
/// test on the answers that differ).
fn sign_test(n: usize, k: usize) -> f64 {
    let choose = |n: usize, k: usize| (0..k).fold(1.0, |c: f64, i| c * (n - i) as f64 / (i + 1) as f64);
    let tail = k.min(n - k);
    let p: f64 = (0..=tail).map(|i| choose(n, i)).sum::<f64>() / 2f64.powi(n as i32);
    (2.0 * p).min(1.0)
}

/// The row of one variant on one data set.
fn row(variant: Variant, labels: StanceLabels, exponent: f32, all: &[Scored]) -> String {
    let stories = leaning(all);
    let (differ, right) = flips(variant, labels, &stories);
    format!(
        "| {} | {:.4} | {differ} ({right} right, {} wrong; sign test p = {:.2}) | {:.4} |",
        variant.name(),
        binary_f1(variant, labels, &stories),
        differ - right,
        sign_test(differ, right),
        three_f1(variant, labels, exponent, all)
    )
}

/// The articles (a) answers wrongly, each with its tension share under (a), (b) and (c).
fn misses(labels: StanceLabels, stories: &[&Scored]) -> String {
    let wrong: Vec<String> = stories
        .iter()
        .filter(|s| Variant::Mean.binary(labels, &s.read) != s.gold)
        .map(|s| {
            let share = |v: Variant| v.share(labels, &s.read).0;
            let (a, b, c) = (share(Variant::Mean), share(Variant::Whole), share(Variant::Weighted));
            format!("{} {} {a:.2}/{b:.2}/{c:.2}", s.id, s.gold)
        })
        .collect();
    format!("wrong under (a), tension share (a)/(b)/(c): {}", wrong.join(", "))
}

/// Gold against answered, cooperation and tension, and the ids answered otherwise than (a).
fn confusion(variant: Variant, labels: StanceLabels, stories: &[&Scored]) -> String {
    let count = |gold: &str, answer: &str| {
        stories.iter().filter(|s| s.gold == gold && variant.binary(labels, &s.read) == answer).count()
    };
    let differ: Vec<String> = stories
        .iter()
        .filter(|s| variant.binary(labels, &s.read) != Variant::Mean.binary(labels, &s.read))
        .map(|s| format!("{} ({})", s.id, s.gold))
        .collect();
    format!(
        "{}: cooperation → {}/{} cooperation, tension → {}/{} tension; otherwise than (a): {differ:?}",
        variant.name(),
        count("cooperation", "cooperation"),
        count("cooperation", "cooperation") + count("cooperation", "tension"),
        count("tension", "tension"),
        count("tension", "tension") + count("tension", "cooperation"),
    )
}

/// How many splits into halves the held-out check repeats.
const SPLITS: usize = 10;

/// The best of `tried` on `stories` (the first of equals).
fn choose(tried: &[Variant], labels: StanceLabels, stories: &[&Scored]) -> Variant {
    let mut best = (f64::MIN, tried[0]);
    for &variant in tried {
        let f1 = binary_f1(variant, labels, stories);
        if f1 > best.0 {
            best = (f1, variant);
        }
    }
    best.1
}

/// Chosen on one half, measured on the other, both ways, over [`SPLITS`] splits: the pooled
/// macro-F1 of the held-out answers, the mean per split, and how many splits it beats,
/// ties and loses to the served mean on the same halves.
fn held_out(tried: &[Variant], labels: StanceLabels, stories: &[&Scored]) -> String {
    let mut pooled = Vec::new();
    let (mut each, mut record) = (Vec::new(), [0; 3]);
    let mut chosen = BTreeMap::new();
    for split in 0..SPLITS {
        let halves = halves(stories, split);
        let mut answers = Vec::new();
        for h in 0..2 {
            let variant = choose(tried, labels, &halves[h]);
            *chosen.entry(variant.name()).or_insert(0) += 1;
            answers.extend(halves[1 - h].iter().map(|s| (s.gold.as_str(), variant.binary(labels, &s.read))));
        }
        let f1 = macro_f1(&answers, &["cooperation", "tension"]);
        let served = binary_f1(Variant::Mean, labels, stories);
        record[if f1 > served + 1e-9 {
            0
        } else if f1 < served - 1e-9 {
            2
        } else {
            1
        }] += 1;
        each.push(f1);
        pooled.extend(answers);
    }
    let mean = each.iter().sum::<f64>() / each.len() as f64;
    let chosen: Vec<String> = chosen.into_iter().map(|(name, n)| format!("{name} ×{n}")).collect();
    format!(
        "{:.4} | {mean:.4} | {}/{}/{} | {}",
        macro_f1(&pooled, &["cooperation", "tension"]),
        record[0],
        record[1],
        record[2],
        chosen.join("; ")
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_owned());
    let model = Model::load(Path::new(&arg(0, "models/default/model.bin")))?;
    let (_, labels) = news::stance_labels(&model)?;
    let exponent = model.article_stance().map_or(0.5, |rule| rule.exponent);
    let stories = NewsStories::load(Path::new(&arg(1, "data/news/articles.jsonl")))?;
    let news: Vec<Scored> =
        stories.stories.iter().filter_map(|s| score(&model, &s.id, &s.title, &s.text, &s.labels.stance)).collect();
    let mut articles = Vec::new();
    for line in std::fs::read_to_string(arg(2, "data/articles/articles.jsonl"))?.lines() {
        let a: Labeled = serde_json::from_str(line)?;
        let gold = a.labels.get("stance").cloned().unwrap_or_default();
        articles.extend(score(&model, &a.id, &a.title, &a.text, &gold));
    }
    println!("model {}, exponent {exponent}", model.version());

    for (name, all) in [("data/news", &news), ("data/articles", &articles)] {
        let unlike: Vec<&str> = all
            .iter()
            .filter(|s| three_class(Variant::Mean, labels, exponent, s).is_some_and(|l| l != s.served))
            .map(|s| s.id.as_str())
            .collect();
        println!(
            "\n## {name}: {} articles, {} labeled cooperation or tension, {} of one sentence; \
             (a) rebuilt differs from the served answer on {unlike:?}",
            all.len(),
            leaning(all).len(),
            all.iter().filter(|s| s.read.sentences.len() < 2).count()
        );
        println!("| variant | coop-vs-tension macro-F1 | answered otherwise than (a) | 3-class macro-F1 |");
        println!("|---|---|---|---|");
        for variant in Variant::FIXED {
            println!("{}", row(variant, labels, exponent, all));
        }
        for (_, family) in Variant::families() {
            for variant in family {
                println!("{}", row(variant, labels, exponent, all));
            }
        }
        println!();
        for variant in Variant::FIXED {
            println!("{}", confusion(variant, labels, &leaning(all)));
        }
        let ungated = |s: &Scored| match three_class(Variant::Mean, labels, exponent, s) {
            Some(_) if !s.related => {
                three_class(Variant::Mean, labels, exponent, &Scored { related: true, ..s.clone() })
            }
            answer => answer,
        };
        let pairs: Vec<(&str, &str)> =
            all.iter().map(|s| (s.gold.as_str(), ungated(s).unwrap_or(s.served.as_str()))).collect();
        println!(
            "(a) 3-class macro-F1 without \"no relation → neutral\": {:.4}",
            macro_f1(&pairs, &["cooperation", "neutral", "tension"])
        );
        let unrelated: Vec<&str> = leaning(all).iter().filter(|s| !s.related).map(|s| s.id.as_str()).collect();
        println!("labeled cooperation or tension, no relation found ({}): {unrelated:?}", unrelated.len());
        println!("{}", misses(labels, &leaning(all)));
    }

    let leaning_news = leaning(&news);
    let leaning_articles = leaning(&articles);
    println!(
        "\n## Held out on data/news ({} cooperation/tension stories, halves of {}, {SPLITS} splits)",
        leaning_news.len(),
        leaning_news.len() / 2
    );
    println!("(a variant without a weight is the same on every split: its held-out figure is its figure)");
    println!("| tried | pooled held-out macro-F1 | mean per split | splits beating/tying/losing to (a) | chosen |");
    println!("|---|---|---|---|---|");
    let mut everything: Vec<Variant> = Variant::FIXED.to_vec();
    for variant in Variant::FIXED {
        println!("| {} | {} |", variant.name(), held_out(&[variant], labels, &leaning_news));
    }
    for (name, family) in Variant::families() {
        println!("| {name} | {} |", held_out(&family, labels, &leaning_news));
        everything.extend(family);
    }
    println!("| any of the above | {} |", held_out(&everything, labels, &leaning_news));

    println!("\n## data/articles with each family's weight chosen on all of data/news");
    println!("| family | chosen on news | news macro-F1 | articles macro-F1 | (a) on articles |");
    println!("|---|---|---|---|---|");
    for (name, family) in Variant::families() {
        let chosen = choose(&family, labels, &leaning_news);
        println!(
            "| {name} | {} | {:.4} | {:.4} | {:.4} |",
            chosen.name(),
            binary_f1(chosen, labels, &leaning_news),
            binary_f1(chosen, labels, &leaning_articles),
            binary_f1(Variant::Mean, labels, &leaning_articles)
        );
    }
    Ok(())
}
