//! [`PermitIo`]: a connection's IO that carries its connection-cap permit, so the
//! slot is held exactly as long as the connection lives — upgraded or not.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::OwnedSemaphorePermit;

pin_project_lite::pin_project! {
    /// An IO stream holding a semaphore permit until it is dropped.
    pub struct PermitIo<IO> {
        #[pin]
        inner: IO,
        _permit: OwnedSemaphorePermit,
    }
}

impl<IO> PermitIo<IO> {
    /// Wraps `inner`, holding `permit` for its lifetime.
    pub fn new(inner: IO, permit: OwnedSemaphorePermit) -> Self {
        PermitIo {
            inner,
            _permit: permit,
        }
    }
}

impl<IO: AsyncRead> AsyncRead for PermitIo<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.project().inner.poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite> AsyncWrite for PermitIo<IO> {
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
