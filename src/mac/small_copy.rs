//! One short copy without a `memcpy` call. Its own file so that `examples/mac_pieces.rs`, which
//! times the MAC's ways against each other, includes this very function (`#[path]`) instead of
//! a copy of it.

/// Copies `src` to the start of `dst` (at least as long) without a `memcpy` call, for the
/// lengths that matter (up to 64 bytes): two or four fixed-size copies that overlap in the
/// middle, as `memcpy` itself does for short lengths, and no loop. (A loop of word copies was
/// recognised by the compiler as a copy and turned back into a `memcpy` call.) Longer copies
/// (pieces of a SHA-512 block) take `copy_from_slice`. What the MAC gathers its first block
/// with, and what keeps a short event id inline in `Verified`.
#[inline(always)]
pub(crate) fn small_copy(dst: &mut [u8], src: &[u8]) {
    debug_assert!(dst.len() >= src.len());
    let n = src.len();
    let Some(dst) = dst.get_mut(..n) else {
        return;
    };
    match n {
        0 => {}
        1 => dst.copy_from_slice(src),
        2..=3 => {
            copy::<2>(dst, src, 0);
            copy::<2>(dst, src, n - 2);
        }
        4..=7 => {
            copy::<4>(dst, src, 0);
            copy::<4>(dst, src, n - 4);
        }
        8..=16 => {
            copy::<8>(dst, src, 0);
            copy::<8>(dst, src, n - 8);
        }
        17..=32 => {
            copy::<16>(dst, src, 0);
            copy::<16>(dst, src, n - 16);
        }
        33..=64 => {
            copy::<16>(dst, src, 0);
            copy::<16>(dst, src, 16);
            copy::<16>(dst, src, n - 32);
            copy::<16>(dst, src, n - 16);
        }
        _ => dst.copy_from_slice(src),
    }
}

/// Copies the `K` bytes at `at` (in bounds for both: the caller's lengths see to it).
#[inline(always)]
fn copy<const K: usize>(dst: &mut [u8], src: &[u8], at: usize) {
    if let (Some(to), Some(from)) = (
        dst.get_mut(at..).and_then(|d| d.first_chunk_mut::<K>()),
        src.get(at..).and_then(|s| s.first_chunk::<K>()),
    ) {
        *to = *from;
    }
}
