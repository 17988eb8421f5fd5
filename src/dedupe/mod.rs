//! Idempotency (feature `dedupe`, implied by `tower` and `actix-web`): each delivery reaches
//! your handler **successfully once**, however often the provider retries it or an attacker
//! replays it, and a failed attempt never makes a later retry look like a duplicate.
//!
//! Providers deliver at least once and retry for hours or days (Stripe for up to three days).
//! With [`Dedupe`] on a layer or middleware, every *verified* delivery goes through:
//!
//! 1. **reserve** its key (provider + namespace + event id) in the [`DedupeStore`], in flight,
//!    with a lease (default 60 s);
//! 2. the handler runs;
//! 3. a `2xx` answer **commits** the key for the retention time (default 72 h); anything else
//!    (an error status, an error, a panic, or the client going away mid-request) **releases**
//!    it, so the provider's retry is handled;
//! 4. a duplicate that arrives while the first is in flight is answered `409` with
//!    `Retry-After` (never `2xx`: if the first attempt then fails, the provider must retry); a
//!    duplicate after the commit is answered `200` (configurable) with a
//!    `webhook-guard-duplicate: true` header, without calling the handler.
//!
//! A process that dies mid-handler leaves its reservation behind; the lease expires and the
//! provider's retry goes through. If the store cannot be reached the answer is `503` (fail
//! closed: the provider retries later); [`DedupeBuilder::fail_open`] is the explicit opt-out.
//! Unverified requests never reach the store: the key is only derived from a [`Verified`]
//! delivery.
//!
//! ```
//! use webhook_guard::dedupe::{Dedupe, MemoryStore};
//! use webhook_guard::{tower::VerifyWebhookLayer, Verifier};
//!
//! let store = MemoryStore::new(100_000); // build once, share between routes
//! let stripe = Verifier::stripe("whsec_test").build()?;
//! let layer = VerifyWebhookLayer::new(stripe)
//!     .dedupe(Dedupe::builder(store.clone()).namespace("billing").build()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Stores: [`MemoryStore`] (bounded, one process) and, with feature `redis`,
//! [`RedisStore`](redis::RedisStore) (several replicas). Implement [`DedupeStore`] for others.

// The gate, the reservation and the settling are the adapters' (`tower`, `actix-web`): with
// `dedupe` or `redis` alone they are compiled but not called.
#![cfg_attr(not(any(feature = "tower", feature = "actix-web")), allow(dead_code))]

mod memory;
#[cfg(feature = "redis")]
pub mod redis;

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use self::memory::Digest;
pub use self::memory::MemoryStore;
use crate::error::{ConfigError, ErrorKind, VerifyError};
use crate::verifier::Verified;

/// Default lease of an in-flight reservation: 60 seconds.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
/// Default retention of a handled delivery's key: 72 hours (Stripe retries for up to three
/// days).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(72 * 3600);

/// The future a [`DedupeStore`] returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// What [`DedupeStore::reserve`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserve {
    /// The key was free (or its lease had expired): it is now reserved for the caller.
    Reserved,
    /// Another holder is handling this delivery; its lease runs out in `retry_after`.
    InFlight {
        /// Time left on the other holder's lease.
        retry_after: Duration,
    },
    /// The delivery was already handled successfully.
    Done,
}

/// Identifies one reservation, so that a holder can only commit or release its own: a holder
/// whose lease expired never deletes the reservation of the one who took over.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token(u128);

impl Token {
    /// A token unique within this process, and random across processes.
    pub fn fresh() -> Token {
        static COUNTER: AtomicU64 = AtomicU64::new(1);
        static PROCESS: OnceLock<u64> = OnceLock::new();
        let process = *PROCESS.get_or_init(|| {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            h.write_u32(std::process::id());
            h.finish()
        });
        // Each thread takes a block of numbers at a time, so that threads minting tokens do not
        // contend on one counter.
        const BLOCK: u64 = 1 << 16;
        thread_local! {
            static NEXT: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
        }
        let n = NEXT.with(|next| {
            let (mut n, mut end) = next.get();
            if n == end {
                n = COUNTER.fetch_add(BLOCK, Ordering::Relaxed);
                end = n.saturating_add(BLOCK);
            }
            next.set((n.saturating_add(1), end));
            n
        });
        Token((u128::from(process) << 64) | u128::from(n))
    }

    /// The token as a number (for stores that keep it).
    pub fn get(self) -> u128 {
        self.0
    }

    /// A token from [`Token::get`]'s value.
    pub fn from_u128(value: u128) -> Token {
        Token(value)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({:032x})", self.0)
    }
}

/// A dedupe store could not answer (unreachable, timed out, protocol error).
///
/// Its message never contains a connection string or a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dedupe store unavailable: {message}")]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// An error with a short description (no credentials, no request data).
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }
}

/// Where reservations and handled keys live.
///
/// Every operation is atomic with respect to the key. Keys are short printable strings built by
/// [`Dedupe`] (`<namespace>:<provider>:<event id>`); values are the store's business.
pub trait DedupeStore: Send + Sync + 'static {
    /// Reserves `key` for `token` during `lease`, unless it is in flight (with a live lease) or
    /// done. An expired lease counts as free.
    fn reserve<'a>(
        &'a self,
        key: &'a str,
        token: Token,
        lease: Duration,
    ) -> StoreFuture<'a, Reserve>;

    /// Marks `key` done for `retention`, if `token` still holds it or nobody does. Returns
    /// `false` if another holder has it now (our lease expired and it was taken over).
    fn commit<'a>(
        &'a self,
        key: &'a str,
        token: Token,
        retention: Duration,
    ) -> StoreFuture<'a, bool>;

    /// Frees `key` if (and only if) `token` still holds it.
    fn release<'a>(&'a self, key: &'a str, token: Token) -> StoreFuture<'a, ()>;
}

/// What a delivery is keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeyBy {
    /// The provider's event id (the default). Deliveries without one pass through unreserved.
    #[default]
    EventId,
    /// The event id, or for a delivery without one, its signature. (A plain shared token, such
    /// as GitLab's `X-Gitlab-Token`, signs nothing: such deliveries have no signature to key on.)
    EventIdOrSignature,
    /// The signature: the same signed bytes are handled once. Use it for providers whose id
    /// header is not signed (GitHub, Shopify) when replays of captured deliveries matter more
    /// than two legitimate deliveries with byte-identical payloads.
    Signature,
}

/// Idempotency for one endpoint: a store and its settings. Cheap to clone; build it once.
#[derive(Clone)]
pub struct Dedupe {
    inner: Arc<Settings>,
}

struct Settings {
    store: Arc<dyn DedupeStore>,
    /// The same store when it is a [`MemoryStore`]: asked directly, with no boxed future per
    /// call, and the key hashed once per delivery instead of once per call.
    memory: Option<MemoryStore>,
    namespace: Box<str>,
    lease: Duration,
    retention: Duration,
    duplicate_status: u16,
    fail_open: bool,
    key_by: KeyBy,
}

impl fmt::Debug for Dedupe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &*self.inner;
        f.debug_struct("Dedupe")
            .field("namespace", &s.namespace)
            .field("lease", &s.lease)
            .field("retention", &s.retention)
            .field("duplicate_status", &s.duplicate_status)
            .field("fail_open", &s.fail_open)
            .field("key_by", &s.key_by)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Dedupe`]; see [`Dedupe::builder`].
#[must_use = "call .build() to get a Dedupe"]
pub struct DedupeBuilder {
    store: Arc<dyn DedupeStore>,
    memory: Option<MemoryStore>,
    namespace: String,
    lease: Duration,
    retention: Duration,
    duplicate_status: u16,
    fail_open: bool,
    key_by: KeyBy,
}

impl fmt::Debug for DedupeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DedupeBuilder")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl DedupeBuilder {
    /// Separates this endpoint's keys from others' in a shared store, e.g. `"billing"`.
    /// Default: empty (keys are still separated by provider). Use one per endpoint when the
    /// same provider posts to several endpoints that share a store. Printable ASCII, no `:`.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// How long a reservation holds while the handler runs (default 60 s). Longer than your
    /// slowest handler; after it, a crashed or stuck attempt no longer blocks retries.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long a handled delivery's key is kept (default 72 h): at least as long as the
    /// provider retries.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The status answered to a duplicate of a handled delivery (default 200). Must be 2xx, so
    /// that the provider stops retrying.
    pub fn duplicate_status(mut self, status: u16) -> Self {
        self.duplicate_status = status;
        self
    }

    /// What deliveries are keyed on (default: [`KeyBy::EventId`]).
    pub fn key_by(mut self, key_by: KeyBy) -> Self {
        self.key_by = key_by;
        self
    }

    /// **Gives up exactly-once when the store is down**: instead of `503`, deliveries are
    /// handled without a reservation while the store cannot be reached (logged as a warning).
    /// Off by default.
    pub fn fail_open(mut self) -> Self {
        self.fail_open = true;
        self
    }

    /// Checks the settings.
    pub fn build(self) -> Result<Dedupe, ConfigError> {
        if self.lease < Duration::from_millis(1) || self.retention < self.lease {
            return Err(ConfigError::InvalidDedupeTiming);
        }
        if !(200..300).contains(&self.duplicate_status) {
            return Err(ConfigError::InvalidDuplicateStatus(self.duplicate_status));
        }
        if !self
            .namespace
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b':')
        {
            return Err(ConfigError::InvalidNamespace);
        }
        Ok(self.finish())
    }

    fn finish(self) -> Dedupe {
        Dedupe {
            inner: Arc::new(Settings {
                store: self.store,
                memory: self.memory,
                namespace: self.namespace.into_boxed_str(),
                lease: self.lease,
                retention: self.retention,
                duplicate_status: self.duplicate_status,
                fail_open: self.fail_open,
                key_by: self.key_by,
            }),
        }
    }
}

/// What the guard does with a verified delivery once the store has been asked.
pub(crate) enum Gate<'a> {
    /// Call the handler; settle the reservation (if any) with its status.
    Open(Option<Reservation<'a>>),
    /// Already handled: answer with this 2xx status, do not call the handler.
    Duplicate(u16),
    /// In flight, or the store is down.
    Refused(VerifyError),
}

impl Dedupe {
    /// Starts a configuration around `store` (any [`DedupeStore`]; clone a store handle to
    /// share it between endpoints).
    pub fn builder(store: impl DedupeStore) -> DedupeBuilder {
        let memory = (&store as &dyn std::any::Any)
            .downcast_ref::<MemoryStore>()
            .cloned();
        DedupeBuilder {
            memory,
            ..Dedupe::builder_arc(Arc::new(store))
        }
    }

    /// [`Dedupe::builder`] for a store that is already shared. Every store given here is asked
    /// through its [`DedupeStore`] futures; a [`MemoryStore`] given to [`Dedupe::builder`] or
    /// [`Dedupe::new`] (share it by cloning it: clones share one store) is asked directly,
    /// which saves a boxed future per call.
    pub fn builder_arc(store: Arc<dyn DedupeStore>) -> DedupeBuilder {
        DedupeBuilder {
            store,
            memory: None,
            namespace: String::new(),
            lease: DEFAULT_LEASE,
            retention: DEFAULT_RETENTION,
            duplicate_status: 200,
            fail_open: false,
            key_by: KeyBy::EventId,
        }
    }

    /// The default configuration around `store` (see [`DedupeBuilder`] for each default).
    pub fn new(store: impl DedupeStore) -> Dedupe {
        // The defaults satisfy every check of `build`.
        Dedupe::builder(store).finish()
    }

    /// The store key of a verified delivery, or `None` if it carries nothing to key on.
    pub fn key_for(&self, verified: &Verified) -> Option<String> {
        let (namespace, provider, kind, id) = self.key_parts(verified)?;
        // Every part is UTF-8 (ids are checked when they are read): the check cannot fail.
        let id = std::str::from_utf8(&id).ok()?;
        // One allocation: `<namespace>:<provider>:<kind>:<id>`.
        let mut key =
            String::with_capacity(namespace.len() + provider.len() + kind.len() + id.len() + 3);
        for (i, part) in [namespace, provider, kind, id].into_iter().enumerate() {
            if i > 0 {
                key.push(':');
            }
            key.push_str(part);
        }
        Some(key)
    }

    /// The four parts of [`key_for`](Self::key_for)'s key: namespace, provider, kind, and the
    /// id's bytes.
    fn key_parts<'v>(
        &'v self,
        verified: &'v Verified,
    ) -> Option<(&'v str, &'v str, &'static str, Cow<'v, [u8]>)> {
        let s = &*self.inner;
        let fingerprint = || verified.fingerprint_hex().map(String::into_bytes);
        let (kind, id): (&str, Cow<'_, [u8]>) = match s.key_by {
            KeyBy::EventId => ("id", verified.event_id_bytes()?.into()),
            KeyBy::EventIdOrSignature => match verified.event_id_bytes() {
                Some(id) => ("id", id.into()),
                None => ("sig", fingerprint()?.into()),
            },
            KeyBy::Signature => ("sig", fingerprint()?.into()),
        };
        Some((&s.namespace, verified.provider().name(), kind, id))
    }

    /// The memory store's digest of [`key_for`](Self::key_for)'s key, composed on the stack
    /// (no allocation) when it fits, as it does for every provider's ids.
    fn memory_digest(&self, memory: &MemoryStore, verified: &Verified) -> Option<Digest> {
        let (namespace, provider, kind, id) = self.key_parts(verified)?;
        let mut buf = [0u8; KEY_ON_STACK];
        let mut len = 0;
        let parts: [&[u8]; 4] = [
            namespace.as_bytes(),
            provider.as_bytes(),
            kind.as_bytes(),
            &id,
        ];
        for (i, part) in parts.into_iter().enumerate() {
            let sep: &[u8] = if i > 0 { b":" } else { b"" };
            for piece in [sep, part] {
                match buf.get_mut(len..len + piece.len()) {
                    Some(to) => to.copy_from_slice(piece),
                    None => return self.key_for(verified).map(|k| memory.digest(&k)),
                }
                len += piece.len();
            }
        }
        Some(memory.digest_bytes(buf.get(..len).unwrap_or_default()))
    }

    /// Reserves the delivery in a store other than the [`MemoryStore`] (through the store's
    /// future), or says why the handler must not run.
    async fn reserve_later<'d>(&'d self, verified: &Verified) -> Gate<'d> {
        let s = &*self.inner;
        let token = Token::fresh();
        let Some(key) = self.key_for(verified) else {
            return Self::not_keyed(verified);
        };
        let answer = s.store.reserve(&key, token, s.lease).await;
        self.gate(answer, verified, key, None, token)
    }

    /// Reserves the delivery in the memory store, which answers at once, or says why the
    /// handler must not run. It keeps only the key's hash: the text is never built on the heap.
    fn admit_memory(&self, memory: &MemoryStore, verified: &Verified) -> Gate<'_> {
        let token = Token::fresh();
        let Some(digest) = self.memory_digest(memory, verified) else {
            return Self::not_keyed(verified);
        };
        let answer = memory.reserve_digest(&digest, token, self.inner.lease);
        self.gate(Ok(answer), verified, String::new(), Some(digest), token)
    }

    /// A delivery with nothing to key on goes through undeduplicated.
    fn not_keyed<'d>(verified: &Verified) -> Gate<'d> {
        tracing::debug!(provider = %verified.provider(), "no event id: not deduplicated");
        Gate::Open(None)
    }

    /// What the store's answer to a reservation means for the delivery.
    fn gate(
        &self,
        answer: Result<Reserve, StoreError>,
        verified: &Verified,
        key: String,
        digest: Option<Digest>,
        token: Token,
    ) -> Gate<'_> {
        match answer {
            Ok(Reserve::Reserved) => Gate::Open(Some(Reservation {
                dedupe: self,
                key,
                digest,
                token,
                settled: false,
            })),
            Ok(Reserve::InFlight { retry_after }) => Self::in_flight(retry_after, verified),
            Ok(Reserve::Done) => self.duplicate(verified),
            Err(e) => self.store_failed(e),
        }
    }

    // `gate`'s answers other than a reservation, out of line (`#[cold]`): their logging
    // would otherwise sit in the code that every new delivery runs, with that code cold in the
    // instruction cache (BENCHMARKS.md, section 5, eighteenth pass).

    /// A duplicate whose first delivery is still being handled.
    #[cold]
    #[inline(never)]
    fn in_flight<'d>(retry_after: Duration, verified: &Verified) -> Gate<'d> {
        tracing::debug!(provider = %verified.provider(), "duplicate in flight");
        let secs = u32::try_from(retry_after.as_secs().saturating_add(1)).unwrap_or(u32::MAX);
        Gate::Refused(VerifyError::from_kind(ErrorKind::DeliveryInFlight).with_retry_after(secs))
    }

    /// A duplicate of a handled delivery.
    #[cold]
    #[inline(never)]
    fn duplicate(&self, verified: &Verified) -> Gate<'_> {
        tracing::debug!(provider = %verified.provider(), "duplicate of a handled delivery");
        Gate::Duplicate(self.inner.duplicate_status)
    }

    /// The store did not answer.
    #[cold]
    #[inline(never)]
    fn store_failed(&self, e: StoreError) -> Gate<'_> {
        if self.inner.fail_open {
            tracing::warn!(error = %e, "dedupe store unavailable; failing open as configured");
            return Gate::Open(None);
        }
        tracing::warn!(error = %e, "dedupe store unavailable; answering 503");
        Gate::Refused(VerifyError::from_kind(ErrorKind::StoreUnavailable).with_retry_after(5))
    }
}

/// What an adapter with dedupe does with a verified delivery: reserve it, or learn why the
/// handler must not run. At once for a [`MemoryStore`] ([`gate_now`], which the adapters call
/// first, with no future), through the store's future for others. Without dedupe an adapter
/// does not ask (nothing to wait for).
pub(crate) async fn gate<'d>(dedupe: &'d Dedupe, verified: &Verified) -> Gate<'d> {
    match gate_now(dedupe, verified) {
        Some(gate) => gate,
        // Boxed: the adapters' request futures hold this one, and the memory store's path
        // should not pay for the room another store's future takes.
        None => Box::pin(dedupe.reserve_later(verified)).await,
    }
}

/// [`gate`] when the store answers at once (the memory store), without a future; `None` for
/// any other store (then [`gate`]).
pub(crate) fn gate_now<'d>(dedupe: &'d Dedupe, verified: &Verified) -> Option<Gate<'d>> {
    let memory = dedupe.inner.memory.as_ref()?;
    Some(dedupe.admit_memory(memory, verified))
}

/// A settlement that needs the store's future: await it.
pub(crate) type Settling<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Keys up to this many bytes are composed on the stack for the memory store's hash (every
/// provider's ids fit); longer ones are built as a `String` first.
const KEY_ON_STACK: usize = 256;

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Settles a reservation with the handler's status: commit on 2xx, release otherwise. A
/// [`MemoryStore`] settles at once (`None`); other stores return the future to await.
pub(crate) fn settle(reservation: Option<Reservation<'_>>, status: u16) -> Option<Settling<'_>> {
    let mut r = reservation?;
    let success = (200..300).contains(&status);
    match r.settle_now(success) {
        Some(Ok(())) => None,
        Some(done) => {
            log_settled(done, success);
            None
        }
        None => settle_later(r, success),
    }
}

/// [`settle`] with a store that answers later: out of line (`#[cold]`), away from the memory
/// store's path.
#[cold]
#[inline(never)]
fn settle_later(r: Reservation<'_>, success: bool) -> Option<Settling<'_>> {
    Some(Box::pin(async move {
        let done = match success {
            true => r.commit().await,
            false => r.release().await,
        };
        log_settled(done, success);
    }))
}

#[cold]
#[inline(never)]
fn log_settled(done: Result<(), StoreError>, success: bool) {
    match (done, success) {
        (Ok(()), _) => {}
        // The handler's effect happened; a retry after the lease will run it again.
        (Err(e), true) => tracing::warn!(error = %e, "could not commit a handled delivery"),
        (Err(e), false) => tracing::warn!(
            error = %e,
            "could not release a failed delivery; its lease will expire"
        ),
    }
}

/// A commit that found another holder: our lease ran out and the delivery was taken over.
fn taken_over() -> StoreError {
    StoreError::new("the reservation expired and was taken over before the commit")
}

/// A reserved delivery. Commit it when the handler succeeded; if it is dropped unsettled (the
/// handler failed, panicked, or the request was abandoned), it is released in the background.
pub struct Reservation<'a> {
    /// Borrowed from the layer's configuration, which the request future holds: no
    /// reference count per delivery.
    dedupe: &'a Dedupe,
    /// The store key (empty for the memory store, which is given only its hash, `digest`).
    key: String,
    /// The memory store's hash of `key`, taken at the reservation (`None` for other stores).
    digest: Option<Digest>,
    token: Token,
    settled: bool,
}

impl fmt::Debug for Reservation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reservation")
            .field("key", &self.key)
            .field("settled", &self.settled)
            .finish_non_exhaustive()
    }
}

impl Reservation<'_> {
    /// The store key ([`Dedupe::key_for`]); empty for a [`MemoryStore`], which keeps only its
    /// hash.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Commits (`success`) or releases at once, if the store is the memory store.
    fn settle_now(&mut self, success: bool) -> Option<Result<(), StoreError>> {
        let s = &*self.dedupe.inner;
        let (memory, digest) = (s.memory.as_ref()?, self.digest.as_ref()?);
        self.settled = true;
        if !success {
            memory.release_digest(digest, self.token);
            return Some(Ok(()));
        }
        Some(
            match memory.commit_digest(digest, self.token, s.retention) {
                true => Ok(()),
                false => Err(taken_over()),
            },
        )
    }

    /// Marks the delivery handled for the retention time.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if let Some(done) = self.settle_now(true) {
            return done;
        }
        self.settled = true;
        let s = &*self.dedupe.inner;
        match s.store.commit(&self.key, self.token, s.retention).await? {
            true => Ok(()),
            false => Err(taken_over()),
        }
    }

    /// Frees the key so that a retry is handled.
    pub async fn release(mut self) -> Result<(), StoreError> {
        if let Some(done) = self.settle_now(false) {
            return done;
        }
        self.settled = true;
        self.dedupe.inner.store.release(&self.key, self.token).await
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if self.settled || self.settle_now(false).is_some() {
            return;
        }
        self.release_later();
    }
}

impl Reservation<'_> {
    /// [`Drop`] of an unsettled reservation with a store that answers later: out of line
    /// (`#[cold]`), away from the memory store's path.
    #[cold]
    #[inline(never)]
    fn release_later(&mut self) {
        let store = self.dedupe.inner.store.clone();
        let key = std::mem::take(&mut self.key);
        let token = self.token;
        let mut release = Box::pin(async move {
            if let Err(e) = store.release(&key, token).await {
                tracing::warn!(error = %e, "could not release an abandoned delivery; its lease will expire");
            }
        });
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no runtime to release an abandoned delivery; its lease will expire");
            return;
        };
        // Poll once here, inside the runtime: a store that answers at once releases at once,
        // so a retry that follows immediately is handled. A store that needs I/O finishes on
        // the runtime.
        let _entered = handle.enter();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        if release.as_mut().poll(&mut cx).is_pending() {
            handle.spawn(release);
        }
    }
}
