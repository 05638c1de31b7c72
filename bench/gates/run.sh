#!/usr/bin/env bash
# Gates benchmark (see bench/gates/time-to-verdict.ts): builds the smoke-check bundle, then runs the benchmark.
set -euo pipefail
cd "$(dirname "$0")/../.."
node scripts/build-dist.mjs smoke-check
exec node node_modules/@vercel/ncc/dist/ncc/cli.js run bench/gates/time-to-verdict.ts -q --transpile-only
