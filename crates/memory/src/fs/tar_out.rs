//! Writing entries as a tar stream (`GET /containers/{id}/archive`, `docker
//! export`, image layers of `docker save`). Long names and link targets use
//! GNU extensions, as Docker's own archives do.

use std::time::UNIX_EPOCH;

use super::entry::{Entry, Kind};
use super::FsError;

fn failed(e: std::io::Error) -> FsError {
    FsError::Invalid(format!("writing the tar stream: {e}"))
}

/// Writes `value` into a fixed header field, or a GNU long-name (or
/// long-link) member before the header when it does not fit. Names are kept
/// exactly as given (`./x`, `/x`), as Docker writes them.
fn set_field(
    b: &mut tar::Builder<Vec<u8>>,
    h: &mut tar::Header,
    value: &str,
    link: bool,
) -> Result<(), FsError> {
    let bytes = value.as_bytes();
    let field: &mut [u8] = if link {
        &mut h.as_old_mut().linkname
    } else {
        &mut h.as_old_mut().name
    };
    field.fill(0);
    if bytes.len() <= field.len() {
        field[..bytes.len()].copy_from_slice(bytes);
        return Ok(());
    }
    field.copy_from_slice(&bytes[..field.len()]);
    let mut long = tar::Header::new_gnu();
    long.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
    long.set_mode(0o644);
    long.set_uid(0);
    long.set_gid(0);
    long.set_mtime(0);
    long.set_entry_type(if link {
        tar::EntryType::GNULongLink
    } else {
        tar::EntryType::GNULongName
    });
    let mut data = bytes.to_vec();
    data.push(0);
    long.set_size(data.len() as u64);
    long.set_cksum();
    b.append(&long, &data[..]).map_err(failed)
}

/// Appends one entry under `name` (written as given; a directory gets a
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
    let data: &[u8] = match &e.kind {
        Kind::Dir => {
            h.set_entry_type(tar::EntryType::Directory);
            h.set_size(0);
            let name = if name.ends_with('/') {
                name.to_string()
            } else {
                format!("{name}/")
            };
            set_field(b, &mut h, &name, false)?;
            &[]
        }
        Kind::File(data) => {
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(data.len() as u64);
            set_field(b, &mut h, name, false)?;
            data
        }
        Kind::Symlink(target) => {
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            set_field(b, &mut h, name, false)?;
            set_field(b, &mut h, target, true)?;
            &[]
        }
    };
    h.set_cksum();
    b.append(&h, data).map_err(failed)
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

    #[test]
    fn names_are_written_as_given() {
        let t = UNIX_EPOCH;
        let d = Entry::dir(0o755, t);
        let f = Entry::file("x", 0o644, t);
        let tar = write([
            ("./".to_string(), &d),
            ("./a".to_string(), &f),
            ("/".to_string(), &d),
            ("/bin".to_string(), &d),
        ])
        .unwrap();
        let mut a = tar::Archive::new(&tar[..]);
        let names: Vec<String> = a
            .entries()
            .unwrap()
            .map(|e| String::from_utf8_lossy(&e.unwrap().path_bytes()).into_owned())
            .collect();
        assert_eq!(names, vec!["./", "./a", "/", "/bin/"]);
    }
}
