//! Finding containers: by reference (ID, name, unique prefix), the containers
//! a create refers to (`VolumesFrom`, `Links`), and how many use each image.

use std::collections::HashMap;
use std::sync::Arc;

use super::cold::ColdObjects;
use super::record::ContainerRecord;
use crate::backend::MemoryBackend;
use crate::runtime::ContainerRuntime;
use crate::table::Resolution;
use sockerless_core::api::docker;
use sockerless_core::error::{Error, Result};

impl MemoryBackend {
    /// The containers a create's `VolumesFrom` and `Links` name must exist
    /// (400, in Docker's words: `No such container: <name>`, `could not get
    /// container for <name>: No such container: <name>`).
    pub(crate) fn check_container_refs(&self, host: &docker::HostConfig) -> Result<()> {
        for entry in host.volumes_from.iter().flatten() {
            let name = entry.split(':').next().unwrap_or_default();
            self.container_id(name)
                .map_err(|_| Error::bad_request(format!("No such container: {name}")))?;
        }
        for entry in host.links.iter().flatten() {
            let name = entry.split(':').next().unwrap_or_default();
            self.container_id(name).map_err(|_| {
                Error::bad_request(format!(
                    "could not get container for {name}: No such container: {name}"
                ))
            })?;
        }
        Ok(())
    }

    /// Resolves a container reference: full ID, name (with or without `/`), or
    /// unique ID prefix.
    pub(crate) fn container_id(&self, reference: &str) -> Result<String> {
        Self::container_found(
            reference,
            self.store
                .containers
                .resolve(reference, Some(&self.store.container_names)),
        )
    }

    /// The record of a container reference (resolved as [`Self::container_id`]).
    pub(crate) fn container(&self, reference: &str) -> Result<Arc<ContainerRecord>> {
        Self::container_found(
            reference,
            self.store
                .containers
                .find(reference, Some(&self.store.container_names)),
        )
    }

    /// As [`Self::container`], for an inspect, which reads most of the record:
    /// the cold objects it reads first asked for in the lookup, the others'
    /// addresses given with it (`Table::find_warm`).
    pub(crate) fn container_to_inspect(
        &self,
        reference: &str,
    ) -> Result<(Arc<ContainerRecord>, ColdObjects)> {
        Self::container_found(
            reference,
            self.store
                .containers
                .find_warm(reference, Some(&self.store.container_names)),
        )
    }

    /// A container resolution as a result, with Docker's errors.
    fn container_found<F>(reference: &str, resolution: Resolution<F>) -> Result<F> {
        match resolution {
            Resolution::Found(found) => Ok(found),
            Resolution::NotFound => Err(Error::no_such_container(reference)),
            Resolution::Ambiguous(_) => Err(Error::bad_request(format!(
                "multiple IDs found with provided prefix: {reference}"
            ))),
        }
    }

    /// The live side of container `id`, made at its first need; `None` when
    /// the container does not exist.
    pub(crate) fn runtime(&self, id: &str) -> Option<Arc<ContainerRuntime>> {
        self.runtimes.get_or_make(id, self.options.log_limit, || {
            let c = self.store.containers.get(id)?;
            Some(c.wait_state(false, c.ended_runs()))
        })
    }

    /// How many containers use each image, in one pass over the containers
    /// (listing or pruning N images asks for every image at once).
    pub(crate) fn containers_per_image(&self) -> HashMap<String, usize> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for c in self.store.containers.list(|_| true) {
            *counts.entry(c.image_id.clone()).or_default() += 1;
        }
        counts
    }
}
