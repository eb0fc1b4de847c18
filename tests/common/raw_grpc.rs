//! gRPC calls made by hand over HTTP/2 with the h2 crate: any bytes as the request message,
//! any headers, and the answer's status read from the trailers (or from the headers of a
//! trailers-only answer). No tonic on the client side, so nothing is checked or enforced
//! before the bytes reach the server.

use bytes::Bytes;

/// What the server answered.
#[derive(Debug)]
pub struct RawAnswer {
    /// `grpc-status`, if the server sent one.
    pub code: Option<tonic::Code>,
    /// `grpc-message`, percent-decoded.
    pub message: String,
    /// The response body: gRPC frames.
    pub body: Vec<u8>,
}

/// Sends `body` (gRPC frames, see [`frame`]) to `path` (`/accord.v1.Classifier/Classify`)
/// with the extra `headers`, and reads the whole answer.
pub async fn call(addr: &str, path: &str, body: Bytes, headers: &[(&str, &str)]) -> RawAnswer {
    let (client, _connection) = connect(addr).await;
    call_on(client, addr, path, body, headers).await
}

/// An HTTP/2 connection to `addr`: the handle to send calls on, and the task that drives the
/// connection (answering the server's PINGs), which ends when the connection does.
pub async fn connect(addr: &str) -> (h2::client::SendRequest<Bytes>, tokio::task::JoinHandle<Result<(), h2::Error>>) {
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connects");
    let (client, connection) = h2::client::handshake(tcp).await.expect("HTTP/2 handshake");
    (client, tokio::spawn(connection))
}

/// [`call`] on a connection from [`connect`].
pub async fn call_on(
    client: h2::client::SendRequest<Bytes>,
    addr: &str,
    path: &str,
    body: Bytes,
    headers: &[(&str, &str)],
) -> RawAnswer {
    let (response, mut outbound) = open(client, addr, path, headers).await;
    outbound.send_data(body, true).expect("sends the body");
    answer(response).await
}

/// Reads the whole answer to a call opened with [`open`]: its messages and its status.
pub async fn answer(response: h2::client::ResponseFuture) -> RawAnswer {
    let (parts, mut body) = response.await.expect("an HTTP/2 response").into_parts();
    let mut data = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.expect("body chunk");
        let _ = body.flow_control().release_capacity(chunk.len());
        data.extend_from_slice(&chunk);
    }
    let trailers = body.trailers().await.expect("trailers").unwrap_or(parts.headers);
    let code = trailers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i32>().ok())
        .map(tonic::Code::from_i32);
    let message = trailers.get("grpc-message").map(|v| percent_decode(v.as_bytes())).unwrap_or_default();
    RawAnswer { code, message, body: data }
}

/// A call to `path` opened with its headers and no body yet: the answer to wait for, and
/// the stream to send the request's bytes on.
pub async fn open(
    client: h2::client::SendRequest<Bytes>,
    addr: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (h2::client::ResponseFuture, h2::SendStream<Bytes>) {
    let mut client = client.ready().await.expect("the connection is ready");
    let mut request = http::Request::post(format!("http://{addr}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    client.send_request(request.body(()).expect("request"), false).expect("sends")
}

/// One uncompressed gRPC frame: flag 0, big-endian length, the message.
pub fn frame(message: &[u8]) -> Bytes {
    let length = u32::try_from(message.len()).expect("a message under 4 GiB");
    let mut framed = Vec::with_capacity(5 + message.len());
    framed.push(0);
    framed.extend_from_slice(&length.to_be_bytes());
    framed.extend_from_slice(message);
    framed.into()
}

/// One gRPC frame of the gzipped message, its flag set to "compressed"; sent with the
/// header `grpc-encoding: gzip`.
pub fn gzip_frame(message: &[u8]) -> Bytes {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(message).expect("gzip");
    let mut framed = frame(&encoder.finish().expect("gzip")).to_vec();
    framed[0] = 1;
    framed.into()
}

fn percent_decode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&byte, tail)) = rest.split_first() {
        let hex = tail.get(..2).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                rest = &tail[2..];
            }
            _ => {
                out.push(byte);
                rest = tail;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Opens a call to `path`, sends `body` without closing the request side, waits for the
/// first bytes of the answer, then closes the TCP connection: a client that vanishes in the
/// middle of a stream.
pub async fn vanish_mid_call(addr: &str, path: &str, body: Bytes) {
    let (client, connection) = connect(addr).await;
    let mut client = client.ready().await.expect("the connection is ready");
    let request = http::Request::post(format!("http://{addr}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .expect("request");
    let (response, mut outbound) = client.send_request(request, false).expect("sends");
    outbound.send_data(body, false).expect("sends the body, request side left open");
    let mut inbound = response.await.expect("an HTTP/2 response").into_body();
    inbound.data().await.expect("a first answer").expect("answer bytes");
    connection.abort(); // drops the connection future, and with it the socket
    let _ = connection.await;
}
