//! The event hub: every action on a container, image, network or volume is
//! recorded (a bounded history, for `since`) and broadcast to live subscribers.
//! The hub itself ([`hub`]) knows nothing of the backend; this module emits
//! into it and serves `GET /events` from it.

pub(crate) mod hub;
mod recorded;

pub(crate) use recorded::Kind;
use recorded::Recorded;

#[cfg(test)]
use hub::{EventHub, HISTORY};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use tokio::sync::broadcast;

use crate::backend::MemoryBackend;
use crate::images::reference::Reference;
use sockerless_core::api::docker::EventMessage;
use sockerless_core::api::{BoxStream, EventsOptions, Filters};
use sockerless_core::docker::timefmt::parse_timestamp;
use sockerless_core::error::{Error, Result};

impl MemoryBackend {
    /// Emits a Docker-shaped event now.
    pub(crate) fn emit(
        &self,
        kind: Kind,
        action: &str,
        id: &str,
        attributes: HashMap<String, String>,
    ) {
        let pairs = attributes.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        self.emit_pairs(kind, action, id, pairs);
    }

    /// [`Self::emit`] with the attributes as (key, value) pairs (of equal
    /// keys the last counts), kept as they are until a subscriber reads them.
    pub(crate) fn emit_pairs<'a>(
        &self,
        kind: Kind,
        action: &str,
        id: &str,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        let nanos = self
            .now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        self.events
            .publish(Recorded::new(kind, action, id, attributes, nanos));
    }

    /// `GET /events`, as Docker: without `since`/`until` only live events;
    /// with either, first the stored history in `[since, until]` (Docker
    /// replays the whole history when only `until` is given), then live
    /// events. The stream ends at once when `until` is past, otherwise when
    /// `until` is reached. Live events are not held to `since` (Docker does not
    /// either).
    pub(crate) fn events_stream(&self, options: EventsOptions) -> Result<BoxStream<EventMessage>> {
        let now = self.now();
        let since = parse_time(options.since.as_deref(), now)?;
        let until = parse_time(options.until.as_deref(), now)?;
        if let (Some(s), Some(u)) = (since, until) {
            if u < s {
                return Err(Error::bad_request(format!(
                    "`since` time ({}) cannot be after `until` time ({})",
                    options.since.as_deref().unwrap_or_default(),
                    options.until.as_deref().unwrap_or_default()
                )));
            }
        }
        let filter = EventFilter::new(options.filters);
        let since_nanos = since.map(unix_nanos);
        let until_nanos = until.map(unix_nanos);
        let (history, rx) = self.events.subscribe();
        let past: Vec<EventMessage> = if since.is_some() || until.is_some() {
            history
                .iter()
                .filter(|ev| {
                    let t = i128::from(ev.time_nano());
                    since_nanos.is_none_or(|s| t >= s)
                        && until_nanos.is_none_or(|u| t <= u)
                        && filter.include(ev)
                })
                .map(|ev| ev.to_message())
                .collect()
        } else {
            Vec::new()
        };
        drop(history);
        let head = futures_util::stream::iter(past);
        if until.is_some_and(|u| u < now) {
            return Ok(Box::pin(head));
        }
        let deadline = until.and_then(|u| {
            let left = u.duration_since(now).unwrap_or_default();
            tokio::time::Instant::now().checked_add(left)
        });
        let live = Live {
            rx,
            filter,
            until: until_nanos,
            deadline,
        };
        let tail = futures_util::stream::unfold(live, |mut live| async move {
            live.next().await.map(|ev| (ev, live))
        });
        Ok(Box::pin(head.chain(tail)))
    }
}

/// Actions Docker writes as `action: detail` (e.g. `exec_start: sh -c ls`); a
/// filter on the bare action matches them.
fn action_matches(filters: &Filters, action: &str) -> bool {
    let values = filters.get("event");
    if values.is_empty() {
        return true;
    }
    let head = action.split_once(':').map_or(action, |(head, _)| head);
    values.iter().any(|v| *v == action || *v == head)
}

/// Docker's `stripTag`: the familiar repository name of a reference, or the
/// string itself when it is not one.
fn strip_tag(s: &str) -> String {
    Reference::parse(s).map_or_else(|_| s.to_string(), |r| r.familiar_name())
}

/// The familiar spelling of a reference (`docker.io/library/nginx:1` →
/// `nginx:1`), or the string itself when it is not one.
fn familiar(s: &str) -> String {
    Reference::parse(s).map_or_else(|_| s.to_string(), |r| r.familiar())
}

/// Docker's event filter (`daemon/events/filter.go`): values of one key are
/// alternatives, keys must all match.
#[derive(Debug, Clone)]
pub(crate) struct EventFilter {
    filters: Filters,
}

impl EventFilter {
    /// The filter of `GET /events`. Docker 26 checks neither its keys nor
    /// its `type` values: an unknown key is ignored, an unknown type matches
    /// nothing.
    pub(crate) fn new(filters: Filters) -> Self {
        EventFilter { filters }
    }

    /// Whether `ev` passes every filter (read as it is recorded: an event a
    /// filter leaves out is never made into a message).
    pub(crate) fn include(&self, ev: &Recorded) -> bool {
        let f = &self.filters;
        let typ = ev.kind().name();
        action_matches(f, ev.action())
            && f.exact_match("type", typ)
            && f.exact_match("scope", ev.scope())
            && self.by_name("container", typ, ev)
            && self.by_name("network", typ, ev)
            && self.by_name("volume", typ, ev)
            && self.by_name("daemon", typ, ev)
            && self.by_name("plugin", typ, ev)
            && self.by_name("service", typ, ev)
            && self.by_name("node", typ, ev)
            && self.by_name("secret", typ, ev)
            && self.by_name("config", typ, ev)
            && self.image(typ, ev)
            && f.match_kv_with("label", |k| ev.attribute(k))
    }

    /// Docker's `fuzzyMatchName`: an ID or `name` prefix, for events of the
    /// filter's own type only.
    fn by_name(&self, key: &str, typ: &str, ev: &Recorded) -> bool {
        if self.filters.get(key).is_empty() {
            return true;
        }
        if typ != key {
            return false;
        }
        [Some(ev.id()), ev.attribute("name")]
            .into_iter()
            .flatten()
            .any(|s| self.filters.fuzzy_match(key, s))
    }

    /// Docker's `matchImage`: the actor ID and the image name (`image`
    /// attribute of a container event, `name` of an image event), each as
    /// written and as its familiar repository name. Beyond Docker, both sides
    /// are also compared in their familiar form, so any spelling of a
    /// reference matches.
    fn image(&self, typ: &str, ev: &Recorded) -> bool {
        let values = self.filters.get("image");
        if values.is_empty() {
            return true;
        }
        let attr = match typ {
            "image" => "name",
            "container" => "image",
            _ => return false,
        };
        let candidates: Vec<String> = [Some(ev.id()), ev.attribute(attr)]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .flat_map(|s| [s.to_string(), strip_tag(s), familiar(s)])
            .collect();
        values.iter().any(|v| {
            let wanted = familiar(v);
            candidates.iter().any(|c| c == v || *c == wanted)
        })
    }
}

/// A time in Unix nanoseconds (negative before the epoch).
fn unix_nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// Parses `since`/`until` with Docker's words on failure.
fn parse_time(value: Option<&str>, now: SystemTime) -> Result<Option<SystemTime>> {
    value
        .map(|s| {
            // Docker's `ParseTimestamps` words (it answers 500; bad input
            // stays a 400 here).
            parse_timestamp(s, now).map_err(|_| {
                Error::bad_request(format!("strconv.ParseInt: parsing {s:?}: invalid syntax"))
            })
        })
        .transpose()
}

/// What the live part of a stream needs.
struct Live {
    rx: broadcast::Receiver<Arc<Recorded>>,
    filter: EventFilter,
    /// `until` in Unix nanoseconds: a later event ends the stream.
    until: Option<i128>,
    /// When `until` is reached (none for a time beyond tokio's range).
    deadline: Option<tokio::time::Instant>,
}

impl Live {
    /// The next matching live event; `None` once `until` is reached or the
    /// hub is gone. Events lost to lag are skipped.
    async fn next(&mut self) -> Option<EventMessage> {
        loop {
            let received = match self.deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, self.rx.recv())
                    .await
                    .ok()?,
                None => self.rx.recv().await,
            };
            match received {
                Ok(ev) => {
                    if self.until.is_some_and(|u| i128::from(ev.time_nano()) > u) {
                        return None;
                    }
                    if self.filter.include(&ev) {
                        return Some(ev.to_message());
                    }
                }
                Err(broadcast::error::RecvError::Lagged(lost)) => {
                    tracing::warn!(lost, "events subscriber lagged; skipping lost events");
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::time::Duration;

    fn event(kind: Kind, action: &str, id: &str, attrs: &[(&str, &str)]) -> Recorded {
        Recorded::new(kind, action, id, attrs.iter().copied(), 1_000_000_000)
    }

    fn filter(json: &str) -> EventFilter {
        EventFilter::new(Filters::parse_any(Some(json)).expect("filters"))
    }

    fn id(ev: &EventMessage) -> String {
        ev.actor
            .as_ref()
            .and_then(|a| a.id.clone())
            .unwrap_or_default()
    }

    async fn next(s: &mut BoxStream<EventMessage>) -> Option<EventMessage> {
        tokio::time::timeout(Duration::from_secs(10), s.next())
            .await
            .expect("an item within the deadline")
    }

    #[test]
    fn event_filter_matches_the_action_before_the_colon() {
        let ev = event(Kind::Container, "exec_start: sh -c ls", "c1", &[]);
        assert!(filter(r#"{"event":["exec_start"]}"#).include(&ev));
        assert!(filter(r#"{"event":["exec_start: sh -c ls"]}"#).include(&ev));
        assert!(!filter(r#"{"event":["exec_create"]}"#).include(&ev));
        assert!(!filter(r#"{"event":["exec"]}"#).include(&ev));
    }

    #[test]
    fn container_and_image_filters() {
        let ev = event(
            Kind::Container,
            "start",
            "abcdef0123",
            &[
                ("name", "web"),
                ("image", "docker.io/library/nginx:1.25"),
                ("tier", "front"),
            ],
        );
        for yes in [
            r#"{"container":["abc"]}"#,
            r#"{"container":["web"]}"#,
            r#"{"container":["zzz","web"]}"#,
            r#"{"image":["nginx"]}"#,
            r#"{"image":["nginx:1.25"]}"#,
            r#"{"label":["tier=front"]}"#,
            r#"{"container":["web"],"event":["start"],"type":["container"]}"#,
        ] {
            assert!(filter(yes).include(&ev), "{yes}");
        }
        for no in [
            r#"{"container":["zzz"]}"#,
            r#"{"network":["web"]}"#,
            r#"{"image":["nginx:latest"]}"#,
            r#"{"label":["tier=back"]}"#,
            r#"{"container":["web"],"event":["stop"]}"#,
            r#"{"daemon":["abc"]}"#,
        ] {
            assert!(!filter(no).include(&ev), "{no}");
        }
    }

    #[test]
    fn unknown_keys_and_types_are_accepted_as_docker_26_does() {
        let ev = event(Kind::Container, "start", "c1", &[]);
        assert!(filter(r#"{"nope":["x"]}"#).include(&ev));
        assert!(!filter(r#"{"type":["builder"]}"#).include(&ev));
        assert!(filter(r#"{"type":["container"]}"#).include(&ev));
    }

    #[tokio::test]
    async fn a_lagging_subscriber_skips_what_it_lost_and_goes_on() {
        let backend = MemoryBackend::new();
        let mut s = backend
            .events_stream(EventsOptions::default())
            .expect("stream");
        // More than the broadcast capacity, unread.
        for i in 0..3000 {
            backend.emit(Kind::Volume, "create", &format!("v{i}"), HashMap::new());
        }
        let first = next(&mut s).await.expect("an event after the lag");
        let n: usize = id(&first)[1..].parse().expect("number");
        assert!(n > 0, "the oldest events were lost to lag");
        for i in n + 1..3000 {
            assert_eq!(id(&next(&mut s).await.expect("event")), format!("v{i}"));
        }
        backend.emit(Kind::Volume, "create", "after", HashMap::new());
        assert_eq!(id(&next(&mut s).await.expect("event")), "after");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn since_neither_loses_nor_repeats_events_at_the_boundary() {
        const N: usize = 1000; // under the broadcast capacity: no lag possible.
        let backend = Arc::new(MemoryBackend::new());
        let publisher = {
            let backend = Arc::clone(&backend);
            std::thread::spawn(move || {
                for i in 0..N {
                    backend.emit(Kind::Volume, "create", &format!("v{i}"), HashMap::new());
                }
            })
        };
        // Subscribe while the publisher runs.
        while backend.events.subscribe().0.len() < N / 4 {
            tokio::task::yield_now().await;
        }
        let mut s = backend
            .events_stream(EventsOptions {
                since: Some("0".into()),
                ..EventsOptions::default()
            })
            .expect("stream");
        for i in 0..N {
            assert_eq!(id(&next(&mut s).await.expect("event")), format!("v{i}"));
        }
        publisher.join().expect("publisher");
        backend.emit(Kind::Volume, "create", "after", HashMap::new());
        assert_eq!(id(&next(&mut s).await.expect("event")), "after");
    }

    #[test]
    fn history_stays_bounded() {
        let hub = EventHub::default();
        for i in 0..HISTORY + 10 {
            hub.publish(Recorded::new(
                Kind::Volume,
                "create",
                &format!("v{i}"),
                [],
                0,
            ));
        }
        let (h, _) = hub.subscribe();
        assert_eq!(h.len(), HISTORY);
        assert_eq!(id(&h[0].to_message()), "v10");
    }
}
