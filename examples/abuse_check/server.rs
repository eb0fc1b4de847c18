//! A fresh `accord serve` (the release binary, default settings) for one case: started on a
//! free port, its peak memory read from the kernel, its health checked, killed when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use accord::grpc::v1 as pb;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};

/// The Admin token the servers are given (Admin is served only with one).
pub const ADMIN_TOKEN: &str = "abuse-check-token";

/// The release binary, built by `scripts/abuse-check` before this program runs.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/accord")
}

/// A running server.
pub struct Server {
    child: Child,
    pub addr: String,
    /// Holds the ready file and log while the server runs.
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts `accord serve` on `models_dir`, at most `open_files` descriptors if given, and
    /// waits for its ready file; `Err` with its log if it exits first.
    pub fn start(models_dir: &Path, open_files: Option<u64>) -> Result<Self, String> {
        let (mut child, dir) = spawn(models_dir, open_files)?;
        let ready = dir.path().join("ready");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(text) = std::fs::read_to_string(&ready) {
                return Ok(Self { child, addr: text.trim().to_owned(), _dir: dir });
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("exited with {status}: {}", last_line(dir.path())));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return Err("did not listen within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory so far, in MiB.
    pub fn peak_mib(&self) -> Option<u64> {
        peak_mib(self.pid())
    }

    /// Health SERVING (overall and for the Classifier) and one normal Classify answered.
    pub async fn healthy(&self) -> Result<(), String> {
        let endpoint = format!("http://{}", self.addr);
        let channel = tonic::transport::Channel::from_shared(endpoint).map_err(|e| e.to_string())?;
        let channel = channel.timeout(Duration::from_secs(10)).connect().await.map_err(|e| e.to_string())?;
        let mut health = HealthClient::new(channel.clone());
        for service in ["", "accord.v1.Classifier"] {
            let check = health.check(HealthCheckRequest { service: service.into() }).await;
            let status = check.map_err(|e| format!("health check: {e}"))?.into_inner().status;
            if status != ServingStatus::Serving as i32 {
                return Err(format!("health of {service:?} is {status}"));
            }
        }
        let request =
            pb::ClassifyRequest { article: article("The coach and the striker signed."), ..Default::default() };
        let answer = pb::classifier_client::ClassifierClient::new(channel).classify(request).await;
        let answer = answer.map_err(|e| format!("Classify: {e}"))?.into_inner();
        match answer.predictions.contains_key("topic") {
            true => Ok(()),
            false => Err(format!("Classify answered without a topic: {answer:?}")),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `accord serve` without waiting, with the folder for its ready file and log.
pub fn spawn(models_dir: &Path, open_files: Option<u64>) -> Result<(Child, tempfile::TempDir), String> {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let log = std::fs::File::create(dir.path().join("server.log")).map_err(|e| e.to_string())?;
    let mut command = Command::new(binary());
    command.arg("serve").arg("--addr").arg("127.0.0.1:0").arg("--models-dir").arg(models_dir);
    command.arg("--ready-file").arg(dir.path().join("ready"));
    command.env_remove("RUST_LOG").env_remove("ACCORD_MODEL").env("ACCORD_ADMIN_TOKEN", ADMIN_TOKEN);
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log);
    if let Some(limit) = open_files {
        let limit = libc::rlimit { rlim_cur: limit, rlim_max: limit };
        // SAFETY: setrlimit is async-signal-safe and touches only the child being started.
        unsafe {
            command.pre_exec(move || match libc::setrlimit(libc::RLIMIT_NOFILE, &limit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            });
        }
    }
    let child = command.spawn().map_err(|e| format!("{}: {e}", binary().display()))?;
    Ok((child, dir))
}

/// The last line a server logged (why it exited).
pub fn last_line(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    log.lines().last().unwrap_or_default().to_owned()
}

/// `VmHWM` of a process in /proc/<pid>/status, in MiB.
pub fn peak_mib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kib| kib / 1024)
}

/// An article with `text`.
pub fn article(text: &str) -> Option<pb::Article> {
    Some(pb::Article { id: "a".into(), title: String::new(), text: text.into() })
}
