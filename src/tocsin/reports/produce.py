"""Making a forecast run: the one place where heavy work happens (models, features, hotspots, evidence).

`make_forecast_run` fits (or reads cached fits), explains every country, computes hotspots for every country
with subnational inputs and every country's prevention evidence, writes the report, and publishes the run.
Everything that answers a request afterwards (dashboard, API, brief, `prevent`, `explain`) reads the run.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from tocsin.core.errors import TocsinError
from tocsin.core.records import json_clean
from tocsin.core.settings import Settings
from tocsin.evaluate.cache import ALL_CODE, code_fingerprint, frame_digest, make_key
from tocsin.evaluate.pipeline import FEATURE_CODE, ForecastJob, fit_cache, run_forecast_job
from tocsin.evaluate.runs import Run, RunStore, settings_record, sources_record
from tocsin.warehouse.store import Warehouse

HOTSPOTS_DIR = "hotspots"
EVIDENCE = "prevention_evidence.pickle"
REPORT = "report.html"
Stage = Callable[[str], None]


def compute_hotspots(settings: Settings, stage: Stage | None = None) -> dict[str, Any]:
    """Every country with subnational inputs, at its inputs' latest year (cached by the data's sha256s)."""
    from tocsin.geo import hotspots as hs

    cache = fit_cache(settings)
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
) -> tuple[Run, ForecastJob]:
    from tocsin.prevention.rank import snapshot_evidence
    from tocsin.reports.html import ReportInputs, write_report

    say = stage or (lambda _s: None)
    runs = RunStore(settings.runs_dir)
    wh = Warehouse(settings.warehouse_path)
    prov = wh.provenance()
    with runs.create("forecast", model=model, seed=settings.seed, settings=settings_record(settings),
                     sources=sources_record(prov)) as run:
        job = run_forecast_job(settings, model, run=run, track_record=track_record, progress=progress, stage=say,
                               history=history, panel=panel)
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
    return runs.get(run.id), job


def export_forecast(run: Run, job: ForecastJob, out_dir: Path) -> list[Path]:
    """The run's forecast as CSV and JSON, and its report, in a folder of the user's (`--out`)."""
    fc, tr = job.forecast, job.track
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"forecast_{fc.base_year + 1}_{fc.model}"
    csv, js, html = out_dir / f"{stem}.csv", out_dir / f"{stem}.json", out_dir / f"{stem}.html"
    fc.table.to_csv(csv, index=False)
    payload = {
        "run": run.id, "citation": run.citation(), "model": fc.model, "base_year": fc.base_year,
        "spearman_vs_ewp": fc.spearman_vs_ewp, "n_compared_with_ewp": fc.n_compared,
        "stacking_weights": fc.weights, "forecasts": json.loads(fc.table.to_json(orient="records")),
        "track_record": tr.to_json()["metrics"] if tr else None,
        "sources": run.record.get("sources", []),
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
