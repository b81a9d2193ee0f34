"""Append-only audit log (app and database), and row-by-row imports that are all-or-nothing per batch."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from tocsin.monitor import audit, db, importers
from tocsin.monitor.errors import AuditViolation, MonitorError
from tocsin.monitor.models import AuditEntry, ImportBatch, Incident, User


def test_app_refuses_to_change_or_delete_audit_rows(factory: sessionmaker[Session]) -> None:
    with db.transaction(factory) as s:
        audit.record(s, None, "test.event", "test", 1)
    with pytest.raises(AuditViolation), db.transaction(factory) as s:
        s.scalars(select(AuditEntry)).first().action = "rewritten"  # type: ignore[union-attr]
    with pytest.raises(AuditViolation), db.transaction(factory) as s:
        s.delete(s.scalars(select(AuditEntry)).first())
    with factory() as s:
        assert s.scalars(select(AuditEntry.action)).all() == ["test.event"]


@pytest.mark.parametrize("sql", ["UPDATE monitor_audit_log SET action = 'x'", "DELETE FROM monitor_audit_log"])
def test_database_trigger_refuses_update_and_delete(engine: Engine, factory: sessionmaker[Session], sql: str) -> None:
    with db.transaction(factory) as s:
        audit.record(s, None, "test.event", "test", 1)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM monitor_audit_log")).scalars().all() == ["test.event"]


CSV_GOOD_AND_BAD = (
    "country,event_date,category,actor,target_group,text,language,source_url,confidence\n"
    "Myanmar,2024-01-08,hate_speech,a monk,Rohingya,they are vermin,en,https://example.org/a,0.8\n"
    "Atlantis,2024-01-09,hate_speech,x,y,z,en,,0.5\n"
    "Ethiopia,2024-13-01,hate_speech,x,y,z,en,,0.5\n"
    "Ethiopia,2024-01-10,genocide_tourism,x,y,z,en,,0.5\n"
    'Kenya,2024-01-11,armed_mobilization,militia,,"a quoted, multi\nline text",en,ftp://bad,0.5\n'
    "Kenya,2024-01-12,armed_mobilization,militia,,ok,en,,1.5\n"
    "Kenya,2024-01-13,other,militia,,ok,en,,0.4,extra\n"
    "Sudan,2024-01-14,violence_against_civilians,RSF,Masalit,attack on a village,en,,0.9\n"
)


def _actor(factory: sessionmaker[Session], users: dict[str, User]) -> User:
    with factory() as s:
        return s.get(User, users["ana"].id)  # type: ignore[return-value]


def test_import_keeps_good_rows_and_reports_each_bad_one_by_line(
    factory: sessionmaker[Session], users: dict[str, User]
) -> None:
    with db.transaction(factory) as s:
        report = importers.import_bytes(s, _actor(factory, users), "csv", CSV_GOOD_AND_BAD.encode(), "x.csv")
    assert report.imported == 2
    bad = {e.line: e.reason for e in report.errors}
    assert set(bad) == {3, 4, 5, 7, 8, 9}  # the quoted text spans lines 6-7, so that row is line 7
    assert "Atlantis" in bad[3]
    assert "event_date" in bad[4]
    assert "category" in bad[5]
    assert "source" in bad[7] or "http" in bad[7]
    assert "confidence" in bad[8]
    assert "more fields" in bad[9]
    with factory() as s:
        rows = s.scalars(select(Incident).order_by(Incident.event_date)).all()
        assert [(r.country_iso3, r.country_gwcode) for r in rows] == [("MMR", 775), ("SDN", 625)]
        batch = s.scalars(select(ImportBatch)).one()
        assert (batch.n_imported, batch.n_rejected) == (2, 6)


def test_crash_mid_import_leaves_no_partial_batch(factory: sessionmaker[Session], users: dict[str, User]) -> None:
    def crash(line: int) -> None:
        if line > 2:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError), db.transaction(factory) as s:
        importers.import_bytes(s, _actor(factory, users), "csv", CSV_GOOD_AND_BAD.encode(), "x.csv", on_row=crash)
    with factory() as s:
        assert s.scalar(select(func.count(Incident.id))) == 0
        assert s.scalar(select(func.count(ImportBatch.id))) == 0


def test_import_refuses_a_file_without_required_columns(factory: sessionmaker[Session], users: dict[str, User]) -> None:
    with pytest.raises(MonitorError, match="category"), db.transaction(factory) as s:
        importers.import_bytes(s, _actor(factory, users), "csv", b"country,event_date\nKenya,2024-01-01\n", "x.csv")


def _gdelt_row(**kw: str) -> str:
    row = dict.fromkeys(importers.GDELT_COLUMNS, "")
    row |= {
        "GLOBALEVENTID": "1001",
        "SQLDATE": "20240105",
        "EventCode": "1823",
        "EventRootCode": "18",
        "Actor1Name": "MILITIA",
        "Actor2Name": "CIVILIAN",
        "ActionGeo_FullName": "Geneina, West Darfur, Sudan",
        "ActionGeo_CountryCode": "SU",
        "ActionGeo_Lat": "13.45",
        "ActionGeo_Long": "22.44",
        "SOURCEURL": "https://example.org/news",
    } | kw
    return "\t".join(row[c] for c in importers.GDELT_COLUMNS)


def test_gdelt_export_rows_are_mapped_and_bad_ones_reported(
    factory: sessionmaker[Session], users: dict[str, User]
) -> None:
    content = "\n".join(
        [
            _gdelt_row(),
            _gdelt_row(GLOBALEVENTID="1002", SQLDATE="2024-01-05"),
            "1003\t20240105\tshort",
            _gdelt_row(GLOBALEVENTID="1001"),  # same event twice
            _gdelt_row(
                GLOBALEVENTID="1004", EventCode="130", Actor1Type1Code="GOV", ActionGeo_FullName="Yangon, Yangon, Burma"
            ),
        ]
    ).encode()
    with db.transaction(factory) as s:
        report = importers.import_bytes(s, _actor(factory, users), "gdelt", content, "events.CSV")
    assert report.imported == 2
    assert {e.line for e in report.errors} == {2, 3, 4}
    with factory() as s:
        rows = {r.external_id: r for r in s.scalars(select(Incident))}
    assert rows["1001"].category == "violence_against_civilians" and rows["1001"].country_iso3 == "SDN"
    assert rows["1001"].admin1 == "West Darfur" and rows["1001"].event_date == date(2024, 1, 5)
    assert rows["1004"].category == "dangerous_state_rhetoric" and rows["1004"].country_iso3 == "MMR"


def test_acled_csv_export_is_mapped(factory: sessionmaker[Session], users: dict[str, User]) -> None:
    content = (
        b"event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,civilian_targeting,country,admin1,"
        b"latitude,longitude,notes\n"
        b"SDN1,2024-02-01,Violence against civilians,Attack,RSF,Civilians (Sudan),Civilian targeting,Sudan,"
        b"West Darfur,13.4,22.4,Killed 12 civilians\n"
        b"SDN2,01 February 2024,Battles,Armed clash,RSF,SAF,,Sudan,Khartoum,15.5,32.5,Clash\n"
        b"SDN3,someday,Battles,Armed clash,RSF,SAF,,Sudan,Khartoum,15.5,32.5,Clash\n"
    )
    with db.transaction(factory) as s:
        report = importers.import_bytes(s, _actor(factory, users), "acled", content, "acled.csv")
    assert report.imported == 2 and [e.line for e in report.errors] == [4]
    with factory() as s:
        cats = {r.external_id: r.category for r in s.scalars(select(Incident))}
    assert cats == {"SDN1": "violence_against_civilians", "SDN2": "other"}
