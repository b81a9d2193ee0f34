"""The main job, as library calls: load the model frame, forecast, score the track record, explain, save.

Everything here writes into a run (`tocsin.evaluate.runs`); the CLI and the web layer call these and hold no
modelling logic of their own. Each stage is cached by content (`tocsin.evaluate.cache`): unchanged data and
code give the same artifacts without refitting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from tocsin.core.errors import TocsinError
from tocsin.core.settings import Settings
from tocsin.evaluate.backtest import BacktestSpec
from tocsin.evaluate.cache import ALL_CODE, FitCache, code_fingerprint, frame_digest, make_key
from tocsin.evaluate.explain import Explanation, components, explain_rows, explanations_frame
from tocsin.evaluate.forecast import HISTORY_START, Forecast, fit_for, make_forecast
from tocsin.evaluate.runs import RunWriter
from tocsin.evaluate.track_record import TrackRecord, run_track_record, score_track_record
from tocsin.features.build import FeatureFrame, load_features
from tocsin.features.drivers import REQUIRED_TABLES
from tocsin.features.panel import ewp_published, ewp_published_forecast
from tocsin.models.base import Forecaster
from tocsin.models.registry import uses_drivers
from tocsin.warehouse.store import Warehouse

Tick = Callable[[int], None]
Stage = Callable[[str], None]

# The code the model frame depends on (a change here rebuilds it; data changes are seen through the sha256s).
FEATURE_CODE = ("features", "sources", "warehouse")


def fit_cache(settings: Settings) -> FitCache:
    return FitCache(settings.cache_dir)


PANELS = ("ewp", "rebuilt")


def model_frame(warehouse: Warehouse, model: str | None = None, cache: FitCache | None = None, *,
                panel: str = "ewp") -> FeatureFrame:
    """Panel + dynamics, + the nontraditional drivers when their sources are in the warehouse and `model`
    (when given) reads them. Cached by the warehouse's source sha256s and the feature code.

    `panel="ewp"` reads EWP's prepared predictor file; `panel="rebuilt"` rebuilds the 38 predictors from their
    inputs (`tocsin data rebuild`) and puts them in its place; its inputs' vintages are in
    `frame.attrs["panel_vintages"]`."""
    if panel not in PANELS:
        raise TocsinError(f"unknown panel {panel!r}; one of {', '.join(PANELS)}")
    have = set(warehouse.tables())
    wanted = model is None or uses_drivers(model)
    drivers = wanted and all(t in have for t in REQUIRED_TABLES)

    def build() -> FeatureFrame:
        if panel == "ewp":
            return load_features(warehouse, drivers=drivers)
        from tocsin.features.build import build_features, feature_tables
        from tocsin.features.rebuild.panel import rebuild

        rb = rebuild(warehouse)
        tables = feature_tables(warehouse, drivers=drivers)
        tables["ewp_panel"] = rb.prepared
        ff = build_features(tables, drivers=drivers)
        ff.frame.attrs["panel_vintages"] = rb.vintages
        return ff

    if cache is None or not cache.enabled:
        return build()
    prov = warehouse.provenance()
    key = make_key("features", panel, drivers, code_fingerprint(FEATURE_CODE),
                   sorted(zip(prov["source"], prov["sha256"], strict=True)))
    return cache.value(key, build)


@dataclass
class ForecastJob:
    forecast: Forecast
    track: TrackRecord | None
    explanations: list[Explanation]
    features: FeatureFrame


def run_forecast_job(
    settings: Settings,
    model: str,
    *,
    run: RunWriter,
    track_record: bool = True,
    progress: Tick | None = None,
    stage: Stage | None = None,
    history: tuple[int, int] | None = None,
    panel: str = "ewp",
    data_through: int | None = None,
) -> ForecastJob:
    """Forecast, track record, member history and explanations for every country, saved into `run`."""
    say = stage or (lambda _s: None)
    cache = fit_cache(settings)
    wh = Warehouse(settings.warehouse_path)
    say(f"building the model frame ({panel} panel)")
    ff = model_frame(wh, model, cache, panel=panel)
    run.record["panel"] = {"kind": panel, "input_vintages": ff.frame.attrs.get("panel_vintages")}
    frame = ff.frame
    if data_through is not None:
        # As if the later years' data did not exist yet (e.g. to see what a new year of data changed): every
        # step already uses only rows whose values were known by its cutoff.
        frame = frame[frame["year"] <= data_through]
        if frame.empty:
            raise TocsinError(f"no data through {data_through}")
        ff = FeatureFrame(frame, ff.registry, ff.driver_unmatched)
        run.record["data_through"] = data_through
    ewp = ewp_published(wh)
    run.timing("features")
    say(f"walk-forward fits for {model}")
    # history=(first past forecast kept, members' burn-in start): a shorter span (tests on real data).
    fc = make_forecast(frame, model, ewp_published=ewp_published_forecast(wh, frame), n_jobs=settings.n_jobs,
                       progress=progress, cache=cache, seed=settings.seed,
                       params={"burn_in_start": history[1]} if history else None,
                       history_start=history[0] if history else HISTORY_START)
    run.timing("forecast")
    tr = None
    if track_record:
        say("scoring the track record")
        spec = BacktestSpec(start=1994, end=min(int(ewp["year"].max()), fc.base_year))
        if fc.history_preds is not None:
            preds = fc.history_preds
            key = make_key("track_record", model, spec.start, spec.end, settings.seed, frame_digest(preds),
                           frame_digest(ewp), code_fingerprint(ALL_CODE))
            tr = cache.value(key, lambda: score_track_record(preds, ewp, model, spec, seed=settings.seed))
        else:
            tr = run_track_record(frame, ewp, model, spec, n_jobs=settings.n_jobs, seed=settings.seed,
                                  progress=progress, cache=cache)
        run.timing("track_record")
    say("explaining every country's risk")
    risk = fc.table.set_index("ccode")["risk_2yr"]
    members, weights = components(model, fc.models["2yr"])  # the forecast's own fitted models
    everyone = fc.table["ccode"].astype(int).tolist()

    def explain_all() -> list[Explanation]:
        return explain_rows(frame, ff.registry, model, fc.base_year, everyone, weights=weights,
                            risk=lambda c: float(risk.get(c, float("nan"))), members=members) if everyone else []

    # The whole frame: the members were fitted on it (and explain its last two years).
    key = make_key("explanations", model, fc.base_year, everyone, weights, frame_digest(fc.table),
                   frame_digest(frame), code_fingerprint(ALL_CODE))
    explanations = cache.value(key, explain_all)
    run.timing("explanations")
    store = run.store
    store.save_forecast(fc)
    if fc.member_history is not None:
        store.save_member_history(model, fc.member_history)
    if tr is not None:
        store.save_track_record(tr)
    if explanations:
        store.save_explanations(explanations_frame(explanations))
    summary = tr.to_json() if tr else {}
    run.record.update({
        "model": model, "base_year": fc.base_year, "forecast_for": [fc.base_year + 1, fc.base_year + 2],
        "params": {m: _params(f) for m, f in members.items()},
        "stacking_weights": fc.weights or None,
        "spearman_vs_ewp": fc.spearman_vs_ewp, "n_compared_with_ewp": fc.n_compared,
        "metrics": summary.get("metrics"),
        "track_spec": f"{tr.spec.start}-{tr.spec.end}" if tr else None,
        "ewp_published_metrics": summary.get("ewp_published_metrics"),
        "difference_vs_ewp": tr.differences if tr else None,
        "cache": {"hits": cache.hits, "misses": cache.misses},
    })
    return ForecastJob(fc, tr, explanations, ff)


def _params(model: Forecaster) -> dict[str, object]:
    return {k: v for k, v in model.get_params(deep=False).items() if not callable(v)}


def explain_country(
    settings: Settings, model: str, ccode: int, year: int
) -> Explanation:
    """One country's explanation for a data year no run covers: fits (or reads the cached fits of) the members
    as of `year`. Pages and the default `explain` read the run instead."""
    wh = Warehouse(settings.warehouse_path)
    cache = fit_cache(settings)
    ff = model_frame(wh, model, cache)
    panel = ff.frame
    fitted = fit_for(panel, model, "mk_onset_1or2", year, cache=cache, n_jobs=settings.n_jobs)
    members, weights = components(model, fitted)
    found = explain_rows(panel, ff.registry, model, year, [ccode], weights=weights, members=members)
    if not found:
        raise TocsinError(f"no data for country {ccode} in {year}")
    return found[0]


def source_coverage(warehouse: Warehouse, cache: FitCache | None = None) -> pd.DataFrame:
    """Per year: the share of the panel's country-years holding a value from each driver source
    (1 - the source's missing-indicator mean), and from the EWP panel itself."""
    from tocsin.features.coverage import coverage_by_year
    from tocsin.sources.ewp import EWP_PREDICTORS

    frame = model_frame(warehouse, None, cache).frame
    flags = [c for c in frame.columns if c.endswith("_missing")]
    present = pd.DataFrame({c.removesuffix("_missing"): frame[c].map({0.0: 1.0, 1.0: None})
                            for c in flags})
    present["ewp_panel"] = frame[list(EWP_PREDICTORS)].notna().all(axis=1).map({True: 1.0, False: None})
    present[["ccode", "year"]] = frame[["ccode", "year"]]
    return coverage_by_year(present, ["ccode", "year"], [c for c in present.columns if c not in ("ccode", "year")])
