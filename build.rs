//! Generates the gRPC code, the file descriptor set (for server reflection) and the proto3
//! JSON mapping of every message from `proto/`, with the `protoc` that `protoc-bin-vendored`
//! ships: no system protoc needed. Only the `cli` feature (the default: the `accord` command)
//! needs them; the library does not.
//!
//! It also records the source revision as `ACCORD_REVISION` (the `revision` label of
//! `accord_build_info`): the `ACCORD_REVISION` variable when set, else `git rev-parse --short
//! HEAD` when this crate is the root of a git checkout, else `unknown` (a tarball without
//! `.git`, no git installed): a missing revision never fails the build.

#[cfg(feature = "cli")]
const PROTOS: &[&str] = &["proto/accord/v1/classifier.proto", "proto/accord/v1/admin.proto"];

/// Messages whose maps (keyed by head name) are `BTreeMap`s, so that printed messages list
/// their keys in order.
#[cfg(feature = "cli")]
const ORDERED_MAPS: &[&str] = &[".accord.v1.ClassifyResponse", ".accord.v1.TrainConfig"];

#[cfg(not(feature = "cli"))]
fn main() {}

#[cfg(feature = "cli")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    record_revision();
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    std::env::set_var("PROTOC", protoc);
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptor_path = out_dir.join("accord_descriptor.bin");
    let mut config = tonic_prost_build::configure().file_descriptor_set_path(&descriptor_path);
    for path in ORDERED_MAPS {
        config = config.btree_map(path);
    }
    config
        // Large messages are encoded and decoded off the async worker threads
        // (src/grpc/codec.rs, included beside the generated code).
        .codec_path("super::codec::OffloadingCodec")
        .compile_protos(PROTOS, &["proto"])?;
    // serde `Serialize`/`Deserialize` in the proto3 JSON mapping (camelCase names, enums by
    // name, defaults left out): what grpcurl prints for the same message.
    let descriptors = std::fs::read(&descriptor_path)?;
    pbjson_build::Builder::new()
        .register_descriptors(&descriptors)?
        .btree_map(ORDERED_MAPS.iter().copied())
        .build(&[".accord.v1"])?;
    Ok(())
}

/// Sets `ACCORD_REVISION` for the crate's code, and has cargo run this script again when the
/// variable or the checked-out commit changes.
#[cfg(feature = "cli")]
fn record_revision() {
    println!("cargo:rerun-if-env-changed=ACCORD_REVISION");
    // Without these, cargo would rerun the script on any change in the package; with them
    // only, a new commit would go unnoticed.
    for path in ["build.rs", "proto"] {
        println!("cargo:rerun-if-changed={path}");
    }
    let from_env = std::env::var("ACCORD_REVISION").ok().filter(|revision| !revision.trim().is_empty());
    let (revision, source) = match from_env {
        Some(revision) => (revision, "variable"),
        None => git_revision().map_or(("unknown".to_owned(), "none"), |revision| (revision, "git")),
    };
    println!("cargo:rustc-env=ACCORD_REVISION={}", revision.trim());
    // Where it came from (`variable`, `git` or `none`), for the test that checks it.
    println!("cargo:rustc-env=ACCORD_REVISION_SOURCE={source}");
}

/// The short hash of HEAD, when the manifest's folder is the top of a git work tree (not a
/// folder inside some other repository), naming the files whose change means a new commit.
#[cfg(feature = "cli")]
fn git_revision() -> Option<String> {
    let manifest_dir = std::fs::canonicalize(std::env::var_os("CARGO_MANIFEST_DIR")?).ok()?;
    let top = std::fs::canonicalize(git(&["rev-parse", "--show-toplevel"])?).ok()?;
    if top != manifest_dir {
        return None;
    }
    // HEAD, the branch it names (loose or packed) and HEAD's log, which every commit and
    // checkout appends to; watched only where they exist (cargo reruns for a missing path).
    let branch = git(&["symbolic-ref", "-q", "HEAD"]);
    let watched = ["HEAD", "packed-refs", "logs/HEAD"].into_iter().chain(branch.as_deref());
    for name in watched {
        let path = git(&["rev-parse", "--git-path", name])?;
        if std::path::Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    git(&["rev-parse", "--short", "HEAD"])
}

/// What `git ARGS` prints on its first line, run in the manifest's folder; `None` when git is
/// missing or fails.
#[cfg(feature = "cli")]
fn git(args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("git").args(args).output().ok()?;
    let line = String::from_utf8(output.stdout).ok()?.lines().next()?.trim().to_owned();
    (output.status.success() && !line.is_empty()).then_some(line)
}
