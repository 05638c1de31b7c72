"""Shared request helpers: the store, the Celery app, 404s, and enqueueing a task with a tracking record."""

from __future__ import annotations

import json
from typing import Any

from celery import Celery
from fastapi import HTTPException, Request
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
    await store(request).redis.set(keys.task(result.id), json.dumps({**ref.model_dump(), "created_at": now()}), ex=86400)
    return ref
