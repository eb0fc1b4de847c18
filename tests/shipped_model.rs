//! The model shipped in models/default loads and classifies the seed articles as labeled.
//! They are training data, so this is a smoke test, not a quality claim.

use std::path::PathBuf;

use accord::{Article, ModelStore};

#[test]
fn shipped_model_classifies_the_seed_articles() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let model = ModelStore::new(root.join("models")).load(Some("default")).expect("models/default loads");
    let seeds = root.join("data/seeds");
    for (file, stance) in [
        ("000_19dc4173db7db05b.txt", "cooperation"),
        ("001_96522f9657979dbd.txt", "cooperation"),
        ("002_f282ca8eaf2efd21.txt", "cooperation"),
        ("003_29f82568b48d26f3.txt", "cooperation"),
        ("004_aefd203c532625bc.txt", "tension"),
    ] {
        let text = std::fs::read_to_string(seeds.join(file)).expect("seed readable");
        let results = model
            .classify(&Article::text(&text), &accord::Options { explain: 0, sentences: false, relations: false })
            .heads;
        let label = |head: &str| results.iter().find(|r| r.head == head).map(|r| r.label().to_owned());
        assert_eq!(label("topic").as_deref(), Some("world"), "{file} topic");
        assert_eq!(label("stance").as_deref(), Some(stance), "{file} stance");
    }
}
