"""Fault injection for the suite's own end-to-end tests (pure ASGI; off unless an ERP_FAULT_* variable is set).

Only /api/v1/* is affected, never health probes or /metrics: ERP_FAULT_LATENCY_MS adds latency,
ERP_FAULT_ERROR_RATE answers that share with 500, ERP_FAULT_DEGRADE_AFTER answers 500 after N requests."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

PREFIX = "/api/v1/"
BODY = b'{"detail":"injected fault"}'


class FaultInjectionMiddleware:
    def __init__(
        self, app: Callable[..., Awaitable[None]], error_rate: float, degrade_after: int, latency_ms: int
    ) -> None:
        self.app = app
        self.error_rate, self.degrade_after, self.latency = error_rate, degrade_after, latency_ms / 1000
        self.seen = 0
        self.random = random.Random()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        root = scope.get("root_path", "")
        path = scope["path"][len(root) :] if root and scope["path"].startswith(root) else scope["path"]
        if not path.startswith(PREFIX):
            return await self.app(scope, receive, send)
        self.seen += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        degraded = self.degrade_after and self.seen > self.degrade_after
        if degraded or (self.error_rate and self.random.random() < self.error_rate):
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": BODY})
            return
        await self.app(scope, receive, send)
