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
//! own one clone and call it in place. A stack that is not ready at once gets
//! the request through a clone and `Oneshot`, as before.

use std::cell::RefCell;
use std::convert::Infallible;
use std::task::{Context, Poll, Waker};

use futures_util::future::Either;
use tower::util::Oneshot;
use tower::Service;

use crate::Response;

/// The stack of one connection, as hyper's `Service` (see the module docs).
pub(crate) struct ConnectionService<S> {
    /// Called in place while ready.
    stack: RefCell<S>,
    /// Cloned for a request the stack in place cannot take at once.
    spare: S,
}

impl<S: Clone> ConnectionService<S> {
    /// The connection's service over its own clone of `stack`.
    pub(crate) fn new(stack: &S) -> Self {
        ConnectionService {
            stack: RefCell::new(stack.clone()),
            spare: stack.clone(),
        }
    }
}

impl<S, R> hyper::service::Service<R> for ConnectionService<S>
where
    S: Service<R, Response = Response, Error = Infallible> + Clone,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, Oneshot<S, R>>;

    fn call(&self, req: R) -> Self::Future {
        if let Ok(mut stack) = self.stack.try_borrow_mut() {
            // A stack that is ready now takes the request in place; one that
            // is not is left with the no-op waker's registration, harmless.
            let mut cx = Context::from_waker(Waker::noop());
            if let Poll::Ready(Ok(())) = stack.poll_ready(&mut cx) {
                return Either::Left(stack.call(req));
            }
        }
        Either::Right(Oneshot::new(self.spare.clone(), req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::full_body;
    use bytes::Bytes;
    use http_body_util::BodyExt;
    use hyper::service::Service as _;

    /// Ready every other time it is asked.
    #[derive(Clone)]
    struct Fussy {
        asked: usize,
    }

    impl Service<&'static str> for Fussy {
        type Response = Response;
        type Error = Infallible;
        type Future = std::future::Ready<Result<Response, Infallible>>;

        fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            self.asked += 1;
            if self.asked % 2 == 0 {
                Poll::Ready(Ok(()))
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }

        fn call(&mut self, req: &'static str) -> Self::Future {
            std::future::ready(Ok(http::Response::new(full_body(Bytes::from(req)))))
        }
    }

    async fn body(res: Response) -> Bytes {
        res.into_body().collect().await.unwrap().to_bytes()
    }

    #[tokio::test]
    async fn a_ready_stack_is_called_in_place_and_a_busy_one_through_a_clone() {
        let svc = ConnectionService::new(&Fussy { asked: 1 });
        // Asked a second time: ready, called in place.
        let first = svc.call("in place");
        assert!(matches!(first, Either::Left(_)));
        assert_eq!(body(first.await.unwrap()).await, "in place");
        // Asked a third time: not ready; a clone (asked once more, ready)
        // takes it.
        let second = svc.call("through a clone");
        assert!(matches!(second, Either::Right(_)));
        assert_eq!(body(second.await.unwrap()).await, "through a clone");
    }
}
