"""Runs: published atomically, never half-visible, never clobbered; listed, shown, compared and cleaned up."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from tocsin.core.errors import TocsinError
from tocsin.evaluate.rundiff import diff_runs
from tocsin.evaluate.runs import RunNotFoundError, RunStore, settings_record


def _forecast(path: Path, ranks: dict[int, float], contribs: dict[int, dict[str, float]]) -> None:
    rows = [{"ccode": c, "iso3": f"C{c}", "name": f"Country {c}", "risk_1yr": p / 2, "risk_2yr": p}
            for c, p in ranks.items()]
    fc = pd.DataFrame(rows)
    fc["rank_2yr"] = fc["risk_2yr"].rank(ascending=False, method="min").astype(int)
    fc.to_parquet(path / "forecast.parquet", index=False)
    ex = [{"ccode": c, "year": 2024, "feature": f, "label": f"label {f}", "family": "t", "un_factors": "1",
           "value": 1.0, "value_prev": 0.0, "contribution": v, "contribution_change": 0.0}
          for c, d in contribs.items() for f, v in d.items()]
    pd.DataFrame(ex).to_parquet(path / "explanations.parquet", index=False)


def test_a_run_is_published_with_its_record_and_artifact_hashes(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    with store.create("forecast", model="ewp", seed=3) as run:
        (run.path / "forecast.parquet").write_bytes(b"x")
        run.record["metrics"] = {"auc": float("nan")}
    got = store.latest()
    assert got is not None and got.id == run.id
    assert got.record["seed"] == 3 and got.record["metrics"]["auc"] is None  # NaN is not JSON
    assert got.record["artifacts"]["forecast.parquet"]["sha256"] == \
        "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
    assert got.record["code"]["version"]
    assert "total" in got.record["timings"]


def test_a_failed_run_leaves_nothing_and_the_latest_pointer_unchanged(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    with store.create("forecast", model="ewp") as first:
        pass
    with pytest.raises(RuntimeError), store.create("forecast", model="ewp") as second:
        (second.path / "forecast.parquet").write_bytes(b"half")
        raise RuntimeError("killed mid-run")
    assert store.latest_id() == first.id
    assert [r.id for r in store.list()] == [first.id]
    assert not any(p.name.startswith(".staging") for p in tmp_path.iterdir())


def test_concurrent_runs_all_publish_and_the_pointer_names_a_complete_run(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    errors: list[BaseException] = []

    def make(i: int) -> None:
        try:
            with store.create("forecast", model=f"m{i}") as run:
                for k in range(20):
                    (run.path / f"part{k}.txt").write_text(str(i) * 1000)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=make, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    runs = store.list()
    assert len({r.id for r in runs}) == 8
    latest = store.latest()
    assert latest is not None and len(latest.record["artifacts"]) == 20
    for run in runs:  # every published run is whole: its files are the ones its record lists
        files = {str(p.relative_to(run.path)) for p in run.path.rglob("*") if p.is_file()} - {"run.json"}
        assert files == set(run.record["artifacts"])


def test_runs_are_found_by_unique_prefix_and_refused_when_ambiguous_or_unknown(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    with store.create("backtest") as a:
        pass
    assert store.get(a.id).id == a.id
    assert store.get(a.id[:17]).id == a.id  # the timestamp and the first hex digit
    with pytest.raises(RunNotFoundError):
        store.get("19990101T000000Z-000000")
    with pytest.raises(RunNotFoundError):
        store.get("../etc")
    with store.create("backtest") as b:
        pass
    if a.id[:8] == b.id[:8]:
        with pytest.raises(RunNotFoundError, match="ambiguous"):
            store.get(a.id[:8])


def test_gc_keeps_the_newest_runs_and_never_the_latest_pointer(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    ids = []
    for _ in range(4):
        with store.create("forecast") as run:
            pass
        ids.append(run.id)
    with store.create("drivers") as drv:
        pass
    removed = store.gc(keep=2)
    left = {r.id for r in store.list()}
    assert drv.id in left and store.latest_id() in left
    assert len([i for i in left if i in ids]) == 2
    assert set(removed) == set(ids) - left
    with pytest.raises(TocsinError):
        store.gc(keep=0)


def test_diff_names_the_biggest_movers_with_the_drivers_behind_them(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    with store.create("forecast") as a:
        _forecast(a.path, {1: 0.30, 2: 0.20, 3: 0.10, 4: 0.05},
                  {3: {"coups": 0.1, "discrim": 0.2}, 1: {"coups": 0.5}})
    with store.create("forecast") as b:
        _forecast(b.path, {1: 0.25, 2: 0.15, 3: 0.40, 4: 0.04},
                  {3: {"coups": 1.4, "discrim": 0.1}, 1: {"coups": 0.4}})
    d = diff_runs(store.get(a.id), store.get(b.id))
    top = d.moves.iloc[0]
    assert top["ccode"] == 3 and top["rank_a"] == 3 and top["rank_b"] == 1
    assert top["drivers"].startswith("label coups +1.30")
    assert json.loads(json.dumps(d.to_json()))["moves"][0]["ccode"] == 3


def test_settings_in_a_run_record_never_carry_a_database_password(tmp_path: Path) -> None:
    from tocsin.core.settings import Settings

    s = Settings(home=tmp_path, monitor_db_url="postgresql+psycopg://u:hunter2@db.example/tocsin")
    rec = settings_record(s)
    assert "hunter2" not in json.dumps(rec)
    assert rec["monitor_db_url"].startswith("postgresql+psycopg://u:***@")
