from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response

from .. import keys
from ..models import Order, OrderIn, OrderStatusIn
from ..store import Store
from .deps import enqueue, must_get, store

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("", status_code=201, response_model=Order)
async def create_order(body: OrderIn, request: Request, db: Store = Depends(store)) -> dict:
    await must_get(db, "customer", body.customer_id)
    total = sum(line.quantity * line.unit_price_cents for line in body.lines)
    order = await db.create("order", {**body.model_dump(), "status": "open", "total_cents": total})
    await db.redis.sadd(keys.customer_orders(body.customer_id), order["id"])
    await enqueue(request, "erp.notify_customer", order["id"])
    return order


@router.get("", response_model=list[Order])
async def list_orders(offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500),
                      db: Store = Depends(store)) -> list[dict]:
    return await db.list("order", offset, limit)


@router.get("/{order_id}", response_model=Order)
async def get_order(order_id: str, db: Store = Depends(store)) -> dict:
    return await must_get(db, "order", order_id)


@router.put("/{order_id}/status", response_model=Order)
async def set_order_status(order_id: str, body: OrderStatusIn, db: Store = Depends(store)) -> dict:
    order = await must_get(db, "order", order_id)
    return await db.put("order", {**order, "status": body.status})


@router.delete("/{order_id}", status_code=204)
async def delete_order(order_id: str, db: Store = Depends(store)) -> Response:
    order = await must_get(db, "order", order_id)
    await db.delete("order", order_id)
    await db.redis.srem(keys.customer_orders(order["customer_id"]), order_id)
    return Response(status_code=204)
