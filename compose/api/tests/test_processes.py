"""The image's launchers as real processes: the API serves and shuts down gracefully (an in-flight request
completes after SIGTERM), Flower runs behind basic auth with open /metrics and /healthcheck."""

from __future__ import annotations

import base64
import signal
import subprocess
import threading
import urllib.error
import urllib.request

from conftest import free_port, run_module, start_module, wait_until


def get(url: str, auth: str | None = None, timeout: float = 10) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_api_serves_and_drains_on_sigterm(base_env, worker):
    port = free_port()
    env = dict(
        base_env,
        ERP_HTTP_PORT=str(port),
        ERP_HTTP_HOST="127.0.0.1",
        ERP_FAULT_LATENCY_MS="1500",
        ERP_SHUTDOWN_TIMEOUT_SECONDS="10",
        ERP_LOG_LEVEL="warning",
    )
    process = start_module("erp_api.serve", env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: get(f"http://127.0.0.1:{port}/health/live", timeout=1)[0] == 200, 20, "API live")
        health = run_module("erp_api.healthcheck", env, "api")
        assert health.returncode == 0, health.stderr
        outcome: dict[str, object] = {}

        def slow_request() -> None:
            outcome["result"] = get(f"http://127.0.0.1:{port}/api/v1/customers", timeout=10)

        thread = threading.Thread(target=slow_request)
        thread.start()
        wait_until(
            lambda: "/api/v1/customers"
            in get(f"http://127.0.0.1:{port}/metrics", timeout=1)[1].split("http_requests_inprogress{")[1],
            5,
            "request in progress",
        )
        process.send_signal(signal.SIGTERM)
        thread.join(timeout=15)
        assert outcome["result"][0] == 200  # type: ignore[index]
        # uvicorn re-raises the captured SIGTERM after its clean shutdown (as PID 1 in a container: exit 0)
        assert process.wait(timeout=15) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_flower_behind_basic_auth(base_env, worker, tmp_path):
    auth = tmp_path / "flower_basic_auth"
    auth.write_text("admin:fl0wer-pass\n")
    port = free_port()
    env = dict(base_env, FLOWER_BASIC_AUTH_FILE=str(auth), FLOWER_PORT=str(port), FLOWER_ADDRESS="127.0.0.1")
    process = start_module("erp_api.flower", env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: get(f"http://127.0.0.1:{port}/healthcheck", timeout=1) == (200, "OK"), 30, "flower up")
        assert get(f"http://127.0.0.1:{port}/")[0] == 401
        assert get(f"http://127.0.0.1:{port}/", auth="admin:wrong")[0] == 401
        assert get(f"http://127.0.0.1:{port}/workers", auth="admin:fl0wer-pass")[0] == 200
        status, metrics = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and "# HELP flower_events_total" in metrics
        assert "fl0wer-pass" not in " ".join(open(f"/proc/{process.pid}/cmdline").read().split("\0"))
    finally:
        process.terminate()
        process.wait(timeout=15)
