//! The image's own commands, run here as the image runs them (there is no Docker engine on
//! this machine to build it): the ENTRYPOINT, with the Dockerfile's ENV and the Deployment's
//! env, serves the model laid out as the Dockerfile's COPY lays it out, and the HEALTHCHECK
//! command passes against it. Only the image's root is moved to a temporary folder and the
//! port to a free one.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::packaging::{arg_defaults, container_env, dockerfile, env, exec_form, final_stage, manifest, only};
use common::packaging::{exposed_port, substitute};
use common::repo_root;

/// Kills the server when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `text` with the image's paths moved under `root` and the program named by its path here.
fn relocate(text: &str, root: &Path) -> String {
    if text == "accord" {
        return env!("CARGO_BIN_EXE_accord").to_owned();
    }
    match text.strip_prefix("/models") {
        Some(rest) => format!("{}/models{rest}", root.display()),
        None => text.to_owned(),
    }
}

#[test]
fn the_entrypoint_serves_the_baked_model_and_the_health_check_passes() {
    let instructions = dockerfile();
    let defaults = arg_defaults(&instructions);
    let stage = final_stage(&instructions);
    let port = exposed_port(&stage);
    let root = tempfile::tempdir().expect("tempdir");

    // COPY models/${MODEL}/ /models/${MODEL}/
    let model = substitute("${MODEL}", &defaults);
    let baked = root.path().join("models").join(&model);
    std::fs::create_dir_all(&baked).expect("mkdir");
    for entry in std::fs::read_dir(repo_root().join("models").join(&model)).expect("the model folder") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), baked.join(entry.file_name())).expect("copy");
    }

    let entrypoint: Vec<String> =
        exec_form(only(&stage, "ENTRYPOINT")).iter().map(|a| relocate(a, root.path())).collect();
    let listen = format!("0.0.0.0:{port}");
    let arguments = entrypoint[1..].iter().map(|a| if *a == listen { "127.0.0.1:0".to_owned() } else { a.clone() });
    let ready = root.path().join("ready");
    let log = std::fs::File::create(root.path().join("server.log")).expect("log");
    let mut command = Command::new(&entrypoint[0]);
    command.args(arguments).arg("--ready-file").arg(&ready);
    command.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command.envs(env(&stage, &defaults).iter().map(|(k, v)| (k, relocate(v, root.path()))));
    // Listening addresses the Deployment gives (the metrics port) take any free loopback port
    // here, so that the test runs beside others.
    let any_port = |value: String| if value.starts_with("0.0.0.0:") { "127.0.0.1:0".to_owned() } else { value };
    command.envs(container_env(&manifest("deployment.yaml")).into_iter().map(|(name, value)| (name, any_port(value))));
    let mut server = Running(command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log).spawn().expect("starts"));

    let read_log = || std::fs::read_to_string(root.path().join("server.log")).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr = loop {
        if let Ok(text) = std::fs::read_to_string(&ready) {
            break text.trim().to_owned();
        }
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("the entrypoint exited with {status}:\n{}", read_log());
        }
        assert!(Instant::now() < deadline, "the entrypoint did not listen:\n{}", read_log());
        std::thread::sleep(Duration::from_millis(20));
    };

    let health_line = only(&stage, "HEALTHCHECK").split_once("CMD").expect("CMD").1.trim().to_owned();
    let health: Vec<String> = exec_form(&health_line)
        .iter()
        .map(|a| if a.ends_with(&format!(":{port}")) { addr.clone() } else { relocate(a, root.path()) })
        .collect();
    let output = Command::new(&health[0]).args(&health[1..]).env_remove("ACCORD_SERVER").output().expect("runs");
    assert!(output.status.success(), "the HEALTHCHECK fails: {}", String::from_utf8_lossy(&output.stderr));

    // It serves the baked version, and logs as JSON lines as the image asks.
    let version = accord::Model::load(&baked.join("model.bin")).expect("the baked model loads").version().to_owned();
    let logged = read_log();
    assert!(logged.contains(&version), "the server did not load {version}:\n{logged}");
    assert!(logged.lines().all(|line| serde_json::from_str::<serde_json::Value>(line).is_ok()), "{logged}");
}
