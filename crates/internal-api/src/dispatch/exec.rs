//! Exec create, inspect, detached start and attached start (WebSocket).

use http::StatusCode;

use sockerless_core::backend::prelude::*;
use sockerless_core::error::Result;

use crate::reply::Reply;
use crate::request::ExecRequest;
use crate::ws::{stdin_channel, Pump};

pub(super) async fn apply(backend: &dyn Backend, request: ExecRequest) -> Result<Reply> {
    match request {
        ExecRequest::Create { reference, config } => {
            Reply::created(&backend.exec_create(reference, config).await?)
        }
        ExecRequest::Inspect(id) => Reply::ok(&backend.exec_inspect(id).await?),
        ExecRequest::Start(id) => {
            // Detached: the output stream is dropped at once.
            drop(backend.exec_start(id, true, None).await?);
            Ok(Reply::Empty(StatusCode::OK))
        }
        ExecRequest::StartStream(id) => {
            let (tx, stdin) = stdin_channel(true);
            let out = backend.exec_start(id, false, stdin).await?;
            Ok(Reply::Upgrade(Pump::Attach(out, tx)))
        }
    }
}
