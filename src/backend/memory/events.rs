//! The event hub: every action on a container, image, network or volume is
//! recorded (a bounded history, for `since`) and broadcast to live subscribers.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use tokio::sync::broadcast;

use super::MemoryBackend;
use crate::api::docker::{EventActor, EventMessage, EventMessageScopeEnum, EventMessageTypeEnum};
use crate::api::{BoxStream, EventsOptions};
use crate::error::{Error, Result};

/// How many past events are kept for `since`.
pub const HISTORY: usize = 4096;

/// Broadcast channel plus bounded history.
#[derive(Debug)]
pub struct EventHub {
    tx: broadcast::Sender<Arc<EventMessage>>,
    history: Mutex<VecDeque<Arc<EventMessage>>>,
}

impl Default for EventHub {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        EventHub {
            tx,
            history: Mutex::new(VecDeque::with_capacity(HISTORY)),
        }
    }
}

impl EventHub {
    /// Records and broadcasts one event.
    pub fn publish(&self, event: EventMessage) {
        let event = Arc::new(event);
        {
            let mut h = self
                .history
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if h.len() == HISTORY {
                h.pop_front();
            }
            h.push_back(Arc::clone(&event));
        }
        let _ = self.tx.send(event);
    }

    /// A snapshot of the history and a receiver for what follows, taken together
    /// so nothing is missed or seen twice.
    pub fn subscribe(
        &self,
    ) -> (
        Vec<Arc<EventMessage>>,
        broadcast::Receiver<Arc<EventMessage>>,
    ) {
        let h = self
            .history
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let rx = self.tx.subscribe();
        (h.iter().cloned().collect(), rx)
    }
}

/// The event types, by Docker's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `container`
    Container,
    /// `image`
    Image,
    /// `network`
    Network,
    /// `volume`
    Volume,
}

impl MemoryBackend {
    /// Emits a Docker-shaped event now.
    pub(crate) fn emit(
        &self,
        kind: Kind,
        action: &str,
        id: &str,
        attributes: HashMap<String, String>,
    ) {
        let now = self.now();
        let nanos = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        let typ = match kind {
            Kind::Container => EventMessageTypeEnum::CONTAINER,
            Kind::Image => EventMessageTypeEnum::IMAGE,
            Kind::Network => EventMessageTypeEnum::NETWORK,
            Kind::Volume => EventMessageTypeEnum::VOLUME,
        };
        self.events.publish(EventMessage {
            typ: Some(typ),
            action: Some(action.to_string()),
            actor: Some(EventActor {
                id: Some(id.to_string()),
                attributes: Some(attributes),
            }),
            scope: Some(EventMessageScopeEnum::LOCAL),
            time: Some(nanos / 1_000_000_000),
            time_nano: Some(nanos),
        });
    }

    /// `GET /events` (filled in with the simulated-processes work).
    pub(crate) fn events_stream(&self, _options: EventsOptions) -> Result<BoxStream<EventMessage>> {
        Err(Error::not_implemented("events"))
    }
}
