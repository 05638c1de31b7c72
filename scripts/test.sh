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

stage "unit tests"
npm run --silent test:unit

stage "python tests (API, worker, exporter) against a real Redis and Celery worker"
if [ -d compose/api/tests ]; then
  .venv/bin/python -m pytest -q compose/api/tests || { rc=$?; [ $rc -eq 5 ] || exit $rc; }
fi

stage "integration tests (real Prometheus, Redis)"
npm run --silent test:integration -- --passWithNoTests

stage "e2e tests (real Docker engine)"
npm run --silent test:e2e -- --passWithNoTests

stage "all passed"
