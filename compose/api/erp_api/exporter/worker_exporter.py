"""The worker's /metrics (port ERP_WORKER_METRICS_PORT), served by a separate exporter process (erp_api.worker_metrics)
started next to the prefork worker: threads in the pool's parent would be forked into new children mid-lock.

Exposes the multiprocess-summed task metrics of every pool child plus, read at scrape time:
  celery_queue_length{queue}   messages waiting in each queue (Redis LLEN, priority sub-queues included)
  celery_workers               workers answering a Celery ping (cached for a few seconds)
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import redis
from celery import Celery, signals
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ..celery_app import ping_workers
from ..settings import QUEUES, Settings
from . import multiproc

log = logging.getLogger("erp.worker.metrics")
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")  # kombu's Redis priority sub-queues


class QueueLengthCollector(Collector):
    def __init__(self, client: redis.Redis, queues: tuple[str, ...] = QUEUES) -> None:
        self.client, self.queues = client, queues

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            pipe = self.client.pipeline(transaction=False)
            for queue in self.queues:
                for suffix in PRIORITY_SUFFIXES:
                    pipe.llen(queue + suffix)
            lengths = pipe.execute()
        except redis.RedisError as err:
            log.warning("queue length unavailable: %s", err)
            return
        family = GaugeMetricFamily("celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"])
        step = len(PRIORITY_SUFFIXES)
        for i, queue in enumerate(self.queues):
            family.add_metric([queue], sum(lengths[i * step : (i + 1) * step]))
        yield family


class WorkersCollector(Collector):
    def __init__(self, app: Celery, timeout: float = 1.0, ttl: float = 10.0) -> None:
        self.app, self.timeout, self.ttl = app, timeout, ttl
        self._cached: tuple[float, int] | None = None
        self._lock = threading.Lock()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            now = time.monotonic()
            # a positive answer is reused for `ttl` seconds; "no worker" is re-checked at the next scrape
            if self._cached is None or self._cached[1] == 0 or now - self._cached[0] > self.ttl:
                try:
                    self._cached = (now, len(ping_workers(self.app, self.timeout)))
                except Exception as err:  # broker down: report no worker rather than fail the scrape
                    log.warning("worker ping failed: %s", err)
                    self._cached = (now, 0)
            count = self._cached[1]
        yield GaugeMetricFamily("celery_workers", "Celery workers answering a ping.", value=count)


class TaskMetricsCollector(Collector):
    """Sum the children's files, after dropping live gauges of children that died without cleaning up."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(self._registry, path)

    def collect(self) -> Iterator[Any]:
        multiproc.sweep_dead(self.path)
        yield from self._registry.collect()


def build_registry(app: Celery, settings: Settings) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(TaskMetricsCollector(settings.multiproc_dir))
    client = redis.Redis.from_url(settings.redis_url(), socket_timeout=max(settings.redis_timeout, 1.0))
    registry.register(QueueLengthCollector(client))
    registry.register(WorkersCollector(app, timeout=settings.ready_timeout))
    return registry


def install_child_exit_hook(settings: Settings) -> None:
    """Pool children mark themselves dead on exit (their live gauges stop counting)."""

    def child_exit(pid: int | None = None, **_: Any) -> None:
        multiprocess.mark_process_dead(pid or os.getpid(), settings.multiproc_dir)

    signals.worker_process_shutdown.connect(child_exit, weak=False, dispatch_uid="erp-worker-metrics-child-exit")
