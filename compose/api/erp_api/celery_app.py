"""The Celery app: Redis broker and result backend, three queues with routing, settings for work that must not
be lost (acks late, reject on worker lost, prefetch 1) and task events on (Flower and the exporter use them)."""

from __future__ import annotations

from celery import Celery
from kombu import Exchange, Queue

from .settings import QUEUES, Settings

TASK_ROUTES = {
    "erp.render_invoice": {"queue": "invoices"},
    "erp.generate_report": {"queue": "reports"},
    "erp.notify_customer": {"queue": "default"},
    "erp.ping": {"queue": "default"},
}


def make_celery(settings: Settings) -> Celery:
    url = settings.redis_url()
    app = Celery("erp", broker=url, backend=url, include=["erp_api.tasks"])
    transport = {
        "visibility_timeout": settings.visibility_timeout,
        "socket_timeout": max(settings.redis_timeout, 5.0),
        "socket_connect_timeout": max(settings.redis_timeout, 5.0),
        "socket_keepalive": True,
        "health_check_interval": 25,
    }
    app.conf.update(
        task_queues=[Queue(q, Exchange(q, type="direct"), routing_key=q) for q in QUEUES],
        task_default_queue="default",
        task_default_exchange="default",
        task_default_routing_key="default",
        task_routes=TASK_ROUTES,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_send_task_events=True,
        task_send_sent_event=True,
        task_track_started=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=86400,
        result_extended=True,
        broker_transport_options=transport,
        result_backend_transport_options={"socket_keepalive": True, "health_check_interval": 25},
        redis_socket_timeout=max(settings.redis_timeout, 5.0),
        redis_socket_connect_timeout=max(settings.redis_timeout, 5.0),
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_max_tasks_per_child=settings.worker_max_tasks_per_child or None,
        worker_hijack_root_logger=False,
        enable_utc=True,
        timezone="UTC",
    )
    return app


def ping_workers(
    app: Celery, timeout: float, destination: list[str] | None = None, limit: int | None = None
) -> list[str]:
    """Names of the workers that answered a Celery ping within `timeout` seconds (stops early at `limit`)."""
    replies = app.control.broadcast("ping", reply=True, timeout=timeout, destination=destination, limit=limit) or []
    return [name for reply in replies for name, answer in reply.items() if answer == {"ok": "pong"}]
