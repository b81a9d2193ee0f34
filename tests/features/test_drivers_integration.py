"""Driver features on the real data mirror: known droughts stand out; unmatched countries are non-states."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tocsin.features.drivers import build_driver_features, required_tables
from tocsin.sources.catalog import all_sources
from tocsin.sources.download import fetch
from tocsin.sources.matching import ENTITY_COLUMNS, unmatched_report

pytestmark = pytest.mark.integration
SYRIA, ETHIOPIA = 652, 530


@pytest.fixture(scope="module")
def tables(mirror: Path) -> dict[str, pd.DataFrame]:
    wanted = set(required_tables(include_optional=True)) | {"ewp_panel"}
    out = {}
    for src in all_sources():
        if src.name in wanted:
            fetched = fetch(src.url, mirror=mirror, sha256=src.sha256)
            out[src.name] = src.parse(fetched.content, fetched.name)
    assert wanted <= set(out), wanted - set(out)
    return out


@pytest.fixture(scope="module")
def drivers(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    keys = tables["ewp_panel"][["ccode", "year"]].astype(int)
    return build_driver_features(tables, keys).set_index(["ccode", "year"])


def _country(drivers: pd.DataFrame, code: int) -> pd.DataFrame:
    # Only years with observed SPEI (1960-2020): imputed years would dilute the comparison.
    d = drivers.xs(code, level="ccode")
    return d[d["spei_missing"] == 0]


def test_syria_2007_2010_stand_out_as_drought_years(drivers: pd.DataFrame) -> None:
    syr = _country(drivers, SYRIA)
    dry = syr["spei_dry_months"]
    years = [2007, 2008, 2009, 2010]
    # Drought months far above the country's usual: the 4-year mean is at least twice the median year.
    assert dry.loc[years].mean() >= 2 * dry.median()
    # At least 3 of the 4 years are in the top decile of Syria's years by drought months.
    assert (dry.loc[years] >= dry.quantile(0.9)).sum() >= 3
    # The 36-month accumulation is in moderate drought (<= -1) in every year 2008-2010.
    assert (syr["spei36"].loc[[2008, 2009, 2010]] <= -1).all()


def test_ethiopia_1984_stands_out_as_a_drought_year(drivers: pd.DataFrame) -> None:
    eth = _country(drivers, ETHIOPIA)
    assert eth.loc[1984, "spei_dry_months"] >= eth["spei_dry_months"].quantile(0.9)
    assert eth.loc[1984, "spei_severe_months"] == eth["spei_severe_months"].max()
    assert eth.loc[1984, "precip_anom"] <= eth["precip_anom"].quantile(0.1)


def test_unmatched_report_lists_only_non_states(tables: dict[str, pd.DataFrame]) -> None:
    report = unmatched_report(tables)
    covered = set(report["source"])
    # Every source with a country column was checked; those with no unmatched entity simply have no rows.
    assert {t for t in tables if t in ENTITY_COLUMNS} >= covered
    missed = report[~report["non_state"]]
    assert missed.empty, missed.to_string()
    # Real states are matched, e.g. Kosovo (GADM code XKO) and Somalia.
    climate = report[report["source"] == "climate_spei1"]["entity"]
    assert "XKO" not in set(climate) and "SOM" not in set(climate)


def test_features_cover_the_panel(drivers: pd.DataFrame) -> None:
    recent = drivers.xs(2015, level="year")
    for col in ("spei_dry_months", "precip_anom", "gini_disp", "epr_exclpop", "nb_count"):
        assert recent[col].notna().mean() > 0.9, col
