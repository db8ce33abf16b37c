//! Built-in image configuration defaults for well-known official images, taken
//! from their upstream Dockerfiles, so that a simulated pull yields a realistic
//! `Config` (Env, Cmd, Entrypoint, ExposedPorts, ...).

/// The `PATH` every Debian/Alpine based official image starts with.
pub(crate) const DEFAULT_PATH: &str =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Configuration defaults of an image, as its Dockerfile would set them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ImageDefaults {
    /// Environment, as `KEY=value` strings in Dockerfile order.
    pub env: Vec<String>,
    /// Default command (`CMD`), if any.
    pub cmd: Option<Vec<String>>,
    /// Entrypoint (`ENTRYPOINT`), if any.
    pub entrypoint: Option<Vec<String>>,
    /// Working directory (`WORKDIR`); empty when unset.
    pub working_dir: String,
    /// Exposed ports, like `80/tcp`.
    pub exposed_ports: Vec<String>,
    /// Image labels, in Dockerfile order.
    pub labels: Vec<(String, String)>,
    /// User (`USER`); empty when unset.
    pub user: String,
    /// Stop signal (`STOPSIGNAL`), if any.
    pub stop_signal: Option<String>,
    /// Declared volumes (`VOLUME`).
    pub volumes: Vec<String>,
    /// Operating system, always `linux`.
    pub os: &'static str,
    /// Architecture in Go/OCI notation (`amd64`, `arm64`, ...), the host's.
    pub architecture: &'static str,
    /// A plausible uncompressed image size in bytes.
    pub size: i64,
}

impl Default for ImageDefaults {
    fn default() -> Self {
        ImageDefaults {
            env: vec![DEFAULT_PATH.to_string()],
            cmd: Some(vec!["/bin/sh".to_string()]),
            entrypoint: None,
            working_dir: String::new(),
            exposed_ports: Vec::new(),
            labels: Vec::new(),
            user: String::new(),
            stop_signal: None,
            volumes: Vec::new(),
            os: "linux",
            architecture: host_architecture(),
            size: 7_800_000,
        }
    }
}

/// The host's architecture in Go/OCI notation, e.g. `amd64` for `x86_64`.
pub(crate) fn host_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        "powerpc64" => "ppc64le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => other,
    }
}

/// Returns the defaults for a repository path such as `library/nginx` or
/// `nginx`; unknown repositories get a generic shell-image default.
pub(super) fn lookup(path: &str) -> ImageDefaults {
    let name = path.strip_prefix("library/").unwrap_or(path);
    match name {
        "alpine" => ImageDefaults {
            cmd: cmd(&["/bin/sh"]),
            size: 7_834_000,
            ..ImageDefaults::default()
        },
        "busybox" => ImageDefaults {
            cmd: cmd(&["sh"]),
            size: 4_269_000,
            ..ImageDefaults::default()
        },
        "ubuntu" => ImageDefaults {
            cmd: cmd(&["/bin/bash"]),
            labels: labels(&[
                ("org.opencontainers.image.ref.name", "ubuntu"),
                ("org.opencontainers.image.version", "24.04"),
            ]),
            size: 78_100_000,
            ..ImageDefaults::default()
        },
        "debian" => ImageDefaults {
            cmd: cmd(&["bash"]),
            size: 116_500_000,
            ..ImageDefaults::default()
        },
        "nginx" => ImageDefaults {
            env: env(&[
                DEFAULT_PATH,
                "NGINX_VERSION=1.27.5",
                "NJS_VERSION=0.8.10",
                "NJS_RELEASE=1~bookworm",
                "PKG_RELEASE=1~bookworm",
                "DYNPKG_RELEASE=1~bookworm",
            ]),
            entrypoint: cmd(&["/docker-entrypoint.sh"]),
            cmd: cmd(&["nginx", "-g", "daemon off;"]),
            exposed_ports: strings(&["80/tcp"]),
            labels: labels(&[(
                "maintainer",
                "NGINX Docker Maintainers <docker-maint@nginx.com>",
            )]),
            stop_signal: Some("SIGQUIT".to_string()),
            size: 192_000_000,
            ..ImageDefaults::default()
        },
        "postgres" => ImageDefaults {
            env: env(&[
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/17/bin",
                "GOSU_VERSION=1.17",
                "LANG=en_US.utf8",
                "PG_MAJOR=17",
                "PG_VERSION=17.4-1.pgdg120+2",
                "PGDATA=/var/lib/postgresql/data",
            ]),
            entrypoint: cmd(&["docker-entrypoint.sh"]),
            cmd: cmd(&["postgres"]),
            exposed_ports: strings(&["5432/tcp"]),
            stop_signal: Some("SIGINT".to_string()),
            volumes: strings(&["/var/lib/postgresql/data"]),
            size: 438_000_000,
            ..ImageDefaults::default()
        },
        "redis" => ImageDefaults {
            env: env(&[
                DEFAULT_PATH,
                "GOSU_VERSION=1.17",
                "REDIS_VERSION=7.4.2",
                "REDIS_DOWNLOAD_URL=http://download.redis.io/releases/redis-7.4.2.tar.gz",
                "REDIS_DOWNLOAD_SHA=4ddebbf09061cbb589011786febdb34f29767dd7f89dbe712d2b68e808af6a1f",
            ]),
            entrypoint: cmd(&["docker-entrypoint.sh"]),
            cmd: cmd(&["redis-server"]),
            working_dir: "/data".to_string(),
            exposed_ports: strings(&["6379/tcp"]),
            volumes: strings(&["/data"]),
            size: 117_000_000,
            ..ImageDefaults::default()
        },
        "node" => ImageDefaults {
            env: env(&[DEFAULT_PATH, "NODE_VERSION=22.14.0", "YARN_VERSION=1.22.22"]),
            entrypoint: cmd(&["docker-entrypoint.sh"]),
            cmd: cmd(&["node"]),
            size: 1_120_000_000,
            ..ImageDefaults::default()
        },
        "python" => ImageDefaults {
            env: env(&[
                "PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
                "PYTHON_VERSION=3.13.2",
                "PYTHON_SHA256=d984bcc57cd67caab26f7def42e523b1c015bbc5dc07836cf4f0b63fa159eb56",
            ]),
            cmd: cmd(&["python3"]),
            size: 1_020_000_000,
            ..ImageDefaults::default()
        },
        "golang" => ImageDefaults {
            env: env(&[
                "PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "GOLANG_VERSION=1.23.6",
                "GOTOOLCHAIN=local",
                "GOPATH=/go",
            ]),
            cmd: cmd(&["bash"]),
            working_dir: "/go".to_string(),
            size: 823_000_000,
            ..ImageDefaults::default()
        },
        _ => ImageDefaults::default(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn env(items: &[&str]) -> Vec<String> {
    strings(items)
}

fn cmd(items: &[&str]) -> Option<Vec<String>> {
    Some(strings(items))
}

fn labels(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (path, cmd, entrypoint)
    type CmdCase = (&'static str, Vec<&'static str>, Option<Vec<&'static str>>);
    /// (path, ports, working_dir, stop_signal, volumes)
    type RuntimeCase = (
        &'static str,
        Vec<&'static str>,
        &'static str,
        Option<&'static str>,
        Vec<&'static str>,
    );

    #[test]
    fn cmd_and_entrypoint() {
        let cases: Vec<CmdCase> = vec![
            ("alpine", vec!["/bin/sh"], None),
            ("library/busybox", vec!["sh"], None),
            ("ubuntu", vec!["/bin/bash"], None),
            ("debian", vec!["bash"], None),
            (
                "library/nginx",
                vec!["nginx", "-g", "daemon off;"],
                Some(vec!["/docker-entrypoint.sh"]),
            ),
            (
                "postgres",
                vec!["postgres"],
                Some(vec!["docker-entrypoint.sh"]),
            ),
            (
                "redis",
                vec!["redis-server"],
                Some(vec!["docker-entrypoint.sh"]),
            ),
            ("node", vec!["node"], Some(vec!["docker-entrypoint.sh"])),
            ("python", vec!["python3"], None),
            ("golang", vec!["bash"], None),
            ("someone/unknown", vec!["/bin/sh"], None),
        ];
        for (path, want_cmd, want_ep) in cases {
            let d = lookup(path);
            assert_eq!(d.cmd, Some(strings(&want_cmd)), "{path}");
            assert_eq!(d.entrypoint, want_ep.map(|e| strings(&e)), "{path}");
            assert_eq!(d.os, "linux");
            assert!(d.size > 0, "{path}");
            assert!(d.env.iter().any(|e| e.starts_with("PATH=")), "{path}");
        }
    }

    #[test]
    fn ports_workdir_signals_volumes() {
        let cases: Vec<RuntimeCase> = vec![
            ("nginx", vec!["80/tcp"], "", Some("SIGQUIT"), vec![]),
            (
                "postgres",
                vec!["5432/tcp"],
                "",
                Some("SIGINT"),
                vec!["/var/lib/postgresql/data"],
            ),
            ("redis", vec!["6379/tcp"], "/data", None, vec!["/data"]),
            ("golang", vec![], "/go", None, vec![]),
            ("alpine", vec![], "", None, vec![]),
            ("not/known", vec![], "", None, vec![]),
        ];
        for (path, ports, wd, sig, vols) in cases {
            let d = lookup(path);
            assert_eq!(d.exposed_ports, strings(&ports), "{path}");
            assert_eq!(d.working_dir, wd, "{path}");
            assert_eq!(d.stop_signal.as_deref(), sig, "{path}");
            assert_eq!(d.volumes, strings(&vols), "{path}");
        }
    }

    #[test]
    fn env_keys() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                "nginx",
                vec!["NGINX_VERSION=", "NJS_VERSION=", "PKG_RELEASE="],
            ),
            (
                "postgres",
                vec![
                    "GOSU_VERSION=",
                    "LANG=",
                    "PG_MAJOR=17",
                    "PG_VERSION=",
                    "PGDATA=/var/lib/postgresql/data",
                ],
            ),
            ("node", vec!["NODE_VERSION=22.", "YARN_VERSION="]),
            ("python", vec!["GPG_KEY=", "PYTHON_VERSION=3.13"]),
            (
                "golang",
                vec!["GOLANG_VERSION=1.23", "GOTOOLCHAIN=local", "GOPATH=/go"],
            ),
        ];
        for (path, keys) in cases {
            let d = lookup(path);
            for k in keys {
                assert!(d.env.iter().any(|e| e.starts_with(k)), "{path}: {k}");
            }
        }
        assert!(lookup("postgres").env[0].ends_with(":/usr/lib/postgresql/17/bin"));
        assert!(lookup("golang").env[0].starts_with("PATH=/go/bin:/usr/local/go/bin:"));
        assert_eq!(lookup("nginx").labels[0].0, "maintainer");
    }

    #[test]
    fn unknown_default() {
        assert_eq!(lookup("acme/widget"), ImageDefaults::default());
        assert_eq!(lookup("acme/widget").env, vec![DEFAULT_PATH.to_string()]);
    }
}
