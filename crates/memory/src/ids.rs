//! Identifiers: 64 lowercase hex characters, as Docker's. The backend draws
//! its IDs through its (maybe seeded) generator (`controls::random_id`); this
//! module holds the hex spelling, [`Id`] (one shared allocation for an ID that
//! several maps hold), and an unseeded ID for unit tests.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// An ID (or any key) held by several maps at once: one allocation, shared.
/// Reads, hashes, compares and serialises as the `str` it holds, so a map keyed
/// by `Id` is looked up with a `&str` and a set of them serialises as a set of
/// strings.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Id(Arc<str>);

impl Id {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Hash for Id {
    /// As the `str` (required by `Borrow<str>`).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl From<&str> for Id {
    fn from(s: &str) -> Id {
        Id(Arc::from(s))
    }
}

impl From<String> for Id {
    fn from(s: String) -> Id {
        Id(Arc::from(s))
    }
}

impl From<&String> for Id {
    fn from(s: &String) -> Id {
        Id(Arc::from(s.as_str()))
    }
}

impl From<&Id> for Id {
    fn from(s: &Id) -> Id {
        s.clone()
    }
}

impl From<Id> for String {
    fn from(s: Id) -> String {
        s.as_str().to_string()
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Id {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Id::from)
    }
}

/// A fresh 64-hex ID (256 bits from the thread-local CSPRNG).
#[cfg(test)]
pub(crate) fn new_id() -> String {
    use rand::Rng;

    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_hex() {
        let a = new_id();
        let b = new_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }

    #[test]
    fn an_id_is_its_str() {
        let id = Id::from("abc");
        let set: std::collections::HashSet<Id> = [id.clone()].into();
        assert!(set.contains("abc"), "looked up by str");
        let sorted: std::collections::BTreeSet<Id> = ["b".into(), "a".into()].into();
        assert_eq!(serde_json::to_string(&sorted).unwrap(), r#"["a","b"]"#);
        assert_eq!(serde_json::from_str::<Id>(r#""abc""#).unwrap(), id);
        assert_eq!(format!("{id} {id:?}"), r#"abc "abc""#);
        assert!(std::ptr::eq(
            id.as_str(),
            set.iter().next().unwrap().as_str()
        ));
    }
}
