"""The rebuild on the real EWP inputs from the data mirror, beside EWP's own prepared file and base data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tocsin.features.panel import load_panel
from tocsin.features.rebuild.panel import check_rebuild, load_rebuilt_panel, rebuild
from tocsin.warehouse.store import Warehouse

pytestmark = pytest.mark.integration

EWP_INPUTS = ("raw.githubusercontent.com/EarlyWarningProject/2025-Statistical-Risk-Assessment/main/"
              "2.Make-new-base-data/input")


@pytest.fixture(scope="module")
def ewp_warehouse(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    from tocsin.sources.catalog import all_sources

    wh = Warehouse(tmp_path_factory.mktemp("rebuild") / "warehouse.duckdb")
    wh.pull([s for s in all_sources() if s.family == "ewp"], mirror=mirror)
    return wh


def test_rebuilt_panel_agrees_with_ewps_prepared_file_1990_2024(ewp_warehouse: Warehouse) -> None:
    rb = rebuild(ewp_warehouse)
    chk = check_rebuild(ewp_warehouse, rb, (1990, 2024))
    assert chk.agreement.share_nonmissing >= 0.99
    assert len(chk.agreement.rows_ewp_only) == 0 and len(chk.agreement.rows_rebuilt_only) == 0
    assert chk.outcomes.equal == chk.outcomes.cells
    assert chk.template["rows_ewp_only"] == 0 and chk.template["rows_ours_only"] == 0
    for var, v in chk.template["variables"].items():  # type: ignore[attr-defined]
        assert v["equal"] == v["cells"], var


def test_rebuilt_panel_has_the_same_columns_dtypes_and_keys_as_the_ewp_panel(ewp_warehouse: Warehouse) -> None:
    ours = load_rebuilt_panel(ewp_warehouse)
    ref = load_panel(ewp_warehouse)
    assert list(ours.columns) == list(ref.columns)
    assert ours.dtypes.astype(str).tolist() == ref.dtypes.astype(str).tolist()
    assert ours[["ccode", "year"]].equals(ref[["ccode", "year"]])
    assert ours.attrs["through"] == 2024 and ours.attrs["vintages"]["ewp_in_wdi"]["origin"].startswith("warehouse")


def test_a_newer_release_in_the_inputs_folder_replaces_the_pulled_one(
    ewp_warehouse: Warehouse, mirror: Path, tmp_path: Path
) -> None:
    wdi = pd.read_csv(mirror / EWP_INPUTS / "wdi.csv")
    # A "newer release" that revises Chad's (483) 2024 population: the rebuild must use it.
    wdi.loc[(wdi["ccode"] == 483) & (wdi["year"] == 2024), "wdi.popsize.new"] = 2 ** 25
    wdi.to_csv(tmp_path / "wdi.csv", index=False)
    shutil.copy(mirror / EWP_INPUTS / "HIEF_data.csv", tmp_path / "HIEF_data.csv")
    rb = rebuild(ewp_warehouse, inputs_dir=tmp_path)
    row = rb.prepared[(rb.prepared["ccode"] == 483) & (rb.prepared["year"] == 2024)]
    assert row["popsize.log2"].iloc[0] == pytest.approx(25.0)
    assert rb.vintages["ewp_in_wdi"]["origin"] == "folder"
    assert rb.vintages["ewp_in_maddison"]["origin"].startswith("warehouse")
    chk = check_rebuild(ewp_warehouse, rb, (2024, 2024))
    bad = chk.agreement.disagreements
    assert bad[["ccode", "predictor"]].values.tolist() == [[483, "popsize.log2"]]


def test_through_a_year_no_input_covers_yet_extends_the_frame_with_gaps_not_invented_values(
    ewp_warehouse: Warehouse,
) -> None:
    rb = rebuild(ewp_warehouse, through=2025)
    last = rb.prepared[rb.prepared["year"] == 2025]
    assert len(last) == 168
    assert last["v2csgender_binary"].isna().all()  # V-Dem ends in 2024: missing, not carried
    assert last["efindex"].notna().all() and last["gdppcgrowth"].notna().all()  # EWP carries these forward
    assert last["mk_onset_1"].isna().all()


def test_publisher_formats_without_ewps_codes_rebuild_the_same_panel(
    ewp_warehouse: Warehouse, mirror: Path, tmp_path: Path
) -> None:
    """WDI and UN WPP files as their publishers lay them out (ISO3 keys, their column names, no EWP codes):
    the codes come from ISO3 with EWP's conventions, and the rebuilt cells must not change."""
    wdi = pd.read_csv(mirror / EWP_INPUTS / "wdi.csv").drop(columns=["ccode"])
    wdi.rename(columns={"wdi.gdppcgrow.new": "NY.GDP.PCAP.KD.ZG", "wdi.popsize.new": "SP.POP.TOTL"}).to_csv(
        tmp_path / "WDI_export.csv", index=False)
    imr = pd.read_csv(mirror / EWP_INPUTS / "un_imr_clean.csv").drop(columns=["ccode"])
    imr.rename(columns={"iso3c": "ISO3_code", "year": "Time", "un_imr": "IMR"}).to_csv(
        tmp_path / "WPP2024_Demographic_Indicators_Medium.csv", index=False)
    rb = rebuild(ewp_warehouse, inputs_dir=tmp_path)
    assert rb.vintages["ewp_in_wdi"]["origin"] == "folder" and rb.vintages["ewp_in_un_imr"]["origin"] == "folder"
    chk = check_rebuild(ewp_warehouse, rb, (1960, 2024))
    assert chk.agreement.equal == chk.agreement.cells, chk.agreement.causes


def test_cli_check_prints_the_agreement_and_writes_it(
    ewp_warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from tocsin.cli.main import app

    monkeypatch.setenv("TOCSIN_HOME", str(ewp_warehouse.path.parent))
    out = tmp_path / "check.json"
    res = CliRunner().invoke(app, ["data", "rebuild", "--check", "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert "Equal non-missing cells" in res.output and "World Bank WDI" in res.output
    payload = json.loads(out.read_text())
    assert payload["agreement"]["years"] == [1990, 2024] and payload["agreement"]["share_nonmissing"] >= 0.99
    assert set(payload["vintages"]) >= {"ewp_in_vdem", "ewp_in_wdi", "ewp_events"}
