"""Celery metrics from the real prefork worker (concurrency 2, children recycled every 25 tasks): counts stay
exact across children (multiprocess mode), dead children's live gauges are dropped, queue length and workers."""

from __future__ import annotations

import os
import signal

from conftest import delta, scrape_value, wait_until

PING = {"name": "erp.ping", "queue": "default"}


def test_stale_files_cleaned_at_start(worker):
    assert not (worker.multiproc_dir / "counter_999999.db").exists()


def test_counts_exact_across_children_and_recycling(worker, settings):
    from erp_api.celery_app import make_celery

    app = make_celery(settings)
    before = worker.scrape()
    n = 60  # more than 2 x 25: every child is replaced at least once
    results = [app.send_task("erp.ping", kwargs={"delay": 0.01}, queue="default") for _ in range(n)]
    pids = {r.get(timeout=30)["pid"] for r in results}
    assert len(pids) >= 3, f"expected tasks in several (recycled) children, got pids {pids}"
    after = worker.scrape()
    for metric in ("celery_task_started_total", "celery_task_succeeded_total", "celery_task_runtime_seconds_count"):
        assert delta(before, after, metric, **PING) == n, metric
    assert delta(before, after, "celery_task_runtime_seconds_sum", **PING) >= n * 0.01
    assert scrape_value(after, "celery_task_inprogress", **PING) == 0
    # children that exited (recycled) left no live-gauge files behind
    from erp_api.exporter.multiproc import live_file_pids

    assert live_file_pids(str(worker.multiproc_dir)) <= set(worker.children())


def test_killed_child_is_marked_dead(worker, settings):
    from erp_api.celery_app import make_celery
    from erp_api.exporter.multiproc import live_file_pids

    app = make_celery(settings)
    for r in [app.send_task("erp.ping", queue="default") for _ in range(4)]:
        r.get(timeout=15)
    victims = live_file_pids(str(worker.multiproc_dir)) & set(worker.children())
    assert victims, "children write live-gauge files once they ran a task"
    victim = sorted(victims)[0]
    os.kill(victim, signal.SIGKILL)  # no shutdown hook runs in the child
    wait_until(lambda: victim not in worker.children(), 10, "killed child reaped")
    worker.scrape()  # the scrape sweeps dead pids
    assert victim not in live_file_pids(str(worker.multiproc_dir))
    assert app.send_task("erp.ping", queue="default").get(timeout=15)["pid"] != victim  # pool replaced it


def test_failures_and_sent_in_worker(worker, settings):
    from erp_api.celery_app import make_celery

    app = make_celery(settings)
    before = worker.scrape()
    result = app.send_task("erp.generate_report", args=["weather"], queue="reports")
    wait_until(lambda: result.state == "FAILURE", 15, "report task failed")
    after = worker.scrape()
    labels = {"name": "erp.generate_report", "queue": "reports"}
    assert delta(before, after, "celery_task_failed_total", **labels) == 1
    assert delta(before, after, "celery_task_succeeded_total", **labels) == 0


def test_queue_length_and_workers(worker, settings, redis_server):
    from dataclasses import replace

    from prometheus_client import CollectorRegistry, generate_latest

    from erp_api.celery_app import make_celery
    from erp_api.exporter.worker_exporter import QueueLengthCollector

    text = worker.scrape()
    assert scrape_value(text, "celery_workers") == 1
    for queue in ("default", "invoices", "reports"):
        assert f'celery_queue_length{{queue="{queue}"}}' in text
    # a database no worker consumes: published messages wait and are counted per queue
    idle = replace(settings, redis_db=9)
    app = make_celery(idle)
    for _ in range(3):
        app.send_task("erp.generate_report", args=["sales"], queue="reports")
    app.send_task("erp.render_invoice", args=["1"], queue="invoices", priority=6)
    registry = CollectorRegistry()
    registry.register(QueueLengthCollector(redis_server.client(db=9)))
    counted = generate_latest(registry).decode()
    assert scrape_value(counted, "celery_queue_length", queue="reports") == 3
    assert scrape_value(counted, "celery_queue_length", queue="invoices") == 1
    assert scrape_value(counted, "celery_queue_length", queue="default") == 0
    redis_server.client(db=9).flushdb()


def test_worker_healthcheck_pings_its_own_node(worker, base_env):
    from conftest import run_module

    ok = run_module("erp_api.healthcheck", dict(base_env, ERP_WORKER_NODENAME=worker.nodename), "worker")
    assert ok.returncode == 0, ok.stderr
    other = run_module("erp_api.healthcheck", dict(base_env, ERP_WORKER_NODENAME="ghost@nowhere"), "worker")
    assert other.returncode == 1 and "ghost@nowhere did not answer a ping" in other.stderr
