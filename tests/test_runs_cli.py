"""`tocsin runs` and the commands that read runs (`explain`) through the CLI, on a run the test makes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tocsin.cli.main import app
from tocsin.evaluate.runs import RunStore


def _make_run(home: Path, risk: dict[int, float], contrib: float) -> str:
    with RunStore(home / "runs").create("forecast", model="ewp", base_year=2024, seed=5,
                                        sources=[{"source": "ewp_panel", "sha256": "cd" * 32,
                                                  "retrieved_at": "2025-09-03T00:00:00"}],
                                        metrics={"auc": 0.8, "top30_recall": 0.7}) as run:
        fc = pd.DataFrame([{"ccode": c, "iso3": iso, "name": name, "risk_1yr": p / 2, "risk_2yr": p}
                           for (c, iso, name), p in zip([(775, "MMR", "Burma/Myanmar"), (625, "SDN", "Sudan")],
                                                         risk.values(), strict=True)])
        fc["rank_2yr"] = fc["risk_2yr"].rank(ascending=False).astype(int)
        fc.to_parquet(run.path / "forecast.parquet", index=False)
        ex = pd.DataFrame([{"ccode": c, "year": 2024, "feature": "discrimpop", "label": "Discriminated share",
                            "family": "ethno-nationalism", "un_factors": "9", "value": 0.3, "value_prev": 0.2,
                            "contribution": contrib, "contribution_change": 0.1, "model": "ewp", "name": n,
                            "risk": risk[c]} for c, n in ((775, "Burma/Myanmar"), (625, "Sudan"))])
        ex.to_parquet(run.path / "explanations.parquet", index=False)
    return run.id


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TOCSIN_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "100")
    return tmp_path


def test_runs_list_show_diff_and_gc(home: Path) -> None:
    a = _make_run(home, {775: 0.05, 625: 0.10}, 0.2)
    b = _make_run(home, {775: 0.20, 625: 0.10}, 0.9)
    cli = CliRunner()
    listed = cli.invoke(app, ["runs", "list"])
    assert listed.exit_code == 0 and a[:15] in listed.output and b[:15] in listed.output
    shown = cli.invoke(app, ["runs", "show", b])
    assert shown.exit_code == 0, shown.output
    assert "cdcdcdcd" in shown.output and "seed 5" in shown.output and "EWP data of 2025-09-03" in shown.output
    diff = cli.invoke(app, ["runs", "diff", a, b])
    assert diff.exit_code == 0, diff.output
    assert "Burma/Myanmar" in diff.output and "2 -> 1" in diff.output and "Discriminated share +0.70" in diff.output
    gc = cli.invoke(app, ["runs", "gc", "--keep", "1"])
    assert gc.exit_code == 0 and a in gc.output
    assert [r.id for r in RunStore(home / "runs").list()] == [b]
    missing = cli.invoke(app, ["runs", "show", "20000101T000000Z-abcdef"])
    assert missing.exit_code == 1 and "no run" in missing.output


def test_explain_reads_the_run_and_fits_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tocsin.evaluate import pipeline
    from tocsin.models import registry

    def forbidden(*_a: object, **_k: object) -> None:
        raise AssertionError("explain fitted a model although the run covers it")

    monkeypatch.setattr(registry, "make_model", forbidden)
    monkeypatch.setattr(pipeline, "explain_country", forbidden)
    _make_run(home, {775: 0.05, 625: 0.10}, 0.4)
    res = CliRunner().invoke(app, ["explain", "Burma"])
    assert res.exit_code == 0, res.output
    assert "Discriminated share" in res.output and "+0.400" in res.output


def test_explain_fits_80_columns_with_driver_labels_wrapped_by_words(home: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from tocsin.cli.common import console

    monkeypatch.setattr(console, "width", 80)
    run_id = _make_run(home, {775: 0.05, 625: 0.10}, 0.4)
    ex_path = RunStore(home / "runs").get(run_id).path / "explanations.parquet"
    ex = pd.read_parquet(ex_path)
    # A label as long as the real ones ("Share of population politically discriminated") and a long family.
    ex["label"] = "Share of population politically discriminated against by the state"
    ex["family"] = "repression and conflict evidence"
    ex.to_parquet(ex_path, index=False)
    res = CliRunner().invoke(app, ["explain", "Burma"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if line.startswith("│") and "+0.400" in line]
    start = lines.index(rows[0])
    block = []
    for line in lines[start:]:
        if not line.startswith("│"):
            break
        block.append(line)
    assert len(block) <= 4  # the label wraps over a few lines, not one word a line
    assert "Share of population" in " ".join(line.split("│")[1].strip() for line in block)
