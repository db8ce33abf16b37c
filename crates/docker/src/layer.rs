//! The frontend's own layers: [`DockerRouteLayer`] (version prefix, percent
//! decoding, routing, negotiation) and [`docker_error`] (errors as Docker
//! writes them).
//!
//! ```
//! use sockerless_docker::layer::docker_error;
//! let res = docker_error(Err(sockerless_core::Error::not_found("page not found"))).unwrap();
//! assert_eq!(res.status(), 404);
//! assert_eq!(res.headers()["content-type"], "application/json");
//! ```

use std::borrow::Cow;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::{Either, Ready};
use http::header::{HeaderValue, CONTENT_TYPE};
use http::StatusCode;
use percent_encoding::percent_decode_str;
use sockerless_core::error::{Error, Result};
use sockerless_http::body::{empty_body, full_body};
use sockerless_http::limit::StreamsBody;
use sockerless_http::routed::Routed;
use sockerless_http::Response;
use tower::{Layer, Service};

use crate::route::DockerRoute;
use crate::version::{split_version, ApiVersion, DockerHeaders};

/// What [`DockerRouteLayer`] hands on beside the request (as a [`Routed`]).
#[derive(Debug, Clone)]
pub struct RouteInfo {
    /// The route, with its decoded path parameters.
    pub route: DockerRoute,
    /// The API version of the path prefix (or the current one).
    pub api: ApiVersion,
}

impl StreamsBody for RouteInfo {
    fn streams_body(&self) -> bool {
        self.route.streams_body()
    }
}

/// Docker's `404 page not found`.
pub fn page_not_found() -> Error {
    Error::not_found("page not found")
}

/// Resolves a request: strips `/v{V}`, percent-decodes the rest once, routes it
/// (unknown path or wrong method: 404 `page not found`), then checks the
/// version (400 too old / too new — only for a known route, so `/v1.99/nosuch`
/// is 404).
pub fn resolve(method: &http::Method, raw_path: &str) -> Result<RouteInfo> {
    let (version, rest) = split_version(raw_path);
    let path = decode(rest).ok_or_else(page_not_found)?;
    let route = DockerRoute::parse(method, &path).ok_or_else(page_not_found)?;
    let api = match version {
        Some(v) => ApiVersion::parse(v).ok_or_else(page_not_found)?,
        None => ApiVersion::current(),
    };
    api.check()?;
    Ok(RouteInfo { route, api })
}

/// A request's path as the router sees it: without the `/v{V}` prefix,
/// percent-decoded once (the raw path if it does not decode to UTF-8: only
/// for messages, the router has answered 404 to it).
pub fn routed_path(raw_path: &str) -> String {
    let rest = split_version(raw_path).1;
    decode(rest).map_or_else(|| rest.to_owned(), Cow::into_owned)
}

/// `path` percent-decoded, borrowed when it has nothing to decode (one
/// search for `%` instead of the decoder's byte-by-byte pass); `None` if it
/// does not decode to UTF-8.
fn decode(path: &str) -> Option<Cow<'_, str>> {
    if path.contains('%') {
        percent_decode_str(path).decode_utf8().ok()
    } else {
        Some(Cow::Borrowed(path))
    }
}

/// Routes each request and hands it on with its [`RouteInfo`]; errors end
/// here.
#[derive(Debug, Clone, Copy, Default)]
pub struct DockerRouteLayer;

impl<S> Layer<S> for DockerRouteLayer {
    type Service = DockerRouteService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        DockerRouteService { inner }
    }
}

/// The service of [`DockerRouteLayer`].
#[derive(Debug, Clone)]
pub struct DockerRouteService<S> {
    inner: S,
}

impl<S, B> Service<http::Request<B>> for DockerRouteService<S>
where
    S: Service<Routed<RouteInfo, B>, Response = Response, Error = Error>,
{
    type Response = Response;
    type Error = Error;
    type Future = Either<Ready<Result<Response>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        if let Some(clean) = clean_path(req.uri().path()) {
            return Either::Left(futures_util::future::ready(Ok(moved_to(
                clean,
                req.uri().query(),
            ))));
        }
        match resolve(req.method(), req.uri().path()) {
            Ok(info) => Either::Right(self.inner.call(Routed {
                route: info,
                request: req,
            })),
            Err(e) => {
                // A 404 is the router's `page not found`, anything else a
                // version error: each with the headers Docker gives it.
                let headers = if e.status() == StatusCode::NOT_FOUND {
                    DockerHeaders::Omitted
                } else {
                    DockerHeaders::NoExperimental
                };
                let res = docker_error(Err(e)).map(|mut res| {
                    res.extensions_mut().insert(headers);
                    res
                });
                Either::Left(futures_util::future::ready(res))
            }
        }
    }
}

/// The canonical form of a path that has one (`//`, `.` or `..` elements), as
/// Docker's router (gorilla/mux `cleanPath`: Go's `path.Clean`, keeping a
/// trailing slash) computes it; `None` for a path already canonical. The
/// check is on the path as sent (Go cleans the decoded path; they differ only
/// for percent-encoded slashes and dots).
pub fn clean_path(path: &str) -> Option<String> {
    if !has_dot_or_empty_element(path) {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut clean = String::with_capacity(path.len());
    for seg in &parts {
        clean.push('/');
        clean.push_str(seg);
    }
    if clean.is_empty() || path.ends_with('/') {
        clean.push('/');
    }
    (clean != path).then_some(clean)
}

/// Whether `path` has an empty, `.` or `..` element: a `//`, `/./` or
/// `/../`, or a `/.` or `/..` at the end. The slashes are found by `memchr`
/// (SIMD, no set-up), and only what follows each is looked at: a pass byte
/// by byte cost about 600 instructions on an inspect's 88-byte path.
fn has_dot_or_empty_element(path: &str) -> bool {
    let bytes = path.as_bytes();
    memchr::memchr_iter(b'/', bytes).any(|at| {
        matches!(
            &bytes[at + 1..],
            [b'/', ..] | [b'.'] | [b'.', b'/', ..] | [b'.', b'.'] | [b'.', b'.', b'/', ..]
        )
    })
}

/// Docker's router's answer to a path that is not canonical: 301 to the
/// canonical one (query kept), no body, and none of Docker's headers (the
/// router answers before its middlewares).
fn moved_to(clean: String, query: Option<&str>) -> Response {
    let location = match query {
        Some(q) => format!("{clean}?{q}"),
        None => clean,
    };
    let mut res = http::Response::new(empty_body());
    *res.status_mut() = StatusCode::MOVED_PERMANENTLY;
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(http::header::LOCATION, v);
    }
    res.extensions_mut().insert(DockerHeaders::Omitted);
    res
}

/// Turns an error into Docker's answer: `{"message":"…"}` and a newline, with
/// `Content-Type` exactly `application/json` (the Go client compares the whole
/// value, pitfall 8); a 304 has no body. A `map_result` function: the result is
/// always `Ok`.
pub fn docker_error(result: Result<Response>) -> Result<Response> {
    let err = match result {
        Ok(res) => return Ok(res),
        Err(e) => e,
    };
    let status = err.status();
    if status == StatusCode::NOT_MODIFIED {
        let mut res = http::Response::new(empty_body());
        *res.status_mut() = status;
        return Ok(res);
    }
    let mut body = serde_json::json!({ "message": err.to_string() })
        .to_string()
        .into_bytes();
    body.push(b'\n');
    let mut res = http::Response::new(full_body(Bytes::from(body)));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn versions_are_checked_only_for_known_routes() {
        let err = |m: Method, p: &str| resolve(&m, p).unwrap_err();
        assert_eq!(err(Method::GET, "/v1.99/nosuch").status(), 404);
        assert_eq!(err(Method::GET, "/v1.99/version").status(), 400);
        assert_eq!(err(Method::GET, "/v1.12/version").status(), 400);
        assert_eq!(err(Method::POST, "/v1.44/_ping").status(), 404);
        let ok = resolve(&Method::GET, "/v1.41/containers/web/logs").unwrap();
        assert_eq!(ok.route, DockerRoute::ContainerLogs("web".into()));
        assert!(ok.api == crate::version::ApiVersionConst(1, 41));
        let ok = resolve(&Method::GET, "/_ping").unwrap();
        assert!(ok.api == crate::version::ApiVersion::CURRENT);
    }

    #[test]
    fn paths_are_cleaned_as_gos_path_clean_does() {
        let clean = |p: &str| clean_path(p);
        assert_eq!(clean("/v1.44/containers/json"), None);
        assert_eq!(clean("/containers/json/"), None);
        assert_eq!(
            clean("/containers//web/json").as_deref(),
            Some("/containers/web/json")
        );
        assert_eq!(clean("//_ping").as_deref(), Some("/_ping"));
        assert_eq!(clean("/a/./b/../c/").as_deref(), Some("/a/c/"));
        assert_eq!(clean("/../..").as_deref(), Some("/"));
        assert_eq!(clean("/a/b/..").as_deref(), Some("/a"));
        assert_eq!(clean("/a/.").as_deref(), Some("/a"));
    }

    #[test]
    fn the_slash_scan_agrees_with_the_five_searches() {
        let five = |p: &str| {
            p.contains("//")
                || p.contains("/./")
                || p.contains("/../")
                || p.ends_with("/.")
                || p.ends_with("/..")
        };
        // Every path of up to 7 bytes over `/`, `.` and `a`.
        let mut paths = vec![String::new()];
        for _ in 0..7 {
            let longer: Vec<String> = paths
                .iter()
                .filter(|p| p.len() == paths.last().map_or(0, String::len))
                .flat_map(|p| ["/", ".", "a"].map(|c| format!("{p}{c}")))
                .collect();
            paths.extend(longer);
        }
        assert_eq!(paths.len(), (0..=7).map(|n| 3usize.pow(n)).sum::<usize>());
        for p in &paths {
            assert_eq!(has_dot_or_empty_element(p), five(p), "{p:?}");
        }
    }

    #[test]
    fn the_path_is_decoded_once() {
        let ok = resolve(&Method::GET, "/v1.44/images/alpine%40sha256%3Aab/json").unwrap();
        assert_eq!(
            ok.route,
            DockerRoute::ImageInspect("alpine@sha256:ab".into())
        );
        let ok = resolve(&Method::GET, "/images/a%2525b/json").unwrap();
        assert_eq!(ok.route, DockerRoute::ImageInspect("a%25b".into()));
        assert_eq!(
            routed_path("/v1.44/images/a%2525b/json"),
            "/images/a%25b/json"
        );
        assert_eq!(routed_path("/build"), "/build");
        assert_eq!(routed_path("/v1.44/x%ff"), "/x%ff", "not UTF-8: as sent");
    }

    #[tokio::test]
    async fn errors_are_docker_json() {
        use http_body_util::BodyExt;
        let res = docker_error(Err(Error::conflict("busy"))).unwrap();
        assert_eq!(res.status(), 409);
        assert_eq!(res.headers()[CONTENT_TYPE], "application/json");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"{\"message\":\"busy\"}\n");
        let res = docker_error(Err(Error::NotModified)).unwrap();
        assert_eq!(res.status(), 304);
        assert!(res.headers().get(CONTENT_TYPE).is_none());
    }
}
