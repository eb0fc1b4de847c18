//! A driver for instruction-level profiles of the in-process path: classifies a pool of
//! about 256 KB of articles of `SIZE` bytes (made as the benches make them) `ROUNDS` times.
//!
//! `valgrind --tool=callgrind --toggle-collect='profile_path::run*' target/release/examples/profile_path 4096 1 classify`
//!
//! Arguments: article size in bytes (4096), or `sentences` for multi-coped's 1,349 single
//! sentences as they are (the single-sentence head's inputs), or `news` for the bodies of
//! data/news's 163 whole news stories as they are; rounds (1); and what to run:
//! `classify` (the whole path), `relations` (the whole path with the actors and relations
//! asked for), `no_actors` (the whole path on the shipped model without its gazetteer: no
//! actor matching, no relation rule), `plain` (`Model::predict_plain`) or `tokenize`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use accord::{Article, Model};

#[path = "../benches/common/mod.rs"]
mod common;

/// The system allocator, counting allocations so that the driver can print them per article.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[inline(never)]
fn run(model: &Model, pool: &[String], what: &str) -> usize {
    let mut total = 0;
    for text in pool {
        let article = Article::text(black_box(text));
        total += match what {
            "plain" => model.predict_plain(&article).iter().map(|p| p.best).sum::<usize>(),
            "tokenize" => {
                let mut count = 0;
                model.tokenizer().for_each(text, |_, end, token| count += end ^ token.len());
                count
            }
            _ => model
                .classify(&article, &accord::Options { explain: 0, sentences: false, relations: what == "relations" })
                .heads
                .iter()
                .map(|r| r.prediction.best)
                .sum::<usize>(),
        };
    }
    total
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let size = args.next().unwrap_or_else(|| "4096".into());
    let rounds: usize = args.next().map_or(Ok(1), |a| a.parse())?;
    let what = args.next().unwrap_or_else(|| "classify".into());
    let model = Model::load(&common::root().join("models/default/model.bin"))?;
    let model = if what == "no_actors" { model.with_actors(None) } else { model };
    let pool = match size.as_str() {
        "sentences" => sentences()?,
        "news" => news()?,
        size => common::articles(&common::texts(), size.parse()?, 256 * 1024),
    };
    let bytes: usize = pool.iter().map(String::len).sum();
    let allocations = ALLOCATIONS.load(Ordering::Relaxed);
    let started = std::time::Instant::now();
    let mut total = 0;
    for _ in 0..rounds {
        total += run(&model, &pool, &what);
    }
    let secs = started.elapsed().as_secs_f64();
    let articles = (pool.len() * rounds) as f64;
    let allocations = (ALLOCATIONS.load(Ordering::Relaxed) - allocations) as f64;
    println!(
        "{what}: {} articles, {bytes} bytes × {rounds}: {:.1} MiB/s, {:.2} µs and {:.1} allocations an article ({total})",
        pool.len(),
        (bytes * rounds) as f64 / secs / (1 << 20) as f64,
        secs * 1e6 / articles,
        allocations / articles,
    );
    Ok(())
}

/// The texts of multi-coped's sentences (`text<TAB>label` lines).
fn sentences() -> std::io::Result<Vec<String>> {
    let file = std::fs::read_to_string(common::root().join("data/multi-coped/train.tsv"))?;
    Ok(file.lines().filter_map(|line| line.rsplit_once('\t')).map(|(text, _)| text.to_owned()).collect())
}

/// The bodies of data/news's stories, one JSON object a line with a `text` field.
fn news() -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let file = std::fs::read_to_string(common::root().join("data/news/articles.jsonl"))?;
    let story = |line: &str| -> Result<String, serde_json::Error> {
        let value: serde_json::Value = serde_json::from_str(line)?;
        Ok(value["text"].as_str().unwrap_or_default().to_owned())
    };
    Ok(file.lines().map(story).collect::<Result<_, _>>()?)
}
