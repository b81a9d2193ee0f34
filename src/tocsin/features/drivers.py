"""Nontraditional drivers as country-year features: climate shocks, inequality, ethno-nationalist exclusion
and transnational exposure, merged by the lead into the EWP panel on (ccode, year).

`build_driver_features(tables, panel_keys)` takes warehouse tables as frames (never the warehouse) and returns
one row per panel key. Every value for year t uses only data dated <= t:
- climatologies and standardisations use the 30 years before t (see tocsin.features.climate);
- changes compare t with t-1 / t-5;
- missing values are imputed from the past only: levels carry the last known value forward within a country,
  climate shocks take the country's median of its earlier years (carrying a drought forward would invent one),
  changes and events count as "no change" (0); each family block has a `<block>_missing` indicator (1 when the
  source had no value for that country-year and it was imputed or left empty). Values with no past at all
  stay NaN: the model layer decides how to fill them, from training years only.
No window or threshold here was chosen by looking at mass-killing outcomes (see tocsin.features.climate).

Country keys: each source's countries are matched to states by tocsin.sources.matching (ISO3 codes, names) and
then to the panel's codes through the panel's iso3 (all panel codes sharing an iso3, e.g. North and unified
Yemen, share its climate), else through the Gleditsch-Ward code. `ewp_basedata` and `ewp_in_coups_all` are
keyed by EWP's own codes, the same scheme as the panel's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from tocsin.core import countries
from tocsin.features import climate as clim
from tocsin.features.driver_registry import DRIVER_FEATURES, driver_registry, group_of
from tocsin.features.neighbours import adjacency, neighbour_exposure
from tocsin.features.repression import TABLES as REPRESSION_TABLES
from tocsin.features.repression import repression_block
from tocsin.sources.matching import GADM_NAMES_TABLE, EntityMatch, match_table

__all__ = ["DRIVER_FEATURES", "build_driver_features", "driver_registry", "required_tables"]

KEY = ["ccode", "year"]
# 0.5 percentage point of population: a smaller change in a share is a re-estimate, not a shift.
CHANGE_EPS = 0.005

REQUIRED_TABLES: tuple[str, ...] = (
    "climate_spei1", "climate_spei1_pop", "climate_cru_pre", "climate_cru_pre_pop", "climate_era5_pre",
    "climate_cru_tmp", "climate_temp_anomaly", "climate_temp_anomaly_monthly", GADM_NAMES_TABLE,
    "swiid_summary", "ewp_in_vdem", "ewp_in_epr", "ewp_in_hief_data", "ewp_in_ucdp_battledeaths",
    "ewp_in_coups_all", "ewp_basedata", "ne_admin0_50m",
    *REPRESSION_TABLES,
)
OPTIONAL_TABLES: tuple[str, ...] = ("emdat_drought_affected", "emdat_drought_deaths")


def required_tables(include_optional: bool = False) -> list[str]:
    """Warehouse tables build_driver_features reads (EM-DAT only when enabled)."""
    return [*REQUIRED_TABLES, *(OPTIONAL_TABLES if include_optional else ())]


# ---- keys --------------------------------------------------------------------------------------------------
class PanelCodes:
    """Resolve a state (Gleditsch-Ward code, ISO3) to the panel's code(s)."""

    def __init__(self, panel_keys: pd.DataFrame) -> None:
        codes = panel_keys[["ccode"]].drop_duplicates().copy()
        if "iso3" in panel_keys.columns:
            iso = panel_keys.dropna(subset=["iso3"]).drop_duplicates("ccode").set_index("ccode")["iso3"]
            codes["iso3"] = codes["ccode"].map(iso)
        else:
            codes["iso3"] = codes["ccode"].map(lambda c: getattr(countries.by_gwcode(int(c)), "iso3", None))
        self.panel_codes = set(codes["ccode"].astype(int))
        self.by_iso3: dict[str, list[int]] = (
            codes.dropna(subset=["iso3"]).groupby("iso3")["ccode"].agg(lambda s: sorted(int(c) for c in s))
            .to_dict()
        )

    def resolve(self, gwcode: int | None, iso3: str | None) -> list[int]:
        if iso3 and iso3 in self.by_iso3:
            return self.by_iso3[iso3]
        return [int(gwcode)] if gwcode is not None else []

    def resolve_gw(self, gwcode: int) -> list[int]:
        country = countries.by_gwcode(int(gwcode))
        return self.resolve(gwcode, getattr(country, "iso3", None))

    def key_entities(self, frame: pd.DataFrame, col: str, match: EntityMatch) -> pd.DataFrame:
        """Replace the entity column by the panel code(s) it resolves to (unmatched entities are left out:
        they are listed by the unmatched-country report)."""
        lookup = {e: self.resolve(match.gwcode[e], match.iso3[e]) for e in match.gwcode}
        out = frame[frame[col].astype(str).isin(lookup)].copy()
        out["ccode"] = out[col].astype(str).map(lookup)
        return out.explode("ccode").astype({"ccode": int})


def _prefer_own_code(frame: pd.DataFrame, code_col: str) -> pd.DataFrame:
    """Where two source rows land on one (ccode, year), keep the one whose own code is the panel's."""
    frame = frame.assign(_own=(pd.to_numeric(frame[code_col], errors="coerce") == frame["ccode"]).astype(int))
    frame = frame.sort_values([*KEY, "_own"], ascending=[True, True, False])
    return frame.drop_duplicates(KEY).drop(columns="_own")


# ---- imputation --------------------------------------------------------------------------------------------
def impute_past(frame: pd.DataFrame, columns: Iterable[str], policy: str) -> pd.DataFrame:
    """Fill NaNs from the same country's earlier years only. `frame` must hold (ccode, year) and be complete
    over the years to fill. policy: "ffill" (last known value), "past_median" (median of all earlier observed
    values), "zero" (no change/no event)."""
    cols = list(columns)
    out = frame.sort_values(KEY).copy()
    grouped = out.groupby("ccode", sort=False)
    for col in cols:
        if policy == "ffill":
            out[col] = grouped[col].ffill()
        elif policy == "past_median":
            # Grouped expanding median (one cythonised pass; a per-country lambda was slow), then the
            # year before's value, carried forward, all within the country.
            med = grouped[col].expanding().median().droplevel(0)
            past = med.groupby(out["ccode"], sort=False).shift(1).groupby(out["ccode"], sort=False).ffill()
            out[col] = out[col].fillna(past)
        elif policy == "zero":
            out[col] = out[col].fillna(0.0)
        else:
            raise ValueError(f"unknown imputation policy {policy!r}")
    return out


def _change(wide: pd.DataFrame, col: str, lag: int) -> pd.Series:
    """x_t - x_{t-lag} by calendar year within a country (NaN when either is missing)."""
    prev = wide[[*KEY, col]].assign(year=wide["year"] + lag).rename(columns={col: "_prev"})
    merged = wide[KEY].merge(prev, on=KEY, how="left")
    return pd.Series(wide[col].to_numpy() - merged["_prev"].to_numpy(), index=wide.index)


# ---- climate -----------------------------------------------------------------------------------------------
def _monthly(tables: Mapping[str, pd.DataFrame], name: str, codes: PanelCodes) -> pd.DataFrame | None:
    if name not in tables:
        return None
    frame = tables[name]
    match = match_table(name, frame, tables.get(GADM_NAMES_TABLE))
    keyed = codes.key_entities(frame, "iso3", match)
    return keyed[["ccode", "year", "month", "value"]]


def climate_block(tables: Mapping[str, pd.DataFrame], codes: PanelCodes) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []
    spei = _monthly(tables, "climate_spei1", codes)
    spei_pop = _monthly(tables, "climate_spei1_pop", codes)
    cru = _monthly(tables, "climate_cru_pre", codes)
    cru_pop = _monthly(tables, "climate_cru_pre_pop", codes)
    era = _monthly(tables, "climate_era5_pre", codes)
    tmp = _monthly(tables, "climate_cru_tmp", codes)
    if spei is not None:
        parts.append(clim.spei_features(spei, "spei"))
    if spei_pop is not None:
        feats = clim.spei_features(spei_pop, "spei_pop")
        parts.append(feats[["spei_pop_dry_months", "spei_pop_severe_months", "spei_pop12"]])
    if cru is not None:
        parts.append(clim.precip_anomaly(cru, "precip_anom"))
        parts.append(clim.growing_season(cru, spei, "gs"))
    if cru_pop is not None:
        parts.append(clim.precip_anomaly(cru_pop, "precip_pop_anom"))
    if era is not None:
        parts.append(clim.precip_anomaly(era, "precip_era5_anom"))
        parts.append(clim.growing_season(era, None, "gs_era5"))
    if tmp is not None:
        parts.append(clim.heat_months(tmp, "heat_months"))
    if "climate_temp_anomaly_monthly" in tables:
        mon = tables["climate_temp_anomaly_monthly"]
        keyed = codes.key_entities(mon, "name", match_table("climate_temp_anomaly_monthly", mon))
        parts.append(clim.heat_months(keyed.rename(columns={"temp_anomaly": "value"}), "heat_months_era5"))
    if "climate_temp_anomaly" in tables:
        ann = tables["climate_temp_anomaly"]
        keyed = codes.key_entities(ann, "name", match_table("climate_temp_anomaly", ann))
        level = clim.annual_value(keyed, "temp_anomaly", "temp_anomaly")
        level["temp_anomaly_past30"] = level["temp_anomaly"] - clim.past_climatology(level["temp_anomaly"])
        parts.append(level)
    if "emdat_drought_affected" in tables and "emdat_drought_deaths" in tables:
        for what in ("affected", "deaths"):
            t = tables[f"emdat_drought_{what}"]
            keyed = codes.key_entities(t, "geo", match_table(f"emdat_drought_{what}", t))
            parts.append(np.log1p(keyed.groupby(KEY)["value"].sum()).to_frame(f"emdat_drought_{what}_log"))
    return _outer(parts)


def _outer(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=KEY)
    out = parts[0]
    for p in parts[1:]:
        out = out.join(p, how="outer")
    return out.reset_index()


# ---- inequality --------------------------------------------------------------------------------------------
VDEM_INEQUALITY = ("social_inequality", "ses_power_dist", "social_power_dist")


def inequality_block(tables: Mapping[str, pd.DataFrame], codes: PanelCodes) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []
    if "swiid_summary" in tables:
        sw = tables["swiid_summary"]
        keyed = codes.key_entities(sw, "country", match_table("swiid_summary", sw))
        cols = ["gini_disp", "gini_disp_se", "gini_mkt", "gini_mkt_se"]
        w = keyed.groupby(KEY)[cols].mean().reset_index()
        for col in ("gini_disp", "gini_mkt"):
            w[f"{col}_chg1"] = _change(w, col, 1)
            w[f"{col}_chg5"] = _change(w, col, 5)
        parts.append(w.set_index(KEY))
    if "ewp_in_vdem" in tables:
        vd = tables["ewp_in_vdem"].copy()
        vd["year"] = vd["year"].astype(int)
        keyed = codes.key_entities(vd, "country_name", match_table("ewp_in_vdem", vd))
        keyed = _prefer_own_code(keyed, "COWcode")
        w = keyed[[*KEY, *VDEM_INEQUALITY]].rename(columns={c: f"vdem_{c}" for c in VDEM_INEQUALITY})
        w = w.reset_index(drop=True)
        for c in VDEM_INEQUALITY:
            w[f"vdem_{c}_chg1"] = _change(w, f"vdem_{c}", 1)
            w[f"vdem_{c}_chg5"] = _change(w, f"vdem_{c}", 5)
        parts.append(w.set_index(KEY))
    return _outer(parts)


# ---- ethno-nationalism -------------------------------------------------------------------------------------
EPR_LEVELS = ("excl_groups_count", "exclpop", "discrimpop", "regautpop", "maxexclpop", "egip_groups_count")


def epr_changes(epr: pd.DataFrame) -> pd.DataFrame:
    """EPR levels by (ccode, year) -> levels plus year-on-year changes and events.

    new exclusion: the excluded population share rises by more than CHANGE_EPS, or the count of excluded
    groups rises; downgrading: the discriminated share rises by more than CHANGE_EPS, or a group leaves
    power (the count of groups in power falls) while the excluded count rises.
    """
    w = epr[[*KEY, *EPR_LEVELS]].sort_values(KEY).reset_index(drop=True)
    d_excl = _change(w, "exclpop", 1)
    d_count = _change(w, "excl_groups_count", 1)
    d_disc = _change(w, "discrimpop", 1)
    d_egip = _change(w, "egip_groups_count", 1)
    out = w.rename(columns={c: f"epr_{c}" for c in EPR_LEVELS})
    out["epr_exclpop_chg1"] = d_excl
    out["epr_discrimpop_chg1"] = d_disc
    has_prev = d_excl.notna()
    out["epr_new_exclusion"] = ((d_excl > CHANGE_EPS) | (d_count > 0)).astype(float).where(has_prev)
    downgrade = (d_disc > CHANGE_EPS) | ((d_egip < 0) & (d_count > 0))
    out["epr_downgrade"] = downgrade.astype(float).where(has_prev)
    # Any new exclusion in the last 5 years (t-4..t): exclusion's effect outlasts its year.
    out["epr_new_exclusion_5yr"] = (
        out.groupby("ccode")["epr_new_exclusion"]
        .transform(lambda s: s.fillna(0).rolling(5, min_periods=1).max())
        .where(has_prev | out.groupby("ccode")["epr_new_exclusion"].transform(lambda s: s.notna().cummax()))
    )
    return out


def ethno_block(tables: Mapping[str, pd.DataFrame], codes: PanelCodes) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []
    if "ewp_in_epr" in tables:
        epr = tables["ewp_in_epr"].copy()
        epr["countries_gwid"] = epr["countries_gwid"].astype(int)
        lookup = {g: codes.resolve_gw(g) for g in epr["countries_gwid"].unique()}
        epr["ccode"] = epr["countries_gwid"].map(lookup)
        epr = epr.explode("ccode").dropna(subset=["ccode"]).astype({"ccode": int, "year": int})
        epr = _prefer_own_code(epr, "countries_gwid")
        parts.append(epr_changes(epr).set_index(KEY))
    if "ewp_in_hief_data" in tables:
        hief = tables["ewp_in_hief_data"].rename(columns={"Year": "year"})
        keyed = codes.key_entities(hief, "Country", match_table("ewp_in_hief_data", hief))
        parts.append(keyed.groupby(KEY)["EFindex"].mean().to_frame("hief_efindex"))
    return _outer(parts)


# ---- transnational -----------------------------------------------------------------------------------------
def neighbour_pairs(boundaries: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    """(ccode, nb_ccode) from Natural Earth polygons, in the panel's codes (self-pairs dropped)."""
    adj = adjacency(boundaries)
    match = match_table("ne_admin0_50m", boundaries)
    lookup = {e: codes.resolve(match.gwcode[e], match.iso3[e]) for e in match.gwcode}
    adj = adj[adj["iso3_a"].isin(lookup) & adj["iso3_b"].isin(lookup)]
    pairs = pd.DataFrame({"ccode": adj["iso3_a"].map(lookup), "nb_ccode": adj["iso3_b"].map(lookup)})
    pairs = pairs.explode("ccode").explode("nb_ccode").astype(int)
    return pairs[pairs["ccode"] != pairs["nb_ccode"]].drop_duplicates().reset_index(drop=True)


def _battle_deaths(ucdp: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    """UCDP dyad-years -> battle deaths by location country-year (a dyad fought in several countries counts
    fully in each: exposure, not attribution)."""
    loc = ucdp[["gwno_loc", "year", "bd_best"]].copy()
    loc["gw"] = loc["gwno_loc"].astype(str).str.split(",")
    loc = loc.explode("gw")
    loc["gw"] = pd.to_numeric(loc["gw"].str.strip(), errors="coerce")
    loc = loc.dropna(subset=["gw"]).astype({"gw": int})
    lookup = {g: codes.resolve_gw(g) for g in loc["gw"].unique()}
    loc["ccode"] = loc["gw"].map(lookup)
    loc = loc.explode("ccode").dropna(subset=["ccode"]).astype({"ccode": int, "year": int})
    return loc.groupby(KEY)["bd_best"].sum().reset_index()


def transnational_block(tables: Mapping[str, pd.DataFrame], codes: PanelCodes,
                        climate: pd.DataFrame) -> pd.DataFrame:
    if "ne_admin0_50m" not in tables:
        return pd.DataFrame(columns=KEY)
    pairs = neighbour_pairs(tables["ne_admin0_50m"], codes)
    values: list[pd.DataFrame] = []
    if "ewp_basedata" in tables:
        base = tables["ewp_basedata"][["ccode", "year", "mk_onset", "mk_ongoing_count"]]
        values.append(base.astype({"ccode": int, "year": int}).groupby(KEY).max())
    if "ewp_in_coups_all" in tables:
        coups = tables["ewp_in_coups_all"][["ccode", "year", "cou.any"]].astype({"ccode": int, "year": int})
        values.append(coups.groupby(KEY)["cou.any"].max().to_frame("coup"))
    if "ewp_in_ucdp_battledeaths" in tables:
        values.append(_battle_deaths(tables["ewp_in_ucdp_battledeaths"], codes).set_index(KEY))
    if "spei12" in climate.columns:
        drought = climate[[*KEY, "spei12"]].dropna().set_index(KEY)
        values.append((drought["spei12"] <= clim.MODERATE_DROUGHT).astype(float).to_frame("drought12"))
    if not values:
        return pd.DataFrame(columns=KEY)
    vals = _outer(values)
    spec: dict[str, tuple[str, str]] = {}
    if "mk_onset" in vals.columns:
        spec |= {"nb_mk_ongoing_any": ("mk_ongoing_count", "any"), "nb_mk_ongoing_share":
                 ("mk_ongoing_count", "share"), "nb_mk_onset_any": ("mk_onset", "any"),
                 "nb_count": ("mk_onset", "count")}
    if "coup" in vals.columns:
        spec["nb_coup_any"] = ("coup", "any")
    if "bd_best" in vals.columns:
        # UCDP lists only conflict years: a neighbour-year without a row had no battle deaths.
        vals["bd_best"] = vals["bd_best"].fillna(0.0).where(vals["year"] >= 1989)
        spec["nb_battledeaths"] = ("bd_best", "sum")
    if "drought12" in vals.columns:
        spec["nb_drought_share"] = ("drought12", "share")
    out = neighbour_exposure(pairs, vals, spec)
    if "nb_battledeaths" in out.columns:
        out["nb_battledeaths_log"] = np.log1p(out.pop("nb_battledeaths"))
    return out


# ---- assembly ----------------------------------------------------------------------------------------------
def _panel_grid(panel_keys: pd.DataFrame, block: pd.DataFrame) -> pd.DataFrame:
    """Panel keys plus the block's earlier source years of the same countries (so the past can be carried)."""
    keys = panel_keys[KEY].astype(int).drop_duplicates()
    extra = block[KEY].astype(int) if len(block) else keys.iloc[0:0]
    extra = extra[extra["ccode"].isin(keys["ccode"]) & (extra["year"] <= keys["year"].max())]
    grid = pd.concat([keys, extra]).drop_duplicates()
    # Fill year gaps so that "last known value" means the last earlier year, whatever the sources' spacing.
    span = grid.groupby("ccode")["year"].agg(["min", "max"])
    full = [(c, y) for c, (lo, hi) in span.iterrows() for y in range(int(lo), int(hi) + 1)]
    return pd.DataFrame(full, columns=KEY)


def _finish_block(panel_keys: pd.DataFrame, block: pd.DataFrame) -> pd.DataFrame:
    """Put a block on the panel's years, add `<group>_missing` indicators, impute from the past only."""
    registry = driver_registry()
    feats = [f for f in registry.names() if f in block.columns]
    grid = _panel_grid(panel_keys, block)
    merged = grid.merge(block[[*KEY, *feats]], on=KEY, how="left") if feats else grid
    groups = sorted({g for f in feats if (g := group_of(registry[f])) is not None})
    for g in groups:
        primary = [f for f in feats if group_of(registry[f]) == g and "primary" in registry[f].tags]
        if primary:
            merged[f"{g}_missing"] = merged[primary].isna().any(axis=1).astype(float)
    for policy in ("ffill", "past_median", "zero"):
        cols = [f for f in feats if f"impute:{policy}" in registry[f].tags]
        if cols:
            merged = impute_past(merged, cols, policy)
    keys = panel_keys[KEY].astype(int).drop_duplicates()
    return keys.merge(merged, on=KEY, how="left")


def build_driver_features(tables: Mapping[str, pd.DataFrame], panel_keys: pd.DataFrame) -> pd.DataFrame:
    """One row per (ccode, year) of `panel_keys` with every driver feature whose source table is given.

    `tables`: warehouse tables by name (see `required_tables()`; absent tables leave their features out,
    EM-DAT features appear only when both EM-DAT tables are given). `panel_keys`: ccode, year, and iso3
    when available (else it is looked up from the Gleditsch-Ward code).
    """
    for col in KEY:
        if col not in panel_keys.columns:
            raise ValueError(f"panel_keys lacks column {col!r}")
    keys = panel_keys.dropna(subset=KEY).copy()
    keys[KEY] = keys[KEY].astype(int)
    codes = PanelCodes(keys)
    clim_raw = climate_block(tables, codes)
    blocks = {
        "climate": clim_raw,
        "inequality": inequality_block(tables, codes),
        "ethno": ethno_block(tables, codes),
        "transnational": transnational_block(tables, codes, clim_raw),
        "repression": repression_block(tables, codes, int(keys["year"].max())),
    }
    out = keys[KEY].drop_duplicates().sort_values(KEY).reset_index(drop=True)
    for block in blocks.values():
        out = out.merge(_finish_block(keys, block), on=KEY, how="left")
    if {"epr_exclpop", "hief_efindex"} <= set(out.columns):
        out["epr_exclpop_x_efindex"] = out["epr_exclpop"] * out["hief_efindex"]
        out["epr_discrimpop_x_efindex"] = out["epr_discrimpop"] * out["hief_efindex"]
    feats = [c for c in out.columns if c not in KEY]
    out[feats] = out[feats].astype("float64")  # one dtype whatever the data, so frames compare and stack
    return out
