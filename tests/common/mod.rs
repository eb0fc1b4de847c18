//! Shared by the gRPC tests: a small model trained on an inline corpus, the real `accord`
//! binary started as a server on a free port, and a client generated from the same proto.

#![allow(dead_code)] // Each test file uses its own part of this module.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use accord::train::{train, Silent, TrainConfig};
use accord::{Corpus, Document};
use tonic::transport::Channel;

pub mod packaging;

/// The client and messages, generated from proto/ by build.rs.
pub use accord::grpc::v1 as pb;

pub mod otlp;
pub mod raw_grpc;
pub mod scrape;

pub use pb::classifier_client::ClassifierClient;

/// How long a server may take to start listening.
const STARTUP: Duration = Duration::from_secs(30);

/// Topic words: a document's topic is the list its words come from.
const TOPICS: &[(&str, &[&str])] = &[
    ("world", &["minister", "embassy", "treaty", "diplomat", "border", "parliament"]),
    ("sports", &["match", "goal", "league", "coach", "season", "striker"]),
    ("business", &["market", "shares", "profit", "bank", "investors", "revenue"]),
];

/// Stance words.
const STANCES: &[(&str, &[&str])] = &[
    ("cooperation", &["agreement", "partnership", "cooperation", "friendly", "signed", "support"]),
    ("tension", &["warned", "dispute", "sanctions", "threat", "condemned", "clash"]),
];

/// A document per topic, stance and variant, its words drawn from the two lists.
pub fn fixture_corpus() -> Corpus {
    fixture_corpus_labeled(&["topic", "stance"])
}

/// The fixture corpus with labels for the heads in `heads` only.
pub fn fixture_corpus_labeled(heads: &[&str]) -> Corpus {
    let mut documents = Vec::new();
    for (topic, topic_words) in TOPICS {
        for (stance, stance_words) in STANCES {
            for variant in 0..6 {
                let pick = |words: &[&str], n: usize| -> Vec<String> {
                    (0..n).map(|i| words[(variant + i * 2) % words.len()].to_owned()).collect()
                };
                let title = format!("{} {}", pick(topic_words, 1).join(" "), pick(stance_words, 1).join(" "));
                let text = format!(
                    "The {} and the {} today.",
                    pick(topic_words, 4).join(" "),
                    pick(stance_words, 3).join(" ")
                );
                let labels = [("topic", *topic), ("stance", *stance)]
                    .into_iter()
                    .filter(|(h, _)| heads.contains(h))
                    .map(|(h, l)| (h.to_owned(), l.to_owned()));
                let id = format!("{topic}-{stance}-{variant}");
                documents.push(Document { id, title, text, labels: labels.collect() });
            }
        }
    }
    Corpus::from_documents(documents, "fixture")
}

/// A models directory holding the fixture model as version `default`, trained once per
/// test process.
pub fn fixture_models_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("accord-grpc-fixture-models");
        let config = TrainConfig { head_features: 1_000, max_iterations: 50, ..TrainConfig::default() };
        let model = train(&fixture_corpus(), &config, "2026-01-01", &Silent).expect("the fixture model trains");
        model.save(&dir.join("default").join("model.bin")).expect("the fixture model saves");
        dir
    })
}

/// A models directory for reload tests: two good versions (`default`, `second`, different
/// models so different versions), one with a flipped byte (`corrupt`) and one cut short
/// (`truncated`). Returns it with the two good versions' names.
pub fn reload_models_dir() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = TrainConfig { head_features: 1_000, max_iterations: 30, ..TrainConfig::default() };
    let first = train(&fixture_corpus(), &config, "2026-01-01", &Silent).expect("first trains");
    let second = train(&fixture_corpus(), &TrainConfig { seed: 9, ..config }, "2026-01-02", &Silent).expect("second");
    save_model(dir.path(), "default", &first.to_bytes().expect("encode"));
    save_model(dir.path(), "second", &second.to_bytes().expect("encode"));
    let mut corrupt = second.to_bytes().expect("encode");
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0xff;
    save_model(dir.path(), "corrupt", &corrupt);
    save_model(dir.path(), "truncated", &first.to_bytes().expect("encode")[..100]);
    (dir, first.version().to_owned(), second.version().to_owned())
}

/// Adds version `topic-only` to `dir`: the fixture corpus without its stance labels, so a
/// model with the `topic` head only. Returns its version.
pub fn add_topic_only_model(dir: &Path) -> String {
    let corpus = fixture_corpus_labeled(&["topic"]);
    let config = TrainConfig { head_features: 1_000, max_iterations: 30, ..TrainConfig::default() };
    let model = train(&corpus, &config, "2026-01-03", &Silent).expect("topic-only trains");
    assert_eq!(model.heads().len(), 1, "the topic-only model has one head");
    save_model(dir, "topic-only", &model.to_bytes().expect("encode"));
    model.version().to_owned()
}

fn save_model(dir: &Path, version: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir.join(version)).expect("mkdir");
    std::fs::write(dir.join(version).join("model.bin"), bytes).expect("write model");
}

/// The version of the fixture model.
pub fn fixture_version() -> String {
    accord::ModelStore::new(fixture_models_dir()).load(None).expect("fixture model loads").version().to_owned()
}

/// The repository root (for data/ and models/).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A running `accord serve`, killed when dropped. Its log (standard error) goes to a file.
pub struct Server {
    child: Child,
    pub addr: String,
    dir: tempfile::TempDir,
}

impl Server {
    /// Serves the fixture model with `extra` flags.
    pub fn start(extra: &[&str]) -> Self {
        Self::start_with(fixture_models_dir(), extra, &[])
    }

    /// Serves the models in `models_dir` with `extra` flags and environment `env`.
    pub fn start_with(models_dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let (command, dir) = Self::command(models_dir, extra, env);
        Self::start_command(command, dir)
    }

    /// Serves the fixture model with `extra` flags, allowed at most `limit` open files
    /// (RLIMIT_NOFILE, set in the child before it runs).
    pub fn start_with_open_files(limit: u64, extra: &[&str]) -> Self {
        use std::os::unix::process::CommandExt;
        let (mut command, dir) = Self::command(fixture_models_dir(), extra, &[]);
        let limit = libc::rlimit { rlim_cur: limit, rlim_max: limit };
        // SAFETY: setrlimit is async-signal-safe and touches only the child being started.
        unsafe {
            command.pre_exec(move || {
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        Self::start_command(command, dir)
    }

    /// Starts `command` and waits for its ready file.
    fn start_command(mut command: Command, dir: tempfile::TempDir) -> Self {
        let mut child = command.spawn().expect("accord starts");
        let ready = dir.path().join("ready");
        let deadline = Instant::now() + STARTUP;
        let addr = loop {
            if let Ok(text) = std::fs::read_to_string(&ready) {
                break text.trim().to_owned();
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("accord serve exited with {status} before listening:\n{}", read_log(dir.path()));
            }
            assert!(Instant::now() < deadline, "accord serve did not listen within {STARTUP:?}");
            std::thread::sleep(Duration::from_millis(20));
        };
        Self { child, addr, dir }
    }

    /// Starts `accord serve` and returns it without waiting, with the folder holding its
    /// ready file and log.
    pub fn spawn(models_dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Child, tempfile::TempDir) {
        let (mut command, dir) = Self::command(models_dir, extra, env);
        (command.spawn().expect("accord starts"), dir)
    }

    /// The command [`Server::spawn`] runs, with the folder for its ready file and log.
    fn command(models_dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Command, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
        command.arg("serve").arg("--addr").arg("127.0.0.1:0").arg("--models-dir").arg(models_dir);
        command.arg("--ready-file").arg(dir.path().join("ready")).args(extra);
        // The caller's `env` wins over the cleared variables (a test may set RUST_LOG).
        command.env_remove("RUST_LOG").env_remove("ACCORD_MODEL").envs(env.iter().copied());
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log);
        (command, dir)
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(self.endpoint()).expect("endpoint").connect().await.expect("connects")
    }

    /// A Classifier client that accepts large responses.
    pub async fn client(&self) -> ClassifierClient<Channel> {
        ClassifierClient::new(self.channel().await).max_decoding_message_size(256 << 20)
    }

    pub async fn health(&self) -> tonic_health::pb::health_client::HealthClient<Channel> {
        tonic_health::pb::health_client::HealthClient::new(self.channel().await)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Health SERVING (overall and for the Classifier) and a normal Classify answered:
    /// checked after every bad call, to show that the server shrugged it off.
    pub async fn assert_still_serving(&self) {
        use tonic_health::pb::{health_check_response::ServingStatus, HealthCheckRequest};
        let mut health = self.health().await;
        for service in ["", "accord.v1.Classifier"] {
            let check = health.check(HealthCheckRequest { service: service.into() }).await.expect("health check");
            assert_eq!(check.into_inner().status, ServingStatus::Serving as i32, "service {service:?}");
        }
        let answer = self.client().await.classify(classify_request("after", SPORTS_COOPERATION, 1)).await;
        let answer = answer.expect("a normal Classify is answered").into_inner();
        assert_eq!(answer.id, "after");
        assert!(answer.predictions.contains_key("topic"), "{answer:?}");
    }

    /// Everything the server has logged so far.
    pub fn log(&self) -> String {
        read_log(self.dir.path())
    }

    /// The closing line of every call so far, as JSON (the server runs with `--log-format
    /// json`), after a pause: a call's line is written once its answer is sent.
    #[allow(dead_code)]
    pub async fn finished_calls(&self) -> Vec<serde_json::Value> {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let lines = self
            .log()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .collect::<Vec<_>>();
        lines.into_iter().filter(|line| line["fields"]["message"] == "call finished").collect()
    }

    /// Sends a signal (`TERM`, `INT`) to the server.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill").arg("-s").arg(name).arg(self.child.id().to_string()).status();
        assert!(status.expect("kill runs").success(), "kill -s {name} failed");
    }

    /// Waits for the server to exit on its own.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit within {timeout:?}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The log a server wrote in `dir`.
pub fn read_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
}

/// An article message.
pub fn article(id: &str, title: &str, text: &str) -> Option<pb::Article> {
    Some(pb::Article { id: id.into(), title: title.into(), text: text.into() })
}

/// A classify request with `explain` evidence terms.
pub fn classify_request(id: &str, text: &str, explain: u32) -> pb::ClassifyRequest {
    pb::ClassifyRequest { article: article(id, "", text), explain, sentences: false, relations: false }
}

/// A seed article from data/seeds.
pub fn seed_text(file: &str) -> String {
    std::fs::read_to_string(repo_root().join("data/seeds").join(file)).expect("seed article readable")
}

/// A text the fixture model reads as sports and cooperation.
pub const SPORTS_COOPERATION: &str = "The coach and the striker signed an agreement with the league for the season.";

/// A text the fixture model reads as world and tension.
pub const WORLD_TENSION: &str = "The minister warned of sanctions as the border dispute with the embassy grew.";

/// CPU time (user + system) a process has used so far, in clock ticks (1/100 s on Linux).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    // The fields after the command name (which is in parentheses and may hold spaces):
    // state is field 3, utime 14, stime 15.
    let after_name = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields[i - 3].parse::<u64>().expect("a tick count");
    ticks(14) + ticks(15)
}

/// Resident memory of a process, in KiB (`VmRSS` in /proc/<pid>/status).
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("a VmRSS line");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("VmRSS in kB")
}
