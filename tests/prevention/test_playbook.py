"""The playbook validates against its schema; an invalid file gives errors at the offending lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.core.settings import Settings
from tocsin.prevention.playbook import PlaybookError, default_playbook_path, load_playbook, parse_playbook

SHIPPED = default_playbook_path().read_text()


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return lines[nth]


def _issues(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(PlaybookError) as exc:
        parse_playbook(text, "mine.toml")
    return [(i.line, i.where, i.message) for i in exc.value.issues]


def test_shipped_playbook_is_valid_and_covers_the_required_tools() -> None:
    book = load_playbook()
    ids = {t.id for t in book.tool}
    assert {"agricultural_support", "civil_society_grants", "electoral_diplomacy", "independent_monitoring_media",
            "targeted_sanctions", "condition_military_assistance", "international_justice",
            "inclusive_dialogue"} <= ids
    for tool in book.tool:
        assert tool.actors and tool.primary and tool.evidence_notes and tool.lead_time_months[0] >= 0


def test_a_bad_enum_value_is_reported_at_its_line() -> None:
    text = SHIPPED.replace('cost_class = "low"\nun_factors = [8]', 'cost_class = "cheap"\nun_factors = [8]', 1)
    [(line, where, msg)] = _issues(text)
    assert line == _line_of(text, 'cost_class = "cheap"')
    assert where == "tool[2].cost_class" and "low" in msg


def test_an_unknown_signal_reference_points_to_its_line() -> None:
    text = SHIPPED.replace('secondary = ["us_assistance", "political_killings", "armed_conflict"]',
                           'secondary = ["us_assistance", "politicl_killings", "armed_conflict"]')
    [(line, where, msg)] = _issues(text)
    assert line == _line_of(text, '"politicl_killings"')
    assert where == "tool[5].secondary[1]" and "politicl_killings" in msg


def test_an_item_inside_a_multiline_array_is_located_on_its_own_line() -> None:
    old = '            "gs_dry_months", "gs_era5_dry_months"]'
    text = SHIPPED.replace(old, '            7, "gs_era5_dry_months"]', 1)
    [(line, where, _)] = _issues(text)
    assert where == "signal[0].features[4]"
    assert line == _line_of(text, '            7, "gs_era5_dry_months"]')


def test_missing_and_extra_keys_are_each_reported() -> None:
    text = SHIPPED.replace('id = "inclusive_dialogue"\nname = "Inclusive dialogue and local peacebuilding"\n',
                           'id = "inclusive_dialogue"\ncolour = "red"\n')
    issues = _issues(text)
    header = _line_of(text, 'id = "inclusive_dialogue"') - 1  # the [[tool]] line above it
    assert (header, "tool[7].name", "Field required") in issues
    assert any(line == _line_of(text, 'colour = "red"') and where == "tool[7].colour" for line, where, _ in issues)


def test_out_of_range_thresholds_and_un_factors_point_to_their_lines() -> None:
    text = SHIPPED.replace("elevated_percentile = 0.8 ", "elevated_percentile = 1.8 ")
    text = text.replace("un_factors = [8]", "un_factors = [8, 22]", 1)
    issues = _issues(text)
    assert [i[1] for i in issues] == ["rules.elevated_percentile", "tool[2].un_factors"]
    assert issues[0][0] == _line_of(text, "elevated_percentile = 1.8")
    assert issues[1][0] == _line_of(text, "un_factors = [8, 22]")


def test_toml_syntax_errors_carry_the_parser_line() -> None:
    text = SHIPPED.replace('version = "2025.1"', 'version = "2025.1')
    [(line, where, _)] = _issues(text)
    assert where == "(syntax)" and line == _line_of(text, 'version = "2025.1')


def test_duplicate_ids_are_refused() -> None:
    text = SHIPPED.replace('id = "referendum"\nkind = "trigger"', 'id = "election"\nkind = "trigger"')
    issues = _issues(text)
    assert any("duplicate signal id 'election'" in m for _, _, m in issues)


def test_settings_can_point_to_a_users_own_playbook(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(SHIPPED.replace('version = "2025.1"', 'version = "local-3"'))
    assert load_playbook(settings=Settings(home=tmp_path, playbook_path=mine)).version == "local-3"
    with pytest.raises(PlaybookError, match="cannot read"):
        load_playbook(tmp_path / "absent.toml")
