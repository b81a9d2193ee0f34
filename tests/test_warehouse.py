"""Pulling sources into the warehouse: provenance, idempotence, and bad input leaving it untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from tocsin.core.errors import ChecksumError, DataError, SchemaError
from tocsin.sources.base import Schema, Source
from tocsin.sources.parsers import csv_parser
from tocsin.warehouse.store import Warehouse

GOOD = b"ccode,year,value\n2,2000,1.5\n2,2001,2.5\n20,2000,3.0\n"


def _source(name: str, file: str, sha256: str | None = None) -> Source:
    return Source(
        name=name, url=f"https://example.org/d/{file}", publisher="Example", licence="CC0",
        citation="Example (2024)", parser=csv_parser(),
        schema=Schema({"ccode": "int", "year": "int", "value": "number"}, min_rows=2), sha256=sha256,
    )


def _mirror(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "mirror"
    for name, content in files.items():
        p = root / "example.org" / "d" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content)
    return root


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_pull_loads_tables_and_records_provenance(tmp_path: Path) -> None:
    mirror = _mirror(tmp_path, {"a.csv": GOOD})
    wh = Warehouse(tmp_path / "home" / "w.duckdb")
    wh.pull([_source("a", "a.csv")], mirror=mirror)
    assert wh.read("a")["value"].tolist() == [1.5, 2.5, 3.0]
    prov = wh.provenance().iloc[0]
    assert prov["source"] == "a" and prov["bytes"] == len(GOOD)
    assert prov["sha256"] == hashlib.sha256(GOOD).hexdigest()
    assert (prov["year_min"], prov["year_max"]) == (2000, 2001)
    assert prov["licence"] == "CC0" and prov["origin"] == "mirror"


def test_pull_is_idempotent(tmp_path: Path) -> None:
    mirror = _mirror(tmp_path, {"a.csv": GOOD})
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.pull([_source("a", "a.csv")], mirror=mirror)
    wh.pull([_source("a", "a.csv")], mirror=mirror)
    assert len(wh.read("a")) == 3
    assert len(wh.provenance()) == 1


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (GOOD[: len(GOOD) - 9], DataError, r"^bad\.csv: malformed CSV"),  # truncated mid-row
        (GOOD.replace(b"value", b"valeur"), SchemaError, r"^bad\.csv \[column 'value'\]: required column"),
        (b"", DataError, r"^bad\.csv: file is empty"),
    ],
    ids=["truncated", "renamed-column", "empty"],
)
def test_bad_input_is_one_line_naming_the_file_and_leaves_the_warehouse_as_it_was(
    tmp_path: Path, content: bytes, error: type[Exception], message: str
) -> None:
    mirror = _mirror(tmp_path, {"a.csv": GOOD, "bad.csv": content})
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.pull([_source("a", "a.csv")], mirror=mirror)
    before = _digest(wh.path)
    with pytest.raises(error, match=message) as exc:
        wh.pull([_source("a", "a.csv"), _source("bad", "bad.csv")], mirror=mirror)
    assert "\n" not in str(exc.value)
    assert _digest(wh.path) == before
    assert wh.tables() == ["_provenance", "a"]
    assert not list(wh.path.parent.glob("*.building*"))


def test_a_sha256_mismatch_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    mirror = _mirror(tmp_path, {"a.csv": GOOD})
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.pull([_source("a", "a.csv")], mirror=mirror)
    before = _digest(wh.path)
    with pytest.raises(ChecksumError, match=r"^a\.csv: sha256 mismatch"):
        wh.pull([_source("a", "a.csv", sha256="f" * 64)], mirror=mirror)
    assert _digest(wh.path) == before


def test_an_interrupted_pull_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    mirror = _mirror(tmp_path, {"a.csv": GOOD})
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.pull([_source("a", "a.csv")], mirror=mirror)
    before = _digest(wh.path)

    def interrupt(name: str) -> None:
        if name == "b":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        wh.pull([_source("a", "a.csv"), _source("b", "a.csv")], mirror=mirror, progress=interrupt)
    assert _digest(wh.path) == before


def test_pulling_one_source_keeps_the_others(tmp_path: Path) -> None:
    mirror = _mirror(tmp_path, {"a.csv": GOOD, "b.csv": GOOD})
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.pull([_source("a", "a.csv"), _source("b", "b.csv")], mirror=mirror)
    wh.pull([_source("b", "b.csv")], mirror=mirror, keep_existing=True)
    assert wh.tables() == ["_provenance", "a", "b"]
    assert sorted(wh.provenance()["source"]) == ["a", "b"]


def test_schema_rejects_wrong_kinds_naming_the_column() -> None:
    frame = pd.DataFrame({"ccode": ["x", "y"], "year": [2000, 2001], "value": [1.0, 2.0]})
    with pytest.raises(SchemaError, match=r"f\.csv \[column 'ccode'\]: expected int"):
        Schema({"ccode": "int", "year": "int", "value": "number"}).check(frame, "f.csv")
