#!/usr/bin/env bash
# Install and start everything the demo and the tests need, on a brand-new machine of this kind.
# Idempotent: a second run checks and skips. Steps: Debian packages, npm packages, the Python venv,
# actionlint, the Docker engine, the offline images.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

APT_PACKAGES=(docker.io docker-compose mmdebstrap iptables prometheus prometheus-alertmanager redis-server
  shellcheck wrk openssh-server openssh-client chromium iproute2 curl jq
  docker-registry apache2-utils)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "Debian packages missing (${missing[*]}): run as root, or apt-get install them"
  say "apt-get install ${missing[*]}"
  timeout 600 apt-get update -qq >/dev/null || die "apt-get update failed: Debian's mirror is unreachable"
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi
# Where systemd runs, Debian starts these daemons on install; the tests start their own on their own ports.
if [ -d /run/systemd/system ]; then
  for svc in redis-server prometheus prometheus-alertmanager prometheus-node-exporter; do
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

if [ ! -x .venv/bin/python ] || [ requirements-dev.txt -nt .venv/.installed ] || [ compose/api/requirements.txt -nt .venv/.installed ]; then
  say "python venv (.venv) with the API's requirements and the test tools"
  python3 -m venv .venv
  .venv/bin/pip install -q -r compose/api/requirements.txt -r requirements-dev.txt
  touch .venv/.installed
fi

GOBIN_DIR="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
if [ ! -x "$GOBIN_DIR/actionlint" ]; then
  say "actionlint (go install, from the Go module proxy)"
  timeout 600 go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7 || die "go install actionlint failed"
fi

scripts/engine.sh
scripts/offline-images.sh
# The API image's Python packages, as wheels for bookworm's Python (containers cannot reach PyPI here).
compose/api/scripts/download-wheels.sh
