"""The FastAPI app factory: ERP routers under /api/v1, health probes, /metrics and the exporter middleware."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from celery import Celery
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import RedisError

from . import __version__
from .celery_app import make_celery
from .exporter import celery_metrics
from .exporter.http import HttpMetrics, PrometheusMiddleware
from .exporter.redis_pool import InstrumentedRedis, RedisClientMetrics
from .faults import FaultInjectionMiddleware
from .routers import customers, health, invoices, orders, tasks
from .settings import Settings
from .store import Store

log = logging.getLogger("erp.api")
API_PREFIX = "/api/v1"


def create_app(settings: Settings, celery_app: Celery | None = None) -> FastAPI:
    registry = CollectorRegistry()
    pool = BlockingConnectionPool(
        host=settings.redis_host,
        port=settings.redis_port,
        db=settings.redis_db,
        password=settings.redis_password,
        max_connections=settings.redis_max_connections,
        timeout=settings.redis_timeout,
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
        socket_keepalive=True,
        health_check_interval=30,
        decode_responses=True,
    )
    redis = InstrumentedRedis(connection_pool=pool)
    redis.erp_errors = RedisClientMetrics(registry, pool).errors
    celery_metrics.install(celery_metrics.CeleryMetrics(registry))
    Gauge(
        "erp_build_info", "Release and version of the running API.", ("release", "version"), registry=registry
    ).labels(settings.release, __version__).set(1)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("erp api %s (release %s) starting", __version__, settings.release)
        yield
        app.state.shutting_down = True
        await redis.aclose()
        await pool.disconnect()
        log.info("erp api stopped: Redis pool closed")

    app = FastAPI(title="ERP API", version=__version__, root_path=settings.root_path, lifespan=lifespan)
    app.state.settings = settings
    app.state.redis = redis
    app.state.store = Store(redis)
    app.state.celery = celery_app or make_celery(settings)
    app.state.registry = registry
    app.state.shutting_down = False

    app.include_router(health.router)
    for router in (customers.router, orders.router, invoices.router, tasks.router):
        app.include_router(router, prefix=API_PREFIX)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.exception_handler(RedisError)
    async def redis_unavailable(_: Request, err: RedisError) -> JSONResponse:
        log.warning("redis error: %s", err)
        return JSONResponse({"detail": f"redis unavailable: {type(err).__name__}"}, status_code=503)

    if settings.fault_error_rate or settings.fault_degrade_after or settings.fault_latency_ms:
        log.warning(
            "fault injection ON: error_rate=%s degrade_after=%s latency_ms=%s",
            settings.fault_error_rate,
            settings.fault_degrade_after,
            settings.fault_latency_ms,
        )
        app.add_middleware(
            FaultInjectionMiddleware,
            error_rate=settings.fault_error_rate,
            degrade_after=settings.fault_degrade_after,
            latency_ms=settings.fault_latency_ms,
        )
    app.add_middleware(PrometheusMiddleware, metrics=HttpMetrics(registry), app_ref=app)
    return app
