const crypto = require('crypto');
const SDK = '/tmp/sdk';
const out = [];
const hmac = (alg, key, msg, enc) => crypto.createHmac(alg, key).update(msg).digest(enc);
const realNow = Date.now;
const at = (secs, f) => { Date.now = () => secs * 1000; try { return f(); } finally { Date.now = realNow; } };

(async () => {
// Paddle: signature computed per Paddle's docs, checked by @paddle/paddle-node-sdk's WebhooksValidator.
{
  require(SDK + '/paddle-paddle-node-sdk-3.10.0/package/dist/cjs/index.cjs.node.js').NodeRuntime.initialize();
  const { WebhooksValidator } = require(SDK + '/paddle-paddle-node-sdk-3.10.0/package/dist/cjs/notifications/helpers/webhooks-validator.js');
  const secret = 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI';
  const body = '{"event_id":"evt_01h8441jx8x2q5s5rz7gvm3bxg","event_type":"transaction.completed","occurred_at":"2023-08-21T11:57:47.390028Z","notification_id":"ntf_01h8441jz5pzmd6kswrtxt8y3r","data":{"id":"txn_01h8441j5mhhhb7h0f3e7dbr0q","status":"completed"}}';
  const ts = Math.floor(realNow() / 1000);
  const h1 = hmac('sha256', secret, `${ts}:${body}`, 'hex');
  const header = `ts=${ts};h1=${h1}`;
  const ok = await new WebhooksValidator().isValidSignature(body, secret, header);
  if (!ok) throw new Error('paddle sdk disagrees');
  out.push({provider:'paddle', source:'computed per developer.paddle.com signature-verification; accepted by @paddle/paddle-node-sdk 3.10.0 WebhooksValidator.isValidSignature when generated (ts = generation time)', secret, body, headers:{'Paddle-Signature':header}, now: ts + 1, expect:'valid'});
  const bad = await new WebhooksValidator().isValidSignature(body.replace('completed"', 'completed" '), secret, header);
  if (bad) throw new Error('paddle');
  out.push({provider:'paddle', source:'same, checked 6 s later: outside Paddle\'s 5 s default tolerance (MAX_VALID_TIME_DIFFERENCE in the SDK)', secret, body, headers:{'Paddle-Signature':header}, now: ts + 6, expect:'invalid'});
  
}
// Linear: @linear/sdk LinearWebhookClient.verify.
{
  const mod = await import(SDK + '/linear-sdk-98.0.0/package/dist/webhooks-BtY8wrj8.mjs');
  const Client = mod.a;
  const secret = 'lin_wh_demo_8f3kQ2mZ7xR1vB9nT4pL6sD0';
  const tsMs = 1700000000123;
  const body = `{"action":"create","type":"Issue","data":{"id":"2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9","title":"Webhook test"},"url":"https://linear.app/acme/issue/ENG-1","createdAt":"2023-11-14T22:13:20.000Z","organizationId":"f5d4c2a0-0000-4000-8000-000000000001","webhookTimestamp":${tsMs},"webhookId":"0b7a1f5e-0000-4000-8000-000000000002"}`;
  const sig = hmac('sha256', secret, body, 'hex');
  const client = new Client(secret);
  const ok = at(1700000000, () => client.verify(Buffer.from(body), sig));
  if (!ok) throw new Error('linear');
  out.push({provider:'linear', source:'computed per linear.app/developers/webhooks; accepted by @linear/sdk 98.0.0 LinearWebhookClient.verify (60 s window on webhookTimestamp)', secret, body, headers:{'Linear-Signature':sig,'Linear-Delivery':'234d1a4e-b617-4388-90fe-adc3633d6b72'}, now:1700000000, expect:'valid'});
  let threw = false; try { at(1700000062, () => client.verify(Buffer.from(body), sig)); } catch (e) { threw = true; }
  if (!threw) throw new Error('linear late');
  out.push({provider:'linear', source:'same, checked 62 s later: the SDK refuses it (webhookTimestamp older than 60 s)', secret, body, headers:{'Linear-Signature':sig}, now:1700000062, expect:'invalid'});
}
// Zoom: documented algorithm (developers.zoom.us webhooks "Verify webhook events"); no SDK verifier.
{
  const secret = 'zm_demo_secret_token_Qx7Lr2';
  const ts = '1700000000';
  const body = '{"event":"meeting.started","payload":{"account_id":"AAAAAABBBB","object":{"id":"1234567890","uuid":"4444AAAiAAAAAiAiAiiAii==","topic":"My Meeting"}},"event_ts":1700000000123}';
  const sig = 'v0=' + hmac('sha256', secret, `v0:${ts}:${body}`, 'hex');
  out.push({provider:'zoom', source:'computed with node:crypto per Zoom docs (message "v0:{x-zm-request-timestamp}:{body}", HMAC-SHA256 hex, "v0=" prefix)', secret, body, headers:{'x-zm-signature':sig,'x-zm-request-timestamp':ts}, now:1700000000, expect:'valid'});
}
// Twitch: twurple's EventSubHttpBase._verifyData.
{
  // twurple's package pulls in many dependencies: take its _verifyData method's source as published.
  const src = require('fs').readFileSync(SDK + '/twurple-eventsub-http-8.1.4/package/lib/EventSubHttpBase.js', 'utf8');
  const m = /_verifyData\(messageId, timestamp, body, algoAndSignature\) \{([\s\S]*?)\n    \}\n/.exec(src);
  const verifyData = new Function('crypto', 'messageId', 'timestamp', 'body', 'algoAndSignature', m[1]);
  const EventSubHttpBase = { prototype: { _verifyData: function (...a) { return verifyData.call(this, crypto, ...a); } } };
  const secret = 'twitch-demo-secret-0123456789';
  const id = 'befa7b53-d79d-478f-86b9-120f112b044e';
  const ts = '2019-11-16T10:11:12.634234626Z';
  const body = '{"subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","type":"channel.follow","version":"2","status":"enabled","cost":0,"condition":{"broadcaster_user_id":"1337","moderator_user_id":"1337"},"transport":{"method":"webhook","callback":"https://example.com/webhooks/callback"},"created_at":"2019-11-16T10:11:12.634234626Z"},"event":{"user_id":"1234","user_login":"cool_user","user_name":"Cool_User","broadcaster_user_id":"1337","broadcaster_user_login":"cooler_user","broadcaster_user_name":"Cooler_User","followed_at":"2020-07-15T18:16:11.17106713Z"}}';
  const sig = 'sha256=' + hmac('sha256', secret, id + ts + body, 'hex');
  const ok = EventSubHttpBase.prototype._verifyData.call({ _secret: secret }, id, ts, body, sig);
  if (!ok) throw new Error('twitch');
  const now = Math.floor(Date.parse(ts) / 1000);
  out.push({provider:'twitch', source:'Twitch EventSub docs sample body and headers; signature computed, accepted by @twurple/eventsub-http 8.1.4 EventSubHttpBase._verifyData', secret, body, headers:{'Twitch-Eventsub-Message-Id':id,'Twitch-Eventsub-Message-Timestamp':ts,'Twitch-Eventsub-Message-Signature':sig}, now, expect:'valid'});
  out.push({provider:'twitch', source:'same, 601 s later: outside the 10-minute window Twitch recommends', secret, body, headers:{'Twitch-Eventsub-Message-Id':id,'Twitch-Eventsub-Message-Timestamp':ts,'Twitch-Eventsub-Message-Signature':sig}, now: now + 601, expect:'invalid'});
}
// Intercom: documented algorithm; no SDK verifier.
{
  const secret = 'intercom-demo-client-secret';
  const body = '{"type":"notification_event","app_id":"abc123","data":{"type":"notification_event_data","item":{"type":"ping","message":"something something interzen"}},"id":"notif_ccd8a4d0-f965-11e3-a367-c779cae3e1b3","topic":"ping","delivery_status":null,"delivery_attempts":1,"delivered_at":0,"first_sent_at":1403281553,"created_at":1403281553,"self":null}';
  out.push({provider:'intercom', source:'Intercom docs ping notification body; signature computed with node:crypto per Intercom docs (X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body with the client secret>)', secret, body, headers:{'X-Hub-Signature':'sha1=' + hmac('sha1', secret, body, 'hex')}, now:null, expect:'valid'});
}
// Ed25519 keys from fixed seeds (RFC 8032 test 1 secret key, and a second one).
const seedKey = (hexSeed) => crypto.createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(hexSeed, 'hex')]), format: 'der', type: 'pkcs8' });
const rawPub = (k) => crypto.createPublicKey(k).export({ format: 'der', type: 'spki' }).subarray(12);
// Discord: verified with discord-interactions verifyKey.
{
  const { verifyKey } = require(SDK + '/discord-interactions-4.4.0/package/dist/index.js');
  const seed = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
  const key = seedKey(seed);
  const pub = rawPub(key).toString('hex');
  const ts = '1700000000';
  const body = '{"application_id":"1234567890","id":"1180000000000000001","token":"aW50ZXJhY3Rpb24","type":1,"user":{"id":"53908232506183680","username":"mason"},"version":1}';
  const sig = crypto.sign(null, Buffer.from(ts + body), key).toString('hex');
  if (!(await verifyKey(body, sig, ts, pub))) throw new Error('discord');
  if (await verifyKey(body + ' ', sig, ts, pub)) throw new Error('discord tamper');
  out.push({provider:'discord', source:'signed with node:crypto Ed25519 (RFC 8032 test-1 private key) over timestamp+body; accepted by discord-interactions 4.4.0 verifyKey', secret: pub, private_key: seed, body, headers:{'X-Signature-Ed25519':sig,'X-Signature-Timestamp':ts}, now:1700000000, expect:'valid'});
  out.push({provider:'discord', source:'same, body with a trailing space (discord-interactions verifyKey refuses it too)', secret: pub, body: body + ' ', headers:{'X-Signature-Ed25519':sig,'X-Signature-Timestamp':ts}, now:1700000000, expect:'invalid'});
}
// Standard Webhooks v1a: spec (sign "{id}.{ts}.{body}" with Ed25519, base64; whpk_ = base64 public key).
{
  const seed = '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb';
  const key = seedKey(seed);
  const pub = 'whpk_' + rawPub(key).toString('base64');
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek', ts = '1614265330', body = '{"test": 2432232314}';
  const sig = crypto.sign(null, Buffer.from(`${id}.${ts}.${body}`), key).toString('base64');
  const check = crypto.verify(null, Buffer.from(`${id}.${ts}.${body}`), crypto.createPublicKey(key), Buffer.from(sig, 'base64'));
  if (!check) throw new Error('v1a');
  out.push({provider:'standard', source:'Standard Webhooks spec v1a: Ed25519 over "{id}.{timestamp}.{body}" (the spec\'s python test message), signed with node:crypto (RFC 8032 test-2 private key), public key as whpk_<base64>', secret: pub, private_key: 'whsk_' + Buffer.from(seed, 'hex').toString('base64'), body, headers:{'webhook-id':id,'webhook-timestamp':ts,'webhook-signature':`v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1a,${sig}`}, now:1614265330, expect:'valid'});
  out.push({provider:'standard', source:'same v1a signature with the webhook-id changed', secret: pub, body, headers:{'webhook-id':'msg_other','webhook-timestamp':ts,'webhook-signature':`v1a,${sig}`}, now:1614265330, expect:'invalid'});
}
console.log(JSON.stringify(out, null, 2));
})().catch(e => { console.error(e); process.exit(1); });
