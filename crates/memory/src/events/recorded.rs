//! An event as the hub keeps it ([`Recorded`]): what `emit` was given, in two
//! allocations, made into Docker's `EventMessage` only when a subscriber reads
//! it. A Docker lifecycle emits ~8 events; as `EventMessage`s each took a
//! hash map and a string per key and value (~9 allocations, SipHash), and the
//! history freed each of them 4 096 events later. Leaf: no backend.

use std::collections::HashMap;

use sockerless_core::api::docker::{
    EventActor, EventMessage, EventMessageScopeEnum, EventMessageTypeEnum,
};

/// The event types, by Docker's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `container`
    Container,
    /// `image`
    Image,
    /// `network`
    Network,
    /// `volume`
    Volume,
}

impl Kind {
    /// Docker's name of the type, as `EventMessage` writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Container => "container",
            Kind::Image => "image",
            Kind::Network => "network",
            Kind::Volume => "volume",
        }
    }

    fn docker(self) -> EventMessageTypeEnum {
        match self {
            Kind::Container => EventMessageTypeEnum::CONTAINER,
            Kind::Image => EventMessageTypeEnum::IMAGE,
            Kind::Network => EventMessageTypeEnum::NETWORK,
            Kind::Volume => EventMessageTypeEnum::VOLUME,
        }
    }
}

/// One event: its type and time, and its action, actor ID and attributes as
/// consecutive parts of one string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recorded {
    kind: Kind,
    /// Unix nanoseconds.
    time_nano: i64,
    /// The action, the actor's ID, then each attribute's key and value.
    text: String,
    /// Where each part of `text` ends.
    ends: Vec<u32>,
}

/// The bytes a typical event's text takes (an action, a 64-hex ID, image and
/// name attributes): one allocation for most events.
const TEXT_CAPACITY: usize = 160;

impl Recorded {
    /// An event of `kind` at `time_nano`. Of attributes with the same key the
    /// last counts (as inserting them into a map).
    pub(crate) fn new<'a>(
        kind: Kind,
        action: &str,
        id: &str,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
        time_nano: i64,
    ) -> Recorded {
        let mut event = Recorded {
            kind,
            time_nano,
            text: String::with_capacity(TEXT_CAPACITY),
            ends: Vec::with_capacity(8),
        };
        event.push(action);
        event.push(id);
        for (key, value) in attributes {
            event.push(key);
            event.push(value);
        }
        event
    }

    fn push(&mut self, part: &str) {
        self.text.push_str(part);
        self.ends
            .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
    }

    /// Part `i` of the text.
    fn part(&self, i: usize) -> &str {
        let start = match i {
            0 => 0,
            i => self.ends.get(i - 1).map_or(0, |&e| e as usize),
        };
        let end = self.ends.get(i).map_or(start, |&e| e as usize);
        self.text.get(start..end).unwrap_or_default()
    }

    /// Unix nanoseconds.
    pub(crate) fn time_nano(&self) -> i64 {
        self.time_nano
    }

    /// The event's type.
    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    /// The event's scope, as [`Recorded::to_message`] writes it.
    pub(crate) fn scope(&self) -> &'static str {
        "local"
    }

    /// The action (`start`, `exec_start: sh -c ls`).
    pub(crate) fn action(&self) -> &str {
        self.part(0)
    }

    /// The actor's ID.
    pub(crate) fn id(&self) -> &str {
        self.part(1)
    }

    /// The value of attribute `key`; of equal keys the last, as the
    /// message's map holds it.
    pub(crate) fn attribute(&self, key: &str) -> Option<&str> {
        (2..self.ends.len())
            .step_by(2)
            .rev()
            .find(|&i| self.part(i) == key)
            .map(|i| self.part(i + 1))
    }

    /// Docker's `EventMessage` (scope `local`).
    pub(crate) fn to_message(&self) -> EventMessage {
        let pairs = (2..self.ends.len()).step_by(2);
        let attributes: HashMap<String, String> = pairs
            .map(|i| (self.part(i).to_string(), self.part(i + 1).to_string()))
            .collect();
        EventMessage {
            typ: Some(self.kind.docker()),
            action: Some(self.part(0).to_string()),
            actor: Some(EventActor {
                id: Some(self.part(1).to_string()),
                attributes: Some(attributes),
            }),
            scope: Some(EventMessageScopeEnum::LOCAL),
            time: Some(self.time_nano / 1_000_000_000),
            time_nano: Some(self.time_nano),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_back_as_docker_writes_it() {
        let long = "x".repeat(500);
        let e = Recorded::new(
            Kind::Container,
            "die",
            "abc",
            [
                ("image", "alpine"),
                ("name", ""),
                ("exitCode", "0"),
                ("image", long.as_str()),
            ],
            1_700_000_000_123_456_789,
        );
        let m = e.to_message();
        assert_eq!(m.typ, Some(EventMessageTypeEnum::CONTAINER));
        assert_eq!(m.action.as_deref(), Some("die"));
        assert_eq!(m.scope, Some(EventMessageScopeEnum::LOCAL));
        assert_eq!(
            (m.time, m.time_nano),
            (Some(1_700_000_000), Some(1_700_000_000_123_456_789))
        );
        let actor = m.actor.unwrap();
        assert_eq!(actor.id.as_deref(), Some("abc"));
        let want: HashMap<String, String> =
            [("image", long.as_str()), ("name", ""), ("exitCode", "0")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(actor.attributes, Some(want));

        // The parts the filter reads agree with the message.
        assert_eq!(
            (e.action(), e.id(), e.kind()),
            ("die", "abc", Kind::Container)
        );
        assert_eq!(e.attribute("image"), Some(long.as_str()));
        assert_eq!(e.attribute("name"), Some(""));
        assert_eq!(e.attribute("nope"), None);
        assert_eq!(Some(e.scope().to_string()), m.scope.map(|s| s.to_string()));
        for kind in [Kind::Container, Kind::Image, Kind::Network, Kind::Volume] {
            assert_eq!(kind.name(), kind.docker().to_string());
        }

        let bare = Recorded::new(Kind::Volume, "create", "", [], 0).to_message();
        assert_eq!(bare.typ, Some(EventMessageTypeEnum::VOLUME));
        assert_eq!(bare.actor.unwrap().attributes, Some(HashMap::new()));
    }
}
