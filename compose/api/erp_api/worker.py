"""`python -m erp_api.worker`: validate settings, prepare multiprocess metrics, run a prefork Celery worker."""

from __future__ import annotations

import atexit
import logging
import subprocess
import sys

from .exporter import multiproc
from .settings import load_or_exit


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    settings = load_or_exit()
    multiproc.prepare_dir(settings.multiproc_dir)  # before prometheus_client is imported
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from .celery_app import make_celery
    from .exporter import celery_metrics, worker_exporter

    app = make_celery(settings)
    celery_metrics.install(celery_metrics.CeleryMetrics(registry=None))
    worker_exporter.install_child_exit_hook(settings)
    exporter = subprocess.Popen([sys.executable, "-m", "erp_api.worker_metrics"])  # inherits the env (and dir)
    atexit.register(_stop, exporter)
    try:  # an exporter that cannot start (port taken) stops the worker rather than leave it unobserved
        code = exporter.wait(timeout=1.5)
        print(f"erp-api: the worker's metrics exporter exited with code {code}; not starting", file=sys.stderr)
        return 2
    except subprocess.TimeoutExpired:
        pass
    argv = [
        "worker",
        "--pool=prefork",
        f"--concurrency={settings.worker_concurrency}",
        f"--queues={','.join(settings.worker_queues)}",
        f"--hostname={settings.worker_nodename}",
        f"--loglevel={settings.log_level.upper()}",
        "--task-events",
        "--without-gossip",
        "--without-mingle",
    ]
    app.worker_main(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
