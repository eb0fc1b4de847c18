//! Generates the gRPC code and the file descriptor set (for server reflection) from
//! `proto/`, with the `protoc` that `protoc-bin-vendored` ships: no system protoc needed.
//! Only the `cli` feature (the default: the `accord` command) needs them; the library does not.

#[cfg(feature = "cli")]
const PROTOS: &[&str] = &["proto/accord/v1/classifier.proto", "proto/accord/v1/admin.proto"];

#[cfg(not(feature = "cli"))]
fn main() {}

#[cfg(feature = "cli")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    std::env::set_var("PROTOC", protoc);
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out_dir.join("accord_descriptor.bin"))
        // Generated messages print as JSON with the proto3 JSON field names, so that the
        // command line and grpcurl show the same shape.
        .type_attribute(".accord.v1", "#[derive(serde::Serialize)]")
        .type_attribute(".accord.v1", "#[serde(rename_all = \"camelCase\")]")
        // Heads in name order, so that printed responses are stable.
        .btree_map(".accord.v1.ClassifyResponse.predictions")
        // Large messages are encoded and decoded off the async worker threads
        // (src/proto/codec.rs, included beside the generated code).
        .codec_path("super::codec::OffloadingCodec")
        .compile_protos(PROTOS, &["proto"])?;
    Ok(())
}
