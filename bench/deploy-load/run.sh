#!/usr/bin/env bash
# Failed requests during a production API deploy under steady load (~200 requests/s, loopback, one fresh
# connection per request), side by side in one run: erp-deploy's Swarm driver, erp-deploy's Compose driver and a
# naive `docker-compose up -d` recreate (the peer). Runs test/e2e/load-deploy.test.ts (the fixture stack, v1 → v2)
# and prints one line per variant plus the table row run-all.sh collects.
# Usage: bench/deploy-load/run.sh [requests-per-second]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# the test asserts Swarm's 0; the numbers are printed whether it passed or not, and its exit code is kept
rc=0
ERP_LOAD_RPS=${1:-200} ERP_LOAD_RESULT=$out \
  npm run --silent jest -- --selectProjects e2e --runInBand test/e2e/load-deploy.test.ts >&2 || rc=$?
[ -s "$out" ] || { echo "deploy-load: the load test wrote no result (exit $rc)" >&2; exit 1; }
# shellcheck disable=SC2016 # a JavaScript program, not shell
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const f = (n) => r.results[n] ? r.results[n].failed : NaN;
for (const [n, v] of Object.entries(r.results))
  console.log(`${n.padEnd(8)} ${String(v.sent).padStart(6)} requests  ${String(v.failed).padStart(5)} failed  ${JSON.stringify(v.failures)}`);
const ratio = (a, b) => (b ? (a / b).toFixed(2) + "×" : a === 0 ? "0 (peer 0)" : "n/a");
console.log(`RESULT failed requests during deploy at ${r.rps} req/s | swarm ${f("swarm")} | compose ${f("compose")} | naive up -d ${f("naive")} | swarm/naive ${ratio(f("swarm"), f("naive"))} | compose/naive ${ratio(f("compose"), f("naive"))}`);
' "$out"
exit $rc
