"""Every source's file is pinned by sha256, EWP's too though its address is the moving `main` branch."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tocsin.cli.main import app
from tocsin.core.errors import ChecksumError
from tocsin.sources import ewp
from tocsin.sources.catalog import all_sources, get_source
from tocsin.sources.download import fetch, mirror_path
from tocsin.warehouse.store import Warehouse

EWP_SOURCES = [s for s in all_sources() if s.url.startswith(ewp.REPO)]


def test_every_source_pins_a_sha256() -> None:
    unpinned = [s.name for s in all_sources() if not re.fullmatch(r"[0-9a-f]{64}", s.sha256 or "")]
    assert not unpinned


def test_every_ewp_file_is_pinned_with_the_commit_it_was_taken_from() -> None:
    assert len(EWP_SOURCES) >= 30
    for s in EWP_SOURCES:
        assert s.commit in (*ewp.COMMITS.values(), None), s.name
    assert sum(s.commit is not None for s in EWP_SOURCES) >= 25
    # Two tables read from the same file pin the same bytes.
    by_url: dict[str, set[str | None]] = {}
    for s in EWP_SOURCES:
        by_url.setdefault(s.url, set()).add(s.sha256)
    assert all(len(v) == 1 for v in by_url.values())


def test_a_changed_ewp_file_fails_the_pull_with_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    src = get_source("ewp_countrynames")
    mirror = tmp_path / "mirror"
    path = mirror_path(src.url, mirror)
    path.parent.mkdir(parents=True)
    path.write_text("country,ccode,ewp_name\nNowhere,999,Nowhere\n")  # what a moved `main` might hold
    home = tmp_path / "home"
    env = {"TOCSIN_HOME": str(home), "TOCSIN_DATA_MIRROR": str(mirror)}
    res = CliRunner().invoke(app, ["data", "pull", "--source", "ewp_countrynames"], env=env)
    assert res.exit_code == 1
    out = " ".join(res.output.split())
    assert "countrynamesheet_complete.csv: sha256 mismatch: expected f76adca38851" in out
    assert "is not the one Tocsin pinned" in out and "2025-Statistical-Risk-Assessment/main/" in out
    assert not (home / "warehouse.duckdb").exists()


@pytest.mark.integration
def test_the_mirrors_ewp_files_verify_and_a_tampered_copy_does_not(mirror: Path, tmp_path: Path) -> None:
    for url, sha256 in {s.url: s.sha256 for s in EWP_SOURCES}.items():
        fetch(url, mirror=mirror, sha256=sha256)
    src = get_source("ewp_coefficients")
    copy = tmp_path / "mirror"
    target = mirror_path(src.url, copy)
    target.parent.mkdir(parents=True)
    shutil.copyfile(mirror_path(src.url, mirror), target)
    Warehouse(tmp_path / "ok.duckdb").pull([src], mirror=copy)  # the untouched copy loads
    content = bytearray(target.read_bytes())
    content[-2] = ord("7") if content[-2] != ord("7") else ord("8")  # one digit of one coefficient
    target.write_bytes(bytes(content))
    with pytest.raises(ChecksumError, match="sha256 mismatch"):
        Warehouse(tmp_path / "bad.duckdb").pull([src], mirror=copy)
