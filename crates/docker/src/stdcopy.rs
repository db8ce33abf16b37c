//! Docker's `stdcopy` framing of attach, exec and logs output: an 8-byte header
//! `[stream, 0, 0, 0, len as u32 big-endian]` before each payload (stream 1 =
//! stdout, 2 = stderr), or the raw bytes for a TTY.
//!
//! ```
//! use sockerless_core::api::StdStream;
//! use sockerless_docker::stdcopy::encode;
//! let framed = encode(false, StdStream::Stdout, b"hi\n");
//! assert_eq!(&framed[..], b"\x01\x00\x00\x00\x00\x00\x00\x03hi\n");
//! assert_eq!(&encode(true, StdStream::Stderr, b"hi\n")[..], b"hi\n");
//! ```

use bytes::{BufMut, Bytes, BytesMut};
use sockerless_core::api::StdStream;

/// The largest payload of one frame (moby's `stdcopy` buffer is 32 KiB).
pub const MAX_FRAME: usize = 32 * 1024;

/// The length of a frame header.
pub const HEADER_LEN: usize = 8;

/// Appends `data` to `buf` as frames of `stream`, each at most [`MAX_FRAME`]
/// bytes of payload; empty data adds nothing.
pub fn frame_into(buf: &mut BytesMut, stream: StdStream, data: &[u8]) {
    buf.reserve(data.len() + HEADER_LEN * data.len().div_ceil(MAX_FRAME));
    for chunk in data.chunks(MAX_FRAME) {
        buf.put_u8(stream.byte());
        buf.put_bytes(0, 3);
        // A chunk is at most MAX_FRAME bytes, so it fits in a u32.
        buf.put_u32(chunk.len() as u32);
        buf.put_slice(chunk);
    }
}

/// One chunk of output as it goes on the wire: raw bytes for a TTY (stderr
/// merges into them), frames otherwise. Empty data gives empty bytes.
pub fn encode(tty: bool, stream: StdStream, data: &[u8]) -> Bytes {
    if tty {
        return Bytes::copy_from_slice(data);
    }
    let mut buf = BytesMut::new();
    frame_into(&mut buf, stream, data);
    buf.freeze()
}

/// The media type of a hijacked or logs stream: raw for a TTY or below API
/// 1.42 (Docker labels everything `raw-stream` there), multiplexed otherwise.
pub fn media_type(tty: bool, api: &crate::version::ApiVersion) -> &'static str {
    if tty || *api < crate::version::ApiVersion::MULTIPLEXED_MEDIA_TYPE {
        RAW_STREAM
    } else {
        MULTIPLEXED_STREAM
    }
}

/// `application/vnd.docker.raw-stream`.
pub const RAW_STREAM: &str = "application/vnd.docker.raw-stream";

/// `application/vnd.docker.multiplexed-stream`.
pub const MULTIPLEXED_STREAM: &str = "application/vnd.docker.multiplexed-stream";

/// Docker's `RFC3339NanoFixed` (`2024-01-01T00:00:00.000000000Z`: always nine
/// fractional digits, UTC) of an RFC 3339 time, whose fraction may come
/// trimmed from the backend; `None` when it does not parse.
pub fn fixed_nanos(time: &str) -> Option<String> {
    let t = sockerless_core::docker::timefmt::parse_rfc3339(time).ok()?;
    let whole = sockerless_core::docker::timefmt::rfc3339(t);
    let nanos = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.subsec_nanos(),
        Err(e) => {
            let n = e.duration().subsec_nanos();
            if n == 0 {
                0
            } else {
                1_000_000_000 - n
            }
        }
    };
    let head = whole.strip_suffix('Z')?;
    Some(format!("{head}.{nanos:09}Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits framed bytes back into `(stream byte, payload)` pairs.
    fn demux(mut b: &[u8]) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        while !b.is_empty() {
            assert!(b.len() >= HEADER_LEN, "truncated header");
            assert_eq!(&b[1..4], &[0, 0, 0]);
            let len = u32::from_be_bytes([b[4], b[5], b[6], b[7]]) as usize;
            out.push((b[0], b[HEADER_LEN..HEADER_LEN + len].to_vec()));
            b = &b[HEADER_LEN + len..];
        }
        out
    }

    #[test]
    fn one_frame_per_small_chunk() {
        let b = encode(false, StdStream::Stderr, b"oops\n");
        assert_eq!(&b[..], b"\x02\x00\x00\x00\x00\x00\x00\x05oops\n");
    }

    #[test]
    fn empty_data_makes_no_frame() {
        assert!(encode(false, StdStream::Stdout, b"").is_empty());
        assert!(encode(true, StdStream::Stdout, b"").is_empty());
    }

    #[test]
    fn large_chunks_split_at_32_kib() {
        let data = vec![b'x'; MAX_FRAME * 2 + 5];
        let frames = demux(&encode(false, StdStream::Stdout, &data));
        let lens: Vec<usize> = frames.iter().map(|(_, p)| p.len()).collect();
        assert_eq!(lens, [MAX_FRAME, MAX_FRAME, 5]);
        assert!(frames.iter().all(|(s, _)| *s == 1));
        let joined: Vec<u8> = frames.into_iter().flat_map(|(_, p)| p).collect();
        assert_eq!(joined, data);
    }

    #[test]
    fn exactly_one_frame_at_the_limit() {
        let data = vec![b'y'; MAX_FRAME];
        assert_eq!(demux(&encode(false, StdStream::Stdout, &data)).len(), 1);
    }

    #[test]
    fn tty_is_raw() {
        let data = b"\x01 not a header";
        assert_eq!(&encode(true, StdStream::Stdout, data)[..], data);
    }

    #[test]
    fn fixed_nine_digit_timestamps() {
        let table = [
            ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000000000Z"),
            ("2024-01-01T00:00:00.5Z", "2024-01-01T00:00:00.500000000Z"),
            (
                "2024-01-01T00:00:00.123456789Z",
                "2024-01-01T00:00:00.123456789Z",
            ),
            (
                "2024-01-01T02:00:00.1+02:00",
                "2024-01-01T00:00:00.100000000Z",
            ),
        ];
        for (input, want) in table {
            assert_eq!(fixed_nanos(input).as_deref(), Some(want), "{input}");
        }
        assert_eq!(fixed_nanos("yesterday"), None);
    }

    #[test]
    fn media_types() {
        use crate::version::ApiVersion;
        let v = |s: &str| ApiVersion::parse(s).expect("version");
        assert_eq!(media_type(false, &v("1.44")), MULTIPLEXED_STREAM);
        assert_eq!(media_type(false, &v("1.42")), MULTIPLEXED_STREAM);
        assert_eq!(media_type(false, &v("1.41")), RAW_STREAM);
        assert_eq!(media_type(true, &v("1.44")), RAW_STREAM);
    }
}
