//! API versions: the `/v{V}` path prefix, negotiation (Docker's 400s for a
//! version too old or too new) and the headers every response carries.
//!
//! ```
//! use sockerless_docker::version::{split_version, ApiVersion};
//! assert_eq!(split_version("/v1.44/_ping"), (Some("1.44"), "/_ping"));
//! assert_eq!(split_version("/_ping"), (None, "/_ping"));
//! assert_eq!(split_version("/vx/_ping"), (None, "/vx/_ping"));
//! assert!(ApiVersion::parse("1.9").unwrap() < ApiVersion::parse("1.24").unwrap());
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use http::header::{HeaderMap, HeaderName, HeaderValue, SERVER};
use sockerless_core::error::{Error, Result};

/// The API version spoken (and assumed for unversioned paths).
pub const API_VERSION: &str = "1.44";
/// The oldest API version accepted.
pub const MIN_API_VERSION: &str = "1.24";
/// The Docker Engine version presented (Engine 25 speaks API 1.44).
pub const ENGINE_VERSION: &str = "25.0.0";

/// A Docker API version such as `1.44`, compared numerically per component
/// (`1.9 < 1.24`), as moby's `versions.compare` does: missing components are 0,
/// an empty component counts as 0, and one too large for the integer type
/// counts as its maximum (Go's `strconv.Atoi` clamps on overflow), so
/// `1.99999999999` is too new, not too old.
///
/// Only the text is kept (the current version's borrowed, the usual case):
/// the components are read from it when compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersion {
    text: Cow<'static, str>,
}

impl ApiVersion {
    /// The version spoken: 1.44.
    pub const CURRENT: ApiVersionConst = ApiVersionConst(1, 44);
    /// The oldest accepted: 1.24.
    pub const MIN: ApiVersionConst = ApiVersionConst(1, 24);
    /// From this version on, non-TTY streams are labelled multiplexed.
    pub const MULTIPLEXED_MEDIA_TYPE: ApiVersionConst = ApiVersionConst(1, 42);
    /// From this version on, images have no `VirtualSize` (list, inspect).
    pub const NO_VIRTUAL_SIZE: ApiVersionConst = ApiVersionConst(1, 44);

    /// Parses `[0-9.]+`; anything else is `None`.
    pub fn parse(s: &str) -> Option<ApiVersion> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        let text = if s == API_VERSION {
            Cow::Borrowed(API_VERSION)
        } else {
            Cow::Owned(s.to_owned())
        };
        Some(ApiVersion { text })
    }

    /// The version of an unversioned request: the current one.
    pub fn current() -> ApiVersion {
        ApiVersion {
            text: Cow::Borrowed(API_VERSION),
        }
    }

    /// The numeric components.
    fn parts(&self) -> impl Iterator<Item = u64> + '_ {
        self.text.split('.').map(|p| match p.parse() {
            Ok(n) => n,
            // Only digits here: the error is an empty part or an overflow.
            Err(_) if p.is_empty() => 0,
            Err(_) => u64::MAX,
        })
    }

    /// Compared component by component, a missing one counting as 0.
    fn cmp_parts(&self, other: impl Iterator<Item = u64>) -> Ordering {
        let (mut mine, mut theirs) = (self.parts(), other);
        loop {
            match (mine.next(), theirs.next()) {
                (None, None) => return Ordering::Equal,
                (a, b) => match a.unwrap_or(0).cmp(&b.unwrap_or(0)) {
                    Ordering::Equal => continue,
                    o => return o,
                },
            }
        }
    }

    /// Docker's negotiation: 400 when the version is outside 1.24–1.44, with
    /// moby's words.
    pub fn check(&self) -> Result<()> {
        if self.text == API_VERSION {
            // The usual case, in range: no components to read.
            return Ok(());
        }
        if *self < ApiVersion::MIN {
            return Err(Error::bad_request(format!(
                "client version {} is too old. Minimum supported API version is {MIN_API_VERSION}, please upgrade your client to a newer version",
                self.text
            )));
        }
        if *self > ApiVersion::CURRENT {
            return Err(Error::bad_request(format!(
                "client version {} is too new. Maximum supported API version is {API_VERSION}",
                self.text
            )));
        }
        Ok(())
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialOrd for ApiVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp_parts(other.parts()))
    }
}

/// A `major.minor` constant to compare an [`ApiVersion`] with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiVersionConst(pub u32, pub u32);

impl ApiVersionConst {
    fn parts(self) -> impl Iterator<Item = u64> {
        [u64::from(self.0), u64::from(self.1)].into_iter()
    }
}

impl PartialEq<ApiVersionConst> for ApiVersion {
    fn eq(&self, other: &ApiVersionConst) -> bool {
        self.cmp_parts(other.parts()) == Ordering::Equal
    }
}

impl PartialOrd<ApiVersionConst> for ApiVersion {
    fn partial_cmp(&self, other: &ApiVersionConst) -> Option<Ordering> {
        Some(self.cmp_parts(other.parts()))
    }
}

/// Splits a `/v{V}` prefix (`V` = `[0-9.]+`, moby's `versionMatcher`) off a
/// path: `("1.44", "/_ping")`. A path without one (or with a non-numeric one,
/// `/vx/...`) comes back whole.
pub fn split_version(path: &str) -> (Option<&str>, &str) {
    let Some(rest) = path.strip_prefix("/v") else {
        return (None, path);
    };
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (version, tail) = rest.split_at(end);
    if version.is_empty() || !tail.starts_with('/') {
        return (None, path);
    }
    (Some(version), tail)
}

/// The name of the first of [`docker_headers`], `Api-Version`.
const API_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");

/// The headers Docker puts on every response (moby middleware `version.go`,
/// `experimental.go`).
pub fn docker_headers() -> [(HeaderName, HeaderValue); 4] {
    // A constant: the names and values are checked when compiling, not on
    // every response.
    const HEADERS: [(HeaderName, HeaderValue); 4] = [
        (API_VERSION_HEADER, HeaderValue::from_static(API_VERSION)),
        (
            HeaderName::from_static("ostype"),
            HeaderValue::from_static("linux"),
        ),
        (
            HeaderName::from_static("docker-experimental"),
            HeaderValue::from_static("false"),
        ),
        (SERVER, HeaderValue::from_static("Docker/25.0.0 (linux)")),
    ];
    HEADERS
}

/// A header map of `first` (if any) and then [`docker_headers`], for a
/// response's headers to start as a copy of one made once: a copy is two
/// allocations and a reference per header, where each hashed insert cost
/// ~270 instructions (cachegrind: −573 instructions per Docker inspect,
/// −669 per list).
pub fn with_docker_headers(first: Option<(HeaderName, HeaderValue)>) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(5);
    map.extend(first);
    map.extend(docker_headers());
    map
}

/// [`docker_headers`] alone, for a response with no headers of its own.
static DOCKER_HEADERS_ONLY: LazyLock<HeaderMap> = LazyLock::new(|| with_docker_headers(None));

/// A response extension for the answers that do not carry all of
/// [`docker_headers`], as moby's middleware chain leaves them off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DockerHeaders {
    /// None of them: Go's router answers `404 page not found` before any
    /// middleware, and container attach writes its own raw response on the
    /// hijacked connection.
    Omitted,
    /// All but `Docker-Experimental`: a version error (the version middleware
    /// answers before the experimental one runs).
    NoExperimental,
}

/// Adds [`docker_headers`] to a response (a `map_response` function, the
/// outermost layer but the trace one), except those its [`DockerHeaders`]
/// extension leaves off. A response with no headers gets a copy of them
/// made once; one made with them already ([`with_docker_headers`]: every
/// `reply::json` answer, never marked) keeps them as they are.
pub fn add_docker_headers<B>(mut res: http::Response<B>) -> http::Response<B> {
    let only = res.extensions().get::<DockerHeaders>().copied();
    if only == Some(DockerHeaders::Omitted) {
        return res;
    }
    let headers = res.headers_mut();
    if only.is_none() {
        if headers.is_empty() {
            *headers = DOCKER_HEADERS_ONLY.clone();
            return res;
        }
        if headers.contains_key(API_VERSION_HEADER) {
            return res;
        }
    }
    for (name, value) in docker_headers() {
        if only == Some(DockerHeaders::NoExperimental) && name == "docker-experimental" {
            continue;
        }
        headers.insert(name, value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ApiVersion {
        ApiVersion::parse(s).expect("a version")
    }

    #[test]
    fn prefixes() {
        let table = [
            ("/v1.44/containers/json", Some("1.44"), "/containers/json"),
            ("/v1/x", Some("1"), "/x"),
            ("/v1.99/nosuch", Some("1.99"), "/nosuch"),
            ("/containers/json", None, "/containers/json"),
            ("/vx/_ping", None, "/vx/_ping"),
            ("/v1.44", None, "/v1.44"),
            ("/volumes", None, "/volumes"),
            ("/v/_ping", None, "/v/_ping"),
        ];
        for (path, version, rest) in table {
            assert_eq!(split_version(path), (version, rest), "{path}");
        }
    }

    #[test]
    fn numeric_comparison() {
        assert!(v("1.9") < v("1.24"));
        assert!(v("1.24") == ApiVersion::MIN);
        assert!(v("1.44.0") == ApiVersion::CURRENT);
        assert!(v("1.45") > ApiVersion::CURRENT);
        assert!(v("2") > ApiVersion::CURRENT);
        // Beyond the integer type: the largest value, as Go's Atoi clamps.
        assert!(v("1.99999999999") > ApiVersion::CURRENT);
        assert!(v("1.4294967296") > ApiVersion::CURRENT);
        assert!(v("1.99999999999999999999999") > ApiVersion::CURRENT);
        assert!(v("0.99999999999999999999999") < ApiVersion::MIN);
        assert!(v("1..44") < ApiVersion::MIN);
        assert!(ApiVersion::parse("1.x").is_none());
        assert!(ApiVersion::parse("").is_none());
    }

    #[test]
    fn server_header_names_the_engine_version() {
        let headers = docker_headers();
        let server = headers
            .iter()
            .find(|(n, _)| n == SERVER)
            .map(|(_, v)| v.to_str().unwrap_or_default().to_string());
        assert_eq!(server, Some(format!("Docker/{ENGINE_VERSION} (linux)")));
    }

    #[test]
    fn negotiation_messages() {
        assert_eq!(
            v("1.12").check().unwrap_err().to_string(),
            "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"
        );
        assert_eq!(
            v("1.99").check().unwrap_err().to_string(),
            "client version 1.99 is too new. Maximum supported API version is 1.44"
        );
        assert!(v("1.24").check().is_ok());
        assert!(v("1.44").check().is_ok());
        assert!(ApiVersion::current().check().is_ok());
    }
}
