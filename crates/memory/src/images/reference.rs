//! Docker image reference parsing and normalisation, following the grammar of
//! `distribution/reference` and Docker's `ParseNormalizedNamed` behaviour.
//!
//! The grammar is implemented with a hand-written scanner (no regex crate):
//!
//! ```text
//! reference       := name [ ":" tag ] [ "@" digest ]
//! name            := [domain '/'] path-component ['/' path-component]*
//! domain          := host [':' port-number]
//! host            := domain-name | '[' ipv6 ']'
//! domain-name     := domain-component ['.' domain-component]*
//! domain-component:= /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//! path-component  := /[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*/
//! tag             := /[\w][\w.-]{0,127}/
//! digest          := algorithm ':' hex
//! ```

use std::fmt;

/// The registry domain used when a reference names none.
pub(crate) const DEFAULT_DOMAIN: &str = "docker.io";
/// The legacy Docker Hub domain, normalised to [`DEFAULT_DOMAIN`].
pub(crate) const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
/// The namespace of official images on Docker Hub.
pub(crate) const OFFICIAL_REPO_PREFIX: &str = "library/";
/// The tag applied when a reference carries neither tag nor digest.
pub(crate) const DEFAULT_TAG: &str = "latest";
/// Maximum length of the repository path.
pub const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// Maximum length of a tag.
pub(crate) const TAG_LENGTH_MAX: usize = 128;

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Registry domain, e.g. `docker.io` or `registry.example.com:5000`.
    pub domain: String,
    /// Repository path within the registry, e.g. `library/nginx`.
    pub path: String,
    /// Tag, e.g. `latest`.
    pub tag: Option<String>,
    /// Digest, e.g. `sha256:<64 hex>`.
    pub digest: Option<String>,
}

/// Errors produced while parsing an image reference.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum ReferenceError {
    /// The reference does not match the grammar.
    #[error("invalid reference format")]
    InvalidFormat,
    /// The repository part contains uppercase letters.
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    Uppercase(String),
    /// The reference is a bare 64-character hexadecimal string (an image ID).
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    HexIdentifier(String),
    /// The repository path is longer than [`NAME_TOTAL_LENGTH_MAX`].
    #[error("repository name must not be more than 255 characters")]
    NameTooLong,
    /// A tag does not match `[\w][\w.-]{0,127}`.
    #[error("invalid tag format")]
    InvalidTag,
    /// The digest is not `algorithm:hex` with valid hex.
    #[error("invalid checksum digest format")]
    DigestFormat,
    /// The digest's hex part has the wrong length for its algorithm.
    #[error("invalid checksum digest length")]
    DigestLength,
    /// The digest's algorithm is not supported.
    #[error("unsupported digest algorithm")]
    DigestUnsupported,
    /// A digest reference was given where only a name (and tag) is allowed.
    #[error("cannot import digest reference")]
    DigestNotAllowed,
}

/// A reference error as a 400, in Docker's words.
pub(crate) fn ref_err(e: ReferenceError) -> sockerless_core::error::Error {
    sockerless_core::error::Error::bad_request(e.to_string())
}

impl Reference {
    /// Parses and normalises a reference like Docker's `ParseNormalizedNamed`.
    ///
    /// `nginx` becomes `docker.io/library/nginx`; `index.docker.io` becomes
    /// `docker.io`; no default tag is added (see [`Reference::with_default_tag`]).
    pub fn parse(s: &str) -> Result<Reference, ReferenceError> {
        if is_hex_identifier(s) {
            return Err(ReferenceError::HexIdentifier(s.to_string()));
        }
        let (domain, remainder) = split_docker_domain(s);
        let remote = match remainder.find(':') {
            Some(i) => &remainder[..i],
            None => remainder.as_str(),
        };
        if remote.to_lowercase() != remote {
            return Err(ReferenceError::Uppercase(remote.to_string()));
        }
        parse_with_domain(&domain, &remainder)
    }

    /// Adds the tag `latest` when the reference has neither tag nor digest.
    pub fn with_default_tag(mut self) -> Reference {
        if self.tag.is_none() && self.digest.is_none() {
            self.tag = Some(DEFAULT_TAG.to_string());
        }
        self
    }

    /// The fully qualified name, e.g. `docker.io/library/nginx`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The short name Docker shows, e.g. `nginx`, `team/app` or
    /// `registry.example.com:5000/team/app`.
    pub fn familiar_name(&self) -> String {
        if self.domain == DEFAULT_DOMAIN {
            if let Some(rest) = self.path.strip_prefix(OFFICIAL_REPO_PREFIX) {
                if !rest.contains('/') {
                    return rest.to_string();
                }
            }
            return self.path.clone();
        }
        self.name()
    }

    /// The familiar name plus `:tag` and/or `@digest`, e.g. `nginx:latest`.
    pub fn familiar(&self) -> String {
        with_suffixes(self.familiar_name(), self)
    }

    /// The canonical string, e.g. `docker.io/library/nginx:latest`.
    pub fn canonical(&self) -> String {
        with_suffixes(self.name(), self)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.familiar())
    }
}

/// Parses the `repo` and `tag` arguments of `docker tag` (`POST /images/{name}/tag`).
///
/// The repository must not carry a digest. A non-empty `tag` replaces any tag
/// given in `repo`; otherwise the repository's tag, or `latest`, is used.
pub(crate) fn parse_repo_tag(repo: &str, tag: &str) -> Result<Reference, ReferenceError> {
    let mut reference = Reference::parse(repo)?;
    if reference.digest.is_some() {
        return Err(ReferenceError::DigestNotAllowed);
    }
    if !tag.is_empty() {
        if !is_valid_tag(tag) {
            return Err(ReferenceError::InvalidTag);
        }
        reference.tag = Some(tag.to_string());
    }
    Ok(reference.with_default_tag())
}

/// Reports whether `tag` matches `[\w][\w.-]{0,127}`.
pub(crate) fn is_valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    match bytes.first() {
        Some(&b) if is_word(b) => {}
        _ => return false,
    }
    bytes.len() <= TAG_LENGTH_MAX
        && bytes[1..]
            .iter()
            .all(|&b| is_word(b) || b == b'.' || b == b'-')
}

/// Validates a digest string (`algorithm:hex`) as `go-digest` does.
pub(crate) fn validate_digest(digest: &str) -> Result<(), ReferenceError> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(ReferenceError::DigestFormat);
    };
    if algorithm.is_empty() || hex.is_empty() {
        return Err(ReferenceError::DigestFormat);
    }
    let size = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            if is_valid_digest_algorithm(algorithm) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ReferenceError::DigestUnsupported);
            }
            return Err(ReferenceError::DigestFormat);
        }
    };
    if hex.len() != size {
        return Err(ReferenceError::DigestLength);
    }
    if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(ReferenceError::DigestFormat);
    }
    Ok(())
}

fn with_suffixes(mut out: String, r: &Reference) -> String {
    if let Some(tag) = &r.tag {
        out.push(':');
        out.push_str(tag);
    }
    if let Some(digest) = &r.digest {
        out.push('@');
        out.push_str(digest);
    }
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `^[a-f0-9]{64}$`: a full image ID, which Docker refuses as a repository name.
fn is_hex_identifier(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Splits a familiar reference into domain and remainder, like Docker's
/// `splitDockerDomain`.
fn split_docker_domain(name: &str) -> (String, String) {
    let (domain, mut remainder) = match name.split_once('/') {
        None => {
            return (
                DEFAULT_DOMAIN.to_string(),
                format!("{OFFICIAL_REPO_PREFIX}{name}"),
            )
        }
        Some((maybe_domain, rest)) => {
            if maybe_domain == "localhost"
                || maybe_domain.contains(['.', ':'])
                || maybe_domain.to_lowercase() != maybe_domain
            {
                let domain = if maybe_domain == LEGACY_DEFAULT_DOMAIN {
                    DEFAULT_DOMAIN
                } else {
                    maybe_domain
                };
                (domain.to_string(), rest.to_string())
            } else {
                (DEFAULT_DOMAIN.to_string(), name.to_string())
            }
        }
    };
    if domain == DEFAULT_DOMAIN && !remainder.contains('/') {
        remainder = format!("{OFFICIAL_REPO_PREFIX}{remainder}");
    }
    (domain, remainder)
}

/// Parses `remainder` (`path[:tag][@digest]`) under an already split `domain`.
fn parse_with_domain(domain: &str, remainder: &str) -> Result<Reference, ReferenceError> {
    if !is_valid_domain(domain) {
        return Err(ReferenceError::InvalidFormat);
    }
    let (name_tag, digest) = match remainder.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (remainder, None),
    };
    let (path, tag) = match name_tag.split_once(':') {
        Some((p, t)) => (p, Some(t)),
        None => (name_tag, None),
    };
    if !is_valid_path(path) {
        return Err(ReferenceError::InvalidFormat);
    }
    if let Some(tag) = tag {
        if !is_valid_tag(tag) {
            return Err(ReferenceError::InvalidFormat);
        }
    }
    if let Some(digest) = digest {
        if !matches_digest_pattern(digest) {
            return Err(ReferenceError::InvalidFormat);
        }
    }
    if path.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(ReferenceError::NameTooLong);
    }
    if let Some(digest) = digest {
        validate_digest(digest)?;
    }
    Ok(Reference {
        domain: domain.to_string(),
        path: path.to_string(),
        tag: tag.map(str::to_string),
        digest: digest.map(str::to_string),
    })
}

/// `host[:port]` where host is a domain name or a bracketed IPv6 address.
fn is_valid_domain(domain: &str) -> bool {
    let (host_ok, rest) = if let Some(inner) = domain.strip_prefix('[') {
        match inner.split_once(']') {
            Some((addr, rest)) => (
                !addr.is_empty() && addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'),
                rest,
            ),
            None => return false,
        }
    } else {
        let (host, rest) = match domain.find(':') {
            Some(i) => (&domain[..i], &domain[i..]),
            None => (domain, ""),
        };
        (host.split('.').all(is_valid_domain_component), rest)
    };
    if !host_ok {
        return false;
    }
    match rest.strip_prefix(':') {
        None => rest.is_empty(),
        Some(port) => !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`
fn is_valid_domain_component(c: &str) -> bool {
    let b = c.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        }
        _ => false,
    }
}

/// One or more path components separated by `/`.
fn is_valid_path(path: &str) -> bool {
    path.split('/').all(is_valid_path_component)
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn is_valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

/// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*`
fn is_valid_digest_algorithm(a: &str) -> bool {
    let b = a.as_bytes();
    let mut i = 0;
    loop {
        if i >= b.len() || !b[i].is_ascii_alphabetic() {
            return false;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i == b.len() {
            return true;
        }
        if !matches!(b[i], b'-' | b'_' | b'+' | b'.') {
            return false;
        }
        i += 1;
    }
}

/// The digest part of the reference grammar: `algorithm:[[:xdigit:]]{32,}`.
fn matches_digest_pattern(d: &str) -> bool {
    match d.split_once(':') {
        Some((alg, hex)) => {
            is_valid_digest_algorithm(alg)
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// (input, expected domain, path, tag, digest) for a valid reference.
    type ValidCase = (String, &'static str, String, Option<String>, Option<String>);

    fn valid_cases() -> Vec<ValidCase> {
        let s = |x: &str| x.to_string();
        let o = |x: &str| Some(x.to_string());
        let dg = format!("sha256:{HEX}");
        vec![
            (s("nginx"), "docker.io", s("library/nginx"), None, None),
            (
                s("nginx:1.25"),
                "docker.io",
                s("library/nginx"),
                o("1.25"),
                None,
            ),
            (
                s("library/nginx"),
                "docker.io",
                s("library/nginx"),
                None,
                None,
            ),
            (
                s("docker.io/library/nginx:latest"),
                "docker.io",
                s("library/nginx"),
                o("latest"),
                None,
            ),
            (
                s("docker.io/nginx"),
                "docker.io",
                s("library/nginx"),
                None,
                None,
            ),
            (
                s("index.docker.io/library/nginx"),
                "docker.io",
                s("library/nginx"),
                None,
                None,
            ),
            (
                s("index.docker.io/nginx"),
                "docker.io",
                s("library/nginx"),
                None,
                None,
            ),
            (s("team/app"), "docker.io", s("team/app"), None, None),
            (
                s("registry.example.com:5000/team/app:1.2"),
                "registry.example.com:5000",
                s("team/app"),
                o("1.2"),
                None,
            ),
            (s("localhost/app"), "localhost", s("app"), None, None),
            (
                s("localhost:5000/app"),
                "localhost:5000",
                s("app"),
                None,
                None,
            ),
            (
                s("localhost"),
                "docker.io",
                s("library/localhost"),
                None,
                None,
            ),
            (
                s("localhost:5000"),
                "docker.io",
                s("library/localhost"),
                o("5000"),
                None,
            ),
            (
                format!("app@{dg}"),
                "docker.io",
                s("library/app"),
                None,
                Some(dg.clone()),
            ),
            (
                format!("app:tag@{dg}"),
                "docker.io",
                s("library/app"),
                o("tag"),
                Some(dg.clone()),
            ),
            (
                s("team/a.b_c__d---e"),
                "docker.io",
                s("team/a.b_c__d---e"),
                None,
                None,
            ),
            (
                s("example.com/a/b/c"),
                "example.com",
                s("a/b/c"),
                None,
                None,
            ),
            (s("[::1]:5000/app"), "[::1]:5000", s("app"), None, None),
            (s("[fe80::1]/app:v1"), "[fe80::1]", s("app"), o("v1"), None),
            (s("Foo/bar"), "Foo", s("bar"), None, None),
            (s("my-host:80/x"), "my-host:80", s("x"), None, None),
            (
                s("nginx:Latest_1.2-rc"),
                "docker.io",
                s("library/nginx"),
                o("Latest_1.2-rc"),
                None,
            ),
            (
                s("nginx:_x"),
                "docker.io",
                s("library/nginx"),
                o("_x"),
                None,
            ),
            (
                format!("nginx:{}", "t".repeat(128)),
                "docker.io",
                s("library/nginx"),
                Some("t".repeat(128)),
                None,
            ),
            (
                s("127.0.0.1:5000/app"),
                "127.0.0.1:5000",
                s("app"),
                None,
                None,
            ),
            (s("a0/b1"), "docker.io", s("a0/b1"), None, None),
            (
                format!("{}a", HEX),
                "docker.io",
                format!("library/{HEX}a"),
                None,
                None,
            ),
        ]
    }

    #[test]
    fn valid_references() {
        for (input, domain, path, tag, digest) in valid_cases() {
            let r = Reference::parse(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(r.domain, domain, "{input}");
            assert_eq!(r.path, path, "{input}");
            assert_eq!(r.tag, tag, "{input}");
            assert_eq!(r.digest, digest, "{input}");
        }
    }

    #[test]
    fn invalid_references() {
        use ReferenceError::*;
        let long_name = format!("a/{}", "b".repeat(254));
        let cases: Vec<(String, ReferenceError)> = vec![
            (String::new(), InvalidFormat),
            (":tag".into(), InvalidFormat),
            ("@sha256:abc".into(), InvalidFormat),
            ("nginx:".into(), InvalidFormat),
            ("nginx@".into(), InvalidFormat),
            ("Nginx".into(), Uppercase("library/Nginx".into())),
            ("team/App".into(), Uppercase("team/App".into())),
            ("localhost:5000/App:v1".into(), Uppercase("App".into())),
            ("a//b".into(), InvalidFormat),
            ("/nginx".into(), InvalidFormat),
            ("nginx/".into(), InvalidFormat),
            ("-nginx".into(), InvalidFormat),
            ("nginx-".into(), InvalidFormat),
            ("ngi..nx".into(), InvalidFormat),
            ("ngi___nx".into(), InvalidFormat),
            ("ngi_.nx".into(), InvalidFormat),
            ("ng!nx".into(), InvalidFormat),
            ("ng nx".into(), InvalidFormat),
            ("nginx:-tag".into(), InvalidFormat),
            ("nginx:.tag".into(), InvalidFormat),
            ("nginx:a:b".into(), InvalidFormat),
            (format!("nginx:{}", "t".repeat(129)), InvalidFormat),
            (HEX.into(), HexIdentifier(HEX.into())),
            (format!("nginx@sha256:{}", &HEX[..63]), DigestLength),
            (
                "nginx@sha256:0123456789abcdef0123456789abcdef".into(),
                DigestLength,
            ),
            (format!("nginx@sha256:{}", HEX.to_uppercase()), DigestFormat),
            (format!("nginx@sha256:{HEX}0"), DigestLength),
            (
                "nginx@md5:0123456789abcdef0123456789abcdef".into(),
                DigestUnsupported,
            ),
            (format!("nginx@sha256{HEX}"), InvalidFormat),
            (format!("nginx@sha256:{}g", &HEX[..63]), InvalidFormat),
            (long_name, NameTooLong),
            ("exa_mple.com:5000/app".into(), InvalidFormat),
            ("example.com:port/app".into(), InvalidFormat),
            ("example.com:/app".into(), InvalidFormat),
            ("-example.com/app".into(), InvalidFormat),
            ("[zz::1]/app".into(), InvalidFormat),
            ("[::1/app".into(), InvalidFormat),
            ("a:b:c/d".into(), InvalidFormat),
            ("example.com/".into(), InvalidFormat),
            ("nginx@sha256:abc@sha256:def".into(), InvalidFormat),
        ];
        for (input, want) in cases {
            assert_eq!(Reference::parse(&input), Err(want), "{input:?}");
        }
    }

    #[test]
    fn rendering() {
        let dg = format!("sha256:{HEX}");
        // (input, name, familiar_name, familiar (with default tag), canonical (with default tag))
        let cases: Vec<(String, &str, &str, String, String)> = vec![
            (
                "nginx".into(),
                "docker.io/library/nginx",
                "nginx",
                "nginx:latest".into(),
                "docker.io/library/nginx:latest".into(),
            ),
            (
                "docker.io/team/app:1".into(),
                "docker.io/team/app",
                "team/app",
                "team/app:1".into(),
                "docker.io/team/app:1".into(),
            ),
            (
                "library/a/b".into(),
                "docker.io/library/a/b",
                "library/a/b",
                "library/a/b:latest".into(),
                "docker.io/library/a/b:latest".into(),
            ),
            (
                "registry.example.com:5000/team/app".into(),
                "registry.example.com:5000/team/app",
                "registry.example.com:5000/team/app",
                "registry.example.com:5000/team/app:latest".into(),
                "registry.example.com:5000/team/app:latest".into(),
            ),
            (
                format!("app@{dg}"),
                "docker.io/library/app",
                "app",
                format!("app@{dg}"),
                format!("docker.io/library/app@{dg}"),
            ),
            (
                format!("app:v1@{dg}"),
                "docker.io/library/app",
                "app",
                format!("app:v1@{dg}"),
                format!("docker.io/library/app:v1@{dg}"),
            ),
        ];
        for (input, name, fname, familiar, canonical) in cases {
            let r = Reference::parse(&input).expect("valid").with_default_tag();
            assert_eq!(r.name(), name, "{input}");
            assert_eq!(r.familiar_name(), fname, "{input}");
            assert_eq!(r.familiar(), familiar, "{input}");
            assert_eq!(r.to_string(), familiar, "{input}");
            assert_eq!(r.canonical(), canonical, "{input}");
        }
    }

    #[test]
    fn untagged_rendering_has_no_suffix() {
        let r = Reference::parse("nginx").expect("valid");
        assert_eq!(r.familiar(), "nginx");
        assert_eq!(r.canonical(), "docker.io/library/nginx");
    }

    #[test]
    fn repo_tag() {
        let dg = format!("sha256:{HEX}");
        let cases: Vec<(&str, &str, Result<&str, ReferenceError>)> = vec![
            ("nginx", "", Ok("docker.io/library/nginx:latest")),
            ("nginx", "v2", Ok("docker.io/library/nginx:v2")),
            ("nginx:1.0", "", Ok("docker.io/library/nginx:1.0")),
            ("nginx:1.0", "2.0", Ok("docker.io/library/nginx:2.0")),
            ("localhost:5000/app", "x", Ok("localhost:5000/app:x")),
            ("nginx", "-bad", Err(ReferenceError::InvalidTag)),
            ("nginx", "a:b", Err(ReferenceError::InvalidTag)),
            (
                "Nginx",
                "v",
                Err(ReferenceError::Uppercase("library/Nginx".into())),
            ),
            ("", "v", Err(ReferenceError::InvalidFormat)),
        ];
        for (repo, tag, want) in cases {
            let got = parse_repo_tag(repo, tag).map(|r| r.canonical());
            assert_eq!(got, want.map(str::to_string), "{repo} {tag}");
        }
        assert_eq!(
            parse_repo_tag(&format!("nginx@{dg}"), "v"),
            Err(ReferenceError::DigestNotAllowed)
        );
    }

    #[test]
    fn tags() {
        let long = "a".repeat(128);
        let too_long = "a".repeat(129);
        let cases: Vec<(&str, bool)> = vec![
            ("latest", true),
            ("1.25.3", true),
            ("_hidden", true),
            ("A-b_C.d", true),
            (&long, true),
            (&too_long, false),
            ("", false),
            (".x", false),
            ("-x", false),
            ("a/b", false),
            ("a:b", false),
            ("a+b", false),
        ];
        for (tag, ok) in cases {
            assert_eq!(is_valid_tag(tag), ok, "{tag}");
        }
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            Reference::parse("Nginx").map_err(|e| e.to_string()),
            Err(
                "invalid reference format: repository name (library/Nginx) must be lowercase"
                    .to_string()
            )
        );
        assert_eq!(
            Reference::parse("a//b").map_err(|e| e.to_string()),
            Err("invalid reference format".to_string())
        );
        assert_eq!(
            Reference::parse(HEX).map_err(|e| e.to_string()),
            Err(format!(
                "invalid repository name ({HEX}), cannot specify 64-byte hexadecimal strings"
            ))
        );
    }
}
