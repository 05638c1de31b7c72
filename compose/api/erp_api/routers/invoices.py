from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import PlainTextResponse

from .. import keys
from ..models import Invoice, InvoiceIn, TaskRef
from ..store import Store
from .deps import enqueue, must_get, store

router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.post("", status_code=201, response_model=Invoice)
async def create_invoice(body: InvoiceIn, db: Store = Depends(store)) -> dict:
    order = await must_get(db, "order", body.order_id)
    return await db.create("invoice", {"order_id": order["id"], "customer_id": order["customer_id"],
                                       "status": "draft", "total_cents": order["total_cents"], "rendered_at": None})


@router.get("", response_model=list[Invoice])
async def list_invoices(offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500),
                        db: Store = Depends(store)) -> list[dict]:
    return await db.list("invoice", offset, limit)


@router.get("/{invoice_id}", response_model=Invoice)
async def get_invoice(invoice_id: str, db: Store = Depends(store)) -> dict:
    return await must_get(db, "invoice", invoice_id)


@router.delete("/{invoice_id}", status_code=204)
async def delete_invoice(invoice_id: str, db: Store = Depends(store)) -> Response:
    await must_get(db, "invoice", invoice_id)
    await db.delete("invoice", invoice_id)
    await db.redis.delete(keys.invoice_document(invoice_id))
    return Response(status_code=204)


@router.post("/{invoice_id}/render", status_code=202, response_model=TaskRef)
async def render_invoice(invoice_id: str, request: Request, db: Store = Depends(store)) -> TaskRef:
    await must_get(db, "invoice", invoice_id)
    return await enqueue(request, "erp.render_invoice", invoice_id)


@router.get("/{invoice_id}/document", response_class=PlainTextResponse)
async def invoice_document(invoice_id: str, db: Store = Depends(store)) -> str:
    await must_get(db, "invoice", invoice_id)
    document = await db.redis.get(keys.invoice_document(invoice_id))
    if document is None:
        raise HTTPException(status_code=404, detail=f"invoice {invoice_id} is not rendered yet")
    return document
