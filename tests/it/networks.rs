//! Black-box tests of the network routes.

use std::collections::HashMap;
use std::sync::Arc;

use crate::common::*;
use http::StatusCode;
use serde_json::{json, Value};

async fn create_named(server: &TestServer, name: &str) -> String {
    let (status, body) = server.create_network(json!({ "Name": name })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["Id"].as_str().expect("Id").to_string()
}

async fn list(server: &TestServer, filters: Value) -> (StatusCode, Value) {
    let q = percent_encode(&filters.to_string());
    server.get(&format!("{BASE}/networks?filters={q}")).await
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|n| n["Name"].as_str().unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn predefined_networks_present_and_protected() {
    let server = TestServer::start().await;
    let (status, body) = server.get(&format!("{BASE}/networks")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&body), ["bridge", "host", "none"]);
    let (status, bridge) = server.get(&format!("{BASE}/networks/bridge")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bridge["Driver"], "bridge");
    assert_eq!(bridge["Scope"], "local");
    assert_eq!(
        bridge["IPAM"],
        json!({"Driver": "default", "Options": {}, "Config": [{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}]})
    );
    assert_eq!(
        bridge["Options"]["com.docker.network.bridge.default_bridge"],
        "true"
    );
    assert_eq!(
        bridge["Options"]["com.docker.network.bridge.name"],
        "docker0"
    );
    assert_eq!(bridge["Containers"], json!({}));
    let (_, host) = server.get(&format!("{BASE}/networks/host")).await;
    assert_eq!(host["Driver"], "host");
    let (_, none) = server.get(&format!("{BASE}/networks/none")).await;
    assert_eq!(none["Driver"], "null");

    for n in ["bridge", "host", "none"] {
        let (status, body) = server.delete(&format!("{BASE}/networks/{n}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            body,
            message(&format!(
                "{n} is a pre-defined network and cannot be removed"
            ))
        );
        let (status, body) = server.create_network(json!({ "Name": n })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            body,
            message(&format!(
                "operation is not permitted on predefined {n} network "
            ))
        );
    }
    // removing by ID is refused too
    let id = bridge["Id"].as_str().unwrap();
    let (status, _) = server.delete(&format!("{BASE}/networks/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, body) = server.get(&format!("{BASE}/networks")).await;
    assert_eq!(names(&body), ["bridge", "host", "none"]);
}

#[tokio::test]
async fn create_inspect_list_remove() {
    let server = TestServer::start().await;
    let (status, body) = server.create_network(json!({"Name": "app", "Labels": {"tier": "web"}, "Options": {"o": "1"}, "Internal": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let obj = body.as_object().unwrap();
    assert_eq!(obj.len(), 2, "exactly Id and Warning: {body}");
    assert_eq!(body["Warning"], "");
    let id = body["Id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 64);

    let (status, net) = server.get(&format!("{BASE}/networks/app")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(net["Id"], id.as_str());
    assert_eq!(net["Name"], "app");
    assert_eq!(net["Driver"], "bridge");
    assert_eq!(net["Scope"], "local");
    assert_eq!(net["Internal"], true);
    assert_eq!(net["Attachable"], false);
    assert_eq!(net["Ingress"], false);
    assert_eq!(net["EnableIPv6"], false);
    assert_eq!(net["Labels"], json!({"tier": "web"}));
    assert_eq!(net["Options"], json!({"o": "1"}));
    assert_eq!(net["Containers"], json!({}));
    assert_eq!(
        net["IPAM"]["Config"],
        json!([{"Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"}])
    );
    let created = net["Created"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.contains('T'), "{created}");
    // by ID and by prefix
    for r in [id.as_str(), &id[..12]] {
        let (status, n) = server.get(&format!("{BASE}/networks/{r}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(n["Name"], "app");
    }
    let (_, all) = server.get(&format!("{BASE}/networks")).await;
    assert_eq!(names(&all), ["app", "bridge", "host", "none"]);
    let listed = all
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["Name"] == "app")
        .unwrap();
    assert_eq!(listed["Containers"], json!({}));
    assert_eq!(listed["IPAM"], net["IPAM"]);

    let (status, body) = server.delete(&format!("{BASE}/networks/app")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = server.get(&format!("{BASE}/networks/app")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message("network app not found"));
    let (status, body) = server.delete(&format!("{BASE}/networks/app")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message("network app not found"));
    // the name is free again
    create_named(&server, "app").await;
}

#[tokio::test]
async fn create_errors_change_nothing() {
    let server = TestServer::start().await;
    create_named(&server, "dup").await;
    let cases = [
        (
            json!({"Name": ""}),
            StatusCode::BAD_REQUEST,
            "invalid name: ",
        ),
        (
            json!({"Name": "dup"}),
            StatusCode::CONFLICT,
            "network with name dup already exists",
        ),
        (
            json!({"Name": "dup", "IPAM": {"Config": [{"Subnet": "172.17.0.0/16"}]}}),
            StatusCode::CONFLICT,
            "network with name dup already exists",
        ),
        (
            json!({"Name": "x", "Driver": "bogus"}),
            StatusCode::NOT_FOUND,
            "plugin \"bogus\" not found",
        ),
        (
            json!({"Name": "x", "Driver": "host"}),
            StatusCode::FORBIDDEN,
            "only one instance of \"host\" network is allowed",
        ),
        (
            json!({"Name": "x", "IPAM": {"Config": [{"Subnet": "10.0.0.0/33"}]}}),
            StatusCode::BAD_REQUEST,
            "invalid network config:\ninvalid subnet 10.0.0.0/33: invalid CIDR block notation",
        ),
        (
            json!({"Name": "x", "IPAM": {"Config": [{"Subnet": "nonsense"}]}}),
            StatusCode::BAD_REQUEST,
            "invalid network config:\ninvalid subnet nonsense: invalid CIDR block notation",
        ),
        (
            json!({"Name": "x", "IPAM": {"Config": [{"Subnet": "10.1.0.0/16", "Gateway": "10.2.0.1"}]}}),
            StatusCode::BAD_REQUEST,
            "invalid network config:\ninvalid gateway 10.2.0.1: parent subnet 10.1.0.0/16 doesn't contain this address",
        ),
        (
            json!({"Name": "x", "IPAM": {"Config": [{"Subnet": "172.17.5.0/24"}]}}),
            StatusCode::FORBIDDEN,
            "Pool overlaps with other one on this address space",
        ),
        (
            json!({"Name": "x", "IPAM": {"Config": [{"Subnet": "172.18.0.0/16"}]}}),
            StatusCode::FORBIDDEN,
            "Pool overlaps with other one on this address space",
        ),
    ];
    for (body, want_status, want_message) in cases {
        let (status, got) = server.create_network(body.clone()).await;
        assert_eq!(status, want_status, "{body}");
        assert_eq!(got, message(want_message), "{body}");
    }
    let (status, got) = server.create_network(json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "missing Name: {got}");
    let (_, all) = server.get(&format!("{BASE}/networks")).await;
    assert_eq!(names(&all), ["bridge", "dup", "host", "none"]);
    // nothing leaked: "x" can be created and gets the next subnet
    let (status, _) = server.create_network(json!({"Name": "x"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, x) = server.get(&format!("{BASE}/networks/x")).await;
    assert_eq!(x["IPAM"]["Config"][0]["Subnet"], "172.19.0.0/16");
}

#[tokio::test]
async fn subnets_in_order_and_reused() {
    let server = TestServer::start().await;
    for (name, want) in [("a", "172.18"), ("b", "172.19"), ("c", "172.20")] {
        create_named(&server, name).await;
        let (_, n) = server.get(&format!("{BASE}/networks/{name}")).await;
        assert_eq!(
            n["IPAM"]["Config"],
            json!([{"Subnet": format!("{want}.0.0/16"), "Gateway": format!("{want}.0.1")}])
        );
    }
    let (status, _) = server.delete(&format!("{BASE}/networks/b")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    create_named(&server, "d").await;
    let (_, d) = server.get(&format!("{BASE}/networks/d")).await;
    assert_eq!(d["IPAM"]["Config"][0]["Subnet"], "172.19.0.0/16");
    // explicit subnet and gateway are kept; the auto pool skips it
    let (status, _) = server.create_network(json!({"Name": "e", "IPAM": {"Config": [{"Subnet": "172.21.0.0/16", "Gateway": "172.21.0.254"}]}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, e) = server.get(&format!("{BASE}/networks/e")).await;
    assert_eq!(
        e["IPAM"]["Config"],
        json!([{"Subnet": "172.21.0.0/16", "Gateway": "172.21.0.254"}])
    );
    create_named(&server, "f").await;
    let (_, f) = server.get(&format!("{BASE}/networks/f")).await;
    assert_eq!(f["IPAM"]["Config"][0]["Subnet"], "172.22.0.0/16");
}

#[tokio::test]
async fn list_filters() {
    let server = TestServer::start().await;
    let web = {
        let (s, b) = server
            .create_network(json!({"Name": "web-net", "Labels": {"tier": "web"}}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        b["Id"].as_str().unwrap().to_string()
    };
    let (s, _) = server
        .create_network(json!({"Name": "db-net", "Driver": "macvlan", "Labels": {"tier": "db"}}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"name": ["net"]}), vec!["db-net", "web-net"]),
        (json!({"name": ["web"]}), vec!["web-net"]),
        (json!({"id": [&web[..10]]}), vec!["web-net"]),
        (json!({"label": ["tier"]}), vec!["db-net", "web-net"]),
        (json!({"label": ["tier=db"]}), vec!["db-net"]),
        (json!({"label": {"tier=web": true}}), vec!["web-net"]),
        (json!({"driver": ["macvlan"]}), vec!["db-net"]),
        (json!({"driver": ["null"]}), vec!["none"]),
        (json!({"type": ["custom"]}), vec!["db-net", "web-net"]),
        (json!({"type": ["builtin"]}), vec!["bridge", "host", "none"]),
        (json!({"dangling": ["true"]}), vec!["db-net", "web-net"]),
        (
            json!({"dangling": ["false"]}),
            vec!["bridge", "host", "none"],
        ),
        (
            json!({"type": ["custom"], "label": ["tier=web"]}),
            vec!["web-net"],
        ),
    ];
    for (filters, want) in cases {
        let (status, body) = list(&server, filters.clone()).await;
        assert_eq!(status, StatusCode::OK, "{filters}: {body}");
        assert_eq!(names(&body), want, "{filters}");
    }
    let bad = [
        (json!({"bogus": ["x"]}), "invalid filter 'bogus'"),
        (json!({"type": ["x"]}), "invalid filter: 'type'='x'"),
        (
            json!({"dangling": ["maybe"]}),
            "invalid filter 'dangling=[maybe]'",
        ),
    ];
    for (filters, want) in bad {
        let (status, body) = list(&server, filters.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{filters}");
        assert_eq!(body, message(want), "{filters}");
    }
    let (status, body) = server
        .get(&format!("{BASE}/networks?filters=%7Bnot-json"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("invalid filter"));
}

#[tokio::test]
async fn ambiguous_prefix() {
    let server = TestServer::start().await;
    let (_, all) = server.get(&format!("{BASE}/networks")).await;
    let mut by_first: HashMap<char, Vec<String>> = HashMap::new();
    for n in all.as_array().unwrap() {
        let id = n["Id"].as_str().unwrap().to_string();
        by_first
            .entry(id.chars().next().unwrap())
            .or_default()
            .push(id);
    }
    let mut i = 0;
    let prefix = loop {
        if let Some((c, _)) = by_first.iter().find(|(_, ids)| ids.len() >= 2) {
            break *c;
        }
        let id = create_named(&server, &format!("n{i}")).await;
        i += 1;
        by_first
            .entry(id.chars().next().unwrap())
            .or_default()
            .push(id);
    };
    let count = by_first[&prefix].len();
    let want = format!("network {prefix} is ambiguous ({count} matches found based on ID prefix)");
    let (status, body) = server.get(&format!("{BASE}/networks/{prefix}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message(&want));
    let (status, body) = server.delete(&format!("{BASE}/networks/{prefix}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message(&want));
    let (_, after) = server.get(&format!("{BASE}/networks")).await;
    assert_eq!(after.as_array().unwrap().len(), 3 + i);
}

#[tokio::test]
async fn concurrent_creates_of_one_name_have_one_winner() {
    let server = Arc::new(TestServer::start().await);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let server = Arc::clone(&server);
            tokio::spawn(async move { server.create_network(json!({"Name": "race"})).await })
        })
        .collect();
    let mut created = 0;
    let mut conflicts = 0;
    for t in tasks {
        let (status, body) = t.await.expect("task");
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(body, message("network with name race already exists"));
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((created, conflicts), (1, 15));
    let (_, body) = list(&server, json!({"name": ["race"]})).await;
    assert_eq!(names(&body), ["race"]);
    // the losers leaked no subnet: the next network gets 172.19
    create_named(&server, "next").await;
    let (_, n) = server.get(&format!("{BASE}/networks/next")).await;
    assert_eq!(n["IPAM"]["Config"][0]["Subnet"], "172.19.0.0/16");
}

#[tokio::test]
async fn connect_and_disconnect_not_found_paths() {
    let server = TestServer::start().await;
    create_named(&server, "app").await;
    for action in ["connect", "disconnect"] {
        let (status, body) = server
            .post(
                &format!("{BASE}/networks/nope/{action}"),
                json!({"Container": "c1"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}");
        // Docker looks the container up before the network.
        assert_eq!(body, message("No such container: c1"));
        let (status, body) = server
            .post(
                &format!("{BASE}/networks/app/{action}"),
                json!({"Container": "ghost"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}");
        assert_eq!(body, message("No such container: ghost"));
    }
    let (_, app) = server.get(&format!("{BASE}/networks/app")).await;
    assert_eq!(app["Containers"], json!({}));
}

#[tokio::test]
async fn prune_removes_unused_custom_networks() {
    let server = TestServer::start().await;
    let (s, _) = server
        .create_network(json!({"Name": "keep", "Labels": {"keep": "yes"}}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    create_named(&server, "gone1").await;
    create_named(&server, "gone2").await;
    let q = percent_encode(&json!({"label!": ["keep"]}).to_string());
    let (status, body) = server
        .post_empty(&format!("{BASE}/networks/prune?filters={q}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut deleted: Vec<String> = serde_json::from_value(body["NetworksDeleted"].clone()).unwrap();
    deleted.sort();
    assert_eq!(deleted, ["gone1", "gone2"]);
    // until in the past prunes nothing
    let q = percent_encode(&json!({"until": ["2000-01-01T00:00:00Z"]}).to_string());
    let (status, body) = server
        .post_empty(&format!("{BASE}/networks/prune?filters={q}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"NetworksDeleted": []}));
    let (status, body) = server.post_empty(&format!("{BASE}/networks/prune")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"NetworksDeleted": ["keep"]}));
    let q = percent_encode(&json!({"bogus": ["1"]}).to_string());
    let (status, body) = server
        .post_empty(&format!("{BASE}/networks/prune?filters={q}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("invalid filter 'bogus'"));
    let (_, all) = server.get(&format!("{BASE}/networks")).await;
    assert_eq!(names(&all), ["bridge", "host", "none"]);
}

/// A create body on network `net` asking for the static address `ip`.
fn on_net_with_ip(net: &str, ip: &str) -> Value {
    json!({
        "Cmd": ["sleep", "infinity"],
        "HostConfig": {"NetworkMode": net},
        "NetworkingConfig": {"EndpointsConfig": {net: {"IPAMConfig": {"IPv4Address": ip}}}}
    })
}

/// Round two, defect 9: `IPAMConfig.IPv4Address` is honoured at start, and a
/// second container asking for a held address fails to start as Docker's does
/// (403 `Address already in use`); bad requests are refused at create and
/// connect in Docker Engine 26's words, changing nothing.
#[tokio::test]
async fn static_addresses_are_honoured_and_never_shared() {
    let s = TestServer::with_alpine().await;
    let (status, body) = s
        .create_network(json!({"Name": "ipt", "IPAM": {"Config": [{"Subnet": "172.30.0.0/24"}]}}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    create_named(&s, "pooled").await;
    s.run("ip1", on_net_with_ip("ipt", "172.30.0.5")).await;
    let ip1 = s.inspect_container("ip1").await;
    assert_eq!(
        ip1["NetworkSettings"]["Networks"]["ipt"]["IPAddress"],
        "172.30.0.5"
    );
    // The same address: created (Docker checks at start), then refused.
    s.create_alpine("ip2", on_net_with_ip("ipt", "172.30.0.5"))
        .await;
    let (status, body) = s.post_empty(&format!("{BASE}/containers/ip2/start")).await;
    assert_eq!(
        (status, body),
        (StatusCode::FORBIDDEN, message("Address already in use"))
    );
    assert_eq!(s.state("ip2").await["Status"], "created");
    // The gateway and the network's own address are never a container's.
    for held in ["172.30.0.1", "172.30.0.0", "172.30.0.255"] {
        let name = format!("held-{}", held.rsplit('.').next().unwrap_or_default());
        s.create_alpine(&name, on_net_with_ip("ipt", held)).await;
        let (status, body) = s
            .post_empty(&format!("{BASE}/containers/{name}/start"))
            .await;
        assert_eq!(
            (status, body),
            (StatusCode::FORBIDDEN, message("Address already in use")),
            "{held}"
        );
    }
    // A dynamic member skips the static one.
    s.run(
        "dyn",
        json!({"Cmd": ["sleep", "infinity"], "HostConfig": {"NetworkMode": "ipt"}}),
    )
    .await;
    let dyn_ip =
        s.inspect_container("dyn").await["NetworkSettings"]["Networks"]["ipt"]["IPAddress"].clone();
    assert_eq!(dyn_ip, "172.30.0.2");
    // Connect of a running container: a held address is 403, a free one taken.
    s.run("late", json!({"Cmd": ["sleep", "infinity"]})).await;
    let connect = |ip: &str| json!({"Container": "late", "EndpointConfig": {"IPAMConfig": {"IPv4Address": ip}}});
    let (status, body) = s
        .post(
            &format!("{BASE}/networks/ipt/connect"),
            connect("172.30.0.5"),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::FORBIDDEN, message("Address already in use"))
    );
    let (status, body) = s
        .post(
            &format!("{BASE}/networks/ipt/connect"),
            connect("172.30.0.9"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let late = s.inspect_container("late").await;
    assert_eq!(
        late["NetworkSettings"]["Networks"]["ipt"]["IPAddress"],
        "172.30.0.9"
    );
    // Once ip1 stops, its address is free for ip2.
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/ip1/stop?t=0"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    s.start_container("ip2").await;
    let ip2 = s.inspect_container("ip2").await;
    assert_eq!(
        ip2["NetworkSettings"]["Networks"]["ipt"]["IPAddress"],
        "172.30.0.5"
    );

    // Refused at create, nothing stored (Docker Engine 26's words).
    let before = s.get(&format!("{BASE}/containers?all=1")).await.1;
    for (net, ip, says) in [
        ("ipt", "10.0.0.5", "invalid config for network ipt: invalid endpoint settings:\nno configured subnet or ip-range contain the IP address 10.0.0.5"),
        ("ipt", "bogus", "invalid config for network ipt: invalid endpoint settings:\n* invalid IPv4 address: bogus\n* no configured subnet or ip-range contain the IP address bogus"),
        ("ipt", "0.0.0.0", "invalid config for network ipt: invalid endpoint settings:\n* invalid IPv4 address: 0.0.0.0\n* no configured subnet or ip-range contain the IP address 0.0.0.0"),
        ("pooled", "172.18.0.9", "invalid config for network pooled: invalid endpoint settings:\nuser specified IP address is supported only when connecting to networks with user configured subnets"),
        ("bridge", "172.17.0.9", "invalid config for network bridge: invalid endpoint settings:\nuser specified IP address is supported on user defined networks only"),
    ] {
        let mut body = on_net_with_ip(net, ip);
        body["Image"] = json!("alpine");
        let (status, reply) = s.create_container(Some("refused"), body).await;
        assert_eq!((status, reply), (StatusCode::BAD_REQUEST, message(says)), "{net} {ip}");
    }
    assert_eq!(s.get(&format!("{BASE}/containers?all=1")).await.1, before);
    // At connect the network is not named.
    s.create_alpine("fresh", json!({})).await;
    let (status, body) = s.post(&format!("{BASE}/networks/ipt/connect"), json!({"Container": "fresh", "EndpointConfig": {"IPAMConfig": {"IPv4Address": "10.0.0.9"}}})).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, message("invalid endpoint settings:\nno configured subnet or ip-range contain the IP address 10.0.0.9")));
}
