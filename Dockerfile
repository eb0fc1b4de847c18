# syntax=docker/dockerfile:1
# accord in a container: built with the Rust toolchain image, run from slim Debian as a
# non-root user, with a trained model baked in. Stateless: scale out with replicas (see
# deploy/ and docs/operations.md).
#
#   docker build -t accord .
#   docker run --rm -p 50051:50051 accord
#
# The image serves models/$MODEL (default: the shipped models/default) and nothing else:
# to serve a retrained version, build with --build-arg MODEL=<version> and roll out the image.

ARG RUST_IMAGE=rust:1-slim-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${RUST_IMAGE} AS build
WORKDIR /src
# No debug info in the image's binary (the repo's release profile keeps it for profiling).
# The whole program optimized at once (fat LTO, one codegen unit): the server's layers,
# tonic, hyper and h2 are inlined across crates, 7.7-9.2k fewer instructions a unary call
# outside the model's path (docs/performance.md, "The server's CPU a call"). Left out of
# the repo's release profile, which the tests build too: it takes minutes longer to link.
ENV CARGO_PROFILE_RELEASE_DEBUG=0 \
    CARGO_PROFILE_RELEASE_LTO=fat \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
# Only what the binary is built from; protoc comes vendored through a crate. Cargo.toml
# names the bench, so its source must be there for cargo to read the manifest.
COPY Cargo.toml Cargo.lock build.rs ./
COPY proto proto
COPY src src
COPY assets assets
COPY benches benches
# .git stays out of the context: the `revision` label of accord_build_info comes from
# --build-arg ACCORD_REVISION=$(git rev-parse --short HEAD), else it is `unknown`.
ARG ACCORD_REVISION
# The registry and target caches survive between builds (BuildKit), so a source change
# recompiles accord only.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin accord \
    && install -D -m 0755 target/release/accord /out/accord

FROM ${RUNTIME_IMAGE}
ARG MODEL=default
# A fixed numeric user, so that Kubernetes' runAsNonRoot can check it.
RUN groupadd --system --gid 10001 accord \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin accord
COPY --from=build /out/accord /usr/local/bin/accord
COPY models/${MODEL}/ /models/${MODEL}/
# The baked version is named outright, so a CURRENT pointer cannot point elsewhere.
ENV ACCORD_MODELS_DIR=/models \
    ACCORD_MODEL=${MODEL} \
    ACCORD_LOG_FORMAT=json
USER 10001:10001
EXPOSE 50051
# grpc.health.v1 through the binary itself: no shell, no extra probe binary.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["accord", "health", "--server", "127.0.0.1:50051", "--timeout-secs", "3"]
ENTRYPOINT ["accord", "serve", "--addr", "0.0.0.0:50051", "--models-dir", "/models"]
