//! Identifiers: 64 lowercase hex characters from a cryptographic RNG, as Docker's.
//!
//! ```
//! let id = sockerless_memory::ids::new_id();
//! assert_eq!(id.len(), 64);
//! assert!(id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
//! ```

use rand::Rng;

/// A fresh 64-hex ID (256 bits from the thread-local CSPRNG).
pub fn new_id() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
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
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}
