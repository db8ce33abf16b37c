//! Compact JSON out: the bytes of `serde_json::to_vec`, written faster.
//!
//! A response body is mostly strings (keys included), and `serde_json`
//! escapes them a byte at a time through a table, with a bounds check and a
//! branch per byte: about 7 instructions per byte of a container's inspect,
//! a quarter of the whole request. [`JsonWriter`] checks and copies eight
//! bytes at a time, looking for the bytes JSON must escape (`"`, `\` and the
//! controls below 0x20): a tail shorter than a word is checked and written
//! as the last eight bytes again, a string of four to seven bytes as two
//! overlapping four-byte words, a shorter one byte by byte, so that no short
//! string costs a `memcpy` call; a string that needs escapes goes the slow
//! way, a byte at a time. Everything else follows
//! `serde_json`'s choices exactly (the same escapes, `\u00XX` in lower-case
//! hex, floats through `serde_json` itself, `null` for NaN and the infinities,
//! numeric and boolean map keys as strings), and the tests compare the bytes
//! with `serde_json::to_vec` on the same values.
//!
//! ```
//! let v = serde_json::json!({"a": "x\"y\n", "b": [1, 2.5, null, true]});
//! assert_eq!(sockerless_core::json_write::to_vec(&v).unwrap(), serde_json::to_vec(&v).unwrap());
//! ```

use serde::ser::{self, Error as _, Serialize};

/// The error of a value `serde_json` would also refuse (a map key that is
/// not a string, a number or a boolean; a `Serialize` impl's own error).
pub type Error = serde_json::Error;

/// The first capacity of a whole response body's buffer: a container's
/// inspect (2.7 kB on the internal API, 4.0 kB with Docker's keys) is
/// written without growing it. From [`to_vec`]'s 128 bytes it grew five
/// times, each a new allocation and a copy: 2.6 % of a Docker inspect's
/// cycles by cachegrind's model. The body is freed once written, so the
/// room left over is held only while the response is in flight; a line of
/// a stream, which may wait in a buffer, starts small.
pub const RESPONSE_BODY_CAPACITY: usize = 4096;

/// The longest rendered key (`"Key":`) [`Compound::next_field_rendered`]
/// copies as a window of this fixed size.
pub const KEY_WINDOW: usize = 32;

/// The first capacity of any other value's buffer (a line of a stream, a
/// value parsed again): [`to_vec`]'s.
pub const VALUE_CAPACITY: usize = 128;

/// `value` as compact JSON, byte for byte what `serde_json::to_vec` writes.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    write_from(Vec::with_capacity(VALUE_CAPACITY), value)
}

/// [`to_vec`] for a whole response body: the buffer starts at
/// [`RESPONSE_BODY_CAPACITY`].
pub fn to_body_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    write_from(Vec::with_capacity(RESPONSE_BODY_CAPACITY), value)
}

/// `value` written into `out`, which is returned.
fn write_from<T: Serialize + ?Sized>(mut out: Vec<u8>, value: &T) -> Result<Vec<u8>, Error> {
    value.serialize(&mut JsonWriter::new(&mut out))?;
    Ok(out)
}

/// `value` as compact JSON text, what `serde_json::to_string` writes.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    // Every byte written comes from a `&str` or is ASCII: the check passes.
    String::from_utf8(to_vec(value)?).map_err(Error::custom)
}

/// A [`Serializer`](serde::Serializer) of compact JSON into a byte vector
/// (see the module docs).
#[derive(Debug)]
pub struct JsonWriter<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> JsonWriter<'a> {
    /// Writes into `out`, after what it holds.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        JsonWriter { out }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `word` is `"`, `\` or below 0x20 (exact:
/// no false positives or negatives for the question "any?").
#[inline]
fn needs_escape(word: u64) -> bool {
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    (below_space
        | zero_in(word ^ (ONES * u64::from(b'"')))
        | zero_in(word ^ (ONES * u64::from(b'\\'))))
        != 0
}

/// The escape of byte `b`, if JSON needs one (`serde_json`'s choices).
#[inline]
fn escape_of(b: u8) -> Option<&'static [u8]> {
    Some(match b {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x08 => b"\\b",
        0x0c => b"\\f",
        0x00..=0x1f => return Some(&CONTROL[usize::from(b)]),
        _ => return None,
    })
}

/// `\u00XX` of every control byte (lower-case hex, as `serde_json`).
static CONTROL: [[u8; 6]; 32] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0u8; 6]; 32];
    let mut i = 0;
    while i < 32 {
        table[i] = [b'\\', b'u', b'0', b'0', HEX[i >> 4], HEX[i & 0xf]];
        i += 1;
    }
    table
};

/// Appends `s` as a JSON string, quotes included.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // The quotes, and room for a last word written whole and cut back.
    out.reserve(bytes.len() + 2 + 8);
    out.push(b'"');
    if !write_clean(out, bytes) {
        write_escaped(out, bytes);
    }
    out.push(b'"');
}

/// Appends `bytes` if none of them needs an escape, checked and copied a word
/// at a time (no `memcpy` call for the short strings most keys and values
/// are); appends nothing and answers `false` if one does.
#[inline]
fn write_clean(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let start = out.len();
    let len = bytes.len();
    if len >= 8 {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = word8(chunk);
            if needs_escape(word) {
                out.truncate(start);
                return false;
            }
            out.extend_from_slice(&word.to_le_bytes());
        }
        let tail = chunks.remainder().len();
        if tail > 0 {
            // The last eight bytes, overlapping what is written: the overlap
            // is written again, the same.
            let word = word8(&bytes[len - 8..]);
            if needs_escape(word) {
                out.truncate(start);
                return false;
            }
            out.truncate(out.len() - (8 - tail));
            out.extend_from_slice(&word.to_le_bytes());
        }
    } else if len >= 4 {
        // The first four bytes and the last four, overlapping.
        let (first, last) = (word4(&bytes[..4]), word4(&bytes[len - 4..]));
        if needs_escape(u64::from(first) | (u64::from(last) << 32)) {
            return false;
        }
        out.extend_from_slice(&first.to_le_bytes());
        out.truncate(start + len - 4);
        out.extend_from_slice(&last.to_le_bytes());
    } else {
        if bytes.iter().any(|&b| escape_of(b).is_some()) {
            return false;
        }
        for &b in bytes {
            out.push(b);
        }
    }
    true
}

/// The first eight bytes of `bytes` (it has them).
#[inline]
fn word8(bytes: &[u8]) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(word)
}

/// The first four bytes of `bytes` (it has them).
#[inline]
fn word4(bytes: &[u8]) -> u32 {
    let mut word = [0; 4];
    word.copy_from_slice(&bytes[..4]);
    u32::from_le_bytes(word)
}

/// The contents of a string that needs escapes: clean runs copied whole.
#[cold]
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(escape) = escape_of(b) {
            out.extend_from_slice(&bytes[start..i]);
            out.extend_from_slice(escape);
            start = i + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

/// The wrappers JSON does not show, as `serde_json` writes them: `Some(v)`
/// as `v`, a newtype struct as its value, a unit variant as its name. For
/// [`JsonWriter`], its map keys, and the serializers that write through it
/// (the Docker frontend's key sets): the inner value goes to the same
/// serializer, so it keeps whatever that serializer adds.
#[macro_export]
macro_rules! wrappers_pass_through {
    () => {
        fn serialize_some<T: ::serde::Serialize + ?Sized>(
            self,
            value: &T,
        ) -> Result<(), $crate::json_write::Error> {
            value.serialize(self)
        }

        fn serialize_newtype_struct<T: ::serde::Serialize + ?Sized>(
            self,
            _name: &'static str,
            value: &T,
        ) -> Result<(), $crate::json_write::Error> {
            value.serialize(self)
        }

        fn serialize_unit_variant(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
        ) -> Result<(), $crate::json_write::Error> {
            self.serialize_str(variant)
        }
    };
}

/// The ten integer methods of a [`ser::Serializer`]: `$body` with `$text`,
/// the integer's decimal text.
macro_rules! integers {
    ($this:ident, $text:ident => $body:expr) => {
        integers!(@each $this, $text => $body;
            serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
            serialize_i128(i128), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
            serialize_u64(u64), serialize_u128(u128));
    };
    (@each $this:ident, $text:ident => $body:expr; $($method:ident($ty:ty)),*) => {
        $(fn $method($this, v: $ty) -> Result<(), Error> {
            let mut buffer = itoa::Buffer::new();
            let $text = buffer.format(v);
            $body
        })*
    };
}

impl<'a, 'b> ser::Serializer for &'b mut JsonWriter<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, 'b>;
    type SerializeTuple = Compound<'a, 'b>;
    type SerializeTupleStruct = Compound<'a, 'b>;
    type SerializeTupleVariant = Compound<'a, 'b>;
    type SerializeMap = Compound<'a, 'b>;
    type SerializeStruct = Compound<'a, 'b>;
    type SerializeStructVariant = Compound<'a, 'b>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    integers!(self, text => {
        self.out.extend_from_slice(text.as_bytes());
        Ok(())
    });

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        serde_json::to_writer(&mut *self.out, &v)
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        serde_json::to_writer(&mut *self.out, &v)
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_str(self.out, v);
        Ok(())
    }

    wrappers_pass_through!();

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a, 'b>, Error> {
        self.out.push(b'[');
        Ok(Compound::open(self, b']'))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, 'b>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 'b>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'b>, Error> {
        Ok(Compound::open_variant(self, variant, *b"[]"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a, 'b>, Error> {
        self.out.push(b'{');
        Ok(Compound::open(self, b'}'))
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, 'b>, Error> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'b>, Error> {
        Ok(Compound::open_variant(self, variant, *b"{}"))
    }
}

/// A sequence, map or struct being written.
#[derive(Debug)]
pub struct Compound<'a, 'b> {
    writer: &'b mut JsonWriter<'a>,
    /// Nothing written yet (no comma before the next item).
    first: bool,
    close: u8,
    /// A variant's `{"Name":` wraps it: one more `}` at the end.
    variant: bool,
}

impl<'a, 'b> Compound<'a, 'b> {
    /// The opening byte is written; `close` is written at the end (also for
    /// a length of 0, which `serde_json` closes at once: the same bytes for
    /// every `Serialize` impl that keeps to its length).
    fn open(writer: &'b mut JsonWriter<'a>, close: u8) -> Self {
        Compound {
            writer,
            first: true,
            close,
            variant: false,
        }
    }

    /// A variant's `{"Name":` and then its `[`/`{`: `brackets` are the
    /// compound's opening and closing bytes.
    fn open_variant(writer: &'b mut JsonWriter<'a>, variant: &str, brackets: [u8; 2]) -> Self {
        writer.out.push(b'{');
        write_str(writer.out, variant);
        writer.out.extend_from_slice(&[b':', brackets[0]]);
        Compound {
            variant: true,
            ..Compound::open(writer, brackets[1])
        }
    }

    fn comma(&mut self) {
        if !std::mem::replace(&mut self.first, false) {
            self.writer.out.push(b',');
        }
    }

    /// The writer of the next element (of a sequence, a tuple or a tuple
    /// variant), its comma written: for a serializer that wraps this one and
    /// writes the element itself.
    pub fn next_element(&mut self) -> &mut JsonWriter<'a> {
        self.comma();
        self.writer
    }

    /// The writer of field `key`'s value (of a struct or a struct variant),
    /// the comma, the key and the colon written.
    pub fn next_field(&mut self, key: &str) -> &mut JsonWriter<'a> {
        self.comma();
        write_str(self.writer.out, key);
        self.writer.out.push(b':');
        self.writer
    }

    /// The writer of the value of the map key just written
    /// (`SerializeMap::serialize_key`), the colon written.
    pub fn next_value(&mut self) -> &mut JsonWriter<'a> {
        self.writer.out.push(b':');
        self.writer
    }

    /// A field rendered beforehand, `"Key":value`, written as it is (with
    /// its comma): one copy instead of a key and a value to write. It is the
    /// caller's word that `field` is valid JSON of that shape.
    pub fn raw_field(&mut self, field: &[u8]) {
        self.comma();
        self.writer.out.extend_from_slice(field);
    }

    /// The writer of a field's value after its key rendered beforehand,
    /// `"Key":` (colon included): the first `len` bytes of `text`, written
    /// as they are (the caller's word that they are valid JSON of that
    /// shape). When `text` has [`KEY_WINDOW`] bytes and the key fits in
    /// them, it is [`next_field_window`]: the whole window copied and cut
    /// back to the key, a copy of a fixed size, without the `memcpy` call
    /// that a key's own length costs.
    ///
    /// [`next_field_window`]: Compound::next_field_window
    pub fn next_field_rendered(&mut self, text: &[u8], len: usize) -> &mut JsonWriter<'a> {
        match text.first_chunk::<KEY_WINDOW>() {
            Some(window) if len <= KEY_WINDOW => self.next_field_window(window, len),
            _ => {
                self.comma();
                self.writer
                    .out
                    .extend_from_slice(text.get(..len).unwrap_or(text));
                self.writer
            }
        }
    }

    /// Whether the buffer has room for a comma and a [`KEY_WINDOW`] without
    /// growing: then [`next_field_window`] calls nothing.
    ///
    /// [`next_field_window`]: Compound::next_field_window
    #[inline]
    pub fn has_room_for_window(&self) -> bool {
        self.writer.out.capacity() - self.writer.out.len() > KEY_WINDOW
    }

    /// [`next_field_rendered`] for a key of at most [`KEY_WINDOW`] bytes
    /// (a longer `len` is cut to the window): writes the first `len` bytes
    /// of `window` as they are (the caller's word that they are
    /// `"Key":`). With [room](Compound::has_room_for_window), the comma and
    /// the whole window are written into the buffer's spare capacity and
    /// the length set past the key: no call, not even to grow the buffer.
    /// Without, the key alone is appended.
    ///
    /// [`next_field_rendered`]: Compound::next_field_rendered
    #[inline]
    pub fn next_field_window(
        &mut self,
        window: &[u8; KEY_WINDOW],
        len: usize,
    ) -> &mut JsonWriter<'a> {
        let out = &mut *self.writer.out;
        let at = out.len();
        let spare = out.spare_capacity_mut().get_mut(..=KEY_WINDOW);
        let Some(spare) = spare.filter(|_| len <= KEY_WINDOW) else {
            self.comma();
            let key = window.get(..len).unwrap_or(window);
            self.writer.out.extend_from_slice(key);
            return self.writer;
        };
        let comma = usize::from(!std::mem::replace(&mut self.first, false));
        // Overwritten by the window when there is no comma.
        spare[0].write(b',');
        for (slot, &byte) in spare[comma..].iter_mut().zip(window) {
            slot.write(byte);
        }
        // SAFETY: the first `comma + KEY_WINDOW` bytes of the spare
        // capacity were written just above, and the new length keeps
        // `comma + len` of them, `len` at most `KEY_WINDOW` (checked).
        unsafe { out.set_len(at + comma + len) };
        self.writer
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(self.next_element())
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self.next_field(key))
    }

    fn close(self) -> Result<(), Error> {
        self.writer.out.push(self.close);
        if self.variant {
            self.writer.out.push(b'}');
        }
        Ok(())
    }
}

/// Implements serde's four compounds whose items are plain elements
/// (`SerializeSeq`, `SerializeTuple`, `SerializeTupleStruct`,
/// `SerializeTupleVariant`) for `$ty`, an inherent
/// `element(&mut self, &T) -> Result<(), json_write::Error>` writing each
/// item and `close(self)` the end: for [`Compound`] and for the serializers
/// that write through it (the Docker frontend's key sets).
#[macro_export]
macro_rules! element_compounds {
    ($ty:ty) => {
        $crate::element_compounds!(@each $ty;
            SerializeSeq::serialize_element,
            SerializeTuple::serialize_element,
            SerializeTupleStruct::serialize_field,
            SerializeTupleVariant::serialize_field);
    };
    (@each $ty:ty; $($trait:ident::$method:ident),*) => {$(
        impl ::serde::ser::$trait for $ty {
            type Ok = ();
            type Error = $crate::json_write::Error;

            fn $method<T: ::serde::Serialize + ?Sized>(
                &mut self,
                value: &T,
            ) -> Result<(), $crate::json_write::Error> {
                self.element(value)
            }

            fn end(self) -> Result<(), $crate::json_write::Error> {
                self.close()
            }
        }
    )*};
}

element_compounds!(Compound<'_, '_>);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        key.serialize(MapKey {
            out: self.writer.out,
        })
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(self.next_value())
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// The compounds whose items are named fields.
macro_rules! field_compounds {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(key, value)
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

field_compounds!(SerializeStruct, SerializeStructVariant);

/// The methods of a [`ser::Serializer`] for everything a map key cannot be
/// (`@rest`: the compound types, all impossible, and the rest that fail with
/// `$error()`).
macro_rules! refuse {
    (@rest $error:ident) => {
        type SerializeSeq = ser::Impossible<(), Error>;
        type SerializeTuple = ser::Impossible<(), Error>;
        type SerializeTupleStruct = ser::Impossible<(), Error>;
        type SerializeTupleVariant = ser::Impossible<(), Error>;
        type SerializeMap = ser::Impossible<(), Error>;
        type SerializeStruct = ser::Impossible<(), Error>;
        type SerializeStructVariant = ser::Impossible<(), Error>;

        refuse!(@each $error; serialize_bytes(&[u8]), serialize_unit_struct(&'static str));

        fn serialize_none(self) -> Result<(), Error> {
            Err($error())
        }

        fn serialize_unit(self) -> Result<(), Error> {
            Err($error())
        }

        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _value: &T,
        ) -> Result<(), Error> {
            Err($error())
        }

        fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
            Err($error())
        }

        fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
            Err($error())
        }

        fn serialize_tuple_struct(
            self,
            _name: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeTupleStruct, Error> {
            Err($error())
        }

        fn serialize_tuple_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeTupleVariant, Error> {
            Err($error())
        }

        fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
            Err($error())
        }

        fn serialize_struct(
            self,
            _name: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeStruct, Error> {
            Err($error())
        }

        fn serialize_struct_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeStructVariant, Error> {
            Err($error())
        }
    };
    (@each $error:ident; $($method:ident($ty:ty)),*) => {
        $(fn $method(self, _v: $ty) -> Result<(), Error> {
            Err($error())
        })*
    };
}
/// A map key: a string, or a number, boolean or char written as one, as
/// `serde_json` accepts them; anything else is its error.
struct MapKey<'a> {
    out: &'a mut Vec<u8>,
}

impl MapKey<'_> {
    /// `text` (digits, `true`, `false`: nothing to escape) in quotes.
    fn quoted(self, text: &str) -> Result<(), Error> {
        self.out.push(b'"');
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'"');
        Ok(())
    }
}

fn key_must_be_a_string() -> Error {
    Error::custom("key must be a string")
}

fn float_key_must_be_finite() -> Error {
    Error::custom("float key must be finite (got NaN or +/-inf)")
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_str(self.out, v);
        Ok(())
    }

    wrappers_pass_through!();

    fn serialize_char(self, v: char) -> Result<(), Error> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(if v { "true" } else { "false" })
    }

    integers!(self, text => self.quoted(text));

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(float_key_must_be_finite());
        }
        self.quoted(&serde_json::to_string(&v)?)
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(float_key_must_be_finite());
        }
        self.quoted(&serde_json::to_string(&v)?)
    }

    refuse!(@rest key_must_be_a_string);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// Our bytes are serde_json's bytes.
    fn same<T: Serialize + ?Sized>(value: &T) {
        let ours = to_vec(value).map(String::from_utf8);
        let theirs = serde_json::to_vec(value).map(String::from_utf8);
        match (ours, theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a.unwrap(), b.unwrap()),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("ours {a:?}, serde_json {b:?}"),
        }
    }

    #[test]
    fn every_byte_at_every_offset_of_a_chunk() {
        // Each ASCII byte (controls, quote, backslash, DEL) and a non-ASCII
        // character, at every position of strings across two 8-byte chunks.
        let specials: Vec<String> = (0u8..0x80)
            .map(|b| char::from(b).to_string())
            .chain(["é".to_owned(), "\u{2028}".to_owned(), "😀".to_owned()])
            .collect();
        for special in &specials {
            for len in 0..=24 {
                for at in 0..=len {
                    let s = format!("{}{special}{}", "a".repeat(at), "b".repeat(len - at));
                    same(&s);
                }
            }
        }
        same(&"\"\\\n\r\t\u{8}\u{c}\u{0}\u{1f}".repeat(5));
        // Clean strings of every length around the word sizes.
        let clean = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";
        for len in 0..=clean.len() {
            same(&clean[..len]);
        }
    }

    #[test]
    fn numbers_and_literals() {
        same(&json!([
            0,
            -1,
            i64::MIN,
            i64::MAX,
            u64::MAX,
            0.1,
            -0.0,
            1e300,
            2.5e-8,
            true,
            false,
            null
        ]));
        same(&(1u8, -2i8, 3u16, -4i16, 5u32, -6i32, u128::MAX, i128::MIN));
        same(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.0]);
        same(&[f32::NAN, 1.5f32, 0.1f32]);
        same(&'x');
        same(&'"');
        same(&());
        same(&Some(3));
        same(&None::<u8>);
        same(&serde_bytes_like());
    }

    /// `serialize_bytes` through a type that asks for it.
    fn serde_bytes_like() -> impl Serialize {
        struct Bytes(&'static [u8]);
        impl Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
        Bytes(b"\x00ab\xff")
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Newtype(String);

    #[derive(Serialize)]
    struct Tuple(u8, &'static str);

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Record {
        name: String,
        empty: Vec<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        nested: BTreeMap<String, Vec<Option<bool>>>,
        unit: Unit,
        newtype: Newtype,
        tuple: Tuple,
        kinds: Vec<Kind>,
    }

    #[derive(Serialize)]
    enum Kind {
        Plain,
        Wrapped(u32),
        Pair(u8, u8),
        Fields { a: i8, b: &'static str },
        Empty {},
    }

    #[test]
    fn structs_enums_and_maps() {
        let record = Record {
            name: "web \"1\"".into(),
            empty: vec![],
            skipped: None,
            nested: BTreeMap::from([("k".into(), vec![Some(true), None]), ("".into(), vec![])]),
            unit: Unit,
            newtype: Newtype("n\\".into()),
            tuple: Tuple(7, "t"),
            kinds: vec![
                Kind::Plain,
                Kind::Wrapped(9),
                Kind::Pair(1, 2),
                Kind::Fields { a: -1, b: "b" },
                Kind::Empty {},
            ],
        };
        same(&record);
        same(&json!({}));
        same(&json!([]));
        same(&json!({"a": {"b": [{}, [], {"c": "\u{7f}"}]}}));
    }

    #[test]
    fn map_keys_as_serde_json_takes_them() {
        same(&BTreeMap::from([(1i32, "a"), (-2, "b")]));
        same(&BTreeMap::from([(u64::MAX, 0)]));
        same(&BTreeMap::from([(true, 1), (false, 0)]));
        same(&BTreeMap::from([('k', 1), ('"', 2)]));
        same(&BTreeMap::from([("q\"uote\n", 1)]));
        same(&BTreeMap::from(
            [(Newtype("n".into()), 1)].map(|(k, v)| (k.0, v)),
        ));
        same(&BTreeMap::from([(Kind2::A, 1)]));
        // Refused keys: the same error.
        same(&BTreeMap::from([((), 1)]));
        same(&BTreeMap::from([(Some(1), 1)]));
        same(&BTreeMap::from([(vec![1], 1)]));
        same(
            &[(FloatKey(1.5), 1u8), (FloatKey(0.1), 2)]
                .into_iter()
                .collect::<MapOf<_, _>>(),
        );
        same(
            &[(FloatKey(f64::NAN), 1u8)]
                .into_iter()
                .collect::<MapOf<_, _>>(),
        );
        same(
            &[(0.1f32, 1u8), (-2.5f32, 2)]
                .into_iter()
                .collect::<MapOf<_, _>>(),
        );
        same(&[(f32::INFINITY, 1u8)].into_iter().collect::<MapOf<_, _>>());
    }

    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    enum Kind2 {
        A,
    }

    /// A float map key.
    #[derive(Serialize)]
    struct FloatKey(f64);

    /// A map of any keys, in insertion order.
    struct MapOf<K, V>(Vec<(K, V)>);

    impl<K, V> FromIterator<(K, V)> for MapOf<K, V> {
        fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
            MapOf(iter.into_iter().collect())
        }
    }

    impl<K: Serialize, V: Serialize> Serialize for MapOf<K, V> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in &self.0 {
                map.serialize_entry(k, v)?;
            }
            map.end()
        }
    }

    #[test]
    fn a_rendered_key_is_cut_from_its_window_or_copied_as_it_is() {
        use serde::ser::{SerializeStruct, Serializer};
        let long_key = format!(r#""{}":"#, "k".repeat(KEY_WINDOW));
        // A window's worth after each key but the last, which is too long
        // for one, and a text shorter than a window.
        let text = format!(r#""A":1,"Bb":2,{long_key}3"#);
        let cases: [(&[u8], usize); 4] = [
            (text.as_bytes(), 4),
            (&text.as_bytes()[6..], 5),
            (&text.as_bytes()[13..], long_key.len()),
            (br#""Z":"#, 4),
        ];
        let mut out = Vec::new();
        let mut writer = JsonWriter::new(&mut out);
        let mut st = (&mut writer).serialize_struct("S", 4).unwrap();
        for (i, (text, len)) in cases.into_iter().enumerate() {
            i.serialize(st.next_field_rendered(text, len)).unwrap();
        }
        SerializeStruct::end(st).unwrap();
        let want = format!(r#"{{"A":0,"Bb":1,{long_key}2,"Z":3}}"#);
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    /// A key written from its window, with room and without, first and
    /// after a field, is the key and nothing more, as
    /// `next_field_rendered` writes it.
    #[test]
    fn a_window_writes_its_key_with_room_and_without() {
        use serde::ser::{SerializeStruct, Serializer};
        let mut window = [b' '; KEY_WINDOW];
        window[..5].copy_from_slice(br#""Ab":"#);
        let long_key = format!("\"{}\":", "k".repeat(KEY_WINDOW - 3));
        let mut long = [0; KEY_WINDOW];
        long.copy_from_slice(long_key.as_bytes());
        let want = format!(r#"{{"Ab":0,{long_key}1,"Ab":2}}"#);
        // Capacities from none (every key grows the buffer) to more than
        // the whole object (no key does).
        for capacity in [
            0,
            1,
            6,
            KEY_WINDOW,
            KEY_WINDOW + 1,
            KEY_WINDOW + 2,
            40,
            80,
            200,
        ] {
            let mut out = Vec::with_capacity(capacity);
            let mut writer = JsonWriter::new(&mut out);
            let mut st = (&mut writer).serialize_struct("S", 3).unwrap();
            if capacity > 0 {
                // `{` is written: room is the capacity after it.
                assert_eq!(st.has_room_for_window(), capacity - 1 > KEY_WINDOW);
            }
            0.serialize(st.next_field_window(&window, 5)).unwrap();
            1.serialize(st.next_field_window(&long, KEY_WINDOW))
                .unwrap();
            2.serialize(st.next_field_window(&window, 5)).unwrap();
            SerializeStruct::end(st).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), want, "{capacity}");
        }
        // A `len` past the window is cut to it.
        let mut out = Vec::new();
        let mut writer = JsonWriter::new(&mut out);
        let mut st = (&mut writer).serialize_struct("S", 1).unwrap();
        st.next_field_window(&long, KEY_WINDOW + 9);
        assert_eq!(out, [b"{".as_slice(), long_key.as_bytes()].concat());
    }

    #[test]
    fn a_wrapping_serializer_writes_items_through_the_compounds() {
        use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};
        let mut out = Vec::new();
        let mut writer = JsonWriter::new(&mut out);
        let mut st = (&mut writer).serialize_struct("S", 4).unwrap();
        // A raw field first (no comma before it) and between ordinary ones.
        st.raw_field(br#""A":{"x":[null]}"#);
        st.serialize_field("B", &1).unwrap();
        st.raw_field(br#""C":"""#);
        1.5.serialize(st.next_field_rendered(br#""C2":"#, 5))
            .unwrap();
        let mut seq = st.next_field("D\"").serialize_seq(Some(2)).unwrap();
        true.serialize(seq.next_element()).unwrap();
        "e".serialize(seq.next_element()).unwrap();
        SerializeSeq::end(seq).unwrap();
        let mut map = st.next_field("F").serialize_map(Some(1)).unwrap();
        map.serialize_key(&7).unwrap();
        ().serialize(map.next_value()).unwrap();
        SerializeMap::end(map).unwrap();
        SerializeStruct::end(st).unwrap();
        assert_eq!(
            out,
            br#"{"A":{"x":[null]},"B":1,"C":"","C2":1.5,"D\"":[true,"e"],"F":{"7":null}}"#
        );
    }

    #[test]
    fn a_response_body_is_the_same_bytes_in_a_larger_buffer() {
        let v = json!({"Id": "x", "Labels": {"a": "b\n"}});
        let body = to_body_vec(&v).unwrap();
        assert_eq!(body, to_vec(&v).unwrap());
        assert!(body.capacity() >= RESPONSE_BODY_CAPACITY);
    }

    #[test]
    fn appends_to_what_the_vector_holds() {
        let mut out = b"data: ".to_vec();
        json!({"a": 1})
            .serialize(&mut JsonWriter::new(&mut out))
            .unwrap();
        assert_eq!(out, b"data: {\"a\":1}");
    }
}
