//! A container's files through the API: path stat, archive get and put
//! (`docker cp`), export, changes (`docker diff`) and commit, with Docker's
//! errors. Every check that can refuse a request runs before anything is
//! stored; an extraction runs in one transaction of the view.

use std::collections::HashMap;

use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::record::ContainerRecord;
use crate::backend::MemoryBackend;
use crate::fs::extract::{extract, Options};
use crate::fs::{path, tar_in, tar_out, Change, Entry, FsError, Kind, Tree};
use crate::ids::hex;
use crate::images::record::ImageRecord;
use crate::images::reference::{parse_repo_tag, ref_err};
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::docker::timefmt::rfc3339_nano;
use sockerless_core::error::{Error, Result};

/// Most entries one archive or export may hold.
const MAX_ENTRIES: usize = 1_000_000;

/// Docker's message for an empty `path`.
fn empty_path() -> Error {
    Error::bad_request("bad parameter: pathcannot be empty")
}

/// An fs error in Docker's words for `path` of container `reference`.
fn fs_err(e: FsError, reference: &str, asked: &str) -> Error {
    match e {
        FsError::NotFound(_) => Error::not_found(format!(
            "Could not find the file {asked} in container {reference}"
        )),
        FsError::NotDir(_) => Error::bad_request(format!("lstat {asked}: not a directory")),
        other => Error::bad_request(other.to_string()),
    }
}

/// A user spec (`1000`, `1000:50`, `root`, `nobody:nogroup`) as numeric ids.
fn user_ids(user: &str) -> Result<(u32, u32)> {
    fn id(name: &str) -> Option<u32> {
        name.parse().ok().or(match name {
            "root" => Some(0),
            "daemon" => Some(1),
            "bin" => Some(2),
            "sys" => Some(3),
            "www-data" => Some(33),
            "nobody" | "nogroup" => Some(65534),
            _ => None,
        })
    }
    let (u, g) = user
        .split_once(':')
        .map_or((user, None), |(u, g)| (u, Some(g)));
    let uid = id(u).ok_or_else(|| {
        Error::bad_request(format!(
            "unable to find user {u}: no matching entries in passwd file"
        ))
    })?;
    let gid = match g {
        Some(g) => id(g).ok_or_else(|| {
            Error::bad_request(format!(
                "unable to find group {g}: no matching entries in group file"
            ))
        })?,
        None => uid,
    };
    Ok((uid, gid))
}

/// The name Docker gives a path (Go's `filepath.Base` of it, keeping a
/// trailing `/.`): `/etc/.` → `.`, `/` → `/`, `/etc/` → `etc`.
fn base_name(asked: &str) -> String {
    if asked.ends_with("/.") || asked == "." {
        return ".".into();
    }
    match path::clean(asked) {
        Ok(k) if k.is_empty() => "/".into(),
        Ok(k) => path::base(&k).to_string(),
        Err(_) => asked.to_string(),
    }
}

/// The stat Docker reports for `entry` asked as `asked`.
fn path_stat(asked: &str, entry: &Entry, link_target: String) -> PathStat {
    let name = base_name(asked);
    PathStat {
        name,
        size: i64::try_from(entry.size()).unwrap_or(i64::MAX),
        mode: entry.go_mode(),
        mtime: rfc3339_nano(entry.mtime),
        link_target,
    }
}

impl MemoryBackend {
    fn stat_in(
        &self,
        c: &ContainerRecord,
        reference: &str,
        p: &str,
    ) -> Result<(String, Entry, PathStat)> {
        if p.is_empty() {
            return Err(empty_path());
        }
        let view = self.container_view(c, false);
        view.read(|tx| {
            let (key, entry) = tx.stat(p, false)?;
            let link = match entry.kind {
                Kind::Symlink(_) => path::absolute(&tx.resolve(p, true)?),
                _ => String::new(),
            };
            let stat = path_stat(p, &entry, link);
            Ok((key, entry, stat))
        })
        .map_err(|e| fs_err(e, reference, p))
    }

    /// `HEAD /containers/{ref}/archive`.
    pub(crate) fn archive_stat(&self, reference: &str, p: &str) -> Result<PathStat> {
        let c = self.container(reference)?;
        Ok(self.stat_in(&c, reference, p)?.2)
    }

    /// `GET /containers/{ref}/archive`: the entry at `p` (a symlink itself),
    /// named by its last component (`.` for `dir/.`, which copies contents;
    /// `/` for the root, as Docker).
    pub(crate) fn archive_get(&self, reference: &str, p: &str) -> Result<PathArchive> {
        let c = self.container(reference)?;
        let (key, entry, stat) = self.stat_in(&c, reference, p)?;
        let top = stat.name.clone();
        let view = self.container_view(&c, false);
        let tar = view
            .read(|tx| {
                let mut items: Vec<(String, Entry)> = vec![(top.clone(), entry.clone())];
                if entry.is_dir() {
                    for (k, e) in tx.walk(&key, MAX_ENTRIES)? {
                        let rel = if key.is_empty() {
                            k.as_str()
                        } else {
                            &k[key.len() + 1..]
                        };
                        let sep = if top.ends_with('/') { "" } else { "/" };
                        items.push((format!("{top}{sep}{rel}"), e));
                    }
                }
                tar_out::write(items.iter().map(|(n, e)| (n.clone(), e)))
            })
            .map_err(|e| fs_err(e, reference, p))?;
        Ok(PathArchive {
            stat,
            tar: Bytes::from(tar),
        })
    }

    /// `PUT /containers/{ref}/archive`: the archive is read and checked
    /// whole before the container's files change; then it is extracted in
    /// one transaction.
    pub(crate) fn archive_put(
        &self,
        reference: &str,
        o: ArchivePutOptions,
        tar: Bytes,
    ) -> Result<()> {
        let c = self.container(reference)?;
        if o.path.is_empty() {
            return Err(empty_path());
        }
        let members = tar_in::read_members(&tar).map_err(|e| Error::bad_request(e.to_string()))?;
        let user = c.config.user.as_deref().unwrap_or("");
        let chown = if o.copy_uid_gid && !user.is_empty() {
            Some(user_ids(user)?)
        } else {
            None
        };
        let options = Options {
            no_overwrite_dir_non_dir: o.no_overwrite_dir_non_dir,
            chown,
        };
        // Refuse a bad extraction point before a layer is kept for the container.
        let (_, dest, _) = self.stat_in(&c, reference, &o.path)?;
        if !dest.is_dir() && !matches!(dest.kind, Kind::Symlink(_)) {
            return Err(Error::bad_request("extraction point is not a directory"));
        }
        let view = self.container_view(&c, true);
        view.write(self.now(), |tx| {
            let (key, entry) = tx.stat(&o.path, true)?;
            if !entry.is_dir() {
                return Err(FsError::Invalid(
                    "extraction point is not a directory".into(),
                ));
            }
            extract(tx, &key, members, options)
        })
        .map_err(|e| fs_err(e, reference, &o.path))
    }

    /// `GET /containers/{ref}/export`: the merged files, without mounts.
    pub(crate) fn export(&self, reference: &str) -> Result<Bytes> {
        let c = self.container(reference)?;
        let mut view = self.container_view(&c, false);
        view.mounts.clear();
        let tar = view
            .read(|tx| {
                let items = tx.walk("", MAX_ENTRIES)?;
                tar_out::write(items.iter().map(|(k, e)| (k.clone(), e)))
            })
            .map_err(|e| Error::bad_request(e.to_string()))?;
        Ok(Bytes::from(tar))
    }

    /// `GET /containers/{ref}/changes`.
    pub(crate) fn changes(&self, reference: &str) -> Result<Vec<docker::FilesystemChange>> {
        let c = self.container(reference)?;
        let view = self.container_view(&c, false);
        let changes = view
            .read(|tx| Ok(tx.root_layer().changes()))
            .map_err(|e| Error::bad_request(e.to_string()))?;
        Ok(changes
            .into_iter()
            .map(|(k, change)| docker::FilesystemChange {
                path: path::absolute(&k),
                kind: match change {
                    Change::Modified => docker::ChangeType::_0,
                    Change::Added => docker::ChangeType::_1,
                    Change::Deleted => docker::ChangeType::_2,
                },
            })
            .collect())
    }

    /// `POST /commit`: a new image holding the container's files, its config
    /// (with the body's and `changes`' overrides) and one more layer.
    pub(crate) fn commit(&self, o: CommitOptions) -> Result<IdResponse> {
        let c = self.container(&o.container)?;
        let tag = match o.repo.as_deref().filter(|r| !r.is_empty()) {
            Some(repo) => {
                Some(parse_repo_tag(repo, o.tag.as_deref().unwrap_or("")).map_err(ref_err)?)
            }
            None => None,
        };
        let mut config = c.config.to_docker();
        config.image = None;
        if let Some(body) = &o.config {
            merge_config(&mut config, body);
        }
        for change in &o.changes {
            apply_change(&mut config, change)?;
        }
        let view = self.container_view(&c, false);
        let (tree, diff) = view
            .read(|tx| {
                let layer = tx.root_layer();
                let tree: Tree = layer.flatten();
                let mut items: Vec<(String, Entry)> = Vec::new();
                for (k, change) in layer.changes() {
                    match (change, tree.get(&k)) {
                        (Change::Deleted, _) => {
                            let wh =
                                path::join(path::parent(&k), &format!(".wh.{}", path::base(&k)));
                            items.push((wh, Entry::file(Bytes::new(), 0o644, self.now())));
                        }
                        (_, Some(e)) => items.push((k.clone(), e.clone())),
                        (_, None) => {}
                    }
                }
                let diff = tar_out::write(items.iter().map(|(n, e)| (n.clone(), e)))?;
                Ok((tree, diff))
            })
            .map_err(|e| Error::bad_request(e.to_string()))?;
        let parent = self.store.images.get(&c.image_id);
        let diff_id = format!("sha256:{}", hex(&Sha256::digest(&diff)));
        let now = self.now();
        let mut layers = parent
            .as_ref()
            .map(|p| p.layers.clone())
            .unwrap_or_default();
        layers.push(diff_id);
        let identity = serde_json::json!({
            "config": &config, "layers": &layers, "parent": &c.image_id,
            "created": rfc3339_nano(now), "comment": &o.comment, "author": &o.author,
        });
        let id = format!(
            "sha256:{}",
            hex(&Sha256::digest(identity.to_string().as_bytes()))
        );
        let record = ImageRecord {
            id: id.clone(),
            repo_tags: Vec::new(),
            repo_digests: Vec::new(),
            created: now,
            size: parent.as_ref().map_or(0, |p| p.size) + i64::try_from(diff.len()).unwrap_or(0),
            config,
            os: parent
                .as_ref()
                .map_or_else(|| "linux".into(), |p| p.os.clone()),
            architecture: parent.as_ref().map_or_else(
                || crate::images::host_architecture().into(),
                |p| p.architecture.clone(),
            ),
            variant: parent.as_ref().and_then(|p| p.variant.clone()),
            layers,
            last_tag_time: None,
        };
        self.store.files.set_image(&id, tree);
        {
            let _links = self.links();
            self.store.images.put(id.clone(), record);
            if let Some(t) = &tag {
                self.attach_tag(t, &id, Some(now));
            }
        }
        Ok(IdResponse { id })
    }
}

/// The body's non-empty fields over the container's config.
fn merge_config(config: &mut docker::ContainerConfig, body: &docker::ContainerConfig) {
    macro_rules! take {
        ($($f:ident),*) => {$(
            if body.$f.is_some() {
                config.$f = body.$f.clone();
            }
        )*};
    }
    take!(
        cmd,
        entrypoint,
        env,
        working_dir,
        user,
        labels,
        exposed_ports,
        volumes,
        stop_signal,
        healthcheck
    );
}

/// One `--change` Dockerfile instruction (`CMD`, `ENTRYPOINT`, `ENV`,
/// `WORKDIR`, `USER`, `LABEL`, `EXPOSE`, `VOLUME`, `STOPSIGNAL`).
fn apply_change(config: &mut docker::ContainerConfig, change: &str) -> Result<()> {
    let (word, rest) = change
        .trim()
        .split_once(char::is_whitespace)
        .unwrap_or((change.trim(), ""));
    let rest = rest.trim();
    let list = || -> Vec<String> {
        serde_json::from_str::<Vec<String>>(rest)
            .unwrap_or_else(|_| vec!["/bin/sh".into(), "-c".into(), rest.to_string()])
    };
    let pairs = || -> Vec<(String, String)> {
        rest.split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
            .collect()
    };
    match word.to_ascii_uppercase().as_str() {
        "CMD" => config.cmd = Some(list()),
        "ENTRYPOINT" => config.entrypoint = Some(list()),
        "WORKDIR" => config.working_dir = Some(rest.to_string()),
        "USER" => config.user = Some(rest.to_string()),
        "STOPSIGNAL" => config.stop_signal = Some(rest.to_string()),
        "ENV" => {
            let env = config.env.get_or_insert_with(Vec::new);
            for (k, v) in pairs() {
                env.retain(|e| e.split_once('=').map_or(e.as_str(), |(ek, _)| ek) != k);
                env.push(format!("{k}={v}"));
            }
        }
        "LABEL" => {
            let labels = config.labels.get_or_insert_with(HashMap::new);
            labels.extend(pairs());
        }
        "EXPOSE" => {
            let ports = config.exposed_ports.get_or_insert_with(HashMap::new);
            for p in rest.split_whitespace() {
                let p = if p.contains('/') {
                    p.to_string()
                } else {
                    format!("{p}/tcp")
                };
                ports.insert(p, HashMap::new());
            }
        }
        "VOLUME" => {
            let vols = config.volumes.get_or_insert_with(HashMap::new);
            for v in serde_json::from_str::<Vec<String>>(rest)
                .unwrap_or_else(|_| rest.split_whitespace().map(str::to_string).collect())
            {
                vols.insert(v, HashMap::new());
            }
        }
        other => {
            return Err(Error::bad_request(format!(
                "{other} is not a valid change command"
            )))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_as_docker() {
        for (asked, want) in [
            ("/etc/.", "."),
            ("/", "/"),
            ("/etc/", "etc"),
            ("etc/hosts", "hosts"),
        ] {
            assert_eq!(base_name(asked), want, "{asked}");
        }
    }

    #[test]
    fn users() {
        assert_eq!(user_ids("1000").unwrap(), (1000, 1000));
        assert_eq!(user_ids("1000:50").unwrap(), (1000, 50));
        assert_eq!(user_ids("nobody:nogroup").unwrap(), (65534, 65534));
        assert!(user_ids("ghost").is_err());
    }

    #[test]
    fn changes() {
        let mut c = docker::ContainerConfig::default();
        apply_change(&mut c, "CMD [\"echo\",\"hi\"]").unwrap();
        apply_change(&mut c, "ENV A=1 B=2").unwrap();
        apply_change(&mut c, "EXPOSE 80").unwrap();
        assert_eq!(c.cmd, Some(vec!["echo".to_string(), "hi".to_string()]));
        assert_eq!(c.env, Some(vec!["A=1".to_string(), "B=2".to_string()]));
        assert!(c.exposed_ports.as_ref().unwrap().contains_key("80/tcp"));
        assert!(apply_change(&mut c, "RUN x").is_err());
    }
}
