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
