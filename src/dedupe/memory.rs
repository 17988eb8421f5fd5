//! [`MemoryStore`]: a bounded in-process store. Per shard: the handled keys in a first-in,
//! first-out ring with an open-addressing index, and the reservations in flight in a short list
//! (a hash map past a few).

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::{millis, DedupeStore, Reserve, StoreError, StoreFuture, Token};

/// Default bound on the number of keys: 100 000.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// A store key: a 128-bit keyed hash of the text key (fixed size, no allocation per entry).
/// Two independent hashes with random per-process seeds: nobody outside the process knows the
/// seeds, so nobody can aim for a collision, and a chance one would need about 2^64 keys.
/// Bytes 0..8 are the foldhash half, 8..16 the SipHash half (which places the key: its shard
/// and its index slot).
type Key = [u8; 16];

/// A text key as the memory store holds it ([`MemoryStore::digest`]): a reservation keeps it, so
/// that its commit or release does not hash the text again.
pub(crate) type Digest = Key;

/// Hashes text keys into [`Key`]s: SipHash-1-3 and foldhash, each with its own random seed.
struct KeyHasher(RandomState, foldhash::fast::RandomState);

impl KeyHasher {
    fn new() -> Self {
        KeyHasher(RandomState::new(), foldhash::fast::RandomState::default())
    }

    /// Both hashes of the key's bytes alone, without `Hash for [u8]`'s length prefix (an extra
    /// SipHash block): SipHash folds the message length into its last block itself.
    fn digest(&self, key: &[u8]) -> Key {
        let mut sip = self.0.build_hasher();
        sip.write(key);
        let mut fold = self.1.build_hasher();
        fold.write(key);
        ((u128::from(sip.finish()) << 64) | u128::from(fold.finish())).to_le_bytes()
    }
}

/// Hashes the keys of [`Flights`]' map by their own bits: they are already keyed hashes with
/// random seeds.
#[derive(Clone, Copy, Default)]
struct DigestHash;

impl BuildHasher for DigestHash {
    type Hasher = DigestHasher;

    fn build_hasher(&self) -> DigestHasher {
        DigestHasher(0)
    }
}

/// See [`DigestHash`]: folds in the first eight bytes of each write.
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

/// The SipHash bits that place a key in its shard's index (and, one byte of them, pick the
/// shard).
fn home(key: &Key) -> u32 {
    let [_, _, _, _, _, _, _, _, a, b, c, d, ..] = *key;
    u32::from_le_bytes([a, b, c, d])
}

/// Which shard holds `key`, of `shards`: one byte of its SipHash half scaled to the count (a
/// multiply and a shift, where `%` was a division on the way to the lock).
fn shard_of(key: &Key, shards: usize) -> usize {
    let [.., last] = *key;
    (usize::from(last) * shards) >> 8
}

/// The low half of a token; never 0.
fn holder(token: Token) -> u64 {
    (token.get() as u64).max(1)
}

/// A reservation in flight.
#[derive(Clone, Copy)]
struct Flight {
    /// Milliseconds since the store's epoch at which the lease ends.
    until_ms: u64,
    holder: u64,
    /// The index slot held for the key since the reservation, if the key was not in the
    /// ring then ([`Shard::hold`]).
    spot: Option<Spot>,
}

/// An index slot held for a reserved key, valid while the index is the one it was taken in.
#[derive(Clone, Copy)]
struct Spot {
    bucket: u32,
    slot: u8,
    build: u32,
}

/// Reservations in flight in one shard: as many as the shard's requests being handled, so
/// almost always a few. Up to [`FEW`] of them are a list scanned in order (a look-up compares
/// a few 16-byte keys, where a hash map probes, and grows or shrinks its table); past that
/// (slow handlers, many requests at once) they spill over into a hash map. A key is in one of
/// the two at most.
#[derive(Default)]
struct Flights {
    few: Vec<(Key, Flight)>,
    many: HashMap<Key, Flight, DigestHash>,
}

/// Reservations in flight kept in [`Flights`]' list before it spills over into its map.
const FEW: usize = 8;

impl Flights {
    fn len(&self) -> usize {
        self.few.len() + self.many.len()
    }

    // The map's paths are out of line (`#[cold]`): a request rarely reaches them, and inlined
    // they would sit between the list's instructions, which every request runs with its code
    // cold in the instruction cache (BENCHMARKS.md, section 5, eighteenth pass).

    fn get(&self, key: &Key) -> Option<&Flight> {
        match self.few.iter().find(|(k, _)| k == key) {
            Some((_, flight)) => Some(flight),
            None if self.many.is_empty() => None,
            None => self.many_get(key),
        }
    }

    #[cold]
    #[inline(never)]
    fn many_get(&self, key: &Key) -> Option<&Flight> {
        self.many.get(key)
    }

    /// Adds the reservation of `key`, or replaces it.
    fn insert(&mut self, key: Key, flight: Flight) {
        if let Some((_, held)) = self.few.iter_mut().find(|(k, _)| *k == key) {
            *held = flight;
        } else if self.many.is_empty() && self.few.len() < FEW {
            self.few.push((key, flight));
        } else {
            self.many_insert(key, flight);
        }
    }

    #[cold]
    #[inline(never)]
    fn many_insert(&mut self, key: Key, flight: Flight) {
        self.many.insert(key, flight);
    }

    fn remove(&mut self, key: &Key) -> Option<Flight> {
        match self.few.iter().position(|(k, _)| k == key) {
            Some(i) => Some(self.few.swap_remove(i).1),
            None if self.many.is_empty() => None,
            None => self.many_remove(key),
        }
    }

    #[cold]
    #[inline(never)]
    fn many_remove(&mut self, key: &Key) -> Option<Flight> {
        self.many.remove(key)
    }

    /// Keeps the reservations for which `keep` is true.
    fn retain(&mut self, mut keep: impl FnMut(&Flight) -> bool) {
        self.few.retain(|(_, f)| keep(f));
        self.many.retain(|_, f| keep(f));
    }

    fn values(&self) -> impl Iterator<Item = &Flight> {
        self.few.iter().map(|(_, f)| f).chain(self.many.values())
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a held index slot contains until its key is committed: not 0 (taken), and bit 32
/// clear, which no key's slot has (tags have their low bit set), so no look-up matches it.
const HELD: u64 = 1 << 33;

/// Whether an index slot holds a key (bit 32 is the tag's low bit, set in every key's slot).
fn is_key(slot: u64) -> bool {
    slot & (1 << 32) != 0
}

/// A handled key in a shard's ring.
#[derive(Clone, Copy)]
struct Done {
    key: Key,
    /// Milliseconds since the store's epoch at which the retention ends; [`HOLE`] for a key
    /// that has since moved to the back of the ring.
    until_ms: u64,
}

/// [`Done::until_ms`] of a ring position whose key moved on (no real end of retention is
/// this late: they are capped one below).
const HOLE: u64 = u64::MAX;

/// Slots per index bucket: a bucket is one cache line, seven slots and an overflow count.
const SLOTS: usize = 7;

/// One index bucket (64 bytes, one cache line): slots `0..SLOTS`, then how many keys were
/// placed past this bucket because it was full (since the index was last rebuilt).
type Bucket = [u64; SLOTS + 1];

/// The 32 bits of a key kept in its index slot, to skip other keys without reading the ring
/// (the foldhash half, independent of the bits that place the key). The low bit is set, so
/// that no slot in use is 0.
fn tag(key: &Key) -> u32 {
    let [a, b, c, d, ..] = *key;
    u32::from_le_bytes([a, b, c, d]) | 1
}

/// Where a handled key is: its index bucket and slot, and its ring position.
type Found = (usize, usize, usize);

/// The index slot of `key` as sequence number `seq`.
fn slot_of(key: &Key, seq: u64) -> u64 {
    (u64::from(tag(key)) << 32) | u64::from(seq as u32)
}

/// One shard: a bound, the handled keys oldest first, and the reservations in flight.
///
/// The handled keys are a ring, appended at the back and evicted from the front, each with
/// a sequence number (its `n`th key appended). The index maps keys to sequence numbers in
/// buckets of one cache line: a look-up reads one line (and the ring only for a key that
/// matches its slot's tag), an insert writes into the line the look-up just read, and an
/// eviction touches no index line at all: a slot whose sequence number has left the ring is
/// free. Under HTTP load every random access is a miss to memory, so this is what a
/// delivery costs: one line of the index and the two ends of the ring.
///
/// The ring is two arrays by position: the keys, and the ends of their retention. An eviction
/// reads only the second (eight positions per cache line, where a whole [`Done`], 24 bytes,
/// fits fewer than three), so the ring's front costs a miss every eighth eviction instead of
/// about every third (BENCHMARKS.md, section 5, thirteenth pass); the keys are read only for
/// a key whose slot's tag matches.
struct Shard {
    /// Keys this shard may hold, handled and in flight together.
    cap: usize,
    /// Positions in the ring: `cap` and a quarter more, for the holes that keys moving to the
    /// back leave until the front of the ring reaches them.
    positions: usize,
    /// Ring of handled keys: sequence numbers `first .. first + len`, at positions
    /// `seq % positions`. Allocated as it fills (a store sized for millions of keys costs
    /// nothing up front).
    ring: Vec<Key>,
    /// [`Done::until_ms`] of each ring position, by position as `ring` (always as long).
    ends: Vec<u64>,
    first: u64,
    /// The ring position of `first` (`first % positions`), kept as `first` moves: positions
    /// are found by an add and a compare, not a 64-bit division.
    front: usize,
    len: usize,
    /// Ring positions that hold a key (not a [`HOLE`]).
    live: usize,
    /// `tag << 32 | (seq as u32)` per slot, 0 for a slot never used. Two buckets per five
    /// keys of `cap`, 2.5 keys in each on average, seven slots: about 1 % of inserts into a
    /// full store find their bucket full and go on to the next one.
    index: Vec<Bucket>,
    /// The bucket count the index is built with (two per five keys of `cap`).
    buckets: usize,
    /// Overflow counts added since the index was built: past a share of the buckets, it is
    /// rebuilt from the ring (overflow counts only grow between rebuilds).
    overflows: usize,
    /// How many times the index was built: a [`Spot`] from another build is void.
    build: u32,
    /// Reservations in flight: as many as requests being handled.
    flights: Flights,
    /// Flight count above which expired leases are swept out (doubles with what remains).
    sweep_at: usize,
    /// No lease in `flights` ends before this (it may be earlier than the true earliest, after
    /// removals): until then a sweep would find nothing.
    next_expiry: u64,
}

/// Ring positions reserved up front per shard, at most (24 MiB of address space).
const RING_RESERVED: usize = 1 << 20;

/// Flight count at which the first sweep of expired leases happens.
const FIRST_SWEEP: usize = 64;

impl Shard {
    fn new(cap: usize) -> Self {
        let positions = cap.saturating_add(cap / 4 + 1);
        Shard {
            cap,
            positions,
            // Reserved (not touched: the pages are mapped as the ring fills) up to a million
            // positions, so that a large store does not copy its ring as it grows.
            ring: Vec::with_capacity(positions.min(RING_RESERVED)),
            ends: Vec::with_capacity(positions.min(RING_RESERVED)),
            first: 0,
            front: 0,
            len: 0,
            live: 0,
            index: Vec::new(),
            buckets: (cap.saturating_mul(2) / 5).max(1),
            overflows: 0,
            build: 0,
            flights: Flights::default(),
            sweep_at: FIRST_SWEEP,
            next_expiry: u64::MAX,
        }
    }

    fn keys(&self) -> usize {
        self.live + self.flights.len()
    }

    /// The bucket a key's probe sequence starts at: its home bits scaled to the bucket count
    /// (a multiply and a shift: any count, no division).
    fn home_bucket(&self, key: &Key) -> usize {
        ((u64::from(home(key)) * self.index.len() as u64) >> 32) as usize
    }

    /// The bucket after `b`, wrapping around.
    fn next_bucket(&self, b: usize) -> usize {
        if b + 1 >= self.index.len() {
            0
        } else {
            b + 1
        }
    }

    /// The ring position of sequence number `first + offset`, for an offset up to `len`
    /// (which is at most `positions`): one past the front, wrapping once at most.
    fn at(&self, offset: usize) -> usize {
        let p = self.front as u64 + offset as u64;
        let positions = self.positions as u64;
        (if p >= positions { p - positions } else { p }) as usize
    }

    /// How far past `first` the sequence number a slot stands for is, if it is still in the
    /// ring.
    fn live_offset(&self, slot: u64) -> Option<usize> {
        let offset = (slot as u32).wrapping_sub(self.first as u32) as usize;
        (slot != 0 && offset < self.len).then_some(offset)
    }

    /// The handled key at ring position `position`, with the end of its retention.
    fn done_at(&self, position: usize) -> Option<Done> {
        Some(Done {
            key: *self.ring.get(position)?,
            until_ms: *self.ends.get(position)?,
        })
    }

    /// Where `key` is among the handled keys: its bucket, slot and ring position.
    fn find(&self, key: &Key) -> Option<Found> {
        self.probe(key).0
    }

    /// [`find`](Self::find), and the first slot on the key's probe sequence that is free for
    /// it (where [`index_insert`](Self::index_insert) would put it).
    fn probe(&self, key: &Key) -> (Option<Found>, Option<(usize, usize)>) {
        let mut free = None;
        if self.index.is_empty() {
            return (None, free);
        }
        let tag = tag(key);
        let mut b = self.home_bucket(key);
        for _ in 0..self.index.len() {
            let Some(bucket) = self.index.get(b) else {
                break;
            };
            let (slots, overflow) = bucket.split_at(SLOTS);
            // One pass over the line, without a branch per slot: the slots that hold a live
            // key with this tag (almost never one, for a new key), and the free ones.
            let (mut matches, mut frees) = (0u32, 0u32);
            for (k, &slot) in slots.iter().enumerate() {
                let live = self.live_offset(slot).is_some();
                matches |= u32::from(live && (slot >> 32) as u32 == tag) << k;
                frees |= u32::from(self.is_free(slot)) << k;
            }
            while matches != 0 {
                let k = matches.trailing_zeros() as usize;
                matches &= matches - 1;
                let Some(offset) = slots.get(k).and_then(|slot| self.live_offset(*slot)) else {
                    continue;
                };
                let position = self.at(offset);
                if self.ring.get(position) == Some(key)
                    && self.ends.get(position).is_some_and(|&until| until != HOLE)
                {
                    return (Some((b, k, position)), free);
                }
            }
            if free.is_none() && frees != 0 {
                free = Some((b, frees.trailing_zeros() as usize));
            }
            if overflow.first().is_none_or(|n| *n == 0) {
                break;
            }
            b = self.next_bucket(b);
        }
        (None, free)
    }

    /// Whether an index slot is free: never used, or its key has left the ring. A held slot
    /// is taken.
    fn is_free(&self, slot: u64) -> bool {
        slot == 0 || (is_key(slot) && self.live_offset(slot).is_none())
    }

    /// Holds the free slot `at` for `key`, which is not in the ring, until its commit fills
    /// it ([`fill`](Self::fill)) or its release frees it: the look-up that found the key
    /// absent has just read that cache line, and the commit then writes the slot without
    /// reading the line again (under load, by then, a miss to memory).
    fn hold(&mut self, at: Option<(usize, usize)>) -> Option<Spot> {
        let (b, k) = at?;
        let spot = Spot {
            bucket: u32::try_from(b).ok()?,
            slot: u8::try_from(k).ok()?,
            build: self.build,
        };
        let slot = self.index.get_mut(b)?.get_mut(k)?;
        *slot = HELD;
        Some(spot)
    }

    /// Writes `value` into a held slot, if the index is still the one it was held in.
    fn fill(&mut self, spot: Option<Spot>, value: u64) -> bool {
        let Some(spot) = spot.filter(|s| s.build == self.build) else {
            return false;
        };
        let slot = self
            .index
            .get_mut(spot.bucket as usize)
            .and_then(|bucket| bucket.get_mut(usize::from(spot.slot)));
        match slot {
            Some(slot) if *slot == HELD => {
                *slot = value;
                true
            }
            _ => false,
        }
    }

    /// Indexes `key` as sequence number `seq`: in the first slot of its probe sequence that
    /// is unused or whose key has left the ring. `false` if there is none: every slot is
    /// taken, by handled keys and by slots held for reservations in flight (which can
    /// outnumber the slots: a shard full of reservations grows past its bound).
    fn index_insert(&mut self, key: &Key, seq: u64) -> bool {
        let entry = slot_of(key, seq);
        let mut b = self.home_bucket(key);
        for _ in 0..self.index.len() {
            let Some(bucket) = self.index.get(b).copied() else {
                return false;
            };
            let free = bucket
                .iter()
                .take(SLOTS)
                .position(|slot| self.is_free(*slot));
            match (free, self.index.get_mut(b)) {
                (Some(k), Some(bucket)) => {
                    if let Some(slot) = bucket.get_mut(k) {
                        *slot = entry;
                    }
                    return true;
                }
                (None, Some(bucket)) => {
                    if let Some(overflow) = bucket.get_mut(SLOTS) {
                        *overflow = overflow.saturating_add(1);
                    }
                    self.overflows += 1;
                }
                (_, None) => return false,
            }
            b = self.next_bucket(b);
        }
        false
    }

    /// Builds the index anew (sized for `cap`) from the ring, when it is missing, or when
    /// overflow counts have piled up on more than an eighth of its buckets.
    #[inline]
    fn index_maintain(&mut self) {
        let buckets = self.buckets;
        if self.index.len() != buckets || self.overflows > buckets / 8 {
            self.index_rebuild();
        }
    }

    /// Builds the index anew from the ring: [`index_maintain`](Self::index_maintain)'s
    /// rebuild, and the one a compaction or a key with no free slot needs (all rare: out of
    /// the way of every commit's check).
    #[cold]
    #[inline(never)]
    fn index_rebuild(&mut self) {
        let buckets = self.buckets;
        self.index = vec![[0; SLOTS + 1]; buckets];
        self.overflows = 0;
        self.build = self.build.wrapping_add(1);
        for k in 0..self.len {
            let seq = self.first + k as u64;
            if let Some(done) = self.done_at(self.at(k)) {
                if done.until_ms != HOLE {
                    self.index_insert(&done.key, seq);
                }
            }
        }
    }

    /// Drops the oldest ring position; counts it if it still held an unexpired key. Its
    /// index slot needs no change: a sequence number out of the ring frees its slot.
    fn evict_oldest(&mut self, now: u64, life: &Life) {
        if self.len == 0 {
            return;
        }
        // Its end of retention only: the key itself is not needed.
        let oldest = self.ends.get(self.front).copied();
        self.first += 1;
        self.front = self.at(1);
        self.len -= 1;
        if let Some(until_ms) = oldest.filter(|&until| until != HOLE) {
            self.live = self.live.saturating_sub(1);
            // Counted (and perhaps logged) once the shard is consistent again.
            if until_ms > now {
                life.count_eviction();
            }
        }
    }

    /// Rewrites the ring without its holes, oldest first, keeping the sequence numbers
    /// running (and so every slot of the index valid): only the positions change, and those
    /// are recomputed from the new numbers, so the index is rebuilt.
    #[cold]
    #[inline(never)]
    fn compact(&mut self) {
        let mut kept = Vec::with_capacity(self.live);
        for k in 0..self.len {
            if let Some(done) = self.done_at(self.at(k)) {
                if done.until_ms != HOLE {
                    kept.push(done);
                }
            }
        }
        self.first += self.len as u64;
        self.front = self.at(self.len);
        self.len = 0;
        self.live = 0;
        for done in kept {
            self.append(done);
        }
        self.index_rebuild();
    }

    /// Writes `done` at the back of the ring (which has room).
    fn append(&mut self, done: Done) -> u64 {
        let seq = self.first + self.len as u64;
        let position = self.at(self.len);
        match (self.ring.get_mut(position), self.ends.get_mut(position)) {
            (Some(key), Some(until)) => {
                *key = done.key;
                *until = done.until_ms;
            }
            // The ring grows a position at a time (`at(len)` is the next one while it is
            // shorter than `positions`), both arrays together.
            _ => {
                self.ring.push(done.key);
                self.ends.push(done.until_ms);
            }
        }
        self.len += 1;
        self.live += 1;
        seq
    }

    /// Keeps the shard within its bound: evicts the oldest handled keys while it holds more
    /// (never a reservation in flight: a shard full of those grows past its bound). Leases
    /// that ran out are dropped first, so that a crashed holder's reservation never pushes
    /// out a handled key.
    fn fit(&mut self, now: u64, life: &Life) {
        if self.keys() > self.cap {
            self.sweep_expired(now);
        }
        while self.live > 0 && self.keys() > self.cap {
            // `live` counts handled keys in the ring, so the ring is never empty here; if
            // the count were ever wrong, an empty ring holds none: correct it and stop,
            // rather than loop forever under the lock (and again at every later fit).
            debug_assert!(self.len > 0, "{} live keys in an empty ring", self.live);
            if self.len == 0 {
                self.live = 0;
                break;
            }
            self.evict_oldest(now, life);
        }
    }

    /// Records `key` as handled until `until_ms`, at the back of the ring (moving it there if
    /// it is already in the ring).
    ///
    /// `spot`: the slot held for the key at its reservation, when the key was not in the ring
    /// then (and, its reservation having been ours until now, still is not).
    fn insert_done(&mut self, key: &Key, until_ms: u64, now: u64, life: &Life, spot: Option<Spot>) {
        let absent = spot.is_some_and(|s| s.build == self.build);
        if let Some((b, k, position)) = if absent { None } else { self.find(key) } {
            if let Some(slot) = self.index.get_mut(b).and_then(|bucket| bucket.get_mut(k)) {
                *slot = 0;
            }
            if let Some(until) = self.ends.get_mut(position) {
                *until = HOLE;
            }
            self.live -= 1;
        }
        // The ring itself full: squeeze out the holes if there are any (at most once per
        // quarter of `cap` keys moved, so a key costs that O(cap) pass only rarely), else its
        // oldest position goes.
        if self.len >= self.positions && self.live < self.len {
            self.compact();
        }
        while self.len >= self.positions {
            self.evict_oldest(now, life);
        }
        self.index_maintain();
        let seq = self.append(Done {
            key: *key,
            until_ms: until_ms.min(HOLE - 1),
        });
        if !self.fill(spot, slot_of(key, seq)) && !self.index_insert(key, seq) {
            // Every slot taken, most of them held for reservations in flight: built anew
            // from the ring, without held slots (their reservations' commits look their keys
            // up and index them), the index has room for every handled key, this one too.
            self.index_rebuild();
        }
        self.fit(now, life);
    }

    /// Drops leases that ran out, once the flights outnumber twice what the last sweep kept:
    /// a reservation whose holder never came back (it is normally released or committed).
    fn sweep(&mut self, now: u64) {
        if self.flights.len() >= self.sweep_at {
            self.sweep_expired(now);
            self.sweep_at = (self.flights.len() * 2).max(FIRST_SWEEP);
        }
    }

    /// Drops every reservation whose lease ran out (and frees the index slots they held);
    /// nothing to do, without a pass over the flights, before the earliest lease ends.
    fn sweep_expired(&mut self, now: u64) {
        if self.next_expiry > now {
            return;
        }
        self.sweep_expired_now(now);
    }

    /// [`sweep_expired`](Self::sweep_expired)'s pass, once a lease has run out (rare: a
    /// holder that never came back).
    #[cold]
    #[inline(never)]
    fn sweep_expired_now(&mut self, now: u64) {
        let expired: Vec<Option<Spot>> = self
            .flights
            .values()
            .filter(|f| f.until_ms <= now)
            .map(|f| f.spot)
            .collect();
        for spot in expired {
            self.fill(spot, 0);
        }
        self.flights.retain(|f| f.until_ms > now);
        self.next_expiry = self
            .flights
            .values()
            .map(|f| f.until_ms)
            .min()
            .unwrap_or(u64::MAX);
    }
}

/// [`Life::count_eviction`]'s log line, out of line: every eviction checks for it, few log.
#[cold]
#[inline(never)]
fn log_eviction(n: u64) {
    tracing::warn!(
        evicted = n,
        "dedupe memory store full: evicting handled keys before their retention ends"
    );
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

    /// A handled key left before its retention ended: counted, and logged at powers of two.
    fn count_eviction(&self) {
        let n = self.evicted.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_power_of_two() {
            log_eviction(n);
        }
    }
}

/// The in-memory dedupe store: bounded, with TTL expiry, shared by every clone.
///
/// - At most `max_entries` keys (default 100 000), reservations in flight included. When it
///   is full of handled keys, the oldest go first (first handled, first evicted), and each
///   early eviction is counted ([`MemoryStore::evicted`]) and logged.
/// - A reservation whose lease is live is **never** evicted, even when the store is full.
/// - Leases and retention expire by time (the coarse monotonic clock on Linux: a few
///   milliseconds of resolution); an expired key is free again.
/// - One process only: with several replicas, use `RedisStore`. In actix-web, build it once
///   outside `HttpServer::new` and clone it into every worker.
///
/// About 50 bytes of memory per retained key (`cargo run --release --example
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

/// At most this many shards, each behind its own lock (fewer for a store of fewer keys).
const MAX_SHARDS: usize = 64;

/// Keys per shard, at least (unless the whole store holds fewer): see [`MemoryStore::new`].
const MIN_SHARD_KEYS: usize = 256;

/// Shards per CPU: enough that threads rarely wait for one another's lock (`dedupe_footprint`
/// with two threads on two CPUs: 460..560 ns per key with 16 shards, 610 with 4), few enough
/// that each shard's ring ends (where keys are appended and evicted) stay in the cache.
const SHARDS_PER_CPU: usize = 8;

struct Inner {
    shards: Box<[Mutex<Shard>]>,
    /// Never used (a store always has at least one shard): what [`MemoryStore::shard`] falls
    /// back to instead of a panic path.
    fallback: Mutex<Shard>,
    hasher: KeyHasher,
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

impl MemoryStore {
    /// A store keeping at most `max_entries` keys (at least 1).
    ///
    /// Why not a general-purpose cache: a dedupe store only ever asks "is this new?" and
    /// evicts first in, first out, so a ring of handled keys with its own index does each
    /// reserve and commit with about two random memory accesses, where a cache (quick_cache,
    /// which this store used before) kept eviction links per entry and probed its table for
    /// the look-up, the insert and the eviction: under HTTP load those misses were most of
    /// what dedupe cost (BENCHMARKS.md, section 3).
    pub fn new(max_entries: usize) -> Self {
        let max_entries = max_entries.max(1);
        let life = Life {
            epoch_ms: crate::clock::monotonic_ms(),
            evicted: Arc::new(AtomicU64::new(0)),
        };
        // The bound split over the shards, every shard holding at least `MIN_SHARD_KEYS`
        // keys (or the whole bound): each shard is bounded on its own, so a small store split
        // many ways would evict a handled key as soon as two keys met in one shard.
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let count = cpus
            .saturating_mul(SHARDS_PER_CPU)
            .clamp(1, MAX_SHARDS)
            .min((max_entries / MIN_SHARD_KEYS).max(1));
        let shards = (0..count)
            .map(|i| {
                let cap = max_entries / count + usize::from(i < max_entries % count);
                // Ring positions are 32-bit in the index.
                Mutex::new(Shard::new(cap.min(u32::MAX as usize / 2)))
            })
            .collect();
        MemoryStore {
            inner: Arc::new(Inner {
                shards,
                fallback: Mutex::new(Shard::new(1)),
                hasher: KeyHasher::new(),
                life,
                max_entries,
            }),
        }
    }

    /// Keys held now (reservations and handled keys, including expired ones not yet reused).
    pub fn len(&self) -> usize {
        self.inner
            .shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).keys())
            .sum()
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

    /// The shard of `key`, locked (a poisoned lock is taken over: every update leaves a shard
    /// consistent before anything can panic).
    fn shard(&self, key: &Key) -> MutexGuard<'_, Shard> {
        let shards = &self.inner.shards;
        shards
            .get(shard_of(key, shards.len()))
            .unwrap_or(&self.inner.fallback)
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The store's hash of a text key.
    pub(crate) fn digest(&self, key: &str) -> Digest {
        self.inner.hasher.digest(key.as_bytes())
    }

    /// [`digest`](Self::digest) of a key's bytes.
    pub(crate) fn digest_bytes(&self, key: &[u8]) -> Digest {
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
        self.reserve_at(key, token, lease, self.inner.life.now_ms())
    }

    /// [`reserve_digest`](Self::reserve_digest) at `now` (milliseconds since the store's
    /// epoch).
    fn reserve_at(&self, key: &Digest, token: Token, lease: Duration, now: u64) -> Reserve {
        let life = &self.inner.life;
        let mut shard = self.shard(key);
        let expired = match shard.flights.get(key) {
            Some(flight) if flight.until_ms > now => {
                return Reserve::InFlight {
                    retry_after: Duration::from_millis(flight.until_ms - now),
                };
            }
            expired => expired.copied(),
        };
        let (found, free) = shard.probe(key);
        // The probe compared the key: only its end of retention is read here.
        let until = found.and_then(|(_, _, p)| shard.ends.get(p).copied());
        if until.is_some_and(|until| until > now) {
            return Reserve::Done;
        }
        // Free, or its lease or retention has run out: a new attempt. An expired attempt's
        // held slot passes on to this one.
        let spot = match (found, expired.and_then(|f| f.spot)) {
            (Some(_), held) => {
                // The key is in the ring (expired): its commit moves it, through a look-up.
                shard.fill(held, 0);
                None
            }
            (None, Some(spot)) => Some(spot),
            (None, None) => shard.hold(free),
        };
        let until_ms = now.saturating_add(millis(lease));
        shard.flights.insert(
            *key,
            Flight {
                until_ms,
                holder: holder(token),
                spot,
            },
        );
        shard.next_expiry = shard.next_expiry.min(until_ms);
        shard.sweep(now);
        shard.fit(now, life);
        Reserve::Reserved
    }

    /// [`DedupeStore::commit`] of the key whose [`digest`](Self::digest) is `key`.
    pub(crate) fn commit_digest(&self, key: &Digest, token: Token, retention: Duration) -> bool {
        self.commit_at(key, token, retention, self.inner.life.now_ms())
    }

    /// [`commit_digest`](Self::commit_digest) at `now`.
    fn commit_at(&self, key: &Digest, token: Token, retention: Duration, now: u64) -> bool {
        let life = &self.inner.life;
        let until = now.saturating_add(millis(retention));
        let mut shard = self.shard(key);
        // Taken out in one look-up; put back only in the rare case that it is not ours.
        match shard.flights.remove(key) {
            // Ours, or nobody's any more (our lease ran out and nobody took over): record the
            // delivery.
            Some(flight) if flight.holder == holder(token) || flight.until_ms <= now => {
                shard.insert_done(key, until, now, life, flight.spot);
                true
            }
            // Another holder took over after our lease expired.
            Some(other) => {
                shard.flights.insert(*key, other);
                false
            }
            None => match shard
                .find(key)
                .and_then(|(_, _, p)| shard.ends.get(p).copied())
            {
                // Already handled (by whoever took over after our lease expired).
                Some(until) if until > now => true,
                // Our reservation is gone (swept after its lease expired) and nobody holds
                // the key: record the delivery (moving an expired earlier record of the key,
                // if there is one, to the back with the new retention).
                _ => {
                    shard.insert_done(key, until, now, life, None);
                    true
                }
            },
        }
    }

    /// [`DedupeStore::release`] of the key whose [`digest`](Self::digest) is `key`.
    pub(crate) fn release_digest(&self, key: &Digest, token: Token) {
        let mine = holder(token);
        let mut shard = self.shard(key);
        if shard.flights.get(key).is_some_and(|f| f.holder == mine) {
            if let Some(flight) = shard.flights.remove(key) {
                shard.fill(flight.spot, 0);
            }
        }
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
                .filter(|i| store.holds(&format!("ns:github:id:{i}")))
                .count()
        };
        // Each shard evicts first in, first out: the newest quarter is all there (a quarter, so
        // that no shard gets more than it holds), the oldest third all gone.
        assert_eq!(done(3 * BOUND - BOUND / 4..3 * BOUND), BOUND / 4);
        assert_eq!(done(0..BOUND), 0);
        assert_eq!(store.evicted(), (3 * BOUND - store.len()) as u64);
    }

    #[test]
    fn digests_spread_over_the_shards() {
        let store = MemoryStore::new(100_000);
        let shards = store.inner.shards.len();
        let mut used = std::collections::HashSet::new();
        for i in 0..4 * shards {
            let k = store.digest(&format!("::github:id:{i}"));
            used.insert(shard_of(&k, shards));
        }
        assert!(shards > 1 || std::thread::available_parallelism().map_or(1, |n| n.get()) == 1);
        assert!(
            used.len() * 4 >= shards * 3,
            "{} of {shards} shards used",
            used.len()
        );
    }

    /// Every key inserted is found at its position, and stays found while others are removed
    /// around it (backward-shift deletion keeps every probe sequence whole), with colliding
    /// homes forced by a tiny index.
    #[test]
    fn the_index_finds_every_live_key_through_inserts_and_removals() {
        let life = Life {
            epoch_ms: 0,
            evicted: Arc::new(AtomicU64::new(0)),
        };
        for cap in [1usize, 2, 3, 7, 64, 500] {
            let mut shard = Shard::new(cap);
            let key = |i: u32| {
                let mut k = [0u8; 16];
                k[..4].copy_from_slice(&i.to_le_bytes());
                // Few distinct homes: long runs, wrapping around the index.
                k[8..12].copy_from_slice(&(i.wrapping_mul(2_654_435_761) % 5).to_le_bytes());
                k
            };
            let mut order: Vec<u32> = Vec::new();
            for i in 0..(3 * cap as u32 + 5) {
                // Every third key is handled again at once (it moves to the back).
                shard.insert_done(&key(i), 1_000, 0, &life, None);
                order.retain(|k| *k != i);
                order.push(i);
                if i % 3 == 0 {
                    shard.insert_done(&key(i), 1_000, 0, &life, None);
                }
                order = order.split_off(order.len().saturating_sub(cap));
                assert!(shard.keys() <= cap);
                for k in &order {
                    assert!(
                        shard.find(&key(*k)).is_some(),
                        "cap {cap}: {k} lost after {i}"
                    );
                }
                assert_eq!(shard.live, order.len(), "cap {cap} after {i}");
            }
            // Unexpired keys evicted: exactly those the model dropped for room.
            let handled = 3 * cap as u64 + 5;
            assert_eq!(
                life.evicted.load(Ordering::Relaxed),
                handled - order.len() as u64,
                "cap {cap}"
            );
            life.evicted.store(0, Ordering::Relaxed);
        }
    }

    /// Reservations hold an index slot from the reserve to the commit (filled) or the release
    /// (freed): committed keys are found, released ones are not, and no held slot outlives
    /// its reservation, through rotations of the ring and rebuilds of the index under
    /// reservations in flight.
    #[test]
    fn held_slots_are_filled_by_commits_and_freed_by_releases() {
        let store = MemoryStore::new(64);
        let held = |store: &MemoryStore| -> usize {
            store
                .inner
                .shards
                .iter()
                .map(|s| {
                    let s = s.lock().unwrap();
                    s.index
                        .iter()
                        .flatten()
                        .filter(|slot| **slot == HELD)
                        .count()
                })
                .sum()
        };
        let mut committed = Vec::new();
        for round in 0..20 {
            // Eight reservations in flight at once, then each settled.
            let batch: Vec<(String, Token)> = (0..8)
                .map(|i| (format!("k:{round}:{i}"), Token::fresh()))
                .collect();
            for (k, t) in &batch {
                assert_eq!(store.reserve_now(k, *t, LEASE), Reserve::Reserved, "{k}");
            }
            assert!(held(&store) <= batch.len());
            if round % 5 == 4 {
                // Every shard's index rebuilt while the batch is in flight: the held slots
                // are gone with the old index, and the commits index their keys anew.
                for shard in store.inner.shards.iter() {
                    let mut shard = shard.lock().unwrap();
                    shard.overflows = usize::MAX;
                    shard.index_maintain();
                }
                assert_eq!(held(&store), 0);
            }
            for (i, (k, t)) in batch.iter().enumerate() {
                if i % 2 == 0 {
                    assert!(store.commit_now(k, *t, KEEP), "{k}");
                    committed.push(k.clone());
                } else {
                    store.release_now(k, *t);
                }
            }
            assert_eq!(held(&store), 0, "round {round}");
            // A duplicate is answered as handled, and holds nothing.
            let again = format!("k:{round}:0");
            assert_eq!(
                store.reserve_now(&again, Token::fresh(), LEASE),
                Reserve::Done
            );
            assert_eq!(held(&store), 0);
        }
        // The newest committed keys are all there; released ones never are.
        for k in committed.iter().rev().take(16) {
            assert!(store.holds(k), "{k}");
            assert_eq!(store.reserve_now(k, Token::fresh(), LEASE), Reserve::Done);
        }
        for round in 0..20 {
            assert!(!store.holds(&format!("k:{round}:1")));
        }
        assert_eq!(held(&store), 0);
    }

    /// A holder whose lease ran out and whose reservation was then swept still records its
    /// delivery when it commits, also when the key has an expired record from an earlier
    /// delivery: otherwise the next retry would run the handler again.
    #[test]
    fn a_late_commit_after_its_lease_was_swept_is_recorded() {
        // Room for both records: the expired one is not evicted to make room.
        let store = MemoryStore::new(1000);
        let short = Duration::from_millis(1);
        let t0 = Token::fresh();
        assert_eq!(store.reserve_now("k", t0, LEASE), Reserve::Reserved);
        assert!(store.commit_now("k", t0, short));
        // Past the coarse clock's tick (up to 10 ms) and the retention.
        std::thread::sleep(Duration::from_millis(25));
        let a = Token::fresh();
        assert_eq!(store.reserve_now("k", a, short), Reserve::Reserved);
        std::thread::sleep(Duration::from_millis(25));
        {
            let d = store.digest("k");
            let mut shard = store.shard(&d);
            let now = store.inner.life.now_ms();
            shard.sweep_expired(now);
            assert!(shard.flights.is_empty());
        }
        assert!(store.commit_now("k", a, KEEP));
        assert_eq!(store.reserve_now("k", Token::fresh(), LEASE), Reserve::Done);
    }

    /// A reservation whose lease ran out (its holder crashed) never pushes a handled key out
    /// of a full store: the expired lease goes first.
    #[test]
    fn an_expired_reservation_does_not_evict_handled_keys() {
        let store = MemoryStore::new(2);
        let t = Token::fresh();
        assert_eq!(store.reserve_now("kept", t, LEASE), Reserve::Reserved);
        assert!(store.commit_now("kept", t, KEEP));
        let crashed = Token::fresh();
        assert_eq!(
            store.reserve_now("crashed", crashed, Duration::from_millis(1)),
            Reserve::Reserved
        );
        std::thread::sleep(Duration::from_millis(25));
        let t = Token::fresh();
        assert_eq!(store.reserve_now("new", t, LEASE), Reserve::Reserved);
        assert!(store.commit_now("new", t, KEEP));
        assert_eq!(
            store.reserve_now("kept", Token::fresh(), LEASE),
            Reserve::Done
        );
        assert_eq!(
            store.reserve_now("new", Token::fresh(), LEASE),
            Reserve::Done
        );
        assert_eq!(store.evicted(), 0);
    }

    /// A small store holds as many keys as it was given, whatever shards they hash to.
    #[test]
    fn a_small_store_holds_its_whole_bound() {
        for bound in [1usize, 2, 10, 100, 255] {
            let store = MemoryStore::new(bound);
            for i in 0..bound {
                let (k, t) = (format!("k:{i}"), Token::fresh());
                assert_eq!(store.reserve_now(&k, t, LEASE), Reserve::Reserved);
                assert!(store.commit_now(&k, t, KEEP));
            }
            assert_eq!(store.evicted(), 0, "bound {bound}");
            assert_eq!(store.len(), bound);
            for i in 0..bound {
                assert!(store.holds(&format!("k:{i}")), "bound {bound}: k:{i}");
            }
        }
    }

    /// Keys that share their index tag and home are told apart by the full key in the ring;
    /// sequence numbers crossing 2^32 (the index keeps their low 32 bits) change nothing.
    #[test]
    fn same_tags_and_wrapping_sequence_numbers_are_told_apart() {
        let life = Life {
            epoch_ms: 0,
            evicted: Arc::new(AtomicU64::new(0)),
        };
        let key = |i: u32| {
            let mut k = [0u8; 16];
            k[..4].copy_from_slice(&[1, 0, 0, 0]);
            k[4..8].copy_from_slice(&i.to_le_bytes());
            k
        };
        for (cap, wrap) in [(64usize, false), (64, true), (500, false), (500, true)] {
            let mut shard = Shard::new(cap);
            if wrap {
                let p = shard.positions as u64;
                shard.first = ((1u64 << 32) / p) * p;
            }
            for i in 0..(3 * cap as u32) {
                shard.insert_done(&key(i), 1_000, 0, &life, None);
                // The front position is kept as `first` moves, also across 2^32.
                assert_eq!(
                    shard.front as u64,
                    shard.first % shard.positions as u64,
                    "cap {cap} wrap {wrap} at {i}"
                );
                let oldest = (i + 1).saturating_sub(cap as u32);
                for k in oldest..=i {
                    assert!(
                        shard.find(&key(k)).is_some(),
                        "cap {cap} wrap {wrap}: {k} at {i}"
                    );
                }
                for k in (0..oldest).chain(i + 1..i + 4) {
                    assert!(
                        shard.find(&key(k)).is_none(),
                        "cap {cap} wrap {wrap}: {k} at {i}"
                    );
                }
            }
        }
    }

    impl MemoryStore {
        /// Whether `key` is among the handled keys.
        pub(super) fn holds(&self, key: &str) -> bool {
            let digest = self.digest(key);
            self.shard(&digest).find(&digest).is_some()
        }
    }
}

#[cfg(test)]
mod stress {
    use super::*;

    #[test]
    fn interleaved_reservations_leave_every_retained_key_findable() {
        const BOUND: usize = 20_000;
        let store = MemoryStore::new(BOUND);
        let lease = Duration::from_secs(60);
        let keep = Duration::from_secs(3600);
        let n = 10 * BOUND;
        let mut i = 0;
        while i + 1 < n {
            let (a, b) = (format!("a:{i}"), format!("a:{}", i + 1));
            let (ta, tb) = (Token::fresh(), Token::fresh());
            assert_eq!(store.reserve_now(&a, ta, lease), Reserve::Reserved);
            assert_eq!(store.reserve_now(&b, tb, lease), Reserve::Reserved);
            assert!(store.commit_now(&a, ta, keep));
            assert!(store.commit_now(&b, tb, keep));
            i += 2;
        }
        let retained = store.len();
        let found = (0..n).filter(|i| store.holds(&format!("a:{i}"))).count();
        assert_eq!(found, retained, "evicted {}", store.evicted());
    }
}

/// The store against a model of what it promises, op by op, with the clock driven by the
/// test: reservations, commits and releases (by the holder or by someone else), leases and
/// retentions that run out, and a bound small enough that handled keys are evicted, oldest
/// first, and moved to the back when handled again.
#[cfg(test)]
mod model {
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;

    #[derive(Debug, Clone)]
    enum Op {
        Reserve {
            key: u8,
            lease: u64,
        },
        /// A commit by the key's current holder (`own`), or with a token nobody holds.
        Commit {
            key: u8,
            own: bool,
            keep: u64,
        },
        Release {
            key: u8,
            own: bool,
        },
        Tick(u64),
    }

    /// Ops on keys `0..keys`.
    fn op(keys: u8) -> impl Strategy<Value = Op> {
        let key = 0..keys;
        prop_oneof![
            3 => (key.clone(), prop::sample::select(vec![5u64, 50, 60_000]))
                .prop_map(|(key, lease)| Op::Reserve { key, lease }),
            3 => (key.clone(), any::<bool>(), prop::sample::select(vec![10u64, 100, 3_600_000]))
                .prop_map(|(key, own, keep)| Op::Commit { key, own, keep }),
            1 => (key, any::<bool>()).prop_map(|(key, own)| Op::Release { key, own }),
            2 => (0u64..40).prop_map(Op::Tick),
        ]
    }

    /// What the store promises, in the plainest terms: the reservations in flight, the
    /// handled keys oldest first, and the count of handled keys evicted before their time.
    struct Model {
        cap: usize,
        now: u64,
        /// Key -> (holder, end of the lease).
        flights: HashMap<u8, (Token, u64)>,
        /// (key, end of the retention), oldest first.
        done: VecDeque<(u8, u64)>,
        evicted: u64,
    }

    impl Model {
        fn total(&self) -> usize {
            self.flights.len() + self.done.len()
        }

        fn handled(&self, key: u8) -> Option<u64> {
            self.done
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, until)| *until)
        }

        /// Over the bound: expired leases go, then the oldest handled keys.
        fn fit(&mut self) {
            let now = self.now;
            if self.total() > self.cap {
                self.flights.retain(|_, (_, until)| *until > now);
            }
            while self.total() > self.cap {
                let Some((_, until)) = self.done.pop_front() else {
                    break;
                };
                if until > now {
                    self.evicted += 1;
                }
            }
        }

        fn insert_done(&mut self, key: u8, until: u64) {
            self.done.retain(|(k, _)| *k != key);
            self.done.push_back((key, until));
            self.fit();
        }

        fn reserve(&mut self, key: u8, token: Token, lease: u64) -> Reserve {
            if let Some((_, until)) = self.flights.get(&key) {
                if *until > self.now {
                    return Reserve::InFlight {
                        retry_after: Duration::from_millis(until - self.now),
                    };
                }
            }
            if self.handled(key).is_some_and(|until| until > self.now) {
                return Reserve::Done;
            }
            self.flights.insert(key, (token, self.now + lease));
            self.fit();
            Reserve::Reserved
        }

        fn commit(&mut self, key: u8, token: Token, keep: u64) -> bool {
            let until = self.now + keep;
            match self.flights.remove(&key) {
                Some((t, end)) if holder(t) == holder(token) || end <= self.now => {
                    self.insert_done(key, until);
                    true
                }
                Some(other) => {
                    self.flights.insert(key, other);
                    false
                }
                None => {
                    if self.handled(key).is_none_or(|u| u <= self.now) {
                        self.insert_done(key, until);
                    }
                    true
                }
            }
        }

        fn release(&mut self, key: u8, token: Token) {
            if self
                .flights
                .get(&key)
                .is_some_and(|(t, _)| holder(*t) == holder(token))
            {
                self.flights.remove(&key);
            }
        }
    }

    /// Runs `ops` on a store of bound `cap` and on the model, comparing every answer, the
    /// key count, the eviction count, and which of the keys `0..keys` are held.
    fn check(cap: usize, keys: u8, ops: &[Op]) -> Result<(), TestCaseError> {
        // Under 256 keys: one shard, bounded by `cap` exactly as the model is.
        let store = MemoryStore::new(cap);
        prop_assert_eq!(store.inner.shards.len(), 1);
        let mut model = Model {
            cap,
            now: 1_000,
            flights: HashMap::new(),
            done: VecDeque::new(),
            evicted: 0,
        };
        let digest = |key: u8| store.digest(&format!("m:{key}"));
        for (i, op) in ops.iter().enumerate() {
            let now = model.now;
            let token_of = |key: u8, own: bool| match model.flights.get(&key) {
                Some((t, _)) if own => *t,
                _ => Token::fresh(),
            };
            match *op {
                Op::Reserve { key, lease } => {
                    let token = Token::fresh();
                    let ms = Duration::from_millis(lease);
                    let got = store.reserve_at(&digest(key), token, ms, now);
                    let want = model.reserve(key, token, lease);
                    prop_assert_eq!(got, want, "op {} {:?}", i, op);
                }
                Op::Commit { key, own, keep } => {
                    let token = token_of(key, own);
                    let ms = Duration::from_millis(keep);
                    let got = store.commit_at(&digest(key), token, ms, now);
                    let want = model.commit(key, token, keep);
                    prop_assert_eq!(got, want, "op {} {:?}", i, op);
                }
                Op::Release { key, own } => {
                    let token = token_of(key, own);
                    store.release_digest(&digest(key), token);
                    model.release(key, token);
                }
                Op::Tick(ms) => model.now += ms,
            }
            prop_assert_eq!(store.len(), model.total(), "op {} {:?}", i, op);
            prop_assert_eq!(store.evicted(), model.evicted, "op {} {:?}", i, op);
            for key in 0..keys {
                prop_assert_eq!(
                    store.holds(&format!("m:{key}")),
                    model.handled(key).is_some(),
                    "key {} after op {} {:?}",
                    key,
                    i,
                    op
                );
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Small bounds (one index bucket or two) and few keys: reservations in flight
        /// outnumber the index slots, and keys come back often.
        #[test]
        fn the_store_answers_as_its_model(
            cap in 1usize..10,
            ops in proptest::collection::vec(op(12), 1..300),
        ) {
            check(cap, 12, &ops)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Larger bounds: several buckets, overflows, the ring compacted and the index
        /// rebuilt.
        #[test]
        fn the_store_answers_as_its_model_at_larger_bounds(
            cap in 10usize..60,
            ops in proptest::collection::vec(op(80), 1..800),
        ) {
            check(cap, 80, &ops)?;
        }
    }
}
