#!/usr/bin/env bash
# Starts an example server and sends it one delivery per preset signed by `webhook-guard sign`
# (feature cli) with the documented demo secrets, as the README's quick start does; checks each
# answer and that the server's stdout is exactly one line per accepted delivery. Needs curl and
# node (for Zoom's expected answer, computed as Zoom's sample code does); `.ci/run` installs both.
#
#   bash interop/cli.sh [axum_receiver|actix_receiver] [cargo features]
set -euo pipefail
cd "$(dirname "$0")/.."
example=${1:-axum_receiver}
features=${2:-axum}
port=${PORT:-3918}
cargo build -q --example "$example" --features "$features"
cargo build -q --features cli --bin webhook-guard
work=$(mktemp -d)
PORT=$port "target/debug/examples/$example" >"$work/out" 2>"$work/err" &
server=$!
closed=
trap 'kill $server $closed 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done
echo '{"id":"evt_cli_1","event_id":"evt_cli_1","zen":"Keep it logically awesome."}' >"$work/body.json"
printf 'CallSid=CA123&From=%%2B14155550100&Body=hello+world' >"$work/form.txt"
echo '{"type":1,"id":"cli-ping-1","application_id":"1"}' >"$work/ping.json"
# A second PING (another interaction id: the same one again would be answered as a duplicate).
echo '{"type":1,"id":"cli-ping-2","application_id":"1"}' >"$work/ping2.json"
sign() { target/debug/webhook-guard sign "$@" 2>/dev/null; }
base="http://127.0.0.1:$port/webhooks"
fail=0
check() { # provider secret body id expected-line
  local answer
  answer=$(sign "$1" --secret "$2" --body "$3" --id "$4" --send "$base/$1") || true
  if [[ "$answer" != "HTTP/1.1 200"* ]]; then echo "FAIL $1: ${answer%%$'\n'*}"; fail=1; else echo "ok   $1"; fi
  echo "$5" >>"$work/expect"
}
check stripe whsec_demo_stripe_secret "$work/body.json" x "provider=stripe event_id=evt_cli_1"
check github demo-github-secret "$work/body.json" cli-github "provider=github event_id=cli-github"
check standard whsec_ZGVtby1zdGFuZGFyZC13ZWJob29rcy1zZWNyZXQhIQ== "$work/body.json" cli-std "provider=standard-webhooks event_id=cli-std"
check slack demo-slack-signing-secret "$work/body.json" x "provider=slack event_id=evt_cli_1"
check shopify demo-shopify-secret "$work/body.json" cli-shop "provider=shopify event_id=cli-shop"
check gitlab demo-gitlab-token "$work/body.json" cli-gitlab "provider=gitlab event_id=cli-gitlab"
check paddle pdl_ntfset_demo_paddle_secret "$work/body.json" x "provider=paddle event_id=evt_cli_1"
check linear demo-linear-secret "$work/body.json" cli-linear "provider=linear event_id=cli-linear"
check zoom demo-zoom-secret-token "$work/body.json" x "provider=zoom event_id=-"
check twitch demo-twitch-secret "$work/body.json" cli-twitch "provider=twitch event_id=cli-twitch"
check square demo-square-signature-key "$work/body.json" x "provider=square event_id=evt_cli_1"
check twilio demo-twilio-auth-token "$work/form.txt" cli-twilio "provider=twilio event_id=cli-twilio"
check intercom demo-intercom-client-secret "$work/body.json" x "provider=intercom event_id=evt_cli_1"
check discord 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60 "$work/ping.json" x "provider=discord event_id=cli-ping-1"
pong=$(sign discord --secret 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60 --body "$work/ping2.json" --send "$base/discord" | tail -1)
echo "provider=discord event_id=cli-ping-2" >>"$work/expect"
# Zoom's endpoint validation: answered with the plain token and its HMAC-SHA256 under the secret
# token, computed here the way Zoom's sample code does (node's crypto).
plain=qgg8vlvZRS6UYooatFL8Aw
printf '{"event":"endpoint.url_validation","payload":{"plainToken":"%s"},"event_ts":1654503849680}' "$plain" >"$work/zoom-validation.json"
validation=$(sign zoom --secret demo-zoom-secret-token --body "$work/zoom-validation.json" --send "$base/zoom" | tail -1)
echo "provider=zoom event_id=-" >>"$work/expect"
encrypted=$(node -e 'console.log(require("crypto").createHmac("sha256", process.argv[1]).update(process.argv[2]).digest("hex"))' demo-zoom-secret-token "$plain")
[[ "$validation" == "{\"plainToken\":\"$plain\",\"encryptedToken\":\"$encrypted\"}" ]] || { echo "FAIL zoom url_validation: $validation"; fail=1; }
# Discord's webhook-events PING (`type` 0): 204, no body.
echo '{"version":1,"application_id":"1","type":0}' >"$work/events-ping.json"
events_ping=$(sign discord --secret 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60 --body "$work/events-ping.json" --send "$base/discord" | head -1)
echo "provider=discord event_id=-" >>"$work/expect"
[[ "$events_ping" == "HTTP/1.1 204"* ]] || { echo "FAIL discord webhook-events PING: $events_ping"; fail=1; }
# The same delivery again: acknowledged as a duplicate, no second stdout line.
again=$(sign github --secret demo-github-secret --body "$work/body.json" --id cli-github --send "$base/github") || true
[[ "$again" == *"webhook-guard-duplicate: true"* ]] || { echo "FAIL github resend not answered as a duplicate"; fail=1; }
[[ "$pong" == '{"type":1}' ]] || { echo "FAIL discord PONG: $pong"; fail=1; }
# A wrong secret is refused and prints nothing.
if sign github --secret not-the-secret --body "$work/body.json" --send "$base/github" >/dev/null; then
  echo "FAIL github with a wrong secret was accepted"; fail=1
fi
# A server whose stdout nobody reads any more (a pipe whose reader exited) cannot write a
# delivery's line: it answers 500, so that the reservation is released and the provider's retry
# is handled, and it keeps serving (it used to panic in the handler and drop the connection).
closed_port=$((port + 1))
PORT=$closed_port "target/debug/examples/$example" > >(:) 2>"$work/closed-err" &
closed=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$closed_port/" && break
  sleep 0.1
done
for attempt in 1 2; do
  refused=$(sign github --secret demo-github-secret --body "$work/body.json" --id cli-closed \
    --send "http://127.0.0.1:$closed_port/webhooks/github" | head -1) || true
  [[ "$refused" == "HTTP/1.1 500"* ]] || { echo "FAIL stdout closed, attempt $attempt: ${refused:-no answer}"; fail=1; }
done
kill "$closed" 2>/dev/null || true
sleep 0.2
if ! diff <(sort "$work/expect") <(sort "$work/out"); then
  echo "FAIL: the server's stdout is not exactly one line per accepted delivery" >&2
  fail=1
fi
[[ $fail == 0 ]] && echo "webhook-guard sign: 14 presets accepted by $example, stdout as expected"
exit $fail
