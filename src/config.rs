//! Configuration of `sockerless-backend-memory`: its settings ([`BACKEND_MEMORY`],
//! made of the groups [`LISTEN`], [`LOGGING`], [`SERVER`], [`MEMORY`] and
//! [`FILE`], each setting defined once in [`crate::settings`] terms) and the
//! [`Config`] they load into. figment merges, lowest first, the defaults, an
//! optional config file (`--config PATH` or `SOCKERLESS_BACKEND_CONFIG`; TOML or
//! YAML by extension), the environment, and the command-line flags.
//!
//! The README's Settings table is [`Settings::markdown_table`] of
//! [`BACKEND_MEMORY`] (a test checks it); `--help` lists the same.

#![allow(clippy::needless_update)] // every setting ends in `..Setting::BLANK`, even a full one

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use clap::{ArgMatches, Parser};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sockerless_http::limit::BodyLimits;
use sockerless_http::{ListenConfig as Listen, ServeOptions};

pub use crate::settings::ConfigError;
use crate::settings::{bad, DefaultValue, Group, Kind, Setting, Settings};

/// The default Unix socket.
pub const DEFAULT_SOCKET: &str = "/var/run/sockerless-backend.sock";

/// `listen.*`: where the internal API is served.
pub const LISTEN: Group = Group {
    heading: "Listening",
    settings: &[
        Setting {
            flag: Some("socket"),
            value_name: "PATH",
            env: Some("SOCKERLESS_BACKEND_SOCKET"),
            key: Some("listen.socket"),
            help: "Unix socket to listen on, unless only a TCP address is given",
            default: DefaultValue::Implied(DEFAULT_SOCKET),
            note: " when no TCP address is set",
            check: Some(check_path),
            example: "/tmp/example.sock",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("tcp"),
            value_name: "ADDR",
            env: Some("SOCKERLESS_BACKEND_TCP"),
            key: Some("listen.tcp"),
            help: "TCP address to listen on, e.g. 127.0.0.1:2375",
            check: Some(check_tcp),
            example: "127.0.0.1:2375",
            ..Setting::BLANK
        },
        SOCKET_MODE,
        SOCKET_GROUP,
        INSECURE_TCP,
    ],
};

/// `listen.socket_mode`.
const SOCKET_MODE: Setting = Setting {
    flag: Some("socket-mode"),
    value_name: "MODE",
    env: Some("SOCKERLESS_BACKEND_SOCKET_MODE"),
    key: Some("listen.socket_mode"),
    help: "Mode of the Unix socket, octal, set between bind and listen",
    default: DefaultValue::Text("0660"),
    check: Some(check_socket_mode),
    example: "0600",
    ..Setting::BLANK
};

/// `listen.socket_group`.
const SOCKET_GROUP: Setting = Setting {
    flag: Some("socket-group"),
    value_name: "GROUP",
    env: Some("SOCKERLESS_BACKEND_SOCKET_GROUP"),
    key: Some("listen.socket_group"),
    help: "Group owning the Unix socket (name or GID; none: the process's group); \
           unknown groups are an error",
    note: ": the process's group; an unknown group is a startup error",
    example: "daemon",
    ..Setting::BLANK
};

/// `listen.insecure_tcp`.
const INSECURE_TCP: Setting = Setting {
    flag: Some("insecure-tcp"),
    env: Some("SOCKERLESS_BACKEND_INSECURE_TCP"),
    key: Some("listen.insecure_tcp"),
    kind: Kind::Switch,
    help: "Allow a TCP address that is not loopback (no authentication, no TLS: \
           a warning is logged at every start)",
    note: ": a TCP address that is not loopback is refused",
    example: "true",
    ..Setting::BLANK
};

/// The socket options alone (mode, group, insecure TCP), for a daemon whose
/// listeners are its own (the `sockerless` Docker daemon).
pub const SOCKET_OPTIONS: Group = Group {
    heading: "Socket",
    settings: &[SOCKET_MODE, SOCKET_GROUP, INSECURE_TCP],
};

/// `logging.*`.
pub const LOGGING: Group = Group {
    heading: "Logging",
    settings: &[
        Setting {
            flag: Some("log-level"),
            value_name: "LEVEL",
            env: Some("SOCKERLESS_BACKEND_LOG_LEVEL"),
            key: Some("logging.level"),
            help: "Log level: trace, debug, info, warn, error",
            default: DefaultValue::Text("info"),
            note: " (trace, debug, info, warn, error)",
            check: Some(check_level),
            example: "debug",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("log-format"),
            value_name: "FORMAT",
            env: Some("SOCKERLESS_BACKEND_LOG_FORMAT"),
            key: Some("logging.format"),
            help: "Log format: text or json",
            default: DefaultValue::Text("text"),
            note: " (or `json`)",
            check: Some(check_format),
            example: "json",
            ..Setting::BLANK
        },
    ],
};

/// `server.*`: limits of the HTTP server.
pub const SERVER: Group = Group {
    heading: "Server",
    settings: &[
        Setting {
            flag: Some("max-body-size"),
            value_name: "BYTES",
            env: Some("SOCKERLESS_BACKEND_MAX_BODY_SIZE"),
            key: Some("server.max_body_size"),
            kind: Kind::Bytes,
            help: "Largest accepted request body in bytes (image load streams and is exempt)",
            default: DefaultValue::Number(sockerless_http::DEFAULT_MAX_BODY as u64),
            note: " (16 MiB; image load streams and is exempt)",
            check: Some(check_at_least_one_byte),
            example: "1024",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("drain-timeout"),
            value_name: "SECS",
            env: Some("SOCKERLESS_BACKEND_DRAIN_TIMEOUT"),
            key: Some("server.drain_timeout"),
            kind: Kind::Secs,
            help: "Seconds in-flight requests get to finish at shutdown",
            default: DefaultValue::Number(10),
            check: Some(check_non_negative_secs),
            example: "2.5",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("header-read-timeout"),
            value_name: "SECS",
            env: Some("SOCKERLESS_BACKEND_HEADER_READ_TIMEOUT"),
            key: Some("server.header_read_timeout"),
            kind: Kind::Secs,
            help: "Seconds a client gets to send a request's headers; also how long an idle \
                   keep-alive connection is kept",
            default: DefaultValue::Number(30),
            note: "; also closes a keep-alive connection idle that long (tested)",
            check: Some(check_positive_secs),
            example: "0.5",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("body-read-timeout"),
            value_name: "SECS",
            env: Some("SOCKERLESS_BACKEND_BODY_READ_TIMEOUT"),
            key: Some("server.body_read_timeout"),
            kind: Kind::Secs,
            help: "Seconds a client gets to send a request's body (408 after); streamed \
                   uploads such as image load are exempt",
            default: DefaultValue::Number(30),
            note: "; a body not complete by then is 408 and nothing is done (tested)",
            check: Some(check_positive_secs),
            example: "0.5",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("max-connections"),
            value_name: "N",
            env: Some("SOCKERLESS_BACKEND_MAX_CONNECTIONS"),
            key: Some("server.max_connections"),
            kind: Kind::Count,
            help: "Most connections served at once; more wait to be accepted",
            default: DefaultValue::Number(1024),
            note: " (more wait to be accepted)",
            check: Some(check_at_least_one),
            example: "8",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("worker-threads"),
            value_name: "N",
            env: Some("SOCKERLESS_BACKEND_WORKER_THREADS"),
            key: Some("server.worker_threads"),
            kind: Kind::Count,
            help: "Threads serving requests; 0: one per CPU core",
            default: DefaultValue::Number(0),
            note: ": one per CPU core",
            example: "2",
            ..Setting::BLANK
        },
    ],
};

/// `memory.*`: the memory backend's options and test-double controls.
pub const MEMORY: Group = Group {
    heading: "Memory backend",
    settings: &[
        Setting {
            flag: Some("log-limit"),
            value_name: "BYTES",
            env: Some("SOCKERLESS_BACKEND_LOG_LIMIT"),
            key: Some("memory.log_limit"),
            kind: Kind::Bytes,
            help: "Bytes of log kept per container; the oldest records go first",
            default: DefaultValue::Number(sockerless_memory::runtime::DEFAULT_LOG_LIMIT as u64),
            note: " (1 MiB of log per container; the oldest records go first)",
            check: Some(check_at_least_one_byte),
            example: "4096",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("seed"),
            value_name: "N",
            env: Some("SOCKERLESS_BACKEND_SEED"),
            key: Some("memory.seed"),
            kind: Kind::Count,
            help: "Deterministic mode: IDs, names, PIDs and fault draws come from a generator \
                   seeded with N (none: random)",
            note: ": IDs from the OS CSPRNG (see [Test-double controls](#test-double-controls))",
            example: "42",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("clock-start"),
            value_name: "RFC3339",
            env: Some("SOCKERLESS_BACKEND_CLOCK_START"),
            key: Some("memory.clock_start"),
            help: "Freeze the clock at this RFC 3339 instant; it moves only with \
                   POST /internal/v1/memory/clock (none: real time)",
            note: ": real time",
            check: Some(check_clock_start),
            example: "2024-01-01T00:00:00Z",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("profile"),
            value_name: "NAME",
            env: Some("SOCKERLESS_BACKEND_PROFILE"),
            key: Some("memory.profile"),
            help: "Report this backend's capabilities and refuse what it lacks with 501: \
                   memory, docker, ecs, cloudrun, aca, lambda, gcf, azf",
            default: DefaultValue::Text("memory"),
            note: " (or `docker`, `ecs`, `cloudrun`, `aca`, `lambda`, `gcf`, `azf`)",
            check: Some(check_profile),
            example: "ecs",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("profile-latency"),
            env: Some("SOCKERLESS_BACKEND_PROFILE_LATENCY"),
            key: Some("memory.profile_latency"),
            kind: Kind::Switch,
            help: "Add the profile's typical container start latency",
            example: "true",
            ..Setting::BLANK
        },
        Setting {
            flag: Some("state-file"),
            value_name: "PATH",
            env: Some("SOCKERLESS_BACKEND_STATE_FILE"),
            key: Some("memory.state_file"),
            help: "Load the state from this file at start (when it exists) and write it there \
                   at a clean shutdown",
            check: Some(check_path),
            example: "/tmp/example-state.json",
            ..Setting::BLANK
        },
        Setting {
            key: Some("memory.faults"),
            kind: Kind::List,
            note: ": fault rules installed at start (see [Test-double controls](#test-double-controls))",
            check: Some(check_faults),
            example: r#"[{"operation":"container_start","status":503}]"#,
            ..Setting::BLANK
        },
        Setting {
            key: Some("memory.scripts"),
            kind: Kind::List,
            note: ": script rules installed at start",
            check: Some(check_scripts),
            example: r#"[{"image":"nginx*","manual":true}]"#,
            ..Setting::BLANK
        },
    ],
};

/// The config file setting (`--config`); last in `--help` and the README.
pub const FILE: Group = Group {
    heading: "Config file",
    settings: &[Setting {
        flag: Some("config"),
        value_name: "PATH",
        env: Some("SOCKERLESS_BACKEND_CONFIG"),
        kind: Kind::ConfigFile,
        help: "Config file, TOML (.toml) or YAML (.yaml, .yml)",
        note: "; `.toml`, `.yaml` or `.yml`",
        ..Setting::BLANK
    }],
};

/// The settings of `sockerless-backend-memory`.
pub static BACKEND_MEMORY: Settings = Settings {
    name: "sockerless-backend-memory",
    about: "Sockerless in-memory backend: serves the internal API over a Unix socket or TCP. \
            All state is lost on restart. This backend is for testing only.",
    groups: &[LISTEN, LOGGING, SERVER, MEMORY, FILE],
};

/// Environment variables and the file keys they set.
pub static ENV_KEYS: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| BACKEND_MEMORY.env_keys());

/// The config-file variable.
pub const ENV_CONFIG: &str = match FILE.settings[0].env {
    Some(name) => name,
    None => panic!("the config file setting has a variable"),
};

/// The parsed command line of `sockerless-backend-memory` (flags only; what is
/// not given comes from the environment, the config file or the defaults).
/// `Cli::parse()` and `Cli::parse_from(argv)` come from [`clap::Parser`].
#[derive(Debug, Clone, Default)]
pub struct Cli(pub ArgMatches);

impl clap::CommandFactory for Cli {
    fn command() -> clap::Command {
        BACKEND_MEMORY.command()
    }
    fn command_for_update() -> clap::Command {
        BACKEND_MEMORY.command()
    }
}

impl clap::FromArgMatches for Cli {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(Cli(matches.clone()))
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0 = matches.clone();
        Ok(())
    }
}

impl Parser for Cli {}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where to listen.
    pub listen: ListenConfig,
    /// Logging.
    pub logging: LoggingConfig,
    /// Server limits.
    pub server: ServerSettings,
    /// The memory backend's test-double controls.
    pub memory: MemorySettings,
}

/// The defaults of [`BACKEND_MEMORY`].
impl Default for Config {
    fn default() -> Self {
        serde_json::from_value(BACKEND_MEMORY.defaults())
            .expect("the defaults of BACKEND_MEMORY make a Config")
    }
}

/// `memory.*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemorySettings {
    /// Bytes of log kept per container.
    pub log_limit: u64,
    /// Seed of the deterministic generator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Frozen clock start, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_start: Option<String>,
    /// Capability profile.
    pub profile: String,
    /// Add the profile's start latency.
    pub profile_latency: bool,
    /// State file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_file: Option<String>,
    /// Fault rules installed at start.
    pub faults: Vec<sockerless_memory::controls::FaultSpec>,
    /// Script rules installed at start.
    pub scripts: Vec<sockerless_memory::controls::ScriptSpec>,
}

impl MemorySettings {
    /// The memory backend's options; the error names the setting.
    pub fn options(&self) -> Result<sockerless_memory::MemoryOptions, ConfigError> {
        use sockerless_memory::controls::Profile;
        let profile = Profile::parse(&self.profile)
            .map_err(|e| bad(format!("memory.profile {:?}: {e}", self.profile)))?;
        let clock_start = match &self.clock_start {
            Some(s) => {
                Some(parse_clock_start(s).map_err(|t| bad(format!("memory.clock_start{t}")))?)
            }
            None => None,
        };
        Ok(sockerless_memory::MemoryOptions {
            seed: self.seed,
            clock_start,
            profile,
            profile_latency: self.profile_latency,
            faults: self.faults.clone(),
            scripts: self.scripts.clone(),
            state_file: self.state_file.as_ref().map(PathBuf::from),
            log_limit: usize::try_from(self.log_limit).unwrap_or(usize::MAX),
        })
    }
}

/// `listen.*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenConfig {
    /// Unix socket path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
    /// TCP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<String>,
    /// Socket mode, octal text (`0660`); a number (YAML's `0660`) is read as its
    /// octal digits.
    #[serde(deserialize_with = "string_or_number")]
    pub socket_mode: String,
    /// Socket group (name or GID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket_group: Option<String>,
    /// Allow non-loopback TCP.
    pub insecure_tcp: bool,
}

/// `logging.*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingConfig {
    /// trace, debug, info, warn or error.
    pub level: String,
    /// text or json.
    pub format: String,
}

/// `server.*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Request-body limit in bytes.
    pub max_body_size: u64,
    /// Drain timeout in seconds.
    pub drain_timeout: f64,
    /// Header read (and keep-alive idle) timeout in seconds.
    pub header_read_timeout: f64,
    /// Request-body read timeout in seconds.
    pub body_read_timeout: f64,
    /// Connections served at once.
    pub max_connections: u64,
    /// Runtime worker threads; 0 for one per CPU core.
    pub worker_threads: u64,
}

impl ServerSettings {
    /// How the server runs: body limit, timeouts, connection cap.
    pub fn serve_options(&self) -> ServeOptions {
        ServeOptions {
            body: BodyLimits {
                max_bytes: usize::try_from(self.max_body_size).unwrap_or(usize::MAX),
                read_timeout: Duration::from_secs_f64(self.body_read_timeout),
            },
            drain_timeout: Duration::from_secs_f64(self.drain_timeout),
            header_read_timeout: Duration::from_secs_f64(self.header_read_timeout),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            ..ServeOptions::default()
        }
    }

    /// The runtime's worker threads: `None` for tokio's default (one per core).
    pub fn worker_threads(&self) -> Option<usize> {
        match self.worker_threads {
            0 => None,
            n => Some(usize::try_from(n).unwrap_or(usize::MAX)),
        }
    }
}

/// Accepts `"0660"` or `660` (a number, as YAML reads `0660`).
pub(crate) fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        N(u64),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::S(s) => s,
        Raw::N(n) => format!("0{n}"),
    })
}

// The checks of the settings above. Each returns the message's tail after the
// file key.

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

pub(crate) fn check_path(v: &Value, _: &Value) -> Result<(), String> {
    match text(v) {
        "" => Err(": the path is empty".into()),
        _ => Ok(()),
    }
}

pub(crate) fn check_tcp(v: &Value, all: &Value) -> Result<(), String> {
    let tcp = text(v);
    let addr = parse_tcp(tcp)?;
    let insecure = all["listen"]["insecure_tcp"].as_bool().unwrap_or(false);
    if !addr.ip().is_loopback() && !insecure {
        return Err(format!(
            " {tcp:?}: not a loopback address; the API has no authentication and no TLS (allow it with --insecure-tcp)"
        ));
    }
    Ok(())
}

fn check_socket_mode(v: &Value, _: &Value) -> Result<(), String> {
    parse_mode(text(v)).map(drop)
}

fn check_level(v: &Value, _: &Value) -> Result<(), String> {
    const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error"];
    let level = text(v);
    match LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
        true => Ok(()),
        false => Err(format!(
            " {level:?}: expected one of trace, debug, info, warn, error"
        )),
    }
}

fn check_format(v: &Value, _: &Value) -> Result<(), String> {
    let format = text(v);
    match ["text", "json"].contains(&format) {
        true => Ok(()),
        false => Err(format!(" {format:?}: expected text or json")),
    }
}

fn check_at_least_one_byte(v: &Value, _: &Value) -> Result<(), String> {
    match v.as_u64() {
        Some(0) => Err(": must be at least 1 byte".into()),
        _ => Ok(()),
    }
}

fn check_at_least_one(v: &Value, _: &Value) -> Result<(), String> {
    match v.as_u64() {
        Some(0) => Err(": must be at least 1".into()),
        _ => Ok(()),
    }
}

fn check_non_negative_secs(v: &Value, _: &Value) -> Result<(), String> {
    let secs = number(v);
    match secs.is_finite() && secs >= 0.0 {
        true => Ok(()),
        false => Err(format!(
            " {secs}: expected a non-negative number of seconds"
        )),
    }
}

fn check_positive_secs(v: &Value, _: &Value) -> Result<(), String> {
    let secs = number(v);
    match secs.is_finite() && secs > 0.0 {
        true => Ok(()),
        false => Err(format!(" {secs}: expected a positive number of seconds")),
    }
}

fn check_clock_start(v: &Value, _: &Value) -> Result<(), String> {
    parse_clock_start(text(v)).map(drop)
}

fn check_profile(v: &Value, _: &Value) -> Result<(), String> {
    let profile = text(v);
    sockerless_memory::controls::Profile::parse(profile)
        .map(drop)
        .map_err(|e| format!(" {profile:?}: {e}"))
}

fn check_faults(v: &Value, _: &Value) -> Result<(), String> {
    use sockerless_memory::controls::{FaultRule, FaultSpec};
    let specs: Vec<FaultSpec> = serde_json::from_value(v.clone()).map_err(|e| format!(": {e}"))?;
    for (i, f) in specs.into_iter().enumerate() {
        FaultRule::compile(0, f).map_err(|e| format!("[{i}]: {e}"))?;
    }
    Ok(())
}

fn check_scripts(v: &Value, _: &Value) -> Result<(), String> {
    use sockerless_memory::controls::{ScriptRule, ScriptSpec};
    let specs: Vec<ScriptSpec> = serde_json::from_value(v.clone()).map_err(|e| format!(": {e}"))?;
    for (i, s) in specs.into_iter().enumerate() {
        ScriptRule::compile(0, s).map_err(|e| format!("[{i}]: {e}"))?;
    }
    Ok(())
}

/// An RFC 3339 instant; the error is a message tail.
fn parse_clock_start(s: &str) -> Result<SystemTime, String> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(SystemTime::from)
        .map_err(|e| {
            format!(" {s:?}: expected an RFC 3339 time such as 2024-01-01T00:00:00Z ({e})")
        })?;
    sockerless_memory::controls::check_clock_reading(t).map_err(|e| format!(" {s:?}: {e}"))?;
    Ok(t)
}

/// `HOST:PORT` with an IP host, or `localhost:PORT`; the error is a message
/// tail.
pub(crate) fn parse_tcp(s: &str) -> Result<SocketAddr, String> {
    let err = || format!(" {s:?}: expected IP:PORT, e.g. 127.0.0.1:2375");
    if let Some(port) = s.strip_prefix("localhost:") {
        let port: u16 = port.parse().map_err(|_| err())?;
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse().map_err(|_| err())
}

/// An octal mode; the error is a message tail.
pub(crate) fn parse_mode(m: &str) -> Result<u32, String> {
    let t = m.trim();
    let digits = t.strip_prefix("0o").unwrap_or(t);
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o777 && !digits.is_empty() => Ok(mode),
        _ => Err(format!(" {m:?}: expected an octal mode such as 0660")),
    }
}

impl Config {
    /// Loads the configuration from flags, the process environment, the optional
    /// file and the defaults, and validates it.
    pub fn load(cli: &Cli) -> Result<Config, ConfigError> {
        BACKEND_MEMORY.load(&cli.0)
    }

    /// Checks every setting; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        BACKEND_MEMORY.validate(self)
    }

    /// The memory backend's options from `memory.*`; the error names the
    /// setting.
    pub fn memory_options(&self) -> Result<sockerless_memory::MemoryOptions, ConfigError> {
        self.memory.options()
    }

    /// The Unix socket to serve: the configured one, or the default when no TCP
    /// address is configured either.
    pub fn socket_path(&self) -> Option<PathBuf> {
        match (&self.listen.socket, &self.listen.tcp) {
            (Some(s), _) => Some(PathBuf::from(s)),
            (None, None) => Some(PathBuf::from(DEFAULT_SOCKET)),
            (None, Some(_)) => None,
        }
    }

    /// The TCP address to serve, parsed.
    pub fn tcp_addr(&self) -> Result<Option<SocketAddr>, ConfigError> {
        self.listen
            .tcp
            .as_deref()
            .map(|s| parse_tcp(s).map_err(|t| bad(format!("listen.tcp{t}"))))
            .transpose()
    }

    /// The socket mode, parsed from octal text.
    pub fn socket_mode(&self) -> Result<u32, ConfigError> {
        parse_mode(&self.listen.socket_mode).map_err(|t| bad(format!("listen.socket_mode{t}")))
    }

    /// The header read timeout.
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.server.header_read_timeout)
    }

    /// The drain timeout.
    pub fn drain_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.server.drain_timeout)
    }

    /// What to listen on: socket (with mode and group) and TCP address.
    pub fn listen_config(&self) -> Result<Listen, ConfigError> {
        Ok(Listen {
            socket: self.socket_path(),
            socket_mode: self.socket_mode()?,
            socket_group: self.listen.socket_group.clone(),
            tcp: self.tcp_addr()?,
        })
    }

    /// How the server runs: body limit, timeouts, connection cap.
    pub fn serve_options(&self) -> ServeOptions {
        self.server.serve_options()
    }
}

pub mod sockerless;

#[cfg(test)]
mod tests;
