//! The floor: a bare hyper 1 HTTP/1 server with no tower layers, no routing and
//! no logging, answering every request with exactly the bytes (and the
//! `content-type`) of the memory backend's `GET /internal/v1/capabilities`.
//! `scripts/bench-http.sh` runs the load tool against it and against the daemon
//! and reports the daemon's figures as a ratio to this one.
//!
//! ```text
//! cargo run --release --example bare_hyper -- --unix /tmp/bare.sock --tcp 127.0.0.1:0
//! ```
//!
//! Prints one line `listening unix=<path|-> tcp=<addr|->` on stdout once bound;
//! runs until SIGTERM or SIGINT, then removes the socket file.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;

use bytes::Bytes;
use clap::Parser;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};
use tokio::signal::unix::{signal, SignalKind};

#[derive(Debug, Parser)]
#[command(about = "Bare hyper server answering the memory backend's capabilities bytes")]
struct Args {
    /// Unix socket to listen on (a stale file is replaced).
    #[arg(long)]
    unix: Option<PathBuf>,
    /// TCP address to listen on (port 0: any free port, printed at start).
    #[arg(long)]
    tcp: Option<SocketAddr>,
    /// Runtime worker threads (default: one per core, as the daemon).
    #[arg(long)]
    threads: Option<usize>,
}

fn main() {
    let args = Args::parse();
    if args.unix.is_none() && args.tcp.is_none() {
        eprintln!("bare_hyper: give --unix PATH and/or --tcp ADDR");
        std::process::exit(2);
    }
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = args.threads {
        rt.worker_threads(n);
    }
    let rt = rt.build().expect("runtime");
    rt.block_on(run(args));
}

async fn run(args: Args) {
    let body = Bytes::from(
        serde_json::to_vec(&sockerless::api::Capabilities::memory()).expect("capabilities JSON"),
    );
    let unix = args.unix.as_ref().map(|p| {
        if std::fs::symlink_metadata(p).is_ok() {
            let _ = std::fs::remove_file(p);
        }
        UnixListener::bind(p).unwrap_or_else(|e| {
            eprintln!("bare_hyper: bind {}: {e}", p.display());
            std::process::exit(1)
        })
    });
    let tcp = match args.tcp {
        Some(a) => Some(TcpListener::bind(a).await.unwrap_or_else(|e| {
            eprintln!("bare_hyper: bind {a}: {e}");
            std::process::exit(1)
        })),
        None => None,
    };
    println!(
        "listening unix={} tcp={}",
        args.unix
            .as_ref()
            .map_or("-".to_string(), |p| p.display().to_string()),
        tcp.as_ref()
            .and_then(|l| l.local_addr().ok())
            .map_or("-".to_string(), |a| a.to_string()),
    );
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            r = async { unix.as_ref().unwrap().accept().await }, if unix.is_some() => {
                if let Ok((s, _)) = r {
                    spawn_conn(s, body.clone());
                }
            }
            r = async { tcp.as_ref().unwrap().accept().await }, if tcp.is_some() => {
                if let Ok((s, _)) = r {
                    let _ = s.set_nodelay(true);
                    spawn_conn(s, body.clone());
                }
            }
        }
    }
    if let Some(p) = &args.unix {
        let _ = std::fs::remove_file(p);
    }
}

fn spawn_conn<S>(stream: S, body: Bytes)
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    tokio::spawn(async move {
        let svc = service_fn(move |_req| {
            let body = body.clone();
            async move {
                let mut res = hyper::Response::new(Full::new(body));
                res.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
                Ok::<_, Infallible>(res)
            }
        });
        let _ = http1::Builder::new()
            .serve_connection(TokioIo::new(stream), svc)
            .await;
    });
}
