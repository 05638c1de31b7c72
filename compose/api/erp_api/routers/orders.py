from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from .. import keys
from ..models import Order, OrderIn, OrderStatusIn
from ..store import Store
from .deps import add_read_routes, enqueue, must_get, store

router = APIRouter(prefix="/orders", tags=["orders"])
add_read_routes(router, "order", Order)


@router.post("", status_code=201, response_model=Order)
async def create_order(body: OrderIn, request: Request, db: Store = Depends(store)) -> dict:
    await must_get(db, "customer", body.customer_id)
    total = sum(line.quantity * line.unit_price_cents for line in body.lines)
    order = await db.create("order", {**body.model_dump(), "status": "open", "total_cents": total})
    await db.redis.sadd(keys.key("customer", body.customer_id, "orders"), order["id"])
    await enqueue(request, "erp.notify_customer", order["id"])
    return order


@router.put("/{order_id}/status", response_model=Order)
async def set_order_status(order_id: str, body: OrderStatusIn, db: Store = Depends(store)) -> dict:
    order = await must_get(db, "order", order_id)
    return await db.put("order", {**order, "status": body.status})


@router.delete("/{order_id}", status_code=204)
async def delete_order(order_id: str, db: Store = Depends(store)) -> Response:
    order = await must_get(db, "order", order_id)
    await db.delete("order", order_id)
    await db.redis.srem(keys.key("customer", order["customer_id"], "orders"), order_id)
    return Response(status_code=204)
