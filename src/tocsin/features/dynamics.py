"""Dynamics: changes, trends and recent shocks, computed within each country from its own past years only.

Levels say where a country is; these say where it is heading: a jump in political killings, a new ban on
parties, a coup this year, battle deaths rising. Windows (1 and 3 years) are fixed a priori, not tuned.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tocsin.features.ewp_features import EWP_FEATURES
from tocsin.features.registry import Feature

KEY = ["ccode", "year"]

# Indicator -> UN risk factors its change informs.
CHANGED: dict[str, tuple[int, ...]] = {
    "pol_killing_approved": (2, 12),
    "repress_civilsoc": (2, 6, 7),
    "freediscussion": (6,),
    "even_civilrights": (2, 9),
    "social_power_dist": (9,),
    "minorityrule": (4, 9),
    "discrimpop": (9,),
    "v2mecenefm_binary": (6, 7),
    "partyban.new.2": (3, 7),
    "judicialreform": (3, 7),
    "battledeaths.log2": (1,),
    "mk_ongoing_count_log2": (2, 11),
    "gdppcgrowth": (1, 3),
}
WINDOWS = (1, 3)


def _lagged(panel: pd.DataFrame, col: str, lag: int) -> np.ndarray:
    """Value of `col` in year t-lag for each row (NaN when that year is absent): calendar, not row, lags."""
    prev = panel[[*KEY, col]].assign(year=panel["year"] + lag).rename(columns={col: "_prev"})
    return panel[KEY].merge(prev, on=KEY, how="left")["_prev"].to_numpy()


def dynamics_features(panel: pd.DataFrame, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One row per panel (ccode, year) with change, trend and shock features."""
    base = panel[[*KEY, *[c for c in CHANGED if c in panel.columns]]].copy()
    out = base[KEY].copy()
    for col in CHANGED:
        if col not in base.columns:
            continue
        for w in WINDOWS:
            out[f"d{w}_{col}"] = base[col].to_numpy() - _lagged(base, col, w)
    # A deterioration count: how many of the indicators moved the dangerous way over three years.
    worse = pd.DataFrame({
        "pk": out.get("d3_pol_killing_approved", 0) > 0,
        "rc": out.get("d3_repress_civilsoc", 0) > 0,
        "fd": out.get("d3_freediscussion", 0) < 0,
        "ec": out.get("d3_even_civilrights", 0) < 0,
        "pb": out.get("d3_partyban.new.2", 0) > 0,
        "jr": out.get("d3_judicialreform", 0) > 0,
        "me": out.get("d3_v2mecenefm_binary", 0) > 0,
    })
    out["deterioration_count_3y"] = worse.sum(axis=1).astype(float)
    if tables is not None and "ewp_in_coups_all" in tables:
        coups = tables["ewp_in_coups_all"][["ccode", "year", "cou.any"]].copy()
        coups = coups.groupby(KEY, as_index=False)["cou.any"].max()
        coups[KEY] = coups[KEY].astype(int)
        merged = out[KEY].merge(coups, on=KEY, how="left")
        # A year absent from the coup list had no coup attempt (the list covers every state-year).
        this_year = merged["cou.any"].fillna(0).to_numpy(dtype=float)
        out["coup_attempt_this_year"] = this_year
        last = out[KEY].assign(coup=this_year)
        out["coup_attempt_last_2y"] = np.fmax(this_year, np.nan_to_num(_lagged(last, "coup", 1)))
    return out


_LABELS = {f.name: f.label for f in EWP_FEATURES}


def dynamics_registry_entries(columns: list[str]) -> list[Feature]:
    feats: list[Feature] = []
    for name in columns:
        if name in KEY:
            continue
        if name.startswith("d") and "_" in name and name[1].isdigit():
            w, col = name[1:].split("_", 1)
            base = _LABELS.get(col, col)
            span = "over the last year" if w == "1" else f"over the last {w} years"
            lowered = base if base[:2].isupper() else base[0].lower() + base[1:]  # keep "GDP", lower "Population"
            feats.append(Feature(name=name, label=f"Change in {lowered} {span}",
                                 source="ewp_panel",
                                 transform=f"x[t] - x[t-{w}] within country", family="dynamics",
                                 un_factors=CHANGED[col]))
        elif name == "deterioration_count_3y":
            feats.append(Feature(name=name, label="Indicators that worsened over 3 years", source="ewp_panel",
                                 transform="count of 7 V-Dem changes in the dangerous direction",
                                 family="dynamics", un_factors=(2, 6, 7)))
        elif name.startswith("coup_attempt"):
            when = "this year" if name.endswith("this_year") else "in the last two years"
            feats.append(Feature(name=name, label=f"Coup attempt {when}", source="ewp_in_coups_all",
                                 transform="coup attempt (Powell & Thyne) in the window", family="dynamics",
                                 un_factors=(1, 8)))
    return feats
