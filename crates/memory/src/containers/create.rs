//! `POST /containers/create`: the request's config merged over the image's,
//! checked and planned first; then names, networks and volumes are taken under
//! the links lock, all undone if one fails.

use std::collections::{BTreeSet, HashMap};

use super::config::Config;
use super::host::HostConfig;
use super::mounts::{plan_mounts, PlannedMount};
use super::netmap::NetMap;
use super::record::{ContainerRecord, RunState, Status};
use super::validate;
use crate::backend::MemoryBackend;
use crate::ids::Id;
use crate::intern::Shared;
use crate::networks::address::EndpointAddress;
use crate::networks::check_endpoint_for_create;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::docker::names;
use sockerless_core::error::{Error, Result};

/// Merges the request's config over the image's, as Docker does.
pub(crate) fn merge_config(
    image: &docker::ContainerConfig,
    mut req: docker::ContainerConfig,
) -> docker::ContainerConfig {
    // Env: the request's entries, then the image's it does not override, in
    // order (moby's `merge`).
    let mut env = req.env.take().unwrap_or_default();
    let key = |e: &String| e.split('=').next().unwrap_or("").to_string();
    let overridden: BTreeSet<String> = env.iter().map(key).collect();
    env.extend(
        image
            .env
            .iter()
            .flatten()
            .filter(|e| !overridden.contains(&key(e)))
            .cloned(),
    );
    req.env = Some(env);
    // Entrypoint/Cmd: a new entrypoint drops the image's cmd.
    let req_has_entrypoint = req.entrypoint.as_ref().is_some_and(|e| !e.is_empty());
    if req.cmd.as_ref().is_none_or(|c| c.is_empty()) {
        req.cmd = if req_has_entrypoint {
            None
        } else {
            image.cmd.clone()
        };
    }
    if req.entrypoint.is_none() {
        req.entrypoint = image.entrypoint.clone();
    } else if req
        .entrypoint
        .as_ref()
        .is_some_and(|e| e.is_empty() || e == &[String::new()])
    {
        req.entrypoint = None;
    }
    if req.working_dir.as_deref().unwrap_or("").is_empty() {
        req.working_dir = image.working_dir.clone();
    }
    if req.user.as_deref().unwrap_or("").is_empty() {
        req.user = image.user.clone();
    }
    if req.stop_signal.is_none() {
        req.stop_signal = image.stop_signal.clone();
    }
    if req.healthcheck.is_none() {
        req.healthcheck = image.healthcheck.clone();
    }
    let mut ports = image.exposed_ports.clone().unwrap_or_default();
    ports.extend(req.exposed_ports.take().unwrap_or_default());
    req.exposed_ports = (!ports.is_empty()).then_some(ports);
    let mut volumes = image.volumes.clone().unwrap_or_default();
    volumes.extend(req.volumes.take().unwrap_or_default());
    req.volumes = (!volumes.is_empty()).then_some(volumes);
    let mut labels = image.labels.clone().unwrap_or_default();
    labels.extend(req.labels.take().unwrap_or_default());
    req.labels = Some(labels);
    if req.shell.is_none() {
        req.shell = image.shell.clone();
    }
    req
}

/// The `Config` fields Docker always reports.
pub(crate) fn fill_config_defaults(c: &mut docker::ContainerConfig) {
    c.domainname.get_or_insert_with(String::new);
    c.user.get_or_insert_with(String::new);
    c.attach_stdin.get_or_insert(false);
    c.attach_stdout.get_or_insert(false);
    c.attach_stderr.get_or_insert(false);
    c.tty.get_or_insert(false);
    c.open_stdin.get_or_insert(false);
    c.stdin_once.get_or_insert(false);
    c.working_dir.get_or_insert_with(String::new);
}

/// Checks a restart policy, as Docker does.
pub(crate) fn check_restart_policy(host: &docker::HostConfig) -> Result<()> {
    let Some(p) = &host.restart_policy else {
        return Ok(());
    };
    let retries = p.maximum_retry_count.unwrap_or(0);
    if retries < 0 {
        return Err(Error::bad_request(
            "invalid restart policy: maximum retry count cannot be negative",
        ));
    }
    let on_failure = p.name == Some(docker::RestartPolicyNameEnum::ON_FAILURE);
    if retries > 0 && !on_failure {
        return Err(Error::bad_request(
            "invalid restart policy: maximum retry count can only be used with 'on-failure'",
        ));
    }
    if host.auto_remove == Some(true)
        && !matches!(
            p.name,
            None | Some(docker::RestartPolicyNameEnum::EMPTY)
                | Some(docker::RestartPolicyNameEnum::NO)
        )
    {
        return Err(Error::bad_request(
            "can't create 'AutoRemove' container with restart policy",
        ));
    }
    Ok(())
}

/// Docker's conflict message for a taken name.
pub(crate) fn name_conflict(name: &str, holder: &str) -> Error {
    Error::conflict(format!(
        "Conflict. The container name \"/{name}\" is already in use by container \"{holder}\". You have to remove (or rename) that container to be able to reuse that name."
    ))
}

pub(crate) fn invalid_name(name: &str) -> Error {
    Error::bad_request(format!(
        "Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
    ))
}

/// (network, endpoint config) pairs of a create.
type Joins = Vec<(String, Option<docker::EndpointSettings>)>;

/// The settings of a network the container is configured for but not on (it
/// did not exist at create): no network or endpoint ID, no address.
fn unresolved_endpoint(cfg: Option<docker::EndpointSettings>) -> docker::EndpointSettings {
    let mut settings = cfg.unwrap_or_default();
    settings.network_id = Some(String::new());
    settings.endpoint_id = Some(String::new());
    EndpointAddress::Blank.write(&mut settings);
    settings
}

/// A checked create: nothing is taken yet.
pub(crate) struct CreatePlan {
    /// The record, without its name.
    record: ContainerRecord,
    /// The requested name, if any.
    name: Option<String>,
    /// (network ID, endpoint config) in join order.
    joins: Vec<(String, Option<docker::EndpointSettings>)>,
    /// (network name, endpoint config) of the networks that do not exist
    /// (yet): recorded on the container, resolved at start.
    deferred: Vec<(String, Option<docker::EndpointSettings>)>,
    /// The mounts, validated.
    mounts: Vec<PlannedMount>,
}

impl MemoryBackend {
    pub(crate) fn generate_name(&self, id: &Id) -> Result<String> {
        for retry in 0..64 {
            let name = self.with_rng(|rng| names::generate(rng, retry.min(1) * retry));
            if self.store.container_names.reserve(&name, id).is_ok() {
                return Ok(name);
            }
        }
        Err(Error::internal(
            "could not generate a unique container name",
        ))
    }

    /// Step 1 of `POST /containers/create`: checks everything and plans the
    /// record, its networks and its mounts, changing nothing.
    pub(crate) fn plan_create(
        &self,
        name: Option<String>,
        body: ContainerCreateBody,
    ) -> Result<CreatePlan> {
        let ContainerCreateBody {
            config,
            host_config,
            networking_config,
        } = body;
        let name = name.filter(|n| !n.is_empty());
        if let Some(n) = &name {
            if !names::is_valid_container_name(n) {
                return Err(invalid_name(n));
            }
        }
        let image_ref = config.image.clone().unwrap_or_default();
        if let Some(wd) = config.working_dir.as_deref() {
            if !wd.is_empty() && !wd.starts_with('/') {
                return Err(Error::bad_request(format!(
                    "the working directory '{wd}' is invalid, it needs to be an absolute path"
                )));
            }
        }
        validate::check_config(&config)?;
        if let Some(labels) = &config.labels {
            super::script::check_labels(labels)?;
        }
        let mut host_config = host_config.unwrap_or_default();
        validate::check_host_config(&host_config)?;
        super::resources::check_resources(&host_config, crate::system::host_cpus())?;
        self.check_container_refs(&host_config)?;
        check_restart_policy(&host_config)?;
        // Docker creates a container without an image (nothing to merge, no
        // image ID); it cannot start (see `container_start`).
        let (merged, image_id) = if image_ref.is_empty() {
            (config, String::new())
        } else {
            let image = self.image_resolve(&image_ref)?;
            (merge_config(&image.config, config), image.id.clone())
        };
        let mounts = plan_mounts(&host_config, merged.volumes.as_ref())?;
        let (joins, deferred) = self.plan_joins(&mut host_config, networking_config)?;
        let entry: Vec<String> = merged
            .entrypoint
            .iter()
            .flatten()
            .chain(merged.cmd.iter().flatten())
            .cloned()
            .collect();
        let (path, args) = match entry.split_first() {
            Some((p, rest)) => (p.clone(), rest.to_vec()),
            None => {
                return Err(Error::bad_request("no command specified"));
            }
        };
        let id: Id = self.new_id_for(&self.store.containers).into();
        let mut merged = merged;
        if merged.hostname.as_deref().unwrap_or("").is_empty() {
            merged.hostname = Some(id[..12].to_string());
        }
        merged.image = Some(image_ref.clone());
        fill_config_defaults(&mut merged);
        let health = merged
            .healthcheck
            .as_ref()
            .filter(|h| {
                h.test
                    .as_ref()
                    .is_some_and(|t| t.first().map(String::as_str) != Some("NONE"))
            })
            .map(|_| docker::Health {
                status: Some(docker::HealthStatusEnum::NONE),
                failing_streak: Some(0),
                log: Some(Vec::new()),
            });
        let record = ContainerRecord {
            id: id.clone(),
            name: String::new(),
            created: self.now(),
            seq: self.next_seq(),
            image: image_ref,
            image_id,
            config: Config::new(merged),
            host_config: HostConfig::new(&host_config),
            path: Shared::new(path),
            args: Shared::new(args),
            state: RunState::never_ran(Status::Created, health),
            networks: NetMap::new(),
            ports: HashMap::new(),
            mounts: Vec::new(),
            restart_count: 0,
        };
        Ok(CreatePlan {
            record,
            name,
            joins,
            deferred,
            mounts,
        })
    }

    /// The networks a create joins, as (network ID, endpoint config) in join
    /// order: the network mode's first (none for `container:<ref>`), then the
    /// other endpoints by name; and those that do not exist, by name: Docker
    /// looks networks up only at start (404 `network <name> not found` then).
    /// Normalises the network mode.
    fn plan_joins(
        &self,
        host_config: &mut docker::HostConfig,
        networking_config: Option<docker::NetworkingConfig>,
    ) -> Result<(Joins, Joins)> {
        let mode = host_config.network_mode.clone().unwrap_or_default();
        let mode = match mode.as_str() {
            "" | "default" => "bridge".to_string(),
            m => m.to_string(),
        };
        host_config.network_mode = Some(mode.clone());
        let endpoints = networking_config
            .and_then(|n| n.endpoints_config)
            .unwrap_or_default();
        let mut joins: Joins = Vec::new();
        let mut deferred: Joins = Vec::new();
        if let Some(other) = mode.strip_prefix("container:") {
            self.container_id(other)?;
        } else {
            match self.network_resolve_existing(&mode)? {
                Some(net) => {
                    let cfg = endpoints
                        .get(&mode)
                        .or_else(|| endpoints.get(&net.name))
                        .or_else(|| endpoints.get(&net.id))
                        .cloned();
                    check_endpoint_for_create(&net, cfg.as_ref())?;
                    joins.push((net.id.clone(), cfg));
                }
                None => deferred.push((mode.clone(), endpoints.get(&mode).cloned())),
            }
        }
        let mut extra: Vec<(&String, &docker::EndpointSettings)> = endpoints.iter().collect();
        extra.sort_by(|a, b| a.0.cmp(b.0));
        for (key, cfg) in extra {
            match self.network_resolve_existing(key)? {
                Some(net) => {
                    if !joins.iter().any(|(id, _)| *id == net.id) {
                        check_endpoint_for_create(&net, Some(cfg))?;
                        joins.push((net.id.clone(), Some(cfg.clone())));
                    }
                }
                None => {
                    if !deferred.iter().any(|(name, _)| name == key) {
                        deferred.push((key.clone(), Some(cfg.clone())));
                    }
                }
            }
        }
        Ok((joins, deferred))
    }

    /// Step 2: reserves the name, joins the networks and acquires the volumes
    /// under the links lock, undoing all of it when one fails; then stores the
    /// record.
    pub(crate) fn commit_create(
        &self,
        plan: CreatePlan,
    ) -> Result<docker::ContainerCreateResponse> {
        let CreatePlan {
            mut record,
            name,
            joins,
            deferred,
            mounts,
        } = plan;
        let id = record.id.clone();
        let guard = self.links();
        let bare = match &name {
            Some(n) => {
                let bare = n.strip_prefix('/').unwrap_or(n).to_string();
                self.store
                    .container_names
                    .reserve(&bare, &id)
                    .map_err(|holder| name_conflict(&bare, &holder))?;
                bare
            }
            None => self.generate_name(&id)?,
        };
        record.name = format!("/{bare}");
        let mut acquired: Vec<String> = Vec::new();
        let outcome = (|| -> Result<()> {
            // Networks first: joining can fail (host/none rules), acquiring a
            // validated volume cannot, so a failed create never creates one.
            for (net_id, cfg) in &joins {
                self.network_attach(net_id, &mut record, cfg.clone())?;
            }
            for (net_name, cfg) in &deferred {
                record
                    .networks
                    .insert(net_name, unresolved_endpoint(cfg.clone()));
            }
            for m in &mounts {
                let point = self.mount_point(m, &id, &mut acquired)?;
                record.mounts.push(Shared::new(point));
            }
            Ok(())
        })();
        if let Err(e) = outcome {
            let nets = record.networks.network_ids();
            for net_id in nets {
                self.network_detach(&net_id, &mut record);
            }
            for vol in acquired {
                self.volume_release(&vol, &id, true);
            }
            self.store.container_names.release(&bare, &id);
            return Err(e);
        }
        if self
            .store
            .containers
            .insert_new(id.clone(), record.clone())
            .is_err()
        {
            return Err(Error::internal("container ID collision"));
        }
        self.store
            .container_labels
            .insert(&id, record.labels().iter());
        drop(guard);
        self.emit_container(&record, "create", &[]);
        Ok(docker::ContainerCreateResponse {
            id: id.to_string(),
            warnings: Vec::new(),
        })
    }

    /// A planned mount made real: a volume is acquired (its name added to
    /// `acquired`, so a failed create can release it).
    fn mount_point(
        &self,
        m: &PlannedMount,
        id: &Id,
        acquired: &mut Vec<String>,
    ) -> Result<docker::MountPoint> {
        Ok(match m {
            PlannedMount::Volume {
                name,
                destination,
                rw,
                mode,
            } => {
                let vol = self.volume_acquire(name.as_deref(), id)?;
                acquired.push(vol.clone());
                docker::MountPoint {
                    typ: Some(docker::MountPointTypeEnum::VOLUME),
                    name: Some(vol.clone()),
                    source: Some(format!("/var/lib/docker/volumes/{vol}/_data")),
                    destination: Some(destination.clone()),
                    driver: Some("local".into()),
                    mode: Some(mode.clone()),
                    rw: Some(*rw),
                    propagation: Some(String::new()),
                }
            }
            PlannedMount::Bind {
                source,
                destination,
                rw,
                mode,
            } => docker::MountPoint {
                typ: Some(docker::MountPointTypeEnum::BIND),
                name: None,
                source: Some(source.clone()),
                destination: Some(destination.clone()),
                driver: None,
                mode: Some(mode.clone()),
                rw: Some(*rw),
                propagation: Some("rprivate".into()),
            },
            PlannedMount::Tmpfs { destination } => docker::MountPoint {
                typ: Some(docker::MountPointTypeEnum::TMPFS),
                name: None,
                source: Some(String::new()),
                destination: Some(destination.clone()),
                driver: None,
                mode: Some(String::new()),
                rw: Some(true),
                propagation: Some(String::new()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use sockerless_core::api::ContainerCreateBody;
    use sockerless_core::backend::prelude::*;

    use crate::test_support::backend_with_alpine;

    #[tokio::test]
    async fn a_created_container_sits_in_its_home_bucket() {
        let b = backend_with_alpine().await;
        let body: ContainerCreateBody =
            serde_json::from_value(serde_json::json!({"Image": "alpine", "Cmd": ["true"]}))
                .expect("body");
        let mut ids = Vec::new();
        for _ in 0..3_000 {
            ids.push(
                b.container_create(None, body.clone())
                    .await
                    .expect("create")
                    .id,
            );
        }
        // 32 draws all miss a free home well under 1 % of the time.
        let away = ids
            .iter()
            .filter(|id| !b.store.containers.at_home(id))
            .count();
        assert!(away <= 30, "{away} of 3 000 containers away from home");
    }
}
