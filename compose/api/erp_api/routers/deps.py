"""Shared request helpers: the store, the Celery app, 404s, and enqueueing a task with a tracking record."""

from __future__ import annotations

import inspect
import json
from typing import Any

from celery import Celery
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from .. import keys
from ..celery_app import TASK_ROUTES
from ..models import TaskRef
from ..store import Store, now


def store(request: Request) -> Store:
    return request.app.state.store


def celery(request: Request) -> Celery:
    return request.app.state.celery


async def must_get(db: Store, kind: str, record_id: str) -> dict[str, Any]:
    record = await db.get(kind, record_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"{kind} {record_id} not found")
    return record


async def enqueue(request: Request, name: str, *args: Any) -> TaskRef:
    """Publish task `name` to its routed queue (kombu blocks: run in the threadpool) and remember it."""
    queue = TASK_ROUTES[name]["queue"]
    app = celery(request)
    result = await run_in_threadpool(app.send_task, name, args=list(args), queue=queue, routing_key=queue)
    ref = TaskRef(task_id=result.id, name=name, queue=queue)
    await store(request).redis.set(
        keys.key("task", result.id), json.dumps({**ref.model_dump(), "created_at": now()}), ex=86400
    )
    return ref


def add_read_routes(router: APIRouter, kind: str, model: type) -> None:
    """GET "" (paged list) and GET /{<kind>_id} for one record kind."""
    param = f"{kind}_id"

    async def list_records(
        offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500), db: Store = Depends(store)
    ) -> list[dict]:
        return await db.list(kind, offset, limit)

    async def get_record(db: Store = Depends(store), **path: str) -> dict:
        return await must_get(db, kind, path[param])

    signature = inspect.signature(get_record)
    get_record.__signature__ = signature.replace(
        parameters=[  # type: ignore[attr-defined]
            inspect.Parameter(param, inspect.Parameter.KEYWORD_ONLY, annotation=str),
            signature.parameters["db"].replace(kind=inspect.Parameter.KEYWORD_ONLY),
        ]
    )
    router.add_api_route("", list_records, methods=["GET"], response_model=list[model], name=f"list_{kind}s")
    router.add_api_route(f"/{{{param}}}", get_record, methods=["GET"], response_model=model, name=f"get_{kind}")
