//! The HTTP/1.1 listener: one hyper connection task per client, a deadline for each
//! request's head, and a graceful stop (no new connections; requests in progress finish).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tonic::transport::server::TcpConnectInfo;
use tower::ServiceExt;

/// A bound listener and its address (port 0 picks one).
pub struct HttpListener {
    listener: TcpListener,
    pub local: SocketAddr,
}

/// Listens on `addr`.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<HttpListener> {
    let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen for HTTP on {addr}"))?;
    let local = listener.local_addr().context("cannot read the bound HTTP address")?;
    Ok(HttpListener { listener, local })
}

/// Serves `router` until `stop` resolves, then waits for the requests in progress.
/// A client that sends no complete request head within `head_timeout` is disconnected.
pub async fn serve(http: HttpListener, router: axum::Router, head_timeout: Duration, stop: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = http.listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(%error, "cannot accept an HTTP connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            // The peer address where tonic puts it, so the call's log names the client.
            request.extensions_mut().insert(TcpConnectInfo { local_addr: None, remote_addr: Some(peer) });
            let answer = router.clone().oneshot(request);
            async move { Ok::<_, Infallible>(answer.await.unwrap_or_else(|never| match never {})) }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(head_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "HTTP connection ended with an error");
            }
        });
    }
    drop(http.listener);
    graceful.shutdown().await;
}
