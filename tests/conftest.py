"""Shared fixtures. Integration tests read the real data mirror; unit tests make their own small data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services import SERVICE_MARKERS, STRICT_VAR, require_mirror, strict

ROOT = Path(__file__).resolve().parents[1]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under TOCSIN_TEST_STRICT=1 a test that needs a service (by its marker) may not pass by skipping."""
    outcome = yield
    rep = outcome.get_result()  # type: ignore[attr-defined]
    if not (rep.skipped and strict()) or hasattr(rep, "wasxfail"):
        return
    needs = [SERVICE_MARKERS[m] for m in SERVICE_MARKERS if item.get_closest_marker(m)]
    if needs:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.outcome = "failed"
        rep.longrepr = f"skipped under {STRICT_VAR}=1, but it needs {' and '.join(needs)}: {reason}"


@pytest.fixture(scope="session")
def mirror() -> Path:
    return require_mirror()


@pytest.fixture
def tocsin_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty TOCSIN_HOME for one test, with no mirror unless the test sets one."""
    home = tmp_path / "home"
    monkeypatch.setenv("TOCSIN_HOME", str(home))
    monkeypatch.delenv("TOCSIN_DATA_MIRROR", raising=False)
    return home


@pytest.fixture(scope="session")
def pulled_home(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse pulled once from the real mirror, shared by the integration tests of a session."""
    from tocsin.core.settings import Settings
    from tocsin.sources.catalog import enabled_sources
    from tocsin.warehouse.store import Warehouse

    home = tmp_path_factory.mktemp("pulled")
    s = Settings(home=home, data_mirror=mirror)
    Warehouse(s.warehouse_path).pull(enabled_sources(s), mirror=mirror)
    return home


@pytest.fixture(scope="session")
def real_panel(pulled_home: Path):  # type: ignore[no-untyped-def]
    from tocsin.features.panel import ewp_published, load_panel
    from tocsin.warehouse.store import Warehouse

    wh = Warehouse(pulled_home / "warehouse.duckdb")
    return load_panel(wh), ewp_published(wh)


@pytest.fixture(scope="session")
def forecast_home(pulled_home: Path, mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the real warehouse and a saved `forecast --model ewp` (with its track record), made once.

    The default ensemble takes minutes; tests that need saved results of the real data use the ewp model.
    Tests must not write into it (copy it first).
    """
    import shutil

    from typer.testing import CliRunner

    from tocsin.cli.main import app

    home = tmp_path_factory.mktemp("forecast")
    shutil.copy(pulled_home / "warehouse.duckdb", home / "warehouse.duckdb")
    env = {"TOCSIN_HOME": str(home), "TOCSIN_DATA_MIRROR": str(mirror)}
    res = CliRunner().invoke(app, ["forecast", "--model", "ewp", "--top", "3"], env=env)
    assert res.exit_code == 0, res.output
    return home
