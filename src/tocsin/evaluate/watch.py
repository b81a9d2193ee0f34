"""The monthly watch: walk-forward monthly forecasts, their evaluation against the yearly forecast held fixed,
and each month's risers with the signals behind their rise.

Walk-forward (no look-ahead). The forecast made at the end of month M is fitted only on country-months t whose
12-month outcome was known by then (t <= M - 12) and predicts from month M's row, whose signals use only data
released by M (tocsin.features.monthly states each source's lag). The model is refitted every month.

Nested choice. Which variant (`VARIANTS`: the yearly log-odds alone, or with the monthly signals at three
penalty strengths) forecasts the months of year Y is chosen in January of Y from that January's training months
alone: each variant is fitted on the training months known 36 months earlier and scored (log-loss) on the last
36 training months; the lowest wins, `DEFAULT` when those months hold no onset. No choice looks at an
evaluation month.

Evaluation. On the same country-months (both forecasts present, outcome known, not excluded by a year-only
onset): AUC, recall of onset months in each month's top 30, Brier, each with a 95% country-clustered bootstrap
interval and the difference monthly - yearly with its interval (tocsin.evaluate.metrics). Ranks are taken
within each month among every country forecast that month. Lead time: for each dated onset, the months between
the start of the unbroken run of top-30 months that includes the month before the onset and the onset itself
(0 when the country was not in the top 30 the month before; runs are cut at the first forecast month).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tocsin.core.errors import ModelError, TocsinError
from tocsin.evaluate.metrics import bootstrap_difference, bootstrap_intervals
from tocsin.features.monthly import FEATURES, HORIZON, LABELS, month_label
from tocsin.models.monthly import MonthlyUpdate

VARIANTS: tuple[dict[str, Any], ...] = (
    {"inputs": "yearly", "C": 1.0},
    {"inputs": "full", "C": 0.01},
    {"inputs": "full", "C": 0.1},
    {"inputs": "full", "C": 1.0},
)
DEFAULT: dict[str, Any] = {"inputs": "full", "C": 0.1}
INNER_MONTHS = 36
TOP_K = 30
WARN_TOP = 10
# A rise of at least this much in a country's 12-month risk from one month to the next logs a warning (2
# percentage points: about three times the average country's yearly base rate of a new onset).
RISE_THRESHOLD = 0.02

Tick = Callable[[int], None]


def _train_mask(panel: pd.DataFrame, last_row: int) -> np.ndarray:
    return ((panel["mi"] <= last_row) & panel["onset_12m"].notna() & panel["yearly_logit"].notna()).to_numpy()


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def choose_variant(panel: pd.DataFrame, month: int) -> tuple[dict[str, Any], dict[str, float]]:
    """The variant for forecasts from `month` on, chosen from the months whose outcome was known by `month`.

    Returns (variant, validation log-loss of each variant by its key)."""
    known = month - HORIZON
    val_start = known - INNER_MONTHS + 1
    inner = panel[_train_mask(panel, val_start - 1 - HORIZON)]
    val = panel[_train_mask(panel, known) & (panel["mi"] >= val_start).to_numpy()]
    y_val = val["onset_12m"].to_numpy(dtype=float)
    if inner["onset_12m"].sum() == 0 or y_val.sum() == 0:
        return DEFAULT, {}
    losses: dict[str, float] = {}
    for v in VARIANTS:
        try:
            m = MonthlyUpdate(**v).fit(inner, inner["onset_12m"].to_numpy())
        except ModelError:
            continue
        losses[variant_key(v)] = _log_loss(y_val, m.predict_proba(val)[:, 1])
    if not losses:
        return DEFAULT, {}
    best = min(losses, key=lambda k: losses[k])
    return next(v for v in VARIANTS if variant_key(v) == best), losses


def variant_key(v: dict[str, Any]) -> str:
    return f"{v['inputs']}:C={v['C']}"


@dataclass
class WalkForward:
    predictions: pd.DataFrame  # ccode, mi, prob, yearly_prob, rank, yearly_rank, onset_12m, excluded, next_onset
    models: pd.DataFrame  # one row per forecast month: mi, variant, intercept, and mean/scale/coef per input
    choices: pd.DataFrame  # one row per January: mi, chosen variant, each variant's validation log-loss


def walk_forward(panel: pd.DataFrame, first: int, last: int, progress: Tick | None = None) -> WalkForward:
    """Monthly forecasts for months `first`..`last` (indices), each from a model fitted on the months known by
    then, with the variant chosen every January (or at `first`) on training months only."""
    preds, models, choices = [], [], []
    variant: dict[str, Any] = DEFAULT
    for k, month in enumerate(range(first, last + 1)):
        if month == first or month % 12 == 0:
            variant, losses = choose_variant(panel, month)
            choices.append({"mi": month, "month": month_label(month), "variant": variant_key(variant), **losses})
        train = panel[_train_mask(panel, month - HORIZON)]
        rows = panel[(panel["mi"] == month) & panel["yearly_logit"].notna()]
        if rows.empty or train.empty:
            continue
        model = MonthlyUpdate(**variant).fit(train, train["onset_12m"].to_numpy())
        out = rows[["ccode", "mi", "yearly_prob", "onset_12m", "excluded", "next_onset"]].copy()
        out["prob"] = model.predict_proba(rows)[:, 1]
        preds.append(out)
        rec: dict[str, Any] = {"mi": month, "variant": variant_key(variant), "intercept": model.intercept_,
                               "train_rows": len(train), "train_onset_months": int(train["onset_12m"].sum())}
        for i, f in enumerate(model.features_):
            rec[f"coef:{f}"], rec[f"mean:{f}"], rec[f"scale:{f}"] = model.coef_[i], model.mean_[i], model.scale_[i]
        models.append(rec)
        if progress:
            progress(k + 1)
    if not preds:
        raise TocsinError("no monthly forecast could be made (no training months with a yearly forecast?)")
    p = pd.concat(preds, ignore_index=True)
    p = add_month_ranks(p)
    return WalkForward(p, pd.DataFrame(models), pd.DataFrame(choices))


def add_month_ranks(preds: pd.DataFrame) -> pd.DataFrame:
    """rank / yearly_rank: 1 = highest risk among the countries forecast that month."""
    p = preds.copy()
    p["rank"] = p.groupby("mi")["prob"].rank(ascending=False, method="first")
    p["yearly_rank"] = p.groupby("mi")["yearly_prob"].rank(ascending=False, method="first")
    return p


# ---- evaluation ---------------------------------------------------------------------------------------------
def scored_rows(preds: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    f = preds[preds["mi"].between(first, last) & preds["onset_12m"].notna() & preds["prob"].notna()
              & preds["yearly_prob"].notna()]
    return f.reset_index(drop=True)


def lead_times(preds: pd.DataFrame, onsets: pd.DataFrame, first: int, last: int, k: int = TOP_K) -> pd.DataFrame:
    """One row per dated onset whose month before lies in first..last: ccode, onset (YYYY-MM), and under each
    forecast (monthly, yearly) the lead time in months and whether it was in the top k the month before."""
    top = {"monthly": set(zip(preds.loc[preds["rank"] <= k, "ccode"], preds.loc[preds["rank"] <= k, "mi"],
                              strict=True)),
           "yearly": set(zip(preds.loc[preds["yearly_rank"] <= k, "ccode"],
                             preds.loc[preds["yearly_rank"] <= k, "mi"], strict=True))}
    rows = []
    d = onsets[onsets["dated"]]
    for c, y, m, event in zip(d["ccode"], d["year"], d["month"], d["event"], strict=True):
        o = int(y) * 12 + int(m) - 1
        if not first <= o - 1 <= last:
            continue
        rec: dict[str, Any] = {"ccode": int(c), "onset": month_label(o), "event": event}
        for name, members in top.items():
            t = o - 1
            while t >= first and (int(c), t) in members:
                t -= 1
            lead = o - (t + 1) if t < o - 1 else 0
            rec[f"{name}_lead_months"] = lead
            rec[f"{name}_in_top{k}"] = lead > 0
        rows.append(rec)
    return pd.DataFrame(rows)


def evaluate(preds: pd.DataFrame, onsets: pd.DataFrame, first: int, last: int, *, n_boot: int = 1000,
             seed: int = 0) -> dict[str, Any]:
    """The monthly forecast against the yearly one held fixed, on the same country-months first..last."""
    s = scored_rows(preds, first, last)
    y = s["onset_12m"].to_numpy(dtype=int)
    groups = s["ccode"].to_numpy()
    mon = (s["prob"].to_numpy(dtype=float), s["rank"].to_numpy(dtype=float))
    yr = (s["yearly_prob"].to_numpy(dtype=float), s["yearly_rank"].to_numpy(dtype=float))
    metrics = ("auc", "top30_recall", "brier")
    out: dict[str, Any] = {
        "months": [month_label(first), month_label(last)],
        "country_months": len(s), "countries": int(s["ccode"].nunique()),
        "onset_months": int(y.sum()),
        "onsets_scored": int(s.loc[s["onset_12m"] == 1, ["ccode", "next_onset"]].drop_duplicates().shape[0]),
        "monthly": bootstrap_intervals(y, mon, groups=groups, metrics=metrics, n_boot=n_boot, seed=seed),
        "yearly_held_fixed": bootstrap_intervals(y, yr, groups=groups, metrics=metrics, n_boot=n_boot, seed=seed),
        "difference_monthly_minus_yearly": bootstrap_difference(y, mon, yr, groups=groups, metrics=metrics,
                                                                n_boot=n_boot, seed=seed),
    }
    window = preds[preds["mi"].between(first, last)]
    excluded = window[window["excluded"].str.startswith("year-only")]
    yo = onsets[~onsets["dated"]]
    yo = yo[yo["year"].between(int(first) // 12, int(last) // 12 + 1)]
    out["year_only_onsets"] = {"count": len(yo), "excluded_country_months": len(excluded),
                               "onsets": [f"{r.ccode} {r.year} ({r.event})" for r in yo.itertuples()]}
    lt = lead_times(preds, onsets, first, last)
    out["lead_times"] = lt.to_dict("records")
    for name in ("monthly", "yearly"):
        if lt.empty:
            continue
        col = lt[f"{name}_lead_months"]
        out[f"{name}_lead"] = {"onsets": len(lt), "in_top30_month_before": int((col > 0).sum()),
                               "median_months_missed_as_0": float(col.median()),
                               "median_months_when_in_top30": float(col[col > 0].median())
                               if (col > 0).any() else None}
    return out


# ---- risers -------------------------------------------------------------------------------------------------
def _terms(rows: pd.DataFrame, model: pd.Series) -> pd.DataFrame:
    """Each input's log-odds term for `rows` under one month's stored model."""
    feats = [c.split(":", 1)[1] for c in model.index if c.startswith("coef:") and pd.notna(model[c])]
    out = pd.DataFrame(index=rows.index)
    for f in feats:
        out[f] = (rows[f].astype(float) - model[f"mean:{f}"]) / model[f"scale:{f}"] * model[f"coef:{f}"]
    return out


def risers(preds: pd.DataFrame, panel: pd.DataFrame, models: pd.DataFrame, month: int, n: int = 10
           ) -> pd.DataFrame:
    """The countries whose 12-month risk rose most from the month before to `month`, each with its rank, the
    change, and the inputs that moved its log-odds most under `month`'s model (`drivers`: label, change in
    log-odds, value then and now). Reads stored forecasts, rows and model coefficients; fits nothing."""
    now = preds[preds["mi"] == month].set_index("ccode")
    before = preds[preds["mi"] == month - 1].set_index("ccode")
    if now.empty:
        raise TocsinError(f"no monthly forecast for {month_label(month)}")
    by_month = models.set_index("mi")
    if month not in by_month.index:
        raise TocsinError(f"no monthly model stored for {month_label(month)}")
    model = by_month.loc[month]
    rows_now = panel[panel["mi"] == month].set_index("ccode")
    rows_before = panel[panel["mi"] == month - 1].set_index("ccode")
    common = now.index.intersection(before.index)
    t_now = _terms(rows_now.loc[rows_now.index.intersection(common)], model)
    t_before = _terms(rows_before.loc[rows_before.index.intersection(common)], model)
    delta = (t_now - t_before).dropna(how="all")
    out = pd.DataFrame({
        "ccode": common, "prob": now.loc[common, "prob"].to_numpy(),
        "prob_before": before.loc[common, "prob"].to_numpy(),
        "rank": now.loc[common, "rank"].to_numpy(), "rank_before": before.loc[common, "rank"].to_numpy(),
        "yearly_prob": now.loc[common, "yearly_prob"].to_numpy(),
        "yearly_rank": now.loc[common, "yearly_rank"].to_numpy(),
    })
    out["rise"] = out["prob"] - out["prob_before"]
    out = out.sort_values("rise", ascending=False).head(n).reset_index(drop=True)
    drivers = []
    for c in out["ccode"]:
        d = delta.loc[c].dropna() if c in delta.index else pd.Series(dtype=float)
        d = d[d.abs() > 1e-6].sort_values(key=np.abs, ascending=False).head(4)
        drivers.append([{"input": f, "label": LABELS.get(f, f), "log_odds_change": float(v),
                         "before": float(rows_before.loc[c, f]), "now": float(rows_now.loc[c, f])}
                        for f, v in d.items()])
    out["drivers"] = drivers
    out["month"] = month_label(month)
    return out


def evidence(panel: pd.DataFrame, ccode: int, month: int) -> dict[str, Any]:
    """The raw monthly signals behind a country's month (what the sources said, with the months they cover)."""
    row = panel[(panel["ccode"] == ccode) & (panel["mi"] == month)]
    if row.empty:
        return {}
    r = row.iloc[0]

    def num(col: str) -> float | None:
        v = r.get(col)
        return None if v is None or pd.isna(v) else float(v)

    return {
        "ucdp_data_through": r.get("ucdp_data_through"), "views_data_through": r.get("views_data_through"),
        "ucdp_civilian_deaths_3m": num("ucdp_civ_3m_raw"), "ucdp_civilian_deaths_prior12": num("ucdp_civ_base12_raw"),
        "ucdp_fatalities_3m": num("ucdp_fat_3m_raw"), "ucdp_fatalities_prior12": num("ucdp_fat_base12_raw"),
        "ucdp_one_sided_events_3m": num("ucdp_os_ev_3m_raw"), "ucdp_state_based_events_3m": num("ucdp_sb_ev_3m_raw"),
        "views_sb_deaths_3m": num("views_sb_3m_raw"), "views_sb_deaths_prior12": num("views_sb_base12_raw"),
        "gdelt_conflict_events_3m": num("gdelt_conflict_3m_raw"),
        "gdelt_conflict_events_prior12": num("gdelt_conflict_base12_raw"),
        "gdelt_protest_events_3m": num("gdelt_protest_3m_raw"),
        "gdelt_protest_events_prior12": num("gdelt_protest_base12_raw"),
        "gdelt_goldstein_change": num("gdelt_goldstein_delta"),
        "coup_attempts_6m": num("coup_attempts_6m"), "coup_successes_6m": num("coup_successes_6m"),
        "last_coup_date": r.get("coup_last_date") if isinstance(r.get("coup_last_date"), str) else None,
    }


def warnings_for(preds: pd.DataFrame, month: int, *, top: int = WARN_TOP, threshold: float = RISE_THRESHOLD
                 ) -> pd.DataFrame:
    """Countries whose monthly risk entered the top `top` in `month`, or rose by at least `threshold`: ccode,
    rank, rank_before, prob, prob_before, reason."""
    now = preds[preds["mi"] == month].set_index("ccode")
    before = preds[preds["mi"] == month - 1].set_index("ccode")
    out = []
    for c, r in now.iterrows():
        b = before.loc[c] if c in before.index else None
        rank_before = float(b["rank"]) if b is not None else float("nan")
        prob_before = float(b["prob"]) if b is not None else float("nan")
        reasons = []
        if r["rank"] <= top and not rank_before <= top:
            reasons.append(f"entered the monthly top {top}")
        if b is not None and r["prob"] - prob_before >= threshold:
            reasons.append(f"12-month risk rose {100 * (r['prob'] - prob_before):.1f} points")
        if reasons:
            out.append({"ccode": int(c), "rank": float(r["rank"]), "rank_before": rank_before,
                        "prob": float(r["prob"]), "prob_before": prob_before, "reason": "; ".join(reasons)})
    return pd.DataFrame(out, columns=["ccode", "rank", "rank_before", "prob", "prob_before", "reason"])


FEATURE_NAMES = FEATURES
