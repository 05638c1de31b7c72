#!/usr/bin/env bash
# Build the offline images this machine needs instead of a registry: a Debian bookworm base from Debian's
# package mirror, then stand-ins for the third-party services (Python 3.11, Redis, Prometheus + promtool,
# Alertmanager, node-exporter, redis-exporter). Flower runs from the API image (it is in its pinned requirements).
# Each image carries a content key label; an image whose
# key matches is reused, so a second run costs a few `docker image inspect` calls.
# Writes .erp-deploy/images.env: the variables the compose files read to pick these images as bases.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DOCKER=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker )}
SUITE=bookworm
PREFIX=erp-deploy
LABEL=org.erp-deploy.offline-key
OUT_ENV="$ROOT/.erp-deploy/images.env"

say() { printf 'offline-images: %s\n' "$*" >&2; }
die() { printf 'offline-images: error: %s\n' "$*" >&2; exit 1; }

"$DOCKER" version >/dev/null 2>&1 || die "no Docker engine answers; run scripts/engine.sh first"

key_of() { # key_of <text...>: a short content key (inputs are contents, never paths)
  printf '%s\n' "$@" | sha256sum | cut -c1-16
}
current_key() {
  "$DOCKER" image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true
}

base_key=$(key_of "$SUITE" minbase ca-certificates "$(sha256sum <"$0")")
base_ref="$PREFIX/debian:$SUITE"
if [ "$(current_key "$base_ref")" = "$base_key" ]; then
  say "reuse $base_ref ($base_key)"
else
  command -v mmdebstrap >/dev/null 2>&1 || die "mmdebstrap is missing: apt-get install mmdebstrap (scripts/engine.sh installs it)"
  say "build $base_ref from Debian's mirror (mmdebstrap, about 15 s)"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates "$SUITE" - \
    | "$DOCKER" import -c "LABEL $LABEL=$base_key" -c 'CMD ["bash"]' - "$base_ref" >/dev/null \
    || die "mmdebstrap or docker import failed (is Debian's mirror reachable?)"
fi

build_standin() { # build_standin <name> <parent-key> [extra key text]
  local name=$1 parent=$2 extra=${3:-}
  local dir="images/offline/$name" ref="$PREFIX/$name:offline"
  local key; key=$(key_of "$parent" "$(cat "$dir/Dockerfile")" "$extra")
  if [ "$(current_key "$ref")" = "$key" ]; then say "reuse $ref ($key)"; return 0; fi
  say "build $ref"
  local log; log=$(mktemp)
  if ! DOCKER_BUILDKIT=1 "$DOCKER" build -q --label "$LABEL=$key" -t "$ref" "$dir" >"$log" 2>&1; then
    tail -n 20 "$log" >&2; rm -f "$log"; die "building $ref failed ($dir/Dockerfile)"
  fi
  rm -f "$log"
}

pids=()
for s in redis prometheus alertmanager node-exporter redis-exporter; do
  build_standin "$s" "$base_key" & pids+=($!)
done
build_standin python "$base_key"
for p in "${pids[@]}"; do wait "$p" || die "a stand-in build failed (see above)"; done

mkdir -p "$(dirname "$OUT_ENV")"
cat >"$OUT_ENV" <<ENV
# Written by scripts/offline-images.sh: compose variables that select the offline stand-ins.
PYTHON_IMAGE=$PREFIX/python:offline
REDIS_IMAGE=$PREFIX/redis:offline
PROMETHEUS_IMAGE=$PREFIX/prometheus:offline
ALERTMANAGER_IMAGE=$PREFIX/alertmanager:offline
NODE_EXPORTER_IMAGE=$PREFIX/node-exporter:offline
REDIS_EXPORTER_IMAGE=$PREFIX/redis-exporter:offline
PIP_NO_INDEX=1
ENV
say "images ready; variables in ${OUT_ENV#"$ROOT"/}"
