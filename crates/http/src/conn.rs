//! [`ConnIo`]: a connection's IO as the server hands it to hyper. It carries
//! the connection-cap permit, so the slot is held exactly as long as the
//! connection lives — upgraded or not — and the connection's header-read
//! [`HeadDeadline`]: once that has fired, a read that finds nothing to read
//! fails with `TimedOut`, and hyper closes the connection.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::OwnedSemaphorePermit;

use crate::head_deadline::HeadDeadline;

pin_project_lite::pin_project! {
    /// An IO stream holding a semaphore permit until it is dropped, read
    /// under a header-read deadline.
    pub struct ConnIo<IO> {
        #[pin]
        inner: IO,
        _permit: OwnedSemaphorePermit,
        deadline: Arc<HeadDeadline>,
        // The deadline has the connection's task to wake (given at the first
        // read that waits: a task's waker stays the same).
        task_given: bool,
    }
}

impl<IO> ConnIo<IO> {
    /// Wraps `inner`, holding `permit` for its lifetime, read under
    /// `deadline`.
    pub fn new(inner: IO, permit: OwnedSemaphorePermit, deadline: Arc<HeadDeadline>) -> Self {
        ConnIo {
            inner,
            _permit: permit,
            deadline,
            task_given: false,
        }
    }
}

impl<IO: AsyncRead> AsyncRead for ConnIo<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let read = this.inner.poll_read(cx, buf);
        if read.is_pending() {
            // Checked only when nothing is left to read, as hyper checked its
            // own timer: the connection then closes with nothing unread (a
            // close with unread bytes is a reset the client sees as an error,
            // not the end of the stream).
            if this.deadline.fired() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no request head within the header read timeout",
                )));
            }
            if !*this.task_given {
                this.deadline.give_task(cx.waker());
                *this.task_given = true;
            }
        }
        read
    }
}

impl<IO: AsyncWrite> AsyncWrite for ConnIo<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
