//! The listener's accepted connections, with a pause after an accept that failed for lack of
//! resources.
//!
//! At the open-files limit (EMFILE, ENFILE) or out of socket buffers, the pending connection
//! stays in the backlog and the next `accept` fails again at once: retried in a loop, that
//! burns a core and starves the connections already served. Here a failed accept pauses the
//! listener briefly (existing connections are served meanwhile, on other tasks) and is
//! logged at most once a second, with the number of failures since the last line.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio::time::Sleep;
use tokio_stream::Stream;
use tonic::transport::server::TcpIncoming;

/// How long the listener rests after an accept failed for lack of descriptors or memory:
/// short enough that a freed descriptor is used within a tenth of a second, long enough that
/// the retries cost nothing measurable.
const RESOURCE_PAUSE: Duration = Duration::from_millis(100);
/// Least time between two log lines about failed accepts.
const LOG_INTERVAL: Duration = Duration::from_secs(1);

/// A [`TcpIncoming`] that pauses after accept errors instead of spinning.
pub struct PacedIncoming {
    inner: TcpIncoming,
    pause: Option<Pin<Box<Sleep>>>,
    last_log: Option<Instant>,
    unlogged: u64,
}

impl PacedIncoming {
    pub fn new(inner: TcpIncoming) -> Self {
        Self { inner, pause: None, last_log: None, unlogged: 0 }
    }

    fn failed(&mut self, error: &std::io::Error) {
        self.unlogged += 1;
        let now = Instant::now();
        if self.last_log.is_none_or(|last| now.duration_since(last) >= LOG_INTERVAL) {
            tracing::warn!(%error, failures = self.unlogged, "cannot accept connections; pausing the listener");
            self.last_log = Some(now);
            self.unlogged = 0;
        }
        if is_out_of_resources(error) {
            self.pause = Some(Box::pin(tokio::time::sleep(RESOURCE_PAUSE)));
        }
    }
}

/// Errors that repeat until a descriptor or memory is freed.
fn is_out_of_resources(error: &std::io::Error) -> bool {
    matches!(error.raw_os_error(), Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM))
}

impl Stream for PacedIncoming {
    type Item = std::io::Result<TcpStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(pause) = this.pause.as_mut() {
                ready!(pause.as_mut().poll(cx));
                this.pause = None;
            }
            match ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                Some(Err(error)) => this.failed(&error),
                other => return Poll::Ready(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_exhaustion_is_out_of_resources_and_a_reset_is_not() {
        assert!(is_out_of_resources(&std::io::Error::from_raw_os_error(libc::EMFILE)));
        assert!(is_out_of_resources(&std::io::Error::from_raw_os_error(libc::ENFILE)));
        assert!(!is_out_of_resources(&std::io::Error::from_raw_os_error(libc::ECONNABORTED)));
    }
}
