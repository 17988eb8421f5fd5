//! Keyed MAC state, built once per secret, cloned per request.

use hmac::digest::block_buffer::Eager;
use hmac::digest::core_api::{Block, Buffer, BufferKindUser, FixedOutputCore, UpdateCore};
use hmac::digest::typenum::{IsLess, Le, NonZero, Unsigned, U256};
use hmac::digest::{KeyInit, Output};
use hmac::HmacCore;
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use subtle::{Choice, ConstantTimeEq};

use crate::error::ConfigError;
use crate::secret::Secret;

mod small_copy;
pub(crate) use small_copy::small_copy;

/// Writes the signed bytes, piece by piece, through the callback it is given.
pub(crate) type Feed<'a> = &'a dyn Fn(&mut dyn FnMut(&[u8]));

/// The hash behind an HMAC signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA1. Broken as a hash, still used by some providers' legacy headers; only available
    /// with an explicit opt-in.
    Sha1,
    /// HMAC-SHA256, what nearly every provider uses. The default.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Algorithm {
    /// Length in bytes of the MAC.
    pub const fn output_len(self) -> usize {
        match self {
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        }
    }
}

/// Largest MAC output of any supported algorithm.
pub(crate) const MAX_MAC_LEN: usize = 64;

/// One keyed HMAC state per secret, for one algorithm: the MAC's core alone (its buffer is
/// empty once keyed), so that a request clones it straight into the state it hashes with.
#[derive(Clone)]
pub(crate) enum Keys {
    Sha1(Box<[HmacCore<Sha1>]>),
    Sha256(Box<[HmacCore<Sha256>]>),
    Sha512(Box<[HmacCore<Sha512>]>),
}

fn keyed<M: KeyInit>(secrets: &[Secret]) -> Result<Box<[M]>, ConfigError> {
    // Sized once: a growing vector would leave copies of keyed states behind in the memory it
    // moves out of, where `Drop for Keys` cannot wipe them.
    let mut keys = Vec::with_capacity(secrets.len());
    for (index, s) in secrets.iter().enumerate() {
        keys.push(M::new_from_slice(s.expose()).map_err(|_| ConfigError::EmptySecret { index })?);
    }
    Ok(keys.into_boxed_slice())
}

impl Keys {
    pub(crate) fn new(algorithm: Algorithm, secrets: &[Secret]) -> Result<Self, ConfigError> {
        Ok(match algorithm {
            Algorithm::Sha1 => Keys::Sha1(keyed(secrets)?),
            Algorithm::Sha256 => Keys::Sha256(keyed(secrets)?),
            Algorithm::Sha512 => Keys::Sha512(keyed(secrets)?),
        })
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            Keys::Sha1(_) => Algorithm::Sha1,
            Keys::Sha256(_) => Algorithm::Sha256,
            Keys::Sha512(_) => Algorithm::Sha512,
        }
    }

    /// The MAC of the first secret over what `feed` writes (for the [`Signer`](crate::Signer)).
    pub(crate) fn sign_first(&self, feed: Feed<'_>) -> Option<Vec<u8>> {
        let message = Message::Feed(feed);
        Some(match self {
            Keys::Sha1(keys) => keys.first()?.tag(&message).to_vec(),
            Keys::Sha256(keys) => keys.first()?.tag(&message).to_vec(),
            Keys::Sha512(keys) => keys.first()?.tag(&message).to_vec(),
        })
    }

    /// Computes one MAC per secret over what `feed` writes, and compares it in constant time with
    /// every candidate. Returns the index of the first secret that matched any candidate, and
    /// writes the first bytes of the matching MAC (a fingerprint of the signed content) into
    /// `fingerprint`.
    ///
    /// The index comes back in registers and the fingerprint through the caller's slot: a
    /// returned `Option<(usize, Fingerprint)>` went through memory, and the caller's 16-byte
    /// load of the discriminant and index missed store forwarding (a stall `perf annotate`
    /// showed in `verify_at`).
    pub(crate) fn find_match<C>(
        &self,
        message: &Message<'_, '_>,
        candidates: C,
        fingerprint: &mut Fingerprint,
    ) -> Option<usize>
    where
        C: Fn(&mut dyn FnMut(&[u8])),
    {
        match self {
            Keys::Sha1(keys) => find(keys, message, candidates, fingerprint),
            Keys::Sha256(keys) => find(keys, message, candidates, fingerprint),
            Keys::Sha512(keys) => find(keys, message, candidates, fingerprint),
        }
    }

    /// [`find_match`](Self::find_match) against a single candidate signature.
    #[inline(always)]
    pub(crate) fn find_match_one(
        &self,
        message: &Message<'_, '_>,
        candidate: &[u8],
        fingerprint: &mut Fingerprint,
    ) -> Option<usize> {
        match self {
            Keys::Sha1(keys) => find_one(keys, message, candidate, fingerprint),
            Keys::Sha256(keys) => find_one(keys, message, candidate, fingerprint),
            Keys::Sha512(keys) => find_one(keys, message, candidate, fingerprint),
        }
    }
}

/// Overwrites every keyed state with one keyed by the empty key, which derives from no secret.
///
/// hmac 0.12 and sha2/sha1 0.10 implement no `Zeroize`: a keyed state holds the hash states
/// after the key's inner and outer pads, which are as good as the key for forging MACs, so they
/// are wiped here when the verifier (or signer) goes away, as [`Secret`]s are. Best effort
/// without `unsafe`: the new value is written in place and handed to `black_box`, so the stores
/// cannot be dropped as dead before the memory is freed.
fn wipe<M: KeyInit>(keys: &mut [M]) {
    for key in keys.iter_mut() {
        if let Ok(blank) = M::new_from_slice(&[]) {
            *key = blank;
        }
        std::hint::black_box(&*key);
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        match self {
            Keys::Sha1(keys) => wipe(keys),
            Keys::Sha256(keys) => wipe(keys),
            Keys::Sha512(keys) => wipe(keys),
        }
    }
}

/// The first 16 bytes of a matching MAC: it identifies the signed content (the sender put the
/// whole MAC in its header, so it is no secret).
pub(crate) type Fingerprint = [u8; 16];

/// The signed message, as the MAC is fed it.
pub(crate) enum Message<'p, 'a> {
    /// Its pieces in order (the common case: a prefix or two and the body), the short pieces
    /// ahead of the body already gathered into the first 64-byte block ([`Gathered::new`]),
    /// fed with direct calls.
    Gathered(&'p Gathered<'p, 'a>),
    /// Written through a callback, piece by piece (Twilio's form parameters).
    Feed(Feed<'p>),
}

/// Length of the first block [`Gathered`] assembles: SHA-1's and SHA-256's block.
const GATHER_LEN: usize = 64;

/// A signed message whose short leading pieces (timestamp, id, separators) are already copied
/// into its first 64 bytes, completed from the next piece (the body).
///
/// Gathered with inline copies: a `memcpy` call per piece into the MAC's block buffer cost more
/// than the copying itself. The fast path gathers them once the signature is decoded and before
/// it checks the timestamp: by the time the MAC reads the block, the small stores that wrote it
/// have had time to reach the cache. Gathered right before the MAC, the MAC's first 16-byte
/// loads, each spanning several of those stores, could not take their bytes from the store
/// buffer and waited for everything before them to retire. Gathered once per request (on both
/// paths), the block serves every secret of a rotation.
pub(crate) struct Gathered<'p, 'a> {
    block: [u8; GATHER_LEN],
    /// How many bytes of `block` are the message's: `GATHER_LEN` when the block is complete,
    /// fewer when the whole message is shorter, 0 when its first piece fills a block alone (a
    /// body signed alone is hashed in place, nothing is gathered).
    len: usize,
    /// What is left of the piece that completed the block (or the whole first piece, when
    /// nothing was gathered).
    split: &'p [u8],
    /// The pieces after it.
    rest: crate::verifier::Pieces<'p, 'a>,
}

impl<'p, 'a: 'p> Gathered<'p, 'a> {
    /// Gathers the leading pieces that fit in the first block.
    #[inline(always)]
    pub(crate) fn new(mut pieces: crate::verifier::Pieces<'p, 'a>) -> Self {
        let mut block = [0; GATHER_LEN];
        let mut pos = 0;
        while let Some(piece) = pieces.next() {
            // `pos < GATHER_LEN`: a piece is gathered only when it leaves room. (Were it ever
            // past the block, `tail` would be empty and the piece would go whole into `split`:
            // nothing is dropped from the MAC.)
            let tail = block.get_mut(pos..).unwrap_or_default();
            let room = tail.len();
            if piece.len() < room {
                small_copy(tail, piece);
                pos += piece.len();
                continue;
            }
            if pos == 0 {
                // A first piece of a block or more (a body signed alone): hashed in place.
                return Gathered {
                    block,
                    len: 0,
                    split: piece,
                    rest: pieces,
                };
            }
            let (head, split) = piece.split_at(room);
            small_copy(tail, head);
            return Gathered {
                block,
                len: GATHER_LEN,
                split,
                rest: pieces,
            };
        }
        Gathered {
            block,
            len: pos,
            split: &[],
            rest: pieces,
        }
    }
}

/// A keyed HMAC core (`HmacCore` of SHA-1, SHA-256 or SHA-512), as [`Keys`] holds it.
trait KeyedCore {
    /// The MAC's bytes.
    type Tag: AsRef<[u8]>;

    /// The MAC of `message` under this keyed state.
    fn tag(&self, message: &Message<'_, '_>) -> Self::Tag;
}

impl<T> KeyedCore for T
where
    T: UpdateCore + FixedOutputCore + BufferKindUser<BufferKind = Eager> + Clone,
    T::BlockSize: IsLess<U256>,
    Le<T::BlockSize, U256>: NonZero,
{
    type Tag = Output<T>;

    /// Through the MAC's core and a block buffer of its own, each by `&mut`, rather than a
    /// cloned `Hmac` and `Mac::update` / `Mac::finalize`: `finalize` takes the whole state (152
    /// bytes for HMAC-SHA256) by value, and the compiler copied it with a `memcpy` call right
    /// before reading it back, a stall `perf annotate` put at ~16 % of `verify_at`'s own
    /// samples.
    #[inline(always)]
    fn tag(&self, message: &Message<'_, '_>) -> Output<T> {
        let mut core = self.clone();
        let mut buffer = Buffer::<T>::default();
        match message {
            Message::Gathered(gathered) => {
                let head = gathered.block.get(..gathered.len).unwrap_or_default();
                if head.len() == <T::BlockSize as Unsigned>::USIZE {
                    // A complete first block of this hash's size: hashed where it lies. (The
                    // lengths are equal, so `from_slice` cannot panic.)
                    core.update_blocks(std::slice::from_ref(Block::<T>::from_slice(head)));
                } else {
                    // A shorter message, or SHA-512's 128-byte block: through the buffer.
                    buffer.digest_blocks(head, |blocks| core.update_blocks(blocks));
                }
                buffer.digest_blocks(gathered.split, |blocks| core.update_blocks(blocks));
                for piece in gathered.rest.clone() {
                    buffer.digest_blocks(piece, |blocks| core.update_blocks(blocks));
                }
            }
            Message::Feed(feed) => feed(&mut |chunk: &[u8]| {
                buffer.digest_blocks(chunk, |blocks| core.update_blocks(blocks))
            }),
        }
        let mut out = Output::<T>::default();
        core.finalize_fixed_core(&mut buffer, &mut out);
        out
    }
}

/// Writes the first bytes of a matching MAC into `fingerprint`.
#[inline(always)]
fn keep_fingerprint(tag: &[u8], fingerprint: &mut Fingerprint) {
    // Every supported MAC is at least 20 bytes long.
    if let Some(head) = tag.get(..16) {
        fingerprint.copy_from_slice(head);
    }
}

fn find<K: KeyedCore, C>(
    keys: &[K],
    message: &Message<'_, '_>,
    candidates: C,
    fingerprint: &mut Fingerprint,
) -> Option<usize>
where
    C: Fn(&mut dyn FnMut(&[u8])),
{
    for (index, key) in keys.iter().enumerate() {
        let tag = key.tag(message);
        let tag: &[u8] = tag.as_ref();
        let mut matched = Choice::from(0);
        candidates(&mut |candidate: &[u8]| {
            matched |= ct_eq(tag, candidate);
        });
        if bool::from(matched) {
            keep_fingerprint(tag, fingerprint);
            return Some(index);
        }
    }
    None
}

/// [`find`] for a header carrying one signature (the fast path, `src/verifier/fast.rs`): the
/// same MACs, compared inline with the one candidate.
#[inline(always)]
fn find_one<K: KeyedCore>(
    keys: &[K],
    message: &Message<'_, '_>,
    candidate: &[u8],
    fingerprint: &mut Fingerprint,
) -> Option<usize> {
    for (index, key) in keys.iter().enumerate() {
        let tag = key.tag(message);
        if bool::from(ct_eq(tag.as_ref(), candidate)) {
            keep_fingerprint(tag.as_ref(), fingerprint);
            return Some(index);
        }
    }
    None
}

/// The hex HMAC-SHA256 of `message` under a keyed state (Zoom's URL validation answer).
pub(crate) fn hex_tag(key: &HmacCore<Sha256>, message: &[u8]) -> String {
    hex::encode(key.tag(&Message::Feed(&|write| write(message))))
}

/// Shared-token providers (GitLab's `X-Gitlab-Token`): the header carries the secret itself.
///
/// Only SHA-256 digests of the tokens are kept, and the received value is hashed before a
/// constant-time comparison, so neither the token's bytes nor its length shape the timing.
#[derive(Clone)]
pub(crate) struct Tokens(Box<[[u8; 32]]>);

impl Drop for Tokens {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for token in self.0.iter_mut() {
            token.zeroize();
        }
    }
}

impl Tokens {
    pub(crate) fn new(secrets: &[Secret]) -> Self {
        Tokens(secrets.iter().map(|s| digest(s.expose())).collect())
    }

    /// The index of the first token equal to `received`.
    pub(crate) fn find(&self, received: &[u8]) -> Option<usize> {
        let got = digest(received);
        let mut found = None;
        for (index, token) in self.0.iter().enumerate() {
            if bool::from(token.ct_eq(&got)) && found.is_none() {
                found = Some(index);
            }
        }
        found
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    Sha256::digest(bytes).into()
}
/// Constant-time equality of a MAC and a candidate.
///
/// Lengths are public (they are fixed by the algorithm): different lengths are unequal.
/// Contents are compared without a data-dependent branch: the differences of 8-byte words are
/// OR-ed together and only that one word goes through `subtle`'s optimisation barrier (its slice
/// `ct_eq` puts one barrier on every byte, a volatile round trip each).
#[inline(always)]
fn ct_eq(a: &[u8], b: &[u8]) -> Choice {
    if a.len() != b.len() {
        return Choice::from(0);
    }
    let (a_words, a_rest) = a.as_chunks::<8>();
    let (b_words, b_rest) = b.as_chunks::<8>();
    let mut diff = 0u64;
    for (x, y) in a_words.iter().zip(b_words) {
        diff |= u64::from_ne_bytes(*x) ^ u64::from_ne_bytes(*y);
    }
    for (x, y) in a_rest.iter().zip(b_rest) {
        diff |= u64::from(x ^ y);
    }
    diff.ct_eq(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    use hmac::{Hmac, Mac};

    /// `tag` of the keyed core (the crate's path) over `pieces`, fed through a callback.
    fn core_tag<K: KeyedCore>(key: &K, pieces: &[&[u8]]) -> Vec<u8> {
        let feed = |write: &mut dyn FnMut(&[u8])| {
            for piece in pieces {
                write(piece);
            }
        };
        key.tag(&Message::Feed(&feed)).as_ref().to_vec()
    }

    /// The same MAC through the `hmac` crate's own `Mac` API, in one piece.
    fn reference<M: Mac + KeyInit>(key: &[u8], pieces: &[&[u8]]) -> Vec<u8> {
        let mut mac = <M as KeyInit>::new_from_slice(key).unwrap();
        mac.update(&pieces.concat());
        mac.finalize().into_bytes().to_vec()
    }

    /// The keyed cores, fed piece by piece through their block buffer, give what `Hmac` gives
    /// for the whole message: every algorithm, messages around the block sizes, pieces split
    /// at every length class (empty, short, a block, longer).
    #[test]
    fn core_tags_match_the_hmac_crate() {
        let long: Vec<u8> = (0..300u16).map(|i| (i * 7 % 251) as u8).collect();
        let splits: [&[usize]; 5] = [&[], &[0], &[3, 1, 10], &[63, 1, 64], &[129, 0, 7]];
        // Keys shorter than a block, exactly one, and longer (hashed first).
        for key in [&b""[..], b"k", &[b'Z'; 64], &[b'x'; 200]] {
            let secret = Secret::from(String::from_utf8_lossy(key).into_owned());
            let raw = secret.expose().to_vec();
            assert_eq!(raw, key, "the secret's bytes are the key's");
            let keys = |alg| Keys::new(alg, std::slice::from_ref(&secret)).unwrap();
            let (sha1, sha256, sha512) = (
                keys(Algorithm::Sha1),
                keys(Algorithm::Sha256),
                keys(Algorithm::Sha512),
            );
            let (Keys::Sha1(k1), Keys::Sha256(k256), Keys::Sha512(k512)) =
                (&sha1, &sha256, &sha512)
            else {
                panic!("keys of another algorithm")
            };
            for len in [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 300] {
                let message = &long[..len];
                for split in splits {
                    let mut pieces = Vec::new();
                    let mut rest = message;
                    for &n in split {
                        let (head, tail) = rest.split_at(n.min(rest.len()));
                        pieces.push(head);
                        rest = tail;
                    }
                    pieces.push(rest);
                    assert_eq!(
                        core_tag(&k1[0], &pieces),
                        reference::<Hmac<Sha1>>(&raw, &pieces)
                    );
                    assert_eq!(
                        core_tag(&k256[0], &pieces),
                        reference::<Hmac<Sha256>>(&raw, &pieces),
                        "{len} {split:?}"
                    );
                    assert_eq!(
                        core_tag(&k512[0], &pieces),
                        reference::<Hmac<Sha512>>(&raw, &pieces)
                    );
                }
            }
        }
    }

    /// The MAC of literal pieces of lengths `lens` (cut from one pattern), then a body of
    /// `body_len` bytes, through `Message::Gathered` (the verifier's path, which gathers the
    /// short pieces into the first block ahead of the MAC), on every algorithm: (algorithm,
    /// this MAC, the `hmac` crate's over the same bytes).
    fn pieces_against_hmac(lens: &[usize], body_len: usize) -> Vec<(Algorithm, Vec<u8>, Vec<u8>)> {
        use crate::verifier::{Part, Payload};
        let total = lens.iter().sum::<usize>() + body_len;
        let long: Vec<u8> = (0..total).map(|i| (i * 31 % 253) as u8).collect();
        let mut at = 0;
        let mut parts = Vec::new();
        let mut pieces: Vec<&[u8]> = Vec::new();
        for n in lens {
            parts.push(Part::Literal(long[at..at + n].into()));
            pieces.push(&long[at..at + n]);
            at += n;
        }
        let body = &long[at..at + body_len];
        parts.push(Part::Body);
        pieces.push(body);
        let header = |_: &http::HeaderName| -> &[u8] { &[] };
        let payload = Payload {
            body,
            timestamp: &[],
            event_id: &[],
            url: &[],
            form: None,
            header: &header,
        };
        let gathered = Gathered::new(payload.pieces(&parts).unwrap());
        let message = Message::Gathered(&gathered);
        let secret = Secret::from("pieces-key");
        [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512]
            .into_iter()
            .map(|alg| {
                let keys = Keys::new(alg, std::slice::from_ref(&secret)).unwrap();
                let (got, want) = match &keys {
                    Keys::Sha1(k) => (
                        k[0].tag(&message).to_vec(),
                        reference::<Hmac<Sha1>>(b"pieces-key", &pieces),
                    ),
                    Keys::Sha256(k) => (
                        k[0].tag(&message).to_vec(),
                        reference::<Hmac<Sha256>>(b"pieces-key", &pieces),
                    ),
                    Keys::Sha512(k) => (
                        k[0].tag(&message).to_vec(),
                        reference::<Hmac<Sha512>>(b"pieces-key", &pieces),
                    ),
                };
                (alg, got, want)
            })
            .collect()
    }

    /// Literal pieces of every length class around the block sizes (empty ones included),
    /// then bodies shorter than, equal to and longer than what is left of the block.
    #[test]
    fn piece_tags_match_the_hmac_crate() {
        let heads: [&[usize]; 11] = [
            &[],
            &[0],
            &[5, 0, 3],
            &[64, 0],
            &[1],
            &[7, 1],
            &[30, 1, 10, 1],
            &[63],
            &[64],
            &[60, 3, 2],
            &[100, 40, 1],
        ];
        for head in heads {
            for body_len in [0, 1, 21, 22, 23, 63, 64, 65, 127, 128, 129, 200, 256] {
                for (alg, got, want) in pieces_against_hmac(head, body_len) {
                    assert_eq!(got, want, "{alg:?} {head:?} {body_len}");
                }
            }
        }
    }

    proptest::proptest! {
        /// The same for random piece lengths (empty pieces, pieces around and beyond both
        /// block sizes).
        #[test]
        fn random_pieces_match_the_hmac_crate(
            lens in proptest::collection::vec(0usize..150, 0..6),
            body_len in 0usize..300,
        ) {
            for (alg, got, want) in pieces_against_hmac(&lens, body_len) {
                proptest::prop_assert_eq!(got, want, "{:?} {:?} {}", alg, lens, body_len);
            }
        }
    }

    #[test]
    fn small_copy_copies_exactly_the_source() {
        let src: Vec<u8> = (1..=128).collect();
        for len in 0..=128 {
            for extra in [0, 1, 9] {
                let mut dst = vec![0xee; len + extra];
                small_copy(&mut dst, &src[..len]);
                assert_eq!(&dst[..len], &src[..len], "{len}");
                assert!(dst[len..].iter().all(|b| *b == 0xee), "{len} {extra}");
            }
        }
    }

    /// A wiped state is keyed by the empty key: it computes that key's MACs, not the secret's.
    #[test]
    fn wiped_keys_no_longer_carry_the_secret() {
        let tag = |m: &HmacCore<Sha256>| core_tag(m, &[b"payload"]);
        let secret = Secret::from("wipe-me");
        let keys = Keys::new(Algorithm::Sha256, &[secret.clone(), secret]).unwrap();
        let Keys::Sha256(states) = &keys else {
            panic!("not SHA-256")
        };
        let mut states: Vec<HmacCore<Sha256>> = states.to_vec();
        assert!(states
            .iter()
            .all(|s| tag(s) == reference::<Hmac<Sha256>>(b"wipe-me", &[b"payload"])));
        wipe(&mut states);
        assert!(states
            .iter()
            .all(|s| tag(s) == reference::<Hmac<Sha256>>(b"", &[b"payload"])));
        assert_ne!(
            reference::<Hmac<Sha256>>(b"wipe-me", &[b"payload"]),
            reference::<Hmac<Sha256>>(b"", &[b"payload"])
        );
    }

    #[test]
    fn tokens_find_the_matching_index() {
        let tokens = Tokens::new(&[Secret::from("a"), Secret::from("b")]);
        assert_eq!(tokens.find(b"b"), Some(1));
        assert_eq!(tokens.find(b"c"), None);
    }

    #[test]
    fn ct_eq_compares_every_byte_and_the_length() {
        let a: Vec<u8> = (0..64).collect();
        for len in [20, 32, 64, 3, 0] {
            let x = &a[..len];
            assert!(bool::from(ct_eq(x, x)), "{len}");
            for i in 0..len {
                let mut y = x.to_vec();
                y[i] ^= 0x80;
                assert!(!bool::from(ct_eq(x, &y)), "{len} byte {i}");
            }
        }
        assert!(!bool::from(ct_eq(&a[..32], &a[..31])));
        assert!(!bool::from(ct_eq(&a[..0], &a[..1])));
    }
}
