"""What the dashboard, the API and the country brief show, read from a run and the warehouse (never refit).

`DataContext` is the public, read-only service over runs: it reads one run (the latest forecast run, or the one
named), the warehouse's tables and provenance and (for signed-in users) the monitoring database, caching what
it read per run (a published run never changes). The functions below turn them into plain frames and dicts:
the ranked risk table of a year, a country's history, drivers, hotspots, incidents, alerts, prevention
options and sources.
Parts another module has not produced yet come back as `Section(available=False, note=...)`: said plainly,
never filled in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tocsin.core import countries
from tocsin.core.errors import TocsinError
from tocsin.core.records import frame_records
from tocsin.core.settings import Settings
from tocsin.evaluate.results import ResultsStore
from tocsin.evaluate.runs import Run, RunStore
from tocsin.warehouse.store import Warehouse

# EWP's own region dummies in the panel; rows with none of them are sub-Saharan Africa (EWP's base level).
EWP_REGIONS: dict[str, str] = {
    "reg.na": "Americas", "reg.eap": "East Asia and Pacific", "reg.sca": "South and Central Asia",
    "reg.mna": "Middle East and North Africa", "reg.eur": "Europe",
}
AFRICA = "Sub-Saharan Africa"
REGIONS: tuple[str, ...] = (AFRICA, *EWP_REGIONS.values())
BOUNDARIES_TABLE = "ne_admin0_50m"


@dataclass
class Section:
    """One part of a page: its rows, or why it has none."""

    available: bool
    note: str = ""
    data: Any = None
    sources: list[dict[str, str]] = field(default_factory=list)


class DataContext:
    """One run + the warehouse for one Settings; thread-safe memo keyed by the run id and files' mtimes.

    With `run_id` the context reads that run; without, the latest forecast run, re-read when a newer one is
    published (the pointer is one small file)."""

    def __init__(self, settings: Settings, run_id: str | None = None) -> None:
        self.settings = settings
        self.runs = RunStore(settings.runs_dir)
        self.run_id = run_id
        self.warehouse = Warehouse(settings.warehouse_path)
        self._lock = threading.RLock()
        self._memo: dict[str, tuple[tuple[Any, ...], Any]] = {}
        if run_id is not None:
            self._fixed: Run | None = self.runs.get(run_id)
        else:
            self._fixed = None

    @property
    def run(self) -> Run | None:
        """The run this context shows (None before the first `tocsin forecast`)."""
        if self._fixed is not None:
            return self._fixed
        latest = self.runs.latest_id("forecast")
        if latest is None:
            return None
        return self.cached(f"run:{latest}", [], lambda: self.runs.get(latest))

    def run_info(self) -> dict[str, Any] | None:
        """What every page and brief states: the run id, its date, model, code and data vintages."""
        run = self.run
        if run is None:
            return None
        rec = run.record
        vintages = [{"source": s.get("source"), "retrieved_at": str(s.get("retrieved_at") or "")[:10],
                     "sha256": str(s.get("sha256") or "")[:12]} for s in rec.get("sources", [])
                    if str(s.get("source", "")).startswith("ewp_")]
        return {"id": run.id, "created_at": str(rec.get("created_at", ""))[:10], "model": rec.get("model"),
                "base_year": rec.get("base_year"), "code": (rec.get("code") or {}).get("version"),
                "commit": str((rec.get("code") or {}).get("commit") or "")[:12], "citation": run.citation(),
                "ewp_vintages": vintages}

    def cached(self, key: str, files: list[Path], load: Callable[[], Any]) -> Any:
        stamp: tuple[Any, ...] = tuple(p.stat().st_mtime_ns if p.exists() else -1 for p in files)
        with self._lock:
            hit = self._memo.get(key)
            if hit is not None and hit[0] == stamp:
                return hit[1]
        value = load()
        with self._lock:
            self._memo[key] = (stamp, value)
        return value

    def _result(self, name: str, load: Callable[[ResultsStore], Any]) -> Any:
        run = self.run
        if run is None:
            return None
        path = run.path / name
        return self.cached(f"{run.id}:{name}", [], lambda: load(run.store) if path.is_file() else None)

    # ---- the run's artifacts -------------------------------------------------------------------------------
    def forecast(self) -> pd.DataFrame | None:
        return self._result("forecast.parquet", lambda st: st.forecast())

    def forecast_meta(self) -> dict[str, Any] | None:
        return self._result("forecast.json", lambda st: st.forecast_meta())

    @property
    def model(self) -> str | None:
        meta = self.forecast_meta()
        return str(meta["model"]) if meta else None

    @property
    def forecast_year(self) -> int | None:
        """The year the latest forecast is for (its 2-year risk covers this year and the next)."""
        meta = self.forecast_meta()
        return int(meta["base_year"]) + 1 if meta else None

    def predictions(self) -> pd.DataFrame | None:
        """Past forecasts as pages show them: risk of onset within two years, like the headline forecast.

        The ensemble's backtest carries both horizons (prob: that year; prob_2y: that year or the next); single
        models' `prob` already comes from a model trained on the two-year outcome."""
        m = self.model
        return None if m is None else self._result(f"backtest_{m}.parquet",
                                                   lambda st: _two_year(st.backtest_predictions(m)))

    def scored(self) -> pd.DataFrame | None:
        m = self.model
        return None if m is None else self._result(f"scored_{m}.parquet", lambda st: st.scored(m))

    def track_record(self) -> dict[str, Any] | None:
        m = self.model
        return None if m is None else self._result(f"track_record_{m}.json", lambda st: st.track_record(m))

    def explanations(self) -> pd.DataFrame | None:
        return self._result("explanations.parquet", lambda st: st.explanations())

    def hotspots(self, iso3: str) -> Any:
        """The run's hotspot result for a country: None without subnational inputs, str when they failed."""
        from tocsin.reports.produce import load_hotspots

        run = self.run
        return None if run is None else self.cached(f"{run.id}:hotspots:{iso3}", [],
                                                    lambda: load_hotspots(run, iso3))

    def evidence(self) -> Any:
        from tocsin.reports.produce import load_evidence

        run = self.run
        return None if run is None else self.cached(f"{run.id}:evidence", [], lambda: load_evidence(run))

    # ---- warehouse ---------------------------------------------------------------------------------
    def _wh(self, key: str, load: Callable[[], Any]) -> Any:
        return self.cached(key, [self.warehouse.path], lambda: load() if self.warehouse.exists() else None)

    def panel(self) -> pd.DataFrame | None:
        from tocsin.features.panel import load_panel

        return self._wh("panel", lambda: load_panel(self.warehouse) if self.warehouse.has("ewp_panel") else None)

    def provenance(self) -> pd.DataFrame | None:
        return self._wh("provenance", self.warehouse.provenance)

    def boundaries(self) -> pd.DataFrame | None:
        """Natural Earth admin-0 rows (iso3, name, continent, wkt), as pulled by `tocsin data pull`."""
        return self._wh("boundaries", lambda: self.warehouse.read(BOUNDARIES_TABLE)
                        if self.warehouse.has(BOUNDARIES_TABLE) else None)

    def regions(self) -> dict[int, str]:
        """ccode -> EWP region, from the latest panel row of each country."""

        def load_cols() -> dict[int, str]:
            panel = self.panel()
            if panel is None:
                return {}
            last = panel.sort_values("year").drop_duplicates("ccode", keep="last").set_index("ccode")
            region = pd.Series(AFRICA, index=last.index, dtype=object)
            for col, label in EWP_REGIONS.items():
                if col in last.columns:
                    region[last[col] == 1] = label
            return {int(k): str(v) for k, v in region.items()}

        return self._wh("regions", load_cols) or {}

    def names(self) -> dict[int, tuple[str | None, str]]:
        """ccode -> (iso3, display name): EWP's spelling where the panel has it, else the GW name."""

        def load() -> dict[int, tuple[str | None, str]]:
            out: dict[int, tuple[str | None, str]] = {}
            panel = self.panel()
            if panel is not None:
                last = panel.sort_values("year").drop_duplicates("ccode", keep="last")
                out = {int(r.ccode): (r.iso3, str(r.name)) for r in last[["ccode", "iso3", "name"]].itertuples()}
            fc = self.forecast()
            if fc is not None:
                for r in fc[["ccode", "iso3", "name"]].itertuples():
                    out.setdefault(int(r.ccode), (r.iso3, str(r.name)))
            return out

        run = self.run
        return self.cached(f"names:{run.id if run else ''}", [self.warehouse.path], load)


# ---- lookups -------------------------------------------------------------------------------------------
def resolve(query: str | int) -> countries.Country:
    """A country from a name, variant, ISO3/ISO2 or GW/COW code; CountryNotFoundError lists close names."""
    return countries.lookup(query)


def display(ctx: DataContext, ccode: int) -> tuple[str | None, str]:
    """(iso3, display name) of a country: EWP's spelling where the panel has it, else the GW name."""
    known = ctx.names().get(ccode)
    if known:
        return known
    c = countries.by_gwcode(ccode)
    return (c.iso3, c.name) if c else (None, str(ccode))


# ---- risk tables -------------------------------------------------------------------------------------
RISK_COLUMNS = ["ccode", "iso3", "name", "region", "year", "risk", "rank", "risk_1yr", "onset",
                "ewp_risk", "ewp_rank", "kind"]


def years(ctx: DataContext) -> list[int]:
    out: set[int] = set()
    preds = ctx.predictions()
    if preds is not None:
        out.update(int(y) for y in preds["year"].unique())
    if ctx.forecast_year is not None:
        out.add(ctx.forecast_year)
    return sorted(out)


def _result_files(ctx: DataContext) -> list[Path]:
    """What a derived view depends on besides the run (whose id is in every key: runs never change)."""
    return [ctx.warehouse.path]


def _key(ctx: DataContext, key: str) -> str:
    run = ctx.run
    return f"{run.id if run else '-'}:{key}"


def risk_table(ctx: DataContext, year: int | None = None, region: str | None = None) -> pd.DataFrame:
    """The ranked table for `year` (default: the latest forecast); cached until a results file changes.

    Callers get the cached frame: they must not modify it in place.
    """
    return ctx.cached(_key(ctx, f"risk:{year}:{region}"), _result_files(ctx), lambda: _risk_table(ctx, year, region))


def _risk_table(ctx: DataContext, year: int | None = None, region: str | None = None) -> pd.DataFrame:
    """The ranked table for `year` (default: the latest forecast), optionally one EWP region.

    Past years are the walk-forward backtest (what the model would have said then, with the onset that
    followed); the forecast year is the latest forecast, with EWP's published forecast beside it.
    """
    if year is None:
        year = ctx.forecast_year
    if year is None:
        raise TocsinError("no saved forecast: run `tocsin forecast` first")
    if year == ctx.forecast_year:
        fc = ctx.forecast()
        assert fc is not None
        out = pd.DataFrame({
            "ccode": fc["ccode"].astype(int), "iso3": fc["iso3"], "name": fc["name"], "year": year,
            "risk": fc["risk_2yr"].astype(float), "rank": fc["rank_2yr"].astype(int),
            "risk_1yr": fc["risk_1yr"].astype(float), "onset": np.nan,
            "ewp_risk": fc["ewp_risk_2yr"].astype(float), "ewp_rank": fc["ewp_rank_2yr"].astype(float),
            "kind": "forecast"})
    else:
        preds = ctx.predictions()
        if preds is None or year not in set(preds["year"].astype(int)):
            raise TocsinError(f"no forecasts for {year}: the track record covers {_span(years(ctx))}")
        p = preds[preds["year"].astype(int) == year].copy()
        scored = ctx.scored()
        if scored is not None:
            ewp = scored[scored["year"].astype(int) == year][["ccode", "ewp_prob", "ewp_rank"]]
            p = p.merge(ewp, on="ccode", how="left")
        else:
            p["ewp_prob"] = np.nan
            p["ewp_rank"] = np.nan
        names = [display(ctx, int(c)) for c in p["ccode"]]
        out = pd.DataFrame({
            "ccode": p["ccode"].astype(int).to_numpy(), "iso3": [n[0] for n in names],
            "name": [n[1] for n in names], "year": year, "risk": p["prob"].astype(float).to_numpy(),
            "rank": p["rank"].astype(int).to_numpy(), "risk_1yr": np.nan,
            "onset": p["onset"].astype(float).to_numpy(), "ewp_risk": p["ewp_prob"].astype(float).to_numpy(),
            "ewp_rank": p["ewp_rank"].astype(float).to_numpy(), "kind": "backtest"})
    regions = ctx.regions()
    out["region"] = out["ccode"].map(lambda c: regions.get(int(c)))
    if region:
        if region not in REGIONS:
            raise TocsinError(f"unknown region {region!r}; regions: {', '.join(REGIONS)}")
        out = out[out["region"] == region]
    return out[RISK_COLUMNS].sort_values(["rank", "name"]).reset_index(drop=True)


def _two_year(preds: pd.DataFrame) -> pd.DataFrame:
    if "prob_2y" not in preds.columns:
        return preds
    out = preds.assign(prob=preds["prob_2y"])
    out["rank"] = out.groupby("year")["prob"].rank(ascending=False, method="min").astype("Int64")
    return out


def _span(ys: list[int]) -> str:
    return f"{ys[0]}-{ys[-1]}" if ys else "no years (run `tocsin forecast`)"


def history(ctx: DataContext, ccode: int) -> pd.DataFrame:
    """Risk and rank over time: each backtest year, then the latest forecast; onsets and EWP's figures."""
    return ctx.cached(_key(ctx, f"history:{ccode}"), _result_files(ctx), lambda: _history(ctx, ccode))


def _history(ctx: DataContext, ccode: int) -> pd.DataFrame:
    frames = []
    preds = ctx.predictions()
    if preds is not None:
        p = preds[preds["ccode"].astype(int) == ccode][["year", "prob", "rank", "onset"]]
        p = p.rename(columns={"prob": "risk"}).assign(kind="backtest")
        scored = ctx.scored()
        if scored is not None:
            s = scored[scored["ccode"].astype(int) == ccode][["year", "ewp_prob", "ewp_rank"]]
            p = p.merge(s.rename(columns={"ewp_prob": "ewp_risk"}), on="year", how="left")
        frames.append(p)
    fc = ctx.forecast()
    if fc is not None:
        row = fc[fc["ccode"].astype(int) == ccode]
        if len(row):
            r = row.iloc[0]
            frames.append(pd.DataFrame([{"year": ctx.forecast_year, "risk": float(r["risk_2yr"]),
                                         "rank": int(r["rank_2yr"]), "onset": np.nan, "kind": "forecast",
                                         "ewp_risk": r["ewp_risk_2yr"], "ewp_rank": r["ewp_rank_2yr"]}]))
    cols = ["year", "risk", "rank", "onset", "ewp_risk", "ewp_rank", "kind"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat([f.reindex(columns=cols) for f in frames], ignore_index=True)
    out["year"] = out["year"].astype(int)
    for c in ("risk", "rank", "onset", "ewp_risk", "ewp_rank"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out.sort_values("year").reset_index(drop=True)


def n_ranked(ctx: DataContext, year: int) -> int:
    try:
        return len(risk_table(ctx, year))
    except TocsinError:
        return 0


# ---- drivers ------------------------------------------------------------------------------------------
def drivers(ctx: DataContext, ccode: int, top: int = 8) -> Section:
    """Top contributions to the latest risk and what changed most since the year before.

    From the saved explanations when `tocsin forecast` wrote them for this country; otherwise the model
    inputs' latest values, how far they stand from other countries', and their change (no contributions),
    said as such.
    """
    ex = ctx.explanations()
    rows = ex[ex["ccode"].astype(int) == ccode] if ex is not None and len(ex) else None
    if rows is not None and len(rows):
        year = int(rows["year"].max())
        now = rows[rows["year"] == year].copy()
        now["abs"] = now["contribution"].abs()
        top_now = now.sort_values("abs", ascending=False).head(top).drop(columns="abs")
        changed = now.dropna(subset=["contribution_change"]).copy()
        changed["abs"] = changed["contribution_change"].abs()
        top_changed = changed.sort_values("abs", ascending=False).head(top).drop(columns="abs")
        cols = ["feature", "label", "family", "un_factors", "value", "contribution", "contribution_change"]
        return Section(True, f"Contributions to the model's risk score for {year} (log-odds).",
                       {"kind": "contributions", "year": year,
                        "top": records(top_now.reindex(columns=cols)),
                        "changed": records(top_changed.reindex(columns=cols))})
    panel = ctx.panel()
    if panel is None:
        return Section(False, "No explanations saved and no warehouse panel: run `tocsin data pull` and "
                              "`tocsin forecast`.")
    rows = panel[panel["ccode"] == ccode].sort_values("year")
    if not len(rows):
        return Section(False, "The panel has no rows for this country.")
    from tocsin.features.panel import base_registry

    reg = base_registry()
    last, prev = rows.iloc[-1], rows.iloc[-2] if len(rows) > 1 else None
    same_year = panel[panel["year"] == last["year"]]
    items = []
    for feat in reg:
        if feat.name not in rows.columns or feat.name in ("year", "year_sq") or feat.name.startswith("reg."):
            continue
        value = _num(last[feat.name])
        before = _num(prev[feat.name]) if prev is not None else None
        change = None if value is None or before is None else value - before
        # How far the country stands from the other countries that year, in standard deviations.
        col = pd.to_numeric(same_year[feat.name], errors="coerce")
        sd = float(col.std())
        z = None if value is None or not sd or np.isnan(sd) else (value - float(col.mean())) / sd
        items.append({"feature": feat.name, "label": feat.label, "family": feat.family,
                      "un_factors": ",".join(str(u) for u in feat.un_factors), "value": value,
                      "previous": before, "change": change, "z": z})
    standout = sorted([i for i in items if i["z"] is not None], key=lambda i: -abs(i["z"]))[:top]
    changed = sorted([i for i in items if i["change"]], key=lambda i: -abs(i["change"]))[:top]
    year = int(last["year"])
    return Section(True, f"Per-input contributions are not saved yet, so these are the model's inputs for {year}: "
                         f"where the country stands furthest from other countries (in standard deviations) and "
                         f"which moved since {year - 1}.",
                   {"kind": "inputs", "year": year, "top": standout, "changed": changed})


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON-ready dicts (missing values as None)."""
    return frame_records(frame)


# ---- hotspots, monitoring, prevention ----------------------------------------------------------------------
def hotspot_result(ctx: DataContext, iso3: str | None, year: int | None = None) -> Any:
    """The run's HotspotResult for a country, or None where the mirror has no inputs. Raises TocsinError when
    the inputs failed, or when `year` is not the year the run computed (runs hold each country's latest)."""
    if not iso3:
        return None
    res = ctx.hotspots(iso3.upper())
    if res is None:
        return None
    if isinstance(res, str):
        raise TocsinError(res)
    if year is not None and int(year) != res.year:
        raise TocsinError(f"this run holds {iso3.upper()}'s hotspots for {res.year}, the inputs' latest year; "
                          f"`tocsin hotspots {iso3.upper()} --year {year}` computes another year")
    return res


def hotspots(ctx: DataContext, iso3: str | None, year: int | None = None) -> Section:
    try:
        res = hotspot_result(ctx, iso3, year)
    except TocsinError as exc:
        return Section(False, f"Hotspots could not be computed: {exc}")
    if res is None:
        return Section(False, "No subnational inputs for this country in the data mirror, so no hotspot map.")
    srcs = [{"publisher": p, "licence": lic, "citation": c} for p, lic, c in res.credits()]
    note = f"Admin-1 vulnerability in {res.year} (0-1 within the country-year)."
    if res.missing:
        note += " Missing components: " + "; ".join(f"{k} ({v})" for k, v in res.missing.items()) + "."
    return Section(True, note, res, srcs)


def _monitor_sessions(ctx: DataContext) -> Any:
    """A session factory for the monitoring database, or a one-line reason there is none."""
    from sqlalchemy.engine import make_url

    from tocsin.monitor import service

    url = ctx.settings.monitor_url
    parsed = make_url(url)
    # Opening a missing SQLite file would create it; a page view must not.
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:" \
            and not Path(parsed.database).is_file():
        return "The monitoring database is not set up (`tocsin monitor init`)."

    def load() -> Any:
        try:
            return service.open_db(ctx.settings)[1]
        except TocsinError as exc:
            return f"Monitoring data unavailable: {exc}"

    key = [Path(parsed.database)] if parsed.get_backend_name() == "sqlite" and parsed.database else []
    return ctx.cached("monitor", key, load)


MONITOR_SIGN_IN = ("Shown only to analysts and admins of the monitoring log (with their API token); "
                   "public pages show no monitoring data.")


def _viewer(session: Any, token: str, permission: str) -> Any:
    """The monitoring user behind `token`, if their role holds `permission` (AuthError / PermissionDenied)."""
    from tocsin.monitor import auth

    user = auth.user_for_token(session, token)
    auth.require(user, permission)
    return user


def alerts(ctx: DataContext, iso3: str | None, limit: int = 200, token: str | None = None) -> Section:
    """Escalation alerts for the holder of `token` when their role may see alerts; nothing for anyone else.

    No token: a Section saying so, without opening the database. A bad token or a role without the right:
    tocsin.monitor's AuthError / PermissionDenied, for the caller to turn into 401 / 403.
    """
    if token is None:
        return Section(False, MONITOR_SIGN_IN)
    if not iso3:
        return Section(False, "This country has no ISO3 code, so no monitoring records.")
    factory = _monitor_sessions(ctx)
    if isinstance(factory, str):
        return Section(False, factory)
    from tocsin.monitor import alerts as al

    with factory() as session:
        viewer = _viewer(session, token, "alerts")
        rows = [al.alert_dict(a) for a in al.list_alerts(session, viewer, iso3, limit=limit)]
    if not rows:
        return Section(True, "No escalation alerts recorded for this country.", [])
    return Section(True, "Escalation alerts: CUSUM on weekly weighted incident counts.", rows)


def incidents(ctx: DataContext, iso3: str | None, token: str | None = None) -> Section:
    """Weekly incident counts by category (not rejected, not duplicates): counts only, never texts or people,
    and only for the holder of `token` when their role may read every incident (as `alerts`)."""
    if token is None:
        return Section(False, MONITOR_SIGN_IN)
    if not iso3:
        return Section(False, "This country has no ISO3 code, so no monitoring records.")
    factory = _monitor_sessions(ctx)
    if isinstance(factory, str):
        return Section(False, factory)
    from sqlalchemy import func, select

    from tocsin.monitor.alerts import week_start
    from tocsin.monitor.models import Incident, Status

    with factory() as session:
        _viewer(session, token, "read_all")
        q = (select(Incident.event_date, Incident.category, Incident.status, func.count())
             .where(Incident.country_iso3 == iso3.upper(),
                    Incident.status.notin_([Status.rejected.value, Status.duplicate.value]))
             .group_by(Incident.event_date, Incident.category, Incident.status))
        rows = session.execute(q).all()
    if not rows:
        return Section(True, "No incidents logged for this country.", [])
    frame = pd.DataFrame(rows, columns=["date", "category", "status", "n"])
    frame["week_start"] = frame["date"].map(week_start)
    frame["verified"] = np.where(frame["status"] == Status.verified.value, frame["n"], 0)
    weekly = (frame.groupby(["week_start", "category"], as_index=False)
              .agg(incidents=("n", "sum"), verified=("verified", "sum")).sort_values("week_start"))
    weekly["week_start"] = weekly["week_start"].map(lambda d: d.isoformat())
    return Section(True, "Logged incidents per week and category (verified and unverified; rejected and "
                         "duplicates left out). Details are in the monitoring API, for authorised users.",
                   records(weekly))


def prevention(ctx: DataContext, ccode: int) -> Section:
    """Ranked prevention options for the run's data year, from the evidence the run computed plus the trigger
    calendar read now (monitoring alerts are left out: they follow the monitor's roles, not the dashboard's)."""
    snap = ctx.evidence()
    if snap is None:
        return Section(False, "This run holds no prevention evidence (made before runs did): run `tocsin forecast`.")
    from tocsin.prevention.rank import evidence_from_snapshot, prevention_report

    def load() -> Section:
        try:
            ev = evidence_from_snapshot(snap, ccode, ctx.settings, explanations=ctx.explanations(), alerts=False)
            res = prevention_report(ccode, snap.year, ctx.settings, evidence=ev)
        except TocsinError as exc:
            return Section(False, f"Prevention options unavailable: {exc}")
        rows = [{"name": o.tool.name, "score": round(float(o.score), 3), "rationale": o.rationale,
                 "actors": ", ".join(o.tool.actors), "lead_time": o.tool.lead_time,
                 "cost_class": o.tool.cost_class} for o in res.options]
        note = (f"Options ranked by the prevention playbook (version {res.playbook_version}) from the evidence "
                f"for {snap.year}, as of {res.as_of.isoformat()}.")
        if res.notes:
            note += " Notes: " + "; ".join(res.notes[:4]) + ("…" if len(res.notes) > 4 else "")
        if not rows:
            note += " No option's signals are active for this country."
        srcs = [{"publisher": s.get("publisher", ""), "licence": s.get("licence", ""),
                 "citation": s.get("citation", ""), "source": s.get("name", "")} for s in res.sources]
        return Section(True, note, rows, srcs)

    # The trigger calendar can change between runs: re-rank when the monitoring database's file changes.
    return ctx.cached(_key(ctx, f"prevention:{ccode}"), [*_result_files(ctx), *_monitor_files(ctx)], load)


def _monitor_files(ctx: DataContext) -> list[Path]:
    from sqlalchemy.engine import make_url

    parsed = make_url(ctx.settings.monitor_url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return [Path(parsed.database)]
    return []


# ---- sources -------------------------------------------------------------------------------------------
def sources(ctx: DataContext, extra: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Every warehouse source with its vintage, sha256, licence and citation (EWP and boundaries first)."""
    prov = ctx.provenance()
    out: list[dict[str, Any]] = []
    if prov is not None:
        p = prov.copy()
        p["order"] = ~p["source"].str.startswith(("ewp_panel", "ewp_foos", "ewp_forecasts", BOUNDARIES_TABLE))
        for r in p.sort_values(["order", "source"]).to_dict("records"):
            years = None if pd.isna(r.get("year_min")) else f"{int(r['year_min'])}-{int(r['year_max'])}"
            out.append({"source": r["source"], "publisher": r["publisher"], "licence": r["licence"],
                        "citation": r["citation"], "address": r["address"], "sha256": r["sha256"],
                        "retrieved_at": str(r["retrieved_at"])[:19], "years": years,
                        "description": r.get("description")})
    for e in extra or []:
        out.append({"source": e.get("source", ""), "publisher": e["publisher"], "licence": e["licence"],
                    "citation": e["citation"], "address": None, "sha256": None, "retrieved_at": None,
                    "years": None, "description": None})
    return out


def credits(ctx: DataContext, only: tuple[str, ...] | None = None) -> list[dict[str, str]]:
    """(publisher, licence, citation) once each, of every source or of the `only` ones: for captions."""
    seen: dict[tuple[str, str, str], None] = {}
    for s in sources(ctx):
        if only is not None and s["source"] not in only:
            continue
        seen.setdefault((s["publisher"], s["licence"], s["citation"]), None)
    return [{"publisher": p, "licence": lic, "citation": c} for p, lic, c in seen]


# ---- headline figures ------------------------------------------------------------------------------------
RANK_INTERVAL_NOTE = ("This model's forecast carries no rank interval (only the stacked ensemble's does), "
                      "so the rank is shown alone.")


def current(ctx: DataContext, ccode: int) -> dict[str, Any] | None:
    """The latest forecast for a country: risk, rank of how many, EWP's figures, and last year's for the trend."""
    if ctx.forecast_year is None:
        return None
    return ctx.cached(_key(ctx, f"current:{ccode}"), _result_files(ctx), lambda: _current(ctx, ccode))


def _current(ctx: DataContext, ccode: int) -> dict[str, Any] | None:
    if ctx.forecast_year is None:
        return None
    table = risk_table(ctx, ctx.forecast_year)
    row = table[table["ccode"] == ccode]
    if not len(row):
        return None
    r = row.iloc[0]
    hist = history(ctx, ccode)
    prev = hist[hist["year"] == ctx.forecast_year - 1]
    interval = _rank_interval(ctx, ccode)
    return {"year": int(r["year"]), "risk": float(r["risk"]), "rank": int(r["rank"]), "of": len(table),
            "risk_1yr": _num(r["risk_1yr"]), "ewp_risk": _num(r["ewp_risk"]), "ewp_rank": _num(r["ewp_rank"]),
            "rank_interval": interval, "rank_interval_note": "" if interval else RANK_INTERVAL_NOTE,
            "previous_risk": _num(prev["risk"].iloc[0]) if len(prev) else None,
            "previous_rank": int(prev["rank"].iloc[0]) if len(prev) else None}


def _rank_interval(ctx: DataContext, ccode: int) -> list[int] | None:
    """(low, high) 90% rank interval when the forecast carries one (the ensemble's bootstrap: rank_lo/hi)."""
    fc = ctx.forecast()
    if fc is None or not {"rank_lo", "rank_hi"} <= set(fc.columns):
        return None
    row = fc[fc["ccode"].astype(int) == ccode]
    if not len(row) or pd.isna(row["rank_lo"].iloc[0]):
        return None
    return [int(row["rank_lo"].iloc[0]), int(row["rank_hi"].iloc[0])]


def track_record_line(ctx: DataContext) -> str | None:
    tr = ctx.track_record()
    if not tr:
        return None
    m, e, spec = tr["metrics"], tr["ewp_published_metrics"], tr["spec"]

    def pct(v: Any) -> str:
        return "n/a" if v is None else f"{100 * float(v):.0f}%"

    def f3(v: Any) -> str:
        return "n/a" if v is None else f"{float(v):.3f}"

    return (f"Backtest {spec['start']}-{spec['end']} ({int(m.get('onsets') or 0)} onsets): the top 30 held "
            f"{pct(m.get('top30_recall'))} of onsets (EWP's published forecasts {pct(e.get('top30_recall'))}); "
            f"AUC {f3(m.get('auc'))} (EWP {f3(e.get('auc'))}).")
