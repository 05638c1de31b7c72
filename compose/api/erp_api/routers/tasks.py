from __future__ import annotations

import json

from celery.result import AsyncResult
from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from .. import keys
from ..models import ReportIn, TaskRef, TaskState
from ..store import Store
from .deps import celery, enqueue, store

router = APIRouter(tags=["tasks"])


@router.get("/tasks/{task_id}", response_model=TaskState)
async def get_task(task_id: str, request: Request, db: Store = Depends(store)) -> TaskState:
    raw = await db.redis.get(keys.key("task", task_id))
    if raw is None:
        raise HTTPException(status_code=404, detail=f"task {task_id} not found")
    ref = TaskRef(**json.loads(raw))

    def read() -> TaskState:
        result = AsyncResult(task_id, app=celery(request))
        state = result.state
        if state == "SUCCESS":
            return TaskState(**ref.model_dump(), state=state, result=result.result)
        if state in ("FAILURE", "RETRY"):
            return TaskState(**ref.model_dump(), state=state, error=f"{type(result.result).__name__}: {result.result}")
        return TaskState(**ref.model_dump(), state=state)

    return await run_in_threadpool(read)


@router.post("/reports", status_code=202, response_model=TaskRef)
async def create_report(body: ReportIn, request: Request) -> TaskRef:
    return await enqueue(request, "erp.generate_report", body.kind)
