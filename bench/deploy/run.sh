#!/usr/bin/env bash
# Deploy benchmark (bench/deploy/bench.ts): failed requests during an API deploy at ~200 req/s — Swarm driver vs
# Compose driver vs a naive `docker-compose up -d` — and the time from a failed rollout to the previous release
# serving (target ≤ 10 s). Usage: bench/deploy/run.sh [requests-per-second]   (~4 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
ERP_BENCH_RPS=${1:-200} exec node node_modules/@vercel/ncc/dist/ncc/cli.js run bench/deploy/bench.ts -q
