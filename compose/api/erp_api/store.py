"""ERP records in Redis (async, for the API): JSON values at erp:<kind>:<id>, ordered by an index per kind."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from . import keys


def now() -> str:
    return datetime.now(UTC).isoformat()


class Store:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def create(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        number = await self.redis.incr(keys.key("seq", kind))
        record = {"id": str(number), **data, "created_at": now()}
        pipe = self.redis.pipeline()
        pipe.set(keys.key(kind, record["id"]), json.dumps(record))
        pipe.zadd(keys.key("index", kind), {record["id"]: number})
        await pipe.execute()
        return record

    async def get(self, kind: str, record_id: str) -> dict[str, Any] | None:
        raw = await self.redis.get(keys.key(kind, record_id))
        return json.loads(raw) if raw else None

    async def put(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        await self.redis.set(keys.key(kind, record["id"]), json.dumps(record))
        return record

    async def delete(self, kind: str, record_id: str) -> bool:
        pipe = self.redis.pipeline()
        pipe.delete(keys.key(kind, record_id))
        pipe.zrem(keys.key("index", kind), record_id)
        deleted, _ = await pipe.execute()
        return bool(deleted)

    async def list(self, kind: str, offset: int, limit: int) -> list[dict[str, Any]]:
        ids = await self.redis.zrange(keys.key("index", kind), offset, offset + limit - 1)
        if not ids:
            return []
        raws = await self.redis.mget([keys.key(kind, i) for i in ids])
        return [json.loads(raw) for raw in raws if raw]
