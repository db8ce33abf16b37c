//! The `sockerless` daemon's own settings: the Docker API listeners and the
//! backend choice. Everything else it shares with `sockerless-backend-memory`
//! ([`SharedFlags`], `logging.*`, `server.*`, `memory.*`,
//! `listen.socket_mode|socket_group|insecure_tcp`), under the `SOCKERLESS_`
//! environment prefix.
//!
//! | flag | env | file key | default |
//! |---|---|---|---|
//! | `--docker-socket PATH` | `SOCKERLESS_DOCKER_SOCKET` | `docker.socket` | `/var/run/sockerless-docker.sock` (when no TCP address is given) |
//! | `--docker-tcp ADDR` | `SOCKERLESS_DOCKER_TCP` | `docker.tcp` | none (loopback only unless `--insecure-tcp`) |
//! | `--backend embedded` | `SOCKERLESS_BACKEND` | `backend` | `embedded` (the memory backend in-process) |
//! | every shared flag | `SOCKERLESS_<NAME>` (e.g. `SOCKERLESS_SEED`) | as the backend | as the backend |
//! | `--config PATH` | `SOCKERLESS_CONFIG` | — | none |

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser};
use serde::{Deserialize, Serialize};
use sockerless_http::ListenConfig as Listen;

use super::{
    bad, parse_tcp_named, set_flag, shared_flag_layer, Config, ConfigError, Program, SharedFlags,
};

/// The default Docker API socket (never `/var/run/docker.sock`: a real daemon
/// may own it).
pub const DEFAULT_DOCKER_SOCKET: &str = "/var/run/sockerless-docker.sock";

/// The only backend served today.
pub const EMBEDDED: &str = "embedded";

/// The daemon's own environment variables and the keys they set.
pub const DOCKER_ENV_KEYS: &[(&str, &str)] = &[
    ("SOCKERLESS_DOCKER_SOCKET", "docker.socket"),
    ("SOCKERLESS_DOCKER_TCP", "docker.tcp"),
    ("SOCKERLESS_BACKEND", "backend"),
];

/// `docker.*`: where the Docker API listens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DockerSettings {
    /// Unix socket path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
    /// TCP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<String>,
}

/// The `sockerless` daemon's command line.
#[derive(Debug, Clone, Default, Parser)]
#[command(
    name = "sockerless",
    version,
    about = "Sockerless: the Docker Engine API (v1.44) on a Unix socket or TCP, with the \
             memory backend embedded (state is lost on restart; for testing). \
             Point clients at it with DOCKER_HOST=unix://<socket>. \
             /internal/v1/... (the internal API and the memory controls) is served on \
             the same socket."
)]
pub struct SockerlessCli {
    /// Unix socket of the Docker API [env: SOCKERLESS_DOCKER_SOCKET] [file: docker.socket]
    /// [default: /var/run/sockerless-docker.sock, unless only --docker-tcp is given]
    #[arg(long, value_name = "PATH")]
    pub docker_socket: Option<String>,
    /// TCP address of the Docker API, e.g. 127.0.0.1:2375; loopback only unless
    /// --insecure-tcp [env: SOCKERLESS_DOCKER_TCP] [file: docker.tcp] [default: none]
    #[arg(long, value_name = "ADDR")]
    pub docker_tcp: Option<String>,
    /// The backend: `embedded` (the memory backend in this process) [env:
    /// SOCKERLESS_BACKEND] [file: backend] [default: embedded]
    #[arg(long, value_name = "embedded")]
    pub backend: Option<String>,
    /// Every setting shared with sockerless-backend-memory.
    #[command(flatten)]
    pub shared: SharedFlags,
}

impl SockerlessCli {
    /// Parses the process's arguments; `--help` names the `SOCKERLESS_*`
    /// variables (the shared help texts are written with the backend's).
    pub fn parse_args() -> SockerlessCli {
        let from = Program::Backend.env_prefix();
        let to = Program::Sockerless.env_prefix();
        let cmd = SockerlessCli::command().mut_args(|a| {
            let help = a.get_help().map(|h| h.to_string().replace(from, to));
            match help {
                Some(h) => a.help(h),
                None => a,
            }
        });
        let matches = cmd.get_matches();
        SockerlessCli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

/// The daemon's flags as a figment layer.
fn flag_layer(cli: &SockerlessCli) -> Result<serde_json::Value, ConfigError> {
    let mut root = shared_flag_layer(&cli.shared)?;
    if let Some(v) = &cli.docker_socket {
        set_flag(&mut root, Some("docker"), "socket", v.clone().into());
    }
    if let Some(v) = &cli.docker_tcp {
        set_flag(&mut root, Some("docker"), "tcp", v.clone().into());
    }
    if let Some(v) = &cli.backend {
        set_flag(&mut root, None, "backend", v.clone().into());
    }
    Ok(root.into())
}

impl Config {
    /// Loads the `sockerless` daemon's configuration (flags, `SOCKERLESS_*`
    /// environment, optional file, defaults) and validates it.
    pub fn load_sockerless(cli: &SockerlessCli) -> Result<Config, ConfigError> {
        Config::load_with(
            Program::Sockerless,
            cli.shared.config.as_ref(),
            flag_layer(cli)?,
        )
    }

    /// The checks that depend on the program: each refuses the other's
    /// listener keys; the daemon checks its backend and Docker addresses.
    pub fn validate_for(&self, program: Program) -> Result<(), ConfigError> {
        match program {
            Program::Backend => {
                if self.docker.socket.is_some() || self.docker.tcp.is_some() {
                    return Err(bad(
                        "docker.*: not used by sockerless-backend-memory (the sockerless daemon serves the Docker API)",
                    ));
                }
                if self.backend != EMBEDDED {
                    return Err(bad(
                        "backend: not used by sockerless-backend-memory (it is the backend)",
                    ));
                }
            }
            Program::Sockerless => {
                if self.listen.socket.is_some() || self.listen.tcp.is_some() {
                    return Err(bad(
                        "listen.socket, listen.tcp: not used by sockerless; use docker.socket and docker.tcp",
                    ));
                }
                if self.backend != EMBEDDED {
                    return Err(bad(format!(
                        "backend {:?}: remote backends are not supported yet (use embedded)",
                        self.backend
                    )));
                }
                if let Some(tcp) = self.docker_tcp_addr()? {
                    if !tcp.ip().is_loopback() && !self.listen.insecure_tcp {
                        return Err(bad(format!(
                            "docker.tcp {tcp}: not a loopback address; the Docker API has no authentication and no TLS (allow it with --insecure-tcp)"
                        )));
                    }
                }
                if self.docker.socket.as_deref() == Some("") {
                    return Err(bad("docker.socket: the path is empty"));
                }
            }
        }
        Ok(())
    }

    /// The Docker API socket: the configured one, or the default when no TCP
    /// address is configured either.
    pub fn docker_socket_path(&self) -> Option<PathBuf> {
        match (&self.docker.socket, &self.docker.tcp) {
            (Some(s), _) => Some(PathBuf::from(s)),
            (None, None) => Some(PathBuf::from(DEFAULT_DOCKER_SOCKET)),
            (None, Some(_)) => None,
        }
    }

    /// The Docker API's TCP address, parsed.
    pub fn docker_tcp_addr(&self) -> Result<Option<SocketAddr>, ConfigError> {
        self.docker
            .tcp
            .as_deref()
            .map(|t| parse_tcp_named("docker.tcp", t))
            .transpose()
    }

    /// What the daemon listens on: the Docker socket (with the shared mode and
    /// group) and TCP address.
    pub fn docker_listen_config(&self) -> Result<Listen, ConfigError> {
        Ok(Listen {
            socket: self.docker_socket_path(),
            socket_mode: self.socket_mode()?,
            socket_group: self.listen.socket_group.clone(),
            tcp: self.docker_tcp_addr()?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    fn cli(args: &[&str]) -> SockerlessCli {
        let mut argv = vec!["sockerless"];
        argv.extend_from_slice(args);
        SockerlessCli::parse_from(argv)
    }

    #[test]
    fn defaults_and_precedence() {
        Jail::expect_with(|jail| {
            let c = Config::load_sockerless(&cli(&[])).map_err(|e| e.to_string())?;
            assert_eq!(
                c.docker_socket_path(),
                Some(PathBuf::from(DEFAULT_DOCKER_SOCKET))
            );
            assert_eq!(c.backend, "embedded");
            jail.create_file(
                "c.toml",
                "backend = \"embedded\"\n[docker]\nsocket = \"/file.sock\"\n[memory]\nseed = 3\n",
            )?;
            jail.set_env("SOCKERLESS_CONFIG", "c.toml");
            let c = Config::load_sockerless(&cli(&[])).map_err(|e| e.to_string())?;
            assert_eq!(c.docker.socket.as_deref(), Some("/file.sock"));
            assert_eq!(c.memory.seed, Some(3));
            jail.set_env("SOCKERLESS_DOCKER_SOCKET", "/env.sock");
            jail.set_env("SOCKERLESS_SEED", "4");
            jail.set_env("SOCKERLESS_LOG_LEVEL", "debug");
            let c = Config::load_sockerless(&cli(&[])).map_err(|e| e.to_string())?;
            assert_eq!(c.docker.socket.as_deref(), Some("/env.sock"));
            assert_eq!(
                (c.memory.seed, c.logging.level.as_str()),
                (Some(4), "debug")
            );
            let c = Config::load_sockerless(&cli(&[
                "--docker-socket",
                "/flag.sock",
                "--seed",
                "5",
                "--docker-tcp",
                "127.0.0.1:0",
            ]))
            .map_err(|e| e.to_string())?;
            assert_eq!(c.docker.socket.as_deref(), Some("/flag.sock"));
            assert_eq!(c.memory.seed, Some(5));
            let listen = c.docker_listen_config().map_err(|e| e.to_string())?;
            assert_eq!(listen.tcp, Some("127.0.0.1:0".parse().map_err(|_| "addr")?));
            Ok(())
        });
    }

    #[test]
    fn bad_settings_name_themselves() {
        Jail::expect_with(|jail| {
            jail.create_file("listen.toml", "[listen]\nsocket = \"/x\"\n")?;
            let table: &[(&[&str], &str)] = &[
                (
                    &["--backend", "unix:///b.sock"],
                    "remote backends are not supported yet",
                ),
                (&["--docker-tcp", "0.0.0.0:2375"], "not a loopback address"),
                (&["--docker-tcp", "nowhere"], "docker.tcp"),
                (&["--config", "listen.toml"], "use docker.socket"),
                (&["--seed", "x"], "--seed"),
            ];
            for (args, want) in table {
                let err = Config::load_sockerless(&cli(args))
                    .expect_err("must fail")
                    .to_string();
                assert!(err.contains(want), "{args:?}: {err}");
            }
            jail.set_env("SOCKERLESS_MAX_CONNECTIONS", "many");
            let err = Config::load_sockerless(&cli(&[]))
                .expect_err("must fail")
                .to_string();
            assert!(err.contains("SOCKERLESS_MAX_CONNECTIONS"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn insecure_tcp_allows_any_address() {
        Jail::expect_with(|_| {
            let c = Config::load_sockerless(&cli(&["--docker-tcp", "0.0.0.0:0", "--insecure-tcp"]))
                .map_err(|e| e.to_string())?;
            assert_eq!(c.docker_socket_path(), None);
            Ok(())
        });
    }
}
