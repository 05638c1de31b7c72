"""Per-request cost of the exporter's HTTP middleware vs prometheus-fastapi-instrumentator, in one run.

The same FastAPI app (ERP route layout under /api/v1, trivial handlers, no I/O) is built three times: without
instrumentation (baseline), with erp_api.exporter.http.PrometheusMiddleware, and with the peer's default
Instrumentator().instrument(app). Requests are driven in-process through the ASGI interface (no sockets), so
the difference to the baseline is the instrumentation's own cost. Rounds are short and interleaved, timed
with the process's CPU clock (other processes on a shared machine do not count), and the fastest round of
each variant is kept (the usual estimator for micro-benchmarks: noise only ever adds time).

Run: .venv/bin/python bench/exporter/bench.py [--requests N] [--rounds R]
Target: ours_added / peer_added <= 0.3 (exit code 1 when above).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "compose" / "api"))

from fastapi import APIRouter, FastAPI  # noqa: E402
from prometheus_client import CollectorRegistry  # noqa: E402
from prometheus_fastapi_instrumentator import Instrumentator  # noqa: E402

from erp_api.exporter.http import HttpMetrics, PrometheusMiddleware  # noqa: E402

PATHS = [  # a mix: static, one and two path parameters, unknown path, excluded probe
    ("GET", "/api/v1/customers"),
    ("GET", "/api/v1/customers/42"),
    ("POST", "/api/v1/orders"),
    ("GET", "/api/v1/orders/7"),
    ("PUT", "/api/v1/orders/7/status"),
    ("GET", "/api/v1/invoices/3/document"),
    ("POST", "/api/v1/invoices/3/render"),
    ("GET", "/api/v1/tasks/abc-123"),
    ("GET", "/does/not/exist"),
    ("GET", "/health/live"),
]


def build_app() -> FastAPI:
    app = FastAPI()
    api = APIRouter(prefix="/api/v1")
    for kind in ("customers", "orders", "invoices"):
        param = "{" + kind[:-1] + "_id}"

        async def listing() -> dict:
            return {"items": []}

        async def one() -> dict:
            return {"id": "1"}

        api.add_api_route(f"/{kind}", listing, methods=["GET"])
        api.add_api_route(f"/{kind}", one, methods=["POST"], status_code=201)
        api.add_api_route(f"/{kind}/{param}", one, methods=["GET", "PUT", "DELETE"])
    for path, method in (
        ("/orders/{order_id}/status", "PUT"),
        ("/invoices/{invoice_id}/render", "POST"),
        ("/invoices/{invoice_id}/document", "GET"),
        ("/tasks/{task_id}", "GET"),
        ("/reports", "POST"),
    ):

        async def action() -> dict:
            return {"ok": True}

        api.add_api_route(path, action, methods=[method])
    app.include_router(api)

    @app.get("/health/live")
    async def live() -> dict:
        return {"status": "ok"}

    return app


def variants() -> dict[str, FastAPI]:
    baseline = build_app()
    ours = build_app()
    ours.add_middleware(PrometheusMiddleware, metrics=HttpMetrics(CollectorRegistry()), app_ref=ours)
    peer = build_app()
    Instrumentator(registry=CollectorRegistry(), excluded_handlers=["/metrics", "/health/.*"]).instrument(peer)
    return {"baseline": baseline, "erp exporter": ours, "instrumentator 7.0.0": peer}


async def drive(app: FastAPI, n: int) -> float:
    """CPU seconds per request for n requests through the ASGI interface."""
    body = b'{"status":"open"}'

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        return None

    scopes = [
        {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"bench"), (b"content-type", b"application/json"), (b"content-length", b"17")],
            "client": ("127.0.0.1", 1234),
            "server": ("bench", 80),
        }
        for method, path in PATHS
    ]
    k = len(scopes)
    start = time.process_time()
    for i in range(n):
        await app(dict(scopes[i % k]), receive, send)
    return (time.process_time() - start) / n


async def main(requests: int, rounds: int) -> int:
    apps = variants()
    for app in apps.values():  # warm up: middleware stacks built, label children created
        await drive(app, 500)
    samples: dict[str, list[float]] = {name: [] for name in apps}
    for r in range(rounds):
        order = list(apps.items()) if r % 2 == 0 else list(reversed(apps.items()))
        for name, app in order:
            samples[name].append(await drive(app, requests))
    us = {name: min(v) * 1e6 for name, v in samples.items()}
    spread = {name: (statistics.median(v) - min(v)) * 1e6 for name, v in samples.items()}
    base = us["baseline"]
    print(f"requests per variant and round: {requests}, rounds: {rounds}, paths: {len(PATHS)} (mixed)")
    print(f"{'variant':<22}{'us/request':>12}{'added us':>11}{'median-min':>12}")
    for name, value in us.items():
        print(f"{name:<22}{value:>12.2f}{value - base:>11.2f}{spread[name]:>12.2f}")
    ours_added = us["erp exporter"] - base
    peer_added = us["instrumentator 7.0.0"] - base
    ratio = ours_added / peer_added
    print(f"added-cost ratio (erp exporter / instrumentator): {ratio:.3f}  (target <= 0.3)")
    return 0 if ratio <= 0.3 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.requests, args.rounds)))
