//! The table of hostile Docker requests, by kind.

use super::*;

const V: &str = "/v1.44";

pub(super) fn cases(exec: &str) -> Vec<Case> {
    let mut out = Vec::new();
    versions(&mut out);
    malformed_filters(&mut out);
    bad_filter_values(&mut out);
    bad_bodies(&mut out, exec);
    wrong_types(&mut out, exec);
    names(&mut out);
    references(&mut out);
    query_values(&mut out, exec);
    wrong_states(&mut out);
    unknown_paths(&mut out);
    out
}

/// Version prefixes out of range or not versions at all, on harmless and on
/// state-changing routes alike.
fn versions(out: &mut Vec<Case>) {
    let routes: [(&str, &str, Option<Value>); 5] = [
        ("GET", "/_ping", None),
        ("GET", "/version", None),
        (
            "POST",
            "/containers/create?name=vcreated",
            Some(json!({"Image": "alpine"})),
        ),
        ("DELETE", "/containers/hcreated?force=1", None),
        ("POST", "/containers/hrun/kill", None),
    ];
    let too_old = ["0.1", "1.23", "1.0", "0", "1..44", ".44", "0.99999999999"];
    // Components beyond any integer type count as its largest value (Go).
    let too_new = [
        "9.99",
        "1.45",
        "2",
        "1.44.1",
        "1.99999999999",
        "1.4294967296",
        "1.99999999999999999999999",
    ];
    // Not a version: the path is unknown.
    let not_versions = [
        "vabc", "v1.44a", "v-1.44", "v1,44", "V1.44", "v1.44%2F", "v",
    ];
    for (m, p, body) in &routes {
        let mk = |path: String| {
            let c = case(m, path);
            match body {
                Some(b) => c.json(b.to_string()),
                None => c,
            }
        };
        for v in too_old {
            out.push(mk(format!("/v{v}{p}")).want(400).says(format!(
                "client version {v} is too old. Minimum supported API version is 1.24"
            )));
        }
        for v in too_new {
            out.push(mk(format!("/v{v}{p}")).want(400).says(format!(
                "client version {v} is too new. Maximum supported API version is 1.44"
            )));
        }
        for v in not_versions {
            out.push(mk(format!("/{v}{p}")).want(404).says("page not found"));
        }
    }
}

/// Every route with `filters`: documents that are not filters at all, in both
/// the legacy map form and the list form.
fn malformed_filters(out: &mut Vec<Case>) {
    let routes = [
        ("GET", "/containers/json?all=1&"),
        ("GET", "/images/json?"),
        ("GET", "/networks?"),
        ("GET", "/volumes?"),
        ("GET", "/events?until=1&"),
        ("POST", "/containers/prune?"),
        ("POST", "/images/prune?"),
        ("POST", "/networks/prune?"),
        ("POST", "/volumes/prune?"),
    ];
    let docs = [
        "nope",
        "{",
        "[]",
        "\"x\"",
        "5",
        "{\"label\":\"x\"}",
        "{\"label\":5}",
        "{\"label\":[1]}",
        "{\"label\":{\"a\":\"yes\"}}",
        "{\"label\":[[\"a\"]]}",
        "{\"label\":[\"a\"]}x",
        "{\"label\":{\"a\":1}}",
    ];
    for (m, p) in routes {
        for doc in docs {
            out.push(
                case(m, format!("{V}{p}{}", filters(doc)))
                    .want(400)
                    .says("invalid filter"),
            );
        }
        // A query escape that is not one.
        out.push(case(m, format!("{V}{p}filters=%zz")).want(400));
        // An unknown key, list form and map form (Docker 26 ignores one on
        // the events route).
        if p.starts_with("/events") {
            continue;
        }
        for doc in ["{\"bogus\":[\"x\"]}", "{\"bogus\":{\"x\":true}}"] {
            out.push(
                case(m, format!("{V}{p}{}", filters(doc)))
                    .want(400)
                    .says("invalid filter 'bogus'"),
            );
        }
    }
}

/// Known keys with values the route refuses, in both forms.
fn bad_filter_values(out: &mut Vec<Case>) {
    let table: &[(&str, &str, &str, u16, &str)] = &[
        (
            "GET",
            "/containers/json?all=1&",
            "{\"status\":[\"bogus\"]}",
            400,
            "invalid filter 'status=bogus'",
        ),
        (
            "GET",
            "/containers/json?all=1&",
            "{\"status\":{\"bogus\":true}}",
            400,
            "invalid filter 'status=bogus'",
        ),
        (
            "GET",
            "/containers/json?",
            "{\"health\":[\"bogus\"]}",
            400,
            "unrecognized filter value for health: bogus",
        ),
        (
            "GET",
            "/containers/json?",
            "{\"exited\":[\"abc\"]}",
            400,
            "invalid filter 'exited=abc'",
        ),
        (
            "GET",
            "/containers/json?",
            "{\"before\":[\"nosuch\"]}",
            404,
            "No such container: nosuch",
        ),
        (
            "GET",
            "/containers/json?",
            "{\"since\":{\"nosuch\":true}}",
            404,
            "No such container: nosuch",
        ),
        (
            "GET",
            "/images/json?",
            "{\"dangling\":[\"maybe\"]}",
            400,
            "invalid filter 'dangling=",
        ),
        (
            "GET",
            "/images/json?",
            "{\"dangling\":{\"maybe\":true}}",
            400,
            "invalid filter 'dangling=",
        ),
        (
            "GET",
            "/images/json?",
            "{\"reference\":[\"[\"]}",
            400,
            "invalid filter 'reference=['",
        ),
        (
            "GET",
            "/images/json?",
            "{\"before\":[\"nosuch\"]}",
            404,
            "No such image: nosuch:latest",
        ),
        (
            "GET",
            "/images/json?",
            "{\"since\":[\"UPPER\"]}",
            400,
            "invalid reference format",
        ),
        (
            "GET",
            "/volumes?",
            "{\"dangling\":[\"maybe\"]}",
            400,
            "invalid filter 'dangling=",
        ),
        (
            "GET",
            "/volumes?",
            "{\"dangling\":{\"maybe\":true}}",
            400,
            "invalid filter 'dangling=",
        ),
        (
            "GET",
            "/networks?",
            "{\"dangling\":[\"maybe\"]}",
            400,
            "dangling",
        ),
        ("GET", "/networks?", "{\"type\":[\"weird\"]}", 400, "weird"),
        (
            "POST",
            "/containers/prune?",
            "{\"until\":[\"notatime\"]}",
            400,
            "failed to parse value as time or duration: \"notatime\"",
        ),
        (
            "POST",
            "/images/prune?",
            "{\"until\":[\"notatime\"]}",
            400,
            "failed to parse value as time or duration",
        ),
        (
            "POST",
            "/networks/prune?",
            "{\"until\":[\"notatime\"]}",
            400,
            "notatime",
        ),
        (
            "POST",
            "/images/prune?",
            "{\"dangling\":[\"maybe\"]}",
            400,
            "dangling",
        ),
    ];
    for (m, p, doc, want, says) in table {
        out.push(
            case(m, format!("{V}{p}{}", filters(doc)))
                .want(*want)
                .says(*says),
        );
    }
}

/// The JSON-body routes with bodies that are not what they should be.
fn bad_bodies(out: &mut Vec<Case>, exec: &str) {
    let routes = [
        "/containers/create?name=hostile".to_string(),
        "/containers/hrun/exec".to_string(),
        format!("/exec/{exec}/start"),
        "/networks/create".to_string(),
        "/networks/hnet/connect".to_string(),
        "/networks/hnet/disconnect".to_string(),
        "/volumes/create".to_string(),
        "/auth".to_string(),
    ];
    let deep_arrays = "[".repeat(100_000);
    let deep_objects = "{\"a\":".repeat(50_000);
    let huge = format!("{{\"Name\":\"{}\"}}", "x".repeat(MAX_BODY + 1));
    let bodies: Vec<(&str, Vec<u8>, u16)> = vec![
        ("application/json", b"{".to_vec(), 400),
        ("application/json", b"{\"Image\":\"alp".to_vec(), 400),
        (
            "application/json",
            b"{\"Name\":\"x\"} trailing".to_vec(),
            400,
        ),
        ("application/json", b"{\"Name\":\"x\"}{}".to_vec(), 400),
        ("application/json", b"[1,2]".to_vec(), 400),
        ("application/json", b"[]".to_vec(), 400),
        ("application/json", b"[true,false]".to_vec(), 400),
        ("application/json", b"5".to_vec(), 400),
        ("application/json", b"\"str\"".to_vec(), 400),
        ("application/json", b"true".to_vec(), 400),
        ("application/json", b"{\"Name\":\"\xff\xfe\"}".to_vec(), 400),
        ("application/json", deep_arrays.into_bytes(), 400),
        ("application/json", deep_objects.into_bytes(), 400),
        ("application/json", huge.into_bytes(), 413),
        ("text/plain", b"{\"Name\":\"vv\"}".to_vec(), 400),
        ("", b"{\"Name\":\"vv\"}".to_vec(), 400),
        ("application/jsonx", b"{}".to_vec(), 400),
    ];
    for p in &routes {
        for (ct, body, want) in &bodies {
            let c = case("POST", format!("{V}{p}"))
                .body(body.clone())
                .want(*want);
            out.push(if ct.is_empty() { c } else { c.ct(ct) });
        }
    }
    // `null` is the empty body: create, connect and disconnect need one.
    out.push(
        case("POST", format!("{V}/containers/create?name=hnull"))
            .json("null")
            .want(400)
            .says("config cannot be empty in order to create a container"),
    );
    for p in ["connect", "disconnect"] {
        out.push(
            case("POST", format!("{V}/networks/hnet/{p}"))
                .json("null")
                .want(400),
        );
    }
}

/// Values of the wrong JSON type, and bodies that parse but say nonsense.
fn wrong_types(out: &mut Vec<Case>, exec: &str) {
    let creates = [
        json!({"Image": 5}),
        json!({"Image": ""}),
        json!({"Image": "alpine", "HostConfig": "x"}),
        json!({"Image": "alpine", "HostConfig": []}),
        json!({"Image": "alpine", "Cmd": 5}),
        json!({"Image": "alpine", "Cmd": {"a": 1}}),
        json!({"Image": "alpine", "Env": "A=1"}),
        json!({"Image": "alpine", "Env": [1, 2]}),
        json!({"Image": "alpine", "Labels": ["a"]}),
        json!({"Image": "alpine", "ExposedPorts": "80"}),
        json!({"Image": "alpine", "Tty": "yes"}),
        json!({"Image": "alpine", "StopTimeout": "ten"}),
        json!({"Image": "alpine", "StopTimeout": 1e20}),
        json!({"Image": "alpine", "HostConfig": {"Memory": "lots"}}),
        json!({"Image": "alpine", "HostConfig": {"Binds": "a:/b"}}),
        json!({"Image": "alpine", "HostConfig": {"Binds": ["x:relative"]}}),
        json!({"Image": "alpine", "HostConfig": {"Binds": ["novolume"]}}),
        json!({"Image": "alpine", "HostConfig": {"Mounts": [{"Type": "bogus", "Target": "/x"}]}}),
        json!({"Image": "alpine", "HostConfig": {"Mounts": [{"Type": "volume", "Target": "rel"}]}}),
        json!({"Image": "alpine", "HostConfig": {"Mounts": [{"Type": "volume"}]}}),
        json!({"Image": "alpine", "HostConfig": {"RestartPolicy": {"Name": "sometimes"}}}),
        json!({"Image": "alpine", "HostConfig": {"NetworkMode": "container:nope"}}),
        json!({"Image": "alpine", "NetworkingConfig": {"EndpointsConfig": {"hnet": {"IPAMConfig": {"IPv4Address": "bad"}}}}}),
        json!({"Image": "UPPER"}),
        json!({"Image": "nosuchimage"}),
        json!({"Image": "alpine:bad tag"}),
        json!({"Image": "alpine@sha256:zz"}),
    ];
    for body in creates {
        out.push(case("POST", format!("{V}/containers/create?name=typed")).json(body.to_string()));
    }
    // Refused by Docker Engine 26.1 at create (its words, checked with curl);
    // accepted before round two's last part.
    let refused = [
        (json!({"HostConfig": {"Memory": -5}}), "Minimum memory limit allowed is 6MB"),
        (json!({"HostConfig": {"MemorySwap": 5_000_000}}), "You should always set the Memory limit when using Memoryswap limit, see usage"),
        (json!({"HostConfig": {"MemorySwappiness": 101}}), "Invalid value: 101, valid memory swappiness range is 0-100"),
        (json!({"HostConfig": {"CpuPeriod": 500}}), "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"),
        (json!({"HostConfig": {"OomScoreAdj": 1001}}), "Invalid value 1001, range for oom score adj is [-1000, 1000]"),
        (json!({"HostConfig": {"ShmSize": -1}}), "SHM size can not be less than 0"),
        (json!({"HostConfig": {"VolumesFrom": ["nope"]}}), "No such container: nope"),
        (json!({"HostConfig": {"Links": ["nope:al"]}}), "could not get container for nope: No such container: nope"),
        (
            json!({"NetworkingConfig": {"EndpointsConfig": {"bridge": {"IPAMConfig": {"IPv4Address": "172.17.0.9"}}}}}),
            "invalid config for network bridge: invalid endpoint settings:\nuser specified IP address is supported on user defined networks only",
        ),
    ];
    for (extra, says) in refused {
        let mut body = json!({"Image": "alpine"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        out.push(
            case("POST", format!("{V}/containers/create?name=refused"))
                .json(body.to_string())
                .want(400)
                .says(says),
        );
    }
    out.push(
        case(
            "GET",
            format!(
                "{V}/containers/json?{}",
                filters(r#"{"is-task":["maybe"]}"#)
            ),
        )
        .want(400)
        .says("invalid filter 'is-task=[maybe]'"),
    );
    out.push(
        case(
            "POST",
            format!("{V}/networks/prune?{}", filters(r#"{"until":["bogus"]}"#)),
        )
        .want(400)
        .says("failed to parse value as time or duration: \"bogus\""),
    );
    let execs = [
        json!({"Cmd": "ls", "Tty": "yes"}),
        json!({"Cmd": 5}),
        json!({"Cmd": []}),
        json!({}),
        json!({"Cmd": ["ls"], "Env": "A=1"}),
        json!({"Cmd": ["ls"], "AttachStdin": 1}),
    ];
    for body in execs {
        out.push(case("POST", format!("{V}/containers/hrun/exec")).json(body.to_string()));
    }
    for body in [
        json!({"Detach": "yes"}),
        json!({"Tty": 1}),
        json!({"Detach": [true]}),
    ] {
        out.push(
            case("POST", format!("{V}/exec/{exec}/start"))
                .json(body.to_string())
                .want(400),
        );
    }
    let networks = [
        json!({}),
        json!({"Name": 5}),
        json!({"Name": ""}),
        json!({"Name": "x", "Driver": "nosuch"}),
        json!({"Name": "x", "IPAM": {"Config": [{"Subnet": "bad"}]}}),
        json!({"Name": "x", "IPAM": {"Config": "x"}}),
        json!({"Name": "x", "Labels": ["a"]}),
        json!({"Name": "x", "Internal": "yes"}),
    ];
    for body in networks {
        out.push(case("POST", format!("{V}/networks/create")).json(body.to_string()));
    }
    let volumes = [
        json!({"Name": 5}),
        json!({"Name": "x", "Driver": "nosuch"}),
        json!({"Name": "x", "Labels": ["a"]}),
        json!({"Name": "x", "DriverOpts": {"a": 1}}),
    ];
    for body in volumes {
        out.push(case("POST", format!("{V}/volumes/create")).json(body.to_string()));
    }
    let connects = [
        json!({}),
        json!({"Container": 5}),
        json!({"Container": ""}),
        json!({"Container": "nope"}),
        json!({"Container": "hcreated", "EndpointConfig": "x"}),
        json!({"Container": "hcreated", "EndpointConfig": {"IPAMConfig": {"IPv4Address": "not-an-ip"}}}),
    ];
    for body in connects {
        out.push(case("POST", format!("{V}/networks/hnet/connect")).json(body.to_string()));
    }
    for body in [
        json!({}),
        json!({"Container": 5}),
        json!({"Container": "nope"}),
        json!({"Force": "yes"}),
    ] {
        out.push(case("POST", format!("{V}/networks/hnet/disconnect")).json(body.to_string()));
    }
    for body in [
        json!({"username": 5}),
        json!({"password": ["x"]}),
        json!({"serveraddress": {}}),
    ] {
        out.push(
            case("POST", format!("{V}/auth"))
                .json(body.to_string())
                .want(400),
        );
    }
}

/// Invalid names for new objects, and taken ones.
fn names(out: &mut Vec<Case>) {
    let long = "a".repeat(300);
    // (Docker takes a name of any length.)
    let bad = [
        "bad%20name",
        "%2F",
        "a%2Fb",
        "x",
        "..",
        "-lead",
        ".dot",
        "%00",
        "a%0Ab",
    ];
    for n in bad {
        out.push(
            case("POST", format!("{V}/containers/create?name={n}"))
                .json(json!({"Image": "alpine"}).to_string())
                .want(400)
                .says("Invalid container name"),
        );
        out.push(case("POST", format!("{V}/containers/hcreated/rename?name={n}")).want(400));
    }
    out.push(
        case("POST", format!("{V}/containers/create?name=hrun"))
            .json(json!({"Image": "alpine"}).to_string())
            .want(409)
            .says("Conflict. The container name \"/hrun\" is already in use"),
    );
    out.push(case("POST", format!("{V}/containers/hcreated/rename?name=hrun")).want(409));
    out.push(case("POST", format!("{V}/containers/hcreated/rename")).want(400));
    for n in ["bad name", "a/b", "..", "-x", long.as_str()] {
        out.push(
            case("POST", format!("{V}/volumes/create"))
                .json(json!({"Name": n}).to_string())
                .want(400),
        );
    }
    out.push(
        case("POST", format!("{V}/networks/create"))
            .json(json!({"Name": "hnet"}).to_string())
            .want(409)
            .says("network with name hnet already exists"),
    );
    for n in ["bridge", "host", "none"] {
        out.push(
            case("POST", format!("{V}/networks/create"))
                .json(json!({"Name": n}).to_string())
                .want(403),
        );
    }
}

/// Unknown and malformed references on every route that takes one.
fn references(out: &mut Vec<Case>) {
    let long = "z".repeat(300);
    let refs = [
        "nope",
        "..",
        "a%2F..%2Fb",
        "%00",
        "%ff",
        "a%20b",
        long.as_str(),
    ];
    let exec_body = json!({"Cmd": ["ls"]}).to_string();
    for r in refs {
        // `a/../b` breaks the path itself, `%ff` is not UTF-8: page not found.
        let not_found = if matches!(r, "a%2F..%2Fb" | "%ff") {
            "page not found".to_string()
        } else {
            "No such container".to_string()
        };
        let routes: Vec<(&str, String)> = vec![
            ("GET", format!("/containers/{r}/json")),
            ("GET", format!("/containers/{r}/top")),
            ("GET", format!("/containers/{r}/logs?stdout=1")),
            ("GET", format!("/containers/{r}/stats?stream=0")),
            ("POST", format!("/containers/{r}/start")),
            ("POST", format!("/containers/{r}/stop")),
            ("POST", format!("/containers/{r}/restart")),
            ("POST", format!("/containers/{r}/kill")),
            ("POST", format!("/containers/{r}/pause")),
            ("POST", format!("/containers/{r}/unpause")),
            ("POST", format!("/containers/{r}/wait")),
            ("POST", format!("/containers/{r}/rename?name=renamed")),
            ("POST", format!("/containers/{r}/attach?stream=1&stdout=1")),
            ("POST", format!("/containers/{r}/resize?h=1&w=1")),
            ("POST", format!("/containers/{r}/update")),
            ("DELETE", format!("/containers/{r}?force=1&v=1")),
        ];
        for (m, p) in routes {
            out.push(case(m, format!("{V}{p}")).want(404).says(not_found.clone()));
        }
        out.push(
            case("POST", format!("{V}/containers/{r}/exec"))
                .json(exec_body.clone())
                .want(404)
                .says(not_found.clone()),
        );
    }
    for r in ["nope", "UPPER", "a%20b", "sha256:zz", "%00", long.as_str()] {
        out.push(case("GET", format!("{V}/images/{r}/json")));
        out.push(case("POST", format!("{V}/images/{r}/tag?repo=newtag")));
        out.push(case("DELETE", format!("{V}/images/{r}?force=1")));
    }
    for r in ["nope", "%00", long.as_str()] {
        out.push(case("GET", format!("{V}/networks/{r}")).want(404));
        out.push(case("DELETE", format!("{V}/networks/{r}")).want(404));
        out.push(
            case("POST", format!("{V}/networks/{r}/connect"))
                .json(json!({"Container": "hcreated"}).to_string())
                .want(404),
        );
        out.push(
            case("POST", format!("{V}/networks/{r}/disconnect"))
                .json(json!({"Container": "hrun"}).to_string())
                .want(404),
        );
    }
    for r in ["nope", "%00", long.as_str()] {
        out.push(case("GET", format!("{V}/volumes/{r}")).want(404));
        // (With `force`, Docker's remove of an unknown volume is a 204.)
        out.push(case("DELETE", format!("{V}/volumes/{r}")).want(404));
        out.push(
            case("GET", format!("{V}/exec/{r}/json"))
                .want(404)
                .says("No such exec instance"),
        );
        out.push(
            case("POST", format!("{V}/exec/{r}/start"))
                .json("{}")
                .want(404),
        );
        out.push(case("POST", format!("{V}/exec/{r}/resize?h=1&w=1")).want(404));
    }
}

/// Query values Docker refuses: integers, durations, signals, conditions,
/// platforms, object types.
fn query_values(out: &mut Vec<Case>, exec: &str) {
    for t in [
        "abc",
        "1.5",
        "0x10",
        "1e3",
        "9223372037",
        "99999999999999999999",
    ] {
        out.push(case("POST", format!("{V}/containers/hrun/stop?t={t}")).want(400));
        out.push(case("POST", format!("{V}/containers/hrun/restart?t={t}")).want(400));
    }
    for sig in ["SIGFOO", "99999", "-1", "%00", "SIG", "KILL9", "65", "1.5"] {
        out.push(case("POST", format!("{V}/containers/hrun/kill?signal={sig}")).want(400));
    }
    out.push(case("POST", format!("{V}/containers/hrun/stop?signal=SIGFOO")).want(400));
    for c in ["bogus", "RUNNING", "next", "removed%00"] {
        out.push(
            case("POST", format!("{V}/containers/hrun/wait?condition={c}"))
                .want(400)
                .says("invalid condition"),
        );
    }
    for q in ["h=abc", "w=1.5", "h=99999999999999999999", "h=1&w=x"] {
        out.push(
            case("POST", format!("{V}/containers/hrun/resize?{q}"))
                .want(400)
                .says("strconv.Atoi"),
        );
        out.push(
            case("POST", format!("{V}/exec/{exec}/resize?{q}"))
                .want(400)
                .says("strconv.Atoi"),
        );
    }
    for q in [
        "stdout=0&stderr=no",
        "stdout=false",
        "stdout=none&stderr=0",
        "",
    ] {
        out.push(
            case("GET", format!("{V}/containers/hrun/logs?{q}"))
                .want(400)
                .says("Bad parameters: you must choose at least one stream"),
        );
    }
    for q in ["since=abc", "until=xyz"] {
        out.push(case("GET", format!("{V}/containers/hrun/logs?stdout=1&{q}")).want(400));
    }
    for l in ["abc", "1.5", "99999999999999999999"] {
        out.push(
            case("GET", format!("{V}/containers/json?limit={l}"))
                .want(400)
                .says("strconv.Atoi"),
        );
    }
    for q in [
        "since=abc&until=1",
        "until=abc",
        "since=10&until=5",
        "since=1.5.6&until=1",
    ] {
        out.push(case("GET", format!("{V}/events?{q}")).want(400));
    }
    for q in [
        "fromImage=alpine&platform=bogus",
        "fromImage=alpine&tag=bad%20tag",
        "fromImage=UPPER",
        "fromImage=a%20b",
        "fromImage=",
        "fromImage=alpine&tag=sha256:zz",
    ] {
        out.push(case("POST", format!("{V}/images/create?{q}")).want(400));
    }
    for q in ["type=bogus", "type=image&type=containers", "type=VOLUME"] {
        out.push(
            case("GET", format!("{V}/system/df?{q}"))
                .want(400)
                .says("unknown object type: "),
        );
    }
    for q in ["repo=UPPER", "repo=x&tag=bad%20tag", "repo=x&tag=-x"] {
        out.push(case("POST", format!("{V}/images/alpine/tag?{q}")).want(400));
    }
    out.push(
        case("POST", format!("{V}/containers/hrun/start"))
            .json("{\"Binds\":[]}")
            .want(400),
    );
}

/// Operations the current state refuses.
fn wrong_states(out: &mut Vec<Case>) {
    let exec_body = json!({"Cmd": ["ls"]}).to_string();
    let table: Vec<(&str, String, Option<String>, u16)> = vec![
        ("POST", "/containers/hcreated/kill".into(), None, 409),
        ("POST", "/containers/hcreated/pause".into(), None, 409),
        ("POST", "/containers/hcreated/unpause".into(), None, 409),
        ("POST", "/containers/hrun/unpause".into(), None, 409),
        ("DELETE", "/containers/hrun".into(), None, 409),
        ("DELETE", "/containers/hrun?v=1".into(), None, 409),
        (
            "POST",
            "/containers/hcreated/exec".into(),
            Some(exec_body),
            409,
        ),
        ("DELETE", "/networks/hnet".into(), None, 403),
        ("DELETE", "/networks/bridge".into(), None, 403),
        ("DELETE", "/networks/host".into(), None, 403),
        ("DELETE", "/networks/none".into(), None, 403),
        ("DELETE", "/volumes/hvol".into(), None, 409),
        ("DELETE", "/images/alpine".into(), None, 409),
        (
            "POST",
            "/networks/hnet/connect".into(),
            Some(json!({"Container": "hrun"}).to_string()),
            403,
        ),
        (
            "POST",
            "/networks/hnet/disconnect".into(),
            Some(json!({"Container": "hcreated"}).to_string()),
            403,
        ),
    ];
    for (m, p, body, want) in table {
        let c = case(m, format!("{V}{p}")).want(want);
        out.push(match body {
            Some(b) => c.json(b),
            None => c,
        });
    }
}

/// Unknown paths and wrong methods: 404 `page not found`.
fn unknown_paths(out: &mut Vec<Case>) {
    for (m, p) in [
        ("GET", "/nosuch"),
        ("PUT", "/_ping"),
        ("POST", "/version"),
        ("POST", "/containers/json"),
        ("GET", "/containers/hrun"),
        ("GET", "/containers//json"),
        ("GET", "/containers/hrun/start"),
        ("DELETE", "/volumes"),
        ("PATCH", "/containers/hrun/json"),
        ("GET", "/exec/x/start"),
        ("GET", "/images/"),
        ("POST", "/images/json"),
    ] {
        out.push(case(m, format!("{V}{p}")).want(404).says("page not found"));
    }
}
