"""The default ensemble end to end on the real mirror, on a short span: a published run with every product,
a cached rerun identical to the cold one, `runs show` and `runs diff` through the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tocsin.cli.main import app
from tocsin.core.settings import Settings
from tocsin.evaluate.runs import RunStore
from tocsin.models.registry import DEFAULT_MODEL
from tocsin.reports.produce import load_evidence, load_hotspots, make_forecast_run

pytestmark = pytest.mark.integration
SHORT = (2022, 2014)  # stacked from 2022, members from 2014: the whole pipeline in a few minutes


@pytest.fixture(scope="module")
def ensemble_home(pulled_home: Path, mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("ensemble")
    shutil.copy(pulled_home / "warehouse.duckdb", home / "warehouse.duckdb")
    return home


def test_the_default_ensemble_makes_a_complete_run_and_a_cached_rerun_is_identical(ensemble_home: Path,
                                                                                    mirror: Path) -> None:
    s = Settings(home=ensemble_home, data_mirror=mirror)
    run = make_forecast_run(s, DEFAULT_MODEL, track_record=False, history=SHORT)
    rec = run.record
    assert rec["model"] == DEFAULT_MODEL and rec["base_year"] == 2024
    assert {"ewp_panel", "ewp_events"} <= {src["source"] for src in rec["sources"]}
    assert all(len(src["sha256"]) == 64 for src in rec["sources"])
    assert rec["cache"]["misses"] > 0 and rec["code"]["version"]
    fc = run.store.forecast()
    assert len(fc) >= 160 and fc["risk_2yr"].between(0, 1).all() and fc["rank_lo"].notna().mean() > 0.9
    ex = run.store.explanations()
    assert set(ex["ccode"]) == set(fc["ccode"])  # every country is explained, not only the top 30
    assert load_hotspots(run, "SYR") is not None and load_hotspots(run, "FRA") is None
    snap = load_evidence(run)
    assert snap is not None and 775 in snap.countries
    assert (run.path / "report.html").read_text().count(run.id) >= 1

    again = make_forecast_run(s, DEFAULT_MODEL, track_record=False, history=SHORT)
    assert again.id != run.id and again.record.get("reused_from") == run.id  # same inputs: artifacts reused
    assert (again.path / "report.html").read_text().count(again.id) >= 1
    assert run.id not in (again.path / "report.html").read_text()
    pd.testing.assert_frame_equal(fc, again.store.forecast(), check_exact=True)
    pd.testing.assert_frame_equal(ex, again.store.explanations(), check_exact=True)


def test_runs_show_and_diff_through_the_cli(ensemble_home: Path, mirror: Path) -> None:
    env = {"TOCSIN_HOME": str(ensemble_home), "TOCSIN_DATA_MIRROR": str(mirror), "COLUMNS": "100"}
    runs = RunStore(ensemble_home / "runs").list()
    assert len(runs) >= 2
    shown = CliRunner().invoke(app, ["runs", "show"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "ewp_panel" in shown.output and "seed" in shown.output and runs[-1].id in shown.output
    diff = CliRunner().invoke(app, ["runs", "diff", runs[0].id, runs[-1].id], env=env)
    assert diff.exit_code == 0, diff.output
    # Rich wraps at the terminal's width, fixed when the console was made (COLUMNS then): read the words.
    assert "top-30 overlap 30/30" in " ".join(diff.output.split())  # identical data and code: nothing moved
