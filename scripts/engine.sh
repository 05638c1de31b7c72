#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine: install Debian's engine when it is absent,
# start dockerd when it is not running, wait (bounded) until it answers. Safe to call twice.
# Prints one clear line and exits non-zero when it cannot succeed.
set -euo pipefail

WAIT_SECONDS="${ERP_DEPLOY_ENGINE_WAIT:-60}"
APT_TIMEOUT="${ERP_DEPLOY_APT_TIMEOUT:-600}"
LOG="${ERP_DEPLOY_DOCKERD_LOG:-/var/log/erp-deploy-dockerd.log}"
PACKAGES=(docker.io docker-compose mmdebstrap)

say() { printf 'engine: %s\n' "$*" >&2; }
die() { printf 'engine: error: %s\n' "$*" >&2; exit 1; }

# The client Debian ships next to its engine (/usr/bin/docker) can do BuildKit builds without the buildx
# plugin; prefer it over a newer client on PATH that lacks buildx.
client() {
  if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker || true; fi
}

answers() {
  local c; c=$(client)
  [ -n "$c" ] && timeout 10 "$c" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else die "root is needed to $1 (run as root or give passwordless sudo), or start a Docker engine yourself"
  fi
}

install_engine() {
  command -v apt-get >/dev/null 2>&1 || die "no Docker engine and no apt-get: install a Docker engine (docker.io) by hand"
  say "installing Debian's engine: ${PACKAGES[*]} (bounded by ${APT_TIMEOUT}s)"
  if ! as_root timeout "$APT_TIMEOUT" apt-get update -qq >/dev/null 2>&1; then
    die "apt-get update failed or timed out: Debian's package mirror is unreachable; install docker.io by hand"
  fi
  if ! as_root env DEBIAN_FRONTEND=noninteractive timeout "$APT_TIMEOUT" \
      apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" iptables >/dev/null 2>&1; then
    die "apt-get install ${PACKAGES[*]} failed; run it by hand to see why"
  fi
}

if answers; then
  say "engine answers ($($(client) version --format '{{.Server.Version}}'))"
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ] || ! command -v dockerd >/dev/null 2>&1; then install_engine; fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  say "starting dockerd (log: $LOG)"
  as_root mkdir -p "$(dirname "$LOG")"
  # containerd is started by dockerd itself when no system containerd runs.
  as_root sh -c "nohup dockerd --host unix:///var/run/docker.sock >>'$LOG' 2>&1 &"
fi

deadline=$((SECONDS + WAIT_SECONDS))
until answers; do
  if [ $SECONDS -ge $deadline ]; then
    die "dockerd did not answer within ${WAIT_SECONDS}s; last log lines: $(tail -n 3 "$LOG" 2>/dev/null | tr '\n' ' ')"
  fi
  sleep 1
done
say "engine answers ($($(client) version --format '{{.Server.Version}}'))"
