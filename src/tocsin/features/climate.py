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
    if frame.empty:
        return frame
    codes = frame.index.get_level_values("ccode")
    years = frame.index.get_level_values("year").astype(int)
    span = pd.DataFrame({"ccode": codes, "year": years}).groupby("ccode", sort=False)["year"].agg(["min", "max"])
    n = (span["max"] - span["min"] + 1).to_numpy()
    # Each country's years first..last, in one vectorised pass (a per-country reindex was most of the time).
    grid_codes = np.repeat(span.index.to_numpy(), n)
    grid_years = np.repeat(span["min"].to_numpy(), n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    return frame.reindex(pd.MultiIndex.from_arrays([grid_codes, grid_years], names=KEY))


def _past_rolling(grid: pd.Series | pd.DataFrame, stat: str) -> pd.Series | pd.DataFrame:
    """Per country, `stat` over the 30 years before each year (the year itself excluded) on a year grid."""
    r = grid.groupby(level="ccode", sort=False).rolling(CLIMATOLOGY_YEARS, min_periods=MIN_CLIMATOLOGY_YEARS)
    if stat not in ("mean", "std", "p90"):
        raise ValueError(f"unknown climatology statistic {stat!r}")
    agg = r.mean() if stat == "mean" else r.std() if stat == "std" else r.quantile(HEAT_QUANTILE)
    agg = agg.droplevel(0)  # groupby-rolling prepends the group key
    return agg.groupby(level="ccode", sort=False).shift(1)


def past_climatology(annual: pd.Series, stat: str = "mean") -> pd.Series:
    """For each (ccode, year): `stat` ("mean" or "std") of the series over the 30 years before that year."""
    if annual.empty:
        return annual.copy()
    grid = _year_grid(annual.to_frame("v"))["v"]
    return _past_rolling(grid, stat).reindex(annual.index)


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
    mean36 = grid12.groupby(level="ccode", sort=False).rolling(3, min_periods=3).mean().droplevel(0)
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
    feats = np.full((len(wide), len(cols)), np.nan)
    at = 0  # the year grid holds each country's years together, in the order groupby visits them
    for code, grp in wide.groupby(level="ccode", sort=False):
        years = grp.index.get_level_values("year").to_numpy()
        sp = (spei_wide.xs(code, level="ccode").reindex(years).to_numpy(dtype=float)
              if spei_wide is not None and code in spei_codes else None)
        feats[at:at + len(grp)] = _season_features(grp.to_numpy(dtype=float), sp)
        at += len(grp)
    out = pd.DataFrame(feats, columns=cols, index=wide.index)
    return out if spei is not None else out.drop(columns=cols[2:])


def _season_features(vals: np.ndarray, sp: np.ndarray | None) -> np.ndarray:
    """`growing_season` for one country's (years x 12) rain, all years at once: (years x 4) features.

    Each year's climatology is the complete years among the 30 before it. Years with the same number k of
    complete past years are done together on a (years, k, 12) stack of those past years (a per-year loop was
    most of the feature build's time); numpy reduces each stack's axes as it reduced the per-year arrays, so
    the features are the same to the last bit.
    """
    n = len(vals)
    out = np.full((n, 4), np.nan)
    pad = np.vstack([np.full((CLIMATOLOGY_YEARS, 12), np.nan), vals])
    # window[i] = the 30 years before year i (rows i-30..i-1), NaN where the record has not started.
    window = np.lib.stride_tricks.sliding_window_view(pad, CLIMATOLOGY_YEARS, axis=0)[:n].transpose(0, 2, 1)
    ok = ~np.isnan(window).any(axis=2)  # (n, 30): complete past years
    k_all = ok.sum(axis=1)
    valid = (k_all >= MIN_CLIMATOLOGY_YEARS) & ~np.isnan(vals).any(axis=1)
    for k in np.unique(k_all[valid]):
        idx = np.flatnonzero(valid & (k_all == k))
        # The complete past years in order, as the per-year `past[~isnan(past).any(axis=1)]` gave them.
        order = np.argsort(~ok[idx], axis=1, kind="stable")[:, :k]
        past = np.ascontiguousarray(np.take_along_axis(window[idx], order[:, :, None], axis=1))
        season = np.argsort(-past.mean(axis=1), axis=1, kind="stable")[:, :GROWING_SEASON_MONTHS]
        months = np.take_along_axis(past, season[:, None, :], axis=2)  # (m, k, 4)
        now = np.take_along_axis(vals[idx], season, axis=1)  # (m, 4)
        hist = np.ascontiguousarray(months.sum(axis=2))
        sd = hist.std(axis=1, ddof=1)
        # Month by month along a contiguous axis: the per-year `complete[:, season]` was column-major, and
        # numpy sums a contiguous axis pairwise (a last-bit difference decides near-constant early records).
        by_month = np.ascontiguousarray(months.transpose(0, 2, 1))  # (m, 4, k)
        with np.errstate(invalid="ignore", divide="ignore"):
            anom = np.where(sd > 0, (now.sum(axis=1) - hist.mean(axis=1)) / np.where(sd > 0, sd, 1.0), np.nan)
            month_sd = by_month.std(axis=2, ddof=1)
            month_z = (now - by_month.mean(axis=2)) / np.where(month_sd > 0, month_sd, np.nan)
        out[idx, 0] = anom
        out[idx, 1] = (month_z <= MODERATE_DROUGHT).sum(axis=1)
        if sp is not None:
            s_now = np.take_along_axis(sp[idx], season, axis=1)
            have = ~np.isnan(s_now).any(axis=1)
            out[idx[have], 2] = s_now[have].mean(axis=1)
            out[idx[have], 3] = (s_now[have] <= MODERATE_DROUGHT).sum(axis=1)
    return out


def heat_months(monthly: pd.DataFrame, name: str) -> pd.DataFrame:
    """Months of year t warmer than the 90th percentile of the same calendar month in the 30 years before."""
    wide = _year_grid(_complete_months(monthly))
    thresh = _past_rolling(wide, "p90")
    hot = (wide > thresh) & thresh.notna()
    usable = wide.notna() & thresh.notna()
    count = hot.sum(axis=1).where(usable.sum(axis=1) == 12)
    return count.to_frame(name)


def annual_value(frame: pd.DataFrame, value: str, name: str) -> pd.DataFrame:
    """A country-year value as is (e.g. the OWID/ERA5 annual temperature anomaly)."""
    out = frame.groupby(KEY)[value].mean()
    return out.to_frame(name)
