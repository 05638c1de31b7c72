"""Settings validation, and the launchers stop at start with ONE clear line and a non-zero exit code."""

from __future__ import annotations

import pytest

from conftest import run_module
from erp_api.settings import SettingsError, load_settings


def test_defaults_and_values(base_env):
    s = load_settings(base_env)
    assert s.release == "test-release"
    assert s.worker_queues == ("default", "invoices", "reports")
    assert s.http_port == 8000 and s.worker_metrics_port == 9808 and s.worker_concurrency == 2
    assert s.fault_error_rate == 0 and s.fault_degrade_after == 0 and s.fault_latency_ms == 0
    assert "test-pass%20word%2Fwith%3Aodd%40chars@127.0.0.1" in s.redis_url()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ERP_WORKER_CONCURRENCY", "abc", "ERP_WORKER_CONCURRENCY='abc' is invalid: expected an integer from 1 to 64"),
        ("ERP_WORKER_CONCURRENCY", "0", "out of range"),
        ("REDIS_PORT", "70000", "REDIS_PORT='70000' is out of range: expected a port number"),
        ("ERP_FAULT_ERROR_RATE", "1.5", "expected a share from 0.0 to 1.0"),
        ("ERP_WORKER_QUEUES", "default,bogus", "expected a comma-separated subset of default, invoices, reports"),
        ("ERP_LOG_LEVEL", "loud", "expected one of debug, info, warning, error"),
        ("ERP_ROOT_PATH", "erp/", "expected a path like /erp"),
    ],
)
def test_invalid_values_name_the_variable(base_env, name, value, expected):
    with pytest.raises(SettingsError) as err:
        load_settings(dict(base_env, **{name: value}))
    assert expected in str(err.value)


def test_missing_and_empty_secret(base_env, tmp_path):
    with pytest.raises(SettingsError, match=r"REDIS_PASSWORD_FILE: secret file .*/nope does not exist"):
        load_settings(dict(base_env, REDIS_PASSWORD_FILE=str(tmp_path / "nope")))
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(SettingsError, match="is empty: expected the secret in it"):
        load_settings(dict(base_env, REDIS_PASSWORD_FILE=str(empty)))


@pytest.mark.parametrize("module", ["erp_api.serve", "erp_api.worker", "erp_api.flower"])
def test_launchers_stop_with_one_line(base_env, tmp_path, module):
    for env, needle in (
        (dict(base_env, ERP_WORKER_CONCURRENCY="abc"), "ERP_WORKER_CONCURRENCY='abc' is invalid"),
        (dict(base_env, REDIS_PASSWORD_FILE=str(tmp_path / "missing")), "REDIS_PASSWORD_FILE: secret file"),
    ):
        done = run_module(module, env)
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("erp-api: configuration error: ") and needle in lines[0]


def test_flower_needs_its_credentials(base_env, tmp_path):
    bad = tmp_path / "auth"
    bad.write_text("no-colon-here\n")
    done = run_module("erp_api.flower", dict(base_env, FLOWER_BASIC_AUTH_FILE=str(bad)))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "erp-api: configuration error: FLOWER_BASIC_AUTH_FILE: content is invalid: "
        "expected one line user:password (no comma)"
    )


def test_worker_stops_when_its_metrics_port_is_taken(base_env):
    import socket

    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_module("erp_api.worker", dict(base_env, ERP_WORKER_METRICS_PORT=str(port)))
    assert done.returncode == 2
    assert f"erp-api: worker metrics cannot listen on port {port} (ERP_WORKER_METRICS_PORT)" in done.stderr
    assert "metrics exporter exited with code 2; not starting" in done.stderr
