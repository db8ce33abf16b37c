//! Writing entries as a tar stream (`GET /containers/{id}/archive`, `docker
//! export`, image layers of `docker save`). Long names and link targets use
//! GNU extensions, as Docker's own archives do.

use std::time::UNIX_EPOCH;

use super::entry::{Entry, Kind};
use super::FsError;

fn failed(e: std::io::Error) -> FsError {
    FsError::Invalid(format!("writing the tar stream: {e}"))
}

/// Appends one entry under `name` (no leading `/`; a directory gets a
/// trailing `/`).
pub fn append(b: &mut tar::Builder<Vec<u8>>, name: &str, e: &Entry) -> Result<(), FsError> {
    let mut h = tar::Header::new_gnu();
    h.set_mode(e.mode);
    h.set_uid(u64::from(e.uid));
    h.set_gid(u64::from(e.gid));
    let mtime = e
        .mtime
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    h.set_mtime(mtime);
    match &e.kind {
        Kind::Dir => {
            h.set_entry_type(tar::EntryType::Directory);
            h.set_size(0);
            let name = if name.is_empty() || name.ends_with('/') {
                name.to_string()
            } else {
                format!("{name}/")
            };
            b.append_data(&mut h, name, std::io::empty())
                .map_err(failed)
        }
        Kind::File(data) => {
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(data.len() as u64);
            b.append_data(&mut h, name, &data[..]).map_err(failed)
        }
        Kind::Symlink(target) => {
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            b.append_link(&mut h, name, target).map_err(failed)
        }
    }
}

/// A whole archive of `(name, entry)` pairs, in order.
pub fn write<'a>(
    entries: impl IntoIterator<Item = (String, &'a Entry)>,
) -> Result<Vec<u8>, FsError> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, e) in entries {
        append(&mut b, &name, e)?;
    }
    b.into_inner().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_reader() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let mut f = Entry::file("data", 0o4755, t);
        f.uid = 1000;
        f.gid = 50;
        let long = format!("d/{}", "n".repeat(150));
        let d = Entry::dir(0o1777, t);
        let l = Entry::symlink(format!("/{}", "t".repeat(120)), t);
        let tar = write([
            ("d".to_string(), &d),
            (long.clone(), &f),
            ("d/l".to_string(), &l),
        ])
        .unwrap();
        let m = super::super::tar_in::read_members(&tar).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[1].name, long);
        assert_eq!(m[1].body, super::super::tar_in::Body::Entry(f));
        assert_eq!(m[0].body, super::super::tar_in::Body::Entry(d));
        assert_eq!(m[2].body, super::super::tar_in::Body::Entry(l));
    }
}
