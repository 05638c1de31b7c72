"""Redis client-pool metrics for the API's redis-py asyncio pool.

redis_client_pool_connections{state="in_use"|"idle"}   read from the pool at scrape time (no per-call cost)
redis_client_pool_max_connections
redis_client_errors_total                               commands that raised a Redis error (InstrumentedRedis)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.asyncio import Redis
from redis.exceptions import RedisError


class RedisPoolCollector(Collector):
    def __init__(self, pool: Any) -> None:
        self.pool = pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        in_use = len(getattr(self.pool, "_in_use_connections", ()))
        idle = len(getattr(self.pool, "_available_connections", ()))
        conns = GaugeMetricFamily(
            "redis_client_pool_connections", "Connections of the API's Redis client pool by state.", labels=["state"]
        )
        conns.add_metric(["in_use"], in_use)
        conns.add_metric(["idle"], idle)
        yield conns
        yield GaugeMetricFamily(
            "redis_client_pool_max_connections",
            "Size limit of the API's Redis client pool.",
            value=self.pool.max_connections,
        )


class RedisClientMetrics:
    def __init__(self, registry: CollectorRegistry | None, pool: Any) -> None:
        self.errors = Counter(
            "redis_client_errors_total",
            "Redis commands from the API that failed (connection, timeout, server error).",
            registry=registry,
        )
        if registry is not None:
            registry.register(RedisPoolCollector(pool))


class InstrumentedRedis(Redis):
    """redis.asyncio.Redis that counts failed commands and pipelines in redis_client_errors_total."""

    erp_errors: Any = None

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        try:
            return await super().execute_command(*args, **options)
        except RedisError:
            if self.erp_errors is not None:
                self.erp_errors.inc()
            raise

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        pipe = super().pipeline(transaction, shard_hint)
        errors = self.erp_errors
        execute = pipe.execute

        async def counted_execute(raise_on_error: bool = True) -> Any:
            try:
                return await execute(raise_on_error)
            except RedisError:
                if errors is not None:
                    errors.inc()
                raise

        pipe.execute = counted_execute  # type: ignore[method-assign]
        return pipe
