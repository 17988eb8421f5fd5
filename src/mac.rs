//! Keyed MAC state, built once per secret, cloned per request.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use subtle::{Choice, ConstantTimeEq};

use crate::error::ConfigError;
use crate::secret::Secret;

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

/// One keyed HMAC state per secret, for one algorithm.
#[derive(Clone)]
pub(crate) enum Keys {
    Sha1(Box<[Hmac<Sha1>]>),
    Sha256(Box<[Hmac<Sha256>]>),
    Sha512(Box<[Hmac<Sha512>]>),
}

fn keyed<M: KeyInit>(secrets: &[Secret]) -> Result<Box<[M]>, ConfigError> {
    secrets
        .iter()
        .enumerate()
        .map(|(index, s)| {
            M::new_from_slice(s.expose()).map_err(|_| ConfigError::EmptySecret { index })
        })
        .collect()
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

    /// Computes one MAC per secret over what `feed` writes, and compares it in constant time with
    /// every candidate. Returns the index of the first secret that matched any candidate, and
    /// the first bytes of the matching MAC (a fingerprint of the signed content).
    pub(crate) fn find_match<F, C>(&self, feed: F, candidates: C) -> Option<(usize, Fingerprint)>
    where
        F: Fn(&mut dyn FnMut(&[u8])),
        C: Fn(&mut dyn FnMut(&[u8])),
    {
        match self {
            Keys::Sha1(keys) => find::<Hmac<Sha1>, _, _>(keys, feed, candidates),
            Keys::Sha256(keys) => find::<Hmac<Sha256>, _, _>(keys, feed, candidates),
            Keys::Sha512(keys) => find::<Hmac<Sha512>, _, _>(keys, feed, candidates),
        }
    }
}

/// The first 16 bytes of a matching MAC: it identifies the signed content (the sender put the
/// whole MAC in its header, so it is no secret).
pub(crate) type Fingerprint = [u8; 16];

fn find<M, F, C>(keys: &[M], feed: F, candidates: C) -> Option<(usize, Fingerprint)>
where
    M: Mac + Clone,
    F: Fn(&mut dyn FnMut(&[u8])),
    C: Fn(&mut dyn FnMut(&[u8])),
{
    for (index, key) in keys.iter().enumerate() {
        let mut mac = key.clone();
        feed(&mut |chunk: &[u8]| mac.update(chunk));
        let tag = mac.finalize().into_bytes();
        let tag: &[u8] = tag.as_slice();
        let mut matched = Choice::from(0);
        candidates(&mut |candidate: &[u8]| {
            // Lengths are public (they are fixed by the algorithm); contents are compared in
            // constant time. `ct_eq` on slices of different lengths is false.
            matched |= tag.ct_eq(candidate);
        });
        if bool::from(matched) {
            let mut fingerprint = [0; 16];
            // Every supported MAC is at least 20 bytes long.
            if let Some(head) = tag.get(..16) {
                fingerprint.copy_from_slice(head);
            }
            return Some((index, fingerprint));
        }
    }
    None
}
