"""Route-template resolution for the HTTP middleware: path -> template such as /api/v1/orders/{order_id}.

Built once from the app's routes (static paths in a dict, parametric paths as compiled regexes in route order),
rebuilt when the route table changes. Unknown paths resolve to None (the middleware labels them "none").
"""

from __future__ import annotations

from collections.abc import Iterable
from re import Pattern
from typing import Any


class RouteResolver:
    def __init__(self, app: Any) -> None:
        self._app = app
        self._static: dict[str, str] = {}
        self._dynamic: list[tuple[Pattern[str], str]] = []
        self._built_for = -1

    def _routes(self) -> list[Any]:
        router = getattr(self._app, "router", None)
        return list(getattr(router, "routes", None) or getattr(self._app, "routes", []) or [])

    def _build(self, routes: Iterable[Any]) -> None:
        static: dict[str, str] = {}
        dynamic: list[tuple[Pattern[str], str]] = []
        for route in routes:
            path = getattr(route, "path", None)
            regex = getattr(route, "path_regex", None)
            if path is None or regex is None or hasattr(route, "routes"):  # Mounts are not resolved here
                continue
            if getattr(route, "param_convertors", None):
                dynamic.append((regex, path))
            else:
                static.setdefault(path, path)
        self._static, self._dynamic = static, dynamic

    def resolve(self, route_path: str) -> str | None:
        routes = self._routes()
        if len(routes) != self._built_for:
            self._build(routes)
            self._built_for = len(routes)
        template = self._static.get(route_path)
        if template is not None:
            return template
        for regex, path in self._dynamic:
            if regex.match(route_path):
                return path
        return None
