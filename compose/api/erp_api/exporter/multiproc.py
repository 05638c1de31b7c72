"""prometheus_client multiprocess mode housekeeping for the prefork worker.

prepare_dir() must run BEFORE prometheus_client is imported (it picks its value class at import time).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

LIVE_FILE = re.compile(r"^gauge_live\w*?_(\d+)\.db$")


def prepare_dir(path: str) -> None:
    """Create the directory, empty it of an earlier run's files and export PROMETHEUS_MULTIPROC_DIR."""
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    for entry in directory.glob("*.db"):
        entry.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_file_pids(path: str) -> set[int]:
    return {int(m.group(1)) for name in os.listdir(path) if (m := LIVE_FILE.match(name))}


def sweep_dead(path: str) -> list[int]:
    """mark_process_dead for every pid whose live-gauge files remain but whose process is gone
    (a child killed by a signal never runs its own shutdown hook)."""
    from prometheus_client import multiprocess

    dead = [pid for pid in live_file_pids(path) if not _alive(pid)]
    for pid in dead:
        multiprocess.mark_process_dead(pid, path)
    return dead
