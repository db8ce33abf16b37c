//! A small client of the daemon over its Unix socket: prints the capabilities,
//! then any path given.
//!
//! ```text
//! cargo run --bin sockerless-backend-memory -- --socket /tmp/sockerless.sock &
//! cargo run --example client -- /tmp/sockerless.sock /internal/v1/info
//! ```

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;

async fn get(socket: &str, path: &str) -> Result<(u16, String), Box<dyn std::error::Error>> {
    let stream = UnixStream::connect(socket).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let req = http::Request::get(path)
        .header("host", "localhost")
        .body(Empty::<Bytes>::new())?;
    let res = sender.send_request(req).await?;
    let status = res.status().as_u16();
    let body = res.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let socket = args
        .next()
        .unwrap_or_else(|| "/var/run/sockerless-backend.sock".to_string());
    let mut paths = vec!["/internal/v1/capabilities".to_string()];
    paths.extend(args);
    for path in paths {
        match get(&socket, &path).await {
            Ok((status, body)) => println!("GET {path} -> {status}\n{body}"),
            Err(e) => {
                eprintln!("client: {socket}: {e}");
                std::process::exit(1);
            }
        }
    }
}
