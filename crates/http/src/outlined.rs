//! [`Outlined`]: a future polled in a function of its own, so that its
//! stack frame is not merged into the caller's.
//!
//! An `async` block that awaits one of several futures (a dispatcher's
//! `match` over every route) gets one poll function with all of them inlined,
//! and that function's stack frame is as large as the largest branch's
//! temporaries: the internal API's dispatcher had 13.5 KB and the Docker
//! frontend's 10.5 KB (its container handler's 17.8 KB more), probed a page at
//! a time on every request, though a capabilities request needs little of it.
//! Awaiting each branch through [`Outlined`] keeps each branch's temporaries
//! in its own frame, used only by the requests that take that branch.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project_lite::pin_project! {
    /// `inner`, polled through a function that is never inlined.
    pub struct Outlined<F> {
        #[pin]
        inner: F,
    }
}

impl<F> Outlined<F> {
    /// Wraps `inner`.
    pub fn new(inner: F) -> Self {
        Outlined { inner }
    }
}

impl<F: Future> Future for Outlined<F> {
    type Output = F::Output;

    #[inline(never)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_inner_future_runs_to_its_output() {
        let text = String::from("kept");
        let out = Outlined::new(async move {
            tokio::task::yield_now().await;
            text.len()
        })
        .await;
        assert_eq!(out, 4);
    }
}
