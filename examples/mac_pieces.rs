//! Where the MAC of a delivery signed in pieces spends its time, next to the contiguous limit.
//!
//! ```text
//! cargo build --release --example mac_pieces --no-default-features
//! taskset -c 1 target/release/examples/mac_pieces 2000000
//! ```
//!
//! The Standard Webhooks delivery of `verify_loop` and the `verify` bench (a 30-byte id, a
//! 10-digit timestamp, a 256-byte body), HMAC-SHA256 through the `hmac` crate's core API, as
//! the verifier computes it (`src/mac.rs`), in six ways, in alternating rounds:
//!
//! - `contiguous`: the signed bytes in one buffer (the `verify` bench's limit);
//! - `two_calls`: the same buffer, its first block hashed by a call of its own;
//! - `prebuilt`: the first block (prefix and the body's first bytes) built once, outside the
//!   loop, then the rest of the body: what gathering would cost if it were free;
//! - `gathered`: the first block gathered on each call with inline copies, then the rest of
//!   the body (the verifier from `e63d317`; since the nineteenth session it gathers the block
//!   once per request, ahead of the MAC: `mac::Gathered`);
//! - `via_buffer`: each piece through the block buffer, a `memcpy` call each (the verifier
//!   before `e63d317`);
//! - `gather_only`: the gathering alone.
//!
//! Prints the mean time per call of each.

use std::hint::black_box;
use std::time::Instant;

use hmac::digest::core_api::{Block, Buffer, FixedOutputCore, UpdateCore};
use hmac::digest::{KeyInit, Output};
use hmac::{Hmac, HmacCore, Mac};
use sha2::Sha256;

type Core = HmacCore<Sha256>;

// The crate's own `small_copy`, the very function `src/mac.rs` gathers with.
#[path = "../src/mac/small_copy.rs"]
mod small_copy;
use small_copy::small_copy;

fn finish(mut core: Core, mut buffer: Buffer<Core>) -> Output<Core> {
    let mut out = Output::<Core>::default();
    core.finalize_fixed_core(&mut buffer, &mut out);
    out
}

#[inline(never)]
fn contiguous(key: &Core, signed: &[u8]) -> Output<Core> {
    let mut core = key.clone();
    let mut buffer = Buffer::<Core>::default();
    buffer.digest_blocks(signed, |b| core.update_blocks(b));
    finish(core, buffer)
}

#[inline(never)]
fn two_calls(key: &Core, signed: &[u8]) -> Output<Core> {
    let mut core = key.clone();
    let mut buffer = Buffer::<Core>::default();
    let (first, rest) = signed.split_at(signed.len().min(64));
    buffer.digest_blocks(first, |b| core.update_blocks(b));
    buffer.digest_blocks(rest, |b| core.update_blocks(b));
    finish(core, buffer)
}

#[inline(never)]
fn prebuilt(key: &Core, first: &Block<Core>, rest: &[u8]) -> Output<Core> {
    let mut core = key.clone();
    let mut buffer = Buffer::<Core>::default();
    core.update_blocks(std::slice::from_ref(first));
    buffer.digest_blocks(rest, |b| core.update_blocks(b));
    finish(core, buffer)
}

/// Gathers `pieces` and the body's first bytes into `block`; the body's bytes left.
#[inline(always)]
fn gather<'b>(pieces: &[&[u8]], body: &'b [u8], block: &mut Block<Core>) -> &'b [u8] {
    let mut pos = 0;
    for piece in pieces {
        if let Some(tail) = block.get_mut(pos..) {
            small_copy(tail, piece);
        }
        pos += piece.len();
    }
    let (head, rest) = body.split_at(body.len().min(64usize.saturating_sub(pos)));
    if let Some(tail) = block.get_mut(pos..) {
        small_copy(tail, head);
    }
    rest
}

#[inline(never)]
fn gathered(key: &Core, pieces: &[&[u8]], body: &[u8]) -> Output<Core> {
    let mut core = key.clone();
    let mut buffer = Buffer::<Core>::default();
    let mut block = Block::<Core>::default();
    let rest = gather(pieces, body, &mut block);
    core.update_blocks(std::slice::from_ref(&block));
    buffer.digest_blocks(rest, |b| core.update_blocks(b));
    finish(core, buffer)
}

#[inline(never)]
fn via_buffer(key: &Core, pieces: &[&[u8]], body: &[u8]) -> Output<Core> {
    let mut core = key.clone();
    let mut buffer = Buffer::<Core>::default();
    for piece in pieces {
        buffer.digest_blocks(piece, |b| core.update_blocks(b));
    }
    buffer.digest_blocks(body, |b| core.update_blocks(b));
    finish(core, buffer)
}

#[inline(never)]
fn gather_only(pieces: &[&[u8]], body: &[u8], block: &mut Block<Core>) -> usize {
    gather(pieces, body, block).len()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|x| x.parse().ok())
        .unwrap_or(2_000_000);
    let key = b"verify-loop-standard-key";
    let keyed = Core::new_from_slice(key)?;
    let id = b"msg_2bT3mPqN8wK5dZr7YxVf1cLh0Ju";
    let ts = b"1700000000";
    let body = vec![b'a'; 256];
    let pieces: [&[u8]; 4] = [id, b".", ts, b"."];
    let signed = [&id[..], b".", ts, b".", &body].concat();
    let (first, rest) = signed.split_at(64);
    let first = Block::<Core>::clone_from_slice(first);

    let mut reference = <Hmac<Sha256> as KeyInit>::new_from_slice(key)?;
    reference.update(&signed);
    let reference = reference.finalize().into_bytes();
    for (name, tag) in [
        ("contiguous", contiguous(&keyed, &signed)),
        ("two_calls", two_calls(&keyed, &signed)),
        ("prebuilt", prebuilt(&keyed, &first, rest)),
        ("gathered", gathered(&keyed, &pieces, &body)),
        ("via_buffer", via_buffer(&keyed, &pieces, &body)),
    ] {
        if tag != reference {
            return Err(format!("{name}: not the hmac crate's MAC").into());
        }
    }

    let names = [
        "contiguous",
        "two_calls",
        "prebuilt",
        "gathered",
        "via_buffer",
        "gather_only",
    ];
    let mut total = [0u128; 6];
    let mut scratch = Block::<Core>::default();
    let rounds = 10;
    for _ in 0..rounds {
        for (way, slot) in total.iter_mut().enumerate() {
            let start = Instant::now();
            for _ in 0..n / rounds {
                match way {
                    0 => drop(black_box(contiguous(&keyed, black_box(&signed)))),
                    1 => drop(black_box(two_calls(&keyed, black_box(&signed)))),
                    2 => drop(black_box(prebuilt(
                        &keyed,
                        black_box(&first),
                        black_box(rest),
                    ))),
                    3 => drop(black_box(gathered(
                        &keyed,
                        black_box(&pieces),
                        black_box(&body),
                    ))),
                    4 => drop(black_box(via_buffer(
                        &keyed,
                        black_box(&pieces),
                        black_box(&body),
                    ))),
                    _ => drop(black_box(gather_only(
                        black_box(&pieces),
                        black_box(&body),
                        &mut scratch,
                    ))),
                }
            }
            *slot += start.elapsed().as_nanos();
        }
    }
    let done = (n / rounds * rounds).max(1) as f64;
    let line: Vec<String> = names
        .iter()
        .zip(total)
        .map(|(name, ns)| format!("{name} {:.1} ns", ns as f64 / done))
        .collect();
    println!("{}", line.join(", "));
    Ok(())
}
