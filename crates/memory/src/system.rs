//! The system operations (`impl SystemBackend for MemoryBackend`):
//! capabilities (the profile's), the controls' gate (`before`) and routes
//! (`extension`), `info` and `version` counted from live state, the event
//! stream, and registry login (accepted, nothing is contacted).

use std::collections::HashMap;

use async_trait::async_trait;

use crate::backend::MemoryBackend;
use crate::containers::record::Status;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::SystemBackend;
use sockerless_core::docker::timefmt;
use sockerless_core::error::Error;
use sockerless_core::error::Result;
use sockerless_core::Operation;

/// The Docker Engine version we present.
pub(crate) const ENGINE_VERSION: &str = "25.0.0";
/// The API version we speak.
pub(crate) const API_VERSION: &str = "1.44";
/// The oldest API version we accept.
pub(crate) const MIN_API_VERSION: &str = "1.24";

fn arch() -> &'static str {
    crate::images::host_architecture()
}

#[async_trait]
impl SystemBackend for MemoryBackend {
    fn capabilities(&self) -> Capabilities {
        self.controls.profile.capabilities()
    }

    /// The profile's 501s, its start latency, then the fault rules (see
    /// `controls::faults`).
    async fn before(&self, operation: Operation, reference: Option<&str>) -> Result<()> {
        // The container a reference names, so a rule for `web` matches a call
        // by ID (and the reverse).
        let resolve = |r: &str| -> Option<String> {
            operation
                .is_container_operation()
                .then(|| self.container_id(r).ok())
                .flatten()
        };
        let (delay, failure) = self.controls.admit(operation, reference, resolve)?;
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The `/memory/…` control routes (see [`crate::controls`]).
    async fn extension(&self, request: ExtensionRequest) -> Result<ExtensionResponse> {
        self.controls_extension(request)
    }

    /// `GET /info`.
    async fn info(&self) -> Result<docker::SystemInfo> {
        let (mut total, mut running, mut paused, mut stopped) = (0i64, 0i64, 0i64, 0i64);
        for c in self.store.containers.list(|_| true) {
            total += 1;
            match c.state.status {
                Status::Running | Status::Restarting => running += 1,
                Status::Paused => paused += 1,
                _ => stopped += 1,
            }
        }
        let mut runtimes = HashMap::new();
        runtimes.insert(
            "runc".to_string(),
            docker::Runtime {
                path: Some("runc".into()),
                runtime_args: None,
                status: None,
            },
        );
        Ok(docker::SystemInfo {
            id: Some(self.instance_id.clone()),
            containers: Some(total),
            containers_running: Some(running),
            containers_paused: Some(paused),
            containers_stopped: Some(stopped),
            images: Some(self.store.images.len() as i64),
            driver: Some("overlay2".into()),
            driver_status: Some(Vec::new()),
            docker_root_dir: Some("/var/lib/docker".into()),
            memory_limit: Some(true),
            swap_limit: Some(true),
            cpu_cfs_period: Some(true),
            cpu_cfs_quota: Some(true),
            cpu_shares: Some(true),
            cpu_set: Some(true),
            pids_limit: Some(true),
            oom_kill_disable: Some(false),
            ipv4_forwarding: Some(true),
            bridge_nf_iptables: Some(true),
            bridge_nf_ip6tables: Some(true),
            debug: Some(false),
            nfd: Some(0),
            n_goroutines: Some(0),
            system_time: Some(timefmt::rfc3339_nano(self.now())),
            logging_driver: Some("json-file".into()),
            cgroup_driver: Some(docker::SystemInfoCgroupDriverEnum::SYSTEMD),
            cgroup_version: Some(docker::SystemInfoCgroupVersionEnum::_2),
            n_events_listener: Some(0),
            kernel_version: Some("sockerless-memory".into()),
            operating_system: Some("Sockerless (memory backend)".into()),
            os_version: Some(env!("CARGO_PKG_VERSION").into()),
            os_type: Some("linux".into()),
            architecture: Some(std::env::consts::ARCH.into()),
            ncpu: Some(host_cpus()),
            mem_total: Some(mem_total()),
            index_server_address: Some("https://index.docker.io/v1/".into()),
            name: Some("sockerless-memory".into()),
            labels: Some(Vec::new()),
            experimental_build: Some(false),
            server_version: Some(ENGINE_VERSION.into()),
            runtimes: Some(runtimes),
            default_runtime: Some("runc".into()),
            swarm: Some(docker::SwarmInfo {
                node_id: Some(String::new()),
                node_addr: Some(String::new()),
                local_node_state: Some(docker::LocalNodeState::INACTIVE),
                control_available: Some(false),
                error: Some(String::new()),
                remote_managers: None,
                nodes: None,
                managers: None,
                cluster: None,
            }),
            live_restore_enabled: Some(false),
            isolation: None,
            init_binary: Some("docker-init".into()),
            security_options: Some(Vec::new()),
            warnings: Some(Vec::new()),
            ..Default::default()
        })
    }

    /// `GET /version`.
    async fn version(&self) -> Result<docker::SystemVersion> {
        Ok(docker::SystemVersion {
            platform: Some(docker::SystemVersionPlatform {
                name: "Sockerless (memory backend)".into(),
            }),
            components: Some(vec![
                docker::SystemVersionComponents {
                    name: "Engine".into(),
                    version: ENGINE_VERSION.into(),
                    details: None,
                },
                docker::SystemVersionComponents {
                    name: "sockerless-backend-memory".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    details: None,
                },
            ]),
            version: Some(ENGINE_VERSION.into()),
            api_version: Some(API_VERSION.into()),
            min_api_version: Some(MIN_API_VERSION.into()),
            git_commit: Some("sockerless".into()),
            go_version: Some("none (Rust)".into()),
            os: Some("linux".into()),
            arch: Some(arch().into()),
            kernel_version: Some("sockerless-memory".into()),
            experimental: Some(false),
            build_time: Some(String::new()),
        })
    }

    /// `GET /events` (see `events`).
    async fn events(&self, options: EventsOptions) -> Result<BoxStream<docker::EventMessage>> {
        self.events_stream(options)
    }

    /// `POST /auth`: any username and password (or identity token) log in.
    async fn auth(&self, c: AuthConfig) -> Result<AuthResponse> {
        let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        let has_credentials = present(&c.username) && present(&c.password);
        if !has_credentials && !present(&c.identity_token) {
            return Err(Error::bad_request("username and password are required"));
        }
        Ok(AuthResponse {
            status: "Login Succeeded".to_string(),
            identity_token: String::new(),
        })
    }
}

/// Total memory from /proc/meminfo (bytes), 0 when unknown.
fn mem_total() -> i64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<i64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// The CPUs of the simulated host (`NCPU`): those of the machine it runs on,
/// counted once per process, as Docker does at start-up (Go's
/// `runtime.NumCPU`). Every create checks `NanoCpus` against it, and counting
/// reads three cgroup files (`available_parallelism`).
pub(crate) fn host_cpus() -> i64 {
    static CPUS: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *CPUS.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| i64::try_from(n.get()).unwrap_or(i64::MAX))
            .unwrap_or(1)
    })
}
