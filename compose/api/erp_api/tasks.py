"""Worker tasks. They read and write the same Redis records as the API (keys.py)."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from typing import Any

import redis
from celery import shared_task
from celery.exceptions import MaxRetriesExceededError

from . import keys

_client: tuple[int, redis.Redis] | None = None


class OrderMissing(Exception):
    """The invoice's order is gone (deleted meanwhile); retried, then the task fails."""


def store() -> redis.Redis:
    """One Redis client per process (prefork children each build their own after the fork)."""
    global _client
    from celery import current_app

    if _client is None or _client[0] != os.getpid():
        _client = (
            os.getpid(),
            redis.Redis.from_url(
                current_app.conf.broker_url, decode_responses=True, socket_timeout=5, socket_keepalive=True
            ),
        )
    return _client[1]


def _load(kind: str, record_id: str) -> dict[str, Any] | None:
    raw = store().get(keys.key(kind, record_id))
    return json.loads(raw) if raw else None


def _now() -> str:
    return datetime.now(UTC).isoformat()


@shared_task(name="erp.ping")
def ping(delay: float = 0.0) -> dict[str, Any]:
    """Smoke task: proves a worker process runs tasks; returns its pid."""
    if delay:
        time.sleep(min(delay, 5.0))
    return {"pid": os.getpid(), "at": _now()}


@shared_task(name="erp.notify_customer")
def notify_customer(order_id: str) -> dict[str, Any]:
    """Queue an order confirmation for the customer (kept in the erp:notifications list, newest first)."""
    order = _load("order", order_id)
    if order is None:
        return {"order_id": order_id, "sent": False}
    note = {"order_id": order_id, "customer_id": order["customer_id"], "kind": "order-confirmation", "at": _now()}
    db = store()
    db.lpush(keys.NOTIFICATIONS, json.dumps(note))
    db.ltrim(keys.NOTIFICATIONS, 0, 999)
    return {"order_id": order_id, "sent": True}


@shared_task(name="erp.render_invoice", bind=True, max_retries=3, default_retry_delay=0.2)
def render_invoice(self: Any, invoice_id: str) -> dict[str, Any]:
    """Render the invoice's document from its order lines and mark it rendered."""
    invoice = _load("invoice", invoice_id)
    if invoice is None:
        raise LookupError(f"invoice {invoice_id} does not exist")
    order = _load("order", invoice["order_id"])
    if order is None:
        try:
            raise self.retry(exc=OrderMissing(f"order {invoice['order_id']} of invoice {invoice_id} is missing"))
        except MaxRetriesExceededError:
            raise OrderMissing(f"order {invoice['order_id']} of invoice {invoice_id} is missing") from None
    lines = [f"INVOICE {invoice_id}  order {order['id']}  customer {order['customer_id']}"]
    total = 0
    for line in order["lines"]:
        amount = line["quantity"] * line["unit_price_cents"]
        total += amount
        lines.append(
            f"{line['sku']:<20} {line['quantity']:>6} x {line['unit_price_cents'] / 100:>10.2f} = {amount / 100:>12.2f}"
        )
    lines.append(f"{'TOTAL':<43}{total / 100:>12.2f}")
    document = "\n".join(lines) + "\n"
    invoice.update(status="rendered", total_cents=total, rendered_at=_now())
    db = store()
    pipe = db.pipeline()
    pipe.set(keys.key("invoice", invoice_id, "document"), document)
    pipe.set(keys.key("invoice", invoice_id), json.dumps(invoice))
    pipe.execute()
    return {"invoice_id": invoice_id, "total_cents": total, "lines": len(order["lines"]), "bytes": len(document)}


@shared_task(name="erp.generate_report", bind=True)
def generate_report(self: Any, kind: str) -> dict[str, Any]:
    """Sales: order count and revenue per status; customers: count and orders per customer."""
    db = store()
    ids = db.zrange(keys.key("index", "order"), 0, -1)
    orders = [json.loads(raw) for raw in db.mget([keys.key("order", i) for i in ids]) if raw] if ids else []
    if kind == "sales":
        by_status: dict[str, dict[str, int]] = {}
        for order in orders:
            entry = by_status.setdefault(order["status"], {"orders": 0, "revenue_cents": 0})
            entry["orders"] += 1
            entry["revenue_cents"] += order["total_cents"]
        data: dict[str, Any] = {"orders": len(orders), "by_status": by_status}
    elif kind == "customers":
        per_customer: dict[str, int] = {}
        for order in orders:
            per_customer[order["customer_id"]] = per_customer.get(order["customer_id"], 0) + 1
        data = {"customers": db.zcard(keys.key("index", "customer")), "orders_per_customer": per_customer}
    else:
        raise ValueError(f"unknown report kind {kind!r}")
    result = {"kind": kind, "generated_at": _now(), **data}
    db.set(keys.key("report", self.request.id), json.dumps(result), ex=86400)
    return result
