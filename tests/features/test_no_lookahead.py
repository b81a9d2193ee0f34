"""No look-ahead: changing climate, inequality and repression and conflict evidence data (PTS, UCDP one-sided
and armed conflict, Fariss, Colpus, VIEWS, the third-party UCDP and GDELT aggregates) after year Y leaves every
driver feature for years <= Y unchanged (so a forecast for Y+1, made from features of Y, cannot move)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest

from tocsin.features.drivers import build_driver_features

STATES = {"SYR": (652, "Syria"), "IRQ": (645, "Iraq"), "JOR": (663, "Jordan")}
Y = 2005


def _square(x0: float) -> str:
    return f"POLYGON(({x0} 30, {x0 + 1} 30, {x0 + 1} 31, {x0} 31, {x0} 30))"


def _tables(seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    years = range(1930, 2021)
    monthly = pd.DataFrame([(iso, y, m) for iso in STATES for y in years for m in range(1, 13)],
                           columns=["iso3", "year", "month"])

    def series(scale: float, loc: float = 0.0) -> pd.DataFrame:
        return monthly.assign(value=loc + scale * rng.standard_normal(len(monthly)))

    annual = pd.DataFrame([(iso, name, y) for iso, (_, name) in STATES.items() for y in years],
                          columns=["iso3", "name", "year"])
    gw_years = pd.DataFrame([(gw, name, y) for gw, name in STATES.values() for y in years],
                            columns=["ccode", "country", "year"])
    n = len(gw_years)
    tables = {
        "climate_spei1": series(1.0), "climate_spei1_pop": series(1.0),
        "climate_cru_pre": series(20, 60).assign(value=lambda f: f.value.abs()),
        "climate_cru_pre_pop": series(20, 60).assign(value=lambda f: f.value.abs()),
        "climate_era5_pre": series(20, 60).assign(value=lambda f: f.value.abs()),
        "climate_cru_tmp": series(3, 20),
        "climate_temp_anomaly": annual.assign(temp_anomaly=rng.standard_normal(len(annual))),
        "climate_temp_anomaly_monthly": series(1.0)
        .merge(annual[["iso3", "name"]].drop_duplicates(), on="iso3")
        .rename(columns={"value": "temp_anomaly"}),
        "swiid_summary": annual.rename(columns={"name": "country"}).assign(
            gini_disp=30 + rng.standard_normal(len(annual)), gini_disp_se=1.0,
            gini_mkt=40 + rng.standard_normal(len(annual)), gini_mkt_se=1.0),
        "ewp_in_vdem": gw_years.rename(columns={"ccode": "COWcode", "country": "country_name"}).assign(
            social_inequality=rng.standard_normal(n), ses_power_dist=rng.standard_normal(n),
            social_power_dist=rng.standard_normal(n)),
        "ewp_in_epr": gw_years.rename(columns={"ccode": "countries_gwid"}).assign(
            excl_groups_count=rng.integers(0, 3, n), exclpop=rng.uniform(0, 0.5, n),
            discrimpop=rng.uniform(0, 0.2, n), regautpop=0.0, maxexclpop=0.1, egip_groups_count=2),
        "ewp_in_hief_data": gw_years.rename(columns={"country": "Country", "year": "Year"}).assign(
            EFindex=rng.uniform(0, 1, n)),
        "ewp_basedata": gw_years.assign(mk_onset=rng.integers(0, 2, n),
                                        mk_ongoing_count=rng.integers(0, 2, n)),
        "ewp_in_coups_all": gw_years.assign(**{"cou.any": rng.integers(0, 2, n)}),
        "ewp_in_ucdp_battledeaths": gw_years.assign(gwno_loc=gw_years.ccode.astype(str),
                                                    bd_best=rng.integers(0, 1000, n)),
        "ne_admin0_50m": pd.DataFrame({"iso3": list(STATES), "name": [v[1] for v in STATES.values()],
                                       "wkt": [_square(0), _square(1), _square(2)]}),
    }
    tables.update(_event_tables(rng))
    # Gaps up to Y, so imputation has to fill them (and must fill them from the past only).
    sw = tables["swiid_summary"]
    tables["swiid_summary"] = sw[~((sw.iso3 == "SYR") & sw.year.between(Y - 2, Y))]
    sp = tables["climate_spei1"]
    tables["climate_spei1"] = sp[~((sp.iso3 == "IRQ") & (sp.year == Y))]
    epr = tables["ewp_in_epr"]
    tables["ewp_in_epr"] = epr[~((epr.countries_gwid == 663) & epr.year.between(Y - 1, Y))]
    return tables


def _event_tables(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The repression and conflict evidence sources (tocsin.sources.events), in their parsed layouts."""
    gw = [gw for gw, _ in STATES.values()]
    cy = pd.DataFrame([(g, y) for g in gw for y in range(1946, 2021)], columns=["gwno", "year"])
    n = len(cy)
    osv = cy[cy.year >= 1989].assign(actor_id=lambda f: f.gwno, is_government_actor=1.0,
                                      gwnoa=lambda f: f.gwno.astype(str), gwno_location=lambda f: f.gwno.astype(str))
    osv = pd.concat([osv, osv.assign(actor_id=lambda f: f.gwno + 5000, is_government_actor=0.0, gwnoa="")])
    osv = osv.assign(best_fatality_estimate=rng.integers(0, 400, len(osv)).astype(float))
    osv = osv[rng.uniform(size=len(osv)) < 0.6]
    acd = cy.assign(conflict_id=cy.gwno * 10, intensity_level=rng.integers(1, 3, n), type_of_conflict=3,
                    start_date2="1946-01-01")
    months = pd.DataFrame([(g, y, m) for g in gw for y in range(1989, 2021) for m in range(1, 13)],
                          columns=["gwcode", "year", "month"])
    iso = {gw: iso for iso, (gw, _) in STATES.items()}
    tp = months.assign(country_iso3=months.gwcode.map(iso))
    return {
        "pts": cy[cy.year >= 1976].rename(columns={"gwno": "cow"}).assign(
            Country="x", PTS_A=lambda f: rng.integers(1, 6, len(f)).astype(float), PTS_H=np.nan,
            PTS_S=lambda f: rng.integers(1, 6, len(f)).astype(float)),
        "ucdp_onesided": osv.reset_index(drop=True),
        "ucdp_acd": acd[rng.uniform(size=n) < 0.4].reset_index(drop=True),
        "fariss_lhrs": cy.rename(columns={"gwno": "cow"}).assign(theta_mean=rng.standard_normal(n),
                                                                  theta_sd=rng.uniform(0.1, 1, n)),
        "colpus_coups": cy[rng.uniform(size=n) < 0.15].rename(columns={"gwno": "ccode"}).assign(
            succeeded=lambda f: rng.integers(0, 2, len(f))).reset_index(drop=True),
        "views_ged_cm": months[months.year >= 1990].assign(
            ucdp_ged_sb_best_sum=lambda f: rng.integers(0, 60, len(f)).astype(float)),
        "tp_ucdp_cm": tp.drop(columns="gwcode").assign(
            ucdp_civilian_deaths=rng.integers(0, 50, len(tp)).astype(float),
            ucdp_one_sided_events=rng.integers(0, 5, len(tp)).astype(float),
            ucdp_state_based_events=rng.integers(0, 5, len(tp)).astype(float),
            ucdp_fatalities_best=rng.integers(0, 80, len(tp)).astype(float)),
        "tp_gdelt_cm": tp.drop(columns="gwcode").assign(
            gdelt_conflict_event_count=rng.integers(10, 500, len(tp)),
            gdelt_protest_event_count=rng.integers(0, 100, len(tp)),
            gdelt_goldstein_mean=rng.uniform(-10, -5, len(tp))),
    }


# Every value column of each repression and conflict evidence source.
EVENT_VALUES = [
    ("pts", "PTS_A"), ("pts", "PTS_S"), ("ucdp_onesided", "best_fatality_estimate"),
    ("ucdp_acd", "intensity_level"), ("fariss_lhrs", "theta_mean"), ("fariss_lhrs", "theta_sd"),
    ("colpus_coups", "succeeded"), ("views_ged_cm", "ucdp_ged_sb_best_sum"),
    ("tp_ucdp_cm", "ucdp_civilian_deaths"), ("tp_ucdp_cm", "ucdp_one_sided_events"),
    ("tp_gdelt_cm", "gdelt_conflict_event_count"), ("tp_gdelt_cm", "gdelt_protest_event_count"),
    ("tp_gdelt_cm", "gdelt_goldstein_mean"),
]


def _shift_after(tables: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """Change every climate and inequality value dated after `year` (and drop some rows altogether)."""
    out = dict(tables)
    rng = np.random.default_rng(99)
    monthly = ["climate_spei1", "climate_spei1_pop", "climate_cru_pre", "climate_cru_pre_pop",
               "climate_era5_pre", "climate_cru_tmp"]
    for name, col in [*[(m, "value") for m in monthly],
                      ("climate_temp_anomaly", "temp_anomaly"),
                      ("climate_temp_anomaly_monthly", "temp_anomaly"),
                      ("swiid_summary", "gini_disp"), ("swiid_summary", "gini_mkt"),
                      ("ewp_in_vdem", "social_inequality"), ("ewp_in_epr", "exclpop"),
                      ("ewp_in_hief_data", "EFindex"), *EVENT_VALUES]:
        f = out[name].copy()
        ycol = "Year" if "Year" in f.columns else "year"
        later = f[ycol] > year
        if (name, col) in EVENT_VALUES:  # counts, levels and codes stay in their own ranges
            lo, hi = f[col].min(), f[col].max()
            f[col] = f[col].astype(float)
            f.loc[later, col] = np.round(rng.uniform(lo, hi, int(later.sum())))
        else:
            f.loc[later, col] = f.loc[later, col] * 3 - 5 + rng.standard_normal(int(later.sum()))
        out[name] = f[~(later & (rng.uniform(size=len(f)) < 0.2))]  # and some later rows vanish
    return out


@pytest.fixture(scope="module")
def keys() -> pd.DataFrame:
    return pd.DataFrame([(gw, y) for gw, _ in STATES.values() for y in range(1960, 2021)],
                        columns=["ccode", "year"])


def test_changing_data_after_y_leaves_features_up_to_y_unchanged(keys: pd.DataFrame) -> None:
    tables = _tables()
    before = build_driver_features(tables, keys).set_index(["ccode", "year"]).sort_index()
    after = build_driver_features(_shift_after(tables, Y), keys).set_index(["ccode", "year"]).sort_index()
    assert list(before.columns) == list(after.columns)
    upto = before.index.get_level_values("year") <= Y
    pd.testing.assert_frame_equal(before[upto], after[upto])
    # The perturbation is real: later features do move (else this test could not fail).
    later = ~upto
    assert not before[later].equals(after[later])
    for col in ("spei12", "precip_anom", "gs_precip_anom", "heat_months", "gini_disp", "epr_exclpop",
                *REPRESSION_CHECKED):
        assert before[col][upto].notna().any(), col
        assert not np.allclose(before[col][later].fillna(-99), after[col][later].fillna(-99)), col


# One feature per repression and conflict evidence source (each must move after Y and stay put up to Y).
REPRESSION_CHECKED = ("pts_max", "gov_osv_log", "nonstate_osv_log", "acd_intensity", "fariss_theta",
                      "coup_successes_5y", "sb_deaths_log", "tp_civilian_deaths_log", "tp_os_events_log",
                      "gdelt_goldstein", "gdelt_conflict_surge")


def test_every_panel_key_gets_one_row(keys: pd.DataFrame) -> None:
    out = build_driver_features(_tables(), keys)
    assert len(out) == len(keys) and not out.duplicated(["ccode", "year"]).any()
    assert out["nb_count"].max() == 2  # Iraq borders Syria and Jordan in the made-up map


def test_changing_climate_and_inequality_after_y_leaves_the_forecast_from_y_unchanged(keys: pd.DataFrame) -> None:
    """End to end: raw source tables -> driver features -> a model's forecast made at the end of Y."""
    from tocsin.evaluate.backtest import BacktestSpec, forecast_year
    from tocsin.models.registry import make_model

    rng = np.random.default_rng(3)
    outcomes = keys.assign(mk_onset_1or2=(rng.random(len(keys)) < 0.3).astype(int))

    def forecast(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
        panel = outcomes.merge(build_driver_features(tables, keys), on=["ccode", "year"])
        model = partial(make_model, "lgbm", feature_sets=("drivers:climate", "drivers:inequality",
                                                          "drivers-repression+latent"),
                        n_estimators=30, min_child_samples=5)
        return forecast_year(panel, model, Y + 1, BacktestSpec(start=Y + 1, end=Y + 1))

    tables = _tables()
    before, after = forecast(tables), forecast(_shift_after(tables, Y))
    pd.testing.assert_frame_equal(before, after)
    # Tampering from Y itself (data the forecast may use) does move it: the test can fail.
    assert not forecast(_shift_after(tables, Y - 1))["prob"].equals(before["prob"])
