//! [`Filled`]: a [`Serializer`] over [`JsonWriter`] that writes Docker's keys.
//!
//! It writes every value through the writer itself, and every item of a
//! compound through the writer's compounds ([`next_element`], [`next_field`],
//! [`next_value`]), wrapping each nested value in itself: no wrapper value is
//! handed to the writer to unwrap again. Zero fields go out pre-rendered, a
//! run of consecutive ones in one copy ([`raw_field`]), and the key of a
//! field in a table is copied rendered ([`next_field_rendered`]).
//!
//! [`next_element`]: json_write::Compound::next_element
//! [`next_field`]: json_write::Compound::next_field
//! [`next_value`]: json_write::Compound::next_value
//! [`raw_field`]: json_write::Compound::raw_field
//! [`next_field_rendered`]: json_write::Compound::next_field_rendered

use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, Serializer,
};

use sockerless_core::json_write::{self, Error, JsonWriter};

use std::ops::Range;

use super::{same_key, tables, Entry, Rendered};

/// Writes a value into a [`JsonWriter`]; a struct named in
/// [`tables::table`] gets Docker's keys (see the module docs).
pub struct Filled<'w, 'a> {
    writer: &'w mut JsonWriter<'a>,
    /// This value is a field Docker writes `null` when empty.
    null_if_empty: bool,
}

impl<'w, 'a> Filled<'w, 'a> {
    /// Writes into `writer`.
    pub fn new(writer: &'w mut JsonWriter<'a>) -> Self {
        Self {
            writer,
            null_if_empty: false,
        }
    }
}

/// A sequence, tuple or map being written, or an empty one already written as
/// `null`.
pub enum Items<'a, 'w> {
    /// Writing through the writer's compound.
    Go(json_write::Compound<'a, 'w>),
    /// Written as `null`: nothing may follow.
    Null,
}

/// A struct being written: the writer's compound, with its table's entries
/// rendered if it has a table, the index of the table's next entry, and the
/// run of zero entries skipped and not written yet.
pub struct Struct<'a, 'w> {
    inner: json_write::Compound<'a, 'w>,
    rendered: Option<&'static Rendered>,
    next: usize,
    /// Consecutive entries whose zero is due: written in one copy before
    /// the next field (or the end).
    run: Range<usize>,
}

impl<'a, 'w> Struct<'a, 'w> {
    /// The index and entry of field `key` if it is the table's next entry
    /// (fields come in the table's order; one not in the table is not the
    /// next entry).
    #[inline]
    fn take(&mut self, key: &'static str) -> Option<(usize, &'static Entry)> {
        let index = self.next;
        let entry = self.rendered?.zero_entry(index, key)?;
        self.next += 1;
        Some((index, entry))
    }

    /// Entry `index`'s zero is due: it joins the run if it follows it.
    #[inline]
    fn due(&mut self, index: usize) {
        if self.run.is_empty() || self.run.end != index {
            self.write_run();
            self.run = index..index;
        }
        self.run.end = index + 1;
    }

    /// Writes the run of zero fields due, if any, in one copy.
    #[inline]
    fn write_run(&mut self) {
        if self.run.is_empty() {
            return;
        }
        let run = std::mem::replace(&mut self.run, 0..0);
        if let Some(text) = self.rendered.and_then(|rendered| rendered.run(run)) {
            self.inner.raw_field(text);
        }
    }

    /// [`SerializeStruct::skip_field`] for a key not yet known by its
    /// address, not in the table, or whose zero does not follow the run.
    #[inline(never)]
    #[cold]
    fn skip_field_slow(&mut self, key: &'static str) -> Result<(), Error> {
        if let Some((index, _)) = self.take(key) {
            self.due(index);
        }
        Ok(())
    }

    /// Writes what comes before field `key`'s value: the run of zero fields
    /// due, the comma and the key (rendered if it is the table's next
    /// entry). Returns the writer of the value and whether Docker writes it
    /// `null` when empty.
    ///
    /// Not generic and never inlined: `serialize_field` is instantiated for
    /// every field type of every struct with a table (126 of them), and
    /// with this inlined each copy was ~800 bytes of code, 110 KB in all,
    /// much of it fetched again on every inspect.
    ///
    /// Most fields take the path written here: no run due, the key known by
    /// its address, and room in the buffer for the key's window. That path
    /// calls nothing, so it saves and restores few registers; a run to
    /// write first, or anything else, goes on in a function of its own (a
    /// jump, not a call). Callgrind: 97 instructions per field before, 60
    /// after.
    #[inline(never)]
    fn open_field(&mut self, key: &'static str) -> (&mut JsonWriter<'a>, bool) {
        if !self.run.is_empty() {
            return self.open_field_after_run(key);
        }
        let index = self.next;
        let known = self.rendered.and_then(|rendered| {
            let entry = rendered.seen_entry(index, key)?;
            Some((entry, rendered.window(entry)?))
        });
        match known {
            Some((entry, window)) if self.inner.has_room_for_window() => {
                self.next = index + 1;
                let len = usize::from(entry.rendered_key_len);
                (
                    self.inner.next_field_window(window, len),
                    entry.null_if_empty,
                )
            }
            _ => self.open_field_slow(key),
        }
    }

    /// [`open_field`](Struct::open_field) with a run of zero fields due:
    /// the run written, then the field opened.
    #[inline(never)]
    fn open_field_after_run(&mut self, key: &'static str) -> (&mut JsonWriter<'a>, bool) {
        self.write_run();
        self.open_field(key)
    }

    /// [`open_field`](Struct::open_field) with no run due, for a key not
    /// yet known by its address, not in the table, or without room for its
    /// window: the key compared and copied as it is.
    #[inline(never)]
    #[cold]
    fn open_field_slow(&mut self, key: &'static str) -> (&mut JsonWriter<'a>, bool) {
        match (self.take(key), self.rendered) {
            (Some((_, entry)), Some(rendered)) => {
                let (text, len) = rendered.key(entry);
                (
                    self.inner.next_field_rendered(text, len),
                    entry.null_if_empty,
                )
            }
            // Not the next entry: its key as it is, and its name looked
            // up among those Docker writes `null` when empty.
            (_, rendered) => (
                self.inner.next_field(key),
                rendered.is_some_and(|r| r.table.null_if_empty.iter().any(|k| same_key(k, key))),
            ),
        }
    }
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<(), Error> {
            self.writer.$method($($arg),*)
        })*
    };
}

impl<'w, 'a> Serializer for Filled<'w, 'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Items<'a, 'w>;
    type SerializeTuple = Items<'a, 'w>;
    type SerializeTupleStruct = Items<'a, 'w>;
    type SerializeTupleVariant = Items<'a, 'w>;
    type SerializeMap = Items<'a, 'w>;
    type SerializeStruct = Struct<'a, 'w>;
    type SerializeStructVariant = Items<'a, 'w>;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
    }

    // `Some(v)` as `v`, still filled (and still `null` if empty).
    sockerless_core::wrappers_pass_through!();

    /// `{"Variant":value}`, as the writer writes it.
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let mut map = self.writer.serialize_map(Some(1))?;
        map.serialize_key(variant)?;
        value.serialize(Filled::new(map.next_value()))?;
        SerializeMap::end(map)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'a, 'w>, Error> {
        if self.null_if_empty && len == Some(0) {
            return self.writer.serialize_unit().map(|()| Items::Null);
        }
        self.writer.serialize_seq(len).map(Items::Go)
    }

    fn serialize_tuple(self, len: usize) -> Result<Items<'a, 'w>, Error> {
        self.writer.serialize_tuple(len).map(Items::Go)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Items<'a, 'w>, Error> {
        self.writer.serialize_tuple_struct(name, len).map(Items::Go)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Items<'a, 'w>, Error> {
        self.writer
            .serialize_tuple_variant(name, index, variant, len)
            .map(Items::Go)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Items<'a, 'w>, Error> {
        if self.null_if_empty && len == Some(0) {
            return self.writer.serialize_unit().map(|()| Items::Null);
        }
        self.writer.serialize_map(len).map(Items::Go)
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Struct<'a, 'w>, Error> {
        Ok(Struct {
            inner: self.writer.serialize_struct(name, len)?,
            rendered: tables::table_rendered(name),
            next: 0,
            run: 0..0,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Items<'a, 'w>, Error> {
        self.writer
            .serialize_struct_variant(name, index, variant, len)
            .map(Items::Go)
    }
}

/// An item after a length of 0 (a `Serialize` impl that lied).
fn after_empty() -> Error {
    serde::ser::Error::custom("an element after a length of 0")
}

impl<'a, 'w> Items<'a, 'w> {
    /// The writer's compound, or the error of an item after `null`.
    fn go(&mut self) -> Result<&mut json_write::Compound<'a, 'w>, Error> {
        match self {
            Items::Go(c) => Ok(c),
            Items::Null => Err(after_empty()),
        }
    }

    /// The next element, filled.
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Filled::new(self.go()?.next_element()))
    }

    /// The closing bracket (the writer's `end` is the same for every kind
    /// of compound).
    fn close(self) -> Result<(), Error> {
        match self {
            Items::Go(c) => SerializeSeq::end(c),
            Items::Null => Ok(()),
        }
    }
}

sockerless_core::element_compounds!(Items<'_, '_>);

impl SerializeMap for Items<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.go()?.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Filled::new(self.go()?.next_value()))
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl SerializeStructVariant for Items<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(Filled::new(self.go()?.next_field(key)))
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl SerializeStruct for Struct<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let (writer, null_if_empty) = self.open_field(key);
        value.serialize(Filled {
            writer,
            null_if_empty,
        })
    }

    /// The key known by its address and its zero next to the run (or the
    /// first of one): the run grows, and nothing else is done, without a
    /// call. Anything else goes on in `skip_field_slow`. Never inlined:
    /// inlined into the derived code, the bigger code cost more in
    /// instruction fetches than the call.
    #[inline(never)]
    fn skip_field(&mut self, key: &'static str) -> Result<(), Error> {
        let index = self.next;
        let known = self
            .rendered
            .is_some_and(|rendered| rendered.seen_entry(index, key).is_some());
        if known && (self.run.is_empty() || self.run.end == index) {
            // `due`'s case that writes nothing, written out: through
            // `due`, the compiler keeps the write's call and saves six
            // registers for it on this path too.
            if self.run.is_empty() {
                self.run = index..index;
            }
            self.run.end = index + 1;
            self.next = index + 1;
            return Ok(());
        }
        self.skip_field_slow(key)
    }

    fn end(mut self) -> Result<(), Error> {
        if let Some(rendered) = self.rendered {
            for index in rendered.zeros..rendered.len() {
                self.due(index);
            }
        }
        self.write_run();
        SerializeStruct::end(self.inner)
    }
}
