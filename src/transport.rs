//! What every adapter does around the core, written once: the declared-length check, the read
//! timeout, and turning verified bytes into [`Verified`] facts (see [`admit`] for the order).
//! Adapters only move bytes.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;

use crate::dedupe::{self, Dedupe, Gate, Reservation};
use crate::error::{ErrorKind, VerifyError};
use crate::headers::{HeaderLookup, Lookup};
use crate::verifier::{Verified, Verifier};

/// Default time allowed for the whole body to arrive: 30 seconds.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The body length `Content-Length` declares, if it is there once and parses (the Tower layer's;
/// actix's middleware reads its own header map).
#[cfg(feature = "tower")]
pub(crate) fn declared_length<H: HeaderLookup + ?Sized>(headers: &H) -> Option<u64> {
    parse_length(headers.lookup_name(&http::header::CONTENT_LENGTH))
}

/// A `Content-Length` lookup as a number: present once, and a non-negative integer once
/// surrounding whitespace is trimmed.
pub(crate) fn parse_length(found: Lookup<'_>) -> Option<u64> {
    let Lookup::One(v) = found else { return None };
    // The usual value is plain digits: read them in one scalar pass (19 digits always fit in
    // a u64). A loop that stops at the first other byte is not vectorised: a few dozen bytes
    // of code, where the digit check and the sum as two loops became several hundred, which
    // every request runs with its code cold in the instruction cache (BENCHMARKS.md, section
    // 5, eighteenth pass).
    if v.is_empty() || v.len() > 19 {
        return parse_length_slow(v);
    }
    let mut n = 0u64;
    for &d in v {
        if !d.is_ascii_digit() {
            return parse_length_slow(v);
        }
        n = n * 10 + u64::from(d - b'0');
    }
    Some(n)
}

/// [`parse_length`] of anything but plain digits: surrounding whitespace, or no number.
#[cold]
#[inline(never)]
fn parse_length_slow(v: &[u8]) -> Option<u64> {
    std::str::from_utf8(v).ok()?.trim().parse::<u64>().ok()
}

/// At most this much is reserved up front for a body that arrives in several chunks, whatever
/// its `Content-Length` says: a client that declares the limit and then sends a trickle holds
/// only what it sent plus this, not the whole limit. Larger bodies grow the buffer as they come.
const PREALLOCATE_MAX: usize = 64 * 1024;

/// The buffer to reserve for joining a body's chunks once `received` bytes are in: the declared
/// length when there is one (never below what was received, never above `max`), capped at
/// [`PREALLOCATE_MAX`] beyond what was received.
pub(crate) fn join_capacity(declared: Option<u64>, received: usize, max: usize) -> usize {
    let declared = declared.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    declared
        .min(max)
        .min(received.max(PREALLOCATE_MAX))
        .max(received)
}

/// Refuses a body whose declared length (`declared`, from [`declared_length`]) is over the
/// verifier's limit, before anything is read.
pub(crate) fn check_declared(
    verifier: &Verifier,
    declared: Option<u64>,
) -> Result<(), VerifyError> {
    match declared {
        Some(n) if n > verifier.max_body_size() as u64 => {
            Err(VerifyError::from_kind(ErrorKind::BodyTooLarge))
        }
        _ => Ok(()),
    }
}

pin_project_lite::pin_project! {
    /// A body read (the adapter's, which stops past the size limit) under the read timeout.
    ///
    /// A body that is already here needs no timer, nor does one that arrives a moment later:
    /// the first time the read is not finished, the future asks to be polled again at once
    /// instead (a server may hand over the request before it feeds the body bytes it has
    /// already buffered: actix-web does, for nearly every request). Only a read still pending
    /// then gets its timer (in its own allocation, so that it takes no room in every
    /// request's state; a clock read, a timer-wheel insert and a removal), and only inside a
    /// Tokio runtime; outside one the read has no timeout. The timeout counts from there.
    pub(crate) struct ReadWithin<F> {
        #[pin]
        read: F,
        timeout: Option<Duration>,
        timer: Option<Pin<Box<tokio::time::Sleep>>>,
        waited: bool,
    }
}

/// The read timeout's timer, inside a Tokio runtime (`None` outside one). Out of line
/// (`#[cold]`): only a body still arriving after the second poll needs it.
#[cold]
#[inline(never)]
fn start_timer(timeout: Duration) -> Option<Pin<Box<tokio::time::Sleep>>> {
    tokio::runtime::Handle::try_current().ok()?;
    Some(Box::pin(tokio::time::sleep(timeout)))
}

/// `read` under the read timeout `timeout` (`None`: none).
pub(crate) fn read_within<F>(timeout: Option<Duration>, read: F) -> ReadWithin<F> {
    ReadWithin {
        read,
        timeout,
        timer: None,
        waited: false,
    }
}

impl<F> Future for ReadWithin<F>
where
    F: Future<Output = Result<Bytes, VerifyError>>,
{
    type Output = Result<Bytes, VerifyError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(done) = this.read.poll(cx) {
            return Poll::Ready(done);
        }
        if this.timer.is_none() {
            if !*this.waited && this.timeout.is_some() {
                // Once: polled again right away, the bytes the server already holds are
                // usually there (see the type's docs).
                *this.waited = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            match this.timeout.take().and_then(start_timer) {
                Some(timer) => *this.timer = Some(timer),
                None => return Poll::Pending,
            }
        }
        match this.timer.as_mut().map(|timer| timer.as_mut().poll(cx)) {
            Some(Poll::Ready(())) => {
                Poll::Ready(Err(VerifyError::from_kind(ErrorKind::BodyReadTimeout)))
            }
            _ => Poll::Pending,
        }
    }
}

/// What the checks after the body's read decided ([`admit`]).
pub(crate) enum Admitted<'d> {
    /// Hand the request on; the reservation (if any) settles with the handler's status.
    Open(Option<Reservation<'d>>),
    /// A store that answers later must be asked ([`ask`]): the verified facts, not yet in the
    /// extensions (boxed: this variant is rare, the others are small).
    Ask(&'d Dedupe, Box<Verified>),
    /// Answer with the error instead.
    Refused(VerifyError),
    /// Answer a duplicate with this (2xx) status instead.
    Duplicate(u16),
}

/// Everything between the body's read and the handler, without an `await`: verify the complete
/// body and keep it in the facts (for [`Verified::body`] and lazy body-id lookups), reserve the
/// delivery in a [`MemoryStore`](crate::dedupe::MemoryStore), hand [`Verified`] to `insert`
/// (the adapter's extensions).
///
/// Every adapter does, in order: [`check_declared`] (refuse a declared length over the limit
/// without reading), read the body ([`read_within`] the read timeout; the adapter's read stops
/// past the limit), then this. Plain code the adapters' request
/// futures call: as an `async fn` awaited by each of them, the same steps were a second state
/// machine whose state every request built, moved and dropped (BENCHMARKS.md, section 5,
/// twenty-first pass). With another store, [`Admitted::Ask`]: then [`ask`].
pub(crate) fn admit<'d, H: HeaderLookup + ?Sized>(
    verifier: &Verifier,
    dedupe: Option<&'d Dedupe>,
    headers: &H,
    body: &Bytes,
    insert: impl FnOnce(Verified),
) -> Admitted<'d> {
    let mut verified = match verifier.verify(headers, body) {
        Ok(verified) => verified,
        Err(e) => return Admitted::Refused(e),
    };
    verified.attach_body(body.clone());
    let reservation = match dedupe {
        // Without dedupe there is nothing to wait for.
        None => None,
        Some(dedupe) => match dedupe::gate_now(dedupe, &verified) {
            Some(Gate::Open(reservation)) => reservation,
            Some(Gate::Duplicate(status)) => return Admitted::Duplicate(status),
            Some(Gate::Refused(e)) => return Admitted::Refused(e),
            None => return Admitted::Ask(dedupe, Box::new(verified)),
        },
    };
    insert(verified);
    Admitted::Open(reservation)
}

/// [`admit`]'s last steps with a store that answers later (Redis, or any other
/// [`DedupeStore`](crate::dedupe::DedupeStore) than the memory store): `insert` gets the
/// verified facts when the gate opens.
pub(crate) async fn ask<'d>(
    dedupe: &'d Dedupe,
    verified: Box<Verified>,
    insert: impl FnOnce(Verified),
) -> Gate<'d> {
    let gate = dedupe::gate(dedupe, &verified).await;
    if let Gate::Open(_) = gate {
        insert(*verified);
    }
    gate
}

/// Logs a rejection (kind and configured header only; never request bytes).
pub(crate) fn log_rejection(verifier: &Verifier, error: &VerifyError) {
    tracing::debug!(
        provider = %verifier.provider(),
        error = error.kind().code(),
        header = error.header(),
        "webhook rejected"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `parse_length` accepted before its digits-only fast path.
    fn reference(found: Lookup<'_>) -> Option<u64> {
        match found {
            Lookup::One(v) => std::str::from_utf8(v).ok()?.trim().parse::<u64>().ok(),
            _ => None,
        }
    }

    #[test]
    fn join_buffer_is_sized_from_content_length_within_bounds() {
        // Declared and small: exactly that.
        assert_eq!(join_capacity(Some(5000), 100, 1 << 20), 5000);
        // Nothing declared, or less than received: what was received.
        assert_eq!(join_capacity(None, 100, 1 << 20), 100);
        assert_eq!(join_capacity(Some(10), 100, 1 << 20), 100);
        // Declared up to the limit, a trickle received: capped, not the whole limit.
        assert_eq!(join_capacity(Some(1 << 20), 100, 1 << 20), PREALLOCATE_MAX);
        assert_eq!(join_capacity(Some(u64::MAX), 100, 1 << 20), PREALLOCATE_MAX);
        // Already past the cap: what was received.
        assert_eq!(join_capacity(Some(1 << 20), 200_000, 1 << 20), 200_000);
        // A small limit wins over the cap.
        assert_eq!(join_capacity(Some(1 << 20), 100, 4096), 4096);
    }

    #[test]
    fn content_length_parses_as_before() {
        let values: &[&[u8]] = &[
            b"0",
            b"4096",
            b"0004096",
            b"18446744073709551615",
            b"18446744073709551616",
            b"9999999999999999999",
            b"99999999999999999999",
            b"",
            b" 12 ",
            b"\t12",
            b"+12",
            b"-1",
            b"1 2",
            b"12a",
            b"0x10",
            "\u{a0}12".as_bytes(),
            b"\xff12",
        ];
        for v in values {
            assert_eq!(
                parse_length(Lookup::One(v)),
                reference(Lookup::One(v)),
                "{:?}",
                String::from_utf8_lossy(v)
            );
        }
        assert_eq!(parse_length(Lookup::Many), None);
        assert_eq!(parse_length(Lookup::Missing), None);
        assert_eq!(parse_length(Lookup::One(b"4096")), Some(4096));
    }

    #[tokio::test]
    async fn a_body_that_does_not_arrive_times_out() {
        let read = std::future::pending::<Result<Bytes, VerifyError>>();
        let answer = read_within(Some(Duration::from_millis(20)), read).await;
        assert_eq!(
            answer.map_err(|e| e.kind()),
            Err(ErrorKind::BodyReadTimeout)
        );
    }

    #[tokio::test]
    async fn a_body_that_arrives_in_time_is_read() {
        let read = async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            Ok(Bytes::from_static(b"late but in time"))
        };
        let answer = read_within(Some(Duration::from_secs(30)), read).await;
        assert_eq!(answer.ok(), Some(Bytes::from_static(b"late but in time")));
    }

    /// Counts its wake-ups.
    struct Wakes(std::sync::atomic::AtomicUsize);

    impl std::task::Wake for Wakes {
        fn wake(self: std::sync::Arc<Self>) {
            self.wake_by_ref();
        }

        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// A read that is not finished at its first poll asks to be polled again at once, with no
    /// timer; a read still pending at the next poll gets its timer; a read finished by then
    /// never gets one.
    #[tokio::test]
    async fn the_timer_is_armed_only_for_a_read_still_pending_after_one_more_poll() {
        let wakes = std::sync::Arc::new(Wakes(std::sync::atomic::AtomicUsize::new(0)));
        let waker = std::task::Waker::from(wakes.clone());
        let mut cx = Context::from_waker(&waker);

        let mut stalled = Box::pin(read_within(
            Some(Duration::from_secs(30)),
            std::future::pending::<Result<Bytes, VerifyError>>(),
        ));
        assert!(stalled.as_mut().poll(&mut cx).is_pending());
        assert_eq!(wakes.0.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert!(stalled.timer.is_none());
        assert!(stalled.as_mut().poll(&mut cx).is_pending());
        assert!(
            stalled.timer.is_some(),
            "a read still pending has its timer"
        );
        assert_eq!(wakes.0.load(std::sync::atomic::Ordering::Relaxed), 1);

        let mut polls = 0;
        let mut soon = Box::pin(read_within(
            Some(Duration::from_secs(30)),
            std::future::poll_fn(move |_| {
                polls += 1;
                if polls < 2 {
                    Poll::Pending
                } else {
                    Poll::Ready(Ok(Bytes::from_static(b"buffered")))
                }
            }),
        ));
        assert!(soon.as_mut().poll(&mut cx).is_pending());
        assert!(matches!(soon.as_mut().poll(&mut cx), Poll::Ready(Ok(_))));
        assert!(
            soon.timer.is_none(),
            "no timer for a body that was a poll away"
        );
    }

    #[test]
    fn outside_a_runtime_there_is_no_timer() {
        let mut read = std::pin::pin!(read_within(
            Some(Duration::from_millis(1)),
            std::future::pending::<Result<Bytes, VerifyError>>()
        ));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(read.as_mut().poll(&mut cx).is_pending());
        std::thread::sleep(Duration::from_millis(5));
        assert!(read.as_mut().poll(&mut cx).is_pending());
    }
}
