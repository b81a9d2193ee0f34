"""The main job, as library calls: load the model frame, forecast, score the track record, explain, save.

The CLI and the web layer call these; they hold no modelling logic of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from tocsin.core.errors import TocsinError
from tocsin.core.settings import Settings
from tocsin.evaluate.backtest import BacktestSpec
from tocsin.evaluate.explain import Explanation, explain_rows, explanations_frame
from tocsin.evaluate.forecast import Forecast, make_forecast
from tocsin.evaluate.results import ResultsStore
from tocsin.evaluate.track_record import TrackRecord, run_track_record, score_track_record
from tocsin.features.build import FeatureFrame, load_features
from tocsin.features.drivers import REQUIRED_TABLES
from tocsin.features.panel import ewp_published, ewp_published_forecast
from tocsin.models.base import COMPOSITES, uses_drivers
from tocsin.warehouse.store import Warehouse

Tick = Callable[[int], None]


def model_frame(warehouse: Warehouse, model: str | None = None) -> FeatureFrame:
    """Panel + dynamics, + the nontraditional drivers when their sources are in the warehouse and `model`
    (when given) reads them."""
    have = set(warehouse.tables())
    wanted = model is None or uses_drivers(model)
    return load_features(warehouse, drivers=wanted and all(t in have for t in REQUIRED_TABLES))


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
    track_record: bool = True,
    explain_top: int = 30,
    progress: Tick | None = None,
) -> ForecastJob:
    wh = Warehouse(settings.warehouse_path)
    ff = model_frame(wh, model)
    panel = ff.frame
    ewp = ewp_published(wh)
    fc = make_forecast(panel, model, ewp_published=ewp_published_forecast(wh, panel), n_jobs=settings.n_jobs,
                       progress=progress)
    tr = None
    if track_record:
        spec = BacktestSpec(start=1994, end=min(int(ewp["year"].max()), fc.base_year))
        if fc.history_preds is not None:
            tr = score_track_record(fc.history_preds, ewp, model, spec, seed=settings.seed)
        else:
            tr = run_track_record(panel, ewp, model, spec, n_jobs=settings.n_jobs, seed=settings.seed,
                                  progress=progress)
    store = ResultsStore(settings.results_dir)
    store.save_forecast(fc)
    if fc.member_history is not None:
        store.save_member_history(model, fc.member_history)
    if tr is not None:
        store.save_track_record(tr)
    weights = fc.weights if model in COMPOSITES else None
    risk = fc.table.set_index("ccode")["risk_2yr"]
    top = fc.table.head(explain_top)["ccode"].astype(int).tolist()
    explanations = explain_rows(panel, ff.registry, model, fc.base_year, top, weights=weights,
                                risk=lambda c: float(risk.get(c, float("nan")))) if top else []
    if explanations:
        store.save_explanations(explanations_frame(explanations))
    return ForecastJob(fc, tr, explanations, ff)


def explain_country(
    settings: Settings, model: str, ccode: int, year: int | None = None
) -> Explanation:
    """One country's explanation; composite weights come from the saved forecast when they match."""
    wh = Warehouse(settings.warehouse_path)
    ff = model_frame(wh, model)
    panel = ff.frame
    y = int(panel["year"].max()) if year is None else year
    weights = None
    if model in COMPOSITES:
        weights = stacking_weights(settings, panel, model, y)
    found = explain_rows(panel, ff.registry, model, y, [ccode], weights=weights)
    if not found:
        raise TocsinError(f"no data for country {ccode} in {y}")
    return found[0]


def stacking_weights(settings: Settings, panel: pd.DataFrame, model: str, year: int) -> dict[str, float]:
    """The stacking weights the ensemble used for the forecast from `year`'s features."""
    from tocsin.evaluate.ensemble import BURN_IN_START, member_history, stack_year

    store = ResultsStore(settings.results_dir)
    wide = store.member_history(model)
    if wide is None or int(wide["year"].max()) < year + 1:
        history = member_history(panel, COMPOSITES[model], BURN_IN_START, year + 1, n_jobs=settings.n_jobs)
    else:
        from tocsin.evaluate.ensemble import EnsembleHistory

        history = EnsembleHistory(COMPOSITES[model], wide)
    stack_year(history, year + 1)
    return history.weights[year + 1]


def source_coverage(warehouse: Warehouse) -> pd.DataFrame:
    """Per year: the share of the panel's country-years holding a value from each driver source
    (1 - the source's missing-indicator mean), and from the EWP panel itself."""
    from tocsin.features.coverage import coverage_by_year
    from tocsin.sources.ewp import EWP_PREDICTORS

    frame = model_frame(warehouse).frame
    flags = [c for c in frame.columns if c.endswith("_missing")]
    present = pd.DataFrame({c.removesuffix("_missing"): frame[c].map({0.0: 1.0, 1.0: None})
                            for c in flags})
    present["ewp_panel"] = frame[list(EWP_PREDICTORS)].notna().all(axis=1).map({True: 1.0, False: None})
    present[["ccode", "year"]] = frame[["ccode", "year"]]
    return coverage_by_year(present, ["ccode", "year"], [c for c in present.columns if c not in ("ccode", "year")])
