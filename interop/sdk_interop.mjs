// Signs deliveries with the providers' own SDKs (Stripe's `stripe` package,
// GitHub's `@octokit/webhooks-methods`, Standard Webhooks' `standardwebhooks`)
// and sends them to a running example server. Each genuine delivery must be
// accepted (200) and each tampered one rejected (401).
//
// Usage: BASE_URL=http://127.0.0.1:3000 node sdk_interop.mjs
// Prints the event ids it expects on the server's stdout, one per line, to the
// file named by EXPECT_FILE (if set).
import Stripe from "stripe";
import { sign as githubSign } from "@octokit/webhooks-methods";
import { Webhook } from "standardwebhooks";
import { writeFileSync } from "node:fs";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const env = (name, fallback) => process.env[name] ?? fallback;
const secrets = {
  stripe: env("STRIPE_WEBHOOK_SECRET", "whsec_demo_stripe_secret"),
  github: env("GITHUB_WEBHOOK_SECRET", "demo-github-secret"),
  standard: env("STANDARD_WEBHOOK_SECRET", "whsec_ZGVtby1zdGFuZGFyZC13ZWJob29rcy1zZWNyZXQhIQ=="),
};

const run = Date.now().toString(36);
const expected = [];
let failures = 0;

async function send(route, headers, body, want, label, wantDuplicate = false) {
  const res = await fetch(`${base}/webhooks/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  const duplicate = res.headers.get("webhook-guard-duplicate") === "true";
  const ok = res.status === want && duplicate === wantDuplicate;
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${label}: ${res.status}${duplicate ? " duplicate" : ""} (want ${want}${wantDuplicate ? " duplicate" : ""}) ${ok ? "" : text}`);
}

// Stripe: the SDK's own test-header generator (same code path as its signer).
{
  const stripe = new Stripe("sk_test_unused");
  const id = `evt_sdk_${run}`;
  const payload = JSON.stringify({ id, object: "event", type: "payment_intent.succeeded", data: { object: { amount: 1000 } } });
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret: secrets.stripe });
  await send("stripe", { "Stripe-Signature": header }, payload, 200, "stripe SDK-signed");
  expected.push(`provider=stripe event_id=${id}`);
  await send("stripe", { "Stripe-Signature": header }, payload, 200, "stripe SDK-signed, sent again", true);
  await send("stripe", { "Stripe-Signature": header }, payload.replace("1000", "9000"), 401, "stripe SDK-signed, tampered body");
  const wrong = stripe.webhooks.generateTestHeaderString({ payload, secret: "whsec_not_the_secret" });
  await send("stripe", { "Stripe-Signature": wrong }, payload, 401, "stripe SDK-signed, wrong secret");
  const old = stripe.webhooks.generateTestHeaderString({ payload, secret: secrets.stripe, timestamp: Math.floor(Date.now() / 1000) - 3600 });
  await send("stripe", { "Stripe-Signature": old }, payload, 401, "stripe SDK-signed, an hour old");
}

// GitHub: octokit's signer.
{
  const id = `gh-sdk-${run}`;
  const payload = JSON.stringify({ zen: "Design for failure.", hook_id: 42 });
  const signature = await githubSign(secrets.github, payload);
  await send("github", { "X-Hub-Signature-256": signature, "X-GitHub-Delivery": id, "X-GitHub-Event": "ping" }, payload, 200, "github SDK-signed");
  expected.push(`provider=github event_id=${id}`);
  await send("github", { "X-Hub-Signature-256": signature, "X-GitHub-Delivery": id, "X-GitHub-Event": "ping" }, payload, 200, "github SDK-signed, redelivered", true);
  await send("github", { "X-Hub-Signature-256": signature, "X-GitHub-Delivery": id }, payload + " ", 401, "github SDK-signed, tampered body");
}

// Standard Webhooks: the reference library's signer.
{
  const wh = new Webhook(secrets.standard);
  const id = `msg_sdk_${run}`;
  const payload = JSON.stringify({ type: "invoice.paid", data: { amount: 5 } });
  const now = new Date();
  const signature = wh.sign(id, now, payload);
  const ts = Math.floor(now.getTime() / 1000).toString();
  await send("standard", { "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": signature }, payload, 200, "standard-webhooks SDK-signed");
  expected.push(`provider=standard-webhooks event_id=${id}`);
  await send("standard", { "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": signature }, payload, 200, "standard-webhooks SDK-signed, retried", true);
  await send("standard", { "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": signature }, payload.replace("5", "6"), 401, "standard-webhooks SDK-signed, tampered body");
  await send("standard", { "webhook-id": id + "x", "webhook-timestamp": ts, "webhook-signature": signature }, payload, 401, "standard-webhooks SDK-signed, changed id");
}

if (process.env.EXPECT_FILE) writeFileSync(process.env.EXPECT_FILE, expected.join("\n") + "\n");
console.log(failures === 0 ? "sdk interop: all passed" : `sdk interop: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
