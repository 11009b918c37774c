#!/usr/bin/env bash
# Contract test: schemathesis generates thousands of requests from openapi/openapi.json against
# the real server on a fresh SQLite database and fails on any 5xx, undocumented status code,
# wrong content type or response that does not match its schema. Sign-in and user administration
# are left to the HTTP suite: fuzzing them would lock out or deactivate the token's own account.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/contract-venv
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
# Webhook delivery is off and URLs are not resolved: the generated subscriptions point anywhere,
# and the contract run must neither look names up nor send to them.
export DATABASE_URL="sqlite://$work/crm.sqlite?mode=rwc" CRM_DATA_DIR="$work" CRM_BIND="127.0.0.1:$port" \
  CRM_ADMIN_EMAIL=admin@example.com CRM_ADMIN_PASSWORD=contract-password-1 CRM_FOLLOW_UP_INTERVAL_SECS=0 CRM_LOG=error CRM_STATIC_DIR="$work/none" \
  CRM_WEBHOOK_POLL_INTERVAL_MS=0 CRM_WEBHOOK_ALLOW_PRIVATE=true
target/debug/crm seed --demo > /dev/null
target/debug/crm serve > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
token=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"admin@example.com","password":"contract-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
"$venv/bin/st" run "http://127.0.0.1:$port/api/openapi.json" --url "http://127.0.0.1:$port" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --exclude-path-regex '/auth/|/users' --max-examples 25 --seed 1 --no-color
if grep -qiE 'panicked|internal error' "$work/serve.log"; then
  echo "the server logged an internal error during the contract run:" >&2
  grep -iE 'panicked|internal error' "$work/serve.log" >&2
  exit 1
fi
