#!/usr/bin/env bash
# Rebuild dist/ and fail when anything under it changes, new untracked files included.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build >/dev/null
changes=$(git status --porcelain --untracked-files=all -- dist)
if [ -n "$changes" ]; then
  echo "check-dist: dist/ is stale: rebuilding changed these files (run 'npm run build' and commit dist/):" >&2
  echo "$changes" | head -n 20 >&2
  exit 1
fi
echo "check-dist: dist/ is current"
