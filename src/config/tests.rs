//! Config precedence, bad settings, and the settings table against its names
//! and the README.
#![allow(clippy::result_large_err)]

use super::*;
use figment::Jail;

fn cli(args: &[&str]) -> Cli {
    let mut argv = vec!["sockerless-backend-memory"];
    argv.extend_from_slice(args);
    Cli::parse_from(argv)
}

#[test]
fn defaults() {
    Jail::expect_with(|_| {
        let c = Config::load(&cli(&[])).map_err(|e| e.to_string())?;
        assert_eq!(c, Config::default());
        assert_eq!(c.socket_path(), Some(PathBuf::from(DEFAULT_SOCKET)));
        assert_eq!(c.tcp_addr().map_err(|e| e.to_string())?, None);
        assert_eq!(c.drain_timeout(), Duration::from_secs(10));
        Ok(())
    });
}

#[test]
fn precedence_flag_env_file_default() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "c.toml",
            "[listen]\nsocket = \"/file.sock\"\n[logging]\nlevel = \"warn\"\nformat = \"json\"\n",
        )?;
        let file_only = Config::load(&cli(&["--config", "c.toml"])).map_err(|e| e.to_string())?;
        assert_eq!(file_only.listen.socket.as_deref(), Some("/file.sock"));
        assert_eq!(file_only.logging.level, "warn");
        assert_eq!(file_only.logging.format, "json");

        jail.set_env("SOCKERLESS_BACKEND_SOCKET", "/env.sock");
        jail.set_env("SOCKERLESS_BACKEND_LOG_LEVEL", "debug");
        let env = Config::load(&cli(&["--config", "c.toml"])).map_err(|e| e.to_string())?;
        assert_eq!(env.listen.socket.as_deref(), Some("/env.sock"));
        assert_eq!(env.logging.level, "debug");
        assert_eq!(env.logging.format, "json");

        let flags = Config::load(&cli(&[
            "--config",
            "c.toml",
            "--socket",
            "/flag.sock",
            "--log-level",
            "error",
        ]))
        .map_err(|e| e.to_string())?;
        assert_eq!(flags.listen.socket.as_deref(), Some("/flag.sock"));
        assert_eq!(flags.logging.level, "error");
        Ok(())
    });
}

#[test]
fn yaml_file_and_env_config_path() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "c.yaml",
            "listen:\n  tcp: 127.0.0.1:0\nserver:\n  drain_timeout: 2.5\n",
        )?;
        jail.set_env(ENV_CONFIG, "c.yaml");
        let c = Config::load(&cli(&[])).map_err(|e| e.to_string())?;
        assert_eq!(
            c.socket_path(),
            None,
            "only TCP when only TCP is configured"
        );
        assert_eq!(
            c.tcp_addr().map_err(|e| e.to_string())?,
            Some("127.0.0.1:0".parse().map_err(|_| "addr")?)
        );
        assert_eq!(c.drain_timeout(), Duration::from_millis(2500));
        Ok(())
    });
}

#[test]
fn memory_settings_from_file_env_and_flags() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "c.toml",
            concat!(
                "[memory]\nseed = 7\nprofile = \"gcf\"\nclock_start = \"2024-01-01T00:00:00Z\"\n",
                "[[memory.faults]]\noperation = \"container_start\"\nlatency = \"10s\"\n",
                "[[memory.scripts]]\nimage = \"nginx*\"\nmanual = true\n",
            ),
        )?;
        jail.set_env(ENV_CONFIG, "c.toml");
        let c = Config::load(&cli(&[])).map_err(|e| e.to_string())?;
        let o = c.memory_options().map_err(|e| e.to_string())?;
        assert_eq!(o.seed, Some(7));
        assert_eq!(o.profile.name(), "gcf");
        assert_eq!(o.faults.len(), 1);
        assert_eq!(o.scripts.len(), 1);
        assert_eq!(
            o.clock_start,
            Some(std::time::UNIX_EPOCH + Duration::from_secs(1_704_067_200))
        );
        // Env over file, flags over env.
        jail.set_env("SOCKERLESS_BACKEND_SEED", "9");
        jail.set_env("SOCKERLESS_BACKEND_PROFILE", "ecs");
        let c = Config::load(&cli(&["--profile", "aca", "--profile-latency"]))
            .map_err(|e| e.to_string())?;
        let o = c.memory_options().map_err(|e| e.to_string())?;
        assert_eq!(
            (o.seed, o.profile.name(), o.profile_latency),
            (Some(9), "aca", true)
        );
        Ok(())
    });
}

#[test]
fn bad_settings_name_themselves() {
    Jail::expect_with(|jail| {
        jail.create_file("unknown.toml", "[listen]\nsockett = \"/x\"\n")?;
        jail.create_file("broken.toml", "[listen\n")?;
        jail.create_file("c.ini", "x=1\n")?;
        let table: &[(&[&str], &str)] = &[
            (&["--log-level", "loud"], "logging.level"),
            (&["--log-format", "xml"], "logging.format"),
            (&["--tcp", "nowhere"], "listen.tcp"),
            (&["--tcp", "localhost:99999"], "listen.tcp"),
            (&["--config", "missing.toml"], "missing.toml: not found"),
            (&["--config", "unknown.toml"], "sockett"),
            (&["--config", "broken.toml"], "broken.toml"),
            (&["--config", "c.ini"], "unknown format"),
            (&["--max-body-size", "lots"], "--max-body-size"),
            (&["--max-body-size", "0"], "server.max_body_size"),
            (&["--drain-timeout=-1"], "server.drain_timeout"),
            (&["--socket", ""], "listen.socket"),
            (&["--log-limit", "0"], "memory.log_limit"),
            (&["--log-limit", "lots"], "--log-limit"),
            (&["--tcp", "0.0.0.0:2375"], "not a loopback address"),
            (&["--socket-mode", "999"], "listen.socket_mode"),
            (&["--max-connections", "0"], "server.max_connections"),
            (
                &["--header-read-timeout", "0"],
                "server.header_read_timeout",
            ),
            (&["--body-read-timeout", "0"], "server.body_read_timeout"),
        ];
        for (args, want) in table {
            let err = Config::load(&cli(args)).expect_err("must fail").to_string();
            assert!(err.contains(want), "{args:?}: {err}");
            assert!(!err.contains('\n'), "one line: {err}");
        }
        jail.set_env("SOCKERLESS_BACKEND_DRAIN_TIMEOUT", "soon");
        let err = Config::load(&cli(&[])).expect_err("must fail").to_string();
        assert!(err.contains("SOCKERLESS_BACKEND_DRAIN_TIMEOUT"), "{err}");
        Ok(())
    });
}

/// Every setting of `settings`, set through each of its names (flag,
/// variable, file key) to its example, reaches its file key in the loaded
/// config `C`; the examples differ from the defaults, so each layer is seen
/// to take effect. Returns how many names were tried.
fn every_setting_works<C: serde::de::DeserializeOwned + serde::Serialize>(
    settings: &Settings,
) -> usize {
    use crate::settings::{lookup, Kind};
    let dir = tempfile::tempdir().expect("tempdir");
    let load = |args: Vec<String>, vars: Vec<(String, String)>| -> Value {
        let mut argv = vec![settings.name.to_string()];
        argv.extend(args);
        let matches = settings.parse_from(argv);
        let config: C = settings
            .load_from(&matches, vars)
            .unwrap_or_else(|e| panic!("{e}"));
        serde_json::to_value(config).expect("json")
    };
    let mut seen = 0;
    for s in settings.iter() {
        let Some(key) = s.key else {
            assert_eq!(s.kind, Kind::ConfigFile, "{s:?} has no file key");
            continue;
        };
        let want = match s.kind {
            Kind::List => serde_json::from_str(s.example).expect("a JSON list"),
            kind => kind.parse(key, s.example).expect("a valid example"),
        };
        assert_ne!(
            lookup(&load(vec![], vec![]), key),
            Some(&want),
            "{key}: the example is the default"
        );
        let same = |got: &Value| match s.kind {
            Kind::List => got.as_array().map(Vec::len) == want.as_array().map(Vec::len),
            _ => got == &want,
        };
        if let Some(flag) = s.flag {
            let args = match s.kind {
                Kind::Switch => vec![format!("--{flag}")],
                _ => vec![format!("--{flag}"), s.example.to_string()],
            };
            let got = load(args, vec![]);
            assert!(
                same(lookup(&got, key).unwrap_or(&Value::Null)),
                "--{flag}: {got}"
            );
            seen += 1;
        }
        if let Some(env) = s.env {
            let got = load(vec![], vec![(env.to_string(), s.example.to_string())]);
            assert!(
                same(lookup(&got, key).unwrap_or(&Value::Null)),
                "{env}: {got}"
            );
            seen += 1;
        }
        let (section, name) = key.split_once('.').expect("section.name");
        let file = dir.path().join(format!("{section}-{name}.yaml"));
        let doc = serde_json::json!({ section: { name: want.clone() } });
        std::fs::write(&file, doc.to_string()).expect("write");
        let got = load(vec!["--config".into(), file.display().to_string()], vec![]);
        assert!(
            same(lookup(&got, key).unwrap_or(&Value::Null)),
            "{key}: {got}"
        );
        seen += 1;
    }
    seen
}

#[test]
fn every_setting_works_by_flag_env_and_file() {
    let seen = every_setting_works::<Config>(&BACKEND_MEMORY);
    assert!(seen >= 50, "only {seen} names tried");
}

#[test]
fn every_setting_of_the_docker_daemon_works_by_flag_env_and_file() {
    use super::sockerless::{DaemonConfig, SOCKERLESS};
    let seen = every_setting_works::<DaemonConfig>(&SOCKERLESS);
    assert!(seen >= 50, "only {seen} names tried");
}

/// The table of the README section under `heading`.
fn readme_table(heading: &str) -> String {
    let readme = include_str!("../../README.md");
    let section = readme
        .split(&format!("\n{heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("README has a section {heading}"));
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// README.md's Settings tables are exactly the tables the definitions render.
#[test]
fn readme_settings_table_is_rendered_from_the_definitions() {
    let table = BACKEND_MEMORY.markdown_table();
    assert_eq!(
        readme_table("## Settings"),
        table,
        "README.md's Settings table must be exactly:\n{table}"
    );
    let table = super::sockerless::SOCKERLESS.markdown_table();
    assert_eq!(
        readme_table("### Settings of `sockerless`"),
        table,
        "README.md's table of the sockerless settings must be exactly:\n{table}"
    );
}

/// The variables the binary reads are the definitions' ones.
#[test]
fn env_keys_come_from_the_definitions() {
    assert_eq!(ENV_KEYS.len(), 19);
    assert!(ENV_KEYS.contains(&("SOCKERLESS_BACKEND_SOCKET", "listen.socket")));
    assert_eq!(ENV_CONFIG, "SOCKERLESS_BACKEND_CONFIG");
    let loaded: Config = BACKEND_MEMORY
        .load_from(&Cli::default().0, [])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Config::default(), loaded);
}
