//! Identifiers: 64 lowercase hex characters, as Docker's. The backend draws
//! its IDs through its (maybe seeded) generator (`controls::random_id`); this
//! module holds the hex spelling, and an unseeded ID for unit tests.

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
}
