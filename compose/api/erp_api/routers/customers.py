from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from .. import keys
from ..models import Customer, CustomerIn
from ..store import Store
from .deps import must_get, store

router = APIRouter(prefix="/customers", tags=["customers"])


@router.post("", status_code=201, response_model=Customer)
async def create_customer(body: CustomerIn, db: Store = Depends(store)) -> dict:
    return await db.create("customer", body.model_dump())


@router.get("", response_model=list[Customer])
async def list_customers(offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500),
                         db: Store = Depends(store)) -> list[dict]:
    return await db.list("customer", offset, limit)


@router.get("/{customer_id}", response_model=Customer)
async def get_customer(customer_id: str, db: Store = Depends(store)) -> dict:
    return await must_get(db, "customer", customer_id)


@router.put("/{customer_id}", response_model=Customer)
async def update_customer(customer_id: str, body: CustomerIn, db: Store = Depends(store)) -> dict:
    record = await must_get(db, "customer", customer_id)
    return await db.put("customer", {**record, **body.model_dump()})


@router.delete("/{customer_id}", status_code=204)
async def delete_customer(customer_id: str, db: Store = Depends(store)) -> Response:
    await must_get(db, "customer", customer_id)
    if await db.redis.scard(keys.customer_orders(customer_id)):
        raise HTTPException(status_code=409, detail=f"customer {customer_id} has orders")
    await db.delete("customer", customer_id)
    return Response(status_code=204)
