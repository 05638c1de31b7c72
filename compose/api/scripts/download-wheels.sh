#!/usr/bin/env bash
# Download the wheels of compose/api/requirements.txt into compose/api/wheels/ for offline image builds
# (docker build --build-arg PIP_NO_INDEX=1). Wheels are for the image's Python (bookworm's 3.11.2, x86_64),
# not the host's. Skips when wheels/.stamp holds the hash of requirements.txt and of these pip options.
# Usage: compose/api/scripts/download-wheels.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'download-wheels: %s\n' "$*" >&2; }
die() { printf 'download-wheels: error: %s\n' "$*" >&2; exit 1; }

DIR=wheels
STAMP=$DIR/.stamp
PIP_TARGET=(--only-binary=:all: --python-version 3.11.2 --implementation cp
  --platform manylinux2014_x86_64 --platform linux_x86_64 --platform any)
want=$(printf '%s\n' "$(sha256sum requirements.txt)" "${PIP_TARGET[*]}" | sha256sum | cut -c1-64)

if [ "${1:-}" != "--force" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
  && compgen -G "$DIR/*.whl" >/dev/null; then
  say "wheels for requirements.txt already present ($DIR/, $(find "$DIR" -name '*.whl' | wc -l) files): skip"
  exit 0
fi
mkdir -p "$DIR"
rm -f "$DIR"/*.whl "$STAMP"
say "pip download -r requirements.txt -> $DIR/"
timeout 600 python3 -m pip download -q --disable-pip-version-check "${PIP_TARGET[@]}" -d "$DIR" -r requirements.txt \
  || die "pip download failed (is PyPI reachable from this host?)"
printf '%s\n' "$want" >"$STAMP"
say "$(find "$DIR" -name '*.whl' | wc -l) wheels ready"
