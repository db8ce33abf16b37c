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
//!
//! The call also polls the response future once, where it was made, before
//! hyper gets it. hyper calls the service while it reads the request head;
//! before it polls the future, it reads ahead on the connection (to see a
//! client that went away), reserving room in its read buffer first. The
//! request head in the future still shares that buffer, so the reserve
//! allocated a fresh buffer for every request (and the next request was read
//! into memory not yet in the cache). Polled at once, a request that needs
//! no waiting (most do not) is answered and dropped before that read, and
//! the buffer is reused. A future that is not finished goes to hyper, which
//! polls it again with the connection's waker before it waits for anything
//! (what it registered with the no-op waker of the first poll is replaced
//! then). It goes boxed: hyper copies the service's future into the
//! connection's slot for it, and an answer alone is 128 bytes where the
//! stacks' futures are about 300 (two cache lines written per request
//! instead of five; the box is only for the requests that wait, which do
//! far more than an allocation).
//!
//! It also keeps the connection's header-read deadline
//! ([`crate::head_deadline`]): cleared when it is called (a head has
//! arrived), armed again by the response's body when hyper drops it.

use std::cell::RefCell;
use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};

use futures_util::future::Either;
use http::StatusCode;
use tower::Service;

use crate::body::json_message;
use crate::head_deadline::{ArmsWhenDropped, HeadDeadline};
use crate::ready::{self, ReadyCall};
use crate::Response;

/// The stack of one connection, as hyper's `Service` (see the module docs).
pub(crate) struct ConnectionService<S> {
    stack: RefCell<S>,
    /// Cleared when a head arrives, armed again by the response's body.
    deadline: Arc<HeadDeadline>,
}

impl<S: Clone> ConnectionService<S> {
    /// The connection's service over its own clone of `stack`.
    pub(crate) fn new(stack: &S, deadline: Arc<HeadDeadline>) -> Self {
        ConnectionService {
            stack: RefCell::new(stack.clone()),
            deadline,
        }
    }
}

/// What hyper gets: the stack's response, its body arming the connection's
/// header-read deadline when dropped.
type Answer = http::Response<ArmsWhenDropped>;

impl<S, R> hyper::service::Service<R> for ConnectionService<S>
where
    S: Service<R, Response = Response, Error = Infallible> + Clone,
    S::Future: Unpin,
{
    type Response = Answer;
    type Error = Infallible;
    type Future = Either<Box<Waiting<ReadyCall<S, R>>>, Ready<Result<Answer, Infallible>>>;

    fn call(&self, req: R) -> Self::Future {
        // A whole head has arrived.
        self.deadline.clear();
        // The borrow ends before `call` returns, and hyper never calls a
        // connection's service from inside that service: it cannot be taken.
        // Were it ever, that would be a bug, answered as one.
        let mut answer = match self.stack.try_borrow_mut() {
            Ok(mut stack) => ready::call(&mut *stack, req),
            Err(_) => {
                return Either::Right(ready(Ok(self.deadline.after(json_message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error: the connection's service was called from inside itself",
                )))))
            }
        };
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(&mut answer).poll(&mut cx) {
            Poll::Ready(Ok(res)) => Either::Right(ready(Ok(self.deadline.after(res)))),
            Poll::Pending => Either::Left(Box::new(Waiting {
                answer,
                deadline: Arc::clone(&self.deadline),
            })),
        }
    }
}

/// A response that was not ready at once, with the deadline its body arms.
pub(crate) struct Waiting<F> {
    answer: F,
    deadline: Arc<HeadDeadline>,
}

impl<F> Future for Waiting<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Answer, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Ok(res) = ready!(Pin::new(&mut self.answer).poll(cx));
        Poll::Ready(Ok(self.deadline.after(res)))
    }
}
