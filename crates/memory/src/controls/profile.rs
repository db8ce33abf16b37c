//! Profiles: which backend the memory backend pretends to be (its capabilities,
//! its 501s and its typical start latency).
//!
//! ```
//! use sockerless_memory::controls::Profile;
//! assert_eq!(Profile::parse("lambda").unwrap().capabilities().capabilities.max_timeout_seconds, 900);
//! assert!(Profile::parse("heroku").is_err());
//! ```

use std::time::Duration;

use sockerless_core::api::{Capabilities, CapabilitySet};

/// Which backend the memory backend pretends to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// The memory backend itself: the seed's capabilities.
    #[default]
    Memory,
    /// A local Docker Engine: everything, no agent.
    Docker,
    /// AWS ECS (Fargate).
    Ecs,
    /// Google Cloud Run.
    CloudRun,
    /// Azure Container Apps.
    Aca,
    /// AWS Lambda.
    Lambda,
    /// Google Cloud Functions.
    Gcf,
    /// Azure Functions.
    Azf,
}

impl Profile {
    /// Every profile's name.
    pub const NAMES: &'static [&'static str] = &[
        "memory", "docker", "ecs", "cloudrun", "aca", "lambda", "gcf", "azf",
    ];

    /// Parses a profile name.
    pub fn parse(s: &str) -> std::result::Result<Profile, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "memory" => Profile::Memory,
            "docker" => Profile::Docker,
            "ecs" => Profile::Ecs,
            "cloudrun" => Profile::CloudRun,
            "aca" => Profile::Aca,
            "lambda" => Profile::Lambda,
            "gcf" => Profile::Gcf,
            "azf" => Profile::Azf,
            other => {
                return Err(format!(
                    "unknown profile {other:?} (use one of {})",
                    Self::NAMES.join(", ")
                ))
            }
        })
    }

    /// The profile's name.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Memory => "memory",
            Profile::Docker => "docker",
            Profile::Ecs => "ecs",
            Profile::CloudRun => "cloudrun",
            Profile::Aca => "aca",
            Profile::Lambda => "lambda",
            Profile::Gcf => "gcf",
            Profile::Azf => "azf",
        }
    }

    fn is_faas(self) -> bool {
        matches!(self, Profile::Lambda | Profile::Gcf | Profile::Azf)
    }

    /// What `GET /capabilities` answers under this profile.
    pub fn capabilities(self) -> Capabilities {
        let mut caps = Capabilities::memory();
        if self != Profile::Memory {
            caps.backend = self.name().into();
            caps.capabilities = self.capability_set();
        }
        caps
    }

    /// The flags of [`Profile::capabilities`], without building the rest
    /// (every operation's admission checks one of them).
    pub fn capability_set(self) -> CapabilitySet {
        if self == Profile::Memory {
            return CapabilitySet::MEMORY;
        }
        let faas = self.is_faas();
        CapabilitySet {
            exec: !faas,
            attach: !faas,
            logs: true,
            logs_follow: !faas,
            volumes: !faas,
            networks: !faas,
            health_checks: !faas,
            image_pull: true,
            image_load: !faas,
            archive: !faas,
            max_timeout_seconds: match self {
                Profile::Lambda => 900,
                Profile::Gcf => 3600,
                Profile::Azf => 600,
                _ => 0,
            },
            agent_required: matches!(self, Profile::Ecs | Profile::CloudRun | Profile::Aca),
        }
    }

    /// The typical container start latency of the backend (added with
    /// `--profile-latency`).
    pub(crate) fn start_latency(self) -> Duration {
        Duration::from_secs(match self {
            Profile::Memory | Profile::Docker => 0,
            Profile::Ecs => 30,
            Profile::CloudRun => 10,
            Profile::Aca => 20,
            Profile::Lambda => 1,
            Profile::Gcf => 2,
            Profile::Azf => 3,
        })
    }
}
