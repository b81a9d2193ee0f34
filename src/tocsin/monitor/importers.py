"""Import incidents from CSV, GDELT 2.0 event exports and ACLED exports, validated row by row.

Good rows are kept, each bad row is reported with its line number and reason, and the whole batch goes in
one transaction: a crash half-way leaves nothing behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.monitor import audit
from tocsin.monitor.auth import require
from tocsin.monitor.errors import MonitorError
from tocsin.monitor.incidents import (
    INPUT_FIELDS,
    IncidentIn,
    Scorer,
    _first_error,
    _score,
    new_incident,
    new_receipt,
)
from tocsin.monitor.models import Category, ImportBatch, Incident, IncidentHistory, User

KINDS = ("csv", "gdelt", "acled")
CSV_COLUMNS = INPUT_FIELDS

# GDELT 2.0 events: 61 tab-separated columns without a header (GDELT_2.0_Events_Column_Labels_Header_Row).
GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(
        f"Actor{n}{c}"
        for n in (1, 2)
        for c in (
            "Code",
            "Name",
            "CountryCode",
            "KnownGroupCode",
            "EthnicCode",
            "Religion1Code",
            "Religion2Code",
            "Type1Code",
            "Type2Code",
            "Type3Code",
        )
    ),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(
        f"{p}_{c}"
        for p in ("Actor1Geo", "Actor2Geo", "ActionGeo")
        for c in ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
    ),
    "DATEADDED",
    "SOURCEURL",
)

# CAMEO codes -> incident categories; the most specific code wins. Unlisted codes become "other".
_CAMEO: dict[str, Category] = {
    "20": Category.violence_against_civilians,  # unconventional mass violence
    "18": Category.violence_against_civilians,  # assault
    "15": Category.armed_mobilization,  # exhibit military posture
    "19": Category.armed_mobilization,  # fight
    "172": Category.discriminatory_policy,  # impose administrative sanctions (bans, curfews)
    "174": Category.discriminatory_policy,  # expel or deport individuals
    "1721": Category.obstruction,  # impose restrictions on political freedoms
    "1124": Category.state_rhetoric,  # accuse of human-rights abuses
    "13": Category.state_rhetoric,  # threaten (state actors only, see below)
}
_STATE = {"GOV", "MIL", "COP", "JUD", "SPY"}

_ACLED: dict[tuple[str, str], Category] = {
    ("Violence against civilians", ""): Category.violence_against_civilians,
    ("Protests", "Excessive force against protesters"): Category.violence_against_civilians,
    ("Strategic developments", "Headquarters or base established"): Category.armed_mobilization,
    ("Strategic developments", "Change to group/activity"): Category.armed_mobilization,
    ("Strategic developments", "Arrests"): Category.obstruction,
}


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    kind: str
    filename: str
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    batch_id: int | None = None


Row = tuple[int, dict[str, Any], str | None]  # (line, IncidentIn fields, external id)


def _blank(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and v != v:  # NaN from R data
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _csv_rows(content: bytes) -> Iterator[Row | RowError]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    missing = {"country", "event_date", "category"} - set(reader.fieldnames or ())
    if missing:
        raise MonitorError(f"CSV lacks required column(s): {', '.join(sorted(missing))}")
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if unknown:
        raise MonitorError(f"CSV has unknown column(s): {', '.join(sorted(unknown))}")
    for row in reader:
        line = reader.line_num
        if None in row:
            yield RowError(line, "more fields than columns in the header")
            continue
        yield line, {k: _blank(v) for k, v in row.items() if _blank(v) is not None}, None


def _gdelt_category(r: dict[str, str]) -> Category:
    code = r.get("EventCode") or ""
    for n in (4, 3, 2):
        cat = _CAMEO.get(code[:n]) if len(code) >= n else None
        if cat is not None:
            if cat == Category.state_rhetoric and (r.get("Actor1Type1Code") or "") not in _STATE:
                return Category.other
            return cat
    return Category.other


def _gdelt_rows(content: bytes) -> Iterator[Row | RowError]:
    text = content.decode("utf-8", errors="replace")
    first = text.split("\n", 1)[0]
    delim = "\t" if "\t" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    header = first.split(delim)[0].strip().upper() == "GLOBALEVENTID"
    names = [c.strip() for c in next(reader)] if header else list(GDELT_COLUMNS)
    if header and len(names) != len(GDELT_COLUMNS):
        raise MonitorError(f"GDELT header has {len(names)} columns, expected {len(GDELT_COLUMNS)}")
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            yield RowError(line, f"{len(values)} fields, expected {len(names)} (GDELT 2.0 events)")
            continue
        r = dict(zip(names, values, strict=True))
        try:
            when = datetime.strptime(r["SQLDATE"].strip(), "%Y%m%d").date()
        except ValueError:
            yield RowError(line, f"SQLDATE {r['SQLDATE']!r} is not YYYYMMDD")
            continue
        parts = [p.strip() for p in r["ActionGeo_FullName"].split(",") if p.strip()]
        country = parts[-1] if parts else r["ActionGeo_CountryCode"].strip()
        if not country:
            yield RowError(line, "no action location (ActionGeo_FullName is empty)")
            continue
        fields = {
            "country": country,
            "event_date": when,
            "category": _gdelt_category(r),
            "admin1": parts[-2] if len(parts) >= 2 else None,
            "latitude": _blank(r["ActionGeo_Lat"]),
            "longitude": _blank(r["ActionGeo_Long"]),
            "actor": _blank(r["Actor1Name"]),
            "target_group": _blank(r["Actor2Name"]),
            "source_url": _blank(r["SOURCEURL"]),
            "confidence": 0.3,  # machine-coded from news
        }
        yield line, {k: v for k, v in fields.items() if v is not None}, _blank(r["GLOBALEVENTID"])


def _acled_category(r: dict[str, Any]) -> Category:
    et, sub = r.get("event_type") or "", r.get("sub_event_type") or ""
    cat = _ACLED.get((et, sub)) or _ACLED.get((et, ""))
    if cat is None and (r.get("civilian_targeting") or "").strip() == "Civilian targeting":
        return Category.violence_against_civilians
    return cat or Category.other


def _acled_date(v: Any) -> Any:
    if isinstance(v, date | datetime):
        return v
    s = str(v).strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%m/%d/%Y"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return s  # left for validation to reject with its own message


def _acled_records(content: bytes, filename: str) -> Iterator[tuple[int, dict[str, Any]] | RowError]:
    if filename.lower().endswith((".rda", ".rdata", ".rds")):
        import tempfile

        import pyreadr

        with tempfile.NamedTemporaryFile(suffix=Path(filename).suffix) as tmp:
            tmp.write(content)
            tmp.flush()
            frames = pyreadr.read_r(tmp.name)
        frame = next(iter(frames.values()))
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            yield i, rec
        return
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    missing = {"event_date", "country", "event_type"} - set(reader.fieldnames or ())
    if missing:
        raise MonitorError(f"ACLED file lacks column(s): {', '.join(sorted(missing))}")
    for rec in reader:
        if None in rec:
            yield RowError(reader.line_num, "more fields than columns in the header")
            continue
        yield reader.line_num, rec


def _acled_rows(content: bytes, filename: str) -> Iterator[Row | RowError]:
    for item in _acled_records(content, filename):
        if isinstance(item, RowError):
            yield item
            continue
        line, r = item
        r = {k: _blank(v) for k, v in r.items()}
        fields = {
            "country": r.get("country"),
            "event_date": _acled_date(r.get("event_date")),
            "category": _acled_category(r),
            "admin1": r.get("admin1"),
            "latitude": r.get("latitude"),
            "longitude": r.get("longitude"),
            "actor": r.get("actor1"),
            "target_group": r.get("actor2"),
            "text": r.get("notes"),
            "language": "en",
            "confidence": 0.7,  # ACLED is researcher-coded from several sources
        }
        yield line, {k: v for k, v in fields.items() if v is not None}, r.get("event_id_cnty")


def parse(kind: str, content: bytes, filename: str) -> Iterator[Row | RowError]:
    if kind == "csv":
        return _csv_rows(content)
    if kind == "gdelt":
        return _gdelt_rows(content)
    if kind == "acled":
        return _acled_rows(content, filename)
    raise MonitorError(f"unknown import format {kind!r} (known: {', '.join(KINDS)})")


def import_bytes(
    session: Session,
    actor: User,
    kind: str,
    content: bytes,
    filename: str,
    scorer: Scorer | None = None,
    on_row: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate and add every good row in the caller's transaction; the caller commits or rolls back.

    `on_row` is called before each good row is added (progress reporting; tests use it to simulate a crash).
    """
    require(actor, "import")
    report = ImportReport(kind, filename)
    digest = hashlib.sha256(content).hexdigest()
    # The batch commits whole or not at all, so a file in a committed batch is in the log: running the same
    # import again (after a crash, or by mistake) must not add its rows twice.
    done = session.scalar(select(ImportBatch).where(ImportBatch.sha256 == digest, ImportBatch.kind == kind,
                                                    ImportBatch.n_imported > 0))
    if done is not None:
        raise MonitorError(f"{filename}: this file was already imported (batch {done.id}, "
                           f"{done.n_imported} incident(s)); nothing added")
    batch = ImportBatch(kind=kind, filename=filename[:400], sha256=digest, n_imported=0, n_rejected=0)
    session.add(batch)
    session.flush()
    seen: set[str] = set()
    for item in parse(kind, content, filename):
        if isinstance(item, RowError):
            report.errors.append(item)
            continue
        line, fields, external = item
        if external is not None:
            key = f"{kind}:{external}"
            if (
                key in seen
                or session.scalar(
                    select(Incident.id).where(Incident.origin == kind, Incident.external_id == str(external))
                )
                is not None
            ):
                report.errors.append(RowError(line, f"event {external} is already imported"))
                continue
            seen.add(key)
        try:
            incident = new_incident(IncidentIn.model_validate(fields), actor, origin=kind)
        except PydanticError as exc:
            report.errors.append(RowError(line, _first_error(exc)))
            continue
        except MonitorError as exc:
            report.errors.append(RowError(line, str(exc)))
            continue
        if on_row is not None:
            on_row(line)
        incident.external_id = None if external is None else str(external)
        incident.receipt = new_receipt()
        incident.batch_id = batch.id
        _score(incident, scorer)
        incident.history.append(IncidentHistory(action="imported", changes={"batch": batch.id, "line": line}))
        session.add(incident)
        report.imported += 1
    batch.n_imported, batch.n_rejected = report.imported, len(report.errors)
    session.flush()
    report.batch_id = batch.id
    audit.record(
        session,
        actor,
        "incident.import",
        "batch",
        batch.id,
        kind=kind,
        filename=filename,
        imported=report.imported,
        rejected=len(report.errors),
    )
    return report


def import_file(session: Session, actor: User, kind: str, path: Path, scorer: Scorer | None = None) -> ImportReport:
    if not path.is_file():
        raise MonitorError(f"{path}: no such file")
    return import_bytes(session, actor, kind, path.read_bytes(), path.name, scorer)
