#!/usr/bin/env bash
# Every benchmark under bench/ in one go, then one markdown table of the latest numbers with their ratios against
# the named peers, printed and written to docs/benchmarks.md. Each benchmark's full output stays in
# reports/bench/<name>.log.
#   build        bench/build/run.mjs          build-images vs docker-compose build / docker build
#   gates        bench/gates/run.sh           smoke-check time to verdict vs its 2-interval requirement; healthy runs
#   exporter     bench/exporter/bench.py      the API's metrics middleware vs prometheus-fastapi-instrumentator
#   deploy-load  bench/deploy-load/run.sh     failed requests during a deploy at 200 req/s vs a naive `up -d`
#   image sizes  docker image inspect         the images build-images produced (erp/*), no peer offline
# Usage: bench/run-all.sh [--skip name,name] [--only name,name]   (needs scripts/setup.sh done; ~25 min in all)
# ERP_BENCH_BUILD_ARGS: extra arguments for bench/build/run.mjs (e.g. "--runs 1").
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ALL=(build gates exporter deploy-load)
skip=""
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --skip) skip=",$2,"; shift 2 ;;
    --only) only=",$2,"; shift 2 ;;
    *) echo "usage: bench/run-all.sh [--skip a,b] [--only a,b]" >&2; exit 2 ;;
  esac
done
logs=reports/bench
mkdir -p "$logs"
set -a
# shellcheck disable=SC1091
[ -f .erp-deploy/images.env ] && . .erp-deploy/images.env
set +a

status=0
for name in "${ALL[@]}"; do
  if [[ "$skip" == *",$name,"* ]] || { [ -n "$only" ] && [[ "$only" != *",$name,"* ]]; }; then
    printf 'bench %s: skipped (latest numbers kept from %s)\n' "$name" "$logs/$name.log" >&2
    continue
  fi
  printf 'bench %s: running (log %s)\n' "$name" "$logs/$name.log" >&2
  started=$SECONDS
  case "$name" in
    build) read -r -a extra <<<"${ERP_BENCH_BUILD_ARGS:-}"; cmd=(node bench/build/run.mjs "${extra[@]}") ;;
    gates) cmd=(bash bench/gates/run.sh) ;;
    exporter) cmd=(.venv/bin/python bench/exporter/bench.py) ;;
    deploy-load) cmd=(bash bench/deploy-load/run.sh) ;;
  esac
  if ! timeout 3600 "${cmd[@]}" >"$logs/$name.log.new" 2>&1; then
    printf 'bench %s: exit non-zero (a missed target or a failure; see the log)\n' "$name" >&2
    status=1
  fi
  mv "$logs/$name.log.new" "$logs/$name.log"
  printf 'bench %s: %ss\n' "$name" "$((SECONDS - started))" >&2
done

# Image sizes of what build-images made most recently (the erp/* repositories; newest tag of each).
/usr/bin/docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}} {{.CreatedAt}}' 'erp/*' 2>/dev/null \
  | awk '{ split($1, r, ":"); if (!(r[1] in seen)) { seen[r[1]] = 1; print } }' >"$logs/images.log" || true

# shellcheck disable=SC2016 # a JavaScript program, not shell
node -e '
const fs = require("fs");
const dir = process.argv[1];
const read = (n) => (fs.existsSync(`${dir}/${n}.log`) ? fs.readFileSync(`${dir}/${n}.log`, "utf8") : "");
const when = (n) => (fs.existsSync(`${dir}/${n}.log`) ? fs.statSync(`${dir}/${n}.log`).mtime.toISOString().slice(0, 16).replace("T", " ") : "never");
const rows = [];
const row = (bench, what, ours, peer, ratio, target) => rows.push(`| ${bench} | ${what} | ${ours} | ${peer} | ${ratio} | ${target} |`);
const missing = (bench, log) => row(bench, "(no result: see reports/bench/" + log + ".log)", "—", "—", "—", "—");

// build: "<name> build-images 1.23s  peer 4.56s  ratio 0.27×  PASS"
const build = [...read("build").matchAll(/^(.+?)\s+build-images ([\d.]+)s\s+peer ([\d.]+)s\s+ratio ([\d.]+)×\s+(PASS|MISS)/gm)];
const peerOf = (w) => (/docker build/.test(w) ? "docker build" : "docker-compose build");
build.forEach((m) => row(`build (${when("build")})`, m[1].trim(), `${m[2]} s`, `${m[3]} s (${peerOf(m[1])})`, `${m[4]}×`, m[5]));
if (!build.length) missing("build", "build");

// gates
const g = read("gates");
const ttv = /time to verdict after the fault is visible: min ([\d.]+ s), median ([\d.]+ s), max ([\d.]+ s) over (\d+)/.exec(g);
const req = /ratio to the requirement \(2 intervals = (\d+) s\): worst ([\d.]+) \(≤ 1 required\) → (\w+)/.exec(g);
const healthy = /healthy release, (\d+) runs: (\{.*?\}); failed (\d+) \(0 required\) → (\w+)/.exec(g);
if (ttv && req) row(`gates (${when("gates")})`, `time to verdict on a bad release (${ttv[4]} trials)`, `max ${ttv[3]} (median ${ttv[2]})`, `${req[1]} s (2 gate intervals)`, `${req[2]}×`, req[3]);
if (healthy) row(`gates (${when("gates")})`, `healthy release, ${healthy[1]} runs`, `${healthy[3]} failed`, "0 failed", "—", healthy[4]);
if (!ttv && !healthy) missing("gates", "gates");

// exporter
const e = read("exporter");
const added = (name) => (new RegExp(`^${name}\\s+([\\d.]+)\\s+([\\d.]+)`, "m").exec(e) || [])[2];
const er = /added-cost ratio \(erp exporter \/ instrumentator\): ([\d.]+)\s+\(target <= ([\d.]+)\)/.exec(e);
if (er) row(`exporter (${when("exporter")})`, "added cost per request", `${added("erp exporter")} µs`, `${added("instrumentator 7.0.0")} µs (prometheus-fastapi-instrumentator)`, `${er[1]}×`, Number(er[1]) <= Number(er[2]) ? `PASS (≤ ${er[2]})` : `MISS (≤ ${er[2]})`);
else missing("exporter", "exporter");

// deploy-load: "RESULT failed requests during deploy at 200 req/s | swarm 0 | compose 12 | naive up -d 30 | …"
const d = /RESULT failed requests during deploy at (\d+) req\/s \| swarm (\S+) \| compose (\S+) \| naive up -d (\S+) \| swarm\/naive (.+?) \| compose\/naive (.+)$/m.exec(read("deploy-load"));
if (d) {
  row(`deploy under load (${when("deploy-load")})`, `failed requests, Swarm driver, ${d[1]} req/s`, d[2], `${d[4]} (naive docker-compose up -d)`, d[5], d[2] === "0" ? "PASS (0)" : "MISS (0)");
  row(`deploy under load (${when("deploy-load")})`, `failed requests, Compose driver, ${d[1]} req/s`, d[3], `${d[4]} (naive docker-compose up -d)`, d[6], "reported");
} else missing("deploy under load", "deploy-load");

const sizes = read("images").split("\n").filter(Boolean).map((l) => l.split(" ")).map(([ref, size]) => `\`${ref}\` ${size}`);
const table = [
  "| benchmark | measure | erp-deploy | peer | ratio | target |",
  "|---|---|---|---|---|---|",
  ...rows,
].join("\n");
const doc = [
  "# Benchmarks",
  "",
  "Latest numbers from `bench/run-all.sh` on the CI machine class of this project (2 shared cores, Docker 20.10, offline",
  "images). Each benchmark compares against its named peer in the same run; full output in `reports/bench/*.log`.",
  "",
  table,
  "",
  `Image sizes (build-images output): ${sizes.join(", ") || "none built yet"}.`,
  "",
  ...[/^floor: .*$/m, /^one-line floor: .*$/m].flatMap((re) => { const m = re.exec(read("build")); return m ? [`Build ${m[0]}`, ""] : []; }),
  "Not measured here: rollback time and build/push against a registry (no registry is reachable offline). Image",
  "transfer to a remote engine without a registry is measured by `test/e2e/deploy-remote.test.ts` (its log prints",
  "MB and seconds).",
  "",
].join("\n");
fs.writeFileSync("docs/benchmarks.md", doc);
process.stdout.write(table + "\n");
' "$logs"
node_modules/.bin/prettier --write docs/benchmarks.md >/dev/null 2>&1 || true # the lint stage checks it
echo "written: docs/benchmarks.md" >&2
exit $status
