#!/bin/sh
# One image, three roles. Sub-commands:
#   api                 the FastAPI app (uvicorn)            worker   the prefork Celery worker + its exporter
#   flower              Flower with basic auth from a secret worker-healthcheck   a Celery ping to this node
#   healthcheck [role]  the image's HEALTHCHECK (role from /tmp/erp-role when omitted)
# Anything else is executed as given (e.g. `python`). Settings are validated by each Python launcher: a bad
# value or a missing secret stops the container with one line and exit code 2.
set -eu
role=${1:-api}
[ $# -gt 0 ] && shift
case "$role" in
  api) echo api >/tmp/erp-role; exec python -m erp_api.serve "$@" ;;
  worker) echo worker >/tmp/erp-role; exec python -m erp_api.worker "$@" ;;
  flower) echo flower >/tmp/erp-role; exec python -m erp_api.flower "$@" ;;
  worker-healthcheck) exec python -m erp_api.healthcheck worker ;;
  healthcheck) exec python -m erp_api.healthcheck "$@" ;;
  *) exec "$role" "$@" ;;
esac
