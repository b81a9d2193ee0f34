"""Making and reading a *watch* run: the monthly watch's panel, walk-forward forecasts, evaluation and models.

`make_watch_run` is where the heavy work happens (`tocsin watch build`): it reads the warehouse and the yearly
out-of-sample track record of a forecast run (the latest, or the one named), builds the country-month panel,
fits the monthly model walk-forward, scores it against the yearly forecast held fixed, and publishes a run of
kind `watch`. `tocsin watch --month`, the dashboard's "this month" views and the warning log only read it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from tocsin.core.errors import TocsinError
from tocsin.core.records import json_clean
from tocsin.core.settings import Settings
from tocsin.evaluate.runs import Run, RunStore, settings_record, sources_record
from tocsin.features.monthly import RELEASE_LAG, month_index, month_label
from tocsin.models.monthly import MODEL_REVISION
from tocsin.warehouse.store import Warehouse

PREDICTIONS = "watch_predictions.parquet"
PANEL = "watch_panel.parquet"
MODELS = "watch_models.parquet"
CHOICES = "watch_choices.parquet"
ONSETS = "watch_onsets.parquet"
EVALUATION = "watch_evaluation.json"
FIRST_FORECAST = (2000, 1)
MODEL_NAME = "monthly-update"
Stage = Callable[[str], None]


def yearly_track(run: Run) -> pd.DataFrame:
    """A forecast run's out-of-sample yearly forecasts: ccode, year, prob (the forecast for that year, made
    from the year before's data)."""
    model = str(run.record.get("model") or "")
    try:
        preds = run.store.backtest_predictions(model)
    except TocsinError as exc:
        raise TocsinError(f"forecast run {run.id} holds no track record: run `tocsin forecast` with it") from exc
    return preds[["ccode", "year", "prob"]].dropna().astype({"ccode": int, "year": int})


def make_watch_run(settings: Settings, *, forecast_run: str | None = None, stage: Stage | None = None,
                   progress: Callable[[int], None] | None = None, n_boot: int = 1000,
                   last_year: int = 2024) -> Run:
    """Build, fit, score and publish a watch run (see the module docstring)."""
    from tocsin.evaluate import watch as ew
    from tocsin.features import monthly as fm

    say = stage or (lambda _s: None)
    runs = RunStore(settings.runs_dir)
    yearly_run = runs.resolve(forecast_run, "forecast")
    wh = Warehouse(settings.warehouse_path)
    missing = [t for t in fm.WATCH_TABLES if not wh.has(t)]
    if missing:
        raise TocsinError(f"the warehouse lacks {', '.join(missing)}: run `tocsin data pull`")
    prov = wh.provenance()
    with runs.create("watch", model=MODEL_NAME, seed=settings.seed, settings=settings_record(settings),
                     sources=sources_record(prov[prov["source"].isin(fm.WATCH_TABLES)]),
                     yearly_from_run=yearly_run.id, yearly_model=yearly_run.record.get("model"),
                     release_lag_months=RELEASE_LAG, model_revision=MODEL_REVISION) as run:
        say("building the country-month panel")
        inputs = fm.watch_inputs({t: wh.read(t) for t in fm.WATCH_TABLES})
        first = int(month_index(*FIRST_FORECAST))
        last = int(month_index(last_year, 12))
        signals = fm.signal_features(inputs, int(month_index(1990, 1)), last)
        panel = fm.monthly_panel(inputs["country_years"], yearly_track(yearly_run), signals, inputs["onsets"],
                                 last_year=last_year)
        run.timing("panel")
        say(f"monthly walk-forward {month_label(first)}..{month_label(last)}")
        wf = ew.walk_forward(panel, first, last, progress=progress)  # progress: months done of last-first+1
        run.timing("walk_forward")
        scored_last = int(panel.loc[panel["onset_12m"].notna(), "mi"].max())
        say(f"scoring {month_label(first)}..{month_label(scored_last)} against the yearly forecast held fixed")
        evaluation = ew.evaluate(wf.predictions, inputs["onsets"], first, scored_last, n_boot=n_boot,
                                 seed=settings.seed)
        evaluation["variants_chosen"] = wf.choices["variant"].value_counts().to_dict()
        run.timing("evaluation")
        keep = panel[panel["mi"] >= first - 1]
        keep.to_parquet(run.path / PANEL, index=False)
        wf.predictions.to_parquet(run.path / PREDICTIONS, index=False)
        wf.models.to_parquet(run.path / MODELS, index=False)
        wf.choices.to_parquet(run.path / CHOICES, index=False)
        inputs["onsets"].to_parquet(run.path / ONSETS, index=False)
        (run.path / EVALUATION).write_text(json.dumps(json_clean(evaluation), indent=1, default=str))
        run.record.update({
            "forecast_months": [month_label(first), month_label(last)],
            "scored_months": evaluation["months"],
            # `runs list`/`runs show` read flat metrics: the monthly model's; the comparison is beside them.
            "metrics": {m: v["value"] for m, v in evaluation["monthly"].items()},
            "comparison": {"monthly": evaluation["monthly"], "yearly_held_fixed": evaluation["yearly_held_fixed"],
                           "difference": evaluation["difference_monthly_minus_yearly"],
                           "monthly_lead": evaluation.get("monthly_lead"),
                           "yearly_lead": evaluation.get("yearly_lead")},
            "citation_hint": "tocsin runs show " + run.id,
        })
    return runs.get(run.id)


@dataclass
class Watch:
    """A published watch run's artifacts, read lazily."""

    run: Run

    def _parquet(self, name: str) -> pd.DataFrame:
        path = self.run.artifact(name)
        if not path.is_file():
            raise TocsinError(f"run {self.run.id} has no {name}: is it a watch run?")
        return pd.read_parquet(path)

    @cached_property
    def predictions(self) -> pd.DataFrame:
        return self._parquet(PREDICTIONS)

    @cached_property
    def panel(self) -> pd.DataFrame:
        return self._parquet(PANEL)

    @cached_property
    def models(self) -> pd.DataFrame:
        return self._parquet(MODELS)

    @cached_property
    def onsets(self) -> pd.DataFrame:
        return self._parquet(ONSETS)

    @cached_property
    def evaluation(self) -> dict[str, Any]:
        return json.loads(self.run.artifact(EVALUATION).read_text())

    def months(self) -> tuple[int, int]:
        mi = self.predictions["mi"]
        return int(mi.min()), int(mi.max())

    def month(self, text: str | None) -> int:
        """The month asked for (YYYY-MM), or the last one the run forecast."""
        from tocsin.features.monthly import parse_month

        first, last = self.months()
        if text is None:
            return last
        try:
            mi = parse_month(text)
        except ValueError as exc:
            raise TocsinError(str(exc)) from exc
        if not first < mi <= last:
            raise TocsinError(f"the watch run covers {month_label(first + 1)}..{month_label(last)}, not {text}")
        return mi


def open_watch(settings: Settings, run_id: str | None = None) -> Watch:
    run = RunStore(settings.runs_dir).resolve(run_id, "watch")
    if run.kind != "watch":
        raise TocsinError(f"run {run.id} is a {run.kind} run, not a watch run")
    return Watch(run)


def watch_report(w: Watch, month: int, n: int = 10) -> dict[str, Any]:
    """The month's risers with the evidence behind each, and where every country stands (for the CLI and the
    dashboard). Reads the run; fits nothing."""
    from tocsin.core import countries
    from tocsin.evaluate.watch import evidence, risers

    top = risers(w.predictions, w.panel, w.models, month, n)
    rows = []
    for r in top.to_dict("records"):
        c = countries.by_gwcode(int(r["ccode"]))
        rows.append({**r, "country": c.name if c else str(r["ccode"]), "iso3": c.iso3 if c else None,
                     "evidence": evidence(w.panel, int(r["ccode"]), month)})
    now = w.predictions[w.predictions["mi"] == month].sort_values("rank")
    ranking = []
    for r in now.itertuples():
        c = countries.by_gwcode(int(r.ccode))
        ranking.append({"ccode": int(r.ccode), "country": c.name if c else str(r.ccode), "iso3": c.iso3 if c else None,
                        "rank": int(r.rank), "prob": float(r.prob), "yearly_rank": int(r.yearly_rank),
                        "yearly_prob": float(r.yearly_prob)})
    return {"run": w.run.id, "month": month_label(month), "model": MODEL_NAME,
            "levels_note": levels_note(w, month),
            "yearly_from_run": w.run.record.get("yearly_from_run"),
            "release_lag_months": w.run.record.get("release_lag_months"),
            "risers": rows, "ranking": ranking}


def levels_note(w: Watch, month: int) -> str | None:
    """A warning when the model's training months held no dated onset for a long time before `month`: its
    probabilities then drift down, and only its ranks are comparable."""
    d = w.onsets[w.onsets["dated"]]
    if d.empty:
        return None
    last = int((d["year"] * 12 + d["month"].astype(int) - 1).max())
    if month - 12 - last < 36:
        return None
    return (f"No onset in the events list is dated to the month after {month_label(last)} (later ones give only a "
            "year), so the model has learnt from years without onsets and its probabilities run low: compare "
            "ranks, not levels.")


def country_month(w: Watch, ccode: int, month: int | None = None) -> dict[str, Any] | None:
    """One country's "this month" view: its monthly and yearly rank and risk, the change since the month
    before, and the signals behind it (None when the run did not forecast it)."""
    from tocsin.evaluate.watch import evidence

    p = w.predictions
    mi = month if month is not None else int(p["mi"].max())
    now = p[(p["mi"] == mi) & (p["ccode"] == ccode)]
    if now.empty:
        return None
    before = p[(p["mi"] == mi - 1) & (p["ccode"] == ccode)]
    r = now.iloc[0]
    hist = p[(p["ccode"] == ccode) & (p["mi"] > mi - 12) & (p["mi"] <= mi)].sort_values("mi")
    return {"month": month_label(mi), "rank": int(r["rank"]), "prob": float(r["prob"]),
            "yearly_rank": int(r["yearly_rank"]), "yearly_prob": float(r["yearly_prob"]),
            "prob_before": float(before["prob"].iloc[0]) if not before.empty else None,
            "evidence": evidence(w.panel, ccode, mi), "levels_note": levels_note(w, mi),
            "last_12": [{"month": month_label(int(h.mi)), "prob": float(h.prob), "rank": int(h.rank)}
                        for h in hist.itertuples()]}


_OPEN: dict[tuple[str, str], Watch] = {}
_OPEN_LOCK = threading.Lock()


def latest_watch(settings: Settings, run_id: str | None = None) -> Watch | None:
    """The latest (or named) watch run for the dashboard, kept open across requests (runs are immutable, so a
    run's artifacts are read once); None when there is no watch run yet."""
    runs = RunStore(settings.runs_dir)
    wanted = run_id or runs.latest_id("watch")
    if not wanted:
        return None
    key = (str(settings.runs_dir), wanted)
    with _OPEN_LOCK:
        found = _OPEN.get(key)
    if found is not None:
        return found
    try:
        w = open_watch(settings, wanted)
    except TocsinError:
        return None
    with _OPEN_LOCK:
        if len(_OPEN) >= 4:  # a few runs at most (latest and ones asked for by ?run=)
            _OPEN.pop(next(iter(_OPEN)))
        _OPEN[key] = w
    return w


def evaluation_summary(w: Watch) -> dict[str, Any]:
    """The evaluation for the track record page: metrics with intervals, difference, lead times, exclusions."""
    ev = w.evaluation
    return {k: ev.get(k) for k in ("months", "country_months", "countries", "onset_months", "onsets_scored",
                                    "monthly", "yearly_held_fixed", "difference_monthly_minus_yearly",
                                    "monthly_lead", "yearly_lead", "year_only_onsets", "lead_times",
                                    "variants_chosen")} | {
        # Runs made before revisions were recorded hold the first specification.
        "run": w.run.id, "model_revision": int(w.run.record.get("model_revision", 1))}
