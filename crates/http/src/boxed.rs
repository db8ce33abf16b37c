//! [`pin_in_place`]: `Box::pin` for a large future, without copying it.
//!
//! `Box::pin(handle(state, req))` builds the whole future on the stack (an
//! async fn's future is as large as its largest suspended state, ~1.6–2 kB for
//! a frontend's request handler, though only its arguments are set before the
//! first poll) and then copies all of it into the allocation: about 200
//! instructions of `memcpy` per request. Writing it into an allocation made
//! first lets the compiler store the arguments there directly.

use std::pin::Pin;

/// `Box::pin(make())`, with the value written straight into its allocation.
#[inline(always)]
pub fn pin_in_place<F>(make: impl FnOnce() -> F) -> Pin<Box<F>> {
    let mut slot = Box::<F>::new_uninit();
    slot.write(make());
    // SAFETY: `write` initialised the value just above.
    Box::into_pin(unsafe { slot.assume_init() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_future_runs_as_if_boxed_plainly() {
        let text = String::from("kept");
        let fut = pin_in_place(|| async move {
            tokio::task::yield_now().await;
            text.len()
        });
        assert_eq!(fut.await, 4);
    }
}
