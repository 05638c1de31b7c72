"""Prometheus exporter module: HTTP middleware, Celery signal metrics (multiprocess-safe), Redis pool metrics."""
