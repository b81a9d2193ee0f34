"""Why a country's risk is what it is: each driver's contribution, grouped by driver family and UN risk factor.

Contributions are in log-odds, relative to an average country in the training data:
- linear models (ewp, dynamic): coefficient x (value - training mean), i.e. coefficient x standardised value
  on the standardised scale;
- LightGBM: exact TreeSHAP values (log-odds);
- random forest: TreeSHAP values in probability, spread over log-odds in proportion (so they add up to the
  model's log-odds difference from its average);
- the ensemble: each member's contributions times the member's stacking weight.
"What changed" applies the same fitted model to the country's features of the year before, so the
change reflects the data, not a refit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tocsin.core.errors import ModelError, TocsinError
from tocsin.evaluate.backtest import BacktestSpec, estimator_factory, fit_year
from tocsin.features.registry import UN_RISK_FACTORS, FeatureRegistry
from tocsin.models.base import Forecaster
from tocsin.models.stacking import logit

OUTCOME = "mk_onset_1or2"


def member_contributions(model: Forecaster, X: pd.DataFrame) -> pd.DataFrame:
    """Log-odds contributions of one fitted member for the rows of X."""
    if hasattr(model, "contributions"):
        return model.contributions(X)  # type: ignore[no-any-return]
    inner = getattr(model, "model_", None)
    if inner is None or not hasattr(model, "features_"):
        raise ModelError(f"cannot explain {type(model).__name__}")
    import shap

    A = X[model.features_].to_numpy(dtype=float)
    explainer = shap.TreeExplainer(inner)
    sv = explainer.shap_values(A, check_additivity=False)
    sv = sv[..., 1] if np.ndim(sv) == 3 else (sv[1] if isinstance(sv, list) else sv)
    base = float(np.ravel(explainer.expected_value)[-1])
    p = model.predict_proba(X)[:, 1]
    total = sv.sum(axis=1)
    # Spread the log-odds gap over the features in proportion to their probability contributions.
    gap = logit(p) - logit(np.full_like(p, base))
    scale = np.divide(gap, total, out=np.zeros_like(gap), where=np.abs(total) > 1e-12)
    return pd.DataFrame(sv * scale[:, None], columns=model.features_, index=X.index)


@dataclass
class Explanation:
    name: str
    ccode: int
    year: int  # features from this year; the forecast is for year+1 and year+2
    model: str
    risk: float | None
    drivers: pd.DataFrame  # feature, label, family, un_factors, value, value_prev, contribution, change
    by_family: pd.DataFrame  # family, contribution, change
    by_un_factor: pd.DataFrame  # factor, title, contribution, change

    def top(self, n: int = 8) -> pd.DataFrame:
        return self.drivers.reindex(self.drivers["contribution"].abs().sort_values(ascending=False).index).head(n)

    def changed(self, n: int = 5) -> pd.DataFrame:
        d = self.drivers.dropna(subset=["change"])
        return d.reindex(d["change"].abs().sort_values(ascending=False).index).head(n)


def components(name: str, fitted: Forecaster) -> tuple[dict[str, Forecaster], dict[str, float] | None]:
    """A fitted model's explainable parts and their weights: an ensemble's members and stacking weights, or
    the model itself (weight None: unweighted)."""
    members = getattr(fitted, "members_", None)
    if members is None:
        return {name: fitted}, None
    return dict(members), dict(getattr(fitted, "weights_", {}))


def fit_members(panel: pd.DataFrame, model: str, year: int) -> tuple[dict[str, Forecaster], dict[str, float] | None]:
    """`model` as it would have been fitted to forecast from `year`'s features, as components."""
    spec = BacktestSpec(start=year + 1, end=year + 1, outcome=OUTCOME)
    return components(model, fit_year(panel, estimator_factory(model), year + 1, spec))


def contributions_table(
    panel: pd.DataFrame,
    members: dict[str, Forecaster],
    weights: dict[str, float],
    rows: pd.DataFrame,
) -> pd.DataFrame:
    """Weighted sum of members' contributions for `rows` (aligned on the rows' index)."""
    total: pd.DataFrame | None = None
    for m, fitted in members.items():
        w = weights.get(m, 0.0)
        if w == 0.0:
            continue
        c = member_contributions(fitted, rows) * w
        total = c if total is None else total.add(c, fill_value=0.0)
    if total is None:
        raise ModelError("no member with a positive weight to explain")
    return total


def _feature_info(registry: FeatureRegistry, features: pd.Index) -> pd.DataFrame:
    """label, family and un_factors of each feature (unregistered ones: their name, "other", none)."""
    info = [registry.get(f) for f in features]
    return pd.DataFrame({
        "label": [i.label if i else f for f, i in zip(features, info, strict=True)],
        "family": [i.family if i else "other" for i in info],
        "un_factors": [",".join(str(u) for u in i.un_factors) if i else "" for i in info],
    }, index=features)


def summarise(
    registry: FeatureRegistry, values: pd.Series, prev_values: pd.Series | None, contrib: pd.Series,
    prev_contrib: pd.Series | None, info: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One country's drivers (features with a contribution or a change) and their sums by family and UN
    risk factor. `info`: `_feature_info` of the contributions' features, when explaining many countries."""
    feats = contrib.index
    info = _feature_info(registry, feats) if info is None else info.loc[feats]
    c = contrib.to_numpy(dtype=float)
    drivers = pd.DataFrame({
        "feature": feats,
        "label": info["label"].to_numpy(),
        "family": info["family"].to_numpy(),
        "un_factors": info["un_factors"].to_numpy(),
        "value": _lookup(values, feats),
        "value_prev": _lookup(prev_values, feats),
        "contribution": c,
        # A feature the year before had no contribution for counts from 0 (NaN stays NaN, as before).
        "change": c - prev_contrib.reindex(feats, fill_value=0.0).to_numpy(dtype=float)
        if prev_contrib is not None else np.full(len(c), np.nan),
    })
    drivers = drivers[drivers["contribution"].abs() + drivers["change"].abs().fillna(0) > 0]
    return drivers.reset_index(drop=True), *grouped(drivers)


def _lookup(values: pd.Series | None, feats: pd.Index) -> np.ndarray:
    """`values[f]` for each feature as floats (NaN where absent)."""
    if values is None:
        return np.full(len(feats), np.nan)
    return pd.to_numeric(values.reindex(feats), errors="coerce").to_numpy(dtype=float)


def grouped(drivers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contributions and changes summed by driver family and by UN Framework risk factor."""
    by_family = drivers.groupby("family", as_index=False)[["contribution", "change"]].sum()
    by_family = by_family.sort_values("contribution", ascending=False)
    # A feature informing several UN risk factors is shared equally among them.
    factors = [[int(f) for f in str(u).split(",") if f] or [0] for u in drivers["un_factors"]]
    n = np.array([len(f) for f in factors], dtype=float)
    by_un = pd.DataFrame({
        "factor": [f for fs in factors for f in fs],
        "contribution": np.repeat(drivers["contribution"].to_numpy(dtype=float) / n, n.astype(int)),
        "change": np.repeat(drivers["change"].to_numpy(dtype=float) / n, n.astype(int)),
    }, columns=["factor", "contribution", "change"])
    by_un = by_un.groupby("factor", as_index=False)[["contribution", "change"]].sum()
    by_un["title"] = by_un["factor"].map(lambda f: UN_RISK_FACTORS.get(f, "Not a UN Framework factor"))
    by_un = by_un.sort_values("contribution", ascending=False)
    return by_family.reset_index(drop=True), by_un.reset_index(drop=True)


def explain_rows(
    panel: pd.DataFrame,
    registry: FeatureRegistry,
    model: str,
    year: int,
    ccodes: list[int],
    *,
    weights: dict[str, float] | None = None,
    risk: Callable[[int], float | None] | None = None,
    members: dict[str, Forecaster] | None = None,
) -> list[Explanation]:
    """Explanations for several countries from one set of fitted members (every country of a run)."""
    if members is None:
        members, fitted_weights = fit_members(panel, model, year)
        weights = weights if weights is not None else fitted_weights
    w = weights if weights is not None else {m: 1.0 for m in members}
    cur = panel[(panel["year"] == year) & panel["ccode"].isin(ccodes)].set_index("ccode")
    prev = panel[(panel["year"] == year - 1) & panel["ccode"].isin(ccodes)].set_index("ccode")
    if cur.empty:
        raise TocsinError(f"no data for the requested countries in {year}")
    c_cur = contributions_table(panel, members, w, cur)
    c_prev = contributions_table(panel, members, w, prev) if not prev.empty else None
    info = _feature_info(registry, c_cur.columns)
    out = []
    for code in ccodes:
        if code not in cur.index:
            continue
        p_vals = prev.loc[code] if c_prev is not None and code in prev.index else None
        p_con = c_prev.loc[code] if c_prev is not None and code in c_prev.index else None
        drivers, fam, un = summarise(registry, cur.loc[code], p_vals, c_cur.loc[code], p_con, info)
        label = next((cur.loc[code, c] for c in ("name", "ewp_name") if c in cur.columns), code)
        out.append(Explanation(str(label), int(code), year, model,
                               risk(code) if risk else None, drivers, fam, un))
    return out


def explanations_frame(explanations: list[Explanation]) -> pd.DataFrame:
    """Long table for saving: ccode, year, feature, label, family, un_factors, value, contribution, change."""
    parts = []
    for e in explanations:
        d = e.drivers.assign(ccode=e.ccode, year=e.year, model=e.model, name=e.name, risk=e.risk)
        parts.append(d.rename(columns={"change": "contribution_change"}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def explanation_from_frame(frame: pd.DataFrame, ccode: int, model: str) -> Explanation | None:
    """A saved explanation (a run's explanations.parquet) back as an Explanation, or None when absent."""
    rows = frame[frame["ccode"].astype(int) == ccode]
    if rows.empty:
        return None
    year = int(rows["year"].max())
    rows = rows[rows["year"] == year].rename(columns={"contribution_change": "change"})
    drivers = rows[["feature", "label", "family", "un_factors", "value", "value_prev", "contribution", "change"]]
    drivers = drivers.reset_index(drop=True)
    by_family, by_un = grouped(drivers)
    name = str(rows["name"].iloc[0]) if "name" in rows.columns else str(ccode)
    risk = float(rows["risk"].iloc[0]) if "risk" in rows.columns else None
    return Explanation(name, ccode, year, model, risk, drivers, by_family, by_un)
