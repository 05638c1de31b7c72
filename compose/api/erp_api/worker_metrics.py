"""`python -m erp_api.worker_metrics`: the worker's exporter process (spawned by erp_api.worker).

Serves the multiprocess-summed task metrics, queue lengths and the worker count on ERP_WORKER_METRICS_PORT;
exits when its parent (the Celery worker) is gone or on SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time

from .settings import load_or_exit


def main() -> int:
    settings = load_or_exit()
    parent = os.getppid()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = settings.multiproc_dir
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from prometheus_client import start_http_server

    from .celery_app import make_celery
    from .exporter.worker_exporter import build_registry

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    registry = build_registry(make_celery(settings), settings)
    try:
        start_http_server(settings.worker_metrics_port, addr="0.0.0.0", registry=registry)
    except OSError as err:
        port = settings.worker_metrics_port
        print(
            f"erp-api: worker metrics cannot listen on port {port} (ERP_WORKER_METRICS_PORT): {err.strerror}",
            file=sys.stderr,
            flush=True,
        )
        return 2
    logging.getLogger("erp.worker.metrics").info("worker metrics on :%d/metrics", settings.worker_metrics_port)
    while not stop and os.getppid() == parent:
        time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
