#!/usr/bin/env bash
# Installs Debian's Chromium for the end-to-end tests (needs root); playwright-core drives it.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Chromium is missing; run as root: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
apt-get update
# CJK fonts so Chinese text renders in screenshots
DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk
