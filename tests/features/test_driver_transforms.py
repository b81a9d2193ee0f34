"""Unit tests of the driver transforms on small made-up frames."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tocsin.core.errors import SchemaError
from tocsin.features import climate as clim
from tocsin.features.coverage import coverage_by_year
from tocsin.features.driver_registry import DRIVER_FEATURES, driver_registry
from tocsin.features.drivers import epr_changes, impute_past
from tocsin.features.neighbours import adjacency, neighbour_exposure
from tocsin.features.registry import DRIVER_FAMILIES
from tocsin.sources.climate import wide_monthly_parser


def _annual(values: dict[int, float], code: int = 1) -> pd.Series:
    idx = pd.MultiIndex.from_tuples([(code, y) for y in values], names=["ccode", "year"])
    return pd.Series(list(values.values()), index=idx, dtype=float)


def test_climatology_uses_only_the_30_years_before() -> None:
    years = range(1950, 2001)
    s = _annual({y: float(y - 1950) for y in years})
    mu = clim.past_climatology(s)
    assert mu.loc[(1, 2000)] == pytest.approx(np.mean(range(20, 50)))  # 1970..1999
    assert np.isnan(mu.loc[(1, 1969)])  # fewer than 20 past years
    assert mu.loc[(1, 1970)] == pytest.approx(np.mean(range(0, 20)))
    # The year itself never enters its own climatology.
    s2 = s.copy()
    s2.loc[(1, 2000)] = 1e6
    assert clim.past_climatology(s2).loc[(1, 2000)] == mu.loc[(1, 2000)]


def test_standardised_anomaly_is_past_only_and_scaled() -> None:
    rng = np.random.default_rng(0)
    s = _annual({y: rng.normal() for y in range(1900, 1960)})
    z = clim.standardised_anomaly(s)
    past = s.loc[1].loc[1929:1958]
    assert z.loc[(1, 1959)] == pytest.approx((s.loc[(1, 1959)] - past.mean()) / past.std())


def _monthly(code: int, values: dict[tuple[int, int], float]) -> pd.DataFrame:
    return pd.DataFrame([(code, y, m, v) for (y, m), v in values.items()],
                        columns=["ccode", "year", "month", "value"])


def test_spei_dry_month_counts_use_literature_thresholds() -> None:
    vals = {(2000, m): 0.0 for m in range(1, 13)}
    vals[(2000, 3)] = -1.0  # moderate (<= -1)
    vals[(2000, 4)] = -1.6  # severe
    vals[(2000, 5)] = -0.99  # not a drought month
    out = clim.spei_features(_monthly(7, vals))
    assert out.loc[(7, 2000), "spei_dry_months"] == 2
    assert out.loc[(7, 2000), "spei_severe_months"] == 1


def test_incomplete_year_gives_no_count() -> None:
    vals = {(2000, m): -2.0 for m in range(1, 12)}  # December missing
    out = clim.spei_features(_monthly(7, vals))
    assert np.isnan(out.loc[(7, 2000), "spei_dry_months"])


def test_growing_season_is_the_wettest_months_of_the_past() -> None:
    rng = np.random.default_rng(1)
    vals = {}
    for y in range(1960, 2001):
        for m in range(1, 13):
            wet = m in (4, 5, 10, 11)  # bimodal rains, like the Horn of Africa
            vals[(y, m)] = (100.0 if wet else 5.0) + rng.normal(0, 10 if wet else 1)
    # In 2000 both rainy seasons fail; the annual mean of the dry months barely moves.
    for m in (4, 5, 10, 11):
        vals[(2000, m)] = 40.0
    out = clim.growing_season(_monthly(3, vals), None, "gs")
    assert out.loc[(3, 2000), "gs_dry_months"] == 4
    assert out.loc[(3, 2000), "gs_precip_anom"] < -3


def _season_one_year_at_a_time(wide: pd.DataFrame, spei: pd.DataFrame | None) -> pd.DataFrame:
    """The growing-season definition written plainly, one country-year at a time (the reference)."""
    spei_wide = clim._complete_months(spei) if spei is not None else None
    rows = []
    for code, grp in wide.groupby(level="ccode", sort=False):
        years = grp.index.get_level_values("year").to_numpy()
        vals = grp.to_numpy(dtype=float)
        sp = spei_wide.xs(code, level="ccode").reindex(years).to_numpy(dtype=float) if spei_wide is not None \
            else None
        for i, year in enumerate(years):
            past = vals[max(0, i - 30):i]
            complete = past[~np.isnan(past).any(axis=1)]
            if len(complete) < 20 or np.isnan(vals[i]).any():
                rows.append((code, year, *[np.nan] * 4))
                continue
            season = np.argsort(-complete.mean(axis=0), kind="stable")[:4]
            hist = complete[:, season].sum(axis=1)
            sd = hist.std(ddof=1)
            anom = (vals[i, season].sum() - hist.mean()) / sd if sd > 0 else np.nan
            month_sd = complete[:, season].std(axis=0, ddof=1)
            z = (vals[i, season] - complete[:, season].mean(axis=0)) / np.where(month_sd > 0, month_sd, np.nan)
            g = g_dry = np.nan
            if sp is not None and not np.isnan(sp[i, season]).any():
                g, g_dry = sp[i, season].mean(), float((sp[i, season] <= -1).sum())
            rows.append((code, year, anom, float((z <= -1).sum()), g, g_dry))
    cols = ["gs_precip_anom", "gs_dry_months", "gs_spei", "gs_spei_dry_months"]
    return pd.DataFrame(rows, columns=["ccode", "year", *cols]).set_index(["ccode", "year"])


def test_growing_season_all_years_at_once_equals_the_year_by_year_definition() -> None:
    rng = np.random.default_rng(5)
    rain, spei = [], []
    for code, first in ((3, 1901), (7, 1950), (9, 1930)):
        for y in range(first, 2011):
            for m in range(1, 13):
                # Early years repeat one climatology (as CRU's infilled records do): near-constant seasons,
                # where the order of summation decides the last bit.
                v = 50.0 + 40.0 * np.sin(m) if (code == 3 and y < 1935) else rng.gamma(2.0, 30.0)
                if rng.random() < 0.01:
                    v = np.nan  # an incomplete year
                rain.append((code, y, m, v))
                spei.append((code, y, m, rng.normal()))
    rain_f = pd.DataFrame(rain, columns=["ccode", "year", "month", "value"]).dropna()
    spei_f = pd.DataFrame(spei, columns=["ccode", "year", "month", "value"])
    got = clim.growing_season(rain_f, spei_f, "gs")
    want = _season_one_year_at_a_time(clim._year_grid(clim._complete_months(rain_f)), spei_f)
    assert got.notna().to_numpy().sum() > 300
    pd.testing.assert_frame_equal(got, want.loc[got.index], check_exact=True)


def test_past_median_imputation_is_each_countrys_own_earlier_median() -> None:
    rng = np.random.default_rng(2)
    f = pd.DataFrame({"ccode": np.repeat([2, 1, 3], 40), "year": np.tile(np.arange(1980, 2020), 3),
                      "x": rng.normal(size=120)})
    f.loc[rng.random(120) < 0.3, "x"] = np.nan
    out = impute_past(f.sample(frac=1.0, random_state=0), ["x"], "past_median").set_index(["ccode", "year"])
    for (code, year), value in f.set_index(["ccode", "year"])["x"].items():
        earlier = f[(f["ccode"] == code) & (f["year"] < year)]["x"].dropna()
        # The median of the earlier observed values; before any, nothing to fill from.
        want = value if not np.isnan(value) else (earlier.median() if len(earlier) else np.nan)
        assert out.loc[(code, year), "x"] == pytest.approx(want, nan_ok=True)


def test_heat_months_compare_with_the_past_90th_percentile() -> None:
    vals = {(y, m): 20.0 + (y - 1960) * 0.01 for y in range(1960, 2001) for m in range(1, 13)}
    vals[(2000, 7)] = 30.0
    out = clim.heat_months(_monthly(4, vals), "heat")
    # Steady warming puts every month of 2000 above its past p90; the test checks the count is complete.
    assert out.loc[(4, 2000), "heat"] == 12
    flat = {(y, m): 20.0 + (0.5 if y % 2 else 0.0) for y in range(1960, 2001) for m in range(1, 13)}
    flat[(2000, 7)] = 30.0
    out = clim.heat_months(_monthly(4, flat), "heat")
    assert out.loc[(4, 2000), "heat"] == 1


def test_carry_forward_never_fills_backward() -> None:
    f = pd.DataFrame({"ccode": [1, 1, 1, 1, 2, 2], "year": [2000, 2001, 2002, 2003, 2000, 2001],
                      "x": [np.nan, 5.0, np.nan, np.nan, np.nan, 3.0]})
    out = impute_past(f, ["x"], "ffill").set_index(["ccode", "year"])["x"]
    assert np.isnan(out[(1, 2000)]) and np.isnan(out[(2, 2000)])
    assert out[(1, 2002)] == 5.0 and out[(1, 2003)] == 5.0


def test_past_median_uses_earlier_years_only() -> None:
    f = pd.DataFrame({"ccode": [1] * 5, "year": range(2000, 2005), "x": [1.0, 3.0, 2.0, np.nan, 100.0]})
    out = impute_past(f, ["x"], "past_median").set_index("year")["x"]
    assert out[2003] == 2.0  # median of 1, 3, 2; the later 100 is not used
    assert out[2004] == 100.0


def test_epr_change_detection() -> None:
    epr = pd.DataFrame({
        "ccode": [1] * 4, "year": [2000, 2001, 2002, 2003],
        "excl_groups_count": [1, 1, 2, 2], "exclpop": [0.10, 0.102, 0.30, 0.30],
        "discrimpop": [0.0, 0.0, 0.0, 0.2], "regautpop": [0.0] * 4, "maxexclpop": [0.1, 0.1, 0.2, 0.2],
        "egip_groups_count": [3, 3, 2, 2],
    })
    out = epr_changes(epr).set_index("year")
    assert np.isnan(out.loc[2000, "epr_new_exclusion"])  # no previous year to compare
    assert out.loc[2001, "epr_new_exclusion"] == 0  # a 0.2 pp re-estimate is no new exclusion
    assert out.loc[2002, "epr_new_exclusion"] == 1
    assert out.loc[2002, "epr_downgrade"] == 1  # a group left power while exclusion rose
    assert out.loc[2003, "epr_downgrade"] == 1  # discrimination rose
    assert out.loc[2003, "epr_new_exclusion"] == 0
    assert out.loc[2003, "epr_new_exclusion_5yr"] == 1


def _square(x0: float, y0: float, size: float = 1.0) -> str:
    return f"POLYGON(({x0} {y0}, {x0 + size} {y0}, {x0 + size} {y0 + size}, {x0} {y0 + size}, {x0} {y0}))"


def test_adjacency_by_shared_border_and_distance() -> None:
    # At the equator 1 degree is ~111 km: AAA touches BBB; CCC is ~56 km from BBB; DDD is far away.
    b = pd.DataFrame({"iso3": ["AAA", "BBB", "CCC", "DDD", "AAA"],
                      "wkt": [_square(0, 0), _square(1, 0), _square(2.5, 0), _square(10, 0), _square(0, 5)]})
    adj = adjacency(b)
    pairs = set(zip(adj["iso3_a"], adj["iso3_b"], strict=True))
    assert pairs == {("AAA", "BBB"), ("BBB", "AAA"), ("BBB", "CCC"), ("CCC", "BBB")}
    row = adj[(adj.iso3_a == "BBB") & (adj.iso3_b == "CCC")].iloc[0]
    assert 50 < row.distance_km < 60 and not row.contiguous
    assert adj[(adj.iso3_a == "AAA")].iloc[0].contiguous


def test_neighbour_exposure_aggregates_same_year() -> None:
    pairs = pd.DataFrame({"ccode": [1, 1, 1], "nb_ccode": [2, 3, 4]})
    vals = pd.DataFrame({"ccode": [2, 3, 2, 3], "year": [2000, 2000, 2001, 2001], "mk": [1, 0, 0, 0],
                         "bd": [10.0, 5.0, np.nan, np.nan]})
    out = neighbour_exposure(pairs, vals, {"any": ("mk", "any"), "share": ("mk", "share"),
                                           "n": ("mk", "count"), "bd": ("bd", "sum")}).set_index("year")
    assert out.loc[2000, "any"] == 1 and out.loc[2000, "share"] == 0.5 and out.loc[2000, "n"] == 2
    assert out.loc[2000, "bd"] == 15 and np.isnan(out.loc[2001, "bd"])
    assert out.loc[2001, "any"] == 0


def test_coverage_by_year_counts_country_years_once() -> None:
    f = pd.DataFrame({"ccode": [1, 1, 2, 2, 1], "year": [2000, 2000, 2000, 2000, 2001],
                      "v": [np.nan, 1.0, np.nan, np.nan, 2.0]})
    cov = coverage_by_year(f, ["ccode", "year"], ["v"]).set_index("year")
    assert cov.loc[2000, "n_keys"] == 2 and cov.loc[2000, "v"] == 0.5 and cov.loc[2001, "v"] == 1.0


def test_wide_monthly_parser_tidies_and_rejects_bad_dates() -> None:
    wide = pd.DataFrame({"Date": ["X200001", "X200002"], "SYR": [1.0, None], "ETH": [2.0, 3.0]})
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(wide), buf)
    long = wide_monthly_parser(buf.getvalue(), "t.parquet")
    assert len(long) == 3 and set(long.columns) == {"iso3", "year", "month", "value"}
    assert long[(long.iso3 == "ETH") & (long.month == 2)]["value"].item() == 3.0
    bad = wide.assign(Date=["2000-01", "X200002"])
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(bad), buf)
    with pytest.raises(SchemaError, match="Date"):
        wide_monthly_parser(buf.getvalue(), "t.parquet")


def test_every_driver_feature_is_registered_with_family_and_un_factor() -> None:
    reg = driver_registry()
    assert len(reg) == len(DRIVER_FEATURES)
    assert {"climate", "inequality", "ethno-nationalism", "transnational"} <= set(reg.families())
    for feat in reg:
        assert feat.family in DRIVER_FAMILIES and feat.un_factors
        assert any(t.startswith("impute:") for t in feat.tags), feat.name
