//! Test support: signs deliveries the way each provider does, written independently of the
//! library (plain `hmac`/`sha1`/`sha2`/`ed25519-dalek` calls following the providers' docs, and
//! never the library's `Signer`), so that a library bug cannot hide behind a shared helper.
#![allow(dead_code)]

use base64::Engine as _;
use ed25519_dalek::Signer as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use webhook_guard::Verifier;

/// The public URL the Square test verifiers are configured with (and the test signer signs).
pub const SQUARE_URL: &str = "https://hooks.example.com/webhooks/square";
/// The public URL the Twilio test verifiers are configured with (and the test signer signs).
pub const TWILIO_URL: &str = "https://hooks.example.com/webhooks/twilio?tenant=7";

/// Where a provider's delivery id comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdSource {
    /// A header: present whatever the body.
    Header,
    /// The JSON body: absent when the body is not JSON.
    Body,
    /// The provider sends none.
    None,
}

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
    GitLab,
    Paddle,
    Linear,
    Zoom,
    Twitch,
    Square,
    Twilio,
    Intercom,
    Discord,
    /// Standard Webhooks `v1a` (Ed25519, `whpk_` public keys).
    StandardEd,
}

pub const ALL: [P; 16] = [
    P::Stripe,
    P::GitHub,
    P::Standard,
    P::Slack,
    P::Shopify,
    P::Generic,
    P::GitLab,
    P::Paddle,
    P::Linear,
    P::Zoom,
    P::Twitch,
    P::Square,
    P::Twilio,
    P::Intercom,
    P::Discord,
    P::StandardEd,
];

impl P {
    /// Whether a timestamp is signed (Linear's is in the body, the others' in a header).
    pub fn has_timestamp(self) -> bool {
        matches!(
            self,
            P::Stripe
                | P::Standard
                | P::Slack
                | P::Generic
                | P::Paddle
                | P::Linear
                | P::Zoom
                | P::Twitch
                | P::Discord
                | P::StandardEd
        )
    }

    /// Whether one header can carry several signatures.
    pub fn multi_signature(self) -> bool {
        matches!(
            self,
            P::Stripe | P::Standard | P::Generic | P::Paddle | P::StandardEd
        )
    }

    /// GitLab's token: the header is the secret, with no syntax of its own.
    pub fn is_token(self) -> bool {
        self == P::GitLab
    }

    /// Whether any bytes can be signed (Linear needs its JSON timestamp, Twilio a form).
    pub fn signs_raw_bytes(self) -> bool {
        !matches!(self, P::Linear | P::Twilio)
    }

    /// Takes `body_with_id` bodies as they are and reports their id: the presets the adapter
    /// tests drive with JSON (every preset goes through both adapters in `conformance.rs`).
    pub fn json_with_id(self) -> bool {
        self.signs_raw_bytes() && self.id_source() != IdSource::None
    }

    pub fn id_source(self) -> IdSource {
        match self {
            P::Stripe | P::Slack | P::Square | P::Paddle | P::Intercom | P::Discord => {
                IdSource::Body
            }
            P::Zoom => IdSource::None,
            _ => IdSource::Header,
        }
    }

    /// The tolerance of the verifiers built by [`P::verifier`]: the preset default, except
    /// Paddle's 5 s, widened to 60 s for tests that run against the real clock.
    pub fn tolerance(self) -> u64 {
        match self {
            P::Paddle | P::Linear => 60,
            P::Twitch => 600,
            _ => 300,
        }
    }

    /// A valid body for this provider carrying `id` (and Linear's `webhookTimestamp`).
    pub fn body(self, id: &str, ts: u64) -> Vec<u8> {
        match self {
            P::Linear => format!(
                r#"{{"id":"{id}","event_id":"{id}","type":"Issue","webhookTimestamp":{},"data":{{"n":1}}}}"#,
                ts * 1000 + 123
            )
            .into_bytes(),
            P::Twilio => format!(
                "CallSid=CA{id}&From=%2B14155550100&To=%2B14155550199&Body=hello+w%C3%B6rld&Digits=1&Digits=1"
            )
            .into_bytes(),
            _ => body_with_id(id),
        }
    }

    /// A valid body of exactly `len` bytes (at least 64).
    pub fn sized_body(self, len: usize, ts: u64) -> Vec<u8> {
        let mut body = match self {
            P::Linear => format!(r#"{{"webhookTimestamp":{},"pad":""#, ts * 1000).into_bytes(),
            P::Twilio => b"pad=".to_vec(),
            _ => Vec::new(),
        };
        let tail: &[u8] = if self == P::Linear { b"\"}" } else { b"" };
        body.resize(len - tail.len(), b'a');
        body.extend_from_slice(tail);
        body
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
            P::GitLab => "X-Gitlab-Token",
            P::Paddle => "Paddle-Signature",
            P::Linear => "Linear-Signature",
            P::Zoom => "x-zm-signature",
            P::Twitch => "Twitch-Eventsub-Message-Signature",
            P::Square => "x-square-hmacsha256-signature",
            P::Twilio => "X-Twilio-Signature",
            P::Intercom => "X-Hub-Signature",
            P::Discord => "X-Signature-Ed25519",
            P::StandardEd => "webhook-signature",
        }
    }

    pub fn timestamp_header(self) -> Option<&'static str> {
        match self {
            P::Standard => Some("webhook-timestamp"),
            P::Slack => Some("X-Slack-Request-Timestamp"),
            P::Generic => Some("X-Timestamp"),
            P::Zoom => Some("x-zm-request-timestamp"),
            P::Twitch => Some("Twitch-Eventsub-Message-Timestamp"),
            P::Discord => Some("X-Signature-Timestamp"),
            P::StandardEd => Some("webhook-timestamp"),
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
            P::Paddle => format!("pdl_ntfset_{raw}"),
            // Ed25519 private keys: a 32-byte seed (hex for Discord, `whsk_` for v1a).
            P::Discord => hex::encode(Sha256::digest(raw.as_bytes())),
            P::StandardEd => format!(
                "whsk_{}",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(raw.as_bytes()))
            ),
            _ => raw,
        }
    }

    /// The Ed25519 key pair behind an Ed25519 test secret.
    fn ed_key(self, secret: &str) -> ed25519_dalek::SigningKey {
        let seed: Vec<u8> = match self {
            P::Discord => hex::decode(secret).unwrap(),
            _ => base64::engine::general_purpose::STANDARD
                .decode(secret.strip_prefix("whsk_").unwrap())
                .unwrap(),
        };
        ed25519_dalek::SigningKey::from_bytes(&seed.try_into().unwrap())
    }

    /// What the verifier is configured with for the test secret: the secret itself, or the
    /// public key of an Ed25519 private key.
    pub fn verifier_key(self, secret: &str) -> String {
        let public = || self.ed_key(secret).verifying_key().to_bytes();
        match self {
            P::Discord => hex::encode(public()),
            P::StandardEd => format!(
                "whpk_{}",
                base64::engine::general_purpose::STANDARD.encode(public())
            ),
            _ => secret.to_string(),
        }
    }

    pub fn verifier(self, secrets: &[String]) -> Verifier {
        self.verifier_opts(secrets, Opts::default())
    }

    /// A verifier for `secrets` with non-default settings.
    pub fn verifier_opts(self, secrets: &[String], o: Opts) -> Verifier {
        let keys: Vec<String> = secrets.iter().map(|s| self.verifier_key(s)).collect();
        let (first, rest) = keys.split_first().unwrap();
        macro_rules! finish {
            ($b:expr) => {{
                let mut b = $b.secrets(rest);
                if self == P::Paddle {
                    b = b.tolerance(std::time::Duration::from_secs(self.tolerance()));
                }
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
            P::GitLab => finish!(Verifier::gitlab(first.as_str())),
            P::Paddle => finish!(Verifier::paddle(first.as_str())),
            P::Linear => finish!(Verifier::linear(first.as_str())),
            P::Zoom => finish!(Verifier::zoom(first.as_str())),
            P::Twitch => finish!(Verifier::twitch(first.as_str())),
            P::Square => finish!(Verifier::square(first.as_str(), SQUARE_URL)),
            P::Twilio => finish!(Verifier::twilio(first.as_str(), TWILIO_URL)),
            P::Intercom => finish!(Verifier::intercom(first.as_str())),
            P::Discord => finish!(Verifier::discord(first.as_str())),
            P::StandardEd => finish!(Verifier::standard_webhooks(first.as_str())),
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
            P::GitLab => "gitlab",
            P::Paddle => "paddle",
            P::Linear => "linear",
            P::Zoom => "zoom",
            P::Twitch => "twitch",
            P::Square => "square",
            P::Twilio => "twilio",
            P::Intercom => "intercom",
            P::Discord => "discord",
            P::StandardEd => "standard-webhooks",
        }
    }

    /// The timestamp as the provider writes it in its header.
    pub fn ts_text(self, ts: u64) -> String {
        match self {
            P::Twitch => rfc3339_nanos(ts),
            _ => ts.to_string(),
        }
    }

    /// The raw MAC the provider computes with `secret` (in provider form).
    pub fn mac(self, secret: &str, body: &[u8], ts: u64, id: &str) -> Vec<u8> {
        let ts_text = self.ts_text(ts);
        match self {
            P::GitLab => return secret.as_bytes().to_vec(),
            P::Discord => {
                let msg = [ts_text.as_bytes(), body].concat();
                return self.ed_key(secret).sign(&msg).to_bytes().to_vec();
            }
            P::StandardEd => {
                let msg = [id.as_bytes(), b".", ts_text.as_bytes(), b".", body].concat();
                return self.ed_key(secret).sign(&msg).to_bytes().to_vec();
            }
            P::Twilio | P::Intercom => {
                let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
                if self == P::Twilio {
                    mac.update(TWILIO_URL.as_bytes());
                    // Not a form: sign something; the verifier refuses the body before any MAC.
                    mac.update(&twilio_canonical(body).unwrap_or_else(|| body.to_vec()));
                } else {
                    mac.update(body);
                }
                return mac.finalize().into_bytes().to_vec();
            }
            _ => {}
        }
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
            P::Paddle => {
                mac.update(ts.as_bytes());
                mac.update(b":");
            }
            P::Zoom => {
                mac.update(b"v0:");
                mac.update(ts.as_bytes());
                mac.update(b":");
            }
            P::Twitch => {
                mac.update(id.as_bytes());
                mac.update(ts_text.as_bytes());
            }
            P::Square => mac.update(SQUARE_URL.as_bytes()),
            _ => {}
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
            P::GitLab => String::from_utf8(mac.to_vec()).unwrap(),
            P::Paddle => format!("h1={}", hex::encode(mac)),
            P::Linear => hex::encode(mac),
            P::Zoom => format!("v0={}", hex::encode(mac)),
            P::Twitch => format!("sha256={}", hex::encode(mac)),
            P::Square | P::Twilio => base64::engine::general_purpose::STANDARD.encode(mac),
            P::Intercom => format!("sha1={}", hex::encode(mac)),
            P::Discord => hex::encode(mac),
            P::StandardEd => format!(
                "v1a,{}",
                base64::engine::general_purpose::STANDARD.encode(mac)
            ),
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
            P::GitLab => vec![
                h("X-Gitlab-Token", sigs.join(",")),
                h("Idempotency-Key", id.into()),
                h("X-Gitlab-Event", "Push Hook".into()),
            ],
            P::Paddle => vec![h(
                "Paddle-Signature",
                format!("ts={ts_s};{}", sigs.join(";")),
            )],
            P::Linear => vec![
                h("Linear-Signature", sigs.join(",")),
                h("Linear-Delivery", id.into()),
            ],
            P::Zoom => vec![
                h("x-zm-request-timestamp", ts_s),
                h("x-zm-signature", sigs.join(",")),
            ],
            P::Twitch => vec![
                h("Twitch-Eventsub-Message-Id", id.into()),
                h("Twitch-Eventsub-Message-Timestamp", self.ts_text(ts)),
                h("Twitch-Eventsub-Message-Signature", sigs.join(",")),
                h("Twitch-Eventsub-Message-Type", "notification".into()),
            ],
            P::Square => vec![h("x-square-hmacsha256-signature", sigs.join(","))],
            P::Twilio => vec![
                h("X-Twilio-Signature", sigs.join(",")),
                h("I-Twilio-Idempotency-Token", id.into()),
            ],
            P::Intercom => vec![h("X-Hub-Signature", sigs.join(","))],
            P::Discord => vec![
                h("X-Signature-Ed25519", sigs.join(",")),
                h("X-Signature-Timestamp", ts_s),
            ],
            P::StandardEd => vec![
                h("webhook-id", id.into()),
                h("webhook-timestamp", ts_s),
                h("webhook-signature", sigs.join(" ")),
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

/// Twilio's canonical parameter string, written independently of the library: decode each
/// `name=value` (`+` is a space, `%XX` a byte), sort the pairs, drop repeats, concatenate.
/// `None` if the body is not a strict form.
pub fn twilio_canonical(body: &[u8]) -> Option<Vec<u8>> {
    fn decode(s: &str) -> Option<String> {
        let mut out = Vec::new();
        let mut bytes = s.bytes();
        while let Some(b) = bytes.next() {
            match b {
                b'+' => out.push(b' '),
                b'%' => {
                    let (hi, lo) = (bytes.next()?, bytes.next()?);
                    if !hi.is_ascii_hexdigit() || !lo.is_ascii_hexdigit() {
                        return None;
                    }
                    let hex = [hi, lo];
                    out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
                }
                b => out.push(b),
            }
        }
        String::from_utf8(out).ok()
    }
    let text = std::str::from_utf8(body).ok()?;
    let mut pairs = Vec::new();
    if !text.is_empty() {
        for item in text.split('&') {
            let (k, v) = item.split_once('=')?;
            if k.is_empty() {
                return None;
            }
            pairs.push((decode(k)?, decode(v)?));
        }
    }
    pairs.sort();
    pairs.dedup();
    Some(
        pairs
            .into_iter()
            .flat_map(|(k, v)| [k, v])
            .collect::<String>()
            .into_bytes(),
    )
}

/// RFC 3339 with nanoseconds and `Z`, as Twitch writes it (`2023-07-19T10:11:12.123456789Z`),
/// computed from the civil calendar by hand.
pub fn rfc3339_nanos(ts: u64) -> String {
    let days = (ts / 86_400) as i64;
    let secs = ts % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.123456789Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}
