//! [`call`]: a tower service called in place when it is ready at once, or
//! through a clone and `Oneshot` when it is not.
//!
//! `svc.clone().oneshot(req)` is the usual way to call a shared service from
//! a `&self` context, and costs a clone per request: for our stacks reference
//! counts that every worker thread shares, taken and dropped, and a state
//! machine around the response future. Our stacks are always ready (no layer
//! applies back-pressure), so whoever owns one mutably calls it directly.

use std::task::{Context, Poll, Waker};

use futures_util::future::Either;
use tower::util::Oneshot;
use tower::Service;

/// The future of [`call`].
pub type ReadyCall<S, R> = Either<<S as Service<R>>::Future, Oneshot<S, R>>;

/// Calls `svc` in place if it is ready now; otherwise (not ready, or failed:
/// the clone reports the failure) hands `req` to a clone driven by `Oneshot`.
/// The no-op waker a not-ready `svc` may have registered is harmless.
pub fn call<S, R>(svc: &mut S, req: R) -> ReadyCall<S, R>
where
    S: Service<R> + Clone,
{
    let mut cx = Context::from_waker(Waker::noop());
    match svc.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => Either::Left(svc.call(req)),
        _ => Either::Right(Oneshot::new(svc.clone(), req)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    /// Ready every other time it is asked; answers its request.
    #[derive(Clone)]
    struct Fussy {
        asked: usize,
    }

    impl Service<&'static str> for Fussy {
        type Response = &'static str;
        type Error = Infallible;
        type Future = std::future::Ready<Result<&'static str, Infallible>>;

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
            std::future::ready(Ok(req))
        }
    }

    #[tokio::test]
    async fn a_ready_service_is_called_in_place_and_a_busy_one_through_a_clone() {
        let mut svc = Fussy { asked: 1 };
        // Asked a second time: ready, called in place.
        let first = call(&mut svc, "in place");
        assert!(matches!(first, Either::Left(_)));
        assert_eq!(first.await, Ok("in place"));
        // Asked a third time: not ready; a clone (asked once more: ready)
        // takes it.
        let second = call(&mut svc, "through a clone");
        assert!(matches!(second, Either::Right(_)));
        assert_eq!(second.await, Ok("through a clone"));
    }
}
