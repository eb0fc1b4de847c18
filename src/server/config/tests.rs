//! Tests of the OTLP flags: the endpoint's URL, and the TLS files that need an `https://` one.

use std::path::Path;

use clap::Parser;

use super::*;

#[derive(Debug, Parser)]
struct Serve {
    #[command(flatten)]
    args: ServeArgs,
}

fn parse(flags: &[&str]) -> Result<ServeArgs, clap::Error> {
    Serve::try_parse_from(std::iter::once("serve").chain(flags.iter().copied())).map(|serve| serve.args)
}

#[test]
fn otlp_endpoints_are_http_or_https_urls_with_a_host() {
    for good in ["http://127.0.0.1:4317", "https://collector.example:4317"] {
        assert_eq!(otlp_endpoint(good).as_deref(), Ok(good));
    }
    for bad in ["127.0.0.1:4317", "ftp://collector:21", "https://", "http:/x", "not a url"] {
        assert!(otlp_endpoint(bad).is_err(), "{bad} was accepted");
    }
}

#[test]
fn a_ca_file_is_a_usage_error_only_beside_a_plaintext_endpoint() {
    let tls = parse(&["--otlp-endpoint", "https://collector:4317", "--otlp-ca-cert", "ca.pem"]).expect("parses");
    assert_eq!(tls.usage_error(), None);
    let target = tls.otlp().expect("a target");
    assert!(target.is_tls());
    assert_eq!(target.ca_cert, Some(Path::new("ca.pem")));

    let plaintext = parse(&["--otlp-endpoint", "http://collector:4317", "--otlp-ca-cert", "ca.pem"]);
    let message = plaintext.expect("parses").usage_error().expect("a usage error");
    assert!(message.contains("--otlp-ca-cert") && message.contains("https://"), "{message}");

    assert!(parse(&["--otlp-ca-cert", "ca.pem"]).is_err(), "a CA file without an endpoint");
    let shouted = parse(&["--otlp-endpoint", "HTTPS://collector:4317", "--otlp-ca-cert", "ca.pem"]);
    assert_eq!(shouted.expect("parses").usage_error(), None, "the scheme's case does not matter");
    let without_tls = parse(&["--otlp-endpoint", "http://collector:4317"]).expect("parses");
    assert_eq!(without_tls.usage_error(), None);
    assert!(!without_tls.otlp().expect("a target").is_tls());
}

#[test]
fn a_client_certificate_and_its_key_come_together_and_need_tls() {
    let endpoint = ["--otlp-endpoint", "https://collector:4317"];
    let both = [&endpoint[..], &["--otlp-client-cert", "client.pem", "--otlp-client-key", "client.key"]].concat();
    let args = parse(&both).expect("parses");
    assert_eq!(args.usage_error(), None);
    let identity = args.otlp().and_then(|target| target.client_identity).expect("an identity");
    assert_eq!((identity.cert, identity.key), (Path::new("client.pem"), Path::new("client.key")));

    for (given, missing) in [("--otlp-client-cert", "--otlp-client-key"), ("--otlp-client-key", "--otlp-client-cert")] {
        let error = parse(&[&endpoint[..], &[given, "file.pem"]].concat()).expect_err("one without the other");
        assert_eq!(error.kind(), clap::error::ErrorKind::MissingRequiredArgument, "{error}");
        assert!(error.to_string().contains(missing), "{given}: {error}");
    }

    let plaintext = [&["--otlp-endpoint", "http://collector:4317"][..], &both[2..]].concat();
    let message = parse(&plaintext).expect("parses").usage_error().expect("a usage error");
    assert!(message.contains("--otlp-client-cert") && message.contains("https://"), "{message}");
}
