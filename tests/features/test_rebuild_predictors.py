"""EWP's transformations and missing-data rules, each on a small frame made here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tocsin.features.rebuild.predictors import (
    add_coups,
    add_derived,
    add_efindex,
    battle_deaths,
    clean_epr,
    combine_with_proxy,
    format_vdem,
)


def test_vdem_binaries_follow_format_vdem_including_r_missing_value_semantics() -> None:
    raw = pd.DataFrame({
        "COWcode": [2.0, 2.0, 260.0, 680.0], "year": [2000, 2001, 1960, 1990],
        "v2clkill_ord": [0, 1, np.nan, 0], "v2clsocgrp_ord": [0, 2, 0, 0], "v2clrgunev_ord": [2, 1, 2, 2],
        "v2csreprss_ord": [0, 2, np.nan, 0], "v2pepwrsoc_ord": [1, 3, np.nan, 2], "v2psparban_ord": [0, 4, np.nan, 2],
        "v2jureform_ord": [1, 2, 0, 1], "v2clrelig_ord": [3, 2, 1, 1], "v2xcl_disc": [0.5, 0.6, 0.7, 0.1],
        "v2pepwrses": [0.1, 0.2, 0.3, 0.4], "v2csgender_ord": [2, 3, np.nan, 1], "v2mecenefm_ord": [3, 0, 1, 1],
    })
    v = format_vdem(raw).set_index(["ccode", "year"])
    assert (680, 1990) not in v.index  # South Yemen's last row duplicates unified Yemen
    assert (255, 1960) in v.index  # V-Dem's West Germany is EWP's 255
    a, b, g = v.loc[(2, 2000)], v.loc[(2, 2001)], v.loc[(255, 1960)]
    assert (a["pol_killing_approved"], b["pol_killing_approved"]) == (1, 0) and np.isnan(g["pol_killing_approved"])
    assert (a["repress_civilsoc"], b["repress_civilsoc"]) == (1, 0) and np.isnan(g["repress_civilsoc"])
    assert (a["minorityrule"], b["minorityrule"], g["minorityrule"]) == (1, 0, 0)  # NA -> 0, as in R
    assert (a["social_power_dist"], b["social_power_dist"], g["social_power_dist"]) == (1, 0, 0)
    assert (a["partyban.new.0"], b["partyban.new.2"]) == (1, 1) and np.isnan(g["partyban.new.2"])
    assert (a["v2csgender_binary"], b["v2csgender_binary"], g["v2csgender_binary"]) == (1, 0, 0)
    assert (a["even_civilrights"], b["even_civilrights"]) == (1, 0)
    assert a["freediscussion"] == 0.5 and a["judicialreform"] == 1


def test_coup_window_is_this_and_four_previous_years_and_coup_born_states_count_their_founding() -> None:
    dat = pd.DataFrame({"ccode": [1] * 8 + [2] * 3, "country": ["A"] * 8 + ["Gabon"] * 3,
                        "year": [*list(range(2000, 2008)), 1964, 1965, 1970]})
    old = pd.DataFrame(columns=["ccode", "year", "cou.any"])
    new = pd.DataFrame({"ccode": [1, 1], "year": [2001, 2001], "cou.any": [1, 1]})  # two attempts one year
    out = add_coups(dat, old, new).set_index(["ccode", "year"])
    assert list(out.loc[1, "coup.try.5yr"]) == [0, 1, 1, 1, 1, 1, 0, 0]
    assert len(out) == len(dat)  # duplicates in the coup list do not duplicate rows
    assert list(out.loc[2, "coup.try.5yr"]) == [1, 1, 0]


def test_efindex_is_carried_forward_then_back_and_static_values_fill_states_hief_lacks() -> None:
    dat = pd.DataFrame({"ccode": [1, 1, 1, 2], "country": ["Rumania"] * 3 + ["India"],
                        "year": [2012, 2013, 2014, 2014]})
    hief = pd.DataFrame({"Country": ["Romania"], "Year": [2013], "EFindex": [0.3]})
    out = add_efindex(dat, hief).set_index(["ccode", "year"])["efindex"]
    assert list(out.loc[1]) == [0.3, 0.3, 0.3] and out.loc[(2, 2014)] == 0.42


def test_proxy_fill_uses_a_linear_fit_only_where_the_target_is_missing() -> None:
    x = np.arange(10.0)
    dat = pd.DataFrame({"t": 2 * x + 1, "p": x})
    dat.loc[[3, 7], "t"] = np.nan
    dat.loc[7, "p"] = np.nan
    out = combine_with_proxy(dat, "t", "p")
    assert out[3] == pytest.approx(7.0) and np.isnan(out[7]) and out[0] == 1.0


def test_derived_variables_onset_history_outcomes_and_first_year_rules() -> None:
    dat = pd.DataFrame({"ccode": 1, "year": range(1958, 1964), "datastartyear": 1958, "independence_year": 1958,
                        "mk_onset": [1, 0, 0, 1, 0, 0], "mk_responsible_ever": 0, "mk_location_ever": [1] * 6,
                        "mk_ongoing_count": [1, 1, 0, 3, 0, 0]})
    out = add_derived(dat)
    # Before 1960 the interaction is 0; from 1960 it is the onsets since the state's first year.
    assert list(out["mean_mk_onset_interaction"].round(9)) == [0, 0, 1, 2, 2, 2]
    assert list(out["mk_onset_prev_year"]) == [0, 1, 0, 0, 1, 0]  # 0 in the first year, not missing
    assert list(out["mk_onset_1or2"]) == [0, 1, 1, 0, 0, 0]
    assert np.isnan(out["mk_onset_1"].iloc[-1])
    assert list(out["newcountry"]) == [1, 1, 1, 0, 0, 0]
    assert out["mk_ongoing_count_log2"].iloc[3] == 2.0 and list(out["mk_ever"]) == [1] * 6
    assert out["includesnonstate"].sum() == 0 and out["countryage.new.log2"].iloc[1] == 1.0


def test_battle_deaths_sum_internal_conflict_dyads_by_location_in_ewp_names() -> None:
    ucdp = pd.DataFrame({"location_inc": ["Turkey", "Turkey", "Turkey", "Iran"], "year": [2020] * 4,
                         "bd_best": [10, 5, 100, 7], "type_of_conflict": [3, 4, 2, 3]})
    out = battle_deaths(ucdp).set_index("country")["battledeaths"]
    assert out["Turkey (Ottoman Empire)"] == 15 and out["Iran (Persia)"] == 7


def test_epr_codes_follow_ewp_germany_serbia_and_yemen() -> None:
    epr = pd.DataFrame({"countries_gwid": [260, 340, 678, 678, 345], "year": [1991, 2010, 1989, 1990, 2006],
                        "countryname": ["Germany", "Serbia", "Yemen", "Yemen", "Yugoslavia"],
                        "discrimpop": [0.0, 0.1, 0.2, 0.3, 0.4]})
    assert clean_epr(epr)["ccode"].tolist() == [255, 345, 678, 679]
