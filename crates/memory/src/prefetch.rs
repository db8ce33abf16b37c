//! Cache-line prefetch hints: the addresses of data about to be read, handed to
//! the CPU all at once so that their loads from memory overlap. At 100 000
//! containers every record an inspect reads is cold, and the inspect reads its
//! heap objects one after the other, each load waiting for the last
//! (BENCHMARKS.md, "Round eight"); the containers' table keeps their hints
//! beside each record (`crate::containers::cold`). A hint changes no result;
//! on other architectures than x86-64 it is nothing.

/// The size of a cache line on the CPUs this runs on.
#[cfg(target_arch = "x86_64")]
const LINE: usize = 64;

/// Starts loading every cache line of the `len` bytes at `start`: an address
/// kept as a number, which may no longer hold what it held (a hint reads
/// nothing and cannot fault).
#[inline(always)]
pub(crate) fn prefetch_range(start: *const u8, len: usize) {
    #[cfg(target_arch = "x86_64")]
    if len > 0 {
        let first_line = start.wrapping_sub(start as usize % LINE);
        let end = start.wrapping_add(len);
        let mut line = first_line;
        while line < end {
            // SAFETY: `_mm_prefetch` is a hint: it reads nothing the program
            // sees and does not fault, whatever the address.
            unsafe {
                core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                    line.cast(),
                );
            }
            line = line.wrapping_add(LINE);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (start, len);
}

/// A byte range kept as one number for a later [`Hint::prefetch`]: the
/// address in the low 48 bits (a user-space address on x86-64 fits), the
/// length (up to 65 535 bytes) above it; 0 is none. It keeps nothing alive:
/// once the bytes are freed, the hint is still harmless, only useless.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Hint(u64);

/// Where a [`Hint`]'s length starts.
const HINT_LEN_SHIFT: u32 = 48;

impl Hint {
    /// The hint of `bytes` (none for no bytes).
    pub(crate) fn of(bytes: &[u8]) -> Hint {
        Hint::of_range(bytes.as_ptr(), bytes.len())
    }

    /// The hint of the `len` bytes at `start` (none for 0 bytes).
    pub(crate) fn of_range(start: *const u8, len: usize) -> Hint {
        if len == 0 {
            return Hint(0);
        }
        let address = start as u64 & ((1 << HINT_LEN_SHIFT) - 1);
        Hint(address | ((len.min(0xFFFF) as u64) << HINT_LEN_SHIFT))
    }

    /// Whether it hints at nothing.
    pub(crate) fn is_none(self) -> bool {
        self.0 == 0
    }

    /// Starts loading its bytes' cache lines ([`prefetch_range`]).
    #[inline(always)]
    pub(crate) fn prefetch(self) {
        let start = (self.0 & ((1 << HINT_LEN_SHIFT) - 1)) as usize;
        prefetch_range(start as *const u8, (self.0 >> HINT_LEN_SHIFT) as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_keeps_the_address_and_the_length() {
        let bytes = vec![7u8; 100];
        let h = Hint::of(&bytes);
        assert!(!h.is_none());
        assert_eq!(h.0 & ((1 << HINT_LEN_SHIFT) - 1), bytes.as_ptr() as u64);
        assert_eq!(h.0 >> HINT_LEN_SHIFT, 100);
        h.prefetch();
        assert!(Hint::of(&[]).is_none());
        assert_eq!(
            Hint::of_range(bytes.as_ptr(), 1 << 20).0 >> HINT_LEN_SHIFT,
            0xFFFF
        );
        Hint::default().prefetch();
    }
}
