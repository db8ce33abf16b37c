//! Cache-line prefetch hints: the addresses of data about to be read, handed to
//! the CPU all at once so that their loads from memory overlap. At 100 000
//! containers every record an inspect reads is cold, and the inspect reads its
//! heap objects one after the other, each load waiting for the last
//! (BENCHMARKS.md, "Round eight"). A hint changes no result; on other
//! architectures than x86-64 it is nothing.

/// The size of a cache line on the CPUs this runs on.
#[cfg(target_arch = "x86_64")]
const LINE: usize = 64;

/// Starts loading every cache line of `value` (its own bytes, not what it
/// points to): every line from the one its first byte is in to the one its
/// last byte is in.
#[inline(always)]
pub(crate) fn prefetch_of<T: ?Sized>(value: &T) {
    let start = (value as *const T).cast::<u8>();
    let len = std::mem::size_of_val(value);
    #[cfg(target_arch = "x86_64")]
    if len > 0 {
        let first_line = start.wrapping_sub(start as usize % LINE);
        let end = start.wrapping_add(len);
        let mut line = first_line;
        while line < end {
            // SAFETY: `_mm_prefetch` is a hint: it reads nothing the program
            // sees and does not fault, whatever the address; every address
            // is in a line that holds some of `value`'s bytes.
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
