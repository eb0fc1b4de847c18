//! The gRPC messages and services generated from `proto/accord/v1/*.proto` by `build.rs`.
//!
//! Messages derive `serde::Serialize` with the proto3 JSON (camelCase) field names, so the
//! command line can print the same shapes the service returns.

/// Package `accord.v1`: the `Classifier` service and, declared for later, `Admin`.
#[allow(dead_code, clippy::all, clippy::pedantic)]
pub mod v1 {
    tonic::include_proto!("accord.v1");
}

/// The encoded file descriptor set of `accord.v1`, served by reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/accord_descriptor.bin"));
