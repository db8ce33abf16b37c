//! Configuration of `sockerless`, the Docker API daemon: its own settings
//! ([`DOCKER`]: the Docker API's listeners and the backend) plus the groups it
//! shares, by the same names, with `sockerless-backend-memory` (socket options,
//! logging, server limits, the memory backend, the config file) — together
//! [`SOCKERLESS`], loaded into [`DaemonConfig`].

#![allow(clippy::needless_update)] // every setting ends in `..Setting::BLANK`

use std::path::PathBuf;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sockerless_http::{ListenConfig as Listen, ServeOptions};
use sockerless_internal_api::client::Address;

use super::{
    check_path, check_tcp, parse_mode, parse_tcp, LoggingConfig, MemorySettings, ServerSettings,
    FILE, LOGGING, MEMORY, SERVER, SOCKET_OPTIONS,
};
use crate::settings::{bad, ConfigError, DefaultValue, Group, Setting, Settings};

/// The default Unix socket of the Docker API (never `/var/run/docker.sock`,
/// which a real daemon may own).
pub const DEFAULT_DOCKER_SOCKET: &str = "/var/run/sockerless-docker.sock";

/// `--backend` for the memory backend in-process.
pub const EMBEDDED: &str = "embedded";

/// `docker.*` and `backend.*`: the Docker API's listeners and the backend.
pub const DOCKER: Group = Group {
    heading: "Docker API",
    settings: &[
        Setting {
            flag: Some("docker-socket"),
            value_name: "PATH",
            env: Some("SOCKERLESS_DOCKER_SOCKET"),
            key: Some("docker.socket"),
            help: "Unix socket of the Docker API, unless only a TCP address is given",
            default: DefaultValue::Implied(DEFAULT_DOCKER_SOCKET),
            note: " when no TCP address is set",
            check: Some(check_path),
            example: "/tmp/example-docker.sock",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("docker-tcp"),
            value_name: "ADDR",
            env: Some("SOCKERLESS_DOCKER_TCP"),
            key: Some("docker.tcp"),
            help: "TCP address of the Docker API, e.g. 127.0.0.1:2375 (loopback only \
                   unless --insecure-tcp)",
            check: Some(check_tcp),
            example: "127.0.0.1:2375",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("backend"),
            value_name: "BACKEND",
            env: Some("SOCKERLESS_BACKEND_URL"),
            key: Some("backend.url"),
            help: "embedded (the memory backend in-process), or a backend daemon's internal \
                   API: unix:///path.sock or tcp://IP:PORT",
            default: DefaultValue::Text(EMBEDDED),
            note: " (or `unix:///path.sock`, `tcp://IP:PORT`: a backend daemon)",
            check: Some(check_backend),
            example: "unix:///tmp/example-backend.sock",
            ..Setting::BLANK
        },
    ],
};

/// The settings of `sockerless`.
pub static SOCKERLESS: Settings = Settings {
    name: "sockerless",
    about: "Sockerless: the Docker Engine API (v1.44) on a Unix socket or TCP, in front of \
            the memory backend (embedded; state is lost on restart, for testing) or a backend \
            daemon. Point clients at it with DOCKER_HOST=unix://<socket>. The internal API \
            and the memory controls (/internal/v1/...) are served on the same socket.",
    groups: &[DOCKER, SOCKET_OPTIONS, LOGGING, SERVER, MEMORY, FILE],
};

/// Environment variables of `sockerless` and the file keys they set.
pub static DAEMON_ENV_KEYS: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| SOCKERLESS.env_keys());

fn check_backend(v: &Value, _: &Value) -> Result<(), String> {
    match v.as_str().unwrap_or_default() {
        EMBEDDED => Ok(()),
        url => Address::parse(url).map(drop).map_err(|e| format!(": {e}")),
    }
}

/// The whole configuration of `sockerless`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaemonConfig {
    /// The Docker API's listeners (a section with no defaults: absent when
    /// nothing sets it).
    #[serde(default)]
    pub docker: DockerSettings,
    /// The backend.
    pub backend: BackendSettings,
    /// Socket options of the Docker API's listeners.
    pub listen: SocketSettings,
    /// Logging.
    pub logging: LoggingConfig,
    /// Server limits.
    pub server: ServerSettings,
    /// The embedded memory backend.
    pub memory: MemorySettings,
}

/// `docker.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerSettings {
    /// Unix socket path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
    /// TCP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<String>,
}

/// `backend.*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendSettings {
    /// `embedded` or a backend daemon's URL.
    pub url: String,
}

/// `listen.*` of `sockerless`: the socket options only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocketSettings {
    /// Socket mode, octal text.
    #[serde(deserialize_with = "super::string_or_number")]
    pub socket_mode: String,
    /// Socket group (name or GID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket_group: Option<String>,
    /// Allow non-loopback TCP.
    pub insecure_tcp: bool,
}

/// Which backend the daemon serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendChoice {
    /// The memory backend, in-process.
    Embedded,
    /// A backend daemon over the internal API.
    Remote(Address),
}

impl DaemonConfig {
    /// Loads from `matches` (of [`SOCKERLESS`]`.command()`), the process
    /// environment, the optional file and the defaults, and validates.
    pub fn load(matches: &clap::ArgMatches) -> Result<DaemonConfig, ConfigError> {
        SOCKERLESS.load(matches)
    }

    /// The Docker API's listeners: the socket (the default when no TCP address
    /// is set) with its mode and group, and TCP.
    pub fn listen_config(&self) -> Result<Listen, ConfigError> {
        let socket = match (&self.docker.socket, &self.docker.tcp) {
            (Some(s), _) => Some(PathBuf::from(s)),
            (None, None) => Some(PathBuf::from(DEFAULT_DOCKER_SOCKET)),
            (None, Some(_)) => None,
        };
        let tcp = self
            .docker
            .tcp
            .as_deref()
            .map(|s| parse_tcp(s).map_err(|t| bad(format!("docker.tcp{t}"))))
            .transpose()?;
        Ok(Listen {
            socket,
            socket_mode: parse_mode(&self.listen.socket_mode)
                .map_err(|t| bad(format!("listen.socket_mode{t}")))?,
            socket_group: self.listen.socket_group.clone(),
            tcp,
        })
    }

    /// How the server runs; header names in Docker's Title-Case.
    pub fn serve_options(&self) -> ServeOptions {
        ServeOptions {
            title_case_headers: true,
            ..self.server.serve_options()
        }
    }

    /// The backend to serve.
    pub fn backend(&self) -> Result<BackendChoice, ConfigError> {
        match self.backend.url.as_str() {
            EMBEDDED => Ok(BackendChoice::Embedded),
            url => Address::parse(url)
                .map(BackendChoice::Remote)
                .map_err(|e| bad(format!("backend.url: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(argv: &[&str], vars: &[(&str, &str)]) -> Result<DaemonConfig, ConfigError> {
        let matches =
            SOCKERLESS.parse_from(std::iter::once("sockerless").chain(argv.iter().copied()));
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SOCKERLESS.load_from(&matches, vars)
    }

    #[test]
    fn defaults_serve_the_default_socket_with_the_memory_backend() {
        let c = load(&[], &[]).unwrap();
        let listen = c.listen_config().unwrap();
        assert_eq!(listen.socket, Some(PathBuf::from(DEFAULT_DOCKER_SOCKET)));
        assert_eq!(listen.socket_mode, 0o660);
        assert_eq!(listen.tcp, None);
        assert_eq!(c.backend().unwrap(), BackendChoice::Embedded);
        assert!(c.serve_options().title_case_headers);
    }

    #[test]
    fn flags_and_env_choose_listeners_and_backend() {
        let c = load(
            &[
                "--docker-tcp",
                "127.0.0.1:0",
                "--backend",
                "unix:///tmp/b.sock",
            ],
            &[("SOCKERLESS_BACKEND_SEED", "7")],
        )
        .unwrap();
        let listen = c.listen_config().unwrap();
        assert_eq!(listen.socket, None);
        assert_eq!(listen.tcp, Some("127.0.0.1:0".parse().unwrap()));
        assert_eq!(
            c.backend().unwrap(),
            BackendChoice::Remote(Address::Unix("/tmp/b.sock".into()))
        );
        assert_eq!(c.memory.seed, Some(7));
        let c = load(&[], &[("SOCKERLESS_BACKEND_URL", "tcp://127.0.0.1:9")]).unwrap();
        assert_eq!(
            c.backend().unwrap(),
            BackendChoice::Remote(Address::Tcp("127.0.0.1:9".parse().unwrap()))
        );
    }

    #[test]
    fn bad_values_name_the_setting() {
        let e = load(&["--backend", "http://x"], &[]).unwrap_err();
        assert!(
            e.to_string().contains("backend.url: backend \"http://x\""),
            "{e}"
        );
        let e = load(&["--docker-tcp", "10.1.2.3:2375"], &[]).unwrap_err();
        assert!(e.to_string().contains("not a loopback address"), "{e}");
        assert!(load(&["--docker-tcp", "10.1.2.3:2375", "--insecure-tcp"], &[]).is_ok());
    }
}
