"""Redis key names of the ERP data, shared by the API and the worker tasks. Layout (all under erp:):

erp:<kind>:<id>               JSON record (kind: customer, order, invoice)
erp:index:<kind>              sorted set of ids          erp:seq:<kind>            id counter
erp:customer:<id>:orders      set of order ids           erp:invoice:<id>:document rendered invoice text
erp:task:<task_id>            task enqueued by the API   erp:report:<task_id>      report result
erp:notifications             list of order confirmations (newest first, at most 1000)
"""


def key(*parts: str) -> str:
    return ":".join(("erp", *parts))


NOTIFICATIONS = key("notifications")
