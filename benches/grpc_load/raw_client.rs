//! A light gRPC load generator: requests encoded once, sent as they are over one HTTP/2
//! connection with the h2 crate, and every answer's `grpc-status` read from its trailers.
//! It does what h2load does with a gRPC-framed body, so that the load generator takes less
//! of the two cores it shares with the server than a tonic client does.

use bytes::{Buf, Bytes};
use h2::client::SendRequest;
use http::{HeaderMap, Request};
use tonic::Code;

/// HTTP/2 windows for the answers: large enough that no answer waits on a window update.
const STREAM_WINDOW: u32 = 2 << 20;
const CONNECTION_WINDOW: u32 = 8 << 20;

/// One HTTP/2 connection; clones share it.
#[derive(Clone)]
pub struct RawClient {
    sender: SendRequest<Bytes>,
    authority: String,
}

impl RawClient {
    /// Connects to `addr` (`http://IP:PORT`).
    pub async fn connect(addr: &str) -> Result<Self, String> {
        let authority = addr.strip_prefix("http://").unwrap_or(addr).to_owned();
        let tcp = tokio::net::TcpStream::connect(&authority).await.map_err(|e| format!("{authority}: {e}"))?;
        tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        let (sender, connection) = h2::client::Builder::new()
            .initial_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .handshake(tcp)
            .await
            .map_err(|e| format!("HTTP/2 handshake with {authority}: {e}"))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self { sender, authority })
    }

    /// Sends `framed` (one gRPC frame, as `raw_grpc::frame` makes it) to `path` and returns the answer's
    /// message, or the name of the gRPC code it failed with (`ResourceExhausted`, as tonic
    /// names it) or of what went wrong on the connection.
    pub async fn call(&self, path: &str, framed: Bytes) -> Result<Bytes, String> {
        let request = Request::post(format!("http://{}{path}", self.authority))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .body(())
            .map_err(|e| format!("request: {e}"))?;
        let mut sender = self.sender.clone().ready().await.map_err(|e| format!("connection: {e}"))?;
        let (response, mut outbound) = sender.send_request(request, false).map_err(|e| format!("send: {e}"))?;
        outbound.send_data(framed, true).map_err(|e| format!("send: {e}"))?;
        let (parts, mut body) = response.await.map_err(|e| format!("response: {e}"))?.into_parts();
        let mut answer = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.map_err(|e| format!("response body: {e}"))?;
            let _ = body.flow_control().release_capacity(chunk.len());
            answer.extend_from_slice(&chunk);
        }
        let trailers = body.trailers().await.map_err(|e| format!("trailers: {e}"))?;
        match grpc_code(trailers.as_ref().unwrap_or(&parts.headers)) {
            Some(Code::Ok) => unframe(answer.into()),
            Some(code) => Err(format!("{code:?}")),
            None => Err(format!("no grpc-status (HTTP {})", parts.status)),
        }
    }
}

fn grpc_code(headers: &HeaderMap) -> Option<Code> {
    let value = headers.get("grpc-status")?.to_str().ok()?;
    value.parse::<i32>().ok().map(Code::from_i32)
}

/// The message of an answer that must be exactly one uncompressed gRPC frame.
fn unframe(mut answer: Bytes) -> Result<Bytes, String> {
    if answer.len() < 5 || answer[0] != 0 {
        return Err("malformed answer frame".into());
    }
    answer.advance(1);
    let length = answer.get_u32() as usize;
    if answer.len() != length {
        return Err(format!("answer frame says {length} bytes, has {}", answer.len()));
    }
    Ok(answer)
}
