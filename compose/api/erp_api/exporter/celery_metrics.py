"""Celery task metrics from signals, {name,queue} labelled.

  celery_task_sent_total          counted in the process that publishes (the API for API-enqueued work,
                                  the worker for retries and tasks that enqueue tasks)
  celery_task_started_total, celery_task_succeeded_total, celery_task_failed_total, celery_task_retried_total
  celery_task_runtime_seconds     histogram
  celery_task_inprogress          gauge (multiprocess mode livesum: dead children's values are dropped)

In a prefork worker, prometheus_client runs in multiprocess mode (PROMETHEUS_MULTIPROC_DIR set before it is
imported, see erp_api.worker), so each child writes its own files and the main process sums them at scrape.
"""

from __future__ import annotations

from time import perf_counter
from typing import Any

from celery import signals
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

RUNTIME_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
LABELS = ("name", "queue")


class CeleryMetrics:
    def __init__(self, registry: CollectorRegistry | None) -> None:
        def counter(what: str, doc: str) -> Counter:
            return Counter(f"celery_task_{what}_total", doc, LABELS, registry=registry)

        self.sent = counter("sent", "Task messages published, by task name and queue.")
        self.started = counter("started", "Tasks a worker process started.")
        self.succeeded = counter("succeeded", "Tasks that returned a result.")
        self.failed = counter("failed", "Tasks that raised (after their last retry).")
        self.retried = counter("retried", "Task retries scheduled.")
        self.runtime = Histogram(
            "celery_task_runtime_seconds",
            "Task run time in a worker process.",
            LABELS,
            buckets=RUNTIME_BUCKETS,
            registry=registry,
        )
        self.inprogress = Gauge(
            "celery_task_inprogress",
            "Tasks running now in worker processes.",
            LABELS,
            multiprocess_mode="livesum",
            registry=registry,
        )


_sink: CeleryMetrics | None = None
_started_at: dict[str, tuple[float, str, str]] = {}


def queue_of(task: Any) -> str:
    info = getattr(getattr(task, "request", None), "delivery_info", None) or {}
    return info.get("routing_key") or info.get("exchange") or "default"


def _on_publish(
    sender: Any = None,
    headers: dict[str, Any] | None = None,
    routing_key: str | None = None,
    exchange: str | None = None,
    **_: Any,
) -> None:
    if _sink is not None:
        name = (headers or {}).get("task") or str(sender)
        _sink.sent.labels(name, routing_key or exchange or "default").inc()


def _on_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if _sink is None or task is None:
        return
    name, queue = task.name, queue_of(task)
    _sink.started.labels(name, queue).inc()
    _sink.inprogress.labels(name, queue).inc()
    _started_at[task_id or ""] = (perf_counter(), name, queue)


def _on_postrun(task_id: str | None = None, **_: Any) -> None:
    begun = _started_at.pop(task_id or "", None)
    if _sink is None or begun is None:
        return
    start, name, queue = begun
    _sink.runtime.labels(name, queue).observe(perf_counter() - start)
    _sink.inprogress.labels(name, queue).dec()


def _on_success(sender: Any = None, **_: Any) -> None:
    if _sink is not None and sender is not None:
        _sink.succeeded.labels(sender.name, queue_of(sender)).inc()


def _on_failure(sender: Any = None, **_: Any) -> None:
    if _sink is not None and sender is not None:
        _sink.failed.labels(sender.name, queue_of(sender)).inc()


def _on_retry(sender: Any = None, request: Any = None, **_: Any) -> None:
    if _sink is not None and sender is not None:
        info = getattr(request, "delivery_info", None) or {}
        _sink.retried.labels(sender.name, info.get("routing_key") or queue_of(sender)).inc()


def install(metrics: CeleryMetrics) -> None:
    """Route Celery's signals into `metrics` (idempotent; a later call replaces the sink)."""
    global _sink
    _sink = metrics
    signals.after_task_publish.connect(_on_publish, weak=False, dispatch_uid="erp-metrics-publish")
    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="erp-metrics-prerun")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="erp-metrics-postrun")
    signals.task_success.connect(_on_success, weak=False, dispatch_uid="erp-metrics-success")
    signals.task_failure.connect(_on_failure, weak=False, dispatch_uid="erp-metrics-failure")
    signals.task_retry.connect(_on_retry, weak=False, dispatch_uid="erp-metrics-retry")
