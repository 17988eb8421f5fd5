//! Every published vector in `tests/data/vectors.json` (copied from the provider docs and SDK test
//! suites named in each entry's `source`) through `verify_at`, with a 300 s tolerance.

use serde_json::Value;
use webhook_guard::{Encoding, Verifier};

fn verifier_for(provider: &str, secret: &str) -> Verifier {
    let built = match provider {
        "github" => Verifier::github(secret).build(),
        "stripe" => Verifier::stripe(secret).build(),
        "standard" => Verifier::standard_webhooks(secret).build(),
        "slack" => Verifier::slack(secret).build(),
        "shopify" => Verifier::shopify(secret).build(),
        "hmac-sha256-hex" => Verifier::hmac("hmac-sha256-hex", secret)
            .signature_header("X-Signature")
            .encoding(Encoding::Hex)
            .build(),
        other => panic!("no verifier for provider {other:?}: add it to this test"),
    };
    built.unwrap_or_else(|e| panic!("{provider}: {e}"))
}

#[test]
fn published_vectors() {
    let raw = include_str!("data/vectors.json");
    let doc: Value = serde_json::from_str(raw).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 17, "expected the whole vector file");
    let mut checked = 0;
    for (i, v) in vectors.iter().enumerate() {
        let provider = v["provider"].as_str().unwrap();
        let source = v["source"].as_str().unwrap();
        let name = format!("vector #{i} ({provider}: {source})");
        let verifier = verifier_for(provider, v["secret"].as_str().unwrap());
        let headers: Vec<(String, String)> = v["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let body = v["body"].as_str().unwrap().as_bytes();
        // Providers that sign no timestamp: any clock will do.
        let now = v["now"].as_u64().unwrap_or(1_700_000_000);
        let result = verifier.verify_at(&headers, body, now);
        match v["expect"].as_str().unwrap() {
            "valid" => {
                let verified = result.unwrap_or_else(|e| panic!("{name}: rejected: {e}"));
                if let Some(ts) = v["now"].as_u64() {
                    let sent: u64 = headers
                        .iter()
                        .find_map(|(k, v)| {
                            let k = k.to_ascii_lowercase();
                            if k.ends_with("timestamp") {
                                v.parse().ok()
                            } else if k == "stripe-signature" {
                                v.split(',')
                                    .find_map(|i| i.strip_prefix("t=")?.parse().ok())
                            } else {
                                None
                            }
                        })
                        .unwrap();
                    assert_eq!(verified.timestamp(), Some(sent), "{name}");
                    let _ = ts;
                }
            }
            "invalid" => assert!(result.is_err(), "{name}: accepted but should be rejected"),
            other => panic!("{name}: unknown expectation {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, vectors.len());
}
