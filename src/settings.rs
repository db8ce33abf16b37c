//! Settings defined once. A [`Setting`] names its flag, environment variable,
//! config-file key, default, kind and check; settings come in [`Group`]s, and a
//! binary is given a [`Settings`] set of groups (shared ones and its own). From
//! that one definition come the clap command and its `--help`, the figment
//! layers (defaults < config file < environment < flags), the validation, the
//! list of variables a binary reads and the README's table.
//!
//! ```
//! use sockerless::config::BACKEND_MEMORY;
//! let matches = BACKEND_MEMORY.parse_from(["sockerless-backend-memory", "--seed", "7"]);
//! let config: sockerless::config::Config = BACKEND_MEMORY.load_from(&matches, []).unwrap();
//! assert_eq!(config.memory.seed, Some(7));
//! ```

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, ArgMatches, Command};
use figment::providers::{Format, Serialized, Toml, Yaml};
use figment::Figment;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// An invalid setting: one line naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

pub(crate) fn bad(msg: impl Into<String>) -> ConfigError {
    ConfigError(msg.into())
}

/// How a flag's or a variable's text becomes the setting's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, taken as given.
    Text,
    /// A whole number of bytes.
    Bytes,
    /// A whole number.
    Count,
    /// A number of seconds; fractions allowed.
    Secs,
    /// On or off: a flag without a value; `true`, `false`, `1` or `0` in the
    /// environment; a boolean in the file. Off by default.
    Switch,
    /// A list of tables, set in the config file only. Empty by default.
    List,
    /// The config file itself: a path, set by flag or environment only.
    ConfigFile,
}

impl Kind {
    /// Parses `text`, given as `name` (the flag or the variable), into the
    /// setting's value; the error names `name`.
    pub fn parse(self, name: &str, text: &str) -> Result<Value, ConfigError> {
        let t = text.trim();
        let expected = |what: &str| bad(format!("{name} {text:?}: expected {what}"));
        match self {
            Kind::Text | Kind::ConfigFile => Ok(Value::String(text.to_string())),
            Kind::Bytes => t
                .parse::<u64>()
                .map(Value::from)
                .map_err(|_| expected("a whole number of bytes")),
            Kind::Count => t
                .parse::<u64>()
                .map(Value::from)
                .map_err(|_| expected("a whole number")),
            Kind::Secs => t
                .parse::<f64>()
                .map(Value::from)
                .map_err(|_| expected("a number of seconds")),
            Kind::Switch => match t {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err(expected("true or false")),
            },
            Kind::List => Err(bad(format!("{name}: set it in the config file"))),
        }
    }
}

/// A setting's default, as `--help` and the README show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultValue {
    /// No value (`none`); a [`Kind::Switch`] is off, a [`Kind::List`] empty.
    None,
    /// This text.
    Text(&'static str),
    /// This number.
    Number(u64),
    /// This text, shown but not put in the defaults layer: the binary applies
    /// it, because it depends on other settings (the socket when no TCP
    /// address is set).
    Implied(&'static str),
}

/// Checks a setting's merged value (`value`; `all` is the whole configuration
/// as JSON, for settings that depend on another). An error is the message's
/// tail after the file key: `" \"loud\": expected ..."` or `": must be ..."`.
pub type Check = fn(value: &Value, all: &Value) -> Result<(), String>;

/// One setting: every name it goes by, its default and its check.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The long flag without `--`, e.g. `log-level`.
    pub flag: Option<&'static str>,
    /// What the flag's value is called in `--help`, e.g. `LEVEL`.
    pub value_name: &'static str,
    /// The environment variable.
    pub env: Option<&'static str>,
    /// The dotted config-file key, e.g. `logging.level`.
    pub key: Option<&'static str>,
    /// How text becomes the value.
    pub kind: Kind,
    /// The default.
    pub default: DefaultValue,
    /// One sentence for `--help`.
    pub help: &'static str,
    /// What the README's default cell adds after the default (with its own
    /// leading punctuation, e.g. `" (or `json`)"`).
    pub note: &'static str,
    /// The check of the merged value, if any beyond its kind.
    pub check: Option<Check>,
    /// A valid value other than the default (the table-driven tests set each
    /// setting to it through each of its names).
    pub example: &'static str,
}

impl Setting {
    /// A blank to fill with `..Setting::BLANK`.
    pub const BLANK: Setting = Setting {
        flag: None,
        value_name: "",
        env: None,
        key: None,
        kind: Kind::Text,
        default: DefaultValue::None,
        help: "",
        note: "",
        check: None,
        example: "",
    };

    /// The default as `--help` shows it.
    pub fn default_text(&self) -> String {
        match (self.kind, self.default) {
            (Kind::Switch, _) => "false".into(),
            (_, DefaultValue::None) => "none".into(),
            (_, DefaultValue::Text(t) | DefaultValue::Implied(t)) => t.into(),
            (_, DefaultValue::Number(n)) => n.to_string(),
        }
    }

    /// The default as a value of the defaults layer, if there is one.
    pub fn default_value(&self) -> Option<Value> {
        match (self.kind, self.default) {
            (Kind::Switch, _) => Some(Value::Bool(false)),
            (Kind::List, _) => Some(Value::Array(Vec::new())),
            (Kind::ConfigFile, _) | (_, DefaultValue::None | DefaultValue::Implied(_)) => None,
            (_, DefaultValue::Text(t)) => Some(Value::String(t.into())),
            (_, DefaultValue::Number(n)) => Some(Value::from(n)),
        }
    }

    /// The `--help` text: the sentence, then where else it is set and its
    /// default.
    pub fn help_text(&self) -> String {
        let mut h = self.help.to_string();
        if let Some(env) = self.env {
            let _ = write!(h, " [env: {env}]");
        }
        if let Some(key) = self.key {
            let _ = write!(h, " [file: {key}]");
        }
        let _ = write!(h, " [default: {}]", self.default_text());
        h
    }

    /// The clap argument, for a setting with a flag.
    fn arg(&self, flag: &'static str) -> Arg {
        let arg = Arg::new(flag).long(flag).help(self.help_text());
        match self.kind {
            Kind::Switch => arg.action(ArgAction::SetTrue),
            _ => arg
                .action(ArgAction::Set)
                .value_name(self.value_name)
                .value_parser(clap::value_parser!(String)),
        }
    }

    /// The README row.
    fn markdown_row(&self) -> String {
        let flag = match (self.flag, self.kind) {
            (None, _) => "—".to_string(),
            (Some(f), Kind::Switch) => format!("`--{f}`"),
            (Some(f), _) => format!("`--{f} {}`", self.value_name),
        };
        let code = |s: Option<&str>| s.map_or("—".to_string(), |s| format!("`{s}`"));
        let default = match (self.kind, self.default) {
            (Kind::Switch, _) => "`false`".to_string(),
            (_, DefaultValue::None) => "none".to_string(),
            (_, DefaultValue::Text(t) | DefaultValue::Implied(t)) => format!("`{t}`"),
            (_, DefaultValue::Number(n)) => format!("`{n}`"),
        };
        format!(
            "| {flag} | {} | {} | {default}{} |",
            code(self.env),
            code(self.key),
            self.note
        )
    }
}

/// Settings that belong together; `--help` lists them under `heading`.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// The `--help` heading.
    pub heading: &'static str,
    /// The settings, in `--help` and README order.
    pub settings: &'static [Setting],
}

/// The settings one binary reads: its name, its `--help` summary, its groups.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The binary's name.
    pub name: &'static str,
    /// The `--help` summary.
    pub about: &'static str,
    /// The groups, in `--help` and README order.
    pub groups: &'static [Group],
}

impl Settings {
    /// Every setting, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'static Setting> {
        self.groups.iter().flat_map(|g| g.settings.iter())
    }

    /// The clap command: one flag per setting that has one, grouped.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(self.name)
            .version(env!("CARGO_PKG_VERSION"))
            .about(self.about)
            .after_help(
                "Every flag is optional. Lowest precedence first: \
                 defaults < config file < environment < flags.",
            );
        for group in self.groups {
            cmd = cmd.next_help_heading(group.heading);
            for s in group.settings {
                if let Some(flag) = s.flag {
                    cmd = cmd.arg(s.arg(flag));
                }
            }
        }
        cmd
    }

    /// Parses `argv` (the binary's name first); exits with clap's message on
    /// a bad flag, as clap does.
    pub fn parse_from<I, T>(&self, argv: I) -> ArgMatches
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        self.command().get_matches_from(argv)
    }

    /// Every environment variable and the file key it sets.
    pub fn env_keys(&self) -> Vec<(&'static str, &'static str)> {
        self.iter().filter_map(|s| Some((s.env?, s.key?))).collect()
    }

    /// The defaults as one layer.
    pub fn defaults(&self) -> Value {
        let mut root = Map::new();
        for s in self.iter() {
            if let (Some(key), Some(v)) = (s.key, s.default_value()) {
                insert(&mut root, key, v);
            }
        }
        Value::Object(root)
    }

    /// Loads a configuration from the flags in `matches`, the process
    /// environment, the config file they name and the defaults, and checks it.
    pub fn load<C: DeserializeOwned + Serialize>(
        &self,
        matches: &ArgMatches,
    ) -> Result<C, ConfigError> {
        self.load_from(
            matches,
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    /// [`Settings::load`] with the environment given as `vars`.
    pub fn load_from<C: DeserializeOwned + Serialize>(
        &self,
        matches: &ArgMatches,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<C, ConfigError> {
        let vars: Vec<(String, String)> = vars.into_iter().collect();
        let mut figment = Figment::from(Serialized::defaults(self.defaults()));
        if let Some(path) = self.config_path(matches, &vars) {
            let file = file_layer(&path)?;
            // Syntax errors name the file (figment's own message does not).
            file.extract::<figment::value::Dict>().map_err(|e| {
                let msg = e.to_string();
                let first = msg.lines().next().unwrap_or("unreadable").to_string();
                bad(format!("config file {}: {first}", path.display()))
            })?;
            figment = figment.merge(file);
        }
        figment = figment.merge(Serialized::defaults(self.env_layer(&vars)?));
        figment = figment.merge(Serialized::defaults(self.flag_layer(matches)?));
        let config: C = figment.extract().map_err(|e| {
            let msg = e.to_string();
            bad(msg
                .lines()
                .next()
                .unwrap_or("unreadable configuration")
                .to_string())
        })?;
        self.validate(&config)?;
        Ok(config)
    }

    /// Runs every setting's check on `config`; the error names the first bad
    /// setting by its file key.
    pub fn validate(&self, config: &impl Serialize) -> Result<(), ConfigError> {
        let all = serde_json::to_value(config)
            .map_err(|e| bad(format!("unserialisable configuration: {e}")))?;
        for s in self.iter() {
            let (Some(key), Some(check)) = (s.key, s.check) else {
                continue;
            };
            match lookup(&all, key) {
                Some(v) if !v.is_null() => {
                    check(v, &all).map_err(|tail| bad(format!("{key}{tail}")))?
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The README's table of these settings.
    pub fn markdown_table(&self) -> String {
        let mut t =
            String::from("| flag | environment | file key | default |\n|---|---|---|---|\n");
        for s in self.iter() {
            t.push_str(&s.markdown_row());
            t.push('\n');
        }
        t
    }

    /// The flags given, as a layer; the error names the flag.
    fn flag_layer(&self, matches: &ArgMatches) -> Result<Value, ConfigError> {
        let mut root = Map::new();
        for s in self.iter() {
            let (Some(flag), Some(key)) = (s.flag, s.key) else {
                continue;
            };
            if s.kind == Kind::Switch {
                if matches.try_get_one::<bool>(flag).ok().flatten() == Some(&true) {
                    insert(&mut root, key, Value::Bool(true));
                }
            } else if let Some(v) = matches.try_get_one::<String>(flag).ok().flatten() {
                insert(&mut root, key, s.kind.parse(&format!("--{flag}"), v)?);
            }
        }
        Ok(Value::Object(root))
    }

    /// The variables set, as a layer; the error names the variable. Names
    /// match whatever their case.
    fn env_layer(&self, vars: &[(String, String)]) -> Result<Value, ConfigError> {
        let mut root = Map::new();
        for s in self.iter() {
            let (Some(env), Some(key)) = (s.env, s.key) else {
                continue;
            };
            if let Some((name, v)) = var(vars, env) {
                insert(&mut root, key, s.kind.parse(name, v)?);
            }
        }
        Ok(Value::Object(root))
    }

    /// The config file named by the flag or the environment, resolved as given
    /// (no search through parent directories).
    fn config_path(&self, matches: &ArgMatches, vars: &[(String, String)]) -> Option<PathBuf> {
        let s = self.iter().find(|s| s.kind == Kind::ConfigFile)?;
        let flag = s
            .flag
            .and_then(|f| matches.try_get_one::<String>(f).ok().flatten().cloned());
        flag.or_else(|| {
            s.env
                .and_then(|e| var(vars, e))
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        })
        .map(PathBuf::from)
    }
}

/// The variable `name` (exactly, else in any case) and its value.
fn var<'a>(vars: &'a [(String, String)], name: &str) -> Option<(&'a str, &'a String)> {
    vars.iter()
        .find(|(k, _)| k == name)
        .or_else(|| vars.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .map(|(k, v)| (k.as_str(), v))
}

/// Puts `v` at the dotted `key`.
fn insert(root: &mut Map<String, Value>, key: &str, v: Value) {
    match key.split_once('.') {
        None => {
            root.insert(key.to_string(), v);
        }
        Some((head, rest)) => {
            let child = root
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            if let Value::Object(m) = child {
                insert(m, rest, v);
            }
        }
    }
}

/// The value at the dotted `key`.
pub fn lookup<'a>(all: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.').try_fold(all, |v, part| v.get(part))
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
