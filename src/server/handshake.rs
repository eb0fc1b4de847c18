//! `--handshake-timeout-secs`: a new connection must send its first bytes (the 24-byte
//! HTTP/2 preface, or a TLS hello, which is longer) within the timeout, or it is closed.
//! Neither hyper's HTTP/2 server nor tonic's TLS acceptor has a timeout of its own for this,
//! so a client that connects and stays silent would hold a descriptor for good.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;
use tonic::transport::server::{Connected, TcpConnectInfo};

/// The bytes a connection must send before the timeout: the HTTP/2 client preface.
const FIRST_BYTES: usize = 24;

/// A TCP connection whose reads fail with `TimedOut` if its first [`FIRST_BYTES`] bytes do
/// not arrive within the timeout; after them it is a plain `TcpStream`.
pub struct HandshakeDeadline {
    stream: TcpStream,
    /// Running until the first bytes are in; `None` after.
    timer: Option<Pin<Box<Sleep>>>,
    received: usize,
}

impl HandshakeDeadline {
    pub fn new(stream: TcpStream, timeout: Duration) -> Self {
        Self { stream, timer: Some(Box::pin(tokio::time::sleep(timeout))), received: 0 }
    }
}

impl Connected for HandshakeDeadline {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.stream.connect_info()
    }
}

impl AsyncRead for HandshakeDeadline {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let read = Pin::new(&mut self.stream).poll_read(cx, buf);
        match (&read, self.timer.as_mut()) {
            (_, None) => {}
            (Poll::Ready(Ok(())), Some(_)) => {
                self.received += buf.filled().len() - before;
                if self.received >= FIRST_BYTES {
                    self.timer = None;
                }
            }
            (Poll::Pending, Some(timer)) => {
                if timer.as_mut().poll(cx).is_ready() {
                    let message = "the connection did not start HTTP/2 or TLS within --handshake-timeout-secs";
                    return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, message)));
                }
            }
            (Poll::Ready(Err(_)), Some(_)) => {}
        }
        read
    }
}

impl AsyncWrite for HandshakeDeadline {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
