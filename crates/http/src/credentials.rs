//! [`CredentialsLayer`]: the credential headers of a request are marked
//! sensitive (`HeaderValue::set_sensitive`) before anything can log it, so
//! whatever formats its headers — a debug log, a panic message — prints
//! `Sensitive` instead of the secret. Every frontend puts it outermost.
//!
//! The marking is `tower-http`'s `SetSensitiveRequestHeaders`. It looks each
//! credential header up in the request's header map, four hashed lookups on
//! every request; most requests (every one but pulls, pushes, logins and
//! builds) carry none of them. One pass over the request's few header names
//! finds out first, and only a request with a credential goes through the
//! marking; the others go straight to the inner service.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::HeaderName;
use tower::{Layer, Service};
use tower_http::sensitive_headers::SetSensitiveRequestHeaders;

/// The names of [`CREDENTIAL_HEADERS`], as text.
const CREDENTIAL_NAMES: [&str; 4] = [
    "x-registry-auth",
    "x-registry-config",
    "authorization",
    "proxy-authorization",
];

/// The request headers that carry credentials: Docker's registry auth
/// (base64 JSON with a password) and HTTP authorization.
pub static CREDENTIAL_HEADERS: [HeaderName; 4] = [
    HeaderName::from_static(CREDENTIAL_NAMES[0]),
    HeaderName::from_static(CREDENTIAL_NAMES[1]),
    HeaderName::from_static(CREDENTIAL_NAMES[2]),
    HeaderName::from_static(CREDENTIAL_NAMES[3]),
];

/// Marks the [`CREDENTIAL_HEADERS`] of every request sensitive.
#[derive(Debug, Clone)]
pub struct CredentialsLayer {
    headers: Arc<[HeaderName]>,
}

impl Default for CredentialsLayer {
    fn default() -> Self {
        CredentialsLayer {
            headers: CREDENTIAL_HEADERS.to_vec().into(),
        }
    }
}

impl<S> Layer<S> for CredentialsLayer {
    type Service = Credentials<S>;

    fn layer(&self, inner: S) -> Credentials<S> {
        Credentials {
            marking: SetSensitiveRequestHeaders::from_shared(inner, self.headers.clone()),
        }
    }
}

/// The service of [`CredentialsLayer`].
#[derive(Debug, Clone)]
pub struct Credentials<S> {
    marking: SetSensitiveRequestHeaders<S>,
}

/// Whether any of `headers` is a credential header. Compared as text: a
/// `HeaderName` comparison costs several times more, and the lengths differ
/// from those of the usual headers, so most comparisons end there.
fn carries_credentials(headers: &http::HeaderMap) -> bool {
    headers
        .keys()
        .any(|name| CREDENTIAL_NAMES.contains(&name.as_str()))
}

impl<S, B, R> Service<http::Request<B>> for Credentials<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.marking.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> S::Future {
        if carries_credentials(req.headers()) {
            self.marking.call(req)
        } else {
            self.marking.get_mut().call(req)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::{service_fn, ServiceBuilder, ServiceExt};

    use super::*;

    /// The header names the inner service sees, each with its sensitivity.
    async fn seen(headers: &[(&str, &str)]) -> Vec<(String, bool)> {
        let svc = ServiceBuilder::new()
            .layer(CredentialsLayer::default())
            .service(service_fn(|req: http::Request<()>| async move {
                let sensitive: Vec<(String, bool)> = req
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.is_sensitive()))
                    .collect();
                Ok::<_, Infallible>(http::Response::new(sensitive))
            }));
        let mut req = http::Request::builder();
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let res = svc.oneshot(req.body(()).unwrap()).await.unwrap();
        res.into_body()
    }

    #[tokio::test]
    async fn credential_headers_reach_the_stack_marked_sensitive() {
        let seen = seen(&[
            ("X-Registry-Auth", "eyJwYXNzd29yZCI6InMzY3IzdCJ9"),
            ("Authorization", "Basic dTpw"),
            ("Content-Type", "application/json"),
            ("X-Registry-Config", "e30="),
            ("Proxy-Authorization", "Basic dTpw"),
        ])
        .await;
        assert_eq!(
            seen,
            vec![
                ("x-registry-auth".to_string(), true),
                ("authorization".to_string(), true),
                ("content-type".to_string(), false),
                ("x-registry-config".to_string(), true),
                ("proxy-authorization".to_string(), true),
            ]
        );
    }

    #[tokio::test]
    async fn a_request_without_credentials_is_passed_on_unmarked() {
        let seen = seen(&[("Host", "docker"), ("User-Agent", "Docker-Client/28.2.2")]).await;
        assert_eq!(
            seen,
            vec![
                ("host".to_string(), false),
                ("user-agent".to_string(), false)
            ]
        );
    }

    #[test]
    fn only_credential_names_count() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-registry-auth-not", "x".parse().unwrap());
        headers.insert("content-type", "x".parse().unwrap());
        assert!(!carries_credentials(&headers));
        headers.append("x-registry-config", "x".parse().unwrap());
        assert!(carries_credentials(&headers));
    }
}
