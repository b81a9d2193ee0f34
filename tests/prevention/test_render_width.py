"""`tocsin prevent` and `tocsin accountability` stay readable in an 80-column terminal."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from screen import render
from tocsin.prevention import render as prevention_render
from tocsin.prevention.playbook import load_playbook
from tocsin.prevention.rank import Option, PreventionResult

LONG = ("Addresses Groups politically discriminated or excluded (discrimpop = 0.074, 90% pct; epr_discrimpop = "
        "0.074, 90% pct +1 more); Civil liberties unequal across social groups (social_inequality = 1, 97% pct; "
        "minorityrule = 1, 87% pct). Also: Restricted religious freedom (religiousfreedom = 2, 85% pct); Battle "
        "deaths (battledeaths.log2 = 6.89, 87% pct)")


def _result() -> PreventionResult:
    tools = load_playbook().tool[:4]
    options = [Option(t, 4.0 - i, f"{LONG} [{t.id}]", [], [], []) for i, t in enumerate(tools)]
    return PreventionResult(9001, 2016, "Freedonia", date(2017, 1, 1), options, ["a note"], "test", [])


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("│").split("│")]


def test_prevent_fits_80_columns_and_its_evidence_is_below_the_table_in_full() -> None:
    res = _result()
    lines = render(prevention_render.prevention(res))
    assert max(len(line) for line in lines) <= 80
    table = [line for line in lines if line.startswith("│")]
    assert table and not any("Addresses" in line or "discrimpop" in line for line in table)
    # No cell is squeezed to a word per line: a row takes at most a few lines.
    rows = [line for line in table if _cells(line)[0]]
    assert len(rows) == len(res.options) and len(table) <= 6 * len(res.options)
    below = " ".join(line.strip() for line in lines[lines.index(next(x for x in lines if x.startswith("└"))) + 1:])
    for o in res.options:
        assert f"{o.tool.name}: {o.rationale}" in below  # whole, and wrapped only between words
    assert "--json" in below


def test_a_long_rationale_wraps_by_words_under_its_number() -> None:
    lines = render(prevention_render.prevention(_result()))
    start = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    follow = lines[start + 1]
    assert follow.startswith("   ") and follow.strip()  # hanging indent, not a new column of single words
    assert all(len(line.split()) > 2 for line in lines[start:start + 3])


def test_warnings_report_fits_80_columns_with_dates_whole_and_responses_below() -> None:
    row = SimpleNamespace(id=2, warned_on=date(2018, 5, 1), country="Democratic Republic of the Congo",
                          issuer="Regional early-warning network of civil-society monitors", risk_level="very high",
                          first_response=date(2018, 9, 1), first_actor="UN Security Council members", lag_days=123,
                          followed="no onset in 2019-2020", onset_same_year=True)
    summary = {"warnings": 1, "with_response": 1, "median_lag_days": 123, "no_response": 0,
               "followed_by_onset": 0, "no_onset": 1, "not_yet_known": 0}
    rep = SimpleNamespace(rows=[row], summary=lambda: summary, notes=[])
    lines = render(prevention_render.tracker(rep))  # type: ignore[arg-type]
    assert max(len(line) for line in lines) <= 80
    table = [line for line in lines if line.startswith("│")]
    assert "2018-05-01" in table[0] and len(table) <= 6  # long names wrap by words, dates stay whole
    below = " ".join(line.strip() for line in lines if not line.startswith(("│", "┃", "┏", "┡", "└")))
    assert ("#2 Democratic Republic of the Congo: first response 2018-09-01 (UN Security Council members); "
            "no onset in 2019-2020; onset also in the warning's year") in below
