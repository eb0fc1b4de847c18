//! The owners' abuse cases, each run against a fresh server: what it
//! sends, and the status every call ended with.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Duration;

use accord::grpc::v1 as pb;
use bytes::Bytes;
use prost::Message;
use tokio::io::AsyncReadExt;

use crate::raw_grpc::{self, frame};
use crate::server::{article, ADMIN_TOKEN};

const BATCH: &str = "/accord.v1.Classifier/ClassifyBatch";
const CLASSIFY: &str = "/accord.v1.Classifier/Classify";
const STREAM: &str = "/accord.v1.Classifier/ClassifyStream";

/// How the calls of a case ended: status name to (count, the first message seen).
#[derive(Debug, Default)]
pub struct Tally(pub BTreeMap<String, (usize, String)>);

impl Tally {
    fn add(&mut self, status: impl Into<String>, message: &str) {
        let entry = self.0.entry(status.into()).or_insert_with(|| (0, message.to_owned()));
        entry.0 += 1;
    }

    fn add_code(&mut self, code: Option<tonic::Code>, message: &str) {
        self.add(code.map_or("no status".to_owned(), |code| format!("{code:?}")), message);
    }

    /// Awaits raw calls, each ending with a status (or a client-side error).
    async fn of_calls(calls: Vec<tokio::task::JoinHandle<raw_grpc::RawAnswer>>) -> Self {
        let mut tally = Self::default();
        for call in calls {
            match call.await {
                Ok(answer) => tally.add_code(answer.code, &answer.message),
                Err(error) => tally.add("client error", &error.to_string()),
            }
        }
        tally
    }
}

/// What a case gets: the server's address and its (own, writable) models directory.
pub struct Ctx {
    pub addr: String,
    pub models_dir: PathBuf,
}

type Run = fn(Ctx) -> Pin<Box<dyn Future<Output = Tally> + Send>>;

/// One case: its name, the statuses that count as clear answers to it, how many
/// descriptors the server may open, and what it does.
pub struct Case {
    pub name: &'static str,
    pub expected: &'static [&'static str],
    pub open_files: Option<u64>,
    pub run: Run,
}

/// Every case run on a started server, in order.
pub fn all() -> Vec<Case> {
    let case = |name, expected, run| Case { name, expected, open_files: None, run };
    vec![
        case("gzip bomb (32 KB -> 32 MiB of batch entries)", &["InvalidArgument"], |c| Box::pin(gzip_bomb(c))),
        case("8 MiB over-count batch", &["InvalidArgument"], |c| Box::pin(over_count(c, 8))),
        case("32 MiB over-count batch", &["InvalidArgument"], |c| Box::pin(over_count(c, 32))),
        case("16 x 1 MiB \"a\\n\" sentences=true", &["ResourceExhausted"], |c| Box::pin(sentence_answers(c))),
        case("8 concurrent 64 MiB batches", &["Ok", "ResourceExhausted"], |c| Box::pin(big_batches(c))),
        case("2,000 silent streams, 3 s timeout", &["DeadlineExceeded"], |c| Box::pin(silent_streams(c))),
        case("a stream past its deadline", &["DeadlineExceeded"], |c| Box::pin(stream_past_deadline(c))),
        case("20 slow readers of 12.5 MB answers", &["Ok", "ResourceExhausted"], |c| Box::pin(slow_readers(c))),
        case("head-changing reload", &["FailedPrecondition"], |c| Box::pin(head_changing_reload(c))),
        case("reload: CURRENT outside models/", &["FailedPrecondition"], |c| Box::pin(current_outside(c))),
        case("reload: CURRENT -> /dev/zero", &["FailedPrecondition"], |c| Box::pin(current_dev_zero(c))),
        Case {
            name: "400 silent connections, 256 descriptors",
            expected: &["closed by server"],
            open_files: Some(256),
            run: |c| Box::pin(silent_connections(c)),
        },
    ]
}

/// `entries` empty batch entries (two bytes each).
fn empty_entries(entries: usize) -> Vec<u8> {
    [0x0a, 0x00].repeat(entries)
}

fn batch_of(articles: usize, text: &str, sentences: bool) -> Vec<u8> {
    let request = pb::ClassifyRequest { article: article(text), sentences, ..Default::default() };
    pb::ClassifyBatchRequest { requests: vec![request; articles] }.encode_to_vec()
}

async fn one_call(addr: &str, path: &str, body: Bytes, headers: &[(&str, &str)]) -> Tally {
    let answer = raw_grpc::call(addr, path, body, headers).await;
    let mut tally = Tally::default();
    tally.add_code(answer.code, &answer.message);
    tally
}

async fn gzip_bomb(ctx: Ctx) -> Tally {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&empty_entries(16 << 20)).expect("gzip in memory");
    let mut bomb = frame(&encoder.finish().expect("gzip in memory")).to_vec();
    bomb[0] = 1;
    one_call(&ctx.addr, BATCH, bomb.into(), &[("grpc-encoding", "gzip")]).await
}

async fn over_count(ctx: Ctx, mib: usize) -> Tally {
    one_call(&ctx.addr, BATCH, frame(&empty_entries(mib << 19)), &[]).await
}

async fn sentence_answers(ctx: Ctx) -> Tally {
    one_call(&ctx.addr, BATCH, frame(&batch_of(16, &"a\n".repeat(1 << 19), true)), &[]).await
}

async fn big_batches(ctx: Ctx) -> Tally {
    let sentence = "The coach and the striker signed an agreement with the league. ";
    let text = sentence.repeat(((1 << 20) - 64) / sentence.len());
    let body = frame(&batch_of(63, &text, false));
    let calls = (0..8).map(|_| {
        let (addr, body) = (ctx.addr.clone(), body.clone());
        tokio::spawn(async move { raw_grpc::call(&addr, BATCH, body, &[]).await })
    });
    Tally::of_calls(calls.collect()).await
}

async fn silent_streams(ctx: Ctx) -> Tally {
    let mut calls = Vec::new();
    for _ in 0..16 {
        let (client, _connection) = raw_grpc::connect(&ctx.addr).await;
        for _ in 0..125 {
            let (response, request_side) =
                raw_grpc::open(client.clone(), &ctx.addr, STREAM, &[("grpc-timeout", "3S")]).await;
            calls.push(tokio::spawn(async move {
                let _silent = request_side;
                raw_grpc::answer(response).await
            }));
        }
    }
    Tally::of_calls(calls).await
}

async fn stream_past_deadline(ctx: Ctx) -> Tally {
    let (client, _connection) = raw_grpc::connect(&ctx.addr).await;
    let (response, mut request_side) = raw_grpc::open(client, &ctx.addr, STREAM, &[("grpc-timeout", "2S")]).await;
    let message =
        frame(&pb::ClassifyRequest { article: article("The minister signed."), ..Default::default() }.encode_to_vec());
    tokio::spawn(async move {
        for _ in 0..50 {
            if request_side.send_data(message.clone(), false).is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Tally::of_calls(vec![tokio::spawn(raw_grpc::answer(response))]).await
}

async fn slow_readers(ctx: Ctx) -> Tally {
    let request =
        pb::ClassifyRequest { article: article(&"a\n".repeat(1 << 19)), sentences: true, ..Default::default() };
    let body = frame(&request.encode_to_vec());
    let mut calls = Vec::new();
    for _ in 0..20 {
        let (client, connection) = raw_grpc::connect(&ctx.addr).await;
        let (response, mut request_side) = raw_grpc::open(client, &ctx.addr, CLASSIFY, &[]).await;
        request_side.send_data(body.clone(), true).expect("sends the request");
        calls.push(tokio::spawn(async move {
            let _connection = connection;
            tokio::time::sleep(Duration::from_secs(5)).await;
            raw_grpc::answer(response).await
        }));
    }
    Tally::of_calls(calls).await
}

/// `Admin.ReloadModel` of `version` ("" for the one CURRENT names).
async fn reload(addr: &str, version: &str) -> Tally {
    let mut tally = Tally::default();
    let mut admin = match tonic::transport::Channel::from_shared(format!("http://{addr}")) {
        Ok(endpoint) => match endpoint.connect().await {
            Ok(channel) => pb::admin_client::AdminClient::new(channel),
            Err(error) => {
                tally.add("client error", &error.to_string());
                return tally;
            }
        },
        Err(error) => {
            tally.add("client error", &error.to_string());
            return tally;
        }
    };
    let mut request = tonic::Request::new(pb::ReloadModelRequest { version: version.into() });
    request.metadata_mut().insert("authorization", format!("Bearer {ADMIN_TOKEN}").parse().expect("ascii"));
    request.set_timeout(Duration::from_secs(10));
    match admin.reload_model(request).await {
        Ok(_) => tally.add("Ok", "reloaded"),
        Err(status) => tally.add_code(Some(status.code()), status.message()),
    }
    tally
}

async fn head_changing_reload(ctx: Ctx) -> Tally {
    reload(&ctx.addr, crate::models::TOPIC_ONLY).await
}

/// Points CURRENT at `target` (a symlink) and reloads it.
async fn reload_current_at(ctx: &Ctx, target: &Path) -> Tally {
    let current = ctx.models_dir.join("CURRENT");
    let _ = std::fs::remove_file(&current);
    std::os::unix::fs::symlink(target, &current).expect("symlink CURRENT");
    reload(&ctx.addr, "").await
}

async fn current_outside(ctx: Ctx) -> Tally {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("CURRENT"), "default\n").expect("write");
    reload_current_at(&ctx, &outside.path().join("CURRENT")).await
}

async fn current_dev_zero(ctx: Ctx) -> Tally {
    reload_current_at(&ctx, Path::new("/dev/zero")).await
}

/// 400 TCP connections that send nothing, each read until the server closes it.
async fn silent_connections(ctx: Ctx) -> Tally {
    let mut connections = Vec::new();
    for _ in 0..400 {
        let mut tcp = match tokio::net::TcpStream::connect(&ctx.addr).await {
            Ok(tcp) => tcp,
            Err(error) => {
                connections.push(tokio::spawn(async move { Err(error.to_string()) }));
                continue;
            }
        };
        connections.push(tokio::spawn(async move {
            // The server's SETTINGS arrive first; the connection is closed at end of file.
            let mut discarded = Vec::new();
            match tokio::time::timeout(Duration::from_secs(60), tcp.read_to_end(&mut discarded)).await {
                Ok(_) => Ok(()),
                Err(_) => Err("still open after 60 s".to_owned()),
            }
        }));
    }
    let mut tally = Tally::default();
    for connection in connections {
        match connection.await {
            Ok(Ok(())) => tally.add("closed by server", ""),
            Ok(Err(why)) => tally.add(why, ""),
            Err(error) => tally.add("client error", &error.to_string()),
        }
    }
    tally
}
