//! scripts/retrain against a live server: a good model is promoted and served, a worse one is
//! refused and changes nothing.

mod common;

use std::path::Path;
use std::process::Command;

use accord::ModelStore;
use common::pb::GetModelInfoRequest;
use common::{fixture_corpus, fixture_models_dir, Server};

const TOKEN: &str = "retrain-test-token";

fn write_jsonl(path: &Path, shuffle_labels: bool) {
    let mut corpus = fixture_corpus();
    if shuffle_labels {
        // Rotate the stance labels so that they no longer follow the words.
        let stances: Vec<String> = corpus.documents.iter().map(|d| d.labels["stance"].clone()).collect();
        for (i, document) in corpus.documents.iter_mut().enumerate() {
            document.labels.insert("stance".into(), stances[(i + 7) % stances.len()].clone());
        }
    }
    let lines: Vec<String> = corpus.documents.iter().map(|d| serde_json::to_string(d).expect("json")).collect();
    std::fs::write(path, lines.join("\n")).expect("write corpus");
}

fn retrain(models: &Path, server: &Server, corpus: &Path, date: &str) -> std::process::Output {
    Command::new(common::repo_root().join("scripts/retrain"))
        .args(["--corpus"])
        .arg(corpus)
        .args(["--head-features", "1000", "--max-iterations", "50", "--date", date])
        .args(["--server", &server.endpoint()])
        .env("ACCORD_BIN", env!("CARGO_BIN_EXE_accord"))
        .env("ACCORD_MODELS_DIR", models)
        .env("ACCORD_ADMIN_TOKEN", TOKEN)
        .output()
        .expect("scripts/retrain runs")
}

async fn served_version(server: &Server) -> String {
    server.client().await.get_model_info(GetModelInfoRequest {}).await.expect("info").into_inner().version
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrain_promotes_a_good_model_and_refuses_a_worse_one() {
    let models = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(models.path().join("default")).expect("mkdir");
    std::fs::copy(fixture_models_dir().join("default/model.bin"), models.path().join("default/model.bin"))
        .expect("copy");
    let server = Server::start_with(models.path(), &[], &[("ACCORD_ADMIN_TOKEN", TOKEN)]);
    let original = served_version(&server).await;
    let corpus = models.path().join("corpus.jsonl");

    write_jsonl(&corpus, false);
    let good = retrain(models.path(), &server, &corpus, "2026-02-01");
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "good retrain failed:\n{stdout}\n{}", String::from_utf8_lossy(&good.stderr));
    let promoted = ModelStore::new(models.path()).current().expect("CURRENT");
    assert!(promoted.starts_with("v20260201-"), "CURRENT names {promoted}");
    assert!(stdout.contains(&format!("{original} -> {promoted}")), "{stdout}");
    assert!(models.path().join(&promoted).join("MODEL.md").is_file());
    // The card's pictures are trained in the staging folder and renamed into place with it.
    for picture in ["confusion-stance.png", "confusion-topic.png", "terms-stance.png", "terms-topic.png"] {
        assert!(models.path().join(&promoted).join(picture).is_file(), "{picture} missing from {promoted}");
    }
    assert_eq!(served_version(&server).await, promoted);

    write_jsonl(&corpus, true);
    let worse = retrain(models.path(), &server, &corpus, "2026-02-02");
    let stderr = String::from_utf8_lossy(&worse.stderr);
    assert!(!worse.status.success(), "a worse model was promoted");
    assert!(stderr.contains("not promoted") && stderr.contains("stance"), "{stderr}");
    assert_eq!(ModelStore::new(models.path()).current().expect("CURRENT"), promoted);
    assert_eq!(served_version(&server).await, promoted);
}
