//! Generates the gRPC code, the file descriptor set (for server reflection) and the proto3
//! JSON mapping of every message from `proto/`, with the `protoc` that `protoc-bin-vendored`
//! ships: no system protoc needed. Only the `cli` feature (the default: the `accord` command)
//! needs them; the library does not.

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
