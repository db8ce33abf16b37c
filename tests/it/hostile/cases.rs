//! The table of hostile requests, route by route.

use super::*;

pub(super) fn cases(exec: &str) -> Vec<Case> {
    use Method as M;
    let long = "a".repeat(300);
    let mut out = Vec::new();

    // Body mutations on every JSON-body route.
    let bodies: Vec<(Option<&'static str>, Vec<u8>)> = vec![
        (Some("application/json"), b"{".to_vec()),
        (Some("application/json"), b"{\"Image\":\"alp".to_vec()),
        (
            Some("application/json"),
            b"{\"Image\":\"alpine\"} trailing".to_vec(),
        ),
        (Some("application/json"), b"{\"Name\":\"x\"}{}".to_vec()),
        (Some("application/json"), b"null".to_vec()),
        (Some("application/json"), b"[1,2]".to_vec()),
        (Some("application/json"), b"5".to_vec()),
        (Some("application/json"), b"\"str\"".to_vec()),
        (
            Some("application/json"),
            b"{\"Name\":\"\xff\xfe\"}".to_vec(),
        ),
        (Some("text/plain"), b"{\"Name\":\"vv\"}".to_vec()),
        (None, b"{\"Name\":\"vv\"}".to_vec()),
        (Some("application/jsonx"), b"{}".to_vec()),
    ];
    for (m, p) in json_routes() {
        let p = p.replace("EXEC", exec);
        // Routes that take no body ignore a valid JSON value, as Docker does
        // (its start route refuses only bodies longer than 7 bytes).
        let bodyless = p.ends_with("/start") && !p.starts_with("/exec") || p == "/info";
        for (ct, body) in &bodies {
            let valid_json =
                *ct == Some("application/json") && serde_json::from_slice::<Value>(body).is_ok();
            if bodyless && valid_json {
                continue;
            }
            let mut c = case(m.clone(), p.clone()).ct(*ct).want(400);
            c.body = body.clone();
            out.push(c);
        }
    }

    // Wrong JSON types and nulls, container create.
    for body in [
        json!({"Image": 5}),
        json!({"Image": null}),
        json!({"Image": "alpine", "HostConfig": "x"}),
        json!({"Image": "alpine", "HostConfig": []}),
        json!({"Image": "alpine", "Cmd": 5}),
        json!({"Image": "alpine", "Cmd": {"a": 1}}),
        json!({"Image": "alpine", "Env": "A=1"}),
        json!({"Image": "alpine", "Env": [1, 2]}),
        json!({"Image": "alpine", "Labels": ["a"]}),
        json!({"Image": "alpine", "Labels": {"a": 5}}),
        json!({"Image": "alpine", "ExposedPorts": "80"}),
        json!({"Image": "alpine", "NetworkingConfig": []}),
        json!({"Image": "alpine", "HostConfig": {"Binds": "a:/b"}}),
        json!({"Image": "alpine", "HostConfig": {"Mounts": {"Type": "volume"}}}),
        json!({"Image": "alpine", "Tty": "yes"}),
        json!({"Image": "alpine", "StopTimeout": "ten"}),
        json!({"Image": "alpine", "Healthcheck": {"Interval": "1s"}}),
        json!({}),
        json!({"Image": "alpine", "WorkingDir": "relative/dir"}),
        json!({"Image": "alpine", "HostConfig": {"RestartPolicy": {"Name": "sometimes"}}}),
        json!({"Image": "alpine", "HostConfig": {"RestartPolicy": {"Name": "always", "MaximumRetryCount": 3}}}),
        json!({"Image": "alpine", "NetworkingConfig": {"EndpointsConfig": {"hnet": {"IPAMConfig": {"IPv4Address": "bad"}}}}}),
        json!({"Image": "alpine", "NetworkingConfig": {"EndpointsConfig": {"hnet": {"IPAMConfig": {"IPv6Address": "zz::zz::1"}}}}}),
        json!({"Image": "alpine", "HostConfig": {"Binds": ["hvol:/data", "bad name!:/x"]}}),
        json!({"Image": "alpine", "HostConfig": {"Binds": ["fresh-vol:/data"], "NetworkMode": "host"},
               "NetworkingConfig": {"EndpointsConfig": {"hnet": {}}}}),
        json!({"Image": "alpine", "HostConfig": {"Binds": ["bad name!:/data"]}}),
        json!({"Image": "alpine", "HostConfig": {"Binds": ["novolume"]}}),
        json!({"Image": "alpine", "HostConfig": {"Binds": ["x:relative"]}}),
        json!({"Image": "nosuch-image:1.0"}),
        json!({"Image": "NOT A REFERENCE"}),
        json!({"Image": "alpine:bad:tag"}),
        json!({"Image": ""}),
        json!({"Image": "a//b"}),
        json!({"Image": "sha256:zzzz"}),
    ] {
        out.push(case(M::POST, "/containers").json(body.to_string()));
    }
    // Bad container names (query).
    for name in [
        "a%2Fb",
        "..",
        "a%20b",
        "x",
        "-lead",
        "%00",
        "hrun",
        "%2Fhrun",
        &format!("{long}%20"),
        "n%C3%A9",
    ] {
        out.push(
            case(M::POST, format!("/containers?name={name}"))
                .json(json!({"Image": "alpine"}).to_string()),
        );
    }
    out.push(
        case(M::POST, "/containers?name=%zz")
            .json(json!({"Image": "alpine"}).to_string())
            .want(400),
    );

    // Bad references on every container route.
    let refs = [
        "nosuch".to_string(),
        "..".to_string(),
        "a%2F..%2Fb".to_string(),
        "%00".to_string(),
        "%ff".to_string(),
        "a%20b".to_string(),
        long.clone(),
    ];
    let container_routes: Vec<(Method, &str)> = vec![
        (M::GET, ""),
        (M::DELETE, ""),
        (M::POST, "/start"),
        (M::POST, "/stop"),
        (M::POST, "/kill"),
        (M::POST, "/restart"),
        (M::POST, "/pause"),
        (M::POST, "/unpause"),
        (M::POST, "/rename?name=fresh"),
        (M::GET, "/logs?stdout=1"),
        (M::GET, "/top"),
        (M::GET, "/stats?stream=false"),
    ];
    for (m, suffix) in &container_routes {
        for r in &refs {
            out.push(case(m.clone(), format!("/containers/{r}{suffix}")));
        }
    }
    for r in &refs {
        out.push(
            case(M::POST, format!("/containers/{r}/exec"))
                .json(json!({"Cmd": ["true"]}).to_string()),
        );
        out.push(case(M::GET, format!("/containers/{r}/wait")).ws());
        out.push(case(M::GET, format!("/containers/{r}/attach?stdout=1")).ws());
        out.push(case(M::GET, format!("/containers/{r}/logs/stream?stdout=1")).ws());
        out.push(case(M::GET, format!("/exec/{r}")));
        out.push(case(M::POST, format!("/exec/{r}/start")).json(r#"{"Detach":true}"#));
        out.push(case(M::GET, format!("/exec/{r}/start")).ws());
    }

    // Bad query values and operations refused in the current state.
    for (m, p, want, says) in [
        (M::GET, "/containers?all=maybe", 400, "all"),
        (
            M::GET,
            "/containers?limit=abc",
            400,
            "invalid value for limit: abc",
        ),
        (M::GET, "/containers?limit=1.5", 400, "limit"),
        (
            M::GET,
            "/containers?limit=99999999999999999999",
            400,
            "limit",
        ),
        (M::GET, "/containers?size=2", 400, "size"),
        (M::GET, "/containers?filters=%7Bbad", 400, "invalid filter"),
        (
            M::GET,
            "/containers?filters=%7B%22nokey%22:[%22x%22]%7D",
            400,
            "nokey",
        ),
        (
            M::GET,
            "/containers?filters=%7B%22status%22:[%22zombie%22]%7D",
            400,
            "zombie",
        ),
        (M::GET, "/containers?filters=[]", 400, ""),
        (M::GET, "/containers?filters=%22str%22", 400, ""),
        (M::GET, "/containers?filters=%7B%22label%22:5%7D", 400, ""),
        (M::GET, "/containers?a=%zz", 400, "invalid URL escape"),
        (M::GET, "/containers?a=1;b=2", 400, "semicolon"),
        (
            M::POST,
            "/containers/prune?filters=%7B%22bogus%22:[%22x%22]%7D",
            400,
            "bogus",
        ),
        (M::POST, "/containers/prune?filters=%7Bbad", 400, ""),
        (
            M::POST,
            "/containers/hrun/stop?t=abc",
            400,
            "invalid value for t: abc",
        ),
        (
            M::POST,
            "/containers/hrun/stop?t=99999999999",
            400,
            "invalid value for t: 99999999999",
        ),
        (
            M::POST,
            "/containers/hrun/restart?t=99999999999",
            400,
            "invalid value for t: 99999999999",
        ),
        (
            M::POST,
            "/containers/hrun/stop?signal=SIGFOO",
            400,
            "invalid signal: SIGFOO",
        ),
        (
            M::POST,
            "/containers/hrun/kill?signal=SIGFOO",
            400,
            "cannot kill container: hrun: invalid signal: SIGFOO",
        ),
        (
            M::POST,
            "/containers/hrun/kill?signal=99999",
            400,
            "the linux daemon does not support signal 99999",
        ),
        (
            M::POST,
            "/containers/hrun/kill?signal=-1",
            400,
            "the linux daemon does not support signal -1",
        ),
        (
            M::POST,
            "/containers/hrun/kill?signal=%00",
            400,
            "invalid signal: \0",
        ),
        (
            M::POST,
            "/containers/hcreated/kill",
            409,
            "cannot kill container: hcreated: container ",
        ),
        (M::POST, "/containers/hcreated/pause", 409, "is not running"),
        (M::POST, "/containers/hrun/unpause", 409, "not paused"),
        (M::DELETE, "/containers/hrun", 409, "container is running"),
        (M::DELETE, "/containers/hrun?force=maybe", 400, "force"),
        (M::DELETE, "/containers/hcreated?v=2", 400, ""),
        (M::POST, "/containers/hrun/rename?name=", 400, "empty"),
        (M::POST, "/containers/hrun/rename", 400, "empty"),
        (
            M::POST,
            "/containers/hrun/rename?name=hrun",
            400,
            "same name",
        ),
        (
            M::POST,
            "/containers/hrun/rename?name=a%2Fb",
            400,
            "Invalid container name",
        ),
        (
            M::POST,
            "/containers/hrun/rename?name=..",
            400,
            "Invalid container name",
        ),
        (
            M::POST,
            "/containers/hrun/rename?name=hcreated",
            409,
            "already in use",
        ),
        (M::GET, "/containers/hrun/logs", 400, "at least one stream"),
        // (`yes`/`no` are booleans here, as in Docker.)
        (M::GET, "/containers/hrun/logs?stdout=maybe", 400, "stdout"),
        (
            M::GET,
            "/containers/hrun/logs?stdout=1&since=yesterday",
            400,
            "",
        ),
        (M::GET, "/containers/hrun/logs?stdout=1&until=%zz", 400, ""),
        (M::GET, "/containers/hrun/stats?stream=2", 400, "stream"),
        (M::GET, "/containers/hrun/wait", 400, "upgrade required"),
        (M::GET, "/containers/hrun/attach", 400, "upgrade required"),
        (
            M::GET,
            "/containers/hrun/logs/stream?stdout=1",
            400,
            "upgrade required",
        ),
        (M::GET, "/events", 400, "upgrade required"),
        (M::GET, "/exec/EXEC/start", 400, "upgrade required"),
        (M::PUT, "/containers", 405, "allowed"),
        (M::PATCH, "/containers/hrun", 405, "allowed"),
        (M::GET, "/containers/hrun/frobnicate", 404, "page not found"),
        (M::GET, "/containers//start", 404, "page not found"),
        (M::GET, "/info/", 404, "page not found"),
        (M::GET, "/", 404, "page not found"),
        (M::POST, "/exec/EXEC/start?x=%zz", 400, ""),
        (
            M::GET,
            "/images?filters=%7B%22bogus%22:[%22x%22]%7D",
            400,
            "bogus",
        ),
        (
            M::GET,
            "/images?filters=%7B%22dangling%22:[%22maybe%22]%7D",
            400,
            "",
        ),
        (M::GET, "/images?all=maybe", 400, ""),
        (M::POST, "/images/prune?filters=%7Bbad", 400, ""),
        (M::POST, "/images/pull", 400, ""),
        (M::POST, "/images/pull?fromImage=", 400, ""),
        (M::POST, "/images/pull?fromImage=UPPER", 400, ""),
        (M::POST, "/images/pull?fromImage=a%20b", 400, ""),
        (M::POST, "/images/pull?fromImage=::", 400, ""),
        (M::POST, "/images/pull?fromImage=a//b", 400, ""),
        (
            M::POST,
            "/images/pull?fromImage=alpine&tag=bad%20tag",
            400,
            "",
        ),
        (M::POST, "/images/pull?fromImage=alpine&tag=:x", 400, ""),
        (M::POST, "/images/pull?fromImage=alpine@sha256:zz", 400, ""),
        (M::POST, "/images/pull?fromImage=%2E%2E", 400, ""),
        (M::GET, "/images/nosuch", 404, "No such image"),
        (M::GET, "/images/%ff", 400, ""),
        (
            M::GET,
            "/images/..%2F..%2Fetc",
            400,
            "invalid reference format",
        ),
        (M::GET, "/images/sha256:0000", 404, ""),
        (M::DELETE, "/images/alpine", 409, "must force"),
        (M::DELETE, "/images/nosuch", 404, "No such image"),
        (M::DELETE, "/images/alpine?force=maybe", 400, ""),
        (M::POST, "/images/nosuch/tag?repo=x", 404, "No such image"),
        (M::POST, "/images/alpine/tag?repo=BAD", 400, ""),
        (M::POST, "/images/alpine/tag?repo=a%20b", 400, ""),
        (M::POST, "/images/alpine/tag?repo=ok&tag=bad:tag", 400, ""),
        (M::POST, "/images/alpine/tag?repo=ok&tag=.lead", 400, ""),
        (M::POST, "/images/alpine/tag", 400, ""),
        (
            M::GET,
            "/networks?filters=%7B%22bogus%22:[%22x%22]%7D",
            400,
            "bogus",
        ),
        (
            M::GET,
            "/networks?filters=%7B%22type%22:[%22weird%22]%7D",
            400,
            "",
        ),
        (M::POST, "/networks/prune?filters=%7Bbad", 400, ""),
        (M::GET, "/networks/nosuch", 404, "not found"),
        (M::GET, "/networks/%00", 404, ""),
        (M::DELETE, "/networks/nosuch", 404, "not found"),
        (M::DELETE, "/networks/bridge", 403, "pre-defined"),
        (M::DELETE, "/networks/host", 403, "pre-defined"),
        (M::DELETE, "/networks/hnet", 403, "active endpoints"),
        (
            M::GET,
            "/volumes?filters=%7B%22bogus%22:[%22x%22]%7D",
            400,
            "bogus",
        ),
        (
            M::GET,
            "/volumes?filters=%7B%22dangling%22:[%22maybe%22]%7D",
            400,
            "",
        ),
        (M::POST, "/volumes/prune?filters=%7Bbad", 400, ""),
        (M::GET, "/volumes/nosuch", 404, "no such volume"),
        (M::GET, "/volumes/..", 404, ""),
        (M::GET, "/volumes/a%2F..%2Fb", 404, ""),
        (M::DELETE, "/volumes/nosuch", 404, "no such volume"),
        (M::DELETE, "/volumes/hvol", 409, "volume is in use"),
        (M::DELETE, "/volumes/hvol?force=1", 409, "volume is in use"),
        (M::DELETE, "/volumes/hvol?force=maybe", 400, ""),
    ] {
        out.push(
            case(m, p.replace("EXEC", exec))
                .want(want)
                .says(says.to_string()),
        );
    }

    // WebSocket routes refuse bad parameters before the upgrade.
    for (p, says) in [
        ("/containers/hrun/wait?condition=bogus", "invalid condition"),
        ("/containers/hrun/logs/stream", "at least one stream"),
        ("/containers/hrun/logs/stream?stdout=maybe", ""),
        ("/containers/hrun/attach?stdin=maybe", ""),
        ("/events?filters=%7Bbad", "invalid filter"),
        ("/events?since=yesterday", ""),
        ("/events?until=%zz", ""),
    ] {
        out.push(case(M::GET, p).ws().want(400).says(says));
    }

    // Exec create and start with bad bodies.
    for (p, body, want) in [
        ("/containers/hrun/exec", json!({"Cmd": []}), 400),
        ("/containers/hrun/exec", json!({"Cmd": null}), 400),
        ("/containers/hrun/exec", json!({}), 400),
        ("/containers/hrun/exec", json!({"Cmd": [5]}), 400),
        (
            "/containers/hrun/exec",
            json!({"Cmd": ["true"], "Env": "A"}),
            400,
        ),
        ("/containers/hcreated/exec", json!({"Cmd": ["true"]}), 409),
        ("/exec/EXEC/start", json!({"Detach": false}), 400),
        ("/exec/EXEC/start", json!({"Detach": "yes"}), 400),
    ] {
        out.push(
            case(M::POST, p.replace("EXEC", exec))
                .json(body.to_string())
                .want(want),
        );
    }

    // Networks.
    for (p, body, want) in [
        ("/networks", json!({}), 400),
        ("/networks", json!({"Name": ""}), 400),
        ("/networks", json!({"Name": null}), 400),
        ("/networks", json!({"Name": 5}), 400),
        ("/networks", json!({"Name": "bridge"}), 403),
        ("/networks", json!({"Name": "none"}), 403),
        ("/networks", json!({"Name": "hnet"}), 409),
        ("/networks", json!({"Name": "n2", "Labels": ["a"]}), 400),
        ("/networks", json!({"Name": "n2", "Internal": "yes"}), 400),
        (
            "/networks",
            json!({"Name": "n2", "Driver": "bogus-driver"}),
            404,
        ),
        (
            "/networks",
            json!({"Name": "n2", "IPAM": {"Config": [{"Subnet": "notacidr"}]}}),
            400,
        ),
        (
            "/networks",
            json!({"Name": "n2", "IPAM": {"Config": [{"Subnet": "10.0.0.0/99"}]}}),
            400,
        ),
        (
            "/networks",
            json!({"Name": "n2", "IPAM": {"Config": [{"Subnet": "10.9.0.0/16", "Gateway": "11.0.0.1"}]}}),
            400,
        ),
        ("/networks", json!({"Name": "n2", "IPAM": "x"}), 400),
        ("/networks/hnet/connect", json!({}), 400),
        ("/networks/hnet/connect", json!({"Container": 5}), 400),
        (
            "/networks/hnet/connect",
            json!({"Container": "nosuch"}),
            404,
        ),
        ("/networks/hnet/connect", json!({"Container": "hrun"}), 403),
        (
            "/networks/nosuch/connect",
            json!({"Container": "hcreated"}),
            404,
        ),
        (
            "/networks/hnet/connect",
            json!({"Container": "hcreated", "EndpointConfig": "x"}),
            400,
        ),
        (
            "/networks/hnet/connect",
            json!({"Container": "hcreated", "EndpointConfig": {"IPAMConfig": {"IPv4Address": "not-an-ip"}}}),
            400,
        ),
        ("/networks/hnet/disconnect", json!({}), 400),
        (
            "/networks/hnet/disconnect",
            json!({"Container": "nosuch"}),
            404,
        ),
        (
            "/networks/hnet/disconnect",
            json!({"Container": "hcreated"}),
            403,
        ),
        (
            "/networks/nosuch/disconnect",
            json!({"Container": "hrun"}),
            404,
        ),
        (
            "/networks/hnet/disconnect",
            json!({"Container": "hrun", "Force": "yes"}),
            400,
        ),
    ] {
        out.push(case(M::POST, p).json(body.to_string()).want(want));
    }

    // Volumes.
    for (body, want) in [
        (json!({"Name": "a"}), 400),
        (json!({"Name": "a/b"}), 400),
        (json!({"Name": ".."}), 400),
        (json!({"Name": "a b"}), 400),
        (json!({"Name": "-x"}), 400),
        (json!({"Name": format!("{long}/")}), 400),
        (json!({"Name": long.clone()}), 400),
        (json!({"Name": 5}), 400),
        (json!({"Name": "ok1", "Labels": ["a"]}), 400),
        (json!({"Name": "ok1", "DriverOpts": "x"}), 400),
        (json!({"Name": "ok1", "Driver": "bogus-driver"}), 404),
    ] {
        out.push(case(M::POST, "/volumes").json(body.to_string()).want(want));
    }

    // Auth.
    for body in [
        json!({}),
        json!({"username": "u"}),
        json!({"password": "p"}),
        json!({"username": 5, "password": "p"}),
        json!({"username": "u", "password": null}),
    ] {
        out.push(case(M::POST, "/auth").json(body.to_string()).want(400));
    }

    // Image loads that are not image archives.
    let valid_json_not_manifest = plain_tar("manifest.json", b"{\"not\":\"a list\"}");
    let bad_manifest = plain_tar(
        "manifest.json",
        b"[{\"Config\":\"missing.json\",\"RepoTags\":[\"x:1\"]}]",
    );
    let mut truncated = plain_tar("manifest.json", b"[]");
    truncated.truncate(700);
    for body in [
        Vec::new(),
        b"this is not a tar".to_vec(),
        vec![0u8; 10],
        vec![0u8; 1024],
        vec![0xffu8; 4096],
        plain_tar("hello.txt", b"hello"),
        valid_json_not_manifest,
        bad_manifest,
        truncated,
        plain_tar("manifest.json", b"not json"),
        plain_tar("index.json", b"{}"),
        vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3],
    ] {
        let mut c = case(M::POST, "/images/load")
            .ct(Some("application/x-tar"))
            .want(400);
        c.body = body;
        out.push(c);
    }
    out.push(case(M::POST, "/images/load?quiet=maybe").want(400));

    // Unknown paths and methods elsewhere.
    out.push(case(M::POST, "/capabilities").want(405));
    out.push(case(M::DELETE, "/images").want(405));
    out.push(case(M::GET, "/volumes/prune").want(404));
    out.push(case(M::GET, "/networks/prune").want(404));
    out.push(case(M::POST, "/images/a/b/tag?repo=x").want(404));
    out
}
