//! Reading a container's output: the log so far plus a subscription to what
//! follows (logs, attach), and the timestamps of `logs --timestamps`.

use std::sync::Arc;
use std::time::SystemTime;

use super::record::ContainerRecord;
use crate::backend::MemoryBackend;
use crate::live_feed::LiveReceiver;
use crate::runtime::LogEntry;
use sockerless_core::docker::timefmt;
use sockerless_core::error::{Error, Result};

/// Docker's `RFC3339NanoFixed` (always nine fraction digits), the form of the
/// timestamp prefix of `logs --timestamps`.
pub(crate) fn rfc3339_nano_fixed(t: SystemTime) -> String {
    let secs = timefmt::rfc3339(t);
    let nanos = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}.{nanos:09}Z", secs.trim_end_matches('Z'))
}

impl MemoryBackend {
    /// The log so far, a subscription to what follows (taken together), and the
    /// container's record read *after* subscribing: an exit between an earlier
    /// read and the subscription would otherwise never be seen and a follower
    /// would hang (the record is updated before its exit is published).
    pub(crate) fn subscribe_output(
        &self,
        id: &str,
        reference: &str,
    ) -> Result<(Vec<LogEntry>, LiveReceiver, Arc<ContainerRecord>)> {
        let rt = self
            .runtime(id)
            .ok_or_else(|| Error::no_such_container(reference))?;
        let (entries, rx) = rt.snapshot_and_subscribe();
        drop(rt);
        let c = self
            .store
            .containers
            .get(id)
            .ok_or_else(|| Error::no_such_container(reference))?;
        Ok((entries, rx, c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn fixed_timestamps_have_nine_digits() {
        let t = SystemTime::UNIX_EPOCH + Duration::new(1_700_000_000, 120_000_000);
        assert_eq!(rfc3339_nano_fixed(t), "2023-11-14T22:13:20.120000000Z");
        let t = SystemTime::UNIX_EPOCH + Duration::new(1_700_000_000, 0);
        assert_eq!(rfc3339_nano_fixed(t), "2023-11-14T22:13:20.000000000Z");
    }
}
