"""`python -m erp_api.serve`: validate settings, then run the API with uvicorn (graceful shutdown on SIGTERM:
stop accepting, finish in-flight requests for up to ERP_SHUTDOWN_TIMEOUT_SECONDS, close the Redis pool)."""

from __future__ import annotations

import os
import sys

from .settings import load_or_exit


def main() -> int:
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the API is one process: plain in-memory metrics
    settings = load_or_exit()
    import logging

    import uvicorn

    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s:     %(name)s: %(message)s")

    from .main import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level,
        timeout_graceful_shutdown=max(1, int(settings.shutdown_timeout)),
        proxy_headers=True,
        server_header=False,
        lifespan="on",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
