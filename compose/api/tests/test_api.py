"""Every API route against the real Redis and the real Celery worker: CRUD, errors, tasks, readiness."""

from __future__ import annotations

import time

from conftest import delta, scrape_value, wait_task


def make_customer(api, name="Ada", email="ada@example.com") -> dict:
    response = api.post("/api/v1/customers", json={"name": name, "email": email})
    assert response.status_code == 201, response.text
    return response.json()


def make_order(api, customer_id: str) -> dict:
    response = api.post(
        "/api/v1/orders",
        json={
            "customer_id": customer_id,
            "lines": [
                {"sku": "BOLT-M6", "quantity": 10, "unit_price_cents": 25},
                {"sku": "NUT-M6", "quantity": 4, "unit_price_cents": 110},
            ],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_liveness_and_readiness(api):
    live = api.get("/health/live")
    assert live.status_code == 200 and live.json() == {"status": "ok", "release": "test-release"}
    ready = api.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["redis"] == "ok" and ready.json()["checks"]["workers"] >= 1


def test_customers_crud(api):
    created = make_customer(api)
    cid = created["id"]
    assert api.get(f"/api/v1/customers/{cid}").json()["email"] == "ada@example.com"
    assert any(c["id"] == cid for c in api.get("/api/v1/customers", params={"limit": 500}).json())
    updated = api.put(f"/api/v1/customers/{cid}", json={"name": "Ada L.", "email": "ada@example.org"})
    assert updated.status_code == 200 and updated.json()["name"] == "Ada L." and updated.json()["id"] == cid
    assert api.delete(f"/api/v1/customers/{cid}").status_code == 204
    missing = api.get(f"/api/v1/customers/{cid}")
    assert missing.status_code == 404 and missing.json()["detail"] == f"customer {cid} not found"


def test_validation_errors(api):
    assert api.post("/api/v1/customers", json={"name": "", "email": "x@y.z"}).status_code == 422
    assert api.post("/api/v1/customers", json={"name": "B", "email": "not-an-email"}).status_code == 422
    cid = make_customer(api)["id"]
    assert api.post("/api/v1/orders", json={"customer_id": cid, "lines": []}).status_code == 422
    assert (
        api.post(
            "/api/v1/orders",
            json={"customer_id": "nope", "lines": [{"sku": "A", "quantity": 1, "unit_price_cents": 1}]},
        ).status_code
        == 404
    )
    assert api.put("/api/v1/orders/1/status", json={"status": "lost"}).status_code == 422
    assert api.post("/api/v1/reports", json={"kind": "weather"}).status_code == 422
    assert api.get("/api/v1/customers", params={"limit": 0}).status_code == 422
    assert api.get("/api/v1/tasks/unknown-task").status_code == 404
    assert api.get("/api/v1/nothing-here").status_code == 404
    assert api.patch("/api/v1/customers").status_code == 405


def test_orders_notify_and_status(api, redis_server):
    cid = make_customer(api)["id"]
    order = make_order(api, cid)
    assert order["total_cents"] == 10 * 25 + 4 * 110 and order["status"] == "open"
    oid = order["id"]
    assert api.get(f"/api/v1/orders/{oid}").json()["customer_id"] == cid
    assert any(o["id"] == oid for o in api.get("/api/v1/orders", params={"limit": 500}).json())
    assert api.put(f"/api/v1/orders/{oid}/status", json={"status": "shipped"}).json()["status"] == "shipped"
    assert api.delete(f"/api/v1/customers/{cid}").status_code == 409  # still has an order
    # the order-confirmation task ran on the worker (queue default)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        notes = redis_server.client().lrange("erp:notifications", 0, 50)
        if any(f'"order_id": "{oid}"' in n for n in notes):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("notify_customer did not record the confirmation")
    assert api.delete(f"/api/v1/orders/{oid}").status_code == 204
    assert api.get(f"/api/v1/orders/{oid}").status_code == 404
    assert api.delete(f"/api/v1/customers/{cid}").status_code == 204


def test_invoice_render_task(api):
    cid = make_customer(api)["id"]
    order = make_order(api, cid)
    invoice = api.post("/api/v1/invoices", json={"order_id": order["id"]}).json()
    iid = invoice["id"]
    assert invoice["status"] == "draft" and invoice["total_cents"] == order["total_cents"]
    assert api.get(f"/api/v1/invoices/{iid}/document").status_code == 404  # not rendered yet
    ref = api.post(f"/api/v1/invoices/{iid}/render")
    assert ref.status_code == 202 and ref.json()["queue"] == "invoices" and ref.json()["name"] == "erp.render_invoice"
    state = wait_task(api, ref.json()["task_id"])
    assert state["state"] == "SUCCESS", state
    assert state["result"] == {"invoice_id": iid, "total_cents": 690, "lines": 2, "bytes": state["result"]["bytes"]}
    document = api.get(f"/api/v1/invoices/{iid}/document")
    assert document.status_code == 200 and "TOTAL" in document.text and "6.90" in document.text
    assert api.get(f"/api/v1/invoices/{iid}").json()["status"] == "rendered"
    assert any(i["id"] == iid for i in api.get("/api/v1/invoices", params={"limit": 500}).json())
    assert api.delete(f"/api/v1/invoices/{iid}").status_code == 204
    assert api.get(f"/api/v1/invoices/{iid}").status_code == 404
    assert api.post(f"/api/v1/invoices/{iid}/render").status_code == 404


def test_invoice_of_deleted_order_retries_then_fails(api, worker):
    cid = make_customer(api)["id"]
    order = make_order(api, cid)
    iid = api.post("/api/v1/invoices", json={"order_id": order["id"]}).json()["id"]
    before = worker.scrape()
    assert api.delete(f"/api/v1/orders/{order['id']}").status_code == 204
    ref = api.post(f"/api/v1/invoices/{iid}/render").json()
    state = wait_task(api, ref["task_id"], timeout=20)
    assert state["state"] == "FAILURE" and state["error"].startswith("OrderMissing: order")
    after = worker.scrape()
    labels = {"name": "erp.render_invoice", "queue": "invoices"}
    assert delta(before, after, "celery_task_retried_total", **labels) == 3
    assert delta(before, after, "celery_task_failed_total", **labels) == 1


def test_reports(api):
    cid = make_customer(api)["id"]
    make_order(api, cid)
    for kind in ("sales", "customers"):
        ref = api.post("/api/v1/reports", json={"kind": kind})
        assert ref.status_code == 202 and ref.json()["queue"] == "reports"
        state = wait_task(api, ref.json()["task_id"])
        assert state["state"] == "SUCCESS" and state["result"]["kind"] == kind
    assert state["result"]["customers"] >= 1 and state["result"]["orders_per_customer"][cid] == 1


def test_readiness_fails_without_redis(settings, worker):
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from conftest import free_port
    from erp_api.main import create_app

    broken = replace(settings, redis_port=free_port(), redis_timeout=0.5, ready_timeout=0.5)
    with TestClient(create_app(broken)) as client:
        response = client.get("/health/ready")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not ready" and body["checks"]["redis"].startswith("error: ConnectionError")
        assert client.get("/health/live").status_code == 200
        failed = client.get("/api/v1/customers")
        assert failed.status_code == 503 and failed.json()["detail"].startswith("redis unavailable")
        assert scrape_value(client.get("/metrics").text, "redis_client_errors_total") >= 1


def test_readiness_fails_without_worker(settings, redis_server):
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from erp_api.main import create_app

    # a Redis database no worker consumes from: Redis answers, no worker does
    with TestClient(create_app(replace(settings, redis_db=7, ready_timeout=0.3))) as client:
        response = client.get("/health/ready")
        assert response.status_code == 503
        assert response.json()["checks"] == {"redis": "ok", "workers": "error: no worker answered a ping"}


def test_fault_injection(settings, worker):
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from erp_api.main import create_app

    with TestClient(create_app(replace(settings, fault_degrade_after=2))) as client:
        codes = [client.get("/api/v1/customers").status_code for _ in range(4)]
        assert codes == [200, 200, 500, 500]
        assert client.get("/health/live").status_code == 200  # probes never affected
        text = client.get("/metrics").text
        assert scrape_value(text, "http_requests_total", handler="/api/v1/customers", status="5xx") == 2
    with TestClient(create_app(replace(settings, fault_error_rate=1.0))) as client:
        assert client.get("/api/v1/customers").status_code == 500
    with TestClient(create_app(replace(settings, fault_latency_ms=150))) as client:
        start = time.monotonic()
        assert client.get("/api/v1/customers").status_code == 200
        assert time.monotonic() - start >= 0.15
