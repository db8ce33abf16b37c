//! The one error type of the crate, and the one place that maps it to a status.
//!
//! ```
//! use sockerless_core::Error;
//! let err = Error::not_found("No such container: x");
//! assert_eq!(err.status(), http::StatusCode::NOT_FOUND);
//! assert_eq!(err.to_string(), "No such container: x");
//! ```

use http::StatusCode;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure a backend or the HTTP layer can report. The variant decides the
/// status (see [`Error::status`]); the text is the `message` of the JSON body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// 400: a bad parameter, body or query value.
    #[error("{0}")]
    BadRequest(String),
    /// 403: an operation forbidden on this object (predefined network, …).
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such object or route.
    #[error("{0}")]
    NotFound(String),
    /// 405: a known path with a method it does not serve.
    #[error("{message}")]
    MethodNotAllowed {
        /// The human message.
        message: String,
        /// The methods the path serves, for the `Allow` header.
        allow: String,
    },
    /// 426: a WebSocket upgrade asked for a protocol version this server does
    /// not speak (RFC 6455 §4.4).
    #[error("{message}")]
    UpgradeRequired {
        /// The human message.
        message: String,
        /// The versions the server speaks, for the `Sec-WebSocket-Version`
        /// header.
        versions: String,
    },
    /// 409: a conflict with the object's state (name in use, running, …).
    #[error("{0}")]
    Conflict(String),
    /// 408: the request body did not arrive in time.
    #[error("{0}")]
    RequestTimeout(String),
    /// 413: the request body is over the configured limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 304: the operation had nothing to do (start a running container).
    #[error("not modified")]
    NotModified,
    /// 501: the backend lacks this operation.
    #[error("{0}")]
    NotImplemented(String),
    /// 502: a backend answered something that is not the internal API, or a
    /// stream to it broke.
    #[error("{0}")]
    BadGateway(String),
    /// 503: the server is shutting down or otherwise cannot serve now.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug.
    #[error("{0}")]
    Internal(String),
    /// Any status in 400–599 with a message: an injected fault (the memory
    /// backend's fault rules).
    #[error("{message}")]
    Injected {
        /// The status to answer with.
        status: StatusCode,
        /// The message.
        message: String,
    },
}

impl Error {
    /// The HTTP status this error is answered with. The only mapping in the crate.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::UpgradeRequired { .. } => StatusCode::UPGRADE_REQUIRED,
            Error::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::NotModified => StatusCode::NOT_MODIFIED,
            Error::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            Error::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Error::Injected { status, .. } => *status,
        }
    }

    /// The error an answer of `status` with `message` stands for: the inverse
    /// of [`Error::status`], so an error that crosses the internal API keeps its
    /// status and words (`allow` is the `Allow` header of a 405).
    pub fn from_status(status: StatusCode, message: String, allow: Option<String>) -> Self {
        match status {
            StatusCode::NOT_MODIFIED => Error::NotModified,
            StatusCode::BAD_REQUEST => Error::BadRequest(message),
            StatusCode::FORBIDDEN => Error::Forbidden(message),
            StatusCode::NOT_FOUND => Error::NotFound(message),
            StatusCode::METHOD_NOT_ALLOWED => Error::MethodNotAllowed {
                message,
                allow: allow.unwrap_or_default(),
            },
            StatusCode::REQUEST_TIMEOUT => Error::RequestTimeout(message),
            StatusCode::CONFLICT => Error::Conflict(message),
            StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge(message),
            StatusCode::NOT_IMPLEMENTED => Error::NotImplemented(message),
            StatusCode::BAD_GATEWAY => Error::BadGateway(message),
            StatusCode::SERVICE_UNAVAILABLE => Error::Unavailable(message),
            StatusCode::INTERNAL_SERVER_ERROR => Error::Internal(message),
            s if s.is_client_error() || s.is_server_error() => {
                Error::Injected { status: s, message }
            }
            s => Error::BadGateway(format!("unexpected status {s}: {message}")),
        }
    }

    /// The same error with `prefix: ` before its message, as Go's
    /// `errors.Wrapf(err, prefix)` words it (`cannot kill container: x: …`);
    /// the status is kept. A 304 has no message and stays as it is.
    pub fn wrap(self, prefix: &str) -> Self {
        let p = |m: String| format!("{prefix}: {m}");
        match self {
            Error::BadRequest(m) => Error::BadRequest(p(m)),
            Error::Forbidden(m) => Error::Forbidden(p(m)),
            Error::NotFound(m) => Error::NotFound(p(m)),
            Error::MethodNotAllowed { message, allow } => Error::MethodNotAllowed {
                message: p(message),
                allow,
            },
            Error::Conflict(m) => Error::Conflict(p(m)),
            Error::UpgradeRequired { message, versions } => Error::UpgradeRequired {
                message: p(message),
                versions,
            },
            Error::RequestTimeout(m) => Error::RequestTimeout(p(m)),
            Error::PayloadTooLarge(m) => Error::PayloadTooLarge(p(m)),
            Error::NotModified => Error::NotModified,
            Error::NotImplemented(m) => Error::NotImplemented(p(m)),
            Error::BadGateway(m) => Error::BadGateway(p(m)),
            Error::Unavailable(m) => Error::Unavailable(p(m)),
            Error::Internal(m) => Error::Internal(p(m)),
            Error::Injected { status, message } => Error::Injected {
                status,
                message: p(message),
            },
        }
    }

    /// A 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Error::BadRequest(message.into())
    }

    /// A 403 with `message`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::Forbidden(message.into())
    }

    /// A 404 with `message`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Error::NotFound(message.into())
    }

    /// A 409 with `message`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Error::Conflict(message.into())
    }

    /// A 500 with `message`: only for bugs.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    /// The 501 for an operation the backend does not implement.
    pub fn not_implemented(operation: &str) -> Self {
        Error::NotImplemented(format!("{operation} is not implemented"))
    }

    /// `No such container: <ref>`.
    pub fn no_such_container(reference: &str) -> Self {
        Error::NotFound(format!("No such container: {reference}"))
    }

    /// `No such image: <ref>`.
    pub fn no_such_image(reference: &str) -> Self {
        Error::NotFound(format!("No such image: {reference}"))
    }

    /// `No such exec instance: <id>`.
    pub fn no_such_exec(id: &str) -> Self {
        Error::NotFound(format!("No such exec instance: {id}"))
    }

    /// `network <ref> not found`.
    pub fn no_such_network(reference: &str) -> Self {
        Error::NotFound(format!("network {reference} not found"))
    }

    /// `get <name>: no such volume`.
    pub fn no_such_volume(name: &str) -> Self {
        Error::NotFound(format!("get {name}: no such volume"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_prefixes_the_message_and_keeps_the_status() {
        let err = Error::no_such_container("x").wrap("cannot kill container: x");
        assert_eq!(err.status().as_u16(), 404);
        assert_eq!(
            err.to_string(),
            "cannot kill container: x: No such container: x"
        );
        assert_eq!(Error::NotModified.wrap("p"), Error::NotModified);
    }

    #[test]
    fn every_variant_has_its_status() {
        let table = [
            (Error::bad_request("x"), 400),
            (Error::forbidden("x"), 403),
            (Error::not_found("x"), 404),
            (
                Error::MethodNotAllowed {
                    message: "x".into(),
                    allow: "GET".into(),
                },
                405,
            ),
            (Error::conflict("x"), 409),
            (Error::PayloadTooLarge("x".into()), 413),
            (Error::NotModified, 304),
            (Error::not_implemented("x"), 501),
            (Error::Unavailable("x".into()), 503),
            (Error::internal("x"), 500),
        ];
        for (err, status) in table {
            assert_eq!(err.status().as_u16(), status, "{err:?}");
        }
    }

    #[test]
    fn docker_words() {
        assert_eq!(
            Error::no_such_container("a").to_string(),
            "No such container: a"
        );
        assert_eq!(
            Error::no_such_network("n").to_string(),
            "network n not found"
        );
        assert_eq!(
            Error::no_such_volume("v").to_string(),
            "get v: no such volume"
        );
        assert_eq!(
            Error::not_implemented("container_logs").to_string(),
            "container_logs is not implemented"
        );
    }
}
