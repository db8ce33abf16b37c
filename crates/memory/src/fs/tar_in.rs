//! Reading a tar stream (the body of `PUT /containers/{id}/archive`, an image
//! layer) into checked [`Member`]s before anything is stored: names are cleaned
//! and may not climb out of the extraction point, sizes must match the data
//! that is really there, sparse entries (which expand) are refused, and the
//! number of members is bounded.

use std::io::Read;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;

use super::entry::{Entry, Kind};
use super::path;
use super::FsError;

/// Most members one archive may hold.
pub const MAX_MEMBERS: usize = 100_000;

/// What a member is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A directory, file or symlink.
    Entry(Entry),
    /// A hard link to an earlier member (clean name relative to the
    /// extraction point).
    HardLink(String),
}

/// One checked tar member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Clean name relative to the extraction point (`""` for `./`).
    pub name: String,
    /// What it holds; for a hard link, its metadata is the target's.
    pub body: Body,
}

fn bad(e: impl std::fmt::Display) -> FsError {
    FsError::Invalid(format!("invalid tar archive: {e}"))
}

/// Reads and checks every member of `data`.
pub fn read_members(data: &[u8]) -> Result<Vec<Member>, FsError> {
    let mut archive = tar::Archive::new(data);
    let mut out = Vec::new();
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        if out.len() >= MAX_MEMBERS {
            return Err(bad(format!("more than {MAX_MEMBERS} members")));
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = path::clean_member(&raw_name)?;
        let header = entry.header();
        let mode = header.mode().map_err(bad)? & 0o7777;
        let uid = u32::try_from(header.uid().map_err(bad)?).map_err(bad)?;
        let gid = u32::try_from(header.gid().map_err(bad)?).map_err(bad)?;
        let mtime = UNIX_EPOCH + Duration::from_secs(header.mtime().map_err(bad)?);
        let size = header.size().map_err(bad)?;
        let kind = header.entry_type();
        let meta = |kind: Kind| Entry {
            kind,
            mode,
            uid,
            gid,
            mtime,
        };
        let body = if kind.is_dir() {
            Body::Entry(meta(Kind::Dir))
        } else if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .ok_or_else(|| bad(format!("link {raw_name} has no target")))?;
            if target.len() > path::MAX_PATH || target.contains('\0') {
                return Err(bad(format!("link {raw_name} has an invalid target")));
            }
            if kind.is_hard_link() {
                Body::HardLink(path::clean_member(&target)?)
            } else {
                Body::Entry(meta(Kind::Symlink(target)))
            }
        } else if kind.is_gnu_sparse() {
            return Err(bad(format!("sparse member {raw_name} is not supported")));
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            if size > data.len() as u64 {
                return Err(bad(format!(
                    "member {raw_name} claims {size} bytes, more than the archive holds"
                )));
            }
            let mut buf = Vec::new();
            (&mut entry).take(size).read_to_end(&mut buf).map_err(bad)?;
            if buf.len() as u64 != size {
                return Err(bad("unexpected EOF"));
            }
            Body::Entry(meta(Kind::File(Bytes::from(buf))))
        } else {
            // Devices, FIFOs, extended headers the reader did not fold in:
            // nothing a simulated container can use.
            continue;
        };
        if name.is_empty() && !matches!(&body, Body::Entry(e) if e.is_dir()) {
            return Err(bad(format!("member {raw_name:?} has no name")));
        }
        out.push(Member { name, body });
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tar with raw, unchecked names (the `tar` builder refuses `..`).
    pub(crate) fn raw_tar(members: &[(&str, tar::EntryType, &[u8], &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, kind, data, link) in members {
            let mut h = tar::Header::new_old();
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            if !link.is_empty() {
                h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
            }
            h.set_entry_type(*kind);
            h.set_mode(0o644);
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(0);
            h.set_size(data.len() as u64);
            h.set_cksum();
            out.extend_from_slice(h.as_bytes());
            out.extend_from_slice(data);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
        out.resize(out.len() + 1024, 0);
        out
    }

    #[test]
    fn good_members_are_read() {
        let tar = raw_tar(&[
            ("d/", tar::EntryType::Directory, b"", ""),
            ("d/f", tar::EntryType::Regular, b"hello", ""),
            ("d/l", tar::EntryType::Symlink, b"", "/etc/passwd"),
            ("d/h", tar::EntryType::Link, b"", "d/f"),
        ]);
        let m = read_members(&tar).unwrap();
        assert_eq!(m.len(), 4);
        assert_eq!(m[1].name, "d/f");
        assert!(
            matches!(&m[1].body, Body::Entry(e) if e.kind == Kind::File(Bytes::from_static(b"hello")))
        );
        assert!(
            matches!(&m[2].body, Body::Entry(e) if e.kind == Kind::Symlink("/etc/passwd".into()))
        );
        assert_eq!(m[3].body, Body::HardLink("d/f".into()));
    }

    #[test]
    fn hostile_archives_are_refused() {
        let traversal = raw_tar(&[("../../etc/x", tar::EntryType::Regular, b"x", "")]);
        assert!(read_members(&traversal).is_err());
        let link_out = raw_tar(&[("h", tar::EntryType::Link, b"", "../../etc/shadow")]);
        assert!(read_members(&link_out).is_err());
        // A header claiming far more data than follows.
        let mut huge = raw_tar(&[("big", tar::EntryType::Regular, b"", "")]);
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..3].copy_from_slice(b"big");
        h.set_size(1 << 40);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_cksum();
        huge[..512].copy_from_slice(h.as_bytes());
        assert!(read_members(&huge).is_err());
        let sparse = raw_tar(&[("s", tar::EntryType::GNUSparse, b"", "")]);
        assert!(read_members(&sparse).is_err());
        assert!(read_members(b"garbage that is not a tar").is_err());
        let deep = "a/".repeat(path::MAX_DEPTH + 1);
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        b.append_data(&mut h, &deep, &b""[..]).unwrap();
        assert!(read_members(&b.into_inner().unwrap()).is_err());
    }
}
