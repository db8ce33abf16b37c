//! The daemons' global allocator: mimalloc, asked the way glibc's `malloc` is
//! asked by Rust's own `System` allocator.
//!
//! The `mimalloc` crate's `MiMalloc` passes every allocation to
//! `mi_malloc_aligned(size, align)`, even at the alignment every block has
//! anyway. In mimalloc 3 that call only takes its fast path for sizes up to
//! 1 KiB whose free block happens to be aligned; anything larger (a request's
//! boxed handler future, hyper's read buffer) goes to the generic aligned path,
//! which over-allocates by the alignment and then takes the slow allocation
//! path: about 300 instructions instead of 60, three times per request.
//!
//! Every mimalloc block is aligned to 8 bytes, and every block of 16 bytes or
//! more to 16 (`MI_MAX_ALIGN_SIZE`; mimalloc asserts it in `alloc.c`). So a
//! layout no stricter than that is served by plain `mi_malloc`, `mi_zalloc`
//! and `mi_realloc`; stricter ones keep the aligned calls. `mi_free` frees
//! both kinds.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// The alignment every mimalloc block has, whatever its size.
const WORD_ALIGN: usize = 8;
/// The alignment of every mimalloc block of at least this many bytes.
const MAX_ALIGN: usize = 16;

/// mimalloc, with plain (unaligned) calls where they give the alignment asked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Allocator;

/// Whether a plain mimalloc block of `size` bytes is aligned to `align`.
#[inline]
fn plain_is_aligned(size: usize, align: usize) -> bool {
    align <= WORD_ALIGN || (align <= MAX_ALIGN && size >= MAX_ALIGN)
}

/// A block for `layout` from `plain` (size) when its blocks are aligned
/// enough, otherwise from `aligned` (size, alignment).
///
/// # Safety
/// Both must be mimalloc allocation calls of the same kind (plain and zeroed
/// pairs).
#[inline]
unsafe fn allocate(
    layout: Layout,
    plain: unsafe extern "C" fn(usize) -> *mut c_void,
    aligned: unsafe extern "C" fn(usize, usize) -> *mut c_void,
) -> *mut u8 {
    // SAFETY: mimalloc's allocation calls accept any size and alignment.
    unsafe {
        if plain_is_aligned(layout.size(), layout.align()) {
            plain(layout.size()).cast()
        } else {
            aligned(layout.size(), layout.align()).cast()
        }
    }
}

// SAFETY: every call goes to mimalloc, which returns blocks of at least the
// requested size or null; a plain call is made only where its block is aligned
// as the layout asks (see `plain_is_aligned`), otherwise the aligned call.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: a plain and an aligned allocation call.
        unsafe { allocate(layout, mi::mi_malloc, mi::mi_malloc_aligned) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: a plain and an aligned zeroed allocation call.
        unsafe { allocate(layout, mi::mi_zalloc, mi::mi_zalloc_aligned) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from mimalloc; the new block keeps `layout`'s
        // alignment by the same rule as `alloc`.
        unsafe {
            if plain_is_aligned(new_size, layout.align()) {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size and alignment the rule serves with plain calls comes back
    /// aligned, through allocation, zeroed allocation and growth.
    #[test]
    fn blocks_are_aligned_as_the_layout_asks() {
        let alloc = Allocator;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 7, 8, 15, 16, 24, 40, 48, 100, 1000, 1500, 5000, 70_000] {
                let Ok(layout) = Layout::from_size_align(size, align) else {
                    continue;
                };
                // SAFETY: non-zero sizes; every block is freed by this allocator.
                unsafe {
                    let p = alloc.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "alloc {size} / {align}");
                    p.write_bytes(0xA5, size);
                    let q = alloc.realloc(p, layout, size * 3);
                    assert_eq!(q as usize % align, 0, "realloc {size} / {align}");
                    assert_eq!(*q.add(size - 1), 0xA5);
                    alloc.dealloc(q, Layout::from_size_align(size * 3, align).unwrap());
                    let z = alloc.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0, "zalloc {size} / {align}");
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    alloc.dealloc(z, layout);
                }
            }
        }
    }
}
