"""`python -m erp_api.healthcheck [api|worker|flower]`: the image's HEALTHCHECK.

api: GET /health/live; worker: a Celery ping to this container's own node; flower: GET /healthcheck.
Without an argument the role is read from /tmp/erp-role (written by the entrypoint)."""

from __future__ import annotations

import os
import sys
import urllib.request

ROLE_FILE = "/tmp/erp-role"


def http_ok(url: str, timeout: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (fixed loopback URL)
            return 200 <= response.status < 300
    except Exception as err:
        print(f"healthcheck: {url}: {err}", file=sys.stderr)
        return False


def worker_ok() -> bool:
    from .settings import load_or_exit

    settings = load_or_exit()
    from .celery_app import make_celery, ping_workers

    try:
        answered = ping_workers(make_celery(settings), timeout=3.0, destination=[settings.worker_nodename], limit=1)
    except Exception as err:
        print(f"healthcheck: ping {settings.worker_nodename}: {err}", file=sys.stderr)
        return False
    if not answered:
        print(f"healthcheck: {settings.worker_nodename} did not answer a ping", file=sys.stderr)
    return bool(answered)


def main(argv: list[str]) -> int:
    role = argv[0] if argv else (open(ROLE_FILE).read().strip() if os.path.exists(ROLE_FILE) else "api")
    if role == "api":
        port = os.environ.get("ERP_HTTP_PORT", "8000") or "8000"
        root = os.environ.get("ERP_ROOT_PATH", "")
        ok = http_ok(f"http://127.0.0.1:{port}{root}/health/live")
    elif role == "worker":
        ok = worker_ok()
    elif role == "flower":
        ok = http_ok(f"http://127.0.0.1:{os.environ.get('FLOWER_PORT', '5555') or '5555'}/healthcheck")
    else:
        print(f"healthcheck: unknown role {role!r}: expected api, worker or flower", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
