//! [`MemoryStore`]: a bounded in-process store on `quick_cache`.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, Lifecycle, OptionsBuilder, UnitWeighter};
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use super::{millis, DedupeStore, Reserve, StoreError, StoreFuture, Token};

/// Default bound on the number of keys: 100 000.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// A store key: a 128-bit keyed hash of the text key (fixed size, no allocation per entry).
/// Two independent hashes with random per-process seeds: nobody outside the process knows the
/// seeds, so nobody can aim for a collision, and a chance one would need about 2^64 keys.
type Key = [u8; 16];

/// A text key as the memory store holds it ([`MemoryStore::digest`]): a reservation keeps it, so
/// that its commit or release does not hash the text again.
pub(crate) type Digest = Key;

/// Hashes the cache's keys for its shards and tables. They are already keyed hashes with
/// random seeds, so their own bits serve: no second hash of the 16 bytes on every look-up.
#[derive(Clone, Copy, Default)]
struct DigestHash;

impl BuildHasher for DigestHash {
    type Hasher = DigestHasher;

    fn build_hasher(&self) -> DigestHasher {
        DigestHasher(0)
    }
}

/// See [`DigestHash`]: keeps the first eight bytes written (a [`Key`]'s foldhash half).
struct DigestHasher(u64);

impl std::hash::Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut word = [0u8; 8];
        for (w, b) in word.iter_mut().zip(bytes) {
            *w = *b;
        }
        // Anything written before (the array's length) is mixed in, never the only input.
        self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word);
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = self.0.rotate_left(5) ^ n as u64;
    }
}

/// One entry: 16 bytes.
#[derive(Clone, Copy)]
struct Slot {
    /// Milliseconds since the store's epoch at which the lease or the retention ends.
    until_ms: u64,
    /// The holder's token, or 0 once committed.
    holder: u64,
}

impl Slot {
    fn committed(self) -> bool {
        self.holder == 0
    }
}

#[derive(Clone)]
struct Life {
    /// [`crate::clock::monotonic_ms`] when the store was built.
    epoch_ms: u64,
    evicted: Arc<AtomicU64>,
}

impl Life {
    /// Milliseconds since the store was built, on the coarse monotonic clock (`src/clock.rs`:
    /// ~2 ns a read on Linux instead of ~23 ns for `Instant`; it may lag by one kernel tick).
    fn now_ms(&self) -> u64 {
        crate::clock::monotonic_ms().saturating_sub(self.epoch_ms)
    }
}

impl Lifecycle<Key, Slot> for Life {
    type RequestState = ();

    /// A live reservation is never evicted: evicting it would let a duplicate in while the
    /// first attempt is still running.
    fn is_pinned(&self, _key: &Key, slot: &Slot) -> bool {
        !slot.committed() && slot.until_ms > self.now_ms()
    }

    fn on_evict(&self, _state: &mut (), _key: Key, slot: Slot) {
        if slot.committed() && slot.until_ms > self.now_ms() {
            let n = self.evicted.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(
                    evicted = n,
                    "dedupe memory store full: evicting handled keys before their retention ends"
                );
            }
        }
    }
}

/// The in-memory dedupe store: bounded, with TTL expiry, shared by every clone.
///
/// - At most `max_entries` keys (default 100 000). When it is full of handled keys, the oldest
///   go first (first reserved, first evicted), and each early eviction is counted
///   ([`MemoryStore::evicted`]) and logged.
/// - A reservation whose lease is live is **never** evicted, even when the store is full.
/// - Leases and retention expire by time (the coarse monotonic clock on Linux: a few
///   milliseconds of resolution); an expired key is free again.
/// - One process only: with several replicas, use `RedisStore`. In actix-web, build it once
///   outside `HttpServer::new` and clone it into every worker.
///
/// About 60 bytes of memory per retained key (`cargo run --release --example
/// dedupe_footprint`; BENCHMARKS.md).
///
/// ```
/// use webhook_guard::dedupe::{DedupeStore, MemoryStore, Reserve, Token};
/// use std::time::Duration;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryStore::new(1000);
/// let lease = Duration::from_secs(60);
/// let t1 = Token::fresh();
/// assert_eq!(store.reserve("k", t1, lease).await?, Reserve::Reserved);
/// assert!(matches!(store.reserve("k", Token::fresh(), lease).await?, Reserve::InFlight { .. }));
/// assert!(store.commit("k", t1, Duration::from_secs(3600)).await?);
/// assert_eq!(store.reserve("k", Token::fresh(), lease).await?, Reserve::Done);
/// # Ok::<(), webhook_guard::dedupe::StoreError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

/// Locks striping the key space: a reservation's look-up and insert happen under one.
const STRIPES: usize = 64;

struct Inner {
    cache: Cache<Key, Slot, UnitWeighter, DigestHash, Life>,
    hasher: KeyHasher,
    stripes: Box<[std::sync::Mutex<()>]>,
    fallback_stripe: std::sync::Mutex<()>,
    life: Life,
    max_entries: usize,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("len", &self.len())
            .field("max_entries", &self.inner.max_entries)
            .field("evicted", &self.evicted())
            .finish()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(DEFAULT_MAX_ENTRIES)
    }
}

/// Hashes text keys into [`Key`]s: SipHash-1-3 and foldhash, each with its own random seed.
struct KeyHasher(RandomState, DefaultHashBuilder);

impl KeyHasher {
    fn new() -> Self {
        KeyHasher(RandomState::new(), DefaultHashBuilder::default())
    }

    fn digest(&self, key: &str) -> Key {
        let high = self.0.hash_one(key.as_bytes());
        let low = self.1.hash_one(key.as_bytes());
        ((u128::from(high) << 64) | u128::from(low)).to_le_bytes()
    }
}

/// The low half of a token; never 0, which marks a committed slot.
fn holder(token: Token) -> u64 {
    (token.get() as u64).max(1)
}

impl MemoryStore {
    /// A store keeping at most `max_entries` keys (at least 1).
    pub fn new(max_entries: usize) -> Self {
        let max_entries = max_entries.max(1);
        let life = Life {
            epoch_ms: crate::clock::monotonic_ms(),
            evicted: Arc::new(AtomicU64::new(0)),
        };
        // A dedupe store wants first in, first out: keys are never looked up because they are
        // popular, and a delivery's key is as worth keeping as the next one's. So every key
        // enters quick_cache's cold ring and none is ever marked as referenced (`peek` and soft
        // `replace` below, never `get`): eviction takes the oldest key at the head of that ring,
        // skipping live reservations (pinned). The hot ring is held at its minimum (one key per
        // shard) and no ghosts of evicted keys are kept. With its default policy (97 % hot, the
        // commit's `get` and `insert` marking every key referenced twice) quick_cache promoted
        // every committed key to the hot ring before it could evict it and scanned that ring on
        // every insert into a full store: 2.5 % of an HTTP server's time under load.
        let options = OptionsBuilder::new()
            .estimated_items_capacity(max_entries)
            .weight_capacity(max_entries as u64)
            .hot_allocation(0.0)
            .ghost_allocation(0.0)
            .build();
        let cache = match options {
            Ok(options) => Cache::with_options(options, UnitWeighter, DigestHash, life.clone()),
            // Not reachable (every option above is in range); the default policy still works.
            Err(_) => Cache::with(
                max_entries,
                max_entries as u64,
                UnitWeighter,
                DigestHash,
                life.clone(),
            ),
        };
        MemoryStore {
            inner: Arc::new(Inner {
                cache,
                hasher: KeyHasher::new(),
                stripes: (0..STRIPES).map(|_| std::sync::Mutex::new(())).collect(),
                fallback_stripe: std::sync::Mutex::new(()),
                life,
                max_entries,
            }),
        }
    }

    /// Keys held now (reservations and handled keys, including expired ones not yet reused).
    pub fn len(&self) -> usize {
        self.inner.cache.len()
    }

    /// `true` if no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bound given to [`MemoryStore::new`].
    pub fn max_entries(&self) -> usize {
        self.inner.max_entries
    }

    /// Handled keys evicted before their retention ended because the store was full: each is a
    /// delivery whose late duplicate would be handled again. Size the store so this stays 0.
    pub fn evicted(&self) -> u64 {
        self.inner.life.evicted.load(Ordering::Relaxed)
    }

    /// The lock that makes a look-up and the insert that follows atomic for keys like `key`.
    fn stripe(&self, key: &Key) -> std::sync::MutexGuard<'_, ()> {
        let index = usize::from(key[0]) % STRIPES;
        self.inner
            .stripes
            .get(index)
            .unwrap_or(&self.inner.fallback_stripe)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The store's hash of a text key.
    pub(crate) fn digest(&self, key: &str) -> Digest {
        self.inner.hasher.digest(key)
    }

    fn reserve_now(&self, key: &str, token: Token, lease: Duration) -> Reserve {
        self.reserve_digest(&self.digest(key), token, lease)
    }

    fn commit_now(&self, key: &str, token: Token, retention: Duration) -> bool {
        self.commit_digest(&self.digest(key), token, retention)
    }

    fn release_now(&self, key: &str, token: Token) {
        self.release_digest(&self.digest(key), token);
    }

    /// [`DedupeStore::reserve`] of the key whose [`digest`](Self::digest) is `key`.
    pub(crate) fn reserve_digest(&self, key: &Digest, token: Token, lease: Duration) -> Reserve {
        let now = self.inner.life.now_ms();
        let _stripe = self.stripe(key);
        match self.inner.cache.peek(key) {
            Some(old) if old.until_ms > now && old.committed() => Reserve::Done,
            Some(old) if old.until_ms > now => Reserve::InFlight {
                retry_after: Duration::from_millis(old.until_ms - now),
            },
            // Free, or its lease or retention has run out.
            expired => {
                let slot = Slot {
                    until_ms: now.saturating_add(millis(lease)),
                    holder: holder(token),
                };
                if expired.is_some() {
                    // A new attempt: to the back of the eviction order, like a new key.
                    self.inner.cache.remove(key);
                }
                self.inner.cache.insert(*key, slot);
                Reserve::Reserved
            }
        }
    }

    /// [`DedupeStore::commit`] of the key whose [`digest`](Self::digest) is `key`.
    pub(crate) fn commit_digest(&self, key: &Digest, token: Token, retention: Duration) -> bool {
        let now = self.inner.life.now_ms();
        let _stripe = self.stripe(key);
        let done = Slot {
            until_ms: now.saturating_add(millis(retention)),
            holder: 0,
        };
        match self.inner.cache.peek(key) {
            // Ours, or nobody's any more (our lease ran out and nobody took over, or the entry
            // was evicted after its lease expired): record the delivery.
            Some(old)
                if old.holder == holder(token) || (old.until_ms <= now && !old.committed()) =>
            {
                self.put(key, done);
                true
            }
            None => {
                self.inner.cache.insert(*key, done);
                true
            }
            // Another holder took over after our lease expired; or it is already done.
            Some(old) => old.committed() && old.until_ms > now,
        }
    }

    /// Stores `slot` under `key` without marking the key as referenced (see [`MemoryStore::new`]):
    /// a soft replace of a resident key keeps its place in the eviction order; a new key (or
    /// one evicted meanwhile) is inserted at the back.
    fn put(&self, key: &Digest, slot: Slot) {
        if let Err((key, slot)) = self.inner.cache.replace(*key, slot, true) {
            self.inner.cache.insert(key, slot);
        }
    }

    /// [`DedupeStore::release`] of the key whose [`digest`](Self::digest) is `key`.
    pub(crate) fn release_digest(&self, key: &Digest, token: Token) {
        let mine = holder(token);
        let _stripe = self.stripe(key);
        self.inner.cache.remove_if(key, |slot| slot.holder == mine);
    }
}

impl DedupeStore for MemoryStore {
    fn reserve<'a>(
        &'a self,
        key: &'a str,
        token: Token,
        lease: Duration,
    ) -> StoreFuture<'a, Reserve> {
        let answer = self.reserve_now(key, token, lease);
        Box::pin(std::future::ready(Ok(answer)))
    }

    fn commit<'a>(
        &'a self,
        key: &'a str,
        token: Token,
        retention: Duration,
    ) -> StoreFuture<'a, bool> {
        let answer = self.commit_now(key, token, retention);
        Box::pin(std::future::ready(Ok(answer)))
    }

    fn release<'a>(&'a self, key: &'a str, token: Token) -> StoreFuture<'a, ()> {
        self.release_now(key, token);
        Box::pin(std::future::ready(Ok::<(), StoreError>(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(60);
    const KEEP: Duration = Duration::from_secs(3600);

    #[test]
    fn reserve_commit_release_cycle() {
        let store = MemoryStore::new(10);
        let (a, b) = (Token::fresh(), Token::fresh());
        assert_eq!(store.reserve_now("k", a, LEASE), Reserve::Reserved);
        assert!(matches!(
            store.reserve_now("k", b, LEASE),
            Reserve::InFlight { .. }
        ));
        // A release by someone who does not hold it changes nothing.
        store.release_now("k", b);
        assert!(matches!(
            store.reserve_now("k", b, LEASE),
            Reserve::InFlight { .. }
        ));
        store.release_now("k", a);
        assert_eq!(store.reserve_now("k", b, LEASE), Reserve::Reserved);
        assert!(store.commit_now("k", b, KEEP));
        assert_eq!(store.reserve_now("k", a, LEASE), Reserve::Done);
        // A late release by the committer does not undo the commit.
        store.release_now("k", b);
        assert_eq!(store.reserve_now("k", a, LEASE), Reserve::Done);
    }

    #[test]
    fn expired_leases_and_retention_free_the_key() {
        let store = MemoryStore::new(10);
        let a = Token::fresh();
        assert_eq!(
            store.reserve_now("k", a, Duration::from_millis(1)),
            Reserve::Reserved
        );
        // Longer than one tick of the coarse clock (up to 10 ms) plus the lease.
        std::thread::sleep(Duration::from_millis(25));
        let b = Token::fresh();
        assert_eq!(store.reserve_now("k", b, LEASE), Reserve::Reserved);
        // The first holder, back after its lease, can neither commit nor release b's hold.
        assert!(!store.commit_now("k", a, KEEP));
        store.release_now("k", a);
        assert!(matches!(
            store.reserve_now("k", a, LEASE),
            Reserve::InFlight { .. }
        ));
        assert!(store.commit_now("k", b, Duration::from_millis(1)));
        std::thread::sleep(Duration::from_millis(25));
        assert_eq!(store.reserve_now("k", a, LEASE), Reserve::Reserved);
    }

    #[test]
    fn a_digest_stands_for_its_text_key() {
        let store = MemoryStore::new(10);
        let (a, b) = (Token::fresh(), Token::fresh());
        let k = store.digest("ns:github:id:1");
        assert_eq!(k, store.digest("ns:github:id:1"));
        assert_ne!(k, store.digest("ns:github:id:2"));
        assert_eq!(store.reserve_digest(&k, a, LEASE), Reserve::Reserved);
        assert!(matches!(
            store.reserve_now("ns:github:id:1", b, LEASE),
            Reserve::InFlight { .. }
        ));
        store.release_digest(&k, a);
        assert_eq!(
            store.reserve_now("ns:github:id:1", b, LEASE),
            Reserve::Reserved
        );
        assert!(store.commit_digest(&k, b, KEEP));
        assert_eq!(store.reserve_digest(&k, a, LEASE), Reserve::Done);
        assert_eq!(
            store.reserve_now("ns:github:id:2", a, LEASE),
            Reserve::Reserved
        );
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn a_full_store_evicts_its_oldest_keys_first() {
        const BOUND: usize = 4096;
        let store = MemoryStore::new(BOUND);
        let handle = |i: usize| {
            let t = Token::fresh();
            let key = format!("ns:github:id:{i}");
            assert_eq!(store.reserve_now(&key, t, LEASE), Reserve::Reserved, "{i}");
            assert!(store.commit_now(&key, t, KEEP), "{i}");
        };
        // Three times the bound, each key also seen again (a duplicate) right after its commit,
        // which must not make old keys outlive newer ones.
        for i in 0..3 * BOUND {
            handle(i);
            let again = store.reserve_now(&format!("ns:github:id:{i}"), Token::fresh(), LEASE);
            assert_eq!(again, Reserve::Done, "{i}");
        }
        assert!(store.len() <= BOUND, "{} keys", store.len());
        let done = |range: std::ops::Range<usize>| {
            range
                .filter(|i| {
                    let key = format!("ns:github:id:{i}");
                    store.inner.cache.peek(&store.digest(&key)).is_some()
                })
                .count()
        };
        // Each shard evicts first in, first out: the newest quarter is all there (a quarter, so
        // that no shard gets more than it holds even on a many-core machine, where the store
        // has more, smaller shards), the oldest third gone (but for the one key per shard that
        // quick_cache keeps in its hot ring).
        assert_eq!(done(3 * BOUND - BOUND / 4..3 * BOUND), BOUND / 4);
        assert!(done(0..BOUND) <= store.inner.cache.num_shards());
        assert_eq!(store.evicted(), (3 * BOUND - store.len()) as u64);
    }

    #[test]
    fn digests_spread_over_the_cache_shards() {
        let store = MemoryStore::new(100_000);
        let shards = store.inner.cache.num_shards();
        let mut used = std::collections::HashSet::new();
        for i in 0..4 * shards {
            let k = store.digest(&format!("::github:id:{i}"));
            used.insert(store.inner.cache.shard_index(&k));
        }
        assert!(shards > 1, "{shards} shards");
        assert!(
            used.len() * 4 >= shards * 3,
            "{} of {shards} shards used",
            used.len()
        );
    }
}
