"""`python -m erp_api.flower`: Flower with basic auth read from FLOWER_BASIC_AUTH_FILE (user:password).

The credentials and the broker URL stay inside the process (never on a command line)."""

from __future__ import annotations

import os
import sys

from .settings import SettingsError, load_or_exit, read_secret


def main() -> int:
    settings = load_or_exit()
    try:
        auth = read_secret(os.environ, "FLOWER_BASIC_AUTH_FILE", "/run/secrets/flower_basic_auth")
        user, _, password = auth.partition(":")
        if not user or not password or "," in auth:
            raise SettingsError(
                "FLOWER_BASIC_AUTH_FILE: content is invalid: expected one line user:password (no comma)"
            )
    except SettingsError as err:
        print(f"erp-api: configuration error: {err}", file=sys.stderr, flush=True)
        return 2
    os.environ["FLOWER_BASIC_AUTH"] = auth
    os.environ.setdefault("FLOWER_PORT", "5555")
    os.environ.setdefault("FLOWER_PURGE_OFFLINE_WORKERS", "300")

    from .celery_app import make_celery

    return make_celery(settings).start(["flower"]) or 0


if __name__ == "__main__":
    sys.exit(main())
