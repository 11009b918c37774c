#!/usr/bin/env bash
# The webhook tests' receiver (tests/webhook_receiver.py) verifies every delivery with the
# Standard Webhooks project's own Python package, pinned, in a venv under target/ (like the
# generators' venv), so the CRM's signatures are checked by a verifier it did not write.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/webhook-venv
package=standardwebhooks==1.1.0
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/installed" 2>/dev/null)" != "$package" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$package"
  echo "$package" > "$venv/installed"
fi
"$venv/bin/python" -c "import standardwebhooks" 
