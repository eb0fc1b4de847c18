//! Model files read safely on reload: a `CURRENT` that leaves the models directory, that is
//! a FIFO or that is empty is refused at once with FAILED_PRECONDITION naming the file, and
//! the served model goes on serving.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::pb::admin_client::AdminClient;
use common::pb::{GetModelInfoRequest, ReloadModelRequest};
use common::Server;
use tonic::transport::Channel;
use tonic::{Code, Request};

const TOKEN: &str = "test-admin-token";

/// Reloads the CURRENT version, and returns the refusal and how long it took.
async fn reload_current(admin: &mut AdminClient<Channel>) -> (tonic::Status, Duration) {
    let mut request = Request::new(ReloadModelRequest { version: String::new() });
    request.metadata_mut().insert("authorization", format!("Bearer {TOKEN}").parse().expect("ascii"));
    request.set_timeout(Duration::from_secs(5));
    let started = Instant::now();
    let refused = admin.reload_model(request).await.expect_err("the reload is refused");
    (refused, started.elapsed())
}

fn mkfifo(path: &Path) {
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("no NUL");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo");
}

#[tokio::test]
async fn a_current_pointer_outside_the_directory_a_fifo_or_empty_is_refused_at_once() {
    let (dir, first, _) = common::reload_models_dir();
    let current = dir.path().join("CURRENT");
    std::fs::write(&current, "default\n").expect("write CURRENT");
    let server = Server::start_with(dir.path(), &[], &[("ACCORD_ADMIN_TOKEN", TOKEN)]);
    let mut admin = AdminClient::new(server.channel().await);

    std::fs::remove_file(&current).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", &current).expect("symlink");
    let (outside, took) = reload_current(&mut admin).await;
    assert_eq!(outside.code(), Code::FailedPrecondition, "{outside:?}");
    assert!(outside.message().contains("outside the models directory"), "{}", outside.message());
    assert!(took < Duration::from_secs(1), "took {took:?}");

    std::fs::remove_file(&current).expect("rm");
    mkfifo(&current);
    let (fifo, took) = reload_current(&mut admin).await;
    assert_eq!(fifo.code(), Code::FailedPrecondition, "{fifo:?}");
    assert!(fifo.message().contains("not a regular file"), "{}", fifo.message());
    assert!(took < Duration::from_secs(1), "took {took:?}");
    // A SIGHUP reload of the FIFO must not hang either: the next reload is not kept waiting.
    server.signal("HUP");
    tokio::time::sleep(Duration::from_millis(200)).await;

    std::fs::remove_file(&current).expect("rm");
    std::fs::write(&current, "\n").expect("empty CURRENT");
    let (empty, took) = reload_current(&mut admin).await;
    assert_eq!(empty.code(), Code::FailedPrecondition, "a server-side problem, not the caller's: {empty:?}");
    assert!(empty.message().contains("CURRENT") && empty.message().contains("empty"), "{}", empty.message());
    assert!(took < Duration::from_secs(1), "took {took:?}");

    let info = server.client().await.get_model_info(GetModelInfoRequest {}).await.expect("info");
    assert_eq!(info.into_inner().version, first, "refused reloads must not change the model");
    server.assert_still_serving().await;
}
