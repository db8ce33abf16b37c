//! Configuration: figment merges, lowest first, the defaults, an optional config
//! file (`--config PATH` or `SOCKERLESS_BACKEND_CONFIG`; TOML or YAML by
//! extension), the environment, and the command-line flags.
//!
//! Both binaries read one model ([`Config`]) with one definition per setting.
//! The table names `sockerless-backend-memory`'s variables; the `sockerless`
//! daemon reads the same ones with the prefix `SOCKERLESS_` instead of
//! `SOCKERLESS_BACKEND_` (`SOCKERLESS_SEED`), has `docker.socket|tcp` and
//! `backend` instead of `listen.socket|tcp` ([`SockerlessCli`], [`DockerSettings`]), and reads
//! its file from `SOCKERLESS_CONFIG` ([`Program`]).
//!
//! | flag | env | file key | default |
//! |---|---|---|---|
//! | `--socket PATH` | `SOCKERLESS_BACKEND_SOCKET` | `listen.socket` | `/var/run/sockerless-backend.sock` (when no TCP address is given) |
//! | `--tcp ADDR` | `SOCKERLESS_BACKEND_TCP` | `listen.tcp` | none |
//! | `--log-level LEVEL` | `SOCKERLESS_BACKEND_LOG_LEVEL` | `logging.level` | `info` |
//! | `--log-format json\|text` | `SOCKERLESS_BACKEND_LOG_FORMAT` | `logging.format` | `text` |
//! | `--max-body-size BYTES` | `SOCKERLESS_BACKEND_MAX_BODY_SIZE` | `server.max_body_size` | 16777216 |
//! | `--drain-timeout SECS` | `SOCKERLESS_BACKEND_DRAIN_TIMEOUT` | `server.drain_timeout` | 10 |
//! | `--socket-mode MODE` | `SOCKERLESS_BACKEND_SOCKET_MODE` | `listen.socket_mode` | `0660` |
//! | `--socket-group GROUP` | `SOCKERLESS_BACKEND_SOCKET_GROUP` | `listen.socket_group` | the process's group |
//! | `--insecure-tcp` | `SOCKERLESS_BACKEND_INSECURE_TCP` | `listen.insecure_tcp` | false |
//! | `--header-read-timeout SECS` | `SOCKERLESS_BACKEND_HEADER_READ_TIMEOUT` | `server.header_read_timeout` | 30 |
//! | `--max-connections N` | `SOCKERLESS_BACKEND_MAX_CONNECTIONS` | `server.max_connections` | 1024 |
//! | `--log-limit BYTES` | `SOCKERLESS_BACKEND_LOG_LIMIT` | `memory.log_limit` | 1048576 |
//! | `--seed N` | `SOCKERLESS_BACKEND_SEED` | `memory.seed` | none (random IDs) |
//! | `--clock-start RFC3339` | `SOCKERLESS_BACKEND_CLOCK_START` | `memory.clock_start` | none (real time) |
//! | `--profile NAME` | `SOCKERLESS_BACKEND_PROFILE` | `memory.profile` | `memory` |
//! | `--profile-latency` | `SOCKERLESS_BACKEND_PROFILE_LATENCY` | `memory.profile_latency` | false |
//! | `--state-file PATH` | `SOCKERLESS_BACKEND_STATE_FILE` | `memory.state_file` | none |
//! | — | — | `memory.faults`, `memory.scripts` | none |
//! | `--config PATH` | `SOCKERLESS_BACKEND_CONFIG` | — | none |

use sockerless_http::{ListenConfig as Listen, ServeOptions};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser};
use figment::providers::{Env, Format, Serialized, Toml, Yaml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// The default Unix socket.
pub const DEFAULT_SOCKET: &str = "/var/run/sockerless-backend.sock";

/// Environment variables and the file keys they set.
pub const ENV_KEYS: &[(&str, &str)] = &[
    ("SOCKERLESS_BACKEND_SOCKET", "listen.socket"),
    ("SOCKERLESS_BACKEND_TCP", "listen.tcp"),
    ("SOCKERLESS_BACKEND_LOG_LEVEL", "logging.level"),
    ("SOCKERLESS_BACKEND_LOG_FORMAT", "logging.format"),
    ("SOCKERLESS_BACKEND_MAX_BODY_SIZE", "server.max_body_size"),
    ("SOCKERLESS_BACKEND_DRAIN_TIMEOUT", "server.drain_timeout"),
    ("SOCKERLESS_BACKEND_SOCKET_MODE", "listen.socket_mode"),
    ("SOCKERLESS_BACKEND_SOCKET_GROUP", "listen.socket_group"),
    ("SOCKERLESS_BACKEND_INSECURE_TCP", "listen.insecure_tcp"),
    (
        "SOCKERLESS_BACKEND_HEADER_READ_TIMEOUT",
        "server.header_read_timeout",
    ),
    (
        "SOCKERLESS_BACKEND_MAX_CONNECTIONS",
        "server.max_connections",
    ),
    ("SOCKERLESS_BACKEND_SEED", "memory.seed"),
    ("SOCKERLESS_BACKEND_LOG_LIMIT", "memory.log_limit"),
    ("SOCKERLESS_BACKEND_CLOCK_START", "memory.clock_start"),
    ("SOCKERLESS_BACKEND_PROFILE", "memory.profile"),
    (
        "SOCKERLESS_BACKEND_PROFILE_LATENCY",
        "memory.profile_latency",
    ),
    ("SOCKERLESS_BACKEND_STATE_FILE", "memory.state_file"),
];

/// The config-file variable of the backend.
pub const ENV_CONFIG: &str = "SOCKERLESS_BACKEND_CONFIG";

mod sockerless;
pub use sockerless::{DockerSettings, SockerlessCli, DEFAULT_DOCKER_SOCKET, DOCKER_ENV_KEYS};

/// Which binary a configuration is for: they share every setting but the
/// listeners, and name their environment variables with their own prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    /// `sockerless-backend-memory`: `SOCKERLESS_BACKEND_*`, `listen.socket|tcp`.
    Backend,
    /// `sockerless`: `SOCKERLESS_*`, `docker.socket|tcp`, `backend`.
    Sockerless,
}

impl Program {
    /// The prefix of the program's environment variables.
    pub fn env_prefix(self) -> &'static str {
        match self {
            Program::Backend => "SOCKERLESS_BACKEND_",
            Program::Sockerless => "SOCKERLESS_",
        }
    }

    /// The variable naming the config file.
    pub fn config_env(self) -> String {
        format!("{}CONFIG", self.env_prefix())
    }

    /// The binary's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Program::Backend => "sockerless-backend-memory",
            Program::Sockerless => "sockerless",
        }
    }
}

/// The listener keys only the backend has (the daemon has `docker.*`).
const BACKEND_ONLY_KEYS: &[&str] = &["listen.socket", "listen.tcp"];

/// Every environment variable a program reads and the file key it sets: the
/// shared ones of [`ENV_KEYS`] under the program's prefix, plus the program's
/// own.
pub fn env_keys(program: Program) -> Vec<(String, &'static str)> {
    match program {
        Program::Backend => ENV_KEYS.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
        Program::Sockerless => ENV_KEYS
            .iter()
            .filter(|(_, k)| !BACKEND_ONLY_KEYS.contains(k))
            .map(|(n, k)| {
                let suffix = n.strip_prefix(Program::Backend.env_prefix()).unwrap_or(n);
                (format!("{}{suffix}", program.env_prefix()), *k)
            })
            .chain(DOCKER_ENV_KEYS.iter().map(|(n, k)| (n.to_string(), *k)))
            .collect(),
    }
}

/// Command-line flags. Every flag is optional: what is not given comes from the
/// environment, the config file or the defaults.
#[derive(Debug, Clone, Default, Parser)]
#[command(
    name = "sockerless-backend-memory",
    version,
    about = "Sockerless in-memory backend: serves the internal API over a Unix socket or TCP. \
             All state is lost on restart. This backend is for testing only."
)]
pub struct Cli {
    /// Unix socket to listen on [env: SOCKERLESS_BACKEND_SOCKET] [file: listen.socket]
    /// [default: /var/run/sockerless-backend.sock, unless only --tcp is given]
    #[arg(long, value_name = "PATH")]
    pub socket: Option<String>,
    /// TCP address to listen on, e.g. 127.0.0.1:2375 [env: SOCKERLESS_BACKEND_TCP]
    /// [file: listen.tcp] [default: none]
    #[arg(long, value_name = "ADDR")]
    pub tcp: Option<String>,
    /// Every setting the backend shares with the `sockerless` daemon.
    #[command(flatten)]
    pub shared: SharedFlags,
}

/// The flags of both binaries (`sockerless-backend-memory` and `sockerless`):
/// logging, server limits, socket permissions and the memory backend's
/// settings. Help texts name the backend's variables; `sockerless` shows them
/// with its own prefix ([`Program::Sockerless`]).
#[derive(Debug, Clone, Default, Args)]
pub struct SharedFlags {
    /// Log level: trace, debug, info, warn, error [env: SOCKERLESS_BACKEND_LOG_LEVEL]
    /// [file: logging.level] [default: info]
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Log format: text or json [env: SOCKERLESS_BACKEND_LOG_FORMAT]
    /// [file: logging.format] [default: text]
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Largest accepted request body in bytes (image load streams and is exempt)
    /// [env: SOCKERLESS_BACKEND_MAX_BODY_SIZE] [file: server.max_body_size]
    /// [default: 16777216]
    #[arg(long, value_name = "BYTES")]
    pub max_body_size: Option<String>,
    /// Seconds in-flight requests get to finish at shutdown
    /// [env: SOCKERLESS_BACKEND_DRAIN_TIMEOUT] [file: server.drain_timeout] [default: 10]
    #[arg(long, value_name = "SECS")]
    pub drain_timeout: Option<String>,
    /// Mode of the Unix socket, octal, set between bind and listen
    /// [env: SOCKERLESS_BACKEND_SOCKET_MODE] [file: listen.socket_mode] [default: 0660]
    #[arg(long, value_name = "MODE")]
    pub socket_mode: Option<String>,
    /// Group owning the Unix socket (name or GID); unknown groups are an error
    /// [env: SOCKERLESS_BACKEND_SOCKET_GROUP] [file: listen.socket_group]
    /// [default: none, the process's group]
    #[arg(long, value_name = "GROUP")]
    pub socket_group: Option<String>,
    /// Allow a TCP address that is not loopback (no authentication, no TLS: a
    /// warning is logged at every start) [env: SOCKERLESS_BACKEND_INSECURE_TCP]
    /// [file: listen.insecure_tcp] [default: false]
    #[arg(long)]
    pub insecure_tcp: bool,
    /// Seconds a client gets to send a request's headers; also how long an idle
    /// keep-alive connection is kept [env: SOCKERLESS_BACKEND_HEADER_READ_TIMEOUT]
    /// [file: server.header_read_timeout] [default: 30]
    #[arg(long, value_name = "SECS")]
    pub header_read_timeout: Option<String>,
    /// Most connections served at once; more wait to be accepted
    /// [env: SOCKERLESS_BACKEND_MAX_CONNECTIONS] [file: server.max_connections]
    /// [default: 1024]
    #[arg(long, value_name = "N")]
    pub max_connections: Option<String>,
    /// Bytes of log kept per container; the oldest records go first
    /// [env: SOCKERLESS_BACKEND_LOG_LIMIT] [file: memory.log_limit] [default: 1048576]
    #[arg(long, value_name = "BYTES")]
    pub log_limit: Option<String>,
    /// Deterministic mode: IDs, names, PIDs and fault draws come from a generator
    /// seeded with N [env: SOCKERLESS_BACKEND_SEED] [file: memory.seed]
    /// [default: none, random]
    #[arg(long, value_name = "N")]
    pub seed: Option<String>,
    /// Freeze the clock at this RFC 3339 instant; it moves only with
    /// POST /internal/v1/memory/clock [env: SOCKERLESS_BACKEND_CLOCK_START]
    /// [file: memory.clock_start] [default: none, real time]
    #[arg(long, value_name = "RFC3339")]
    pub clock_start: Option<String>,
    /// Report this backend's capabilities and refuse what it lacks with 501:
    /// memory, docker, ecs, cloudrun, aca, lambda, gcf, azf
    /// [env: SOCKERLESS_BACKEND_PROFILE] [file: memory.profile] [default: memory]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Add the profile's typical container start latency
    /// [env: SOCKERLESS_BACKEND_PROFILE_LATENCY] [file: memory.profile_latency]
    /// [default: false]
    #[arg(long)]
    pub profile_latency: bool,
    /// Load the state from this file at start (when it exists) and write it there
    /// at a clean shutdown [env: SOCKERLESS_BACKEND_STATE_FILE]
    /// [file: memory.state_file] [default: none]
    #[arg(long, value_name = "PATH")]
    pub state_file: Option<String>,
    /// Config file, TOML (.toml) or YAML (.yaml, .yml) [env: SOCKERLESS_BACKEND_CONFIG]
    /// [default: none]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where to listen.
    pub listen: ListenConfig,
    /// Logging.
    pub logging: LoggingConfig,
    /// Server limits.
    pub server: ServerSettings,
    /// The memory backend's test-double controls.
    pub memory: MemorySettings,
    /// The Docker API listeners (`sockerless` only).
    pub docker: DockerSettings,
    /// The backend behind the Docker API (`sockerless` only): `embedded`.
    pub backend: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: ListenConfig::default(),
            logging: LoggingConfig::default(),
            server: ServerSettings::default(),
            memory: MemorySettings::default(),
            docker: DockerSettings::default(),
            backend: sockerless::EMBEDDED.into(),
        }
    }
}

/// `memory.*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
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

impl Default for MemorySettings {
    fn default() -> Self {
        MemorySettings {
            log_limit: sockerless_memory::runtime::DEFAULT_LOG_LIMIT as u64,
            seed: None,
            clock_start: None,
            profile: "memory".into(),
            profile_latency: false,
            state_file: None,
            faults: Vec::new(),
            scripts: Vec::new(),
        }
    }
}

/// `listen.*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListenConfig {
    /// Unix socket path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
    /// TCP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<String>,
    /// Socket mode, octal text (`0660`); a number from the environment is read
    /// as its octal digits.
    #[serde(deserialize_with = "string_or_number")]
    pub socket_mode: String,
    /// Socket group (name or GID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket_group: Option<String>,
    /// Allow non-loopback TCP.
    pub insecure_tcp: bool,
}

impl Default for ListenConfig {
    fn default() -> Self {
        ListenConfig {
            socket: None,
            tcp: None,
            socket_mode: "0660".into(),
            socket_group: None,
            insecure_tcp: false,
        }
    }
}

/// `logging.*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingConfig {
    /// trace, debug, info, warn or error.
    pub level: String,
    /// text or json.
    pub format: String,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        LoggingConfig {
            level: "info".into(),
            format: "text".into(),
        }
    }
}

/// `server.*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Request-body limit in bytes.
    pub max_body_size: u64,
    /// Drain timeout in seconds.
    pub drain_timeout: f64,
    /// Header read (and keep-alive idle) timeout in seconds.
    pub header_read_timeout: f64,
    /// Connections served at once.
    pub max_connections: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            max_body_size: sockerless_http::DEFAULT_MAX_BODY as u64,
            drain_timeout: 10.0,
            header_read_timeout: 30.0,
            max_connections: 1024,
        }
    }
}

/// Accepts `"0660"` or `660` (figment reads environment values as numbers).
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
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

/// An invalid setting: one line naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

pub(crate) fn bad(msg: impl Into<String>) -> ConfigError {
    ConfigError(msg.into())
}

/// The shared flags as a figment layer (only the ones given): the root map
/// with its `listen`, `logging`, `server` and `memory` tables.
pub(crate) fn shared_flag_layer(
    cli: &SharedFlags,
) -> Result<serde_json::Map<String, serde_json::Value>, ConfigError> {
    let mut listen = serde_json::Map::new();
    let mut logging = serde_json::Map::new();
    let mut server = serde_json::Map::new();
    let mut memory = serde_json::Map::new();
    if let Some(v) = &cli.seed {
        memory.insert("seed".into(), parse_count("--seed", v)?.into());
    }
    if let Some(v) = &cli.log_limit {
        memory.insert("log_limit".into(), parse_bytes("--log-limit", v)?.into());
    }
    if let Some(v) = &cli.clock_start {
        memory.insert("clock_start".into(), v.clone().into());
    }
    if let Some(v) = &cli.profile {
        memory.insert("profile".into(), v.clone().into());
    }
    if cli.profile_latency {
        memory.insert("profile_latency".into(), true.into());
    }
    if let Some(v) = &cli.state_file {
        memory.insert("state_file".into(), v.clone().into());
    }
    if let Some(v) = &cli.log_level {
        logging.insert("level".into(), v.clone().into());
    }
    if let Some(v) = &cli.log_format {
        logging.insert("format".into(), v.clone().into());
    }
    if let Some(v) = &cli.max_body_size {
        server.insert(
            "max_body_size".into(),
            parse_bytes("--max-body-size", v)?.into(),
        );
    }
    if let Some(v) = &cli.drain_timeout {
        server.insert(
            "drain_timeout".into(),
            parse_secs("--drain-timeout", v)?.into(),
        );
    }
    if let Some(v) = &cli.header_read_timeout {
        server.insert(
            "header_read_timeout".into(),
            parse_secs("--header-read-timeout", v)?.into(),
        );
    }
    if let Some(v) = &cli.max_connections {
        server.insert(
            "max_connections".into(),
            parse_count("--max-connections", v)?.into(),
        );
    }
    if let Some(v) = &cli.socket_mode {
        listen.insert("socket_mode".into(), v.clone().into());
    }
    if let Some(v) = &cli.socket_group {
        listen.insert("socket_group".into(), v.clone().into());
    }
    if cli.insecure_tcp {
        listen.insert("insecure_tcp".into(), true.into());
    }
    let mut root = serde_json::Map::new();
    for (k, m) in [
        ("listen", listen),
        ("logging", logging),
        ("server", server),
        ("memory", memory),
    ] {
        if !m.is_empty() {
            root.insert(k.into(), m.into());
        }
    }
    Ok(root)
}

/// Sets `table.key` in a flag layer.
pub(crate) fn set_flag(
    root: &mut serde_json::Map<String, serde_json::Value>,
    table: Option<&str>,
    key: &str,
    value: serde_json::Value,
) {
    match table {
        None => {
            root.insert(key.into(), value);
        }
        Some(t) => {
            let entry = root
                .entry(t.to_string())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if let Some(obj) = entry.as_object_mut() {
                obj.insert(key.into(), value);
            }
        }
    }
}

/// The backend's flags as a figment layer.
fn flag_layer(cli: &Cli) -> Result<serde_json::Value, ConfigError> {
    let mut root = shared_flag_layer(&cli.shared)?;
    if let Some(v) = &cli.socket {
        set_flag(&mut root, Some("listen"), "socket", v.clone().into());
    }
    if let Some(v) = &cli.tcp {
        set_flag(&mut root, Some("listen"), "tcp", v.clone().into());
    }
    Ok(root.into())
}

fn parse_bytes(name: &str, v: &str) -> Result<u64, ConfigError> {
    v.trim()
        .parse()
        .map_err(|_| bad(format!("{name} {v:?}: expected a whole number of bytes")))
}

fn parse_count(name: &str, v: &str) -> Result<u64, ConfigError> {
    v.trim()
        .parse()
        .map_err(|_| bad(format!("{name} {v:?}: expected a whole number")))
}

fn parse_secs(name: &str, v: &str) -> Result<f64, ConfigError> {
    v.trim()
        .parse()
        .map_err(|_| bad(format!("{name} {v:?}: expected a number of seconds")))
}

/// Numeric and boolean environment values are checked here so the message
/// names the variable.
fn check_env_values(
    env: &dyn Fn(&str) -> Option<String>,
    keys: &[(String, &'static str)],
) -> Result<(), ConfigError> {
    for (name, key) in keys {
        let Some(v) = env(name) else { continue };
        match *key {
            "server.max_body_size" | "memory.log_limit" => {
                parse_bytes(name, &v)?;
            }
            "server.drain_timeout" | "server.header_read_timeout" => {
                parse_secs(name, &v)?;
            }
            "server.max_connections" | "memory.seed" => {
                parse_count(name, &v)?;
            }
            "memory.profile_latency" | "listen.insecure_tcp"
                if !["true", "false", "1", "0"].contains(&v.trim()) =>
            {
                return Err(bad(format!("{name} {v:?}: expected true or false")));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The config file named by the flag or the environment, resolved as given (no
/// search through parent directories).
fn config_path(
    flag: Option<&PathBuf>,
    program: Program,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<PathBuf> {
    flag.cloned().or_else(|| {
        env(&program.config_env())
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    })
}

fn file_layer(path: &Path) -> Result<Figment, ConfigError> {
    if !path.is_file() {
        return Err(bad(format!("config file {}: not found", path.display())));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "toml" => Ok(Figment::from(Toml::file_exact(path))),
        "yaml" | "yml" => Ok(Figment::from(Yaml::file_exact(path))),
        _ => Err(bad(format!(
            "config file {}: unknown format (use .toml, .yaml or .yml)",
            path.display()
        ))),
    }
}

impl Config {
    /// Loads the backend's configuration from flags, the process environment,
    /// the optional file and the defaults, and validates it.
    pub fn load(cli: &Cli) -> Result<Config, ConfigError> {
        Config::load_with(
            Program::Backend,
            cli.shared.config.as_ref(),
            flag_layer(cli)?,
        )
    }

    /// Loads a program's configuration: defaults < file < environment (named
    /// with the program's prefix) < `flags`, then validates it for the program.
    pub(crate) fn load_with(
        program: Program,
        config_flag: Option<&PathBuf>,
        flags: serde_json::Value,
    ) -> Result<Config, ConfigError> {
        let env = |k: &str| std::env::var(k).ok();
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = config_path(config_flag, program, &env) {
            let file = file_layer(&path)?;
            // Syntax errors name the file (figment's own message does not).
            file.extract::<figment::value::Dict>().map_err(|e| {
                let msg = e.to_string();
                let first = msg.lines().next().unwrap_or("unreadable").to_string();
                bad(format!("config file {}: {first}", path.display()))
            })?;
            figment = figment.merge(file);
        }
        let keys = env_keys(program);
        check_env_values(&env, &keys)?;
        let env_provider = Env::raw()
            .filter_map(move |k| {
                keys.iter()
                    .find(|(name, _)| k.as_str().eq_ignore_ascii_case(name))
                    .map(|(_, key)| (*key).into())
            })
            .lowercase(false)
            .split("__");
        // Env values are strings by figment's rules ("0660" stays text), except
        // the numeric ones which the model parses.
        figment = figment.merge(env_provider);
        figment = figment.merge(Serialized::defaults(flags));
        let config: Config = figment.extract().map_err(|e| {
            let msg = e.to_string();
            bad(msg
                .lines()
                .next()
                .unwrap_or("unreadable configuration")
                .to_string())
        })?;
        config.validate()?;
        config.validate_for(program)?;
        Ok(config)
    }

    /// Checks every setting; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error"];
        if !LEVELS.contains(&self.logging.level.to_ascii_lowercase().as_str()) {
            return Err(bad(format!(
                "logging.level {:?}: expected one of trace, debug, info, warn, error",
                self.logging.level
            )));
        }
        if !["text", "json"].contains(&self.logging.format.as_str()) {
            return Err(bad(format!(
                "logging.format {:?}: expected text or json",
                self.logging.format
            )));
        }
        if let Some(tcp) = &self.listen.tcp {
            let addr = parse_tcp(tcp)?;
            if !addr.ip().is_loopback() && !self.listen.insecure_tcp {
                return Err(bad(format!(
                    "listen.tcp {tcp:?}: not a loopback address; the internal API has no authentication and no TLS (allow it with --insecure-tcp)"
                )));
            }
        }
        self.socket_mode()?;
        if self.server.max_connections == 0 {
            return Err(bad("server.max_connections: must be at least 1"));
        }
        if !self.server.header_read_timeout.is_finite() || self.server.header_read_timeout <= 0.0 {
            return Err(bad(format!(
                "server.header_read_timeout {}: expected a positive number of seconds",
                self.server.header_read_timeout
            )));
        }
        if let Some(socket) = &self.listen.socket {
            if socket.is_empty() {
                return Err(bad("listen.socket: the path is empty"));
            }
        }
        if self.server.max_body_size == 0 {
            return Err(bad("server.max_body_size: must be at least 1 byte"));
        }
        if !self.server.drain_timeout.is_finite() || self.server.drain_timeout < 0.0 {
            return Err(bad(format!(
                "server.drain_timeout {}: expected a non-negative number of seconds",
                self.server.drain_timeout
            )));
        }
        self.memory_options()?;
        Ok(())
    }

    /// The memory backend's options from `memory.*`; the error names the
    /// setting.
    pub fn memory_options(&self) -> Result<sockerless_memory::MemoryOptions, ConfigError> {
        use sockerless_memory::controls::{FaultRule, Profile, ScriptRule};
        let m = &self.memory;
        let profile = Profile::parse(&m.profile)
            .map_err(|e| bad(format!("memory.profile {:?}: {e}", m.profile)))?;
        let clock_start = match &m.clock_start {
            Some(s) => Some(
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .map(std::time::SystemTime::from)
                    .map_err(|e| {
                        bad(format!(
                            "memory.clock_start {s:?}: expected an RFC 3339 time such as 2024-01-01T00:00:00Z ({e})"
                        ))
                    })?,
            ),
            None => None,
        };
        for (i, f) in m.faults.iter().enumerate() {
            FaultRule::compile(0, f.clone())
                .map_err(|e| bad(format!("memory.faults[{i}]: {e}")))?;
        }
        for (i, s) in m.scripts.iter().enumerate() {
            ScriptRule::compile(0, s.clone())
                .map_err(|e| bad(format!("memory.scripts[{i}]: {e}")))?;
        }
        if m.state_file.as_deref() == Some("") {
            return Err(bad("memory.state_file: the path is empty"));
        }
        if m.log_limit == 0 {
            return Err(bad("memory.log_limit: must be at least 1 byte"));
        }
        Ok(sockerless_memory::MemoryOptions {
            seed: m.seed,
            clock_start,
            profile,
            profile_latency: m.profile_latency,
            faults: m.faults.clone(),
            scripts: m.scripts.clone(),
            state_file: m.state_file.as_ref().map(PathBuf::from),
            log_limit: usize::try_from(m.log_limit).unwrap_or(usize::MAX),
        })
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
        self.listen.tcp.as_deref().map(parse_tcp).transpose()
    }

    /// The socket mode, parsed from octal text.
    pub fn socket_mode(&self) -> Result<u32, ConfigError> {
        let m = self.listen.socket_mode.trim();
        let digits = m.strip_prefix("0o").unwrap_or(m);
        match u32::from_str_radix(digits, 8) {
            Ok(mode) if mode <= 0o777 && !digits.is_empty() => Ok(mode),
            _ => Err(bad(format!(
                "listen.socket_mode {:?}: expected an octal mode such as 0660",
                self.listen.socket_mode
            ))),
        }
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
        ServeOptions {
            max_body_bytes: usize::try_from(self.server.max_body_size).unwrap_or(usize::MAX),
            drain_timeout: self.drain_timeout(),
            header_read_timeout: self.header_read_timeout(),
            max_connections: usize::try_from(self.server.max_connections).unwrap_or(usize::MAX),
            ..ServeOptions::default()
        }
    }
}

/// `HOST:PORT` with an IP host, or `localhost:PORT`.
fn parse_tcp(s: &str) -> Result<SocketAddr, ConfigError> {
    parse_tcp_named("listen.tcp", s)
}

/// [`parse_tcp`] for the setting `key`, which the error names.
fn parse_tcp_named(key: &str, s: &str) -> Result<SocketAddr, ConfigError> {
    let err = || {
        bad(format!(
            "{key} {s:?}: expected IP:PORT, e.g. 127.0.0.1:2375"
        ))
    };
    if let Some(port) = s.strip_prefix("localhost:") {
        let port: u16 = port.parse().map_err(|_| err())?;
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse().map_err(|_| err())
}

#[cfg(test)]
mod tests;
