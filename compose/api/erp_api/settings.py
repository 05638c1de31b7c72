"""Settings from environment variables, validated at start.

Every problem raises SettingsError naming the variable and what was expected; the launchers print it as one
line and exit with code 2, so a half-configured service never starts.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

QUEUES = ("default", "invoices", "reports")
LOG_LEVELS = ("debug", "info", "warning", "error")
T = TypeVar("T")


class SettingsError(Exception):
    """A variable is missing or invalid; str(self) is the one line printed before exiting."""


@dataclass(frozen=True)
class Settings:
    release: str
    redis_host: str
    redis_port: int
    redis_db: int
    redis_password: str
    redis_max_connections: int
    redis_timeout: float
    http_host: str
    http_port: int
    root_path: str
    log_level: str
    shutdown_timeout: float
    ready_timeout: float
    worker_concurrency: int
    worker_queues: tuple[str, ...]
    worker_metrics_port: int
    worker_max_tasks_per_child: int
    worker_nodename: str
    visibility_timeout: int
    multiproc_dir: str
    fault_error_rate: float
    fault_degrade_after: int
    fault_latency_ms: int

    def redis_url(self) -> str:
        """The URL with the password, built in-process (never on a command line, never logged)."""
        from urllib.parse import quote

        return f"redis://:{quote(self.redis_password, safe='')}@{self.redis_host}:{self.redis_port}/{self.redis_db}"


def _raw(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def _number(env: Mapping[str, str], name: str, default: str, kind: Callable[[str], T], lo: T, hi: T, what: str) -> T:
    text = _raw(env, name, default)
    try:
        value = kind(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is invalid: expected {what} from {lo} to {hi}") from None
    if not (lo <= value <= hi):  # type: ignore[operator]
        raise SettingsError(f"{name}={text!r} is out of range: expected {what} from {lo} to {hi}")
    return value


def read_secret(env: Mapping[str, str], name: str, default_path: str) -> str:
    """Read the secret file named by `name` (a *_FILE variable); missing, unreadable or empty stops the process."""
    path = _raw(env, name, default_path)
    try:
        with open(path, encoding="utf-8") as fh:
            value = fh.read().strip()
    except FileNotFoundError:
        raise SettingsError(f"{name}: secret file {path} does not exist: expected a file holding the secret") from None
    except OSError as err:
        raise SettingsError(
            f"{name}: secret file {path} cannot be read ({err.strerror}): expected a readable file"
        ) from None
    if not value:
        raise SettingsError(f"{name}: secret file {path} is empty: expected the secret in it")
    return value


def _queues(env: Mapping[str, str]) -> tuple[str, ...]:
    text = _raw(env, "ERP_WORKER_QUEUES", ",".join(QUEUES))
    names = tuple(q.strip() for q in text.split(",") if q.strip())
    unknown = [q for q in names if q not in QUEUES]
    if not names or unknown:
        raise SettingsError(
            f"ERP_WORKER_QUEUES={text!r} is invalid: expected a comma-separated subset of {', '.join(QUEUES)}"
        )
    return names


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    text = _raw(env, name, default).lower()
    if text not in choices:
        raise SettingsError(f"{name}={text!r} is invalid: expected one of {', '.join(choices)}")
    return text


def _root_path(env: Mapping[str, str]) -> str:
    text = _raw(env, "ERP_ROOT_PATH", "")
    if text and (not text.startswith("/") or text.endswith("/")):
        raise SettingsError(f"ERP_ROOT_PATH={text!r} is invalid: expected a path like /erp (leading /, no trailing /)")
    return text


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every variable the image reads (see compose/api/README.md)."""
    env = os.environ if env is None else env
    hostname = socket.gethostname()
    return Settings(
        release=_raw(env, "ERP_RELEASE", "dev"),
        redis_host=_raw(env, "REDIS_HOST", "redis"),
        redis_port=_number(env, "REDIS_PORT", "6379", int, 1, 65535, "a port number"),
        redis_db=_number(env, "REDIS_DB", "0", int, 0, 15, "a database index"),
        redis_password=read_secret(env, "REDIS_PASSWORD_FILE", "/run/secrets/redis_password"),
        redis_max_connections=_number(env, "ERP_REDIS_MAX_CONNECTIONS", "20", int, 1, 1000, "an integer"),
        redis_timeout=_number(env, "ERP_REDIS_TIMEOUT_SECONDS", "2", float, 0.1, 60.0, "seconds"),
        http_host=_raw(env, "ERP_HTTP_HOST", "0.0.0.0"),
        http_port=_number(env, "ERP_HTTP_PORT", "8000", int, 1, 65535, "a port number"),
        root_path=_root_path(env),
        log_level=_choice(env, "ERP_LOG_LEVEL", "info", LOG_LEVELS),
        shutdown_timeout=_number(env, "ERP_SHUTDOWN_TIMEOUT_SECONDS", "20", float, 0.0, 600.0, "seconds"),
        ready_timeout=_number(env, "ERP_READY_TIMEOUT_SECONDS", "1", float, 0.1, 30.0, "seconds"),
        worker_concurrency=_number(env, "ERP_WORKER_CONCURRENCY", "2", int, 1, 64, "an integer"),
        worker_queues=_queues(env),
        worker_metrics_port=_number(env, "ERP_WORKER_METRICS_PORT", "9808", int, 1, 65535, "a port number"),
        worker_max_tasks_per_child=_number(
            env, "ERP_WORKER_MAX_TASKS_PER_CHILD", "1000", int, 0, 1_000_000, "an integer (0: no limit)"
        ),
        worker_nodename=_raw(env, "ERP_WORKER_NODENAME", f"worker@{hostname}"),
        visibility_timeout=_number(env, "ERP_VISIBILITY_TIMEOUT_SECONDS", "3600", int, 60, 86400, "seconds"),
        multiproc_dir=_raw(env, "PROMETHEUS_MULTIPROC_DIR", "/tmp/erp-metrics"),
        fault_error_rate=_number(env, "ERP_FAULT_ERROR_RATE", "0", float, 0.0, 1.0, "a share"),
        fault_degrade_after=_number(env, "ERP_FAULT_DEGRADE_AFTER", "0", int, 0, 10**9, "a request count (0: off)"),
        fault_latency_ms=_number(env, "ERP_FAULT_LATENCY_MS", "0", int, 0, 60_000, "milliseconds"),
    )


def load_or_exit(env: Mapping[str, str] | None = None) -> Settings:
    """load_settings for the launchers: on a problem print ONE line to stderr and exit 2."""
    import sys

    try:
        return load_settings(env)
    except SettingsError as err:
        print(f"erp-api: configuration error: {err}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
