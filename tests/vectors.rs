//! Every vector in `tests/data/vectors.json` (published by the providers' docs and SDK test
//! suites, or computed per the documented algorithm and accepted by the provider's own SDK: each
//! entry's `source` says which; see `tests/data/VECTORS.md`) through `verify_at` with each
//! preset's default tolerance, and through the library's `Signer`, which must reproduce them.

use serde_json::Value;
use webhook_guard::{Encoding, Signer, Verifier};

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} missing"))
}

fn verifier_for(provider: &str, secret: &str, url: Option<&str>) -> Verifier {
    let url = || {
        url.expect("this provider's vectors carry a url")
            .to_string()
    };
    let built = match provider {
        "github" => Verifier::github(secret).build(),
        "stripe" => Verifier::stripe(secret).build(),
        "standard" => Verifier::standard_webhooks(secret).build(),
        "slack" => Verifier::slack(secret).build(),
        "shopify" => Verifier::shopify(secret).build(),
        "gitlab" => Verifier::gitlab(secret).build(),
        "paddle" => Verifier::paddle(secret).build(),
        "linear" => Verifier::linear(secret).build(),
        "zoom" => Verifier::zoom(secret).build(),
        "twitch" => Verifier::twitch(secret).build(),
        "square" => Verifier::square(secret, url()).build(),
        "twilio" => Verifier::twilio(secret, url()).build(),
        "intercom" => Verifier::intercom(secret).build(),
        "discord" => Verifier::discord(secret).build(),
        "hmac-sha256-hex" => Verifier::hmac("hmac-sha256-hex", secret)
            .signature_header("X-Signature")
            .encoding(Encoding::Hex)
            .build(),
        other => panic!("no verifier for provider {other:?}: add it to this test"),
    };
    built.unwrap_or_else(|e| panic!("{provider}: {e}"))
}

fn vectors() -> Vec<Value> {
    let raw = include_str!("data/vectors.json");
    let doc: Value = serde_json::from_str(raw).unwrap();
    doc["vectors"].as_array().unwrap().clone()
}

fn headers_of(v: &Value) -> Vec<(String, String)> {
    v["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn published_vectors() {
    let vectors = vectors();
    assert!(vectors.len() >= 45, "expected the whole vector file");
    let mut checked = 0;
    for (i, v) in vectors.iter().enumerate() {
        let provider = str_of(v, "provider");
        let name = format!("vector #{i} ({provider}: {})", str_of(v, "source"));
        let verifier = verifier_for(provider, str_of(v, "secret"), v["url"].as_str());
        let headers = headers_of(v);
        let body = str_of(v, "body").as_bytes();
        // Providers that sign no timestamp: any clock will do.
        let now = v["now"].as_u64().unwrap_or(1_700_000_000);
        let result = verifier.verify_at(&headers, body, now);
        match str_of(v, "expect") {
            "valid" => {
                let verified = result.unwrap_or_else(|e| panic!("{name}: rejected: {e}"));
                let sent = headers.iter().find_map(|(k, v)| {
                    let k = k.to_ascii_lowercase();
                    if k.ends_with("timestamp") {
                        v.parse::<u64>().ok()
                    } else if k == "stripe-signature" || k == "paddle-signature" {
                        v.split([',', ';']).find_map(|i| {
                            i.strip_prefix("t=")
                                .or_else(|| i.strip_prefix("ts="))?
                                .parse()
                                .ok()
                        })
                    } else {
                        None
                    }
                });
                match provider {
                    // RFC 3339 header / body-borne milliseconds: the vector's `now` is that second.
                    "twitch" | "linear" => assert_eq!(verified.timestamp(), Some(now), "{name}"),
                    _ => assert_eq!(verified.timestamp(), sent, "{name}"),
                }
            }
            "invalid" => assert!(result.is_err(), "{name}: accepted but should be rejected"),
            other => panic!("{name}: unknown expectation {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, vectors.len());
}

/// The `Signer` built from the same preset writes exactly the vector's signature header: for
/// HMAC schemes (deterministic) and for Ed25519 (deterministic too, from the private key the
/// vector was made with).
#[test]
fn signer_reproduces_vectors() {
    let mut reproduced = Vec::new();
    let all = vectors();
    for (i, v) in all.iter().enumerate() {
        let provider = str_of(v, "provider");
        let source = str_of(v, "source");
        if str_of(v, "expect") != "valid" || source.contains("port") {
            continue; // the signer signs the URL as configured, not Twilio's port variants
        }
        let name = format!("vector #{i} ({provider}: {source})");
        let headers = headers_of(v);
        let body = str_of(v, "body").as_bytes();
        let secret = str_of(v, "secret");
        let url = v["url"].as_str().map(String::from);
        let (signer, sig_header, ts, id) = match provider {
            "github" => {
                let h = "X-Hub-Signature-256";
                (Verifier::github(secret).build_signer(), h, 0, "d")
            }
            "slack" => (
                Verifier::slack(secret).build_signer(),
                "X-Slack-Signature",
                v["now"].as_u64().unwrap(),
                "-",
            ),
            "zoom" => (
                Verifier::zoom(secret).build_signer(),
                "x-zm-signature",
                v["now"].as_u64().unwrap(),
                "-",
            ),
            "paddle" => (
                Verifier::paddle(secret).build_signer(),
                "Paddle-Signature",
                v["now"].as_u64().unwrap() - 1,
                "-",
            ),
            "linear" => (
                Verifier::linear(secret).build_signer(),
                "Linear-Signature",
                0,
                "-",
            ),
            "square" => (
                Verifier::square(secret, url.unwrap()).build_signer(),
                "x-square-hmacsha256-signature",
                0,
                "-",
            ),
            "twilio" => (
                Verifier::twilio(secret, url.unwrap()).build_signer(),
                "X-Twilio-Signature",
                0,
                "-",
            ),
            "intercom" => (
                Verifier::intercom(secret).build_signer(),
                "X-Hub-Signature",
                0,
                "-",
            ),
            "gitlab" => (
                Verifier::gitlab(secret).build_signer(),
                "X-Gitlab-Token",
                0,
                "-",
            ),
            "discord" => (
                Signer::discord(str_of(v, "private_key")),
                "X-Signature-Ed25519",
                v["now"].as_u64().unwrap(),
                "-",
            ),
            "standard"
                if header(&headers, "webhook-id").is_some()
                    && !header(&headers, "webhook-signature")
                        .unwrap_or("")
                        .contains(' ') =>
            {
                (
                    Verifier::standard_webhooks(secret).build_signer(),
                    "webhook-signature",
                    v["now"].as_u64().unwrap(),
                    header(&headers, "webhook-id").unwrap(),
                )
            }
            "standard" if v["private_key"].is_string() => {
                // The v1a half of a "v1 ... v1a ..." header.
                let signer = Verifier::standard_webhooks(str_of(v, "private_key"))
                    .build_signer()
                    .unwrap();
                let signed = signer
                    .sign(
                        body,
                        v["now"].as_u64().unwrap(),
                        header(&headers, "webhook-id").unwrap(),
                    )
                    .unwrap();
                let ours = signed[2].1.to_str().unwrap();
                let theirs = header(&headers, "webhook-signature").unwrap();
                assert!(
                    theirs.split(' ').any(|s| s == ours),
                    "{name}: {ours} not in {theirs}"
                );
                assert_eq!(signer.public_key().as_deref(), Some(secret), "{name}");
                reproduced.push(provider);
                continue;
            }
            _ => continue,
        };
        let signer = signer.unwrap_or_else(|e| panic!("{name}: {e}"));
        let signed = signer
            .sign(body, ts, id)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours = signed
            .iter()
            .find(|(k, _)| k.as_str().eq_ignore_ascii_case(sig_header))
            .map(|(_, v)| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("{name}: no {sig_header}"));
        assert_eq!(Some(ours), header(&headers, sig_header), "{name}");
        if provider == "discord" {
            assert_eq!(signer.public_key().as_deref(), Some(secret), "{name}");
        }
        reproduced.push(provider);
    }
    for p in [
        "github", "slack", "standard", "square", "twilio", "paddle", "linear", "zoom", "intercom",
        "gitlab", "discord",
    ] {
        assert!(reproduced.contains(&p), "no vector of {p} was reproduced");
    }
}
