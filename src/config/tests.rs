//! Config precedence, validation and the backend flags.
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
