"""The five-minute brief: at most two pages, the expected content, one-line errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from tocsin.core.errors import CountryNotFoundError
from tocsin.core.settings import Settings
from tocsin.reports.brief import build_brief, headline, render_pdf
from tocsin.reports.dossier import DataContext


def test_brief_pdf_fits_two_pages_with_expected_text(web_home: Settings) -> None:
    b = build_brief(DataContext(web_home), "Burma")
    reader = PdfReader(io.BytesIO(render_pdf(b)))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(p.extract_text() for p in reader.pages)
    for part in ("Burma/Myanmar", "ranking #1 of 4", "Trend", "Drivers and what changed", "Label of",
                 "Subnational hotspots", "Prevention options", "Track record", "Sources", "Early Warning Project"):
        assert part in text, part


def test_brief_with_hotspots_and_alerts_still_fits_two_pages(web_home: Settings) -> None:
    for country in ("Kenya", "Sudan"):
        reader = PdfReader(io.BytesIO(render_pdf(build_brief(DataContext(web_home), country))))
        assert len(reader.pages) <= 2, country
    from tocsin.monitor import auth, db, service

    with db.transaction(service.open_db(web_home)[1]) as s:  # alerts only for an analyst's token
        token = auth.create_token(s, auth.get_user(s, "analyst1"), "brief test")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        render_pdf(build_brief(DataContext(web_home), "Sudan", token=token)))).pages)
    assert "2024-03-04" in text  # the alert
    public = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        render_pdf(build_brief(DataContext(web_home), "Sudan")))).pages)
    assert "2024-03-04" not in public


def test_headline_says_level_rank_and_direction() -> None:
    cur = {"year": 2025, "risk": 0.06, "rank": 3, "of": 160, "previous_risk": 0.03, "previous_rank": 9,
           "ewp_rank": 4.0}
    text = headline("Xland", cur)
    assert "6.0%" in text and "#3 of 160" in text and "up sharply from 3.0% (#9)" in text and "#4" in text
    assert "no forecast" in headline("Xland", None)


def test_brief_unknown_country_lists_close_matches(web_home: Settings) -> None:
    with pytest.raises(CountryNotFoundError, match="Did you mean"):
        build_brief(DataContext(web_home), "Sudann")


def test_cli_brief_writes_pdf_and_html_and_fails_in_one_line(web_home: Settings, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from tocsin.cli.main import app

    monkeypatch.setenv("TOCSIN_HOME", str(web_home.home))
    monkeypatch.setenv("TOCSIN_DATA_MIRROR", str(web_home.data_mirror))
    runner = CliRunner()
    res = runner.invoke(app, ["brief", "Burma/Myanmar", "--pdf", str(tmp_path / "b.pdf"),
                              "--html", str(tmp_path / "b.html")])
    assert res.exit_code == 0, res.output
    assert len(PdfReader(tmp_path / "b.pdf").pages) <= 2
    assert "Burma/Myanmar" in (tmp_path / "b.html").read_text()
    bad = runner.invoke(app, ["brief", "Atlantis"])
    assert bad.exit_code == 1 and "Unknown country 'Atlantis'" in bad.output
    assert len(bad.output.strip().splitlines()) == 1


@pytest.mark.integration
def test_real_brief_for_burma_fits_two_pages(forecast_home: Path, mirror: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from tocsin.cli.main import app

    home = tmp_path / "home"
    shutil.copytree(forecast_home, home)  # leave the shared one alone
    monkeypatch.setenv("TOCSIN_HOME", str(home))
    monkeypatch.setenv("TOCSIN_DATA_MIRROR", str(mirror))
    runner = CliRunner()
    res = runner.invoke(app, ["brief", "Burma/Myanmar", "--pdf", str(tmp_path / "out.pdf")])
    assert res.exit_code == 0, res.output
    reader = PdfReader(tmp_path / "out.pdf")
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Burma/Myanmar" in text and "Early Warning Project" in text
