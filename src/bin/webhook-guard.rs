//! `webhook-guard sign`: signed test deliveries for any preset, without the provider.
//!
//! ```text
//! webhook-guard sign <provider> --secret S --body FILE [--url U] [--id ID] [--timestamp T]
//!                    [--send URL | --curl URL]
//! ```
//!
//! Without `--send`/`--curl` it prints the signed headers (`Name: value`, one a line). `--curl`
//! prints a ready `curl` command; `--send` posts the delivery to an `http://` loopback URL and
//! prints the answer. Signing uses the library's [`Signer`], built from the same preset
//! configuration the verifiers use.
//!
//! Design notes: arguments are parsed by hand (six flags; `clap` would add more compile time
//! than this whole tool on a small machine); `--send` speaks a minimal blocking HTTP/1.1 over
//! `std::net::TcpStream` (`Connection: close`, loopback only), which is all a local test needs
//! and keeps an HTTP client and its TLS stack out of the dependency tree.
#![forbid(unsafe_code)]

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use webhook_guard::{Signer, Verifier};

const USAGE: &str = "\
usage: webhook-guard sign <provider> --secret S --body FILE [--url U] [--id ID] [--timestamp T]
                          [--send URL | --curl URL]

providers: stripe github standard slack shopify gitlab paddle linear zoom twitch square
           twilio intercom discord

  --secret S     the provider's secret (Standard Webhooks: whsec_... or a whsk_... private key;
                 Discord: the application's Ed25519 private key, 64 hex characters)
  --body FILE    the body to sign, sent byte for byte (`-` reads stdin)
  --url U        the public URL the provider signs (Square, Twilio); default: the --send or
                 --curl URL
  --id ID        the delivery id, where the provider sends one in a header (default: generated)
  --timestamp T  unix seconds to sign at (default: now)
  --send URL     POST the signed delivery to this http:// loopback URL and print the answer
  --curl URL     print a ready curl command for this URL instead
";

struct Args {
    provider: String,
    secret: String,
    body: String,
    url: Option<String>,
    id: Option<String>,
    timestamp: Option<u64>,
    send: Option<String>,
    curl: Option<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    match args.next().as_deref() {
        Some("sign") => {}
        Some("-h" | "--help" | "help") | None => return Err(String::new()),
        Some(other) => return Err(format!("unknown command {other:?}")),
    }
    let provider = args.next().ok_or("missing <provider>")?;
    let (mut secret, mut body, mut url, mut id, mut timestamp, mut send, mut curl) =
        (None, None, None, None, None, None, None);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--secret" => secret = Some(value()?),
            "--body" => body = Some(value()?),
            "--url" => url = Some(value()?),
            "--id" => id = Some(value()?),
            "--timestamp" => {
                let v = value()?;
                timestamp = Some(v.parse().map_err(|_| format!("--timestamp {v:?}"))?);
            }
            "--send" => send = Some(value()?),
            "--curl" => curl = Some(value()?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if send.is_some() && curl.is_some() {
        return Err("--send and --curl are exclusive".into());
    }
    Ok(Args {
        provider,
        secret: secret.ok_or("--secret is required")?,
        body: body.ok_or("--body is required")?,
        url,
        id,
        timestamp,
        send,
        curl,
    })
}

fn signer(args: &Args, signed_url: Option<&str>) -> Result<Signer, String> {
    let s = args.secret.as_str();
    let url = || {
        signed_url.map(String::from).ok_or_else(|| {
            format!(
                "{} signs the URL: give --url (or --send/--curl)",
                args.provider
            )
        })
    };
    let built = match args.provider.as_str() {
        "stripe" => Verifier::stripe(s).build_signer(),
        "github" => Verifier::github(s).build_signer(),
        "standard" | "standard-webhooks" | "svix" => Verifier::standard_webhooks(s).build_signer(),
        "slack" => Verifier::slack(s).build_signer(),
        "shopify" => Verifier::shopify(s).build_signer(),
        "gitlab" => Verifier::gitlab(s).build_signer(),
        "paddle" => Verifier::paddle(s).build_signer(),
        "linear" => Verifier::linear(s).build_signer(),
        "zoom" => Verifier::zoom(s).build_signer(),
        "twitch" => Verifier::twitch(s).build_signer(),
        "square" => Verifier::square(s, url()?).build_signer(),
        "twilio" => Verifier::twilio(s, url()?).build_signer(),
        "intercom" => Verifier::intercom(s).build_signer(),
        "discord" => Signer::discord(s),
        other => return Err(format!("unknown provider {other:?}\n\n{USAGE}")),
    };
    built.map_err(|e| format!("{}: {e}", args.provider))
}

/// Linear's timestamp lives in the body: stamp a JSON object body with the signing time.
fn stamp_linear(body: &[u8], ts: u64) -> Result<Vec<u8>, String> {
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("linear: the body must be JSON: {e}"))?;
    let object = value
        .as_object_mut()
        .ok_or("linear: the body must be a JSON object")?;
    object.insert("webhookTimestamp".into(), (ts * 1000).into());
    serde_json::to_vec(&value).map_err(|e| e.to_string())
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Headers a real delivery also carries, beside the signed ones.
fn extra_headers(provider: &str, body: &[u8]) -> Vec<(String, String)> {
    let json = serde_json::from_slice::<serde_json::Value>(body).ok();
    let content_type = if provider == "twilio" {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let mut headers = vec![("Content-Type".to_string(), content_type.to_string())];
    match provider {
        "github" => headers.push(("X-GitHub-Event".into(), "ping".into())),
        "twitch" => {
            let verification = json.as_ref().is_some_and(|v| v.get("challenge").is_some());
            let kind = if verification {
                "webhook_callback_verification"
            } else {
                "notification"
            };
            headers.push(("Twitch-Eventsub-Message-Type".into(), kind.into()));
        }
        _ => {}
    }
    headers
}

struct Target {
    host: String,
    port: u16,
    path: String,
}

fn parse_http_url(url: &str) -> Result<Target, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("--send takes an http:// URL (a local test server; no TLS here)")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && !p.contains(']') => {
            (h, p.parse().map_err(|_| format!("bad port in {url}"))?)
        }
        _ => (authority, 80),
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(format!(
            "--send only talks to loopback hosts (127.0.0.1, localhost, [::1]), not {host:?}; \
             use --curl for anything else"
        ));
    }
    Ok(Target {
        host,
        port,
        path: path.to_string(),
    })
}

/// One blocking HTTP/1.1 POST with `Connection: close`; returns the raw answer.
fn send(url: &str, headers: &[(String, String)], body: &[u8]) -> Result<String, String> {
    let target = parse_http_url(url)?;
    let addr = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| format!("{url}: {e}"))?
        .next()
        .ok_or_else(|| format!("{url}: no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("{url}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let host = if target.host.contains(':') {
        format!("[{}]:{}", target.host, target.port)
    } else {
        format!("{}:{}", target.host, target.port)
    };
    let mut request = format!("POST {} HTTP/1.1\r\nHost: {host}\r\n", target.path);
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream
        .write_all(request.as_bytes())
        .and_then(|()| stream.write_all(body))
        .map_err(|e| format!("{url}: {e}"))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .map_err(|e| format!("{url}: {e}"))?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

fn run(args: Args) -> Result<ExitCode, String> {
    let target = args.send.as_deref().or(args.curl.as_deref());
    let signed_url = args.url.as_deref().or(target);
    let signer = signer(&args, signed_url)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let ts = args.timestamp.unwrap_or(now);
    let id = args
        .id
        .clone()
        .unwrap_or_else(|| format!("wg-{ts}-{}", std::process::id()));
    let original = if args.body == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("stdin: {e}"))?;
        buf
    } else {
        std::fs::read(&args.body).map_err(|e| format!("{}: {e}", args.body))?
    };
    let body = if args.provider == "linear" {
        eprintln!("linear: webhookTimestamp set to {}000 in the body sent", ts);
        stamp_linear(&original, ts)?
    } else {
        original.clone()
    };
    if let Some(key) = signer.public_key() {
        eprintln!("public key for the receiver: {key}");
    }
    let signed = signer
        .sign(&body, ts, &id)
        .map_err(|e| format!("{}: {e}", args.provider))?;
    let mut headers = extra_headers(&args.provider, &body);
    for (name, value) in &signed {
        let value = value
            .to_str()
            .map_err(|_| "a signed header is not text".to_string())?;
        headers.push((name.to_string(), value.to_string()));
    }

    if let Some(url) = &args.curl {
        let mut line = format!("curl -i -X POST {}", shell_quote(url));
        for (name, value) in &headers {
            line.push_str(&format!(
                " \\\n  -H {}",
                shell_quote(&format!("{name}: {value}"))
            ));
        }
        let data = if body == original && args.body != "-" {
            format!("@{}", args.body)
        } else {
            String::from_utf8(body.clone()).map_err(|_| "the body is not UTF-8: use --send")?
        };
        line.push_str(&format!(" \\\n  --data-binary {}", shell_quote(&data)));
        out(&line);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(url) = &args.send {
        let answer = send(url, &headers, &body)?;
        out(answer.trim_end());
        let ok = answer
            .split_whitespace()
            .nth(1)
            .is_some_and(|status| status.starts_with('2'));
        return Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let lines: Vec<String> = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    out(&lines.join("\n"));
    Ok(ExitCode::SUCCESS)
}

/// Prints `text` and a newline on stdout. A reader that stops early (`| head -1`) closes the
/// pipe: what it did not read is dropped quietly, where `println!` would panic (exit 101).
fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)) {
        Err(message) if message.is_empty() => {
            out(USAGE.trim_end());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("webhook-guard: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Ok(args) => match run(args) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("webhook-guard: {message}");
                ExitCode::FAILURE
            }
        },
    }
}
