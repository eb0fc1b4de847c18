//! The owners' abuse check, repeatable: each case on a fresh
//! `accord serve` with default settings and the shipped model, then its peak memory from the
//! kernel's high-water mark (`VmHWM`), the status every call ended with, and whether the
//! server still answers (health SERVING and one normal Classify). One table row per case;
//! the exit status is 1 if any case fails. Run it with `scripts/abuse-check`, which builds
//! the release binary first.

#[allow(dead_code)] // the hand-made gRPC calls of the tests; not every one is used here
#[path = "../../tests/common/raw_grpc.rs"]
mod raw_grpc;

mod cases;
mod models;
mod server;

use std::time::{Duration, Instant};

use server::Server;

/// The memory limit of `deploy/deployment.yaml`.
const LIMIT_MIB: u64 = 512;

/// One line of the table.
struct Row {
    case: String,
    statuses: String,
    peak_mib: Option<u64>,
    failure: Option<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let staged = match models::stage() {
        Ok(staged) => staged,
        Err(error) => {
            eprintln!("abuse-check: cannot prepare the models: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("| case | statuses seen | peak MiB | result |");
    println!("|---|---|---|---|");
    let mut failed = false;
    let mut notes = Vec::new();
    for case in cases::all() {
        let row = run(&case, &staged, &mut notes).await;
        failed |= print(&row);
    }
    let row = current_at_dev_zero_on_start(&staged);
    failed |= print(&row);
    println!();
    for note in notes {
        println!("- {note}");
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}

/// Prints a row; whether it failed.
fn print(row: &Row) -> bool {
    let peak = row.peak_mib.map_or("?".to_owned(), |mib| mib.to_string());
    let result = match &row.failure {
        None => format!("pass (<= {LIMIT_MIB})"),
        Some(why) => format!("FAIL: {why}"),
    };
    println!("| {} | {} | {peak} | {result} |", row.case, row.statuses);
    row.failure.is_some()
}

async fn run(case: &cases::Case, staged: &models::Staged, notes: &mut Vec<String>) -> Row {
    let models_dir = match staged.fresh_copy() {
        Ok(dir) => dir,
        Err(error) => {
            return Row { case: case.name.into(), statuses: "-".into(), peak_mib: None, failure: Some(error) }
        }
    };
    let server = match Server::start(models_dir.path(), case.open_files) {
        Ok(server) => server,
        Err(error) => {
            return Row { case: case.name.into(), statuses: "-".into(), peak_mib: None, failure: Some(error) }
        }
    };
    let started = Instant::now();
    let ctx = cases::Ctx { addr: server.addr.clone(), models_dir: models_dir.path().to_owned() };
    let tally = (case.run)(ctx).await;
    let took = started.elapsed();
    let peak_mib = server.peak_mib();
    let mut failures = Vec::new();
    for (status, (_, message)) in &tally.0 {
        if !case.expected.contains(&status.as_str()) {
            failures.push(format!("unexpected {status}"));
        }
        if !message.is_empty() {
            notes.push(format!("{}: {status}: {message}", case.name));
        }
    }
    if tally.0.is_empty() {
        failures.push("no call ended".into());
    }
    if let Err(why) = server.healthy().await {
        failures.push(format!("unhealthy afterwards ({why})"));
    }
    if peak_mib.is_none_or(|mib| mib > LIMIT_MIB) {
        failures.push(format!("peak over {LIMIT_MIB} MiB"));
    }
    let statuses: Vec<String> = tally.0.iter().map(|(status, (count, _))| format!("{status} x{count}")).collect();
    Row {
        case: case.name.into(),
        statuses: format!("{} ({:.1} s)", statuses.join(", "), took.as_secs_f64()),
        peak_mib,
        failure: (!failures.is_empty()).then(|| failures.join("; ")),
    }
}

/// A server started with CURRENT pointing at /dev/zero: it must exit at once with a clear
/// message, without reading the device.
fn current_at_dev_zero_on_start(staged: &models::Staged) -> Row {
    let case = "start: CURRENT -> /dev/zero".to_owned();
    let outcome = staged.fresh_copy().and_then(|dir| {
        let current = dir.path().join("CURRENT");
        std::fs::remove_file(&current).map_err(|e| e.to_string())?;
        std::os::unix::fs::symlink("/dev/zero", &current).map_err(|e| e.to_string())?;
        let (mut child, log_dir) = server::spawn(dir.path(), None)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut peak = None;
        loop {
            peak = server::peak_mib(child.id()).or(peak);
            if let Ok(Some(status)) = child.try_wait() {
                let refused = !status.success() && !log_dir.path().join("ready").exists();
                return Ok((status, server::last_line(log_dir.path()), peak, refused));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err("still running after 10 s".to_owned());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    match outcome {
        Ok((status, line, peak_mib, refused)) => Row {
            case,
            statuses: format!("refused to start, {status}: {}", line.trim()),
            peak_mib,
            failure: (!refused || peak_mib.is_some_and(|mib| mib > LIMIT_MIB))
                .then(|| "started, or over the limit".into()),
        },
        Err(why) => Row { case, statuses: "-".into(), peak_mib: None, failure: Some(why) },
    }
}
