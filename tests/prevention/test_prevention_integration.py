"""On the real mirror: Burma/Myanmar 2016 options with their evidence; the audit's per-year suppliers and the
SDN matches for Burma/Myanmar's military."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.core.settings import Settings
from tocsin.prevention.accountability import AccountabilityTables, audit
from tocsin.prevention.rank import prevention_report
from tocsin.warehouse.store import Warehouse

BURMA = 775


@pytest.mark.integration
def test_burma_2016_lists_sanctions_and_conditioning_with_evidence(pulled_home: Path, mirror: Path,
                                                                   tmp_path: Path) -> None:
    s = Settings(home=pulled_home, data_mirror=mirror, monitor_db_url=f"sqlite:///{tmp_path / 'm.sqlite'}")
    res = prevention_report(BURMA, 2016, s, hotspots=False)
    by_id = {o.tool.id: o for o in res.options}
    sanctions, conditioning = by_id["targeted_sanctions"], by_id["condition_military_assistance"]
    assert "state_led_mass_killing" in sanctions.primary and "state_led_mass_killing" in conditioning.primary
    assert "arms_imports" in conditioning.primary
    arms = next(e for e in conditioning.evidence if e.signal == "arms_imports")
    assert arms.values["China"] > 0 and "SIPRI" in arms.text
    assert any(e.signal == "perpetrators_designated" and "BURMESE ARMY" in e.text for e in sanctions.evidence)
    assert any("Rohingya" in e.text for e in sanctions.evidence)
    assert {src["name"] for src in res.sources} >= {"sipri_arms_transfers", "ewp_events", "ofac_sdn"}


@pytest.mark.integration
def test_audit_lists_suppliers_by_year_and_sdn_matches_for_burma(pulled_home: Path) -> None:
    tables = AccountabilityTables.from_warehouse(Warehouse(pulled_home / "warehouse.duckdb"))
    res = audit(tables, year_from=2016, year_to=2017)
    table = res.suppliers_to_killing_governments()
    burma = table[(table["recipient"] == "Myanmar")].set_index("year")
    assert set(burma.index) == {2016, 2017} and "China" in burma.loc[2016, "suppliers"]
    assert (table["year"] == 2016).sum() >= 5  # several governments were killing civilians and importing arms
    cov = [c for c in res.sanctions if c.ccode == BURMA and c.state_led]
    assert cov and all(c.status == "designated" for c in cov)
    names = {m.name: m.score for m in cov[0].matches}
    assert names.get("33RD LIGHT INFANTRY DIVISION OF THE BURMESE ARMY", 0) >= 85
    assert any(c.status == "NO DESIGNATION" for c in res.sanctions)  # unsanctioned perpetrators stand out
