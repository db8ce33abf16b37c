//! [`RemoteBackend`]: the `Backend` trait spoken over the internal API to a
//! backend daemon on a Unix socket or TCP — JSON routes over a pooled HTTP/1.1
//! client, streams (events, logs follow, wait, attach, exec start) over
//! WebSocket, pull progress, stats and image load as streamed bodies.
//!
//! It lives beside the router so that both sides of each route are in one
//! crate. Errors cross the wire unchanged: the backend's status and
//! `{"message"}` become the same [`Error`] the backend returned. A backend that
//! cannot be reached is a 503, one that answers something broken a 502, both
//! naming its address; non-streaming calls are bounded by [`Timeouts`].
//!
//! ```no_run
//! # async fn f() -> sockerless_core::Result<()> {
//! use sockerless_core::backend::prelude::*;
//! use sockerless_internal_api::client::{Address, RemoteBackend, Timeouts};
//! let address = Address::parse("unix:///var/run/sockerless-backend.sock").unwrap();
//! let backend = RemoteBackend::connect(address, Timeouts::default()).await?;
//! let version = backend.version().await?;
//! # let _ = version; Ok(()) }
//! ```

mod containers;
mod exec;
mod images;
mod lines;
mod networks;
mod system;
mod transport;
mod volumes;
mod ws;

use sockerless_core::api::{Capabilities, Filters};
use sockerless_core::error::{Error, Result};
use sockerless_core::Operation;

pub use transport::{Address, Timeouts};

use transport::Transport;

use crate::route::encode;

/// A backend daemon reached over the internal API.
#[derive(Clone)]
pub struct RemoteBackend {
    transport: Transport,
    capabilities: Capabilities,
}

impl std::fmt::Debug for RemoteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteBackend")
            .field("address", self.transport.address())
            .field("backend", &self.capabilities.backend)
            .finish_non_exhaustive()
    }
}

impl RemoteBackend {
    /// Connects: reads the backend's `GET /capabilities` (a backend that cannot
    /// be reached is an error naming its address). Later calls connect as
    /// needed, so the frontend works again once a restarted backend is back.
    pub async fn connect(address: Address, timeouts: Timeouts) -> Result<RemoteBackend> {
        let transport = Transport::new(address, timeouts);
        let capabilities = transport
            .json(crate::route::Route::Capabilities, "", None::<&()>)
            .await?;
        Ok(RemoteBackend {
            transport,
            capabilities,
        })
    }

    /// The backend's address.
    pub fn address(&self) -> &Address {
        self.transport.address()
    }

    /// The 501 for an operation whose capability the backend lacks, naming the
    /// backend in the words the backend itself uses, so embedded and remote
    /// mode answer alike.
    fn check_capability(&self, operation: Operation) -> Result<()> {
        match operation.capability() {
            Some(cap) if !cap.is_in(&self.capabilities.capabilities) => {
                Err(Error::NotImplemented(format!(
                    "This backend ({}) does not support {cap}",
                    self.capabilities.backend
                )))
            }
            _ => Ok(()),
        }
    }
}

/// A query string under construction: `?a=1&b=x`.
#[derive(Debug, Default)]
struct Query(String);

impl Query {
    fn new() -> Self {
        Query::default()
    }

    fn push(mut self, key: &str, value: &str) -> Self {
        self.0.push(if self.0.is_empty() { '?' } else { '&' });
        self.0.push_str(key);
        self.0.push('=');
        self.0.push_str(&encode(value));
        self
    }

    /// `key=1` when set; absent (the default) otherwise.
    fn flag(self, key: &str, on: bool) -> Self {
        if on {
            self.push(key, "1")
        } else {
            self
        }
    }

    fn opt(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.push(key, v),
            None => self,
        }
    }

    fn filters(self, filters: &Filters) -> Self {
        if filters.is_empty() {
            self
        } else {
            self.push("filters", &filters.to_json())
        }
    }

    fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_escaped() {
        let mut f = Filters::default();
        f.add("label", "a=b");
        let q = Query::new()
            .flag("all", true)
            .flag("size", false)
            .opt("since", Some("1.5"))
            .filters(&f)
            .finish();
        assert_eq!(
            q,
            "?all=1&since=1.5&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D"
        );
        assert_eq!(Query::new().finish(), "");
    }
}
