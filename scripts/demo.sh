#!/usr/bin/env bash
# The README's main command: on a fresh machine of this kind, install and start everything (scripts/setup.sh:
# packages, Docker engine, offline images), generate each environment's secrets once, then run the whole
# pipeline locally — test → build → deploy staging → gates → promote the same images to production → gates —
# and print where to look. A second run with no change deploys nothing and says so.
#
# Environments (erp-deploy.yml): staging = Compose driver, API http://127.0.0.1:18000, Prometheus :19090;
# production = Swarm driver (single-node swarm on this engine), API http://127.0.0.1:8000, Prometheus :9090.
# Secrets: .erp-deploy/secrets/<env>/<name> (mode 0600, generated once, never printed); the deploy core
# writes them on the target as the services' secret files.
# Options: --staging-only (stop after the staging gate); other arguments go to `erp-deploy pipeline`.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { printf '\n\033[1mdemo [%3ss] %s\033[0m\n' "$((SECONDS - started))" "$*" >&2; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

say "1/4 setup: packages, Docker engine, offline images (scripts/setup.sh; skips what is there)"
scripts/setup.sh
set -a
# shellcheck disable=SC1091
. .erp-deploy/images.env
set +a
[ -f dist/cli/index.js ] || node scripts/build-dist.mjs cli

say "2/4 secrets: .erp-deploy/secrets/<env>/ (generated once, mode 0600)"
umask 077
random() { head -c 24 /dev/urandom | base64 | tr -d '/+=\n'; }
for env in staging production; do
  dir=.erp-deploy/secrets/$env
  mkdir -p "$dir"
  chmod 0700 "$dir"
  for name in redis_password flower_basic_auth grafana_admin_password; do
    file=$dir/$name
    if [ ! -s "$file" ]; then
      if [ "$name" = flower_basic_auth ]; then printf 'admin:%s' "$(random)" >"$file"; else random >"$file"; fi
      printf '  generated %s\n' "$file" >&2
    fi
    chmod 0600 "$file"
    # the variable erp-deploy.yml names for this secret, e.g. ERP_STAGING_REDIS_PASSWORD
    var="ERP_$(printf '%s_%s' "$env" "$name" | tr '[:lower:]' '[:upper:]')"
    export "$var"="$(cat "$file")"
  done
done
umask 022

# The gates judge live traffic (an error ratio of no requests is "inconclusive", not a pass): while the
# pipeline runs, a bounded loop plays a light user load (~10 requests/s) on whichever environment answers.
traffic() {
  local end=$((SECONDS + 1800)) i=0
  while [ $SECONDS -lt $end ] && [ $i -lt 36000 ]; do
    for port in 18000 8000; do
      curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/api/v1/customers" || true
      curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/api/v1/orders" || true
    done
    i=$((i + 1))
    sleep 0.2
  done
}
traffic &
traffic_pid=$!
trap 'kill "$traffic_pid" 2>/dev/null || true' EXIT

say "3/4 pipeline: test → build → staging (gated) → production (gated)"
log=.erp-deploy/demo.log
set +e
node dist/cli/index.js pipeline "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
kill "$traffic_pid" 2>/dev/null || true

say "4/4 where to look"
if grep -q 'deploy staging: passed .*(unchanged)' "$log" && grep -q 'deploy production: passed .*(unchanged)' "$log"; then
  printf 'Nothing changed since the last run: no service was redeployed (both environments already ran these images).\n'
fi
cat <<EOF
  staging     API http://127.0.0.1:18000/docs   Prometheus http://127.0.0.1:19090   Flower http://127.0.0.1:15555
  production  API http://127.0.0.1:8000/docs    Prometheus http://127.0.0.1:9090    Flower http://127.0.0.1:5555
  reports     reports/pipeline/ (gate reports, images.json)    log $log
  releases    node dist/cli/index.js releases staging|production
  Flower logins: user admin, password in .erp-deploy/secrets/<env>/flower_basic_auth
EOF
[ "$rc" = 0 ] || die "the pipeline failed (exit $rc) after $((SECONDS - started)) s; see $log"
say "done in $((SECONDS - started)) s: both environments run and passed their gates"
