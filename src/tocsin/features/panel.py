"""The country-year panel: EWP predictors and outcomes keyed by Gleditsch-Ward code, with ISO3 and name."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from tocsin.core import countries
from tocsin.core.errors import WarehouseError
from tocsin.features.ewp_features import EWP_FEATURES
from tocsin.features.registry import FeatureRegistry
from tocsin.sources.ewp import EWP_PREDICTORS, OUTCOMES
from tocsin.warehouse.store import Warehouse

KEY = ["ccode", "year"]
PANEL_TABLES = ("ewp_panel",)


def base_registry() -> FeatureRegistry:
    return FeatureRegistry(EWP_FEATURES)


def build_panel(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Build the panel from warehouse tables (a mapping so tests can pass small frames)."""
    raw = tables["ewp_panel"]
    missing = [c for c in (*KEY, "ewp_name", *EWP_PREDICTORS, *OUTCOMES) if c not in raw.columns]
    if missing:
        raise WarehouseError(f"table ewp_panel lacks columns {missing}: re-run `tocsin data pull`")
    panel = raw.copy()
    panel["ccode"] = panel["ccode"].astype(int)
    panel["year"] = panel["year"].astype(int)
    if panel.duplicated(KEY).any():
        dups = panel.loc[panel.duplicated(KEY, keep=False), KEY].head(3).to_dict("records")
        raise WarehouseError(f"ewp_panel has duplicate country-years, e.g. {dups}")
    codes = panel["ccode"].unique()
    iso = {}
    names = {}
    for code in codes:
        c = countries.by_gwcode(int(code))
        iso[code] = c.iso3 if c else None
        names[code] = c.name if c else None
    panel["iso3"] = panel["ccode"].map(iso)
    # Display name: EWP's own spelling, which analysts in this field know (e.g. "Burma/Myanmar").
    panel["name"] = panel["ewp_name"]
    panel["gw_name"] = panel["ccode"].map(names)
    front = ["ccode", "year", "iso3", "name", "gw_name"]
    return panel[front + [c for c in panel.columns if c not in front]].sort_values(KEY).reset_index(drop=True)


def load_panel(warehouse: Warehouse) -> pd.DataFrame:
    return build_panel({t: warehouse.read(t) for t in PANEL_TABLES})


def ewp_published(warehouse: Warehouse) -> pd.DataFrame:
    """EWP's fully out-of-sample forecasts: (ccode, year, risk_prev, rank_prev, mk_onset)."""
    foos = warehouse.read("ewp_foos")
    out = foos[["ccode", "year", "ewp_name", "mk_onset", "risk_prev", "rank_prev"]].copy()
    return out.astype({"ccode": int, "year": int})


def ewp_published_forecast(warehouse: Warehouse, panel: pd.DataFrame) -> pd.DataFrame:
    """EWP's published forecast from the latest data (risk of onset within 2 years), keyed by ccode."""
    pub = warehouse.read("ewp_forecasts")
    risk_col = next(c for c in pub.columns if c.startswith("risk_1or2"))
    rank_col = next(c for c in pub.columns if c.startswith("risk_rank"))
    names = panel.drop_duplicates("ewp_name", keep="last")[["ewp_name", "ccode"]]
    out = pub.merge(names, on="ewp_name", how="left")
    unmatched = out[out["ccode"].isna()]["ewp_name"].tolist()
    if unmatched:
        raise WarehouseError(f"EWP forecast names not in the panel: {unmatched}")
    out = out.rename(columns={risk_col: "ewp_risk_2yr", rank_col: "ewp_rank_2yr"})
    return out[["ccode", "ewp_risk_2yr", "ewp_rank_2yr"]].astype({"ccode": int})
