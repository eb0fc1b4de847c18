//! The in-process inference path on real article text, one core.
//!
//! Articles are made from the texts in `data/` (the seed articles and every corpus source,
//! taken round-robin so that each article mixes news, UN text and sentences) joined into
//! articles of about 0.5 KB, 4 KB and 32 KB; each size class is a pool of about 256 KB.
//!
//! Groups:
//! - `classify/*` (MB/s) and `classify_articles/*` (articles/s): the whole path
//!   (`Model::classify(article, 0)`: tokenize, vectorize, every head, and the sentences for
//!   the article-stance rule when the model has one) on the shipped model;
//! - `predict_plain/*`: every head's own prediction for the article, without the
//!   sentence-level stance rule (the whole path as it was before the rule);
//! - `tokenize/*` and `tokenize_articles/*`: tokenization alone (`Tokenizer::for_each`: spans
//!   and lowercased text, no allocation per token);
//! - `vectorize/*`: tokenize and vectorize (`Model::vectorize`, the sorted sparse vector);
//! - `load`: reading, checking and indexing `models/default/model.bin`;
//! - `classify_no_actors/*`: `classify` on the shipped model without its gazetteer (no actor
//!   matching, no relation rule): the path the plain peer writes;
//! - `plain_peer_classify/*` and `plain_peer_predict/*`: `classify_no_actors` and
//!   `predict_plain` written plainly (`plain_peer.rs`), the same answers, timed in the same
//!   run: the ratio drifts less with the host's speed than either figure.
//!
//! `cargo bench --bench inference -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use accord::{Article, Model};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Article sizes in bytes and their labels.
const SIZES: [(usize, &str); 3] = [(512, "0.5KB"), (4 * 1024, "4KB"), (32 * 1024, "32KB")];
/// Text per size class: every iteration processes the whole pool.
const POOL_BYTES: usize = 256 * 1024;

mod common;
#[path = "inference/plain_peer.rs"]
mod plain_peer;
use common::root;
use plain_peer::PlainPeer;

fn model_path() -> PathBuf {
    root().join("models/default/model.bin")
}

fn pools() -> Vec<(&'static str, Vec<String>)> {
    let texts = common::texts();
    SIZES.iter().map(|&(size, label)| (label, common::articles(&texts, size, POOL_BYTES))).collect()
}

fn bench_group(
    c: &mut Criterion,
    name: &str,
    pools: &[(&str, Vec<String>)],
    per_article: bool,
    run: impl Fn(&str) -> usize,
) {
    let mut group = c.benchmark_group(name);
    group.sample_size(30);
    for (label, pool) in pools {
        let bytes: usize = pool.iter().map(String::len).sum();
        group.throughput(if per_article {
            Throughput::Elements(pool.len() as u64)
        } else {
            Throughput::Bytes(bytes as u64)
        });
        group.bench_with_input(BenchmarkId::from_parameter(label), pool, |b, pool| {
            b.iter(|| pool.iter().map(|text| run(black_box(text))).sum::<usize>())
        });
    }
    group.finish();
}

fn inference(c: &mut Criterion) {
    let model = Model::load(&model_path()).expect("models/default/model.bin loads");
    let pools = pools();
    let classify = |text: &str| {
        let results = model
            .classify(&Article::text(text), &accord::Options { explain: 0, sentences: false, relations: false })
            .heads;
        results.iter().map(|r| r.prediction.best).sum::<usize>()
    };
    bench_group(c, "classify", &pools, false, classify);
    bench_group(c, "classify_relations", &pools, false, |text| {
        let options = accord::Options { explain: 0, sentences: false, relations: true };
        let answer = model.classify(&Article::text(text), &options);
        answer.heads.iter().map(|r| r.prediction.best).sum::<usize>() + answer.relations.len()
    });
    bench_group(c, "classify_articles", &pools, true, classify);
    bench_group(c, "predict_plain", &pools, false, |text| {
        model.predict_plain(&Article::text(text)).iter().map(|p| p.best).sum::<usize>()
    });
    let tokenizer = model.tokenizer();
    let tokenize = |text: &str| {
        let mut count = 0;
        tokenizer.for_each(text, |_, end, token| count += end ^ token.len());
        count
    };
    bench_group(c, "tokenize", &pools, false, tokenize);
    bench_group(c, "tokenize_articles", &pools, true, tokenize);
    bench_group(c, "vectorize", &pools, false, |text| model.vectorize(&Article::text(text)).len());
    // The peer writes the TF-IDF and heads path plainly, not the actors: it is read against
    // the same model without its gazetteer (no actors, so no relation rule), timed here too.
    let no_actors = model.clone().with_actors(None);
    bench_group(c, "classify_no_actors", &pools, false, |text| {
        let results = no_actors
            .classify(&Article::text(text), &accord::Options { explain: 0, sentences: false, relations: false })
            .heads;
        results.iter().map(|r| r.prediction.best).sum::<usize>()
    });
    let peer = PlainPeer::new(&no_actors);
    for (_, pool) in &pools {
        plain_peer::check_same_answers(&no_actors, &peer, pool);
    }
    bench_group(c, "plain_peer_classify", &pools, false, |text| peer.classify(text).iter().map(|p| p.best).sum());
    bench_group(c, "plain_peer_predict", &pools, false, |text| peer.predict_plain(text).iter().map(|p| p.best).sum());
}

fn load(c: &mut Criterion) {
    let path = model_path();
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("default", |b| b.iter(|| Model::load(black_box(Path::new(&path))).expect("loads")));
    group.finish();
}

criterion_group!(benches, inference, load);
criterion_main!(benches);
