"""Repression and conflict evidence: codes resolve to the right state and year, windows count the right years,
coverage gaps stay unknown (never zero), and the third-party check against VIEWS sees a disagreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tocsin.features.drivers import PanelCodes, build_driver_features
from tocsin.features.registry import UN_RISK_FACTORS
from tocsin.features.repression import FAMILY, FEATURES, repression_block
from tocsin.features.sets import feature_set
from tocsin.sources import events as ev

SUDAN, YEMEN, N_YEMEN, GERMANY = 625, 679, 678, 255


def _keys(codes: tuple[int, ...] = (SUDAN, YEMEN, N_YEMEN, GERMANY)) -> pd.DataFrame:
    rows = [(c, y) for c in codes for y in range(1960, 2025)
            if not (c == YEMEN and y < 1990) and not (c == N_YEMEN and y >= 1990)]
    return pd.DataFrame(rows, columns=["ccode", "year"])


def _osv(rows: list[tuple[int, str, str, int, float]]) -> pd.DataFrame:
    """(actor_id, gwnoa, gwno_location, year, deaths) of government actors."""
    f = pd.DataFrame(rows, columns=["actor_id", "gwnoa", "gwno_location", "year", "best_fatality_estimate"])
    f = f.assign(is_government_actor=1.0, dyad_id=f["actor_id"], conflict_id=f["actor_id"])
    return ev._explode_codes(f, "gwno_location", "gwno")


def _block(tables: dict[str, pd.DataFrame], keys: pd.DataFrame | None = None) -> pd.DataFrame:
    k = _keys() if keys is None else keys
    return repression_block(tables, PanelCodes(k), 2024).set_index(["ccode", "year"])


def test_pure_gw_codes_become_tocsin_codes_by_year() -> None:
    assert ev.state_code(678, 1985, "gw") == N_YEMEN
    assert ev.state_code(678, 1995, "gw") == YEMEN  # UCDP's 678 after unification is Yemen (679)
    assert ev.state_code(260, 2000, "gw") == GERMANY
    assert ev.state_code(340, 2010, "gw") == 345 and ev.state_code(340, 1900, "gw") == 340
    assert ev.state_code(345, 2000, "cow") == 345
    assert ev.state_code(9999, 2000, "gw") is None


def test_government_killing_windows_count_only_the_past_and_present() -> None:
    # Yemen's government (pure GW 678) kills 500 civilians in 2011 and 30 in 2015, in Yemen.
    b = _block({"ucdp_onesided": _osv([(1, "678", "678", 2011, 500.0), (1, "678", "678", 2015, 30.0)])})
    y = b.xs(YEMEN, level="ccode")
    assert y.loc[2011, "gov_osv_log"] == pytest.approx(np.log1p(500))
    assert y.loc[2010, "gov_osv_log"] == 0  # covered year without a row: no killing
    assert y.loc[2013, "gov_osv_max3_log"] == pytest.approx(np.log1p(500))  # 2011 in t-2..t
    assert y.loc[2014, "gov_osv_max3_log"] == 0  # 2011 has left the 3-year window
    assert y.loc[2015, "gov_osv_max5_log"] == pytest.approx(np.log1p(500))
    assert y.loc[2015, "gov_osv_years5"] == 2
    assert np.isnan(y.loc[1988, "gov_osv_log"])  # before UCDP's coverage: unknown, not zero
    assert b.xs(N_YEMEN, level="ccode").loc[1989, "gov_osv_log"] == 0


def test_a_government_killing_abroad_counts_for_its_own_state() -> None:
    # Sudan's government kills in South Sudan's territory (626) and in Sudan: both count for Sudan.
    b = _block({"ucdp_onesided": _osv([(7, "625", "625, 626", 2012, 100.0)])})
    assert b.loc[(SUDAN, 2012), "gov_osv_log"] == pytest.approx(np.log1p(100))


def _acd(rows: list[tuple[int, str, int, int]]) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=["conflict_id", "gwno_loc", "year", "intensity_level"])
    f = f.assign(type_of_conflict=3, start_date2="1900-01-01")
    return ev._explode_codes(f, "gwno_loc", "gwno")


def test_first_conflict_in_a_decade_and_recent_war() -> None:
    rows = [(1, "625", 1990, 1), (2, "625", 2003, 2), (2, "625", 2004, 1)]
    b = _block({"ucdp_acd": _acd(rows)}).xs(SUDAN, level="ccode")
    assert b.loc[1990, "acd_first_in_decade"] == 1  # nothing 1980-1989
    assert b.loc[2003, "acd_first_in_decade"] == 1  # the last conflict, 1990, is 13 years before
    assert b.loc[2004, "acd_first_in_decade"] == 0  # 2003 is inside the decade before
    assert b.loc[2005, "acd_first_in_decade"] == 0  # no conflict in 2005
    assert b.loc[2005, "acd_war_3y"] == 1 and b.loc[2006, "acd_war_3y"] == 0
    assert b.loc[2003, "acd_intensity_chg1"] == 2
    assert np.isnan(b.loc[1950, "acd_first_in_decade"])  # ACD starts in 1946: the decade is not covered


def test_coup_windows_and_years_after_colpus_coverage_are_unknown() -> None:
    colpus = pd.DataFrame({"ccode": [SUDAN] * 3, "year": [1985, 1989, 1989], "succeeded": [1, 1, 0]})
    b = _block({"colpus_coups": colpus}).xs(SUDAN, level="ccode")
    assert b.loc[1989, "coup_attempts_1y"] == 2
    assert b.loc[1989, "coup_attempts_5y"] == 3 and b.loc[1990, "coup_attempts_5y"] == 2
    assert b.loc[1989, "coup_successes_5y"] == 2
    assert b.loc[1994, "coup_attempts_5y"] == 0
    assert np.isnan(b.loc[2023, "coup_attempts_1y"])  # Colpus ends in 2022


def test_pts_worsening_uses_the_worst_report_and_its_past() -> None:
    pts = pd.DataFrame({"Country": "Sudan", "cow": SUDAN, "year": [2000, 2001, 2002, 2003],
                        "PTS_A": [3, 3, 5, np.nan], "PTS_H": np.nan, "PTS_S": [2, 4, 4, 4]})
    b = _block({"pts": pts}).xs(SUDAN, level="ccode")
    assert list(b.loc[2000:2003, "pts_max"]) == [3, 4, 5, 4]
    assert b.loc[2001, "pts_chg1"] == 1 and b.loc[2003, "pts_chg1"] == -1
    assert b.loc[2003, "pts_worsened_3y"] == 1 and b.loc[2003, "pts_max_5y"] == 5
    assert b.loc[2000, "pts_mean"] == pytest.approx(2.5)


def test_views_part_year_is_scaled_and_monthly_frames_are_keyed_by_state_and_month() -> None:
    months = [(678, 2023, m, 10.0) for m in range(1, 13)] + [(678, 2024, m, 30.0) for m in range(1, 8)]
    views = pd.DataFrame(months, columns=["gwcode", "year", "month", "ucdp_ged_sb_best_sum"])
    cm = ev.views_country_month(views)
    assert list(cm.columns) == ["gwcode", "year", "month", "sb_deaths"]
    assert set(cm["gwcode"]) == {YEMEN}
    yearly = ev.to_year(cm, ["sb_deaths"]).set_index("year")
    assert yearly.loc[2023, "sb_deaths"] == 120 and yearly.loc[2024, "sb_deaths"] == pytest.approx(360)
    b = _block({"views_ged_cm": views}).xs(YEMEN, level="ccode")
    assert b.loc[2024, "sb_months_25"] == pytest.approx(12)


def test_agreement_check_reports_a_third_party_that_misses_views_months() -> None:
    views = pd.DataFrame({"gwcode": 625, "year": 2000, "month": range(1, 13),
                          "ucdp_ged_sb_best_sum": [0, 0, 50, 0, 0, 0, 0, 0, 10, 0, 0, 0]})
    tp = pd.DataFrame({"country_iso3": "SDN", "year": 2000, "month": range(1, 13),
                       "ucdp_fatalities_best": [0, 0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                       "ucdp_civilian_deaths": 0.0, "ucdp_one_sided_events": 0.0,
                       "ucdp_state_based_events": [0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]})
    a = ev.agreement_with_views(tp, views)
    assert a["country_months"] == 12
    assert a["presence_agreement"] == pytest.approx(11 / 12)
    assert a["share_views_deaths_in_months_third_party_lacks"] == pytest.approx(10 / 60)
    assert a["share_third_party_below_views"] == pytest.approx(1 / 12)


def test_family_is_registered_with_un_factors_and_latent_scores_can_be_left_out() -> None:
    names = {n for n, *_ in FEATURES}
    assert {"gov_osv_max5_log", "pts_worsened_3y", "acd_first_in_decade", "coup_attempts_5y",
            "fariss_theta", "gdelt_protest_surge"} <= names
    for _, _, _, _, un, _ in FEATURES:
        assert un and all(u in UN_RISK_FACTORS for u in un)
    without, with_latent = set(feature_set("drivers-repression")), set(feature_set("drivers-repression+latent"))
    assert "fariss_theta" in with_latent and "fariss_theta" not in without
    assert "fariss_missing" not in without and "gov_osv_log" in without
    assert set(feature_set(f"drivers:{FAMILY}")) == with_latent
    assert not set(feature_set("drivers-nontraditional")) & with_latent


def test_build_driver_features_carries_the_family_with_missing_indicators() -> None:
    keys = _keys((SUDAN,))
    pts = pd.DataFrame({"Country": "Sudan", "cow": SUDAN, "year": range(1976, 2024), "PTS_A": 4.0,
                        "PTS_H": np.nan, "PTS_S": 5.0})
    out = build_driver_features({"pts": pts}, keys).set_index("year")
    assert out.loc[2024, "pts_max"] == 5 and out.loc[2024, "pts_missing"] == 1  # carried from 2023
    assert out.loc[2000, "pts_missing"] == 0
    assert np.isnan(out.loc[1970, "pts_max"]) and out.loc[1970, "pts_missing"] == 1
