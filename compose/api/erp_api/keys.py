"""Redis key names of the ERP data (all prefixed erp:) shared by the API and the worker tasks."""

KINDS = ("customer", "order", "invoice")


def record(kind: str, record_id: str) -> str:
    return f"erp:{kind}:{record_id}"


def index(kind: str) -> str:
    return f"erp:index:{kind}"


def sequence(kind: str) -> str:
    return f"erp:seq:{kind}"


def customer_orders(customer_id: str) -> str:
    return f"erp:customer:{customer_id}:orders"


def invoice_document(invoice_id: str) -> str:
    return f"erp:invoice:{invoice_id}:document"


def task(task_id: str) -> str:
    return f"erp:task:{task_id}"


def report(task_id: str) -> str:
    return f"erp:report:{task_id}"


NOTIFICATIONS = "erp:notifications"
