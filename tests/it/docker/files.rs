//! Containers' files: `docker cp` both ways before start, while running and
//! after exit, `docker diff`, `docker export`, `docker commit`, `docker save`
//! and `docker load` with the real CLI; the path stat header and hostile
//! archives on the wire (400, nothing changed).

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::cli::Cli;
use super::common::{raw, Daemon};

fn write(dir: &Path, rel: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, data).expect("write");
    p
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Names of a tar file's members.
fn tar_names(data: &[u8]) -> Vec<String> {
    let mut a = tar::Archive::new(data);
    a.entries()
        .expect("tar")
        .map(|e| {
            let e = e.expect("entry");
            String::from_utf8_lossy(&e.path_bytes()).into_owned()
        })
        .collect()
}

#[test]
fn cp_both_ways_before_start_while_running_and_after_exit() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&["create", "--name", "job", "alpine", "sleep", "infinity"]);
    let dir = cli.daemon.dir().to_path_buf();
    let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    write(&dir, "src/a.txt", b"hello\n");
    write(&dir, "src/sub/b.bin", &binary);
    std::os::unix::fs::symlink("a.txt", dir.join("src/link")).expect("symlink");
    let src = dir.join("src");
    // Created, never started: /work does not exist, so the CLI extracts into /.
    cli.ok(&["cp", &src.to_string_lossy(), "job:/work"]);
    let out1 = dir.join("out1");
    cli.ok(&["cp", "job:/work", &out1.to_string_lossy()]);
    assert_eq!(read(&out1.join("a.txt")), b"hello\n");
    assert_eq!(read(&out1.join("sub/b.bin")), binary);
    assert_eq!(
        std::fs::read_link(out1.join("link")).expect("link"),
        Path::new("a.txt")
    );
    // Running.
    cli.ok(&["start", "job"]);
    let f = write(&dir, "running.txt", b"while running\n");
    cli.ok(&["cp", &f.to_string_lossy(), "job:/work/running.txt"]);
    let out2 = dir.join("out2.txt");
    cli.ok(&["cp", "job:/work/running.txt", &out2.to_string_lossy()]);
    assert_eq!(read(&out2), b"while running\n");
    // Exited.
    cli.ok(&["stop", "-t", "0", "job"]);
    let out3 = dir.join("out3");
    cli.ok(&["cp", "job:/work/.", &out3.to_string_lossy()]);
    assert_eq!(read(&out3.join("running.txt")), b"while running\n");
    assert_eq!(read(&out3.join("sub/b.bin")), binary);
    // Docker's errors, word for word (compared with Docker Engine 26.1).
    let err = cli.fails(&["cp", "job:/nope", &dir.join("x").to_string_lossy()], 1);
    assert_eq!(
        err,
        "Error response from daemon: Could not find the file /nope in container job\n"
    );
    let err = cli.fails(&["cp", &f.to_string_lossy(), "job:/nope/x"], 1);
    assert_eq!(
        err,
        "Error response from daemon: Could not find the file /nope in container job\n"
    );
    let err = cli.fails(&["cp", &f.to_string_lossy(), "job:/etc/hostname/x"], 1);
    assert_eq!(
        err,
        "Error response from daemon: extraction point is not a directory\n"
    );
    assert_eq!(
        cli.ok(&["diff", "job"]),
        "A /work\nA /work/a.txt\nA /work/link\nA /work/running.txt\nA /work/sub\nA /work/sub/b.bin\n"
    );
}

#[test]
fn diff_export_commit_save_and_load() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&["create", "--name", "cc", "alpine", "true"]);
    assert_eq!(cli.ok(&["diff", "cc"]), "");
    let dir = cli.daemon.dir().to_path_buf();
    let f = write(&dir, "artifact", b"built\n");
    cli.ok(&["cp", &f.to_string_lossy(), "cc:/tmp/artifact"]);
    assert_eq!(cli.ok(&["diff", "cc"]), "C /tmp\nA /tmp/artifact\n");
    let export = dir.join("export.tar");
    cli.ok(&["export", "-o", &export.to_string_lossy(), "cc"]);
    let names = tar_names(&read(&export));
    for want in ["etc/os-release", "etc/hostname", "tmp/artifact", "root/"] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    let id = cli.ok(&[
        "commit",
        "-c",
        "CMD [\"cat\",\"/tmp/artifact\"]",
        "cc",
        "snap:v1",
    ]);
    assert!(id.starts_with("sha256:"), "{id}");
    assert_eq!(
        cli.ok(&["inspect", "-f", "{{json .Config.Cmd}}", "snap:v1"]),
        "[\"cat\",\"/tmp/artifact\"]\n"
    );
    let saved = dir.join("snap.tar");
    cli.ok(&["save", "-o", &saved.to_string_lossy(), "snap:v1"]);
    let names = tar_names(&read(&saved));
    assert!(names.iter().any(|n| n == "manifest.json"), "{names:?}");
    cli.ok(&["rm", "cc"]);
    cli.ok(&["rmi", "snap:v1"]);
    assert_eq!(
        cli.ok(&["load", "-i", &saved.to_string_lossy()]),
        "Loaded image: snap:v1\n"
    );
    // The loaded image keeps its files.
    cli.ok(&["create", "--name", "again", "snap:v1"]);
    let back = dir.join("back");
    cli.ok(&["cp", "again:/tmp/artifact", &back.to_string_lossy()]);
    assert_eq!(read(&back), b"built\n");
    assert_eq!(cli.ok(&["diff", "again"]), "");
}

fn socket(d: &Daemon) -> PathBuf {
    PathBuf::from(d.host().trim_start_matches("unix://"))
}

async fn setup() -> (Daemon, PathBuf) {
    let d = Daemon::start();
    let s = socket(&d);
    let res = raw(
        &s,
        "POST",
        "/v1.44/images/create?fromImage=alpine&tag=latest",
        &[],
        b"",
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = json!({"Image": "alpine", "Cmd": ["true"]}).to_string();
    let res = raw(
        &s,
        "POST",
        "/v1.44/containers/create?name=cc",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    (d, s)
}

fn stat_of(header: Option<&str>) -> Value {
    let stat = sockerless_core::api::PathStat::from_header(header.expect("stat header"))
        .expect("base64 of a stat");
    serde_json::to_value(stat).expect("json")
}

#[tokio::test]
async fn path_stat_header_carries_go_file_modes() {
    let (_d, s) = setup().await;
    let res = raw(
        &s,
        "HEAD",
        "/v1.44/containers/cc/archive?path=/etc",
        &[],
        b"",
    )
    .await;
    assert_eq!(res.status, 200);
    let stat = stat_of(res.header("x-docker-container-path-stat"));
    assert_eq!(stat["name"], "etc");
    assert_eq!(stat["size"], 4096);
    assert_eq!(stat["mode"], 2147484141u64, "ModeDir | 0755");
    assert_eq!(stat["linkTarget"], "");
    let res = raw(
        &s,
        "GET",
        "/v1.44/containers/cc/archive?path=/etc/os-release",
        &[],
        b"",
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/x-tar"));
    assert_eq!(tar_names(&res.body), vec!["os-release"]);
    let res = raw(&s, "HEAD", "/v1.44/containers/cc/archive", &[], b"").await;
    assert_eq!(res.status, 400);
    let res = raw(&s, "GET", "/v1.44/containers/cc/archive", &[], b"").await;
    assert_eq!(
        res.text(),
        "{\"message\":\"bad parameter: pathcannot be empty\"}\n"
    );
    let res = raw(&s, "GET", "/v1.44/containers/nope/archive?path=/", &[], b"").await;
    assert_eq!(res.text(), "{\"message\":\"No such container: nope\"}\n");
}

/// A one-member tar with a raw (unchecked) name, link target and size field.
fn hostile(name: &str, kind: tar::EntryType, link: &str, size: u64, data: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
    h.set_entry_type(kind);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_size(size);
    h.set_cksum();
    let mut out = h.as_bytes().to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512 + 1024, 0);
    out
}

#[tokio::test]
async fn hostile_archives_are_refused_and_change_nothing() {
    let (_d, s) = setup().await;
    let mut deep = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_size(0);
    h.set_mode(0o755);
    deep.append_data(&mut h, "d/".repeat(300), &b""[..])
        .expect("deep");
    let mut links = tar::Builder::new(Vec::new());
    for (name, target) in [("l1", "l2"), ("l2", "/tmp/l1")] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        links.append_link(&mut h, name, target).expect("link");
    }
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(1);
    h.set_mode(0o644);
    links.append_data(&mut h, "l1/x", &b"x"[..]).expect("file");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "traversal",
            hostile("../../etc/evil", tar::EntryType::Regular, "", 1, b"x"),
        ),
        (
            "hard link out",
            hostile("h", tar::EntryType::Link, "../../etc/shadow", 0, b""),
        ),
        (
            "huge size",
            hostile("big", tar::EntryType::Regular, "", 1 << 40, b"x"),
        ),
        (
            "sparse",
            hostile("s", tar::EntryType::GNUSparse, "", 0, b""),
        ),
        ("deep", deep.into_inner().expect("tar")),
        ("symlink loop", links.into_inner().expect("tar")),
        ("garbage", b"this is not a tar archive at all".to_vec()),
    ];
    for (what, tar) in cases {
        let res = raw(
            &s,
            "PUT",
            "/v1.44/containers/cc/archive?path=/tmp",
            &[("Content-Type", "application/x-tar")],
            &tar,
        )
        .await;
        assert_eq!(res.status, 400, "{what}: {}", res.text());
        let changes = raw(&s, "GET", "/v1.44/containers/cc/changes", &[], b"").await;
        assert_eq!(changes.json(), json!([]), "{what} changed nothing");
    }
}

#[test]
fn exec_scripts_see_the_files_cp_put_there_and_the_main_process_wrote() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&[
        "run",
        "-d",
        "--name",
        "ci",
        "alpine",
        "sh",
        "-c",
        "echo from-main > /tmp/main.txt; sleep 1000",
    ]);
    let dir = cli.daemon.dir().to_path_buf();
    write(&dir, "job/input.txt", b"line one\nline two\n");
    write(
        &dir,
        "job/run.sh",
        b"cat /builds/input.txt\necho ran $0\nexit 4\n",
    );
    cli.ok(&["cp", &dir.join("job").to_string_lossy(), "ci:/builds"]);
    // The copied script runs as a file (`sh FILE`), as a CI runner runs it.
    let ran = cli.run(&["exec", "ci", "sh", "/builds/run.sh"]);
    assert_eq!(
        ran.stdout, "line one\nline two\nran /builds/run.sh\n",
        "{ran:?}"
    );
    assert_eq!(ran.code, Some(4));
    let script = "cat /builds/input.txt > /builds/out.txt; echo done >> /builds/out.txt; \
                  ls /builds; cat /tmp/main.txt; cat < /builds/out.txt; cat /nope";
    let out = cli.run(&["exec", "ci", "sh", "-c", script]);
    assert_eq!(
        out.stdout, "input.txt\nout.txt\nrun.sh\nfrom-main\nline one\nline two\ndone\n",
        "{out:?}"
    );
    assert_eq!(
        out.stderr,
        "cat: can't open '/nope': No such file or directory\n"
    );
    assert_eq!(out.code, Some(1));
    // A file written by one exec is read by the next, and copied out.
    cli.ok(&["exec", "ci", "sh", "-c", "echo artifact > /builds/result"]);
    assert_eq!(
        cli.ok(&["exec", "ci", "cat", "/builds/result"]),
        "artifact\n"
    );
    let back = dir.join("result");
    cli.ok(&["cp", "ci:/builds/result", &back.to_string_lossy()]);
    assert_eq!(read(&back), b"artifact\n");
    let err = cli.run(&["exec", "ci", "sh", "-c", "echo x > /nope/x"]);
    assert_eq!(
        err.stderr,
        "sh: can't create /nope/x: nonexistent directory\n"
    );
    assert_eq!(err.code, Some(2));
}

/// The job script of [`exec_job_scripts_change_files_with_busybox_commands`]:
/// it packages `/src` into `/out` with the simulated commands.
const BUILD_SH: &str = "set -e
mkdir -p /out/pkg
cp -r /src/data /out/pkg/
mkdir /out/scratch && rmdir /out/scratch
mv /out/pkg/data /out/pkg/inputs
sed -i 's/demo/app/' /src/app.conf
grep -c beta /out/pkg/inputs/b.txt > /out/count
sort -u /out/pkg/inputs/b.txt > /out/pkg/sorted
sha256sum /out/pkg/sorted | cut -d' ' -f1 > /out/sum
mv /out/count /out/pkg/count
sed -i 's/^root:/ROOT:/' /etc/passwd
rm /etc/group /src/build.sh
touch /tmp/stamp
ln -s pkg /out/latest
chmod 700 /out/pkg
test -d /out/latest && echo packaged $(wc -l < /out/pkg/sorted) lines
";

#[test]
fn exec_job_scripts_change_files_with_busybox_commands() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&["run", "-d", "--name", "job", "alpine", "sleep", "infinity"]);
    let dir = cli.daemon.dir().to_path_buf();
    write(&dir, "src/app.conf", b"name=demo\nversion=1.2\n");
    write(&dir, "src/data/b.txt", b"beta\nalpha\nbeta\n");
    write(&dir, "src/build.sh", BUILD_SH.as_bytes());
    cli.ok(&["cp", &dir.join("src").to_string_lossy(), "job:/src"]);
    let ran = cli.run(&["exec", "job", "sh", "/src/build.sh"]);
    assert_eq!(
        (ran.stdout.as_str(), ran.stderr.as_str(), ran.code),
        ("packaged 2 lines\n", "", Some(0)),
        "{ran:?}"
    );
    // What one exec wrote, the next reads.
    assert_eq!(
        cli.ok(&[
            "exec",
            "job",
            "sh",
            "-c",
            "cat /out/pkg/count; grep ^ROOT: /etc/passwd | cut -d: -f1; cat /out/latest/sorted"
        ]),
        "2\nROOT\nalpha\nbeta\n"
    );
    // The artifacts, copied out byte for byte.
    let out = dir.join("out");
    cli.ok(&["cp", "job:/out", &out.to_string_lossy()]);
    assert_eq!(read(&out.join("pkg/sorted")), b"alpha\nbeta\n");
    assert_eq!(read(&out.join("pkg/count")), b"2\n");
    assert_eq!(read(&out.join("pkg/inputs/b.txt")), b"beta\nalpha\nbeta\n");
    // busybox: printf 'alpha\nbeta\n' | sha256sum
    assert_eq!(
        read(&out.join("sum")),
        b"e49c81e2d2f84e259d40e2fb8192f3bcd198b355184845d76d8f58807d0d78ee\n"
    );
    assert_eq!(
        std::fs::read_link(out.join("latest")).expect("link"),
        Path::new("pkg")
    );
    let conf = dir.join("app.conf");
    cli.ok(&["cp", "job:/src/app.conf", &conf.to_string_lossy()]);
    assert_eq!(read(&conf), b"name=app\nversion=1.2\n");
    // The changes those commands made, as docker diff lists them.
    assert_eq!(
        cli.ok(&["diff", "job"]),
        "C /etc\nD /etc/group\nC /etc/passwd\nA /out\nA /out/latest\nA /out/pkg\n\
         A /out/pkg/count\nA /out/pkg/inputs\nA /out/pkg/inputs/b.txt\nA /out/pkg/sorted\n\
         A /out/sum\nA /src\nA /src/app.conf\nA /src/data\nA /src/data/b.txt\nC /tmp\n\
         A /tmp/stamp\n"
    );
}
