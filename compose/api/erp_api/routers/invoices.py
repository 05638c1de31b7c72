from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse

from .. import keys
from ..models import Invoice, InvoiceIn, TaskRef
from ..store import Store
from .deps import add_read_routes, enqueue, must_get, store

router = APIRouter(prefix="/invoices", tags=["invoices"])
add_read_routes(router, "invoice", Invoice)


@router.post("", status_code=201, response_model=Invoice)
async def create_invoice(body: InvoiceIn, db: Store = Depends(store)) -> dict:
    order = await must_get(db, "order", body.order_id)
    return await db.create(
        "invoice",
        {
            "order_id": order["id"],
            "customer_id": order["customer_id"],
            "status": "draft",
            "total_cents": order["total_cents"],
            "rendered_at": None,
        },
    )


@router.delete("/{invoice_id}", status_code=204)
async def delete_invoice(invoice_id: str, db: Store = Depends(store)) -> Response:
    await must_get(db, "invoice", invoice_id)
    await db.delete("invoice", invoice_id)
    await db.redis.delete(keys.key("invoice", invoice_id, "document"))
    return Response(status_code=204)


@router.post("/{invoice_id}/render", status_code=202, response_model=TaskRef)
async def render_invoice(invoice_id: str, request: Request, db: Store = Depends(store)) -> TaskRef:
    await must_get(db, "invoice", invoice_id)
    return await enqueue(request, "erp.render_invoice", invoice_id)


@router.get("/{invoice_id}/document", response_class=PlainTextResponse)
async def invoice_document(invoice_id: str, db: Store = Depends(store)) -> str:
    await must_get(db, "invoice", invoice_id)
    document = await db.redis.get(keys.key("invoice", invoice_id, "document"))
    if document is None:
        raise HTTPException(status_code=404, detail=f"invoice {invoice_id} is not rendered yet")
    return document
