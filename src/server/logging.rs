//! Logs to standard error, as text or JSON, filtered by `RUST_LOG` (default `info`); and one
//! span and one closing line per call.
//!
//! A call's log says which method, how many articles and bytes, the status code and the
//! duration. It never holds article text or tokens. The closing line is also where the call
//! is counted and timed in the metrics, so that the two always agree.

use std::io::IsTerminal;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

pub use call::{CallLog, Outcome};
pub use ledger::Ledger;
pub use origin::CallOrigin;

use super::config::{LogFormat, OtlpTarget};
use super::traces::Exporter;

/// Installs the global subscriber: the log lines, and with `otlp` the spans exported there
/// (see [`super::traces`]), whose [`Exporter`] is returned to be shut down. With a target it
/// must run inside the tokio runtime.
pub fn init(format: LogFormat, otlp: Option<OtlpTarget<'_>>) -> anyhow::Result<Option<Exporter>> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let Some(otlp) = otlp else {
        let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
        let installed = match format {
            LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
            LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
        };
        installed.map_err(|error| anyhow::anyhow!("cannot install the logger: {error}"))?;
        return Ok(None);
    };
    // The exported spans stay out of the log lines, whatever RUST_LOG says.
    let filter = filter.add_directive(format!("{}=off", super::traces::TARGET).parse()?);
    let lines = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let lines = match format {
        LogFormat::Text => lines.with_ansi(std::io::stderr().is_terminal()).boxed(),
        LogFormat::Json => lines.json().with_current_span(true).with_span_list(false).boxed(),
    };
    let (exporter, spans) = Exporter::start(otlp)?;
    let installed = tracing_subscriber::registry().with(lines.with_filter(filter)).with(spans).try_init();
    installed.map_err(|error| anyhow::anyhow!("cannot install the logger: {error}"))?;
    Ok(Some(exporter))
}

/// How much a call carries: articles and bytes of title and text.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallSize {
    pub articles: usize,
    pub bytes: usize,
}

mod call;
mod ledger;
mod origin;
