"""Request and response bodies of the ERP API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

OrderStatus = Literal["open", "shipped", "cancelled"]


class CustomerIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)


class Customer(CustomerIn):
    id: str
    created_at: str


class OrderLine(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=100_000)
    unit_price_cents: int = Field(ge=0, le=100_000_000)


class OrderIn(BaseModel):
    customer_id: str = Field(min_length=1, max_length=64)
    lines: list[OrderLine] = Field(min_length=1, max_length=500)


class OrderStatusIn(BaseModel):
    status: OrderStatus


class Order(OrderIn):
    id: str
    status: OrderStatus
    total_cents: int
    created_at: str


class InvoiceIn(BaseModel):
    order_id: str = Field(min_length=1, max_length=64)


class Invoice(InvoiceIn):
    id: str
    customer_id: str
    status: Literal["draft", "rendered"]
    total_cents: int
    created_at: str
    rendered_at: str | None = None


class TaskRef(BaseModel):
    task_id: str
    name: str
    queue: str


class TaskState(TaskRef):
    state: str
    result: Any = None
    error: str | None = None


class ReportIn(BaseModel):
    kind: Literal["sales", "customers"]
