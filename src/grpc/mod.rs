//! The gRPC messages and services generated from `proto/accord/v1/*.proto` by `build.rs`.
//!
//! Messages derive `serde::Serialize` with the proto3 JSON (camelCase) field names, so the
//! command line can print the same shapes the service returns.

pub mod batch_scan;
pub mod codec;
#[cfg(test)]
mod codec_tests;

/// Package `accord.v1`: the `Classifier` and `Admin` services.
#[allow(dead_code, clippy::all, clippy::pedantic)]
pub mod v1 {
    tonic::include_proto!("accord.v1");
    pub use super::codec;
}

/// The encoded file descriptor set of `accord.v1`, served by reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/accord_descriptor.bin"));
