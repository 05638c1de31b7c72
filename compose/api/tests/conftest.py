"""Fixtures: a real redis-server with a password on a free loopback port, and a real prefork Celery worker
(concurrency 2) started as `python -m erp_api.worker`, the same entry the image runs."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

API_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(API_DIR))
os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the test process itself uses in-memory metrics

PASSWORD = "test-pass word/with:odd@chars"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, what: str, step: float = 0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as err:  # noqa: BLE001 - keep polling until the deadline
            last = err
        time.sleep(step)
    raise TimeoutError(f"{what} not reached within {timeout}s (last error: {last})")


class RedisServer:
    def __init__(self, port: int, password: str, process: subprocess.Popen) -> None:
        self.port, self.password, self.process = port, password, process

    def client(self, db: int = 0):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, db=db, decode_responses=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (scripts/setup.sh installs it)")
    workdir = tmp_path_factory.mktemp("redis")
    port = free_port()
    conf = workdir / "redis.conf"
    conf.write_text(
        f'port {port}\nbind 127.0.0.1\nrequirepass "{PASSWORD}"\ndir {workdir}\nsave ""\nappendonly no\n'
        "protected-mode yes\nloglevel warning\n"
    )
    process = subprocess.Popen([binary, str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = RedisServer(port, PASSWORD, process)
    try:
        wait_until(lambda: server.client().ping(), 10, "redis-server answering PING")
        yield server
    finally:
        # Celery AsyncResults unsubscribe from Redis when collected: let that happen while Redis still answers,
        # or their __del__ retries against a dead server at interpreter exit.
        import gc

        gc.collect()
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def secret_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("secrets") / "redis_password"
    path.write_text(PASSWORD + "\n")
    path.chmod(0o444)
    return path


@pytest.fixture(scope="session")
def base_env(redis_server: RedisServer, secret_file: Path) -> dict[str, str]:
    """Environment of the image's processes, pointed at the test Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERP_", "REDIS_", "PROMETHEUS_", "FLOWER_"))}
    env.update(
        REDIS_HOST="127.0.0.1",
        REDIS_PORT=str(redis_server.port),
        REDIS_PASSWORD_FILE=str(secret_file),
        ERP_RELEASE="test-release",
        PYTHONPATH=str(API_DIR),
    )
    return env


@pytest.fixture(scope="session")
def settings(base_env):
    from erp_api.settings import load_settings

    return load_settings(base_env)


class Worker:
    def __init__(self, process: subprocess.Popen, metrics_port: int, multiproc_dir: Path, nodename: str, log: Path):
        self.process, self.metrics_port, self.multiproc_dir, self.nodename, self.log = (
            process,
            metrics_port,
            multiproc_dir,
            nodename,
            log,
        )

    def scrape(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as response:
            return response.read().decode()

    def children(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]


@pytest.fixture(scope="session")
def worker(base_env, tmp_path_factory) -> Iterator[Worker]:
    workdir = tmp_path_factory.mktemp("worker")
    multiproc_dir = workdir / "metrics"
    multiproc_dir.mkdir()
    (multiproc_dir / "counter_999999.db").write_bytes(b"stale file of an earlier run")  # must be cleaned at start
    port = free_port()
    nodename = f"pytest-worker-{os.getpid()}@localhost"
    env = dict(
        base_env,
        ERP_WORKER_CONCURRENCY="2",
        ERP_WORKER_METRICS_PORT=str(port),
        ERP_WORKER_MAX_TASKS_PER_CHILD="25",
        ERP_WORKER_NODENAME=nodename,
        ERP_LOG_LEVEL="warning",
        PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir),
    )
    log = workdir / "worker.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "erp_api.worker"], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=API_DIR
        )
    handle = Worker(process, port, multiproc_dir, nodename, log)
    try:
        wait_until(
            lambda: process.poll() is None and "celery_workers 1.0" in handle.scrape(),
            30,
            f"worker metrics answering with a pinged worker (log: {log})",
            step=0.3,
        )
        yield handle
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture()
def api(settings, worker, redis_server):
    """The real app (lifespan included) on the test Redis, with the worker running."""
    from fastapi.testclient import TestClient

    from erp_api.main import create_app

    app = create_app(settings)
    with TestClient(app) as client:
        yield client


def scrape_value(text: str, metric: str, /, **labels: str) -> float:
    """Sum of the samples of `name` whose labels include `labels` (0 when absent)."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == metric and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def delta(before: str, after: str, metric: str, /, **labels: str) -> float:
    """How much `metric` (summed over samples matching `labels`) grew between two scrapes."""
    return scrape_value(after, metric, **labels) - scrape_value(before, metric, **labels)


def run_module(module: str, env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run `python -m <module> [args]` (an image entry) to completion, capturing text output."""
    command = [sys.executable, "-m", module, *args]
    return subprocess.run(command, env=env, cwd=API_DIR, capture_output=True, text=True, timeout=timeout)


def start_module(module: str, env: dict[str, str], **popen: object) -> subprocess.Popen:
    """Start `python -m <module>` (an image entry) in the background."""
    return subprocess.Popen([sys.executable, "-m", module], env=env, cwd=API_DIR, **popen)  # type: ignore[call-overload]


def wait_task(client, task_id: str, timeout: float = 15.0) -> dict:
    def done():
        body = client.get(f"/api/v1/tasks/{task_id}").json()
        return body if body["state"] in ("SUCCESS", "FAILURE") else None

    return wait_until(done, timeout, f"task {task_id} finished", step=0.1)
