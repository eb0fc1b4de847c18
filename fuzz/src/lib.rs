//! The fuzz targets' checks. `tests/fuzz_regressions.rs` includes the same file, so every
//! saved crash input is replayed through exactly the code the fuzzer ran.

#[path = "checks.rs"]
pub mod checks;
