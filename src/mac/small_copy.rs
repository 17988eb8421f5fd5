//! One short copy without a `memcpy` call. Its own file so that `examples/mac_pieces.rs`, which
//! times the MAC's ways against each other, includes this very function (`#[path]`) instead of
//! a copy of it.

/// Copies `src` to the start of `dst` (at least as long) without a `memcpy` call: whole words,
/// then the last eight bytes again (overlapping), or byte by byte under eight bytes. What the
/// MAC gathers its first block with, and what keeps a short event id inline in `Verified`.
#[inline(always)]
pub(crate) fn small_copy(dst: &mut [u8], src: &[u8]) {
    debug_assert!(dst.len() >= src.len());
    let n = src.len();
    if n < 8 {
        for (to, from) in dst.iter_mut().zip(src) {
            *to = *from;
        }
        return;
    }
    let (words, _) = src.as_chunks::<8>();
    for (to, from) in dst.as_chunks_mut::<8>().0.iter_mut().zip(words) {
        *to = *from;
    }
    if let (Some(to), Some(from)) = (dst.get_mut(n - 8..n), src.get(n - 8..n)) {
        to.copy_from_slice(from);
    }
}
