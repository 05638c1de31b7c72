#!/usr/bin/env bash
# The test command (README): installs and starts what the tests need, then runs every suite.
# Stages: setup → lint/format/typecheck → dist is current and every bundle runs → unit → python →
# integration (real Prometheus/Redis) → e2e (real Docker engine).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
stage() { printf '\n=== %s (%ss)\n' "$*" "$((SECONDS - started))"; }

stage setup
scripts/setup.sh
# shellcheck source=/dev/null
set -a; . .erp-deploy/images.env; set +a

stage "lint, format, typecheck, shellcheck"
npm run --silent lint
npm run --silent typecheck
.venv/bin/ruff check --config compose/api/ruff.toml compose/api bench/exporter
shellcheck -S warning scripts/*.sh .ci/run compose/*/*.sh compose/api/scripts/*.sh bench/*/*.sh

stage "dist is current"
scripts/check-dist.sh

stage "Prometheus and Alertmanager configuration (promtool check, promtool test rules, amtool)"
compose/prometheus/check.sh

# The suites below all run even when one fails; the closing line sums them (scripts/test-summary.mjs).
reports=reports/test
rm -rf "$reports"
mkdir -p "$reports"
failed=()
suite() { # suite <name> <command...>
  local name=$1
  shift
  "$@" || failed+=("$name")
}

stage "unit tests"
suite unit npm run --silent test:unit -- --json --outputFile="$reports/jest-unit.json"

stage "python tests (API, worker, exporter) against a real Redis and Celery worker"
suite pytest .venv/bin/python -m pytest -q compose/api/tests --junitxml="$reports/pytest.xml"

stage "integration tests (real Prometheus, Redis, sshd)"
suite integration npm run --silent test:integration -- --json --outputFile="$reports/jest-integration.json"

stage "e2e tests (real Docker engine)"
suite e2e npm run --silent test:e2e -- --json --outputFile="$reports/jest-e2e.json"

stage "summary"
# The machine's state at the end, for reading a failure from the log's last lines.
echo "disk: $(df -h --output=avail / | tail -1 | tr -d ' ') free on /; engine: $(/usr/bin/docker system df --format '{{.Type}} {{.Size}}' 2>/dev/null | paste -sd, -)"
node scripts/test-summary.mjs "$reports" || true
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed suites: ${failed[*]}" >&2
  exit 1
fi
