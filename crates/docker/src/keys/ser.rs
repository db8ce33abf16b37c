//! [`Filled`]: a forwarding [`Serializer`] that writes Docker's keys.
//!
//! It runs over [`JsonWriter`](sockerless_core::json_write::JsonWriter) only
//! ([`super::to_vec`]): the zero fields go out pre-rendered as
//! [`RAW_FIELD`]s, which only that writer understands.

use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple,
    SerializeTupleStruct, SerializeTupleVariant, Serializer,
};

use sockerless_core::json_write::RAW_FIELD;

use super::{tables, Table, Zero};

/// Forwards every call to `S`, wrapping nested values in itself; a struct
/// named in [`tables::table`] gets Docker's keys (see the module docs).
pub struct Filled<S> {
    inner: S,
    /// This value is a field Docker writes `null` when empty.
    null_if_empty: bool,
}

impl<S> Filled<S> {
    /// Wraps serializer `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            null_if_empty: false,
        }
    }
}

/// A value to serialise through [`Filled`].
struct Wrap<'a, T: ?Sized> {
    value: &'a T,
    null_if_empty: bool,
}

impl<'a, T: ?Sized> Wrap<'a, T> {
    fn new(value: &'a T) -> Self {
        Self {
            value,
            null_if_empty: false,
        }
    }
}

impl<T: Serialize + ?Sized> Serialize for Wrap<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Filled {
            inner: s,
            null_if_empty: self.null_if_empty,
        })
    }
}

/// A sequence, tuple or map being written, or an empty one already written as
/// `null`.
pub enum Compound<C, O> {
    /// Forwarding to the inner serializer's compound.
    Go(C),
    /// Written as `null`: nothing may follow.
    Null(O),
}

/// A struct being written: the inner serializer's, with its table if any, the
/// table's entries rendered, and the index of the table's next entry.
pub struct Struct<C> {
    inner: C,
    table: Option<&'static Table>,
    rendered: &'static [Box<str>],
    next: usize,
}

impl<C: SerializeStruct> Struct<C> {
    /// The index and zero of field `key` if it is the table's next entry
    /// (fields come in the table's order; one not in the table is not the
    /// next entry).
    fn take(&mut self, key: &str) -> Option<(usize, &'static Zero)> {
        let index = self.next;
        let (k, zero) = self.table?.zero.get(index)?;
        if *k != key {
            return None;
        }
        self.next += 1;
        Some((index, zero))
    }

    /// Entry `index` (of `zero`, then `extra`) with its zero value: the
    /// rendered field in one copy, or key and value the long way.
    fn write_zero(
        &mut self,
        index: usize,
        key: &'static str,
        zero: &'static Zero,
    ) -> Result<(), C::Error> {
        match self.rendered.get(index) {
            Some(field) if !field.is_empty() => self.inner.serialize_field(RAW_FIELD, &**field),
            _ => self.inner.serialize_field(key, zero),
        }
    }
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.inner.$method($($arg),*)
        })*
    };
}

impl<S: Serializer> Serializer for Filled<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<S::SerializeSeq, S::Ok>;
    type SerializeTuple = Compound<S::SerializeTuple, S::Ok>;
    type SerializeTupleStruct = Compound<S::SerializeTupleStruct, S::Ok>;
    type SerializeTupleVariant = Compound<S::SerializeTupleVariant, S::Ok>;
    type SerializeMap = Compound<S::SerializeMap, S::Ok>;
    type SerializeStruct = Struct<S::SerializeStruct>;
    type SerializeStructVariant = Compound<S::SerializeStructVariant, S::Ok>;

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
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let null_if_empty = self.null_if_empty;
        self.inner.serialize_some(&Wrap {
            value,
            null_if_empty,
        })
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let null_if_empty = self.null_if_empty;
        self.inner.serialize_newtype_struct(
            name,
            &Wrap {
                value,
                null_if_empty,
            },
        )
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner
            .serialize_newtype_variant(name, index, variant, &Wrap::new(value))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        if self.null_if_empty && len == Some(0) {
            return self.inner.serialize_unit().map(Compound::Null);
        }
        self.inner.serialize_seq(len).map(Compound::Go)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.inner.serialize_tuple(len).map(Compound::Go)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.inner
            .serialize_tuple_struct(name, len)
            .map(Compound::Go)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.inner
            .serialize_tuple_variant(name, index, variant, len)
            .map(Compound::Go)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        if self.null_if_empty && len == Some(0) {
            return self.inner.serialize_unit().map(Compound::Null);
        }
        self.inner.serialize_map(len).map(Compound::Go)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let (table, rendered) = match tables::table_rendered(name) {
            Some((table, rendered)) => (Some(table), rendered),
            None => (None, &[][..]),
        };
        // serde_json writes `{}` at once for a length of 0; the keys added
        // here must still fit, so the length is an upper bound.
        let len = len + table.map_or(0, Table::added);
        Ok(Struct {
            inner: self.inner.serialize_struct(name, len)?,
            table,
            rendered,
            next: 0,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.inner
            .serialize_struct_variant(name, index, variant, len)
            .map(Compound::Go)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// An element after a length of 0 (a `Serialize` impl that lied).
fn after_empty<E: serde::ser::Error>() -> E {
    E::custom("an element after a length of 0")
}

impl<C: SerializeSeq> SerializeSeq for Compound<C, C::Ok> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        match self {
            Compound::Go(c) => c.serialize_element(&Wrap::new(value)),
            Compound::Null(_) => Err(after_empty()),
        }
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        match self {
            Compound::Go(c) => c.end(),
            Compound::Null(ok) => Ok(ok),
        }
    }
}

impl<C: SerializeMap> SerializeMap for Compound<C, C::Ok> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        match self {
            Compound::Go(c) => c.serialize_key(key),
            Compound::Null(_) => Err(after_empty()),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        match self {
            Compound::Go(c) => c.serialize_value(&Wrap::new(value)),
            Compound::Null(_) => Err(after_empty()),
        }
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), C::Error> {
        match self {
            Compound::Go(c) => c.serialize_entry(key, &Wrap::new(value)),
            Compound::Null(_) => Err(after_empty()),
        }
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        match self {
            Compound::Go(c) => c.end(),
            Compound::Null(ok) => Ok(ok),
        }
    }
}

/// The compounds that are never written as `null`: forward, wrapping values.
macro_rules! forward_compound {
    ($trait:ident, $method:ident $(, $key:ident)?) => {
        impl<C: $trait> $trait for Compound<C, C::Ok> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn $method<T: Serialize + ?Sized>(
                &mut self,
                $($key: &'static str,)?
                value: &T,
            ) -> Result<(), C::Error> {
                match self {
                    Compound::Go(c) => c.$method($($key,)? &Wrap::new(value)),
                    Compound::Null(_) => Err(after_empty()),
                }
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                match self {
                    Compound::Go(c) => c.end(),
                    Compound::Null(ok) => Ok(ok),
                }
            }
        }
    };
}

forward_compound!(SerializeTuple, serialize_element);
forward_compound!(SerializeTupleStruct, serialize_field);
forward_compound!(SerializeTupleVariant, serialize_field);
forward_compound!(SerializeStructVariant, serialize_field, key);

impl<C: SerializeStruct> SerializeStruct for Struct<C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), C::Error> {
        self.take(key);
        let null_if_empty = self.table.is_some_and(|t| t.null_if_empty.contains(&key));
        self.inner.serialize_field(
            key,
            &Wrap {
                value,
                null_if_empty,
            },
        )
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
        match self.take(key) {
            Some((index, zero)) => self.write_zero(index, key, zero),
            None => self.inner.skip_field(key),
        }
    }

    fn end(mut self) -> Result<C::Ok, C::Error> {
        if let Some(table) = self.table {
            for (j, (key, zero)) in table.extra.iter().enumerate() {
                self.write_zero(table.zero.len() + j, key, zero)?;
            }
        }
        self.inner.end()
    }
}
