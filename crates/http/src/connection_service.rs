//! [`ConnectionService`]: a frontend's stack as hyper's `Service`, one clone
//! of it per connection instead of one per request.
//!
//! hyper's `Service::call` takes `&self`; tower's takes `&mut self` after
//! `poll_ready`. `hyper_util`'s `TowerToHyperService` bridges them by cloning
//! the stack for every request and driving the clone through `Oneshot`: for
//! our stacks that is a reference count taken and dropped per request on
//! counters every worker thread shares (the backend's state, the credential
//! header list), and a state machine around the response future. An HTTP/1
//! connection calls its service once at a time, from its own task, so it can
//! own one clone and call it in place ([`crate::ready::call`]).

use std::cell::RefCell;
use std::convert::Infallible;
use std::future::{ready, Ready};

use futures_util::future::Either;
use http::StatusCode;
use tower::Service;

use crate::body::json_message;
use crate::ready::{self, ReadyCall};
use crate::Response;

/// The stack of one connection, as hyper's `Service` (see the module docs).
pub(crate) struct ConnectionService<S> {
    stack: RefCell<S>,
}

impl<S: Clone> ConnectionService<S> {
    /// The connection's service over its own clone of `stack`.
    pub(crate) fn new(stack: &S) -> Self {
        ConnectionService {
            stack: RefCell::new(stack.clone()),
        }
    }
}

impl<S, R> hyper::service::Service<R> for ConnectionService<S>
where
    S: Service<R, Response = Response, Error = Infallible> + Clone,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<ReadyCall<S, R>, Ready<Result<Response, Infallible>>>;

    fn call(&self, req: R) -> Self::Future {
        // The borrow ends before `call` returns, and hyper never calls a
        // connection's service from inside that service: it cannot be taken.
        // Were it ever, that would be a bug, answered as one.
        match self.stack.try_borrow_mut() {
            Ok(mut stack) => Either::Left(ready::call(&mut *stack, req)),
            Err(_) => Either::Right(ready(Ok(json_message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error: the connection's service was called from inside itself",
            )))),
        }
    }
}
