//! Test support: signs deliveries the way each provider does, written independently of the
//! library (plain `hmac`/`sha2` calls following the providers' docs), so that a library bug
//! cannot hide behind a shared helper.
#![allow(dead_code)]

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use webhook_guard::Verifier;

/// Settings that differ from the defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opts {
    pub tolerance: Option<std::time::Duration>,
    pub max_body: Option<usize>,
}

/// A fixed "now" for deterministic tests.
pub const NOW: u64 = 1_700_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum P {
    Stripe,
    GitHub,
    Standard,
    Slack,
    Shopify,
    /// Generic HMAC: `X-Signature: sha256=<hex>[,sha256=<hex>]` over `"{X-Timestamp}.{body}"`.
    Generic,
}

pub const ALL: [P; 6] = [
    P::Stripe,
    P::GitHub,
    P::Standard,
    P::Slack,
    P::Shopify,
    P::Generic,
];

impl P {
    pub fn has_timestamp(self) -> bool {
        matches!(self, P::Stripe | P::Standard | P::Slack | P::Generic)
    }

    /// Whether one header can carry several signatures.
    pub fn multi_signature(self) -> bool {
        matches!(self, P::Stripe | P::Standard | P::Generic)
    }

    /// The header that carries the signature.
    pub fn signature_header(self) -> &'static str {
        match self {
            P::Stripe => "Stripe-Signature",
            P::GitHub => "X-Hub-Signature-256",
            P::Standard => "webhook-signature",
            P::Slack => "X-Slack-Signature",
            P::Shopify => "X-Shopify-Hmac-Sha256",
            P::Generic => "X-Signature",
        }
    }

    pub fn timestamp_header(self) -> Option<&'static str> {
        match self {
            P::Standard => Some("webhook-timestamp"),
            P::Slack => Some("X-Slack-Request-Timestamp"),
            P::Generic => Some("X-Timestamp"),
            _ => None,
        }
    }

    /// The n-th test secret, in the form the provider hands out.
    pub fn secret(self, n: usize) -> String {
        let raw = format!("test-secret-{n}-for-{self:?}");
        match self {
            P::Standard => format!(
                "whsec_{}",
                base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
            ),
            P::Stripe => format!("whsec_{raw}"),
            _ => raw,
        }
    }

    pub fn verifier(self, secrets: &[String]) -> Verifier {
        self.verifier_opts(secrets, Opts::default())
    }

    /// A verifier for `secrets` with non-default settings.
    pub fn verifier_opts(self, secrets: &[String], o: Opts) -> Verifier {
        let (first, rest) = secrets.split_first().unwrap();
        macro_rules! finish {
            ($b:expr) => {{
                let mut b = $b.secrets(rest);
                if let Some(t) = o.tolerance {
                    b = b.tolerance(t);
                }
                if let Some(m) = o.max_body {
                    b = b.max_body_size(m);
                }
                b.build()
            }};
        }
        let v = match self {
            P::Stripe => finish!(Verifier::stripe(first.as_str())),
            P::GitHub => finish!(Verifier::github(first.as_str())),
            P::Standard => finish!(Verifier::standard_webhooks(first.as_str())),
            P::Slack => finish!(Verifier::slack(first.as_str())),
            P::Shopify => finish!(Verifier::shopify(first.as_str())),
            P::Generic => finish!(Verifier::hmac("acme", first.as_str())
                .signature_header("X-Signature")
                .signature_prefix("sha256=")
                .signature_separator(',')
                .timestamp_header("X-Timestamp")
                .sign_timestamp_then_body(".")
                .event_id_header("X-Acme-Id")),
        };
        v.unwrap()
    }

    /// The name the verifier reports (`Provider::name`).
    pub fn name(self) -> &'static str {
        match self {
            P::Stripe => "stripe",
            P::GitHub => "github",
            P::Standard => "standard-webhooks",
            P::Slack => "slack",
            P::Shopify => "shopify",
            P::Generic => "acme",
        }
    }

    /// The raw MAC the provider computes with `secret` (in provider form).
    pub fn mac(self, secret: &str, body: &[u8], ts: u64, id: &str) -> Vec<u8> {
        let key: Vec<u8> = match self {
            P::Standard => base64::engine::general_purpose::STANDARD
                .decode(secret.strip_prefix("whsec_").unwrap())
                .unwrap(),
            _ => secret.as_bytes().to_vec(),
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        let ts = ts.to_string();
        match self {
            P::Stripe | P::Generic => {
                mac.update(ts.as_bytes());
                mac.update(b".");
            }
            P::Standard => {
                mac.update(id.as_bytes());
                mac.update(b".");
                mac.update(ts.as_bytes());
                mac.update(b".");
            }
            P::Slack => {
                mac.update(b"v0:");
                mac.update(ts.as_bytes());
                mac.update(b":");
            }
            P::GitHub | P::Shopify => {}
        }
        mac.update(body);
        mac.finalize().into_bytes().to_vec()
    }

    /// Encodes one signature as it appears in the header.
    pub fn encode_sig(self, mac: &[u8]) -> String {
        match self {
            P::Stripe => format!("v1={}", hex::encode(mac)),
            P::GitHub => format!("sha256={}", hex::encode(mac)),
            P::Standard => format!(
                "v1,{}",
                base64::engine::general_purpose::STANDARD.encode(mac)
            ),
            P::Slack => format!("v0={}", hex::encode(mac)),
            P::Shopify => base64::engine::general_purpose::STANDARD.encode(mac),
            P::Generic => format!("sha256={}", hex::encode(mac)),
        }
    }

    /// Headers of a delivery carrying the given raw MACs, in order.
    pub fn headers_with_macs(self, macs: &[Vec<u8>], ts: u64, id: &str) -> Vec<(String, String)> {
        let sigs: Vec<String> = macs.iter().map(|m| self.encode_sig(m)).collect();
        let ts_s = ts.to_string();
        let h = |k: &str, v: String| (k.to_string(), v);
        match self {
            P::Stripe => vec![h(
                "Stripe-Signature",
                format!("t={ts_s},{}", sigs.join(",")),
            )],
            P::GitHub => vec![
                h("X-Hub-Signature-256", sigs.join(",")),
                h("X-GitHub-Delivery", id.into()),
            ],
            P::Standard => vec![
                h("webhook-id", id.into()),
                h("webhook-timestamp", ts_s),
                h("webhook-signature", sigs.join(" ")),
            ],
            P::Slack => vec![
                h("X-Slack-Request-Timestamp", ts_s),
                h("X-Slack-Signature", sigs.join(",")),
            ],
            P::Shopify => vec![
                h("X-Shopify-Hmac-Sha256", sigs.join(",")),
                h("X-Shopify-Webhook-Id", id.into()),
            ],
            P::Generic => vec![
                h("X-Timestamp", ts_s),
                h("X-Signature", sigs.join(",")),
                h("X-Acme-Id", id.into()),
            ],
        }
    }

    /// Headers of a delivery correctly signed with `secret`.
    pub fn sign(self, secret: &str, body: &[u8], ts: u64, id: &str) -> Vec<(String, String)> {
        self.headers_with_macs(&[self.mac(secret, body, ts, id)], ts, id)
    }
}

/// A typical JSON body carrying ids where Stripe and Slack put them.
pub fn body_with_id(id: &str) -> Vec<u8> {
    format!(r#"{{"id":"{id}","event_id":"{id}","type":"test","data":{{"n":1}}}}"#).into_bytes()
}
