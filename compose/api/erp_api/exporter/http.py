"""Pure-ASGI HTTP metrics middleware (not a BaseHTTPMiddleware: no extra task, no body buffering).

Metrics (names the community's dashboards query):
  http_requests_total{method,status,handler}            status grouped 2xx..5xx
  http_request_duration_seconds{method,handler}         histogram, buckets .025 .05 .1 .25 .5 1 2.5 5
  http_requests_inprogress{method,handler}
handler = root_path + full route template (router prefixes included); unknown paths -> "none";
/metrics and /health (and /health/*) are not measured. Label children are cached, so a request costs a dict
lookup and three increments.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from .routes import RouteResolver

BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
STATUS_GROUPS = {1: "1xx", 2: "2xx", 3: "3xx", 4: "4xx", 5: "5xx"}
UNKNOWN_HANDLER = "none"
ROUTE_LABELS = ("method", "handler")
COUNT_LABELS = ("method", "status", "handler")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def is_excluded(route_path: str) -> bool:
    return route_path == "/metrics" or route_path == "/health" or route_path.startswith("/health/")


class HttpMetrics:
    """The three HTTP metric families, registered on one registry."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        on = {"registry": registry}
        self.requests = Counter("http_requests_total", "HTTP requests by route template.", COUNT_LABELS, **on)
        self.duration = Histogram(
            "http_request_duration_seconds", "Request latency.", ROUTE_LABELS, buckets=BUCKETS, **on
        )
        self.inprogress = Gauge("http_requests_inprogress", "Requests being served.", ROUTE_LABELS, **on)
        self._pairs: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._counts: dict[tuple[str, str, str], Any] = {}

    def pair(self, method: str, handler: str) -> tuple[Any, Any]:
        key = (method, handler)
        found = self._pairs.get(key)
        if found is None:
            found = self._pairs[key] = (self.duration.labels(method, handler), self.inprogress.labels(method, handler))
        return found

    def count(self, method: str, status: str, handler: str) -> Any:
        key = (method, status, handler)
        found = self._counts.get(key)
        if found is None:
            found = self._counts[key] = self.requests.labels(method, status, handler)
        return found


class PrometheusMiddleware:
    """Add with app.add_middleware(PrometheusMiddleware, metrics=HttpMetrics(registry), app_ref=app)."""

    def __init__(self, app: Callable[..., Awaitable[None]], metrics: HttpMetrics, app_ref: Any) -> None:
        self.app = app
        self.metrics = metrics
        self.resolver = RouteResolver(app_ref)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        route_path = path[len(root_path) :] if root_path and path.startswith(root_path) else path
        if is_excluded(route_path):
            await self.app(scope, receive, send)
            return
        template = self.resolver.resolve(route_path)
        handler = root_path + template if template is not None else UNKNOWN_HANDLER
        method = scope["method"]
        if method not in METHODS:
            method = "other"
        histogram, inprogress = self.metrics.pair(method, handler)
        status = [500]

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        inprogress.inc()
        start = perf_counter()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            histogram.observe(perf_counter() - start)
            inprogress.dec()
            self.metrics.count(method, STATUS_GROUPS.get(status[0] // 100, "5xx"), handler).inc()
