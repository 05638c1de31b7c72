from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Response

from .. import keys
from ..models import Customer, CustomerIn
from ..store import Store
from .deps import add_read_routes, must_get, store

router = APIRouter(prefix="/customers", tags=["customers"])
add_read_routes(router, "customer", Customer)


@router.post("", status_code=201, response_model=Customer)
async def create_customer(body: CustomerIn, db: Store = Depends(store)) -> dict:
    return await db.create("customer", body.model_dump())


@router.put("/{customer_id}", response_model=Customer)
async def update_customer(customer_id: str, body: CustomerIn, db: Store = Depends(store)) -> dict:
    record = await must_get(db, "customer", customer_id)
    return await db.put("customer", {**record, **body.model_dump()})


@router.delete("/{customer_id}", status_code=204)
async def delete_customer(customer_id: str, db: Store = Depends(store)) -> Response:
    await must_get(db, "customer", customer_id)
    if await db.redis.scard(keys.key("customer", customer_id, "orders")):
        raise HTTPException(status_code=409, detail=f"customer {customer_id} has orders")
    await db.delete("customer", customer_id)
    return Response(status_code=204)
