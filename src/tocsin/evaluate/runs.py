"""Runs: every forecast, backtest and ablation is an immutable, recorded set of artifacts.

A run is written into a staging folder, its record (`run.json`: code version and commit, every source's address,
sha256, vintage and licence, model and hyper-parameters, seed, settings, timings, metrics, and each artifact's
sha256) written last, then published with one atomic rename to `runs/<id>`. The `latest-<kind>` pointer is
replaced atomically under a file lock, so two concurrent runs never corrupt each other or the pointer; readers
(dashboard, API, briefs, `prevent`, `explain`) open the latest run or the one they name, and never refit.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from tocsin.core.errors import TocsinError
from tocsin.core.records import json_clean
from tocsin.core.settings import Settings
from tocsin.evaluate.results import ResultsStore

RUN_KINDS = ("forecast", "backtest", "drivers", "watch")
RECORD = "run.json"
_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")
_STAGING_PREFIX = ".staging-"


class RunNotFoundError(TocsinError):
    """No run with that id (or no run of that kind yet)."""


def new_run_id(now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def git_commit() -> str | None:
    """The commit of the checkout the package runs from, when it is one (None for an installed wheel)."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = out.stdout.strip()
    if out.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40}", sha):
        return None
    dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, timeout=5, check=False)
    return sha + ("-dirty" if dirty.stdout.strip() else "")


def settings_record(settings: Settings) -> dict[str, Any]:
    """The settings a run used, with any password in a database URL masked."""
    out: dict[str, Any] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if name.endswith("_url") and value:
            from sqlalchemy.engine import make_url

            try:
                value = make_url(str(value)).render_as_string(hide_password=True)
            except Exception:  # not a URL SQLAlchemy can parse: say nothing of it
                value = "(set)"
        out[name] = str(value) if isinstance(value, Path) else value
    return out


def sources_record(provenance: pd.DataFrame | None) -> list[dict[str, Any]]:
    if provenance is None or provenance.empty:
        return []
    cols = [c for c in ("source", "address", "sha256", "bytes", "retrieved_at", "vintage", "year_min", "year_max",
                        "publisher", "licence", "citation") if c in provenance.columns]
    return json_clean(provenance[cols].sort_values("source").to_dict("records"))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Run:
    """A published run: its record and a read-only store over its artifacts."""

    id: str
    path: Path
    record: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.record.get("kind", ""))

    @property
    def store(self) -> ResultsStore:
        return ResultsStore(self.path)

    def artifact(self, name: str) -> Path:
        path = (self.path / name).resolve()
        if self.path.resolve() not in path.parents:
            raise TocsinError(f"artifact name {name!r} leaves the run folder")
        return path

    def citation(self) -> str:
        """How to cite this run: id, date, data vintage of EWP's panel, code version."""
        rec = self.record
        ewp = next((s for s in rec.get("sources", []) if s.get("source") == "ewp_panel"), None) or {}
        # EWP dates its prepared file in the file name (…predictors-2025-09-03.csv); else the retrieval date.
        dated = re.search(r"(\d{4}-\d{2}-\d{2})", str(ewp.get("address") or ""))
        vintage = dated.group(1) if dated else str(ewp.get("retrieved_at") or "")[:10] or "unknown"
        return (f"Tocsin run {self.id} of {str(rec.get('created_at', ''))[:10]}, model {rec.get('model')}, "
                f"EWP data of {vintage}, code {rec.get('code', {}).get('version')}"
                + (f" ({str(rec['code']['commit'])[:12]})" if rec.get("code", {}).get("commit") else ""))


@dataclass
class RunWriter:
    """A run being made: artifacts go into a staging folder; `publish` makes it visible atomically."""

    runs: RunStore
    kind: str
    id: str
    path: Path
    record: dict[str, Any] = field(default_factory=dict)
    _t0: float = field(default_factory=time.perf_counter)
    _stage_t: float = field(default_factory=time.perf_counter)

    @property
    def store(self) -> ResultsStore:
        return ResultsStore(self.path)

    def timing(self, stage: str) -> None:
        """Record the seconds since the previous stage under `stage`."""
        now = time.perf_counter()
        self.record.setdefault("timings", {})[stage] = round(now - self._stage_t, 3)
        self._stage_t = now

    def publish(self) -> Run:
        self.record.setdefault("timings", {})["total"] = round(time.perf_counter() - self._t0, 3)
        arts = {}
        for p in sorted(self.path.rglob("*")):
            if p.is_file() and p.name != RECORD:
                arts[str(p.relative_to(self.path))] = {"sha256": _sha256(p), "bytes": p.stat().st_size}
        self.record["artifacts"] = arts
        self.record["published_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        rec_path = self.path / RECORD
        with rec_path.open("w") as fh:
            json.dump(json_clean(self.record), fh, indent=1, default=str)
            fh.flush()
            os.fsync(fh.fileno())
        final = self.runs.root / self.id
        os.rename(self.path, final)  # same filesystem: atomic; ids are unique, so nothing is overwritten
        self.runs._set_latest(self.kind, self.id)
        return Run(self.id, final, self.record)

    def abandon(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class RunStore:
    """The runs under `root` ($TOCSIN_HOME/runs)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def for_settings(cls, settings: Settings) -> RunStore:
        return cls(settings.home / "runs")

    # ---- writing -----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def create(self, kind: str, **record: Any) -> Iterator[RunWriter]:
        """A new run; published when the block ends without error, discarded otherwise."""
        if kind not in RUN_KINDS:
            raise TocsinError(f"unknown run kind {kind!r}; one of {RUN_KINDS}")
        self.root.mkdir(parents=True, exist_ok=True)
        run_id = new_run_id()
        path = self.root / f"{_STAGING_PREFIX}{run_id}"
        path.mkdir()
        from tocsin import __version__

        base = {"id": run_id, "kind": kind, "created_at": datetime.now(UTC).isoformat(timespec="microseconds"),
                "code": {"version": __version__, "commit": git_commit()}}
        writer = RunWriter(self, kind, run_id, path, {**base, **record})
        try:
            yield writer
        except BaseException:
            writer.abandon()
            raise
        writer.publish()

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _pointer(self, kind: str) -> Path:
        return self.root / f"latest-{kind}"

    def _set_latest(self, kind: str, run_id: str) -> None:
        with self._lock():
            tmp = self.root / f".latest-{kind}.{os.getpid()}.tmp"
            tmp.write_text(run_id + "\n")
            os.replace(tmp, self._pointer(kind))

    # ---- reading -----------------------------------------------------------------------------------------
    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and _ID.match(p.name)
                      and (p / RECORD).is_file())

    def get(self, run_id: str) -> Run:
        """A run by id or by an unambiguous prefix of it."""
        if not run_id or "/" in run_id or run_id.startswith("."):
            raise RunNotFoundError(f"no run {run_id!r}")
        ids = self.ids()
        found = [i for i in ids if i == run_id] or [i for i in ids if i.startswith(run_id)]
        if not found:
            raise RunNotFoundError(f"no run {run_id!r} under {self.root}")
        if len(found) > 1:
            raise RunNotFoundError(f"run id {run_id!r} is ambiguous: {', '.join(found[:5])}")
        path = self.root / found[0]
        return Run(found[0], path, json.loads((path / RECORD).read_text()))

    def latest_id(self, kind: str = "forecast") -> str | None:
        try:
            run_id = self._pointer(kind).read_text().strip()
        except FileNotFoundError:
            return None
        return run_id if _ID.match(run_id) and (self.root / run_id / RECORD).is_file() else None

    def latest(self, kind: str = "forecast") -> Run | None:
        run_id = self.latest_id(kind)
        return self.get(run_id) if run_id else None

    def resolve(self, run_id: str | None, kind: str = "forecast") -> Run:
        """The named run, or the latest of `kind`."""
        if run_id:
            return self.get(run_id)
        run = self.latest(kind)
        if run is None:
            raise RunNotFoundError(f"no {kind} run yet: run `tocsin {kind}` first")
        return run

    def list(self) -> list[Run]:
        """Every published run, oldest first (by creation time: ids made in the same second differ only by
        their random part)."""
        out = []
        for i in self.ids():
            try:
                out.append(self.get(i))
            except (OSError, ValueError):
                continue
        return sorted(out, key=lambda r: (str(r.record.get("created_at", "")), r.id))

    def gc(self, keep: int) -> list[str]:
        """Delete all but the `keep` newest runs of each kind (never a latest run) and stale staging folders."""
        if keep < 1:
            raise TocsinError("gc --keep must be at least 1")
        removed: list[str] = []
        with self._lock():
            latest = {self.latest_id(k) for k in RUN_KINDS}
            by_kind: dict[str, list[Run]] = {}
            for run in self.list():
                by_kind.setdefault(run.kind, []).append(run)
            for runs in by_kind.values():
                for run in list(reversed(runs))[keep:]:  # newest first
                    if run.id in latest:
                        continue
                    shutil.rmtree(run.path, ignore_errors=True)
                    removed.append(run.id)
            # A staging folder older than a day belongs to a run that died.
            for p in self.root.glob(f"{_STAGING_PREFIX}*"):
                if time.time() - p.stat().st_mtime > 86400:
                    shutil.rmtree(p, ignore_errors=True)
        return sorted(removed)
