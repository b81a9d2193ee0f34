"""The issue's must-shows on the real data mirror: Syria 2008, five district countries, CAR cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tocsin.core.settings import Settings
from tocsin.geo.adapters import priogrid_mismatches
from tocsin.geo.aggregate import assign_points, events_by_unit
from tocsin.geo.hotspots import Tables, hotspots
from tocsin.geo.units import load_admin1
from tocsin.sources import subnational as sn

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def settings(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("home"), data_mirror=mirror)


def test_syria_2008_ranks_all_14_governorates_with_their_components(settings: Settings) -> None:
    res = hotspots("SYR", settings, year=2008, country="Syria")
    ranked = res.ranked()
    assert len(ranked) == 14
    assert ranked["vegetation"].notna().all() and ranked["raw_vegetation"].notna().all()
    assert sorted(ranked["rank"].astype(int)) == list(range(1, 15))
    assert ranked["total"].is_monotonic_decreasing
    # Only Natural Earth's UNDOF zone (not a governorate) lacks data, and it is reported, not hidden.
    assert res.table.loc[res.table["total"].isna(), "name"].tolist() == ["UNDOF"]
    assert any("UNDOF" in n for n in res.notes)
    assert set(res.missing) == {"drought", "exposure", "violence", "exclusion"}
    assert any(s.licence.startswith("CC BY-IGO") for s in res.sources)


def test_syria_pcodes_are_read_with_the_labelling_the_pixel_weights_support(settings: Settings) -> None:
    res = hotspots("SYR", settings, year=2008)
    note = next(n for n in res.notes if "PCODEs read as" in n)
    assert "OCHA P-codes" in note.split(":")[0]
    assert "WARNING" not in note


def test_syria_anomalies_do_not_look_ahead(settings: Settings) -> None:
    # Scoring 2008 must not change when later years are dropped from the data.
    tables = Tables(settings)
    full = tables.get(sn.SYRIA_SOURCES[0])
    tables._memo[sn.SYRIA_SOURCES[0].name] = full[full["year"] <= 2008]
    from tocsin.geo.hotspots import syria_inputs

    units = load_admin1("SYR", settings)
    cut = syria_inputs(tables, units, 2008).values["vegetation"]
    res = hotspots("SYR", settings, year=2008)
    again = res.table.set_index("code")["raw_vegetation"].dropna()
    assert cut.dropna().round(10).sort_index().equals(again.round(10).sort_index())


@pytest.mark.parametrize("iso3", ["KEN", "ETH", "SOM", "SDN", "NGA"])
def test_district_rainfall_and_pdsi_rank_admin1_units_and_report_matching(settings: Settings,
                                                                          iso3: str) -> None:
    res = hotspots(iso3, settings, year=2010)
    ranked = res.ranked()
    assert len(ranked) >= 8
    assert ranked["drought"].notna().all()
    match_notes = [n for n in res.notes if n.startswith(("hc_pre_", "hc_pdsi_"))]
    assert len(match_notes) == 2
    # Each note states how many names matched and either lists the unmatched districts or says none were.
    assert all("matched" in n and ("unmatched" in n or "all districts matched" in n) for n in match_notes)
    units_without = res.table.loc[res.table["total"].isna(), "name"].tolist()
    for name in units_without:
        assert any(name in n for n in res.notes)


def test_sudan_units_created_after_gaul_2008_are_reported_without_data(settings: Settings) -> None:
    res = hotspots("SDN", settings, year=2010)
    assert set(res.table.loc[res.table["total"].isna(), "name"]) == {"Central Darfur", "Eastern Darfur"}


def test_car_event_cells_agree_with_ucdp_priogrid_for_every_event(settings: Settings) -> None:
    events = Tables(settings).get(sn.GED_CAR)
    assert len(events) == 1848
    assert priogrid_mismatches(events).empty
    placed = assign_points(events, load_admin1("CAF", settings))
    assert (placed.frame["gid"].to_numpy() == events["priogrid_gid"].to_numpy()).all()
    assert placed.outside == 0
    cells = events_by_unit(placed.frame, "best", key="gid")
    units = events_by_unit(placed.frame, "best", key="unit")
    assert cells["total"].sum() == units["total"].sum() == events["best"].sum()


def test_car_violence_history_ranks_all_prefectures(settings: Settings) -> None:
    res = hotspots("CAF", settings, year=2023)
    assert len(res.ranked()) == 17 and res.ranked()["violence"].notna().all()
    with pytest.raises(Exception, match="no component has data"):
        hotspots("CAF", settings, year=2030)


def test_the_warehouse_gives_the_same_ranking_as_the_mirror(pulled_home: Path, settings: Settings) -> None:
    via_wh = hotspots("SYR", Settings(home=pulled_home, data_mirror=settings.data_mirror), year=2008)
    direct = hotspots("SYR", settings, year=2008)
    assert via_wh.table["name"].tolist() == direct.table["name"].tolist()


def test_cli_writes_table_json_geojson_and_map(settings: Settings, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from tocsin.cli.main import app

    monkeypatch.setenv("TOCSIN_HOME", str(settings.home))
    monkeypatch.setenv("TOCSIN_DATA_MIRROR", str(settings.data_mirror))
    out = tmp_path / "o"
    out.mkdir()
    result = CliRunner().invoke(app, ["hotspots", "Syria", "--year", "2008", "--json", str(out / "s.json"),
                                      "--geojson", str(out / "s.geojson"), "--png", str(out / "s.png"),
                                      "--weights", "hazard=0.5,violence=0.5"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Rif Dimashq" in result.output and "CC BY-IGO" in result.output
    doc = json.loads((out / "s.json").read_text())
    assert len(doc["areas"]) == 15 and sum(a["rank"] is not None for a in doc["areas"]) == 14
    for area in doc["areas"]:
        assert {"name", "code", "total", "components"} <= set(area)
        assert set(area["components"]) == {"drought", "vegetation", "exposure", "violence", "exclusion"}
    # Unnamed components keep their defaults; the given ones keep their ratio after renormalising.
    w = doc["weights"]
    assert w["violence"] == pytest.approx(w["drought"] + w["vegetation"])
    assert sum(w.values()) == pytest.approx(1)
    gj = json.loads((out / "s.geojson").read_text())
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 15
    assert (out / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_for_a_country_without_inputs_is_one_clear_line(settings: Settings,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from tocsin.cli.main import app

    monkeypatch.setenv("TOCSIN_HOME", str(settings.home))
    monkeypatch.setenv("TOCSIN_DATA_MIRROR", str(settings.data_mirror))
    result = CliRunner().invoke(app, ["hotspots", "Norway"])
    assert result.exit_code == 1
    assert "no subnational inputs for NOR" in result.output
