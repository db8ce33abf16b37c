//! The small root an image pulled by name gets (nothing is ever downloaded):
//! `/bin`, `/etc` (`passwd`, `group`, `os-release` of the catalogue image),
//! `/tmp`, `/root`, `/var`, `/usr`, `/home`, the image's `WorkingDir` — and
//! the runtime files every container sees over its image (`/etc/hostname`,
//! `/etc/hosts`, `/etc/resolv.conf`).

use std::time::SystemTime;

use super::entry::Entry;
use super::layer::Tree;
use super::path;

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\n\
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
bin:x:2:2:bin:/bin:/usr/sbin/nologin\n\
sys:x:3:3:sys:/dev:/usr/sbin/nologin\n\
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n\
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

const GROUP: &str =
    "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nwww-data:x:33:\nnogroup:x:65534:\n";

/// `/etc/os-release` of a catalogue image (by repository name without
/// `library/`); `None` for images that have none (busybox).
fn os_release(repository: &str) -> Option<&'static str> {
    let name = repository.rsplit('/').next().unwrap_or(repository);
    Some(match name {
        "busybox" => return None,
        "alpine" => {
            "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n"
        }
        "ubuntu" => {
            "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nVERSION=\"24.04.1 LTS (Noble Numbat)\"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\n"
        }
        _ => {
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n"
        }
    })
}

/// The synthetic root of an image: `repository` is its name without tag
/// (`alpine`, `library/nginx`), `working_dir` its `WorkingDir`.
pub fn image_root(repository: &str, working_dir: &str, created: SystemTime) -> Tree {
    let t = created;
    let mut tree = Tree::new();
    tree.insert(String::new(), Entry::dir(0o755, t));
    for d in [
        "bin",
        "dev",
        "etc",
        "home",
        "proc",
        "root",
        "sys",
        "tmp",
        "usr",
        "usr/bin",
        "usr/local",
        "usr/local/bin",
        "usr/sbin",
        "sbin",
        "var",
        "var/log",
        "var/tmp",
        "lib",
    ] {
        let mode = match d {
            "tmp" | "var/tmp" => 0o1777,
            "root" => 0o700,
            _ => 0o755,
        };
        tree.insert(d.to_string(), Entry::dir(mode, t));
    }
    tree.insert("bin/sh".into(), Entry::file("", 0o755, t));
    tree.insert("etc/passwd".into(), Entry::file(PASSWD, 0o644, t));
    tree.insert("etc/group".into(), Entry::file(GROUP, 0o644, t));
    if let Some(text) = os_release(repository) {
        tree.insert("etc/os-release".into(), Entry::file(text, 0o644, t));
    }
    if let Ok(wd) = path::clean(working_dir) {
        let mut key = String::new();
        for c in wd.split('/').filter(|c| !c.is_empty()) {
            key = path::join(&key, c);
            tree.entry(key.clone())
                .or_insert_with(|| Entry::dir(0o755, t));
        }
    }
    tree
}

/// The files the runtime puts over every container's image.
pub fn runtime_files(hostname: &str, addresses: &[String], created: SystemTime) -> Tree {
    let mut hosts = String::from(
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n",
    );
    for a in addresses.iter().filter(|a| !a.is_empty()) {
        hosts.push_str(&format!("{a}\t{hostname}\n"));
    }
    let mut tree = Tree::new();
    tree.insert(
        "etc/hostname".into(),
        Entry::file(format!("{hostname}\n"), 0o644, created),
    );
    tree.insert("etc/hosts".into(), Entry::file(hosts, 0o644, created));
    tree.insert(
        "etc/resolv.conf".into(),
        Entry::file("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", 0o644, created),
    );
    tree
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn roots_hold_the_catalogue_files_and_the_working_dir() {
        let t = image_root("library/nginx", "/usr/share/nginx/html", UNIX_EPOCH);
        assert!(t.get("usr/share/nginx/html").unwrap().is_dir());
        assert!(t.get("usr/share").unwrap().is_dir());
        assert!(t.contains_key("etc/os-release"));
        assert_eq!(t.get("tmp").unwrap().mode, 0o1777);
        assert!(!image_root("busybox", "", UNIX_EPOCH).contains_key("etc/os-release"));
        let r = runtime_files("abc", &["172.17.0.2".into()], UNIX_EPOCH);
        assert_eq!(
            r.get("etc/hostname").unwrap().kind,
            super::super::entry::Kind::File("abc\n".into())
        );
    }
}
