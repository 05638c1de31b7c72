"""The HTTP middleware: route templates (router prefixes and root_path), unknown paths grouped, /metrics and
health excluded, status groups, exceptions counted as 5xx, in-progress gauge; no Redis needed."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, generate_latest

from conftest import scrape_value
from erp_api.exporter.http import BUCKETS, HttpMetrics, PrometheusMiddleware


def build(root_path: str = "") -> tuple[FastAPI, CollectorRegistry]:
    registry = CollectorRegistry()
    app = FastAPI(root_path=root_path)
    items = APIRouter(prefix="/items")
    state = {"gauge": None}

    @items.get("/{item_id}")
    async def item(item_id: int) -> dict:
        if item_id == 404:
            raise HTTPException(status_code=404)
        return {"id": item_id}

    @items.get("/{item_id}/parts/{part}")
    async def part(item_id: int, part: str) -> dict:
        return {"id": item_id, "part": part}

    @items.post("")
    async def create() -> dict:
        raise RuntimeError("boom")

    @items.get("/slow/inprogress")
    async def slow() -> dict:
        state["gauge"] = scrape_value(
            generate_latest(registry).decode(),
            "http_requests_inprogress",
            handler=f"{root_path}/api/v1/items/slow/inprogress",
        )
        await asyncio.sleep(0)
        return {}

    app.include_router(items, prefix="/api/v1")

    @app.get("/health/live")
    async def live() -> dict:
        return {}

    @app.get("/metrics")
    async def metrics() -> str:
        return "x"

    app.add_middleware(PrometheusMiddleware, metrics=HttpMetrics(registry), app_ref=app)
    app.state.inprogress = state
    return app, registry


def families(registry: CollectorRegistry) -> str:
    return generate_latest(registry).decode()


def test_route_templates_with_router_prefixes_and_status_groups():
    app, registry = build()
    client = TestClient(app, raise_server_exceptions=False)
    for i in range(3):
        assert client.get(f"/api/v1/items/{i}").status_code == 200
    assert client.get("/api/v1/items/404").status_code == 404
    assert client.get("/api/v1/items/7/parts/wheel").status_code == 200
    assert client.get("/api/v1/items/abc").status_code == 422
    assert client.post("/api/v1/items").status_code == 500  # unhandled exception
    text = families(registry)
    assert scrape_value(text, "http_requests_total", method="GET", handler="/api/v1/items/{item_id}", status="2xx") == 3
    assert scrape_value(text, "http_requests_total", handler="/api/v1/items/{item_id}", status="4xx") == 2
    assert scrape_value(text, "http_requests_total", handler="/api/v1/items/{item_id}/parts/{part}") == 1
    assert scrape_value(text, "http_requests_total", method="POST", handler="/api/v1/items", status="5xx") == 1
    assert (
        scrape_value(text, "http_request_duration_seconds_count", method="GET", handler="/api/v1/items/{item_id}") == 5
    )
    assert "/api/v1/items/1" not in text.replace("/api/v1/items/{", "")  # no raw paths as labels


def test_unknown_paths_grouped_and_methods_bounded():
    app, registry = build()
    client = TestClient(app)
    for path in ("/nope", "/api/v1/unknown/1", "/api/v1/unknown/2", "/wp-login.php"):
        assert client.get(path).status_code == 404
    assert client.request("BREW", "/api/v1/items/1").status_code == 405
    assert client.delete("/api/v1/items/1").status_code == 405  # known template, wrong method
    text = families(registry)
    assert scrape_value(text, "http_requests_total", handler="none", status="4xx") == 4
    assert scrape_value(text, "http_requests_total", method="other", handler="/api/v1/items/{item_id}") == 1
    assert scrape_value(text, "http_requests_total", method="DELETE", handler="/api/v1/items/{item_id}") == 1
    handlers = {
        line.split('handler="')[1].split('"')[0]
        for line in text.splitlines()
        if line.startswith("http_requests_total{")
    }
    assert handlers == {"none", "/api/v1/items/{item_id}"}


def test_metrics_and_health_excluded():
    app, registry = build()
    client = TestClient(app)
    for path in ("/metrics", "/health/live", "/health/ready", "/health"):
        client.get(path)
    text = families(registry)
    assert scrape_value(text, "http_requests_total") == 0
    assert scrape_value(text, "http_request_duration_seconds_count") == 0


@pytest.mark.parametrize("root_path", ["/erp", "/tenant/a"])
def test_root_path_included(root_path):
    app, registry = build(root_path)
    client = TestClient(app)
    assert client.get("/api/v1/items/5").status_code == 200  # a proxy stripped the prefix
    assert client.get(f"{root_path}/api/v1/items/6").status_code == 200  # path with the prefix
    assert client.get(f"{root_path}/metrics").status_code == 200
    text = families(registry)
    assert scrape_value(text, "http_requests_total", handler=f"{root_path}/api/v1/items/{{item_id}}") == 2
    assert scrape_value(text, "http_requests_total") == 2


def test_buckets_and_inprogress():
    app, registry = build()
    client = TestClient(app)
    assert client.get("/api/v1/items/slow/inprogress").status_code == 200
    assert app.state.inprogress["gauge"] == 1.0  # the request saw itself in progress
    text = families(registry)
    assert scrape_value(text, "http_requests_inprogress") == 0
    les = sorted(
        {
            float(line.split('le="')[1].split('"')[0])
            for line in text.splitlines()
            if line.startswith("http_request_duration_seconds_bucket{")
        }
        - {float("inf")}
    )
    assert tuple(les) == BUCKETS


def test_erp_app_metrics_page(api):
    """The real app: build info, route templates of the ERP routers, Redis pool gauges, sent tasks."""
    api.get("/api/v1/customers")
    api.get("/api/v1/customers/does-not-exist")
    api.post("/api/v1/reports", json={"kind": "sales"})
    text = api.get("/metrics").text
    assert scrape_value(text, "erp_build_info", release="test-release", version="1.0.0") == 1
    assert scrape_value(text, "http_requests_total", method="GET", handler="/api/v1/customers", status="2xx") == 1
    assert scrape_value(text, "http_requests_total", handler="/api/v1/customers/{customer_id}", status="4xx") == 1
    assert scrape_value(text, "celery_task_sent_total", name="erp.generate_report", queue="reports") == 1
    assert scrape_value(text, "redis_client_pool_max_connections") == 20
    in_use = scrape_value(text, "redis_client_pool_connections", state="in_use")
    idle = scrape_value(text, "redis_client_pool_connections", state="idle")
    assert in_use == 0 and idle >= 1  # nothing borrowed between requests; connections were made and returned
    assert "redis_client_errors_total 0.0" in text
