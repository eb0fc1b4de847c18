//! Metrics read at each scrape rather than kept: the server's load (the CPU pool's queue, the
//! calls and bytes the admission budget holds) and the standard Prometheus process metrics.
//! Nothing is recorded on the call path for them.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Unit;

use crate::server::inflight::InFlightLayer;
use crate::server::pool::CpuPool;

/// Writes one gauge's descriptor and value.
fn gauge<N>(encoder: &mut DescriptorEncoder, name: &str, help: &str, unit: Option<&Unit>, value: N) -> std::fmt::Result
where
    ConstGauge<N>: EncodeMetric,
{
    let gauge = ConstGauge::new(value);
    gauge.encode(encoder.encode_descriptor(name, help, unit, gauge.metric_type())?)
}

/// `accord_queue_depth`, `accord_inflight_calls` and `accord_inflight_bytes`.
#[derive(Debug)]
pub struct LoadCollector {
    pub pool: CpuPool,
    pub in_flight: InFlightLayer,
}

impl Collector for LoadCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        let queued = self.pool.waiting() as u64;
        gauge(&mut encoder, "queue_depth", "Jobs waiting for a CPU worker (at most --max-pending).", None, queued)?;
        let calls = self.in_flight.calls() as u64;
        gauge(&mut encoder, "inflight_calls", "Calls in progress: received and not yet answered.", None, calls)?;
        let bytes = self.in_flight.held_bytes() as u64;
        let help = "Bytes the calls in progress hold: requests, and answers not yet written to their clients (at most --max-bytes-in-flight).";
        gauge(&mut encoder, "inflight", help, Some(&Unit::Bytes), bytes)
    }
}

/// The process metrics every Prometheus client library exports, with their standard names
/// (`process_cpu_seconds_total`, `process_resident_memory_bytes`, ...), read from
/// `/proc/self` at each scrape. Linux only; where `/proc` cannot be read they are left out
/// rather than failing the scrape.
#[cfg(target_os = "linux")]
#[derive(Debug, Default)]
pub struct ProcessCollector {
    /// The process's start, in seconds since the Unix epoch: read once, as it never changes.
    start_time: std::sync::OnceLock<f64>,
}

/// One reading of `/proc/self`.
#[cfg(target_os = "linux")]
struct ProcessSample {
    cpu_seconds: f64,
    resident_bytes: u64,
    virtual_bytes: u64,
    open_fds: u64,
    /// The soft limit on open descriptors; `None` when unlimited.
    max_fds: Option<u64>,
    start_time_seconds: f64,
}

#[cfg(target_os = "linux")]
impl ProcessCollector {
    fn sample(&self) -> procfs::ProcResult<ProcessSample> {
        let process = procfs::process::Process::myself()?;
        let stat = process.stat()?;
        let ticks = procfs::ticks_per_second() as f64;
        let start_time_seconds = match self.start_time.get() {
            Some(start) => *start,
            None => {
                let start = procfs::boot_time_secs()? as f64 + stat.starttime as f64 / ticks;
                *self.start_time.get_or_init(|| start)
            }
        };
        let max_fds = match process.limits()?.max_open_files.soft_limit {
            procfs::process::LimitValue::Value(limit) => Some(limit),
            procfs::process::LimitValue::Unlimited => None,
        };
        Ok(ProcessSample {
            cpu_seconds: (stat.utime + stat.stime) as f64 / ticks,
            resident_bytes: stat.rss * procfs::page_size(),
            virtual_bytes: stat.vsize,
            open_fds: process.fd_count()? as u64,
            max_fds,
            start_time_seconds,
        })
    }
}

#[cfg(target_os = "linux")]
impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        let sample = match self.sample() {
            Ok(sample) => sample,
            Err(error) => {
                tracing::warn!(%error, "cannot read /proc/self: the process metrics are left out of this scrape");
                return Ok(());
            }
        };
        let cpu = prometheus_client::metrics::counter::ConstCounter::new(sample.cpu_seconds);
        let help = "Total user and system CPU time spent in seconds.";
        cpu.encode(encoder.encode_descriptor("process_cpu", help, Some(&Unit::Seconds), cpu.metric_type())?)?;
        let help = "Resident memory size in bytes.";
        gauge(&mut encoder, "process_resident_memory", help, Some(&Unit::Bytes), sample.resident_bytes)?;
        let help = "Virtual memory size in bytes.";
        gauge(&mut encoder, "process_virtual_memory", help, Some(&Unit::Bytes), sample.virtual_bytes)?;
        gauge(&mut encoder, "process_open_fds", "Number of open file descriptors.", None, sample.open_fds)?;
        if let Some(max_fds) = sample.max_fds {
            gauge(&mut encoder, "process_max_fds", "Maximum number of open file descriptors.", None, max_fds)?;
        }
        let help = "Start time of the process since unix epoch in seconds.";
        gauge(&mut encoder, "process_start_time", help, Some(&Unit::Seconds), sample.start_time_seconds)
    }
}
