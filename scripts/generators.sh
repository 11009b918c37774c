#!/usr/bin/env bash
# Generator test: integrators make clients from openapi/openapi.json, so the document must be one
# that client generators take whole. openapi-python-client (pinned, in a venv under target/ like
# schemathesis) and openapi-typescript (the front end's pinned devDependency) each generate a
# client; any warning, skipped operation, dropped schema or list item copied into its own class
# fails (scripts/check_generated_client.py says what it checks).
set -euo pipefail
cd "$(dirname "$0")/.."
spec=openapi/openapi.json
venv=target/generators-venv
python_client=openapi-python-client==0.29.1
if [ ! -x "$venv/bin/openapi-python-client" ] || [ "$(cat "$venv/installed" 2>/dev/null)" != "$python_client" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$python_client"
  echo "$python_client" > "$venv/installed"
fi
typescript=frontend/node_modules/.bin/openapi-typescript
if [ ! -x "$typescript" ]; then
  (cd frontend && npm ci --no-audit --no-fund)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Generators run in parallel; each writes its log for the checks below.
"$venv/bin/python" scripts/check_generated_client.py "$spec" "$work/python" &
python_check=$!
status=0
if ! "$typescript" "$spec" -o "$work/schema.d.ts" > "$work/typescript.log" 2>&1; then
  echo "openapi-typescript failed:" >&2
  status=1
elif grep -vE '^(✨ openapi-typescript [0-9.]+|🚀 .* \[[0-9.]+m?s\])$' "$work/typescript.log" | grep -q .; then
  echo "openapi-typescript warned:" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  cat "$work/typescript.log" >&2
fi
wait "$python_check" || status=1
if [ "$status" -eq 0 ]; then
  echo "generators: openapi-python-client and openapi-typescript take $spec without a warning"
fi
exit "$status"
