//! Unit tests of networks: IPAM helpers and both sides of a membership.

use super::ipam::{mac_for, overlaps};
use super::*;
use crate::containers::record::{ContainerRecord, RunState, Status};

fn container(name: &str, status: Status) -> ContainerRecord {
    ContainerRecord::bare(name, RunState::never_ran(status, None))
}

async fn create(b: &MemoryBackend, name: &str) -> String {
    b.network_create(docker::NetworkCreateRequest {
        name: name.into(),
        ..Default::default()
    })
    .await
    .ok()
    .and_then(|r| r.id)
    .unwrap_or_default()
}

/// Both sides agree: a running container is a member of exactly the networks
/// it has settings for; one that is not running is a member of none (Docker
/// has endpoints only while a container runs).
fn assert_consistent(b: &MemoryBackend, c: &ContainerRecord) {
    for net in b.store.networks.list(|_| true) {
        let member = net.members.get(&c.id);
        let settings = c.networks.get(&net.name);
        assert_eq!(
            member.is_some(),
            settings.is_some() && c.is_running(),
            "{}",
            net.name
        );
        if let (Some(m), Some(s)) = (member, settings) {
            assert_eq!(s.network_id.as_deref(), Some(net.id.as_str()));
            assert_eq!(s.endpoint_id.as_deref(), Some(m.endpoint_id.as_str()));
            let ip = m.ipv4.map(|i| i.to_string()).unwrap_or_default();
            assert_eq!(s.ip_address.as_deref(), Some(ip.as_str()));
            assert_eq!(s.mac_address.as_deref(), Some(m.mac_address.as_str()));
        }
    }
}

#[tokio::test]
async fn predefined_networks_exist() {
    let b = MemoryBackend::new();
    let bridge = b.network_resolve("bridge").unwrap();
    assert_eq!(bridge.subnet, Some((Ipv4Addr::new(172, 17, 0, 0), 16)));
    assert_eq!(bridge.gateway, Some(Ipv4Addr::new(172, 17, 0, 1)));
    assert_eq!(b.network_resolve("host").unwrap().driver, "host");
    assert_eq!(b.network_resolve("none").unwrap().driver, "null");
    assert!(b.network_resolve("none").unwrap().predefined);
}

#[tokio::test]
async fn cidr_helpers() {
    assert_eq!(
        parse_cidr("10.1.2.3/8").unwrap(),
        (Ipv4Addr::new(10, 0, 0, 0), 8)
    );
    for bad in [
        "10.0.0.0",
        "10.0.0.0/33",
        "10.0.0/8",
        "x/8",
        "10.0.0.0/",
        "10.0.0.0/31",
    ] {
        assert!(parse_cidr(bad).is_err(), "{bad}");
    }
    let a = (Ipv4Addr::new(10, 0, 0, 0), 8);
    let b = (Ipv4Addr::new(10, 5, 0, 0), 16);
    let c = (Ipv4Addr::new(11, 0, 0, 0), 16);
    assert!(overlaps(a, b) && overlaps(b, a) && !overlaps(a, c));
    assert_eq!(mac_for(Ipv4Addr::new(172, 18, 0, 2)), "02:42:ac:12:00:02");
}

// The links guard stands for the caller's lock around attach and allocate;
// inspect takes no lock, so awaiting it under the guard cannot deadlock.
#[allow(clippy::await_holding_lock)]
#[tokio::test]
async fn attach_allocate_release_detach_keep_both_sides_consistent() {
    let b = MemoryBackend::new();
    let net_id = create(&b, "app").await;
    let _links = b.links();
    let mut c1 = container("one", Status::Created);
    let mut c2 = container("two", Status::Running);
    b.network_attach(&net_id, &mut c1, None).unwrap();
    // not running: no address yet
    assert_eq!(
        c1.networks.get("app").unwrap().ip_address.as_deref(),
        Some("")
    );
    assert_consistent(&b, &c1);
    // running at attach: gets the first address
    b.network_attach(&net_id, &mut c2, None).unwrap();
    assert_eq!(
        c2.networks.get("app").unwrap().ip_address.as_deref(),
        Some("172.18.0.2")
    );
    assert_eq!(
        c2.networks.get("app").unwrap().gateway.as_deref(),
        Some("172.18.0.1")
    );
    assert_eq!(c2.networks.get("app").unwrap().ip_prefix_len, Some(16));
    assert_eq!(
        c2.networks.get("app").unwrap().mac_address.as_deref(),
        Some("02:42:ac:12:00:02")
    );
    assert_consistent(&b, &c2);

    // start c1: next address, plus one on bridge after joining it
    let bridge = b.network_resolve("bridge").unwrap().id.clone();
    b.network_attach(&bridge, &mut c1, None).unwrap();
    c1.state.status = Status::Running;
    b.network_allocate_ips(&mut c1).unwrap();
    assert_eq!(
        c1.networks.get("app").unwrap().ip_address.as_deref(),
        Some("172.18.0.3")
    );
    assert_eq!(
        c1.networks.get("bridge").unwrap().ip_address.as_deref(),
        Some("172.17.0.2")
    );
    assert_consistent(&b, &c1);
    // allocating twice keeps the address
    b.network_allocate_ips(&mut c1).unwrap();
    assert_eq!(
        c1.networks.get("app").unwrap().ip_address.as_deref(),
        Some("172.18.0.3")
    );

    // stop c2: its address is released and reused by the next start
    c2.state.status = Status::Exited;
    b.network_release_ips(&mut c2);
    assert_eq!(
        c2.networks.get("app").unwrap().ip_address.as_deref(),
        Some("")
    );
    assert_consistent(&b, &c2);
    let mut c3 = container("three", Status::Running);
    b.network_attach(&net_id, &mut c3, None).unwrap();
    assert_eq!(
        c3.networks.get("app").unwrap().ip_address.as_deref(),
        Some("172.18.0.2")
    );
    c2.state.status = Status::Running;
    b.network_allocate_ips(&mut c2).unwrap();
    assert_eq!(
        c2.networks.get("app").unwrap().ip_address.as_deref(),
        Some("172.18.0.4")
    );

    // inspect shows the members with CIDR addresses
    let inspect = b.network_inspect("app".into()).await.unwrap();
    let members = inspect.containers.unwrap();
    assert_eq!(members.len(), 3);
    assert_eq!(
        members[c3.id.as_str()].ipv4_address.as_deref(),
        Some("172.18.0.2/16")
    );
    assert_eq!(members[c3.id.as_str()].name.as_deref(), Some("three"));

    // attach twice: 403 and nothing changes
    let before = c1.networks.clone();
    let err = b.network_attach(&net_id, &mut c1, None).unwrap_err();
    assert_eq!(
        err,
        Error::forbidden("endpoint with name one already exists in network app")
    );
    assert_eq!(c1.networks, before);

    // a stopped container is configured for the network but not a member
    let mut c4 = container("four", Status::Created);
    b.network_attach(&net_id, &mut c4, None).unwrap();
    assert!(!b
        .network_resolve("app")
        .unwrap()
        .members
        .contains_key(&c4.id));
    assert_consistent(&b, &c4);

    // remove with members is refused; detach everyone, then it goes
    drop(_links);
    assert!(matches!(
        b.network_remove("app".into()).await,
        Err(Error::Forbidden(m)) if m.ends_with("has active endpoints")
    ));
    let _links = b.links();
    for c in [&mut c1, &mut c2, &mut c3] {
        b.network_detach(&net_id, c);
        assert!(!c.networks.contains_key("app"));
        assert_consistent(&b, c);
    }
    b.network_detach(&bridge, &mut c1);
    assert!(c1.networks.is_empty());
    drop(_links);
    b.network_remove("app".into()).await.unwrap();
    assert!(b.network_names_free("app"));
}

#[tokio::test]
async fn host_and_none_have_no_addresses_and_are_exclusive() {
    let b = MemoryBackend::new();
    let host = b.network_resolve("host").unwrap().id.clone();
    let none = b.network_resolve("none").unwrap().id.clone();
    let app = create(&b, "app").await;
    let mut c = container("h", Status::Running);
    b.network_attach(&host, &mut c, None).unwrap();
    assert_eq!(
        c.networks.get("host").unwrap().ip_address.as_deref(),
        Some("")
    );
    b.network_allocate_ips(&mut c).unwrap();
    assert_eq!(
        c.networks.get("host").unwrap().ip_address.as_deref(),
        Some("")
    );
    // A container sharing the host's namespace joins no other network:
    // Docker's 400 (ErrConflictSharedNetwork).
    assert!(matches!(
        b.network_attach(&app, &mut c, None),
        Err(Error::BadRequest(_))
    ));
    assert!(matches!(
        b.network_attach(&none, &mut c, None),
        Err(Error::BadRequest(_))
    ));
    assert_eq!(c.networks.len(), 1);
    assert_consistent(&b, &c);
    let mut d = container("d", Status::Created);
    b.network_attach(&app, &mut d, None).unwrap();
    assert!(matches!(
        b.network_attach(&none, &mut d, None),
        Err(Error::Forbidden(_))
    ));
    assert_consistent(&b, &d);
}

#[tokio::test]
async fn exhausted_subnet_fails_without_partial_allocation() {
    let b = MemoryBackend::new();
    let tiny = b
        .network_create(docker::NetworkCreateRequest {
            name: "tiny".into(),
            ipam: Some(docker::Ipam {
                config: Some(vec![docker::IpamConfig {
                    subnet: Some("10.9.0.0/30".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .id
        .unwrap();
    let big = create(&b, "big").await;
    // /30: .1 gateway, .2 the only host address
    let mut a = container("a", Status::Running);
    b.network_attach(&tiny, &mut a, None).unwrap();
    assert_eq!(
        a.networks.get("tiny").unwrap().ip_address.as_deref(),
        Some("10.9.0.2")
    );
    let mut c = container("c", Status::Created);
    b.network_attach(&big, &mut c, None).unwrap();
    b.network_attach(&tiny, &mut c, None).unwrap();
    c.state.status = Status::Running;
    assert!(b.network_allocate_ips(&mut c).is_err());
    assert_eq!(
        c.networks.get("big").unwrap().ip_address.as_deref(),
        Some("")
    );
    // the start failed: it is not running, and on no network
    c.state.status = Status::Created;
    assert_consistent(&b, &c);
    // running attach to a full network: refused, nothing recorded
    let mut d = container("d", Status::Running);
    assert!(b.network_attach(&tiny, &mut d, None).is_err());
    assert!(d.networks.is_empty());
    assert!(!b
        .network_resolve("tiny")
        .unwrap()
        .members
        .contains_key(&d.id));
}

impl MemoryBackend {
    fn network_names_free(&self, name: &str) -> bool {
        self.store.network_names.get(name).is_none()
    }
}
