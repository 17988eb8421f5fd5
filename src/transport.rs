//! What every adapter does around the core, written once: the declared-length check, the read
//! timeout, and turning verified bytes into [`Verified`] facts. Adapters only move bytes.

use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;

use crate::dedupe::{Dedupe, Gate};
use crate::error::{ErrorKind, VerifyError};
use crate::headers::{HeaderLookup, Lookup};
use crate::verifier::{Verified, Verifier};

/// Default time allowed for the whole body to arrive: 30 seconds.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// `true` when `Content-Length` declares more than the verifier accepts: refuse before reading.
fn declared_too_large<H: HeaderLookup + ?Sized>(headers: &H, verifier: &Verifier) -> bool {
    declared_length(headers).is_some_and(|n| n > verifier.max_body_size() as u64)
}

/// The body length `Content-Length` declares, if it is there once and parses.
pub(crate) fn declared_length<H: HeaderLookup + ?Sized>(headers: &H) -> Option<u64> {
    match headers.lookup("content-length") {
        Lookup::One(v) => std::str::from_utf8(v).ok()?.trim().parse::<u64>().ok(),
        _ => None,
    }
}

/// Runs a body read under the read timeout (when a Tokio runtime is present).
async fn with_timeout<F>(timeout: Option<Duration>, read: F) -> Result<Bytes, VerifyError>
where
    F: Future<Output = Result<Bytes, VerifyError>>,
{
    let mut read = std::pin::pin!(read);
    // A body that is already here needs no timer: poll once before arming one.
    let first = std::future::poll_fn(|cx| match read.as_mut().poll(cx) {
        Poll::Ready(done) => Poll::Ready(Some(done)),
        Poll::Pending => Poll::Ready(None),
    })
    .await;
    if let Some(done) = first {
        return done;
    }
    match timeout {
        Some(t) if tokio::runtime::Handle::try_current().is_ok() => {
            match tokio::time::timeout(t, read).await {
                Ok(result) => result,
                Err(_) => Err(VerifyError::from_kind(ErrorKind::BodyReadTimeout)),
            }
        }
        _ => read.await,
    }
}

/// Verifies the complete body and keeps it in the facts for lazy body-id lookups.
fn verify<H: HeaderLookup + ?Sized>(
    verifier: &Verifier,
    headers: &H,
    body: &Bytes,
) -> Result<Verified, VerifyError> {
    let mut verified = verifier.verify(headers, body)?;
    verified.attach_body(body.clone());
    Ok(verified)
}

/// Everything both adapters do before the handler, in order: refuse a declared length over the
/// limit without reading, read the body (the adapter's `read` stops past the limit) under the
/// read timeout, then verify headers and bytes.
pub(crate) async fn read_and_verify<H, F>(
    verifier: &Verifier,
    headers: &H,
    read_timeout: Option<Duration>,
    read: F,
) -> Result<(Verified, Bytes), VerifyError>
where
    H: HeaderLookup + ?Sized,
    F: Future<Output = Result<Bytes, VerifyError>>,
{
    if declared_too_large(headers, verifier) {
        return Err(VerifyError::from_kind(ErrorKind::BodyTooLarge));
    }
    let bytes = with_timeout(read_timeout, read).await?;
    let verified = verify(verifier, headers, &bytes)?;
    Ok((verified, bytes))
}

/// Asks the dedupe store (if any) whether the verified delivery may reach the handler.
pub(crate) async fn admit(dedupe: Option<&Dedupe>, verified: &Verified) -> Gate {
    match dedupe {
        Some(d) => d.admit(verified).await,
        None => Gate::Open(None),
    }
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
