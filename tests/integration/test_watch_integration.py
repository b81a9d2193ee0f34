"""The monthly watch's inputs on the real data mirror: dated and year-only onsets, release lags, a dated coup."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.features import monthly as fm

pytestmark = pytest.mark.integration


def test_onsets_are_dated_from_the_events_list_and_year_only_ones_are_named(pulled_home: Path) -> None:
    from tocsin.warehouse.store import Warehouse

    wh = Warehouse(pulled_home / "warehouse.duckdb")
    inputs = fm.watch_inputs({t: wh.read(t) for t in fm.WATCH_TABLES})
    on = inputs["onsets"]
    recent = on[on["year"].between(1990, 2024)]
    year_only = recent[~recent["dated"]]
    # The events list gives only the year for these (its "Start Date" reads "2016", "2020", "2021", or the
    # episode is on neither dated sheet): they are counted, never guessed.
    assert sorted(zip(year_only["ccode"], year_only["year"], strict=True)) == [
        (439, 2022), (530, 2020), (775, 2016), (775, 2021)]
    syria = recent[(recent["ccode"] == 652) & (recent["year"] == 2011)]
    assert syria["month"].tolist() == [3]
    sig = fm.signal_features(inputs, fm.month_index(2020, 6), fm.month_index(2021, 6)).set_index(["ccode", "mi"])
    feb, mar = fm.month_index(2021, 2), fm.month_index(2021, 3)
    assert sig.loc[(775, feb), "coup_last_date"] == "2021-02-01"  # Myanmar's coup, known the month it happened
    assert sig.loc[(775, mar), "ucdp_data_through"] == "2021-02"  # UCDP's one-month release lag
