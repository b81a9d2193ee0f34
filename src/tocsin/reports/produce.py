"""Making a forecast run: the one place where heavy work happens (models, features, hotspots, evidence).

`make_forecast_run` fits (or reads cached fits), explains every country, computes hotspots for every country
with subnational inputs and every country's prevention evidence, writes the report, and publishes the run.
Everything that answers a request afterwards (dashboard, API, brief, `prevent`, `explain`) reads the run.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from tocsin.core.errors import TocsinError
from tocsin.core.records import json_clean
from tocsin.core.settings import Settings
from tocsin.evaluate.cache import ALL_CODE, FitCache, code_fingerprint, frame_digest, make_key
from tocsin.evaluate.runs import Run, RunStore, settings_record, sources_record
from tocsin.warehouse.store import Warehouse

# The modelling stack (scikit-learn, LightGBM, SHAP...) is imported only when a run has to be computed: a
# forecast on unchanged data and code reuses the previous run's artifacts and never loads it.

HOTSPOTS_DIR = "hotspots"
EVIDENCE = "prevention_evidence.pickle"
REPORT = "report.html"
Stage = Callable[[str], None]


def compute_hotspots(settings: Settings) -> dict[str, Any]:
    """Every country with subnational inputs, at its inputs' latest year (cached by the data's sha256s)."""
    from tocsin.evaluate.pipeline import FEATURE_CODE
    from tocsin.geo import hotspots as hs

    cache = FitCache(settings.cache_dir)
    prov = Warehouse(settings.warehouse_path).provenance()
    data = sorted(zip(prov["source"], prov["sha256"], strict=True))
    out: dict[str, Any] = {}
    for iso3 in sorted(hs.INPUTS):
        def compute(iso3: str = iso3) -> Any:
            try:
                return hs.hotspots(iso3, settings)
            except TocsinError as exc:  # said on the page: "hotspots could not be computed: ..."
                return str(exc)

        key = make_key("hotspots", iso3, code_fingerprint((*FEATURE_CODE, "geo")), data)
        out[iso3] = cache.value(key, compute)
    return out


def run_inputs_key(settings: Settings, model: str, *, track_record: bool, history: tuple[int, int] | None,
                   panel: str, provenance: pd.DataFrame) -> str:
    """Everything a forecast run's artifacts depend on: model, seed, options, every source file's sha256, all of
    Tocsin's code (and the fitting libraries' versions) and the playbook. Worker count and scheduler are left
    out: results are identical on any number of workers."""
    from tocsin.prevention.playbook import default_playbook_path

    book = Path(settings.playbook_path or default_playbook_path())
    return make_key("forecast-run", model, settings.seed, track_record, history, panel,
                    sorted(zip(provenance["source"], provenance["sha256"], strict=True)),
                    code_fingerprint(ALL_CODE), book.read_bytes().hex() if book.is_file() else None)


def _reuse(runs: RunStore, key_file: Path, provenance: pd.DataFrame, settings: Settings) -> Run | None:
    """A new run made of the artifacts of the run with the same inputs (hard links), or None."""
    try:
        old = runs.get(json.loads(key_file.read_text())["run"])
    except (OSError, ValueError, KeyError, TocsinError):
        return None
    if not all((old.path / name).is_file() for name in old.record.get("artifacts", {})):
        return None
    keep = {k: v for k, v in old.record.items()
            if k not in ("id", "kind", "created_at", "published_at", "artifacts", "timings", "code", "cache")}
    with runs.create("forecast", **{**keep, "settings": settings_record(settings),
                                    "sources": sources_record(provenance), "reused_from": old.id}) as run:
        for name in old.record["artifacts"]:
            src, dst = old.path / name, run.path / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            if name == REPORT:  # the report states its run: the only artifact that differs
                dst.write_text(src.read_text(encoding="utf-8").replace(old.id, run.id), encoding="utf-8")
                continue
            try:
                os.link(src, dst)  # runs are immutable: sharing the bytes is safe
            except OSError:
                shutil.copy2(src, dst)
        run.record["cache"] = {"hits": len(old.record["artifacts"]), "misses": 0}
        run.timing("reuse")
    return runs.get(run.id)


def make_forecast_run(
    settings: Settings,
    model: str,
    *,
    track_record: bool = True,
    progress: Callable[[int], None] | None = None,
    stage: Stage | None = None,
    ablation: dict[str, Any] | None = None,
    history: tuple[int, int] | None = None,
    panel: str = "ewp",
    data_through: int | None = None,
) -> Run:
    """Make and publish a forecast run (or, when a run with exactly the same inputs exists and the cache is on,
    publish a new run made of its artifacts)."""
    say = stage or (lambda _s: None)
    runs = RunStore(settings.runs_dir)
    wh = Warehouse(settings.warehouse_path)
    prov = wh.provenance()
    key_file = None
    if settings.cache_dir is not None and ablation is None:
        latest_drivers = runs.latest_id("drivers")
        key = run_inputs_key(settings, model, track_record=track_record, history=history, panel=panel,
                             provenance=prov) + (latest_drivers or "") + str(data_through)
        key_file = settings.cache_dir / "runs" / f"{key}.json"
        reused = _reuse(runs, key_file, prov, settings)
        if reused is not None:
            say(f"same data, code and options as run {reused.record['reused_from']}: its artifacts are reused")
            return reused
    run = _compute_forecast_run(settings, model, runs, prov, track_record=track_record, progress=progress,
                                say=say, ablation=ablation, history=history, panel=panel, data_through=data_through)
    if key_file is not None:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(json.dumps({"run": run.id}))
    return run


def _compute_forecast_run(
    settings: Settings, model: str, runs: RunStore, prov: pd.DataFrame, *, track_record: bool,
    progress: Callable[[int], None] | None, say: Stage, ablation: dict[str, Any] | None,
    history: tuple[int, int] | None, panel: str, data_through: int | None = None,
) -> Run:
    from tocsin.evaluate.pipeline import fit_cache, run_forecast_job
    from tocsin.prevention.rank import snapshot_evidence
    from tocsin.reports.html import ReportInputs, write_report

    with runs.create("forecast", model=model, seed=settings.seed, settings=settings_record(settings),
                     sources=sources_record(prov)) as run:
        job = run_forecast_job(settings, model, run=run, track_record=track_record, progress=progress, stage=say,
                               history=history, panel=panel, data_through=data_through)
        say("hotspots for every country with subnational inputs")
        spots = compute_hotspots(settings)
        folder = run.path / HOTSPOTS_DIR
        folder.mkdir()
        for iso3, res in spots.items():
            with (folder / f"{iso3}.pickle").open("wb") as fh:
                pickle.dump(res, fh, protocol=pickle.HIGHEST_PROTOCOL)
        run.timing("hotspots")
        say("prevention evidence for every country")
        fc = job.forecast
        ccodes = fc.table["ccode"].astype(int).tolist()
        frame = job.features.frame
        key = make_key("evidence", fc.base_year, ccodes, frame_digest(frame[frame["year"] == fc.base_year]),
                       sorted(zip(prov["source"], prov["sha256"], strict=True)), code_fingerprint(ALL_CODE))
        snap = fit_cache(settings).value(key, lambda: snapshot_evidence(
            frame, job.features.registry, fc.base_year, ccodes, settings,
            hotspot_results={k: v for k, v in spots.items() if not isinstance(v, str)}))
        with (run.path / EVIDENCE).open("wb") as fh:
            pickle.dump(snap, fh, protocol=pickle.HIGHEST_PROTOCOL)
        run.timing("prevention")
        if ablation is None:
            latest = runs.latest("drivers")
            ablation = latest.store.ablation() if latest else None
            if latest and ablation is not None:
                run.record["ablation_from_run"] = latest.id
        if ablation is not None:
            run.store.save_ablation(ablation)
        say("writing the report")
        run.record["citation_hint"] = "tocsin runs show " + run.id
        write_report(ReportInputs(fc, job.track, prov, explanations=job.explanations[:30], ablation=ablation,
                                  run_id=run.id), run.path / REPORT)
        run.timing("report")
    return runs.get(run.id)


def export_forecast(run: Run, out_dir: Path) -> list[Path]:
    """The run's forecast as CSV and JSON, and its report, in a folder of the user's (`--out`)."""
    rec = run.record
    table = run.store.forecast().drop(columns=["base_year", "model"], errors="ignore")
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"forecast_{int(rec['base_year']) + 1}_{rec['model']}"
    csv, js, html = out_dir / f"{stem}.csv", out_dir / f"{stem}.json", out_dir / f"{stem}.html"
    table.to_csv(csv, index=False)
    payload = {
        "run": run.id, "citation": run.citation(), "model": rec["model"], "base_year": rec["base_year"],
        "spearman_vs_ewp": rec.get("spearman_vs_ewp"), "n_compared_with_ewp": rec.get("n_compared_with_ewp"),
        "stacking_weights": rec.get("stacking_weights"), "forecasts": json.loads(table.to_json(orient="records")),
        "track_record": rec.get("metrics"), "sources": rec.get("sources", []),
    }
    js.write_text(json.dumps(json_clean(payload), indent=1))
    html.write_bytes((run.path / REPORT).read_bytes())
    return [csv, js, html]


def load_hotspots(run: Run, iso3: str) -> Any:
    """The run's hotspot result for a country (None when it has no subnational inputs; str when they failed)."""
    path = run.path / HOTSPOTS_DIR / f"{iso3.upper()}.pickle"
    if not iso3.isalpha() or not path.is_file():
        return None
    with path.open("rb") as fh:
        return pickle.load(fh)  # written by make_forecast_run above, inside the run folder


def load_evidence(run: Run) -> Any:
    path = run.path / EVIDENCE
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return pickle.load(fh)


def explanations(run: Run) -> pd.DataFrame | None:
    try:
        return run.store.explanations()
    except TocsinError:
        return None
