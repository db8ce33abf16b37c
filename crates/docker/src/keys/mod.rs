//! Docker's key sets on the typed output, serialised once.
//!
//! The Docker API types come from bollard-stubs, whose derives leave out every
//! unset `Option` (`skip_serializing_if = "Option::is_none"`) and whose
//! required collections are written `[]`/`{}` when empty. Docker's Go structs
//! write every field without `omitempty`, nil slices, maps and pointers as
//! `null`. [`to_vec`] serialises through `Filled`, a serde `Serializer` that
//! writes into a [`JsonWriter`] and, for the structs named in [`tables`],
//! writes Docker's zero value of each field the derive skips (serde reports it
//! through `SerializeStruct::skip_field`), writes `null` for the fields Docker
//! leaves nil when empty, and appends the fields bollard-stubs does not have.
//! No intermediate `Value`: one pass, and one key comparison per field of a
//! struct with a table (its entries follow the struct's field order, as serde
//! visits them). Each table's entries are rendered once, `"Key":value`, joined
//! by commas (`Rendered`): a run of consecutive zero fields is written in one
//! copy, and a present field's key is copied rendered instead of escaped.
//! [`to_value`] parses [`to_vec`]'s bytes.
//!
//! Cost, counted with callgrind on a running container's inspect (2.7 kB
//! plain, 4.0 kB filled, 60 more keys): through `serde_json`, 37.6 k
//! instructions plain and 65.9 k filled, about 400 per added key. With
//! [`JsonWriter`] and the rendered zero fields (issue 16), the whole Docker
//! inspect request went from 125 k to 108 k instructions; writing through
//! the writer's compounds, the runs and the rendered keys took it to 92 k
//! (its serialisation 42 k, the internal API's of the same container 32 k).
//! Each entry's key, rendered span and null-if-empty flag kept together and
//! found by index (no `str` slicing, no scan by name per field) took the
//! whole request from 77.6 k to 73.7–74.4 k.
//!
//! ```
//! use sockerless_core::api::docker::HostConfig;
//! let json = sockerless_docker::keys::to_vec(&HostConfig::default()).unwrap();
//! let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
//! assert_eq!(v["CpuShares"], 0);
//! assert_eq!(v["CapAdd"], serde_json::Value::Null);
//! ```

mod ser;
pub mod tables;

use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;

use serde::{Serialize, Serializer};
use serde_json::Value;
use sockerless_core::json_write::{self, JsonWriter, KEY_WINDOW};

use ser::Filled;

/// A zero value as Docker's Go encoder writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zero {
    /// A nil slice, map or pointer: `null`.
    Null,
    /// A number: `0`.
    Int,
    /// A string (`""` for Go's zero; a daemon default otherwise).
    Str(&'static str),
    /// `false`.
    False,
    /// A fixed-size Go array, e.g. `[0,0]`.
    Seq(&'static [Zero]),
    /// A struct value (not a pointer): its own zero fields.
    Obj(&'static [(&'static str, Zero)]),
}

impl Serialize for Zero {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match *self {
            Zero::Null => s.serialize_unit(),
            Zero::Int => s.serialize_i64(0),
            Zero::Str(v) => s.serialize_str(v),
            Zero::False => s.serialize_bool(false),
            Zero::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Zero::Obj(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Docker's keys of one struct.
#[derive(Debug)]
pub struct Table {
    /// Every field Docker always writes that bollard-stubs may skip, with the
    /// value Docker writes when it is unset, in the order of bollard-stubs'
    /// struct: serde serialises (or skips) the fields in that order, so the
    /// next field is the next entry or not in the table, one comparison each.
    pub zero: &'static [(&'static str, Zero)],
    /// Fields Docker writes `null` when empty (a nil slice or map) where
    /// sockerless's type or backend holds an empty one.
    pub null_if_empty: &'static [&'static str],
    /// Fields bollard-stubs' struct does not have, written after the others.
    pub extra: &'static [(&'static str, Zero)],
}

impl Table {
    /// A table of zero values only (no `null`-if-empty fields, no extras).
    pub const fn zeros(zero: &'static [(&'static str, Zero)]) -> Table {
        Table {
            zero,
            null_if_empty: &[],
            extra: &[],
        }
    }

    /// The table's entries rendered (see [`Rendered`]).
    fn render(&'static self) -> Rendered {
        let mut joined = Vec::new();
        let mut entries = Vec::new();
        for (i, (key, zero)) in self.zero.iter().chain(self.extra).enumerate() {
            if !joined.is_empty() {
                joined.push(b',');
            }
            let start = joined.len();
            sockerless_core::json_write::write_str(&mut joined, key);
            joined.push(b':');
            let key_end = joined.len();
            if zero.serialize(&mut JsonWriter::new(&mut joined)).is_err() {
                // A zero is a literal, a string or a list or map of them:
                // the writer takes every one.
                joined.truncate(key_end);
                joined.extend_from_slice(b"null");
            }
            // A table's text is a few kilobytes and its keys are short:
            // the narrow fields hold them (a test renders every table).
            entries.push(Entry {
                seen_at: AtomicUsize::new(0),
                start: u32::try_from(start).unwrap_or(u32::MAX),
                key_len: u16::try_from(key.len()).unwrap_or(u16::MAX),
                rendered_key_len: u8::try_from(key_end - start).unwrap_or(u8::MAX),
                null_if_empty: i < self.zero.len() && self.null_if_empty.contains(key),
            });
        }
        let text_len = joined.len();
        // Room for the last key's window (see `Rendered::key`).
        joined.resize(text_len + KEY_WINDOW, b' ');
        Rendered {
            table: self,
            zeros: self.zero.len(),
            text_len,
            joined: joined.into(),
            entries: entries.into(),
        }
    }
}

/// A [`Table`]'s entries (`zero`, then `extra`) rendered once, each as the
/// JSON field `"Key":value`, joined by commas: a run of consecutive zero
/// fields is written in one copy, and a present field's key is copied
/// rather than escaped.
#[derive(Debug)]
pub(crate) struct Rendered {
    /// The table rendered.
    pub(crate) table: &'static Table,
    /// The number of its `zero` entries (the first entries), kept here
    /// rather than read through `table` at every field: one load fewer.
    pub(crate) zeros: usize,
    /// Every entry's field, comma-separated, then [`KEY_WINDOW`] spaces
    /// that are never written: every key has a whole window after its
    /// start.
    joined: Box<[u8]>,
    /// The length of the fields' text in `joined`, without the spaces.
    text_len: usize,
    /// The entries, `zero` then `extra`, in the table's order.
    entries: Box<[Entry]>,
}

/// One rendered entry of a [`Table`]: 16 bytes, so that the entries a
/// struct's fields are checked against every time take few cache lines
/// (with the key's text and `usize` offsets in it, an entry was 48 bytes).
/// The key's text is read from the table only to compare a key not seen
/// before.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The address of a key text the serializer was seen to pass for this
    /// `zero` entry (0: none yet). serde's derived code passes the same
    /// static text for a field every time, so after the first comparison a
    /// field is recognised by its address, not compared byte by byte.
    seen_at: AtomicUsize,
    /// Where the field starts in [`Rendered::joined`].
    start: u32,
    /// The length of the field's key.
    key_len: u16,
    /// The length of its rendered key (`"Key":`).
    rendered_key_len: u8,
    /// A `zero` field Docker writes `null` when empty.
    pub(crate) null_if_empty: bool,
}

const _: () = assert!(std::mem::size_of::<Entry>() == 16);

impl Entry {
    /// Where the field starts in [`Rendered::joined`].
    fn start(&self) -> usize {
        self.start as usize
    }
}

impl Rendered {
    /// The fields of entries `run` (at least one), comma-separated.
    pub(crate) fn run(&self, run: std::ops::Range<usize>) -> Option<&[u8]> {
        let start = self.entries.get(run.start)?.start();
        // The next entry's start, past its comma, or the end.
        let end = match self.entries.get(run.end) {
            Some(next) => next.start().checked_sub(1)?,
            None => self.text_len,
        };
        self.joined.get(start..end)
    }

    /// The number of entries, `zero` and `extra`.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// `zero` entry `index` if `key` is its key: the address of a text
    /// already found equal ([`seen_entry`](Rendered::seen_entry)), or the
    /// bytes compared, the address remembered when equal.
    #[inline]
    pub(crate) fn zero_entry(&self, index: usize, key: &'static str) -> Option<&Entry> {
        if let Some(entry) = self.seen_entry(index, key) {
            return Some(entry);
        }
        let entry = self.zero_at(index)?;
        let known = self.table.zero.get(index).map(|(k, _)| *k);
        if !known.is_some_and(|known| same_key(known, key)) {
            return None;
        }
        entry.seen_at.store(key.as_ptr() as usize, Relaxed);
        Some(entry)
    }

    /// `zero` entry `index` if `key` is the text already found to be its
    /// key: the same address and the same length, no bytes compared.
    #[inline]
    pub(crate) fn seen_entry(&self, index: usize, key: &'static str) -> Option<&Entry> {
        let entry = self.zero_at(index)?;
        let seen = usize::from(entry.key_len) == key.len()
            && entry.seen_at.load(Relaxed) == key.as_ptr() as usize;
        seen.then_some(entry)
    }

    /// `zero` entry `index`, if there is one.
    #[inline]
    fn zero_at(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index).filter(|_| index < self.zeros)
    }

    /// `entry`'s rendered key's window, [`KEY_WINDOW`] bytes from its
    /// start, if the key fits in it (every key of the tables does but the
    /// registry's two longest; a test checks).
    #[inline]
    pub(crate) fn window(&self, entry: &Entry) -> Option<&[u8; KEY_WINDOW]> {
        if usize::from(entry.rendered_key_len) > KEY_WINDOW {
            return None;
        }
        self.joined.get(entry.start()..)?.first_chunk()
    }

    /// `entry`'s key, rendered (`"Key":`): the text from its start, and its
    /// length (as [`Compound::next_field_rendered`] takes them).
    ///
    /// [`Compound::next_field_rendered`]: json_write::Compound::next_field_rendered
    #[inline]
    pub(crate) fn key(&self, entry: &Entry) -> (&[u8], usize) {
        (
            self.joined.get(entry.start()..).unwrap_or_default(),
            usize::from(entry.rendered_key_len),
        )
    }
}

/// Whether `a` and `b` are the same key: the lengths, then the bytes a word
/// at a time (keys are short; no `memcmp` call).
#[inline]
fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    if n < 8 {
        return a == b;
    }
    // Whole words, then the last eight bytes (overlapping) for a tail.
    let mut at = 0;
    while at + 8 <= n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    at == n || word(a, n - 8) == word(b, n - 8)
}

/// `value` as JSON bytes with Docker's key sets (written by
/// [`JsonWriter`]: `serde_json`'s bytes, escaped faster).
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    write_from(Vec::with_capacity(json_write::VALUE_CAPACITY), value)
}

/// [`to_vec`] for a whole response body: the buffer starts at
/// [`RESPONSE_BODY_CAPACITY`], as [`json_write::to_body_vec`]'s.
///
/// [`RESPONSE_BODY_CAPACITY`]: json_write::RESPONSE_BODY_CAPACITY
pub fn to_body_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    write_from(
        Vec::with_capacity(json_write::RESPONSE_BODY_CAPACITY),
        value,
    )
}

/// `value` written with Docker's key sets into `out`, which is returned.
fn write_from<T: Serialize + ?Sized>(mut out: Vec<u8>, value: &T) -> serde_json::Result<Vec<u8>> {
    value.serialize(Filled::new(&mut JsonWriter::new(&mut out)))?;
    Ok(out)
}

/// `value` as a [`Value`] with Docker's key sets (for the handlers that edit
/// the document before answering): [`to_vec`]'s bytes, parsed.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Value> {
    serde_json::from_slice(&to_vec(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sockerless_core::api::docker::{
        ContainerInspectResponse, HostConfig, Ipam, Network, Volume, VolumeListResponse,
    };

    /// Every entry of `name`'s table is written for a default `T` (every
    /// field unset): the table follows the struct's field order.
    fn every_zero_is_written<T: Default + Serialize>(name: &str) {
        let table = tables::table(name).unwrap_or_else(|| panic!("no table {name}"));
        let v = to_value(&T::default()).unwrap();
        for (key, zero) in table.zero.iter().chain(table.extra) {
            assert!(v.get(*key).is_some(), "{name}.{key} not written: {v}");
            if !table.null_if_empty.contains(key) {
                assert_eq!(v[*key], to_value(zero).unwrap(), "{name}.{key}");
            }
        }
    }

    #[test]
    fn tables_follow_the_structs_field_order() {
        use sockerless_core::api::docker::*;
        let sorted = |w: &[&str]| tables::by_len(w[0], w[1]).is_lt();
        let names: Vec<&str> = tables::ALL.iter().map(|(n, _)| *n).collect();
        assert!(names.windows(2).all(sorted), "{names:?}");
        every_zero_is_written::<Commit>("Commit");
        every_zero_is_written::<ContainerConfig>("ContainerConfig");
        every_zero_is_written::<ContainerInspectResponse>("ContainerInspectResponse");
        every_zero_is_written::<ContainerPruneResponse>("ContainerPruneResponse");
        every_zero_is_written::<ContainerState>("ContainerState");
        every_zero_is_written::<ContainerSummaryNetworkSettings>("ContainerSummaryNetworkSettings");
        every_zero_is_written::<EndpointSettings>("EndpointSettings");
        every_zero_is_written::<ExecInspectResponse>("ExecInspectResponse");
        every_zero_is_written::<HostConfig>("HostConfig");
        every_zero_is_written::<HostConfigLogConfig>("HostConfigLogConfig");
        every_zero_is_written::<ImageInspect>("ImageInspect");
        every_zero_is_written::<ImagePruneResponse>("ImagePruneResponse");
        every_zero_is_written::<ImageSummary>("ImageSummary");
        every_zero_is_written::<IndexInfo>("IndexInfo");
        every_zero_is_written::<Ipam>("Ipam");
        every_zero_is_written::<MountPoint>("MountPoint");
        every_zero_is_written::<Network>("Network");
        every_zero_is_written::<NetworkPruneResponse>("NetworkPruneResponse");
        every_zero_is_written::<NetworkSettings>("NetworkSettings");
        every_zero_is_written::<PluginsInfo>("PluginsInfo");
        every_zero_is_written::<RegistryServiceConfig>("RegistryServiceConfig");
        every_zero_is_written::<RestartPolicy>("RestartPolicy");
        every_zero_is_written::<SwarmInfo>("SwarmInfo");
        every_zero_is_written::<SystemDataUsageResponse>("SystemDataUsageResponse");
        every_zero_is_written::<SystemInfo>("SystemInfo");
        every_zero_is_written::<Volume>("Volume");
        every_zero_is_written::<VolumeListResponse>("VolumeListResponse");
        every_zero_is_written::<VolumePruneResponse>("VolumePruneResponse");
        assert_eq!(tables::ALL.len(), 28, "every table is checked above");
        assert!(tables::table("NoSuchStruct").is_none());
    }

    #[test]
    fn every_entry_renders_as_the_field_it_stands_for() {
        for (name, table) in tables::ALL {
            let rendered = tables::table_rendered(name).unwrap();
            let entries: Vec<_> = table.zero.iter().chain(table.extra).collect();
            assert_eq!(rendered.len(), entries.len(), "{name}");
            let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
            for (i, (key, zero)) in entries.iter().enumerate() {
                let field = text(rendered.run(i..i + 1).unwrap());
                let v: Value = serde_json::from_str(&format!("{{{field}}}")).unwrap();
                assert_eq!(v, json!({ *key: to_value(zero).unwrap() }), "{name}.{key}");
                let entry = &rendered.entries[i];
                let (key_text, len) = rendered.key(entry);
                assert_eq!(text(&key_text[..len]), format!("\"{key}\":"), "{name}");
                assert!(key_text.len() >= KEY_WINDOW, "{name}.{key}: a whole window");
                // A key that fits its window has it (and is written without
                // a call); two of the registry's keys are longer.
                match rendered.window(entry) {
                    Some(window) => assert_eq!(text(&window[..len]), text(&key_text[..len])),
                    None => assert!(len > KEY_WINDOW, "{name}.{key}"),
                }
                assert_eq!(usize::from(entry.key_len), key.len(), "{name}.{key}");
                let null_if_empty = i < table.zero.len() && table.null_if_empty.contains(key);
                assert_eq!(entry.null_if_empty, null_if_empty, "{name}.{key}");
            }
            // A run of every entry is the whole object's inside.
            if let Some(all) = rendered.run(0..entries.len()) {
                let all = text(all);
                let v: Value = serde_json::from_str(&format!("{{{all}}}")).unwrap();
                assert_eq!(v.as_object().unwrap().len(), entries.len(), "{name}");
            } else {
                assert!(entries.is_empty(), "{name}");
            }
        }
    }

    #[test]
    fn skipped_fields_get_dockers_zero_value() {
        let v = to_value(&HostConfig::default()).unwrap();
        assert_eq!(v["CpuShares"], 0);
        assert_eq!(v["CapAdd"], Value::Null);
        assert_eq!(v["CgroupParent"], "");
        assert_eq!(v["Privileged"], false);
        assert_eq!(v["ConsoleSize"], json!([0, 0]));
        assert_eq!(
            v["RestartPolicy"],
            json!({"Name": "", "MaximumRetryCount": 0})
        );
        // omitempty in Docker: still absent.
        assert!(v.get("Init").is_none() && v.get("Runtime").is_none());
    }

    #[test]
    fn set_fields_are_untouched() {
        let host = HostConfig {
            cpu_shares: Some(512),
            binds: Some(vec![]),
            ..Default::default()
        };
        let v = to_value(&host).unwrap();
        assert_eq!(v["CpuShares"], 512);
        assert_eq!(
            v["Binds"],
            json!([]),
            "an empty list set by the client stays"
        );
    }

    #[test]
    fn empty_collections_docker_leaves_nil_are_null() {
        let c = ContainerInspectResponse {
            exec_ids: Some(vec![]),
            ..Default::default()
        };
        assert_eq!(to_value(&c).unwrap()["ExecIDs"], Value::Null);
        let c = ContainerInspectResponse {
            exec_ids: Some(vec!["e".into()]),
            ..Default::default()
        };
        assert_eq!(to_value(&c).unwrap()["ExecIDs"], json!(["e"]));
        let v = to_value(&Volume::default()).unwrap();
        assert_eq!((&v["Labels"], &v["Options"]), (&Value::Null, &Value::Null));
        let list = VolumeListResponse {
            volumes: None,
            warnings: Some(vec![]),
        };
        assert_eq!(
            to_value(&list).unwrap(),
            json!({"Volumes": [], "Warnings": null})
        );
    }

    #[test]
    fn missing_fields_are_appended_and_bytes_match_the_value() {
        let net = Network {
            ipam: Some(Ipam::default()),
            ..Default::default()
        };
        let v = to_value(&net).unwrap();
        assert_eq!(v["ConfigFrom"], json!({"Network": ""}));
        assert_eq!(v["ConfigOnly"], false);
        assert_eq!(
            v["IPAM"],
            json!({"Driver": "", "Config": null, "Options": null})
        );
        let bytes = to_vec(&net).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), v);
    }

    #[test]
    fn a_struct_with_every_field_skipped_is_valid_json() {
        let bytes = to_vec(&Ipam::default()).unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v, json!({"Driver": "", "Config": null, "Options": null}));
    }

    /// A key is recognised by its text the first time and by its address
    /// after; a text of another content is never taken for it, wherever it
    /// lies, and neither is a longer text starting at the remembered address.
    #[test]
    fn a_key_is_known_by_its_text_then_by_its_address() {
        static TABLE: Table = Table {
            zero: &[("Name", Zero::Str("")), ("Size", Zero::Int)],
            null_if_empty: &[],
            extra: &[("Extra", Zero::Int)],
        };
        let rendered = TABLE.render();
        let leaked: &'static str = Box::leak(String::from("NameSize").into_boxed_str());
        let (name, size) = (&leaked[..4], &leaked[4..]);
        let is_key = |index, key| rendered.zero_entry(index, key).is_some();
        let is_seen = |index, key| rendered.seen_entry(index, key).is_some();
        assert!(!is_key(0, "Nome"));
        assert!(!is_seen(0, name), "not compared yet");
        assert!(is_key(0, name));
        assert!(is_seen(0, name));
        assert!(!is_seen(0, "Name"), "the same text elsewhere is compared");
        assert!(!is_seen(0, leaked), "a longer text at the same address");
        assert_eq!(
            rendered.entries[0].seen_at.load(Relaxed),
            name.as_ptr() as usize
        );
        assert!(!is_key(0, leaked));
        assert!(is_key(0, "Name"));
        assert!(is_key(1, size));
        assert!(!is_key(1, "Sizes"));
        assert!(!is_key(1, name));
        // An extra entry is written after the fields, never matched to one.
        assert!(!is_key(2, "Extra"));
    }

    /// A rendered key longer than the window has none: it is written by
    /// its length, not from a window.
    #[test]
    fn a_key_longer_than_the_window_has_no_window() {
        static TABLE: Table = Table::zeros(&[
            ("Short", Zero::Int),
            ("AKeyOfThirtyCharactersExactly!", Zero::Int),
        ]);
        let rendered = TABLE.render();
        assert!(rendered.window(&rendered.entries[0]).is_some());
        let long = &rendered.entries[1];
        assert_eq!(usize::from(long.rendered_key_len), KEY_WINDOW + 1);
        assert!(rendered.window(long).is_none());
    }

    /// The bytes are the same whether a key is compared or known by its
    /// address, and whatever room the buffer has for its windows.
    #[test]
    fn the_bytes_are_the_same_whatever_the_buffer_and_however_keys_are_known() {
        let mut inspect = ContainerInspectResponse {
            id: Some("c0ffee".into()),
            name: Some("/web".into()),
            ..Default::default()
        };
        inspect.host_config = Some(HostConfig {
            memory: Some(1 << 20),
            ..Default::default()
        });
        let first = to_vec(&inspect).unwrap();
        for capacity in (0..80).chain([1000, 4096, 8192]) {
            let bytes = write_from(Vec::with_capacity(capacity), &inspect).unwrap();
            assert_eq!(bytes, first, "{capacity}");
        }
        let v: Value = serde_json::from_slice(&first).unwrap();
        assert_eq!(v["Name"], "/web");
        assert_eq!(v["HostConfig"]["Memory"], 1 << 20);
        assert_eq!(v["HostConfig"]["CpuShares"], 0);
        assert_eq!(v["HostConfig"]["CapAdd"], Value::Null);
    }

    #[test]
    fn same_key_compares_every_byte_at_every_length() {
        for n in 0..=40 {
            let a: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert!(same_key(&a, &a.clone()), "{n}");
            for at in 0..n {
                let mut b = a.clone().into_bytes();
                b[at] = b'Z';
                let b = String::from_utf8(b).unwrap();
                assert!(!same_key(&a, &b), "{n} {at}");
            }
            assert!(!same_key(&a, &format!("{a}x")), "{n}");
        }
    }
}
