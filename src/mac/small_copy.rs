//! One short copy without a `memcpy` call. Its own file so that `examples/mac_pieces.rs`, which
//! times the MAC's ways against each other, includes this very function (`#[path]`) instead of
//! a copy of it.

/// Copies `src` to the start of `dst` (at least as long) without a `memcpy` call, for the
/// lengths that matter (up to 64 bytes): its first and last `K` bytes for the `K` of its length
/// class, two fixed-size copies that overlap in the middle, as `memcpy` itself does for short
/// lengths, and no loop. (A loop of word copies was recognised by the compiler as a copy and
/// turned back into a `memcpy` call.) Longer copies (pieces of a SHA-512 block) take
/// `copy_from_slice`. What the MAC gathers its first block with, and what keeps a short event
/// id inline in `Verified`.
#[inline(always)]
pub(crate) fn small_copy(dst: &mut [u8], src: &[u8]) {
    debug_assert!(dst.len() >= src.len());
    let Some(dst) = dst.get_mut(..src.len()) else {
        return;
    };
    match src.len() {
        0 => {}
        1 => ends::<1>(dst, src),
        2..=3 => ends::<2>(dst, src),
        4..=7 => ends::<4>(dst, src),
        8..=16 => ends::<8>(dst, src),
        17..=32 => ends::<16>(dst, src),
        33..=64 => ends::<32>(dst, src),
        _ => dst.copy_from_slice(src),
    }
}

/// Copies the first and the last `K` bytes of `src` (`K <= src.len() <= 2 * K`, so together
/// they are all of it) to the same places in `dst` (as long as `src`).
#[inline(always)]
fn ends<const K: usize>(dst: &mut [u8], src: &[u8]) {
    if let (Some(to), Some(from)) = (dst.first_chunk_mut::<K>(), src.first_chunk::<K>()) {
        *to = *from;
    }
    if let (Some(to), Some(from)) = (dst.last_chunk_mut::<K>(), src.last_chunk::<K>()) {
        *to = *from;
    }
}
