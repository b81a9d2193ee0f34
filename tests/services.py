"""Whether a service an integration test needs is here, and what a missing one does to the run.

Locally, a missing data mirror, PostgreSQL or Chromium skips the tests that need it. `.ci/run` sets
TOCSIN_TEST_STRICT=1, under which a missing service fails those tests instead, so a green CI run means they ran.
Every skip for a missing service goes through `require`; tests/conftest.py also turns any other skip of a test
marked integration/postgres/browser into a failure under the switch.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

STRICT_VAR = "TOCSIN_TEST_STRICT"
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# Marker -> the service the marked tests need.
SERVICE_MARKERS = {"integration": "the data mirror", "postgres": "PostgreSQL", "browser": "headless Chromium"}


def strict() -> bool:
    return os.environ.get(STRICT_VAR, "").strip().lower() in ("1", "true", "yes", "on")


def require(available: bool, what: str) -> None:
    """Skip the calling test when `available` is false, or fail it under TOCSIN_TEST_STRICT=1."""
    if available:
        return
    if strict():
        pytest.fail(f"{what} ({STRICT_VAR}=1: a missing service fails the run instead of skipping)", pytrace=False)
    pytest.skip(what)


def mirror_path() -> Path:
    env = os.environ.get("TOCSIN_DATA_MIRROR")
    return Path(env).resolve() if env else (ROOT.parent / "shared" / "data" / "mirror").resolve()


def require_mirror() -> Path:
    path = mirror_path()
    require(path.is_dir(), f"data mirror not found at {path} (set TOCSIN_DATA_MIRROR)")
    return path


def require_postgres() -> str:
    url = os.environ.get("TOCSIN_TEST_POSTGRES_URL")
    require(bool(url), "TOCSIN_TEST_POSTGRES_URL is not set (eval \"$(bash .ci/postgres.sh)\")")
    return str(url)


def require_chromium() -> Path:
    require(CHROMIUM.exists(), f"needs Debian's chromium at {CHROMIUM}")
    return CHROMIUM
