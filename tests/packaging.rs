//! The container image and the Kubernetes manifests: deploy/*.yaml pass the Kubernetes API
//! schemas (kubernetes-validate, offline and strict: an unknown or misspelt field fails), and
//! the facts that must agree across the Dockerfile, the manifests and the server do. The
//! image itself cannot be built here (no Docker engine); tests/container_commands.rs runs
//! its commands.
//!
//! kubernetes-validate comes from `pip install kubernetes-validate` (scripts/test installs
//! it); the test fails if it is missing, rather than skip.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::packaging::{
    arg_defaults, at, container, container_env, dockerfile, exposed_port, final_stage, manifest, only, substitute,
};
use common::packaging::{deploy_dir, env, exec_form};
use common::repo_root;

/// The manifests of Kubernetes' own kinds, which kubernetes-validate knows.
const MANIFESTS: [&str; 4] = ["deployment.yaml", "service.yaml", "hpa.yaml", "pdb.yaml"];
/// The manifests of the Prometheus Operator's kinds (custom resources, unknown to
/// kubernetes-validate): checked field by field below.
const CUSTOM_RESOURCES: [&str; 1] = ["podmonitor.yaml"];

/// The kubernetes-validate command: `$KUBERNETES_VALIDATE`, else on PATH.
fn kubernetes_validate() -> PathBuf {
    if let Some(path) = std::env::var_os("KUBERNETES_VALIDATE") {
        return PathBuf::from(path);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("kubernetes-validate"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("kubernetes-validate is not installed: run `pip install kubernetes-validate` (scripts/test does) or set KUBERNETES_VALIDATE"))
}

#[test]
fn manifests_pass_the_kubernetes_schemas() {
    // 1.27 is the oldest Kubernetes with native gRPC probes; the other run is the newest
    // the validator knows.
    for version in [Some("1.27.0"), None] {
        let mut command = Command::new(kubernetes_validate());
        command.arg("--strict").args(version.map(|v| ["-k", v]).into_iter().flatten());
        let output = command.args(MANIFESTS.map(|m| deploy_dir().join(m))).output().expect("kubernetes-validate runs");
        let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "the manifests fail the schemas ({version:?}):\n{report}");
        assert_eq!(report.matches("passed").count(), MANIFESTS.len(), "{report}");
    }
}

#[test]
fn the_deployment_probes_serves_and_stops_as_the_image_and_server_expect() {
    let deployment = manifest("deployment.yaml");
    let stage = final_stage(&dockerfile());
    assert_eq!(at(&deployment, "/apiVersion"), "apps/v1");
    assert_eq!(at(&deployment, "/kind"), "Deployment");
    let selector = at(&deployment, "/spec/selector/matchLabels").as_object().expect("labels");
    let labels = at(&deployment, "/spec/template/metadata/labels").as_object().expect("labels");
    assert!(selector.iter().all(|(k, v)| labels.get(k) == Some(v)), "the selector does not match the pods");

    let container = container(&deployment);
    let port = exposed_port(&stage);
    assert_eq!(at(container, "/ports/0/containerPort"), port, "the container port is not the image's EXPOSE");
    assert_eq!(at(container, "/ports/0/name"), "grpc");
    assert_eq!(at(container, "/readinessProbe/grpc/port"), port);
    assert_eq!(at(container, "/readinessProbe/grpc/service"), "accord.v1.Classifier");
    assert_eq!(at(container, "/livenessProbe/grpc/port"), port);
    for field in ["requests/cpu", "requests/memory", "limits/cpu", "limits/memory"] {
        assert!(at(container, &format!("/resources/{field}")).is_string(), "resources.{field} unset");
    }
    let memory_limit = at(container, "/resources/limits/memory").as_str().expect("text");
    let mebibytes: u64 = memory_limit.strip_suffix("Mi").and_then(|n| n.parse().ok()).expect("a limit in Mi");
    assert!(mebibytes >= 256, "a {memory_limit} limit leaves no room for a 64 MiB message and its answer");

    // Non-root, and the same user the image runs as.
    let image_user = only(&stage, "USER").split(':').next().expect("a uid").to_owned();
    assert_eq!(at(&deployment, "/spec/template/spec/securityContext/runAsNonRoot"), true);
    assert_eq!(at(&deployment, "/spec/template/spec/securityContext/runAsUser").to_string(), image_user);
    assert_eq!(at(container, "/securityContext/readOnlyRootFilesystem"), true);
    assert_eq!(at(container, "/securityContext/allowPrivilegeEscalation"), false);

    // The pod is given time to drain and finish its calls before it is killed.
    let env = container_env(&deployment);
    let seconds = |name: &str| env.get(name).and_then(|v| v.parse::<u64>().ok()).unwrap_or_else(|| panic!("{name}"));
    assert!(seconds("ACCORD_DRAIN_SECS") > 0, "without a drain time, calls arrive after the listener closed");
    let needed = seconds("ACCORD_DRAIN_SECS") + seconds("ACCORD_SHUTDOWN_GRACE_SECS");
    let granted = at(&deployment, "/spec/template/spec/terminationGracePeriodSeconds").as_u64().expect("a number");
    assert!(granted > needed, "terminationGracePeriodSeconds {granted} does not cover drain + grace ({needed})");
    // It serves what the image bakes in: nothing overrides where the model is.
    assert!(container.get("command").is_none() && container.get("args").is_none(), "the entrypoint is overridden");
    assert!(!env.contains_key("ACCORD_MODELS_DIR") && !env.contains_key("ACCORD_ADDR"), "{env:?}");
}

#[test]
fn every_setting_the_deployment_gives_is_one_the_server_reads() {
    // A misspelt variable would be ignored without a word.
    let help = Command::new(env!("CARGO_BIN_EXE_accord")).args(["serve", "--help"]).output().expect("accord runs");
    let help = String::from_utf8_lossy(&help.stdout);
    let deployment = manifest("deployment.yaml");
    for name in container_env(&deployment).keys() {
        assert!(help.contains(&format!("[env: {name}=")), "`accord serve` reads no {name}:\n{help}");
    }
}

#[test]
fn the_service_and_autoscaler_point_at_the_deployment() {
    let deployment = manifest("deployment.yaml");
    let service = manifest("service.yaml");
    let hpa = manifest("hpa.yaml");
    assert_eq!(at(&service, "/kind"), "Service");
    // Headless: DNS gives every replica, so clients or a mesh can balance per call.
    assert_eq!(at(&service, "/spec/clusterIP"), "None");
    assert_eq!(at(&service, "/spec/selector"), at(&deployment, "/spec/selector/matchLabels"));
    assert_eq!(at(&service, "/spec/ports/0/targetPort"), at(container(&deployment), "/ports/0/name"));
    assert_eq!(at(&service, "/spec/ports/0/port"), at(container(&deployment), "/ports/0/containerPort"));
    assert_eq!(at(&service, "/spec/ports/0/appProtocol"), "kubernetes.io/h2c");

    assert_eq!(at(&hpa, "/apiVersion"), "autoscaling/v2");
    assert_eq!(at(&hpa, "/kind"), "HorizontalPodAutoscaler");
    assert_eq!(at(&hpa, "/spec/scaleTargetRef/kind"), "Deployment");
    assert_eq!(at(&hpa, "/spec/scaleTargetRef/name"), at(&deployment, "/metadata/name"));
    let (min, max) = (at(&hpa, "/spec/minReplicas").as_u64(), at(&hpa, "/spec/maxReplicas").as_u64());
    assert!(min >= Some(2) && max > min, "replicas {min:?}..{max:?}");
    assert_eq!(at(&hpa, "/spec/metrics/0/resource/name"), "cpu");
    assert_eq!(at(&hpa, "/spec/metrics/0/resource/target/type"), "Utilization");
    // Utilization is measured against the request, which must therefore be set.
    assert!(at(container(&deployment), "/resources/requests/cpu").is_string());
}

#[test]
fn the_dockerfile_builds_in_stages_and_runs_unprivileged_with_a_health_check() {
    let instructions = dockerfile();
    let defaults = arg_defaults(&instructions);
    assert!(instructions.iter().filter(|i| i.keyword == "FROM").count() >= 2, "not a multi-stage build");
    let build =
        instructions.iter().find(|i| i.keyword == "RUN" && i.arguments.contains("cargo build")).expect("a build");
    assert!(build.arguments.contains("--release") && build.arguments.contains("--locked"), "{}", build.arguments);
    let stage = final_stage(&instructions);
    let base = substitute(only(&stage, "FROM"), &defaults);
    assert!(base.contains("slim") || base.contains("distroless"), "the runtime base {base} is not slim");

    let user = only(&stage, "USER");
    let uid: u32 = user.split(':').next().and_then(|u| u.parse().ok()).expect("a numeric USER, for runAsNonRoot");
    assert!(uid != 0, "the image runs as root");

    let health = exec_form(only(&stage, "HEALTHCHECK").split_once("CMD").expect("HEALTHCHECK CMD").1.trim());
    assert_eq!(health[..2], ["accord", "health"], "the health check is not accord health: {health:?}");
    let port = exposed_port(&stage);
    assert!(health.iter().any(|a| a.ends_with(&format!(":{port}"))), "the health check asks another port: {health:?}");

    let entrypoint = exec_form(only(&stage, "ENTRYPOINT"));
    assert_eq!(entrypoint[..2], ["accord", "serve"]);
    let flag = |name: &str| entrypoint.iter().position(|a| a == name).map(|i| entrypoint[i + 1].clone());
    assert_eq!(flag("--addr"), Some(format!("0.0.0.0:{port}")), "the server must listen beyond the container");
    let models_dir = flag("--models-dir").expect("--models-dir");
    let model = substitute("${MODEL}", &defaults);
    let copied = stage.iter().filter(|i| i.keyword == "COPY").map(|i| substitute(&i.arguments, &defaults));
    let copied: Vec<String> = copied.collect();
    let wanted = format!("models/{model}/ {models_dir}/{model}/");
    assert!(copied.contains(&wanted), "the model is not copied as `{wanted}`: {copied:?}");
    assert!(repo_root().join("models").join(&model).join("model.bin").is_file(), "models/{model} is not in the repo");
    assert_eq!(env(&stage, &defaults).get("ACCORD_MODEL"), Some(&model), "the image must serve the version it bakes");
}

#[test]
fn the_image_binary_is_optimized_as_one_program() {
    let instructions = dockerfile();
    let defaults = arg_defaults(&instructions);
    let build_stage_end = instructions.iter().rposition(|i| i.keyword == "FROM").expect("a final FROM");
    let build = env(&instructions[..build_stage_end], &defaults);
    let setting = |name: &str| build.get(name).map(String::as_str);
    // The release profile the image is built with, set for the build stage only.
    assert_eq!(setting("CARGO_PROFILE_RELEASE_LTO"), Some("fat"), "{build:?}");
    assert_eq!(setting("CARGO_PROFILE_RELEASE_CODEGEN_UNITS"), Some("1"), "{build:?}");
    assert_eq!(setting("CARGO_PROFILE_RELEASE_DEBUG"), Some("0"), "{build:?}");
}

#[test]
fn the_build_context_keeps_what_the_build_copies() {
    let ignored = std::fs::read_to_string(repo_root().join(".dockerignore")).expect(".dockerignore");
    let ignored: Vec<&str> = ignored.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert!(ignored.contains(&"target/"), "target/ would be sent to the builder");
    let instructions = dockerfile();
    let defaults = arg_defaults(&instructions);
    for copy in instructions.iter().filter(|i| i.keyword == "COPY" && !i.arguments.starts_with("--from")) {
        let arguments = substitute(&copy.arguments, &defaults);
        let parts: Vec<&str> = arguments.split_whitespace().collect();
        for source in &parts[..parts.len() - 1] {
            assert!(repo_root().join(source).exists(), "COPY {source}: no such file in the repo");
            let top = source.trim_end_matches('/').split('/').next().unwrap_or_default();
            assert!(
                !ignored.iter().any(|i| i.trim_end_matches('/') == top),
                "COPY {source}, but .dockerignore drops it"
            );
        }
    }
}

#[test]
fn every_file_in_deploy_is_checked_and_parses() {
    let mut files: Vec<String> = std::fs::read_dir(deploy_dir())
        .expect("deploy/")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut checked: Vec<String> = MANIFESTS.iter().chain(&CUSTOM_RESOURCES).map(|m| m.to_string()).collect();
    checked.sort();
    assert_eq!(files, checked, "a file in deploy/ that no test checks, or a checked one missing");
    for file in &files {
        let manifest = manifest(file);
        let labels = at(&manifest, "/metadata/labels/app.kubernetes.io~1name");
        assert_eq!(labels, "accord", "deploy/{file} is not labelled as accord's");
    }
}

/// The port of `ACCORD_METRICS_ADDR` (IP:PORT) in the Deployment.
fn metrics_port(deployment: &serde_json::Value) -> u64 {
    let env = container_env(deployment);
    let addr = env.get("ACCORD_METRICS_ADDR").expect("the Deployment serves metrics (ACCORD_METRICS_ADDR)");
    let (ip, port) = addr.rsplit_once(':').expect("IP:PORT");
    assert_eq!(ip, "0.0.0.0", "metrics on {addr} cannot be scraped from outside the pod");
    port.parse().expect("a port number")
}

#[test]
fn prometheus_scrapes_the_port_the_server_serves_metrics_on() {
    let deployment = manifest("deployment.yaml");
    let port = metrics_port(&deployment);
    let ports = at(container(&deployment), "/ports").as_array().expect("a list");
    let named = |name: &str| ports.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("no {name} port"));
    assert_eq!(at(named("metrics"), "/containerPort").as_u64(), Some(port));

    // Annotation-based discovery.
    let annotations = at(&deployment, "/spec/template/metadata/annotations");
    assert_eq!(at(annotations, "/prometheus.io~1scrape"), "true");
    assert_eq!(at(annotations, "/prometheus.io~1port"), port.to_string().as_str());
    assert_eq!(at(annotations, "/prometheus.io~1path"), "/metrics");

    // The Prometheus Operator.
    let monitor = manifest("podmonitor.yaml");
    assert_eq!(at(&monitor, "/apiVersion"), "monitoring.coreos.com/v1");
    assert_eq!(at(&monitor, "/kind"), "PodMonitor");
    assert_eq!(at(&monitor, "/spec/selector/matchLabels"), at(&deployment, "/spec/selector/matchLabels"));
    let endpoints = at(&monitor, "/spec/podMetricsEndpoints").as_array().expect("a list");
    assert_eq!(endpoints.len(), 1, "{endpoints:?}");
    let port_name = at(&endpoints[0], "/port").as_str().expect("a port name");
    assert_eq!(at(named(port_name), "/containerPort").as_u64(), Some(port), "the PodMonitor scrapes {port_name}");
    assert_eq!(at(&endpoints[0], "/path"), "/metrics");
}

#[test]
fn the_disruption_budget_keeps_a_replica_serving() {
    let deployment = manifest("deployment.yaml");
    let budget = manifest("pdb.yaml");
    let hpa = manifest("hpa.yaml");
    assert_eq!(at(&budget, "/apiVersion"), "policy/v1");
    assert_eq!(at(&budget, "/kind"), "PodDisruptionBudget");
    assert_eq!(at(&budget, "/spec/selector/matchLabels"), at(&deployment, "/spec/selector/matchLabels"));
    let fewest = [at(&deployment, "/spec/replicas").as_u64(), at(&hpa, "/spec/minReplicas").as_u64()];
    let fewest = fewest.into_iter().map(|n| n.expect("a number")).min().expect("two counts");
    let spec = at(&budget, "/spec");
    let may_stop = match (spec.get("maxUnavailable"), spec.get("minAvailable")) {
        (Some(max), None) => max.as_u64().expect("a count, not a percentage"),
        (None, Some(min)) => fewest.saturating_sub(min.as_u64().expect("a count, not a percentage")),
        other => panic!("one of maxUnavailable and minAvailable: {other:?}"),
    };
    assert!(may_stop >= 1, "no replica may ever be evicted: node drains would hang");
    assert!(may_stop < fewest, "a drain may stop all {fewest} replicas at once");
}
