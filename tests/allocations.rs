//! Heap allocations made by `verify_at` itself, counted by a global allocator that counts on
//! the calling thread only (the test harness runs other tests on other threads).
//!
//! A request that fails verification must cost no allocation: an attacker's garbage is refused
//! without touching the heap. The exceptions are Twilio, whose form is parsed into a list before
//! its MAC can be computed, and a refused Ed25519 signature, which ed25519-dalek reports with a
//! boxed error (one small box, freed at once). A verified delivery allocates only for an event id
//! too long to keep inline (over 48 bytes), never for a refused one.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::{IdSource, ALL, NOW, P};
use http::{HeaderMap, HeaderName, HeaderValue};
use webhook_guard::ErrorKind;

thread_local! {
    /// Allocations (and reallocations) made on this thread.
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

/// `System`, counting.
struct Counting;

// SAFETY: every call is forwarded unchanged to `System`; counting touches only a `const`
// thread-local `Cell` without a destructor, which on targets with native thread-locals (all
// this crate is tested on) neither allocates nor unwinds.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations made by `f` on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = COUNT.with(Cell::get);
    let out = f();
    (COUNT.with(Cell::get) - before, out)
}

fn header_map(headers: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.append(
            HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    map
}

/// A delivery for `p` with event id `id`, signed with its secret; and its verifier.
fn delivery(p: P, id: &str) -> (webhook_guard::Verifier, HeaderMap, Vec<u8>) {
    let secret = p.secret(0);
    let verifier = p.verifier(std::slice::from_ref(&secret));
    let body = p.body(id, NOW);
    let headers = header_map(&p.sign(&secret, &body, NOW, id));
    (verifier, headers, body)
}

#[test]
fn refused_deliveries_allocate_nothing() {
    let long_id = "x".repeat(200);
    for p in ALL {
        for id in ["evt_alloc_1", long_id.as_str()] {
            let (verifier, mut headers, mut body) = delivery(p, id);
            // Sanity: the delivery is good before it is tampered with.
            assert!(
                verifier.verify_at(&headers, &body, NOW).is_ok(),
                "{}",
                p.name()
            );
            if p.is_token() {
                // A shared token signs nothing: a wrong token instead of a changed body.
                let name = p.signature_header().to_ascii_lowercase();
                headers.insert(
                    HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    HeaderValue::from_static("not-the-token"),
                );
            } else {
                let last = body.len() - 2;
                body[last] ^= 0x01;
            }
            let (count, result) = allocations(|| verifier.verify_at(&headers, &body, NOW));
            assert!(result.is_err(), "{} accepted a tampered body", p.name());
            let want = match p {
                // The form is parsed into a list before the MAC can be computed: some
                // allocations, not bounded here.
                P::Twilio => count.max(1),
                // With its `std` feature (on in this test build through the dev-dependency),
                // ed25519-dalek reports a failed check with a boxed error source: at most one
                // box per refused Ed25519 signature, freed at once.
                P::Discord | P::StandardEd => count.min(1),
                _ => 0,
            };
            assert_eq!(
                count,
                want,
                "{} (id {} bytes): {count} allocations",
                p.name(),
                id.len()
            );
            // A stale delivery and a missing signature are refused before any MAC: no heap.
            let (count, stale) = allocations(|| verifier.verify_at(&headers, &body, NOW + 100_000));
            if p.has_timestamp() && p != P::Linear {
                assert_eq!(
                    stale.map(|_| ()).map_err(|e| e.kind()),
                    Err(ErrorKind::TimestampTooOld),
                    "{}",
                    p.name()
                );
                assert_eq!(count, 0, "{} stale", p.name());
            }
            let (count, _) = allocations(|| verifier.verify_at(&HeaderMap::new(), &body, NOW));
            assert_eq!(count, 0, "{} without headers", p.name());
        }
    }
}

#[test]
fn verified_deliveries_allocate_only_for_long_header_ids() {
    let long_id = "x".repeat(200);
    for p in ALL {
        if p == P::Twilio || p == P::Linear {
            // Twilio parses its form, Linear its body's timestamp: both allocate by design.
            continue;
        }
        let (verifier, headers, body) = delivery(p, "evt_alloc_2");
        let (count, result) = allocations(|| verifier.verify_at(&headers, &body, NOW));
        assert!(result.is_ok(), "{}", p.name());
        assert_eq!(count, 0, "{} short id: {count} allocations", p.name());
        if p.id_source() == IdSource::Header {
            let (verifier, headers, body) = delivery(p, &long_id);
            let (count, result) = allocations(|| verifier.verify_at(&headers, &body, NOW));
            let verified = result.unwrap();
            assert_eq!(verified.event_id(), Some(long_id.as_str()), "{}", p.name());
            assert_eq!(count, 1, "{} long id: {count} allocations", p.name());
        }
    }
}
