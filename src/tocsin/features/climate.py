"""Climate shock features from country x month series, each computed from data dated <= its year.

Every window and threshold here comes from the climate literature, fixed before looking at any outcome:
- SPEI classes (McKee et al. 1993; Vicente-Serrano et al. 2010): <= -1 moderate drought, <= -1.5 severe.
- Climatologies are 30-year normals (WMO), taken from the 30 years BEFORE the year (past only); at least 20
  of them must have data, else the value is missing.
- Heat: months above the past climatology's 90th percentile for that calendar month (ETCCDI TX90p idea).
- Growing season: the 4 wettest calendar months of the past 30-year precipitation climatology (a proxy for the
  main rainy season where crop calendars are unknown; for bimodal climates it spans both rains).
- 12- and 36-month accumulations: the mean of monthly SPEI-1 over the 12/36 months ending in December,
  re-standardised against the same accumulation in the past 30 years, so -1 keeps its meaning (SPEI-1
  values are standardised by SPEIbase over its whole 1901-2020 record; the re-standardised features are
  past-only).

Inputs are tidy frames (ccode, year, month, value); outputs are keyed by (ccode, year).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CLIMATOLOGY_YEARS = 30  # WMO climatological standard normal
MIN_CLIMATOLOGY_YEARS = 20
MODERATE_DROUGHT = -1.0  # SPEI class boundaries (McKee et al. 1993)
SEVERE_DROUGHT = -1.5
HEAT_QUANTILE = 0.9  # TX90p-style warm months
GROWING_SEASON_MONTHS = 4
KEY = ["ccode", "year"]


def _complete_months(monthly: pd.DataFrame) -> pd.DataFrame:
    """Wide (ccode, year) x month 1..12; a year with fewer than 12 months is kept with NaNs."""
    wide = monthly.pivot_table(index=KEY, columns="month", values="value", aggfunc="mean")
    return wide.reindex(columns=range(1, 13))


def _year_grid(frame: pd.DataFrame) -> pd.DataFrame:
    """Reindex a (ccode, year)-indexed frame to every year between each country's first and last."""
    parts = []
    for code, grp in frame.groupby(level="ccode", sort=False):
        years = grp.index.get_level_values("year")
        idx = pd.MultiIndex.from_product([[code], range(int(years.min()), int(years.max()) + 1)], names=KEY)
        parts.append(grp.reindex(idx))
    return pd.concat(parts) if parts else frame


def past_climatology(annual: pd.Series, stat: str = "mean") -> pd.Series:
    """For each (ccode, year): `stat` ("mean" or "std") of the series over the 30 years before that year."""
    def roll(s: pd.Series) -> pd.Series:
        r = s.rolling(CLIMATOLOGY_YEARS, min_periods=MIN_CLIMATOLOGY_YEARS)
        return (r.mean() if stat == "mean" else r.std()).shift(1)  # shift: the year itself is excluded

    grid = _year_grid(annual.to_frame("v"))["v"]
    out = grid.groupby(level="ccode", group_keys=False).apply(roll)
    return out.reindex(annual.index)


def standardised_anomaly(annual: pd.Series) -> pd.Series:
    """(x_t - mean of the 30 years before t) / their standard deviation."""
    mu = past_climatology(annual, "mean")
    sd = past_climatology(annual, "std")
    return (annual - mu) / sd.where(sd > 0)


def spei_features(spei: pd.DataFrame, prefix: str = "spei") -> pd.DataFrame:
    """Dry and severe-dry month counts, 12- and 36-month accumulations (standardised on the past)."""
    wide = _complete_months(spei)
    full = wide.notna().sum(axis=1) == 12
    out = pd.DataFrame(index=wide.index)
    out[f"{prefix}_dry_months"] = (wide <= MODERATE_DROUGHT).sum(axis=1).where(full)
    out[f"{prefix}_severe_months"] = (wide <= SEVERE_DROUGHT).sum(axis=1).where(full)
    mean12 = wide.mean(axis=1).where(full)
    grid12 = _year_grid(mean12.to_frame("m"))["m"]
    # 36 months ending in December of t = the mean of the three calendar-year means t-2..t.
    mean36 = grid12.groupby(level="ccode", group_keys=False).apply(
        lambda s: s.rolling(3, min_periods=3).mean())
    out[f"{prefix}12"] = standardised_anomaly(grid12).reindex(out.index)
    out[f"{prefix}36"] = standardised_anomaly(mean36).reindex(out.index)
    return out


def precip_anomaly(pre: pd.DataFrame, name: str) -> pd.DataFrame:
    """Annual precipitation total, standardised against the 30 years before (complete years only)."""
    wide = _complete_months(pre)
    total = wide.sum(axis=1).where(wide.notna().sum(axis=1) == 12)
    return standardised_anomaly(total).to_frame(name)


def growing_season(pre: pd.DataFrame, spei: pd.DataFrame | None, prefix: str = "gs") -> pd.DataFrame:
    """Growing-season anomalies: the season is the 4 wettest calendar months of the past 30-year climatology.

    `<prefix>_precip_anom`: that season's rain in year t, standardised against the same months' totals
    in the 30 years before; `<prefix>_dry_months`: season months whose rain is 1 sd or more below the past
    30 years of that calendar month (an SPI-1 <= -1 analogue); with `spei`, `<prefix>_spei`: mean SPEI-1
    over the season and `<prefix>_spei_dry_months`: season months with SPEI-1 <= -1.
    """
    wide = _year_grid(_complete_months(pre))
    spei_wide = _complete_months(spei) if spei is not None else None
    spei_codes = set(spei_wide.index.get_level_values("ccode")) if spei_wide is not None else set()
    cols = [f"{prefix}_precip_anom", f"{prefix}_dry_months", f"{prefix}_spei", f"{prefix}_spei_dry_months"]
    rows: list[tuple] = []
    nan4 = (np.nan,) * 4
    for code, grp in wide.groupby(level="ccode", sort=False):
        years = grp.index.get_level_values("year").to_numpy()
        vals = grp.to_numpy(dtype=float)
        sp = (spei_wide.xs(code, level="ccode").reindex(years).to_numpy(dtype=float)
              if code in spei_codes else None)
        for i in range(len(years)):
            past = vals[max(0, i - CLIMATOLOGY_YEARS):i]
            complete = past[~np.isnan(past).any(axis=1)]
            if len(complete) < MIN_CLIMATOLOGY_YEARS or np.isnan(vals[i]).any():
                rows.append((code, int(years[i]), *nan4))
                continue
            season = np.argsort(-complete.mean(axis=0), kind="stable")[:GROWING_SEASON_MONTHS]
            hist = complete[:, season].sum(axis=1)
            sd = hist.std(ddof=1)
            anom = (vals[i, season].sum() - hist.mean()) / sd if sd > 0 else np.nan
            month_sd = complete[:, season].std(axis=0, ddof=1)
            month_sd = np.where(month_sd > 0, month_sd, np.nan)
            month_z = (vals[i, season] - complete[:, season].mean(axis=0)) / month_sd
            dry = float((month_z <= MODERATE_DROUGHT).sum())
            gs_spei = gs_spei_dry = np.nan
            if sp is not None and not np.isnan(sp[i, season]).any():
                gs_spei = float(sp[i, season].mean())
                gs_spei_dry = float((sp[i, season] <= MODERATE_DROUGHT).sum())
            rows.append((code, int(years[i]), float(anom), dry, gs_spei, gs_spei_dry))
    out = pd.DataFrame(rows, columns=["ccode", "year", *cols]).set_index(KEY)
    return out if spei is not None else out.drop(columns=cols[2:])


def heat_months(monthly: pd.DataFrame, name: str) -> pd.DataFrame:
    """Months of year t warmer than the 90th percentile of the same calendar month in the 30 years before."""
    wide = _year_grid(_complete_months(monthly))

    def p90(s: pd.Series) -> pd.Series:
        window = s.rolling(CLIMATOLOGY_YEARS, min_periods=MIN_CLIMATOLOGY_YEARS)
        return window.quantile(HEAT_QUANTILE).shift(1)

    thresh = wide.groupby(level="ccode", group_keys=False).apply(lambda g: g.apply(p90))
    hot = (wide > thresh) & thresh.notna()
    usable = wide.notna() & thresh.notna()
    count = hot.sum(axis=1).where(usable.sum(axis=1) == 12)
    return count.to_frame(name)


def annual_value(frame: pd.DataFrame, value: str, name: str) -> pd.DataFrame:
    """A country-year value as is (e.g. the OWID/ERA5 annual temperature anomaly)."""
    out = frame.groupby(KEY)[value].mean()
    return out.to_frame(name)
