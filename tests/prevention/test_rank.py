"""Ranking rules: a made-up country's evidence decides which tools come first, and why."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tocsin.prevention.accountability import Flag
from tocsin.prevention.playbook import load_playbook
from tocsin.prevention.rank import CountryEvidence, default_as_of, prevention_options, rank_options
from tocsin.prevention.triggers import CalendarEvent

ME = 9001  # a made-up country code
YEAR = 2020


def _cross_section(**mine: float) -> pd.DataFrame:
    """40 made-up countries with ordinary values, plus ME with `mine` overriding its features."""
    rng = np.random.default_rng(7)
    n = 40
    frame = pd.DataFrame({
        "ccode": np.arange(1, n + 1),
        "spei_dry_months": rng.choice([0, 0, 0, 1], n), "gs_spei_dry_months": rng.choice([0, 0, 1], n),
        "spei12": rng.normal(0.2, 0.5, n), "gs_spei": rng.normal(0.2, 0.5, n),
        "nb_drought_share": rng.uniform(0, 0.4, n),
        "pol_killing_approved": rng.choice([0, 0, 0, 0, 1], n), "repress_civilsoc": rng.choice([0, 0, 0, 1], n),
        "v2mecenefm_binary": rng.choice([0, 1], n), "freediscussion": rng.uniform(0.2, 0.95, n),
        "discrimpop": rng.choice([0, 0, 0, 0.2], n), "social_inequality": rng.choice([0, 0, 0, 1], n),
        "minorityrule": rng.choice([0, 0, 1], n), "religiousfreedom": rng.uniform(1, 4, n),
        "battledeaths.log2": rng.choice([0, 0, 0, 9], n), "mk_ongoing_count_log2": rng.choice([0, 0, 0, 1], n),
        "coup.try.5yr": rng.choice([0, 0, 0, 1], n), "gini_disp": rng.uniform(25, 50, n),
    })
    ordinary = {"spei_dry_months": 0, "gs_spei_dry_months": 0, "spei12": 0.3, "gs_spei": 0.3,
                "nb_drought_share": 0.1, "pol_killing_approved": 0, "repress_civilsoc": 0, "v2mecenefm_binary": 0,
                "freediscussion": 0.8, "discrimpop": 0, "social_inequality": 0, "minorityrule": 0,
                "religiousfreedom": 3.5, "battledeaths.log2": 0, "mk_ongoing_count_log2": 0, "coup.try.5yr": 0,
                "gini_disp": 33}
    row = pd.DataFrame([{"ccode": ME, **ordinary, **mine}])
    return pd.concat([frame, row], ignore_index=True)


def _evidence(triggers: list[CalendarEvent] | None = None, flags: list[Flag] | None = None,
              **mine: float) -> CountryEvidence:
    return CountryEvidence(ME, YEAR, "Freedonia", _cross_section(**mine), triggers=triggers or [],
                           flags=flags or [], as_of=date(YEAR + 1, 1, 1))


ELECTION = CalendarEvent(ME, "election", date(YEAR + 1, 10, 4), "Presidential election", "https://example.org/ec",
                         "calendar")


def test_drought_and_election_put_agricultural_and_electoral_tools_first() -> None:
    ev = _evidence([ELECTION], spei_dry_months=6, gs_spei_dry_months=4, spei12=-1.8, gs_spei=-1.6)
    opts = prevention_options(ME, YEAR, evidence=ev)
    assert {o.tool.id for o in opts[:2]} == {"agricultural_support", "electoral_diplomacy"}
    assert all(o.score < min(opts[0].score, opts[1].score) for o in opts[2:])
    agri = next(o for o in opts if o.tool.id == "agricultural_support")
    assert "spei_dry_months = 6" in agri.rationale and agri.evidence[0].values["percentile"] > 0.9
    elect = next(o for o in opts if o.tool.id == "electoral_diplomacy")
    assert "2021-10-04" in elect.rationale and elect.evidence[0].source == "calendar"
    # Tools that need evidence of killings are not offered at all.
    assert not {"targeted_sanctions", "condition_military_assistance"} & {o.tool.id for o in opts}


def test_without_the_election_the_electoral_tool_is_not_offered() -> None:
    opts = prevention_options(ME, YEAR, evidence=_evidence(spei_dry_months=6, spei12=-1.8))
    assert opts[0].tool.id == "agricultural_support"
    assert "electoral_diplomacy" not in {o.tool.id for o in opts}


def test_an_election_after_the_horizon_or_before_the_as_of_date_is_not_a_trigger() -> None:
    late = CalendarEvent(ME, "election", date(YEAR + 4, 1, 1), "Far away", None, "calendar")
    past = CalendarEvent(ME, "election", date(YEAR, 3, 1), "Already held", None, "calendar")
    opts = prevention_options(ME, YEAR, evidence=_evidence([late, past]))
    assert "electoral_diplomacy" not in {o.tool.id for o in opts}


def test_an_ordinary_country_gets_no_options() -> None:
    assert prevention_options(ME, YEAR, evidence=_evidence()) == []


def test_state_killing_with_arms_flows_calls_for_sanctions_and_conditioning_with_the_evidence() -> None:
    flags = [Flag("ongoing_state_mk", "Government responsible for ongoing state-led mass killing(s): X (2019-)",
                  {"episodes": ["X (2019-)"]}, "ewp_events", "1 ongoing state-led episode(s)"),
             Flag("arms_imports", "Arms deliveries 2018-2020 (SIPRI TIV, millions): Ruritania 120",
                  {"Ruritania": 120.0}, "sipri_arms_transfers", "SIPRI: Ruritania 120"),
             Flag("sdn_gap", "Perpetrator side 'State security forces': no SDN designation", {}, "ofac_sdn",
                  "no SDN match for 'State security forces'")]
    opts = prevention_options(ME, YEAR, evidence=_evidence(flags=flags, pol_killing_approved=1,
                                                           mk_ongoing_count_log2=1))
    ids = [o.tool.id for o in opts]
    assert ids[0] == "targeted_sanctions" and "condition_military_assistance" in ids[:3]
    cond = opts[ids.index("condition_military_assistance")]
    assert "SIPRI: Ruritania 120" in cond.rationale
    assert {e.source for e in cond.evidence} >= {"ewp_events", "sipri_arms_transfers"}


def test_contributions_to_the_forecast_can_elevate_a_driver() -> None:
    ev = _evidence(discrimpop=0.05)  # a small share, but the forecast leans on it
    book = load_playbook()
    before = {o.tool.id for o in rank_options(book, ev)[0]}
    contrib = pd.DataFrame({"ccode": [*range(1, 41), ME], "feature": "discrimpop",
                            "contribution": [0.01] * 40 + [0.4]})
    ev.contributions = contrib
    ev.cross_section.loc[ev.cross_section["ccode"] != ME, "discrimpop"] = 0.3  # the value alone is not high
    after = rank_options(book, ev)[0]
    assert "inclusive_dialogue" in {o.tool.id for o in after} - before
    dialogue = next(o for o in after if o.tool.id == "inclusive_dialogue")
    assert "contribution to the forecast +0.4" in dialogue.evidence[0].text


def test_the_as_of_date_is_the_forecast_window_start_or_today_inside_it() -> None:
    assert default_as_of(2016, today=date(2026, 1, 1)) == date(2017, 1, 1)
    assert default_as_of(2024, today=date(2025, 6, 1)) == date(2025, 6, 1)
