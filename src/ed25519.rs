//! Ed25519 public keys (feature `ed25519`): Standard Webhooks `v1a` and Discord interactions.
//!
//! Public keys are not secrets, but they follow the same rotation model as secrets: several may
//! be configured, and [`Verified::secret_index`](crate::Verified::secret_index) says which one
//! matched. Verification streams the signed pieces into `ed25519-dalek`'s incremental verifier,
//! so the body is never copied; weak (small-order) public keys are refused at build time.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use crate::mac::{Feed, Fingerprint};

/// Public keys, each with its position among all the keys given to the builder.
#[derive(Clone)]
pub(crate) struct EdKeys {
    keys: Box<[(usize, VerifyingKey)]>,
}

impl EdKeys {
    pub(crate) fn new(keys: Vec<(usize, VerifyingKey)>) -> Self {
        EdKeys {
            keys: keys.into_boxed_slice(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The position of the first key that produced any candidate signature over what `feed`
    /// writes, and the first bytes of that signature. Each candidate must already be exactly 64
    /// bytes.
    pub(crate) fn find(
        &self,
        feed: Feed<'_>,
        candidates: Feed<'_>,
    ) -> Option<(usize, Fingerprint)> {
        for (position, key) in self.keys.iter() {
            let mut matched = None;
            candidates(&mut |sig: &[u8]| {
                if matched.is_some() {
                    return;
                }
                let mut fingerprint = [0; 16];
                if let Some(head) = sig.get(..16) {
                    fingerprint.copy_from_slice(head);
                }
                let Ok(sig) = Signature::from_slice(sig) else {
                    return;
                };
                // Refuses non-canonical `s` before hashing anything.
                let Ok(mut verifier) = key.verify_stream(&sig) else {
                    return;
                };
                feed(&mut |chunk: &[u8]| verifier.update(chunk));
                if verifier.finalize_and_verify().is_ok() {
                    matched = Some(fingerprint);
                }
            });
            if let Some(fingerprint) = matched {
                return Some((*position, fingerprint));
            }
        }
        None
    }
}

/// A 32-byte public key that is not of small order.
pub(crate) fn public_key(bytes: &[u8]) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = bytes.try_into().ok()?;
    let key = VerifyingKey::from_bytes(&bytes).ok()?;
    (!key.is_weak()).then_some(key)
}

/// A private key: the 32-byte seed, or the 64-byte `seed || public key` form (whose public half
/// must match).
pub(crate) fn signing_key(bytes: &[u8]) -> Option<SigningKey> {
    match bytes.len() {
        32 => {
            let seed: [u8; 32] = bytes.try_into().ok()?;
            Some(SigningKey::from_bytes(&seed))
        }
        64 => {
            let pair: [u8; 64] = bytes.try_into().ok()?;
            SigningKey::from_keypair_bytes(&pair).ok()
        }
        _ => None,
    }
}

/// Signs `message` (the signer only; verification never copies the body).
pub(crate) fn sign(key: &SigningKey, message: &[u8]) -> Vec<u8> {
    use ed25519_dalek::Signer as _;
    key.sign(message).to_bytes().to_vec()
}
