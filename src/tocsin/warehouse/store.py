"""The warehouse: one DuckDB file with a table per source and a provenance table.

A pull builds a new file beside the old one and swaps it in with one atomic rename, so a failed or
interrupted pull leaves the previous warehouse exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from tocsin.core.errors import WarehouseError
from tocsin.sources.base import Source
from tocsin.sources.download import fetch

PROVENANCE = "_provenance"
_PROVENANCE_COLUMNS = {
    "source": "VARCHAR", "address": "VARCHAR", "sha256": "VARCHAR", "bytes": "BIGINT",
    "retrieved_at": "TIMESTAMP", "parser_version": "VARCHAR", "origin": "VARCHAR", "rows": "BIGINT",
    "year_min": "INTEGER", "year_max": "INTEGER", "publisher": "VARCHAR", "licence": "VARCHAR",
    "citation": "VARCHAR", "description": "VARCHAR", "family": "VARCHAR",
}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PullResult:
    loaded: list[str]
    path: Path


class Warehouse:
    """A DuckDB file under $TOCSIN_HOME. Reads open it read-only; only `pull` writes (to a new file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    # ---- reading -------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.is_file()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        if not self.exists():
            raise WarehouseError(f"no warehouse at {self.path}: run `tocsin data pull` first")
        return duckdb.connect(str(self.path), read_only=True)

    def tables(self) -> list[str]:
        with self._connect() as con:
            return sorted(r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall())

    def has(self, table: str) -> bool:
        return self.exists() and table in self.tables()

    def read(self, table: str) -> pd.DataFrame:
        with self._connect() as con:
            names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if table not in names:
                raise WarehouseError(f"warehouse {self.path} has no table {table!r}: run `tocsin data pull`")
            return con.execute(f'SELECT * FROM "{table}"').df()

    def provenance(self) -> pd.DataFrame:
        return self.read(PROVENANCE)

    def query(self, sql: str, params: list[object] | None = None) -> pd.DataFrame:
        with self._connect() as con:
            return con.execute(sql, params or []).df()

    # ---- writing -------------------------------------------------------------------------------
    def pull(
        self,
        sources: Iterable[Source],
        *,
        mirror: Path | None,
        progress: Progress | None = None,
        keep_existing: bool = False,
    ) -> PullResult:
        """Download, verify and parse every source into a fresh file, then swap it in atomically.

        Any error leaves the previous warehouse untouched. With `keep_existing`, tables of sources not
        pulled this time are carried over (pulling one source refreshes only it).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        building = self.path.with_name(self.path.name + f".building-{os.getpid()}")
        for leftover in (building, Path(str(building) + ".wal")):
            leftover.unlink(missing_ok=True)
        if keep_existing and self.exists():
            shutil.copyfile(self.path, building)
        loaded: list[str] = []
        try:
            con = duckdb.connect(str(building))
            try:
                cols = ", ".join(f"{k} {v}" for k, v in _PROVENANCE_COLUMNS.items())
                con.execute(f"CREATE TABLE IF NOT EXISTS {PROVENANCE} ({cols})")
                for src in sources:
                    if progress:
                        progress(src.name)
                    self._load_one(con, src, mirror)
                    loaded.append(src.name)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(building, self.path)  # atomic on POSIX: readers see old or new, never half
        except BaseException:
            building.unlink(missing_ok=True)
            Path(str(building) + ".wal").unlink(missing_ok=True)
            raise
        return PullResult(loaded=loaded, path=self.path)

    @staticmethod
    def _load_one(con: duckdb.DuckDBPyConnection, src: Source, mirror: Path | None) -> None:
        fetched = fetch(src.url, mirror=mirror, sha256=src.sha256)
        frame = src.parse(fetched.content, fetched.name)
        frame = _duckdb_friendly(frame)
        con.register("_incoming", frame)
        con.execute(f'CREATE OR REPLACE TABLE "{src.name}" AS SELECT * FROM _incoming')
        con.unregister("_incoming")
        ymin = ymax = None
        if src.year_column and src.year_column in frame.columns:
            years = pd.to_numeric(frame[src.year_column], errors="coerce").dropna()
            if len(years):
                ymin, ymax = int(years.min()), int(years.max())
        con.execute(f"DELETE FROM {PROVENANCE} WHERE source = ?", [src.name])
        con.execute(
            f"INSERT INTO {PROVENANCE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [src.name, src.url, fetched.sha256, fetched.size, datetime.now(UTC).replace(tzinfo=None),
             src.parser_version, "mirror" if fetched.origin.startswith("mirror") else "network", len(frame),
             ymin, ymax, src.publisher, src.licence, src.citation, src.description, src.family],
        )


def _duckdb_friendly(frame: pd.DataFrame) -> pd.DataFrame:
    """Mixed-type object columns (common in Excel and R files) become strings so DuckDB can store them."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            kinds = {type(v) for v in out[col].dropna()}
            if len(kinds) > 1 or (kinds and not kinds <= {str}):
                out[col] = out[col].map(lambda v: None if pd.isna(v) else str(v))
    out.columns = [str(c) for c in out.columns]
    return out
