"""Cell agreement, the input folder, and the panel's shape, on frames and files made here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tocsin.core.errors import DataError
from tocsin.features.rebuild.compare import compare_panels, equal_cells
from tocsin.features.rebuild.inputs import _match, _raw_coups, ewp_ccode_from_iso3, load_inputs
from tocsin.features.rebuild.panel import FLOAT_COLUMNS, PREPARED_COLUMNS, prepared_frame


def test_cells_are_equal_to_the_files_precision_and_when_both_missing() -> None:
    a = pd.Series([1.0, 0.123456789012345, np.nan, np.nan, 2.0])
    b = pd.Series([1.0, 0.1234567890123, np.nan, 3.0, 2.001])
    assert equal_cells(a, b).tolist() == [True, True, True, False, False]


def test_compare_panels_finds_each_disagreement_with_its_kind_year_and_inputs() -> None:
    keys = {"ccode": [1, 1, 2], "year": [2000, 2001, 2000]}
    ewp = pd.DataFrame({**keys, "ewp_name": ["A", "A", "B"], "efindex": [0.5, 0.5, 0.2],
                        "gdppcgrowth": [1.0, 2.0, 3.0]})
    ours = pd.DataFrame({**keys, "efindex": [0.5, 0.6, 0.2], "gdppcgrowth": [1.0, np.nan, 3.0]})
    ours = pd.concat([ours, pd.DataFrame({"ccode": [3], "year": [2000], "efindex": [0.1], "gdppcgrowth": [0.0]})])
    ag = compare_panels(ours, ewp, ["efindex", "gdppcgrowth", "year"], years=(2000, 2001))
    bp = ag.by_predictor.set_index("predictor")
    assert bp.loc["efindex", "equal"] == 2 and bp.loc["gdppcgrowth", "equal_nonmissing"] == 2
    assert bp.loc["year", "equal"] == 3
    d = ag.disagreements.set_index("predictor")
    assert d.loc["efindex", "kind"] == "different value" and d.loc["efindex", "year"] == 2001
    assert d.loc["efindex", "cause"] == "inputs: ewp_in_hief_data"
    assert d.loc["gdppcgrowth", "kind"] == "missing in rebuild"
    assert ag.rows_rebuilt_only.to_dict("records") == [{"ccode": 3, "year": 2000}]
    assert ag.by_year.set_index("year").loc[2001, "equal"] == 1  # of efindex, gdppcgrowth, year: only year
    assert ag.equal_nonmissing == 7 and ag.nonmissing == 9


def test_prepared_frame_has_ewp_columns_in_order_with_integers_where_ewp_has_them() -> None:
    row = {c: 1.0 for c in PREPARED_COLUMNS}
    row["ewp_name"] = "A"
    full = pd.DataFrame([{**row, "year": 1959}, {**row, "year": 1960, "mean_mk_onset_interaction": 2.9999999999999}])
    out = prepared_frame(full)
    assert list(out.columns) == list(PREPARED_COLUMNS) and len(out) == 1
    assert out["mean_mk_onset_interaction"].iloc[0] == 3 and out["mk_ever"].dtype == "int64"
    assert all(out[c].dtype == "float64" for c in FLOAT_COLUMNS)
    full.loc[1, "mk_ever"] = np.nan  # a year an input does not cover yet: floats, not an error
    assert prepared_frame(full)["mk_ever"].dtype == "float64"


def test_newest_release_in_the_folder_wins_in_natural_order(tmp_path: Path) -> None:
    for name in ("BattleDeaths_v9_1.csv", "BattleDeaths_v25_1.csv", "BattleDeaths_v10_2.csv", "other.csv"):
        (tmp_path / name).write_text("x\n")
    hit = _match(tmp_path, ("BattleDeaths_v*.csv",))
    assert hit is not None and hit.name == "BattleDeaths_v25_1.csv"
    assert _match(tmp_path, ("wdi.csv",)) is None


def test_iso3_codes_follow_ewp_conventions() -> None:
    iso = pd.Series(["CZE", "CZE", "SVK", "SRB", "XKX", "XKX", "YEM", "YEM", "YEM", "FRA"])
    year = pd.Series([1992, 1993, 1993, 2000, 2007, 2008, 1960, 1980, 1990, 2000])
    assert ewp_ccode_from_iso3(iso, year).tolist()[:6] == [315, 316, 317, 345, pytest.approx(np.nan, nan_ok=True),
                                                           347]
    assert ewp_ccode_from_iso3(iso, year).tolist()[6:] == [679, 680, 679, 220]


def test_powell_thyne_file_becomes_one_attempt_flag_per_state_year() -> None:
    txt = "country\tccode\tyear\tmonth\tday\tcoup\nMali\t432\t2020\t8\t18\t2\nMali\t432\t2020\t9\t1\t1\n" \
          "Chad\t483\t2021\t4\t20\t0\n"
    out = _raw_coups(txt.encode(), "powell_thyne_coups_final.txt")
    assert out[["ccode", "year", "cou.any"]].values.tolist() == [[432, 2020, 1], [483, 2021, 0]]
    with pytest.raises(DataError):
        _raw_coups(b"a\tb\n1\t2\n", "bad.txt")


def test_a_missing_inputs_folder_is_an_error_not_a_silent_fallback(tmp_path: Path) -> None:
    from tocsin.warehouse.store import Warehouse

    with pytest.raises(DataError):
        load_inputs(Warehouse(tmp_path / "none.duckdb"), tmp_path / "absent")
