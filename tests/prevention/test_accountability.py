"""Security-partner audit on small made-up tables: who arms killing governments (non-state suppliers stay
listed, as SIPRI names them), and sanctions coverage."""

from __future__ import annotations

import pandas as pd

from tocsin.prevention.accountability import AccountabilityTables, SdnIndex, audit, country_flags, ongoing_state_led

EVENTS = pd.DataFrame({
    "country": ["Kenya", "Ghana", "Kenya"], "mk_event_name": ["gov vs A", "gov vs B", "rebels vs C"],
    "startyear": [2010, 2000, 2012], "endyear": [None, 2005, None], "mk_event_code": ["k1", "g1", "k2"],
    "State-Led or Non-State-Led": ["State-Led", "State-Led", "Non-State-Led"],
    "mk_location_cow": [501, 452, 501], "mk_repsonsible_state_cow": [501.0, 452.0, None],
})
ONGOING = pd.DataFrame({"Country": ["Kenya", "Kenya"], "State-Led or Non-State-Led": ["State-Led", "Non-State-Led"],
                        "Start Year": [2010, 2012], "Perpetrator": ["State security forces", "Boko Haram"]})
SIPRI = pd.DataFrame({"supplier": ["Ruritania*", "France", "China", "France", "Rebels (Kenya)*"],
                      "recipient": ["Kenya", "Kenya", "Kenya", "Ghana", "Kenya"],
                      "year": [2015, 2015, 2016, 2015, 2015],
                      "value": [5.0, 10.0, 20.0, 7.0, 1.0]})
AID = pd.DataFrame({"country_code": ["KEN", "GHA", "KEN"], "country_name": ["Kenya", "Ghana", "Kenya"],
                    "transaction_type_name": ["Obligations", "Obligations", "Disbursements"],
                    "year": [2015, 2015, 2015],
                    "constant_amount": [3e6, 1e6, 2e6], "current_amount": [3e6, 1e6, 2e6]})
SDN = pd.DataFrame({"ent_num": [1, 2, 3, 4], "sdn_name": ["5TH BRIGADE OF THE KENYAN ARMY", "BOKO HARAM",
                                                          "SMITH, John", "SOUTH SUDAN PEOPLE'S LIBERATION ARMY"],
                    "sdn_type": [None, None, "individual", None], "program": ["GLOMAG", "SDGT", "GLOMAG", "SSUDAN"],
                    "title": [None, None, "Minister of Fisheries", None],
                    "remarks": [None, "a.k.a. 'JAS'.", "nationality Kenya", None]})


def _tables() -> AccountabilityTables:
    return AccountabilityTables(SIPRI, AID, SDN, EVENTS, ONGOING)


def test_ongoing_state_led_episodes_are_attributed_to_the_responsible_government() -> None:
    assert list(ongoing_state_led(EVENTS, 2015)) == [501]
    assert set(ongoing_state_led(EVENTS, 2003)) == {452}


def test_audit_lists_suppliers_per_year_to_killing_governments_only() -> None:
    res = audit(_tables(), year_from=2015, year_to=2016, sanctions=False)
    table = res.suppliers_to_killing_governments()
    assert table.to_dict("records") == [
        {"year": 2015, "recipient": "Kenya", "suppliers": "France (10), Ruritania* (5), Rebels (Kenya)* (1)",
         "tiv_total": 16.0},
        {"year": 2016, "recipient": "Kenya", "suppliers": "China (20)", "tiv_total": 20.0}]
    assert "Ruritania*" in res.unmatched["sipri"] and "Rebels (Kenya)*" in res.unmatched["sipri"]
    assert res.aid[["year", "recipient", "obligations_usd_constant"]].to_dict("records") == [
        {"year": 2015, "recipient": "Kenya", "obligations_usd_constant": 3e6}]
    only_china = audit(_tables(), supplier="China", year_from=2015, year_to=2016, sanctions=False)
    assert set(only_china.arms["supplier"]) == {"China"} and only_china.aid.empty


def test_sanctions_coverage_scores_state_forces_and_named_groups() -> None:
    res = audit(_tables(), year_from=2015, year_to=2015)
    state, group = res.sanctions
    assert state.status == "designated" and [m.name for m in state.matches] == ["5TH BRIGADE OF THE KENYAN ARMY"]
    assert state.matches[0].score == 100.0  # the minister of fisheries is no security-force match
    assert group.matches[0].name == "BOKO HARAM" and group.matches[0].score == 100.0


def test_an_unsanctioned_perpetrator_stands_out() -> None:
    tables = _tables()
    tables.sdn = SDN[SDN["ent_num"] != 1]
    coverage = audit(tables, year_from=2015, year_to=2015).sanctions
    assert coverage[0].status == "NO DESIGNATION"
    flags, _ = country_flags(tables, 501, 2015, coverage)
    assert {f.flag for f in flags} == {"ongoing_state_mk", "arms_imports", "us_aid", "sdn_gap"}


def test_sdn_index_reads_aliases() -> None:
    idx = SdnIndex(SDN)
    assert [m.name for m in idx.match_groups(["jas"])] == ["BOKO HARAM"]
