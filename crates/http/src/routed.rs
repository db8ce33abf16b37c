//! [`Routed`]: a request with the route its frontend's router found, as the
//! router layer hands it to the layers below it.

use crate::Body;

/// A request with the route a frontend's router found for it: what the
/// router layer hands the layers below it (the route travels beside the
/// request, not in its extensions, which would cost a map and two
/// allocations a request).
#[derive(Debug)]
pub struct Routed<R, B = Body> {
    /// The route, with its decoded path parameters.
    pub route: R,
    /// The request.
    pub request: http::Request<B>,
}

/// Splits `path` at each `/` into `into`, on the stack: the number of
/// segments, or `None` when there are more than `N` (what a router then
/// does with the path is its own business). One pass over the bytes: for
/// a request path, a `str::split` iterator cost more than the matching.
///
/// ```
/// use sockerless_http::routed::split_segments;
/// let mut segs = [""; 3];
/// assert_eq!(split_segments("containers/abc/start", &mut segs), Some(3));
/// assert_eq!(segs, ["containers", "abc", "start"]);
/// assert_eq!(split_segments("a//b/", &mut [""; 4]), Some(4)); // "a", "", "b", ""
/// assert_eq!(split_segments("a/b/c/d", &mut segs), None);
/// ```
pub fn split_segments<'a, const N: usize>(path: &'a str, into: &mut [&'a str; N]) -> Option<usize> {
    let mut count = 0;
    let mut start = 0;
    for (at, byte) in path.bytes().enumerate() {
        if byte == b'/' {
            *into.get_mut(count)? = &path[start..at];
            count += 1;
            start = at + 1;
        }
    }
    *into.get_mut(count)? = &path[start..];
    Some(count + 1)
}
