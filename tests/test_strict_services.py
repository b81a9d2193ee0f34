"""TOCSIN_TEST_STRICT=1 (set by .ci/run): a missing mirror, PostgreSQL or Chromium fails the run, not skips.

Each case runs a tiny pytest session in a subprocess, with this suite's own conftest.py and services.py, so
what is checked is the switch as CI uses it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

PROBES = '''
import pytest
from services import require_chromium, require_postgres

def test_reads_the_mirror(mirror):
    assert mirror.is_dir()

@pytest.mark.postgres
def test_needs_postgres():
    require_postgres()

@pytest.mark.browser
def test_needs_chromium(monkeypatch):
    import services
    monkeypatch.setattr(services, "CHROMIUM", services.Path("/nonexistent/chromium"))
    require_chromium()

@pytest.mark.integration
@pytest.mark.skipif(True, reason="a marked test skipped some other way")
def test_marked_and_skipped_by_a_mark():
    pass

def test_unmarked_skip_stays_a_skip():
    pytest.skip("nothing to do with services")
'''


def _run(tmp_path: Path, strict: str | None) -> subprocess.CompletedProcess[str]:
    for name in ("conftest.py", "services.py"):
        shutil.copy(HERE / name, tmp_path / name)
    (tmp_path / "test_probes.py").write_text(PROBES)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n  integration\n  postgres\n  browser\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}
    env["TOCSIN_DATA_MIRROR"] = str(tmp_path / "no-mirror-here")
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # no third-party plugins: a quicker start
    if strict is not None:
        env["TOCSIN_TEST_STRICT"] = strict
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_without_the_switch_missing_services_skip(tmp_path: Path) -> None:
    res = _run(tmp_path, None)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "5 skipped" in res.stdout, res.stdout


def test_under_the_switch_each_missing_service_fails_the_run(tmp_path: Path) -> None:
    res = _run(tmp_path, "1")
    out = res.stdout
    assert res.returncode == 1, out + res.stderr
    # A service missing in a fixture or a skipif mark fails at setup (an error); in the test body, a failure.
    assert "2 failed, 1 skipped, 2 errors" in out, out
    assert "data mirror not found" in out and "TOCSIN_TEST_POSTGRES_URL is not set" in out
    assert "needs Debian's chromium" in out
    assert "skipped under TOCSIN_TEST_STRICT=1, but it needs the data mirror" in out


def test_the_switch_set_to_0_is_off(tmp_path: Path) -> None:
    res = _run(tmp_path, "0")
    assert res.returncode == 0 and "5 skipped" in res.stdout, res.stdout
