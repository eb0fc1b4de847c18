//! Reading a running server's metrics as a scraper does, and its JSON log's call lines.

use std::collections::BTreeMap;

use super::Server;

/// One scrape: each series (name and labels, as printed) and its value.
pub type Scrape = BTreeMap<String, f64>;

/// The address the server logged as `metrics listening on IP:PORT`.
pub fn metrics_addr(server: &Server) -> String {
    let log = server.log();
    let (_, rest) = log.split_once("metrics listening on ").unwrap_or_else(|| panic!("no metrics address:\n{log}"));
    rest.split(|c: char| c.is_whitespace() || c == '"').next().expect("an address").to_owned()
}

/// `GET http://addr/metrics`, parsed.
pub fn scrape(addr: &str) -> Scrape {
    let agent = ureq::Agent::config_builder().proxy(None).build().new_agent();
    let url = format!("http://{addr}/metrics");
    let mut response = agent.get(&url).call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let body = response.body_mut().read_to_string().expect("a text body");
    body.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .map(|(series, value)| (series.to_owned(), value.parse().unwrap_or(f64::NAN)))
        .collect()
}

/// `accord_rpc_calls_total` for `method` and `code` (0 when absent).
pub fn calls(scrape: &Scrape, method: &str, code: &str) -> f64 {
    let series = format!("accord_rpc_calls_total{{method=\"{method}\",code=\"{code}\"}}");
    scrape.get(&series).copied().unwrap_or(0.0)
}

/// A call's closing line in the JSON log: its method, status code and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub method: String,
    pub code: String,
    pub level: String,
}

/// Every call's closing line so far (the server runs with `--log-format json`).
pub fn closed_calls(server: &Server) -> Vec<Closed> {
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    server
        .log()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["fields"]["message"].as_str().is_some_and(|m| m.starts_with("call ")))
        .map(|line| Closed {
            method: text(&line["span"]["method"]),
            code: text(&line["fields"]["code"]),
            level: text(&line["level"]),
        })
        .collect()
}
