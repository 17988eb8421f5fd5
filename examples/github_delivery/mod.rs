//! The GitHub delivery that `dedupe_overhead` and `dedupe_cold` send through the Tower layer: a
//! 4 KiB body signed in `X-Hub-Signature-256`, with a new `X-GitHub-Delivery` id for every
//! request (GitHub does not sign it), so that each one is a first delivery: one reserve and one
//! commit.

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::Full;
use sha2::Sha256;

/// The body and its signature, computed once.
pub struct GitHubDelivery {
    body: Bytes,
    signature: String,
}

impl GitHubDelivery {
    /// A 4 KiB body signed with `secret`.
    pub fn new(secret: &str) -> Option<Self> {
        let body = Bytes::from(vec![b'a'; 4096]);
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
        mac.update(&body);
        let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        Some(GitHubDelivery { body, signature })
    }

    /// The delivery as a request with the delivery id `id`.
    pub fn request(&self, id: String) -> Option<http::Request<Full<Bytes>>> {
        http::Request::post("/")
            .header("x-hub-signature-256", &self.signature)
            .header("x-github-delivery", id)
            .header("content-type", "application/json")
            .body(Full::new(self.body.clone()))
            .ok()
    }
}
