"""Liveness (the process answers) and readiness (Redis answers AND at least one worker answers a ping)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..celery_app import ping_workers

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
async def live(request: Request) -> dict:
    return {"status": "ok", "release": request.app.state.settings.release}


@router.get("/ready")
async def ready(request: Request) -> JSONResponse:
    state = request.app.state
    checks: dict[str, object] = {}
    try:
        await state.redis.ping()
        checks["redis"] = "ok"
    except Exception as err:
        checks["redis"] = f"error: {type(err).__name__}: {err}"
    if state.shutting_down:
        checks["shutdown"] = "in progress"
    try:
        workers = await run_in_threadpool(ping_workers, state.celery, state.settings.ready_timeout, None, 1)
        checks["workers"] = len(workers) if workers else "error: no worker answered a ping"
    except Exception as err:
        checks["workers"] = f"error: {type(err).__name__}: {err}"
    ok = checks["redis"] == "ok" and isinstance(checks["workers"], int) and not state.shutting_down
    return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)
