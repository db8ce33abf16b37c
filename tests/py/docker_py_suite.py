"""docker-py 7.1.0 against sockerless (DOCKER_HOST=unix://<socket>).

Run by tests/docker_py.rs. Each check prints `ok <name>` or `FAIL <name>` with
its traceback; the exit status is the number of failures (0 = all passed).
"""

import io
import json
import sys
import tarfile
import time
import traceback

import docker

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def wait_for(predicate, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def client():
    return docker.from_env(timeout=30)


@check
def version_and_ping(c):
    assert c.ping() is True
    v = c.version()
    assert v["ApiVersion"] == "1.44", v
    assert c.api.api_version == "1.44", c.api.api_version
    assert v["Components"][0]["Details"]["ApiVersion"] == "1.44", v
    assert c.info()["OSType"] == "linux"


@check
def login(c):
    res = c.login(username="user", password="pw", registry="localhost:5000", reauth=True)
    assert res == {"Status": "Login Succeeded", "IdentityToken": ""}, res


@check
def images_pull(c):
    image = c.images.pull("alpine")
    assert "alpine:latest" in image.tags, image.tags
    assert image.id.startswith("sha256:"), image.id
    assert [t for i in c.images.list() for t in i.tags] == ["alpine:latest"]
    got = c.images.get("alpine")
    assert got.id == image.id
    try:
        c.images.get("nosuch")
        raise AssertionError("expected ImageNotFound")
    except docker.errors.ImageNotFound as e:
        assert "No such image: nosuch:latest" in str(e), str(e)
    assert image.tag("my/alpine", "v1") is True
    assert "my/alpine:v1" in c.images.get("alpine").tags
    c.images.remove("my/alpine:v1")
    pruned = c.images.prune()
    assert pruned["SpaceReclaimed"] == 0, pruned
    # The low-level pull stream: progress records, decoded.
    statuses = [r.get("status") for r in c.api.pull("busybox", tag="1.36", stream=True, decode=True)]
    assert statuses[0] == "Pulling from library/busybox", statuses
    assert statuses[-1] == "Status: Downloaded newer image for busybox:1.36", statuses


def image_archive(tag):
    """A minimal `docker save` archive of one image tagged `tag`."""
    config = json.dumps({
        "os": "linux", "architecture": "amd64",
        "config": {"Cmd": ["/app"]}, "rootfs": {"type": "layers", "diff_ids": []},
    }).encode()
    manifest = json.dumps([{"Config": "config.json", "RepoTags": [tag], "Layers": []}]).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in (("config.json", config), ("manifest.json", manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


@check
def images_load_and_list(c):
    loaded = c.images.load(image_archive("pyload:1.0"))
    assert [i.tags for i in loaded] == [["pyload:1.0"]], loaded
    assert loaded[0].attrs["Config"]["Cmd"] == ["/app"], loaded[0].attrs
    assert [i.tags for i in c.images.list(name="pyload")] == [["pyload:1.0"]]
    c.images.remove("pyload:1.0")
    assert c.images.list(name="pyload") == []


@check
def containers_run_echo(c):
    out = c.containers.run("alpine", "echo hi", remove=True)
    assert out == b"hi\n", out


@check
def containers_run_pulls_a_missing_image(c):
    out = c.containers.run("busybox:latest", ["sh", "-c", "echo pulled"], remove=True)
    assert out == b"pulled\n", out


@check
def containers_run_failure_raises(c):
    try:
        c.containers.run("alpine", ["sh", "-c", "echo bad >&2; exit 3"], stderr=True)
        raise AssertionError("expected ContainerError")
    except docker.errors.ContainerError as e:
        assert e.exit_status == 3, e.exit_status
        assert e.stderr == b"bad\n", e.stderr


@check
def detached_logs_stream(c):
    container = c.containers.run(
        "alpine", ["sh", "-c", "echo one; echo two; sleep 1000"], detach=True, name="pyd"
    )
    assert container.status in ("created", "running"), container.status
    stream = container.logs(stream=True, follow=True)
    got = b""
    while got != b"one\ntwo\n":
        got += next(stream)
    container.stop(timeout=1)
    rest = b"".join(stream)
    assert rest == b"", rest
    container.reload()
    assert container.status == "exited", container.status
    assert container.attrs["State"]["ExitCode"] == 143
    assert container.wait()["StatusCode"] == 143
    stamped = container.logs(timestamps=True).decode().splitlines()
    assert len(stamped) == 2 and stamped[0].endswith("Z one"), stamped
    container.remove()


@check
def exec_run(c):
    container = c.containers.run("alpine", ["sleep", "1000"], detach=True)
    code, out = container.exec_run("echo hi")
    assert (code, out) == (0, b"hi\n"), (code, out)
    code, out = container.exec_run(["sh", "-c", "echo e >&2; exit 4"])
    assert (code, out) == (4, b"e\n"), (code, out)
    code, (out, err) = container.exec_run(["sh", "-c", "echo o; echo e >&2"], demux=True)
    assert (code, out, err) == (0, b"o\n", b"e\n"), (code, out, err)
    code, out = container.exec_run("sleep 1", detach=True)
    # docker-py returns the (empty) text of the detached start.
    assert (code, out) == (None, ""), (code, out)
    stats = container.stats(stream=False)
    assert stats["name"] == "/" + container.name, stats.get("name")
    top = container.top()
    assert "PID" in top["Titles"], top
    container.remove(force=True)


@check
def attach_logs(c):
    container = c.containers.run("alpine", ["sh", "-c", "echo early; sleep 1000"], detach=True)
    wait_for(lambda: container.logs() == b"early\n", "the first log line")
    # logs=True, stream=False: the log so far, then the connection closes.
    out = container.attach(stdout=True, stderr=True, stream=False, logs=True)
    assert out == b"early\n", out
    container.remove(force=True)


@check
def networks_create_connect(c):
    net = c.networks.create("pynet", driver="bridge", ipam=docker.types.IPAMConfig(
        pool_configs=[docker.types.IPAMPool(subnet="10.7.0.0/24")]))
    assert net.name == "pynet"
    container = c.containers.run("alpine", ["sleep", "1000"], detach=True, name="pyc")
    net.connect(container, aliases=["pa"])
    net.reload()
    assert [x.name for x in net.containers] == ["pyc"], net.containers
    container.reload()
    ip = container.attrs["NetworkSettings"]["Networks"]["pynet"]["IPAddress"]
    assert ip == "10.7.0.2", ip
    assert [n.name for n in c.networks.list(names=["pynet"])] == ["pynet"]
    try:
        net.remove()
        raise AssertionError("expected APIError")
    except docker.errors.APIError as e:
        assert e.status_code == 403, e
    net.disconnect(container, force=True)
    net.remove()
    try:
        c.networks.get("pynet")
        raise AssertionError("expected NotFound")
    except docker.errors.NotFound:
        pass
    container.remove(force=True)
    c.networks.create("spare")
    assert c.networks.prune() == {"NetworksDeleted": ["spare"]}


@check
def volumes_create(c):
    vol = c.volumes.create("pyvol", labels={"x": "y"})
    assert vol.name == "pyvol"
    assert vol.attrs["Mountpoint"] == "/var/lib/docker/volumes/pyvol/_data"
    assert [v.name for v in c.volumes.list()] == ["pyvol"]
    assert c.volumes.get("pyvol").attrs["Labels"] == {"x": "y"}
    out = c.containers.run("alpine", "true", volumes={"pyvol": {"bind": "/data", "mode": "rw"}}, name="pyv")
    assert out == b""
    try:
        vol.remove()
        raise AssertionError("expected APIError")
    except docker.errors.APIError as e:
        assert e.status_code == 409, e
    c.containers.get("pyv").remove()
    vol.remove()
    assert c.volumes.list() == []
    c.volumes.create("spare")
    assert c.volumes.prune(filters={"all": "true"})["VolumesDeleted"] == ["spare"]


@check
def events_with_until(c):
    now = time.time_ns()
    since = f"{now // 10**9}.{now % 10**9:09d}"
    c.containers.create("alpine", "true", name="evc")
    c.volumes.create("evv")
    until = int(time.time()) + 1
    events = list(c.events(since=since, until=until, decode=True))
    kinds = [(e["Type"], e["Action"]) for e in events]
    assert kinds == [("container", "create"), ("volume", "create")], kinds
    container_event = events[0]
    # The deprecated fields Docker 25 still sends for containers.
    assert container_event["status"] == "create", container_event
    assert container_event["id"] == container_event["Actor"]["ID"], container_event
    assert container_event["from"] == "alpine", container_event
    filtered = list(c.events(since=since, until=until, decode=True, filters={"type": "volume"}))
    assert [e["Actor"]["ID"] for e in filtered] == ["evv"], filtered
    c.containers.get("evc").remove()


@check
def events_live(c):
    # events() returns once the head arrives (flushed at once, before any
    # event); the subscription is in place by then.
    stream = c.events(decode=True, filters={"type": "volume"})
    try:
        c.volumes.create("livevol")
        event = next(stream)
        assert (event["Type"], event["Action"], event["Actor"]["ID"]) == (
            "volume", "create", "livevol"), event
    finally:
        stream.close()


@check
def system_df(c):
    c.containers.run("alpine", "true", name="dfc", volumes={"dfv": {"bind": "/d", "mode": "rw"}})
    df = c.df()
    by_tag = {t: i for i in df["Images"] for t in i["RepoTags"]}
    assert by_tag["alpine:latest"]["Containers"] == 1, df["Images"]
    assert by_tag["alpine:latest"]["SharedSize"] == -1, df["Images"]
    assert df["LayersSize"] == sum(i["Size"] for i in df["Images"]), df
    assert [x["Names"] for x in df["Containers"]] == [["/dfc"]], df["Containers"]
    assert [v["Name"] for v in df["Volumes"]] == ["dfv"], df["Volumes"]
    assert df["Volumes"][0]["UsageData"] == {"Size": 0, "RefCount": 1}, df["Volumes"]
    assert df["Containers"][0]["SizeRw"] == 0, df["Containers"]
    assert df["BuildCache"] == [], df
    c.containers.prune()


def main():
    failures = 0
    for fn in CHECKS:
        c = client()
        try:
            fn(c)
            print(f"ok {fn.__name__}", flush=True)
        except Exception:  # noqa: BLE001 - report every failure
            failures += 1
            print(f"FAIL {fn.__name__}", flush=True)
            traceback.print_exc(file=sys.stdout)
        finally:
            # Each check starts from an empty daemon (images kept).
            for container in c.containers.list(all=True):
                container.remove(force=True)
            for vol in c.volumes.list():
                vol.remove(force=True)
            for net in c.networks.list():
                if net.name not in ("bridge", "host", "none"):
                    net.remove()
            c.close()
    print(f"docker-py: {len(CHECKS) - failures} checks ok, {failures} failing", flush=True)
    return failures


if __name__ == "__main__":
    sys.exit(main())
